//! The stock-and-flow diagram of the board report: one box per kind of
//! place the scenario has (the people in it, mean over the first and the
//! last year), one arrow per move between kinds (patients a year, mean
//! over replications), at fixed places a planner reads left to right —
//! the population, the front doors, hospital, community services and care
//! homes, the ends. Drawn from `stocks_by_period.csv` and
//! `stock_flow.csv` (docs/experiments.md "Stock-and-flow series"); a
//! results folder without them has no diagram.

use std::collections::HashMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Deserialize;

use super::charts::{DrawResult, INK, PALETTE, err, text_style};
use super::context::Context;
use super::drawing::{Chart, chart};
use super::input::{InputError, ScenarioResults};
use super::page;
use super::words;
use crate::report::csv_safe;
use crate::report::stock_flow::{FLOWS_FILE, STOCKS_FILE};

/// The yearly picture of one scenario, means over its replications.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StockFlowPicture {
    /// Window years.
    pub years: usize,
    /// Per kind of place: (kind, holds people, mean people in year 1,
    /// in the last year), in the files' order.
    pub places: Vec<(String, bool, f64, f64)>,
    /// (from, to, patients a year): moves between different kinds, mean
    /// over replications and years (a part year counted by its days).
    pub flows: Vec<(String, String, f64)>,
}

#[derive(Deserialize)]
struct StockLine {
    replication: u64,
    period: String,
    period_index: usize,
    days: f64,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    place: String,
    holds_people: bool,
    mean_stock: Option<f64>,
}

#[derive(Deserialize)]
struct FlowLine {
    period: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    from: String,
    #[serde(deserialize_with = "csv_safe::deserialize_text")]
    to: String,
    patients: f64,
}

fn fail(path: &Path, e: impl std::fmt::Display) -> InputError {
    InputError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Reads the picture from a results folder; None without its files.
pub fn read(folder: &Path) -> Result<Option<StockFlowPicture>, InputError> {
    let (stocks_path, flows_path) = (folder.join(STOCKS_FILE), folder.join(FLOWS_FILE));
    if !stocks_path.exists() || !flows_path.exists() {
        return Ok(None);
    }
    let mut reader = csv::Reader::from_path(&stocks_path).map_err(|e| fail(&stocks_path, e))?;
    let mut places: Vec<(String, bool, f64, f64)> = Vec::new();
    let mut replications: Vec<u64> = Vec::new();
    let mut year_days: HashMap<usize, f64> = HashMap::new();
    let mut sums: HashMap<(String, usize), f64> = HashMap::new();
    for line in reader.deserialize::<StockLine>() {
        let line = line.map_err(|e| fail(&stocks_path, e))?;
        if line.period != "year" {
            continue;
        }
        if !replications.contains(&line.replication) {
            replications.push(line.replication);
        }
        year_days.insert(line.period_index, line.days);
        if !places.iter().any(|p| p.0 == line.place) {
            places.push((line.place.clone(), line.holds_people, 0.0, 0.0));
        }
        *sums.entry((line.place, line.period_index)).or_default() += line.mean_stock.unwrap_or(0.0);
    }
    let years = year_days.len();
    let n = replications.len().max(1) as f64;
    for place in &mut places {
        place.2 = sums.get(&(place.0.clone(), 0)).copied().unwrap_or(0.0) / n;
        place.3 = sums
            .get(&(place.0.clone(), years.saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
            / n;
    }
    // A whole year counts 1 (365 or 366 days), a part year its share.
    let window_years: f64 = year_days.values().map(|d| (d / 365.0).min(1.0)).sum();
    let mut reader = csv::Reader::from_path(&flows_path).map_err(|e| fail(&flows_path, e))?;
    let mut flows: Vec<(String, String, f64)> = Vec::new();
    for line in reader.deserialize::<FlowLine>() {
        let line = line.map_err(|e| fail(&flows_path, e))?;
        if line.period != "year" || line.from == line.to {
            continue;
        }
        let per_year = line.patients / n / window_years.max(f64::MIN_POSITIVE);
        match flows
            .iter_mut()
            .find(|(f, t, _)| *f == line.from && *t == line.to)
        {
            Some(flow) => flow.2 += per_year,
            None => flows.push((line.from, line.to, per_year)),
        }
    }
    Ok(Some(StockFlowPicture {
        years,
        places,
        flows,
    }))
}

/// Where a kind of place stands, as shares of the drawing's width and
/// height, and its label; None for a kind the diagram has no place for
/// (a hand-written network's own services: set out along the foot).
fn position(kind: &str) -> Option<((f64, f64), &'static str)> {
    // Columns: the population, the front doors, hospital, community
    // services and care homes, the ends.
    Some(match kind {
        "arrival" => ((0.0, 0.45), "Population (entries)"),
        "primary_care" => ((1.0, 0.0), "Primary care"),
        "ed" => ((1.0, 0.3), "A&E"),
        "day_unit" => ((1.0, 0.6), "Day units"),
        "community_day_unit" => ((1.0, 0.9), "Community day units"),
        "rapid_response" => ((2.0, 0.0), "Rapid response"),
        "acute_beds" => ((2.0, 0.3), "Acute beds"),
        "paediatric_beds" => ((2.0, 0.6), "Children's beds"),
        "other_provider" => ((2.0, 0.9), "Other providers"),
        "community_beds" => ((3.0, 0.0), "Community beds"),
        "reablement" => ((3.0, 0.2), "Reablement"),
        "home_care" => ((3.0, 0.4), "Home care"),
        "case_management" => ((3.0, 0.6), "Case management"),
        "residential_care" => ((3.0, 0.8), "Residential homes"),
        "nursing_care" => ((3.0, 1.0), "Nursing homes"),
        "home" => ((4.0, 0.1), "Home (population)"),
        "death" => ((4.0, 0.45), "Death"),
        "lost" => ((4.0, 0.8), "Left unserved"),
        _ => return None,
    })
}

/// Box size in pixels.
const BOX: (f64, f64) = (178.0, 54.0);

/// A box of the drawing.
struct Place {
    label: String,
    detail: String,
    /// Top-left corner.
    at: (f64, f64),
    colour: RGBColor,
}

/// An arrow of the drawing.
struct Arrow {
    from: usize,
    to: usize,
    value: f64,
    /// Whether the reverse move is drawn too (then each is set aside).
    paired: bool,
}

/// The figure: the diagram and its caption; empty without the files.
pub(super) fn stock_flow_figure(
    context: &Context,
    folder: &str,
    results: &ScenarioResults,
    charts: &mut Vec<Chart>,
) -> Result<String, String> {
    let Some(picture) = &results.stock_flow else {
        return Ok(String::new());
    };
    if picture.flows.is_empty() {
        return Ok(String::new());
    }
    // About as wide as the page prints it: labels of 15 pixels print at
    // about 7 points.
    let size = (1240u32, 760u32);
    let (places, arrows, shown, hidden) = layout(picture, size);
    let title = super::figures::shorten(
        &format!("Stocks and flows: {}", results.run.scenario_title),
        100,
    );
    let chart = chart!(format!("{folder}-stock-flow"), size, |area| {
        draw(area, &title, &places, &arrows)
    })?;
    let caption = format!(
        "The whole system as stocks and flows {}, mean across replications. Each box is a kind of place: for services, the people in it on an average day of year 1{}; for the ends, the people reaching them a year. Each arrow is the patients moving a year (mean over the years), as thick as its share of the largest; the {shown} largest moves are drawn and labelled, {hidden} smaller ones (under {} a year) and moves within a kind (between sites, or from one community bed to another) are left out. stocks_by_period.csv and stock_flow.csv hold every move by month and year.",
        context.period,
        if picture.years > 1 {
            " → the last year"
        } else {
            ""
        },
        words::grouped(
            arrows
                .iter()
                .map(|a| a.value)
                .fold(f64::INFINITY, f64::min)
                .max(0.0)
                .floor()
        ),
    );
    let html = page::figure(&chart.name, &chart.svg, &caption, &context.charts_folder);
    charts.push(chart);
    Ok(html)
}

/// Most arrows drawn: beyond this many the picture is a hairball.
const MOST_ARROWS: usize = 28;

/// The boxes and the arrows to draw, with how many moves were drawn and
/// left out.
fn layout(picture: &StockFlowPicture, size: (u32, u32)) -> (Vec<Place>, Vec<Arrow>, usize, usize) {
    // Five columns, the boxes' tops from under the title to the foot.
    let column = (f64::from(size.0) - BOX.0 - 20.0) / 4.0;
    let height = f64::from(size.1) - BOX.1 - 50.0;
    let mut flows: Vec<&(String, String, f64)> =
        picture.flows.iter().filter(|f| f.2 >= 0.5).collect();
    flows.sort_by(|a, b| b.2.total_cmp(&a.2));
    let hidden = flows.len().saturating_sub(MOST_ARROWS);
    flows.truncate(MOST_ARROWS);
    let mut places: Vec<Place> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut unplaced = 0;
    for (i, (kind, holds, first, last)) in picture.places.iter().enumerate() {
        let moved = flows.iter().any(|f| f.0 == *kind || f.1 == *kind);
        if !moved {
            continue;
        }
        let (share, label) = match position(kind) {
            Some((share, label)) => (share, label.to_string()),
            None => {
                unplaced += 1;
                ((0.6 * unplaced as f64, 1.0), words::plain_name(kind))
            }
        };
        let detail = if *holds {
            if picture.years > 1 {
                format!(
                    "{} → {} people",
                    words::grouped(*first),
                    words::grouped(*last)
                )
            } else {
                format!("{} people", words::grouped(*first))
            }
        } else {
            let through = |into: bool| -> f64 {
                picture
                    .flows
                    .iter()
                    .filter(|f| if into { f.1 == *kind } else { f.0 == *kind })
                    .map(|f| f.2)
                    .sum()
            };
            if kind == "arrival" {
                format!("{} a year", words::grouped(through(false)))
            } else {
                format!("{} a year", words::grouped(through(true)))
            }
        };
        index.insert(kind.as_str(), places.len());
        places.push(Place {
            label,
            detail,
            at: (10.0 + share.0 * column, 40.0 + share.1 * height),
            colour: PALETTE[i % PALETTE.len()],
        });
    }
    let arrows: Vec<Arrow> = flows
        .iter()
        .map(|(f, t, v)| Arrow {
            from: index[f.as_str()],
            to: index[t.as_str()],
            value: *v,
            paired: flows.iter().any(|g| g.0 == *t && g.1 == *f),
        })
        .collect();
    (places, arrows, flows.len(), hidden)
}

/// Where the segment from the centre of a box towards `towards` leaves it.
fn edge(at: (f64, f64), towards: (f64, f64)) -> (f64, f64) {
    let centre = (at.0 + BOX.0 / 2.0, at.1 + BOX.1 / 2.0);
    let (dx, dy) = (towards.0 - centre.0, towards.1 - centre.1);
    let tx = if dx == 0.0 {
        f64::INFINITY
    } else {
        (BOX.0 / 2.0) / dx.abs()
    };
    let ty = if dy == 0.0 {
        f64::INFINITY
    } else {
        (BOX.1 / 2.0) / dy.abs()
    };
    let t = tx.min(ty).min(1.0);
    (centre.0 + dx * t, centre.1 + dy * t)
}

fn overlaps(a: [(f64, f64); 2], b: [(f64, f64); 2]) -> bool {
    a[0].0 < b[1].0 && b[0].0 < a[1].0 && a[0].1 < b[1].1 && b[0].1 < a[1].1
}

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    places: &[Place],
    arrows: &[Arrow],
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    area.draw(&Text::new(title.to_string(), (10, 8), text_style(17.0)))
        .map_err(err)?;
    let px = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
    let largest = arrows.iter().map(|a| a.value).fold(0.0, f64::max).max(1.0);
    // Label boxes already taken: the places', then each label's.
    let mut taken: Vec<[(f64, f64); 2]> = places
        .iter()
        .map(|p| [p.at, (p.at.0 + BOX.0, p.at.1 + BOX.1)])
        .collect();
    let mut labels = Vec::new();
    // Thin arrows on top of thick ones.
    let mut order: Vec<&Arrow> = arrows.iter().collect();
    order.sort_by(|a, b| b.value.total_cmp(&a.value));
    for arrow in order {
        let (a, b) = (&places[arrow.from], &places[arrow.to]);
        let centre = |p: &Place| (p.at.0 + BOX.0 / 2.0, p.at.1 + BOX.1 / 2.0);
        let (ca, cb) = (centre(a), centre(b));
        let length = ((cb.0 - ca.0).powi(2) + (cb.1 - ca.1).powi(2))
            .sqrt()
            .max(1.0);
        // A move with its reverse drawn keeps to its own side.
        let normal = ((ca.1 - cb.1) / length, (cb.0 - ca.0) / length);
        let shift = if arrow.paired { 7.0 } else { 0.0 };
        let (sa, sb) = (
            (ca.0 + normal.0 * shift, ca.1 + normal.1 * shift),
            (cb.0 + normal.0 * shift, cb.1 + normal.1 * shift),
        );
        let start = edge(a.at, sb);
        let end = edge(b.at, sa);
        let start = (start.0 + normal.0 * shift, start.1 + normal.1 * shift);
        let end = (end.0 + normal.0 * shift, end.1 + normal.1 * shift);
        let thickness = 1.0 + 13.0 * arrow.value / largest;
        let colour = a.colour.mix(0.55);
        let (ux, uy) = ((end.0 - start.0) / length, (end.1 - start.1) / length);
        let head = 8.0 + thickness;
        let shaft_end = (end.0 - ux * head * 0.8, end.1 - uy * head * 0.8);
        area.draw(&PathElement::new(
            vec![px(start), px(shaft_end)],
            colour.stroke_width(thickness.round() as u32),
        ))
        .map_err(err)?;
        let wing = head * 0.55;
        area.draw(&Polygon::new(
            vec![
                px(end),
                px((end.0 - ux * head - uy * wing, end.1 - uy * head + ux * wing)),
                px((end.0 - ux * head + uy * wing, end.1 - uy * head - ux * wing)),
            ],
            a.colour.filled(),
        ))
        .map_err(err)?;
        // The label where it overlaps nothing drawn, nearest the middle.
        let text = words::grouped(arrow.value);
        let (w, h) = (9.5 * text.len() as f64 + 6.0, 19.0);
        let spot = [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78]
            .iter()
            .map(|t| {
                let x = start.0 + (end.0 - start.0) * t + normal.0 * (thickness / 2.0 + 2.0);
                let y = start.1 + (end.1 - start.1) * t + normal.1 * (thickness / 2.0 + 2.0);
                let (x, y) = (x - w / 2.0, y - h / 2.0);
                [(x, y), (x + w, y + h)]
            })
            .find(|candidate| taken.iter().all(|t| !overlaps(*candidate, *t)));
        if let Some(spot) = spot {
            taken.push(spot);
            labels.push((spot, text));
        }
    }
    for (spot, text) in labels {
        area.draw(&Rectangle::new(
            [px(spot[0]), px(spot[1])],
            WHITE.mix(0.85).filled(),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            text,
            px((spot[0].0 + 3.0, spot[0].1 + 1.0)),
            text_style(15.0),
        ))
        .map_err(err)?;
    }
    for place in places {
        let corner = (place.at.0 + BOX.0, place.at.1 + BOX.1);
        area.draw(&Rectangle::new([px(place.at), px(corner)], WHITE.filled()))
            .map_err(err)?;
        area.draw(&Rectangle::new(
            [px(place.at), px(corner)],
            place.colour.stroke_width(2),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            place.label.clone(),
            px((place.at.0 + 7.0, place.at.1 + 6.0)),
            text_style(16.0),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            place.detail.clone(),
            px((place.at.0 + 7.0, place.at.1 + 29.0)),
            text_style(14.0).color(&INK),
        ))
        .map_err(err)?;
    }
    area.present().map_err(err)
}
