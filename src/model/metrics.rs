//! The registry of metrics: name, unit, meaning and how each is computed
//! from one replication's results. A new output is one entry here; the CSV,
//! JSON and summary tables pick it up.

use super::results::{ReplicationResult, ServiceResult, SystemResult};

/// Where a metric is defined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricScope {
    /// Per service and per (service, patient type).
    ServiceAndType,
    /// Per service only (time-weighted levels are not split by type).
    Service,
}

/// How a service metric is computed: (result, horizon in days) -> value.
type MetricFn = Box<dyn Fn(&ServiceResult, f64) -> f64 + Send + Sync>;

/// A metric of a service.
pub struct MetricDef {
    pub name: String,
    pub unit: &'static str,
    pub description: String,
    pub scope: MetricScope,
    compute: MetricFn,
}

impl MetricDef {
    /// The value for one service (or type in a service) over a window of
    /// `horizon_days`; NaN where undefined (e.g. a mean of nothing).
    pub fn value(&self, result: &ServiceResult, horizon_days: f64) -> f64 {
        (self.compute)(result, horizon_days)
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn def(
    name: &str,
    unit: &'static str,
    description: &str,
    scope: MetricScope,
    compute: impl Fn(&ServiceResult, f64) -> f64 + Send + Sync + 'static,
) -> MetricDef {
    MetricDef {
        name: name.to_string(),
        unit,
        description: description.to_string(),
        scope,
        compute: Box::new(compute),
    }
}

/// Time-weighted level fields; NaN for a per-type result.
fn level(result: &ServiceResult, f: impl Fn(&super::results::LevelSummary) -> f64) -> f64 {
    result.levels.as_ref().map(f).unwrap_or(f64::NAN)
}

/// Every service metric, with one "share of time above" metric per
/// occupancy threshold.
pub fn metric_catalog(occupancy_thresholds: &[f64]) -> Vec<MetricDef> {
    use MetricScope::{Service, ServiceAndType as Both};
    let mut m = vec![
        def(
            "arrivals",
            "patients",
            "requests for a place (from outside, transfers and diversions in)",
            Both,
            |r, _| r.counters.arrivals as f64,
        ),
        def("admissions", "patients", "stays started", Both, |r, _| {
            r.counters.admissions as f64
        }),
        def(
            "admissions_per_day",
            "patients/day",
            "stays started per day",
            Both,
            |r, h| r.counters.admissions as f64 / h,
        ),
        def(
            "lost",
            "patients",
            "requests that left the system unserved because the service was full",
            Both,
            |r, _| r.counters.lost as f64,
        ),
        def("loss_share", "fraction", "lost / arrivals", Both, |r, _| {
            ratio(r.counters.lost as f64, r.counters.arrivals as f64)
        }),
        def(
            "diverted",
            "patients",
            "requests sent to another service because this one was full",
            Both,
            |r, _| r.counters.diverted as f64,
        ),
        def(
            "timed_out",
            "patients",
            "waiting patients who went elsewhere after the maximum wait",
            Both,
            |r, _| r.counters.timed_out as f64,
        ),
        def(
            "found_full_share",
            "fraction",
            "share of arrivals that found the service full, closed or out of daily slots",
            Both,
            |r, _| ratio(r.counters.found_full as f64, r.counters.arrivals as f64),
        ),
        def(
            "departures",
            "patients",
            "patients who left a place",
            Both,
            |r, _| r.counters.departures as f64,
        ),
        def(
            "departures_per_day",
            "patients/day",
            "throughput: departures per day",
            Both,
            |r, h| r.counters.departures as f64 / h,
        ),
        def(
            "onward_requests",
            "patients",
            "stays that ended with a route to another service (referrals)",
            Both,
            |r, _| r.counters.onward_requests as f64,
        ),
        def(
            "los_mean",
            "days",
            "mean length of stay of departures, start to leaving the place (delays included)",
            Both,
            |r, _| r.length_of_stay.mean(),
        ),
        def(
            "los_median",
            "days",
            "median length of stay of departures (within 0.4%)",
            Both,
            |r, _| r.length_of_stay.quantile(0.5),
        ),
        def(
            "los_p90",
            "days",
            "90th percentile of length of stay of departures (within 0.4%)",
            Both,
            |r, _| r.length_of_stay.quantile(0.9),
        ),
        def(
            "wait_mean",
            "days",
            "mean wait from asking this service for a place to admission (for a transfer: the time blocked in its previous place)",
            Both,
            |r, _| r.wait.mean(),
        ),
        def(
            "wait_p90",
            "days",
            "90th percentile of the wait of admissions (within 0.4%)",
            Both,
            |r, _| r.wait.quantile(0.9),
        ),
        def(
            "admitted_without_wait_share",
            "fraction",
            "share of admissions that did not wait",
            Both,
            |r, _| {
                ratio(
                    r.counters.admitted_without_wait as f64,
                    r.counters.admissions as f64,
                )
            },
        ),
        def(
            "delayed_departures",
            "patients",
            "departures that had been delayed (blocked, arranging the discharge, or held for a discharge day)",
            Both,
            |r, _| r.counters.delayed_departures as f64,
        ),
        def(
            "delayed_days_per_departure",
            "days",
            "mean delayed days of departures",
            Both,
            |r, _| r.delayed_days.mean(),
        ),
        def(
            "occupancy_mean",
            "places",
            "time-average places held, blocked patients included",
            Service,
            |r, _| level(r, |l| l.occupancy_mean),
        ),
        def(
            "occupancy_peak",
            "places",
            "most places held at once",
            Service,
            |r, _| level(r, |l| f64::from(l.occupancy_peak)),
        ),
        def(
            "capacity_mean",
            "places",
            "time-average capacity (empty when unlimited)",
            Service,
            |r, _| level(r, |l| l.capacity_mean),
        ),
        def(
            "utilisation",
            "fraction",
            "occupancy_mean / capacity_mean",
            Service,
            |r, _| level(r, |l| ratio(l.occupancy_mean, l.capacity_mean)),
        ),
        def(
            "blocked_mean",
            "patients",
            "time-average patients ready to leave but waiting for a place elsewhere",
            Service,
            |r, _| level(r, |l| l.blocked_mean),
        ),
        def(
            "discharge_held_mean",
            "patients",
            "time-average patients ready to leave but held: the discharge being arranged, or waiting for a discharge day",
            Service,
            |r, _| level(r, |l| l.discharge_held_mean),
        ),
        def(
            "delayed_bed_days",
            "place-days",
            "place-days held by delayed patients (blocked or held)",
            Service,
            |r, _| level(r, |l| l.delayed_days()),
        ),
        def(
            "delayed_days_per_admission",
            "days",
            "delayed_bed_days / admissions",
            Service,
            |r, _| level(r, |l| ratio(l.delayed_days(), r.counters.admissions as f64)),
        ),
        def(
            "delayed_days_per_onward_request",
            "days",
            "delayed_bed_days / onward_requests",
            Service,
            |r, _| {
                level(r, |l| {
                    ratio(l.delayed_days(), r.counters.onward_requests as f64)
                })
            },
        ),
        def(
            "waiting_mean",
            "patients",
            "time-average length of the waiting list (outside arrivals and blocked transfers)",
            Service,
            |r, _| level(r, |l| l.waiting_mean),
        ),
    ];
    for (i, threshold) in occupancy_thresholds.iter().enumerate() {
        let percent = (threshold * 100.0 * 1000.0).round() / 1000.0;
        m.push(def(
            &format!("share_time_above_{percent}pct"),
            "fraction",
            &format!("share of time with occupancy above {percent}% of capacity"),
            MetricScope::Service,
            move |r, _| {
                level(r, |l| {
                    l.share_time_above.get(i).copied().unwrap_or(f64::NAN)
                })
            },
        ));
    }
    m
}

/// A whole-system metric.
pub struct SystemMetricDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    compute: fn(&SystemResult, &ReplicationResult) -> f64,
}

impl SystemMetricDef {
    pub fn value(&self, result: &ReplicationResult) -> f64 {
        (self.compute)(&result.system, result)
    }
}

/// Every whole-system metric.
pub fn system_metrics() -> Vec<SystemMetricDef> {
    vec![
        SystemMetricDef {
            name: "entered",
            unit: "patients",
            description: "patients who arrived from outside in the window",
            compute: |s, _| s.entered as f64,
        },
        SystemMetricDef {
            name: "left",
            unit: "patients",
            description: "patients who left to a sink in the window",
            compute: |s, _| s.left as f64,
        },
        SystemMetricDef {
            name: "lost",
            unit: "patients",
            description: "patients who left the system unserved in the window",
            compute: |s, _| s.lost as f64,
        },
        SystemMetricDef {
            name: "in_system_mean",
            unit: "patients",
            description: "time-average patients in the system",
            compute: |s, _| s.in_system_mean,
        },
        SystemMetricDef {
            name: "in_system_at_end",
            unit: "patients",
            description: "patients in the system when the run ended",
            compute: |s, _| s.in_system_at_end as f64,
        },
        SystemMetricDef {
            name: "time_in_system_mean",
            unit: "days",
            description: "mean time from arrival to leaving (sink or lost) of those who left in the window",
            compute: |s, _| s.time_in_system.mean(),
        },
        SystemMetricDef {
            name: "time_in_system_p90",
            unit: "days",
            description: "90th percentile of time in system (within 0.4%)",
            compute: |s, _| s.time_in_system.quantile(0.9),
        },
        SystemMetricDef {
            name: "entered_total",
            unit: "patients",
            description: "patients who arrived over the whole run, warm-up included",
            compute: |s, _| s.entered_total as f64,
        },
        SystemMetricDef {
            name: "left_total",
            unit: "patients",
            description: "patients who left to a sink over the whole run",
            compute: |s, _| s.left_total as f64,
        },
        SystemMetricDef {
            name: "lost_total",
            unit: "patients",
            description: "patients lost over the whole run",
            compute: |s, _| s.lost_total as f64,
        },
        SystemMetricDef {
            name: "events_processed",
            unit: "events",
            description: "events the engine processed (warm-up included)",
            compute: |_, r| r.events_processed as f64,
        },
    ]
}
