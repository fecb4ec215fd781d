//! The PHP functions. Each validates its arguments, calls the store once (which takes and
//! releases the shard lock), then builds PHP values from the copied-out bytes.

use super::data;
use super::errors::{presence_error, store_error, value_error};
use super::ini;
use super::keys::with_keys;
use super::shapes;
use super::state::{self, Ctx};
use crate::store::layout::MAX_KEY_LEN;
use crate::store::{Backend, Entries, EntryKey, ReadOpts, RoomKey, Upsert, Write};
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

const MAX_TTL: i64 = 86_400;

pub(super) fn key_arg<'a>(func: &str, pos: u8, name: &str, v: &'a [u8]) -> PhpResult<&'a [u8]> {
    if v.is_empty() {
        return Err(value_error(
            func,
            &format!("Argument #{pos} (${name}) must not be empty"),
        ));
    }
    if v.len() > MAX_KEY_LEN {
        return Err(value_error(
            func,
            &format!("Argument #{pos} (${name}) must be at most {MAX_KEY_LEN} bytes"),
        ));
    }
    Ok(v)
}

pub(super) fn user_arg(func: &str, pos: u8, user_id: i64) -> PhpResult<u64> {
    u64::try_from(user_id).map_err(|_| {
        value_error(
            func,
            &format!("Argument #{pos} ($user_id) must be greater than or equal to 0"),
        )
    })
}

use crate::sys::zend::{long_zval as long, string_zval as zstr};

fn put(ht: &mut ZendHashTable, key: &ZendStr, v: Zval) {
    // Inserting under an interned key cannot fail; a failure would only drop this one field.
    let _ = ht.insert(ArrayKey::ZendString(key), v);
}

/// Entries as PHP arrays. `room` is given for single-room results, whose rows share its string.
pub(super) fn entry_list(room: Option<&[u8]>, all: &Entries) -> ZBox<ZendHashTable> {
    shapes::with(|sh| {
        let row = sh.row();
        let mut list = ZendHashTable::with_capacity(all.items.len() as u32);
        let shared = room.map(zstr);
        for e in &all.items {
            let mut data = Some(data::decode(all.data(e), sh));
            let ht = row.fill(|i| match i {
                0 => shared
                    .as_ref()
                    .map_or_else(|| zstr(all.room(e)), Zval::shallow_clone),
                1 => zstr(all.client(e)),
                2 => long(e.user_id.cast_signed()),
                3 => {
                    let mut z = Zval::new();
                    z.set_hashtable(data.take().unwrap_or_default());
                    z
                }
                4 => long(e.updated),
                _ => long(e.expires),
            });
            let mut z = Zval::new();
            z.set_hashtable(ht);
            let _ = list.push(z);
        }
        list
    })
}

pub(super) fn run<R>(f: impl FnOnce(&mut Ctx<'_>) -> PhpResult<R>) -> PhpResult<R> {
    state::with(f)
}

/// Checks the arguments of a write (#1 to #3 and #5): room, client id, user id and TTL.
pub(super) fn write_args<'a>(
    func: &str,
    room: &'a [u8],
    client_id: &'a [u8],
    user_id: i64,
    ttl: Option<i64>,
) -> PhpResult<(&'a [u8], &'a [u8], u64, i64)> {
    let room = key_arg(func, 1, "room", room)?;
    let client = key_arg(func, 2, "client_id", client_id)?;
    let user = user_arg(func, 3, user_id)?;
    let ttl = ttl.unwrap_or_else(ini::default_ttl);
    if !(1..=MAX_TTL).contains(&ttl) {
        return Err(value_error(func, &format!("Argument #5 ($ttl) must be between 1 and {MAX_TTL} seconds (check presence.default_ttl)")));
    }
    Ok((room, client, user, ttl))
}

/// A write of `data` (the encoding in `Ctx::writer`) at `now`.
pub(super) fn write_of(data: &[u8], now: i64, user_id: u64, ttl: i64) -> Write<'_> {
    Write {
        user_id,
        data,
        now,
        ttl,
    }
}

/// Encodes `$data` (null: an empty array) into `writer`.
pub(super) fn encode_data(
    func: &str,
    data: Option<&ZendHashTable>,
    writer: &mut crate::store::codec::Writer,
) -> PhpResult<()> {
    if let Some(ht) = data {
        data::encode(func, ht, writer)
    } else {
        writer.clear();
        writer.array(0);
        Ok(())
    }
}

/// Creates or refreshes the entry (`room`, `client_id`). Returns true when the room changed (a new
/// entry, or new `user_id`/`data`), false when only the entry's timestamps were refreshed.
#[php_function]
pub fn presence_upsert(
    room: BinarySlice<u8>,
    client_id: BinarySlice<u8>,
    user_id: i64,
    data: Option<&ZendHashTable>,
    ttl: Option<i64>,
) -> PhpResult<bool> {
    const F: &str = "presence_upsert";
    let (room, client, user, ttl) = write_args(F, &room, &client_id, user_id, ttl)?;
    run(|c| {
        encode_data(F, data, c.writer)?;
        let key = EntryKey::new(RoomKey::new(c.ns, room), client);
        let w = write_of(&c.writer.buf, c.now, user, ttl);
        match c.store.upsert(&key, &w) {
            Ok(Upsert::Refreshed) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) => Err(store_error(&e)),
        }
    })
}

/// One live entry, or null.
#[php_function]
pub fn presence_get(
    room: BinarySlice<u8>,
    client_id: BinarySlice<u8>,
) -> PhpResult<Option<ZBox<ZendHashTable>>> {
    const F: &str = "presence_get";
    let room = key_arg(F, 1, "room", &room)?;
    let client = key_arg(F, 2, "client_id", &client_id)?;
    run(|c| {
        let key = EntryKey::new(RoomKey::new(c.ns, room), client);
        let found = c
            .store
            .get(&key, c.now, c.entries)
            .map_err(|e| store_error(&e))?;
        Ok(if found {
            entry_list(Some(room), c.entries)
                .values()
                .next()
                .and_then(|z| z.array().map(ZendHashTable::to_owned))
        } else {
            None
        })
    })
}

/// Live entries of a room, newest first; with `$max_age`, only those written within that many
/// seconds (presence-api's `$timeout`); with `$client_prefix`, only those whose client id starts
/// with it.
#[php_function]
pub fn presence_room(
    room: BinarySlice<u8>,
    max_age: Option<i64>,
    client_prefix: Option<BinarySlice<u8>>,
) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "presence_room";
    let room = key_arg(F, 1, "room", &room)?;
    let opts = read_opts(F, 2, max_age, client_prefix.as_ref().map(|p| &p[..]))?;
    run(|c| {
        c.store
            .room(&RoomKey::new(c.ns, room), c.now, &opts, c.entries)
            .map_err(|e| store_error(&e))?;
        Ok(entry_list(Some(room), c.entries))
    })
}

/// Checks `$max_age` (argument `pos`) and `$client_prefix` (the next one).
pub(super) fn read_opts<'p>(
    func: &str,
    pos: u8,
    max_age: Option<i64>,
    client_prefix: Option<&'p [u8]>,
) -> PhpResult<ReadOpts<'p>> {
    if max_age.is_some_and(|a| a < 0) {
        return Err(value_error(
            func,
            &format!("Argument #{pos} ($max_age) must be greater than or equal to 0"),
        ));
    }
    let prefix = client_prefix.unwrap_or_default();
    if prefix.len() > MAX_KEY_LEN {
        return Err(value_error(
            func,
            &format!(
                "Argument #{} ($client_prefix) must be at most {MAX_KEY_LEN} bytes",
                pos + 1
            ),
        ));
    }
    Ok(ReadOpts {
        max_age,
        client_prefix: prefix,
    })
}

/// Removes one entry; true when something was removed.
#[php_function]
pub fn presence_remove(room: BinarySlice<u8>, client_id: BinarySlice<u8>) -> PhpResult<bool> {
    const F: &str = "presence_remove";
    let room = key_arg(F, 1, "room", &room)?;
    let client = key_arg(F, 2, "client_id", &client_id)?;
    run(|c| {
        c.store
            .remove(&EntryKey::new(RoomKey::new(c.ns, room), client), c.now)
            .map_err(|e| store_error(&e))
    })
}

/// Removes every entry of a user in the current namespace; returns how many.
#[php_function]
pub fn presence_remove_user(user_id: i64) -> PhpResult<i64> {
    let user = user_arg("presence_remove_user", 1, user_id)?;
    run(|c| {
        c.store
            .remove_user(c.ns, user, c.now)
            .map(i64::from)
            .map_err(|e| store_error(&e))
    })
}

/// A user's live entries across the rooms of the current namespace, newest first.
#[php_function]
pub fn presence_user_entries(user_id: i64) -> PhpResult<ZBox<ZendHashTable>> {
    let user = user_arg("presence_user_entries", 1, user_id)?;
    run(|c| {
        c.store
            .user_entries(c.ns, user, c.now, c.entries)
            .map_err(|e| store_error(&e))?;
        Ok(entry_list(None, c.entries))
    })
}

/// Live rooms whose name starts with `$prefix`, with entry and distinct-user counts.
#[php_function]
pub fn presence_rooms(prefix: Option<BinarySlice<u8>>) -> PhpResult<ZBox<ZendHashTable>> {
    let prefix: &[u8] = prefix.as_ref().map_or(&[], |p| &p[..]);
    if prefix.len() > MAX_KEY_LEN {
        return Err(value_error(
            "presence_rooms",
            &format!("Argument #1 ($prefix) must be at most {MAX_KEY_LEN} bytes"),
        ));
    }
    run(|c| {
        let rooms = c
            .store
            .rooms(c.ns, prefix, c.now)
            .map_err(|e| store_error(&e))?;
        let mut list = ZendHashTable::with_capacity(rooms.len() as u32);
        for r in rooms {
            let mut ht = ZendHashTable::with_capacity(5);
            with_keys(|k| {
                put(&mut ht, k.room, zstr(&r.room));
                put(&mut ht, k.entries, long(i64::from(r.entries)));
                put(&mut ht, k.users, long(i64::from(r.users)));
                put(&mut ht, k.version, long(r.version.cast_signed()));
                put(&mut ht, k.updated, long(r.updated));
            });
            let mut z = Zval::new();
            z.set_hashtable(ht);
            let _ = list.push(z);
        }
        Ok(list)
    })
}

/// The room's change counter: compare for equality to skip work when nothing changed.
#[php_function]
pub fn presence_room_version(room: BinarySlice<u8>) -> PhpResult<i64> {
    let room = key_arg("presence_room_version", 1, "room", &room)?;
    run(|c| {
        c.store
            .room_version(&RoomKey::new(c.ns, room), c.now)
            .map(u64::cast_signed)
            .map_err(|e| store_error(&e))
    })
}

/// Reclaims expired entries of every namespace; returns how many.
#[php_function]
pub fn presence_sweep() -> PhpResult<i64> {
    run(|c| {
        c.store
            .sweep(c.now)
            .map(i64::from)
            .map_err(|e| store_error(&e))
    })
}

/// Removes every entry of the current namespace (test resets, cleanup commands).
#[php_function]
pub fn presence_clear() -> PhpResult<i64> {
    run(|c| {
        c.store
            .clear(Some(c.ns), c.now)
            .map(i64::from)
            .map_err(|e| store_error(&e))
    })
}

/// Counters of the whole segment plus where it lives.
#[php_function]
pub fn presence_stats() -> PhpResult<ZBox<ZendHashTable>> {
    run(|c| {
        let s = c.store.stats().map_err(|e| store_error(&e))?;
        let mut ht = ZendHashTable::with_capacity(17);
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
        let _ = ht.insert("clock_offset", c.segment.clock_offset());
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
pub fn presence_namespace() -> PhpResult<Zval> {
    run(|c| Ok(zstr(c.ns)))
}

/// The store's clock in unix seconds, including the debug offset.
#[php_function]
pub fn presence_time() -> PhpResult<i64> {
    run(|c| Ok(c.now))
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

/// Moves the store clock forward for every process on this segment. Needs `presence.debug_clock=1`.
#[php_function]
pub fn presence_debug_advance(seconds: i64) -> PhpResult<i64> {
    require_debug("presence_debug_advance")?;
    if !(0..=10 * 365 * 86_400).contains(&seconds) {
        return Err(value_error(
            "presence_debug_advance",
            "Argument #1 ($seconds) must be between 0 and 315360000",
        ));
    }
    run(|c| Ok(c.segment.advance_clock(seconds)))
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
    run(|c| {
        c.store
            .stall(&RoomKey::new(c.ns, room), ms)
            .map_err(|e| store_error(&e))
    })
}

/// Adds every function above to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(presence_upsert))
        .function(wrap_function!(presence_get))
        .function(wrap_function!(presence_room))
        .function(wrap_function!(presence_remove))
        .function(wrap_function!(presence_remove_user))
        .function(wrap_function!(presence_user_entries))
        .function(wrap_function!(presence_rooms))
        .function(wrap_function!(presence_room_version))
        .function(wrap_function!(presence_sweep))
        .function(wrap_function!(presence_clear))
        .function(wrap_function!(presence_stats))
        .function(wrap_function!(presence_set_namespace))
        .function(wrap_function!(presence_namespace))
        .function(wrap_function!(presence_time))
        .function(wrap_function!(presence_debug_advance))
        .function(wrap_function!(presence_debug_stall))
}
