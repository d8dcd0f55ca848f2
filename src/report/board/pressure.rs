//! "When the hospital is full": the planner's sentences (over capacity
//! from when, and why delayed acute bed-days were delayed), a stacked bar
//! chart of delayed acute bed-days by reason by year, and a table by year
//! of how the hospital coped — escalation beds, cancelled operations,
//! transfers out, outliers, the largest queue for a bed, waits over 4 and
//! 12 hours. Means across replications (so the parts add up). Shown for a
//! whole-system scenario whose results have these outcomes (results of
//! older versions do not, and the section is left out).

use super::context::Context;
use super::drawing::{Chart, chart, y_format};
use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};
use super::stacked::{StackedBar, stacked_bar_chart};
use super::words::{self, Kind};
use crate::model::breakdown::reasons::Reason;
use crate::report::plain_words;

/// A scenario's mean of an outcome for a year ("all", "1" ...), all ICCs.
fn mean(results: &ScenarioResults, year: &str, metric: &str) -> Option<f64> {
    results.outcome(metric, year, "all")?.spread.mean
}

/// The planner's sentences about a scenario (empty without the outcomes).
pub(super) fn planner_sentences(results: &ScenarioResults) -> Vec<String> {
    let lookup = |year: &str, metric: &str| mean(results, year, metric);
    let years = plain_words::whole_years(
        &results.years(),
        &results.run.start_date,
        results.run.horizon_days,
    );
    [
        plain_words::pressure_sentence(&lookup, &years),
        plain_words::delay_sentence(&lookup),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The columns of the table by year: (metric, heading, kind).
const COPING: [(&str, &str, Kind); 7] = [
    (
        "escalation_open_days",
        "Escalation beds open (days)",
        Kind::Count,
    ),
    (
        "elective_cancellations",
        "Operations cancelled",
        Kind::Count,
    ),
    ("transfers_out", "Sent to other hospitals", Kind::Count),
    ("outliers", "Outlied to the other site", Kind::Count),
    (
        "ed_waiting_for_bed_peak",
        "Largest queue for a bed",
        Kind::Count,
    ),
    ("bed_waits_over_4h", "Waits for a bed over 4 h", Kind::Count),
    (
        "bed_waits_over_12h",
        "Waits for a bed over 12 h",
        Kind::Count,
    ),
];

/// The section, for one scenario's results.
pub(super) fn hospital_full_section(
    context: &Context,
    folder: &str,
    results: &ScenarioResults,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let sentences = planner_sentences(results);
    if sentences.is_empty() {
        return Ok(String::new());
    }
    let mut out = page::heading(3, "When the hospital is full");
    out.push_str(&page::list("findings", &sentences));

    let reasons: Vec<String> = Reason::ALL
        .iter()
        .map(|r| {
            let words = r.words();
            let mut first = words.chars();
            first.next().map_or(String::new(), |c| {
                c.to_uppercase().collect::<String>() + first.as_str()
            })
        })
        .collect();
    let bars: Vec<StackedBar> = context
        .years
        .iter()
        .zip(&context.year_labels)
        .map(|(year, label)| StackedBar {
            label: label.clone(),
            parts: Reason::ALL
                .iter()
                .map(|r| {
                    mean(
                        results,
                        year,
                        &format!("acute_delayed_bed_days_{}", r.name()),
                    )
                    .unwrap_or(f64::NAN)
                })
                .collect(),
        })
        .collect();
    if bars.iter().any(|b| b.parts.iter().any(|v| *v > 0.0)) {
        let title = "Delayed adult acute bed-days by what patients were waiting for";
        let chart = chart!(format!("{folder}-delay-reasons"), (760, 420), |area| {
            stacked_bar_chart(
                area,
                title,
                "bed-days a year",
                &reasons,
                &bars,
                &y_format(Kind::Count),
            )
        })?;
        out.push_str(&page::figure(
            &chart.name,
            &chart.svg,
            &format!(
                "Bed-days held in the trust's adult beds by patients ready to leave, by reason, each year: the mean across {} replications (delays.csv has each service, ICC and replication).",
                results.run.replications
            ),
            &context.charts_folder,
        ));
        charts.push(chart);
    }

    let mut header = vec![text_cell("Year")];
    header.extend(COPING.iter().map(|(_, heading, _)| number(*heading)));
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = context
        .years
        .iter()
        .zip(&context.year_labels)
        .map(|(year, label)| {
            let mut row = vec![text_cell(label.clone())];
            row.extend(COPING.iter().map(|(metric, _, kind)| {
                number(
                    mean(results, year, metric)
                        .map_or("–".to_string(), |v| words::value(*kind, v.round())),
                )
            }));
            (Some(format!("coping-{year}")), row)
        })
        .collect();
    out.push_str(&page::table(&format!("{folder}-coping"), &header, &rows));
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "Means across replications, each year. Escalation days are summed over the sites; the largest queue is the most people waiting for an adult bed at once at any one site. Over capacity: the first year whose escalation beds are open on more than {} days (without escalation beds, whose adult beds are above 95% full on more than that many days). Each site by year: pressure.csv.",
            plain_words::OVER_CAPACITY_DAYS
        ),
    ));
    Ok(out)
}
