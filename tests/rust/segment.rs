//! The segment's lifecycle across real processes: waiting on stopped lock holders, replacing stale
//! segments, ownership and mode, a full file system, ABI fingerprints.

mod common;

use common::{exit_code, fork, options, serial, signal, wait, Pipe, TempSeg};
use presence::store::ShardLocks;
use presence::sys::Options;
use std::time::{Duration, Instant};

fn quick() -> Options {
    Options {
        lock_timeout: Duration::from_millis(200),
        ..options()
    }
}

#[test]
fn a_stopped_lock_holder_costs_callers_the_timeout_on_its_shard_only() {
    let _g = serial();
    let t = TempSeg::new("stopped");
    let seg = t.open_with(&quick());
    let held = Pipe::new();
    let child = fork(|| {
        let seg = t.open();
        (&seg)
            .with_shard(0, |_, _| {
                held.signal();
                std::thread::sleep(Duration::from_millis(600));
            })
            .unwrap();
    });
    assert!(held.wait(), "the child failed before taking the lock");
    signal(child, libc::SIGSTOP);

    let start = Instant::now();
    let e = (&seg).with_shard(0, |_, _| ()).unwrap_err().to_string();
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    assert!(e.contains("presence.lock_timeout_ms"), "{e}");
    assert!(e.contains("stopped or stuck"), "{e}");
    assert!(seg.try_with_shard(0, |_, _| ()).unwrap().is_none());
    // Other shards do not wait at all.
    let start = Instant::now();
    for i in 1..4 {
        (&seg).with_shard(i, |_, _| ()).unwrap();
        assert_eq!(seg.try_with_shard(i, |_, died| died).unwrap(), Some(false));
    }
    assert!(start.elapsed() < Duration::from_millis(150));

    signal(child, libc::SIGCONT);
    assert_eq!(exit_code(wait(child)), 0);
    assert!(!(&seg).with_shard(0, |_, died| died).unwrap());
}

#[test]
fn a_holder_that_dies_while_we_wait_hands_over_the_lock_for_repair() {
    let _g = serial();
    let t = TempSeg::new("dies-while-waiting");
    let seg = t.open();
    let held = Pipe::new();
    let holder = fork(|| {
        let seg = t.open();
        let _ = (&seg).with_shard(2, |_, _| {
            held.signal();
            // SAFETY: waits to be killed, holding the lock.
            unsafe { libc::pause() };
        });
    });
    assert!(held.wait());
    let killer = fork(|| {
        std::thread::sleep(Duration::from_millis(150));
        signal(holder, libc::SIGKILL);
    });
    let start = Instant::now();
    let died = (&seg).with_shard(2, |_, died| died).unwrap();
    assert!(died, "the waiter must learn that the holder died");
    assert!(start.elapsed() >= Duration::from_millis(100));
    assert_eq!(exit_code(wait(holder)), 128 + libc::SIGKILL);
    assert_eq!(exit_code(wait(killer)), 0);
    assert!(!(&seg).with_shard(2, |_, died| died).unwrap());
}
