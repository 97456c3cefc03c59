//! Error details follow the language of the person, on every configured backend: the
//! session's locale first, then the locale of a rejected launch, then the request's
//! `Accept-Language`, then English. The machine-readable code is the same in every
//! language.

mod common;

use common::{backends, choice, open_room, spawn, token_of, Launched, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A request that a student's session gets an error for, with the expected texts.
struct Case {
    family: &'static str,
    method: Method,
    /// The path under `/spaces/{space_id}`.
    path: &'static str,
    body: Body,
    code: &'static str,
    english: (&'static str, &'static str),
    russian: (&'static str, &'static str),
}

enum Body {
    None,
    Json(Value),
    /// A showcase form with the session token and a title but neither a link nor a
    /// file. The token is only in the form, where the error layer cannot look it up, so
    /// the error's language must come from the session the handler resolved.
    FormWithoutWork,
}

const FORBIDDEN_HINT_EN: &str = "Ask a teacher of the course if you think you should.";
const FORBIDDEN_HINT_RU: &str =
    "Если вы считаете, что оно должно быть вам доступно, обратитесь к преподавателю курса.";
const INVALID_HINT_EN: &str = "Correct the value and try again.";
const INVALID_HINT_RU: &str = "Исправьте значение и попробуйте снова.";
const BOUNDARY: &str = "language-boundary";

fn cases() -> Vec<Case> {
    vec![
        Case {
            family: "rooms",
            method: Method::POST,
            path: "/settings",
            body: Body::Json(json!({"edit_window_secs": 60})),
            code: "forbidden",
            english: (
                "You cannot do this: only teachers of the course can do this.",
                FORBIDDEN_HINT_EN,
            ),
            russian: (
                "Это действие вам недоступно: это могут делать только преподаватели курса.",
                FORBIDDEN_HINT_RU,
            ),
        },
        Case {
            family: "events",
            method: Method::POST,
            path: "/events",
            body: Body::Json(json!({
                "kind": "lecture", "title": "Matrix lecture", "agenda": "", "location": "",
                "date": "2099-12-11", "time": "14:00", "duration_minutes": 60,
                "time_zone": "Europe/Moscow",
            })),
            code: "forbidden",
            english: (
                "You cannot do this: only teachers of the course can plan events.",
                FORBIDDEN_HINT_EN,
            ),
            russian: (
                "Это действие вам недоступно: планировать события могут только преподаватели курса.",
                FORBIDDEN_HINT_RU,
            ),
        },
        Case {
            family: "grades",
            method: Method::GET,
            path: "/grades/preview",
            body: Body::None,
            code: "forbidden",
            english: (
                "You cannot do this: only teachers of the course can see and send grades.",
                FORBIDDEN_HINT_EN,
            ),
            russian: (
                "Это действие вам недоступно: видеть и отправлять оценки могут только преподаватели курса.",
                FORBIDDEN_HINT_RU,
            ),
        },
        Case {
            family: "roster",
            method: Method::POST,
            path: "/roster/refresh",
            body: Body::Json(json!({})),
            code: "forbidden",
            english: (
                "You cannot do this: only teachers of the course can see the roster.",
                FORBIDDEN_HINT_EN,
            ),
            russian: (
                "Это действие вам недоступно: список курса могут видеть только преподаватели курса.",
                FORBIDDEN_HINT_RU,
            ),
        },
        Case {
            family: "focus",
            method: Method::POST,
            path: "/focus/sessions",
            body: Body::Json(json!({"minutes": 30, "goal": "Outline the report"})),
            code: "invalid",
            english: (
                "The request is invalid: minutes must be 25, 50 or 75, got 30.",
                INVALID_HINT_EN,
            ),
            russian: (
                "Запрос некорректен: minutes должно быть 25, 50 или 75, получено: 30.",
                INVALID_HINT_RU,
            ),
        },
        Case {
            family: "help",
            method: Method::POST,
            path: "/help/requests",
            body: Body::Json(json!({"title": "x".repeat(121), "description": "Pivot tables"})),
            code: "invalid",
            english: (
                "The request is invalid: title must be 1 to 120 characters, got 121.",
                INVALID_HINT_EN,
            ),
            russian: (
                "Запрос некорректен: поле title должно содержать от 1 до 120 символов, получено: 121.",
                INVALID_HINT_RU,
            ),
        },
        Case {
            family: "partners",
            method: Method::POST,
            path: "/partners/entries",
            body: Body::Json(json!({
                "kind": "internship", "name": "Matrix Ltd", "description": "Six weeks",
            })),
            code: "forbidden",
            english: (
                "You cannot do this: only teachers of the course can do this.",
                FORBIDDEN_HINT_EN,
            ),
            russian: (
                "Это действие вам недоступно: это могут делать только преподаватели курса.",
                FORBIDDEN_HINT_RU,
            ),
        },
        Case {
            family: "showcase",
            method: Method::POST,
            path: "/showcase/items",
            body: Body::FormWithoutWork,
            code: "invalid",
            english: (
                "The request is invalid: the form has neither a link nor a file; give an http \
                 or https link or choose a file.",
                INVALID_HINT_EN,
            ),
            russian: (
                "Запрос некорректен: в форме нет ни ссылки, ни файла; укажите ссылку http или \
                 https или выберите файл.",
                INVALID_HINT_RU,
            ),
        },
    ]
}

fn form_without_work(token: &str) -> Vec<u8> {
    let mut form = String::new();
    for (name, value) in [("lt", token), ("title", "Market map")] {
        form.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    form.push_str(&format!("--{BOUNDARY}--\r\n"));
    form.into_bytes()
}

/// Sends `case` as `who`, with an `Accept-Language` that the session must win over, and
/// returns the status and the JSON body.
async fn send(app: &TestApp, case: &Case, who: &Launched, accept_language: &str) -> (u16, Value) {
    let path = format!("{}/spaces/{}{}", app.tool_url, who.space_id, case.path);
    let url = match case.method {
        Method::GET => format!("{path}?lt={}", token_of(who)),
        _ => path,
    };
    let request = app
        .http
        .request(case.method.clone(), url)
        .header("accept", "application/json")
        .header("accept-language", accept_language);
    let request = match &case.body {
        Body::None => request.header("x-cowork-token", token_of(who)),
        Body::Json(body) => request.header("x-cowork-token", token_of(who)).json(body),
        Body::FormWithoutWork => request
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(form_without_work(&token_of(who))),
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

fn student(user_id: &str, locale: &str) -> cowork::demo::LaunchChoice {
    let mut choice = choice(user_id, "learner");
    choice.locale = locale.into();
    choice
}

#[tokio::test]
async fn errors_follow_session_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let english = app.launch(student("demo-student-1", "en")).await;
        let russian = app.launch(student("demo-student-2", "ru-RU")).await;
        assert_eq!(english.space_id, russian.space_id);
        for case in cases() {
            let context = format!("{backend:?} {}", case.family);
            for (who, accept_language, (message, hint)) in [
                (&english, "ru", case.english),
                (&russian, "en", case.russian),
            ] {
                let (status, body) = send(&app, &case, who, accept_language).await;
                assert!(status == 400 || status == 403, "{context}: {status} {body}");
                assert_eq!(body["error"], case.code, "{context}: code in {body}");
                assert_eq!(body["message"], message, "{context}: message in {body}");
                assert_eq!(body["hint"], hint, "{context}: hint in {body}");
            }
        }
    }
}

#[tokio::test]
async fn chat_errors_follow_session_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let english = app.launch(student("demo-student-1", "en")).await;
        let russian = app.launch(student("demo-student-2", "ru")).await;
        for (who, expected) in [
            (&english, "\"away\" is not one of"),
            (&russian, "\"away\" не входит в список"),
        ] {
            let (mut socket, hello) = app.socket(who).await;
            let room_id = open_room(&hello);
            socket
                .send(json!({"type": "send", "room_id": room_id, "body": " "}))
                .await;
            let empty = socket.next_of("error").await;
            socket
                .send(json!({"type": "status", "status": "away"}))
                .await;
            let status = socket.next_of("error").await;
            socket.close().await;
            assert_eq!(empty["code"], "invalid", "{backend:?}: {empty}");
            assert_eq!(status["code"], "invalid", "{backend:?}: {status}");
            let message = status["message"].as_str().unwrap_or_default();
            assert!(message.starts_with(expected), "{backend:?}: {status}");
        }
    }
}

/// What the HTML error page shows in one language.
struct Page {
    locale: &'static str,
    title: &'static str,
    message: &'static str,
    code_label: &'static str,
    skip_link: &'static str,
}

#[tokio::test]
async fn error_page_in_session_language() {
    let pages = [
        Page {
            locale: "ru",
            title: "Доступ запрещён",
            message: "Это действие вам недоступно: список курса могут видеть только \
                      преподаватели курса.",
            code_label: "Код ошибки",
            skip_link: "Перейти к содержимому",
        },
        Page {
            locale: "en",
            title: "Forbidden",
            message: "You cannot do this: only teachers of the course can see the roster.",
            code_label: "Error code",
            skip_link: "Skip to content",
        },
    ];
    for backend in backends() {
        let app = spawn(backend).await;
        for page in &pages {
            let who = app.launch(student("demo-student-1", page.locale)).await;
            let url = format!(
                "{}/spaces/{}/roster?lt={}",
                app.tool_url,
                who.space_id,
                token_of(&who)
            );
            let response = app
                .http
                .get(url)
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 403, "{backend:?} {}", page.locale);
            let content_type = response.headers()["content-type"].to_str().unwrap();
            assert!(content_type.starts_with("text/html"), "{content_type}");
            let html = response.text().await.unwrap();
            let context = format!("{backend:?} {}: {html}", page.locale);
            let lang = format!("<html lang=\"{}\">", page.locale);
            assert!(html.contains(&lang), "{context}");
            let title = format!("<title>{} · cowork</title>", page.title);
            assert!(html.contains(&title), "{context}");
            assert!(
                html.contains(&format!("<h1>{}</h1>", page.title)),
                "{context}"
            );
            assert!(html.contains(page.message), "{context}");
            let code = format!("{}: <code>forbidden</code>", page.code_label);
            assert!(html.contains(&code), "{context}");
            assert!(html.contains(page.skip_link), "{context}");
        }
    }
}

#[tokio::test]
async fn error_without_session_uses_accept_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let who = app.launch(student("demo-student-1", "en")).await;
        let url = format!("{}/spaces/{}/rooms", app.tool_url, who.space_id);
        for (accept_language, message) in [
            (
                Some("de-DE,ru;q=0.8,en;q=0.5"),
                "Для этой страницы нужен запуск из вашего курса, но он не найден или срок его \
                 действия истёк.",
            ),
            (
                Some("fr, en;q=0.9"),
                "This page needs a launch from your course, and none was found or it has expired.",
            ),
            (
                None,
                "This page needs a launch from your course, and none was found or it has expired.",
            ),
        ] {
            let mut request = app.http.get(&url).header("accept", "application/json");
            if let Some(value) = accept_language {
                request = request.header("accept-language", value);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{backend:?} {accept_language:?}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"], "session_missing", "{body}");
            assert_eq!(body["message"], message, "{backend:?} {accept_language:?}");
        }
    }
}

#[tokio::test]
async fn error_before_handler_uses_session() {
    for backend in backends() {
        let app = spawn(backend).await;
        let who = app.launch(student("demo-student-1", "ru")).await;
        let url = format!(
            "{}/spaces/{}/no-such-page?lt={}",
            app.tool_url,
            who.space_id,
            token_of(&who)
        );
        let response = app
            .http
            .get(url)
            .header("accept", "application/json")
            .header("accept-language", "en")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{backend:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "not_found", "{backend:?}: {body}");
        assert_eq!(
            body["message"], "По этому адресу нет страницы.",
            "{backend:?}"
        );
        assert_eq!(
            body["hint"], "Проверьте ссылку или откройте cowork из своего курса.",
            "{backend:?}"
        );
    }
}

/// Posts a launch form with an `Accept-Language` that the launch's locale must win over.
async fn post_launch(
    app: &TestApp,
    id_token: &str,
    state: &str,
    accept_language: &str,
) -> reqwest::Response {
    app.http
        .post(format!("{}/lti/launch", app.tool_url))
        .header("accept", "application/json")
        .header("accept-language", accept_language)
        .form(&[("id_token", id_token), ("state", state)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn launch_rejected_in_launch_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        for (locale, message, hint) in [
            (
                "ru",
                "Запуск отклонён: deployment_id \"unknown-deployment\" не зарегистрирован для \
                 этой платформы.",
                "Добавьте идентификатор развёртывания (deployment ID) из настроек инструмента в \
                 Moodle в регистрацию cowork (cowork platform add --deployment-id).",
            ),
            (
                "en",
                "The launch was rejected: deployment_id \"unknown-deployment\" is not registered \
                 for this platform.",
                "Add the deployment ID shown in Moodle's tool configuration to cowork's \
                 registration (cowork platform add --deployment-id).",
            ),
        ] {
            let who = student("demo-student-1", locale);
            let login = app.login(who.clone()).await;
            let id_token = app.signed_claims(&who, &login.nonce, |claims| {
                claims.insert(
                    cowork::lti::claims::DEPLOYMENT_ID.into(),
                    json!("unknown-deployment"),
                );
            });
            let other_language = if locale == "ru" { "en" } else { "ru" };
            let response = post_launch(&app, &id_token, &login.state, other_language).await;
            assert_eq!(response.status(), 401, "{backend:?} {locale}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(
                body["error"], "deployment_id",
                "{backend:?} {locale}: {body}"
            );
            assert_eq!(body["message"], message, "{backend:?} {locale}");
            assert_eq!(body["hint"], hint, "{backend:?} {locale}");
        }
    }
}

#[tokio::test]
async fn unverified_launch_rejected_in_launch_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let who = student("demo-student-1", "ru");
        let login = app.login(who.clone()).await;
        let id_token = app.signed_claims(&who, &login.nonce, |_| {});
        let response = post_launch(&app, &id_token, "never-issued", "en").await;
        assert_eq!(response.status(), 401, "{backend:?}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "state_unknown", "{backend:?}: {body}");
        assert_eq!(
            body["message"], "Запуск отклонён: этот state выдан не этим инструментом.",
            "{backend:?}"
        );
    }
}

#[tokio::test]
async fn login_and_registration_use_accept_language() {
    for backend in backends() {
        let app = spawn(backend).await;
        let login = app
            .http
            .post(format!("{}/lti/login", app.tool_url))
            .header("accept", "application/json")
            .header("accept-language", "ru")
            .form(&[("iss", "https://unknown.example.edu")])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 401, "{backend:?}");
        let body: Value = login.json().await.unwrap();
        assert_eq!(body["error"], "missing_parameter", "{backend:?}: {body}");
        assert_eq!(
            body["message"], "Вход отклонён: в запросе входа нет параметра login_hint.",
            "{backend:?}"
        );
        let register = app
            .http
            .get(format!("{}/lti/register", app.tool_url))
            .header("accept", "application/json")
            .header("accept-language", "ru-RU")
            .send()
            .await
            .unwrap();
        assert_eq!(register.status(), 400, "{backend:?}");
        let body: Value = register.json().await.unwrap();
        assert_eq!(body["error"], "invalid", "{backend:?}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(
            message
                .starts_with("Запрос некорректен: в запросе регистрации нет openid_configuration;"),
            "{backend:?}: {body}"
        );
    }
}
