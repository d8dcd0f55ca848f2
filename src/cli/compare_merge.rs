//! `iccsim merge` of a comparison's shards (`compare --shard i/n`): each
//! scenario's records put together again, then the files one comparison
//! on one machine would write, byte for byte (`run.json` apart: its
//! provenance names the merge's command line).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::args::MergeArgs;
use super::compare_files::{
    COMPARE_FILES, Compared, ShardManifest, comparison_files, folder_for, read_shard_manifest,
};
use super::exit::{Exit, Failure};
use super::shared::{open_output, records_failure, refuse_interrupted_batch};
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::{Record, Schema, fingerprint};
use iccsim::model::Network;
use iccsim::report::FileBody;
use iccsim::report::checkpoint::{self, RecordsHeader};
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::provenance::Stopping;
use iccsim::scenario;

/// One scenario's records from every shard, with its text and header.
struct Gathered {
    header: RecordsHeader,
    text: String,
    records: Vec<Record>,
}

/// Merges the comparison shards in `args.folders`, the first of which
/// holds `first` (its manifest).
pub(super) fn merge_comparison(args: &MergeArgs, first: ShardManifest) -> Result<(), Failure> {
    let names: Vec<String> = std::iter::once(first.baseline.clone())
        .chain(first.scenarios.iter().cloned())
        .collect();
    let mut gathered: Vec<Option<Gathered>> = names.iter().map(|_| None).collect();
    let mut origin_of: Vec<HashMap<u64, &PathBuf>> = names.iter().map(|_| HashMap::new()).collect();
    for folder in &args.folders {
        let manifest = read_shard_manifest(folder)?.ok_or_else(|| Failure {
            code: Exit::Scenario,
            message: format!(
                "{} is not a comparison's shard (no comparison_shard.json), but {} is; merge the shards of one comparison only",
                folder.display(),
                args.folders[0].display()
            ),
        })?;
        if !first.same_comparison(&manifest) {
            return Err(Failure {
                code: Exit::Scenario,
                message: format!(
                    "{} holds a shard of another comparison than {} ({} differ{}); merge shards of one comparison only",
                    folder.display(),
                    args.folders[0].display(),
                    first.differences(&manifest).join(", "),
                    if first.differences(&manifest).len() == 1 {
                        "s"
                    } else {
                        ""
                    }
                ),
            });
        }
        for (k, name) in names.iter().enumerate() {
            let read = read_scenario(folder, name)?;
            match &gathered[k] {
                None => {
                    gathered[k] = Some(Gathered {
                        header: read.header.clone(),
                        text: scenario::read_file(
                            &folder.join(folder_for(name)).join("scenario.toml"),
                        )?,
                        records: Vec::new(),
                    });
                }
                Some(g) if !g.header.same_batch(&read.header) => {
                    return Err(Failure {
                        code: Exit::Scenario,
                        message: format!(
                            "{}: the records of `{name}` are of another run than in {} (scenario, seed or iccsim build differ); merge shards of one comparison only",
                            folder.display(),
                            args.folders[0].display()
                        ),
                    });
                }
                Some(_) => {}
            }
            let g = gathered[k].as_mut().expect("gathered above");
            for record in read.records {
                if let Some(earlier) = origin_of[k].insert(record.replication, folder) {
                    return Err(super::shared::replication_twice(
                        record.replication,
                        earlier,
                        folder,
                    ));
                }
                g.records.push(record);
            }
        }
    }
    let compressed_shards = args.folders.iter().all(|f| {
        names.iter().all(|n| {
            let scenario = f.join(folder_for(n));
            !scenario.join("records.csv").exists() && scenario.join("records.csv.gz").exists()
        })
    });
    let mut gathered: Vec<Gathered> = gathered.into_iter().flatten().collect();
    let missing: Vec<u64> = (0..first.replications)
        .filter(|r| !origin_of[0].contains_key(r))
        .collect();
    if !missing.is_empty() {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "{} of {} replications are missing (first: {:?}); add the folders of the other shards",
                missing.len(),
                first.replications,
                &missing[..missing.len().min(5)]
            ),
        });
    }
    let mut networks: Vec<Network> = Vec::new();
    for g in &mut gathered {
        g.header.shard = String::new();
        g.records.sort_by_key(|r| r.replication);
        let mut network = scenario::load_str(&g.text, &g.header.origin, &g.header.scenario)?;
        // A compared scenario may have been renamed apart (`-changed`, `-2`).
        network.name = g.header.scenario.clone();
        if fingerprint(&network, g.header.seed) != g.header.fingerprint {
            return Err(Failure {
                code: Exit::Scenario,
                message: format!(
                    "{}/scenario.toml is not the scenario `{}`'s records were made with (or another iccsim build made them); merge the shards' own files",
                    folder_for(&g.header.scenario),
                    g.header.scenario
                ),
            });
        }
        networks.push(network);
    }
    let compared: Vec<Compared> = gathered
        .into_iter()
        .zip(&networks)
        .map(|(g, network)| Compared {
            network,
            origin: g.header.origin.clone(),
            schema: Schema::of(network),
            text: g.text,
            header: g.header,
            records: g.records,
        })
        .collect();
    let inputs = args
        .folders
        .iter()
        .flat_map(|f| {
            names.iter().flat_map(move |n| {
                [
                    f.join(folder_for(n)).join("records.csv"),
                    f.join(folder_for(n)).join("records.csv.gz"),
                    f.join(folder_for(n)).join("scenario.toml"),
                ]
            })
        })
        .collect();
    let mut folder = open_output(&args.out, args.force, COMPARE_FILES, inputs)?;
    super::shared::refuse_other_results(&folder, "compare")?;
    refuse_interrupted_batch(&folder)?;
    let provenance = super::provenance::provenance(
        "merge",
        Some(first.seed),
        compared
            .iter()
            .map(|c| {
                super::provenance::scenario(
                    &c.network.name,
                    &c.origin,
                    &format!("{}/scenario.toml", folder_for(&c.network.name)),
                )
            })
            .collect(),
        None,
        Stopping::fixed(first.replications),
    );
    // Shards written with --compress are merged as they were written.
    let mut choice = super::chosen_outputs::choice(first.outputs.as_deref(), args.compress, false)?;
    choice.compress |= compressed_shards;
    let (base, alternatives) = compared.split_first().expect("a comparison has a baseline");
    let (files, _) = comparison_files(
        base,
        alternatives,
        (&first.set, &first.set_all),
        Design::Plain,
        None,
        &provenance,
        first.paired_age_bands,
        &choice,
    );
    let named: Vec<(&str, &dyn FileBody)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_ref() as &dyn FileBody))
        .collect();
    folder.commit(&named, RESULTS, Replace::Results)?;
    if !args.quiet {
        say!(
            "Merged {} replications of {} scenarios from {} folders into {}/",
            first.replications,
            names.len(),
            args.folders.len(),
            args.out.display()
        );
    }
    Ok(())
}

/// A scenario's records in a shard's folder.
fn read_scenario(folder: &Path, name: &str) -> Result<checkpoint::RecordsRead, Failure> {
    let path = checkpoint::records_file(&folder.join(folder_for(name)));
    if !path.exists() {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "{} has no records of `{name}` ({}): the shard was interrupted; finish it with `iccsim compare ... --shard i/n --resume`",
                folder.display(),
                path.display()
            ),
        });
    }
    checkpoint::read_records(&path).map_err(records_failure)
}
