//! The error messages of `locales/*/errors.ftl` against the code that uses them. The
//! message ids and their arguments are read from the source: every literal that starts
//! with `"error-`, followed by the `.arg("name", ...)` calls chained onto the `Msg` that
//! contains it, outside unit tests. Each id must exist in English and Russian, each message must format without
//! errors with the arguments the code passes, and each message must be used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cowork::i18n::{Arg, Lang, Msg, Tr};

/// One use of a message id in the source.
#[derive(Debug)]
struct Use {
    id: String,
    args: BTreeSet<String>,
    place: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_under(dir: &Path, extension: &str, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, extension, found);
        } else if path.extension().is_some_and(|e| e == extension) {
            found.push(path);
        }
    }
}

/// Returns the string literal that starts at `at` (a `"`) and the index after it.
fn literal_at(text: &str, at: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return None;
    }
    let mut end = at + 1;
    while end < bytes.len() && bytes[end] != b'"' {
        if bytes[end] == b'\\' {
            end += 1;
        }
        end += 1;
    }
    Some((text[at + 1..end].to_string(), end + 1))
}

fn skip_space(text: &str, mut at: usize) -> usize {
    while text[at..].starts_with(char::is_whitespace) {
        at += text[at..].chars().next().unwrap().len_utf8();
    }
    at
}

/// Returns the index after the `)` that closes the call whose `(` ends before `at`,
/// skipping string literals.
fn after_call(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    let mut depth = 1;
    while at < bytes.len() && depth > 0 {
        match bytes[at] {
            b'"' => {
                at = literal_at(text, at).map(|(_, end)| end).unwrap_or(at + 1);
                continue;
            }
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ => {}
        }
        at += 1;
    }
    at
}

/// Collects the `.arg("name", ...)` names chained after the literal that ends at `at`. The
/// literal must close its call directly, as in `Msg::new("error-x")`, for arguments to
/// follow.
fn chained_args(text: &str, at: usize) -> BTreeSet<String> {
    let mut args = BTreeSet::new();
    let mut at = skip_space(text, at);
    if !text[at..].starts_with(')') {
        return args;
    }
    at = skip_space(text, at + 1);
    while text[at..].starts_with(".arg(") {
        let name_at = skip_space(text, at + ".arg(".len());
        let (name, after_name) = literal_at(text, name_at).expect("argument name literal");
        args.insert(name);
        at = skip_space(text, after_call(text, after_name));
    }
    args
}

/// Finds the uses in one file before its unit tests, because those pass wrong arguments
/// on purpose.
fn uses_in(path: &Path) -> Vec<Use> {
    let mut text = std::fs::read_to_string(path).unwrap();
    if let Some(tests_at) = text.find("\n#[cfg(test)]") {
        text.truncate(tests_at);
    }
    let relative = path.strip_prefix(root()).unwrap().display().to_string();
    let mut uses = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find("\"error-") {
        let at = from + offset;
        let (id, end) = literal_at(&text, at).unwrap();
        let line = text[..at].lines().count();
        uses.push(Use {
            id,
            args: chained_args(&text, end),
            place: format!("{relative}:{line}"),
        });
        from = end;
    }
    uses
}

/// Finds every use of an error message id in `src/` and `templates/`.
fn uses() -> Vec<Use> {
    let mut files = Vec::new();
    files_under(&root().join("src"), "rs", &mut files);
    files_under(&root().join("templates"), "html", &mut files);
    files.iter().flat_map(|path| uses_in(path)).collect()
}

/// Reads the messages of one `errors.ftl`: each id with its source text, continuation
/// lines included.
fn catalog(lang: &str) -> BTreeMap<String, String> {
    let path = root().join("locales").join(lang).join("errors.ftl");
    let text = std::fs::read_to_string(path).unwrap();
    let mut messages: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let starts_message = !line.is_empty()
            && !line.starts_with([' ', '#', '}', '*', '['])
            && line.contains(" = ");
        if starts_message {
            let (id, value) = line.split_once(" = ").unwrap();
            messages.insert(id.to_string(), value.to_string());
            current = Some(id.to_string());
        } else if line.is_empty() || line.starts_with('#') {
            current = None;
        } else if let Some(id) = &current {
            let text = messages.get_mut(id).unwrap();
            text.push('\n');
            text.push_str(line);
        }
    }
    messages
}

/// Returns the `$variables` that a message's text refers to.
fn variables(text: &str) -> BTreeSet<String> {
    text.split('$')
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect()
        })
        .collect()
}

fn leak(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

#[test]
fn source_read_for_ids_and_args() {
    let uses = uses();
    assert!(uses.len() > 200, "only {} uses found", uses.len());
    let focus = uses
        .iter()
        .find(|found| found.id == "error-focus-minutes")
        .expect("the focus minutes check uses its message");
    assert_eq!(focus.args, BTreeSet::from(["minutes".to_string()]));
    let length = uses
        .iter()
        .find(|found| found.id == "error-field-length")
        .expect("the length check uses its message");
    let expected = ["field", "length", "max", "min"].map(String::from);
    assert_eq!(length.args, BTreeSet::from(expected));
}

#[test]
fn every_used_id_in_both_languages() {
    for lang in ["en", "ru"] {
        let messages = catalog(lang);
        let missing: Vec<String> = uses()
            .into_iter()
            .filter(|found| !messages.contains_key(&found.id))
            .map(|found| format!("{} at {}", found.id, found.place))
            .collect();
        assert!(missing.is_empty(), "not in {lang}/errors.ftl: {missing:#?}");
    }
}

#[test]
fn every_message_used() {
    let used: BTreeSet<String> = uses().into_iter().map(|found| found.id).collect();
    for lang in ["en", "ru"] {
        let unused: Vec<String> = catalog(lang)
            .into_keys()
            .filter(|id| !used.contains(id))
            .collect();
        assert!(unused.is_empty(), "unused in {lang}/errors.ftl: {unused:?}");
    }
}

#[test]
fn messages_take_the_arguments_passed() {
    for (lang, code) in [(Lang::En, "en"), (Lang::Ru, "ru")] {
        let messages = catalog(code);
        for found in uses() {
            let Some(text) = messages.get(&found.id) else {
                continue;
            };
            let wanted = variables(text);
            assert_eq!(
                wanted, found.args,
                "{code} message {} refers to other variables than {} passes",
                found.id, found.place
            );
            let samples = [
                Arg::Number(1),
                Arg::Number(3),
                Arg::Number(5),
                Arg::Number(121),
                Arg::Text("\"sample\"".into()),
            ];
            for sample in samples {
                let mut message = Msg::new(leak(&found.id));
                for name in &found.args {
                    message = message.arg(leak(name), sample.clone());
                }
                let formatted = Tr::new(lang).try_message(&message);
                assert!(
                    formatted.is_ok(),
                    "{} at {}: {formatted:?}",
                    found.id,
                    found.place
                );
            }
        }
    }
}

#[test]
fn russian_plural_forms_in_errors() {
    let ru = Tr::new(Lang::Ru);
    let length = |max: i64| {
        ru.message(
            &Msg::new("error-field-length")
                .arg("field", "title")
                .arg("min", 1)
                .arg("max", max)
                .arg("length", 0),
        )
    };
    assert_eq!(
        length(120),
        "поле title должно содержать от 1 до 120 символов, получено: 0"
    );
    assert_eq!(
        length(21),
        "поле title должно содержать от 1 до 21 символа, получено: 0"
    );
    let seconds = |count: i64| ru.message(&Msg::new("error-launch-expired").arg("seconds", count));
    assert_eq!(seconds(1), "срок действия id_token истёк 1 секунду назад");
    assert_eq!(seconds(3), "срок действия id_token истёк 3 секунды назад");
    assert_eq!(seconds(11), "срок действия id_token истёк 11 секунд назад");
    let en = Tr::new(Lang::En);
    let english = en.message(&Msg::new("error-launch-expired").arg("seconds", 1));
    assert_eq!(english, "the id_token expired 1 second ago");
}
