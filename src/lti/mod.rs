//! LTI 1.3 core: OIDC third-party login, id_token validation and the launch.

pub mod ags;
pub mod claims;
pub mod deep_linking;
pub mod discovery;
pub mod error;
pub mod jwks;
pub mod launch;
pub mod link_header;
pub mod login;
pub mod nrps;
pub mod registration;
pub mod service_token;
pub mod validate;
