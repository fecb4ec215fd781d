//! `verify`: every invariant of a shard, checked from scratch. The tests run it after every
//! injected fault; nothing in production depends on it.

use super::rooms::room_checksum;
use super::slots::slot_checksum;
use super::{Chain, Shard};
use crate::store::layout::{
    blocks_for, Slot, NIL, ROOM_FREE, ROOM_HOME, SLOT_FREE, SLOT_GONE, SLOT_LIVE,
};

/// A broken invariant found by `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invariant(pub String);

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(Invariant(format!($($msg)+)));
        }
    };
}

/// Per-namespace totals recounted: (hash, entries, blocks).
type NsTotals = Vec<(u64, i64, i64)>;

fn add_ns(totals: &mut NsTotals, hash: u64, entries: i64, blocks: i64) {
    match totals.iter_mut().find(|x| x.0 == hash) {
        Some(x) => {
            x.1 += entries;
            x.2 += blocks;
        }
        None => totals.push((hash, entries, blocks)),
    }
}

impl Shard<'_> {
    /// Checks every invariant of the shard; the first broken one is described.
    pub fn verify(&self) -> Result<(), Invariant> {
        let m = *self.meta();
        ensure!(m.dirty == 0, "shard {} is dirty", self.idx());
        ensure!(
            m.slot_hwm <= self.n_slots()
                && m.block_hwm <= self.n_blocks()
                && m.room_hwm <= self.n_rooms(),
            "high-water marks out of range"
        );
        let mut used = vec![false; m.block_hwm as usize];
        let mut totals = NsTotals::new();
        self.verify_records(&mut used, &mut totals)?;
        let (live, gone) = self.verify_slots(&mut used)?;
        ensure!(live == m.entries && gone == m.gone, "entry counters");
        self.verify_free_lists(&used, live + gone)?;
        for (h, e, b) in totals {
            let got = self.ns_usage(h).map_err(|_| Invariant("ns index".into()))?;
            ensure!(
                (i64::from(got.0), i64::from(got.1)) == (e, b),
                "namespace totals {got:?} but {e}/{b}"
            );
        }
        Ok(())
    }

    fn verify_records(&self, used: &mut [bool], totals: &mut NsTotals) -> Result<(), Invariant> {
        let m = *self.meta();
        let mut homes = 0;
        let mut names = Vec::new();
        for (r, rec) in self.room_records() {
            let name = self.record_is_sound(&rec, used);
            ensure!(
                name.is_some(),
                "record {r} of shard {} is not sound",
                self.idx()
            );
            ensure!(
                rec.checksum == room_checksum(&rec, rec.state),
                "record {r} checksum"
            );
            let name = name.unwrap_or_default();
            let ns_len = usize::from(rec.ns_len);
            ensure!(
                self.find_room(rec.hash, &name[..ns_len], &name[ns_len..]) == Ok(Some(r)),
                "record {r} is not in the room index"
            );
            names.push(name);
            if rec.state == ROOM_HOME {
                homes += 1;
                ensure!(rec.version <= m.clock, "version ahead of the clock");
                ensure!(rec.count > 0 || rec.spread > 0, "empty home {r} kept");
            }
            add_ns(
                totals,
                rec.ns_hash,
                0,
                i64::from(blocks_for(self.name_chain(&rec).len)),
            );
            let (count, blocks, min_exp) = self.verify_live_list(r)?;
            ensure!(
                count == rec.count && blocks == rec.blocks,
                "record {r} counts {}/{} but holds {count}/{blocks}",
                rec.count,
                rec.blocks
            );
            ensure!(
                rec.earliest <= min_exp,
                "record {r} earliest expiry is not a lower bound"
            );
            let (mut gone, mut last, mut tail, mut why) = (0u32, u64::MAX, NIL, "");
            let _ = self.walk(rec.gone_head, |i, s| {
                if s.state != SLOT_GONE || s.room_idx != r {
                    why = "a slot that is no tombstone of it";
                } else if s.changed > last {
                    why = "out of order";
                }
                last = s.changed;
                gone += 1;
                tail = i;
                Ok(why.is_empty())
            });
            ensure!(why.is_empty(), "tombstones of record {r}: {why}");
            ensure!(
                gone == rec.gone && tail == rec.gone_tail,
                "tombstones of record {r}: {gone} listed, {} counted; tail {tail} vs {}",
                rec.gone,
                rec.gone_tail
            );
            add_ns(totals, rec.ns_hash, i64::from(count), i64::from(blocks));
        }
        names.sort();
        ensure!(
            names.windows(2).all(|w| w[0] != w[1]),
            "two records share a name"
        );
        ensure!(
            homes == m.rooms,
            "rooms counter {} but {homes} homes",
            m.rooms
        );
        Ok(())
    }

    /// (entries, blocks, earliest expiry) of record `r`'s live list, checked in order.
    fn verify_live_list(&self, r: u32) -> Result<(u32, u32, i64), Invariant> {
        let head = self.room(r).map_err(|_| Invariant("record".into()))?.head;
        let (mut count, mut blocks, mut last, mut min_exp, mut ok) =
            (0u32, 0u32, u64::MAX, i64::MAX, true);
        let walked = self.walk(head, |i, s| {
            ok &= s.state == SLOT_LIVE && s.room_idx == r && s.changed <= last;
            last = s.changed;
            count += 1;
            blocks += blocks_for(s.payload_len());
            min_exp = min_exp.min(s.expires());
            ok &= self.find_key(s.key_hash, r, &self.client_of(s)) == Ok(Some(i));
            let mut in_user_chain = false;
            ok &= self
                .each_of_user(r, s.user_id, |j, _| {
                    in_user_chain |= i == j;
                    Ok(())
                })
                .is_ok();
            ok &= in_user_chain;
            Ok(ok)
        });
        ensure!(
            ok && walked.is_ok(),
            "live list of record {r} is broken or out of order"
        );
        Ok((count, blocks, min_exp))
    }

    /// Every slot in use: its record, checksum and chain; no key twice. (live, tombstones).
    fn verify_slots(&self, used: &mut [bool]) -> Result<(u32, u32), Invariant> {
        let m = *self.meta();
        let (mut live, mut gone, mut keys) = (0, 0, Vec::new());
        for i in 0..m.slot_hwm {
            let s = *self
                .slot(i)
                .map_err(|_| Invariant("slot out of range".into()))?;
            if s.state == SLOT_FREE {
                continue;
            }
            ensure!(
                s.state == SLOT_LIVE || s.state == SLOT_GONE,
                "slot {i} has state {}",
                s.state
            );
            let rec = self.room(s.room_idx).ok().copied();
            ensure!(
                rec.is_some_and(|r| r.state != ROOM_FREE),
                "slot {i} belongs to no record"
            );
            let rh = rec.map_or(0, |r| r.hash);
            ensure!(
                s.state == SLOT_GONE || slot_checksum(&s, rh) == s.checksum,
                "slot {i} checksum"
            );
            ensure!(
                self.mark_chain(self.client_chain(&s), used),
                "slot {i} chain overlaps"
            );
            if s.state == SLOT_LIVE {
                live += 1;
                keys.push((s.room_idx, self.client_of(&s)));
            } else {
                gone += 1;
            }
        }
        keys.sort();
        ensure!(keys.windows(2).all(|w| w[0] != w[1]), "one key twice");
        Ok((live, gone))
    }

    fn verify_free_lists(&self, used: &[bool], slots_in_use: u32) -> Result<(), Invariant> {
        let m = *self.meta();
        let in_use = used.iter().filter(|u| **u).count() as u32;
        ensure!(
            in_use == m.blocks_used,
            "blocks_used {} but {in_use} in chains",
            m.blocks_used
        );
        let mut free_blocks = 0;
        let mut b = m.block_free;
        while b != NIL {
            ensure!(
                (b as usize) < used.len() && !used[b as usize] && free_blocks < m.block_hwm,
                "block free list"
            );
            free_blocks += 1;
            b = self.block(b).map_or(NIL, |x| x.next);
        }
        ensure!(free_blocks + in_use == m.block_hwm, "blocks leak");
        let mut free_slots = 0;
        let mut s = m.slot_free;
        while s != NIL {
            let sl = self
                .slot(s)
                .map_err(|_| Invariant("slot free list".into()))?;
            ensure!(
                sl.state == SLOT_FREE && free_slots < m.slot_hwm,
                "slot free list"
            );
            free_slots += 1;
            s = sl.key_next;
        }
        ensure!(free_slots + slots_in_use == m.slot_hwm, "slots leak");
        Ok(())
    }

    fn client_of(&self, s: &Slot) -> Vec<u8> {
        let mut v = Vec::new();
        let _ = self.chain_copy(
            Chain {
                first: s.first_block,
                len: s.payload_len(),
            },
            0,
            usize::from(s.client_len),
            &mut v,
        );
        v
    }
}
