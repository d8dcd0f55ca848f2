//! Stays that depend on the destination (`stay_by_destination`): reading
//! them, and pairing a stay with the routes it goes with into a pathway.
//! A stay by destination needs a stay for every destination of its routes
//! and names no other (published models give a stroke unit's stay by
//! discharge destination: rehabilitation, early supported discharge, home).

use std::collections::BTreeSet;

use super::resolver::Routes;
use crate::engine::Distribution;
use crate::model::{Pathway, PatientType};
use crate::scenario::check::{Checker, quoted_list};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::{RawDistribution, RawInitial};

/// The stay of a (type, service) pair as written.
#[derive(Clone, Debug)]
pub(super) enum Stay {
    /// One stay whatever the destination (`stay`).
    One(Distribution),
    /// A stay for each destination name (`stay_by_destination`), and
    /// where it was written.
    ByDestination {
        path: String,
        stays: Vec<(String, Distribution)>,
    },
}

/// The most routes a stay by destination may go with: the route drawn on
/// admission is kept in two bytes of the patient's record.
const MAX_ROUTES: usize = u16::MAX as usize - 1;

/// Reads `stay_by_destination = { NAME = { dist = ... }, ... }` at `path`.
pub(super) fn read_stay_by_destination(
    check: &mut Checker,
    path: &str,
    table: &toml::Table,
) -> Option<Stay> {
    if table.is_empty() {
        check.issue(
            path,
            Some("{}".into()),
            "needs a stay for each destination of the routes, e.g. { home = { dist = \"lognormal\", mean = 6, sd = 4 } }",
        );
        return None;
    }
    let before = check.issues.len();
    let mut stays = Vec::new();
    for (destination, value) in table {
        let entry_path = format!("{path}.{destination}");
        let Some(raw) = check.section::<RawDistribution>(&entry_path, value.clone()) else {
            continue;
        };
        if let Some(stay) = check.distribution(&entry_path, &raw) {
            stays.push((destination.clone(), stay));
        }
    }
    (check.issues.len() == before).then(|| Stay::ByDestination {
        path: path.to_string(),
        stays,
    })
}

/// The stay written at one level: `stay` (already read) or
/// `stay_by_destination`, not both.
pub(super) fn one_or_by_destination(
    check: &mut Checker,
    stay_path: &str,
    stay: Option<Option<Distribution>>,
    by_destination_path: &str,
    by_destination: Option<&toml::Table>,
) -> Option<Stay> {
    match (stay, by_destination) {
        (Some(_), Some(_)) => {
            check.issue(
                by_destination_path,
                None,
                format!("is given with `{stay_path}`: give one stay for every destination (`stay`) or one for each (`stay_by_destination`), not both"),
            );
            None
        }
        (Some(stay), None) => stay.map(Stay::One),
        (None, Some(table)) => read_stay_by_destination(check, by_destination_path, table),
        (None, None) => None,
    }
}

/// The pathway of a stay and the routes it goes with. A stay by
/// destination is checked against the routes: each problem is reported
/// once per (stay, routes) pair in `reported`, however many types share it.
pub(super) fn pathway(
    check: &mut Checker,
    stay: Stay,
    routes: &Routes,
    reported: &mut BTreeSet<(String, String)>,
) -> Option<Pathway> {
    let (path, stays) = match stay {
        Stay::One(stay) => return Some(Pathway::new(stay, routes.table.clone())),
        Stay::ByDestination { path, stays } => (path, stays),
    };
    let first_time = reported.insert((path.clone(), routes.path.clone()));
    let missing: Vec<&str> = routes
        .to
        .iter()
        .filter(|to| !stays.iter().any(|(name, _)| name == *to))
        .map(String::as_str)
        .collect();
    let extra: Vec<&str> = stays
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !routes.to.iter().any(|to| to == name))
        .collect();
    let too_many = routes.names.len() > MAX_ROUTES;
    if !missing.is_empty() || !extra.is_empty() || too_many {
        if first_time {
            report(check, &path, routes, &missing, &extra, too_many);
        }
        return None;
    }
    let by_route = routes
        .names
        .iter()
        .map(|name| {
            stays
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, stay)| stay.clone())
        })
        .collect::<Option<Vec<_>>>()?;
    match Pathway::with_stay_by_route(routes.table.clone(), by_route) {
        Ok(pathway) => Some(pathway),
        Err(e) => {
            if first_time {
                check.issue(
                    path,
                    None,
                    format!(
                        "cannot be combined with the probabilities of {}: {e}",
                        routes.path
                    ),
                );
            }
            None
        }
    }
}

fn report(
    check: &mut Checker,
    path: &str,
    routes: &Routes,
    missing: &[&str],
    extra: &[&str],
    too_many: bool,
) {
    let destinations: Vec<&str> = routes.to.iter().map(String::as_str).collect();
    for name in missing {
        check.issue(
            path,
            None,
            format!("has no stay for `{name}`, a destination of {}: every destination needs its own stay; add `{name} = {{ dist = \"lognormal\", mean = ..., sd = ... }}` to it", routes.path),
        );
    }
    for name in extra {
        check.issue(
            format!("{path}.{name}"),
            None,
            format!(
                "is not a destination of {}{}; its destinations are {}: remove it, or add a route to it",
                routes.path,
                did_you_mean(name, destinations.iter().copied()),
                quoted_list(&destinations)
            ),
        );
    }
    if too_many {
        check.issue(
            path,
            None,
            format!("goes with {} routes ({}), more than the {MAX_ROUTES} a stay by destination may have; use `stay`", routes.names.len(), routes.path),
        );
    }
}

/// Refuses `days_in` in a census of patients whose stay depends on their
/// destination: the destination of a patient known to have stayed so long
/// would have to be drawn given that (long stays are more often those of
/// one destination), which needs each stay's survival function. `patients`
/// draws destination and time left together from the equilibrium.
pub(super) fn refuse_days_in<'a>(
    check: &mut Checker,
    path: &str,
    groups: &[RawInitial],
    patient_types: &[PatientType],
    pathway: impl Fn(usize) -> Option<&'a Pathway>,
) {
    for (i, group) in groups.iter().enumerate() {
        let Some(t) = patient_types
            .iter()
            .position(|p| p.name == group.patient_type)
        else {
            continue;
        };
        if group.days_in.is_some() && pathway(t).is_some_and(|p| p.stay_by_route.is_some()) {
            check.issue(
                format!("{path}[{i}].days_in"),
                None,
                "is not supported where the stay depends on the destination (`stay_by_destination`); give `patients = N` instead: each patient's destination and time left are then drawn together, as in a service in equilibrium",
            );
        }
    }
}
