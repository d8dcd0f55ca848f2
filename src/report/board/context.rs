//! What every section of the report shares: the results read, the
//! years the charts show, the period in words, and the price year.

use crate::engine::calendar::CalendarDate;

use super::input::{ReportInput, ScenarioResults};
use super::words::{year_label, years_in_words};

/// What a report needs to know of the comparison it draws, for words.
pub(super) struct Context<'a> {
    pub(super) input: &'a ReportInput,
    /// The folder beside the page holding the charts' files.
    pub(super) charts_folder: String,
    /// The years the charts show ("1", "2" ...): the whole years of the
    /// run (a part year at the end would read as a fall), or every year
    /// when none is whole.
    pub(super) years: Vec<String>,
    /// A sentence on a part year left out of the yearly charts, if any.
    pub(super) part_year: Option<String>,
    pub(super) year_labels: Vec<String>,
    /// "over the five years 2025/26 to 2029/30"
    pub(super) period: String,
}

impl Context<'_> {
    pub(super) fn new<'a>(input: &'a ReportInput, charts_folder: &str) -> Context<'a> {
        let run = &input.baseline.run;
        let all_years = input.baseline.years();
        // A year is whole when the window reaches its anniversary.
        let start = CalendarDate::parse(&run.start_date).ok();
        let whole = |year: &str| -> bool {
            let (Some(start), Ok(k)) = (start, year.parse::<i64>()) else {
                return true;
            };
            let end = start.add_months(12 * k).day_number() - start.day_number();
            end as f64 <= run.horizon_days + 0.5
        };
        let full: Vec<(String, String)> = all_years
            .iter()
            .filter(|(y, _)| whole(y))
            .cloned()
            .collect();
        let (years, part_year) = if full.is_empty() || full.len() == all_years.len() {
            (all_years.clone(), None)
        } else {
            let shown = full.len();
            let days = run.horizon_days
                - start.map_or(0.0, |s| {
                    (s.add_months(12 * shown as i64).day_number() - s.day_number()) as f64
                });
            (
                full,
                Some(format!(
                    "The yearly charts show only whole years ({}); the last {} days, a part year, count in the totals.",
                    shown,
                    days.round()
                )),
            )
        };
        let year_labels: Vec<String> = years.iter().map(|(_, s)| year_label(s)).collect();
        let period = if part_year.is_some() || all_years.is_empty() {
            format!("over {} days", run.horizon_days)
        } else {
            match (year_labels.first(), year_labels.last()) {
                (Some(a), Some(b)) if a != b => {
                    format!("over the {} {a} to {b}", years_in_words(years.len()))
                }
                (Some(a), _) => format!("over {a}"),
                _ => format!("over {} days", run.horizon_days),
            }
        };
        Context {
            input,
            charts_folder: charts_folder.to_string(),
            years: years.into_iter().map(|(y, _)| y).collect(),
            part_year,
            year_labels,
            period,
        }
    }
}

pub(super) fn price_year(results: &ScenarioResults) -> String {
    results
        .breakdown
        .iter()
        .find(|r| r.metric == "cost_total")
        .and_then(|r| r.unit.strip_prefix("GBP "))
        .map_or("the scenario's".to_string(), |u| {
            u.trim_end_matches(" prices").to_string()
        })
}
