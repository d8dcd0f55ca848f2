//! Levers that change pathways or entry routes of the cohorts they reach:
//! `length_of_stay`, `discharge_delay`, `care_home_discharge`,
//! `day_unit_diversion` and `rapid_response`.

use super::effect::{DISCHARGE_DESTINATIONS, LEVER_DEMAND, STAY_SERVICES};
use super::lever::Lever;
use super::plan::{Operation, Plan, Scheduled, Target, destination_kind, is_site_service};
use super::quoted;
use crate::engine::{CalendarDate, Distribution};
use crate::model::system::Role;
use crate::model::{Destination, PatientTypeId, ServiceId};
use crate::scenario::error::did_you_mean;

impl Lever<'_> {
    /// Levers that change pathways or entry routes of targeted cohorts.
    pub(super) fn pathway_lever(
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
