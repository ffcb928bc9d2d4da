//! Messages a gate sends after the handshake.
//!
//! Delivery (design §4.3): the gate writes each entry durably before it acts, then sends it in
//! a [`PassageBatch`], and the photos its records name as [`PhotoChunk`]s. The platform answers
//! with an acknowledgement of the highest seq whose entry *and* photos are durable; the gate
//! resends anything after that on the next connection. Sending an entry twice is harmless:
//! the platform skips seqs it already holds.

use platform_domain::ids::LaneId;

use super::{Body, wire_enum};
use crate::bytes::{DecodeError, EncodeError, Reader, Writer};
use crate::chain::{ENTRY_OVERHEAD, Entry};
use crate::record::{read_ident, read_uuid};
use crate::types::{CommandId, Hash, PayloadKind, UtcMicros};

/// The largest photo, in bytes (32 MiB). A photo is sent in chunks that each fit a frame.
pub const MAX_PHOTO_LEN: u64 = 32 * 1024 * 1024;

/// Chain entries in seq order: passages and key introductions. A batch of 500 typical
/// passages with their entry overhead is about 260 KiB, well inside a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageBatch {
    /// The entries, consecutive and in seq order.
    pub entries: Vec<Entry>,
}

/// A piece of a photo, identified by the SHA-256 its passage record names. The platform
/// assembles the pieces, checks the digest, stores the photo content-addressed, and only then
/// counts the passage as durable.
#[derive(Clone, PartialEq, Eq)]
pub struct PhotoChunk {
    /// SHA-256 of the whole photo.
    pub sha256: Hash,
    /// Size of the whole photo, at most [`MAX_PHOTO_LEN`].
    pub total_len: u64,
    /// Where this piece starts.
    pub offset: u64,
    /// The piece; `offset + data.len()` is at most `total_len`.
    pub data: Vec<u8>,
}

impl std::fmt::Debug for PhotoChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoChunk")
            .field("sha256", &self.sha256)
            .field("total_len", &self.total_len)
            .field("offset", &self.offset)
            .field("data_len", &self.data.len())
            .finish()
    }
}

/// The gate's periodic report, every `Welcome::heartbeat_secs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    /// The gate's clock.
    pub time: UtcMicros,
    /// The gate clock's offset (gate minus reference, microseconds), from NTP or the handshake.
    pub clock_offset_us: i64,
    /// The gate agent's software version.
    pub software_version: String,
    /// Entries written but not yet acknowledged.
    pub outbox_entries: u64,
    /// Bytes of photos not yet acknowledged.
    pub outbox_photo_bytes: u64,
    /// The gate's chain head seq.
    pub head_seq: u64,
    /// Seconds since the agent started.
    pub uptime_secs: u64,
    /// Each device's health.
    pub devices: Vec<DeviceHealth>,
    /// The versions of lists, rules and alert the gate applies now.
    pub config: Vec<ConfigVersion>,
}

/// One device's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceHealth {
    /// The device, as configured at the gate (`lane1.camera.front`).
    pub device: String,
    /// What kind of device.
    pub kind: DeviceKind,
    /// How it is.
    pub status: HealthStatus,
    /// Details for the status page (last error, firmware).
    pub detail: String,
}

wire_enum! {
    /// What kind of device a health report is about.
    DeviceKind {
        /// 1: ANPR camera.
        Camera = 1,
        /// 2: barrier PLC or relay module.
        BarrierPlc = 2,
        /// 3: weighbridge indicator.
        Weighbridge = 3,
        /// 4: network video recorder.
        Nvr = 4,
        /// 5: the agent's own disk.
        Disk = 5,
        /// 6: the agent's clock synchronisation.
        Clock = 6,
    }
}

wire_enum! {
    /// A device's health.
    HealthStatus {
        /// 1: working.
        Ok = 1,
        /// 2: working with problems (retries, slow answers, skew).
        Degraded = 2,
        /// 3: not working.
        Down = 3,
    }
}

/// A barrier moved or failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarrierState {
    /// The lane whose barrier it is.
    pub lane: LaneId,
    /// Where the barrier is now.
    pub position: BarrierPosition,
    /// When it got there, by the gate's clock.
    pub time: UtcMicros,
    /// The platform command that moved it, if one did.
    pub command: Option<CommandId>,
    /// Details (a PLC error, a fault code).
    pub detail: String,
}

wire_enum! {
    /// Where a barrier is.
    BarrierPosition {
        /// 1: closed.
        Closed = 1,
        /// 2: opening.
        Opening = 2,
        /// 3: open.
        Open = 3,
        /// 4: closing.
        Closing = 4,
        /// 5: the PLC reports a fault or does not answer.
        Fault = 5,
    }
}

/// What became of a platform command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandResult {
    /// The command.
    pub command: CommandId,
    /// What happened.
    pub outcome: CommandOutcome,
    /// When, by the gate's clock.
    pub time: UtcMicros,
    /// The seq of the passage record the command produced, if it produced one.
    pub passage_seq: Option<u64>,
    /// Details (why it was refused or failed).
    pub detail: String,
}

wire_enum! {
    /// What became of a command.
    CommandOutcome {
        /// 1: done.
        Executed = 1,
        /// 2: it arrived after its expiry and was not executed.
        Expired = 2,
        /// 3: the gate refused it (a bureau blacklist cannot be overridden, for example).
        Refused = 3,
        /// 4: the gate tried and the device failed.
        Failed = 4,
    }
}

/// The version of one kind of downlink payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigVersion {
    /// Which payload ([`super::kinds`]).
    pub kind: PayloadKind,
    /// Its version.
    pub version: u64,
}

impl ConfigVersion {
    pub(super) fn write(&self, w: &mut Writer) {
        w.str("config.kind", self.kind.as_str());
        w.u64(self.version);
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            kind: read_ident(r, "config.kind", PayloadKind::parse)?,
            version: r.u64("config.version")?,
        })
    }
}

impl PassageBatch {
    /// The most entries a batch carries: enough to drain a backlog quickly, few enough that
    /// one batch is verified and stored in one short transaction.
    pub const MAX_ENTRIES: usize = 500;

    /// Splits `entries`, in order, into batches that each hold at most
    /// [`PassageBatch::MAX_ENTRIES`] and fit one frame.
    pub fn pack(entries: Vec<Entry>) -> Vec<Self> {
        let mut batches = Vec::new();
        let mut current = Vec::new();
        let mut size = 4; // the entry count
        for entry in entries {
            let len = ENTRY_OVERHEAD + entry.record.len();
            if !current.is_empty()
                && (current.len() == Self::MAX_ENTRIES || size + len > super::MAX_BODY_LEN)
            {
                batches.push(Self { entries: std::mem::take(&mut current) });
                size = 4;
            }
            size += len;
            current.push(entry);
        }
        if !current.is_empty() {
            batches.push(Self { entries: current });
        }
        batches
    }
}

/// The recommended size of a photo piece (256 KiB): over a single TCP stream, a heartbeat or a
/// passage never waits long behind a photo.
pub const PHOTO_PIECE_LEN: usize = 256 * 1024;

/// Bytes of a [`PhotoChunk`] body other than its data.
const PHOTO_CHUNK_OVERHEAD: usize = 32 + 8 + 8 + 4;

impl PhotoChunk {
    /// Cuts a photo into pieces of at most `piece_len` bytes (limited to what fits a frame).
    /// An empty photo gives one empty piece, so that the platform still learns of it.
    pub fn split(photo: &[u8], piece_len: usize) -> Result<Vec<Self>, EncodeError> {
        let total_len = photo.len() as u64;
        if total_len > MAX_PHOTO_LEN {
            return Err(EncodeError::TooLarge {
                field: "photo",
                len: total_len,
                max: MAX_PHOTO_LEN,
            });
        }
        let sha256 = Hash::of(photo);
        let piece_len = piece_len.clamp(1, super::MAX_BODY_LEN - PHOTO_CHUNK_OVERHEAD);
        if photo.is_empty() {
            return Ok(vec![Self { sha256, total_len, offset: 0, data: Vec::new() }]);
        }
        Ok(photo
            .chunks(piece_len)
            .enumerate()
            .map(|(i, data)| Self {
                sha256,
                total_len,
                offset: (i * piece_len) as u64,
                data: data.to_vec(),
            })
            .collect())
    }
}

impl Body for PassageBatch {
    const TAG: u16 = 0x0101;

    fn write(&self, w: &mut Writer) {
        w.list("batch.entries", &self.entries, |w, e| e.write(w));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { entries: r.list("batch.entries", ENTRY_OVERHEAD, Entry::read)? })
    }
}

impl Body for PhotoChunk {
    const TAG: u16 = 0x0102;

    fn write(&self, w: &mut Writer) {
        if let Err(reason) = check_chunk(self.total_len, self.offset, self.data.len()) {
            w.fail(EncodeError::Invalid { field: "photo", reason });
        }
        w.raw(&self.sha256.0);
        w.u64(self.total_len);
        w.u64(self.offset);
        w.bytes("photo.data", &self.data);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let sha256 = Hash(r.array("photo.sha256")?);
        let total_len = r.u64("photo.total_len")?;
        let offset = r.u64("photo.offset")?;
        let data = r.bytes("photo.data")?;
        check_chunk(total_len, offset, data.len())
            .map_err(|reason| DecodeError::Invalid { field: "photo", reason })?;
        Ok(Self { sha256, total_len, offset, data: data.to_vec() })
    }
}

fn check_chunk(total_len: u64, offset: u64, len: usize) -> Result<(), &'static str> {
    if total_len > MAX_PHOTO_LEN {
        return Err("photo larger than 32 MiB");
    }
    match offset.checked_add(len as u64) {
        Some(end) if end <= total_len => Ok(()),
        _ => Err("chunk ends beyond the photo's total length"),
    }
}

impl Body for Heartbeat {
    const TAG: u16 = 0x0103;

    fn write(&self, w: &mut Writer) {
        w.i64(self.time.0);
        w.i64(self.clock_offset_us);
        w.str("heartbeat.software_version", &self.software_version);
        w.u64(self.outbox_entries);
        w.u64(self.outbox_photo_bytes);
        w.u64(self.head_seq);
        w.u64(self.uptime_secs);
        w.list("heartbeat.devices", &self.devices, |w, d| {
            w.str("heartbeat.devices.device", &d.device);
            w.u8(d.kind.to_u8());
            w.u8(d.status.to_u8());
            w.str("heartbeat.devices.detail", &d.detail);
        });
        w.list("heartbeat.config", &self.config, |w, c| c.write(w));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            time: UtcMicros(r.i64("heartbeat.time")?),
            clock_offset_us: r.i64("heartbeat.clock_offset_us")?,
            software_version: r.str("heartbeat.software_version")?.to_owned(),
            outbox_entries: r.u64("heartbeat.outbox_entries")?,
            outbox_photo_bytes: r.u64("heartbeat.outbox_photo_bytes")?,
            head_seq: r.u64("heartbeat.head_seq")?,
            uptime_secs: r.u64("heartbeat.uptime_secs")?,
            devices: r.list("heartbeat.devices", 10, |r| {
                Ok(DeviceHealth {
                    device: r.str("heartbeat.devices.device")?.to_owned(),
                    kind: DeviceKind::from_u8(r.u8("heartbeat.devices.kind")?),
                    status: HealthStatus::from_u8(r.u8("heartbeat.devices.status")?),
                    detail: r.str("heartbeat.devices.detail")?.to_owned(),
                })
            })?,
            config: r.list("heartbeat.config", 13, ConfigVersion::read)?,
        })
    }
}

impl Body for BarrierState {
    const TAG: u16 = 0x0104;

    fn write(&self, w: &mut Writer) {
        w.raw(self.lane.as_bytes());
        w.u8(self.position.to_u8());
        w.i64(self.time.0);
        w.option(self.command.as_ref(), |w, c| w.raw(c.as_bytes()));
        w.str("barrier.detail", &self.detail);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            lane: LaneId::from_uuid(read_uuid(r, "barrier.lane")?),
            position: BarrierPosition::from_u8(r.u8("barrier.position")?),
            time: UtcMicros(r.i64("barrier.time")?),
            command: r.option("barrier.command", |r| {
                read_uuid(r, "barrier.command").map(CommandId::from_uuid)
            })?,
            detail: r.str("barrier.detail")?.to_owned(),
        })
    }
}

impl Body for CommandResult {
    const TAG: u16 = 0x0105;

    fn write(&self, w: &mut Writer) {
        w.raw(self.command.as_bytes());
        w.u8(self.outcome.to_u8());
        w.i64(self.time.0);
        w.option(self.passage_seq.as_ref(), |w, s| w.u64(*s));
        w.str("command_result.detail", &self.detail);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            command: CommandId::from_uuid(read_uuid(r, "command_result.command")?),
            outcome: CommandOutcome::from_u8(r.u8("command_result.outcome")?),
            time: UtcMicros(r.i64("command_result.time")?),
            passage_seq: r
                .option("command_result.passage_seq", |r| r.u64("command_result.passage_seq"))?,
            detail: r.str("command_result.detail")?.to_owned(),
        })
    }
}
