//! Switching levers off, for the contribution of each lever (`compare
//! --by-lever`): a scenario's `[levers.NAME]` tables removed from the
//! document before it is validated, with the uncertain values that belong
//! to them (`[uncertainty]` keys `levers.NAME.…`, and a lever's numbers
//! written as distributions, which loading hoists there). A scenario with
//! a lever removed is the scenario as if the lever had never been written.

use super::error::{Issue, ScenarioError};
use super::inherit::Resolved;
use super::keys::key_parts;
use super::source::Scenario;
use super::uncertainty::SECTION;
use super::{overrides, parse};

/// The section of levers at the top of a whole-system scenario.
const LEVERS: &str = "levers";

/// The names of the scenario's levers, in file order.
pub fn lever_names(document: &toml::Table) -> Vec<String> {
    match document.get(LEVERS) {
        Some(toml::Value::Table(levers)) => levers.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Removes the levers named in `off` from `document`, and their uncertain
/// values; an emptied `[levers]` goes too.
pub fn switch_off(document: &mut toml::Table, off: &[String]) {
    if let Some(toml::Value::Table(levers)) = document.get_mut(LEVERS) {
        for name in off {
            levers.remove(name);
        }
        if levers.is_empty() {
            document.remove(LEVERS);
        }
    }
    if let Some(toml::Value::Table(uncertain)) = document.get_mut(SECTION) {
        uncertain.retain(|key, _| match key_parts(key).as_deref() {
            Ok([section, name, ..]) => !(section.as_str() == LEVERS && off.contains(name)),
            _ => true,
        });
        if uncertain.is_empty() {
            document.remove(SECTION);
        }
    }
}

/// Loads a scenario read with its `extends` chain, `--set` settings
/// applied, with the levers `off` switched off (as
/// [`load_resolved`](super::load_resolved) otherwise): the scenario and its
/// text. A lever named that the scenario does not have is an error.
pub fn load_with_levers_off(
    resolved: &Resolved,
    origin: &str,
    default_name: &str,
    settings: &[String],
    off: &[String],
) -> Result<(Scenario, String), ScenarioError> {
    let text = overrides::apply_to_text(&resolved.text, origin, settings)?;
    let mut document = parse(&text, origin)?;
    let names = lever_names(&document);
    let unknown: Vec<Issue> = off
        .iter()
        .filter(|name| !names.contains(name))
        .map(|name| Issue {
            path: format!("{LEVERS}.{name}"),
            value: None,
            problem: format!(
                "no such lever to switch off; the scenario's levers are: {}",
                names.join(", ")
            ),
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ScenarioError::Invalid {
            origin: origin.to_string(),
            issues: unknown,
        });
    }
    switch_off(&mut document, off);
    let text = toml::to_string(&document).unwrap_or_default();
    let mut origins = resolved.origins.clone();
    for setting in settings {
        if let Some(path) = overrides::setting_path(setting) {
            origins.mark_own(path);
        }
    }
    let scenario = Scenario::from_document(document, origin, default_name, origins)?;
    Ok((scenario, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEVERED: &str = r#"
name = "x"
[levers.a]
effect = "crisis_rate"
[levers.b]
effect = "capacity"
multiplier = { dist = "uniform", min = 0.5, max = 1.0 }
[uncertainty]
"levers.a.multiplier" = { dist = "uniform", min = 0.5, max = 1.0 }
"sites.x.adult_beds" = { dist = "uniform", min = 5, max = 10 }
"#;

    #[test]
    fn switching_off_removes_the_lever_and_its_uncertain_values() {
        let mut document: toml::Table = toml::from_str(LEVERED).unwrap();
        assert_eq!(lever_names(&document), vec!["a", "b"]);
        switch_off(&mut document, &["a".to_string()]);
        assert_eq!(lever_names(&document), vec!["b"]);
        let uncertain = document[SECTION].as_table().unwrap();
        assert_eq!(
            uncertain.keys().collect::<Vec<_>>(),
            vec!["sites.x.adult_beds"]
        );
        switch_off(&mut document, &["b".to_string()]);
        assert!(!document.contains_key(LEVERS));
        assert!(lever_names(&document).is_empty());
    }
}
