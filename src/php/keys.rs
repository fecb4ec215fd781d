//! The frames of result rows (see `sys::zend::Frame`), made once at module start-up from keys
//! interned there: every row of every result is a copy of one, which saves an allocation and a
//! hash per field.

use crate::sys::zend::{intern_permanent, Frame};
use std::cell::OnceCell;

pub struct Keys {
    /// An entry: room, `client_id`, `user_id`, data, updated, expires.
    pub entry: Frame,
    /// A room of `presence_rooms()`: room, entries, users, version, updated.
    pub room_row: Frame,
    /// A room of `presence_room_versions()`: room, version.
    pub room_version: Frame,
}

thread_local! {
    static KEYS: OnceCell<Keys> = const { OnceCell::new() };
}

/// Makes the frames. Must run in MINIT (php-fpm workers inherit them through fork), when
/// persistent interning is permanent.
pub fn init() {
    KEYS.with(|k| {
        let key = intern_permanent;
        let (room, updated, version) = (key("room"), key("updated"), key("version"));
        let _ = k.set(Keys {
            entry: Frame::new(&[
                room,
                key("client_id"),
                key("user_id"),
                key("data"),
                updated,
                key("expires"),
            ]),
            room_row: Frame::new(&[room, key("entries"), key("users"), version, updated]),
            room_version: Frame::new(&[room, version]),
        });
    });
}

pub fn with_keys<R>(f: impl FnOnce(&Keys) -> R) -> R {
    // Making them here instead would intern request-scoped strings that the frames outlive.
    // Only reached after the store call, so no lock is held if this fails.
    KEYS.with(|k| {
        f(k.get()
            .expect("presence: result frames are made at module start-up"))
    })
}
