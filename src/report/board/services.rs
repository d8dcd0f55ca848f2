//! The sections of a network written by hand (no ICCs or years): each
//! service's main metrics, alone or against the baseline, with occupancy
//! and flows.

use crate::model::metrics::{self, View};

use super::context::Context;
use super::drawing::Chart;
use super::figures::{flow_figure, utilisation_figure};
use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};
use super::words::{self, Kind, plain_name};

/// The board's name for each service metric it shows. Which it shows, and
/// in which order, is the registry's (`model::metrics`, view `Board`).
const LABELS: &[(&str, &str)] = &[
    ("admissions", "Admissions"),
    ("lost", "Turned away (lost)"),
    ("los_mean", "Mean stay (days)"),
    ("utilisation", "Occupancy (share of places)"),
    ("delayed_bed_days", "Place-days of patients ready to leave"),
];

/// Service metrics shown for a network written by hand (no ICCs or
/// years): the metric, its label and how it reads.
fn service_outcomes() -> Vec<(&'static str, &'static str, Kind)> {
    metrics::headlines(View::Board)
        .into_iter()
        .filter(|m| m.is_service())
        .filter_map(|m| {
            let &(_, label) = LABELS.iter().find(|(name, _)| *name == m.name)?;
            Some((m.name, label, m.kind.into()))
        })
        .collect()
}

pub(super) fn services_single(
    context: &Context,
    folder: &str,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let results = &context.input.baseline;
    let mut out = page::heading(2, "Services");
    let mut rows = Vec::new();
    let outcomes = service_outcomes();
    for service in results.services() {
        for (metric, label, kind) in &outcomes {
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
    let outcomes = service_outcomes();
    for service in input.baseline.services() {
        for (metric, label, kind) in &outcomes {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_written_network_shows_five_service_metrics_in_order() {
        // As they were written by hand before the registry.
        assert_eq!(
            service_outcomes(),
            [
                ("admissions", "Admissions", Kind::Count),
                ("lost", "Turned away (lost)", Kind::Count),
                ("los_mean", "Mean stay (days)", Kind::Days),
                ("utilisation", "Occupancy (share of places)", Kind::Share),
                (
                    "delayed_bed_days",
                    "Place-days of patients ready to leave",
                    Kind::Count
                ),
            ]
        );
    }
}
