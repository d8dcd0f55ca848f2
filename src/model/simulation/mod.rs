//! One replication of a network: the event handlers and the state they
//! change.
//!
//! # Events and their order
//! Events at the same instant run in this order (then first scheduled, first
//! run): midnights (`Priority(0)`), so a day's admission count is reset
//! before anything at that instant is admitted; capacity changes and
//! openings (`Priority(1)`), so an arrival at the instant a bed opens sees
//! it; ends of stay and discharge retries (`Priority(2)`), so a place freed
//! at an instant can be taken at that instant; arrivals (`Priority(3)`);
//! ends of maximum waits (`Priority(4)`), so a patient whose limit ends as a
//! place frees gets it.
//!
//! # Rules
//! - A request for a place (arrival from outside, transfer, diversion) is
//!   admitted if the service is open, below capacity, within its daily
//!   admissions and has nobody waiting; otherwise its `when_full` policy
//!   applies: wait (FIFO), or overflow (lose, divert).
//! - A transfer that waits keeps its current place (blocking after
//!   service); the place is released when the next service admits it.
//! - When a place frees, the waiting list is served in FIFO order.
//! - A patient ready to leave on a weekday whose discharge factor is below
//!   1 leaves with that probability, else tries again a day later.
//!
//! # Limits
//! A replication stops with an error, rather than exhaust the memory or
//! run for hours, when more people are in the system at once than the run
//! allows, more events are pending, or a simulated day has more events
//! than [`MAX_EVENTS_PER_DAY`](crate::model::network::MAX_EVENTS_PER_DAY) (a
//! runaway: patients circling through moments-long stays or waits). The
//! checks are compares of counters; only after a runaway is found are the
//! next events tallied by service and kind, to say where it is.
//!
//! # Random numbers
//! Arrivals of each type come from the stream `arrivals/<type>`; each
//! patient has a stream of its own, `patient/<type>` sub-stream k for the
//! k-th arrival of that type, from which its stays and routes are drawn in
//! the order it needs them. Two scenarios run with the same seed therefore
//! see the same patients, each making the same choices where the
//! scenarios agree.
//!
//! # Files
//! - `event`: the events and their priorities at one instant;
//! - `ids`: the simulation's own ids (`PatientSlot`,
//!   and a service or none in four bytes);
//! - `state`: the patients (128 bytes each), the services' state, the
//!   counting helpers and, in tests, the trace;
//! - `setup`: the state before the first event, the census, the first events;
//! - `run`: the event loop, its limits, the services' own events;
//! - `runaway`: what is sampled once a run passes its events per day, and
//!   the error that says where;
//! - `arrivals`: patients entering (arrivals, readmissions);
//! - `places`: asking for, waiting for, taking and leaving places;
//! - `deaths`, `diverted`: deaths at home (the population's, crises
//!   managed at home or prevented, people kept out of a care home);
//! - `finish`: the state turned into a [`ReplicationResult`];
//! - `episode`, `error`: what the caller receives;
//! - `event_log`: the event log's hooks (people, visits, place numbers),
//!   compiled only for an observer that wants events;
//! - `trace_tests`: whole traces of two- and three-patient networks.
//!
//! Depends on `engine`, `stats` and the model's network, results and
//! trackers; nothing in the model depends on it but `mod.rs`'s re-exports.

use crate::model::network::Network;
use crate::model::results::ReplicationResult;
use state::Simulation;

mod arrivals;
mod deaths;
mod diverted;
mod episode;
mod error;
mod event;
mod event_log;
mod finish;
mod ids;
mod places;
mod register;
mod run;
mod runaway;
mod setup;
mod state;
mod stock_flow;
#[cfg(test)]
mod trace_tests;

pub use episode::{EpisodeObserver, EpisodeRecord, Lifecycle, PatientEvent};
pub use error::SimulationError;

/// Simulates replication `replication` of `network` under master seed
/// `seed`, sending each finished episode to `observer`.
pub fn simulate<O: EpisodeObserver>(
    network: &Network,
    seed: u64,
    replication: u64,
    observer: &mut O,
) -> Result<ReplicationResult, SimulationError> {
    let mut simulation = Simulation::new(network, seed, replication, observer)?;
    simulation.run()?;
    Ok(simulation.finish())
}
