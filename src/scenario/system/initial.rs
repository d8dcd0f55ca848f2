//! The starting state of a whole system: `[initial.SERVICE]` (today's
//! census of a built service, shared among the patient types that use it)
//! and, for every long-stay service the file does not name, a census at
//! its steady-state load, so that no output starts from empty teams and
//! beds whose stays outlast the warm-up.

use super::raw::RawSystemInitial;
use crate::model::system::Role;
use crate::model::{Capacity, Census, CensusStart, Network, PatientTypeId};
use crate::scenario::check::{Checker, MAX_CAPACITY};
use crate::scenario::error::did_you_mean;

/// Shares `total` among weights by largest remainder (ties to the first):
/// whole numbers adding up to `total`, each within 1 of its exact share.
fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| f64::from(total) * w / sum).collect();
    let mut shares: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let given: u32 = shares.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given) as usize) {
        shares[i] += 1;
    }
    shares
}

/// Services whose stays are long against a warm-up (case management
/// averages 180 days, community beds and reablement weeks, with their
/// queues behind them): started from a census unless the file gives one.
/// Care homes and home care have `occupancy_at_start`; acute beds and
/// same-day services fill within weeks.
const LONG_STAY: [Role; 3] = [Role::CaseManagement, Role::Reablement, Role::CommunityBeds];

/// Starts every long-stay service the file leaves without a census from
/// its steady-state load: the place-days the patient types would take if
/// nothing were full ([`Network::offered_load`]), at most its places at the
/// start, shared among the types by that load and part-way through their
/// stays (the equilibrium of each stay). `[initial.SERVICE] patients = 0`
/// starts one empty; `named` are the services the file's `[initial]` gives.
pub(super) fn start_long_stay_services(network: &mut Network, named: &[&str]) {
    let Some(layout) = &network.layout else {
        return;
    };
    let long_stay: Vec<usize> = layout
        .services
        .iter()
        .enumerate()
        .filter(|(_, info)| LONG_STAY.contains(&info.role))
        .map(|(s, _)| s)
        .collect();
    let load = network.offered_load();
    for s in long_stay {
        let service = &network.services[s];
        if !service.census.is_empty() || named.contains(&service.name.as_str()) {
            continue;
        }
        let weights: Vec<f64> = load.iter().map(|per_type| per_type[s]).collect();
        let steady: f64 = weights.iter().sum();
        let places = match service.capacity {
            Capacity::Limited(places) => f64::from(places),
            Capacity::Unlimited => f64::INFINITY,
        };
        let patients = steady.min(places).floor() as u32;
        network.services[s].census = apportion(patients, &weights)
            .into_iter()
            .enumerate()
            .filter(|&(_, share)| share > 0)
            .map(|(t, share)| Census {
                patient_type: PatientTypeId(t as u32),
                start: CensusStart::Equilibrium { patients: share },
            })
            .collect();
    }
}

/// Puts each `[initial.SERVICE]` census into its service, shared among the
/// patient types that use the service in proportion to the place-days
/// they would take ([`Network::offered_load`]): the mix of ICCs, ages and
/// pathways a ward holds in steady state.
pub(super) fn apply_initial(check: &mut Checker, initial: &toml::Value, network: &mut Network) {
    let Some(table) = initial.as_table() else {
        check.issue(
            "initial",
            Some(initial.type_str().to_string()),
            "must be tables of services, e.g. [initial.acute_cumberland_infirmary] with patients = 370",
        );
        return;
    };
    let load = network.offered_load();
    for (service_name, value) in table {
        let path = format!("initial.{service_name}");
        let Some(s) = network.service_id(service_name) else {
            check.issue(
                &path,
                None,
                format!(
                    "no such service in this scenario{}; the built services are named in summary.csv (e.g. acute_<site>, community_beds_<icc>, reablement_<icc>)",
                    did_you_mean(service_name, network.services.iter().map(|s| s.name.as_str()))
                ),
            );
            continue;
        };
        let Some(raw) = check.section::<RawSystemInitial>(&path, value.clone()) else {
            continue;
        };
        if !network.services[s.index()].census.is_empty() {
            check.issue(
                &path,
                None,
                "a care home's residents at the start are set by care_homes.occupancy_at_start; remove this section",
            );
            continue;
        }
        let count = |check: &mut Checker, key: &str, value: Option<f64>| {
            value.map_or(Some(0), |v| {
                check
                    .whole_in(&format!("{path}.{key}"), v, 0.0, MAX_CAPACITY, "patients")
                    .map(|v| v as u32)
            })
        };
        let (Some(patients), Some(fit)) = (
            count(check, "patients", raw.patients),
            count(check, "fit_to_leave", raw.fit_to_leave),
        ) else {
            continue;
        };
        if let Capacity::Limited(capacity) = network.services[s.index()].capacity
            && patients + fit > capacity
        {
            check.issue(
                &path,
                Some(format!("{} patients", patients + fit)),
                format!(
                    "more than the service's {capacity} places; give at most {capacity} in all"
                ),
            );
            continue;
        }
        let weights: Vec<f64> = load.iter().map(|per_type| per_type[s.index()]).collect();
        if weights.iter().sum::<f64>() <= 0.0 {
            check.issue(
                &path,
                None,
                "no patients ever use this service in this scenario, so a census cannot be shared among them",
            );
            continue;
        }
        let mut census = Vec::new();
        for (count, start) in [(patients, false), (fit, true)] {
            for (t, share) in apportion(count, &weights).into_iter().enumerate() {
                if share > 0 {
                    census.push(Census {
                        patient_type: PatientTypeId(t as u32),
                        start: if start {
                            CensusStart::FitToLeave { patients: share }
                        } else {
                            CensusStart::Equilibrium { patients: share }
                        },
                    });
                }
            }
        }
        network.services[s.index()].census = census;
    }
}
