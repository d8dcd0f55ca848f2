//! `--set key=value`: changing one value of a scenario from the command
//! line. The key is a TOML dotted key (`sites.general.adult_beds`,
//! `age_bands."85+".crisis_per_1000`) and the value a TOML value (`420`,
//! `0.5`, `"text"`, `[1, 2]`, `{ dist = "fixed", value = 3 }`; a bare word
//! is taken as text). The changed document is then validated like a file,
//! so a bad value gets the same located message.

use super::error::{Issue, ScenarioError, did_you_mean};
use super::keys::key_parts;

/// A parsed `key=value`: the key's parts and the value.
struct Setting {
    path: Vec<String>,
    value: toml::Value,
}

/// Parses a value as TOML (`420`, `0.5`, `"text"`, `[1, 2]`, an inline
/// table); anything that is not a single TOML value is taken as text
/// (`--set name=trial run`), so pasted TOML cannot set other keys.
pub fn parse_value(text: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("value = {text}"))
        .ok()
        .filter(|t| t.len() == 1 && !text.contains('\n'))
        .and_then(|mut t| t.remove("value"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// Parses `key=value`: the key up to the first `=` (a TOML key has none
/// unless quoted, and a quoted `=` is kept), the rest the value.
fn parse(setting: &str) -> Result<Setting, Issue> {
    let problem = |text: &str| Issue {
        path: "--set".into(),
        value: Some(setting.to_string()),
        problem: text.to_string(),
    };
    let split = split_key_value(setting)
        .ok_or_else(|| problem("must be key=value, e.g. --set sites.general.adult_beds=420"))?;
    let (key, value) = (split.0.trim(), split.1.trim());
    if key.is_empty() {
        return Err(problem("has no key before `=`"));
    }
    let path = key_parts(key).map_err(|e| problem(&e))?;
    Ok(Setting {
        path,
        value: parse_value(value),
    })
}

/// The key's parts of a `key=value` setting, if it has a valid key.
pub fn setting_path(setting: &str) -> Option<Vec<String>> {
    let (key, _) = split_key_value(setting)?;
    key_parts(key.trim()).ok()
}

/// Splits at the first `=` outside quotes.
fn split_key_value(text: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '=') => return Some((&text[..i], &text[i + 1..])),
            _ => {}
        }
    }
    None
}

/// Puts the setting's value at its path, replacing what is there whole (an
/// inline-table value replaces the table, so a distribution can change
/// kind, and a new key or table may be added as the last part). Every
/// table on the way must exist: a misspelt name would otherwise become a
/// new, incomplete section that nothing uses.
fn put(document: &mut toml::Table, setting: Setting) -> Result<(), String> {
    set_value(document, &setting.path, setting.value)
}

/// Puts `value` at `path` in `document` (the rules of `--set`): used for
/// settings and for each replication's draws of uncertain values.
pub(crate) fn set_value(
    document: &mut toml::Table,
    path: &[String],
    value: toml::Value,
) -> Result<(), String> {
    let Some((last, tables)) = path.split_last() else {
        return Err("the key is empty".into());
    };
    let mut here = document;
    let mut walked = Vec::new();
    for name in tables {
        walked.push(name.as_str());
        if !here.contains_key(name) {
            let siblings: Vec<&str> = here
                .iter()
                .filter(|(_, v)| v.is_table())
                .map(|(k, _)| k.as_str())
                .collect();
            return Err(format!(
                "`{}` is not in the scenario{}; --set changes what the file has (to add a whole section, give it as an inline table: --set '{}={{ ... }}')",
                walked.join("."),
                did_you_mean(name, siblings.iter().copied()),
                walked.join(".")
            ));
        }
        here = match here.get_mut(name) {
            Some(toml::Value::Table(inner)) => inner,
            _ => {
                return Err(format!(
                    "`{}` is a value, not a table: it has no `{}`",
                    walked.join("."),
                    path[walked.len()..].join(".")
                ));
            }
        };
    }
    here.insert(last.clone(), value);
    Ok(())
}

/// Applies every setting in order; all bad settings are reported at once.
pub fn apply(document: &mut toml::Table, settings: &[String]) -> Result<(), Vec<Issue>> {
    let mut issues = Vec::new();
    for setting in settings {
        let merged = parse(setting).and_then(|parsed| {
            put(document, parsed).map_err(|problem| Issue {
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
    let mut document = super::parse(text, origin)?;
    apply(&mut document, settings).map_err(|issues| ScenarioError::Invalid {
        origin: origin.to_string(),
        issues,
    })?;
    let comment = super::inherit::comment_text;
    let mut out = format!(
        "# {} with {}\n# (written by iccsim; of the original's comments only its opening one is kept)\n{}",
        comment(origin),
        comment(
            &settings
                .iter()
                .map(|s| format!("--set {s}"))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        super::inherit::opening_comment(text)
    );
    out.push_str(&toml::to_string(&document).unwrap_or_default());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A setting, or an origin, with a newline or another control
    /// character cannot end the header comment and write TOML of its own.
    #[test]
    fn control_characters_in_settings_stay_inside_the_comment() {
        let text = "schema_version = 1\n";
        let settings = ["name=x\nfoo = 1".to_string(), "title=a\u{1}b".to_string()];
        let out = apply_to_text(text, "file\nbar = 2.toml", &settings).unwrap();
        let document: toml::Table = toml::from_str(&out).unwrap();
        assert!(
            !document.contains_key("foo") && !document.contains_key("bar"),
            "{out}"
        );
        assert_eq!(document["name"].as_str(), Some("x\nfoo = 1"));
        assert_eq!(document["title"].as_str(), Some("a\u{1}b"));
        assert!(
            out.starts_with(
                "# file\\nbar = 2.toml with --set name=x\\nfoo = 1 --set title=a\\u{1}b\n"
            ),
            "{out}"
        );
    }

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
            "`d.58+` is not in the scenario (did you mean `85+`?); --set changes what the file has (to add a whole section, give it as an inline table: --set 'd.58+={ ... }')"
        );
    }

    #[test]
    fn an_inline_table_replaces_the_table_whole() {
        let mut document: toml::Table =
            toml::from_str("[s]\nlos = { dist = \"lognormal\", mean = 4.0, sd = 2.0 }\n").unwrap();
        apply(
            &mut document,
            &["s.los = { dist = \"exponential\", mean = 3.0 }".into()],
        )
        .unwrap();
        let los = document["s"]["los"].as_table().unwrap();
        assert_eq!(los.len(), 2, "no stale sd left: {los:?}");
        assert_eq!(los["dist"].as_str(), Some("exponential"));
    }

    #[test]
    fn a_missing_section_is_added_whole_and_pasted_toml_sets_nothing_else() {
        let mut document: toml::Table =
            toml::from_str("[community]\n[community.a]\nx = 1\n").unwrap();
        apply(
            &mut document,
            &["community.case_management={ y = 2 }".into()],
        )
        .unwrap();
        assert_eq!(
            document["community"]["case_management"]["y"].as_integer(),
            Some(2)
        );
        let issues = apply(&mut document, &["community.reablement.y=2".into()]).unwrap_err();
        assert!(
            issues[0].problem.contains("give it as an inline table"),
            "{}",
            issues[0].problem
        );
        // A value with a newline and another key is text, not two settings.
        apply(
            &mut document,
            &["community.a.x=1\ncommunity.a.z = 5".into()],
        )
        .unwrap();
        assert!(document["community"]["a"].get("z").is_none());
        assert!(document["community"]["a"]["x"].is_str());
        // `=` inside a quoted value stays in the value.
        apply(&mut document, &["name=\"a=b\"".into()]).unwrap();
        assert_eq!(document["name"].as_str(), Some("a=b"));
        // A value is not a table.
        let issues = apply(&mut document, &["name.x=1".into()]).unwrap_err();
        assert!(
            issues[0].problem.contains("is a value, not a table"),
            "{}",
            issues[0].problem
        );
    }
}
