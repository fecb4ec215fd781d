//! The PHP-facing layer.
