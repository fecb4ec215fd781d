//! Ini settings. System-wide ones are read once per process, when the segment is first opened,
//! so a php-fpm pool's `php_admin_value[presence.shm_path]` applies to its workers.

use crate::sys::zend::{ini_long, ini_string};
use ext_php_rs::flags::IniEntryPermission;
use ext_php_rs::zend::{IniEntryDef, IniEntryDefs};
use std::path::PathBuf;
use std::time::Duration;

pub static ENTRIES: IniEntryDefs<11> = IniEntryDefs::new([
    IniEntryDef::new(c"presence.shm_path", c"", IniEntryPermission::System),
    IniEntryDef::new(c"presence.shm_mode", c"0600", IniEntryPermission::System),
    IniEntryDef::new(c"presence.capacity", c"16384", IniEntryPermission::System),
    IniEntryDef::new(c"presence.data_memory", c"32M", IniEntryPermission::System),
    IniEntryDef::new(c"presence.shards", c"16", IniEntryPermission::System),
    IniEntryDef::new(
        c"presence.lock_timeout_ms",
        c"1000",
        IniEntryPermission::System,
    ),
    IniEntryDef::new(c"presence.debug_clock", c"0", IniEntryPermission::System),
    IniEntryDef::new(
        c"presence.namespace_share",
        c"50",
        IniEntryPermission::System,
    ),
    IniEntryDef::new(c"presence.default_ttl", c"60", IniEntryPermission::All),
    IniEntryDef::new(c"presence.namespace", c"", IniEntryPermission::All),
    IniEntryDef::end(),
]);

pub struct Settings {
    pub path: PathBuf,
    pub mode: u32,
    pub capacity: u32,
    pub data_memory: u64,
    pub shards: u32,
    pub lock_timeout: Duration,
}

fn text(name: &std::ffi::CStr) -> String {
    String::from_utf8_lossy(&ini_string(name)).trim().to_owned()
}

/// "32M", "512k", "1G" or plain bytes.
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mul) = match s.as_bytes().last()? {
        b'k' | b'K' => (&s[..s.len() - 1], 1 << 10),
        b'm' | b'M' => (&s[..s.len() - 1], 1 << 20),
        b'g' | b'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim().parse::<u64>().ok()?.checked_mul(mul)
}

pub fn settings() -> Result<Settings, String> {
    let path = text(c"presence.shm_path");
    let mode_text = text(c"presence.shm_mode");
    let mode = u32::from_str_radix(mode_text.trim_start_matches("0o"), 8)
        .ok()
        .filter(|m| *m & !0o770 == 0 && *m & 0o600 == 0o600)
        .ok_or_else(|| format!("presence.shm_mode must be an octal mode with owner read/write and nothing for other users, such as 0600 or 0660 (got \"{mode_text}\")"))?;
    let capacity = u32::try_from(ini_long(c"presence.capacity"))
        .ok()
        .filter(|c| (16..=16_777_216).contains(c))
        .ok_or("presence.capacity must be between 16 and 16777216 entries")?;
    let data_text = text(c"presence.data_memory");
    let data_memory = parse_size(&data_text)
        .filter(|b| (64 << 10..=64 << 30).contains(b))
        .ok_or_else(|| format!("presence.data_memory must be a size between 64K and 64G, such as 32M (got \"{data_text}\")"))?;
    let shards = u32::try_from(ini_long(c"presence.shards"))
        .ok()
        .filter(|s| (1..=1024).contains(s))
        .ok_or("presence.shards must be between 1 and 1024")?;
    let lock_text = text(c"presence.lock_timeout_ms");
    let lock_timeout = lock_text
        .parse::<u64>()
        .ok()
        .filter(|ms| (1..=60_000).contains(ms))
        .map(Duration::from_millis)
        .ok_or_else(|| format!("presence.lock_timeout_ms must be a whole number of milliseconds between 1 and 60000, such as 1000 (got \"{lock_text}\")"))?;
    if !(1..=100).contains(&ini_long(c"presence.namespace_share")) {
        return Err("presence.namespace_share must be a percentage between 1 and 100".into());
    }
    Ok(Settings {
        path: if path.is_empty() {
            crate::sys::default_path()
        } else {
            PathBuf::from(path)
        },
        mode,
        capacity,
        data_memory,
        shards,
        lock_timeout,
    })
}

pub fn debug_clock() -> bool {
    ini_long(c"presence.debug_clock") != 0
}

/// Percent of each shard's entries and data one namespace may use (1–100; 100: no limit).
/// System-wide, so read once per process.
pub fn namespace_share() -> u32 {
    static SHARE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *SHARE.get_or_init(|| {
        u32::try_from(ini_long(c"presence.namespace_share").clamp(1, 100)).unwrap_or(100)
    })
}

pub fn default_ttl() -> i64 {
    ini_long(c"presence.default_ttl")
}

/// The request's default namespace. Too long is refused, not cut: two sites whose namespaces share
/// the first 64 bytes would otherwise share presence.
pub fn namespace() -> Result<Vec<u8>, String> {
    let ns = ini_string(c"presence.namespace");
    let max = crate::store::layout::MAX_NAMESPACE_LEN;
    if ns.len() > max {
        return Err(format!(
            "presence.namespace must be at most {max} bytes (got {}); it is never cut, since sites whose namespaces share a prefix would then share presence",
            ns.len()
        ));
    }
    Ok(ns)
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes() {
        assert_eq!(super::parse_size("32M"), Some(32 << 20));
        assert_eq!(super::parse_size("512k"), Some(512 << 10));
        assert_eq!(super::parse_size("1000"), Some(1000));
        assert_eq!(super::parse_size("x"), None);
    }
}
