//! `variance_split.csv`: in a folder made with `--outer N --inner M`, the
//! variance of each headline value (and, in a comparison, of each paired
//! difference ALT − BASE) split into "evidence" (between the outer draws
//! of the uncertain values), "chance" (between the inner streams of
//! patients) and their interaction, by the crossed two-way analysis of
//! variance of [`crate::stats::two_way`]. The columns are documented in
//! docs/experiments.md.
//!
//! The values split are the headline outcomes of the comparison view (for
//! a whole-system scenario over all years and each year, all ICCs and
//! ages; otherwise each service's, all patient types) and every uncertain
//! value's draw (service `parameter`), which is pure evidence by
//! construction: a check that the design is what it says.

use crate::experiment::nested::Nested;
use crate::experiment::record::{PARAMETER, Record, Schema};
use crate::model::metrics::{self, View};
use crate::stats::two_way::TwoWay;

use super::csv_safe::neutralise;
use super::tidy::cell;

/// A value of the records that is split: its labels and position.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Value {
    /// A service, `parameter`, or `system` (a whole-system outcome).
    service: String,
    /// `all` or the year's number.
    year: String,
    year_start: String,
    metric: String,
    unit: String,
}

/// One row of `variance_split.csv`.
#[derive(Clone, Debug)]
pub struct SplitRow {
    pub scenario: String,
    /// Empty for a scenario's own value; the baseline for a difference.
    pub baseline: String,
    /// `value` or `difference`.
    pub quantity: &'static str,
    pub service: String,
    pub year: String,
    pub year_start: String,
    pub metric: String,
    pub unit: String,
    pub split: TwoWay,
}

/// The values of `schema` that are split, with their positions.
fn values(schema: &Schema) -> Vec<(Value, usize)> {
    let mut out = Vec::new();
    let service_headlines = metrics::service_headlines(View::Compare);
    for (k, key) in schema.metrics.iter().enumerate() {
        let headline = key.patient_type == "all"
            && key.service != "system"
            && service_headlines.contains(&key.metric.as_str());
        if (headline && schema.breakdown.is_empty()) || key.service == PARAMETER {
            out.push((
                Value {
                    service: key.service.clone(),
                    year: "all".into(),
                    year_start: String::new(),
                    metric: key.metric.clone(),
                    unit: key.unit.clone(),
                },
                k,
            ));
        }
    }
    let whole = metrics::whole_system_headlines(View::Compare);
    for name in whole {
        for (k, key) in schema.breakdown.iter().enumerate() {
            if key.metric == name && key.icc == "all" && key.age_band == "all" {
                out.push((
                    Value {
                        service: "system".into(),
                        year: key.year.clone(),
                        year_start: key.year_start.clone(),
                        metric: key.metric.to_string(),
                        unit: key.unit.clone(),
                    },
                    schema.metrics.len() + k,
                ));
            }
        }
    }
    out
}

/// The rows of one scenario's values, and (given the baseline's schema
/// and records, run with the same design) of its paired differences from
/// the baseline. A value missing from some replication is left out.
pub fn split_rows(
    design: Nested,
    scenario: &str,
    schema: &Schema,
    records: &[Record],
    baseline: Option<(&str, &Schema, &[Record])>,
) -> Vec<SplitRow> {
    let mut rows = Vec::new();
    let ours = values(schema);
    let row = |value: &Value, baseline: &str, quantity, split| SplitRow {
        scenario: scenario.to_string(),
        baseline: baseline.to_string(),
        quantity,
        service: value.service.clone(),
        year: value.year.clone(),
        year_start: value.year_start.clone(),
        metric: value.metric.clone(),
        unit: value.unit.clone(),
        split,
    };
    for (value, k) in &ours {
        if let Some(split) = design.split(records, |r| r.values[*k]) {
            rows.push(row(value, "", "value", split));
        }
    }
    if let Some((name, base_schema, base_records)) = baseline {
        let theirs = values(base_schema);
        for (value, k) in &ours {
            // A drawn value is the same draw in both: no difference to split.
            if value.service == PARAMETER {
                continue;
            }
            let Some((_, b)) = theirs.iter().find(|(v, _)| v == value) else {
                continue;
            };
            let base_of: std::collections::HashMap<u64, f64> = base_records
                .iter()
                .map(|r| (r.replication, r.values[*b]))
                .collect();
            let difference = |r: &Record| {
                base_of
                    .get(&r.replication)
                    .map_or(f64::NAN, |base| r.values[*k] - base)
            };
            if let Some(split) = design.split(records, difference) {
                rows.push(row(value, name, "difference", split));
            }
        }
    }
    rows
}

/// The columns of `variance_split.csv`, in order.
pub const COLUMNS: &[&str] = &[
    "scenario",
    "baseline",
    "quantity",
    "service",
    "year",
    "year_start",
    "metric",
    "unit",
    "outer",
    "inner",
    "mean",
    "total_variance",
    "evidence_variance",
    "chance_variance",
    "interaction_variance",
    "evidence_share",
    "chance_share",
    "interaction_share",
    "mean_square_outer",
    "mean_square_inner",
    "mean_square_residual",
];

/// `variance_split.csv`.
pub fn variance_split_csv(rows: &[SplitRow]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    for r in rows {
        let s = &r.split;
        let (evidence, chance, interaction) = s.shares();
        let _ = writer.write_record([
            &*neutralise(&r.scenario),
            &neutralise(&r.baseline),
            r.quantity,
            &neutralise(&r.service),
            &neutralise(&r.year),
            &neutralise(&r.year_start),
            &neutralise(&r.metric),
            &neutralise(&r.unit),
            &s.rows.to_string(),
            &s.columns.to_string(),
            &cell(s.mean),
            &cell(s.total_variance),
            &cell(s.row_variance),
            &cell(s.column_variance),
            &cell(s.residual_variance),
            &cell(evidence),
            &cell(chance),
            &cell(interaction),
            &cell(s.mean_square_rows),
            &cell(s.mean_square_columns),
            &cell(s.mean_square_residual),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// A short table for the terminal: the whole-window rows (system outcomes
/// over all years, or each service's), with the shares in percent.
pub fn split_table(rows: &[SplitRow]) -> String {
    let mut table = vec![vec![
        "scenario".to_string(),
        "quantity".into(),
        "outcome".into(),
        "sd".into(),
        "evidence".into(),
        "chance".into(),
        "interaction and noise".into(),
    ]];
    let percent = |x: f64| {
        if x.is_finite() {
            format!("{:.0}%", 100.0 * x)
        } else {
            "–".into()
        }
    };
    for r in rows
        .iter()
        .filter(|r| r.year == "all" && r.service != PARAMETER)
    {
        let (e, c, i) = r.split.shares();
        let outcome = if r.service == "system" {
            r.metric.clone()
        } else {
            format!("{}.{}", r.service, r.metric)
        };
        table.push(vec![
            r.scenario.clone(),
            if r.quantity == "difference" {
                format!("− {}", r.baseline)
            } else {
                "value".into()
            },
            outcome,
            // The sd of the outcome across all N·M replications.
            super::tables::format_sd(&r.unit, r.split.total_variance.sqrt()),
            percent(e),
            percent(c),
            percent(i),
        ]);
    }
    let mut out = super::tables::columns(&table, &[false, false, false, true, true, true, true]);
    // With few outer draws the evidence's variance is estimated from few
    // numbers, and a component may exceed the whole variance: say so
    // rather than let the shares look precise.
    let shown = || {
        rows.iter()
            .filter(|r| r.year == "all" && r.service != PARAMETER)
    };
    let draws = shown().map(|r| r.split.rows).min().unwrap_or(0);
    let exceeds = shown().any(|r| {
        let s = &r.split;
        s.row_variance
            .max(s.column_variance)
            .max(s.residual_variance)
            > s.total_variance
    });
    out.push_str("\nsd: across all N·M replications; evidence, chance, interaction and noise: each component's share of the components' sum.\nThe precision (95% CI of mean) in the tables above treats the N·M replications as independent: with a nested design it is too narrow where the evidence share is large (the M replications of a draw share its values).\n");
    if draws > 0 && (draws < ROUGH_BELOW || exceeds) {
        out.push_str(&format!(
            "The split is rough: {draws} outer draws{} estimate the evidence's part from few numbers; use --outer {ROUGH_BELOW} or more for shares to rely on.\n",
            if exceeds {
                ", and a component larger than the whole variance,"
            } else {
                ""
            }
        ));
    }
    out
}

/// Fewer outer draws than this make a rough split.
pub const ROUGH_BELOW: usize = 10;
