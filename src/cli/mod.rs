//! The command line: arguments (clap), the validated run plan, error
//! messages and exit codes. Nothing in the library depends on this module.
//!
//! Exit codes: 0 success; 1 a simulation failed; 2 bad command-line usage;
//! 3 the scenario is invalid or unreadable; 4 results could not be written.

/// `eprintln!` without its panic: messages to a closed or full stderr are
/// dropped (nobody can read them), and the exit code still says what
/// happened. Messages quote names, titles and values from files, so control
/// characters are escaped ([`terminal_safe`](iccsim::report::tables::terminal_safe)).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            iccsim::report::tables::terminal_safe(&text)
        );
    }};
}

mod args;
mod board;
mod new;
mod sweep_file;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use args::{
    BatchArgs, CalibrateArgs, Cli, Command, CompareArgs, MergeArgs, RunArgs, ShowArgs, SweepArgs,
    TornadoArgs, ValidateArgs,
};
use iccsim::experiment::precision::Precision;
use iccsim::experiment::record::{Record, Schema, fingerprint};
use iccsim::experiment::{self, Plan};
use iccsim::model::Network;
use iccsim::report::breakdown::{self, BreakdownSet};
use iccsim::report::budget;
use iccsim::report::calibration;
use iccsim::report::checkpoint::{self, CheckpointWriter, RecordsHeader};
use iccsim::report::output_folder::{RESULTS, Replace, Request};
use iccsim::report::tidy::Period;
use iccsim::report::{self, FileBody, OutputFolder, ResultSet, RunInfo, Streamed, tidy};
use iccsim::scenario::{self, Scenario, ScenarioError};

/// Exit codes, documented in the README and `--help`.
pub const EXIT_SIMULATION: u8 = 1;
pub const EXIT_SCENARIO: u8 = 3;
pub const EXIT_OUTPUT: u8 = 4;
pub const EXIT_CALIBRATION: u8 = 5;

/// Every file `run`, `batch` or `merge` may write (with `--report`, the
/// page and its charts too). Any of them held by a file iccsim did not
/// write is refused before the work.
const OUTPUT_FILES: &[&str] = &[
    "summary.csv",
    "replications.csv",
    "timeseries.csv",
    "flows.csv",
    "occupancy.csv",
    "results.json",
    "episodes.csv",
    "breakdown.csv",
    "breakdown_summary.csv",
    "budget.csv",
    "records.csv",
    "scenario.toml",
    "run.json",
    "records.partial",
    "report.html",
    "report.pdf",
    "report-charts/",
];

/// Every file `compare` writes (with `--report`, the page and its
/// charts too), beside each scenario's folder in `scenarios/`.
const COMPARE_FILES: &[&str] = &[
    "comparison.csv",
    "comparison.json",
    "scenarios/",
    "report.html",
    "report.pdf",
    "report-charts/",
];

/// The folder, in a comparison's output, of each scenario's summaries.
const COMPARE_SCENARIOS: &str = "scenarios";

/// Every file `sweep` writes.
const SWEEP_FILES: &[&str] = &["sweep.csv", "sweep_replications.csv"];

/// Most grid points a sweep may have.
const MAX_SWEEP_POINTS: usize = 10_000;

/// Where a batch appends its records as they finish.
const CHECKPOINT: &str = "records.partial";
pub const EXIT_USAGE: u8 = 2;

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
            code: EXIT_OUTPUT,
            message: format!("cannot write to standard output: {e}"),
        }),
        _ => Ok(()),
    }
}

/// A failure with the exit code it maps to.
pub(super) struct Failure {
    pub(super) code: u8,
    pub(super) message: String,
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Failure {
        Failure {
            code: EXIT_SCENARIO,
            message: e.to_string(),
        }
    }
}

impl From<report::WriteError> for Failure {
    fn from(e: report::WriteError) -> Failure {
        // A refusal says what to do itself; a failed write needs the
        // reassurance and the usual fixes.
        let refused = e.source.kind() == std::io::ErrorKind::Other;
        Failure {
            code: EXIT_OUTPUT,
            message: if refused {
                e.to_string()
            } else {
                format!(
                    "{e}\nResults already in that folder, if any, are unchanged. Fix the folder (permissions, space) and run again, or choose another with --out."
                )
            },
        }
    }
}

/// Opens a command's whole output folder: locked, cleared of what a killed
/// command left, and refused if it holds files iccsim did not write (unless
/// `--force`) or if an output would be one of `inputs`.
fn open_output(
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

/// Refuses to replace the results of a folder that holds an interrupted
/// batch (its finished replications would be lost with its checkpoint):
/// what `batch` without `--resume` says, for the other commands that
/// replace a folder's results.
fn refuse_interrupted_batch(folder: &OutputFolder) -> Result<(), Failure> {
    if !folder.has_working_file(CHECKPOINT) {
        return Ok(());
    }
    Err(Failure {
        code: EXIT_USAGE,
        message: format!(
            "{} holds an interrupted batch ({CHECKPOINT}), whose finished replications this command would discard; finish it with `iccsim batch ... --resume`, or choose another --out",
            folder.path().display()
        ),
    })
}

/// The files a scenario is read from: the file and every parent it extends
/// (none for the built-in default).
fn scenario_inputs(path: Option<&Path>) -> Vec<PathBuf> {
    path.and_then(|p| scenario::inherit::read_resolved(p).ok())
        .map(|resolved| resolved.chain)
        .unwrap_or_default()
}

pub fn main() -> ExitCode {
    // clap's messages quote what was typed (or what a shell glob found),
    // so they go through `say!` too.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    match print_stdout(&text) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(failure) => ExitCode::from(failure.code),
                    }
                }
                _ => {
                    say!("{}", text.trim_end());
                    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_USAGE))
                }
            };
        }
    };
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Calibrate(args) => calibrate(args),
        Command::Batch(args) => batch(args),
        Command::Merge(args) => merge(args),
        Command::Compare(args) => compare(args),
        Command::Sweep(args) => sweep(args),
        Command::Tornado(args) => tornado(args),
        Command::Show(args) => show(args),
        Command::Report(args) => board::report(args),
        Command::Schema(args) => new::schema(args),
        Command::New(args) => new::new(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            say!("error: {}", failure.message.trim_end());
            ExitCode::from(failure.code)
        }
    }
}

/// Loads the scenario named on the command line (or the built-in
/// default) with its `--set` changes: the network, where it came from, and
/// the text that makes it (the file's, or the changed document).
fn load(path: Option<&Path>, settings: &[String]) -> Result<(Scenario, String, String), Failure> {
    let (resolved, origin, stem) = scenario_text(path)?;
    let (scenario, text) = scenario::load_resolved(&resolved, &origin, &stem, settings)?;
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
            .find(|u| scenario::uncertainty::keys_overlap(u.path(), &path))
        {
            return Err(Failure {
                code: EXIT_USAGE,
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

fn run(args: RunArgs) -> Result<(), Failure> {
    let (scenario, origin, text) = load(args.scenario.as_deref(), &args.set)?;
    let network = &scenario.network;
    let seed = args.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&network.name));
    results_fit_in_memory(network, replications, args.episodes, "run")?;
    // Check the output folder before the work, not after.
    let mut folder = open_output(
        &out,
        args.force,
        OUTPUT_FILES,
        scenario_inputs(args.scenario.as_deref()),
    )?;
    refuse_interrupted_batch(&folder)?;
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: threads_within_memory(network, args.threads, args.episodes, args.quiet)?,
        keep_episodes: args.episodes,
    };

    if !args.quiet {
        say!(
            "Running {} ({}): {} replication{}, seed {}, {} days after {} days of warm-up …",
            network.name,
            origin,
            replications,
            if replications == 1 { "" } else { "s" },
            seed,
            network.run.horizon_days,
            network.run.warmup_days
        );
    }
    let started = Instant::now();
    let outputs = experiment::run(&scenario, &plan).map_err(|e| Failure {
        code: EXIT_SIMULATION,
        message: e.to_string(),
    })?;
    let elapsed = started.elapsed().as_secs_f64();

    let info = RunInfo {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: origin,
        seed,
        replications,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
    };
    let set = ResultSet::new(network, info, &outputs);
    let periods: Vec<Period> = match &args.periods {
        Some(names) => names.iter().filter_map(|n| Period::from_name(n)).collect(),
        None => Period::defaults_for(network.run.horizon_days),
    };
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", tidy::summary_csv(&set)),
        ("replications.csv", tidy::replications_csv(&set)),
        (
            "timeseries.csv",
            tidy::timeseries_csv(network, &set.info, &outputs, &periods),
        ),
        ("flows.csv", tidy::flows_csv(&set.info, &outputs)),
        (
            "occupancy.csv",
            tidy::occupancy_csv(network, &set.info, &outputs),
        ),
        ("results.json", tidy::results_json(&set)),
        ("run.json", tidy::run_json(&set.info)),
        ("scenario.toml", text.into_bytes()),
    ];
    if args.episodes {
        files.push(("episodes.csv", tidy::episodes_csv(&set.info, &outputs)));
    }
    let breakdown = network
        .layout
        .as_ref()
        .map(|layout| BreakdownSet::new(network, layout, &outputs));
    if let Some(breakdown) = &breakdown {
        files.push((
            "breakdown.csv",
            breakdown::breakdown_csv(&set.info, breakdown),
        ));
        files.push((
            "breakdown_summary.csv",
            breakdown::breakdown_summary_csv(&set.info, breakdown),
        ));
    }
    if let Some(layout) = network.layout.as_ref().filter(|l| !l.budget.is_empty()) {
        files.push(("budget.csv", budget::budget_csv(&network.name, layout)));
    }
    // Replaces the earlier results and any report drawn from them.
    folder.commit(&files, RESULTS, Replace::Results)?;

    if !args.quiet {
        let mut table = match &breakdown {
            Some(breakdown) => report::tables::headline_table(&set.info, breakdown),
            None => report::tables::summary_table(network, &set),
        };
        if let Some(layout) = network.layout.as_ref() {
            table.push_str(&budget::budget_table(layout));
        }
        print_stdout(&format!("{table}\n"))?;
        let patients: u64 = outputs.iter().map(|o| o.result.system.entered_total).sum();
        say!(
            "Simulated {patients} patients in {elapsed:.2} s. Wrote {} files to {}/",
            files.len(),
            out.display()
        );
    }
    Ok(())
}

/// Says, once per parent and process, that a scenario takes values from a
/// file outside its own folder (inherit.rs reads such a parent only if it is
/// a scenario): the user should know which files a result depends on.
fn note_parents_outside(path: &Path, resolved: &scenario::inherit::Resolved) {
    static NOTED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let Ok(mut noted) = NOTED.lock() else { return };
    for parent in &resolved.outside {
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

/// Most memory `run` and `calibrate` may use for the replications' results
/// they keep (each replication's per-day series, ledger and flows, as
/// [`Network::memory_estimate`] counts them).
const MAX_KEPT_RESULTS_BYTES: u64 = 8 << 30;

/// Memory one kept episode takes until `run` has written its files: the
/// record with its three names on the heap, and its row of
/// `episodes.csv`, which is built in memory. Measured on the baseline:
/// 369 MB more per replication with --episodes, for 801,000 episodes
/// (460 bytes each).
const EPISODE_BYTES: u64 = 512;

/// `run` and `calibrate` keep every replication's results until the end
/// (for their daily files), and `run --episodes` every visit of every
/// replication; the per-replication bound of validation does not bound
/// that. `batch` streams, so it is where large counts belong.
fn results_fit_in_memory(
    network: &Network,
    replications: u64,
    episodes: bool,
    command: &str,
) -> Result<(), Failure> {
    let per_replication = network.memory_estimate().total();
    // Visits are estimated as if no service were ever full, over the
    // window (episodes ending in the warm-up are not kept); growth over
    // the years is covered by the margin in EPISODE_BYTES.
    let episode_bytes = if episodes {
        let visits = network.visits_per_day() * network.run.horizon_days;
        (visits.max(0.0).min(u64::MAX as f64 / 1024.0) as u64).saturating_mul(EPISODE_BYTES)
    } else {
        0
    };
    let kept = per_replication
        .saturating_add(episode_bytes)
        .saturating_mul(replications);
    // Kept results stay in memory to the end, whatever the threads.
    let limit = MAX_KEPT_RESULTS_BYTES.min(process_memory_budget()?);
    if kept <= limit {
        return Ok(());
    }
    let kept_one = per_replication.saturating_add(episode_bytes);
    let fewer = (limit / kept_one.max(1)).max(1);
    Err(Failure {
        code: EXIT_USAGE,
        message: format!(
            "{command} keeps every replication's results{} in memory: {replications} replication{} of {} would need about {} (the limit is {}: 8 GiB, or less where less memory is free or ICCSIM_MEMORY_LIMIT says so); {}",
            if episodes {
                " and episodes (--episodes: one row per visit)"
            } else {
                ""
            },
            if replications == 1 { "" } else { "s" },
            network.name,
            size_text(kept),
            size_text(limit),
            if episodes && kept_one > limit {
                "even one replication's episodes do not fit: shorten run.horizon_days, or leave out --episodes and use `iccsim batch`".to_string()
            } else if episodes {
                format!(
                    "give at most {fewer} replications with --episodes (episodes of a few replications are enough to follow patients), or leave out --episodes and use `iccsim batch` for many replications"
                )
            } else {
                format!(
                    "use `iccsim batch`, which writes each replication as it finishes, or at most {fewer} replications"
                )
            }
        ),
    })
}

/// Memory the whole process may use for replications in flight: 80% of
/// what the machine has free (Linux: MemAvailable) or of the control
/// group's limit (a Slurm job's `--mem`), whichever is less; 8 GiB where
/// neither can be read. `ICCSIM_MEMORY_LIMIT` (bytes, or with K, M or G)
/// sets it instead, e.g. for a shared machine.
fn process_memory_budget() -> Result<u64, Failure> {
    if let Ok(text) = std::env::var("ICCSIM_MEMORY_LIMIT") {
        return parse_bytes(&text).ok_or_else(|| Failure {
            code: EXIT_USAGE,
            message: format!(
                "ICCSIM_MEMORY_LIMIT={text:?}: give a number of bytes, or of K, M or G, e.g. ICCSIM_MEMORY_LIMIT=6G"
            ),
        });
    }
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kib| kib * 1024)
        });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = match (available, cgroup) {
        (Some(a), Some(c)) => a.min(c),
        (a, c) => a.or(c).unwrap_or(10 << 30),
    };
    Ok(limit / 10 * 8)
}

/// Bytes for reading: `1.5 GiB`, `230 MiB`, `12 KiB`.
fn size_text(bytes: u64) -> String {
    let bytes = bytes as f64;
    if bytes >= f64::from(1u32 << 30) {
        format!("{:.1} GiB", bytes / f64::from(1u32 << 30))
    } else if bytes >= f64::from(1u32 << 20) {
        format!("{:.0} MiB", bytes / f64::from(1u32 << 20))
    } else {
        format!("{:.0} KiB", (bytes / 1024.0).ceil())
    }
}

/// `6G`, `512M`, `1048576` as bytes.
fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&text[..i], 1 << 20),
        (i, 'G' | 'g') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)?
        .checked_mul(scale)
}

/// The worker threads to run with: those asked for (one per core by
/// default), but no more than the replications in flight can take memory
/// for, since each holds its own results (a 1 GiB replication on 8
/// threads needs 8 GiB). Fewer threads change no number, only the time;
/// the note says so.
fn threads_within_memory(
    network: &Network,
    requested: Option<u16>,
    episodes: bool,
    quiet: bool,
) -> Result<Option<usize>, Failure> {
    let wanted = requested.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let episode_bytes = if episodes {
        (network.visits_per_day() * network.run.horizon_days).max(0.0) as u64 * EPISODE_BYTES
    } else {
        0
    };
    let per_replication = network
        .memory_estimate()
        .total()
        .saturating_add(episode_bytes)
        .max(1);
    let budget = process_memory_budget()?;
    let fits = usize::try_from(budget / per_replication)
        .unwrap_or(usize::MAX)
        .max(1);
    if fits >= wanted {
        return Ok(requested.map(usize::from));
    }
    if !quiet {
        say!(
            "note: each replication of {} holds about {}; running {fits} at a time instead of {wanted}, to stay within the {} of memory available (the results are the same for any number of threads)",
            network.name,
            size_text(per_replication),
            size_text(budget)
        );
    }
    Ok(Some(fits))
}

/// The scenario's text and where it came from (a path, or the default).
fn scenario_text(path: Option<&Path>) -> Result<(scenario::Resolved, String, String), Failure> {
    match path {
        Some(path) => Ok((
            {
                let resolved = scenario::inherit::read_resolved(path)?;
                note_parents_outside(path, &resolved);
                resolved
            },
            path.display().to_string(),
            scenario::name_from_path(path).to_string(),
        )),
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
fn replications_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
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

fn records_failure(e: checkpoint::RecordsError) -> Failure {
    Failure {
        code: EXIT_SCENARIO,
        message: e.to_string(),
    }
}

fn batch(args: BatchArgs) -> Result<(), Failure> {
    let (scenario, origin, text) = load(args.scenario.as_deref(), &args.set)?;
    let network = &scenario.network;
    let seed = args.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications));
    // Shards get folders of their own by default, to be merged.
    let out = args.out.clone().unwrap_or_else(|| match args.shard {
        None => PathBuf::from("results").join(&network.name),
        Some((i, n)) => PathBuf::from("results").join(format!("{}-shard-{i}-of-{n}", network.name)),
    });
    let mut folder = open_output(
        &out,
        args.force,
        OUTPUT_FILES,
        scenario_inputs(args.scenario.as_deref()),
    )?;
    let schema = Schema::of(network);
    let precision = match args.target_half_width {
        None => None,
        Some(target) => {
            if args.shard.is_some() {
                return Err(Failure {
                    code: EXIT_USAGE,
                    message: "--target-half-width decides the number of replications as it goes; it cannot be split into --shard runs (run it on one machine, or shard a fixed number)".into(),
                });
            }
            Some(Precision {
                keys: precision_keys(network, &schema, &args.target_metric)?,
                relative_half_width: target,
                max_replications: u64::from(args.max_replications).max(replications),
            })
        }
    };
    let header = RecordsHeader {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: network.name.clone(),
        origin: origin.clone(),
        fingerprint: fingerprint(network, seed),
        seed,
        // With a precision target, the cap: how many there may be.
        replications: precision
            .as_ref()
            .map_or(replications, |p| p.max_replications),
        values: schema.len(),
        stopping: precision.as_ref().map_or(String::new(), |p| {
            format!(
                "relative half-width {} of positions {:?}, from {replications}",
                p.relative_half_width, p.keys
            )
        }),
        shard: args
            .shard
            .map_or(String::new(), |(i, n)| format!("{i}/{n}")),
    };
    let wanted: Vec<u64> = (0..replications)
        .filter(|r| args.shard.is_none_or(|(i, n)| r % n == i - 1))
        .collect();

    // Resume what an interrupted batch left, or start afresh.
    let partial = out.join(CHECKPOINT);
    let (mut done, writer) = if partial.exists() {
        if !args.resume {
            return Err(Failure {
                code: EXIT_USAGE,
                message: format!(
                    "{} holds an interrupted batch ({}); add --resume to finish it, or remove that file (its finished replications are lost) or choose another --out",
                    out.display(),
                    partial.display()
                ),
            });
        }
        let read = checkpoint::read_records(&partial).map_err(records_failure)?;
        if !header.same_run(&read.header) {
            return Err(Failure {
                code: EXIT_USAGE,
                message: format!(
                    "{} was written by another batch (scenario, seed, number of replications, shard or iccsim build differ: it has {} replications of `{}`, seed {}{}); resume with the same scenario and options, or choose another --out",
                    partial.display(),
                    read.header.replications,
                    read.header.scenario,
                    read.header.seed,
                    if read.header.shard.is_empty() {
                        String::new()
                    } else {
                        format!(", shard {}", read.header.shard)
                    }
                ),
            });
        }
        let writer =
            CheckpointWriter::reopen(&partial, read.complete_bytes).map_err(|e| Failure {
                code: EXIT_OUTPUT,
                message: e.to_string(),
            })?;
        (read.records, writer)
    } else {
        // `--resume` on a batch that already finished keeps its records
        // (a resubmitted shard, a rerun script) instead of running it again.
        let finished = out.join("records.csv");
        let done = match checkpoint::read_records(&finished) {
            Ok(read) if args.resume && header.same_run(&read.header) => read.records,
            Ok(_) if args.resume => {
                return Err(Failure {
                    code: EXIT_USAGE,
                    message: format!(
                        "{} holds a finished batch of another run (scenario, seed, number of replications, shard or iccsim build differ); --resume only finishes the same batch: choose another --out, or leave out --resume to replace it",
                        out.display()
                    ),
                });
            }
            // A damaged record file is not started afresh under --resume.
            Err(e) if args.resume && finished.exists() => return Err(records_failure(e)),
            _ => Vec::new(),
        };
        // Claimed before it exists, so a later --resume knows it is ours.
        folder.claim_working_file(CHECKPOINT, RESULTS)?;
        let mut writer = CheckpointWriter::create(&partial, &header).map_err(|e| Failure {
            code: EXIT_OUTPUT,
            message: e.to_string(),
        })?;
        for record in &done {
            writer.append(record).map_err(|e| Failure {
                code: EXIT_OUTPUT,
                message: e.to_string(),
            })?;
        }
        (done, writer)
    };
    done.retain(|r| r.replication < header.replications);
    if !args.quiet {
        say!(
            "Batch {} ({}): {} replication{}{}{}, seed {} …",
            network.name,
            origin,
            wanted.len(),
            if wanted.len() == 1 { "" } else { "s" },
            if precision.is_some() {
                " to start with"
            } else {
                ""
            },
            if done.is_empty() {
                String::new()
            } else {
                format!(" ({} already done)", done.len())
            },
            seed
        );
    }
    let writer = std::sync::Mutex::new(writer);
    let threads = threads_within_memory(network, args.threads, false, args.quiet)?;
    let started = Instant::now();
    let mut ran = 0;
    // Rounds: one, or as many as the precision rule asks for.
    let mut size = wanted.len() as u64;
    let mut records = done;
    loop {
        let finished: std::collections::HashSet<u64> =
            records.iter().map(|r| r.replication).collect();
        let todo: Vec<u64> = wanted
            .iter()
            .copied()
            .chain(if precision.is_some() {
                (wanted.len() as u64..size).collect()
            } else {
                Vec::new()
            })
            .filter(|r| !finished.contains(r))
            .collect();
        let progress = replications_bar(todo.len() as u64, args.quiet);
        let keep = |record: &Record| -> Result<(), checkpoint::RecordsError> {
            let mut writer = writer.lock().unwrap_or_else(|e| e.into_inner());
            writer.append(record)?;
            progress.inc(1);
            Ok(())
        };
        let new = experiment::run_records(
            &scenario,
            seed,
            &todo,
            threads,
            &keep,
        )
        .map_err(|e| Failure {
            code: match e {
                experiment::BatchError::Simulation(_) => EXIT_SIMULATION,
                experiment::BatchError::Keep(_) => EXIT_OUTPUT,
            },
            message: format!(
                "{e}\nEvery replication finished before this is kept in {}; fix the cause and run again with --resume.",
                partial.display()
            ),
        })?;
        progress.finish_and_clear();
        ran += new.len();
        records.extend(new);
        records.sort_by_key(|r| r.replication);
        let Some(rule) = &precision else { break };
        // The rule sees replications 0..size only, so resumed and
        // uninterrupted batches take the same rounds.
        let prefix: Vec<Record> = records
            .iter()
            .filter(|r| r.replication < size)
            .cloned()
            .collect();
        match rule.next_size(&prefix) {
            Some(next) => {
                if !args.quiet {
                    say!("Not precise enough after {size} replications: going on to {next} …");
                }
                size = next;
            }
            None => {
                records = prefix;
                break;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();

    // The finished records are in records.csv now: the commit replaces the
    // checkpoint with them, along with any earlier results and reports.
    let written = write_batch_files(&mut folder, network, &header, &text, &schema, &records)?;
    if !args.quiet {
        print_stdout(&format!(
            "{}\n",
            batch_table(network, &header, &schema, &records)
        ))?;
        if let Some(rule) = &precision {
            print_stdout(&precision_table(&schema, rule, &records))?;
        }
        say!(
            "Ran {ran} replications in {elapsed:.2} s. Wrote {written} files to {}/",
            out.display()
        );
    }
    if args.report {
        board::write_default_report(&mut folder, &args.drawing, args.quiet)?;
    }
    Ok(())
}

/// The precision each chosen outcome reached, and how many replications it took.
fn precision_table(schema: &Schema, rule: &Precision, records: &[Record]) -> String {
    let mut rows = vec![vec![
        "outcome".to_string(),
        "mean".into(),
        "95% CI half-width".into(),
        "relative".into(),
        "target".into(),
    ]];
    for a in rule.attained(records) {
        rows.push(vec![
            key_name(schema, a.key),
            report::tables::round_for_reading(a.summary.mean),
            report::tables::round_for_reading(a.summary.half_width()),
            format!("{:.2}%", 100.0 * a.relative_half_width),
            if a.relative_half_width <= rule.relative_half_width {
                "met".into()
            } else {
                "NOT met".into()
            },
        ]);
    }
    let met = rule
        .attained(records)
        .iter()
        .all(|a| a.relative_half_width <= rule.relative_half_width);
    format!(
        "\n{}\n{} after {} replications (target ±{}% of the mean, at most {} replications).\n",
        report::tables::columns(&rows, &[false, true, true, true, false]),
        if met {
            "Every target met"
        } else {
            "Stopped at the cap with a target NOT met"
        },
        records.len(),
        100.0 * rule.relative_half_width,
        rule.max_replications
    )
}

/// A readable name of a record position.
fn key_name(schema: &Schema, key: usize) -> String {
    match schema.metrics.get(key) {
        Some(k) if k.service == "system" => format!("system.{}", k.metric),
        Some(k) => format!("{}.{}", k.service, k.metric),
        None => schema.breakdown[key - schema.metrics.len()]
            .metric
            .to_string(),
    }
}

/// Record positions of the outcomes named for `--target-metric`: an
/// outcome of a whole-system scenario (all years, ICCs and ages), or
/// SERVICE.METRIC, or system.METRIC.
fn precision_keys(
    network: &Network,
    schema: &Schema,
    names: &[String],
) -> Result<Vec<usize>, Failure> {
    let defaults: Vec<String> = match &network.layout {
        Some(_) => [
            "emergency_admissions",
            "acute_occupancy",
            "acute_delayed_bed_days",
            "cost_total",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        None => network
            .services
            .iter()
            .map(|s| format!("{}.occupancy_mean", s.name))
            .collect(),
    };
    let names = if names.is_empty() { &defaults } else { names };
    names
        .iter()
        .map(|name| {
            let in_breakdown = schema.breakdown.iter().position(|k| {
                k.metric == name && k.year == "all" && k.icc == "all" && k.age_band == "all"
            });
            let in_metrics = name.split_once('.').and_then(|(service, metric)| {
                schema.metrics.iter().position(|k| {
                    k.service == service && k.patient_type == "all" && k.metric == metric
                })
            });
            in_metrics
                .or(in_breakdown.map(|k| schema.metrics.len() + k))
                .ok_or_else(|| Failure {
                    code: EXIT_USAGE,
                    message: format!(
                        "--target-metric {name}: no such outcome; give a whole-system outcome (e.g. emergency_admissions), SERVICE.METRIC (e.g. acute.occupancy_mean) or system.METRIC"
                    ),
                })
        })
        .collect()
}

/// The run information of a batch's records.
fn batch_info(network: &Network, header: &RecordsHeader, records: &[Record]) -> RunInfo {
    RunInfo {
        iccsim_version: header.iccsim_version.clone(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: header.origin.clone(),
        seed: header.seed,
        replications: records.len() as u64,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
    }
}

/// Writes the files of a finished batch (or merge) into `out`, from its
/// records alone: the summaries, and every replication's values. Those
/// grow with the replications (a gigabyte of text for 1,000 replications
/// of the baseline), so they are streamed into their files, not built in
/// memory first. Returns the number of files written.
fn write_batch_files(
    out: &mut OutputFolder,
    network: &Network,
    header: &RecordsHeader,
    text: &str,
    schema: &Schema,
    records: &[Record],
) -> Result<usize, report::WriteError> {
    let info = batch_info(network, header, records);
    let set = ResultSet::from_records(schema, info.clone(), records);
    let breakdown = network
        .layout
        .as_ref()
        .map(|layout| BreakdownSet::from_records(schema, layout, records));
    let mut files: Vec<(&str, Box<dyn FileBody + '_>)> =
        summary_files(network, info, text, schema, records)
            .into_iter()
            .map(|(name, bytes)| (name, Box::new(bytes) as Box<dyn FileBody>))
            .collect();
    files.push((
        "replications.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            tidy::write_replications_csv(w, &set)
        })),
    ));
    files.push((
        "results.json",
        Box::new(Streamed(|w: &mut dyn Write| {
            tidy::write_results_json(w, &set)
        })),
    ));
    files.push((
        "records.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            checkpoint::write_records_file(w, header, records)
        })),
    ));
    if let Some(breakdown) = &breakdown {
        files.push((
            "breakdown.csv",
            Box::new(Streamed(|w: &mut dyn Write| {
                breakdown::write_breakdown_csv(w, &set.info, breakdown)
            })),
        ));
    }
    out.commit(&files, RESULTS, Replace::Results)?;
    Ok(files.len())
}

/// The files whose size does not grow with the replications: what was run
/// (`run.json`, `scenario.toml`), the summaries across replications and the
/// budget statement. A comparison writes these for each scenario; with
/// them, `iccsim report` draws its tables and charts.
fn summary_files(
    network: &Network,
    info: RunInfo,
    text: &str,
    schema: &Schema,
    records: &[Record],
) -> Vec<(&'static str, Vec<u8>)> {
    let set = ResultSet::from_records(schema, info, records);
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("run.json", tidy::run_json(&set.info)),
        ("summary.csv", tidy::summary_csv(&set)),
        ("scenario.toml", text.as_bytes().to_vec()),
    ];
    if let Some(layout) = &network.layout {
        let breakdown = BreakdownSet::from_records(schema, layout, records);
        files.push((
            "breakdown_summary.csv",
            breakdown::breakdown_summary_csv(&set.info, &breakdown),
        ));
        if !layout.budget.is_empty() {
            files.push(("budget.csv", budget::budget_csv(&network.name, layout)));
        }
    }
    files
}

fn batch_table(
    network: &Network,
    header: &RecordsHeader,
    schema: &Schema,
    records: &[Record],
) -> String {
    let set = ResultSet::from_records(schema, batch_info(network, header, records), records);
    match &network.layout {
        Some(layout) => {
            report::tables::headline_table(
                &set.info,
                &BreakdownSet::from_records(schema, layout, records),
            ) + &budget::budget_table(layout)
        }
        None => report::tables::summary_table(network, &set),
    }
}

fn merge(args: MergeArgs) -> Result<(), Failure> {
    let mut header: Option<RecordsHeader> = None;
    let mut records: Vec<Record> = Vec::new();
    let mut origin_of = std::collections::HashMap::new();
    let mut text = String::new();
    for folder in &args.folders {
        let path = folder.join("records.csv");
        if !path.exists() {
            let hint = if folder.join(CHECKPOINT).exists() {
                "the batch there was interrupted: finish it with `iccsim batch ... --resume`"
            } else {
                "run `iccsim batch ... --shard i/n --out FOLDER` first"
            };
            return Err(Failure {
                code: EXIT_SCENARIO,
                message: format!("{} has no records.csv: {hint}", folder.display()),
            });
        }
        let read = checkpoint::read_records(&path).map_err(records_failure)?;
        match &header {
            None => {
                text = scenario::read_file(&folder.join("scenario.toml"))?;
                header = Some(read.header.clone());
            }
            Some(first) if !first.same_batch(&read.header) => {
                return Err(Failure {
                    code: EXIT_SCENARIO,
                    message: format!(
                        "{} holds records of another batch than {} (scenario, seed, number of replications or iccsim build differ); merge shards of one batch only",
                        folder.display(),
                        args.folders[0].display()
                    ),
                });
            }
            Some(_) => {}
        }
        for record in read.records {
            if let Some(earlier) = origin_of.insert(record.replication, folder) {
                return Err(Failure {
                    code: EXIT_SCENARIO,
                    message: format!(
                        "replication {} is in both {} and {}; give each shard once",
                        record.replication,
                        earlier.display(),
                        folder.display()
                    ),
                });
            }
            records.push(record);
        }
    }
    let Some(mut header) = header else {
        return Err(Failure {
            code: EXIT_USAGE,
            message: "give at least one folder".into(),
        });
    };
    // The merged records are those of the whole batch.
    header.shard = String::new();
    let network = scenario::load_str(&text, &header.origin, &header.scenario)?;
    if fingerprint(&network, header.seed) != header.fingerprint {
        return Err(Failure {
            code: EXIT_SCENARIO,
            message: format!(
                "{}/scenario.toml is not the scenario the records were made with (or another iccsim build made them); merge the shards' own files",
                args.folders[0].display()
            ),
        });
    }
    records.sort_by_key(|r| r.replication);
    // A fixed batch needs all its replications; one that stopped on a
    // precision target needs the unbroken run 0..n it stopped at.
    let expected = if header.stopping.is_empty() {
        header.replications
    } else {
        records.last().map_or(0, |r| r.replication + 1)
    };
    let missing: Vec<u64> = (0..expected)
        .filter(|r| !origin_of.contains_key(r))
        .collect();
    if !missing.is_empty() {
        return Err(Failure {
            code: EXIT_SCENARIO,
            message: format!(
                "{} of {} replications are missing (first: {:?}); add the folders of the other shards",
                missing.len(),
                expected,
                &missing[..missing.len().min(5)]
            ),
        });
    }
    let schema = Schema::of(&network);
    // Each shard's files are inputs: merging into a shard's own folder
    // would write over the records it reads.
    let inputs = args
        .folders
        .iter()
        .flat_map(|f| [f.join("records.csv"), f.join("scenario.toml")])
        .collect();
    let mut folder = open_output(&args.out, args.force, OUTPUT_FILES, inputs)?;
    refuse_interrupted_batch(&folder)?;
    write_batch_files(&mut folder, &network, &header, &text, &schema, &records)?;
    if !args.quiet {
        print_stdout(&format!(
            "{}\n",
            batch_table(&network, &header, &schema, &records)
        ))?;
        say!(
            "Merged {} replications from {} folders into {}/",
            records.len(),
            args.folders.len(),
            args.out.display()
        );
    }
    Ok(())
}

/// The outcomes shown on the terminal for a comparison.
fn headline_differences<'a>(
    network: &Network,
    diffs: &'a [iccsim::experiment::compare::Difference],
) -> Vec<&'a iccsim::experiment::compare::Difference> {
    const SYSTEM: &[&str] = &[
        "crises",
        "ed_attendances",
        "emergency_admissions",
        "emergency_los_mean",
        "acute_bed_days",
        "acute_delayed_bed_days",
        "care_home_admissions_from_hospital",
        "cost_total",
    ];
    const SITE: &[&str] = &["acute_occupancy", "acute_days_above_92pct"];
    const SERVICE: &[&str] = &[
        "arrivals",
        "admissions",
        "lost",
        "los_mean",
        "occupancy_mean",
        "delayed_bed_days",
    ];
    if network.layout.is_some() {
        let whole = |d: &&iccsim::experiment::compare::Difference| {
            d.key.table == "breakdown" && d.key.labels.iter().all(|l| l == "all")
        };
        SYSTEM
            .iter()
            .chain(SITE)
            .filter_map(|m| diffs.iter().filter(whole).find(|d| d.key.metric == *m))
            .collect()
    } else {
        diffs
            .iter()
            .filter(|d| {
                d.key.table == "metrics"
                    && d.key.labels[1] == "all"
                    && SERVICE.contains(&d.key.metric.as_str())
            })
            .collect()
    }
}

fn compare(args: CompareArgs) -> Result<(), Failure> {
    let (base_scenario, base_origin, base_text) = load(Some(&args.baseline), &args.set_all)?;
    let base = &base_scenario.network;
    let mut alternatives = Vec::new();
    let changes: Vec<String> = args.set_all.iter().chain(&args.set).cloned().collect();
    for path in &args.scenarios {
        let (mut alternative, origin, text) = load(Some(path), &changes)?;
        if !args.set.is_empty() {
            // The changed scenario is named apart from the one it came from.
            alternative.network.name = format!("{}-changed", alternative.network.name);
        }
        // Each scenario's rows in comparison.csv, and its folder, go by its
        // name: two scenarios of one name are told apart by a number.
        let taken = |name: &str| {
            name == base.name
                || alternatives
                    .iter()
                    .any(|(a, _, _): &(Scenario, String, String)| a.network.name == name)
        };
        if taken(&alternative.network.name) {
            let stem = alternative.network.name.clone();
            let mut k = 2;
            while taken(&format!("{stem}-{k}")) {
                k += 1;
            }
            alternative.network.name = format!("{stem}-{k}");
        }
        // Pairs are only pairs over the same days.
        let (a, b) = (&alternative.network.run, &base.run);
        if a.start_date != b.start_date
            || a.warmup_days != b.warmup_days
            || a.horizon_days != b.horizon_days
        {
            return Err(Failure {
                code: EXIT_SCENARIO,
                message: format!(
                    "`{}` runs {} days from {} after {} days of warm-up, but the baseline `{}` runs {} days from {} after {}: a paired comparison needs the same window. Give both the same [run] settings, or change them for every scenario with --set-all (e.g. --set-all run.horizon_days=365)",
                    alternative.network.name,
                    a.horizon_days,
                    a.start_date,
                    a.warmup_days,
                    base.name,
                    b.horizon_days,
                    b.start_date,
                    b.warmup_days
                ),
            });
        }
        alternatives.push((alternative, origin, text));
    }
    let seed = args.seed.unwrap_or(base.run.seed);
    let replications = u64::from(args.replications.unwrap_or(base.run.replications.max(2)));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("compare-{}", base.name)));
    let inputs = std::iter::once(&args.baseline)
        .chain(&args.scenarios)
        .flat_map(|p| scenario_inputs(Some(p)))
        .collect();
    let mut folder = open_output(&out, args.force, COMPARE_FILES, inputs)?;
    refuse_interrupted_batch(&folder)?;
    let todo: Vec<u64> = (0..replications).collect();
    let largest = std::iter::once(base)
        .chain(alternatives.iter().map(|(a, _, _)| &a.network))
        .max_by_key(|n| n.memory_estimate().total())
        .unwrap_or(base);
    let threads = threads_within_memory(largest, args.threads, false, args.quiet)?;
    let run = |scenario: &Scenario| -> Result<(Schema, Vec<Record>), Failure> {
        let network = &scenario.network;
        if !args.quiet {
            say!(
                "Running {}: {replications} replications, seed {seed} …",
                network.name
            );
        }
        let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
        let records =
            experiment::run_records(scenario, seed, &todo, threads, &keep).map_err(|e| {
                Failure {
                    code: EXIT_SIMULATION,
                    message: format!("{}: {e}", network.name),
                }
            })?;
        Ok((Schema::of(network), records))
    };
    if !args.set.is_empty() && !args.quiet {
        say!(
            "Compared scenarios are changed by --set {}",
            args.set.join(" --set ")
        );
    }
    // Each scenario's summaries go in scenarios/<name>/ (names are unique),
    // for `iccsim report` and for reading. Every file is kept until all
    // scenarios have run, then the whole comparison replaces the earlier
    // one in one commit: a comparison killed part-way leaves the earlier
    // one whole.
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut add_scenario_files = |folder: &str, summaries: Vec<(&str, Vec<u8>)>| {
        for (name, bytes) in summaries {
            files.push((format!("{folder}/{name}"), bytes));
        }
    };
    let folder_for = |name: &str| format!("{COMPARE_SCENARIOS}/{name}");
    let info = |network: &Network, origin: &str, records: &[Record]| RunInfo {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: origin.to_string(),
        seed,
        replications: records.len() as u64,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
    };
    let (base_schema, base_records) = run(&base_scenario)?;
    let base_folder = folder_for(&base.name);
    add_scenario_files(
        &base_folder,
        summary_files(
            base,
            info(base, &base_origin, &base_records),
            &base_text,
            &base_schema,
            &base_records,
        ),
    );
    let mut comparisons = Vec::new();
    let mut manifest = report::compare::ComparisonManifest {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        seed,
        replications,
        set: args.set.clone(),
        set_all: args.set_all.clone(),
        baseline: report::compare::ManifestScenario {
            name: base.name.clone(),
            folder: base_folder,
        },
        scenarios: Vec::new(),
    };
    for (alt, origin, text) in &alternatives {
        let (alt_schema, alt_records) = run(alt)?;
        let network = &alt.network;
        let scenario_folder = folder_for(&network.name);
        add_scenario_files(
            &scenario_folder,
            summary_files(
                network,
                info(network, origin, &alt_records),
                text,
                &alt_schema,
                &alt_records,
            ),
        );
        let diffs = iccsim::experiment::compare::paired(
            &base_schema,
            &base_records,
            &alt_schema,
            &alt_records,
        );
        manifest.scenarios.push(report::compare::ManifestScenario {
            name: network.name.clone(),
            folder: scenario_folder,
        });
        comparisons.push((network.name.clone(), diffs));
    }
    files.push((
        "comparison.csv".into(),
        report::compare::comparison_csv(&base.name, &comparisons),
    ));
    files.push((
        "comparison.json".into(),
        report::compare::manifest_json(&manifest),
    ));
    let named: Vec<(&str, &Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b)).collect();
    folder.commit(&named, RESULTS, Replace::Results)?;
    if !args.quiet {
        for (name, diffs) in &comparisons {
            let rows = headline_differences(base, diffs);
            print_stdout(&format!(
                "{}\n",
                report::compare::comparison_table(name, &base.name, &rows)
            ))?;
        }
        say!(
            "Wrote comparison.csv, and each scenario's summaries in a folder of its own, to {}/",
            out.display()
        );
    }
    if args.report {
        board::write_default_report(&mut folder, &args.drawing, args.quiet)?;
    }
    Ok(())
}

fn tornado(args: TornadoArgs) -> Result<(), Failure> {
    let (scenario, origin, _) = load(args.scenario.as_deref(), &args.set)?;
    let network = &scenario.network;
    if scenario.uncertain.is_empty() {
        return Err(Failure {
            code: EXIT_SCENARIO,
            message: format!(
                "{origin} has no uncertain values; add an [uncertainty] section, e.g. \"sites.general.adult_beds\" = {{ dist = \"triangular\", min = 390, mode = 405, max = 420 }} (see docs/experiments.md)"
            ),
        });
    }
    let schema = Schema::of(network);
    let names: Vec<String> = args.metric.iter().cloned().collect();
    let position = precision_keys(network, &schema, &names)?[0];
    let (metric, unit) = match schema.metrics.get(position) {
        Some(k) => (key_name(&schema, position), k.unit.clone()),
        None => {
            let k = &schema.breakdown[position - schema.metrics.len()];
            (k.metric.to_string(), k.unit.clone())
        }
    };
    let seed = args.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications.max(2)));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("tornado-{}", network.name)));
    // tornado.csv may join a comparison's folder, for its report.
    let mut folder = open_output(
        &out,
        args.force,
        &["tornado.csv"],
        scenario_inputs(args.scenario.as_deref()),
    )?;
    let (low_q, high_q) = args.quantiles;
    // Every scenario is built (and checked) before any is run.
    let points = scenario.points();
    let mut variants = Vec::new();
    for (k, value) in scenario.uncertain.iter().enumerate() {
        let mut pair = Vec::new();
        for q in [low_q, high_q] {
            let mut values = points.clone();
            values[k] = value.as_scenario_value(value.distribution.quantile(q));
            let varied = scenario.network_with(&values).map_err(|e| Failure {
                code: EXIT_SCENARIO,
                message: format!(
                    "{} at its {q} quantile ({}) makes an invalid scenario: {e}",
                    value.key, values[k]
                ),
            })?;
            pair.push((values[k], varied));
        }
        variants.push(pair);
    }
    let todo: Vec<u64> = (0..replications).collect();
    let threads = threads_within_memory(network, args.threads, false, args.quiet)?;
    let total = 1 + 2 * variants.len();
    let progress = replications_bar((total as u64) * replications, args.quiet);
    let keep = |_: &Record| -> Result<(), std::io::Error> {
        progress.inc(1);
        Ok(())
    };
    let outcome = |network: &Network| -> Result<Vec<f64>, Failure> {
        let records =
            experiment::run_records(network, seed, &todo, threads, &keep).map_err(|e| Failure {
                code: EXIT_SIMULATION,
                message: e.to_string(),
            })?;
        Ok(records.iter().map(|r| r.values[position]).collect())
    };
    if !args.quiet {
        say!(
            "Tornado of {metric} in {} ({origin}): {} uncertain values, {total} scenarios × {replications} replications, seed {seed} …",
            network.name,
            variants.len()
        );
    }
    let base = outcome(network)?;
    let mut bars = Vec::new();
    for (value, pair) in scenario.uncertain.iter().zip(&variants) {
        let low = outcome(&pair[0].1)?;
        let high = outcome(&pair[1].1)?;
        bars.push(report::tornado::TornadoBar::new(
            &value.key,
            &value.source,
            (value.point, pair[0].0, pair[1].0),
            &base,
            &low,
            &high,
        ));
    }
    progress.finish_and_clear();
    let bars = report::tornado::ranked(bars);
    let info = report::tornado::TornadoInfo {
        scenario: &network.name,
        metric: &metric,
        unit: &unit,
        quantiles: args.quantiles,
        seed,
        replications: todo.len(),
        base: iccsim::stats::Summary::of(&base),
    };
    let files = vec![("tornado.csv", report::tornado::tornado_csv(&info, &bars))];
    folder.commit(&files, "tornado", Replace::Group)?;
    if !args.quiet {
        print_stdout(&report::tornado::tornado_table(&info, &bars))?;
        say!("Wrote tornado.csv to {}/", out.display());
    }
    Ok(())
}

/// `KEY=V1,V2,...` into the key and its values.
fn parse_sweep(text: &str) -> Result<(String, Vec<String>), Failure> {
    let usage = |why: &str| Failure {
        code: EXIT_USAGE,
        message: format!(
            "--sweep {text}: {why}; write KEY=V1,V2,..., e.g. --sweep sites.general.adult_beds=380,400,420"
        ),
    };
    let (key, values) = text.split_once('=').ok_or_else(|| usage("no `=`"))?;
    let values: Vec<String> = split_top_level(values)
        .into_iter()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if key.trim().is_empty() || values.is_empty() {
        return Err(usage("it needs a key and at least one value"));
    }
    let key = key.trim().to_string();
    refuse_run_identity(&key, "--sweep")?;
    Ok((key, values))
}

/// The seed and the number of replications are those of the whole
/// experiment (every point sees the same patients), not values to vary.
fn refuse_run_identity(key: &str, option: &str) -> Result<(), Failure> {
    let parts = scenario::overrides::key_parts(key).unwrap_or_default();
    if parts.len() == 2 && parts[0] == "run" && (parts[1] == "seed" || parts[1] == "replications") {
        return Err(Failure {
            code: EXIT_USAGE,
            message: format!(
                "{option} {key}: every point uses the same seed and number of replications (common random numbers); give them with --seed and -n, and run separate sweeps to vary them"
            ),
        });
    }
    Ok(())
}

/// Splits at commas that are not inside brackets, braces or quotes, so a
/// value may be a list or an inline table.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut quote, mut from) = (Vec::new(), 0i32, None, 0);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(&text[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    parts
}

fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let usage = |message: String| Failure {
        code: EXIT_USAGE,
        message,
    };
    let (base, _, _) = load(args.scenario.as_deref(), &args.set)?;
    let seed = args.seed.unwrap_or(base.network.run.seed);
    let (keys, grid): (Vec<String>, Vec<Vec<String>>) = match (&args.design, args.sweeps.is_empty())
    {
        (Some(_), false) => {
            return Err(usage(
                "give either --sweep (a grid) or --design (a Latin hypercube), not both".into(),
            ));
        }
        (None, true) => {
            return Err(usage(
                "nothing to sweep: give --sweep KEY=V1,V2,... (a grid) or --design FILE (a Latin hypercube)".into(),
            ));
        }
        (Some(path), true) => {
            let text = scenario::read_file(path)?;
            let design =
                sweep_file::read(&text, &path.display().to_string()).map_err(|message| {
                    Failure {
                        code: EXIT_SCENARIO,
                        message,
                    }
                })?;
            for range in &design.ranges {
                refuse_run_identity(&range.key, "--design")?;
            }
            let points = iccsim::experiment::design::latin_hypercube(
                &design.ranges,
                design.points,
                design.seed.unwrap_or(seed),
            );
            let keys = design.ranges.iter().map(|r| r.key.clone()).collect();
            let grid = points
                .iter()
                .map(|point| {
                    point
                        .iter()
                        .zip(&design.ranges)
                        .map(|(v, r)| {
                            if r.whole_number {
                                format!("{}", *v as i64)
                            } else {
                                // Debug keeps the decimal point: a TOML float.
                                format!("{v:?}")
                            }
                        })
                        .collect()
                })
                .collect();
            (keys, grid)
        }
        (None, false) => {
            let sweeps = args
                .sweeps
                .iter()
                .map(|s| parse_sweep(s))
                .collect::<Result<Vec<_>, _>>()?;
            // Only the last setting of a key would run, under every
            // column labelled with it.
            for (i, (key, _)) in sweeps.iter().enumerate() {
                if let Some((earlier, kind)) = sweeps[..i]
                    .iter()
                    .find_map(|(k, _)| Some((k, sweep_file::overlap(k, key)?)))
                {
                    return Err(usage(format!(
                        "--sweep: {}; sweep each value once, with all its values: --sweep {earlier}=V1,V2,...",
                        sweep_file::overlap_problem(&kind, earlier, key)
                    )));
                }
            }
            // Every combination, the first key varying slowest.
            let mut grid: Vec<Vec<String>> = vec![Vec::new()];
            for (_, values) in &sweeps {
                grid = grid
                    .iter()
                    .flat_map(|point| {
                        values.iter().map(move |v| {
                            let mut p = point.clone();
                            p.push(v.clone());
                            p
                        })
                    })
                    .collect();
                if grid.len() > MAX_SWEEP_POINTS {
                    return Err(usage(format!(
                        "the grid has more than {MAX_SWEEP_POINTS} points; sweep fewer values"
                    )));
                }
            }
            (sweeps.iter().map(|(k, _)| k.clone()).collect(), grid)
        }
    };
    // Every point is checked before any is run; networks are built again
    // when run, so memory does not grow with the number of points.
    let point_settings = |point: &[String]| {
        let mut settings = args.set.clone();
        settings.extend(keys.iter().zip(point).map(|(k, v)| format!("{k}={v}")));
        settings
    };
    let first = load(args.scenario.as_deref(), &point_settings(&grid[0]))?
        .0
        .network;
    let replications = u64::from(args.replications.unwrap_or(first.run.replications));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("sweep-{}", first.name)));
    let mut inputs = scenario_inputs(args.scenario.as_deref());
    inputs.extend(args.design.clone());
    let mut folder = open_output(&out, args.force, SWEEP_FILES, inputs)?;
    for point in &grid[1..] {
        load(args.scenario.as_deref(), &point_settings(point))?;
    }
    let todo: Vec<u64> = (0..replications).collect();
    let threads = threads_within_memory(&first, args.threads, false, args.quiet)?;
    let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
    let mut points: Vec<report::sweep::SweepPoint> = Vec::new();
    for point in &grid {
        let (scenario, _, _) = load(args.scenario.as_deref(), &point_settings(point))?;
        if !args.quiet {
            let at: Vec<String> = keys
                .iter()
                .zip(point)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            say!(
                "Point {}/{} ({}): {replications} replications …",
                points.len() + 1,
                grid.len(),
                at.join(", ")
            );
        }
        let records =
            experiment::run_records(&scenario, seed, &todo, threads, &keep).map_err(|e| {
                Failure {
                    code: EXIT_SIMULATION,
                    message: e.to_string(),
                }
            })?;
        // Points share one schema unless a swept value changes the outputs.
        let schema = Schema::of(&scenario.network);
        let schema = match points.last() {
            Some(previous) if *previous.schema == schema => previous.schema.clone(),
            _ => std::sync::Arc::new(schema),
        };
        points.push(report::sweep::SweepPoint {
            values: point.clone(),
            schema,
            records,
        });
    }
    let files = vec![
        (
            "sweep.csv",
            report::sweep::sweep_csv(&first.name, &keys, &points),
        ),
        (
            "sweep_replications.csv",
            report::sweep::sweep_replications_csv(&first.name, &keys, &points),
        ),
    ];
    folder.commit(&files, "sweep", Replace::Group)?;
    if !args.quiet {
        print_stdout(&sweep_table(&first, &keys, &points))?;
        say!(
            "Wrote sweep.csv and sweep_replications.csv to {}/",
            out.display()
        );
    }
    Ok(())
}

/// The record position of a headline outcome: a whole-system outcome (all
/// years, ICCs and ages), or SERVICE.METRIC of a whole service.
fn headline_position(schema: &Schema, name: &str) -> Option<usize> {
    match name.split_once('.') {
        Some((service, metric)) => schema
            .metrics
            .iter()
            .position(|k| k.service == service && k.patient_type == "all" && k.metric == metric),
        None => schema
            .breakdown
            .iter()
            .position(|k| {
                k.metric == name && k.year == "all" && k.icc == "all" && k.age_band == "all"
            })
            .map(|k| schema.metrics.len() + k),
    }
}

/// Headline outcomes (mean and 95% CI) at every point of a sweep.
fn sweep_table(network: &Network, keys: &[String], points: &[report::sweep::SweepPoint]) -> String {
    let outcomes: Vec<String> = match &network.layout {
        Some(_) => [
            "emergency_admissions",
            "acute_occupancy",
            "acute_delayed_bed_days",
            "cost_total",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        None => network
            .services
            .iter()
            .flat_map(|s| {
                [
                    format!("{}.occupancy_mean", s.name),
                    format!("{}.lost", s.name),
                ]
            })
            .collect(),
    };
    let mut header: Vec<String> = keys.to_vec();
    header.extend(outcomes.iter().cloned());
    let mut rows = vec![header];
    for point in points {
        let mut row = point.values.clone();
        for name in &outcomes {
            row.push(match headline_position(&point.schema, name) {
                Some(k) => {
                    let v: Vec<f64> = point.records.iter().map(|r| r.values[k]).collect();
                    report::tables::format_summary(&iccsim::stats::Summary::of(&v))
                }
                None => "–".into(),
            });
        }
        rows.push(row);
    }
    let right = vec![true; rows[0].len()];
    format!(
        "Sweep of {} (same random streams at every point; mean and 95% CI)\n\n{}",
        network.name,
        report::tables::columns(&rows, &right)
    )
}

fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    let (scenario, origin, _) = load(args.scenario.as_deref(), &args.set)?;
    let network = &scenario.network;
    let Some(layout) = &network.layout else {
        return Err(Failure {
            code: EXIT_SCENARIO,
            message: format!(
                "{origin} is not a whole-system scenario (no [population] and [iccs]); calibration targets belong to whole-system scenarios"
            ),
        });
    };
    if layout.targets.is_empty() {
        return Err(Failure {
            code: EXIT_SCENARIO,
            message: format!(
                "{origin} has no calibration targets; add [[calibration.targets]] (see docs/scenario-format.md)"
            ),
        });
    }
    let seed = args.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications));
    results_fit_in_memory(network, replications, false, "calibrate")?;
    // Checked before the work: --update never writes over an input.
    if let Some(path) = &args.update
        && scenario_inputs(args.scenario.as_deref())
            .iter()
            .any(|input| report::output_folder::same_file(input, path))
    {
        return Err(Failure {
            code: EXIT_USAGE,
            message: format!(
                "--update {}: that is the scenario being calibrated (or a file it extends); iccsim never writes over its own input. Give the Markdown file that holds the table, e.g. docs/calibration.md",
                path.display()
            ),
        });
    }
    // The folder is checked (and locked) before the work.
    let mut calibration_folder = match &args.out {
        Some(out) => Some(open_output(
            out,
            args.force,
            &["calibration.csv"],
            scenario_inputs(args.scenario.as_deref()),
        )?),
        None => None,
    };
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: threads_within_memory(network, args.threads, false, false)?,
        keep_episodes: false,
    };
    say!(
        "Calibrating {} ({}): {} replications, seed {} …",
        network.name,
        origin,
        replications,
        seed
    );
    let outputs = experiment::run(&scenario, &plan).map_err(|e| Failure {
        code: EXIT_SIMULATION,
        message: e.to_string(),
    })?;
    let set = BreakdownSet::new(network, layout, &outputs);
    let rows = calibration::evaluate(layout, &set, network.run.horizon_days);
    print_stdout(&calibration::text_table(&rows))?;
    if let Some(folder) = &mut calibration_folder {
        folder.commit(
            &[(
                "calibration.csv",
                calibration::calibration_csv(&network.name, &rows),
            )],
            "calibration",
            Replace::Group,
        )?;
    }
    if let Some(path) = &args.update {
        let scenario_arg = args
            .scenario
            .as_ref()
            .map(|p| format!(" {}", p.display()))
            .unwrap_or_default();
        let command = format!(
            "iccsim calibrate{scenario_arg} -n {replications} --seed {seed} --update {}",
            path.display()
        );
        let run_line = format!(
            "iccsim {}, scenario `{}`, {} replications of {} days after {} days of warm-up",
            env!("CARGO_PKG_VERSION"),
            network.name,
            replications,
            network.run.horizon_days,
            network.run.warmup_days
        );
        let block = calibration::markdown_block(&rows, &command, &run_line);
        let existing = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(Failure {
                    code: EXIT_OUTPUT,
                    message: format!("cannot read {}: {e}", path.display()),
                });
            }
        };
        let markdown = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        if !existing.is_empty() && !existing.contains(calibration::BEGIN_MARKER) && !markdown {
            return Err(Failure {
                code: EXIT_USAGE,
                message: format!(
                    "--update {}: it has no calibration table of iccsim's and is not a Markdown file; give a .md file (the table is added at its end, between markers), or one that already holds the table",
                    path.display()
                ),
            });
        }
        report::write_atomically(
            path,
            calibration::replace_block(&existing, &block).as_bytes(),
        )?;
        say!("Updated the calibration table in {}", path.display());
    }
    let missed = rows.iter().filter(|r| !r.within()).count();
    if args.check && missed > 0 {
        return Err(Failure {
            code: EXIT_CALIBRATION,
            message: format!("{missed} calibration target(s) outside their accepted band"),
        });
    }
    Ok(())
}

fn show(args: ShowArgs) -> Result<(), Failure> {
    // Loaded (and so validated) first: what is shown is what would run.
    let (_, _, text) = load(args.scenario.as_deref(), &args.set)?;
    print_document(&text)?;
    if !text.ends_with('\n') {
        print_document("\n")?;
    }
    Ok(())
}

fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let mut failures = Vec::new();
    for path in &args.scenarios {
        if let Ok(resolved) = scenario::inherit::read_resolved(path) {
            note_parents_outside(path, &resolved);
        }
        match scenario::load_file(path) {
            Ok(network) => print_stdout(&format!(
                "ok: {} — {}{} service{}, {} patient type{}, {} days after {} days of warm-up\n",
                path.display(),
                network.layout.as_ref().map_or(String::new(), |l| format!(
                    "whole system of {} ICC{} and {} site{}: ",
                    l.iccs.len(),
                    if l.iccs.len() == 1 { "" } else { "s" },
                    l.sites.len(),
                    if l.sites.len() == 1 { "" } else { "s" }
                )),
                network.services.len(),
                if network.services.len() == 1 { "" } else { "s" },
                network.patient_types.len(),
                if network.patient_types.len() == 1 {
                    ""
                } else {
                    "s"
                },
                network.run.horizon_days,
                network.run.warmup_days
            ))?,
            Err(e) => failures.push(e.to_string()),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            code: EXIT_SCENARIO,
            message: failures.join("\n"),
        })
    }
}
