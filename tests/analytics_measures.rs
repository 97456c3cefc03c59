//! Mobility and communication measures computed from a space built through real
//! launches, room requests and WebSocket chat, on every configured backend.

mod common;

use common::{backends, choice, open_room, spawn, token_of, Launched, Socket, TestApp};
use cowork::analytics::communication::communication_report;
use cowork::analytics::mobility::{space_mobility, weeks_between, MobilityInput};
use cowork::store::analytics::TeamMembership;
use serde_json::{json, Value};

async fn join(socket: &mut Socket, room_id: i64) {
    socket
        .send(json!({"type": "join", "room_id": room_id}))
        .await;
    socket.next_of("history").await;
}

/// Posts a message, optionally as a reply, and returns the stored message once the
/// server has acknowledged it.
async fn post(socket: &mut Socket, room_id: i64, body: &str, parent_id: Option<i64>) -> Value {
    let mut request = json!({"type": "send", "room_id": room_id, "body": body});
    if let Some(parent) = parent_id {
        request["parent_id"] = json!(parent);
    }
    socket.send(request).await;
    let ack = socket.next_of("ack").await;
    loop {
        let event = socket.next_of("message").await;
        if event["message"]["id"] == ack["message_id"] {
            return event["message"].clone();
        }
    }
}

async fn post_json(app: &TestApp, launched: &Launched, path: &str, body: Value) -> Value {
    let response = app
        .http
        .post(format!(
            "{}/spaces/{}{path}",
            app.tool_url, launched.space_id
        ))
        .header("x-cowork-token", token_of(launched))
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "POST {path}: {response:?}");
    response.json().await.unwrap()
}

fn id_of(value: &Value) -> i64 {
    value["id"].as_i64().expect("value has an integer id")
}

fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: got {actual}, expected {expected}"
    );
}

/// Anna creates team table "Alpha" and Boris joins it; Chen stays in no team.
///
/// In the open space Anna asks "Who has the template?" and Boris replies; Chen asks
/// "Is the deadline Friday?", which nobody answers, and Anna reacts to it. Then Anna and
/// Boris move to Alpha, Boris posts a plan and Anna replies. Chen moves to the quiet zone
/// and asks for help at the help desk, and Anna posts in the request's conversation.
#[tokio::test]
async fn measures_match_hand_worked_space() {
    for backend in backends() {
        let start = cowork::unix_now();
        let app = spawn(backend).await;
        let anna = app.launch(choice("demo-student-1", "learner")).await;
        let boris = app.launch(choice("demo-student-2", "learner")).await;
        let chen = app.launch(choice("demo-student-3", "learner")).await;
        let space_id = anna.space_id;

        let team = id_of(
            &post_json(
                &app,
                &anna,
                "/rooms",
                json!({"kind": "team", "name": "Alpha"}),
            )
            .await,
        );
        let membership = format!("/rooms/{team}/membership");
        post_json(&app, &boris, &membership, json!({"member": true})).await;

        let (mut anna_socket, hello) = app.socket(&anna).await;
        let open = open_room(&hello);
        let quiet = hello["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|room| room["default_key"] == "quiet")
            .map(id_of)
            .expect("every space has a quiet zone");
        let (mut boris_socket, _) = app.socket(&boris).await;
        let (mut chen_socket, _) = app.socket(&chen).await;
        for socket in [&mut anna_socket, &mut boris_socket, &mut chen_socket] {
            join(socket, open).await;
        }

        let question = post(&mut anna_socket, open, "Who has the template?", None).await;
        let answer = post(
            &mut boris_socket,
            open,
            "Here it is",
            Some(id_of(&question)),
        )
        .await;
        let unanswered = post(&mut chen_socket, open, "Is the deadline Friday?", None).await;
        anna_socket
            .send(json!({"type": "react", "message_id": id_of(&unanswered), "emoji": "👍", "on": true}))
            .await;
        anna_socket.next_of("ack").await;

        join(&mut anna_socket, team).await;
        join(&mut boris_socket, team).await;
        let plan = post(&mut boris_socket, team, "Plan for today", None).await;
        post(&mut anna_socket, team, "Agreed", Some(id_of(&plan))).await;
        join(&mut chen_socket, quiet).await;
        let request = post_json(
            &app,
            &chen,
            "/help/requests",
            json!({"title": "Pivot table", "description": "I am stuck."}),
        )
        .await;
        let help_posts = format!("/help/requests/{}/posts", id_of(&request));
        let help_reply = post_json(&app, &anna, &help_posts, json!({"body": "Use Group."})).await;

        let until = cowork::unix_now() + 1;
        let store = &app.state.store;
        let members = store.analytics_members(space_id).await.unwrap();
        let students: Vec<i64> = members
            .iter()
            .filter(|member| member.role == "student")
            .map(|member| member.user_id)
            .collect();
        let user = |name: &str| {
            members
                .iter()
                .find(|member| member.name.as_deref() == Some(name))
                .map(|member| member.user_id)
                .unwrap()
        };
        let (a, b, c) = (
            user("Anna Smirnova"),
            user("Boris Ivanov"),
            user("Chen Wei"),
        );
        assert_eq!(students, vec![a, b, c], "{backend:?}");

        let rooms = store.analytics_rooms(space_id).await.unwrap();
        assert_eq!(rooms.len(), 3, "{backend:?}: open, quiet and Alpha");
        let teams = store.team_memberships(space_id).await.unwrap();
        let expected_teams = vec![
            TeamMembership {
                room_id: team,
                user_id: a,
            },
            TeamMembership {
                room_id: team,
                user_id: b,
            },
        ];
        assert_eq!(teams, expected_teams, "{backend:?}");
        let visits = store
            .analytics_visits(space_id, start, until)
            .await
            .unwrap();
        let rooms_visited: Vec<(i64, i64)> =
            visits.iter().map(|v| (v.user_id, v.room_id)).collect();
        for expected in [
            (a, open),
            (a, team),
            (b, open),
            (b, team),
            (c, open),
            (c, quiet),
        ] {
            assert!(
                rooms_visited.contains(&expected),
                "{backend:?}: {rooms_visited:?}"
            );
        }
        assert_eq!(visits.len(), 6, "{backend:?}: {rooms_visited:?}");
        let interactions = store
            .analytics_interactions(space_id, start, until)
            .await
            .unwrap();
        let messages = store
            .analytics_messages(space_id, start, until)
            .await
            .unwrap();
        assert_eq!(messages.len(), 5, "{backend:?}");
        assert!(
            store
                .analytics_messages(space_id, until, until + 100)
                .await
                .unwrap()
                .is_empty(),
            "{backend:?}: the window's end is exclusive"
        );

        // Mobility over one week. Anna: open and Alpha of 3 rooms, the one team, 1 switch
        // in 1, 2 of 4 interactions outside Alpha (her reaction and help reply to Chen),
        // both others contacted. Boris: the same rooms, 0 of 2 outside, Anna only. Chen:
        // open and the quiet zone, no team, so no outside share and weights summing to
        // 0.8, and Anna only.
        let mobility = space_mobility(&MobilityInput {
            students: &students,
            rooms: &rooms,
            teams: &teams,
            visits: &visits,
            interactions: &interactions,
            start,
            weeks: weeks_between(start, until),
        });
        let anna_index = 0.20 * (2.0 / 3.0) + 0.10 + 0.15 + 0.20 * 0.5 + 0.20 + 0.15;
        let boris_index = 0.20 * (2.0 / 3.0) + 0.10 + 0.15 + 0.20 * 0.0 + 0.20 * 0.5 + 0.15;
        let chen_index = (0.20 * (2.0 / 3.0) + 0.10 * 0.0 + 0.15 + 0.20 * 0.5 + 0.15) / 0.8;
        assert_eq!(weeks_between(start, until), 1, "{backend:?}");
        let [anna_mobility, boris_mobility, chen_mobility] = &mobility.students[..] else {
            panic!("expected three students, got {:?}", mobility.students);
        };
        assert_eq!(anna_mobility.weeks[0].rooms, 2, "{backend:?}");
        assert_eq!(anna_mobility.weeks[0].teams, 1, "{backend:?}");
        assert_eq!(anna_mobility.weeks[0].switches, 1, "{backend:?}");
        assert_eq!(
            anna_mobility.weeks[0].interactions_with_students, 4,
            "{backend:?}"
        );
        assert_eq!(anna_mobility.weeks[0].outside_team, 2, "{backend:?}");
        assert_eq!(anna_mobility.weeks[0].new_contacts, 2, "{backend:?}");
        assert_close(anna_mobility.index, anna_index, "Anna's index");
        assert_eq!(boris_mobility.outside_team_share, Some(0.0), "{backend:?}");
        assert_close(boris_mobility.index, boris_index, "Boris's index");
        assert_eq!(chen_mobility.outside_team_share, None, "{backend:?}");
        assert_eq!(
            chen_mobility.weeks[0].rooms, 2,
            "{backend:?}: open and quiet"
        );
        assert_close(chen_mobility.index, chen_index, "Chen's index");
        let mean = (anna_index + boris_index + chen_index) / 3.0;
        assert_close(mobility.mean_index.unwrap(), mean, "mean index");

        // Communication. Threads: Anna's question (answered by Boris), Chen's question
        // (unanswered), Boris's plan (Anna replies) and Chen's help request (Anna
        // replies): 2 of 3 questions answered, 3 replies in 4 threads. Pairs B→A, A→C,
        // A→B: the path B – A – C, whose eigenvector is (1, √2, 1) / 2.
        let report = communication_report(&students, &messages, &interactions).unwrap();
        let chat_wait =
            answer["created_at"].as_i64().unwrap() - question["created_at"].as_i64().unwrap();
        let help_wait =
            help_reply["created_at"].as_i64().unwrap() - request["created_at"].as_i64().unwrap();
        let response = &report.space.response;
        assert_eq!(response.questions, 3, "{backend:?}");
        assert_eq!(response.answered, 2, "{backend:?}");
        assert_eq!(response.threads, 4, "{backend:?}");
        assert_eq!(response.replies, 3, "{backend:?}");
        assert_close(response.response_rate.unwrap(), 2.0 / 3.0, "response rate");
        assert_eq!(
            response.median_first_reply_secs,
            Some((chat_wait + help_wait) as f64 / 2.0),
            "{backend:?}"
        );
        assert_eq!(response.replies_per_thread, Some(0.75), "{backend:?}");
        assert_close(report.space.reciprocity.unwrap(), 2.0 / 3.0, "reciprocity");
        assert_close(report.space.density, 2.0 / 3.0, "density");
        assert!(report.space.isolated.is_empty(), "{backend:?}");

        let rooms_reported: Vec<Option<i64>> = report.rooms.iter().map(|r| r.room_id).collect();
        assert_eq!(rooms_reported, vec![Some(open), Some(team)], "{backend:?}");
        let open_summary = &report.rooms[0];
        assert_eq!(open_summary.response.questions, 2, "{backend:?}");
        assert_eq!(open_summary.response.answered, 1, "{backend:?}");
        assert_eq!(open_summary.reciprocity, Some(0.0), "{backend:?}: B→A, A→C");
        assert_close(open_summary.density, 2.0 / 3.0, "open space density");
        let team_summary = &report.rooms[1];
        assert_eq!(team_summary.response.questions, 0, "{backend:?}");
        assert_eq!(team_summary.reciprocity, Some(0.0), "{backend:?}: A→B only");
        assert_close(team_summary.density, 1.0 / 3.0, "team density");
        assert_eq!(team_summary.isolated, vec![c], "{backend:?}");

        let centrality: Vec<f64> = report
            .students
            .iter()
            .map(|student| student.eigenvector_centrality)
            .collect();
        let expected = [2f64.sqrt() / 2.0, 0.5, 0.5];
        for (actual, expected) in centrality.iter().zip(expected) {
            assert_close(*actual, expected, "eigenvector centrality");
        }
        let degree: Vec<f64> = report
            .students
            .iter()
            .map(|s| s.degree_centrality)
            .collect();
        assert_eq!(degree, vec![1.0, 0.5, 0.5], "{backend:?}");
        let chen_response = &report.students[2].response;
        assert_eq!(chen_response.questions, 2, "{backend:?}");
        assert_eq!(chen_response.response_rate, Some(0.5), "{backend:?}");
    }
}
