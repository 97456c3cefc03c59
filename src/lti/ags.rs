//! Client of LTI Assignment and Grade Services 2.0: line items, scores and results.
//!
//! Every request carries the exact IMS media type the platform routes on. Moodle 4.2
//! rejects any other `Content-Type` or `Accept` with 400 ("No handler found").

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use super::service_token::{
    ServiceTokens, TokenError, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
};
use crate::net::{check_url, PlatformHttp};
use crate::store::Platform;

pub const MEDIA_SCORE: &str = "application/vnd.ims.lis.v1.score+json";
pub const MEDIA_RESULTS: &str = "application/vnd.ims.lis.v2.resultcontainer+json";
pub const MEDIA_LINE_ITEM: &str = "application/vnd.ims.lis.v2.lineitem+json";
pub const MEDIA_LINE_ITEMS: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";

/// A gradebook column as AGS describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub label: String,
    pub score_maximum: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_link_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// One score publication. `timestamp` is RFC 3339 and must grow for each user, because
/// the platform keeps the score with the latest timestamp.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub user_id: String,
    pub score_given: f64,
    pub score_maximum: f64,
    pub activity_progress: String,
    pub grading_progress: String,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Score {
    /// A final score: `Completed` and `FullyGraded`, as a gradebook records it.
    pub fn completed(user_id: &str, given: f64, maximum: f64, timestamp: i64) -> Self {
        Self {
            user_id: user_id.to_string(),
            score_given: given,
            score_maximum: maximum,
            activity_progress: "Completed".into(),
            grading_progress: "FullyGraded".into(),
            timestamp: rfc3339(timestamp),
            comment: None,
        }
    }
}

/// One entry of a result container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultEntry {
    pub user_id: String,
    #[serde(default)]
    pub result_score: Option<f64>,
    #[serde(default)]
    pub result_maximum: Option<f64>,
    #[serde(default)]
    pub timestamp: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AgsError {
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("the grade service at {url} could not be reached: {detail}")]
    Transport { url: String, detail: String },
    #[error("the grade service at {url} answered HTTP {status}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("the grade service at {url} sent an unreadable reply: {detail}")]
    InvalidReply { url: String, detail: String },
    #[error("the line item URL {0:?} is not a valid absolute URL")]
    InvalidUrl(String),
    /// A service URL is refused by the address policy.
    #[error(transparent)]
    Outbound(#[from] crate::net::OutboundError),
}

/// Inserts `/{suffix}` at the end of the line item URL's path and keeps its query, so
/// `.../lineitem?type_id=2` becomes `.../lineitem/scores?type_id=2`.
pub fn service_url(line_item_url: &str, suffix: &str) -> Result<String, AgsError> {
    let mut url =
        Url::parse(line_item_url).map_err(|_| AgsError::InvalidUrl(line_item_url.into()))?;
    if url.cannot_be_a_base() {
        return Err(AgsError::InvalidUrl(line_item_url.into()));
    }
    let path = format!("{}/{suffix}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url.to_string())
}

/// Formats Unix seconds as RFC 3339 in UTC with whole seconds, as Moodle writes them.
pub fn rfc3339(unix_seconds: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|moment| moment.format(&format).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00+00:00".into())
}

/// Sends AGS requests with a service token, refreshing the token once on a 401.
#[derive(Clone)]
pub struct AgsClient {
    http: reqwest::Client,
    /// Whether service URLs may name private and local addresses.
    allow_private: bool,
    tokens: Arc<ServiceTokens>,
}

impl AgsClient {
    pub fn new(http: &PlatformHttp, tokens: Arc<ServiceTokens>) -> Self {
        Self {
            http: http.client(),
            allow_private: http.allows_private(),
            tokens,
        }
    }

    /// Posts a score to a line item. Success is 200, 201 or 204; anything else is
    /// [`AgsError::Status`] for the caller to classify.
    pub async fn post_score(
        &self,
        platform: &Platform,
        line_item_url: &str,
        score: &Score,
    ) -> Result<(), AgsError> {
        let url = service_url(line_item_url, "scores")?;
        let body = serde_json::to_vec(score).expect("a score serializes");
        self.send(platform, &[SCOPE_SCORE], &url, |request| {
            request
                .header(reqwest::header::CONTENT_TYPE, MEDIA_SCORE)
                .body(body.clone())
        })
        .await?;
        Ok(())
    }

    /// Reads one line item with the read-only scope.
    pub async fn line_item(&self, platform: &Platform, url: &str) -> Result<LineItem, AgsError> {
        let body = self
            .get(platform, &[SCOPE_LINEITEM_READONLY], url, MEDIA_LINE_ITEM)
            .await?;
        parse(url, &body)
    }

    /// Creates a line item in the platform's line items container.
    pub async fn create_line_item(
        &self,
        platform: &Platform,
        container_url: &str,
        item: &LineItem,
    ) -> Result<LineItem, AgsError> {
        let body = serde_json::to_vec(item).expect("a line item serializes");
        let reply = self
            .send(platform, &[SCOPE_LINEITEM], container_url, |request| {
                request
                    .header(reqwest::header::CONTENT_TYPE, MEDIA_LINE_ITEM)
                    .header(reqwest::header::ACCEPT, MEDIA_LINE_ITEM)
                    .body(body.clone())
            })
            .await?;
        parse(container_url, &reply)
    }

    /// Reads the results of a line item.
    pub async fn results(
        &self,
        platform: &Platform,
        line_item_url: &str,
    ) -> Result<Vec<ResultEntry>, AgsError> {
        let url = service_url(line_item_url, "results")?;
        let body = self
            .get(platform, &[SCOPE_RESULT_READONLY], &url, MEDIA_RESULTS)
            .await?;
        parse(&url, &body)
    }

    async fn get(
        &self,
        platform: &Platform,
        scopes: &[&str],
        url: &str,
        accept: &str,
    ) -> Result<String, AgsError> {
        let http = self.http.clone();
        let url_owned = url.to_string();
        let accept = accept.to_string();
        self.request(platform, scopes, url, move |token| {
            http.get(&url_owned)
                .header(reqwest::header::ACCEPT, accept.as_str())
                .bearer_auth(token)
        })
        .await
    }

    async fn send(
        &self,
        platform: &Platform,
        scopes: &[&str],
        url: &str,
        with_body: impl Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<String, AgsError> {
        let http = self.http.clone();
        self.request(platform, scopes, url, |token| {
            with_body(http.post(url).bearer_auth(token))
        })
        .await
    }

    /// Runs a request; after a 401 it drops the token, requests a new one and tries once more.
    async fn request(
        &self,
        platform: &Platform,
        scopes: &[&str],
        url: &str,
        build: impl Fn(&str) -> reqwest::RequestBuilder,
    ) -> Result<String, AgsError> {
        check_url(url, self.allow_private)?;
        let mut refreshed = false;
        loop {
            let token = self.tokens.token(platform, scopes).await?;
            let transport = |error: reqwest::Error| AgsError::Transport {
                url: url.to_string(),
                // The whole error chain, so the message names a host that resolves to a private address.
                detail: crate::net::describe(&error),
            };
            let response = build(&token.value).send().await.map_err(transport)?;
            let status = response.status().as_u16();
            let body = response.text().await.map_err(transport)?;
            if status == 401 && !refreshed {
                tracing::info!(
                    platform_id = platform.id,
                    url,
                    "service token rejected, refreshing"
                );
                self.tokens.invalidate(platform, scopes, &token.value).await;
                refreshed = true;
                continue;
            }
            if (200..300).contains(&status) {
                return Ok(body);
            }
            return Err(AgsError::Status {
                url: url.to_string(),
                status,
                body: body.chars().take(500).collect(),
            });
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(url: &str, body: &str) -> Result<T, AgsError> {
    serde_json::from_str(body).map_err(|error| AgsError::InvalidReply {
        url: url.to_string(),
        detail: error.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_url_keeps_moodle_query() {
        let url = "http://127.0.0.1:8080/mod/lti/services.php/2/lineitems/2/lineitem?type_id=2";
        assert_eq!(
            service_url(url, "scores").unwrap(),
            "http://127.0.0.1:8080/mod/lti/services.php/2/lineitems/2/lineitem/scores?type_id=2"
        );
        assert_eq!(
            service_url(url, "results").unwrap(),
            "http://127.0.0.1:8080/mod/lti/services.php/2/lineitems/2/lineitem/results?type_id=2"
        );
    }

    #[test]
    fn scores_url_without_query() {
        assert_eq!(
            service_url("https://lms.example/items/7", "scores").unwrap(),
            "https://lms.example/items/7/scores"
        );
    }

    #[test]
    fn scores_url_with_trailing_slash_and_several_parameters() {
        assert_eq!(
            service_url("https://lms.example/items/7/?a=1&b=x%2Fy", "scores").unwrap(),
            "https://lms.example/items/7/scores?a=1&b=x%2Fy"
        );
    }

    #[test]
    fn scores_url_drops_no_fragment_into_path() {
        assert_eq!(
            service_url("https://lms.example/items/7?type_id=3#top", "results").unwrap(),
            "https://lms.example/items/7/results?type_id=3#top"
        );
    }

    #[test]
    fn invalid_line_item_url_is_rejected() {
        assert!(service_url("lineitem?type_id=2", "scores").is_err());
        assert!(service_url("mailto:grades@example.edu", "scores").is_err());
    }

    #[test]
    fn timestamps_use_whole_seconds_utc() {
        assert_eq!(rfc3339(1796398780), "2026-12-04T15:39:40+00:00");
    }

    #[test]
    fn completed_score_serializes_as_ags() {
        let score = Score::completed("4", 42.0, 50.0, 1796398780);
        let json = serde_json::to_value(&score).unwrap();
        assert_eq!(json["userId"], "4");
        assert_eq!(json["activityProgress"], "Completed");
        assert_eq!(json["gradingProgress"], "FullyGraded");
        assert_eq!(json["scoreMaximum"], 50.0);
        assert!(json.get("comment").is_none());
    }
}
