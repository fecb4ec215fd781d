//! Errors as PHP sees them: `ValueError` for arguments out of range, `PresenceException` for the
//! store. Messages name the argument or the ini setting to change.

use crate::store::StoreError;
use crate::sys::OpenError;
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

pub fn open_error(e: &OpenError) -> PhpException {
    PhpException::from_class::<PresenceException>(e.to_string())
}

pub fn store_error(e: &StoreError) -> PhpException {
    PhpException::from_class::<PresenceException>(e.to_string())
}

pub fn presence_error(msg: String) -> PhpException {
    PhpException::from_class::<PresenceException>(msg)
}
