//! `room_top`: the live entries of a room's first users by each user's newest write, plus one
//! extra user's, and how many distinct users the room has. What a Heartbeat tick that shows the
//! first 20 of 5000 users needs, without copying (or building PHP values for) the other 4980.
//!
//! Each record (the home, then each part, one shard lock at a time as `room()` reads) is walked
//! once for (user, updated, slot) of its live entries; only the entries of its local first
//! `users` users and of the extra user are copied out. A user among the room's first is among
//! the first of the record that holds their newest entry (anyone ranked above them there ranks
//! above them in the room too), so only a picked user's entries in the *other* records can be
//! missing: those are fetched afterwards through the user index, one record at a time. Nothing
//! is written: expired entries are skipped, not reclaimed.

use super::shard::{Corrupt, Shard};
use super::{halt_error, Entries, RoomKey, ShardLocks, Store, StoreError};
use crate::store::layout::SLOT_LIVE;

/// The most users one `room_top` call picks.
pub const MAX_TOP_USERS: u32 = 1000;

/// One user's newest write in one record (at offset `off` from the room's home), and whether
/// their entries there were copied.
#[derive(Clone, Copy)]
struct Seen {
    user: u64,
    updated: i64,
    off: u32,
    copied: bool,
}

/// Ranks users: the newest write first, then the lower user id (stable between calls).
fn rank(a: &Seen, b: &Seen) -> std::cmp::Ordering {
    b.updated.cmp(&a.updated).then(a.user.cmp(&b.user))
}

/// Newest write first, ties newest change first: `room()`'s order for a room in one shard,
/// whatever order the picked users' entries were copied in.
fn newest_first(out: &mut Entries) {
    out.items
        .sort_by_key(|e| (std::cmp::Reverse(e.updated), std::cmp::Reverse(e.changed)));
}

/// Reusable lists of one call.
#[derive(Default)]
struct Scratch {
    /// (user, updated, slot) of a record's live entries, users > 0.
    live: Vec<(u64, i64, u32)>,
    /// One per user of a record: (start, end) in `live` with its `Seen`.
    groups: Vec<(usize, usize, Seen)>,
}

/// Walks record `r` (at offset `off`): adds each of its users to `seen`, and copies into `out`
/// the entries of its first `n` users and of `extra`. Work under the lock is one walk, a sort of
/// the record's (user, updated) pairs and the copies.
#[allow(clippy::too_many_arguments)] // One record's walk, spelled out for both callers.
fn record_top(
    sh: &Shard<'_>,
    r: u32,
    off: u32,
    now: i64,
    n: usize,
    extra: u64,
    sc: &mut Scratch,
    seen: &mut Vec<Seen>,
    out: &mut Entries,
) -> Result<(), Corrupt> {
    sc.live.clear();
    sc.groups.clear();
    sh.walk(sh.room(r)?.head, |i, s| {
        if s.state != SLOT_LIVE || s.room_idx != r {
            return Err(Corrupt);
        }
        // User 0 (not logged in) is neither picked nor counted.
        if s.user_id != 0 && s.expires() > now {
            sc.live.push((s.user_id, s.updated(), i));
        }
        Ok(true)
    })?;
    // Stable: a user's entries keep the list's order (newest change first).
    sc.live.sort_by_key(|e| e.0);
    let mut start = 0;
    while start < sc.live.len() {
        let user = sc.live[start].0;
        let end = start + sc.live[start..].partition_point(|e| e.0 == user);
        let updated = sc.live[start..end].iter().map(|e| e.1).max().unwrap_or(0);
        let s = Seen {
            user,
            updated,
            off,
            copied: false,
        };
        sc.groups.push((start, end, s));
        start = end;
    }
    if n < sc.groups.len() {
        // The first `n` in rank order, in any order among themselves.
        sc.groups.select_nth_unstable_by(n, |a, b| rank(&a.2, &b.2));
    }
    for (k, g) in sc.groups.iter_mut().enumerate() {
        if k < n || g.2.user == extra {
            for e in &sc.live[g.0..g.1] {
                sh.emit(e.2, false, out)?;
            }
            g.2.copied = true;
        }
        seen.push(g.2);
    }
    Ok(())
}

impl<L: ShardLocks> Store<L> {
    /// See `Backend::room_top`.
    pub(super) fn scan_room_top(
        &self,
        rk: &RoomKey<'_>,
        users: u32,
        extra: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<u32, StoreError> {
        let id = self.id(rk);
        let n = users as usize;
        let mut sc = Scratch::default();
        let mut seen: Vec<Seen> = Vec::new();
        out.clear();
        // The home record, and how far the room spreads.
        let spread = self
            .on_shard(id.home, |sh| {
                // The closure may run twice (after a repair): it starts afresh.
                out.clear();
                seen.clear();
                let Some(r) = sh.find_room(id.hash, id.ns, id.room)? else {
                    return Ok(0);
                };
                record_top(sh, r, 0, now, n, extra, &mut sc, &mut seen, out)?;
                Ok(u32::from(sh.room(r)?.spread))
            })?
            .map_err(halt_error)?;
        if spread == 0 {
            // One record: its first users are the room's, and each user is seen once.
            newest_first(out);
            return Ok(seen.len() as u32);
        }
        for off in 1..=spread {
            let mark = (out.items.len(), out.bytes.len(), seen.len());
            self.on_shard((id.home + off) % self.geometry.shards, |sh| {
                out.items.truncate(mark.0);
                out.bytes.truncate(mark.1);
                seen.truncate(mark.2);
                if let Some(r) = sh.find_room(id.hash, id.ns, id.room)? {
                    record_top(sh, r, off, now, n, extra, &mut sc, &mut seen, out)?;
                }
                Ok(())
            })?
            .map_err(halt_error)?;
        }
        // Each user's newest write over the records, then the room's first `n` users.
        seen.sort_unstable_by(|a, b| a.user.cmp(&b.user).then(rank(a, b)));
        let mut best: Vec<Seen> = Vec::new();
        for s in &seen {
            if best.last().is_none_or(|b| b.user != s.user) {
                best.push(*s);
            }
        }
        let total = best.len() as u32;
        if n < best.len() {
            best.select_nth_unstable_by(n, rank);
            best.truncate(n);
        }
        let mut picked: Vec<u64> = best.iter().map(|s| s.user).collect();
        picked.sort_unstable();
        let is_picked = |u: u64| u == extra || picked.binary_search(&u).is_ok();
        // A picked user's entries in records where they were not among the first.
        let mut missing: Vec<(u32, u64)> = seen
            .iter()
            .filter(|s| !s.copied && is_picked(s.user))
            .map(|s| (s.off, s.user))
            .collect();
        missing.sort_unstable();
        for part in missing.chunk_by(|a, b| a.0 == b.0) {
            let off = part[0].0;
            let mark = (out.items.len(), out.bytes.len());
            self.on_shard((id.home + off) % self.geometry.shards, |sh| {
                out.items.truncate(mark.0);
                out.bytes.truncate(mark.1);
                let Some(r) = sh.find_room(id.hash, id.ns, id.room)? else {
                    return Ok(());
                };
                for &(_, user) in part {
                    sh.each_of_user(r, user, |i, s| {
                        if s.expires() > now {
                            sh.emit(i, false, out)?;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })?
            .map_err(halt_error)?;
        }
        out.items.retain(|e| is_picked(e.user_id));
        // Visited one at a time, an entry that moved between two records may be met twice.
        out.dedup_keys();
        newest_first(out);
        Ok(total)
    }
}
