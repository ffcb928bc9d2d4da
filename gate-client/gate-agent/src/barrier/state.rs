//! The barrier state machine. Pure: the caller passes the time (milliseconds on a monotonic
//! clock) and what happened; the machine answers with the new state.
//!
//! ```text
//!            open commanded                status open
//!  Closed ─────────────────▶ Opening ─────────────────▶ Open
//!    ▲                          │ no confirmation             │ status closed, or
//!    │ status closed            ▼ within confirm_ms           │ close commanded ▶ Closing
//!  Closing ◀──────────────── Fault(NotConfirmed)             ▼
//!                 any state ── PLC not answering ──▶ Fault(PlcUnreachable)
//! ```
//!
//! Invariants:
//! - Every command is confirmed by reading the barrier back. With a status input, only the
//!   input moves the machine to Open or Closed; a command that the input does not confirm in
//!   `confirm_ms` is a fault (the Hikvision "locked barrier" trap: the command is accepted,
//!   the relay never fires).
//! - Without a status input the write being acknowledged is the confirmation, and the
//!   barrier is assumed closed again `assumed_open_ms` after an open pulse.
//! - A PLC that does not answer is a fault from any state; the first answer afterwards
//!   recovers it. A NotConfirmed fault clears only when a barrier movement is confirmed.

use serde::Serialize;

/// Why the barrier is in fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The PLC did not answer (connection refused, time-out, transport error).
    PlcUnreachable,
    /// A command was written but the status input did not confirm the movement.
    NotConfirmed,
}

/// The barrier's state as the agent knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "fault", rename_all = "snake_case")]
pub enum BarrierState {
    /// Down.
    Closed,
    /// An open pulse was sent; waiting for confirmation.
    Opening,
    /// Up.
    Open,
    /// A close pulse was sent; waiting for confirmation.
    Closing,
    /// Not under control; an alarm is raised.
    Fault(FaultKind),
}

impl BarrierState {
    /// What the guard reads.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Closed => "已落杆",
            Self::Opening => "抬杆中",
            Self::Open => "已抬杆",
            Self::Closing => "落杆中",
            Self::Fault(FaultKind::PlcUnreachable) => "故障：道闸控制器无响应",
            Self::Fault(FaultKind::NotConfirmed) => "故障：道闸未按指令动作",
        }
    }

    /// Whether this is a fault.
    pub const fn is_fault(self) -> bool {
        matches!(self, Self::Fault(_))
    }
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// An open pulse is about to be written.
    OpenCommanded,
    /// A close pulse is about to be written.
    CloseCommanded,
    /// The PLC acknowledged the pulse just commanded.
    CommandWritten,
    /// The status input was read.
    Status {
        /// Whether it reports open.
        open: bool,
    },
    /// The PLC answered a poll on a lane without a status input.
    PlcAnswered,
    /// The PLC did not answer, after the retries.
    PlcFailed,
    /// Time passed.
    Tick,
}

/// Timing of one barrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Whether a status input is wired.
    pub has_status: bool,
    /// How long a movement may take to be confirmed by the status input.
    pub confirm_ms: u64,
    /// Without a status input: how long the barrier is assumed open after a pulse.
    pub assumed_open_ms: u64,
}

/// A state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The state before.
    pub from: BarrierState,
    /// The state after.
    pub to: BarrierState,
}

/// The machine: a state and when it was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    timing: Timing,
    state: BarrierState,
    since_ms: u64,
}

impl Machine {
    /// A barrier assumed closed at `now_ms`; the first status read corrects it.
    pub fn new(timing: Timing, now_ms: u64) -> Self {
        Self { timing, state: BarrierState::Closed, since_ms: now_ms }
    }

    /// The current state.
    pub fn state(&self) -> BarrierState {
        self.state
    }

    /// Feeds one input; returns the transition when the state changed.
    pub fn step(&mut self, input: Input, now_ms: u64) -> Option<Transition> {
        use BarrierState::*;
        let t = self.timing;
        let elapsed = now_ms.saturating_sub(self.since_ms);
        let next = match (self.state, input) {
            (_, Input::PlcFailed) => Fault(FaultKind::PlcUnreachable),

            (Open, Input::OpenCommanded) => Open,
            (_, Input::OpenCommanded) => Opening,
            (Closed, Input::CloseCommanded) => Closed,
            (_, Input::CloseCommanded) => Closing,

            // Without a status input the acknowledged write is all the confirmation there is.
            (Opening, Input::CommandWritten) if !t.has_status => Open,
            (Closing, Input::CommandWritten) if !t.has_status => Closed,
            (s, Input::CommandWritten) => s,

            (Fault(FaultKind::PlcUnreachable), Input::Status { open }) => {
                if open {
                    Open
                } else {
                    Closed
                }
            }
            (Opening | Closed | Fault(FaultKind::NotConfirmed), Input::Status { open: true }) => {
                Open
            }
            (Open | Closing, Input::Status { open: false }) => Closed,
            (s, Input::Status { .. }) => s,

            (Fault(FaultKind::PlcUnreachable), Input::PlcAnswered) => Closed,
            (s, Input::PlcAnswered) => s,

            (Opening | Closing, Input::Tick) if t.has_status && elapsed >= t.confirm_ms => {
                Fault(FaultKind::NotConfirmed)
            }
            (Open, Input::Tick) if !t.has_status && elapsed >= t.assumed_open_ms => Closed,
            (s, Input::Tick) => s,
        };
        if next == self.state && input != Input::OpenCommanded {
            return None;
        }
        let from = self.state;
        // A re-commanded open restarts the clock (the barrier holds open longer).
        self.state = next;
        self.since_ms = now_ms;
        (from != next).then_some(Transition { from, to: next })
    }
}

#[cfg(test)]
mod tests {
    use super::BarrierState::*;
    use super::FaultKind::*;
    use super::*;

    const WITH_STATUS: Timing =
        Timing { has_status: true, confirm_ms: 3_000, assumed_open_ms: 10_000 };
    const NO_STATUS: Timing =
        Timing { has_status: false, confirm_ms: 3_000, assumed_open_ms: 10_000 };

    /// Runs `inputs` (input, time) from Closed at 0 and returns the state after each.
    fn run(timing: Timing, inputs: &[(Input, u64)]) -> Vec<BarrierState> {
        let mut m = Machine::new(timing, 0);
        inputs
            .iter()
            .map(|&(i, t)| {
                m.step(i, t);
                m.state()
            })
            .collect()
    }

    #[test]
    fn open_is_confirmed_by_the_status_input_then_closes() {
        let states = run(
            WITH_STATUS,
            &[
                (Input::OpenCommanded, 0),
                (Input::CommandWritten, 500),
                (Input::Status { open: false }, 600),
                (Input::Status { open: true }, 900),
                (Input::Tick, 20_000),
                (Input::Status { open: false }, 21_000),
            ],
        );
        assert_eq!(states, vec![Opening, Opening, Opening, Open, Open, Closed]);
    }

    #[test]
    fn unconfirmed_open_is_a_fault_and_a_later_open_clears_it() {
        let states = run(
            WITH_STATUS,
            &[
                (Input::OpenCommanded, 0),
                (Input::CommandWritten, 500),
                (Input::Tick, 2_999),
                (Input::Tick, 3_000),
                (Input::Status { open: false }, 3_500),
                (Input::OpenCommanded, 4_000),
                (Input::Status { open: true }, 4_600),
            ],
        );
        assert_eq!(
            states,
            vec![
                Opening,
                Opening,
                Opening,
                Fault(NotConfirmed),
                Fault(NotConfirmed),
                Opening,
                Open
            ]
        );
    }

    #[test]
    fn close_command_with_status() {
        let states = run(
            WITH_STATUS,
            &[
                (Input::Status { open: true }, 0),
                (Input::CloseCommanded, 10),
                (Input::CommandWritten, 500),
                (Input::Status { open: false }, 800),
            ],
        );
        assert_eq!(states, vec![Open, Closing, Closing, Closed]);
    }

    #[test]
    fn without_status_the_write_confirms_and_the_barrier_is_assumed_closed_later() {
        let states = run(
            NO_STATUS,
            &[
                (Input::OpenCommanded, 0),
                (Input::CommandWritten, 500),
                (Input::Tick, 5_000),
                (Input::Tick, 10_500),
            ],
        );
        assert_eq!(states, vec![Opening, Open, Open, Closed]);
    }

    #[test]
    fn a_second_open_extends_the_assumed_open_time() {
        let mut m = Machine::new(NO_STATUS, 0);
        m.step(Input::OpenCommanded, 0);
        m.step(Input::CommandWritten, 500);
        m.step(Input::OpenCommanded, 8_000);
        m.step(Input::Tick, 12_000);
        assert_eq!(m.state(), Open, "the second truck's pulse restarted the hold time");
        m.step(Input::Tick, 18_000);
        assert_eq!(m.state(), Closed);
    }

    #[test]
    fn plc_failure_from_any_state_and_recovery() {
        for start in [Closed, Open, Opening, Closing] {
            let mut m = Machine { timing: WITH_STATUS, state: start, since_ms: 0 };
            let tr = m.step(Input::PlcFailed, 10).unwrap();
            assert_eq!(tr, Transition { from: start, to: Fault(PlcUnreachable) });
        }
        let states = run(
            WITH_STATUS,
            &[
                (Input::PlcFailed, 0),
                (Input::Tick, 10_000),
                (Input::Status { open: false }, 11_000),
            ],
        );
        assert_eq!(states, vec![Fault(PlcUnreachable), Fault(PlcUnreachable), Closed]);
        let states = run(NO_STATUS, &[(Input::PlcFailed, 0), (Input::PlcAnswered, 1_000)]);
        assert_eq!(states, vec![Fault(PlcUnreachable), Closed]);
    }

    #[test]
    fn a_closed_status_does_not_clear_an_unconfirmed_open() {
        let mut m = Machine { timing: WITH_STATUS, state: Fault(NotConfirmed), since_ms: 0 };
        assert_eq!(m.step(Input::Status { open: false }, 100), None);
        assert_eq!(m.step(Input::PlcAnswered, 200), None);
        assert_eq!(m.state(), Fault(NotConfirmed));
    }

    #[test]
    fn transitions_report_only_changes() {
        let mut m = Machine::new(WITH_STATUS, 0);
        assert_eq!(m.step(Input::Status { open: false }, 1), None);
        assert_eq!(m.step(Input::OpenCommanded, 2), Some(Transition { from: Closed, to: Opening }));
        assert_eq!(m.step(Input::CommandWritten, 3), None);
    }
}
