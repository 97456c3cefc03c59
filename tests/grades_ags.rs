//! The AGS client against the platform double, and the double against the recorded
//! Moodle 4.2 exchanges.

mod common;

use common::moodle::{fixture, recorded_tool_key, replay, MoodleDouble, RECORDED_CLIENT_ID};
use cowork::demo::gradebook::{Column, Gradebook, ToolKeys};
use cowork::grading::worker::{classify, Delivery};
use cowork::keys;
use cowork::lti::ags::{AgsClient, AgsError, LineItem, Score};
use cowork::lti::service_token::{
    ServiceTokens, TokenError, SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
};
use cowork::net::PlatformHttp;
use cowork::store::{NewPlatform, Platform};
use std::sync::Arc;

const ALL_SCOPES: [&str; 4] = [
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
];

/// The recorded course: column 2 "Capture Quiz (deep linked)" out of 50, students 4 to 6.
fn recorded_course(book: &Gradebook) {
    book.put_column(Column {
        id: 2,
        label: "Capture Quiz (deep linked)".into(),
        score_maximum: 50.0,
        resource_id: Some("quiz-1".into()),
        tag: Some("capture-grade".into()),
        resource_link_id: Some("1".into()),
    });
    for user in ["4", "5", "6"] {
        book.enroll(user);
    }
}

#[tokio::test]
async fn double_answers_recorded_service_requests() {
    let double = MoodleDouble::start(RECORDED_CLIENT_ID, 2, recorded_tool_key(), |book| {
        recorded_course(book);
        for token in [
            "267c796c0e996bade4b422eb47d62cb1",
            "cfc8e50bc1b8b41d684d78d115f16465",
            "d597413d6e8512c7d7df38a4c046d9b8",
        ] {
            book.grant_token(token, &ALL_SCOPES);
        }
        book.grant_token("dcf302fb36ab33aff46db4b0a9254758", &[SCOPE_SCORE]);
    })
    .await;
    // In recorded order where it matters: the stale score follows student 1's score.
    let names = [
        "ags-lineitems-list.json",
        "ags-error-lineitems-wrong-accept.json",
        "ags-error-lineitem-wrong-accept.json",
        "ags-error-results-wrong-accept.json",
        "ags-error-lineitems-no-token.json",
        "ags-error-lineitems-bogus-token.json",
        "ags-error-lineitems-insufficient-scope.json",
        "ags-error-bad-lineitem-id.json",
        "ags-error-score-wrong-content-type.json",
        "ags-error-score-unknown-user.json",
        "ags-error-score-userid-not-enrolled.json",
        "ags-error-score-missing-timestamp.json",
        "ags-error-score-missing-scoremaximum.json",
        "ags-error-score-bad-timestamp-format.json",
        "ags-error-score-bad-lineitem-id.json",
        "ags-score-post-student1.json",
        "ags-error-score-stale-timestamp.json",
    ];
    for name in names {
        let exchange = fixture(name);
        let recorded = &exchange["response"];
        let response = replay(&double, &exchange).await;
        assert_eq!(
            response.status().as_u16(),
            recorded["status"].as_u64().unwrap() as u16,
            "{name}"
        );
        let recorded_type = recorded["headers"]["Content-Type"].as_str().unwrap();
        assert_eq!(response.headers()["content-type"], recorded_type, "{name}");
        let body = response.text().await.unwrap();
        match &recorded["json"] {
            serde_json::Value::Null => {
                assert_eq!(body, recorded["body"].as_str().unwrap_or(""), "{name}")
            }
            expected => {
                let actual: serde_json::Value = serde_json::from_str(&body).unwrap();
                assert_eq!(&actual, &double_view(&double, expected), "{name}");
            }
        }
    }
}

/// A recorded JSON body with the recorded Moodle's origin replaced by the double's.
fn double_view(double: &MoodleDouble, recorded: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(&double.local(&recorded.to_string())).unwrap()
}

async fn double_for_tool() -> (MoodleDouble, AgsClient, Platform, tempfile::TempDir) {
    // The double reads the tool's key from the store the client signs with, so the
    // store is made first and its key handed over.
    let dir = tempfile::tempdir().unwrap();
    let store = common::fresh_store(common::Backend::Sqlite, dir.path()).await;
    keys::ensure_signing_key(
        store.as_ref(),
        &keys::KeyVault::unsealed(),
        cowork::unix_now(),
    )
    .await
    .unwrap();
    let jwks = keys::published_jwks(
        store.as_ref(),
        &keys::KeyVault::unsealed(),
        cowork::unix_now(),
        60,
    )
    .await
    .unwrap();
    let double = MoodleDouble::start(
        RECORDED_CLIENT_ID,
        2,
        ToolKeys::Fixed(jwks.keys),
        recorded_course,
    )
    .await;
    let platform = store
        .upsert_platform(
            &NewPlatform {
                issuer: double.url.clone(),
                client_id: RECORDED_CLIENT_ID.into(),
                auth_url: format!("{}/auth", double.url),
                token_url: double.book.token_url(),
                jwks_url: format!("{}/jwks", double.url),
                deployments: vec![],
            },
            cowork::unix_now(),
        )
        .await
        .unwrap();
    let tokens = Arc::new(ServiceTokens::new(&PlatformHttp::new(true), store.clone()));
    (
        double,
        AgsClient::new(&PlatformHttp::new(true), tokens),
        platform,
        dir,
    )
}

fn line_item_url(double: &MoodleDouble, id: u64) -> String {
    format!(
        "{}/mod/lti/services.php/2/lineitems/{id}/lineitem?type_id=2",
        double.url
    )
}

#[tokio::test]
async fn score_reaches_gradebook_scaled() {
    let (double, ags, platform, _dir) = double_for_tool().await;
    let now = cowork::unix_now();
    let score = Score::completed("4", 7.0, 10.0, now);
    ags.post_score(&platform, &line_item_url(&double, 2), &score)
        .await
        .unwrap();
    let grades = double.book.grades();
    assert_eq!(grades.len(), 1);
    assert_eq!(grades[0].user_id, "4");
    assert_eq!(grades[0].score_given, 35.0, "Moodle scales 7/10 to 35/50");

    let results = ags
        .results(&platform, &line_item_url(&double, 2))
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].result_score, Some(35.0));
    let item = ags
        .line_item(&platform, &line_item_url(&double, 2))
        .await
        .unwrap();
    assert_eq!(item.score_maximum, 50.0);
    let requests = double.book.token_requests();
    assert_eq!(
        requests.len(),
        3,
        "one token per scope set: score, results, line item read"
    );
}

#[tokio::test]
async fn same_second_score_is_conflict() {
    let (double, ags, platform, _dir) = double_for_tool().await;
    let now = cowork::unix_now();
    let url = line_item_url(&double, 2);
    ags.post_score(&platform, &url, &Score::completed("4", 1.0, 10.0, now))
        .await
        .unwrap();
    let again = ags
        .post_score(&platform, &url, &Score::completed("4", 2.0, 10.0, now))
        .await;
    assert!(
        matches!(again, Err(AgsError::Status { status: 409, .. })),
        "{again:?}"
    );
    assert_eq!(classify(&again), Delivery::AlreadyNewer);
    let later = ags
        .post_score(&platform, &url, &Score::completed("4", 2.0, 10.0, now + 1))
        .await;
    assert!(later.is_ok(), "{later:?}");
}

#[tokio::test]
async fn revoked_token_is_refreshed_once() {
    let (double, ags, platform, _dir) = double_for_tool().await;
    let url = line_item_url(&double, 2);
    let now = cowork::unix_now();
    ags.post_score(&platform, &url, &Score::completed("4", 1.0, 10.0, now))
        .await
        .unwrap();
    double.book.revoke_tokens();
    ags.post_score(&platform, &url, &Score::completed("4", 2.0, 10.0, now + 1))
        .await
        .unwrap();
    assert_eq!(
        double.book.token_requests().len(),
        2,
        "a 401 asks for one new token"
    );
    assert_eq!(double.book.accepted().len(), 2);
}

#[tokio::test]
async fn unknown_person_is_bad_request() {
    let (double, ags, platform, _dir) = double_for_tool().await;
    let result = ags
        .post_score(
            &platform,
            &line_item_url(&double, 2),
            &Score::completed("99999", 1.0, 10.0, cowork::unix_now()),
        )
        .await;
    assert!(
        matches!(result, Err(AgsError::Status { status: 400, .. })),
        "{result:?}"
    );
    assert!(matches!(classify(&result), Delivery::Dead(_)));
    let missing = ags
        .post_score(
            &platform,
            &line_item_url(&double, 99999),
            &Score::completed("4", 1.0, 10.0, cowork::unix_now()),
        )
        .await;
    assert!(
        matches!(missing, Err(AgsError::Status { status: 404, .. })),
        "{missing:?}"
    );
}

#[tokio::test]
async fn line_item_created_in_container() {
    let (double, ags, platform, _dir) = double_for_tool().await;
    let container = format!("{}/mod/lti/services.php/2/lineitems?type_id=2", double.url);
    let created = ags
        .create_line_item(
            &platform,
            &container,
            &LineItem {
                id: None,
                label: "cowork participation".into(),
                score_maximum: 100.0,
                resource_link_id: None,
                resource_id: Some("cowork-space-1".into()),
                tag: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        created.id.as_deref(),
        Some(line_item_url(&double, 3).as_str())
    );
    assert_eq!(double.book.columns().len(), 2);
}

#[tokio::test]
async fn private_service_addresses_refused() {
    let (double, _, platform, dir) = double_for_tool().await;
    let store = common::fresh_store(common::Backend::Sqlite, dir.path()).await;
    let strict = PlatformHttp::new(false);
    let tokens = Arc::new(ServiceTokens::new(&strict, store));
    let ags = AgsClient::new(&strict, tokens.clone());
    let score = Score::completed("4", 1.0, 10.0, cowork::unix_now());

    let result = ags
        .post_score(&platform, &line_item_url(&double, 2), &score)
        .await;
    assert!(
        matches!(result, Err(AgsError::Outbound(_))),
        "a line item on 127.0.0.1: {result:?}"
    );
    assert!(
        matches!(classify(&result), Delivery::Dead(_)),
        "a refused address is not retried"
    );
    assert!(
        double.book.token_requests().is_empty(),
        "no token was requested"
    );

    let token = tokens.token(&platform, &[SCOPE_SCORE]).await;
    let error = token.expect_err("a token endpoint on 127.0.0.1");
    assert!(matches!(error, TokenError::Outbound(_)), "{error}");
    assert!(!error.is_transient());
    assert!(double.book.token_requests().is_empty(), "nothing was sent");
}
