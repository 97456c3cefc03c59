//! The showcase over real HTTP on every configured backend: publishing links and files,
//! downloads, upload checks, directory storage, comments, reactions, feedback, teacher
//! actions, and who may do what.

mod common;

use common::{backends, choice, spawn, spawn_with, token_of, Backend, Launched, TestApp};
use serde_json::{json, Value};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// One part of a `multipart/form-data` body.
struct Part {
    name: &'static str,
    file_name: Option<String>,
    content_type: Option<&'static str>,
    data: Vec<u8>,
}

fn text(name: &'static str, value: &str) -> Part {
    Part {
        name,
        file_name: None,
        content_type: None,
        data: value.as_bytes().to_vec(),
    }
}

fn file(file_name: &str, content_type: &'static str, data: &[u8]) -> Part {
    Part {
        name: "file",
        file_name: Some(file_name.to_string()),
        content_type: Some(content_type),
        data: data.to_vec(),
    }
}

const BOUNDARY: &str = "cowork-test-boundary-7MA4YWxkTrZu0gW";

fn multipart_body(parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(file_name) = &part.file_name {
            disposition.push_str(&format!("; filename=\"{file_name}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(content_type) = part.content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// How an upload carries the session token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TokenIn {
    Header,
    /// An `lt` field before the other fields, as the showcase page sends it.
    Field,
    Nowhere,
}

async fn upload(
    app: &TestApp,
    launched: &Launched,
    token_in: TokenIn,
    parts: Vec<Part>,
) -> (u16, Value) {
    let token = token_of(launched);
    let mut all = Vec::new();
    if token_in == TokenIn::Field {
        all.push(text("lt", &token));
    }
    all.extend(parts);
    let mut request = app
        .http
        .post(format!(
            "{}/spaces/{}/showcase/items",
            app.tool_url, launched.space_id
        ))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("accept", "application/json")
        .body(multipart_body(&all));
    if token_in == TokenIn::Header {
        request = request.header("x-cowork-token", &token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn publish_file(app: &TestApp, launched: &Launched, name: &str, data: &[u8]) -> (u16, Value) {
    upload(
        app,
        launched,
        TokenIn::Header,
        vec![
            text("title", &format!("Work {name}")),
            text("description", ""),
            file(name, "application/octet-stream", data),
        ],
    )
    .await
}

async fn publish_link(app: &TestApp, launched: &Launched, title: &str) -> i64 {
    let (status, item) = upload(
        app,
        launched,
        TokenIn::Header,
        vec![
            text("title", title),
            text("link", "https://example.edu/portfolio"),
        ],
    )
    .await;
    assert_eq!(status, 201, "{item}");
    item["id"].as_i64().unwrap()
}

async fn send_json(
    app: &TestApp,
    launched: &Launched,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .http
        .request(
            method,
            format!("{}/spaces/{}{path}", app.tool_url, launched.space_id),
        )
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn post_json(app: &TestApp, launched: &Launched, path: &str, body: Value) -> (u16, Value) {
    send_json(app, launched, reqwest::Method::POST, path, Some(body)).await
}

async fn get_json(app: &TestApp, launched: &Launched, path: &str) -> (u16, Value) {
    send_json(app, launched, reqwest::Method::GET, path, None).await
}

/// Downloads an item's file with the `lt` parameter, as the item page links it.
async fn download(app: &TestApp, launched: &Launched, item_id: i64) -> reqwest::Response {
    app.http
        .get(format!(
            "{}/spaces/{}/showcase/items/{item_id}/file?lt={}",
            app.tool_url,
            launched.space_id,
            token_of(launched)
        ))
        .send()
        .await
        .unwrap()
}

async fn page(app: &TestApp, launched: &Launched, path: &str) -> (u16, String) {
    let response = app
        .http
        .get(format!(
            "{}/spaces/{}{path}?lt={}",
            app.tool_url,
            launched.space_id,
            token_of(launched)
        ))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Looks up the user id behind a launch's session.
async fn user_id(app: &TestApp, launched: &Launched) -> i64 {
    let (session_id, _) = app.state.session_key.verify(&token_of(launched)).unwrap();
    let view = app
        .state
        .store
        .session(&session_id, cowork::unix_now())
        .await
        .unwrap()
        .unwrap();
    view.user_id.unwrap()
}

fn titles(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["title"].as_str().unwrap().to_string())
        .collect()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn publish_link_and_file() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let author = user_id(&app, &student).await;

        let (status, linked) = upload(
            &app,
            &student,
            TokenIn::Field,
            vec![
                text("title", "  Market study  "),
                text(
                    "description",
                    "**Findings** and <script>alert(1)</script> [notes](javascript:alert(1))",
                ),
                text("link", " https://example.edu/study "),
                file("", "application/octet-stream", b""),
            ],
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: {linked}");
        assert_eq!(
            linked["title"], "Market study",
            "{backend:?}: title trimmed"
        );
        assert_eq!(
            linked["link_url"], "https://example.edu/study",
            "{backend:?}"
        );
        assert_eq!(linked["file_name"], Value::Null, "{backend:?}");
        let html = linked["description_html"].as_str().unwrap();
        assert!(
            html.contains("<strong>Findings</strong>"),
            "{backend:?}: {html}"
        );
        assert!(!html.contains("<script"), "{backend:?}: {html}");
        assert!(!html.contains("javascript:"), "{backend:?}: {html}");

        let (status, filed) = publish_file(&app, &student, "report.pdf", PDF).await;
        assert_eq!(status, 201, "{backend:?}: {filed}");
        assert_eq!(filed["file_name"], "report.pdf", "{backend:?}");
        assert_eq!(filed["file_type"], "application/pdf", "{backend:?}");
        assert_eq!(filed["file_size"], PDF.len(), "{backend:?}");
        assert_eq!(filed["link_url"], Value::Null, "{backend:?}");

        let (status, list) = get_json(&app, &student, "/showcase/items").await;
        assert_eq!(status, 200, "{backend:?}");
        assert_eq!(
            titles(&list),
            vec!["Work report.pdf", "Market study"],
            "{backend:?}: newest first"
        );

        let interactions = app
            .state
            .store
            .interactions(student.space_id, 0)
            .await
            .unwrap();
        let published: Vec<_> = interactions
            .iter()
            .filter(|i| i.kind == "showcase_item")
            .collect();
        assert_eq!(published.len(), 2, "{backend:?}: {interactions:?}");
        assert!(
            published
                .iter()
                .all(|i| i.actor_id == author && i.target_id.is_none()),
            "{backend:?}: {published:?}"
        );
        let linked_id = linked["id"].as_i64().unwrap();
        assert!(
            published.iter().any(|i| i.subject_id == Some(linked_id)),
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn link_or_file_required_once() {
    let app = spawn(Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let cases = [
        (
            vec![text("title", "Nothing attached")],
            "neither a link nor a file",
        ),
        (
            vec![
                text("title", "Both"),
                text("link", "https://example.edu/x"),
                file("a.pdf", "application/pdf", PDF),
            ],
            "both a link and a file",
        ),
        (
            vec![text("title", "Script"), text("link", "javascript:alert(1)")],
            "http:// or https://",
        ),
        (
            vec![text("title", "FTP"), text("link", "ftp://example.edu/file")],
            "http:// or https://",
        ),
        (
            vec![text("title", "   "), text("link", "https://example.edu/x")],
            "title must be 1 to 120",
        ),
        (
            vec![
                text("title", "Extra"),
                text("link", "https://example.edu/x"),
                text("space_id", "2"),
            ],
            "unknown form field",
        ),
    ];
    for (parts, expected) in cases {
        let (status, error) = upload(&app, &student, TokenIn::Header, parts).await;
        assert_eq!(status, 400, "{expected}: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(expected), "{expected}: {message}");
    }
    let (_, list) = get_json(&app, &student, "/showcase/items").await;
    assert!(titles(&list).is_empty(), "nothing was stored: {list}");
}

#[tokio::test]
async fn download_returns_identical_bytes() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let other = app.launch(choice("demo-student-2", "learner")).await;
        let name = "итоги 2024 (final).png";
        let (status, item) = publish_file(&app, &student, name, PNG).await;
        assert_eq!(status, 201, "{backend:?}: {item}");
        let item_id = item["id"].as_i64().unwrap();

        let response = download(&app, &other, item_id).await;
        assert_eq!(response.status(), 200, "{backend:?}");
        assert_eq!(
            header(&response, "content-type"),
            "image/png",
            "{backend:?}"
        );
        assert_eq!(
            header(&response, "content-disposition"),
            "attachment; filename*=UTF-8''%D0%B8%D1%82%D0%BE%D0%B3%D0%B8%202024%20%28final%29.png",
            "{backend:?}"
        );
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{backend:?}"
        );
        assert_eq!(
            header(&response, "content-security-policy"),
            "sandbox",
            "{backend:?}"
        );
        let bytes = response.bytes().await.unwrap();
        assert_eq!(&bytes[..], PNG, "{backend:?}: identical bytes");

        let cookie = other.cookie.split(';').next().unwrap().to_string();
        let with_cookie = app
            .http
            .get(format!(
                "{}/spaces/{}/showcase/items/{item_id}/file",
                app.tool_url, other.space_id
            ))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            with_cookie.status(),
            200,
            "{backend:?}: the session cookie reads"
        );

        let anonymous = app
            .http
            .get(format!(
                "{}/spaces/{}/showcase/items/{item_id}/file",
                app.tool_url, other.space_id
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{backend:?}: no session, no file");
    }
}

#[tokio::test]
async fn upload_limit_names_limit() {
    for backend in backends() {
        let app = spawn_with(backend, |config| config.upload_max_bytes = 1000).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;

        let exact = vec![b'a'; 1000];
        let (status, item) = publish_file(&app, &student, "exact.txt", &exact).await;
        assert_eq!(status, 201, "{backend:?}: a file at the limit: {item}");

        let over = vec![b'a'; 1001];
        let (status, error) = publish_file(&app, &student, "over.txt", &over).await;
        assert!(
            status == 413 || status == 400,
            "{backend:?}: one byte over: {status} {error}"
        );
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("1000 bytes"), "{backend:?}: {message}");

        let huge = vec![b'a'; 200 * 1024];
        let (status, error) = publish_file(&app, &student, "huge.txt", &huge).await;
        assert_eq!(status, 400, "{backend:?}: a body over the limit: {error}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains("1000 bytes"), "{backend:?}: {message}");

        let (_, list) = get_json(&app, &student, "/showcase/items").await;
        assert_eq!(titles(&list), vec!["Work exact.txt"], "{backend:?}");
    }
}

#[tokio::test]
async fn default_limit_one_byte_over() {
    let app = spawn(Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let over = vec![b'x'; 10 * 1024 * 1024 + 1];
    let (status, error) = publish_file(&app, &student, "big.txt", &over).await;
    assert!(status == 413 || status == 400, "{status} {error}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("10 MiB"), "{message}");

    let at_limit = vec![b'x'; 10 * 1024 * 1024];
    let (status, item) = publish_file(&app, &student, "big.txt", &at_limit).await;
    assert_eq!(status, 201, "a file of exactly 10 MiB: {item}");
    let response = download(&app, &student, item["id"].as_i64().unwrap()).await;
    assert_eq!(response.bytes().await.unwrap().len(), 10 * 1024 * 1024);
}

#[tokio::test]
async fn mismatched_types_rejected() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let cases: [(&str, &[u8], &str); 6] = [
            ("renamed.pdf", PNG, "a PNG image"),
            (
                "page.html",
                b"<!doctype html><script>alert(1)</script>",
                ".html are not accepted",
            ),
            (
                "logo.svg",
                b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
                ".svg are not accepted",
            ),
            (
                "notes.txt",
                b"<html><body onload=alert(1)></body></html>",
                "markup",
            ),
            ("essay.docx", PDF, "a PDF document"),
            ("run.exe", b"MZ\x90\0", ".exe are not accepted"),
        ];
        for (name, data, expected) in cases {
            let (status, error) = publish_file(&app, &student, name, data).await;
            assert_eq!(status, 400, "{backend:?} {name}: {error}");
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(expected), "{backend:?} {name}: {message}");
        }
        let (_, list) = get_json(&app, &student, "/showcase/items").await;
        assert!(titles(&list).is_empty(), "{backend:?}: {list}");
    }
}

#[tokio::test]
async fn spoofed_content_type_ignored() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let cases = [
            ("photo.png", "text/html", PNG, "image/png"),
            (
                "scores.csv",
                "application/pdf",
                b"name,score\nAnna,5\n".as_slice(),
                "text/csv; charset=utf-8",
            ),
            (
                "notes.TXT",
                "image/svg+xml",
                "Заметки\n".as_bytes(),
                "text/plain; charset=utf-8",
            ),
        ];
        for (name, claimed, data, served) in cases {
            let (status, item) = upload(
                &app,
                &student,
                TokenIn::Header,
                vec![text("title", name), file(name, claimed, data)],
            )
            .await;
            assert_eq!(status, 201, "{backend:?} {name}: {item}");
            assert_eq!(item["file_type"], served, "{backend:?} {name}");
            let response = download(&app, &student, item["id"].as_i64().unwrap()).await;
            assert_eq!(
                header(&response, "content-type"),
                served,
                "{backend:?} {name}"
            );
        }
    }
}

#[tokio::test]
async fn office_documents_accepted() {
    let app = spawn(Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let docx = zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ]);
    let odt = zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("content.xml", b"<office:document-content/>"),
    ]);
    let cases = [
        (
            "essay.docx",
            &docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("essay.odt", &odt, "application/vnd.oasis.opendocument.text"),
        ("bundle.zip", &docx, "application/zip"),
    ];
    for (name, data, served) in cases {
        let (status, item) = publish_file(&app, &student, name, data).await;
        assert_eq!(status, 201, "{name}: {item}");
        assert_eq!(item["file_type"], served, "{name}");
    }
    let (status, error) = publish_file(&app, &student, "sheet.xlsx", &odt).await;
    assert_eq!(status, 400, "an ODF text named .xlsx: {error}");
}

/// Builds a ZIP archive with stored entries and zero CRC fields, enough for type detection.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let size = (data.len() as u32).to_le_bytes();
        let name_length = (name.len() as u16).to_le_bytes();
        out.extend_from_slice(b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
        out.extend_from_slice(&size);
        out.extend_from_slice(&size);
        out.extend_from_slice(&name_length);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02\x14\0\x14\0\0\0\0\0\0\0\0\0\0\0\0\0");
        central.extend_from_slice(&size);
        central.extend_from_slice(&size);
        central.extend_from_slice(&name_length);
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = (out.len() as u32).to_le_bytes();
    let count = (entries.len() as u16).to_le_bytes();
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&central_offset);
    out.extend_from_slice(&[0, 0]);
    out
}

#[tokio::test]
async fn directory_storage_serves_files() {
    for backend in backends() {
        let uploads = tempfile::tempdir().unwrap();
        let folder = uploads.path().join("showcase-files");
        let configured = folder.clone();
        let app = spawn_with(backend, move |config| config.upload_dir = Some(configured)).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;

        let (status, item) = publish_file(&app, &student, "report.pdf", PDF).await;
        assert_eq!(status, 201, "{backend:?}: {item}");
        let item_id = item["id"].as_i64().unwrap();

        let stored: Vec<std::path::PathBuf> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        assert_eq!(stored.len(), 1, "{backend:?}: {stored:?}");
        let stored_name = stored[0].file_name().unwrap().to_str().unwrap().to_string();
        assert!(
            !stored_name.contains("report"),
            "{backend:?}: the server names the file, not the browser: {stored_name}"
        );
        assert_eq!(std::fs::read(&stored[0]).unwrap(), PDF, "{backend:?}");

        let response = download(&app, &teacher, item_id).await;
        assert_eq!(response.status(), 200, "{backend:?}");
        assert_eq!(
            header(&response, "content-type"),
            "application/pdf",
            "{backend:?}"
        );
        assert_eq!(&response.bytes().await.unwrap()[..], PDF, "{backend:?}");

        let (status, _) = send_json(
            &app,
            &teacher,
            reqwest::Method::DELETE,
            &format!("/showcase/items/{item_id}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(
            !stored[0].exists(),
            "{backend:?}: removing the item deletes its file"
        );
    }
}

#[tokio::test]
async fn comments_and_reactions_recorded() {
    for backend in backends() {
        let app = spawn(backend).await;
        let author = app.launch(choice("demo-student-1", "learner")).await;
        let reader = app.launch(choice("demo-student-2", "learner")).await;
        let author_id = user_id(&app, &author).await;
        let reader_id = user_id(&app, &reader).await;
        let item_id = publish_link(&app, &author, "Survey results").await;
        let path = format!("/showcase/items/{item_id}");

        let (status, first) = post_json(
            &app,
            &reader,
            &format!("{path}/comments"),
            json!({"body": "Great **charts**"}),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: {first}");
        assert!(
            first["body_html"]
                .as_str()
                .unwrap()
                .contains("<strong>charts</strong>"),
            "{backend:?}: {first}"
        );
        let (status, _) = post_json(
            &app,
            &author,
            &format!("{path}/comments"),
            json!({"body": "Thank you!"}),
        )
        .await;
        assert_eq!(status, 201, "{backend:?}");
        let (status, error) = post_json(
            &app,
            &reader,
            &format!("{path}/comments"),
            json!({"body": "  "}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: {error}");

        let (_, details) = get_json(&app, &reader, &path).await;
        let bodies: Vec<&str> = details["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|comment| comment["body"].as_str().unwrap())
            .collect();
        assert_eq!(
            bodies,
            vec!["Great **charts**", "Thank you!"],
            "{backend:?}: newest last"
        );

        let (status, reacted) = post_json(
            &app,
            &reader,
            &format!("{path}/reactions"),
            json!({"emoji": "🎉", "on": true}),
        )
        .await;
        assert_eq!(status, 200, "{backend:?}: {reacted}");
        assert_eq!(
            reacted["reactions"],
            json!([{"emoji": "🎉", "user_ids": [reader_id]}]),
            "{backend:?}"
        );
        let (status, _) = post_json(
            &app,
            &author,
            &format!("{path}/reactions"),
            json!({"emoji": "👍", "on": true}),
        )
        .await;
        assert_eq!(
            status, 200,
            "{backend:?}: authors may react to their own work"
        );
        let (_, removed) = post_json(
            &app,
            &reader,
            &format!("{path}/reactions"),
            json!({"emoji": "🎉", "on": false}),
        )
        .await;
        assert_eq!(
            removed["reactions"],
            json!([{"emoji": "👍", "user_ids": [author_id]}]),
            "{backend:?}"
        );
        let (status, error) = post_json(
            &app,
            &reader,
            &format!("{path}/reactions"),
            json!({"emoji": "💩", "on": true}),
        )
        .await;
        assert_eq!(status, 400, "{backend:?}: {error}");

        let interactions = app
            .state
            .store
            .interactions(author.space_id, 0)
            .await
            .unwrap();
        let of_kind = |kind: &str| -> Vec<(i64, Option<i64>)> {
            interactions
                .iter()
                .filter(|i| i.kind == kind && i.subject_id == Some(item_id))
                .map(|i| (i.actor_id, i.target_id))
                .collect()
        };
        assert_eq!(
            of_kind("showcase_comment"),
            vec![(reader_id, Some(author_id)), (author_id, None)],
            "{backend:?}"
        );
        assert_eq!(
            of_kind("showcase_reaction"),
            vec![(reader_id, Some(author_id))],
            "{backend:?}: a reaction to one's own work is no interaction"
        );
    }
}

#[tokio::test]
async fn feedback_one_per_person() {
    for backend in backends() {
        let app = spawn(backend).await;
        let author = app.launch(choice("demo-student-1", "learner")).await;
        let giver = app.launch(choice("demo-student-2", "learner")).await;
        let bystander = app.launch(choice("demo-student-3", "learner")).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let author_id = user_id(&app, &author).await;
        let giver_id = user_id(&app, &giver).await;
        let item_id = publish_link(&app, &author, "Pricing model").await;
        let path = format!("/showcase/items/{item_id}/feedback");
        let feedback = json!({
            "clarity": 4, "originality": 3, "usefulness": 5,
            "works": "Clear steps", "improve": "Add sources"
        });

        let (status, saved) = post_json(&app, &giver, &path, feedback.clone()).await;
        assert_eq!(status, 201, "{backend:?}: {saved}");
        assert_eq!(saved["clarity"], 4, "{backend:?}");

        let edited = json!({
            "clarity": 5, "originality": 2, "usefulness": 5,
            "works": "Clear steps", "improve": ""
        });
        let (status, saved) = post_json(&app, &giver, &path, edited).await;
        assert_eq!(status, 200, "{backend:?}: an edit: {saved}");
        assert_eq!(saved["clarity"], 5, "{backend:?}");
        assert_eq!(saved["improve"], "", "{backend:?}");

        let (status, error) = post_json(&app, &author, &path, feedback.clone()).await;
        assert_eq!(status, 403, "{backend:?}: not on one's own work: {error}");

        for (field, score) in [("clarity", 0), ("originality", 6), ("usefulness", -1)] {
            let mut bad = feedback.clone();
            bad[field] = json!(score);
            let (status, error) = post_json(&app, &bystander, &path, bad).await;
            assert_eq!(status, 400, "{backend:?} {field}={score}: {error}");
            let message = error["message"].as_str().unwrap();
            assert!(message.contains(field), "{backend:?}: {message}");
            assert!(message.contains("1 to 5"), "{backend:?}: {message}");
        }
        let mut fractional = feedback.clone();
        fractional["clarity"] = json!(3.5);
        let (status, _) = post_json(&app, &bystander, &path, fractional).await;
        assert_eq!(status, 400, "{backend:?}: a fractional score");
        let mut empty = feedback.clone();
        empty["works"] = json!(" ");
        empty["improve"] = json!("");
        let (status, error) = post_json(&app, &bystander, &path, empty).await;
        assert_eq!(status, 400, "{backend:?}: no text: {error}");

        let details_path = format!("/showcase/items/{item_id}");
        let (_, seen_by_author) = get_json(&app, &author, &details_path).await;
        assert_eq!(
            seen_by_author["feedback"].as_array().unwrap().len(),
            1,
            "{backend:?}: one entry after an edit"
        );
        assert_eq!(seen_by_author["can_give_feedback"], false, "{backend:?}");
        let (_, seen_by_teacher) = get_json(&app, &teacher, &details_path).await;
        assert_eq!(
            seen_by_teacher["feedback"][0]["giver_id"], giver_id,
            "{backend:?}"
        );
        let (_, seen_by_bystander) = get_json(&app, &bystander, &details_path).await;
        assert_eq!(
            seen_by_bystander["feedback"],
            json!([]),
            "{backend:?}: others see only the summary"
        );
        assert_eq!(
            seen_by_bystander["feedback_summary"]["count"], 1,
            "{backend:?}"
        );
        assert_eq!(
            seen_by_bystander["feedback_summary"]["clarity"], 5.0,
            "{backend:?}"
        );
        let (_, seen_by_giver) = get_json(&app, &giver, &details_path).await;
        assert_eq!(
            seen_by_giver["my_feedback"]["originality"], 2,
            "{backend:?}"
        );

        let interactions = app
            .state
            .store
            .interactions(author.space_id, 0)
            .await
            .unwrap();
        let feedback_records: Vec<(i64, Option<i64>)> = interactions
            .iter()
            .filter(|i| i.kind == "feedback")
            .map(|i| (i.actor_id, i.target_id))
            .collect();
        assert_eq!(
            feedback_records,
            vec![(giver_id, Some(author_id))],
            "{backend:?}: recorded once, not on the edit"
        );
    }
}

#[tokio::test]
async fn teachers_feature_and_remove() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let first = publish_link(&app, &student, "First").await;
        let (status, second) = publish_file(&app, &student, "second.pdf", PDF).await;
        assert_eq!(status, 201, "{backend:?}");
        let second = second["id"].as_i64().unwrap();
        let (_, list) = get_json(&app, &student, "/showcase/items").await;
        assert_eq!(
            titles(&list),
            vec!["Work second.pdf", "First"],
            "{backend:?}"
        );

        let feature = format!("/showcase/items/{first}/featured");
        let (status, _) = post_json(&app, &student, &feature, json!({"featured": true})).await;
        assert_eq!(status, 403, "{backend:?}: students cannot feature");
        let (status, featured) =
            post_json(&app, &teacher, &feature, json!({"featured": true})).await;
        assert_eq!(status, 200, "{backend:?}: {featured}");
        assert!(featured["featured_at"].is_i64(), "{backend:?}");
        let (_, list) = get_json(&app, &student, "/showcase/items").await;
        assert_eq!(
            titles(&list),
            vec!["First", "Work second.pdf"],
            "{backend:?}: featured first"
        );

        let classmate = app.launch(choice("demo-student-2", "learner")).await;
        let remove = format!("/showcase/items/{second}");
        let (status, _) = send_json(&app, &classmate, reqwest::Method::DELETE, &remove, None).await;
        assert_eq!(status, 403, "{backend:?}: another student cannot remove");
        let (status, _) = send_json(&app, &teacher, reqwest::Method::DELETE, &remove, None).await;
        assert_eq!(status, 200, "{backend:?}");
        let (_, list) = get_json(&app, &student, "/showcase/items").await;
        assert_eq!(titles(&list), vec!["First"], "{backend:?}");
        let (status, _) = get_json(&app, &student, &remove).await;
        assert_eq!(status, 404, "{backend:?}: removed item");
        let response = download(&app, &student, second).await;
        assert_eq!(response.status(), 404, "{backend:?}: removed file");
        let (status, _) = page(&app, &student, &format!("/showcase/{second}")).await;
        assert_eq!(status, 404, "{backend:?}: removed item page");
        let (status, _) = post_json(
            &app,
            &student,
            &format!("{remove}/comments"),
            json!({"body": "late"}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: no comments on a removed item");
        let (status, _) = send_json(&app, &teacher, reqwest::Method::DELETE, &remove, None).await;
        assert_eq!(status, 404, "{backend:?}: removed twice");

        let (_, audit) = get_json(&app, &teacher, "/audit").await;
        let actions: Vec<(&str, &str)> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                (
                    entry["action"].as_str().unwrap(),
                    entry["target"].as_str().unwrap(),
                )
            })
            .collect();
        let feature_target = format!("item {first}");
        let remove_target = format!("item {second}: Work second.pdf");
        assert!(
            actions.contains(&("showcase.feature", feature_target.as_str())),
            "{backend:?}: {actions:?}"
        );
        assert!(
            actions.contains(&("showcase.remove", remove_target.as_str())),
            "{backend:?}: {actions:?}"
        );
    }
}

#[tokio::test]
async fn other_space_items_unreachable() {
    for backend in backends() {
        let app = spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let mut elsewhere = choice("demo-student-2", "learner");
        elsewhere.course_id = "course-da201".into();
        let foreigner = app.launch(elsewhere).await;
        assert_ne!(foreigner.space_id, student.space_id);
        let (status, foreign) = publish_file(&app, &foreigner, "secret.pdf", PDF).await;
        assert_eq!(status, 201, "{backend:?}");
        let foreign_id = foreign["id"].as_i64().unwrap();
        let path = format!("/showcase/items/{foreign_id}");

        let (status, _) = get_json(&app, &student, &path).await;
        assert_eq!(status, 404, "{backend:?}: details by guessed id");
        let response = download(&app, &student, foreign_id).await;
        assert_eq!(response.status(), 404, "{backend:?}: file by guessed id");
        let (status, _) = page(&app, &student, &format!("/showcase/{foreign_id}")).await;
        assert_eq!(status, 404, "{backend:?}: page by guessed id");
        let writes = [
            (format!("{path}/comments"), json!({"body": "hi"})),
            (
                format!("{path}/reactions"),
                json!({"emoji": "👍", "on": true}),
            ),
            (
                format!("{path}/feedback"),
                json!({"clarity": 1, "originality": 1, "usefulness": 1, "works": "x"}),
            ),
        ];
        for (write, body) in &writes {
            let (status, _) = post_json(&app, &student, write, body.clone()).await;
            assert_eq!(status, 404, "{backend:?}: {write}");
        }
        let (status, _) = post_json(
            &app,
            &teacher,
            &format!("{path}/featured"),
            json!({"featured": true}),
        )
        .await;
        assert_eq!(status, 404, "{backend:?}: feature by guessed id");
        let (status, _) = send_json(&app, &teacher, reqwest::Method::DELETE, &path, None).await;
        assert_eq!(status, 404, "{backend:?}: remove by guessed id");

        // The student's token on the other space's addresses.
        let response = app
            .http
            .get(format!(
                "{}/spaces/{}/showcase/items/{foreign_id}/file?lt={}",
                app.tool_url,
                foreigner.space_id,
                token_of(&student)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{backend:?}: token of another space"
        );
        let response = app
            .http
            .post(format!(
                "{}/spaces/{}/showcase/items/{foreign_id}/comments",
                app.tool_url, foreigner.space_id
            ))
            .header("x-cowork-token", token_of(&student))
            .header("accept", "application/json")
            .json(&json!({"body": "intruder"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{backend:?}");
        let (status, _) = upload(
            &app,
            &Launched {
                space_url: format!(
                    "{}/spaces/{}?lt={}",
                    app.tool_url,
                    foreigner.space_id,
                    token_of(&student)
                ),
                space_id: foreigner.space_id,
                cookie: String::new(),
            },
            TokenIn::Field,
            vec![
                text("title", "Planted"),
                text("link", "https://example.edu"),
            ],
        )
        .await;
        assert_eq!(
            status, 403,
            "{backend:?}: upload with another space's token"
        );

        let (_, details) = get_json(&app, &foreigner, &path).await;
        assert_eq!(details["comments"], json!([]), "{backend:?}");
        assert_eq!(details["reactions"], json!([]), "{backend:?}");
        let (_, list) = get_json(&app, &foreigner, "/showcase/items").await;
        assert_eq!(titles(&list), vec!["Work secret.pdf"], "{backend:?}");
    }
}

#[tokio::test]
async fn writes_need_session_token() {
    let app = spawn(Backend::Sqlite).await;
    let student = app.launch(choice("demo-student-1", "learner")).await;
    let item_id = publish_link(&app, &student, "Mine").await;
    let cookie = student.cookie.split(';').next().unwrap().to_string();

    let (status, _) = upload(
        &app,
        &student,
        TokenIn::Nowhere,
        vec![
            text("title", "No token"),
            text("link", "https://example.edu"),
        ],
    )
    .await;
    assert_eq!(status, 401, "an upload without a token");

    let with_cookie = app
        .http
        .post(format!(
            "{}/spaces/{}/showcase/items",
            app.tool_url, student.space_id
        ))
        .header("cookie", &cookie)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("accept", "application/json")
        .body(multipart_body(&[
            text("title", "Cookie only"),
            text("link", "https://example.edu"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(with_cookie.status(), 401, "a cookie alone cannot upload");

    // The file part comes before the token, so it is rejected before it is read.
    let late_token = app
        .http
        .post(format!(
            "{}/spaces/{}/showcase/items",
            app.tool_url, student.space_id
        ))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("accept", "application/json")
        .body(multipart_body(&[
            text("title", "Late token"),
            file("late.pdf", "application/pdf", PDF),
            text("lt", &token_of(&student)),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(late_token.status(), 401, "the token must precede the file");

    let writes = [
        ("comments", json!({"body": "forged"})),
        ("reactions", json!({"emoji": "👍", "on": true})),
        (
            "feedback",
            json!({"clarity": 1, "originality": 1, "usefulness": 1, "works": "x"}),
        ),
        ("featured", json!({"featured": true})),
    ];
    for (action, body) in writes {
        let url = format!(
            "{}/spaces/{}/showcase/items/{item_id}/{action}",
            app.tool_url, student.space_id
        );
        let response = app
            .http
            .post(&url)
            .header("cookie", &cookie)
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{action} with a cookie alone");
        let response = app
            .http
            .post(format!("{url}?lt={}", token_of(&student)))
            .header("accept", "application/json")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{action} with the token in the URL");
    }
    let (_, list) = get_json(&app, &student, "/showcase/items").await;
    assert_eq!(titles(&list), vec!["Mine"]);
    assert_eq!(list["items"][0]["comment_count"], 0);
    assert_eq!(list["items"][0]["reaction_count"], 0);
}

#[tokio::test]
async fn showcase_pages_render_escaped() {
    for backend in backends() {
        let app = spawn(backend).await;
        let student = app.launch(choice("demo-student-1", "learner")).await;
        let (status, item) = upload(
            &app,
            &student,
            TokenIn::Header,
            vec![
                text("title", "<b>Bold</b> claims"),
                text("description", "_Careful_ <img src=x onerror=alert(1)>"),
                file("data.csv", "text/csv", b"a,b\n1,2\n"),
            ],
        )
        .await;
        assert_eq!(status, 201, "{backend:?}: {item}");
        let item_id = item["id"].as_i64().unwrap();

        let (status, list) = page(&app, &student, "/showcase").await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(
            list.contains("&lt;b&gt;Bold&lt;/b&gt; claims"),
            "{backend:?}"
        );
        assert!(!list.contains("<b>Bold"), "{backend:?}");
        assert!(
            list.contains("enctype=\"multipart/form-data\""),
            "{backend:?}"
        );
        assert!(
            list.contains(&format!("href=\"/spaces/{}?lt=", student.space_id)),
            "{backend:?}: a link back to the space"
        );

        let (status, detail) = page(&app, &student, &format!("/showcase/{item_id}")).await;
        assert_eq!(status, 200, "{backend:?}");
        assert!(detail.contains("<em>Careful</em>"), "{backend:?}");
        assert!(!detail.contains("<img"), "{backend:?}");
        assert!(
            detail.contains(&format!("/showcase/items/{item_id}/file?lt=")),
            "{backend:?}: a download link with the token"
        );

        let without_session = app
            .http
            .get(format!(
                "{}/spaces/{}/showcase",
                app.tool_url, student.space_id
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(without_session.status(), 401, "{backend:?}");
    }
}

#[tokio::test]
async fn russian_showcase_page() {
    let app = spawn(Backend::Sqlite).await;
    let mut russian = choice("demo-student-1", "learner");
    russian.locale = "ru-RU".into();
    let student = app.launch(russian).await;
    let (status, html) = page(&app, &student, "/showcase").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"ru\">"), "{html}");
    assert!(html.contains("Витрина работ"), "{html}");
    assert!(html.contains("До 10 МиБ"), "{html}");
}

#[tokio::test]
async fn author_removes_own_item() {
    for backend in backends() {
        let app = spawn(backend).await;
        let author = app.launch(choice("demo-student-1", "learner")).await;
        let classmate = app.launch(choice("demo-student-2", "learner")).await;
        let (status, created) = publish_file(&app, &author, "draft.pdf", PDF).await;
        assert_eq!(status, 201, "{backend:?}");
        let id = created["id"].as_i64().unwrap();

        let (_, author_page) = page(&app, &author, &format!("/showcase/{id}")).await;
        assert!(author_page.contains("id=\"remove-item\""), "{backend:?}");
        let (_, classmate_page) = page(&app, &classmate, &format!("/showcase/{id}")).await;
        assert!(
            !classmate_page.contains("id=\"remove-item\""),
            "{backend:?}"
        );

        let remove = format!("/showcase/items/{id}");
        let (status, error) =
            send_json(&app, &classmate, reqwest::Method::DELETE, &remove, None).await;
        assert_eq!(status, 403, "{backend:?}: {error}");
        let (status, _) = send_json(&app, &author, reqwest::Method::DELETE, &remove, None).await;
        assert_eq!(status, 200, "{backend:?}");
        let response = download(&app, &classmate, id).await;
        assert_eq!(response.status(), 404, "{backend:?}: the file is gone");
    }
}
