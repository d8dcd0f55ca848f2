//! `[pathways]` (hospital stays, discharge days and arranging delays),
//! `[community]` (rapid response, reablement, case management, community
//! beds) and `[care_homes]`.

use super::raw::{RawCareHomes, RawCommunity, RawPathways, RawTeam};
use super::sections::{array, section};
use super::spec::{
    BedDischarge, CareHomes, Community, DischargeTo, ElectiveDischarge, Pathways, PerDestination,
    Team,
};
use crate::engine::Distribution;
use crate::scenario::check::{Checker, MAX_DAYS, MIN_MAX_WAIT_DAYS, quoted_list};
use crate::scenario::error::did_you_mean;

/// `[pathways]`, checked.
pub(super) fn validate_pathways(check: &mut Checker, document: &toml::Table) -> Option<Pathways> {
    let pathways: Option<RawPathways> = section(
        check,
        document,
        "pathways",
        "[pathways] with ed_stay, day_unit_stay ...",
    );
    pathways.and_then(|raw| {
        let p = "pathways";
        let ed_stay = check.distribution(&format!("{p}.ed_stay"), &raw.ed_stay);
        let day_unit_stay = check.distribution(&format!("{p}.day_unit_stay"), &raw.day_unit_stay);
        let day_unit_admission =
            check.probability(&format!("{p}.day_unit_admission"), raw.day_unit_admission);
        let zero_day_stay = check.distribution(&format!("{p}.zero_day_stay"), &raw.zero_day_stay);
        let factors = check.factors(
            &format!("{p}.discharge_weekday_factors"),
            &raw.discharge_weekday_factors,
            7,
            "weekday",
        );
        if factors.as_ref().is_some_and(|f| f.iter().any(|x| *x > 1.0)) {
            check.issue(
                format!("{p}.discharge_weekday_factors"),
                None,
                "are probabilities of leaving on that day: each must be at most 1",
            );
        }
        if factors
            .as_ref()
            .is_some_and(|f| f.iter().all(|x| *x == 0.0))
        {
            check.issue(
                format!("{p}.discharge_weekday_factors"),
                None,
                "is 0 on every day, so nobody could ever leave hospital",
            );
        }
        let mut arranging: PerDestination<Option<Distribution>> = PerDestination::default();
        let mut arranging_ok = true;
        for (key, raw) in &raw.arranging {
            match DischargeTo::from_name(key) {
                Some(to) => {
                    arranging[to] = check.distribution(&format!("{p}.arranging.{key}"), raw);
                    arranging_ok &= arranging[to].is_some();
                }
                None => {
                    check.issue(
                        format!("{p}.arranging.{key}"),
                        None,
                        format!(
                            "is not a discharge destination{}; use {}",
                            did_you_mean(key, DischargeTo::names()),
                            quoted_list(&DischargeTo::names())
                        ),
                    );
                    arranging_ok = false;
                }
            }
        }
        let readmission_delay =
            check.distribution(&format!("{p}.readmission_delay"), &raw.readmission_delay);
        let elective_discharge = check.shares(
            &format!("{p}.elective_discharge"),
            &raw.elective_discharge,
            ElectiveDischarge::KEYS,
        );
        Some(Pathways {
            ed_stay: ed_stay?,
            day_unit_stay: day_unit_stay?,
            day_unit_admission: day_unit_admission?,
            zero_day_stay: zero_day_stay?,
            discharge_weekday_factors: array(&factors?),
            arranging: if arranging_ok { arranging } else { return None },
            readmission_delay: readmission_delay?,
            elective_discharge: elective_discharge
                .map(|[home, reablement]| ElectiveDischarge { home, reablement })?,
        })
    })
}

/// `[community]`, checked.
pub(super) fn validate_community(check: &mut Checker, document: &toml::Table) -> Option<Community> {
    let community: Option<RawCommunity> = section(
        check,
        document,
        "community",
        "[community.rapid_response] with caseload_per_wte and episode",
    );
    community.and_then(|raw| {
        let rr = validate_team(check, "community.rapid_response", &raw.rapid_response, true);
        let re = validate_team(check, "community.reablement", &raw.reablement, false);
        let cm = validate_team(
            check,
            "community.case_management",
            &raw.case_management,
            false,
        );
        let bed_stay =
            check.distribution("community.community_beds.stay", &raw.community_beds.stay);
        let bed_discharge = check.shares(
            "community.community_beds.discharge",
            &raw.community_beds.discharge,
            BedDischarge::KEYS,
        );
        Some(Community {
            rapid: rr?,
            reablement: re?,
            case_management: cm?,
            bed_stay: bed_stay?,
            bed_discharge: bed_discharge.map(|[home, care_home, death]| BedDischarge {
                home,
                care_home,
                death,
            })?,
        })
    })
}

/// `[care_homes]`, checked.
pub(super) fn validate_care_homes(
    check: &mut Checker,
    document: &toml::Table,
) -> Option<CareHomes> {
    let care_homes: Option<RawCareHomes> = section(
        check,
        document,
        "care_homes",
        "[care_homes] with residential_stay and nursing_stay",
    );
    care_homes.and_then(|raw| {
        let p = "care_homes";
        let residential_stay =
            check.distribution(&format!("{p}.residential_stay"), &raw.residential_stay);
        let nursing_stay = check.distribution(&format!("{p}.nursing_stay"), &raw.nursing_stay);
        let nursing_share = check.probability(&format!("{p}.nursing_share"), raw.nursing_share);
        let occupancy =
            check.probability(&format!("{p}.occupancy_at_start"), raw.occupancy_at_start);
        let attendances = check.number_in(
            &format!("{p}.ed_attendances_per_resident_year"),
            raw.ed_attendances_per_resident_year,
            0.0,
            365.0,
            "per resident per year",
        );
        let ed_admission = check.probability(&format!("{p}.ed_admission"), raw.ed_admission);
        let death = check.probability(&format!("{p}.in_hospital_death"), raw.in_hospital_death);
        Some(CareHomes {
            residential_stay: residential_stay?,
            nursing_stay: nursing_stay?,
            nursing_share: nursing_share?,
            occupancy_at_start: occupancy?,
            attendances_per_resident_year: attendances?,
            ed_admission: ed_admission?,
            in_hospital_death: death?,
        })
    })
}

fn validate_team(check: &mut Checker, path: &str, raw: &RawTeam, rapid: bool) -> Option<Team> {
    let caseload = check.number_in(
        &format!("{path}.caseload_per_wte"),
        raw.caseload_per_wte,
        0.0,
        10_000.0,
        "people per whole-time equivalent",
    );
    let episode = check.distribution(&format!("{path}.episode"), &raw.episode);
    let at_home = match (rapid, raw.managed_at_home) {
        (true, Some(v)) => check.probability(&format!("{path}.managed_at_home"), v),
        (true, None) => {
            check.issue(path, None, "needs `managed_at_home`, the share of rapid-response episodes that end at home, e.g. managed_at_home = 0.75");
            None
        }
        (false, Some(_)) => {
            check.issue(
                format!("{path}.managed_at_home"),
                None,
                "applies to community.rapid_response only; remove it here",
            );
            None
        }
        (false, None) => Some(1.0),
    };
    let max_wait = match raw.max_wait_days {
        None => Some(None),
        Some(v) => check
            .number_in(
                &format!("{path}.max_wait_days"),
                v,
                MIN_MAX_WAIT_DAYS,
                MAX_DAYS,
                "days",
            )
            .map(Some),
    };
    Some(Team {
        caseload_per_wte: caseload?,
        episode: episode?,
        managed_at_home: at_home?,
        max_wait_days: max_wait?,
    })
}
