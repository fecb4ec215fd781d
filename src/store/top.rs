//! `room_top`: the live entries of a room's first users by each user's newest write, plus one
//! extra user's, and how many distinct users the room has. What a Heartbeat tick that shows the
//! first 20 of 5000 users needs, without copying (or building PHP values for) the other 4980.
//!
//! Each record (the home, then each part, one shard lock at a time as `room()` reads) is walked
//! once for (user, updated, slot) of its live entries; only the entries of its local first
//! `users` users and of the extra user are copied out. A user among the room's first is among
//! the first of the record that holds their newest entry (anyone ranked above them there ranks
//! above them in the room too), so the copied users hold the room's first, and only a picked
//! user's entries in the *other* records can be missing: those are fetched afterwards through
//! the user index, one record at a time. Nothing is written: expired entries are skipped, not
//! reclaimed.

use super::shard::{Corrupt, Shard};
use super::{halt_error, Entries, RoomKey, ShardLocks, Store, StoreError};
use crate::store::layout::{NIL, SLOT_LIVE};
use std::cell::Cell;

/// The most users one `room_top` call picks.
pub const MAX_TOP_USERS: u32 = 1000;

/// A user's newest write (in one record, or in the room).
#[derive(Clone, Copy)]
struct Newest {
    user: u64,
    updated: i64,
}

/// Ranks users: the newest write first, then the lower user id (stable between calls).
fn rank(a: &Newest, b: &Newest) -> std::cmp::Ordering {
    b.updated.cmp(&a.updated).then(a.user.cmp(&b.user))
}

/// Newest write first, ties newest change first: `room()`'s order for a room in one shard,
/// whatever order the picked users' entries were copied in.
fn newest_first(out: &mut Entries) {
    out.items
        .sort_by_key(|e| (std::cmp::Reverse(e.updated), std::cmp::Reverse(e.changed)));
}

/// The users of a room's records in one open-addressing table (user 0, never stored, marks a
/// free cell), and per record each user's newest write with its entries as a chain through
/// `live`. Building it costs a few instructions per entry, where sorting the entries by user
/// cost hundreds; its used cells are the room's distinct users.
struct Scratch {
    /// A user id per cell (0: free).
    keys: Vec<u64>,
    /// Per cell: the run (of `record_top`) that last met the user, and the user's index in
    /// `groups` for that run.
    met: Vec<(u32, u32)>,
    used: usize,
    seed: u64,
    run: u32,
    /// The record being read (its offset) until its run ends, and the users its run added: a
    /// run cut short by a broken shard is run again after the repair, without what it added.
    open: Option<u32>,
    fresh: Vec<u64>,
    /// The current run's entries: (slot, index here of the same user's previous one, or `NIL`).
    live: Vec<(u32, u32)>,
    /// The current run's users: newest write and the index in `live` of the last entry met.
    groups: Vec<(Newest, u32)>,
}

/// A cell's number for `user`, mixed with the room's keyed hash (as the shard's user index
/// mixes it) so the cells users land in differ from segment to segment.
fn mix(user: u64, seed: u64) -> u64 {
    // splitmix64's finalizer.
    let mut z = user ^ seed;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Scratch {
    fn empty() -> Self {
        Self {
            keys: Vec::new(),
            met: Vec::new(),
            used: 0,
            seed: 0,
            run: 0,
            open: None,
            fresh: Vec::new(),
            live: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// Starts a call on the room hashed `seed`, expected to hold about `users` users: an empty
    /// table of the size they need, reusing the last call's when it has that size.
    fn start(&mut self, seed: u64, users: usize) {
        let cap = (users * 2 + 2).next_power_of_two();
        if self.keys.len() == cap {
            self.keys.fill(0);
        } else {
            self.keys = vec![0; cap];
            self.met = vec![(0, 0); cap];
        }
        self.used = 0;
        self.seed = seed;
        self.open = None;
        self.fresh.clear();
    }

    /// Starts a run over the record at `off`, of `count` entries: the table grows first so it
    /// stays at most half full if every entry is a new user.
    fn begin(&mut self, off: u32, count: u32) {
        self.forget_unfinished();
        self.open = Some(off);
        self.fresh.clear();
        self.run = self.run.wrapping_add(1);
        self.live.clear();
        self.groups.clear();
        self.reserve(self.used + count as usize);
    }

    /// Forgets the users a run cut short added (its record is read again, or not at all).
    fn forget_unfinished(&mut self) {
        if self.open.take().is_some() {
            // All cells first: emptying one cuts the probe sequences through it.
            let cells: Vec<usize> = self.fresh.iter().map(|&u| self.cell(u)).collect();
            for c in cells {
                if self.keys[c] != 0 {
                    self.keys[c] = 0;
                    self.used -= 1;
                }
            }
            self.rebuild(self.keys.len());
        }
        self.fresh.clear();
    }

    /// Ends the run: its users are the room's.
    fn end(&mut self) {
        self.open = None;
    }

    /// Grows the table to hold `users` at most half full.
    fn reserve(&mut self, users: usize) {
        let cap = (users * 2 + 2).next_power_of_two();
        if cap > self.keys.len() {
            self.rebuild(cap);
        }
    }

    /// Places every user again in a table of `cap` cells.
    fn rebuild(&mut self, cap: usize) {
        let keys = std::mem::replace(&mut self.keys, vec![0; cap]);
        let met = std::mem::replace(&mut self.met, vec![(0, 0); cap]);
        for (k, m) in keys.into_iter().zip(met) {
            if k != 0 {
                let c = self.cell(k);
                self.keys[c] = k;
                self.met[c] = m;
            }
        }
    }

    /// The cell of `user`: its own, or the free one where it goes.
    fn cell(&self, user: u64) -> usize {
        let mask = self.keys.len() - 1;
        let mut c = (mix(user, self.seed) as usize) & mask;
        // Never full (`reserve`): the probe ends at the user's cell or a free one.
        while self.keys[c] != 0 && self.keys[c] != user {
            c = (c + 1) & mask;
        }
        c
    }

    /// Notes entry `slot` of `user` (> 0), written at `updated`, in this run's record.
    fn add(&mut self, user: u64, updated: i64, slot: u32) {
        if self.used * 2 + 2 > self.keys.len() {
            // More entries than the record counts: still never a full table.
            self.reserve(self.used + 1);
        }
        let c = self.cell(user);
        let new = self.keys[c] == 0;
        if new {
            self.keys[c] = user;
            self.used += 1;
            self.fresh.push(user);
        }
        // A new cell's `met` is a past call's: never trust it.
        if new || self.met[c].0 != self.run {
            self.met[c] = (self.run, self.groups.len() as u32);
            self.groups.push((Newest { user, updated }, NIL));
        }
        let at = self.live.len() as u32;
        if let Some(g) = self.groups.get_mut(self.met[c].1 as usize) {
            g.0.updated = g.0.updated.max(updated);
            self.live.push((slot, g.1));
            g.1 = at;
        }
    }
}

thread_local! {
    // One table per process, reused by every call (as the PHP layer's `Entries`).
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
}

/// What the records of a spread room tell about its users, merged once every one is read.
#[derive(Default)]
struct Merge {
    /// Users whose entries a record copied, with their newest write there (the candidates).
    copied: Vec<Newest>,
    /// (user, offset) of a record's users whose entries it did not copy.
    left: Vec<(u64, u32)>,
}

/// Walks record `r` (at offset `off`) and copies into `out` the entries of its first `n` users
/// and of `extra`, and adds its users to the room's in `sc`. With `merge`, notes which users it
/// copied. Work under the lock: one walk, a table of the users, the copies.
#[allow(clippy::too_many_arguments)] // One record's walk, spelled out for both callers.
fn record_top(
    sh: &Shard<'_>,
    r: u32,
    off: u32,
    now: i64,
    n: usize,
    extra: u64,
    sc: &mut Scratch,
    mut merge: Option<&mut Merge>,
    out: &mut Entries,
) -> Result<(), Corrupt> {
    let rec = *sh.room(r)?;
    sc.begin(off, rec.count);
    sh.walk(rec.head, |i, s| {
        if s.state != SLOT_LIVE || s.room_idx != r {
            return Err(Corrupt);
        }
        // User 0 (not logged in) is neither picked nor counted.
        if s.user_id != 0 && s.expires() > now {
            sc.add(s.user_id, s.updated(), i);
        }
        Ok(true)
    })?;
    if n < sc.groups.len() {
        // The first `n` in rank order, in any order among themselves.
        sc.groups.select_nth_unstable_by(n, |a, b| rank(&a.0, &b.0));
    }
    for (k, &(who, last)) in sc.groups.iter().enumerate() {
        let copy = k < n || who.user == extra;
        if copy {
            // The order of the copies is settled by `newest_first`.
            let mut at = last;
            while let Some(&(slot, prev)) = sc.live.get(at as usize) {
                sh.emit(slot, false, out)?;
                at = prev;
            }
        }
        if let Some(m) = merge.as_deref_mut() {
            if copy {
                m.copied.push(who);
            } else {
                m.left.push((who.user, off));
            }
        }
    }
    sc.end();
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
        // The table is kept from call to call (a room's size changes little between ticks), so
        // its memory is zeroed, not mapped afresh; a call that fails drops it.
        let mut sc = SCRATCH.take().unwrap_or_else(Scratch::empty);
        let top = self.room_top_with(&mut sc, rk, users, extra, now, out)?;
        SCRATCH.set(Some(sc));
        Ok(top)
    }

    fn room_top_with(
        &self,
        sc: &mut Scratch,
        rk: &RoomKey<'_>,
        users: u32,
        extra: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<u32, StoreError> {
        let id = self.id(rk);
        let n = users as usize;
        let mut merge = Merge::default();
        out.clear();
        // The home record, and how far the room spreads.
        let (spread, version) = self
            .on_shard(id.home, |sh| {
                // The closure may run twice (after a repair): it starts afresh.
                out.clear();
                merge.copied.clear();
                merge.left.clear();
                let Some(r) = sh.find_room(id.hash, id.ns, id.room)? else {
                    sc.start(id.hash, 0);
                    return Ok((0, 0));
                };
                let rec = *sh.room(r)?;
                let spread = u32::from(rec.spread);
                // Parts hold about as many entries as the home (it grows if they hold more).
                sc.start(id.hash, rec.count as usize * (spread as usize + 1));
                let m = (spread > 0).then_some(&mut merge);
                record_top(sh, r, 0, now, n, extra, sc, m, out)?;
                Ok((spread, rec.version))
            })?
            .map_err(halt_error)?;
        if spread == 0 {
            // One record: its first users are the room's.
            newest_first(out);
            return Ok(sc.used as u32);
        }
        for off in 1..=spread {
            let mark = (
                out.items.len(),
                out.bytes.len(),
                merge.copied.len(),
                merge.left.len(),
            );
            self.on_shard((id.home + off) % self.geometry.shards, |sh| {
                out.items.truncate(mark.0);
                out.bytes.truncate(mark.1);
                merge.copied.truncate(mark.2);
                merge.left.truncate(mark.3);
                sc.forget_unfinished();
                if let Some(r) = sh.find_room(id.hash, id.ns, id.room)? {
                    record_top(sh, r, off, now, n, extra, sc, Some(&mut merge), out)?;
                }
                Ok(())
            })?
            .map_err(halt_error)?;
        }
        // The room's first `n` users are among the users some record copied, and the record
        // holding a picked user's newest write copied it: ranking the copied users by their
        // newest write among the records that copied them ranks the room's first right (any
        // other can only rank lower than it should).
        let mut best = std::mem::take(&mut merge.copied);
        best.sort_unstable_by(|a, b| a.user.cmp(&b.user).then(rank(a, b)));
        best.dedup_by_key(|s| s.user);
        if n < best.len() {
            best.select_nth_unstable_by(n, rank);
            best.truncate(n);
        }
        let mut picked: Vec<u64> = best.iter().map(|s| s.user).collect();
        picked.sort_unstable();
        let is_picked = |u: u64| u == extra || picked.binary_search(&u).is_ok();
        // A picked user's entries in records where they were not among the first.
        let mut missing: Vec<(u32, u64)> = merge
            .left
            .iter()
            .filter(|l| is_picked(l.0))
            .map(|l| (l.1, l.0))
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
        // The records copied their own first users too: keep the room's.
        out.items.retain(|e| is_picked(e.user_id));
        // Visited one at a time, an entry that moved between two records may be met twice;
        // every change bumps the version at home, so if it still stands none did (as `room()`).
        if self.home_version(id)? != version {
            out.dedup_keys();
        }
        newest_first(out);
        Ok(sc.used as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_cut_short_leaves_no_users_behind() {
        let mut sc = Scratch::empty();
        sc.start(7, 1);
        sc.begin(0, 2);
        sc.add(1, 100, 0);
        sc.add(2, 101, 1);
        sc.end();
        // A run that adds users 2 (known), 3 and 4, then stops (a broken shard): after its
        // repair, its record is read again and holds users 3 and 5.
        sc.begin(1, 3);
        sc.add(2, 102, 0);
        sc.add(3, 102, 1);
        sc.add(4, 103, 2);
        sc.begin(1, 2);
        assert_eq!(sc.used, 2, "users 1 and 2");
        sc.add(3, 102, 1);
        sc.add(5, 104, 2);
        sc.end();
        assert_eq!(sc.used, 4, "users 1, 2, 3 and 5");
        assert_eq!(sc.groups.len(), 2);
        // Growing past the records' counts keeps every user, once.
        sc.begin(2, 0);
        for u in 1..=1000 {
            sc.add(u, 200, u as u32);
        }
        sc.end();
        assert_eq!(sc.used, 1000);
        assert_eq!(sc.groups.len(), 1000);
        sc.forget_unfinished();
        assert_eq!(sc.used, 1000, "nothing unfinished");
    }
}
