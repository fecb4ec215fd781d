//! Errors as PHP sees them: `ValueError` for arguments out of range, `PresenceException` for the
//! store. Messages name the argument or the ini setting to change.

use super::ini::Settings;
use crate::store::layout::Geometry;
use crate::store::{Refusal, StoreError};
use crate::sys::{human_size, OpenError};
use ext_php_rs::exception::PhpException;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ce;
use std::path::Path;

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
    let msg = match (e, super::state::geometry()) {
        // A site over its share: the share, not the segment's size, is what to change.
        (StoreError::Full(Refusal::Share), _) => e.to_string(),
        (StoreError::Full(why), Some((path, actual, configured))) => {
            full_message(*why, &path, &actual, &configured)
        }
        _ => e.to_string(),
    };
    PhpException::from_class::<PresenceException>(msg)
}

/// A full store, with what the segment really holds: a segment keeps the geometry it was created
/// with, so raising a setting only helps once the segment is recreated.
fn full_message(why: Refusal, path: &Path, actual: &Geometry, configured: &Geometry) -> String {
    let p = path.display();
    let entries = |g: &Geometry| u64::from(g.slots_per_shard) * u64::from(g.shards);
    let shards = |g: &Geometry| match g.shards {
        1 => "1 shard".to_owned(),
        n => format!("{n} shards"),
    };
    let (what, setting, has, asks) = if why == Refusal::Data {
        (
            "no room is left for entry data in the shards this room may use",
            "presence.data_memory",
            format!(
                "{} of entry data in {} ({} each)",
                human_size(actual.data_capacity()),
                shards(actual),
                human_size(actual.data_capacity() / u64::from(actual.shards))
            ),
            format!(
                "{} in {}",
                human_size(configured.data_capacity()),
                shards(configured)
            ),
        )
    } else {
        (
            "the shards this room may use are full",
            "presence.capacity",
            format!(
                "{} entries in {} ({} each)",
                entries(actual),
                shards(actual),
                actual.slots_per_shard
            ),
            format!("{} in {}", entries(configured), shards(configured)),
        )
    };
    if actual == configured {
        format!(
            "presence: {what}: the segment {p} holds {has}. Raise {setting}, then recreate the segment, which keeps its size across PHP restarts (README, \"Resizing the segment\")"
        )
    } else {
        format!(
            "presence: {what}: the segment {p} was created for {has}, but the settings ({setting}, presence.shards) ask for {asks}, and a segment keeps its size until it is recreated: stop php-fpm, delete {p} and start php-fpm again (README, \"Resizing the segment\")"
        )
    }
}

pub fn presence_error(msg: String) -> PhpException {
    PhpException::from_class::<PresenceException>(msg)
}
