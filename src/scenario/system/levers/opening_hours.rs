//! `opening_hours` levers: a kind of service's opening days and hours from
//! a date (`opening = { days, open_hour, close_hour }`, or `"always"`), at
//! the sites it names (`sites`, for the acute day units) or in the ICCs it
//! reaches (`iccs`, each from its own date, for ICC services). Written as
//! the services' dated [`ScheduleChange`]s, which keep the daily limit in
//! force (a lever on limits, such as funded appointments, edits the other
//! half): the edits of every lever on a service, in date order and file
//! order on the same date, each replacing what it changes.
//!
//! Hours equal to those in force write nothing, so a lever with no effect
//! leaves the run exactly as it was.

use serde::Deserialize;

use super::effect::quoted;
use super::lever::Lever;
use super::plan::Plan;
use crate::engine::CalendarDate;
use crate::model::network::ScheduleChange;
use crate::model::system::{Owner, Role};
use crate::model::{Network, OpeningHours};
use crate::scenario::check::validate_opening;
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::RawOpening;

/// `opening` of an `opening_hours` lever as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub(crate) enum RawLeverOpening {
    /// `"always"`: open every hour of every day.
    Always(String),
    /// `{ days = [...], open_hour, close_hour }` (days: every day if left out).
    Hours(RawOpening),
}

/// The kinds of service whose hours a lever can change, as written.
pub(super) const OPENING_SERVICES: &[(&str, Role)] = &[
    ("day_unit", Role::DayUnit),
    ("community_day_unit", Role::CommunityDayUnit),
    ("primary_care", Role::PrimaryCare),
];

/// One lever's edit of a service's schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum ScheduleEdit {
    /// Opening hours from then on (`None`: always open).
    Opening(Option<OpeningHours>),
    /// Most starts a day by weekday from then on (`None`: no limit).
    Limit(Option<[u32; 7]>),
}

impl Lever<'_> {
    /// Opening hours of a kind of service from a date.
    pub(super) fn opening_hours(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        start: Option<CalendarDate>,
        from: Vec<Option<CalendarDate>>,
    ) {
        if ramp.is_some_and(|r| r > 0.0) {
            self.check.issue(
                self.at("ramp_months"),
                None,
                "opening hours change on a date, not over a ramp; remove ramp_months (roll out by ICC with iccs = { NAME = DATE })",
            );
        }
        let role = self.opening_service();
        let opening = self.opening();
        let (Some(role), Some(opening)) = (role, opening) else {
            return;
        };
        let targets: Vec<(usize, CalendarDate)> = match role.owner() {
            Owner::Site => {
                if self.raw.iccs.is_some() {
                    self.check.issue(
                        self.at("iccs"),
                        None,
                        format!(
                            "is for services of ICCs; the {} is at the sites: name them with sites = [...] (default every site)",
                            role.name()
                        ),
                    );
                    return;
                }
                let sites = match self.sites() {
                    Some(found) => found,
                    None => (0..self.context.sites.len()).collect(),
                };
                let Some(date) = start else { return };
                self.services_of(role, |info| info.site.is_some_and(|k| sites.contains(&k)))
                    .into_iter()
                    .map(|s| (s, date))
                    .collect()
            }
            _ => {
                if self.raw.sites.is_some() {
                    self.check.issue(
                        self.at("sites"),
                        None,
                        format!(
                            "is for services at the sites; the {} is in each ICC: name them with iccs = {{ NAME = DATE }} (default every ICC from start)",
                            role.name()
                        ),
                    );
                    return;
                }
                let mut targets = Vec::new();
                for (i, date) in from.iter().enumerate() {
                    let Some(date) = date else { continue };
                    for s in self.services_of(role, |info| info.icc == Some(i)) {
                        targets.push((s, *date));
                    }
                }
                targets
            }
        };
        if targets.is_empty() {
            self.check.issue(
                self.at("service"),
                Some(format!("\"{}\"", role.name())),
                "this scenario has no such service where the lever reaches (a community day unit needs [community.day_unit], primary care [primary_care]); check service, sites and iccs",
            );
            return;
        }
        for (s, date) in targets {
            plan.schedules
                .entry(s)
                .or_default()
                .push((self.day_of(date), ScheduleEdit::Opening(opening)));
        }
    }

    /// The services of a role that `keep` keeps, by index.
    fn services_of(
        &self,
        role: Role,
        keep: impl Fn(&crate::model::system::ServiceInfo) -> bool,
    ) -> Vec<usize> {
        self.layout
            .services
            .iter()
            .enumerate()
            .filter(|(_, info)| info.role == role && keep(info))
            .map(|(s, _)| s)
            .collect()
    }

    /// The kind of service named by `service`.
    fn opening_service(&mut self) -> Option<Role> {
        let names: Vec<&str> = OPENING_SERVICES.iter().map(|(n, _)| *n).collect();
        let Some(name) = self.raw.service.as_deref() else {
            self.check.issue(
                self.at("service"),
                None,
                format!(
                    "is missing; an `opening_hours` lever changes the hours of one kind of service: {}",
                    quoted(&names)
                ),
            );
            return None;
        };
        match OPENING_SERVICES.iter().find(|(n, _)| *n == name) {
            Some((_, role)) => Some(*role),
            None => {
                self.check.issue(
                    self.at("service"),
                    Some(format!("\"{name}\"")),
                    format!(
                        "has no opening hours a lever can change{}; use {}",
                        did_you_mean(name, names.iter().copied()),
                        quoted(&names)
                    ),
                );
                None
            }
        }
    }

    /// `opening`: the hours from the lever's date (`None` inside: always
    /// open); `None` when missing or wrong.
    fn opening(&mut self) -> Option<Option<OpeningHours>> {
        let at = self.at("opening");
        match &self.raw.opening {
            None => {
                self.check.issue(
                    at,
                    None,
                    "is missing; give the hours from the lever's start, e.g. opening = { days = [\"monday\", \"tuesday\", \"wednesday\", \"thursday\", \"friday\"], open_hour = 8, close_hour = 20 }, or opening = \"always\"",
                );
                None
            }
            Some(RawLeverOpening::Always(word)) if word == "always" => Some(None),
            Some(RawLeverOpening::Always(word)) => {
                self.check.issue(
                    at,
                    Some(format!("\"{word}\"")),
                    "is not a schedule; use \"always\" or { days = [...], open_hour, close_hour }",
                );
                None
            }
            Some(RawLeverOpening::Hours(hours)) => {
                validate_opening(self.check, &at, hours).map(Some)
            }
        }
    }
}

/// Each service's schedule edits written as its dated changes: from the
/// base hours and limit, each edit (in date order, file order on the same
/// date) replaces what it changes and keeps the rest; an edit that leaves
/// both as they were writes nothing.
pub(super) fn write_schedules(plan: &Plan, network: &mut Network) {
    for (&s, edits) in &plan.schedules {
        let service = &mut network.services[s];
        let mut edits = edits.clone();
        // Stable: edits of the same day stay in file order.
        edits.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut opening, mut limit) = (service.opening, service.max_admissions_per_day);
        for (day, edit) in edits {
            let (was_opening, was_limit) = (opening, limit);
            match edit {
                ScheduleEdit::Opening(o) => opening = o,
                ScheduleEdit::Limit(l) => limit = l,
            }
            if (opening, limit) == (was_opening, was_limit) {
                continue;
            }
            let change = ScheduleChange {
                from_day: day,
                opening,
                max_admissions_per_day: limit,
            };
            match service.schedule_changes.last_mut() {
                // Several edits on one day: one change, the last word.
                Some(last) if last.from_day == day => *last = change,
                _ => service.schedule_changes.push(change),
            }
        }
        service
            .schedule_changes
            .sort_by(|a, b| a.from_day.total_cmp(&b.from_day));
    }
}
