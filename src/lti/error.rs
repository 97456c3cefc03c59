//! Why a login or launch was rejected: one named check, a detail, and what an admin can do.

use std::fmt;

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

    /// What a Moodle admin or the person launching can do about this failure.
    pub fn hint(self) -> &'static str {
        match self {
            Check::MissingParameter | Check::Malformed => {
                "The request did not come from an LTI 1.3 platform in the expected form. Start the activity again from the course page."
            }
            Check::UnknownRegistration => {
                "Register this platform in cowork (cowork platform add) with the issuer and client ID shown in Moodle's tool configuration."
            }
            Check::TargetLinkUriOrigin => {
                "The tool URL configured in the platform must point at this cowork server's public URL (COWORK_PUBLIC_URL)."
            }
            Check::StateUnknown | Check::StateExpired => {
                "The login took too long or was started elsewhere. Open the activity again from the course page."
            }
            Check::StateReplayed | Check::NonceReplayed => {
                "This launch was already used; a launch works once. Open the activity again from the course page."
            }
            Check::StateMismatch | Check::Nonce | Check::NonceNotIssued => {
                "The launch does not belong to the login that started it. Open the activity again from the course page; if it keeps failing, check that only one cowork registration answers for this platform."
            }
            Check::Algorithm | Check::KeyInHeader | Check::Signature => {
                "The id_token was not signed as LTI 1.3 requires. Check that the platform's public keyset URL in cowork is the platform's JWKS URL."
            }
            Check::KidMissing | Check::KidUnknown => {
                "The platform signed with a key its JWKS does not publish. Check the JWKS URL registered in cowork, or wait a minute if the platform just rotated its keys."
            }
            Check::JwksUnavailable => {
                "cowork could not fetch the platform's public keys. Check that the JWKS URL is reachable from the cowork server."
            }
            Check::Issuer | Check::Audience | Check::AuthorizedParty => {
                "The issuer or client ID in cowork's registration does not match the platform's. Compare them with Moodle's tool configuration."
            }
            Check::Expired | Check::IssuedInFuture => {
                "The clocks of the platform and of cowork disagree, or the launch was delayed. Check both servers' time (NTP)."
            }
            Check::Version | Check::MessageType => {
                "The platform sent a message cowork does not handle. Configure the tool as LTI 1.3 with resource link and deep linking messages."
            }
            Check::Deployment => {
                "Add the deployment ID shown in Moodle's tool configuration to cowork's registration (cowork platform add --deployment-id)."
            }
            Check::ResourceLink | Check::DeepLinkingSettings | Check::Roles | Check::Subject | Check::TargetLinkUri => {
                "The platform sent an incomplete launch. Check the platform's LTI 1.3 configuration for this tool."
            }
        }
    }
}

/// A rejected login or launch.
#[derive(Debug, Clone)]
pub struct LaunchError {
    pub check: Check,
    pub detail: String,
}

impl LaunchError {
    pub fn new(check: Check, detail: impl Into<String>) -> Self {
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
