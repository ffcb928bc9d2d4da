//! The platform core end to end, on SQLite and on PostgreSQL: storage, auth flows, tenant
//! isolation over every route, registrations, registries, lists and bureau data.

mod auth;
mod bureau;
mod isolation;
mod onboarding;
mod registries;
mod storage;

/// Runs an async test body once per backend: `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(gateledger_e2e::platform::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(gateledger_e2e::platform::Backend::Postgres).await
            }
        }
    )+};
}
