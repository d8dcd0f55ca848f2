//! Renderers from results to bytes, and atomic file writing; the board
//! report ([`board`]), drawn from a results folder read back from disk.
//!
//! Each renderer is a pure function from results to a `Vec<u8>` (tested
//! without touching the disk). [`atomic::write_file_set`] then puts a run's
//! files in place together, so an output folder never mixes two runs;
//! [`atomic::write_atomically`] does the same for a single file (a file is
//! absent, the old one, or complete).
//!
//! Every text cell of a CSV file goes through [`csv_safe::neutralise`], so
//! that no name or title from a scenario can run as a spreadsheet formula;
//! what is read back goes through [`csv_safe::restore`].

pub mod atomic;
pub mod board;
pub mod breakdown;
pub mod budget;
pub mod calibration;
pub mod checkpoint;
pub mod compare;
pub mod csv_safe;
pub mod sweep;
pub mod tables;
pub mod tidy;
pub mod tornado;

pub use atomic::{
    FileBody, Streamed, WriteError, prepare_folder, write_atomically, write_file_set,
};
pub use tidy::{ResultSet, RunInfo};
