//! Experiments: replications of a network, run in parallel; batches of
//! them ([`batch`]: shards, resuming, precision rounds), comparisons and
//! designs. Nothing here depends on `scenario` (only tests read scenario
//! text), `report` or the command line: a network comes as a
//! [`NetworkSource`], records leave through callbacks
//! ([`batch::BatchStore`]).
//!
//! rayon fans out whole replications; one replication stays on one thread.
//! Replication r uses the random streams of (seed, r) (in a nested design,
//! those its [`nested::Design`] gives it), and results are returned in
//! replication order, so the output is identical whatever the number of
//! threads.

pub mod batch;
pub mod bed_days_saved;
pub mod compare;
pub mod contributions;
pub mod design;
pub mod fit;
pub mod nested;
pub mod precision;
pub mod record;
pub mod registers;
pub mod thresholds;
pub mod warmup;

use std::ops::Range;

use rayon::prelude::*;

use crate::model::SimulationError;
use crate::model::{EpisodeRecord, NetworkSource, ReplicationResult, simulate};
use nested::{Design, Streams};
use record::Record;

/// An episode record that owns its strings, kept when asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    pub replication: u64,
    pub patient: u64,
    pub patient_type: String,
    pub service: String,
    pub requested_at: f64,
    pub started_at: Option<f64>,
    pub ready_at: Option<f64>,
    pub left_at: f64,
    pub delayed_days: f64,
    pub destination: String,
}

impl From<&EpisodeRecord<'_>> for Episode {
    fn from(r: &EpisodeRecord<'_>) -> Episode {
        Episode {
            replication: r.replication,
            patient: r.patient,
            patient_type: r.patient_type.to_string(),
            service: r.service.to_string(),
            requested_at: r.requested_at,
            started_at: r.started_at,
            ready_at: r.ready_at,
            left_at: r.left_at,
            delayed_days: r.delayed_days,
            destination: r.destination.to_string(),
        }
    }
}

/// Why a replication failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplicationProblem {
    #[error(transparent)]
    Simulation(#[from] SimulationError),
    /// Its draws of the uncertain scenario values make an invalid scenario.
    #[error("its draws of the uncertain values do not make a valid scenario: {0}")]
    Parameters(String),
}

/// A replication that failed, with its index.
#[derive(Debug, thiserror::Error)]
#[error("replication {replication} failed: {source}")]
pub struct ExperimentError {
    pub replication: u64,
    pub source: ReplicationProblem,
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub seed: u64,
    pub replications: Range<u64>,
    /// Worker threads; None for rayon's default (one per core).
    pub threads: Option<usize>,
    /// Keep every episode whose end falls in the window.
    pub keep_episodes: bool,
}

/// One replication's results, its record (reduced from the network it
/// ran on, drawn values included) and, if asked for, its episodes.
pub struct ReplicationOutput {
    pub result: ReplicationResult,
    pub record: Record,
    pub episodes: Vec<Episode>,
}

/// Runs one replication (on its own network when the source samples
/// uncertain values).
pub fn run_one(
    source: &dyn NetworkSource,
    seed: u64,
    replication: u64,
    keep_episodes: bool,
) -> Result<ReplicationOutput, ExperimentError> {
    run_one_in(
        source,
        seed,
        replication,
        Design::Plain.streams(replication),
        keep_episodes,
    )
}

/// Runs replication `replication` with the uncertain values of the streams
/// of (seed, `streams.parameters`) and the patients of (seed,
/// `streams.chance`); its record and episodes keep `replication`.
pub fn run_one_in(
    source: &dyn NetworkSource,
    seed: u64,
    replication: u64,
    streams: Streams,
    keep_episodes: bool,
) -> Result<ReplicationOutput, ExperimentError> {
    let network = source
        .for_replication(seed, streams.parameters)
        .map_err(|problem| ExperimentError {
            replication,
            source: ReplicationProblem::Parameters(problem),
        })?;
    let network = network.as_ref();
    let mut episodes = Vec::new();
    let result = if keep_episodes {
        let mut keep = |record: &EpisodeRecord<'_>| {
            if record.left_at >= 0.0 {
                let mut episode = Episode::from(record);
                episode.replication = replication;
                episodes.push(episode);
            }
        };
        simulate(network, seed, streams.chance, &mut keep)
    } else {
        simulate(network, seed, streams.chance, &mut ())
    };
    result
        .map(|mut result| {
            result.replication = replication;
            ReplicationOutput {
                record: record::reduce(network, &result),
                result,
                episodes,
            }
        })
        .map_err(|source| ExperimentError {
            replication,
            source: source.into(),
        })
}

/// Runs `work` on a pool of `threads` workers (rayon's default when None).
fn with_threads<T: Send>(threads: Option<usize>, work: impl FnOnce() -> T + Send) -> T {
    match threads {
        Some(threads) => match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pool.install(work),
            // A pool that cannot start (no threads left) still runs here.
            Err(_) => work(),
        },
        None => work(),
    }
}

/// Runs the plan's replications in parallel; results in replication order.
pub fn run(
    source: &dyn NetworkSource,
    plan: &Plan,
) -> Result<Vec<ReplicationOutput>, ExperimentError> {
    with_threads(plan.threads, || {
        plan.replications
            .clone()
            .into_par_iter()
            .map(|r| run_one(source, plan.seed, r, plan.keep_episodes))
            .collect::<Result<Vec<_>, _>>()
    })
}

/// Why a batch stopped.
#[derive(Debug, thiserror::Error)]
pub enum BatchError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Simulation(#[from] ExperimentError),
    /// The caller could not keep a record (e.g. the checkpoint's disk is full).
    #[error(transparent)]
    Keep(E),
}

/// Runs the replications `todo` in parallel, each reduced to its record as
/// soon as it finishes and handed to `keep` (from a worker thread) before
/// the next is started on that thread; returns the records in replication
/// order. Only records are kept, so memory does not grow with a
/// replication's size, only with the number of records.
pub fn run_records<E: std::error::Error + Send + 'static>(
    source: &dyn NetworkSource,
    seed: u64,
    todo: &[u64],
    threads: Option<usize>,
    keep: &(dyn Fn(&Record) -> Result<(), E> + Sync),
) -> Result<Vec<Record>, BatchError<E>> {
    run_records_in(source, seed, Design::Plain, todo, threads, keep)
}

/// [`run_records`] with the streams of `design`.
pub fn run_records_in<E: std::error::Error + Send + 'static>(
    source: &dyn NetworkSource,
    seed: u64,
    design: Design,
    todo: &[u64],
    threads: Option<usize>,
    keep: &(dyn Fn(&Record) -> Result<(), E> + Sync),
) -> Result<Vec<Record>, BatchError<E>> {
    let mut records = with_threads(threads, || {
        todo.par_iter()
            .map(|&r| {
                let record = run_one_in(source, seed, r, design.streams(r), false)?.record;
                keep(&record).map_err(BatchError::Keep)?;
                Ok(record)
            })
            .collect::<Result<Vec<_>, BatchError<E>>>()
    })?;
    records.sort_by_key(|r| r.replication);
    Ok(records)
}
