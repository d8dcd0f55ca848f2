//! Levers that change pathways or entry routes of the cohorts they reach:
//! `length_of_stay`, `discharge_delay`, `care_home_discharge`,
//! `day_unit_diversion` and `rapid_response`.

use super::effect::{LEVER_DEMAND, PathwayEffect, STAY_SERVICES, quoted};
use super::lever::Lever;
use super::plan::{Operation, Plan, Scheduled, Target, destination_kind, is_site_service};
use crate::engine::{CalendarDate, Distribution};
use crate::model::system::{CrisisClass, Role};
use crate::model::{Destination, PatientTypeId, ServiceId};
use crate::scenario::error::did_you_mean;
use crate::scenario::system::avoidable::class_home_share;
use crate::scenario::system::spec::DischargeTo;

/// Where a `care_home_discharge` lever can send the discharges no longer
/// going to a care home.
const INSTEAD_OF_CARE_HOME: [DischargeTo; 4] = [
    DischargeTo::Home,
    DischargeTo::Reablement,
    DischargeTo::CommunityBed,
    DischargeTo::HomeCare,
];

impl Lever<'_> {
    /// Levers that change pathways or entry routes of targeted cohorts.
    pub(super) fn pathway_lever(
        &mut self,
        plan: &mut Plan,
        effect: PathwayEffect,
        ramp: Option<f64>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let raw = self.raw;
        let all_demand: Vec<&str> = LEVER_DEMAND.iter().map(|(n, _)| *n).collect();
        let reach = self.reach(&all_demand, from);
        let sites = self.sites();
        // Which services, and what happens there, by effect.
        let (role, multiplier) = match effect {
            PathwayEffect::LengthOfStay => (
                self.service(Some("adult_beds"), STAY_SERVICES),
                self.multiplier(10.0, "× the stay at full effect"),
            ),
            PathwayEffect::DischargeDelay => (
                self.service(
                    Some("adult_beds"),
                    &["adult_beds", "paediatric_beds", "community_beds"],
                ),
                self.multiplier(10.0, "× the time to arrange a discharge at full effect"),
            ),
            PathwayEffect::CareHomeDischarge => (
                self.service(Some("adult_beds"), &["adult_beds", "community_beds"]),
                self.multiplier(
                    10.0,
                    "× the share of discharges to a care home at full effect",
                ),
            ),
            PathwayEffect::DayUnitDiversion => (
                Some(Role::EmergencyDepartment),
                self.multiplier(
                    10.0,
                    "× the share of ED attendances sent to the day unit at full effect",
                ),
            ),
            PathwayEffect::RapidResponse => {
                // Eligibility (entry) and/or managed at home.
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
        let destinations: Vec<DischargeTo> = match &raw.destinations {
            None => DischargeTo::ALL.to_vec(),
            Some(list) => list
                .iter()
                .enumerate()
                .filter_map(|(i, d)| {
                    let to = DischargeTo::from_name(d);
                    if to.is_none() {
                        self.check.issue(
                            self.at(&format!("destinations[{i}]")),
                            Some(format!("\"{d}\"")),
                            format!(
                                "is not a discharge destination{}; use {}",
                                did_you_mean(d, DischargeTo::names()),
                                quoted(DischargeTo::names())
                            ),
                        );
                    }
                    to
                })
                .collect(),
        };
        let to = match raw.to.as_deref() {
            None => Some(DischargeTo::Home),
            Some(name) => {
                let to = INSTEAD_OF_CARE_HOME
                    .into_iter()
                    .find(|to| to.name() == name);
                if to.is_none() {
                    self.check.issue(
                        self.at("to"),
                        Some(format!("\"{name}\"")),
                        format!(
                            "is not where the discharges no longer going to a care home can go{}; use \"home\", \"reablement\" or \"community_bed\"",
                            did_you_mean(name, INSTEAD_OF_CARE_HOME.map(DischargeTo::name))
                        ),
                    );
                }
                to
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
        if effect == PathwayEffect::CareHomeDischarge
            && role == Role::CommunityBeds
            && to == DischargeTo::CommunityBed
        {
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
            if effect == PathwayEffect::RapidResponse {
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
                    // With [avoidable] each crisis class has its own share
                    // (the necessary class none): scaled as the file's is.
                    let p1 = match class_home_share(
                        cohort.class,
                        p1,
                        p0,
                        self.context.rapid_response_managed_at_home,
                    ) {
                        Ok(p) => p,
                        Err(needed) => {
                            self.check.issue(
                                self.at("managed_at_home"),
                                Some(format!("{p1}")),
                                format!("would need {needed:.4} of the not-admitted and avoidable crises of {} to end at home (with [avoidable] the necessary never do); lower it", patient_type.name),
                            );
                            return;
                        }
                    };
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
                    PathwayEffect::LengthOfStay => Operation::Stay(multiplier),
                    PathwayEffect::DischargeDelay => {
                        Operation::Delay(destinations.clone(), multiplier)
                    }
                    PathwayEffect::CareHomeDischarge => {
                        let homes: Vec<Destination> = pathway
                            .routes
                            .choices()
                            .map(|(_, d)| d)
                            .filter(|d| kind_of(*d) == Some(DischargeTo::CareHome))
                            .collect();
                        if homes.is_empty() {
                            continue;
                        }
                        let destination = match to {
                            DischargeTo::Home => Some(home),
                            DischargeTo::Reablement => own(Role::Reablement),
                            DischargeTo::CommunityBed => own(Role::CommunityBeds),
                            DischargeTo::HomeCare => own(Role::HomeCare),
                            // Refused when `to` was read: the lever moves
                            // patients away from care homes.
                            DischargeTo::CareHome => None,
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
                    // Its entry routes and pathways were changed above.
                    PathwayEffect::RapidResponse => continue,
                    // Not-admitted crises are not admitted from ED: there
                    // is no admission to divert (with [avoidable]).
                    PathwayEffect::DayUnitDiversion
                        if cohort.class == Some(CrisisClass::NotAdmitted) =>
                    {
                        continue;
                    }
                    PathwayEffect::DayUnitDiversion => {
                        // ED routes to the day unit, the difference from
                        // or to admissions.
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
