//! Array keys interned once at module start-up: every row of every result reuses them, which
//! saves an allocation and a hash per field.

use crate::sys::zend::intern_permanent;
use ext_php_rs::types::ZendStr;
use std::cell::OnceCell;

pub struct Keys {
    pub room: &'static ZendStr,
    pub client_id: &'static ZendStr,
    pub user_id: &'static ZendStr,
    pub data: &'static ZendStr,
    pub updated: &'static ZendStr,
    pub expires: &'static ZendStr,
    pub entries: &'static ZendStr,
    pub users: &'static ZendStr,
    pub version: &'static ZendStr,
}

thread_local! {
    static KEYS: OnceCell<Keys> = const { OnceCell::new() };
}

fn intern(s: &str) -> &'static ZendStr {
    // Persistent interning is only permanent during module start-up, which is when this runs.
    intern_permanent(s)
}

/// Interns the keys. Must run in MINIT (php-fpm workers inherit them through fork).
pub fn init() {
    KEYS.with(|k| {
        let _ = k.set(Keys {
            room: intern("room"),
            client_id: intern("client_id"),
            user_id: intern("user_id"),
            data: intern("data"),
            updated: intern("updated"),
            expires: intern("expires"),
            entries: intern("entries"),
            users: intern("users"),
            version: intern("version"),
        });
    });
}

pub fn with_keys<R>(f: impl FnOnce(&Keys) -> R) -> R {
    // Interning here instead would make request-scoped strings that the `&'static` keys outlive.
    // Only reached after the store call, so no lock is held if this fails.
    KEYS.with(|k| {
        f(k.get()
            .expect("presence: result keys are interned at module start-up"))
    })
}
