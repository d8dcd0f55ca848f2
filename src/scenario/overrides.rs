//! `--set key=value`: changing one value of a scenario from the command
//! line. The key is a TOML dotted key (`sites.general.adult_beds`,
//! `age_bands."85+".crisis_per_1000`) and the value a TOML value (`420`,
//! `0.5`, `"text"`, `[1, 2]`, `{ dist = "fixed", value = 3 }`; a bare word
//! is taken as text). The changed document is then validated like a file,
//! so a bad value gets the same located message.

use super::error::{Issue, ScenarioError, did_you_mean};

/// Parses `key=value` into a one-key TOML table (nested as the key says).
fn parse(setting: &str) -> Result<toml::Table, Issue> {
    let problem = |text: &str| Issue {
        path: "--set".into(),
        value: Some(setting.to_string()),
        problem: text.to_string(),
    };
    let Some((key, value)) = setting.split_once('=') else {
        return Err(problem(
            "must be key=value, e.g. --set sites.general.adult_beds=420",
        ));
    };
    let (key, value) = (key.trim(), value.trim());
    if key.is_empty() {
        return Err(problem("has no key before `=`"));
    }
    // A TOML value as written, else the text itself (`--set name=trial`).
    toml::from_str::<toml::Table>(&format!("{key} = {value}"))
        .or_else(|_| {
            let quoted = toml::Value::String(value.to_string()).to_string();
            toml::from_str::<toml::Table>(&format!("{key} = {quoted}"))
        })
        .map_err(|e| {
            problem(&format!(
                "`{key}` is not a TOML key (quote parts with dots or signs, e.g. age_bands.\"85+\".crisis_per_1000): {}",
                e.to_string().lines().next().unwrap_or_default()
            ))
        })
}

/// Puts `patch` into `document`, replacing values and adding keys. A table
/// the scenario does not have (`sites.nowhere`) is refused: a misspelt
/// name would otherwise become a new, incomplete section.
fn merge(document: &mut toml::Table, patch: toml::Table, path: &str) -> Result<(), String> {
    for (key, value) in patch {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        match (document.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(inner)) => {
                merge(existing, inner, &here)?
            }
            (None, toml::Value::Table(_)) => {
                let tables: Vec<&str> = document
                    .iter()
                    .filter(|(_, v)| v.is_table())
                    .map(|(k, _)| k.as_str())
                    .collect();
                return Err(format!(
                    "`{here}` is not in the scenario{}; --set changes what the file has",
                    did_you_mean(&key, tables.iter().copied())
                ));
            }
            (_, value) => {
                document.insert(key, value);
            }
        }
    }
    Ok(())
}

/// Applies every setting in order; all bad settings are reported at once.
pub fn apply(document: &mut toml::Table, settings: &[String]) -> Result<(), Vec<Issue>> {
    let mut issues = Vec::new();
    for setting in settings {
        let merged = parse(setting).and_then(|patch| {
            merge(document, patch, "").map_err(|problem| Issue {
                path: "--set".into(),
                value: Some(setting.clone()),
                problem,
            })
        });
        if let Err(issue) = merged {
            issues.push(issue);
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(issues)
    }
}

/// The scenario text with settings applied, as TOML (comments are not
/// kept), or the text unchanged when there are none.
pub fn apply_to_text(
    text: &str,
    origin: &str,
    settings: &[String],
) -> Result<String, ScenarioError> {
    if settings.is_empty() {
        return Ok(text.to_string());
    }
    let mut document: toml::Table = toml::from_str(text).map_err(|e| ScenarioError::Syntax {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    apply(&mut document, settings).map_err(|issues| ScenarioError::Invalid {
        origin: origin.to_string(),
        issues,
    })?;
    let mut out = format!(
        "# {origin} with {}\n# (written by iccsim; the original's comments are not kept)\n",
        settings
            .iter()
            .map(|s| format!("--set {s}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    out.push_str(&toml::to_string(&document).unwrap_or_default());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_replace_nested_values_and_keep_the_rest() {
        let mut document: toml::Table =
            toml::from_str("[a]\nb = 1\nc = 2\n[d.\"85+\"]\ne = 3\n").unwrap();
        apply(
            &mut document,
            &[
                "a.b=5".into(),
                "d.\"85+\".e = 0.5".into(),
                "name=trial run".into(),
                "a.g=[1, 2]".into(),
            ],
        )
        .unwrap();
        assert_eq!(document["a"]["b"].as_integer(), Some(5));
        assert_eq!(document["a"]["c"].as_integer(), Some(2));
        assert_eq!(document["d"]["85+"]["e"].as_float(), Some(0.5));
        assert_eq!(document["name"].as_str(), Some("trial run"));
        assert_eq!(document["a"]["g"].as_array().map(Vec::len), Some(2));
        let issues = apply(
            &mut document,
            &["nothing".into(), "=3".into(), "d.\"58+\".e=1".into()],
        )
        .unwrap_err();
        assert_eq!(issues.len(), 3);
        assert!(issues[0].problem.contains("must be key=value"));
        assert_eq!(
            issues[2].problem,
            "`d.58+` is not in the scenario (did you mean `85+`?); --set changes what the file has"
        );
    }
}
