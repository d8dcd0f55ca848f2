//! The provenance of a command's output folder (`run.json`'s
//! `provenance` object, [`iccsim::report::provenance`]): this process's
//! command line, the build, and what the command says it ran.

use std::path::PathBuf;

use iccsim::report::provenance::{DesignFile, Provenance, ScenarioRun, ShardRun, Stopping};

/// The provenance of `command` run now, by this process.
pub(super) fn provenance(
    command: &str,
    seed: Option<u64>,
    scenarios: Vec<ScenarioRun>,
    design_file: Option<DesignFile>,
    stopping: Stopping,
) -> Provenance {
    Provenance {
        command: command.to_string(),
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        source_hash: env!("ICCSIM_SOURCE_HASH").to_string(),
        command_line: std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect(),
        cwd: std::env::current_dir()
            .ok()
            .map(|d| d.display().to_string()),
        shards: Vec::new(),
        seed,
        scenarios,
        design_file,
        stopping,
    }
}

/// A scenario run from `origin`, its text `text` copied to `copy` in the
/// folder.
pub(super) fn scenario(name: &str, origin: &str, copy: &str, text: &str) -> ScenarioRun {
    ScenarioRun {
        name: name.to_string(),
        origin: origin.to_string(),
        text: copy.to_string(),
        text_crc32: Some(format!("{:08x}", crc32fast::hash(text.as_bytes()))),
    }
}

/// A merge's provenance names each shard's folder and the command line
/// that wrote it (from the shard's `run.json`, or its
/// `tornado_run.json`).
pub(super) fn with_shards(mut provenance: Provenance, folders: &[PathBuf]) -> Provenance {
    provenance.shards = folders
        .iter()
        .map(|folder| ShardRun {
            folder: folder.display().to_string(),
            command_line: ["run.json", "tornado_run.json"]
                .iter()
                .filter_map(|name| std::fs::read(folder.join(name)).ok())
                .filter_map(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                .find_map(|json| {
                    serde_json::from_value(json["provenance"]["command_line"].clone()).ok()
                })
                .unwrap_or_default(),
        })
        .collect();
    provenance
}

/// The name of a command's `run.json` in `out`: `run.json`, unless the
/// command joins a folder whose `run.json` is another command's (a
/// tornado or calibration beside a comparison's results), which is then
/// left as it is and the command's goes to `beside`.
pub(super) fn run_json_name(
    out: &std::path::Path,
    command: &str,
    beside: &'static str,
) -> &'static str {
    let path = out.join("run.json");
    let ours = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|v| v["provenance"]["command"] == command);
    if path.exists() && !ours {
        beside
    } else {
        "run.json"
    }
}
