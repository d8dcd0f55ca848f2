//! The report's charts, drawn with plotters on any backend: SVG to inline
//! in the page and to keep for slides, PNG (the same drawing on a bitmap)
//! for tools that take no SVG.
//!
//! Colours are the Okabe–Ito palette, told apart with any colour vision;
//! the baseline is always blue and the (first) scenario vermillion. Every
//! axis names its unit. Text is measured and drawn with the embedded DejaVu
//! Sans, so the PNGs need no fonts on the machine; the SVGs name
//! `sans-serif`.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;
use plotters::style::FontStyle;

/// Okabe–Ito: blue, vermillion, bluish green, reddish purple, orange, sky
/// blue, yellow.
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0xF0, 0xE4, 0x42),
];
pub(super) const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub(super) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
const FONT: &str = "sans-serif";

static DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Makes the embedded font the one plotters measures and draws text with.
/// Needed once per process before any chart (plotters' text layout fails
/// without a registered font); later calls do nothing.
pub fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse (tested).
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS);
    });
}

/// A failure to draw, in words (plotters' errors carry the backend's type).
pub type DrawResult = Result<(), String>;

pub(super) fn text_style(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// One series of a fan chart: quantiles across replications at each x.
#[derive(Clone, Debug)]
pub struct Fan {
    pub label: String,
    pub colour: RGBColor,
    /// (p05, p25, median, p75, p95) per x position, None where undefined.
    pub points: Vec<Option<[f64; 5]>>,
}

/// A horizontal reference line (a target or a threshold).
#[derive(Clone, Debug)]
pub struct Reference {
    pub value: f64,
    pub label: String,
    pub colour: RGBColor,
}

pub(super) fn value_range<'a>(
    values: impl Iterator<Item = &'a f64>,
    floor_zero: bool,
) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if floor_zero && lo > 0.0 && lo < 0.5 * hi {
        lo = 0.0;
    }
    let pad = if hi > lo {
        (hi - lo) * 0.08
    } else {
        hi.abs().max(1.0) * 0.05
    };
    (lo - pad, hi + pad)
}

/// Draws the chart's legend where asked, then finishes the drawing.
pub(super) fn legend_and_present<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    area: &DrawingArea<DB, Shift>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font(text_style(12.0))
        .background_style(WHITE.mix(0.85))
        .border_style(GRID)
        .draw()
        .map_err(err)?;
    area.present().map_err(err)
}

pub(super) fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("drawing failed: {e:?}")
}

/// Median lines with 50% and 90% bands, over labelled x positions (years).
pub fn fan_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    x_labels: &[String],
    fans: &[Fan],
    references: &[Reference],
    y_format: &dyn Fn(f64) -> String,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let n = x_labels.len() as i32;
    let values: Vec<f64> = fans
        .iter()
        .flat_map(|f| f.points.iter().flatten().flat_map(|p| p.iter().copied()))
        .chain(references.iter().map(|r| r.value))
        .collect();
    let (lo, hi) = value_range(values.iter(), true);
    // Room above the data for the legend.
    let legend_lines = fans.len() + references.len();
    let hi = hi + (hi - lo) * 0.09 * legend_lines as f64;
    // An axis that does not start at zero says so, on the axis itself.
    let y_desc = if lo > 0.0 {
        format!("{y_desc} (axis does not start at zero)")
    } else {
        y_desc.to_string()
    };
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(17.0))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(78)
        .build_cartesian_2d((0..(n - 1).max(1)).into_segmented(), lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(INK)
        .x_labels(x_labels.len())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => x_labels.get(*i as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| y_format(*v))
        .y_desc(y_desc.as_str())
        .label_style(text_style(12.0))
        .axis_desc_style(text_style(12.0))
        .draw()
        .map_err(err)?;
    let x = |i: usize| SegmentValue::CenterOf(i as i32);
    for reference in references {
        let style = reference.colour.stroke_width(2);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (SegmentValue::Exact(0), reference.value),
                    (SegmentValue::Last, reference.value),
                ],
                style,
            )))
            .map_err(err)?
            .label(reference.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
    }
    for fan in fans {
        let defined: Vec<(usize, [f64; 5])> = fan
            .points
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| (i, p)))
            .collect();
        if defined.is_empty() {
            continue;
        }
        let band = |lo: usize, hi: usize| -> Vec<(SegmentValue<i32>, f64)> {
            defined
                .iter()
                .map(|(i, p)| (x(*i), p[hi]))
                .chain(defined.iter().rev().map(|(i, p)| (x(*i), p[lo])))
                .collect()
        };
        chart
            .draw_series([
                Polygon::new(band(0, 4), fan.colour.mix(0.14).filled()),
                Polygon::new(band(1, 3), fan.colour.mix(0.30).filled()),
            ])
            .map_err(err)?;
        let colour = fan.colour;
        chart
            .draw_series(std::iter::once(PathElement::new(
                defined
                    .iter()
                    .map(|(i, p)| (x(*i), p[2]))
                    .collect::<Vec<_>>(),
                colour.stroke_width(3),
            )))
            .map_err(err)?
            .label(format!("{} (median; bands: 50%, 90%)", fan.label))
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 18, y + 5)], colour.mix(0.5).filled())
            });
        chart
            .draw_series(
                defined
                    .iter()
                    .map(|(i, p)| Circle::new((x(*i), p[2]), 3, colour.filled())),
            )
            .map_err(err)?;
    }
    legend_and_present(&mut chart, area, SeriesLabelPosition::UpperRight)
}

/// One group of bars (a sector), one bar per series (scenario), each with
/// its 95% CI.
#[derive(Clone, Debug)]
pub struct BarGroup {
    pub label: String,
    /// (mean, ci low, ci high) per series; None where undefined.
    pub values: Vec<Option<(f64, f64, f64)>>,
}

/// Grouped vertical bars with whiskers.
pub fn bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    series: &[(String, RGBColor)],
    groups: &[BarGroup],
    references: &[Reference],
    y_format: &dyn Fn(f64) -> String,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let values: Vec<f64> = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten().flat_map(|(m, l, h)| [*m, *l, *h]))
        .chain(references.iter().map(|r| r.value))
        .chain(std::iter::once(0.0))
        .collect();
    let (lo, hi) = value_range(values.iter(), true);
    let lo = lo.min(0.0);
    // Room above the bars for the legend.
    let hi = hi + (hi - lo) * 0.08 * (series.len() + references.len()) as f64;
    let n = groups.len();
    let k = series.len().max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(17.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(78)
        .build_cartesian_2d(0.0..n as f64, lo..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(INK)
        .x_labels(n.max(1) * 2 + 1)
        .x_label_formatter(&|v| {
            // Label the middle of each group.
            let i = v.floor();
            if (v - i - 0.5).abs() < 1e-6 {
                groups
                    .get(i as usize)
                    .map(|g| g.label.clone())
                    .unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| y_format(*v))
        .y_desc(y_desc)
        .label_style(text_style(12.0))
        .axis_desc_style(text_style(12.0))
        .draw()
        .map_err(err)?;
    let width = 0.8 / k as f64;
    for (s, (label, colour)) in series.iter().enumerate() {
        let colour = *colour;
        let bars: Vec<(f64, (f64, f64, f64))> = groups
            .iter()
            .enumerate()
            .filter_map(|(g, group)| {
                group
                    .values
                    .get(s)
                    .copied()
                    .flatten()
                    .map(|v| (g as f64, v))
            })
            .collect();
        let left = |g: f64| g + 0.1 + s as f64 * width;
        chart
            .draw_series(bars.iter().map(|(g, (m, _, _))| {
                Rectangle::new(
                    [(left(*g), 0.0), (left(*g) + width * 0.92, *m)],
                    colour.filled(),
                )
            }))
            .map_err(err)?
            .label(label.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
        chart
            .draw_series(
                bars.iter()
                    .filter(|(_, (_, l, h))| l.is_finite() && h.is_finite())
                    .map(|(g, (_, l, h))| {
                        let middle = left(*g) + width * 0.46;
                        PathElement::new(vec![(middle, *l), (middle, *h)], INK.stroke_width(2))
                    }),
            )
            .map_err(err)?;
    }
    for reference in references {
        let style = reference.colour.stroke_width(2);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, reference.value), (n as f64, reference.value)],
                style,
            )))
            .map_err(err)?
            .label(reference.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
    }
    legend_and_present(&mut chart, area, SeriesLabelPosition::UpperRight)
}

/// A small panel of the small multiples: one outcome of one ICC.
#[derive(Clone, Debug)]
pub struct Panel {
    pub title: String,
    pub fans: Vec<Fan>,
}

/// A grid of small fan charts, each with its own y scale.
pub fn small_multiples<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_labels: &[String],
    panels: &[Panel],
    columns: usize,
    y_format: &dyn Fn(f64) -> String,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let columns = columns.max(1);
    let rows = panels.len().div_ceil(columns).max(1);
    let body = area.titled(title, text_style(17.0)).map_err(err)?;
    let cells = body.split_evenly((rows, columns));
    let n = x_labels.len() as i32;
    // Years as "25/26": the panels are small.
    let short: Vec<String> = x_labels
        .iter()
        .map(|l| l.get(2..).unwrap_or(l).to_string())
        .collect();
    for (cell, panel) in cells.iter().zip(panels) {
        let values: Vec<f64> = panel
            .fans
            .iter()
            .flat_map(|f| f.points.iter().flatten().flat_map(|p| p.iter().copied()))
            .collect();
        let (lo, hi) = value_range(values.iter(), false);
        let mut chart = ChartBuilder::on(cell)
            .caption(&panel.title, text_style(13.0))
            .margin(6)
            .x_label_area_size(22)
            .y_label_area_size(54)
            .build_cartesian_2d((0..(n - 1).max(1)).into_segmented(), lo..hi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(INK)
            .x_labels(x_labels.len())
            .y_labels(4)
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => short.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|v| y_format(*v))
            .label_style(text_style(10.0))
            .draw()
            .map_err(err)?;
        for fan in &panel.fans {
            let defined: Vec<(i32, [f64; 5])> = fan
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.map(|p| (i as i32, p)))
                .collect();
            let band: Vec<(SegmentValue<i32>, f64)> = defined
                .iter()
                .map(|(i, p)| (SegmentValue::CenterOf(*i), p[4]))
                .chain(
                    defined
                        .iter()
                        .rev()
                        .map(|(i, p)| (SegmentValue::CenterOf(*i), p[0])),
                )
                .collect();
            chart
                .draw_series([Polygon::new(band, fan.colour.mix(0.16).filled())])
                .map_err(err)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    defined
                        .iter()
                        .map(|(i, p)| (SegmentValue::CenterOf(*i), p[2]))
                        .collect::<Vec<_>>(),
                    fan.colour.stroke_width(2),
                )))
                .map_err(err)?;
        }
    }
    area.present().map_err(err)
}

/// A bar of the tornado: the outcome with a value at its low and at its
/// high quantile.
#[derive(Clone, Debug)]
pub struct TornadoBar {
    pub label: String,
    pub low: f64,
    pub high: f64,
}

/// Horizontal bars around the outcome at the point values, widest first.
pub fn tornado_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    point: f64,
    bars: &[TornadoBar],
    x_format: &dyn Fn(f64) -> String,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let values: Vec<f64> = bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .chain(std::iter::once(point))
        .collect();
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    let (mut chart, n) =
        horizontal_bars_frame(area, title, x_desc, &values, &labels, 48, x_format).map_err(err)?;
    let row = |i: usize| (n - 1 - i) as i32;
    // The low bars, then the high ones, each from the point value.
    for (high, colour, label) in [
        (false, PALETTE[0], "value at its low quantile"),
        (true, PALETTE[1], "value at its high quantile"),
    ] {
        let end = |b: &TornadoBar| if high { b.high } else { b.low };
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                Rectangle::new(
                    [
                        (point.min(end(b)), SegmentValue::Exact(row(i))),
                        (point.max(end(b)), SegmentValue::Exact(row(i) + 1)),
                    ],
                    colour.mix(0.85).filled(),
                )
            }))
            .map_err(err)?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(point, SegmentValue::Exact(0)), (point, SegmentValue::Last)],
            INK.stroke_width(2),
        )))
        .map_err(err)?;
    legend_and_present(&mut chart, area, SeriesLabelPosition::LowerRight)
}

/// A node of the flow picture.
#[derive(Clone, Debug)]
pub struct FlowNode {
    pub label: String,
    /// A second line under the label (the number, its change).
    pub detail: String,
    /// The column to draw it in (0 = left), when the caller knows the
    /// order of a journey; when any node has none, columns follow the
    /// longest path from node 0.
    pub column: Option<usize>,
}

/// Patients moved between two nodes (indices into the nodes).
#[derive(Clone, Debug)]
pub struct FlowLink {
    pub from: usize,
    pub to: usize,
    pub value: f64,
}

/// The stock-and-flow picture: nodes in columns by how many moves they are
/// from node 0 (arrivals), sinks (nodes with no way out) in the last
/// column; each link a band as wide as the patients it carries.
pub fn flow_diagram<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    nodes: &[FlowNode],
    links: &[FlowLink],
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let body = area.titled(title, text_style(17.0)).map_err(err)?;
    let (width, height) = body.dim_in_pixel();
    let (width, height) = (width as f64, height as f64);
    let links: Vec<&FlowLink> = links
        .iter()
        .filter(|l| l.value > 0.0 && l.from != l.to)
        .collect();
    let count = nodes.len();
    // Columns: longest path from arrivals (cycles cut after `count` rounds).
    let mut column = vec![0usize; count];
    for _ in 0..count {
        let mut changed = false;
        for l in &links {
            if column[l.to] < column[l.from] + 1 && column[l.from] + 1 < count {
                column[l.to] = column[l.from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let has_out: Vec<bool> = (0..count)
        .map(|i| links.iter().any(|l| l.from == i))
        .collect();
    let used: Vec<bool> = (0..count)
        .map(|i| links.iter().any(|l| l.from == i || l.to == i))
        .collect();
    let given: Option<Vec<usize>> = nodes.iter().map(|n| n.column).collect();
    let last = column
        .iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|(c, _)| *c)
        .max()
        .unwrap_or(0)
        .max(1);
    for i in 0..count {
        if used[i] && !has_out[i] && i != 0 {
            column[i] = last;
        }
    }
    let (column, last) = match given {
        Some(given) => {
            let last = given
                .iter()
                .zip(&used)
                .filter(|(_, u)| **u)
                .map(|(c, _)| *c)
                .max()
                .unwrap_or(0)
                .max(1);
            (given, last)
        }
        None => (column, last),
    };
    let value_of = |i: usize| -> f64 {
        let inflow: f64 = links.iter().filter(|l| l.to == i).map(|l| l.value).sum();
        let outflow: f64 = links.iter().filter(|l| l.from == i).map(|l| l.value).sum();
        inflow.max(outflow)
    };
    let values: Vec<f64> = (0..count).map(value_of).collect();
    // Each node takes its patients' height, and at least room for its two
    // lines of label.
    // Labels of 18 and 15 pixels: on a chart 1,000 pixels wide printed
    // across A4 (about 170 mm), about 9 and 7.5 points.
    let (gap, label_room) = (10.0, 42.0);
    let (top, bottom) = (8.0, 8.0);
    let usable = height - top - bottom;
    let members =
        |c: usize| -> Vec<usize> { (0..count).filter(|&i| used[i] && column[i] == c).collect() };
    let scale = (0..=last)
        .map(|c| {
            let m = members(c);
            let total: f64 = m.iter().map(|&i| values[i]).sum();
            let fixed = (gap + label_room) * m.len() as f64;
            if total > 0.0 {
                ((usable - fixed) / total).max(0.0)
            } else {
                f64::INFINITY
            }
        })
        .fold(f64::INFINITY, f64::min);
    let scale = if scale.is_finite() { scale } else { 1.0 };
    let node_width = 14.0;
    let left_margin = 10.0;
    let right_margin = 210.0;
    let step = (width - left_margin - right_margin - node_width) / last as f64;
    let mut y0 = vec![0.0; count];
    let mut x0 = vec![0.0; count];
    // Order within each column: nodes sit near the nodes that send them
    // patients (the mean height of their sources, weighted by patients),
    // which keeps bands from crossing; a few sweeps settle it.
    let mut order: Vec<Vec<usize>> = (0..=last).map(members).collect();
    for sweep in 0..4 {
        for (c, column_order) in order.iter_mut().enumerate() {
            if sweep > 0 && c > 0 {
                let centre = |i: usize| -> f64 {
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for l in links.iter().filter(|l| l.to == i && column[l.from] < c) {
                        sum += l.value * (y0[l.from] + values[l.from] * scale / 2.0);
                        weight += l.value;
                    }
                    if weight > 0.0 { sum / weight } else { y0[i] }
                };
                let mut keyed: Vec<(f64, usize)> =
                    column_order.iter().map(|&i| (centre(i), i)).collect();
                keyed.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
                *column_order = keyed.into_iter().map(|(_, i)| i).collect();
            }
            let mut y = top;
            for &i in column_order.iter() {
                x0[i] = left_margin + c as f64 * step;
                y0[i] = y;
                y += (values[i] * scale).max(label_room) + gap;
            }
        }
    }
    // Bands leave each node in the order of their targets' heights, and
    // arrive in the order of their sources'.
    let mut out_offset = vec![0.0; count];
    let mut in_offset = vec![0.0; count];
    let mut ordered: Vec<&&FlowLink> = links.iter().collect();
    ordered.sort_by(|a, b| {
        (y0[a.from], y0[a.to])
            .partial_cmp(&(y0[b.from], y0[b.to]))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut bands = Vec::new();
    let mut arrivals: Vec<(usize, usize)> =
        (0..ordered.len()).map(|k| (ordered[k].to, k)).collect();
    arrivals.sort_by(|a, b| {
        (a.0, y0[ordered[a.1].from])
            .partial_cmp(&(b.0, y0[ordered[b.1].from]))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut in_start = vec![0.0; ordered.len()];
    for (to, k) in arrivals {
        in_start[k] = y0[to] + in_offset[to];
        in_offset[to] += ordered[k].value * scale;
    }
    for (k, link) in ordered.iter().enumerate() {
        let thickness = link.value * scale;
        let from_y = y0[link.from] + out_offset[link.from];
        out_offset[link.from] += thickness;
        let to_y = in_start[k];
        let (xa, xb) = (x0[link.from] + node_width, x0[link.to]);
        let curve = |ya: f64, yb: f64| -> Vec<(f64, f64)> {
            (0..=24)
                .map(|s| {
                    let t = s as f64 / 24.0;
                    // Cubic Bézier with horizontal tangents at both ends.
                    let h = 3.0 * t * t - 2.0 * t * t * t;
                    (xa + (xb - xa) * t, ya + (yb - ya) * h)
                })
                .collect()
        };
        let mut outline = curve(from_y, to_y);
        let mut lower = curve(from_y + thickness, to_y + thickness);
        lower.reverse();
        outline.extend(lower);
        bands.push((outline, PALETTE[link.from % PALETTE.len()]));
    }
    let px = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
    for (outline, colour) in bands {
        body.draw(&Polygon::new(
            outline.into_iter().map(px).collect::<Vec<_>>(),
            colour.mix(0.35).filled(),
        ))
        .map_err(err)?;
    }
    for i in (0..count).filter(|&i| used[i]) {
        let h = (values[i] * scale).max(2.0);
        let slot = h.max(label_room);
        let colour = PALETTE[i % PALETTE.len()];
        body.draw(&Rectangle::new(
            [px((x0[i], y0[i])), px((x0[i] + node_width, y0[i] + h))],
            colour.filled(),
        ))
        .map_err(err)?;
        let (x, y) = (x0[i] + node_width + 5.0, y0[i] + slot / 2.0 - 19.0);
        body.draw(&Text::new(
            nodes[i].label.clone(),
            px((x, y)),
            text_style(18.0),
        ))
        .map_err(err)?;
        body.draw(&Text::new(
            nodes[i].detail.clone(),
            px((x, y + 20.0)),
            text_style(15.0),
        ))
        .map_err(err)?;
    }
    area.present().map_err(err)
}

/// The frame shared by the horizontal bar charts (tornado, waterfall): an
/// x axis over `values` and zero-free rows labelled from the top, the first
/// label on the top row. Returns the chart and the number of rows.
#[allow(clippy::type_complexity)]
pub(super) fn horizontal_bars_frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    x_desc: &str,
    values: &[f64],
    labels: &[&str],
    widest_label: usize,
    x_format: &dyn Fn(f64) -> String,
) -> Result<
    (
        ChartContext<'a, DB, Cartesian2d<RangedCoordf64, SegmentedCoord<RangedCoordi32>>>,
        usize,
    ),
    DrawingAreaErrorKind<DB::ErrorType>,
> {
    let (lo, hi) = value_range(values.iter(), false);
    let n = labels.len().max(1);
    let label_width = labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(10, widest_label) as u32
        * 7;
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(17.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(label_width + 10)
        .build_cartesian_2d(lo..hi, (0..(n as i32 - 1).max(1)).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(INK)
        .y_labels(n)
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => (n - 1)
                .checked_sub(*i as usize)
                .and_then(|k| labels.get(k))
                .map(|l| l.to_string())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .x_label_formatter(&|v| x_format(*v))
        .x_desc(x_desc)
        .label_style(text_style(12.0))
        .axis_desc_style(text_style(12.0))
        .draw()?;
    Ok((chart, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// plotters' SVG backend escapes the text it draws (`&`, `<`, `>`, `"`,
    /// `'`), so names and titles from scenario files reach the page as
    /// text; the page inlines the SVG as plotters wrote it.
    #[test]
    fn text_drawn_into_svg_is_escaped() {
        register_fonts();
        let hostile = "<script>alert(1)</script> &\"'";
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, (600, 300)).into_drawing_area();
            let bars = [TornadoBar {
                label: hostile.to_string(),
                low: 1.0,
                high: 2.0,
            }];
            tornado_chart(&area, hostile, hostile, 1.5, &bars, &|v| format!("{v}")).unwrap();
        }
        assert!(!svg.contains("<script"), "{svg}");
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt; &amp;&quot;&apos;";
        // The title, the axis description and the bar's label.
        assert!(svg.matches(escaped).count() >= 3, "{svg}");
        let mut flows = String::new();
        {
            let area = SVGBackend::with_string(&mut flows, (600, 300)).into_drawing_area();
            let nodes = [
                FlowNode {
                    column: None,
                    label: hostile.to_string(),
                    detail: hostile.to_string(),
                },
                FlowNode {
                    column: None,
                    label: "home".into(),
                    detail: "1".into(),
                },
            ];
            let links = [FlowLink {
                from: 0,
                to: 1,
                value: 1.0,
            }];
            flow_diagram(&area, hostile, &nodes, &links).unwrap();
        }
        assert!(!flows.contains("<script"), "{flows}");
        assert_eq!(flows.matches(escaped).count(), 3, "{flows}");
    }
}
