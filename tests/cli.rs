//! The admin commands, run as a person would run them: the built binary on a fresh
//! SQLite file.

use std::path::Path;
use std::process::{Command, Output};

struct Cowork {
    dir: tempfile::TempDir,
}

impl Cowork {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let database = format!("sqlite://{}", self.dir.path().join("from-env.db").display());
        Command::new(env!("CARGO_BIN_EXE_cowork"))
            .args(args)
            .env("COWORK_DATABASE_URL", database)
            .env_remove("COWORK_CONFIG")
            .env_remove("COWORK_KEY_ENCRYPTION_KEY")
            .env_remove("COWORK_KEY_ENCRYPTION_KEY_PREVIOUS")
            .envs(env.iter().copied())
            .current_dir(self.dir.path())
            .output()
            .expect("run cowork")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const MOODLE: [&str; 10] = [
    "--issuer",
    "https://moodle.example.edu",
    "--client-id",
    "client-1",
    "--auth-url",
    "https://moodle.example.edu/mod/lti/auth.php",
    "--token-url",
    "https://moodle.example.edu/mod/lti/token.php",
    "--jwks-url",
    "https://moodle.example.edu/mod/lti/certs.php",
];

fn add_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["platform", "add"];
    args.extend(MOODLE);
    args.extend(extra);
    args
}

#[test]
fn platform_add_list_remove() {
    let cowork = Cowork::new();
    let added = cowork.run(&add_args(&["--deployment-id", "2"]));
    assert!(added.status.success(), "add failed: {}", stderr(&added));

    let again = cowork.run(&add_args(&["--deployment-id", "3"]));
    assert!(
        again.status.success(),
        "second add failed: {}",
        stderr(&again)
    );

    let listed = cowork.run(&["platform", "list", "--json"]);
    let platforms: serde_json::Value = serde_json::from_str(&stdout(&listed)).unwrap();
    assert_eq!(platforms.as_array().unwrap().len(), 1, "one registration");
    assert_eq!(platforms[0]["issuer"], "https://moodle.example.edu");
    assert_eq!(platforms[0]["deployments"], serde_json::json!(["2", "3"]));

    let removed = cowork.run(&[
        "platform",
        "remove",
        "--issuer",
        "https://moodle.example.edu",
        "--client-id",
        "client-1",
    ]);
    assert!(
        removed.status.success(),
        "remove failed: {}",
        stderr(&removed)
    );
    let listed = cowork.run(&["platform", "list", "--json"]);
    assert_eq!(stdout(&listed).trim(), "[]");

    let missing = cowork.run(&[
        "platform",
        "remove",
        "--issuer",
        "https://moodle.example.edu",
        "--client-id",
        "client-1",
    ]);
    assert!(!missing.status.success(), "removing twice must fail");
    assert!(
        stderr(&missing).contains("no platform"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn issuer_trailing_slash_rejected() {
    let cowork = Cowork::new();
    let mut args = add_args(&[]);
    args[3] = "https://moodle.example.edu/";
    let output = cowork.run(&args);
    assert!(!output.status.success(), "trailing slash must be rejected");
    let message = stderr(&output);
    assert!(message.contains("ends with '/'"), "{message}");
    assert!(message.contains("remove the slash"), "{message}");

    let listed = cowork.run(&["platform", "list", "--json"]);
    assert_eq!(stdout(&listed).trim(), "[]", "nothing stored");
}

#[test]
fn invalid_url_rejected_with_name() {
    let cowork = Cowork::new();
    let mut args = add_args(&[]);
    args[7] = "not a url";
    let output = cowork.run(&args);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("auth URL"), "{}", stderr(&output));
}

#[test]
fn example_platform_file_imports() {
    let cowork = Cowork::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("lti-config/moodle.example.toml");
    let output = cowork.run(&["platform", "import", example.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "import failed: {}",
        stderr(&output)
    );
    let listed = cowork.run(&["platform", "list"]);
    assert!(
        stdout(&listed).contains("https://moodle.example.edu"),
        "{}",
        stdout(&listed)
    );
    assert!(
        stdout(&listed).contains("deployments=2"),
        "{}",
        stdout(&listed)
    );
}

#[test]
fn example_config_file_loads() {
    let cowork = Cowork::new();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("lti-config/cowork.example.toml");
    let output = cowork.run(&["--config", example.to_str().unwrap(), "platform", "list"]);
    assert!(
        output.status.success(),
        "config failed: {}",
        stderr(&output)
    );
    assert!(
        stdout(&output).contains("no platforms"),
        "{}",
        stdout(&output)
    );
    assert!(
        !cowork.dir.path().join("cowork.db").exists(),
        "the database URL from the environment overrides the file's"
    );
    assert!(cowork.dir.path().join("from-env.db").exists());
}

#[test]
fn keys_rotate_keeps_previous() {
    let cowork = Cowork::new();
    let first = cowork.run(&["keys", "list"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert_eq!(stdout(&first).trim(), "", "no keys before the first start");

    let rotated = cowork.run(&["keys", "rotate"]);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let rotated_again = cowork.run(&["keys", "rotate"]);
    assert!(rotated_again.status.success(), "{}", stderr(&rotated_again));

    let listed = stdout(&cowork.run(&["keys", "list"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[0].contains("\tsigning\t"),
        "newest key signs: {listed}"
    );
    assert!(
        lines[1].contains("retired, published"),
        "previous key stays published: {listed}"
    );
    assert!(
        lines.iter().all(|line| line.ends_with("\tunencrypted")),
        "{listed}"
    );
}

#[test]
fn keys_rotate_encrypts_with_key() {
    let cowork = Cowork::new();
    let key = [(
        "COWORK_KEY_ENCRYPTION_KEY",
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
    )];
    let rotated = cowork.run_with(&["keys", "rotate"], &key);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let listed = stdout(&cowork.run_with(&["keys", "list"], &key));
    assert!(listed.trim_end().ends_with("\tencrypted"), "{listed}");

    let without = cowork.run(&["keys", "rotate"]);
    assert!(
        !without.status.success(),
        "no unencrypted key joins encrypted ones"
    );
    assert!(
        stderr(&without).contains("COWORK_KEY_ENCRYPTION_KEY"),
        "{}",
        stderr(&without)
    );
    let listed = stdout(&cowork.run_with(&["keys", "list"], &key));
    assert_eq!(listed.lines().count(), 1, "{listed}");
    let short = cowork.run_with(
        &["keys", "list"],
        &[("COWORK_KEY_ENCRYPTION_KEY", "c2hvcnQ=")],
    );
    assert!(!short.status.success(), "a 5-byte key is rejected");
    assert!(
        stderr(&short).contains("COWORK_KEY_ENCRYPTION_KEY"),
        "{}",
        stderr(&short)
    );
}

#[test]
fn platform_invite_prints_stored_link() {
    let cowork = Cowork::new();
    let output = cowork.run(&[
        "platform",
        "invite",
        "--valid-hours",
        "2",
        "--public-url",
        "https://cowork.example.edu",
    ]);
    assert!(
        output.status.success(),
        "invite failed: {}",
        stderr(&output)
    );
    let link = stdout(&output).trim().to_string();
    let token = link
        .strip_prefix("https://cowork.example.edu/lti/register/")
        .unwrap_or_else(|| panic!("unexpected link {link:?}"));
    assert!(token.len() >= 32, "token {token:?} is too short to guess");
    assert!(
        stderr(&output).contains("Add LTI Advantage"),
        "{}",
        stderr(&output)
    );

    let database = format!(
        "sqlite://{}",
        cowork.dir.path().join("from-env.db").display()
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let claim = runtime.block_on(async {
        let store = cowork::store::connect(&database).await.unwrap();
        let digest = cowork::web::register::invite_digest(token);
        store
            .claim_invite(&digest, cowork::unix_now())
            .await
            .unwrap()
    });
    assert_eq!(claim, cowork::store::registration::InviteClaim::Claimed);
}

#[test]
fn platform_invite_rejects_bad_validity() {
    let cowork = Cowork::new();
    let output = cowork.run(&["platform", "invite", "--valid-hours", "0"]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("--valid-hours 0"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_logs_one_object_per_line() {
    let cowork = Cowork::new();
    let database = format!("sqlite://{}", cowork.dir.path().join("json.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_cowork"))
        .args(["keys", "rotate"])
        .env("COWORK_DATABASE_URL", database)
        .env("COWORK_LOG", "sqlx=debug")
        .env("COWORK_LOG_FORMAT", "json")
        .env_remove("COWORK_CONFIG")
        .current_dir(cowork.dir.path())
        .output()
        .expect("run cowork");
    assert!(output.status.success(), "{}", stderr(&output));
    let logs = stderr(&output);
    let lines: Vec<&str> = logs.lines().filter(|line| !line.is_empty()).collect();
    assert!(!lines.is_empty(), "the migrations log their statements");
    for line in lines {
        let entry: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|error| panic!("not JSON ({error}): {line}"));
        assert_eq!(entry["level"], "DEBUG", "{line}");
        assert!(entry["timestamp"].is_string(), "{line}");
        assert!(
            entry["target"].as_str().unwrap().starts_with("sqlx"),
            "{line}"
        );
    }
}

#[test]
fn unknown_log_format_rejected() {
    let cowork = Cowork::new();
    let output = Command::new(env!("CARGO_BIN_EXE_cowork"))
        .args(["keys", "rotate"])
        .env("COWORK_LOG_FORMAT", "xml")
        .current_dir(cowork.dir.path())
        .output()
        .expect("run cowork");
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("COWORK_LOG_FORMAT is \"xml\"; set it to text or json"),
        "{message}"
    );
}

/// Writes one launch of `subject` at the Moodle issuer, with a chat message, to the
/// database the commands use, and returns the space id.
async fn seed_person(cowork: &Cowork, subject: &str) -> i64 {
    let database = format!(
        "sqlite://{}",
        cowork.dir.path().join("from-env.db").display()
    );
    let store = cowork::store::connect(&database).await.unwrap();
    let now = cowork::unix_now();
    let launch = cowork::store::LaunchRecord {
        issuer: MOODLE[1].into(),
        deployment_id: "1".into(),
        context_id: "course-1".into(),
        context_title: Some("Course".into()),
        context_label: None,
        resource_link_id: "link-1".into(),
        resource_link_title: None,
        space_id: None,
        user: Some(cowork::store::LaunchUser {
            subject: subject.into(),
            name: Some("Vera Seeded".into()),
            given_name: None,
            family_name: None,
        }),
        role: "student".into(),
        session_id: cowork::random_token(18),
        locale: None,
        return_url: None,
        document_target: None,
        platform_origin: MOODLE[1].into(),
        session_expires_at: now + 3600,
    };
    let space_id = store.record_launch(&launch, now).await.unwrap();
    let person = store
        .person_by_subject(MOODLE[1], subject)
        .await
        .unwrap()
        .unwrap();
    let names = cowork::store::chat::DefaultRoomNames {
        open_space: "Open space".into(),
        quiet_zone: "Quiet zone".into(),
    };
    store
        .ensure_default_rooms(space_id, &names, now)
        .await
        .unwrap();
    let rooms = store.rooms(space_id, true).await.unwrap();
    let message = cowork::store::chat::NewMessage {
        space_id,
        room_id: rooms[0].id,
        author_id: person.id,
        parent_id: None,
        parent_author_id: None,
        stance: None,
        body: "Seeded chat text".into(),
        body_html: "<p>Seeded chat text</p>".into(),
        mentions: Vec::new(),
    };
    store.post_message(&message, now).await.unwrap().unwrap();
    store.close().await;
    space_id
}

#[tokio::test]
async fn privacy_export_and_erase() {
    let cowork = Cowork::new();
    let added = cowork.run(&add_args(&[]));
    assert!(added.status.success(), "{}", stderr(&added));
    let space_id = seed_person(&cowork, "42").await;
    let person = ["--platform", MOODLE[1], "--user", "42"];

    let unknown = cowork.run(&["privacy", "export", "--platform", MOODLE[1], "--user", "43"]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains("no person with user id \"43\""),
        "{}",
        stderr(&unknown)
    );
    let wrong_platform = cowork.run(&[
        "privacy",
        "export",
        "--platform",
        "https://other.example.edu",
        "--user",
        "42",
    ]);
    assert!(
        stderr(&wrong_platform).contains("no platform with issuer"),
        "{}",
        stderr(&wrong_platform)
    );

    let mut export = vec!["privacy", "export"];
    export.extend(person);
    let exported = cowork.run(&export);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let document: serde_json::Value = serde_json::from_slice(&exported.stdout).unwrap();
    assert_eq!(document["person"]["name"], "Vera Seeded");
    assert_eq!(document["scope"], "every space");
    let text = document["tables"]["messages"]["rows"][0]["body"].clone();
    assert_eq!(text, "Seeded chat text");

    let mut erase = vec!["privacy", "erase"];
    erase.extend(person);
    let refused = cowork.run(&erase);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--confirm"),
        "{}",
        stderr(&refused)
    );
    let still = cowork.run(&export);
    assert!(
        still.status.success(),
        "nothing was erased without --confirm"
    );

    erase.push("--confirm");
    let erased = cowork.run(&erase);
    assert!(erased.status.success(), "{}", stderr(&erased));
    assert!(
        stdout(&erased).contains(&format!("space {space_id}: erased")),
        "{}",
        stdout(&erased)
    );
    let gone = cowork.run(&export);
    assert!(!gone.status.success(), "the person no longer exists");
    assert!(stderr(&gone).contains("no person"), "{}", stderr(&gone));
}
