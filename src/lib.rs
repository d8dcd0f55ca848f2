//! # iccsim
//!
//! A discrete-event simulator of patient flows through an integrated care
//! system. See the README for the user's view and `docs/` for the scenario
//! format.
//!
//! ## Architecture: a one-way dependency rule
//!
//! ```text
//!   cli ──► experiment ──► model ──► engine
//!    │          │            │
//!    ├──► report ├──► stats ◄─┘
//!    └──► scenario ──► model, engine, stats
//! ```
//!
//! - [`engine`]: time, event queue, random streams, calendar,
//!   distributions. Knows nothing of hospitals; depends on nothing here.
//! - [`stats`]: pure estimators (confidence intervals, quantile sketches,
//!   Erlang formulas). Depends on nothing here.
//! - [`model`]: services, patients, routing, the event handlers and the
//!   results of one replication. No I/O.
//! - [`scenario`]: the TOML file: raw serde types (unknown keys rejected) and
//!   their validation into a [`model::Network`], every error at once with its
//!   TOML path; `--set` overrides; uncertain values drawn per replication
//!   (a [`model::NetworkSource`], so `experiment` needs no scenario code).
//! - [`experiment`]: replications, in parallel, deterministic whatever the
//!   thread count.
//! - [`report`]: renderers from results to bytes (CSV, JSON, text tables)
//!   and atomic file writing.
//! - `cli` (binary only): arguments, the run plan, exit codes.
//!
//! Nothing depends on `cli`; `engine` and `stats` depend on nothing.

pub mod engine;
pub mod experiment;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
