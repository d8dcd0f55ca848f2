//! `[patient_types.Y]` of a hand-written network: arrivals (service, rate,
//! seasonality, growth) and the stays and routes a type has of its own at
//! some services.

use std::collections::BTreeMap;

use super::by_destination::{Stay, read_stay_by_destination};
use super::resolver::{Resolver, Routes};
use crate::model::PatientType;
use crate::scenario::check::{Checker, MAX_RATE_PER_DAY};
use crate::scenario::raw::{RawDistribution, RawPatientType, RawRoute};

/// Reads `[patient_types.Y]` tables in file order: each type with its
/// path and its own stays and routes.
pub(super) fn read_patient_types(
    check: &mut Checker,
    document: &toml::Table,
    resolver: &Resolver<'_>,
) -> (Vec<PatientType>, Vec<(String, TypeOverrides)>) {
    // Patient types.
    let mut patient_types = Vec::new();
    let mut type_overrides = Vec::new();
    match document.get("patient_types") {
        None => check.issue("patient_types", None, "at least one patient type is needed, e.g. [patient_types.emergency] with arrive_at and rate_per_day"),
        Some(toml::Value::Table(table)) => {
            if table.is_empty() {
                check.issue("patient_types", None, "at least one patient type is needed");
            }
            for (type_name, value) in table {
                let path = format!("patient_types.{type_name}");
                check.name(&path, type_name, "patient type");
                if check.double_brackets(&path, value) {
                    continue;
                }
                let Some(raw) = check.section::<RawPatientType>(&path, value.clone()) else { continue };
                if let Some((patient_type, overrides)) = validate_patient_type(check, &path, type_name, &raw, resolver) {
                    patient_types.push(patient_type);
                    type_overrides.push((path, overrides));
                }
            }
        }
        Some(other) => check.issue("patient_types", Some(other.type_str().to_string()), "must be a table of patient types, e.g. [patient_types.emergency]"),
    }
    (patient_types, type_overrides)
}

/// A type's stay and route overrides by service.
pub(super) struct TypeOverrides {
    pub(super) stays: BTreeMap<u32, Stay>,
    pub(super) routes: BTreeMap<u32, Routes>,
}

fn validate_patient_type(
    check: &mut Checker,
    path: &str,
    name: &str,
    raw: &RawPatientType,
    resolver: &Resolver<'_>,
) -> Option<(PatientType, TypeOverrides)> {
    let before = check.issues.len();
    let arrive_at = match &raw.arrive_at {
        Some(service) => resolver.service(check, &format!("{path}.arrive_at"), service),
        None => {
            check.issue(
                path,
                None,
                "needs `arrive_at = \"<service>\"`: the service these patients ask for first",
            );
            None
        }
    };
    let rate_per_day = match raw.rate_per_day {
        Some(rate) => check.number_in(
            &format!("{path}.rate_per_day"),
            rate,
            0.0,
            MAX_RATE_PER_DAY,
            "mean arrivals per day",
        ),
        None => {
            check.issue(
                path,
                None,
                "needs `rate_per_day`: the mean number of arrivals per day (Poisson)",
            );
            None
        }
    };
    let monthly = match &raw.monthly_factors {
        None => Some(vec![1.0; 12]),
        Some(v) => check.factors(
            &format!("{path}.monthly_factors"),
            v,
            12,
            "month, January first",
        ),
    };
    let weekday = match &raw.weekday_factors {
        None => Some(vec![1.0; 7]),
        Some(v) => check.factors(
            &format!("{path}.weekday_factors"),
            v,
            7,
            "weekday, Monday first",
        ),
    };
    let growth_per_year = check.number_in(
        &format!("{path}.growth_per_year"),
        raw.growth_per_year.unwrap_or(0.0),
        -0.5,
        1.0,
        "fraction per year, e.g. 0.02 for +2%",
    );
    let mut overrides = TypeOverrides {
        stays: BTreeMap::new(),
        routes: BTreeMap::new(),
    };
    for (service_name, value) in raw.stay.iter().flatten() {
        let entry_path = format!("{path}.stay.{service_name}");
        let Some(service) = resolver.service(check, &entry_path, service_name) else {
            continue;
        };
        let Some(raw_stay) = check.section::<RawDistribution>(&entry_path, value.clone()) else {
            continue;
        };
        if let Some(d) = check.distribution(&entry_path, &raw_stay) {
            overrides.stays.insert(service.0, Stay::One(d));
        }
    }
    for (service_name, value) in raw.stay_by_destination.iter().flatten() {
        let entry_path = format!("{path}.stay_by_destination.{service_name}");
        let Some(service) = resolver.service(check, &entry_path, service_name) else {
            continue;
        };
        if raw
            .stay
            .as_ref()
            .is_some_and(|t| t.contains_key(service_name))
        {
            check.issue(
                &entry_path,
                None,
                format!("is given with `{path}.stay.{service_name}`: give one stay for every destination (`stay`) or one for each (`stay_by_destination`), not both"),
            );
            continue;
        }
        let Some(table) = check.section::<toml::Table>(&entry_path, value.clone()) else {
            continue;
        };
        if let Some(stay) = read_stay_by_destination(check, &entry_path, &table) {
            overrides.stays.insert(service.0, stay);
        }
    }
    for (service_name, value) in raw.routes.iter().flatten() {
        let entry_path = format!("{path}.routes.{service_name}");
        let Some(service) = resolver.service(check, &entry_path, service_name) else {
            continue;
        };
        let Some(raw_routes) = check.section::<Vec<RawRoute>>(&entry_path, value.clone()) else {
            continue;
        };
        if let Some(r) = resolver.routes(check, &entry_path, service_name, &raw_routes) {
            overrides.routes.insert(service.0, r);
        }
    }
    if check.issues.len() > before {
        return None;
    }
    let monthly = monthly?;
    let weekday = weekday?;
    let mut monthly_factors = [0.0; 12];
    monthly_factors.copy_from_slice(&monthly);
    let mut weekday_factors = [0.0; 7];
    weekday_factors.copy_from_slice(&weekday);
    Some((
        PatientType {
            name: name.to_string(),
            description: raw.description.clone().unwrap_or_default(),
            arrive_at: arrive_at?,
            entry: None,
            rate_per_day: rate_per_day?,
            per_occupant_of: None,
            per_member_of: None,
            monthly_factors,
            weekday_factors,
            hourly_factors: [1.0; 24],
            growth_per_year: growth_per_year?,
            rate_changes: Vec::new(),
            entry_changes: Vec::new(),
            cancellation: None,
            death_if_prevented: 0.0,
        },
        overrides,
    ))
}
