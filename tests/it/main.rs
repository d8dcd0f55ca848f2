//! The integration tests, as one test binary: linking the library into
//! twenty binaries was most of the test build's time. Each file is a module
//! with its own `//!` header saying what it checks; `common` holds the
//! helpers they share.
//!
//! `tests/long_run.rs` stays a binary of its own: it measures the process's
//! peak memory (VmHWM), which must be its run's alone.
//!
//! Run one file's tests with a filter on its module path, e.g.
//! `cargo test --test it known_answers::`.

mod common;

mod age_bands;
mod avoidable;
mod batch;
mod calibration_fit;
mod case_flags;
mod cli;
mod community_day_units;
mod compare;
mod compare_experiments;
mod contributions;
mod deaths;
mod delays;
mod diverted_deaths;
mod emergent_delays;
mod event_log;
mod extends;
mod faults;
mod front_door;
mod home_care_pressure;
mod initial_state;
mod injection;
mod interrupted;
mod invalid_scenarios;
mod known_answers;
mod levers;
mod library;
mod limits;
mod los_by_destination;
mod money;
mod nested;
mod new_system;
mod on_system;
mod output_folder;
mod peers;
mod primary_care;
mod properties;
mod registers_file;
mod report;
mod risk_tiers;
mod risks;
mod sites;
mod spread;
mod stock_flow;
mod tidy_outputs;
mod uncertainty;
mod uncertainty_cases;
mod warmup;
mod whole_system;
mod workforce;
