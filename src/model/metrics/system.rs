//! The whole-system totals of any network (`system` in the records):
//! patients in, out and lost, time in system, and the engine's events,
//! each described once with how it is computed from a replication.
//!
//! Depends on `model::results` and the registry's types only.

use super::Kind::{Count, Duration, Level};
use super::Metric;
use super::MetricScope::System;
use crate::model::results::{ReplicationResult, SystemResult};

/// A system metric's computation from the replication's system totals
/// (and the replication, for what the engine counted).
pub type SystemValue = fn(&SystemResult, &ReplicationResult) -> f64;

/// Every whole-system total, in output order, with how each is computed.
pub const SYSTEM_METRICS: &[(Metric, SystemValue)] = &[
    (
        Metric::new(
            "entered",
            "patients",
            System,
            Count,
            "patients who arrived from outside in the window",
        ),
        |s, _| s.entered as f64,
    ),
    (
        Metric::new(
            "left",
            "patients",
            System,
            Count,
            "patients who left to a sink in the window",
        ),
        |s, _| s.left as f64,
    ),
    (
        Metric::new(
            "lost",
            "patients",
            System,
            Count,
            "patients who left the system unserved in the window",
        ),
        |s, _| s.lost as f64,
    ),
    (
        Metric::new(
            "in_system_mean",
            "patients",
            System,
            Level,
            "time-average patients in the system",
        ),
        |s, _| s.in_system_mean,
    ),
    (
        Metric::new(
            "in_system_at_end",
            "patients",
            System,
            Level,
            "patients in the system when the run ended",
        ),
        |s, _| s.in_system_at_end as f64,
    ),
    (
        Metric::new(
            "time_in_system_mean",
            "days",
            System,
            Duration,
            "mean time from arrival to leaving (sink or lost) of those who left in the window",
        ),
        |s, _| s.time_in_system.mean(),
    ),
    (
        Metric::new(
            "time_in_system_p90",
            "days",
            System,
            Duration,
            "90th percentile of time in system (within 0.4%)",
        ),
        |s, _| s.time_in_system.quantile(0.9),
    ),
    (
        Metric::new(
            "entered_total",
            "patients",
            System,
            Count,
            "patients who arrived over the whole run, warm-up included",
        ),
        |s, _| s.entered_total as f64,
    ),
    (
        Metric::new(
            "left_total",
            "patients",
            System,
            Count,
            "patients who left to a sink over the whole run",
        ),
        |s, _| s.left_total as f64,
    ),
    (
        Metric::new(
            "lost_total",
            "patients",
            System,
            Count,
            "patients lost over the whole run",
        ),
        |s, _| s.lost_total as f64,
    ),
    (
        Metric::new(
            "events_processed",
            "events",
            System,
            Count,
            "events the engine processed (warm-up included)",
        ),
        |_, r| r.events_processed as f64,
    ),
];

/// A whole-system total as a run records it.
pub struct SystemMetricDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    compute: SystemValue,
}

impl SystemMetricDef {
    pub fn value(&self, result: &ReplicationResult) -> f64 {
        (self.compute)(&result.system, result)
    }
}

/// Every whole-system total, in output order.
pub fn system_metrics() -> Vec<SystemMetricDef> {
    SYSTEM_METRICS
        .iter()
        .map(|(metric, compute)| SystemMetricDef {
            name: metric.name,
            unit: metric.unit,
            description: metric.description,
            compute: *compute,
        })
        .collect()
}
