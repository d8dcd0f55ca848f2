//! The report's figures: occupancy against the 92% and 95% lines (acute
//! beds by year, or each service with places), the flow of patients
//! between services, and emergency admissions by ICC.

use super::charts::{self, BarGroup, Fan, FlowLink, FlowNode, PALETTE, Panel, Reference};
use super::context::Context;
use super::drawing::{Chart, chart, fan_of, y_format};
use super::input::{self, ScenarioResults};
use super::page;
use super::words::{self, Kind, plain_name};

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
pub(super) fn series_colours(
    series: &[(&ScenarioResults, &str)],
) -> Vec<(String, plotters::style::RGBColor)> {
    series
        .iter()
        .enumerate()
        .map(|(i, (_, l))| (l.to_string(), PALETTE[i % PALETTE.len()]))
        .collect()
}

/// Acute occupancy by year against 92% and 95%.
pub(super) fn occupancy_figure(
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

/// The flow picture of one scenario, each node with its patients and
/// their change from the baseline.
pub(super) fn flow_figure(
    context: &Context,
    folder: &str,
    results: &ScenarioResults,
    baseline: Option<&ScenarioResults>,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let flows = grouped_flows(&results.flows());
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
    let base_flows = baseline.map(|b| grouped_flows(&b.flows()));
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
                column: journey_column(n),
                label: match n.as_str() {
                    "ed" => "A&E".to_string(),
                    "day_unit" => "Day units".to_string(),
                    other => plain_name(other),
                },
                detail: format!("{}{}", words::grouped(v), change.unwrap_or_default()),
            }
        })
        .collect();
    let title = shorten(
        &format!("Patient journeys: {}", results.run.scenario_title),
        100,
    );
    // Drawn about as wide as the page prints it (1,000 pixels across
    // 180 mm), so its 18-pixel labels print at about 9 points.
    let chart = chart!(format!("{folder}-flows"), (1000, 600), |area| {
        charts::flow_diagram(area, &title, &nodes, &links)
    })?;
    let caption = format!(
        "Patients moving between kinds of service {}, mean across replications: each band is as wide as the patients it carries; each box is labelled with the patients through it{}. A patient who moves several times is counted at each move. Community services are rapid response, reablement, case management and community beds (moves between them are not drawn); care homes are residential and nursing homes; other hospital beds are other providers' and children's beds.",
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

/// The kinds of service a board tells apart in the flow picture: the
/// small ones together, so that the picture has a few boxes with labels
/// large enough to print (community services, care homes, other hospital
/// beds, and the ends of a journey).
fn flow_group(kind: &str) -> &str {
    match kind {
        "rapid_response" | "reablement" | "case_management" | "community_beds" => {
            "community_services"
        }
        "residential_care" | "nursing_care" => "care_homes",
        "other_provider" | "paediatric_beds" => "other_hospital_beds",
        "death" | "lost" => "died_or_turned_away",
        other => other,
    }
}

/// Where a group stands in a journey, left to right: arrivals, A&E, day
/// units, hospital beds, the services after (or instead of) hospital, and
/// the ends. A patient sent back (rapid response to A&E) is a band
/// drawn leftwards. None for a network's own services.
fn journey_column(group: &str) -> Option<usize> {
    Some(match group {
        "arrival" => 0,
        "ed" => 1,
        "day_unit" => 2,
        "acute_beds" | "other_hospital_beds" => 3,
        "community_services" | "care_homes" => 4,
        "home" | "died_or_turned_away" => 5,
        _ => return None,
    })
}

/// The flows between groups of kinds of service; moves within a group
/// (community bed to reablement) are left out.
fn grouped_flows(flows: &[(String, String, f64)]) -> Vec<(String, String, f64)> {
    let mut out: Vec<(String, String, f64)> = Vec::new();
    for (from, to, v) in flows {
        let (from, to) = (flow_group(from), flow_group(to));
        if from == to {
            continue;
        }
        match out.iter_mut().find(|(f, t, _)| f == from && t == to) {
            Some(entry) => entry.2 += v,
            None => out.push((from.to_string(), to.to_string(), *v)),
        }
    }
    out
}

pub(super) fn shorten(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_string()
    } else {
        let cut: String = text.chars().take(most - 1).collect();
        format!("{cut}…")
    }
}

/// Emergency admissions per ICC and year: one small panel each.
pub(super) fn icc_figure(
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
        "Emergency admissions a year in each Integrated Care Community (each panel its own scale; the axes do not start at zero): median with the middle 90% of replications{}. \"Clearly lower\": the 95% CI of the paired difference {} is below zero.",
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

/// Occupancy of each service with places against 92% and 95%.
pub(super) fn utilisation_figure(
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
