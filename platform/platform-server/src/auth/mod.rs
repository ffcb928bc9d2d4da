//! Authentication and authorisation: passwords, session tokens, the signed-in principal,
//! one-time codes, and the access rules every route applies.

pub mod password;
pub mod totp;
