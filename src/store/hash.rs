//! A hash that every process and every build agrees on.
//!
//! std's hashers are seeded per process or may change between Rust releases; the segment outlives
//! both, so keys are hashed with FNV-1a 64, which is fixed by definition.

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
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
        self
    }

    #[must_use]
    pub fn u64(self, v: u64) -> Self {
        self.bytes(&v.to_le_bytes())
    }

    pub const fn finish(self) -> u64 {
        self.0
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

    #[test]
    fn matches_reference_vectors() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(Fnv::new().finish(), 0xcbf2_9ce4_8422_2325);
        assert_eq!(Fnv::new().bytes(b"a").finish(), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(Fnv::new().bytes(b"foobar").finish(), 0x8594_4171_f739_67e8);
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
