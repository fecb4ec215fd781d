//! `room_top`: a room's first users by newest write, an extra user, and the user count.

use super::*;
use std::collections::{BTreeMap, BTreeSet};

/// What `room_top` must answer, from a room's whole contents as (client, user, updated): the
/// clients to return and the distinct users (> 0).
pub fn reference<'c>(
    room: impl IntoIterator<Item = (&'c [u8], u64, i64)>,
    n: usize,
    extra: u64,
) -> (BTreeSet<Vec<u8>>, u32) {
    let room: Vec<_> = room.into_iter().filter(|e| e.1 != 0).collect();
    let mut newest: BTreeMap<u64, i64> = BTreeMap::new();
    for &(_, u, t) in &room {
        let m = newest.entry(u).or_insert(t);
        *m = (*m).max(t);
    }
    let mut order: Vec<(u64, i64)> = newest.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total = order.len() as u32;
    let mut picked: BTreeSet<u64> = order.iter().take(n).map(|e| e.0).collect();
    picked.insert(extra);
    let clients = room
        .iter()
        .filter(|e| picked.contains(&e.1))
        .map(|e| e.0.to_vec())
        .collect();
    (clients, total)
}

fn top(s: &Store<MemShards>, room: &str, n: u32, extra: u64, now: i64) -> (Entries, u32) {
    let mut out = Entries::default();
    let users = s
        .room_top(&RoomKey::new(NS, room.as_bytes()), n, extra, now, &mut out)
        .unwrap();
    (out, users)
}

fn client_list(out: &Entries) -> Vec<String> {
    out.items
        .iter()
        .map(|e| String::from_utf8(out.client(e).to_vec()).unwrap())
        .collect()
}

/// Checks `room_top` against `reference` over what `room()` reads, and that it is newest first
/// with each entry once.
fn check_against_room(s: &Store<MemShards>, room: &str, n: u32, extra: u64, now: i64) {
    let all = read(s, room, now, &ReadOpts::default());
    let (want, want_users) = reference(
        all.items
            .iter()
            .map(|e| (all.client(e), e.user_id, e.updated)),
        n as usize,
        extra,
    );
    let (out, users) = top(s, room, n, extra, now);
    let got: BTreeSet<Vec<u8>> = out.items.iter().map(|e| out.client(e).to_vec()).collect();
    assert_eq!(got.len(), out.items.len(), "each entry once");
    assert_eq!(got, want, "room_top({room}, {n}, {extra})");
    assert_eq!(users, want_users, "users of {room}");
    assert!(
        out.items.windows(2).all(|w| w[0].updated >= w[1].updated),
        "newest first"
    );
    // The entries are the room's own, data included.
    for e in &out.items {
        let same = all
            .items
            .iter()
            .find(|x| all.client(x) == out.client(e))
            .unwrap();
        assert_eq!(
            (out.data(e), e.user_id, e.updated, e.expires),
            (all.data(same), same.user_id, same.updated, same.expires)
        );
    }
}

#[test]
fn the_contract_example() {
    let s = store(4, 256, 1 << 18);
    let d = data("dashboard");
    put(&s, "admin/online", "u1-a", 1, &d, 90, 600).unwrap();
    put(&s, "admin/online", "u1-b", 1, &d, 100, 600).unwrap();
    put(&s, "admin/online", "u2", 2, &d, 150, 600).unwrap();
    put(&s, "admin/online", "u3", 3, &d, 120, 600).unwrap();
    put(&s, "admin/online", "anon", 0, &d, 200, 600).unwrap();

    let (out, users) = top(&s, "admin/online", 2, 0, 201);
    assert_eq!(client_list(&out), ["u2", "u3"]);
    assert_eq!(users, 3, "user 0 is not counted");
    let (out, users) = top(&s, "admin/online", 1, 1, 201);
    assert_eq!(client_list(&out), ["u2", "u1-b", "u1-a"]);
    assert_eq!(users, 3);
    // An extra user already picked comes once; one not in the room adds nothing.
    let (out, _) = top(&s, "admin/online", 3, 1, 201);
    assert_eq!(client_list(&out), ["u2", "u3", "u1-b", "u1-a"]);
    let (out, _) = top(&s, "admin/online", 1, 77, 201);
    assert_eq!(client_list(&out), ["u2"]);
    // User 0 is never picked, not even as the extra user.
    let (out, _) = top(&s, "admin/online", 1000, 0, 201);
    assert!(!client_list(&out).contains(&"anon".to_string()));
    s.verify().unwrap();
}

#[test]
fn ties_go_to_the_lower_user_id_every_time() {
    let s = store(1, 64, 1 << 16);
    let d = data("x");
    for u in [9u64, 4, 7, 2, 5] {
        put(&s, "r", &format!("tab-{u}"), u, &d, 100, 60).unwrap();
    }
    for _ in 0..3 {
        let (out, users) = top(&s, "r", 3, 0, 101);
        // Users 2, 4 and 5, in room()'s order (same second: the newest change first).
        assert_eq!(client_list(&out), ["tab-5", "tab-2", "tab-4"]);
        assert_eq!(users, 5);
    }
    // A newer write moves a user ahead of the ties.
    put(&s, "r", "tab-9", 9, &d, 101, 60).unwrap();
    let (out, _) = top(&s, "r", 2, 0, 102);
    assert_eq!(client_list(&out), ["tab-9", "tab-2"]);
}

#[test]
fn expired_entries_are_neither_picked_nor_counted() {
    let s = store(1, 64, 1 << 16);
    let d = data("x");
    put(&s, "r", "old", 1, &d, 100, 10).unwrap();
    put(&s, "r", "u1-live", 1, &d, 90, 600).unwrap();
    put(&s, "r", "u2", 2, &d, 95, 600).unwrap();
    put(&s, "r", "gone", 3, &d, 105, 10).unwrap();
    // At 120 user 1 ranks by its live entry (90), user 3 is gone.
    let (out, users) = top(&s, "r", 1, 0, 120);
    assert_eq!(client_list(&out), ["u2"]);
    assert_eq!(users, 2);
    let (out, _) = top(&s, "r", 5, 3, 120);
    assert_eq!(client_list(&out), ["u2", "u1-live"]);
    // Nothing was written: a room read still reclaims them.
    assert_eq!(clients(&s, "r", 120, None), ["u2", "u1-live"]);
}

#[test]
fn more_users_asked_than_the_room_has_and_an_empty_room() {
    let s = store(2, 64, 1 << 16);
    let d = data("x");
    put(&s, "r", "a", 1, &d, 100, 60).unwrap();
    put(&s, "r", "b", 2, &d, 101, 60).unwrap();
    let (out, users) = top(&s, "r", 1000, 0, 102);
    assert_eq!(client_list(&out), ["b", "a"]);
    assert_eq!(users, 2);
    let (out, users) = top(&s, "nobody-here", 20, 1, 102);
    assert!(out.items.is_empty());
    assert_eq!(users, 0);
}

#[test]
fn a_room_spread_over_several_shards() {
    // 4 shards of 48 entries: 150 entries spread over every one of them.
    let g = Geometry {
        shards: 4,
        slots_per_shard: 48,
        blocks_per_shard: 512,
    };
    let s = store_g(g);
    let d = data("dashboard");
    // 40 users with tabs written at scattered times, so a user's newest tab and older ones
    // land in different parts; a few anonymous tabs too.
    for i in 0..150u64 {
        let user = if i % 17 == 0 { 0 } else { i % 40 + 1 };
        let t = 100 + ((i * 37) % 150).cast_signed();
        put(&s, "admin/online", &format!("tab-{i}"), user, &d, t, 600).unwrap();
    }
    let id = s.id(&RoomKey::new(NS, b"admin/online"));
    let spread = s.on_room(id, 0, false, |r| Ok(r.spread()?)).unwrap();
    assert!(spread >= 2, "the room spreads (over {spread} more shards)");
    for n in [1, 2, 5, 20, 39, 40, 1000] {
        for extra in [0, 1, 13, 40, 99] {
            check_against_room(&s, "admin/online", n, extra, 260);
        }
    }
    s.verify().unwrap();
}

#[test]
fn a_picked_users_tabs_in_other_parts_come_too() {
    let g = Geometry {
        shards: 4,
        slots_per_shard: 48,
        blocks_per_shard: 512,
    };
    let s = store_g(g);
    let d = data("dashboard");
    // User 1's old tab goes home; the home fills with newer users; user 1's newest tab then
    // lands in a part. In the home record user 1 is not among the first, yet its tab there is
    // part of the answer.
    put(&s, "admin/online", "u1-old", 1, &d, 100, 600).unwrap();
    // 24 entries per record before the next (half a shard), so the 82nd lands in a part.
    for i in 0..80u64 {
        let t = 200 + i.cast_signed();
        put(&s, "admin/online", &format!("tab-{i}"), i + 2, &d, t, 600).unwrap();
    }
    put(&s, "admin/online", "u1-new", 1, &d, 400, 600).unwrap();
    let id = s.id(&RoomKey::new(NS, b"admin/online"));
    let at_home = |client: &[u8]| {
        s.on_room(id, 3, false, |r| {
            let sh = r.sh(0)?;
            let kh = sh.key().entry(id.hash, client);
            Ok(sh.find_key(kh, r.rec(0).ok_or(Corrupt)?, client)?.is_some())
        })
        .unwrap()
    };
    assert!(
        at_home(b"u1-old") && !at_home(b"u1-new"),
        "the setup: only the old tab at home"
    );
    let (out, users) = top(&s, "admin/online", 1, 0, 401);
    assert_eq!(client_list(&out), ["u1-new", "u1-old"]);
    assert_eq!(users, 81);
    let (out, _) = top(&s, "admin/online", 2, 0, 401);
    assert_eq!(client_list(&out), ["u1-new", "tab-79", "u1-old"]);
}

#[test]
fn bad_arguments_are_refused() {
    let s = store(1, 16, 1 << 14);
    let mut out = Entries::default();
    let rk = RoomKey::new(NS, b"r");
    for n in [0, 1001] {
        assert!(matches!(
            s.room_top(&rk, n, 0, 100, &mut out),
            Err(StoreError::Invalid(_))
        ));
    }
    assert!(s
        .room_top(&RoomKey::new(NS, b""), 1, 0, 100, &mut out)
        .is_err());
}
