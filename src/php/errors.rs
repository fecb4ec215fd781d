//! Errors as PHP sees them: `ValueError` for arguments out of range, `PresenceException` for the
//! store. Messages name the argument or the ini setting to change.

use super::ini::Settings;
use crate::store::StoreError;
use crate::sys::{human_size, OpenError};
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;

/// Thrown when the store cannot do what was asked: full, unusable segment, debug clock off.
#[php_class]
#[php(name = "PresenceException")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[derive(Default)]
pub struct PresenceException;

pub fn value_error(func: &str, msg: &str) -> PhpException {
    PhpException::new(format!("{func}(): {msg}"), 0, ce::value_error())
}

/// A segment that could not be opened. A full file system names the settings that size it.
pub fn open_error(e: &OpenError, s: &Settings) -> PhpException {
    let msg = match e {
        OpenError::NoSpace {
            path,
            needed,
            free,
            size,
        } => format!(
            "presence: no room for the segment {}: presence.capacity={}, presence.data_memory={} and presence.shards={} need {}, but its file system has {} free of {}. Lower presence.capacity or presence.data_memory, or give the file system more room (Docker: --shm-size; a tmpfs: mount -o remount,size=…). Nothing was created",
            path.display(),
            s.capacity,
            human_size(s.data_memory),
            s.shards,
            human_size(*needed),
            human_size(*free),
            human_size(*size),
        ),
        OpenError::Failed(msg) => msg.clone(),
    };
    PhpException::from_class::<PresenceException>(msg)
}

pub fn store_error(e: &StoreError) -> PhpException {
    PhpException::from_class::<PresenceException>(e.to_string())
}

pub fn presence_error(msg: String) -> PhpException {
    PhpException::from_class::<PresenceException>(msg)
}
