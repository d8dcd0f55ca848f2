//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use super::exit::Exit;

/// Discrete-event simulation of patient flows through an integrated care system.
#[derive(Parser, Debug)]
#[command(name = "iccsim", version, about, long_about = None, after_help = "\
Examples:
  iccsim run                                   simulate the built-in default scenario
  iccsim run scenarios/reference-network-stress.toml --seed 7 --out results/stress
  iccsim validate scenarios/*.toml            check scenario files without running them")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Run each scenario on another whole system: the file its `extends`
    /// chain starts from (e.g. north-cumbria-baseline.toml) is replaced by
    /// this one, so a library scenario that states only its changes runs
    /// unchanged on SYSTEM (a scenario with no `extends` is replaced whole).
    /// For the commands that read scenarios.
    #[arg(long, global = true, value_name = "SYSTEM.toml")]
    pub on: Option<PathBuf>,
}

impl Cli {
    /// The command line, its help ending with the exit codes (from [`Exit`],
    /// where they are documented).
    pub fn command_with_exit_codes() -> clap::Command {
        let command = Cli::command();
        let examples = command
            .get_after_help()
            .map(|text| text.to_string())
            .unwrap_or_default();
        command.after_help(format!("{examples}\n\n{}", Exit::help_line()))
    }

    /// Parses the process's arguments.
    pub fn parse_arguments() -> Result<Cli, clap::Error> {
        let mut matches = Cli::command_with_exit_codes().try_get_matches()?;
        Cli::from_arg_matches_mut(&mut matches)
            .map_err(|e| e.format(&mut Cli::command_with_exit_codes()))
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write tidy results.
    #[command(after_help = "\
Examples:
  iccsim run
  iccsim run scenarios/reference-network-stress.toml --replications 40 --seed 7
  iccsim run my-scenario.toml --out results/my-scenario --episodes --threads 2

Files written to the output folder (atomically): summary.csv (mean, sd, 95% CI per
metric), replications.csv (one row per replication x service x patient type x metric),
timeseries.csv (day/week/month/year), flows.csv, occupancy.csv, results.json, and
episodes.csv with --episodes. A whole-system scenario (the default) also writes
breakdown.csv and breakdown_summary.csv: every outcome by year, ICC and age band.")]
    Run(RunArgs),
    /// Run many replications: parallel, checkpointed, resumable, shardable.
    #[command(after_help = "\
Examples:
  iccsim batch -n 1000                                  the built-in baseline, 1,000 replications
  iccsim batch my.toml -n 500 --out results/my-batch    (Ctrl-C at any time, then:)
  iccsim batch my.toml -n 500 --out results/my-batch --resume
  iccsim batch my.toml -n 1000 --shard 2/4 --out shard2  one of four machines
  iccsim merge shard1 shard2 shard3 shard4 --out results/my-batch

Each finished replication is appended to records.partial in the output folder and
flushed to disk, so an interrupted batch keeps every finished replication;
--resume runs only the rest. The final files are byte-identical whatever the
number of threads, interruptions or shards: summary.csv, replications.csv,
results.json, records.csv (what merge reads), scenario.toml (what was run), and
for a whole-system scenario breakdown.csv and breakdown_summary.csv.")]
    Batch(BatchArgs),
    /// Compare scenarios with a baseline, replication by replication
    /// (common random numbers).
    #[command(after_help = "\
Examples:
  iccsim compare scenarios/north-cumbria-baseline.toml my-change.toml -n 50
  iccsim compare base.toml alt1.toml alt2.toml --out results/options

Replication r of every scenario uses the same random streams, so the same patients
arrive with the same needs; each outcome's difference (scenario - baseline) is
taken replication by replication, with its 95% CI. comparison.csv has every
shared outcome; the variance ratio (s2_base + s2_alt) / s2_diff says how many
times more replications independent runs would need for the same interval.")]
    Compare(CompareArgs),
    /// Run a grid of values of one or more scenario keys (common random
    /// numbers across the grid).
    #[command(after_help = "\
Examples:
  iccsim sweep --sweep sites.cumberland_infirmary.adult_beds=385,405,425 -n 20
  iccsim sweep my.toml --sweep a.b=1,2 --sweep c.d=0.1,0.2 --out results/grid
  iccsim sweep --design scenarios/sweeps/adult-beds-and-85-plus-demand.toml -n 10   # a Latin hypercube

Every point of the grid (all combinations of the --sweep values) runs the same
replications with the same random streams, so differences between points are
the effect of the values. sweep.csv has one row per point x outcome: the values
of the swept keys, then mean, sd and 95% CI. sweep_replications.csv has every
replication's value, for plots of outcome against the swept values.
With --design, the points are a Latin hypercube over the ranges of a sweep file.")]
    Sweep(SweepArgs),
    /// One-way sensitivity (tornado) of an outcome to each uncertain value.
    #[command(after_help = "\
Examples:
  iccsim tornado scenarios/examples/single-ward-uncertain.toml --metric medical_ward.occupancy_mean -n 20
  iccsim tornado my.toml --metric acute.occupancy_mean --quantiles 0.1,0.9

Every value in the scenario's [uncertainty] section is set in turn to a low and
a high quantile of its distribution (default the 5th and 95th percentiles),
the others staying at their point values (the numbers in the file). Each
scenario runs the same replications (common random numbers). tornado.csv ranks
the values by their swing (outcome at high - at low), with paired differences
from the point scenario and their 95% CIs.")]
    Tornado(TornadoArgs),
    /// Draw the board report of a results folder: one self-contained HTML
    /// page (and its charts as SVG and PNG; PDF with --pdf).
    #[command(after_help = "\
Examples:
  iccsim compare scenarios/north-cumbria-baseline.toml scenarios/library/full-icc-programme.toml -n 20 --out results/icc
  iccsim report results/icc                       writes results/icc/report.html and results/icc/report-charts/
  iccsim report results/icc --pdf                 also results/icc/report.pdf (needs Chromium: scripts/install-chromium.sh)
  iccsim report results/north-cumbria-baseline    one scenario's batch or run
  iccsim report results/icc --tornado results/tornado --out board/2026-12.html

The folder is the output of `iccsim compare` (every scenario against the
baseline), or of `batch` or `run` (one scenario). The page has the findings in
sentences, a headline table with 95% CIs, fan charts by year, occupancy
against 92% and 95%, the flow of patients between services, costs by sector
and any reinvestment budget, small multiples by ICC, a tornado chart when a
tornado.csv is given or in the folder, and a methods appendix. It needs no
network, scripts or fonts, and prints to A4. It reads only the files, so it can
be redrawn from saved results; `batch` and `compare` draw it with --report.")]
    Report(ReportArgs),
    /// Combine the outputs of `batch`, `compare` or `sweep --shard` runs into one result.
    #[command(after_help = "\
Examples:
  iccsim merge shard1 shard2 --out results/merged

Every folder must hold a finished shard (records.csv and scenario.toml) of the same
scenario, seed and number of replications; together they must cover every
replication once. The merged files are byte-identical to one batch on one machine.")]
    Merge(MergeArgs),
    /// Run a whole-system scenario and compare it with its observed
    /// calibration targets.
    #[command(after_help = "\
Examples:
  iccsim calibrate                                      the built-in north Cumbria baseline
  iccsim calibrate --update docs/calibration.md         also rewrite the table in that file
  iccsim calibrate my-system.toml -n 20 --check         exit code 5 if a target is missed
  iccsim calibrate --out results/calibration            also calibration.csv, for notebooks
  iccsim calibrate my-system.toml --fit -n 4 --out results/fit   fit [calibration.fit]'s free values

The table lists each target of the scenario's [calibration] section: the observed
figure, the accepted band, the simulated mean with its 95% CI, and whether the mean
falls inside the band.

With --fit, the free values of the scenario's [calibration.fit] are moved within
their bounds (Nelder-Mead, the same replications and seed every evaluation) until
the fitted targets are inside their bands and the fit stops improving, or
--max-evaluations; targets with fit = false are held out and only reported.
--out gets fit.csv (every evaluation), fit_targets.csv (each target before and
after) and fitted.toml (the scenario with the fitted values, commented).")]
    Calibrate(CalibrateArgs),
    /// Warm-up diagnostic: Welch's moving averages and the MSER-5
    /// truncation day of each headline output, and whether the scenario's
    /// warm-up is long enough.
    #[command(after_help = "\
Examples:
  iccsim warmup                                   the built-in baseline, 5 replications
  iccsim warmup my.toml -n 10 --days 1460 --out results/warmup-my
  iccsim warmup --from-empty --windows 7,30,90    start with no patients

Runs the scenario with run.warmup_days = 0 over its warm-up and horizon (or
--days), from its starting state (or empty), and averages each output's daily
series over the replications: for a whole-system scenario the share of acute
beds occupied and delayed and the places occupied of each kind of service; for
every scenario each service's places occupied. warmup.csv has each series with
Welch's moving averages; warmup_summary.csv has the MSER-5 truncation day
(batches of 5 days, searched over the first half of the run) of each output and
whether the scenario's warmup_days covers it; warmup.svg draws the headline
series with both days marked; run.json says what was run.")]
    Warmup(super::warmup::WarmupArgs),
    /// Check scenario files without running them; every problem is listed.
    #[command(after_help = "\
Examples:
  iccsim validate scenarios/reference-network.toml
  iccsim validate scenarios/*.toml

Exit code 3 if any file is invalid.")]
    Validate(ValidateArgs),
    /// Print a scenario fully resolved: its `extends` chain merged in and
    /// any --set applied, as the TOML that would run.
    #[command(after_help = "\
Examples:
  iccsim show scenarios/my-change.toml               # what my-change inherits and changes
  iccsim show --set sites.cumberland_infirmary.adult_beds=380 > my.toml

The scenario is validated first; the text is what a batch writes to its
scenario.toml.")]
    Show(ShowArgs),
    /// Write the JSON Schema of scenario files, for editors that complete
    /// and check keys as you type.
    #[command(after_help = "\
Examples:
  iccsim schema --out iccsim-scenario.schema.json

Then, in VS Code with the Even Better TOML extension, put this first line in
a scenario file:
  #:schema ./iccsim-scenario.schema.json
The schema checks key names and shapes; `iccsim validate` checks meanings.")]
    Schema(SchemaArgs),
    /// Start a new scenario: a commented file that extends a baseline and
    /// shows every lever, ready to edit.
    #[command(after_help = "\
Examples:
  iccsim new more-rapid-response --from scenarios/north-cumbria-baseline.toml
  iccsim new my-change --from scenarios/north-cumbria-baseline.toml --out scenarios/mine/my-change.toml
  iccsim new --system morecambe-bay --from-data data/systems/morecambe-bay --out scenarios/morecambe-bay.toml

The file states only what it changes (`extends`); `iccsim show FILE` prints
it merged, `iccsim validate FILE` checks it. With --system and --from-data,
a whole system's scenario is written from a folder of CSV tables, every
value marked DATA, DERIVED or ASSUMED (docs/new-system.md).")]
    New(NewArgs),
}

#[derive(Args, Debug)]
pub struct SchemaArgs {
    /// Write the schema to this file (atomically). Default: standard output.
    /// An existing file is replaced only if it is a schema iccsim wrote.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace the --out file even if it is not a schema iccsim wrote.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The new scenario's name (letters, digits, '-' and '_').
    #[arg(required_unless_present = "system", conflicts_with = "system")]
    pub name: Option<String>,
    /// The scenario it changes (a TOML file).
    #[arg(long, required_unless_present = "system", conflicts_with = "system")]
    pub from: Option<PathBuf>,
    /// A whole system's scenario named NAME, from the CSV tables of
    /// --from-data (docs/new-system.md) instead of a change to a baseline.
    #[arg(long, value_name = "NAME", requires = "from_data")]
    pub system: Option<String>,
    /// The folder of a system's CSV tables (system.csv, population.csv,
    /// areas.csv, sites.csv, catchment.csv and the optional ones).
    #[arg(long, value_name = "DIR", requires = "system")]
    pub from_data: Option<PathBuf>,
    /// Where to write it. Default: NAME.toml beside the baseline (with
    /// --system: NAME.toml in the current folder).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Replace the file if it exists (with --system: only a file that
    /// `iccsim new --system` wrote).
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// Number of replications. Default: the scenario's `run.replications`.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Output folder. Default: results/<scenario name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Run every uncertain value at a quantile in every replication (chance
    /// still varies): Q strictly between 0 and 1, or pessimistic (each at
    /// its 0.9 quantile on its worse side), central (0.5) or optimistic.
    /// Written to run.json as "case". Default: each replication draws them.
    #[arg(long, value_name = "Q")]
    pub at_quantile: Option<String>,
    #[command(flatten)]
    pub common: Common,
    /// Also write episodes.csv: one row per visit to a service.
    #[arg(long)]
    pub episodes: bool,
    #[command(flatten)]
    pub event_log: super::event_log::EventLogArgs,
    /// Periods of timeseries.csv, comma-separated from day, week, month,
    /// year. Default: all four for runs up to a year, month and year beyond.
    #[arg(long, value_delimiter = ',', value_parser = ["day", "week", "month", "year"])]
    pub periods: Option<Vec<String>>,
    /// Change a value of the scenario, e.g. --set sites.general.adult_beds=420
    /// or --set 'age_bands."85+".crisis_per_1000=600' (repeatable; checked
    /// like the file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// The flags shared by the commands that run replications and write a
/// results folder (`run`, `batch`, `compare`, `sweep`, `tornado`).
/// `calibrate` has no --quiet (its table is what it is for) and `merge`
/// runs nothing, so they declare theirs.
#[derive(Args, Debug)]
pub struct Common {
    /// Master seed; replication r uses the random streams of (seed, r), in
    /// every scenario and at every point. Default: the scenario's
    /// `run.seed` (the baseline's, for compare).
    #[arg(long, short)]
    pub seed: Option<u64>,
    /// Worker threads (results are identical for any number). Default: one per core.
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Write into a folder that holds files iccsim did not write (beside
    /// them: they are never overwritten or removed). Without it, such a
    /// folder is refused.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The output folder of `iccsim compare`, `batch` or `run`.
    pub results: PathBuf,
    /// Where to write the page. Default: report.html in the results
    /// folder. The charts go beside it, in <name>-charts/.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Write into a folder that holds files iccsim did not write (beside
    /// them: they are never overwritten or removed). Without it, such a
    /// folder is refused.
    #[arg(long)]
    pub force: bool,
    /// The tornado.csv of `iccsim tornado` (or its folder), when it is not
    /// in the results folder.
    #[arg(long)]
    pub tornado: Option<PathBuf>,
    #[command(flatten)]
    pub drawing: ReportOptions,
}

/// How a report is drawn (shared by `report`, and by `batch` and
/// `compare` with --report).
#[derive(Args, Debug, Clone, Default)]
pub struct ReportOptions {
    /// Also print the page to PDF (beside it, .pdf) with headless Chromium
    /// (`chromium` on the PATH, or the program in $ICCSIM_CHROMIUM).
    #[arg(long)]
    pub pdf: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// Changes to the scenario (KEY=VALUE, repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// Whole-system scenario file (TOML). Without it, the built-in default.
    pub scenario: Option<PathBuf>,
    /// Master seed. Default: the scenario's `run.seed`.
    #[arg(long, short)]
    pub seed: Option<u64>,
    /// Number of replications. Default: the scenario's `run.replications`.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Worker threads (results are identical for any number).
    #[arg(long, short = 'j', value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Markdown file whose generated table to replace (written atomically;
    /// the prose around the table is kept).
    #[arg(long)]
    pub update: Option<PathBuf>,
    /// Exit with code 5 if any target is outside its accepted band.
    #[arg(long)]
    pub check: bool,
    /// Fit the free values of the scenario's [calibration.fit] to its
    /// targets (Nelder-Mead, common random numbers); writes fit.csv,
    /// fit_targets.csv and fitted.toml to --out. Exit code 5 if a fitted
    /// target is still outside its band.
    #[arg(long, conflicts_with = "update")]
    pub fit: bool,
    /// With --fit: the most evaluations (simulations of the scenario).
    /// Default: [calibration.fit] max_evaluations, or 20 × (free values + 1).
    #[arg(long, requires = "fit", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub max_evaluations: Option<u32>,
    /// Also write calibration.csv (observed against simulated, one row per
    /// target) to this folder.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Write into a folder that holds files iccsim did not write (beside
    /// them: they are never overwritten or removed). Without it, such a
    /// folder is refused.
    #[arg(long)]
    pub force: bool,
    /// Change a value of the scenario, e.g. --set sites.general.adult_beds=420
    /// or --set 'age_bands."85+".crisis_per_1000=600' (repeatable; checked
    /// like the file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

#[derive(Args, Debug)]
pub struct BatchArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// Number of replications. Default: the scenario's `run.replications`.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub replications: Option<u32>,
    /// Output folder. Default: results/<scenario name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Run every uncertain value at a quantile in every replication (chance
    /// still varies): Q strictly between 0 and 1, or pessimistic (each at
    /// its 0.9 quantile on its worse side), central (0.5) or optimistic.
    /// Written to run.json as "case". Default: each replication draws them.
    #[arg(long, value_name = "Q")]
    pub at_quantile: Option<String>,
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub nested: super::nested::NestedArgs,
    /// Finish an interrupted batch in the output folder.
    #[arg(long)]
    pub resume: bool,
    #[command(flatten)]
    pub target: super::targets::TargetArgs,
    /// Run only shard i of n (replications r with r mod n = i - 1), e.g. 2/4.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Also draw the board report (report.html and report-charts/ in the output
    /// folder; see `iccsim report`).
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub event_log: super::event_log::EventLogArgs,
    #[command(flatten)]
    pub drawing: ReportOptions,
    /// Change a value of the scenario, e.g. --set sites.general.adult_beds=420
    /// or --set 'age_bands."85+".crisis_per_1000=600' (repeatable; checked
    /// like the file).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Write only these outputs (comma-separated): summary, replications,
    /// results, breakdown, flows, delays, pressure, registers; run.json,
    /// scenario.toml and records.csv are always written. `iccsim report`
    /// needs summary.
    #[arg(long, value_name = "LIST")]
    pub outputs: Option<String>,
    /// gzip the files that grow with the replications (breakdown.csv.gz,
    /// replications.csv.gz, results.json.gz …; pandas and R read them as
    /// they are): about a tenth of the text, for 1,000 replications.
    #[arg(long)]
    pub compress: bool,
}

/// `i/n` with 1 ≤ i ≤ n.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("`{text}` is not i/n, e.g. 2/4"))?;
    let (i, n): (u64, u64) = (
        i.trim()
            .parse()
            .map_err(|_| format!("`{i}` is not a whole number"))?,
        n.trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a whole number"))?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!(
            "shard {i}/{n}: i must be from 1 to n, and n at least 1"
        ));
    }
    Ok((i, n))
}

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Folders written by `iccsim batch --shard i/n` (or `compare --shard i/n`).
    #[arg(required = true)]
    pub folders: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, short, required = true)]
    pub out: PathBuf,
    /// Write into a folder that holds files iccsim did not write (beside
    /// them: they are never overwritten or removed). Without it, such a
    /// folder is refused.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Gzip the growing files, as `batch --compress` does (*.csv.gz).
    /// Shards written with --compress are merged compressed without it.
    #[arg(long)]
    pub compress: bool,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The baseline scenario file.
    pub baseline: PathBuf,
    /// One or more scenarios to compare with it.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Replications of each scenario. Default: the baseline's `run.replications`.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(2..=10_000_000))]
    pub replications: Option<u32>,
    /// Output folder. Default: results/compare-<baseline name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Run every uncertain value at a quantile in every replication (chance
    /// still varies): Q strictly between 0 and 1, or pessimistic (each at
    /// its 0.9 quantile on its worse side), central (0.5) or optimistic.
    /// Written to run.json as "case". Default: each replication draws them.
    #[arg(long, value_name = "Q")]
    pub at_quantile: Option<String>,
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub nested: super::nested::NestedArgs,
    /// Split the difference by lever (one scenario, which has levers): run
    /// it with each lever alone and with all but each lever, with the same
    /// random numbers, and write contributions.csv.
    #[arg(long)]
    pub by_lever: bool,
    /// Also draw the board report (report.html and report-charts/ in the output
    /// folder; see `iccsim report`).
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub drawing: ReportOptions,
    /// Change a value of each compared scenario (not the baseline), e.g.
    /// compare a scenario with itself changed:
    /// `iccsim compare base.toml base.toml --set sites.general.adult_beds=420`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Change a value of every scenario, the baseline included, e.g. a
    /// quick look over one year: --set-all run.horizon_days=365.
    #[arg(long = "set-all", value_name = "KEY=VALUE")]
    pub set_all: Vec<String>,
    /// Keep each age band's rows in paired_differences.csv (3 in 4 of its
    /// rows for a whole-system scenario: about 3.8 MB a replication of the
    /// baseline with them, 1 MB without). Default: every metric, and the
    /// breakdown by year and ICC over all ages.
    #[arg(long)]
    pub paired_age_bands: bool,
    /// Finish an interrupted comparison in the output folder (each
    /// scenario's finished replications are kept in
    /// scenarios/<name>/records.partial).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (replications r with r mod n = i - 1, of
    /// every scenario), e.g. 2/4; put the shards together with `iccsim
    /// merge`.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// A precision target on the paired differences (alternative −
    /// baseline): e.g. --target-half-width 0.01 --target-metric
    /// emergency_admissions stops when each difference's 95% CI half-width
    /// is at most 1% of the baseline's mean.
    #[command(flatten)]
    pub target: super::targets::TargetArgs,
    /// Write only these outputs of each scenario's folder (comma-separated,
    /// as `batch --outputs`): summary, replications; run.json,
    /// scenario.toml and records.csv are always written, and so are the
    /// comparison's own files. `iccsim report` needs summary.
    #[arg(long, value_name = "LIST")]
    pub outputs: Option<String>,
    /// gzip the files that grow with the replications, as `batch
    /// --compress` does: each scenario's replications.csv.gz and
    /// records.csv.gz, and paired_differences*.csv.gz.
    #[arg(long)]
    pub compress: bool,
}

#[derive(Args, Debug)]
pub struct TornadoArgs {
    /// Scenario file (TOML) with an [uncertainty] section.
    pub scenario: Option<PathBuf>,
    /// The outcome: a whole-system outcome (e.g. emergency_admissions),
    /// SERVICE.METRIC (e.g. acute.occupancy_mean) or system.METRIC.
    /// Default: emergency_admissions for a whole-system scenario, else the
    /// first service's occupancy_mean.
    #[arg(long)]
    pub metric: Option<String>,
    /// The low and high quantiles each value is set to.
    #[arg(long, value_name = "LOW,HIGH", default_value = "0.05,0.95", value_parser = parse_quantiles)]
    pub quantiles: (f64, f64),
    /// Changes to the scenario (KEY=VALUE, repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Replications per scenario. Default: the scenario's `run.replications`.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(2..=10_000_000))]
    pub replications: Option<u32>,
    /// Output folder. Default: results/tornado-<scenario name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
    /// Finish an interrupted tornado in the output folder (each
    /// scenario's finished replications are kept in
    /// variants/<k>/records.partial).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (replications r with r mod n = i - 1, of
    /// every scenario of the tornado), e.g. 2/4; put the shards together
    /// with `iccsim merge`.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
}

fn parse_quantiles(text: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{text}: give LOW,HIGH with 0 < LOW < HIGH < 1, e.g. 0.05,0.95");
    let (low, high) = text.split_once(',').ok_or_else(bad)?;
    let (low, high): (f64, f64) = (
        low.trim().parse().map_err(|_| bad())?,
        high.trim().parse().map_err(|_| bad())?,
    );
    if 0.0 < low && low < high && high < 1.0 {
        Ok((low, high))
    } else {
        Err(bad())
    }
}

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (TOML). Without it, the built-in default scenario.
    pub scenario: Option<PathBuf>,
    /// KEY=V1,V2,... (repeatable: the grid is every combination). Values
    /// are TOML values (a list or inline table may hold commas).
    #[arg(long = "sweep", value_name = "KEY=V1,V2,...")]
    pub sweeps: Vec<String>,
    /// A sweep file: a Latin hypercube of `points` scenarios over ranges
    /// of values (see docs/experiments.md). Instead of --sweep.
    #[arg(long, value_name = "FILE")]
    pub design: Option<PathBuf>,
    /// Fixed changes applied at every point.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Replications at each point. Default: the scenario's `run.replications`.
    #[arg(long, short = 'n', value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub replications: Option<u32>,
    /// Output folder. Default: results/sweep-<scenario name>.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub common: Common,
    /// Finish an interrupted sweep in the output folder (each point's
    /// finished replications are kept in points/<k>/records.partial).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard i of n (replications r with r mod n = i - 1, at
    /// every point), e.g. 2/4; put the shards together with `iccsim merge`.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared flags are accepted, long and short, by every command that
    /// has them, as before they were shared.
    #[test]
    fn shared_flags_parse_on_every_command_that_has_them() {
        for command in [
            vec!["run"],
            vec!["batch"],
            vec!["compare", "a.toml", "b.toml"],
            vec!["sweep"],
            vec!["tornado"],
        ] {
            let mut words = vec!["iccsim"];
            words.extend(&command);
            words.extend(["-s", "7", "-j", "3", "--force", "-q"]);
            let common = match Cli::try_parse_from(&words).unwrap().command {
                Command::Run(a) => a.common,
                Command::Batch(a) => a.common,
                Command::Compare(a) => a.common,
                Command::Sweep(a) => a.common,
                Command::Tornado(a) => a.common,
                other => panic!("{other:?}"),
            };
            assert_eq!(
                (common.seed, common.threads, common.force, common.quiet),
                (Some(7), Some(3), true, true),
                "{command:?}"
            );
        }
        assert!(Cli::try_parse_from(["iccsim", "run", "-j", "0"]).is_err());
        // calibrate has no --quiet: its table is what it is for.
        assert!(Cli::try_parse_from(["iccsim", "calibrate", "-q"]).is_err());
    }

    #[test]
    fn shards_and_fractions_are_checked() {
        assert_eq!(parse_shard("2/4"), Ok((2, 4)));
        assert!(parse_shard("0/4").is_err() && parse_shard("5/4").is_err());
        assert_eq!(parse_quantiles("0.1,0.9"), Ok((0.1, 0.9)));
        assert!(parse_quantiles("0.9,0.1").is_err());
    }
}
