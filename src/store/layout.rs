//! Byte layout of the shared segment.
//!
//! Everything here is plain old data: the segment holds offsets and indexes, never pointers,
//! so every process can map it at a different address.
//!
//! ```text
//! segment  = Header | pad to 64 | shard 0 | shard 1 | … | shard N-1
//! shard    = lock word (64 bytes, owned by `sys`) | body
//! body     = ShardMeta | key buckets [u32; K] | room buckets [u32; K] | namespace buckets [u32; K]
//!          | user buckets [u32; K] | rooms [RoomRec; R] | namespaces [NsRec; R] | slots [Slot; S+1]
//!          | blocks [Block; B]
//!                                                              (each section 64-aligned)
//! room     = RoomRec + a chain of Blocks holding  namespace | room name
//! entry    = Slot    + a chain of Blocks holding  client_id | data
//! ```
//!
//! A room record is either the room's **home** (in the shard its hash picks: version, log floor,
//! earliest expiry, how far the room spreads) or a **part** (in one of the next shards, holding a
//! sub-list of a room that outgrew its home). Slots are live entries or tombstones (removed
//! entries kept for the change log). `S+1`: one slot per shard is kept back so that a change of
//! an existing entry, which writes a new slot before freeing the old one, works in a full shard.
//!
//! Durable: slots (checksummed), room records' names (checksummed) and version, floor and spread
//! (single words), the shard clock. Everything else (indexes, lists, free lists, counters,
//! namespace totals, earliest expiries) is derived, and `Shard::repair` rebuilds it.

use bytemuck::{Pod, Zeroable};

/// "PRESENC1" — the first word of every segment.
pub const MAGIC: u64 = u64::from_le_bytes(*b"PRESENC1");
/// Bumped whenever any struct below, the hash or the codec changes meaning.
/// 2: the header carries the creator's ABI fingerprint and a random hash key; rooms may span
/// shards, carry their name, a change log and an expiry bound.
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
/// Longest TTL, in seconds (one day).
pub const MAX_TTL: i64 = 86_400;
/// Bytes reserved in front of every shard body for the process-shared mutex.
pub const LOCK_BYTES: usize = 64;

/// Slot states.
pub const SLOT_FREE: u16 = 0;
pub const SLOT_LIVE: u16 = 1;
/// A removed or expired entry kept for the change log (client id and user id still readable).
pub const SLOT_GONE: u16 = 2;

/// Room record states.
pub const ROOM_FREE: u16 = 0;
pub const ROOM_HOME: u16 = 1;
pub const ROOM_PART: u16 = 2;

/// A part whose log was lost by a repair: the home must raise its floor before the log is used.
pub const FLOOR_RESET: u64 = u64::MAX;

/// Bits of `Slot::times` holding `expires - updated`.
const AGE_BITS: u32 = 17;
const _: () = assert!(MAX_TTL < 1 << AGE_BITS);

/// Packs an entry's two timestamps into one word, so that a refresh is one store: a process
/// killed mid-refresh leaves the old or the new pair, never a mix.
pub fn pack_times(updated: i64, expires: i64) -> u64 {
    let age = (expires - updated)
        .clamp(0, (1 << AGE_BITS) - 1)
        .cast_unsigned();
    (expires.max(0).cast_unsigned() << AGE_BITS) | age
}

/// `(updated, expires)` of a packed pair.
pub fn unpack_times(t: u64) -> (i64, i64) {
    let expires = (t >> AGE_BITS).cast_signed();
    let age = (t & ((1 << AGE_BITS) - 1)).cast_signed();
    (expires - age, expires)
}

/// Largest time `pack_times` keeps exactly (seconds; far beyond any clock).
pub const MAX_TIME: i64 = (1 << (63 - AGE_BITS)) - 1;

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
    /// Key of the room and entry hashes, drawn from the OS at creation: nobody outside can craft
    /// names that share a bucket or a shard.
    pub hash_key: [u64; 2],
    pub reserved: [u64; 4],
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
    pub ns_free: u32,
    pub ns_hwm: u32,
    /// Live entries.
    pub entries: u32,
    /// Tombstones.
    pub gone: u32,
    /// Home records (rooms), not parts.
    pub rooms: u32,
    pub blocks_used: u32,
    /// Set for the length of every mutation; found set by a later locker means "repair first".
    pub dirty: u32,
    pub pad: u32,
    pub sweeps: u64,
    pub swept: u64,
    pub refusals: u64,
    pub recoveries: u64,
    pub share_refusals: u64,
}

/// A room's home record or one of its parts (see the module docs).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct RoomRec {
    /// Keyed hash of (namespace, room).
    pub hash: u64,
    /// Keyed hash of the namespace, for the per-namespace share.
    pub ns_hash: u64,
    /// Checksum of the name bytes in the chain.
    pub name_sum: u64,
    /// Covers the fields above, the name's place and lengths, the state and (for parts) the offset.
    pub checksum: u64,
    /// Home: the room's change counter. Parts: unused.
    pub version: u64,
    /// The oldest `since` this record's change log still answers; `FLOOR_RESET` after a repair.
    pub floor: u64,
    /// A lower bound of the expiry of every live entry (home: of the whole room; part: its own).
    pub earliest: i64,
    pub name_block: u32,
    pub ns_len: u16,
    pub room_len: u16,
    /// Live entries, most recently changed first.
    pub head: u32,
    /// Tombstones, newest first, and the oldest.
    pub gone_head: u32,
    pub gone_tail: u32,
    pub count: u32,
    pub gone: u32,
    /// Blocks of this record's live entries.
    pub blocks: u32,
    /// Next record in the same room bucket, or the next free record.
    pub next: u32,
    pub state: u16,
    /// Home: the highest offset (from the home shard, wrapping) that may hold a part.
    /// Part: its own offset.
    pub spread: u16,
}

/// Entries and blocks one namespace uses in one shard (derived: repair recounts them).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct NsRec {
    pub hash: u64,
    pub entries: u32,
    pub blocks: u32,
    pub next: u32,
    pub live: u32,
}

/// One entry's fixed part. `checksum` covers every durable field but `times` (and the room's
/// hash), plus the payload through `payload_sum`.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug)]
pub struct Slot {
    pub key_hash: u64,
    /// `updated` and `expires`, see `pack_times`. For a tombstone: when it was removed.
    pub times: u64,
    /// The room version of the write that made this slot (durable: a change writes a new slot).
    pub changed: u64,
    pub user_id: u64,
    pub payload_sum: u64,
    pub checksum: u64,
    pub first_block: u32,
    pub data_len: u32,
    /// The room record this entry belongs to (in the same shard).
    pub room_idx: u32,
    pub client_len: u16,
    pub state: u16,
    /// Next slot in the same key bucket, or the next free slot.
    pub key_next: u32,
    pub room_prev: u32,
    pub room_next: u32,
    /// Neighbours in the chain of live slots of one (room record, user) bucket: a user's tabs
    /// without a walk of the room.
    pub user_prev: u32,
    pub user_next: u32,
    pub pad: u32,
}

impl Slot {
    pub fn payload_len(&self) -> usize {
        usize::from(self.client_len) + self.data_len as usize
    }

    pub fn updated(&self) -> i64 {
        unpack_times(self.times).0
    }

    pub fn expires(&self) -> i64 {
        unpack_times(self.times).1
    }
}

/// A fixed-size piece of a payload or a room name.
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
    pub slots: u32,
    pub rooms: u32,
    pub key_buckets: usize,
    pub room_buckets: usize,
    pub ns_buckets: usize,
    pub user_buckets: usize,
    pub room_recs: usize,
    pub ns_recs: usize,
    pub slot_recs: usize,
    pub blocks: usize,
    pub size: usize,
}

/// Blocks holding `len` payload bytes (at least one).
pub fn blocks_for(len: usize) -> u32 {
    u32::try_from(len.div_ceil(BLOCK_PAYLOAD).max(1)).unwrap_or(u32::MAX)
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

    /// Room records per shard: one per entry plus some for homes whose entries all live in
    /// other shards.
    pub fn rooms_per_shard(&self) -> u32 {
        self.slots_per_shard + self.slots_per_shard / 8 + 8
    }

    pub fn body(&self) -> BodyLayout {
        let slots = self.slots_per_shard as usize + 1;
        let rooms = self.rooms_per_shard() as usize;
        let buckets = self.slots_per_shard.next_power_of_two();
        let bucket_bytes = align64(buckets as usize * 4);
        let key_buckets = align64(std::mem::size_of::<ShardMeta>());
        let room_buckets = key_buckets + bucket_bytes;
        let ns_buckets = room_buckets + bucket_bytes;
        let user_buckets = ns_buckets + bucket_bytes;
        let room_recs = user_buckets + bucket_bytes;
        let ns_recs = room_recs + align64(rooms * std::mem::size_of::<RoomRec>());
        let slot_recs = ns_recs + align64(rooms * std::mem::size_of::<NsRec>());
        let blocks = slot_recs + align64(slots * std::mem::size_of::<Slot>());
        let size = blocks + align64(self.blocks_per_shard as usize * std::mem::size_of::<Block>());
        BodyLayout {
            buckets,
            slots: slots as u32,
            rooms: rooms as u32,
            key_buckets,
            room_buckets,
            ns_buckets,
            user_buckets,
            room_recs,
            ns_recs,
            slot_recs,
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

    /// Entries the whole store holds.
    pub fn capacity(&self) -> u64 {
        u64::from(self.slots_per_shard) * u64::from(self.shards)
    }

    /// Payload capacity of the whole store, for stats.
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
        assert_eq!(size_of::<ShardMeta>(), 104);
        assert_eq!(size_of::<RoomRec>(), 96);
        assert_eq!(size_of::<NsRec>(), 24);
        assert_eq!(size_of::<Slot>(), 88);
        assert_eq!(size_of::<Block>(), 256);
        assert!(align_of::<Slot>() <= 8);
    }

    #[test]
    fn sections_are_aligned_and_disjoint() {
        let g = Geometry::from_budget(16, 16_384, 32 << 20);
        let b = g.body();
        let offs = [
            b.key_buckets,
            b.room_buckets,
            b.ns_buckets,
            b.user_buckets,
            b.room_recs,
            b.ns_recs,
            b.slot_recs,
            b.blocks,
            b.size,
        ];
        for w in offs.windows(2) {
            assert!(w[0] < w[1]);
        }
        for off in offs {
            assert_eq!(off % 64, 0);
        }
        assert!(b.key_buckets >= size_of::<ShardMeta>());
        assert!(b.ns_recs >= b.room_recs + b.rooms as usize * size_of::<RoomRec>());
        assert!(b.blocks >= b.slot_recs + b.slots as usize * size_of::<Slot>());
        assert_eq!(g.slots_per_shard, 1024);
        assert!(g.data_capacity() >= 32 << 20);
    }

    #[test]
    fn budget_is_never_zero() {
        let g = Geometry::from_budget(0, 0, 0);
        assert_eq!(g.shards, 1);
        assert!(g.slots_per_shard >= 8 && g.blocks_per_shard >= g.slots_per_shard);
    }

    #[test]
    fn times_round_trip_in_one_word() {
        for (u, e) in [(0, 1), (100, 160), (1_700_000_000, 1_700_086_400), (5, 5)] {
            assert_eq!(unpack_times(pack_times(u, e)), (u, e));
        }
        assert_eq!(
            unpack_times(pack_times(MAX_TIME - 10, MAX_TIME)).1,
            MAX_TIME
        );
    }
}
