//! `iccsim tornado`: one-way sensitivity of an outcome to each uncertain
//! value of a scenario, set in turn to a low and a high quantile.

use std::path::PathBuf;

use super::args::TornadoArgs;
use super::batch::key_name;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::shared::{CHECKPOINT, load, open_output, print_stdout, scenario_inputs};
use iccsim::experiment;
use iccsim::experiment::batch::BatchPlan;
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::Schema;
use iccsim::experiment::record::fingerprint;
use iccsim::model::Network;
use iccsim::report;
use iccsim::report::checkpoint::RecordsHeader;
use iccsim::report::output_folder::Replace;
use iccsim::report::provenance::Stopping;

/// The group of a tornado's files in its folder.
const GROUP: &str = "tornado";
/// The folder of each scenario's checkpoint (the point values first, then
/// each value's low and high).
const VARIANTS: &str = "variants";

/// A tornado's provenance when it joins a folder that has a `run.json` of
/// another command's (a comparison's).
const TORNADO_RUN: &str = "tornado_run.json";

pub(super) fn tornado(args: TornadoArgs) -> Result<(), Failure> {
    let (scenario, origin, text) = load(args.scenario.as_deref(), &args.set)?;
    let network = &scenario.network;
    if scenario.uncertain.is_empty() {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "{origin} has no uncertain values; add an [uncertainty] section, e.g. \"sites.general.adult_beds\" = {{ dist = \"triangular\", min = 390, mode = 405, max = 420 }} (see docs/experiments.md)"
            ),
        });
    }
    let schema = Schema::of(network);
    let names: Vec<String> = args.metric.iter().cloned().collect();
    let position = super::targets::target_positions(network, &schema, &names)?[0].1;
    let (metric, unit) = match schema.metrics.get(position) {
        Some(k) => (key_name(&schema, position), k.unit.clone()),
        None => {
            let k = &schema.breakdown[position - schema.metrics.len()];
            (k.metric.to_string(), k.unit.clone())
        }
    };
    let seed = args.common.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications.max(2)));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(format!("tornado-{}", network.name)));
    // tornado.csv may join a comparison's folder, for its report: its
    // provenance is then tornado_run.json, beside the comparison's
    // run.json (left as it is), and its scenario tornado_scenario.toml.
    let run_json = super::provenance::run_json_name(&out, "tornado", TORNADO_RUN);
    let (run_json, scenario_copy) = if run_json == TORNADO_RUN {
        (TORNADO_RUN, "tornado_scenario.toml")
    } else {
        ("run.json", "scenario.toml")
    };
    let mut folder = open_output(
        &out,
        args.common.force,
        &["tornado.csv", run_json, scenario_copy, "variants/"],
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
                code: Exit::Scenario,
                message: format!(
                    "{} at its {q} quantile ({}) makes an invalid scenario: {e}",
                    value.key, values[k]
                ),
            })?;
            pair.push((values[k], varied));
        }
        variants.push(pair);
    }
    let threads = threads_within_memory(network, args.common.threads, false, args.common.quiet)?;
    let total = 1 + 2 * variants.len();
    // Each of the 2k + 1 scenarios is a batch of its own, checkpointed in
    // variants/<k>/ as it runs: an interrupted tornado keeps them
    // (--resume).
    let mut next_variant = 0usize;
    let mut outcome = |variant: &Network| -> Result<Vec<f64>, Failure> {
        next_variant += 1;
        let schema = Schema::of(variant);
        let header = RecordsHeader {
            iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: variant.name.clone(),
            origin: origin.clone(),
            fingerprint: fingerprint(variant, seed),
            seed,
            replications,
            values: schema.len(),
            stopping: String::new(),
            shard: String::new(),
            // Not a batch's records: the uncertain values are fixed, not
            // drawn, so a batch's checkpoint of the same scenario is not
            // this one.
            design: "tornado: uncertain values fixed".into(),
        };
        let name = format!("{VARIANTS}/{next_variant:03}/{CHECKPOINT}");
        let (done, writer) =
            super::batch::open_checkpoint(&mut folder, &out, &name, GROUP, &header, args.resume)?;
        let plan = BatchPlan {
            seed,
            replications,
            shard: None,
            threads,
            precision: None,
            design: Design::Plain,
        };
        let mut store = super::batch::Checkpoint::new(writer, args.common.quiet);
        let records = experiment::batch::run_batch(variant, &plan, done, &mut store)
            .map_err(|e| Failure {
                code: match e {
                    experiment::BatchError::Simulation(_) => Exit::Simulation,
                    experiment::BatchError::Keep(_) => Exit::Output,
                },
                message: format!(
                    "{e}\nEvery replication finished before this is kept in {}/{VARIANTS}/; fix the cause and run again with --resume.",
                    out.display()
                ),
            })?
            .records;
        Ok(records.iter().map(|r| r.values[position]).collect())
    };
    if !args.common.quiet {
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
    let bars = report::tornado::ranked(bars);
    let info = report::tornado::TornadoInfo {
        scenario: &network.name,
        metric: &metric,
        unit: &unit,
        quantiles: args.quantiles,
        seed,
        replications: replications as usize,
        base: iccsim::stats::Summary::of(&base),
    };
    let provenance = super::provenance::provenance(
        "tornado",
        Some(seed),
        vec![super::provenance::scenario(
            &network.name,
            &origin,
            scenario_copy,
        )],
        None,
        Stopping::fixed(replications),
    );
    let files = vec![
        ("tornado.csv", report::tornado::tornado_csv(&info, &bars)),
        (run_json, report::provenance::run_json(None, &provenance)),
        (scenario_copy, text.into_bytes()),
    ];
    folder.commit(&files, GROUP, Replace::Group)?;
    if !args.common.quiet {
        print_stdout(&report::tornado::tornado_table(&info, &bars))?;
        say!("Wrote tornado.csv to {}/", out.display());
    }
    Ok(())
}
