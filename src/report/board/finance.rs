//! The money a finance director signs: the change in cost by sector as
//! differences with their spread (not absolute bars, whose £0–£1,200m
//! axis hides every change), the finance table by financial year from
//! `finance.csv` (cash-releasing, notional, bought, double running, net
//! cash position and its running total) with the payback year and the
//! cost per admission avoided from `finance_summary.csv` (worded by
//! `cash`: what the cash position counts, beside the total cost), and the
//! price base in words.
//!
//! The table prints thousands of pounds so that its lines add up as
//! printed: cash-releasing, bought and the total change are each rounded
//! from the file's means; notional is the remainder (as `finance.csv`
//! itself makes it), the net position their sum and the cumulative its
//! running total. So no printed figure is more than £1,000 (£2,000 for
//! the derived ones, plus £1,000 a year for the cumulative) from the file.

use super::cash;
use super::charts::{self, BarGroup};
use super::context::{Context, price_year};
use super::drawing::{Chart, chart, y_format};
use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};
use super::words::{self, Kind, year_label};

/// The change in cost by sector and in total, scenario − baseline, each
/// the median with the middle 90% of paired replications.
pub(super) fn cost_change_figure(
    context: &Context,
    folder: &str,
    scenario: &ScenarioResults,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let input = context.input;
    let name = &scenario.run.scenario_name;
    let mut sectors: Vec<(&str, &str)> = words::SECTORS.to_vec();
    if !words::primary_care_modelled(&input.baseline) && !words::primary_care_modelled(scenario) {
        for sector in &mut sectors {
            if sector.0 == "cost_primary_care" {
                sector.1 = "Primary care (not modelled)";
            }
        }
    }
    sectors.push(("cost_total", "Total"));
    let groups: Vec<BarGroup> = sectors
        .iter()
        .map(|(metric, label)| BarGroup {
            label: label.to_string(),
            values: vec![input.difference(name, metric, "all", "all").and_then(
                |d| match d.spread() {
                    Some((lo, median, hi)) => Some((median, lo, hi)),
                    None => d.difference_mean.map(|m| {
                        (
                            m,
                            d.difference_ci95_low.unwrap_or(f64::NAN),
                            d.difference_ci95_high.unwrap_or(f64::NAN),
                        )
                    }),
                },
            )],
        })
        .collect();
    let total = input.difference(name, "cost_total", "all", "all");
    let title = match total.and_then(|d| d.spread()) {
        Some((lo, median, hi)) => format!(
            "Change in cost {}: {} (middle 90% {} to {})",
            context.period,
            words::difference(Kind::Money, median),
            words::difference(Kind::Money, lo),
            words::difference(Kind::Money, hi)
        ),
        None => format!("Change in cost by sector {}", context.period),
    };
    let price = price_year(scenario);
    let labels = vec![(
        "Scenario − baseline: median, middle 90%".to_string(),
        charts::PALETTE[1],
    )];
    let chart = chart!(format!("{folder}-cost-change"), (760, 400), |area| {
        charts::bar_chart(
            area,
            &title,
            &format!("change in £, {price} prices"),
            &labels,
            &groups,
            &[],
            &y_format(Kind::Money),
        )
    })?;
    let caption = format!(
        "Change in cost by who pays, {}, scenario − baseline (below zero: less is spent): median of the paired replications with the middle 90% (whiskers). Community teams and beds are costed as their staff and beds (docs/whole-system.md §10); hospital and care-home activity by the case and the week; {price} prices.",
        context.period
    );
    let html = page::figure(&chart.name, &chart.svg, &caption, &context.charts_folder);
    charts.push(chart);
    Ok(html)
}

/// One year of the table in £ thousands, balanced as printed.
#[derive(Clone, Copy, Debug, Default)]
struct PrintedYear {
    cash_releasing: i64,
    notional: i64,
    bought: i64,
    double_running: i64,
    net_position: i64,
    cumulative: i64,
    total_change: i64,
}

fn thousands(pounds: Option<f64>) -> i64 {
    pounds.map_or(0, |p| (p / 1000.0).round() as i64)
}

fn signed_thousands(k: i64) -> String {
    let text = words::grouped(k.abs() as f64);
    if k < 0 {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

/// The finance table by financial year, with payback, cost per admission
/// avoided and the price base; empty without `finance.csv`.
pub(super) fn finance_table(context: &Context, index: usize, scenario: &ScenarioResults) -> String {
    let extras = &context.input.extras;
    let name = &scenario.run.scenario_name;
    let years = extras.finance_years(name);
    if years.is_empty() {
        return String::new();
    }
    let mean = |year: &str, line: &str| extras.finance_line(name, year, line).and_then(|r| r.mean);
    let mut printed = Vec::new();
    let mut cumulative = 0;
    for (year, _) in &years {
        let cash_releasing = thousands(mean(year, "cash_releasing"));
        let bought = thousands(mean(year, "bought"));
        let total_change = thousands(mean(year, "total_change"));
        let net_position = cash_releasing + bought;
        cumulative += net_position;
        printed.push(PrintedYear {
            cash_releasing,
            notional: total_change - cash_releasing - bought,
            bought,
            double_running: thousands(mean(year, "double_running")),
            net_position,
            cumulative,
            total_change,
        });
    }
    let price = price_year(scenario);
    let mut out = page::heading(3, "The finance table, by financial year");
    let cells = |label: String, p: &PrintedYear, spread: String, cumulative: String| {
        vec![
            text_cell(label),
            number(signed_thousands(p.cash_releasing)),
            number(signed_thousands(p.notional)),
            number(signed_thousands(p.bought)),
            number(signed_thousands(p.double_running)),
            number(signed_thousands(p.net_position)),
            number(spread),
            number(cumulative),
            number(signed_thousands(p.total_change)),
        ]
    };
    let mut rows = Vec::new();
    for ((year, start), p) in years.iter().zip(&printed) {
        let spread = extras
            .finance_line(name, year, "net_position")
            .and_then(|r| Some((r.p05?, r.p95?)))
            .map_or(String::new(), |(lo, hi)| {
                words::unbroken(&format!(
                    "{} to {}",
                    signed_thousands(thousands(Some(lo))),
                    signed_thousands(thousands(Some(hi)))
                ))
            });
        rows.push((
            Some(format!("year-{year}")),
            cells(year_label(start), p, spread, signed_thousands(p.cumulative)),
        ));
    }
    let sum = |f: fn(&PrintedYear) -> i64| printed.iter().map(f).sum::<i64>();
    let all = PrintedYear {
        cash_releasing: sum(|p| p.cash_releasing),
        notional: sum(|p| p.notional),
        bought: sum(|p| p.bought),
        double_running: sum(|p| p.double_running),
        net_position: sum(|p| p.net_position),
        cumulative,
        total_change: sum(|p| p.total_change),
    };
    rows.push((
        Some("all-years".to_string()),
        cells("All years".into(), &all, String::new(), String::new()),
    ));
    out.push_str(&page::table(
        &format!("finance-{}", index + 1),
        &[
            text_cell("Financial year"),
            number("Cash-releasing"),
            number("Notional (not cash)"),
            number("Bought"),
            number("of which double running"),
            number("Net cash position"),
            number("Net: middle 90%"),
            number("Cumulative net"),
            number("Total change in cost"),
        ],
        &rows,
    ));
    let mut notes = vec![format!(
        "£ thousand, {price} prices; scenario − baseline, the mean of {} paired replications (below zero: money saved). Cash-releasing + notional + bought = total change; net cash position = cash-releasing + bought, and the cumulative is its running total. Double running is the part of what is bought not yet matched by cash released that year.",
        scenario.run.replications
    )];
    notes.push(
        "Notional savings are not cash: they are activity avoided whose beds and staff are kept (or used by other patients), so no budget falls by them. Only the cash-releasing line (beds closed, contracts ended) is money the system stops paying.".to_string(),
    );
    notes.push(cash::cash_position_meaning());
    if let Some(s) = extras.finance_summary(name) {
        let unallocated = cash::unallocated_per_year(&scenario.budget);
        let total = context
            .input
            .difference(name, "cost_total", "all", "all")
            .and_then(cash::TotalCost::from_row);
        let paid_from = match (s.payback_year, s.payback_year_start.as_str()) {
            (Some(_), start) if !start.is_empty() => Some(year_label(start)),
            (Some(y), _) => Some(format!("year {y}")),
            (None, _) => None,
        };
        let paid = s
            .probability_paid_back
            .map(|p| ((p * s.replications as f64).round() as usize, s.replications));
        let full_year_net = years
            .last()
            .and_then(|(year, _)| mean(year, "net_position"));
        notes.push(cash::payback_sentence(
            paid_from.as_deref(),
            paid,
            full_year_net,
            unallocated,
            total.as_ref(),
            &context.period,
        ));
        match (s.admissions_avoided_mean, s.cost_per_admission_avoided) {
            (Some(avoided), Some(cost)) if avoided > 0.0 => notes.push(cash::per_admission_sentence(
                s.bought_total_mean.unwrap_or(f64::NAN),
                avoided,
                cost,
                s.net_cost_per_admission_avoided,
                unallocated,
                total.as_ref(),
                &context.period,
            )),
            (Some(avoided), _) => notes.push(format!(
                "No emergency admissions are avoided on the mean ({} {}), so there is no cost per admission avoided.",
                words::difference(Kind::Count, -avoided),
                context.period
            )),
            _ => {}
        }
    }
    notes.push(price_base(&price, &scenario.scenario_text));
    for note in notes {
        out.push_str(&page::paragraph("note", &note));
    }
    out
}

/// "All money at 2023/24 prices; the £345 excess bed-day of 2020/21 is
/// converted with the price index given (…): £389.19." — from the
/// scenario's `[costs]` section.
pub(super) fn price_base(price: &str, scenario_text: &str) -> String {
    let mut sentence = format!("All money at {price} prices");
    let costs = toml::from_str::<toml::Table>(scenario_text)
        .ok()
        .and_then(|t| t.get("costs").and_then(|c| c.as_table()).cloned());
    if let Some(costs) = costs {
        let index = costs.get("deflator").and_then(|d| d.as_table());
        let source = costs
            .get("deflator_source")
            .and_then(|s| s.as_str())
            .unwrap_or("the scenario's price index");
        let short_source = source
            .split(['(', ',', ';'])
            .next()
            .unwrap_or(source)
            .trim();
        let mut converted = Vec::new();
        if let Some(years) = costs.get("price_years").and_then(|p| p.as_table()) {
            for (key, year) in years {
                let (Some(year), Some(value)) = (
                    year.as_str(),
                    costs
                        .get(key)
                        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64))),
                ) else {
                    continue;
                };
                let point = |y: &str| {
                    index
                        .and_then(|i| i.get(y))
                        .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                };
                if let (Some(from), Some(to)) = (point(year), point(price)) {
                    converted.push(format!(
                        "the {} {} of {year} becomes £{}",
                        words::money(value),
                        key.replace('_', " "),
                        words::grouped_decimal(value * to / from, 2)
                    ));
                }
            }
        }
        if !converted.is_empty() {
            sentence.push_str(&format!(
                "; costs given in other years are converted with the {short_source}: {}",
                converted.join("; ")
            ));
        }
    }
    sentence.push('.');
    sentence
}
