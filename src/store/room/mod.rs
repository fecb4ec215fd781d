//! One room across the shards that hold it, with those shards locked.
//!
//! A `Room` sees offsets `0..=held` from the room's home shard (wrapping), all locked by the
//! caller in ascending shard order. Operations that need a shard beyond `held` stop before
//! writing anything of their own and ask for it (`Halt::Escalate`); the store then takes the
//! larger set and runs the operation again.
//!
//! - `write`: upserts (refresh, change, create and where a new entry goes) and removals.
//! - `upkeep`: reclaiming expired entries, tidying parts and the spread, adoption, clearing.
//! - `read`: reads, summaries and changes since a version.

use super::layout::{pack_times, NIL, ROOM_HOME, ROOM_PART};
use super::shard::{Corrupt, NewEntry, Shard};
use super::{Refusal, Write};

mod read;
mod upkeep;
mod write;

pub use upkeep::reclaim_homes;

/// Why a room operation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Halt {
    Corrupt,
    Refused(Refusal),
    /// Run again holding offsets `0..=n`.
    Escalate(u32),
    /// Every shard is full: sweep the store, then try once more.
    Sweep(Refusal),
}

impl From<Corrupt> for Halt {
    fn from(_: Corrupt) -> Self {
        Halt::Corrupt
    }
}

/// A room's names and hashes.
#[derive(Clone, Copy, Debug)]
pub struct RoomId<'k> {
    pub ns: &'k [u8],
    pub room: &'k [u8],
    pub hash: u64,
    pub home: u32,
}

/// How much of each shard one namespace may use (`presence.namespace_share`).
#[derive(Clone, Copy, Debug)]
pub struct Share {
    pub percent: u32,
}

impl Share {
    fn allows(self, sh: &Shard<'_>, entries: u32, blocks: u32) -> bool {
        if self.percent >= 100 {
            return true;
        }
        let p = u64::from(self.percent);
        let max_e = (u64::from(sh.capacity()) * p / 100).max(1);
        let max_b = (u64::from(sh.n_blocks()) * p / 100).max(1);
        u64::from(entries) <= max_e && u64::from(blocks) <= max_b
    }
}

pub struct Room<'s, 'a, 'k> {
    shards: &'s mut [Shard<'a>],
    pub id: RoomId<'k>,
    pub held: u32,
    /// The room's record in the shard at each held offset.
    recs: Recs,
}

/// Offsets kept inline: rooms rarely spread further.
const SMALL: usize = 4;

/// Record indexes by offset (`NIL`: none), without a heap allocation for the common small set.
struct Recs {
    small: [u32; SMALL],
    big: Vec<u32>,
}

impl Default for Recs {
    fn default() -> Self {
        Self {
            small: [NIL; SMALL],
            big: Vec::new(),
        }
    }
}

impl Recs {
    fn get(&self, off: u32) -> Option<u32> {
        let off = off as usize;
        let v = if off < SMALL {
            self.small[off]
        } else {
            self.big.get(off - SMALL).copied().unwrap_or(NIL)
        };
        (v != NIL).then_some(v)
    }

    fn set(&mut self, off: u32, v: Option<u32>) {
        let off = off as usize;
        let v = v.unwrap_or(NIL);
        if off < SMALL {
            self.small[off] = v;
        } else {
            if self.big.len() <= off - SMALL {
                self.big.resize(off - SMALL + 1, NIL);
            }
            self.big[off - SMALL] = v;
        }
    }
}

/// The entry an upsert writes, as change `v`.
fn new_entry<'e>(client: &'e [u8], kh: u64, w: &Write<'e>, v: u64) -> NewEntry<'e> {
    NewEntry {
        key_hash: kh,
        client,
        user_id: w.user_id,
        data: w.data,
        times: pack_times(w.now, w.now + w.ttl),
        changed: v,
    }
}

/// Grows a held set: at least to `want`, and at least doubling, so a room that spreads over
/// many shards needs few retries.
fn grow(want: u32, held: u32, shards: u32) -> u32 {
    want.max(held * 2 + 1).min(shards - 1)
}

impl<'s, 'a, 'k> Room<'s, 'a, 'k> {
    /// Views the room over `shards` (offsets `0..=held`, ascending by shard index).
    pub fn open(shards: &'s mut [Shard<'a>], id: RoomId<'k>, held: u32) -> Result<Self, Halt> {
        let mut room = Self {
            shards,
            id,
            held,
            recs: Recs::default(),
        };
        room.locate()?;
        let spread = room.spread()?;
        if spread > held {
            return Err(Halt::Escalate(spread));
        }
        Ok(room)
    }

    /// Views only the home shard, whatever the room's spread: for an operation on an entry
    /// that turns out to live there. Anything else escalates.
    pub fn open_home(shards: &'s mut [Shard<'a>], id: RoomId<'k>) -> Result<Self, Halt> {
        let mut room = Self {
            shards,
            id,
            held: 0,
            recs: Recs::default(),
        };
        room.locate()?;
        Ok(room)
    }

    /// Fails with an escalation unless every part of the room is held.
    fn cover(&self) -> Result<u32, Halt> {
        let s = self.spread()?;
        if s > self.held {
            Err(Halt::Escalate(s))
        } else {
            Ok(s)
        }
    }

    /// The namespace's hash: only creations and growing writes need it (for the share).
    fn ns_hash(&self) -> u64 {
        self.shards[0].key().namespace(self.id.ns)
    }

    fn n(&self) -> u32 {
        self.shards[0].shards()
    }

    fn pos(&self, off: u32) -> Result<usize, Corrupt> {
        let idx = (self.id.home + off) % self.n();
        self.shards
            .binary_search_by_key(&idx, Shard::idx)
            .map_err(|_| Corrupt)
    }

    pub fn sh(&self, off: u32) -> Result<&Shard<'a>, Corrupt> {
        let p = self.pos(off)?;
        Ok(&self.shards[p])
    }

    pub fn sh_mut(&mut self, off: u32) -> Result<&mut Shard<'a>, Corrupt> {
        let p = self.pos(off)?;
        Ok(&mut self.shards[p])
    }

    /// Finds the room's record in every held shard.
    pub fn locate(&mut self) -> Result<(), Corrupt> {
        for off in 0..=self.held {
            let sh = self.sh(off)?;
            let r = sh.find_room(self.id.hash, self.id.ns, self.id.room)?;
            let want = if off == 0 { ROOM_HOME } else { ROOM_PART };
            match r {
                Some(r) if sh.room(r)?.state != want => return Err(Corrupt),
                _ => self.recs.set(off, r),
            }
        }
        Ok(())
    }

    pub fn rec(&self, off: u32) -> Option<u32> {
        self.recs.get(off)
    }

    /// The home record.
    pub fn home(&self) -> Result<Option<crate::store::layout::RoomRec>, Corrupt> {
        Ok(self.home_ref()?.copied())
    }

    fn home_ref(&self) -> Result<Option<&crate::store::layout::RoomRec>, Corrupt> {
        match self.rec(0) {
            Some(r) => Ok(Some(self.sh(0)?.room(r)?)),
            None => Ok(None),
        }
    }

    pub fn spread(&self) -> Result<u32, Corrupt> {
        Ok(self.home_ref()?.map_or(0, |h| u32::from(h.spread)))
    }

    /// The room's version: 0 when it has no entries. Exact only when every part is held or
    /// the home has entries (see `is_exact`).
    pub fn version(&self) -> Result<u64, Corrupt> {
        let Some(h) = self.home_ref()? else {
            return Ok(0);
        };
        if h.count > 0 {
            return Ok(h.version);
        }
        let spread = u32::from(h.spread);
        for off in 1..=spread.min(self.held) {
            if let Some(r) = self.rec(off) {
                if self.sh(off)?.room(r)?.count > 0 {
                    return Ok(h.version);
                }
            }
        }
        Ok(if spread > self.held { h.version } else { 0 })
    }

    /// Whether `version()` can tell an empty room from this view.
    pub fn is_exact(&self) -> Result<bool, Corrupt> {
        Ok(self
            .home()?
            .is_none_or(|h| h.count > 0 || u32::from(h.spread) <= self.held))
    }

    /// Whether an expired entry may be waiting (the home's earliest expiry has passed).
    pub fn reclaim_due(&self, now: i64) -> Result<bool, Corrupt> {
        Ok(self.home_ref()?.is_some_and(|h| h.earliest <= now))
    }

    fn find_key(&self, kh: u64, client: &[u8]) -> Result<Option<(u32, u32, u32)>, Corrupt> {
        for off in 0..=self.held {
            if let Some(r) = self.rec(off) {
                if let Some(s) = self.sh(off)?.find_key(kh, r, client)? {
                    return Ok(Some((off, r, s)));
                }
            }
        }
        Ok(None)
    }

    /// Takes the next version (from the home shard) and records it as the room's.
    fn bump(&mut self) -> Result<u64, Corrupt> {
        let home = self.rec(0).ok_or(Corrupt)?;
        let sh = self.sh_mut(0)?;
        let v = sh.tick();
        sh.room_mut(home)?.version = v;
        Ok(v)
    }

    fn lower_earliest(&mut self, off: u32, r: u32, expires: i64) -> Result<(), Corrupt> {
        let rm = self.sh_mut(off)?.room_mut(r)?;
        if rm.earliest > expires {
            rm.earliest = expires;
        }
        if off != 0 {
            let home = self.rec(0).ok_or(Corrupt)?;
            let hm = self.sh_mut(0)?.room_mut(home)?;
            if hm.earliest > expires {
                hm.earliest = expires;
            }
        }
        Ok(())
    }

    /// Turns a live entry into a tombstone of a new version and keeps the log bounded.
    fn tombstone(&mut self, off: u32, r: u32, s: u32, v: u64, now: i64) -> Result<(), Corrupt> {
        let sh = self.sh_mut(off)?;
        sh.entry_tombstone(s, v, now)?;
        let keep = Shard::log_keep(sh.room(r)?.count);
        sh.trim_gone(r, keep)
    }
}
