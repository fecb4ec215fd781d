//! `presence_changes()` and `presence_exchange()`: what the bridge's Heartbeat needs to send only
//! what changed, and presence-api's write-and-read in one call.

use super::errors::{store_error, value_error};
use super::functions::{encode_data, entry_list, key_arg, read_opts, run, write_args, write_of};
use crate::store::{Backend, Changes, EntryKey, RoomKey};
use crate::sys::zend::{long_zval as long, string_zval as zstr};
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use std::cell::Cell;

thread_local! {
    // One buffer per process, reused by every call (as `Ctx::entries`).
    static CHANGES: Cell<Option<Changes>> = const { Cell::new(None) };
    // The users counted for `$max_users`, reused likewise.
    static USERS: Cell<Vec<u64>> = const { Cell::new(Vec::new()) };
}

fn array(ht: ZBox<ZendHashTable>) -> Zval {
    let mut z = Zval::new();
    z.set_hashtable(ht);
    z
}

/// What changed in the room since version `$since`: `['version' => int, 'changed' => list of
/// entries, 'removed' => list of ['client_id' => string, 'user_id' => int]]`, or null when the
/// room's change log no longer reaches back to `$since` (then read the whole room). `$since` 0
/// means "I saw the room empty". With `$whole_users`, `changed` holds every live entry of every
/// user touched since `$since`. With `$max_users` above 0, also null when more than that many
/// distinct users have a changed entry: a caller that sends the room's first rows beyond that
/// many changes (the bridge's Heartbeat) is spared building entries it would not send.
#[php_function]
#[php(defaults(whole_users = false, max_users = 0))]
pub fn presence_changes(
    room: BinarySlice<u8>,
    since: i64,
    whole_users: bool,
    max_users: i64,
) -> PhpResult<Option<ZBox<ZendHashTable>>> {
    const F: &str = "presence_changes";
    let room = key_arg(F, 1, "room", &room)?;
    let since = u64::try_from(since)
        .map_err(|_| value_error(F, "Argument #2 ($since) must be greater than or equal to 0"))?;
    let max_users = usize::try_from(max_users).map_err(|_| {
        value_error(
            F,
            "Argument #4 ($max_users) must be greater than or equal to 0 (0: no bound)",
        )
    })?;
    // The buffer is moved out for the call: no borrow spans the PHP values built below, so a
    // fatal error there (memory_limit) only loses this buffer, and the next call makes another.
    let mut ch = CHANGES.take().unwrap_or_default();
    let found = run(|c| {
        c.store
            .changes(
                &RoomKey::new(c.ns, room),
                since,
                whole_users,
                max_users,
                c.now,
                &mut ch,
            )
            .map_err(|e| store_error(&e))
    });
    // The lock is released: count the users (the store stopped early if it saw too many),
    // then build the PHP values.
    let mut users = USERS.take();
    let over = max_users > 0 && (ch.over || ch.changed_users_over(max_users, &mut users));
    USERS.set(users);
    let answered = found.map(|found| {
        (found && !over).then(|| {
            let mut removed = ZendHashTable::with_capacity(ch.removed.items.len() as u32);
            for e in &ch.removed.items {
                let mut row = ZendHashTable::with_capacity(2);
                let _ = row.insert("client_id", zstr(ch.removed.client(e)));
                let _ = row.insert("user_id", long(e.user_id.cast_signed()));
                let _ = removed.push(array(row));
            }
            let mut out = ZendHashTable::with_capacity(3);
            let _ = out.insert("version", long(ch.version.cast_signed()));
            let _ = out.insert("changed", array(entry_list(Some(room), &ch.changed)));
            let _ = out.insert("removed", array(removed));
            out
        })
    });
    CHANGES.set(Some(ch));
    answered
}

/// Writes my entry, as `presence_upsert()`, then reads the room, as `presence_room()` (in one
/// lock pass where the room lives in one shard). Returns the room's entries, mine included.
#[php_function]
pub fn presence_exchange(
    room: BinarySlice<u8>,
    client_id: BinarySlice<u8>,
    user_id: i64,
    data: Option<&ZendHashTable>,
    ttl: Option<i64>,
    max_age: Option<i64>,
    client_prefix: Option<BinarySlice<u8>>,
) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "presence_exchange";
    let (room, client, user, ttl) = write_args(F, &room, &client_id, user_id, ttl)?;
    let opts = read_opts(F, 6, max_age, client_prefix.as_ref().map(|p| &p[..]))?;
    run(|c| {
        encode_data(F, data, c.writer)?;
        let key = EntryKey::new(RoomKey::new(c.ns, room), client);
        let w = write_of(&c.writer.buf, c.now, user, ttl);
        c.store
            .exchange(&key, &w, &opts, c.entries)
            .map_err(|e| store_error(&e))?;
        Ok(entry_list(Some(room), c.entries))
    })
}

/// Adds the functions above to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module
        .function(wrap_function!(presence_changes))
        .function(wrap_function!(presence_exchange))
}
