//! The board report (`iccsim report`): from a results folder, one
//! self-contained HTML page a board can read in five minutes — the
//! findings in sentences, a headline table with 95% CIs, fan charts,
//! occupancy against the 92% and 95% lines, the flow of patients between
//! services, costs by sector and the reinvestment's budget, small
//! multiples by ICC, a tornado chart when there is one, and a methods
//! appendix — plus each chart as SVG and PNG for slides.
//!
//! It reads files only ([`input`]), never the simulator, so a report can
//! be redrawn from saved results. Inside: [`words`] (numbers and sentences),
//! [`charts`] (plotters drawings on any backend), [`page`] (HTML).

pub mod charts;
pub mod input;
pub mod page;
pub mod words;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};

use crate::engine::calendar::CalendarDate;
use charts::{BarGroup, Fan, FlowLink, FlowNode, PALETTE, Panel, Reference, TornadoBar};
use input::{ReportInput, ScenarioResults};
use page::{number, words as text_cell};
use words::{Kind, escape, plain_name, year_label, years_in_words};

pub use input::InputError;

/// A chart of the report, in both formats.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File name without extension (`<scenario>-<chart>`).
    pub name: String,
    pub svg: String,
    pub png: Vec<u8>,
}

/// The report: the page and its charts.
#[derive(Clone, Debug)]
pub struct Report {
    pub html: String,
    pub charts: Vec<Chart>,
}

/// Reads a results folder and draws its report; the page links to the
/// charts' files in `charts_folder` (a folder beside it).
pub fn build(folder: &Path, tornado: Option<&Path>, charts_folder: &str) -> Result<Report, String> {
    let input = ReportInput::read(folder, tornado).map_err(|e| e.to_string())?;
    render(&input, charts_folder)
}

/// A chart's file name from names found in results files: letters,
/// digits, `-` and `_` kept, anything else (a `/`, `..`) made a `-`, so a
/// results folder from elsewhere cannot send a chart outside its folder.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Draws a chart on an SVG and a bitmap of the same size.
fn draw(
    name: String,
    size: (u32, u32),
    plot: &dyn Fn(&DrawingArea<SVGBackend, Shift>) -> charts::DrawResult,
    plot_png: &dyn Fn(&DrawingArea<BitMapBackend, Shift>) -> charts::DrawResult,
) -> Result<Chart, String> {
    let name = file_stem(&name);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        plot(&area).map_err(|e| format!("{name}: {e}"))?;
    }
    let mut pixels = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        plot_png(&area).map_err(|e| format!("{name}: {e}"))?;
    }
    let image = image::RgbImage::from_raw(size.0, size.1, pixels)
        .ok_or_else(|| format!("{name}: the bitmap has the wrong size"))?;
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| format!("{name}: PNG encoding failed: {e}"))?;
    Ok(Chart { name, svg, png })
}

/// Draws the same plotting closure on both backends.
macro_rules! chart {
    ($name:expr, $size:expr, |$area:ident| $body:expr) => {
        draw(
            $name,
            $size,
            &|$area: &DrawingArea<SVGBackend, Shift>| $body,
            &|$area: &DrawingArea<BitMapBackend, Shift>| $body,
        )
    };
}

/// Quantiles of a summary row as a fan point.
fn fan_point(spread: &input::Spread) -> Option<[f64; 5]> {
    Some([
        spread.p05?,
        spread.p25?,
        spread.median?,
        spread.p75?,
        spread.p95?,
    ])
}

/// The fan of one outcome of one scenario over the years (ICC or "all").
fn fan_of(
    context: &Context,
    results: &ScenarioResults,
    metric: &str,
    icc: &str,
    label: &str,
    colour: usize,
) -> Fan {
    Fan {
        label: label.to_string(),
        colour: PALETTE[colour % PALETTE.len()],
        points: context
            .years
            .iter()
            .map(|y| {
                results
                    .outcome(metric, y, icc)
                    .and_then(|r| fan_point(&r.spread))
            })
            .collect(),
    }
}

fn y_format(kind: Kind) -> impl Fn(f64) -> String {
    move |v| match kind {
        Kind::Share => format!("{:.0}%", 100.0 * v),
        Kind::Money if v.abs() >= 1e6 => {
            let m = words::grouped(v / 1e6);
            match m.strip_prefix('\u{2212}') {
                Some(positive) => format!("\u{2212}£{positive}m"),
                None => format!("£{m}m"),
            }
        }
        Kind::Money => words::money(v),
        Kind::Days => format!("{v:.1}"),
        Kind::Count => words::grouped(v),
    }
}

/// What a report needs to know of the comparison it draws, for words.
struct Context<'a> {
    input: &'a ReportInput,
    /// The folder beside the page holding the charts' files.
    charts_folder: String,
    /// The years the charts show ("1", "2" ...): the whole years of the
    /// run (a part year at the end would read as a fall), or every year
    /// when none is whole.
    years: Vec<String>,
    /// A sentence on a part year left out of the yearly charts, if any.
    part_year: Option<String>,
    year_labels: Vec<String>,
    /// "over the five years 2025/26 to 2029/30"
    period: String,
}

impl Context<'_> {
    fn new<'a>(input: &'a ReportInput, charts_folder: &str) -> Context<'a> {
        let run = &input.baseline.run;
        let all_years = input.baseline.years();
        // A year is whole when the window reaches its anniversary.
        let start = CalendarDate::parse(&run.start_date).ok();
        let whole = |year: &str| -> bool {
            let (Some(start), Ok(k)) = (start, year.parse::<i64>()) else {
                return true;
            };
            let end = start.add_months(12 * k).day_number() - start.day_number();
            end as f64 <= run.horizon_days + 0.5
        };
        let full: Vec<(String, String)> = all_years
            .iter()
            .filter(|(y, _)| whole(y))
            .cloned()
            .collect();
        let (years, part_year) = if full.is_empty() || full.len() == all_years.len() {
            (all_years.clone(), None)
        } else {
            let shown = full.len();
            let days = run.horizon_days
                - start.map_or(0.0, |s| {
                    (s.add_months(12 * shown as i64).day_number() - s.day_number()) as f64
                });
            (
                full,
                Some(format!(
                    "The yearly charts show only whole years ({}); the last {} days, a part year, count in the totals.",
                    shown,
                    days.round()
                )),
            )
        };
        let year_labels: Vec<String> = years.iter().map(|(_, s)| year_label(s)).collect();
        let period = if part_year.is_some() || all_years.is_empty() {
            format!("over {} days", run.horizon_days)
        } else {
            match (year_labels.first(), year_labels.last()) {
                (Some(a), Some(b)) if a != b => {
                    format!("over the {} {a} to {b}", years_in_words(years.len()))
                }
                (Some(a), _) => format!("over {a}"),
                _ => format!("over {} days", run.horizon_days),
            }
        };
        Context {
            input,
            charts_folder: charts_folder.to_string(),
            years: years.into_iter().map(|(y, _)| y).collect(),
            part_year,
            year_labels,
            period,
        }
    }
}

/// Renders the report of results already read.
pub fn render(input: &ReportInput, charts_folder: &str) -> Result<Report, String> {
    charts::register_fonts();
    let context = Context::new(input, charts_folder);
    let mut charts = Vec::new();
    let mut body = String::new();
    let base = &input.baseline;
    let comparing = !input.scenarios.is_empty();
    let title = match input.scenarios.as_slice() {
        [] => base.run.scenario_title.clone(),
        [one] => format!("{} against the baseline", one.run.scenario_title),
        many => format!("{} scenarios against the baseline", many.len()),
    };
    body.push_str("<header>\n");
    body.push_str(&page::heading(1, &title));
    if comparing {
        body.push_str(&page::paragraph(
            "lede",
            &format!("Baseline: {}.", base.run.scenario_title),
        ));
    }
    body.push_str(&page::paragraph(
        "lede",
        &format!(
            "Projections by iccsim {} of {} replications, {}, from {} (after {} days of warm-up); seed {}. Intervals are 95% confidence intervals of the mean{}.{}",
            base.run.iccsim_version,
            base.run.replications,
            context.period,
            base.run.start_date,
            base.run.warmup_days,
            base.run.seed,
            if comparing {
                "; differences are paired replication by replication (every scenario sees the same patients)"
            } else {
                ""
            },
            context.part_year.as_ref().map_or(String::new(), |p| format!(" {p}"))
        ),
    ));
    body.push_str("</header>\n");

    if comparing && base.is_whole_system() {
        body.push_str(&at_a_glance(&context));
    }
    if comparing {
        for (i, scenario) in input.scenarios.iter().enumerate() {
            body.push_str(&scenario_section(&context, i, scenario, &mut charts)?);
        }
    } else {
        body.push_str(&single_section(&context, &mut charts)?);
    }
    if !input.tornado.is_empty() {
        body.push_str(&tornado_section(&context, &mut charts)?);
    }
    body.push_str(&methods(&context));
    Ok(Report {
        html: page::document(&title, &body),
        charts,
    })
}

/// The headline outcomes of every scenario side by side: relative changes.
fn at_a_glance(context: &Context) -> String {
    let input = context.input;
    const GLANCE: &[&str] = &[
        "emergency_admissions",
        "acute_bed_days",
        "acute_occupancy",
        "acute_delayed_bed_days",
        "care_home_admissions_from_hospital",
        "cost_total",
    ];
    let mut header = vec![text_cell("Scenario")];
    for m in GLANCE {
        if let Some(o) = words::headline(m) {
            header.push(number(o.label));
        }
    }
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = input
        .scenarios
        .iter()
        .map(|s| {
            let mut cells = vec![text_cell(s.run.scenario_title.clone())];
            for m in GLANCE {
                let row = input.difference(&s.run.scenario_name, m, "all", "all");
                let cell = match (words::headline(m), row) {
                    (Some(o), Some(r)) if o.kind == Kind::Share => {
                        words::difference_cell(o.kind, r)
                    }
                    (_, Some(r)) => words::relative_cell(r),
                    _ => "–".into(),
                };
                cells.push(number(cell));
            }
            (Some(s.run.scenario_name.clone()), cells)
        })
        .collect();
    format!(
        "<section id=\"at-a-glance\">\n{}{}{}{}</section>\n",
        page::heading(2, "At a glance"),
        page::paragraph(
            "",
            &format!(
                "Each scenario against the baseline, {}: the change in per cent of the baseline (occupancy in percentage points), with its 95% CI.",
                context.period
            )
        ),
        page::table("at-a-glance-table", &header, &rows),
        page::paragraph(
            "note",
            "An interval that includes zero means the simulation cannot tell the scenario from the baseline at this number of replications."
        ),
    )
}

/// One scenario against the baseline.
fn scenario_section(
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
    // Findings in sentences, then the table.
    // The costs of each sector are in the table and the chart; the
    // sentences keep to the total.
    let findings: Vec<String> = words::HEADLINE
        .iter()
        .filter(|o| !words::SECTORS.iter().any(|(m, _)| *m == o.metric))
        .filter_map(|o| {
            input
                .difference(name, o.metric, "all", "all")
                .map(|r| words::sentence(o, r))
        })
        .collect();
    out.push_str(&page::heading(3, &format!("Findings, {}", context.period)));
    out.push_str(&page::list("findings", &findings));
    let header = [
        text_cell("Outcome"),
        number("Baseline"),
        number("Scenario"),
        number("Difference (95% CI)"),
        number("Relative (95% CI)"),
    ];
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = words::HEADLINE
        .iter()
        .filter_map(|o| {
            let r = input.difference(name, o.metric, "all", "all")?;
            Some((
                Some(o.metric.to_string()),
                vec![
                    text_cell(o.label),
                    number(words::value(o.kind, r.baseline_mean.unwrap_or(f64::NAN))),
                    number(words::value(o.kind, r.scenario_mean.unwrap_or(f64::NAN))),
                    number(words::difference_cell(o.kind, r)),
                    number(if o.kind == Kind::Share {
                        "–".to_string()
                    } else {
                        words::relative_cell(r)
                    }),
                ],
            ))
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
            "Totals {} (occupancy and length of stay: means over the period); money at {} prices. A relative CI is the difference's CI over the baseline mean, whose own uncertainty it leaves out.",
            context.period,
            price_year(scenario)
        ),
    ));

    // Fan charts of the main outcomes.
    let n = scenario.run.replications;
    let fan_caption = format!(
        "Median across {n} replications (line) with the middle 50% (darker band) and middle 90% (lighter band) of replications, by year. Blue: baseline; vermillion: scenario."
    );
    out.push_str(&page::heading(3, "Over the years"));
    for metric in [
        "emergency_admissions",
        "acute_bed_days",
        "acute_delayed_bed_days",
    ] {
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
        let y_desc = format!("{} a year", unit_words(o));
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
    out.push_str(&page::heading(3, "Costs"));
    out.push_str(&costs_figure(
        context,
        &folder,
        &[(base, "Baseline"), (scenario, "Scenario")],
        input.difference(name, "cost_total", "all", "all"),
        charts,
    )?);
    out.push_str(&budget_table(context, index, scenario));

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
fn change_phrase(r: &input::ComparisonRow, period: &str) -> String {
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

fn unit_words(o: &words::Outcome) -> String {
    match o.kind {
        Kind::Money => "£".into(),
        Kind::Days => "days".into(),
        Kind::Share => "% of beds".into(),
        Kind::Count => o.label.to_lowercase(),
    }
}

fn price_year(results: &ScenarioResults) -> String {
    results
        .breakdown
        .iter()
        .find(|r| r.metric == "cost_total")
        .and_then(|r| r.unit.strip_prefix("GBP "))
        .map_or("the scenario's".to_string(), |u| {
            u.trim_end_matches(" prices").to_string()
        })
}

/// The 92% and 95% occupancy lines, labelled.
fn occupancy_lines(labels: &[&str; 2]) -> [Reference; 2] {
    [
        Reference {
            value: 0.92,
            label: labels[0].to_string(),
            colour: PALETTE[4],
        },
        Reference {
            value: 0.95,
            label: labels[1].to_string(),
            colour: PALETTE[3],
        },
    ]
}

/// Each series' label and colour: the baseline blue, then the palette.
fn series_colours(series: &[(&ScenarioResults, &str)]) -> Vec<(String, plotters::style::RGBColor)> {
    series
        .iter()
        .enumerate()
        .map(|(i, (_, l))| (l.to_string(), PALETTE[i % PALETTE.len()]))
        .collect()
}

/// Acute occupancy by year against 92% and 95%.
fn occupancy_figure(
    context: &Context,
    folder: &str,
    series: &[(&ScenarioResults, &str)],
    difference: Option<&input::ComparisonRow>,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let fans: Vec<Fan> = series
        .iter()
        .enumerate()
        .map(|(i, (r, label))| fan_of(context, r, "acute_occupancy", "all", label, i))
        .collect();
    let references = occupancy_lines(&[
        "92%: the level above which delays build up",
        "95%: the level hospitals treat as unsafe",
    ]);
    let last = series.last().map(|(r, _)| *r);
    let level = last
        .and_then(|r| r.outcome("acute_occupancy", "all", "all"))
        .and_then(|r| r.spread.mean);
    let above = last
        .and_then(|r| r.outcome("acute_days_above_92pct", "all", "all"))
        .and_then(|r| r.spread.mean);
    let title = match (difference, level) {
        (Some(d), _) => {
            let points = 100.0 * d.difference_mean.unwrap_or(0.0);
            format!(
                "Acute occupancy: {} against {} ({:+.1} points)",
                words::value(Kind::Share, d.scenario_mean.unwrap_or(f64::NAN)),
                words::value(Kind::Share, d.baseline_mean.unwrap_or(f64::NAN)),
                points
            )
            .replace('-', "\u{2212}")
        }
        (None, Some(level)) => format!(
            "Acute occupancy averages {} {}",
            words::value(Kind::Share, level),
            context.period
        ),
        _ => "Acute occupancy".into(),
    };
    let caption = format!(
        "Mean occupancy of adult acute beds each year: median across replications with the middle 50% and 90%.{}",
        above.map_or(String::new(), |d| format!(
            " On average {} days {} had occupancy above 92%{}.",
            words::grouped(d),
            context.period,
            if series.len() > 1 {
                " in the scenario"
            } else {
                ""
            }
        ))
    );
    let chart = chart!(format!("{folder}-occupancy"), (760, 400), |area| {
        charts::fan_chart(
            area,
            &title,
            "mean occupancy, % of beds",
            &context.year_labels,
            &fans,
            &references,
            &y_format(Kind::Share),
        )
    })?;
    let html = page::figure(&chart.name, &chart.svg, &caption, &context.charts_folder);
    charts.push(chart);
    Ok(html)
}

/// Cost by sector, each series a bar with its 95% CI.
fn costs_figure(
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
fn budget_table(context: &Context, index: usize, scenario: &ScenarioResults) -> String {
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
            format!("Bought: {}", plain_name(item))
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

/// The flow picture of one scenario, each node with its patients and
/// their change from the baseline.
fn flow_figure(
    context: &Context,
    folder: &str,
    results: &ScenarioResults,
    baseline: Option<&ScenarioResults>,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let flows = results.flows();
    if flows.is_empty() {
        return Ok(String::new());
    }
    let mut names: Vec<String> = Vec::new();
    for (from, to, _) in &flows {
        for n in [from, to] {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    // Arrivals first (the picture's first column).
    if let Some(i) = names.iter().position(|n| n == "arrival") {
        let a = names.remove(i);
        names.insert(0, a);
    }
    let index = |n: &str| names.iter().position(|x| x == n).unwrap_or(0);
    let links: Vec<FlowLink> = flows
        .iter()
        .map(|(f, t, v)| FlowLink {
            from: index(f),
            to: index(t),
            value: *v,
        })
        .collect();
    let through = |flows: &[(String, String, f64)], n: &str| -> f64 {
        let inflow: f64 = flows
            .iter()
            .filter(|(_, t, _)| t == n)
            .map(|(_, _, v)| v)
            .sum();
        let outflow: f64 = flows
            .iter()
            .filter(|(f, _, _)| f == n)
            .map(|(_, _, v)| v)
            .sum();
        inflow.max(outflow)
    };
    let base_flows = baseline.map(|b| b.flows());
    let nodes: Vec<FlowNode> = names
        .iter()
        .map(|n| {
            let v = through(&flows, n);
            let change = base_flows
                .as_ref()
                .map(|bf| through(bf, n))
                .filter(|b| *b > 0.0)
                .map(|b| {
                    let r = (v - b) / b;
                    format!(
                        " ({}{})",
                        if r < 0.0 { "\u{2212}" } else { "+" },
                        words::percent(r)
                    )
                });
            FlowNode {
                label: plain_name(n),
                detail: format!("{}{}", words::grouped(v), change.unwrap_or_default()),
            }
        })
        .collect();
    let title = shorten(
        &format!("Patient journeys: {}", results.run.scenario_title),
        100,
    );
    let chart = chart!(format!("{folder}-flows"), (1200, 600), |area| {
        charts::flow_diagram(area, &title, &nodes, &links)
    })?;
    let caption = format!(
        "Patients moving between kinds of service {}, mean across replications: each band is as wide as the patients it carries; each box is labelled with the patients through it{}. A patient who moves several times is counted at each move.",
        context.period,
        if baseline.is_some() {
            " and, in brackets, the change from the baseline"
        } else {
            ""
        }
    );
    let html = page::figure(&chart.name, &chart.svg, &caption, &context.charts_folder);
    charts.push(chart);
    Ok(html)
}

fn shorten(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_string()
    } else {
        let cut: String = text.chars().take(most - 1).collect();
        format!("{cut}…")
    }
}

/// Emergency admissions per ICC and year: one small panel each.
fn icc_figure(
    context: &Context,
    folder: &str,
    series: &[(&ScenarioResults, &str)],
    scenario: Option<&str>,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let iccs = context.input.baseline.iccs();
    if iccs.is_empty() {
        return Ok(String::new());
    }
    let metric = "emergency_admissions";
    let mut lower = 0;
    let panels: Vec<Panel> = iccs
        .iter()
        .map(|icc| {
            let change = scenario
                .and_then(|s| context.input.difference(s, metric, "all", icc))
                .map(|r| {
                    if r.difference_ci95_high.is_some_and(|h| h < 0.0) {
                        lower += 1;
                    }
                    format!(
                        ": {}",
                        words::relative_cell(r)
                            .split(' ')
                            .next()
                            .unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            Panel {
                title: format!("{}{change}", plain_name(icc)),
                fans: series
                    .iter()
                    .enumerate()
                    .map(|(i, (r, label))| fan_of(context, r, metric, icc, label, i))
                    .collect(),
            }
        })
        .collect();
    let title = match scenario {
        Some(_) => format!(
            "Emergency admissions by ICC: clearly lower in {lower} of {} ICCs",
            iccs.len()
        ),
        None => "Emergency admissions a year by ICC".to_string(),
    };
    let chart = chart!(format!("{folder}-by-icc"), (960, 520), |area| {
        charts::small_multiples(
            area,
            &title,
            &context.year_labels,
            &panels,
            4,
            &y_format(Kind::Count),
        )
    })?;
    let caption = format!(
        "Emergency admissions a year in each Integrated Care Community (each panel its own scale): median with the middle 90% of replications{}. \"Clearly lower\": the 95% CI of the paired difference {} is below zero.",
        if series.len() > 1 {
            "; blue: baseline, vermillion: scenario; the change is over the whole period"
        } else {
            ""
        },
        context.period
    );
    let html = page::figure(&chart.name, &chart.svg, &caption, &context.charts_folder);
    charts.push(chart);
    Ok(html)
}

/// One scenario's results alone (a batch or a run).
fn single_section(context: &Context, charts: &mut Vec<Chart>) -> Result<String, String> {
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
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = words::HEADLINE
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
    for metric in [
        "emergency_admissions",
        "acute_bed_days",
        "acute_delayed_bed_days",
    ] {
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
        let y_desc = format!("{} a year", unit_words(o));
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

fn services_single(
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

fn services_comparison(
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

/// Occupancy of each service with places against 92% and 95%.
fn utilisation_figure(
    context: &Context,
    folder: &str,
    series: &[(&ScenarioResults, &str)],
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let services: Vec<String> = context
        .input
        .baseline
        .services()
        .into_iter()
        .filter(|s| {
            series[0]
                .0
                .metric(s, "utilisation")
                .is_some_and(|r| r.spread.mean.is_some())
        })
        .collect();
    if services.is_empty() {
        return Ok(String::new());
    }
    let groups: Vec<BarGroup> = services
        .iter()
        .map(|s| BarGroup {
            label: plain_name(s),
            values: series
                .iter()
                .map(|(r, _)| r.metric(s, "utilisation")?.spread.mean_ci())
                .collect(),
        })
        .collect();
    let labels = series_colours(series);
    let references = occupancy_lines(&["92%", "95%"]);
    let chart = chart!(format!("{folder}-occupancy"), (760, 400), |area| {
        charts::bar_chart(
            area,
            &format!("Occupancy of each service {}", context.period),
            "mean occupancy, % of places",
            &labels,
            &groups,
            &references,
            &y_format(Kind::Share),
        )
    })?;
    let html = page::figure(
        &chart.name,
        &chart.svg,
        "Mean share of places occupied, with the 95% CI, against the 92% and 95% lines.",
        &context.charts_folder,
    );
    charts.push(chart);
    Ok(html)
}

/// The tornado of a sensitivity analysis.
fn tornado_section(context: &Context, charts: &mut Vec<Chart>) -> Result<String, String> {
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

/// The QUESTION a library scenario opens with, in one paragraph.
fn question(text: &str) -> Option<String> {
    let mut lines = text
        .lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim());
    let first = lines.find(|l| l.starts_with("QUESTION:"))?;
    let mut question = first.trim_start_matches("QUESTION:").trim().to_string();
    for line in lines.take_while(|l| !l.is_empty()) {
        question.push(' ');
        question.push_str(line);
    }
    Some(format!("Question: {question}"))
}

/// The methods appendix.
fn methods(context: &Context) -> String {
    let input = context.input;
    let mut out = String::from("<section id=\"methods\">\n");
    out.push_str(&page::heading(2, "Methods"));
    out.push_str(&page::heading(3, "What was run"));
    let all: Vec<&ScenarioResults> = std::iter::once(&input.baseline)
        .chain(&input.scenarios)
        .collect();
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let run = &r.run;
            (
                Some(run.scenario_name.clone()),
                vec![
                    text_cell(if i == 0 && !input.scenarios.is_empty() {
                        format!("{} (baseline)", run.scenario_name)
                    } else {
                        run.scenario_name.clone()
                    }),
                    text_cell(run.scenario_origin.clone()),
                    number(run.seed.to_string()),
                    number(run.replications.to_string()),
                    number(run.start_date.clone()),
                    number(format!("{}", run.warmup_days)),
                    number(format!("{}", run.horizon_days)),
                    number(run.iccsim_version.clone()),
                ],
            )
        })
        .collect();
    out.push_str(&page::table(
        "runs",
        &[
            text_cell("Scenario"),
            text_cell("File"),
            number("Seed"),
            number("Replications"),
            number("Start"),
            number("Warm-up (days)"),
            number("Horizon (days)"),
            number("iccsim"),
        ],
        &rows,
    ));
    if let Some(m) = &input.manifest {
        let mut changes: Vec<String> = m.set_all.iter().map(|s| format!("--set-all {s}")).collect();
        changes.extend(m.set.iter().map(|s| format!("--set {s}")));
        if !changes.is_empty() {
            out.push_str(&page::paragraph(
                "",
                &format!("Changed on the command line: {}.", changes.join(", ")),
            ));
        }
    }
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "Results folder: {}. Every number in this report is in its CSV files (comparison.csv, and each scenario's summary.csv, breakdown_summary.csv and budget.csv).",
            input.folder.display()
        ),
    ));
    for scenario in &input.scenarios {
        out.push_str(&page::heading(
            3,
            &format!(
                "What {} changes from the baseline",
                scenario.run.scenario_name
            ),
        ));
        out.push_str(&changes_table(&input.baseline, scenario));
    }
    out.push_str(&page::heading(3, "Limitations"));
    let n = input.baseline.run.replications;
    let mut limits = vec![
        "A simulation is a model: it reproduces observed figures only where it was calibrated (the north Cumbria baseline: docs/calibration.md), and projects forward from its assumptions. It is a tool for comparing options, not a forecast of a given year.".to_string(),
        "The intervals show the chance variation between simulated replications, and the uncertainty in the values given as ranges in the scenario files. They do not cover assumptions held fixed (the model's structure, future policy, workforce supply).".to_string(),
        "Differences are paired: each replication of every scenario meets the same patients, so a difference is the effect of the change, not of chance in who fell ill.".to_string(),
        "Costs are simulated activity priced at unit costs, at the scenario's stated price year; a reinvestment's budget is shown separately, as planned. Prices of different years are not deflated to one year where the sources do not allow it (the scenario files say where).".to_string(),
    ];
    if n < 20 {
        limits.push(format!(
            "Only {n} replications were run: the 90% bands rest on few values and are rough. Run more (iccsim compare ... -n 50) before relying on the bands."
        ));
    }
    out.push_str(&page::list("limitations", &limits));
    out.push_str("</section>\n");
    out
}

/// The values a scenario changes from the baseline, each with its source:
/// one row per lever, and one per other changed value.
fn changes_table(base: &ScenarioResults, scenario: &ScenarioResults) -> String {
    let parse = |text: &str| text.parse::<toml::Table>().unwrap_or_default();
    let (b, s) = (parse(&base.scenario_text), parse(&scenario.scenario_text));
    let mut rows: Vec<(Option<String>, Vec<page::Cell>)> = Vec::new();
    let levers = s.get("levers").and_then(|l| l.as_table());
    let base_levers = b.get("levers").and_then(|l| l.as_table());
    if let Some(levers) = levers {
        for (name, lever) in levers {
            if base_levers.and_then(|bl| bl.get(name)) == Some(lever) {
                continue;
            }
            let Some(table) = lever.as_table() else {
                continue;
            };
            let description = table
                .get("description")
                .and_then(|d| d.as_str())
                .unwrap_or("");
            let source = sources(lever).join("; ");
            // A lever the baseline pulls too: only what differs, before → after.
            let before = base_levers
                .and_then(|bl| bl.get(name))
                .and_then(|l| l.as_table());
            let values: Vec<String> = table
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "description" | "source"))
                .filter_map(|(k, v)| match before {
                    None => Some(format!("{k} = {}", inline(v))),
                    Some(before) => match before.get(k) {
                        Some(old) if old == v => None,
                        Some(old) => Some(format!("{k} = {} → {}", inline(old), inline(v))),
                        None => Some(format!("{k} = {} (new)", inline(v))),
                    },
                })
                .chain(before.into_iter().flat_map(|before| {
                    before
                        .iter()
                        .filter(|(k, _)| !table.contains_key(*k))
                        .map(|(k, old)| format!("{k} = {} → (removed)", inline(old)))
                }))
                .collect();
            rows.push((
                Some(format!("levers.{name}")),
                vec![
                    text_cell(if before.is_some() {
                        format!("lever {name} (changed)")
                    } else {
                        format!("lever {name}")
                    }),
                    text_cell(if description.is_empty() {
                        values.join(", ")
                    } else {
                        format!("{description}. {}", values.join(", "))
                    }),
                    text_cell(if source.is_empty() {
                        "not given in the scenario file".into()
                    } else {
                        source
                    }),
                ],
            ));
        }
    }
    // Levers of the baseline this scenario does not pull.
    for (name, lever) in base_levers.into_iter().flatten() {
        if levers.is_some_and(|l| l.contains_key(name)) {
            continue;
        }
        let description = lever
            .get("description")
            .and_then(|d| d.as_str())
            .unwrap_or("");
        rows.push((
            Some(format!("levers.{name}")),
            vec![
                text_cell(format!("lever {name} (removed)")),
                text_cell(if description.is_empty() {
                    "the baseline's lever is not pulled".to_string()
                } else {
                    format!("the baseline's lever is not pulled: {description}")
                }),
                text_cell("—"),
            ],
        ));
    }
    let mut flat_b = Vec::new();
    let mut flat_s = Vec::new();
    flatten("", &toml::Value::Table(b.clone()), &mut flat_b);
    flatten("", &toml::Value::Table(s.clone()), &mut flat_s);
    let skip = |k: &str| k.starts_with("levers.") || matches!(k, "name" | "title" | "description");
    for (key, value) in &flat_s {
        if skip(key) {
            continue;
        }
        let before = flat_b.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if before == Some(value) {
            continue;
        }
        rows.push((
            Some(key.clone()),
            vec![
                text_cell(key.clone()),
                text_cell(format!(
                    "{} → {}",
                    before.map_or("(not set)".to_string(), inline),
                    inline(value)
                )),
                text_cell(
                    source_beside(&s, key)
                        .unwrap_or_else(|| "not given in the scenario file".into()),
                ),
            ],
        ));
    }
    for (key, value) in &flat_b {
        if !skip(key) && !flat_s.iter().any(|(k, _)| k == key) {
            rows.push((
                Some(key.clone()),
                vec![
                    text_cell(key.clone()),
                    text_cell(format!("{} → (removed)", inline(value))),
                    text_cell("—"),
                ],
            ));
        }
    }
    if rows.is_empty() {
        return page::paragraph("", "Nothing: the scenario runs the baseline's values.");
    }
    page::table(
        &format!("changes-{}", scenario.run.scenario_name),
        &[text_cell("Value"), text_cell("Change"), text_cell("Source")],
        &rows,
    )
}

/// Leaf values by dotted key (arrays and distributions whole).
fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match value.as_table() {
        Some(table) if !table.contains_key("dist") => {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => out.push((prefix.to_string(), value.clone())),
    }
}

/// Every `source` inside a value.
fn sources(value: &toml::Value) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(table) = value.as_table() {
        for (k, v) in table {
            match v.as_str() {
                Some(s) if k == "source" => found.push(s.to_string()),
                _ => found.extend(sources(v)),
            }
        }
    }
    found
}

/// The `source` beside a key in its table, or in the table above.
fn source_beside(document: &toml::Table, key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('.').collect();
    for depth in (0..parts.len()).rev() {
        let mut table = document;
        for part in &parts[..depth] {
            table = table.get(*part)?.as_table()?;
        }
        if let Some(v) = table.get(parts[depth]).and_then(|v| v.as_table())
            && let Some(s) = v.get("source").and_then(|s| s.as_str())
        {
            return Some(s.to_string());
        }
        if let Some(s) = table.get("source").and_then(|s| s.as_str()) {
            return Some(s.to_string());
        }
    }
    None
}

/// A TOML value on one line.
fn inline(value: &toml::Value) -> String {
    let text = value.to_string();
    shorten(&text.replace('\n', " "), 400)
}
