//! cowork: an LTI 1.3 tool that gives a Moodle course an electronic coworking space.
//!
//! The binary is a thin wrapper around [`cli::run`]; tests and benchmarks build the app
//! with [`app::AppState::new`] and serve it on a listener they bound themselves.

pub mod analytics;
pub mod app;
pub mod calendar;
pub mod chat;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod export;
pub mod grading;
pub mod i18n;
pub mod keys;
pub mod listener;
pub mod lti;
pub mod net;
pub mod observability;
pub mod privacy;
pub mod rate_limit;
pub mod roster;
pub mod session;
pub mod store;
pub mod untrusted;
pub mod web;

/// Seconds since the Unix epoch, the unit of every stored time.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// A random value of `bytes` bytes, base64url encoded, for states, nonces and session ids.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;

    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}
