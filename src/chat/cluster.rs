//! Carries chat and presence events between instances that share one PostgreSQL
//! database, through `LISTEN`/`NOTIFY`.
//!
//! Every event an instance publishes to its own connections is also sent as a
//! notification on the database's channel. Every other instance delivers it to its own
//! connections. A notification carries at most 8,000 bytes, so a larger event is stored in
//! `bus_payloads` and the notification carries the row's id.
//!
//! Presence is kept in the database as well: each instance writes a row per connected
//! person (see [`ClusterStore`]) and reports itself alive every [`HEARTBEAT`]. A new
//! connection's list of who is online joins this instance's people with the rows of the
//! other live instances. When an instance stops without saying so, one of the others
//! removes its rows after [`STALE_AFTER`] and tells the clients that those people left.
//!
//! When the listening connection drops, events sent meanwhile are lost to this instance,
//! so at the first notification after it reconnects every connection is asked to
//! resynchronise its room.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::hub::{Event, Hub, PresenceChange, PresenceEntry};
use crate::store::cluster::LivePresence;
use crate::store::{DynStore, StoreError};
use crate::unix_now;

/// How often an instance reports itself alive.
pub const HEARTBEAT: Duration = Duration::from_secs(10);
/// An instance not heard from for this long counts as stopped.
pub const STALE_AFTER: i64 = 45;
/// Largest notification text sent as it is; PostgreSQL's limit is 8,000 bytes.
const NOTIFY_MAX_BYTES: usize = 7_900;
/// Stored event bodies are kept this long, enough for every listener to read them.
const PAYLOAD_KEEP_SECS: i64 = 600;
/// Events waiting to be sent to the database before new ones are dropped.
const OUTBOUND_QUEUE: usize = 65_536;
/// The job name under which one instance removes the rows of stopped instances.
const REAPER_JOB: &str = "cluster_reaper";

/// A message between instances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A chat or room event, already serialized for clients.
    Event {
        space_id: i64,
        room_id: Option<i64>,
        payload: String,
        moderator_payload: Option<String>,
    },
    /// A batch of presence changes of one space.
    Presence {
        space_id: i64,
        changes: Vec<PresenceChange>,
    },
}

/// A notification as sent: the sending instance and either the notice or the id of the
/// row that contains it.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notice: Option<Notice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stored: Option<i64>,
}

/// This instance's place in the cluster, as the hub and connections see it.
pub struct Link {
    pub instance_id: String,
    outbound: mpsc::Sender<Notice>,
}

impl Link {
    /// Queues a notice for the other instances; drops it with a warning when the database
    /// has fallen far behind.
    pub fn forward(&self, notice: Notice) {
        if let Err(error) = self.outbound.try_send(notice) {
            tracing::warn!(%error, "event for other instances dropped");
        }
    }
}

/// Returns the notification channel of a schema. Each schema has its own channel, so
/// deployments (or test runs) sharing a database in different schemas stay apart.
pub fn channel_name(schema: &str) -> String {
    let clean: String = schema
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if clean == "public" {
        "cowork_events".to_string()
    } else {
        let mut name = format!("cowork_events_{clean}");
        name.truncate(63);
        name
    }
}

/// Background tasks of cluster mode; aborting them is enough to stop it.
pub struct ClusterTasks {
    /// Listening and heartbeat.
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Sends the queued notices; ends once the hub drops its link.
    sender: Option<tokio::task::JoinHandle<()>>,
    store: DynStore,
    hub: Arc<Hub>,
    pool: PgPool,
    channel: String,
    instance_id: String,
}

impl ClusterTasks {
    /// Stops the tasks, removes this instance's presence and notifies the other instances
    /// of the people who left with it.
    pub async fn leave(mut self) {
        for task in &self.tasks {
            task.abort();
        }
        // Without the link the queue closes, and the sender ends after sending what is
        // queued.
        self.hub.link(None);
        if let Some(sender) = self.sender.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), sender).await;
        }
        let gone = match self.store.remove_instance(&self.instance_id).await {
            Ok(gone) => gone,
            Err(error) => {
                tracing::warn!(%error, "removing this instance's presence failed");
                return;
            }
        };
        for (space_id, changes) in departures(&self.store, gone).await {
            let notice = Notice::Presence { space_id, changes };
            if let Err(error) = send(
                &self.pool,
                &self.store,
                &self.channel,
                &self.instance_id,
                notice,
            )
            .await
            {
                tracing::warn!(%error, "notifying other instances of departures failed");
            }
        }
    }
}

impl Drop for ClusterTasks {
    fn drop(&mut self) {
        for task in self.tasks.iter().chain(&self.sender) {
            task.abort();
        }
    }
}

/// Joins the cluster when the store is PostgreSQL: reports this instance, starts
/// listening and sending, and links the hub. Returns `None` on SQLite, where one instance
/// owns the database.
pub async fn join(store: &DynStore, hub: &Arc<Hub>) -> Result<Option<ClusterTasks>, StoreError> {
    let Some(pool) = store.postgres_pool() else {
        return Ok(None);
    };
    let instance_id = crate::random_token(9);
    let (schema,): (String,) = sqlx::query_as("SELECT current_schema()")
        .fetch_one(&pool)
        .await?;
    let channel = channel_name(&schema);
    store.report_instance(&instance_id, unix_now()).await?;
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(&channel).await?;

    let (outbound, queue) = mpsc::channel(OUTBOUND_QUEUE);
    let link = Link {
        instance_id: instance_id.clone(),
        outbound,
    };
    hub.link(Some(Arc::new(link)));
    tracing::info!(instance = %instance_id, %channel, "sharing chat and presence through PostgreSQL");
    let sender = tokio::spawn(send_loop(
        pool.clone(),
        store.clone(),
        channel.clone(),
        instance_id.clone(),
        queue,
    ));
    let tasks = vec![
        tokio::spawn(listen_loop(
            listener,
            store.clone(),
            hub.clone(),
            instance_id.clone(),
        )),
        tokio::spawn(heartbeat_loop(
            store.clone(),
            hub.clone(),
            instance_id.clone(),
        )),
    ];
    Ok(Some(ClusterTasks {
        tasks,
        sender: Some(sender),
        store: store.clone(),
        hub: hub.clone(),
        pool,
        channel,
        instance_id,
    }))
}

/// Sends queued notices in order, one notification each.
async fn send_loop(
    pool: PgPool,
    store: DynStore,
    channel: String,
    instance_id: String,
    mut queue: mpsc::Receiver<Notice>,
) {
    while let Some(notice) = queue.recv().await {
        if let Err(error) = send(&pool, &store, &channel, &instance_id, notice).await {
            tracing::warn!(%error, "sending an event to other instances failed");
        }
    }
}

async fn send(
    pool: &PgPool,
    store: &DynStore,
    channel: &str,
    instance_id: &str,
    notice: Notice,
) -> Result<(), StoreError> {
    let mut envelope = Envelope {
        from: instance_id.to_string(),
        notice: Some(notice),
        stored: None,
    };
    let mut text = serde_json::to_string(&envelope).expect("notices serialize");
    if text.len() > NOTIFY_MAX_BYTES {
        let body = serde_json::to_string(&envelope.notice).expect("notices serialize");
        envelope.stored = Some(store.put_bus_payload(&body, unix_now()).await?);
        envelope.notice = None;
        text = serde_json::to_string(&envelope).expect("notices serialize");
    }
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(channel)
        .bind(&text)
        .execute(pool)
        .await?;
    Ok(())
}

/// Delivers the notices of other instances to this instance's connections.
async fn listen_loop(
    mut listener: PgListener,
    store: DynStore,
    hub: Arc<Hub>,
    instance_id: String,
) {
    let mut lost = false;
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => {
                if lost {
                    lost = false;
                    tracing::info!("listening for other instances again; clients resynchronise");
                    hub.resync_all();
                }
                receive(&store, &hub, &instance_id, notification.payload()).await;
            }
            // The connection dropped; the next call reconnects and listens again.
            Ok(None) => {
                if !lost {
                    tracing::warn!("lost the connection that listens for other instances");
                }
                lost = true;
            }
            Err(error) => {
                lost = true;
                tracing::warn!(%error, "listening for other instances failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Handles one notification text.
pub async fn receive(store: &DynStore, hub: &Hub, instance_id: &str, text: &str) {
    let envelope: Envelope = match serde_json::from_str(text) {
        Ok(envelope) => envelope,
        Err(error) => {
            tracing::warn!(%error, "invalid notification from another instance");
            return;
        }
    };
    if envelope.from == instance_id {
        return;
    }
    let notice = match (envelope.notice, envelope.stored) {
        (Some(notice), _) => notice,
        (None, Some(id)) => match store.bus_payload(id).await {
            Ok(Some(body)) => match serde_json::from_str(&body) {
                Ok(notice) => notice,
                Err(error) => {
                    tracing::warn!(%error, id, "invalid stored event");
                    return;
                }
            },
            Ok(None) => {
                tracing::warn!(
                    id,
                    "stored event not found; it was purged before this instance read it"
                );
                return;
            }
            Err(error) => {
                tracing::warn!(%error, id, "reading a stored event failed");
                return;
            }
        },
        (None, None) => return,
    };
    match notice {
        Notice::Event {
            space_id,
            room_id,
            payload,
            moderator_payload,
        } => hub.deliver(
            space_id,
            Event {
                room_id,
                payload: Utf8Bytes::from(payload),
                moderator_payload: moderator_payload.map(Utf8Bytes::from),
            },
        ),
        Notice::Presence { space_id, changes } => hub.deliver_presence(space_id, changes),
    }
}

/// Reports this instance alive and, on the instance that claims the job, removes the
/// presence of instances that stopped reporting.
async fn heartbeat_loop(store: DynStore, hub: Arc<Hub>, instance_id: String) {
    let mut ticker = tokio::time::interval(HEARTBEAT);
    loop {
        ticker.tick().await;
        let now = unix_now();
        if let Err(error) = store.report_instance(&instance_id, now).await {
            tracing::warn!(%error, "reporting this instance alive failed");
            continue;
        }
        match store
            .claim_job(REAPER_JOB, &instance_id, now, HEARTBEAT.as_secs() as i64)
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "claiming the cluster upkeep failed");
                continue;
            }
        }
        match store.reap_instances(now - STALE_AFTER).await {
            Ok(gone) => {
                if !gone.is_empty() {
                    tracing::info!(people = gone.len(), "removed presence of stopped instances");
                }
                for (space_id, changes) in departures(&store, gone).await {
                    hub.deliver_presence(space_id, changes.clone());
                    if let Some(link) = hub.cluster_link() {
                        link.forward(Notice::Presence { space_id, changes });
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "removing stopped instances failed"),
        }
        if let Err(error) = store.purge_bus_payloads(now - PAYLOAD_KEEP_SECS).await {
            tracing::warn!(%error, "purging stored events failed");
        }
    }
}

/// Builds, per space, the presence changes that mark the people of `gone` offline, leaving
/// out those still connected through some live instance.
async fn departures(
    store: &DynStore,
    gone: Vec<LivePresence>,
) -> HashMap<i64, Vec<PresenceChange>> {
    let alive_since = unix_now() - STALE_AFTER;
    let mut by_space: HashMap<i64, Vec<PresenceChange>> = HashMap::new();
    for row in gone {
        let elsewhere = store
            .connected_elsewhere(&row.instance_id, row.space_id, row.user_id, alive_since)
            .await
            .unwrap_or(true);
        if !elsewhere {
            by_space
                .entry(row.space_id)
                .or_default()
                .push(PresenceChange {
                    entry: entry_of(&row),
                    online: false,
                });
        }
    }
    by_space
}

/// Converts a stored presence row to the entry clients see.
pub fn entry_of(row: &LivePresence) -> PresenceEntry {
    PresenceEntry {
        user_id: row.user_id,
        name: row.name.clone(),
        role: row.role.clone(),
        room_id: row.room_id,
        status: row.status.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_follow_the_schema() {
        assert_eq!(channel_name("public"), "cowork_events");
        assert_eq!(channel_name("Test-42"), "cowork_events_test_42");
        assert!(channel_name(&"x".repeat(200)).len() <= 63);
    }

    #[test]
    fn notices_round_trip() {
        let notice = Notice::Event {
            space_id: 3,
            room_id: Some(4),
            payload: "{\"type\":\"message\"}".into(),
            moderator_payload: None,
        };
        let envelope = Envelope {
            from: "a".into(),
            notice: Some(notice.clone()),
            stored: None,
        };
        let text = serde_json::to_string(&envelope).unwrap();
        let back: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(back.notice, Some(notice));
        assert_eq!(back.stored, None);
    }
}
