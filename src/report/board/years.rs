//! Two tables of a scenario against the baseline: the change year by year
//! (so a board sees the year before anything changed apart from the years
//! at full effect, not a five-year average of both), and the chance of
//! crossing the thresholds a board cares about (`thresholds.csv`).

use super::context::Context;
use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};
use super::summary::HeadlineYear;
use super::words::{self, Kind};

/// The outcomes the year-by-year table shows, in order, when present.
const YEARLY: &[&str] = &[
    "emergency_admissions",
    "acute_bed_days",
    "acute_occupancy",
    "bed_wait_mean",
    "bed_wait_p90",
    "bed_waits_over_12h",
    "beds_needed_92pct",
    "acute_delayed_bed_days",
    "cost_total",
];

/// The change each year: median (middle 90% of replications), and how
/// many replications improved.
pub(super) fn yearly_table(
    context: &Context,
    index: usize,
    scenario: &ScenarioResults,
    full: Option<&HeadlineYear>,
) -> String {
    let input = context.input;
    let name = &scenario.run.scenario_name;
    if context.years.len() < 2 {
        return String::new();
    }
    let mut header = vec![text_cell("Outcome")];
    for (key, label) in context.years.iter().zip(&context.year_labels) {
        // Marked only when run.json says which year is at full effect.
        let marked =
            scenario.extras.first_full_year.is_some() && full.is_some_and(|f| f.key == *key);
        header.push(number(if marked {
            format!("{label} (full effect)")
        } else {
            label.clone()
        }));
    }
    let mut rows = Vec::new();
    for metric in YEARLY {
        let Some(o) = words::headline(metric).or_else(|| words::outcome_of(metric)) else {
            continue;
        };
        let cells: Vec<page::Cell> = context
            .years
            .iter()
            .map(|y| {
                input
                    .difference(name, metric, y, "all")
                    .map_or("–".into(), |r| {
                        let change = if o.kind == Kind::Share {
                            words::spread_cell(o.kind, r)
                        } else {
                            words::relative_spread_cell(r)
                        };
                        match words::replications_better(r) {
                            Some(b) => format!("{change}; better in {b}"),
                            None => change,
                        }
                    })
            })
            .map(number)
            .collect();
        if cells.iter().all(|c| c.text == "–") {
            continue;
        }
        let mut row = vec![text_cell(o.label)];
        row.extend(cells);
        rows.push((Some(metric.to_string()), row));
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut out = page::heading(3, "Year by year");
    out.push_str(&page::table(
        &format!("years-{}", index + 1),
        &header,
        &rows,
    ));
    out.push_str(&page::paragraph(
        "note",
        "Each cell: the median change against the baseline in that year (per cent of the baseline; occupancy in percentage points) with the middle 90% of replications in brackets, and how many paired replications did better than the baseline.",
    ));
    out
}

/// The thresholds a board cares about, in the order shown.
const THRESHOLDS: &[(&str, f64, &str)] = &[
    (
        "acute_occupancy",
        0.92,
        "Year's mean acute occupancy above 92%",
    ),
    (
        "acute_occupancy",
        0.95,
        "Year's mean acute occupancy above 95%",
    ),
    ("bed_wait_mean", 0.5, "Mean wait for a bed above 12 hours"),
    (
        "bed_wait_p90",
        0.5,
        "One patient in ten waits over 12 hours for a bed",
    ),
];

/// The chance of crossing each threshold, baseline against scenario, in
/// the headline year and over the whole run.
pub(super) fn thresholds_table(
    context: &Context,
    index: usize,
    scenario: &ScenarioResults,
    full: Option<&HeadlineYear>,
) -> String {
    let base = &context.input.baseline;
    if scenario.thresholds.is_empty() && base.thresholds.is_empty() {
        return String::new();
    }
    let mut keys: Vec<(String, String)> = Vec::new();
    if let Some(f) = full {
        let i = context.years.iter().position(|y| *y == f.key).unwrap_or(0);
        keys.push((f.key.clone(), context.year_labels[i].clone()));
    }
    keys.push(("all".into(), "all years".into()));
    let mut header = vec![text_cell("Chance that")];
    for (_, label) in &keys {
        header.push(number(format!("Baseline, {label}")));
        header.push(number(format!("Scenario, {label}")));
    }
    let chance = |p: Option<f64>| p.map_or("–".to_string(), |p| format!("{:.0}%", 100.0 * p));
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = THRESHOLDS
        .iter()
        .filter(|(m, t, _)| {
            keys.iter()
                .any(|(k, _)| scenario.threshold(m, *t, k).is_some())
        })
        .map(|(metric, t, label)| {
            let mut row = vec![text_cell(*label)];
            for (k, _) in &keys {
                row.push(number(chance(base.threshold(metric, *t, k))));
                row.push(number(chance(scenario.threshold(metric, *t, k))));
            }
            (Some(format!("{metric}>{t}")), row)
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut out = page::heading(3, "Risks: the chance of crossing a threshold");
    out.push_str(&page::table(
        &format!("thresholds-{}", index + 1),
        &header,
        &rows,
    ));
    out.push_str(&page::paragraph(
        "note",
        "The share of replications in which the year's value (for all years: the value over the whole run) is beyond the threshold (thresholds.csv). Each replication draws chance and the uncertain effects, so this is the chance under the scenario's own assumptions.",
    ));
    out
}
