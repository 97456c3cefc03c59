//! Tool keys and their JWKS, the platform JWKS cache, and reading a platform's OpenID
//! configuration, each against real HTTP servers on 127.0.0.1.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use cowork::keys;
use cowork::lti::discovery;
use cowork::lti::jwks::{JwksCache, KeyError, KeySource};
use cowork::net::PlatformHttp;
use serde_json::Value;
use tokio::net::TcpListener;

const MOODLE_CONFIGURATION: &str = include_str!("fixtures/openid-configuration.json");

/// Serves `body()` at `path` and counts the requests.
async fn serve_counted(
    path: &'static str,
    body: Arc<Mutex<(u16, String)>>,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let router = Router::new().route(
        path,
        get(move || {
            let counter = counter.clone();
            let body = body.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let (status, text) = body.lock().unwrap().clone();
                (
                    axum::http::StatusCode::from_u16(status).unwrap(),
                    [("content-type", "application/json")],
                    text,
                )
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}{path}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, hits)
}

fn jwks_body(keys: &[&keys::GeneratedKey]) -> String {
    let set = keys::Jwks {
        keys: keys
            .iter()
            .map(|key| keys::public_jwk(&rsa::RsaPublicKey::from(&key.private_key), &key.kid))
            .collect(),
    };
    serde_json::to_string(&set).unwrap()
}

#[tokio::test]
async fn tool_jwks_published() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let response = app
        .http
        .get(format!("{}/.well-known/jwks.json", app.tool_url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let jwks: Value = response.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1, "one key after first start");
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["use"], "sig");
    assert!(keys[0]["kid"].as_str().is_some_and(|kid| !kid.is_empty()));
    assert!(keys[0].get("d").is_none(), "no private part is published");
}

#[tokio::test]
async fn rotated_key_published_during_grace() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let store = app.state.store.as_ref();
        let now = cowork::unix_now();
        let grace = app.state.config.key_grace_secs;
        let before = keys::published_jwks(store, &keys::KeyVault::unsealed(), now, grace)
            .await
            .unwrap();
        let new_kid = keys::rotate(store, &keys::KeyVault::unsealed(), now)
            .await
            .unwrap();

        let during = keys::published_jwks(store, &keys::KeyVault::unsealed(), now + 1, grace)
            .await
            .unwrap();
        let kids: Vec<&str> = during.keys.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids.len(), 2, "{backend:?}: {kids:?}");
        assert!(kids.contains(&new_kid.as_str()), "{backend:?}");
        assert!(kids.contains(&before.keys[0].kid.as_str()), "{backend:?}");

        let after =
            keys::published_jwks(store, &keys::KeyVault::unsealed(), now + grace + 1, grace)
                .await
                .unwrap();
        let kids: Vec<&str> = after.keys.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(
            kids,
            vec![new_kid.as_str()],
            "{backend:?}: old key gone after grace"
        );
    }
}

#[tokio::test]
async fn unknown_kid_refetched_once_per_cooldown() {
    let first = keys::generate_key();
    let second = keys::generate_key();
    let body = Arc::new(Mutex::new((200, jwks_body(&[&first]))));
    let (url, hits) = serve_counted("/jwks", body.clone()).await;
    let cache = JwksCache::new(
        PlatformHttp::new(true),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );

    cache.decoding_key(&url, &first.kid).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 1, "first use fetches");
    cache.decoding_key(&url, &first.kid).await.unwrap();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "known kid served from cache"
    );

    for _ in 0..5 {
        let Err(error) = cache.decoding_key(&url, "forged-kid").await else {
            panic!("a forged kid must not resolve");
        };
        assert!(matches!(error, KeyError::UnknownKid { .. }), "{error}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "no refetch within the cooldown"
    );

    // The platform rotates; a cache with no cooldown picks the new key up at once.
    *body.lock().unwrap() = (200, jwks_body(&[&first, &second]));
    let eager = JwksCache::new(
        PlatformHttp::new(true),
        Duration::ZERO,
        Duration::from_secs(3600),
    );
    eager.decoding_key(&url, &first.kid).await.unwrap();
    eager.decoding_key(&url, &second.kid).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2, "one fetch serves both keys");
}

#[tokio::test]
async fn platform_rotation_picked_up_after_cooldown() {
    let first = keys::generate_key();
    let second = keys::generate_key();
    let body = Arc::new(Mutex::new((200, jwks_body(&[&first]))));
    let (url, hits) = serve_counted("/jwks", body.clone()).await;
    let cache = JwksCache::new(
        PlatformHttp::new(true),
        Duration::ZERO,
        Duration::from_secs(3600),
    );

    cache.decoding_key(&url, &first.kid).await.unwrap();
    *body.lock().unwrap() = (200, jwks_body(&[&second]));
    cache.decoding_key(&url, &second.kid).await.unwrap();
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn cached_keys_survive_jwks_outage() {
    let first = keys::generate_key();
    let body = Arc::new(Mutex::new((200, jwks_body(&[&first]))));
    let (url, _hits) = serve_counted("/jwks", body.clone()).await;
    let cache = JwksCache::new(
        PlatformHttp::new(true),
        Duration::ZERO,
        Duration::from_secs(3600),
    );
    cache.decoding_key(&url, &first.kid).await.unwrap();

    *body.lock().unwrap() = (503, "{}".into());
    cache
        .decoding_key(&url, &first.kid)
        .await
        .expect("a cached key keeps working while the JWKS is down");
    let Err(error) = cache.decoding_key(&url, "other").await else {
        panic!("an unknown kid must not resolve while the JWKS is down");
    };
    assert!(matches!(error, KeyError::Fetch { .. }), "{error}");
}

fn moodle_configuration_body() -> String {
    let recorded: Value = serde_json::from_str(MOODLE_CONFIGURATION).unwrap();
    recorded["response"]["body"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn moodle_configuration_parsed() {
    let body = Arc::new(Mutex::new((200, moodle_configuration_body())));
    let (url, _) = serve_counted("/mod/lti/openid-configuration.php", body).await;
    let endpoints = discovery::fetch_configuration(&PlatformHttp::new(true), &url)
        .await
        .unwrap();
    assert_eq!(endpoints.issuer, "http://127.0.0.1:8080");
    assert_eq!(endpoints.auth_url, "http://127.0.0.1:8080/mod/lti/auth.php");
    assert_eq!(
        endpoints.token_url,
        "http://127.0.0.1:8080/mod/lti/token.php"
    );
    assert_eq!(
        endpoints.jwks_url,
        "http://127.0.0.1:8080/mod/lti/certs.php"
    );
}

#[test]
fn configuration_from_other_host_rejected() {
    let body = moodle_configuration_body().replace(
        "\"issuer\": \"http://127.0.0.1:8080\"",
        "\"issuer\": \"https://moodle.example.edu\"",
    );
    assert!(
        body.contains("moodle.example.edu"),
        "fixture layout changed"
    );
    let source = "http://127.0.0.1:8080/mod/lti/openid-configuration.php"
        .parse()
        .unwrap();
    let error = discovery::parse_configuration(&source, body.as_bytes()).unwrap_err();
    assert!(error.contains("another host"), "{error}");
}

#[tokio::test]
async fn platform_added_from_configuration() {
    let body = Arc::new(Mutex::new((200, moodle_configuration_body())));
    let (url, _) = serve_counted("/mod/lti/openid-configuration.php", body).await;
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("cowork.db").display());
    let run = |args: Vec<String>, allow_private: &'static str| {
        let database = database.clone();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_cowork"))
                .args(args)
                .env("COWORK_DATABASE_URL", database)
                .env("COWORK_ALLOW_PRIVATE_ADDRESSES", allow_private)
                .output()
                .unwrap()
        })
    };
    let add = vec![
        "platform".into(),
        "add".into(),
        "--openid-configuration".into(),
        url,
        "--client-id".into(),
        "gvotjDE3u2vYZGV".into(),
        "--deployment-id".into(),
        "2".into(),
    ];
    // The configuration is on 127.0.0.1, which the outbound policy rejects by default.
    let rejected = run(add.clone(), "false").await.unwrap();
    assert!(!rejected.status.success());
    let message = String::from_utf8_lossy(&rejected.stderr);
    assert!(message.contains("private or local address"), "{message}");

    let added = run(add, "true").await.unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let listed = run(
        vec!["platform".into(), "list".into(), "--json".into()],
        "false",
    )
    .await
    .unwrap();
    let platforms: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(platforms[0]["issuer"], "http://127.0.0.1:8080");
    assert_eq!(
        platforms[0]["jwks_url"],
        "http://127.0.0.1:8080/mod/lti/certs.php"
    );
    assert_eq!(platforms[0]["deployments"], serde_json::json!(["2"]));
}

#[tokio::test]
async fn failed_first_fetch_remembered_briefly() {
    let body = Arc::new(Mutex::new((503, "{}".to_string())));
    let (url, hits) = serve_counted("/jwks", body).await;
    let cache = JwksCache::new(
        PlatformHttp::new(true),
        Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    for attempt in 0..5 {
        let Err(error) = cache.decoding_key(&url, "any").await else {
            panic!("an unavailable JWKS must not resolve");
        };
        assert!(
            matches!(error, KeyError::Fetch { .. }),
            "attempt {attempt}: {error}"
        );
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "one fetch serves the failure to the others"
    );
}

#[tokio::test]
async fn oversized_jwks_rejected() {
    let key = keys::generate_key();
    let mut document: Value = serde_json::from_str(&jwks_body(&[&key])).unwrap();
    document["padding"] = Value::String("x".repeat(2 * 1024 * 1024));
    let body = Arc::new(Mutex::new((200, document.to_string())));
    let (url, _) = serve_counted("/jwks", body).await;
    let cache = JwksCache::new(
        PlatformHttp::new(true),
        Duration::ZERO,
        Duration::from_secs(3600),
    );
    let Err(error) = cache.decoding_key(&url, &key.kid).await else {
        panic!("an oversized JWKS must not be read");
    };
    assert!(error.to_string().contains("larger than"), "{error}");
}

/// Signs a token with `key` and returns whether `cache` verifies it through the JWKS at
/// `url`, under the `kid` that `key` claims.
async fn verifies(cache: &JwksCache, url: &str, key: &keys::GeneratedKey, kid: &str) -> bool {
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(kid.to_string());
    let encoding = jsonwebtoken::EncodingKey::from_rsa_pem(key.pem.as_bytes()).unwrap();
    let claims = serde_json::json!({ "sub": "s", "exp": cowork::unix_now() + 60 });
    let token = jsonwebtoken::encode(&header, &claims, &encoding).unwrap();
    let Ok(decoding) = cache.decoding_key(url, kid).await else {
        return false;
    };
    let validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    jsonwebtoken::decode::<Value>(&token, &decoding, &validation).is_ok()
}

/// Builds the JWKS of `key` published under `kid`, as a platform that reuses a `kid` serves it.
fn jwks_with_kid(key: &keys::GeneratedKey, kid: &str) -> String {
    let jwk = keys::public_jwk(&rsa::RsaPublicKey::from(&key.private_key), kid);
    serde_json::to_string(&keys::Jwks { keys: vec![jwk] }).unwrap()
}

#[tokio::test]
async fn withdrawn_platform_key_stops_after_max_age() {
    let first = keys::generate_key();
    let second = keys::generate_key();
    let body = Arc::new(Mutex::new((200, jwks_body(&[&first]))));
    let (url, hits) = serve_counted("/jwks", body.clone()).await;
    let max_age = Duration::from_millis(300);
    let cache = JwksCache::new(PlatformHttp::new(true), Duration::ZERO, max_age);
    assert!(verifies(&cache, &url, &first, &first.kid).await);

    *body.lock().unwrap() = (200, jwks_body(&[&second]));
    assert!(
        verifies(&cache, &url, &first, &first.kid).await,
        "within the maximum age the cached key still verifies"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 1, "no fetch for a fresh set");

    tokio::time::sleep(max_age + Duration::from_millis(50)).await;
    assert!(
        !verifies(&cache, &url, &first, &first.kid).await,
        "a key the platform withdrew must stop verifying once the set is refreshed"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "the old set was fetched again"
    );
    assert!(verifies(&cache, &url, &second, &second.kid).await);
}

#[tokio::test]
async fn replaced_key_under_same_kid_picked_up() {
    let first = keys::generate_key();
    let second = keys::generate_key();
    let body = Arc::new(Mutex::new((200, jwks_with_kid(&first, "moodle-key"))));
    let (url, _hits) = serve_counted("/jwks", body.clone()).await;
    let max_age = Duration::from_millis(300);
    let cache = JwksCache::new(PlatformHttp::new(true), Duration::ZERO, max_age);
    assert!(verifies(&cache, &url, &first, "moodle-key").await);

    *body.lock().unwrap() = (200, jwks_with_kid(&second, "moodle-key"));
    tokio::time::sleep(max_age + Duration::from_millis(50)).await;
    assert!(
        verifies(&cache, &url, &second, "moodle-key").await,
        "the new key under the same kid verifies without a restart"
    );
    assert!(
        !verifies(&cache, &url, &first, "moodle-key").await,
        "the replaced key no longer verifies"
    );
}

#[tokio::test]
async fn cached_key_outlives_stopped_jwks_server() {
    let first = keys::generate_key();
    let body = jwks_body(&[&first]);
    let router = Router::new().route(
        "/jwks",
        get(move || {
            let body = body.clone();
            async move { ([("content-type", "application/json")], body) }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    let max_age = Duration::from_millis(200);
    let cache = JwksCache::new(PlatformHttp::new(true), Duration::ZERO, max_age);
    assert!(verifies(&cache, &url, &first, &first.kid).await);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let refused = reqwest::get(&url).await;
    assert!(
        refused.is_err(),
        "the JWKS server must be down: {refused:?}"
    );

    tokio::time::sleep(max_age + Duration::from_millis(50)).await;
    assert!(
        verifies(&cache, &url, &first, &first.kid).await,
        "a cached key keeps verifying while the platform's JWKS is unreachable"
    );
    let other = keys::generate_key();
    assert!(
        !verifies(&cache, &url, &other, &other.kid).await,
        "an unknown key is not accepted while the JWKS is unreachable"
    );
}
