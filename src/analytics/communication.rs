//! Communication effectiveness: whether questions get answers, how fast, and the shape
//! of the network of who interacts with whom.
//!
//! Input is what [`AnalyticsStore`](crate::store::AnalyticsStore) loads for one space and
//! one window. A reply or interaction outside the window is not seen, so a question asked
//! near the window's end can look unanswered. Measures are given for the space, for each
//! room (chat threads and interactions that carry the room) and for each student. Threads
//! count whoever started them, teachers included, and a reply by anyone else answers.
//!
//! The network has one node per member of the analysed group (usually the students) and
//! an edge between two members when either acted on the other at least once in the
//! window: any interaction log row with a target (reply, mention, reaction, help offer,
//! help reply, help given, thanks, feedback, showcase comment or reaction). Interactions
//! with people outside the group are ignored. Density and the centralities use this
//! graph as undirected and unweighted, as NetworkX does for a `Graph` without weights;
//! reciprocity uses its directed edges.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::index::{IdIndex, NONE};
use super::mobility::{ratio, Distribution};
use super::network::{self, Adjacency, Network};
use crate::store::analytics::AnalyticsMessage;
use crate::store::chat::Interaction;

/// Definition of [`ResponseStats::response_rate`].
pub const RESPONSE_RATE_DEFINITION: &str = "Share of questions that someone other than the \
     asker replied to. A question is a chat message that starts a thread and ends with \"?\", \
     or a help request; a reply is a message in its thread, or a post in the request's \
     conversation.";
/// Definition of [`ResponseStats::median_first_reply_secs`].
pub const FIRST_REPLY_DEFINITION: &str = "Median time, in seconds, from an answered question \
     to its first reply by someone other than the asker.";
/// Definition of [`ResponseStats::replies_per_thread`].
pub const REPLIES_PER_THREAD_DEFINITION: &str = "Mean number of replies per thread (chat \
     threads and help requests), counting threads without replies.";
/// Definition of [`GroupSummary::reciprocity`].
pub const RECIPROCITY_DEFINITION: &str = "Share of directed pairs A→B (A acted on B at least \
     once) for which B also acted on A.";
/// Definition of [`GroupSummary::density`].
pub const DENSITY_DEFINITION: &str = "Pairs of students who interacted, divided by all \
     possible pairs: 2m / (n(n − 1)) for m pairs and n students.";
/// Definition of [`StudentCommunication::degree_centrality`].
pub const DEGREE_DEFINITION: &str = "Number of other students the student interacted with, \
     divided by the number of other students.";
/// Definition of [`StudentCommunication::degree`].
pub const DEGREE_COUNT_DEFINITION: &str =
    "Number of other students the student interacted with in either direction.";
/// Definition of [`StudentCommunication::reciprocity`].
pub const MEMBER_RECIPROCITY_DEFINITION: &str = "Share of the students the student acted on \
     at least once who also acted on the student. Not defined when the student acted on \
     nobody.";
/// Definition of [`StudentCommunication::eigenvector_centrality`].
pub const EIGENVECTOR_DEFINITION: &str = "Eigenvector centrality: a student is central when \
     they interact with central students. Values are the principal eigenvector of the \
     interaction graph scaled to unit length. Isolated students get 0. When students form \
     separate groups, the groups with the largest principal eigenvalue (usually the largest \
     and densest) share the weight and the others get values near 0.";
/// Definition of [`GroupSummary::isolated`].
pub const ISOLATED_DEFINITION: &str =
    "Students with no interaction with another student in the window.";

/// Power iteration stops when the L1 change of the unit vector falls below this times the
/// number of members with an edge.
pub const EIGENVECTOR_TOLERANCE: f64 = 1e-12;
/// Power iteration fails after this many steps without convergence.
pub const EIGENVECTOR_MAX_ITERATIONS: usize = 10_000;

/// Power iteration did not converge within [`EIGENVECTOR_MAX_ITERATIONS`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("eigenvector centrality did not converge in {iterations} iterations")]
pub struct NotConverged {
    pub iterations: usize,
}

/// A reply within a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reply {
    pub author_id: i64,
    pub created_at: i64,
}

/// A chat message with its replies, or a help request with its conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thread {
    /// `None` for a help request.
    pub room_id: Option<i64>,
    pub author_id: i64,
    pub started_at: i64,
    pub question: bool,
    /// Replies in time order.
    pub replies: Vec<Reply>,
}

impl Thread {
    /// Returns the time of the first reply by someone other than the author.
    pub fn first_answer_at(&self) -> Option<i64> {
        self.replies
            .iter()
            .filter(|reply| reply.author_id != self.author_id)
            .map(|reply| reply.created_at)
            .min()
    }
}

/// Returns whether a chat message body is a question, that is, ends with `?` once
/// trailing whitespace is removed.
pub fn is_question(body: &str) -> bool {
    body.trim_end().ends_with('?')
}

/// Groups messages into threads. A message without a parent starts a thread; a reply
/// belongs to the thread of its parent's root. A reply whose parent is not in `messages`
/// (posted before the window, or deleted) is left out.
pub fn chat_threads(messages: &[AnalyticsMessage]) -> Vec<Thread> {
    // Each id maps to its last message, as a map collected from the list would.
    let mut position_of: FxHashMap<i64, u32> = FxHashMap::default();
    position_of.reserve(messages.len());
    for (position, message) in messages.iter().enumerate() {
        position_of.insert(message.id, position as u32);
    }
    let roots = thread_roots(messages, &position_of);

    let mut thread_of: FxHashMap<i64, usize> = FxHashMap::default();
    let mut threads: Vec<(i64, Thread)> = Vec::new();
    for message in messages
        .iter()
        .filter(|message| message.parent_id.is_none())
    {
        let thread = Thread {
            room_id: Some(message.room_id),
            author_id: message.author_id,
            started_at: message.created_at,
            question: message.question,
            replies: Vec::new(),
        };
        match thread_of.entry(message.id) {
            Entry::Occupied(slot) => threads[*slot.get()].1 = thread,
            Entry::Vacant(slot) => {
                slot.insert(threads.len());
                threads.push((message.id, thread));
            }
        }
    }
    for message in messages
        .iter()
        .filter(|message| message.parent_id.is_some())
    {
        let root = roots[position_of[&message.id] as usize];
        if let Some(&slot) = root.and_then(|root| thread_of.get(&root)) {
            threads[slot].1.replies.push(Reply {
                author_id: message.author_id,
                created_at: message.created_at,
            });
        }
    }
    with_sorted_replies(threads)
}

/// Returns, for each message, the id of the message without parent that its chain of
/// parents ends at, or `None` when the chain reaches a message that is not in `messages`
/// or loops. Each chain is walked once: later walks stop at a message already resolved.
fn thread_roots(
    messages: &[AnalyticsMessage],
    position_of: &FxHashMap<i64, u32>,
) -> Vec<Option<i64>> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unvisited,
        OnPath,
        Resolved(Option<i64>),
    }
    let mut states = vec![State::Unvisited; messages.len()];
    let mut path = Vec::new();
    for start in 0..messages.len() {
        let mut current = start;
        let root = loop {
            match states[current] {
                State::Resolved(root) => break root,
                // A message met again on the same walk: the chain loops.
                State::OnPath => break None,
                State::Unvisited => {}
            }
            states[current] = State::OnPath;
            path.push(current);
            let message = &messages[current];
            match message.parent_id {
                None => break Some(message.id),
                Some(parent) => match position_of.get(&parent) {
                    Some(&parent) => current = parent as usize,
                    None => break None,
                },
            }
        };
        for position in path.drain(..) {
            states[position] = State::Resolved(root);
        }
    }
    states
        .into_iter()
        .map(|state| match state {
            State::Resolved(root) => root,
            State::Unvisited | State::OnPath => None,
        })
        .collect()
}

/// Builds a thread per `help_request` row, with the `help_reply` rows of the same request
/// as replies. Every help request is a question. The log records a `help_reply` only for
/// posts by someone other than the asker.
pub fn help_threads(interactions: &[Interaction]) -> Vec<Thread> {
    let mut thread_of: FxHashMap<i64, usize> = FxHashMap::default();
    let mut threads: Vec<(i64, Thread)> = Vec::new();
    let mut replies = Vec::new();
    for row in interactions {
        match row.kind.as_str() {
            "help_request" => {
                let Some(request) = row.subject_id else {
                    continue;
                };
                let thread = Thread {
                    room_id: None,
                    author_id: row.actor_id,
                    started_at: row.created_at,
                    question: true,
                    replies: Vec::new(),
                };
                // A later row for the same request replaces the thread.
                match thread_of.entry(request) {
                    Entry::Occupied(slot) => threads[*slot.get()].1 = thread,
                    Entry::Vacant(slot) => {
                        slot.insert(threads.len());
                        threads.push((request, thread));
                    }
                }
            }
            "help_reply" => replies.push(row),
            _ => {}
        }
    }
    for row in replies {
        if let Some(&slot) = row.subject_id.and_then(|id| thread_of.get(&id)) {
            threads[slot].1.replies.push(Reply {
                author_id: row.actor_id,
                created_at: row.created_at,
            });
        }
    }
    with_sorted_replies(threads)
}

/// Orders `(key, thread)` pairs by key and sorts each thread's replies by time, keeping
/// replies of the same second in input order.
fn with_sorted_replies(mut threads: Vec<(i64, Thread)>) -> Vec<Thread> {
    threads.sort_unstable_by_key(|(key, _)| *key);
    threads
        .into_iter()
        .map(|(_, mut thread)| {
            thread.replies.sort_by_key(|reply| reply.created_at);
            thread
        })
        .collect()
}

/// Question and thread measures of a set of threads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseStats {
    pub questions: usize,
    pub answered: usize,
    /// `answered / questions`; `None` without questions.
    pub response_rate: Option<f64>,
    /// `None` without answered questions.
    pub median_first_reply_secs: Option<f64>,
    pub threads: usize,
    pub replies: usize,
    /// `replies / threads`; `None` without threads.
    pub replies_per_thread: Option<f64>,
}

/// Computes the response measures of `threads`.
pub fn response_stats<'a>(threads: impl IntoIterator<Item = &'a Thread>) -> ResponseStats {
    let (mut questions, mut thread_count, mut replies) = (0, 0, 0);
    let mut waits = Vec::new();
    for thread in threads {
        thread_count += 1;
        replies += thread.replies.len();
        if thread.question {
            questions += 1;
            if let Some(answered_at) = thread.first_answer_at() {
                waits.push((answered_at - thread.started_at) as f64);
            }
        }
    }
    ResponseStats {
        questions,
        answered: waits.len(),
        response_rate: (questions > 0).then(|| waits.len() as f64 / questions as f64),
        median_first_reply_secs: Distribution::of(&waits).map(|waits| waits.median),
        threads: thread_count,
        replies,
        replies_per_thread: (thread_count > 0).then(|| replies as f64 / thread_count as f64),
    }
}

/// The interaction graph of a group: nodes are indices into `members`.
#[derive(Debug, Clone, PartialEq)]
pub struct InteractionGraph {
    pub members: Vec<i64>,
    /// Directed pairs (actor, target) with at least one interaction.
    pub directed: BTreeSet<(usize, usize)>,
    /// Neighbours of each node in the undirected graph.
    pub neighbours: Vec<BTreeSet<usize>>,
}

impl InteractionGraph {
    /// Builds the graph of `members` from the rows with a target; self-interactions and
    /// rows involving someone outside `members` are ignored.
    pub fn new<'a>(
        members: &[i64],
        interactions: impl IntoIterator<Item = &'a Interaction>,
    ) -> InteractionGraph {
        let mut members = members.to_vec();
        members.sort_unstable();
        members.dedup();
        let index: BTreeMap<i64, usize> = members
            .iter()
            .enumerate()
            .map(|(position, id)| (*id, position))
            .collect();
        let mut directed = BTreeSet::new();
        let mut neighbours = vec![BTreeSet::new(); members.len()];
        for row in interactions {
            let Some(target) = row.target_id else {
                continue;
            };
            let (Some(&from), Some(&to)) = (index.get(&row.actor_id), index.get(&target)) else {
                continue;
            };
            if from == to {
                continue;
            }
            directed.insert((from, to));
            neighbours[from].insert(to);
            neighbours[to].insert(from);
        }
        InteractionGraph {
            members,
            directed,
            neighbours,
        }
    }

    /// Number of undirected edges.
    pub fn edge_count(&self) -> usize {
        self.neighbours.iter().map(BTreeSet::len).sum::<usize>() / 2
    }

    /// `2m / (n(n − 1))`; 0 for fewer than two members.
    pub fn density(&self) -> f64 {
        let n = self.members.len();
        if n < 2 {
            return 0.0;
        }
        2.0 * self.edge_count() as f64 / (n * (n - 1)) as f64
    }

    /// Degree divided by `n − 1` for each member; 0 for fewer than two members.
    pub fn degree_centrality(&self) -> Vec<f64> {
        let others = self.members.len().saturating_sub(1);
        self.neighbours
            .iter()
            .map(|neighbours| ratio(neighbours.len(), others).unwrap_or(0.0))
            .collect()
    }

    /// Share of directed edges whose reverse edge exists; `None` without edges.
    pub fn reciprocity(&self) -> Option<f64> {
        let reciprocated = self
            .directed
            .iter()
            .filter(|(from, to)| self.directed.contains(&(*to, *from)))
            .count();
        ratio(reciprocated, self.directed.len())
    }

    /// Share of a member's outgoing edges whose reverse edge exists; `None` without
    /// outgoing edges.
    pub fn member_reciprocity(&self, node: usize) -> Option<f64> {
        let outgoing: Vec<usize> = self
            .directed
            .range((node, 0)..(node + 1, 0))
            .map(|(_, to)| *to)
            .collect();
        let reciprocated = outgoing
            .iter()
            .filter(|to| self.directed.contains(&(**to, node)))
            .count();
        ratio(reciprocated, outgoing.len())
    }

    /// Members without any edge.
    pub fn isolated(&self) -> Vec<i64> {
        self.neighbours
            .iter()
            .zip(&self.members)
            .filter(|(neighbours, _)| neighbours.is_empty())
            .map(|(_, member)| *member)
            .collect()
    }

    /// Computes eigenvector centrality by power iteration on `A + I`, as NetworkX's
    /// `eigenvector_centrality` does. The shift keeps bipartite graphs from oscillating
    /// and leaves the eigenvectors of `A` unchanged. The iteration starts from a uniform
    /// vector, normalizes to unit Euclidean length after each step, and stops when the L1
    /// change is below `n · EIGENVECTOR_TOLERANCE`, where `n` counts the members with an
    /// edge.
    ///
    /// Isolated members are left out of the iteration and get exactly 0, and a graph
    /// without edges gives 0 for everyone. In a disconnected graph the iteration runs on
    /// all components together, so the result is the principal eigenvector of the whole
    /// graph: components with a smaller largest eigenvalue tend to 0. Components with
    /// equal largest eigenvalues share the weight as the uniform start vector projects
    /// onto them, so two separate pairs give 1/2 to every node.
    pub fn eigenvector_centrality(&self) -> Result<Vec<f64>, NotConverged> {
        let pairs: Vec<(u32, u32)> = self
            .neighbours
            .iter()
            .enumerate()
            .flat_map(|(node, neighbours)| {
                neighbours
                    .iter()
                    .map(move |neighbour| (node as u32, *neighbour as u32))
            })
            .collect();
        network::eigenvector_centrality(&Adjacency::from_pairs(self.members.len(), &pairs))
    }
}

/// Measures of the whole space or of one room.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// `None` for the whole space.
    pub room_id: Option<i64>,
    pub response: ResponseStats,
    pub reciprocity: Option<f64>,
    pub density: f64,
    pub isolated: Vec<i64>,
}

/// Measures of one student in the space's graph and of the questions they asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudentCommunication {
    pub user_id: i64,
    pub response: ResponseStats,
    pub degree: usize,
    pub degree_centrality: f64,
    pub eigenvector_centrality: f64,
    pub reciprocity: Option<f64>,
    pub isolated: bool,
}

/// Communication measures of one space and window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommunicationReport {
    pub space: GroupSummary,
    /// One entry per room with a thread or an interaction in the window, by room id.
    pub rooms: Vec<GroupSummary>,
    /// One entry per member of the group, by user id.
    pub students: Vec<StudentCommunication>,
}

/// Computes the space, room and student measures for the group `members`.
pub fn communication_report(
    members: &[i64],
    messages: &[AnalyticsMessage],
    interactions: &[Interaction],
) -> Result<CommunicationReport, NotConverged> {
    let mut threads = chat_threads(messages);
    threads.extend(help_threads(interactions));
    communication_report_of_threads(members, &threads, interactions)
}

/// Computes the measures from threads already built with [`chat_threads`] and
/// [`help_threads`], for callers that use the threads too.
pub fn communication_report_of_threads(
    members: &[i64],
    threads: &[Thread],
    interactions: &[Interaction],
) -> Result<CommunicationReport, NotConverged> {
    let index = IdIndex::new(members.iter().copied());
    let n = index.len();

    // Threads and member pairs of the space and of each room, grouped in one pass over
    // each list. Rooms get slots in order of appearance.
    let mut room_slots: FxHashMap<i64, usize> = FxHashMap::default();
    let mut room_threads: Vec<Vec<&Thread>> = Vec::new();
    let mut room_pairs: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut slot_of = |room: i64| -> usize {
        *room_slots.entry(room).or_insert_with(|| {
            room_threads.push(Vec::new());
            room_pairs.push(Vec::new());
            room_pairs.len() - 1
        })
    };
    let mut thread_slots = Vec::new();
    for thread in threads {
        if let Some(room) = thread.room_id {
            thread_slots.push((slot_of(room), thread));
        }
    }
    let mut pairs = Vec::new();
    let mut pair_slots = Vec::new();
    for row in interactions {
        let slot = row.room_id.map(&mut slot_of);
        let Some(target) = row.target_id else {
            continue;
        };
        let (from, to) = (index.get_u32(row.actor_id), index.get_u32(target));
        if from == NONE || to == NONE || from == to {
            continue;
        }
        pairs.push((from, to));
        if let Some(slot) = slot {
            pair_slots.push((slot, (from, to)));
        }
    }
    for (slot, thread) in thread_slots {
        room_threads[slot].push(thread);
    }
    for (slot, pair) in pair_slots {
        room_pairs[slot].push(pair);
    }

    let graph = Network::new(n, &pairs);
    let space = GroupSummary {
        room_id: None,
        response: response_stats(threads),
        reciprocity: graph.reciprocity(),
        density: graph.density(),
        isolated: graph.isolated(index.ids()),
    };

    let mut room_ids: Vec<(i64, usize)> = room_slots.into_iter().collect();
    room_ids.sort_unstable();
    let rooms = room_ids
        .into_iter()
        .map(|(room, slot)| {
            let room_graph = Network::new(n, &room_pairs[slot]);
            GroupSummary {
                room_id: Some(room),
                response: response_stats(room_threads[slot].iter().copied()),
                reciprocity: room_graph.reciprocity(),
                density: room_graph.density(),
                isolated: room_graph.isolated(index.ids()),
            }
        })
        .collect();

    let mut threads_by_author: Vec<Vec<&Thread>> = vec![Vec::new(); n];
    for thread in threads {
        if let Some(author) = index.get(thread.author_id) {
            threads_by_author[author].push(thread);
        }
    }
    let degree_centrality = graph.degree_centrality();
    let eigenvector = network::eigenvector_centrality(graph.neighbours())?;
    let students = index
        .ids()
        .iter()
        .enumerate()
        .map(|(node, &user_id)| StudentCommunication {
            user_id,
            response: response_stats(threads_by_author[node].iter().copied()),
            degree: graph.degree(node),
            degree_centrality: degree_centrality[node],
            eigenvector_centrality: eigenvector[node],
            reciprocity: graph.member_reciprocity(node),
            isolated: graph.degree(node) == 0,
        })
        .collect();

    Ok(CommunicationReport {
        space,
        rooms,
        students,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(
        id: i64,
        room_id: i64,
        author_id: i64,
        parent_id: Option<i64>,
        body: &str,
        created_at: i64,
    ) -> AnalyticsMessage {
        AnalyticsMessage {
            id,
            room_id,
            author_id,
            parent_id,
            question: is_question(body),
            created_at,
        }
    }

    fn interaction(
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

    /// A graph of `members` with one reply per undirected edge.
    fn graph(members: &[i64], edges: &[(i64, i64)]) -> InteractionGraph {
        let rows: Vec<Interaction> = edges
            .iter()
            .map(|(from, to)| interaction(*from, Some(*to), None, "reply", None, 0))
            .collect();
        InteractionGraph::new(members, &rows)
    }

    fn assert_close(actual: f64, expected: f64, what: &str) {
        assert!(
            (actual - expected).abs() < 1e-9,
            "{what}: got {actual}, expected {expected}"
        );
    }

    /// Students 10, 11, 12, 13 and 14 (who does nothing); 99 is a teacher.
    ///
    /// Room 1: m1 "Who has the template?" by 10 at 0, answered by 11 at 60, then 10 thanks
    /// at 90 under m2; m4 "Is the deadline Friday? " by 12 at 100, only 12 replies (130).
    /// Room 2: m6 "Notes from today" by 11 at 200, 10 replies at 500; m8 "Anyone free??"
    /// by 13 at 300, 10 replies at 600.
    /// Help desk: request 7 by 13 at 1000, 11 replies at 1300; request 8 by 11 at 2000.
    fn example() -> (Vec<AnalyticsMessage>, Vec<Interaction>) {
        let messages = vec![
            message(1, 1, 10, None, "Who has the template?", 0),
            message(2, 1, 11, Some(1), "Here it is", 60),
            message(3, 1, 10, Some(2), "Thanks!", 90),
            message(4, 1, 12, None, "Is the deadline Friday? ", 100),
            message(5, 1, 12, Some(4), "never mind", 130),
            message(6, 2, 11, None, "Notes from today", 200),
            message(8, 2, 13, None, "Anyone free??", 300),
            message(7, 2, 10, Some(6), "Thank you", 500),
            message(9, 2, 10, Some(8), "Me", 600),
        ];
        let interactions = vec![
            interaction(11, Some(10), Some(1), "reply", Some(2), 60),
            interaction(10, Some(11), Some(1), "reply", Some(3), 90),
            interaction(12, Some(10), Some(1), "reaction", Some(1), 95),
            interaction(99, Some(12), Some(1), "mention", Some(4), 110),
            interaction(10, Some(11), Some(2), "reply", Some(7), 500),
            interaction(10, Some(13), Some(2), "reply", Some(9), 600),
            interaction(13, None, None, "help_request", Some(7), 1000),
            interaction(11, Some(13), None, "help_reply", Some(7), 1300),
            interaction(11, None, None, "help_request", Some(8), 2000),
        ];
        (messages, interactions)
    }

    fn example_report() -> CommunicationReport {
        let (messages, interactions) = example();
        communication_report(&[10, 11, 12, 13, 14], &messages, &interactions).unwrap()
    }

    #[test]
    fn questions_recognized() {
        assert!(is_question("Is it due today?"));
        assert!(is_question("Really?? \n"));
        assert!(!is_question("It is due today."));
        assert!(!is_question("? is the operator"));
    }

    #[test]
    fn threads_follow_reply_chains() {
        let (messages, _) = example();
        let threads = chat_threads(&messages);
        let replies: Vec<usize> = threads.iter().map(|t| t.replies.len()).collect();
        // m1 (m2, m3), m4 (m5), m6 (m7), m8 (m9).
        assert_eq!(replies, vec![2, 1, 1, 1]);
        assert_eq!(threads[0].first_answer_at(), Some(60));
        assert_eq!(threads[1].first_answer_at(), None, "own reply only");
        let orphan = [message(20, 1, 10, Some(19), "reply to older", 5)];
        assert!(chat_threads(&orphan).is_empty());
    }

    #[test]
    fn space_response_worked_by_hand() {
        let report = example_report();
        // Questions m1, m4, m8 and requests 7 and 8; answered m1 (60 s), m8 (300 s),
        // request 7 (300 s). Threads: 4 chat threads and 2 requests, 6 replies.
        let expected = ResponseStats {
            questions: 5,
            answered: 3,
            response_rate: Some(0.6),
            median_first_reply_secs: Some(300.0),
            threads: 6,
            replies: 6,
            replies_per_thread: Some(1.0),
        };
        assert_eq!(report.space.response, expected);
    }

    #[test]
    fn space_network_worked_by_hand() {
        let report = example_report();
        // Directed pairs 11→10, 10→11, 12→10, 10→13, 11→13 (the teacher's mention is
        // left out): 2 of 5 are reciprocated. Undirected edges 10–11, 10–12, 10–13,
        // 11–13: 2 · 4 / (5 · 4).
        assert_close(report.space.reciprocity.unwrap(), 0.4, "reciprocity");
        assert_close(report.space.density, 0.4, "density");
        assert_eq!(report.space.isolated, vec![14]);
    }

    #[test]
    fn rooms_worked_by_hand() {
        let report = example_report();
        let rooms: Vec<Option<i64>> = report.rooms.iter().map(|room| room.room_id).collect();
        assert_eq!(rooms, vec![Some(1), Some(2)]);
        let (first, second) = (&report.rooms[0], &report.rooms[1]);
        // Room 1: m1 answered after 60 s, m4 not; 3 replies in 2 threads. Pairs 11→10,
        // 10→11, 12→10; edges 10–11 and 10–12.
        assert_eq!(first.response.questions, 2);
        assert_eq!(first.response.response_rate, Some(0.5));
        assert_eq!(first.response.median_first_reply_secs, Some(60.0));
        assert_eq!(first.response.replies_per_thread, Some(1.5));
        assert_close(first.reciprocity.unwrap(), 2.0 / 3.0, "room 1 reciprocity");
        assert_close(first.density, 0.2, "room 1 density");
        assert_eq!(first.isolated, vec![13, 14]);
        // Room 2: m8 answered after 300 s; pairs 10→11 and 10→13, neither returned.
        assert_eq!(second.response.response_rate, Some(1.0));
        assert_eq!(second.response.median_first_reply_secs, Some(300.0));
        assert_eq!(second.reciprocity, Some(0.0));
        assert_close(second.density, 0.2, "room 2 density");
        assert_eq!(second.isolated, vec![12, 14]);
    }

    #[test]
    fn students_worked_by_hand() {
        let report = example_report();
        let by_id = |id: i64| {
            report
                .students
                .iter()
                .find(|student| student.user_id == id)
                .unwrap()
        };
        let (anna, boris, chen, dana, eve) =
            (by_id(10), by_id(11), by_id(12), by_id(13), by_id(14));
        assert_eq!(anna.response.questions, 1);
        assert_eq!(anna.response.median_first_reply_secs, Some(60.0));
        assert_eq!(boris.response.questions, 1, "request 8; m6 is no question");
        assert_eq!(boris.response.response_rate, Some(0.0));
        assert_eq!(chen.response.response_rate, Some(0.0), "own reply only");
        assert_eq!(dana.response.questions, 2);
        assert_eq!(dana.response.answered, 2);
        assert_eq!(eve.response.questions, 0);
        assert_eq!(eve.response.response_rate, None);

        let degrees: Vec<usize> = report.students.iter().map(|s| s.degree).collect();
        assert_eq!(degrees, vec![3, 2, 1, 2, 0]);
        assert_eq!(anna.degree_centrality, 0.75);
        assert_eq!(chen.degree_centrality, 0.25);
        assert_eq!(anna.reciprocity, Some(0.5), "10→11 returned, 10→13 not");
        assert_eq!(boris.reciprocity, Some(0.5), "11→10 returned, 11→13 not");
        assert_eq!(chen.reciprocity, Some(0.0));
        assert_eq!(dana.reciprocity, None, "no outgoing pair");
        assert!(eve.isolated);
        assert!(!dana.isolated);
        // The graph is the "paw" below plus an isolated student.
        assert_close(anna.eigenvector_centrality, PAW_EIGENVECTOR[2], "10");
        assert_close(boris.eigenvector_centrality, PAW_EIGENVECTOR[0], "11");
        assert_close(dana.eigenvector_centrality, PAW_EIGENVECTOR[1], "13");
        assert_close(chen.eigenvector_centrality, PAW_EIGENVECTOR[3], "12");
        assert_eq!(eve.eigenvector_centrality, 0.0);
    }

    // Reference values from NetworkX 3.6.1 (Python 3), with each graph built from the
    // nodes and edges of the test that uses it:
    //
    //     import networkx as nx
    //     G = nx.Graph(); G.add_nodes_from(nodes); G.add_edges_from(edges)
    //     nx.density(G)
    //     nx.degree_centrality(G)
    //     nx.eigenvector_centrality(G, max_iter=10000, tol=1e-12)
    //
    // printed with 12 decimals, in node order.

    /// "Paw": nodes 1–4, edges 1–2, 2–3, 3–1, 3–4.
    const PAW_EIGENVECTOR: [f64; 4] = [
        0.522720725644,
        0.522720725644,
        0.611628457356,
        0.281845198856,
    ];
    const PAW_DENSITY: f64 = 0.6666666666666666;
    /// Two triangles joined by the bridge 3–4: nodes 1–6, edges 1–2, 1–3, 2–3, 3–4,
    /// 4–5, 4–6, 5–6.
    const BRIDGE_EIGENVECTOR: [f64; 6] = [
        0.353553390593,
        0.353553390593,
        0.500000000000,
        0.500000000000,
        0.353553390593,
        0.353553390593,
    ];
    const BRIDGE_DENSITY: f64 = 0.4666666666666667;
    const BRIDGE_DEGREE: [f64; 6] = [0.4, 0.4, 0.6000000000000001, 0.6000000000000001, 0.4, 0.4];
    /// Disconnected: triangle 1–2–3, edge 4–5 and isolated node 6.
    const SPLIT_EIGENVECTOR: [f64; 6] = [
        0.577350269190,
        0.577350269190,
        0.577350269190,
        0.000000000005,
        0.000000000005,
        0.000000000000,
    ];
    const SPLIT_DENSITY: f64 = 0.26666666666666666;

    fn assert_all_close(actual: &[f64], expected: &[f64], tolerance: f64, what: &str) {
        assert_eq!(actual.len(), expected.len(), "{what}");
        for (node, (a, e)) in actual.iter().zip(expected).enumerate() {
            assert!(
                (a - e).abs() < tolerance,
                "{what} node {node}: got {a}, expected {e}"
            );
        }
    }

    #[test]
    fn paw_matches_networkx() {
        let paw = graph(&[1, 2, 3, 4], &[(1, 2), (2, 3), (3, 1), (3, 4)]);
        assert_close(paw.density(), PAW_DENSITY, "density");
        let eigenvector = paw.eigenvector_centrality().unwrap();
        assert_all_close(&eigenvector, &PAW_EIGENVECTOR, 1e-9, "eigenvector");
    }

    #[test]
    fn bridge_matches_networkx() {
        let bridge = graph(
            &[1, 2, 3, 4, 5, 6],
            &[(1, 2), (1, 3), (2, 3), (3, 4), (4, 5), (4, 6), (5, 6)],
        );
        assert_close(bridge.density(), BRIDGE_DENSITY, "density");
        assert_all_close(&bridge.degree_centrality(), &BRIDGE_DEGREE, 1e-12, "degree");
        let eigenvector = bridge.eigenvector_centrality().unwrap();
        assert_all_close(&eigenvector, &BRIDGE_EIGENVECTOR, 1e-9, "eigenvector");
    }

    #[test]
    fn disconnected_matches_networkx() {
        let split = graph(&[1, 2, 3, 4, 5, 6], &[(1, 2), (2, 3), (3, 1), (4, 5)]);
        assert_close(split.density(), SPLIT_DENSITY, "density");
        let eigenvector = split.eigenvector_centrality().unwrap();
        assert_all_close(&eigenvector, &SPLIT_EIGENVECTOR, 1e-9, "eigenvector");
        assert_eq!(eigenvector[5], 0.0, "isolated node");
        assert_eq!(split.isolated(), vec![6]);
    }

    #[test]
    fn equal_components_share_weight() {
        // Two separate pairs have the same largest eigenvalue, so all four nodes get
        // 1/2 and the vector keeps unit length.
        let pairs = graph(&[1, 2, 3, 4], &[(1, 2), (3, 4)]);
        let eigenvector = pairs.eigenvector_centrality().unwrap();
        assert_all_close(&eigenvector, &[0.5; 4], 1e-12, "eigenvector");
    }

    #[test]
    fn symmetric_graphs_give_equal_values() {
        // A 5-cycle: every node is alike.
        let cycle = graph(&[1, 2, 3, 4, 5], &[(1, 2), (2, 3), (3, 4), (4, 5), (5, 1)]);
        let eigenvector = cycle.eigenvector_centrality().unwrap();
        assert_all_close(&eigenvector, &[1.0 / 5f64.sqrt(); 5], 1e-9, "cycle");
        assert!(cycle.degree_centrality().iter().all(|d| *d == 0.5));
        assert_eq!(cycle.reciprocity(), Some(0.0), "one direction per pair");
        // A star: the leaves are alike.
        let star = graph(&[1, 2, 3, 4], &[(1, 2), (1, 3), (1, 4)]);
        let eigenvector = star.eigenvector_centrality().unwrap();
        assert_close(eigenvector[1], eigenvector[2], "leaves 2 and 3");
        assert_close(eigenvector[2], eigenvector[3], "leaves 3 and 4");
        assert!(eigenvector[0] > eigenvector[1]);
    }

    #[test]
    fn random_network_matches_graph() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};

        let mut rng = StdRng::seed_from_u64(5);
        // Users 0..20 with members 0..16, and rows with repeats and self-interactions.
        let members: Vec<i64> = (0..16).rev().collect();
        let rows: Vec<Interaction> = (0..120)
            .map(|_| {
                let target = rng.gen_bool(0.8).then(|| rng.gen_range(0..20));
                interaction(rng.gen_range(0..20), target, Some(1), "reply", None, 0)
            })
            .collect();
        let graph = InteractionGraph::new(&members, &rows);
        let report = communication_report(&members, &[], &rows).unwrap();
        assert_eq!(report.space.reciprocity, graph.reciprocity());
        assert_eq!(report.space.density, graph.density());
        assert_eq!(report.space.isolated, graph.isolated());
        assert_eq!(report.rooms[0].reciprocity, graph.reciprocity());
        assert_eq!(report.rooms[0].density, graph.density());
        let eigenvector = graph.eigenvector_centrality().unwrap();
        let degree = graph.degree_centrality();
        for (node, student) in report.students.iter().enumerate() {
            assert_eq!(student.user_id, graph.members[node]);
            assert_eq!(student.degree, graph.neighbours[node].len(), "{node}");
            assert_eq!(student.degree_centrality, degree[node], "{node}");
            assert_eq!(
                student.reciprocity,
                graph.member_reciprocity(node),
                "{node}"
            );
            assert_eq!(student.eigenvector_centrality, eigenvector[node], "{node}");
        }
    }

    /// Groups messages by walking each reply's parents, as the definition reads.
    fn reference_threads(messages: &[AnalyticsMessage]) -> Vec<Thread> {
        let parents: BTreeMap<i64, Option<i64>> = messages
            .iter()
            .map(|message| (message.id, message.parent_id))
            .collect();
        let root_of = |mut id: i64| {
            for _ in 0..=parents.len() {
                match parents.get(&id)? {
                    Some(parent) => id = *parent,
                    None => return Some(id),
                }
            }
            None
        };
        let mut threads: BTreeMap<i64, Thread> = BTreeMap::new();
        for message in messages.iter().filter(|m| m.parent_id.is_none()) {
            let thread = Thread {
                room_id: Some(message.room_id),
                author_id: message.author_id,
                started_at: message.created_at,
                question: message.question,
                replies: Vec::new(),
            };
            threads.insert(message.id, thread);
        }
        for message in messages.iter().filter(|m| m.parent_id.is_some()) {
            if let Some(thread) = root_of(message.id).and_then(|root| threads.get_mut(&root)) {
                thread.replies.push(Reply {
                    author_id: message.author_id,
                    created_at: message.created_at,
                });
            }
        }
        let mut threads: Vec<Thread> = threads.into_values().collect();
        for thread in &mut threads {
            thread.replies.sort_by_key(|reply| reply.created_at);
        }
        threads
    }

    #[test]
    fn random_threads_match_reference() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};

        let mut rng = StdRng::seed_from_u64(3);
        // Ids 1..=150 in random order; parents may be missing (above 150), later, the
        // message itself, or form loops. Times tie often.
        let mut ids: Vec<i64> = (1..=150).collect();
        for i in (1..ids.len()).rev() {
            ids.swap(i, rng.gen_range(0..=i));
        }
        let messages: Vec<AnalyticsMessage> = ids
            .iter()
            .map(|&id| {
                let parent = rng.gen_bool(0.6).then(|| rng.gen_range(1..170));
                let body = if rng.gen_bool(0.5) { "Why?" } else { "Yes" };
                let at = rng.gen_range(0..20);
                message(
                    id,
                    rng.gen_range(1..4),
                    rng.gen_range(1..6),
                    parent,
                    body,
                    at,
                )
            })
            .collect();
        assert_eq!(chat_threads(&messages), reference_threads(&messages));

        let rows: Vec<Interaction> = (0..200)
            .map(|_| {
                let kind = ["help_request", "help_reply", "reply"][rng.gen_range(0..3)];
                let subject = rng.gen_bool(0.9).then(|| rng.gen_range(1..30));
                let at = rng.gen_range(0..20);
                interaction(rng.gen_range(1..6), None, None, kind, subject, at)
            })
            .collect();
        let mut expected: BTreeMap<i64, Thread> = BTreeMap::new();
        for row in rows.iter().filter(|row| row.kind == "help_request") {
            if let Some(request) = row.subject_id {
                let thread = Thread {
                    room_id: None,
                    author_id: row.actor_id,
                    started_at: row.created_at,
                    question: true,
                    replies: Vec::new(),
                };
                expected.insert(request, thread);
            }
        }
        for row in rows.iter().filter(|row| row.kind == "help_reply") {
            if let Some(thread) = row.subject_id.and_then(|id| expected.get_mut(&id)) {
                thread.replies.push(Reply {
                    author_id: row.actor_id,
                    created_at: row.created_at,
                });
            }
        }
        let mut expected: Vec<Thread> = expected.into_values().collect();
        for thread in &mut expected {
            thread.replies.sort_by_key(|reply| reply.created_at);
        }
        assert_eq!(help_threads(&rows), expected);
    }

    #[test]
    fn measures_within_ranges() {
        let report = example_report();
        let complete = graph(
            &[1, 2, 3],
            &[(1, 2), (2, 1), (2, 3), (3, 2), (1, 3), (3, 1)],
        );
        assert_eq!(complete.density(), 1.0);
        assert_eq!(complete.reciprocity(), Some(1.0));
        let empty = graph(&[1, 2, 3], &[]);
        assert_eq!(empty.density(), 0.0);
        assert_eq!(empty.reciprocity(), None);
        assert_eq!(empty.eigenvector_centrality().unwrap(), vec![0.0; 3]);
        assert_eq!(graph(&[1], &[]).degree_centrality(), vec![0.0]);
        for student in &report.students {
            for value in [student.degree_centrality, student.eigenvector_centrality] {
                assert!((0.0..=1.0).contains(&value), "{student:?}");
            }
        }
        let summaries = std::iter::once(&report.space).chain(&report.rooms);
        for summary in summaries {
            assert!((0.0..=1.0).contains(&summary.density), "{summary:?}");
            let rate = summary.response.response_rate.unwrap();
            assert!((0.0..=1.0).contains(&rate), "{summary:?}");
        }
    }
}
