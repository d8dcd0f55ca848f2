//! `compare BASE ALT --by-lever`: ALT run again with each lever alone and
//! with all but each lever (and with none), with the same seed and
//! replications (common random numbers), and each lever's part of the
//! difference written to `contributions.csv`
//! ([`iccsim::experiment::contributions`]).

use std::path::Path;

use super::exit::{Exit, Failure};
use iccsim::experiment::contributions::{self, LeverRuns, Runs, Variant};
use iccsim::experiment::record::{Record, Schema};
use iccsim::report;
use iccsim::scenario::{self, Scenario, lever_switch};

/// Most levers split: the split runs ALT 2L + 1 more times.
pub(super) const MAX_LEVERS: usize = 12;

/// Runs a scenario with the comparison's seed, replications and design.
pub(super) type RunScenario<'a> = dyn Fn(&Scenario) -> Result<(Schema, Vec<Record>), Failure> + 'a;

/// The names of ALT's levers, refused when there are none or too many.
pub(super) fn levers(
    path: &Path,
    settings: &[String],
) -> Result<(scenario::Resolved, Vec<String>), Failure> {
    let resolved = super::shared::read_scenario(path)?;
    let origin = path.display().to_string();
    let text = scenario::overrides::apply_to_text(&resolved.text, &origin, settings)?;
    let names = lever_switch::lever_names(&scenario::parse(&text, &origin)?);
    if names.is_empty() {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--by-lever: {origin} has no levers ([levers.NAME]) to split the difference by; compare a scenario that has levers, or leave out --by-lever"
            ),
        });
    }
    if names.len() > MAX_LEVERS {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--by-lever: {origin} has {} levers, more than {MAX_LEVERS}: the split runs the scenario 2L + 2 times ({} runs); split a scenario with fewer levers (e.g. one that extends a part of the programme)",
                names.len(),
                2 * names.len() + 2
            ),
        });
    }
    Ok((resolved, names))
}

/// The split of ALT (already run: `all`) against BASE, by lever: the
/// bytes of contributions.csv and the terminal's table.
pub(super) fn by_lever(
    path: &Path,
    (resolved, names): &(scenario::Resolved, Vec<String>),
    settings: &[String],
    base: (&str, &Schema, &[Record]),
    all: (&str, &Schema, &[Record]),
    run: &RunScenario,
) -> Result<(Vec<u8>, String), Failure> {
    let origin = path.display().to_string();
    let stem = scenario::name_from_path(path).to_string();
    let (alt_name, all_schema, all_records) = all;
    let run_with_off =
        |off: Vec<String>, label: String| -> Result<(Schema, Vec<Record>), Failure> {
            let (mut variant, _) =
                lever_switch::load_with_levers_off(resolved, &origin, &stem, settings, &off)?;
            variant.network.name = format!("{alt_name}-{label}");
            run(&variant)
        };
    let none = run_with_off(names.clone(), "no-levers".into())?;
    let mut per_lever = Vec::new();
    for lever in names {
        let others: Vec<String> = names.iter().filter(|n| *n != lever).cloned().collect();
        // With one lever, alone is ALT itself and all but it is none.
        let (alone, without) = if names.len() == 1 {
            ((all_schema.clone(), all_records.to_vec()), none.clone())
        } else {
            (
                run_with_off(others, format!("only-{lever}"))?,
                run_with_off(vec![lever.clone()], format!("without-{lever}"))?,
            )
        };
        per_lever.push((lever.as_str(), alone, without));
    }
    fn variant((schema, records): &(Schema, Vec<Record>)) -> Variant<'_> {
        Variant { schema, records }
    }
    let runs = Runs {
        base: Variant {
            schema: base.1,
            records: base.2,
        },
        all: Variant {
            schema: all_schema,
            records: all_records,
        },
        none: variant(&none),
        levers: per_lever
            .iter()
            .map(|(lever, alone, without)| LeverRuns {
                lever,
                alone: variant(alone),
                without: variant(without),
            })
            .collect(),
    };
    let rows = contributions::contributions(&runs);
    Ok((
        report::contributions::contributions_csv(base.0, alt_name, &rows),
        report::contributions::contributions_table(&rows),
    ))
}
