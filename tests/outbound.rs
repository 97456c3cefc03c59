//! The outbound address policy: requests to platform-supplied URLs on private or local
//! addresses are rejected unless `allow_private_addresses` is set.

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
