//! The web portal end to end: every page route's authorisation, anti-forgery tokens and the
//! security headers over plain HTTP, and the main flows of each role in headless Chromium.

mod account;
mod browser;
mod https;
mod pages;
mod support;
