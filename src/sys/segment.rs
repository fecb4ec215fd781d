//! The shared segment: a file (normally on tmpfs) mapped `MAP_SHARED` by every process.
//!
//! Opening happens under an exclusive `flock` on the file the path names, so processes starting at
//! once agree on one segment. The path only ever names a complete segment (or an empty placeholder
//! that a creator holds locked): a new segment is built in a temporary file in the same directory,
//! fully initialised, then `rename()`d over the path while the lock on the file it replaces is still
//! held. A process that was waiting for that lock then finds the path names another file and starts
//! over on it. A segment left unfinished, or written by a build with an older layout, is replaced
//! this way; one from a newer layout is refused, so two builds running side by side never take turns
//! replacing each other's segment. Processes still mapping a replaced file notice on their next
//! request ([`Segment::is_current`]) and open the new one.

use super::{abi, mutex, ownership};
use crate::store::layout::{Abi, Geometry, Header, ABI_OFFSET, LAYOUT_VERSION, LOCK_BYTES, MAGIC};
use crate::store::{ShardLocks, StoreError};
use std::ffi::CString;
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// The segment path when `presence.shm_path` is empty: one per Unix user, so pools running as
/// different users never share (or fight over) a segment.
pub fn default_path() -> PathBuf {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let uid = unsafe { libc::geteuid() };
    PathBuf::from(format!("/dev/shm/php-presence-{uid}"))
}

/// How this process opens (and, if need be, creates) a segment.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Mode of a segment this process creates.
    pub mode: u32,
    /// Geometry of a segment this process creates; a found segment keeps its own.
    pub geometry: Geometry,
    /// The longest wait for a shard lock before giving up.
    pub lock_timeout: Duration,
}

/// Why a segment could not be opened. The message names the path and what to do.
#[derive(Debug)]
pub enum OpenError {
    /// The file system could not reserve a new segment of `needed` bytes: `free` of `size` bytes
    /// were left. Nothing was created.
    NoSpace {
        path: PathBuf,
        needed: u64,
        free: u64,
        size: u64,
    },
    Failed(String),
}

/// Bytes for people: `35.2 MiB`, `512 KiB`, `100 bytes`.
pub fn human_size(bytes: u64) -> String {
    #[allow(clippy::cast_precision_loss)] // One decimal is all a message shows.
    let b = bytes as f64;
    match bytes {
        0..1024 => format!("{bytes} bytes"),
        1024..0x10_0000 => format!("{:.1} KiB", b / 1024.0),
        0x10_0000..0x4000_0000 => format!("{:.1} MiB", b / f64::from(1 << 20)),
        _ => format!("{:.1} GiB", b / f64::from(1 << 30)),
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::NoSpace {
                path,
                needed,
                free,
                size,
            } => write!(
                f,
                "presence: no room for the segment {}: it needs {}, and its file system has {} free of {}; make the segment smaller or the file system bigger. Nothing was created",
                path.display(),
                human_size(*needed),
                human_size(*free),
                human_size(*size)
            ),
            OpenError::Failed(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for OpenError {}

impl From<OpenError> for StoreError {
    fn from(e: OpenError) -> Self {
        StoreError::Segment(e.to_string())
    }
}

/// A mapped segment. Safety contract, for every method below: `base..base+len` stays mapped
/// until drop, the header is valid (checked by `inspect` or written by `build`), and shard bodies
/// are only touched while their mutex is held.
pub struct Segment {
    base: *mut u8,
    len: usize,
    geometry: Geometry,
    path: PathBuf,
    lock_timeout: Duration,
    /// Device and inode of the mapped file.
    id: (u64, u64),
    /// The header's hash key (fixed once the segment exists; read once, at open).
    hash_key: [u64; 2],
}

// SAFETY: the mapping is shared memory guarded by process-shared mutexes; moving the handle to
// another thread does not change who may touch which bytes.
unsafe impl Send for Segment {}
// SAFETY: as above; all shared access goes through the shard mutexes or atomics.
unsafe impl Sync for Segment {}

fn message(path: &Path, what: &str, e: &io::Error) -> String {
    format!(
        "presence: cannot {what} the shared memory segment {} ({e}); check presence.shm_path and its directory's permissions",
        path.display()
    )
}

fn failed(path: &Path, what: &str, e: &io::Error) -> OpenError {
    OpenError::Failed(message(path, what, e))
}

fn cpath(path: &Path) -> Result<CString, OpenError> {
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| OpenError::Failed("presence.shm_path must not contain NUL bytes".into()))
}

fn same_inode(f: &File, path: &Path) -> bool {
    match (f.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

fn file_id(f: &File) -> (u64, u64) {
    f.metadata().map_or((0, 0), |m| (m.dev(), m.ino()))
}

/// What the file at the path holds.
enum Found {
    /// Usable: its geometry and hash key.
    Ready(Geometry, [u64; 2]),
    /// Empty, unfinished, or from an older layout: replace it.
    Stale,
}

/// Temporary files are `<segment>.new.<pid>.<n>` next to the segment.
fn temp_prefix(path: &Path) -> String {
    format!(
        "{}.new.",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    )
}

/// A builder killed mid-build leaves its temporary file: remove ours older than a minute (a build
/// takes milliseconds; the age keeps a live builder's file safe).
fn sweep_abandoned(path: &Path) {
    let (Some(dir), prefix) = (path.parent(), temp_prefix(path)) else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    for e in entries.flatten() {
        if !e.file_name().to_string_lossy().starts_with(&prefix) {
            continue;
        }
        let Ok(m) = e.path().symlink_metadata() else {
            continue;
        };
        let old = m
            .modified()
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > Duration::from_mins(1));
        if m.file_type().is_file() && m.uid() == me && old {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn unlock(file: &File) {
    // SAFETY: unlocking an fd we own.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
}

impl Segment {
    /// Opens the segment at `path`, creating it as `opts` say if it does not exist.
    /// An existing compatible segment keeps its own geometry.
    pub fn open(path: &Path, opts: &Options, now: i64) -> Result<Segment, OpenError> {
        if opts.mode & !0o770 != 0 || opts.mode & 0o600 != 0o600 {
            return Err(OpenError::Failed(format!(
                "presence: a segment's mode must give its owner read and write and other users nothing (got {:04o})",
                opts.mode
            )));
        }
        let c = cpath(path)?;
        for _ in 0..8 {
            let Some(file) = Self::open_locked(&c, path, opts.mode)? else {
                // Replaced while we waited for the lock: start over on the new file.
                continue;
            };
            let seg = Self::open_under_lock(&file, path, opts, now);
            // A mapping keeps the open file description (and so the flock) alive after `file`
            // closes: release it explicitly or every later opener waits forever.
            unlock(&file);
            return seg;
        }
        Err(OpenError::Failed(format!(
            "presence: the segment {} keeps changing under us; is another PHP build recreating it?",
            path.display()
        )))
    }

    /// Opens (creating an empty placeholder if nothing is there) and locks the file at the path;
    /// `None` when the path names another file by the time the lock is ours.
    fn open_locked(c: &CString, path: &Path, mode: u32) -> Result<Option<File>, OpenError> {
        // SAFETY: c is a valid NUL-terminated path; O_NOFOLLOW refuses a planted symlink and
        // O_NONBLOCK keeps a planted FIFO from blocking us (the file type is checked next).
        let fd = unsafe {
            libc::open(
                c.as_ptr(),
                libc::O_RDWR
                    | libc::O_CREAT
                    | libc::O_CLOEXEC
                    | libc::O_NOFOLLOW
                    | libc::O_NONBLOCK,
                mode as libc::c_uint,
            )
        };
        if fd < 0 {
            return Err(failed(path, "open", &io::Error::last_os_error()));
        }
        // SAFETY: fd was just returned by open and is owned by nobody else.
        let file = unsafe { File::from_raw_fd(fd) };
        // SAFETY: flock on an fd we own; released by `unlock` or when the last fd closes.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(failed(path, "lock", &io::Error::last_os_error()));
        }
        Ok(same_inode(&file, path).then_some(file))
    }

    /// With the path's file locked: maps it, or replaces it.
    fn open_under_lock(
        file: &File,
        path: &Path,
        opts: &Options,
        now: i64,
    ) -> Result<Segment, OpenError> {
        let meta = file.metadata().map_err(|e| failed(path, "stat", &e))?;
        // Before anything is read or replaced: a file planted by another user is never trusted.
        ownership::check(&meta, path, opts.mode).map_err(OpenError::Failed)?;
        let found = Self::inspect(file, path, &meta)?;
        ownership::narrow(file, &meta, path, opts.mode).map_err(OpenError::Failed)?;
        match found {
            Found::Ready(g, hash_key) => {
                let len = g.total_size();
                let base = Self::map(file, len, path)?;
                Ok(Segment {
                    base,
                    len,
                    geometry: g,
                    path: path.to_path_buf(),
                    lock_timeout: opts.lock_timeout,
                    id: (meta.dev(), meta.ino()),
                    hash_key,
                })
            }
            Found::Stale => {
                let built = Self::build(path, opts, now);
                if built.is_err() && meta.len() == 0 {
                    // An empty placeholder (ours: made just now, or left by a crash) would only
                    // make the next opener try again: leave no file at all. We still hold its lock.
                    let _ = std::fs::remove_file(path);
                }
                let (seg, temp) = built?;
                if let Err(e) = std::fs::rename(&temp, path) {
                    let _ = std::fs::remove_file(&temp);
                    return Err(failed(path, "replace", &e));
                }
                Ok(seg)
            }
        }
    }

    /// Reads the header of the file at the path and decides whether to use or replace it.
    fn inspect(file: &File, path: &Path, meta: &std::fs::Metadata) -> Result<Found, OpenError> {
        if meta.len() == 0 {
            return Ok(Found::Stale);
        }
        let mut raw = [0u8; std::mem::size_of::<Header>()];
        let mut n = 0;
        while n < raw.len() {
            match file.read_at(&mut raw[n..], n as u64) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(failed(path, "read", &e)),
            }
        }
        let magic = MAGIC.to_le_bytes();
        if raw[..8] != magic {
            // Only files that look like ours may be replaced: never an unrelated file that a wrong
            // presence.shm_path points at.
            return if raw[..8] == [0; 8] || raw[..7] == magic[..7] {
                Ok(Found::Stale)
            } else {
                Err(OpenError::Failed(format!(
                    "presence: {} exists and is not a presence segment; point presence.shm_path elsewhere",
                    path.display()
                )))
            };
        }
        if n < raw.len() {
            return Ok(Found::Stale);
        }
        // Before the version: a process that cannot share the creator's mutexes must not replace
        // the segment either, since the creator and its peers may still be using it.
        let theirs: Abi =
            bytemuck::pod_read_unaligned(&raw[ABI_OFFSET..ABI_OFFSET + std::mem::size_of::<Abi>()]);
        let ours = abi::current();
        if !theirs.is_unset() && !theirs.compatible(&ours) {
            return Err(OpenError::Failed(format!(
                "presence: refusing the segment {}: its creator cannot share locks with this process (creator: {theirs}; this process: {ours}). It is left alone, since processes of that build may be using it: run every PHP process that shares presence.shm_path on one platform, or give this one its own presence.shm_path",
                path.display()
            )));
        }
        let header: Header = bytemuck::pod_read_unaligned(&raw);
        if header.layout_version > LAYOUT_VERSION {
            return Err(OpenError::Failed(format!(
                "presence: the segment {} was created by a newer build of presence (layout {}; this one has {}); restart every PHP process (php-fpm and CLI) on the same build, or delete the file to go back to this one",
                path.display(),
                header.layout_version,
                LAYOUT_VERSION
            )));
        }
        if header.layout_version != LAYOUT_VERSION {
            return Ok(Found::Stale);
        }
        let g = Geometry {
            shards: header.shards,
            slots_per_shard: header.slots_per_shard,
            blocks_per_shard: header.blocks_per_shard,
        };
        let len = meta.len();
        if g.shards == 0 || g.total_size() as u64 != len || header.total_size != len {
            return Ok(Found::Stale);
        }
        Ok(Found::Ready(g, header.hash_key))
    }

    fn map(file: &File, len: usize, path: &Path) -> Result<*mut u8, OpenError> {
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
            return Err(failed(path, "map", &io::Error::last_os_error()));
        }
        Ok(p.cast())
    }

    /// Creates a temporary file next to `path` that nobody else can have opened.
    fn create_temp(path: &Path, mode: u32) -> Result<(File, PathBuf), OpenError> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let prefix = temp_prefix(path);
        let dir = path.parent().unwrap_or(Path::new("."));
        for _ in 0..16 {
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let temp = dir.join(format!(
                "{prefix}{}.{}{nanos:x}",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed)
            ));
            let c = cpath(&temp)?;
            // SAFETY: c is a valid NUL-terminated path; O_EXCL|O_NOFOLLOW only ever makes a new file.
            let fd = unsafe {
                libc::open(
                    c.as_ptr(),
                    libc::O_RDWR
                        | libc::O_CREAT
                        | libc::O_EXCL
                        | libc::O_CLOEXEC
                        | libc::O_NOFOLLOW,
                    mode as libc::c_uint,
                )
            };
            if fd >= 0 {
                // SAFETY: fd was just returned by open and is owned by nobody else.
                return Ok((unsafe { File::from_raw_fd(fd) }, temp));
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::AlreadyExists {
                return Err(failed(path, "create", &e));
            }
        }
        Err(OpenError::Failed(format!(
            "presence: cannot find a free temporary name next to {}; remove stale {prefix}* files",
            path.display()
        )))
    }

    /// Builds a complete segment in a temporary file; returns it mapped, with the file's path.
    /// On failure the temporary file is gone.
    fn build(path: &Path, opts: &Options, now: i64) -> Result<(Segment, PathBuf), OpenError> {
        sweep_abandoned(path);
        let (file, temp) = Self::create_temp(path, opts.mode)?;
        match Self::format(&file, path, opts, now) {
            Ok(seg) => Ok((seg, temp)),
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(e)
            }
        }
    }

    /// Allocates every page now. A sparse file on a small tmpfs (Docker's is 64 MiB) would fail
    /// later, on the first touch of a page it cannot back: SIGBUS, with a shard lock held.
    #[allow(clippy::useless_conversion)] // statvfs counts are 32-bit on some targets.
    fn reserve(file: &File, path: &Path, len: usize) -> Result<(), OpenError> {
        let end = libc::off_t::try_from(len).unwrap_or(libc::off_t::MAX);
        // SAFETY: posix_fallocate on an fd we own; it returns the error instead of setting errno.
        let rc = unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, end) };
        match rc {
            0 => Ok(()),
            libc::ENOSPC | libc::EFBIG => {
                let mut st = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
                // SAFETY: fstatvfs fills the zeroed local on success; on failure it stays zero.
                let st = unsafe {
                    libc::fstatvfs(file.as_raw_fd(), st.as_mut_ptr());
                    st.assume_init()
                };
                let frsize = u64::from(st.f_frsize);
                Err(OpenError::NoSpace {
                    path: path.to_path_buf(),
                    needed: len as u64,
                    free: u64::from(st.f_bavail) * frsize,
                    size: u64::from(st.f_blocks) * frsize,
                })
            }
            rc => Err(failed(
                path,
                "reserve memory for",
                &io::Error::from_raw_os_error(rc),
            )),
        }
    }

    fn format(file: &File, path: &Path, opts: &Options, now: i64) -> Result<Segment, OpenError> {
        let g = opts.geometry;
        let len = g.total_size();
        // The umask may have narrowed or widened the mode: set it explicitly.
        // SAFETY: fchmod/ftruncate on an fd we own.
        unsafe {
            if libc::fchmod(file.as_raw_fd(), opts.mode as libc::mode_t) != 0 {
                return Err(failed(path, "chmod", &io::Error::last_os_error()));
            }
            if libc::ftruncate(
                file.as_raw_fd(),
                libc::off_t::try_from(len).unwrap_or(libc::off_t::MAX),
            ) != 0
            {
                return Err(failed(path, "size", &io::Error::last_os_error()));
            }
        }
        Self::reserve(file, path, len)?;
        let hash_key = random_key().map_err(|e| failed(path, "seed", &e))?;
        let base = Self::map(file, len, path)?;
        let mut seg = Segment {
            base,
            len,
            geometry: g,
            path: path.to_path_buf(),
            lock_timeout: opts.lock_timeout,
            id: file_id(file),
            hash_key,
        };
        for i in 0..g.shards {
            // SAFETY: the lock word of shard i lies inside the fresh mapping, 64-aligned, and no
            // other process can see this file before it is renamed into place.
            unsafe { mutex::init(seg.lock_word(i)) }.map_err(|e| failed(path, "initialise", &e))?;
        }
        crate::store::Store::new(&seg)
            .format(now.cast_unsigned() << 20)
            .map_err(|e| OpenError::Failed(format!("presence: {e}")))?;
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
            abi: abi::current(),
            hash_key: seg.hash_key,
            reserved: [0; 4],
        };
        let h = seg.header_bytes_mut();
        h.copy_from_slice(bytemuck::bytes_of(&header));
        // Magic last, after a fence: a reader that sees it sees everything before it.
        std::sync::atomic::fence(Ordering::Release);
        h[..8].copy_from_slice(&MAGIC.to_le_bytes());
        Ok(seg)
    }

    fn header_bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: the header lies at the start of the mapping (len ≥ header_size); only `format`
        // writes it, before the file is renamed into place, when no other process can map it.
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

    /// Seconds the debug clock is ahead of the wall clock, for the processes on this segment that
    /// honour it (those with `presence.debug_clock=1`).
    pub fn clock_offset(&self) -> i64 {
        self.clock_cell().load(Ordering::Relaxed)
    }

    pub fn advance_clock(&self, secs: i64) -> i64 {
        self.clock_cell().fetch_add(secs, Ordering::Relaxed) + secs
    }

    /// Sets the debug offset back to 0; returns what it was.
    pub fn reset_clock(&self) -> i64 {
        self.clock_cell().swap(0, Ordering::Relaxed)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The geometry this segment was created with (the settings may ask for another one now).
    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    /// Device and inode of the mapped file.
    pub fn file_id(&self) -> (u64, u64) {
        self.id
    }

    /// Whether the path still names the file this process maps (one `lstat`). False once the
    /// segment was replaced or deleted: the caller should open it again.
    pub fn is_current(&self) -> bool {
        std::fs::symlink_metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) == self.id)
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
    fn check_shard(&self, i: u32) -> Result<(), StoreError> {
        if i < self.geometry.shards {
            Ok(())
        } else {
            Err(StoreError::Corrupt)
        }
    }

    /// Takes shard `i`'s lock, waiting at most `presence.lock_timeout_ms`.
    fn lock(&self, i: u32) -> Result<mutex::Held, StoreError> {
        self.check_shard(i)?;
        // SAFETY: lock_word(i) is a mutex initialised at creation, inside our live mapping, which
        // outlives the guard (the guard never leaves a `with_shard`-style call on `self`).
        unsafe { mutex::lock(self.lock_word(i), self.lock_timeout) }.map_err(|e| {
            if e.kind() == io::ErrorKind::TimedOut {
                self.busy(i)
            } else {
                StoreError::Segment(message(&self.path, "lock", &e))
            }
        })
    }

    /// Like `with_shard`, but `Ok(None)` at once, without waiting, when another process holds the
    /// lock: for callers that take several shard locks and must not wait while holding one.
    pub fn try_with_shard<R>(
        &self,
        i: u32,
        f: impl FnOnce(&mut [u8], bool) -> R,
    ) -> Result<Option<R>, StoreError> {
        self.check_shard(i)?;
        // SAFETY: as in `lock`.
        let held = unsafe { mutex::try_lock(self.lock_word(i)) }
            .map_err(|e| StoreError::Segment(message(&self.path, "lock", &e)))?;
        Ok(held.map(|held| {
            // SAFETY: we hold shard i's mutex for as long as `held` lives, which outlasts this borrow.
            let r = f(unsafe { self.body(i) }, held.owner_died);
            drop(held);
            r
        }))
    }

    /// The message for a lock that stayed held for the whole timeout.
    fn busy(&self, i: u32) -> StoreError {
        StoreError::Segment(format!(
            "presence: gave up after {} ms (presence.lock_timeout_ms) waiting for shard {i}'s lock in {}: another process holds it and is stopped or stuck (SIGSTOP, a debugger, a frozen cgroup); this shard's rooms are unavailable until it resumes or exits (`fuser -v {}` lists the processes using the segment)",
            self.lock_timeout.as_millis(),
            self.path.display(),
            self.path.display(),
        ))
    }

    /// Shard `i`'s body.
    ///
    /// # Safety
    /// The caller holds shard `i`'s lock (checked in range) for as long as the slice lives.
    #[allow(clippy::mut_from_ref)] // The shard lock, not `&mut self`, makes the access exclusive.
    unsafe fn body(&self, i: u32) -> &mut [u8] {
        let start = self.shard_offset(i) + LOCK_BYTES;
        let len = self.geometry.body().size;
        debug_assert!(start + len <= self.len);
        // SAFETY: the body lies inside the mapping (total_size was checked at attach), and the
        // caller's lock makes this the only access for the slice's life.
        unsafe { std::slice::from_raw_parts_mut(self.base.add(start), len) }
    }
}

impl ShardLocks for &Segment {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn hash_key(&self) -> [u64; 2] {
        self.hash_key
    }

    fn with_shard<R>(&self, i: u32, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, StoreError> {
        let held = self.lock(i)?;
        // SAFETY: we hold shard i's mutex for as long as `held` lives, which outlasts this borrow.
        let r = f(unsafe { self.body(i) }, held.owner_died);
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
        let mut died = Vec::with_capacity(set.len());
        for &i in set {
            // An error drops the locks taken so far.
            let h = self.lock(i)?;
            died.push(h.owner_died);
            held.push(h);
        }
        // SAFETY: we hold every listed shard's mutex until `held` drops, after `bodies`; the
        // shards are distinct (strictly ascending), so the slices never alias.
        let mut bodies: Vec<&mut [u8]> = set.iter().map(|&i| unsafe { self.body(i) }).collect();
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
