//! The tool's private keys: scheduled rotation with an overlap window, and encryption at
//! rest with a key from the environment, on both backends.

mod common;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use cowork::app::AppState;
use cowork::config::Config;
use cowork::keys::{self, KeyAtRestError, KeyVault, ScheduledRotation};
use cowork::store::{DynStore, ToolKey};
use serde_json::json;

const DAY: i64 = 86_400;

fn key_text(byte: u8) -> String {
    STANDARD.encode([byte; 32])
}

fn config_with(current: Option<u8>, previous: Option<u8>) -> Config {
    Config {
        key_encryption_key: current.map(key_text),
        key_encryption_key_previous: previous.map(key_text),
        ..Config::default()
    }
}

fn vault(current: Option<u8>) -> KeyVault {
    KeyVault::from_config(&config_with(current, None)).unwrap()
}

/// Stores a plain key that started signing at `active_from`.
async fn store_key(store: &DynStore, active_from: i64) -> String {
    let generated = keys::generate_key();
    store
        .insert_tool_key(&ToolKey {
            kid: generated.kid.clone(),
            private_key_pem: generated.pem,
            created_at: active_from,
            active_from,
            retired_at: None,
        })
        .await
        .unwrap();
    generated.kid
}

/// Returns the `kid` in the header of a token signed at `now`.
async fn signing_kid(store: &DynStore, vault: &KeyVault, now: i64) -> String {
    let token = keys::sign_jwt_at(store.as_ref(), vault, &json!({ "sub": "x" }), now)
        .await
        .unwrap();
    jsonwebtoken::decode_header(&token).unwrap().kid.unwrap()
}

async fn published_kids(store: &DynStore, vault: &KeyVault, now: i64, grace: i64) -> Vec<String> {
    let mut kids: Vec<String> = keys::published_jwks(store.as_ref(), vault, now, grace)
        .await
        .unwrap()
        .keys
        .into_iter()
        .map(|key| key.kid)
        .collect();
    kids.sort();
    kids
}

#[tokio::test]
async fn scheduled_rotation_overlaps_old_and_new() {
    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard) = common::fresh_store_with_guard(backend, dir.path()).await;
        let vault = KeyVault::unsealed();
        let now = cowork::unix_now();
        let rotation = 90 * DAY;
        let overlap = 2 * DAY;
        let old = store_key(&store, now - 80 * DAY).await;

        let early = keys::rotate_on_schedule(store.as_ref(), &vault, now, rotation, overlap)
            .await
            .unwrap();
        assert_eq!(early, ScheduledRotation::NotDue, "{backend:?}");

        let due_at = now + 10 * DAY - overlap;
        let outcome = keys::rotate_on_schedule(store.as_ref(), &vault, due_at, rotation, overlap)
            .await
            .unwrap();
        let ScheduledRotation::Published {
            kid: new,
            active_from,
        } = outcome
        else {
            panic!("{backend:?}: a key 88 days old must be rotated: {outcome:?}");
        };
        assert_eq!(active_from, due_at + overlap, "{backend:?}");

        let mut both = vec![old.clone(), new.clone()];
        both.sort();
        assert_eq!(
            published_kids(&store, &vault, due_at, overlap).await,
            both,
            "{backend:?}: the next key is published before it signs"
        );
        assert_eq!(
            signing_kid(&store, &vault, due_at).await,
            old,
            "{backend:?}: the old key signs until the new one's time"
        );

        let again =
            keys::rotate_on_schedule(store.as_ref(), &vault, due_at + 60, rotation, overlap)
                .await
                .unwrap();
        assert!(
            matches!(&again, ScheduledRotation::Pending { kid, .. } if *kid == new),
            "{backend:?}: a second run adds no key: {again:?}"
        );
        assert_eq!(store.tool_keys().await.unwrap().len(), 2, "{backend:?}");

        assert_eq!(
            signing_kid(&store, &vault, active_from).await,
            new,
            "{backend:?}: the new key signs from its time"
        );
        assert_eq!(
            published_kids(&store, &vault, active_from + overlap - 1, overlap).await,
            both,
            "{backend:?}: the old key stays published through the overlap"
        );
        assert_eq!(
            published_kids(&store, &vault, active_from + overlap, overlap).await,
            vec![new.clone()],
            "{backend:?}: the old key leaves the JWKS after the overlap"
        );

        let later = active_from + overlap + 1;
        let outcome = keys::rotate_on_schedule(store.as_ref(), &vault, later, rotation, overlap)
            .await
            .unwrap();
        assert_eq!(outcome, ScheduledRotation::NotDue, "{backend:?}");
        let kids: Vec<String> = store
            .tool_keys()
            .await
            .unwrap()
            .into_iter()
            .map(|key| key.kid)
            .collect();
        assert_eq!(
            kids,
            vec![new],
            "{backend:?}: the unpublished old key is deleted"
        );
    }
}

#[tokio::test]
async fn manual_rotation_replaces_pending_key() {
    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard) = common::fresh_store_with_guard(backend, dir.path()).await;
        let vault = KeyVault::unsealed();
        let now = cowork::unix_now();
        store_key(&store, now - 89 * DAY).await;
        let outcome = keys::rotate_on_schedule(store.as_ref(), &vault, now, 90 * DAY, 2 * DAY)
            .await
            .unwrap();
        let ScheduledRotation::Published { kid: pending, .. } = outcome else {
            panic!("{backend:?}: rotation due: {outcome:?}");
        };

        let manual = keys::rotate(store.as_ref(), &vault, now + 1).await.unwrap();
        assert_eq!(
            signing_kid(&store, &vault, now + 1).await,
            manual,
            "{backend:?}: a key rotated on request signs at once"
        );
        assert_eq!(
            signing_kid(&store, &vault, now + 3 * DAY).await,
            manual,
            "{backend:?}: the pending key never takes over from it"
        );
        let stored = store.tool_keys().await.unwrap();
        let pending_row = stored.iter().find(|key| key.kid == pending).unwrap();
        assert_eq!(pending_row.retired_at, Some(now + 1), "{backend:?}");
    }
}

#[tokio::test]
async fn keys_encrypted_at_rest() {
    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard) = common::fresh_store_with_guard(backend, dir.path()).await;

        let state = AppState::new(config_with(Some(1), None), store.clone())
            .await
            .unwrap();
        let stored = store.tool_keys().await.unwrap();
        assert_eq!(stored.len(), 1, "{backend:?}");
        assert!(
            !stored[0].private_key_pem.contains("PRIVATE KEY"),
            "{backend:?}: the private key must not be stored in the clear"
        );
        let kid = stored[0].kid.clone();
        assert_eq!(
            signing_kid(&store, &state.key_vault, cowork::unix_now()).await,
            kid,
            "{backend:?}: the sealed key signs"
        );
        assert_eq!(
            published_kids(&store, &state.key_vault, cowork::unix_now(), 60).await,
            vec![kid.clone()],
            "{backend:?}"
        );

        let Err(locked) = AppState::new(Config::default(), store.clone()).await else {
            panic!("{backend:?}: a start without the key must fail");
        };
        assert!(matches!(locked, KeyAtRestError::Locked { .. }), "{locked}");
        assert!(locked.to_string().contains("COWORK_KEY_ENCRYPTION_KEY"));

        let Err(wrong) = AppState::new(config_with(Some(2), None), store.clone()).await else {
            panic!("{backend:?}: a start with another key must fail");
        };
        assert!(matches!(wrong, KeyAtRestError::WrongKey { .. }), "{wrong}");
        assert_eq!(
            store.tool_keys().await.unwrap()[0].private_key_pem,
            stored[0].private_key_pem,
            "{backend:?}: a failed start changes nothing stored"
        );
    }
}

#[tokio::test]
async fn encryption_key_change_reseals() {
    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard) = common::fresh_store_with_guard(backend, dir.path()).await;
        let kid = store_key(&store, cowork::unix_now()).await;

        // A plain key is sealed at the first start with a key set.
        AppState::new(config_with(Some(1), None), store.clone())
            .await
            .unwrap();
        let first = store.tool_keys().await.unwrap()[0].private_key_pem.clone();
        assert!(!first.contains("PRIVATE KEY"), "{backend:?}");
        assert!(vault(Some(1))
            .open(&store.tool_keys().await.unwrap()[0])
            .is_ok());

        // Changing keys: the new one current, the old one previous.
        AppState::new(config_with(Some(2), Some(1)), store.clone())
            .await
            .unwrap();
        let resealed = &store.tool_keys().await.unwrap()[0];
        assert_ne!(resealed.private_key_pem, first, "{backend:?}");
        assert!(vault(Some(2)).open(resealed).is_ok(), "{backend:?}");
        assert!(vault(Some(1)).open(resealed).is_err(), "{backend:?}");

        // Only a previous key: the keys are stored plain again.
        AppState::new(config_with(None, Some(2)), store.clone())
            .await
            .unwrap();
        let plain = &store.tool_keys().await.unwrap()[0];
        assert!(
            plain
                .private_key_pem
                .starts_with("-----BEGIN PRIVATE KEY-----"),
            "{backend:?}"
        );
        assert_eq!(plain.kid, kid, "{backend:?}");
    }
}

/// Returns the stored value of a setting.
async fn setting(store: &DynStore, name: &str) -> String {
    store.setting_or_insert(name, "unset").await.unwrap()
}

#[tokio::test]
async fn secrets_encrypted_at_rest() {
    const SESSION_SECRET: &str = "session_signing_secret";
    const RESPONSE_SECRET: &str = cowork::web::questionnaires::RESPONSE_SECRET_SETTING;

    for backend in common::backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard) = common::fresh_store_with_guard(backend, dir.path()).await;

        // A database that started without an encryption key contains both secrets plain.
        let plain_state = AppState::new(Config::default(), store.clone())
            .await
            .unwrap();
        let plain_session = setting(&store, SESSION_SECRET).await;
        let plain_response = setting(&store, RESPONSE_SECRET).await;
        assert!(!plain_session.starts_with("sealed:"), "{backend:?}");
        let token = plain_state
            .session_key
            .issue("session-1", 7, cowork::unix_now() + 600);
        let response_key = cowork::web::questionnaires::response_key(&plain_state, 3, 4)
            .await
            .unwrap();

        // The first start with a key seals them; their values stay the same.
        let sealed_state = AppState::new(config_with(Some(1), None), store.clone())
            .await
            .unwrap();
        for (name, plain) in [
            (SESSION_SECRET, &plain_session),
            (RESPONSE_SECRET, &plain_response),
        ] {
            let stored = setting(&store, name).await;
            assert!(
                stored.starts_with("sealed:v1:"),
                "{backend:?}: {name} is sealed"
            );
            assert!(!stored.contains(plain.as_str()), "{backend:?}: {name}");
        }
        assert_eq!(
            sealed_state.session_key.verify(&token),
            Some(("session-1".to_string(), 7)),
            "{backend:?}: sessions issued before the sealing stay valid"
        );
        assert_eq!(
            cowork::web::questionnaires::response_key(&sealed_state, 3, 4)
                .await
                .unwrap(),
            response_key,
            "{backend:?}: answers saved before the sealing keep their keys"
        );

        // A sealed secret does not open without the key, and the failed load changes nothing.
        let sealed_session = setting(&store, SESSION_SECRET).await;
        let Err(locked) = KeyVault::unsealed()
            .load_or_create_secret(store.as_ref(), SESSION_SECRET, || "fresh".to_string())
            .await
        else {
            panic!("{backend:?}: a sealed secret must not open without the key");
        };
        assert!(matches!(locked, KeyAtRestError::Locked { .. }), "{locked}");
        assert!(locked.to_string().contains(SESSION_SECRET), "{locked}");
        assert_eq!(setting(&store, SESSION_SECRET).await, sealed_session);
    }
}

#[test]
fn invalid_encryption_key_rejected_at_load() {
    let config = Config {
        key_encryption_key: Some("c2hvcnQ=".into()),
        ..Config::default()
    };
    let Err(error) = KeyVault::from_config(&config) else {
        panic!("a 5-byte key must be rejected");
    };
    assert!(error.to_string().contains("32"), "{error}");
}

/// Returns the claims of a signed JWT without checking its signature.
fn claims_of(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).expect("a JWT has a payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn platform_key_change_without_restart() {
    use std::sync::{Arc, Mutex};

    for backend in common::backends() {
        let app = common::spawn_with(backend, |config| {
            config.jwks_refetch_cooldown_secs = 0;
            config.platform_jwks_max_age_secs = 1;
        })
        .await;

        // The platform's key set comes from a server whose response the test replaces.
        let old_set = reqwest::get(format!("{}/jwks", app.platform_url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let served = Arc::new(Mutex::new(old_set));
        let router = {
            let served = served.clone();
            axum::Router::new().route(
                "/jwks",
                axum::routing::get(move || {
                    let body = served.lock().unwrap().clone();
                    async move { ([("content-type", "application/json")], body) }
                }),
            )
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let jwks_url = format!("http://{}/jwks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        let mut registration = app.platform.registration();
        registration.jwks_url = jwks_url;
        app.state
            .store
            .upsert_platform(&registration, cowork::unix_now())
            .await
            .unwrap();
        app.launch(common::choice("ada", "learner")).await;

        // The platform replaces its signing key and publishes only the new one.
        let rotated = cowork::demo::DemoPlatform::new("unused issuer", app.tool_url.clone());
        *served.lock().unwrap() = serde_json::to_string(&rotated.jwks()).unwrap();

        let login = app.login(common::choice("ben", "learner")).await;
        let (old_token, state) = app.authorize(&login).await;
        let new_token = rotated.sign(&claims_of(&old_token));
        let response = app.post_launch(&new_token, &state).await;
        assert_eq!(
            response.status(),
            303,
            "{backend:?}: a launch signed with the platform's new key works without a restart: {}",
            response.text().await.unwrap_or_default()
        );

        // Once the cached set is older than its maximum age, the withdrawn key fails.
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
        let login = app.login(common::choice("cleo", "learner")).await;
        let (old_token, state) = app.authorize(&login).await;
        let response = app.post_launch(&old_token, &state).await;
        assert_eq!(
            response.status(),
            401,
            "{backend:?}: a launch signed with the withdrawn key is rejected"
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "kid_unknown", "{backend:?}: {body}");
    }
}
