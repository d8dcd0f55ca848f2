//! The risk registers' counts in a replication's record, for
//! `registers.csv`: for each register, month of the window
//! (`model::register::window_months`) and tier, the counts of
//! [`TierMonth`] ([`MONTH_VALUES`], in that order); then, for each register
//! and window year, the size of the cohort marked at the year's start.
//! Kept in the record (not beside it) so that a batch's checkpoint,
//! resumed or merged, still has them, and `run` and `batch` write the same
//! bytes.

use crate::model::register::{TierMonth, window_months};
use crate::model::{Network, ReplicationResult};

/// The counts kept per (register, month, tier), in record order.
pub const MONTH_VALUES: [&str; 8] = [
    "member_days",
    "caseload_days",
    "cohort_member_days",
    "crises",
    "caseload_crises",
    "admissions",
    "step_ups",
    "cohort_admissions",
];

/// The key of the size of a year's followed cohort.
pub const COHORT_MARKED: &str = "cohort_marked";

/// A register value of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterKey {
    /// Index in `Network::risk_registers`.
    pub register: usize,
    /// The month of the window (index in `window_months`); None for the
    /// size of a year's cohort.
    pub month: Option<usize>,
    /// The window year (of the month, or the cohort's), from 0.
    pub year: usize,
    /// The tier (top first, `rest` last); None for a cohort's size.
    pub tier: Option<usize>,
    /// One of [`MONTH_VALUES`], or [`COHORT_MARKED`].
    pub value: &'static str,
}

/// The register keys of a network's records, in the order
/// [`register_values`] gives the values (none without registers).
pub fn register_keys(network: &Network) -> Vec<RegisterKey> {
    if network.risk_registers.is_empty() {
        return Vec::new();
    }
    let months = window_months(&network.run);
    let mut keys = Vec::new();
    for (r, register) in network.risk_registers.iter().enumerate() {
        for (m, month) in months.iter().enumerate() {
            for tier in 0..register.tiers.len() {
                for value in MONTH_VALUES {
                    keys.push(RegisterKey {
                        register: r,
                        month: Some(m),
                        year: month.year,
                        tier: Some(tier),
                        value,
                    });
                }
            }
        }
    }
    for r in 0..network.risk_registers.len() {
        for year in 0..network.run.window_years() {
            keys.push(RegisterKey {
                register: r,
                month: None,
                year,
                tier: None,
                value: COHORT_MARKED,
            });
        }
    }
    keys
}

/// A month's counts in [`MONTH_VALUES`] order.
fn month_values(month: &TierMonth) -> [f64; MONTH_VALUES.len()] {
    [
        month.member_days,
        month.caseload_days,
        month.cohort_member_days,
        month.crises as f64,
        month.caseload_crises as f64,
        month.admissions as f64,
        month.step_ups as f64,
        month.cohort_admissions as f64,
    ]
}

/// The register values of one replication, in [`register_keys`] order
/// (NaN for any the replication does not have, so that a record keeps
/// its length).
pub fn register_values(network: &Network, result: &ReplicationResult) -> Vec<f64> {
    if network.risk_registers.is_empty() {
        return Vec::new();
    }
    let months = window_months(&network.run).len();
    let years = network.run.window_years();
    let mut values = Vec::new();
    for (r, register) in network.risk_registers.iter().enumerate() {
        let summary = result.registers.get(r);
        for m in 0..months {
            for tier in 0..register.tiers.len() {
                match summary.and_then(|s| s.by_month.get(m)?.get(tier)) {
                    Some(month) => values.extend(month_values(month)),
                    None => values.extend([f64::NAN; MONTH_VALUES.len()]),
                }
            }
        }
    }
    for r in 0..network.risk_registers.len() {
        let marked = result.registers.get(r).map(|s| &s.cohort_marked);
        for year in 0..years {
            values.push(
                marked
                    .and_then(|m| m.get(year))
                    .map_or(f64::NAN, |n| *n as f64),
            );
        }
    }
    values
}
