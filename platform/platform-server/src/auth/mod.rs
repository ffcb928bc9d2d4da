//! Authentication and authorisation: passwords, session tokens, the signed-in principal,
//! one-time codes, and the access rules every route applies.

pub mod password;
pub mod principal;
pub mod session;
pub mod totp;

pub use principal::{CurrentUser, SignedIn, tenant_access};
pub mod accounts;
pub mod flows;
