//! The database handle: a pool for either backend, transactions, and generic helpers that
//! take a sea-query statement, render it for the backend in use and decode rows with
//! `sqlx::FromRow` (which works for both row types).

use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::{SqlxBinder, SqlxValues};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow, Postgres, Sqlite, Transaction};

/// Which SQL backend a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded default: one SQLite file, one platform process.
    Sqlite,
    /// The hosted service: PostgreSQL, any number of platform processes.
    Postgres,
}

/// A row type that decodes from both backends.
pub trait DbRow:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> DbRow for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A connection pool for the backend chosen at start.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite in WAL mode with `synchronous = FULL`: a commit is on disk when it returns.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// An open transaction on either backend. Dropped without [`Tx::commit`], it rolls back.
#[derive(Debug)]
pub enum Tx {
    /// A SQLite transaction, begun `IMMEDIATE` so that it holds the write lock from the
    /// start and never fails half-way with a lock upgrade error.
    Sqlite(Transaction<'static, Sqlite>),
    /// A PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

/// Something statements run on: the pool (each statement in its own implicit transaction)
/// or an open [`Tx`]. Storage functions take `&mut impl Conn` and never name the backend.
pub trait Conn: Send {
    /// Which backend this is, for the few statements that really differ.
    fn backend(&self) -> Backend;

    /// Runs a statement and returns the number of rows it affected.
    fn execute(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;

    /// Runs a query and decodes every row.
    fn fetch_all<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<Vec<T>, sqlx::Error>> + Send;

    /// Runs a query and decodes the first row, if any.
    fn fetch_optional<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<Option<T>, sqlx::Error>> + Send;

    /// Runs a query and decodes its first row; no row is `sqlx::Error::RowNotFound`.
    fn fetch_one<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<T, sqlx::Error>> + Send {
        let fut = self.fetch_optional::<T>(stmt);
        async move { fut.await?.ok_or(sqlx::Error::RowNotFound) }
    }

    /// Runs generated DDL on PostgreSQL (partition management); a no-op on SQLite. The text
    /// must be built from trusted values only (numbers, fixed names).
    fn execute_pg_ddl(
        &mut self,
        sql: String,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

fn render(backend: Backend, stmt: &impl SqlxBinder) -> (String, SqlxValues) {
    match backend {
        Backend::Sqlite => stmt.build_sqlx(SqliteQueryBuilder),
        Backend::Postgres => stmt.build_sqlx(PostgresQueryBuilder),
    }
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating a SQLite file and its
    /// directory when they do not exist yet.
    pub async fn connect(url: &str, max_connections: Option<u32>) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(max_connections.unwrap_or(16))
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .context("cannot connect to PostgreSQL")?;
            return Ok(Self::Postgres(pool));
        }
        anyhow::ensure!(
            url.starts_with("sqlite:"),
            "unsupported database URL: expected postgres://… or sqlite://…"
        );
        if let Some(path) = url.strip_prefix("sqlite://")
            && let Some(dir) = std::path::Path::new(path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        }
        let options = SqliteConnectOptions::from_str(url)
            .context("invalid SQLite URL")?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.unwrap_or(8))
            .connect_with(options)
            .await
            .context("cannot open the SQLite database")?;
        Ok(Self::Sqlite(pool))
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend (`migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("../../migrations/sqlite").run(pool).await,
            Self::Postgres(pool) => sqlx::migrate!("../../migrations/postgres").run(pool).await,
        }
        .context("database migration failed")
    }

    /// Answers whether the database takes a trivial query.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(pool) => sqlx::query("select 1").execute(pool).await.map(drop),
            Self::Postgres(pool) => sqlx::query("select 1").execute(pool).await.map(drop),
        }
    }

    /// Begins a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// which serialises writers cleanly instead of failing one of them mid-way.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Self::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?)),
            Self::Postgres(pool) => Ok(Tx::Postgres(pool.begin().await?)),
        }
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    /// Which backend this transaction runs on.
    pub fn backend(&self) -> Backend {
        Conn::backend(self)
    }

    /// Makes every statement of the transaction durable.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
        }
    }

    /// Undoes every statement of the transaction.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(tx) => tx.rollback().await,
            Self::Postgres(tx) => tx.rollback().await,
        }
    }
}

impl Conn for Db {
    fn backend(&self) -> Backend {
        Db::backend(self)
    }

    fn execute(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send {
        let (sql, values) = render(Db::backend(self), stmt);
        let db = self.clone();
        async move {
            match db {
                Db::Sqlite(pool) => Ok(sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&pool)
                    .await?
                    .rows_affected()),
                Db::Postgres(pool) => Ok(sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&pool)
                    .await?
                    .rows_affected()),
            }
        }
    }

    fn fetch_all<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<Vec<T>, sqlx::Error>> + Send {
        let (sql, values) = render(Db::backend(self), stmt);
        let db = self.clone();
        async move {
            match db {
                Db::Sqlite(pool) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(&pool).await
                }
                Db::Postgres(pool) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(&pool).await
                }
            }
        }
    }

    fn fetch_optional<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<Option<T>, sqlx::Error>> + Send {
        let (sql, values) = render(Db::backend(self), stmt);
        let db = self.clone();
        async move {
            match db {
                Db::Sqlite(pool) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(&pool).await
                }
                Db::Postgres(pool) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(&pool).await
                }
            }
        }
    }

    fn execute_pg_ddl(
        &mut self,
        sql: String,
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        let db = self.clone();
        async move {
            match db {
                Db::Sqlite(_) => Ok(()),
                Db::Postgres(pool) => {
                    sqlx::raw_sql(AssertSqlSafe(sql)).execute(&pool).await.map(drop)
                }
            }
        }
    }
}

impl Conn for Tx {
    fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    fn execute(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<u64, sqlx::Error>> + Send {
        let (sql, values) = render(Conn::backend(self), stmt);
        async move {
            match self {
                Tx::Sqlite(tx) => Ok(sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()),
                Tx::Postgres(tx) => Ok(sqlx::query_with(AssertSqlSafe(sql), values)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()),
            }
        }
    }

    fn fetch_all<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<Vec<T>, sqlx::Error>> + Send {
        let (sql, values) = render(Conn::backend(self), stmt);
        async move {
            match self {
                Tx::Sqlite(tx) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(&mut **tx).await
                }
                Tx::Postgres(tx) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_all(&mut **tx).await
                }
            }
        }
    }

    fn fetch_optional<T: DbRow>(
        &mut self,
        stmt: &impl SqlxBinder,
    ) -> impl Future<Output = Result<Option<T>, sqlx::Error>> + Send {
        let (sql, values) = render(Conn::backend(self), stmt);
        async move {
            match self {
                Tx::Sqlite(tx) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(&mut **tx).await
                }
                Tx::Postgres(tx) => {
                    sqlx::query_as_with(AssertSqlSafe(sql), values).fetch_optional(&mut **tx).await
                }
            }
        }
    }

    async fn execute_pg_ddl(&mut self, sql: String) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(_) => Ok(()),
            Tx::Postgres(tx) => {
                sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut **tx).await.map(drop)
            }
        }
    }
}
