//! A hash that every process and every build agrees on.
//!
//! std's hashers are seeded per process or may change between Rust releases; the segment outlives
//! both, so keys and checksums use this fixed function: FNV-1a's multiply-xor step taken eight bytes
//! at a time (entries are hashed on every write, byte-at-a-time FNV was a fifth of an upsert),
//! then murmur3's `fmix64` so the low bits, which pick buckets, depend on every input bit.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Incremental FNV-1a.
#[derive(Clone, Copy)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv {
    pub const fn new() -> Self {
        Self(OFFSET)
    }

    #[must_use]
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            self.0 = (self.0 ^ u64::from_le_bytes(a)).wrapping_mul(PRIME);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut a = [0u8; 8];
            a[..rest.len()].copy_from_slice(rest);
            // The length byte keeps "a" and "a\0" apart.
            a[7] ^= rest.len() as u8;
            self.0 = (self.0 ^ u64::from_le_bytes(a)).wrapping_mul(PRIME);
        }
        self
    }

    #[must_use]
    pub fn u64(self, v: u64) -> Self {
        self.bytes(&v.to_le_bytes())
    }

    pub const fn finish(self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        h
    }
}

/// Separates the parts of a key so that ("ab","c") and ("a","bc") differ.
const SEP: &[u8] = &[0xff];

pub fn room_hash(ns: &[u8], room: &[u8]) -> u64 {
    Fnv::new().bytes(ns).bytes(SEP).bytes(room).finish()
}

pub fn key_hash(room_hash: u64, client: &[u8]) -> u64 {
    Fnv::new().u64(room_hash).bytes(SEP).bytes(client).finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Fixed forever for LAYOUT_VERSION 1: segments written by one build are read by the next.
    #[test]
    fn is_stable_across_builds() {
        assert_eq!(
            room_hash(b"", b"admin/online"),
            room_hash(b"", b"admin/online")
        );
        assert_eq!(Fnv::new().bytes(b"foobar").finish(), 0xaa25_9062_edfd_4112);
    }

    #[test]
    fn similar_keys_spread_over_low_bits() {
        // Client ids differing in one late byte must not share a bucket (low 10 bits).
        let r = room_hash(b"ns", b"admin/online");
        let mut buckets: Vec<u64> = (0..1000)
            .map(|i| key_hash(r, format!("tab-{i}").as_bytes()) & 1023)
            .collect();
        buckets.sort_unstable();
        buckets.dedup();
        assert!(
            buckets.len() > 550,
            "only {} distinct buckets",
            buckets.len()
        );
    }

    #[test]
    fn trailing_zero_bytes_matter() {
        assert_ne!(
            Fnv::new().bytes(b"a").finish(),
            Fnv::new().bytes(b"a\0").finish()
        );
        assert_ne!(
            Fnv::new().bytes(b"").finish(),
            Fnv::new().bytes(b"\0").finish()
        );
    }

    #[test]
    fn key_parts_do_not_run_together() {
        assert_ne!(room_hash(b"ab", b"c"), room_hash(b"a", b"bc"));
        assert_ne!(
            room_hash(b"site1", b"admin/online"),
            room_hash(b"site2", b"admin/online")
        );
        let r = room_hash(b"", b"room");
        assert_ne!(key_hash(r, b"a"), key_hash(r, b"b"));
    }
}
