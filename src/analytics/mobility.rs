//! Mobility measures: how widely each student moves between rooms, teams and people.
//!
//! Input is what [`AnalyticsStore`](crate::store::AnalyticsStore) loads for one space and
//! one window. Weeks are counted from `start`: week 0 is `[start, start + 7 days)`, and a
//! row outside the window's weeks is ignored. Contacts and team measures count only the
//! people in the analysed group (`students`), so interactions with teachers are ignored
//! by them. Team membership is the current one: a student who left a team room no longer
//! counts its members as teammates.

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::index::{Groups, IdIndex, NONE};
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
    let rows = GroupedRows::new(input, None);
    let mut scratch = Scratch::new(&rows, input.weeks);
    let students: Vec<StudentMobility> = input
        .students
        .iter()
        .map(|&user_id| measure_student(input, &rows, &mut scratch, user_id))
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

/// A visit in the window, with its room as a position in [`GroupedRows::rooms`].
#[derive(Debug, Clone, Copy)]
struct Visit {
    entered_at: i64,
    week: u32,
    room: u32,
}

/// An interaction in the window as one measured user sees it.
#[derive(Debug, Clone, Copy)]
struct Contact {
    week: u32,
    /// Whether the user is the actor.
    acted: bool,
    /// Room position when the user acted in a room, else [`NONE`].
    room: u32,
    /// User position of the other side when it is another member of the group, else
    /// [`NONE`].
    other: u32,
}

/// The input's rows grouped by measured user, with users and rooms replaced by dense
/// positions, built once so that measuring every student reads each row a bounded
/// number of times.
struct GroupedRows {
    /// The group and, for [`student_mobility`], the one user measured.
    users: IdIndex,
    in_group: Vec<bool>,
    group_len: usize,
    /// Number of room positions, given to the rooms of `input.rooms` first and then to
    /// other rooms the measured users worked in.
    rooms: usize,
    is_team_room: Vec<bool>,
    team_rooms: usize,
    /// Team membership rooms of each user, as positions in `members_of`.
    teams_of: Groups<u32>,
    /// Measured users of each team membership room.
    members_of: Groups<u32>,
    /// Visits in the window of each user, in `entered_at` order.
    visits_of: Groups<Visit>,
    /// Interactions in the window of each user as actor or target.
    contacts_of: Groups<Contact>,
}

impl GroupedRows {
    fn new(input: &MobilityInput, extra_user: Option<i64>) -> GroupedRows {
        let group = IdIndex::new(input.students.iter().copied());
        let users = IdIndex::new(input.students.iter().copied().chain(extra_user));
        let in_group: Vec<bool> = users
            .ids()
            .iter()
            .map(|id| group.get(*id).is_some())
            .collect();

        let mut room_positions: FxHashMap<i64, u32> = FxHashMap::default();
        let mut is_team_room = Vec::new();
        for room in input.rooms {
            let position = *room_positions.entry(room.id).or_insert_with(|| {
                is_team_room.push(false);
                is_team_room.len() as u32 - 1
            });
            if room.kind == "team" {
                is_team_room[position as usize] = true;
            }
        }
        let team_rooms = is_team_room.iter().filter(|team| **team).count();
        let mut room_of = |id: i64| -> u32 {
            *room_positions.entry(id).or_insert_with(|| {
                is_team_room.push(false);
                is_team_room.len() as u32 - 1
            })
        };

        let mut membership_rooms: FxHashMap<i64, u32> = FxHashMap::default();
        let mut memberships = Vec::new();
        for member in input.teams {
            let user = users.get_u32(member.user_id);
            if user == NONE {
                continue;
            }
            let next = membership_rooms.len() as u32;
            let room = *membership_rooms.entry(member.room_id).or_insert(next);
            memberships.push((user, room));
        }
        let teams_of = Groups::new(users.len(), &memberships);
        let by_room: Vec<(u32, u32)> = memberships
            .iter()
            .map(|(user, room)| (*room, *user))
            .collect();
        let members_of = Groups::new(membership_rooms.len(), &by_room);

        let mut visits = Vec::new();
        for visit in input.visits {
            let user = users.get_u32(visit.user_id);
            if user == NONE {
                continue;
            }
            if let Some(week) = week_of(input, visit.entered_at) {
                let visit = Visit {
                    entered_at: visit.entered_at,
                    week: week as u32,
                    room: room_of(visit.room_id),
                };
                visits.push((user, visit));
            }
        }
        let mut visits_of = Groups::new(users.len(), &visits);
        for user in 0..visits_of.len() {
            visits_of.of_mut(user).sort_by_key(|visit| visit.entered_at);
        }

        let group_member = |user: u32| {
            if user != NONE && in_group[user as usize] {
                user
            } else {
                NONE
            }
        };
        let mut contacts = Vec::new();
        for interaction in input.interactions {
            let Some(week) = week_of(input, interaction.created_at) else {
                continue;
            };
            let week = week as u32;
            let actor = users.get_u32(interaction.actor_id);
            let target = match interaction.target_id {
                Some(target) if target != interaction.actor_id => Some(users.get_u32(target)),
                _ => None,
            };
            if actor != NONE {
                let contact = Contact {
                    week,
                    acted: true,
                    room: interaction.room_id.map_or(NONE, &mut room_of),
                    other: target.map_or(NONE, group_member),
                };
                contacts.push((actor, contact));
            }
            if let Some(target) = target.filter(|target| *target != NONE) {
                let contact = Contact {
                    week,
                    acted: false,
                    room: NONE,
                    other: group_member(actor),
                };
                contacts.push((target, contact));
            }
        }
        let contacts_of = Groups::new(users.len(), &contacts);

        GroupedRows {
            group_len: group.len(),
            users,
            in_group,
            rooms: is_team_room.len(),
            is_team_room,
            team_rooms,
            teams_of,
            members_of,
            visits_of,
            contacts_of,
        }
    }
}

/// Marks reused from one student to the next. An entry equal to the current stamp was
/// set while measuring the current student, so nothing needs clearing between students.
struct Scratch {
    stamp: u32,
    /// One entry per week and room.
    week_rooms: Vec<u32>,
    rooms: Vec<u32>,
    teammates: Vec<u32>,
    contacted: Vec<u32>,
    first_contact_week: Vec<u32>,
    contacts: Vec<u32>,
}

impl Scratch {
    fn new(rows: &GroupedRows, weeks: usize) -> Scratch {
        Scratch {
            stamp: 0,
            week_rooms: vec![0; weeks * rows.rooms],
            rooms: vec![0; rows.rooms],
            teammates: vec![0; rows.users.len()],
            contacted: vec![0; rows.users.len()],
            first_contact_week: vec![0; rows.users.len()],
            contacts: Vec::new(),
        }
    }

    /// Counts `room` for `week` unless the student already worked in it that week.
    fn note_room(
        &mut self,
        rows: &GroupedRows,
        weeks: &mut [StudentWeek],
        totals: &mut RoomTotals,
        week: usize,
        room: u32,
    ) {
        let room = room as usize;
        let team = rows.is_team_room[room];
        let cell = &mut self.week_rooms[week * rows.rooms + room];
        if *cell == self.stamp {
            return;
        }
        *cell = self.stamp;
        weeks[week].rooms += 1;
        weeks[week].teams += usize::from(team);
        if self.rooms[room] != self.stamp {
            self.rooms[room] = self.stamp;
            totals.rooms += 1;
            totals.teams += usize::from(team);
        }
    }
}

/// Distinct rooms and team rooms a student worked in over the window.
#[derive(Default)]
struct RoomTotals {
    rooms: usize,
    teams: usize,
}

/// Computes one student's weekly counts, components and index.
pub fn student_mobility(input: &MobilityInput, user_id: i64) -> StudentMobility {
    let rows = GroupedRows::new(input, Some(user_id));
    let mut scratch = Scratch::new(&rows, input.weeks);
    measure_student(input, &rows, &mut scratch, user_id)
}

fn measure_student(
    input: &MobilityInput,
    rows: &GroupedRows,
    scratch: &mut Scratch,
    user_id: i64,
) -> StudentMobility {
    let user = rows
        .users
        .get(user_id)
        .expect("every measured user is indexed");
    scratch.stamp += 1;
    let stamp = scratch.stamp;
    let own_teams = rows.teams_of.of(user);
    for room in own_teams {
        for member in rows.members_of.of(*room as usize) {
            scratch.teammates[*member as usize] = stamp;
        }
    }

    let mut weeks: Vec<StudentWeek> = (0..input.weeks)
        .map(|week| StudentWeek {
            week,
            ..StudentWeek::default()
        })
        .collect();
    let mut totals = RoomTotals::default();

    // Visits: rooms worked in, switches and activity.
    let visits = rows.visits_of.of(user);
    let mut previous_room = None;
    let mut switches = 0;
    for visit in visits {
        let week = visit.week as usize;
        scratch.note_room(rows, &mut weeks, &mut totals, week, visit.room);
        weeks[week].active = true;
        if previous_room.is_some_and(|room| room != visit.room) {
            weeks[week].switches += 1;
            switches += 1;
        }
        previous_room = Some(visit.room);
    }

    // Interactions: rooms worked in, activity, contacts and the outside-team share.
    scratch.contacts.clear();
    let (mut with_students, mut outside) = (0, 0);
    for contact in rows.contacts_of.of(user) {
        let week = contact.week as usize;
        if contact.acted {
            weeks[week].active = true;
            if contact.room != NONE {
                scratch.note_room(rows, &mut weeks, &mut totals, week, contact.room);
            }
        }
        let other = contact.other as usize;
        if contact.other == NONE {
            continue;
        }
        weeks[week].interactions_with_students += 1;
        with_students += 1;
        if scratch.teammates[other] != stamp {
            weeks[week].outside_team += 1;
            outside += 1;
        }
        // Rows may come in any order, so the first contact is the earliest week seen.
        if scratch.contacted[other] != stamp {
            scratch.contacted[other] = stamp;
            scratch.first_contact_week[other] = contact.week;
            scratch.contacts.push(contact.other);
        } else {
            let first = &mut scratch.first_contact_week[other];
            *first = (*first).min(contact.week);
        }
    }
    for other in &scratch.contacts {
        weeks[scratch.first_contact_week[*other as usize] as usize].new_contacts += 1;
    }

    let active_weeks = weeks.iter().filter(|week| week.active).count();
    let room_coverage = ratio(totals.rooms, input.rooms.len()).unwrap_or(0.0);
    let team_coverage = ratio(totals.teams, rows.team_rooms);
    let switch_rate = ratio(switches, visits.len().saturating_sub(1));
    let outside_team_share = if own_teams.is_empty() {
        None
    } else {
        ratio(outside, with_students)
    };
    let others_in_group = rows.group_len - usize::from(rows.in_group[user]);
    let contact_reach = ratio(scratch.contacts.len(), others_in_group);
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
    use std::collections::{BTreeMap, BTreeSet};

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

    /// Measures one student by filtering every row, as the definitions read.
    fn reference_student(input: &MobilityInput, user: i64) -> StudentMobility {
        let group: BTreeSet<i64> = input.students.iter().copied().collect();
        let team_rooms: BTreeSet<i64> = input
            .rooms
            .iter()
            .filter(|room| room.kind == "team")
            .map(|room| room.id)
            .collect();
        let own: BTreeSet<i64> = input
            .teams
            .iter()
            .filter(|member| member.user_id == user)
            .map(|member| member.room_id)
            .collect();
        let mut weeks: Vec<StudentWeek> = (0..input.weeks)
            .map(|week| StudentWeek {
                week,
                ..StudentWeek::default()
            })
            .collect();
        let mut rooms: Vec<BTreeSet<i64>> = vec![BTreeSet::new(); input.weeks];
        let mut visits: Vec<&RoomVisit> = input
            .visits
            .iter()
            .filter(|visit| visit.user_id == user && week_of(input, visit.entered_at).is_some())
            .collect();
        visits.sort_by_key(|visit| visit.entered_at);
        let mut switches = 0;
        for (position, visit) in visits.iter().enumerate() {
            let week = week_of(input, visit.entered_at).unwrap();
            rooms[week].insert(visit.room_id);
            weeks[week].active = true;
            if position > 0 && visits[position - 1].room_id != visit.room_id {
                weeks[week].switches += 1;
                switches += 1;
            }
        }
        let mut first: BTreeMap<i64, usize> = BTreeMap::new();
        let (mut with_students, mut outside) = (0, 0);
        for row in input.interactions {
            let Some(week) = week_of(input, row.created_at) else {
                continue;
            };
            if row.actor_id == user {
                weeks[week].active = true;
                rooms[week].extend(row.room_id);
            }
            let other = match row.target_id {
                Some(target) if row.actor_id == user => target,
                Some(target) if target == user => row.actor_id,
                _ => continue,
            };
            if other == user || !group.contains(&other) {
                continue;
            }
            weeks[week].interactions_with_students += 1;
            with_students += 1;
            let teammate = input
                .teams
                .iter()
                .any(|member| member.user_id == other && own.contains(&member.room_id));
            if !teammate {
                weeks[week].outside_team += 1;
                outside += 1;
            }
            let entry = first.entry(other).or_insert(week);
            *entry = (*entry).min(week);
        }
        for week in first.values() {
            weeks[*week].new_contacts += 1;
        }
        let all: BTreeSet<i64> = rooms.iter().flatten().copied().collect();
        for (week, rooms) in weeks.iter_mut().zip(&rooms) {
            week.rooms = rooms.len();
            week.teams = rooms.intersection(&team_rooms).count();
        }
        let active = weeks.iter().filter(|week| week.active).count();
        let components = [
            ratio(all.len(), input.rooms.len()).or(Some(0.0)),
            ratio(all.intersection(&team_rooms).count(), team_rooms.len()),
            ratio(switches, visits.len().saturating_sub(1)),
            ratio(outside, with_students).filter(|_| !own.is_empty()),
            ratio(
                first.len(),
                group.len() - usize::from(group.contains(&user)),
            ),
            ratio(active, input.weeks).or(Some(0.0)),
        ];
        StudentMobility {
            user_id: user,
            weeks,
            room_coverage: components[0].unwrap(),
            team_coverage: components[1],
            switch_rate: components[2],
            outside_team_share: components[3],
            contact_reach: components[4],
            active_week_share: components[5].unwrap(),
            index: weighted_index(&components),
        }
    }

    #[test]
    fn random_rows_match_reference() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};

        let mut rng = StdRng::seed_from_u64(11);
        let kinds = ["open", "team", "quiet", "team", "discussion", "team"];
        let rooms: Vec<AnalyticsRoom> = (0..6).map(|id| room(id, kinds[id as usize])).collect();
        // Users 0..15 are students, 15..18 are not; room 9 is not in the room list.
        let user = |rng: &mut StdRng| rng.gen_range(0..18);
        let room_id = |rng: &mut StdRng| rng.gen_range(0..7).min(5) + 4 * rng.gen_range(0..2);
        let time = |rng: &mut StdRng| rng.gen_range(-W..4 * W);
        let teams: Vec<TeamMembership> = (0..25)
            .map(|_| member(room_id(&mut rng), user(&mut rng)))
            .collect();
        let visits: Vec<RoomVisit> = (0..200)
            // Times on quarter weeks, so that visits of a student often tie.
            .map(|_| {
                let entered_at = time(&mut rng) / (W / 4) * (W / 4);
                visit(user(&mut rng), room_id(&mut rng), entered_at)
            })
            .collect();
        let interactions: Vec<Interaction> = (0..400)
            .map(|_| {
                let target = rng.gen_bool(0.7).then(|| user(&mut rng));
                let room = rng.gen_bool(0.6).then(|| room_id(&mut rng));
                interaction(user(&mut rng), target, room, "reply", time(&mut rng))
            })
            .collect();
        let students: Vec<i64> = (0..15).collect();
        let input = MobilityInput {
            students: &students,
            rooms: &rooms,
            teams: &teams,
            visits: &visits,
            interactions: &interactions,
            start: 0,
            weeks: 3,
        };
        let space = space_mobility(&input);
        for (student, measured) in students.iter().zip(&space.students) {
            assert_eq!(*measured, reference_student(&input, *student), "{student}");
        }
        let outsider = student_mobility(&input, 16);
        assert_eq!(outsider, reference_student(&input, 16));
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
