//! Helpers shared by the multi-process tests: a segment path per test, fork, pipes.
#![allow(dead_code)] // Each test binary uses its own subset.

use presence::store::layout::Geometry;
use presence::sys::{Options, Segment};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

// fork() in a threaded test harness is only safe while no other test thread runs.
static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub fn options() -> Options {
    Options {
        mode: 0o600,
        geometry: Geometry::from_budget(4, 4096, 4 << 20),
        lock_timeout: Duration::from_secs(5),
    }
}

/// A segment path in /dev/shm, removed when dropped.
pub struct TempSeg(pub PathBuf);

impl TempSeg {
    pub fn new(name: &str) -> Self {
        Self::in_dir(std::path::Path::new("/dev/shm"), name)
    }
    pub fn in_dir(dir: &std::path::Path, name: &str) -> Self {
        let p = dir.join(format!("presence-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&p);
        Self(p)
    }
    pub fn open(&self) -> Segment {
        Segment::open(&self.0, &options(), 1000).unwrap()
    }
    pub fn open_with(&self, opts: &Options) -> Segment {
        Segment::open(&self.0, opts, 1000).unwrap()
    }
    /// The message of an open that must fail.
    pub fn refusal(&self, opts: &Options) -> String {
        match Segment::open(&self.0, opts, 1000) {
            Ok(_) => panic!("{} opened, but should have been refused", self.0.display()),
            Err(e) => e.to_string(),
        }
    }
}

impl Drop for TempSeg {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Forks a child running `f`, which leaves with status 0 when `f` returns and 1 when it panics.
pub fn fork(f: impl FnOnce()) -> libc::pid_t {
    // SAFETY: test-only; `serial()` keeps other test threads parked, and the child leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let ok = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_ok();
        // SAFETY: ends the child without running the parent's atexit handlers or test harness.
        unsafe { libc::_exit(i32::from(!ok)) };
    }
    pid
}

/// Waits for a child; returns its raw wait status.
pub fn wait(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: waiting on our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    status
}

/// Exit code of a child that exited, or 128 + signal.
pub fn exit_code(status: i32) -> i32 {
    if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    }
}

/// Forks `n` children running `f(i)`; returns their exit statuses.
pub fn fork_all(n: u64, f: impl Fn(u64)) -> Vec<i32> {
    let pids: Vec<_> = (0..n).map(|i| fork(|| f(i))).collect();
    pids.into_iter().map(wait).collect()
}

/// A pipe for "I got here" signals from a child.
pub struct Pipe {
    r: libc::c_int,
    w: libc::c_int,
}

impl Pipe {
    pub fn new() -> Self {
        let mut fds = [0; 2];
        // SAFETY: plain pipe creation into a local array.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        Self {
            r: fds[0],
            w: fds[1],
        }
    }
    /// In the child: one byte to the parent.
    pub fn signal(&self) {
        // SAFETY: writing one byte from a static buffer to our pipe.
        unsafe { libc::write(self.w, b"x".as_ptr().cast(), 1) };
    }
    /// In the parent: waits for one byte; false when every writer exited first.
    pub fn wait(&self) -> bool {
        // SAFETY: closing our copy of the write end, so a child that dies reads as EOF.
        unsafe { libc::close(self.w) };
        let mut b = [0u8; 1];
        // SAFETY: a blocking read of one byte into a local buffer.
        unsafe { libc::read(self.r, b.as_mut_ptr().cast(), 1) == 1 }
    }
}

impl Pipe {
    /// In a child: blocks until the parent calls `release` (every child wakes at once).
    pub fn wait_for_close(&self) {
        // SAFETY: closing the child's copy of the write end, then reading until EOF.
        unsafe { libc::close(self.w) };
        let mut b = [0u8; 1];
        // SAFETY: a blocking read into a local buffer.
        while unsafe { libc::read(self.r, b.as_mut_ptr().cast(), 1) } > 0 {}
    }
    /// In the parent: wakes every child in `wait_for_close`.
    pub fn release(&self) {
        // SAFETY: closing our write end; the read end stays open until drop.
        unsafe { libc::close(self.w) };
    }
    /// In a child: a message of fixed size (≤ PIPE_BUF, so writes from children never interleave).
    pub fn send(&self, msg: &[u8]) {
        // SAFETY: writing a local buffer to our pipe.
        let n = unsafe { libc::write(self.w, msg.as_ptr().cast(), msg.len()) };
        assert_eq!(usize::try_from(n).ok(), Some(msg.len()));
    }
    /// In the parent, after every child exited: all bytes sent.
    pub fn collect(&self) -> Vec<u8> {
        // SAFETY: closing our write end so the read below ends at EOF.
        unsafe { libc::close(self.w) };
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            // SAFETY: reading into a local buffer.
            let n = unsafe { libc::read(self.r, buf.as_mut_ptr().cast(), buf.len()) };
            let Ok(n @ 1..) = usize::try_from(n) else {
                break;
            };
            out.extend_from_slice(&buf[..n]);
        }
        out
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // SAFETY: closing fds we own (a second close of `w` fails harmlessly with EBADF).
        unsafe {
            libc::close(self.r);
            libc::close(self.w);
        }
    }
}

pub fn signal(pid: libc::pid_t, sig: libc::c_int) {
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
}
