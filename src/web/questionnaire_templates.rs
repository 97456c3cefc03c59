//! Ready-made questionnaires in English and Russian: a coworking satisfaction survey
//! and a communication climate survey. A teacher creates a draft from one and may edit
//! it before opening it.

use crate::i18n::Lang;
use crate::store::questionnaires::NewItem;

/// Template ids, as the create-from-template request names them.
pub const TEMPLATE_IDS: [&str; 2] = ["coworking-satisfaction", "communication-climate"];

/// A template in one language.
pub struct Template {
    pub title: &'static str,
    pub description: &'static str,
    pub items: Vec<NewItem>,
}

fn item(kind: &str, prompt: &str, scale: Option<&str>, options: &[&str]) -> NewItem {
    NewItem {
        kind: kind.into(),
        prompt: prompt.into(),
        scale: scale.map(str::to_string),
        options: options.iter().map(|option| option.to_string()).collect(),
    }
}

/// Returns the template `id` in `lang`, or `None` for an unknown id.
pub fn template(id: &str, lang: Lang) -> Option<Template> {
    match (id, lang) {
        ("coworking-satisfaction", Lang::En) => Some(Template {
            title: "Coworking space satisfaction",
            description: "How well does the coworking space of this course work for you?",
            items: vec![
                item(
                    "satisfaction",
                    "Overall, how satisfied are you with the coworking space?",
                    None,
                    &[],
                ),
                item(
                    "likert5",
                    "I find people to work with here.",
                    Some("community"),
                    &[],
                ),
                item(
                    "likert5",
                    "I get help when I ask for it.",
                    Some("community"),
                    &[],
                ),
                item(
                    "likert5",
                    "I can concentrate in the quiet zone.",
                    Some("workspace"),
                    &[],
                ),
                item(
                    "likert5",
                    "The rooms are easy to find and use.",
                    Some("workspace"),
                    &[],
                ),
                item(
                    "single",
                    "How often do you come to the space?",
                    None,
                    &[
                        "Every day",
                        "A few times a week",
                        "Once a week",
                        "Less often",
                    ],
                ),
                item(
                    "multiple",
                    "What do you use the space for?",
                    None,
                    &[
                        "Team work",
                        "Asking for help",
                        "Helping others",
                        "Focus sessions",
                        "Events",
                    ],
                ),
                item(
                    "nps",
                    "How likely are you to recommend the coworking space to another student?",
                    None,
                    &[],
                ),
                item("text", "What should we change?", None, &[]),
            ],
        }),
        ("coworking-satisfaction", Lang::Ru) => Some(Template {
            title: "Удовлетворённость коворкингом",
            description: "Насколько коворкинг этого курса подходит вам для работы?",
            items: vec![
                item(
                    "satisfaction",
                    "Насколько вы в целом удовлетворены коворкингом?",
                    None,
                    &[],
                ),
                item(
                    "likert5",
                    "Здесь я нахожу, с кем работать.",
                    Some("community"),
                    &[],
                ),
                item(
                    "likert5",
                    "Когда я прошу о помощи, мне помогают.",
                    Some("community"),
                    &[],
                ),
                item(
                    "likert5",
                    "В тихой зоне я могу сосредоточиться.",
                    Some("workspace"),
                    &[],
                ),
                item(
                    "likert5",
                    "Комнатами легко пользоваться.",
                    Some("workspace"),
                    &[],
                ),
                item(
                    "single",
                    "Как часто вы приходите в коворкинг?",
                    None,
                    &[
                        "Каждый день",
                        "Несколько раз в неделю",
                        "Раз в неделю",
                        "Реже",
                    ],
                ),
                item(
                    "multiple",
                    "Для чего вы пользуетесь коворкингом?",
                    None,
                    &[
                        "Командная работа",
                        "Просить о помощи",
                        "Помогать другим",
                        "Сессии фокуса",
                        "События",
                    ],
                ),
                item(
                    "nps",
                    "Насколько вероятно, что вы порекомендуете коворкинг другому студенту?",
                    None,
                    &[],
                ),
                item("text", "Что нам стоит изменить?", None, &[]),
            ],
        }),
        ("communication-climate", Lang::En) => Some(Template {
            title: "Communication climate",
            description: "How do people in this course talk and work with each other?",
            items: vec![
                item(
                    "likert5",
                    "I can say what I think without fear.",
                    Some("openness"),
                    &[],
                ),
                item(
                    "likert5",
                    "Others listen when I speak.",
                    Some("openness"),
                    &[],
                ),
                item(
                    "likert5",
                    "Disagreements are discussed calmly.",
                    Some("openness"),
                    &[],
                ),
                item("likert5", "I trust my classmates.", Some("trust"), &[]),
                item("likert5", "Teachers are easy to reach.", Some("trust"), &[]),
                item(
                    "likert5",
                    "I feel part of the group.",
                    Some("belonging"),
                    &[],
                ),
                item(
                    "satisfaction",
                    "How satisfied are you with communication in the course?",
                    None,
                    &[],
                ),
                item("text", "What would make communication better?", None, &[]),
            ],
        }),
        ("communication-climate", Lang::Ru) => Some(Template {
            title: "Коммуникативный климат",
            description: "Как участники курса общаются и работают друг с другом?",
            items: vec![
                item(
                    "likert5",
                    "Я могу говорить, что думаю, без опасений.",
                    Some("openness"),
                    &[],
                ),
                item(
                    "likert5",
                    "Когда я говорю, меня слушают.",
                    Some("openness"),
                    &[],
                ),
                item(
                    "likert5",
                    "Разногласия обсуждаются спокойно.",
                    Some("openness"),
                    &[],
                ),
                item("likert5", "Я доверяю однокурсникам.", Some("trust"), &[]),
                item(
                    "likert5",
                    "К преподавателям легко обратиться.",
                    Some("trust"),
                    &[],
                ),
                item(
                    "likert5",
                    "Я чувствую себя частью группы.",
                    Some("belonging"),
                    &[],
                ),
                item(
                    "satisfaction",
                    "Насколько вы удовлетворены общением на курсе?",
                    None,
                    &[],
                ),
                item("text", "Что сделало бы общение лучше?", None, &[]),
            ],
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::questionnaires::ITEM_KINDS;

    #[test]
    fn every_template_in_both_languages() {
        for id in TEMPLATE_IDS {
            let english = template(id, Lang::En).expect("English template");
            let russian = template(id, Lang::Ru).expect("Russian template");
            assert_eq!(english.items.len(), russian.items.len(), "{id}");
            for (en, ru) in english.items.iter().zip(&russian.items) {
                assert_eq!(en.kind, ru.kind, "{id}: {}", en.prompt);
                assert_eq!(en.scale, ru.scale, "{id}: {}", en.prompt);
                assert_eq!(en.options.len(), ru.options.len(), "{id}: {}", en.prompt);
                assert!(ITEM_KINDS.contains(&en.kind.as_str()), "{}", en.kind);
            }
        }
    }
}
