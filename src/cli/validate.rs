//! `iccsim validate`: check scenario files without running them, listing
//! every problem.

use super::args::ValidateArgs;
use super::exit::{Exit, Failure};
use super::shared::{NameParents, note_parents_outside, print_stdout, say_warnings};
use iccsim::scenario;

pub(super) fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let mut failures = Vec::new();
    for path in &args.scenarios {
        if let Ok(resolved) = super::shared::read_scenario(path) {
            note_parents_outside(path, &resolved, NameParents::All);
        }
        let loaded = super::shared::read_scenario(path).and_then(|resolved| {
            let origin = path.display().to_string();
            scenario::load_resolved(&resolved, &origin, scenario::name_from_path(path), &[]).map(
                |(scenario, _)| {
                    say_warnings(&origin, &scenario.warnings);
                    scenario.network
                },
            )
        });
        match loaded {
            Ok(network) => print_stdout(&format!(
                "ok: {} — {}{} service{}, {} patient type{}, {} days after {} days of warm-up\n",
                path.display(),
                network.layout.as_ref().map_or(String::new(), |l| format!(
                    "whole system of {} ICC{} and {} site{}: ",
                    l.iccs.len(),
                    if l.iccs.len() == 1 { "" } else { "s" },
                    l.sites.len(),
                    if l.sites.len() == 1 { "" } else { "s" }
                )),
                network.services.len(),
                if network.services.len() == 1 { "" } else { "s" },
                network.patient_types.len(),
                if network.patient_types.len() == 1 {
                    ""
                } else {
                    "s"
                },
                network.run.horizon_days,
                network.run.warmup_days
            ))?,
            Err(e) => failures.push(e.to_string()),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Failure {
            code: Exit::Scenario,
            message: failures.join("\n"),
        })
    }
}
