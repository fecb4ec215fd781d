//! A locked shard's memory, typed. The fields are private to this file: every other part of the
//! store reads through checked accessors and writes through `*_mut` accessors, each of which
//! counts as one write for fault injection (`fault::charge`).
//!
//! A `Shard` is only ever built from a body whose lock the caller holds (see `Store`), so plain
//! `&mut` access is sound. Nothing here panics on bad bytes: every index read from the segment is
//! checked, and a broken invariant surfaces as `Corrupt`, after which the caller repairs the shard.

use super::Corrupt;
use crate::store::fault::charge;
use crate::store::hash::HashKey;
use crate::store::layout::{Block, Geometry, NsRec, RoomRec, ShardMeta, Slot, NIL};

pub struct Shard<'a> {
    idx: u32,
    shards: u32,
    key: HashKey,
    meta: &'a mut ShardMeta,
    key_buckets: &'a mut [u32],
    room_buckets: &'a mut [u32],
    ns_buckets: &'a mut [u32],
    user_buckets: &'a mut [u32],
    rooms: &'a mut [RoomRec],
    nss: &'a mut [NsRec],
    slots: &'a mut [Slot],
    blocks: &'a mut [Block],
    /// Entries this shard may hold (the slot array has one more, kept for changes).
    capacity: u32,
}

impl<'a> Shard<'a> {
    /// Views shard `idx`'s body. Fails only if `body` is too small or misaligned for `g`.
    pub fn view(
        body: &'a mut [u8],
        geo: &Geometry,
        idx: u32,
        key: HashKey,
    ) -> Result<Self, Corrupt> {
        let l = geo.body();
        if body.len() < l.size {
            return Err(Corrupt);
        }
        let (meta, rest) = body.split_at_mut(l.key_buckets);
        let (kb, rest) = rest.split_at_mut(l.room_buckets - l.key_buckets);
        let (rb, rest) = rest.split_at_mut(l.ns_buckets - l.room_buckets);
        let (nb, rest) = rest.split_at_mut(l.user_buckets - l.ns_buckets);
        let (ub, rest) = rest.split_at_mut(l.room_recs - l.user_buckets);
        let (rooms, rest) = rest.split_at_mut(l.ns_recs - l.room_recs);
        let (nss, rest) = rest.split_at_mut(l.slot_recs - l.ns_recs);
        let (slots, rest) = rest.split_at_mut(l.blocks - l.slot_recs);
        let blocks = &mut rest[..l.size - l.blocks];
        let bucket_bytes = l.buckets as usize * 4;
        let n_rooms = l.rooms as usize;
        let n_slots = l.slots as usize;
        let cast = |e| {
            let _: bytemuck::PodCastError = e;
            Corrupt
        };
        Ok(Self {
            idx,
            shards: geo.shards,
            key,
            meta: bytemuck::try_from_bytes_mut(&mut meta[..std::mem::size_of::<ShardMeta>()])
                .map_err(cast)?,
            key_buckets: bytemuck::try_cast_slice_mut(&mut kb[..bucket_bytes]).map_err(cast)?,
            room_buckets: bytemuck::try_cast_slice_mut(&mut rb[..bucket_bytes]).map_err(cast)?,
            ns_buckets: bytemuck::try_cast_slice_mut(&mut nb[..bucket_bytes]).map_err(cast)?,
            user_buckets: bytemuck::try_cast_slice_mut(&mut ub[..bucket_bytes]).map_err(cast)?,
            rooms: bytemuck::try_cast_slice_mut(
                &mut rooms[..n_rooms * std::mem::size_of::<RoomRec>()],
            )
            .map_err(cast)?,
            nss: bytemuck::try_cast_slice_mut(&mut nss[..n_rooms * std::mem::size_of::<NsRec>()])
                .map_err(cast)?,
            slots: bytemuck::try_cast_slice_mut(
                &mut slots[..n_slots * std::mem::size_of::<Slot>()],
            )
            .map_err(cast)?,
            blocks: bytemuck::try_cast_slice_mut(
                &mut blocks[..geo.blocks_per_shard as usize * std::mem::size_of::<Block>()],
            )
            .map_err(cast)?,
            capacity: geo.slots_per_shard,
        })
    }

    pub fn idx(&self) -> u32 {
        self.idx
    }

    /// Shards in the segment.
    pub fn shards(&self) -> u32 {
        self.shards
    }

    pub fn key(&self) -> &HashKey {
        &self.key
    }

    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn n_slots(&self) -> u32 {
        self.slots.len() as u32
    }

    pub fn n_rooms(&self) -> u32 {
        self.rooms.len() as u32
    }

    pub fn n_blocks(&self) -> u32 {
        self.blocks.len() as u32
    }

    // ---- reads ---------------------------------------------------------------------------------

    pub fn meta(&self) -> &ShardMeta {
        self.meta
    }

    pub fn slot(&self, i: u32) -> Result<&Slot, Corrupt> {
        self.slots.get(i as usize).ok_or(Corrupt)
    }

    pub fn room(&self, i: u32) -> Result<&RoomRec, Corrupt> {
        self.rooms.get(i as usize).ok_or(Corrupt)
    }

    pub fn ns(&self, i: u32) -> Result<&NsRec, Corrupt> {
        self.nss.get(i as usize).ok_or(Corrupt)
    }

    pub fn block(&self, i: u32) -> Result<&Block, Corrupt> {
        self.blocks.get(i as usize).ok_or(Corrupt)
    }

    // Bucket counts are powers of two (see Geometry::body).
    fn bucket(len: usize, hash: u64) -> usize {
        (hash as usize) & (len - 1)
    }

    pub fn key_head(&self, hash: u64) -> u32 {
        self.key_buckets[Self::bucket(self.key_buckets.len(), hash)]
    }

    pub fn room_head(&self, hash: u64) -> u32 {
        self.room_buckets[Self::bucket(self.room_buckets.len(), hash)]
    }

    pub fn ns_head(&self, hash: u64) -> u32 {
        self.ns_buckets[Self::bucket(self.ns_buckets.len(), hash)]
    }

    pub fn user_head(&self, hash: u64) -> u32 {
        self.user_buckets[Self::bucket(self.user_buckets.len(), hash)]
    }

    // ---- writes (each one counts for fault injection) ------------------------------------------

    pub fn meta_mut(&mut self) -> &mut ShardMeta {
        charge();
        self.meta
    }

    pub fn slot_mut(&mut self, i: u32) -> Result<&mut Slot, Corrupt> {
        charge();
        self.slots.get_mut(i as usize).ok_or(Corrupt)
    }

    pub fn room_mut(&mut self, i: u32) -> Result<&mut RoomRec, Corrupt> {
        charge();
        self.rooms.get_mut(i as usize).ok_or(Corrupt)
    }

    pub fn ns_mut(&mut self, i: u32) -> Result<&mut NsRec, Corrupt> {
        charge();
        self.nss.get_mut(i as usize).ok_or(Corrupt)
    }

    pub fn block_mut(&mut self, i: u32) -> Result<&mut Block, Corrupt> {
        charge();
        self.blocks.get_mut(i as usize).ok_or(Corrupt)
    }

    pub fn set_key_head(&mut self, hash: u64, v: u32) {
        charge();
        let b = Self::bucket(self.key_buckets.len(), hash);
        self.key_buckets[b] = v;
    }

    pub fn set_room_head(&mut self, hash: u64, v: u32) {
        charge();
        let b = Self::bucket(self.room_buckets.len(), hash);
        self.room_buckets[b] = v;
    }

    pub fn set_ns_head(&mut self, hash: u64, v: u32) {
        charge();
        let b = Self::bucket(self.ns_buckets.len(), hash);
        self.ns_buckets[b] = v;
    }

    pub fn set_user_head(&mut self, hash: u64, v: u32) {
        charge();
        let b = Self::bucket(self.user_buckets.len(), hash);
        self.user_buckets[b] = v;
    }

    /// Empties every index (repair and format), one write per bucket.
    pub fn clear_indexes(&mut self) {
        for b in self
            .key_buckets
            .iter_mut()
            .chain(self.room_buckets.iter_mut())
            .chain(self.ns_buckets.iter_mut())
            .chain(self.user_buckets.iter_mut())
        {
            charge();
            *b = NIL;
        }
    }

    /// Makes a fresh, empty shard. `clock_seed` keeps room versions from repeating across
    /// segment re-creations.
    pub fn init(&mut self, clock_seed: u64) {
        *self.meta_mut() = ShardMeta {
            clock: clock_seed,
            slot_free: NIL,
            block_free: NIL,
            room_free: NIL,
            ns_free: NIL,
            ..ShardMeta::default()
        };
        self.clear_indexes();
    }
}

/// Marks shards dirty while it lives. Only `commit()` marks them clean again, so an early return,
/// an error or a panic (or a kill) leaves them dirty, and the next locker repairs them.
#[must_use]
pub struct Change<'s, 'a> {
    shards: &'s mut [Shard<'a>],
}

impl<'s, 'a> Change<'s, 'a> {
    pub fn begin(shards: &'s mut [Shard<'a>]) -> Self {
        for sh in shards.iter_mut() {
            if sh.meta.dirty == 0 {
                sh.meta_mut().dirty = 1;
            }
        }
        Self { shards }
    }

    pub fn commit(self) {
        for sh in self.shards.iter_mut() {
            sh.meta_mut().dirty = 0;
        }
    }
}

impl<'a> std::ops::Deref for Change<'_, 'a> {
    type Target = [Shard<'a>];
    fn deref(&self) -> &Self::Target {
        self.shards
    }
}

impl std::ops::DerefMut for Change<'_, '_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.shards
    }
}
