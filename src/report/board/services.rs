//! The sections of a network written by hand (no ICCs or years): each
//! service's main metrics, alone or against the baseline, with occupancy
//! and flows.

use super::context::Context;
use super::drawing::Chart;
use super::figures::{flow_figure, utilisation_figure};
use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};
use super::words::{self, Kind, plain_name};

/// Service metrics shown for a network written by hand (no ICCs or years).
const SERVICE_METRICS: &[(&str, &str, Kind)] = &[
    ("admissions", "Admissions", Kind::Count),
    ("lost", "Turned away (lost)", Kind::Count),
    ("los_mean", "Mean stay (days)", Kind::Days),
    ("utilisation", "Occupancy (share of places)", Kind::Share),
    (
        "delayed_bed_days",
        "Place-days of patients ready to leave",
        Kind::Count,
    ),
];

pub(super) fn services_single(
    context: &Context,
    folder: &str,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let results = &context.input.baseline;
    let mut out = page::heading(2, "Services");
    let mut rows = Vec::new();
    for service in results.services() {
        for (metric, label, kind) in SERVICE_METRICS {
            let Some(r) = results.metric(&service, metric) else {
                continue;
            };
            let s = &r.spread;
            let v = |x: Option<f64>| words::value(*kind, x.unwrap_or(f64::NAN));
            rows.push((
                Some(format!("{service}.{metric}")),
                vec![
                    text_cell(format!("{}: {label}", plain_name(&service))),
                    number(match (s.ci95_low, s.ci95_high) {
                        (Some(_), Some(_)) => {
                            format!("{} ({} to {})", v(s.mean), v(s.ci95_low), v(s.ci95_high))
                        }
                        _ => v(s.mean),
                    }),
                ],
            ));
        }
    }
    out.push_str(&page::table(
        "headline-1",
        &[text_cell("Outcome"), number("Mean (95% CI)")],
        &rows,
    ));
    out.push_str(&utilisation_figure(
        context,
        folder,
        &[(results, "Projection")],
        charts,
    )?);
    out.push_str(&flow_figure(context, folder, results, None, charts)?);
    Ok(out)
}

pub(super) fn services_comparison(
    context: &Context,
    index: usize,
    scenario: &ScenarioResults,
    folder: &str,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let input = context.input;
    let name = &scenario.run.scenario_name;
    let mut rows = Vec::new();
    for service in input.baseline.services() {
        for (metric, label, kind) in SERVICE_METRICS {
            let Some(r) = input.service_difference(name, &service, metric) else {
                continue;
            };
            rows.push((
                Some(format!("{service}.{metric}")),
                vec![
                    text_cell(format!("{}: {label}", plain_name(&service))),
                    number(words::value(*kind, r.baseline_mean.unwrap_or(f64::NAN))),
                    number(words::value(*kind, r.scenario_mean.unwrap_or(f64::NAN))),
                    number(words::difference_cell(*kind, r)),
                    number(if *kind == Kind::Share {
                        "–".into()
                    } else {
                        words::relative_cell(r)
                    }),
                ],
            ));
        }
    }
    let mut out = page::table(
        &format!("headline-{}", index + 1),
        &[
            text_cell("Outcome"),
            number("Baseline"),
            number("Scenario"),
            number("Difference (95% CI)"),
            number("Relative (95% CI)"),
        ],
        &rows,
    );
    out.push_str(&utilisation_figure(
        context,
        folder,
        &[(&input.baseline, "Baseline"), (scenario, "Scenario")],
        charts,
    )?);
    out.push_str(&flow_figure(
        context,
        folder,
        scenario,
        Some(&input.baseline),
        charts,
    )?);
    Ok(out)
}
