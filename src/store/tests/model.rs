//! Model-based test: random operations against the store and against a plain in-memory model,
//! compared after every step. Small shards make one room spread over several of them.
//!
//! `PRESENCE_MODEL_OPS` sets the number of operations (default 10⁶, split over four seeds run
//! in parallel); `make bench-model` runs 10⁸ in a release build.

use super::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A small deterministic generator (xorshift64*), so a failure replays from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct MEntry {
    user: u64,
    data: Vec<u8>,
    updated: i64,
    expires: i64,
}

type RoomName = (Vec<u8>, Vec<u8>);
type EntryName = (Vec<u8>, Vec<u8>, Vec<u8>);
/// client → (user, data): a room as a change log sees it.
type Contents = BTreeMap<Vec<u8>, (u64, Vec<u8>)>;

#[derive(Default)]
struct Seen {
    last: Option<u64>,
    changed: bool,
    versions: BTreeSet<u64>,
    /// Observed versions, with the room's (client → user, data) then and the removals since.
    history: Vec<(u64, Contents, u32)>,
}

#[derive(Default)]
struct Model {
    entries: BTreeMap<EntryName, MEntry>,
    last_user: HashMap<EntryName, u64>,
    seen: HashMap<RoomName, Seen>,
    now: i64,
}

const NSS: [&[u8]; 2] = [b"a", b"bb"];
const ROOMS: [&[u8]; 6] = [b"big", b"r1", b"r2", b"postType/p:1", b"postType/p:2", b"z"];

impl Model {
    fn live(&self, ns: &[u8], room: &[u8]) -> BTreeMap<Vec<u8>, MEntry> {
        self.entries
            .iter()
            .filter(|((n, r, _), e)| n == ns && r == room && e.expires > self.now)
            .map(|((_, _, c), e)| (c.clone(), e.clone()))
            .collect()
    }

    fn total_live(&self) -> usize {
        self.entries
            .values()
            .filter(|e| e.expires > self.now)
            .count()
    }

    /// A change of the room: its next observed version must be new.
    fn touch(&mut self, ns: &[u8], room: &[u8], removal: bool) {
        let s = self.seen.entry((ns.to_vec(), room.to_vec())).or_default();
        s.changed = true;
        if removal {
            for h in &mut s.history {
                h.2 += 1;
            }
        }
    }

    fn advance(&mut self, secs: i64) {
        let old = self.now;
        self.now += secs;
        let expired: Vec<_> = self
            .entries
            .iter()
            .filter(|(_, e)| e.expires > old && e.expires <= self.now)
            .map(|((n, r, _), _)| (n.clone(), r.clone()))
            .collect();
        for (n, r) in expired {
            self.touch(&n, &r, true);
        }
    }

    /// Checks an observed version against what the model says happened since the last one.
    fn observe(&mut self, ns: &[u8], room: &[u8], v: u64) {
        let live: Contents = self
            .live(ns, room)
            .into_iter()
            .map(|(c, e)| (c, (e.user, e.data)))
            .collect();
        let s = self.seen.entry((ns.to_vec(), room.to_vec())).or_default();
        let name = String::from_utf8_lossy(room);
        if live.is_empty() {
            assert_eq!(v, 0, "{name}: an empty room has version 0");
        } else {
            match s.last {
                Some(last) if !s.changed => assert_eq!(v, last, "{name}: nothing changed"),
                _ => assert!(
                    s.versions.insert(v) && v != 0,
                    "{name}: version {v} is not new"
                ),
            }
            if s.history.last().is_none_or(|h| h.0 != v) {
                s.history.push((v, live, 0));
                if s.history.len() > 8 {
                    s.history.remove(0);
                }
            }
        }
        s.last = Some(v);
        s.changed = false;
    }
}

/// How much of the interesting ground a run covered.
#[derive(Default, Debug)]
pub struct Coverage {
    pub spread: u64,
    pub answered: u64,
    pub too_old: u64,
    pub bounded: u64,
    pub removed: u64,
    pub refused: u64,
}

struct Run {
    s: Store<MemShards>,
    m: Model,
    cov: Coverage,
    rng: Rng,
    blobs: Vec<Vec<u8>>,
    out: Entries,
    ch: Changes,
}

fn blob(n: usize, tag: u64) -> Vec<u8> {
    Value::Map(vec![
        (MapKey::Str("t".into()), Value::Int(tag.cast_signed())),
        (MapKey::Str("pad".into()), Value::Str("p".repeat(n))),
    ])
    .to_bytes()
}

impl Run {
    fn new(seed: u64) -> Self {
        // 4 shards of 48 entries: "big" (up to 40 clients per namespace) spreads over several.
        let g = Geometry {
            shards: 4,
            slots_per_shard: 48,
            blocks_per_shard: 256,
        };
        Self {
            s: store_g(g),
            m: Model {
                now: 1000,
                ..Model::default()
            },
            rng: Rng::new(seed),
            cov: Coverage::default(),
            blobs: (0..6)
                .map(|i| blob([0, 10, 40, 250, 300, 600][i], i as u64))
                .collect(),
            out: Entries::default(),
            ch: Changes::default(),
        }
    }

    fn pick_key(&mut self) -> (&'static [u8], &'static [u8], Vec<u8>) {
        // A third of the traffic goes to one big room of 60 clients, which has to spread.
        let (ns, room, clients) = if self.rng.chance(35) {
            (NSS[0], ROOMS[0], 60)
        } else {
            let room = ROOMS[1 + self.rng.below(ROOMS.len() as u64 - 1) as usize];
            (NSS[self.rng.below(2) as usize], room, 6)
        };
        let c = self.rng.below(clients);
        let client = if self.rng.chance(50) {
            format!("tab-{c}")
        } else {
            format!("editor-{c}-{}", "x".repeat(c as usize % 40 * 6))
        };
        (ns, room, client.into_bytes())
    }

    fn step(&mut self) {
        match self.rng.below(100) {
            0..=39 => self.upsert(false),
            40..=44 => self.upsert(true),
            45..=54 => self.remove(),
            55..=56 => self.remove_user(),
            57..=63 => self.read_room(),
            64..=66 => self.room_top(),
            67..=70 => self.get(),
            71..=72 => self.rooms(),
            73..=80 => self.version(),
            81..=90 => self.changes(),
            91 => self.sweep(),
            92 => {
                if self.rng.chance(20) {
                    self.clear();
                }
            }
            93..=94 => self.user_entries(),
            _ => {
                let secs = self.rng.below(12).cast_signed();
                self.m.advance(secs);
            }
        }
    }

    /// An upsert, or with `exchange` an upsert and a read of the room in one call.
    fn upsert(&mut self, exchange: bool) {
        let (ns, room, client) = self.pick_key();
        let user = self.rng.below(5);
        let data = self.blobs[self.rng.below(self.blobs.len() as u64) as usize].clone();
        let ttl = if room == ROOMS[0] {
            [30, 60, 120, 300][self.rng.below(4) as usize]
        } else {
            [5, 10, 30, 60][self.rng.below(4) as usize]
        };
        let now = self.m.now;
        let got = if exchange {
            let key = EntryKey::new(RoomKey::new(ns, room), &client);
            let w = Write {
                user_id: user,
                data: &data,
                now,
                ttl,
            };
            self.s
                .exchange(&key, &w, &ReadOpts::default(), &mut self.out)
                .map(|(u, _)| u)
        } else {
            let key = EntryKey::new(RoomKey::new(ns, room), &client);
            self.s.upsert(
                &key,
                &Write {
                    user_id: user,
                    data: &data,
                    now,
                    ttl,
                },
            )
        };
        let k = (ns.to_vec(), room.to_vec(), client.clone());
        let want = match self.m.entries.get(&k) {
            Some(e) if e.expires > now && e.user == user && e.data == data => Upsert::Refreshed,
            Some(e) if e.expires > now => Upsert::Changed,
            _ => Upsert::Created,
        };
        match got {
            Ok(u) => assert_eq!(u, want, "upsert {:?}", String::from_utf8_lossy(&client)),
            Err(StoreError::Full(_)) => {
                self.cov.refused += 1;
                assert!(want != Upsert::Refreshed, "a refresh is never refused");
                assert!(
                    self.m.total_live() >= 150,
                    "refused with only {} live entries",
                    self.m.total_live()
                );
                return;
            }
            Err(e) => panic!("upsert failed: {e}"),
        }
        if want != Upsert::Refreshed {
            self.m.touch(ns, room, false);
        }
        self.m.last_user.insert(k.clone(), user);
        self.m.entries.insert(
            k,
            MEntry {
                user,
                data,
                updated: now,
                expires: now + ttl,
            },
        );
        if exchange {
            let want = self.m.live(ns, room);
            self.check_entries(&want, "exchange");
        }
    }

    fn remove(&mut self) {
        let (ns, room, client) = self.pick_key();
        let got = self
            .s
            .remove(&EntryKey::new(RoomKey::new(ns, room), &client), self.m.now)
            .unwrap();
        let k = (ns.to_vec(), room.to_vec(), client);
        let live = self
            .m
            .entries
            .get(&k)
            .is_some_and(|e| e.expires > self.m.now);
        assert_eq!(got, live, "remove");
        if self.m.entries.remove(&k).is_some() && live {
            self.m.touch(ns, room, true);
        }
    }

    fn remove_user(&mut self) {
        let ns = NSS[self.rng.below(2) as usize];
        let user = self.rng.below(5);
        let got = self.s.remove_user(ns, user, self.m.now).unwrap();
        let now = self.m.now;
        let gone: Vec<_> = self
            .m
            .entries
            .iter()
            .filter(|((n, _, _), e)| n == ns && e.user == user && e.expires > now)
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(got as usize, gone.len(), "remove_user");
        for k in gone {
            self.m.entries.remove(&k);
            self.m.touch(&k.0, &k.1, true);
        }
    }

    fn check_entries(&self, want: &BTreeMap<Vec<u8>, MEntry>, what: &str) {
        let out = &self.out;
        let mut got = BTreeMap::new();
        for e in &out.items {
            let prev = got.insert(
                out.client(e).to_vec(),
                MEntry {
                    user: e.user_id,
                    data: out.data(e).to_vec(),
                    updated: e.updated,
                    expires: e.expires,
                },
            );
            assert!(prev.is_none(), "{what}: an entry twice");
        }
        assert_eq!(&got, want, "{what}");
        assert!(
            out.items.windows(2).all(|w| w[0].updated >= w[1].updated),
            "{what}: newest first"
        );
    }

    fn read_room(&mut self) {
        let (ns, room, _) = self.pick_key();
        let max_age = self
            .rng
            .chance(30)
            .then(|| self.rng.below(20).cast_signed());
        let prefix: &[u8] =
            [b"".as_slice(), b"tab-", b"editor-1", b"tab-1"][self.rng.below(4) as usize];
        let opts = ReadOpts {
            max_age,
            client_prefix: prefix,
        };
        let now = self.m.now;
        self.s
            .room(&RoomKey::new(ns, room), now, &opts, &mut self.out)
            .unwrap();
        let want: BTreeMap<_, _> = self
            .m
            .live(ns, room)
            .into_iter()
            .filter(|(c, e)| c.starts_with(prefix) && max_age.is_none_or(|a| e.updated > now - a))
            .collect();
        self.check_entries(&want, "room");
    }

    fn room_top(&mut self) {
        let (ns, room, _) = self.pick_key();
        let n = 1 + self.rng.below(4);
        let extra = self.rng.below(6);
        let now = self.m.now;
        let users = self
            .s
            .room_top(&RoomKey::new(ns, room), n as u32, extra, now, &mut self.out)
            .unwrap();
        let live = self.m.live(ns, room);
        let (clients, want_users) = super::top::reference(
            live.iter().map(|(c, e)| (c.as_slice(), e.user, e.updated)),
            n as usize,
            extra,
        );
        let want: BTreeMap<_, _> = live
            .into_iter()
            .filter(|(c, _)| clients.contains(c))
            .collect();
        self.check_entries(&want, "room_top");
        assert_eq!(users, want_users, "room_top users");
    }

    fn get(&mut self) {
        let (ns, room, client) = self.pick_key();
        let found = self
            .s
            .get(
                &EntryKey::new(RoomKey::new(ns, room), &client),
                self.m.now,
                &mut self.out,
            )
            .unwrap();
        let k = (ns.to_vec(), room.to_vec(), client.clone());
        let want: BTreeMap<_, _> = self
            .m
            .entries
            .get(&k)
            .filter(|e| e.expires > self.m.now)
            .map(|e| (client, e.clone()))
            .into_iter()
            .collect();
        assert_eq!(found, !want.is_empty(), "get");
        if !found {
            self.out.clear();
        }
        self.check_entries(&want, "get");
    }

    fn version(&mut self) {
        let (ns, room, _) = self.pick_key();
        let v = self
            .s
            .room_version(&RoomKey::new(ns, room), self.m.now)
            .unwrap();
        self.m.observe(ns, room, v);
    }

    fn rooms(&mut self) {
        let ns = NSS[self.rng.below(2) as usize];
        let prefix: &[u8] = [b"".as_slice(), b"postType/", b"r"][self.rng.below(3) as usize];
        let list = self.s.rooms(ns, prefix, self.m.now).unwrap();
        let mut want = BTreeSet::new();
        for r in ROOMS {
            let live = self.m.live(ns, r);
            if r.starts_with(prefix) && !live.is_empty() {
                want.insert(r.to_vec());
            }
        }
        let got: BTreeSet<_> = list.iter().map(|r| r.room.clone()).collect();
        assert_eq!(got, want, "rooms");
        for r in &list {
            let live = self.m.live(ns, &r.room);
            let users: BTreeSet<_> = live.values().map(|e| e.user).collect();
            let updated = live.values().map(|e| e.updated).max().unwrap_or(0);
            assert_eq!(
                (r.entries as usize, r.users as usize, r.updated),
                (live.len(), users.len(), updated),
                "rooms counts"
            );
            self.m.observe(ns, &r.room, r.version);
        }
    }

    fn changes(&mut self) {
        let (ns, room, _) = self.pick_key();
        let key = (ns.to_vec(), room.to_vec());
        let hist: Vec<_> = self
            .m
            .seen
            .get(&key)
            .map(|s| s.history.clone())
            .unwrap_or_default();
        // Mostly a recent version, as a polling client has; sometimes an old one, or 0.
        let pick = match self.rng.below(4) {
            0 | 1 => hist.len().saturating_sub(1),
            2 => self.rng.below(hist.len() as u64 + 1) as usize,
            _ => hist.len(),
        };
        let (since, base, removals) = if pick == hist.len() {
            (0, BTreeMap::new(), u32::MAX)
        } else {
            hist[pick].clone()
        };
        let whole = self.rng.chance(50);
        let now = self.m.now;
        let found = self
            .s
            .changes(&RoomKey::new(ns, room), since, whole, 0, now, &mut self.ch)
            .unwrap();
        let live = self.m.live(ns, room);
        if !found {
            assert!(
                since != 0 && removals > 0,
                "changes since {since} refused with no removal since"
            );
            self.cov.too_old += 1;
            return;
        }
        self.cov.answered += 1;
        self.cov.removed += self.ch.removed.items.len() as u64;
        let ch = &self.ch;
        let mut state = if since == 0 { BTreeMap::new() } else { base };
        let mut touched = BTreeSet::new();
        for e in &ch.removed.items {
            let c = ch.removed.client(e).to_vec();
            let k = (ns.to_vec(), room.to_vec(), c.clone());
            assert!(!live.contains_key(&c), "a live client is reported removed");
            assert_eq!(
                self.m.last_user.get(&k),
                Some(&e.user_id),
                "removed carries the user"
            );
            touched.insert(e.user_id);
            state.remove(&c);
        }
        for e in &ch.changed.items {
            let c = ch.changed.client(e).to_vec();
            let m = live.get(&c).expect("a changed entry is live");
            assert_eq!(
                (e.user_id, ch.changed.data(e), e.updated, e.expires),
                (m.user, m.data.as_slice(), m.updated, m.expires)
            );
            touched.insert(e.user_id);
            state.insert(c, (e.user_id, ch.changed.data(e).to_vec()));
        }
        let want: BTreeMap<_, _> = live
            .iter()
            .map(|(c, e)| (c.clone(), (e.user, e.data.clone())))
            .collect();
        assert_eq!(
            state, want,
            "changes since {since} applied to that version give the room"
        );
        if whole {
            for (c, e) in &live {
                if touched.contains(&e.user) {
                    assert!(
                        ch.changed
                            .items
                            .iter()
                            .any(|x| ch.changed.client(x) == c.as_slice()),
                        "whole_users: every entry of a touched user"
                    );
                }
            }
        }
        let v = ch.version;
        if !whole {
            self.check_bound(ns, room, since, now);
        }
        self.m.observe(ns, room, v);
    }

    /// `changes` with a bound, against the unbounded answer in `self.ch`: one user fewer than
    /// changed is over (nothing copied), as many is not.
    fn check_bound(&mut self, ns: &[u8], room: &[u8], since: u64, now: i64) {
        let ch = &self.ch;
        let users: BTreeSet<u64> = ch.changed.items.iter().map(|e| e.user_id).collect();
        let mut bounded = Changes::default();
        for (max, over) in [(users.len().saturating_sub(1), true), (users.len(), false)] {
            if max == 0 {
                continue;
            }
            assert!(self
                .s
                .changes(
                    &RoomKey::new(ns, room),
                    since,
                    false,
                    max,
                    now,
                    &mut bounded
                )
                .unwrap());
            assert_eq!(
                bounded.over,
                over,
                "{} changed users, bound {max}",
                users.len()
            );
            let copied = if over { 0 } else { ch.changed.items.len() };
            assert_eq!(bounded.changed.items.len(), copied);
        }
        self.cov.bounded += 1;
    }

    fn sweep(&mut self) {
        self.s.sweep(self.m.now).unwrap();
        let now = self.m.now;
        self.m.entries.retain(|_, e| e.expires > now);
        assert_eq!(
            self.s.stats().unwrap().shard.entries as usize,
            self.m.entries.len(),
            "after sweep"
        );
    }

    fn clear(&mut self) {
        let ns = NSS[self.rng.below(2) as usize];
        let n = self.s.clear(Some(ns), self.m.now).unwrap();
        let now = self.m.now;
        let gone: Vec<_> = self
            .m
            .entries
            .keys()
            .filter(|k| k.0 == ns)
            .cloned()
            .collect();
        let live = gone
            .iter()
            .filter(|k| self.m.entries[*k].expires > now)
            .count();
        assert_eq!(n as usize, live, "clear");
        for k in gone {
            self.m.entries.remove(&k);
            self.m.touch(&k.0, &k.1, true);
        }
    }

    fn user_entries(&mut self) {
        let ns = NSS[self.rng.below(2) as usize];
        let user = self.rng.below(5);
        self.s
            .user_entries(ns, user, self.m.now, &mut self.out)
            .unwrap();
        let now = self.m.now;
        let mut want: Vec<_> = self
            .m
            .entries
            .iter()
            .filter(|((n, _, _), e)| n == ns && e.user == user && e.expires > now)
            .map(|((_, r, c), _)| (r.clone(), c.clone()))
            .collect();
        let mut got: Vec<_> = self
            .out
            .items
            .iter()
            .map(|e| (self.out.room(e).to_vec(), self.out.client(e).to_vec()))
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "user_entries");
    }
}

/// Runs `ops` random operations from `seed`, verifying every invariant every `check_every`.
pub fn run_model(seed: u64, ops: u64, check_every: u64) -> Coverage {
    let mut r = Run::new(seed);
    let big = r.s.id(&RoomKey::new(NSS[0], b"big"));
    for i in 0..ops {
        r.step();
        if i % check_every == check_every - 1 {
            r.s.verify()
                .unwrap_or_else(|e| panic!("seed {seed}, op {i}: {}", e.0));
            if r.s
                .on_room(big, 0, false, |room| Ok(room.spread()?))
                .unwrap_or(0)
                > 0
            {
                r.cov.spread += 1;
            }
        }
    }
    r.s.verify().unwrap();
    r.cov
}

fn ops_from_env(default: u64) -> u64 {
    std::env::var("PRESENCE_MODEL_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn the_store_matches_a_plain_model() {
    let total = ops_from_env(1_000_000);
    let seeds = 4u64;
    let threads: Vec<_> = (0..seeds)
        .map(|seed| std::thread::spawn(move || run_model(seed + 1, total / seeds, 1000)))
        .collect();
    for t in threads {
        let c = t.join().unwrap();
        eprintln!("model coverage: {c:?}");
        // The run must have met what it is meant to test.
        let checks = total / seeds / 1000;
        assert!(
            c.spread * 4 > checks,
            "the big room spread in only {} of {checks} checks",
            c.spread
        );
        assert!(
            c.answered > c.too_old && c.too_old > 0 && c.removed > 0 && c.bounded > 0,
            "{c:?}"
        );
    }
}
