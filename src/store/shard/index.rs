//! The three hash indexes of a shard: live entries by key, room records by name, namespace
//! totals by namespace. All derived: repair rebuilds them.

use super::{Chain, Corrupt, Shard};
use crate::store::layout::{NsRec, NIL, ROOM_FREE, SLOT_LIVE};

impl Shard<'_> {
    /// The live entry `client` of room record `room`, whose key hashes to `key_hash`.
    pub fn find_key(
        &self,
        key_hash: u64,
        room: u32,
        client: &[u8],
    ) -> Result<Option<u32>, Corrupt> {
        let mut i = self.key_head(key_hash);
        for _ in 0..=self.n_slots() {
            if i == NIL {
                return Ok(None);
            }
            let s = self.slot(i)?;
            if s.state == SLOT_LIVE
                && s.key_hash == key_hash
                && s.room_idx == room
                && usize::from(s.client_len) == client.len()
                && self.chain_eq(self.client_chain(s), 0, client)?
            {
                return Ok(Some(i));
            }
            i = s.key_next;
        }
        Err(Corrupt)
    }

    pub(super) fn key_link(&mut self, i: u32) -> Result<(), Corrupt> {
        let h = self.slot(i)?.key_hash;
        let head = self.key_head(h);
        self.slot_mut(i)?.key_next = head;
        self.set_key_head(h, i);
        Ok(())
    }

    pub(super) fn key_unlink(&mut self, i: u32) -> Result<(), Corrupt> {
        let (h, next) = {
            let s = self.slot(i)?;
            (s.key_hash, s.key_next)
        };
        let mut p = self.key_head(h);
        if p == i {
            self.set_key_head(h, next);
            return Ok(());
        }
        for _ in 0..=self.n_slots() {
            if p == NIL {
                return Err(Corrupt);
            }
            let pn = self.slot(p)?.key_next;
            if pn == i {
                self.slot_mut(p)?.key_next = next;
                return Ok(());
            }
            p = pn;
        }
        Err(Corrupt)
    }

    /// Bucket of a user's entries in record `room` (the room hash is keyed, so this is too).
    pub fn user_hash(&self, room: u32, user_id: u64) -> u64 {
        let rh = self.room(room).map_or(0, |r| r.hash);
        crate::store::hash::Fnv::new().u64(rh).u64(user_id).finish()
    }

    pub(super) fn user_link(&mut self, i: u32) -> Result<(), Corrupt> {
        let s = *self.slot(i)?;
        let h = self.user_hash(s.room_idx, s.user_id);
        let head = self.user_head(h);
        {
            let sm = self.slot_mut(i)?;
            sm.user_prev = NIL;
            sm.user_next = head;
        }
        if head != NIL {
            self.slot_mut(head)?.user_prev = i;
        }
        self.set_user_head(h, i);
        Ok(())
    }

    pub(super) fn user_unlink(&mut self, i: u32) -> Result<(), Corrupt> {
        let s = *self.slot(i)?;
        if s.user_prev == NIL {
            let h = self.user_hash(s.room_idx, s.user_id);
            if self.user_head(h) != i {
                return Err(Corrupt);
            }
            self.set_user_head(h, s.user_next);
        } else {
            self.slot_mut(s.user_prev)?.user_next = s.user_next;
        }
        if s.user_next != NIL {
            self.slot_mut(s.user_next)?.user_prev = s.user_prev;
        }
        Ok(())
    }

    /// Calls `f` on each live slot of `user` in record `room`.
    pub fn each_of_user(
        &self,
        room: u32,
        user_id: u64,
        mut f: impl FnMut(u32, &crate::store::layout::Slot) -> Result<(), Corrupt>,
    ) -> Result<(), Corrupt> {
        let mut i = self.user_head(self.user_hash(room, user_id));
        for _ in 0..=self.n_slots() {
            if i == NIL {
                return Ok(());
            }
            let s = *self.slot(i)?;
            if s.state != SLOT_LIVE {
                return Err(Corrupt);
            }
            if s.room_idx == room && s.user_id == user_id {
                f(i, &s)?;
            }
            i = s.user_next;
        }
        Err(Corrupt)
    }

    /// The record (home or part) of room (`ns`, `room`) in this shard. Names are compared, so a
    /// hash collision never merges two rooms.
    pub fn find_room(&self, hash: u64, ns: &[u8], room: &[u8]) -> Result<Option<u32>, Corrupt> {
        let mut i = self.room_head(hash);
        for _ in 0..=self.n_rooms() {
            if i == NIL {
                return Ok(None);
            }
            let r = self.room(i)?;
            if r.state != ROOM_FREE && r.hash == hash && self.room_name_is(i, ns, room)? {
                return Ok(Some(i));
            }
            i = r.next;
        }
        Err(Corrupt)
    }

    pub(super) fn room_index_link(&mut self, r: u32) -> Result<(), Corrupt> {
        let h = self.room(r)?.hash;
        let head = self.room_head(h);
        self.room_mut(r)?.next = head;
        self.set_room_head(h, r);
        Ok(())
    }

    pub(super) fn room_index_unlink(&mut self, r: u32) -> Result<(), Corrupt> {
        let (h, next) = {
            let rec = self.room(r)?;
            (rec.hash, rec.next)
        };
        let mut p = self.room_head(h);
        if p == r {
            self.set_room_head(h, next);
            return Ok(());
        }
        for _ in 0..=self.n_rooms() {
            if p == NIL {
                return Err(Corrupt);
            }
            let pn = self.room(p)?.next;
            if pn == r {
                self.room_mut(p)?.next = next;
                return Ok(());
            }
            p = pn;
        }
        Err(Corrupt)
    }

    fn ns_find(&self, hash: u64) -> Result<Option<u32>, Corrupt> {
        let mut i = self.ns_head(hash);
        for _ in 0..=self.n_rooms() {
            if i == NIL {
                return Ok(None);
            }
            let n = self.ns(i)?;
            if n.live != 0 && n.hash == hash {
                return Ok(Some(i));
            }
            i = n.next;
        }
        Err(Corrupt)
    }

    /// (entries, blocks) a namespace uses in this shard. Namespaces are told apart by their keyed
    /// hash only: a collision would merge two namespaces' totals, which only refuses earlier.
    pub fn ns_usage(&self, hash: u64) -> Result<(u32, u32), Corrupt> {
        Ok(match self.ns_find(hash)? {
            Some(i) => {
                let n = self.ns(i)?;
                (n.entries, n.blocks)
            }
            None => (0, 0),
        })
    }

    /// Adds to a namespace's totals, creating its record on first use and dropping it at zero.
    pub(super) fn ns_add(&mut self, hash: u64, entries: i64, blocks: i64) -> Result<(), Corrupt> {
        let i = if let Some(i) = self.ns_find(hash)? {
            i
        } else {
            let m = *self.meta();
            let (mut free, mut hwm) = (m.ns_free, m.ns_hwm);
            // Each live room record has its namespace's record, and there are as many of
            // these as of room records: running out means broken counters.
            let i = super::take_index(&mut free, &mut hwm, self.n_rooms(), |i| {
                self.ns(i).ok().map(|n| n.next)
            })?
            .ok_or(Corrupt)?;
            let meta = self.meta_mut();
            meta.ns_free = free;
            meta.ns_hwm = hwm;
            let head = self.ns_head(hash);
            *self.ns_mut(i)? = NsRec {
                hash,
                entries: 0,
                blocks: 0,
                next: head,
                live: 1,
            };
            self.set_ns_head(hash, i);
            i
        };
        let n = *self.ns(i)?;
        let e = (i64::from(n.entries) + entries).max(0);
        let b = (i64::from(n.blocks) + blocks).max(0);
        if e == 0 && b == 0 {
            self.ns_drop(i)
        } else {
            let rec = self.ns_mut(i)?;
            rec.entries = u32::try_from(e).unwrap_or(u32::MAX);
            rec.blocks = u32::try_from(b).unwrap_or(u32::MAX);
            Ok(())
        }
    }

    fn ns_drop(&mut self, i: u32) -> Result<(), Corrupt> {
        let n = *self.ns(i)?;
        let mut p = self.ns_head(n.hash);
        if p == i {
            self.set_ns_head(n.hash, n.next);
        } else {
            let mut found = false;
            for _ in 0..=self.n_rooms() {
                if p == NIL {
                    break;
                }
                let pn = self.ns(p)?.next;
                if pn == i {
                    self.ns_mut(p)?.next = n.next;
                    found = true;
                    break;
                }
                p = pn;
            }
            if !found {
                return Err(Corrupt);
            }
        }
        let free = self.meta().ns_free;
        let rec = self.ns_mut(i)?;
        rec.live = 0;
        rec.next = free;
        self.meta_mut().ns_free = i;
        Ok(())
    }

    /// Where a slot's payload is.
    pub fn client_chain(&self, s: &crate::store::layout::Slot) -> Chain {
        Chain {
            first: s.first_block,
            len: s.payload_len(),
        }
    }
}
