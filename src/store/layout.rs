//! Byte layout of the shared segment.
//!
//! Everything here is plain old data: the segment holds offsets and indexes, never pointers,
//! so every process can map it at a different address.
//!
//! ```text
//! segment  = Header | pad to 64 | shard 0 | shard 1 | … | shard N-1
//! shard    = lock word (64 bytes, owned by `sys`) | body
//! body     = ShardMeta | key buckets [u32; K] | room buckets [u32; K]
//!          | rooms [RoomRec; S] | slots [Slot; S] | blocks [Block; B]     (each section 64-aligned)
//! entry    = one Slot + a chain of Blocks holding  namespace | room | client_id | data
//! ```
//!
//! Indexes, room records and free lists are derived state: `Shard::repair` rebuilds them from the
//! slots alone, and a slot whose checksum does not match is dropped. That is what makes a process
//! killed mid-write harmless.

use bytemuck::{Pod, Zeroable};

/// "PRESENC1" — the first word of every segment.
pub const MAGIC: u64 = u64::from_le_bytes(*b"PRESENC1");
/// Bumped whenever any struct below, the hash or the codec changes meaning.
/// 2: the header carries the creator's ABI fingerprint.
pub const LAYOUT_VERSION: u32 = 2;

/// No index: the end of a chain or list.
pub const NIL: u32 = u32::MAX;
/// Bytes of payload per block.
pub const BLOCK_PAYLOAD: usize = 252;
/// Room and `client_id` may be this long; presence-api's columns are 191.
pub const MAX_KEY_LEN: usize = 255;
/// Namespaces are short tags such as a site hash plus a blog id.
pub const MAX_NAMESPACE_LEN: usize = 64;
/// Encoded data may be this long (presence-api's REST limit is 10240 bytes of JSON).
pub const MAX_DATA_LEN: usize = 16 * 1024;
/// Bytes reserved in front of every shard body for the process-shared mutex.
pub const LOCK_BYTES: usize = 64;

/// Slot states.
pub const SLOT_FREE: u16 = 0;
pub const SLOT_LIVE: u16 = 1;

/// First bytes of the segment. Written once at creation, under the creation file lock.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct Header {
    /// Written last during creation: a segment without it is unfinished.
    pub magic: u64,
    pub layout_version: u32,
    pub shards: u32,
    pub slots_per_shard: u32,
    pub blocks_per_shard: u32,
    pub shard_stride: u64,
    pub total_size: u64,
    pub created: i64,
    /// Seconds added to the wall clock by processes running with `presence.debug_clock=1` (others
    /// ignore it). Accessed atomically through `sys`.
    pub clock_offset: i64,
    /// Who can share this segment's mutexes. At [`ABI_OFFSET`] in every layout from 2 on, so any
    /// later build can refuse a segment it cannot share before it reads anything else.
    pub abi: Abi,
    pub reserved: [u64; 6],
}

/// Where [`Header::abi`] lies, in this layout and every later one.
pub const ABI_OFFSET: usize = 56;

/// The facts a process must share with a segment's creator to use its process-shared mutexes:
/// their size and alignment, the libc that implements them, and the machine's word.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug, PartialEq, Eq)]
pub struct Abi {
    /// 1 on a little-endian machine, 2 on a big-endian one (one byte reads the same either way).
    pub byte_order: u8,
    pub pointer_bytes: u8,
    /// [`Abi::GLIBC`], [`Abi::MUSL`] or [`Abi::OTHER_LIBC`].
    pub libc: u8,
    /// 1 when the libc supports robust, process-shared mutexes.
    pub robust_mutex: u8,
    pub mutex_size: u16,
    pub mutex_align: u16,
    /// The libc's version; only the major one must match (glibc keeps its mutex ABI within 2.x).
    pub libc_major: u16,
    pub libc_minor: u16,
    pub reserved: [u8; 4],
}

impl Abi {
    pub const GLIBC: u8 = 1;
    pub const MUSL: u8 = 2;
    pub const OTHER_LIBC: u8 = 3;

    /// A header written before fingerprints existed (layout 1) holds zeros here.
    pub fn is_unset(&self) -> bool {
        *self == Abi::zeroed()
    }

    /// Whether a process with `self` can share mutexes created by one with `other`.
    pub fn compatible(&self, other: &Abi) -> bool {
        let key = |a: &Abi| {
            (
                a.byte_order,
                a.pointer_bytes,
                a.libc,
                a.robust_mutex,
                a.mutex_size,
                a.mutex_align,
                a.libc_major,
            )
        };
        key(self) == key(other)
    }
}

impl std::fmt::Display for Abi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let libc = match self.libc {
            Abi::GLIBC => "glibc",
            Abi::MUSL => "musl",
            _ => "another libc",
        };
        write!(
            f,
            "{libc} {}.{}, {}-bit {}-endian, {}-byte pthread_mutex_t aligned to {}, {}",
            self.libc_major,
            self.libc_minor,
            u32::from(self.pointer_bytes) * 8,
            if self.byte_order == 1 {
                "little"
            } else {
                "big"
            },
            self.mutex_size,
            self.mutex_align,
            if self.robust_mutex == 1 {
                "robust mutexes"
            } else {
                "no robust mutexes"
            }
        )
    }
}

/// Per-shard bookkeeping, only touched under the shard lock.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug, Default)]
pub struct ShardMeta {
    /// Source of room versions: every change takes the next value.
    pub clock: u64,
    pub slot_free: u32,
    pub slot_hwm: u32,
    pub block_free: u32,
    pub block_hwm: u32,
    pub room_free: u32,
    pub room_hwm: u32,
    pub entries: u32,
    pub rooms: u32,
    pub blocks_used: u32,
    /// Set for the length of every mutation; found set by a later locker means "repair first".
    pub dirty: u32,
    pub sweeps: u64,
    pub swept: u64,
    pub refusals: u64,
    pub recoveries: u64,
}

/// One live room: the head of its entry list and its change counter.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct RoomRec {
    pub hash: u64,
    pub version: u64,
    pub head: u32,
    pub count: u32,
    /// Next room in the same room bucket, or the next free record.
    pub next: u32,
    pub live: u32,
}

/// One entry's fixed part. `checksum` covers every field that is not an index plus the payload.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct Slot {
    pub key_hash: u64,
    pub room_hash: u64,
    pub updated: i64,
    pub expires: i64,
    pub user_id: u64,
    pub payload_sum: u64,
    pub checksum: u64,
    pub first_block: u32,
    pub data_len: u32,
    pub ns_len: u16,
    pub room_len: u16,
    pub client_len: u16,
    pub state: u16,
    /// Next slot in the same key bucket, or the next free slot.
    pub key_next: u32,
    pub room_prev: u32,
    pub room_next: u32,
    pub room_idx: u32,
}

impl Slot {
    pub fn payload_len(&self) -> usize {
        usize::from(self.ns_len)
            + usize::from(self.room_len)
            + usize::from(self.client_len)
            + self.data_len as usize
    }
}

/// A fixed-size piece of an entry's payload.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct Block {
    pub next: u32,
    pub bytes: [u8; BLOCK_PAYLOAD],
}

/// How big each part of the segment is. Stored in the header; derived from ini at creation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub shards: u32,
    pub slots_per_shard: u32,
    pub blocks_per_shard: u32,
}

const fn align64(n: usize) -> usize {
    (n + 63) & !63
}

/// Offsets of the sections inside one shard body.
#[derive(Clone, Copy, Debug)]
pub struct BodyLayout {
    pub buckets: u32,
    pub key_buckets: usize,
    pub room_buckets: usize,
    pub rooms: usize,
    pub slots: usize,
    pub blocks: usize,
    pub size: usize,
}

impl Geometry {
    /// Splits a total capacity and data budget over `shards`, rounding each shard up.
    pub fn from_budget(shards: u32, capacity: u32, data_bytes: u64) -> Self {
        let shards = shards.clamp(1, 1024);
        let slots = capacity.div_ceil(shards).max(8);
        let total_blocks = data_bytes.div_ceil(BLOCK_PAYLOAD as u64);
        let blocks = u32::try_from(total_blocks.div_ceil(u64::from(shards)))
            .unwrap_or(u32::MAX - 1)
            .max(slots);
        Self {
            shards,
            slots_per_shard: slots,
            blocks_per_shard: blocks,
        }
    }

    pub fn body(&self) -> BodyLayout {
        let slots = self.slots_per_shard as usize;
        let buckets = self.slots_per_shard.next_power_of_two();
        let meta = align64(std::mem::size_of::<ShardMeta>());
        let key_buckets = meta;
        let room_buckets = key_buckets + align64(buckets as usize * 4);
        let rooms = room_buckets + align64(buckets as usize * 4);
        let slot_off = rooms + align64(slots * std::mem::size_of::<RoomRec>());
        let blocks = slot_off + align64(slots * std::mem::size_of::<Slot>());
        let size = blocks + align64(self.blocks_per_shard as usize * std::mem::size_of::<Block>());
        BodyLayout {
            buckets,
            key_buckets,
            room_buckets,
            rooms,
            slots: slot_off,
            blocks,
            size,
        }
    }

    /// Distance between two shards in the segment (lock word + body).
    pub fn shard_stride(&self) -> usize {
        LOCK_BYTES + self.body().size
    }

    pub fn header_size() -> usize {
        align64(std::mem::size_of::<Header>())
    }

    pub fn total_size(&self) -> usize {
        Self::header_size() + self.shard_stride() * self.shards as usize
    }

    /// Payload capacity of one shard, for stats.
    pub fn data_capacity(&self) -> u64 {
        u64::from(self.blocks_per_shard) * u64::from(self.shards) * BLOCK_PAYLOAD as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, size_of};

    // The segment is shared by every build with the same LAYOUT_VERSION: these sizes are the contract.
    #[test]
    fn struct_sizes_are_fixed() {
        assert_eq!(size_of::<Header>(), 120);
        assert_eq!(size_of::<Abi>(), 16);
        assert_eq!(std::mem::offset_of!(Header, abi), ABI_OFFSET);
        assert_eq!(std::mem::offset_of!(Header, layout_version), 8);
        assert_eq!(size_of::<ShardMeta>(), 80);
        assert_eq!(size_of::<RoomRec>(), 32);
        assert_eq!(size_of::<Slot>(), 88);
        assert_eq!(size_of::<Block>(), 256);
        assert!(align_of::<Slot>() <= 8);
    }

    #[test]
    fn sections_are_aligned_and_disjoint() {
        let g = Geometry::from_budget(16, 16_384, 32 << 20);
        let b = g.body();
        for off in [
            b.key_buckets,
            b.room_buckets,
            b.rooms,
            b.slots,
            b.blocks,
            b.size,
        ] {
            assert_eq!(off % 64, 0);
        }
        assert!(b.key_buckets >= size_of::<ShardMeta>());
        assert!(b.room_buckets >= b.key_buckets + b.buckets as usize * 4);
        assert!(b.blocks >= b.slots + g.slots_per_shard as usize * size_of::<Slot>());
        assert_eq!(g.slots_per_shard, 1024);
        assert!(g.data_capacity() >= 32 << 20);
    }

    #[test]
    fn budget_is_never_zero() {
        let g = Geometry::from_budget(0, 0, 0);
        assert_eq!(g.shards, 1);
        assert!(g.slots_per_shard >= 8 && g.blocks_per_shard >= g.slots_per_shard);
    }
}
