//! What the log records about launches, chat, uploads and rejected requests: the check,
//! the registration and the route, never a token, a cookie, message text or a person's
//! e-mail address.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use cowork::lti::service_token::SCOPE_SCORE;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
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
        .with_env_filter(cowork::cli::log_filter(Some(
            "debug,hyper=info,hyper_util=info,reqwest=info,h2=info",
        )))
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();

    for backend in common::backends() {
        // The subscriber is global, so each backend's run starts from an empty log.
        captured.0.lock().unwrap().clear();
        let app = common::spawn(backend).await;
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

        // Chat messages, an upload and rejected writes, each carrying text that must stay
        // out of the log.
        let message_text = "Chat text 7f3k: write to anna.private@example.invalid";
        let (mut socket, hello) = app.socket(&launched).await;
        let room_id = common::open_room(&hello);
        socket
            .send(serde_json::json!({"type": "send", "room_id": room_id, "body": message_text}))
            .await;
        socket.next_of("ack").await;
        socket
            .send(serde_json::json!({"type": "send", "room_id": 999_999, "body": message_text}))
            .await;
        socket.next_of("error").await;
        socket.close().await;

        let token = common::token_of(&launched);
        let boundary = "logging-test-boundary";
        let mut upload = Vec::new();
        for (field, value) in [("title", message_text), ("description", message_text)] {
            upload.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        upload.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--{boundary}--\r\n"
            )
            .as_bytes(),
        );
        let uploaded = app
            .http
            .post(format!(
                "{}/spaces/{}/showcase/items",
                app.tool_url, launched.space_id
            ))
            .header("x-cowork-token", &token)
            .header("accept", "application/json")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(upload)
            .send()
            .await
            .unwrap();
        assert_eq!(uploaded.status(), 201, "the upload is stored");

        let rejected_room = app
            .http
            .post(format!(
                "{}/spaces/{}/rooms",
                app.tool_url, launched.space_id
            ))
            .header("x-cowork-token", &token)
            .header("accept", "application/json")
            .json(&serde_json::json!({"kind": message_text, "name": message_text}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            rejected_room.status(),
            400,
            "an invalid room kind is rejected"
        );
        let forged = app
            .http
            .post(format!(
                "{}/spaces/{}/rooms",
                app.tool_url, launched.space_id
            ))
            .header("x-cowork-token", format!("{token}forged"))
            .header("cookie", &launched.cookie)
            .json(&serde_json::json!({"kind": "team", "name": message_text}))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 401, "a forged token is rejected");

        // A WebSocket connection token, sent in the query string of the upgrade request.
        let socket_token = app.socket_token(&launched).await;
        let mut upgrade = app
            .socket_url_with(launched.space_id, &socket_token)
            .into_client_request()
            .unwrap();
        upgrade
            .headers_mut()
            .insert("origin", app.tool_url.parse().unwrap());
        let (mut connection, _) = tokio_tungstenite::connect_async(upgrade)
            .await
            .expect("the connection token opens the WebSocket");
        connection.close(None).await.unwrap();

        // A grade service access token from the demo platform's token endpoint.
        let registration = app
            .state
            .store
            .platform(&app.platform.issuer, cowork::demo::CLIENT_ID)
            .await
            .unwrap()
            .expect("the demo platform is registered");
        let access_token = app
            .state
            .service_tokens
            .token(&registration, &[SCOPE_SCORE])
            .await
            .expect("the demo platform issues a grade service token");

        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            log.contains("route=\"/spaces/{space_id}/showcase/items\""),
            "{backend:?}: the upload was logged:\n{log}"
        );
        let cookie_value = launched
            .cookie
            .split_once('=')
            .map(|(_, value)| value.split(';').next().unwrap_or(value))
            .unwrap();
        assert!(
            !log.contains(cookie_value),
            "{backend:?}: the log contains the cookie value"
        );
        let leaked: Vec<&str> = log
            .lines()
            .filter(|line| line.contains("Chat text 7f3k"))
            .collect();
        assert!(
            leaked.is_empty(),
            "{backend:?}: the log contains message text:\n{leaked:#?}"
        );
        assert!(
            !log.contains(message_text),
            "{backend:?}: the log contains message text"
        );
        assert!(
            !log.contains("Chat text 7f3k"),
            "{backend:?}: the log contains part of a message"
        );
        assert!(
            !log.contains("anna.private@example.invalid"),
            "{backend:?}: the log contains an e-mail address"
        );
        assert!(
            log.contains("launch accepted"),
            "{backend:?}: accepted launch logged:\n{log}"
        );
        assert!(
            log.contains("launch rejected"),
            "{backend:?}: rejected launch logged:\n{log}"
        );
        assert!(
            log.contains("check=\"signature\""),
            "{backend:?}: check named:\n{log}"
        );
        assert!(
            log.contains(&app.platform_url),
            "{backend:?}: registration named:\n{log}"
        );
        assert!(
            log.contains("route=\"/spaces/{space_id}\""),
            "{backend:?}: route template in span:\n{log}"
        );

        let session_token = launched.space_url.split("lt=").nth(1).unwrap();
        let secrets = [
            ("id_token", id_token.as_str()),
            ("session token", session_token),
            ("state", state.as_str()),
            ("nonce", login.nonce.as_str()),
            ("WebSocket connection token", socket_token.as_str()),
            ("grade service access token", access_token.as_str()),
            ("e-mail address", "@example.invalid"),
        ];
        for (name, secret) in secrets {
            assert!(
                !log.contains(secret),
                "{backend:?}: the log contains the {name}"
            );
        }
        // A signature is the last part of a JWT, so check it on its own as well.
        let signature = id_token.rsplit('.').next().unwrap();
        assert!(
            !log.contains(signature),
            "{backend:?}: the log contains an id_token signature"
        );
    }
}
