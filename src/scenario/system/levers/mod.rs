//! Levers of whole-system scenarios (`[levers.NAME]`): interventions that
//! change the compiled network from a date, reaching full effect over
//! `ramp_months` and rolling out ICC by ICC.
//!
//! This module owns what each lever effect means and how it is written
//! into the network: multipliers of arrival rates (`crisis_rate`), places
//! (`capacity`, and the places bought by `reinvestment`, with its budget
//! statement), later versions of pathways (`length_of_stay`,
//! `discharge_delay`, `care_home_discharge`, `day_unit_diversion`, the
//! `managed_at_home` share of `rapid_response`) and of entry routes
//! (`rapid_response` eligibility). It reads the network and its
//! [`SystemLayout`](crate::model::system::SystemLayout); it never adds services or patient types, so a lever
//! with no effect leaves the network, and the run, exactly as it was.
//!
//! Ramps go in monthly steps (rates move linearly): each step is a further
//! share of the full effect, and levers acting on the same thing compose in
//! file order.
//!
//! The files: `effect` (the effects, and the names a lever is written
//! with), `context` (what levers read of the validated specification), `lever` (reading one lever: dates, ramp, reach; the rate lever),
//! `capacity`, `reinvestment`, `pathways` and `primary_care` (general
//! practice staff and `proactive_care`) (one file per kind of effect), `running_cost` (what any lever names as its own cost a year), `plan` (what the levers do, gathered), `write` (the plan
//! written into the network), `diverted` (who the written versions keep
//! out of care homes, to carry a care home's risk of death home).

mod capacity;
mod classes;
mod context;
mod diverted;
mod effect;
mod lever;
mod opening_hours;
mod pathways;
mod plan;
mod primary_care;
mod reinvestment;
mod running_cost;
mod workforce;
mod write;

use super::raw::RawLever;
use crate::engine::CalendarDate;
use crate::model::Network;
use crate::scenario::check::Checker;
use lever::Lever;
use plan::Plan;
use write::{write_capacity, write_operations};

pub(crate) use opening_hours::RawLeverOpening;

pub(super) use context::LeverContext;
pub use effect::{Effect, LEVER_DEMAND, LEVER_SERVICES};

/// Applies each `[levers.NAME]` to the compiled network.
pub(super) fn apply_levers(
    check: &mut Checker,
    levers: &toml::Value,
    start_date: CalendarDate,
    context: &LeverContext,
    network: &mut Network,
) {
    let Some(table) = levers.as_table() else {
        check.issue(
            "levers",
            Some(levers.type_str().to_string()),
            "must be tables of levers, e.g. [levers.case_management] with effect, multiplier and start",
        );
        return;
    };
    let Some(layout) = network.layout.clone() else {
        return;
    };
    let mut plan = Plan::default();
    for (lever_name, value) in table {
        let path = format!("levers.{lever_name}");
        check.name(&path, lever_name, "lever");
        let Some(raw) = check.section::<RawLever>(&path, value.clone()) else {
            continue;
        };
        let mut lever = Lever {
            check: &mut *check,
            path,
            name: lever_name.clone(),
            raw: &raw,
            layout: &layout,
            network: &*network,
            start_date,
            context,
        };
        lever.plan(&mut plan);
    }
    if !check.issues.is_empty() {
        return;
    }
    // Staff levers fund for the groups `[workforce]` models are recruited
    // month by month: their places follow the staff, written with the rest.
    workforce::plan_workforce(check, &mut plan, context, network);
    if !check.issues.is_empty() {
        return;
    }
    write_capacity(&plan, network);
    write_operations(check, &plan, &layout, network);
    // Who the versions just written keep out of care homes, and so carry
    // a care home's risk of death home with them.
    diverted::mark_care_home_diversions(
        &layout,
        context.diverted_from_care_home_death_multiplier,
        network,
    );
    // Primary care's funded appointments are edits of the daily limits,
    // written with the opening-hours levers' edits.
    primary_care::write_primary_care(&mut plan, context, network);
    opening_hours::write_schedules(&plan, network);
    if let Some(layout) = network.layout.as_mut() {
        layout.budget = plan.budget;
        layout.full_effect_from = plan.full_effect_from;
        layout.lever_costs = plan.lever_costs;
    }
}
