//! Fills the exported tables from what the store loads. Each `*_table` function is pure.
//! The measures come from a [`SpaceReport`], the questionnaires from [`QuestionnaireRows`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::dictionary::{ANSWERS, EDGES, MEMBERS, ROOMS, STUDENTS, WEEKS};
use super::Table;
use crate::analytics::mobility::{StudentMobility, WEEK_SECS};
use crate::analytics::report::SpaceReport;
use crate::store::analytics::{AnalyticsMember, InteractionEdge};
use crate::store::questionnaires::{Item, Questionnaire, ResponseAnswer, StoredResponse};
use crate::store::{DynStore, StoreResult};

/// Returns the mean of one weekly count over the student's weeks, `None` without weeks.
fn weekly_mean(student: &StudentMobility, count: impl Fn(usize) -> usize) -> Option<f64> {
    if student.weeks.is_empty() {
        return None;
    }
    let total: usize = (0..student.weeks.len()).map(count).sum();
    Some(total as f64 / student.weeks.len() as f64)
}

/// Fills the students table. `points` maps user ids to their current points.
pub fn students_table(report: &SpaceReport, points: &HashMap<i64, f64>) -> Table {
    let communication: HashMap<i64, _> = report
        .communication
        .students
        .iter()
        .map(|student| (student.user_id, student))
        .collect();
    let attention: HashMap<i64, _> = report
        .attention
        .iter()
        .map(|entry| (entry.user_id, entry))
        .collect();
    let mut rows = Vec::new();
    for mobility in &report.mobility.students {
        let user_id = mobility.user_id;
        let Some(talk) = communication.get(&user_id) else {
            continue;
        };
        let weeks = &mobility.weeks;
        rows.push(vec![
            user_id.into(),
            report.name_of(user_id).into(),
            points.get(&user_id).copied().into(),
            weeks.len().into(),
            mobility.room_coverage.into(),
            mobility.team_coverage.into(),
            mobility.switch_rate.into(),
            mobility.outside_team_share.into(),
            mobility.contact_reach.into(),
            mobility.active_week_share.into(),
            mobility.index.into(),
            weekly_mean(mobility, |week| weeks[week].rooms).into(),
            weekly_mean(mobility, |week| weeks[week].teams).into(),
            weekly_mean(mobility, |week| weeks[week].switches).into(),
            weekly_mean(mobility, |week| weeks[week].interactions_with_students).into(),
            weekly_mean(mobility, |week| weeks[week].new_contacts).into(),
            talk.degree.into(),
            talk.degree_centrality.into(),
            talk.eigenvector_centrality.into(),
            talk.reciprocity.into(),
            talk.isolated.into(),
            talk.response.questions.into(),
            talk.response.answered.into(),
            talk.response.response_rate.into(),
            talk.response.median_first_reply_secs.into(),
            talk.response.threads.into(),
            talk.response.replies.into(),
            attention
                .get(&user_id)
                .is_some_and(|entry| entry.inactive)
                .into(),
            attention
                .get(&user_id)
                .map_or(0, |entry| entry.unanswered_help)
                .into(),
        ]);
    }
    Table {
        spec: &STUDENTS,
        rows,
    }
}

/// Fills the weeks table: one row per student and week of the window.
pub fn weeks_table(report: &SpaceReport) -> Table {
    let mut rows = Vec::new();
    for student in &report.mobility.students {
        for week in &student.weeks {
            let offset = i64::try_from(week.week).unwrap_or(i64::MAX / WEEK_SECS);
            rows.push(vec![
                student.user_id.into(),
                week.week.into(),
                (report.window.from + offset * WEEK_SECS).into(),
                week.rooms.into(),
                week.teams.into(),
                week.switches.into(),
                week.interactions_with_students.into(),
                week.outside_team.into(),
                week.new_contacts.into(),
                week.active.into(),
            ]);
        }
    }
    Table { spec: &WEEKS, rows }
}

/// Fills the rooms table: every room, with the measures of the rooms that had activity
/// among students in the window.
pub fn rooms_table(report: &SpaceReport) -> Table {
    let summaries: HashMap<i64, _> = report
        .communication
        .rooms
        .iter()
        .filter_map(|summary| Some((summary.room_id?, summary)))
        .collect();
    let students = report.students.len();
    let rows = report
        .rooms
        .iter()
        .map(|room| {
            let summary = summaries.get(&room.id);
            let response = summary.map(|summary| &summary.response);
            vec![
                room.id.into(),
                room.kind.as_str().into(),
                room.name.as_str().into(),
                room.archived_at.into(),
                response.map_or(0, |response| response.questions).into(),
                response.and_then(|response| response.response_rate).into(),
                response
                    .and_then(|response| response.median_first_reply_secs)
                    .into(),
                response
                    .and_then(|response| response.replies_per_thread)
                    .into(),
                summary.and_then(|summary| summary.reciprocity).into(),
                summary.map_or(0.0, |summary| summary.density).into(),
                summary
                    .map_or(students, |summary| summary.isolated.len())
                    .into(),
            ]
        })
        .collect();
    Table { spec: &ROOMS, rows }
}

pub fn edges_table(edges: &[InteractionEdge]) -> Table {
    let rows = edges
        .iter()
        .map(|edge| {
            vec![
                edge.actor_id.into(),
                edge.target_id.into(),
                edge.kind.as_str().into(),
                edge.room_id.into(),
                edge.count.into(),
                edge.first_at.into(),
                edge.last_at.into(),
            ]
        })
        .collect();
    Table { spec: &EDGES, rows }
}

pub fn members_table(members: &[AnalyticsMember]) -> Table {
    let rows = members
        .iter()
        .map(|member| {
            vec![
                member.user_id.into(),
                member.name.as_deref().into(),
                member.role.as_str().into(),
            ]
        })
        .collect();
    Table {
        spec: &MEMBERS,
        rows,
    }
}

/// One questionnaire with its items, responses and answers.
#[derive(Debug, Clone)]
pub struct QuestionnaireRows {
    pub questionnaire: Questionnaire,
    pub items: Vec<Item>,
    /// Ordered by response key.
    pub responses: Vec<StoredResponse>,
    pub answers: Vec<ResponseAnswer>,
}

impl QuestionnaireRows {
    /// Loads every questionnaire of the space that has items.
    pub async fn load_all(store: &DynStore, space_id: i64) -> StoreResult<Vec<QuestionnaireRows>> {
        let mut all = Vec::new();
        for questionnaire in store.questionnaires(space_id).await? {
            let id = questionnaire.id;
            all.push(QuestionnaireRows {
                items: store.questionnaire_items(space_id, id).await?,
                responses: store.questionnaire_responses(space_id, id).await?,
                answers: store.questionnaire_answers(space_id, id).await?,
                questionnaire,
            });
        }
        Ok(all)
    }
}

/// Numbers the pair keys 1..n within each pair of questionnaires, in key order. A pair
/// is named by its `pre` questionnaire's id.
fn pair_numbers(questionnaires: &[QuestionnaireRows]) -> HashMap<&str, usize> {
    let mut keys_of: BTreeMap<i64, BTreeSet<&str>> = BTreeMap::new();
    for rows_of in questionnaires {
        let questionnaire = &rows_of.questionnaire;
        let pre_id = match questionnaire.wave.as_deref() {
            Some("pre") => questionnaire.id,
            Some("post") => match questionnaire.pre_id {
                Some(pre_id) => pre_id,
                None => continue,
            },
            _ => continue,
        };
        let keys = rows_of
            .responses
            .iter()
            .filter_map(|response| response.pair_key.as_deref());
        keys_of.entry(pre_id).or_default().extend(keys);
    }
    let mut numbers = HashMap::new();
    for keys in keys_of.values() {
        for (index, key) in keys.iter().enumerate() {
            numbers.insert(*key, index + 1);
        }
    }
    numbers
}

/// Fills the answers table. Responses are numbered 1..n within each questionnaire in
/// the order of their keys. The keys are SHA-256 digests of a server secret, the
/// questionnaire and the person, so the numbers follow neither the people nor the time
/// of answering, and the numbers of two questionnaires are unrelated. An anonymous
/// questionnaire's rows get no user id, name or time even if a response row had them.
pub fn answers_table(questionnaires: &[QuestionnaireRows], members: &[AnalyticsMember]) -> Table {
    let names: HashMap<i64, Option<&str>> = members
        .iter()
        .map(|member| (member.user_id, member.name.as_deref()))
        .collect();
    let pairs = pair_numbers(questionnaires);
    let mut rows = Vec::new();
    for rows_of in questionnaires {
        let questionnaire = &rows_of.questionnaire;
        let items: HashMap<i64, &Item> = rows_of.items.iter().map(|item| (item.id, item)).collect();
        let mut responses = rows_of.responses.clone();
        responses.sort_by(|a, b| a.response_key.cmp(&b.response_key));
        let numbered: BTreeMap<&str, (usize, &StoredResponse)> = responses
            .iter()
            .enumerate()
            .map(|(index, response)| (response.response_key.as_str(), (index + 1, response)))
            .collect();
        let mut answers: Vec<&ResponseAnswer> = rows_of.answers.iter().collect();
        answers.sort_by(|a, b| {
            (
                &a.response_key,
                items.get(&a.item_id).map(|item| item.position),
                a.value,
            )
                .cmp(&(
                    &b.response_key,
                    items.get(&b.item_id).map(|item| item.position),
                    b.value,
                ))
        });
        for answer in answers {
            let (Some(&(respondent, response)), Some(item)) = (
                numbered.get(answer.response_key.as_str()),
                items.get(&answer.item_id),
            ) else {
                continue;
            };
            let (user_id, name, updated_at) = if questionnaire.anonymous {
                (None, None, None)
            } else {
                let name = response
                    .user_id
                    .and_then(|user_id| names.get(&user_id).copied().flatten());
                (response.user_id, name, response.updated_at)
            };
            let is_text = item.kind == "text";
            let option = if item.kind == "single" || item.kind == "multiple" {
                usize::try_from(answer.value)
                    .ok()
                    .and_then(|index| item.options().get(index).cloned())
            } else {
                None
            };
            rows.push(vec![
                questionnaire.id.into(),
                questionnaire.title.as_str().into(),
                questionnaire.wave.as_deref().into(),
                questionnaire.pre_id.into(),
                questionnaire.anonymous.into(),
                respondent.into(),
                response
                    .pair_key
                    .as_deref()
                    .and_then(|key| pairs.get(key).copied())
                    .into(),
                user_id.into(),
                name.into(),
                updated_at.into(),
                item.id.into(),
                (item.position + 1).into(),
                item.kind.as_str().into(),
                item.scale.as_deref().into(),
                item.prompt.as_str().into(),
                (!is_text).then_some(answer.value).into(),
                option.into(),
                answer.text.as_deref().filter(|_| is_text).into(),
            ]);
        }
    }
    Table {
        spec: &ANSWERS,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::report::{SpaceRows, Window};
    use crate::store::analytics::AnalyticsRoom;

    #[test]
    fn every_row_matches_its_columns() {
        let members = vec![AnalyticsMember {
            user_id: 5,
            name: Some("Anna".into()),
            role: "student".into(),
        }];
        let rows = SpaceRows {
            members: members.clone(),
            rooms: vec![AnalyticsRoom {
                id: 1,
                kind: "open".into(),
                name: "Open space".into(),
                archived_at: None,
            }],
            ..SpaceRows::default()
        };
        let window = Window {
            from: 0,
            until: 2 * WEEK_SECS,
        };
        let report = SpaceReport::compute(rows, window).unwrap();
        let tables = [
            students_table(&report, &HashMap::new()),
            weeks_table(&report),
            rooms_table(&report),
            members_table(&members),
        ];
        for table in tables {
            assert!(!table.rows.is_empty(), "{}", table.spec.name);
            for row in &table.rows {
                assert_eq!(row.len(), table.spec.columns.len(), "{}", table.spec.name);
            }
        }
    }
}
