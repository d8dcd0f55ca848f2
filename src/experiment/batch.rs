//! The batch engine: which replications a batch (or one shard of it) runs,
//! resuming from those already done, in rounds until a precision target is
//! met. It owns the plan ([`BatchPlan`]) and the rounds; where finished
//! records go (a checkpoint file) and how progress is shown belong to the
//! caller, through [`BatchStore`]. It must not depend on `report` (which
//! depends on `experiment`), nor on the command line.

use std::collections::HashSet;

use super::nested::Design;
use super::precision::Precision;
use super::record::Record;
use super::{BatchError, run_records_in};
use crate::model::NetworkSource;

/// One shard of a batch split over machines: replications r with
/// r mod `count` = `index` − 1 (`index` from 1 to `count`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether replication `r` belongs to this shard.
    pub fn holds(&self, r: u64) -> bool {
        r % self.count == self.index - 1
    }
}

/// What a batch runs.
#[derive(Clone, Debug)]
pub struct BatchPlan {
    pub seed: u64,
    /// Replications 0..replications (or, with a precision target, where
    /// the rounds start).
    pub replications: u64,
    /// Only this shard's share of the replications; None for all.
    pub shard: Option<Shard>,
    /// Worker threads; None for rayon's default (one per core).
    pub threads: Option<usize>,
    /// Add replications in rounds until this rule is met (never with a shard).
    pub precision: Option<Precision>,
    /// Which streams each replication uses (nested: `replications` is N·M).
    pub design: Design,
}

impl BatchPlan {
    /// The replications of the first round: 0..replications, of this shard.
    pub fn wanted(&self) -> Vec<u64> {
        (0..self.replications)
            .filter(|&r| self.shard.is_none_or(|shard| shard.holds(r)))
            .collect()
    }

    /// The most replications the batch may have: the precision rule's cap,
    /// or the fixed number.
    pub fn cap(&self) -> u64 {
        self.precision
            .as_ref()
            .map_or(self.replications, |p| p.max_replications)
    }

    /// The records of a resumed batch that this plan can use: those below
    /// its cap (a batch resumed with a lower cap leaves out the rest).
    pub fn usable(&self, mut done: Vec<Record>) -> Vec<Record> {
        let cap = self.cap();
        done.retain(|r| r.replication < cap);
        done
    }
}

/// Where a batch's records go, and who hears of its progress. `keep` is
/// called from worker threads as each replication finishes; the others
/// between rounds, on the caller's thread.
pub trait BatchStore: Sync {
    /// Why a record could not be kept (e.g. the checkpoint's disk is full).
    type Error: std::error::Error + Send + 'static;
    /// A round of `replications` replications starts.
    fn round_started(&mut self, _replications: u64) {}
    /// Keeps one finished replication's record.
    fn keep(&self, record: &Record) -> Result<(), Self::Error>;
    /// Every replication of the round finished and was kept.
    fn round_finished(&mut self) {}
    /// The precision rule is not met after `size` replications: the next
    /// round goes on to `next`.
    fn going_on(&mut self, _size: u64, _next: u64) {}
}

/// What a batch ended with.
#[derive(Debug)]
pub struct BatchOutcome {
    /// Every record of the batch (those done before included), in
    /// replication order.
    pub records: Vec<Record>,
    /// How many replications this call ran.
    pub ran: usize,
}

/// Runs the plan's replications that are not in `done` (records of an
/// interrupted batch, already kept), handing each new record to `store`.
/// With a precision target, rounds go on until the rule, which sees
/// replications 0..size only, is met: a resumed batch takes the same
/// rounds as an uninterrupted one, and ends with the same records.
pub fn run_batch<S: BatchStore>(
    source: &dyn NetworkSource,
    plan: &BatchPlan,
    done: Vec<Record>,
    store: &mut S,
) -> Result<BatchOutcome, BatchError<S::Error>> {
    let wanted = plan.wanted();
    let mut ran = 0;
    let mut size = wanted.len() as u64;
    let mut records = done;
    loop {
        let finished: HashSet<u64> = records.iter().map(|r| r.replication).collect();
        let todo: Vec<u64> = wanted
            .iter()
            .copied()
            .chain(if plan.precision.is_some() {
                (wanted.len() as u64..size).collect()
            } else {
                Vec::new()
            })
            .filter(|r| !finished.contains(r))
            .collect();
        store.round_started(todo.len() as u64);
        let keeper: &S = store;
        let keep = |record: &Record| keeper.keep(record);
        let new = run_records_in(source, plan.seed, plan.design, &todo, plan.threads, &keep)?;
        store.round_finished();
        ran += new.len();
        records.extend(new);
        records.sort_by_key(|r| r.replication);
        let Some(rule) = &plan.precision else { break };
        let prefix: Vec<Record> = records
            .iter()
            .filter(|r| r.replication < size)
            .cloned()
            .collect();
        match rule.next_size(&prefix) {
            Some(next) => {
                store.going_on(size, next);
                size = next;
            }
            None => {
                records = prefix;
                break;
            }
        }
    }
    Ok(BatchOutcome { records, ran })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Network;
    use std::sync::Mutex;

    /// One ward of 3 beds, one arrival a day staying 2 days on average: a
    /// replication takes a millisecond.
    const TINY: &str = r#"
schema_version = 1
name = "tiny"
sinks = ["home"]

[run]
start_date = 2025-04-07
warmup_days = 5
horizon_days = 30
replications = 4
seed = 11

[services.ward]
capacity = 3
when_full = "wait"
stay = { dist = "exponential", mean = 2.0 }
routes = [{ to = "home", probability = 1.0 }]

[patient_types.emergency]
arrive_at = "ward"
rate_per_day = 1.0
"#;

    fn tiny() -> Network {
        crate::scenario::load_str(TINY, "test", "tiny").expect("the tiny scenario is valid")
    }

    /// Records what the engine hands out.
    #[derive(Default)]
    struct Kept {
        records: Mutex<Vec<u64>>,
        rounds: Vec<u64>,
        going_on: Vec<(u64, u64)>,
    }

    impl BatchStore for Kept {
        type Error = std::io::Error;
        fn round_started(&mut self, replications: u64) {
            self.rounds.push(replications);
        }
        fn keep(&self, record: &Record) -> Result<(), std::io::Error> {
            self.records.lock().unwrap().push(record.replication);
            Ok(())
        }
        fn going_on(&mut self, size: u64, next: u64) {
            self.going_on.push((size, next));
        }
    }

    impl Kept {
        fn replications(&self) -> Vec<u64> {
            let mut kept = self.records.lock().unwrap().clone();
            kept.sort_unstable();
            kept
        }
    }

    fn plan(replications: u64) -> BatchPlan {
        BatchPlan {
            seed: 7,
            replications,
            shard: None,
            threads: Some(2),
            precision: None,
            design: Design::Plain,
        }
    }

    /// Records as exact bits (a value may be NaN: a mean of nothing).
    fn bits(records: &[Record]) -> Vec<(u64, Vec<u64>)> {
        records
            .iter()
            .map(|r| {
                (
                    r.replication,
                    r.values.iter().map(|v| v.to_bits()).collect(),
                )
            })
            .collect()
    }

    fn numbers(records: &[Record]) -> Vec<u64> {
        records.iter().map(|r| r.replication).collect()
    }

    #[test]
    fn a_fixed_batch_runs_every_replication_once() {
        let mut store = Kept::default();
        let outcome = run_batch(&tiny(), &plan(5), Vec::new(), &mut store).unwrap();
        assert_eq!(numbers(&outcome.records), vec![0, 1, 2, 3, 4]);
        assert_eq!(outcome.ran, 5);
        assert_eq!(store.replications(), vec![0, 1, 2, 3, 4]);
        assert_eq!(store.rounds, vec![5]);
        assert!(store.going_on.is_empty());
    }

    #[test]
    fn resuming_runs_only_the_rest_and_ends_with_the_same_records() {
        let network = tiny();
        let whole = run_batch(&network, &plan(6), Vec::new(), &mut Kept::default()).unwrap();
        // An interrupted batch kept replications 1 and 4.
        let done: Vec<Record> = [1, 4].iter().map(|&r| whole.records[r].clone()).collect();
        let mut store = Kept::default();
        let resumed = run_batch(&network, &plan(6), done, &mut store).unwrap();
        assert_eq!(store.replications(), vec![0, 2, 3, 5]);
        assert_eq!(resumed.ran, 4);
        assert_eq!(bits(&resumed.records), bits(&whole.records));
    }

    #[test]
    fn shards_partition_the_replications() {
        let network = tiny();
        let whole = run_batch(&network, &plan(7), Vec::new(), &mut Kept::default()).unwrap();
        let mut merged = Vec::new();
        for (index, expected) in [(1, vec![0, 3, 6]), (2, vec![1, 4]), (3, vec![2, 5])] {
            let shard = BatchPlan {
                shard: Some(Shard { index, count: 3 }),
                ..plan(7)
            };
            assert_eq!(shard.wanted(), expected);
            let outcome = run_batch(&network, &shard, Vec::new(), &mut Kept::default()).unwrap();
            assert_eq!(numbers(&outcome.records), expected);
            merged.extend(outcome.records);
        }
        merged.sort_by_key(|r| r.replication);
        assert_eq!(bits(&merged), bits(&whole.records));
    }

    /// A rule on a value that never varies is met at once; one that
    /// cannot be met goes on in rounds (at most fourfold, at least 2 more)
    /// up to the cap, and stops there.
    #[test]
    fn precision_rounds_stop_at_the_target_or_the_cap() {
        let network = tiny();
        let schema = crate::experiment::record::Schema::of(&network);
        let position = |metric: &str| {
            schema
                .metrics
                .iter()
                .position(|k| k.service == "ward" && k.patient_type == "all" && k.metric == metric)
                .expect("the ward's metric is recorded")
        };
        let met = BatchPlan {
            precision: Some(Precision {
                keys: vec![position("capacity_mean")],
                relative_half_width: 0.01,
                max_replications: 100,
                scale: crate::experiment::precision::Scale::Relative,
            }),
            ..plan(3)
        };
        let mut store = Kept::default();
        let outcome = run_batch(&network, &met, Vec::new(), &mut store).unwrap();
        assert_eq!(numbers(&outcome.records), vec![0, 1, 2]);
        assert_eq!(store.rounds, vec![3]);
        assert!(store.going_on.is_empty());

        let capped = BatchPlan {
            precision: Some(Precision {
                keys: vec![position("occupancy_mean")],
                relative_half_width: 1e-9,
                max_replications: 20,
                scale: crate::experiment::precision::Scale::Relative,
            }),
            ..plan(2)
        };
        let mut store = Kept::default();
        let outcome = run_batch(&network, &capped, Vec::new(), &mut store).unwrap();
        assert_eq!(store.going_on, vec![(2, 8), (8, 20)]);
        assert_eq!(store.rounds, vec![2, 6, 12]);
        assert_eq!(numbers(&outcome.records), (0..20).collect::<Vec<_>>());
        assert_eq!(outcome.ran, 20);
    }

    #[test]
    fn records_beyond_the_cap_are_not_used() {
        let done = (0..5)
            .map(|replication| Record {
                replication,
                values: vec![1.0],
            })
            .collect();
        assert_eq!(numbers(&plan(3).usable(done)), vec![0, 1, 2]);
    }
}
