//! The sensitivity section: the tornado of a one-at-a-time analysis.

use super::charts::{self, TornadoBar};
use super::context::Context;
use super::drawing::{Chart, chart};
use super::figures::shorten;
use super::page::{self, number, words as text_cell};
use super::words::{self, Kind, plain_name};

/// The tornado of a sensitivity analysis.
pub(super) fn tornado_section(
    context: &Context,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let rows = &context.input.tornado;
    let first = &rows[0];
    let point = first.point_mean.unwrap_or(f64::NAN);
    let bars: Vec<TornadoBar> = rows
        .iter()
        .map(|r| TornadoBar {
            label: shorten(&r.parameter, 48),
            low: r.low_mean.unwrap_or(point),
            high: r.high_mean.unwrap_or(point),
        })
        .collect();
    // "medical_ward.occupancy_mean" reads "Medical Ward: occupancy mean".
    let metric = match first.metric.split_once('.') {
        Some((service, m)) => format!("{}: {}", plain_name(service), m.replace('_', " ")),
        None => plain_name(&first.metric),
    };
    let title = shorten(
        &format!(
            "What matters most for {}: {}",
            metric.to_lowercase(),
            bars.first().map_or("", |b| b.label.as_str())
        ),
        90,
    );
    let height = (140 + 34 * bars.len()).min(1400) as u32;
    let format = |v: f64| {
        words::value(
            if first.unit == "fraction" {
                Kind::Share
            } else {
                Kind::Count
            },
            v,
        )
    };
    let chart = chart!(
        format!("{}-tornado", first.scenario),
        (900, height),
        |area| {
            charts::tornado_chart(
                area,
                &title,
                &format!("{metric} ({})", first.unit),
                point,
                &bars,
                &format,
            )
        }
    )?;
    let mut out = String::from("<section id=\"sensitivity\">\n");
    out.push_str(&page::heading(2, "Which uncertain values matter most"));
    out.push_str(&page::figure(
        &chart.name,
        &chart.svg,
        &format!(
            "{}: each uncertain value set to its low and its high quantile in turn, the others at their central values; the line is the outcome with every value central. Widest first.",
            metric
        ),
        &context.charts_folder,
    ));
    charts.push(chart);
    let table_rows: Vec<(Option<String>, Vec<page::Cell>)> = rows
        .iter()
        .map(|r| {
            (
                Some(r.parameter.clone()),
                vec![
                    text_cell(r.parameter.clone()),
                    number(format!(
                        "{} → {}",
                        significant(r.low_value),
                        significant(r.high_value)
                    )),
                    number(format(r.low_mean.unwrap_or(f64::NAN))),
                    number(format(r.high_mean.unwrap_or(f64::NAN))),
                    text_cell(if r.source.is_empty() {
                        "not given".to_string()
                    } else {
                        r.source.clone()
                    }),
                ],
            )
        })
        .collect();
    out.push_str(&page::table(
        "tornado-table",
        &[
            text_cell("Value"),
            number("Low → high"),
            number("Outcome at low"),
            number("Outcome at high"),
            text_cell("Source"),
        ],
        &table_rows,
    ));
    out.push_str("</section>\n");
    Ok(out)
}

/// A parameter's value to four significant figures (as drawn, it carries
/// sixteen).
fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{v:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}
