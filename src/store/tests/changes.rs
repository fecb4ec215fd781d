//! The change log: what changed since a version, and when the log no longer reaches back.

use super::*;

fn changes(s: &Store<MemShards>, room: &str, since: u64, whole: bool, now: i64) -> Option<Changes> {
    bounded(s, room, since, whole, 0, now)
}

fn bounded(
    s: &Store<MemShards>,
    room: &str,
    since: u64,
    whole: bool,
    max_users: usize,
    now: i64,
) -> Option<Changes> {
    let mut ch = Changes::default();
    s.changes(
        &RoomKey::new(NS, room.as_bytes()),
        since,
        whole,
        max_users,
        now,
        &mut ch,
    )
    .unwrap()
    .then_some(ch)
}

fn names(e: &Entries) -> Vec<String> {
    let mut v: Vec<_> = e
        .items
        .iter()
        .map(|i| String::from_utf8(e.client(i).to_vec()).unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn changes_since_a_version_list_what_changed_and_what_left() {
    let s = store(4, 64, 1 << 16);
    put(&s, "r", "a", 1, &data("x"), 100, 60).unwrap();
    put(&s, "r", "b", 2, &data("x"), 100, 60).unwrap();
    put(&s, "r", "c", 3, &data("x"), 100, 30).unwrap();
    let v0 = version(&s, "r", 100);
    // Nothing since: one lock, empty answer, same version.
    let ch = changes(&s, "r", v0, false, 100).unwrap();
    assert_eq!(
        (ch.version, ch.changed.items.len(), ch.removed.items.len()),
        (v0, 0, 0)
    );
    put(&s, "r", "a", 1, &data("x"), 110, 60).unwrap(); // refresh: not a change
    put(&s, "r", "b", 2, &data("y"), 110, 60).unwrap(); // change
    put(&s, "r", "d", 4, &data("x"), 110, 60).unwrap(); // new
    assert!(remove(&s, "r", "a", 111));
    let ch = changes(&s, "r", v0, false, 111).unwrap();
    assert_eq!(ch.version, version(&s, "r", 111));
    assert_eq!(names(&ch.changed), ["b", "d"]);
    assert_eq!(names(&ch.removed), ["a"]);
    assert_eq!(
        ch.removed.items[0].user_id, 1,
        "removed records carry the user id"
    );
    assert!(ch.removed.items[0].data_len == 0);
    // Expiry is a removal too (c expires at 130).
    let ch = changes(&s, "r", v0, false, 130).unwrap();
    assert_eq!(names(&ch.removed), ["a", "c"]);
    // Since the latest version: nothing.
    let v = version(&s, "r", 130);
    assert_eq!(
        changes(&s, "r", v, false, 130).unwrap().changed.items.len(),
        0
    );
    // A version from the future or another room: too old, read the whole room.
    assert!(changes(&s, "r", v + 1000, false, 130).is_none());
    // Since 0 ("I saw it empty"): everything live is a change.
    assert_eq!(
        names(&changes(&s, "r", 0, false, 130).unwrap().changed),
        ["b", "d"]
    );
}

#[test]
fn a_re_added_client_is_changed_not_removed() {
    let s = store(1, 16, 1 << 14);
    put(&s, "r", "a", 1, &data("x"), 100, 60).unwrap();
    put(&s, "r", "keep", 9, &data("x"), 100, 60).unwrap();
    let v = version(&s, "r", 100);
    assert!(remove(&s, "r", "a", 101));
    put(&s, "r", "a", 1, &data("z"), 102, 60).unwrap();
    let ch = changes(&s, "r", v, false, 102).unwrap();
    assert_eq!(names(&ch.changed), ["a"]);
    assert!(ch.removed.items.is_empty());
}

#[test]
fn whole_users_brings_every_entry_of_a_touched_user() {
    let s = store(4, 64, 1 << 16);
    for (c, u) in [
        ("tab-1-a", 1),
        ("tab-1-b", 1),
        ("tab-1-c", 1),
        ("tab-2-a", 2),
        ("tab-3-a", 3),
    ] {
        put(&s, "admin/online", c, u, &data("x"), 100, 60).unwrap();
    }
    let v = version(&s, "admin/online", 100);
    put(&s, "admin/online", "tab-1-b", 1, &data("post"), 101, 60).unwrap();
    assert!(remove(&s, "admin/online", "tab-2-a", 101));
    let plain = changes(&s, "admin/online", v, false, 101).unwrap();
    assert_eq!(names(&plain.changed), ["tab-1-b"]);
    let whole = changes(&s, "admin/online", v, true, 101).unwrap();
    assert_eq!(names(&whole.changed), ["tab-1-a", "tab-1-b", "tab-1-c"]);
    assert_eq!(names(&whole.removed), ["tab-2-a"]);
    // A removed tab of a user who still has others is still listed as removed.
    assert!(remove(&s, "admin/online", "tab-1-c", 102));
    let whole = changes(&s, "admin/online", v, true, 102).unwrap();
    assert_eq!(names(&whole.changed), ["tab-1-a", "tab-1-b"]);
    assert_eq!(names(&whole.removed), ["tab-1-c", "tab-2-a"]);
}

#[test]
fn the_log_is_bounded_and_then_too_old() {
    let s = store(1, 256, 1 << 18);
    put(&s, "r", "stay", 1, &data("x"), 100, 600).unwrap();
    let v = version(&s, "r", 100);
    for i in 0..20 {
        put(&s, "r", &format!("c{i}"), 2, &data("x"), 100, 600).unwrap();
        assert!(remove(&s, "r", &format!("c{i}"), 100));
    }
    assert_eq!(
        changes(&s, "r", v, false, 100).unwrap().removed.items.len(),
        20
    );
    for i in 20..200 {
        put(&s, "r", &format!("c{i}"), 2, &data("x"), 100, 600).unwrap();
        assert!(remove(&s, "r", &format!("c{i}"), 100));
    }
    assert!(
        changes(&s, "r", v, false, 100).is_none(),
        "200 removals outrun a log of 32"
    );
    let recent = version(&s, "r", 100);
    put(&s, "r", "late", 3, &data("x"), 100, 600).unwrap();
    assert_eq!(
        names(&changes(&s, "r", recent, false, 100).unwrap().changed),
        ["late"]
    );
    assert!(s.stats().unwrap().shard.tombstones <= 32);
}

#[test]
fn remove_user_sweep_and_clear_show_in_the_log() {
    let s = store(4, 64, 1 << 16);
    put(&s, "r", "a", 1, &data("x"), 100, 60).unwrap();
    put(&s, "r", "b", 2, &data("x"), 100, 10).unwrap();
    put(&s, "r", "c", 3, &data("x"), 100, 60).unwrap();
    let v = version(&s, "r", 100);
    assert_eq!(s.remove_user(NS, 1, 101).unwrap(), 1);
    assert_eq!(s.sweep(110).unwrap(), 1);
    let ch = changes(&s, "r", v, false, 110).unwrap();
    assert_eq!(names(&ch.removed), ["a", "b"]);
    assert_ne!(ch.version, v);
    assert_eq!(s.clear(Some(NS), 111).unwrap(), 1);
    assert!(
        changes(&s, "r", ch.version, false, 111).is_none(),
        "cleared: too old"
    );
    assert_eq!(version(&s, "r", 111), 0);
}

#[test]
fn the_changed_users_are_counted_once_each_against_a_bound() {
    let s = store(4, 64, 1 << 16);
    let v0 = version(&s, "r", 100);
    // Users 1 and 2 with two tabs each, user 3 with one: five entries, three users.
    for (client, user) in [("a1", 1), ("a2", 1), ("b1", 2), ("b2", 2), ("c1", 3)] {
        put(&s, "r", client, user, &data("x"), 100, 60).unwrap();
    }
    let ch = changes(&s, "r", v0, true, 100).unwrap();
    let mut scratch = vec![9, 9, 9, 9, 9, 9, 9]; // Left over from another call: ignored.
    assert_eq!(ch.changed.items.len(), 5);
    assert!(ch.changed_users_over(2, &mut scratch), "3 users > 2");
    assert!(
        !ch.changed_users_over(3, &mut scratch),
        "3 users, not more than 3"
    );
    assert!(
        !ch.changed_users_over(4, &mut scratch),
        "5 entries are more than 4, 3 users are not"
    );
    assert!(!ch.changed_users_over(5, &mut scratch));
    // Removals are not changed users.
    remove(&s, "r", "c1", 100);
    let ch = changes(&s, "r", v0, true, 100).unwrap();
    assert!(
        !ch.changed_users_over(2, &mut scratch),
        "user 3 left: 2 changed users"
    );
}

#[test]
fn past_the_bound_the_store_stops_before_copying_an_entry() {
    let s = store(4, 64, 1 << 16);
    let v0 = version(&s, "r", 100);
    for u in 1..=30 {
        put(&s, "r", &format!("c{u}"), u, &data("x"), 100, 60).unwrap();
    }
    let ch = bounded(&s, "r", v0, true, 10, 100).unwrap();
    assert!(ch.over, "30 changed users > 10");
    assert!(ch.changed.items.is_empty() && ch.removed.items.is_empty());
    let ch = bounded(&s, "r", v0, true, 30, 100).unwrap();
    assert!(!ch.over);
    assert_eq!(ch.changed.items.len(), 30);
    // Only changes since the version count: two users changed since v1.
    let v1 = version(&s, "r", 101);
    put(&s, "r", "c1", 1, &data("y"), 101, 60).unwrap();
    put(&s, "r", "c2", 2, &data("y"), 101, 60).unwrap();
    put(&s, "r", "c2b", 2, &data("y"), 101, 60).unwrap();
    let ch = bounded(&s, "r", v1, false, 2, 101).unwrap();
    assert!(!ch.over, "users 1 and 2, three entries");
    assert_eq!(ch.changed.items.len(), 3);
    assert!(bounded(&s, "r", v1, false, 1, 101).unwrap().over);
    // Expired entries are not changed users; a log that does not reach back is still None.
    let v2 = version(&s, "r", 101);
    put(&s, "r", "short", 40, &data("x"), 101, 1).unwrap();
    put(&s, "r", "c3", 3, &data("z"), 101, 60).unwrap();
    assert!(
        !bounded(&s, "r", v2, false, 1, 103).unwrap().over,
        "user 40's entry expired"
    );
    assert!(bounded(&s, "r", v2 + 1000, false, 1, 103).is_none());
}
