//! Values built field by field, without the wrappers' checks: zvals, strings, lists.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{
    _efree, _emalloc, zend_empty_array, zend_string, zval, GC_IMMUTABLE, IS_ARRAY, IS_ARRAY_EX,
    IS_DOUBLE, IS_FALSE, IS_INTERNED_STRING_EX, IS_LONG, IS_STRING_EX, IS_TRUE,
};
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};
use std::ffi::c_char;

extern "C" {
    fn zend_hash_real_init_packed(ht: *mut ZendHashTable);
    fn zend_hash_update(ht: *mut ZendHashTable, key: *mut zend_string, val: *mut zval)
        -> *mut zval;
    static zend_string_init_existing_interned:
        unsafe extern "C" fn(str: *const c_char, size: usize, permanent: bool) -> *mut zend_string;
    static zend_empty_string: *mut zend_string;
    static zend_one_char_string: [*mut zend_string; 256];
}

/// `GC_STRING`: the type word of a request string (`IS_STRING | GC_NOT_COLLECTABLE`).
const GC_STRING: u32 = 6 | (1 << 4);
/// `HASH_FLAG_PACKED`, as in the parent module.
const HASH_FLAG_PACKED: u32 = super::HASH_FLAG_PACKED;

/// Drops one reference to a request string, freeing it with the last.
///
/// # Safety
/// `s` must point to a live, non-interned, non-persistent `zend_string` the caller holds a
/// reference to.
pub(super) unsafe fn release_str(s: *mut zend_string) {
    // SAFETY: per the caller; the last reference frees it as `zend_string_release` would.
    unsafe {
        (*s).gc.refcount -= 1;
        if (*s).gc.refcount == 0 {
            _efree(s.cast());
        }
    }
}

/// Byte equality, inline for up to 16 bytes (two overlapping loads per side), where `==` calls
/// `memcmp`: keys and most values of `data` are that short, and a call costs more than the
/// comparison.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let w8 = |s: &[u8], at: usize| u64::from_ne_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]));
    let w4 = |s: &[u8], at: usize| u32::from_ne_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

/// Inserts `v` under the string key `key`, using the engine's interned string for it when one
/// exists (script literals, opcache's table): then the key costs no allocation here, and arrays
/// cloned from this one need no reference per key.
pub fn insert_str_key(ht: &mut ZendHashTable, key: &[u8], v: Zval) {
    // SAFETY: the one-byte strings are interned at engine start-up; otherwise
    // `zend_string_init_existing_interned` (set at engine start-up) returns either an interned
    // string (no reference to release) or a new request string we hold one reference to, which
    // `zend_hash_update` adds its own to. `v` is moved into the array (forgotten here).
    unsafe {
        let k = match key {
            [b] if !zend_one_char_string[usize::from(*b)].is_null() => {
                zend_one_char_string[usize::from(*b)]
            }
            _ => zend_string_init_existing_interned(key.as_ptr().cast(), key.len(), false),
        };
        let mut v = std::mem::ManuallyDrop::new(v);
        zend_hash_update(ht, k, &raw mut *v);
        if (*k).gc.u.type_info & GC_IMMUTABLE == 0 {
            release_str(k);
        }
    }
}

/// A list (packed array) of a known length, filled in order without a hash insert per item.
pub struct List {
    ht: ZBox<ZendHashTable>,
}

impl List {
    pub fn with_capacity(n: u32) -> List {
        let mut ht = ZendHashTable::with_capacity(n);
        if n > 0 {
            // SAFETY: a new, uninitialised array of refcount 1, as the engine requires.
            unsafe { zend_hash_real_init_packed(&raw mut *ht) };
        }
        List { ht }
    }

    // Once per row; not inlined, the call cost as much as the push itself.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn push(&mut self, z: Zval) {
        let ht = &mut *self.ht;
        // SAFETY: a packed array stores `nTableSize` zvals at `arPacked`; the first `nNumUsed`
        // are in use, so below the size the next one is free memory the array owns, and the
        // counters are updated as `zend_hash_next_index_insert` would.
        unsafe {
            if ht.u.flags & HASH_FLAG_PACKED != 0 && ht.nNumUsed < ht.nTableSize {
                let i = ht.nNumUsed;
                std::ptr::write(ht.__bindgen_anon_1.arPacked.add(i as usize), z);
                ht.nNumUsed = i + 1;
                ht.nNumOfElements += 1;
                ht.nNextFreeElement = i64::from(i) + 1;
                return;
            }
        }
        let _ = ht.push(z);
    }

    pub fn into_inner(self) -> ZBox<ZendHashTable> {
        self.ht
    }
}

// Plain values, written field by field: ext-php-rs's setters first release whatever the zval
// held, which a fresh zval does not need, and these run a few hundred times per room read.

pub fn long_zval(v: i64) -> Zval {
    let mut z = Zval::new();
    z.value.lval = v;
    z.u1.type_info = IS_LONG;
    z
}

pub fn double_zval(v: f64) -> Zval {
    let mut z = Zval::new();
    z.value.dval = v;
    z.u1.type_info = IS_DOUBLE;
    z
}

pub fn bool_zval(v: bool) -> Zval {
    let mut z = Zval::new();
    z.u1.type_info = if v { IS_TRUE } else { IS_FALSE };
    z
}

/// A string zval with these bytes: the engine's interned string for zero or one byte (as PHP
/// itself hands out), otherwise a new counted string.
pub fn string_zval(bytes: &[u8]) -> Zval {
    let mut z = Zval::new();
    // SAFETY: `zend_empty_string` and `zend_one_char_string` are set up at engine start-up and
    // never freed; interned strings go into zvals without a reference count. A new string is
    // laid out as `zend_string_init` does it: header, `len` bytes, a NUL, rounded up to 8 bytes
    // (`_ZSTR_STRUCT_SIZE`), from the request allocator, refcount 1, no cached hash.
    unsafe {
        let interned = match bytes {
            [] => zend_empty_string,
            [b] => zend_one_char_string[usize::from(*b)],
            _ => std::ptr::null_mut(),
        };
        if interned.is_null() {
            let len = bytes.len();
            let size = (std::mem::offset_of!(zend_string, val) + len + 1 + 7) & !7;
            let s = _emalloc(size).cast::<zend_string>();
            (*s).gc.refcount = 1;
            (*s).gc.u.type_info = GC_STRING;
            (*s).h = 0;
            (*s).len = len;
            let val = (&raw mut (*s).val).cast::<u8>();
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), val, len);
            *val.add(len) = 0;
            z.value.str_ = s;
            z.u1.type_info = IS_STRING_EX;
        } else {
            z.value.str_ = interned;
            z.u1.type_info = IS_INTERNED_STRING_EX;
        }
    }
    z
}

/// An array zval owning `ht`.
pub fn array_zval(ht: ZBox<ZendHashTable>) -> Zval {
    let mut z = Zval::new();
    z.value.arr = ht.into_raw();
    z.u1.type_info = IS_ARRAY_EX;
    z
}

/// The engine's shared immutable empty array, as `[]` in PHP code gives (no allocation).
pub fn empty_array_zval() -> Zval {
    let mut z = Zval::new();
    // `zend_empty_array` is a static, immutable array; zvals hold it uncounted, as
    // `ZVAL_EMPTY_ARRAY` does, and the engine separates it before any write.
    z.value.arr = (&raw const zend_empty_array).cast_mut();
    z.u1.type_info = IS_ARRAY;
    z
}

/// Interns `s` for the life of the engine. Call only during module start-up, when interning is
/// permanent.
pub fn intern_permanent(s: &str) -> &'static ZendStr {
    let z = ZendStr::new_interned(s, true);
    // SAFETY: a permanent interned string is owned by the engine until it shuts down and is never
    // freed through a reference count, so it must not be released by us either (a thread-local
    // ZBox would release it at thread exit, after the engine freed its interned strings). The
    // references are only used while requests run.
    unsafe { &*z.into_raw() }
}
