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
//!    │          ▲  │         │
//!    ├──► report ┘  └──► stats ◄┘
//!    │      └──► model, stats, engine
//!    └──► scenario ──► model, engine, stats
//! ```
//!
//! - [`engine`]: time, event queue, random streams, calendar,
//!   distributions. Knows nothing of hospitals; depends on nothing here.
//! - [`stats`]: pure estimators (confidence intervals, quantile sketches,
//!   Erlang formulas). Depends on nothing here.
//! - [`model`]: services, patients, routing, the event handlers, the
//!   results of one replication and the registry of the metrics it
//!   measures. No I/O.
//! - [`scenario`]: the TOML file, compiled in visible stages: inheritance
//!   and `--set`, then checking (every error at once with its TOML path)
//!   into a [`model::Network`], by hand-written sections or, for a whole
//!   system, raw sections → validated spec → compiled network → levers →
//!   census. Uncertain values are drawn per replication by a
//!   [`model::NetworkSource`], so `experiment` needs no scenario code.
//! - [`experiment`]: replications, in parallel, deterministic whatever the
//!   thread count; the batch engine (resume, shards, precision rounds),
//!   writing through a trait so that it needs no `report` code.
//! - [`report`]: renderers from results to bytes (CSV, JSON, text tables),
//!   the records file, output folders written atomically, and the board
//!   report (feature `board`). Reads `experiment`'s records.
//! - `cli` (binary only, feature `cli`): arguments, one file per command,
//!   the exit codes.
//!
//! Nothing depends on `cli`; `engine` and `stats` depend on nothing. The
//! data flow, with the type at each arrow, is in `ARCHITECTURE.md`.

pub mod engine;
pub mod experiment;
pub mod model;
pub mod report;
pub mod scenario;
pub mod stats;
