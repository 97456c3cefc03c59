//! Translations with Fluent: English and Russian, chosen from the launch's
//! `launch_presentation.locale`, with English as the fallback for any missing language
//! or message. Russian plural forms come from Fluent's CLDR plural rules.
//!
//! Texts built before the language is known, such as error details, are kept as a
//! [`Msg`] and translated when the response is written.
//!
//! The `.ftl` files under `locales/` are compiled into the binary.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// The languages cowork speaks; the first is the fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    /// Picks the language for a BCP 47 or POSIX locale such as `ru`, `ru-RU` or `ru_RU`.
    pub fn from_locale(locale: Option<&str>) -> Lang {
        let primary = locale
            .unwrap_or("")
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Lang::Ru,
            _ => Lang::En,
        }
    }

    /// Picks the language a client prefers most from an `Accept-Language` header value,
    /// such as `ru-RU,ru;q=0.9,en;q=0.8`. Returns `None` when it names no language that
    /// cowork speaks.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut ranges: Vec<(f32, Lang)> = Vec::new();
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let quality = parts
                .filter_map(|parameter| parameter.trim().strip_prefix("q="))
                .find_map(|value| value.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if tag.is_empty() || tag == "*" || quality <= 0.0 {
                continue;
            }
            let lang = Lang::from_locale(Some(tag));
            let primary = tag.split(['-', '_']).next().unwrap_or("");
            if primary.eq_ignore_ascii_case(lang.code()) {
                ranges.push((quality, lang));
            }
        }
        // A stable sort keeps the header's order among ranges of equal quality.
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranges.first().map(|(_, lang)| *lang)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }
}

/// Translation files per language, in the order they are loaded.
const SOURCES: &[(Lang, &[&str])] = &[
    (
        Lang::En,
        &[
            include_str!("../locales/en/main.ftl"),
            include_str!("../locales/en/help.ftl"),
            include_str!("../locales/en/showcase.ftl"),
            include_str!("../locales/en/focus.ftl"),
            include_str!("../locales/en/partners.ftl"),
            include_str!("../locales/en/events.ftl"),
            include_str!("../locales/en/manage.ftl"),
            include_str!("../locales/en/privacy.ftl"),
            include_str!("../locales/en/grades.ftl"),
            include_str!("../locales/en/chat.ftl"),
            include_str!("../locales/en/roster.ftl"),
            include_str!("../locales/en/deep_link.ftl"),
            include_str!("../locales/en/questionnaires.ftl"),
            include_str!("../locales/en/export.ftl"),
            include_str!("../locales/en/dashboard.ftl"),
            include_str!("../locales/en/errors.ftl"),
        ],
    ),
    (
        Lang::Ru,
        &[
            include_str!("../locales/ru/main.ftl"),
            include_str!("../locales/ru/help.ftl"),
            include_str!("../locales/ru/showcase.ftl"),
            include_str!("../locales/ru/focus.ftl"),
            include_str!("../locales/ru/partners.ftl"),
            include_str!("../locales/ru/events.ftl"),
            include_str!("../locales/ru/manage.ftl"),
            include_str!("../locales/ru/privacy.ftl"),
            include_str!("../locales/ru/grades.ftl"),
            include_str!("../locales/ru/chat.ftl"),
            include_str!("../locales/ru/roster.ftl"),
            include_str!("../locales/ru/deep_link.ftl"),
            include_str!("../locales/ru/questionnaires.ftl"),
            include_str!("../locales/ru/export.ftl"),
            include_str!("../locales/ru/dashboard.ftl"),
            include_str!("../locales/ru/errors.ftl"),
        ],
    ),
];

struct Catalog {
    bundles: Vec<(Lang, FluentBundle<FluentResource>)>,
    /// Ids of the messages that the page scripts use (those starting with `js-`).
    script_ids: Vec<String>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut bundles = Vec::new();
        let mut script_ids = Vec::new();
        for (lang, sources) in SOURCES {
            let language: LanguageIdentifier = lang.code().parse().expect("valid language code");
            let mut bundle = FluentBundle::new_concurrent(vec![language]);
            // Unicode isolation marks would show up in titles and in attribute values.
            bundle.set_use_isolating(false);
            for source in *sources {
                let resource =
                    FluentResource::try_new(source.to_string()).unwrap_or_else(|(_, errors)| {
                        panic!("invalid {} translations: {errors:?}", lang.code())
                    });
                bundle.add_resource(resource).unwrap_or_else(|errors| {
                    panic!("duplicate {} messages: {errors:?}", lang.code())
                });
                if *lang == Lang::En {
                    script_ids.extend(message_ids(source).filter(|id| id.starts_with("js-")));
                }
            }
            bundles.push((*lang, bundle));
        }
        Catalog {
            bundles,
            script_ids,
        }
    })
}

impl Catalog {
    fn bundle(&self, lang: Lang) -> Option<&FluentBundle<FluentResource>> {
        self.bundles
            .iter()
            .find(|(bundle_lang, _)| *bundle_lang == lang)
            .map(|(_, bundle)| bundle)
    }
}

/// Ids of the messages defined in a Fluent source, in order.
fn message_ids(source: &str) -> impl Iterator<Item = String> + '_ {
    source
        .lines()
        .filter(|line| !line.starts_with([' ', '#', '\t', '*', '[', '}']) && !line.is_empty())
        .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim().to_string()))
}

/// Translates messages into one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    pub fn for_locale(locale: Option<&str>) -> Self {
        Self::new(Lang::from_locale(locale))
    }

    /// Returns the language code for `<html lang>`.
    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// Translates the message `id`.
    pub fn t(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// Translates the message `id` with one argument, for example a name or a count.
    pub fn t1(&self, id: &str, name: &str, value: impl Into<Arg>) -> String {
        let mut args = FluentArgs::new();
        args.set(name, value.into().to_fluent(self));
        self.format(id, Some(&args))
    }

    /// Translates a message built before the language was known. Arguments that are
    /// messages themselves are translated first.
    pub fn message(&self, message: &Msg) -> String {
        self.format(message.id, Some(&message.fluent_args(self)))
    }

    /// Translates `message` in this language only, without the English fallback, and
    /// returns the error when the message is missing or fails to format, for example
    /// because it uses a variable that `message` lacks.
    pub fn try_message(&self, message: &Msg) -> Result<String, String> {
        let bundle = catalog()
            .bundle(self.lang)
            .ok_or_else(|| format!("no {} translations", self.code()))?;
        let pattern = bundle
            .get_message(message.id)
            .and_then(|found| found.value())
            .ok_or_else(|| format!("no {} message {}", self.code(), message.id))?;
        let mut errors = Vec::new();
        let args = message.fluent_args(self);
        let text = bundle.format_pattern(pattern, Some(&args), &mut errors);
        if errors.is_empty() {
            Ok(text.into_owned())
        } else {
            Err(format!(
                "{} message {} failed to format: {errors:?}",
                self.code(),
                message.id
            ))
        }
    }

    /// Translates the message `id` with several text arguments.
    pub fn with_args(&self, id: &str, args: &[(&str, String)]) -> String {
        if args.is_empty() {
            return self.t(id);
        }
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(value.clone()));
        }
        self.format(id, Some(&fluent_args))
    }

    /// Translates the message `id` with a `count` argument, for plural forms.
    pub fn count(&self, id: &str, count: i64) -> String {
        self.t1(id, "count", count)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs>) -> String {
        let catalog = catalog();
        let order = [self.lang, Lang::En];
        for lang in order {
            let Some(bundle) = catalog.bundle(lang) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
                continue;
            };
            let mut errors = Vec::new();
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if !errors.is_empty() {
                tracing::warn!(
                    id,
                    lang = lang.code(),
                    ?errors,
                    "translation formatting failed"
                );
            }
            return text.into_owned();
        }
        tracing::warn!(id, "missing translation");
        id.to_string()
    }

    /// Returns every `js-` message, translated, as JSON for a `<script type="application/json">`
    /// element. `<` is escaped so the text cannot close the element.
    pub fn script_strings(&self) -> String {
        let strings: BTreeMap<&str, String> = catalog()
            .script_ids
            .iter()
            .map(|id| (id.as_str(), self.t(id)))
            .collect();
        serde_json::to_string(&strings)
            .expect("strings serialize")
            .replace('<', "\\u003c")
    }
}

/// A Fluent argument value. Text and whole numbers are passed as they are, and a
/// [`Msg`] is translated into the language of the message that contains it.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Number(i64),
    Message(Box<Msg>),
}

impl Arg {
    fn to_fluent(&self, tr: &Tr) -> FluentValue<'static> {
        match self {
            Arg::Text(text) => FluentValue::from(text.clone()),
            Arg::Number(number) => FluentValue::from(*number),
            Arg::Message(message) => FluentValue::from(tr.message(message)),
        }
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Number(value)
    }
}

impl From<i32> for Arg {
    fn from(value: i32) -> Self {
        Arg::Number(i64::from(value))
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Arg::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<u64> for Arg {
    fn from(value: u64) -> Self {
        Arg::Number(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

/// A fraction is passed as text, as Rust prints it, such as `1.5`.
impl From<f64> for Arg {
    fn from(value: f64) -> Self {
        Arg::Text(value.to_string())
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_string())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(value.clone())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<Msg> for Arg {
    fn from(value: Msg) -> Self {
        Arg::Message(Box::new(value))
    }
}

/// A person-facing text whose language is chosen later: the id of a Fluent message and
/// its arguments. Its `Display` is the English text, for logs.
#[derive(Debug, Clone, PartialEq)]
pub struct Msg {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

impl Msg {
    pub fn new(id: &'static str) -> Self {
        Self {
            id,
            args: Vec::new(),
        }
    }

    /// Adds the argument `$name`.
    pub fn arg(mut self, name: &'static str, value: impl Into<Arg>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    fn fluent_args(&self, tr: &Tr) -> FluentArgs<'static> {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            args.set(*name, value.to_fluent(tr));
        }
        args
    }
}

impl From<&'static str> for Msg {
    fn from(id: &'static str) -> Self {
        Msg::new(id)
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&Tr::new(Lang::En).message(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_codes_mapped() {
        assert_eq!(Lang::from_locale(Some("ru")), Lang::Ru);
        assert_eq!(Lang::from_locale(Some("ru-RU")), Lang::Ru);
        assert_eq!(Lang::from_locale(Some("ru_RU")), Lang::Ru);
        assert_eq!(Lang::from_locale(Some("RU")), Lang::Ru);
        assert_eq!(Lang::from_locale(Some("en")), Lang::En);
        assert_eq!(Lang::from_locale(Some("de")), Lang::En, "fallback");
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn accept_language_picks_preferred() {
        let pick = Lang::from_accept_language;
        assert_eq!(pick("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), Some(Lang::Ru));
        assert_eq!(pick("en-GB,en;q=0.9,ru;q=0.8"), Some(Lang::En));
        assert_eq!(
            pick("de-DE,ru;q=0.5,en;q=0.3"),
            Some(Lang::Ru),
            "unknown skipped"
        );
        assert_eq!(pick("en;q=0.2, ru;q=0.7"), Some(Lang::Ru), "quality wins");
        assert_eq!(pick("ru;q=0, en"), Some(Lang::En), "q=0 excluded");
        assert_eq!(pick("de, fr;q=0.9"), None);
        assert_eq!(pick("*"), None);
        assert_eq!(pick(""), None);
    }

    #[test]
    fn message_translated_with_nested_message() {
        let message = Msg::new("error-invalid").arg("reason", Msg::new("error-events-over"));
        assert_eq!(
            Tr::new(Lang::Ru).message(&message),
            "Запрос некорректен: событие отменено или уже прошло."
        );
        assert_eq!(
            message.to_string(),
            "The request is invalid: the event is cancelled or over."
        );
    }

    #[test]
    fn try_message_reports_missing_variable() {
        let error = Tr::new(Lang::Ru)
            .try_message(&Msg::new("error-invalid"))
            .unwrap_err();
        assert!(error.contains("error-invalid"), "{error}");
        assert!(Tr::new(Lang::En)
            .try_message(&Msg::new("error-no-such-message"))
            .is_err());
    }

    #[test]
    fn russian_plural_forms() {
        let ru = Tr::new(Lang::Ru);
        assert_eq!(ru.count("minutes-ago", 1), "1 минуту назад");
        assert_eq!(ru.count("minutes-ago", 2), "2 минуты назад");
        assert_eq!(ru.count("minutes-ago", 5), "5 минут назад");
        assert_eq!(ru.count("minutes-ago", 11), "11 минут назад");
        assert_eq!(ru.count("minutes-ago", 21), "21 минуту назад");
        assert_eq!(ru.count("minutes-ago", 22), "22 минуты назад");
    }

    #[test]
    fn english_plural_forms() {
        let en = Tr::new(Lang::En);
        assert_eq!(en.count("minutes-ago", 1), "1 minute ago");
        assert_eq!(en.count("minutes-ago", 2), "2 minutes ago");
    }

    #[test]
    fn every_english_message_translated() {
        let ids = |sources: &[&str]| -> Vec<String> {
            sources
                .iter()
                .flat_map(|source| message_ids(source))
                .collect()
        };
        let english = ids(SOURCES[0].1);
        let russian = ids(SOURCES[1].1);
        assert!(english.len() > 10, "the catalogue was read: {english:?}");
        let missing: Vec<&String> = english.iter().filter(|id| !russian.contains(id)).collect();
        assert!(
            missing.is_empty(),
            "messages without Russian text: {missing:?}"
        );
        let extra: Vec<&String> = russian.iter().filter(|id| !english.contains(id)).collect();
        assert!(
            extra.is_empty(),
            "Russian messages without English text: {extra:?}"
        );
    }

    #[test]
    fn script_strings_cannot_close_element() {
        let json = Tr::new(Lang::En).script_strings();
        assert!(!json.contains('<'), "{json}");
        let parsed: BTreeMap<String, String> = serde_json::from_str(&json).unwrap();
        assert!(parsed.keys().all(|id| id.starts_with("js-")));
    }

    #[test]
    fn script_strings_format_without_errors() {
        let catalog = catalog();
        for lang in [Lang::En, Lang::Ru] {
            let bundle = catalog.bundle(lang).expect("both languages load");
            for id in &catalog.script_ids {
                let Some(pattern) = bundle.get_message(id).and_then(|message| message.value())
                else {
                    continue;
                };
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, None, &mut errors);
                assert!(errors.is_empty(), "{lang:?} {id}: {errors:?} in {text}");
            }
            let strings: BTreeMap<String, String> =
                serde_json::from_str(&Tr::new(lang).script_strings()).unwrap();
            let confirm = &strings["js-privacy-confirm"];
            assert!(confirm.contains("{name}"), "{lang:?}: {confirm}");
        }
    }
}
