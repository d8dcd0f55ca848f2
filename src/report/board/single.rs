//! The section of one scenario's results alone (a batch or a run):
//! findings, the headline table with 95% CIs and the spread of
//! replications, fans, occupancy, costs, flows and ICCs.

use crate::model::metrics::{self, View};

use super::charts;
use super::context::{Context, price_year};
use super::drawing::{Chart, chart, fan_of, unit_words, y_format};
use super::figures::{flow_figure, icc_figure, occupancy_figure};
use super::methods::question;
use super::money::{budget_table, costs_figure};
use super::page::{self, number, words as text_cell};
use super::services::services_single;
use super::words::{self, escape};

/// One scenario's results alone (a batch or a run).
pub(super) fn single_section(context: &Context, charts: &mut Vec<Chart>) -> Result<String, String> {
    let results = &context.input.baseline;
    let folder = results.run.scenario_name.clone();
    let mut out = format!(
        "<section class=\"scenario\" id=\"scenario-1\" data-scenario=\"{}\">\n",
        escape(&folder)
    );
    if let Some(question) = question(&results.scenario_text) {
        out.push_str(&page::paragraph("question", &question));
    }
    if !results.is_whole_system() {
        out.push_str(&services_single(context, &folder, charts)?);
        out.push_str("</section>\n");
        return Ok(out);
    }
    let n = results.run.replications;
    let header = [
        text_cell("Outcome"),
        number("Mean (95% CI)"),
        number("90% of replications between"),
    ];
    let mut findings = Vec::new();
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = words::headlines()
        .iter()
        .filter_map(|o| {
            let r = results.outcome(o.metric, "all", "all")?;
            let s = &r.spread;
            let v = |x: Option<f64>| words::value(o.kind, x.unwrap_or(f64::NAN));
            let mean = match (s.ci95_low, s.ci95_high) {
                (Some(_), Some(_)) => {
                    format!("{} ({} to {})", v(s.mean), v(s.ci95_low), v(s.ci95_high))
                }
                _ => v(s.mean),
            };
            if !words::SECTORS.iter().any(|(m, _)| *m == o.metric) {
                findings.push(format!(
                    "{} {} projected at {} {}{}.",
                    o.label,
                    o.verb,
                    v(s.mean),
                    context.period,
                    match (s.ci95_low, s.ci95_high) {
                        (Some(_), Some(_)) =>
                            format!(" (95% CI {} to {})", v(s.ci95_low), v(s.ci95_high)),
                        _ => String::new(),
                    }
                ));
            }
            Some((
                Some(o.metric.to_string()),
                vec![
                    text_cell(o.label),
                    number(mean),
                    number(format!("{} to {}", v(s.p05), v(s.p95))),
                ],
            ))
        })
        .collect();
    out.push_str(&page::heading(2, &format!("Findings, {}", context.period)));
    out.push_str(&page::list("findings", &findings));
    out.push_str(&page::table("headline-1", &header, &rows));
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "Totals {} over {n} replications (occupancy and length of stay: means over the period); money at {} prices.",
            context.period,
            price_year(results)
        ),
    ));
    out.push_str(&page::heading(3, "Over the years"));
    for metric in metrics::whole_system_headlines(View::Fans) {
        let Some(o) = words::headline(metric) else {
            continue;
        };
        let fan = fan_of(context, results, metric, "all", "Projection", 0);
        let medians: Vec<f64> = fan.points.iter().flatten().map(|p| p[2]).collect();
        let title = match (
            medians.first(),
            medians.last(),
            context.year_labels.first(),
            context.year_labels.last(),
        ) {
            (Some(a), Some(b), Some(ya), Some(yb)) if medians.len() > 1 => format!(
                "{}: {} in {ya}, {} in {yb}",
                o.label,
                words::value(o.kind, *a),
                words::value(o.kind, *b)
            ),
            _ => o.label.to_string(),
        };
        let y_desc = format!("{} a year", unit_words(&o));
        let chart = chart!(
            format!("{folder}-{}", metric.replace('_', "-")),
            (760, 400),
            |area| {
                charts::fan_chart(
                    area,
                    &title,
                    &y_desc,
                    &context.year_labels,
                    std::slice::from_ref(&fan),
                    &[],
                    &y_format(o.kind),
                )
            }
        )?;
        out.push_str(&page::figure(
            &chart.name,
            &chart.svg,
            &format!("Median across {n} replications with the middle 50% and 90% of replications, by year."),
            &context.charts_folder,
        ));
        charts.push(chart);
    }
    out.push_str(&occupancy_figure(
        context,
        &folder,
        &[(results, "Projection")],
        None,
        charts,
    )?);
    out.push_str(&super::pressure::hospital_full_section(
        context, &folder, results, charts,
    )?);
    out.push_str(&page::heading(3, "Costs"));
    out.push_str(&costs_figure(
        context,
        &folder,
        &[(results, "Projection")],
        None,
        charts,
    )?);
    out.push_str(&budget_table(context, 0, results));
    out.push_str(&page::heading(3, "Where patients go"));
    out.push_str(&flow_figure(context, &folder, results, None, charts)?);
    let stocks_and_flows = super::stock_flow::stock_flow_figure(context, &folder, results, charts)?;
    if !stocks_and_flows.is_empty() {
        out.push_str(&page::heading(3, "Stocks and flows"));
        out.push_str(&stocks_and_flows);
    }
    out.push_str(&page::heading(3, "By Integrated Care Community"));
    out.push_str(&icc_figure(
        context,
        &folder,
        &[(results, "Projection")],
        None,
        charts,
    )?);
    out.push_str("</section>\n");
    Ok(out)
}
