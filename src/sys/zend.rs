//! The Zend engine work that `ext-php-rs` does not wrap: ini lookups by name, a raw walk over an
//! array's buckets (ext-php-rs's iterator turns keys into UTF-8 Strings and panics on binary keys;
//! PHP keys are bytes), and result arrays cloned from templates.

use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{
    _emalloc, zend_long, zval, Bucket, IS_ARRAY, IS_DOUBLE, IS_FALSE, IS_LONG, IS_TRUE, IS_UNDEF,
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
        // SAFETY: `clone_template` returns a fresh array (refcount 1) whose first `len` buckets are
        // the template's, in order, each holding IS_NULL. Overwriting a null value needs no
        // destructor (only its `u2.next` hash-chain link must survive), and `ptr::write` moves
        // our refcounted zval into the bucket, which now owns it. ZBox releases the array.
        unsafe {
            let dup = clone_template(&self.ht);
            let data = (*dup).__bindgen_anon_1.arData;
            for i in 0..self.len {
                let dst = &raw mut (*data.add(i as usize)).val;
                let next = (*dst).u2.next;
                std::ptr::write(dst, value(i));
                (*dst).u2.next = next;
            }
            ZBox::from_raw(dup)
        }
    }
}

/// `GC_IMMUTABLE`, which marks interned strings (`zend_types.h`, PHP 8.2).
const GC_IMMUTABLE: u32 = 1 << 6;

/// Copies a template array in two allocations and two `memcpy`s. `zend_array_dup` does the same
/// job element by element (a type check and refcount per value), which was a sixth of a room
/// read; a template holds only nulls, so a byte copy plus key refcounts is enough.
///
/// # Safety
/// `src` must be a live, non-packed, non-persistent array without holes whose values are all
/// `IS_NULL` and that nothing iterates, as `Shape::new` builds.
// The data block is emalloc'd (16-aligned), and the hash part before the buckets is a multiple of 8.
#[allow(clippy::cast_ptr_alignment)]
unsafe fn clone_template(src: &ZendHashTable) -> *mut ZendHashTable {
    // SAFETY: the sizes mirror HT_HASH_SIZE/HT_SIZE for this array; both blocks come from the
    // request allocator, as the engine's own arrays do, so zend_array_destroy frees them. The
    // hash index and used buckets are copied from live memory of `src`; keys that are not interned
    // get the reference the new bucket now holds.
    unsafe {
        let hash_size = src.nTableMask.wrapping_neg() as usize * std::mem::size_of::<u32>();
        let bucket = std::mem::size_of::<Bucket>();
        let full = hash_size + src.nTableSize as usize * bucket;
        let used = hash_size + src.nNumUsed as usize * bucket;
        let mem = _emalloc(full).cast::<u8>();
        let src_base = src.__bindgen_anon_1.arData.cast::<u8>().sub(hash_size);
        std::ptr::copy_nonoverlapping(src_base, mem, used);
        let ht = _emalloc(std::mem::size_of::<ZendHashTable>()).cast::<ZendHashTable>();
        std::ptr::copy_nonoverlapping(std::ptr::from_ref(src), ht, 1);
        (*ht).gc.refcount = 1;
        (*ht).gc.u.type_info = IS_ARRAY;
        (*ht).u.v.nIteratorsCount = 0;
        (*ht).nInternalPointer = 0;
        (*ht).__bindgen_anon_1.arData = mem.add(hash_size).cast::<Bucket>();
        let data = (*ht).__bindgen_anon_1.arData;
        for i in 0..(*ht).nNumUsed as usize {
            let key = (*data.add(i)).key;
            if !key.is_null() && (*key).gc.u.type_info & GC_IMMUTABLE == 0 {
                (*key).gc.refcount += 1;
            }
        }
        ht
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
