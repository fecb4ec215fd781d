//! Results copied out of the segment, so the lock is released before PHP values are built.

/// One entry in an `Entries` buffer; its strings live in `Entries::bytes` from `start` on, as
/// `room` (only for cross-room results), `client_id`, `data`.
#[derive(Debug, Clone, Copy)]
pub struct EntryOut {
    pub start: u32,
    pub room_len: u32,
    pub client_len: u32,
    pub data_len: u32,
    pub user_id: u64,
    pub updated: i64,
    pub expires: i64,
    /// The room version of the entry's last change (orders copies of one entry seen twice).
    pub changed: u64,
}

/// A reusable buffer of copied entries: one allocation serves every call of a process.
#[derive(Debug, Default)]
pub struct Entries {
    pub items: Vec<EntryOut>,
    pub bytes: Vec<u8>,
}

impl Entries {
    pub fn clear(&mut self) {
        self.items.clear();
        self.bytes.clear();
    }

    fn range(&self, from: u32, len: u32) -> &[u8] {
        self.bytes
            .get(from as usize..(from + len) as usize)
            .unwrap_or_default()
    }

    /// Empty for single-room results, where the caller already knows the room.
    pub fn room(&self, e: &EntryOut) -> &[u8] {
        self.range(e.start, e.room_len)
    }

    pub fn client(&self, e: &EntryOut) -> &[u8] {
        self.range(e.start + e.room_len, e.client_len)
    }

    pub fn data(&self, e: &EntryOut) -> &[u8] {
        self.range(e.start + e.room_len + e.client_len, e.data_len)
    }

    /// Newest first, as presence-api returns them; ties keep insertion order (newest first too).
    pub fn sort_newest_first(&mut self) {
        self.items.sort_by_key(|e| std::cmp::Reverse(e.updated));
    }

    /// Keeps one item per (room, client): the most recently changed. A read that visits a big
    /// room's shards one at a time can meet an entry twice (removed from one, added to another).
    pub fn dedup_keys(&mut self) {
        if self.items.len() < 2 {
            return;
        }
        let mut order: Vec<usize> = (0..self.items.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&self.items[a], &self.items[b]);
            (self.room(x), self.client(x))
                .cmp(&(self.room(y), self.client(y)))
                .then(y.changed.cmp(&x.changed))
        });
        let mut keep = vec![false; self.items.len()];
        let mut prev: Option<usize> = None;
        for i in order {
            let fresh = prev.is_none_or(|p| {
                let (x, y) = (&self.items[p], &self.items[i]);
                (self.room(x), self.client(x)) != (self.room(y), self.client(y))
            });
            if fresh {
                keep[i] = true;
                prev = Some(i);
            }
        }
        if keep.iter().all(|k| *k) {
            return;
        }
        let mut i = 0;
        self.items.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
}

/// One room in one namespace, as counted by `presence_room_counts()`: its live entries, their
/// distinct users (ascending) and the newest write (0 when empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoomCounts {
    pub entries: u32,
    pub users: Vec<u64>,
    pub updated: i64,
}

/// One live room, as listed by `presence_rooms()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomSummary {
    pub room: Vec<u8>,
    pub entries: u32,
    pub users: u32,
    pub version: u64,
    pub updated: i64,
}

/// What changed in a room since a version (see `Backend::changes`).
#[derive(Debug, Default)]
pub struct Changes {
    /// The room's version, read before the entries.
    pub version: u64,
    /// Entries added or changed (with `whole_users`: every live entry of every touched user).
    pub changed: Entries,
    /// Clients removed or expired: `client` and `user_id` of each item, no data.
    pub removed: Entries,
    /// More distinct users changed than the call's `max_users`: `changed` and `removed` are
    /// left empty (the caller sends the room's first rows instead).
    pub over: bool,
}

impl Changes {
    pub fn clear(&mut self) {
        self.version = 0;
        self.changed.clear();
        self.removed.clear();
        self.over = false;
    }

    /// Whether more than `max` distinct users have a changed entry: a caller that sends rows
    /// instead beyond that many users never needs the entries (they are not turned into PHP
    /// values). `scratch` is reused between calls.
    pub fn changed_users_over(&self, max: usize, scratch: &mut Vec<u64>) -> bool {
        if self.changed.items.len() <= max {
            return false; // Fewer entries than the bound: fewer users too.
        }
        scratch.clear();
        scratch.extend(self.changed.items.iter().map(|e| e.user_id));
        scratch.sort_unstable();
        scratch.dedup();
        scratch.len() > max
    }
}
