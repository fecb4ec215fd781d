//! The only module with `unsafe`: mapping the segment and the process-shared robust mutex.
//! Everything above it is safe Rust over the byte slices this module hands out.
// The crate denies `unsafe_code`; this is the one module that may use it.
#![allow(unsafe_code)]

pub mod abi;
pub mod mutex;
mod ownership;
mod segment;
#[cfg(feature = "php")]
pub mod zend;

pub use segment::{default_path, human_size, OpenError, Options, Segment};
