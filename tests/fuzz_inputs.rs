//! Replays the stored fuzz inputs through the same entry points as the fuzz targets:
//! the seeds under `fuzz/seeds/`, made from recorded Moodle traffic, and every input that
//! once crashed a target, kept under `fuzz/regressions/`. Each must run without a panic.

use std::path::Path;

type Entry = fn(&[u8]);

const TARGETS: [(&str, Entry); 6] = [
    ("id_token", cowork::untrusted::id_token),
    ("id_token_claims", cowork::untrusted::id_token_claims),
    (
        "deep_linking_settings",
        cowork::untrusted::deep_linking_settings,
    ),
    ("platform_replies", cowork::untrusted::platform_replies),
    ("chat_markdown", cowork::untrusted::chat_markdown),
    ("socket_frame", cowork::untrusted::socket_frame),
];

/// Runs every file under `fuzz/{kind}/{target}` through `entry` and returns how many ran.
fn replay(kind: &str, target: &str, entry: Entry) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let Ok(files) = std::fs::read_dir(&dir) else {
        return 0;
    };
    let mut count = 0;
    for file in files {
        let path = file.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "{target} panicked on {}", path.display());
        count += 1;
    }
    count
}

#[test]
fn seeds_run_cleanly() {
    for (target, entry) in TARGETS {
        let count = replay("seeds", target, entry);
        assert!(count > 0, "fuzz/seeds/{target} has no inputs");
    }
}

#[test]
fn past_crashes_run_cleanly() {
    for (target, entry) in TARGETS {
        replay("regressions", target, entry);
    }
}

#[test]
fn fuzz_targets_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|file| {
            let name = file.unwrap().file_name().into_string().unwrap();
            name.trim_end_matches(".rs").to_string()
        })
        .collect();
    found.sort();
    let mut listed: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "every fuzz target is replayed here");
}

#[test]
fn message_check_rejects_script() {
    let hostile = [
        "<p><script>alert(1)</script></p>",
        "<p><img src=x onerror=alert(1)></p>",
        "<p onclick=\"alert(1)\">x</p>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"data:text/html,x\">x</a>",
    ];
    for html in hostile {
        let outcome = std::panic::catch_unwind(|| cowork::untrusted::check_message_html(html));
        assert!(outcome.is_err(), "the check must reject {html}");
    }
    let safe =
        "<p>a &lt;script&gt; <a href=\"https://example.edu\" rel=\"nofollow noopener\">x</a></p>";
    cowork::untrusted::check_message_html(safe);
}
