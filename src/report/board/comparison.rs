//! The sections of a comparison: every scenario's headline changes side by
//! side ("at a glance"), and one section per scenario against the
//! baseline: findings in sentences, the headline table, fans, occupancy,
//! costs, flows and ICCs.

use crate::model::metrics::{self, View};

use super::charts;
use super::context::{Context, price_year};
use super::drawing::{Chart, chart, fan_of, unit_words, y_format};
use super::figures::{flow_figure, icc_figure, occupancy_figure};
use super::finance::{cost_change_figure, finance_table};
use super::input::{self, ScenarioResults};
use super::methods::question;
use super::money::budget_table;
use super::page::{self, number, words as text_cell};
use super::services::services_comparison;
use super::summary::headline_year;
use super::waterfall::lever_section;
use super::words::{self, Kind, escape};
use super::years::{thresholds_table, yearly_table};

/// The headline outcomes of every scenario side by side: the median
/// relative change with the middle 90% of replications, and how many
/// replications improved.
pub(super) fn at_a_glance(context: &Context) -> String {
    let input = context.input;
    let glance = metrics::whole_system_headlines(View::AtAGlance);
    let mut header = vec![text_cell("Scenario")];
    for m in &glance {
        if let Some(o) = words::headline(m) {
            header.push(number(o.label));
        }
    }
    let mut spread = false;
    let mut when = Vec::new();
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = input
        .scenarios
        .iter()
        .map(|s| {
            let year = headline_year(context, s);
            let key = year.as_ref().map_or("all", |y| y.key.as_str());
            if let Some(y) = &year {
                when.push(format!("{}: {}", s.run.scenario_title, y.words));
            }
            let mut cells = vec![text_cell(s.run.scenario_title.clone())];
            for m in &glance {
                let row = input.difference(&s.run.scenario_name, m, key, "all");
                spread |= row.is_some_and(|r| r.spread().is_some());
                let cell = match (words::headline(m), row) {
                    (Some(o), Some(r)) => {
                        let change = if o.kind == Kind::Share {
                            words::spread_cell(o.kind, r)
                        } else {
                            words::relative_spread_cell(r)
                        };
                        match words::replications_better(r) {
                            Some(b) => format!("{change}; better in {b}"),
                            None => change,
                        }
                    }
                    _ => "–".into(),
                };
                cells.push(number(cell));
            }
            (Some(s.run.scenario_name.clone()), cells)
        })
        .collect();
    let intro = if spread {
        format!(
            "Each scenario against the baseline ({}): the median change across the paired replications, in per cent of the baseline (occupancy in percentage points), with the middle 90% of replications in brackets, and how many replications did better than the baseline.",
            if when.is_empty() {
                context.period.clone()
            } else {
                when.join("; ")
            }
        )
    } else {
        format!(
            "Each scenario against the baseline, {}: the mean change in per cent of the baseline (occupancy in percentage points), with its 95% CI, which measures only the simulation's precision.",
            context.period
        )
    };
    let note = if spread {
        "The brackets hold 90% of what the replications gave: each replication draws chance and the uncertain effects from their ranges, so this spread does not shrink as more replications are run. The simulation's precision (the 95% CI of the mean) is in each scenario's table."
    } else {
        "These results carry no spread across replications (written by an older iccsim): the interval is the precision of the mean, which shrinks with more replications however uncertain the effects are."
    };
    format!(
        "<section id=\"at-a-glance\">\n{}{}{}{}</section>\n",
        page::heading(2, "At a glance"),
        page::paragraph("", &intro),
        page::table("at-a-glance-table", &header, &rows),
        page::paragraph("note", note),
    )
}

/// One scenario against the baseline.
pub(super) fn scenario_section(
    context: &Context,
    index: usize,
    scenario: &ScenarioResults,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let input = context.input;
    let base = &input.baseline;
    let name = &scenario.run.scenario_name;
    let folder = input
        .manifest
        .as_ref()
        .and_then(|m| m.scenarios.get(index))
        .map_or(name.clone(), |s| s.folder.clone());
    let mut out = format!(
        "<section class=\"scenario\" id=\"scenario-{}\" data-scenario=\"{}\">\n",
        index + 1,
        escape(name)
    );
    out.push_str(&page::heading(2, &scenario.run.scenario_title));
    if let Some(question) = question(&scenario.scenario_text) {
        out.push_str(&page::paragraph("question", &question));
    }
    if !base.is_whole_system() {
        out.push_str(&services_comparison(
            context, index, scenario, &folder, charts,
        )?);
        out.push_str("</section>\n");
        return Ok(out);
    }
    // Findings in sentences, in the first whole year at full effect;
    // then the table, the risks and each year.
    // The costs of each sector are in the table and the chart; the
    // sentences keep to the total.
    let year = headline_year(context, scenario);
    let (key, when) = match &year {
        Some(y) => (y.key.as_str(), y.words.clone()),
        None => ("all", context.period.clone()),
    };
    let findings: Vec<String> = words::headlines()
        .iter()
        .filter(|o| !words::SECTORS.iter().any(|(m, _)| *m == o.metric))
        .filter_map(|o| {
            input
                .difference(name, o.metric, key, "all")
                .map(|r| words::spread_sentence(o, r))
        })
        .collect();
    out.push_str(&page::heading(3, &format!("Findings {when}")));
    out.push_str(&page::list("findings", &findings));
    let header = [
        text_cell("Outcome"),
        number("Baseline"),
        number("Scenario"),
        number("Change: median (middle 90% of replications)"),
        number("Relative change"),
        number("Replications better"),
        number("Simulation precision: mean change (95% CI)"),
    ];
    let primary_care_modelled =
        words::primary_care_modelled(base) || words::primary_care_modelled(scenario);
    let not_modelled = |metric: &str| metric == "cost_primary_care" && !primary_care_modelled;
    let mut group = "";
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = words::headlines()
        .iter()
        .filter_map(|o| {
            let r = input.difference(name, o.metric, key, "all")?;
            Some((o, r))
        })
        .flat_map(|(o, r)| {
            // A short heading row where the kind of outcome changes, so
            // the board reads the table a group at a time.
            let heading = (headline_group(o.metric) != group).then(|| {
                group = headline_group(o.metric);
                (None, vec![text_cell(group)])
            });
            heading.into_iter().chain(std::iter::once((
                Some(o.metric.to_string()),
                vec![
                    text_cell(o.label),
                    number(words::value(o.kind, r.baseline_mean.unwrap_or(f64::NAN))),
                    number(words::value(o.kind, r.scenario_mean.unwrap_or(f64::NAN))),
                    // Primary care without [primary_care] is a cost per
                    // head, the same in both: "£0 (£0 to £0)" would read as
                    // a finding.
                    number(if not_modelled(o.metric) {
                        words::NOT_MODELLED.to_string()
                    } else {
                        words::spread_cell(o.kind, r)
                    }),
                    number(if o.kind == Kind::Share || not_modelled(o.metric) {
                        "–".to_string()
                    } else {
                        words::relative_spread_cell(r)
                    }),
                    number(words::replications_better(r).unwrap_or_else(|| "–".into())),
                    number(words::precision_cell(o.kind, r)),
                ],
            )))
        })
        .collect();
    out.push_str(&page::table(
        &format!("headline-{}", index + 1),
        &header,
        &rows,
    ));
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "Values {when} (counts and costs: totals for the year; occupancy and length of stay: means); money at {} prices. The change is paired replication by replication; its middle 90% carries both chance and the uncertain effects each replication draws from its range. \"Replications better\": how many paired replications moved in the better direction. The last column is only the precision of the mean change: it shrinks as replications are added, however uncertain the effects.",
            price_year(scenario)
        ),
    ));
    out.push_str(&thresholds_table(context, index, scenario, year.as_ref()));
    out.push_str(&yearly_table(context, index, scenario, year.as_ref()));

    // Fan charts of the main outcomes.
    let n = scenario.run.replications;
    let fan_caption = format!(
        "Median across {n} replications (line) with the middle 50% (darker band) and middle 90% (lighter band) of replications, by year. Blue: baseline; vermillion: scenario. The title gives the change {}, scenario − baseline: the median of the paired replications' relative differences, with their middle 90%.",
        context.period
    );
    out.push_str(&page::heading(3, "Over the years"));
    for metric in metrics::whole_system_headlines(View::Fans) {
        let Some(o) = words::headline(metric) else {
            continue;
        };
        let fans = [
            fan_of(context, base, metric, "all", "Baseline", 0),
            fan_of(context, scenario, metric, "all", "Scenario", 1),
        ];
        let title = match input.difference(name, metric, "all", "all") {
            Some(r) => format!("{}: {}", o.label, change_phrase(r, &context.period)),
            None => o.label.to_string(),
        };
        let chart_name = format!("{folder}-{}", metric.replace('_', "-"));
        let y_desc = format!("{} a year", unit_words(&o));
        let format = y_format(o.kind);
        let chart = chart!(chart_name, (760, 400), |area| charts::fan_chart(
            area,
            &title,
            &y_desc,
            &context.year_labels,
            &fans,
            &[],
            &format
        ))?;
        out.push_str(&page::figure(
            &chart.name,
            &chart.svg,
            &fan_caption,
            &context.charts_folder,
        ));
        charts.push(chart);
    }

    // Occupancy against the lines.
    out.push_str(&occupancy_figure(
        context,
        &folder,
        &[(base, "Baseline"), (scenario, "Scenario")],
        input.difference(name, "acute_occupancy", "all", "all"),
        charts,
    )?);

    // Costs by sector and the budget.
    out.push_str(&page::heading(3, "Money"));
    out.push_str(&cost_change_figure(context, &folder, scenario, charts)?);
    out.push_str(&finance_table(context, index, scenario));
    out.push_str(&budget_table(context, index, scenario));
    out.push_str(&lever_section(context, index, scenario, &folder, charts)?);

    // Flows.
    out.push_str(&page::heading(3, "Where patients go"));
    out.push_str(&flow_figure(
        context,
        &folder,
        scenario,
        Some(base),
        charts,
    )?);

    // By ICC.
    out.push_str(&page::heading(3, "By Integrated Care Community"));
    out.push_str(&icc_figure(
        context,
        &folder,
        &[(base, "Baseline"), (scenario, "Scenario")],
        Some(name),
        charts,
    )?);
    out.push_str("</section>\n");
    Ok(out)
}

/// "3.1% lower over the five years ..." or "no clear change ...".
/// The group of the headline table an outcome is shown in.
fn headline_group(metric: &str) -> &'static str {
    match metric {
        "emergency_admissions"
        | "acute_bed_days"
        | "emergency_los_mean"
        | "emergency_stay_with_wait_mean" => "Activity",
        "acute_delayed_bed_days" | "acute_delayed_downstream_share" => "Delays and care homes",
        m if m.starts_with("care_home_") => "Delays and care homes",
        m if m.starts_with("cost_") => "Money",
        m if m.ends_with("_utilisation") => "Use of what was bought",
        _ => "Occupancy, waits for a bed and beds needed",
    }
}

fn change_phrase(r: &input::ComparisonRow, period: &str) -> String {
    // The median change with the middle 90% of paired replications, as the
    // tables say it; the CI of the mean only in files without the spread.
    if let Some((lo, median, hi)) = r.relative_spread() {
        if median == 0.0 && lo == 0.0 && hi == 0.0 {
            return format!("unchanged {period}");
        }
        // Short enough for a chart's title: the caption gives the period.
        return format!(
            "median {}, middle 90% {} to {}",
            words::signed_percent(median),
            words::signed_percent(lo),
            words::signed_percent(hi)
        );
    }
    let (lo, hi) = (
        r.difference_ci95_low.unwrap_or(f64::NAN),
        r.difference_ci95_high.unwrap_or(f64::NAN),
    );
    if lo < 0.0 && hi > 0.0 {
        return format!("no clear change {period}");
    }
    match words::relative(r) {
        Some((rel, _, _)) if rel != 0.0 => format!(
            "{} {} {period}",
            words::percent(rel),
            if rel < 0.0 { "lower" } else { "higher" }
        ),
        _ => format!("unchanged {period}"),
    }
}
