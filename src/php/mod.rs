//! The PHP-facing layer: module registration, ini, lifecycle hooks.
// `#[php_function]` hands arguments over by value (`BinarySlice`, `Option<…>`); the wrappers
// decide that, not us.
#![allow(clippy::needless_pass_by_value)]

mod admin;
mod changes;
mod data;
mod errors;
mod functions;
mod ini;
mod keys;
mod shapes;
mod state;
mod top;

use ext_php_rs::prelude::*;
use ext_php_rs::zend::{IniEntryDef, ModuleEntry};
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    IniEntryDef::register(ini::ENTRIES.as_slice(), module_number);
    keys::init();
    0
}

extern "C" fn request_startup(_ty: i32, _module_number: i32) -> i32 {
    state::reset_request();
    0
}

extern "C" fn request_shutdown(_ty: i32, _module_number: i32) -> i32 {
    // Result templates live in request memory: free them while it is still valid.
    shapes::release();
    0
}

extern "C" fn info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("presence support", "enabled");
    info_table_row!(
        "layout version",
        crate::store::layout::LAYOUT_VERSION.to_string()
    );
    info_table_end!();
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    top::register(changes::register(admin::register(functions::register(
        module,
    ))))
    .startup_function(startup)
    .request_startup_function(request_startup)
    .request_shutdown_function(request_shutdown)
    .info_function(info)
    .class::<errors::PresenceException>()
}
