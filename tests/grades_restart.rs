//! The real `cowork serve` process killed in the middle of sending grades and started
//! again: every grade reaches the gradebook once and no outbox row is lost.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::moodle::{MoodleDouble, RECORDED_CLIENT_ID};
use cowork::demo::gradebook::{Column, ToolKeys};
use cowork::store::grades::NewGrade;
use cowork::store::{LaunchRecord, LaunchUser, NewPlatform};
use cowork::{keys, random_token, unix_now};

const STUDENTS: usize = 8;

/// A running `cowork serve`, killed when dropped so a failing test leaves no process.
struct Tool(Child);

impl Tool {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Tool {
    fn drop(&mut self) {
        self.kill();
    }
}

fn start_tool(database_url: &str) -> Tool {
    let child = Command::new(env!("CARGO_BIN_EXE_cowork"))
        .arg("serve")
        .env("COWORK_DATABASE_URL", database_url)
        .env("COWORK_BIND", "127.0.0.1:0")
        .env("COWORK_GRADE_CLAIM_LEASE_SECS", "2")
        .env("COWORK_GRADE_RETRY_BASE_SECS", "1")
        .env("COWORK_GRADE_RETRY_MAX_DELAY_SECS", "1")
        .env("COWORK_LOG", "warn")
        // The platform double listens on 127.0.0.1.
        .env("COWORK_ALLOW_PRIVATE_ADDRESSES", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start cowork serve");
    Tool(child)
}

fn launch_of(issuer: &str, subject: &str) -> LaunchRecord {
    LaunchRecord {
        issuer: issuer.into(),
        deployment_id: "2".into(),
        context_id: "2".into(),
        context_title: Some("LTI101".into()),
        context_label: None,
        resource_link_id: "1".into(),
        resource_link_title: Some("Coworking".into()),
        space_id: None,
        user: Some(LaunchUser {
            subject: subject.into(),
            name: Some(format!("Student {subject}")),
            given_name: None,
            family_name: None,
        }),
        role: "student".into(),
        session_id: random_token(16),
        locale: None,
        return_url: None,
        document_target: None,
        platform_origin: issuer.into(),
        session_expires_at: unix_now() + 3600,
    }
}

async fn wait_for(secs: u64, what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn killed_tool_resends_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("cowork.db").display());
    let store = cowork::store::connect(&database_url).await.unwrap();
    keys::ensure_signing_key(store.as_ref(), unix_now())
        .await
        .unwrap();
    let jwks = keys::published_jwks(store.as_ref(), unix_now(), 60)
        .await
        .unwrap();
    let double = MoodleDouble::start(RECORDED_CLIENT_ID, 2, ToolKeys::Fixed(jwks.keys), |book| {
        book.put_column(Column {
            id: 2,
            label: "Coworking".into(),
            score_maximum: 100.0,
            resource_id: None,
            tag: None,
            resource_link_id: Some("1".into()),
        });
        for index in 1..=STUDENTS {
            book.enroll(&format!("s{index}"));
        }
    })
    .await;
    // Slow replies, so the kill lands while scores are in flight.
    double.faults.delay_ms.store(300, Ordering::SeqCst);
    let platform = store
        .upsert_platform(
            &NewPlatform {
                issuer: double.url.clone(),
                client_id: RECORDED_CLIENT_ID.into(),
                auth_url: format!("{}/auth", double.url),
                token_url: double.book.token_url(),
                jwks_url: format!("{}/jwks", double.url),
                deployments: vec!["2".into()],
            },
            unix_now(),
        )
        .await
        .unwrap();
    let mut space_id = 0;
    for index in 1..=STUDENTS {
        let launch = launch_of(&double.url, &format!("s{index}"));
        space_id = store.record_launch(&launch, unix_now()).await.unwrap();
    }
    let grades: Vec<NewGrade> = store
        .graded_members(space_id)
        .await
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(index, member)| NewGrade {
            user_id: member.user_id,
            user_subject: member.subject,
            points: index as f64,
            score_given: 10.0 * index as f64,
            score_maximum: 100.0,
        })
        .collect();
    assert_eq!(grades.len(), STUDENTS);
    let line_item = format!(
        "{}/mod/lti/services.php/2/lineitems/2/lineitem?type_id=2",
        double.url
    );
    store
        .enqueue_grades(space_id, platform.id, &line_item, &grades, unix_now())
        .await
        .unwrap();

    let mut tool = start_tool(&database_url);
    wait_for(60, "the first scores", || {
        double.faults.score_posts.load(Ordering::SeqCst) >= 3
    })
    .await;
    tool.kill();
    let accepted_before_restart = double.book.accepted().len();
    assert!(
        accepted_before_restart < STUDENTS,
        "the kill came before the sync finished"
    );

    let mut tool = start_tool(&database_url);
    wait_for(60, "every score", || double.book.grades().len() == STUDENTS).await;
    let rows = store.outbox(space_id, 100).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut rows_sent = rows.iter().all(|row| row.status == "sent");
    while !rows_sent && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let rows = store.outbox(space_id, 100).await.unwrap();
        rows_sent = rows.iter().all(|row| row.status == "sent");
    }
    tool.kill();

    assert!(rows_sent, "every outbox row is marked sent");
    let accepted = double.book.accepted();
    assert_eq!(
        accepted.len(),
        STUDENTS,
        "each score accepted once: {accepted:?}"
    );
    for grade in &grades {
        let stored: Vec<_> = accepted
            .iter()
            .filter(|a| a.user_id == grade.user_subject)
            .collect();
        assert_eq!(stored.len(), 1, "{}", grade.user_subject);
        assert_eq!(stored[0].score_given, grade.score_given);
    }
}
