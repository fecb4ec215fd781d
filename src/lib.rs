//! `presence`: who is where, right now, in shared memory that every PHP process of a host sees.
//!
//! - [`store`] is the store itself: safe Rust over a byte region, with the time passed in.
//! - [`sys`] is the only module with `unsafe`: it maps the segment and implements the
//!   process-shared, robust lock.
//! - `php` (feature `php`, on by default) is the thin ext-php-rs layer.
#![warn(clippy::pedantic)]
// `unsafe` lives in `sys` only (it allows it there, with a `// SAFETY:` line per block). The
// ext-php-rs macros in `php` expand to unsafe `extern "C"` glue; rustc does not apply this lint to
// code that comes from an external macro's expansion, so the deny holds for every hand-written
// line of `php` and `store` without a blanket allow on them.
#![deny(unsafe_code)]
// Lengths here are bounded far below u32::MAX by the layout's own limits (keys ≤ 255 bytes, data
// ≤ 16 KiB, slots per shard ≤ u32), so narrowing casts cannot truncate.
#![allow(clippy::cast_possible_truncation)]
// Store and shard operations share one error story (`StoreError`/`Corrupt`), documented on the types.
#![allow(clippy::missing_errors_doc)]
// Store results (counts, versions, stats) are always consumed by the PHP layer; marking every
// accessor `#[must_use]` adds noise without catching anything.
#![allow(clippy::must_use_candidate)]

pub mod store;
pub mod sys;

#[cfg(feature = "php")]
mod php;
