//! A Modbus TCP barrier PLC: a tokio-modbus server [`Service`] with a barrier behind it.
//!
//! Behaviour (protocol addresses, 0-based):
//! - writing the open coil on (a rising edge) raises the status input `open_delay` later;
//! - the barrier falls back to closed `hold` after it opened (a truck passes, the loop
//!   detector lets it down), or at once `open_delay` after the close coil's rising edge;
//! - coils read back what was written; discrete inputs read the barrier status;
//! - faults can be injected at run time ([`Fault`]).
//!
//! The barrier's timing is evaluated lazily on each request from a monotonic clock, so the
//! simulator needs no background task and behaves the same under load.

use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_modbus::server::tcp::{Server, accept_tcp_connection};
use tokio_modbus::{ExceptionCode, Request, Response};

/// How many coils and discrete inputs the PLC has.
pub const POINTS: u16 = 256;

/// The PLC's wiring and timing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlcConfig {
    /// The coil that opens the barrier.
    pub open_coil: u16,
    /// The coil that closes it.
    pub close_coil: Option<u16>,
    /// The discrete input that is on while the barrier is open.
    pub status_input: u16,
    /// How long the arm takes to move.
    pub open_delay: Duration,
    /// How long the barrier stays open before it closes by itself.
    pub hold: Duration,
}

impl Default for PlcConfig {
    fn default() -> Self {
        Self {
            open_coil: 0,
            close_coil: Some(1),
            status_input: 0,
            open_delay: Duration::from_millis(200),
            hold: Duration::from_secs(5),
        }
    }
}

/// An injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// None: the PLC works.
    #[default]
    None,
    /// The PLC accepts connections but never answers (a hung controller).
    Silent,
    /// Every request gets a Modbus exception (server device failure).
    Exception,
    /// Commands are acknowledged but the barrier does not move (a locked or jammed arm).
    Jammed,
}

#[derive(Debug)]
struct State {
    config: PlcConfig,
    coils: Vec<bool>,
    open: bool,
    opens_at: Option<Instant>,
    closes_at: Option<Instant>,
    fault: Fault,
    open_pulses: u32,
    close_pulses: u32,
}

impl State {
    fn new(config: PlcConfig) -> Self {
        Self {
            config,
            coils: vec![false; usize::from(POINTS)],
            open: false,
            opens_at: None,
            closes_at: None,
            fault: Fault::None,
            open_pulses: 0,
            close_pulses: 0,
        }
    }

    /// Moves the barrier to where it is at `now`.
    fn settle(&mut self, now: Instant) {
        if let Some(at) = self.opens_at
            && at <= now
        {
            self.opens_at = None;
            self.open = true;
            self.closes_at = Some(at + self.config.hold);
        }
        if let Some(at) = self.closes_at
            && at <= now
        {
            self.closes_at = None;
            self.open = false;
        }
    }

    fn write_coil(&mut self, addr: u16, on: bool, now: Instant) {
        let rising = on && !self.coils[usize::from(addr)];
        self.coils[usize::from(addr)] = on;
        if !rising || self.fault == Fault::Jammed {
            return;
        }
        if addr == self.config.open_coil {
            self.open_pulses += 1;
            if self.open {
                // Already up: the new pulse restarts the hold time.
                self.closes_at = Some(now + self.config.hold);
            } else if self.opens_at.is_none() {
                self.opens_at = Some(now + self.config.open_delay);
            }
        } else if Some(addr) == self.config.close_coil {
            self.close_pulses += 1;
            self.opens_at = None;
            self.closes_at = Some(now + self.config.open_delay);
        }
    }

    fn input(&self, addr: u16) -> bool {
        addr == self.config.status_input && self.open
    }
}

fn range(addr: u16, count: u16) -> Result<std::ops::Range<u16>, ExceptionCode> {
    let end = addr
        .checked_add(count)
        .filter(|e| *e <= POINTS)
        .ok_or(ExceptionCode::IllegalDataAddress)?;
    Ok(addr..end)
}

/// The Modbus service over the shared PLC state.
#[derive(Debug, Clone)]
pub struct PlcService {
    state: Arc<Mutex<State>>,
}

impl PlcService {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn handle(&self, req: Request<'static>) -> Result<Option<Response>, ExceptionCode> {
        let now = Instant::now();
        let mut s = self.lock();
        match s.fault {
            Fault::Silent => return Ok(None),
            Fault::Exception => return Err(ExceptionCode::ServerDeviceFailure),
            Fault::None | Fault::Jammed => {}
        }
        s.settle(now);
        let response = match req {
            Request::ReadCoils(addr, n) => {
                Response::ReadCoils(range(addr, n)?.map(|a| s.coils[usize::from(a)]).collect())
            }
            Request::ReadDiscreteInputs(addr, n) => {
                Response::ReadDiscreteInputs(range(addr, n)?.map(|a| s.input(a)).collect())
            }
            Request::WriteSingleCoil(addr, on) => {
                range(addr, 1)?;
                s.write_coil(addr, on, now);
                Response::WriteSingleCoil(addr, on)
            }
            Request::WriteMultipleCoils(addr, values) => {
                range(
                    addr,
                    u16::try_from(values.len()).map_err(|_| ExceptionCode::IllegalDataValue)?,
                )?;
                for (i, on) in values.iter().enumerate() {
                    s.write_coil(addr + i as u16, *on, now);
                }
                Response::WriteMultipleCoils(addr, values.len() as u16)
            }
            _ => return Err(ExceptionCode::IllegalFunction),
        };
        Ok(Some(response))
    }
}

impl tokio_modbus::server::Service for PlcService {
    type Request = Request<'static>;
    type Response = Option<Response>;
    type Exception = ExceptionCode;
    type Future = Ready<Result<Self::Response, Self::Exception>>;

    fn call(&self, req: Self::Request) -> Self::Future {
        ready(self.handle(req))
    }
}

/// A running simulated PLC. Dropping it stops the server.
#[derive(Debug)]
pub struct PlcHandle {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl PlcHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Injects (or with [`Fault::None`] clears) a fault.
    pub fn set_fault(&self, fault: Fault) {
        self.lock().fault = fault;
    }

    /// Whether the barrier is open now.
    pub fn is_open(&self) -> bool {
        let mut s = self.lock();
        s.settle(Instant::now());
        s.open
    }

    /// A coil's value.
    pub fn coil(&self, addr: u16) -> bool {
        self.lock().coils[usize::from(addr)]
    }

    /// How many open pulses (rising edges of the open coil) were received.
    pub fn open_pulses(&self) -> u32 {
        self.lock().open_pulses
    }

    /// How many close pulses were received.
    pub fn close_pulses(&self) -> u32 {
        self.lock().close_pulses
    }

    /// Stops the server: new connections are refused; open ones are dropped.
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for PlcHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a PLC on `bind` (port 0 picks a free port).
pub async fn start(bind: SocketAddr, config: PlcConfig) -> std::io::Result<PlcHandle> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    let state = Arc::new(Mutex::new(State::new(config)));
    let service = PlcService { state: state.clone() };
    let server = Server::new(listener);
    let task = tokio::spawn(async move {
        let on_connected = move |stream, socket_addr| {
            let service = service.clone();
            async move { accept_tcp_connection(stream, socket_addr, move |_| Ok(Some(service.clone()))) }
        };
        let on_error = |e| tracing::warn!(error = %e, "PLC simulator connection failed");
        if let Err(e) = server.serve(&on_connected, on_error).await {
            tracing::error!(error = %e, "PLC simulator stopped");
        }
    });
    Ok(PlcHandle { addr, state, task })
}

#[cfg(test)]
mod tests {
    use tokio_modbus::client::{Reader as _, Writer as _, tcp};

    use super::*;

    fn fast() -> PlcConfig {
        PlcConfig {
            open_delay: Duration::from_millis(50),
            hold: Duration::from_millis(300),
            ..PlcConfig::default()
        }
    }

    #[tokio::test]
    async fn open_pulse_raises_status_then_it_falls_after_the_hold() {
        let plc = start("127.0.0.1:0".parse().unwrap(), fast()).await.unwrap();
        let mut ctx = tcp::connect(plc.addr()).await.unwrap();
        ctx.write_single_coil(0, true).await.unwrap().unwrap();
        ctx.write_single_coil(0, false).await.unwrap().unwrap();
        assert_eq!(ctx.read_discrete_inputs(0, 1).await.unwrap().unwrap(), vec![false], "not yet");
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert_eq!(ctx.read_discrete_inputs(0, 1).await.unwrap().unwrap(), vec![true], "opened");
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(
            ctx.read_discrete_inputs(0, 1).await.unwrap().unwrap(),
            vec![false],
            "closed after hold"
        );
        assert_eq!(plc.open_pulses(), 1);
    }

    #[tokio::test]
    async fn close_coil_closes_and_faults_are_injected() {
        let plc = start(
            "127.0.0.1:0".parse().unwrap(),
            PlcConfig { hold: Duration::from_secs(60), ..fast() },
        )
        .await
        .unwrap();
        let mut ctx = tcp::connect(plc.addr()).await.unwrap();
        ctx.write_single_coil(0, true).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(plc.is_open());
        ctx.write_single_coil(1, true).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(!plc.is_open());
        assert_eq!(
            ctx.read_coils(0, 2).await.unwrap().unwrap(),
            vec![true, true],
            "coils read back"
        );

        plc.set_fault(Fault::Exception);
        let err = ctx.read_coils(0, 1).await.unwrap().unwrap_err();
        assert_eq!(err, ExceptionCode::ServerDeviceFailure);

        plc.set_fault(Fault::Jammed);
        ctx.write_single_coil(0, false).await.unwrap().unwrap();
        ctx.write_single_coil(0, true).await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_millis(80)).await;
        assert!(!plc.is_open(), "a jammed arm does not move");

        plc.set_fault(Fault::Silent);
        let silent = tokio::time::timeout(Duration::from_millis(200), ctx.read_coils(0, 1)).await;
        assert!(silent.is_err(), "a silent PLC does not answer");
    }

    #[tokio::test]
    async fn out_of_range_addresses_get_an_exception() {
        let plc = start("127.0.0.1:0".parse().unwrap(), fast()).await.unwrap();
        let mut ctx = tcp::connect(plc.addr()).await.unwrap();
        let err = ctx.read_coils(POINTS - 1, 2).await.unwrap().unwrap_err();
        assert_eq!(err, ExceptionCode::IllegalDataAddress);
    }
}
