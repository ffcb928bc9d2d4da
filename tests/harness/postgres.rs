//! PostgreSQL: the platform's storage layer migrates a fresh database and reads back a row.

use platform_server::storage::{Backend, Conn, Db};
use sea_query::{Alias, Expr, ExprTrait, Query};

#[derive(Debug, sqlx::FromRow)]
struct MetaRow {
    key: String,
    value: String,
}

#[tokio::test]
async fn row_written_to_postgres_reads_back() {
    // Arrange
    let url = gateledger_e2e::pg::fresh_database().await;
    let mut db = Db::connect(&url, Some(2)).await.expect("connect");
    assert_eq!(db.backend(), Backend::Postgres);
    db.migrate().await.expect("migrate");
    let value = format!("probe-{}", uuid::Uuid::now_v7());

    // Act
    let insert = Query::insert()
        .into_table(Alias::new("platform_meta"))
        .columns([Alias::new("key"), Alias::new("value")])
        .values_panic([Expr::val("harness.probe"), Expr::val(value.clone())])
        .to_owned();
    assert_eq!(db.execute(&insert).await.expect("insert"), 1);
    let select = Query::select()
        .columns([Alias::new("key"), Alias::new("value")])
        .from(Alias::new("platform_meta"))
        .and_where(Expr::col(Alias::new("key")).eq("harness.probe"))
        .to_owned();
    let row: Option<MetaRow> = db.fetch_optional(&select).await.expect("select");

    // Assert
    let row = row.expect("the row is there");
    assert_eq!(row.key, "harness.probe");
    assert_eq!(row.value, value);
    db.close().await;
}
