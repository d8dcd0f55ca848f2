//! `capacity` levers: places (or staff) added to, or multiplying, each
//! service of a kind, by site or ICC.

use super::effect::{CommunityTeam, LEVER_SERVICES};
use super::lever::Lever;
use super::plan::{CapacityLever, Plan, is_site_service};
use crate::engine::CalendarDate;
use crate::model::system::Role;

impl Lever<'_> {
    /// The date a service is reached: its ICC's rollout date, or `start`
    /// for a site's service (when the site is listed, or no list is given).
    pub(super) fn service_date(
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

    pub(super) fn capacity(
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
        if role == Some(Role::PrimaryCare) {
            if let (Some(ramp), Some(wte)) = (ramp, wte) {
                self.primary_care_capacity(plan, ramp, &from, wte);
            }
            return;
        }
        let team = CommunityTeam::of_role;
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
            // A multiplier on a team is staff too (× its WTE), so that
            // with [workforce] it is recruited like `wte`, not bought on
            // the day.
            let (added, multiplier) = match (wte, team(role), info.icc) {
                (None, Some(team), Some(icc)) if multiplier != 1.0 => {
                    let base = self.context.team_wte[icc][team];
                    (Some(base * (multiplier - 1.0)), 1.0)
                }
                _ => (wte, multiplier),
            };
            // Staff become caseload places as the scenario builds them:
            // floor(WTE × caseload per WTE).
            let change = match (added, team(role), info.icc) {
                (Some(added), Some(team), Some(icc)) => {
                    let base = self.context.team_wte[icc][team];
                    let per = self.context.caseload_per_wte[team];
                    ((base + added).max(0.0) * per).floor() - (base * per).floor()
                }
                _ => change,
            };
            plan.capacity.entry(s).or_default().push(CapacityLever {
                steps: self.steps(date, ramp),
                change,
                multiplier,
                funded: added.filter(|_| team(role).is_some()),
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
}
