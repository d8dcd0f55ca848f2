//! Parameter uncertainty (probabilistic sensitivity analysis): scenario
//! values given as distributions in an `[uncertainty]` section.
//!
//! ```toml
//! [uncertainty]
//! "sites.cumberland_infirmary.adult_beds" = { dist = "triangular", min = 390, mode = 405, max = 420 }
//! 'age_bands."85+".crisis_per_1000' = { dist = "normal", mean = 520, sd = 25, source = "..." }
//! ```
//!
//! Each key names a number the scenario has (as for `--set`); that number
//! stays the point value (what `tornado` varies around). In every
//! replication each value is drawn once, from a stream of its own named
//! `uncertainty/<key>` and derived from (seed, replication), so draws do
//! not depend on the thread count or on the other uncertain values, and
//! two scenarios with the same uncertain value draw the same numbers
//! (common random numbers). The drawn scenario is validated like a file;
//! its values are written with the replication's results.
//!
//! Every draw lies within its distribution's [`ValueDistribution::bounds`]
//! (an unbounded one's tails are cut at one chance in a billion), and
//! loading validates the scenario with every value at its lowest and at
//! its highest, so a scenario that `validate` accepts does not fail a
//! replication for one value's range (two values that must keep an order
//! are not tried against each other).
//!
//! This module owns the section's syntax and the value distributions;
//! `source` builds the per-replication networks from them (the experiment
//! layer sees only [`NetworkSource`](crate::model::NetworkSource)).

pub mod cases;
mod distribution;
pub mod effect;

pub use cases::{CASE_KEY, Case, GROUPS_SECTION, Group};
pub(crate) use distribution::normal_cdf as distribution_normal_cdf;
pub(crate) use distribution::short;
pub use distribution::{ENTRY_KEYS, KINDS, ValueDistribution};
pub use effect::{Better, UncertainDistribution};

use super::error::Issue;
use super::keys::{canonical_key, key_parts};

/// The section's name at the top of a scenario.
pub const SECTION: &str = "uncertainty";

/// One uncertain value of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct UncertainValue {
    /// As written in `[uncertainty]` (a `--set` key).
    pub key: String,
    pub(super) path: Vec<String>,
    pub distribution: UncertainDistribution,
    /// Which way the value is better for the system, if known (written as
    /// `better`, or inferred from a lever's effect).
    pub better: Option<Better>,
    /// The correlation group it is drawn with (`group`), if any.
    pub group: Option<String>,
    /// The value in the scenario.
    pub point: f64,
    /// The value must be a whole number (the scenario refuses values just
    /// off it): draws are rounded.
    pub whole_number: bool,
    /// Where the distribution comes from, if given.
    pub source: String,
    /// Where the distribution is in the document (`uncertainty."KEY"`).
    pub(super) written_at: Vec<String>,
}

impl UncertainValue {
    /// The key's parts.
    pub fn path(&self) -> &[String] {
        &self.path
    }

    /// The probability it gives to "no effect or worse", where its
    /// direction and no-effect value are known.
    pub fn probability_no_effect_or_worse(&self) -> Option<f64> {
        self.distribution
            .probability_no_effect_or_worse(self.better)
    }

    /// A value as the scenario holds it: rounded for whole numbers.
    pub fn as_scenario_value(&self, value: f64) -> f64 {
        if self.whole_number {
            value.round()
        } else {
            value
        }
    }

    pub(super) fn toml_value(&self, value: f64) -> toml::Value {
        if self.whole_number {
            toml::Value::Integer(value.round() as i64)
        } else {
            toml::Value::Float(value)
        }
    }
}

/// A scenario with its uncertain values: the base network (every value at
fn number_at(document: &toml::Table, path: &[String]) -> Option<(f64, bool)> {
    let (last, tables) = path.split_last()?;
    let mut here = document;
    for name in tables {
        here = here.get(name)?.as_table()?;
    }
    match here.get(last)? {
        toml::Value::Integer(v) => Some((*v as f64, true)),
        toml::Value::Float(v) => Some((*v, false)),
        _ => None,
    }
}

/// " (did you mean `x`?)" when the last part of `path` is misspelt.
fn near_key(document: &toml::Table, path: &[String]) -> String {
    let Some((last, tables)) = path.split_last() else {
        return String::new();
    };
    let mut here = document;
    for name in tables {
        match here.get(name).and_then(toml::Value::as_table) {
            Some(inner) => here = inner,
            None => return String::new(),
        }
    }
    if here.contains_key(last) {
        // It is there, just not a number: no spelling to suggest.
        return String::new();
    }
    super::error::did_you_mean(last, here.keys().map(String::as_str))
}

/// Reads the `[uncertainty]` section against the rest of the document.
pub(super) fn read_section(
    section: &toml::Value,
    document: &toml::Table,
    groups: &[Group],
) -> Result<Vec<UncertainValue>, Vec<Issue>> {
    let Some(section) = section.as_table() else {
        return Err(vec![Issue {
            path: SECTION.into(),
            value: Some(section.to_string()),
            problem: "must be a table of `\"key\" = { dist = ..., ... }`".into(),
        }]);
    };
    let mut issues = Vec::new();
    let mut values = Vec::new();
    for (key, entry) in section {
        let written_key = key;
        let at = format!("{SECTION}.{}", toml::Value::String(key.clone()));
        let mut problem = |text: String| {
            issues.push(Issue {
                path: at.clone(),
                value: None,
                problem: text,
            })
        };
        let path = match key_parts(key) {
            Ok(path) => path,
            Err(e) => {
                problem(e);
                continue;
            }
        };
        // One spelling per value, so that its stream and its output rows
        // do not depend on how the key was quoted.
        let key = &canonical_key(&path);
        if values.iter().any(|v: &UncertainValue| v.path == path) {
            problem(format!(
                "`{key}` is given twice (perhaps quoted differently); give it once"
            ));
            continue;
        }
        if path[0] == "run" || path[0] == SECTION {
            problem(format!(
                "`{key}` cannot be uncertain: the run settings are the experiment's, the same in every replication"
            ));
            continue;
        }
        if path[0] == "schema_version" {
            problem(format!(
                "`{key}` cannot be uncertain: it is the version of the file's format, not a value of the system; remove it from [uncertainty]"
            ));
            continue;
        }
        let Some((point, written_whole)) = number_at(document, &path) else {
            problem(format!(
                "`{key}` is not a number in this scenario{}; an uncertain value must name a number the file has (its point value), e.g. \"sites.cumberland_infirmary.adult_beds\"",
                near_key(document, &path)
            ));
            continue;
        };
        let Some(table) = entry.as_table() else {
            problem("must be a distribution, e.g. { dist = \"triangular\", min = 0.0, mode = 0.02, max = 0.05 }".into());
            continue;
        };
        let source = match table.get("source") {
            None => String::new(),
            Some(toml::Value::String(s)) => s.clone(),
            Some(_) => {
                problem("`source` must be text".into());
                continue;
            }
        };
        // A lever's number: its no-effect value and direction may follow
        // from the lever's effect.
        let lever = (path.len() == 3 && path[0] == "levers")
            .then(|| {
                document
                    .get("levers")
                    .and_then(|l| l.get(&path[1]))
                    .and_then(toml::Value::as_table)
            })
            .flatten();
        let better = match table.get("better") {
            Some(value) => match Better::from_value(value) {
                Ok(better) => Some(better),
                Err(e) => {
                    problem(e);
                    continue;
                }
            },
            None => lever.and_then(|lever| Better::of_lever(lever, &path[2])),
        };
        let group = match table.get("group") {
            None => None,
            Some(toml::Value::String(name)) if groups.iter().any(|g| &g.name == name) => {
                Some(name.clone())
            }
            Some(other) => {
                problem(format!(
                    "`group` = {other} is not a group of [{GROUPS_SECTION}]{}; define it there, e.g. `[{GROUPS_SECTION}] {} = {{ rank_correlation = 0.5, source = \"...\" }}`",
                    super::error::did_you_mean(
                        other.as_str().unwrap_or_default(),
                        groups.iter().map(|g| g.name.as_str())
                    ),
                    other.as_str().unwrap_or("NAME")
                ));
                continue;
            }
        };
        let default_no_effect = lever.and_then(|_| effect::lever_no_effect_value(&path[2]));
        match UncertainDistribution::from_table(table, key, default_no_effect) {
            Ok(distribution) => values.push(UncertainValue {
                key: key.clone(),
                path,
                distribution,
                better,
                group,
                point,
                whole_number: written_whole,
                source,
                written_at: vec![SECTION.to_string(), written_key.clone()],
            }),
            Err(e) => problem(e),
        }
    }
    if issues.is_empty() {
        Ok(values)
    } else {
        Err(issues)
    }
}

/// A lever's number written as a distribution (`multiplier = { dist =
/// "triangular", min = 0.77, mode = 0.85, max = 1.0 }`) is an uncertain
/// value like those of `[uncertainty]`: it moves there, keyed
/// `levers.NAME.KEY`, and the lever keeps its central value as the point.
pub(super) fn hoist_lever_distributions(
    document: &mut toml::Table,
    section: &mut Option<toml::Value>,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let Some(toml::Value::Table(levers)) = document.get_mut("levers") else {
        return issues;
    };
    let mut moved = Vec::new();
    for (name, lever) in levers.iter_mut() {
        let Some(lever) = lever.as_table_mut() else {
            continue;
        };
        // A distribution with no source of its own takes its lever's, so
        // the tornado and the report can say where the range came from.
        let lever_source = lever.get("source").cloned();
        for (key, value) in lever.iter_mut() {
            let Some(table) = value.as_table().filter(|t| t.contains_key("dist")) else {
                continue;
            };
            let path = vec!["levers".to_string(), name.clone(), key.clone()];
            let no_effect_value = effect::lever_no_effect_value(key);
            match UncertainDistribution::from_table(table, &canonical_key(&path), no_effect_value) {
                Ok(distribution) => {
                    let mut table = table.clone();
                    if let Some(source) = &lever_source
                        && !table.contains_key("source")
                    {
                        table.insert("source".into(), source.clone());
                    }
                    moved.push((canonical_key(&path), table));
                    *value = toml::Value::Float(distribution.central());
                }
                Err(e) => issues.push(Issue {
                    path: format!("levers.{name}.{key}"),
                    value: None,
                    problem: e,
                }),
            }
        }
    }
    if moved.is_empty() {
        return issues;
    }
    let target = section.get_or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(target) = target.as_table_mut() {
        for (key, table) in moved {
            if target.contains_key(&key) {
                issues.push(Issue {
                    path: format!("{SECTION}.{}", toml::Value::String(key.clone())),
                    value: None,
                    problem: format!("`{key}` is also written as a distribution in the lever; give it in one place"),
                });
            } else {
                target.insert(key, toml::Value::Table(table));
            }
        }
    }
    issues
}
