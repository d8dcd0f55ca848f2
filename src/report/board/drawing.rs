//! A chart drawn twice, as SVG for the page and PNG for slides, with
//! file names made safe; the fan of one outcome over the years; and the
//! words and number format of an outcome's axis.

use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea, SVGBackend};

use super::charts::{self, Fan, PALETTE};
use super::context::Context;
use super::input::{self, ScenarioResults};
use super::words::{self, Kind};

/// A chart of the report, in both formats.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File name without extension (`<scenario>-<chart>`).
    pub name: String,
    pub svg: String,
    pub png: Vec<u8>,
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
pub(super) fn draw(
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
        $crate::report::board::drawing::draw(
            $name,
            $size,
            &|$area: &::plotters::prelude::DrawingArea<
                ::plotters::prelude::SVGBackend,
                ::plotters::coord::Shift,
            >| $body,
            &|$area: &::plotters::prelude::DrawingArea<
                ::plotters::prelude::BitMapBackend,
                ::plotters::coord::Shift,
            >| $body,
        )
    };
}
pub(super) use chart;

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
pub(super) fn fan_of(
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

pub(super) fn y_format(kind: Kind) -> impl Fn(f64) -> String {
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

pub(super) fn unit_words(o: &words::Outcome) -> String {
    match o.kind {
        Kind::Money => "£".into(),
        Kind::Days => "days".into(),
        Kind::Share => "% of beds".into(),
        Kind::Count => o.label.to_lowercase(),
    }
}
