//! The presence store: safe Rust over a byte region and a clock passed in by the caller.
//!
//! Where the shard bytes live and how they are locked is the `ShardLocks` implementation's
//! business: `sys::Segment` for shared memory, `MemShards` for tests.
//!
//! # Rooms across shards
//!
//! ```text
//!            home shard H = hash(ns, room) → shard        H+1              H+2
//!          ┌────────────────────────────────┐  ┌──────────────────┐  ┌──────────────────┐
//! records  │ HOME  version, floor, earliest,│  │ PART  offset 1   │  │ PART  offset 2   │
//!          │       spread = 2, name chain   │  │       name chain │  │       name chain │
//! live     │  e9 → e7 → e3 → …  (newest     │  │  e8 → e5 → …     │  │  e6 → …          │
//!          │       change first)            │  │                  │  │                  │
//! log      │  gone: e4 → e2 (tombstones)    │  │  gone: e1        │  │                  │
//!          └────────────────────────────────┘  └──────────────────┘  └──────────────────┘
//!             versions of every part come from H's clock; a part exists only within `spread`
//! ```
//!
//! - **A small room lives in its home shard** and every operation on it takes that one lock.
//! - **A room that outgrows its home** (half of the shard's entries or blocks, a full shard, or
//!   its namespace's share of the shard) spills into the next shards, H+1, H+2, … (wrapping),
//!   each holding a part: a sub-list of the room. The home's `spread` says how far to look; it
//!   grows before a part is made and shrinks after one is dropped, so a crash never leaves a
//!   part its home does not cover.
//! - **Locks.** An operation on a spread room takes the shards it needs in ascending index order
//!   (`ShardLocks::with_shards`), so two never wait on each other. If it finds it needs more, it
//!   releases them and takes the larger set (`Halt::Escalate`). A refresh of an entry in a part
//!   takes only that part's lock (found by visiting the parts one at a time), and a whole-room
//!   read visits them one at a time after reading the version at home: the version it returns
//!   is never newer than the entries.
//! - **Versions and the change log.** Every change takes the next value of the home shard's
//!   clock, stores it as the room's version and in the entry (`changed`). Lists are kept newest
//!   change first and removed entries become tombstones, so "what changed since V" walks only
//!   the changes. A bounded log loses its oldest tombstones and raises a `floor`; below it,
//!   `changes()` answers "too old".
//! - **Expiry.** Each record keeps a lower bound of its entries' expiry. Reading a version costs
//!   one lock and no write until that bound passes; then the room is reclaimed once.
//! - **Hashes** are keyed by a random per-segment key (see `hash`), and records compare names.
//!
//! Crash safety: see `layout` (what is durable) and `shard::repair` (what is rebuilt).

pub mod codec;
mod counts;
mod entries;
pub mod fault;
pub mod hash;
pub mod layout;
pub mod mem;
mod ops;
mod room;
mod scan;
mod shard;
mod top;

pub use entries::{Changes, Entries, EntryOut, RoomCounts, RoomSummary};
pub use room::Share;
pub use shard::{Change, Corrupt, Invariant, Shard, ShardStats};
pub use top::MAX_TOP_USERS;

use hash::HashKey;
use layout::Geometry;
use room::{Halt, Room, RoomId};
use std::fmt;

/// Why a write was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No free entry slot, even after reclaiming expired entries.
    Entries,
    /// Not enough data blocks, even after reclaiming expired entries.
    Data,
    /// The namespace uses its share of the store (`presence.namespace_share`).
    Share,
}

/// Why a store operation failed.
#[derive(Debug)]
pub enum StoreError {
    /// The store is full even after reclaiming expired entries.
    Full(Refusal),
    /// An argument out of the store's limits (the PHP layer checks them first).
    Invalid(&'static str),
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
            StoreError::Full(Refusal::Share) => f.write_str(
                "this namespace uses its whole share of the presence store; raise presence.namespace_share, or presence.capacity and presence.data_memory (and restart PHP)",
            ),
            StoreError::Full(Refusal::Entries) => f.write_str(
                "the presence store is full; raise presence.capacity (and restart PHP)",
            ),
            StoreError::Invalid(what) => write!(f, "presence: invalid argument: {what}"),
            StoreError::Corrupt => f.write_str(
                "the presence store's shared memory is damaged beyond repair; delete the segment file (presence.shm_path)",
            ),
            StoreError::Segment(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for StoreError {}

/// Exclusive access to shard bodies.
pub trait ShardLocks {
    fn geometry(&self) -> Geometry;

    /// The segment's hash key.
    fn hash_key(&self) -> [u64; 2];

    /// Runs `f` on shard `i`'s body with its lock held. The flag tells `f` that the previous holder
    /// died holding the lock. `f` must not panic and must not call back into PHP.
    fn with_shard<R>(&self, i: u32, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, StoreError>;

    /// Runs `f` on several shards' bodies, locked in the order given (ascending, no repeats:
    /// the only order any process takes them in, so none can deadlock).
    fn with_shards<R>(
        &self,
        set: &[u32],
        f: impl FnOnce(&mut [&mut [u8]], &[bool]) -> R,
    ) -> Result<R, StoreError>;
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

/// The (namespace, room) part of a key.
#[derive(Clone, Copy, Debug)]
pub struct RoomKey<'k> {
    pub ns: &'k [u8],
    pub room: &'k [u8],
}

impl<'k> RoomKey<'k> {
    pub fn new(ns: &'k [u8], room: &'k [u8]) -> Self {
        Self { ns, room }
    }
}

/// A full entry key.
#[derive(Clone, Copy, Debug)]
pub struct EntryKey<'k> {
    pub room: RoomKey<'k>,
    pub client: &'k [u8],
}

impl<'k> EntryKey<'k> {
    pub fn new(room: RoomKey<'k>, client: &'k [u8]) -> Self {
        Self { room, client }
    }
}

/// What to write.
#[derive(Clone, Copy, Debug)]
pub struct Write<'d> {
    pub user_id: u64,
    pub data: &'d [u8],
    pub now: i64,
    pub ttl: i64,
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Changed,
    /// Same user and data: only the timestamps moved, the room version did not.
    Refreshed,
}

/// Filters of a room read.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOpts<'p> {
    /// Only entries written within this many seconds (presence-api's `$timeout`).
    pub max_age: Option<i64>,
    /// Only entries whose client id starts with this (presence-api's `$client_prefix`).
    pub client_prefix: &'p [u8],
}

/// The operations every backend offers.
pub trait Backend {
    fn upsert(&self, key: &EntryKey<'_>, w: &Write<'_>) -> Result<Upsert, StoreError>;
    fn get(&self, key: &EntryKey<'_>, now: i64, out: &mut Entries) -> Result<bool, StoreError>;
    /// Live entries, newest first; returns the room's version, read before the entries.
    fn room(
        &self,
        rk: &RoomKey<'_>,
        now: i64,
        opts: &ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<u64, StoreError>;
    /// Writes the entry, then reads the room (in one lock pass where the room is not spread).
    fn exchange(
        &self,
        key: &EntryKey<'_>,
        w: &Write<'_>,
        opts: &ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<(Upsert, u64), StoreError>;
    fn remove(&self, key: &EntryKey<'_>, now: i64) -> Result<bool, StoreError>;
    fn remove_user(&self, ns: &[u8], user_id: u64, now: i64) -> Result<u32, StoreError>;
    fn user_entries(
        &self,
        ns: &[u8],
        user_id: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<(), StoreError>;
    fn rooms(&self, ns: &[u8], prefix: &[u8], now: i64) -> Result<Vec<RoomSummary>, StoreError>;
    /// The live rooms of `rooms()`, as (name, version) only: no walk of a room's entries.
    fn room_versions(
        &self,
        ns: &[u8],
        prefix: &[u8],
        now: i64,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError>;
    /// One room's live entries and distinct users in each of `namespaces` (in their order), in
    /// one walk of the store.
    fn room_counts(
        &self,
        namespaces: &[&[u8]],
        room: &[u8],
        now: i64,
    ) -> Result<Vec<RoomCounts>, StoreError>;
    /// The live entries of the room's first `users` users (1 to `MAX_TOP_USERS`) by each
    /// user's newest `updated` (ties: the lower user id first), plus every live entry of
    /// `extra_user` (0: none), newest first into `out`; returns how many distinct users (> 0)
    /// have a live entry in the room. User 0's entries are neither picked nor counted.
    fn room_top(
        &self,
        rk: &RoomKey<'_>,
        users: u32,
        extra_user: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<u32, StoreError>;
    fn room_version(&self, rk: &RoomKey<'_>, now: i64) -> Result<u64, StoreError>;
    /// What changed since version `since`: false when the log no longer reaches back (read the
    /// whole room instead). `since` 0 means "I saw the room empty": every entry is a change.
    /// With `max_users` above 0, `out.over` instead when more distinct users than that have a
    /// live changed entry (nothing is copied then).
    fn changes(
        &self,
        rk: &RoomKey<'_>,
        since: u64,
        whole_users: bool,
        max_users: usize,
        now: i64,
        out: &mut Changes,
    ) -> Result<bool, StoreError>;
    fn sweep(&self, now: i64) -> Result<u32, StoreError>;
    fn clear(&self, ns: Option<&[u8]>, now: i64) -> Result<u32, StoreError>;
    fn stats(&self) -> Result<Stats, StoreError>;
}

pub struct Store<L> {
    locks: L,
    geometry: Geometry,
    key: HashKey,
    share: Share,
}

/// Runs `f` with `shards` marked dirty; they are marked clean again unless `f` found them
/// corrupt (then the caller repairs them).
fn guarded<R>(
    shards: &mut [Shard<'_>],
    f: impl FnOnce(&mut [Shard<'_>]) -> Result<R, Halt>,
) -> Result<R, Halt> {
    let mut c = Change::begin(shards);
    let r = f(&mut c);
    if !matches!(r, Err(Halt::Corrupt)) {
        c.commit();
    }
    r
}

fn halt_error(h: Halt) -> StoreError {
    match h {
        Halt::Refused(r) | Halt::Sweep(r) => StoreError::Full(r),
        Halt::Corrupt | Halt::Escalate(_) => StoreError::Corrupt,
    }
}

impl<L: ShardLocks> Store<L> {
    pub fn new(locks: L) -> Self {
        let geometry = locks.geometry();
        let key = HashKey::new(locks.hash_key());
        Self {
            locks,
            geometry,
            key,
            share: Share { percent: 100 },
        }
    }

    /// Limits every namespace to `percent` of each shard's entries and blocks.
    #[must_use]
    pub fn with_share(mut self, percent: u32) -> Self {
        self.share = Share {
            percent: percent.clamp(1, 100),
        };
        self
    }

    /// Test hook: replaces the hash key (for instance by one where every room collides).
    #[cfg(test)]
    #[must_use]
    pub fn with_key(mut self, key: HashKey) -> Self {
        self.key = key;
        self
    }

    pub fn locks(&self) -> &L {
        &self.locks
    }

    /// Formats every shard as empty. Only for a segment nobody else can see yet.
    pub fn format(&self, clock_seed: u64) -> Result<(), StoreError> {
        for i in 0..self.geometry.shards {
            self.locks
                .with_shard(i, |body, _| {
                    Shard::view(body, &self.geometry, i, self.key).map(|mut s| s.init(clock_seed))
                })?
                .map_err(|_| StoreError::Corrupt)?;
        }
        Ok(())
    }

    fn id<'k>(&self, rk: &RoomKey<'k>) -> RoomId<'k> {
        let hash = self.key.room(rk.ns, rk.room);
        RoomId {
            ns: rk.ns,
            room: rk.room,
            hash,
            home: Shard::home_of(hash, self.geometry.shards),
        }
    }

    /// Runs `op` on shard `i`, repairing first if the last holder died mid-change, and repairing
    /// then retrying once if `op` trips over a broken invariant.
    fn on_shard<R>(
        &self,
        i: u32,
        mut op: impl FnMut(&mut Shard<'_>) -> Result<R, Halt>,
    ) -> Result<Result<R, Halt>, StoreError> {
        let (g, key) = (self.geometry, self.key);
        self.locks.with_shard(i, |body, died| {
            let Ok(mut sh) = Shard::view(body, &g, i, key) else {
                return Err(StoreError::Corrupt);
            };
            if died || sh.needs_repair() {
                sh.repair();
            }
            match op(&mut sh) {
                Err(Halt::Corrupt) => {
                    sh.repair();
                    Ok(op(&mut sh))
                }
                r => Ok(r),
            }
        })?
    }

    /// As `on_shard`, over several shards locked in ascending order.
    fn on_shards<R>(
        &self,
        set: &[u32],
        mut op: impl FnMut(&mut [Shard<'_>]) -> Result<R, Halt>,
    ) -> Result<Result<R, Halt>, StoreError> {
        let (g, key) = (self.geometry, self.key);
        self.locks.with_shards(set, |bodies, died| {
            let mut shards = Vec::with_capacity(bodies.len());
            for (n, body) in bodies.iter_mut().enumerate() {
                let Ok(sh) = Shard::view(body, &g, set[n], key) else {
                    return Err(StoreError::Corrupt);
                };
                shards.push(sh);
            }
            for (n, sh) in shards.iter_mut().enumerate() {
                if died[n] || sh.needs_repair() {
                    sh.repair();
                }
            }
            match op(&mut shards) {
                Err(Halt::Corrupt) => {
                    for sh in &mut shards {
                        sh.repair();
                    }
                    Ok(op(&mut shards))
                }
                r => Ok(r),
            }
        })?
    }

    /// Shard indexes of offsets `0..=held` from `home`, ascending.
    fn set_of(&self, home: u32, held: u32) -> Vec<u32> {
        let n = self.geometry.shards;
        let mut set: Vec<u32> = (0..=held.min(n - 1)).map(|o| (home + o) % n).collect();
        set.sort_unstable();
        set
    }

    /// Runs `op` on the room with offsets `0..=held` locked (`held` at least `min_held`),
    /// taking more shards whenever `op` or the room's spread asks for them. With `write`,
    /// the shards are marked dirty for the length of `op`. A halt other than an escalation is
    /// returned as is.
    fn room_op<R>(
        &self,
        id: RoomId<'_>,
        min_held: u32,
        write: bool,
        mut op: impl FnMut(&mut Room<'_, '_, '_>) -> Result<R, Halt>,
    ) -> Result<Result<R, Halt>, StoreError> {
        let mut held = min_held.min(self.geometry.shards - 1);
        loop {
            let mut run = |shards: &mut [Shard<'_>]| -> Result<R, Halt> {
                if write {
                    guarded(shards, |sh| {
                        Room::open(sh, id, held).and_then(|mut room| op(&mut room))
                    })
                } else {
                    Room::open(shards, id, held).and_then(|mut room| op(&mut room))
                }
            };
            let r = if held == 0 {
                self.on_shard(id.home, |sh| run(std::slice::from_mut(sh)))?
            } else {
                self.on_shards(&self.set_of(id.home, held), run)?
            };
            match r {
                Err(Halt::Escalate(k)) if k > held => held = k.min(self.geometry.shards - 1),
                r => return Ok(r),
            }
        }
    }

    /// `room_op`, with every halt turned into an error.
    fn on_room<R>(
        &self,
        id: RoomId<'_>,
        min_held: u32,
        write: bool,
        op: impl FnMut(&mut Room<'_, '_, '_>) -> Result<R, Halt>,
    ) -> Result<R, StoreError> {
        self.room_op(id, min_held, write, op)?.map_err(halt_error)
    }

    /// Debug hook: holds the room's home shard lock mid-change for `ms` milliseconds.
    pub fn stall(&self, rk: &RoomKey<'_>, ms: u64) -> Result<(), StoreError> {
        let id = self.id(rk);
        self.on_shard(id.home, |sh| {
            guarded(std::slice::from_mut(sh), |_| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                Ok(())
            })
        })?
        .map_err(halt_error)
    }

    fn check_key(key: &EntryKey<'_>) -> Result<(), StoreError> {
        Self::check_room(&key.room)?;
        if key.client.is_empty() || key.client.len() > layout::MAX_KEY_LEN {
            return Err(StoreError::Invalid("client_id must be 1 to 255 bytes"));
        }
        Ok(())
    }

    fn check_room(rk: &RoomKey<'_>) -> Result<(), StoreError> {
        if rk.ns.len() > layout::MAX_NAMESPACE_LEN {
            return Err(StoreError::Invalid("namespace must be at most 64 bytes"));
        }
        if rk.room.is_empty() || rk.room.len() > layout::MAX_KEY_LEN {
            return Err(StoreError::Invalid("room must be 1 to 255 bytes"));
        }
        Ok(())
    }

    fn check_write(w: &Write<'_>) -> Result<(), StoreError> {
        if w.data.len() > layout::MAX_DATA_LEN {
            return Err(StoreError::Invalid(
                "data must encode to at most 16384 bytes",
            ));
        }
        if !(1..=layout::MAX_TTL).contains(&w.ttl) {
            return Err(StoreError::Invalid("ttl must be 1 to 86400 seconds"));
        }
        if !(0..=layout::MAX_TIME - layout::MAX_TTL).contains(&w.now) {
            return Err(StoreError::Invalid("the clock is out of range"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
