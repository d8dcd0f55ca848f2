//! Levers on general practice (`[primary_care]`): GP and other clinical
//! WTE added (a `capacity` lever with `service = "primary_care"` and `wte`
//! in GPs, or money a `reinvestment` turns into `gp` and `other_clinical`
//! WTE), and `proactive_care` (reviews of risk tiers taking the same
//! staff's time, × the tiers' crisis rates). Both come in with the lever's
//! ramp; they are written as dated daily limits of same-day appointments
//! (`ScheduleChange`s) and dated staff costs (`StaffCost.changes`).

use super::context::PrimaryCareContext;
use super::lever::Lever;
use super::opening_hours::ScheduleEdit;
use super::plan::{Plan, ReviewLever, StaffLever, fraction_on};
use crate::engine::CalendarDate;
use crate::model::Network;
use crate::model::system::Role;

impl Lever<'_> {
    /// The primary-care context, or an issue saying the lever needs
    /// `[primary_care]`.
    fn primary_care_context(&mut self) -> Option<&PrimaryCareContext> {
        if self.context.primary_care.is_none() {
            self.check.issue(
                &self.path,
                None,
                format!(
                    "a `{}` lever on general practice needs [primary_care] and the ICCs' gp_wte or other_clinical_wte; add them first",
                    self.raw.effect
                ),
            );
        }
        self.context.primary_care.as_ref()
    }

    /// ICCs reached whose practices have no same-day appointment today are
    /// refused: nobody is routed to them, so the lever would change nothing
    /// (or, for money, buy what no crisis can use).
    pub(super) fn reached_with_capacity(
        &mut self,
        from: &[Option<CalendarDate>],
    ) -> Option<Vec<usize>> {
        let context = self.context.primary_care.as_ref()?;
        let mut reached = Vec::new();
        let mut ok = true;
        for (i, date) in from.iter().enumerate() {
            if date.is_none() {
                continue;
            }
            let (gp, other) = context.wte[i];
            if context
                .section
                .daily_limit(gp, other)
                .iter()
                .all(|&n| n == 0)
            {
                self.check.issue(
                    format!("iccs.{}.gp_wte", self.context.iccs[i]),
                    Some(format!("{gp}")),
                    format!(
                        "gives {} ICC no same-day appointment, so no crisis is sent to its practices and levers.{} would change nothing there; give the ICC its staff in post, or leave it out with `iccs`",
                        self.context.iccs[i], self.name
                    ),
                );
                ok = false;
            }
            reached.push(i);
        }
        ok.then_some(reached)
    }

    /// A `capacity` lever on `primary_care`: `wte` GPs added to each ICC
    /// reached.
    pub(super) fn primary_care_capacity(
        &mut self,
        plan: &mut Plan,
        ramp: f64,
        from: &[Option<CalendarDate>],
        wte: Option<f64>,
    ) {
        if self.raw.change.is_some() || self.raw.multiplier.is_some() {
            self.check.issue(
                &self.path,
                None,
                "a capacity lever on primary_care adds staff: give `wte` (GP whole-time equivalents added to each ICC; other clinical staff are bought with a reinvestment's fund.other_clinical), not `change` or `multiplier`",
            );
            return;
        }
        let Some(added) = wte else {
            self.check.issue(
                self.at("wte"),
                None,
                "is missing; a capacity lever on primary_care adds GP whole-time equivalents to each ICC, e.g. wte = 2.0",
            );
            return;
        };
        if self.primary_care_context().is_none() {
            return;
        }
        let Some(reached) = self.reached_with_capacity(from) else {
            return;
        };
        for i in reached {
            let gp = self
                .context
                .primary_care
                .as_ref()
                .map_or(0.0, |c| c.wte[i].0);
            if gp + added < 0.0 {
                self.check.issue(
                    self.at("wte"),
                    Some(format!("{added}")),
                    format!(
                        "takes more GPs from {} ICC than it has (iccs.{}.gp_wte = {gp}); remove at most {gp}, or leave the ICC out with `iccs`",
                        self.context.iccs[i], self.context.iccs[i]
                    ),
                );
                continue;
            }
            let date = from[i].expect("reached ICCs have a date");
            plan.primary_care_staff
                .entry(i)
                .or_default()
                .push(StaffLever {
                    steps: self.steps(date, ramp),
                    gp: added,
                    other: 0.0,
                });
        }
    }

    /// `proactive_care`: reviews of the people in `tiers` take general
    /// practice time from the same-day appointments, and multiply the
    /// tiers' crisis rates (as `crisis_rate`).
    pub(super) fn proactive_care(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let raw = self.raw;
        let multiplier = self.multiplier(10.0, "× the tiers' crisis rate at full effect");
        let mut number = |key: &str, value: Option<f64>, max: f64, unit: &str, example: &str| {
            match value {
                Some(v) => self.check.number_in(&self.at(key), v, 0.0, max, unit),
                None => {
                    self.check.issue(
                        self.at(key),
                        None,
                        format!("is missing; a `proactive_care` lever needs it ({unit}), e.g. {key} = {example}"),
                    );
                    None
                }
            }
        };
        let reviews = number(
            "reviews_per_person_year",
            raw.reviews_per_person_year,
            52.0,
            "reviews a year of each person in the tiers",
            "2",
        );
        let appointments = number(
            "appointments_per_review",
            raw.appointments_per_review,
            20.0,
            "general practice appointments a review takes",
            "2",
        );
        let Some(tiers) = raw.tiers.clone() else {
            self.check.issue(
                self.at("tiers"),
                None,
                "is missing; a `proactive_care` lever reviews the people of risk tiers, e.g. tiers = [\"very_high\", \"high\"]",
            );
            return;
        };
        let reach = self.reach(&["crisis"], from.clone());
        if self.primary_care_context().is_none() {
            return;
        }
        let (Some(multiplier), Some(reviews), Some(appointments), Some(ramp)) =
            (multiplier, reviews, appointments, ramp)
        else {
            return;
        };
        let Some(reached) = self.reached_with_capacity(&from) else {
            return;
        };
        for i in reached {
            let people: f64 = self.context.tier_people[i]
                .iter()
                .filter(|(name, _)| tiers.contains(name))
                .map(|(_, n)| n)
                .sum();
            let needed = people * reviews * appointments;
            if let Some(context) = &self.context.primary_care {
                let (gp, other) = context.wte[i];
                let given = context.section.appointments_a_year(gp, other);
                if needed > given {
                    self.check.issue(
                        self.at("reviews_per_person_year"),
                        Some(format!("{reviews}")),
                        format!(
                            "with {appointments} appointments a review, the reviews in {} ICC take {needed:.0} appointments a year, more than its staff in post give ({given:.0}: gp_wte and other_clinical_wte × [primary_care] appointments_per_wte_day); review fewer people or less often",
                            self.context.iccs[i]
                        ),
                    );
                    continue;
                }
            }
            let date = from[i].expect("reached ICCs have a date");
            plan.reviews.entry(i).or_default().push(ReviewLever {
                steps: self.steps(date, ramp),
                appointments_per_year: needed,
            });
        }
        self.multiply_cohort_rates(
            plan,
            &reach,
            multiplier,
            ramp,
            "targets no cohort of this scenario: check tiers, age_bands and iccs",
        );
    }
}

/// Each ICC's same-day appointments and staff cost on each day a
/// primary-care lever steps: the staff in post plus what levers add, less
/// the time proactive reviews take, each at its share of full effect.
pub(super) fn write_primary_care(
    plan: &mut Plan,
    context: &super::LeverContext,
    network: &mut Network,
) {
    let Some(primary_care) = &context.primary_care else {
        return;
    };
    let Some(layout) = network.layout.as_ref() else {
        return;
    };
    let services: Vec<(usize, usize)> = layout
        .services
        .iter()
        .enumerate()
        .filter(|(_, info)| info.role == Role::PrimaryCare)
        .filter_map(|(s, info)| info.icc.map(|i| (i, s)))
        .collect();
    let gp_year = primary_care.gp_wte_year.unwrap_or(0.0);
    let other_year = primary_care.other_clinical_wte_year.unwrap_or(0.0);
    for (i, s) in services {
        let staff = plan
            .primary_care_staff
            .get(&i)
            .map_or(&[][..], Vec::as_slice);
        let reviews = plan.reviews.get(&i).map_or(&[][..], Vec::as_slice);
        let mut days: Vec<f64> = staff
            .iter()
            .flat_map(|l| l.steps.iter().map(|step| step.day))
            .chain(
                reviews
                    .iter()
                    .flat_map(|l| l.steps.iter().map(|step| step.day)),
            )
            .collect();
        // With `[workforce]`, the staff working month by month (in post
        // and agency cover) and the agency premium on top of their cost.
        let practice = plan.practice_staff.get(&i);
        days.extend(practice.iter().flat_map(|p| p.days()));
        days.sort_by(f64::total_cmp);
        days.dedup();
        let in_post = primary_care.wte[i];
        let staffed =
            |day: f64| practice.map_or((in_post.0, in_post.1, 0.0), |p| p.at(day, in_post));
        let (base_gp, base_other, base_premium) =
            practice.map_or((in_post.0, in_post.1, 0.0), |p| p.before(in_post));
        let mut limit = network.services[s].max_admissions_per_day;
        let mut cost = base_gp * gp_year + base_other * other_year + base_premium;
        let mut cost_changes = Vec::new();
        for day in days {
            let (staffed_gp, staffed_other, premium) = staffed(day);
            let gp = staffed_gp
                + staff
                    .iter()
                    .map(|l| l.gp * fraction_on(&l.steps, day))
                    .sum::<f64>();
            let other = staffed_other
                + staff
                    .iter()
                    .map(|l| l.other * fraction_on(&l.steps, day))
                    .sum::<f64>();
            let reviewing: f64 = reviews
                .iter()
                .map(|l| l.appointments_per_year * fraction_on(&l.steps, day))
                .sum();
            let (gp, other) = (gp.max(0.0), other.max(0.0));
            let new_limit = Some(
                primary_care
                    .section
                    .daily_limit_after_reviews(gp, other, reviewing),
            );
            // A step that changes nothing is left out. The limit is an
            // edit of the service's schedule, written with any
            // `opening_hours` lever's edits (`write_schedules`).
            if new_limit != limit {
                plan.schedules
                    .entry(s)
                    .or_default()
                    .push((day, ScheduleEdit::Limit(new_limit)));
                limit = new_limit;
            }
            let new_cost = gp * gp_year + other * other_year + premium;
            if new_cost != cost {
                cost_changes.push((day, new_cost));
                cost = new_cost;
            }
        }
        if let Some(layout) = network.layout.as_mut()
            && let Some(staff_cost) = layout.staff_costs.iter_mut().find(|c| c.icc == i)
        {
            staff_cost.changes = cost_changes;
        }
    }
}
