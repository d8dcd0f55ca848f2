//! `iccsim tornado`: one-way sensitivity of an outcome to each uncertain
//! value of a scenario, set in turn to a low and a high quantile. Each of
//! its 2k + 1 scenarios is a batch checkpointed in `variants/<k>/`
//! (`--resume`); `--shard i/n` runs replications r ≡ i − 1 mod n of every
//! one, and `merge` puts the shards' records together into the tornado
//! one machine would write (`run.json` apart).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::args::{MergeArgs, TornadoArgs};
use super::batch::key_name;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::shared::{CHECKPOINT, load, open_output, print_stdout, scenario_inputs};
use iccsim::experiment;
use iccsim::experiment::batch::{BatchPlan, Shard};
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::{Record, Schema, fingerprint};
use iccsim::model::Network;
use iccsim::report;
use iccsim::report::checkpoint::{self, RecordsHeader};
use iccsim::report::output_folder::Replace;
use iccsim::report::provenance::Stopping;
use iccsim::report::{FileBody, Streamed};
use iccsim::scenario::{self, Scenario};

/// The group of a tornado's files in its folder.
const GROUP: &str = "tornado";
/// The folder of each scenario's checkpoint (the point values first, then
/// each value's low and high).
const VARIANTS: &str = "variants";
/// What a shard of a tornado writes beside its variants' records.
pub(super) const SHARD_FILE: &str = "tornado_shard.json";

/// A tornado's provenance when it joins a folder that has a `run.json` of
/// another command's (a comparison's).
pub(super) const TORNADO_RUN: &str = "tornado_run.json";

/// The folder of variant `k` (from 0: the point values first).
fn variant_folder(k: usize) -> String {
    format!("{VARIANTS}/{:03}", k + 1)
}

/// What `merge` needs of a tornado's shard: with the scenario text the
/// shard holds (after `--set`), every variant is built again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ShardManifest {
    /// The scenario's name.
    pub(super) name: String,
    /// Where it was read from.
    pub(super) origin: String,
    /// `--metric`, as given.
    pub(super) metric: Option<String>,
    pub(super) quantiles: (f64, f64),
    pub(super) seed: u64,
    pub(super) replications: u64,
    /// `i/n`.
    pub(super) shard: String,
}

/// The scenarios of a tornado: the point values, then each uncertain
/// value at its low and its high quantile (with the value it was set to).
struct Variants {
    low_high: Vec<[(f64, Network); 2]>,
}

/// Every scenario built (and checked) before any is run.
fn variants(scenario: &Scenario, (low_q, high_q): (f64, f64)) -> Result<Variants, Failure> {
    let points = scenario.points();
    let mut low_high = Vec::new();
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
        let [low, high]: [(f64, Network); 2] = pair.try_into().expect("two quantiles");
        low_high.push([low, high]);
    }
    Ok(Variants { low_high })
}

/// The outcome's position in the records, its name and unit.
fn outcome_of(
    network: &Network,
    metric: Option<&String>,
) -> Result<(usize, String, String), Failure> {
    let schema = Schema::of(network);
    let names: Vec<String> = metric.into_iter().cloned().collect();
    let position = super::targets::target_positions(network, &schema, &names)?[0].1;
    Ok(match schema.metrics.get(position) {
        Some(k) => (position, key_name(&schema, position), k.unit.clone()),
        None => {
            let k = &schema.breakdown[position - schema.metrics.len()];
            (position, k.metric.to_string(), k.unit.clone())
        }
    })
}

/// The header of a variant's records.
fn variant_header(
    variant: &Network,
    origin: &str,
    seed: u64,
    replications: u64,
    shard: Option<(u64, u64)>,
) -> RecordsHeader {
    RecordsHeader {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: variant.name.clone(),
        origin: origin.to_string(),
        fingerprint: fingerprint(variant, seed),
        seed,
        replications,
        values: Schema::of(variant).len(),
        stopping: String::new(),
        shard: shard.map_or(String::new(), |(i, n)| format!("{i}/{n}")),
        // Not a batch's records: the uncertain values are fixed, not
        // drawn, so a batch's checkpoint of the same scenario is not
        // this one.
        design: "tornado: uncertain values fixed".into(),
    }
}

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
    let (position, metric, unit) = outcome_of(network, args.metric.as_ref())?;
    let seed = args.common.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications.max(2)));
    super::shared::refuse_empty_shard(args.shard, replications)?;
    let out = args.out.clone().unwrap_or_else(|| match args.shard {
        None => PathBuf::from("results").join(format!("tornado-{}", network.name)),
        Some((i, n)) => {
            PathBuf::from("results").join(format!("tornado-{}-shard-{i}-of-{n}", network.name))
        }
    });
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
        &[
            "tornado.csv",
            run_json,
            scenario_copy,
            SHARD_FILE,
            "variants/",
        ],
        scenario_inputs(args.scenario.as_deref()),
    )?;
    let built = variants(&scenario, args.quantiles)?;
    let threads = threads_within_memory(network, args.common.threads, false, args.common.quiet)?;
    let total = 1 + 2 * built.low_high.len();
    // Each of the 2k + 1 scenarios is a batch of its own, checkpointed in
    // variants/<k>/ as it runs: an interrupted tornado keeps them
    // (--resume).
    super::interrupt::expect(
        &out,
        super::interrupt::in_shard(replications, args.shard) * total as u64,
    );
    let mut next_variant = 0usize;
    let mut run = |variant: &Network| -> Result<(RecordsHeader, Vec<Record>), Failure> {
        let header = variant_header(variant, &origin, seed, replications, args.shard);
        let name = format!("{}/{CHECKPOINT}", variant_folder(next_variant));
        next_variant += 1;
        let (done, writer) =
            super::batch::open_checkpoint(&mut folder, &out, &name, GROUP, &header, args.resume)?;
        super::interrupt::kept(done.len() as u64);
        let plan = BatchPlan {
            seed,
            replications,
            shard: args.shard.map(|(index, count)| Shard { index, count }),
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
        Ok((header, records))
    };
    if !args.common.quiet {
        say!(
            "Tornado of {metric} in {} ({origin}): {} uncertain values, {total} scenarios × {replications} replications{}, seed {seed} …",
            network.name,
            built.low_high.len(),
            args.shard
                .map_or(String::new(), |(i, n)| format!(" (shard {i}/{n})"))
        );
    }
    let mut runs = vec![run(network)?];
    for pair in &built.low_high {
        runs.push(run(&pair[0].1)?);
        runs.push(run(&pair[1].1)?);
    }
    // A shard's run.json and the whole tornado's say the same.
    let provenance = super::provenance::provenance(
        "tornado",
        Some(seed),
        vec![super::provenance::scenario(
            &network.name,
            &origin,
            scenario_copy,
            &text,
        )],
        None,
        Stopping::fixed(replications),
    );
    if let Some((i, n)) = args.shard {
        let manifest = ShardManifest {
            name: network.name.clone(),
            origin: origin.clone(),
            metric: args.metric.clone(),
            quantiles: args.quantiles,
            seed,
            replications,
            shard: format!("{i}/{n}"),
        };
        let mut files: Vec<(String, Box<dyn FileBody + '_>)> = Vec::new();
        for (k, (header, records)) in runs.iter().enumerate() {
            files.push((
                format!("{}/records.csv", variant_folder(k)),
                Box::new(Streamed(move |w: &mut dyn Write| {
                    checkpoint::write_records_file(w, header, records)
                })),
            ));
        }
        let mut json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
        json.push(b'\n');
        files.push((SHARD_FILE.into(), Box::new(json)));
        files.push((scenario_copy.into(), Box::new(text.as_bytes().to_vec())));
        files.push((
            run_json.into(),
            Box::new(report::provenance::run_json(None, &provenance)),
        ));
        let named: Vec<(&str, &dyn FileBody)> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_ref() as &dyn FileBody))
            .collect();
        folder.commit(&named, GROUP, Replace::Group)?;
        if !args.common.quiet {
            say!(
                "Shard {i}/{n}: wrote each scenario's records to {}/; put the shards together with `iccsim merge SHARD_FOLDERS... --out FOLDER`",
                out.display()
            );
        }
        return Ok(());
    }
    let outcomes: Vec<Vec<f64>> = runs
        .iter()
        .map(|(_, records)| records.iter().map(|r| r.values[position]).collect())
        .collect();
    write_tornado(
        &mut folder,
        &out,
        &Finished {
            scenario: &scenario,
            built: &built,
            outcomes: &outcomes,
            metric: &metric,
            unit: &unit,
            quantiles: args.quantiles,
            seed,
            replications,
        },
        (run_json, scenario_copy, &text),
        &provenance,
        args.common.quiet,
    )
}

/// A tornado whose every scenario has run.
struct Finished<'a> {
    scenario: &'a Scenario,
    built: &'a Variants,
    /// The outcome in each replication of each variant (the point values
    /// first, then each value's low and high).
    outcomes: &'a [Vec<f64>],
    metric: &'a str,
    unit: &'a str,
    quantiles: (f64, f64),
    seed: u64,
    replications: u64,
}

/// Writes `tornado.csv`, its `run.json` and the scenario, and prints the
/// table: what `tornado` writes when its scenarios have run, and `merge`
/// from the shards of one.
fn write_tornado(
    folder: &mut report::OutputFolder,
    out: &Path,
    done: &Finished,
    (run_json, scenario_copy, text): (&str, &str, &str),
    provenance: &report::provenance::Provenance,
    quiet: bool,
) -> Result<(), Failure> {
    let base = &done.outcomes[0];
    let mut bars = Vec::new();
    for (k, (value, pair)) in done
        .scenario
        .uncertain
        .iter()
        .zip(&done.built.low_high)
        .enumerate()
    {
        bars.push(report::tornado::TornadoBar::new(
            &value.key,
            &value.source,
            (value.point, pair[0].0, pair[1].0),
            base,
            &done.outcomes[1 + 2 * k],
            &done.outcomes[2 + 2 * k],
        ));
    }
    let bars = report::tornado::ranked(bars);
    let info = report::tornado::TornadoInfo {
        scenario: &done.scenario.network.name,
        metric: done.metric,
        unit: done.unit,
        quantiles: done.quantiles,
        seed: done.seed,
        replications: done.replications as usize,
        base: iccsim::stats::Summary::of(base),
    };
    let files = vec![
        ("tornado.csv", report::tornado::tornado_csv(&info, &bars)),
        (run_json, report::provenance::run_json(None, provenance)),
        (scenario_copy, text.as_bytes().to_vec()),
    ];
    folder.commit(&files, GROUP, Replace::Group)?;
    if !quiet {
        print_stdout(&report::tornado::tornado_table(&info, &bars))?;
        say!("Wrote tornado.csv to {}/", out.display());
    }
    Ok(())
}

/// Reads a tornado shard's manifest, if the folder holds one.
pub(super) fn read_shard_manifest(folder: &Path) -> Result<Option<ShardManifest>, Failure> {
    super::shard_merge::read_manifest(folder, SHARD_FILE, "tornado", "tornado")
}

/// `merge` of a tornado's shards: the variants built again from the
/// scenario text the first shard holds, each checked against its records'
/// fingerprint, and `tornado.csv` as one machine writes it.
pub(super) fn merge_tornado(args: &MergeArgs, first: ShardManifest) -> Result<(), Failure> {
    let first_folder = &args.folders[0];
    let text = scenario::read_file(&first_folder.join("scenario.toml"))?;
    let scenario = scenario::load_scenario(&text, &first.origin, &first.name)?;
    let built = variants(&scenario, first.quantiles)?;
    let networks: Vec<&Network> = std::iter::once(&scenario.network)
        .chain(built.low_high.iter().flat_map(|p| [&p[0].1, &p[1].1]))
        .collect();
    let same = |m: &ShardManifest| {
        ShardManifest {
            shard: String::new(),
            ..m.clone()
        } == ShardManifest {
            shard: String::new(),
            ..first.clone()
        }
    };
    let (gathered, had) = super::shard_merge::gather(
        &args.folders,
        &super::shard_merge::ShardParts {
            parts: (0..networks.len()).map(variant_folder).collect(),
            texts: false,
            check_folder: &|folder| match read_shard_manifest(folder)? {
                Some(m) if same(&m) => Ok(()),
                _ => Err(Failure {
                    code: Exit::Scenario,
                    message: format!(
                        "{} is not a shard of the same tornado as {} (scenario, outcome, quantiles, seed or number of replications differ); merge the shards of one tornado only",
                        folder.display(),
                        first_folder.display()
                    ),
                }),
            },
            other_run: &|folder, k, _, _| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{}: scenario {} is of another run than in {}; merge the shards of one tornado only",
                    folder.join(variant_folder(k)).display(),
                    k + 1,
                    first_folder.display()
                ),
            },
            no_records: &|folder, path| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{} has no records ({}): the shard was interrupted; finish it with `iccsim tornado ... --shard i/n --resume`",
                    folder.display(),
                    path.display()
                ),
            },
        },
    )?;
    super::shard_merge::missing(&had, first.replications)?;
    for (g, network) in gathered.iter().zip(&networks) {
        if fingerprint(network, first.seed) != g.header.fingerprint {
            return Err(Failure {
                code: Exit::Scenario,
                message: format!(
                    "{}/scenario.toml is not the scenario the records were made with (or another iccsim build made them); merge the shards' own files",
                    first_folder.display()
                ),
            });
        }
    }
    let (position, metric, unit) = outcome_of(&scenario.network, first.metric.as_ref())?;
    let outcomes: Vec<Vec<f64>> = gathered
        .iter()
        .map(|g| g.records.iter().map(|r| r.values[position]).collect())
        .collect();
    let inputs = args
        .folders
        .iter()
        .flat_map(|f| {
            (0..networks.len())
                .map(move |k| f.join(variant_folder(k)).join("records.csv"))
                .chain([f.join("scenario.toml")])
        })
        .collect();
    let mut folder = open_output(
        &args.out,
        args.force,
        &["tornado.csv", "run.json", "scenario.toml"],
        inputs,
    )?;
    super::shared::refuse_other_results(&folder, "tornado")?;
    let provenance = super::provenance::with_shards(
        super::provenance::provenance(
            "merge",
            Some(first.seed),
            vec![super::provenance::scenario(
                &first.name,
                &first.origin,
                "scenario.toml",
                &text,
            )],
            None,
            Stopping::fixed(first.replications),
        ),
        &args.folders,
    );
    write_tornado(
        &mut folder,
        &args.out,
        &Finished {
            scenario: &scenario,
            built: &built,
            outcomes: &outcomes,
            metric: &metric,
            unit: &unit,
            quantiles: first.quantiles,
            seed: first.seed,
            replications: first.replications,
        },
        ("run.json", "scenario.toml", &text),
        &provenance,
        args.quiet,
    )?;
    if !args.quiet {
        say!(
            "Merged {} replications of {} scenarios from {} folders into {}/",
            first.replications,
            networks.len(),
            args.folders.len(),
            args.out.display()
        );
    }
    Ok(())
}
