//! Checks across sections of a whole system, once each is valid: care-home
//! residents' ED shares, services patients would wait for ever for, and
//! the counts that keep a compiled network within memory.

use super::spec::{Band, CareHomes, Community, DischargeTo, Parts};
use crate::model::system::AGE_BANDS;
use crate::scenario::check::{Checker, SUM_TOLERANCE};

/// A care-home resident's ED attendance is admitted or goes to the day
/// unit at most once in all.
pub(super) fn check_care_home_admission(
    check: &mut Checker,
    bands: &[Option<Band>],
    care_homes: Option<&CareHomes>,
) {
    if let (Some(oldest), Some(homes)) = (&bands[AGE_BANDS.len() - 1], care_homes)
        && homes.ed_admission + oldest.ed_to_day_unit > 1.0 + SUM_TOLERANCE
    {
        check.issue(
            "care_homes.ed_admission",
            Some(format!("{}", homes.ed_admission)),
            format!(
                "with age_bands.\"85+\".ed_to_day_unit ({}) it is more than every attendance of a care-home resident; lower one of them",
                oldest.ed_to_day_unit
            ),
        );
    }
}

/// Most ICCs, sites and risk tiers one scenario may have. Every ICC ×
/// band × tier is a set of patient types, each with a pathway through
/// most services, and the network is built before the (type, service)
/// limit can be checked: these bounds keep that building small. The pair
/// limit ([`MAX_TYPE_SERVICE_PAIRS`](crate::scenario::check::MAX_TYPE_SERVICE_PAIRS)) is reached at 77 ICCs of the
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
pub(super) fn check_capacities(check: &mut Checker, parts: &Parts) {
    let Community {
        reablement,
        case_management,
        bed_discharge,
        ..
    } = &parts.community;
    let any_band = |to: DischargeTo| parts.bands.iter().any(|b| b.discharge[to] > 0.0);
    let to_reablement =
        any_band(DischargeTo::Reablement) || parts.pathways.elective_discharge.reablement > 0.0;
    let to_community_beds = any_band(DischargeTo::CommunityBed);
    let to_care_homes = any_band(DischargeTo::CareHome)
        || bed_discharge.care_home > 0.0
        || parts
            .bands
            .iter()
            .any(|b| b.care_home_placements_per_1000 > 0.0);
    let referrals = parts.tiers.iter().any(|t| t.referrals_per_1000 > 0.0);
    for icc in &parts.iccs {
        let path = format!("iccs.{}", icc.name);
        if to_reablement && (icc.reablement_wte * reablement.caseload_per_wte).floor() < 1.0 {
            check.issue(format!("{path}.reablement_wte"), Some(format!("{}", icc.reablement_wte)), format!("gives a reablement caseload of 0 (× caseload_per_wte {}), but patients are discharged to reablement and would wait in hospital for ever; add staff or set the reablement shares to 0", reablement.caseload_per_wte));
        }
        if to_community_beds && icc.community_beds == 0 {
            check.issue(format!("{path}.community_beds"), Some("0".into()), "patients are discharged to community beds (discharge.community_bed above 0) and would wait in hospital for ever; add beds or set those shares to 0");
        }
        if to_care_homes {
            let nursing = parts.care_homes.nursing_share;
            if icc.residential_places == 0 && nursing < 1.0 {
                check.issue(format!("{path}.residential_places"), Some("0".into()), "patients are placed in residential care (care_homes.nursing_share below 1) and would wait for ever; add places or change the shares");
            }
            if icc.nursing_places == 0 && nursing > 0.0 {
                check.issue(format!("{path}.nursing_places"), Some("0".into()), "patients are placed in nursing homes (care_homes.nursing_share above 0) and would wait for ever; add places or change the shares");
            }
        }
        if referrals && (icc.case_management_wte * case_management.caseload_per_wte).floor() < 1.0 {
            check.issue(format!("{path}.case_management_wte"), Some(format!("{}", icc.case_management_wte)), "gives a case-management caseload of 0, but risk tiers are referred to it; add staff or set case_management_referrals_per_1000 to 0");
        }
    }
    for site in &parts.sites {
        let path = format!("sites.{}", site.name);
        if site.adult_beds == 0 {
            check.issue(
                format!("{path}.adult_beds"),
                Some("0".into()),
                "a site needs adult beds: its ED's admissions would wait for ever",
            );
        }
        let children_admitted =
            parts.bands[0].ed_admission > 0.0 || parts.bands[0].direct_admission > 0.0;
        if site.paediatric_beds == 0 && children_admitted {
            check.issue(format!("{path}.paediatric_beds"), Some("0".into()), "children are admitted (age_bands.\"0-17\" ed_admission or direct_admission above 0) and would wait for ever; add children's beds");
        }
    }
}
