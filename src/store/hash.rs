//! Hashes that every process and every build agrees on.
//!
//! - [`HashKey`]: keyed SipHash-1-3 (the function behind std's `HashMap`) for room and entry
//!   hashes. The key is drawn from the OS when a segment is created and kept in its header, so
//!   nobody outside can craft names that pile into one bucket or one shard. Names are compared
//!   byte for byte anyway: a hash only ever says where to look.
//! - [`Fnv`]: an unkeyed checksum of slots and payloads (a crash detector, not a defence):
//!   FNV-1a's multiply-xor step taken eight bytes at a time, then murmur3's `fmix64`.
//!
//! std's hashers are seeded per process or may change between Rust releases; the segment outlives
//! both, so both functions are written out here and pinned by tests.

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// Incremental FNV-1a over 8-byte words.
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

/// Up to 7 bytes as a little-endian word (a byte loop: short keys make a `memcpy` call cost
/// more than the bytes).
#[inline]
fn partial(bytes: &[u8]) -> u64 {
    let mut v = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(8) {
        v |= u64::from(b) << (8 * i);
    }
    v
}

/// `SipHash` with `C` compression and `D` finalisation rounds, fed whole words.
struct Sip<const C: usize, const D: usize> {
    v: [u64; 4],
}

impl<const C: usize, const D: usize> Sip<C, D> {
    fn new(k: [u64; 2]) -> Self {
        Self {
            v: [
                k[0] ^ 0x736f_6d65_7073_6575,
                k[1] ^ 0x646f_7261_6e64_6f6d,
                k[0] ^ 0x6c79_6765_6e65_7261,
                k[1] ^ 0x7465_6462_7974_6573,
            ],
        }
    }

    #[inline]
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13);
        v[1] ^= v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16);
        v[3] ^= v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21);
        v[3] ^= v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17);
        v[1] ^= v[2];
        v[2] = v[2].rotate_left(32);
    }

    #[inline]
    fn word(&mut self, m: u64) {
        self.v[3] ^= m;
        for _ in 0..C {
            Self::round(&mut self.v);
        }
        self.v[0] ^= m;
    }

    /// Finalisation with `b`, the last word (the length byte and the tail).
    fn finish_with(mut self, b: u64) -> u64 {
        self.word(b);
        self.v[2] ^= 0xff;
        for _ in 0..D {
            Self::round(&mut self.v);
        }
        self.v[0] ^ self.v[1] ^ self.v[2] ^ self.v[3]
    }

    /// Finalisation after `words` whole words (of a word-aligned encoding).
    fn finish_words(self, words: u64) -> u64 {
        self.finish_with(words << 56)
    }
}

/// The segment's hash key: where rooms, entries and namespaces land.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashKey {
    key: [u64; 2],
    /// Test-only: every room hashes alike, so name comparison is all that keeps rooms apart.
    #[cfg(test)]
    pub collide: bool,
}

impl HashKey {
    pub const fn new(key: [u64; 2]) -> Self {
        Self {
            key,
            #[cfg(test)]
            collide: false,
        }
    }

    /// `SipHash`-1-3 over an unambiguous sequence of words: `head`, then each part padded to
    /// whole words (the lengths are in `head` or the final word). Keys are short, so reading
    /// them a word at a time and never across parts is what keeps this cheap.
    fn sip(&self, head: u64, parts: &[&[u8]]) -> u64 {
        let mut h = Sip::<1, 3>::new(self.key);
        h.word(head);
        let mut words = 1u64;
        for p in parts {
            let mut chunks = p.chunks_exact(8);
            for w in &mut chunks {
                let mut a = [0u8; 8];
                a.copy_from_slice(w);
                h.word(u64::from_le_bytes(a));
                words += 1;
            }
            if !chunks.remainder().is_empty() {
                h.word(partial(chunks.remainder()));
                words += 1;
            }
        }
        h.finish_words(words)
    }

    pub fn room(&self, ns: &[u8], room: &[u8]) -> u64 {
        #[cfg(test)]
        if self.collide {
            return 0x5eed_0000_0000_0001;
        }
        self.sip(
            1 << 62 | (ns.len() as u64) << 16 | room.len() as u64,
            &[ns, room],
        )
    }

    pub fn entry(&self, room_hash: u64, client: &[u8]) -> u64 {
        #[cfg(test)]
        if self.collide {
            return 0x5eed_0000_0000_0002;
        }
        // The room hash is already keyed: it heads the words, the client's length ends them.
        self.sip(room_hash, &[client, &(client.len() as u64).to_le_bytes()])
    }

    pub fn namespace(&self, ns: &[u8]) -> u64 {
        #[cfg(test)]
        if self.collide {
            return 0x5eed_0000_0000_0003;
        }
        self.sip(2 << 62 | ns.len() as u64, &[ns])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard byte-stream interface, to check the rounds against the reference.
    struct Stream {
        sip: Sip<2, 4>,
        tail: u64,
        ntail: usize,
        len: usize,
    }

    impl Stream {
        fn new(k: [u64; 2]) -> Self {
            Self {
                sip: Sip::new(k),
                tail: 0,
                ntail: 0,
                len: 0,
            }
        }

        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.tail |= u64::from(b) << (8 * self.ntail);
                self.ntail += 1;
                self.len += 1;
                if self.ntail == 8 {
                    self.sip.word(self.tail);
                    self.tail = 0;
                    self.ntail = 0;
                }
            }
        }

        fn finish(self) -> u64 {
            self.sip
                .finish_with(((self.len as u64) & 0xff) << 56 | self.tail)
        }
    }

    fn sip24(k: [u64; 2], m: &[u8]) -> u64 {
        let mut h = Stream::new(k);
        h.write(m);
        h.finish()
    }

    const PAPER_KEY: [u64; 2] = [0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908];
    const PINNED_ROOM: u64 = 11_728_019_575_981_289_703;
    const PINNED_ENTRY: u64 = 12_984_121_928_756_678_777;

    #[test]
    fn siphash_matches_the_reference_vector() {
        // SipHash paper, appendix A: key 00..0f, message 00..0e.
        let m: Vec<u8> = (0..15).collect();
        assert_eq!(sip24(PAPER_KEY, &m), 0xa129_ca61_49be_45e5);
    }

    #[test]
    #[allow(deprecated)] // std's SipHasher is SipHash-2-4 and a fine oracle, if deprecated for use.
    fn siphash_agrees_with_std_for_any_split() {
        use std::hash::Hasher;
        let m: Vec<u8> = (0..=255u8).map(|b| b.wrapping_mul(37)).collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 200] {
            let mut s = std::hash::SipHasher::new_with_keys(PAPER_KEY[0], PAPER_KEY[1]);
            s.write(&m[..len]);
            let want = s.finish();
            assert_eq!(sip24(PAPER_KEY, &m[..len]), want, "len {len}");
            for cut in 0..len {
                let mut h = Stream::new(PAPER_KEY);
                h.write(&m[..cut]);
                h.write(&m[cut..len]);
                assert_eq!(h.finish(), want, "len {len} cut {cut}");
            }
        }
    }

    // Fixed forever for LAYOUT_VERSION 2: segments written by one build are read by the next.
    #[test]
    fn is_stable_across_builds() {
        let k = HashKey::new(PAPER_KEY);
        assert_eq!(k.room(b"", b"admin/online"), k.room(b"", b"admin/online"));
        assert_eq!(Fnv::new().bytes(b"foobar").finish(), 0xaa25_9062_edfd_4112);
        assert_eq!(k.room(b"ns", b"admin/online"), PINNED_ROOM);
        assert_eq!(k.entry(1, b"tab-1"), PINNED_ENTRY);
    }

    #[test]
    fn the_key_changes_every_hash() {
        let a = HashKey::new([1, 2]);
        let b = HashKey::new([1, 3]);
        assert_ne!(
            a.room(b"ns", b"admin/online"),
            b.room(b"ns", b"admin/online")
        );
        let r = a.room(b"ns", b"r");
        assert_ne!(a.entry(r, b"c"), b.entry(r, b"c"));
        assert_ne!(a.namespace(b"ns"), b.namespace(b"ns"));
    }

    #[test]
    fn similar_keys_spread_over_low_bits() {
        // Client ids differing in one late byte must not share a bucket (low 10 bits).
        let k = HashKey::new([7, 9]);
        let r = k.room(b"ns", b"admin/online");
        let mut buckets: Vec<u64> = (0..1000)
            .map(|i| k.entry(r, format!("tab-{i}").as_bytes()) & 1023)
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
        let k = HashKey::new([7, 9]);
        assert_ne!(k.room(b"", b"a"), k.room(b"", b"a\0"));
    }

    #[test]
    fn key_parts_do_not_run_together() {
        let k = HashKey::new([7, 9]);
        assert_ne!(k.room(b"ab", b"c"), k.room(b"a", b"bc"));
        assert_ne!(k.room(b"", b"abcdefgh"), k.room(b"abcdefgh", b""));
        assert_ne!(k.room(b"a", b"\0"), k.room(b"a\0", b""));
        assert_ne!(k.entry(5, b"a"), k.entry(5, b"a\0"));
        assert_ne!(
            k.entry(5, b"abcdefgh"),
            k.entry(5, b"abcdefgh\x08\0\0\0\0\0\0\0")
        );
        assert_ne!(k.namespace(b"x"), k.room(b"x", b""));
        assert_ne!(
            k.room(b"site1", b"admin/online"),
            k.room(b"site2", b"admin/online")
        );
        let r = k.room(b"", b"room");
        assert_ne!(k.entry(r, b"a"), k.entry(r, b"b"));
    }
}
