use super::codec::{MapKey, Value};
use super::layout::Geometry;
use super::mem::MemShards;
use super::*;

const NS: &[u8] = b"site-a";

fn store(shards: u32, capacity: u32, data: u64) -> Store<MemShards> {
    let s = Store::new(MemShards::new(Geometry::from_budget(
        shards, capacity, data,
    )));
    s.format(1).unwrap();
    s
}

fn data(screen: &str) -> Vec<u8> {
    Value::Map(vec![(
        MapKey::Str("screen".into()),
        Value::Str(screen.into()),
    )])
    .to_bytes()
}

fn put(
    s: &Store<MemShards>,
    room: &str,
    client: &str,
    uid: u64,
    d: &[u8],
    now: i64,
    ttl: i64,
) -> Result<Upsert, StoreError> {
    let key = EntryKey::new(RoomKey::new(NS, room.as_bytes()), client.as_bytes());
    s.upsert(
        &key,
        &Write {
            user_id: uid,
            data: d,
            now,
            ttl,
        },
    )
}

fn clients(s: &Store<MemShards>, room: &str, now: i64, max_age: Option<i64>) -> Vec<String> {
    let mut out = Entries::default();
    s.room(&RoomKey::new(NS, room.as_bytes()), now, max_age, &mut out)
        .unwrap();
    out.items
        .iter()
        .map(|e| String::from_utf8(out.client(e).to_vec()).unwrap())
        .collect()
}

#[test]
fn upsert_then_read_back_newest_first() {
    let s = store(4, 64, 1 << 16);
    assert_eq!(
        put(&s, "admin/online", "user-1", 1, &data("dashboard"), 100, 60).unwrap(),
        Upsert::Created
    );
    assert_eq!(
        put(&s, "admin/online", "user-2", 2, &data("edit-post"), 105, 60).unwrap(),
        Upsert::Created
    );
    assert_eq!(clients(&s, "admin/online", 110, None), ["user-2", "user-1"]);

    let mut out = Entries::default();
    s.room(&RoomKey::new(NS, b"admin/online"), 110, None, &mut out)
        .unwrap();
    let e = out.items[0];
    assert_eq!((e.user_id, e.updated, e.expires), (2, 105, 165));
    assert_eq!(
        Value::from_bytes(out.data(&e)).unwrap(),
        Value::from_bytes(&data("edit-post")).unwrap()
    );
}

#[test]
fn same_data_refreshes_without_a_new_version_and_new_data_changes_it() {
    let s = store(1, 16, 1 << 14);
    let rk = RoomKey::new(NS, b"r");
    put(&s, "r", "c", 1, &data("a"), 100, 60).unwrap();
    let v1 = s.room_version(&rk, 100).unwrap();
    assert_eq!(
        put(&s, "r", "c", 1, &data("a"), 120, 60).unwrap(),
        Upsert::Refreshed
    );
    assert_eq!(s.room_version(&rk, 120).unwrap(), v1);
    assert_eq!(
        put(&s, "r", "c", 1, &data("b"), 121, 60).unwrap(),
        Upsert::Changed
    );
    let v2 = s.room_version(&rk, 121).unwrap();
    assert_ne!(v2, v1);
    assert_eq!(
        put(&s, "r", "c", 2, &data("b"), 122, 60).unwrap(),
        Upsert::Changed
    );
    assert_ne!(s.room_version(&rk, 122).unwrap(), v2);
    // The refresh moved the expiry: alive at 175 (121 + 60 > 175 is false for the first write).
    assert_eq!(clients(&s, "r", 175, None), ["c"]);
}

#[test]
fn expired_entries_are_never_returned_and_sweep_counts_them() {
    let s = store(2, 32, 1 << 14);
    put(&s, "r", "old", 1, &data("x"), 100, 10).unwrap();
    put(&s, "r", "new", 2, &data("x"), 100, 60).unwrap();
    put(&s, "other", "gone", 3, &data("x"), 100, 5).unwrap();
    assert_eq!(
        clients(&s, "r", 110, None),
        ["new"],
        "expires == now is expired"
    );
    let mut out = Entries::default();
    assert!(!s
        .get(
            &EntryKey::new(RoomKey::new(NS, b"other"), b"gone"),
            105,
            &mut out
        )
        .unwrap());
    // "old" was reclaimed by the read, "gone" by the get: nothing left for sweep but nothing lost.
    assert_eq!(s.sweep(1000).unwrap(), 1);
    assert_eq!(s.stats().unwrap().shard.entries, 0);
}

#[test]
fn max_age_filters_by_last_write() {
    let s = store(1, 16, 1 << 14);
    put(&s, "r", "a", 1, &data("x"), 100, 300).unwrap();
    put(&s, "r", "b", 2, &data("x"), 150, 300).unwrap();
    assert_eq!(clients(&s, "r", 160, Some(60)), ["b"]);
    assert_eq!(clients(&s, "r", 160, Some(61)), ["b", "a"]);
    assert_eq!(clients(&s, "r", 160, None), ["b", "a"]);
}

#[test]
fn namespaces_never_see_each_other() {
    let s = store(4, 64, 1 << 16);
    put(&s, "admin/online", "user-1", 1, &data("x"), 100, 60).unwrap();
    let other = RoomKey::new(b"site-b", b"admin/online");
    let mut out = Entries::default();
    s.room(&other, 100, None, &mut out).unwrap();
    assert!(out.items.is_empty());
    assert!(s.rooms(b"site-b", b"", 100).unwrap().is_empty());
    assert_eq!(s.remove_user(b"site-b", 1, 100).unwrap(), 0);
    assert_eq!(s.clear(Some(b"site-b")).unwrap(), 0);
    assert_eq!(clients(&s, "admin/online", 100, None), ["user-1"]);
}

#[test]
fn remove_and_remove_user_and_user_entries() {
    let s = store(4, 64, 1 << 16);
    put(&s, "admin/online", "user-1", 1, &data("x"), 100, 60).unwrap();
    put(&s, "postType/post:1", "editor-1", 1, &data("x"), 101, 60).unwrap();
    put(&s, "postType/post:1", "editor-2", 2, &data("x"), 102, 60).unwrap();

    let mut out = Entries::default();
    s.user_entries(NS, 1, 103, &mut out).unwrap();
    let rooms: Vec<_> = out.items.iter().map(|e| out.room(e).to_vec()).collect();
    assert_eq!(
        rooms,
        [b"postType/post:1".to_vec(), b"admin/online".to_vec()]
    );

    assert!(s
        .remove(&EntryKey::new(
            RoomKey::new(NS, b"postType/post:1"),
            b"editor-2"
        ))
        .unwrap());
    assert!(!s
        .remove(&EntryKey::new(
            RoomKey::new(NS, b"postType/post:1"),
            b"editor-2"
        ))
        .unwrap());
    assert_eq!(s.remove_user(NS, 1, 103).unwrap(), 2);
    assert_eq!(s.stats().unwrap().shard.entries, 0);
    assert!(s.rooms(NS, b"", 103).unwrap().is_empty());
}

#[test]
fn rooms_lists_prefix_with_entry_and_user_counts() {
    let s = store(4, 64, 1 << 16);
    put(&s, "postType/post:1", "editor-1-a", 1, &data("x"), 100, 60).unwrap();
    put(&s, "postType/post:1", "lock-1", 1, &data("x"), 104, 60).unwrap();
    put(&s, "postType/post:2", "editor-2-a", 2, &data("x"), 101, 60).unwrap();
    put(&s, "admin/online", "user-1", 1, &data("x"), 100, 60).unwrap();
    let rooms = s.rooms(NS, b"postType/", 105).unwrap();
    let got: Vec<_> = rooms
        .iter()
        .map(|r| {
            (
                String::from_utf8(r.room.clone()).unwrap(),
                r.entries,
                r.users,
                r.updated,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("postType/post:1".into(), 2, 1, 104),
            ("postType/post:2".into(), 1, 1, 101)
        ]
    );
    assert_eq!(s.rooms(NS, b"", 105).unwrap().len(), 3);
}

#[test]
fn version_changes_on_expiry_and_is_zero_when_empty() {
    let s = store(1, 16, 1 << 14);
    let rk = RoomKey::new(NS, b"r");
    assert_eq!(s.room_version(&rk, 100).unwrap(), 0);
    put(&s, "r", "a", 1, &data("x"), 100, 10).unwrap();
    put(&s, "r", "b", 1, &data("x"), 100, 60).unwrap();
    let v = s.room_version(&rk, 105).unwrap();
    assert_ne!(
        s.room_version(&rk, 111).unwrap(),
        v,
        "expiry of 'a' is a change"
    );
    assert_eq!(s.room_version(&rk, 200).unwrap(), 0);
}

#[test]
fn full_store_reclaims_expired_first_then_refuses_without_losing_anything() {
    let g = Geometry::from_budget(1, 8, 1 << 14);
    let s = Store::new(MemShards::new(g));
    s.format(1).unwrap();
    for i in 0..8 {
        put(
            &s,
            "r",
            &format!("c{i}"),
            i,
            &data("x"),
            100,
            if i == 0 { 5 } else { 60 },
        )
        .unwrap();
    }
    // c0 has expired: the ninth write takes its place.
    put(&s, "r", "c8", 8, &data("x"), 110, 60).unwrap();
    let err = put(&s, "r", "c9", 9, &data("x"), 110, 60).unwrap_err();
    assert!(matches!(err, StoreError::Full(Refusal::Entries)));
    assert!(err.to_string().contains("presence.capacity"));
    // Updating an existing entry still works when full.
    assert_eq!(
        put(&s, "r", "c8", 8, &data("y"), 111, 60).unwrap(),
        Upsert::Changed
    );
    assert_eq!(clients(&s, "r", 111, None).len(), 8);
    let st = s.stats().unwrap();
    assert_eq!((st.shard.refusals, st.shard.entries), (1, 8));
}

#[test]
fn data_budget_is_enforced_and_named() {
    let g = Geometry {
        shards: 1,
        slots_per_shard: 64,
        blocks_per_shard: 256,
    };
    let s = Store::new(MemShards::new(g));
    s.format(1).unwrap();
    let big = Value::Str("x".repeat(10_000)).to_bytes();
    for i in 0..6 {
        put(&s, "r", &format!("c{i}"), 1, &big, 100, 60).unwrap();
    }
    let err = put(&s, "r", "c6", 1, &big, 100, 60).unwrap_err();
    assert!(err.to_string().contains("presence.data_memory"), "{err}");
    let mut out = Entries::default();
    s.room(&RoomKey::new(NS, b"r"), 100, None, &mut out)
        .unwrap();
    assert_eq!(out.items.len(), 6);
    assert!(out.items.iter().all(|e| out.data(e) == big.as_slice()));
}

#[test]
fn long_keys_and_large_data_span_blocks_intact() {
    let s = store(2, 32, 1 << 20);
    let room = "r".repeat(255);
    let client = "c".repeat(255);
    let d = Value::Map(vec![(
        MapKey::Str("k".into()),
        Value::Str("é".repeat(5000)),
    )])
    .to_bytes();
    put(&s, &room, &client, 7, &d, 100, 60).unwrap();
    let mut out = Entries::default();
    assert!(s
        .get(
            &EntryKey::new(RoomKey::new(NS, room.as_bytes()), client.as_bytes()),
            100,
            &mut out
        )
        .unwrap());
    assert_eq!(out.client(&out.items[0]), client.as_bytes());
    assert_eq!(out.data(&out.items[0]), d.as_slice());
}

#[test]
fn torn_insert_is_dropped_by_repair_and_the_rest_survives() {
    let g = Geometry::from_budget(1, 16, 1 << 14);
    let s = Store::new(MemShards::new(g));
    s.format(1).unwrap();
    put(&s, "r", "keep", 1, &data("x"), 100, 60).unwrap();
    s.locks()
        .with_shard(0, |body, _| {
            let mut sh = Shard::view(body, &g).unwrap();
            sh.simulate_torn_insert(&EntryKey::new(RoomKey::new(NS, b"r"), b"torn"), &data("y"));
        })
        .unwrap();
    // The next operation sees the dirty flag, repairs, and carries on.
    assert_eq!(clients(&s, "r", 101, None), ["keep"]);
    let st = s.stats().unwrap();
    assert_eq!((st.shard.recoveries, st.shard.entries), (1, 1));
    // Blocks of the torn write were reclaimed: the store is not leaking capacity.
    assert_eq!(st.bytes_used, super::layout::BLOCK_PAYLOAD as u64);
    put(&s, "r", "next", 2, &data("z"), 102, 60).unwrap();
    assert_eq!(clients(&s, "r", 102, None), ["next", "keep"]);
}

#[test]
fn dead_owner_triggers_repair_that_keeps_sound_entries() {
    let g = Geometry::from_budget(1, 16, 1 << 14);
    let s = Store::new(MemShards::new(g));
    s.format(1).unwrap();
    for i in 0..5 {
        put(
            &s,
            "r",
            &format!("c{i}"),
            i,
            &data("x"),
            100 + i.cast_signed(),
            60,
        )
        .unwrap();
    }
    s.locks().kill_owner(0);
    assert_eq!(clients(&s, "r", 110, None), ["c4", "c3", "c2", "c1", "c0"]);
    assert_eq!(s.stats().unwrap().shard.recoveries, 1);
}

#[test]
fn scribbled_bytes_are_repaired_not_panicked_on() {
    let g = Geometry::from_budget(1, 16, 1 << 14);
    let s = Store::new(MemShards::new(g));
    s.format(1).unwrap();
    for i in 0..4 {
        put(&s, "r", &format!("c{i}"), i, &data("x"), 100, 60).unwrap();
    }
    let b = g.body();
    // Overwrite every index and the first slot with garbage.
    s.locks()
        .with_shard(0, |body, _| {
            for byte in &mut body[b.key_buckets..b.slots + 40] {
                *byte = 0xAB;
            }
        })
        .unwrap();
    s.locks().kill_owner(0);
    let left = clients(&s, "r", 101, None);
    assert_eq!(
        left.len(),
        3,
        "the scribbled slot is dropped, the others rebuilt: {left:?}"
    );
    put(&s, "r", "again", 9, &data("x"), 102, 60).unwrap();
    assert_eq!(clients(&s, "r", 102, None).len(), 4);
}

#[test]
fn clear_all_namespaces() {
    let s = store(4, 64, 1 << 16);
    put(&s, "a", "1", 1, &data("x"), 100, 60).unwrap();
    let other = EntryKey::new(RoomKey::new(b"ns2", b"a"), b"1");
    s.upsert(
        &other,
        &Write {
            user_id: 1,
            data: &data("x"),
            now: 100,
            ttl: 60,
        },
    )
    .unwrap();
    assert_eq!(s.clear(Some(NS)).unwrap(), 1);
    assert_eq!(s.clear(None).unwrap(), 1);
}

#[test]
fn remove_user_counts_only_their_live_entries_and_sweeps_the_expired() {
    let s = store(2, 32, 1 << 14);
    put(&s, "a", "mine-1", 1, &data("x"), 100, 60).unwrap();
    put(&s, "b", "mine-2", 1, &data("x"), 100, 60).unwrap();
    put(&s, "a", "other-expired", 2, &data("x"), 100, 5).unwrap();
    put(&s, "b", "other-live", 2, &data("x"), 100, 60).unwrap();
    let swept_before = s.stats().unwrap().shard.swept;
    assert_eq!(s.remove_user(NS, 1, 110).unwrap(), 2);
    let st = s.stats().unwrap();
    assert_eq!(
        st.shard.swept - swept_before,
        1,
        "the other user's expired entry was reclaimed"
    );
    assert_eq!(st.shard.entries, 1);
    assert_eq!(clients(&s, "b", 110, None), ["other-live"]);
}
