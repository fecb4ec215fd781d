//! The per-namespace share: one site flooding the store cannot make another fail.

use super::*;

#[test]
fn a_flooding_namespace_is_stopped_at_its_share_and_others_keep_writing() {
    let s = store(4, 256, 1 << 20).with_share(50);
    let mut flood = 0;
    let err = loop {
        match put_ns(
            &s,
            b"flood",
            &format!("room-{}", flood % 7),
            &format!("tab-{flood}"),
            1,
            &data("x"),
            100,
            600,
        ) {
            Ok(_) => flood += 1,
            Err(e) => break e,
        }
        assert!(flood <= 256, "never refused");
    };
    assert!(matches!(err, StoreError::Full(Refusal::Share)), "{err}");
    assert!(
        err.to_string().contains("presence.namespace_share"),
        "{err}"
    );
    assert!((120..=128).contains(&flood), "about half of 256 ({flood})");
    // Nothing of the flood was touched, and changing an entry in place still works.
    let mut total = 0;
    for r in 0..7 {
        let out = read_ns(&s, b"flood", &format!("room-{r}"));
        total += out;
    }
    assert_eq!(total, flood);
    assert_eq!(
        put_ns(&s, b"flood", "room-0", "tab-0", 1, &data("x"), 101, 600).unwrap(),
        Upsert::Refreshed
    );
    assert_eq!(
        put_ns(&s, b"flood", "room-0", "tab-0", 1, &data("y"), 101, 600).unwrap(),
        Upsert::Changed
    );
    // Two other sites still get their own share, in any room, including one with the flood's name.
    for site in [b"site-b".as_slice(), b"site-c"] {
        for i in 0..60 {
            put_ns(
                &s,
                site,
                &format!("room-{}", i % 3),
                &format!("t{i}"),
                2,
                &data("x"),
                101,
                600,
            )
            .unwrap_or_else(|e| panic!("{}: entry {i}: {e}", String::from_utf8_lossy(site)));
        }
    }
    assert!(s.stats().unwrap().shard.share_refusals >= 1);
    s.verify().unwrap();
}

#[test]
fn the_share_also_bounds_data_memory() {
    let s = store(2, 512, 1 << 17).with_share(50);
    let big = Value::Str("d".repeat(4000)).to_bytes();
    let mut n = 0;
    let err = loop {
        match put_ns(&s, b"big", "r", &format!("c{n}"), 1, &big, 100, 600) {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
    };
    assert!(matches!(err, StoreError::Full(Refusal::Share)), "{err}");
    // The other site still stores data of the same size.
    for i in 0..10 {
        put_ns(&s, b"small", "r", &format!("c{i}"), 1, &big, 100, 600).unwrap();
    }
    // And a change that would grow the flood's data is refused without touching it.
    let bigger = Value::Str("d".repeat(8000)).to_bytes();
    let e = put_ns(&s, b"big", "r", "c0", 1, &bigger, 101, 600).unwrap_err();
    assert!(matches!(e, StoreError::Full(Refusal::Share)), "{e}");
    let mut out = Entries::default();
    assert!(s
        .get(
            &EntryKey::new(RoomKey::new(b"big", b"r"), b"c0"),
            101,
            &mut out
        )
        .unwrap());
    assert_eq!(out.data(&out.items[0]), big.as_slice());
    s.verify().unwrap();
}

#[test]
fn the_share_frees_up_as_entries_leave() {
    let s = store(1, 64, 1 << 16).with_share(25);
    let mut n = 0;
    while put_ns(&s, b"a", "r", &format!("c{n}"), 1, &data("x"), 100, 60).is_ok() {
        n += 1;
    }
    assert_eq!(n, 16);
    assert!(
        put_ns(&s, b"a", "r", "late", 1, &data("x"), 200, 60).is_ok(),
        "expired ones no longer count"
    );
    assert_eq!(s.clear(Some(b"a"), 200).unwrap(), 1);
    assert!(put_ns(&s, b"a", "r", "again", 1, &data("x"), 200, 60).is_ok());
}

fn read_ns(s: &Store<MemShards>, ns: &[u8], room: &str) -> usize {
    let mut out = Entries::default();
    s.room(
        &RoomKey::new(ns, room.as_bytes()),
        100,
        &ReadOpts::default(),
        &mut out,
    )
    .unwrap();
    out.items.len()
}
