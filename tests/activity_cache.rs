//! The in-memory copy of a space's activity rows follows the database: after posts,
//! edits, deletions, visits, late and backdated rows, the rows it returns equal those
//! read directly, on every configured backend.

mod common;

use common::{backends, choice, spawn, TestApp};
use cowork::analytics::activity::{ActivityCache, RECENT_SECS};
use cowork::analytics::report::{SpaceRows, Window};
use cowork::store::chat::{Interaction, Moderation, NewMessage, RoomVisit};
use cowork::store::{DynStore, Store};
use cowork::unix_now;

/// A space with two students and its open room.
struct Space {
    store: DynStore,
    space_id: i64,
    room_id: i64,
    anna: i64,
    boris: i64,
}

async fn build_space(app: &TestApp, course_id: &str) -> Space {
    let mut anna = choice("demo-student-1", "learner");
    anna.course_id = course_id.into();
    let mut boris = choice("demo-student-2", "learner");
    boris.course_id = course_id.into();
    let launched = app.launch(anna).await;
    app.launch(boris).await;
    let store = app.state.store.clone();
    let members = store.analytics_members(launched.space_id).await.unwrap();
    let ids: Vec<i64> = members.iter().map(|member| member.user_id).collect();
    assert_eq!(ids.len(), 2, "two students launched");
    let rooms = store.analytics_rooms(launched.space_id).await.unwrap();
    let open = rooms.iter().find(|room| room.kind == "open").unwrap();
    Space {
        space_id: launched.space_id,
        room_id: open.id,
        anna: ids[0],
        boris: ids[1],
        store,
    }
}

impl Space {
    fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    async fn post(&self, author_id: i64, body: &str, parent: Option<(i64, i64)>, at: i64) -> i64 {
        let message = NewMessage {
            space_id: self.space_id,
            room_id: self.room_id,
            author_id,
            parent_id: parent.map(|(id, _)| id),
            parent_author_id: parent.map(|(_, author)| author),
            stance: None,
            body: body.into(),
            body_html: format!("<p>{body}</p>"),
            mentions: Vec::new(),
        };
        let stored = self.store().post_message(&message, at).await.unwrap();
        stored.expect("the open room takes messages").id
    }

    async fn react(&self, actor_id: i64, target_id: i64, at: i64) {
        let row = Interaction {
            space_id: self.space_id,
            actor_id,
            target_id: Some(target_id),
            room_id: Some(self.room_id),
            kind: "reaction".into(),
            subject_id: None,
            created_at: at,
        };
        self.store().record_interaction(&row).await.unwrap();
    }
}

/// Returns each visit without the time it ended, which the copy does not follow.
fn entered(visits: &[RoomVisit]) -> Vec<(i64, i64, i64)> {
    visits
        .iter()
        .map(|visit| (visit.room_id, visit.user_id, visit.entered_at))
        .collect()
}

/// Asserts that the cache returns the rows the database returns for `window`.
async fn assert_in_step(cache: &ActivityCache, space: &Space, window: Window, step: &str) {
    let cached = cache
        .rows(space.store(), space.space_id, window)
        .await
        .unwrap();
    let direct = SpaceRows::load(space.store(), space.space_id, window)
        .await
        .unwrap();
    assert_eq!(
        cached.interactions, direct.interactions,
        "interactions after {step}"
    );
    assert_eq!(cached.messages, direct.messages, "messages after {step}");
    assert_eq!(
        entered(&cached.visits),
        entered(&direct.visits),
        "visits after {step}"
    );
    assert_eq!(cached.members, direct.members, "members after {step}");
    assert_eq!(cached.rooms, direct.rooms, "rooms after {step}");
    assert_eq!(cached.teams, direct.teams, "teams after {step}");
}

#[tokio::test]
async fn cache_follows_changes() {
    for backend in backends() {
        let app = spawn(backend).await;
        let space = build_space(&app, "course-bc101").await;
        let cache = ActivityCache::new(10_000);
        let now = unix_now();
        let all = Window {
            from: now - 30 * 24 * 3600,
            until: now + 3600,
        };
        assert_in_step(&cache, &space, all, "the launches").await;

        let question = space
            .post(space.anna, "Who has the template?", None, now)
            .await;
        let reply = space
            .post(space.boris, "I do.", Some((question, space.anna)), now + 1)
            .await;
        space.react(space.anna, space.boris, now + 2).await;
        let visit = space
            .store()
            .start_visit(space.space_id, space.room_id, space.boris, now + 3)
            .await
            .unwrap();
        assert_in_step(&cache, &space, all, "posts, a reaction and a visit").await;
        let rows = cache
            .rows(space.store(), space.space_id, all)
            .await
            .unwrap();
        assert_eq!(rows.messages.len(), 2, "both messages are held");
        assert!(rows.messages[0].question, "the first message is a question");

        space
            .store()
            .edit_message(
                space.space_id,
                question,
                "I have the template.",
                "",
                now + 4,
            )
            .await
            .unwrap()
            .expect("the message exists");
        space.store().end_visit(visit, now + 5).await.unwrap();
        assert_in_step(&cache, &space, all, "an edit").await;
        let rows = cache
            .rows(space.store(), space.space_id, all)
            .await
            .unwrap();
        assert!(!rows.messages[0].question, "the edit removed the question");

        space
            .store()
            .moderate_message(space.space_id, reply, Moderation::Delete, now + 6)
            .await
            .unwrap()
            .expect("the message exists");
        assert_in_step(&cache, &space, all, "a deletion").await;
        let rows = cache
            .rows(space.store(), space.space_id, all)
            .await
            .unwrap();
        assert_eq!(rows.messages.len(), 1, "the deleted reply is gone");

        // A row stamped long before the newest one is outside the part read again, so
        // only the count check finds it.
        space
            .react(space.boris, space.anna, now + 4 * RECENT_SECS)
            .await;
        assert_in_step(&cache, &space, all, "a later reaction").await;
        space.react(space.boris, space.anna, now - 3600).await;
        assert_in_step(&cache, &space, all, "a backdated reaction").await;
        space
            .store()
            .start_visit(space.space_id, space.room_id, space.anna, now - 7200)
            .await
            .unwrap();
        assert_in_step(&cache, &space, all, "a backdated visit").await;

        let part = Window {
            from: now,
            until: now + 4,
        };
        assert_in_step(&cache, &space, part, "narrowing the window").await;
        let rows = cache
            .rows(space.store(), space.space_id, part)
            .await
            .unwrap();
        assert_eq!(
            rows.interactions.len(),
            4,
            "two messages, a reply and a reaction"
        );
        let empty = Window {
            from: now + 3600,
            until: now,
        };
        assert_in_step(&cache, &space, empty, "an empty window").await;
    }
}

#[tokio::test]
async fn cache_drops_least_recent_space() {
    for backend in backends() {
        let app = spawn(backend).await;
        let first = build_space(&app, "course-bc101").await;
        let now = unix_now();
        let window = Window {
            from: now - 3600,
            until: now + 3600,
        };
        for index in 0..4 {
            first.react(first.anna, first.boris, now + index).await;
        }
        let second = build_space(&app, "course-da201").await;
        assert_ne!(first.space_id, second.space_id, "two courses, two spaces");
        for index in 0..3 {
            second.react(second.boris, second.anna, now + index).await;
        }

        // Four rows of the first space and three of the second fit in seven.
        let cache = ActivityCache::new(7);
        assert_in_step(&cache, &first, window, "reading the first space").await;
        assert_in_step(&cache, &second, window, "reading the second space").await;
        let held = cache.held_rows();
        assert_eq!(held.get(&first.space_id), Some(&4), "first space held");
        assert_eq!(held.get(&second.space_id), Some(&3), "second space held");

        // One more row of the second space passes the bound, so the first space goes.
        second.react(second.anna, second.boris, now + 10).await;
        assert_in_step(&cache, &second, window, "growing the second space").await;
        let held = cache.held_rows();
        assert_eq!(held.get(&first.space_id), None, "first space dropped");
        assert_eq!(held.get(&second.space_id), Some(&4), "second space held");

        // A space larger than the bound is read but not kept.
        let small = ActivityCache::new(3);
        assert_in_step(&small, &first, window, "a space over the bound").await;
        assert!(small.held_rows().is_empty(), "nothing is held");

        let off = ActivityCache::new(0);
        assert_in_step(&off, &first, window, "a disabled cache").await;
        assert!(off.held_rows().is_empty(), "a disabled cache holds nothing");
    }
}
