//! Observed against simulated: a scenario's calibration targets checked
//! against the replications' means, as a text table for the terminal, a
//! CSV file (`calibration.csv`) and a Markdown table for
//! `docs/calibration.md` (written between two marker lines, so the prose
//! around it is kept). Target names and sources are the scenario's text:
//! each table gets them on one line, and the Markdown escaped so that they
//! cannot end a cell or a row, or write HTML.

use crate::model::system::{CalibrationTarget, SystemLayout};
use crate::stats::Summary;

use super::breakdown::BreakdownSet;
use super::csv_safe::neutralise;
use super::tables::{columns, format_summary, round_for_reading};
use super::tidy::cell;

/// Marker lines around the generated table in a Markdown file.
pub const BEGIN_MARKER: &str = "<!-- iccsim calibrate: begin (generated; do not edit by hand) -->";
pub const END_MARKER: &str = "<!-- iccsim calibrate: end -->";

/// One target with its simulated value.
pub struct CalibrationRow<'a> {
    pub target: &'a CalibrationTarget,
    /// The names of the target's age bands, as the scenario spells them
    /// (empty: all ages).
    pub age_bands: Vec<&'a str>,
    pub simulated: Summary,
}

impl CalibrationRow<'_> {
    /// The replications' mean falls inside the accepted band.
    pub fn within(&self) -> bool {
        self.simulated.mean >= self.target.low && self.simulated.mean <= self.target.high
    }
}

/// Each target's simulated value across replications.
pub fn evaluate<'a>(
    layout: &'a SystemLayout,
    set: &BreakdownSet,
    horizon_days: f64,
) -> Vec<CalibrationRow<'a>> {
    let window_years = horizon_days / 365.25;
    layout
        .targets
        .iter()
        .map(|target| {
            let names: Vec<&str> = target
                .age_bands
                .iter()
                .map(|&b| layout.age_bands.name(b))
                .collect();
            let bands: Vec<&str> = if names.is_empty() {
                vec!["all"]
            } else {
                names.clone()
            };
            let mut per_replication = vec![0.0; set.replications.len()];
            let mut found = false;
            for band in bands {
                let year = target.year.map_or("all".to_string(), |y| y.to_string());
                if let Some(i) = set.keys.iter().position(|k| {
                    k.year == year
                        && k.icc == "all"
                        && k.age_band == band
                        && k.metric == target.metric
                }) {
                    found = true;
                    for (sum, v) in per_replication.iter_mut().zip(&set.values[i]) {
                        *sum += v;
                    }
                }
            }
            if !found {
                per_replication.iter_mut().for_each(|v| *v = f64::NAN);
            }
            // A single window year is a year already (365 or 366 days).
            if target.per_year && target.year.is_none() {
                per_replication.iter_mut().for_each(|v| *v /= window_years);
            }
            CalibrationRow {
                target,
                age_bands: names,
                simulated: Summary::of(&per_replication),
            }
        })
        .collect()
}

fn bands_label(row: &CalibrationRow<'_>) -> String {
    let ages = if row.age_bands.is_empty() {
        "all ages".into()
    } else {
        row.age_bands.join(", ")
    };
    match row.target.year {
        Some(y) => format!("{ages}; year {y}"),
        None => ages,
    }
}

/// `calibration.csv`: each target, observed against simulated, one row
/// each (for notebooks and plots).
pub fn calibration_csv(scenario: &str, rows: &[CalibrationRow<'_>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "target",
        "metric",
        "age_bands",
        "year",
        "per_year",
        "observed",
        "accepted_low",
        "accepted_high",
        "n",
        "simulated_mean",
        "simulated_ci95_low",
        "simulated_ci95_high",
        "within",
        "source",
    ]);
    let scenario = neutralise(scenario);
    for row in rows {
        let t = row.target;
        let s = &row.simulated;
        let _ = writer.write_record([
            &*scenario,
            &neutralise(&t.name),
            &neutralise(&t.metric),
            &neutralise(&row.age_bands.join(";")),
            &t.year.map_or(String::new(), |y| y.to_string()),
            &t.per_year.to_string(),
            &cell(t.observed),
            &cell(t.low),
            &cell(t.high),
            &s.n.to_string(),
            &cell(s.mean),
            &cell(s.ci_low),
            &cell(s.ci_high),
            &row.within().to_string(),
            &neutralise(&t.source),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// The table for the terminal.
pub fn text_table(rows: &[CalibrationRow<'_>]) -> String {
    let mut table: Vec<[String; 5]> = vec![[
        "target".into(),
        "observed".into(),
        "accepted".into(),
        "simulated mean (95% CI)".into(),
        "".into(),
    ]];
    for row in rows {
        let t = row.target;
        table.push([
            format!("{} ({})", one_line(&t.name), bands_label(row)),
            round_for_reading(t.observed),
            format!(
                "{} to {}",
                round_for_reading(t.low),
                round_for_reading(t.high)
            ),
            format_summary(&row.simulated),
            if row.within() {
                "ok".into()
            } else {
                "OUTSIDE".into()
            },
        ]);
    }
    let mut out = columns(&table, &[false, true, false, false, false]);
    let missed = rows.iter().filter(|r| !r.within()).count();
    out.push_str(&format!(
        "\n{} of {} targets inside their accepted band.\n",
        rows.len() - missed,
        rows.len()
    ));
    out
}

/// Text on one line: line breaks, tabs and other control characters as
/// spaces, so that a name cannot break a table's row.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Text for a cell of a Markdown table, as it reads. A line break would
/// end the row (the rest of a name became a paragraph of its own), a `|`
/// the cell, and a `\\` before our `\\|` would undo its escape; `<` and
/// `>` would let a name or source write HTML into the rendered
/// documentation. Line breaks and other control characters become spaces.
fn markdown_cell(text: &str) -> String {
    let mut cell = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => cell.push_str("\\\\"),
            '|' => cell.push_str("\\|"),
            '<' => cell.push_str("&lt;"),
            '>' => cell.push_str("&gt;"),
            c if c.is_control() => cell.push(' '),
            c => cell.push(c),
        }
    }
    cell
}

/// Text as a Markdown code span on one line: control characters become
/// spaces, and the fence is one backtick longer than any run of them in
/// the text (a path may hold a backtick), padded when the text starts or
/// ends with one.
fn code_span(text: &str) -> String {
    // The block's own markers are HTML comments: a path holding one must
    // not end the block early.
    let text = one_line(text)
        .replace("<!--", "< !--")
        .replace("-->", "-- >");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The Markdown block (markers included) for `docs/calibration.md`.
/// `run_line` is Markdown already; `command` is shown as code.
pub fn markdown_block(rows: &[CalibrationRow<'_>], command: &str, run_line: &str) -> String {
    let mut out = String::new();
    out.push_str(BEGIN_MARKER);
    out.push_str("\n\n");
    out.push_str(&format!(
        "Generated by {} ({run_line}).\n\n",
        code_span(command)
    ));
    out.push_str("| target | ages | observed | accepted band | simulated mean (95% CI) | inside | source |\n");
    out.push_str("|---|---|---:|---|---|---|---|\n");
    for row in rows {
        let t = row.target;
        out.push_str(&format!(
            "| {} | {} | {} | {} to {} | {} | {} | {} |\n",
            markdown_cell(&t.name),
            bands_label(row),
            round_for_reading(t.observed),
            round_for_reading(t.low),
            round_for_reading(t.high),
            format_summary(&row.simulated),
            if row.within() { "yes" } else { "**no**" },
            markdown_cell(&t.source)
        ));
    }
    let missed = rows.iter().filter(|r| !r.within()).count();
    out.push_str(&format!(
        "\n{} of {} targets inside their accepted band.\n\n",
        rows.len() - missed,
        rows.len()
    ));
    out.push_str(END_MARKER);
    out.push('\n');
    out
}

/// `existing` with its generated block replaced by `block` (or the block
/// appended, when the file has no markers yet).
pub fn replace_block(existing: &str, block: &str) -> String {
    match (existing.find(BEGIN_MARKER), existing.find(END_MARKER)) {
        (Some(begin), Some(end)) if end > begin => {
            let after = end + END_MARKER.len();
            let rest = existing[after..]
                .strip_prefix('\n')
                .unwrap_or(&existing[after..]);
            format!("{}{}{}", &existing[..begin], block, rest)
        }
        _ => {
            let mut text = existing.to_string();
            if !text.is_empty() && !text.ends_with("\n\n") {
                text.push('\n');
            }
            text.push_str(block);
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_end_early_or_hold_markup() {
        let target = CalibrationTarget {
            name: "<script>alert(1)</script> | x".into(),
            metric: "emergency_admissions".into(),
            age_bands: Vec::new(),
            per_year: false,
            year: None,
            observed: 1.0,
            low: 0.5,
            high: 1.5,
            source: "A&E <b>".into(),
        };
        let rows = [CalibrationRow {
            target: &target,
            age_bands: Vec::new(),
            simulated: Summary::of(&[1.0, 1.0]),
        }];
        let block = markdown_block(&rows, "iccsim calibrate", "1 replication");
        assert!(
            !block.contains("<script") && !block.contains("<b>"),
            "{block}"
        );
        assert!(
            block.contains("&lt;script&gt;alert(1)&lt;/script&gt; \\| x"),
            "{block}"
        );
        assert!(block.contains("A&E &lt;b&gt;"), "{block}");
    }

    #[test]
    fn every_row_stays_one_row_of_seven_cells() {
        // A line break in a name (from a TOML "\n" or a multi-line string)
        // had ended the row; a `\\` before a `|` had undone its escape.
        let target = |name: &str, source: &str| CalibrationTarget {
            name: name.into(),
            metric: "emergency_admissions".into(),
            age_bands: Vec::new(),
            per_year: false,
            year: None,
            observed: 1.0,
            low: 0.5,
            high: 1.5,
            source: source.into(),
        };
        let targets = [
            target(
                "Adult emergency\n| admissions | a year",
                "line one\r\nline two",
            ),
            target("ends in a backslash \\", "a \\| b \t c"),
            target("plain", "C §2.1"),
        ];
        let rows: Vec<CalibrationRow> = targets
            .iter()
            .map(|target| CalibrationRow {
                target,
                age_bands: Vec::new(),
                simulated: Summary::of(&[1.0, 1.0]),
            })
            .collect();
        let block = markdown_block(&rows, "iccsim calibrate my`plan\n.toml", "1 replication");
        let table: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(table.len(), 2 + targets.len(), "{block}");
        // Cells as GitHub splits them: at each `|` not escaped by a `\\`
        // that is itself not escaped.
        let cells = |row: &str| {
            let (mut count, mut escaped) = (0, false);
            for c in row.chars() {
                match c {
                    '\\' => escaped = !escaped,
                    '|' if !escaped => count += 1,
                    _ => escaped = false,
                }
                if c != '\\' {
                    escaped = false;
                }
            }
            count - 1
        };
        for row in &table {
            assert_eq!(cells(row), 7, "{row}");
        }
        assert!(
            table[2].starts_with("| Adult emergency \\| admissions \\| a year | all ages |"),
            "{block}"
        );
        assert!(table[2].ends_with("| line one  line two |"), "{block}");
        assert!(table[3].contains("| a \\\\\\| b   c |"), "{block}");
        // The terminal's table keeps each target on its line too.
        let text = text_table(&rows);
        assert!(
            text.lines()
                .any(|l| l.starts_with("Adult emergency | admissions | a year (all ages)")),
            "{text}"
        );
        // The command is one code span, whatever its path holds.
        assert!(
            block.contains("Generated by ``iccsim calibrate my`plan .toml`` (1 replication)."),
            "{block}"
        );
    }

    #[test]
    fn the_block_is_replaced_and_the_prose_kept() {
        let old =
            format!("# Title\n\nProse.\n\n{BEGIN_MARKER}\nold table\n{END_MARKER}\n\nAfter.\n");
        let new_block = format!("{BEGIN_MARKER}\nnew table\n{END_MARKER}\n");
        let text = replace_block(&old, &new_block);
        assert_eq!(
            text,
            format!("# Title\n\nProse.\n\n{BEGIN_MARKER}\nnew table\n{END_MARKER}\n\nAfter.\n")
        );
        // Without markers the block is appended.
        let text = replace_block("# Title\n", &new_block);
        assert!(text.starts_with("# Title\n\n"));
        assert!(text.ends_with(&new_block));
    }
}
