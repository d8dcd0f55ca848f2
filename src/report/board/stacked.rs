//! A stacked bar chart: one bar per year, split into parts (delayed acute
//! bed-days by reason), each part a colour of the palette, with a legend.
//! Kept apart from `charts` (which is long enough).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::charts::{DrawResult, GRID, INK, PALETTE, err, legend_and_present, text_style};

/// A bar of the chart: its label and the size of each part (NaN or
/// missing: none).
#[derive(Clone, Debug)]
pub struct StackedBar {
    pub label: String,
    pub parts: Vec<f64>,
}

/// Bars with their parts stacked from zero, the parts named by `parts`
/// (in the order they are stacked, bottom first).
pub fn stacked_bar_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_desc: &str,
    parts: &[String],
    bars: &[StackedBar],
    y_format: &dyn Fn(f64) -> String,
) -> DrawResult {
    area.fill(&WHITE).map_err(err)?;
    let height = |bar: &StackedBar| -> f64 {
        bar.parts
            .iter()
            .filter(|v| v.is_finite() && **v > 0.0)
            .sum()
    };
    let top = bars.iter().map(height).fold(0.0, f64::max);
    let top = if top > 0.0 { top } else { 1.0 };
    // Room above the bars for the legend.
    let hi = top * (1.15 + 0.09 * parts.len() as f64);
    let n = bars.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, text_style(17.0))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(78)
        .build_cartesian_2d(0.0..n.max(1) as f64, 0.0..hi)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(INK)
        .x_labels(n.max(1) * 2 + 1)
        .x_label_formatter(&|v| {
            let i = v.floor();
            if (v - i - 0.5).abs() < 1e-6 {
                bars.get(i as usize)
                    .map(|b| b.label.clone())
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
    for (p, name) in parts.iter().enumerate() {
        let colour = PALETTE[p % PALETTE.len()];
        let blocks: Vec<(f64, f64, f64)> = bars
            .iter()
            .enumerate()
            .filter_map(|(b, bar)| {
                let size = bar.parts.get(p).copied().filter(|v| v.is_finite())?;
                let below: f64 = bar.parts[..p]
                    .iter()
                    .filter(|v| v.is_finite() && **v > 0.0)
                    .sum();
                (size > 0.0).then_some((b as f64, below, below + size))
            })
            .collect();
        chart
            .draw_series(blocks.iter().map(|(b, from, to)| {
                Rectangle::new([(b + 0.2, *from), (b + 0.8, *to)], colour.filled())
            }))
            .map_err(err)?
            .label(name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], colour.filled()));
    }
    legend_and_present(&mut chart, area, SeriesLabelPosition::UpperRight)
}
