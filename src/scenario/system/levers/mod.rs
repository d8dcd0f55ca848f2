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
//! The files: `effect` (the effects and the names a lever is written
//! with), `lever` (reading one lever: dates, ramp, reach; the rate lever),
//! `capacity`, `reinvestment` and `pathways` (one file per kind of
//! effect), `plan` (what the levers do, gathered), `write` (the plan
//! written into the network).

mod capacity;
mod effect;
mod lever;
mod pathways;
mod plan;
mod reinvestment;
mod write;

use super::raw::RawLever;
use super::spec::{DAYS_PER_YEAR, Parts};
use crate::engine::{CalendarDate, Distribution};
use crate::model::Network;
use crate::scenario::check::Checker;
use lever::Lever;
use plan::Plan;
use write::{write_capacity, write_operations};

pub use effect::{LEVER_DEMAND, LEVER_EFFECTS, LEVER_SERVICES};

/// What the levers need from the scenario beyond the compiled network.
pub(super) struct LeverContext {
    /// Arranging delay of a discharge to home, reablement, a community bed
    /// and a care home (for a route a lever opens).
    pub(super) arranging: [Option<Distribution>; 4],
    /// Staff WTE of rapid response, reablement and case management, per ICC.
    pub(super) team_wte: Vec<[f64; 3]>,
    /// Caseload per WTE of the same three teams.
    pub(super) caseload_per_wte: [f64; 3],
    /// £ a year of one unit of capacity bought with money.
    pub(super) cost_per_year: UnitCostsPerYear,
}

/// The yearly cost of one unit of each kind of capacity, £.
pub(super) struct UnitCostsPerYear {
    /// One WTE of community staff; None when the scenario gives no cost.
    pub(super) staff_wte: Option<f64>,
    pub(super) community_bed: f64,
    pub(super) residential_place: f64,
    pub(super) nursing_place: f64,
    /// A closed adult acute bed: a year of excess bed days.
    pub(super) acute_bed: f64,
}

impl LeverContext {
    /// What the levers need to know of the validated specification.
    pub(super) fn new(parts: &Parts) -> LeverContext {
        let costs = &parts.costs;
        LeverContext {
            arranging: parts.pathways.arranging.clone(),
            team_wte: parts
                .iccs
                .iter()
                .map(|i| {
                    [
                        i.rapid_response_wte,
                        i.reablement_wte,
                        i.case_management_wte,
                    ]
                })
                .collect(),
            caseload_per_wte: [
                parts.community.rapid.caseload_per_wte,
                parts.community.reablement.caseload_per_wte,
                parts.community.case_management.caseload_per_wte,
            ],
            cost_per_year: UnitCostsPerYear {
                staff_wte: costs.community_staff_wte_year,
                community_bed: costs.community_bed_day * DAYS_PER_YEAR,
                residential_place: costs.residential_week * DAYS_PER_YEAR / 7.0,
                nursing_place: costs.nursing_week * DAYS_PER_YEAR / 7.0,
                acute_bed: costs.excess_bed_day * DAYS_PER_YEAR,
            },
        }
    }
}

pub(super) fn quoted(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items
        .into_iter()
        .map(|x| format!("\"{}\"", x.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

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
    write_capacity(&plan, network);
    write_operations(check, &plan, &layout, network);
    if let Some(layout) = network.layout.as_mut() {
        layout.budget = plan.budget;
    }
}
