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
