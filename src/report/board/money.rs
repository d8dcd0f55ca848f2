//! Money in the report: costs by sector with their 95% CIs, and the
//! reinvestment's budget statement beside the simulated costs, and the
//! beds it closes against the acute bed-days it avoids.

use super::cash;
use super::charts::{self, BarGroup};
use super::context::{Context, price_year};
use super::drawing::{Chart, chart, y_format};
use super::figures::series_colours;
use super::input::{self, ScenarioResults};
use super::page::{self, number, words as text_cell};
use super::summary::headline_year;
use super::words::{self, Kind, plain_name};

/// Cost by sector, each series a bar with its 95% CI.
pub(super) fn costs_figure(
    context: &Context,
    folder: &str,
    series: &[(&ScenarioResults, &str)],
    difference: Option<&input::ComparisonRow>,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let groups: Vec<BarGroup> = words::SECTORS
        .iter()
        .map(|(metric, label)| BarGroup {
            label: label.to_string(),
            values: series
                .iter()
                .map(|(r, _)| {
                    r.outcome(metric, "all", "all")
                        .and_then(|row| row.spread.mean_ci())
                })
                .collect(),
        })
        .collect();
    let labels = series_colours(series);
    let title = match difference {
        Some(d) => format!(
            "Total cost {}: {} ({})",
            context.period,
            words::difference(Kind::Money, d.difference_mean.unwrap_or(f64::NAN)),
            words::relative_cell(d)
                .split(' ')
                .next()
                .unwrap_or_default()
        ),
        None => format!("Cost by sector {}", context.period),
    };
    let price = price_year(series[0].0);
    let chart = chart!(format!("{folder}-costs"), (760, 400), |area| {
        charts::bar_chart(
            area,
            &title,
            &format!("£, {price} prices"),
            &labels,
            &groups,
            &[],
            &y_format(Kind::Money),
        )
    })?;
    let caption = format!(
        "Simulated activity costs by who pays, {}: each service's activity (admissions, bed-days, contacts, care-home days) at its unit cost, {price} prices. Whiskers: 95% CI of the mean.",
        context.period
    );
    let html = page::figure(&chart.name, &chart.svg, &caption, &context.charts_folder);
    charts.push(chart);
    Ok(html)
}

/// The reinvestment's budget statement beside the simulated costs.
pub(super) fn budget_table(context: &Context, index: usize, scenario: &ScenarioResults) -> String {
    if scenario.budget.is_empty() {
        return String::new();
    }
    let input = context.input;
    let mut out = page::heading(3, "The reinvestment's budget, a year at full effect");
    let mut items: Vec<(String, String, f64, String, f64)> = Vec::new();
    for line in &scenario.budget {
        match items
            .iter_mut()
            .find(|(lever, item, _, _, _)| *lever == line.lever && *item == line.item)
        {
            Some(entry) => {
                entry.2 += line.units;
                entry.4 += line.gbp_per_year;
            }
            None => items.push((
                line.lever.clone(),
                line.item.clone(),
                line.units,
                line.unit.clone(),
                line.gbp_per_year,
            )),
        }
    }
    let price = scenario
        .budget
        .first()
        .map_or(String::new(), |l| l.price_year.clone());
    let mut rows = Vec::new();
    for (lever, item, units, unit, pounds) in &items {
        let what = if item == "moved_from_acute" {
            "Moved from acute care".to_string()
        } else if let Some(site) = item.strip_prefix("adult_beds_closed_") {
            format!("Adult beds closed at {}", plain_name(site))
        } else if let Some(kind) = item.strip_suffix("_unallocated") {
            format!("{}: left over (not a whole bed or place)", plain_name(kind))
        } else {
            format!("Bought: {}", bought_name(item))
        };
        let amount = if unit == "£" || *units == 0.0 {
            String::new()
        } else {
            format!("{units:.1} {unit}")
        };
        rows.push((
            None,
            vec![
                text_cell(lever.clone()),
                text_cell(what),
                number(amount),
                number(format!("£{}", words::grouped_decimal(*pounds, 2))),
            ],
        ));
    }
    // The balance: what is moved, less what it buys and what is left over.
    // In whole pence, as budget.csv is written.
    let pence = |pounds: f64| (pounds * 100.0).round() as i64;
    let moved: i64 = items
        .iter()
        .filter(|i| i.1 == "moved_from_acute")
        .map(|i| pence(i.4))
        .sum();
    let spent: i64 = items
        .iter()
        .filter(|i| i.1 != "moved_from_acute" && !i.1.starts_with("adult_beds_closed_"))
        .map(|i| pence(i.4))
        .sum();
    let balance = moved - spent;
    rows.push((
        Some("balance".to_string()),
        vec![
            text_cell(""),
            text_cell("Balance: moved, less bought and left over"),
            number(""),
            number(format!(
                "{}£{}.{:02}",
                if balance < 0 { "\u{2212}" } else { "" },
                words::grouped((balance.abs() / 100) as f64),
                balance.abs() % 100
            )),
        ],
    ));
    out.push_str(&page::table(
        &format!("budget-{}", index + 1),
        &[
            text_cell("Lever"),
            text_cell("Line"),
            number("Units"),
            number(format!("£ a year ({price} prices)")),
        ],
        &rows,
    ));
    let community = input
        .difference(&scenario.run.scenario_name, "cost_community", "all", "all")
        .and_then(|r| r.difference_mean);
    if let Some(sentence) = beds_against_bed_days(context, scenario) {
        out.push_str(&page::paragraph("note", &sentence));
    }
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "The budget is money planned a year once the change is complete (budget.csv, exact to the penny). The simulated costs above are different: they price what the services did.{}",
            community.map_or(String::new(), |c| format!(
                " The simulated community activity cost changes by {} {}.",
                words::difference(Kind::Money, c),
                context.period
            ))
        ),
    ));
    out
}

/// A bought item as a board reads it: "GPs", not "Gp".
fn bought_name(item: &str) -> String {
    match item {
        "gp" => "GPs".to_string(),
        "other_clinical" => "Other clinical staff".to_string(),
        "community_day_unit" => "Community day unit places".to_string(),
        other => plain_name(other),
    }
}

/// The beds the reinvestment closes against the acute bed-days it avoids
/// in the headline year (a whole year, so ÷ 365.25 days); `None` without
/// beds closed or a comparison.
fn beds_against_bed_days(context: &Context, scenario: &ScenarioResults) -> Option<String> {
    let closed = cash::beds_closed(&scenario.budget);
    if closed <= 0.0 {
        return None;
    }
    let year = headline_year(context, scenario)?;
    let name = &scenario.run.scenario_name;
    let bed_days = context
        .input
        .difference(name, "acute_bed_days", &year.key, "all")?
        .spread()?;
    let (p05, median, p95) = bed_days;
    let occupancy = context
        .input
        .difference(name, "acute_occupancy", &year.key, "all")
        .and_then(|r| r.spread())
        .map(|(_, median, _)| median);
    Some(cash::beds_sentence(
        closed,
        &year.words,
        (median, p05, p95),
        occupancy,
    ))
}
