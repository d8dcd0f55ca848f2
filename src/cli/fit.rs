//! `iccsim calibrate --fit`: calibration by optimisation. The scenario's
//! `[calibration.fit]` names the free values and their bounds; each
//! evaluation sets them as `--set` would (the document changed and loaded
//! again, so every check still runs), simulates the same replications with
//! the same seed (common random numbers: differences between evaluations
//! are the values', not chance), and scores the fitted targets
//! ([`iccsim::experiment::fit`]). The held-out targets (`fit = false`)
//! are reported, never fitted. Writes fit.csv, fit_targets.csv,
//! fitted.toml (the scenario's own text with the fitted values, comments
//! kept) and run.json; the input is never written over.

use super::args::CalibrateArgs;
use super::calibrate::whole_system_layout;
use super::exit::{Exit, Failure};
use super::memory::{results_fit_in_memory, threads_within_memory};
use super::shared::{load, open_output, print_stdout, scenario_inputs, scenario_text};
use iccsim::experiment::fit::{Evaluated, Range, objective_term, search};
use iccsim::experiment::{self, Plan};

use iccsim::report::breakdown::BreakdownSet;
use iccsim::report::calibration;
use iccsim::report::fit::{
    FreeRow, Inside, TargetRow, fit_csv, fit_targets_csv, inside, text_table,
};
use iccsim::report::output_folder::Replace;
use iccsim::scenario::fitted::{Edit, edited_text};
use iccsim::scenario::system::{calibration_fit, fewest_evaluations};
use iccsim::scenario::{self, ScenarioError};
use iccsim::stats::Summary;

const FILES: [&str; 5] = [
    "fit.csv",
    "fit_targets.csv",
    "fitted.toml",
    "run.json",
    "scenario.toml",
];

fn usage(message: String) -> Failure {
    Failure {
        code: Exit::Usage,
        message,
    }
}

pub(super) fn fit(args: CalibrateArgs) -> Result<(), Failure> {
    let Some(out) = args.out.as_deref() else {
        return Err(usage(
            "calibrate --fit writes fit.csv, fit_targets.csv and fitted.toml: give the folder with --out DIR".into(),
        ));
    };
    let (scenario, origin, text) = load(args.scenario.as_deref(), &args.set)?;
    let (resolved, _, stem) = scenario_text(args.scenario.as_deref())?;
    let network = &scenario.network;
    let layout = whole_system_layout(network, &origin)?;
    let document = scenario::parse(&text, &origin)?;
    let fit = match calibration_fit(&document) {
        Ok(Some(fit)) => fit,
        Ok(None) => {
            return Err(Failure {
                code: Exit::Scenario,
                message: format!(
                    "{origin} has no [calibration.fit]: name the values to fit and their bounds, e.g.\n[calibration.fit]\nfree = [{{ key = 'age_bands.\"85+\".crisis_per_1000', min = 500, max = 800 }}]\n(docs/calibration.md, \"Fitting\")"
                ),
            });
        }
        Err(issues) => {
            return Err(ScenarioError::Invalid {
                origin: origin.clone(),
                issues,
            }
            .into());
        }
    };
    let max_evaluations = args.max_evaluations.unwrap_or(fit.evaluations());
    let fewest = fewest_evaluations(fit.free.len());
    if max_evaluations < fewest {
        return Err(usage(format!(
            "--max-evaluations {max_evaluations}: a fit of {} free values needs at least {fewest} (its first simplex of {} points and one step)",
            fit.free.len(),
            fit.free.len() + 1
        )));
    }
    let held_out = layout.targets.iter().filter(|t| !t.fit).count();
    if held_out == 0 {
        say!(
            "warning: {origin}: no calibration target is held out (fit = false), so nothing will check the fit on figures it was not fitted to; mark at least one target with fit = false"
        );
    }
    let seed = args.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications));
    results_fit_in_memory(network, replications, false, "calibrate")?;
    // Checked (and locked) before the work; never one of the inputs.
    let mut folder = open_output(
        out,
        args.force,
        &FILES,
        scenario_inputs(args.scenario.as_deref()),
    )?;
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: threads_within_memory(network, args.threads, false, false)?,
        keep_episodes: false,
    };
    say!(
        "Fitting {} free value(s) of {} ({}) to {} target(s), {} held out: {} replications, seed {}, the same every evaluation; at most {} evaluations …",
        fit.free.len(),
        network.name,
        origin,
        layout.targets.len() - held_out,
        held_out,
        replications,
        seed,
        max_evaluations
    );

    let ranges: Vec<Range> = fit
        .free
        .iter()
        .map(|f| Range {
            min: f.min,
            max: f.max,
            whole: f.whole,
        })
        .collect();
    let start: Vec<f64> = fit.free.iter().map(|f| f.start).collect();
    // Each evaluation's targets (None where the values made an invalid
    // scenario), in the order of the search's trials.
    let mut simulated: Vec<Option<Vec<Summary>>> = Vec::new();
    let evaluate = |values: &[f64]| -> Result<Option<Evaluated>, Failure> {
        let evaluation = simulated.len() + 1;
        let shown = shown_values(values);
        let mut settings = args.set.clone();
        settings.extend(
            fit.free
                .iter()
                .zip(values)
                .map(|(f, &v)| format!("{}={}", f.key, number(v, f.whole))),
        );
        let scenario = match scenario::load_resolved(&resolved, &origin, &stem, &settings) {
            Ok((scenario, _)) => scenario,
            Err(e) => {
                say!(
                    "evaluation {evaluation} ({shown}): the scenario is invalid with these values, counted as the worst: {e}"
                );
                simulated.push(None);
                return Ok(None);
            }
        };
        let outputs = experiment::run(&scenario, &plan).map_err(|e| Failure {
            code: Exit::Simulation,
            message: format!("evaluation {evaluation} ({shown}): {e}"),
        })?;
        let network = &scenario.network;
        let layout = whole_system_layout(network, &origin)?;
        let set = BreakdownSet::new(network, layout, &outputs);
        let rows = calibration::evaluate(layout, &set, network.run.horizon_days);
        let mut objective = 0.0;
        let mut count = Inside::default();
        for row in &rows {
            let t = row.target;
            let mean = row.simulated.mean;
            if t.fit {
                if !mean.is_finite() {
                    return Err(Failure {
                        code: Exit::Scenario,
                        message: format!(
                            "the fitted target \"{}\" has no simulated value (the run does not reach its year, or its metric is empty by age band); hold it out with fit = false, or lengthen the run",
                            t.name
                        ),
                    });
                }
                objective += objective_term(mean, t.observed, t.low, t.high);
                count.fitted += usize::from(inside(t, mean));
            } else {
                count.held_out += usize::from(inside(t, mean));
            }
        }
        let fitted = layout.targets.iter().filter(|t| t.fit).count();
        say!(
            "evaluation {evaluation} ({shown}): objective {objective:.4}, {} of {fitted} fitted targets inside",
            count.fitted
        );
        simulated.push(Some(rows.iter().map(|r| r.simulated).collect()));
        Ok(Some(Evaluated {
            objective,
            fitted_inside: count.fitted == fitted,
        }))
    };
    let found = search(&ranges, &start, max_evaluations, evaluate)?;

    // The start is the first trial, the fit the best.
    let (Some(before), Some(after)) = (&simulated[0], &simulated[found.best]) else {
        return Err(Failure {
            code: Exit::Scenario,
            message: format!("{origin}: the scenario is invalid at its own values"),
        });
    };
    let best = &found.trials[found.best];
    let targets: Vec<TargetRow> = layout
        .targets
        .iter()
        .enumerate()
        .map(|(i, target)| TargetRow {
            target,
            age_bands: target
                .age_bands
                .iter()
                .map(|&b| layout.age_bands.name(b))
                .collect(),
            before: before[i],
            after: after[i],
        })
        .collect();
    let free: Vec<FreeRow> = fit
        .free
        .iter()
        .zip(&best.values)
        .map(|(f, &fitted)| FreeRow {
            key: &f.key,
            min: f.min,
            max: f.max,
            start: f.start,
            fitted,
        })
        .collect();
    print_stdout(&text_table(
        &free,
        &targets,
        found.trials.len(),
        found.best,
        found.stop.words(),
    ))?;

    let counts: Vec<Option<Inside>> = simulated
        .iter()
        .map(|s| {
            s.as_ref().map(|means| {
                let mut count = Inside::default();
                for (t, m) in layout.targets.iter().zip(means) {
                    let ok = usize::from(inside(t, m.mean));
                    if t.fit {
                        count.fitted += ok;
                    } else {
                        count.held_out += ok;
                    }
                }
                count
            })
        })
        .collect();
    let keys: Vec<&str> = fit.free.iter().map(|f| f.key.as_str()).collect();
    let fitted_text = fitted_toml(&args, &resolved, &document, &fit.free, &best.values)?;
    let provenance = super::provenance::provenance(
        "calibrate",
        Some(seed),
        vec![super::provenance::scenario(
            &network.name,
            &origin,
            "scenario.toml",
            &text,
        )],
        None,
        iccsim::report::provenance::Stopping::fixed(replications),
    );
    let summary = serde_json::json!({
        "fit": {
            "evaluations": found.trials.len(),
            "max_evaluations": max_evaluations,
            "kept_evaluation": found.best + 1,
            "stopped": found.stop.name(),
            "objective_start": found.trials[0].evaluated.map(|e| e.objective),
            "objective_fitted": best.evaluated.map(|e| e.objective),
            "free": fit.free.iter().zip(&best.values).map(|(f, v)| serde_json::json!({
                "key": f.key, "min": f.min, "max": f.max, "start": f.start, "fitted": v,
            })).collect::<Vec<_>>(),
            "held_out_targets": held_out,
        }
    });
    folder.commit(
        &[
            (
                "fit.csv",
                fit_csv(&keys, &found.trials, &counts, found.best),
            ),
            ("fit_targets.csv", fit_targets_csv(&network.name, &targets)),
            ("fitted.toml", fitted_text.into_bytes()),
            (
                "run.json",
                iccsim::report::provenance::run_json(
                    Some(&serde_json::to_vec(&summary).unwrap_or_default()),
                    &provenance,
                ),
            ),
            ("scenario.toml", text.clone().into_bytes()),
        ],
        "fit",
        Replace::Group,
    )?;
    say!(
        "Wrote fit.csv, fit_targets.csv and fitted.toml to {}",
        out.display()
    );

    let missed: Vec<&TargetRow> = targets
        .iter()
        .filter(|r| r.target.fit && !r.inside_after())
        .collect();
    let held_missed = targets
        .iter()
        .filter(|r| !r.target.fit && !r.inside_after())
        .count();
    if held_missed > 0 {
        say!(
            "warning: {held_missed} held-out target(s) outside their band after the fit: the fitted values reproduce the fitted targets but not what they were not fitted to; look again at the model or the free values"
        );
    }
    if !missed.is_empty() {
        return Err(Failure {
            code: Exit::Calibration,
            message: format!(
                "{} fitted target(s) still outside their band after {} evaluations: {}. Widen the bounds of the free values (a fitted value at a bound is held there), free other values that move these targets, or allow more evaluations (--max-evaluations)",
                missed.len(),
                found.trials.len(),
                missed
                    .iter()
                    .map(|r| format!("\"{}\" ({})", r.target.name, target_label(r)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(())
}

fn target_label(row: &TargetRow) -> String {
    let ages = if row.age_bands.is_empty() {
        "all ages".to_string()
    } else {
        row.age_bands.join(", ")
    };
    format!("{}, {ages}", row.target.metric)
}

/// A free value as TOML: a float always with its point or exponent (`583.0`,
/// not `583`, which TOML would read as a whole number), exactly as held
/// (Rust's shortest round-trip form), so that the scenario evaluated is
/// the one `fitted.toml` holds.
fn number(value: f64, whole: bool) -> String {
    if whole {
        format!("{}", value as i64)
    } else {
        format!("{value:?}")
    }
}

fn shown_values(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Today's date (UTC), for the comments of fitted.toml.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    let date = iccsim::engine::CalendarDate::from_day_number(days);
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

/// fitted.toml: the scenario's own text (the file, or the built-in
/// default) with the fitted values, each commented, the `--set` values
/// the fit ran with, and an `extends` made absolute (the file is written
/// in another folder).
fn fitted_toml(
    args: &CalibrateArgs,
    resolved: &scenario::Resolved,
    document: &toml::Table,
    free: &[scenario::system::FreeValue],
    fitted: &[f64],
) -> Result<String, Failure> {
    let own = match &args.scenario {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Failure {
            code: Exit::Scenario,
            message: format!("cannot read {}: {e}", path.display()),
        })?,
        None => scenario::DEFAULT_SCENARIO_TOML.to_string(),
    };
    let date = today();
    let mut edits = Vec::new();
    if let (Some(parent), Ok(own_document)) = (resolved.chain.get(1), scenario::parse(&own, ""))
        && own_document.contains_key("extends")
    {
        let absolute = std::fs::canonicalize(parent).unwrap_or_else(|_| parent.clone());
        edits.push(Edit {
            path: vec!["extends".into()],
            value: toml::Value::String(absolute.display().to_string()),
            comment:
                "made absolute by iccsim calibrate --fit: this file is written in another folder"
                    .into(),
        });
    }
    for setting in &args.set {
        let Some(path) = scenario::overrides::setting_path(setting) else {
            continue;
        };
        if let Some(value) = value_at(document, &path) {
            edits.push(Edit {
                path,
                value: value.clone(),
                comment: format!("set with --set when fitted by iccsim calibrate --fit on {date}"),
            });
        }
    }
    for (f, &v) in free.iter().zip(fitted) {
        edits.push(Edit {
            path: f.path.clone(),
            value: if f.whole {
                toml::Value::Integer(v as i64)
            } else {
                toml::Value::Float(v)
            },
            comment: format!(
                "fitted by iccsim calibrate --fit on {date} from {} (bounds {}-{})",
                f.start, f.min, f.max
            ),
        });
    }
    edited_text(&own, &edits).map_err(|e| Failure {
        code: Exit::Output,
        message: format!("cannot write fitted.toml: {e}"),
    })
}

fn value_at<'a>(document: &'a toml::Table, path: &[String]) -> Option<&'a toml::Value> {
    let (last, tables) = path.split_last()?;
    let mut here = document;
    for name in tables {
        here = here.get(name)?.as_table()?;
    }
    here.get(last)
}
