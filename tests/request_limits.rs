//! Limits on what one client can hold or send: the time to send a request's headers, an
//! idle kept-alive connection, a request body and a WebSocket frame.

mod common;

use std::time::Duration;

use common::{backends, choice, token_of, TestApp};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// The header read timeout the tests set, in seconds.
const TIMEOUT_SECS: u64 = 1;

async fn spawn_with_timeout(backend: common::Backend) -> TestApp {
    common::spawn_with(backend, |config| {
        config.header_read_timeout_secs = TIMEOUT_SECS;
    })
    .await
}

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.tool_url.trim_start_matches("http://");
    TcpStream::connect(address).await.unwrap()
}

/// Reads until the server closes the connection, and returns what it sent, or `None`
/// when the connection is still open after `within`.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(within, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(count) => received.extend_from_slice(&buffer[..count]),
            }
        }
    })
    .await;
    outcome
        .ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

/// Sends `GET /healthz` on `client` and returns the first bytes of the response.
async fn get_health(client: &mut TcpStream) -> String {
    client
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buffer = [0u8; 1024];
    let count = client.read(&mut buffer).await.unwrap();
    String::from_utf8_lossy(&buffer[..count]).into_owned()
}

#[tokio::test]
async fn slow_headers_closed_after_timeout() {
    for backend in backends() {
        let app = spawn_with_timeout(backend).await;
        let mut slow = connect(&app).await;
        slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .await
            .unwrap();
        // One more header line, then nothing: the headers never end.
        tokio::time::sleep(Duration::from_millis(300)).await;
        slow.write_all(b"X-Slow: 1\r\n").await.unwrap();

        let answer = read_until_closed(&mut slow, Duration::from_secs(TIMEOUT_SECS + 4)).await;
        let answer = answer.unwrap_or_else(|| {
            panic!("{backend:?}: a client that never ends its headers is still connected")
        });
        assert!(
            !answer.contains("200 OK"),
            "{backend:?}: the unfinished request was not served: {answer}"
        );
    }
}

#[tokio::test]
async fn slow_body_closed_after_deadline() {
    for backend in backends() {
        let app = spawn_with_timeout(backend).await;
        let mut slow = connect(&app).await;
        // 8 KiB at the slowest allowed rate adds one second to the one-second timeout.
        slow.write_all(
            b"POST /lti/launch HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 8192\r\n\r\nid_token=",
        )
        .await
        .unwrap();
        let trickle = async {
            loop {
                tokio::time::sleep(Duration::from_millis(300)).await;
                if slow.write_all(b"a").await.is_err() {
                    break;
                }
            }
        };
        let closed = tokio::time::timeout(Duration::from_secs(TIMEOUT_SECS + 6), trickle).await;
        assert!(
            closed.is_ok(),
            "{backend:?}: a body sent a byte at a time still holds the connection"
        );
    }
}

#[tokio::test]
async fn silent_connection_closed_after_timeout() {
    for backend in backends() {
        let app = spawn_with_timeout(backend).await;
        let mut silent = connect(&app).await;
        let answer = read_until_closed(&mut silent, Duration::from_secs(TIMEOUT_SECS + 4)).await;
        assert!(
            answer.is_some(),
            "{backend:?}: a connection that sends nothing is closed"
        );
    }
}

#[tokio::test]
async fn idle_keep_alive_closed_after_timeout() {
    for backend in backends() {
        let app = spawn_with_timeout(backend).await;
        let mut client = connect(&app).await;
        let first = get_health(&mut client).await;
        assert!(
            first.starts_with("HTTP/1.1 200"),
            "{backend:?}: a complete request is served: {first}"
        );

        let rest = read_until_closed(&mut client, Duration::from_secs(TIMEOUT_SECS + 4)).await;
        assert!(
            rest.is_some(),
            "{backend:?}: an idle kept-alive connection is closed"
        );
    }
}

#[tokio::test]
async fn prompt_requests_keep_connection() {
    for backend in backends() {
        let app = spawn_with_timeout(backend).await;
        let mut client = connect(&app).await;
        // Three requests on one connection, each sent well within the timeout.
        for round in 0..3 {
            let answer = get_health(&mut client).await;
            assert!(
                answer.starts_with("HTTP/1.1 200"),
                "{backend:?}: request {round} on a kept-alive connection: {answer}"
            );
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }
}

#[tokio::test]
async fn body_over_limit_rejected() {
    for backend in backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("tess", "instructor")).await;
        let rooms_url = format!("{}/spaces/{}/rooms", app.tool_url, teacher.space_id);

        // 64 KiB is the limit for bodies other than uploads.
        let oversized = json!({"kind": "team", "name": "Big", "topic": "x".repeat(70 * 1024)});
        let response = app
            .http
            .post(&rooms_url)
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&oversized)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{backend:?}: body over 64 KiB");
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"], "body_too_large", "{backend:?}: {error}");
        assert!(
            error["message"].as_str().unwrap_or("").contains("64 KiB"),
            "{backend:?}: the message names the limit: {error}"
        );

        let page = app
            .http
            .post(&rooms_url)
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "text/html")
            .json(&oversized)
            .send()
            .await
            .unwrap();
        assert_eq!(
            page.status(),
            413,
            "{backend:?}: body over 64 KiB as a page"
        );
        let html = page.text().await.unwrap();
        assert!(
            html.contains("larger than 64 KiB"),
            "{backend:?}: the page names the limit: {html}"
        );

        // The same body without a declared length is cut off at the limit.
        let body = oversized.to_string();
        let head = format!(
            "POST /spaces/{}/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\n\
             x-cowork-token: {}\r\naccept: application/json\r\n\
             content-type: application/json\r\ntransfer-encoding: chunked\r\n\
             connection: close\r\n\r\n{:x}\r\n",
            teacher.space_id,
            token_of(&teacher),
            body.len()
        );
        let mut chunked = connect(&app).await;
        chunked.write_all(head.as_bytes()).await.unwrap();
        let _ = chunked.write_all(body.as_bytes()).await;
        let _ = chunked.write_all(b"\r\n0\r\n\r\n").await;
        let answer = read_until_closed(&mut chunked, Duration::from_secs(10))
            .await
            .expect("the server answers and closes");
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "{backend:?}: chunked body over 64 KiB: {answer}"
        );
        assert!(answer.contains("body_too_large"), "{backend:?}: {answer}");

        let rooms: serde_json::Value = app
            .http
            .get(format!("{rooms_url}?lt={}", token_of(&teacher)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            !rooms.to_string().contains("\"Big\""),
            "{backend:?}: nothing was stored from the rejected body: {rooms}"
        );
    }
}

#[tokio::test]
async fn socket_frame_over_limit_closed() {
    for backend in backends() {
        let app = common::spawn(backend).await;
        let student = app.launch(choice("sam", "learner")).await;
        let mut request = app
            .socket_url(&student)
            .await
            .into_client_request()
            .unwrap();
        request
            .headers_mut()
            .insert("origin", app.tool_url.parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("WebSocket connects");

        // 32 KiB is the largest frame the server reads.
        let oversized = json!({"type": "post", "room_id": 1, "body": "x".repeat(40 * 1024)});
        let _ = socket
            .send(Message::Text(oversized.to_string().into()))
            .await;
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(frame) = socket.next().await {
                match frame {
                    Ok(Message::Close(frame)) => return frame.map(|frame| frame.code),
                    Ok(_) => continue,
                    Err(_) => return None,
                }
            }
            None
        })
        .await
        .unwrap_or_else(|_| panic!("{backend:?}: the socket stays open after a 40 KiB frame"));
        // The server ends the connection without reading the frame; a closing frame, when
        // one is sent, names the size.
        if let Some(code) = closed {
            assert_eq!(code, CloseCode::Size, "{backend:?}");
        }
    }
}
