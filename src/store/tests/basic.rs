//! Each operation on small rooms: CRUD, TTL, versions, full store, repair of scribbled bytes.

use super::*;

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

    let out = read(&s, "admin/online", 110, &ReadOpts::default());
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
    put(&s, "r", "c", 1, &data("a"), 100, 60).unwrap();
    let v1 = version(&s, "r", 100);
    assert_eq!(
        put(&s, "r", "c", 1, &data("a"), 120, 60).unwrap(),
        Upsert::Refreshed
    );
    assert_eq!(version(&s, "r", 120), v1);
    assert_eq!(
        put(&s, "r", "c", 1, &data("b"), 121, 60).unwrap(),
        Upsert::Changed
    );
    let v2 = version(&s, "r", 121);
    assert_ne!(v2, v1);
    assert_eq!(
        put(&s, "r", "c", 2, &data("b"), 122, 60).unwrap(),
        Upsert::Changed
    );
    assert_ne!(version(&s, "r", 122), v2);
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
    // "old" was reclaimed by the read; the get only skips "gone": sweep reclaims it.
    assert_eq!(s.sweep(1000).unwrap(), 2);
    assert_eq!(s.stats().unwrap().shard.entries, 0);
    s.verify().unwrap();
}

#[test]
fn max_age_and_client_prefix_filter_reads() {
    let s = store(1, 16, 1 << 14);
    put(&s, "r", "tab-1-a", 1, &data("x"), 100, 300).unwrap();
    put(&s, "r", "tab-2-a", 2, &data("x"), 150, 300).unwrap();
    put(&s, "r", "lock-1", 1, &data("x"), 151, 300).unwrap();
    assert_eq!(clients(&s, "r", 160, Some(60)), ["lock-1", "tab-2-a"]);
    assert_eq!(clients(&s, "r", 160, Some(61)).len(), 3);
    assert_eq!(clients(&s, "r", 160, None).len(), 3);
    let only = |p: &[u8]| {
        let out = read(
            &s,
            "r",
            160,
            &ReadOpts {
                client_prefix: p,
                ..ReadOpts::default()
            },
        );
        out.items
            .iter()
            .map(|e| String::from_utf8(out.client(e).to_vec()).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(only(b"tab-"), ["tab-2-a", "tab-1-a"]);
    assert_eq!(only(b"tab-1-a"), ["tab-1-a"]);
    assert!(only(b"tab-1-ab").is_empty());
    assert_eq!(only(b"").len(), 3);
}

#[test]
fn namespaces_never_see_each_other() {
    let s = store(4, 64, 1 << 16);
    put(&s, "admin/online", "user-1", 1, &data("x"), 100, 60).unwrap();
    let other = RoomKey::new(b"site-b", b"admin/online");
    let mut out = Entries::default();
    s.room(&other, 100, &ReadOpts::default(), &mut out).unwrap();
    assert!(out.items.is_empty());
    assert_eq!(s.room_version(&other, 100).unwrap(), 0);
    assert!(s.rooms(b"site-b", b"", 100).unwrap().is_empty());
    assert_eq!(s.remove_user(b"site-b", 1, 100).unwrap(), 0);
    assert_eq!(s.clear(Some(b"site-b"), 100).unwrap(), 0);
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

    assert!(remove(&s, "postType/post:1", "editor-2", 103));
    assert!(!remove(&s, "postType/post:1", "editor-2", 103));
    assert_eq!(s.remove_user(NS, 1, 103).unwrap(), 2);
    assert_eq!(s.stats().unwrap().shard.entries, 0);
    assert!(s.rooms(NS, b"", 103).unwrap().is_empty());
    s.verify().unwrap();
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
    assert_eq!(rooms[0].version, version(&s, "postType/post:1", 105));
    assert_eq!(s.rooms(NS, b"", 105).unwrap().len(), 3);
}

#[test]
fn version_changes_on_expiry_and_is_zero_when_empty() {
    let s = store(1, 16, 1 << 14);
    assert_eq!(version(&s, "r", 100), 0);
    put(&s, "r", "a", 1, &data("x"), 100, 10).unwrap();
    put(&s, "r", "b", 1, &data("x"), 100, 60).unwrap();
    let v = version(&s, "r", 105);
    assert_ne!(version(&s, "r", 111), v, "expiry of 'a' is a change");
    assert_eq!(version(&s, "r", 200), 0);
}

#[test]
fn a_version_read_writes_nothing_until_the_earliest_expiry_passes() {
    let s = store(1, 64, 1 << 16);
    for i in 0..40 {
        put(
            &s,
            "r",
            &format!("c{i}"),
            i,
            &data("x"),
            100,
            60 + i.cast_signed(),
        )
        .unwrap();
    }
    let before = s.locks().clone();
    let snapshot = |m: &MemShards| {
        let mut all = Vec::new();
        m.with_shard(0, |b, _| all.extend_from_slice(b)).unwrap();
        all
    };
    let v = version(&s, "r", 150);
    assert_eq!(snapshot(s.locks()), snapshot(&before), "no byte moved");
    crate::store::fault::set(0);
    // Any write now would panic: a version read before the earliest expiry makes none.
    let v2 = version(&s, "r", 159);
    crate::store::fault::set(u64::MAX);
    assert_eq!(v, v2);
    // At 160 "c0" expires: one reclaim, a new version.
    assert_ne!(version(&s, "r", 160), v);
    assert_eq!(clients(&s, "r", 160, None).len(), 39);
}

#[test]
fn full_store_reclaims_expired_first_then_refuses_without_losing_anything() {
    let s = store_g(Geometry::from_budget(1, 8, 1 << 14));
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
    s.verify().unwrap();
}

#[test]
fn data_budget_is_enforced_and_named() {
    let s = store_g(Geometry {
        shards: 1,
        slots_per_shard: 64,
        blocks_per_shard: 256,
    });
    let big = Value::Str("x".repeat(10_000)).to_bytes();
    for i in 0..6 {
        put(&s, "r", &format!("c{i}"), 1, &big, 100, 60).unwrap();
    }
    let err = put(&s, "r", "c6", 1, &big, 100, 60).unwrap_err();
    assert!(err.to_string().contains("presence.data_memory"), "{err}");
    let out = read(&s, "r", 100, &ReadOpts::default());
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
    put_ns(&s, &[b'n'; 64], &room, &client, 7, &d, 100, 60).unwrap();
    let mut out = Entries::default();
    assert!(s
        .get(
            &EntryKey::new(
                RoomKey::new(&[b'n'; 64], room.as_bytes()),
                client.as_bytes()
            ),
            100,
            &mut out
        )
        .unwrap());
    assert_eq!(out.client(&out.items[0]), client.as_bytes());
    assert_eq!(out.data(&out.items[0]), d.as_slice());
    s.verify().unwrap();
}

#[test]
fn over_long_keys_are_invalid_arguments_not_corruption() {
    let s = store(1, 16, 1 << 14);
    put(&s, "r", "keep", 1, &data("x"), 100, 60).unwrap();
    let long = "x".repeat(256);
    for e in [
        put(&s, &long, "c", 1, &data("x"), 100, 60).unwrap_err(),
        put(&s, "r", &long, 1, &data("x"), 100, 60).unwrap_err(),
        put_ns(&s, &[b'n'; 65], "r", "c", 1, &data("x"), 100, 60).unwrap_err(),
        put(&s, "r", "c", 1, &vec![0; 16 * 1024 + 1], 100, 60).unwrap_err(),
        put(&s, "r", "c", 1, &data("x"), 100, 0).unwrap_err(),
        put(&s, "", "c", 1, &data("x"), 100, 60).unwrap_err(),
    ] {
        assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    }
    assert_eq!(
        s.stats().unwrap().shard.recoveries,
        0,
        "no repair was triggered"
    );
    assert_eq!(clients(&s, "r", 100, None), ["keep"]);
}

#[test]
fn dead_owner_triggers_repair_that_keeps_sound_entries() {
    let s = store(1, 16, 1 << 14);
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
    s.verify().unwrap();
}

#[test]
fn scribbled_bytes_are_repaired_not_panicked_on() {
    let g = Geometry::from_budget(1, 16, 1 << 14);
    let s = store_g(g);
    for i in 0..4 {
        put(&s, "r", &format!("c{i}"), i, &data("x"), 100, 60).unwrap();
    }
    let b = g.body();
    // Overwrite every index and the first slot with garbage.
    s.locks()
        .with_shard(0, |body, _| {
            body[b.key_buckets..b.room_recs].fill(0xAB);
            body[b.slot_recs..b.slot_recs + 40].fill(0xAB);
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
    s.verify().unwrap();
}

#[test]
fn a_chain_that_loops_or_shares_blocks_is_accepted_once_at_most() {
    let g = Geometry::from_budget(1, 16, 1 << 16);
    let s = store_g(g);
    let big = Value::Str("y".repeat(600)).to_bytes();
    put(&s, "r", "a", 1, &big, 100, 60).unwrap();
    put(&s, "r", "b", 2, &big, 100, 60).unwrap();
    // Point b's chain at a's blocks (and make its checksum agree, as a foreign writer could).
    s.locks()
        .with_shard(0, |body, _| {
            let mut sh =
                Shard::view(body, &g, 0, hash::HashKey::new(s.locks().hash_key())).unwrap();
            let (sa, sb) = (
                (0..sh.n_slots())
                    .find(|&i| {
                        sh.slot(i).unwrap().user_id == 1
                            && sh.slot(i).unwrap().state == layout::SLOT_LIVE
                    })
                    .unwrap(),
                (0..sh.n_slots())
                    .find(|&i| {
                        sh.slot(i).unwrap().user_id == 2
                            && sh.slot(i).unwrap().state == layout::SLOT_LIVE
                    })
                    .unwrap(),
            );
            let (first, rh, room) = {
                let a = sh.slot(sa).unwrap();
                let room = a.room_idx;
                (a.first_block, sh.room(room).unwrap().hash, room)
            };
            let a_sum = sh.slot(sa).unwrap().payload_sum;
            let a_key = sh.key().entry(rh, b"a");
            let slot = sh.slot_mut(sb).unwrap();
            slot.first_block = first;
            slot.payload_sum = a_sum;
            slot.key_hash = a_key;
            let mut copy = *sh.slot(sb).unwrap();
            copy.room_idx = room;
            let sum = super::super::shard::slot_checksum_for_tests(&copy, rh);
            sh.slot_mut(sb).unwrap().checksum = sum;
        })
        .unwrap();
    s.locks().kill_owner(0);
    // Both slots now claim one chain (and one key): only one survives, and nothing leaks.
    assert_eq!(clients(&s, "r", 101, None).len(), 1);
    s.verify().unwrap();
    let st = s.stats().unwrap();
    assert_eq!(
        st.bytes_used,
        4 * layout::BLOCK_PAYLOAD as u64,
        "3 blocks of payload + 1 of name"
    );
}

#[test]
fn clear_all_namespaces() {
    let s = store(4, 64, 1 << 16);
    put(&s, "a", "1", 1, &data("x"), 100, 60).unwrap();
    put_ns(&s, b"ns2", "a", "1", 1, &data("x"), 100, 60).unwrap();
    assert_eq!(s.clear(Some(NS), 100).unwrap(), 1);
    assert_eq!(s.clear(None, 100).unwrap(), 1);
    s.verify().unwrap();
}

#[test]
fn remove_user_counts_only_their_live_entries() {
    let s = store(2, 32, 1 << 14);
    put(&s, "a", "mine-1", 1, &data("x"), 100, 60).unwrap();
    put(&s, "b", "mine-2", 1, &data("x"), 100, 60).unwrap();
    put(&s, "a", "mine-expired", 1, &data("x"), 100, 5).unwrap();
    put(&s, "b", "other-live", 2, &data("x"), 100, 60).unwrap();
    assert_eq!(s.remove_user(NS, 1, 110).unwrap(), 2);
    assert_eq!(clients(&s, "b", 110, None), ["other-live"]);
    assert!(clients(&s, "a", 110, None).is_empty());
    s.verify().unwrap();
}

#[test]
fn exchange_writes_and_reads_in_one_call() {
    let s = store(4, 64, 1 << 16);
    put(&s, "r", "tab-2", 2, &data("b"), 100, 60).unwrap();
    let mut out = Entries::default();
    let key = EntryKey::new(RoomKey::new(NS, b"r"), b"tab-1");
    let w = Write {
        user_id: 1,
        data: &data("a"),
        now: 101,
        ttl: 60,
    };
    let (u, v) = s
        .exchange(&key, &w, &ReadOpts::default(), &mut out)
        .unwrap();
    assert_eq!(u, Upsert::Created);
    assert_eq!(v, version(&s, "r", 101));
    let got: Vec<_> = out.items.iter().map(|e| out.client(e).to_vec()).collect();
    assert_eq!(got, [b"tab-1".to_vec(), b"tab-2".to_vec()]);
    let (u, v2) = s
        .exchange(
            &key,
            &Write { now: 102, ..w },
            &ReadOpts {
                client_prefix: b"tab-2",
                ..ReadOpts::default()
            },
            &mut out,
        )
        .unwrap();
    assert_eq!((u, v2), (Upsert::Refreshed, v));
    assert_eq!(out.items.len(), 1);
}

#[test]
fn exchange_in_a_spread_room_reads_every_part() {
    let s = store(4, 64, 1 << 18);
    for i in 0..30 {
        put(&s, "big", &format!("c{i}"), i, &data("x"), 100, 600).unwrap();
    }
    let mut out = Entries::default();
    let key = EntryKey::new(RoomKey::new(NS, b"big"), b"me");
    let d = data("a");
    let w = Write {
        user_id: 1,
        data: &d,
        now: 101,
        ttl: 60,
    };
    let (u, _) = s
        .exchange(&key, &w, &ReadOpts::default(), &mut out)
        .unwrap();
    assert_eq!((u, out.items.len()), (Upsert::Created, 31));
    let (u, _) = s
        .exchange(&key, &w, &ReadOpts::default(), &mut out)
        .unwrap();
    assert_eq!((u, out.items.len()), (Upsert::Refreshed, 31));
}

#[test]
fn exchange_reads_what_room_reads() {
    let s = store_g(Geometry {
        shards: 4,
        slots_per_shard: 48,
        blocks_per_shard: 256,
    });
    let mut rng = super::model::Rng::new(3);
    let mut now = 1000;
    for step in 0..5000 {
        let client = format!("tab-{}", rng.below(60));
        let d = data(&"p".repeat(rng.below(3) as usize * 200));
        let ttl = [30, 60, 120, 300][rng.below(4) as usize];
        if rng.chance(50) {
            put(&s, "big", &client, rng.below(5), &d, now, ttl).unwrap();
        } else {
            let mut out = Entries::default();
            let key = EntryKey::new(RoomKey::new(NS, b"big"), client.as_bytes());
            let write = Write {
                user_id: rng.below(5),
                data: &d,
                now,
                ttl,
            };
            let (u, _) = s
                .exchange(&key, &write, &ReadOpts::default(), &mut out)
                .unwrap();
            let want = read(&s, "big", now, &ReadOpts::default());
            assert_eq!(out.items.len(), want.items.len(), "step {step}: {u:?}");
        }
        if rng.chance(10) {
            now += rng.below(10).cast_signed();
        }
    }
}
