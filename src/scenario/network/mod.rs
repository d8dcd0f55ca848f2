//! Networks written service by service (`[services.X]`, `[patient_types.Y]`,
//! `sinks`): read each section on its own, resolve names, follow every
//! patient type's pathway, and check that patients can always leave.
//!
//! The stages, in order: `services` (each service; capacity, when full,
//! opening), `resolver` (names to ids, routes), `exits` (diversions that
//! loop, exits and deadlocks), `patient_types` (arrivals and their own
//! stays and routes), `pathways` (each type followed through the services
//! it reaches; `by_destination` pairs each stay with its routes, a stay by
//! destination needing one for each of them), `initial` (today's census).
//! Depends on `check` and `raw`; never on `system`.

mod by_destination;
mod exits;
mod initial;
mod pathways;
mod patient_types;
mod resolver;
mod services;

use std::collections::HashMap;

use super::check::{Checker, MAX_TYPE_SERVICE_PAIRS};
use super::error::Issue;
use crate::model::{FullPolicy, Network, Overflow, RunSettings, Service};
use by_destination::{Stay, one_or_by_destination};
use exits::{Diversion, check_diversion_loops, check_exits_and_diversions};
use initial::validate_initial;
use pathways::follow_pathways;
use patient_types::read_patient_types;
use resolver::{Resolver, Routes};
use services::{read_services, validate_service};

/// Builds a hand-written network from its document with the warnings
/// its reading gave, or returns every problem (`check` holds those of the
/// common sections already).
pub(super) fn validate_network(
    mut check: Checker,
    document: &toml::Table,
    name: String,
    title: String,
    description: String,
    run: Option<RunSettings>,
) -> Result<(Network, Vec<Issue>), Vec<Issue>> {
    // Sinks.
    let sinks: Vec<String> = match document.get("sinks") {
        None => vec!["exit".to_string()],
        Some(value) => check
            .section::<Vec<String>>("sinks", value.clone())
            .unwrap_or_default(),
    };
    if matches!(document.get("sinks"), Some(toml::Value::Array(a)) if a.is_empty()) {
        check.issue("sinks", Some("[]".into()), "needs at least one sink, e.g. sinks = [\"home\", \"death\"]: patients must be able to leave");
    }
    for (i, sink) in sinks.iter().enumerate() {
        check.name(&format!("sinks[{i}]"), sink, "sink");
        if sinks[..i].contains(sink) {
            check.issue(
                format!("sinks[{i}]"),
                Some(format!("{sink:?}")),
                "is listed twice; list each sink once",
            );
        }
    }

    let pending = read_services(&mut check, document, &sinks);

    // Names known from here on. Services that failed to parse still count
    // as names so that references to them do not raise a second error.
    let service_names: Vec<String> = match document.get("services") {
        Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let service_index: HashMap<&str, u32> = service_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let sink_index: HashMap<&str, u32> = sinks
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let resolver = Resolver {
        services: &service_index,
        sinks: &sink_index,
        service_names: &service_names,
        sink_names: &sinks,
    };

    let mut services: Vec<Option<Service>> = vec![None; service_names.len()];
    let mut default_pathways: Vec<(Option<Stay>, Option<Routes>)> =
        vec![(None, None); service_names.len()];
    // Where each service sends the patients it cannot take: at once when
    // full, or after a maximum wait (the wait, in days).
    let mut divert_edges: Vec<Option<Diversion>> = vec![None; service_names.len()];
    for (service_name, pending_service) in &pending {
        let index = service_index[service_name.as_str()] as usize;
        let path = &pending_service.path;
        let raw = &pending_service.raw;
        if let Some(service) =
            validate_service(&mut check, path, service_name, raw, &resolver, run.as_ref())
        {
            divert_edges[index] = match service.when_full {
                FullPolicy::Overflow(Overflow::Divert(to)) => Some(Diversion {
                    to: to.0,
                    path: format!("{path}.divert_to"),
                    after_wait: None,
                }),
                FullPolicy::Wait {
                    then: Overflow::Divert(to),
                    max_wait_days,
                } => Some(Diversion {
                    to: to.0,
                    path: format!("{path}.divert_to"),
                    after_wait: max_wait_days,
                }),
                _ => None,
            };
            services[index] = Some(service);
        }
        let stay = raw
            .stay
            .as_ref()
            .map(|d| check.distribution(&format!("{path}.stay"), d));
        let stay = one_or_by_destination(
            &mut check,
            &format!("{path}.stay"),
            stay,
            &format!("{path}.stay_by_destination"),
            raw.stay_by_destination.as_ref(),
        );
        let routes = raw
            .routes
            .as_ref()
            .and_then(|r| resolver.routes(&mut check, &format!("{path}.routes"), service_name, r));
        default_pathways[index] = (stay, routes);
    }

    check_diversion_loops(&mut check, &divert_edges, &service_names);

    let (patient_types, type_overrides) = read_patient_types(&mut check, document, &resolver);

    let all_services_valid =
        services.iter().all(Option::is_some) && pending.len() == service_names.len();
    if !check.issues.is_empty() || !all_services_valid {
        return Err(check.issues);
    }
    let services: Vec<Service> = services.into_iter().flatten().collect();

    // Pathways: follow each type from its arrival service through routes
    // and diversions; each service reached needs a stay and routes.
    let n_services = services.len();
    if patient_types.len().saturating_mul(n_services) > MAX_TYPE_SERVICE_PAIRS {
        check.issue(
            "patient_types",
            None,
            format!(
                "{} patient types × {} services is more than {MAX_TYPE_SERVICE_PAIRS} (type, service) pairs, each with its own pathway: more than a replication can hold; use fewer types or services",
                patient_types.len(),
                n_services
            ),
        );
        return Err(check.issues);
    }
    let pathways = follow_pathways(
        &mut check,
        &patient_types,
        &type_overrides,
        &default_pathways,
        &divert_edges,
        &service_names,
    );
    if check.issues.is_empty() {
        check_exits_and_diversions(
            &mut check,
            &patient_types,
            &pathways,
            &service_names,
            &sinks,
            &services,
            &divert_edges,
        );
    }
    let mut services = services;
    for (service_name, pending_service) in &pending {
        let si = service_index[service_name.as_str()] as usize;
        if let Some(groups) = &pending_service.raw.initial {
            services[si].census = validate_initial(
                &mut check,
                &format!("{}.initial", pending_service.path),
                groups,
                &patient_types,
                |t| pathways[t * n_services + si].is_some(),
                services[si].capacity,
            );
            by_destination::refuse_days_in(
                &mut check,
                &format!("{}.initial", pending_service.path),
                groups,
                &patient_types,
                |t| pathways[t * n_services + si].as_ref(),
            );
        }
    }
    if !check.issues.is_empty() {
        return Err(check.issues);
    }
    let Some(run) = run else {
        return Err(check.issues);
    };
    let network = Network {
        name,
        title,
        description,
        run,
        services,
        sinks,
        patient_types,
        pathways,
        layout: None,
        wait_classes: Network::default_wait_classes(),
        risk_registers: Vec::new(),
        parameters: Vec::new(),
    };
    Ok((network, check.warnings))
}
