//! Request-scoped templates for result arrays (see `sys::zend::Shape`): one for entry rows, and
//! for `data`, the last key sequence seen per nesting depth and key count. Writers of a room
//! store the same keys, so the next row almost always has the shape of the previous one; the
//! decoder fills it speculatively and checks each key as it reads it.

use super::keys::with_keys;
use crate::store::codec::{Key, MAX_DEPTH};
use crate::sys::zend::{Shape, ShapeKey};
use ext_php_rs::types::ZendStr;
use std::cell::RefCell;
use std::rc::Rc;

/// Arrays with up to this many keys get shapes.
pub const MAX_SHAPED_KEYS: usize = 16;

/// A key as stored in the encoding, owned.
#[derive(PartialEq, Eq)]
pub enum OwnedKey {
    Int(i64),
    Str(Vec<u8>),
}

impl OwnedKey {
    pub fn matches(&self, k: &Key<'_>) -> bool {
        match (self, k) {
            (OwnedKey::Int(a), Key::Int(b)) => a == b,
            (OwnedKey::Str(a), Key::Str(b)) => a.as_slice() == *b,
            _ => false,
        }
    }
}

pub struct DataShape {
    pub shape: Shape,
    pub keys: Vec<OwnedKey>,
}

#[derive(Default)]
pub struct Shapes {
    row: Option<Rc<Shape>>,
    /// Indexed by depth * (`MAX_SHAPED_KEYS` + 1) + key count.
    last: Vec<Option<Rc<DataShape>>>,
}

thread_local! {
    static SHAPES: RefCell<Shapes> = RefCell::new(Shapes::default());
}

/// Runs `f` with this request's templates. They are moved out of the cell for the call, never
/// borrowed across it: `f` builds PHP values, and a fatal error there longjmps past our frames, so a
/// borrow would stay taken (and `release` would panic in RSHUTDOWN). Such a call leaks the
/// templates it held instead (never freed, so never freed twice); the next call starts afresh.
pub fn with<R>(f: impl FnOnce(&mut Shapes) -> R) -> R {
    let mut shapes = SHAPES.with(|s| s.try_borrow_mut().map(|mut s| std::mem::take(&mut *s)));
    let mut fresh = Shapes::default();
    let r = f(shapes.as_mut().unwrap_or(&mut fresh));
    if let Ok(shapes) = shapes {
        SHAPES.with(|s| {
            if let Ok(mut s) = s.try_borrow_mut() {
                *s = shapes;
            }
        });
    }
    r
}

/// Frees the templates while request memory is still valid.
pub fn release() {
    SHAPES.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Shapes::default();
        }
    });
}

fn slot(depth: usize, n: usize) -> usize {
    depth.min(MAX_DEPTH) * (MAX_SHAPED_KEYS + 1) + n
}

impl Shapes {
    /// room, `client_id`, `user_id`, data, updated, expires.
    pub fn row(&mut self) -> Rc<Shape> {
        let row = self.row.get_or_insert_with(|| {
            with_keys(|k| {
                Rc::new(
                    Shape::new(&[
                        ShapeKey::Str(k.room),
                        ShapeKey::Str(k.client_id),
                        ShapeKey::Str(k.user_id),
                        ShapeKey::Str(k.data),
                        ShapeKey::Str(k.updated),
                        ShapeKey::Str(k.expires),
                    ])
                    .expect("six distinct string keys always make a hash shape"),
                )
            })
        });
        Rc::clone(row)
    }

    /// The shape last used for arrays of `n` keys at `depth`.
    pub fn last(&self, depth: usize, n: usize) -> Option<Rc<DataShape>> {
        self.last.get(slot(depth, n)).and_then(Clone::clone)
    }

    /// Remembers `keys` as the shape for their depth and count (unless PHP would pack them).
    pub fn remember(&mut self, depth: usize, keys: Vec<OwnedKey>) {
        let n = keys.len();
        if n == 0 || n > MAX_SHAPED_KEYS {
            return;
        }
        let strs: Vec<Option<ext_php_rs::boxed::ZBox<ZendStr>>> = keys
            .iter()
            .map(|k| match k {
                OwnedKey::Str(s) => Some(ZendStr::new(s, false)),
                OwnedKey::Int(_) => None,
            })
            .collect();
        let refs: Vec<ShapeKey<'_>> = keys
            .iter()
            .zip(&strs)
            .map(|(k, s)| match (k, s) {
                (OwnedKey::Int(i), _) => ShapeKey::Int(*i),
                (OwnedKey::Str(_), Some(z)) => ShapeKey::Str(z),
                (OwnedKey::Str(_), None) => ShapeKey::Int(0),
            })
            .collect();
        let Some(shape) = Shape::new(&refs) else {
            return;
        };
        let i = slot(depth, n);
        if self.last.len() <= i {
            self.last.resize_with(i + 1, || None);
        }
        self.last[i] = Some(Rc::new(DataShape { shape, keys }));
    }
}
