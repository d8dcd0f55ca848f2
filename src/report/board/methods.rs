//! The scenario's question, and the methods appendix: how the numbers
//! were made and every value a scenario changes from the baseline, with
//! its source.

use super::context::Context;
use super::input::ScenarioResults;
use super::levers::{inline, lever_words};
use super::page::{self, number, words as text_cell};
use super::words::plain_name;

/// The QUESTION a library scenario opens with, in one paragraph.
pub(super) fn question(text: &str) -> Option<String> {
    let mut lines = text
        .lines()
        .take_while(|l| l.trim_start().starts_with('#'))
        .map(|l| l.trim_start().trim_start_matches('#').trim());
    let first = lines.find(|l| l.starts_with("QUESTION:"))?;
    let mut question = first.trim_start_matches("QUESTION:").trim().to_string();
    for line in lines.take_while(|l| !l.is_empty()) {
        question.push(' ');
        question.push_str(line);
    }
    Some(format!("Question: {question}"))
}

/// The methods appendix.
pub(super) fn methods(context: &Context) -> String {
    let input = context.input;
    let mut out = String::from("<section id=\"methods\">\n");
    out.push_str(&page::heading(2, "Methods"));
    out.push_str(&page::heading(3, "What was run"));
    let all: Vec<&ScenarioResults> = std::iter::once(&input.baseline)
        .chain(&input.scenarios)
        .collect();
    let rows: Vec<(Option<String>, Vec<page::Cell>)> = all
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let run = &r.run;
            (
                Some(run.scenario_name.clone()),
                vec![
                    text_cell(if i == 0 && !input.scenarios.is_empty() {
                        format!("{} (baseline)", run.scenario_name)
                    } else {
                        run.scenario_name.clone()
                    }),
                    text_cell(run.scenario_origin.clone()),
                    number(run.seed.to_string()),
                    number(run.replications.to_string()),
                    number(run.start_date.clone()),
                    number(format!("{}", run.warmup_days)),
                    number(format!("{}", run.horizon_days)),
                    number(run.iccsim_version.clone()),
                ],
            )
        })
        .collect();
    out.push_str(&page::table(
        "runs",
        &[
            text_cell("Scenario"),
            text_cell("File"),
            number("Seed"),
            number("Replications"),
            number("Start"),
            number("Warm-up (days)"),
            number("Horizon (days)"),
            number("iccsim"),
        ],
        &rows,
    ));
    if let Some(m) = &input.manifest {
        let mut changes: Vec<String> = m.set_all.iter().map(|s| format!("--set-all {s}")).collect();
        changes.extend(m.set.iter().map(|s| format!("--set {s}")));
        if !changes.is_empty() {
            out.push_str(&page::paragraph(
                "",
                &format!("Changed on the command line: {}.", changes.join(", ")),
            ));
        }
    }
    out.push_str(&page::paragraph(
        "note",
        &format!(
            "Results folder: {}. Every number in this report is in its CSV files (comparison.csv, and each scenario's summary.csv, breakdown_summary.csv and budget.csv).",
            input.folder.display()
        ),
    ));
    for scenario in &input.scenarios {
        out.push_str(&page::heading(
            3,
            &format!(
                "What {} changes from the baseline",
                scenario.run.scenario_name
            ),
        ));
        out.push_str(&changes_table(&input.baseline, scenario));
    }
    for (i, scenario) in input.scenarios.iter().enumerate() {
        out.push_str(&super::evidence::uncertain_values(i, scenario));
    }
    out.push_str(&page::heading(3, "Limitations"));
    let n = input.baseline.run.replications;
    let mut limits = vec![
        "A simulation is a model: it reproduces observed figures only where it was calibrated (the north Cumbria baseline: docs/calibration.md), and projects forward from its assumptions. It is a tool for comparing options, not a forecast of a given year.".to_string(),
        "The middle 90% of replications (the headline spread, the fan charts' bands and the chances of crossing a threshold) carries two things: chance (who falls ill, when, and how long they stay) and the values the scenario files give as ranges, each drawn afresh for every replication. It does not carry anything held fixed: the model's structure, the values given as single numbers, the baseline's calibration, future policy, prices or workforce supply; and a range carries only what its author gave it, so where the evidence is weaker than its range the spread is too narrow.".to_string(),
        "The 95% confidence interval of a mean (labelled simulation precision) measures only how well the replications run pin down the average: it shrinks towards zero as more replications are run, however uncertain the effects, so it says nothing about how sure one can be of the outcome.".to_string(),
        "Differences are paired: each replication of every scenario meets the same patients, so a difference is the effect of the change, not of chance in who fell ill.".to_string(),
        "Costs are simulated activity priced at unit costs, at the scenario's stated price year; a reinvestment's budget is shown separately, as planned. Prices of different years are not deflated to one year where the sources do not allow it (the scenario files say where).".to_string(),
    ];
    if n < 20 {
        limits.push(format!(
            "Only {n} replications were run: the 90% bands rest on few values and are rough. Run more (iccsim compare ... -n 50) before relying on the bands."
        ));
    }
    out.push_str(&page::list("limitations", &limits));
    out.push_str(&evidence_tags(input));
    out.push_str("</section>\n");
    out
}

/// The values a scenario changes from the baseline, each with its source:
/// one row per lever, and one per other changed value.
fn changes_table(base: &ScenarioResults, scenario: &ScenarioResults) -> String {
    let parse = |text: &str| text.parse::<toml::Table>().unwrap_or_default();
    let (b, s) = (parse(&base.scenario_text), parse(&scenario.scenario_text));
    let mut rows: Vec<(Option<String>, Vec<page::Cell>)> = Vec::new();
    let mut lever_rows: Vec<(Option<String>, Vec<page::Cell>)> = Vec::new();
    let levers = s.get("levers").and_then(|l| l.as_table());
    let base_levers = b.get("levers").and_then(|l| l.as_table());
    if let Some(levers) = levers {
        for (name, lever) in levers {
            if base_levers.and_then(|bl| bl.get(name)) == Some(lever) {
                continue;
            }
            let Some(table) = lever.as_table() else {
                continue;
            };
            let source = sources(lever).join("; ");
            // A lever the baseline pulls too: in words as it now stands,
            // with what changed from the baseline's.
            let before = base_levers
                .and_then(|bl| bl.get(name))
                .and_then(|l| l.as_table());
            let words = lever_words(table);
            let changed: Vec<String> = before
                .map(|before| {
                    table
                        .iter()
                        .filter(|(k, _)| !matches!(k.as_str(), "description" | "source"))
                        .filter(|(k, v)| before.get(*k) != Some(*v))
                        .map(|(k, _)| k.replace('_', " "))
                        .collect()
                })
                .unwrap_or_default();
            lever_rows.push((
                Some(format!("levers.{name}")),
                vec![
                    text_cell(if before.is_some() {
                        format!("{} (changed: {})", plain_name(name), changed.join(", "))
                    } else {
                        plain_name(name)
                    }),
                    text_cell(words.what),
                    text_cell(words.how_much),
                    text_cell(format!("{}. {}", words.when, words.place)),
                    text_cell(if source.is_empty() {
                        "not given in the scenario file".into()
                    } else {
                        source
                    }),
                ],
            ));
        }
    }
    // Levers of the baseline this scenario does not pull.
    for (name, lever) in base_levers.into_iter().flatten() {
        if levers.is_some_and(|l| l.contains_key(name)) {
            continue;
        }
        let description = lever
            .get("description")
            .and_then(|d| d.as_str())
            .unwrap_or("");
        lever_rows.push((
            Some(format!("levers.{name}")),
            vec![
                text_cell(format!("{} (removed)", plain_name(name))),
                text_cell(if description.is_empty() {
                    "the baseline's lever is not pulled".to_string()
                } else {
                    format!("the baseline's lever is not pulled: {description}")
                }),
                text_cell("—"),
                text_cell("—"),
                text_cell("—"),
            ],
        ));
    }
    let mut flat_b = Vec::new();
    let mut flat_s = Vec::new();
    flatten("", &toml::Value::Table(b.clone()), &mut flat_b);
    flatten("", &toml::Value::Table(s.clone()), &mut flat_s);
    let skip = |k: &str| k.starts_with("levers.") || matches!(k, "name" | "title" | "description");
    for (key, value) in &flat_s {
        if skip(key) {
            continue;
        }
        let before = flat_b.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if before == Some(value) {
            continue;
        }
        rows.push((
            Some(key.clone()),
            vec![
                text_cell(key.clone()),
                text_cell(format!(
                    "{} → {}",
                    before.map_or("(not set)".to_string(), inline),
                    inline(value)
                )),
                text_cell(
                    source_beside(&s, key)
                        .unwrap_or_else(|| "not given in the scenario file".into()),
                ),
            ],
        ));
    }
    for (key, value) in &flat_b {
        if !skip(key) && !flat_s.iter().any(|(k, _)| k == key) {
            rows.push((
                Some(key.clone()),
                vec![
                    text_cell(key.clone()),
                    text_cell(format!("{} → (removed)", inline(value))),
                    text_cell("—"),
                ],
            ));
        }
    }
    if rows.is_empty() && lever_rows.is_empty() {
        return page::paragraph("", "Nothing: the scenario runs the baseline's values.");
    }
    let mut out = String::new();
    if !lever_rows.is_empty() {
        out.push_str(&page::table(
            &format!("levers-{}", scenario.run.scenario_name),
            &[
                text_cell("Lever"),
                text_cell("What it does"),
                text_cell("How much"),
                text_cell("When and where"),
                text_cell("Evidence"),
            ],
            &lever_rows,
        ));
    }
    if !rows.is_empty() {
        out.push_str(&page::table(
            &format!("changes-{}", scenario.run.scenario_name),
            &[text_cell("Value"), text_cell("Change"), text_cell("Source")],
            &rows,
        ));
    }
    out
}

/// Leaf values by dotted key (arrays and distributions whole).
pub(super) fn flatten(prefix: &str, value: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
    match value.as_table() {
        Some(table) if !table.contains_key("dist") => {
            for (k, v) in table {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        _ => out.push((prefix.to_string(), value.clone())),
    }
}

/// Every `source` inside a value.
pub(super) fn sources(value: &toml::Value) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(table) = value.as_table() {
        for (k, v) in table {
            match v.as_str() {
                Some(s) if k == "source" => found.push(s.to_string()),
                _ => found.extend(sources(v)),
            }
        }
    }
    found
}

/// The `source` beside a key in its table, or in the table above.
fn source_beside(document: &toml::Table, key: &str) -> Option<String> {
    let parts: Vec<&str> = key.split('.').collect();
    for depth in (0..parts.len()).rev() {
        let mut table = document;
        for part in &parts[..depth] {
            table = table.get(*part)?.as_table()?;
        }
        if let Some(v) = table.get(parts[depth]).and_then(|v| v.as_table())
            && let Some(s) = v.get("source").and_then(|s| s.as_str())
        {
            return Some(s.to_string());
        }
        if let Some(s) = table.get("source").and_then(|s| s.as_str()) {
            return Some(s.to_string());
        }
    }
    None
}

/// A TOML value on one line.
/// The sources the scenario files cite as "C §x", shipped as
/// docs/sources.md; its headings name the sections.
const SOURCES: &str = include_str!("../../../docs/sources.md");

/// "C §9.2 England: integration programmes" for each section the
/// scenarios cite, and what the tags mean.
fn evidence_tags(input: &super::input::ReportInput) -> String {
    let mut cited: Vec<String> = Vec::new();
    for scenario in std::iter::once(&input.baseline).chain(&input.scenarios) {
        let text = &scenario.scenario_text;
        for (i, _) in text.match_indices('§') {
            let rest = &text[i + '§'.len_utf8()..];
            let section: String = rest
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            let section = section.trim_end_matches('.').to_string();
            if !section.is_empty() && !cited.contains(&section) {
                cited.push(section);
            }
        }
    }
    cited.sort_by_key(|s| {
        s.split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0))
            .collect::<Vec<_>>()
    });
    let title = |section: &str| -> Option<String> {
        SOURCES.lines().find_map(|l| {
            let heading = l.strip_prefix("### ").or_else(|| l.strip_prefix("## "))?;
            let (number, name) = heading.split_once(' ')?;
            (number.trim_end_matches('.') == section).then(|| name.to_string())
        })
    };
    let mut out = page::heading(3, "Evidence tags and sources");
    out.push_str(&page::paragraph(
        "",
        "Each value a scenario sets carries its evidence. \"C §9.2\" is section 9.2 of the sources file shipped with iccsim (docs/sources.md), which gives every figure with its full reference. The letter says what sort of figure it is: P published, quoted as the source gives it; D derived from a published dataset (the method is stated); X a proxy (another place, year or population stands in for a missing figure); A a modelling assumption, not a published number; U stated in a secondary source, to be verified before relying on it.",
    ));
    let items: Vec<String> = cited
        .iter()
        .map(|s| match title(s) {
            Some(t) => format!("C §{s}: {t}"),
            None => format!("C §{s}"),
        })
        .collect();
    if !items.is_empty() {
        out.push_str(&page::paragraph(
            "",
            "The sections these scenarios cite (in docs/sources.md):",
        ));
        out.push_str(&page::list("sources", &items));
    }
    out
}
