//! The storage layer itself, the same test bodies on both backends: the passage chain head
//! (in order, replays, gaps, forks, duplicate ids, concurrent writers, partitions), tenant
//! scoping, corrections and upload status.

use chrono::{Duration, TimeZone, Utc};
use gateledger_e2e::platform::{Backend, TestApp};
use platform_domain::ids::TenantId;
use platform_server::storage::now;
use platform_server::storage::passages::{
    self, Appended, ChainBreak, ChainedPassage, CorrectionRow, PassageRow, UploadRow,
};
use platform_server::storage::tenants::{self, NewTenant};
use platform_server::storage::vehicles::{self, VehicleFields};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::both_backends;

both_backends!(
    passages_append_in_order_and_replays_are_harmless,
    gaps_forks_and_reused_ids_are_refused,
    concurrent_writers_of_one_gate_store_each_seq_once,
    passages_of_different_months_are_stored_and_found,
    tenant_owned_rows_are_invisible_to_other_tenants,
    corrections_and_upload_status_round_trip,
);

async fn tenant(app: &TestApp) -> TenantId {
    let mut db = app.state.db.clone();
    let code = gateledger_e2e::platform::credit_code(&format!(
        "91140105MA0{}",
        &gateledger_e2e::platform::unique()[..6]
            .to_uppercase()
            .replace(['I', 'O', 'Z', 'S', 'V'], "1")
    ));
    tenants::insert(
        &mut db,
        &NewTenant {
            name: "测试水泥厂".into(),
            credit_code: code,
            permit_no: None,
            region_code: "140105".into(),
            industry: "cement".into(),
            rating: "b".into(),
            address: None,
            daily_trip_baseline: None,
        },
    )
    .await
    .unwrap()
}

/// A chain of `n` rows for `gate` starting after `prev`, as (row, prev_hash) pairs.
fn chain(
    gate: Uuid,
    from_seq: i64,
    n: i64,
    mut prev: Vec<u8>,
    at: chrono::DateTime<Utc>,
) -> Vec<ChainedPassage> {
    (from_seq..from_seq + n)
        .map(|seq| {
            let record = format!("record {gate} {seq}").into_bytes();
            let hash = Sha256::new().chain_update(&prev).chain_update(&record).finalize().to_vec();
            let row = PassageRow {
                gate_id: gate,
                seq,
                passage_id: Uuid::now_v7(),
                occurred_at: at + Duration::seconds(seq),
                received_at: now(),
                clock_offset_ms: 0,
                lane_id: None,
                direction: "entry".into(),
                plate: Some("晋A12345".into()),
                plate_colour: Some("yellow".into()),
                vehicle_id: None,
                ledger_kind: Some("external_transport".into()),
                vehicle_class: Some("heavy_truck".into()),
                stage: Some("cn5".into()),
                fuel: Some("diesel".into()),
                vin: None,
                decision: "admitted".into(),
                reason_code: "compliant".into(),
                rule_version: Some(1),
                operator: None,
                release_reason: None,
                cargo_name: None,
                cargo_type: None,
                cargo_quantity: None,
                cargo_unit: None,
                weight_kg: None,
                photo_count: 2,
                record,
                hash: hash.clone(),
                signature: vec![7; 64],
            };
            let p = ChainedPassage { row, prev_hash: prev.clone() };
            prev = hash;
            p
        })
        .collect()
}

const GENESIS: [u8; 32] = [9; 32];

async fn append(app: &TestApp, t: TenantId, gate: Uuid, batch: &[ChainedPassage]) -> Appended {
    passages::ensure_partitions(&app.state.db, batch.iter().map(|p| p.row.occurred_at))
        .await
        .unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    let out = passages::append(&mut tx, t, gate, &GENESIS, batch).await.unwrap();
    tx.commit().await.unwrap();
    out
}

async fn passages_append_in_order_and_replays_are_harmless(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = tenant(&app).await;
    let gate = Uuid::now_v7();
    let batch = chain(gate, 1, 5, GENESIS.to_vec(), now());

    let first = append(&app, t, gate, &batch).await;
    assert_eq!(first, Appended { head_seq: 5, inserted: 5, replayed: 0, broke: None });

    // A replay after a reconnect: the same records again, then one new.
    let mut again = batch[2..].to_vec();
    again.extend(chain(gate, 6, 1, batch[4].row.hash.clone(), now()));
    let second = append(&app, t, gate, &again).await;
    assert_eq!(second, Appended { head_seq: 6, inserted: 1, replayed: 3, broke: None });

    let mut db = app.state.db.clone();
    let stored = passages::list_chain(&mut db, t, gate, 1, 100).await.unwrap();
    assert_eq!(stored.iter().map(|p| p.seq).collect::<Vec<_>>(), vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(stored[0], batch[0].row);
    let head = passages::head(&mut db, t, gate).await.unwrap().unwrap();
    assert_eq!(head, (6, stored[5].hash.clone()));
    let found = passages::find(&mut db, t, batch[3].row.passage_id).await.unwrap().unwrap();
    assert_eq!(found.seq, 4);
}

async fn gaps_forks_and_reused_ids_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = tenant(&app).await;
    let gate = Uuid::now_v7();
    let batch = chain(gate, 1, 3, GENESIS.to_vec(), now());
    append(&app, t, gate, &batch).await;

    // Gap: seq 5 after head 3.
    let gap = chain(gate, 5, 1, batch[2].row.hash.clone(), now());
    assert_eq!(
        append(&app, t, gate, &gap).await.broke,
        Some(ChainBreak::Gap { expected: 4, got: 5 })
    );

    // Fork: a different record at an existing seq.
    let mut other = chain(gate, 2, 1, batch[0].row.hash.clone(), now());
    other[0].row.record = b"something else".to_vec();
    other[0].row.hash = vec![1; 32];
    assert_eq!(append(&app, t, gate, &other).await.broke, Some(ChainBreak::Fork { seq: 2 }));

    // Fork: the right seq following another history.
    let wrong_prev = chain(gate, 4, 1, vec![3; 32], now());
    assert_eq!(append(&app, t, gate, &wrong_prev).await.broke, Some(ChainBreak::Fork { seq: 4 }));

    // A passage id already stored, reused at a new seq; the good records before it are kept.
    let mut reuse = chain(gate, 4, 2, batch[2].row.hash.clone(), now());
    reuse[1].row.passage_id = batch[0].row.passage_id;
    let out = append(&app, t, gate, &reuse).await;
    assert_eq!(out.inserted, 1);
    assert_eq!(out.head_seq, 4);
    assert_eq!(out.broke, Some(ChainBreak::DuplicateId { passage_id: batch[0].row.passage_id }));

    let mut db = app.state.db.clone();
    let stored = passages::list_chain(&mut db, t, gate, 1, 100).await.unwrap();
    assert_eq!(
        stored.iter().map(|p| p.seq).collect::<Vec<_>>(),
        vec![1, 2, 3, 4],
        "exactly one row per seq"
    );
    assert_eq!(stored[1], batch[1].row, "the stored record was not replaced by the fork");
}

async fn concurrent_writers_of_one_gate_store_each_seq_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = tenant(&app).await;
    let gate = Uuid::now_v7();
    let batch = chain(gate, 1, 40, GENESIS.to_vec(), now());
    passages::ensure_partitions(&app.state.db, batch.iter().map(|p| p.row.occurred_at))
        .await
        .unwrap();
    // Four writers deliver overlapping runs of the same chain at once, as two platform
    // replicas would after a gate reconnects.
    let mut tasks = Vec::new();
    for start in [0usize, 10, 0, 20] {
        let db = app.state.db.clone();
        let run = batch[start..].to_vec();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            let out = passages::append(&mut tx, t, gate, &GENESIS, &run).await.unwrap();
            tx.commit().await.unwrap();
            out
        }));
    }
    let mut inserted = 0;
    for task in tasks {
        inserted += task.await.unwrap().inserted;
    }
    assert_eq!(inserted, 40, "every record stored by exactly one writer");
    let mut db = app.state.db.clone();
    let stored = passages::list_chain(&mut db, t, gate, 1, 100).await.unwrap();
    assert_eq!(stored.len(), 40);
}

async fn passages_of_different_months_are_stored_and_found(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = tenant(&app).await;
    let gate = Uuid::now_v7();
    let march = Utc.with_ymd_and_hms(2026, 3, 31, 23, 59, 0).unwrap();
    let batch = chain(gate, 1, 200, GENESIS.to_vec(), march);
    let out = append(&app, t, gate, &batch).await;
    assert_eq!(out.inserted, 200);
    let mut db = app.state.db.clone();
    let april = passages::find(&mut db, t, batch[150].row.passage_id).await.unwrap().unwrap();
    assert_eq!(april.occurred_at, batch[150].row.occurred_at);
    let stored = passages::list_chain(&mut db, t, gate, 1, 1000).await.unwrap();
    assert_eq!(stored.len(), 200);
}

async fn tenant_owned_rows_are_invisible_to_other_tenants(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = tenant(&app).await;
    let b = tenant(&app).await;
    let mut db = app.state.db.clone();
    let fields = VehicleFields {
        kind: "external_transport".into(),
        plate: Some("晋A12345".into()),
        plate_colour: Some("yellow".into()),
        vehicle_class: "heavy_truck".into(),
        fuel: "diesel".into(),
        stage: "cn5".into(),
        ..VehicleFields::default()
    };
    let id = vehicles::insert(&mut db, a, &fields).await.unwrap();
    assert!(vehicles::find(&mut db, a, id).await.unwrap().is_some());
    assert!(vehicles::find(&mut db, b, id).await.unwrap().is_none());
    assert_eq!(
        vehicles::delete(&mut db, b, id).await.unwrap(),
        0,
        "another tenant cannot delete it"
    );
    // The same plate may be registered by two enterprises, but not twice by one.
    vehicles::insert(&mut db, b, &fields).await.unwrap();
    let dup = vehicles::insert(&mut db, a, &fields).await.unwrap_err();
    assert!(matches!(&dup, sqlx::Error::Database(e) if e.is_unique_violation()), "{dup:?}");
    let gate = Uuid::now_v7();
    append(&app, a, gate, &chain(gate, 1, 2, GENESIS.to_vec(), now())).await;
    assert!(passages::list_chain(&mut db, b, gate, 1, 10).await.unwrap().is_empty());
}

async fn corrections_and_upload_status_round_trip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = tenant(&app).await;
    let gate = Uuid::now_v7();
    let batch = chain(gate, 1, 1, GENESIS.to_vec(), now());
    append(&app, t, gate, &batch).await;
    let mut db = app.state.db.clone();
    let c = CorrectionRow {
        id: Uuid::now_v7(),
        passage_id: batch[0].row.passage_id,
        gate_id: gate,
        seq: 1,
        field: "plate".into(),
        old_value: Some("晋A12345".into()),
        new_value: Some("晋A12346".into()),
        reason: "车牌识别错误，人工核对行驶证".into(),
        corrected_by: None,
        corrected_by_name: "operator1".into(),
        corrected_at: now(),
        record: None,
        signature: None,
    };
    passages::insert_correction(&mut db, t, &c).await.unwrap();
    assert_eq!(
        passages::list_corrections(&mut db, t, batch[0].row.passage_id).await.unwrap(),
        vec![c.clone()]
    );
    assert!(
        passages::list_corrections(&mut db, TenantId::new(), batch[0].row.passage_id)
            .await
            .unwrap()
            .is_empty()
    );
    // The passage itself is unchanged by a correction.
    assert_eq!(
        passages::find(&mut db, t, batch[0].row.passage_id)
            .await
            .unwrap()
            .unwrap()
            .plate
            .as_deref(),
        Some("晋A12345")
    );

    let mut u = UploadRow {
        passage_id: batch[0].row.passage_id,
        target: "shanxi".into(),
        status: "failed".into(),
        attempts: 1,
        last_error: Some("timeout".into()),
        last_attempt_at: Some(now()),
        acked_at: None,
        receipt: None,
    };
    passages::record_upload(&mut db, t, &u).await.unwrap();
    u.status = "acked".into();
    u.attempts = 2;
    u.last_error = None;
    u.acked_at = Some(now());
    u.receipt = Some("R-1".into());
    passages::record_upload(&mut db, t, &u).await.unwrap();
    assert_eq!(passages::list_uploads(&mut db, t, batch[0].row.passage_id).await.unwrap(), vec![u]);
}
