//! The migration that adds pair keys and the `nps` item kind rebuilds the SQLite
//! items table. Answers stored before it must survive with their items, keep no pair
//! key, and item ids must not be handed out again.

use std::str::FromStr;

use cowork::store::questionnaires::{NewItem, QuestionnaireFields};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

/// Applies the SQLite migrations before the pair key migration to a new database.
async fn database_before_pairs(dir: &std::path::Path, url: &str) -> SqlitePool {
    let older = dir.join("older-migrations");
    std::fs::create_dir(&older).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.as_str() < "0010" {
            std::fs::copy(&path, older.join(name)).unwrap();
        }
    }
    let options = SqliteConnectOptions::from_str(url)
        .unwrap()
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    Migrator::new(older.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

async fn execute(pool: &SqlitePool, statement: &str) {
    sqlx::query(statement)
        .execute(pool)
        .await
        .unwrap_or_else(|error| panic!("{statement}: {error}"));
}

#[tokio::test]
async fn sqlite_rebuild_keeps_answers() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cowork.db").display());
    let pool = database_before_pairs(dir.path(), &url).await;
    for statement in [
        "INSERT INTO users (id, issuer, subject, updated_at) VALUES (1, 'i', 's', 0)",
        "INSERT INTO spaces (id, issuer, deployment_id, context_id, resource_link_id, \
         created_at, updated_at) VALUES (1, 'i', 'd', 'c', 'r', 0, 0)",
        "INSERT INTO questionnaires (id, space_id, title, description, anonymous, wave, \
         created_by, created_at, updated_at) VALUES (1, 1, 'Before', '', TRUE, 'pre', 1, 0, 0)",
        "INSERT INTO questionnaire_items (id, questionnaire_id, position, kind, prompt, \
         scale, options_json) VALUES \
         (1, 1, 0, 'likert5', 'Help', 'community', '[]'), \
         (2, 1, 1, 'single', 'How often?', NULL, '[\"Daily\",\"Weekly\"]'), \
         (3, 1, 2, 'text', 'Removed later', NULL, '[]')",
        "DELETE FROM questionnaire_items WHERE id = 3",
        "INSERT INTO questionnaire_responses (response_key, questionnaire_id) \
         VALUES ('old-key', 1)",
        "INSERT INTO questionnaire_answers (response_key, item_id, value, text) \
         VALUES ('old-key', 1, 4, NULL), ('old-key', 2, 1, NULL)",
    ] {
        execute(&pool, statement).await;
    }
    pool.close().await;

    let store = cowork::store::connect(&url).await.unwrap();
    let items = store.questionnaire_items(1, 1).await.unwrap();
    let kept: Vec<(i64, &str, Option<&str>)> = items
        .iter()
        .map(|item| (item.id, item.kind.as_str(), item.scale.as_deref()))
        .collect();
    assert_eq!(
        kept,
        vec![(1, "likert5", Some("community")), (2, "single", None)]
    );
    assert_eq!(items[1].options(), vec!["Daily", "Weekly"]);

    let answers = store.questionnaire_answers(1, 1).await.unwrap();
    let values: Vec<(i64, i64)> = answers.iter().map(|a| (a.item_id, a.value)).collect();
    assert_eq!(values, vec![(1, 4), (2, 1)]);
    assert!(answers
        .iter()
        .all(|answer| answer.response_key == "old-key"));
    assert!(answers.iter().all(|answer| answer.pair_key.is_none()));

    let fields = QuestionnaireFields {
        title: "After".into(),
        description: String::new(),
        anonymous: true,
        wave: Some("post".into()),
        pre_id: Some(1),
        opens_at: None,
        closes_at: None,
    };
    let nps = NewItem {
        kind: "nps".into(),
        prompt: "Recommend?".into(),
        scale: None,
        options: Vec::new(),
    };
    let created = store
        .create_questionnaire(1, &fields, &[nps], 1, 0)
        .await
        .unwrap();
    let new_items = store.questionnaire_items(1, created.id).await.unwrap();
    assert_eq!(new_items[0].kind, "nps");
    assert_eq!(new_items[0].id, 4, "the deleted item's id 3 is not reused");

    let check = SqlitePool::connect(&url).await.unwrap();
    let violations = sqlx::query("PRAGMA foreign_key_check")
        .fetch_all(&check)
        .await
        .unwrap();
    assert_eq!(violations.len(), 0, "rows that break a foreign key");
}
