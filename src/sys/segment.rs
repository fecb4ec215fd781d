//! The shared segment: a file (normally on tmpfs) mapped `MAP_SHARED` by every process.
//!
//! Creation and attachment happen under `flock` on the file, so two processes starting at once
//! agree on one segment. A segment left unfinished by a crash, or written by a build with another
//! layout, is unlinked and replaced; processes still mapping the old inode keep working on it until
//! they restart, and never misread the new one.

use super::mutex;
use crate::store::layout::{Geometry, Header, LAYOUT_VERSION, LOCK_BYTES, MAGIC};
use crate::store::{ShardLocks, StoreError};
use std::ffi::CString;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};

/// The segment path when `presence.shm_path` is empty: one per Unix user, so pools running as
/// different users never share (or fight over) a segment.
pub fn default_path() -> PathBuf {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    PathBuf::from(format!("/dev/shm/php-presence-{uid}"))
}

/// A mapped segment. Safety contract, for every method below: `base..base+len` stays mapped
/// until drop, the header is valid (checked in `attach`), and shard bodies are only touched
/// while their mutex is held.
pub struct Segment {
    base: *mut u8,
    len: usize,
    geometry: Geometry,
    path: PathBuf,
}

// SAFETY: the mapping is shared memory guarded by process-shared mutexes; moving the handle to
// another thread does not change who may touch which bytes.
unsafe impl Send for Segment {}
// SAFETY: as above; all shared access goes through the shard mutexes or atomics.
unsafe impl Sync for Segment {}

fn err(path: &Path, what: &str, e: &io::Error) -> StoreError {
    StoreError::Segment(format!(
        "presence: cannot {what} the shared memory segment {} ({e}); check presence.shm_path and its directory's permissions",
        path.display()
    ))
}

fn cpath(path: &Path) -> Result<CString, StoreError> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| StoreError::Segment("presence.shm_path must not contain NUL bytes".into()))
}

fn same_inode(f: &File, path: &Path) -> bool {
    match (f.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => {
            use std::os::unix::fs::MetadataExt;
            a.dev() == b.dev() && a.ino() == b.ino()
        }
        _ => false,
    }
}

enum Found {
    Ready(Segment),
    /// Unfinished or from another layout: replace it.
    Stale,
}

impl Segment {
    /// Opens the segment at `path`, creating it with `mode` and `want` if it does not exist.
    /// An existing compatible segment keeps its own geometry.
    pub fn open(path: &Path, mode: u32, want: Geometry, now: i64) -> Result<Segment, StoreError> {
        let c = cpath(path)?;
        for _ in 0..8 {
            // SAFETY: c is a valid NUL-terminated path; O_NOFOLLOW refuses a planted symlink.
            let fd = unsafe {
                libc::open(
                    c.as_ptr(),
                    libc::O_RDWR | libc::O_CREAT | libc::O_CLOEXEC | libc::O_NOFOLLOW,
                    mode as libc::c_uint,
                )
            };
            if fd < 0 {
                return Err(err(path, "open", &io::Error::last_os_error()));
            }
            // SAFETY: fd was just returned by open and is owned by nobody else.
            let file = unsafe { File::from_raw_fd(fd) };
            // SAFETY: flock on an fd we own; released when `file` closes.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(err(path, "lock", &io::Error::last_os_error()));
            }
            if !same_inode(&file, path) {
                // Replaced while we waited for the lock: start over on the new file.
                continue;
            }
            let meta = file.metadata().map_err(|e| err(path, "stat", &e))?;
            let found = if meta.len() == 0 {
                Found::Ready(Self::create(&file, path, mode, want, now)?)
            } else {
                Self::attach(&file, path, mode, &meta)?
            };
            // The mapping keeps the open file description (and so the flock) alive after `file`
            // closes: release it explicitly or every later opener waits forever.
            // SAFETY: unlocking an fd we own.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
            match found {
                Found::Ready(seg) => return Ok(seg),
                Found::Stale => {
                    // Still holding the old inode's lock: nobody else can be creating here.
                    std::fs::remove_file(path).map_err(|e| err(path, "replace", &e))?;
                }
            }
        }
        Err(StoreError::Segment(format!(
            "presence: the segment {} keeps changing under us; is another PHP build recreating it?",
            path.display()
        )))
    }

    fn map(file: &File, len: usize, path: &Path) -> Result<*mut u8, StoreError> {
        // SAFETY: mapping a regular file we opened read-write; len is its size.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                file.as_raw_fd(),
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(err(path, "map", &io::Error::last_os_error()));
        }
        Ok(p.cast())
    }

    fn create(
        file: &File,
        path: &Path,
        mode: u32,
        g: Geometry,
        now: i64,
    ) -> Result<Segment, StoreError> {
        let len = g.total_size();
        // The umask may have narrowed or widened nothing we want: set the mode explicitly.
        // SAFETY: fchmod/ftruncate on an fd we own.
        unsafe {
            if libc::fchmod(file.as_raw_fd(), mode as libc::mode_t) != 0 {
                return Err(err(path, "chmod", &io::Error::last_os_error()));
            }
            if libc::ftruncate(
                file.as_raw_fd(),
                libc::off_t::try_from(len).unwrap_or(libc::off_t::MAX),
            ) != 0
            {
                return Err(err(path, "size", &io::Error::last_os_error()));
            }
        }
        let base = Self::map(file, len, path)?;
        let mut seg = Segment {
            base,
            len,
            geometry: g,
            path: path.to_path_buf(),
        };
        for i in 0..g.shards {
            // SAFETY: the lock word of shard i lies inside the fresh mapping, 64-aligned, and no
            // other process can use it before the magic below is written.
            unsafe { mutex::init(seg.lock_word(i)) }.map_err(|e| err(path, "initialise", &e))?;
        }
        crate::store::Store::new(&seg).format(now.cast_unsigned() << 20)?;
        let header = Header {
            magic: 0,
            layout_version: LAYOUT_VERSION,
            shards: g.shards,
            slots_per_shard: g.slots_per_shard,
            blocks_per_shard: g.blocks_per_shard,
            shard_stride: g.shard_stride() as u64,
            total_size: len as u64,
            created: now,
            clock_offset: 0,
            hash_key: random_key().map_err(|e| err(path, "seed", &e))?,
            reserved: [0; 6],
        };
        let h = seg.header_bytes_mut();
        h.copy_from_slice(bytemuck::bytes_of(&header));
        // Magic last, after a fence: a reader that sees it sees everything before it.
        std::sync::atomic::fence(Ordering::Release);
        h[..8].copy_from_slice(&MAGIC.to_le_bytes());
        Ok(seg)
    }

    fn attach(
        file: &File,
        path: &Path,
        mode: u32,
        meta: &std::fs::Metadata,
    ) -> Result<Found, StoreError> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let len = usize::try_from(meta.len()).unwrap_or(0);
        if len < Geometry::header_size() {
            return Self::stale_if_ours(file, path);
        }
        let base = Self::map(file, len, path)?;
        let mut seg = Segment {
            base,
            len,
            geometry: Geometry {
                shards: 0,
                slots_per_shard: 0,
                blocks_per_shard: 0,
            },
            path: path.to_path_buf(),
        };
        let header: Header = *bytemuck::from_bytes(seg.header_bytes());
        if header.magic != MAGIC || header.layout_version != LAYOUT_VERSION {
            drop(seg);
            return Self::stale_if_ours(file, path);
        }
        let g = Geometry {
            shards: header.shards,
            slots_per_shard: header.slots_per_shard,
            blocks_per_shard: header.blocks_per_shard,
        };
        if g.shards == 0 || g.total_size() != len || header.total_size != len as u64 {
            return Ok(Found::Stale);
        }
        seg.geometry = g;
        // Tighten a segment left readable by others (an older, looser presence.shm_mode).
        // SAFETY: geteuid has no preconditions.
        if meta.uid() == unsafe { libc::geteuid() } && meta.permissions().mode() & 0o777 != mode {
            let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
        }
        Ok(Found::Ready(seg))
    }

    /// Only files that look like ours may be replaced: never delete an unrelated file that a
    /// wrong `presence.shm_path` points at.
    fn stale_if_ours(file: &File, path: &Path) -> Result<Found, StoreError> {
        use std::io::Read;
        let mut head = [0u8; 8];
        let n = (&*file).read(&mut head).unwrap_or(0);
        if n == 0 || head == [0; 8] || head[..7] == MAGIC.to_le_bytes()[..7] {
            Ok(Found::Stale)
        } else {
            Err(StoreError::Segment(format!(
                "presence: {} exists and is not a presence segment; point presence.shm_path elsewhere",
                path.display()
            )))
        }
    }

    fn header_bytes(&self) -> &[u8] {
        // SAFETY: the header lies at the start of the mapping (len ≥ header_size, checked by
        // callers); after creation only `clock_offset` changes, and only through atomics.
        unsafe { std::slice::from_raw_parts(self.base, std::mem::size_of::<Header>()) }
    }

    fn header_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above; only `create` writes, before the magic makes the segment usable.
        unsafe { std::slice::from_raw_parts_mut(self.base, std::mem::size_of::<Header>()) }
    }

    fn shard_offset(&self, i: u32) -> usize {
        Geometry::header_size() + self.geometry.shard_stride() * i as usize
    }

    fn lock_word(&self, i: u32) -> *mut u8 {
        // SAFETY: i < shards, so the offset is inside the mapping (total_size was checked).
        unsafe { self.base.add(self.shard_offset(i)) }
    }

    fn clock_cell(&self) -> &AtomicI64 {
        let off = std::mem::offset_of!(Header, clock_offset);
        // SAFETY: the field is 8-aligned (mapping is page-aligned, offset a multiple of 8) and
        // lives as long as the mapping; every process accesses it only atomically.
        unsafe { AtomicI64::from_ptr(self.base.add(off).cast()) }
    }

    /// Seconds the debug clock is ahead of the wall clock, for every process on this segment.
    pub fn clock_offset(&self) -> i64 {
        self.clock_cell().load(Ordering::Relaxed)
    }

    pub fn advance_clock(&self, secs: i64) -> i64 {
        self.clock_cell().fetch_add(secs, Ordering::Relaxed) + secs
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// 16 bytes from the OS for the segment's hash key.
fn random_key() -> io::Result<[u64; 2]> {
    let mut buf = [0u8; 16];
    let mut got = 0;
    while got < buf.len() {
        // SAFETY: writes at most `buf.len() - got` bytes into our local buffer.
        let n = unsafe { libc::getrandom(buf[got..].as_mut_ptr().cast(), buf.len() - got, 0) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        got += n.cast_unsigned();
    }
    let mut a = [0u8; 8];
    let mut b = [0u8; 8];
    a.copy_from_slice(&buf[..8]);
    b.copy_from_slice(&buf[8..]);
    Ok([u64::from_le_bytes(a), u64::from_le_bytes(b)])
}

impl Segment {
    /// Locks shard `i` and hands out its body for as long as the guard lives.
    #[allow(clippy::mut_from_ref)] // The shard's mutex, not `&mut self`, makes the body exclusive.
    fn lock_shard(&self, i: u32) -> Result<(mutex::Held, &mut [u8]), StoreError> {
        if i >= self.geometry.shards {
            return Err(StoreError::Corrupt);
        }
        // SAFETY: lock_word(i) is a mutex initialised at creation, inside our live mapping.
        let held =
            unsafe { mutex::lock(self.lock_word(i)) }.map_err(|e| err(&self.path, "lock", &e))?;
        let start = self.shard_offset(i) + LOCK_BYTES;
        let len = self.geometry.body().size;
        debug_assert!(start + len <= self.len);
        // SAFETY: the body is inside the mapping, and holding its mutex gives us exclusive access
        // until `held` drops; callers drop the body borrow first (see `with_shard(s)`).
        let body = unsafe { std::slice::from_raw_parts_mut(self.base.add(start), len) };
        Ok((held, body))
    }
}

impl ShardLocks for &Segment {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn hash_key(&self) -> [u64; 2] {
        bytemuck::from_bytes::<Header>(self.header_bytes()).hash_key
    }

    fn with_shard<R>(&self, i: u32, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, StoreError> {
        let (held, body) = self.lock_shard(i)?;
        let r = f(body, held.owner_died);
        drop(held);
        Ok(r)
    }

    fn with_shards<R>(
        &self,
        set: &[u32],
        f: impl FnOnce(&mut [&mut [u8]], &[bool]) -> R,
    ) -> Result<R, StoreError> {
        // Ascending and distinct: the one order every process takes locks in.
        if set.windows(2).any(|w| w[0] >= w[1]) {
            return Err(StoreError::Corrupt);
        }
        let mut held = Vec::with_capacity(set.len());
        let mut bodies = Vec::with_capacity(set.len());
        let mut died = Vec::with_capacity(set.len());
        for &i in set {
            // An error drops the locks taken so far.
            let (h, body) = self.lock_shard(i)?;
            died.push(h.owner_died);
            held.push(h);
            bodies.push(body);
        }
        let r = f(&mut bodies, &died);
        drop(bodies);
        drop(held);
        Ok(r)
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        // SAFETY: base/len describe a mapping we made and nobody else unmaps.
        unsafe {
            libc::munmap(self.base.cast(), self.len);
        }
    }
}
