//! In-process fan-out of chat and presence events to the WebSocket connections of a space.
//!
//! Each space has a broadcast channel for space-wide events (presence, the room list) and
//! one per room with listeners, so a message wakes only the connections in its room.
//! Events are serialized once, before fan-out, and every connection sends the same bytes.
//! A connection that falls behind a channel gets a message to resynchronise from its last
//! revision, so a slow client never holds up the others.
//!
//! Presence changes are gathered per space for [`PRESENCE_BATCH_DELAY`] and sent as one
//! event, with only the latest change of each person. A class of n students connecting
//! at once then costs a few frames per connection rather than n.
//!
//! When instances share a PostgreSQL database, the hub is linked to the cluster (see
//! [`super::cluster`]): what [`Hub::publish`] and the presence batches send locally is
//! also forwarded to the other instances, and their events arrive through
//! [`Hub::deliver`] and [`Hub::deliver_presence`], which do not forward again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use super::cluster::{Link, Notice};
use super::protocol::ServerMessage;

/// Events buffered per space before a slow connection must resynchronise.
const CHANNEL_CAPACITY: usize = 1024;

/// How long presence changes of a space are gathered before they are sent together.
pub const PRESENCE_BATCH_DELAY: Duration = Duration::from_millis(250);
/// Most presence entries in one frame. A connection keeps a write buffer as large as the
/// largest frame it sent, so a class of thousands must not arrive in one frame.
pub const PRESENCE_FRAME_ENTRIES: usize = 64;

/// One event for the connections of a space, already serialized.
#[derive(Debug)]
pub struct Event {
    /// The room the event belongs to; `None` for space-wide events such as presence.
    pub room_id: Option<i64>,
    /// The JSON text sent to participants.
    pub payload: Utf8Bytes,
    /// The JSON text sent to teachers when it differs (a hidden message keeps its text).
    pub moderator_payload: Option<Utf8Bytes>,
}

/// A connected person and their room and status, as other participants see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEntry {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub room_id: Option<i64>,
    pub status: String,
}

/// A person's latest presence: their entry and whether they are connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceChange {
    #[serde(flatten)]
    pub entry: PresenceEntry,
    pub online: bool,
}

struct SpaceState {
    /// Space-wide events.
    sender: broadcast::Sender<Arc<Event>>,
    /// Events of each room that has had a listener since its last event.
    rooms: HashMap<i64, broadcast::Sender<Arc<Event>>>,
    /// Connected people with their number of open connections.
    online: HashMap<i64, (PresenceEntry, usize)>,
    /// Presence changes not sent yet, the latest per person.
    pending: HashMap<i64, PresenceChange>,
    /// Whether a task will send `pending` shortly.
    flush_scheduled: bool,
}

impl SpaceState {
    fn new() -> Self {
        Self {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            rooms: HashMap::new(),
            online: HashMap::new(),
            pending: HashMap::new(),
            flush_scheduled: false,
        }
    }
}

/// Channels and live presence of every space with connections on this instance.
pub struct Hub {
    spaces: Mutex<HashMap<i64, SpaceState>>,
    room_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
    /// Set while other instances share the database.
    link: Mutex<Option<Arc<Link>>>,
    /// Becomes true when the instance stops; every connection then closes.
    stopping: watch::Sender<bool>,
    /// WebSocket connections being served.
    connections: watch::Sender<usize>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            spaces: Mutex::default(),
            room_locks: Mutex::default(),
            link: Mutex::default(),
            stopping: watch::channel(false).0,
            connections: watch::channel(0).0,
        }
    }
}

/// Counts one WebSocket connection as open until it is dropped.
pub struct ConnectionGuard {
    connections: watch::Sender<usize>,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.connections.send_modify(|count| *count -= 1);
    }
}

impl Hub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a connection as open while the returned guard lives.
    pub fn track_connection(&self) -> ConnectionGuard {
        self.connections.send_modify(|count| *count += 1);
        ConnectionGuard {
            connections: self.connections.clone(),
        }
    }

    /// Returns a receiver whose value becomes true when the instance stops.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Tells every connection to close with code 1012 (service restart), so clients
    /// reconnect, through the load balancer, to an instance that is running. Then waits
    /// up to `limit` for the connections to end and returns how many are still open.
    pub async fn close_connections(&self, limit: std::time::Duration) -> usize {
        self.stopping.send_replace(true);
        let mut open = self.connections.subscribe();
        let _ = tokio::time::timeout(limit, open.wait_for(|count| *count == 0)).await;
        let left = *open.borrow();
        left
    }

    /// Links the hub to the other instances, replacing an earlier link.
    pub fn link(&self, link: Option<Arc<Link>>) {
        *self.link.lock().expect("hub link lock") = link;
    }

    /// This instance's link to the others, when it has one.
    pub fn cluster_link(&self) -> Option<Arc<Link>> {
        self.link.lock().expect("hub link lock").clone()
    }

    /// Subscribes to a space's events.
    pub fn subscribe(&self, space_id: i64) -> broadcast::Receiver<Arc<Event>> {
        let mut spaces = self.spaces.lock().expect("hub lock");
        spaces
            .entry(space_id)
            .or_insert_with(SpaceState::new)
            .sender
            .subscribe()
    }

    /// Subscribes to the events of one room of a space.
    pub fn subscribe_room(&self, space_id: i64, room_id: i64) -> broadcast::Receiver<Arc<Event>> {
        let mut spaces = self.spaces.lock().expect("hub lock");
        spaces
            .entry(space_id)
            .or_insert_with(SpaceState::new)
            .rooms
            .entry(room_id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Sends an event to the connections in its room, or to every connection of the space
    /// when it belongs to no room, on this instance and on the others.
    pub fn publish(&self, space_id: i64, event: Event) {
        if let Some(link) = self.cluster_link() {
            link.forward(Notice::Event {
                space_id,
                room_id: event.room_id,
                payload: event.payload.as_str().to_owned(),
                moderator_payload: event
                    .moderator_payload
                    .as_ref()
                    .map(|payload| payload.as_str().to_owned()),
            });
        }
        self.deliver(space_id, event);
    }

    /// Sends an event to the connections of this instance only. No listener means no work.
    pub fn deliver(&self, space_id: i64, event: Event) {
        let mut spaces = self.spaces.lock().expect("hub lock");
        let Some(space) = spaces.get_mut(&space_id) else {
            return;
        };
        match event.room_id {
            None => {
                let _ = space.sender.send(Arc::new(event));
            }
            Some(room_id) => {
                let Some(sender) = space.rooms.get(&room_id) else {
                    return;
                };
                if sender.send(Arc::new(event)).is_err() {
                    // Everyone left the room: forget its channel until someone joins.
                    space.rooms.remove(&room_id);
                }
            }
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

    /// Queues a presence change; the changes of a space are sent together after
    /// [`PRESENCE_BATCH_DELAY`]. Must be called within a Tokio runtime.
    pub fn queue_presence(self: &Arc<Self>, space_id: i64, change: PresenceChange) {
        let mut spaces = self.spaces.lock().expect("hub lock");
        let Some(space) = spaces.get_mut(&space_id) else {
            return;
        };
        space.pending.insert(change.entry.user_id, change);
        if space.flush_scheduled {
            return;
        }
        space.flush_scheduled = true;
        let hub = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(PRESENCE_BATCH_DELAY).await;
            hub.flush_presence(space_id);
        });
    }

    /// Sends the queued presence changes of a space as one event, ordered by user id.
    fn flush_presence(&self, space_id: i64) {
        let mut spaces = self.spaces.lock().expect("hub lock");
        let Some(space) = spaces.get_mut(&space_id) else {
            return;
        };
        space.flush_scheduled = false;
        let mut changes: Vec<PresenceChange> = space.pending.drain().map(|(_, c)| c).collect();
        if changes.is_empty() {
            return;
        }
        changes.sort_by_key(|change| change.entry.user_id);
        send_presence(&space.sender, &changes);
        drop(spaces);
        if let Some(link) = self.cluster_link() {
            link.forward(Notice::Presence { space_id, changes });
        }
    }

    /// Sends presence changes that came from another instance to this instance's
    /// connections. A person still connected here stays online whatever the other
    /// instance reports.
    pub fn deliver_presence(&self, space_id: i64, changes: Vec<PresenceChange>) {
        let spaces = self.spaces.lock().expect("hub lock");
        let Some(space) = spaces.get(&space_id) else {
            return;
        };
        let changes: Vec<PresenceChange> = changes
            .into_iter()
            .filter(|change| change.online || !space.online.contains_key(&change.entry.user_id))
            .collect();
        if !changes.is_empty() {
            send_presence(&space.sender, &changes);
        }
    }

    /// Asks every connection of this instance to load its room again, after events may
    /// have been missed.
    pub fn resync_all(&self) {
        let spaces = self.spaces.lock().expect("hub lock");
        let payload = Utf8Bytes::from(ServerMessage::Resync.to_json());
        for space in spaces.values() {
            let _ = space.sender.send(Arc::new(Event {
                room_id: None,
                payload: payload.clone(),
                moderator_payload: None,
            }));
        }
    }

    /// Asks every connection to a space, on every instance, to load its room again,
    /// after messages in it were changed outside the chat (an erasure, the retention job).
    pub fn resync_space(&self, space_id: i64) {
        self.publish(
            space_id,
            Event {
                room_id: None,
                payload: Utf8Bytes::from(ServerMessage::Resync.to_json()),
                moderator_payload: None,
            },
        );
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

/// Sends presence changes to the space-wide channel, [`PRESENCE_FRAME_ENTRIES`] per event.
fn send_presence(sender: &broadcast::Sender<Arc<Event>>, changes: &[PresenceChange]) {
    for part in changes.chunks(PRESENCE_FRAME_ENTRIES) {
        let payload = ServerMessage::Presence { changes: part }.to_json();
        let _ = sender.send(Arc::new(Event {
            room_id: None,
            payload: Utf8Bytes::from(payload),
            moderator_payload: None,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(user_id: i64, status: &str) -> PresenceEntry {
        PresenceEntry {
            user_id,
            name: format!("Person {user_id}"),
            role: "student".into(),
            room_id: None,
            status: status.into(),
        }
    }

    fn changes_of(event: &Event) -> Vec<serde_json::Value> {
        let value: serde_json::Value = serde_json::from_str(&event.payload).unwrap();
        assert_eq!(value["type"], "presence");
        value["changes"].as_array().unwrap().clone()
    }

    #[tokio::test]
    async fn class_connect_sends_one_event() {
        let hub = Arc::new(Hub::new());
        let mut receiver = hub.subscribe(7);
        for user_id in 1..=30 {
            assert!(hub.connect(7, entry(user_id, "available")));
            let change = PresenceChange {
                entry: entry(user_id, "available"),
                online: true,
            };
            hub.queue_presence(7, change);
        }
        let event = receiver.recv().await.unwrap();
        let changes = changes_of(&event);
        assert_eq!(changes.len(), 30);
        assert_eq!(changes[0]["user_id"], 1);
        assert_eq!(changes[29]["online"], true);
        assert!(
            receiver.try_recv().is_err(),
            "one event for the whole batch"
        );
    }

    #[tokio::test]
    async fn large_batches_split_into_frames() {
        let hub = Arc::new(Hub::new());
        let mut receiver = hub.subscribe(7);
        let people = PRESENCE_FRAME_ENTRIES * 2 + 1;
        for user_id in 1..=people as i64 {
            hub.connect(7, entry(user_id, "available"));
            let change = PresenceChange {
                entry: entry(user_id, "available"),
                online: true,
            };
            hub.queue_presence(7, change);
        }
        let mut sizes = Vec::new();
        while sizes.iter().sum::<usize>() < people {
            sizes.push(changes_of(&receiver.recv().await.unwrap()).len());
        }
        assert_eq!(
            sizes,
            vec![PRESENCE_FRAME_ENTRIES, PRESENCE_FRAME_ENTRIES, 1]
        );
    }

    #[tokio::test]
    async fn latest_change_per_person_wins() {
        let hub = Arc::new(Hub::new());
        let mut receiver = hub.subscribe(7);
        hub.connect(7, entry(1, "available"));
        for (status, online) in [("available", true), ("busy", true), ("busy", false)] {
            let change = PresenceChange {
                entry: entry(1, status),
                online,
            };
            hub.queue_presence(7, change);
        }
        let changes = changes_of(&receiver.recv().await.unwrap());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0]["status"], "busy");
        assert_eq!(changes[0]["online"], false);
    }

    #[tokio::test]
    async fn later_changes_start_new_batch() {
        let hub = Arc::new(Hub::new());
        let mut receiver = hub.subscribe(7);
        hub.connect(7, entry(1, "available"));
        let first = PresenceChange {
            entry: entry(1, "available"),
            online: true,
        };
        hub.queue_presence(7, first);
        assert_eq!(changes_of(&receiver.recv().await.unwrap()).len(), 1);
        let second = PresenceChange {
            entry: entry(1, "dnd"),
            online: true,
        };
        hub.queue_presence(7, second);
        let changes = changes_of(&receiver.recv().await.unwrap());
        assert_eq!(changes[0]["status"], "dnd");
    }

    fn message_event(room_id: i64, text: &str) -> Event {
        Event {
            room_id: Some(room_id),
            payload: Utf8Bytes::from(text.to_string()),
            moderator_payload: None,
        }
    }

    #[tokio::test]
    async fn room_events_reach_only_that_room() {
        let hub = Arc::new(Hub::new());
        let mut space = hub.subscribe(7);
        let mut first = hub.subscribe_room(7, 1);
        let mut second = hub.subscribe_room(7, 2);
        hub.publish(7, message_event(1, "to room one"));
        assert_eq!(first.recv().await.unwrap().payload.as_str(), "to room one");
        assert!(second.try_recv().is_err(), "another room hears nothing");
        assert!(
            space.try_recv().is_err(),
            "space-wide listeners hear nothing"
        );
    }

    #[tokio::test]
    async fn room_without_listeners_is_forgotten() {
        let hub = Arc::new(Hub::new());
        let _space = hub.subscribe(7);
        drop(hub.subscribe_room(7, 1));
        hub.publish(7, message_event(1, "nobody hears this"));
        let mut later = hub.subscribe_room(7, 1);
        hub.publish(7, message_event(1, "a new listener hears this"));
        let event = later.recv().await.unwrap();
        assert_eq!(event.payload.as_str(), "a new listener hears this");
    }

    #[tokio::test]
    async fn remote_offline_ignored_while_connected_here() {
        let hub = Arc::new(Hub::new());
        let mut receiver = hub.subscribe(7);
        hub.connect(7, entry(1, "available"));
        let offline = |user_id| PresenceChange {
            entry: entry(user_id, "available"),
            online: false,
        };
        hub.deliver_presence(7, vec![offline(1), offline(2)]);
        let changes = changes_of(&receiver.recv().await.unwrap());
        assert_eq!(changes.len(), 1, "person 1 is still connected here");
        assert_eq!(changes[0]["user_id"], 2);
        hub.deliver_presence(7, vec![offline(1)]);
        assert!(receiver.try_recv().is_err(), "nothing left to send");
    }

    #[tokio::test]
    async fn resync_reaches_every_space() {
        let hub = Arc::new(Hub::new());
        let mut first = hub.subscribe(7);
        let mut second = hub.subscribe(8);
        hub.resync_all();
        for receiver in [&mut first, &mut second] {
            let event = receiver.recv().await.unwrap();
            assert_eq!(event.payload.as_str(), r#"{"type":"resync"}"#);
        }
    }

    #[tokio::test]
    async fn unconnected_space_queues_nothing() {
        let hub = Arc::new(Hub::new());
        let change = PresenceChange {
            entry: entry(1, "available"),
            online: true,
        };
        hub.queue_presence(9, change);
        let mut receiver = hub.subscribe(9);
        tokio::time::sleep(PRESENCE_BATCH_DELAY * 2).await;
        assert!(receiver.try_recv().is_err());
    }
}
