//! Compiling a whole system's [`Parts`] into a plain [`Network`] with its
//! [`SystemLayout`]: `services` builds the services from a table of kinds,
//! `demand` the patient types and their pathways. The order in which they
//! are built is part of the output (service ids, and the random streams
//! named after types), so it is kept exactly.

mod avoidable;
mod community_day_unit;
mod deaths;
mod demand;
mod services;
mod sites;
pub(super) mod tiers;

use super::spec::Parts;
use crate::model::system::{Role, SystemLayout};
use crate::model::{Network, Pathway};
use crate::scenario::check::MAX_TYPE_SERVICE_PAIRS;
use crate::scenario::error::Issue;
use crate::scenario::system::costs::primary_care_staff;
use demand::build_demand;
use services::build_services;

/// What a patient blocked in a place is waiting for, by the kind of the
/// place wanted (`Network::wait_classes`; the delay reasons and the
/// outputs read them by name). `home_care`, `reablement`, `community_bed`
/// and `care_home` are the services downstream of hospital.
pub(crate) const WAIT_CLASSES: [&str; 6] = [
    "hospital_bed",
    "home_care",
    "reablement",
    "community_bed",
    "care_home",
    "community_team",
];

/// The index in [`WAIT_CLASSES`] of a kind of service.
fn wait_class(role: Role) -> u8 {
    match role {
        Role::EmergencyDepartment
        | Role::DayUnit
        | Role::AcuteBeds
        | Role::PaediatricBeds
        | Role::OtherProvider
        | Role::CommunityDayUnit
        | Role::UrgentTreatmentCentre => 0,
        Role::HomeCare => 1,
        Role::Reablement => 2,
        Role::CommunityBeds => 3,
        Role::ResidentialCare | Role::NursingCare => 4,
        // Primary care never holds anyone waiting (full or closed: onward).
        Role::RapidResponse | Role::CaseManagement | Role::PrimaryCare => 5,
    }
}

/// The network of a whole system, or the issue when it is too large to run.
pub(super) fn compile(
    name: String,
    title: String,
    description: String,
    parts: Parts,
) -> Result<Network, Issue> {
    let (mut services, infos, ids) = build_services(&parts);
    for (service, info) in services.iter_mut().zip(&infos) {
        service.wait_class = wait_class(info.role);
    }
    let n_services = services.len();
    let mut demand = build_demand(&parts, &ids, &mut services)?;
    deaths::add_deaths_at_home(&parts, &ids, &mut demand);
    deaths::keep_risk_of_avoided_crises(&parts, &infos, &mut demand);
    let staff_costs = primary_care_staff(&parts);
    let (types, cohorts, pathways_table) = (demand.types, demand.cohorts, demand.pathways);
    let risk_registers = demand.registers.list;
    // Each ICC's growth by band, its own where it gives one.
    let growth_per_year: Vec<Vec<f64>> = (0..parts.iccs.len())
        .map(|i| {
            (0..parts.age_bands.len())
                .map(|b| parts.growth_of(i, b))
                .collect()
        })
        .collect();
    let Parts {
        run,
        age_bands,
        gp_per_person,
        sites,
        iccs,
        costs,
        targets,
        primary_care,
        ..
    } = parts;
    if types.len().saturating_mul(n_services) > MAX_TYPE_SERVICE_PAIRS {
        return Err(Issue {
            path: "iccs".to_string(),
            value: None,
            problem: format!(
                "{} ICCs make {} patient types × {} services, more than {MAX_TYPE_SERVICE_PAIRS} (type, service) pairs: more than a replication can hold; model fewer ICCs, sites or risk tiers in one scenario",
                iccs.len(),
                types.len(),
                n_services
            ),
        });
    }
    let mut pathways_flat: Vec<Option<Pathway>> = vec![None; types.len() * n_services];
    for (t, list) in pathways_table.into_iter().enumerate() {
        for (s, pathway) in list {
            pathways_flat[t * n_services + s.index()] = Some(pathway);
        }
    }

    let layout = SystemLayout {
        iccs: iccs.iter().map(|i| i.name.clone()).collect(),
        sites: sites.iter().map(|s| s.name.clone()).collect(),
        cohorts,
        services: infos,
        home_sink: 0,
        death_sink: 1,
        age_bands,
        population: iccs.iter().map(|i| i.population.clone()).collect(),
        growth_per_year,
        gp_appointments_per_person: gp_per_person,
        // With [primary_care] general practice is paid as staff
        // (`staff_costs`), not by the appointment per head as well.
        gp_appointment_cost: if primary_care.is_some() {
            0.0
        } else {
            costs.gp_appointment
        },
        price_year: costs.price_year,
        targets,
        budget: Vec::new(),
        full_effect_from: None,
        lever_costs: Vec::new(),
        staff_costs,
        workforce: Vec::new(),
    };
    Ok(Network {
        name,
        title,
        description,
        run,
        services,
        sinks: vec!["home".into(), "death".into()],
        patient_types: types,
        pathways: pathways_flat,
        layout: Some(layout),
        parameters: Vec::new(),
        wait_classes: WAIT_CLASSES.iter().map(|c| c.to_string()).collect(),
        risk_registers,
    })
}
