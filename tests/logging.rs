//! What the log records about launches: the check and the registration, never a token,
//! a cookie or a person's e-mail address.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::fmt::MakeWriter;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn log_names_check_without_tokens() {
    let captured = Captured::default();
    tracing_subscriber::fmt()
        .with_env_filter("debug,hyper=info,hyper_util=info,reqwest=info,h2=info")
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();

    let app = common::spawn(common::Backend::Sqlite).await;
    let launched = app
        .launch(common::choice("demo-student-1", "learner"))
        .await;
    let page = app.http.get(&launched.space_url).send().await.unwrap();
    assert_eq!(page.status(), 200);

    let login = app.login(common::choice("demo-student-2", "learner")).await;
    let (id_token, state) = app.authorize(&login).await;
    let mut tampered = id_token.clone();
    tampered.push('x');
    let rejected = app.post_launch(&tampered, &state).await;
    assert_eq!(rejected.status(), 401);

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("launch accepted"),
        "accepted launch logged:\n{log}"
    );
    assert!(
        log.contains("launch rejected"),
        "rejected launch logged:\n{log}"
    );
    assert!(log.contains("check=\"signature\""), "check named:\n{log}");
    assert!(
        log.contains(&app.platform_url),
        "registration named:\n{log}"
    );
    assert!(
        log.contains("route=\"/spaces/{space_id}\""),
        "route template in span:\n{log}"
    );

    let session_token = launched.space_url.split("lt=").nth(1).unwrap();
    let secrets = [
        ("id_token", id_token.as_str()),
        ("session token", session_token),
        ("state", state.as_str()),
        ("nonce", login.nonce.as_str()),
        ("e-mail address", "@example.invalid"),
    ];
    for (name, secret) in secrets {
        assert!(!log.contains(secret), "the log contains the {name}");
    }
    // A signature is the last part of a JWT, so check it on its own as well.
    let signature = id_token.rsplit('.').next().unwrap();
    assert!(
        !log.contains(signature),
        "the log contains an id_token signature"
    );
}
