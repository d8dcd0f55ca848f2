//! `iccsim warmup`: the warm-up diagnostic. Runs a scenario with no
//! warm-up over its warm-up and horizon (or `--days`), from its starting
//! state (or empty), and writes each headline output's daily series with
//! Welch's moving averages, its MSER-5 truncation day, a chart, and the
//! verdict on the scenario's `run.warmup_days`. Supersedes
//! `scripts/warmup-diagnostic`.

use std::borrow::Cow;
use std::path::PathBuf;

use clap::Args;

use super::args::Common;
use super::exit::{Exit, Failure};
use super::memory::{results_fit_in_memory, threads_within_memory};
use super::shared::{load, open_output, print_stdout, refuse_interrupted_batch, scenario_inputs};
use iccsim::experiment::{self, Plan, warmup};
use iccsim::model::{Network, NetworkSource};
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::warmup::{self as files, WarmupRunInfo};

/// The files `warmup` writes (and the only ones it may replace).
const WARMUP_FILES: &[&str] = &[
    "warmup.csv",
    "warmup_summary.csv",
    "warmup.svg",
    "run.json",
    "scenario.toml",
];

#[derive(Args, Debug)]
pub struct WarmupArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// Number of replications the daily series are averaged over.
    #[arg(long, short = 'n', default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replications: u32,
    /// Days to simulate from the start date, with no warm-up. Default: the
    /// scenario's warm-up and horizon together. MSER-5 looks for the end of
    /// the transient in the first half of them.
    #[arg(long, value_parser = clap::value_parser!(u32).range(10..=36_500))]
    pub days: Option<u32>,
    /// Start with no patients: remove the scenario's starting census
    /// (care-home residents, home-care packages, patients part-way
    /// through stays). Default: start from it, as `run` does.
    #[arg(long)]
    pub from_empty: bool,
    /// Half-widths w of Welch's moving averages, in days (each averages
    /// 2w + 1 days).
    #[arg(long, value_delimiter = ',', default_value = "7,30,90", value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub windows: Vec<u32>,
    /// Output folder. Default: results/warmup-<scenario name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
    /// Change a value of the scenario, e.g. --set run.warmup_days=730 to
    /// judge another warm-up (repeatable; checked like the file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// A source whose networks start empty: every service's census removed.
struct FromEmpty<'a> {
    inner: &'a dyn NetworkSource,
    base: Network,
}

fn emptied(mut network: Network) -> Network {
    for service in &mut network.services {
        service.census.clear();
    }
    network
}

impl NetworkSource for FromEmpty<'_> {
    fn base(&self) -> &Network {
        &self.base
    }

    fn for_replication(&self, seed: u64, replication: u64) -> Result<Cow<'_, Network>, String> {
        let network = self.inner.for_replication(seed, replication)?;
        Ok(Cow::Owned(emptied(network.into_owned())))
    }
}

pub(super) fn warmup(args: WarmupArgs) -> Result<(), Failure> {
    // The scenario as given, for its warm-up; then as run: no warm-up,
    // the warm-up and horizon (or --days) simulated.
    let (given, _, _) = load(args.scenario.as_deref(), &args.set)?;
    let scenario_warmup_days = given.network.run.warmup_days;
    let days = args
        .days
        .map(f64::from)
        .unwrap_or((given.network.run.warmup_days + given.network.run.horizon_days).ceil());
    let mut settings = args.set.clone();
    settings.push("run.warmup_days=0".into());
    settings.push(format!("run.horizon_days={days}"));
    let (scenario, origin, text) = load(args.scenario.as_deref(), &settings)?;
    let network = &scenario.network;
    let seed = args.common.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications);
    let windows: Vec<usize> = args.windows.iter().map(|w| *w as usize).collect();
    if windows.is_empty() {
        return Err(Failure {
            code: Exit::Usage,
            message: "--windows: give at least one half-width in days, e.g. --windows 7,30,90"
                .into(),
        });
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("warmup-{}", network.name)));
    results_fit_in_memory(network, replications, false, "warmup")?;
    let mut folder = open_output(
        &out,
        args.common.force,
        WARMUP_FILES,
        scenario_inputs(args.scenario.as_deref()),
    )?;
    refuse_interrupted_batch(&folder)?;
    super::shared::refuse_other_results(&folder, "warmup")?;
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: threads_within_memory(network, args.common.threads, false, args.common.quiet)?,
        keep_episodes: false,
    };
    if !args.common.quiet {
        say!(
            "Warm-up diagnostic of {} ({origin}): {replications} replication{}, seed {seed}, {days} days from {} with no warm-up …",
            network.name,
            if replications == 1 { "" } else { "s" },
            if args.from_empty {
                "empty"
            } else {
                "the starting state"
            },
        );
    }
    let empty;
    let source: &dyn NetworkSource = if args.from_empty {
        empty = FromEmpty {
            inner: &scenario,
            base: emptied(network.clone()),
        };
        &empty
    } else {
        &scenario
    };
    let outputs = experiment::run(source, &plan).map_err(|e| Failure {
        code: Exit::Simulation,
        message: e.to_string(),
    })?;
    let analyses = warmup::analyse(warmup::headline_series(network, &outputs), &windows);
    drop(outputs);

    let info = WarmupRunInfo {
        command: "warmup",
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        command_line: std::env::args().collect(),
        scenario_name: network.name.clone(),
        scenario_origin: origin,
        seed,
        replications,
        run_days: days,
        scenario_warmup_days,
        from_empty: args.from_empty,
        mser_batch_days: iccsim::stats::mser::MSER_BATCH,
        moving_average_windows: windows.clone(),
        scenario_text: text.clone(),
    };
    // The chart shows the middle window (30 days by default).
    let shown = windows.len() / 2;
    let svg =
        files::warmup_svg(&analyses, shown, windows[shown], scenario_warmup_days).map_err(|e| {
            Failure {
                code: Exit::Output,
                message: format!("warmup.svg: {e}"),
            }
        })?;
    let written: Vec<(&str, Vec<u8>)> = vec![
        ("warmup.csv", files::warmup_csv(&analyses, &windows)),
        (
            "warmup_summary.csv",
            files::warmup_summary_csv(
                &analyses,
                scenario_warmup_days,
                network.run.window_days(),
                replications,
            ),
        ),
        ("warmup.svg", svg.into_bytes()),
        (
            "run.json",
            iccsim::report::provenance::run_json(
                Some(&files::run_json(&info)),
                &super::provenance::provenance(
                    "warmup",
                    Some(seed),
                    vec![super::provenance::scenario(
                        &network.name,
                        &info.scenario_origin,
                        "scenario.toml",
                        &text,
                    )],
                    None,
                    iccsim::report::provenance::Stopping::fixed(replications),
                ),
            ),
        ),
        ("scenario.toml", text.into_bytes()),
    ];
    folder.commit(&written, RESULTS, Replace::Results)?;
    if !args.common.quiet {
        print_stdout(&format!(
            "{}\n",
            files::verdict_text(&analyses, scenario_warmup_days)
        ))?;
        say!("Wrote {} files to {}/", written.len(), out.display());
    }
    Ok(())
}
