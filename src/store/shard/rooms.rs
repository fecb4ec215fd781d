//! Room records (homes and parts) and their two lists: live entries, most recently changed
//! first, and tombstones, newest first.

use super::{take_index, Chain, Corrupt, Shard};
use crate::store::hash::Fnv;
use crate::store::layout::{blocks_for, RoomRec, NIL, ROOM_FREE, ROOM_HOME, ROOM_PART};

/// A room record to create.
#[derive(Clone, Copy, Debug)]
pub struct NewRoom<'k> {
    pub hash: u64,
    pub ns_hash: u64,
    pub ns: &'k [u8],
    pub room: &'k [u8],
    /// `ROOM_HOME` or `ROOM_PART`.
    pub state: u16,
    /// Home: how far the room spreads. Part: its offset from the home.
    pub spread: u16,
    pub version: u64,
    pub floor: u64,
}

/// Covers every field of a record that never changes after creation.
pub fn room_checksum(r: &RoomRec, state: u16) -> u64 {
    let offset = if state == ROOM_PART { r.spread } else { 0 };
    Fnv::new()
        .u64(r.hash)
        .u64(r.ns_hash)
        .u64(r.name_sum)
        .u64(u64::from(r.name_block) | u64::from(r.ns_len) << 32 | u64::from(r.room_len) << 48)
        .u64(u64::from(state) | u64::from(offset) << 16)
        .finish()
}

impl Shard<'_> {
    pub fn name_chain(&self, r: &RoomRec) -> Chain {
        Chain {
            first: r.name_block,
            len: usize::from(r.ns_len) + usize::from(r.room_len),
        }
    }

    pub fn room_name_is(&self, r: u32, ns: &[u8], room: &[u8]) -> Result<bool, Corrupt> {
        let rec = self.room(r)?;
        if usize::from(rec.ns_len) != ns.len() || usize::from(rec.room_len) != room.len() {
            return Ok(false);
        }
        let c = self.name_chain(rec);
        Ok(self.chain_eq(c, 0, ns)? && self.chain_eq(c, ns.len(), room)?)
    }

    pub fn room_ns_is(&self, r: u32, ns: &[u8]) -> Result<bool, Corrupt> {
        let rec = self.room(r)?;
        Ok(usize::from(rec.ns_len) == ns.len() && self.chain_eq(self.name_chain(rec), 0, ns)?)
    }

    /// Whether the room's name (without namespace) starts with `prefix`.
    pub fn room_starts_with(&self, r: u32, prefix: &[u8]) -> Result<bool, Corrupt> {
        let rec = self.room(r)?;
        Ok(usize::from(rec.room_len) >= prefix.len()
            && self.chain_eq(self.name_chain(rec), usize::from(rec.ns_len), prefix)?)
    }

    /// Appends the room's name (without namespace) to `out`.
    pub fn room_name(&self, r: u32, out: &mut Vec<u8>) -> Result<(), Corrupt> {
        let rec = self.room(r)?;
        self.chain_copy(
            self.name_chain(rec),
            usize::from(rec.ns_len),
            usize::from(rec.room_len),
            out,
        )
    }

    /// Appends the namespace to `out`.
    pub fn room_namespace(&self, r: u32, out: &mut Vec<u8>) -> Result<(), Corrupt> {
        let rec = self.room(r)?;
        self.chain_copy(self.name_chain(rec), 0, usize::from(rec.ns_len), out)
    }

    /// Creates a room record. None when this shard has no record or no blocks for the name left.
    pub fn room_create(&mut self, nr: &NewRoom<'_>) -> Result<Option<u32>, Corrupt> {
        let name_len = nr.ns.len() + nr.room.len();
        let need = blocks_for(name_len);
        if self.blocks_free() < need {
            return Ok(None);
        }
        let m = *self.meta();
        let (mut free, mut hwm) = (m.room_free, m.room_hwm);
        let Some(i) = take_index(&mut free, &mut hwm, self.n_rooms(), |i| {
            self.room(i).ok().map(|r| r.next)
        })?
        else {
            return Ok(None);
        };
        let meta = self.meta_mut();
        meta.room_free = free;
        meta.room_hwm = hwm;
        let (first, sum) = self.write_chain(&[nr.ns, nr.room])?;
        let mut rec = RoomRec {
            hash: nr.hash,
            ns_hash: nr.ns_hash,
            name_sum: sum,
            checksum: 0,
            version: nr.version,
            floor: nr.floor,
            earliest: i64::MAX,
            name_block: first,
            ns_len: nr.ns.len() as u16,
            room_len: nr.room.len() as u16,
            head: NIL,
            gone_head: NIL,
            gone_tail: NIL,
            count: 0,
            gone: 0,
            blocks: 0,
            next: NIL,
            state: ROOM_FREE,
            spread: nr.spread,
        };
        rec.checksum = room_checksum(&rec, nr.state);
        *self.room_mut(i)? = rec;
        // In use only once complete: a crash before this line leaves a free record and stray
        // blocks, both reclaimed by repair.
        self.room_mut(i)?.state = nr.state;
        self.room_index_link(i)?;
        self.ns_add(nr.ns_hash, 0, i64::from(need))?;
        if nr.state == ROOM_HOME {
            self.meta_mut().rooms += 1;
        }
        Ok(Some(i))
    }

    /// Drops an empty record (and its tombstones).
    pub fn room_drop(&mut self, r: u32) -> Result<(), Corrupt> {
        if self.room(r)?.count != 0 {
            return Err(Corrupt);
        }
        while self.room(r)?.gone_tail != NIL {
            let t = self.room(r)?.gone_tail;
            self.slot_free(t)?;
        }
        self.room_index_unlink(r)?;
        let rec = *self.room(r)?;
        self.room_mut(r)?.state = ROOM_FREE;
        self.free_chain(self.name_chain(&rec))?;
        let name_blocks = blocks_for(self.name_chain(&rec).len);
        self.ns_add(rec.ns_hash, 0, -i64::from(name_blocks))?;
        let free = self.meta().room_free;
        self.room_mut(r)?.next = free;
        let meta = self.meta_mut();
        meta.room_free = r;
        if rec.state == ROOM_HOME {
            meta.rooms = meta.rooms.saturating_sub(1);
        }
        Ok(())
    }

    /// Puts slot `s` at the head of record `r`'s live list (`gone`: its tombstone list).
    pub(super) fn list_push(&mut self, r: u32, s: u32, gone: bool) -> Result<(), Corrupt> {
        let rec = *self.room(r)?;
        let head = if gone { rec.gone_head } else { rec.head };
        {
            let sm = self.slot_mut(s)?;
            sm.room_prev = NIL;
            sm.room_next = head;
        }
        if head != NIL {
            self.slot_mut(head)?.room_prev = s;
        }
        let rm = self.room_mut(r)?;
        if gone {
            rm.gone_head = s;
            if head == NIL {
                rm.gone_tail = s;
            }
            rm.gone += 1;
        } else {
            rm.head = s;
            rm.count += 1;
        }
        Ok(())
    }

    pub(super) fn list_unlink(&mut self, r: u32, s: u32, gone: bool) -> Result<(), Corrupt> {
        let (prev, next) = {
            let sl = self.slot(s)?;
            (sl.room_prev, sl.room_next)
        };
        if prev == NIL {
            let rm = self.room_mut(r)?;
            let head = if gone {
                &mut rm.gone_head
            } else {
                &mut rm.head
            };
            if *head != s {
                return Err(Corrupt);
            }
            *head = next;
        } else {
            self.slot_mut(prev)?.room_next = next;
        }
        if next == NIL {
            if gone {
                self.room_mut(r)?.gone_tail = prev;
            }
        } else {
            self.slot_mut(next)?.room_prev = prev;
        }
        let rm = self.room_mut(r)?;
        if gone {
            rm.gone = rm.gone.saturating_sub(1);
        } else {
            rm.count = rm.count.saturating_sub(1);
        }
        Ok(())
    }

    /// Every record of this shard in use: (index, record).
    pub fn room_records(&self) -> impl Iterator<Item = (u32, RoomRec)> + '_ {
        (0..self.meta().room_hwm.min(self.n_rooms()))
            .filter_map(|i| self.room(i).ok().map(|r| (i, *r)))
            .filter(|(_, r)| r.state != ROOM_FREE)
    }
}
