//! Fault injection: every operation is stopped after each possible number of writes to shard
//! memory (as a kill at that instant would stop it), then the store is repaired by the next
//! locker and checked: every invariant holds, nothing committed is lost, the half-done change
//! is either fully there or fully gone, and the change log never lies.

use super::*;
use crate::store::fault;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

type Key = (Vec<u8>, Vec<u8>, Vec<u8>);
/// (user, data, expires) of every live entry.
type Dump = BTreeMap<Key, (u64, Vec<u8>, i64)>;

const NSS: [&[u8]; 2] = [b"a", b"b"];

fn quiet_kills() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<fault::Killed>() {
                default(info);
            }
        }));
    });
}

fn dump(s: &Store<MemShards>, now: i64) -> Dump {
    let mut d = Dump::new();
    for ns in NSS {
        for r in s.rooms(ns, b"", now).unwrap() {
            let mut out = Entries::default();
            s.room(
                &RoomKey::new(ns, &r.room),
                now,
                &ReadOpts::default(),
                &mut out,
            )
            .unwrap();
            for e in &out.items {
                d.insert(
                    (ns.to_vec(), r.room.clone(), out.client(e).to_vec()),
                    (e.user_id, out.data(e).to_vec(), e.expires),
                );
            }
        }
    }
    d
}

fn versions(s: &Store<MemShards>, d: &Dump, now: i64) -> BTreeMap<(Vec<u8>, Vec<u8>), u64> {
    d.keys()
        .map(|(n, r, _)| ((n.clone(), r.clone()), 0))
        .collect::<BTreeMap<_, _>>()
        .into_keys()
        .map(|k| {
            let v = s.room_version(&RoomKey::new(&k.0, &k.1), now).unwrap();
            (k, v)
        })
        .collect()
}

/// A store with small shards: a spread room, small rooms in two namespaces, tombstones, and
/// entries that expire at 150.
fn base() -> Store<MemShards> {
    let s = store_g(Geometry {
        shards: 4,
        slots_per_shard: 16,
        blocks_per_shard: 64,
    });
    for i in 0..26u64 {
        let ttl = if i % 5 == 0 { 50 } else { 600 };
        let d = data(&"x".repeat((i as usize % 3) * 120));
        put_ns(&s, b"a", "big", &format!("c{i}"), i % 4, &d, 100, ttl).unwrap();
    }
    for (ns, room) in [(b"a".as_slice(), "r1"), (b"b", "r1"), (b"a", "r2")] {
        for i in 0..3u64 {
            put_ns(
                &s,
                ns,
                room,
                &format!("t{i}"),
                i,
                &data("y"),
                100,
                if i == 2 { 50 } else { 600 },
            )
            .unwrap();
        }
    }
    remove(&s, "big", "c3", 101);
    put_ns(&s, b"a", "r2", "gone", 9, &data("z"), 101, 600).unwrap();
    s.remove(&EntryKey::new(RoomKey::new(b"a", b"r2"), b"gone"), 101)
        .unwrap();
    s.verify().unwrap();
    s
}

/// Runs `op` stopped after 0, 1, 2, … writes until it completes, checking each outcome.
fn every_kill(name: &str, base: &Store<MemShards>, now: i64, op: impl Fn(&Store<MemShards>)) {
    quiet_kills();
    // Reading has effects (it reclaims what expired): look at a copy.
    let look = Store::new(base.locks().clone());
    let before = dump(&look, now);
    let v_before = versions(&look, &before, now);
    let done = Store::new(base.locks().clone());
    op(&done);
    let after = dump(&done, now);
    done.verify().unwrap();
    for n in 0.. {
        let st = Store::new(base.locks().clone());
        fault::set(n);
        let run = catch_unwind(AssertUnwindSafe(|| op(&st)));
        fault::set(u64::MAX);
        match run {
            Ok(()) => {
                st.verify()
                    .unwrap_or_else(|e| panic!("{name}: completed: {}", e.0));
                assert_eq!(dump(&st, now), after, "{name}: completed differently");
                assert!(n > 0, "{name}: wrote nothing");
                return;
            }
            Err(p) if p.is::<fault::Killed>() => {}
            Err(p) => std::panic::resume_unwind(p),
        }
        // The next lockers repair what the kill left (`verify` locks every shard).
        st.verify()
            .unwrap_or_else(|e| panic!("{name}: killed after {n} writes: {}", e.0));
        let got = dump(&st, now);
        for k in before.keys().chain(after.keys()).chain(got.keys()) {
            let (was, will, is) = (before.get(k), after.get(k), got.get(k));
            let same = |x: Option<&(u64, Vec<u8>, i64)>| match (x, is) {
                (None, None) => true,
                (Some(x), Some(y)) => x.0 == y.0 && x.1 == y.1,
                _ => false,
            };
            assert!(
                same(was) || same(will),
                "{name}: killed after {n} writes: {:?} is neither as before nor as after",
                String::from_utf8_lossy(&k.2)
            );
        }
        // The log never lies: from the version before, it either says "too old" or leads to
        // exactly what is there now.
        for ((ns, room), v) in &v_before {
            let mut ch = Changes::default();
            if !st
                .changes(&RoomKey::new(ns, room), *v, false, 0, now, &mut ch)
                .unwrap()
            {
                continue;
            }
            let mut state: BTreeMap<Vec<u8>, (u64, Vec<u8>)> = before
                .iter()
                .filter(|(k, _)| &k.0 == ns && &k.1 == room)
                .map(|(k, e)| (k.2.clone(), (e.0, e.1.clone())))
                .collect();
            for e in &ch.removed.items {
                state.remove(ch.removed.client(e));
            }
            for e in &ch.changed.items {
                state.insert(
                    ch.changed.client(e).to_vec(),
                    (e.user_id, ch.changed.data(e).to_vec()),
                );
            }
            let now_: BTreeMap<_, _> = got
                .iter()
                .filter(|(k, _)| &k.0 == ns && &k.1 == room)
                .map(|(k, e)| (k.2.clone(), (e.0, e.1.clone())))
                .collect();
            assert_eq!(
                state,
                now_,
                "{name}: killed after {n} writes: the log of {:?} lies",
                String::from_utf8_lossy(room)
            );
        }
        // A store repaired after a kill keeps working.
        put_ns(&st, b"a", "after", "x", 1, &data("after"), now, 60).unwrap();
        st.verify()
            .unwrap_or_else(|e| panic!("{name}: after a kill at {n}: {}", e.0));
    }
}

fn up(
    ns: &'static [u8],
    room: &'static str,
    client: &'static str,
    user: u64,
    d: Vec<u8>,
    now: i64,
    ttl: i64,
) -> impl Fn(&Store<MemShards>) {
    move |s| {
        put_ns(s, ns, room, client, user, &d, now, ttl).unwrap();
    }
}

#[test]
fn every_kill_of_an_upsert_leaves_it_whole_or_absent() {
    let b = base();
    let big = data(&"w".repeat(500));
    every_kill(
        "create in a small room",
        &b,
        120,
        up(b"a", "r1", "new", 5, data("n"), 120, 60),
    );
    every_kill(
        "create in the spread room",
        &b,
        120,
        up(b"a", "big", "new", 5, big.clone(), 120, 60),
    );
    every_kill(
        "create a room",
        &b,
        120,
        up(b"b", "fresh", "new", 5, data("n"), 120, 60),
    );
    every_kill(
        "change in a small room",
        &b,
        120,
        up(b"a", "r1", "t0", 0, big.clone(), 120, 60),
    );
    every_kill(
        "change in a part",
        &b,
        120,
        up(b"a", "big", "c25", 7, data("moved"), 120, 60),
    );
    every_kill(
        "change of user",
        &b,
        120,
        up(b"b", "r1", "t1", 8, data("y"), 120, 60),
    );
    every_kill(
        "refresh at home",
        &b,
        120,
        up(b"a", "r1", "t1", 1, data("y"), 120, 600),
    );
    every_kill(
        "refresh in a part",
        &b,
        120,
        up(b"a", "big", "c25", 1, data(&"x".repeat(120)), 120, 900),
    );
    every_kill(
        "rewrite of an expired key",
        &b,
        160,
        up(b"a", "big", "c0", 0, data("back"), 160, 60),
    );
}

#[test]
fn every_kill_of_a_removal_or_a_reclaim_leaves_it_whole_or_absent() {
    let b = base();
    every_kill("remove in a small room", &b, 120, |s| {
        s.remove(&EntryKey::new(RoomKey::new(b"a", b"r1"), b"t0"), 120)
            .unwrap();
    });
    every_kill("remove in the spread room", &b, 120, |s| {
        s.remove(&EntryKey::new(RoomKey::new(b"a", b"big"), b"c24"), 120)
            .unwrap();
    });
    every_kill("remove_user", &b, 120, |s| {
        s.remove_user(b"a", 1, 120).unwrap();
    });
    every_kill("sweep", &b, 160, |s| {
        s.sweep(160).unwrap();
    });
    every_kill("clear", &b, 120, |s| {
        s.clear(Some(b"a"), 120).unwrap();
    });
    every_kill("version of a room due for reclaim", &b, 160, |s| {
        s.room_version(&RoomKey::new(b"a", b"big"), 160).unwrap();
    });
    every_kill("changes of a room due for reclaim", &b, 160, |s| {
        let mut ch = Changes::default();
        s.changes(&RoomKey::new(b"a", b"r1"), 1, true, 0, 160, &mut ch)
            .unwrap();
    });
    every_kill("changes of the spread room due for reclaim", &b, 160, |s| {
        let mut ch = Changes::default();
        s.changes(&RoomKey::new(b"a", b"big"), 1, true, 0, 160, &mut ch)
            .unwrap();
    });
    every_kill("read of the spread room due for reclaim", &b, 160, |s| {
        let mut out = Entries::default();
        s.room(
            &RoomKey::new(b"a", b"big"),
            160,
            &ReadOpts::default(),
            &mut out,
        )
        .unwrap();
    });
    every_kill("exchange", &b, 120, |s| {
        let mut out = Entries::default();
        let key = EntryKey::new(RoomKey::new(b"a", b"r2"), b"me");
        let d = data("m");
        let w = Write {
            user_id: 3,
            data: &d,
            now: 120,
            ttl: 60,
        };
        s.exchange(&key, &w, &ReadOpts::default(), &mut out)
            .unwrap();
    });
}

#[test]
fn every_kill_of_a_write_into_a_full_shard_leaves_it_whole_or_absent() {
    // Fill the store so a create has to free tombstones and reclaim expired entries first.
    let b = base();
    for i in 0..20 {
        put_ns(
            &b,
            b"b",
            "filler",
            &format!("f{i}"),
            3,
            &data("f"),
            100,
            if i % 2 == 0 { 50 } else { 600 },
        )
        .unwrap();
    }
    for i in 0..8 {
        put_ns(&b, b"b", "churn", &format!("k{i}"), 4, &data("k"), 100, 600).unwrap();
        b.remove(
            &EntryKey::new(RoomKey::new(b"b", b"churn"), format!("k{i}").as_bytes()),
            100,
        )
        .unwrap();
    }
    every_kill(
        "create in a full store",
        &b,
        160,
        up(b"b", "late", "x", 6, data("late"), 160, 60),
    );
}

#[test]
fn a_repair_killed_part_way_is_finished_by_the_next_one() {
    quiet_kills();
    let b = base();
    let before = dump(&b, 120);
    let s = Store::new(b.locks().clone());
    for shard in 0..4 {
        s.locks().kill_owner(shard);
    }
    for n in (0..).step_by(7) {
        let t = Store::new(s.locks().clone());
        fault::set(n);
        let r = catch_unwind(AssertUnwindSafe(|| t.stats().map(|_| ())));
        fault::set(u64::MAX);
        let finished = r.is_ok();
        t.verify()
            .unwrap_or_else(|e| panic!("repair killed after {n} writes: {}", e.0));
        let got = dump(&t, 120);
        assert_eq!(
            got, before,
            "repair killed after {n} writes lost or changed entries"
        );
        if finished {
            assert!(n > 100, "the repairs wrote only {n} times");
            return;
        }
    }
}
