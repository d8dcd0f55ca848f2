//! A loaded scenario ([`Scenario`]): the network at the point values, and
//! each replication's network from its draws of the `[uncertainty]`
//! values; what the experiment layer sees through [`NetworkSource`].
//!
//! Loading validates the scenario with every uncertain value at its lowest
//! and at its highest, so a scenario that `validate` accepts does not fail
//! a replication for one value's range. Depends on `document` (validation),
//! `uncertainty` (the values), `inherit` (origins) and `overrides`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use super::document::{validate_document, validate_document_with_warnings};
use super::error::{Issue, ScenarioError};
use super::inherit::{Origins, comment_text};
use super::keys::issue_parts;
use super::overrides::set_value;
use super::uncertainty::cases::{CASE_LEVEL, read_groups};
use super::uncertainty::{
    CASE_KEY, Case, GROUPS_SECTION, Group, SECTION, UncertainValue, hoist_lever_distributions,
    read_section, short,
};
use crate::engine::random::RandomStreams;
use crate::model::{Network, NetworkSource, ParameterValue};

/// its point) and what is needed to build a replication's network.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub network: Network,
    /// The uncertain values, in the section's order (empty without one).
    pub uncertain: Vec<UncertainValue>,
    /// The correlation groups that values name (`[uncertainty_groups]`).
    pub groups: Vec<Group>,
    /// How the values are set in every replication (`uncertainty_case`).
    pub case: Case,
    /// What was accepted but changed (route probabilities scaled to add
    /// up to 1), for the commands to say: not errors.
    pub warnings: Vec<Issue>,
    /// Every value at the case's quantile, when it is not drawn.
    fixed: Option<Vec<f64>>,
    /// The scenario without its `[uncertainty]` section.
    document: toml::Table,
    origin: String,
    default_name: String,
    /// Values a parent outside the scenario's folder gave, never quoted,
    /// as they are in a replication: an uncertain value is then the draw
    /// from its distribution, the user's own or not.
    drawn_origins: Origins,
}

/// The structure a replication's network must share with the base.
fn same_structure(a: &Network, b: &Network) -> bool {
    a.services.len() == b.services.len()
        && a.services
            .iter()
            .zip(&b.services)
            .all(|(x, y)| x.name == y.name)
        && a.patient_types.len() == b.patient_types.len()
        && a.sinks == b.sinks
        && a.pathways.len() == b.pathways.len()
        && a.pathways
            .iter()
            .zip(&b.pathways)
            .all(|(x, y)| x.is_some() == y.is_some())
        && a.layout.is_some() == b.layout.is_some()
}

impl Scenario {
    /// Validates a parsed scenario: the rest of the document as a network,
    /// and the `[uncertainty]` section against it.
    ///
    /// `origins` tells which values came from a parent outside the
    /// scenario's folder: errors about them never quote them.
    pub fn from_document(
        mut document: toml::Table,
        origin: &str,
        default_name: &str,
        origins: Origins,
    ) -> Result<Scenario, ScenarioError> {
        let mut section = document.remove(SECTION);
        let invalid = |issues| ScenarioError::Invalid {
            origin: origin.to_string(),
            issues: origins.redact(issues),
        };
        let hoisted = hoist_lever_distributions(&mut document, &mut section);
        if !hoisted.is_empty() {
            return Err(invalid(hoisted));
        }
        let mut settings_issues = Vec::new();
        let groups = match document.remove(GROUPS_SECTION) {
            None => Vec::new(),
            Some(section) => read_groups(&section).unwrap_or_else(|issues| {
                settings_issues.extend(issues);
                Vec::new()
            }),
        };
        let case = match document.remove(CASE_KEY) {
            None => Case::Drawn,
            Some(value) => Case::from_value(&value).unwrap_or_else(|issue| {
                settings_issues.push(issue);
                Case::Drawn
            }),
        };
        if !settings_issues.is_empty() {
            return Err(invalid(settings_issues));
        }
        let mut warnings = Vec::new();
        let network = validate_document_with_warnings(document.clone(), default_name).map(
            |(network, said)| {
                warnings = origins.redact(said);
                network
            },
        );
        let uncertain = match &section {
            None => Ok(Vec::new()),
            Some(section) => read_section(section, &document, &groups),
        };
        let (mut network, uncertain) = match (network, uncertain) {
            (Ok(network), Ok(uncertain)) => (network, uncertain),
            (network, uncertain) => {
                let mut issues = network.err().unwrap_or_default();
                issues.extend(uncertain.err().unwrap_or_default());
                return Err(invalid(issues));
            }
        };
        let mut uncertain = uncertain;
        // Fields of one kind in tables of one kind (`iccs.*.community_beds`)
        // are all whole or all not: each kind is probed once, so a file
        // with hundreds of uncertain ICC values validates in a second, not
        // minutes (each probe validates the whole document twice).
        let mut known: HashMap<(String, String, usize), bool> = HashMap::new();
        for u in &mut uncertain {
            let kind = (
                u.path.first().cloned().unwrap_or_default(),
                u.path.last().cloned().unwrap_or_default(),
                u.path.len(),
            );
            if let Some(&whole) = known.get(&kind) {
                u.whole_number = whole;
                continue;
            }
            // Whole numbers are what the field requires (beds, staff), not
            // how the file writes the point: a field that refuses a value
            // just off the point on both sides takes whole numbers only.
            let accepts = |delta: f64| {
                let mut probe = document.clone();
                // The path exists: it was checked to hold a number.
                let _ = set_value(&mut probe, &u.path, toml::Value::Float(u.point + delta));
                validate_document(probe, default_name).is_ok()
            };
            u.whole_number = !(accepts(1e-3) || accepts(-1e-3));
            known.insert(kind, u.whole_number);
        }
        let fixed = fixed_values(&uncertain, case).map_err(&invalid)?;
        network.parameters = uncertain
            .iter()
            .map(|u| ParameterValue {
                key: u.key.clone(),
                value: u.point,
                distribution: parameter_label(u, &groups, case),
            })
            .collect();
        // In a replication, an uncertain value is a draw from its
        // distribution: quoted if that is the user's, not if it came from
        // outside the folder (a lever's distribution is at the lever).
        let mut drawn_origins = origins.clone();
        for u in &uncertain {
            let from = origins
                .outside_file(&u.written_at)
                .or_else(|| {
                    (u.path[0] == "levers")
                        .then(|| origins.outside_file(&u.path))
                        .flatten()
                })
                .map(Path::to_path_buf);
            match from {
                Some(file) => drawn_origins.mark_outside(u.path.clone(), &file),
                None => drawn_origins.mark_own(u.path.clone()),
            }
        }
        let scenario = Scenario {
            network,
            warnings,
            uncertain,
            groups,
            case,
            fixed,
            document,
            origin: origin.to_string(),
            default_name: default_name.to_string(),
            drawn_origins,
        };
        let issues = scenario.check_bounds();
        if issues.is_empty() {
            Ok(scenario)
        } else {
            Err(invalid(issues))
        }
    }

    /// Validates the scenario with every uncertain value at the lowest it
    /// can be drawn, then at the highest, as a replication would; each
    /// problem is put to the uncertain value whose key it is at (or to the
    /// section, for one that two values make together).
    fn check_bounds(&self) -> Vec<Issue> {
        let mut issues: Vec<Issue> = Vec::new();
        if self.uncertain.is_empty() {
            return issues;
        }
        let ends: Vec<(f64, f64)> = self
            .uncertain
            .iter()
            .map(|u| {
                let (low, high) = u.distribution.bounds();
                (u.as_scenario_value(low), u.as_scenario_value(high))
            })
            .collect();
        for (end, at) in [("lowest", 0), ("highest", 1)] {
            let values: Vec<f64> = ends
                .iter()
                .map(|e| if at == 0 { e.0 } else { e.1 })
                .collect();
            let Err(error) = self.network_with(&values) else {
                continue;
            };
            for inner in error.issues() {
                let parts = issue_parts(&inner.path);
                let owner = self
                    .uncertain
                    .iter()
                    .zip(&ends)
                    .find(|(u, _)| parts.starts_with(&u.path));
                let issue = match owner {
                    Some((u, (low, high))) => Issue {
                        path: format!("{SECTION}.{}", toml::Value::String(u.key.clone())),
                        value: None,
                        problem: format!(
                            "{} draws from {} to {}, and with its {end} draw the scenario is invalid: {inner}; narrow it to the values that key takes (a bounded distribution such as uniform, triangular or beta keeps within them)",
                            u.distribution.describe(),
                            short(*low),
                            short(*high)
                        ),
                    },
                    None => Issue {
                        path: SECTION.to_string(),
                        value: None,
                        problem: format!(
                            "with every uncertain value at its {end} draw ({}), the scenario is invalid: {inner}; narrow the distributions",
                            self.uncertain
                                .iter()
                                .zip(&values)
                                .map(|(u, v)| format!("{} = {}", u.key, self.shown_draw(u, *v)))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                };
                if !issues.contains(&issue) {
                    issues.push(issue);
                }
            }
        }
        issues
    }

    /// A drawn value as messages show it: not at all when its distribution
    /// came from outside the scenario's folder.
    fn shown_draw(&self, u: &UncertainValue, value: f64) -> String {
        match self.drawn_origins.outside_file(&u.path) {
            Some(file) => format!(
                "(not quoted: drawn from a distribution in {}, outside the scenario's folder)",
                comment_text(&file.display().to_string())
            ),
            None => short(value),
        }
    }

    /// The network with the given values of the uncertain values (in
    /// their order), validated like a file.
    pub fn network_with(&self, values: &[f64]) -> Result<Network, ScenarioError> {
        let mut document = self.document.clone();
        for (u, v) in self.uncertain.iter().zip(values) {
            let _ = set_value(&mut document, &u.path, u.toml_value(*v));
        }
        let mut network = validate_document(document, &self.default_name).map_err(|issues| {
            ScenarioError::Invalid {
                origin: self.origin.clone(),
                issues: self.drawn_origins.redact(issues),
            }
        })?;
        if !same_structure(&network, &self.network) {
            return Err(ScenarioError::Invalid {
                origin: self.origin.clone(),
                issues: vec![Issue {
                    path: SECTION.into(),
                    value: None,
                    problem: "these values change which services or pathways exist (e.g. a capacity drawn as 0); narrow the distributions".into(),
                }],
            });
        }
        network.parameters = self
            .uncertain
            .iter()
            .zip(values)
            .map(|(u, v)| ParameterValue {
                key: u.key.clone(),
                value: u.as_scenario_value(*v),
                distribution: parameter_label(u, &self.groups, self.case),
            })
            .collect();
        Ok(network)
    }

    /// The values of replication `replication`: the case's, or draws,
    /// each from its own stream; a grouped value through its group's
    /// shared factor (a stream of the group's), see
    /// [`cases`](super::uncertainty::cases).
    pub fn draws(&self, seed: u64, replication: u64) -> Vec<f64> {
        if let Some(fixed) = &self.fixed {
            return fixed.clone();
        }
        let streams = RandomStreams::new(seed, replication);
        let factors: Vec<f64> = self
            .groups
            .iter()
            .map(|g| {
                let mut rng = streams.stream(&format!("{GROUPS_SECTION}/{}", g.name));
                rand_distr::Distribution::<f64>::sample(&rand_distr::StandardNormal, &mut rng)
            })
            .collect();
        self.uncertain
            .iter()
            .map(|u| {
                let mut rng = streams.stream(&format!("{SECTION}/{}", u.key));
                let grouped = u
                    .group
                    .as_ref()
                    .and_then(|name| self.groups.iter().position(|g| &g.name == name));
                let value = match grouped {
                    None => u.distribution.sample(&mut rng),
                    Some(g) => {
                        let r = self.groups[g].normal_correlation();
                        let own: f64 = rand_distr::Distribution::<f64>::sample(
                            &rand_distr::StandardNormal,
                            &mut rng,
                        );
                        let z = r.sqrt() * factors[g] + (1.0 - r).sqrt() * own;
                        u.distribution
                            .quantile(super::uncertainty::distribution_normal_cdf(z))
                    }
                };
                u.as_scenario_value(value)
            })
            .collect()
    }

    /// A sentence for run.json: how the uncertain values are correlated.
    pub fn correlation(&self) -> String {
        correlation_sentence(&self.network)
    }

    /// The point values, every one as in the file.
    pub fn points(&self) -> Vec<f64> {
        self.uncertain.iter().map(|u| u.point).collect()
    }
}

impl NetworkSource for Scenario {
    fn base(&self) -> &Network {
        &self.network
    }

    fn for_replication(&self, seed: u64, replication: u64) -> Result<Cow<'_, Network>, String> {
        if self.uncertain.is_empty() {
            return Ok(Cow::Borrowed(&self.network));
        }
        let draws = self.draws(seed, replication);
        self.network_with(&draws).map(Cow::Owned).map_err(|e| {
            let drawn: Vec<String> = self
                .uncertain
                .iter()
                .zip(&draws)
                .map(|(u, v)| format!("{} = {}", u.key, self.shown_draw(u, *v)))
                .collect();
            format!("{} (drawn: {})", e, drawn.join(", "))
        })
    }
}

/// Every value at the case's quantile, or `None` when they are drawn;
/// a named side with a value of unknown direction is refused, naming it.
fn fixed_values(uncertain: &[UncertainValue], case: Case) -> Result<Option<Vec<f64>>, Vec<Issue>> {
    let mut issues = Vec::new();
    let mut values = Vec::new();
    for u in uncertain {
        let side = |worse: bool| {
            u.better
                .map(|better| u.distribution.quantile_towards(better, CASE_LEVEL, worse))
        };
        let value = match case {
            Case::Drawn => return Ok(None),
            Case::Quantile(q) => Some(u.distribution.quantile(q)),
            Case::Central => Some(u.distribution.quantile(0.5)),
            Case::Pessimistic => side(true),
            Case::Optimistic => side(false),
        };
        match value {
            Some(v) => values.push(u.as_scenario_value(v)),
            None => issues.push(Issue {
                path: format!("{SECTION}.{}", toml::Value::String(u.key.clone())),
                value: None,
                problem: format!(
                    "the {} case needs to know which way `{}` is better, and nothing says: add `better = \"lower\"` or `better = \"higher\"` to its entry (or use a quantile, e.g. --at-quantile 0.9)",
                    case.name(),
                    u.key
                ),
            }),
        }
    }
    if issues.is_empty() {
        Ok(Some(values))
    } else {
        Err(issues)
    }
}

/// Marks in a parameter's description (part of the network's identity,
/// so records of another case or grouping never mix with these).
const GROUP_MARK: &str = "; group ";
const CASE_MARK: &str = "; case ";

/// The description of an uncertain value in a network: its distribution,
/// its group and rank correlation, and the case it is fixed at.
fn parameter_label(u: &UncertainValue, groups: &[Group], case: Case) -> String {
    let mut label = format!("{:?}", u.distribution);
    if let Some(group) = u
        .group
        .as_ref()
        .and_then(|n| groups.iter().find(|g| &g.name == n))
    {
        label.push_str(&format!(
            "{GROUP_MARK}{} rank {}",
            group.name, group.rank_correlation
        ));
    }
    if case != Case::Drawn {
        label.push_str(&format!("{CASE_MARK}{}", case.name()));
    }
    label
}

/// run.json's `"case"` for a network: how its uncertain values were set
/// (`drawn`, `pessimistic`, `0.9`, ...), or `none` without any.
pub fn case_name(network: &Network) -> String {
    let Some(first) = network.parameters.first() else {
        return "none".into();
    };
    match first.distribution.split_once(CASE_MARK) {
        Some((_, case)) => case.to_string(),
        None => Case::Drawn.name(),
    }
}

/// run.json's `"correlation"`: a sentence saying how the network's
/// uncertain values are correlated.
pub fn correlation_sentence(network: &Network) -> String {
    let mut groups: Vec<(String, String, Vec<&str>)> = Vec::new();
    for p in &network.parameters {
        let Some((_, rest)) = p.distribution.split_once(GROUP_MARK) else {
            continue;
        };
        let rest = rest.split(CASE_MARK).next().unwrap_or_default();
        let Some((name, rank)) = rest.split_once(" rank ") else {
            continue;
        };
        match groups.iter_mut().find(|g| g.0 == name) {
            Some(g) => g.2.push(&p.key),
            None => groups.push((name.to_string(), rank.to_string(), vec![&p.key])),
        }
    }
    if groups.is_empty() {
        return "independent".into();
    }
    let listed: Vec<String> = groups
        .iter()
        .map(|(name, rank, keys)| {
            format!(
                "group `{name}` (rank correlation {rank} between any two of {})",
                keys.join(", ")
            )
        })
        .collect();
    format!(
        "correlated within {} through a shared factor (Gaussian copula); every other value independent",
        listed.join("; ")
    )
}
