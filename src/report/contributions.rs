//! `contributions.csv` (`compare --by-lever`): each lever's part of a
//! scenario's difference from the baseline, alone and removed, with the
//! part that is not levers and the interaction, so that the parts of a
//! waterfall add up to the total (see [`crate::experiment::contributions`]);
//! and a short table of it for the terminal. The columns are documented
//! in docs/experiments.md.

use crate::experiment::contributions::{Contribution, Part};
use crate::stats::Summary;

use super::csv_safe::neutralise;
use super::tables::{columns, format_part, shown_difference_unit};
use super::tidy::cell;

/// The columns of `contributions.csv`, in order.
pub const COLUMNS: &[&str] = &[
    "baseline",
    "scenario",
    "part",
    "lever",
    "year",
    "year_start",
    "metric",
    "unit",
    "replications",
    "alone_mean",
    "alone_p05",
    "alone_p95",
    "removed_mean",
    "removed_p05",
    "removed_p95",
];

/// `contributions.csv` of `scenario` against `baseline`.
pub fn contributions_csv(baseline: &str, scenario: &str, rows: &[Contribution]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    let empty =
        |s: Option<&Summary>, f: fn(&Summary) -> f64| s.map_or(String::new(), |s| cell(f(s)));
    for r in rows {
        let removed = r.removed.as_ref();
        let _ = writer.write_record([
            &*neutralise(baseline),
            &neutralise(scenario),
            r.part.name(),
            &neutralise(r.part.lever()),
            &neutralise(&r.year),
            &neutralise(&r.year_start),
            r.metric,
            &neutralise(&r.unit),
            &r.alone.n.to_string(),
            &cell(r.alone.mean),
            &cell(r.alone.p05),
            &cell(r.alone.p95),
            &empty(removed, |s| s.mean),
            &empty(removed, |s| s.p05),
            &empty(removed, |s| s.p95),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// The terminal's table: every part of each outcome over all years, the
/// mean with the middle 90% of replications.
pub fn contributions_table(rows: &[Contribution]) -> String {
    let mut table = vec![vec![
        "outcome".to_string(),
        "part".into(),
        "alone (mean, 90% of replications)".into(),
        "removed (mean, 90% of replications)".into(),
    ]];
    for r in rows.iter().filter(|r| r.year == "all") {
        // A part is a difference: money in £/£m, a fraction in points, a
        // count grouped (the compare table's formatting).
        let unit = r.unit.as_str();
        let spread = |s: &Summary| {
            format!(
                "{} ({} to {})",
                format_part(unit, s.mean),
                format_part(unit, s.p05),
                format_part(unit, s.p95)
            )
        };
        let part = match &r.part {
            Part::Lever(name) => name.clone(),
            Part::NotLevers => "(not levers)".into(),
            Part::AllLevers => "(all levers)".into(),
            Part::Interaction => "(interaction)".into(),
            Part::Total => "(total)".into(),
        };
        table.push(vec![
            format!("{} ({})", r.metric, shown_difference_unit(unit)),
            part,
            spread(&r.alone),
            r.removed.as_ref().map_or(String::new(), spread),
        ]);
    }
    columns(&table, &[false, false, true, true])
}
