//! Array keys interned once at module start-up: every row of every result reuses them, which
//! saves an allocation and a hash per field.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::types::ZendStr;
use std::cell::OnceCell;

pub struct Keys {
    pub room: ZBox<ZendStr>,
    pub client_id: ZBox<ZendStr>,
    pub user_id: ZBox<ZendStr>,
    pub data: ZBox<ZendStr>,
    pub updated: ZBox<ZendStr>,
    pub expires: ZBox<ZendStr>,
    pub entries: ZBox<ZendStr>,
    pub users: ZBox<ZendStr>,
    pub version: ZBox<ZendStr>,
}

thread_local! {
    static KEYS: OnceCell<Keys> = const { OnceCell::new() };
}

fn intern(s: &str) -> ZBox<ZendStr> {
    // Persistent interning is only permanent during module start-up, which is when this runs.
    ZendStr::new_interned(s, true)
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
    KEYS.with(|k| {
        if k.get().is_none() {
            // Start-up did not run in this thread (cannot happen in NTS PHP); intern now.
            init();
        }
        f(k.get().expect("keys were just initialised"))
    })
}
