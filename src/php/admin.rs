//! The PHP functions about the store itself rather than its entries: stats, the namespace, the
//! clock and the debug hooks.

use super::errors::{presence_error, store_error, value_error};
use super::functions::key_arg;
use super::ini;
use super::state;
use crate::store::{Backend, RoomKey};
use crate::sys::zend::string_zval as zstr;
use ext_php_rs::binary::Binary;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

/// Counters of the whole segment plus where it lives.
#[php_function]
pub fn presence_stats() -> PhpResult<ZBox<ZendHashTable>> {
    state::with(|c| {
        let s = c.store.stats().map_err(|e| store_error(&e))?;
        let mut ht = ZendHashTable::with_capacity(19);
        let pairs: [(&str, u64); 14] = [
            ("entries", s.shard.entries),
            ("capacity", s.capacity),
            ("bytes_used", s.bytes_used),
            ("bytes_capacity", s.bytes_capacity),
            ("rooms", s.shard.rooms),
            ("sweeps", s.shard.sweeps),
            ("swept", s.shard.swept),
            ("lock_recoveries", s.shard.recoveries),
            ("full_refusals", s.shard.refusals),
            ("share_refusals", s.shard.share_refusals),
            ("tombstones", s.shard.tombstones),
            ("namespace_share", u64::from(ini::namespace_share())),
            ("shards", u64::from(s.shards)),
            (
                "layout_version",
                u64::from(crate::store::layout::LAYOUT_VERSION),
            ),
        ];
        for (k, v) in pairs {
            let _ = ht.insert(k, v.cast_signed());
        }
        let _ = ht.insert("path", c.segment.path().to_string_lossy().as_ref());
        let _ = ht.insert("namespace", zstr(c.ns));
        let _ = ht.insert("clock_offset", c.clock_offset);
        let _ = ht.insert("debug_clock_offset", c.segment.clock_offset());
        // What the settings ask for, in the same units: a found segment keeps its own geometry.
        let g = c.configured;
        let mut configured = ZendHashTable::with_capacity(3);
        let _ = configured.insert(
            "capacity",
            (u64::from(g.slots_per_shard) * u64::from(g.shards)).cast_signed(),
        );
        let _ = configured.insert("bytes_capacity", g.data_capacity().cast_signed());
        let _ = configured.insert("shards", i64::from(g.shards));
        let _ = ht.insert("configured", configured);
        let _ = ht.insert("geometry_mismatch", c.segment.geometry() != g);
        Ok(ht)
    })
}

/// Sets the namespace for the rest of this request (sites and blogs use one each).
#[php_function]
pub fn presence_set_namespace(namespace: BinarySlice<u8>) -> PhpResult<()> {
    state::set_namespace(&namespace)
}

/// The current namespace.
#[php_function]
pub fn presence_namespace() -> PhpResult<Binary<u8>> {
    state::with(|c| Ok(Binary::new(c.ns.to_vec())))
}

/// The store's clock in unix seconds, including the debug offset where `presence.debug_clock=1`.
#[php_function]
pub fn presence_time() -> PhpResult<i64> {
    state::with(|c| Ok(c.now))
}

/// Debug functions change what every process sees: only where `presence.debug_clock=1`.
fn require_debug(func: &str) -> PhpResult<()> {
    if ini::debug_clock() {
        Ok(())
    } else {
        Err(presence_error(format!(
            "{func}() needs presence.debug_clock=1 in php.ini (test machines only)"
        )))
    }
}

/// Moves the store clock forward for every process on this segment that runs with
/// `presence.debug_clock=1` (others keep the wall clock); returns the total offset. Needs
/// `presence.debug_clock=1`.
#[php_function]
pub fn presence_debug_advance(seconds: i64) -> PhpResult<i64> {
    require_debug("presence_debug_advance")?;
    if !(0..=10 * 365 * 86_400).contains(&seconds) {
        return Err(value_error(
            "presence_debug_advance",
            "Argument #1 ($seconds) must be between 0 and 315360000",
        ));
    }
    state::with(|c| Ok(c.segment.advance_clock(seconds)))
}

/// Sets the store clock back to the wall clock for every process on this segment; returns the
/// offset it had. Needs `presence.debug_clock=1`.
#[php_function]
pub fn presence_debug_reset_clock() -> PhpResult<i64> {
    require_debug("presence_debug_reset_clock")?;
    state::with(|c| Ok(c.segment.reset_clock()))
}

/// Holds the room's shard lock, mid-change, for `$ms` milliseconds: lets tests kill a process
/// that holds the lock. Needs `presence.debug_clock=1`.
#[php_function]
pub fn presence_debug_stall(room: BinarySlice<u8>, ms: i64) -> PhpResult<()> {
    let room = key_arg("presence_debug_stall", 1, "room", &room)?;
    require_debug("presence_debug_stall")?;
    let ms = u64::try_from(ms)
        .ok()
        .filter(|m| *m <= 60_000)
        .ok_or_else(|| {
            value_error(
                "presence_debug_stall",
                "Argument #2 ($ms) must be between 0 and 60000",
            )
        })?;
    state::with(|c| {
        c.store
            .stall(&RoomKey::new(c.ns, room), ms)
            .map_err(|e| store_error(&e))
    })
}

/// Adds every function above to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(presence_stats))
        .function(wrap_function!(presence_set_namespace))
        .function(wrap_function!(presence_namespace))
        .function(wrap_function!(presence_time))
        .function(wrap_function!(presence_debug_advance))
        .function(wrap_function!(presence_debug_reset_clock))
        .function(wrap_function!(presence_debug_stall))
}
