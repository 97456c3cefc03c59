//! The interaction graph as sorted adjacency lists over member positions. The report
//! builds one per space and per room from rows with millions of repeats in a large
//! space, so the lists are built by a counting sort in place of ordered sets.

use super::communication::{NotConverged, EIGENVECTOR_MAX_ITERATIONS, EIGENVECTOR_TOLERANCE};
use super::index::Groups;
use super::mobility::ratio;

/// Sorted lists of node positions without repeats, one per node.
pub(super) struct Adjacency {
    starts: Vec<usize>,
    nodes: Vec<u32>,
}

impl Adjacency {
    /// Builds the lists of `n` nodes from `(node, neighbour)` pairs, which may repeat.
    pub(super) fn from_pairs(n: usize, pairs: &[(u32, u32)]) -> Adjacency {
        let groups = Groups::new(n, pairs);
        let mut starts = Vec::with_capacity(n + 1);
        starts.push(0);
        let mut nodes = Vec::with_capacity(pairs.len());
        let mut list = Vec::new();
        for node in 0..n {
            list.clear();
            list.extend_from_slice(groups.of(node));
            list.sort_unstable();
            list.dedup();
            nodes.extend_from_slice(&list);
            starts.push(nodes.len());
        }
        Adjacency { starts, nodes }
    }

    /// Returns the sorted neighbours of `node`.
    pub(super) fn of(&self, node: usize) -> &[u32] {
        &self.nodes[self.starts[node]..self.starts[node + 1]]
    }

    /// Number of nodes.
    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Returns the `(node, neighbour)` pairs in ascending order, each once.
    fn pairs(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.len()).flat_map(move |node| self.of(node).iter().map(move |to| (node as u32, *to)))
    }
}

/// A group's interaction graph: directed edges both ways round and the undirected edges.
pub(super) struct Network {
    outgoing: Adjacency,
    incoming: Adjacency,
    neighbours: Adjacency,
}

impl Network {
    /// Builds the graph of `n` members from `(actor, target)` pairs of distinct positions
    /// below `n`, which may repeat.
    pub(super) fn new(n: usize, pairs: &[(u32, u32)]) -> Network {
        let outgoing = Adjacency::from_pairs(n, pairs);
        let reversed: Vec<(u32, u32)> = outgoing.pairs().map(|(from, to)| (to, from)).collect();
        let incoming = Adjacency::from_pairs(n, &reversed);
        let both: Vec<(u32, u32)> = outgoing.pairs().chain(reversed.iter().copied()).collect();
        let neighbours = Adjacency::from_pairs(n, &both);
        Network {
            outgoing,
            incoming,
            neighbours,
        }
    }

    pub(super) fn neighbours(&self) -> &Adjacency {
        &self.neighbours
    }

    /// Number of neighbours of `node` in the undirected graph.
    pub(super) fn degree(&self, node: usize) -> usize {
        self.neighbours.of(node).len()
    }

    /// `2m / (n(n − 1))`; 0 for fewer than two members.
    pub(super) fn density(&self) -> f64 {
        let n = self.neighbours.len();
        if n < 2 {
            return 0.0;
        }
        let edges = self.neighbours.nodes.len() / 2;
        2.0 * edges as f64 / (n * (n - 1)) as f64
    }

    /// Degree divided by `n − 1` for each member; 0 for fewer than two members.
    pub(super) fn degree_centrality(&self) -> Vec<f64> {
        let others = self.neighbours.len().saturating_sub(1);
        (0..self.neighbours.len())
            .map(|node| ratio(self.degree(node), others).unwrap_or(0.0))
            .collect()
    }

    /// Number of the outgoing edges of `node` whose reverse edge exists.
    fn reciprocated(&self, node: usize) -> usize {
        let (outgoing, incoming) = (self.outgoing.of(node), self.incoming.of(node));
        let (mut i, mut j, mut count) = (0, 0, 0);
        while i < outgoing.len() && j < incoming.len() {
            match outgoing[i].cmp(&incoming[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    count += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        count
    }

    /// Share of directed edges whose reverse edge exists; `None` without edges.
    pub(super) fn reciprocity(&self) -> Option<f64> {
        let reciprocated = (0..self.outgoing.len())
            .map(|node| self.reciprocated(node))
            .sum();
        ratio(reciprocated, self.outgoing.nodes.len())
    }

    /// Share of a member's outgoing edges whose reverse edge exists; `None` without
    /// outgoing edges.
    pub(super) fn member_reciprocity(&self, node: usize) -> Option<f64> {
        ratio(self.reciprocated(node), self.outgoing.of(node).len())
    }

    /// Members without any edge, given the ids of the members by position.
    pub(super) fn isolated(&self, members: &[i64]) -> Vec<i64> {
        members
            .iter()
            .enumerate()
            .filter(|(node, _)| self.degree(*node) == 0)
            .map(|(_, member)| *member)
            .collect()
    }
}

/// Computes eigenvector centrality by power iteration on `A + I`, as documented on
/// [`InteractionGraph::eigenvector_centrality`](super::communication::InteractionGraph::eigenvector_centrality).
///
/// Each step computes every node's new value from its previous value and then its
/// neighbours' in ascending order, which adds the same numbers in the same order as
/// pushing each node's value to its neighbours in ascending node order.
pub(super) fn eigenvector_centrality(neighbours: &Adjacency) -> Result<Vec<f64>, NotConverged> {
    let n = neighbours.len();
    let connected: Vec<usize> = (0..n).filter(|&i| !neighbours.of(i).is_empty()).collect();
    let mut centrality = vec![0.0; n];
    if connected.is_empty() {
        return Ok(centrality);
    }
    let start = 1.0 / connected.len() as f64;
    for &node in &connected {
        centrality[node] = start;
    }
    let mut previous = vec![0.0; n];
    for _ in 0..EIGENVECTOR_MAX_ITERATIONS {
        std::mem::swap(&mut previous, &mut centrality);
        for (node, value) in centrality.iter_mut().enumerate() {
            let mut sum = previous[node];
            for &neighbour in neighbours.of(node) {
                sum += previous[neighbour as usize];
            }
            *value = sum;
        }
        let norm = centrality
            .iter()
            .map(|value| value * value)
            .sum::<f64>()
            .sqrt();
        for value in &mut centrality {
            *value /= norm;
        }
        let change: f64 = centrality
            .iter()
            .zip(&previous)
            .map(|(now, before)| (now - before).abs())
            .sum();
        if change < connected.len() as f64 * EIGENVECTOR_TOLERANCE {
            return Ok(centrality);
        }
    }
    Err(NotConverged {
        iterations: EIGENVECTOR_MAX_ITERATIONS,
    })
}
