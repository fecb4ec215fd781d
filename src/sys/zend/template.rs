//! Result arrays copied from templates: `Frame`s made at module start-up for rows, `Shape`s made
//! per call for `data`, and `Filling`, which gives a copy its values.

use super::value::{release_str, same_bytes, string_zval};
use super::{HASH_FLAG_PACKED, HASH_FLAG_STATIC_KEYS, HASH_FLAG_UNINITIALIZED};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::ffi::{
    _emalloc, zend_hash_add_new, zend_string, zval, zval_ptr_dtor, Bucket, GC_IMMUTABLE, IS_ARRAY,
    IS_INTERNED_STRING_EX, IS_NULL, IS_STRING_EX,
};
use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};

extern "C" {
    fn zend_hash_real_init_mixed(ht: *mut ZendHashTable);
    fn _zend_hash_init(
        ht: *mut ZendHashTable,
        size: u32,
        destructor: Option<unsafe extern "C" fn(*mut zval)>,
        persistent: bool,
    );
    // The allocator's entry points for its 56- and 320-byte bins (an array, and the data block of
    // one sized for up to 8 elements): `_emalloc` first works the bin out from the size. Release
    // builds of PHP export them, as the engine's own arrays use them.
    fn _emalloc_56() -> *mut std::ffi::c_void;
    fn _emalloc_320() -> *mut std::ffi::c_void;
}

const _: () = assert!(std::mem::size_of::<ZendHashTable>() == 56);

/// A template for result arrays: an earlier array's keys, and its string values kept as the
/// values to share. Filling it copies the buckets and the hash index in one allocation, where
/// inserting key by key would hash and allocate per field; a string equal to the one the template
/// holds at that position takes a reference instead of an allocation.
///
/// The template owns what it holds (one reference per key and string), like any array, so it is
/// released by dropping it. Keep it no longer than the call that builds the result.
pub struct Shape {
    ht: ZBox<ZendHashTable>,
    len: u32,
    /// For the first `ALTS` positions, the string seen there before the template's own (one
    /// reference each, or null): values that alternate, as screens and activities do, find one
    /// of the two.
    alt: [*mut zend_string; ALTS],
    /// Positions whose string matched neither the last time (`miss1`), the last two times
    /// (`miss2`), and three times running (`unique`: values there are all different, as names
    /// and avatars in a room are, so they are no longer compared or kept).
    miss1: u64,
    miss2: u64,
    unique: u64,
}

/// Positions of a template with a second string to share.
const ALTS: usize = 8;

impl Drop for Shape {
    fn drop(&mut self) {
        for s in self.alt {
            if !s.is_null() {
                // SAFETY: a counted request string the template holds a reference to.
                unsafe { release_str(s) };
            }
        }
    }
}

/// Templates have at most this many keys (one bit each in `Shape::miss1` and the others).
pub const MAX_SHAPE_KEYS: u32 = 64;

impl Shape {
    /// The template of `ht`: its keys, and its string values to share. None when PHP stores `ht`
    /// as a packed list, it has holes (its buckets are then not one per key) or too many keys.
    pub fn of(ht: &ZendHashTable) -> Option<Shape> {
        // SAFETY: `u.flags`, `nNumUsed`, `nNumOfElements` are initialised for every array.
        let (flags, used, count) = unsafe { (ht.u.flags, ht.nNumUsed, ht.nNumOfElements) };
        if flags & (HASH_FLAG_PACKED | HASH_FLAG_UNINITIALIZED) != 0
            || used != count
            || used == 0
            || used > MAX_SHAPE_KEYS
        {
            return None;
        }
        // SAFETY: checked above: a live, initialised, non-packed array without holes; only
        // request arrays of results being built are passed here. The copy takes a reference to
        // each key; each value is then either given a reference too (counted strings), kept
        // (interned strings) or replaced by null, so the template owns exactly what it holds
        // and holds nothing but strings and nulls.
        unsafe {
            let dup = copy_array(ht);
            let data = (*dup).__bindgen_anon_1.arData;
            for i in 0..used as usize {
                let v = &raw mut (*data.add(i)).val;
                let t = (*v).u1.type_info;
                if t == IS_STRING_EX {
                    (*(*v).value.str_).gc.refcount += 1;
                } else if t != IS_INTERNED_STRING_EX {
                    (*v).u1.type_info = IS_NULL;
                }
            }
            Some(Shape {
                ht: ZBox::from_raw(dup),
                len: used,
                alt: [std::ptr::null_mut(); ALTS],
                miss1: 0,
                miss2: 0,
                unique: 0,
            })
        }
    }

    /// Number of keys.
    pub fn key_count(&self) -> u32 {
        self.len
    }

    /// Starts a new array with this template's keys, to be given its values.
    #[inline]
    pub fn start(&mut self) -> Filling<'_> {
        // SAFETY: the template is a live, initialised, non-packed array without holes (`of`),
        // not iterated; `Filling` makes the copy own each value before it is released or used.
        let ht = unsafe { copy_array(&self.ht) };
        // SAFETY: both arrays are initialised, so `arData` points to their buckets.
        let (dst, src) = unsafe {
            (
                (*ht).__bindgen_anon_1.arData,
                self.ht.__bindgen_anon_1.arData,
            )
        };
        Filling {
            len: self.len,
            tpl: Some(self),
            ht,
            dst,
            src,
            done: 0,
        }
    }
}

/// A template made at module start-up from permanent keys, with null values, in persistent
/// memory: result arrays of every request are copied from it. It is never changed or freed (the
/// process keeps it until it exits), and holds nothing of any request, so copies of the handle
/// stay valid.
#[derive(Clone, Copy)]
pub struct Frame {
    ht: *mut ZendHashTable,
    /// The start of its data block (`arData` points past the hash part), kept so that leak
    /// checkers see the block as reachable rather than lost.
    _block: *mut u8,
    len: u32,
}

impl Frame {
    /// The frame for these keys. Only during module start-up, when the keys are permanent.
    pub fn new(keys: &[&'static ZendStr]) -> Frame {
        let len = keys.len() as u32;
        // SAFETY: a zeroed struct is initialised by `_zend_hash_init` as a persistent array
        // (values released by `zval_ptr_dtor`, which copies inherit), then given each key with a
        // null value. The keys are permanent interned strings, so the array (and its copies) has
        // static keys. The struct is leaked on purpose: it lives as long as the process.
        unsafe {
            let ht = Box::into_raw(Box::new(std::mem::zeroed::<ZendHashTable>()));
            _zend_hash_init(ht, len, Some(zval_ptr_dtor), true);
            zend_hash_real_init_mixed(ht);
            for k in keys {
                let mut null = Zval::new();
                zend_hash_add_new(ht, std::ptr::from_ref(*k).cast_mut(), &raw mut null);
            }
            let hash = (*ht).nTableMask.wrapping_neg() as usize * std::mem::size_of::<u32>();
            let block = (*ht).__bindgen_anon_1.arData.cast::<u8>().sub(hash);
            Frame {
                ht,
                _block: block,
                len,
            }
        }
    }

    /// Starts a new array with these keys, to be given its values.
    #[inline]
    pub fn start(&self) -> Filling<'_> {
        // SAFETY: the frame is a live, initialised, non-packed array without holes (`new`),
        // never iterated or changed; `Filling` makes the copy own each value.
        unsafe {
            let ht = copy_array(&*self.ht);
            Filling {
                len: self.len,
                tpl: None,
                ht,
                dst: (*ht).__bindgen_anon_1.arData,
                src: (*self.ht).__bindgen_anon_1.arData,
                done: 0,
            }
        }
    }
}

/// A new array from a `Shape`, being given its values in order. Positions never given one are
/// null.
pub struct Filling<'t> {
    /// The template, when it keeps strings to share (a `Frame` keeps none).
    tpl: Option<&'t mut Shape>,
    /// The copy; its buckets start as byte copies of the template's, whose values the copy does
    /// not own: only the first `done` positions hold values of its own.
    ht: *mut ZendHashTable,
    /// The buckets of the copy and of the template, `len` each.
    dst: *mut Bucket,
    src: *mut Bucket,
    len: u32,
    done: u32,
}

impl Filling<'_> {
    /// Gives the next position this value (ignored past the end).
    #[inline]
    pub fn push(&mut self, z: Zval) {
        let i = self.done;
        if i >= self.len {
            return;
        }
        // SAFETY: `i < len`, so `dst` is a bucket value of the copy, holding a byte copy it does
        // not own: it is overwritten. `u2.next` is the bucket's hash-chain link and must survive.
        unsafe {
            let dst = &raw mut (*self.dst.add(i as usize)).val;
            let next = (*dst).u2.next;
            std::ptr::write(dst, z);
            (*dst).u2.next = next;
        }
        self.done = i + 1;
    }

    /// Gives the next position a string with these bytes: the template's own if equal, otherwise
    /// a new one, which the template then keeps for the next array in its place.
    // Measured: inlining this into the decoder's loop saves a tenth of a room read.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub fn push_string(&mut self, bytes: &[u8]) {
        let i = self.done;
        if i >= self.len {
            return;
        }
        let bit = 1u64 << i;
        let Some(tpl) = self.tpl.as_deref_mut().filter(|t| t.unique & bit == 0) else {
            self.push(string_zval(bytes));
            return;
        };
        // SAFETY: `i < len`, so `src` is a template value: a null, an interned string or a
        // counted string the template holds a reference to, and `alt[i]` null or a counted
        // string it holds a reference to (`Shape::of` and this function keep them so). Moving a
        // string between the two keeps its reference.
        let z = unsafe {
            let src = &raw mut (*self.src.add(i as usize)).val;
            let alt = tpl.alt.get_mut(i as usize);
            if (*src).u1.type_info == IS_STRING_EX
                && same_bytes(zstr_bytes((*src).value.str_), bytes)
            {
                tpl.miss1 &= !bit;
                tpl.miss2 &= !bit;
                (*src).shallow_clone()
            } else if let Some(alt) =
                alt.filter(|a| !a.is_null() && same_bytes(zstr_bytes(**a), bytes))
            {
                // The other of two alternating values: it becomes the first to try.
                tpl.miss1 &= !bit;
                tpl.miss2 &= !bit;
                let found = *alt;
                if (*src).u1.type_info == IS_STRING_EX {
                    *alt = (*src).value.str_;
                } else {
                    *alt = std::ptr::null_mut();
                }
                (*src).value.str_ = found;
                (*src).u1.type_info = IS_STRING_EX;
                (*src).shallow_clone()
            } else {
                if tpl.miss2 & bit != 0 {
                    tpl.unique |= bit;
                } else if tpl.miss1 & bit != 0 {
                    tpl.miss2 |= bit;
                }
                tpl.miss1 |= bit;
                let z = string_zval(bytes);
                if z.u1.type_info == IS_STRING_EX {
                    let old = ((*src).u1.type_info == IS_STRING_EX).then(|| (*src).value.str_);
                    match (tpl.alt.get_mut(i as usize), old) {
                        // The template's string becomes the second one to try.
                        (Some(alt), Some(old)) => {
                            if !alt.is_null() {
                                release_str(*alt);
                            }
                            *alt = old;
                        }
                        (None, Some(old)) => release_str(old),
                        (_, None) => {}
                    }
                    (*z.value.str_).gc.refcount += 1;
                    (*src).value.str_ = z.value.str_;
                    (*src).u1.type_info = IS_STRING_EX;
                }
                z
            }
        };
        self.push(z);
    }

    /// Gives the next position the template's value there.
    #[inline]
    pub fn push_kept(&mut self) {
        let i = self.done;
        if i >= self.len {
            return;
        }
        // SAFETY: `i < len`: a live template value; the clone takes its own reference.
        let z = unsafe { (*self.src.add(i as usize)).val.shallow_clone() };
        self.push(z);
    }

    /// Sets the positions never given a value to null, so the copy owns all it holds.
    #[inline]
    fn close(&mut self) {
        for i in self.done..self.len {
            // SAFETY: an unwritten bucket holds a byte copy it does not own: overwrite the type
            // only, which keeps `u2.next`.
            unsafe { (*self.dst.add(i as usize)).val.u1.type_info = IS_NULL };
        }
        self.done = self.len;
    }

    /// The finished array.
    #[inline]
    pub fn finish(mut self) -> ZBox<ZendHashTable> {
        self.close();
        let ht = std::mem::replace(&mut self.ht, std::ptr::null_mut());
        // SAFETY: a fresh array of refcount 1 that owns every value it holds.
        unsafe { ZBox::from_raw(ht) }
    }
}

impl Drop for Filling<'_> {
    fn drop(&mut self) {
        if !self.ht.is_null() {
            self.close();
            // SAFETY: as in `finish`; releasing it releases the values given so far.
            drop(unsafe { ZBox::from_raw(self.ht) });
        }
    }
}

/// The bytes of a live `zend_string`.
///
/// # Safety
/// `s` must point to a live `zend_string` that outlives the returned slice.
unsafe fn zstr_bytes<'a>(s: *const zend_string) -> &'a [u8] {
    // SAFETY: `len` bytes follow the header, as the engine allocates them.
    unsafe { std::slice::from_raw_parts((&raw const (*s).val).cast::<u8>(), (*s).len) }
}

/// Copies an array in two allocations and two `memcpy`s, taking a reference to each key but
/// none to the values. `zend_array_dup` does the same job element by element (a type check and
/// refcount per value), which was a sixth of a room read.
///
/// # Safety
/// `src` must be a live, initialised, non-packed array without holes that nothing iterates (it
/// may be persistent: the copy is request memory either way). The caller must make the copy own
/// its values (or null them) before it is used.
// The data block is emalloc'd (16-aligned), and the hash part before the buckets is a multiple of 8.
#[allow(clippy::cast_ptr_alignment)]
#[inline]
unsafe fn copy_array(src: &ZendHashTable) -> *mut ZendHashTable {
    // SAFETY: the sizes mirror HT_HASH_SIZE/HT_SIZE for this array; both blocks come from the
    // request allocator, as the engine's own arrays do, so zend_array_destroy frees them. The
    // hash index and used buckets are copied from live memory of `src`; keys that are not interned
    // get the reference the new bucket now holds.
    unsafe {
        let hash_size = src.nTableMask.wrapping_neg() as usize * std::mem::size_of::<u32>();
        let bucket = std::mem::size_of::<Bucket>();
        let full = hash_size + src.nTableSize as usize * bucket;
        let used = hash_size + src.nNumUsed as usize * bucket;
        let mem = if full == 320 {
            _emalloc_320()
        } else {
            _emalloc(full)
        }
        .cast::<u8>();
        let src_base = src.__bindgen_anon_1.arData.cast::<u8>().sub(hash_size);
        std::ptr::copy_nonoverlapping(src_base, mem, used);
        let ht = _emalloc_56().cast::<ZendHashTable>();
        std::ptr::copy_nonoverlapping(std::ptr::from_ref(src), ht, 1);
        (*ht).gc.refcount = 1;
        (*ht).gc.u.type_info = IS_ARRAY;
        (*ht).u.v.nIteratorsCount = 0;
        (*ht).nInternalPointer = 0;
        (*ht).__bindgen_anon_1.arData = mem.add(hash_size).cast::<Bucket>();
        if (*ht).u.flags & HASH_FLAG_STATIC_KEYS == 0 {
            let data = (*ht).__bindgen_anon_1.arData;
            for i in 0..(*ht).nNumUsed as usize {
                let key = (*data.add(i)).key;
                if !key.is_null() && (*key).gc.u.type_info & GC_IMMUTABLE == 0 {
                    (*key).gc.refcount += 1;
                }
            }
        }
        ht
    }
}
