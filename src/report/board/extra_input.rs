//! The comparison-level files a report draws beyond the differences:
//! the finance table (`finance.csv`, `finance_summary.csv`, docs/report.md
//! "The finance table") and the contribution of each lever
//! (`contributions.csv` of `compare --by-lever`, docs/experiments.md).
//! Each is optional: a comparison written without them has a report
//! without their sections.

use serde::Deserialize;

use crate::report::csv_safe;

/// A row of `finance.csv`: one line of one financial year, scenario −
/// baseline in £ (negative: money saved).
#[derive(Clone, Debug, Deserialize)]
pub struct FinanceRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub scenario: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub year: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub year_start: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub line: String,
    pub mean: Option<f64>,
    pub p05: Option<f64>,
    pub median: Option<f64>,
    pub p95: Option<f64>,
}

/// A row of `finance_summary.csv`: payback and cost per admission avoided.
#[derive(Clone, Debug, Deserialize)]
pub struct FinanceSummaryRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub scenario: String,
    pub replications: usize,
    pub payback_year: Option<u32>,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub payback_year_start: String,
    pub probability_paid_back: Option<f64>,
    pub bought_total_mean: Option<f64>,
    pub net_position_total_mean: Option<f64>,
    pub admissions_avoided_mean: Option<f64>,
    pub cost_per_admission_avoided: Option<f64>,
    pub net_cost_per_admission_avoided: Option<f64>,
}

/// A row of `contributions.csv`: one part of a scenario's difference.
#[derive(Clone, Debug, Deserialize)]
pub struct ContributionRow {
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub scenario: String,
    /// `not_levers`, `lever`, `all_levers`, `interaction` or `total`.
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub part: String,
    #[serde(default, deserialize_with = "csv_safe::deserialize_text")]
    pub lever: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub year: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    pub metric: String,
    pub alone_mean: Option<f64>,
    pub alone_p05: Option<f64>,
    pub alone_p95: Option<f64>,
    pub removed_mean: Option<f64>,
}

/// The comparison-level files of a folder, each empty when absent.
#[derive(Clone, Debug, Default)]
pub struct ComparisonExtras {
    pub finance: Vec<FinanceRow>,
    pub finance_summary: Vec<FinanceSummaryRow>,
    pub contributions: Vec<ContributionRow>,
}

impl ComparisonExtras {
    /// A finance line of a scenario for a year ("1", "2" ...).
    pub fn finance_line(&self, scenario: &str, year: &str, line: &str) -> Option<&FinanceRow> {
        self.finance
            .iter()
            .find(|r| r.scenario == scenario && r.year == year && r.line == line)
    }

    /// The financial years of a scenario's finance table, in order, as
    /// (year, first day).
    pub fn finance_years(&self, scenario: &str) -> Vec<(String, String)> {
        let mut years: Vec<(String, String)> = Vec::new();
        for r in self.finance.iter().filter(|r| r.scenario == scenario) {
            if !years.iter().any(|(y, _)| *y == r.year) {
                years.push((r.year.clone(), r.year_start.clone()));
            }
        }
        years.sort_by_key(|(y, _)| y.parse::<u32>().unwrap_or(u32::MAX));
        years
    }

    pub fn finance_summary(&self, scenario: &str) -> Option<&FinanceSummaryRow> {
        self.finance_summary.iter().find(|r| r.scenario == scenario)
    }

    /// The parts of a scenario's difference in `metric` over `year`
    /// ("all" or the last year's number), in file order.
    pub fn contributions(&self, scenario: &str, metric: &str, year: &str) -> Vec<&ContributionRow> {
        self.contributions
            .iter()
            .filter(|r| r.scenario == scenario && r.metric == metric && r.year == year)
            .collect()
    }
}
