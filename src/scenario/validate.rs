//! Compatibility only: the paths `scenario::validate::*` had before
//! validation was split into stages (`check`, `document`, `network`,
//! `system`). New code uses those modules.

pub use super::check::{
    MAX_CAPACITY, MAX_DAYS, MAX_RATE_PER_DAY, MAX_REPLICATIONS, MAX_TYPE_SERVICE_PAIRS,
    MIN_MAX_WAIT_DAYS, is_valid_name,
};
pub use super::document::{SCHEMA_VERSION, validate_document};
