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
