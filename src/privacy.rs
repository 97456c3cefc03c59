//! A person's data on request: the export of everything cowork stores about them, its
//! erasure, and the retention period after which a space's content is cleared. The
//! admin command and the teacher's page both go through these functions; docs/PRIVACY.md
//! states the rules.

use std::path::Path;

use serde_json::json;

use crate::store::privacy::{Erasure, Expiry, Person};
use crate::store::upload_dir::UploadDir;
use crate::store::{Store, StoreResult};

/// Seconds in a day, for retention periods given in days.
const DAY_SECS: i64 = 24 * 60 * 60;

/// Statement in every export about answers to anonymous questionnaires.
pub const ANONYMOUS_ANSWERS_NOTE: &str = "Answers to anonymous questionnaires are not \
     included: cowork stores them without any column that links them to a person, so they \
     cannot be found for, or attributed to, anyone. The table questionnaire_respondents \
     shows which questionnaires the person answered, without the answers.";

/// Builds the export of a person: identity and roles as the platform sent them, then
/// every row that names the person, and the uploaded files with where their bytes are.
pub async fn export(
    store: &dyn Store,
    upload_dir: Option<&Path>,
    person: &Person,
    space_id: Option<i64>,
    now: i64,
) -> StoreResult<serde_json::Value> {
    let tables = store.person_rows(person, space_id).await?;
    let files: Vec<serde_json::Value> = store
        .person_files(person, space_id)
        .await?
        .into_iter()
        .map(|file| {
            let location = match (&file.file_storage, &file.file_key, upload_dir) {
                (Some(storage), Some(key), Some(dir)) if storage == "directory" => {
                    json!({ "path": dir.join(key).display().to_string() })
                }
                (Some(storage), Some(key), None) if storage == "directory" => {
                    json!({ "upload_dir_key": key })
                }
                (Some(storage), _, _) if storage == "database" => json!({
                    "database": format!("showcase_files.bytes of item {}", file.item_id)
                }),
                _ => json!({ "removed": true }),
            };
            json!({
                "item_id": file.item_id,
                "space_id": file.space_id,
                "file_name": file.file_name,
                "file_size": file.file_size,
                "location": location,
            })
        })
        .collect();
    let tables: serde_json::Map<String, serde_json::Value> = tables
        .into_iter()
        .map(|table| {
            (
                table.table,
                json!({ "found_by": table.columns, "rows": table.rows }),
            )
        })
        .collect();
    Ok(json!({
        "format": "cowork-person-export-1",
        "generated_at": now,
        "scope": match space_id {
            Some(space_id) => json!({ "space_id": space_id }),
            None => json!("every space"),
        },
        "person": person,
        "tables": tables,
        "files": {
            "note": "File contents are not in this document. Each file is named by its path \
                     under the upload directory, or by the database row that holds its bytes; \
                     the showcase serves each file to the people of its space.",
            "items": files,
        },
        "anonymous_answers": ANONYMOUS_ANSWERS_NOTE,
        "omitted_columns": crate::store::privacy::EXPORT_OMITTED
            .iter()
            .map(|(table, column)| format!("{table}.{column}"))
            .collect::<Vec<_>>(),
    }))
}

/// Erases a person in one space, or in every space when `space_id` is `None`. The
/// person's `users` row is deleted too once no space contains anything of theirs. Files are deleted from
/// the upload directory after the database commits, so a failure leaves no row that
/// points at a missing file.
pub async fn erase(
    store: &dyn Store,
    upload_dir: Option<&Path>,
    person: &Person,
    space_id: Option<i64>,
    actor_id: Option<i64>,
    now: i64,
) -> StoreResult<Vec<Erasure>> {
    let spaces = match space_id {
        Some(space_id) => vec![space_id],
        None => store.person_spaces(person).await?,
    };
    let mut erased = Vec::with_capacity(spaces.len());
    for space_id in spaces {
        let erasure = store.erase_person(person, space_id, actor_id, now).await?;
        remove_files(upload_dir, space_id, &erasure.file_keys).await;
        tracing::info!(
            space_id,
            placeholder_id = erasure.placeholder_id,
            files = erasure.file_keys.len(),
            "erased a person in a space"
        );
        erased.push(erasure);
    }
    // A person with nothing left in any space keeps no row with their name either.
    if space_id.is_none() || store.person_spaces(person).await?.is_empty() {
        store.remove_person(person).await?;
    }
    Ok(erased)
}

/// Clears content older than each space's retention period. Errors are logged per
/// space, so one failing space does not stop the others.
pub async fn apply_retention(
    store: &dyn Store,
    upload_dir: Option<&Path>,
    default_days: Option<i64>,
    now: i64,
) -> StoreResult<Vec<Expiry>> {
    let mut expired = Vec::new();
    for (space_id, days) in store.retention_periods(default_days).await? {
        let before = now.saturating_sub(days.saturating_mul(DAY_SECS));
        match store.expire_content(space_id, before).await {
            Ok(expiry) => {
                remove_files(upload_dir, space_id, &expiry.file_keys).await;
                if expiry.rows > 0 {
                    tracing::info!(
                        space_id,
                        days,
                        rows = expiry.rows,
                        "retention cleared content"
                    );
                }
                expired.push(expiry);
            }
            Err(error) => {
                tracing::warn!(space_id, %error, "applying the retention period failed");
            }
        }
    }
    Ok(expired)
}

/// Deletes uploaded files. A file that cannot be deleted is logged by its key.
async fn remove_files(upload_dir: Option<&Path>, space_id: i64, keys: &[String]) {
    let Some(dir) = upload_dir else {
        if !keys.is_empty() {
            tracing::warn!(
                space_id,
                files = keys.len(),
                "uploaded files are in a directory but no upload_dir is configured; delete them by hand"
            );
        }
        return;
    };
    let uploads = UploadDir::new(dir);
    for key in keys {
        if let Err(error) = uploads.remove(key).await {
            tracing::warn!(space_id, key, %error, "deleting an uploaded file failed");
        }
    }
}
