//! The gate's local store: one SQLite file (`gate.db`, WAL, `synchronous = FULL`) and the
//! photos as files next to it.
//!
//! Invariants:
//! - **Durable before acknowledged.** [`Store::record_event`] returns only after the photos
//!   are written and fsynced (file and directory) and the rows are committed (the WAL is
//!   fsynced at commit with `synchronous = FULL`). The camera's HTTP answer waits for it.
//! - **All or nothing.** The rows of one event are written in one transaction. Photos are
//!   written first, under content-addressed names (`photos/ab/<sha256>.jpg`, via a temporary
//!   file and a rename), so a crash between the two leaves at most an unreferenced photo,
//!   never a row pointing at a missing or partial file.
//! - **Recorded once.** Duplicate detection and the insert happen under the single writer,
//!   so two copies of one push arriving together cannot both be recorded.
//! - **Append-only.** Camera events, duplicates and alarms are inserted, never updated.
//!
//! The schema lives in `gate-agent/migrations`, applied at open. The passages table, the
//! outbox and the cached rules of later issues are further migrations in the same folder.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, Utc};
use platform_domain::codes::PlateColour;
use serde::Serialize;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Row, SqliteConnection};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::camera::{Photo, ReceivedEvent};

/// The embedded migrations of the gate's store.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Formats a time the way every table stores it: fixed-width RFC 3339 UTC, so that text
/// order is time order.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Why a push was not recorded again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// The camera's own event id (Hikvision `UUID`, Dahua `GroupID`/`EventID`) was seen.
    VendorKey,
    /// The same plate on the same lane within the duplicate window.
    PlateWindow,
}

impl DuplicateReason {
    /// The stable identifier stored in the database.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VendorKey => "vendor_key",
            Self::PlateWindow => "plate_window",
        }
    }
}

/// What [`Store::record_event`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// A new event, now durable.
    New,
    /// A repeat of the event `of`; the repeat is counted in `camera_duplicates`.
    Duplicate {
        /// The event recorded earlier.
        of: Uuid,
        /// How it was recognised.
        reason: DuplicateReason,
    },
}

/// A registered plate from the cached registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisteredPlate {
    /// The normalised plate.
    pub plate: String,
    /// Its colour, when known.
    pub colour: Option<PlateColour>,
    /// What the guard reads.
    pub label: String,
}

/// A stored camera event, as the status page and `status` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSummary {
    /// The gate's id for it.
    pub id: String,
    /// When the gate received it.
    pub received_at: String,
    /// The push format.
    pub source: String,
    /// The camera.
    pub device_id: String,
    /// The configured lane.
    pub lane: Option<String>,
    /// The primary reading.
    pub plate: Option<String>,
    /// Its confidence.
    pub confidence: Option<i64>,
    /// How many photos were stored.
    pub photos: i64,
}

/// A stored photo reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPhoto {
    /// Plate, scene, vehicle or other.
    pub kind: String,
    /// SHA-256, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Path relative to the data directory.
    pub path: String,
}

/// A stored alarm row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmRow {
    /// When.
    pub at: String,
    /// The lane.
    pub lane: Option<String>,
    /// The kind.
    pub kind: String,
    /// Raised (true) or cleared.
    pub raised: bool,
    /// What the guard reads.
    pub message: String,
}

/// Counts shown by `gateledger-gate status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StoreCounts {
    /// Camera events recorded.
    pub events: i64,
    /// Repeated pushes recognised.
    pub duplicates: i64,
    /// Photos referenced.
    pub photos: i64,
    /// Plates in the cached registry.
    pub registry: i64,
    /// Alarm rows (raised and cleared).
    pub alarms: i64,
}

/// The local store. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Store {
    // One writer connection: SQLite allows one writer at a time anyway, and holding it in a
    // mutex makes the duplicate check and the insert one critical section.
    writer: Mutex<SqliteConnection>,
    reader: SqlitePool,
    data_dir: PathBuf,
}

impl Store {
    /// Opens (creating when missing) the store under `data_dir` and applies migrations.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir.join("photos"))
            .with_context(|| format!("cannot create {}", data_dir.join("photos").display()))?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join("gate.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let mut writer = SqliteConnection::connect_with(&options)
            .await
            .with_context(|| format!("cannot open {}", data_dir.join("gate.db").display()))?;
        MIGRATOR.run(&mut writer).await.context("cannot apply the gate store's migrations")?;
        let reader = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options.read_only(true))
            .await
            .context("cannot open the store for reading")?;
        Ok(Self { writer: Mutex::new(writer), reader, data_dir: data_dir.to_owned() })
    }

    /// The data directory the store lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Records `ev` durably unless it repeats a recorded event: the same vendor key, or the
    /// same plate on the same lane (or the same camera lane of an unbound camera) received
    /// within `window`.
    pub async fn record_event(
        &self,
        ev: &ReceivedEvent,
        window: Duration,
    ) -> anyhow::Result<Recorded> {
        let e = &ev.event;
        let received = timestamp(ev.received_at);
        let mut conn = self.writer.lock().await;

        if let Some(duplicate) = self.find_duplicate(&mut conn, ev, window).await? {
            let (of, reason) = duplicate;
            sqlx::query(
                "insert into camera_duplicates (event_id, received_at, reason, post_count) values (?, ?, ?, ?)",
            )
            .bind(of.to_string())
            .bind(&received)
            .bind(reason.as_str())
            .bind(e.post_count)
            .execute(&mut *conn)
            .await
            .context("cannot record a duplicate push")?;
            return Ok(Recorded::Duplicate { of, reason });
        }

        let paths = self.write_photos(&e.photos).await?;
        let mut tx = conn.begin().await.context("cannot begin a transaction")?;
        let primary = e.readings.first();
        sqlx::query(
            "insert into camera_events (id, received_at, source, device_id, vendor_key, post_count, \
             camera_lane, lane, camera_direction, direction, camera_time, plate, confidence, no_plate, \
             readings, vehicle) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(ev.id.to_string())
        .bind(&received)
        .bind(e.source.as_str())
        .bind(&e.device_id)
        .bind(&e.vendor_key)
        .bind(e.post_count)
        .bind(e.camera_lane)
        .bind(&ev.lane)
        .bind(e.camera_direction.as_str())
        .bind(ev.direction.map(|d| d.as_str()))
        .bind(e.camera_time.map(|t| t.to_rfc3339()))
        .bind(primary.map(|r| r.plate.as_str()))
        .bind(primary.and_then(|r| r.confidence))
        .bind(e.no_plate)
        .bind(serde_json::to_string(&e.readings)?)
        .bind(serde_json::to_string(&e.vehicle)?)
        .execute(&mut *tx)
        .await
        .context("cannot insert the camera event")?;
        for (idx, (photo, path)) in e.photos.iter().zip(&paths).enumerate() {
            sqlx::query(
                "insert into camera_event_photos (event_id, idx, kind, name, sha256, size, path) \
                 values (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(ev.id.to_string())
            .bind(idx as i64)
            .bind(photo.kind.as_str())
            .bind(&photo.name)
            .bind(photo.sha256_hex())
            .bind(photo.bytes.len() as i64)
            .bind(path)
            .execute(&mut *tx)
            .await
            .context("cannot insert a photo reference")?;
        }
        tx.commit().await.context("cannot commit the camera event")?;
        Ok(Recorded::New)
    }

    async fn find_duplicate(
        &self,
        conn: &mut SqliteConnection,
        ev: &ReceivedEvent,
        window: Duration,
    ) -> anyhow::Result<Option<(Uuid, DuplicateReason)>> {
        let e = &ev.event;
        if let Some(key) = &e.vendor_key {
            let row = sqlx::query("select id from camera_events where vendor_key = ?")
                .bind(key)
                .fetch_optional(&mut *conn)
                .await
                .context("cannot look up the vendor key")?;
            if let Some(row) = row {
                return Ok(Some((parse_id(row.get(0))?, DuplicateReason::VendorKey)));
            }
        }
        let Some(plate) = e.best_plate() else { return Ok(None) };
        let since =
            ev.received_at - chrono::Duration::from_std(window).unwrap_or(chrono::Duration::zero());
        let row = if let Some(lane) = &ev.lane {
            sqlx::query(
                "select id from camera_events where plate = ? and received_at >= ? and lane = ? \
                 order by received_at desc limit 1",
            )
            .bind(plate)
            .bind(timestamp(since))
            .bind(lane)
            .fetch_optional(&mut *conn)
            .await
        } else {
            sqlx::query(
                "select id from camera_events where plate = ? and received_at >= ? and lane is null \
                 and device_id = ? and camera_lane is ? order by received_at desc limit 1",
            )
            .bind(plate)
            .bind(timestamp(since))
            .bind(&e.device_id)
            .bind(e.camera_lane)
            .fetch_optional(&mut *conn)
            .await
        }
        .context("cannot look up recent reads of the plate")?;
        row.map(|r| Ok((parse_id(r.get(0))?, DuplicateReason::PlateWindow))).transpose()
    }

    /// Writes each photo to `photos/<2 hex>/<sha256>.jpg` durably; returns the relative paths.
    async fn write_photos(&self, photos: &[Photo]) -> anyhow::Result<Vec<String>> {
        if photos.is_empty() {
            return Ok(Vec::new());
        }
        let data_dir = self.data_dir.clone();
        let jobs: Vec<(String, Vec<u8>)> =
            photos.iter().map(|p| (p.sha256_hex(), p.bytes.clone())).collect();
        tokio::task::spawn_blocking(move || write_photo_files(&data_dir, &jobs))
            .await
            .context("the photo writer panicked")?
    }

    /// The plates of the cached registry.
    pub async fn registry(&self) -> anyhow::Result<Vec<RegisteredPlate>> {
        let rows = sqlx::query("select plate, colour, label from registry_plates order by plate")
            .fetch_all(&self.reader)
            .await
            .context("cannot read the plate registry")?;
        Ok(rows
            .into_iter()
            .map(|r| RegisteredPlate {
                plate: r.get(0),
                colour: r.get::<Option<String>, _>(1).and_then(|c| PlateColour::from_str(&c).ok()),
                label: r.get(2),
            })
            .collect())
    }

    /// Adds or replaces a plate in the cached registry.
    pub async fn upsert_registry_plate(
        &self,
        plate: &RegisteredPlate,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut conn = self.writer.lock().await;
        sqlx::query(
            "insert into registry_plates (plate, colour, label, added_at) values (?, ?, ?, ?) \
             on conflict (plate) do update set colour = excluded.colour, label = excluded.label",
        )
        .bind(&plate.plate)
        .bind(plate.colour.map(|c| c.as_str()))
        .bind(&plate.label)
        .bind(timestamp(now))
        .execute(&mut *conn)
        .await
        .context("cannot write the plate registry")?;
        Ok(())
    }

    /// Appends an alarm row (raised or cleared).
    pub async fn record_alarm(
        &self,
        at: DateTime<Utc>,
        lane: Option<&str>,
        kind: &str,
        raised: bool,
        message: &str,
    ) -> anyhow::Result<()> {
        let mut conn = self.writer.lock().await;
        sqlx::query("insert into alarms (at, lane, kind, raised, message) values (?, ?, ?, ?, ?)")
            .bind(timestamp(at))
            .bind(lane)
            .bind(kind)
            .bind(raised)
            .bind(message)
            .execute(&mut *conn)
            .await
            .context("cannot record an alarm")?;
        Ok(())
    }

    /// Row counts of the main tables.
    pub async fn counts(&self) -> anyhow::Result<StoreCounts> {
        let row = sqlx::query(
            "select (select count(*) from camera_events), (select count(*) from camera_duplicates), \
             (select count(*) from camera_event_photos), (select count(*) from registry_plates), \
             (select count(*) from alarms)",
        )
        .fetch_one(&self.reader)
        .await
        .context("cannot count the store's rows")?;
        Ok(StoreCounts {
            events: row.get(0),
            duplicates: row.get(1),
            photos: row.get(2),
            registry: row.get(3),
            alarms: row.get(4),
        })
    }

    /// The most recent events, newest first.
    pub async fn recent_events(&self, limit: u32) -> anyhow::Result<Vec<EventSummary>> {
        let rows = sqlx::query(
            "select e.id, e.received_at, e.source, e.device_id, e.lane, e.plate, e.confidence, \
             (select count(*) from camera_event_photos p where p.event_id = e.id) \
             from camera_events e order by e.id desc limit ?",
        )
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .context("cannot read recent events")?;
        Ok(rows
            .into_iter()
            .map(|r| EventSummary {
                id: r.get(0),
                received_at: r.get(1),
                source: r.get(2),
                device_id: r.get(3),
                lane: r.get(4),
                plate: r.get(5),
                confidence: r.get(6),
                photos: r.get(7),
            })
            .collect())
    }

    /// The photos of one event, in push order.
    pub async fn photos_of(&self, event: Uuid) -> anyhow::Result<Vec<StoredPhoto>> {
        let rows = sqlx::query(
            "select kind, sha256, size, path from camera_event_photos where event_id = ? order by idx",
        )
        .bind(event.to_string())
        .fetch_all(&self.reader)
        .await
        .context("cannot read photo references")?;
        Ok(rows
            .into_iter()
            .map(|r| StoredPhoto {
                kind: r.get(0),
                sha256: r.get(1),
                size: r.get(2),
                path: r.get(3),
            })
            .collect())
    }

    /// The most recent alarm rows, newest first: `(at, lane, kind, raised, message)`.
    pub async fn recent_alarms(&self, limit: u32) -> anyhow::Result<Vec<AlarmRow>> {
        let rows = sqlx::query(
            "select at, lane, kind, raised, message from alarms order by id desc limit ?",
        )
        .bind(limit)
        .fetch_all(&self.reader)
        .await
        .context("cannot read alarms")?;
        Ok(rows
            .into_iter()
            .map(|r| AlarmRow {
                at: r.get(0),
                lane: r.get(1),
                kind: r.get(2),
                raised: r.get(3),
                message: r.get(4),
            })
            .collect())
    }

    /// The candidate readings of one event as stored (a JSON array).
    pub async fn readings_of(&self, event: Uuid) -> anyhow::Result<Option<serde_json::Value>> {
        let row = sqlx::query("select readings from camera_events where id = ?")
            .bind(event.to_string())
            .fetch_optional(&self.reader)
            .await
            .context("cannot read the event")?;
        row.map(|r| {
            serde_json::from_str(r.get::<&str, _>(0)).context("stored readings are not JSON")
        })
        .transpose()
    }
}

fn parse_id(text: String) -> anyhow::Result<Uuid> {
    Uuid::parse_str(&text).with_context(|| format!("stored event id {text:?} is not a UUID"))
}

/// Writes photos under content-addressed names; a file that already exists was written the
/// same way (temporary file, fsync, rename), so it is complete and is kept as is.
fn write_photo_files(data_dir: &Path, photos: &[(String, Vec<u8>)]) -> anyhow::Result<Vec<String>> {
    use std::io::Write as _;
    let mut dirs = Vec::new();
    let mut paths = Vec::with_capacity(photos.len());
    for (sha, bytes) in photos {
        let rel = format!("photos/{}/{sha}.jpg", &sha[..2]);
        let path = data_dir.join(&rel);
        let dir = path.parent().expect("photo path has a parent").to_owned();
        if !path.exists() {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let tmp = dir.join(format!(".{sha}.{}.tmp", std::process::id()));
            let mut file = std::fs::File::create(&tmp)
                .with_context(|| format!("cannot create {}", tmp.display()))?;
            file.write_all(bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
            file.sync_all().with_context(|| format!("cannot fsync {}", tmp.display()))?;
            std::fs::rename(&tmp, &path)
                .with_context(|| format!("cannot rename to {}", path.display()))?;
            if !dirs.contains(&dir) {
                dirs.push(dir);
            }
        }
        paths.push(rel);
    }
    // The renames are durable only once their directories are synced; a new fan-out
    // directory also needs its parent synced.
    for dir in &dirs {
        sync_dir(dir)?;
        if let Some(parent) = dir.parent() {
            sync_dir(parent)?;
        }
    }
    Ok(paths)
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot fsync the directory {}", dir.display()))
}
