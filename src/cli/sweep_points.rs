//! A sweep's points as batches: each point's replications are
//! checkpointed as `batch` does (`points/<k>/records.partial`), so an
//! interrupted sweep keeps them (`--resume`), and a sweep may be split
//! over machines (`--shard i/n`: replications r ≡ i − 1 mod n of every
//! point), each shard's records put together again by `merge` into the
//! files one sweep on one machine would write (`run.json` apart).

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::args::MergeArgs;
use super::compare_files::Files;
use super::exit::{Exit, Failure};
use super::shared::{CHECKPOINT, open_output};
use iccsim::experiment::record::{Record, Schema, fingerprint};
use iccsim::report::checkpoint::{self, RecordsHeader};
use iccsim::report::output_folder::Replace;
use iccsim::report::provenance::Stopping;
use iccsim::report::{self, OutputFolder, Streamed};
use iccsim::scenario;

/// What a shard of a sweep writes beside its points' records.
pub(super) const SHARD_FILE: &str = "sweep_shard.json";
/// The folder of every point's checkpoint and (in a shard) records.
pub(super) const POINTS: &str = "points";
/// The group of a sweep's files in its folder.
pub(super) const GROUP: &str = "sweep";

/// The folder of point `k` (from 0): numbered from 1.
pub(super) fn point_folder(k: usize) -> String {
    format!("{POINTS}/{:04}", k + 1)
}

/// What `merge` needs of a sweep's shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ShardManifest {
    /// The swept scenario's name (of the first point).
    pub(super) name: String,
    pub(super) keys: Vec<String>,
    pub(super) grid: Vec<Vec<String>>,
    pub(super) seed: u64,
    pub(super) replications: u64,
    /// `i/n`.
    pub(super) shard: String,
}

/// Refuses to start over an interrupted sweep without `--resume`, or to
/// resume one of other points.
pub(super) fn refuse_other_sweep(
    folder: &OutputFolder,
    out: &Path,
    points: usize,
    resume: bool,
) -> Result<(), Failure> {
    let found: Vec<String> = std::fs::read_dir(out.join(POINTS))
        .map(|entries| {
            let mut v: Vec<String> = entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| folder.has_working_file(&format!("{POINTS}/{n}/{CHECKPOINT}")))
                .collect();
            v.sort();
            v
        })
        .unwrap_or_default();
    if found.is_empty() {
        return Ok(());
    }
    if !resume {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "{} holds an interrupted sweep ({} of its points started); add --resume to finish it, or remove its {POINTS}/*/{CHECKPOINT} files (their finished replications are lost) or choose another --out",
                out.display(),
                found.len()
            ),
        });
    }
    let wanted: Vec<String> = (0..points)
        .map(|k| point_folder(k)[POINTS.len() + 1..].to_string())
        .collect();
    // Points are checkpointed as they start: an interrupted sweep has the
    // first few, each checked against its point's identity when opened.
    if let Some(beyond) = found.iter().find(|f| !wanted.contains(f)) {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "{} holds an interrupted sweep with a point {beyond}, but this one has {points} points; resume with the same sweep, or choose another --out",
                out.display()
            ),
        });
    }
    Ok(())
}

/// One point's records and what they were made with.
pub(super) struct PointRecords {
    pub(super) header: RecordsHeader,
    pub(super) text: String,
    pub(super) records: Vec<Record>,
}

/// A shard's files: each point's records and text, the manifest and
/// `run.json`.
pub(super) fn shard_files<'a>(
    points: &'a [PointRecords],
    manifest: &ShardManifest,
    run_json: Vec<u8>,
) -> Files<'a> {
    let mut files: Files<'a> = Vec::new();
    for (k, p) in points.iter().enumerate() {
        let folder = point_folder(k);
        files.push((
            format!("{folder}/scenario.toml"),
            Box::new(p.text.as_bytes().to_vec()),
        ));
        files.push((
            format!("{folder}/records.csv"),
            Box::new(Streamed(|w: &mut dyn Write| {
                checkpoint::write_records_file(w, &p.header, &p.records)
            })),
        ));
    }
    let mut json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    json.push(b'\n');
    files.push((SHARD_FILE.into(), Box::new(json)));
    files.push(("run.json".into(), Box::new(run_json)));
    files
}

/// Reads a sweep shard's manifest, if the folder holds one.
pub(super) fn read_shard_manifest(folder: &Path) -> Result<Option<ShardManifest>, Failure> {
    super::shard_merge::read_manifest(folder, SHARD_FILE, "sweep", "sweep")
}

/// `merge` of a sweep's shards: sweep.csv and sweep_replications.csv as
/// one sweep on one machine writes them.
pub(super) fn merge_sweep(args: &MergeArgs, first: ShardManifest) -> Result<(), Failure> {
    let same = |m: &ShardManifest| {
        ShardManifest {
            shard: String::new(),
            ..m.clone()
        } == ShardManifest {
            shard: String::new(),
            ..first.clone()
        }
    };
    let n = first.grid.len();
    let parts: Vec<String> = (0..n).map(point_folder).collect();
    let first_folder = &args.folders[0];
    let (points, had) = super::shard_merge::gather(
        &args.folders,
        &super::shard_merge::ShardParts {
            parts,
            texts: true,
            check_folder: &|folder| match read_shard_manifest(folder)? {
                Some(m) if same(&m) => Ok(()),
                _ => Err(Failure {
                    code: Exit::Scenario,
                    message: format!(
                        "{} is not a shard of the same sweep as {} (scenario, swept values, seed or number of replications differ); merge the shards of one sweep only",
                        folder.display(),
                        first_folder.display()
                    ),
                }),
            },
            other_run: &|folder, k, _, _| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{}: point {} is of another run than in {}; merge the shards of one sweep only",
                    folder.join(point_folder(k)).display(),
                    k + 1,
                    first_folder.display()
                ),
            },
            no_records: &|folder, path| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{} has no records ({}): the shard was interrupted; finish it with `iccsim sweep ... --shard i/n --resume`",
                    folder.display(),
                    path.display()
                ),
            },
        },
    )?;
    super::shard_merge::missing(&had, first.replications)?;
    let mut swept = Vec::new();
    for (point, values) in points.into_iter().zip(&first.grid) {
        let mut network =
            scenario::load_str(&point.text, &point.header.origin, &point.header.scenario)?;
        network.name = point.header.scenario.clone();
        if fingerprint(&network, point.header.seed) != point.header.fingerprint {
            return Err(Failure {
                code: Exit::Scenario,
                message: format!(
                    "a point's scenario.toml is not the scenario its records were made with (or another iccsim build made them): {}",
                    point.header.scenario
                ),
            });
        }
        let records = point.records;
        let schema = Schema::of(&network);
        let schema = match swept.last() {
            Some(report::sweep::SweepPoint {
                schema: previous, ..
            }) if **previous == schema => previous.clone(),
            _ => std::sync::Arc::new(schema),
        };
        swept.push(report::sweep::SweepPoint {
            values: values.clone(),
            schema,
            records,
        });
    }
    let provenance = super::provenance::with_shards(
        super::provenance::provenance(
            "merge",
            Some(first.seed),
            Vec::new(),
            None,
            Stopping::fixed(first.replications),
        ),
        &args.folders,
    );
    let inputs = args
        .folders
        .iter()
        .flat_map(|f| (0..n).map(move |k| f.join(point_folder(k)).join("records.csv")))
        .collect();
    let mut folder = open_output(&args.out, args.force, super::sweep::SWEEP_FILES, inputs)?;
    super::shared::refuse_other_results(&folder, "sweep")?;
    let files = vec![
        (
            "sweep.csv",
            report::sweep::sweep_csv(&first.name, &first.keys, &swept),
        ),
        (
            "sweep_replications.csv",
            report::sweep::sweep_replications_csv(&first.name, &first.keys, &swept),
        ),
        ("run.json", report::provenance::run_json(None, &provenance)),
    ];
    folder.commit(&files, GROUP, Replace::Group)?;
    if !args.quiet {
        say!(
            "Merged {} replications of {n} points from {} folders into {}/",
            first.replications,
            args.folders.len(),
            args.out.display()
        );
    }
    Ok(())
}
