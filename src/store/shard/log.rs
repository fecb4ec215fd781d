//! The change log of a room record: its live list, ordered by the version of each entry's last
//! change, and its tombstones. "What changed since V" is a walk from the heads down to V, so it
//! costs the number of changes, not the size of the room.
//!
//! Tombstones are bounded: a record keeps at least `LOG_MIN` and at most as many as it has live
//! entries, and none older than `LOG_AGE` seconds after a sweep. Freeing one raises the record's
//! `floor`: a `since` below it can no longer be answered, and the caller reads the whole room.

use super::{Corrupt, Shard};
use crate::store::entries::Entries;
use crate::store::layout::{Slot, NIL, SLOT_GONE, SLOT_LIVE};

/// Tombstones a record keeps whatever its size.
pub const LOG_MIN: u32 = 32;
/// Seconds a tombstone is kept once a sweep sees it (clients poll far more often).
pub const LOG_AGE: i64 = 600;

impl Shard<'_> {
    /// Calls `f` on each slot of a list from `start`, until it returns false.
    pub fn walk(
        &self,
        start: u32,
        mut f: impl FnMut(u32, &Slot) -> Result<bool, Corrupt>,
    ) -> Result<(), Corrupt> {
        let mut i = start;
        for _ in 0..=self.n_slots() {
            if i == NIL {
                return Ok(());
            }
            let s = *self.slot(i)?;
            if !f(i, &s)? {
                return Ok(());
            }
            i = s.room_next;
        }
        Err(Corrupt)
    }

    /// Live slots of record `r` (head first), collected so the caller may change the shard.
    pub fn live_slots(&self, r: u32, out: &mut Vec<u32>) -> Result<(), Corrupt> {
        let rec = self.room(r)?;
        self.walk(rec.head, |i, s| {
            if s.state != SLOT_LIVE || s.room_idx != r {
                return Err(Corrupt);
            }
            out.push(i);
            Ok(true)
        })
    }

    /// Frees the oldest tombstones of `r` beyond `keep`.
    pub fn trim_gone(&mut self, r: u32, keep: u32) -> Result<(), Corrupt> {
        for _ in 0..=self.n_slots() {
            let rec = *self.room(r)?;
            if rec.gone <= keep || rec.gone_tail == NIL {
                return Ok(());
            }
            self.slot_free(rec.gone_tail)?;
        }
        Err(Corrupt)
    }

    /// Frees the tombstones of `r` removed at or before `before`.
    pub fn age_gone(&mut self, r: u32, before: i64) -> Result<(), Corrupt> {
        for _ in 0..=self.n_slots() {
            let t = self.room(r)?.gone_tail;
            if t == NIL || self.slot(t)?.updated() > before {
                return Ok(());
            }
            self.slot_free(t)?;
        }
        Err(Corrupt)
    }

    /// The bound on tombstones of a record with `count` live entries.
    pub fn log_keep(count: u32) -> u32 {
        count.max(LOG_MIN)
    }

    /// Entries of `r` changed after `since` into `changed`, tombstones after it into `removed`,
    /// and every user touched into `touched`.
    pub fn changes_since(
        &self,
        r: u32,
        since: u64,
        now: i64,
        changed: &mut Entries,
        removed: &mut Entries,
        touched: &mut Vec<u64>,
    ) -> Result<(), Corrupt> {
        let rec = *self.room(r)?;
        self.walk(rec.head, |i, s| {
            if s.state != SLOT_LIVE || s.room_idx != r {
                return Err(Corrupt);
            }
            if s.changed <= since {
                return Ok(false);
            }
            if s.expires() > now {
                self.emit(i, false, changed)?;
                touched.push(s.user_id);
            }
            Ok(true)
        })?;
        self.walk(rec.gone_head, |i, s| {
            if s.state != SLOT_GONE || s.room_idx != r {
                return Err(Corrupt);
            }
            if s.changed <= since {
                return Ok(false);
            }
            self.emit(i, false, removed)?;
            touched.push(s.user_id);
            Ok(true)
        })
    }

    /// Adds to `users` (sorted, distinct) the users of the live entries of `r` changed after
    /// `since`, and stops once it holds more than `max`: true then. Copies no entry, so a caller
    /// that turns down more than `max` changed users learns it for the price of `max` of them.
    pub fn changed_users_over(
        &self,
        r: u32,
        since: u64,
        now: i64,
        max: usize,
        users: &mut Vec<u64>,
    ) -> Result<bool, Corrupt> {
        let rec = *self.room(r)?;
        let mut over = false;
        self.walk(rec.head, |_, s| {
            if s.state != SLOT_LIVE || s.room_idx != r {
                return Err(Corrupt);
            }
            if s.changed <= since {
                return Ok(false);
            }
            if s.expires() > now {
                if let Err(at) = users.binary_search(&s.user_id) {
                    users.insert(at, s.user_id);
                    over = users.len() > max;
                }
            }
            Ok(!over)
        })?;
        Ok(over)
    }

    /// Live entries of `r` changed at or before `since` whose user is in `users`: with
    /// `changes_since`, every live entry of every touched user. Follows each user's chain, so
    /// it costs their entries, not the room's.
    pub fn unchanged_of_users(
        &self,
        r: u32,
        since: u64,
        users: &[u64],
        now: i64,
        out: &mut Entries,
    ) -> Result<(), Corrupt> {
        for &u in users {
            self.each_of_user(r, u, |i, s| {
                if s.changed <= since && s.expires() > now {
                    self.emit(i, false, out)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}

impl Shard<'_> {
    /// Copies the live entries of record `r` that `opts` lets through.
    pub fn read_list(
        &self,
        r: u32,
        now: i64,
        opts: &crate::store::ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<(), Corrupt> {
        let min_updated = opts.max_age.map(|a| now.saturating_sub(a));
        let prefix = opts.client_prefix;
        let rec = *self.room(r)?;
        self.walk(rec.head, |i, s| {
            if s.state != SLOT_LIVE || s.room_idx != r {
                return Err(Corrupt);
            }
            if s.expires() > now
                && min_updated.is_none_or(|m| s.updated() > m)
                && (prefix.is_empty()
                    || (usize::from(s.client_len) >= prefix.len()
                        && self.chain_eq(self.client_chain(s), 0, prefix)?))
            {
                self.emit(i, false, out)?;
            }
            Ok(true)
        })
    }
}

impl Shard<'_> {
    /// Live entries of record `r`, their last write, and their users (appended to `users`).
    pub fn summary(&self, r: u32, now: i64, users: &mut Vec<u64>) -> Result<(u32, i64), Corrupt> {
        let (mut entries, mut updated) = (0u32, 0i64);
        self.walk(self.room(r)?.head, |_, s| {
            if s.expires() > now {
                entries += 1;
                updated = updated.max(s.updated());
                users.push(s.user_id);
            }
            Ok(true)
        })?;
        Ok((entries, updated))
    }
}
