//! `[calibration]`: the observed values a run is compared with, each
//! naming an output metric of the whole system (by age band, year), and
//! `[calibration.fit]`: the values `iccsim calibrate --fit` may move to
//! bring them inside their bands, each a key of the scenario (as `--set`
//! names it) with its bounds, checked against the document itself.

use serde::Deserialize;

use super::raw::RawCalibration;
use crate::model::RunSettings;
use crate::model::metrics::{BREAKDOWN_METRICS, SITE_METRICS, is_count_metric};
use crate::model::system::{AgeBands, CalibrationTarget};
use crate::scenario::check::{Checker, quoted_list};
use crate::scenario::error::{Issue, did_you_mean};
use crate::scenario::keys::{canonical_key, key_parts, keys_overlap};

/// `[calibration.fit]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFit {
    /// The values the fit may move, each `{ key, min, max }`.
    free: Vec<RawFree>,
    /// Most simulations of the scenario the fit runs (default 20 × (free
    /// values + 1)).
    max_evaluations: Option<i64>,
}

/// One free value: a dotted key of the scenario (as `--set` takes) and
/// its bounds, in the key's own unit.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFree {
    key: String,
    min: f64,
    max: f64,
}

/// `[calibration.fit]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationFit {
    pub free: Vec<FreeValue>,
    /// As written; None for the default ([`CalibrationFit::evaluations`]).
    pub max_evaluations: Option<u32>,
}

impl CalibrationFit {
    /// The most evaluations: as written, or 20 for each vertex of the
    /// Nelder-Mead simplex (free values + 1).
    pub fn evaluations(&self) -> u32 {
        self.max_evaluations
            .unwrap_or(20 * (self.free.len() as u32 + 1))
    }
}

/// A value the fit may move.
#[derive(Clone, Debug, PartialEq)]
pub struct FreeValue {
    /// The key as `--set` takes it (`age_bands."85+".crisis_per_1000`).
    pub key: String,
    pub path: Vec<String>,
    pub min: f64,
    pub max: f64,
    /// The scenario's value, where the fit starts.
    pub start: f64,
    /// Written as a TOML integer: fitted in whole numbers.
    pub whole: bool,
}

/// Fewest evaluations a fit may be given: the simplex's vertices (free
/// values + 1) and one step.
pub fn fewest_evaluations(free: usize) -> u32 {
    free as u32 + 2
}

/// `[calibration.fit]` of a scenario document (after `extends` and
/// `--set`), validated; None when there is none.
pub fn calibration_fit(document: &toml::Table) -> Result<Option<CalibrationFit>, Vec<Issue>> {
    let mut check = Checker::default();
    let Some(value) = document.get("calibration") else {
        return Ok(None);
    };
    let fit = check
        .section::<RawCalibration>("calibration", value.clone())
        .and_then(|raw| {
            let fitted = raw.targets.iter().filter(|t| t.fit != Some(false)).count();
            raw.fit
                .as_ref()
                .map(|fit| validate_fit(&mut check, document, fit, fitted))
        });
    if check.issues.is_empty() {
        Ok(fit.flatten())
    } else {
        Err(check.issues)
    }
}

/// Sections whose values are not the model's: what is run, what it is
/// compared with, and values drawn per replication.
const NOT_FITTED: &[&str] = &[
    "run",
    "calibration",
    "uncertainty",
    "extends",
    "schema_version",
];

fn validate_fit(
    check: &mut Checker,
    document: &toml::Table,
    raw: &RawFit,
    fitted_targets: usize,
) -> Option<CalibrationFit> {
    let before = check.issues.len();
    if raw.free.is_empty() {
        check.issue(
            "calibration.fit.free",
            None,
            "lists no free values; give at least one, e.g. free = [{ key = 'age_bands.\"85+\".crisis_per_1000', min = 500, max = 800 }]",
        );
    }
    if fitted_targets == 0 {
        check.issue(
            "calibration.targets",
            None,
            "every target is held out (fit = false): the fit needs at least one target to fit; remove `fit = false` from one",
        );
    }
    let uncertain: Vec<Vec<String>> = document
        .get("uncertainty")
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().filter_map(|k| key_parts(k).ok()).collect())
        .unwrap_or_default();
    let mut free: Vec<FreeValue> = Vec::new();
    for (i, f) in raw.free.iter().enumerate() {
        let path = format!("calibration.fit.free[{i}]");
        let parts = match key_parts(&f.key) {
            Ok(parts) => parts,
            Err(problem) => {
                check.issue(format!("{path}.key"), Some(format!("{:?}", f.key)), problem);
                continue;
            }
        };
        let key = canonical_key(&parts);
        let quoted = Some(format!("{:?}", f.key));
        if NOT_FITTED.contains(&parts[0].as_str()) {
            check.issue(
                format!("{path}.key"),
                quoted,
                format!("`[{}]` says how the scenario is run or checked, not what it models; free values are the model's (age_bands, sites, pathways, community ...)", parts[0]),
            );
            continue;
        }
        if uncertain.iter().any(|u| keys_overlap(u, &parts)) {
            check.issue(
                format!("{path}.key"),
                quoted,
                "is uncertain ([uncertainty]): each replication draws it, so fitting it would change nothing; fit another value, or remove it from [uncertainty]",
            );
            continue;
        }
        if let Some(earlier) = free.iter().find(|e| keys_overlap(&e.path, &parts)) {
            check.issue(
                format!("{path}.key"),
                quoted,
                format!("is free already as `{}`; list each value once", earlier.key),
            );
            continue;
        }
        let value = match find_value(document, &parts) {
            Ok(value) => value,
            Err(problem) => {
                check.issue(format!("{path}.key"), quoted, problem);
                continue;
            }
        };
        let (start, whole) = match value {
            toml::Value::Float(v) => (*v, false),
            toml::Value::Integer(v) => (*v as f64, true),
            other => {
                let hint = if other.is_table() {
                    format!(" (for a distribution, free one of its numbers, e.g. `{key}.mean`)")
                } else {
                    String::new()
                };
                check.issue(
                    format!("{path}.key"),
                    quoted,
                    format!(
                        "is {} in the scenario, not a number: only numbers can be fitted{hint}",
                        describe(other)
                    ),
                );
                continue;
            }
        };
        let mut ok = true;
        for (name, v) in [("min", f.min), ("max", f.max)] {
            ok &= check
                .number_in(&format!("{path}.{name}"), v, -1e15, 1e15, "")
                .is_some();
        }
        if ok && f.min >= f.max {
            check.issue(
                format!("{path}.min"),
                Some(super::super::check::show(f.min)),
                format!(
                    "must be below max ({}): the fit moves `{key}` between them",
                    super::super::check::show(f.max)
                ),
            );
            ok = false;
        }
        if ok && !(f.min..=f.max).contains(&start) {
            check.issue(
                format!("{path}.key"),
                quoted,
                format!(
                    "starts at {}, outside its bounds {} to {}: the fit starts from the scenario's value; widen the bounds, or change the value in the scenario",
                    super::super::check::show(start),
                    super::super::check::show(f.min),
                    super::super::check::show(f.max)
                ),
            );
            ok = false;
        }
        if ok && whole && f.max - f.min < 1.0 {
            check.issue(
                format!("{path}.max"),
                Some(super::super::check::show(f.max)),
                format!("`{key}` is a whole number in the scenario, so its bounds must be at least 1 apart (write it as {start:.1} to fit it as a real number)"),
            );
            ok = false;
        }
        if ok {
            free.push(FreeValue {
                key,
                path: parts,
                min: f.min,
                max: f.max,
                start,
                whole,
            });
        }
    }
    let max_evaluations = match raw.max_evaluations {
        None => None,
        Some(n) => {
            let fewest = fewest_evaluations(raw.free.len().max(1)) as i64;
            if (fewest..=100_000).contains(&n) {
                Some(n as u32)
            } else {
                check.issue(
                    "calibration.fit.max_evaluations",
                    Some(n.to_string()),
                    format!("must be a whole number from {fewest} (the free values + 2: the first simplex and one step) to 100000"),
                );
                None
            }
        }
    };
    (check.issues.len() == before).then_some(CalibrationFit {
        free,
        max_evaluations,
    })
}

/// The value at a key's path in the document, or what is wrong with the
/// key (the first part that is not there, with a did-you-mean).
fn find_value<'a>(document: &'a toml::Table, parts: &[String]) -> Result<&'a toml::Value, String> {
    let mut here = document;
    for (depth, name) in parts.iter().enumerate() {
        let walked = canonical_key(&parts[..=depth]);
        let Some(value) = here.get(name) else {
            return Err(format!(
                "`{walked}` is not in the scenario{}; a free value must be a number the scenario gives",
                did_you_mean(name, here.keys().map(String::as_str))
            ));
        };
        if depth + 1 == parts.len() {
            return Ok(value);
        }
        here = match value {
            toml::Value::Table(inner) => inner,
            other => {
                return Err(format!(
                    "`{walked}` is {}, not a table: it has no `{}`",
                    describe(other),
                    canonical_key(&parts[depth + 1..])
                ));
            }
        };
    }
    Err("the key is empty".into())
}

fn describe(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::String(_) => "text",
        toml::Value::Integer(_) | toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

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
            .and_then(|raw| {
                let targets = validate_targets(check, &raw, run, age_bands);
                if let (Some(fit), Some(targets)) = (&raw.fit, &targets) {
                    validate_fit(
                        check,
                        document,
                        fit,
                        targets.iter().filter(|t| t.fit).count(),
                    );
                    check_fitted_bands(check, targets);
                }
                targets
            }),
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
            fit: t.fit.unwrap_or(true),
        });
    }
    ok.then_some(targets)
}

/// A fitted target's objective term divides by its band's width on each
/// side: a band of no width cannot be fitted.
fn check_fitted_bands(check: &mut Checker, targets: &[CalibrationTarget]) {
    for (i, t) in targets.iter().enumerate() {
        if t.fit && t.low == t.high {
            check.issue(
                format!("calibration.targets[{i}].high"),
                Some(format!("{}", t.high)),
                "a fitted target needs a band (low < high): the fit measures how far a simulated value is from the observed one in half-bands; widen the band, or hold the target out with fit = false",
            );
        }
    }
}
