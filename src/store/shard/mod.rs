//! One locked shard: its indexes, blocks, room records, entries, change log and repair.
//!
//! - `view`: the typed view of the shard's bytes; the only code that touches them directly.
//! - `blocks`: payload chains. `index`: the key, room and namespace hash indexes.
//! - `rooms`: room records and their entry lists. `slots`: creating, changing, removing entries.
//! - `log`: tombstones and the change log read. `repair`: rebuild. `verify`: invariant check.

mod blocks;
mod index;
mod log;
mod repair;
mod rooms;
mod slots;
mod verify;
mod view;

pub use blocks::Chain;
pub use log::LOG_AGE;
pub use rooms::NewRoom;
pub use slots::NewEntry;
pub use verify::Invariant;
pub use view::{Change, Shard};

use super::layout::NIL;

/// A broken invariant in the segment (only possible after a crash or a foreign writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// Takes an index off a free list (`next` reads a free item's link), or else the next never-used
/// index below `cap`. None when both are exhausted.
fn take_index(
    free: &mut u32,
    hwm: &mut u32,
    cap: u32,
    next: impl FnOnce(u32) -> Option<u32>,
) -> Result<Option<u32>, Corrupt> {
    if *free != NIL {
        let i = *free;
        *free = next(i).ok_or(Corrupt)?;
        Ok(Some(i))
    } else if *hwm < cap {
        *hwm += 1;
        Ok(Some(*hwm - 1))
    } else {
        Ok(None)
    }
}

/// Counters of one shard, summed by `Store::stats`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ShardStats {
    pub entries: u64,
    pub rooms: u64,
    pub blocks_used: u64,
    pub tombstones: u64,
    pub sweeps: u64,
    pub swept: u64,
    pub refusals: u64,
    pub share_refusals: u64,
    pub recoveries: u64,
}

impl Shard<'_> {
    pub fn stats(&self) -> ShardStats {
        let m = self.meta();
        ShardStats {
            entries: u64::from(m.entries),
            rooms: u64::from(m.rooms),
            blocks_used: u64::from(m.blocks_used),
            tombstones: u64::from(m.gone),
            sweeps: m.sweeps,
            swept: m.swept,
            refusals: m.refusals,
            share_refusals: m.share_refusals,
            recoveries: m.recoveries,
        }
    }

    /// True when the last holder died or panicked in the middle of a change.
    pub fn needs_repair(&self) -> bool {
        self.meta().dirty != 0
    }

    /// The next room version of a room homed here.
    pub fn tick(&mut self) -> u64 {
        let m = self.meta_mut();
        m.clock = m.clock.wrapping_add(1);
        m.clock
    }

    /// Shard index of the room part `offset` shards after home `home`.
    pub fn at_offset(&self, home: u32, offset: u32) -> u32 {
        (home + offset) % self.shards()
    }

    /// How far this shard is from `home`, wrapping.
    pub fn offset_from(&self, home: u32) -> u32 {
        (self.idx() + self.shards() - home % self.shards()) % self.shards()
    }

    /// The home shard of a room hash: high bits pick it, buckets use the low bits.
    pub fn home_of(hash: u64, shards: u32) -> u32 {
        ((hash >> 32) % u64::from(shards)) as u32
    }
}

#[cfg(test)]
pub use slots::slot_checksum as slot_checksum_for_tests;
