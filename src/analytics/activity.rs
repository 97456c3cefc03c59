//! An in-memory copy of the activity rows of recently reported spaces (room visits,
//! interaction log rows and chat messages), kept in step with the database, so that a
//! dashboard or an export reads only what changed since the previous request.
//!
//! How each table is followed:
//! - Interaction log rows and room visits are only inserted, stamped with the time of the
//!   insert. A refresh reads again every row stamped within [`RECENT_SECS`] of the newest
//!   row in the copy, which picks up rows whose transaction committed after a later one.
//!   It then counts the older rows in the database. When the count differs from the copy
//!   (rows inserted with an older stamp, or removed), the table is read again in full.
//!   Rows inserted during the refresh carry newer stamps, so they never cause a full read.
//! - Chat messages change: they are edited and deleted. Every post or change raises the
//!   room's revision while it locks the room row, so a refresh reads, for each room whose
//!   revision moved, the messages with a newer revision.
//!
//! - Rows changed in place (an erasure moves a person's rows to a placeholder, the
//!   retention period clears old content) raise the space's activity version in the
//!   database in the same transaction. Every refresh reads the version first and starts
//!   the copy afresh when it moved, so every instance reads the space again.
//!
//! Members, rooms and team memberships are small and read on every request. Every
//! instance of cowork keeps its own copy and follows the shared database, so several
//! instances on one PostgreSQL agree.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use futures_util::future::{try_join_all, BoxFuture};

use super::report::{SpaceRows, Window};
use crate::store::analytics::{AnalyticsMessage, LoggedInteraction, LoggedVisit};
use crate::store::{Store, StoreResult};

/// Rows stamped this many seconds before the newest row held are read again on every
/// refresh. A transaction that commits its rows later than this after stamping them is
/// caught by the count check instead, at the price of a full read.
pub const RECENT_SECS: i64 = 120;

/// Default of the `analytics_cache_rows` setting: about 100 MB of rows at most.
pub const DEFAULT_MAX_ROWS: usize = 1_000_000;

/// The copies of several spaces' rows, bounded by a total number of rows. The least
/// recently used spaces are dropped first when the bound is passed.
pub struct ActivityCache {
    max_rows: usize,
    spaces: Mutex<Spaces>,
}

#[derive(Default)]
struct Spaces {
    entries: HashMap<i64, Entry>,
    /// Increases with every use; an entry's `used` is the value at its last use.
    clock: u64,
}

struct Entry {
    activity: Arc<tokio::sync::Mutex<SpaceActivity>>,
    used: u64,
    rows: usize,
}

impl ActivityCache {
    /// Creates a cache of at most `max_rows` rows. With 0 nothing is cached, and every
    /// request reads its window from the database.
    pub fn new(max_rows: usize) -> ActivityCache {
        ActivityCache {
            max_rows,
            spaces: Mutex::new(Spaces::default()),
        }
    }

    /// Returns the rows of a space for a window, reading from the database only what
    /// changed since the previous call for the same space.
    pub async fn rows(
        &self,
        store: &dyn Store,
        space_id: i64,
        window: Window,
    ) -> StoreResult<SpaceRows> {
        if self.max_rows == 0 {
            return SpaceRows::load(store, space_id, window).await;
        }
        let activity = self.entry(space_id);
        let mut activity = activity.lock().await;
        // Read before the rows, so that a change committed during the refresh moves the
        // version for the next request.
        let version = store.activity_version(space_id).await?;
        if version != activity.version {
            tracing::info!(
                space_id,
                version,
                "activity changed in place; reading again"
            );
            *activity = SpaceActivity {
                version,
                ..SpaceActivity::default()
            };
        }
        let (members, rooms, teams, ()) = tokio::try_join!(
            store.analytics_members(space_id),
            store.analytics_rooms(space_id),
            store.team_memberships(space_id),
            activity.refresh(store, space_id),
        )?;
        let rows = SpaceRows {
            members,
            rooms,
            teams,
            ..activity.window(window)
        };
        let held = activity.len();
        drop(activity);
        self.record_size(space_id, held);
        Ok(rows)
    }

    /// Returns the number of rows held for each cached space.
    pub fn held_rows(&self) -> BTreeMap<i64, usize> {
        let spaces = self.spaces.lock().expect("activity cache lock");
        spaces
            .entries
            .iter()
            .map(|(space_id, entry)| (*space_id, entry.rows))
            .collect()
    }

    fn entry(&self, space_id: i64) -> Arc<tokio::sync::Mutex<SpaceActivity>> {
        let mut spaces = self.spaces.lock().expect("activity cache lock");
        spaces.clock += 1;
        let used = spaces.clock;
        let entry = spaces.entries.entry(space_id).or_insert_with(|| Entry {
            activity: Arc::default(),
            used,
            rows: 0,
        });
        entry.used = used;
        entry.activity.clone()
    }

    /// Records how many rows a space has in the copy and drops the least recently used spaces
    /// while the total is over the bound. A space that alone is over the bound is
    /// dropped too, so its next request reads it again.
    fn record_size(&self, space_id: i64, rows: usize) {
        let mut spaces = self.spaces.lock().expect("activity cache lock");
        if let Some(entry) = spaces.entries.get_mut(&space_id) {
            entry.rows = rows;
        }
        loop {
            let total: usize = spaces.entries.values().map(|entry| entry.rows).sum();
            if total <= self.max_rows {
                return;
            }
            let oldest = spaces
                .entries
                .iter()
                .min_by_key(|(_, entry)| entry.used)
                .map(|(space_id, _)| *space_id);
            match oldest {
                Some(oldest) => {
                    spaces.entries.remove(&oldest);
                }
                None => return,
            }
        }
    }
}

/// A row of a table that is only inserted into, stamped with the time of the insert.
trait StampedRow {
    fn stamp(&self) -> i64;
}

impl StampedRow for LoggedInteraction {
    fn stamp(&self) -> i64 {
        self.interaction.created_at
    }
}

impl StampedRow for LoggedVisit {
    fn stamp(&self) -> i64 {
        self.visit.entered_at
    }
}

/// Rows of an insert-only table, ordered by stamp and id.
struct StampedRows<T> {
    rows: Vec<T>,
}

impl<T: StampedRow> StampedRows<T> {
    /// Returns the stamp from which rows are read again: [`RECENT_SECS`] before the
    /// newest row held, or the earliest time when none is held.
    fn recent_from(&self) -> i64 {
        self.rows.last().map_or(i64::MIN, |newest| {
            newest.stamp().saturating_sub(RECENT_SECS)
        })
    }

    /// Returns the number of rows stamped before `from`.
    fn count_before(&self, from: i64) -> usize {
        self.rows.partition_point(|row| row.stamp() < from)
    }

    /// Replaces the rows stamped at or after `from` by `recent`: every such row of the
    /// database, in order.
    fn replace_recent(&mut self, from: i64, recent: Vec<T>) {
        let keep = self.count_before(from);
        self.rows.truncate(keep);
        self.rows.extend(recent);
    }

    /// Reads the recent rows again and checks the older ones by their count, reading
    /// the whole table of the space when the count differs.
    async fn follow<'a>(
        &mut self,
        table: &str,
        space_id: i64,
        read_from: impl Fn(i64) -> BoxFuture<'a, StoreResult<Vec<T>>>,
        count_before: impl Fn(i64) -> BoxFuture<'a, StoreResult<i64>>,
    ) -> StoreResult<()> {
        let from = self.recent_from();
        let (recent, expected) = tokio::try_join!(read_from(from), count_before(from))?;
        self.replace_recent(from, recent);
        let held = self.count_before(from);
        if !counts_match(expected, held) {
            tracing::info!(
                space_id,
                table,
                held,
                expected,
                "rows changed before the recent ones; reading the table again"
            );
            self.rows = read_from(i64::MIN).await?;
        }
        Ok(())
    }

    /// Returns the rows stamped in the window.
    fn window(&self, window: Window) -> &[T] {
        let start = self.rows.partition_point(|row| row.stamp() < window.from);
        let end = self.rows.partition_point(|row| row.stamp() < window.until);
        &self.rows[start..end.max(start)]
    }
}

impl<T> Default for StampedRows<T> {
    fn default() -> Self {
        StampedRows { rows: Vec::new() }
    }
}

/// The copy of one space's rows.
#[derive(Default)]
struct SpaceActivity {
    interactions: StampedRows<LoggedInteraction>,
    /// NOTE: a visit's `left_at` is the value read with the row and is not followed
    /// afterwards. No measure reads it.
    visits: StampedRows<LoggedVisit>,
    /// Messages that are not deleted, by creation time and id.
    messages: BTreeMap<(i64, i64), AnalyticsMessage>,
    /// The room revision up to which each room's messages are held.
    revisions: HashMap<i64, i64>,
    /// The space's activity version the copy was read at.
    version: i64,
}

impl SpaceActivity {
    fn len(&self) -> usize {
        self.interactions.rows.len() + self.visits.rows.len() + self.messages.len()
    }

    /// Brings the copy up to date; the three tables are read at the same time.
    async fn refresh(&mut self, store: &dyn Store, space_id: i64) -> StoreResult<()> {
        let SpaceActivity {
            interactions,
            visits,
            messages,
            revisions,
            ..
        } = self;
        tokio::try_join!(
            interactions.follow(
                "interactions",
                space_id,
                |from| store.logged_interactions_from(space_id, from),
                |before| store.interaction_count_before(space_id, before),
            ),
            visits.follow(
                "room_visits",
                space_id,
                |from| store.logged_visits_from(space_id, from),
                |before| store.visit_count_before(space_id, before),
            ),
            follow_messages(messages, revisions, store, space_id),
        )?;
        Ok(())
    }

    /// Returns copies of the visits, interactions and messages in the window.
    fn window(&self, window: Window) -> SpaceRows {
        let range = (window.from, i64::MIN)..(window.until.max(window.from), i64::MIN);
        SpaceRows {
            visits: self
                .visits
                .window(window)
                .iter()
                .map(|row| row.visit.clone())
                .collect(),
            interactions: self
                .interactions
                .window(window)
                .iter()
                .map(|row| row.interaction.clone())
                .collect(),
            messages: self.messages.range(range).map(|(_, m)| m.clone()).collect(),
            ..SpaceRows::default()
        }
    }
}

/// Applies the message changes of every room whose revision moved, reading the rooms at
/// the same time.
async fn follow_messages(
    messages: &mut BTreeMap<(i64, i64), AnalyticsMessage>,
    revisions: &mut HashMap<i64, i64>,
    store: &dyn Store,
    space_id: i64,
) -> StoreResult<()> {
    let moved: Vec<(i64, i64, i64)> = store
        .room_revisions(space_id)
        .await?
        .into_iter()
        .filter_map(|(room_id, revision)| {
            let held = revisions.get(&room_id).copied().unwrap_or(0);
            (revision > held).then_some((room_id, held, revision))
        })
        .collect();
    let changes = try_join_all(
        moved
            .iter()
            .map(|&(room_id, held, revision)| store.message_changes(room_id, held, revision)),
    )
    .await?;
    for (&(room_id, _, revision), changes) in moved.iter().zip(changes) {
        for change in changes {
            let key = (change.message.created_at, change.message.id);
            if change.deleted {
                messages.remove(&key);
            } else {
                messages.insert(key, change.message);
            }
        }
        revisions.insert(room_id, revision);
    }
    Ok(())
}

fn counts_match(expected: i64, held: usize) -> bool {
    usize::try_from(expected).is_ok_and(|expected| expected == held)
}
