//! Rooms bigger than a shard, rooms that share a shard, and rooms whose hashes collide.

use super::*;
use crate::store::hash::HashKey;

fn hostile(s: Store<MemShards>) -> Store<MemShards> {
    let mut key = HashKey::new(s.locks().hash_key());
    key.collide = true;
    s.with_key(key)
}

#[test]
fn one_room_holds_twenty_thousand_entries_at_capacity_65536() {
    // The production defaults but capacity: 16 shards of 4096 slots.
    let s = store(16, 65_536, 32 << 20);
    let d = data("dashboard");
    for i in 0..20_000u64 {
        put(&s, "admin/online", &format!("tab-{i}"), i, &d, 100, 600)
            .unwrap_or_else(|e| panic!("entry {i}: {e}"));
    }
    // Every room homed in the same shard still takes entries.
    let home = {
        let id = s.id(&RoomKey::new(NS, b"admin/online"));
        id.home
    };
    let mut same_home = Vec::new();
    for i in 0.. {
        let name = format!("postType/post:{i}");
        if s.id(&RoomKey::new(NS, name.as_bytes())).home == home {
            same_home.push(name);
            if same_home.len() == 20 {
                break;
            }
        }
    }
    for (n, room) in same_home.iter().enumerate() {
        for c in 0..5 {
            put(&s, room, &format!("editor-{c}"), 100_000 + c, &d, 100, 600).unwrap();
        }
        assert_eq!(clients(&s, room, 101, None).len(), 5, "room {n}");
    }
    let out = read(&s, "admin/online", 101, &ReadOpts::default());
    assert_eq!(out.items.len(), 20_000);
    let mut ids: Vec<_> = out.items.iter().map(|e| e.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20_000, "each entry once");
    // Refresh, change and remove work wherever the entry landed.
    let v = version(&s, "admin/online", 102);
    assert_eq!(
        put(&s, "admin/online", "tab-19999", 19_999, &d, 102, 600).unwrap(),
        Upsert::Refreshed
    );
    assert_eq!(
        put(&s, "admin/online", "tab-0", 0, &d, 102, 600).unwrap(),
        Upsert::Refreshed
    );
    assert_eq!(version(&s, "admin/online", 102), v);
    assert_eq!(
        put(&s, "admin/online", "tab-15000", 1, &data("post"), 103, 600).unwrap(),
        Upsert::Changed
    );
    assert!(remove(&s, "admin/online", "tab-12345", 103));
    assert_ne!(version(&s, "admin/online", 103), v);
    assert_eq!(
        read(&s, "admin/online", 104, &ReadOpts::default())
            .items
            .len(),
        19_999
    );
    let st = s.stats().unwrap();
    assert_eq!(st.shard.entries, 19_999 + 100);
    s.verify().unwrap();
    // And the room shrinks back into fewer shards once it empties.
    assert_eq!(s.remove_user(NS, 1, 105).unwrap(), 2);
    assert_eq!(s.sweep(800).unwrap(), 19_997 + 100);
    assert_eq!(version(&s, "admin/online", 800), 0);
    assert_eq!(s.sweep(800 + super::super::shard::LOG_AGE + 1).unwrap(), 0);
    let st = s.stats().unwrap();
    assert_eq!(
        (st.shard.entries, st.shard.rooms, st.shard.tombstones),
        (0, 0, 0)
    );
    s.verify().unwrap();
}

#[test]
fn a_spread_room_survives_a_holder_killed_while_holding_all_its_shards() {
    let s = store(4, 64, 1 << 18);
    for i in 0..50 {
        put(&s, "big", &format!("c{i}"), i, &data("x"), 100, 600).unwrap();
    }
    let before = clients(&s, "big", 101, None);
    assert_eq!(before.len(), 50);
    for shard in 0..4 {
        s.locks().kill_owner(shard);
    }
    let mut after = clients(&s, "big", 101, None);
    let mut want = before.clone();
    after.sort();
    want.sort();
    assert_eq!(after, want, "repair rebuilt every part");
    assert_eq!(s.stats().unwrap().shard.recoveries, 4);
    // The log restarted: an old version is too old now, the new one works.
    let mut ch = Changes::default();
    let rk = RoomKey::new(NS, b"big");
    let v = version(&s, "big", 102);
    assert!(s.changes(&rk, v, false, 0, 102, &mut ch).unwrap());
    put(&s, "big", "new", 99, &data("x"), 103, 600).unwrap();
    assert!(s.changes(&rk, v, false, 0, 103, &mut ch).unwrap());
    assert_eq!(ch.changed.items.len(), 1);
    s.verify().unwrap();
}

#[test]
fn colliding_hashes_never_share_a_record_or_a_version() {
    let s = hostile(store(4, 64, 1 << 16));
    for room in ["a", "b", "c"] {
        put(&s, room, "x", 1, &data(room), 100, 60).unwrap();
    }
    let va = version(&s, "a", 100);
    put(&s, "b", "y", 2, &data("b"), 101, 60).unwrap();
    assert_eq!(
        version(&s, "a", 101),
        va,
        "a change to b is not a change to a"
    );
    assert_ne!(version(&s, "b", 101), va);
    assert_eq!(clients(&s, "a", 101, None), ["x"]);
    assert_eq!(clients(&s, "b", 101, None), ["y", "x"]);
    let out = read(&s, "c", 101, &ReadOpts::default());
    assert_eq!(
        Value::from_bytes(out.data(&out.items[0])).unwrap(),
        Value::from_bytes(&data("c")).unwrap()
    );
    // Entries with colliding key hashes in one room stay apart too.
    assert!(remove(&s, "b", "x", 102));
    assert_eq!(clients(&s, "b", 102, None), ["y"]);
    assert_eq!(clients(&s, "a", 102, None), ["x"]);
    // Other namespaces with colliding hashes are still invisible.
    put_ns(&s, b"site-b", "a", "x", 5, &data("other"), 102, 60).unwrap();
    assert_eq!(clients(&s, "a", 102, None), ["x"]);
    assert_eq!(s.remove_user(NS, 5, 102).unwrap(), 0);
    assert_eq!(s.clear(Some(b"site-b"), 102).unwrap(), 1);
    assert_eq!(clients(&s, "a", 102, None), ["x"]);
    s.verify().unwrap();
}

#[test]
fn many_colliding_rooms_fill_the_store_and_keep_working() {
    // Every room hashes to one home shard and one bucket: they spread like one big room would.
    // Home records are per shard (26 here): that, not the entries, bounds such a pile-up.
    let s = hostile(store(4, 64, 1 << 18));
    for i in 0..24 {
        for c in ["c", "d"] {
            put(&s, &format!("room-{i}"), c, i, &data("x"), 100, 60).unwrap();
        }
    }
    for i in 0..24 {
        assert_eq!(
            clients(&s, &format!("room-{i}"), 100, None),
            ["d", "c"],
            "room {i}"
        );
    }
    assert_eq!(s.rooms(NS, b"room-", 100).unwrap().len(), 24);
    s.verify().unwrap();
}

#[test]
fn a_part_without_its_home_is_adopted_by_the_next_sweep() {
    let g = Geometry::from_budget(4, 64, 1 << 18);
    let s = store_g(g);
    for i in 0..40 {
        put(&s, "big", &format!("c{i}"), i, &data("x"), 100, 600).unwrap();
    }
    let id = s.id(&RoomKey::new(NS, b"big"));
    // A foreign writer scribbles the home record's name checksum: repair drops the home.
    s.locks()
        .with_shard(id.home, |body, _| {
            let mut sh =
                Shard::view(body, &g, id.home, hash::HashKey::new(s.locks().hash_key())).unwrap();
            let r = sh.find_room(id.hash, NS, b"big").unwrap().unwrap();
            sh.room_mut(r).unwrap().name_sum ^= 1;
        })
        .unwrap();
    s.locks().kill_owner(id.home);
    let seen = clients(&s, "big", 101, None).len();
    assert!(seen < 40, "the home's own entries went with it ({seen})");
    s.sweep(101).unwrap();
    let adopted = clients(&s, "big", 101, None).len();
    assert!(adopted > seen, "the parts are visible again ({adopted})");
    s.verify().unwrap();
    put(&s, "big", "c0", 0, &data("x"), 102, 600).unwrap();
    s.verify().unwrap();
}
