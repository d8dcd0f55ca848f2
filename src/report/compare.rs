//! Renderers of paired comparisons: `comparison.csv` and the rows of
//! `comparison.json` (every shared value: baseline and scenario means, the
//! paired difference with its 95% CI, the relative difference and the
//! variance ratio of pairing; then the distribution of the paired
//! differences, which way is better and the probability that the change is
//! better or worse) and a table of the headline differences for the
//! terminal.

use crate::experiment::compare::Difference;

use super::csv_safe::neutralise;
use super::tables::{columns, format_precision, format_spread, format_value, round_for_reading};
use super::tidy::cell;

/// `comparison.json`: what a comparison ran, and the folder of each
/// scenario's summaries (beside `comparison.csv`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ComparisonManifest {
    pub iccsim_version: String,
    pub seed: u64,
    pub replications: u64,
    /// `--set` changes of the compared scenarios.
    pub set: Vec<String>,
    /// `--set-all` changes of every scenario.
    pub set_all: Vec<String>,
    pub baseline: ManifestScenario,
    pub scenarios: Vec<ManifestScenario>,
    /// Every row of `comparison.csv`, as an object keyed by its column
    /// names (numbers as numbers, an empty cell as null, an infinite
    /// variance ratio as "inf").
    #[serde(default)]
    pub rows: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// A scenario of a comparison: its name (as in `comparison.csv`) and the
/// folder, beside `comparison.csv`, of its summaries.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ManifestScenario {
    pub name: String,
    pub folder: String,
}

pub fn manifest_json(manifest: &ComparisonManifest) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The labels of a key as (service, patient_type, year, icc, age_band).
fn label_columns(d: &Difference) -> [String; 5] {
    let l = &d.key.labels;
    match d.key.table {
        "metrics" => [
            l[0].clone(),
            l[1].clone(),
            String::new(),
            String::new(),
            String::new(),
        ],
        _ => [
            String::new(),
            String::new(),
            l[0].clone(),
            l[1].clone(),
            l[2].clone(),
        ],
    }
}

/// The columns of `comparison.csv` (and the keys of each row of
/// `comparison.json`), in order: those before `difference_p05` as they
/// always were, the distribution of the differences after.
pub const COMPARISON_COLUMNS: [&str; 30] = [
    "baseline",
    "scenario",
    "table",
    "service",
    "patient_type",
    "year",
    "icc",
    "age_band",
    "metric",
    "unit",
    "n",
    "baseline_mean",
    "scenario_mean",
    "difference_mean",
    "difference_sd",
    "difference_ci95_low",
    "difference_ci95_high",
    "relative_difference",
    "variance_ratio",
    "difference_p05",
    "difference_p25",
    "difference_median",
    "difference_p75",
    "difference_p95",
    "better",
    "probability_better",
    "probability_worse",
    "relative_p05",
    "relative_median",
    "relative_p95",
];

/// A cell of a comparison row: text, or a number (NaN when undefined).
enum Value {
    Text(String),
    Number(f64),
    Ratio(f64),
}

/// Zero without its sign: a relative difference of 0 over a negative
/// baseline, or a mean of such, is -0.0, which would print as `-0`.
fn unsigned_zero(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v }
}

impl Value {
    fn csv(&self) -> String {
        match self {
            Value::Text(text) => neutralise(text).into_owned(),
            Value::Number(v) => cell(unsigned_zero(*v)),
            Value::Ratio(r) => ratio_cell(unsigned_zero(*r)),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Value::Text(text) => serde_json::Value::String(text.clone()),
            Value::Ratio(r) if *r == f64::INFINITY => "inf".into(),
            Value::Number(v) | Value::Ratio(v) => serde_json::Number::from_f64(unsigned_zero(*v))
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
        }
    }
}

/// One row's cells, in the order of [`COMPARISON_COLUMNS`].
fn row_values(baseline: &str, scenario: &str, d: &Difference) -> [Value; 30] {
    let [service, patient_type, year, icc, band] = label_columns(d);
    let relative = if d.base.mean != 0.0 {
        d.diff.mean / d.base.mean
    } else {
        f64::NAN
    };
    let text = |s: &str| Value::Text(s.to_string());
    use Value::Number as N;
    [
        text(baseline),
        text(scenario),
        text(d.key.table),
        Value::Text(service),
        Value::Text(patient_type),
        Value::Text(year),
        Value::Text(icc),
        Value::Text(band),
        text(&d.key.metric),
        text(&d.key.unit),
        N(d.diff.n as f64),
        N(d.base.mean),
        N(d.alt.mean),
        N(d.diff.mean),
        N(d.diff.sd),
        N(d.diff.ci_low),
        N(d.diff.ci_high),
        N(relative),
        Value::Ratio(d.variance_ratio),
        N(d.diff.p05),
        N(d.diff.p25),
        N(d.diff.median),
        N(d.diff.p75),
        N(d.diff.p95),
        text(d.better.as_str()),
        N(d.probability_better),
        N(d.probability_worse),
        N(d.relative.p05),
        N(d.relative.median),
        N(d.relative.p95),
    ]
}

/// `comparison.csv`: one row per scenario × shared value.
pub fn comparison_csv(baseline: &str, comparisons: &[(String, Vec<Difference>)]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COMPARISON_COLUMNS);
    for (scenario, diffs) in comparisons {
        for d in diffs {
            let _ = writer.write_record(row_values(baseline, scenario, d).iter().map(Value::csv));
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// The rows of `comparison.csv` as JSON objects, for `comparison.json`.
pub fn comparison_rows(
    baseline: &str,
    comparisons: &[(String, Vec<Difference>)],
) -> Vec<serde_json::Map<String, serde_json::Value>> {
    comparisons
        .iter()
        .flat_map(|(scenario, diffs)| {
            diffs.iter().map(move |d| {
                COMPARISON_COLUMNS
                    .iter()
                    .zip(row_values(baseline, scenario, d))
                    .map(|(column, value)| (column.to_string(), value.json()))
                    .collect()
            })
        })
        .collect()
}

/// The chosen values of one comparison as a table: the baseline's and the
/// scenario's medians, the median paired difference with the middle 90% of
/// replications, the probability that the scenario is better, the 95% CI
/// of the mean difference as the simulation's precision, and the variance
/// ratio of pairing (with its median over the rows, explained under the
/// table).
/// `case` is run.json's: a fixed case is named in the heading and its
/// footnote says the spread is chance alone.
pub fn comparison_table(
    scenario: &str,
    baseline: &str,
    rows: &[&Difference],
    case: &str,
) -> String {
    let mut table: Vec<Vec<String>> = vec![vec![
        "outcome".into(),
        "unit".into(),
        format!("{baseline} (median)"),
        format!("{scenario} (median)"),
        "difference: median (middle 90%)".into(),
        "P(better)".into(),
        "precision (95% CI of mean)".into(),
        "pairing ×".into(),
    ]];
    for d in rows {
        let what = match d.key.table {
            "metrics" if d.key.labels[0] != "system" => {
                format!("{} {}", d.key.labels[0], d.key.metric)
            }
            _ => d.key.metric.clone(),
        };
        let unit = d.key.unit.as_str();
        let shown_unit = if unit == "fraction" {
            "% (diff.: points)"
        } else {
            unit
        };
        let probability = if d.probability_better.is_finite() {
            format!("{:.0}%", 100.0 * d.probability_better)
        } else {
            "–".into()
        };
        table.push(vec![
            what,
            shown_unit.to_string(),
            format_value(unit, d.base.median),
            format_value(unit, d.alt.median),
            format_spread(unit, &d.diff, true),
            probability,
            format_precision(unit, &d.diff, true),
            round_for_reading(d.variance_ratio),
        ]);
    }
    // Infinite ratios (no paired variance left) are not averaged over.
    let ratios: Vec<f64> = rows
        .iter()
        .map(|d| d.variance_ratio)
        .filter(|r| r.is_finite())
        .collect();
    let median = crate::stats::Summary::of(&ratios).median;
    let n = rows.first().map_or(0, |d| d.diff.n);
    let mut out = format!(
        "{scenario} against {baseline} (paired: common random numbers; {n} replications{})\n\n",
        super::tables::case_heading(case)
    );
    out.push_str(&columns(
        &table,
        &[false, false, true, true, false, true, false, true],
    ));
    out.push_str(
        "\ndifference: scenario - baseline, replication by replication; P(better): the share of replications in which the scenario is better (– where no direction is better).\n",
    );
    out.push_str(&super::tables::spread_and_precision(case));
    out.push_str("pairing ×: how many times more replications independent runs would need for the same precision (variance of unpaired over paired differences)");
    if median.is_finite() {
        out.push_str(&format!(
            "; median over these outcomes {}.\n",
            round_for_reading(median)
        ));
    } else {
        out.push_str(".\n");
    }
    out
}

/// The variance ratio as a cell: `inf` when pairing left no variance at
/// all (pandas and R read it as infinity), empty when undefined.
fn ratio_cell(ratio: f64) -> String {
    if ratio == f64::INFINITY {
        "inf".into()
    } else {
        cell(ratio)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::compare::paired;
    use crate::experiment::record::{MetricKey, Record, Schema};

    /// A value below zero that the scenario leaves as it is: every paired
    /// difference is 0, and the relative difference (mean difference over
    /// the baseline's mean) 0 / negative = -0.0.
    #[test]
    fn a_zero_difference_of_negative_values_prints_0_not_minus_0() {
        let schema = Schema {
            metrics: vec![MetricKey {
                service: "system".into(),
                patient_type: "all".into(),
                metric: "net_change".into(),
                unit: "GBP".into(),
            }],
            breakdown: Vec::new(),
            service_years: Vec::new(),
            registers: Vec::new(),
        };
        let records: Vec<Record> = [-4.0, -6.0, -5.0]
            .iter()
            .enumerate()
            .map(|(r, v)| Record {
                replication: r as u64,
                values: vec![*v],
            })
            .collect();
        let diffs = paired(&schema, &records, &schema, &records);
        // The case this guards: the relative differences are negative zeros.
        let d = &diffs[0];
        assert!((d.diff.mean / d.base.mean).is_sign_negative());
        let comparisons = vec![("same".to_string(), diffs)];
        let text = String::from_utf8(comparison_csv("base", &comparisons)).unwrap();
        let row = text.lines().nth(1).unwrap();
        let cells: Vec<&str> = row.split(',').collect();
        assert!(!cells.contains(&"-0"), "{row}");
        for column in ["difference_mean", "relative_difference", "relative_median"] {
            let k = COMPARISON_COLUMNS
                .iter()
                .position(|c| *c == column)
                .unwrap();
            assert_eq!(cells[k], "0", "{column} in {row}");
        }
        let rows = comparison_rows("base", &comparisons);
        let json = serde_json::to_string(&rows).unwrap();
        assert!(!json.contains("-0.0"), "{json}");
    }
}
