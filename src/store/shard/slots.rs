//! Entries: creating, changing, refreshing, removing (into a tombstone) and freeing slots, and
//! copying them out.
//!
//! Every change commits with one store: a new slot becomes `SLOT_LIVE` last; a change writes a new
//! slot (with a newer `changed`) before freeing the old one, and repair keeps the newer of two
//! slots with one key; a refresh writes `times`, one word; a removal sets `SLOT_GONE`.

use super::{take_index, Corrupt, Shard};
use crate::store::entries::{Entries, EntryOut};
use crate::store::hash::Fnv;
use crate::store::layout::{blocks_for, pack_times, Slot, NIL, SLOT_FREE, SLOT_GONE, SLOT_LIVE};

/// An entry to write.
#[derive(Clone, Copy, Debug)]
pub struct NewEntry<'k> {
    pub key_hash: u64,
    pub client: &'k [u8],
    pub user_id: u64,
    pub data: &'k [u8],
    pub times: u64,
    /// The room version of this write.
    pub changed: u64,
}

impl NewEntry<'_> {
    pub fn blocks(&self) -> u32 {
        blocks_for(self.client.len() + self.data.len())
    }
}

/// Covers every durable field of a slot but `times`, and the hash of the room it belongs to.
pub fn slot_checksum(s: &Slot, room_hash: u64) -> u64 {
    Fnv::new()
        .u64(s.key_hash)
        .u64(s.changed)
        .u64(s.user_id)
        .u64(s.payload_sum)
        .u64(u64::from(s.first_block) | u64::from(s.data_len) << 32)
        .u64(u64::from(s.room_idx) | u64::from(s.client_len) << 32)
        .u64(room_hash)
        .finish()
}

impl Shard<'_> {
    /// Slots neither live nor tombstones.
    pub fn slots_free(&self) -> u32 {
        let m = self.meta();
        self.n_slots().saturating_sub(m.entries + m.gone)
    }

    fn alloc_slot(&mut self) -> Result<u32, Corrupt> {
        let m = *self.meta();
        let (mut free, mut hwm) = (m.slot_free, m.slot_hwm);
        let i = take_index(&mut free, &mut hwm, self.n_slots(), |i| {
            self.slot(i).ok().map(|s| s.key_next)
        })?
        // Callers make space first, so running out here means broken counters.
        .ok_or(Corrupt)?;
        let meta = self.meta_mut();
        meta.slot_free = free;
        meta.slot_hwm = hwm;
        Ok(i)
    }

    /// Frees tombstones, oldest first within each record, until `slots` slots and `blocks`
    /// blocks are free. False if there are not enough even then. Freeing a tombstone raises its
    /// record's log floor.
    pub fn make_space(&mut self, slots: u32, blocks: u32) -> Result<bool, Corrupt> {
        let short = |sh: &Self| sh.slots_free() < slots || sh.blocks_free() < blocks;
        if !short(self) {
            return Ok(true);
        }
        if self.meta().gone == 0 {
            return Ok(false);
        }
        let with_tombstones: Vec<u32> = self
            .room_records()
            .filter(|(_, r)| r.gone > 0)
            .map(|(i, _)| i)
            .collect();
        for r in with_tombstones {
            while short(self) {
                let t = self.room(r)?.gone_tail;
                if t == NIL {
                    break;
                }
                self.slot_free(t)?;
            }
        }
        Ok(!short(self))
    }

    /// Writes a new live entry into record `r`; the caller has made space.
    pub fn entry_create(&mut self, r: u32, e: &NewEntry<'_>) -> Result<u32, Corrupt> {
        let i = self.write_live(r, e)?;
        let ns_hash = self.room(r)?.ns_hash;
        self.ns_add(ns_hash, 1, i64::from(e.blocks()))?;
        Ok(i)
    }

    /// Replaces live slot `old` of record `r` by a new slot (same key, new data or user).
    pub fn entry_replace(&mut self, r: u32, old: u32, e: &NewEntry<'_>) -> Result<u32, Corrupt> {
        let was = *self.slot(old)?;
        let i = self.write_live(r, e)?;
        self.key_unlink(old)?;
        self.release_live(r, old, &was)?;
        self.free_storage(old, &was)?;
        let grown = i64::from(e.blocks()) - i64::from(blocks_for(was.payload_len()));
        if grown != 0 {
            let ns_hash = self.room(r)?.ns_hash;
            self.ns_add(ns_hash, 0, grown)?;
        }
        Ok(i)
    }

    /// Writes, commits and links a new live slot, counted in its record and the shard (not yet
    /// in its namespace's totals).
    fn write_live(&mut self, r: u32, e: &NewEntry<'_>) -> Result<u32, Corrupt> {
        let room_hash = self.room(r)?.hash;
        let i = self.alloc_slot()?;
        let (first, sum) = self.write_chain(&[e.client, e.data])?;
        let mut s = Slot {
            key_hash: e.key_hash,
            times: e.times,
            changed: e.changed,
            user_id: e.user_id,
            payload_sum: sum,
            checksum: 0,
            first_block: first,
            data_len: e.data.len() as u32,
            room_idx: r,
            client_len: e.client.len() as u16,
            state: SLOT_FREE,
            key_next: NIL,
            room_prev: NIL,
            room_next: NIL,
            user_prev: NIL,
            user_next: NIL,
            pad: 0,
        };
        s.checksum = slot_checksum(&s, room_hash);
        *self.slot_mut(i)? = s;
        // Live only once complete: a crash before this line leaves a free slot and stray blocks,
        // both reclaimed by repair.
        self.slot_mut(i)?.state = SLOT_LIVE;
        self.key_link(i)?;
        self.user_link(i)?;
        self.list_push(r, i, false)?;
        let nb = e.blocks();
        let expires = s.expires();
        let rm = self.room_mut(r)?;
        rm.blocks += nb;
        rm.earliest = rm.earliest.min(expires);
        self.meta_mut().entries += 1;
        Ok(i)
    }

    /// Moves the timestamps of a live entry: one store.
    pub fn entry_refresh(&mut self, s: u32, times: u64) -> Result<(), Corrupt> {
        self.slot_mut(s)?.times = times;
        Ok(())
    }

    /// Turns a live entry into a tombstone of change `version`, removed at `now`.
    pub fn entry_tombstone(&mut self, s: u32, version: u64, now: i64) -> Result<(), Corrupt> {
        let sl = *self.slot(s)?;
        if sl.state != SLOT_LIVE {
            return Err(Corrupt);
        }
        let r = sl.room_idx;
        self.key_unlink(s)?;
        self.slot_mut(s)?.state = SLOT_GONE;
        {
            let sm = self.slot_mut(s)?;
            sm.changed = version;
            sm.times = pack_times(now, now);
        }
        self.uncount_live(r, s, &sl)?;
        self.list_push(r, s, true)?;
        self.meta_mut().gone += 1;
        Ok(())
    }

    /// Takes live slot `s` (a copy of it in `sl`) off record `r`'s live list and every count.
    fn uncount_live(&mut self, r: u32, s: u32, sl: &Slot) -> Result<(), Corrupt> {
        self.release_live(r, s, sl)?;
        let ns_hash = self.room(r)?.ns_hash;
        self.ns_add(ns_hash, -1, -i64::from(blocks_for(sl.payload_len())))
    }

    /// As `uncount_live`, but leaves the namespace's totals to the caller.
    fn release_live(&mut self, r: u32, s: u32, sl: &Slot) -> Result<(), Corrupt> {
        self.list_unlink(r, s, false)?;
        self.user_unlink(s)?;
        let nb = blocks_for(sl.payload_len());
        let rm = self.room_mut(r)?;
        rm.blocks = rm.blocks.saturating_sub(nb);
        let meta = self.meta_mut();
        meta.entries = meta.entries.saturating_sub(1);
        Ok(())
    }

    /// Frees a live slot or a tombstone outright. A freed tombstone raises its record's floor.
    pub fn slot_free(&mut self, s: u32) -> Result<(), Corrupt> {
        let sl = *self.slot(s)?;
        let r = sl.room_idx;
        match sl.state {
            SLOT_LIVE => {
                self.key_unlink(s)?;
                self.uncount_live(r, s, &sl)?;
            }
            SLOT_GONE => {
                self.list_unlink(r, s, true)?;
                let rm = self.room_mut(r)?;
                rm.floor = rm.floor.max(sl.changed);
                let meta = self.meta_mut();
                meta.gone = meta.gone.saturating_sub(1);
            }
            _ => return Err(Corrupt),
        }
        self.free_storage(s, &sl)
    }

    /// Frees slot `s` and its chain (`sl`: what it held), once it is out of every list.
    fn free_storage(&mut self, s: u32, sl: &Slot) -> Result<(), Corrupt> {
        {
            let sm = self.slot_mut(s)?;
            sm.state = SLOT_FREE;
            sm.checksum = 0;
        }
        self.free_chain(self.client_chain(sl))?;
        let free = self.meta().slot_free;
        self.slot_mut(s)?.key_next = free;
        self.meta_mut().slot_free = s;
        Ok(())
    }

    /// Copies entry `s` into `out`; with `with_room`, its room name first.
    pub fn emit(&self, s: u32, with_room: bool, out: &mut Entries) -> Result<(), Corrupt> {
        let sl = self.slot(s)?;
        let base = out.bytes.len();
        let room_len = if with_room {
            let before = out.bytes.len();
            self.room_name(sl.room_idx, &mut out.bytes)
                .inspect_err(|_| out.bytes.truncate(base))?;
            out.bytes.len() - before
        } else {
            0
        };
        if let Err(e) = self.chain_copy(self.client_chain(sl), 0, sl.payload_len(), &mut out.bytes)
        {
            out.bytes.truncate(base);
            return Err(e);
        }
        let (updated, expires) = (sl.updated(), sl.expires());
        out.items.push(EntryOut {
            start: base as u32,
            room_len: room_len as u32,
            client_len: u32::from(sl.client_len),
            data_len: if sl.state == SLOT_LIVE {
                sl.data_len
            } else {
                0
            },
            user_id: sl.user_id,
            updated,
            expires,
            changed: sl.changed,
        });
        if sl.state != SLOT_LIVE {
            // A tombstone's data is not reported: drop the copied bytes past the client id.
            out.bytes
                .truncate(base + room_len + usize::from(sl.client_len));
        }
        Ok(())
    }
}

impl Shard<'_> {
    /// Test hook: leaves the shard as a process killed half-way through an insert into record
    /// `r` would: marked dirty, a slot claimed and marked live with its checksum unwritten.
    #[doc(hidden)]
    pub fn simulate_torn_insert(&mut self, r: u32, client: &[u8], data: &[u8]) {
        self.meta_mut().dirty = 1;
        if self.slots_free() == 0 || self.blocks_free() < blocks_for(client.len() + data.len()) {
            return;
        }
        if let (Ok(i), Ok((first, _))) = (self.alloc_slot(), self.write_chain(&[client, data])) {
            if let Ok(s) = self.slot_mut(i) {
                s.first_block = first;
                s.room_idx = r;
                s.client_len = client.len() as u16;
                s.data_len = data.len() as u32;
                s.state = SLOT_LIVE;
                s.checksum = 0xdead;
            }
        }
        // No commit: the "process" never finished.
    }
}
