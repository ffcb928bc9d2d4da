//! Passages, the head of each gate's chain, corrections and per-record upload status.
//!
//! A passage is never edited. Ingest appends a gate's records in order inside one
//! transaction: it locks the gate's head row, accepts a record only when its seq is
//! head + 1 and its `prev_hash` equals the head's hash, inserts the rows, and advances the
//! head. A record at or below the head is a replay: harmless when its hash equals the stored
//! one, a fork otherwise. On PostgreSQL the passage table is partitioned by month, so a
//! unique index cannot cover (gate, seq) or the passage id across partitions: the head row
//! keeps (gate, seq) unique and the unpartitioned `passage_index` keeps passage ids unique.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use platform_domain::ids::TenantId;
use sea_query::{Expr, ExprTrait, Iden, LockType, OnConflict, Order, Query};
use serde::Serialize;
use uuid::Uuid;

use super::{Conn, Db, Tx, now};

#[derive(Iden)]
enum GateHeads {
    Table,
    TenantId,
    GateId,
    LastSeq,
    LastHash,
    UpdatedAt,
}

#[derive(Iden)]
enum Passages {
    Table,
    TenantId,
    GateId,
    Seq,
    PassageId,
    OccurredAt,
    ReceivedAt,
    ClockOffsetMs,
    LaneId,
    Direction,
    Plate,
    PlateColour,
    VehicleId,
    LedgerKind,
    VehicleClass,
    Stage,
    Fuel,
    Vin,
    Decision,
    ReasonCode,
    RuleVersion,
    Operator,
    ReleaseReason,
    CargoName,
    CargoType,
    CargoQuantity,
    CargoUnit,
    WeightKg,
    PhotoCount,
    Record,
    Hash,
    Signature,
}

#[derive(Iden)]
enum PassageIndex {
    Table,
    TenantId,
    PassageId,
    GateId,
    Seq,
    OccurredAt,
}

/// A passage as stored: the denormalised columns reports and searches use, plus the
/// canonical record bytes, their chain hash and the gate's signature.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PassageRow {
    /// The gate that recorded it.
    pub gate_id: Uuid,
    /// Its place in the gate's chain, from 1.
    pub seq: i64,
    /// The event id the gate gave it (UUIDv7).
    pub passage_id: Uuid,
    /// When the vehicle crossed (UTC, the gate's clock).
    pub occurred_at: DateTime<Utc>,
    /// When the platform stored it.
    pub received_at: DateTime<Utc>,
    /// The gate's clock offset at the time, in milliseconds.
    pub clock_offset_ms: i32,
    /// The lane.
    pub lane_id: Option<Uuid>,
    /// `entry` or `exit`.
    pub direction: String,
    /// Plate as read (normalised), if any.
    pub plate: Option<String>,
    /// Plate colour.
    pub plate_colour: Option<String>,
    /// The registered vehicle it matched.
    pub vehicle_id: Option<Uuid>,
    /// Ledger kind of that vehicle.
    pub ledger_kind: Option<String>,
    /// Class of that vehicle.
    pub vehicle_class: Option<String>,
    /// Emission stage.
    pub stage: Option<String>,
    /// Fuel.
    pub fuel: Option<String>,
    /// VIN.
    pub vin: Option<String>,
    /// Decision identifier (admitted, denied, needs review, manual release).
    pub decision: String,
    /// Reason code identifier.
    pub reason_code: String,
    /// Version of the rule set that decided.
    pub rule_version: Option<i64>,
    /// The operator of a manual release.
    pub operator: Option<String>,
    /// The reason given for a manual release.
    pub release_reason: Option<String>,
    /// Cargo name.
    pub cargo_name: Option<String>,
    /// Cargo type.
    pub cargo_type: Option<String>,
    /// Cargo quantity.
    pub cargo_quantity: Option<f64>,
    /// Cargo unit.
    pub cargo_unit: Option<String>,
    /// Weighed mass in kilograms.
    pub weight_kg: Option<f64>,
    /// Number of photos the record names.
    pub photo_count: i32,
    /// The canonical bytes of the record.
    pub record: Vec<u8>,
    /// SHA-256(prev_hash || record).
    pub hash: Vec<u8>,
    /// The gate's Ed25519 signature.
    pub signature: Vec<u8>,
}

const PASSAGE_COLUMNS: [Passages; 30] = [
    Passages::GateId,
    Passages::Seq,
    Passages::PassageId,
    Passages::OccurredAt,
    Passages::ReceivedAt,
    Passages::ClockOffsetMs,
    Passages::LaneId,
    Passages::Direction,
    Passages::Plate,
    Passages::PlateColour,
    Passages::VehicleId,
    Passages::LedgerKind,
    Passages::VehicleClass,
    Passages::Stage,
    Passages::Fuel,
    Passages::Vin,
    Passages::Decision,
    Passages::ReasonCode,
    Passages::RuleVersion,
    Passages::Operator,
    Passages::ReleaseReason,
    Passages::CargoName,
    Passages::CargoType,
    Passages::CargoQuantity,
    Passages::CargoUnit,
    Passages::WeightKg,
    Passages::PhotoCount,
    Passages::Record,
    Passages::Hash,
    Passages::Signature,
];

fn passage_values(t: TenantId, p: &PassageRow) -> Vec<sea_query::Expr> {
    vec![
        p.gate_id.into(),
        p.seq.into(),
        p.passage_id.into(),
        p.occurred_at.into(),
        p.received_at.into(),
        p.clock_offset_ms.into(),
        p.lane_id.into(),
        p.direction.clone().into(),
        p.plate.clone().into(),
        p.plate_colour.clone().into(),
        p.vehicle_id.into(),
        p.ledger_kind.clone().into(),
        p.vehicle_class.clone().into(),
        p.stage.clone().into(),
        p.fuel.clone().into(),
        p.vin.clone().into(),
        p.decision.clone().into(),
        p.reason_code.clone().into(),
        p.rule_version.into(),
        p.operator.clone().into(),
        p.release_reason.clone().into(),
        p.cargo_name.clone().into(),
        p.cargo_type.clone().into(),
        p.cargo_quantity.into(),
        p.cargo_unit.clone().into(),
        p.weight_kg.into(),
        p.photo_count.into(),
        p.record.clone().into(),
        p.hash.clone().into(),
        p.signature.clone().into(),
        Uuid::from(t).into(),
    ]
}

/// A passage to append, with the hash its chain link claims to follow.
#[derive(Debug, Clone)]
pub struct ChainedPassage {
    /// The row to store.
    pub row: PassageRow,
    /// The hash of the record before it (the genesis value for seq 1).
    pub prev_hash: Vec<u8>,
}

/// Why a run of records stopped being accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// A seq was skipped: `expected` was due, `got` came.
    Gap {
        /// The seq that was due.
        expected: i64,
        /// The seq that came.
        got: i64,
    },
    /// A record does not follow the stored chain: a different record at an existing seq,
    /// or a `prev_hash` that is not the head's hash.
    Fork {
        /// The seq concerned.
        seq: i64,
    },
    /// A passage id already stored under another (gate, seq).
    DuplicateId {
        /// The id.
        passage_id: Uuid,
    },
}

/// What an append did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The head after the append: every seq up to it is stored.
    pub head_seq: i64,
    /// Records newly stored.
    pub inserted: usize,
    /// Records that were already stored, identical (replays).
    pub replayed: usize,
    /// Why the rest of the batch was refused, if it was.
    pub broke: Option<ChainBreak>,
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    last_seq: i64,
    last_hash: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct HashRow {
    hash: Vec<u8>,
}

#[derive(sqlx::FromRow)]
struct IdRow {
    passage_id: Uuid,
}

/// The head of a gate's chain: (last seq, last hash), or `None` before its first record.
pub async fn head(
    c: &mut impl Conn,
    t: TenantId,
    gate: Uuid,
) -> Result<Option<(i64, Vec<u8>)>, sqlx::Error> {
    let stmt = Query::select()
        .columns([GateHeads::LastSeq, GateHeads::LastHash])
        .from(GateHeads::Table)
        .and_where(Expr::col(GateHeads::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(GateHeads::GateId).eq(gate))
        .to_owned();
    Ok(c.fetch_optional::<HeadRow>(&stmt).await?.map(|h| (h.last_seq, h.last_hash)))
}

/// Appends a gate's records in order. Stops at the first record that breaks the chain and
/// reports why; the records before it are appended. The caller commits the transaction
/// (and must have called [`ensure_partitions`] for the records' months before beginning it).
pub async fn append(
    tx: &mut Tx,
    t: TenantId,
    gate: Uuid,
    genesis: &[u8],
    batch: &[ChainedPassage],
) -> Result<Appended, sqlx::Error> {
    let tenant = Uuid::from(t);
    // Make sure the head exists, then lock it for the rest of the transaction.
    let create = Query::insert()
        .into_table(GateHeads::Table)
        .columns([
            GateHeads::TenantId,
            GateHeads::GateId,
            GateHeads::LastSeq,
            GateHeads::LastHash,
            GateHeads::UpdatedAt,
        ])
        .values_panic([
            tenant.into(),
            gate.into(),
            0i64.into(),
            genesis.to_vec().into(),
            now().into(),
        ])
        .on_conflict(
            OnConflict::columns([GateHeads::TenantId, GateHeads::GateId]).do_nothing().to_owned(),
        )
        .to_owned();
    tx.execute(&create).await?;
    let lock = Query::select()
        .columns([GateHeads::LastSeq, GateHeads::LastHash])
        .from(GateHeads::Table)
        .and_where(Expr::col(GateHeads::TenantId).eq(tenant))
        .and_where(Expr::col(GateHeads::GateId).eq(gate))
        .lock(LockType::Update)
        .to_owned();
    let HeadRow { mut last_seq, mut last_hash } = tx.fetch_one(&lock).await?;

    let mut accepted: Vec<&ChainedPassage> = Vec::new();
    let mut replayed = 0;
    let mut broke = None;
    for p in batch {
        let seq = p.row.seq;
        if seq <= last_seq {
            // Either already in this batch's accepted part, or stored before.
            let stored = match accepted.iter().find(|a| a.row.seq == seq) {
                Some(a) => Some(a.row.hash.clone()),
                None => stored_hash(tx, t, gate, seq).await?,
            };
            if stored.as_deref() == Some(p.row.hash.as_slice()) {
                replayed += 1;
                continue;
            }
            broke = Some(ChainBreak::Fork { seq });
            break;
        }
        if seq != last_seq + 1 {
            broke = Some(ChainBreak::Gap { expected: last_seq + 1, got: seq });
            break;
        }
        if p.prev_hash != last_hash {
            broke = Some(ChainBreak::Fork { seq });
            break;
        }
        accepted.push(p);
        last_seq = seq;
        last_hash = p.row.hash.clone();
    }

    // Passage ids must be new across all partitions.
    if !accepted.is_empty() {
        let ids: Vec<Uuid> = accepted.iter().map(|p| p.row.passage_id).collect();
        let mut seen = HashSet::new();
        if let Some(dup) = ids.iter().find(|id| !seen.insert(**id)) {
            let cut = accepted.iter().position(|p| p.row.passage_id == *dup).unwrap_or(0);
            let dup = *dup;
            let second = accepted
                .iter()
                .skip(cut + 1)
                .position(|p| p.row.passage_id == dup)
                .map(|i| i + cut + 1);
            accepted.truncate(second.unwrap_or(cut));
            broke = Some(ChainBreak::DuplicateId { passage_id: dup });
        }
        let existing = Query::select()
            .column(PassageIndex::PassageId)
            .from(PassageIndex::Table)
            .and_where(Expr::col(PassageIndex::TenantId).eq(tenant))
            .and_where(Expr::col(PassageIndex::PassageId).is_in(ids))
            .to_owned();
        let existing: Vec<IdRow> = tx.fetch_all(&existing).await?;
        if let Some(first) =
            accepted.iter().position(|p| existing.iter().any(|e| e.passage_id == p.row.passage_id))
        {
            broke = Some(ChainBreak::DuplicateId { passage_id: accepted[first].row.passage_id });
            accepted.truncate(first);
        }
        if let Some(last) = accepted.last() {
            last_seq = last.row.seq;
            last_hash = last.row.hash.clone();
        } else {
            let (s, h) = head(tx, t, gate).await?.unwrap_or((0, genesis.to_vec()));
            last_seq = s;
            last_hash = h;
        }
    }

    for chunk in accepted.chunks(500) {
        let mut insert = Query::insert();
        insert
            .into_table(Passages::Table)
            .columns(PASSAGE_COLUMNS.into_iter().chain([Passages::TenantId]));
        let mut index = Query::insert();
        index.into_table(PassageIndex::Table).columns([
            PassageIndex::TenantId,
            PassageIndex::PassageId,
            PassageIndex::GateId,
            PassageIndex::Seq,
            PassageIndex::OccurredAt,
        ]);
        for p in chunk {
            insert.values_panic(passage_values(t, &p.row));
            index.values_panic([
                tenant.into(),
                p.row.passage_id.into(),
                gate.into(),
                p.row.seq.into(),
                p.row.occurred_at.into(),
            ]);
        }
        tx.execute(&insert).await?;
        tx.execute(&index).await?;
    }
    if !accepted.is_empty() {
        let advance = Query::update()
            .table(GateHeads::Table)
            .value(GateHeads::LastSeq, last_seq)
            .value(GateHeads::LastHash, last_hash)
            .value(GateHeads::UpdatedAt, now())
            .and_where(Expr::col(GateHeads::TenantId).eq(tenant))
            .and_where(Expr::col(GateHeads::GateId).eq(gate))
            .to_owned();
        tx.execute(&advance).await?;
    }
    Ok(Appended { head_seq: last_seq, inserted: accepted.len(), replayed, broke })
}

async fn stored_hash(
    c: &mut impl Conn,
    t: TenantId,
    gate: Uuid,
    seq: i64,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let stmt = Query::select()
        .column(Passages::Hash)
        .from(Passages::Table)
        .and_where(Expr::col(Passages::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Passages::GateId).eq(gate))
        .and_where(Expr::col(Passages::Seq).eq(seq))
        .to_owned();
    Ok(c.fetch_optional::<HashRow>(&stmt).await?.map(|r| r.hash))
}

fn select_passages() -> sea_query::SelectStatement {
    Query::select().columns(PASSAGE_COLUMNS).from(Passages::Table).to_owned()
}

/// One passage by id, found through the passage index (which names its partition).
pub async fn find(
    c: &mut impl Conn,
    t: TenantId,
    passage_id: Uuid,
) -> Result<Option<PassageRow>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Where {
        gate_id: Uuid,
        seq: i64,
        occurred_at: DateTime<Utc>,
    }
    let stmt = Query::select()
        .columns([PassageIndex::GateId, PassageIndex::Seq, PassageIndex::OccurredAt])
        .from(PassageIndex::Table)
        .and_where(Expr::col(PassageIndex::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(PassageIndex::PassageId).eq(passage_id))
        .to_owned();
    let Some(w) = c.fetch_optional::<Where>(&stmt).await? else { return Ok(None) };
    let stmt = select_passages()
        .and_where(Expr::col(Passages::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Passages::GateId).eq(w.gate_id))
        .and_where(Expr::col(Passages::Seq).eq(w.seq))
        .and_where(Expr::col(Passages::OccurredAt).eq(w.occurred_at))
        .to_owned();
    c.fetch_optional(&stmt).await
}

/// A gate's passages with seq in `from..=to`, in order.
pub async fn list_chain(
    c: &mut impl Conn,
    t: TenantId,
    gate: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<PassageRow>, sqlx::Error> {
    let stmt = select_passages()
        .and_where(Expr::col(Passages::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Passages::GateId).eq(gate))
        .and_where(Expr::col(Passages::Seq).between(from, to))
        .order_by(Passages::Seq, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

/// The first day of the month `at` falls in, and of the next month.
fn month_bounds(at: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    let start = NaiveDate::from_ymd_opt(at.year(), at.month(), 1).expect("valid month start");
    let next = if at.month() == 12 {
        NaiveDate::from_ymd_opt(at.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(at.year(), at.month() + 1, 1)
    }
    .expect("valid month start");
    (start, next)
}

static KNOWN_PARTITIONS: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// Creates, on PostgreSQL, the monthly passage partitions that times in `times` fall in
/// (a no-op on SQLite, and for partitions this process already made sure of). Runs outside
/// any ingest transaction so the catalog lock is short.
pub async fn ensure_partitions(
    db: &Db,
    times: impl IntoIterator<Item = DateTime<Utc>>,
) -> Result<(), sqlx::Error> {
    let Db::Postgres(pool) = db else { return Ok(()) };
    let database = pool.connect_options().get_database().unwrap_or("").to_owned();
    let mut months: Vec<(NaiveDate, NaiveDate)> = times.into_iter().map(month_bounds).collect();
    months.sort();
    months.dedup();
    for (start, next) in months {
        let name = format!("passages_y{:04}m{:02}", start.year(), start.month());
        let key = format!("{database}/{name}");
        let known = KNOWN_PARTITIONS
            .lock()
            .expect("partition cache")
            .get_or_insert_with(HashSet::new)
            .contains(&key);
        if known {
            continue;
        }
        let sql = format!(
            "create table if not exists {name} partition of passages for values from ('{start}') to ('{next}')"
        );
        let mut db = db.clone();
        match db.execute_pg_ddl(sql).await {
            Ok(()) => {}
            // Another platform process created it at the same moment.
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("42P07") || e.code().as_deref() == Some("23505") => {
            }
            Err(e) => return Err(e),
        }
        KNOWN_PARTITIONS
            .lock()
            .expect("partition cache")
            .get_or_insert_with(HashSet::new)
            .insert(key);
    }
    Ok(())
}

// ---------------------------------------------------------------------------- corrections

#[derive(Iden)]
enum Corrections {
    Table,
    TenantId,
    Id,
    PassageId,
    GateId,
    Seq,
    Field,
    OldValue,
    NewValue,
    Reason,
    CorrectedBy,
    CorrectedByName,
    CorrectedAt,
    Record,
    Signature,
}

/// A correction: a new record that references a passage, with who, when and why. The
/// passage itself is never changed.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CorrectionRow {
    /// Id.
    pub id: Uuid,
    /// The passage corrected.
    pub passage_id: Uuid,
    /// Its gate.
    pub gate_id: Uuid,
    /// Its seq.
    pub seq: i64,
    /// The field corrected (`plate`, `cargo_quantity`, …).
    pub field: String,
    /// The value before.
    pub old_value: Option<String>,
    /// The value after.
    pub new_value: Option<String>,
    /// Why.
    pub reason: String,
    /// Who.
    pub corrected_by: Option<Uuid>,
    /// Their name at the time.
    pub corrected_by_name: String,
    /// When.
    pub corrected_at: DateTime<Utc>,
    /// The platform-signed record of the correction, once signed.
    pub record: Option<Vec<u8>>,
    /// The platform's signature over it.
    pub signature: Option<Vec<u8>>,
}

const CORRECTION_COLUMNS: [Corrections; 13] = [
    Corrections::Id,
    Corrections::PassageId,
    Corrections::GateId,
    Corrections::Seq,
    Corrections::Field,
    Corrections::OldValue,
    Corrections::NewValue,
    Corrections::Reason,
    Corrections::CorrectedBy,
    Corrections::CorrectedByName,
    Corrections::CorrectedAt,
    Corrections::Record,
    Corrections::Signature,
];

/// Stores a correction.
pub async fn insert_correction(
    c: &mut impl Conn,
    t: TenantId,
    r: &CorrectionRow,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(Corrections::Table)
        .columns([Corrections::TenantId].into_iter().chain(CORRECTION_COLUMNS))
        .values_panic([
            Uuid::from(t).into(),
            r.id.into(),
            r.passage_id.into(),
            r.gate_id.into(),
            r.seq.into(),
            r.field.clone().into(),
            r.old_value.clone().into(),
            r.new_value.clone().into(),
            r.reason.clone().into(),
            r.corrected_by.into(),
            r.corrected_by_name.clone().into(),
            r.corrected_at.into(),
            r.record.clone().into(),
            r.signature.clone().into(),
        ])
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// The corrections of a passage, oldest first.
pub async fn list_corrections(
    c: &mut impl Conn,
    t: TenantId,
    passage_id: Uuid,
) -> Result<Vec<CorrectionRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns(CORRECTION_COLUMNS)
        .from(Corrections::Table)
        .and_where(Expr::col(Corrections::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(Corrections::PassageId).eq(passage_id))
        .order_by(Corrections::CorrectedAt, Order::Asc)
        .order_by(Corrections::Id, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}

// ---------------------------------------------------------------------------- uploads

#[derive(Iden)]
enum UploadStatus {
    Table,
    TenantId,
    PassageId,
    Target,
    Status,
    Attempts,
    LastError,
    LastAttemptAt,
    AckedAt,
    Receipt,
}

/// The upload state of one passage to one regulator platform.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UploadRow {
    /// The passage.
    pub passage_id: Uuid,
    /// The regulator adapter.
    pub target: String,
    /// `pending`, `sent`, `acked` or `failed`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// The last error, if the last attempt failed.
    pub last_error: Option<String>,
    /// When the last attempt was made.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// When the regulator acknowledged it.
    pub acked_at: Option<DateTime<Utc>>,
    /// The regulator's receipt.
    pub receipt: Option<String>,
}

/// Records the outcome of an upload attempt (creating the row on the first one).
pub async fn record_upload(
    c: &mut impl Conn,
    t: TenantId,
    u: &UploadRow,
) -> Result<(), sqlx::Error> {
    let stmt = Query::insert()
        .into_table(UploadStatus::Table)
        .columns([
            UploadStatus::TenantId,
            UploadStatus::PassageId,
            UploadStatus::Target,
            UploadStatus::Status,
            UploadStatus::Attempts,
            UploadStatus::LastError,
            UploadStatus::LastAttemptAt,
            UploadStatus::AckedAt,
            UploadStatus::Receipt,
        ])
        .values_panic([
            Uuid::from(t).into(),
            u.passage_id.into(),
            u.target.clone().into(),
            u.status.clone().into(),
            u.attempts.into(),
            u.last_error.clone().into(),
            u.last_attempt_at.into(),
            u.acked_at.into(),
            u.receipt.clone().into(),
        ])
        .on_conflict(
            OnConflict::columns([
                UploadStatus::TenantId,
                UploadStatus::PassageId,
                UploadStatus::Target,
            ])
            .update_columns([
                UploadStatus::Status,
                UploadStatus::Attempts,
                UploadStatus::LastError,
                UploadStatus::LastAttemptAt,
                UploadStatus::AckedAt,
                UploadStatus::Receipt,
            ])
            .to_owned(),
        )
        .to_owned();
    c.execute(&stmt).await.map(drop)
}

/// The upload rows of a passage.
pub async fn list_uploads(
    c: &mut impl Conn,
    t: TenantId,
    passage_id: Uuid,
) -> Result<Vec<UploadRow>, sqlx::Error> {
    let stmt = Query::select()
        .columns([
            UploadStatus::PassageId,
            UploadStatus::Target,
            UploadStatus::Status,
            UploadStatus::Attempts,
            UploadStatus::LastError,
            UploadStatus::LastAttemptAt,
            UploadStatus::AckedAt,
            UploadStatus::Receipt,
        ])
        .from(UploadStatus::Table)
        .and_where(Expr::col(UploadStatus::TenantId).eq(Uuid::from(t)))
        .and_where(Expr::col(UploadStatus::PassageId).eq(passage_id))
        .order_by(UploadStatus::Target, Order::Asc)
        .to_owned();
    c.fetch_all(&stmt).await
}
