//! `iccsim compare`: scenarios against a baseline, replication by
//! replication (common random numbers), with each scenario's summaries in
//! a folder of its own.

use std::path::PathBuf;

use super::args::CompareArgs;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::records::summary_files;
use super::report::write_default_report;
use super::shared::{load, open_output, print_stdout, refuse_interrupted_batch, scenario_inputs};
use iccsim::experiment;
use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;
use iccsim::model::metrics::{self, View};
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::{self, RunInfo};
use iccsim::scenario::Scenario;

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

/// The outcomes shown on the terminal for a comparison.
fn headline_differences<'a>(
    network: &Network,
    diffs: &'a [iccsim::experiment::compare::Difference],
) -> Vec<&'a iccsim::experiment::compare::Difference> {
    if network.layout.is_some() {
        let whole = |d: &&iccsim::experiment::compare::Difference| {
            d.key.table == "breakdown" && d.key.labels.iter().all(|l| l == "all")
        };
        metrics::whole_system_headlines(View::Compare)
            .into_iter()
            .filter_map(|m| diffs.iter().filter(whole).find(|d| d.key.metric == m))
            .collect()
    } else {
        let service = metrics::service_headlines(View::Compare);
        diffs
            .iter()
            .filter(|d| {
                d.key.table == "metrics"
                    && d.key.labels[1] == "all"
                    && service.contains(&d.key.metric.as_str())
            })
            .collect()
    }
}

pub(super) fn compare(args: CompareArgs) -> Result<(), Failure> {
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
                code: Exit::Scenario,
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
    let seed = args.common.seed.unwrap_or(base.run.seed);
    let replications = u64::from(args.replications.unwrap_or(base.run.replications.max(2)));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("compare-{}", base.name)));
    let inputs = std::iter::once(&args.baseline)
        .chain(&args.scenarios)
        .flat_map(|p| scenario_inputs(Some(p)))
        .collect();
    let mut folder = open_output(&out, args.common.force, COMPARE_FILES, inputs)?;
    refuse_interrupted_batch(&folder)?;
    let todo: Vec<u64> = (0..replications).collect();
    let largest = std::iter::once(base)
        .chain(alternatives.iter().map(|(a, _, _)| &a.network))
        .max_by_key(|n| n.memory_estimate().total())
        .unwrap_or(base);
    let threads = threads_within_memory(largest, args.common.threads, false, args.common.quiet)?;
    let run = |scenario: &Scenario| -> Result<(Schema, Vec<Record>), Failure> {
        let network = &scenario.network;
        if !args.common.quiet {
            say!(
                "Running {}: {replications} replications, seed {seed} …",
                network.name
            );
        }
        let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
        let records =
            experiment::run_records(scenario, seed, &todo, threads, &keep).map_err(|e| {
                Failure {
                    code: Exit::Simulation,
                    message: format!("{}: {e}", network.name),
                }
            })?;
        Ok((Schema::of(network), records))
    };
    if !args.set.is_empty() && !args.common.quiet {
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
        rows: Vec::new(),
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
    manifest.rows = report::compare::comparison_rows(&base.name, &comparisons);
    files.push((
        "comparison.json".into(),
        report::compare::manifest_json(&manifest),
    ));
    let named: Vec<(&str, &Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b)).collect();
    folder.commit(&named, RESULTS, Replace::Results)?;
    if !args.common.quiet {
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
        write_default_report(&mut folder, &args.drawing, args.common.quiet)?;
    }
    Ok(())
}
