//! The probability of crossing the thresholds a board cares about
//! (`thresholds.csv`): for each year of a whole-system run (and `all`),
//! the share of replications whose system-wide value is above each
//! threshold: acute occupancy above 85%, 92% and 95%, and a wait for a
//! bed (mean or 90th centile) above half a day. A metric the records do
//! not hold gives no rows.
//!
//! Depends on `experiment::record` and `stats` only.

use super::record::{Record, Schema};
use crate::stats::share_where;

/// A threshold on a whole-system metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Threshold {
    pub metric: &'static str,
    pub value: f64,
    /// Always `above` for now: the share of replications above the value.
    pub direction: &'static str,
}

/// The thresholds reported, in output order.
pub const THRESHOLDS: &[Threshold] = &[
    Threshold {
        metric: "acute_occupancy",
        value: 0.85,
        direction: "above",
    },
    Threshold {
        metric: "acute_occupancy",
        value: 0.92,
        direction: "above",
    },
    Threshold {
        metric: "acute_occupancy",
        value: 0.95,
        direction: "above",
    },
    Threshold {
        metric: "bed_wait_p90",
        value: 0.5,
        direction: "above",
    },
    Threshold {
        metric: "bed_wait_mean",
        value: 0.5,
        direction: "above",
    },
];

/// The probability of one threshold in one year.
#[derive(Clone, Debug, PartialEq)]
pub struct Crossing {
    /// "all", or the year's number from 1.
    pub year: String,
    /// "", or the date the year starts.
    pub year_start: String,
    pub icc: String,
    pub unit: String,
    pub threshold: Threshold,
    /// Share of the replications with a value whose value is above the
    /// threshold (NaN when none has a value).
    pub probability: f64,
    /// Replications with a value (NaN values left out).
    pub replications: usize,
}

/// Every threshold crossed, by year (in the records' year order), for the
/// whole system (every ICC and age band).
pub fn crossings(schema: &Schema, records: &[Record]) -> Vec<Crossing> {
    let offset = schema.metrics.len();
    let mut out = Vec::new();
    for threshold in THRESHOLDS {
        for (k, key) in schema.breakdown.iter().enumerate() {
            let system_wide = key.icc == "all" && key.age_band == "all";
            if !system_wide || key.metric != threshold.metric {
                continue;
            }
            let values: Vec<f64> = records.iter().map(|r| r.values[offset + k]).collect();
            out.push(Crossing {
                year: key.year.clone(),
                year_start: key.year_start.clone(),
                icc: key.icc.clone(),
                unit: key.unit.clone(),
                threshold: *threshold,
                probability: share_where(&values, |v| v > threshold.value),
                replications: values.iter().filter(|v| v.is_finite()).count(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::record::BreakdownKey;

    fn key(year: &str, icc: &str, metric: &'static str) -> BreakdownKey {
        BreakdownKey {
            year: year.into(),
            year_start: if year == "all" { "" } else { "2025-04-01" }.into(),
            icc: icc.into(),
            age_band: "all".into(),
            metric,
            unit: "fraction".into(),
        }
    }

    #[test]
    fn the_share_of_replications_above_each_threshold() {
        let schema = Schema {
            metrics: Vec::new(),
            breakdown: vec![
                key("1", "all", "acute_occupancy"),
                key("1", "north", "acute_occupancy"),
                key("all", "all", "emergency_admissions"),
            ],
            service_years: Vec::new(),
            registers: Vec::new(),
        };
        // Year 1 occupancy: 0.80, 0.90, 0.93, 0.96, and one undefined.
        let records: Vec<Record> = [0.80, 0.90, 0.93, 0.96, f64::NAN]
            .iter()
            .enumerate()
            .map(|(r, v)| Record {
                replication: r as u64,
                values: vec![*v, 0.99, 100.0],
            })
            .collect();
        let found = crossings(&schema, &records);
        // Occupancy only (no bed waits in these records), system-wide only.
        assert_eq!(found.len(), 3);
        let probabilities: Vec<(f64, f64, usize)> = found
            .iter()
            .map(|c| (c.threshold.value, c.probability, c.replications))
            .collect();
        // Above 0.85: 3 of 4; above 0.92: 2 of 4; above 0.95: 1 of 4.
        assert_eq!(
            probabilities,
            [(0.85, 0.75, 4), (0.92, 0.5, 4), (0.95, 0.25, 4)]
        );
        assert!(found.iter().all(|c| c.year == "1" && c.icc == "all"));
    }
}
