//! LTI 1.3 claim names and the launch data cowork reads out of a verified id_token.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const MESSAGE_TYPE: &str = "https://purl.imsglobal.org/spec/lti/claim/message_type";
pub const VERSION: &str = "https://purl.imsglobal.org/spec/lti/claim/version";
pub const DEPLOYMENT_ID: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
pub const TARGET_LINK_URI: &str = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
pub const RESOURCE_LINK: &str = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
pub const ROLES: &str = "https://purl.imsglobal.org/spec/lti/claim/roles";
pub const CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
pub const CUSTOM: &str = "https://purl.imsglobal.org/spec/lti/claim/custom";
pub const LAUNCH_PRESENTATION: &str =
    "https://purl.imsglobal.org/spec/lti/claim/launch_presentation";
pub const TOOL_PLATFORM: &str = "https://purl.imsglobal.org/spec/lti/claim/tool_platform";
pub const AGS_ENDPOINT: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
pub const NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
pub const DEEP_LINKING_SETTINGS: &str =
    "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";

pub const RESOURCE_LINK_REQUEST: &str = "LtiResourceLinkRequest";
pub const DEEP_LINKING_REQUEST: &str = "LtiDeepLinkingRequest";

/// The message types cowork accepts.
pub const SUPPORTED_MESSAGE_TYPES: [&str; 2] = [RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Context {
    pub id: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default, rename = "type")]
    pub types: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceLink {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LaunchPresentation {
    #[serde(default)]
    pub locale: Option<String>,
    #[serde(default)]
    pub document_target: Option<String>,
    #[serde(default)]
    pub return_url: Option<String>,
}

/// The Assignment and Grade Services endpoint claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgsEndpoint {
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub lineitems: Option<String>,
    #[serde(default)]
    pub lineitem: Option<String>,
}

/// The Names and Role Provisioning Services claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamesRoleService {
    pub context_memberships_url: String,
    #[serde(default)]
    pub service_versions: Vec<String>,
}

/// A launch that passed every check, with the parts cowork uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Launch {
    pub message_type: String,
    pub issuer: String,
    pub client_id: String,
    pub deployment_id: String,
    /// `None` for an anonymous launch.
    pub subject: Option<String>,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub roles: Vec<String>,
    pub context: Option<Context>,
    pub resource_link: Option<ResourceLink>,
    pub custom: BTreeMap<String, String>,
    pub launch_presentation: LaunchPresentation,
    pub ags: Option<AgsEndpoint>,
    pub nrps: Option<NamesRoleService>,
    pub deep_linking_settings: Option<serde_json::Value>,
    pub target_link_uri: String,
    pub nonce: String,
}

/// What a person may do in a space, derived from their LTI roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SpaceRole {
    Admin,
    Teacher,
    Student,
    /// Launched with no role cowork recognises (for example an empty `roles` claim).
    Guest,
}

impl SpaceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SpaceRole::Admin => "admin",
            SpaceRole::Teacher => "teacher",
            SpaceRole::Student => "student",
            SpaceRole::Guest => "guest",
        }
    }

    pub fn parse(text: &str) -> SpaceRole {
        match text {
            "admin" => SpaceRole::Admin,
            "teacher" => SpaceRole::Teacher,
            "student" => SpaceRole::Student,
            _ => SpaceRole::Guest,
        }
    }

    /// Maps LTI role URIs to a space role. System and institution Administrators are
    /// admins; Instructor and its sub-roles are teachers; Learner and its sub-roles are
    /// students. The LTI 1.3 short context role names (`Instructor`, `Learner`) count too.
    pub fn from_lti_roles(roles: &[String]) -> SpaceRole {
        let has = |predicate: &dyn Fn(&str) -> bool| roles.iter().any(|r| predicate(r));
        if has(&|r| {
            r == "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
                || r == "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
        }) {
            return SpaceRole::Admin;
        }
        if has(&|r| is_context_role(r, "Instructor")) {
            return SpaceRole::Teacher;
        }
        if has(&|r| is_context_role(r, "Learner")) {
            return SpaceRole::Student;
        }
        SpaceRole::Guest
    }
}

fn is_context_role(role: &str, name: &str) -> bool {
    const MEMBERSHIP: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership";
    role == name
        || role.strip_prefix(MEMBERSHIP).is_some_and(|rest| {
            rest == format!("#{name}") || rest.starts_with(&format!("/{name}#"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(list: &[&str]) -> Vec<String> {
        list.iter().map(|r| r.to_string()).collect()
    }

    #[test]
    fn role_mapping_table() {
        let cases = [
            (vec!["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], SpaceRole::Teacher),
            (vec!["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], SpaceRole::Teacher),
            (vec!["Instructor"], SpaceRole::Teacher),
            (vec!["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], SpaceRole::Student),
            (vec!["Learner"], SpaceRole::Student),
            (
                vec![
                    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
                    "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",
                ],
                SpaceRole::Admin,
            ),
            (vec!["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], SpaceRole::Admin),
            (vec!["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"], SpaceRole::Guest),
            (vec!["http://purl.imsglobal.org/vocab/lis/v2/membership#InstructorX"], SpaceRole::Guest),
            (vec![], SpaceRole::Guest),
        ];
        for (input, expected) in cases {
            assert_eq!(
                SpaceRole::from_lti_roles(&roles(&input)),
                expected,
                "{input:?}"
            );
        }
    }
}
