//! The patient types of a whole system and their pathways: one type per
//! ICC × age band × risk tier × kind of demand (crises, case-management
//! referrals, elective admissions, care-home placements), and care-home
//! residents' crises and census; each type routed to its own ICC's
//! services and its site's hospital.

use super::avoidable::{CrisisType, crisis_types};
use super::community_day_unit::{
    community_day_unit_or_ed, community_day_unit_pathway, from_rapid_response,
};
use super::services::{Ids, outlie_site};
use super::sites::{
    beds, elective_beds, emergency_site, emergency_sites, front_door, out_of_system, spread,
    utc_pathways,
};
use super::tiers::{Registers, build_registers};
use crate::engine::Distribution;
use crate::model::system::{AdmissionIfEd, Cohort, DemandKind, Role};
use crate::model::{
    Cancellation, Census, CensusStart, Destination, MemberRate, Pathway, PatientType,
    PatientTypeId, Readmission, RouteTable, Service, ServiceId, SinkId,
};
use crate::scenario::error::Issue;
use crate::scenario::system::spec::{
    Band, Community, DAYS_PER_YEAR, DischargeTo, Parts, Tier, home_care_packages,
};

/// Everyone who leaves alive goes home (sink 0).
const HOME: Destination = Destination::Sink(SinkId(0));
/// Deaths (sink 1).
const DEATH: Destination = Destination::Sink(SinkId(1));

/// The patient types, in the order they are built (which names their
/// random streams), with each one's cohort and pathways.
pub(super) struct Demand {
    pub(super) types: Vec<PatientType>,
    pub(super) cohorts: Vec<Cohort>,
    /// Each type's pathways, by service.
    pub(super) pathways: Vec<Vec<(ServiceId, Pathway)>>,
    /// Risk registers (moving tiers), whose members crises and referrals
    /// of a tier arrive per (none when tiers are fixed shares).
    pub(super) registers: Registers,
}

/// The type of the people already in a service at the start (care-home
/// residents, people in a home-care package): no arrivals of its own, so
/// every rate factor is 1.
fn census_type(name: String, description: String, arrive_at: ServiceId) -> PatientType {
    PatientType::new(name, description, arrive_at, 0.0)
}

/// Builds every patient type; care homes get their residents at the start
/// (`services` is where their census goes).
pub(super) fn build_demand(
    parts: &Parts,
    ids: &Ids,
    services: &mut [Service],
) -> Result<Demand, Issue> {
    let Parts {
        age_bands,
        monthly,
        weekday,
        hourly,
        elective_weekday,
        tiers,
        iccs,
        bands,
        pathways,
        community,
        care_homes,
        ..
    } = parts;
    let Community {
        rapid,
        reablement,
        case_management,
        bed_stay,
        bed_discharge,
        home_care,
        ..
    } = community;
    let registers = build_registers(parts, ids);
    let mut types: Vec<PatientType> = Vec::new();
    let mut cohorts: Vec<Cohort> = Vec::new();
    let mut pathways_table: Vec<Vec<(ServiceId, Pathway)>> = Vec::new();
    let arranging = |to: DischargeTo| pathways.arranging[to].clone();
    let care_home_routes = |p: f64, icc: usize| -> Vec<(f64, Destination, Option<Distribution>)> {
        vec![
            (
                p * (1.0 - care_homes.nursing_share),
                Destination::Service(ids[Role::ResidentialCare][icc]),
                arranging(DischargeTo::CareHome),
            ),
            (
                p * care_homes.nursing_share,
                Destination::Service(ids[Role::NursingCare][icc]),
                arranging(DischargeTo::CareHome),
            ),
        ]
    };
    // Home with a long-term package: waits where it is for a package.
    let home_care_route = |p: f64, icc: usize| {
        (
            p,
            Destination::Service(ids[Role::HomeCare][icc]),
            arranging(DischargeTo::HomeCare),
        )
    };
    // What every type does once in community services and care homes.
    let community_pathways = |icc: usize| -> Vec<(ServiceId, Pathway)> {
        let mut bed_routes = vec![
            (bed_discharge.home, HOME, None),
            (bed_discharge.death, DEATH, None),
        ];
        bed_routes.extend(care_home_routes(bed_discharge.care_home, icc));
        // Routes of share 0 are left out, so files without these keys
        // compile to the same route tables.
        bed_routes.push(home_care_route(bed_discharge.home_care, icc));
        bed_routes.push((
            bed_discharge.reablement,
            Destination::Service(ids[Role::Reablement][icc]),
            arranging(DischargeTo::Reablement),
        ));
        let reablement_routes = if reablement.to_home_care > 0.0 {
            RouteTable::with_delays(&[
                (1.0 - reablement.to_home_care, HOME, None),
                home_care_route(reablement.to_home_care, icc),
            ])
        } else {
            RouteTable::to(HOME)
        };
        let mut list = vec![
            (
                ids[Role::Reablement][icc],
                Pathway::new(reablement.episode.clone(), reablement_routes),
            ),
            (
                ids[Role::CommunityBeds][icc],
                Pathway::new(bed_stay.clone(), RouteTable::with_delays(&bed_routes)),
            ),
            (
                ids[Role::ResidentialCare][icc],
                Pathway::new(care_homes.residential_stay.clone(), RouteTable::to(DEATH)),
            ),
            (
                ids[Role::NursingCare][icc],
                Pathway::new(care_homes.nursing_stay.clone(), RouteTable::to(DEATH)),
            ),
        ];
        if let Some(home_care) = home_care {
            let end = &home_care.discharge;
            let mut routes = vec![(end.home, HOME, None), (end.death, DEATH, None)];
            routes.extend(care_home_routes(end.care_home, icc));
            list.push((
                ids[Role::HomeCare][icc],
                Pathway::new(home_care.package.clone(), RouteTable::with_delays(&routes)),
            ));
        }
        list
    };
    // Hospital stays: a share leaves the same day, the rest stay overnight.
    // A risk tier's `los_multiplier` scales the overnight part.
    let zero_day = |band: &Band, los_multiplier: f64| -> Distribution {
        let zero = band.zero_day_share;
        let overnight = band
            .overnight_stay
            .scaled(los_multiplier)
            .unwrap_or_else(|_| band.overnight_stay.clone());
        Distribution::mixture(vec![
            (zero, pathways.zero_day_stay.clone()),
            (1.0 - zero, overnight.clone()),
        ])
        .unwrap_or(overnight)
    };
    let person_rate = |people: f64, per_1000: f64| people * per_1000 / 1000.0 / DAYS_PER_YEAR;

    for (i, icc) in iccs.iter().enumerate() {
        // The main site, for what has one site: the day unit the
        // admissions-if-ED estimate reads, and where care-home crises go.
        let site = emergency_site(parts, icc.site);
        for (b, band) in bands.iter().enumerate() {
            // The band's name as used in type names ("85+" stays readable).
            let label = age_bands.name(b);
            let growth_b = parts.growth_of(i, b);
            let children = parts.age_bands.is_children(b);
            let survive = 1.0 - band.in_hospital_death;
            let mut discharge = vec![
                (
                    survive * band.discharge.home,
                    HOME,
                    arranging(DischargeTo::Home),
                ),
                (
                    survive * band.discharge.reablement,
                    Destination::Service(ids[Role::Reablement][i]),
                    arranging(DischargeTo::Reablement),
                ),
                (
                    survive * band.discharge.community_bed,
                    Destination::Service(ids[Role::CommunityBeds][i]),
                    arranging(DischargeTo::CommunityBed),
                ),
                (band.in_hospital_death, DEATH, None),
            ];
            discharge.extend(care_home_routes(survive * band.discharge.care_home, i));
            discharge.push(home_care_route(survive * band.discharge.home_care, i));
            // The trust's beds `beds` and other providers, for a stay
            // multiplier: a readmission returns to the beds of the first
            // stay.
            let hospital_for = |los_multiplier: f64, beds: ServiceId| -> (Pathway, Pathway) {
                let stay = zero_day(band, los_multiplier);
                let mut hospital = Pathway::new(stay.clone(), RouteTable::with_delays(&discharge));
                hospital.readmission = (band.readmission_30d > 0.0).then(|| Readmission {
                    probability: band.readmission_30d,
                    delay: pathways.readmission_delay.clone(),
                    // A readmission is an admission: straight back to the beds.
                    service: beds,
                    not_after: vec![DEATH],
                });
                let other = Pathway::new(
                    stay,
                    RouteTable::new(&[(survive, HOME), (band.in_hospital_death, DEATH)]),
                );
                (hospital, other)
            };
            // Admitted at emergency site `e`: its beds or other providers.
            let admitted_at = |e: usize, p: f64| -> Vec<(f64, Destination)> {
                let out = out_of_system(parts, e, band.other_provider);
                vec![
                    (
                        p * (1.0 - out),
                        Destination::Service(beds(ids, e, children)),
                    ),
                    (p * out, Destination::Service(ids.other_providers)),
                ]
            };
            // Admitted before reaching a site: the catchment's shares.
            let admitted = |p: f64| -> Vec<(f64, Destination)> {
                spread(parts, i, p, |s| admitted_at(emergency_site(parts, s), 1.0))
            };
            // To the front door (ED or urgent treatment centre) of the
            // catchment's sites.
            let to_front_door = |p: f64| -> Vec<(f64, Destination)> {
                spread(parts, i, p, |s| {
                    vec![(1.0, Destination::Service(front_door(parts, ids, s)))]
                })
            };
            let ed_routes = |e: usize| -> Vec<(f64, Destination)> {
                let mut routes = vec![
                    (
                        band.ed_to_day_unit,
                        Destination::Service(ids[Role::DayUnit][e]),
                    ),
                    (1.0 - band.ed_to_day_unit - band.ed_admission, HOME),
                ];
                routes.extend(admitted_at(e, band.ed_admission));
                routes
            };
            let day_unit_routes = |e: usize| -> Vec<(f64, Destination)> {
                let mut routes = vec![(1.0 - pathways.day_unit_admission, HOME)];
                routes.extend(admitted_at(e, pathways.day_unit_admission));
                routes
            };
            let admission_if_ed = AdmissionIfEd {
                ed_admission: band.ed_admission,
                ed_to_day_unit: band.ed_to_day_unit,
                day_unit_admission: pathways.day_unit_admission,
                day_unit: Some(ids[Role::DayUnit][site].index()),
            };
            let emergency_pathways =
                |with_rr: bool, los_multiplier: f64| -> Vec<(ServiceId, Pathway)> {
                    let (_, other) = hospital_for(los_multiplier, beds(ids, site, children));
                    let mut list = Vec::new();
                    for e in emergency_sites(parts, i) {
                        let at = beds(ids, e, children);
                        let (hospital, _) = hospital_for(los_multiplier, at);
                        list.push((
                            ids[Role::EmergencyDepartment][e],
                            Pathway::new(pathways.ed_stay.clone(), RouteTable::new(&ed_routes(e))),
                        ));
                        list.push((
                            ids[Role::DayUnit][e],
                            Pathway::new(
                                pathways.day_unit_stay.clone(),
                                RouteTable::new(&day_unit_routes(e)),
                            ),
                        ));
                        list.push((at, hospital.clone()));
                        if e == site {
                            list.push((ids.other_providers, other.clone()));
                        }
                        // Adults waiting for a bed may outlie to the next
                        // site's (unless the catchment uses it already).
                        if let (false, Some(j)) = (children, outlie_site(parts, e))
                            && !emergency_sites(parts, i).contains(&j)
                        {
                            list.push((ids[Role::AcuteBeds][j], hospital));
                        }
                    }
                    list.extend(utc_pathways(parts, ids, i));
                    if with_rr {
                        // Not managed at home: ED, or a share to the
                        // community day unit (none without one: the same
                        // route table as before).
                        let not_home = 1.0 - rapid.managed_at_home;
                        let to_unit = from_rapid_response(parts, i, children);
                        let mut routes = vec![(rapid.managed_at_home, HOME)];
                        routes.extend(to_front_door(not_home * (1.0 - to_unit)));
                        routes.push((not_home * to_unit, community_day_unit_or_ed(ids, parts, i)));
                        list.push((
                            ids[Role::RapidResponse][i],
                            Pathway::new(rapid.episode.clone(), RouteTable::new(&routes)),
                        ));
                    }
                    // Adults referred on may attend the community day unit.
                    if !children
                        && let Some(unit) = community_day_unit_pathway(ids, parts, i, &admitted)
                    {
                        list.push(unit);
                    }
                    list.extend(community_pathways(i));
                    list
                };

            // Crises, by risk tier within the band.
            let in_band: Vec<&Tier> = tiers.iter().filter(|t| t.bands[b]).collect();
            let tier_share: f64 = in_band.iter().map(|t| t.share).sum();
            let carried: f64 = in_band.iter().map(|t| t.share * t.crisis_multiplier).sum();
            let rest_multiplier = if tier_share < 1.0 {
                (1.0 - carried) / (1.0 - tier_share)
            } else {
                0.0
            };
            let mut strata: Vec<(&str, f64, f64, f64, f64)> = in_band
                .iter()
                .map(|t| {
                    (
                        t.name.as_str(),
                        t.share,
                        t.crisis_multiplier,
                        t.referrals_per_1000,
                        t.los_multiplier,
                    )
                })
                .collect();
            strata.push(("rest", 1.0 - tier_share, rest_multiplier, 0.0, 1.0));
            // Crises that first seek a same-day appointment, where the
            // ICC's practices ever have one: their pathway there, and the
            // entry route today's scaled by what is left.
            let primary_care = same_day_pathway(parts, ids, i, b);
            for (tier, share, multiplier, referrals, los_multiplier) in strata {
                // Per member of a register's tier, or the tier's fixed share.
                let crisis_of = registers.member_of(i, b, tier, MemberRate::Crisis);
                let referral_of = registers.member_of(i, b, tier, MemberRate::Referral);
                let people = match crisis_of {
                    Some(_) => 1.0,
                    None => icc.population[b] * share,
                };
                let mut entry = vec![(
                    band.rapid_response_eligible,
                    Destination::Service(ids[Role::RapidResponse][i]),
                )];
                entry.extend(admitted(band.direct_admission));
                entry.extend(to_front_door(
                    1.0 - band.rapid_response_eligible - band.direct_admission,
                ));
                let entry = RouteTable::new(&entry);
                let (entry, at_primary_care) = match &primary_care {
                    Some((service, seek, pathway)) => (
                        seeking_first(&entry, *service, *seek),
                        Some((*service, pathway.clone().with_onward(entry))),
                    ),
                    None => (entry, None),
                };
                let patient_type = PatientType {
                    name: format!("crisis/{}/{}/{}", icc.name, label, tier),
                    description: format!(
                        "Urgent needs of {} ICC residents aged {}, risk tier {}",
                        icc.name, label, tier
                    ),
                    arrive_at: front_door(parts, ids, icc.site),
                    entry: Some(entry),
                    // The ICC's multiplier (1 unless given) on every
                    // tier's rate: crises only.
                    rate_per_day: person_rate(
                        people,
                        band.crisis_per_1000 * multiplier * icc.demand.crisis_multiplier,
                    ),
                    per_occupant_of: None,
                    per_member_of: crisis_of,
                    monthly_factors: *monthly,
                    weekday_factors: *weekday,
                    hourly_factors: *hourly,
                    growth_per_year: growth_b,
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                    cancellation: None,
                    death_if_prevented: 0.0,
                };
                let cohort = Cohort {
                    icc: i,
                    age_band: b,
                    tier: tier.to_string(),
                    kind: DemandKind::Crisis,
                    if_ed: admission_if_ed,
                    class: None,
                };
                let mut list = emergency_pathways(true, los_multiplier);
                list.extend(at_primary_care);
                // One type per crisis class with [avoidable], else itself.
                let base = CrisisType {
                    patient_type,
                    cohort,
                    pathways: list,
                };
                for split in crisis_types(parts, ids, b, los_multiplier, base)? {
                    types.push(split.patient_type);
                    cohorts.push(split.cohort);
                    pathways_table.push(split.pathways);
                }
                if referrals > 0.0 {
                    types.push(PatientType {
                        name: format!("case_management/{}/{}/{}", icc.name, label, tier),
                        description: format!("Referrals to case management of {} ICC residents aged {}, risk tier {}", icc.name, label, tier),
                        arrive_at: ids[Role::CaseManagement][i],
                        entry: None,
                        rate_per_day: person_rate(people, referrals),
                        per_occupant_of: None,
                        per_member_of: referral_of,
                        monthly_factors: [1.0; 12],
                        weekday_factors: *elective_weekday,
                        hourly_factors: [1.0; 24],
                        growth_per_year: growth_b,
                        rate_changes: Vec::new(),
                        entry_changes: Vec::new(),
                    cancellation: None,
                    death_if_prevented: 0.0,
                    });
                    cohorts.push(Cohort {
                        icc: i,
                        age_band: b,
                        tier: tier.to_string(),
                        kind: DemandKind::CaseManagementReferral,
                        if_ed: admission_if_ed,
                        class: None,
                    });
                    pathways_table.push(vec![(
                        ids[Role::CaseManagement][i],
                        Pathway::new(case_management.episode.clone(), RouteTable::to(HOME)),
                    )]);
                }
            }

            // Ordinary elective admissions: at the chosen site's own beds
            // (or `ed_at`'s when it has none), or other providers.
            if band.elective_per_1000 > 0.0
                && let Some(elective_stay) = &band.elective_stay
            {
                let electives = spread(parts, i, 1.0, |s| {
                    let out = out_of_system(parts, s, band.other_provider);
                    vec![
                        (
                            1.0 - out,
                            Destination::Service(elective_beds(parts, ids, s, children)),
                        ),
                        (out, Destination::Service(ids.other_providers)),
                    ]
                });
                let mut elective_sites: Vec<ServiceId> = icc
                    .catchment
                    .iter()
                    .map(|&(s, _)| elective_beds(parts, ids, s, children))
                    .collect();
                elective_sites.dedup();
                types.push(PatientType {
                    name: format!("elective/{}/{}", icc.name, label),
                    description: format!(
                        "Ordinary elective admissions of {} ICC residents aged {}",
                        icc.name, label
                    ),
                    arrive_at: elective_beds(parts, ids, icc.site, children),
                    entry: Some(RouteTable::new(&electives)),
                    // Cancelled twice: treated by another provider.
                    cancellation: pathways.pressure.elective_cancellation.clone().map(|c| {
                        Cancellation {
                            elsewhere: Some(ids.other_providers),
                            ..c
                        }
                    }),
                    rate_per_day: person_rate(
                        icc.population[b],
                        band.elective_per_1000 * icc.demand.elective_multiplier,
                    ),
                    per_occupant_of: None,
                    per_member_of: None,
                    monthly_factors: [1.0; 12],
                    weekday_factors: *elective_weekday,
                    hourly_factors: [1.0; 24],
                    growth_per_year: growth_b,
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                    death_if_prevented: 0.0,
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: "rest".into(),
                    kind: DemandKind::Elective,
                    if_ed: AdmissionIfEd::default(),
                    class: None,
                });
                let elective_routes = RouteTable::with_delays(&[
                    (
                        pathways.elective_discharge.home,
                        HOME,
                        arranging(DischargeTo::Home),
                    ),
                    (
                        pathways.elective_discharge.reablement,
                        Destination::Service(ids[Role::Reablement][i]),
                        arranging(DischargeTo::Reablement),
                    ),
                    home_care_route(pathways.elective_discharge.home_care, i),
                ]);
                let mut list: Vec<(ServiceId, Pathway)> = elective_sites
                    .into_iter()
                    .map(|beds| {
                        (
                            beds,
                            Pathway::new(elective_stay.clone(), elective_routes.clone()),
                        )
                    })
                    .collect();
                list.push((
                    ids.other_providers,
                    Pathway::new(elective_stay.clone(), RouteTable::to(HOME)),
                ));
                list.extend(community_pathways(i));
                pathways_table.push(list);
            }

            // Care-home placements arranged from home.
            if band.care_home_placements_per_1000 > 0.0 {
                types.push(PatientType {
                    name: format!("care_home_placement/{}/{}", icc.name, label),
                    description: format!(
                        "Permanent care-home placements from home, {} ICC residents aged {}",
                        icc.name, label
                    ),
                    arrive_at: ids[Role::ResidentialCare][i],
                    entry: Some(RouteTable::new(&[
                        (
                            1.0 - care_homes.nursing_share,
                            Destination::Service(ids[Role::ResidentialCare][i]),
                        ),
                        (
                            care_homes.nursing_share,
                            Destination::Service(ids[Role::NursingCare][i]),
                        ),
                    ])),
                    rate_per_day: person_rate(
                        icc.population[b],
                        band.care_home_placements_per_1000,
                    ),
                    per_occupant_of: None,
                    per_member_of: None,
                    monthly_factors: [1.0; 12],
                    weekday_factors: *elective_weekday,
                    hourly_factors: [1.0; 24],
                    growth_per_year: growth_b,
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                    cancellation: None,
                    death_if_prevented: 0.0,
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: "rest".into(),
                    kind: DemandKind::CareHomePlacement,
                    if_ed: AdmissionIfEd::default(),
                    class: None,
                });
                pathways_table.push(community_pathways(i));
            }

            // Home-care packages started from home (waiting at home).
            if band.home_care_referrals_per_1000 > 0.0 {
                types.push(PatientType {
                    name: format!("home_care_referral/{}/{}", icc.name, label),
                    description: format!(
                        "Long-term home-care packages started from home, {} ICC residents aged {}",
                        icc.name, label
                    ),
                    arrive_at: ids[Role::HomeCare][i],
                    entry: None,
                    rate_per_day: person_rate(icc.population[b], band.home_care_referrals_per_1000),
                    per_occupant_of: None,
                    per_member_of: None,
                    monthly_factors: [1.0; 12],
                    weekday_factors: *elective_weekday,
                    hourly_factors: [1.0; 24],
                    growth_per_year: growth_b,
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                    cancellation: None,
                    death_if_prevented: 0.0,
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: "rest".into(),
                    kind: DemandKind::HomeCareReferral,
                    if_ed: AdmissionIfEd::default(),
                    class: None,
                });
                pathways_table.push(community_pathways(i));
            }
        }

        // Care-home residents: their crises (per resident) and the census,
        // counted in the oldest band (whose day-unit share they take).
        let oldest = age_bands.oldest();
        let band = &bands[oldest];
        for (home, places) in [
            (ids[Role::ResidentialCare][i], icc.residential_places),
            (ids[Role::NursingCare][i], icc.nursing_places),
        ] {
            let kind = if home == ids[Role::ResidentialCare][i] {
                "residential"
            } else {
                "nursing"
            };
            let survive = 1.0 - care_homes.in_hospital_death;
            // No readmissions here: the residents' crisis rate already
            // counts every attendance, returns included.
            let hospital = Pathway::new(
                zero_day(band, 1.0),
                RouteTable::new(&[(survive, HOME), (care_homes.in_hospital_death, DEATH)]),
            );
            let admitted_at = |e: usize, p: f64| {
                let out = out_of_system(parts, e, band.other_provider);
                [
                    (
                        p * (1.0 - out),
                        Destination::Service(ids[Role::AcuteBeds][e]),
                    ),
                    (p * out, Destination::Service(ids.other_providers)),
                ]
            };
            // Several sites: the site is picked on arrival, by share.
            let entry = (icc.catchment.len() > 1).then(|| {
                RouteTable::new(&spread(parts, i, 1.0, |s| {
                    vec![(1.0, Destination::Service(front_door(parts, ids, s)))]
                }))
            });
            types.push(PatientType {
                name: format!("care_home_crisis/{}/{kind}", icc.name),
                description: format!(
                    "Urgent needs of {kind} care-home residents, {} ICC (per resident)",
                    icc.name
                ),
                arrive_at: front_door(parts, ids, icc.site),
                entry,
                rate_per_day: care_homes.attendances_per_resident_year / DAYS_PER_YEAR,
                per_occupant_of: Some(home),
                per_member_of: None,
                monthly_factors: *monthly,
                weekday_factors: *weekday,
                hourly_factors: *hourly,
                growth_per_year: 0.0,
                rate_changes: Vec::new(),
                entry_changes: Vec::new(),
                cancellation: None,
                death_if_prevented: 0.0,
            });
            cohorts.push(Cohort {
                icc: i,
                age_band: oldest,
                tier: kind.into(),
                kind: DemandKind::CareHomeCrisis,
                if_ed: AdmissionIfEd {
                    ed_admission: care_homes.ed_admission,
                    ed_to_day_unit: band.ed_to_day_unit,
                    day_unit_admission: pathways.day_unit_admission,
                    day_unit: Some(ids[Role::DayUnit][site].index()),
                },
                class: None,
            });
            let mut list = Vec::new();
            for e in emergency_sites(parts, i) {
                let mut ed_routes = vec![
                    (
                        band.ed_to_day_unit,
                        Destination::Service(ids[Role::DayUnit][e]),
                    ),
                    (1.0 - band.ed_to_day_unit - care_homes.ed_admission, HOME),
                ];
                ed_routes.extend(admitted_at(e, care_homes.ed_admission));
                let mut day_unit_routes = vec![(1.0 - pathways.day_unit_admission, HOME)];
                day_unit_routes.extend(admitted_at(e, pathways.day_unit_admission));
                list.push((
                    ids[Role::EmergencyDepartment][e],
                    Pathway::new(pathways.ed_stay.clone(), RouteTable::new(&ed_routes)),
                ));
                list.push((
                    ids[Role::DayUnit][e],
                    Pathway::new(
                        pathways.day_unit_stay.clone(),
                        RouteTable::new(&day_unit_routes),
                    ),
                ));
                list.push((ids[Role::AcuteBeds][e], hospital.clone()));
                if e == site {
                    list.push((
                        ids.other_providers,
                        Pathway::new(
                            zero_day(band, 1.0),
                            RouteTable::new(&[
                                (survive, HOME),
                                (care_homes.in_hospital_death, DEATH),
                            ]),
                        ),
                    ));
                }
                if let Some(j) = outlie_site(parts, e)
                    && !emergency_sites(parts, i).contains(&j)
                {
                    list.push((ids[Role::AcuteBeds][j], hospital.clone()));
                }
            }
            list.extend(utc_pathways(parts, ids, i));
            pathways_table.push(list);

            let census = (care_homes.occupancy_at_start * f64::from(places)).round() as u32;
            if census > 0 {
                let t = PatientTypeId(types.len() as u32);
                types.push(census_type(
                    format!("care_home_census/{}/{kind}", icc.name),
                    format!("{kind} care-home residents at the start, {} ICC", icc.name),
                    home,
                ));
                cohorts.push(Cohort {
                    icc: i,
                    age_band: oldest,
                    tier: kind.into(),
                    kind: DemandKind::CareHomeCensus,
                    if_ed: AdmissionIfEd::default(),
                    class: None,
                });
                pathways_table.push(community_pathways(i));
                services[home.index()].census = vec![Census {
                    patient_type: t,
                    start: CensusStart::Equilibrium { patients: census },
                }];
            }
        }

        // People in a home-care package at the start: packages last longer
        // than any warm-up, so they start part-way through (as care homes).
        if let Some(home_care) = home_care {
            let packages = home_care_packages(icc, Some(home_care));
            let census = (home_care.occupancy_at_start * f64::from(packages)).round() as u32;
            if census > 0 {
                let t = PatientTypeId(types.len() as u32);
                types.push(census_type(
                    format!("home_care_census/{}", icc.name),
                    format!(
                        "People receiving a home-care package at the start, {} ICC",
                        icc.name
                    ),
                    ids[Role::HomeCare][i],
                ));
                // Most people with a package are old: counted in the oldest band.
                cohorts.push(Cohort {
                    icc: i,
                    age_band: age_bands.oldest(),
                    tier: "rest".into(),
                    kind: DemandKind::HomeCareCensus,
                    if_ed: AdmissionIfEd::default(),
                    class: None,
                });
                pathways_table.push(community_pathways(i));
                services[ids[Role::HomeCare][i].index()].census = vec![Census {
                    patient_type: t,
                    start: CensusStart::Equilibrium { patients: census },
                }];
            }
        }
    }

    Ok(Demand {
        types,
        cohorts,
        pathways: pathways_table,
        registers,
    })
}

/// The primary-care service of ICC `i` with the share of band `b`'s crises
/// that first seek a same-day appointment there and their pathway at it
/// (without `onward`, which is each type's entry route as it was), or None
/// when no crisis of the band seeks one or the ICC's practices never have
/// one: then the entry route, and the run, are exactly as without primary
/// care.
fn same_day_pathway(
    parts: &Parts,
    ids: &Ids,
    i: usize,
    b: usize,
) -> Option<(ServiceId, f64, Pathway)> {
    let primary_care = parts.primary_care.as_ref()?;
    let icc = &parts.iccs[i];
    let band = &parts.bands[b];
    let seek = band.seek_same_day;
    if seek <= 0.0 || !primary_care.has_slots(icc) {
        return None;
    }
    let service = *ids[Role::PrimaryCare].get(i)?;
    let children = parts.age_bands.is_children(b);
    // The main site's front door, for routes with one destination.
    let ed = Destination::Service(front_door(parts, ids, icc.site));
    let rest = 1.0 - primary_care.managed;
    let on = &primary_care.referred_on;
    // Rapid response is an adult service: children referred to it go to ED.
    let rapid = if children {
        ed
    } else {
        Destination::Service(ids[Role::RapidResponse][i])
    };
    // The ICC's community day unit (adults only), the site's ED where it
    // has none.
    let day_unit = if children {
        ed
    } else {
        community_day_unit_or_ed(ids, parts, i)
    };
    let admission = on.admission * rest;
    let mut routes = vec![(primary_care.managed, HOME)];
    // Referred to ED: the catchment's front doors, by share.
    routes.extend(spread(parts, i, on.ed * rest, |s| {
        vec![(1.0, Destination::Service(front_door(parts, ids, s)))]
    }));
    routes.push((on.rapid_response * rest, rapid));
    routes.push((on.day_unit * rest, day_unit));
    // Admitted directly, split between the trust and other providers
    // as the band's direct admissions are.
    routes.extend(spread(parts, i, admission, |s| {
        let e = emergency_site(parts, s);
        let out = out_of_system(parts, e, band.other_provider);
        vec![
            (1.0 - out, Destination::Service(beds(ids, e, children))),
            (out, Destination::Service(ids.other_providers)),
        ]
    }));
    let routes = RouteTable::new(&routes);
    Some((
        service,
        seek,
        Pathway::new(primary_care.appointment.clone(), routes),
    ))
}

/// The entry route of a type whose crises first seek a same-day
/// appointment (share `seek`), the rest as before scaled by 1 − seek.
fn seeking_first(entry: &RouteTable, primary_care: ServiceId, seek: f64) -> RouteTable {
    let mut choices = vec![(seek, Destination::Service(primary_care))];
    choices.extend(entry.choices().map(|(p, d)| (p * (1.0 - seek), d)));
    RouteTable::new(&choices)
}
