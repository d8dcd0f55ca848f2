//! What the levers of a scenario do, gathered before it is written into
//! the network: ramps, capacity changes, operations on pathways and entry
//! routes, and the budget.

use std::collections::BTreeMap;

use super::opening_hours::ScheduleEdit;
use crate::engine::{CalendarDate, Distribution};
use crate::model::system::{
    BudgetLine, CrisisClass, DemandKind, LeverCost, Owner, Role, SystemLayout,
};
use crate::model::{Destination, RateChange};
use crate::scenario::system::spec::DischargeTo;

/// A step of a ramp: from `day`, `fraction` of the full effect.
#[derive(Clone)]
pub(super) struct Step {
    pub(super) day: f64,
    pub(super) fraction: f64,
}

/// The share of the full effect on `day`.
pub(super) fn fraction_on(steps: &[Step], day: f64) -> f64 {
    steps
        .iter()
        .filter(|s| s.day <= day)
        .map(|s| s.fraction)
        .fold(0.0, f64::max)
}

/// One capacity lever on one service: its steps and its full effect.
pub(super) struct CapacityLever {
    pub(super) steps: Vec<Step>,
    pub(super) change: f64,
    pub(super) multiplier: f64,
    /// What the lever funds, when it buys staff rather than places: WTE
    /// of a team, or staffed community beds. With `[workforce]` these
    /// become posts to recruit (`workforce.rs`), not places on the day.
    pub(super) funded: Option<f64>,
}

/// What a lever does to a pathway's stay and routes, at full effect.
#[derive(Clone)]
pub(super) enum Operation {
    /// × the stay.
    Stay(f64),
    /// × the arranging delay of routes to destinations of these kinds,
    /// as the routes are when the
    /// version is built (so routes another lever opened are included).
    Delay(Vec<DischargeTo>, f64),
    /// × the share going to `from`; the difference from or to `to`.
    Share {
        from: Vec<Destination>,
        factor: f64,
        to: Vec<(Destination, Option<Distribution>)>,
    },
    /// The share going home moves to `target` (the others scaled; to
    /// `fallback` when nothing else is drawable).
    HomeShare {
        home: Destination,
        target: f64,
        fallback: Destination,
    },
}

/// The kind of a route's destination, as levers name them, if it is a
/// discharge destination.
pub(super) fn destination_kind(
    layout: &SystemLayout,
    destination: Destination,
) -> Option<DischargeTo> {
    match destination {
        Destination::Sink(k) if k.index() == layout.home_sink => Some(DischargeTo::Home),
        Destination::Sink(_) => None,
        Destination::Service(s) => {
            let role = layout.services[s.index()].role;
            DischargeTo::ALL
                .into_iter()
                .find(|to| services_of(*to).contains(&role))
        }
    }
}

/// The kinds of service a discharge destination is (none: a sink). Any
/// other kind of service is not a discharge destination to levers.
fn services_of(to: DischargeTo) -> &'static [Role] {
    match to {
        DischargeTo::Home => &[],
        DischargeTo::Reablement => &[Role::Reablement],
        DischargeTo::CommunityBed => &[Role::CommunityBeds],
        DischargeTo::CareHome => &[Role::ResidentialCare, Role::NursingCare],
        DischargeTo::HomeCare => &[Role::HomeCare],
    }
}

/// Services that belong to a site (not to an ICC).
pub(super) fn is_site_service(role: Role) -> bool {
    role.owner() == Owner::Site
}

/// What a lever changes: a pathway (type, service) or a type's entry.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Target {
    Pathway(usize, usize),
    Entry(usize),
}

/// One lever's operation on one target, with its ramp.
pub(super) struct Scheduled {
    pub(super) lever: String,
    pub(super) steps: Vec<Step>,
    pub(super) operation: Operation,
}

/// Which cohorts a lever reaches, and from when in each ICC.
pub(super) struct Reach {
    pub(super) demand: Vec<DemandKind>,
    pub(super) bands: Vec<usize>,
    pub(super) tiers: Option<Vec<String>>,
    /// Crisis classes reached (None: all; cohorts without a class always).
    pub(super) classes: Option<Vec<CrisisClass>>,
    /// The rollout date per ICC (None: not reached).
    pub(super) from: Vec<Option<CalendarDate>>,
}

impl Reach {
    pub(super) fn covers(&self, layout: &SystemLayout, t: usize) -> Option<CalendarDate> {
        let cohort = &layout.cohorts[t];
        let tier_ok = self
            .tiers
            .as_ref()
            .is_none_or(|tiers| tiers.contains(&cohort.tier));
        let class_ok = match (&self.classes, cohort.class) {
            (Some(classes), Some(class)) => classes.contains(&class),
            _ => true,
        };
        (self.demand.contains(&cohort.kind)
            && self.bands.contains(&cohort.age_band)
            && tier_ok
            && class_ok)
            .then_some(self.from[cohort.icc])
            .flatten()
    }
}

/// Everything the levers of a scenario do, gathered before it is written
/// into the network (levers on the same thing compose).
#[derive(Default)]
pub(super) struct Plan {
    pub(super) rates: Vec<(usize, RateChange)>,
    pub(super) capacity: BTreeMap<usize, Vec<CapacityLever>>,
    pub(super) operations: BTreeMap<Target, Vec<Scheduled>>,
    pub(super) budget: Vec<BudgetLine>,
    /// When the last lever reaches full effect: the latest of every
    /// lever's start and ICC rollout dates plus its ramp.
    pub(super) full_effect_from: Option<CalendarDate>,
    /// Running costs the levers name, as they come in.
    pub(super) lever_costs: Vec<LeverCost>,
    /// Edits of services' opening hours and daily limits, by service: (day, edit).
    pub(super) schedules: BTreeMap<usize, Vec<(f64, ScheduleEdit)>>,
    /// General practice staff added by levers, per ICC.
    pub(super) primary_care_staff: BTreeMap<usize, Vec<StaffLever>>,
    /// Proactive reviews taking general practice time, per ICC.
    pub(super) reviews: BTreeMap<usize, Vec<ReviewLever>>,
    /// With `[workforce]`: each service's places as its staff come and
    /// go (window day, places from then on), before other levers' changes.
    pub(super) base_places: BTreeMap<usize, Vec<(f64, u32)>>,
    /// With `[workforce]`: general practice staff working, per ICC.
    pub(super) practice_staff: BTreeMap<usize, super::workforce::PracticeStaff>,
}

/// General practice WTE a lever adds to one ICC at full effect.
pub(super) struct StaffLever {
    pub(super) steps: Vec<Step>,
    pub(super) gp: f64,
    pub(super) other: f64,
}

/// Appointments a year a `proactive_care` lever's reviews take in one ICC
/// at full effect.
pub(super) struct ReviewLever {
    pub(super) steps: Vec<Step>,
    pub(super) appointments_per_year: f64,
}

impl Plan {
    /// Notes a lever starting on `dates` (its start and each ICC's
    /// rollout) and ramping over `ramp_months`. A ramp goes in monthly
    /// steps, the last of them at full effect, so a ramp of part of a
    /// month counts as the whole month (for a rate, which moves linearly,
    /// full effect may come up to a month earlier).
    pub(super) fn reaches_full_effect(
        &mut self,
        dates: impl Iterator<Item = CalendarDate>,
        ramp_months: f64,
    ) {
        let months = ramp_months.ceil() as i64;
        for date in dates {
            let full = date.add_months(months);
            if self.full_effect_from.is_none_or(|latest| full > latest) {
                self.full_effect_from = Some(full);
            }
        }
    }
}
