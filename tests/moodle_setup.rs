//! `moodle-setup/register_cowork.php`, run by PHP against `tests/moodle_double`: a stand-in
//! for a Moodle 4.2 site with its constants, its `lti_add_type` storage rules and its CLI
//! helpers. The tool it stores is compared with the manually configured tool that the
//! recorded Moodle 4.2 site stored.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::moodle::fixture;
use serde_json::Value;

const COWORK_URL: &str = "https://cowork.example.edu";

/// Finds the `php` command. Without PHP the tests fail with an install hint, unless
/// `COWORK_SKIP_PHP_TESTS=1` is set.
fn php() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("php"))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        let hint = "no `php` on PATH: install Debian's php-cli (.ci/run does)";
        if std::env::var("COWORK_SKIP_PHP_TESTS").as_deref() == Ok("1") {
            eprintln!("skipping: {hint}");
        } else {
            panic!("{hint}, or set COWORK_SKIP_PHP_TESTS=1 to skip these tests");
        }
    }
    found
}

struct Site {
    php: PathBuf,
    database: PathBuf,
    _dir: tempfile::TempDir,
}

impl Site {
    fn new(php: PathBuf) -> Site {
        let dir = tempfile::tempdir().unwrap();
        Site {
            php,
            database: dir.path().join("moodle.json"),
            _dir: dir,
        }
    }

    fn run(&self, arguments: &[&str]) -> Output {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Command::new(&self.php)
            .arg(root.join("moodle-setup/register_cowork.php"))
            .arg(format!(
                "--moodle={}",
                root.join("tests/moodle_double").display()
            ))
            .args(arguments)
            .env("COWORK_MOODLE_DOUBLE_DB", &self.database)
            .output()
            .expect("php runs")
    }

    fn tables(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.database).unwrap()).unwrap()
    }

    /// Returns the stored configuration of tool type `id`, by name.
    fn config(&self, id: &str) -> std::collections::BTreeMap<String, String> {
        self.tables()["lti_types_config"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|row| row["typeid"] == id)
            .map(|row| {
                (
                    row["name"].as_str().unwrap().to_string(),
                    row["value"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn stores_the_recorded_tool_settings() {
    let Some(php) = php() else { return };
    let site = Site::new(php);
    let output = site.run(&[&format!("--url={COWORK_URL}/")]);
    assert!(output.status.success(), "{}", text(&output.stderr));

    let tables = site.tables();
    let tool = &tables["lti_types"][0];
    assert_eq!(tool["baseurl"], format!("{COWORK_URL}/lti/launch"));
    assert_eq!(tool["ltiversion"], "1.3.0");
    assert_eq!(tool["state"], "1", "the tool is active");
    assert_eq!(tool["coursevisible"], "2", "shown in the activity chooser");
    let client_id = tool["clientid"].as_str().unwrap();
    assert_eq!(client_id.len(), 15);

    // Every setting the recorded site stored for its manual tool is set, under the same
    // name, apart from the organisation fields it left empty.
    let recorded = fixture("tool-config-manual.json");
    let recorded: BTreeSet<String> = recorded["moodle_db"]["lti_types_config"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|name| !["organizationid", "organizationurl"].contains(&name.as_str()))
        .cloned()
        .collect();
    let config = site.config("1");
    let stored: BTreeSet<String> = config.keys().cloned().collect();
    assert_eq!(stored, recorded);

    let launch = format!("{COWORK_URL}/lti/launch");
    let expected = [
        ("keytype", "JWK_KEYSET"),
        (
            "publickeyset",
            "https://cowork.example.edu/.well-known/jwks.json",
        ),
        ("initiatelogin", "https://cowork.example.edu/lti/login"),
        ("redirectionuris", launch.as_str()),
        ("contentitem", "1"),
        ("toolurl_ContentItemSelectionRequest", launch.as_str()),
        ("launchcontainer", "3"),
        ("sendname", "1"),
        ("sendemailaddr", "0"),
        ("acceptgrades", "2"),
        ("ltiservice_gradesynchronization", "2"),
        ("ltiservice_memberships", "1"),
        ("ltiservice_toolsettings", "0"),
    ];
    for (name, value) in expected {
        assert_eq!(config[name], value, "{name}");
    }

    let printed = text(&output.stdout);
    assert!(
        printed.contains(&format!("--client-id '{client_id}'")),
        "{printed}"
    );
    assert!(printed.contains("--deployment-id '1'"), "{printed}");
    assert!(
        printed.contains("--issuer 'https://moodle.example.edu'"),
        "{printed}"
    );
}

#[test]
fn second_tool_needs_allow_duplicate() {
    let Some(php) = php() else { return };
    let site = Site::new(php);
    assert!(site.run(&[&format!("--url={COWORK_URL}")]).status.success());

    let again = site.run(&[&format!("--url={COWORK_URL}")]);
    assert_eq!(again.status.code(), Some(1));
    assert!(text(&again.stderr).contains("already exists"));
    assert_eq!(site.tables()["lti_types"].as_array().unwrap().len(), 1);

    let window = site.run(&[
        &format!("--url={COWORK_URL}"),
        "--allow-duplicate",
        "--container=window",
        "--name=cowork (new window)",
    ]);
    assert!(window.status.success(), "{}", text(&window.stderr));
    assert_eq!(site.config("2")["launchcontainer"], "4");
    assert_eq!(site.tables()["lti_types"][1]["name"], "cowork (new window)");
}

#[test]
fn rejects_bad_options() {
    let Some(php) = php() else { return };
    let site = Site::new(php);
    let cases: [(&[&str], &str); 5] = [
        (&[], "--url must be"),
        (&["--url=https://cowork.example.edu/tool"], "without a path"),
        (&["--url=ftp://cowork.example.edu"], "--url must be"),
        (
            &["--url=https://cowork.example.edu", "--container=popup"],
            "--container must be",
        ),
        (
            &["--url=https://cowork.example.edu", "--colour=blue"],
            "unknown option",
        ),
    ];
    for (arguments, message) in cases {
        let output = site.run(arguments);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(message), "{arguments:?}: {stderr}");
    }
    let stored = site.tables()["lti_types"].as_array().unwrap().len();
    assert_eq!(stored, 0, "nothing was stored");

    let no_site = Command::new(&site.php)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("moodle-setup/register_cowork.php"))
        .arg("--moodle=/nonexistent")
        .output()
        .unwrap();
    assert_eq!(no_site.status.code(), Some(2));
    assert!(text(&no_site.stderr).contains("no readable config.php"));
}
