//! Operations on one locked shard. Safe Rust over the shard's bytes.
//!
//! A `Shard` is only ever built from a body whose lock the caller holds (see `Store`), so plain
//! `&mut` access is sound. Nothing here panics on bad bytes: every index read from the segment is
//! checked, and a broken invariant surfaces as `Corrupt`, after which the caller repairs the shard.

use super::entries::{EntryOut, RoomSummary};
use super::hash::{key_hash, room_hash, Fnv};
use super::layout::{
    Block, Geometry, RoomRec, ShardMeta, Slot, BLOCK_PAYLOAD, MAX_DATA_LEN, MAX_KEY_LEN,
    MAX_NAMESPACE_LEN, NIL, SLOT_FREE, SLOT_LIVE,
};
use super::Entries;

/// A broken invariant in the segment (only possible after a crash or a foreign writer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// Why a write was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No free entry slot in the room's shard, even after reclaiming expired entries.
    Entries,
    /// Not enough data blocks in the room's shard, even after reclaiming expired entries.
    Data,
    Corrupt,
}

impl From<Corrupt> for Refusal {
    fn from(_: Corrupt) -> Self {
        Refusal::Corrupt
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Changed,
    /// Same user and data: only the timestamps moved, the room version did not.
    Refreshed,
}

/// The (namespace, room) part of a key, hashed once.
#[derive(Clone, Copy, Debug)]
pub struct RoomKey<'k> {
    pub ns: &'k [u8],
    pub room: &'k [u8],
    pub hash: u64,
}

impl<'k> RoomKey<'k> {
    pub fn new(ns: &'k [u8], room: &'k [u8]) -> Self {
        Self {
            ns,
            room,
            hash: room_hash(ns, room),
        }
    }
}

/// A full entry key.
#[derive(Clone, Copy, Debug)]
pub struct EntryKey<'k> {
    pub room: RoomKey<'k>,
    pub client: &'k [u8],
    pub hash: u64,
}

impl<'k> EntryKey<'k> {
    pub fn new(room: RoomKey<'k>, client: &'k [u8]) -> Self {
        Self {
            room,
            client,
            hash: key_hash(room.hash, client),
        }
    }
}

/// What to write.
#[derive(Clone, Copy, Debug)]
pub struct Write<'d> {
    pub user_id: u64,
    pub data: &'d [u8],
    pub now: i64,
    pub ttl: i64,
}

/// Counters of one shard, summed by `Store::stats`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ShardStats {
    pub entries: u64,
    pub rooms: u64,
    pub blocks_used: u64,
    pub sweeps: u64,
    pub swept: u64,
    pub refusals: u64,
    pub recoveries: u64,
}

pub struct Shard<'a> {
    meta: &'a mut ShardMeta,
    key_buckets: &'a mut [u32],
    room_buckets: &'a mut [u32],
    rooms: &'a mut [RoomRec],
    slots: &'a mut [Slot],
    blocks: &'a mut [Block],
}

fn blocks_for(len: usize) -> u32 {
    u32::try_from(len.div_ceil(BLOCK_PAYLOAD).max(1)).unwrap_or(u32::MAX)
}

fn checksum(s: &Slot) -> u64 {
    Fnv::new()
        .u64(s.key_hash)
        .u64(s.room_hash)
        .u64(s.updated.cast_unsigned())
        .u64(s.expires.cast_unsigned())
        .u64(s.user_id)
        .u64(s.payload_sum)
        .u64(u64::from(s.first_block) | u64::from(s.data_len) << 32)
        .u64(u64::from(s.ns_len) | u64::from(s.room_len) << 16 | u64::from(s.client_len) << 32)
        .finish()
}

/// Takes an index off a free list (`next` reads a free item's link), or else the next never-used
/// index below `cap`. None when both are exhausted.
fn take_index(
    free: &mut u32,
    hwm: &mut u32,
    cap: usize,
    next: impl FnOnce(u32) -> Option<u32>,
) -> Result<Option<u32>, Corrupt> {
    if *free != NIL {
        let i = *free;
        *free = next(i).ok_or(Corrupt)?;
        Ok(Some(i))
    } else if (*hwm as usize) < cap {
        *hwm += 1;
        Ok(Some(*hwm - 1))
    } else {
        Ok(None)
    }
}

fn len16(b: &[u8]) -> u16 {
    u16::try_from(b.len()).unwrap_or(u16::MAX)
}

impl<'a> Shard<'a> {
    /// Views a shard body. Fails only if `body` is too small or misaligned for `g`.
    pub fn view(body: &'a mut [u8], g: &Geometry) -> Result<Self, Corrupt> {
        let l = g.body();
        if body.len() < l.size {
            return Err(Corrupt);
        }
        let (meta, rest) = body.split_at_mut(l.key_buckets);
        let (kb, rest) = rest.split_at_mut(l.room_buckets - l.key_buckets);
        let (rb, rest) = rest.split_at_mut(l.rooms - l.room_buckets);
        let (rooms, rest) = rest.split_at_mut(l.slots - l.rooms);
        let (slots, rest) = rest.split_at_mut(l.blocks - l.slots);
        let blocks = &mut rest[..l.size - l.blocks];
        let n = g.slots_per_shard as usize;
        let k = l.buckets as usize;
        let cast = |e| {
            let _: bytemuck::PodCastError = e;
            Corrupt
        };
        Ok(Self {
            meta: bytemuck::try_from_bytes_mut(&mut meta[..std::mem::size_of::<ShardMeta>()])
                .map_err(cast)?,
            key_buckets: bytemuck::try_cast_slice_mut(&mut kb[..k * 4]).map_err(cast)?,
            room_buckets: bytemuck::try_cast_slice_mut(&mut rb[..k * 4]).map_err(cast)?,
            rooms: bytemuck::try_cast_slice_mut(&mut rooms[..n * std::mem::size_of::<RoomRec>()])
                .map_err(cast)?,
            slots: bytemuck::try_cast_slice_mut(&mut slots[..n * std::mem::size_of::<Slot>()])
                .map_err(cast)?,
            blocks: bytemuck::try_cast_slice_mut(
                &mut blocks[..g.blocks_per_shard as usize * std::mem::size_of::<Block>()],
            )
            .map_err(cast)?,
        })
    }

    /// Makes a fresh, empty shard. `clock_seed` keeps room versions from repeating across
    /// segment re-creations.
    pub fn init(&mut self, clock_seed: u64) {
        *self.meta = ShardMeta {
            clock: clock_seed,
            slot_free: NIL,
            block_free: NIL,
            room_free: NIL,
            ..ShardMeta::default()
        };
        self.key_buckets.fill(NIL);
        self.room_buckets.fill(NIL);
    }

    /// True when the last holder died or panicked in the middle of a change.
    pub fn needs_repair(&self) -> bool {
        self.meta.dirty != 0
    }

    fn begin(&mut self) {
        self.meta.dirty = 1;
    }

    fn end(&mut self) {
        self.meta.dirty = 0;
    }

    fn tick(&mut self) -> u64 {
        self.meta.clock = self.meta.clock.wrapping_add(1);
        self.meta.clock
    }

    // ---- checked access ------------------------------------------------------------------

    fn slot(&self, i: u32) -> Result<&Slot, Corrupt> {
        self.slots.get(i as usize).ok_or(Corrupt)
    }

    fn slot_mut(&mut self, i: u32) -> Result<&mut Slot, Corrupt> {
        self.slots.get_mut(i as usize).ok_or(Corrupt)
    }

    fn room_mut(&mut self, i: u32) -> Result<&mut RoomRec, Corrupt> {
        self.rooms.get_mut(i as usize).ok_or(Corrupt)
    }

    fn key_bucket(&self, hash: u64) -> usize {
        // Bucket counts are powers of two (see Geometry::body).
        (hash as usize) & (self.key_buckets.len() - 1)
    }

    fn room_bucket(&self, hash: u64) -> usize {
        (hash as usize) & (self.room_buckets.len() - 1)
    }

    // ---- payload blocks --------------------------------------------------------------------

    fn blocks_free(&self) -> u32 {
        (self.blocks.len() as u32).saturating_sub(self.meta.blocks_used)
    }

    fn alloc_block(&mut self) -> Result<u32, Corrupt> {
        let blocks = &*self.blocks;
        let i = take_index(
            &mut self.meta.block_free,
            &mut self.meta.block_hwm,
            blocks.len(),
            |i| blocks.get(i as usize).map(|b| b.next),
        )?
        // Callers reserve blocks before writing, so running out here means broken counters.
        .ok_or(Corrupt)?;
        self.meta.blocks_used += 1;
        Ok(i)
    }

    /// Writes `parts` into a fresh chain; the caller has checked that enough blocks are free.
    fn write_payload(&mut self, parts: &[&[u8]]) -> Result<(u32, u64), Corrupt> {
        let total: usize = parts.iter().map(|p| p.len()).sum();
        let mut sum = Fnv::new();
        let first = self.alloc_block()?;
        let mut cur = first;
        let mut fill = 0usize;
        let mut written = 0usize;
        self.blocks.get_mut(cur as usize).ok_or(Corrupt)?.next = NIL;
        for part in parts {
            sum = sum.bytes(part);
            let mut rest = *part;
            while !rest.is_empty() {
                if fill == BLOCK_PAYLOAD {
                    let next = self.alloc_block()?;
                    self.blocks.get_mut(cur as usize).ok_or(Corrupt)?.next = next;
                    cur = next;
                    self.blocks.get_mut(cur as usize).ok_or(Corrupt)?.next = NIL;
                    fill = 0;
                }
                let n = rest.len().min(BLOCK_PAYLOAD - fill);
                let block = self.blocks.get_mut(cur as usize).ok_or(Corrupt)?;
                block.bytes[fill..fill + n].copy_from_slice(&rest[..n]);
                fill += n;
                written += n;
                rest = &rest[n..];
            }
        }
        debug_assert_eq!(written, total);
        Ok((first, sum.finish()))
    }

    fn free_chain(&mut self, first: u32, len: usize) -> Result<(), Corrupt> {
        let mut cur = first;
        for _ in 0..blocks_for(len) {
            let next = self.blocks.get(cur as usize).ok_or(Corrupt)?.next;
            self.blocks.get_mut(cur as usize).ok_or(Corrupt)?.next = self.meta.block_free;
            self.meta.block_free = cur;
            self.meta.blocks_used = self.meta.blocks_used.saturating_sub(1);
            cur = next;
        }
        Ok(())
    }

    /// Calls `f` with consecutive pieces of the payload range `[from, from + len)`.
    fn each_payload_piece(
        &self,
        s: &Slot,
        from: usize,
        len: usize,
        mut f: impl FnMut(&[u8]) -> bool,
    ) -> Result<bool, Corrupt> {
        if from + len > s.payload_len() {
            return Err(Corrupt);
        }
        if from + len <= BLOCK_PAYLOAD {
            // Typical entries fit one block: one slice, no chain walk.
            let b = self.blocks.get(s.first_block as usize).ok_or(Corrupt)?;
            return Ok(f(&b.bytes[from..from + len]));
        }
        let mut cur = s.first_block;
        let mut skip = from;
        let mut left = len;
        for _ in 0..blocks_for(s.payload_len()) {
            if left == 0 {
                break;
            }
            let b = self.blocks.get(cur as usize).ok_or(Corrupt)?;
            if skip >= BLOCK_PAYLOAD {
                skip -= BLOCK_PAYLOAD;
            } else {
                let n = (BLOCK_PAYLOAD - skip).min(left);
                if !f(&b.bytes[skip..skip + n]) {
                    return Ok(false);
                }
                left -= n;
                skip = 0;
            }
            cur = b.next;
        }
        if left == 0 {
            Ok(true)
        } else {
            Err(Corrupt)
        }
    }

    fn payload_eq(&self, s: &Slot, from: usize, want: &[u8]) -> Result<bool, Corrupt> {
        let mut off = 0;
        self.each_payload_piece(s, from, want.len(), |piece| {
            let same = want.get(off..off + piece.len()) == Some(piece);
            off += piece.len();
            same
        })
    }

    fn copy_payload(
        &self,
        s: &Slot,
        from: usize,
        len: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Corrupt> {
        self.each_payload_piece(s, from, len, |piece| {
            out.extend_from_slice(piece);
            true
        })
        .map(|_| ())
    }

    /// Whether slot `s` holds exactly this (namespace, room, client) key.
    fn key_matches(&self, s: &Slot, key: &EntryKey<'_>) -> Result<bool, Corrupt> {
        let (ns, room, client) = (key.room.ns, key.room.room, key.client);
        if usize::from(s.ns_len) != ns.len()
            || usize::from(s.room_len) != room.len()
            || usize::from(s.client_len) != client.len()
        {
            return Ok(false);
        }
        Ok(self.payload_eq(s, 0, ns)?
            && self.payload_eq(s, ns.len(), room)?
            && self.payload_eq(s, ns.len() + room.len(), client)?)
    }

    fn ns_matches(&self, s: &Slot, ns: &[u8]) -> Result<bool, Corrupt> {
        Ok(usize::from(s.ns_len) == ns.len() && self.payload_eq(s, 0, ns)?)
    }

    // ---- indexes ---------------------------------------------------------------------------

    fn find(&self, key: &EntryKey<'_>) -> Result<Option<u32>, Corrupt> {
        let mut i = self.key_buckets[self.key_bucket(key.hash)];
        for _ in 0..=self.slots.len() {
            if i == NIL {
                return Ok(None);
            }
            let s = self.slot(i)?;
            if s.state == SLOT_LIVE && s.key_hash == key.hash && self.key_matches(s, key)? {
                return Ok(Some(i));
            }
            i = s.key_next;
        }
        Err(Corrupt)
    }

    fn find_room(&self, hash: u64) -> Result<Option<u32>, Corrupt> {
        let mut i = self.room_buckets[self.room_bucket(hash)];
        for _ in 0..=self.rooms.len() {
            if i == NIL {
                return Ok(None);
            }
            let r = self.rooms.get(i as usize).ok_or(Corrupt)?;
            if r.live != 0 && r.hash == hash {
                return Ok(Some(i));
            }
            i = r.next;
        }
        Err(Corrupt)
    }

    fn room_for_insert(&mut self, hash: u64) -> Result<u32, Corrupt> {
        if let Some(r) = self.find_room(hash)? {
            return Ok(r);
        }
        let rooms = &*self.rooms;
        let i = take_index(
            &mut self.meta.room_free,
            &mut self.meta.room_hwm,
            rooms.len(),
            |i| rooms.get(i as usize).map(|r| r.next),
        )?
        // There is one room record per slot and a free slot exists, so running out means
        // broken counters.
        .ok_or(Corrupt)?;
        let b = self.room_bucket(hash);
        let version = self.tick();
        *self.room_mut(i)? = RoomRec {
            hash,
            version,
            head: NIL,
            count: 0,
            next: self.room_buckets[b],
            live: 1,
        };
        self.room_buckets[b] = i;
        self.meta.rooms += 1;
        Ok(i)
    }

    fn drop_room(&mut self, r: u32) -> Result<(), Corrupt> {
        let hash = self.rooms.get(r as usize).ok_or(Corrupt)?.hash;
        let b = self.room_bucket(hash);
        let next = self.rooms.get(r as usize).ok_or(Corrupt)?.next;
        if self.room_buckets[b] == r {
            self.room_buckets[b] = next;
        } else {
            let mut p = self.room_buckets[b];
            for _ in 0..=self.rooms.len() {
                let pr = self.room_mut(p)?;
                if pr.next == r {
                    pr.next = next;
                    break;
                }
                p = pr.next;
                if p == NIL {
                    return Err(Corrupt);
                }
            }
        }
        let free = self.meta.room_free;
        let rec = self.room_mut(r)?;
        rec.live = 0;
        rec.next = free;
        self.meta.room_free = r;
        self.meta.rooms = self.meta.rooms.saturating_sub(1);
        Ok(())
    }

    fn bump_room(&mut self, r: u32) -> Result<(), Corrupt> {
        let v = self.tick();
        self.room_mut(r)?.version = v;
        Ok(())
    }

    fn link(&mut self, i: u32) -> Result<(), Corrupt> {
        let (kh, rh) = {
            let s = self.slot(i)?;
            (s.key_hash, s.room_hash)
        };
        let kb = self.key_bucket(kh);
        let r = self.room_for_insert(rh)?;
        let head = self.rooms.get(r as usize).ok_or(Corrupt)?.head;
        {
            let key_next = self.key_buckets[kb];
            let s = self.slot_mut(i)?;
            s.key_next = key_next;
            s.room_prev = NIL;
            s.room_next = head;
            s.room_idx = r;
        }
        self.key_buckets[kb] = i;
        if head != NIL {
            self.slot_mut(head)?.room_prev = i;
        }
        let rec = self.room_mut(r)?;
        rec.head = i;
        rec.count += 1;
        self.bump_room(r)?;
        self.meta.entries += 1;
        Ok(())
    }

    /// Unlinks slot `i` from every index and frees its slot and blocks.
    fn remove_slot(&mut self, i: u32) -> Result<(), Corrupt> {
        let s = *self.slot(i)?;
        // Key bucket chain.
        let kb = self.key_bucket(s.key_hash);
        if self.key_buckets[kb] == i {
            self.key_buckets[kb] = s.key_next;
        } else {
            let mut p = self.key_buckets[kb];
            for _ in 0..=self.slots.len() {
                let ps = self.slot_mut(p)?;
                if ps.key_next == i {
                    ps.key_next = s.key_next;
                    break;
                }
                p = ps.key_next;
                if p == NIL {
                    return Err(Corrupt);
                }
            }
        }
        // Room list.
        if s.room_prev == NIL {
            self.room_mut(s.room_idx)?.head = s.room_next;
        } else {
            self.slot_mut(s.room_prev)?.room_next = s.room_next;
        }
        if s.room_next != NIL {
            self.slot_mut(s.room_next)?.room_prev = s.room_prev;
        }
        let rec = self.room_mut(s.room_idx)?;
        rec.count = rec.count.saturating_sub(1);
        if rec.count == 0 {
            self.drop_room(s.room_idx)?;
        } else {
            self.bump_room(s.room_idx)?;
        }
        self.free_chain(s.first_block, s.payload_len())?;
        let free = self.meta.slot_free;
        let sm = self.slot_mut(i)?;
        sm.state = SLOT_FREE;
        sm.key_next = free;
        self.meta.slot_free = i;
        self.meta.entries = self.meta.entries.saturating_sub(1);
        Ok(())
    }

    fn alloc_slot(&mut self) -> Result<Option<u32>, Corrupt> {
        let slots = &*self.slots;
        take_index(
            &mut self.meta.slot_free,
            &mut self.meta.slot_hwm,
            slots.len(),
            |i| slots.get(i as usize).map(|s| s.key_next),
        )
    }

    fn has_room_for(&self, new_slot: bool, blocks: u32) -> Option<Refusal> {
        let slot_ok = !new_slot
            || self.meta.slot_free != NIL
            || (self.meta.slot_hwm as usize) < self.slots.len();
        if !slot_ok {
            Some(Refusal::Entries)
        } else if self.blocks_free() < blocks {
            Some(Refusal::Data)
        } else {
            None
        }
    }

    /// Makes sure a write fits, reclaiming expired entries first.
    fn reserve(&mut self, now: i64, new_slot: bool, blocks: u32) -> Result<(), Refusal> {
        if self.has_room_for(new_slot, blocks).is_none() {
            return Ok(());
        }
        self.sweep_locked(now)?;
        match self.has_room_for(new_slot, blocks) {
            None => Ok(()),
            Some(r) => {
                self.meta.refusals += 1;
                Err(r)
            }
        }
    }

    // ---- operations ------------------------------------------------------------------------

    /// Creates or refreshes an entry. Keys and data must already be within the limits.
    pub fn upsert(&mut self, key: &EntryKey<'_>, w: &Write<'_>) -> Result<Upsert, Refusal> {
        if key.room.ns.len() > MAX_NAMESPACE_LEN
            || key.room.room.len() > MAX_KEY_LEN
            || key.client.len() > MAX_KEY_LEN
            || w.data.len() > MAX_DATA_LEN
        {
            return Err(Refusal::Corrupt);
        }
        self.begin();
        let r = self.upsert_locked(key, w);
        if !matches!(r, Err(Refusal::Corrupt)) {
            self.end();
        }
        r
    }

    fn upsert_locked(&mut self, key: &EntryKey<'_>, w: &Write<'_>) -> Result<Upsert, Refusal> {
        let expires = w.now.saturating_add(w.ttl);
        let parts = [key.room.ns, key.room.room, key.client, w.data];
        let need = blocks_for(parts.iter().map(|p| p.len()).sum());
        if let Some(i) = self.find(key)? {
            let s = *self.slot(i)?;
            if s.expires <= w.now {
                self.remove_slot(i)?;
                self.meta.swept += 1;
            } else if s.user_id == w.user_id
                && s.data_len as usize == w.data.len()
                && self.payload_eq(&s, s.payload_len() - w.data.len(), w.data)?
            {
                let sm = self.slot_mut(i)?;
                sm.updated = w.now;
                sm.expires = expires;
                sm.checksum = checksum(sm);
                return Ok(Upsert::Refreshed);
            } else {
                self.reserve(w.now, false, need)?;
                let (first, sum) = self.write_payload(&parts)?;
                let sm = self.slot_mut(i)?;
                sm.first_block = first;
                sm.data_len = w.data.len() as u32;
                sm.user_id = w.user_id;
                sm.updated = w.now;
                sm.expires = expires;
                sm.payload_sum = sum;
                sm.checksum = checksum(sm);
                self.free_chain(s.first_block, s.payload_len())?;
                self.bump_room(s.room_idx)?;
                return Ok(Upsert::Changed);
            }
        }
        self.reserve(w.now, true, need)?;
        let Some(i) = self.alloc_slot()? else {
            return Err(Refusal::Entries);
        };
        let (first, sum) = self.write_payload(&parts)?;
        let sm = self.slot_mut(i)?;
        *sm = Slot {
            key_hash: key.hash,
            room_hash: key.room.hash,
            updated: w.now,
            expires,
            user_id: w.user_id,
            payload_sum: sum,
            checksum: 0,
            first_block: first,
            data_len: w.data.len() as u32,
            ns_len: len16(key.room.ns),
            room_len: len16(key.room.room),
            client_len: len16(key.client),
            state: SLOT_FREE,
            key_next: NIL,
            room_prev: NIL,
            room_next: NIL,
            room_idx: NIL,
        };
        sm.checksum = checksum(sm);
        // Live only once complete: a crash before this line leaves a free slot and stray blocks,
        // both reclaimed by repair.
        sm.state = SLOT_LIVE;
        self.link(i)?;
        Ok(Upsert::Created)
    }

    fn emit(&self, s: &Slot, with_room: bool, out: &mut Entries) -> Result<(), Corrupt> {
        let base = out.bytes.len();
        let ns = usize::from(s.ns_len);
        let room_len = usize::from(s.room_len);
        let (from, room) = if with_room {
            (ns, room_len)
        } else {
            (ns + room_len, 0)
        };
        let len = s.payload_len() - from;
        if let Err(e) = self.copy_payload(s, from, len, &mut out.bytes) {
            out.bytes.truncate(base);
            return Err(e);
        }
        let client = usize::from(s.client_len);
        out.items.push(EntryOut {
            start: base as u32,
            room_len: room as u32,
            client_len: client as u32,
            data_len: s.data_len,
            user_id: s.user_id,
            updated: s.updated,
            expires: s.expires,
        });
        Ok(())
    }

    /// Runs `f` over the room's list, reclaiming expired entries on the way.
    fn walk_room(
        &mut self,
        rk: &RoomKey<'_>,
        now: i64,
        mut f: impl FnMut(&Self, &Slot) -> Result<(), Corrupt>,
    ) -> Result<(), Corrupt> {
        let Some(r) = self.find_room(rk.hash)? else {
            return Ok(());
        };
        // Namespace and room are contiguous at the start of every payload: one compare per entry.
        let mut prefix = Vec::with_capacity(rk.ns.len() + rk.room.len());
        prefix.extend_from_slice(rk.ns);
        prefix.extend_from_slice(rk.room);
        let mut i = self.rooms.get(r as usize).ok_or(Corrupt)?.head;
        for _ in 0..=self.slots.len() {
            if i == NIL {
                return Ok(());
            }
            let s = *self.slot(i)?;
            if s.state != SLOT_LIVE || s.room_idx != r {
                return Err(Corrupt);
            }
            let next = s.room_next;
            if s.expires <= now {
                self.remove_slot(i)?;
                self.meta.swept += 1;
            } else if usize::from(s.ns_len) == rk.ns.len()
                && usize::from(s.room_len) == rk.room.len()
                && self.payload_eq(&s, 0, &prefix)?
            {
                f(self, &s)?;
            }
            i = next;
        }
        Err(Corrupt)
    }

    /// Live entries of a room, optionally only those written within `max_age` seconds.
    pub fn room(
        &mut self,
        rk: &RoomKey<'_>,
        now: i64,
        max_age: Option<i64>,
        out: &mut Entries,
    ) -> Result<(), Corrupt> {
        self.begin();
        let min_updated = max_age.map(|a| now.saturating_sub(a));
        self.walk_room(rk, now, |sh, s| {
            if min_updated.is_none_or(|m| s.updated > m) {
                sh.emit(s, false, out)?;
            }
            Ok(())
        })?;
        self.end();
        Ok(())
    }

    pub fn get(
        &mut self,
        key: &EntryKey<'_>,
        now: i64,
        out: &mut Entries,
    ) -> Result<bool, Corrupt> {
        let Some(i) = self.find(key)? else {
            return Ok(false);
        };
        let s = *self.slot(i)?;
        if s.expires <= now {
            self.begin();
            self.remove_slot(i)?;
            self.meta.swept += 1;
            self.end();
            return Ok(false);
        }
        self.emit(&s, false, out)?;
        Ok(true)
    }

    pub fn remove(&mut self, key: &EntryKey<'_>) -> Result<bool, Corrupt> {
        let Some(i) = self.find(key)? else {
            return Ok(false);
        };
        self.begin();
        self.remove_slot(i)?;
        self.end();
        Ok(true)
    }

    /// Change counter of a room after reclaiming its expired entries; 0 when empty.
    pub fn room_version(&mut self, rk: &RoomKey<'_>, now: i64) -> Result<u64, Corrupt> {
        self.begin();
        self.walk_room(rk, now, |_, _| Ok(()))?;
        self.end();
        Ok(match self.find_room(rk.hash)? {
            Some(r) => self.rooms.get(r as usize).ok_or(Corrupt)?.version,
            None => 0,
        })
    }

    /// Visits every live slot below the high-water mark; `f` returns true to remove it.
    fn scan(
        &mut self,
        mut f: impl FnMut(&Self, &Slot) -> Result<bool, Corrupt>,
    ) -> Result<u32, Corrupt> {
        let mut removed = 0;
        for i in 0..self.meta.slot_hwm.min(self.slots.len() as u32) {
            let s = *self.slot(i)?;
            if s.state == SLOT_LIVE && f(self, &s)? {
                self.remove_slot(i)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    fn sweep_locked(&mut self, now: i64) -> Result<u32, Corrupt> {
        let n = self.scan(|_, s| Ok(s.expires <= now))?;
        self.meta.sweeps += 1;
        self.meta.swept += u64::from(n);
        Ok(n)
    }

    pub fn sweep(&mut self, now: i64) -> Result<u32, Corrupt> {
        self.begin();
        let n = self.sweep_locked(now)?;
        self.end();
        Ok(n)
    }

    /// Removes every entry of a namespace, or of all namespaces with `None`.
    pub fn clear(&mut self, ns: Option<&[u8]>) -> Result<u32, Corrupt> {
        self.begin();
        let n = self.scan(|sh, s| match ns {
            Some(ns) => sh.ns_matches(s, ns),
            None => Ok(true),
        })?;
        self.end();
        Ok(n)
    }

    pub fn remove_user(&mut self, ns: &[u8], user_id: u64, now: i64) -> Result<u32, Corrupt> {
        self.begin();
        // Expired entries are reclaimed on the way but counted as swept, not as the user's.
        let mut expired = 0u32;
        let removed = self.scan(|sh, s| {
            if s.expires <= now {
                expired += 1;
                return Ok(true);
            }
            Ok(s.user_id == user_id && sh.ns_matches(s, ns)?)
        })?;
        self.meta.swept += u64::from(expired);
        self.end();
        Ok(removed - expired)
    }

    pub fn user_entries(
        &mut self,
        ns: &[u8],
        user_id: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<(), Corrupt> {
        for i in 0..self.meta.slot_hwm.min(self.slots.len() as u32) {
            let s = *self.slot(i)?;
            if s.state == SLOT_LIVE
                && s.expires > now
                && s.user_id == user_id
                && self.ns_matches(&s, ns)?
            {
                self.emit(&s, true, out)?;
            }
        }
        Ok(())
    }

    /// Live rooms of a namespace whose name starts with `prefix`.
    pub fn rooms(
        &mut self,
        ns: &[u8],
        prefix: &[u8],
        now: i64,
        out: &mut Vec<RoomSummary>,
    ) -> Result<(), Corrupt> {
        self.begin();
        let mut users: Vec<u64> = Vec::new();
        for r in 0..self.meta.room_hwm.min(self.rooms.len() as u32) {
            let rec = *self.rooms.get(r as usize).ok_or(Corrupt)?;
            if rec.live == 0 || rec.head == NIL {
                continue;
            }
            let head = *self.slot(rec.head)?;
            if !self.ns_matches(&head, ns)?
                || usize::from(head.room_len) < prefix.len()
                || !self.payload_eq(&head, ns.len(), prefix)?
            {
                continue;
            }
            let mut name = Vec::with_capacity(usize::from(head.room_len));
            self.copy_payload(&head, ns.len(), usize::from(head.room_len), &mut name)?;
            let rk = RoomKey::new(ns, &name);
            let (mut entries, mut updated) = (0u32, 0i64);
            users.clear();
            self.walk_room(&rk, now, |_, s| {
                entries += 1;
                updated = updated.max(s.updated);
                users.push(s.user_id);
                Ok(())
            })?;
            if entries == 0 {
                continue;
            }
            users.sort_unstable();
            users.dedup();
            let version = match self.find_room(rk.hash)? {
                Some(i) => self.rooms.get(i as usize).ok_or(Corrupt)?.version,
                None => 0,
            };
            out.push(RoomSummary {
                room: name,
                entries,
                users: users.len() as u32,
                version,
                updated,
            });
        }
        self.end();
        Ok(())
    }

    pub fn stats(&self) -> ShardStats {
        ShardStats {
            entries: u64::from(self.meta.entries),
            rooms: u64::from(self.meta.rooms),
            blocks_used: u64::from(self.meta.blocks_used),
            sweeps: self.meta.sweeps,
            swept: self.meta.swept,
            refusals: self.meta.refusals,
            recoveries: self.meta.recoveries,
        }
    }

    // ---- repair ----------------------------------------------------------------------------

    /// Checks one live slot: lengths, chain and checksum. Marks its blocks in `used`.
    fn slot_is_sound(&self, s: &Slot, used: &mut [bool]) -> bool {
        if usize::from(s.ns_len) > MAX_NAMESPACE_LEN
            || usize::from(s.room_len) > MAX_KEY_LEN
            || s.room_len == 0
            || usize::from(s.client_len) > MAX_KEY_LEN
            || s.data_len as usize > MAX_DATA_LEN
            || checksum(s) != s.checksum
        {
            return false;
        }
        let mut chain = Vec::new();
        let mut cur = s.first_block;
        for _ in 0..blocks_for(s.payload_len()) {
            match (self.blocks.get(cur as usize), used.get(cur as usize)) {
                (Some(b), Some(false)) if cur < self.meta.block_hwm => {
                    chain.push(cur);
                    cur = b.next;
                }
                _ => return false,
            }
        }
        // Hash part by part, as `write_payload` did (the hash is not streaming-stable).
        let mut sum = Fnv::new();
        let mut part = Vec::new();
        let mut from = 0;
        for len in [
            usize::from(s.ns_len),
            usize::from(s.room_len),
            usize::from(s.client_len),
            s.data_len as usize,
        ] {
            part.clear();
            if self.copy_payload(s, from, len, &mut part).is_err() {
                return false;
            }
            sum = sum.bytes(&part);
            from += len;
        }
        if sum.finish() != s.payload_sum {
            return false;
        }
        for b in chain {
            used[b as usize] = true;
        }
        true
    }

    /// Rebuilds every index, list and counter from the slots, dropping any slot that does not
    /// check out. Returns how many slots were dropped.
    pub fn repair(&mut self) -> u32 {
        let slot_hwm = self.meta.slot_hwm.min(self.slots.len() as u32);
        let block_hwm = self.meta.block_hwm.min(self.blocks.len() as u32);
        self.meta.slot_hwm = slot_hwm;
        self.meta.block_hwm = block_hwm;
        let mut used = vec![false; block_hwm as usize];
        let mut dropped = 0;
        let mut sound = Vec::new();
        for i in 0..slot_hwm {
            let s = self.slots[i as usize];
            if s.state != SLOT_LIVE {
                continue;
            }
            if self.slot_is_sound(&s, &mut used) {
                sound.push(i);
            } else {
                self.slots[i as usize].state = SLOT_FREE;
                dropped += 1;
            }
        }
        self.key_buckets.fill(NIL);
        self.room_buckets.fill(NIL);
        let keep = ShardMeta {
            clock: self.meta.clock.wrapping_add(1),
            sweeps: self.meta.sweeps,
            swept: self.meta.swept,
            refusals: self.meta.refusals,
            recoveries: self.meta.recoveries + 1,
            slot_hwm,
            block_hwm,
            slot_free: NIL,
            block_free: NIL,
            room_free: NIL,
            ..ShardMeta::default()
        };
        *self.meta = keep;
        for i in (0..slot_hwm).rev() {
            if self.slots[i as usize].state != SLOT_LIVE {
                self.slots[i as usize].key_next = self.meta.slot_free;
                self.meta.slot_free = i;
            }
        }
        for b in (0..block_hwm).rev() {
            if used[b as usize] {
                self.meta.blocks_used += 1;
            } else {
                self.blocks[b as usize].next = self.meta.block_free;
                self.meta.block_free = b;
            }
        }
        for i in sound {
            if self.link(i).is_err() {
                // Cannot happen on freshly rebuilt indexes; dropping keeps the shard usable.
                self.slots[i as usize].state = SLOT_FREE;
                dropped += 1;
            }
        }
        self.meta.dirty = 0;
        dropped
    }

    /// Debug hook: holds the shard as if in the middle of a change for `ms` milliseconds, so tests
    /// can kill a process that holds the lock.
    #[doc(hidden)]
    pub fn stall(&mut self, ms: u64) {
        self.begin();
        std::thread::sleep(std::time::Duration::from_millis(ms));
        self.end();
    }

    /// Test hook: leaves the shard as a process killed half-way through an insert would.
    #[doc(hidden)]
    pub fn simulate_torn_insert(&mut self, key: &EntryKey<'_>, data: &[u8]) {
        self.begin();
        if let Ok(Some(i)) = self.alloc_slot() {
            if let Ok((first, _)) =
                self.write_payload(&[key.room.ns, key.room.room, key.client, data])
            {
                let s = &mut self.slots[i as usize];
                s.first_block = first;
                s.state = SLOT_LIVE;
                s.checksum = 0xdead;
            }
        }
        // No end(): the "process" never finished.
    }
}
