//! One space's measures for one window, computed together from one load of its rows:
//! mobility, communication, weekly trends, the interaction network and the students
//! who need the teacher's attention. The dashboards and the exports read this report.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::activity::ActivityCache;
use super::communication::{
    chat_threads, communication_report_of_threads, help_threads, response_stats,
    CommunicationReport, NotConverged, ResponseStats, Thread,
};
use super::index::{Groups, IdIndex, NONE};
use super::mobility::{space_mobility, weeks_between, MobilityInput, SpaceMobility, WEEK_SECS};
use crate::store::analytics::{AnalyticsMember, AnalyticsMessage, AnalyticsRoom, TeamMembership};
use crate::store::chat::{Interaction, RoomVisit};
use crate::store::{Store, StoreError};

/// A student with no activity in this many seconds before the window's end is inactive.
pub const INACTIVE_AFTER_SECS: i64 = 14 * 24 * 60 * 60;

/// Definition of [`Attention::inactive`].
pub const INACTIVE_DEFINITION: &str = "The student entered no room and acted in no \
     interaction during the last 14 days of the window.";
/// Definition of [`Attention::unanswered_help`].
pub const UNANSWERED_HELP_DEFINITION: &str = "Help requests of the student, asked in the \
     window, that nobody else has replied to.";

/// A time window `[from, until)` in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub from: i64,
    pub until: i64,
}

/// Returns the Unix time of midnight UTC at the start of a `YYYY-MM-DD` date, or `None`
/// when `date` is not one.
pub fn midnight_utc(date: &str) -> Option<i64> {
    let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// Everything the measures read for one space and window.
#[derive(Debug, Clone, Default)]
pub struct SpaceRows {
    pub members: Vec<AnalyticsMember>,
    pub rooms: Vec<AnalyticsRoom>,
    pub teams: Vec<TeamMembership>,
    pub visits: Vec<RoomVisit>,
    pub interactions: Vec<Interaction>,
    pub messages: Vec<AnalyticsMessage>,
}

impl SpaceRows {
    /// Loads the rows of a space for a window.
    pub async fn load(
        store: &dyn Store,
        space_id: i64,
        window: Window,
    ) -> Result<SpaceRows, StoreError> {
        let (from, until) = (window.from, window.until);
        // The six queries are independent; running them together lets PostgreSQL and
        // SQLite's WAL readers work on several connections at once.
        let (members, rooms, teams, visits, interactions, messages) = tokio::try_join!(
            store.analytics_members(space_id),
            store.analytics_rooms(space_id),
            store.team_memberships(space_id),
            store.analytics_visits(space_id, from, until),
            store.analytics_interactions(space_id, from, until),
            store.analytics_messages(space_id, from, until),
        )?;
        Ok(SpaceRows {
            members,
            rooms,
            teams,
            visits,
            interactions,
            messages,
        })
    }

    /// Returns the user ids of the space's students, in ascending order.
    pub fn students(&self) -> Vec<i64> {
        self.members
            .iter()
            .filter(|member| member.role == "student")
            .map(|member| member.user_id)
            .collect()
    }
}

/// Activity of one week of the window, for the trend charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekSummary {
    pub week: usize,
    /// Start of the week, Unix seconds.
    pub starts_at: i64,
    /// Interaction log rows by group: chat (messages, replies, mentions, reactions),
    /// help desk, showcase (items, comments, reactions, feedback) and the rest.
    pub chat: usize,
    pub help: usize,
    pub showcase: usize,
    pub other: usize,
    /// Students who entered a room or acted in the interaction log.
    pub active_students: usize,
    /// Mean distinct rooms per active student.
    pub mean_rooms: Option<f64>,
    /// Room switches of all students.
    pub switches: usize,
    /// First contacts between students, counted once per student who made one.
    pub new_contacts: usize,
    /// Questions started in the week and the replies they got in the window.
    pub response: ResponseStats,
}

/// A pair of students who interacted, with the interactions in both directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The smaller user id of the pair.
    pub a: i64,
    pub b: i64,
    pub interactions: usize,
}

/// A student the teacher should look at, with every reason that applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attention {
    pub user_id: i64,
    pub isolated: bool,
    pub inactive: bool,
    /// The student's last activity in the window, Unix seconds.
    pub last_active_at: Option<i64>,
    pub unanswered_help: usize,
}

/// The measures of one space and window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpaceReport {
    pub window: Window,
    pub weeks: usize,
    pub members: Vec<AnalyticsMember>,
    pub rooms: Vec<AnalyticsRoom>,
    pub teams: Vec<TeamMembership>,
    pub students: Vec<i64>,
    pub mobility: SpaceMobility,
    pub communication: CommunicationReport,
    pub weekly: Vec<WeekSummary>,
    /// Pairs of students who interacted, by user ids.
    pub edges: Vec<Edge>,
    /// Students with a reason for attention, by user id.
    pub attention: Vec<Attention>,
    /// Interaction log rows in the window by actor and kind.
    pub actions: BTreeMap<i64, BTreeMap<String, usize>>,
}

impl SpaceReport {
    /// Loads the rows of a space for a window through `cache` and computes its report.
    pub async fn load(
        cache: &ActivityCache,
        store: &dyn Store,
        space_id: i64,
        window: Window,
    ) -> Result<SpaceReport, ReportError> {
        let rows = cache.rows(store, space_id, window).await?;
        // Computing takes tens of milliseconds of CPU for a large space, so it runs on the
        // blocking pool instead of holding up other requests on the async workers.
        let report = tokio::task::spawn_blocking(move || SpaceReport::compute(rows, window));
        Ok(report.await??)
    }

    /// Computes the report of rows loaded for `window`.
    pub fn compute(rows: SpaceRows, window: Window) -> Result<SpaceReport, NotConverged> {
        let students = rows.students();
        let weeks = weeks_between(window.from, window.until);
        let input = MobilityInput {
            students: &students,
            rooms: &rows.rooms,
            teams: &rows.teams,
            visits: &rows.visits,
            interactions: &rows.interactions,
            start: window.from,
            weeks,
        };
        let mobility = space_mobility(&input);
        let mut threads = chat_threads(&rows.messages);
        threads.extend(help_threads(&rows.interactions));
        let communication =
            communication_report_of_threads(&students, &threads, &rows.interactions)?;

        let edges = student_edges(&students, &rows.interactions);
        let attention = attention_list(&rows, &students, &communication, &threads, window);
        let kinds = KindIndex::new(&rows.interactions);
        let weekly = weekly_summaries(&rows, &kinds, &mobility, &threads, window, weeks);
        let actions = action_counts(&rows.interactions, &kinds);
        Ok(SpaceReport {
            window,
            weeks,
            members: rows.members,
            rooms: rows.rooms,
            teams: rows.teams,
            students,
            mobility,
            communication,
            weekly,
            edges,
            attention,
            actions,
        })
    }

    /// Returns the name of a member, if the platform sent one.
    pub fn name_of(&self, user_id: i64) -> Option<&str> {
        self.members
            .iter()
            .find(|member| member.user_id == user_id)
            .and_then(|member| member.name.as_deref())
    }
}

/// Failure to build a report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    NotConverged(#[from] NotConverged),
    #[error("computing the report failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Returns the chart group of an interaction kind.
fn kind_group(kind: &str) -> usize {
    match kind {
        "message" | "reply" | "mention" | "reaction" => 0,
        "help_request" | "help_offer" | "help_reply" | "help_given" | "help_thanks" | "thanks" => 1,
        "showcase_item" | "showcase_comment" | "showcase_reaction" | "feedback" => 2,
        _ => 3,
    }
}

/// The distinct interaction kinds, with the kind of each row as a position, so that rows
/// are grouped by kind with one hash lookup each and no string comparison.
struct KindIndex<'a> {
    kinds: Vec<&'a str>,
    of_row: Vec<u32>,
}

impl<'a> KindIndex<'a> {
    fn new(interactions: &'a [Interaction]) -> KindIndex<'a> {
        let mut positions: FxHashMap<&str, u32> = FxHashMap::default();
        let mut kinds = Vec::new();
        let of_row = interactions
            .iter()
            .map(|row| {
                *positions.entry(row.kind.as_str()).or_insert_with(|| {
                    kinds.push(row.kind.as_str());
                    kinds.len() as u32 - 1
                })
            })
            .collect();
        KindIndex { kinds, of_row }
    }
}

fn week_index(window: Window, weeks: usize, at: i64) -> Option<usize> {
    if at < window.from || at >= window.until {
        return None;
    }
    let week = usize::try_from((at - window.from) / WEEK_SECS).ok()?;
    (week < weeks).then_some(week)
}

fn weekly_summaries(
    rows: &SpaceRows,
    kinds: &KindIndex,
    mobility: &SpaceMobility,
    threads: &[Thread],
    window: Window,
    weeks: usize,
) -> Vec<WeekSummary> {
    let group_of: Vec<usize> = kinds.kinds.iter().map(|kind| kind_group(kind)).collect();
    let mut groups = vec![[0usize; 4]; weeks];
    for (row, kind) in rows.interactions.iter().zip(&kinds.of_row) {
        if let Some(week) = week_index(window, weeks, row.created_at) {
            groups[week][group_of[*kind as usize]] += 1;
        }
    }
    let mut threads_by_week: Vec<Vec<&Thread>> = vec![Vec::new(); weeks];
    for thread in threads {
        if let Some(week) = week_index(window, weeks, thread.started_at) {
            threads_by_week[week].push(thread);
        }
    }
    (0..weeks)
        .map(|week| {
            let student_weeks = mobility
                .students
                .iter()
                .filter_map(|student| student.weeks.get(week));
            let mut active = 0;
            let mut rooms = 0;
            let mut switches = 0;
            let mut new_contacts = 0;
            for student_week in student_weeks {
                if student_week.active {
                    active += 1;
                    rooms += student_week.rooms;
                }
                switches += student_week.switches;
                new_contacts += student_week.new_contacts;
            }
            let [chat, help, showcase, other] = groups[week];
            WeekSummary {
                week,
                starts_at: window.from + week as i64 * WEEK_SECS,
                chat,
                help,
                showcase,
                other,
                active_students: active,
                mean_rooms: (active > 0).then(|| rooms as f64 / active as f64),
                switches,
                new_contacts,
                response: response_stats(threads_by_week[week].iter().copied()),
            }
        })
        .collect()
}

/// Counts the interaction log rows by actor and kind.
fn action_counts(
    interactions: &[Interaction],
    kinds: &KindIndex,
) -> BTreeMap<i64, BTreeMap<String, usize>> {
    let mut counts: FxHashMap<(i64, u32), usize> = FxHashMap::default();
    for (row, kind) in interactions.iter().zip(&kinds.of_row) {
        *counts.entry((row.actor_id, *kind)).or_default() += 1;
    }
    let mut actions: BTreeMap<i64, BTreeMap<String, usize>> = BTreeMap::new();
    for ((actor, kind), count) in counts {
        actions
            .entry(actor)
            .or_default()
            .insert(kinds.kinds[kind as usize].to_string(), count);
    }
    actions
}

/// Counts the interactions between each pair of students, in either direction.
fn student_edges(students: &[i64], interactions: &[Interaction]) -> Vec<Edge> {
    let index = IdIndex::new(students.iter().copied());
    // Positions follow ascending user ids, so the smaller position is the smaller id.
    let mut pairs = Vec::new();
    for row in interactions {
        let Some(target) = row.target_id else {
            continue;
        };
        let (actor, target) = (index.get_u32(row.actor_id), index.get_u32(target));
        if actor == target || actor == NONE || target == NONE {
            continue;
        }
        pairs.push((actor.min(target), actor.max(target)));
    }
    let by_first = Groups::new(index.len(), &pairs);
    let mut counts = vec![0usize; index.len()];
    let mut partners = Vec::new();
    let mut edges = Vec::new();
    for a in 0..index.len() {
        partners.clear();
        for &b in by_first.of(a) {
            if counts[b as usize] == 0 {
                partners.push(b);
            }
            counts[b as usize] += 1;
        }
        partners.sort_unstable();
        for &b in &partners {
            edges.push(Edge {
                a: index.ids()[a],
                b: index.ids()[b as usize],
                interactions: std::mem::take(&mut counts[b as usize]),
            });
        }
    }
    edges
}

fn attention_list(
    rows: &SpaceRows,
    students: &[i64],
    communication: &CommunicationReport,
    threads: &[Thread],
    window: Window,
) -> Vec<Attention> {
    let index = IdIndex::new(students.iter().copied());
    let mut last_active: Vec<Option<i64>> = vec![None; index.len()];
    let mut note = |user_id: i64, at: i64| {
        if let Some(student) = index.get(user_id) {
            let latest = last_active[student].get_or_insert(at);
            *latest = (*latest).max(at);
        }
    };
    for visit in &rows.visits {
        note(visit.user_id, visit.entered_at);
    }
    for row in &rows.interactions {
        note(row.actor_id, row.created_at);
    }
    let mut unanswered = vec![0usize; index.len()];
    for thread in threads.iter().filter(|thread| thread.room_id.is_none()) {
        if thread.first_answer_at().is_none() {
            if let Some(author) = index.get(thread.author_id) {
                unanswered[author] += 1;
            }
        }
    }
    let mut isolated = vec![false; index.len()];
    for user_id in &communication.space.isolated {
        if let Some(student) = index.get(*user_id) {
            isolated[student] = true;
        }
    }
    let active_since = window.until - INACTIVE_AFTER_SECS;
    students
        .iter()
        .filter_map(|&user_id| {
            let student = index.get(user_id)?;
            let last_active_at = last_active[student];
            let entry = Attention {
                user_id,
                isolated: isolated[student],
                inactive: last_active_at.is_none_or(|at| at < active_since),
                last_active_at,
                unanswered_help: unanswered[student],
            };
            (entry.isolated || entry.inactive || entry.unanswered_help > 0).then_some(entry)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::communication::is_question;

    const W: i64 = WEEK_SECS;

    fn member(user_id: i64, role: &str) -> AnalyticsMember {
        AnalyticsMember {
            user_id,
            name: Some(format!("Person {user_id}")),
            role: role.into(),
        }
    }

    fn room(id: i64, kind: &str) -> AnalyticsRoom {
        AnalyticsRoom {
            id,
            kind: kind.into(),
            name: format!("Room {id}"),
            archived_at: None,
        }
    }

    fn visit(user_id: i64, room_id: i64, entered_at: i64) -> RoomVisit {
        RoomVisit {
            room_id,
            user_id,
            entered_at,
            left_at: None,
        }
    }

    fn act(
        actor_id: i64,
        target_id: Option<i64>,
        room_id: Option<i64>,
        kind: &str,
        subject_id: Option<i64>,
        created_at: i64,
    ) -> Interaction {
        Interaction {
            space_id: 1,
            actor_id,
            target_id,
            room_id,
            kind: kind.into(),
            subject_id,
            created_at,
        }
    }

    fn message(
        id: i64,
        author_id: i64,
        parent_id: Option<i64>,
        body: &str,
        at: i64,
    ) -> AnalyticsMessage {
        AnalyticsMessage {
            id,
            room_id: 10,
            author_id,
            parent_id,
            question: is_question(body),
            created_at: at,
        }
    }

    /// Students 1, 2 and 3 and teacher 9 over three weeks.
    ///
    /// Week 0: 1 and 2 enter room 10. 1 asks "Anyone?" at 150 and 2 replies at 300.
    /// 3 asks the help desk at 400 and nobody answers. The teacher reacts to 3 at 500.
    /// Week 1: 2 moves to room 11 and posts a showcase item; 1 answers a questionnaire.
    /// Week 2: nothing.
    fn rows() -> SpaceRows {
        SpaceRows {
            members: vec![
                member(1, "student"),
                member(2, "student"),
                member(3, "student"),
                member(9, "teacher"),
            ],
            rooms: vec![room(10, "open"), room(11, "quiet")],
            teams: Vec::new(),
            visits: vec![visit(1, 10, 100), visit(2, 10, 200), visit(2, 11, W + 100)],
            interactions: vec![
                act(1, None, Some(10), "message", Some(1), 150),
                act(2, Some(1), Some(10), "reply", Some(2), 300),
                act(3, None, None, "help_request", Some(50), 400),
                act(9, Some(3), Some(10), "reaction", Some(7), 500),
                act(2, None, None, "showcase_item", Some(4), W + 200),
                act(1, None, None, "questionnaire_answered", Some(5), W + 300),
            ],
            messages: vec![
                message(1, 1, None, "Anyone?", 150),
                message(2, 2, Some(1), "Yes", 300),
            ],
        }
    }

    fn report() -> SpaceReport {
        SpaceReport::compute(
            rows(),
            Window {
                from: 0,
                until: 3 * W,
            },
        )
        .unwrap()
    }

    #[test]
    fn weeks_group_interactions() {
        let report = report();
        assert_eq!(report.weeks, 3);
        let groups: Vec<[usize; 4]> = report
            .weekly
            .iter()
            .map(|week| [week.chat, week.help, week.showcase, week.other])
            .collect();
        assert_eq!(groups, vec![[3, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]);
        let starts: Vec<i64> = report.weekly.iter().map(|week| week.starts_at).collect();
        assert_eq!(starts, vec![0, W, 2 * W]);
    }

    #[test]
    fn weeks_count_activity_and_movement() {
        let report = report();
        let active: Vec<usize> = report.weekly.iter().map(|w| w.active_students).collect();
        assert_eq!(active, vec![3, 2, 0]);
        // Week 0: students 1 and 2 worked in room 10, student 3 in no room.
        assert_eq!(report.weekly[0].mean_rooms, Some(2.0 / 3.0));
        // Week 1: student 2 worked in room 11, student 1 in no room.
        assert_eq!(report.weekly[1].mean_rooms, Some(0.5));
        assert_eq!(report.weekly[2].mean_rooms, None);
        let switches: Vec<usize> = report.weekly.iter().map(|w| w.switches).collect();
        assert_eq!(switches, vec![0, 1, 0]);
        let contacts: Vec<usize> = report.weekly.iter().map(|w| w.new_contacts).collect();
        assert_eq!(contacts, vec![2, 0, 0]);
    }

    #[test]
    fn weeks_measure_responses() {
        let week = &report().weekly[0];
        assert_eq!(week.response.questions, 2);
        assert_eq!(week.response.answered, 1);
        assert_eq!(week.response.response_rate, Some(0.5));
        assert_eq!(week.response.median_first_reply_secs, Some(150.0));
        assert_eq!(report().weekly[1].response.questions, 0);
    }

    #[test]
    fn edges_join_students_only() {
        let edges = report().edges;
        assert_eq!(
            edges,
            vec![Edge {
                a: 1,
                b: 2,
                interactions: 1
            }]
        );
    }

    #[test]
    fn attention_lists_reasons() {
        let attention = report().attention;
        assert_eq!(
            attention,
            vec![Attention {
                user_id: 3,
                isolated: true,
                inactive: true,
                last_active_at: Some(400),
                unanswered_help: 1,
            }]
        );
    }

    #[test]
    fn attention_flags_students_without_activity() {
        let mut rows = rows();
        rows.members.push(member(4, "student"));
        let report = SpaceReport::compute(
            rows,
            Window {
                from: 0,
                until: 3 * W,
            },
        )
        .unwrap();
        let silent = report.attention.iter().find(|entry| entry.user_id == 4);
        let silent = silent.expect("a student without activity needs attention");
        assert!(silent.inactive);
        assert!(silent.isolated);
        assert_eq!(silent.last_active_at, None);
    }

    #[test]
    fn actions_count_by_actor() {
        let report = report();
        let of = |user: i64, kind: &str| {
            report
                .actions
                .get(&user)
                .and_then(|kinds| kinds.get(kind))
                .copied()
        };
        assert_eq!(of(1, "message"), Some(1));
        assert_eq!(of(1, "questionnaire_answered"), Some(1));
        assert_eq!(of(2, "reply"), Some(1));
        assert_eq!(of(2, "message"), None);
        assert_eq!(of(9, "reaction"), Some(1));
    }

    #[test]
    fn random_rows_match_reference() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};

        let mut rng = StdRng::seed_from_u64(17);
        let kinds = [
            "reply",
            "reaction",
            "help_request",
            "help_reply",
            "focus_completed",
        ];
        // Users 0..12 are students, 12..15 are not.
        let mut rows = SpaceRows {
            members: (0..15)
                .map(|id| member(id, if id < 12 { "student" } else { "teacher" }))
                .collect(),
            rooms: vec![room(10, "open"), room(11, "team")],
            ..SpaceRows::default()
        };
        for _ in 0..300 {
            let actor = rng.gen_range(0..15);
            let target = rng.gen_bool(0.7).then(|| rng.gen_range(0..15));
            let kind = kinds[rng.gen_range(0..kinds.len())];
            let at = rng.gen_range(-W..4 * W);
            let subject = Some(rng.gen_range(1..40));
            rows.interactions
                .push(act(actor, target, Some(10), kind, subject, at));
            let visitor = rng.gen_range(0..15);
            let entered_at = rng.gen_range(-W..4 * W);
            rows.visits.push(visit(visitor, 11, entered_at));
        }
        let window = Window {
            from: 0,
            until: 3 * W,
        };
        let report = SpaceReport::compute(rows.clone(), window).unwrap();

        let mut pairs: BTreeMap<(i64, i64), usize> = BTreeMap::new();
        let mut actions: BTreeMap<i64, BTreeMap<String, usize>> = BTreeMap::new();
        let mut last_active: BTreeMap<i64, i64> = BTreeMap::new();
        for row in &rows.interactions {
            *actions
                .entry(row.actor_id)
                .or_default()
                .entry(row.kind.clone())
                .or_default() += 1;
            let latest = last_active.entry(row.actor_id).or_insert(row.created_at);
            *latest = (*latest).max(row.created_at);
            match row.target_id {
                Some(target) if target != row.actor_id && target < 12 && row.actor_id < 12 => {
                    let pair = (row.actor_id.min(target), row.actor_id.max(target));
                    *pairs.entry(pair).or_default() += 1;
                }
                _ => {}
            }
        }
        for visit in &rows.visits {
            let latest = last_active.entry(visit.user_id).or_insert(visit.entered_at);
            *latest = (*latest).max(visit.entered_at);
        }
        let edges: Vec<Edge> = pairs
            .into_iter()
            .map(|((a, b), interactions)| Edge { a, b, interactions })
            .collect();
        assert_eq!(report.edges, edges);
        assert_eq!(report.actions, actions);

        let threads = help_threads(&rows.interactions);
        let attention: Vec<Attention> = (0..12)
            .filter_map(|user_id| {
                let last_active_at = last_active.get(&user_id).copied();
                let unanswered_help = threads
                    .iter()
                    .filter(|t| t.author_id == user_id && t.first_answer_at().is_none())
                    .count();
                let entry = Attention {
                    user_id,
                    isolated: report.communication.space.isolated.contains(&user_id),
                    inactive: last_active_at
                        .is_none_or(|at| at < window.until - INACTIVE_AFTER_SECS),
                    last_active_at,
                    unanswered_help,
                };
                (entry.isolated || entry.inactive || entry.unanswered_help > 0).then_some(entry)
            })
            .collect();
        assert_eq!(report.attention, attention);

        let groups: Vec<usize> = report.weekly.iter().map(|week| week.chat).collect();
        let expected: Vec<usize> = (0..3)
            .map(|week| {
                rows.interactions
                    .iter()
                    .filter(|row| row.kind == "reply" || row.kind == "reaction")
                    .filter(|row| row.created_at.div_euclid(W) == week)
                    .count()
            })
            .collect();
        assert_eq!(groups, expected);
    }

    #[test]
    fn report_names_members() {
        let report = report();
        assert_eq!(report.students, vec![1, 2, 3]);
        assert_eq!(report.name_of(9), Some("Person 9"));
        assert_eq!(report.name_of(99), None);
    }
}
