//! `iccsim sweep`: a grid of values of scenario keys (`--sweep`), or a
//! Latin hypercube (`--design`), every point on the same random streams;
//! each point checkpointed as a batch (`--resume`, `--shard`:
//! `sweep_points`).

use std::path::PathBuf;

use super::args::SweepArgs;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::shared::CHECKPOINT;
use super::shared::{load, open_output, print_stdout, scenario_inputs};
use super::sweep_file;
use super::sweep_points::{self, POINTS};
use iccsim::experiment;
use iccsim::experiment::batch::{BatchPlan, Shard};
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::Schema;
use iccsim::experiment::record::fingerprint;
use iccsim::model::Network;
use iccsim::model::metrics::{self, View};
use iccsim::report;
use iccsim::report::FileBody;
use iccsim::report::checkpoint::RecordsHeader;
use iccsim::report::output_folder::Replace;
use iccsim::report::provenance::{DesignFile, Stopping};
use iccsim::scenario;

/// Every file `sweep` writes: its tables, and what was run (`run.json`
/// with its provenance, the scenario as changed by `--set` and the design
/// file, if any).
pub(super) const SWEEP_FILES: &[&str] = &[
    "sweep.csv",
    "sweep_replications.csv",
    "run.json",
    "scenario.toml",
    "design.toml",
    sweep_points::SHARD_FILE,
    "points/",
];

/// Most grid points a sweep may have.
const MAX_SWEEP_POINTS: usize = 10_000;

/// `KEY=V1,V2,...` into the key and its values.
fn parse_sweep(text: &str) -> Result<(String, Vec<String>), Failure> {
    let usage = |why: &str| Failure {
        code: Exit::Usage,
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
    let parts = scenario::keys::key_parts(key).unwrap_or_default();
    if parts.len() == 2 && parts[0] == "run" && (parts[1] == "seed" || parts[1] == "replications") {
        return Err(Failure {
            code: Exit::Usage,
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

pub(super) fn sweep(args: SweepArgs) -> Result<(), Failure> {
    let usage = |message: String| Failure {
        code: Exit::Usage,
        message,
    };
    let (base, base_origin, base_text) = load(args.scenario.as_deref(), &args.set)?;
    let seed = args.common.seed.unwrap_or(base.network.run.seed);
    let mut design_text = None;
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
            design_text = Some(text.clone());
            let design =
                sweep_file::read(&text, &path.display().to_string()).map_err(|message| {
                    Failure {
                        code: Exit::Scenario,
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
    let out = args.out.clone().unwrap_or_else(|| match args.shard {
        None => PathBuf::from("results").join(format!("sweep-{}", first.name)),
        Some((i, n)) => {
            PathBuf::from("results").join(format!("sweep-{}-shard-{i}-of-{n}", first.name))
        }
    });
    let mut inputs = scenario_inputs(args.scenario.as_deref());
    inputs.extend(args.design.clone());
    let mut folder = open_output(&out, args.common.force, SWEEP_FILES, inputs)?;
    super::shared::refuse_other_results(&folder, "sweep")?;
    for point in &grid[1..] {
        load(args.scenario.as_deref(), &point_settings(point))?;
    }
    let threads = threads_within_memory(&first, args.common.threads, false, args.common.quiet)?;
    sweep_points::refuse_other_sweep(&folder, &out, grid.len(), args.resume)?;
    let shard = args.shard.map(|(index, count)| Shard { index, count });
    super::shared::refuse_empty_shard(args.shard, replications)?;
    super::interrupt::expect(
        &out,
        super::interrupt::in_shard(replications, args.shard) * grid.len() as u64,
    );
    let mut points: Vec<report::sweep::SweepPoint> = Vec::new();
    let mut kept: Vec<sweep_points::PointRecords> = Vec::new();
    for (k, point) in grid.iter().enumerate() {
        let (scenario, origin, text) = load(args.scenario.as_deref(), &point_settings(point))?;
        if !args.common.quiet {
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
        // Each point is a batch of its own, checkpointed as it runs.
        let schema = Schema::of(&scenario.network);
        let header = RecordsHeader {
            iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: scenario.network.name.clone(),
            origin,
            fingerprint: fingerprint(&scenario.network, seed),
            seed,
            replications,
            values: schema.len(),
            stopping: String::new(),
            shard: args
                .shard
                .map_or(String::new(), |(i, n)| format!("{i}/{n}")),
            design: String::new(),
        };
        let name = format!("{}/{CHECKPOINT}", sweep_points::point_folder(k));
        let (done, writer) = super::batch::open_checkpoint(
            &mut folder,
            &out,
            &name,
            sweep_points::GROUP,
            &header,
            args.resume,
        )?;
        super::interrupt::kept(done.len() as u64);
        let plan = BatchPlan {
            seed,
            replications,
            shard,
            threads,
            precision: None,
            design: Design::Plain,
        };
        let mut store = super::batch::Checkpoint::new(writer, args.common.quiet);
        let records = experiment::batch::run_batch(&scenario, &plan, done, &mut store)
            .map_err(|e| Failure {
                code: match e {
                    experiment::BatchError::Simulation(_) => Exit::Simulation,
                    experiment::BatchError::Keep(_) => Exit::Output,
                },
                message: format!(
                    "point {}: {e}\nEvery replication finished before this is kept in {}/{POINTS}/; fix the cause and run again with --resume.",
                    k + 1,
                    out.display()
                ),
            })?
            .records;
        // Points share one schema unless a swept value changes the outputs.
        let schema = match points.last() {
            Some(previous) if *previous.schema == schema => previous.schema.clone(),
            _ => std::sync::Arc::new(schema),
        };
        if args.shard.is_some() {
            kept.push(sweep_points::PointRecords {
                header,
                text,
                records: records.clone(),
            });
        }
        points.push(report::sweep::SweepPoint {
            values: point.clone(),
            schema,
            records,
        });
    }
    let provenance = super::provenance::provenance(
        "sweep",
        Some(seed),
        vec![super::provenance::scenario(
            &base.network.name,
            &base_origin,
            "scenario.toml",
            &base_text,
        )],
        args.design.as_ref().map(|path| DesignFile {
            origin: path.display().to_string(),
            copy: "design.toml".into(),
        }),
        Stopping::fixed(replications),
    );
    let mut files = vec![
        (
            "sweep.csv",
            report::sweep::sweep_csv(&first.name, &keys, &points),
        ),
        (
            "sweep_replications.csv",
            report::sweep::sweep_replications_csv(&first.name, &keys, &points),
        ),
        ("run.json", report::provenance::run_json(None, &provenance)),
        ("scenario.toml", base_text.into_bytes()),
    ];
    if let Some(text) = &design_text {
        files.push(("design.toml", text.clone().into_bytes()));
    }
    if let Some((i, n)) = args.shard {
        let manifest = sweep_points::ShardManifest {
            name: first.name.clone(),
            keys: keys.clone(),
            grid: grid.clone(),
            seed,
            replications,
            shard: format!("{i}/{n}"),
        };
        let run_json = files
            .iter()
            .find(|(n, _)| *n == "run.json")
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        let shard_files = sweep_points::shard_files(&kept, &manifest, run_json);
        let named: Vec<(&str, &dyn FileBody)> = shard_files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_ref() as &dyn FileBody))
            .collect();
        folder.commit(&named, sweep_points::GROUP, Replace::Group)?;
        if !args.common.quiet {
            say!(
                "Shard {i}/{n}: wrote each point's records to {}/; put the shards together with `iccsim merge SHARD_FOLDERS... --out FOLDER`",
                out.display()
            );
        }
        return Ok(());
    }
    folder.commit(&files, sweep_points::GROUP, Replace::Group)?;
    if !args.common.quiet {
        print_stdout(&sweep_table(&first, &keys, &points))?;
        say!(
            "Wrote sweep.csv, sweep_replications.csv and run.json to {}/",
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
        Some(_) => metrics::whole_system_headlines(View::Sweep)
            .into_iter()
            .map(str::to_string)
            .collect(),
        None => network
            .services
            .iter()
            .flat_map(|s| {
                metrics::service_headlines(View::Sweep)
                    .into_iter()
                    .map(move |m| format!("{}.{m}", s.name))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_split_at_top_level_commas_only() {
        assert_eq!(
            split_top_level(r#"1,[2,3],{ a = 1, b = "x,y" },'p,q'"#),
            vec!["1", "[2,3]", r#"{ a = 1, b = "x,y" }"#, "'p,q'"]
        );
        assert_eq!(split_top_level(""), vec![""]);
    }

    #[test]
    fn a_sweep_is_a_key_and_its_values() {
        let (key, values) = parse_sweep("services.acute.capacity=250, 270,")
            .ok()
            .unwrap();
        assert_eq!(key, "services.acute.capacity");
        assert_eq!(values, vec!["250", "270"]);
        let no_values = parse_sweep("a.b=").err().unwrap();
        assert_eq!(no_values.code, Exit::Usage);
        let seed = parse_sweep("run.seed=1,2").err().unwrap();
        assert!(
            seed.message
                .starts_with("--sweep run.seed: every point uses the same seed")
        );
    }
}
