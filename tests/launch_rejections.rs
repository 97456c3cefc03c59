//! Rejected logins and launches over real HTTP, on every configured backend: each one
//! returns 401 with the code of the failed check and writes nothing.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{backends, choice, spawn, spawn_with, Backend, TestApp};
use cowork::demo::CLIENT_ID;
use cowork::i18n::{Lang, Tr};
use cowork::keys;
use cowork::lti::claims;
use cowork::lti::error::Check;
use cowork::unix_now;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPublicKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::{BigUint, RsaPublicKey};
use serde_json::{json, Map, Value};

type Claims = Map<String, Value>;

/// Returns the English hint that the error page shows for a failed `check`.
fn english_hint(check: Check) -> String {
    Tr::new(Lang::En).t(check.hint_id())
}

/// Returns the launch choice of the student whose launches the tests tamper with.
fn student() -> cowork::demo::LaunchChoice {
    choice("demo-student-1", "learner")
}

/// Asserts a 401 JSON rejection with `code`, a message and a hint, and no cookie or
/// redirect.
async fn assert_rejected(response: reqwest::Response, code: &str, context: &str) {
    assert_eq!(response.status(), 401, "{context}: status");
    assert!(
        response.headers().get("set-cookie").is_none(),
        "{context}: a rejection must not set a cookie"
    );
    assert!(
        response.headers().get("location").is_none(),
        "{context}: a rejection must not redirect"
    );
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{context}: content type {content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{context}: error code in {body}");
    let message = body["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "{context}: message in {body}");
    let hint = body["hint"].as_str().unwrap_or("");
    assert!(!hint.is_empty(), "{context}: hint in {body}");
}

/// Asserts that no launch was recorded. A launch by another person that is then accepted
/// must create the first space of the fresh database and be its only member, so a
/// rejected launch that wrote a space, a user or a membership makes this fail.
async fn assert_no_launch_recorded(app: &TestApp, context: &str) {
    let probe = app.launch(choice("demo-teacher-1", "instructor")).await;
    assert_eq!(
        probe.space_id, 1,
        "{context}: a rejected launch created a space"
    );
    let members = app
        .state
        .store
        .recent_members(probe.space_id, 0, 50)
        .await
        .unwrap();
    let names: Vec<_> = members.iter().map(|m| m.name.as_deref()).collect();
    assert_eq!(
        names,
        [Some("Irina Petrova")],
        "{context}: a rejected launch added a member"
    );
}

/// Asserts that the first space of the fresh database does not exist or has no members,
/// for tests whose configuration rules out a probe launch.
async fn assert_first_space_empty(app: &TestApp, context: &str) {
    let members = app.state.store.recent_members(1, 0, 50).await.unwrap();
    assert!(
        members.is_empty(),
        "{context}: a rejected launch added a member"
    );
}

/// Counts the stored login states. Purging every state is the store's only way to count
/// them, so this empties the table.
async fn take_login_state_count(app: &TestApp) -> u64 {
    app.state.store.purge_login_states(i64::MAX).await.unwrap()
}

/// Logs in as the student and posts a launch whose demo claims were changed by `edit`.
async fn launch_with_claims(app: &TestApp, edit: impl FnOnce(&mut Claims)) -> reqwest::Response {
    let login = app.login(student()).await;
    let id_token = app.signed_claims(&student(), &login.nonce, edit);
    app.post_launch(&id_token, &login.state).await
}

/// Logs in as the student and posts a launch with the demo claims, signed by `sign`.
async fn launch_signed_by(app: &TestApp, sign: impl FnOnce(&Value) -> String) -> reqwest::Response {
    let login = app.login(student()).await;
    let claims = app
        .platform
        .launch_claims(&student(), &login.nonce, unix_now());
    let id_token = sign(&Value::Object(claims));
    app.post_launch(&id_token, &login.state).await
}

/// Logs in as the student and posts a launch signed by the platform key with `header`.
async fn launch_with_header(app: &TestApp, header: Header) -> reqwest::Response {
    launch_signed_by(app, |claims| app.platform.sign_with_header(&header, claims)).await
}

fn rs256_header(kid: Option<&str>) -> Header {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(str::to_string);
    header
}

/// Parses the space id from a launch's `Location` header, `/spaces/{id}?lt=...`.
fn space_id_of(response: &reqwest::Response) -> i64 {
    let location = response.headers()["location"].to_str().unwrap();
    location
        .trim_start_matches("/spaces/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// Asserts that `space_id` has one member and returns that member's `last_seen_at` time.
async fn only_member_last_seen(app: &TestApp, space_id: i64) -> i64 {
    let members = app
        .state
        .store
        .recent_members(space_id, 0, 50)
        .await
        .unwrap();
    assert_eq!(members.len(), 1, "space {space_id} members");
    members[0].last_seen_at
}

/// Waits until the Unix time in seconds is past `time`, so a later write would store a
/// different time.
async fn wait_until_after(time: i64) {
    while unix_now() <= time {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Sends a login initiation with `params` by GET or POST, asking for JSON errors.
async fn send_login(app: &TestApp, method: &str, params: &[(String, String)]) -> reqwest::Response {
    let url = format!("{}/lti/login", app.tool_url);
    let request = match method {
        "GET" => app.http.get(url).query(params),
        "POST" => app.http.post(url).form(params),
        other => panic!("no login method {other}"),
    };
    request
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

/// Builds the demo platform's login initiation parameters with `name` set to `value`,
/// or removed when `value` is `None`.
fn login_params(app: &TestApp, name: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut params = app.platform.login_initiation(student());
    params.retain(|(n, _)| n != name);
    if let Some(value) = value {
        params.push((name.to_string(), value.to_string()));
    }
    params
}

/// Sends the login with `name` changed by GET and by POST, expects `code` both times,
/// and checks that no login state was stored.
async fn assert_login_rejected(
    app: &TestApp,
    name: &str,
    value: Option<&str>,
    code: &str,
    backend: Backend,
) {
    for method in ["GET", "POST"] {
        let params = login_params(app, name, value);
        let response = send_login(app, method, &params).await;
        let context = format!("{backend:?} {method} {name}={value:?}");
        assert_rejected(response, code, &context).await;
    }
    assert_eq!(
        take_login_state_count(app).await,
        0,
        "{backend:?} {name}={value:?}: a rejected login stored a state"
    );
}

fn unescape_html(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

// Header and signature checks.

#[tokio::test]
async fn token_without_kid_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_header(&app, rs256_header(None)).await;
        assert_rejected(response, "kid_missing", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn token_with_unknown_kid_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        // cowork fetches the demo platform's JWKS over HTTP and finds no such key. A
        // failed fetch would give jwks_unavailable instead.
        let response = launch_with_header(&app, rs256_header(Some("no-such-key"))).await;
        assert_rejected(response, "kid_unknown", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn unsigned_alg_none_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let kid = app.platform.kid().to_string();
        let response = launch_signed_by(&app, |claims| {
            let header = json!({ "alg": "none", "kid": kid });
            format!(
                "{}.{}.",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            )
        })
        .await;
        assert_rejected(response, "alg", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn hs256_with_public_key_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let jwks: Value = app
            .http
            .get(format!("{}/jwks", app.platform_url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let component = |name: &str| {
            let text = jwks["keys"][0][name].as_str().unwrap();
            BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(text).unwrap())
        };
        let public_key = RsaPublicKey::new(component("n"), component("e")).unwrap();
        // The forms a verifier that confuses algorithms may use as the HMAC secret.
        let secrets: [(&str, Vec<u8>); 4] = [
            (
                "SPKI PEM",
                public_key
                    .to_public_key_pem(LineEnding::LF)
                    .unwrap()
                    .into_bytes(),
            ),
            (
                "PKCS#1 PEM",
                public_key
                    .to_pkcs1_pem(LineEnding::LF)
                    .unwrap()
                    .into_bytes(),
            ),
            (
                "SPKI DER",
                public_key.to_public_key_der().unwrap().into_vec(),
            ),
            ("PKCS#1 DER", public_key.to_pkcs1_der().unwrap().into_vec()),
        ];
        for (form, secret) in secrets {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = Some(app.platform.kid().to_string());
            let response = launch_signed_by(&app, |claims| {
                jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(&secret)).unwrap()
            })
            .await;
            assert_rejected(response, "alg", &format!("{backend:?} {form}")).await;
        }
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn embedded_jwk_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let attacker = keys::generate_key();
        let attacker_jwk =
            keys::public_jwk(&RsaPublicKey::from(&attacker.private_key), &attacker.kid);
        let mut header = rs256_header(Some(&attacker.kid));
        header.jwk =
            Some(serde_json::from_value(serde_json::to_value(&attacker_jwk).unwrap()).unwrap());
        let attacker_key = EncodingKey::from_rsa_pem(attacker.pem.as_bytes()).unwrap();
        let response = launch_signed_by(&app, |claims| {
            jsonwebtoken::encode(&header, claims, &attacker_key).unwrap()
        })
        .await;
        assert_rejected(response, "key_in_header", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn key_reference_headers_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        // Each header is signed by the real platform key with its kid, so only the key
        // parameter can make the launch fail. No request goes to these URLs.
        let kid = app.platform.kid().to_string();
        let mut jku = rs256_header(Some(&kid));
        jku.jku = Some("http://127.0.0.1:9/jwks.json".into());
        let mut x5u = rs256_header(Some(&kid));
        x5u.x5u = Some("http://127.0.0.1:9/cert.pem".into());
        let mut x5c = rs256_header(Some(&kid));
        x5c.x5c = Some(vec![URL_SAFE_NO_PAD.encode(b"not a certificate")]);
        for (name, header) in [("jku", jku), ("x5u", x5u), ("x5c", x5c)] {
            let response = launch_with_header(&app, header).await;
            assert_rejected(response, "key_in_header", &format!("{backend:?} {name}")).await;
        }
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

// Time, issuer and audience claims.

#[tokio::test]
async fn expired_token_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let now = unix_now();
        let response = launch_with_claims(&app, |claims| {
            claims.insert("iat".into(), json!(now - 3660));
            claims.insert("exp".into(), json!(now - 3600));
        })
        .await;
        assert_rejected(response, "exp", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn exp_as_string_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let exp = (unix_now() + 60).to_string();
        let response = launch_with_claims(&app, |claims| {
            claims.insert("exp".into(), json!(exp));
        })
        .await;
        assert_rejected(response, "exp", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn iat_beyond_leeway_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let issued = unix_now() + app.state.config.clock_leeway_secs + 60;
        let response = launch_with_claims(&app, |claims| {
            claims.insert("iat".into(), json!(issued));
            claims.insert("exp".into(), json!(issued + 60));
        })
        .await;
        assert_rejected(response, "iat", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn iat_within_leeway_accepted() {
    for backend in backends() {
        let app = spawn(backend).await;
        let issued = unix_now() + app.state.config.clock_leeway_secs / 2;
        let response = launch_with_claims(&app, |claims| {
            claims.insert("iat".into(), json!(issued));
        })
        .await;
        assert_eq!(response.status(), 303, "{backend:?}");
    }
}

#[tokio::test]
async fn exp_out_of_range_rejected() {
    for backend in backends() {
        for exp in [json!(i64::MIN), json!(-1e300), json!(1e300)] {
            let app = spawn(backend).await;
            let context = format!("{backend:?}, exp {exp}");
            let response = launch_with_claims(&app, |claims| {
                claims.insert("exp".into(), exp.clone());
            })
            .await;
            assert_rejected(response, "exp", &context).await;
            assert_no_launch_recorded(&app, &context).await;
        }
    }
}

#[tokio::test]
async fn wrong_issuer_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert("iss".into(), json!("http://127.0.0.1:9"));
        })
        .await;
        assert_rejected(response, "iss", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn audience_without_client_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let audiences = [
            json!("other-client"),
            json!(["other-client", "third-client"]),
        ];
        for aud in audiences {
            let response = launch_with_claims(&app, |claims| {
                claims.insert("aud".into(), aud.clone());
            })
            .await;
            assert_rejected(response, "aud", &format!("{backend:?} aud {aud}")).await;
        }
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn several_audiences_without_azp_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert("aud".into(), json!([CLIENT_ID, "other-client"]));
        })
        .await;
        assert_rejected(response, "azp", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn azp_of_other_client_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert("aud".into(), json!([CLIENT_ID, "other-client"]));
            claims.insert("azp".into(), json!("other-client"));
        })
        .await;
        assert_rejected(response, "azp", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn several_audiences_matching_azp_accepted() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert("aud".into(), json!(["other-client", CLIENT_ID]));
            claims.insert("azp".into(), json!(CLIENT_ID));
        })
        .await;
        assert_eq!(response.status(), 303, "{backend:?}");
        let location = response.headers()["location"].to_str().unwrap();
        let page = app
            .http
            .get(format!("{}{location}", app.tool_url))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{backend:?}: space page");
    }
}

// State and nonce checks.

#[tokio::test]
async fn replayed_launch_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let login = app.login(student()).await;
        let (id_token, state) = app.authorize(&login).await;
        let first = app.post_launch(&id_token, &state).await;
        assert_eq!(first.status(), 303, "{backend:?}: first launch");
        let space_id = space_id_of(&first);
        let last_seen = only_member_last_seen(&app, space_id).await;

        wait_until_after(last_seen).await;
        let replay = app.post_launch(&id_token, &state).await;
        assert_rejected(replay, "state_replayed", &format!("{backend:?}")).await;
        assert_eq!(
            only_member_last_seen(&app, space_id).await,
            last_seen,
            "{backend:?}: the replay updated the membership"
        );
    }
}

#[tokio::test]
async fn replayed_nonce_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let first_login = app.login(student()).await;
        let (id_token, state) = app.authorize(&first_login).await;
        let first = app.post_launch(&id_token, &state).await;
        assert_eq!(first.status(), 303, "{backend:?}: first launch");
        let space_id = space_id_of(&first);
        let last_seen = only_member_last_seen(&app, space_id).await;

        wait_until_after(last_seen).await;
        let second_login = app.login(student()).await;
        let replay = app.post_launch(&id_token, &second_login.state).await;
        assert_rejected(replay, "nonce_replayed", &format!("{backend:?}")).await;
        assert_eq!(
            only_member_last_seen(&app, space_id).await,
            last_seen,
            "{backend:?}: the replay updated the membership"
        );
    }
}

#[tokio::test]
async fn nonce_never_issued_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let login = app.login(student()).await;
        let nonce = cowork::random_token(24);
        let id_token = app.signed_claims(&student(), &nonce, |_| {});
        let response = app.post_launch(&id_token, &login.state).await;
        assert_rejected(response, "nonce_not_issued", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn token_of_other_login_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let login_a = app.login(student()).await;
        let login_b = app.login(student()).await;
        let (id_token_a, _) = app.authorize(&login_a).await;
        let response = app.post_launch(&id_token_a, &login_b.state).await;
        assert_rejected(response, "state_mismatch", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn unknown_state_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let login = app.login(student()).await;
        let (id_token, _) = app.authorize(&login).await;
        let never_issued = cowork::random_token(24);
        let response = app.post_launch(&id_token, &never_issued).await;
        assert_rejected(response, "state_unknown", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn expired_state_rejected() {
    for backend in backends() {
        let app = spawn_with(backend, |config| config.login_state_ttl_secs = 1).await;
        let login = app.login(student()).await;
        // The state expires one second after its creation, which is at or before
        // `issued_by`, so any time after `issued_by` is past its expiry.
        let issued_by = unix_now();
        let (id_token, state) = app.authorize(&login).await;
        wait_until_after(issued_by).await;
        let response = app.post_launch(&id_token, &state).await;
        assert_rejected(response, "state_expired", &format!("{backend:?}")).await;
        // A probe launch could itself outlive the one-second state, so only the first
        // space is checked here.
        assert_first_space_empty(&app, &format!("{backend:?}")).await;
    }
}

// LTI message claims.

#[tokio::test]
async fn unknown_deployment_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert(claims::DEPLOYMENT_ID.into(), json!("other-deployment"));
        })
        .await;
        assert_rejected(response, "deployment_id", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn wrong_lti_version_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert(claims::VERSION.into(), json!("1.1.0"));
        })
        .await;
        assert_rejected(response, "version", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn unsupported_message_type_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert(
                claims::MESSAGE_TYPE.into(),
                json!("LtiSubmissionReviewRequest"),
            );
        })
        .await;
        assert_rejected(response, "message_type", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn missing_resource_link_id_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let links = [
            ("claim absent", None),
            ("no id", Some(json!({ "title": "BC101 coworking space" }))),
            (
                "empty id",
                Some(json!({ "id": "", "title": "BC101 coworking space" })),
            ),
        ];
        for (case, link) in links {
            let response = launch_with_claims(&app, |claims| match link {
                Some(link) => {
                    claims.insert(claims::RESOURCE_LINK.into(), link);
                }
                None => {
                    claims.remove(claims::RESOURCE_LINK);
                }
            })
            .await;
            assert_rejected(response, "resource_link", &format!("{backend:?} {case}")).await;
        }
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn missing_roles_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.remove(claims::ROLES);
        })
        .await;
        assert_rejected(response, "roles", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn empty_roles_launch_as_guest() {
    for backend in backends() {
        let app = spawn(backend).await;
        let response = launch_with_claims(&app, |claims| {
            claims.insert(claims::ROLES.into(), json!([]));
        })
        .await;
        assert_eq!(response.status(), 303, "{backend:?}");
        let location = response.headers()["location"].to_str().unwrap();
        let html = app
            .http
            .get(format!("{}{location}", app.tool_url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("role-guest"), "{backend:?}: guest role class");
        assert!(html.contains(">Guest<"), "{backend:?}: guest role label");
        assert!(html.contains("Anna Smirnova"), "{backend:?}: own name");
    }
}

#[tokio::test]
async fn changed_target_link_uri_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let other_link = format!("{}/spaces/other", app.tool_url);
        let response = launch_with_claims(&app, |claims| {
            claims.insert(claims::TARGET_LINK_URI.into(), json!(other_link));
        })
        .await;
        assert_rejected(response, "target_link_uri", &format!("{backend:?}")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

// Login initiation.

#[tokio::test]
async fn login_off_origin_target_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let https_tool = app.tool_url.replacen("http://", "https://", 1);
        let targets = [
            "http://127.0.0.1:9/lti/launch".to_string(),
            format!("{https_tool}/lti/launch"),
            format!("{}.example.com/lti/launch", app.tool_url),
            "/lti/launch".to_string(),
        ];
        for target in &targets {
            assert_login_rejected(
                &app,
                "target_link_uri",
                Some(target),
                "target_link_uri_origin",
                backend,
            )
            .await;
        }
    }
}

#[tokio::test]
async fn login_unknown_issuer_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let issuer = Some("http://127.0.0.1:9");
        assert_login_rejected(&app, "iss", issuer, "unknown_registration", backend).await;
    }
}

#[tokio::test]
async fn login_unknown_client_id_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let client_id = Some("other-client");
        assert_login_rejected(
            &app,
            "client_id",
            client_id,
            "unknown_registration",
            backend,
        )
        .await;
    }
}

#[tokio::test]
async fn login_missing_parameter_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        for name in ["iss", "login_hint", "target_link_uri"] {
            assert_login_rejected(&app, name, None, "missing_parameter", backend).await;
            assert_login_rejected(&app, name, Some(""), "missing_parameter", backend).await;
        }
    }
}

#[tokio::test]
async fn login_unknown_deployment_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let deployment = Some("other-deployment");
        assert_login_rejected(
            &app,
            "lti_deployment_id",
            deployment,
            "deployment_id",
            backend,
        )
        .await;
    }
}

#[tokio::test]
async fn accepted_login_stores_one_state() {
    // The rejected-login tests count states with `take_login_state_count`. This test
    // shows that the count includes a stored state, so a zero there means nothing was
    // stored.
    for backend in backends() {
        let app = spawn(backend).await;
        assert_eq!(take_login_state_count(&app).await, 0, "{backend:?}: fresh");
        let params = app.platform.login_initiation(student());
        let response = send_login(&app, "POST", &params).await;
        assert_eq!(response.status(), 302, "{backend:?}: accepted login");
        assert_eq!(
            take_login_state_count(&app).await,
            1,
            "{backend:?}: accepted login"
        );
    }
}

// Error pages for people.

#[tokio::test]
async fn rejected_launch_page_names_check() {
    for backend in backends() {
        let app = spawn(backend).await;
        // A browser's Accept header, and none at all.
        for accept in [Some("text/html,application/xhtml+xml,*/*;q=0.8"), None] {
            let context = format!("{backend:?} Accept {accept:?}");
            let login = app.login(student()).await;
            let now = unix_now();
            let id_token = app.signed_claims(&student(), &login.nonce, |claims| {
                claims.insert("exp".into(), json!(now - 3600));
            });
            let mut request = app
                .http
                .post(format!("{}/lti/launch", app.tool_url))
                .form(&[("id_token", id_token.as_str()), ("state", &login.state)]);
            if let Some(accept) = accept {
                request = request.header("accept", accept);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{context}");
            let content_type = response.headers()["content-type"].to_str().unwrap();
            assert!(
                content_type.starts_with("text/html"),
                "{context}: content type {content_type}"
            );
            let html = unescape_html(&response.text().await.unwrap());
            assert!(html.contains("<code>exp</code>"), "{context}: check code");
            assert!(
                html.contains(&english_hint(Check::Expired)),
                "{context}: admin hint"
            );
        }
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn rejected_login_page_names_check() {
    for backend in backends() {
        let app = spawn(backend).await;
        let params = login_params(&app, "client_id", Some("other-client"));
        // A form post from a browser, which sends no Accept header asking for JSON.
        let response = app
            .http
            .post(format!("{}/lti/login", app.tool_url))
            .form(&params)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{backend:?}");
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("text/html"),
            "{backend:?}: content type {content_type}"
        );
        let html = unescape_html(&response.text().await.unwrap());
        assert!(
            html.contains("<code>unknown_registration</code>"),
            "{backend:?}: check code"
        );
        assert!(
            html.contains(&english_hint(Check::UnknownRegistration)),
            "{backend:?}: admin hint"
        );
    }
}

#[tokio::test]
async fn nul_characters_rejected_as_malformed() {
    for backend in backends() {
        let app = spawn(backend).await;
        assert_login_rejected(
            &app,
            "iss",
            Some("http://127.0.0.1:1\0x"),
            "malformed",
            backend,
        )
        .await;
        assert_login_rejected(&app, "login_hint", Some("a\0b"), "malformed", backend).await;

        let login = app.login(student()).await;
        let response = app
            .post_launch("a.b.c", &format!("{}\0", login.state))
            .await;
        assert_rejected(response, "malformed", &format!("{backend:?}: state")).await;

        let response = launch_with_claims(&app, |claims| {
            claims.insert("name".into(), json!("Anna\0Smirnova"));
        })
        .await;
        assert_rejected(response, "malformed", &format!("{backend:?}: claim")).await;
        assert_no_launch_recorded(&app, &format!("{backend:?}")).await;
    }
}

#[tokio::test]
async fn oversized_login_parameter_rejected() {
    let app = spawn(Backend::Sqlite).await;
    let long = format!("http://127.0.0.1/{}", "x".repeat(5000));
    assert_login_rejected(&app, "iss", Some(&long), "malformed", Backend::Sqlite).await;
}

#[tokio::test]
async fn non_string_audience_rejected() {
    let app = spawn(Backend::Sqlite).await;
    let response = launch_with_claims(&app, |claims| {
        claims.insert("aud".into(), json!([CLIENT_ID, 5, null]));
        claims.insert("azp".into(), json!(CLIENT_ID));
    })
    .await;
    assert_rejected(response, "aud", "number in aud").await;
}

#[tokio::test]
async fn removed_platform_ends_sessions() {
    for backend in backends() {
        let app = spawn(backend).await;
        let launched = app.launch(student()).await;
        let page = app.http.get(&launched.space_url).send().await.unwrap();
        assert_eq!(page.status(), 200, "{backend:?}");

        let registration = app.platform.registration();
        let removed = app
            .state
            .store
            .remove_platform(&registration.issuer, &registration.client_id)
            .await
            .unwrap();
        assert!(removed, "{backend:?}");
        let page = app.http.get(&launched.space_url).send().await.unwrap();
        assert_eq!(
            page.status(),
            401,
            "{backend:?}: the session ended with the registration"
        );
    }
}

/// Posts a launch with the headers a browser would add.
async fn post_launch_with(
    app: &TestApp,
    id_token: &str,
    state: &str,
    headers: &[(&str, String)],
) -> reqwest::Response {
    let mut request = app
        .http
        .post(format!("{}/lti/launch", app.tool_url))
        .header("accept", "application/json")
        .form(&[("id_token", id_token), ("state", state)]);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn launch_from_other_site_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let platform_origin = app.platform_url.clone();

        let login = app.login(choice("demo-student-1", "learner")).await;
        let (id_token, state) = app.authorize(&login).await;
        let forged = post_launch_with(
            &app,
            &id_token,
            &state,
            &[("origin", "https://attacker.example".to_string())],
        )
        .await;
        assert_eq!(forged.status(), 401, "{backend:?}: foreign origin");
        let body: serde_json::Value = forged.json().await.unwrap();
        assert_eq!(body["error"], "launch_origin", "{backend:?}: {body}");
        assert!(
            body["message"]
                .as_str()
                .unwrap_or("")
                .contains("attacker.example"),
            "{backend:?}: the message names the posting page: {body}"
        );

        let login = app.login(choice("demo-student-1", "learner")).await;
        let (id_token, state) = app.authorize(&login).await;
        let own = post_launch_with(&app, &id_token, &state, &[("origin", platform_origin)]).await;
        assert_eq!(
            own.status(),
            303,
            "{backend:?}: the platform's own page posts the launch"
        );
    }
}

#[tokio::test]
async fn null_origin_needs_login_cookie() {
    for backend in backends() {
        let app = spawn(backend).await;

        // The login sets a cookie that binds its state to the browser.
        let params = app
            .platform
            .login_initiation(choice("demo-student-1", "learner"));
        let response = app
            .http
            .post(format!("{}/lti/login", app.tool_url))
            .form(&params)
            .send()
            .await
            .unwrap();
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string();
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(cookie.starts_with("cowork_login_"), "{backend:?}: {cookie}");
        for attribute in [
            "Path=/lti/launch",
            "HttpOnly",
            "Secure",
            "SameSite=None",
            "Partitioned",
        ] {
            assert!(cookie.contains(attribute), "{backend:?}: {cookie}");
        }
        let pair = cookie.split(';').next().unwrap().to_string();
        let page = app.http.get(&location).send().await.unwrap();
        let fields = common::hidden_fields(&page.text().await.unwrap());
        let id_token = common::field(&fields, "id_token").to_string();
        let state = common::field(&fields, "state").to_string();
        assert!(pair.ends_with(&format!("={state}")), "{backend:?}: {pair}");

        let null = ("origin", "null".to_string());
        let bound =
            post_launch_with(&app, &id_token, &state, &[null.clone(), ("cookie", pair)]).await;
        assert_eq!(
            bound.status(),
            303,
            "{backend:?}: a page without an origin, in the browser that logged in"
        );

        // Another browser, led there by a page that withholds its origin.
        let login = app.login(choice("demo-student-1", "learner")).await;
        let (id_token, state) = app.authorize(&login).await;
        let unbound = post_launch_with(&app, &id_token, &state, &[null]).await;
        assert_eq!(unbound.status(), 401, "{backend:?}: no login cookie");
        let body: serde_json::Value = unbound.json().await.unwrap();
        assert_eq!(body["error"], "login_not_bound", "{backend:?}: {body}");
        assert!(
            body["hint"].as_str().unwrap_or("").contains("new window"),
            "{backend:?}: {body}"
        );
    }
}
