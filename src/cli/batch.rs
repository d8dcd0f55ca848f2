//! `iccsim batch`: many replications, checkpointed in `records.partial` as
//! they finish, resumable, shardable, or run until a precision target is
//! met. The rounds are the library's ([`iccsim::experiment::batch`]); this
//! file opens the checkpoint, keeps records in it and reports.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use super::args::BatchArgs;
use super::exit::{Exit, Failure};
use super::memory::threads_within_memory;
use super::records::{BatchRun, batch_table, write_chosen_batch_files};
use super::report::write_default_report;
use super::shared::{
    CHECKPOINT, OUTPUT_FILES, load, open_output, print_stdout, records_failure, replications_bar,
    scenario_inputs, with_case,
};
use iccsim::experiment::batch::{BatchOutcome, BatchPlan, BatchStore, Shard};
use iccsim::experiment::precision::{Precision, Scale};
use iccsim::experiment::record::{Record, Schema, fingerprint};
use iccsim::experiment::{self};
use iccsim::report;
use iccsim::report::OutputFolder;
use iccsim::report::checkpoint::{self, CheckpointWriter, RecordsHeader};
use iccsim::report::output_folder::RESULTS;
use iccsim::report::provenance::Stopping;

pub(super) fn batch(args: BatchArgs) -> Result<(), Failure> {
    let settings = with_case(&args.set, args.at_quantile.as_deref())?;
    let (scenario, origin, text) = load(args.scenario.as_deref(), &settings)?;
    let network = &scenario.network;
    let seed = args.common.seed.unwrap_or(network.run.seed);
    let design = args.nested.design(args.replications)?;
    super::case_checks::refuse_case_with_nested(args.at_quantile.as_deref(), design)?;
    super::nested::refuse_without_uncertainty(design, scenario.uncertain.len(), &network.name)?;
    super::case_checks::refuse_case_without_uncertainty(
        args.at_quantile.as_deref(),
        &[(&network.name, scenario.uncertain.len())],
    )?;
    let mut choice =
        super::chosen_outputs::choice(args.outputs.as_deref(), args.compress, args.report)?;
    let replications = design.nested().map_or_else(
        || u64::from(args.replications.unwrap_or(network.run.replications)),
        |n| n.replications(),
    );
    // Shards get folders of their own by default, to be merged.
    let out = args.out.clone().unwrap_or_else(|| match args.shard {
        None => PathBuf::from("results").join(&network.name),
        Some((i, n)) => PathBuf::from("results").join(format!("{}-shard-{i}-of-{n}", network.name)),
    });
    let mut folder = open_output(
        &out,
        args.common.force,
        OUTPUT_FILES,
        scenario_inputs(args.scenario.as_deref()),
    )?;
    super::shared::refuse_other_results(&folder, "batch")?;
    // `--resume` keeps a finished batch as it is: one written with
    // --compress stays compressed (its records are records.csv.gz).
    if args.resume && !out.join("records.csv").exists() && out.join("records.csv.gz").exists() {
        choice.compress = true;
    }
    let schema = Schema::of(network);
    let mut target_names = Vec::new();
    let precision = match args.target.target_half_width {
        None => None,
        Some(target) => {
            if design.nested().is_some() {
                return Err(Failure {
                    code: Exit::Usage,
                    message: "--target-half-width adds replications as it goes; a nested design (--outer, --inner) has a fixed N·M: give one or the other".into(),
                });
            }
            if args.shard.is_some() {
                return Err(Failure {
                    code: Exit::Usage,
                    message: "--target-half-width decides the number of replications as it goes; it cannot be split into --shard runs (run it on one machine, or shard a fixed number)".into(),
                });
            }
            let scale = args.target.scale(Scale::Relative)?;
            let (names, keys) =
                super::targets::target_positions(network, &schema, &args.target.target_metric)?
                    .into_iter()
                    .unzip();
            target_names = names;
            Some(Precision {
                keys,
                relative_half_width: target,
                max_replications: u64::from(args.target.max_replications).max(replications),
                scale,
            })
        }
    };
    // Its worker threads are chosen once it is known what is left to do.
    super::shared::refuse_empty_shard(args.shard, replications)?;
    let mut plan = BatchPlan {
        seed,
        replications,
        shard: args.shard.map(|(index, count)| Shard { index, count }),
        threads: None,
        precision,
        design,
    };
    let header = RecordsHeader {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: network.name.clone(),
        origin: origin.clone(),
        fingerprint: fingerprint(network, seed),
        seed,
        // With a precision target, the cap: how many there may be.
        replications: plan.cap(),
        values: schema.len(),
        stopping: plan.precision.as_ref().map_or(String::new(), |p| {
            // As before for a relative target, so that older checkpoints
            // still resume.
            let scale = if p.scale == Scale::Absolute {
                "absolute"
            } else {
                "relative"
            };
            format!(
                "{scale} half-width {} of positions {:?}, from {replications}",
                p.relative_half_width, p.keys
            )
        }),
        shard: args
            .shard
            .map_or(String::new(), |(i, n)| format!("{i}/{n}")),
        design: design.label(),
    };
    let wanted = plan.wanted();
    // The event log's replications (checked before the work).
    let logged = args
        .event_log
        .chosen(&wanted, &wanted[..wanted.len().min(1)])?;

    // Resume what an interrupted batch left, or start afresh.
    let partial = out.join(CHECKPOINT);
    let (done, writer) =
        open_checkpoint(&mut folder, &out, CHECKPOINT, RESULTS, &header, args.resume)?;
    let done = plan.usable(done);
    if !args.common.quiet
        && !args.compress
        && args.outputs.is_none()
        && let Some(note) = size_note(network, schema.len(), wanted.len() as u64)
    {
        say!("{note}");
    }
    super::interrupt::expect(&out, wanted.len() as u64);
    super::interrupt::kept(done.len() as u64);
    if !args.common.quiet {
        say!(
            "Batch {} ({}): {} replication{}{}{}, seed {} …",
            network.name,
            origin,
            wanted.len(),
            if wanted.len() == 1 { "" } else { "s" },
            if plan.precision.is_some() {
                " to start with"
            } else {
                ""
            },
            if done.is_empty() {
                String::new()
            } else {
                format!(" ({} already done)", done.len())
            },
            seed
        );
    }
    plan.threads = threads_within_memory(network, args.common.threads, false, args.common.quiet)?;
    let mut store = Checkpoint::new(writer, args.common.quiet);
    let started = Instant::now();
    let BatchOutcome { records, ran } = experiment::batch::run_batch(&scenario, &plan, done, &mut store)
        .map_err(|e| Failure {
            code: match e {
                experiment::BatchError::Simulation(_) => Exit::Simulation,
                experiment::BatchError::Keep(_) => Exit::Output,
            },
            message: format!(
                "{e}\nEvery replication finished before this is kept in {}; fix the cause and run again with --resume.",
                partial.display()
            ),
        })?;
    let elapsed = started.elapsed().as_secs_f64();

    // The finished records are in records.csv now: the commit replaces the
    // checkpoint with them, along with any earlier results and reports.
    let (stopping, missed) = match &plan.precision {
        Some(rule) => super::targets::reached(rule, &target_names, &records),
        None => (Stopping::fixed(records.len() as u64), None),
    };
    let provenance = super::provenance::provenance(
        "batch",
        Some(seed),
        vec![super::provenance::scenario(
            &network.name,
            &origin,
            "scenario.toml",
            &text,
        )],
        None,
        stopping,
    );
    let written = write_chosen_batch_files(
        &mut folder,
        network,
        &header,
        &schema,
        &records,
        &BatchRun {
            text: &text,
            provenance: &provenance,
            choice: &choice,
        },
    )?;
    if !args.common.quiet {
        print_stdout(&format!(
            "{}\n",
            batch_table(network, &header, &schema, &records)
        ))?;
        if let Some(rule) = &plan.precision {
            print_stdout(&precision_table(&schema, rule, &records))?;
        }
        if let Some(table) = super::nested::split_table(design, network, &schema, &records) {
            print_stdout(&table)?;
        }
        say!(
            "Ran {ran} replications in {elapsed:.2} s. Wrote {written} files to {}/",
            out.display()
        );
    }
    if choice.has(iccsim::report::outputs::Output::StockFlow) {
        // Those the records hold (a precision target may have added some).
        let mut ran: Vec<u64> = records.iter().map(|r| r.replication).collect();
        ran.sort_unstable();
        super::stock_flow::write_stock_flow(&mut folder, &scenario, seed, design, &ran, &choice)?;
        if !args.common.quiet {
            say!(
                "Wrote {} and {}: moves and stocks by month and year of {} replications",
                choice.file_name(iccsim::report::stock_flow::FLOWS_FILE),
                choice.file_name(iccsim::report::stock_flow::STOCKS_FILE),
                ran.len()
            );
        }
    }
    if !logged.is_empty() {
        let (rows, name) = super::event_log::write_event_log(
            &mut folder,
            &scenario,
            seed,
            design,
            &logged,
            choice.compress,
        )?;
        if !args.common.quiet {
            say!(
                "Wrote {name}: {rows} events of replication{} {}",
                if logged.len() == 1 { "" } else { "s" },
                logged
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if args.report {
        write_default_report(&mut folder, &args.drawing, args.common.quiet)?;
    }
    missed.map_or(Ok(()), Err)
}

/// Opens the checkpoint `name` (relative: `records.partial`, or a
/// comparison's `scenarios/<name>/records.partial`), a working file of
/// the folder's `group`, of the batch `header`
/// describes in `folder` (at `out`), with the records already done: those
/// an interrupted batch left there (with `resume`), or those of the same
/// batch finished before (`--resume` on a finished batch: `records.csv`
/// beside it), copied into a new checkpoint; or none, in a new, empty one.
pub(super) fn open_checkpoint(
    folder: &mut OutputFolder,
    out: &Path,
    name: &str,
    group: &str,
    header: &RecordsHeader,
    resume: bool,
) -> Result<(Vec<Record>, CheckpointWriter), Failure> {
    let partial = out.join(name);
    if partial.exists() {
        if !resume {
            return Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "{} holds an interrupted batch ({}); add --resume to finish it, or remove that file (its finished replications are lost) or choose another --out",
                    out.display(),
                    partial.display()
                ),
            });
        }
        let read = checkpoint::read_records(&partial).map_err(records_failure)?;
        if !header.same_run(&read.header) {
            return Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "{} was written by another batch ({}scenario, seed, number of replications, shard, design (--outer/--inner) or iccsim build differ: it has {} replications of `{}`, seed {}{}, {}); resume with the same scenario and options, or choose another --out",
                    partial.display(),
                    if read.header.design == header.design {
                        String::new()
                    } else {
                        format!(
                            "its design is {}, this batch's {}: ",
                            super::nested::design_words(&read.header.design),
                            super::nested::design_words(&header.design)
                        )
                    },
                    read.header.replications,
                    read.header.scenario,
                    read.header.seed,
                    if read.header.shard.is_empty() {
                        String::new()
                    } else {
                        format!(", shard {}", read.header.shard)
                    },
                    super::nested::design_words(&read.header.design)
                ),
            });
        }
        let writer =
            CheckpointWriter::reopen(&partial, read.complete_bytes).map_err(|e| Failure {
                code: Exit::Output,
                message: e.to_string(),
            })?;
        Ok((read.records, writer))
    } else {
        // `--resume` on a batch that already finished keeps its records
        // (a resubmitted shard, a rerun script) instead of running it again.
        // Beside the checkpoint (a comparison's is in its scenario's
        // folder), plain or compressed (`--compress`).
        let finished = checkpoint::records_file(partial.parent().unwrap_or(out));
        let done = match checkpoint::read_records(&finished) {
            Ok(read) if resume && header.same_run(&read.header) => read.records,
            Ok(_) if resume => {
                return Err(Failure {
                    code: Exit::Usage,
                    message: format!(
                        "{} holds a finished batch of another run (scenario, seed, number of replications, shard, design (--outer/--inner) or iccsim build differ); --resume only finishes the same batch: choose another --out, or leave out --resume to replace it",
                        out.display()
                    ),
                });
            }
            // A damaged record file is not started afresh under --resume.
            Err(e) if resume && finished.exists() => return Err(records_failure(e)),
            _ => Vec::new(),
        };
        // Claimed before it exists, so a later --resume knows it is ours.
        folder.claim_working_file(name, group)?;
        let mut writer = CheckpointWriter::create(&partial, header).map_err(|e| Failure {
            code: Exit::Output,
            message: e.to_string(),
        })?;
        for record in &done {
            writer.append(record).map_err(|e| Failure {
                code: Exit::Output,
                message: e.to_string(),
            })?;
        }
        Ok((done, writer))
    }
}

/// Plain bytes written a replication, per value of a record, measured
/// (`docs/experiments.md`, *Output files*): a whole-system scenario's
/// breakdown files take 62 bytes a value (4.41 MB a replication of the
/// baseline's 70,735 values), a small network's tidy rows 169 (13 kB a
/// replication of the single ward's 77).
const PLAIN_BYTES_PER_VALUE: (f64, f64) = (62.0, 169.0);

/// From this many replications a batch written plain says what it will
/// take on disk, and that `--compress` would take about a seventh.
const SIZE_NOTE_FROM: u64 = 200;

/// The note a large plain batch prints before it starts (None below
/// [`SIZE_NOTE_FROM`] replications).
fn size_note(network: &iccsim::model::Network, values: usize, replications: u64) -> Option<String> {
    if replications < SIZE_NOTE_FROM {
        return None;
    }
    let per_value = if network.layout.is_some() {
        PLAIN_BYTES_PER_VALUE.0
    } else {
        PLAIN_BYTES_PER_VALUE.1
    };
    let bytes = per_value * values as f64 * replications as f64;
    let size = if bytes >= 1e9 {
        format!("{:.1} GB", bytes / 1e9)
    } else {
        format!("{:.0} MB", bytes / 1e6)
    };
    Some(format!(
        "note: {replications} replications write about {size} of plain files; --compress cuts that about 7-fold (pandas and R read .csv.gz as they are), and --outputs LIST writes only the files named"
    ))
}

/// Keeps a batch's records in its checkpoint as they finish, and shows
/// each round's progress.
pub(super) struct Checkpoint {
    writer: Mutex<CheckpointWriter>,
    progress: indicatif::ProgressBar,
    quiet: bool,
}

impl Checkpoint {
    pub(super) fn new(writer: CheckpointWriter, quiet: bool) -> Checkpoint {
        Checkpoint {
            writer: Mutex::new(writer),
            progress: indicatif::ProgressBar::hidden(),
            quiet,
        }
    }
}

impl BatchStore for Checkpoint {
    type Error = checkpoint::RecordsError;

    fn round_started(&mut self, replications: u64) {
        self.progress = replications_bar(replications, self.quiet);
    }

    fn keep(&self, record: &Record) -> Result<(), checkpoint::RecordsError> {
        let mut writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let _counted = super::interrupt::hold();
        writer.append(record)?;
        super::interrupt::kept(1);
        self.progress.inc(1);
        Ok(())
    }

    fn round_finished(&mut self) {
        self.progress.finish_and_clear();
    }

    fn going_on(&mut self, size: u64, next: u64) {
        super::interrupt::expect_more(next);
        if !self.quiet {
            say!("Not precise enough after {size} replications: going on to {next} …");
        }
    }
}

/// The precision each chosen outcome reached, and how many replications it took.
fn precision_table(schema: &Schema, rule: &Precision, records: &[Record]) -> String {
    let mut rows = vec![vec![
        "outcome".to_string(),
        "mean".into(),
        "95% CI half-width".into(),
        if rule.scale == Scale::Absolute {
            "absolute".into()
        } else {
            "relative".into()
        },
        "target".into(),
    ]];
    for a in rule.attained(records) {
        rows.push(vec![
            key_name(schema, a.key),
            report::tables::round_for_reading(a.summary.mean),
            report::tables::round_for_reading(a.summary.half_width()),
            if rule.scale == Scale::Absolute {
                report::tables::round_for_reading(a.relative_half_width)
            } else {
                format!("{:.2}%", 100.0 * a.relative_half_width)
            },
            if a.relative_half_width <= rule.relative_half_width {
                "met".into()
            } else {
                "NOT met".into()
            },
        ]);
    }
    let met = rule
        .attained(records)
        .iter()
        .all(|a| a.relative_half_width <= rule.relative_half_width);
    let target = if rule.scale == Scale::Absolute {
        format!("±{} in the outcome's unit", rule.relative_half_width)
    } else {
        format!("±{}% of the mean", 100.0 * rule.relative_half_width)
    };
    format!(
        "\n{}\n{} after {} replications (target {target}, at most {} replications).\n",
        report::tables::columns(&rows, &[false, true, true, true, false]),
        if met {
            "Every target met"
        } else {
            "Stopped at the cap with a target NOT met"
        },
        records.len(),
        rule.max_replications
    )
}

/// A readable name of a record position.
pub(super) fn key_name(schema: &Schema, key: usize) -> String {
    match schema.metrics.get(key) {
        Some(k) if k.service == "system" => format!("system.{}", k.metric),
        Some(k) => format!("{}.{}", k.service, k.metric),
        None => schema.breakdown[key - schema.metrics.len()]
            .metric
            .to_string(),
    }
}
