//! Checks across sections of a whole system, once each is valid: care-home
//! residents' ED shares, services patients would wait for ever for, and
//! the counts that keep a compiled network within memory.

use super::acute::check_site_places;
use super::community::check_icc_places;
use super::discharge::SentTo;
use super::spec::{Band, CareHomes, DischargeTo, Parts};
use crate::model::system::AgeBands;
use crate::scenario::check::{Checker, SUM_TOLERANCE};

/// A care-home resident's ED attendance is admitted or goes to the day
/// unit at most once in all (residents are counted in the oldest band, and
/// take its day-unit share).
pub(super) fn check_care_home_admission(
    check: &mut Checker,
    age_bands: &AgeBands,
    bands: &[Option<Band>],
    care_homes: Option<&CareHomes>,
) {
    if let (Some(oldest), Some(homes)) = (&bands[age_bands.oldest()], care_homes)
        && homes.ed_admission + oldest.ed_to_day_unit > 1.0 + SUM_TOLERANCE
    {
        check.issue(
            "care_homes.ed_admission",
            Some(format!("{}", homes.ed_admission)),
            format!(
                "with age_bands.\"{}\".ed_to_day_unit ({}) it is more than every attendance of a care-home resident; lower one of them",
                age_bands.name(age_bands.oldest()),
                oldest.ed_to_day_unit
            ),
        );
    }
}

/// Most ICCs, sites and risk tiers one scenario may have. Every ICC ×
/// band × tier is a set of patient types, each with a pathway through
/// most services, and the network is built before the (type, service)
/// limit can be checked: these bounds keep that building small. The pair
/// limit ([`MAX_TYPE_SERVICE_PAIRS`](crate::scenario::check::MAX_TYPE_SERVICE_PAIRS)) is reached at 71 ICCs of the
/// baseline's shape, so they refuse only what could never run.
const MAX_ICCS: usize = 100;
const MAX_SITES: usize = 50;
const MAX_RISK_TIERS: usize = 8;

pub(super) fn check_counts(check: &mut Checker, parts: &Parts) {
    for (path, count, most, what) in [
        ("iccs", parts.iccs.len(), MAX_ICCS, "ICCs"),
        ("sites", parts.sites.len(), MAX_SITES, "sites"),
        (
            "population.risk_tiers",
            parts.tiers.len(),
            MAX_RISK_TIERS,
            "risk tiers",
        ),
    ] {
        if count > most {
            check.issue(
                path,
                Some(format!("{count} {what}")),
                format!("at most {most} {what} in one scenario: each multiplies the patient types and services a replication holds; split the system into several scenarios"),
            );
        }
    }
}

/// A service with no places that patients are sent to and wait for would
/// hold them (and the beds they leave) for ever: say so before running.
/// Here, which services patients are sent to (that takes every section);
/// the check of each ICC's and site's places is in the file of its
/// section, beside the places it checks, so that a new kind of service
/// adds its own check there.
pub(super) fn check_capacities(check: &mut Checker, parts: &Parts) {
    let any_band = |to: DischargeTo| parts.bands.iter().any(|b| b.discharge[to] > 0.0);
    let sent = SentTo {
        reablement: any_band(DischargeTo::Reablement)
            || parts.pathways.elective_discharge.reablement > 0.0
            || parts.community.bed_discharge.reablement > 0.0,
        community_beds: any_band(DischargeTo::CommunityBed),
        care_homes: any_band(DischargeTo::CareHome)
            || parts.community.bed_discharge.care_home > 0.0
            || parts
                .community
                .home_care
                .as_ref()
                .is_some_and(|h| h.discharge.care_home > 0.0)
            || parts
                .bands
                .iter()
                .any(|b| b.care_home_placements_per_1000 > 0.0),
        case_management: parts.tiers.iter().any(|t| t.referrals_per_1000 > 0.0),
        home_care: any_band(DischargeTo::HomeCare)
            || parts.pathways.elective_discharge.home_care > 0.0
            || parts.community.reablement.to_home_care > 0.0
            || parts.community.bed_discharge.home_care > 0.0
            || parts
                .bands
                .iter()
                .any(|b| b.home_care_referrals_per_1000 > 0.0),
        children_admitted: parts
            .bands
            .iter()
            .enumerate()
            .find(|(b, band)| {
                parts.age_bands.is_children(*b)
                    && (band.ed_admission > 0.0 || band.direct_admission > 0.0)
            })
            .map(|(b, _)| parts.age_bands.name(b).to_string()),
    };
    if sent.home_care && parts.community.home_care.is_none() {
        check.issue("community.home_care", None, "is missing, but patients are sent to home care (a home_care discharge share or home_care_referrals_per_1000 above 0); add [community.home_care] with hours_per_package_week, package and discharge, or set those shares to 0");
    }
    for icc in &parts.iccs {
        check_icc_places(check, icc, &parts.community, &parts.care_homes, &sent);
    }
    for site in &parts.sites {
        check_site_places(check, site, &sent);
    }
}
