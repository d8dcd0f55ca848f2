//! Each patient type followed from its arrival service through routes and
//! diversions: every service it reaches needs a stay and routes for it
//! (its own, or the service's), and a type's own stay or routes at a
//! service it never reaches is reported.

use std::collections::BTreeSet;

use super::by_destination::{Stay, pathway};
use super::exits::Diversion;
use super::patient_types::TypeOverrides;
use super::resolver::Routes;
use crate::model::{Destination, Pathway, PatientType};
use crate::scenario::check::Checker;

/// The pathway of every (type, service) pair a type reaches, by type then
/// service.
pub(super) fn follow_pathways(
    check: &mut Checker,
    patient_types: &[PatientType],
    type_overrides: &[(String, TypeOverrides)],
    default_pathways: &[(Option<Stay>, Option<Routes>)],
    divert_edges: &[Option<Diversion>],
    service_names: &[String],
) -> Vec<Option<Pathway>> {
    let n_services = service_names.len();
    let mut pathways: Vec<Option<Pathway>> = vec![None; patient_types.len() * n_services];
    // A service's own stay by destination and routes, shared by every
    // type that reaches it, are reported once.
    let mut reported = BTreeSet::new();
    for (t, (patient_type, (type_path, overrides))) in
        patient_types.iter().zip(type_overrides).enumerate()
    {
        let mut reached = BTreeSet::new();
        let mut frontier = vec![(patient_type.arrive_at.0, format!("{type_path}.arrive_at"))];
        while let Some((s, via)) = frontier.pop() {
            if !reached.insert(s) {
                continue;
            }
            let si = s as usize;
            let service_name = &service_names[si];
            let stay = overrides
                .stays
                .get(&s)
                .cloned()
                .or_else(|| default_pathways[si].0.clone());
            let routes = overrides
                .routes
                .get(&s)
                .cloned()
                .or_else(|| default_pathways[si].1.clone());
            if stay.is_none() {
                check.issue(
                    type_path.clone(),
                    None,
                    format!("patients of this type reach service `{service_name}` (via {via}) but no stay is given for them there; add `stay` to [services.{service_name}] or `stay.{service_name}` to [{type_path}]"),
                );
            }
            if routes.is_none() {
                check.issue(
                    type_path.clone(),
                    None,
                    format!("patients of this type reach service `{service_name}` (via {via}) but no routes say where they go next; add `routes` to [services.{service_name}] or `routes.{service_name}` to [{type_path}]"),
                );
            }
            if let Some(routes) = &routes {
                for (_, destination) in routes.table.choices() {
                    if let Destination::Service(next) = destination {
                        frontier.push((next.0, format!("routes of services.{service_name}")));
                    }
                }
            }
            if let Some(diversion) = &divert_edges[si] {
                frontier.push((diversion.to, format!("services.{service_name}.divert_to")));
            }
            if let (Some(stay), Some(routes)) = (stay, routes) {
                pathways[t * n_services + si] = pathway(check, stay, &routes, &mut reported);
            }
        }
        let overridden: BTreeSet<u32> = overrides
            .stays
            .keys()
            .chain(overrides.routes.keys())
            .copied()
            .collect();
        for s in &overridden {
            if !reached.contains(s) {
                // Harmless but probably a mistake: say so.
                check.issue(
                    type_path.clone(),
                    None,
                    format!("gives a stay or routes for service `{}`, which this type never reaches from `{}`; remove it or add a route to it", service_names[*s as usize], service_names[patient_type.arrive_at.index()]),
                );
            }
        }
    }
    pathways
}
