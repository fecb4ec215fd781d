//! The PHP functions. Each validates its arguments, calls the store once (which takes and
//! releases the shard lock), then builds PHP values from the copied-out bytes.

use super::data;
use super::errors::{store_error, value_error};
use super::ini;
use super::keys::with_keys;
use super::state::{self, Ctx};
use crate::store::layout::{MAX_KEY_LEN, MAX_NAMESPACE_LEN};
use crate::store::{Backend, Entries, EntryKey, EntryOut, ReadOpts, RoomKey, Upsert, Write};
use crate::sys::zend::{array_zval, long_zval as long, string_zval as zstr, Frame, List};
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

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

/// Builds the rows of one result, each a copy of the entry frame.
struct Rows {
    frame: Frame,
    data: data::Decoder,
    /// The room of single-room results, which every row shares.
    room: Option<Zval>,
}

impl Rows {
    /// `room` is given for single-room results; `more` says whether more than one row follows
    /// (worth templates for `data`).
    fn new(room: Option<&[u8]>, more: bool) -> Rows {
        Rows {
            frame: with_keys(|k| k.entry),
            data: data::Decoder::new(more),
            room: room.map(zstr),
        }
    }

    fn row(&mut self, all: &Entries, e: &EntryOut) -> ZBox<ZendHashTable> {
        let data = self.data.decode(all.data(e));
        let mut f = self.frame.start();
        f.push(
            self.room
                .as_ref()
                .map_or_else(|| zstr(all.room(e)), Zval::shallow_clone),
        );
        f.push(zstr(all.client(e)));
        f.push(long(e.user_id.cast_signed()));
        f.push(data);
        f.push(long(e.updated));
        f.push(long(e.expires));
        f.finish()
    }
}

/// Entries as a list of PHP rows. `room` is given for single-room results.
pub(super) fn entry_list(room: Option<&[u8]>, all: &Entries) -> ZBox<ZendHashTable> {
    let mut rows = Rows::new(room, all.items.len() > 1);
    let mut list = List::with_capacity(all.items.len() as u32);
    for e in &all.items {
        list.push(array_zval(rows.row(all, e)));
    }
    list.into_inner()
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
        data::encode(func, 4, ht, writer)
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
        let all = &*c.entries;
        Ok(found
            .then(|| all.items.first())
            .flatten()
            .map(|e| Rows::new(Some(room), false).row(all, e)))
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
        let frame = with_keys(|k| k.room_row);
        let mut list = List::with_capacity(rooms.len() as u32);
        for r in rooms {
            let mut f = frame.start();
            f.push(zstr(&r.room));
            f.push(long(i64::from(r.entries)));
            f.push(long(i64::from(r.users)));
            f.push(long(r.version.cast_signed()));
            f.push(long(r.updated));
            list.push(array_zval(f.finish()));
        }
        Ok(list.into_inner())
    })
}

/// Live rooms whose name starts with `$prefix`, as `presence_rooms()` lists them, with only
/// their name and version: `[['room' => string, 'version' => int], ...]`. No room's entries are
/// walked (what a caller that only watches versions needs, on every Heartbeat tick).
#[php_function]
pub fn presence_room_versions(prefix: Option<BinarySlice<u8>>) -> PhpResult<ZBox<ZendHashTable>> {
    let prefix: &[u8] = prefix.as_ref().map_or(&[], |p| &p[..]);
    if prefix.len() > MAX_KEY_LEN {
        return Err(value_error(
            "presence_room_versions",
            &format!("Argument #1 ($prefix) must be at most {MAX_KEY_LEN} bytes"),
        ));
    }
    run(|c| {
        let rooms = c
            .store
            .room_versions(c.ns, prefix, c.now)
            .map_err(|e| store_error(&e))?;
        let frame = with_keys(|k| k.room_version);
        let mut list = List::with_capacity(rooms.len() as u32);
        for (room, version) in rooms {
            let mut f = frame.start();
            f.push(zstr(&room));
            f.push(long(version.cast_signed()));
            list.push(array_zval(f.finish()));
        }
        Ok(list.into_inner())
    })
}

/// At most this many namespaces per `presence_room_counts()` call.
const MAX_COUNT_NAMESPACES: usize = 100_000;

/// One room's live entries, distinct user ids and newest write in each of `$namespaces`, in one
/// walk of the store: under each key of `$namespaces` (a blog id, say),
/// `['entries' => int, 'users' => int[], 'updated' => int]`, zeros where the room is empty.
#[php_function]
pub fn presence_room_counts(
    namespaces: &ZendHashTable,
    room: BinarySlice<u8>,
) -> PhpResult<ZBox<ZendHashTable>> {
    const FUNC: &str = "presence_room_counts";
    let room = key_arg(FUNC, 2, "room", &room)?;
    if namespaces.len() > MAX_COUNT_NAMESPACES {
        return Err(value_error(
            FUNC,
            &format!(
                "Argument #1 ($namespaces) must hold at most {MAX_COUNT_NAMESPACES} namespaces"
            ),
        ));
    }
    let mut list: Vec<&[u8]> = Vec::with_capacity(namespaces.len());
    let mut keys = Vec::with_capacity(namespaces.len());
    for (n, (key, v)) in namespaces.iter().enumerate() {
        let Some(ns) = v.zend_str().map(ext_php_rs::types::ZendStr::as_bytes) else {
            return Err(PhpException::new(
                format!("{FUNC}(): Argument #1 ($namespaces) must be a list of strings, element {n} is {}", v.get_type()),
                0,
                ext_php_rs::zend::ce::type_error(),
            ));
        };
        if ns.len() > MAX_NAMESPACE_LEN {
            return Err(value_error(
                FUNC,
                &format!("Argument #1 ($namespaces) element {n} must be at most {MAX_NAMESPACE_LEN} bytes"),
            ));
        }
        list.push(ns);
        keys.push(key);
    }
    run(|c| {
        let counts = c
            .store
            .room_counts(&list, room, c.now)
            .map_err(|e| store_error(&e))?;
        let mut out = ZendHashTable::with_capacity(u32::try_from(list.len()).unwrap_or(u32::MAX));
        for (key, n) in keys.into_iter().zip(counts) {
            let mut users =
                ZendHashTable::with_capacity(u32::try_from(n.users.len()).unwrap_or(u32::MAX));
            for u in n.users {
                let _ = users.push(u.cast_signed());
            }
            let mut row = ZendHashTable::with_capacity(3);
            let _ = row.insert("entries", i64::from(n.entries));
            let _ = row.insert("users", users);
            let _ = row.insert("updated", n.updated);
            let _ = out.insert(key, row);
        }
        Ok(out)
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
        .function(wrap_function!(presence_room_versions))
        .function(wrap_function!(presence_room_counts))
        .function(wrap_function!(presence_room_version))
        .function(wrap_function!(presence_sweep))
        .function(wrap_function!(presence_clear))
}
