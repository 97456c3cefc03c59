//! Deep Linking round trips: a teacher's request, the picker, the signed response the
//! platform verifies, and launches of the activities it created, on the demo platform
//! and with a recorded Moodle 4.2 request.

mod common;

use std::time::Duration;

use common::moodle::{fixture, spawn_recorded_moodle};
use common::{choice, field, hidden_fields, token_of, TestApp};
use cowork::demo::LaunchChoice;
use cowork::lti::{claims, deep_linking};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

/// A time at which both recorded deep linking requests are valid: the manual tool's was
/// issued at 1796398618 and expires at 1796398678, the dynamic tool's was issued at
/// 1796398670, and cowork allows 30 seconds of clock difference.
const DEEP_LINK_RECORDING_TIME: i64 = 1_796_398_690;

fn teacher_request() -> LaunchChoice {
    LaunchChoice {
        deep_linking: true,
        ..choice("demo-teacher-1", "instructor")
    }
}

/// Runs a Deep Linking launch and returns the picker's path.
async fn open_picker(app: &TestApp, request: LaunchChoice) -> String {
    let response = launch_response(app, request).await;
    assert_eq!(
        response.status(),
        303,
        "a deep linking launch goes to the picker"
    );
    let location = response.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/lti/deep-link/"), "{location}");
    location
}

async fn launch_response(app: &TestApp, request: LaunchChoice) -> reqwest::Response {
    let login = app.login(request).await;
    let (id_token, state) = app.authorize(&login).await;
    app.post_launch(&id_token, &state).await
}

async fn get_picker(app: &TestApp, path: &str) -> reqwest::Response {
    app.http
        .get(format!("{}{path}", app.tool_url))
        .send()
        .await
        .unwrap()
}

async fn submit(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    app.http
        .post(format!("{}{path}", app.tool_url))
        .header("accept", "text/html")
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// Reads the response page's form: where it posts and the signed JWT it carries.
fn answer_form(html: &str) -> (String, String) {
    let start = html.find("action=\"").expect("form action") + 8;
    let end = start + html[start..].find('"').unwrap();
    let action = html[start..end]
        .replace("&amp;", "&")
        .replace("&#x3d;", "=");
    let fields = hidden_fields(html);
    (action, field(&fields, "JWT").to_string())
}

/// Verifies a response JWT with the tool's published keys, as a platform does.
async fn verify(app: &TestApp, jwt: &str, audience: &str, client_id: &str) -> Value {
    let header = jsonwebtoken::decode_header(jwt).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let kid = header.kid.expect("the response names its key");
    let jwks: Value = app
        .http
        .get(format!("{}/.well-known/jwks.json", app.tool_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|key| key["kid"] == kid.as_str())
        .expect("the kid is published");
    let decoding =
        DecodingKey::from_rsa_components(key["n"].as_str().unwrap(), key["e"].as_str().unwrap())
            .unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[client_id]);
    // The recorded request's time lies in the past; expiry is checked against `iat`.
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(jwt, &decoding, &validation)
        .expect("the response verifies with the tool's JWKS")
        .claims;
    let iat = claims["iat"].as_i64().expect("integer iat");
    let exp = claims["exp"].as_i64().expect("integer exp");
    assert!(exp > iat, "lifetime {iat}..{exp}");
    assert!(exp - iat <= 3600, "lifetime {iat}..{exp}");
    claims
}

/// Posts the signed response to the demo platform, as the response page's form does.
async fn return_to_platform(app: &TestApp, jwt: &str) -> reqwest::Response {
    app.http
        .post(format!("{}/deep-link-return", app.platform_url))
        .form(&[("JWT", jwt)])
        .send()
        .await
        .unwrap()
}

async fn wait_until(mut done: impl FnMut() -> bool, what: &str) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn new_space_grades_reach_column() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let picker = open_picker(&app, teacher_request()).await;
        let page = get_picker(&app, &picker).await;
        assert_eq!(page.status(), 200, "{backend:?}");
        assert_eq!(page.headers()["cache-control"], "no-store");
        let html = page.text().await.unwrap();
        assert!(html.contains("A new coworking space"), "{html}");
        assert!(
            html.contains("name=\"weekly_target\""),
            "grading rule fields"
        );
        assert!(html.contains("value=\"window\""), "presentation choice");

        let answer = submit(
            &app,
            &picker,
            &[
                ("item", "space"),
                ("title-space", "Project studio"),
                ("text", "Where the project teams meet"),
                ("grade", "on"),
                ("weekly_target", "4"),
                ("weekly_cap", "6"),
                ("score_maximum", "50"),
                ("presentation", "window"),
                ("action", "add"),
            ],
        )
        .await;
        assert_eq!(answer.status(), 200, "{backend:?}");
        let (action, jwt) = answer_form(&answer.text().await.unwrap());
        assert_eq!(action, format!("{}/deep-link-return", app.platform_url));

        let claims = verify(&app, &jwt, &app.platform_url, cowork::demo::CLIENT_ID).await;
        assert_eq!(claims[claims::MESSAGE_TYPE], "LtiDeepLinkingResponse");
        assert_eq!(claims[claims::VERSION], "1.3.0");
        assert_eq!(claims[claims::DEPLOYMENT_ID], cowork::demo::DEPLOYMENT_ID);
        assert!(claims["nonce"].as_str().is_some_and(|n| n.len() >= 16));
        assert!(
            claims[deep_linking::DATA].as_str().is_some(),
            "the request's data comes back"
        );
        let items = claims[deep_linking::CONTENT_ITEMS].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let item = &items[0];
        assert_eq!(item["type"], "ltiResourceLink");
        assert_eq!(item["title"], "Project studio");
        assert_eq!(item["text"], "Where the project teams meet");
        assert_eq!(item["url"], format!("{}/lti/launch", app.tool_url));
        assert!(item["window"].is_object());
        assert!(item.get("iframe").is_none());
        let placement = item["custom"][deep_linking::PLACEMENT_PARAM]
            .as_str()
            .expect("placement parameter")
            .to_string();
        assert_eq!(
            item["lineItem"],
            json!({
                "label": "Project studio",
                "scoreMaximum": 50.0,
                "resourceId": placement,
                "tag": "cowork-engagement",
            })
        );

        // The browser carries the response to the platform, which adds the activity.
        let returned = return_to_platform(&app, &jwt).await;
        let added_page = returned.text().await.unwrap();
        assert!(added_page.contains("Project studio"), "{added_page}");
        let activity = app
            .platform
            .activities()
            .into_iter()
            .find(|a| a.title == "Project studio")
            .expect("the platform added the activity");
        let column = app
            .platform
            .gradebook
            .column(activity.column.expect("a gradebook column"))
            .unwrap();
        assert_eq!(column.score_maximum, 50.0);
        assert_eq!(column.tag.as_deref(), Some("cowork-engagement"));

        // The same answer cannot be sent twice.
        let again = submit(&app, &picker, &[("item", "space"), ("action", "add")]).await;
        assert_eq!(again.status(), 400, "{backend:?}: answered twice");
        assert!(again.text().await.unwrap().contains("already sent"));

        // Launches of the new activity start a space with the chosen rule.
        let in_activity = |user: &str, role: &str| LaunchChoice {
            activity: Some(activity.resource_link_id.clone()),
            ..choice(user, role)
        };
        let teacher = app
            .launch(in_activity("demo-teacher-1", "instructor"))
            .await;
        let student = app.launch(in_activity("demo-student-1", "learner")).await;
        assert_eq!(teacher.space_id, student.space_id);
        let first = app.launch(choice("demo-student-1", "learner")).await;
        assert_ne!(first.space_id, student.space_id, "a space of its own");
        let space = student.space_id;
        let rule = app.state.store.grading_rule(space).await.unwrap().unwrap();
        let rule: Value = serde_json::from_str(&rule.rule_json).unwrap();
        assert_eq!(rule["weekly_target"], 4.0);
        assert_eq!(rule["score_maximum"], 50.0);

        // An award and a sync put the grade into the new column.
        let member = app
            .state
            .store
            .graded_members(space)
            .await
            .unwrap()
            .remove(0);
        let post = |path: &str, body: Value| {
            app.http
                .post(format!("{}/spaces/{space}/grades{path}", app.tool_url))
                .header("x-cowork-token", token_of(&teacher))
                .header("accept", "application/json")
                .json(&body)
                .send()
        };
        let award = post(
            "/awards",
            json!({ "user_id": member.user_id, "points": 2, "reason": "Ran the kickoff" }),
        )
        .await
        .unwrap();
        assert_eq!(award.status(), 200);
        assert_eq!(post("/sync", json!({})).await.unwrap().status(), 200);
        let book = app.platform.gradebook.clone();
        wait_until(
            || book.accepted().iter().any(|g| g.column == column.id),
            "the grade in the new column",
        )
        .await;
        let grade = book
            .accepted()
            .into_iter()
            .find(|g| g.column == column.id)
            .unwrap();
        assert_eq!(grade.user_id, "demo-student-1");
        assert_eq!(grade.score_maximum, 50.0);
        assert_eq!(grade.score_given, 25.0, "2 points of a weekly target of 4");
    }
}

#[tokio::test]
async fn room_link_opens_existing_space() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
        let space = teacher.space_id;
        let room = app
            .http
            .post(format!("{}/spaces/{space}/rooms", app.tool_url))
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&json!({ "kind": "team", "name": "Team <Orion>" }))
            .send()
            .await
            .unwrap();
        assert_eq!(room.status(), 201, "{backend:?}");
        let room_id = room.json::<Value>().await.unwrap()["id"]
            .as_i64()
            .expect("room id");

        let picker = open_picker(&app, teacher_request()).await;
        let html = get_picker(&app, &picker).await.text().await.unwrap();
        let value = format!("room-{space}-{room_id}");
        assert!(html.contains(&format!("value=\"{value}\"")), "{html}");
        assert!(
            html.contains("Team &lt;Orion&gt;"),
            "room names are escaped"
        );
        assert!(!html.contains("Team <Orion>"));
        let title_field = format!("title-{value}");
        let help = format!("help-{space}");
        let help_title = format!("title-{help}");
        let answer = submit(
            &app,
            &picker,
            &[
                ("item", value.as_str()),
                (title_field.as_str(), "Orion table"),
                ("item", help.as_str()),
                (help_title.as_str(), "Ask for help"),
                ("action", "add"),
            ],
        )
        .await;
        assert_eq!(answer.status(), 200);
        let (_, jwt) = answer_form(&answer.text().await.unwrap());
        let claims = verify(&app, &jwt, &app.platform_url, cowork::demo::CLIENT_ID).await;
        let items = claims[deep_linking::CONTENT_ITEMS].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(
            items.iter().all(|item| item.get("lineItem").is_none()),
            "links into a space add no gradebook column"
        );
        let returned = return_to_platform(&app, &jwt).await;
        assert_eq!(returned.status(), 200);

        let activities = app.platform.activities();
        let link_of = |title: &str| {
            activities
                .iter()
                .find(|a| a.title == title)
                .unwrap()
                .resource_link_id
                .clone()
        };
        let student = |link: String| LaunchChoice {
            activity: Some(link),
            ..choice("demo-student-2", "learner")
        };
        let response = launch_response(&app, student(link_of("Orion table"))).await;
        assert_eq!(response.status(), 303);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("/spaces/{space}?lt="))
                && location.ends_with(&format!("#room-{room_id}")),
            "{backend:?}: {location}"
        );
        let response = launch_response(&app, student(link_of("Ask for help"))).await;
        let location = response.headers()["location"].to_str().unwrap().to_string();
        assert!(
            location.starts_with(&format!("/spaces/{space}/help?lt=")),
            "{location}"
        );
        let spaces = app
            .state
            .store
            .course_spaces(
                &app.platform_url,
                cowork::demo::DEPLOYMENT_ID,
                "course-bc101",
            )
            .await
            .unwrap();
        assert_eq!(spaces.len(), 1, "room links start no space");
    }
}

#[tokio::test]
async fn picker_rejects_invalid_choices() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let elsewhere = LaunchChoice {
        course_id: "course-da201".into(),
        ..choice("demo-teacher-1", "instructor")
    };
    let other = app.launch(elsewhere).await;
    let other_room = format!("help-{}", other.space_id);
    let picker = open_picker(&app, teacher_request()).await;
    let title = format!("title-{other_room}");
    let cases: [(&[(&str, &str)], &str); 7] = [
        (&[("action", "add")], "choose at least one"),
        (
            &[
                ("item", other_room.as_str()),
                (title.as_str(), "Stolen"),
                ("action", "add"),
            ],
            "not part of this course",
        ),
        (
            &[
                ("item", "room-1-999999"),
                ("title-room-1-999999", "Ghost"),
                ("action", "add"),
            ],
            "not part of this course",
        ),
        (
            &[("item", "space"), ("title-space", "  "), ("action", "add")],
            "needs a title",
        ),
        (
            &[
                ("item", "space"),
                ("title-space", "Bell\u{7}"),
                ("action", "add"),
            ],
            "contains control characters",
        ),
        (
            &[
                ("item", "space"),
                ("title-space", "Studio"),
                ("weekly_target", "lots"),
            ],
            "weekly_target must be a number",
        ),
        (
            &[
                ("item", "space"),
                ("title-space", "Studio"),
                ("presentation", "popup"),
            ],
            "cannot open an activity as",
        ),
    ];
    for (fields, expected) in cases {
        let response = app
            .http
            .post(format!("{}{picker}", app.tool_url))
            .header("accept", "application/json")
            .form(fields)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{fields:?}");
        let body: Value = response.json().await.unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(expected), "{fields:?}: {message}");
    }
    // Nothing was spent: the request still answers.
    let answer = submit(
        &app,
        &picker,
        &[
            ("item", "space"),
            ("title-space", "Studio"),
            ("action", "add"),
        ],
    )
    .await;
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn cancel_returns_no_items() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let picker = open_picker(&app, teacher_request()).await;
    let answer = submit(&app, &picker, &[("action", "cancel")]).await;
    assert_eq!(answer.status(), 200);
    let (_, jwt) = answer_form(&answer.text().await.unwrap());
    let claims = verify(&app, &jwt, &app.platform_url, cowork::demo::CLIENT_ID).await;
    assert_eq!(claims[deep_linking::CONTENT_ITEMS], json!([]));
    assert!(claims[deep_linking::DATA].is_string());
    let returned = return_to_platform(&app, &jwt).await;
    assert!(returned
        .text()
        .await
        .unwrap()
        .contains("Nothing was chosen"));
}

#[tokio::test]
async fn only_teachers_add_activities() {
    let app = common::spawn(common::Backend::Sqlite).await;
    for role in ["learner", "none"] {
        let request = LaunchChoice {
            deep_linking: true,
            ..choice("demo-student-1", role)
        };
        let response = launch_response(&app, request).await;
        assert_eq!(response.status(), 403, "{role}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "forbidden");
    }
    let unknown = get_picker(&app, "/lti/deep-link/not-a-request").await;
    assert_eq!(unknown.status(), 400);
}

#[tokio::test]
async fn platform_settings_limit_items() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let settings_edit = |edit: fn(&mut Value)| {
        move |claims: &mut serde_json::Map<String, Value>| {
            edit(&mut claims[claims::DEEP_LINKING_SETTINGS]);
        }
    };
    // One item only.
    let login = app.login(teacher_request()).await;
    let (_, state) = app.authorize(&login).await;
    let token = app.signed_claims(
        &teacher_request(),
        &login.nonce,
        settings_edit(|settings| settings["accept_multiple"] = json!(false)),
    );
    let response = app.post_launch(&token, &state).await;
    let picker = response.headers()["location"].to_str().unwrap().to_string();
    let html = get_picker(&app, &picker).await.text().await.unwrap();
    assert!(
        html.contains("type=\"radio\" name=\"item\""),
        "radio buttons"
    );
    assert!(!html.contains("type=\"checkbox\" name=\"item\""));
    let teacher = app.launch(choice("demo-teacher-1", "instructor")).await;
    let help = format!("help-{}", teacher.space_id);
    let help_title = format!("title-{help}");
    let two = app
        .http
        .post(format!("{}{picker}", app.tool_url))
        .header("accept", "application/json")
        .form(&[
            ("item", "space"),
            ("title-space", "Studio"),
            ("item", help.as_str()),
            (help_title.as_str(), "Help"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(two.status(), 400);
    assert!(two.text().await.unwrap().contains("one activity at a time"));

    // A place that takes no resource links gets an empty answer with an explanation.
    let login = app.login(teacher_request()).await;
    let (_, state) = app.authorize(&login).await;
    let token = app.signed_claims(
        &teacher_request(),
        &login.nonce,
        settings_edit(|settings| settings["accept_types"] = json!(["file", "html"])),
    );
    let response = app.post_launch(&token, &state).await;
    let picker = response.headers()["location"].to_str().unwrap().to_string();
    let html = get_picker(&app, &picker).await.text().await.unwrap();
    assert!(html.contains("accepts no activity links"), "{html}");
    let answer = submit(&app, &picker, &[("item", "space"), ("action", "add")]).await;
    let (_, jwt) = answer_form(&answer.text().await.unwrap());
    let claims = verify(&app, &jwt, &app.platform_url, cowork::demo::CLIENT_ID).await;
    assert_eq!(claims[deep_linking::CONTENT_ITEMS], json!([]));
    assert!(claims[deep_linking::ERROR_MSG].is_string());

    // A return URL that is not http(s) rejects the launch itself.
    let login = app.login(teacher_request()).await;
    let (_, state) = app.authorize(&login).await;
    let token = app.signed_claims(
        &teacher_request(),
        &login.nonce,
        settings_edit(|settings| {
            settings["deep_link_return_url"] = json!("javascript:alert(document.cookie)")
        }),
    );
    let response = app.post_launch(&token, &state).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "deep_linking_settings");
}

#[tokio::test]
async fn expired_request_is_rejected() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let picker = open_picker(&app, teacher_request()).await;
    let id = picker.trim_start_matches("/lti/deep-link/");
    let mut request = app
        .state
        .store
        .deep_link_request(id)
        .await
        .unwrap()
        .unwrap();
    request.id = format!("{id}-old");
    request.expires_at = cowork::unix_now() - 1;
    app.state
        .store
        .insert_deep_link_request(&request)
        .await
        .unwrap();
    let response = get_picker(&app, &format!("/lti/deep-link/{}", request.id)).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("expired"));
}

/// Moodle 4.2's recorded "Select content" requests, of the manually configured and of the
/// dynamically registered tool, answered by cowork. The response has the claims of the
/// response Moodle accepted in the recording and goes to the recorded return URL.
#[tokio::test]
async fn recorded_moodle_round_trip() {
    let fixtures = [
        "id_token-deep-linking-teacher.json",
        "id_token-deep-linking-teacher-dynamic-tool.json",
    ];
    for backend in common::backends() {
        let (app, launches) =
            spawn_recorded_moodle(backend, &fixtures, DEEP_LINK_RECORDING_TIME).await;
        for (name, launch) in fixtures.iter().zip(&launches) {
            let response = app.post_launch(&launch.id_token, &launch.state).await;
            assert_eq!(response.status(), 303, "{backend:?}: {name}");
            let picker = response.headers()["location"].to_str().unwrap().to_string();
            let html = get_picker(&app, &picker).await.text().await.unwrap();
            assert!(html.contains("LTI Capture Course"), "course title shown");
            let answer = submit(
                &app,
                &picker,
                &[
                    ("item", "space"),
                    ("title-space", "LTI101 coworking"),
                    ("grade", "on"),
                    ("score_maximum", "50"),
                    ("presentation", "iframe"),
                    ("action", "add"),
                ],
            )
            .await;
            assert_eq!(answer.status(), 200, "{name}");
            let (action, jwt) = answer_form(&answer.text().await.unwrap());

            let request = &fixture(name)["payload"];
            let settings = &request[claims::DEEP_LINKING_SETTINGS];
            assert_eq!(action, settings["deep_link_return_url"].as_str().unwrap());
            let issuer = request["iss"].as_str().unwrap();
            let client_id = request["aud"].as_str().unwrap();
            let claims = verify(&app, &jwt, issuer, client_id).await;
            assert_eq!(
                claims[claims::DEPLOYMENT_ID],
                request[claims::DEPLOYMENT_ID]
            );

            // Every claim of the response Moodle accepted is present, with the same value
            // where it depends on neither the tool nor the moment.
            let accepted = &fixture("deep-linking-response.json")["decoded"]["payload"];
            for (claim, value) in accepted.as_object().unwrap() {
                let ours = &claims[claim];
                assert!(
                    !ours.is_null(),
                    "{backend:?}: {name}: claim {claim} missing"
                );
                if claim == claims::MESSAGE_TYPE || claim == claims::VERSION {
                    assert_eq!(ours, value, "claim {claim}");
                }
            }
            let item = &claims[deep_linking::CONTENT_ITEMS][0];
            let accepted_item = &accepted[deep_linking::CONTENT_ITEMS][0];
            for key in ["type", "title", "url", "custom", "lineItem"] {
                assert!(accepted_item.get(key).is_some(), "{key} in the recording");
                assert!(item.get(key).is_some(), "{key} in the response");
            }
            for key in ["scoreMaximum", "label", "resourceId", "tag"] {
                assert!(item["lineItem"].get(key).is_some(), "lineItem.{key}");
            }
            assert_eq!(item["lineItem"]["scoreMaximum"], 50.0);
            assert!(item["iframe"].is_object());
            assert!(
                claims.get(deep_linking::DATA).is_none(),
                "Moodle sent no data, so none comes back"
            );
        }
    }
}

#[tokio::test]
async fn space_without_column_sends_no_grades() {
    for backend in common::backends() {
        let app = common::spawn(backend).await;
        let picker = open_picker(&app, teacher_request()).await;
        let answer = submit(
            &app,
            &picker,
            &[
                ("item", "space"),
                ("title-space", "Ungraded studio"),
                ("weekly_target", "3"),
                ("action", "add"),
            ],
        )
        .await;
        assert_eq!(answer.status(), 200, "{backend:?}");
        assert_eq!(answer.headers()["cache-control"], "no-store");
        let (_, jwt) = answer_form(&answer.text().await.unwrap());
        let claims = verify(&app, &jwt, &app.platform_url, cowork::demo::CLIENT_ID).await;
        let item = &claims[deep_linking::CONTENT_ITEMS][0];
        assert!(item.get("lineItem").is_none(), "no column requested");
        let returned = return_to_platform(&app, &jwt).await;
        assert_eq!(returned.status(), 200);
        let activity = app
            .platform
            .activities()
            .into_iter()
            .find(|a| a.title == "Ungraded studio")
            .unwrap();
        assert_eq!(activity.column, None);

        // The demo platform still offers its line item container, as Moodle does.
        let teacher = app
            .launch(LaunchChoice {
                activity: Some(activity.resource_link_id.clone()),
                ..choice("demo-teacher-1", "instructor")
            })
            .await;
        let space = teacher.space_id;
        let store = &app.state.store;
        assert_eq!(
            store.grade_target(space).await.unwrap(),
            None,
            "{backend:?}"
        );
        let rule = store.grading_rule(space).await.unwrap().expect("rule kept");
        let rule: Value = serde_json::from_str(&rule.rule_json).unwrap();
        assert_eq!(rule["weekly_target"], 3.0);
        let sync = app
            .http
            .post(format!("{}/spaces/{space}/grades/sync", app.tool_url))
            .header("x-cowork-token", token_of(&teacher))
            .header("accept", "application/json")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(sync.status(), 400, "nothing to sync to");
        assert!(app.platform.gradebook.token_requests().is_empty());
    }
}

#[tokio::test]
async fn picker_errors_follow_the_language() {
    let app = common::spawn(common::Backend::Sqlite).await;
    let request = LaunchChoice {
        locale: "ru".into(),
        ..teacher_request()
    };
    let picker = open_picker(&app, request).await;
    let html = get_picker(&app, &picker).await.text().await.unwrap();
    assert!(html.contains("Добавить cowork в курс"), "{html}");
    assert!(html.contains("Перейти к содержимому"), "skip link");
    let response = app
        .http
        .post(format!("{}{picker}", app.tool_url))
        .header("accept", "application/json")
        .header("accept-language", "en")
        .form(&[("action", "add")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("выберите хотя бы один"), "{message}");
}
