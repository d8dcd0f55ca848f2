//! Which site an ICC's residents use (issue 25): an ICC's catchment may
//! span several sites (`[iccs.X] sites = { a = 0.8, b = 0.2 }`), and a
//! site may have no ED (`[sites.X] emergency_department = false`, `ed_at`,
//! maybe an urgent treatment centre). This file owns the answers `demand`
//! and `services` build routes from:
//!
//! - a crisis picks its site by the catchment's shares where it first
//!   reaches the hospital (the entry route, rapid response's, primary
//!   care's or the community day unit's), in the same draw that picks the
//!   route (one uniform per route table: a single-site ICC's tables are
//!   exactly those of before, so its run is unchanged);
//! - from there it stays at that site's *emergency site* (the site itself,
//!   or `ed_at`'s for a site without an ED): ED, day unit, adult or
//!   children's beds, outlying from those beds, and readmission to them
//!   (the readmission returns to the beds of the first stay);
//! - a site without an ED sends its catchment's crises to its urgent
//!   treatment centre first, if it has one, else straight to `ed_at`'s ED;
//! - electives go to the chosen site's own beds, or `ed_at`'s when it has
//!   none of the kind;
//! - community services stay the ICC's.

use super::services::Ids;
use crate::model::system::Role;
use crate::model::{Destination, Pathway, RouteTable, ServiceId, SinkId};
use crate::scenario::system::spec::Parts;

/// The site whose ED, day unit and beds take site `s`'s emergencies.
pub(super) fn emergency_site(parts: &Parts, s: usize) -> usize {
    parts.sites[s].ed_at.unwrap_or(s)
}

/// Where site `s`'s catchment goes first in a crisis: its ED, its urgent
/// treatment centre, or (neither) the ED of `ed_at`.
pub(super) fn front_door(parts: &Parts, ids: &Ids, s: usize) -> ServiceId {
    match ids.utc.get(s).copied().flatten() {
        Some(utc) => utc,
        None => ids[Role::EmergencyDepartment][emergency_site(parts, s)],
    }
}

/// The beds (adult, or children's) that take site `s`'s electives: its
/// own, or `ed_at`'s when it has none of the kind.
pub(super) fn elective_beds(parts: &Parts, ids: &Ids, s: usize, children: bool) -> ServiceId {
    let site = &parts.sites[s];
    let own = if children {
        site.paediatric_beds
    } else {
        site.adult_beds
    };
    let at = if own > 0 { s } else { emergency_site(parts, s) };
    beds(ids, at, children)
}

/// The adult or children's beds of site `s`.
pub(super) fn beds(ids: &Ids, s: usize, children: bool) -> ServiceId {
    if children {
        ids[Role::PaediatricBeds][s]
    } else {
        ids[Role::AcuteBeds][s]
    }
}

/// Probability `p` spread over ICC `icc`'s catchment: `(p × share, to(site))`
/// for each of its sites, in file order (one entry `(p, to(site))` for a
/// single site).
pub(super) fn spread(
    parts: &Parts,
    icc: usize,
    p: f64,
    to: impl Fn(usize) -> Vec<(f64, Destination)>,
) -> Vec<(f64, Destination)> {
    parts.iccs[icc]
        .catchment
        .iter()
        .flat_map(|&(s, share)| to(s).into_iter().map(move |(q, d)| (p * share * q, d)))
        .collect()
}

/// The emergency sites of ICC `icc`'s catchment, each once, in file order.
pub(super) fn emergency_sites(parts: &Parts, icc: usize) -> Vec<usize> {
    let mut sites: Vec<usize> = parts.iccs[icc]
        .catchment
        .iter()
        .map(|&(s, _)| emergency_site(parts, s))
        .collect();
    sites.sort_unstable();
    sites.dedup();
    sites
}

/// The share of emergency admissions at site `e` that go to other
/// providers for a band whose share is `other_provider`.
pub(super) fn out_of_system(parts: &Parts, e: usize, other_provider: f64) -> f64 {
    (other_provider * parts.sites[e].out_of_system_multiplier).min(1.0)
}

/// The pathways at the urgent treatment centres of ICC `icc`'s
/// catchment: `managed` of the attendances go home, the rest on to the
/// ED of the site's `ed_at`.
pub(super) fn utc_pathways(parts: &Parts, ids: &Ids, icc: usize) -> Vec<(ServiceId, Pathway)> {
    parts.iccs[icc]
        .catchment
        .iter()
        .filter_map(|&(s, _)| {
            let utc = ids.utc.get(s).copied().flatten()?;
            let centre = parts.sites[s].urgent_treatment_centre.as_ref()?;
            let ed = ids[Role::EmergencyDepartment][emergency_site(parts, s)];
            let routes = RouteTable::new(&[
                (centre.managed, Destination::Sink(SinkId(0))),
                (1.0 - centre.managed, Destination::Service(ed)),
            ]);
            Some((utc, Pathway::new(centre.stay.clone(), routes)))
        })
        .collect()
}
