//! Mobility measures: how widely each student moves between rooms, teams and people.
//!
//! Input is what [`AnalyticsStore`](crate::store::AnalyticsStore) loads for one space and
//! one window. Weeks are counted from `start`: week 0 is `[start, start + 7 days)`, and a
//! row outside the window's weeks is ignored. Contacts and team measures count only the
//! people in the analysed group (`students`), so interactions with teachers are ignored
//! by them. Team membership is the current one: a student who left a team room no longer
//! counts its members as teammates.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::store::analytics::{AnalyticsRoom, TeamMembership};
use crate::store::chat::{Interaction, RoomVisit};

/// Seconds in one week.
pub const WEEK_SECS: i64 = 7 * 24 * 60 * 60;

/// Definition of [`StudentWeek::rooms`].
pub const ROOMS_DEFINITION: &str = "Distinct rooms the student worked in during the week: \
     rooms they entered, or in which they posted, replied, mentioned or reacted.";
/// Definition of [`StudentWeek::teams`].
pub const TEAMS_DEFINITION: &str =
    "Distinct team tables among the rooms the student worked in during the week.";
/// Definition of [`StudentWeek::switches`].
pub const SWITCHES_DEFINITION: &str = "Room switches in the week: visits that entered a room \
     other than the room of the student's previous visit in the window. Re-entering the \
     same room is not a switch.";
/// Definition of [`StudentMobility::outside_team_share`].
pub const OUTSIDE_TEAM_DEFINITION: &str = "Share of the student's interactions with other \
     students (given or received) that involve someone who is not in any of their team \
     tables. Not defined for a student in no team or with no interaction.";
/// Definition of [`StudentWeek::new_contacts`].
pub const NEW_CONTACTS_DEFINITION: &str = "Students the student interacted with (in either \
     direction) for the first time in the window during this week.";
/// Definition of [`StudentMobility::active_week_share`].
pub const ACTIVE_WEEKS_DEFINITION: &str = "Share of the window's weeks in which the student \
     entered a room or acted in the interaction log.";
/// Definition of [`StudentMobility::room_coverage`].
pub const ROOM_COVERAGE_DEFINITION: &str = "Distinct rooms the student worked in over the \
     window, divided by the number of rooms in the space.";
/// Definition of [`StudentMobility::team_coverage`].
pub const TEAM_COVERAGE_DEFINITION: &str = "Distinct team tables the student worked in over \
     the window, divided by the number of team tables. Not defined without team tables.";
/// Definition of [`StudentMobility::switch_rate`].
pub const SWITCH_RATE_DEFINITION: &str = "Room switches divided by the student's visits after \
     their first one in the window. Not defined with fewer than two visits.";
/// Definition of [`StudentMobility::contact_reach`].
pub const CONTACT_REACH_DEFINITION: &str = "Distinct students the student interacted with \
     over the window, divided by the number of other students.";
/// Definition of [`StudentMobility::index`].
pub const INDEX_DEFINITION: &str = "Mobility index from 0 to 1: the weighted mean of room \
     coverage (0.20), team coverage (0.10), switch rate (0.15), outside-team share (0.20), \
     contact reach (0.20) and active-week share (0.15). A component that is not defined for \
     the student is left out and the other weights are scaled to sum to 1.";
/// Definition of [`SpaceMobility::mean_index`].
pub const SPACE_INDEX_DEFINITION: &str = "Mean of the students' mobility indices, with their \
     minimum, quartiles and maximum.";

/// Weights of the index components, in the order room coverage, team coverage, switch
/// rate, outside-team share, contact reach, active-week share. They sum to 1.
pub const INDEX_WEIGHTS: [f64; 6] = [0.20, 0.10, 0.15, 0.20, 0.20, 0.15];

/// Returns the number of weeks, counted from `start`, needed to cover `[start, until)`:
/// a partial last week counts as a week, and an empty window has none.
pub fn weeks_between(start: i64, until: i64) -> usize {
    if until <= start {
        return 0;
    }
    usize::try_from((until - start + WEEK_SECS - 1) / WEEK_SECS).unwrap_or(usize::MAX)
}

/// The data of one space and window, and the weeks to count.
#[derive(Debug, Clone, Copy)]
pub struct MobilityInput<'a> {
    /// The user ids of the analysed group, usually the space's students.
    pub students: &'a [i64],
    /// Every room of the space that a student could work in.
    pub rooms: &'a [AnalyticsRoom],
    pub teams: &'a [TeamMembership],
    pub visits: &'a [RoomVisit],
    pub interactions: &'a [Interaction],
    /// Start of week 0, Unix seconds.
    pub start: i64,
    /// Number of weeks in the window, for example from [`weeks_between`].
    pub weeks: usize,
}

/// One student's counts for one week.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct StudentWeek {
    pub week: usize,
    pub rooms: usize,
    pub teams: usize,
    pub switches: usize,
    /// Interactions with other students, given or received.
    pub interactions_with_students: usize,
    /// Those of `interactions_with_students` with a student outside the student's teams.
    pub outside_team: usize,
    pub new_contacts: usize,
    pub active: bool,
}

/// One student's weekly counts and the normalized components of their index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudentMobility {
    pub user_id: i64,
    pub weeks: Vec<StudentWeek>,
    /// Distinct rooms worked in over the window, divided by the number of rooms.
    pub room_coverage: f64,
    /// Distinct team rooms worked in over the window, divided by the number of team
    /// rooms; `None` when the space has no team room.
    pub team_coverage: Option<f64>,
    /// Switches divided by the visits that could be one (all but the first); `None`
    /// with fewer than two visits.
    pub switch_rate: Option<f64>,
    pub outside_team_share: Option<f64>,
    /// Distinct students contacted over the window, divided by the other students in
    /// the group; `None` when the group has one student.
    pub contact_reach: Option<f64>,
    pub active_week_share: f64,
    pub index: f64,
}

/// Summary of a list of values: the quartiles use linear interpolation between the
/// closest ranks (the default method of NumPy's `percentile`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distribution {
    pub count: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl Distribution {
    /// Summarizes `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Distribution> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(Distribution {
            count: sorted.len(),
            min: *sorted.first()?,
            q1: quantile(&sorted, 0.25),
            median: quantile(&sorted, 0.5),
            q3: quantile(&sorted, 0.75),
            max: *sorted.last()?,
        })
    }
}

/// Returns the `q` quantile of sorted, non-empty `values`, interpolating linearly between ranks.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let position = q * (sorted.len() - 1) as f64;
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let fraction = position - lower as f64;
    sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
}

/// The space-level mobility: every student's measures, their mean index and its
/// distribution (`None` for a group without students).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpaceMobility {
    pub students: Vec<StudentMobility>,
    pub mean_index: Option<f64>,
    pub distribution: Option<Distribution>,
}

/// Computes every student's mobility and the space-level index.
pub fn space_mobility(input: &MobilityInput) -> SpaceMobility {
    let rows = GroupedRows::new(input);
    let students: Vec<StudentMobility> = input
        .students
        .iter()
        .map(|&user_id| measure_student(input, &rows, user_id))
        .collect();
    let indices: Vec<f64> = students.iter().map(|student| student.index).collect();
    let mean_index =
        (!indices.is_empty()).then(|| indices.iter().sum::<f64>() / indices.len() as f64);
    SpaceMobility {
        distribution: Distribution::of(&indices),
        mean_index,
        students,
    }
}

/// Returns the week of time `at`, or `None` outside the window.
fn week_of(input: &MobilityInput, at: i64) -> Option<usize> {
    if at < input.start {
        return None;
    }
    let week = usize::try_from((at - input.start) / WEEK_SECS).ok()?;
    (week < input.weeks).then_some(week)
}

/// Returns `numerator / denominator`, or `None` when the denominator is 0.
pub(super) fn ratio(numerator: usize, denominator: usize) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The input's rows grouped by student, built once so that measuring every student
/// reads each row a bounded number of times.
struct GroupedRows<'a> {
    group: BTreeSet<i64>,
    team_rooms: BTreeSet<i64>,
    /// Team rooms of each user.
    teams_of: BTreeMap<i64, BTreeSet<i64>>,
    /// Users of each team room.
    members_of: BTreeMap<i64, BTreeSet<i64>>,
    /// Visits in the window of each user, in `entered_at` order.
    visits_of: BTreeMap<i64, Vec<&'a RoomVisit>>,
    /// Interactions in the window of each user as actor or target, in input order.
    interactions_of: BTreeMap<i64, Vec<&'a Interaction>>,
}

impl<'a> GroupedRows<'a> {
    fn new(input: &MobilityInput<'a>) -> GroupedRows<'a> {
        let mut rows = GroupedRows {
            group: input.students.iter().copied().collect(),
            team_rooms: input
                .rooms
                .iter()
                .filter(|room| room.kind == "team")
                .map(|room| room.id)
                .collect(),
            teams_of: BTreeMap::new(),
            members_of: BTreeMap::new(),
            visits_of: BTreeMap::new(),
            interactions_of: BTreeMap::new(),
        };
        for member in input.teams {
            rows.teams_of
                .entry(member.user_id)
                .or_default()
                .insert(member.room_id);
            rows.members_of
                .entry(member.room_id)
                .or_default()
                .insert(member.user_id);
        }
        for visit in input.visits {
            if week_of(input, visit.entered_at).is_some() {
                rows.visits_of.entry(visit.user_id).or_default().push(visit);
            }
        }
        for visits in rows.visits_of.values_mut() {
            visits.sort_by_key(|visit| visit.entered_at);
        }
        for interaction in input.interactions {
            if week_of(input, interaction.created_at).is_none() {
                continue;
            }
            rows.interactions_of
                .entry(interaction.actor_id)
                .or_default()
                .push(interaction);
            match interaction.target_id {
                Some(target) if target != interaction.actor_id => {
                    rows.interactions_of
                        .entry(target)
                        .or_default()
                        .push(interaction);
                }
                _ => {}
            }
        }
        rows
    }
}

/// Computes one student's weekly counts, components and index.
pub fn student_mobility(input: &MobilityInput, user_id: i64) -> StudentMobility {
    measure_student(input, &GroupedRows::new(input), user_id)
}

fn measure_student(input: &MobilityInput, rows: &GroupedRows, user_id: i64) -> StudentMobility {
    let group = &rows.group;
    let team_rooms = &rows.team_rooms;
    let no_teams = BTreeSet::new();
    let own_teams = rows.teams_of.get(&user_id).unwrap_or(&no_teams);
    let teammates: BTreeSet<i64> = own_teams
        .iter()
        .filter_map(|room| rows.members_of.get(room))
        .flatten()
        .copied()
        .filter(|member| *member != user_id)
        .collect();

    let mut weeks: Vec<StudentWeek> = (0..input.weeks)
        .map(|week| StudentWeek {
            week,
            ..StudentWeek::default()
        })
        .collect();
    let mut rooms_by_week: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); input.weeks];

    // Visits: rooms worked in, switches and activity.
    let visits = rows.visits_of.get(&user_id).map_or(&[][..], Vec::as_slice);
    let mut previous_room = None;
    let mut switches = 0;
    for visit in visits {
        let Some(week) = week_of(input, visit.entered_at) else {
            continue;
        };
        rooms_by_week[week].insert(visit.room_id);
        weeks[week].active = true;
        if previous_room.is_some_and(|room| room != visit.room_id) {
            weeks[week].switches += 1;
            switches += 1;
        }
        previous_room = Some(visit.room_id);
    }

    // Interactions: rooms worked in, activity, contacts and the outside-team share.
    let mut first_contact: BTreeMap<i64, usize> = BTreeMap::new();
    let (mut with_students, mut outside) = (0, 0);
    let interactions = rows
        .interactions_of
        .get(&user_id)
        .map_or(&[][..], Vec::as_slice);
    for interaction in interactions {
        let Some(week) = week_of(input, interaction.created_at) else {
            continue;
        };
        if interaction.actor_id == user_id {
            weeks[week].active = true;
            if let Some(room) = interaction.room_id {
                rooms_by_week[week].insert(room);
            }
        }
        let other = match interaction.target_id {
            Some(target) if interaction.actor_id == user_id => target,
            Some(target) if target == user_id => interaction.actor_id,
            _ => continue,
        };
        if other == user_id || !group.contains(&other) {
            continue;
        }
        weeks[week].interactions_with_students += 1;
        with_students += 1;
        if !teammates.contains(&other) {
            weeks[week].outside_team += 1;
            outside += 1;
        }
        // Rows may come in any order, so the first contact is the earliest week seen.
        first_contact
            .entry(other)
            .and_modify(|first| *first = (*first).min(week))
            .or_insert(week);
    }
    for week in first_contact.values() {
        weeks[*week].new_contacts += 1;
    }

    let mut all_rooms = BTreeSet::new();
    for (week, rooms) in weeks.iter_mut().zip(&rooms_by_week) {
        week.rooms = rooms.len();
        week.teams = rooms.intersection(team_rooms).count();
        all_rooms.extend(rooms.iter().copied());
    }
    let teams_worked_in = all_rooms.intersection(team_rooms).count();
    let active_weeks = weeks.iter().filter(|week| week.active).count();

    let room_coverage = ratio(all_rooms.len(), input.rooms.len()).unwrap_or(0.0);
    let team_coverage = ratio(teams_worked_in, team_rooms.len());
    let switch_rate = ratio(switches, visits.len().saturating_sub(1));
    let outside_team_share = if own_teams.is_empty() {
        None
    } else {
        ratio(outside, with_students)
    };
    let others_in_group = group.len() - usize::from(group.contains(&user_id));
    let contact_reach = ratio(first_contact.len(), others_in_group);
    let active_week_share = ratio(active_weeks, input.weeks).unwrap_or(0.0);

    let components = [
        Some(room_coverage),
        team_coverage,
        switch_rate,
        outside_team_share,
        contact_reach,
        Some(active_week_share),
    ];
    StudentMobility {
        user_id,
        weeks,
        room_coverage,
        team_coverage,
        switch_rate,
        outside_team_share,
        contact_reach,
        active_week_share,
        index: weighted_index(&components),
    }
}

/// Weighted mean of the defined components with [`INDEX_WEIGHTS`], clamped to `0..=1`.
fn weighted_index(components: &[Option<f64>; 6]) -> f64 {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (component, weight) in components.iter().zip(INDEX_WEIGHTS) {
        if let Some(value) = component {
            sum += value * weight;
            weights += weight;
        }
    }
    if weights > 0.0 {
        (sum / weights).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: i64 = WEEK_SECS;

    fn room(id: i64, kind: &str) -> AnalyticsRoom {
        AnalyticsRoom {
            id,
            kind: kind.into(),
            name: format!("room {id}"),
            archived_at: None,
        }
    }

    fn visit(user_id: i64, room_id: i64, entered_at: i64) -> RoomVisit {
        RoomVisit {
            room_id,
            user_id,
            entered_at,
            left_at: Some(entered_at + 10),
        }
    }

    fn interaction(
        actor_id: i64,
        target_id: Option<i64>,
        room_id: Option<i64>,
        kind: &str,
        created_at: i64,
    ) -> Interaction {
        Interaction {
            space_id: 1,
            actor_id,
            target_id,
            room_id,
            kind: kind.into(),
            subject_id: None,
            created_at,
        }
    }

    fn member(room_id: i64, user_id: i64) -> TeamMembership {
        TeamMembership { room_id, user_id }
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "{what}: got {actual}, expected {expected}"
        );
    }

    /// Rooms 1 (open), 2 (quiet), 3 (team A: Anna 10, Boris 11), 4 (team B: Chen 12),
    /// 5 (discussion); Dana 13 does nothing; 99 is a teacher. Two weeks from 0.
    fn example() -> (
        Vec<AnalyticsRoom>,
        Vec<TeamMembership>,
        Vec<RoomVisit>,
        Vec<Interaction>,
    ) {
        let rooms = vec![
            room(1, "open"),
            room(2, "quiet"),
            room(3, "team"),
            room(4, "team"),
            room(5, "discussion"),
        ];
        let teams = vec![member(3, 10), member(3, 11), member(4, 12)];
        let visits = vec![
            visit(10, 1, 100),
            visit(11, 3, 150),
            visit(10, 3, 200),
            visit(10, 3, 300),
            visit(12, 4, W + 50),
            visit(12, 5, W + 60),
            visit(10, 1, W + 100),
            // After the window: ignored.
            visit(13, 2, 2 * W + 1),
        ];
        let interactions = vec![
            interaction(10, None, Some(1), "message", 110),
            interaction(99, Some(10), Some(1), "reply", 120),
            interaction(11, Some(10), Some(3), "reply", 210),
            interaction(12, Some(10), Some(5), "mention", W + 70),
            interaction(10, Some(12), Some(5), "reaction", W + 80),
            interaction(10, Some(13), Some(2), "reply", 2 * W + 5),
        ];
        (rooms, teams, visits, interactions)
    }

    /// Calls `measure` with the example's input.
    fn with_example<T>(measure: impl FnOnce(&MobilityInput) -> T) -> T {
        let (rooms, teams, visits, interactions) = example();
        measure(&MobilityInput {
            students: &[10, 11, 12, 13],
            rooms: &rooms,
            teams: &teams,
            visits: &visits,
            interactions: &interactions,
            start: 0,
            weeks: 2,
        })
    }

    fn example_mobility() -> SpaceMobility {
        with_example(space_mobility)
    }

    #[test]
    fn weekly_counts_worked_by_hand() {
        let space = example_mobility();
        let anna = &space.students[0];
        // Week 0: visits 1 → 3 → 3 (one switch), message in 1, reply from teammate Boris.
        let week0 = StudentWeek {
            week: 0,
            rooms: 2,
            teams: 1,
            switches: 1,
            interactions_with_students: 1,
            outside_team: 0,
            new_contacts: 1,
            active: true,
        };
        // Week 1: visit 3 → 1 (a switch), reaction in room 5, mention from and reaction to
        // Chen of another team.
        let week1 = StudentWeek {
            week: 1,
            rooms: 2,
            teams: 0,
            switches: 1,
            interactions_with_students: 2,
            outside_team: 2,
            new_contacts: 1,
            active: true,
        };
        assert_eq!(anna.weeks, vec![week0, week1]);

        let chen = &space.students[2];
        assert!(!chen.weeks[0].active);
        assert_eq!(chen.weeks[1].rooms, 2, "rooms 4 and 5");
        assert_eq!(chen.weeks[1].teams, 1, "room 4");
        assert_eq!(chen.weeks[1].switches, 1, "4 → 5");
        assert_eq!(chen.weeks[1].outside_team, 2);

        let dana = &space.students[3];
        assert!(dana.weeks.iter().all(|week| *week
            == StudentWeek {
                week: week.week,
                ..StudentWeek::default()
            }));
    }

    #[test]
    fn components_worked_by_hand() {
        let space = example_mobility();
        let [anna, boris, chen, dana] = &space.students[..] else {
            panic!("expected four students, got {}", space.students.len());
        };
        // Anna: rooms {1, 3, 5} of 5, team 3 of 2 teams, 2 switches in 3 possible,
        // 2 of 3 interactions outside team A, contacts Boris and Chen of 3 others, both
        // weeks active.
        assert_close(anna.room_coverage, 3.0 / 5.0, "Anna room coverage");
        assert_eq!(anna.team_coverage, Some(0.5));
        assert_close(anna.switch_rate.unwrap(), 2.0 / 3.0, "Anna switch rate");
        assert_close(anna.outside_team_share.unwrap(), 2.0 / 3.0, "Anna outside");
        assert_close(anna.contact_reach.unwrap(), 2.0 / 3.0, "Anna reach");
        assert_eq!(anna.active_week_share, 1.0);
        let anna_index = 0.20 * 0.6
            + 0.10 * 0.5
            + 0.15 * (2.0 / 3.0)
            + 0.20 * (2.0 / 3.0)
            + 0.20 * (2.0 / 3.0)
            + 0.15 * 1.0;
        assert_close(anna.index, anna_index, "Anna index");

        // Boris: one visit, so no switch rate, and the weights left are 0.85.
        assert_eq!(boris.switch_rate, None);
        assert_eq!(boris.outside_team_share, Some(0.0));
        let boris_index =
            (0.20 * 0.2 + 0.10 * 0.5 + 0.20 * 0.0 + 0.20 * (1.0 / 3.0) + 0.15 * 0.5) / 0.85;
        assert_close(boris.index, boris_index, "Boris index");

        let chen_index =
            0.20 * 0.4 + 0.10 * 0.5 + 0.15 * 1.0 + 0.20 * 1.0 + 0.20 * (1.0 / 3.0) + 0.15 * 0.5;
        assert_close(chen.index, chen_index, "Chen index");

        // Dana: no team, so no outside share; everything else is 0.
        assert_eq!(dana.outside_team_share, None);
        assert_eq!(dana.switch_rate, None);
        assert_eq!(dana.index, 0.0);

        let mean = (anna_index + boris_index + chen_index) / 4.0;
        assert_close(space.mean_index.unwrap(), mean, "mean index");
        let distribution = space.distribution.unwrap();
        assert_eq!(distribution.count, 4);
        assert_eq!(distribution.min, 0.0);
        assert_close(distribution.q1, 0.75 * boris_index, "q1");
        assert_close(
            distribution.median,
            (boris_index + chen_index) / 2.0,
            "median",
        );
        assert_close(
            distribution.q3,
            chen_index + 0.25 * (anna_index - chen_index),
            "q3",
        );
        assert_close(distribution.max, anna_index, "max");
    }

    #[test]
    fn row_order_irrelevant() {
        // Boris reacts to Anna again in week 1, so their first contact (week 0) depends on
        // reading the earlier row.
        let (rooms, teams, mut visits, mut interactions) = example();
        interactions.push(interaction(11, Some(10), Some(3), "reaction", W + 90));
        let measure = |visits: &[RoomVisit], interactions: &[Interaction]| {
            space_mobility(&MobilityInput {
                students: &[10, 11, 12, 13],
                rooms: &rooms,
                teams: &teams,
                visits,
                interactions,
                start: 0,
                weeks: 2,
            })
        };
        let forward = measure(&visits, &interactions);
        visits.reverse();
        interactions.reverse();
        let reversed = measure(&visits, &interactions);
        assert_eq!(reversed, forward);
        assert_eq!(forward.students[1].weeks[0].new_contacts, 1);
        assert_eq!(forward.students[1].weeks[1].new_contacts, 0);
    }

    #[test]
    fn single_student_matches_space() {
        let (space, chen) =
            with_example(|input| (space_mobility(input), student_mobility(input, 12)));
        assert_eq!(chen, space.students[2]);
    }

    #[test]
    fn components_within_ranges() {
        let space = example_mobility();
        for student in &space.students {
            let components = [
                Some(student.room_coverage),
                student.team_coverage,
                student.switch_rate,
                student.outside_team_share,
                student.contact_reach,
                Some(student.active_week_share),
                Some(student.index),
            ];
            for value in components.into_iter().flatten() {
                assert!((0.0..=1.0).contains(&value), "{student:?}");
            }
        }
    }

    #[test]
    fn mirrored_students_equal() {
        // Students 1 and 2 share team 3, each visits the open room and the team, and
        // each replies once to the other.
        let rooms = vec![room(1, "open"), room(3, "team")];
        let teams = vec![member(3, 1), member(3, 2)];
        let visits = vec![
            visit(1, 1, 10),
            visit(2, 1, 10),
            visit(1, 3, 20),
            visit(2, 3, 20),
        ];
        let interactions = vec![
            interaction(1, Some(2), Some(3), "reply", 30),
            interaction(2, Some(1), Some(3), "reply", 40),
        ];
        let space = space_mobility(&MobilityInput {
            students: &[1, 2],
            rooms: &rooms,
            teams: &teams,
            visits: &visits,
            interactions: &interactions,
            start: 0,
            weeks: 1,
        });
        let (first, second) = (&space.students[0], &space.students[1]);
        assert_eq!(first.weeks, second.weeks);
        assert_eq!(first.index, second.index);
        assert_eq!(space.distribution.unwrap().min, first.index);
        assert_eq!(space.distribution.unwrap().max, first.index);
    }

    #[test]
    fn empty_group_has_no_index() {
        let space = space_mobility(&MobilityInput {
            students: &[],
            rooms: &[],
            teams: &[],
            visits: &[],
            interactions: &[],
            start: 0,
            weeks: 0,
        });
        assert!(space.students.is_empty());
        assert_eq!(space.mean_index, None);
        assert_eq!(space.distribution, None);
    }

    #[test]
    fn rows_before_start_ignored() {
        let rooms = vec![room(1, "open")];
        let visits = vec![visit(1, 1, 999)];
        let space = space_mobility(&MobilityInput {
            students: &[1],
            rooms: &rooms,
            teams: &[],
            visits: &visits,
            interactions: &[],
            start: 1000,
            weeks: 1,
        });
        assert_eq!(space.students[0].room_coverage, 0.0);
        assert!(!space.students[0].weeks[0].active);
    }

    #[test]
    fn index_weights_match_definition() {
        assert_close(INDEX_WEIGHTS.iter().sum(), 1.0, "sum of weights");
        for weight in INDEX_WEIGHTS {
            let written = format!("({weight:.2})");
            assert!(INDEX_DEFINITION.contains(&written), "{written} missing");
        }
    }

    #[test]
    fn weeks_cover_window() {
        assert_eq!(weeks_between(100, 100), 0);
        assert_eq!(weeks_between(100, 50), 0);
        assert_eq!(weeks_between(0, 1), 1);
        assert_eq!(weeks_between(0, W), 1);
        assert_eq!(weeks_between(0, W + 1), 2);
        assert_eq!(weeks_between(-W, 2 * W), 3);
    }

    #[test]
    fn quartiles_interpolate() {
        let distribution = Distribution::of(&[4.0, 1.0, 3.0, 2.0, 5.0]).unwrap();
        assert_eq!(distribution.min, 1.0);
        assert_eq!(distribution.q1, 2.0);
        assert_eq!(distribution.median, 3.0);
        assert_eq!(distribution.q3, 4.0);
        assert_eq!(distribution.max, 5.0);
        assert_eq!(Distribution::of(&[1.0, 2.0]).unwrap().median, 1.5);
    }
}
