//! A process-shared, robust pthread mutex living in the segment.
//!
//! Robust means the kernel releases it when its owner dies: the next locker gets `EOWNERDEAD`
//! instead of waiting forever, the hang a killed worker causes in an ordinary lock. That locker repairs
//! the data, marks the mutex consistent and carries on.
//!
//! A holder that is alive but stopped (SIGSTOP, a debugger, a frozen cgroup) releases nothing, so
//! every wait is bounded: [`lock`] gives up after a timeout, and [`try_lock`] does not wait at all.

use std::io;
use std::time::{Duration, Instant};

/// Bytes one mutex may occupy (`pthread_mutex_t` is 40 on x86-64 and aarch64 glibc).
pub const MUTEX_BYTES: usize = 64;
const _: () = assert!(std::mem::size_of::<libc::pthread_mutex_t>() <= MUTEX_BYTES);

/// Initialises a robust, process-shared mutex at `at`.
///
/// # Safety
/// `at` must point to `MUTEX_BYTES` writable bytes, aligned to 8, that no process is using as a
/// mutex right now (the segment is being created under the creation file lock).
#[allow(clippy::cast_ptr_alignment)] // Lock words sit at 64-byte offsets of a page-aligned mapping.
pub unsafe fn init(at: *mut u8) -> io::Result<()> {
    let m = at.cast::<libc::pthread_mutex_t>();
    let mut attr = std::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
    // SAFETY: attr is a local out-parameter initialised by pthread_mutexattr_init before any other use.
    unsafe {
        check(libc::pthread_mutexattr_init(attr.as_mut_ptr()))?;
        let r = check(libc::pthread_mutexattr_setpshared(
            attr.as_mut_ptr(),
            libc::PTHREAD_PROCESS_SHARED,
        ))
        .and_then(|()| {
            check(libc::pthread_mutexattr_setrobust(
                attr.as_mut_ptr(),
                libc::PTHREAD_MUTEX_ROBUST,
            ))
        })
        .and_then(|()| check(libc::pthread_mutex_init(m, attr.as_ptr())));
        libc::pthread_mutexattr_destroy(attr.as_mut_ptr());
        r
    }
}

fn check(rc: libc::c_int) -> io::Result<()> {
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::from_raw_os_error(rc))
    }
}

/// A held lock. Dropping it unlocks, after marking the mutex consistent if its last owner died.
#[must_use]
pub struct Held {
    m: *mut libc::pthread_mutex_t,
    pub owner_died: bool,
}

fn held(m: *mut libc::pthread_mutex_t, rc: libc::c_int) -> io::Result<Option<Held>> {
    match rc {
        0 => Ok(Some(Held {
            m,
            owner_died: false,
        })),
        libc::EOWNERDEAD => Ok(Some(Held {
            m,
            owner_died: true,
        })),
        libc::EBUSY | libc::ETIMEDOUT => Ok(None),
        rc => Err(io::Error::from_raw_os_error(rc)),
    }
}

/// Locks the mutex at `at`, waiting at most `timeout` for another holder to let go. A holder that
/// died is not waited for: its lock comes back with `owner_died` set.
///
/// # Errors
/// `ErrorKind::TimedOut` when the mutex stayed held for all of `timeout` (its holder is alive but
/// stopped, stuck, or just slow); other errors come from pthread.
///
/// # Safety
/// `at` must point to a mutex initialised by [`init`] inside a mapping that outlives the `Held`.
#[allow(clippy::cast_ptr_alignment)] // As in `init`.
pub unsafe fn lock(at: *mut u8, timeout: Duration) -> io::Result<Held> {
    // SAFETY: forwarded from the caller.
    if let Some(h) = unsafe { try_lock(at) }? {
        return Ok(h);
    }
    let m = at.cast::<libc::pthread_mutex_t>();
    let start = Instant::now();
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(io::Error::from(io::ErrorKind::TimedOut));
        }
        // pthread_mutex_timedlock takes a CLOCK_REALTIME deadline: a wall-clock step forward can
        // end a wait early, so the loop measures what is left on the monotonic clock.
        let deadline = realtime_after(left);
        // SAFETY: the caller guarantees `m` is an initialised process-shared mutex in a live
        // mapping; `deadline` is a valid timespec on our stack.
        if let Some(h) = held(m, unsafe {
            libc::pthread_mutex_timedlock(m, &raw const deadline)
        })? {
            return Ok(h);
        }
    }
}

/// Takes the mutex at `at` if nobody holds it, without waiting: `None` when it is held. For callers
/// that take several locks and must not wait on one while holding another.
///
/// # Safety
/// As for [`lock`].
#[allow(clippy::cast_ptr_alignment)] // As in `init`.
pub unsafe fn try_lock(at: *mut u8) -> io::Result<Option<Held>> {
    let m = at.cast::<libc::pthread_mutex_t>();
    // SAFETY: the caller guarantees `m` is an initialised process-shared mutex in a live mapping.
    held(m, unsafe { libc::pthread_mutex_trylock(m) })
}

// `time_t` and `c_long` are 32 bits on some targets, where these conversions can fail.
#[allow(clippy::unnecessary_fallible_conversions)]
fn realtime_after(d: Duration) -> libc::timespec {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec to a valid local; CLOCK_REALTIME always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &raw mut now) };
    let at = Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    ) + d;
    libc::timespec {
        tv_sec: libc::time_t::try_from(at.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_nsec: libc::c_long::try_from(at.subsec_nanos()).unwrap_or(0),
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // SAFETY: this process holds `m` (we only build Held after a successful lock), and the
        // mapping outlives Held per `lock`'s contract. Errors cannot be acted on here.
        unsafe {
            if self.owner_died {
                libc::pthread_mutex_consistent(self.m);
            }
            libc::pthread_mutex_unlock(self.m);
        }
    }
}
