//! Per-process state: the mapped segment, the current namespace and reusable buffers.
//!
//! PHP runs one request at a time per process (NTS), so a thread-local is the process's own.
//! This is a cache of handles, never the store: the entries live in the shared segment.
//!
//! No borrow of the state is held while PHP code or the PHP allocator runs. A fatal error there
//! (a destructor the GC calls, an `E_USER_ERROR`, `memory_limit` on builds that raise it at once)
//! longjmps over the Rust frames without running their destructors: a `RefMut` held across it
//! would stay borrowed for the rest of the worker's life, and every later call would fail. So a
//! call leases what it needs (a counted handle on the segment, the namespace) in a short borrow and
//! takes the buffers out of their cell, giving them back at the end; a call cut short by a fatal only leaks its
//! lease, and a call made from inside another (a destructor the GC runs mid-call) gets its own.

use super::errors::{open_error, presence_error, value_error};
use super::ini;
use crate::store::codec::Writer;
use crate::store::layout::{Geometry, MAX_NAMESPACE_LEN};
use crate::store::{Entries, Store};
use crate::sys::{Options, Segment};
use ext_php_rs::exception::PhpException;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Buffers reused from call to call (a room read copies its entries here).
#[derive(Default)]
struct Buffers {
    entries: Entries,
    writer: Writer,
}

/// The mapped segment and the geometry this process's settings ask for (a found segment keeps its
/// own, so the two differ until it is recreated).
struct Opened {
    segment: Rc<Segment>,
    configured: Geometry,
    /// `presence.debug_clock` (system scope, so fixed for the process): only such processes add
    /// the segment's clock offset, so a test run can never move a live site's clock.
    debug_clock: bool,
}

#[derive(Default)]
struct State {
    segment: Option<Opened>,
    /// None until first use in the current request (reset by RINIT to follow ini_set/per-dir values).
    namespace: Option<Rc<[u8]>>,
    /// Whether this request checked that the path still names the mapped segment.
    checked: bool,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    /// Empty while a call has them (or lost them to a fatal error): a call then starts fresh ones.
    static BUFFERS: Cell<Option<Box<Buffers>>> = const { Cell::new(None) };
}

/// What a function gets to work with.
pub struct Ctx<'a> {
    pub store: Store<&'a Segment>,
    pub segment: &'a Segment,
    /// The geometry the settings ask for (compare with the segment's own).
    pub configured: Geometry,
    pub ns: &'a [u8],
    /// The store's clock: the wall clock, plus the segment's debug offset where
    /// `presence.debug_clock=1`.
    pub now: i64,
    /// What `now` adds to the wall clock (0 unless `presence.debug_clock=1`).
    pub clock_offset: i64,
    pub entries: &'a mut Entries,
    pub writer: &'a mut Writer,
}

fn open_segment() -> Result<Opened, PhpException> {
    let s = ini::settings().map_err(presence_error)?;
    let opts = Options {
        mode: s.mode,
        geometry: Geometry::from_budget(s.shards, s.capacity, s.data_memory),
        lock_timeout: s.lock_timeout,
    };
    let segment = Segment::open(&s.path, &opts, wall_clock()).map_err(|e| open_error(&e, &s))?;
    Ok(Opened {
        segment: Rc::new(segment),
        configured: opts.geometry,
        debug_clock: ini::debug_clock(),
    })
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs().cast_signed())
}

/// What one call holds while it runs, outside the state's `RefCell`.
struct Lease {
    segment: Rc<Segment>,
    configured: Geometry,
    debug_clock: bool,
    ns: Rc<[u8]>,
}

fn lease() -> Result<Lease, PhpException> {
    STATE.with(|cell| {
        // Only the short borrows in this file exist, none spans PHP code: this cannot fail.
        let Ok(mut st) = cell.try_borrow_mut() else {
            return Err(presence_error(
                "presence: internal state is busy (please report this)".into(),
            ));
        };
        let st = &mut *st;
        if !st.checked {
            // Once per request, one `lstat`: a segment replaced (rebuilt after an upgrade, or
            // deleted to resize it) is picked up without restarting php-fpm.
            st.checked = true;
            if st.segment.as_ref().is_some_and(|o| !o.segment.is_current()) {
                st.segment = None;
            }
        }
        let opened = match st.segment.take() {
            Some(o) => o,
            None => open_segment()?,
        };
        let (segment, configured, debug_clock) = (
            Rc::clone(&opened.segment),
            opened.configured,
            opened.debug_clock,
        );
        st.segment = Some(opened);
        let ns = if let Some(ns) = &st.namespace {
            Rc::clone(ns)
        } else {
            let ns: Rc<[u8]> = ini::namespace().map_err(presence_error)?.into();
            st.namespace = Some(Rc::clone(&ns));
            ns
        };
        Ok(Lease {
            segment,
            configured,
            debug_clock,
            ns,
        })
    })
}

/// Runs `f` with the segment mapped and the namespace resolved.
pub fn with<R>(f: impl FnOnce(&mut Ctx<'_>) -> Result<R, PhpException>) -> Result<R, PhpException> {
    let Lease {
        segment,
        configured,
        debug_clock,
        ns,
    } = lease()?;
    let mut buffers = BUFFERS.take().unwrap_or_default();
    let clock_offset = if debug_clock {
        segment.clock_offset()
    } else {
        0
    };
    let r = f(&mut Ctx {
        store: Store::new(&*segment).with_share(ini::namespace_share()),
        segment: &segment,
        configured,
        ns: &ns,
        now: wall_clock() + clock_offset,
        clock_offset,
        entries: &mut buffers.entries,
        writer: &mut buffers.writer,
    });
    BUFFERS.set(Some(buffers));
    r
}

pub fn set_namespace(ns: &[u8]) -> Result<(), PhpException> {
    if ns.len() > MAX_NAMESPACE_LEN {
        return Err(value_error(
            "presence_set_namespace",
            &format!("Argument #1 ($namespace) must be at most {MAX_NAMESPACE_LEN} bytes"),
        ));
    }
    STATE.with(|cell| {
        if let Ok(mut st) = cell.try_borrow_mut() {
            st.namespace = Some(ns.into());
        }
    });
    Ok(())
}

/// Called at request start: the namespace follows the new request's ini values, and the first
/// call checks the segment is still the one at the path.
pub fn reset_request() {
    STATE.with(|cell| {
        if let Ok(mut st) = cell.try_borrow_mut() {
            st.namespace = None;
            st.checked = false;
        }
    });
}

/// The mapped segment's path and geometry, and the geometry the settings ask for: what a message
/// about a full store needs. None before the first call opened a segment.
pub fn geometry() -> Option<(std::path::PathBuf, Geometry, Geometry)> {
    STATE.with(|cell| {
        let st = cell.try_borrow().ok()?;
        let o = st.segment.as_ref()?;
        Some((
            o.segment.path().to_path_buf(),
            o.segment.geometry(),
            o.configured,
        ))
    })
}
