//! Writes to a room: upserts (a refresh, a change, or a new entry and the shard it goes to)
//! and removals.

use super::{grow, new_entry, reclaim_homes, Halt, Room, Share};
use crate::store::layout::{blocks_for, pack_times, ROOM_HOME, ROOM_PART};
use crate::store::shard::{Corrupt, NewRoom};
use crate::store::{Refusal, Upsert, Write};

impl<'k> Room<'_, '_, 'k> {
    /// Creates or refreshes an entry. The caller validated lengths. A write that stops (to
    /// escalate, or refused) leaves the room tidy: it may have reclaimed an expired entry.
    pub fn upsert(
        &mut self,
        client: &[u8],
        kh: u64,
        w: &Write<'_>,
        share: Share,
    ) -> Result<Upsert, Halt> {
        let r = self.upsert_inner(client, kh, w, share);
        if matches!(
            r,
            Err(Halt::Escalate(_) | Halt::Refused(_) | Halt::Sweep(_))
        ) {
            self.tidy()?;
        }
        r
    }

    fn upsert_inner(
        &mut self,
        client: &[u8],
        kh: u64,
        w: &Write<'_>,
        share: Share,
    ) -> Result<Upsert, Halt> {
        let expires = w.now + w.ttl;
        let times = pack_times(w.now, expires);
        if let Some((off, r, s)) = self.find_key(kh, client)? {
            let sl = *self.sh(off)?.slot(s)?;
            let sh = self.sh(off)?;
            if sl.expires() <= w.now {
                let v = self.bump()?;
                self.tombstone(off, r, s, v, w.now)?;
                self.sh_mut(0)?.meta_mut().swept += 1;
            } else if sl.user_id == w.user_id
                && sl.data_len as usize == w.data.len()
                && sh.chain_eq(sh.client_chain(&sl), client.len(), w.data)?
            {
                self.sh_mut(off)?.entry_refresh(s, times)?;
                if expires < sl.expires() {
                    self.lower_earliest(off, r, expires)?;
                }
                return Ok(Upsert::Refreshed);
            } else {
                return self.change(off, s, client, kh, w, share);
            }
        }
        // The key may be in a part not held: look there before creating it twice.
        self.cover()?;
        self.create(client, kh, w, share)
    }

    fn change(
        &mut self,
        off: u32,
        slot: u32,
        client: &[u8],
        kh: u64,
        w: &Write<'_>,
        share: Share,
    ) -> Result<Upsert, Halt> {
        let sl = *self.sh(off)?.slot(slot)?;
        let need = blocks_for(client.len() + w.data.len());
        let old = blocks_for(sl.payload_len());
        let sh = self.sh(off)?;
        if need > old {
            let (e, b) = sh.ns_usage(self.ns_hash())?;
            if !share.allows(sh, e, b + need - old) {
                return Err(Halt::Refused(Refusal::Share));
            }
        }
        if !self.make_space(off, 1, need, w.now)? {
            return Err(Halt::Sweep(Refusal::Data));
        }
        // Reclaiming for space never frees this live entry or its record: both indexes hold.
        let r = self.rec(off).ok_or(Corrupt)?;
        let v = self.bump()?;
        let e = new_entry(client, kh, w, v);
        self.sh_mut(off)?.entry_replace(r, slot, &e)?;
        self.lower_earliest(off, r, w.now + w.ttl)?;
        Ok(Upsert::Changed)
    }

    /// Frees tombstones, then reclaims the expired entries of rooms homed in that shard, until
    /// the shard at `off` has `slots` free slots and `blocks` free blocks.
    fn make_space(&mut self, off: u32, slots: u32, blocks: u32, now: i64) -> Result<bool, Corrupt> {
        if self.sh_mut(off)?.make_space(slots, blocks)? {
            return Ok(true);
        }
        if reclaim_homes(self.sh_mut(off)?, now)? == 0 {
            return Ok(false);
        }
        // Reclaiming may have dropped records (this room's too): look them up again.
        self.locate()?;
        self.sh_mut(off)?.make_space(slots, blocks)
    }

    fn create(
        &mut self,
        client: &[u8],
        kh: u64,
        w: &Write<'_>,
        share: Share,
    ) -> Result<Upsert, Halt> {
        let need = blocks_for(client.len() + w.data.len());
        let name_blocks = blocks_for(self.id.ns.len() + self.id.room.len());
        let n = self.n();
        if self.rec(0).is_none() && !self.has_record_room(0, name_blocks, w.now)? {
            // A new room needs its home record, wherever its entries go.
            return Err(Halt::Sweep(Refusal::Entries));
        }
        let mut share_blocked = false;
        let mut short = Refusal::Entries;
        let mut target = None;
        'passes: for pass in 0..2 {
            for off in 0..n {
                if off > self.held {
                    return Err(Halt::Escalate(grow(off, self.held, n)));
                }
                let part = self.rec(off);
                let name = if part.is_none() { name_blocks } else { 0 };
                if !self.share_fits(off, share, need + name, w.now)? {
                    share_blocked = true;
                    continue;
                }
                let sh = self.sh(off)?;
                if pass == 0 {
                    if let Some(r) = part {
                        let rec = sh.room(r)?;
                        // A room uses at most half of a shard before it spreads to the next.
                        if rec.count >= sh.capacity() / 2 || rec.blocks + need > sh.n_blocks() / 2 {
                            continue;
                        }
                    }
                }
                // Two free slots: this entry's and the one kept for changes.
                if !self.make_space(off, 2, need + name, w.now)? {
                    if self.sh(off)?.slots_free() >= 2 {
                        short = Refusal::Data;
                    }
                    continue;
                }
                if self.rec(off).is_none() && !self.has_record_room(off, need + name, w.now)? {
                    continue;
                }
                target = Some(off);
                break 'passes;
            }
        }
        let Some(off) = target else {
            return Err(if share_blocked {
                Halt::Sweep(Refusal::Share)
            } else {
                Halt::Sweep(short)
            });
        };
        self.place(off, client, kh, w)?;
        Ok(Upsert::Created)
    }

    /// Whether one more entry of `blocks` blocks keeps the namespace within its share of the
    /// shard at `off`, after reclaiming the expired entries of rooms homed there.
    fn share_fits(
        &mut self,
        off: u32,
        share: Share,
        blocks: u32,
        now: i64,
    ) -> Result<bool, Corrupt> {
        if share.percent >= 100 {
            return Ok(true);
        }
        let fits = |room: &Self| -> Result<bool, Corrupt> {
            let sh = room.sh(off)?;
            let (e, b) = sh.ns_usage(room.ns_hash())?;
            Ok(share.allows(sh, e + 1, b + blocks))
        };
        if fits(self)? {
            return Ok(true);
        }
        if reclaim_homes(self.sh_mut(off)?, now)? == 0 {
            return Ok(false);
        }
        self.locate()?;
        fits(self)
    }

    /// Whether the shard at `off` can take a new room record and `blocks` more blocks.
    fn has_record_room(&mut self, off: u32, blocks: u32, now: i64) -> Result<bool, Corrupt> {
        if !self.make_space(off, 0, blocks, now)? {
            return Ok(false);
        }
        let m = *self.sh(off)?.meta();
        Ok(m.room_free != crate::store::layout::NIL || m.room_hwm < self.sh(off)?.n_rooms())
    }

    /// Writes a new entry into the part at `off`, creating records and spreading as needed.
    fn place(&mut self, off: u32, client: &[u8], kh: u64, w: &Write<'_>) -> Result<(), Halt> {
        let refuse = Halt::Refused(Refusal::Entries);
        if self.rec(0).is_none() {
            let v = self.sh_mut(0)?.tick();
            let nr = self.new_room(ROOM_HOME, off as u16, v, v);
            let r = self.sh_mut(0)?.room_create(&nr)?.ok_or(refuse)?;
            self.recs.set(0, Some(r));
        }
        let home = self.rec(0).ok_or(Corrupt)?;
        if off > self.spread()? {
            // Spread first: a part never exists beyond what its home admits to.
            self.sh_mut(0)?.room_mut(home)?.spread = off as u16;
        }
        let r = if let Some(r) = self.rec(off) {
            r
        } else {
            let nr = self.new_room(ROOM_PART, off as u16, 0, 0);
            let r = self.sh_mut(off)?.room_create(&nr)?.ok_or(refuse)?;
            self.recs.set(off, Some(r));
            r
        };
        let v = self.bump()?;
        let e = new_entry(client, kh, w, v);
        self.sh_mut(off)?.entry_create(r, &e)?;
        self.lower_earliest(off, r, w.now + w.ttl)?;
        Ok(())
    }

    pub(super) fn new_room(
        &self,
        state: u16,
        spread: u16,
        version: u64,
        floor: u64,
    ) -> NewRoom<'k> {
        NewRoom {
            hash: self.id.hash,
            ns_hash: self.ns_hash(),
            ns: self.id.ns,
            room: self.id.room,
            state,
            spread,
            version,
            floor,
        }
    }

    /// Removes one entry (as a tombstone). False when there was no live entry.
    pub fn remove(&mut self, client: &[u8], kh: u64, now: i64) -> Result<bool, Halt> {
        self.cover()?;
        let Some((off, r, s)) = self.find_key(kh, client)? else {
            return Ok(false);
        };
        let live = self.sh(off)?.slot(s)?.expires() > now;
        let v = self.bump()?;
        self.tombstone(off, r, s, v, now)?;
        if !live {
            self.sh_mut(0)?.meta_mut().swept += 1;
        }
        self.tidy()?;
        Ok(live)
    }
}
