//! Service tokens: the client assertion against the rules of the recorded Moodle token
//! endpoint, caching, single-flight refresh, and the double's replies to the recorded
//! token requests.

mod common;

use std::sync::Arc;

use common::moodle::{
    fixture, recorded_tool_key, replay, MoodleDouble, RECORDED_CLIENT_ID, RECORDED_NOW,
};
use cowork::demo::gradebook::ToolKeys;
use cowork::keys;
use cowork::lti::service_token::{ServiceTokens, TokenError, SCOPE_LINEITEM, SCOPE_SCORE};
use cowork::net::PlatformHttp;
use cowork::store::{DynStore, NewPlatform, Platform};

/// A store with a signing key and a registration whose token URL is the double's.
async fn registered(store: &DynStore, double: &MoodleDouble, client_id: &str) -> Platform {
    keys::ensure_signing_key(
        store.as_ref(),
        &keys::KeyVault::unsealed(),
        cowork::unix_now(),
    )
    .await
    .unwrap();
    store
        .upsert_platform(
            &NewPlatform {
                issuer: double.url.clone(),
                client_id: client_id.into(),
                auth_url: format!("{}/mod/lti/auth.php", double.url),
                token_url: double.book.token_url(),
                jwks_url: format!("{}/mod/lti/certs.php", double.url),
                deployments: vec!["2".into()],
            },
            cowork::unix_now(),
        )
        .await
        .unwrap()
}

async fn tool_keys(store: &DynStore) -> ToolKeys {
    let jwks = keys::published_jwks(
        store.as_ref(),
        &keys::KeyVault::unsealed(),
        cowork::unix_now(),
        3600,
    )
    .await
    .unwrap();
    ToolKeys::Fixed(jwks.keys)
}

#[tokio::test]
async fn assertion_meets_recorded_rules() {
    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _schema) = common::fresh_store_with_guard(backend, dir.path()).await;
        keys::ensure_signing_key(
            store.as_ref(),
            &keys::KeyVault::unsealed(),
            cowork::unix_now(),
        )
        .await
        .unwrap();
        let double =
            MoodleDouble::start(RECORDED_CLIENT_ID, 2, tool_keys(&store).await, |_| {}).await;
        let platform = registered(&store, &double, RECORDED_CLIENT_ID).await;
        let tokens = ServiceTokens::new(&PlatformHttp::new(true), store.clone());

        let token = tokens.token(&platform, &[SCOPE_SCORE]).await.unwrap();
        assert!(token.scopes.contains(SCOPE_SCORE), "{backend:?}");

        let log = double.book.token_requests();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].status, 200);
        let claims = log[0].claims.clone().unwrap();
        assert_eq!(claims.iss, RECORDED_CLIENT_ID);
        assert_eq!(claims.sub, RECORDED_CLIENT_ID);
        assert_eq!(
            claims.aud, platform.token_url,
            "aud is the token URL exactly"
        );
        assert!(claims.exp > claims.iat, "exp after iat");
        assert!(claims.exp - claims.iat <= 3600, "short-lived assertion");
        assert!((claims.iat - cowork::unix_now()).abs() <= 5, "iat is now");
        let current_kid = store.tool_keys().await.unwrap()[0].kid.clone();
        assert_eq!(log[0].kid.as_deref(), Some(current_kid.as_str()));

        // Cached: the same scope set sends no request to the endpoint.
        let again = tokens.token(&platform, &[SCOPE_SCORE]).await.unwrap();
        assert_eq!(again.value, token.value);
        assert_eq!(double.book.token_requests().len(), 1);

        // Another scope set is another token, with a fresh jti.
        tokens
            .token(&platform, &[SCOPE_LINEITEM, SCOPE_SCORE])
            .await
            .unwrap();
        let log = double.book.token_requests();
        assert_eq!(log.len(), 2);
        assert_ne!(
            log[0].claims.as_ref().unwrap().jti,
            log[1].claims.as_ref().unwrap().jti
        );
    }
}

#[tokio::test]
async fn concurrent_requests_share_one_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::fresh_store(common::Backend::Sqlite, dir.path()).await;
    keys::ensure_signing_key(
        store.as_ref(),
        &keys::KeyVault::unsealed(),
        cowork::unix_now(),
    )
    .await
    .unwrap();
    let double = MoodleDouble::start(RECORDED_CLIENT_ID, 2, tool_keys(&store).await, |_| {}).await;
    double
        .faults
        .delay_ms
        .store(200, std::sync::atomic::Ordering::SeqCst);
    let platform = registered(&store, &double, RECORDED_CLIENT_ID).await;
    let tokens = Arc::new(ServiceTokens::new(&PlatformHttp::new(true), store.clone()));

    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (tokens, platform) = (tokens.clone(), platform.clone());
        tasks.push(tokio::spawn(async move {
            tokens.token(&platform, &[SCOPE_SCORE]).await.unwrap().value
        }));
    }
    let mut values = Vec::new();
    for task in tasks {
        values.push(task.await.unwrap());
    }
    assert_eq!(
        double.book.token_requests().len(),
        1,
        "one refresh for eight callers"
    );
    assert!(values.iter().all(|value| value == &values[0]));
}

#[tokio::test]
async fn unknown_client_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::fresh_store(common::Backend::Sqlite, dir.path()).await;
    keys::ensure_signing_key(
        store.as_ref(),
        &keys::KeyVault::unsealed(),
        cowork::unix_now(),
    )
    .await
    .unwrap();
    let double = MoodleDouble::start(RECORDED_CLIENT_ID, 2, tool_keys(&store).await, |_| {}).await;
    let platform = registered(&store, &double, "no-such-client").await;
    let tokens = ServiceTokens::new(&PlatformHttp::new(true), store.clone());
    let error = tokens.token(&platform, &[SCOPE_SCORE]).await.unwrap_err();
    match &error {
        TokenError::Rejected { status, code, .. } => {
            assert_eq!(*status, 400);
            assert_eq!(code, "invalid_client");
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
    assert!(error.to_string().contains("client_id"), "{error}");
    assert!(!error.is_transient());
}

#[tokio::test]
async fn assertion_from_another_key_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let store = common::fresh_store(common::Backend::Sqlite, dir.path()).await;
    // The double trusts only the recorded capture tool's key, not this tool's.
    let double = MoodleDouble::start(RECORDED_CLIENT_ID, 2, recorded_tool_key(), |_| {}).await;
    let platform = registered(&store, &double, RECORDED_CLIENT_ID).await;
    let tokens = ServiceTokens::new(&PlatformHttp::new(true), store.clone());
    let error = tokens.token(&platform, &[SCOPE_SCORE]).await.unwrap_err();
    assert!(
        matches!(error, TokenError::Rejected { ref code, .. } if code == "invalid_client"),
        "{error}"
    );
}

#[tokio::test]
async fn double_answers_recorded_token_requests() {
    let double = MoodleDouble::start(RECORDED_CLIENT_ID, 2, recorded_tool_key(), |book| {
        book.set_clock(Some(RECORDED_NOW));
    })
    .await;
    let names = [
        "token-success.json",
        "token-score-only.json",
        "token-partial-scope-subset.json",
        "token-wrong-aud-accepted.json",
        "token-replay-1.json",
        "token-replay-2-same-jti.json",
        "token-error-expired-assertion.json",
        "token-error-iat-in-future.json",
        "token-error-unknown-scope.json",
        "token-error-unknown-client.json",
        "token-error-wrong-grant-type.json",
        "token-error-json-body.json",
        "token-error-get-method.json",
    ];
    for name in names {
        let exchange = fixture(name);
        let response = replay(&double, &exchange).await;
        let recorded = &exchange["response"];
        assert_eq!(
            response.status().as_u16(),
            recorded["status"].as_u64().unwrap() as u16,
            "{name}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8",
            "{name}"
        );
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        let expected = &recorded["json"];
        match expected.get("error") {
            Some(error) => assert_eq!(&body["error"], error, "{name}"),
            None => {
                assert_eq!(body["scope"], expected["scope"], "{name}");
                assert_eq!(body["token_type"], "Bearer", "{name}");
                assert_eq!(body["expires_in"], expected["expires_in"], "{name}");
                assert!(
                    body["access_token"].as_str().is_some_and(|t| !t.is_empty()),
                    "{name}"
                );
            }
        }
    }
}
