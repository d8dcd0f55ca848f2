//! The metrics of a service (all its patients, or one patient type):
//! counts, stays, waits, delays and time-weighted levels, each described
//! once with how it is computed from a [`ServiceResult`], plus one "share
//! of time above" metric per occupancy threshold of the run.
//!
//! Depends on `model::results` and the registry's types only.

use super::Kind::{Count, Duration, Fraction, Level, Rate};
use super::MetricScope::{self, Service, ServiceAndType};
use super::View::{Board, Compare, Sweep};
use super::{Kind, Metric};
use crate::model::results::{LevelSummary, ServiceResult};

/// How a service metric is computed: (result, horizon in days) -> value.
type MetricFn = Box<dyn Fn(&ServiceResult, f64) -> f64 + Send + Sync>;

/// A service metric as a run records it: a registry entry, with its name
/// and description filled in for the occupancy-threshold family.
pub struct MetricDef {
    pub name: String,
    pub unit: &'static str,
    pub description: String,
    pub scope: MetricScope,
    pub kind: Kind,
    compute: MetricFn,
}

impl MetricDef {
    /// The value for one service (or type in a service) over a window of
    /// `horizon_days`; NaN where undefined (e.g. a mean of nothing).
    pub fn value(&self, result: &ServiceResult, horizon_days: f64) -> f64 {
        (self.compute)(result, horizon_days)
    }

    fn of(metric: &Metric, compute: MetricFn) -> MetricDef {
        MetricDef {
            name: metric.name.to_string(),
            unit: metric.unit,
            description: metric.description.to_string(),
            scope: metric.scope,
            kind: metric.kind,
            compute,
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Time-weighted level fields; NaN for a per-type result.
fn level(result: &ServiceResult, f: impl Fn(&LevelSummary) -> f64) -> f64 {
    result.levels.as_ref().map(f).unwrap_or(f64::NAN)
}

/// A service metric's computation: (result, horizon in days) -> value.
pub type ServiceValue = fn(&ServiceResult, f64) -> f64;

/// Every service metric but the occupancy-threshold family, in output
/// order, with how each is computed.
pub const SERVICE_METRICS: &[(Metric, ServiceValue)] = &[
    (
        Metric::new(
            "arrivals",
            "patients",
            ServiceAndType,
            Count,
            "requests for a place (from outside, transfers and diversions in)",
        )
        .shown(&[(Compare, 1)]),
        |r, _| r.counters.arrivals as f64,
    ),
    (
        Metric::new(
            "admissions",
            "patients",
            ServiceAndType,
            Count,
            "stays started",
        )
        .shown(&[(Compare, 2), (Board, 1)]),
        |r, _| r.counters.admissions as f64,
    ),
    (
        Metric::new(
            "admissions_per_day",
            "patients/day",
            ServiceAndType,
            Rate,
            "stays started per day",
        ),
        |r, h| r.counters.admissions as f64 / h,
    ),
    (
        Metric::new(
            "lost",
            "patients",
            ServiceAndType,
            Count,
            "requests that left the system unserved because the service was full",
        )
        .shown(&[(Compare, 3), (Board, 2), (Sweep, 2)]),
        |r, _| r.counters.lost as f64,
    ),
    (
        Metric::new(
            "loss_share",
            "fraction",
            ServiceAndType,
            Fraction,
            "lost / arrivals",
        ),
        |r, _| ratio(r.counters.lost as f64, r.counters.arrivals as f64),
    ),
    (
        Metric::new(
            "diverted",
            "patients",
            ServiceAndType,
            Count,
            "requests sent to another service because this one was full",
        ),
        |r, _| r.counters.diverted as f64,
    ),
    (
        Metric::new(
            "timed_out",
            "patients",
            ServiceAndType,
            Count,
            "waiting patients who went elsewhere after the maximum wait",
        ),
        |r, _| r.counters.timed_out as f64,
    ),
    (
        Metric::new(
            "found_full_share",
            "fraction",
            ServiceAndType,
            Fraction,
            "share of arrivals that found the service full, closed or out of daily slots",
        ),
        |r, _| ratio(r.counters.found_full as f64, r.counters.arrivals as f64),
    ),
    (
        Metric::new(
            "departures",
            "patients",
            ServiceAndType,
            Count,
            "patients who left a place",
        ),
        |r, _| r.counters.departures as f64,
    ),
    (
        Metric::new(
            "departures_per_day",
            "patients/day",
            ServiceAndType,
            Rate,
            "throughput: departures per day",
        ),
        |r, h| r.counters.departures as f64 / h,
    ),
    (
        Metric::new(
            "onward_requests",
            "patients",
            ServiceAndType,
            Count,
            "stays that ended with a route to another service (referrals)",
        ),
        |r, _| r.counters.onward_requests as f64,
    ),
    (
        Metric::new(
            "los_mean",
            "days",
            ServiceAndType,
            Duration,
            "mean length of stay of departures, start to leaving the place (delays included)",
        )
        .shown(&[(Compare, 4), (Board, 3)]),
        |r, _| r.length_of_stay.mean(),
    ),
    (
        Metric::new(
            "los_median",
            "days",
            ServiceAndType,
            Duration,
            "median length of stay of departures (within 0.4%)",
        ),
        |r, _| r.length_of_stay.quantile(0.5),
    ),
    (
        Metric::new(
            "los_p90",
            "days",
            ServiceAndType,
            Duration,
            "90th percentile of length of stay of departures (within 0.4%)",
        ),
        |r, _| r.length_of_stay.quantile(0.9),
    ),
    (
        Metric::new(
            "wait_mean",
            "days",
            ServiceAndType,
            Duration,
            "mean wait from asking this service for a place to admission (for a transfer: the time blocked in its previous place)",
        ),
        |r, _| r.wait.mean(),
    ),
    (
        Metric::new(
            "wait_p90",
            "days",
            ServiceAndType,
            Duration,
            "90th percentile of the wait of admissions (within 0.4%)",
        ),
        |r, _| r.wait.quantile(0.9),
    ),
    (
        Metric::new(
            "waits_over_12h",
            "patients",
            ServiceAndType,
            Count,
            "admissions that waited more than 12 hours (0.5 days) from asking this service for a place (for an acute ward: from the decision to admit)",
        ),
        |r, _| r.counters.waits_over_12h as f64,
    ),
    (
        Metric::new(
            "admitted_without_wait_share",
            "fraction",
            ServiceAndType,
            Fraction,
            "share of admissions that did not wait",
        ),
        |r, _| {
            ratio(
                r.counters.admitted_without_wait as f64,
                r.counters.admissions as f64,
            )
        },
    ),
    (
        Metric::new(
            "delayed_departures",
            "patients",
            ServiceAndType,
            Count,
            "departures that had been delayed (blocked, arranging the discharge, or held for a discharge day)",
        ),
        |r, _| r.counters.delayed_departures as f64,
    ),
    (
        Metric::new(
            "delayed_days_per_departure",
            "days",
            ServiceAndType,
            Duration,
            "mean delayed days of departures",
        ),
        |r, _| r.delayed_days.mean(),
    ),
    (
        Metric::new(
            "occupancy_mean",
            "places",
            Service,
            Level,
            "time-average places held, blocked patients included",
        )
        .shown(&[(Compare, 5), (Sweep, 1)]),
        |r, _| level(r, |l| l.occupancy_mean),
    ),
    (
        Metric::new(
            "occupancy_peak",
            "places",
            Service,
            Level,
            "most places held at once",
        ),
        |r, _| level(r, |l| f64::from(l.occupancy_peak)),
    ),
    (
        Metric::new(
            "capacity_mean",
            "places",
            Service,
            Level,
            "time-average capacity (empty when unlimited)",
        ),
        |r, _| level(r, |l| l.capacity_mean),
    ),
    (
        Metric::new(
            "utilisation",
            "fraction",
            Service,
            Fraction,
            "occupancy_mean / capacity_mean",
        )
        .shown(&[(Board, 4)]),
        |r, _| level(r, |l| ratio(l.occupancy_mean, l.capacity_mean)),
    ),
    (
        Metric::new(
            "blocked_mean",
            "patients",
            Service,
            Level,
            "time-average patients ready to leave but waiting for a place elsewhere",
        ),
        |r, _| level(r, |l| l.blocked_mean),
    ),
    (
        Metric::new(
            "discharge_held_mean",
            "patients",
            Service,
            Level,
            "time-average patients ready to leave but held: the discharge being arranged, or waiting for a discharge day",
        ),
        |r, _| level(r, |l| l.discharge_held_mean),
    ),
    (
        Metric::new(
            "delayed_bed_days",
            "place-days",
            Service,
            Count,
            "place-days held by delayed patients (blocked or held)",
        )
        .shown(&[(Compare, 6), (Board, 5)]),
        |r, _| level(r, |l| l.delayed_days()),
    ),
    (
        Metric::new(
            "delayed_days_per_admission",
            "days",
            Service,
            Duration,
            "delayed_bed_days / admissions",
        ),
        |r, _| level(r, |l| ratio(l.delayed_days(), r.counters.admissions as f64)),
    ),
    (
        Metric::new(
            "delayed_days_per_onward_request",
            "days",
            Service,
            Duration,
            "delayed_bed_days / onward_requests",
        ),
        |r, _| {
            level(r, |l| {
                ratio(l.delayed_days(), r.counters.onward_requests as f64)
            })
        },
    ),
    (
        Metric::new(
            "waiting_mean",
            "patients",
            Service,
            Level,
            "time-average length of the waiting list (outside arrivals and blocked transfers)",
        ),
        |r, _| level(r, |l| l.waiting_mean),
    ),
];

/// The template of the "share of time above" family: one metric per
/// occupancy threshold, named and described by [`metric_catalog`].
pub const SHARE_TIME_ABOVE: Metric = Metric::new(
    "share_time_above_{percent}pct",
    "fraction",
    Service,
    Fraction,
    "share of time with occupancy above {percent}% of capacity",
);

/// Every service metric, with one "share of time above" metric per
/// occupancy threshold.
pub fn metric_catalog(occupancy_thresholds: &[f64]) -> Vec<MetricDef> {
    let mut m: Vec<MetricDef> = SERVICE_METRICS
        .iter()
        .map(|(metric, compute)| MetricDef::of(metric, Box::new(*compute)))
        .collect();
    for (i, threshold) in occupancy_thresholds.iter().enumerate() {
        let percent = (threshold * 100.0 * 1000.0).round() / 1000.0;
        let mut metric = MetricDef::of(
            &SHARE_TIME_ABOVE,
            Box::new(move |r, _| {
                level(r, |l| {
                    l.share_time_above.get(i).copied().unwrap_or(f64::NAN)
                })
            }),
        );
        metric.name = format!("share_time_above_{percent}pct");
        metric.description = format!("share of time with occupancy above {percent}% of capacity");
        m.push(metric);
    }
    m
}
