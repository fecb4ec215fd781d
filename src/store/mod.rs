//! The presence store: safe Rust over a byte region and a clock passed in by the caller.
//!
//! `Store` routes every room to one shard (so a room read takes one lock) and fans out to all
//! shards for per-user and per-namespace work. Where the shard bytes live and how they are locked
//! is the `ShardLocks` implementation's business: `sys::Segment` for shared memory, `MemShards` for
//! tests.

pub mod codec;
mod entries;
pub mod hash;
pub mod layout;
pub mod mem;
mod shard;

pub use entries::{Entries, EntryOut, RoomSummary};
pub use shard::{Corrupt, EntryKey, Refusal, RoomKey, Shard, ShardStats, Upsert, Write};

use layout::Geometry;
use std::fmt;

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// The room's shard is full even after reclaiming expired entries.
    Full(Refusal),
    /// The shard was inconsistent and stayed so after a repair.
    Corrupt,
    /// The segment could not be created, opened or mapped.
    Segment(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Full(Refusal::Data) => f.write_str(
                "the presence store has no room left for entry data; raise presence.data_memory (and restart PHP)",
            ),
            StoreError::Full(_) => f.write_str(
                "the presence store is full; raise presence.capacity (and restart PHP)",
            ),
            StoreError::Corrupt => f.write_str(
                "the presence store's shared memory is damaged beyond repair; delete the segment file (presence.shm_path)",
            ),
            StoreError::Segment(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for StoreError {}

/// Exclusive access to one shard body at a time.
pub trait ShardLocks {
    fn geometry(&self) -> Geometry;

    /// Runs `f` on shard `i`'s body with its lock held. The flag tells `f` that the previous holder
    /// died holding the lock. `f` must not panic and must not call back into PHP.
    fn with_shard<R>(&self, i: u32, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, StoreError>;
}

/// Totals over all shards.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub shard: ShardStats,
    pub capacity: u64,
    pub bytes_used: u64,
    pub bytes_capacity: u64,
    pub shards: u32,
}

/// The operations every backend offers (shared memory today, Redis next).
pub trait Backend {
    fn upsert(&self, key: &EntryKey<'_>, w: &Write<'_>) -> Result<Upsert, StoreError>;
    fn get(&self, key: &EntryKey<'_>, now: i64, out: &mut Entries) -> Result<bool, StoreError>;
    fn room(
        &self,
        rk: &RoomKey<'_>,
        now: i64,
        max_age: Option<i64>,
        out: &mut Entries,
    ) -> Result<(), StoreError>;
    fn remove(&self, key: &EntryKey<'_>) -> Result<bool, StoreError>;
    fn remove_user(&self, ns: &[u8], user_id: u64, now: i64) -> Result<u32, StoreError>;
    fn user_entries(
        &self,
        ns: &[u8],
        user_id: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<(), StoreError>;
    fn rooms(&self, ns: &[u8], prefix: &[u8], now: i64) -> Result<Vec<RoomSummary>, StoreError>;
    fn room_version(&self, rk: &RoomKey<'_>, now: i64) -> Result<u64, StoreError>;
    fn sweep(&self, now: i64) -> Result<u32, StoreError>;
    fn clear(&self, ns: Option<&[u8]>) -> Result<u32, StoreError>;
    fn stats(&self) -> Result<Stats, StoreError>;
}

pub struct Store<L> {
    locks: L,
    geometry: Geometry,
}

impl<L: ShardLocks> Store<L> {
    pub fn new(locks: L) -> Self {
        let geometry = locks.geometry();
        Self { locks, geometry }
    }

    pub fn locks(&self) -> &L {
        &self.locks
    }

    /// Formats every shard as empty. Only for a segment nobody else can see yet.
    pub fn format(&self, clock_seed: u64) -> Result<(), StoreError> {
        for i in 0..self.geometry.shards {
            self.locks
                .with_shard(i, |body, _| {
                    Shard::view(body, &self.geometry).map(|mut s| s.init(clock_seed))
                })?
                .map_err(|_| StoreError::Corrupt)?;
        }
        Ok(())
    }

    fn shard_of(&self, room_hash: u64) -> u32 {
        // High bits pick the shard; buckets inside a shard use the low bits.
        ((room_hash >> 32) % u64::from(self.geometry.shards)) as u32
    }

    /// Runs `op` on shard `i`, repairing first if the last holder died mid-change, and repairing
    /// then retrying once if `op` trips over a broken invariant.
    fn run<R, E: From<Corrupt>>(
        &self,
        i: u32,
        mut op: impl FnMut(&mut Shard<'_>) -> Result<R, E>,
        is_corrupt: impl Fn(&E) -> bool,
    ) -> Result<Result<R, E>, StoreError> {
        let g = self.geometry;
        self.locks.with_shard(i, |body, owner_died| {
            let Ok(mut sh) = Shard::view(body, &g) else {
                return Err(StoreError::Corrupt);
            };
            if owner_died || sh.needs_repair() {
                sh.repair();
            }
            match op(&mut sh) {
                Err(e) if is_corrupt(&e) => {
                    sh.repair();
                    Ok(op(&mut sh))
                }
                r => Ok(r),
            }
        })?
    }

    /// Debug hook: holds the room's shard lock mid-change for `ms` milliseconds.
    pub fn stall(&self, rk: &RoomKey<'_>, ms: u64) -> Result<(), StoreError> {
        self.run_plain(self.shard_of(rk.hash), |sh| {
            sh.stall(ms);
            Ok(())
        })
    }

    fn run_plain<R>(
        &self,
        i: u32,
        op: impl FnMut(&mut Shard<'_>) -> Result<R, Corrupt>,
    ) -> Result<R, StoreError> {
        self.run(i, op, |_| true)?.map_err(|_| StoreError::Corrupt)
    }

    fn each_shard(
        &self,
        mut op: impl FnMut(&mut Shard<'_>) -> Result<u32, Corrupt>,
    ) -> Result<u32, StoreError> {
        let mut total = 0;
        for i in 0..self.geometry.shards {
            total += self.run_plain(i, &mut op)?;
        }
        Ok(total)
    }
}

impl<L: ShardLocks> Backend for Store<L> {
    fn upsert(&self, key: &EntryKey<'_>, w: &Write<'_>) -> Result<Upsert, StoreError> {
        self.run(
            self.shard_of(key.room.hash),
            |sh| sh.upsert(key, w),
            |e| *e == Refusal::Corrupt,
        )?
        .map_err(|r| {
            if r == Refusal::Corrupt {
                StoreError::Corrupt
            } else {
                StoreError::Full(r)
            }
        })
    }

    fn get(&self, key: &EntryKey<'_>, now: i64, out: &mut Entries) -> Result<bool, StoreError> {
        out.clear();
        self.run_plain(self.shard_of(key.room.hash), |sh| {
            out.clear();
            sh.get(key, now, out)
        })
    }

    fn room(
        &self,
        rk: &RoomKey<'_>,
        now: i64,
        max_age: Option<i64>,
        out: &mut Entries,
    ) -> Result<(), StoreError> {
        self.run_plain(self.shard_of(rk.hash), |sh| {
            out.clear();
            sh.room(rk, now, max_age, out)
        })?;
        out.sort_newest_first();
        Ok(())
    }

    fn remove(&self, key: &EntryKey<'_>) -> Result<bool, StoreError> {
        self.run_plain(self.shard_of(key.room.hash), |sh| sh.remove(key))
    }

    fn remove_user(&self, ns: &[u8], user_id: u64, now: i64) -> Result<u32, StoreError> {
        self.each_shard(|sh| sh.remove_user(ns, user_id, now))
    }

    fn user_entries(
        &self,
        ns: &[u8],
        user_id: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<(), StoreError> {
        out.clear();
        for i in 0..self.geometry.shards {
            let mark = (out.items.len(), out.bytes.len());
            self.run_plain(i, |sh| {
                out.items.truncate(mark.0);
                out.bytes.truncate(mark.1);
                sh.user_entries(ns, user_id, now, out)
            })?;
        }
        out.sort_newest_first();
        Ok(())
    }

    fn rooms(&self, ns: &[u8], prefix: &[u8], now: i64) -> Result<Vec<RoomSummary>, StoreError> {
        let mut all = Vec::new();
        for i in 0..self.geometry.shards {
            let mark = all.len();
            self.run_plain(i, |sh| {
                all.truncate(mark);
                sh.rooms(ns, prefix, now, &mut all)
            })?;
        }
        all.sort_by(|a, b| a.room.cmp(&b.room));
        Ok(all)
    }

    fn room_version(&self, rk: &RoomKey<'_>, now: i64) -> Result<u64, StoreError> {
        self.run_plain(self.shard_of(rk.hash), |sh| sh.room_version(rk, now))
    }

    fn sweep(&self, now: i64) -> Result<u32, StoreError> {
        self.each_shard(|sh| sh.sweep(now))
    }

    fn clear(&self, ns: Option<&[u8]>) -> Result<u32, StoreError> {
        self.each_shard(|sh| sh.clear(ns))
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        let mut st = Stats {
            shards: self.geometry.shards,
            capacity: u64::from(self.geometry.slots_per_shard) * u64::from(self.geometry.shards),
            bytes_capacity: self.geometry.data_capacity(),
            ..Stats::default()
        };
        for i in 0..self.geometry.shards {
            let s = self.run_plain(i, |sh| Ok(sh.stats()))?;
            st.shard.entries += s.entries;
            st.shard.rooms += s.rooms;
            st.shard.blocks_used += s.blocks_used;
            st.shard.sweeps += s.sweeps;
            st.shard.swept += s.swept;
            st.shard.refusals += s.refusals;
            st.shard.recoveries += s.recoveries;
        }
        st.bytes_used = st.shard.blocks_used * layout::BLOCK_PAYLOAD as u64;
        Ok(st)
    }
}

#[cfg(test)]
mod tests;
