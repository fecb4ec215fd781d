//! Keeping a room in shape: reclaiming expired entries, tidying its parts and spread, adopting
//! a part its home lost, clearing it.

use super::{Halt, Room};
use crate::store::layout::{FLOOR_RESET, ROOM_HOME};
use crate::store::shard::{Corrupt, Shard};

impl Room<'_, '_, '_> {
    /// Reclaims every expired entry of the room (one new version for all), then tidies.
    pub fn reclaim(&mut self, now: i64) -> Result<u32, Halt> {
        self.cover()?;
        let Some(home) = self.home()? else {
            return Ok(0);
        };
        if home.earliest > now {
            return Ok(0);
        }
        let mut v = None;
        let mut swept = 0;
        let mut earliest = i64::MAX;
        let mut slots = Vec::new();
        for off in 0..=self.held.min(u32::from(home.spread)) {
            let Some(r) = self.rec(off) else { continue };
            slots.clear();
            self.sh(off)?.live_slots(r, &mut slots)?;
            let mut part_min = i64::MAX;
            for &s in &slots {
                let exp = self.sh(off)?.slot(s)?.expires();
                if exp <= now {
                    let ver = if let Some(x) = v {
                        x
                    } else {
                        *v.insert(self.bump()?)
                    };
                    self.tombstone(off, r, s, ver, now)?;
                    swept += 1;
                } else {
                    part_min = part_min.min(exp);
                }
            }
            self.sh_mut(off)?.room_mut(r)?.earliest = part_min;
            earliest = earliest.min(part_min);
        }
        let h = self.rec(0).ok_or(Corrupt)?;
        let sh = self.sh_mut(0)?;
        sh.room_mut(h)?.earliest = earliest;
        sh.meta_mut().swept += u64::from(swept);
        self.tidy()?;
        Ok(swept)
    }

    /// Raises the home's floor over parts that lost their log, drops empty parts (their floor
    /// moves to the home), narrows the spread, and drops an empty home.
    pub fn tidy(&mut self) -> Result<(), Halt> {
        let Some(home) = self.rec(0) else {
            return Ok(());
        };
        let spread = self.spread()?;
        if spread > self.held {
            // Parts not held cannot be judged (a partial view only ever touched the home).
            return Ok(());
        }
        for off in 1..=spread {
            let Some(r) = self.rec(off) else { continue };
            let rec = *self.sh(off)?.room(r)?;
            let hrec = *self.sh(0)?.room(home)?;
            let mut floor = hrec.floor;
            if rec.floor == FLOOR_RESET {
                floor = floor.max(hrec.version);
                self.sh_mut(off)?.room_mut(r)?.floor = 0;
            } else if rec.count == 0 && rec.gone == 0 {
                floor = floor.max(rec.floor);
            }
            if floor != hrec.floor {
                self.sh_mut(0)?.room_mut(home)?.floor = floor;
            }
            if rec.count == 0 && rec.gone == 0 {
                self.sh_mut(off)?.room_drop(r)?;
                self.recs.set(off, None);
            }
        }
        let mut s = spread;
        while s > 0 && self.rec(s).is_none() {
            s -= 1;
        }
        if s != self.spread()? {
            self.sh_mut(0)?.room_mut(home)?.spread = s as u16;
        }
        let hrec = *self.sh(0)?.room(home)?;
        if hrec.count == 0 && hrec.spread == 0 {
            self.sh_mut(0)?.room_drop(home)?;
            self.recs.set(0, None);
        }
        Ok(())
    }

    /// Takes in a part whose home does not know it (only after foreign writes): its home gets
    /// a record and a spread that covers it, and keys it shares with other parts lose.
    pub fn adopt(&mut self, off: u32, now: i64) -> Result<(), Halt> {
        let Some(part) = self.rec(off) else {
            return Ok(());
        };
        if self.rec(0).is_none() {
            let v = self.sh_mut(0)?.tick();
            let nr = self.new_room(ROOM_HOME, off as u16, v, v);
            let Some(r) = self.sh_mut(0)?.room_create(&nr)? else {
                return Ok(());
            };
            self.recs.set(0, Some(r));
            self.sh_mut(0)?.room_mut(r)?.earliest = i64::MIN;
        }
        if off <= self.spread()? {
            return Ok(());
        }
        let home = self.rec(0).ok_or(Corrupt)?;
        let mut slots = Vec::new();
        self.sh(off)?.live_slots(part, &mut slots)?;
        let mut client = Vec::new();
        for s in slots {
            let sl = *self.sh(off)?.slot(s)?;
            client.clear();
            let sh = self.sh(off)?;
            sh.chain_copy(
                sh.client_chain(&sl),
                0,
                usize::from(sl.client_len),
                &mut client,
            )?;
            if self
                .find_key(sl.key_hash, &client)?
                .is_some_and(|(o, _, _)| o != off)
            {
                let v = self.bump()?;
                self.tombstone(off, part, s, v, now)?;
            }
        }
        let hm = self.sh_mut(0)?.room_mut(home)?;
        hm.spread = off as u16;
        hm.earliest = i64::MIN;
        hm.floor = hm.floor.max(hm.version);
        Ok(())
    }

    /// Drops the whole room; returns how many live entries it had.
    pub fn clear(&mut self, now: i64) -> Result<u32, Halt> {
        self.cover()?;
        let mut n = 0;
        let mut slots = Vec::new();
        for off in (0..=self.held).rev() {
            let Some(r) = self.rec(off) else { continue };
            slots.clear();
            self.sh(off)?.live_slots(r, &mut slots)?;
            for &s in &slots {
                if self.sh(off)?.slot(s)?.expires() > now {
                    n += 1;
                }
                self.sh_mut(off)?.slot_free(s)?;
            }
            self.sh_mut(off)?.room_drop(r)?;
            self.recs.set(off, None);
        }
        Ok(n)
    }

    /// Frees tombstones older than `before` in every held part.
    pub fn age_log(&mut self, before: i64) -> Result<(), Halt> {
        for off in 0..=self.held {
            if let Some(r) = self.rec(off) {
                self.sh_mut(off)?.age_gone(r, before)?;
            }
        }
        Ok(())
    }
}

/// Reclaims the expired entries of every room homed in `sh` (its own part only: the rooms'
/// other parts are in shards not held here). Returns how many.
pub fn reclaim_homes(sh: &mut Shard<'_>, now: i64) -> Result<u32, Corrupt> {
    let homes: Vec<(u32, u16)> = sh
        .room_records()
        .filter(|(_, r)| r.state == ROOM_HOME && r.earliest <= now && r.count > 0)
        .map(|(i, r)| (i, r.spread))
        .collect();
    let mut swept = 0;
    let mut slots = Vec::new();
    for (r, spread) in homes {
        slots.clear();
        sh.live_slots(r, &mut slots)?;
        let mut v = None;
        let mut min = i64::MAX;
        for &s in &slots {
            let exp = sh.slot(s)?.expires();
            if exp <= now {
                let ver = if let Some(x) = v {
                    x
                } else {
                    let x = sh.tick();
                    sh.room_mut(r)?.version = x;
                    *v.insert(x)
                };
                sh.entry_tombstone(s, ver, now)?;
                swept += 1;
            } else {
                min = min.min(exp);
            }
        }
        let keep = Shard::log_keep(sh.room(r)?.count);
        sh.trim_gone(r, keep)?;
        if spread == 0 {
            // Whole room here: the bound can be exact. A spread room keeps its lower bound.
            sh.room_mut(r)?.earliest = min;
            if sh.room(r)?.count == 0 {
                sh.room_drop(r)?;
            }
        }
    }
    sh.meta_mut().swept += u64::from(swept);
    Ok(swept)
}
