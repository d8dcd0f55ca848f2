//! `[calibration]`: the observed values a run is compared with, each
//! naming an output metric of the whole system (by age band, year).

use super::raw::RawCalibration;
use crate::model::RunSettings;
use crate::model::metrics::{BREAKDOWN_METRICS, SITE_METRICS, is_count_metric};
use crate::model::system::{AgeBands, CalibrationTarget};
use crate::scenario::check::{Checker, quoted_list};
use crate::scenario::error::did_you_mean;

/// `[calibration]`, checked: no targets without the section.
pub(super) fn validate_calibration(
    check: &mut Checker,
    document: &toml::Table,
    run: Option<&RunSettings>,
    age_bands: &AgeBands,
) -> Option<Vec<CalibrationTarget>> {
    match document.get("calibration") {
        None => Some(Vec::new()),
        Some(value) => check
            .section::<RawCalibration>("calibration", value.clone())
            .and_then(|raw| validate_targets(check, &raw, run, age_bands)),
    }
}

fn validate_targets(
    check: &mut Checker,
    raw: &RawCalibration,
    run: Option<&RunSettings>,
    age_bands: &AgeBands,
) -> Option<Vec<CalibrationTarget>> {
    // Years of the window: anniversaries of the start date before its end.
    let window_years = run.map(|run| {
        (0..)
            .take_while(|k| {
                let start = run.start_date.add_months(12 * k);
                ((start.day_number() - run.start_date.day_number()) as f64) < run.horizon_days
            })
            .count()
    });
    let known: Vec<&str> = BREAKDOWN_METRICS
        .iter()
        .chain(SITE_METRICS)
        .map(|m| m.name)
        .collect();
    let mut targets = Vec::new();
    let mut ok = true;
    for (i, t) in raw.targets.iter().enumerate() {
        let path = format!("calibration.targets[{i}]");
        if !known.contains(&t.metric.as_str()) {
            check.issue(
                format!("{path}.metric"),
                Some(format!("{:?}", t.metric)),
                format!(
                    "is not an output{}; see docs/whole-system.md, section 12, for the list",
                    did_you_mean(&t.metric, known.iter().copied())
                ),
            );
            ok = false;
            continue;
        }
        let mut bands = Vec::new();
        for (j, band) in t.age_bands.iter().flatten().enumerate() {
            match age_bands.position(band) {
                Some(b) if bands.contains(&b) => {
                    check.issue(
                        format!("{path}.age_bands[{j}]"),
                        Some(format!("{band:?}")),
                        "is listed twice; list each band once",
                    );
                    ok = false;
                }
                Some(b) => bands.push(b),
                None => {
                    check.issue(
                        format!("{path}.age_bands[{j}]"),
                        Some(format!("{band:?}")),
                        format!(
                            "is not an age band{}; the bands are {}",
                            did_you_mean(band, age_bands.names().iter().map(String::as_str)),
                            quoted_list(age_bands.names())
                        ),
                    );
                    ok = false;
                }
            }
        }
        let site = SITE_METRICS.iter().any(|m| m.name == t.metric);
        if site && !bands.is_empty() {
            check.issue(
                format!("{path}.age_bands"),
                None,
                format!(
                    "`{}` is a measure of the whole hospital, not split by age; remove age_bands",
                    t.metric
                ),
            );
            ok = false;
        }
        if bands.len() > 1 && !is_count_metric(&t.metric) {
            check.issue(format!("{path}.age_bands"), None, format!("`{}` is a ratio and cannot be added up over several bands; give one band, or none for all ages", t.metric));
            ok = false;
        }
        let per_year = t.per_year.unwrap_or(false);
        if per_year && !is_count_metric(&t.metric) {
            check.issue(
                format!("{path}.per_year"),
                None,
                format!("`{}` is not a count; remove per_year", t.metric),
            );
            ok = false;
        }
        let last_year = window_years.unwrap_or(200) as i64;
        let year = match t.year {
            None => None,
            Some(y) if (1..=last_year).contains(&y) => Some(y as usize),
            Some(y) => {
                check.issue(
                    format!("{path}.year"),
                    Some(y.to_string()),
                    format!("must be a year of the window, from 1 to {last_year} (run.horizon_days), or left out for the whole window"),
                );
                ok = false;
                None
            }
        };
        for (key, v) in [("observed", t.observed), ("low", t.low), ("high", t.high)] {
            ok &= check
                .number_in(&format!("{path}.{key}"), v, -1e15, 1e15, "")
                .is_some();
        }
        if !(t.low <= t.observed && t.observed <= t.high) {
            check.issue(
                format!("{path}.low"),
                Some(format!("{}", t.low)),
                format!(
                    "low ≤ observed ≤ high is needed (observed {}, high {})",
                    t.observed, t.high
                ),
            );
            ok = false;
        }
        targets.push(CalibrationTarget {
            name: t.name.clone(),
            metric: t.metric.clone(),
            age_bands: bands,
            per_year,
            year,
            observed: t.observed,
            low: t.low,
            high: t.high,
            source: t.source.clone(),
        });
    }
    ok.then_some(targets)
}
