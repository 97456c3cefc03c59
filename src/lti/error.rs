//! Why a login or launch was rejected: one named check, a detail, and what an admin can do.

use std::fmt;

use crate::i18n::Msg;

/// Each check a login or launch can fail. The code is stable: it appears in JSON errors
/// and in the log, so monitoring can count rejections by reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    MissingParameter,
    UnknownRegistration,
    TargetLinkUriOrigin,
    StateUnknown,
    StateExpired,
    StateReplayed,
    StateMismatch,
    /// A page of another site made the browser post the launch.
    LaunchOrigin,
    /// The launch came from a page without an origin, and the browser did not return the
    /// login's cookie.
    LoginNotBound,
    Malformed,
    Algorithm,
    KidMissing,
    KidUnknown,
    KeyInHeader,
    JwksUnavailable,
    Signature,
    Issuer,
    Audience,
    AuthorizedParty,
    Expired,
    IssuedInFuture,
    Nonce,
    NonceReplayed,
    NonceNotIssued,
    Version,
    MessageType,
    Deployment,
    ResourceLink,
    DeepLinkingSettings,
    Roles,
    Subject,
    TargetLinkUri,
}

impl Check {
    pub fn code(self) -> &'static str {
        match self {
            Check::MissingParameter => "missing_parameter",
            Check::UnknownRegistration => "unknown_registration",
            Check::TargetLinkUriOrigin => "target_link_uri_origin",
            Check::StateUnknown => "state_unknown",
            Check::StateExpired => "state_expired",
            Check::StateReplayed => "state_replayed",
            Check::StateMismatch => "state_mismatch",
            Check::LaunchOrigin => "launch_origin",
            Check::LoginNotBound => "login_not_bound",
            Check::Malformed => "malformed",
            Check::Algorithm => "alg",
            Check::KidMissing => "kid_missing",
            Check::KidUnknown => "kid_unknown",
            Check::KeyInHeader => "key_in_header",
            Check::JwksUnavailable => "jwks_unavailable",
            Check::Signature => "signature",
            Check::Issuer => "iss",
            Check::Audience => "aud",
            Check::AuthorizedParty => "azp",
            Check::Expired => "exp",
            Check::IssuedInFuture => "iat",
            Check::Nonce => "nonce",
            Check::NonceReplayed => "nonce_replayed",
            Check::NonceNotIssued => "nonce_not_issued",
            Check::Version => "version",
            Check::MessageType => "message_type",
            Check::Deployment => "deployment_id",
            Check::ResourceLink => "resource_link",
            Check::DeepLinkingSettings => "deep_linking_settings",
            Check::Roles => "roles",
            Check::Subject => "sub",
            Check::TargetLinkUri => "target_link_uri",
        }
    }

    /// Returns the message id of what a Moodle admin or the person launching can do
    /// about this failure.
    pub fn hint_id(self) -> &'static str {
        match self {
            Check::MissingParameter | Check::Malformed => "error-hint-launch-form",
            Check::UnknownRegistration => "error-hint-unknown-registration",
            Check::TargetLinkUriOrigin => "error-hint-target-link-uri-origin",
            Check::StateUnknown | Check::StateExpired => "error-hint-state-expired",
            Check::StateReplayed | Check::NonceReplayed => "error-hint-replayed",
            Check::LaunchOrigin => "error-hint-launch-origin",
            Check::LoginNotBound => "error-hint-login-not-bound",
            Check::StateMismatch | Check::Nonce | Check::NonceNotIssued => "error-hint-nonce",
            Check::Algorithm | Check::KeyInHeader | Check::Signature => "error-hint-signature",
            Check::KidMissing | Check::KidUnknown => "error-hint-kid",
            Check::JwksUnavailable => "error-hint-jwks-unavailable",
            Check::Issuer | Check::Audience | Check::AuthorizedParty => "error-hint-client",
            Check::Expired | Check::IssuedInFuture => "error-hint-clock",
            Check::Version | Check::MessageType => "error-hint-message-type",
            Check::Deployment => "error-hint-deployment",
            Check::ResourceLink
            | Check::DeepLinkingSettings
            | Check::Roles
            | Check::Subject
            | Check::TargetLinkUri => "error-hint-incomplete-launch",
        }
    }
}

/// A rejected login or launch.
#[derive(Debug, Clone)]
pub struct LaunchError {
    pub check: Check,
    pub detail: Msg,
}

impl LaunchError {
    pub fn new(check: Check, detail: impl Into<Msg>) -> Self {
        Self {
            check,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for LaunchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} check failed: {}", self.check.code(), self.detail)
    }
}

impl std::error::Error for LaunchError {}
