//! Renderers from results to bytes, and atomic file writing; the board
//! report ([`board`]), drawn from a results folder read back from disk.
//!
//! Each renderer is a pure function from results to a `Vec<u8>` (tested
//! without touching the disk). [`output_folder::OutputFolder`] then puts a
//! command's files in place together, in a folder it holds locked, and
//! replaces or removes only files it can prove it wrote;
//! [`atomic::write_atomically`] writes a single file whole (a file is
//! absent, the old one, or complete).
//!
//! Every text cell of a CSV file goes through [`csv_safe::neutralise`], so
//! that no name or title from a scenario can run as a spreadsheet formula;
//! what is read back goes through [`csv_safe::restore`].
//!
//! Depends on `experiment` (records, their schema, comparisons), `model`
//! (the network, the whole-system layout, and the metric registry that
//! says which outcomes are headlines), `stats` (summaries) and `engine`
//! (calendar dates, in the board). Never on `scenario` or `cli`: the board
//! reads the copy of the scenario a run wrote beside its results as plain
//! TOML, for its methods appendix, not through `scenario`.

pub mod atomic;
#[cfg(feature = "board")]
pub mod board;
pub mod breakdown;
pub mod budget;
pub mod calibration;
pub mod checkpoint;
pub mod compare;
pub mod contributions;
pub mod csv_safe;
pub mod event_log;
pub mod finance;
pub mod fit;
pub mod output_folder;
pub mod outputs;
pub mod paired;
pub mod plain_words;
pub mod pressure;
pub mod provenance;
pub mod record_flows;
pub mod registers;
pub mod stock_flow;
pub mod sweep;
pub mod tables;
pub mod tidy;
pub mod tornado;
pub mod uncertainty;
pub mod variance_split;
pub mod warmup;
pub mod workforce;

pub use atomic::{FileBody, Streamed, WriteError, write_atomically};
pub use output_folder::{OutputFolder, Replace, Request};
pub use tidy::{ResultSet, RunInfo};
