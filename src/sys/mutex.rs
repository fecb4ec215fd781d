//! A process-shared, robust pthread mutex living in the segment.
//!
//! Robust means the kernel releases it when its owner dies: the next locker gets `EOWNERDEAD`
//! instead of waiting forever, the hang a killed worker causes in an ordinary lock. That locker repairs
//! the data, marks the mutex consistent and carries on.

use std::io;

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

/// Locks the mutex at `at`.
///
/// # Safety
/// `at` must point to a mutex initialised by [`init`] inside a mapping that outlives the `Held`.
#[allow(clippy::cast_ptr_alignment)] // As in `init`.
pub unsafe fn lock(at: *mut u8) -> io::Result<Held> {
    let m = at.cast::<libc::pthread_mutex_t>();
    // SAFETY: the caller guarantees `m` is an initialised process-shared mutex in a live mapping.
    match unsafe { libc::pthread_mutex_lock(m) } {
        0 => Ok(Held {
            m,
            owner_died: false,
        }),
        libc::EOWNERDEAD => Ok(Held {
            m,
            owner_died: true,
        }),
        rc => Err(io::Error::from_raw_os_error(rc)),
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
