//! The executive summary at the top of a comparison: one paragraph per
//! scenario in plain words — the central estimate, the downside, how
//! often the change helped, and what would have to be true for it to make
//! things worse — and the year the report's headline speaks of (the
//! first whole year at full effect).

use super::context::Context;
use super::input::{ComparisonRow, ScenarioResults};
use super::page;
use super::words::{self, Kind};

/// The year a headline speaks of: the first whole year after the last
/// lever reaches full effect (run.json `first_full_year`), else the last
/// whole year shown; with the words that name it. `None` for results
/// without years.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct HeadlineYear {
    /// "1", "2" ...: the year's key in the results.
    pub(super) key: String,
    /// "in 2029/30, the first whole year at full effect"
    pub(super) words: String,
}

pub(super) fn headline_year(context: &Context, scenario: &ScenarioResults) -> Option<HeadlineYear> {
    let position = |key: &str| context.years.iter().position(|y| y == key);
    let full = scenario
        .extras
        .first_full_year
        .map(|y| y.to_string())
        .and_then(|k| position(&k).map(|i| (k, i)));
    match full {
        Some((key, i)) => Some(HeadlineYear {
            words: format!(
                "in {}, the first whole year with every change at full effect",
                context.year_labels[i]
            ),
            key,
        }),
        None => {
            let i = context.years.len().checked_sub(1)?;
            let why = if scenario.extras.full_effect_from.is_some() {
                "the last whole year (no whole year at full effect within the run)"
            } else {
                "the last whole year of the run"
            };
            Some(HeadlineYear {
                key: context.years[i].clone(),
                words: format!("in {}, {why}", context.year_labels[i]),
            })
        }
    }
}

/// The worse end of the middle 90%: p95 when lower is better, p05 when
/// higher is better.
fn downside(row: &ComparisonRow) -> Option<f64> {
    match row.better.as_str() {
        "lower" => row.difference_p95,
        "higher" => row.difference_p05,
        _ => None,
    }
}

/// A share of replications as "87 of 100".
fn of_n(p: f64, n: usize) -> String {
    format!("{} of {n}", (p * n as f64).round())
}

/// "−3.9%" for counts, "−2.7 points" for shares.
fn change(kind: Kind, row: &ComparisonRow, d: f64) -> String {
    match (kind, row.baseline_mean.filter(|b| *b != 0.0)) {
        (Kind::Share, _) | (_, None) => words::difference(kind, d),
        (_, Some(b)) => words::signed_percent(d / b),
    }
}

/// The executive summary of every scenario of a comparison.
pub(super) fn executive_summary(context: &Context) -> String {
    let input = context.input;
    let mut paragraphs = Vec::new();
    for scenario in &input.scenarios {
        if let Some(text) = scenario_summary(context, scenario) {
            paragraphs.push(text);
        }
    }
    // When the hospital is full, and why discharges wait, in each.
    for results in std::iter::once(&input.baseline).chain(&input.scenarios) {
        let sentences = super::pressure::planner_sentences(results);
        if !sentences.is_empty() && !paragraphs.is_empty() {
            paragraphs.push(format!(
                "{}: {}",
                results.run.scenario_title,
                sentences.join(" ")
            ));
        }
    }
    if paragraphs.is_empty() {
        return String::new();
    }
    let mut out = String::from("<section id=\"summary\">\n");
    out.push_str(&page::heading(2, "Summary"));
    for p in &paragraphs {
        out.push_str(&page::paragraph("summary", p));
    }
    out.push_str("</section>\n");
    out
}

fn scenario_summary(context: &Context, scenario: &ScenarioResults) -> Option<String> {
    let input = context.input;
    let name = &scenario.run.scenario_name;
    let year = headline_year(context, scenario);
    let (key, when) = match &year {
        Some(y) => (y.key.as_str(), y.words.clone()),
        None => ("all", context.period.clone()),
    };
    let row = |metric: &str| {
        input
            .difference(name, metric, key, "all")
            .or_else(|| input.difference(name, metric, "all", "all"))
    };
    let admissions = row("emergency_admissions")?;
    let occupancy = row("acute_occupancy");
    let n = admissions.n;
    let mut text = format!("{}: {when}, ", scenario.run.scenario_title);
    let Some((_, mid, _)) = admissions.spread() else {
        // Files without the spread: the mean, labelled for what it is.
        text.push_str(&format!(
            "emergency admissions change by {} on average (this file has no spread across replications: run the comparison again with this iccsim to see it).",
            change(Kind::Count, admissions, admissions.difference_mean.unwrap_or(f64::NAN))
        ));
        return Some(text);
    };
    text.push_str(&format!(
        "the central estimate is {} emergency admissions",
        change(Kind::Count, admissions, mid)
    ));
    if let Some((_, omid, _)) = occupancy.and_then(|o| o.spread()) {
        text.push_str(&format!(
            " and acute bed occupancy {} ({} against {})",
            words::difference(Kind::Share, omid).replace("points", "percentage points"),
            words::value(
                Kind::Share,
                occupancy.and_then(|o| o.scenario_mean).unwrap_or(f64::NAN)
            ),
            words::value(
                Kind::Share,
                occupancy.and_then(|o| o.baseline_mean).unwrap_or(f64::NAN)
            ),
        ));
    }
    text.push_str(". ");
    let mut helped = Vec::new();
    if let Some(p) = admissions.probability_better {
        helped.push(format!("admissions fell in {}", of_n(p, n)));
    }
    if let Some(p) = occupancy.and_then(|o| o.probability_better) {
        helped.push(format!("occupancy fell in {}", of_n(p, n)));
    }
    if !helped.is_empty() {
        text.push_str(&format!(
            "Across the replications, which draw both chance and the uncertain effects, {} replications. ",
            helped.join(" and ")
        ));
    }
    let mut down = Vec::new();
    if let Some(d) = downside(admissions) {
        down.push(format!("admissions {}", change(Kind::Count, admissions, d)));
    }
    if let Some((o, d)) = occupancy.and_then(|o| Some((o, downside(o)?))) {
        down.push(format!("occupancy {}", change(Kind::Share, o, d)));
    }
    if !down.is_empty() {
        text.push_str(&format!(
            "The downside, the worse end of the middle 90% (one replication in twenty fared worse): {}. ",
            down.join(", ")
        ));
    }
    text.push_str(&super::evidence::case_sentence(scenario));
    let risk = |r: &ScenarioResults| r.threshold("acute_occupancy", 0.95, key);
    if let (Some(b), Some(s)) = (risk(&input.baseline), risk(scenario)) {
        text.push_str(&format!(
            "The chance that the year's mean occupancy is above 95% is {} against {} in the baseline. ",
            percent_chance(s),
            percent_chance(b)
        ));
    }
    text.push_str(&worse_if(scenario, occupancy.or(Some(admissions))));
    let closed = super::cash::beds_closed(&scenario.budget);
    if closed > 0.0 {
        text.push_str(&format!(
            " It also closes {} adult beds: the budget section sets them against the acute bed-days it avoids.",
            words::grouped(closed)
        ));
    }
    Some(text.trim_end().to_string())
}

fn percent_chance(p: f64) -> String {
    format!("{:.0}%", 100.0 * p)
}

/// An uncertain value as a board reads it: a lever's key
/// ("levers.proactive_reviews.multiplier") as its name in words
/// ("proactive reviews"); other keys as they are.
fn uncertain_name(key: &str) -> String {
    match key.strip_prefix("levers.") {
        Some(rest) => {
            let lever = rest.split('.').next().unwrap_or(rest);
            lever.replace('_', " ")
        }
        None => key.to_string(),
    }
}

/// What would have to be true for the change to make things worse.
fn worse_if(scenario: &ScenarioResults, row: Option<&ComparisonRow>) -> String {
    let worse = row.and_then(|r| Some((r.probability_worse?, r.n)));
    // Worse in most replications: the uncertain effects cannot be what made
    // it worse (it was worse whatever they came out at), so the sentence
    // names them without claiming they are the cause.
    let mostly_worse = worse.is_some_and(|(p, _)| p > 0.5);
    let mut text = match worse {
        Some((p, n)) if mostly_worse => format!(
            "It made things worse in {} replications, whatever its uncertain effects came out at",
            of_n(p, n)
        ),
        Some((p, n)) if p > 0.0 => format!("It made things worse in {} replications: ", of_n(p, n)),
        Some((_, n)) => format!("It made things worse in none of the {n} replications, but "),
        None => String::new(),
    };
    let mut doubtful: Vec<(&str, f64)> = scenario
        .uncertainty
        .iter()
        .filter_map(|u| Some((u.key.as_str(), u.probability()?)))
        .filter(|(_, p)| *p > 0.0)
        .collect();
    doubtful.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    let start = if text.is_empty() { "It" } else { "it" };
    if mostly_worse {
        let named: Vec<String> = doubtful
            .iter()
            .take(3)
            .map(|(k, p)| format!("{} ({} chance)", uncertain_name(k), percent_chance(*p)))
            .collect();
        if !named.is_empty() {
            text.push_str(&format!(
                "; the evidence also allows no effect or worse for {}",
                named.join(", ")
            ));
        }
        text.push('.');
    } else if doubtful.is_empty() {
        text.push_str(&format!(
            "{start} would make things worse if its effects were at or below no effect, or if demand or delays grew beyond what the scenario assumes; the spread shown covers only the ranges the scenario files give and chance."
        ));
    } else {
        let named: Vec<String> = doubtful
            .iter()
            .take(3)
            .map(|(k, p)| {
                format!(
                    "{} ({} chance of no effect or worse)",
                    uncertain_name(k),
                    percent_chance(*p)
                )
            })
            .collect();
        text.push_str(&format!(
            "{start} would make things worse if its uncertain effects came out at no effect or worse, as the evidence allows for {}.",
            named.join(", ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lever_keys_read_as_the_levers_names() {
        assert_eq!(uncertain_name("levers.continuity.multiplier"), "continuity");
        assert_eq!(
            uncertain_name("levers.proactive_reviews.multiplier"),
            "proactive reviews"
        );
        assert_eq!(uncertain_name("demand.growth"), "demand.growth");
    }
}
