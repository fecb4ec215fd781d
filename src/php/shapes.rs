//! Templates for the `data` arrays of one result (see `sys::zend::Shape`). Writers of a room store
//! the same keys, so an entry's `data` almost always has the shape of one just before it: the
//! decoder keeps the last shapes seen, checks each key of the next entry against them as it reads
//! (one comparison of the stored key bytes), and fills a copy of the template directly.
//!
//! Templates hold request memory, so they live only as long as the call that builds the result:
//! nothing of PHP's outlives a call, whatever happens to the request afterwards. Only the lists'
//! own (Rust) storage is kept between calls, empty, so a read allocates nothing on the Rust side
//! once it has warmed up.

use crate::sys::zend::Shape;
use std::cell::RefCell;

/// Shapes of top-level `data` kept per call: a room's rows usually alternate between one or two
/// (say, with and without a `post_id`).
const KEPT: usize = 2;

/// Templates made per call at most; a result whose entries keep changing shape builds the rest
/// key by key.
const MAX_NODES: usize = 64;

/// One position of a template: where its encoded key (tag, length, bytes) is in `Layout::keys`,
/// and the template of the array that was its value there (index + 1), or 0.
#[derive(Clone, Copy)]
struct Slot {
    key: (u32, u32),
    child: u32,
}

/// The keys of every template; template `id` has its positions from `first[id]` on.
#[derive(Default)]
pub struct Layout {
    first: Vec<u32>,
    slots: Vec<Slot>,
    keys: Vec<u8>,
}

impl Layout {
    /// The positions of template `id`: each one's encoded key and the template of the array that
    /// was the value there, if any.
    #[inline]
    pub fn slots(&self, id: usize, count: u32) -> impl Iterator<Item = (&[u8], Option<usize>)> {
        let first = self.first.get(id).map_or(0, |f| *f as usize);
        self.slots
            .get(first..first + count as usize)
            .unwrap_or(&[])
            .iter()
            .map(|s| {
                let key = self
                    .keys
                    .get(s.key.0 as usize..s.key.1 as usize)
                    .unwrap_or(&[]);
                (key, (s.child as usize).checked_sub(1))
            })
    }
}

/// The lists behind `Templates`. Templates are added children first, so a template's children
/// always have smaller ids than itself (which lets a fill borrow them apart).
#[derive(Default)]
pub struct Storage {
    shapes: Vec<Shape>,
    layout: Layout,
    /// Top-level templates, most recently used first.
    roots: Vec<usize>,
}

/// The templates of one call.
pub struct Templates(Storage);

/// A template being made by `Templates::begin`.
pub struct NewNode {
    first: u32,
    n: u32,
}

impl Templates {
    /// An empty set, reusing the storage of an earlier call.
    pub fn new() -> Templates {
        Templates(with(|s| std::mem::take(&mut s.spare)))
    }

    /// The `i`-th top-level template to try (most recently used first).
    pub fn root(&self, i: usize) -> Option<usize> {
        self.0.roots.get(i).copied()
    }

    /// Makes the `i`-th root the first to try.
    pub fn used(&mut self, i: usize) {
        if i > 0 {
            self.0.roots[..=i].rotate_right(1);
        }
    }

    /// Adds a new top-level template as the first to try, forgetting the oldest beyond `KEPT`.
    pub fn add_root(&mut self, id: usize) {
        self.0.roots.insert(0, id);
        self.0.roots.truncate(KEPT);
    }

    /// The templates to fill, and their keys.
    pub fn parts(&mut self) -> (&mut [Shape], &Layout) {
        (&mut self.0.shapes, &self.0.layout)
    }

    /// Starts a template of `n` positions, or None when this call has made enough.
    pub fn begin(&mut self, n: u32) -> Option<NewNode> {
        if self.0.shapes.len() >= MAX_NODES {
            return None;
        }
        let slots = &mut self.0.layout.slots;
        let first = slots.len() as u32;
        slots.resize(
            slots.len() + n as usize,
            Slot {
                key: (0, 0),
                child: 0,
            },
        );
        Some(NewNode { first, n })
    }

    /// Records position `i` of a template being made: its encoded key and the template of the
    /// array that is its value, if any.
    pub fn set_slot(&mut self, new: &NewNode, i: u32, key: &[u8], child: Option<usize>) {
        if i >= new.n {
            return;
        }
        let layout = &mut self.0.layout;
        let start = layout.keys.len() as u32;
        layout.keys.extend_from_slice(key);
        let end = layout.keys.len() as u32;
        if let Some(s) = layout.slots.get_mut((new.first + i) as usize) {
            s.key = (start, end);
            s.child = child.map_or(0, |c| c as u32 + 1);
        }
    }

    /// Finishes a template; returns its id.
    pub fn finish(&mut self, new: &NewNode, shape: Shape) -> Option<usize> {
        if shape.key_count() != new.n {
            return None;
        }
        self.0.shapes.push(shape);
        self.0.layout.first.push(new.first);
        Some(self.0.shapes.len() - 1)
    }
}

impl Drop for Templates {
    fn drop(&mut self) {
        // Releases the templates (request memory) now, and keeps the empty lists for the next call.
        let mut spare = std::mem::take(&mut self.0);
        spare.shapes.clear();
        spare.layout.first.clear();
        spare.layout.slots.clear();
        spare.layout.keys.clear();
        spare.roots.clear();
        with(|s| s.spare = spare);
    }
}

/// What a process keeps between calls: storage only, never PHP values.
#[derive(Default)]
pub struct Shapes {
    spare: Storage,
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

/// Drops what the process keeps between calls (no PHP values: see the module doc).
pub fn release() {
    SHAPES.with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            *s = Shapes::default();
        }
    });
}
