//! `presence_room_top()`: the first users of a big room without a PHP array per entry of it.

use super::errors::{store_error, value_error};
use super::functions::{entry_list, key_arg, run, user_arg};
use crate::store::{Backend, RoomKey, MAX_TOP_USERS};
use crate::sys::zend::long_zval as long;
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};

/// The live entries of the room's first `$users` users (1 to 1000) by each user's newest write
/// (ties: the lower user id first), plus every live entry of `$user_id` (0: none), newest first
/// and shaped as `presence_room()`'s: `['entries' => [...], 'users' => int]`, where `users`
/// counts the distinct users (> 0) with a live entry in the room. User 0's entries are neither
/// picked nor counted. Only the picked users' entries become PHP arrays.
#[php_function]
#[php(defaults(user_id = 0))]
pub fn presence_room_top(
    room: BinarySlice<u8>,
    users: i64,
    user_id: i64,
) -> PhpResult<ZBox<ZendHashTable>> {
    const F: &str = "presence_room_top";
    let room = key_arg(F, 1, "room", &room)?;
    let n = u32::try_from(users)
        .ok()
        .filter(|n| (1..=MAX_TOP_USERS).contains(n))
        .ok_or_else(|| {
            value_error(
                F,
                &format!("Argument #2 ($users) must be between 1 and {MAX_TOP_USERS}"),
            )
        })?;
    let extra = user_arg(F, 3, user_id)?;
    run(|c| {
        let total = c
            .store
            .room_top(&RoomKey::new(c.ns, room), n, extra, c.now, c.entries)
            .map_err(|e| store_error(&e))?;
        let mut entries = Zval::new();
        entries.set_hashtable(entry_list(Some(room), c.entries));
        let mut out = ZendHashTable::with_capacity(2);
        let _ = out.insert("entries", entries);
        let _ = out.insert("users", long(i64::from(total)));
        Ok(out)
    })
}

/// Adds the function above to the module.
pub fn register(module: ModuleBuilder) -> ModuleBuilder {
    module.function(wrap_function!(presence_room_top))
}
