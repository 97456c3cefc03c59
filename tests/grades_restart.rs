//! The real `cowork serve` process killed, or stopped with SIGTERM, in the middle of
//! sending grades and started again: every grade reaches the gradebook once and no outbox
//! row is lost.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::Duration;

use common::moodle::GradedCourse;
use common::process::shared_database;
use common::{backends, Backend};

const STUDENTS: usize = 40;

/// A running `cowork serve`, killed when dropped so a failing test leaves no process.
struct Tool(Child);

impl Tool {
    fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// Sends SIGTERM and returns whether the process exited with status 0 within `secs`.
    async fn terminate(&mut self, secs: u64) -> bool {
        let sent = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(sent, "SIGTERM delivered");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.0.try_wait().expect("process status") {
                return status.success();
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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
    let course = GradedCourse::start(&store, STUDENTS).await;
    let double = &course.double;
    // Slow replies, so the kill lands while scores are in flight.
    double.faults.delay_ms.store(300, Ordering::SeqCst);
    let grades = course.enqueue_grades(&store).await;
    assert_eq!(grades.len(), STUDENTS);

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
    let rows = store.outbox(course.space_id, 100).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut rows_sent = rows.iter().all(|row| row.status == "sent");
    while !rows_sent && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let rows = store.outbox(course.space_id, 100).await.unwrap();
        rows_sent = rows.iter().all(|row| row.status == "sent");
    }
    tool.kill();

    assert!(rows_sent, "every outbox row is marked sent");
    course.assert_each_accepted_once(&grades);
}

#[tokio::test]
async fn terminated_tool_keeps_queued_grades() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _guard, database_url) = match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("cowork.db").display());
                (cowork::store::connect(&url).await.unwrap(), None, url)
            }
            Backend::Postgres => {
                let (store, guard, url) = shared_database(dir.path()).await.unwrap();
                (store, Some(guard), url)
            }
        };
        let course = GradedCourse::start(&store, STUDENTS).await;
        let double = &course.double;
        double.faults.delay_ms.store(300, Ordering::SeqCst);
        let grades = course.enqueue_grades(&store).await;

        let mut tool = start_tool(&database_url);
        wait_for(60, "the first scores", || {
            double.faults.score_posts.load(Ordering::SeqCst) >= 3
        })
        .await;
        assert!(
            tool.terminate(40).await,
            "{backend:?}: cowork exits with status 0 after SIGTERM"
        );

        // Scores in flight were finished and the rest went back to the queue.
        let rows = store.outbox(course.space_id, 100).await.unwrap();
        assert_eq!(rows.len(), STUDENTS, "{backend:?}: no outbox row is lost");
        let sent = rows.iter().filter(|row| row.status == "sent").count();
        let pending = rows.iter().filter(|row| row.status == "pending").count();
        assert_eq!(
            sent + pending,
            STUDENTS,
            "{backend:?}: every row is sent or queued, none left claimed: {:?}",
            rows.iter().map(|row| &row.status).collect::<Vec<_>>()
        );
        assert!(
            pending > 0,
            "{backend:?}: SIGTERM came before the sync ended"
        );
        assert_eq!(
            double.book.accepted().len(),
            sent,
            "{backend:?}: each row marked sent reached the gradebook"
        );

        let mut tool = start_tool(&database_url);
        wait_for(60, "every score", || double.book.grades().len() == STUDENTS).await;
        tool.kill();
        course.assert_each_accepted_once(&grades);
    }
}
