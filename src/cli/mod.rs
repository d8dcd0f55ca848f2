//! The command line: arguments (clap), the validated run plan, error
//! messages and exit codes. Nothing in the library depends on this module.
//!
//! Exit codes: 0 success; 1 a simulation failed; 2 bad command-line usage;
//! 3 the scenario is invalid or unreadable; 4 results could not be written.

mod args;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use args::{CalibrateArgs, Cli, Command, RunArgs, ValidateArgs};
use iccsim::experiment::{self, Plan};
use iccsim::model::Network;
use iccsim::report::breakdown::{self, BreakdownSet};
use iccsim::report::calibration;
use iccsim::report::tidy::Period;
use iccsim::report::{self, ResultSet, RunInfo, tidy};
use iccsim::scenario::{self, ScenarioError};

/// Exit codes, documented in the README and `--help`.
pub const EXIT_SIMULATION: u8 = 1;
pub const EXIT_SCENARIO: u8 = 3;
pub const EXIT_OUTPUT: u8 = 4;
pub const EXIT_CALIBRATION: u8 = 5;

/// Every file `run` may write; those a run does not write are removed so a
/// folder never mixes two runs.
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
];

/// Writes to stdout; a closed pipe (`iccsim validate ... | head`) is not an
/// error worth a panic, so write errors are ignored.
fn print_stdout(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// A failure with the exit code it maps to.
struct Failure {
    code: u8,
    message: String,
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
        Failure {
            code: EXIT_OUTPUT,
            message: format!(
                "{e}\nResults already in that folder, if any, are unchanged. Fix the folder (permissions, space) and run again, or choose another with --out."
            ),
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Calibrate(args) => calibrate(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {}", failure.message.trim_end());
            ExitCode::from(failure.code)
        }
    }
}

/// Loads the scenario named on the command line, or the built-in default.
fn load(path: Option<&Path>) -> Result<(Network, String), Failure> {
    match path {
        Some(path) => Ok((scenario::load_file(path)?, path.display().to_string())),
        None => Ok((
            scenario::default_network()?,
            format!(
                "built-in default (scenarios/{}.toml)",
                scenario::DEFAULT_SCENARIO_NAME
            ),
        )),
    }
}

fn run(args: RunArgs) -> Result<(), Failure> {
    let (network, origin) = load(args.scenario.as_deref())?;
    let seed = args.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&network.name));
    // Check the output folder before the work, not after.
    report::prepare_folder(&out)?;
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: args.threads.map(usize::from),
        keep_episodes: args.episodes,
    };

    if !args.quiet {
        eprintln!(
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
    let outputs = experiment::run(&network, &plan).map_err(|e| Failure {
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
    let set = ResultSet::new(&network, info, &outputs);
    let periods: Vec<Period> = match &args.periods {
        Some(names) => names.iter().filter_map(|n| Period::from_name(n)).collect(),
        None => Period::defaults_for(network.run.horizon_days),
    };
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", tidy::summary_csv(&set)),
        ("replications.csv", tidy::replications_csv(&set)),
        (
            "timeseries.csv",
            tidy::timeseries_csv(&network, &set.info, &outputs, &periods),
        ),
        ("flows.csv", tidy::flows_csv(&set.info, &outputs)),
        (
            "occupancy.csv",
            tidy::occupancy_csv(&network, &set.info, &outputs),
        ),
        ("results.json", tidy::results_json(&set)),
    ];
    if args.episodes {
        files.push(("episodes.csv", tidy::episodes_csv(&set.info, &outputs)));
    }
    let breakdown = network
        .layout
        .as_ref()
        .map(|layout| BreakdownSet::new(&network, layout, &outputs));
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
    report::write_file_set(&out, &files, OUTPUT_FILES)?;

    if !args.quiet {
        let table = match &breakdown {
            Some(breakdown) => report::tables::headline_table(&set.info, breakdown),
            None => report::tables::summary_table(&network, &set),
        };
        print_stdout(&format!("{table}\n"));
        let patients: u64 = outputs.iter().map(|o| o.result.system.entered_total).sum();
        eprintln!(
            "Simulated {patients} patients in {elapsed:.2} s. Wrote {} files to {}/",
            files.len(),
            out.display()
        );
    }
    Ok(())
}

fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    let (network, origin) = load(args.scenario.as_deref())?;
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
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: args.threads.map(usize::from),
        keep_episodes: false,
    };
    eprintln!(
        "Calibrating {} ({}): {} replications, seed {} …",
        network.name, origin, replications, seed
    );
    let outputs = experiment::run(&network, &plan).map_err(|e| Failure {
        code: EXIT_SIMULATION,
        message: e.to_string(),
    })?;
    let set = BreakdownSet::new(&network, layout, &outputs);
    let rows = calibration::evaluate(layout, &set, network.run.horizon_days);
    print_stdout(&calibration::text_table(&rows));
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
        report::write_atomically(
            path,
            calibration::replace_block(&existing, &block).as_bytes(),
        )?;
        eprintln!("Updated the calibration table in {}", path.display());
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

fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let mut failures = Vec::new();
    for path in &args.scenarios {
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
            )),
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
