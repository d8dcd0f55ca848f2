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
//! [`charts`] (plotters drawings on any backend), [`page`] (HTML); and,
//! private, one file per part of the page: `comparison` (a scenario
//! against the baseline), `single` (one scenario alone), `services` (a
//! network written by hand), `figures` and `money` (the charts and tables
//! those sections share), `sensitivity` (the tornado), `methods` (the
//! appendix), over `context` (what every section shares) and `drawing`
//! (a chart as SVG and PNG).
//!
//! Depends on `engine` (calendar dates) and `model::metrics` (which
//! outcomes are headlines, in which order, and what sort of number each
//! is), beyond `report`'s own files; the results it draws are read from
//! files.

pub mod charts;
pub mod extra_input;
pub mod input;
pub mod page;
pub mod words;

mod cash;
mod comparison;
mod context;
mod drawing;
mod evidence;
mod figures;
mod finance;
mod levers;
mod methods;
mod money;
mod pressure;
mod sensitivity;
mod services;
mod single;
mod stacked;
mod stock_flow;
mod summary;
mod waterfall;
mod years;

use std::path::Path;

use comparison::{at_a_glance, scenario_section};
use context::Context;
use input::ReportInput;
use methods::methods;
use sensitivity::tornado_section;
use single::single_section;
use summary::executive_summary;

pub use drawing::Chart;
pub use input::InputError;

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
            "Projections by iccsim {} of {} replications, {}, from {} (after {} days of warm-up); seed {}. {}{}.{}",
            base.run.iccsim_version,
            base.run.replications,
            context.period,
            base.run.start_date,
            base.run.warmup_days,
            base.run.seed,
            if comparing {
                "Changes are stated as the median and the middle 90% of replications, each of which draws chance and the uncertain effects; the 95% CI of the mean is labelled simulation precision"
            } else {
                "Intervals are 95% confidence intervals of the mean (simulation precision); the charts show the middle 50% and 90% of replications"
            },
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
        body.push_str(&executive_summary(&context));
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
