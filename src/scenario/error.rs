//! Scenario errors: every problem found, each with its TOML path, the value
//! at fault and how to fix it.

use std::fmt;

/// One problem in a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    /// TOML path of the key at fault, e.g. `services.acute.capacity`.
    pub path: String,
    /// The value as written, when there is one.
    pub value: Option<String>,
    /// What is wrong and how to fix it.
    pub problem: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} = {}: {}", self.path, value, self.problem),
            None => write!(f, "{}: {}", self.path, self.problem),
        }
    }
}

/// Why a scenario could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The file could not be read.
    Read { origin: String, reason: String },
    /// Not valid TOML; the parser's message with line and column.
    Syntax { origin: String, message: String },
    /// Valid TOML that is not a valid scenario: every problem found.
    Invalid { origin: String, issues: Vec<Issue> },
}

impl ScenarioError {
    /// The problems, when the scenario was read but is invalid.
    pub fn issues(&self) -> &[Issue] {
        match self {
            ScenarioError::Invalid { issues, .. } => issues,
            _ => &[],
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { origin, reason } => {
                write!(f, "cannot read scenario {origin}: {reason}")
            }
            ScenarioError::Syntax { origin, message } => {
                write!(
                    f,
                    "scenario {origin} is not valid TOML:\n{}",
                    message.trim_end()
                )
            }
            ScenarioError::Invalid { origin, issues } => {
                let n = issues.len();
                writeln!(
                    f,
                    "scenario {origin} has {n} problem{}:",
                    if n == 1 { "" } else { "s" }
                )?;
                for issue in issues {
                    writeln!(f, "  - {issue}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ScenarioError {}

/// Edit distance, for "did you mean" hints on misspelt keys and names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The candidate closest to `word`, if it is close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word_lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// " (did you mean `x`?)" or "".
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(closest("capcity", ["capacity", "stay"]), Some("capacity"));
        assert_eq!(closest("Acute", ["acute", "rehab"]), Some("acute"));
        assert_eq!(closest("xyz", ["capacity", "stay"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
