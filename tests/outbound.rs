//! The outbound address policy: requests to platform-supplied URLs on private or local
//! addresses are rejected unless `allow_private_addresses` is set.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use cowork::lti::discovery;
use cowork::lti::jwks::{JwksCache, KeyError, KeySource};
use cowork::net::{read_capped, PlatformHttp};
use tokio::net::TcpListener;

/// Serves a small JSON document and a large one on 127.0.0.1; returns the base URL.
async fn local_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new()
        .route("/jwks", get(|| async { r#"{"keys":[]}"# }))
        .route("/large", get(|| async { "x".repeat(100_000) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

#[tokio::test]
async fn loopback_literal_rejected_by_default() {
    let base = local_server().await;
    let http = PlatformHttp::new(false);
    let error = http.get(&format!("{base}/jwks")).unwrap_err().to_string();
    assert!(error.contains("127.0.0.1"), "{error}");
    assert!(error.contains("private or local address"), "{error}");
    assert!(error.contains("COWORK_ALLOW_PRIVATE_ADDRESSES"), "{error}");
}

#[tokio::test]
async fn hostname_resolving_to_loopback_rejected() {
    let base = local_server().await;
    let port = base.rsplit(':').next().unwrap();
    let http = PlatformHttp::new(false);
    let request = http
        .get(&format!("http://localhost:{port}/jwks"))
        .expect("a host name passes the literal check");
    let error = request.send().await.unwrap_err();
    let text = cowork::net::describe(&error);
    assert!(text.contains("resolves to"), "{text}");
    assert!(text.contains("private or local address"), "{text}");
}

#[tokio::test]
async fn jwks_fetch_names_the_policy() {
    let base = local_server().await;
    let cache = JwksCache::new(
        PlatformHttp::new(false),
        Duration::ZERO,
        Duration::from_secs(3600),
    );
    let error = cache
        .decoding_key(&format!("{base}/jwks"), "k1")
        .await
        .err()
        .expect("the fetch is rejected");
    assert!(matches!(error, KeyError::Fetch { .. }), "{error}");
    assert!(
        error.to_string().contains("allow_private_addresses"),
        "{error}"
    );
}

#[tokio::test]
async fn openid_configuration_fetch_rejected() {
    let base = local_server().await;
    let error = discovery::fetch_configuration(&PlatformHttp::new(false), &format!("{base}/jwks"))
        .await
        .unwrap_err();
    assert!(error.contains("private or local address"), "{error}");
}

#[tokio::test]
async fn loopback_allowed_when_setting_on() {
    let base = local_server().await;
    let http = PlatformHttp::new(true);
    let response = http
        .get(&format!("{base}/jwks"))
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = read_capped(response, 1024).await.unwrap();
    assert_eq!(body, br#"{"keys":[]}"#);
}

#[tokio::test]
async fn body_over_cap_rejected() {
    let base = local_server().await;
    let http = PlatformHttp::new(true);
    let response = http
        .get(&format!("{base}/large"))
        .unwrap()
        .send()
        .await
        .unwrap();
    let error = read_capped(response, 50_000).await.unwrap_err();
    assert!(error.contains("larger than 50000 bytes"), "{error}");
}

/// Accepts connections on 127.0.0.1 and counts them; returns the base URL and the count.
async fn counting_listener() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let counted = count.clone();
    tokio::spawn(async move {
        while let Ok((_stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (base, count)
}

/// A token source that needs no network, so the membership request itself is checked.
struct FixedToken;

#[async_trait::async_trait]
impl cowork::lti::nrps::ServiceTokens for FixedToken {
    async fn token(
        &self,
        _platform: &cowork::store::Platform,
        _scopes: &[&str],
    ) -> Result<String, String> {
        Ok("fixed-token".into())
    }
}

/// The service URLs that a launch names (the token endpoint of the registration, the
/// membership service and the grade service), each on a loopback address by IP and by
/// host name: every client rejects them before it connects.
#[tokio::test]
async fn launch_service_urls_rejected() {
    use std::sync::Arc;

    use cowork::lti::ags::{AgsClient, Score};
    use cowork::lti::nrps;
    use cowork::lti::service_token::ServiceTokens;

    for backend in common::backends() {
        let (base, connections) = counting_listener().await;
        let port = base.rsplit(':').next().unwrap().to_string();
        let dir = tempfile::tempdir().unwrap();
        let (store, _schema) = common::fresh_store_with_guard(backend, dir.path()).await;
        cowork::keys::ensure_signing_key(
            store.as_ref(),
            &cowork::keys::KeyVault::unsealed(),
            cowork::unix_now(),
        )
        .await
        .unwrap();
        let http = PlatformHttp::new(false);

        for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
            let platform = cowork::store::Platform {
                id: 1,
                issuer: "https://moodle.example.edu".into(),
                client_id: "client".into(),
                auth_url: "https://moodle.example.edu/mod/lti/auth.php".into(),
                token_url: format!("http://{host}/mod/lti/token.php"),
                jwks_url: format!("http://{host}/mod/lti/certs.php"),
                deployments: vec!["1".into()],
            };
            let tokens = Arc::new(ServiceTokens::new(&http, store.clone()));

            let error = tokens
                .token(&platform, &[nrps::SCOPE])
                .await
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("private or local address"),
                "{backend:?}: token endpoint {host}: {error}"
            );

            let memberships = format!("http://{host}/mod/lti/services.php/2/memberships");
            let Err(error) = nrps::fetch_roster(&http, &FixedToken, &platform, &memberships).await
            else {
                panic!("{backend:?}: membership request to {host} accepted");
            };
            assert!(
                error.contains("private or local address"),
                "{backend:?}: membership {host}: {error}"
            );

            let line_item = format!("http://{host}/mod/lti/services.php/2/lineitems/7/lineitem");
            let score = Score::completed("student", 1.0, 10.0, cowork::unix_now());
            let error = AgsClient::new(&http, tokens)
                .post_score(&platform, &line_item, &score)
                .await
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("private or local address"),
                "{backend:?}: grade service {host}: {error}"
            );
        }
        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "{backend:?}: no request reached the loopback listener"
        );
    }
}

/// Serves `/hop` on 127.0.0.1, redirecting to `location`, and returns the base URL.
async fn redirecting_server(location: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().route(
        "/hop",
        get(move || async move { axum::response::Redirect::temporary(&location) }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// A redirect from a platform URL to a loopback address, by IP and by host name, is not
/// followed. The first hop is on 127.0.0.1 too, which the literal check of
/// `PlatformHttp::get` rejects, so the request starts from the client it wraps. The
/// redirect policy and the resolver of that client are what stop the second hop.
#[tokio::test]
async fn redirect_to_loopback_not_followed() {
    for target in ["127.0.0.1", "localhost"] {
        let (base, connections) = counting_listener().await;
        let port = base.rsplit(':').next().unwrap();
        let start = redirecting_server(format!("http://{target}:{port}/jwks")).await;

        let client = PlatformHttp::new(false).client();
        let error = client
            .get(format!("{start}/hop"))
            .send()
            .await
            .expect_err("the redirect is not followed");
        let text = cowork::net::describe(&error);
        assert!(
            text.contains("private or local address"),
            "{target}: {text}"
        );
        assert_eq!(
            connections.load(Ordering::SeqCst),
            0,
            "{target}: the redirect target was not contacted"
        );

        // With private addresses allowed, the same redirect reaches the listener. So the
        // zero count above comes from the policy, not from an unreachable target.
        let _ = PlatformHttp::new(true)
            .client()
            .get(format!("{start}/hop"))
            .send()
            .await;
        assert_eq!(
            connections.load(Ordering::SeqCst),
            1,
            "{target}: the redirect is followed when allowed"
        );
    }
}

/// Dynamic registration with an OpenID configuration URL on a loopback address, by IP and
/// by host name, fails with the policy named and without connecting to it.
#[tokio::test]
async fn registration_to_loopback_rejected() {
    use cowork::web::register::invite_digest;

    for backend in common::backends() {
        let app = common::spawn_with(backend, |config| {
            config.allow_private_addresses = false;
        })
        .await;
        for target in ["127.0.0.1", "localhost"] {
            let (base, connections) = counting_listener().await;
            let port = base.rsplit(':').next().unwrap();
            let issuer = format!("http://{target}:{port}");
            let invite = format!("invite-{target}");
            let now = cowork::unix_now();
            app.state
                .store
                .insert_invite(&invite_digest(&invite), now, now + 3600)
                .await
                .unwrap();

            let response = app
                .http
                .get(format!("{}/lti/register/{invite}", app.tool_url))
                .query(&[
                    (
                        "openid_configuration",
                        format!("{issuer}/mod/lti/openid-configuration.php"),
                    ),
                    ("registration_token", "registration-token".into()),
                ])
                .send()
                .await
                .unwrap();
            let label = format!("{backend:?}, {target}");
            assert_eq!(response.status(), 502, "{label}");
            let page = response.text().await.unwrap();
            assert!(page.contains("private or local address"), "{label}: {page}");
            assert!(
                page.contains(target),
                "{label}: the page names the host: {page}"
            );
            assert_eq!(
                connections.load(Ordering::SeqCst),
                0,
                "{label}: the configuration URL was not contacted"
            );
            let stored = app.state.store.platforms_for_issuer(&issuer).await.unwrap();
            assert!(stored.is_empty(), "{label}: no platform stored");
        }
    }
}
