//! The segment's lifecycle across real processes: waiting on stopped lock holders, replacing stale
//! segments, ownership and mode, a full file system, ABI fingerprints.

mod common;

use common::{exit_code, fork, options, serial, signal, wait, Pipe, TempSeg};
use presence::store::layout::{Geometry, Header};
use presence::store::ShardLocks;
use presence::sys::{Options, Segment};
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

/// What `open` must treat as stale: the older magic of this family, nothing else filled in.
fn write_stale(path: &std::path::Path) {
    let mut old = vec![0u8; 4096];
    old[..8].copy_from_slice(b"PRESENC0");
    std::fs::write(path, &old).unwrap();
    chmod(path, 0o600);
}

fn inode(path: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path).unwrap().ino()
}

#[test]
fn many_processes_opening_a_stale_segment_at_once_end_on_one_inode_and_lose_nothing() {
    use presence::store::{Backend, Entries, EntryKey, ReadOpts, RoomKey, Store, Write};
    let _g = serial();
    let t = TempSeg::new("stale-race");
    let rounds: u32 = std::env::var("STALE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(4);
    let stop = std::path::PathBuf::from(format!("/dev/shm/presence-stop-{}", std::process::id()));
    for round in 0..rounds {
        write_stale(&t.0);
        let _ = std::fs::remove_file(&stop);
        // The path must always name the old file or a complete segment: never nothing, never a
        // file being built.
        let watcher = fork(|| {
            let mut seen = 0u32;
            while !stop.exists() {
                let mut head = [0u8; 8];
                let ok = std::fs::File::open(&t.0)
                    .and_then(|f| std::os::unix::fs::FileExt::read_exact_at(&f, &mut head, 0))
                    .is_ok();
                assert!(
                    ok && (&head == b"PRESENC0" || &head == b"PRESENC1"),
                    "after {seen} looks, the path named {:?}",
                    ok.then_some(head)
                );
                seen += 1;
            }
        });
        let go = Pipe::new();
        let report = Pipe::new();
        let children: Vec<_> = (0..12u64)
            .map(|c| {
                fork(|| {
                    go.wait_for_close();
                    // Big enough that building it takes a while: a window for racing openers.
                    let seg = t.open_with(&Options {
                        geometry: Geometry::from_budget(4, 1 << 18, 16 << 20),
                        ..options()
                    });
                    let key = format!("r{round}-c{c}");
                    Store::new(&seg)
                        .upsert(
                            &EntryKey::new(RoomKey::new(b"t", b"r"), key.as_bytes()),
                            &Write {
                                user_id: c,
                                data: b"\x00",
                                now: 1000,
                                ttl: 600,
                            },
                        )
                        .unwrap();
                    report.send(&seg.file_id().1.to_le_bytes());
                })
            })
            .collect();
        go.release();
        let statuses: Vec<_> = children.into_iter().map(wait).collect();
        std::fs::write(&stop, b"").unwrap();
        assert_eq!(
            exit_code(wait(watcher)),
            0,
            "round {round}: the path was not always usable"
        );
        assert!(statuses.iter().all(|&s| exit_code(s) == 0), "{statuses:?}");
        let inodes: Vec<u64> = report
            .collect()
            .chunks(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
            .collect();
        assert_eq!(inodes.len(), 12);
        let now = inode(&t.0);
        assert!(
            inodes.iter().all(|&i| i == now),
            "round {round}: {inodes:?} vs {now}"
        );
        let mut out = Entries::default();
        Store::new(&t.open())
            .room(
                &RoomKey::new(b"t", b"r"),
                1000,
                &ReadOpts::default(),
                &mut out,
            )
            .unwrap();
        assert_eq!(out.items.len(), 12, "round {round}: entries were lost");
        let dir = t.0.parent().unwrap();
        let name = t.0.file_name().unwrap().to_string_lossy().into_owned();
        let leftovers: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with(&name) && *n != name)
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
    let _ = std::fs::remove_file(&stop);
}

#[test]
fn a_process_notices_when_the_path_names_another_segment() {
    let _g = serial();
    let t = TempSeg::new("replaced");
    let seg = t.open();
    assert!(seg.is_current());
    std::fs::remove_file(&t.0).unwrap();
    assert!(!seg.is_current(), "deleted");
    let other = t.open();
    assert!(other.is_current());
    assert!(!seg.is_current(), "replaced by another file");
    assert_ne!(seg.file_id(), other.file_id());
}

/// Rewrites the header of the segment file at `path`.
fn edit_header(path: &std::path::Path, f: impl FnOnce(&mut Header)) {
    let mut bytes = std::fs::read(path).unwrap();
    let n = std::mem::size_of::<Header>();
    let mut h: Header = bytemuck::pod_read_unaligned(&bytes[..n]);
    f(&mut h);
    bytes[..n].copy_from_slice(bytemuck::bytes_of(&h));
    std::fs::write(path, &bytes).unwrap();
}

#[test]
fn a_segment_from_a_newer_layout_is_refused_and_left_alone() {
    let _g = serial();
    let t = TempSeg::new("newer");
    drop(t.open());
    edit_header(&t.0, |h| h.layout_version += 1);
    let before = std::fs::read(&t.0).unwrap();
    let ino = inode(&t.0);
    let e = t.refusal(&options());
    assert!(e.contains("newer build of presence"), "{e}");
    assert!(e.contains(&t.0.display().to_string()), "{e}");
    assert_eq!(inode(&t.0), ino);
    assert!(
        std::fs::read(&t.0).unwrap() == before,
        "the file was changed"
    );
}

#[test]
fn temporary_files_of_a_builder_that_died_are_swept_but_young_ones_kept() {
    let _g = serial();
    let t = TempSeg::new("sweep");
    let name = t.0.file_name().unwrap().to_string_lossy().into_owned();
    let abandoned = t.0.with_file_name(format!("{name}.new.99999.1"));
    let young = t.0.with_file_name(format!("{name}.new.99999.2"));
    for p in [&abandoned, &young] {
        std::fs::write(p, b"half a segment").unwrap();
    }
    let f = std::fs::File::options()
        .write(true)
        .open(&abandoned)
        .unwrap();
    f.set_modified(std::time::SystemTime::now() - Duration::from_secs(3600))
        .unwrap();
    drop(f);
    write_stale(&t.0);
    drop(t.open());
    assert!(!abandoned.exists());
    assert!(young.exists());
    std::fs::remove_file(&young).unwrap();
}

fn mode_of(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Only root can hand a file to another user; the ownership tests need that.
fn root() -> bool {
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    if !root {
        eprintln!("skipped: needs root to chown a file to another user");
    }
    root
}

#[test]
fn a_valid_looking_world_writable_segment_planted_by_another_user_is_refused_untouched() {
    use std::os::unix::fs::MetadataExt;
    let _g = serial();
    if !root() {
        return;
    }
    let t = TempSeg::new("planted");
    drop(t.open());
    chmod(&t.0, 0o666);
    std::os::unix::fs::chown(&t.0, Some(12345), Some(12345)).unwrap();
    let before = std::fs::read(&t.0).unwrap();
    let e = t.refusal(&options());
    for part in [
        &t.0.display().to_string(),
        "uid 12345",
        "mode 0666",
        "uid 0 (root)",
        "Delete it",
    ] {
        assert!(e.contains(part), "{part:?} missing from: {e}");
    }
    let m = std::fs::metadata(&t.0).unwrap();
    assert_eq!((m.uid(), mode_of(&t.0)), (12345, 0o666));
    assert!(
        std::fs::read(&t.0).unwrap() == before,
        "the planted file was changed"
    );

    // Owner-only but still another user's: refused just the same.
    chmod(&t.0, 0o600);
    let e = t.refusal(&options());
    assert!(e.contains("belongs to uid 12345"), "{e}");
}

#[test]
fn a_group_shared_segment_is_accepted_only_from_one_of_our_groups() {
    let _g = serial();
    if !root() {
        return;
    }
    let t = TempSeg::new("group");
    let shared = Options {
        mode: 0o660,
        ..options()
    };
    drop(t.open_with(&shared));
    assert_eq!(mode_of(&t.0), 0o660);
    // Another user's file in our group: fine when sharing is asked for, refused otherwise.
    std::os::unix::fs::chown(&t.0, Some(12345), Some(0)).unwrap();
    drop(t.open_with(&shared));
    let e = t.refusal(&options());
    assert!(e.contains("presence.shm_mode=0660"), "{e}");
    // Another user's file in another group: refused even when sharing.
    std::os::unix::fs::chown(&t.0, Some(12345), Some(12345)).unwrap();
    let e = t.refusal(&shared);
    assert!(e.contains("not one of ours"), "{e}");
}

#[test]
fn a_found_mode_is_only_ever_narrowed_and_other_users_bits_are_refused() {
    let _g = serial();
    let t = TempSeg::new("modes");
    drop(t.open());
    assert_eq!(mode_of(&t.0), 0o600);
    // Narrowed from a looser group mode to the configured one.
    chmod(&t.0, 0o660);
    drop(t.open());
    assert_eq!(mode_of(&t.0), 0o600);
    // Never widened to a looser configured mode.
    drop(t.open_with(&Options {
        mode: 0o660,
        ..options()
    }));
    assert_eq!(mode_of(&t.0), 0o600);
    // Anything for other users is refused, even on our own file, and left as found.
    chmod(&t.0, 0o604);
    let e = t.refusal(&options());
    assert!(e.contains("mode 0604 gives other users access"), "{e}");
    assert_eq!(mode_of(&t.0), 0o604);
    // And such a mode cannot be configured.
    let e = t.refusal(&Options {
        mode: 0o666,
        ..options()
    });
    assert!(e.contains("other users nothing"), "{e}");
}

#[test]
fn something_other_than_a_file_at_the_path_is_refused_without_blocking() {
    let _g = serial();
    let t = TempSeg::new("fifo");
    let c = std::ffi::CString::new(t.0.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let e = t.refusal(&options());
    assert!(e.contains("it is a FIFO"), "{e}");
}

/// Runs `f` in a child with a private mount namespace and a 2 MiB tmpfs at `dir`; false when this
/// machine does not let us mount one (not root, or no namespaces), so the caller can skip.
fn with_small_tmpfs(dir: &std::path::Path, f: impl FnOnce()) -> bool {
    std::fs::create_dir_all(dir).unwrap();
    let child = fork(|| {
        let target = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        // SAFETY: plain syscalls on valid NUL-terminated strings, in a child that exits after.
        let mounted = unsafe {
            libc::unshare(libc::CLONE_NEWNS) == 0
                && libc::mount(
                    c"none".as_ptr(),
                    c"/".as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ) == 0
                && libc::mount(
                    c"tmpfs".as_ptr(),
                    target.as_ptr(),
                    c"tmpfs".as_ptr(),
                    0,
                    c"size=2m".as_ptr().cast(),
                ) == 0
        };
        if !mounted {
            // SAFETY: leaves the child with a status meaning "skipped".
            unsafe { libc::_exit(77) };
        }
        f();
    });
    let code = exit_code(wait(child));
    let _ = std::fs::remove_dir(dir);
    if code == 77 {
        eprintln!("skipped: cannot mount a small tmpfs here");
        return false;
    }
    assert_eq!(code, 0, "the child failed");
    true
}

#[test]
fn a_segment_that_does_not_fit_its_file_system_fails_at_once_and_leaves_nothing() {
    let _g = serial();
    let dir = std::path::PathBuf::from(format!("/tmp/presence-small-tmpfs-{}", std::process::id()));
    with_small_tmpfs(&dir, || {
        let path = dir.join("seg");
        let big = Options {
            geometry: Geometry::from_budget(4, 4096, 4 << 20),
            ..options()
        };
        let needed = big.geometry.total_size() as u64;
        assert!(needed > 2 << 20);
        let e = Segment::open(&path, &big, 1000).err().unwrap();
        let presence::sys::OpenError::NoSpace {
            needed: n,
            free,
            size,
            ..
        } = &e
        else {
            panic!("not a NoSpace error: {e}");
        };
        assert_eq!(*n, needed);
        assert!(*size == 2 << 20 && *free <= *size, "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("2.0 MiB") && msg.contains(&path.display().to_string()),
            "{msg}"
        );
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert!(left.is_empty(), "files left behind: {left:?}");

        // One that fits is reserved in full at creation: the space is taken now, not at first touch.
        let small = Options {
            geometry: Geometry::from_budget(1, 64, 64 << 10),
            ..options()
        };
        let free_before = free_bytes(&dir);
        let seg = Segment::open(&path, &small, 1000).unwrap();
        let taken = free_before - free_bytes(&dir);
        assert!(
            taken >= small.geometry.total_size() as u64,
            "only {taken} bytes reserved"
        );
        drop(seg);
    });
}

fn free_bytes(dir: &std::path::Path) -> u64 {
    let c = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: statvfs fills the local on success (asserted).
    let st = unsafe {
        assert_eq!(libc::statvfs(c.as_ptr(), st.as_mut_ptr()), 0);
        st.assume_init()
    };
    st.f_bavail * st.f_frsize
}

#[test]
fn a_segment_whose_creator_cannot_share_our_mutexes_is_refused_and_left_alone() {
    let _g = serial();
    let t = TempSeg::new("abi");
    drop(t.open());
    let ours = presence::sys::abi::current();
    assert!(!ours.is_unset());
    edit_header(&t.0, |h| {
        assert_eq!(h.abi, ours, "the creator's fingerprint is recorded");
        h.abi.mutex_size += 8;
        h.abi.libc = presence::store::layout::Abi::MUSL;
    });
    let before = std::fs::read(&t.0).unwrap();
    let e = t.refusal(&options());
    for part in [
        "cannot share locks",
        "creator: musl",
        &format!("this process: {ours}"),
    ] {
        assert!(e.contains(part), "{part:?} missing from: {e}");
    }
    assert!(
        std::fs::read(&t.0).unwrap() == before,
        "the segment was changed"
    );
    // Even with another layout version: a build that cannot share the mutexes never replaces it.
    edit_header(&t.0, |h| h.layout_version = 1);
    let e = t.refusal(&options());
    assert!(e.contains("cannot share locks"), "{e}");
}

#[test]
fn a_libc_minor_version_apart_still_shares_and_a_layout_1_segment_is_replaced() {
    let _g = serial();
    let t = TempSeg::new("abi-minor");
    drop(t.open());
    edit_header(&t.0, |h| h.abi.libc_minor += 1);
    let ino = inode(&t.0);
    drop(t.open());
    assert_eq!(inode(&t.0), ino, "a libc update must not cost the segment");
    // Layout 1 had no fingerprint (zeros there) and is older: replaced.
    edit_header(&t.0, |h| {
        h.layout_version = 1;
        h.abi = bytemuck::Zeroable::zeroed();
    });
    drop(t.open());
    assert_ne!(inode(&t.0), ino);
}
