//! The checker every validation stage writes to, the size limits of a
//! scenario, and the validators that hand-written networks and whole-system
//! scenarios share (numbers in a range, dates, names, distributions, opening
//! hours, shares that add up to 1).
//!
//! `Checker` collects every problem with its TOML path instead of stopping
//! at the first, so a file's author sees them all at once. This module
//! depends only on `raw` (the shapes it reads), `error`, `engine` and
//! `model`; every other stage of `scenario` depends on it.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use super::error::{Issue, did_you_mean};
use super::raw::{RawCapacity, RawDistribution, RawOpening, TOP_LEVEL_KEYS};
use crate::engine::{CalendarDate, Distribution, Weekday};
use crate::model::system::AgeBands;
use crate::model::{Capacity, OpeningHours};

/// Largest capacity accepted for one service (places).
pub const MAX_CAPACITY: f64 = 10_000_000.0;
/// Longest warm-up or horizon accepted (days): 200 years.
pub const MAX_DAYS: f64 = 73_000.0;
/// Highest arrival rate accepted for one patient type (per day).
pub const MAX_RATE_PER_DAY: f64 = 1_000_000.0;
/// Most replications a scenario may ask for by default.
pub const MAX_REPLICATIONS: i64 = 1_000_000;

/// Most (patient type, service) pairs a network may have: every pair has a
/// pathway slot (about 250 bytes), so 10,000 types × 10,000 services would take gigabytes
/// before any check could say so.
pub const MAX_TYPE_SERVICE_PAIRS: usize = 1_000_000;

/// Shortest wait limit accepted (days; about 9 seconds): shorter limits
/// cannot be told apart from none and can stop simulated time.
pub const MIN_MAX_WAIT_DAYS: f64 = 1e-4;

/// Probabilities may be off 1 by rounding in a hand-written file.
pub(super) const SUM_TOLERANCE: f64 = 1e-6;

/// Names that output files use for labels of their own (flow nodes, the
/// system, parameters).
pub(super) const RESERVED_NAMES: &[&str] =
    &["arrival", "lost", "all", "system", "flow", "parameter"];

const DISTRIBUTION_KINDS: &[&str] = &[
    "fixed",
    "exponential",
    "lognormal",
    "gamma",
    "uniform",
    "empirical",
    "mixture",
];

/// Whether `name` may name a scenario, service, sink, type or lever:
/// letters, digits, `_` and `-` only, 1 to 64 of them.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Collects issues as validation goes.
#[derive(Default)]
pub(super) struct Checker {
    pub(super) issues: Vec<Issue>,
    /// What was accepted but changed or doubtful (route probabilities
    /// scaled to add up to 1): said on loading, never an error.
    pub(super) warnings: Vec<Issue>,
}

/// A number as TOML would spell it (`nan`, `inf`), readable when huge or tiny.
pub(super) fn show(value: f64) -> String {
    if value.is_nan() {
        "nan".to_string()
    } else if value.is_infinite() {
        if value > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    } else if value != 0.0 && !(1e-6..1e9).contains(&value.abs()) {
        format!("{value:e}") // 1e300, not three hundred digits
    } else {
        format!("{value}")
    }
}

impl Checker {
    pub(super) fn issue(
        &mut self,
        path: impl Into<String>,
        value: Option<String>,
        problem: impl Into<String>,
    ) {
        self.issues.push(Issue {
            path: path.into(),
            value,
            problem: problem.into(),
        });
    }

    /// A warning: the file is accepted, and the user is told.
    pub(super) fn warn(&mut self, path: impl Into<String>, problem: impl Into<String>) {
        self.warnings.push(Issue {
            path: path.into(),
            value: None,
            problem: problem.into(),
        });
    }

    /// Reads a section with serde, reporting type errors and unknown keys.
    pub(super) fn section<T: DeserializeOwned>(
        &mut self,
        path: &str,
        value: toml::Value,
    ) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Some(v),
            Err(error) => {
                let inner = error.path().to_string();
                let full = if inner.is_empty() || inner == "." {
                    path.to_string()
                } else {
                    format!("{path}.{inner}")
                };
                let message = error.into_inner().to_string();
                let mut problem = friendly_serde_message(message.trim());
                // A top-level key written after a [table] header belongs to
                // that table in TOML: the commonest slip in hand-edited files.
                if let Some(key) = message
                    .strip_prefix("unknown field `")
                    .and_then(|r| r.split('`').next())
                    && TOP_LEVEL_KEYS.contains(&key)
                {
                    problem = format!(
                        "`{key}` is a top-level key, but TOML puts every key written after a [table] header into that table: move `{key} = ...` above the first [table] header"
                    );
                }
                self.issue(full, None, problem);
                None
            }
        }
    }

    /// `[[services.x]]` makes a list of tables where one table is meant:
    /// say so plainly rather than report a type error inside it.
    pub(super) fn double_brackets(&mut self, path: &str, value: &toml::Value) -> bool {
        if matches!(value, toml::Value::Array(_)) {
            self.issue(path, None, format!("is written as [[{path}]] (a list of tables); write [{path}] with single brackets"));
            return true;
        }
        false
    }

    /// A finite number in [min, max].
    pub(super) fn number_in(
        &mut self,
        path: &str,
        value: f64,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<f64> {
        if value.is_finite() && value >= min && value <= max {
            Some(value)
        } else {
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" ({unit})")
            };
            self.issue(
                path,
                Some(show(value)),
                format!("must be a number from {} to {}{unit}", show(min), show(max)),
            );
            None
        }
    }

    /// A whole number in [min, max].
    pub(super) fn whole_in(
        &mut self,
        path: &str,
        value: f64,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<u64> {
        if value.is_finite() && value.fract() == 0.0 && value >= min && value <= max {
            Some(value as u64)
        } else {
            self.issue(
                path,
                Some(show(value)),
                format!(
                    "must be a whole number from {} to {} ({unit})",
                    show(min),
                    show(max)
                ),
            );
            None
        }
    }

    pub(super) fn capacity(&mut self, path: &str, raw: &RawCapacity) -> Option<Capacity> {
        match raw {
            RawCapacity::Unlimited => Some(Capacity::Unlimited),
            RawCapacity::Number(n) => {
                if n.is_finite() && n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_CAPACITY {
                    Some(Capacity::Limited(*n as u32))
                } else {
                    self.issue(
                        path,
                        Some(show(*n)),
                        format!("must be a whole number ≥ 0 of places (at most {MAX_CAPACITY}), or \"unlimited\""),
                    );
                    None
                }
            }
            RawCapacity::Word(w) => {
                self.issue(
                    path,
                    Some(format!("{w:?}")),
                    "must be a whole number ≥ 0 of places, or \"unlimited\"",
                );
                None
            }
        }
    }

    pub(super) fn date(&mut self, path: &str, value: &toml::Value) -> Option<CalendarDate> {
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
            other => {
                self.issue(
                    path,
                    Some(other.to_string()),
                    "must be a date written YYYY-MM-DD, e.g. 2025-04-01",
                );
                return None;
            }
        };
        match CalendarDate::parse(&text) {
            Ok(date) => Some(date),
            Err(e) => {
                self.issue(path, Some(format!("{text:?}")), e.to_string());
                None
            }
        }
    }

    pub(super) fn name(&mut self, path: &str, name: &str, what: &str) -> bool {
        let valid = is_valid_name(name);
        if !valid {
            self.issue(path, Some(format!("{name:?}")), format!("{what} names use letters, digits, `_` and `-` only (at most 64), e.g. \"acute_ward\""));
        } else if RESERVED_NAMES.contains(&name) {
            self.issue(
                path,
                Some(format!("{name:?}")),
                format!("`{name}` is reserved for outputs; choose another {what} name"),
            );
            return false;
        }
        valid
    }

    pub(super) fn factors(
        &mut self,
        path: &str,
        values: &[f64],
        expected: usize,
        what: &str,
    ) -> Option<Vec<f64>> {
        if values.len() != expected {
            self.issue(
                path,
                Some(format!("{} values", values.len())),
                format!("needs exactly {expected} multipliers, one per {what}"),
            );
            return None;
        }
        let mut ok = true;
        for (i, v) in values.iter().enumerate() {
            ok &= self
                .number_in(&format!("{path}[{i}]"), *v, 0.0, 1000.0, "multiplier")
                .is_some();
        }
        ok.then(|| values.to_vec())
    }

    /// A distribution of days (or another non-negative quantity).
    pub(super) fn distribution(
        &mut self,
        path: &str,
        raw: &RawDistribution,
    ) -> Option<Distribution> {
        let Some(kind) = raw.dist.as_deref() else {
            self.issue(
                path,
                None,
                format!(
                    "needs `dist`, one of {}, e.g. {{ dist = \"exponential\", mean = 5.0 }}",
                    quoted_list(DISTRIBUTION_KINDS)
                ),
            );
            return None;
        };
        let (needed, optional): (&[&str], &[&str]) = match kind {
            "fixed" => (&["value"], &[]),
            "exponential" => (&["mean"], &[]),
            "lognormal" | "gamma" => (&["mean", "sd"], &[]),
            "uniform" => (&["min", "max"], &[]),
            "empirical" => (&["values"], &["weights"]),
            "mixture" => (&["components"], &[]),
            other => {
                self.issue(
                    format!("{path}.dist"),
                    Some(format!("{other:?}")),
                    format!(
                        "unknown distribution{}; use one of {}",
                        did_you_mean(other, DISTRIBUTION_KINDS.iter().copied()),
                        quoted_list(DISTRIBUTION_KINDS)
                    ),
                );
                return None;
            }
        };
        let present: Vec<(&str, bool)> = vec![
            ("value", raw.value.is_some()),
            ("mean", raw.mean.is_some()),
            ("sd", raw.sd.is_some()),
            ("min", raw.min.is_some()),
            ("max", raw.max.is_some()),
            ("values", raw.values.is_some()),
            ("weights", raw.weights.is_some()),
            ("components", raw.components.is_some()),
        ];
        let mut ok = true;
        for (key, is_present) in &present {
            let allowed = needed.contains(key) || optional.contains(key);
            if *is_present && !allowed {
                self.issue(
                    format!("{path}.{key}"),
                    None,
                    format!(
                        "is not used by dist = \"{kind}\", which takes {}",
                        quoted_list(needed)
                    ),
                );
                ok = false;
            }
            if !*is_present && needed.contains(key) {
                self.issue(
                    path,
                    None,
                    format!(
                        "dist = \"{kind}\" needs `{key}` (it takes {})",
                        quoted_list(needed)
                    ),
                );
                ok = false;
            }
        }
        if raw.weight.is_some() && !path.contains(".components[") {
            self.issue(
                format!("{path}.weight"),
                None,
                "`weight` belongs only inside the `components` of a mixture",
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        let built = match kind {
            "fixed" => Distribution::fixed(raw.value.unwrap_or_default()),
            "exponential" => Distribution::exponential(raw.mean.unwrap_or_default()),
            "lognormal" => {
                Distribution::lognormal(raw.mean.unwrap_or_default(), raw.sd.unwrap_or_default())
            }
            "gamma" => {
                Distribution::gamma(raw.mean.unwrap_or_default(), raw.sd.unwrap_or_default())
            }
            "uniform" => {
                Distribution::uniform(raw.min.unwrap_or_default(), raw.max.unwrap_or_default())
            }
            "empirical" => {
                Distribution::empirical(raw.values.clone().unwrap_or_default(), raw.weights.clone())
            }
            _ => {
                let components = raw.components.as_deref().unwrap_or_default();
                let mut weighted = Vec::new();
                for (i, component) in components.iter().enumerate() {
                    let component_path = format!("{path}.components[{i}]");
                    let Some(weight) = component.weight else {
                        self.issue(
                            &component_path,
                            None,
                            "each mixture component needs a `weight` (the weights add up to 1)",
                        );
                        ok = false;
                        continue;
                    };
                    if component.dist.as_deref() == Some("mixture") {
                        self.issue(&component_path, None, "a mixture component cannot itself be a mixture; list all components in one mixture");
                        ok = false;
                        continue;
                    }
                    match self.distribution(&component_path, component) {
                        Some(d) => weighted.push((weight, d)),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Distribution::mixture(weighted)
            }
        };
        match built {
            Ok(d) => {
                if !(d.mean().is_finite() && d.mean() <= MAX_DAYS) {
                    self.issue(
                        path,
                        None,
                        format!(
                            "has a mean of {} days; it must be at most {MAX_DAYS}",
                            show(d.mean())
                        ),
                    );
                    return None;
                }
                Some(d)
            }
            Err(e) => {
                let parameter_path = format!("{path}.{}", e.parameter);
                // Values as TOML spells them (Rust prints NaN, TOML nan), and
                // numbers readable (1e200, not two hundred digits).
                let value = e.value.parse::<f64>().map(show).unwrap_or(e.value);
                self.issue(parameter_path, Some(value), e.problem);
                None
            }
        }
    }

    pub(super) fn probability(&mut self, path: &str, value: f64) -> Option<f64> {
        self.number_in(path, value, 0.0, 1.0, "probability")
    }

    /// A table with one number per age band of the scenario, every band
    /// present.
    pub(super) fn per_band(
        &mut self,
        path: &str,
        table: &toml::Table,
        bands: &AgeBands,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<Vec<f64>> {
        let values = self.some_bands(path, table, bands, min, max, unit)?;
        let missing = values.iter().position(Option::is_none);
        if let Some(b) = missing {
            self.issue(
                path,
                None,
                format!(
                    "needs a value for every age band; \"{}\" is missing",
                    bands.name(b)
                ),
            );
            return None;
        }
        Some(values.into_iter().flatten().collect())
    }

    /// A table with a number for some of the scenario's age bands (None
    /// for the others), or None when a key is not a band or a value is
    /// not a number in [min, max].
    pub(super) fn some_bands(
        &mut self,
        path: &str,
        table: &toml::Table,
        bands: &AgeBands,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<Vec<Option<f64>>> {
        let mut values = vec![None; bands.len()];
        let mut ok = true;
        for (key, value) in table {
            let Some(b) = bands.position(key) else {
                self.issue(
                    format!("{path}.{key}"),
                    None,
                    format!(
                        "is not an age band{}; the bands are {}",
                        did_you_mean(key, bands.names().iter().map(String::as_str)),
                        quoted_list(bands.names())
                    ),
                );
                ok = false;
                continue;
            };
            let number = match value {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                other => {
                    self.issue(
                        format!("{path}.\"{key}\""),
                        Some(other.to_string()),
                        format!("must be a number ({unit})"),
                    );
                    ok = false;
                    continue;
                }
            };
            match self.number_in(&format!("{path}.\"{key}\""), number, min, max, unit) {
                Some(v) => values[b] = Some(v),
                None => ok = false,
            }
        }
        ok.then_some(values)
    }

    /// Shares of named destinations that must add up to 1.
    pub(super) fn shares<const N: usize>(
        &mut self,
        path: &str,
        table: &BTreeMap<String, f64>,
        keys: [&str; N],
    ) -> Option<[f64; N]> {
        let mut values = [0.0; N];
        let mut ok = true;
        for (key, value) in table {
            match keys.iter().position(|k| k == key) {
                Some(i) => match self.probability(&format!("{path}.{key}"), *value) {
                    Some(v) => values[i] = v,
                    None => ok = false,
                },
                None => {
                    self.issue(
                        format!("{path}.{key}"),
                        None,
                        format!(
                            "is not a destination here{}; use {}",
                            did_you_mean(key, keys.iter().copied()),
                            quoted_list(&keys)
                        ),
                    );
                    ok = false;
                }
            }
        }
        let total: f64 = values.iter().sum();
        if ok && (total - 1.0).abs() > SUM_TOLERANCE {
            let shown = shown_sum(total);
            self.issue(
                path,
                Some(format!("{shown}")),
                format!("the shares must add up to 1 (they add up to {shown}); adjust them"),
            );
            ok = false;
        }
        ok.then_some(values)
    }

    pub(super) fn places(&mut self, path: &str, value: f64) -> Option<u32> {
        self.whole_in(path, value, 0.0, MAX_CAPACITY, "places")
            .map(|v| v as u32)
    }
}

/// Items as `a`, `b`, `c`, for messages.
pub(super) fn quoted_list(items: &[impl AsRef<str>]) -> String {
    items
        .iter()
        .map(|i| format!("`{}`", i.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde's messages in the words of scenario authors.
fn friendly_serde_message(message: &str) -> String {
    // toml appends a line "in `key`" that repeats the path we already give.
    let message = message
        .lines()
        .filter(|l| !l.trim_start().starts_with("in `"))
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.trim();
    let mut text = message
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("invalid type: ", "wrong type: ")
        .replace("expected a sequence", "expected a list [ ... ]")
        // serde names the Rust type ("expected struct RawService"): users
        // need only to know a table is expected.
        .replace("expected a map", "expected a table { ... }");
    while let Some(start) = text.find("expected struct Raw") {
        let end = text[start + "expected struct ".len()..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(text.len(), |i| start + "expected struct ".len() + i);
        text.replace_range(start..end, "expected a table { ... }");
    }
    // serde lists valid keys after "unknown field"; add the closest one.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let (Some(end), Some(list_start)) = (rest.find('`'), message.find("expected one of "))
    {
        let unknown = &rest[..end];
        let list = &message[list_start + "expected one of ".len()..];
        let candidates: Vec<&str> = list.split(", ").map(|s| s.trim_matches('`')).collect();
        text = format!(
            "unknown key `{unknown}`{}; valid keys here: {}",
            did_you_mean(unknown, candidates.iter().copied()),
            list
        );
    }
    if let Some(field) = message.strip_prefix("missing field `") {
        let field = field.trim_end_matches('`');
        text = format!("needs `{field}`");
    }
    text
}

/// Opening hours (`[services.X.opening]`, a site's `day_unit_opening`).
pub(super) fn validate_opening(
    check: &mut Checker,
    path: &str,
    raw: &RawOpening,
) -> Option<OpeningHours> {
    let mut days = [false; 7];
    match &raw.days {
        None => days = [true; 7],
        Some(names) => {
            for (i, name) in names.iter().enumerate() {
                match Weekday::from_name(name) {
                    Some(w) => days[w.index()] = true,
                    None => check.issue(
                        format!("{path}.days[{i}]"),
                        Some(format!("{name:?}")),
                        format!("is not a weekday; use {}", quoted_list(&Weekday::NAMES)),
                    ),
                }
            }
            if names.is_empty() {
                check.issue(
                    format!("{path}.days"),
                    Some("[]".into()),
                    "needs at least one day; to close a service, set its capacity to 0",
                );
            }
        }
    }
    let open = check.number_in(
        &format!("{path}.open_hour"),
        raw.open_hour,
        0.0,
        24.0,
        "hour of the day",
    );
    let close = check.number_in(
        &format!("{path}.close_hour"),
        raw.close_hour,
        0.0,
        24.0,
        "hour of the day",
    );
    let (open, close) = (open?, close?);
    if close <= open {
        check.issue(
            format!("{path}.close_hour"),
            Some(show(close)),
            format!(
                "must be later than open_hour ({}); a unit open overnight is not supported yet",
                show(open)
            ),
        );
        return None;
    }
    Some(OpeningHours {
        days,
        open_hour: open,
        close_hour: close,
    })
}

/// How far from 1 route probabilities (and an ICC's site shares) may add
/// up to and be scaled to 1 with a warning: published tables round each
/// share to two decimals.
pub(crate) const ROUNDING_TOLERANCE: f64 = 0.01;

/// A sum of shares as a person reads it: rounded to 9 decimals, so that
/// 0.5 + 0.35 + 0.25 reads 1.1, not 1.0999999999999999.
pub(crate) fn shown_sum(total: f64) -> f64 {
    (total * 1e9).round() / 1e9
}

#[cfg(test)]
mod tests {
    use super::shown_sum;

    /// Sums of shares read as a person adds them up, not with the last
    /// bits of floating point.
    #[test]
    fn sums_of_shares_are_shown_rounded() {
        assert_eq!(0.1 + 0.2, 0.30000000000000004);
        assert_eq!(shown_sum(0.1 + 0.2), 0.3);
        assert_eq!(shown_sum(0.3 + 0.6), 0.9);
        assert_eq!(shown_sum(0.5), 0.5);
    }
}
