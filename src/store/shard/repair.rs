//! Repair: rebuild everything derived from the durable parts (sound room records and sound live
//! slots), after a holder died mid-change or a check failed.
//!
//! Repair keeps the shard dirty until its last write, so a process killed while repairing leaves
//! a shard the next locker repairs again. It drops tombstones and bumps every home's version and
//! floor, so change logs restart ("too old" for any earlier version); parts get `FLOOR_RESET`
//! until their home raises its own floor.

use super::rooms::room_checksum;
use super::slots::slot_checksum;
use super::{Corrupt, Shard};
use crate::store::layout::{
    blocks_for, RoomRec, FLOOR_RESET, MAX_DATA_LEN, MAX_KEY_LEN, MAX_NAMESPACE_LEN, NIL, ROOM_FREE,
    ROOM_HOME, ROOM_PART, SLOT_FREE, SLOT_LIVE,
};

impl Shard<'_> {
    /// Whether record `r` is well formed: state, lengths, checksum, name chain (marked in
    /// `used`), and a hash and home that match its name.
    pub(super) fn record_is_sound(&self, r: &RoomRec, used: &mut [bool]) -> Option<Vec<u8>> {
        if !(r.state == ROOM_HOME || r.state == ROOM_PART)
            || usize::from(r.ns_len) > MAX_NAMESPACE_LEN
            || r.room_len == 0
            || usize::from(r.room_len) > MAX_KEY_LEN
            || room_checksum(r, r.state) != r.checksum
        {
            return None;
        }
        let c = self.name_chain(r);
        if !self.mark_chain(c, used) {
            return None;
        }
        let ns_len = usize::from(r.ns_len);
        let mut name = Vec::with_capacity(c.len);
        let home = Self::home_of(r.hash, self.shards());
        let ok = self.chain_copy(c, 0, c.len, &mut name).is_ok()
            && self.chain_sum(c, &[ns_len, usize::from(r.room_len)]).ok() == Some(r.name_sum)
            && self.key().room(&name[..ns_len], &name[ns_len..]) == r.hash
            && self.key().namespace(&name[..ns_len]) == r.ns_hash
            && if r.state == ROOM_HOME {
                home == self.idx()
            } else {
                r.spread != 0 && u32::from(r.spread) == self.offset_from(home)
            };
        if ok {
            Some(name)
        } else {
            self.unmark_chain(c, blocks_for(c.len), used);
            None
        }
    }

    /// Rebuilds every index, list and counter from the sound records and slots, dropping the
    /// rest. Returns how many live entries were dropped.
    pub fn repair(&mut self) -> u32 {
        if self.meta().dirty == 0 {
            self.meta_mut().dirty = 1;
        }
        let m = *self.meta();
        let slot_hwm = m.slot_hwm.min(self.n_slots());
        let block_hwm = m.block_hwm.min(self.n_blocks());
        let room_hwm = m.room_hwm.min(self.n_rooms());
        let mut used = vec![false; block_hwm as usize];
        let (sound, max_version) = self.sound_records(room_hwm, &mut used);
        let (keep, dropped) = self.sound_slots(slot_hwm, &sound, &mut used);
        let max_version = keep.iter().map(|k| k.1).fold(max_version, u64::max);
        self.clear_indexes();
        *self.meta_mut() = crate::store::layout::ShardMeta {
            clock: m.clock.max(max_version).wrapping_add(1),
            slot_hwm,
            block_hwm,
            room_hwm,
            slot_free: NIL,
            block_free: NIL,
            room_free: NIL,
            ns_free: NIL,
            dirty: 1,
            sweeps: m.sweeps,
            swept: m.swept,
            refusals: m.refusals,
            share_refusals: m.share_refusals,
            recoveries: m.recoveries + 1,
            ..Default::default()
        };
        let _ = self.relink(slot_hwm, block_hwm, room_hwm, &used, &sound, &keep);
        self.meta_mut().dirty = 0;
        dropped
    }

    /// Room records: sound ones stay (a name held twice keeps one); the others are freed.
    /// Returns which stay and the highest version among them.
    fn sound_records(&mut self, room_hwm: u32, used: &mut [bool]) -> (Vec<bool>, u64) {
        let mut named: Vec<(Vec<u8>, u32)> = Vec::new();
        for r in 0..room_hwm {
            let Ok(rec) = self.room(r).copied() else {
                continue;
            };
            if rec.state == ROOM_FREE {
                continue;
            }
            match self.record_is_sound(&rec, used) {
                Some(name) => named.push((name, r)),
                None => {
                    let _ = self.room_mut(r).map(|x| x.state = ROOM_FREE);
                }
            }
        }
        named.sort();
        let mut sound = vec![false; self.n_rooms() as usize];
        let mut max_version = 0;
        let mut prev: Option<&[u8]> = None;
        for (name, r) in &named {
            if prev == Some(name.as_slice()) {
                if let Ok(rec) = self.room(*r).copied() {
                    let c = self.name_chain(&rec);
                    self.unmark_chain(c, blocks_for(c.len), used);
                }
                let _ = self.room_mut(*r).map(|x| x.state = ROOM_FREE);
            } else {
                sound[*r as usize] = true;
                max_version = max_version.max(self.room(*r).map_or(0, |x| x.version));
            }
            prev = Some(name);
        }
        (sound, max_version)
    }

    /// Slots: sound live ones stay, the newer of two with one key; tombstones go (the log
    /// restarts). Returns the kept (record, changed, slot) and how many live entries went.
    fn sound_slots(
        &mut self,
        slot_hwm: u32,
        sound: &[bool],
        used: &mut [bool],
    ) -> (Vec<(u32, u64, u32)>, u32) {
        let mut live: Vec<(u32, u64, Vec<u8>, u64, u32)> = Vec::new();
        let mut dropped = 0;
        for i in 0..slot_hwm {
            let Ok(s) = self.slot(i).copied() else {
                continue;
            };
            if s.state == SLOT_FREE {
                continue;
            }
            if let Some(client) = self.slot_is_sound(&s, sound, used) {
                live.push((s.room_idx, s.key_hash, client, s.changed, i));
            } else {
                if s.state == SLOT_LIVE {
                    dropped += 1;
                }
                self.free_slot_state(i);
            }
        }
        // Two live slots with one key: a change killed between writing the new slot and
        // freeing the old one. The newer change wins.
        live.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)).then(b.3.cmp(&a.3)));
        let mut keep = Vec::with_capacity(live.len());
        for (n, e) in live.iter().enumerate() {
            if n > 0 && (live[n - 1].0, live[n - 1].1, &live[n - 1].2) == (e.0, e.1, &e.2) {
                if let Ok(s) = self.slot(e.4).copied() {
                    let c = self.client_chain(&s);
                    self.unmark_chain(c, blocks_for(c.len), used);
                }
                self.free_slot_state(e.4);
            } else {
                keep.push((e.0, e.3, e.4));
            }
        }
        (keep, dropped)
    }

    /// A live slot that checks out (its chain marked in `used`): its client id.
    fn slot_is_sound(
        &self,
        s: &crate::store::layout::Slot,
        sound: &[bool],
        used: &mut [bool],
    ) -> Option<Vec<u8>> {
        let c = self.client_chain(s);
        let ok = s.state == SLOT_LIVE
            && sound.get(s.room_idx as usize) == Some(&true)
            && s.client_len != 0
            && usize::from(s.client_len) <= MAX_KEY_LEN
            && s.data_len as usize <= MAX_DATA_LEN
            && self
                .room(s.room_idx)
                .is_ok_and(|r| slot_checksum(s, r.hash) == s.checksum)
            && self.mark_chain(c, used);
        if !ok {
            return None;
        }
        let mut client = Vec::new();
        let sum_ok = self
            .chain_sum(c, &[usize::from(s.client_len), s.data_len as usize])
            .ok()
            == Some(s.payload_sum)
            && self
                .chain_copy(c, 0, usize::from(s.client_len), &mut client)
                .is_ok();
        if sum_ok {
            Some(client)
        } else {
            self.unmark_chain(c, blocks_for(c.len), used);
            None
        }
    }

    fn free_slot_state(&mut self, i: u32) {
        if let Ok(sm) = self.slot_mut(i) {
            sm.state = SLOT_FREE;
            sm.checksum = 0;
        }
    }

    fn relink(
        &mut self,
        slot_hwm: u32,
        block_hwm: u32,
        room_hwm: u32,
        used: &[bool],
        sound: &[bool],
        keep: &[(u32, u64, u32)],
    ) -> Result<(), Corrupt> {
        let mut live = vec![false; slot_hwm as usize];
        for k in keep {
            live[k.2 as usize] = true;
        }
        for i in (0..slot_hwm).rev() {
            if !live[i as usize] {
                let free = self.meta().slot_free;
                let sm = self.slot_mut(i)?;
                sm.state = SLOT_FREE;
                sm.checksum = 0;
                sm.key_next = free;
                self.meta_mut().slot_free = i;
            }
        }
        for b in (0..block_hwm).rev() {
            if used[b as usize] {
                self.meta_mut().blocks_used += 1;
            } else {
                let free = self.meta().block_free;
                self.block_mut(b)?.next = free;
                self.meta_mut().block_free = b;
            }
        }
        for r in (0..room_hwm).rev() {
            if sound[r as usize] {
                let rec = *self.room(r)?;
                let version = if rec.state == ROOM_HOME {
                    self.tick()
                } else {
                    0
                };
                {
                    let rm = self.room_mut(r)?;
                    rm.head = NIL;
                    rm.gone_head = NIL;
                    rm.gone_tail = NIL;
                    rm.count = 0;
                    rm.gone = 0;
                    rm.blocks = 0;
                    rm.earliest = i64::MAX;
                    if rec.state == ROOM_HOME {
                        rm.version = version;
                        rm.floor = version;
                    } else {
                        rm.floor = FLOOR_RESET;
                    }
                }
                self.room_index_link(r)?;
                self.ns_add(
                    rec.ns_hash,
                    0,
                    i64::from(blocks_for(self.name_chain(&rec).len)),
                )?;
                if rec.state == ROOM_HOME {
                    self.meta_mut().rooms += 1;
                }
            } else {
                let free = self.meta().room_free;
                let rm = self.room_mut(r)?;
                rm.state = ROOM_FREE;
                rm.next = free;
                self.meta_mut().room_free = r;
            }
        }
        // Oldest change first, each pushed at its list's head: lists end newest first.
        let mut order: Vec<(u32, u64, u32)> = keep.to_vec();
        order.sort_by_key(|k| k.1);
        for (r, _, i) in order {
            let s = *self.slot(i)?;
            let nb = blocks_for(s.payload_len());
            self.key_link(i)?;
            self.user_link(i)?;
            self.list_push(r, i, false)?;
            let ns_hash = self.room(r)?.ns_hash;
            let rm = self.room_mut(r)?;
            rm.blocks += nb;
            rm.earliest = rm.earliest.min(s.expires());
            self.meta_mut().entries += 1;
            self.ns_add(ns_hash, 1, i64::from(nb))?;
        }
        for r in 0..room_hwm {
            if !sound[r as usize] {
                continue;
            }
            let rec = *self.room(r)?;
            if rec.state == ROOM_HOME && rec.spread > 0 {
                // The parts' expiries are unknown from here: the next look reclaims.
                self.room_mut(r)?.earliest = i64::MIN;
            } else if rec.state == ROOM_HOME && rec.count == 0 {
                self.room_drop(r)?;
            }
        }
        Ok(())
    }
}
