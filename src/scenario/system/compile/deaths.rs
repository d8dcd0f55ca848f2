//! Deaths built into a whole system, after the rest of its demand:
//!
//! - the population's deaths at home not preceded by a modelled crisis
//!   (cancer and other expected deaths cared for at home or in a hospice,
//!   sudden deaths): one patient type per ICC × age band × risk tier,
//!   `death_at_home/ICC/BAND/TIER`, whose arrivals go straight to the
//!   death sink, at `[age_bands.X] deaths_at_home_per_1000` × the tier's
//!   `mortality_multiplier`, growing and varying by month as crises do;
//! - the risk of death a crisis keeps when it is not admitted because an
//!   alternative managed it (rapid response ending at home, general
//!   practice, a community or acute day unit sending home): d = P(admitted
//!   | ED) × the type's risk of death in a hospital bed × `[pathways]
//!   avoided_crisis_death_multiplier` (1 by default: the trials of hospital
//!   at home and case management find no mortality difference);
//! - and when a `crisis_rate` lever prevented it: the chance that the
//!   crisis, had it happened, would have ended in death in its acute
//!   episode (in a hospital bed, or at home after an alternative, with the
//!   d above), from its entry routes and pathways (readmissions included;
//!   deaths later in community beds, care homes or home care left out:
//!   they come months or years after), × the same multiplier.
//!
//! Both read only what the demand built (types, cohorts and pathways), so
//! any way of splitting crises into types (risk tiers, classes) composes
//! with them: each crisis type gets the d of its own cohort and pathways.
//! A file without `deaths_at_home_per_1000` and with no crisis that can
//! die in hospital compiles to the network it did before.

use super::demand::Demand;
use super::services::Ids;
use super::sites::front_door;
use crate::model::system::{AdmissionIfEd, Cohort, DemandKind, Role, ServiceInfo};
use crate::model::{
    Destination, DiesAtHome, MemberRate, Pathway, PatientType, RouteTable, ServiceId, SinkId,
};
use crate::scenario::system::spec::{DAYS_PER_YEAR, Parts, Tier};

/// The home sink (0) and the death sink (1) of a whole system.
const HOME: SinkId = SinkId(0);
const DEATH: SinkId = SinkId(1);

/// Services whose patients sent home were managed without an admission
/// (an alternative to one): they keep the risk of death of the crisis.
fn manages_at_home(role: Role) -> bool {
    matches!(
        role,
        Role::RapidResponse | Role::PrimaryCare | Role::CommunityDayUnit | Role::DayUnit
    )
}

/// Each band's people by risk tier in ICC `i`: (tier name, share of the
/// band, × the band's rate of deaths at home), the rest last with the
/// multiplier that keeps the band's mean rate.
fn mortality_strata(tiers: &[Tier], b: usize) -> Vec<(&str, f64, f64)> {
    let in_band: Vec<&Tier> = tiers.iter().filter(|t| t.bands[b]).collect();
    let share: f64 = in_band.iter().map(|t| t.share).sum();
    let carried: f64 = in_band
        .iter()
        .map(|t| t.share * t.mortality_multiplier)
        .sum();
    let rest = if share < 1.0 {
        ((1.0 - carried) / (1.0 - share)).max(0.0)
    } else {
        0.0
    };
    let mut strata: Vec<(&str, f64, f64)> = in_band
        .iter()
        .map(|t| (t.name.as_str(), t.share, t.mortality_multiplier))
        .collect();
    strata.push(("rest", 1.0 - share, rest));
    strata
}

/// Appends the types of the population's deaths at home (none where a
/// band's rate is 0), after every other type so that the others keep
/// their ids.
pub(super) fn add_deaths_at_home(parts: &Parts, ids: &Ids, demand: &mut Demand) {
    for (i, icc) in parts.iccs.iter().enumerate() {
        for (b, band) in parts.bands.iter().enumerate() {
            if band.deaths_at_home_per_1000 <= 0.0 {
                continue;
            }
            for (tier, share, multiplier) in mortality_strata(&parts.tiers, b) {
                // Per member of a register's tier (they move), or the
                // tier's fixed share.
                let member_of = demand.registers.member_of(i, b, tier, MemberRate::Everyone);
                let people = match member_of {
                    Some(_) => 1.0,
                    None => icc.population[b] * share,
                };
                let rate =
                    people * band.deaths_at_home_per_1000 * multiplier / 1000.0 / DAYS_PER_YEAR;
                if rate <= 0.0 {
                    continue;
                }
                let mut patient_type = PatientType::new(
                    format!(
                        "death_at_home/{}/{}/{}",
                        icc.name,
                        parts.age_bands.name(b),
                        tier
                    ),
                    format!(
                        "Deaths at home not preceded by a modelled crisis, {} ICC residents aged {}, risk tier {}",
                        icc.name,
                        parts.age_bands.name(b),
                        tier
                    ),
                    // Never asked for: the entry route leads to the sink.
                    front_door(parts, ids, icc.site),
                    rate,
                );
                patient_type.entry = Some(RouteTable::to(Destination::Sink(DEATH)));
                patient_type.per_member_of = member_of;
                patient_type.monthly_factors = parts.monthly;
                patient_type.growth_per_year = parts.growth_of(i, b);
                demand.types.push(patient_type);
                demand.cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: tier.to_string(),
                    kind: DemandKind::DeathAtHome,
                    if_ed: AdmissionIfEd::default(),
                    class: None,
                });
                demand.pathways.push(Vec::new());
            }
        }
    }
}

/// The risk of death of a crisis type, had it gone to ED: P(admitted |
/// ED) (the day unit never full) × the share of its stays in a hospital
/// bed that end in death (the first of the trust's beds it uses).
fn risk_if_ed(cohort: &Cohort, pathways: &[(ServiceId, Pathway)], services: &[ServiceInfo]) -> f64 {
    let in_hospital = pathways
        .iter()
        .find(|(s, _)| {
            matches!(
                services[s.index()].role,
                Role::AcuteBeds | Role::PaediatricBeds
            )
        })
        .map_or(0.0, |(_, pathway)| {
            pathway
                .routes
                .choices()
                .filter(|(_, d)| *d == Destination::Sink(DEATH))
                .map(|(p, _)| p)
                .sum()
        });
    cohort.if_ed.probability(0.0) * in_hospital
}

/// Gives every crisis type the risk of death it keeps when an alternative
/// sends it home (`Pathway::dies_at_home` at the services that manage at
/// home) or a lever prevents it (`PatientType::death_if_prevented`).
pub(super) fn keep_risk_of_avoided_crises(
    parts: &Parts,
    services: &[ServiceInfo],
    demand: &mut Demand,
) {
    let multiplier = parts.pathways.avoided_crisis_death_multiplier;
    for t in 0..demand.types.len() {
        let cohort = &demand.cohorts[t];
        if cohort.kind != DemandKind::Crisis {
            continue;
        }
        let d = (multiplier * risk_if_ed(cohort, &demand.pathways[t], services)).clamp(0.0, 1.0);
        if d <= 0.0 {
            continue;
        }
        for (s, pathway) in &mut demand.pathways[t] {
            if manages_at_home(services[s.index()].role) {
                pathway.dies_at_home = Some(DiesAtHome {
                    home: HOME,
                    death: DEATH,
                    probability: d,
                });
            }
        }
        let patient_type = &demand.types[t];
        let entry = match &patient_type.entry {
            Some(routes) => routes.clone(),
            None => RouteTable::to(Destination::Service(patient_type.arrive_at)),
        };
        let acute = acute_death_probability(&entry, &demand.pathways[t], services);
        demand.types[t].death_if_prevented = (multiplier * acute).clamp(0.0, 1.0);
    }
}

/// The chance that an arrival entering by `entry` dies in its acute
/// episode, multiplier aside: the expected visits to each acute service
/// (ED, day units, rapid response, general practice, hospital beds) from
/// the routes (the traffic equations, readmissions included, nobody ever
/// turned away), times each visit's chance of death there: its routes to
/// the death sink, and its `dies_at_home` share of those sent home.
/// Community beds, care homes, reablement and home care are not followed:
/// their deaths come months or years later.
fn acute_death_probability(
    entry: &RouteTable,
    pathways: &[(ServiceId, Pathway)],
    services: &[ServiceInfo],
) -> f64 {
    let acute = |s: ServiceId| {
        let role = services[s.index()].role;
        role.is_hospital_bed() || manages_at_home(role) || role == Role::EmergencyDepartment
    };
    let n = services.len();
    let mut start = vec![0.0; n];
    for (p, d) in entry.choices() {
        if let Destination::Service(s) = d {
            start[s.index()] += p;
        }
    }
    // Transfers s → s' among the acute services, and deaths at each.
    let mut transfers: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    let mut death_here = vec![0.0; n];
    for (s, pathway) in pathways {
        if !acute(*s) {
            continue;
        }
        let mut returning = 0.0;
        for (p, d) in pathway.routes.choices() {
            match d {
                Destination::Service(next) if acute(next) => {
                    transfers[s.index()].push((next.index(), p));
                }
                Destination::Sink(DEATH) => death_here[s.index()] += p,
                Destination::Sink(HOME) => {
                    if let Some(dies) = pathway.dies_at_home {
                        death_here[s.index()] += p * dies.probability;
                    }
                }
                _ => {}
            }
            if let Some(r) = &pathway.readmission
                && !r.not_after.contains(&d)
            {
                returning += p * r.probability;
            }
        }
        if let Some(r) = &pathway.readmission {
            transfers[s.index()].push((r.service.index(), returning));
        }
    }
    let visits = crate::model::network::expected_visits(&start, &transfers);
    visits.iter().zip(&death_here).map(|(v, d)| v * d).sum()
}
