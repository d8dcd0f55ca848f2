//! The warm-up diagnostic's files: `warmup.csv` (each output's daily mean
//! and Welch moving averages, tidy), `warmup_summary.csv` (the MSER-5
//! truncation day of each output against the scenario's warm-up),
//! `run.json` (what was run, to reproduce it), the verdict printed on the
//! terminal, and `warmup.svg` (the headline series with the MSER-5 day and
//! the scenario's warm-up marked). The analysis is
//! [`crate::experiment::warmup`]'s.

use serde::Serialize;

use super::csv_safe::neutralise;
use super::tidy::cell;
use crate::experiment::warmup::{OutputWarmup, verdict};

/// `warmup.csv`: one row per output × day: the mean over replications,
/// then one column per window of Welch's moving average (blank where the
/// window runs past the end of the run).
pub fn warmup_csv(analyses: &[OutputWarmup], windows: &[usize]) -> Vec<u8> {
    let mut header = vec!["output".to_string(), "day".into(), "mean".into()];
    header.extend(windows.iter().map(|w| format!("moving_average_{w}")));
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(&header);
    for a in analyses {
        let name = neutralise(&a.series.name);
        for (day, mean) in a.series.mean.iter().enumerate() {
            let mut row = vec![name.to_string(), day.to_string(), cell(*mean)];
            row.extend(
                a.moving_averages
                    .iter()
                    .map(|ma| ma[day].map(cell).unwrap_or_default()),
            );
            let _ = writer.write_record(&row);
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// The words of `long_enough`: yes, no, or unknown (MSER-5 could not tell).
fn long_enough_word(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// `warmup_summary.csv`: one row per output: MSER-5's truncation day,
/// the Welch crossing day, the scenario's warm-up and whether it covers the
/// MSER-5 day; then whether the MSER-5 minimum was at the end of its search
/// (half the run), and the run analysed.
pub fn warmup_summary_csv(
    analyses: &[OutputWarmup],
    warmup_days: f64,
    run_days: usize,
    replications: u64,
) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "output",
        "mser5_day",
        "welch_day",
        "scenario_warmup_days",
        "long_enough",
        "mser5_at_search_limit",
        "run_days",
        "replications",
    ]);
    for a in analyses {
        let day = |d: Option<usize>| d.map(|d| d.to_string()).unwrap_or_default();
        let _ = writer.write_record([
            neutralise(&a.series.name).to_string(),
            day(a.mser5_day()),
            day(a.welch_day),
            cell(warmup_days),
            long_enough_word(a.long_enough(warmup_days)).into(),
            a.mser5
                .map(|t| if t.at_search_limit { "yes" } else { "no" })
                .unwrap_or("")
                .into(),
            run_days.to_string(),
            replications.to_string(),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// What a warm-up diagnostic ran: enough to run it again.
#[derive(Clone, Debug, Serialize)]
pub struct WarmupRunInfo {
    pub command: &'static str,
    pub iccsim_version: String,
    /// The command line as typed (the program's name first).
    pub command_line: Vec<String>,
    pub scenario_name: String,
    pub scenario_origin: String,
    pub seed: u64,
    pub replications: u64,
    /// Days simulated, from the start date, with no warm-up.
    pub run_days: f64,
    /// The scenario's own `run.warmup_days`, which the verdict judges.
    pub scenario_warmup_days: f64,
    /// Started with no patients (the scenario's census removed).
    pub from_empty: bool,
    pub mser_batch_days: usize,
    pub moving_average_windows: Vec<usize>,
    /// The scenario as run (also in scenario.toml beside it).
    pub scenario_text: String,
}

/// `run.json`.
pub fn run_json(info: &WarmupRunInfo) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(info).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The verdict in a sentence or two, for the terminal.
pub fn verdict_text(analyses: &[OutputWarmup], warmup_days: f64) -> String {
    let v = verdict(analyses, warmup_days);
    let longest = match v.longest {
        Some((day, name)) => format!("longest MSER-5 truncation: {day} days, {name}"),
        None if v.undecided.is_empty() => {
            return "The run is too short for MSER-5 (fewer than 10 days).".into();
        }
        None => {
            // Nothing to judge by: not "long enough" (the trial of issue
            // 24 read that for a run shorter than the warm-up itself).
            return format!(
                "warmup_days = {warmup_days} cannot be judged: MSER-5 found no end to the transient of any output in the first half of this run. Run longer (--days, at least twice warmup_days), or hold a trend such as growing demand with --set."
            );
        }
    };
    let mut text = if v.too_short.is_empty() && v.undecided.is_empty() {
        format!("warmup_days = {warmup_days} is long enough for every output ({longest}).")
    } else if v.too_short.is_empty() {
        format!(
            "warmup_days = {warmup_days} is long enough for every output MSER-5 could settle ({longest})."
        )
    } else {
        let needed = v
            .too_short
            .iter()
            .filter_map(|a| a.mser5_day())
            .max()
            .unwrap_or_default();
        format!(
            "warmup_days = {warmup_days} is NOT long enough for {} of {} outputs: {} ({longest}). To cover them, set run.warmup_days to at least {needed}; MSER-5's day for a slowly settling output moves with the run's length, so check again with a longer --days.",
            v.too_short.len(),
            analyses.len(),
            named(&v.too_short, true)
        )
    };
    if !v.undecided.is_empty() {
        text.push_str(&format!(
            "\nMSER-5 found no end to the transient in the first half of the run for {}: the series still moves at half the run, from a transient longer than that (run longer, --days) or a trend no warm-up removes (growing demand: hold it with --set to judge the warm-up alone).",
            named(&v.undecided, false)
        ));
    }
    text
}

/// The headline outputs among `list` by name (with their MSER-5 day if
/// `with_day`), and how many service outputs besides: a whole system has
/// dozens, which warmup_summary.csv lists.
fn named(list: &[&OutputWarmup], with_day: bool) -> String {
    let name = |a: &OutputWarmup| match (with_day, a.mser5_day()) {
        (true, Some(day)) => format!("{} ({day} days)", a.series.name),
        _ => a.series.name.clone(),
    };
    let headlines: Vec<String> = list
        .iter()
        .filter(|a| a.series.headline)
        .map(|a| name(a))
        .collect();
    let others = list.len() - headlines.len();
    match (headlines.is_empty(), others) {
        (_, 0) => headlines.join(", "),
        (true, n) => format!("{n} services (see warmup_summary.csv)"),
        (false, n) => format!(
            "{} and {n} single services (see warmup_summary.csv)",
            headlines.join(", ")
        ),
    }
}

#[cfg(feature = "board")]
pub use chart::warmup_svg;

#[cfg(feature = "board")]
mod chart {
    use plotters::prelude::*;

    use super::OutputWarmup;
    use crate::report::board::charts::{PALETTE, register_fonts};

    const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
    const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

    fn text(size: f64) -> TextStyle<'static> {
        ("sans-serif", size).into_font().color(&INK)
    }

    fn err<E: std::fmt::Debug>(e: E) -> String {
        format!("drawing failed: {e:?}")
    }

    /// `warmup.svg`: one panel per headline output (at most 9): the daily
    /// mean over replications (grey), Welch's moving average of the
    /// window `window` (blue), the MSER-5 truncation day (vermillion) and
    /// the scenario's warm-up (green, dashed).
    pub fn warmup_svg(
        analyses: &[OutputWarmup],
        window_index: usize,
        window: usize,
        warmup_days: f64,
    ) -> Result<String, String> {
        register_fonts();
        let shown: Vec<&OutputWarmup> = analyses
            .iter()
            .filter(|a| a.series.headline)
            .take(9)
            .collect();
        let columns = shown.len().clamp(1, 3);
        let rows = shown.len().div_ceil(columns).max(1);
        let size = (420 * columns as u32, 300 * rows as u32 + 40);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
            root.fill(&WHITE).map_err(err)?;
            let root = root
                .titled(
                    &format!(
                        "Warm-up: daily mean (grey), Welch moving average w = {window} (blue), MSER-5 day (orange), warmup_days (green)"
                    ),
                    text(14.0),
                )
                .map_err(err)?;
            let panels = root.split_evenly((rows, columns));
            for (a, panel) in shown.iter().zip(panels.iter()) {
                draw_panel(panel, a, window_index, warmup_days)?;
            }
            root.present().map_err(err)?;
        }
        Ok(svg)
    }

    fn draw_panel<DB: DrawingBackend>(
        area: &DrawingArea<DB, plotters::coord::Shift>,
        a: &OutputWarmup,
        window_index: usize,
        warmup_days: f64,
    ) -> Result<(), String> {
        let mean = &a.series.mean;
        let days = mean.len().max(2) as f64;
        let (mut lo, mut hi) = mean
            .iter()
            .filter(|v| v.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(*v), h.max(*v))
            });
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = if hi > lo {
            (hi - lo) * 0.08
        } else {
            hi.abs().max(1.0) * 0.05
        };
        let mut chart = ChartBuilder::on(area)
            .caption(&a.series.description, text(13.0))
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..days, (lo - pad)..(hi + pad))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .axis_style(INK)
            .x_desc("day of the run")
            .label_style(text(11.0))
            .axis_desc_style(text(11.0))
            .x_labels(6)
            .y_labels(6)
            .draw()
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                mean.iter()
                    .enumerate()
                    .map(|(d, v)| (d as f64, *v))
                    .collect::<Vec<_>>(),
                RGBColor(0xAA, 0xAA, 0xAA).stroke_width(1),
            )))
            .map_err(err)?;
        if let Some(ma) = a.moving_averages.get(window_index) {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    ma.iter()
                        .enumerate()
                        .filter_map(|(d, v)| v.map(|v| (d as f64, v)))
                        .collect::<Vec<_>>(),
                    PALETTE[0].stroke_width(2),
                )))
                .map_err(err)?;
        }
        let (y0, y1) = (lo - pad, hi + pad);
        if let Some(day) = a.mser5_day() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(day as f64, y0), (day as f64, y1)],
                    PALETTE[4].stroke_width(2),
                )))
                .map_err(err)?;
        }
        // Dashed: a dash every 2% of the height.
        let step = (y1 - y0) / 50.0;
        chart
            .draw_series((0..25).map(|i| {
                let from = y0 + 2.0 * i as f64 * step;
                PathElement::new(
                    vec![(warmup_days, from), (warmup_days, from + step)],
                    PALETTE[2].stroke_width(2),
                )
            }))
            .map_err(err)?;
        Ok(())
    }
}
