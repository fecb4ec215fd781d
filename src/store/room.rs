//! One room across the shards that hold it, with those shards locked.
//!
//! A `Room` sees offsets `0..=held` from the room's home shard (wrapping), all locked by the
//! caller in ascending shard order. Operations that need a shard beyond `held` stop before
//! writing anything of their own and ask for it (`Halt::Escalate`); the store then takes the
//! larger set and runs the operation again.

use super::layout::{blocks_for, pack_times, FLOOR_RESET, NIL, ROOM_HOME, ROOM_PART};
use super::shard::{Corrupt, NewEntry, NewRoom, Shard};
use super::{Entries, Refusal, Upsert, Write};

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

    fn new_room(&self, state: u16, spread: u16, version: u64, floor: u64) -> NewRoom<'k> {
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

    /// Entries changed since `since` (see `Backend::changes`). False: the log does not reach
    /// back that far. The caller reclaimed and tidied first.
    pub fn changes(
        &self,
        since: u64,
        whole_users: bool,
        now: i64,
        out: &mut super::Changes,
    ) -> Result<bool, Corrupt> {
        out.clear();
        let version = self.version()?;
        out.version = version;
        if since == version {
            return Ok(true);
        }
        let Some(home) = self.home()? else {
            return Ok(since == 0);
        };
        if version == 0 || since > version || (since != 0 && since < home.floor) {
            return Ok(since == 0);
        }
        let spread = u32::from(home.spread).min(self.held);
        for off in 1..=spread {
            if let Some(r) = self.rec(off) {
                let f = self.sh(off)?.room(r)?.floor;
                if since != 0 && (f == FLOOR_RESET || since < f) {
                    return Ok(false);
                }
            }
        }
        let mut touched = Vec::new();
        for off in 0..=spread {
            if let Some(r) = self.rec(off) {
                self.sh(off)?.changes_since(
                    r,
                    since,
                    now,
                    &mut out.changed,
                    &mut out.removed,
                    &mut touched,
                )?;
            }
        }
        if since == 0 {
            out.removed.clear();
        }
        if whole_users && since != 0 {
            touched.sort_unstable();
            touched.dedup();
            for off in 0..=spread {
                if let Some(r) = self.rec(off) {
                    self.sh(off)?
                        .unchanged_of_users(r, since, &touched, now, &mut out.changed)?;
                }
            }
        }
        finish_changes(out);
        Ok(true)
    }

    /// Copies the live entries of the held parts.
    pub fn read(
        &self,
        now: i64,
        opts: &super::ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<(), Corrupt> {
        for off in 0..=self.held {
            if let Some(r) = self.rec(off) {
                self.sh(off)?.read_list(r, now, opts, out)?;
            }
        }
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

    /// Entry count, distinct users and last write over the held parts.
    pub fn summary(&self, now: i64, users: &mut Vec<u64>) -> Result<(u32, i64), Corrupt> {
        let (mut entries, mut updated) = (0u32, 0i64);
        for off in 0..=self.held {
            if let Some(r) = self.rec(off) {
                let (e, u) = self.sh(off)?.summary(r, now, users)?;
                entries += e;
                updated = updated.max(u);
            }
        }
        Ok((entries, updated))
    }
}

/// Keeps the newest copy of each changed entry, drops removals of clients that are live again,
/// and orders the changes newest first.
pub fn finish_changes(out: &mut super::Changes) {
    out.changed.dedup_keys();
    if !out.removed.items.is_empty() {
        let mut live: Vec<&[u8]> = out
            .changed
            .items
            .iter()
            .map(|e| out.changed.client(e))
            .collect();
        live.sort_unstable();
        let removed = &out.removed;
        let keep: Vec<bool> = removed
            .items
            .iter()
            .map(|e| live.binary_search(&removed.client(e)).is_err())
            .collect();
        let mut i = 0;
        out.removed.items.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        out.removed.dedup_keys();
    }
    out.changed.sort_newest_first();
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
