//! A replication that runs away: more events in a simulated day than the
//! run allows. What is counted once it does, and the error that says where.

use super::error::SimulationError;
use crate::model::network::Network;

/// Events handled after a replication passes its events per day, to say
/// where they are: enough for the shares to be plain, few enough to cost
/// nothing next to the events that passed the limit.
pub(super) const RUNAWAY_SAMPLE: u64 = 100_000;

/// The index of arrivals (and returns) in [`RUNAWAY_KINDS`].
pub(super) const RUNAWAY_ARRIVALS: usize = 3;

/// The kinds of event a runaway is told by: what they are, and the likely
/// cause and fix when most events are of that kind.
pub(super) const RUNAWAY_KINDS: [(&str, &str); 5] = [
    (
        "ends of stays",
        "Patients are going round a loop of routes through these services with stays so short that a simulated day takes millions of moves; lengthen the stays there, or route more of these patients to a sink",
    ),
    (
        "ends of maximum waits",
        "Patients leave a waiting list after a moment and ask elsewhere, round and round; lengthen max_wait_days there, or let patients be lost after their wait (after_max_wait = \"lose\")",
    ),
    (
        "discharge retries",
        "Patients ready to leave are held day after day and almost never leave: raise the discharge_weekday_factors of these services",
    ),
    (
        "arrivals",
        "Arrivals are far more than any care system sees; check rate_per_day, the populations and the readmission probabilities",
    ),
    (
        "capacity changes, openings and midnights",
        "Check the capacity changes and opening hours of these services",
    ),
];

/// Where the events of a runaway replication are: counts by service and
/// kind (the index in [`RUNAWAY_KINDS`]).
pub(super) struct RunawaySample {
    pub(super) day: f64,
    pub(super) by_service: Vec<[u64; RUNAWAY_KINDS.len()]>,
    pub(super) sampled: u64,
    pub(super) first: f64,
    pub(super) last: f64,
}

impl RunawaySample {
    /// The error for a runaway replication, from its sample of events:
    /// the services they were at, what kind they were, and so the likely
    /// cause and its fix.
    #[cold]
    pub(super) fn error(&self, network: &Network) -> SimulationError {
        let by_service = &self.by_service;
        let sampled = self.sampled;
        let mut kinds = [0u64; RUNAWAY_KINDS.len()];
        for counts in by_service {
            for (total, n) in kinds.iter_mut().zip(counts) {
                *total += n;
            }
        }
        let mut busiest: Vec<(usize, u64)> = by_service
            .iter()
            .map(|kinds| kinds.iter().sum::<u64>())
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .collect();
        busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut detail = String::new();
        if sampled > 0 {
            let share = |n: u64| 100.0 * n as f64 / sampled as f64;
            let places: Vec<String> = busiest
                .iter()
                .take(4)
                .map(|&(s, n)| {
                    let k = (0..kinds.len())
                        .max_by_key(|&k| (by_service[s][k], std::cmp::Reverse(k)))
                        .unwrap_or(0);
                    format!(
                        "{:.0}% at `{}` ({})",
                        share(n),
                        network.services[s].name,
                        RUNAWAY_KINDS[k].0
                    )
                })
                .collect();
            let others = sampled - busiest.iter().take(4).map(|b| b.1).sum::<u64>();
            let others = if others > 0 {
                format!(", {:.0}% elsewhere", share(others))
            } else {
                String::new()
            };
            let span = self.last - self.first;
            let when = if span == 0.0 {
                " all at one instant (time has stopped)".to_string()
            } else if span >= 0.001 {
                format!(" in {span:.3} days")
            } else {
                format!(" in {span:.1e} days")
            };
            detail = format!(
                "Of the next {sampled} events{when}, {}{others}. ",
                places.join(", ")
            );
        }
        // The likely cause: arrivals when the patients make few events
        // each (the baseline's make 2.5), else the kind most events were.
        let kind = if kinds[RUNAWAY_ARRIVALS] > 0 && kinds[RUNAWAY_ARRIVALS] * 10 >= sampled {
            Some(RUNAWAY_ARRIVALS)
        } else {
            (0..kinds.len())
                .filter(|&k| kinds[k] > 0)
                .max_by_key(|&k| (kinds[k], std::cmp::Reverse(k)))
        };
        detail += kind.map_or(
            "Patients are moving far faster than time advances, or arrive far too often; look for loops of routes or diversions with short stays or waits, and check the arrival rates",
            |k| RUNAWAY_KINDS[k].1,
        );
        SimulationError::RunAway {
            day: self.day,
            limit: network.run.max_events_per_day,
            detail,
        }
    }
}
