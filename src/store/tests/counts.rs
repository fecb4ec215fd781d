//! `room_counts`: one room across namespaces in one walk.

use super::*;
use crate::store::hash::HashKey;

fn counts(s: &Store<MemShards>, nss: &[&[u8]], room: &str, now: i64) -> Vec<RoomCounts> {
    s.room_counts(nss, room.as_bytes(), now).unwrap()
}

#[test]
fn counts_entries_and_distinct_users_per_namespace() {
    let s = store(4, 256, 1 << 18);
    let d = data("dashboard");
    // site-a: user 1 in two tabs, user 2 once; site-b: user 3; site-c: nothing.
    put_ns(&s, b"site-a", "admin/online", "tab-1-a", 1, &d, 100, 60).unwrap();
    put_ns(&s, b"site-a", "admin/online", "tab-1-b", 1, &d, 105, 60).unwrap();
    put_ns(&s, b"site-a", "admin/online", "tab-2-a", 2, &d, 103, 60).unwrap();
    put_ns(&s, b"site-b", "admin/online", "tab-3-a", 3, &d, 101, 60).unwrap();
    // Other rooms and other namespaces (a hidden one, a site not asked for) are not counted.
    put_ns(&s, b"site-a", "admin/onlinex", "tab-9", 9, &d, 100, 60).unwrap();
    put_ns(&s, b"site-a", "chat", "tab-9", 9, &d, 100, 60).unwrap();
    put_ns(&s, b"site-a~h", "admin/online", "tab-7", 7, &d, 100, 60).unwrap();
    put_ns(&s, b"site-d", "admin/online", "tab-8", 8, &d, 100, 60).unwrap();

    let got = counts(&s, &[b"site-a", b"site-b", b"site-c"], "admin/online", 110);
    assert_eq!(
        got,
        vec![
            RoomCounts {
                entries: 3,
                users: vec![1, 2],
                updated: 105
            },
            RoomCounts {
                entries: 1,
                users: vec![3],
                updated: 101
            },
            RoomCounts::default(),
        ]
    );
    // Expired entries are not counted, and nothing was written.
    let got = counts(&s, &[b"site-a"], "admin/online", 164);
    assert_eq!(
        got[0],
        RoomCounts {
            entries: 1,
            users: vec![1],
            updated: 105
        }
    );
    assert_eq!(counts(&s, &[], "admin/online", 110), vec![]);
    // The same namespace twice answers twice.
    let got = counts(&s, &[b"site-b", b"site-b"], "admin/online", 110);
    assert_eq!(got[0], got[1]);
    assert_eq!(got[0].users, vec![3]);
    s.verify().unwrap();
}

#[test]
fn a_spread_room_is_counted_whole() {
    let s = store(4, 256, 1 << 18);
    let d = data("dashboard");
    for i in 0..150u64 {
        put_ns(
            &s,
            b"big",
            "admin/online",
            &format!("tab-{i}"),
            i % 100,
            &d,
            100,
            600,
        )
        .unwrap();
    }
    put_ns(&s, b"small", "admin/online", "tab-1", 1, &d, 100, 600).unwrap();
    let got = counts(&s, &[b"small", b"big"], "admin/online", 101);
    assert_eq!(got[0].entries, 1);
    assert_eq!(got[1].entries, 150);
    assert_eq!(got[1].users, (0..100).collect::<Vec<u64>>());
    let mut out = Entries::default();
    s.room(
        &RoomKey::new(b"big", b"admin/online"),
        101,
        &ReadOpts::default(),
        &mut out,
    )
    .unwrap();
    assert_eq!(out.items.len(), 150, "what a read sees");
}

#[test]
fn colliding_hashes_do_not_mix_namespaces_or_rooms() {
    let s = store(4, 64, 1 << 16);
    let mut key = HashKey::new(s.locks().hash_key());
    key.collide = true;
    let s = s.with_key(key);
    let d = data("x");
    put_ns(&s, b"a", "r", "c1", 1, &d, 100, 60).unwrap();
    put_ns(&s, b"b", "r", "c2", 2, &d, 100, 60).unwrap();
    put_ns(&s, b"a", "s", "c3", 3, &d, 100, 60).unwrap();
    let got = counts(&s, &[b"a", b"b"], "r", 101);
    assert_eq!(got[0].users, vec![1]);
    assert_eq!(got[1].users, vec![2]);
}

#[test]
fn bad_arguments_are_refused() {
    let s = store(1, 16, 1 << 14);
    assert!(s.room_counts(&[b"a"], b"", 100).is_err());
    let long = [b'n'; 65];
    assert!(s.room_counts(&[&long], b"r", 100).is_err());
}
