//! What `iccsim calibrate --fit` writes and prints: every evaluation of
//! the search (`fit.csv`), each target before and after the fit with
//! whether it was fitted or held out (`fit_targets.csv`), and the table
//! for the terminal (the free values before and after, the fitted targets,
//! the held-out ones labelled apart, the evaluations and why the search
//! stopped).

use crate::experiment::fit::Trial;
use crate::model::system::CalibrationTarget;
use crate::stats::Summary;

use super::calibration::{bands_label, one_line};
use super::csv_safe::neutralise;
use super::tables::{columns, format_summary, round_for_reading};
use super::tidy::cell;

/// A free value's start and fitted value.
pub struct FreeRow<'a> {
    pub key: &'a str,
    pub min: f64,
    pub max: f64,
    pub start: f64,
    pub fitted: f64,
}

/// A target at the start and at the best evaluation.
pub struct TargetRow<'a> {
    pub target: &'a CalibrationTarget,
    /// The names of the target's age bands, as the scenario spells them
    /// (empty: all ages).
    pub age_bands: Vec<&'a str>,
    pub before: Summary,
    pub after: Summary,
}

impl TargetRow<'_> {
    pub fn inside_before(&self) -> bool {
        inside(self.target, self.before.mean)
    }
    pub fn inside_after(&self) -> bool {
        inside(self.target, self.after.mean)
    }
}

/// A simulated mean inside the target's accepted band (as `calibrate`).
pub fn inside(target: &CalibrationTarget, mean: f64) -> bool {
    mean >= target.low && mean <= target.high
}

/// One evaluation's counts of targets inside their bands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inside {
    pub fitted: usize,
    pub held_out: usize,
}

/// `fit.csv`: one row per evaluation, in order: each free value (a column
/// named by its key), the objective (empty for values that made an
/// invalid scenario), and how many fitted and held-out targets were
/// inside their bands; `best` marks the evaluation the fit kept.
pub fn fit_csv(keys: &[&str], trials: &[Trial], inside: &[Option<Inside>], best: usize) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["evaluation".to_string()];
    header.extend(keys.iter().map(|k| neutralise(k).into_owned()));
    header.extend(
        ["objective", "fitted_inside", "held_out_inside", "best"]
            .iter()
            .map(|s| s.to_string()),
    );
    let _ = writer.write_record(&header);
    for (i, (trial, inside)) in trials.iter().zip(inside).enumerate() {
        let mut row = vec![(i + 1).to_string()];
        row.extend(trial.values.iter().map(|&v| cell(v)));
        row.push(trial.evaluated.map_or(String::new(), |e| cell(e.objective)));
        row.push(inside.map_or(String::new(), |c| c.fitted.to_string()));
        row.push(inside.map_or(String::new(), |c| c.held_out.to_string()));
        row.push((i == best).to_string());
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// `fit_targets.csv`: each target, observed against simulated before and
/// after the fit, fitted or held out.
pub fn fit_targets_csv(scenario: &str, rows: &[TargetRow<'_>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "target",
        "metric",
        "age_bands",
        "year",
        "per_year",
        "role",
        "observed",
        "accepted_low",
        "accepted_high",
        "simulated_before",
        "simulated_after",
        "simulated_after_ci95_low",
        "simulated_after_ci95_high",
        "inside_before",
        "inside_after",
        "source",
    ]);
    let scenario = neutralise(scenario);
    for row in rows {
        let t = row.target;
        let _ = writer.write_record([
            &*scenario,
            &neutralise(&t.name),
            &neutralise(&t.metric),
            &neutralise(&row.age_bands.join(";")),
            &t.year.map_or(String::new(), |y| y.to_string()),
            &t.per_year.to_string(),
            if t.fit { "fitted" } else { "held_out" },
            &cell(t.observed),
            &cell(t.low),
            &cell(t.high),
            &cell(row.before.mean),
            &cell(row.after.mean),
            &cell(row.after.ci_low),
            &cell(row.after.ci_high),
            &row.inside_before().to_string(),
            &row.inside_after().to_string(),
            &neutralise(&t.source),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

fn ok(inside: bool) -> String {
    if inside { "ok" } else { "OUTSIDE" }.to_string()
}

/// The table for the terminal.
pub fn text_table(
    free: &[FreeRow<'_>],
    targets: &[TargetRow<'_>],
    evaluations: usize,
    best: usize,
    stopped: &str,
) -> String {
    let mut out = String::from("Free values\n\n");
    let mut table: Vec<[String; 4]> = vec![[
        "key".into(),
        "bounds".into(),
        "start".into(),
        "fitted".into(),
    ]];
    for f in free {
        table.push([
            one_line(f.key),
            format!("{} to {}", f.min, f.max),
            format!("{}", f.start),
            format!("{}", f.fitted),
        ]);
    }
    out.push_str(&columns(&table, &[false, false, true, true]));
    for (title, fitted) in [
        ("Fitted targets", true),
        ("Held-out targets (not fitted: they check the fit)", false),
    ] {
        let rows: Vec<&TargetRow> = targets.iter().filter(|r| r.target.fit == fitted).collect();
        out.push_str(&format!("\n{title}\n\n"));
        if rows.is_empty() {
            out.push_str(if fitted {
                "(none)\n"
            } else {
                "(none: no target is held out, so nothing checks the fit on figures it was not fitted to; mark one with fit = false)\n"
            });
            continue;
        }
        let mut table: Vec<[String; 7]> = vec![[
            "target".into(),
            "observed".into(),
            "accepted".into(),
            "before".into(),
            "".into(),
            "after (95% CI)".into(),
            "".into(),
        ]];
        for row in &rows {
            let t = row.target;
            table.push([
                format!(
                    "{} ({})",
                    one_line(&t.name),
                    bands_label(&row.age_bands, t.year)
                ),
                round_for_reading(t.observed),
                format!(
                    "{} to {}",
                    round_for_reading(t.low),
                    round_for_reading(t.high)
                ),
                round_for_reading(row.before.mean),
                ok(row.inside_before()),
                format_summary(&row.after),
                ok(row.inside_after()),
            ]);
        }
        out.push_str(&columns(
            &table,
            &[false, true, false, true, false, false, false],
        ));
        let inside = rows.iter().filter(|r| r.inside_after()).count();
        out.push_str(&format!(
            "{inside} of {} inside their band after the fit ({} before).\n",
            rows.len(),
            rows.iter().filter(|r| r.inside_before()).count()
        ));
    }
    out.push_str(&format!(
        "\n{evaluations} evaluations; the fit kept evaluation {} ({stopped}).\n",
        best + 1
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::fit::Evaluated;

    fn target(name: &str, fit: bool) -> CalibrationTarget {
        CalibrationTarget {
            name: name.into(),
            metric: "emergency_admissions".into(),
            age_bands: vec![2],
            per_year: false,
            year: Some(1),
            observed: 100.0,
            low: 90.0,
            high: 110.0,
            source: "S".into(),
            fit,
        }
    }

    #[test]
    fn the_table_labels_held_out_targets_apart() {
        let (a, b) = (target("Admissions", true), target("Attendances", false));
        let rows = [
            TargetRow {
                target: &a,
                age_bands: vec!["65-74"],
                before: Summary::of(&[130.0, 130.0]),
                after: Summary::of(&[101.0, 99.0]),
            },
            TargetRow {
                target: &b,
                age_bands: vec!["65-74"],
                before: Summary::of(&[80.0, 80.0]),
                after: Summary::of(&[95.0, 95.0]),
            },
        ];
        let free = [FreeRow {
            key: "age_bands.\"65-74\".crisis_per_1000",
            min: 200.0,
            max: 800.0,
            start: 400.0,
            fitted: 500.25,
        }];
        let text = text_table(&free, &rows, 17, 12, "converged");
        let held = text.find("Held-out targets").unwrap();
        assert!(
            text[..held].contains("Admissions (65-74; year 1)"),
            "{text}"
        );
        assert!(
            text[held..].contains("Attendances (65-74; year 1)"),
            "{text}"
        );
        assert!(text.contains("500.25"), "{text}");
        assert!(
            text.contains("17 evaluations; the fit kept evaluation 13 (converged)"),
            "{text}"
        );
        let csv = String::from_utf8(fit_targets_csv("s", &rows)).unwrap();
        assert!(csv.contains(",fitted,100,90,110,130,100,"), "{csv}");
        assert!(csv.contains(",held_out,100,90,110,80,95,"), "{csv}");
        assert!(csv.contains(",false,true,S"), "{csv}");
    }

    #[test]
    fn fit_csv_has_a_row_per_evaluation() {
        let trials = [
            Trial {
                values: vec![400.0, 0.4],
                evaluated: Some(Evaluated {
                    objective: 9.0,
                    fitted_inside: false,
                }),
            },
            Trial {
                values: vec![500.0, 0.3],
                evaluated: None,
            },
        ];
        let inside = [
            Some(Inside {
                fitted: 1,
                held_out: 0,
            }),
            None,
        ];
        let csv = String::from_utf8(fit_csv(&["a.b", "c"], &trials, &inside, 0)).unwrap();
        assert_eq!(
            csv,
            "evaluation,a.b,c,objective,fitted_inside,held_out_inside,best\n1,400,0.4,9,1,0,true\n2,500,0.3,,,,false\n"
        );
    }
}
