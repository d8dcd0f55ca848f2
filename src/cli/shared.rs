//! What the commands share: printing to stdout, loading the scenario named
//! on the command line, opening the output folder, the progress bar. No
//! command's own work is here.

use std::path::{Path, PathBuf};

use super::exit::{Exit, Failure};
use iccsim::report::OutputFolder;
use iccsim::report::checkpoint;
use iccsim::report::output_folder::Request;
use iccsim::report::uncertainty::{UncertaintyRow, uncertainty_csv};
use iccsim::scenario::uncertainty::{CASE_KEY, Case};
use iccsim::scenario::{self, Scenario};

/// Every file `run`, `batch` or `merge` may write (with `--report`, the
/// page and its charts too). Any of them held by a file iccsim did not
/// write is refused before the work.
pub(super) const OUTPUT_FILES: &[&str] = &[
    "summary.csv",
    "replications.csv",
    "timeseries.csv",
    "flows.csv",
    "occupancy.csv",
    "results.json",
    "episodes.csv",
    "event_log.csv",
    "event_log.csv.gz",
    "breakdown.csv",
    "breakdown_margins.csv",
    "flows_by_kind.csv",
    "stock_flow.csv",
    "stocks_by_period.csv",
    "breakdown.csv.gz",
    "breakdown_margins.csv.gz",
    "flows_by_kind.csv.gz",
    "stock_flow.csv.gz",
    "stocks_by_period.csv.gz",
    "replications.csv.gz",
    "results.json.gz",
    "delays.csv.gz",
    "pressure.csv.gz",
    "registers.csv.gz",
    "records.csv.gz",
    "breakdown_summary.csv",
    "delays.csv",
    "pressure.csv",
    "thresholds.csv",
    "budget.csv",
    "workforce.csv",
    "registers.csv",
    "uncertainty.csv",
    "records.csv",
    "scenario.toml",
    "run.json",
    "records.partial",
    "variance_split.csv",
    "report.html",
    "report.pdf",
    "report-charts/",
];

/// Where a batch appends its records as they finish.
pub(super) const CHECKPOINT: &str = "records.partial";

/// Writes to stdout, with control characters escaped as for `say!`
/// (tables show names and titles from files). A closed pipe (`iccsim validate ... | head`) is the
/// reader's choice, not an error; any other failure (a full disk behind
/// `> table.txt`) is, or the table would be lost without a word.
pub(super) fn print_stdout(text: &str) -> Result<(), Failure> {
    write_stdout(&iccsim::report::tables::terminal_safe(text))
}

/// Writes a document to stdout (`show`'s scenario, `schema`'s JSON): the
/// text itself, so that `show > merged.toml` is that scenario; escaped as
/// for `say!` only when stdout is a terminal.
pub(super) fn print_document(text: &str) -> Result<(), Failure> {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        print_stdout(text)
    } else {
        write_stdout(text)
    }
}

fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure {
            code: Exit::Output,
            message: format!("cannot write to standard output: {e}"),
        }),
        _ => Ok(()),
    }
}

/// Opens a command's whole output folder: locked, cleared of what a killed
/// command left, and refused if it holds files iccsim did not write (unless
/// `--force`) or if an output would be one of `inputs`.
pub(super) fn open_output(
    out: &Path,
    force: bool,
    may_write: &[&str],
    inputs: Vec<PathBuf>,
) -> Result<OutputFolder, Failure> {
    Ok(OutputFolder::open(
        out,
        &Request {
            force,
            whole_folder: true,
            may_write: may_write.iter().map(|s| s.to_string()).collect(),
            inputs,
        },
    )?)
}

/// The kind of results a folder's `run.json` says it holds, by the command
/// that made them: `run` and `batch` write one kind (and share a default
/// folder), and a `merge` of shards is the kind of the shards it merged
/// (a comparison's or a sweep's files, else a batch's). `None` for a
/// folder without results, or with only a tornado's or calibration's (they
/// join other folders, beside their results).
fn results_kind(out: &Path) -> Option<&'static str> {
    let bytes = std::fs::read(out.join("run.json")).ok()?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match json["provenance"]["command"].as_str()? {
        "run" | "batch" => Some("batch"),
        "compare" => Some("compare"),
        "sweep" => Some("sweep"),
        "warmup" => Some("warmup"),
        "tornado" => Some("tornado"),
        "merge" if out.join("comparison.csv").exists() => Some("compare"),
        "merge" if out.join("sweep.csv").exists() => Some("sweep"),
        // A tornado written beside a batch keeps its own run.json
        // (tornado_run.json): then tornado.csv is not the folder's kind.
        "merge"
            if out.join("tornado.csv").exists()
                && !out.join(super::tornado::TORNADO_RUN).exists() =>
        {
            Some("tornado")
        }
        "merge" => Some("batch"),
        _ => None,
    }
}

/// Refuses to write a command's results (`kind`: `batch` for `run`,
/// `batch` and a merge of batches; `compare`, `sweep`, `warmup`, `tornado`
/// for a merge of tornado shards) into a
/// folder that holds another kind: one mistyped `--out` would otherwise
/// replace a finished comparison with a batch, or leave a folder whose
/// `run.json` describes a command that did not make its files.
pub(super) fn refuse_other_results(folder: &OutputFolder, kind: &str) -> Result<(), Failure> {
    match results_kind(folder.path()) {
        Some(held) if held != kind => Err(Failure {
            code: Exit::Usage,
            message: format!(
                "{} holds the results of `iccsim {held}` (see its run.json); this `iccsim {kind}` would replace them or mix its files with them. Choose another --out, or remove that folder first if you mean to replace them",
                folder.path().display()
            ),
        }),
        _ => Ok(()),
    }
}

/// A replication found in two shards given to `merge` (of batches,
/// comparisons or sweeps).
pub(super) fn replication_twice(replication: u64, earlier: &Path, folder: &Path) -> Failure {
    Failure {
        code: Exit::Scenario,
        message: format!(
            "replication {replication} is in both {} and {}; give each shard once",
            earlier.display(),
            folder.display()
        ),
    }
}

/// Refuses a shard that would hold no replication: shard i of n runs the
/// replications r with r mod n = i - 1, none of them if i > replications.
pub(super) fn refuse_empty_shard(
    shard: Option<(u64, u64)>,
    replications: u64,
) -> Result<(), Failure> {
    match shard {
        Some((i, n)) if i > replications => Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--shard {i}/{n}: with {replications} replications, shard {i} would run none (shard i runs the replications r with r mod {n} = i - 1); use at most {replications} shards, or more replications"
            ),
        }),
        _ => Ok(()),
    }
}

/// Refuses to replace the results of a folder that holds an interrupted
/// batch (its finished replications would be lost with its checkpoint):
/// what `batch` without `--resume` says, for the other commands that
/// replace a folder's results.
pub(super) fn refuse_interrupted_batch(folder: &OutputFolder) -> Result<(), Failure> {
    if !folder.has_working_file(CHECKPOINT) {
        return Ok(());
    }
    Err(Failure {
        code: Exit::Usage,
        message: format!(
            "{} holds an interrupted batch ({CHECKPOINT}), whose finished replications this command would discard; finish it with `iccsim batch ... --resume`, or choose another --out",
            folder.path().display()
        ),
    })
}

/// The whole system given with `--on`, if any (set once, from the command
/// line, before any scenario is read).
static ON_SYSTEM: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();

/// Records `--on` for every scenario this command reads.
pub(super) fn set_on_system(system: Option<PathBuf>) {
    let _ = ON_SYSTEM.set(system);
}

/// The system given with `--on`.
pub(super) fn on_system() -> Option<&'static Path> {
    ON_SYSTEM.get().and_then(|on| on.as_deref())
}

/// Reads a scenario file with its parents merged in, on the `--on` system
/// when one was given.
pub(super) fn read_scenario(path: &Path) -> Result<scenario::Resolved, scenario::ScenarioError> {
    scenario::inherit::read_resolved_on(path, on_system())
}

/// The files a scenario is read from: the file and every parent it extends
/// (none for the built-in default; the `--on` system for it).
pub(super) fn scenario_inputs(path: Option<&Path>) -> Vec<PathBuf> {
    match path {
        Some(p) => read_scenario(p).ok().map(|resolved| resolved.chain),
        None => on_system().and_then(|on| read_scenario(on).ok().map(|r| r.chain)),
    }
    .unwrap_or_default()
}

/// Loads the scenario named on the command line (or the built-in
/// default) with its `--set` changes: the network, where it came from, and
/// the text that makes it (the file's, or the changed document).
pub(super) fn load(
    path: Option<&Path>,
    settings: &[String],
) -> Result<(Scenario, String, String), Failure> {
    let (resolved, origin, stem) = scenario_text(path)?;
    let (scenario, text) = scenario::load_resolved(&resolved, &origin, &stem, settings)?;
    say_warnings(&origin, &scenario.warnings);
    // A value drawn per replication would overwrite the one set here.
    for setting in settings {
        let Some(path) = scenario::overrides::setting_path(setting) else {
            continue;
        };
        if path[0] == scenario::uncertainty::SECTION {
            continue;
        }
        if let Some(u) = scenario
            .uncertain
            .iter()
            .find(|u| scenario::keys::keys_overlap(u.path(), &path))
        {
            return Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "{setting}: `{}` is uncertain in {origin} ([uncertainty]): each replication draws it, so setting or sweeping it would change nothing; to hold it at a value, --set 'uncertainty.\"{}\"={{ dist = \"fixed\", value = ... }}', or remove it from [uncertainty]",
                    u.key,
                    u.key.replace('"', "\\\"")
                ),
            });
        }
    }
    Ok((scenario, origin, text))
}

/// Which of a scenario's outside parents a command names.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum NameParents {
    /// Every parent outside the scenario's folder: `validate` and `show`,
    /// where a user looks at what a file is made of.
    All,
    /// Only those that also lie beyond the current directory: a command
    /// that runs a scenario. A parent within the folder the user works in
    /// (the shipped library's `../north-cumbria-baseline.toml` run from the
    /// project, a file `iccsim new` wrote) is the user's own, and the chain
    /// is recorded in the header of every `scenario.toml` written; one from
    /// beyond it is named, so that a file from elsewhere cannot read
    /// another quietly.
    BeyondWorkingFolder,
}

/// Says, once per parent and process, that a scenario takes values from a
/// file outside its own folder (inherit.rs reads such a parent only if it is
/// a scenario, and never quotes its values): the user should know which
/// files a result depends on.
pub(super) fn note_parents_outside(
    path: &Path,
    resolved: &scenario::inherit::Resolved,
    which: NameParents,
) {
    static NOTED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut noted) = NOTED.lock() else { return };
    let working_folder = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    for parent in &resolved.outside {
        let beyond_working_folder = || match (&working_folder, std::fs::canonicalize(parent)) {
            (Some(here), Ok(parent)) => !parent.starts_with(here),
            _ => true,
        };
        if which == NameParents::BeyondWorkingFolder && !beyond_working_folder() {
            continue;
        }
        if !noted.contains(parent) {
            say!(
                "note: {} inherits from {}, outside its own folder",
                path.display(),
                parent.display()
            );
            noted.push(parent.clone());
        }
    }
}

/// Says each warning of loading a scenario (route probabilities scaled to
/// add up to 1) on stderr, once per process: a command that loads the
/// same file again (compare, sweep) does not repeat it.
pub(super) fn say_warnings(origin: &str, warnings: &[scenario::Issue]) {
    static SAID: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut said) = SAID.lock() else { return };
    for warning in warnings {
        let line = format!("warning: {origin}: {warning}");
        if !said.contains(&line) {
            say!("{line}");
            said.push(line);
        }
    }
}

/// The scenario's text and where it came from (a path, or the default).
pub(super) fn scenario_text(
    path: Option<&Path>,
) -> Result<(scenario::Resolved, String, String), Failure> {
    match path {
        Some(path) => Ok((
            {
                let resolved = read_scenario(path)?;
                note_parents_outside(path, &resolved, NameParents::BeyondWorkingFolder);
                resolved
            },
            path.display().to_string(),
            scenario::name_from_path(path).to_string(),
        )),
        // `--on` with no scenario: the built-in default is a root, so the
        // system replaces it whole.
        None if on_system().is_some() => {
            let system = on_system().unwrap_or(Path::new(""));
            Ok((
                read_scenario(system)?,
                format!("{} (--on)", system.display()),
                scenario::name_from_path(system).to_string(),
            ))
        }
        None => Ok((
            scenario::Resolved::own(scenario::DEFAULT_SCENARIO_TOML.to_string()),
            format!(
                "built-in default (scenarios/{}.toml)",
                scenario::DEFAULT_SCENARIO_NAME
            ),
            scenario::DEFAULT_SCENARIO_NAME.to_string(),
        )),
    }
}

/// A progress bar over `len` replications with an ETA (drawn only on a
/// terminal; hidden with --quiet).
pub(super) fn replications_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet {
        return indicatif::ProgressBar::hidden();
    }
    let progress = indicatif::ProgressBar::new(len);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} replications · {elapsed_precise} elapsed · ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    progress
}

pub(super) fn records_failure(e: checkpoint::RecordsError) -> Failure {
    Failure {
        code: Exit::Scenario,
        message: e.to_string(),
    }
}

/// The settings with `--at-quantile`'s case added (as the scenario's
/// `uncertainty_case`, so the case is in the scenario.toml written and in
/// the records' fingerprint).
pub(super) fn with_case(
    settings: &[String],
    at_quantile: Option<&str>,
) -> Result<Vec<String>, Failure> {
    let mut settings = settings.to_vec();
    if let Some(at) = at_quantile {
        let case = Case::parse(at).map_err(|e| Failure {
            code: Exit::Usage,
            message: format!("--at-quantile {at}: {e}"),
        })?;
        settings.push(format!("{CASE_KEY}={}", case.toml_value()));
    }
    Ok(settings)
}

/// `uncertainty.csv` of a scenario with uncertain values (none without).
pub(super) fn uncertainty_file(scenario: &Scenario) -> Option<(&'static str, Vec<u8>)> {
    if scenario.uncertain.is_empty() {
        return None;
    }
    let rows: Vec<UncertaintyRow> = scenario
        .uncertain
        .iter()
        .map(|u| {
            let d = &u.distribution;
            UncertaintyRow {
                key: u.key.clone(),
                distribution: d.describe(),
                better: u.better.map(|b| b.name().to_string()).unwrap_or_default(),
                no_effect_value: d.no_effect_value,
                probability_no_effect_or_worse: u.probability_no_effect_or_worse(),
                p05: u.as_scenario_value(d.quantile(0.05)),
                median: u.as_scenario_value(d.quantile(0.5)),
                p95: u.as_scenario_value(d.quantile(0.95)),
                point: u.point,
                correlation_group: u.group.clone().unwrap_or_default(),
                source: u.source.clone(),
            }
        })
        .collect();
    Some((
        "uncertainty.csv",
        uncertainty_csv(&scenario.network.name, &rows),
    ))
}

/// `uncertainty.csv` of the scenario a folder's scenario.toml holds.
pub(super) fn uncertainty_file_of_text(
    text: &str,
    origin: &str,
    name: &str,
) -> Option<(&'static str, Vec<u8>)> {
    scenario::load_scenario(text, origin, name)
        .ok()
        .and_then(|s| uncertainty_file(&s))
}
