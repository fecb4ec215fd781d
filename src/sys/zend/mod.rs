//! The Zend engine work that `ext-php-rs` does not wrap: ini lookups by name and a raw walk over
//! an array's buckets (ext-php-rs's iterator turns keys into UTF-8 Strings and panics on binary
//! keys; PHP keys are bytes) here, result arrays copied from templates in `template`, and values
//! built without the wrappers' checks in `value`.

mod template;
mod value;

pub use template::{Filling, Frame, Shape, MAX_SHAPE_KEYS};
pub use value::{
    array_zval, bool_zval, double_zval, empty_array_zval, insert_str_key, intern_permanent,
    long_zval, same_bytes, string_zval, List,
};

use ext_php_rs::ffi::{zend_long, zval, IS_UNDEF};
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use std::ffi::{c_char, c_int, CStr};

extern "C" {
    fn zend_ini_long(name: *const c_char, name_length: usize, orig: c_int) -> zend_long;
    fn zend_ini_string_ex(
        name: *const c_char,
        name_length: usize,
        orig: c_int,
        exists: *mut bool,
    ) -> *mut c_char;
}

/// `HASH_FLAG_PACKED` from `zend_types.h` (PHP 8.2): values stored as a plain zval array.
const HASH_FLAG_PACKED: u32 = 1 << 2;
/// `HASH_FLAG_UNINITIALIZED`: no data block yet.
const HASH_FLAG_UNINITIALIZED: u32 = 1 << 3;
/// `HASH_FLAG_STATIC_KEYS`: every key is an integer or interned (none to count or release).
const HASH_FLAG_STATIC_KEYS: u32 = 1 << 4;

/// Current value of an integer ini setting registered by this extension.
pub fn ini_long(name: &CStr) -> i64 {
    // SAFETY: name is NUL-terminated and its length excludes the NUL, as the engine expects.
    unsafe { zend_ini_long(name.as_ptr(), name.to_bytes().len(), 0) }
}

/// Current value of a string ini setting registered by this extension.
pub fn ini_string(name: &CStr) -> Vec<u8> {
    let mut exists = false;
    // SAFETY: as above; the returned pointer is the engine's NUL-terminated value (or null) and is
    // copied before anything else can change it.
    unsafe {
        let p = zend_ini_string_ex(name.as_ptr(), name.to_bytes().len(), 0, &raw mut exists);
        if p.is_null() {
            Vec::new()
        } else {
            CStr::from_ptr(p).to_bytes().to_vec()
        }
    }
}

/// An array key as PHP stores it.
pub enum KeyRef<'a> {
    Int(i64),
    Str(&'a [u8]),
}

/// Calls `f` for every element of `ht` in order.
pub fn for_each<E>(
    ht: &ZendHashTable,
    mut f: impl FnMut(KeyRef<'_>, &Zval) -> Result<(), E>,
) -> Result<(), E> {
    // SAFETY: `ht` is a live array borrowed for this call. Its first nNumUsed slots are initialised
    // (holes are IS_UNDEF); packed arrays store zvals, others Buckets, as the flag says. Keys of
    // Buckets are either null (integer key in `h`) or live zend_strings owned by the array.
    unsafe {
        let packed = ht.u.flags & HASH_FLAG_PACKED != 0;
        for i in 0..ht.nNumUsed as usize {
            if packed {
                let z: &zval = &*ht.__bindgen_anon_1.arPacked.add(i);
                if u32::from(z.u1.v.type_) != IS_UNDEF {
                    f(KeyRef::Int(i64::try_from(i).unwrap_or(i64::MAX)), z)?;
                }
            } else {
                let b = &*ht.__bindgen_anon_1.arData.add(i);
                if u32::from(b.val.u1.v.type_) == IS_UNDEF {
                    continue;
                }
                let key = if b.key.is_null() {
                    KeyRef::Int(b.h.cast_signed())
                } else {
                    KeyRef::Str((*b.key.cast::<ZendStr>()).as_bytes())
                };
                f(key, &b.val)?;
            }
        }
    }
    Ok(())
}
