//! The Zend engine calls that `ext-php-rs` does not wrap: ini lookups by name and a raw walk over
//! an array's buckets (ext-php-rs's iterator turns keys into UTF-8 Strings and panics on binary
//! keys; PHP keys are bytes).

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{
    zend_array_dup, zend_long, zval, IS_DOUBLE, IS_FALSE, IS_LONG, IS_TRUE, IS_UNDEF,
};
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};
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

/// An array of keys with null values, cloned for every row that has these keys: cloning copies
/// the buckets and the hash index in one allocation, where inserting key by key would hash and
/// allocate per field.
///
/// Shapes hold request memory: drop them before the request ends (`RSHUTDOWN`).
pub struct Shape {
    ht: ZBox<ZendHashTable>,
    len: u32,
}

impl Shape {
    /// Builds the template, or None when PHP stores these keys as a packed list (no buckets to
    /// fill) or they repeat (holes).
    pub fn new(keys: &[ShapeKey<'_>]) -> Option<Shape> {
        let mut ht = ZendHashTable::with_capacity(keys.len() as u32);
        for k in keys {
            let _ = match k {
                ShapeKey::Int(i) => ht.insert(ArrayKey::Long(*i), Zval::null()),
                ShapeKey::Str(s) => ht.insert(ArrayKey::ZendString(s), Zval::null()),
            };
        }
        let len = ht.len() as u32;
        // SAFETY: `u.flags` is the array's flag word, always initialised by the engine.
        let packed = unsafe { ht.u.flags } & HASH_FLAG_PACKED != 0;
        (!packed && len as usize == keys.len()).then_some(Shape { ht, len })
    }

    /// A new array with this shape's keys and `value(i)` as the i-th value.
    pub fn fill(&self, mut value: impl FnMut(u32) -> Zval) -> ZBox<ZendHashTable> {
        // SAFETY: the template is a live, hole-free, non-packed array (string or integer keys
        // inserted once each), so after zend_array_dup its first `len` buckets are exactly the
        // template's in order, each holding IS_NULL. Overwriting a null value needs no destructor
        // (only its `u2.next` chain link must survive), and `ptr::write` moves our refcounted zval into the bucket, which now owns it. The dup
        // has refcount 1 and is handed to ZBox, which releases it.
        unsafe {
            let dup = zend_array_dup(std::ptr::from_ref::<ZendHashTable>(&self.ht).cast_mut());
            let data = (*dup).__bindgen_anon_1.arData;
            for i in 0..self.len {
                let dst = &raw mut (*data.add(i as usize)).val;
                // A bucket's zval keeps the hash collision chain in `u2.next`: keep it.
                let next = (*dst).u2.next;
                std::ptr::write(dst, value(i));
                (*dst).u2.next = next;
            }
            ZBox::from_raw(dup)
        }
    }
}

/// A key of a `Shape` (the template takes its own reference).
pub enum ShapeKey<'a> {
    Int(i64),
    Str(&'a ZendStr),
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

/// A new (non-interned, refcounted) string zval with these bytes.
pub fn string_zval(bytes: &[u8]) -> Zval {
    let mut z = Zval::new();
    z.set_zend_string(ZendStr::new(bytes, false));
    z
}
