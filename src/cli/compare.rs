//! `iccsim compare`: scenarios against a baseline, replication by
//! replication (common random numbers), with each scenario's summaries in
//! a folder of its own.

use std::path::PathBuf;

use super::args::CompareArgs;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::records::summary_files;
use super::report::write_default_report;
use super::shared::{
    load, open_output, print_stdout, refuse_interrupted_batch, scenario_inputs, with_case,
};
use iccsim::experiment;
use iccsim::experiment::bed_days_saved::{
    BED_DAYS_SAVED_PER_ADMISSION_AVOIDED, bed_days_saved_per_admission_avoided,
};
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
    "finance.csv",
    "finance_summary.csv",
    "contributions.csv",
    "variance_split.csv",
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
        // Then the bed-days each admission avoided took with it.
        metrics::whole_system_headlines(View::Compare)
            .into_iter()
            .chain([BED_DAYS_SAVED_PER_ADMISSION_AVOIDED])
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
    // A case applies to every scenario, the baseline included.
    let set_all = with_case(&args.set_all, args.at_quantile.as_deref())?;
    let (base_scenario, base_origin, base_text) = load(Some(&args.baseline), &set_all)?;
    let base = &base_scenario.network;
    let mut alternatives = Vec::new();
    let changes: Vec<String> = set_all.iter().chain(&args.set).cloned().collect();
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
    let design = args.nested.design(args.replications)?;
    let uncertain = std::iter::once(&base_scenario)
        .chain(alternatives.iter().map(|(a, _, _)| a))
        .map(|s| s.uncertain.len())
        .sum();
    super::case_checks::refuse_case_with_nested(args.at_quantile.as_deref(), design)?;
    super::nested::refuse_without_uncertainty(design, uncertain, &base.name)?;
    let counts: Vec<(&str, usize)> = std::iter::once(&base_scenario)
        .chain(alternatives.iter().map(|(a, _, _)| a))
        .map(|s| (s.network.name.as_str(), s.uncertain.len()))
        .collect();
    super::case_checks::refuse_case_without_uncertainty(args.at_quantile.as_deref(), &counts)?;
    if args.by_lever && args.scenarios.len() != 1 {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--by-lever splits one scenario's difference from the baseline, but {} scenarios were given; compare one scenario with levers at a time",
                args.scenarios.len()
            ),
        });
    }
    // The levers are read before anything runs: a scenario without them
    // (or with too many) is refused now, not after the runs.
    let levers = if args.by_lever {
        Some(super::contributions::levers(&args.scenarios[0], &changes)?)
    } else {
        None
    };
    let replications = design.nested().map_or_else(
        || u64::from(args.replications.unwrap_or(base.run.replications.max(2))),
        |n| n.replications(),
    );
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
        let records = experiment::run_records_in(scenario, seed, design, &todo, threads, &keep)
            .map_err(|e| Failure {
                code: Exit::Simulation,
                message: format!("{}: {e}", network.name),
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
        full_effect_from: iccsim::model::full_effect::FullEffect::of(network).from_text(),
        first_full_year: iccsim::model::full_effect::FullEffect::of(network).first_full_year,
        case: iccsim::scenario::case_name(network),
        correlation: iccsim::scenario::correlation_sentence(network),
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
    let mut finances = Vec::new();
    let nested = design.nested();
    let mut splits = nested.map_or_else(Vec::new, |n| {
        report::variance_split::split_rows(n, &base.name, &base_schema, &base_records, None)
    });
    let mut by_lever = None;
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
        let mut diffs = iccsim::experiment::compare::paired(
            &base_schema,
            &base_records,
            &alt_schema,
            &alt_records,
        );
        diffs.extend(bed_days_saved_per_admission_avoided(&diffs));
        if let Some(finance) =
            report::finance::finance(&base_schema, &base_records, &alt_schema, &alt_records)
        {
            finances.push((network.name.clone(), finance));
        }
        if let Some(n) = nested {
            splits.extend(report::variance_split::split_rows(
                n,
                &network.name,
                &alt_schema,
                &alt_records,
                Some((&base.name, &base_schema, &base_records)),
            ));
        }
        if let Some(levers) = &levers {
            by_lever = Some(super::contributions::by_lever(
                &args.scenarios[0],
                levers,
                &changes,
                (&base.name, &base_schema, &base_records),
                (&network.name, &alt_schema, &alt_records),
                &run,
            )?);
        }
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
    if let Some(layout) = base.layout.as_ref().filter(|_| !finances.is_empty()) {
        let price_year = &layout.price_year;
        files.push((
            "finance.csv".into(),
            report::finance::finance_csv(&base.name, price_year, &finances),
        ));
        files.push((
            "finance_summary.csv".into(),
            report::finance::finance_summary_csv(&base.name, price_year, &finances),
        ));
    }
    manifest.rows = report::compare::comparison_rows(&base.name, &comparisons);
    files.push((
        "comparison.json".into(),
        report::compare::manifest_json(&manifest),
    ));
    if nested.is_some() {
        files.push((
            "variance_split.csv".into(),
            report::variance_split::variance_split_csv(&splits),
        ));
    }
    if let Some((bytes, _)) = &by_lever {
        files.push(("contributions.csv".into(), bytes.clone()));
    }
    let named: Vec<(&str, &Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b)).collect();
    folder.commit(&named, RESULTS, Replace::Results)?;
    if !args.common.quiet {
        // The case applies to every scenario; one without uncertain
        // values names none.
        let case = std::iter::once(base)
            .chain(alternatives.iter().map(|(a, _, _)| &a.network))
            .map(iccsim::scenario::case_name)
            .find(|c| c != "none")
            .unwrap_or_else(|| "none".into());
        for (name, diffs) in &comparisons {
            let rows = headline_differences(base, diffs);
            print_stdout(&format!(
                "{}\n",
                report::compare::comparison_table(name, &base.name, &rows, &case)
            ))?;
        }
        if nested.is_some() {
            print_stdout(&format!(
                "Variance split (--outer {} --inner {}; variance_split.csv):\n{}\n",
                nested.map_or(0, |n| n.outer),
                nested.map_or(0, |n| n.inner),
                report::variance_split::split_table(&splits)
            ))?;
        }
        if let Some((_, table)) = &by_lever {
            print_stdout(&format!(
                "Contribution by lever, all years (contributions.csv):\n{table}\n"
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
