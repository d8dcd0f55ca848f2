//! The provenance of a command's output folder (`run.json`'s
//! `provenance` object, [`iccsim::report::provenance`]): this process's
//! command line, the build, and what the command says it ran.

use iccsim::report::provenance::{DesignFile, Provenance, ScenarioRun, Stopping};

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
        seed,
        scenarios,
        design_file,
        stopping,
    }
}

/// A scenario run from `origin`, its text copied to `text` in the folder.
pub(super) fn scenario(name: &str, origin: &str, text: &str) -> ScenarioRun {
    ScenarioRun {
        name: name.to_string(),
        origin: origin.to_string(),
        text: text.to_string(),
    }
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
