//! This process's ABI fingerprint: what it must share with a segment's creator to use the
//! process-shared mutexes in it. A glibc process and a musl one (a container sharing the host's
//! `/dev/shm`), or a 32-bit and a 64-bit PHP, lay `pthread_mutex_t` out differently: locking the
//! other's mutexes would corrupt them.

use crate::store::layout::Abi;
use std::sync::OnceLock;

/// The fingerprint of this process (computed once).
pub fn current() -> Abi {
    static ABI: OnceLock<Abi> = OnceLock::new();
    *ABI.get_or_init(|| {
        let (libc, libc_major, libc_minor) = libc_version();
        Abi {
            byte_order: if cfg!(target_endian = "little") { 1 } else { 2 },
            pointer_bytes: std::mem::size_of::<usize>() as u8,
            libc,
            robust_mutex: u8::from(robust_supported()),
            mutex_size: std::mem::size_of::<libc::pthread_mutex_t>() as u16,
            mutex_align: std::mem::align_of::<libc::pthread_mutex_t>() as u16,
            libc_major,
            libc_minor,
            reserved: [0; 4],
        }
    })
}

#[cfg(target_env = "gnu")]
fn libc_version() -> (u8, u16, u16) {
    // SAFETY: gnu_get_libc_version returns a static NUL-terminated string such as "2.36".
    let v = unsafe { std::ffi::CStr::from_ptr(libc::gnu_get_libc_version()) };
    let mut parts = v
        .to_str()
        .unwrap_or("")
        .split('.')
        .map(|p| p.parse::<u16>().unwrap_or(0));
    (
        Abi::GLIBC,
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[cfg(target_env = "musl")]
fn libc_version() -> (u8, u16, u16) {
    // musl has no version call; its mutex layout has been stable since 1.0.
    (Abi::MUSL, 1, 0)
}

#[cfg(not(any(target_env = "gnu", target_env = "musl")))]
fn libc_version() -> (u8, u16, u16) {
    (Abi::OTHER_LIBC, 0, 0)
}

/// Whether pthread accepts the robust attribute (every segment mutex needs it).
fn robust_supported() -> bool {
    let mut attr = std::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
    // SAFETY: attr is a local initialised by pthread_mutexattr_init before any other use, and
    // destroyed after.
    unsafe {
        if libc::pthread_mutexattr_init(attr.as_mut_ptr()) != 0 {
            return false;
        }
        let ok =
            libc::pthread_mutexattr_setrobust(attr.as_mut_ptr(), libc::PTHREAD_MUTEX_ROBUST) == 0;
        libc::pthread_mutexattr_destroy(attr.as_mut_ptr());
        ok
    }
}
