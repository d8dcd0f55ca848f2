//! What each lever contributes (`contributions.csv` of `compare
//! --by-lever`): a waterfall of the all-years difference in emergency
//! admissions and acute bed-days, from the baseline through the changes
//! that are not levers, each lever alone and the interaction, to the
//! total; with a table of each part's spread and what removing a lever
//! loses, and the words for "alone" and "removed".

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::{DrawResult, INK, PALETTE, err, horizontal_bars_frame};
use super::context::Context;
use super::drawing::{Chart, chart, y_format};
use super::extra_input::ContributionRow;
use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};
use super::words::{self, Kind, plain_name};

/// The outcomes drawn, with their words.
const OUTCOMES: [(&str, &str, Kind); 2] = [
    ("emergency_admissions", "Emergency admissions", Kind::Count),
    ("acute_bed_days", "Acute bed-days", Kind::Count),
];

/// A step of the waterfall: from `from` to `to`; the total starts at 0.
#[derive(Clone, Debug)]
pub struct Step {
    pub label: String,
    pub from: f64,
    pub to: f64,
    pub total: bool,
}

/// The steps of the parts (not levers, each lever alone, interaction,
/// total), from their means: they add up to the total by construction.
fn steps(parts: &[&ContributionRow]) -> Vec<Step> {
    let mut out = Vec::new();
    let mut running = 0.0;
    for part in parts {
        let Some(mean) = part.alone_mean else {
            continue;
        };
        let label = match part.part.as_str() {
            "not_levers" => "Not levers".to_string(),
            "lever" => format!("{} (alone)", plain_name(&part.lever)),
            "interaction" => "Interaction".to_string(),
            "total" => "Total".to_string(),
            _ => continue,
        };
        if part.part == "total" {
            out.push(Step {
                label,
                from: 0.0,
                to: mean,
                total: true,
            });
        } else {
            out.push(Step {
                label,
                from: running,
                to: running + mean,
                total: false,
            });
            running += mean;
        }
    }
    out
}

/// Horizontal waterfall, first step at the top.
pub fn waterfall_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    steps: &[Step],
    x_format: &dyn Fn(f64) -> String,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let values: Vec<f64> = steps
        .iter()
        .flat_map(|s| [s.from, s.to])
        .chain(std::iter::once(0.0))
        .collect();
    let labels: Vec<&str> = steps.iter().map(|s| s.label.as_str()).collect();
    let (mut chart, n) =
        horizontal_bars_frame(area, title, x_desc, &values, &labels, 40, x_format).map_err(err)?;
    let row = |i: usize| (n - 1 - i) as i32;
    chart
        .draw_series(steps.iter().enumerate().map(|(i, s)| {
            let colour = if s.total {
                INK
            } else if s.to < s.from {
                PALETTE[2]
            } else {
                PALETTE[1]
            };
            Rectangle::new(
                [
                    (s.from.min(s.to), SegmentValue::Exact(row(i))),
                    (s.from.max(s.to), SegmentValue::Exact(row(i) + 1)),
                ],
                colour.mix(0.85).filled(),
            )
        }))
        .map_err(err)?;
    // The zero line: where the baseline is.
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Last)],
            INK.stroke_width(1),
        )))
        .map_err(err)?;
    area.present().map_err(err)
}

/// The section, when the folder has contributions for this scenario.
pub(super) fn lever_section(
    context: &Context,
    index: usize,
    scenario: &ScenarioResults,
    folder: &str,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let extras = &context.input.extras;
    let name = &scenario.run.scenario_name;
    let mut out = String::new();
    for (metric, label, kind) in OUTCOMES {
        let parts = extras.contributions(name, metric, "all");
        let steps = steps(&parts);
        if steps.is_empty() {
            continue;
        }
        if out.is_empty() {
            out.push_str(&page::heading(3, "What each lever contributes"));
            out.push_str(&page::paragraph(
                "note",
                "Each lever's part of the change, from runs of the scenario with levers switched off (same patients, same seed). \"Alone\": the scenario's other changes with only that lever, against none of its levers. \"Removed\": what the full scenario loses when that lever alone is taken out. The two differ when levers compete for the same patients or help each other; the interaction is how far the levers alone fall short of (or exceed) all of them together, so that not levers + each lever alone + interaction = the total.",
            ));
        }
        let total = steps.iter().find(|s| s.total).map_or(f64::NAN, |s| s.to);
        let title = format!(
            "{label} {}: {} in all, by lever",
            context.period,
            words::difference(kind, total)
        );
        let format = y_format(kind);
        let chart = chart!(
            format!("{folder}-levers-{}", metric.replace('_', "-")),
            (760, 120 + 44 * steps.len() as u32),
            |area| waterfall_chart(
                area,
                &title,
                &format!("change against the baseline, {}", label.to_lowercase()),
                &steps,
                &format
            )
        )?;
        out.push_str(&page::figure(
            &chart.name,
            &chart.svg,
            &format!(
                "Waterfall of the change in {} {}, scenario − baseline, mean of the paired replications: green lowers it, vermillion raises it; the dark bar is the total.",
                label.to_lowercase(),
                context.period
            ),
            &context.charts_folder,
        ));
        charts.push(chart);
        let rows: Vec<(Option<String>, Vec<page::Cell>)> = parts
            .iter()
            .filter(|p| p.part != "all_levers")
            .map(|p| {
                let spread = match (p.alone_p05, p.alone_p95) {
                    (Some(lo), Some(hi)) => {
                        words::interval(&words::difference(kind, lo), &words::difference(kind, hi))
                    }
                    _ => String::new(),
                };
                let what = match p.part.as_str() {
                    "lever" => plain_name(&p.lever),
                    "not_levers" => "Not levers".into(),
                    "interaction" => "Interaction".into(),
                    "total" => "Total".into(),
                    other => other.to_string(),
                };
                (
                    None,
                    vec![
                        text_cell(what),
                        number(
                            p.alone_mean
                                .map_or(String::new(), |m| words::difference(kind, m)),
                        ),
                        number(spread),
                        number(
                            p.removed_mean
                                .filter(|_| p.part == "lever")
                                .map_or(String::new(), |m| words::difference(kind, m)),
                        ),
                    ],
                )
            })
            .collect();
        out.push_str(&page::table(
            &format!("levers-{}-{}", index + 1, metric.replace('_', "-")),
            &[
                text_cell(label),
                number("Alone (mean)"),
                number("Middle 90%"),
                number("Removed (mean)"),
            ],
            &rows,
        ));
    }
    Ok(out)
}
