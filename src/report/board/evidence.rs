//! The uncertain values in words: which case was run (run.json `case`),
//! how the values are correlated (`correlation`), and each value with the
//! chance its range gives to no effect or worse (`uncertainty.csv`), for
//! the summary and the methods.

use super::input::ScenarioResults;
use super::page::{self, number, words as text_cell};

/// "pessimistic case: every uncertain value at its 0.9 quantile on its
/// worse side", or None for values drawn afresh (the default).
pub(super) fn case_words(case: &str) -> Option<String> {
    match case {
        // "none": the scenario has no uncertain values to draw.
        "drawn" | "none" | "" => None,
        "pessimistic" => Some(
            "pessimistic case: every uncertain value at its 0.9 quantile on its worse side".into(),
        ),
        "optimistic" => Some(
            "optimistic case: every uncertain value at its 0.9 quantile on its better side".into(),
        ),
        "central" => Some("central case: every uncertain value at its median".into()),
        quantile => Some(format!(
            "case {quantile}: every uncertain value at its {quantile} quantile"
        )),
    }
}

/// The case and correlation sentences of a scenario ("" when neither says
/// anything beyond the default).
pub(super) fn case_sentence(scenario: &ScenarioResults) -> String {
    let mut text = String::new();
    if let Some(case) = scenario.extras.case.as_deref().and_then(case_words) {
        text.push_str(&format!(
            "This run is the {case}, in every replication, not drawn from the ranges. "
        ));
    }
    if let Some(correlation) = scenario
        .extras
        .correlation
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        && !scenario.uncertainty.is_empty()
    {
        let correlation = correlation.trim().trim_end_matches('.');
        text.push_str(&format!("Uncertain values: {correlation}. "));
    }
    text
}

/// The methods' list of uncertain values, empty without uncertainty.csv.
pub(super) fn uncertain_values(index: usize, scenario: &ScenarioResults) -> String {
    if scenario.uncertainty.is_empty() {
        return String::new();
    }
    let mut out = page::heading(
        3,
        &format!("The uncertain values of {}", scenario.run.scenario_name),
    );
    let sentence = case_sentence(scenario);
    let drawn = if scenario
        .extras
        .case
        .as_deref()
        .and_then(case_words)
        .is_none()
    {
        "Each value below is drawn afresh for every replication from its range. "
    } else {
        ""
    };
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "{drawn}{sentence}\"No effect or worse\": the chance the range itself gives to the value doing nothing or harm (uncertainty.csv)."
        ),
    ));
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = scenario
        .uncertainty
        .iter()
        .map(|u| {
            (
                Some(format!("uncertain.{}", u.key)),
                vec![
                    text_cell(u.key.clone()),
                    number(
                        u.probability()
                            .map_or("–".to_string(), |p| format!("{:.0}%", 100.0 * p)),
                    ),
                    text_cell(u.source.clone()),
                ],
            )
        })
        .collect();
    out.push_str(&page::table(
        &format!("uncertain-{}", index + 1),
        &[
            text_cell("Uncertain value"),
            number("No effect or worse"),
            text_cell("Source"),
        ],
        &rows,
    ));
    out
}
