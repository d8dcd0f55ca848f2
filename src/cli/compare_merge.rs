//! `iccsim merge` of a comparison's shards (`compare --shard i/n`): each
//! scenario's records put together again, then the files one comparison
//! on one machine would write, byte for byte (`run.json` apart: its
//! provenance names the merge's command line).

use std::path::Path;

use super::args::MergeArgs;
use super::compare_files::{
    COMPARE_FILES, Compared, ShardManifest, comparison_files, folder_for, read_shard_manifest,
};
use super::exit::{Exit, Failure};
use super::shard_merge::ShardParts;
use super::shared::{open_output, refuse_interrupted_batch};
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::{Schema, fingerprint};
use iccsim::model::Network;
use iccsim::report::FileBody;
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::provenance::Stopping;
use iccsim::scenario;

/// Merges the comparison shards in `args.folders`, the first of which
/// holds `first` (its manifest).
pub(super) fn merge_comparison(args: &MergeArgs, first: ShardManifest) -> Result<(), Failure> {
    let names: Vec<String> = std::iter::once(first.baseline.clone())
        .chain(first.scenarios.iter().cloned())
        .collect();
    let parts: Vec<String> = names.iter().map(|n| folder_for(n)).collect();
    let first_folder = &args.folders[0];
    let (mut gathered, had) = super::shard_merge::gather(
        &args.folders,
        &ShardParts {
            parts: parts.clone(),
            texts: true,
            check_folder: &|folder| check_shard(folder, first_folder, &first),
            other_run: &|folder, k, _, _| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{}: the records of `{}` are of another run than in {} (scenario, seed or iccsim build differ); merge shards of one comparison only",
                    folder.display(),
                    names[k],
                    first_folder.display()
                ),
            },
            no_records: &|folder, path| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{} has no records ({}): the shard was interrupted; finish it with `iccsim compare ... --shard i/n --resume`",
                    folder.display(),
                    path.display()
                ),
            },
        },
    )?;
    super::shard_merge::missing(&had, first.replications)?;
    let compressed_shards = super::shard_merge::all_compressed(&args.folders, &parts);
    let mut networks: Vec<Network> = Vec::new();
    for g in &mut gathered {
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
    let provenance = super::provenance::with_shards(
        super::provenance::provenance(
            "merge",
            Some(first.seed),
            compared
                .iter()
                .map(|c| {
                    super::provenance::scenario(
                        &c.network.name,
                        &c.origin,
                        &format!("{}/scenario.toml", folder_for(&c.network.name)),
                        &c.text,
                    )
                })
                .collect(),
            None,
            Stopping::fixed(first.replications),
        ),
        &args.folders,
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

/// Refuses a folder that is not a shard of the comparison whose first
/// shard (in `first_folder`) has the manifest `first`.
fn check_shard(folder: &Path, first_folder: &Path, first: &ShardManifest) -> Result<(), Failure> {
    let manifest = read_shard_manifest(folder)?.ok_or_else(|| Failure {
        code: Exit::Scenario,
        message: format!(
            "{} is not a comparison's shard (no comparison_shard.json), but {} is; merge the shards of one comparison only",
            folder.display(),
            first_folder.display()
        ),
    })?;
    if first.same_comparison(&manifest) {
        return Ok(());
    }
    let differences = first.differences(&manifest);
    Err(Failure {
        code: Exit::Scenario,
        message: format!(
            "{} holds a shard of another comparison than {} ({} differ{}); merge shards of one comparison only",
            folder.display(),
            first_folder.display(),
            differences.join(", "),
            if differences.len() == 1 { "s" } else { "" }
        ),
    })
}
