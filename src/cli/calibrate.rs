//! `iccsim calibrate`: a whole-system scenario against its observed
//! calibration targets; the table printed, written (`--out`) or put into a
//! Markdown file (`--update`); `--check` fails when a target is missed.
//! `--fit` is calibration by optimisation (`fit`).

use super::args::CalibrateArgs;
use super::exit::{Exit, Failure};
use super::memory::{results_fit_in_memory, threads_within_memory};
use super::shared::{load, open_output, print_stdout, scenario_inputs};
use iccsim::experiment::{self, Plan};
use iccsim::report;
use iccsim::report::breakdown::BreakdownSet;
use iccsim::report::calibration;
use iccsim::report::output_folder::Replace;

/// A whole-system scenario's layout, with calibration targets.
pub(super) fn whole_system_layout<'a>(
    network: &'a iccsim::model::Network,
    origin: &str,
) -> Result<&'a iccsim::model::system::SystemLayout, Failure> {
    let Some(layout) = &network.layout else {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "{origin} is not a whole-system scenario (no [population] and [iccs]); calibration targets belong to whole-system scenarios"
            ),
        });
    };
    if layout.targets.is_empty() {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "{origin} has no calibration targets; add [[calibration.targets]] (see docs/scenario-format.md)"
            ),
        });
    }
    Ok(layout)
}

pub(super) fn calibrate(args: CalibrateArgs) -> Result<(), Failure> {
    if args.fit {
        return super::fit::fit(args);
    }
    let (scenario, origin, text) = load(args.scenario.as_deref(), &args.set)?;
    let network = &scenario.network;
    let layout = whole_system_layout(network, &origin)?;
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
            code: Exit::Usage,
            message: format!(
                "--update {}: that is the scenario being calibrated (or a file it extends); iccsim never writes over its own input. Give the Markdown file that holds the table, e.g. docs/calibration.md",
                path.display()
            ),
        });
    }
    // The folder is checked (and locked) before the work.
    let run_json = args.out.as_ref().map_or("run.json", |out| {
        super::provenance::run_json_name(out, "calibrate", "calibration_run.json")
    });
    let scenario_copy = if run_json == "run.json" {
        "scenario.toml"
    } else {
        "calibration_scenario.toml"
    };
    let mut calibration_folder = match &args.out {
        Some(out) => Some(open_output(
            out,
            args.force,
            &["calibration.csv", run_json, scenario_copy],
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
        code: Exit::Simulation,
        message: e.to_string(),
    })?;
    let set = BreakdownSet::new(network, layout, &outputs);
    let rows = calibration::evaluate(layout, &set, network.run.horizon_days);
    print_stdout(&calibration::text_table(&rows))?;
    if let Some(folder) = &mut calibration_folder {
        let provenance = super::provenance::provenance(
            "calibrate",
            Some(seed),
            vec![super::provenance::scenario(
                &network.name,
                &origin,
                scenario_copy,
                &text,
            )],
            None,
            iccsim::report::provenance::Stopping::fixed(replications),
        );
        folder.commit(
            &[
                (
                    "calibration.csv",
                    calibration::calibration_csv(&network.name, &rows),
                ),
                (
                    run_json,
                    iccsim::report::provenance::run_json(None, &provenance),
                ),
                (scenario_copy, text.clone().into_bytes()),
            ],
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
                    code: Exit::Output,
                    message: format!("cannot read {}: {e}", path.display()),
                });
            }
        };
        let markdown = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"));
        if !existing.is_empty() && !existing.contains(calibration::BEGIN_MARKER) && !markdown {
            return Err(Failure {
                code: Exit::Usage,
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
            code: Exit::Calibration,
            message: format!("{missed} calibration target(s) outside their accepted band"),
        });
    }
    Ok(())
}
