//! Whose segment this is: a file found at the path is only used when it belongs to us.
//!
//! The path is predictable (`/dev/shm/php-presence-{euid}` by default, in a directory every user
//! may write), so another local user can create it first, as a valid-looking segment, and then read
//! or forge every site's presence. So the file must be a regular file owned by our effective uid
//! (or, when `presence.shm_mode` shares the segment with a group, group-owned by one of our groups),
//! and must grant nothing to other users. A found mode is only ever narrowed to the configured one.

use std::fs::{File, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

/// Group permission bits: `presence.shm_mode` shares the segment with the file's group.
const GROUP: u32 = 0o070;
/// Permissions for every other user: never allowed on a segment.
const OTHER: u32 = 0o007;

/// The user's name, when the passwd database knows it.
fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 1024];
    loop {
        let mut pwd = std::mem::MaybeUninit::<libc::passwd>::uninit();
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is to a live local of the right type and `buf.len()` bytes; on
        // success `found` points at `pwd`, whose strings point into `buf`.
        let rc = unsafe {
            libc::getpwuid_r(
                uid,
                pwd.as_mut_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                &raw mut found,
            )
        };
        if rc == libc::ERANGE && buf.len() < 1 << 16 {
            buf.resize(buf.len() * 4, 0);
            continue;
        }
        if rc != 0 || found.is_null() {
            return None;
        }
        // SAFETY: getpwuid_r filled `pwd` (found == pwd) and pw_name is a NUL-terminated string in
        // `buf`, which is still alive.
        let name = unsafe { std::ffi::CStr::from_ptr((*found).pw_name) };
        return Some(name.to_string_lossy().into_owned());
    }
}

/// `uid 33 (www-data)`, or `uid 12345` when the name is unknown.
pub fn describe_uid(uid: u32) -> String {
    match user_name(uid) {
        Some(name) => format!("uid {uid} ({name})"),
        None => format!("uid {uid}"),
    }
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Our effective gid and supplementary groups.
fn in_group(gid: u32) -> bool {
    // SAFETY: getegid has no preconditions.
    if gid == unsafe { libc::getegid() } {
        return true;
    }
    // SAFETY: with a size of 0, getgroups only returns how many groups there are.
    let n = unsafe { libc::getgroups(0, std::ptr::null_mut()) };
    let Ok(len) = usize::try_from(n) else {
        return false;
    };
    let mut groups = vec![0; len];
    // SAFETY: `groups` has room for `n` gids.
    let n = unsafe { libc::getgroups(n, groups.as_mut_ptr()) };
    groups.truncate(usize::try_from(n).unwrap_or(0));
    groups.contains(&gid)
}

fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a regular file"
    }
}

/// Refuses anything but a regular file of ours (or, when `mode` shares the segment with a group,
/// of one of our groups).
pub fn check(meta: &Metadata, path: &Path, mode: u32) -> Result<(), String> {
    let p = path.display();
    if !meta.file_type().is_file() {
        return Err(format!(
            "presence: refusing {p}: it is {}, not a segment file; point presence.shm_path at a file on tmpfs (such as /dev/shm/php-presence)",
            kind(meta)
        ));
    }
    let found = meta.permissions().mode() & 0o7777;
    let me = euid();
    let owner = describe_uid(meta.uid());
    let ours = meta.uid() == me;
    let shared = mode & GROUP != 0 && in_group(meta.gid());
    if !ours && !shared {
        let sharing = if mode & GROUP == 0 {
            "to share a segment between users, give them one group and set presence.shm_mode=0660"
        } else {
            "presence.shm_mode shares it with a group, but this file's group is not one of ours"
        };
        return Err(format!(
            "presence: refusing the segment {p}: it belongs to {owner} (group {}, mode {found:04o}), but this process runs as {}; another user may have created it to read or forge presence. Delete it (as root or its owner) so the extension creates its own, or point presence.shm_path elsewhere ({sharing})",
            meta.gid(),
            describe_uid(me),
        ));
    }
    Ok(())
}

/// Refuses a segment other users may access; narrows a mode wider than `mode` on a file we own.
pub fn narrow(file: &File, meta: &Metadata, path: &Path, mode: u32) -> Result<(), String> {
    let p = path.display();
    let found = meta.permissions().mode() & 0o7777;
    let owner = describe_uid(meta.uid());
    if found & OTHER != 0 {
        return Err(format!(
            "presence: refusing the segment {p}: its mode {found:04o} gives other users access (owner {owner}); delete it so the extension creates it again with presence.shm_mode ({mode:04o}): a segment other users could read or write is never trusted"
        ));
    }
    let narrowed = found & mode;
    if meta.uid() == euid() && narrowed != found {
        // A looser mode from an older presence.shm_mode: clear the bits no longer wanted.
        file.set_permissions(std::fs::Permissions::from_mode(narrowed))
            .map_err(|e| {
                format!("presence: cannot narrow the mode of {p} from {found:04o} to {narrowed:04o} ({e})")
            })?;
    }
    Ok(())
}
