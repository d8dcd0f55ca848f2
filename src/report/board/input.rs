//! What a board report is drawn from: a results folder read back from disk.
//! A folder is either one scenario's results (`iccsim run` or `batch`:
//! `run.json`, `summary.csv`, `breakdown_summary.csv`, `budget.csv`,
//! `scenario.toml`) or a comparison (`comparison.csv`, `comparison.json`,
//! and those files for each scenario in a folder of its own), optionally
//! with a tornado table (`tornado.csv`).
//!
//! Reading only files means a report can be redrawn from saved results,
//! on another machine, without simulating again. Every text cell read from
//! CSV goes through [`csv_safe::restore`], which takes off the quote
//! written before a cell a spreadsheet would read as a formula: names come
//! back exactly as the scenario gave them.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::extra_input::ComparisonExtras;
use crate::report::compare::ComparisonManifest;
use crate::report::csv_safe;
use crate::report::tidy::RunInfo;

/// A results folder that cannot make a report, with the file and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct InputError {
    pub path: PathBuf,
    pub message: String,
}

fn fail(path: &Path, message: impl Into<String>) -> InputError {
    InputError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Quantiles and mean of a value across replications (an empty cell,
/// undefined, is None).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Spread {
    pub n: usize,
    pub mean: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    pub p05: Option<f64>,
    pub p25: Option<f64>,
    pub median: Option<f64>,
    pub p75: Option<f64>,
    pub p95: Option<f64>,
}

impl Spread {
    /// (mean, 95% CI low, high) for a bar with whiskers; None without a
    /// mean, NaN ends without an interval.
    pub fn mean_ci(&self) -> Option<(f64, f64, f64)> {
        Some((
            self.mean?,
            self.ci95_low.unwrap_or(f64::NAN),
            self.ci95_high.unwrap_or(f64::NAN),
        ))
    }
}

/// A row of `summary.csv`.
#[derive(Clone, Debug)]
pub struct SummaryRow {
    pub service: String,
    pub patient_type: String,
    pub metric: String,
    pub unit: String,
    pub spread: Spread,
}

/// A row of `breakdown_summary.csv`.
#[derive(Clone, Debug)]
pub struct BreakdownRow {
    pub year: String,
    pub year_start: String,
    pub icc: String,
    pub age_band: String,
    pub metric: String,
    pub unit: String,
    pub spread: Spread,
}

// The csv crate cannot fill a flattened struct with numbers, so the rows
// are read whole and split.
#[derive(Deserialize)]
struct SummaryLine {
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    service: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    patient_type: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    metric: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    unit: String,
    n: usize,
    mean: Option<f64>,
    ci95_low: Option<f64>,
    ci95_high: Option<f64>,
    p05: Option<f64>,
    p25: Option<f64>,
    median: Option<f64>,
    p75: Option<f64>,
    p95: Option<f64>,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    year: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    year_start: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    icc: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    age_band: String,
}

impl SummaryLine {
    fn spread(&self) -> Spread {
        Spread {
            n: self.n,
            mean: self.mean,
            ci95_low: self.ci95_low,
            ci95_high: self.ci95_high,
            p05: self.p05,
            p25: self.p25,
            median: self.median,
            p75: self.p75,
            p95: self.p95,
        }
    }
}

/// A row of `budget.csv`.
#[derive(Clone, Debug, Deserialize)]
pub struct BudgetRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub lever: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub icc: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub item: String,
    pub units: f64,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub unit: String,
    pub gbp_per_year: f64,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub price_year: String,
}

/// A row of `comparison.csv`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ComparisonRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub scenario: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub table: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub service: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub patient_type: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub year: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub icc: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub age_band: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub metric: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub unit: String,
    pub n: usize,
    pub baseline_mean: Option<f64>,
    pub scenario_mean: Option<f64>,
    pub difference_mean: Option<f64>,
    pub difference_ci95_low: Option<f64>,
    pub difference_ci95_high: Option<f64>,
    pub relative_difference: Option<f64>,
    // The spread of the paired differences (I1, helper "stats"): absent
    // from files written before it, hence the defaults.
    #[serde(default)]
    pub difference_p05: Option<f64>,
    #[serde(default)]
    pub difference_p25: Option<f64>,
    #[serde(default)]
    pub difference_median: Option<f64>,
    #[serde(default)]
    pub difference_p75: Option<f64>,
    #[serde(default)]
    pub difference_p95: Option<f64>,
    /// `lower`, `higher` or empty: which way is better for this outcome.
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub better: String,
    #[serde(default)]
    pub probability_better: Option<f64>,
    #[serde(default)]
    pub probability_worse: Option<f64>,
    #[serde(default)]
    pub relative_p05: Option<f64>,
    #[serde(default)]
    pub relative_median: Option<f64>,
    #[serde(default)]
    pub relative_p95: Option<f64>,
}

impl ComparisonRow {
    /// The paired differences' median and middle 90% of replications
    /// (p05, median, p95), when the file carries them.
    pub fn spread(&self) -> Option<(f64, f64, f64)> {
        Some((
            self.difference_p05?,
            self.difference_median?,
            self.difference_p95?,
        ))
    }

    /// The relative differences' median and middle 90%, when given.
    pub fn relative_spread(&self) -> Option<(f64, f64, f64)> {
        Some((
            self.relative_p05?,
            self.relative_median?,
            self.relative_p95?,
        ))
    }
}

/// A row of `thresholds.csv` (I2): the share of replications beyond a
/// threshold a board cares about, for a year or `all`.
#[derive(Clone, Debug, Deserialize)]
pub struct ThresholdRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub scenario: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub year: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub year_start: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub icc: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub metric: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub unit: String,
    pub threshold: f64,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub direction: String,
    pub probability: Option<f64>,
    pub replications: usize,
}

/// A row of `uncertainty.csv` (I5, helper "unc"): an uncertain value and
/// the chance its range gives to no effect or worse. Read as text: only
/// the words and one probability are used.
#[derive(Clone, Debug, Deserialize)]
pub struct UncertaintyRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub key: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub probability_no_effect_or_worse: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub source: String,
}

impl UncertaintyRow {
    pub fn probability(&self) -> Option<f64> {
        self.probability_no_effect_or_worse.trim().parse().ok()
    }
}

/// What run.json says beyond [`RunInfo`], each absent from older files:
/// when the last lever reaches full effect (I3) and which case of the
/// uncertain values was run (I5).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct RunExtras {
    #[serde(default)]
    pub full_effect_from: Option<String>,
    /// 1-based index of the first whole year at full effect.
    #[serde(default)]
    pub first_full_year: Option<u32>,
    /// "drawn", "pessimistic", "0.9" ...
    #[serde(default)]
    pub case: Option<String>,
    /// How the uncertain values are correlated, in a sentence.
    #[serde(default)]
    pub correlation: Option<String>,
}

/// A row of `tornado.csv`.
#[derive(Clone, Debug, Deserialize)]
pub struct TornadoRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub scenario: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub metric: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub unit: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub parameter: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub source: String,
    pub low_value: f64,
    pub high_value: f64,
    pub low_quantile: f64,
    pub high_quantile: f64,
    pub point_mean: Option<f64>,
    pub low_mean: Option<f64>,
    pub high_mean: Option<f64>,
}

/// One scenario's results.
#[derive(Clone, Debug)]
pub struct ScenarioResults {
    pub run: RunInfo,
    pub summary: Vec<SummaryRow>,
    pub breakdown: Vec<BreakdownRow>,
    pub budget: Vec<BudgetRow>,
    /// Threshold probabilities (`thresholds.csv`; empty when absent).
    pub thresholds: Vec<ThresholdRow>,
    pub extras: RunExtras,
    /// The uncertain values (`uncertainty.csv`; empty when absent).
    pub uncertainty: Vec<UncertaintyRow>,
    /// The exact scenario text that was run (merged over what it extends).
    pub scenario_text: String,
    /// The yearly stocks and flows (`stocks_by_period.csv`,
    /// `stock_flow.csv`), when the folder has them.
    pub stock_flow: Option<super::stock_flow::StockFlowPicture>,
}

impl ScenarioResults {
    pub fn is_whole_system(&self) -> bool {
        !self.breakdown.is_empty()
    }

    /// A whole-system outcome for a year ("all" or "1", "2" ...) and ICC
    /// ("all" or its name), all ages.
    pub fn outcome(&self, metric: &str, year: &str, icc: &str) -> Option<&BreakdownRow> {
        self.breakdown
            .iter()
            .find(|r| r.metric == metric && r.year == year && r.icc == icc && r.age_band == "all")
    }

    /// The share of replications beyond a threshold, for a year (or
    /// "all"), ICC "all" (or empty in files without ICCs).
    pub fn threshold(&self, metric: &str, threshold: f64, year: &str) -> Option<f64> {
        self.thresholds
            .iter()
            .find(|t| {
                t.metric == metric
                    && (t.threshold - threshold).abs() < 1e-9
                    && t.year == year
                    && (t.icc == "all" || t.icc.is_empty())
                    && t.direction == "above"
            })
            .and_then(|t| t.probability)
    }

    /// The years of the run, in order, as (label "1", start date).
    pub fn years(&self) -> Vec<(String, String)> {
        let mut years: Vec<(String, String)> = Vec::new();
        for r in &self.breakdown {
            if r.year != "all" && !years.iter().any(|(y, _)| *y == r.year) {
                years.push((r.year.clone(), r.year_start.clone()));
            }
        }
        years.sort_by_key(|(y, _)| y.parse::<u32>().unwrap_or(u32::MAX));
        years
    }

    /// The ICCs, in the order of the results.
    pub fn iccs(&self) -> Vec<String> {
        let mut iccs: Vec<String> = Vec::new();
        for r in &self.breakdown {
            if r.icc != "all" && !iccs.contains(&r.icc) {
                iccs.push(r.icc.clone());
            }
        }
        iccs
    }

    /// A service metric (all patient types).
    pub fn metric(&self, service: &str, metric: &str) -> Option<&SummaryRow> {
        self.summary
            .iter()
            .find(|r| r.service == service && r.patient_type == "all" && r.metric == metric)
    }

    /// The services, in the order of the results.
    pub fn services(&self) -> Vec<String> {
        let mut services: Vec<String> = Vec::new();
        for r in &self.summary {
            let own = !matches!(r.service.as_str(), "system" | "flow" | "parameter");
            if own && !services.contains(&r.service) {
                services.push(r.service.clone());
            }
        }
        services
    }

    /// The flows between kinds of service: (from, to, mean patients).
    pub fn flows(&self) -> Vec<(String, String, f64)> {
        self.summary
            .iter()
            .filter(|r| r.service == "flow")
            .filter_map(|r| {
                let (from, to) = r.metric.split_once("->")?;
                Some((from.to_string(), to.to_string(), r.spread.mean?))
            })
            .collect()
    }
}

/// Everything a report shows.
#[derive(Clone, Debug)]
pub struct ReportInput {
    pub folder: PathBuf,
    pub baseline: ScenarioResults,
    /// The scenarios compared with the baseline (none for one scenario's results).
    pub scenarios: Vec<ScenarioResults>,
    /// Paired differences, for a comparison.
    pub comparison: Vec<ComparisonRow>,
    pub manifest: Option<ComparisonManifest>,
    pub tornado: Vec<TornadoRow>,
    /// The finance table and the contribution of each lever, when written.
    pub extras: ComparisonExtras,
}

impl ReportInput {
    /// Reads a results folder; `tornado` names a `tornado.csv` (or a folder
    /// holding one) when it is not in the results folder itself.
    pub fn read(folder: &Path, tornado: Option<&Path>) -> Result<ReportInput, InputError> {
        if !folder.is_dir() {
            return Err(fail(
                folder,
                "no such folder: give the output folder of `iccsim run`, `batch` or `compare`",
            ));
        }
        let manifest_path = folder.join("comparison.json");
        let (baseline, scenarios, comparison, manifest) = if manifest_path.exists() {
            let manifest: ComparisonManifest = read_json(&manifest_path)?;
            let read = |entry: &crate::report::compare::ManifestScenario| {
                // A folder inside this one, named as compare names them.
                let plain = entry.folder.split('/').all(|part| {
                    !part.is_empty()
                        && !part.starts_with('.')
                        && part
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                });
                if !plain {
                    return Err(fail(
                        &manifest_path,
                        format!(
                            "names the folder {:?}, which is not a folder of this comparison",
                            entry.folder
                        ),
                    ));
                }
                let results = read_scenario(&folder.join(&entry.folder))?;
                // The scenarios' folders and the differences must come from
                // one comparison (an interrupted one can leave a mix).
                if results.run.seed != manifest.seed
                    || results.run.replications != manifest.replications
                {
                    return Err(fail(
                        &folder.join(&entry.folder).join("run.json"),
                        format!(
                            "is seed {} with {} replications, but the comparison (comparison.json) is seed {} with {}: the folder mixes two runs; run the comparison again",
                            results.run.seed,
                            results.run.replications,
                            manifest.seed,
                            manifest.replications
                        ),
                    ));
                }
                Ok(results)
            };
            let baseline = read(&manifest.baseline)?;
            let scenarios = manifest
                .scenarios
                .iter()
                .map(read)
                .collect::<Result<Vec<_>, _>>()?;
            let comparison = read_csv(&folder.join("comparison.csv"))?;
            (baseline, scenarios, comparison, Some(manifest))
        } else if folder.join("comparison.csv").exists() {
            return Err(fail(
                folder,
                "holds comparison.csv but not comparison.json and the scenarios' folders: it was written by an older iccsim; run the comparison again",
            ));
        } else {
            (read_scenario(folder)?, Vec::new(), Vec::new(), None)
        };
        let tornado_file = match tornado {
            Some(path) if path.is_dir() => Some(path.join("tornado.csv")),
            Some(path) => Some(path.to_path_buf()),
            None => Some(folder.join("tornado.csv")).filter(|p| p.exists()),
        };
        let tornado = match tornado_file {
            Some(path) => read_csv(&path)?,
            None => Vec::new(),
        };
        let optional = |name: &str| {
            let path = folder.join(name);
            path.exists().then_some(path)
        };
        let extras = ComparisonExtras {
            finance: optional("finance.csv").map_or(Ok(Vec::new()), |p| read_csv(&p))?,
            finance_summary: optional("finance_summary.csv")
                .map_or(Ok(Vec::new()), |p| read_csv(&p))?,
            contributions: optional("contributions.csv")
                .map_or(Ok(Vec::new()), |p| read_csv(&p))?,
        };
        Ok(ReportInput {
            extras,
            folder: folder.to_path_buf(),
            baseline,
            scenarios,
            comparison,
            manifest,
            tornado,
        })
    }

    /// The paired difference of a whole-system outcome (year, ICC; all ages).
    pub fn difference(
        &self,
        scenario: &str,
        metric: &str,
        year: &str,
        icc: &str,
    ) -> Option<&ComparisonRow> {
        self.comparison.iter().find(|r| {
            r.scenario == scenario
                && r.table == "breakdown"
                && r.metric == metric
                && r.year == year
                && r.icc == icc
                && r.age_band == "all"
        })
    }

    /// The paired difference of a service metric (all patient types).
    pub fn service_difference(
        &self,
        scenario: &str,
        service: &str,
        metric: &str,
    ) -> Option<&ComparisonRow> {
        self.comparison.iter().find(|r| {
            r.scenario == scenario
                && r.table == "metrics"
                && r.service == service
                && r.patient_type == "all"
                && r.metric == metric
        })
    }
}

fn read_text(path: &Path) -> Result<String, InputError> {
    fs::read_to_string(path).map_err(|e| {
        let why = if e.kind() == std::io::ErrorKind::NotFound {
            "missing: give the output folder of `iccsim run`, `batch` or `compare` (results of an older iccsim: run again)".to_string()
        } else {
            format!("cannot be read: {e}")
        };
        fail(path, why)
    })
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, InputError> {
    serde_json::from_str(&read_text(path)?)
        .map_err(|e| fail(path, format!("is not the JSON iccsim writes: {e}")))
}

fn read_csv<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, InputError> {
    let text = read_text(path)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| fail(path, format!("is not the CSV iccsim writes: {e}")))
}

fn read_scenario(folder: &Path) -> Result<ScenarioResults, InputError> {
    let breakdown_path = folder.join("breakdown_summary.csv");
    let budget_path = folder.join("budget.csv");
    let thresholds_path = folder.join("thresholds.csv");
    let run_path = folder.join("run.json");
    let summary_path = folder.join("summary.csv");
    if run_path.exists() && !summary_path.exists() {
        return Err(fail(
            &summary_path,
            "missing: the board is drawn from the summaries, which `batch --outputs` left out; run the batch again with `summary` in --outputs (or without --outputs)",
        ));
    }
    Ok(ScenarioResults {
        run: read_json(&run_path)?,
        extras: read_json(&run_path)?,
        uncertainty: if folder.join("uncertainty.csv").exists() {
            read_csv(&folder.join("uncertainty.csv"))?
        } else {
            Vec::new()
        },
        thresholds: if thresholds_path.exists() {
            read_csv(&thresholds_path)?
        } else {
            Vec::new()
        },
        summary: read_csv::<SummaryLine>(&folder.join("summary.csv"))?
            .into_iter()
            .map(|l| SummaryRow {
                spread: l.spread(),
                service: l.service,
                patient_type: l.patient_type,
                metric: l.metric,
                unit: l.unit,
            })
            .collect(),
        breakdown: if breakdown_path.exists() {
            read_csv::<SummaryLine>(&breakdown_path)?
                .into_iter()
                .map(|l| BreakdownRow {
                    spread: l.spread(),
                    year: l.year,
                    year_start: l.year_start,
                    icc: l.icc,
                    age_band: l.age_band,
                    metric: l.metric,
                    unit: l.unit,
                })
                .collect()
        } else {
            Vec::new()
        },
        budget: if budget_path.exists() {
            read_csv(&budget_path)?
        } else {
            Vec::new()
        },
        scenario_text: read_text(&folder.join("scenario.toml"))?,
        stock_flow: super::stock_flow::read(folder)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tidy::{SUMMARY_COLUMNS, summary_cells};
    use crate::stats::Summary;

    #[test]
    fn a_summary_row_is_read_back_by_the_columns_it_was_written_with() {
        let summary = Summary::of(&[1.0, 2.0, 4.0, 8.0, 16.0]);
        let mut header = vec!["scenario", "service", "patient_type", "metric", "unit"];
        header.extend(SUMMARY_COLUMNS);
        let mut row: Vec<String> = ["base", "ward", "all", "admissions", "patients"]
            .map(String::from)
            .to_vec();
        row.extend(summary_cells(&summary));
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&header).unwrap();
        writer.write_record(&row).unwrap();
        let bytes = writer.into_inner().unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let lines: Vec<SummaryLine> = reader.deserialize().map(Result::unwrap).collect();
        assert_eq!(
            lines[0].spread(),
            Spread {
                n: 5,
                mean: Some(summary.mean),
                ci95_low: Some(summary.ci_low),
                ci95_high: Some(summary.ci_high),
                p05: Some(summary.p05),
                p25: Some(summary.p25),
                median: Some(4.0),
                p75: Some(8.0),
                p95: Some(summary.p95),
            }
        );
        assert_eq!(lines[0].metric, "admissions");
    }
}
