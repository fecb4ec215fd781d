//! Per-process state: the mapped segment, the current namespace and reusable buffers.
//!
//! PHP runs one request at a time per process (NTS), so a thread-local is the process's own.
//! This is a cache of handles, never the store: the entries live in the shared segment.

use super::errors::{presence_error, store_error, value_error};
use super::ini;
use crate::store::codec::Writer;
use crate::store::layout::{Geometry, MAX_NAMESPACE_LEN};
use crate::store::{Entries, Store};
use crate::sys::Segment;
use ext_php_rs::exception::PhpException;
use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Default)]
struct State {
    segment: Option<Segment>,
    /// None until first use in the current request (reset by RINIT to follow ini_set/per-dir values).
    namespace: Option<Vec<u8>>,
    entries: Entries,
    writer: Writer,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

/// What a function gets to work with.
pub struct Ctx<'a> {
    pub store: Store<&'a Segment>,
    pub segment: &'a Segment,
    pub ns: &'a [u8],
    pub now: i64,
    pub entries: &'a mut Entries,
    pub writer: &'a mut Writer,
}

fn open_segment() -> Result<Segment, PhpException> {
    let s = ini::settings().map_err(presence_error)?;
    let geometry = Geometry::from_budget(s.shards, s.capacity, s.data_memory);
    Segment::open(&s.path, s.mode, geometry, wall_clock()).map_err(|e| store_error(&e))
}

fn wall_clock() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs().cast_signed())
}

/// Runs `f` with the segment mapped and the namespace resolved.
pub fn with<R>(f: impl FnOnce(&mut Ctx<'_>) -> Result<R, PhpException>) -> Result<R, PhpException> {
    STATE.with(|cell| {
        let Ok(mut st) = cell.try_borrow_mut() else {
            return Err(presence_error("presence: re-entrant call".into()));
        };
        let st = &mut *st;
        if st.segment.is_none() {
            st.segment = Some(open_segment()?);
        }
        if st.namespace.is_none() {
            st.namespace = Some(ini::namespace());
        }
        let (Some(segment), Some(ns)) = (st.segment.as_ref(), st.namespace.as_deref()) else {
            return Err(presence_error(
                "presence: the shared segment is not available".into(),
            ));
        };
        let mut ctx = Ctx {
            store: Store::new(segment).with_share(ini::namespace_share()),
            segment,
            ns,
            now: wall_clock() + segment.clock_offset(),
            entries: &mut st.entries,
            writer: &mut st.writer,
        };
        f(&mut ctx)
    })
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
            st.namespace = Some(ns.to_vec());
        }
    });
    Ok(())
}

/// Called at request start: the namespace follows the new request's ini values.
pub fn reset_request() {
    STATE.with(|cell| {
        if let Ok(mut st) = cell.try_borrow_mut() {
            st.namespace = None;
        }
    });
}
