//! `[run]`: the experiment's settings (start date, warm-up, horizon,
//! replications, seed, occupancy thresholds), the same section in a network
//! written by hand and in a whole system.

use super::check::{Checker, MAX_DAYS, MAX_REPLICATIONS, show};
use super::raw::RawRun;
use crate::engine::CalendarDate;
use crate::model::{MAX_EVENTS_PER_DAY, MAX_PEOPLE_IN_SYSTEM, RunSettings};

/// The run settings, every problem reported; `None` if any.
pub(super) fn validate_run(check: &mut Checker, value: Option<toml::Value>) -> Option<RunSettings> {
    let raw: RawRun = match value {
        None => RawRun::default(),
        Some(value) => check.section("run", value)?,
    };
    let start_date = match &raw.start_date {
        Some(value) => check.date("run.start_date", value),
        None => CalendarDate::new(2025, 4, 1),
    };
    let warmup_days = check.number_in(
        "run.warmup_days",
        raw.warmup_days.unwrap_or(0.0),
        0.0,
        MAX_DAYS,
        "days",
    );
    let horizon = raw.horizon_days.unwrap_or(365.0);
    let horizon_days = if horizon > 0.0 && horizon <= MAX_DAYS {
        Some(horizon)
    } else {
        check.issue(
            "run.horizon_days",
            Some(show(horizon)),
            format!("must be more than 0 days and at most {MAX_DAYS}"),
        );
        None
    };
    let replications = check.whole_in(
        "run.replications",
        raw.replications.unwrap_or(10) as f64,
        1.0,
        MAX_REPLICATIONS as f64,
        "replications",
    );
    let seed = match raw.seed {
        Some(seed) if seed < 0 => {
            check.issue(
                "run.seed",
                Some(seed.to_string()),
                "must be a whole number ≥ 0",
            );
            None
        }
        Some(seed) => Some(seed as u64),
        None => Some(1),
    };
    let thresholds = raw
        .occupancy_thresholds
        .unwrap_or_else(|| vec![0.85, 0.92, 0.95]);
    let mut thresholds_ok = true;
    for (i, t) in thresholds.iter().enumerate() {
        if !(t.is_finite() && *t > 0.0 && *t <= 1.0) {
            check.issue(
                format!("run.occupancy_thresholds[{i}]"),
                Some(show(*t)),
                "must be a fraction of capacity above 0 and at most 1, e.g. 0.92",
            );
            thresholds_ok = false;
        }
    }
    // Each threshold names a metric (to 0.001%): two the same would merge.
    let names: Vec<i64> = thresholds
        .iter()
        .map(|t| (t * 100_000.0).round() as i64)
        .collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            check.issue(
                format!("run.occupancy_thresholds[{i}]"),
                Some(show(thresholds[i])),
                "is listed twice; list each threshold once",
            );
            thresholds_ok = false;
        }
    }
    if thresholds.len() > 10 {
        check.issue(
            "run.occupancy_thresholds",
            Some(format!("{} values", thresholds.len())),
            "give at most 10 thresholds",
        );
        thresholds_ok = false;
    }
    Some(RunSettings {
        start_date: start_date?,
        warmup_days: warmup_days?,
        horizon_days: horizon_days?,
        replications: replications? as u32,
        seed: seed?,
        occupancy_thresholds: if thresholds_ok {
            thresholds
        } else {
            return None;
        },
        max_people_in_system: MAX_PEOPLE_IN_SYSTEM,
        max_pending_events: 2 * MAX_PEOPLE_IN_SYSTEM,
        max_events_per_day: MAX_EVENTS_PER_DAY,
    })
}
