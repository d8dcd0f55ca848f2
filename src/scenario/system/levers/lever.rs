//! One lever being read: its keys checked against its effect, its dates,
//! ramp, rollout and reach; and the rate lever (`crisis_rate`).

use super::LeverContext;
use super::effect::{Effect, LEVER_DEMAND, LEVER_SERVICES, PathwayEffect, quoted};
use super::plan::{Plan, Reach, Step};
use crate::engine::CalendarDate;
use crate::model::system::{Role, SystemLayout};
use crate::model::{Network, RateChange};
use crate::scenario::check::Checker;
use crate::scenario::error::did_you_mean;
use crate::scenario::system::raw::RawLever;

/// One lever being read.
pub(super) struct Lever<'a> {
    pub(super) check: &'a mut Checker,
    pub(super) path: String,
    pub(super) name: String,
    pub(super) raw: &'a RawLever,
    pub(super) layout: &'a SystemLayout,
    pub(super) network: &'a Network,
    pub(super) start_date: CalendarDate,
    pub(super) context: &'a LeverContext,
}

impl Lever<'_> {
    pub(super) fn at(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    pub(super) fn day_of(&self, date: CalendarDate) -> f64 {
        (date.day_number() - self.start_date.day_number()) as f64
    }

    /// Keys that only some effects read, refused elsewhere so a typo in
    /// the effect is not silently a lever doing something else.
    pub(super) fn only_for(&mut self, effect: Effect) {
        let raw = self.raw;
        let given: [(&str, bool); 15] = [
            ("multiplier", raw.multiplier.is_some()),
            ("sites", raw.sites.is_some()),
            ("change", raw.change.is_some()),
            ("wte", raw.wte.is_some()),
            ("service", raw.service.is_some()),
            ("demand", raw.demand.is_some()),
            ("destinations", raw.destinations.is_some()),
            ("to", raw.to.is_some()),
            ("managed_at_home", raw.managed_at_home.is_some()),
            ("amount_per_year", raw.amount_per_year.is_some()),
            ("fund", raw.fund.is_some()),
            ("close_adult_beds", raw.close_adult_beds.is_some()),
            ("opening", raw.opening.is_some()),
            (
                "reviews_per_person_year",
                raw.reviews_per_person_year.is_some(),
            ),
            (
                "appointments_per_review",
                raw.appointments_per_review.is_some(),
            ),
        ];
        let name = effect.name();
        for (key, present) in given {
            if present && !effect.reads().contains(&key) {
                self.check.issue(
                    self.at(key),
                    None,
                    format!(
                        "is not read by a `{name}` lever; it belongs to {}",
                        quoted(Effect::reading(key).into_iter().map(Effect::name))
                    ),
                );
            }
        }
        for (key, present) in [
            ("age_bands", raw.age_bands.is_some()),
            ("tiers", raw.tiers.is_some()),
            ("classes", raw.classes.is_some()),
        ] {
            if present && !effect.acts_on_cohorts() {
                self.check.issue(
                    self.at(key),
                    None,
                    format!("is not read by a `{name}` lever, which acts on services, not on cohorts of people"),
                );
            }
        }
    }

    /// The lever's multiplier: required, in [min, max].
    pub(super) fn multiplier(&mut self, max: f64, unit: &str) -> Option<f64> {
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
    pub(super) fn steps(&self, date: CalendarDate, ramp: f64) -> Vec<Step> {
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
    pub(super) fn full_day(&self, date: CalendarDate, ramp: f64) -> f64 {
        let whole = ramp.floor() as i64;
        self.day_of(date.add_months(whole))
            + (ramp - ramp.floor())
                * (self.day_of(date.add_months(whole + 1)) - self.day_of(date.add_months(whole)))
    }

    pub(super) fn sites(&mut self) -> Option<Vec<usize>> {
        let names = self.raw.sites.as_ref()?;
        let mut found = Vec::new();
        for (i, n) in names.iter().enumerate() {
            match self.context.sites.iter().position(|x| x == n) {
                Some(s) => found.push(s),
                None => self.check.issue(
                    self.at(&format!("sites[{i}]")),
                    Some(format!("\"{n}\"")),
                    format!(
                        "is not a site of this scenario{}; its sites are {}",
                        did_you_mean(n, self.context.sites.iter().map(String::as_str)),
                        quoted(&self.context.sites)
                    ),
                ),
            }
        }
        Some(found)
    }

    /// The kind of service named by `service`, among `allowed`.
    pub(super) fn service(&mut self, default: Option<&str>, allowed: &[&str]) -> Option<Role> {
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
    pub(super) fn rollout(&mut self, start: Option<CalendarDate>) -> Vec<Option<CalendarDate>> {
        let n = self.context.iccs.len();
        let Some(iccs) = &self.raw.iccs else {
            return vec![start; n];
        };
        let mut from = vec![None; n];
        for (icc, date) in iccs {
            let at = self.at(&format!("iccs.{icc}"));
            match self.context.iccs.iter().position(|i| i == icc) {
                Some(k) => from[k] = self.check.date(&at, date),
                None => self.check.issue(
                    &at,
                    None,
                    format!(
                        "is not an ICC of this scenario{}; its ICCs are {}",
                        did_you_mean(icc, self.context.iccs.iter().map(String::as_str)),
                        quoted(&self.context.iccs)
                    ),
                ),
            }
        }
        from
    }

    pub(super) fn reach(
        &mut self,
        default_demand: &[&str],
        from: Vec<Option<CalendarDate>>,
    ) -> Reach {
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
            None => (0..self.layout.age_bands.len()).collect(),
            Some(names) => {
                let mut found = Vec::new();
                for (i, b) in names.iter().enumerate() {
                    match self.layout.age_bands.position(b) {
                        Some(k) => found.push(k),
                        None => self.check.issue(
                            self.at(&format!("age_bands[{i}]")),
                            Some(format!("\"{b}\"")),
                            format!(
                                "is not an age band{}; use {}",
                                did_you_mean(
                                    b,
                                    self.layout.age_bands.names().iter().map(String::as_str)
                                ),
                                quoted(self.layout.age_bands.names())
                            ),
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
        let classes = self.classes();
        Reach {
            demand,
            bands,
            tiers: raw.tiers.clone(),
            classes,
            from,
        }
    }

    pub(super) fn plan(&mut self, plan: &mut Plan) {
        let raw = self.raw;
        // `description` and `source` are for the file's readers.
        let _ = (&raw.description, &raw.source);
        let Some(effect) = Effect::from_name(&raw.effect) else {
            let known = Effect::ALL.map(Effect::name);
            self.check.issue(
                self.at("effect"),
                Some(format!("\"{}\"", raw.effect)),
                format!(
                    "is not a lever effect{}; this iccsim knows {}",
                    did_you_mean(&raw.effect, known),
                    quoted(known)
                ),
            );
            return;
        };
        self.only_for(effect);
        let ramp = self.check.number_in(
            &self.at("ramp_months"),
            raw.ramp_months.unwrap_or(0.0),
            0.0,
            120.0,
            "months to full effect",
        );
        let start = self.check.date(&self.at("start"), &raw.start);
        let from = self.rollout(start);
        if let Some(ramp) = ramp {
            plan.reaches_full_effect(
                start.into_iter().chain(from.iter().flatten().copied()),
                ramp,
            );
        }
        self.running_cost(plan, ramp, &from);
        match effect {
            Effect::CrisisRate => self.crisis_rate(plan, ramp, from),
            Effect::Capacity => self.capacity(plan, ramp, start, from),
            Effect::Reinvestment => self.reinvestment(plan, ramp, start, from),
            Effect::LengthOfStay => {
                self.pathway_lever(plan, PathwayEffect::LengthOfStay, ramp, from)
            }
            Effect::DischargeDelay => {
                self.pathway_lever(plan, PathwayEffect::DischargeDelay, ramp, from)
            }
            Effect::CareHomeDischarge => {
                self.pathway_lever(plan, PathwayEffect::CareHomeDischarge, ramp, from)
            }
            Effect::RapidResponse => {
                self.pathway_lever(plan, PathwayEffect::RapidResponse, ramp, from)
            }
            Effect::DayUnitDiversion => {
                self.pathway_lever(plan, PathwayEffect::DayUnitDiversion, ramp, from)
            }
            Effect::OpeningHours => self.opening_hours(plan, ramp, start, from),
            Effect::ProactiveCare => self.proactive_care(plan, ramp, from),
        }
    }

    pub(super) fn crisis_rate(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let multiplier = self.multiplier(10.0, "× the rate at full effect");
        let reach = self.reach(&["crisis"], from);
        let (Some(multiplier), Some(ramp)) = (multiplier, ramp) else {
            return;
        };
        self.multiply_cohort_rates(
            plan,
            &reach,
            multiplier,
            ramp,
            "targets no cohort of this scenario: check demand, age_bands, tiers and iccs",
        );
    }

    /// Multiplies the rate of every cohort `reach` covers by `multiplier`
    /// at full effect, over the ramp from each one's rollout date (rate
    /// changes compose by multiplying, in any order; × 1 writes nothing);
    /// `none_targeted` is the message when it covers none.
    pub(super) fn multiply_cohort_rates(
        &mut self,
        plan: &mut Plan,
        reach: &Reach,
        multiplier: f64,
        ramp: f64,
        none_targeted: &str,
    ) {
        let mut targeted = 0;
        for t in 0..self.layout.cohorts.len() {
            let Some(date) = reach.covers(self.layout, t) else {
                continue;
            };
            targeted += 1;
            if multiplier != 1.0 {
                plan.rates.push((
                    t,
                    RateChange {
                        from_day: self.day_of(date),
                        full_day: self.full_day(date, ramp),
                        factor: multiplier,
                    },
                ));
            }
        }
        if targeted == 0 {
            self.check.issue(&self.path, None, none_targeted);
        }
    }
}
