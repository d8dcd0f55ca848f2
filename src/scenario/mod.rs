//! Scenario files: TOML in, a validated [`Network`] out, in visible
//! stages, like a compiler's:
//!
//! 1. text → document: `inherit` merges a file over the one it `extends`,
//!    `overrides` applies `--set`, [`parse`] reads the TOML (every syntax
//!    error with its line);
//! 2. document → kind: `document` checks what every scenario has
//!    (`schema_version`, `name`, `[run]` through `run`) and hands the rest
//!    to `network` or `system`;
//! 3. `network`: a network written service by service, each section read
//!    on its own (`raw` mirrors the file with serde, unknown keys
//!    rejected), names resolved and every pathway followed;
//! 4. `system`: a whole system (a population in ICCs), its sections
//!    validated one by one into a specification, compiled into a network,
//!    then its `levers` and census applied;
//! 5. `source`: the [`Scenario`], the network at the point values and each
//!    replication's from its draws of the `uncertainty` values.
//!
//! Beside them: `check` (the `Checker` that collects every problem with
//! its TOML path, the size limits, the shared validators), `keys` (dotted
//! keys and issue paths), `error` (the error types) and `schema` (the JSON
//! Schema of the format, derived from the serde types). The format is
//! documented key by key in `docs/scenario-format.md`.
//!
//! Scenario files are read only if they are regular files (a pipe or a
//! device is refused before it is opened), and never past
//! [`MAX_FILE_BYTES`] for a scenario and its parents together, whatever
//! size the file system reports. Every syntax error names its line.

pub mod check;
mod document;
pub mod error;
pub mod fitted;
pub mod from_data;
pub mod inherit;
pub mod keys;
pub mod lever_switch;
mod network;
pub mod overrides;
pub mod raw;
mod run;
pub mod schema;
mod source;
pub mod system;
pub mod uncertainty;

use std::path::Path;

pub use document::SCHEMA_VERSION;
pub use error::{Issue, ScenarioError};
pub use inherit::{Origins, Resolved};
pub use source::{Scenario, case_name, correlation_sentence};

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

/// Largest scenario read (bytes), a file and all the parents its `extends`
/// chain reads counted together: far above any real scenario, small enough
/// that a wrong path (a log, a data dump, `/proc/self/pagemap`) fails at
/// once instead of filling memory.
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
    Scenario::from_document(
        parse(text, origin)?,
        origin,
        default_name,
        Origins::default(),
    )
}

/// Loads a scenario read with its `extends` chain, `--set` settings
/// applied: the scenario and the text that makes it. Values that a parent
/// outside the scenario's folder gave are never quoted in its errors
/// ([`Origins`]); a setting makes its key the user's own again.
pub fn load_resolved(
    resolved: &Resolved,
    origin: &str,
    default_name: &str,
    settings: &[String],
) -> Result<(Scenario, String), ScenarioError> {
    let text = overrides::apply_to_text(&resolved.text, origin, settings)?;
    let mut origins = resolved.origins.clone();
    for setting in settings {
        if let Some(path) = overrides::setting_path(setting) {
            origins.mark_own(path);
        }
    }
    let loaded = Scenario::from_document(parse(&text, origin)?, origin, default_name, origins);
    // A value a parent draws over is refused with the file's other
    // problems (it would otherwise change nothing, silently).
    if resolved.drawn_over.is_empty() {
        return loaded.map(|scenario| (scenario, text));
    }
    let mut issues = resolved.drawn_over.clone();
    match loaded {
        Err(ScenarioError::Invalid { issues: more, .. }) => issues.extend(more),
        Err(other) => return Err(other),
        Ok(_) => {}
    }
    Err(ScenarioError::Invalid {
        origin: origin.to_string(),
        issues,
    })
}

/// Parses TOML text into a table. Every syntax error gives its line: the
/// TOML reader gives none for a key or table header nested more than 80
/// deep, so that one is located here.
pub fn parse(text: &str, origin: &str) -> Result<toml::Table, ScenarioError> {
    toml::from_str(text).map_err(|e| ScenarioError::Syntax {
        origin: origin.to_string(),
        message: syntax_message(text, &e),
    })
}

/// The parser's message, with the line added where it has none.
pub(crate) fn syntax_message(text: &str, error: &toml::de::Error) -> String {
    if error.span().is_some() {
        return error.to_string();
    }
    let line = unlocated_error_line(text);
    let message = error.message().trim_end();
    let hint = if message == "recursion limit" {
        ": a key or [table] header on this line has more than 80 dotted parts (the most TOML readers take); use fewer levels"
    } else {
        ""
    };
    format!("TOML parse error at line {line}: {message}{hint}")
}

/// The line at which an error the parser could not locate appears: the
/// first line whose addition to the text before it makes the parser fail
/// without a location (a binary search over prefixes, so a few parses).
pub(crate) fn unlocated_error_line(text: &str) -> usize {
    let ends: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(text.len()))
        .collect();
    let unlocated = |lines: usize| matches!(toml::from_str::<toml::Table>(&text[..ends[lines - 1]]), Err(e) if e.span().is_none());
    // Invariant: the first `low` lines parse or fail with a location; the
    // first `high` lines fail without one.
    let (mut low, mut high) = (0, ends.len());
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if unlocated(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    high
}

/// Reads a scenario file's text, refusing folders, pipes, devices, files
/// over [`MAX_FILE_BYTES`] and non-UTF-8 bytes with a clear reason.
pub fn read_file(path: &Path) -> Result<String, ScenarioError> {
    read_capped(path, MAX_FILE_BYTES, || {
        format!(
            "it is larger than {MAX_FILE_BYTES} bytes (16 MiB), the most a scenario file may be; is this the right file?"
        )
    })
}

/// Reads at most `cap` bytes of a regular file as UTF-8 text; `too_large`
/// says why a longer one is refused. The size the file system reports is
/// not trusted (a pipe, `/dev/zero` or a `/proc` file reports 0 and never
/// ends): the read itself stops one byte past the cap.
pub(crate) fn read_capped(
    path: &Path,
    cap: u64,
    too_large: impl Fn() -> String,
) -> Result<String, ScenarioError> {
    use std::io::Read;
    let origin = path.display().to_string();
    let read_error = |reason: String| ScenarioError::Read {
        origin: origin.clone(),
        reason,
    };
    // Checked before opening: opening a named pipe waits for a writer.
    let metadata = std::fs::metadata(path).map_err(|e| read_error(e.to_string()))?;
    not_a_regular_file(&metadata).map_or(Ok(()), |why| Err(read_error(why)))?;
    let file = std::fs::File::open(path).map_err(|e| read_error(e.to_string()))?;
    // And again on what was opened, which may have been swapped meanwhile.
    let metadata = file.metadata().map_err(|e| read_error(e.to_string()))?;
    not_a_regular_file(&metadata).map_or(Ok(()), |why| Err(read_error(why)))?;
    // Read in whole 64 KiB pieces until the end or past the cap: `/proc`
    // files such as `/proc/self/pagemap` refuse reads of other sizes.
    let mut bytes = Vec::new();
    let mut piece = vec![0u8; 64 * 1024];
    let mut file = file;
    loop {
        match file.read(&mut piece) {
            Ok(0) => break,
            Ok(n) => bytes.extend_from_slice(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(e.to_string())),
        }
        if bytes.len() as u64 > cap {
            return Err(read_error(too_large()));
        }
    }
    String::from_utf8(bytes).map_err(|_| read_error("it is not UTF-8 text".to_string()))
}

/// Why a file (its links followed) is not one a scenario can be read
/// from, or `None` for a regular file.
fn not_a_regular_file(metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    let what = if kind.is_file() {
        return None;
    } else if kind.is_dir() {
        return Some("it is a folder; give the path of a .toml file".to_string());
    } else if kind.is_fifo() {
        "a pipe (a FIFO, or <(...) in a shell)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    Some(format!(
        "it is {what}, not a regular file: scenarios are read only from files; save the scenario to a .toml file and give its path"
    ))
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
    load_resolved(
        &resolved,
        &path.display().to_string(),
        name_from_path(path),
        &[],
    )
    .map(|(scenario, _)| scenario.network)
}

/// Validates text as if it were the file at `path` (its `extends` read
/// relative to that file's folder), before the file is written.
pub fn load_text_at(text: &str, path: &Path) -> Result<Network, ScenarioError> {
    let resolved = inherit::resolve(text, path)?;
    load_resolved(
        &resolved,
        &path.display().to_string(),
        name_from_path(path),
        &[],
    )
    .map(|(scenario, _)| scenario.network)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_past_the_cap_and_refuses_what_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        std::fs::write(&file, vec![b'#'; 200_000]).unwrap();
        assert_eq!(
            read_capped(&file, 200_000, String::new).unwrap().len(),
            200_000
        );
        let refused = read_capped(&file, 199_999, || "too large".into()).unwrap_err();
        assert_eq!(
            refused.to_string(),
            format!("cannot read scenario {}: too large", file.display())
        );
        let folder = read_capped(dir.path(), 10, String::new)
            .unwrap_err()
            .to_string();
        assert!(folder.contains("it is a folder"), "{folder}");
        let device = read_file(Path::new("/dev/null")).unwrap_err().to_string();
        assert!(
            device.contains("it is a device, not a regular file"),
            "{device}"
        );
    }

    #[test]
    fn an_error_the_reader_cannot_locate_gets_its_line() {
        let deep = (0..90)
            .map(|i| format!("k{i}"))
            .collect::<Vec<_>>()
            .join(".");
        let text = format!("a = 1\n\"multi\" = \"\"\"\n{deep} = 1\n\"\"\"\nb = 2\n[{deep}]\n");
        let message = parse(&text, "t").unwrap_err().to_string();
        assert!(message.contains("at line 6: recursion limit"), "{message}");
    }
}
