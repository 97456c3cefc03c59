//! Names and Role Provisioning Services 2.0: reads a course's members from the
//! `context_memberships_url` of a launch, following every page.
//!
//! The access token comes from a [`ServiceTokens`] source (the OAuth2 client-credentials
//! grant against the platform's token URL). Only names, roles and status are read; email
//! and other personal fields in the response are ignored.

use std::collections::HashSet;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE, LINK};
use serde::Deserialize;
use url::Url;

use super::link_header;
use crate::net::{describe, read_capped, PlatformHttp};
use crate::store::Platform;

pub const MEMBERSHIP_CONTAINER: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";
pub const SCOPE: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// Pages read before a roster counts as incomplete.
pub const MAX_PAGES: usize = 50;
/// Largest page accepted, in bytes. Moodle sends a course in one page, about 300 bytes
/// per member.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// A source of OAuth2 access tokens for a platform's services.
#[async_trait]
pub trait ServiceTokens: Send + Sync {
    /// Returns a bearer token of `platform` that grants `scopes`.
    async fn token(&self, platform: &Platform, scopes: &[&str]) -> Result<String, String>;
}

/// The OAuth2 client-credentials client, cached per registration and scope set.
#[async_trait]
impl ServiceTokens for crate::lti::service_token::ServiceTokens {
    async fn token(&self, platform: &Platform, scopes: &[&str]) -> Result<String, String> {
        crate::lti::service_token::ServiceTokens::token(self, platform, scopes)
            .await
            .map(|token| token.value)
            .map_err(|error| error.to_string())
    }
}

/// A fixed token for every request, for tests and for platforms that issue long-lived
/// tokens out of band.
pub struct FixedToken(pub String);

#[async_trait]
impl ServiceTokens for FixedToken {
    async fn token(&self, _platform: &Platform, _scopes: &[&str]) -> Result<String, String> {
        Ok(self.0.clone())
    }
}

/// Enrolment status of a member, as NRPS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberStatus {
    Active,
    Inactive,
    Deleted,
}

impl MemberStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Active => "Active",
            MemberStatus::Inactive => "Inactive",
            MemberStatus::Deleted => "Deleted",
        }
    }

    /// Parses a status; NRPS makes the field optional with `Active` as its default.
    fn parse(text: Option<&str>) -> Result<Self, String> {
        match text {
            None | Some("Active") => Ok(MemberStatus::Active),
            Some("Inactive") => Ok(MemberStatus::Inactive),
            Some("Deleted") => Ok(MemberStatus::Deleted),
            Some(other) => Err(format!("unknown member status {other:?}")),
        }
    }
}

/// One course member as the platform shared them. Names are `None` when the platform
/// does not share them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterMember {
    pub subject: String,
    pub name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub roles: Vec<String>,
    pub status: MemberStatus,
}

/// The members read from every page, and whether paging ended normally.
#[derive(Debug, Clone)]
pub struct Roster {
    pub members: Vec<RosterMember>,
    pub pages: usize,
    /// False when paging stopped at [`MAX_PAGES`]; members missing from an incomplete
    /// roster may still be enrolled.
    pub complete: bool,
}

#[derive(Deserialize)]
struct Container {
    #[serde(default)]
    members: Vec<ContainerMember>,
}

#[derive(Deserialize)]
struct ContainerMember {
    user_id: String,
    #[serde(default)]
    roles: Vec<String>,
    status: Option<String>,
    name: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
}

/// Parses one membership container page.
pub fn parse_page(body: &[u8]) -> Result<Vec<RosterMember>, String> {
    let container: Container = serde_json::from_slice(body)
        .map_err(|error| format!("the page is not a membership container: {error}"))?;
    let shared = |value: Option<String>| value.filter(|text| !text.trim().is_empty());
    container
        .members
        .into_iter()
        .filter(|member| !member.user_id.is_empty())
        .map(|member| {
            Ok(RosterMember {
                status: MemberStatus::parse(member.status.as_deref())?,
                subject: member.user_id,
                name: shared(member.name),
                given_name: shared(member.given_name),
                family_name: shared(member.family_name),
                roles: member.roles,
            })
        })
        .collect()
}

/// Reads every page of the membership service at `url`.
pub async fn fetch_roster(
    http: &PlatformHttp,
    tokens: &dyn ServiceTokens,
    platform: &Platform,
    url: &str,
) -> Result<Roster, String> {
    let token = tokens.token(platform, &[SCOPE]).await?;
    let first = Url::parse(url).map_err(|error| format!("{url:?} is not a URL: {error}"))?;
    let mut roster = Roster {
        members: Vec::new(),
        pages: 0,
        complete: true,
    };
    let mut seen = HashSet::new();
    let mut next = Some(first.clone());
    while let Some(page_url) = next.take() {
        if !seen.insert(page_url.to_string()) {
            tracing::warn!(url = %page_url, "membership paging repeats a page; stopping");
            break;
        }
        if roster.pages == MAX_PAGES {
            tracing::warn!(url = %first, pages = MAX_PAGES, "membership paging stopped at the page limit");
            roster.complete = false;
            break;
        }
        let (members, link) = fetch_page(http, &token, &page_url).await?;
        roster.pages += 1;
        if members.is_empty() {
            break;
        }
        roster.members.extend(members);
        next = link
            .map(|target| next_page(&first, &page_url, &target))
            .transpose()?;
    }
    Ok(roster)
}

/// Resolves a next-page link and keeps it on the origin of the first page, because the
/// service token must not be sent to another host.
fn next_page(first: &Url, current: &Url, target: &str) -> Result<Url, String> {
    let resolved = current
        .join(target.trim())
        .map_err(|error| format!("the next-page link {target:?} is not a URL: {error}"))?;
    if resolved.origin() != first.origin() {
        return Err(format!(
            "the next-page link {resolved} leaves the membership service's origin {}",
            first.origin().ascii_serialization()
        ));
    }
    Ok(resolved)
}

async fn fetch_page(
    http: &PlatformHttp,
    token: &str,
    url: &Url,
) -> Result<(Vec<RosterMember>, Option<String>), String> {
    let response = http
        .get(url.as_str())
        .map_err(|error| error.to_string())?
        .bearer_auth(token)
        .header(ACCEPT, MEMBERSHIP_CONTAINER)
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .map_err(|error| format!("fetching {url} failed: {}", describe(&error)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!(
            "the membership service {url} answered HTTP status {status}"
        ));
    }
    let content_type = header_text(&response, CONTENT_TYPE).unwrap_or_default();
    if !content_type.contains("json") {
        return Err(format!(
            "the membership service {url} sent {content_type:?} instead of {MEMBERSHIP_CONTAINER}"
        ));
    }
    let links: Vec<String> = response
        .headers()
        .get_all(LINK)
        .iter()
        // Typographic quotes arrive as UTF-8, which `HeaderValue::to_str` rejects.
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .collect();
    let body = read_capped(response, MAX_PAGE_BYTES)
        .await
        .map_err(|error| format!("reading {url} failed: {error}"))?;
    let members = parse_page(&body).map_err(|error| format!("{url}: {error}"))?;
    let next = link_header::find_relation(links.iter().map(String::as_str), "next");
    Ok((members, next))
}

fn header_text(response: &reqwest::Response, name: reqwest::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}
