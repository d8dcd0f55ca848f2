//! `iccsim compare`: scenarios against a baseline, replication by
//! replication (common random numbers), with each scenario's summaries in
//! a folder of its own. A comparison is a set of per-scenario batches
//! sharing one seed: each scenario's replications are checkpointed as
//! `batch` does (`scenarios/<name>/records.partial`), so an interrupted
//! comparison keeps them (`--resume`), and one may be split over machines
//! (`--shard i/n`, then `merge`). With `--target-half-width`, replications
//! are added in paired rounds until the paired differences are precise.

use std::path::PathBuf;

use super::args::CompareArgs;
use super::compare_files::{
    COMPARE_FILES, Compared, ShardManifest, comparison_files, folder_for, shard_files,
};
use super::compare_target::difference_target;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::report::write_default_report;
use super::shared::{
    load, open_output, print_stdout, refuse_interrupted_batch, scenario_inputs, with_case,
};
use iccsim::experiment;
use iccsim::experiment::batch::{BatchPlan, Shard};
use iccsim::experiment::bed_days_saved::BED_DAYS_SAVED_PER_ADMISSION_AVOIDED;
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::{Record, Schema, fingerprint};
use iccsim::model::Network;
use iccsim::model::metrics::{self, View};
use iccsim::report::checkpoint::RecordsHeader;
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::outputs::{Output, OutputChoice};
use iccsim::report::provenance::Stopping;
use iccsim::report::{self, FileBody};
use iccsim::scenario::Scenario;

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
    refuse_with_shard(&args, design)?;
    let choice = compared_outputs(&args)?;
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
    let out = args.out.clone().unwrap_or_else(|| match args.shard {
        None => PathBuf::from("results").join(format!("compare-{}", base.name)),
        Some((i, n)) => {
            PathBuf::from("results").join(format!("compare-{}-shard-{i}-of-{n}", base.name))
        }
    });
    let inputs = std::iter::once(&args.baseline)
        .chain(&args.scenarios)
        .flat_map(|p| scenario_inputs(Some(p)))
        .collect();
    let mut folder = open_output(&out, args.common.force, COMPARE_FILES, inputs)?;
    super::shared::refuse_other_results(&folder, "compare")?;
    refuse_interrupted_batch(&folder)?;
    let largest = std::iter::once(base)
        .chain(alternatives.iter().map(|(a, _, _)| &a.network))
        .max_by_key(|n| n.memory_estimate().total())
        .unwrap_or(base);
    let threads = threads_within_memory(largest, args.common.threads, false, args.common.quiet)?;
    if !args.set.is_empty() && !args.common.quiet {
        say!(
            "Compared scenarios are changed by --set {}",
            args.set.join(" --set ")
        );
    }
    let scenarios: Vec<(&Scenario, &str, &str)> =
        std::iter::once((&base_scenario, base_origin.as_str(), base_text.as_str()))
            .chain(
                alternatives
                    .iter()
                    .map(|(a, o, t)| (a, o.as_str(), t.as_str())),
            )
            .collect();
    let schemas: Vec<Schema> = scenarios
        .iter()
        .map(|(s, _, _)| Schema::of(&s.network))
        .collect();
    let target = difference_target(&args, &scenarios, &schemas, replications)?;
    let shard = args.shard.map(|(index, count)| Shard { index, count });
    super::shared::refuse_empty_shard(args.shard, replications)?;
    let cap = target
        .as_ref()
        .map_or(replications, |t| t.rule.max_replications);
    let headers: Vec<RecordsHeader> = scenarios
        .iter()
        .zip(&schemas)
        .map(|((s, origin, _), schema)| RecordsHeader {
            iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: s.network.name.clone(),
            origin: origin.to_string(),
            fingerprint: fingerprint(&s.network, seed),
            seed,
            replications: cap,
            values: schema.len(),
            stopping: target
                .as_ref()
                .map_or(String::new(), |t| t.describe(replications)),
            shard: args
                .shard
                .map_or(String::new(), |(i, n)| format!("{i}/{n}")),
            design: design.label(),
        })
        .collect();
    // Every scenario's checkpoint is opened before any runs, so that an
    // interrupted comparison names all its scenarios.
    super::compare_resume::refuse_other_comparison(&folder, &out, &headers, args.resume)?;
    let mut stores = Vec::new();
    let mut done = Vec::new();
    let in_shard = |size: u64| super::interrupt::in_shard(size, args.shard);
    super::interrupt::expect(&out, in_shard(replications) * headers.len() as u64);
    for header in &headers {
        let name = format!("{}/records.partial", folder_for(&header.scenario));
        let (records, writer) =
            super::batch::open_checkpoint(&mut folder, &out, &name, RESULTS, header, args.resume)?;
        let usable: Vec<Record> = records
            .into_iter()
            .filter(|r| r.replication < cap)
            .collect();
        super::interrupt::kept(usable.len() as u64);
        done.push(usable);
        stores.push(super::batch::Checkpoint::new(writer, args.common.quiet));
    }
    if !args.common.quiet {
        let already: usize = done.iter().map(Vec::len).sum();
        say!(
            "Comparing {} scenarios: {replications} replications each{}{}, seed {seed} …",
            scenarios.len(),
            if target.is_some() {
                " to start with"
            } else {
                ""
            },
            if already == 0 {
                String::new()
            } else {
                format!(" ({already} scenario-replications already done)")
            }
        );
    }
    // Rounds: every scenario runs replications 0..size (of its shard), so
    // the scenarios stay paired; with a target, size grows until the
    // paired differences are precise enough.
    let mut size = replications;
    let mut records = done;
    loop {
        for (k, (scenario, _, _)) in scenarios.iter().enumerate() {
            let plan = BatchPlan {
                seed,
                replications: size,
                shard,
                threads,
                precision: None,
                design,
            };
            let had = std::mem::take(&mut records[k]);
            let outcome =
                experiment::batch::run_batch(*scenario, &plan, had, &mut stores[k]).map_err(|e| {
                    Failure {
                        code: match e {
                            experiment::BatchError::Simulation(_) => Exit::Simulation,
                            experiment::BatchError::Keep(_) => Exit::Output,
                        },
                        message: format!(
                            "{}: {e}\nEvery replication finished before this is kept in {}/{}/; fix the cause and run again with --resume.",
                            scenario.network.name,
                            out.display(),
                            folder_for(&scenario.network.name)
                        ),
                    }
                })?;
            records[k] = outcome.records;
        }
        let Some(target) = &target else { break };
        let slices: Vec<&[Record]> = records.iter().map(Vec::as_slice).collect();
        match target.rule.next_size(&target.differences(&slices, size)) {
            Some(next) => {
                if !args.common.quiet {
                    say!(
                        "Differences not precise enough after {size} replications: going on to {next} …"
                    );
                }
                size = next;
                super::interrupt::expect_more(in_shard(size) * headers.len() as u64);
            }
            None => break,
        }
    }
    for r in &mut records {
        r.retain(|record| record.replication < size);
    }
    let (stopping, missed) = match &target {
        Some(t) => {
            let slices: Vec<&[Record]> = records.iter().map(Vec::as_slice).collect();
            super::targets::reached(&t.rule, &t.names, &t.differences(&slices, size))
        }
        None => (Stopping::fixed(size), None),
    };
    let provenance = super::provenance::provenance(
        "compare",
        Some(seed),
        scenarios
            .iter()
            .map(|(s, origin, text)| {
                super::provenance::scenario(
                    &s.network.name,
                    origin,
                    &format!("{}/scenario.toml", folder_for(&s.network.name)),
                    text,
                )
            })
            .collect(),
        None,
        stopping,
    );
    let compared: Vec<Compared> = scenarios
        .iter()
        .zip(schemas)
        .zip(headers)
        .zip(records)
        .map(
            |((((s, origin, text), schema), header), records)| Compared {
                network: &s.network,
                origin: origin.to_string(),
                text: text.to_string(),
                header,
                schema,
                records,
            },
        )
        .collect();
    if let Some((i, n)) = args.shard {
        let manifest = ShardManifest {
            paired_age_bands: args.paired_age_bands,
            baseline: base.name.clone(),
            scenarios: alternatives
                .iter()
                .map(|(a, _, _)| a.network.name.clone())
                .collect(),
            seed,
            replications,
            set: args.set.clone(),
            set_all: args.set_all.clone(),
            shard: format!("{i}/{n}"),
            outputs: args.outputs.clone(),
            compress: args.compress,
        };
        let files = shard_files(&compared, &manifest, &provenance, &choice);
        let named: Vec<(&str, &dyn FileBody)> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_ref() as &dyn FileBody))
            .collect();
        folder.commit(&named, RESULTS, Replace::Results)?;
        if !args.common.quiet {
            say!(
                "Shard {i}/{n}: wrote each scenario's records to {}/; put the shards together with `iccsim merge SHARD_FOLDERS... --out FOLDER`",
                out.display()
            );
        }
        return Ok(());
    }
    let by_lever = match &levers {
        None => None,
        Some(levers) => {
            let todo: Vec<u64> = (0..size).collect();
            let run = |scenario: &Scenario| -> Result<(Schema, Vec<Record>), Failure> {
                let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
                let records =
                    experiment::run_records_in(scenario, seed, design, &todo, threads, &keep)
                        .map_err(|e| Failure {
                            code: Exit::Simulation,
                            message: format!("{}: {e}", scenario.network.name),
                        })?;
                Ok((Schema::of(&scenario.network), records))
            };
            let (base_c, alt_c) = (&compared[0], &compared[1]);
            Some(super::contributions::by_lever(
                &args.scenarios[0],
                levers,
                &changes,
                (&base.name, &base_c.schema, &base_c.records),
                (&alt_c.network.name, &alt_c.schema, &alt_c.records),
                &run,
            )?)
        }
    };
    let lever_table = by_lever.as_ref().map(|(_, table)| table.clone());
    let (base_c, alts_c) = compared.split_first().expect("the baseline is compared");
    let (files, found) = comparison_files(
        base_c,
        alts_c,
        (&args.set, &args.set_all),
        design,
        by_lever.map(|(bytes, _)| bytes),
        &provenance,
        args.paired_age_bands,
        &choice,
    );
    let named: Vec<(&str, &dyn FileBody)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_ref() as &dyn FileBody))
        .collect();
    folder.commit(&named, RESULTS, Replace::Results)?;
    // An alternative identical to the baseline in every replication (a
    // lever starting after the window ends: issue 24's trial compared one
    // year of a scenario whose levers start in year 2) shows as a 0 (0 to
    // 0) difference and a target met at once; say why.
    for (name, diffs) in &found.comparisons {
        if diffs.iter().all(|d| d.values.iter().all(|v| *v == 0.0)) {
            say!(
                "warning: {name} gave the same value as {} for every outcome in every replication: nothing it changes acts inside the window (do its levers start after the run ends? `iccsim show` lists them with their dates), so every difference is 0 and P(better) means nothing",
                base.name
            );
        }
    }
    if !args.common.quiet {
        // The case applies to every scenario; one without uncertain
        // values names none.
        let case = std::iter::once(base)
            .chain(alternatives.iter().map(|(a, _, _)| &a.network))
            .map(iccsim::scenario::case_name)
            .find(|c| c != "none")
            .unwrap_or_else(|| "none".into());
        for (name, diffs) in &found.comparisons {
            let rows = headline_differences(base, diffs);
            print_stdout(&format!(
                "{}\n",
                report::compare::comparison_table(name, &base.name, &rows, &case)
            ))?;
        }
        let nested = design.nested();
        if nested.is_some() {
            print_stdout(&format!(
                "Variance split (--outer {} --inner {}; variance_split.csv):\n{}\n",
                nested.map_or(0, |n| n.outer),
                nested.map_or(0, |n| n.inner),
                report::variance_split::split_table(&found.splits)
            ))?;
        }
        if let Some(table) = &lever_table {
            print_stdout(&format!(
                "Contribution by lever, all years (contributions.csv):\n{table}\n"
            ))?;
        }
        if let Some(t) = &target {
            let slices: Vec<&[Record]> = compared.iter().map(|c| c.records.as_slice()).collect();
            print_stdout(&t.table(&t.differences(&slices, size)))?;
        }
        say!(
            "Wrote comparison.csv, paired_differences.csv (and its margins), and each scenario's summaries and replications in a folder of its own, to {}/",
            out.display()
        );
    }
    if args.report {
        write_default_report(&mut folder, &args.drawing, args.common.quiet)?;
    }
    missed.map_or(Ok(()), Err)
}

/// The outputs of each scenario's folder (`--outputs`, `--compress`, as
/// `batch` takes them): a comparison's scenario folders hold only the
/// summaries and the replications, so another output named is refused.
fn compared_outputs(args: &CompareArgs) -> Result<OutputChoice, Failure> {
    let choice =
        super::chosen_outputs::choice(args.outputs.as_deref(), args.compress, args.report)?;
    let written = [Output::Summary, Output::Replications];
    if args.outputs.is_some()
        && let Some(other) = choice.chosen.iter().find(|o| !written.contains(o))
    {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--outputs {}: a comparison's scenario folders hold no `{}` output; choose among summary,replications (each scenario's detail is in paired_differences.csv, and `iccsim batch SCENARIO --outputs {}` writes it for one scenario)",
                args.outputs.as_deref().unwrap_or_default(),
                other.name(),
                other.name()
            ),
        });
    }
    Ok(choice)
}

/// What a shard cannot be: a comparison that decides its replications as
/// it goes, one that runs more scenarios than it names, a report of half
/// the replications.
fn refuse_with_shard(args: &CompareArgs, design: Design) -> Result<(), Failure> {
    if args.shard.is_none() {
        return Ok(());
    }
    let why = if args.target.target_half_width.is_some() {
        "--target-half-width decides the number of replications as it goes; it cannot be split into --shard runs (run it on one machine, or shard a fixed number)"
    } else if args.by_lever {
        "--by-lever runs more scenarios once the comparison is done; run it on the merged comparison's machine, without --shard"
    } else if args.report {
        "a shard holds part of the replications: draw the report from the merged folder (`iccsim report FOLDER`)"
    } else if design.nested().is_some() {
        "a nested design (--outer, --inner) is not sharded yet; run it on one machine"
    } else {
        return Ok(());
    };
    Err(Failure {
        code: Exit::Usage,
        message: format!("--shard: {why}"),
    })
}
