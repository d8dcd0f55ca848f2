//! Observed against simulated: a scenario's calibration targets checked
//! against the replications' means, as a text table for the terminal, a
//! CSV file (`calibration.csv`) and a Markdown table for `docs/calibration.md` (written between two marker
//! lines, so the prose around it is kept).

use crate::model::system::{AGE_BANDS, CalibrationTarget, SystemLayout};
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
            let bands: Vec<&str> = if target.age_bands.is_empty() {
                vec!["all"]
            } else {
                target.age_bands.iter().map(|&b| AGE_BANDS[b]).collect()
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
                simulated: Summary::of(&per_replication),
            }
        })
        .collect()
}

fn bands_label(target: &CalibrationTarget) -> String {
    let ages = if target.age_bands.is_empty() {
        "all ages".into()
    } else {
        target
            .age_bands
            .iter()
            .map(|&b| AGE_BANDS[b])
            .collect::<Vec<_>>()
            .join(", ")
    };
    match target.year {
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
            &neutralise(
                &t.age_bands
                    .iter()
                    .map(|&b| AGE_BANDS[b])
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
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
            format!("{} ({})", t.name, bands_label(t)),
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

/// The Markdown block (markers included) for `docs/calibration.md`.
pub fn markdown_block(rows: &[CalibrationRow<'_>], command: &str, run_line: &str) -> String {
    // A `|` would end the cell; `<` and `>` would let a name or source
    // write HTML into the rendered documentation.
    let escape = |s: &str| {
        s.replace('|', "\\|")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut out = String::new();
    out.push_str(BEGIN_MARKER);
    out.push_str("\n\n");
    out.push_str(&format!("Generated by `{command}` ({run_line}).\n\n"));
    out.push_str("| target | ages | observed | accepted band | simulated mean (95% CI) | inside | source |\n");
    out.push_str("|---|---|---:|---|---|---|---|\n");
    for row in rows {
        let t = row.target;
        out.push_str(&format!(
            "| {} | {} | {} | {} to {} | {} | {} | {} |\n",
            escape(&t.name),
            bands_label(t),
            round_for_reading(t.observed),
            round_for_reading(t.low),
            round_for_reading(t.high),
            format_summary(&row.simulated),
            if row.within() { "yes" } else { "**no**" },
            escape(&t.source)
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
