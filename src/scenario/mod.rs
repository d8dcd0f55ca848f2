//! Scenario files: TOML in, a validated [`Network`] out.
//!
//! `raw` mirrors the file with serde (unknown keys rejected); `validate`
//! checks meaning and resolves names, reporting every problem at once with
//! its TOML path; `system` does the same for whole-system scenarios (a
//! population in ICCs) and compiles them into a network; `error` holds the
//! error types; `inherit` merges a file over the one it `extends`;
//! `overrides` applies `--set`; `uncertainty` reads the
//! `[uncertainty]` section and builds each replication's network from its
//! draws. The format is documented key by key in `docs/scenario-format.md`.

pub mod error;
pub mod inherit;
pub mod levers;
pub mod overrides;
pub mod raw;
pub mod schema;
pub mod system;
pub mod uncertainty;
pub mod validate;

use std::path::Path;

pub use error::{Issue, ScenarioError};
pub use uncertainty::Scenario;
pub use validate::SCHEMA_VERSION;

use crate::model::Network;

/// The scenario `iccsim run` uses when no file is given.
pub const DEFAULT_SCENARIO_NAME: &str = "north-cumbria-baseline";
/// Its text, embedded in the binary.
pub const DEFAULT_SCENARIO_TOML: &str = include_str!("../../scenarios/north-cumbria-baseline.toml");

/// The reference network of `../shared/benchmarks/reference-network.md`
/// (`base` preset), embedded for benchmarks and examples.
pub const REFERENCE_NETWORK_TOML: &str = include_str!("../../scenarios/reference-network.toml");

/// The reference network (tested to be valid).
pub fn reference_network() -> Result<Network, ScenarioError> {
    load_str(
        REFERENCE_NETWORK_TOML,
        "built-in reference network",
        "reference-network",
    )
}

/// Largest scenario file read (bytes): far above any real scenario, small
/// enough that a wrong path (a log, a data dump) fails at once.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Parses and validates scenario text. `origin` names it in messages (a
/// path, or "built-in default"); `default_name` is used when the file has
/// no `name`.
pub fn load_str(text: &str, origin: &str, default_name: &str) -> Result<Network, ScenarioError> {
    load_scenario(text, origin, default_name).map(|s| s.network)
}

/// Parses and validates scenario text with its uncertain values: the
/// network at the point values, and each replication's from its draws.
pub fn load_scenario(
    text: &str,
    origin: &str,
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    let document: toml::Table = toml::from_str(text).map_err(|e| ScenarioError::Syntax {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    Scenario::from_document(document, origin, default_name)
}

/// Reads a scenario file's text, refusing folders, huge files and
/// non-UTF-8 bytes with a clear reason.
pub fn read_file(path: &Path) -> Result<String, ScenarioError> {
    let origin = path.display().to_string();
    let read_error = |reason: String| ScenarioError::Read {
        origin: origin.clone(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|e| read_error(e.to_string()))?;
    if metadata.is_dir() {
        return Err(read_error(
            "it is a folder; give the path of a .toml file".to_string(),
        ));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(read_error(format!(
            "it is {} bytes; scenario files are at most {MAX_FILE_BYTES}",
            metadata.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| read_error(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| read_error("it is not UTF-8 text".to_string()))
}

/// The name a scenario gets from its file when it has no `name`.
pub fn name_from_path(path: &Path) -> &str {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("scenario")
}

/// Reads, parses and validates a scenario file (its `extends` chain
/// merged in).
pub fn load_file(path: &Path) -> Result<Network, ScenarioError> {
    let resolved = inherit::read_resolved(path)?;
    load_str(
        &resolved.text,
        &path.display().to_string(),
        name_from_path(path),
    )
}

/// Validates text as if it were the file at `path` (its `extends` read
/// relative to that file's folder), before the file is written.
pub fn load_text_at(text: &str, path: &Path) -> Result<Network, ScenarioError> {
    let resolved = inherit::resolve(text, path)?;
    load_str(
        &resolved.text,
        &path.display().to_string(),
        name_from_path(path),
    )
}

/// The built-in default scenario (tested to be valid; an error here is a
/// build defect, reported rather than panicked on).
pub fn default_network() -> Result<Network, ScenarioError> {
    load_str(
        DEFAULT_SCENARIO_TOML,
        "built-in default",
        DEFAULT_SCENARIO_NAME,
    )
}
