//! Dense positions for ids and rows grouped by position, so that the measures can keep
//! per-user and per-room state in vectors instead of ordered maps.

use rustc_hash::FxHashMap;

/// Marks a missing position in `u32` fields.
pub(super) const NONE: u32 = u32::MAX;

/// Distinct ids in ascending order and the position of each.
pub(super) struct IdIndex {
    ids: Vec<i64>,
    positions: FxHashMap<i64, u32>,
}

impl IdIndex {
    /// Builds the index of `ids`, ignoring repeats.
    pub(super) fn new(ids: impl IntoIterator<Item = i64>) -> IdIndex {
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let positions = ids
            .iter()
            .enumerate()
            .map(|(position, id)| (*id, position as u32))
            .collect();
        IdIndex { ids, positions }
    }

    /// Returns the position of `id`, or `None` when it is not indexed.
    pub(super) fn get(&self, id: i64) -> Option<usize> {
        self.positions.get(&id).map(|position| *position as usize)
    }

    /// Returns the position of `id`, or [`NONE`] when it is not indexed.
    pub(super) fn get_u32(&self, id: i64) -> u32 {
        self.positions.get(&id).copied().unwrap_or(NONE)
    }

    pub(super) fn ids(&self) -> &[i64] {
        &self.ids
    }

    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }
}

/// Items grouped by a key in `0..keys`: group `k` is `items[starts[k]..starts[k + 1]]`,
/// in the order the items were given.
pub(super) struct Groups<T> {
    starts: Vec<usize>,
    items: Vec<T>,
}

impl<T: Copy> Groups<T> {
    /// Groups `(key, item)` pairs by a counting sort; every key must be below `keys`.
    pub(super) fn new(keys: usize, keyed: &[(u32, T)]) -> Groups<T> {
        let mut starts = vec![0usize; keys + 1];
        for (key, _) in keyed {
            starts[*key as usize + 1] += 1;
        }
        for key in 0..keys {
            starts[key + 1] += starts[key];
        }
        let mut next = starts.clone();
        let mut items: Vec<Option<T>> = vec![None; keyed.len()];
        for (key, item) in keyed {
            let slot = &mut next[*key as usize];
            items[*slot] = Some(*item);
            *slot += 1;
        }
        Groups {
            starts,
            items: items.into_iter().flatten().collect(),
        }
    }

    /// Returns the items of group `key`.
    pub(super) fn of(&self, key: usize) -> &[T] {
        &self.items[self.starts[key]..self.starts[key + 1]]
    }

    /// Returns the items of group `key` for sorting or other in-place changes.
    pub(super) fn of_mut(&mut self, key: usize) -> &mut [T] {
        &mut self.items[self.starts[key]..self.starts[key + 1]]
    }

    /// Number of groups.
    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }
}
