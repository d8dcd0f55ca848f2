//! Why a replication could not go on: the errors of `simulate`, each
//! with the message a user reads (the tests check many of them word for
//! word).

use crate::engine::{ScheduleError, TimeError};

/// A run that could not go on. These indicate draws that cannot be
/// represented (e.g. an infinite stay from an extreme distribution) or a
/// defect; they are reported, never panicked on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SimulationError {
    #[error("a stay drawn for service `{service}` is not a finite number of days: {source}")]
    Time { service: String, source: TimeError },
    #[error("internal error: {0}")]
    Schedule(#[from] ScheduleError),
    #[error(
        "the simulation ran away on day {day:.1} of the window: more than {limit} events in one simulated day, where the whole-system baseline has about 1,200. {detail}"
    )]
    RunAway {
        day: f64,
        limit: u64,
        /// Where the events were and what to change.
        detail: String,
    },
    #[error(
        "more than {limit} people are in the system at once (by day {day:.1} of the window), more than one replication can hold in memory: arrivals far outpace the places' turnover. Check the arrival rates, populations and stays, or shorten run.horizon_days"
    )]
    TooManyPeople { day: f64, limit: usize },
    #[error(
        "more than {limit} events are pending (by day {day:.1} of the window), chiefly returns scheduled for later, more than one replication can hold in memory. Check the readmission probabilities and delays, or shorten run.horizon_days"
    )]
    TooManyPending { day: f64, limit: usize },
    #[error(
        "patients of type `{patient_type}` reached service `{service}`, which has no stay or routes for them"
    )]
    NoPathway {
        patient_type: String,
        service: String,
    },
    #[error(
        "patients of type `{patient_type}` were turned away by service `{service}`, which sends them on, but has no onward service for them"
    )]
    NoOnward {
        patient_type: String,
        service: String,
    },
}
