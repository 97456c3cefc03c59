//! Security headers on every response, and the Content-Security-Policy of HTML pages.
//!
//! A page's `frame-ancestors` names the origin that may show it in a frame:
//!
//! - a page of a session, or of a deep linking request, names the origin of the platform
//!   that launched it, which the handler records with [`note_frame_ancestor`];
//! - an error page, and any page under `/lti/`, names every registered platform's
//!   origin, because a rejected launch shows its error inside the platform's frame;
//! - every other page (the home page, health checks) may not be framed at all.
//!
//! A platform's origin is the origin of its issuer. Moodle's issuer is its site URL
//! (`wwwroot`), which is the origin of the course page that contains the frame. A platform
//! whose issuer is not an http(s) URL falls back to the origin of its authorization
//! endpoint, the only other page of it that a browser visits.
//!
//! NOTE: a session records only its platform's issuer origin, so the pages of a session
//! from a platform whose issuer is not an http(s) URL may not be framed at all and must
//! be opened in a new window.

use std::cell::RefCell;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::app::AppState;
use crate::error::AppError;
use crate::store::Platform;

/// How long the list of registered platform origins is reused before it is read again.
const PLATFORM_ORIGINS_TTL: Duration = Duration::from_secs(30);
/// `Strict-Transport-Security` for an https public URL: one year.
const HSTS: &str = "max-age=31536000";
/// Browser features cowork never uses, denied to its pages and to anything they embed.
const PERMISSIONS_POLICY: &str = "accelerometer=(), ambient-light-sensor=(), autoplay=(), \
     battery=(), camera=(), display-capture=(), encrypted-media=(), geolocation=(), \
     gyroscope=(), hid=(), idle-detection=(), magnetometer=(), microphone=(), midi=(), \
     payment=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), \
     xr-spatial-tracking=()";

/// Facts a handler recorded about the page it renders.
#[derive(Debug, Default, Clone)]
struct Noted {
    /// Origin of the platform whose session or request the page belongs to.
    frame_ancestor: Option<String>,
    /// Origin outside cowork that the page's form posts to.
    form_target: Option<String>,
}

tokio::task_local! {
    /// Set for each request by [`security_headers`].
    static NOTED: RefCell<Noted>;
}

/// Records that the current request's page belongs to the platform at `platform_origin`,
/// so only that origin may frame it. Outside a request it does nothing.
pub fn note_frame_ancestor(platform_origin: &str) {
    let Some(origin) = web_origin(platform_origin) else {
        return;
    };
    let _ = NOTED.try_with(|noted| noted.borrow_mut().frame_ancestor = Some(origin));
}

/// Records the platform URL that the current request's page posts its form to.
pub fn note_form_target(url: &str) {
    let Some(origin) = web_origin(url) else {
        return;
    };
    let _ = NOTED.try_with(|noted| noted.borrow_mut().form_target = Some(origin));
}

/// Returns the origin of an http(s) URL, or `None` for anything else.
pub(crate) fn web_origin(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return None;
    }
    Some(parsed.origin().ascii_serialization())
}

/// Returns the origin whose pages frame a platform's launches (see the module documentation).
pub fn platform_origin(platform: &Platform) -> Option<String> {
    web_origin(&platform.issuer).or_else(|| web_origin(&platform.auth_url))
}

/// The registered platforms' origins, read from the database at most every
/// [`PLATFORM_ORIGINS_TTL`], so that a flood of error pages costs no queries.
#[derive(Default)]
pub struct PlatformOrigins {
    cached: Mutex<Option<(Instant, String)>>,
}

impl PlatformOrigins {
    /// Returns the origins as a CSP source list, `'none'` when no platform is registered.
    async fn source_list(&self, state: &AppState) -> String {
        if let Some((read_at, list)) = self.cached.lock().expect("lock").as_ref() {
            if read_at.elapsed() < PLATFORM_ORIGINS_TTL {
                return list.clone();
            }
        }
        let list = match state.store.platforms().await {
            Ok(platforms) => {
                let mut origins: Vec<String> =
                    platforms.iter().filter_map(platform_origin).collect();
                origins.sort();
                origins.dedup();
                if origins.is_empty() {
                    "'none'".to_string()
                } else {
                    origins.join(" ")
                }
            }
            Err(error) => {
                // The page then cannot be framed; the next request reads again.
                tracing::warn!(%error, "reading platform origins for frame-ancestors failed");
                return "'none'".to_string();
            }
        };
        *self.cached.lock().expect("lock") = Some((Instant::now(), list.clone()));
        list
    }
}

/// Rejects a state-changing request to a space or to the deep linking picker that a
/// page of another origin sent (403 `foreign_origin`).
///
/// This is the first of two CSRF defences. A request is foreign when its `Origin` names
/// another origin, or when the browser marks it `Sec-Fetch-Site: cross-site` or
/// `same-site`. cowork's own pages, framed or not, send cowork's origin and
/// `same-origin`. A native form on a page with `Referrer-Policy: no-referrer` (every
/// cowork page) sends `Origin: null`, so `null` alone proves nothing either way.
/// Requests without these headers (not from a browser) pass on to the second defence.
/// That one is in the handlers. A write must carry the session token in the
/// `X-Cowork-Token` header or, for the multipart upload, in its `lt` field, which a page
/// of another site cannot read. The session cookie alone never authorizes a write.
/// `/lti/login` and `/lti/launch` are exempt, because the platform's page posts them
/// across sites by design; a launch proves itself with its signed id_token.
pub async fn reject_foreign_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let path = request.uri().path();
    let guarded = path.starts_with("/spaces/") || path.starts_with("/lti/deep-link/");
    if safe || !guarded {
        return next.run(request).await;
    }
    let expected = state.config.public_url.origin().ascii_serialization();
    let headers = request.headers();
    let origin = header_text(headers, header::ORIGIN);
    let fetch_site = header_text(headers, header::HeaderName::from_static("sec-fetch-site"));
    let foreign_origin = origin
        .as_deref()
        .is_some_and(|origin| origin != "null" && origin != expected);
    let cross_site = matches!(fetch_site.as_deref(), Some("cross-site" | "same-site"));
    if foreign_origin || cross_site {
        tracing::warn!(
            origin,
            fetch_site,
            method = %request.method(),
            "state-changing request from a foreign origin rejected"
        );
        return AppError::ForeignOrigin.respond(headers).into_response();
    }
    next.run(request).await
}

/// Adds the security headers to every response, and a Content-Security-Policy to HTML.
///
/// No `X-Frame-Options` is sent: it can only deny framing or allow the same origin, and
/// cowork must be framed by the platform's origin, which only `frame-ancestors` can name.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let under_lti = request.uri().path().starts_with("/lti/");
    let (mut response, noted) = NOTED
        .scope(RefCell::new(Noted::default()), async {
            let response = next.run(request).await;
            (response, NOTED.with(|noted| noted.borrow().clone()))
        })
        .await;

    let headers = response.headers_mut();
    // Session tokens travel in URLs, so no page may leak its address to another site.
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(PERMISSIONS_POLICY),
    );
    if state.config.public_url.scheme() == "https" {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }

    // A handler's own policy stays, such as `sandbox` on showcase downloads.
    if !is_html(headers) || headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        return response;
    }
    let frame_ancestors = match noted.frame_ancestor {
        Some(origin) => origin,
        None if under_lti || is_error(response.status()) => {
            state.platform_origins.source_list(&state).await
        }
        None => "'none'".to_string(),
    };
    let policy = content_security_policy(
        &state.config.public_url,
        &frame_ancestors,
        noted.form_target.as_deref(),
    );
    match HeaderValue::from_str(&policy) {
        Ok(value) => {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, value);
        }
        Err(error) => {
            // Origins are ASCII serializations, so this needs a bug to happen. The page
            // is then served under the strictest policy rather than none.
            tracing::error!(%error, "Content-Security-Policy is not a valid header value");
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
            );
        }
    }
    response
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|value| value.to_str().unwrap_or("(not text)").to_string())
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

fn is_error(status: StatusCode) -> bool {
    status.is_client_error() || status.is_server_error()
}

/// Builds the policy of an HTML page. Scripts and styles come only from cowork's `/assets/`
/// (JSON data blocks in `<script type="application/json">` are not scripts and need no
/// source). `connect-src` names the WebSocket origin explicitly, because browsers before
/// CSP Level 3 do not let `'self'` match `ws:` and `wss:`.
pub fn content_security_policy(
    public_url: &Url,
    frame_ancestors: &str,
    form_target: Option<&str>,
) -> String {
    let origin = public_url.origin().ascii_serialization();
    let socket_origin = match public_url.scheme() {
        "https" => origin.replacen("https://", "wss://", 1),
        _ => origin.replacen("http://", "ws://", 1),
    };
    let form_action = match form_target {
        Some(target) => format!("'self' {target}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self' {socket_origin}; object-src 'none'; base-uri 'none'; \
         form-action {form_action}; frame-ancestors {frame_ancestors}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_origin_follows_scheme() {
        let https =
            content_security_policy(&Url::parse("https://cw.example").unwrap(), "'none'", None);
        assert!(
            https.contains("connect-src 'self' wss://cw.example;"),
            "{https}"
        );
        let http = content_security_policy(
            &Url::parse("http://127.0.0.1:3000").unwrap(),
            "'none'",
            None,
        );
        assert!(
            http.contains("connect-src 'self' ws://127.0.0.1:3000;"),
            "{http}"
        );
    }

    #[test]
    fn form_target_added_to_form_action() {
        let policy = content_security_policy(
            &Url::parse("https://cw.example").unwrap(),
            "https://moodle.example",
            Some("https://moodle.example"),
        );
        assert!(
            policy.contains("form-action 'self' https://moodle.example;"),
            "{policy}"
        );
        assert!(
            policy.ends_with("frame-ancestors https://moodle.example"),
            "{policy}"
        );
    }

    #[test]
    fn platform_origin_prefers_issuer() {
        let mut platform = Platform {
            id: 1,
            issuer: "https://moodle.example.edu".into(),
            client_id: "c".into(),
            auth_url: "https://auth.example.edu/mod/lti/auth.php".into(),
            token_url: String::new(),
            jwks_url: String::new(),
            deployments: Vec::new(),
        };
        assert_eq!(
            platform_origin(&platform).as_deref(),
            Some("https://moodle.example.edu")
        );
        platform.issuer = "urn:example:platform".into();
        assert_eq!(
            platform_origin(&platform).as_deref(),
            Some("https://auth.example.edu")
        );
    }

    #[test]
    fn web_origin_rejects_other_schemes() {
        assert_eq!(web_origin("javascript:alert(1)"), None);
        assert_eq!(
            web_origin("https://m.example/a/b?c").as_deref(),
            Some("https://m.example")
        );
    }
}
