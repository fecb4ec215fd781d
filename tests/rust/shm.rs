//! The store across real processes: a segment in /dev/shm, `fork`, and `SIGKILL`.

mod common;

use common::{fork_all, options, serial, TempSeg};
use presence::store::codec::{MapKey, Value};
use presence::store::hash::HashKey;
use presence::store::layout::Geometry;
use presence::store::{
    Backend, Entries, EntryKey, ReadOpts, RoomKey, Shard, ShardLocks, Store, Write,
};
use presence::sys::{Options, Segment};
use std::sync::Mutex;

// fork() in a threaded test harness is only safe while no other test thread runs.
static SERIAL: Mutex<()> = Mutex::new(());

const NS: &[u8] = b"t";

fn payload(child: u64, n: u64) -> Vec<u8> {
    // Redundant fields let a reader detect a torn value.
    Value::Map(vec![
        (MapKey::Str("child".into()), Value::Int(child as i64)),
        (MapKey::Str("n".into()), Value::Int(n as i64)),
        (
            MapKey::Str("check".into()),
            Value::Str(format!("{child}:{n}")),
        ),
    ])
    .to_bytes()
}

fn consistent(bytes: &[u8]) -> bool {
    let Ok(Value::Map(pairs)) = Value::from_bytes(bytes) else {
        return false;
    };
    match pairs.as_slice() {
        [(_, Value::Int(c)), (_, Value::Int(n)), (_, Value::Str(s))] => *s == format!("{c}:{n}"),
        _ => false,
    }
}

fn upsert(seg: &Segment, room: &str, client: &str, uid: u64, data: &[u8], now: i64) {
    let key = EntryKey::new(RoomKey::new(NS, room.as_bytes()), client.as_bytes());
    Store::new(seg)
        .upsert(
            &key,
            &Write {
                user_id: uid,
                data,
                now,
                ttl: 600,
            },
        )
        .unwrap();
}

fn room(seg: &Segment, room: &str, now: i64) -> Entries {
    let mut out = Entries::default();
    Store::new(seg)
        .room(
            &RoomKey::new(NS, room.as_bytes()),
            now,
            &ReadOpts::default(),
            &mut out,
        )
        .unwrap();
    out
}

#[test]
fn children_write_and_the_parent_reads_every_entry() {
    let _g = serial();
    let t = TempSeg::new("share");
    let seg = t.open();
    let statuses = fork_all(4, |c| {
        let seg = t.open();
        for n in 0..200 {
            upsert(
                &seg,
                "shared",
                &format!("c{c}-{n}"),
                c,
                &payload(c, n),
                1000,
            );
            upsert(
                &seg,
                &format!("room-{c}"),
                &format!("n{n}"),
                c,
                &payload(c, n),
                1000,
            );
        }
    });
    assert!(statuses.iter().all(|&s| s == 0), "{statuses:?}");
    let shared = room(&seg, "shared", 1001);
    assert_eq!(shared.items.len(), 800, "no lost inserts across processes");
    assert!(shared.items.iter().all(|e| consistent(shared.data(e))));
    for c in 0..4 {
        assert_eq!(room(&seg, &format!("room-{c}"), 1001).items.len(), 200);
    }
}

#[test]
fn racing_writers_on_one_key_never_tear_a_value() {
    let _g = serial();
    let t = TempSeg::new("race");
    let seg = t.open();
    upsert(&seg, "r", "hot", 0, &payload(0, 0), 1000);
    let statuses = fork_all(3, |c| {
        let seg = t.open();
        for n in 0..3000 {
            if c == 0 {
                let out = room(&seg, "r", 1000);
                assert_eq!(out.items.len(), 1);
                assert!(consistent(out.data(&out.items[0])));
            } else {
                upsert(&seg, "r", "hot", c, &payload(c, n), 1000);
            }
        }
    });
    assert!(statuses.iter().all(|&s| s == 0), "{statuses:?}");
    let out = room(&seg, "r", 1000);
    assert_eq!(out.items.len(), 1);
    assert!(consistent(out.data(&out.items[0])));
}

#[test]
fn a_child_killed_while_holding_the_lock_does_not_wedge_the_store() {
    let _g = serial();
    let t = TempSeg::new("kill");
    let seg = t.open();
    let g = seg.geometry();
    upsert(&seg, "r", "before", 1, &payload(1, 1), 1000);
    let key = HashKey::new((&seg).hash_key());
    let shard = (0..g.shards)
        .find(|&i| {
            let mut found = false;
            (&seg)
                .with_shard(i, |body, _| {
                    found = Shard::view(body, &g, i, key).unwrap().stats().entries == 1;
                })
                .unwrap();
            found
        })
        .unwrap();
    let mut fds = [0; 2];
    // SAFETY: plain pipe creation into a local array.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: as in fork_all.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let seg = t.open();
        let r = (&seg).with_shard(shard, |body, _| {
            let mut sh = Shard::view(body, &g, shard, key).unwrap();
            let room = sh.find_room(key.room(NS, b"r"), NS, b"r").unwrap().unwrap();
            sh.simulate_torn_insert(room, b"torn", &payload(9, 9));
            // SAFETY: tell the parent we hold the lock mid-write, then wait to be killed.
            unsafe {
                libc::write(fds[1], b"x".as_ptr().cast(), 1);
                libc::pause();
            }
        });
        eprintln!("child: with_shard returned {:?}", r.err());
        // SAFETY: unreachable in practice; leave without unwinding.
        unsafe { libc::_exit(2) };
    }
    let mut b = [0u8; 1];
    // SAFETY: closing our copy of the write end (so a failed child reads as EOF, not a hang),
    // then a blocking read of one byte from our pipe.
    unsafe { libc::close(fds[1]) };
    assert_eq!(
        unsafe { libc::read(fds[0], b.as_mut_ptr().cast(), 1) },
        1,
        "the child failed before taking the lock"
    );
    // SAFETY: killing and reaping our own child.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
    }
    // The lock is free again, the torn entry is gone, the old one survived, and writes work.
    let out = room(&seg, "r", 1001);
    assert_eq!(out.items.len(), 1);
    assert_eq!(out.client(&out.items[0]), b"before");
    upsert(&seg, "r", "after", 2, &payload(2, 2), 1002);
    assert_eq!(room(&seg, "r", 1002).items.len(), 2);
    assert_eq!(Store::new(&seg).stats().unwrap().shard.recoveries, 1);
}

#[test]
fn writers_killed_at_random_moments_leave_a_readable_store() {
    let _g = serial();
    let t = TempSeg::new("chaos");
    let seg = t.open();
    for round in 0..12u64 {
        // SAFETY: as in fork_all.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let seg = t.open();
            for n in 0.. {
                upsert(
                    &seg,
                    "r",
                    &format!("c{}", n % 50),
                    round,
                    &payload(round, n),
                    1000,
                );
                let key = EntryKey::new(
                    RoomKey::new(NS, b"r"),
                    format!("c{}", (n + 7) % 50).as_bytes().to_vec().leak(),
                );
                let _ = Store::new(&seg).remove(&key, 1000);
            }
        }
        std::thread::sleep(std::time::Duration::from_micros(2000 + round * 1500));
        // SAFETY: killing and reaping our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        let out = room(&seg, "r", 1000);
        assert!(out.items.len() <= 50);
        assert!(
            out.items.iter().all(|e| consistent(out.data(e))),
            "round {round}"
        );
    }
    upsert(&seg, "r", "final", 1, &payload(1, 1), 1000);
    assert!(room(&seg, "r", 1000)
        .items
        .iter()
        .any(|e| room(&seg, "r", 1000).client(e) == b"final"));
}

#[test]
fn concurrent_first_opens_agree_on_one_segment() {
    let _g = serial();
    let t = TempSeg::new("race-open");
    let statuses = fork_all(6, |c| {
        let seg = t.open();
        upsert(&seg, "r", &format!("c{c}"), c, &payload(c, 0), 1000);
    });
    assert!(statuses.iter().all(|&s| s == 0));
    assert_eq!(room(&t.open(), "r", 1000).items.len(), 6);
}

#[test]
fn segment_is_owner_only_and_stale_layouts_are_replaced_but_foreign_files_kept() {
    use std::os::unix::fs::PermissionsExt;
    let _g = serial();
    let t = TempSeg::new("perm");
    drop(t.open());
    let mode = std::fs::metadata(&t.0).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // An older layout: same magic family, other version.
    let mut old = vec![0u8; 4096];
    old[..8].copy_from_slice(b"PRESENC0");
    std::fs::write(&t.0, &old).unwrap();
    std::fs::set_permissions(&t.0, std::fs::Permissions::from_mode(0o600)).unwrap();
    let seg = t.open();
    upsert(&seg, "r", "c", 1, &payload(1, 1), 1000);
    assert_eq!(room(&seg, "r", 1000).items.len(), 1);
    drop(seg);

    let foreign = TempSeg::new("foreign");
    std::fs::write(&foreign.0, b"not a segment, keep me").unwrap();
    let tiny = Options {
        geometry: Geometry::from_budget(1, 8, 4096),
        ..options()
    };
    let e = Segment::open(&foreign.0, &tiny, 0).err().unwrap();
    assert!(e.to_string().contains("not a presence segment"), "{e}");
    assert_eq!(
        std::fs::read(&foreign.0).unwrap(),
        b"not a segment, keep me"
    );
}

#[test]
fn clock_offset_is_shared_between_processes() {
    let _g = serial();
    let t = TempSeg::new("clock");
    let seg = t.open();
    let statuses = fork_all(1, |_| {
        t.open().advance_clock(90);
    });
    assert_eq!(statuses, [0]);
    assert_eq!(seg.clock_offset(), 90);
    let statuses = fork_all(1, |_| {
        assert_eq!(t.open().reset_clock(), 90);
    });
    assert_eq!(statuses, [0]);
    assert_eq!(seg.clock_offset(), 0);
}

fn open_small(t: &TempSeg) -> Segment {
    // 4 shards of 256 entries: a room of more than 128 spreads.
    let opts = Options {
        geometry: Geometry::from_budget(4, 1024, 4 << 20),
        ..options()
    };
    Segment::open(&t.0, &opts, 1000).unwrap()
}

#[test]
fn a_room_bigger_than_a_shard_takes_writers_from_many_processes() {
    let _g = SERIAL.lock().unwrap();
    let t = TempSeg::new("spread");
    let seg = open_small(&t);
    let statuses = fork_all(4, |c| {
        let seg = open_small(&t);
        for n in 0..200 {
            upsert(&seg, "big", &format!("c{c}-{n}"), c, &payload(c, n), 1000);
            if n % 10 == 0 {
                let out = room(&seg, "big", 1000);
                assert!(out.items.iter().all(|e| consistent(out.data(e))));
            }
        }
        // Refreshes and changes of entries that may live in any part.
        for n in (0..200).step_by(7) {
            upsert(&seg, "big", &format!("c{c}-{n}"), c, &payload(c, n), 1001);
            upsert(
                &seg,
                "big",
                &format!("c{c}-{n}"),
                c,
                &payload(c, n + 1000),
                1001,
            );
        }
    });
    assert!(statuses.iter().all(|&s| s == 0), "{statuses:?}");
    let out = room(&seg, "big", 1002);
    assert_eq!(out.items.len(), 800, "no lost or doubled inserts");
    assert!(out.items.iter().all(|e| consistent(out.data(e))));
    Store::new(&seg).verify().unwrap();
}

#[test]
fn writers_killed_while_holding_a_spread_room_leave_every_shard_repairable() {
    let _g = SERIAL.lock().unwrap();
    let t = TempSeg::new("spread-chaos");
    let seg = open_small(&t);
    for n in 0..300 {
        upsert(&seg, "big", &format!("base-{n}"), 0, &payload(0, n), 1000);
    }
    for round in 0..12u64 {
        // SAFETY: as in fork_all.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let seg = open_small(&t);
            let store = Store::new(&seg);
            for n in 0.. {
                let c = format!("c{}", (n * 7 + round) % 400);
                upsert(&seg, "big", &c, round, &payload(round, n), 1000);
                let key = EntryKey::new(
                    RoomKey::new(NS, b"big"),
                    format!("c{}", (n * 13) % 400).as_bytes().to_vec().leak(),
                );
                let _ = store.remove(&key, 1000);
                if n % 50 == 0 {
                    let _ = store.sweep(1000);
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_micros(3000 + round * 1700));
        // SAFETY: killing and reaping our own child.
        unsafe {
            libc::kill(pid, libc::SIGKILL);
            libc::waitpid(pid, std::ptr::null_mut(), 0);
        }
        let out = room(&seg, "big", 1000);
        assert!(
            out.items.iter().all(|e| consistent(out.data(e))),
            "round {round}"
        );
        let bases = out
            .items
            .iter()
            .filter(|e| out.client(e).starts_with(b"base-"))
            .count();
        assert_eq!(bases, 300, "round {round}: committed entries survive");
        Store::new(&seg)
            .verify()
            .unwrap_or_else(|e| panic!("round {round}: {}", e.0));
    }
    let rec = Store::new(&seg).stats().unwrap().shard.recoveries;
    eprintln!("lock recoveries after 12 kills: {rec}");
    assert!(rec > 0, "no kill landed inside a lock");
}
