//! In-process fan-out of chat and presence events to the WebSocket connections of a space.
//!
//! Each space has one broadcast channel; a connection forwards the events of the room it
//! is in and every presence event. Events are serialized once, before fan-out. A
//! connection that falls behind the channel gets a message to resynchronise from its last
//! revision, so a slow client never holds up the others.
//!
//! NOTE: events reach only connections of this process; instances sharing a PostgreSQL
//! database do not see each other's events yet. Presence changes are sent one by one to
//! every connection, so a class connecting at once costs a number of frames that grows
//! with the square of its size (see BENCHMARKS.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::broadcast;

/// Events buffered per space before a slow connection must resynchronise.
const CHANNEL_CAPACITY: usize = 1024;

/// One event for the connections of a space, already serialized.
#[derive(Debug)]
pub struct Event {
    /// The room the event belongs to; `None` for space-wide events such as presence.
    pub room_id: Option<i64>,
    /// The JSON text sent to participants.
    pub payload: Arc<str>,
    /// The JSON text sent to teachers when it differs (a hidden message keeps its text).
    pub moderator_payload: Option<Arc<str>>,
}

/// A connected person and their room and status, as other participants see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PresenceEntry {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub room_id: Option<i64>,
    pub status: String,
}

struct SpaceState {
    sender: broadcast::Sender<Arc<Event>>,
    /// Connected people with their number of open connections.
    online: HashMap<i64, (PresenceEntry, usize)>,
}

/// Channels and live presence of every space with connections on this instance.
#[derive(Default)]
pub struct Hub {
    spaces: Mutex<HashMap<i64, SpaceState>>,
    room_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl Hub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Subscribes to a space's events.
    pub fn subscribe(&self, space_id: i64) -> broadcast::Receiver<Arc<Event>> {
        let mut spaces = self.spaces.lock().expect("hub lock");
        spaces
            .entry(space_id)
            .or_insert_with(|| SpaceState {
                sender: broadcast::channel(CHANNEL_CAPACITY).0,
                online: HashMap::new(),
            })
            .sender
            .subscribe()
    }

    /// Sends an event to every connection of the space; no connection means no work.
    pub fn publish(&self, space_id: i64, event: Event) {
        let spaces = self.spaces.lock().expect("hub lock");
        if let Some(space) = spaces.get(&space_id) {
            let _ = space.sender.send(Arc::new(event));
        }
    }

    /// Returns a lock that serialises storing and publishing the changes of one room, so every
    /// connection receives them in revision order.
    pub fn room_lock(&self, room_id: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.room_locks.lock().expect("hub lock");
        locks.entry(room_id).or_default().clone()
    }

    /// Records one more connection of a person and returns whether they just came online.
    pub fn connect(&self, space_id: i64, entry: PresenceEntry) -> bool {
        let mut spaces = self.spaces.lock().expect("hub lock");
        let Some(space) = spaces.get_mut(&space_id) else {
            return false;
        };
        let slot = space.online.entry(entry.user_id).or_insert((entry, 0));
        slot.1 += 1;
        slot.1 == 1
    }

    /// Records a closed connection and returns whether the person is now offline.
    pub fn disconnect(&self, space_id: i64, user_id: i64) -> bool {
        let mut spaces = self.spaces.lock().expect("hub lock");
        let Some(space) = spaces.get_mut(&space_id) else {
            return false;
        };
        let gone = match space.online.get_mut(&user_id) {
            Some(slot) if slot.1 > 1 => {
                slot.1 -= 1;
                false
            }
            Some(_) => {
                space.online.remove(&user_id);
                true
            }
            None => false,
        };
        if space.online.is_empty() && space.sender.receiver_count() == 0 {
            spaces.remove(&space_id);
        }
        gone
    }

    /// Updates a connected person's room or status and returns their new entry.
    pub fn update_presence(
        &self,
        space_id: i64,
        user_id: i64,
        change: impl FnOnce(&mut PresenceEntry),
    ) -> Option<PresenceEntry> {
        let mut spaces = self.spaces.lock().expect("hub lock");
        let slot = spaces.get_mut(&space_id)?.online.get_mut(&user_id)?;
        change(&mut slot.0);
        Some(slot.0.clone())
    }

    /// Everyone connected to a space right now, by name.
    pub fn online(&self, space_id: i64) -> Vec<PresenceEntry> {
        let spaces = self.spaces.lock().expect("hub lock");
        let mut entries: Vec<PresenceEntry> = spaces
            .get(&space_id)
            .map(|space| {
                space
                    .online
                    .values()
                    .map(|(entry, _)| entry.clone())
                    .collect()
            })
            .unwrap_or_default();
        entries.sort_by(|a, b| a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id)));
        entries
    }
}
