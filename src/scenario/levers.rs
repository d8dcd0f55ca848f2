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
//! [`SystemLayout`]; it never adds services or patient types, so a lever
//! with no effect leaves the network, and the run, exactly as it was.
//!
//! Ramps go in monthly steps (rates move linearly): each step is a further
//! share of the full effect, and levers acting on the same thing compose in
//! file order.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::did_you_mean;
use super::validate::Checker;
use crate::engine::{CalendarDate, Distribution};
use crate::model::system::{AGE_BANDS, BudgetLine, DemandKind, Role, SystemLayout};
use crate::model::{
    Capacity, CapacityChange, Destination, EntryChange, Network, PathwayChange, PatientTypeId,
    RateChange, ServiceId,
};

/// What the levers need from the scenario beyond the compiled network.
pub(super) struct LeverContext {
    /// Arranging delay of a discharge to home, reablement, a community bed
    /// and a care home (for a route a lever opens).
    pub arranging: [Option<Distribution>; 4],
    /// Staff WTE of rapid response, reablement and case management, per ICC.
    pub team_wte: Vec<[f64; 3]>,
    /// Caseload per WTE of the same three teams.
    pub caseload_per_wte: [f64; 3],
    /// £ a year of one unit of capacity bought with money.
    pub cost_per_year: UnitCostsPerYear,
}

/// The yearly cost of one unit of each kind of capacity, £.
pub(super) struct UnitCostsPerYear {
    /// One WTE of community staff; None when the scenario gives no cost.
    pub staff_wte: Option<f64>,
    pub community_bed: f64,
    pub residential_place: f64,
    pub nursing_place: f64,
    /// A closed adult acute bed: a year of excess bed days.
    pub acute_bed: f64,
}

/// `[levers.NAME]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLever {
    description: Option<String>,
    source: Option<String>,
    effect: String,
    #[schemars(with = "Option<super::schema::Number>")]
    multiplier: Option<f64>,
    #[schemars(with = "Option<super::schema::Number>")]
    change: Option<f64>,
    /// Staff added to each team (whole-time equivalents), instead of
    /// `change` in caseload places.
    #[schemars(with = "Option<super::schema::Number>")]
    wte: Option<f64>,
    service: Option<String>,
    sites: Option<Vec<String>>,
    #[schemars(with = "super::schema::Date")]
    start: toml::Value,
    ramp_months: Option<f64>,
    demand: Option<Vec<String>>,
    age_bands: Option<Vec<String>>,
    tiers: Option<Vec<String>>,
    #[schemars(with = "Option<BTreeMap<String, super::schema::Date>>")]
    iccs: Option<toml::Table>,
    destinations: Option<Vec<String>>,
    to: Option<String>,
    #[schemars(with = "Option<super::schema::Number>")]
    managed_at_home: Option<f64>,
    #[schemars(with = "Option<super::schema::Number>")]
    amount_per_year: Option<f64>,
    fund: Option<BTreeMap<String, f64>>,
    close_adult_beds: Option<BTreeMap<String, f64>>,
}

/// Lever effects this build knows.
pub const LEVER_EFFECTS: &[&str] = &[
    "crisis_rate",
    "capacity",
    "length_of_stay",
    "discharge_delay",
    "care_home_discharge",
    "rapid_response",
    "day_unit_diversion",
    "reinvestment",
];

/// Effects that act on cohorts of people (`demand`, `age_bands`, `tiers`).
const COHORT_EFFECTS: &[&str] = &[
    "crisis_rate",
    "length_of_stay",
    "discharge_delay",
    "care_home_discharge",
    "rapid_response",
    "day_unit_diversion",
];

/// Effects sized by a `multiplier`.
const MULTIPLIER_EFFECTS: &[&str] = &[
    "crisis_rate",
    "capacity",
    "length_of_stay",
    "discharge_delay",
    "care_home_discharge",
    "rapid_response",
    "day_unit_diversion",
];

/// Services a capacity lever can change, as written.
pub const LEVER_SERVICES: &[(&str, Role)] = &[
    ("adult_beds", Role::AcuteBeds),
    ("paediatric_beds", Role::PaediatricBeds),
    ("day_unit", Role::DayUnit),
    ("rapid_response", Role::RapidResponse),
    ("reablement", Role::Reablement),
    ("case_management", Role::CaseManagement),
    ("community_beds", Role::CommunityBeds),
    ("residential", Role::ResidentialCare),
    ("nursing", Role::NursingCare),
];

/// Services whose stays a `length_of_stay` lever can change.
const STAY_SERVICES: &[&str] = &[
    "adult_beds",
    "paediatric_beds",
    "day_unit",
    "rapid_response",
    "reablement",
    "case_management",
    "community_beds",
];

/// Services a reinvestment can fund, as written.
const FUNDABLE: &[&str] = &[
    "rapid_response",
    "reablement",
    "case_management",
    "community_beds",
    "residential",
    "nursing",
];

/// Discharge destinations, as written, in the order of `LeverContext::arranging`.
const DISCHARGE_DESTINATIONS: &[&str] = &["home", "reablement", "community_bed", "care_home"];

/// Kinds of demand a lever can target, as written.
pub const LEVER_DEMAND: &[(&str, DemandKind)] = &[
    ("crisis", DemandKind::Crisis),
    ("care_home_crisis", DemandKind::CareHomeCrisis),
    ("elective", DemandKind::Elective),
    (
        "case_management_referral",
        DemandKind::CaseManagementReferral,
    ),
    ("care_home_placement", DemandKind::CareHomePlacement),
];

/// A step of a ramp: from `day`, `fraction` of the full effect.
#[derive(Clone)]
struct Step {
    day: f64,
    fraction: f64,
}

/// The share of the full effect on `day`.
fn fraction_on(steps: &[Step], day: f64) -> f64 {
    steps
        .iter()
        .filter(|s| s.day <= day)
        .map(|s| s.fraction)
        .fold(0.0, f64::max)
}

/// One capacity lever on one service: its steps and its full effect.
struct CapacityLever {
    steps: Vec<Step>,
    change: f64,
    multiplier: f64,
}

/// What a lever does to a pathway's stay and routes, at full effect.
#[derive(Clone)]
enum Operation {
    /// × the stay.
    Stay(f64),
    /// × the arranging delay of routes to destinations of these kinds
    /// (indices of `DISCHARGE_DESTINATIONS`), as the routes are when the
    /// version is built (so routes another lever opened are included).
    Delay(Vec<usize>, f64),
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

/// The kind of a route's destination, as levers name them (an index of
/// `DISCHARGE_DESTINATIONS`), if it is one.
fn destination_kind(layout: &SystemLayout, destination: Destination) -> Option<usize> {
    match destination {
        Destination::Sink(k) if k.index() == layout.home_sink => Some(0),
        Destination::Sink(_) => None,
        Destination::Service(s) => match layout.services[s.index()].role {
            Role::Reablement => Some(1),
            Role::CommunityBeds => Some(2),
            Role::ResidentialCare | Role::NursingCare => Some(3),
            _ => None,
        },
    }
}

/// Services that belong to a site (not to an ICC).
fn is_site_service(role: Role) -> bool {
    matches!(
        role,
        Role::AcuteBeds | Role::PaediatricBeds | Role::DayUnit | Role::EmergencyDepartment
    )
}

/// What a lever changes: a pathway (type, service) or a type's entry.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Pathway(usize, usize),
    Entry(usize),
}

/// One lever's operation on one target, with its ramp.
struct Scheduled {
    lever: String,
    steps: Vec<Step>,
    operation: Operation,
}

/// Which cohorts a lever reaches, and from when in each ICC.
struct Reach {
    demand: Vec<DemandKind>,
    bands: Vec<usize>,
    tiers: Option<Vec<String>>,
    /// The rollout date per ICC (None: not reached).
    from: Vec<Option<CalendarDate>>,
}

impl Reach {
    fn covers(&self, layout: &SystemLayout, t: usize) -> Option<CalendarDate> {
        let cohort = &layout.cohorts[t];
        let tier_ok = self
            .tiers
            .as_ref()
            .is_none_or(|tiers| tiers.contains(&cohort.tier));
        (self.demand.contains(&cohort.kind) && self.bands.contains(&cohort.age_band) && tier_ok)
            .then_some(self.from[cohort.icc])
            .flatten()
    }
}

/// Everything the levers of a scenario do, gathered before it is written
/// into the network (levers on the same thing compose).
#[derive(Default)]
struct Plan {
    rates: Vec<(usize, RateChange)>,
    capacity: BTreeMap<usize, Vec<CapacityLever>>,
    operations: BTreeMap<Target, Vec<Scheduled>>,
    budget: Vec<BudgetLine>,
}

fn quoted(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
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

/// One lever being read.
struct Lever<'a> {
    check: &'a mut Checker,
    path: String,
    name: String,
    raw: &'a RawLever,
    layout: &'a SystemLayout,
    network: &'a Network,
    start_date: CalendarDate,
    context: &'a LeverContext,
}

impl Lever<'_> {
    fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    fn day_of(&self, date: CalendarDate) -> f64 {
        (date.day_number() - self.start_date.day_number()) as f64
    }

    /// Keys that only some effects read, refused elsewhere so a typo in
    /// the effect is not silently a lever doing something else.
    fn only_for(&mut self, effect: &str) {
        let raw = self.raw;
        let given: [(&str, bool, &[&str]); 12] = [
            ("multiplier", raw.multiplier.is_some(), MULTIPLIER_EFFECTS),
            (
                "sites",
                raw.sites.is_some(),
                &[
                    "capacity",
                    "length_of_stay",
                    "discharge_delay",
                    "care_home_discharge",
                    "day_unit_diversion",
                ],
            ),
            ("change", raw.change.is_some(), &["capacity"]),
            ("wte", raw.wte.is_some(), &["capacity"]),
            (
                "service",
                raw.service.is_some(),
                &[
                    "capacity",
                    "length_of_stay",
                    "discharge_delay",
                    "care_home_discharge",
                ],
            ),
            ("demand", raw.demand.is_some(), COHORT_EFFECTS),
            (
                "destinations",
                raw.destinations.is_some(),
                &["discharge_delay"],
            ),
            ("to", raw.to.is_some(), &["care_home_discharge"]),
            (
                "managed_at_home",
                raw.managed_at_home.is_some(),
                &["rapid_response"],
            ),
            (
                "amount_per_year",
                raw.amount_per_year.is_some(),
                &["reinvestment"],
            ),
            ("fund", raw.fund.is_some(), &["reinvestment"]),
            (
                "close_adult_beds",
                raw.close_adult_beds.is_some(),
                &["reinvestment"],
            ),
        ];
        for (key, present, effects) in given {
            if present && !effects.contains(&effect) {
                self.check.issue(
                    self.at(key),
                    None,
                    format!(
                        "is not read by a `{effect}` lever; it belongs to {}",
                        quoted(effects.iter())
                    ),
                );
            }
        }
        for (key, present) in [
            ("age_bands", raw.age_bands.is_some()),
            ("tiers", raw.tiers.is_some()),
        ] {
            if present && !COHORT_EFFECTS.contains(&effect) {
                self.check.issue(
                    self.at(key),
                    None,
                    format!("is not read by a `{effect}` lever, which acts on services, not on cohorts of people"),
                );
            }
        }
    }

    /// The lever's multiplier: required, in [min, max].
    fn multiplier(&mut self, max: f64, unit: &str) -> Option<f64> {
        match self.raw.multiplier {
            Some(m) => self
                .check
                .number_in(&self.at("multiplier"), m, 0.0, max, unit),
            None => {
                self.check.issue(
                    &self.path,
                    None,
                    format!("a `{}` lever needs `multiplier` ({unit})", self.raw.effect),
                );
                None
            }
        }
    }

    /// Monthly steps from `date` over the ramp (one step without one).
    fn steps(&self, date: CalendarDate, ramp: f64) -> Vec<Step> {
        let months = ramp.ceil() as i64;
        if months == 0 {
            return vec![Step {
                day: self.day_of(date),
                fraction: 1.0,
            }];
        }
        // The k-th month after the start is at k/ramp of the full effect,
        // so full effect comes `ramp_months` after the start, as for rates.
        (1..=months)
            .map(|k| Step {
                day: self.day_of(date.add_months(k)),
                fraction: (k as f64 / ramp).min(1.0),
            })
            .collect()
    }

    /// The day of full effect of a linear ramp from `date`.
    fn full_day(&self, date: CalendarDate, ramp: f64) -> f64 {
        let whole = ramp.floor() as i64;
        self.day_of(date.add_months(whole))
            + (ramp - ramp.floor())
                * (self.day_of(date.add_months(whole + 1)) - self.day_of(date.add_months(whole)))
    }

    fn sites(&mut self) -> Option<Vec<usize>> {
        let names = self.raw.sites.as_ref()?;
        let mut found = Vec::new();
        for (i, n) in names.iter().enumerate() {
            match self.layout.sites.iter().position(|x| x == n) {
                Some(s) => found.push(s),
                None => self.check.issue(
                    self.at(&format!("sites[{i}]")),
                    Some(format!("\"{n}\"")),
                    format!(
                        "is not a site of this scenario{}; its sites are {}",
                        did_you_mean(n, self.layout.sites.iter().map(String::as_str)),
                        quoted(&self.layout.sites)
                    ),
                ),
            }
        }
        Some(found)
    }

    /// The kind of service named by `service`, among `allowed`.
    fn service(&mut self, default: Option<&str>, allowed: &[&str]) -> Option<Role> {
        let name = match (self.raw.service.as_deref(), default) {
            (Some(name), _) => name,
            (None, Some(default)) => default,
            (None, None) => {
                self.check.issue(
                    self.at("service"),
                    None,
                    format!(
                        "is missing; a `{}` lever changes one kind of service: {}",
                        self.raw.effect,
                        quoted(allowed.iter())
                    ),
                );
                return None;
            }
        };
        match LEVER_SERVICES.iter().find(|(n, _)| *n == name) {
            Some((n, role)) if allowed.contains(n) => Some(*role),
            _ => {
                self.check.issue(
                    self.at("service"),
                    Some(format!("\"{name}\"")),
                    format!(
                        "is not a kind of service{}; a `{}` lever changes {}",
                        did_you_mean(name, allowed.iter().copied()),
                        self.raw.effect,
                        quoted(allowed.iter())
                    ),
                );
                None
            }
        }
    }

    /// Rollout: each ICC from its own date, or every ICC from `start`.
    fn rollout(&mut self, start: Option<CalendarDate>) -> Vec<Option<CalendarDate>> {
        let n = self.layout.iccs.len();
        let Some(iccs) = &self.raw.iccs else {
            return vec![start; n];
        };
        let mut from = vec![None; n];
        for (icc, date) in iccs {
            let at = self.at(&format!("iccs.{icc}"));
            match self.layout.iccs.iter().position(|i| i == icc) {
                Some(k) => from[k] = self.check.date(&at, date),
                None => self.check.issue(
                    &at,
                    None,
                    format!(
                        "is not an ICC of this scenario{}; its ICCs are {}",
                        did_you_mean(icc, self.layout.iccs.iter().map(String::as_str)),
                        quoted(&self.layout.iccs)
                    ),
                ),
            }
        }
        from
    }

    fn reach(&mut self, default_demand: &[&str], from: Vec<Option<CalendarDate>>) -> Reach {
        let raw = self.raw;
        let demand_names: Vec<String> = raw
            .demand
            .clone()
            .unwrap_or_else(|| default_demand.iter().map(|d| d.to_string()).collect());
        let mut demand = Vec::new();
        for (i, d) in demand_names.iter().enumerate() {
            match LEVER_DEMAND.iter().find(|(n, _)| n == d) {
                Some((_, kind)) => demand.push(*kind),
                None => self.check.issue(
                    self.at(&format!("demand[{i}]")),
                    Some(format!("\"{d}\"")),
                    format!(
                        "is not a kind of demand{}; use {}",
                        did_you_mean(d, LEVER_DEMAND.iter().map(|(n, _)| *n)),
                        quoted(LEVER_DEMAND.iter().map(|(n, _)| *n))
                    ),
                ),
            }
        }
        let bands: Vec<usize> = match &raw.age_bands {
            None => (0..AGE_BANDS.len()).collect(),
            Some(names) => {
                let mut found = Vec::new();
                for (i, b) in names.iter().enumerate() {
                    match AGE_BANDS.iter().position(|x| x == b) {
                        Some(k) => found.push(k),
                        None => self.check.issue(
                            self.at(&format!("age_bands[{i}]")),
                            Some(format!("\"{b}\"")),
                            format!("is not an age band; use {}", quoted(AGE_BANDS.iter())),
                        ),
                    }
                }
                found
            }
        };
        let mut known_tiers: Vec<&str> = self
            .layout
            .cohorts
            .iter()
            .map(|c| c.tier.as_str())
            .collect();
        known_tiers.sort_unstable();
        known_tiers.dedup();
        if let Some(tiers) = &raw.tiers {
            for (i, tier) in tiers.iter().enumerate() {
                if !known_tiers.contains(&tier.as_str()) {
                    self.check.issue(
                        self.at(&format!("tiers[{i}]")),
                        Some(format!("\"{tier}\"")),
                        format!(
                            "is not a risk tier of this scenario{}; its tiers are {} (`rest` is everyone outside a tier)",
                            did_you_mean(tier, known_tiers.iter().copied()),
                            quoted(known_tiers.iter())
                        ),
                    );
                }
            }
        }
        Reach {
            demand,
            bands,
            tiers: raw.tiers.clone(),
            from,
        }
    }

    fn plan(&mut self, plan: &mut Plan) {
        let raw = self.raw;
        // `description` and `source` are for the file's readers.
        let _ = (&raw.description, &raw.source);
        let effect = raw.effect.clone();
        if !LEVER_EFFECTS.contains(&effect.as_str()) {
            self.check.issue(
                self.at("effect"),
                Some(format!("\"{effect}\"")),
                format!(
                    "is not a lever effect{}; this iccsim knows {}",
                    did_you_mean(&effect, LEVER_EFFECTS.iter().copied()),
                    quoted(LEVER_EFFECTS.iter())
                ),
            );
            return;
        }
        self.only_for(&effect);
        let ramp = self.check.number_in(
            &self.at("ramp_months"),
            raw.ramp_months.unwrap_or(0.0),
            0.0,
            120.0,
            "months to full effect",
        );
        let start = self.check.date(&self.at("start"), &raw.start);
        let from = self.rollout(start);
        match effect.as_str() {
            "crisis_rate" => self.crisis_rate(plan, ramp, from),
            "capacity" => self.capacity(plan, ramp, start, from),
            "reinvestment" => self.reinvestment(plan, ramp, start, from),
            _ => self.pathway_lever(plan, ramp, from),
        }
    }

    fn crisis_rate(&mut self, plan: &mut Plan, ramp: Option<f64>, from: Vec<Option<CalendarDate>>) {
        let multiplier = self.multiplier(10.0, "× the rate at full effect");
        let reach = self.reach(&["crisis"], from);
        let (Some(multiplier), Some(ramp)) = (multiplier, ramp) else {
            return;
        };
        let mut targeted = 0;
        for t in 0..self.layout.cohorts.len() {
            let Some(date) = reach.covers(self.layout, t) else {
                continue;
            };
            targeted += 1;
            if multiplier == 1.0 {
                // No effect: nothing to write.
                continue;
            }
            // Rate changes compose by multiplying, in any order.
            plan.rates.push((
                t,
                RateChange {
                    from_day: self.day_of(date),
                    full_day: self.full_day(date, ramp),
                    factor: multiplier,
                },
            ));
        }
        if targeted == 0 {
            self.check.issue(
                &self.path,
                None,
                "targets no cohort of this scenario: check demand, age_bands, tiers and iccs",
            );
        }
    }

    /// The date a service is reached: its ICC's rollout date, or `start`
    /// for a site's service (when the site is listed, or no list is given).
    fn service_date(
        &self,
        s: usize,
        start: Option<CalendarDate>,
        from: &[Option<CalendarDate>],
        sites: Option<&Vec<usize>>,
    ) -> Option<CalendarDate> {
        let info = &self.layout.services[s];
        match (info.icc, info.site) {
            (Some(icc), _) => from[icc],
            (None, Some(site)) if sites.is_some_and(|l| !l.contains(&site)) => None,
            _ => start,
        }
    }

    fn capacity(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        start: Option<CalendarDate>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let raw = self.raw;
        let multiplier = match (raw.multiplier, raw.change, raw.wte) {
            (Some(_), None, None) => self.multiplier(10.0, "× the places at full effect"),
            (None, Some(_), None) | (None, None, Some(_)) => Some(1.0),
            _ => {
                self.check.issue(
                    &self.path,
                    None,
                    "a capacity lever needs exactly one of `change` (places added, or removed if negative, per service), `multiplier` (× places) or `wte` (staff added to each team)",
                );
                None
            }
        };
        let change = raw.change.map_or(Some(0.0), |c| {
            self.check
                .number_in(&self.at("change"), c, -1e6, 1e6, "places per service")
        });
        let wte = raw.wte.map_or(Some(None), |w| {
            self.check
                .number_in(
                    &self.at("wte"),
                    w,
                    -1e5,
                    1e5,
                    "whole-time equivalent staff per team",
                )
                .map(Some)
        });
        let all: Vec<&str> = LEVER_SERVICES.iter().map(|(n, _)| *n).collect();
        let role = self.service(None, &all);
        let team = |role: Role| match role {
            Role::RapidResponse => Some(0),
            Role::Reablement => Some(1),
            Role::CaseManagement => Some(2),
            _ => None,
        };
        if let (Some(Some(_)), Some(role)) = (wte, role)
            && team(role).is_none()
        {
            self.check.issue(
                self.at("wte"),
                None,
                "is for staff teams (rapid_response, reablement, case_management); give beds and places with `change`",
            );
            return;
        }
        let sites = self.sites();
        if sites.is_some() && role.is_some_and(|r| !is_site_service(r)) {
            self.check.issue(
                self.at("sites"),
                None,
                "is for the services of a site (adult_beds, paediatric_beds, day_unit); this service belongs to each ICC: choose ICCs with `iccs`",
            );
            return;
        }
        let (Some(multiplier), Some(change), Some(wte), Some(ramp), Some(role)) =
            (multiplier, change, wte, ramp, role)
        else {
            return;
        };
        let mut targeted = 0;
        for (s, info) in self.layout.services.iter().enumerate() {
            if info.role != role {
                continue;
            }
            let Some(date) = self.service_date(s, start, &from, sites.as_ref()) else {
                continue;
            };
            // Staff become caseload places as the scenario builds them:
            // floor(WTE × caseload per WTE).
            let change = match (wte, team(role), info.icc) {
                (Some(added), Some(k), Some(icc)) => {
                    let base = self.context.team_wte[icc][k];
                    let per = self.context.caseload_per_wte[k];
                    ((base + added).max(0.0) * per).floor() - (base * per).floor()
                }
                _ => change,
            };
            plan.capacity.entry(s).or_default().push(CapacityLever {
                steps: self.steps(date, ramp),
                change,
                multiplier,
            });
            targeted += 1;
        }
        if targeted == 0 {
            self.check.issue(
                &self.path,
                None,
                "changes no service of this scenario: check service, sites and iccs",
            );
        }
    }

    /// Money moved from acute care, turned into places at unit costs, with
    /// the beds it closes; the budget statement balances to the penny.
    fn reinvestment(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        start: Option<CalendarDate>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let raw = self.raw;
        let amount = match raw.amount_per_year {
            Some(a) => self
                .check
                .number_in(&self.at("amount_per_year"), a, 0.0, 1e10, "£ a year"),
            None => {
                self.check.issue(
                    self.at("amount_per_year"),
                    None,
                    "is missing; a reinvestment lever moves an amount of money a year (£, at the scenario's price year) from acute care, e.g. amount_per_year = 2_000_000",
                );
                None
            }
        };
        let mut shares: Vec<(usize, f64)> = Vec::new();
        match &raw.fund {
            None => self.check.issue(
                self.at("fund"),
                None,
                format!(
                    "is missing; say what the money buys as shares adding up to 1, e.g. fund = {{ case_management = 0.5, rapid_response = 0.5 }}; the kinds are {}",
                    quoted(FUNDABLE.iter())
                ),
            ),
            Some(fund) => {
                for (kind, share) in fund {
                    let at = self.at(&format!("fund.{kind}"));
                    let Some(k) = FUNDABLE.iter().position(|f| f == kind) else {
                        self.check.issue(
                            at,
                            None,
                            format!(
                                "is not something money can buy here{}; use {}",
                                did_you_mean(kind, FUNDABLE.iter().copied()),
                                quoted(FUNDABLE.iter())
                            ),
                        );
                        continue;
                    };
                    if let Some(share) = self.check.number_in(&at, *share, 0.0, 1.0, "share of the amount") {
                        shares.push((k, share));
                    }
                }
                let total: f64 = shares.iter().map(|(_, s)| s).sum();
                if shares.len() == fund.len() && (total - 1.0).abs() > 1e-6 {
                    self.check.issue(
                        self.at("fund"),
                        Some(format!("{total}")),
                        format!("the shares must add up to 1 (they add up to {total}); adjust them"),
                    );
                }
            }
        }
        if shares.iter().any(|(k, s)| *k < 3 && *s > 0.0)
            && self.context.cost_per_year.staff_wte.is_none()
        {
            self.check.issue(
                "costs.community_staff_wte_year",
                None,
                "is missing; a reinvestment that funds community teams needs the cost of one whole-time equivalent of community staff a year (£, salary with on-costs and overheads), e.g. community_staff_wte_year = 58_000",
            );
        }
        // Money buys at a price: a free unit would buy without limit.
        let costs = &self.context.cost_per_year;
        for &(k, share) in &shares {
            let (key, price) = match k {
                0..=2 => ("community_staff_wte_year", costs.staff_wte),
                3 => ("community_bed_day", Some(costs.community_bed)),
                4 => ("residential_week", Some(costs.residential_place)),
                _ => ("nursing_week", Some(costs.nursing_place)),
            };
            if share > 0.0 && price.is_some_and(|p| p <= 0.0) {
                self.check.issue(
                    format!("costs.{key}"),
                    Some("0".into()),
                    format!(
                        "must be above 0 for levers.{}.fund.{} to buy anything at a price; give the unit cost",
                        self.name, FUNDABLE[k]
                    ),
                );
            }
        }
        let mut closures: Vec<(usize, u32)> = Vec::new();
        if let Some(close) = &raw.close_adult_beds {
            for (site, beds) in close {
                let at = self.at(&format!("close_adult_beds.{site}"));
                let Some(k) = self.layout.sites.iter().position(|s| s == site) else {
                    self.check.issue(
                        at,
                        None,
                        format!(
                            "is not a site of this scenario{}; its sites are {}",
                            did_you_mean(site, self.layout.sites.iter().map(String::as_str)),
                            quoted(&self.layout.sites)
                        ),
                    );
                    continue;
                };
                if let Some(n) = self
                    .check
                    .whole_in(&at, *beds, 0.0, 1e6, "adult beds closed")
                {
                    closures.push((k, n as u32));
                }
            }
        }
        let (Some(amount), Some(ramp)) = (amount, ramp) else {
            return;
        };
        if !self.check.issues.is_empty() {
            return;
        }
        let reached: Vec<usize> = (0..self.layout.iccs.len())
            .filter(|&i| from[i].is_some())
            .collect();
        if reached.is_empty() {
            self.check
                .issue(&self.path, None, "reaches no ICC: check iccs");
            return;
        }
        let costs = &self.context.cost_per_year;
        let pence = |pounds: f64| (pounds * 100.0).round() as i64;
        let amount_pence = pence(amount);
        let lever = self.name.clone();
        plan.budget.push(BudgetLine {
            lever: lever.clone(),
            icc: None,
            item: "moved_from_acute".into(),
            units: 0.0,
            unit: "£".into(),
            pence_per_unit: 0,
            pence: amount_pence,
        });
        // The amount by kind, then by ICC in proportion to residents, in
        // whole pence (largest remainders), so the parts add up exactly.
        let kind_pence = apportion_pence(
            amount_pence,
            &shares.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        );
        let residents: Vec<f64> = reached
            .iter()
            .map(|&i| self.layout.population[i].iter().sum())
            .collect();
        for (&(kind, _), &pence_for_kind) in shares.iter().zip(&kind_pence) {
            let by_icc = apportion_pence(pence_for_kind, &residents);
            for (&i, &money) in reached.iter().zip(&by_icc) {
                let date = from[i].expect("reached ICCs have a date");
                let (role, unit_pounds, unit) = match kind {
                    0 => (Role::RapidResponse, costs.staff_wte.unwrap_or(0.0), "WTE"),
                    1 => (Role::Reablement, costs.staff_wte.unwrap_or(0.0), "WTE"),
                    2 => (Role::CaseManagement, costs.staff_wte.unwrap_or(0.0), "WTE"),
                    3 => (Role::CommunityBeds, costs.community_bed, "beds"),
                    4 => (Role::ResidentialCare, costs.residential_place, "places"),
                    _ => (Role::NursingCare, costs.nursing_place, "places"),
                };
                let unit_pence = pence(unit_pounds).max(1);
                // Staff are bought in fractions of a WTE; beds and places
                // whole, the rest left unallocated.
                let (units, spent, places) = if kind < 3 {
                    let wte = money as f64 / unit_pence as f64;
                    let base = self.context.team_wte[i][kind];
                    let per = self.context.caseload_per_wte[kind];
                    let places = ((base + wte) * per).floor() - (base * per).floor();
                    (wte, money, places)
                } else {
                    let whole = money / unit_pence;
                    (whole as f64, whole * unit_pence, whole as f64)
                };
                plan.budget.push(BudgetLine {
                    lever: lever.clone(),
                    icc: Some(i),
                    item: FUNDABLE[kind].into(),
                    units,
                    unit: unit.into(),
                    pence_per_unit: unit_pence,
                    pence: spent,
                });
                if money > spent {
                    plan.budget.push(BudgetLine {
                        lever: lever.clone(),
                        icc: Some(i),
                        item: format!("{}_unallocated", FUNDABLE[kind]),
                        units: 0.0,
                        unit: "£".into(),
                        pence_per_unit: 0,
                        pence: money - spent,
                    });
                }
                if let Some(s) = self
                    .layout
                    .services
                    .iter()
                    .position(|x| x.role == role && x.icc == Some(i))
                    && places > 0.0
                {
                    plan.capacity.entry(s).or_default().push(CapacityLever {
                        steps: self.steps(date, ramp),
                        change: places,
                        multiplier: 1.0,
                    });
                }
            }
        }
        for (site, beds) in closures {
            let Some(date) = start else { continue };
            plan.budget.push(BudgetLine {
                lever: lever.clone(),
                icc: None,
                item: format!("adult_beds_closed_{}", self.layout.sites[site]),
                units: f64::from(beds),
                unit: "beds".into(),
                pence_per_unit: pence(costs.acute_bed),
                pence: i64::from(beds) * pence(costs.acute_bed),
            });
            if beds == 0 {
                continue;
            }
            if let Some(s) = self
                .layout
                .services
                .iter()
                .position(|x| x.role == Role::AcuteBeds && x.site == Some(site))
            {
                plan.capacity.entry(s).or_default().push(CapacityLever {
                    steps: self.steps(date, ramp),
                    change: -f64::from(beds),
                    multiplier: 1.0,
                });
            }
        }
    }

    /// Levers that change pathways or entry routes of targeted cohorts.
    fn pathway_lever(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let raw = self.raw;
        let effect = raw.effect.as_str();
        let all_demand: Vec<&str> = LEVER_DEMAND.iter().map(|(n, _)| *n).collect();
        let reach = self.reach(&all_demand, from);
        let sites = self.sites();
        // Which services, and what happens there, by effect.
        let (role, multiplier) = match effect {
            "length_of_stay" => (
                self.service(Some("adult_beds"), STAY_SERVICES),
                self.multiplier(10.0, "× the stay at full effect"),
            ),
            "discharge_delay" => (
                self.service(
                    Some("adult_beds"),
                    &["adult_beds", "paediatric_beds", "community_beds"],
                ),
                self.multiplier(10.0, "× the time to arrange a discharge at full effect"),
            ),
            "care_home_discharge" => (
                self.service(Some("adult_beds"), &["adult_beds", "community_beds"]),
                self.multiplier(
                    10.0,
                    "× the share of discharges to a care home at full effect",
                ),
            ),
            "day_unit_diversion" => (
                Some(Role::EmergencyDepartment),
                self.multiplier(
                    10.0,
                    "× the share of ED attendances sent to the day unit at full effect",
                ),
            ),
            _ => {
                // rapid_response: eligibility (entry) and/or managed at home.
                let m = match raw.multiplier {
                    Some(m) => self.check.number_in(
                        &self.at("multiplier"),
                        m,
                        0.0,
                        10.0,
                        "× the share of crises offered rapid response at full effect",
                    ),
                    None if raw.managed_at_home.is_some() => Some(1.0),
                    None => {
                        self.check.issue(&self.path, None, "a `rapid_response` lever needs `multiplier` (× the share of crises offered rapid response) or `managed_at_home` (the share of its episodes ending at home, at full effect), or both");
                        None
                    }
                };
                (Some(Role::RapidResponse), m)
            }
        };
        let managed = raw.managed_at_home.map(|p| {
            self.check.number_in(
                &self.at("managed_at_home"),
                p,
                0.0,
                1.0,
                "share of episodes ending at home",
            )
        });
        let destinations: Vec<usize> = match &raw.destinations {
            None => (0..DISCHARGE_DESTINATIONS.len()).collect(),
            Some(list) => list
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    let k = DISCHARGE_DESTINATIONS.iter().position(|x| x == d);
                    if k.is_none() {
                        self.check.issue(
                            self.at(&format!("destinations[{i}]")),
                            Some(format!("\"{d}\"")),
                            format!(
                                "is not a discharge destination{}; use {}",
                                did_you_mean(d, DISCHARGE_DESTINATIONS.iter().copied()),
                                quoted(DISCHARGE_DESTINATIONS.iter())
                            ),
                        );
                    }
                    k
                })
                .collect(),
        };
        let to = match raw.to.as_deref() {
            None => Some(0),
            Some(name) => {
                let k = DISCHARGE_DESTINATIONS[..3].iter().position(|x| *x == name);
                if k.is_none() {
                    self.check.issue(
                        self.at("to"),
                        Some(format!("\"{name}\"")),
                        format!(
                            "is not where the discharges no longer going to a care home can go{}; use \"home\", \"reablement\" or \"community_bed\"",
                            did_you_mean(name, DISCHARGE_DESTINATIONS[..3].iter().copied())
                        ),
                    );
                }
                k
            }
        };
        let (Some(role), Some(multiplier), Some(ramp), Some(to)) = (role, multiplier, ramp, to)
        else {
            return;
        };
        if sites.is_some() && !is_site_service(role) {
            self.check.issue(
                self.at("sites"),
                None,
                "is for the services of a site (adult_beds, paediatric_beds, day_unit, and ED for day_unit_diversion); this lever acts on a service of each ICC: choose ICCs with `iccs`",
            );
            return;
        }
        if effect == "care_home_discharge" && role == Role::CommunityBeds && to == 2 {
            self.check.issue(
                self.at("to"),
                Some("\"community_bed\"".into()),
                "would send patients leaving a community bed back to one; use \"home\" or \"reablement\"",
            );
            return;
        }
        let managed = match managed {
            Some(None) => return,
            Some(Some(p)) => Some(p),
            None => None,
        };
        let network = self.network;
        let n_services = network.services.len();
        let services = &self.layout.services;
        let kind_of = |d: Destination| destination_kind(self.layout, d);
        let home = Destination::Sink(crate::model::SinkId(self.layout.home_sink as u32));
        let mut targeted = 0;
        for t in 0..self.layout.cohorts.len() {
            let Some(date) = reach.covers(self.layout, t) else {
                continue;
            };
            let steps = self.steps(date, ramp);
            let cohort = &self.layout.cohorts[t];
            let own = |role: Role| {
                services
                    .iter()
                    .position(|x| x.role == role && x.icc == Some(cohort.icc))
                    .map(|s| Destination::Service(ServiceId(s as u32)))
            };
            // An operation with no effect is not scheduled: the pathway
            // keeps no version, and the run is exactly as without it.
            let mut add = |target: Target, operation: Operation| {
                let idle = match &operation {
                    Operation::Stay(f) | Operation::Delay(_, f) => *f == 1.0,
                    Operation::Share { factor, .. } => *factor == 1.0,
                    Operation::HomeShare { .. } => false,
                };
                if idle {
                    return;
                }
                plan.operations.entry(target).or_default().push(Scheduled {
                    lever: self.name.clone(),
                    steps: steps.clone(),
                    operation,
                });
            };
            if effect == "rapid_response" {
                let patient_type = &network.patient_types[t];
                let Some(entry) = &patient_type.entry else {
                    continue;
                };
                let Some(rr) = entry
                    .choices()
                    .map(|(_, d)| d)
                    .find(|d| matches!(d, Destination::Service(s) if services[s.index()].role == Role::RapidResponse))
                else {
                    continue;
                };
                let ed = Destination::Service(patient_type.arrive_at);
                add(
                    Target::Entry(t),
                    Operation::Share {
                        from: vec![rr],
                        factor: multiplier,
                        to: vec![(ed, None)],
                    },
                );
                if let (Some(p1), Destination::Service(s)) = (managed, rr)
                    && let Some(pathway) = network.pathway(PatientTypeId(t as u32), s)
                {
                    let p0: f64 = pathway
                        .routes
                        .choices()
                        .filter(|(_, d)| *d == home)
                        .map(|(p, _)| p)
                        .sum();
                    if p1 != p0 {
                        add(
                            Target::Pathway(t, s.index()),
                            Operation::HomeShare {
                                home,
                                target: p1,
                                fallback: ed,
                            },
                        );
                    }
                }
                targeted += 1;
                continue;
            }
            for (s, info) in services.iter().enumerate() {
                if info.role != role {
                    continue;
                }
                if let (Some(list), Some(site)) = (&sites, info.site)
                    && !list.contains(&site)
                {
                    continue;
                }
                let Some(pathway) = network.pathways[t * n_services + s].as_ref() else {
                    continue;
                };
                let operation = match effect {
                    "length_of_stay" => Operation::Stay(multiplier),
                    "discharge_delay" => Operation::Delay(destinations.clone(), multiplier),
                    "care_home_discharge" => {
                        let homes: Vec<Destination> = pathway
                            .routes
                            .choices()
                            .map(|(_, d)| d)
                            .filter(|d| kind_of(*d) == Some(3))
                            .collect();
                        if homes.is_empty() {
                            continue;
                        }
                        let destination = match to {
                            0 => Some(home),
                            1 => own(Role::Reablement),
                            _ => own(Role::CommunityBeds),
                        };
                        let Some(destination) = destination else {
                            continue;
                        };
                        Operation::Share {
                            from: homes,
                            factor: multiplier,
                            to: vec![(destination, self.context.arranging[to].clone())],
                        }
                    }
                    _ => {
                        // day_unit_diversion: ED routes to the day unit,
                        // the difference from or to admissions.
                        let unit: Vec<Destination> = pathway
                            .routes
                            .choices()
                            .map(|(_, d)| d)
                            .filter(|d| matches!(d, Destination::Service(x) if services[x.index()].role == Role::DayUnit))
                            .collect();
                        let admitted: Vec<(Destination, Option<Distribution>)> = pathway
                            .routes
                            .choices()
                            .map(|(_, d)| d)
                            .filter(|d| matches!(d, Destination::Service(x) if services[x.index()].role.is_hospital_bed()))
                            .map(|d| (d, None))
                            .collect();
                        if unit.is_empty() || admitted.is_empty() {
                            continue;
                        }
                        Operation::Share {
                            from: unit,
                            factor: multiplier,
                            to: admitted,
                        }
                    }
                };
                add(Target::Pathway(t, s), operation);
                targeted += 1;
            }
        }
        if targeted == 0 {
            self.check.issue(
                &self.path,
                None,
                "changes no pathway of this scenario: check service, sites, demand, age_bands, tiers and iccs",
            );
        }
    }
}

/// Splits `total` pence in proportion to `weights`, by largest remainders,
/// so the parts add up to `total` exactly.
fn apportion_pence(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// Each service's places on each day a lever steps: the base, plus the
/// changes, times the multipliers, each at its share of full effect.
fn write_capacity(plan: &Plan, network: &mut Network) {
    for (&s, levers) in &plan.capacity {
        let service = &mut network.services[s];
        let Capacity::Limited(base) = service.capacity else {
            continue;
        };
        let mut days: Vec<f64> = levers
            .iter()
            .flat_map(|l| l.steps.iter().map(|step| step.day))
            .collect();
        days.sort_by(f64::total_cmp);
        days.dedup();
        let mut current = base;
        for day in days {
            let added: f64 = levers
                .iter()
                .map(|l| l.change * fraction_on(&l.steps, day))
                .sum();
            let times: f64 = levers
                .iter()
                .map(|l| 1.0 + (l.multiplier - 1.0) * fraction_on(&l.steps, day))
                .product();
            let places = ((f64::from(base) + added) * times)
                .round()
                .clamp(0.0, f64::from(u32::MAX)) as u32;
            // A step that changes nothing is left out: a lever with no
            // effect leaves the run exactly as it was.
            if places != current {
                service.capacity_changes.push(CapacityChange {
                    from_day: day,
                    capacity: Capacity::Limited(places),
                });
                current = places;
            }
        }
    }
    for (t, change) in &plan.rates {
        network.patient_types[*t].rate_changes.push(change.clone());
    }
}

/// Later versions of pathways and entry routes, one per day a lever on
/// them steps, built from the base by each lever at its share of full
/// effect, in file order.
fn write_operations(
    check: &mut Checker,
    plan: &Plan,
    layout: &SystemLayout,
    network: &mut Network,
) {
    let n_services = network.services.len();
    for (target, scheduled) in &plan.operations {
        let mut days: Vec<f64> = scheduled
            .iter()
            .flat_map(|l| l.steps.iter().map(|step| step.day))
            .collect();
        days.sort_by(f64::total_cmp);
        days.dedup();
        for day in days {
            let fractions: Vec<f64> = scheduled
                .iter()
                .map(|l| fraction_on(&l.steps, day))
                .collect();
            let effective = |l: &Scheduled, fraction: f64, current: f64| match &l.operation {
                Operation::Stay(f) | Operation::Delay(_, f) => 1.0 + (f - 1.0) * fraction,
                Operation::Share { factor, .. } => 1.0 + (factor - 1.0) * fraction,
                Operation::HomeShare { target, .. } => current + (target - current) * fraction,
            };
            let failed = |check: &mut Checker, lever: &str, problem: String| {
                check.issue(format!("levers.{lever}"), None, problem);
            };
            match *target {
                Target::Entry(t) => {
                    let patient_type = &network.patient_types[t];
                    let Some(mut entry) = patient_type.entry.clone() else {
                        continue;
                    };
                    for (l, &fraction) in scheduled.iter().zip(&fractions) {
                        if let Operation::Share { from, to, .. } = &l.operation {
                            let factor = effective(l, fraction, 0.0);
                            match entry.with_share_moved(|d| from.contains(&d), factor, to) {
                                Ok(routes) => entry = routes,
                                Err(missing) => {
                                    failed(
                                        check,
                                        &l.lever,
                                        format!(
                                            "needs {:.1}% more of the crises of {} than go to ED to offer rapid response; lower the multiplier",
                                            missing * 100.0,
                                            patient_type.name
                                        ),
                                    );
                                    return;
                                }
                            }
                        }
                    }
                    network.patient_types[t].entry_changes.push(EntryChange {
                        from_day: day,
                        entry,
                    });
                }
                Target::Pathway(t, s) => {
                    let Some(pathway) = network.pathways[t * n_services + s].as_ref() else {
                        continue;
                    };
                    let mut stay = pathway.stay.clone();
                    let mut routes = pathway.routes.clone();
                    // Delays last, so they reach routes the other levers open.
                    let mut order: Vec<(&Scheduled, f64)> =
                        scheduled.iter().zip(fractions.iter().copied()).collect();
                    order.sort_by_key(|(l, _)| matches!(l.operation, Operation::Delay(..)));
                    for (l, fraction) in order {
                        match &l.operation {
                            Operation::Stay(_) => match stay.scaled(effective(l, fraction, 0.0)) {
                                Ok(x) => stay = x,
                                Err(e) => {
                                    failed(
                                        check,
                                        &l.lever,
                                        format!("gives a stay that cannot be drawn: {e}"),
                                    );
                                    return;
                                }
                            },
                            Operation::Delay(kinds, _) => {
                                let picked = |d: Destination| {
                                    destination_kind(layout, d).is_some_and(|k| kinds.contains(&k))
                                };
                                match routes.with_delays_scaled(picked, effective(l, fraction, 0.0))
                                {
                                    Ok(x) => routes = x,
                                    Err(e) => {
                                        failed(
                                            check,
                                            &l.lever,
                                            format!("gives a delay that cannot be drawn: {e}"),
                                        );
                                        return;
                                    }
                                }
                            }
                            Operation::Share { from, to, .. } => {
                                let factor = effective(l, fraction, 0.0);
                                match routes.with_share_moved(|d| from.contains(&d), factor, to) {
                                    Ok(x) => routes = x,
                                    Err(missing) => {
                                        failed(
                                            check,
                                            &l.lever,
                                            format!(
                                                "needs {:.1}% more of the patients of {} leaving {} than there are to take from; lower the multiplier",
                                                missing * 100.0,
                                                network.patient_types[t].name,
                                                network.services[s].name
                                            ),
                                        );
                                        return;
                                    }
                                }
                            }
                            Operation::HomeShare { home, fallback, .. } => {
                                let current: f64 = routes
                                    .choices()
                                    .filter(|(_, d)| d == home)
                                    .map(|(p, _)| p)
                                    .sum();
                                let share = effective(l, fraction, current);
                                routes = routes.with_share_set(*home, share, *fallback);
                            }
                        }
                    }
                    if let Some(pathway) = network.pathways[t * n_services + s].as_mut() {
                        pathway.changes.push(PathwayChange {
                            from_day: day,
                            stay,
                            routes,
                        });
                    }
                }
            }
        }
    }
}
