//! How a scenario's uncertain values are set together: drawn
//! independently (the default), drawn with the values of a named group
//! moving together ([`Group`], `[uncertainty_groups]`), or all fixed at a
//! quantile ([`Case`], `uncertainty_case`, what `--at-quantile` sets).
//!
//! A group's values share one factor through a Gaussian copula: value i
//! is its distribution's quantile at Φ(√r·F + √(1−r)·Eᵢ), with F drawn
//! from the group's stream and Eᵢ from the value's own; r = 2 sin(πρ/6)
//! gives the rank (Spearman) correlation ρ between any two of them.

use super::distribution::short;
use crate::scenario::error::Issue;

/// The table of correlation groups at the top of a scenario.
pub const GROUPS_SECTION: &str = "uncertainty_groups";

/// The key of the named case at the top of a scenario.
pub const CASE_KEY: &str = "uncertainty_case";

/// A group of uncertain values drawn together.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub name: String,
    /// Spearman's rank correlation between any two of its values, in [0, 1].
    pub rank_correlation: f64,
    pub source: String,
}

impl Group {
    /// The correlation of the normal factors that gives the rank
    /// correlation: r = 2 sin(πρ/6).
    pub fn normal_correlation(&self) -> f64 {
        (2.0 * (std::f64::consts::PI * self.rank_correlation / 6.0).sin()).clamp(0.0, 1.0)
    }
}

/// Reads `[uncertainty_groups]`: `NAME = 0.6` or `NAME = {
/// rank_correlation = 0.6, source = "..." }`.
pub(crate) fn read_groups(section: &toml::Value) -> Result<Vec<Group>, Vec<Issue>> {
    let example = "e.g. `programme = { rank_correlation = 0.6, source = \"...\" }`";
    let Some(table) = section.as_table() else {
        return Err(vec![Issue {
            path: GROUPS_SECTION.into(),
            value: Some(section.to_string()),
            problem: format!("must be a table of groups, {example}"),
        }]);
    };
    let mut groups = Vec::new();
    let mut issues = Vec::new();
    for (name, entry) in table {
        let at = format!("{GROUPS_SECTION}.{name}");
        let (value, source) = match entry {
            toml::Value::Table(t) => {
                if let Some(k) = t
                    .keys()
                    .find(|k| *k != "rank_correlation" && *k != "source")
                {
                    issues.push(Issue {
                        path: at,
                        value: None,
                        problem: format!(
                            "unknown key `{k}`; a group takes `rank_correlation` and `source`"
                        ),
                    });
                    continue;
                }
                (
                    t.get("rank_correlation").cloned(),
                    t.get("source")
                        .and_then(toml::Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                )
            }
            other => (Some(other.clone()), String::new()),
        };
        let rho = match value {
            Some(toml::Value::Float(v)) => Some(v),
            Some(toml::Value::Integer(v)) => Some(v as f64),
            _ => None,
        };
        match rho {
            Some(rho) if (0.0..=1.0).contains(&rho) => groups.push(Group {
                name: name.clone(),
                rank_correlation: rho,
                source,
            }),
            _ => issues.push(Issue {
                path: at,
                value: Some(entry.to_string()),
                problem: format!(
                    "needs a rank correlation from 0 to 1 (values that move together; a shared factor cannot make them move apart), {example}"
                ),
            }),
        }
    }
    if issues.is_empty() {
        Ok(groups)
    } else {
        Err(issues)
    }
}

/// How the uncertain values of every replication are set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Case {
    /// Each replication draws them (the default).
    Drawn,
    /// Every value at this quantile.
    Quantile(f64),
    /// Every value at its 0.9 quantile on its worse side.
    Pessimistic,
    /// Every value at its median.
    Central,
    /// Every value at its 0.9 quantile on its better side.
    Optimistic,
}

/// How far towards a side the named cases go.
pub const CASE_LEVEL: f64 = 0.9;

impl Case {
    /// Reads `0.9`, `"0.9"`, `"pessimistic"`, `"central"`, `"optimistic"`
    /// or `"drawn"`.
    pub fn parse(text: &str) -> Result<Case, String> {
        let text = text.trim().trim_matches('"');
        match text {
            "drawn" => return Ok(Case::Drawn),
            "pessimistic" => return Ok(Case::Pessimistic),
            "central" => return Ok(Case::Central),
            "optimistic" => return Ok(Case::Optimistic),
            _ => {}
        }
        match text.parse::<f64>() {
            Ok(q) if q > 0.0 && q < 1.0 => Ok(Case::Quantile(q)),
            _ => Err(format!(
                "`{text}` is not a case: give a quantile strictly between 0 and 1 (e.g. 0.9), or pessimistic, central or optimistic"
            )),
        }
    }

    /// Reads the scenario's `uncertainty_case`.
    pub(crate) fn from_value(value: &toml::Value) -> Result<Case, Issue> {
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Float(v) => v.to_string(),
            other => other.to_string(),
        };
        Case::parse(&text).map_err(|problem| Issue {
            path: CASE_KEY.into(),
            value: Some(value.to_string()),
            problem,
        })
    }

    /// As run.json's `"case"` writes it.
    pub fn name(self) -> String {
        match self {
            Case::Drawn => "drawn".into(),
            Case::Quantile(q) => short(q),
            Case::Pessimistic => "pessimistic".into(),
            Case::Central => "central".into(),
            Case::Optimistic => "optimistic".into(),
        }
    }

    /// The value of the scenario's `uncertainty_case` that gives this case.
    pub fn toml_value(self) -> String {
        match self {
            Case::Quantile(q) => short(q),
            other => format!("\"{}\"", other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_read_their_names_and_quantiles_and_refuse_the_rest() {
        assert_eq!(Case::parse("0.9"), Ok(Case::Quantile(0.9)));
        assert_eq!(Case::parse("pessimistic"), Ok(Case::Pessimistic));
        assert_eq!(Case::parse("\"central\""), Ok(Case::Central));
        for bad in ["1", "0", "1.5", "pesimistic"] {
            let err = Case::parse(bad).unwrap_err();
            assert!(err.contains("strictly between 0 and 1"), "{bad}: {err}");
        }
        assert_eq!(Case::Quantile(0.1).name(), "0.1");
        assert_eq!(
            Case::from_value(&toml::Value::Float(0.25)).unwrap(),
            Case::Quantile(0.25)
        );
    }

    #[test]
    fn groups_read_both_forms_and_refuse_negative_correlations() {
        let section: toml::Value =
            toml::from_str("a = 0.6\nb = { rank_correlation = 0.3, source = \"s\" }").unwrap();
        let groups = read_groups(&section).unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[1].source, "s");
        // ρ = 0.5 ↔ r = 2 sin(π/12) = 0.5176.
        let g = Group {
            name: "x".into(),
            rank_correlation: 0.5,
            source: String::new(),
        };
        assert!((g.normal_correlation() - 0.517_638_090_205_041_5).abs() < 1e-12);
        let bad: toml::Value = toml::from_str("a = -0.2").unwrap();
        let issues = read_groups(&bad).unwrap_err();
        assert!(issues[0].problem.contains("from 0 to 1"));
    }
}
