//! `iccsim merge`: the shards of one batch (`batch --shard i/n`) combined
//! into the files one batch on one machine would write; those of a
//! comparison (`compare --shard i/n`) go to `compare_merge`, those of a
//! sweep to `sweep_points` and those of a tornado to `tornado`; the loop
//! that reads them all is `shard_merge`.

use super::args::MergeArgs;
use super::exit::{Exit, Failure};
use super::records::{BatchRun, batch_table, write_chosen_batch_files};
use super::shared::{
    CHECKPOINT, OUTPUT_FILES, open_output, print_stdout, refuse_interrupted_batch,
};
use iccsim::experiment::record::{Schema, fingerprint};
use iccsim::scenario;

pub(super) fn merge(args: MergeArgs) -> Result<(), Failure> {
    // The shards of a comparison are merged as one.
    if let Some(first) = args
        .folders
        .first()
        .map(|f| super::compare_files::read_shard_manifest(f))
        .transpose()?
        .flatten()
    {
        return super::compare_merge::merge_comparison(&args, first);
    }
    if let Some(first) = args
        .folders
        .first()
        .map(|f| super::sweep_points::read_shard_manifest(f))
        .transpose()?
        .flatten()
    {
        return super::sweep_points::merge_sweep(&args, first);
    }
    if let Some(first) = args
        .folders
        .first()
        .map(|f| super::tornado::read_shard_manifest(f))
        .transpose()?
        .flatten()
    {
        return super::tornado::merge_tornado(&args, first);
    }
    let first_folder = args.folders[0].clone();
    let (gathered, had) = super::shard_merge::gather(
        &args.folders,
        &super::shard_merge::ShardParts {
            parts: vec![String::new()],
            texts: true,
            check_folder: &|_| Ok(()),
            other_run: &|folder, _, first, this| Failure {
                code: Exit::Scenario,
                message: format!(
                    "{} holds records of another batch than {} ({}scenario, seed, number of replications, design (--outer/--inner) or iccsim build differ); merge shards of one batch only",
                    folder.display(),
                    first_folder.display(),
                    if first.design == this.design {
                        String::new()
                    } else {
                        format!(
                            "its design is {}, the first's {}: ",
                            super::nested::design_words(&this.design),
                            super::nested::design_words(&first.design)
                        )
                    }
                ),
            },
            no_records: &|folder, _| {
                let hint = if folder.join(CHECKPOINT).exists() {
                    "the batch there was interrupted: finish it with `iccsim batch ... --resume`"
                } else {
                    "run `iccsim batch ... --shard i/n --out FOLDER` first"
                };
                Failure {
                    code: Exit::Scenario,
                    message: format!("{} has no records.csv: {hint}", folder.display()),
                }
            },
        },
    )?;
    let Some(super::shard_merge::Gathered {
        header,
        text,
        records,
    }) = gathered.into_iter().next()
    else {
        unreachable!("one part gathered");
    };
    let network = scenario::load_str(&text, &header.origin, &header.scenario)?;
    if fingerprint(&network, header.seed) != header.fingerprint {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!(
                "{}/scenario.toml is not the scenario the records were made with (or another iccsim build made them); merge the shards' own files",
                args.folders[0].display()
            ),
        });
    }
    // A fixed batch needs all its replications; one that stopped on a
    // precision target needs the unbroken run 0..n it stopped at.
    let expected = if header.stopping.is_empty() {
        header.replications
    } else {
        records.last().map_or(0, |r| r.replication + 1)
    };
    super::shard_merge::missing(&had, expected)?;
    let schema = Schema::of(&network);
    // Each shard's files are inputs: merging into a shard's own folder
    // would write over the records it reads.
    let inputs = args
        .folders
        .iter()
        .flat_map(|f| {
            [
                f.join("records.csv"),
                f.join("records.csv.gz"),
                f.join("scenario.toml"),
            ]
        })
        .collect();
    let mut folder = open_output(&args.out, args.force, OUTPUT_FILES, inputs)?;
    super::shared::refuse_other_results(&folder, "batch")?;
    refuse_interrupted_batch(&folder)?;
    let provenance = super::provenance::with_shards(
        super::provenance::provenance(
            "merge",
            Some(header.seed),
            vec![super::provenance::scenario(
                &header.scenario,
                &header.origin,
                "scenario.toml",
                &text,
            )],
            None,
            iccsim::report::provenance::Stopping::fixed(records.len() as u64),
        ),
        &args.folders,
    );
    // Shards written with --compress are merged as they were written.
    let compress =
        args.compress || super::shard_merge::all_compressed(&args.folders, &[String::new()]);
    write_chosen_batch_files(
        &mut folder,
        &network,
        &header,
        &schema,
        &records,
        &BatchRun {
            text: &text,
            provenance: &provenance,
            choice: &iccsim::report::outputs::OutputChoice {
                compress,
                ..Default::default()
            },
        },
    )?;
    if !args.quiet {
        print_stdout(&format!(
            "{}\n",
            batch_table(&network, &header, &schema, &records)
        ))?;
        say!(
            "Merged {} replications from {} folders into {}/",
            records.len(),
            args.folders.len(),
            args.out.display()
        );
    }
    Ok(())
}
