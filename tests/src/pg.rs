//! A fresh PostgreSQL database per test, created in the cluster `infra/test.sh` started.

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// The variable naming the admin URL of the test cluster.
pub const PG_URL_VAR: &str = "GATELEDGER_TEST_PG_URL";

/// Creates an empty database with a unique name and returns its URL.
pub async fn fresh_database() -> String {
    let admin_url = crate::require_env(PG_URL_VAR);
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {PG_URL_VAR}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("create database \"{name}\"")))
        .execute(&mut admin)
        .await
        .expect("create database");
    admin.close().await.ok();
    let (base, _) = admin_url.rsplit_once('/').expect("the admin URL names a database");
    format!("{base}/{name}")
}
