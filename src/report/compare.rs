//! Renderers of paired comparisons: `comparison.csv` (every shared value:
//! baseline and scenario means, the paired difference with its 95% CI, the
//! relative difference and the variance ratio of pairing) and a table of
//! the headline differences for the terminal.

use crate::experiment::compare::Difference;

use super::csv_safe::neutralise;
use super::tables::{columns, round_for_reading};
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

/// `comparison.csv`: one row per scenario × shared value.
pub fn comparison_csv(baseline: &str, comparisons: &[(String, Vec<Difference>)]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
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
    ]);
    let baseline = neutralise(baseline);
    for (scenario, diffs) in comparisons {
        let scenario = neutralise(scenario);
        for d in diffs {
            let [service, patient_type, year, icc, band] = label_columns(d);
            let relative = if d.base.mean != 0.0 {
                d.diff.mean / d.base.mean
            } else {
                f64::NAN
            };
            let _ = writer.write_record([
                &*baseline,
                &scenario,
                &neutralise(d.key.table),
                &neutralise(&service),
                &neutralise(&patient_type),
                &neutralise(&year),
                &neutralise(&icc),
                &neutralise(&band),
                &neutralise(&d.key.metric),
                &neutralise(&d.key.unit),
                &d.diff.n.to_string(),
                &cell(d.base.mean),
                &cell(d.alt.mean),
                &cell(d.diff.mean),
                &cell(d.diff.sd),
                &cell(d.diff.ci_low),
                &cell(d.diff.ci_high),
                &cell(relative),
                &ratio_cell(d.variance_ratio),
            ]);
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// "−3.1% (−3.8% to −2.4%)", relative to the baseline mean.
fn percent(d: &Difference) -> String {
    if d.base.mean == 0.0 || !d.base.mean.is_finite() {
        return "–".into();
    }
    let p = |v: f64| format!("{:+.1}%", 100.0 * v / d.base.mean);
    if d.diff.ci_low.is_finite() {
        format!(
            "{} ({} to {})",
            p(d.diff.mean),
            p(d.diff.ci_low),
            p(d.diff.ci_high)
        )
    } else {
        p(d.diff.mean)
    }
}

/// The chosen values of one comparison as a table, and the median variance
/// ratio over them.
pub fn comparison_table(scenario: &str, baseline: &str, rows: &[&Difference]) -> String {
    let mut table: Vec<Vec<String>> = vec![vec![
        "outcome".into(),
        baseline.to_string(),
        scenario.to_string(),
        "difference (95% CI)".into(),
        "relative (95% CI)".into(),
        "pairing ×".into(),
    ]];
    for d in rows {
        let what = match d.key.table {
            "metrics" if d.key.labels[0] != "system" => {
                format!("{} {}", d.key.labels[0], d.key.metric)
            }
            _ => d.key.metric.clone(),
        };
        let ci = if d.diff.ci_low.is_finite() {
            format!(
                "{} ({} to {})",
                round_for_reading(d.diff.mean),
                round_for_reading(d.diff.ci_low),
                round_for_reading(d.diff.ci_high)
            )
        } else {
            round_for_reading(d.diff.mean)
        };
        table.push(vec![
            what,
            round_for_reading(d.base.mean),
            round_for_reading(d.alt.mean),
            ci,
            percent(d),
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
    let mut out = format!("{scenario} against {baseline} (paired: common random numbers)\n\n");
    out.push_str(&columns(&table, &[false, true, true, false, false, true]));
    if median.is_finite() {
        out.push_str(&format!(
            "\nPairing: the median variance ratio over these outcomes is {} (independent runs would need about {}× as many replications for the same intervals).\n",
            round_for_reading(median),
            round_for_reading(median)
        ));
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
