//! What each Integrated Care Community has and how its services work:
//! `[iccs.Y]` (residents, staff, community beds and care-home places, read
//! in file order; an ICC names its site), `[community]` (the rapid
//! response, reablement and case-management teams and the community beds)
//! and `[care_homes]`. This file owns these sections from the serde types
//! that read them (`Raw*`, refusing unknown keys; their shape is what
//! `iccsim schema` publishes) to the checked values `compile` reads, so a
//! new kind of service in every ICC is a field here (its places or staff,
//! and its parameters), a row of `compile/services.rs` and a
//! [`Role`](crate::model::system::Role).

use std::collections::BTreeMap;

use serde::Deserialize;

pub(super) use super::community_day_unit::{CommunityDayUnit, IccDayUnit, RawCommunityDayUnit};
use super::community_day_unit::{validate_community_day_unit, validate_icc_day_unit};
use super::discharge::SentTo;
use super::population::{IccDemand, validate_icc_demand};
use super::sections::{named_sections, section};
use crate::engine::Distribution;
use crate::model::system::AgeBands;
use crate::scenario::check::{
    Checker, MAX_DAYS, MIN_MAX_WAIT_DAYS, ROUNDING_TOLERANCE, quoted_list, shown_sum,
};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::{RawDistribution, RawOpening};

/// `[iccs.Y]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIcc {
    pub(super) description: Option<String>,
    /// The one acute site of the ICC's residents (or `sites`).
    pub(super) site: Option<String>,
    /// Several sites, each with its share of the residents' hospital care
    /// (shares add up to 1), instead of `site`.
    pub(super) sites: Option<BTreeMap<String, f64>>,
    #[schemars(with = "crate::scenario::schema::PerBand")]
    pub(super) population: toml::Table,
    pub(super) rapid_response_wte: f64,
    pub(super) reablement_wte: f64,
    pub(super) case_management_wte: f64,
    pub(super) community_beds: f64,
    pub(super) residential_places: f64,
    pub(super) nursing_places: f64,
    /// Hours of home care commissioned a week (default 0: no packages).
    pub(super) home_care_hours_per_week: Option<f64>,
    /// Places of the ICC's community day unit (default 0).
    pub(super) day_unit_places: Option<f64>,
    /// Most attendances it starts a day (default: no limit).
    pub(super) day_unit_slots_per_day: Option<f64>,
    /// Its opening hours (default: always open).
    pub(super) day_unit_opening: Option<RawOpening>,
    /// GPs in post, whole-time equivalents (default 0; needs
    /// `[primary_care]` when above 0).
    pub(super) gp_wte: Option<f64>,
    /// Nurses, pharmacists, paramedics and the other clinical roles of
    /// general practice, whole-time equivalents (default 0).
    pub(super) other_clinical_wte: Option<f64>,
    /// × the crisis rate of every band for the ICC's residents (default 1).
    pub(super) crisis_multiplier: Option<f64>,
    /// × the elective admission rate of every band (default 1).
    pub(super) elective_multiplier: Option<f64>,
    /// Yearly growth by band for this ICC, replacing the population's for
    /// the bands it names.
    #[schemars(with = "Option<crate::scenario::schema::PerBand>")]
    pub(super) growth_per_year: Option<toml::Table>,
}

/// A team of `[community]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTeam {
    pub(super) caseload_per_wte: f64,
    pub(super) episode: RawDistribution,
    pub(super) managed_at_home: Option<f64>,
    pub(super) max_wait_days: Option<f64>,
    /// Reablement only: where people finishing it go (`home`, `home_care`);
    /// default all home.
    pub(super) discharge: Option<BTreeMap<String, f64>>,
    /// Case management only: × the crisis rate of a person on the caseload.
    pub(super) crisis_multiplier: Option<f64>,
}

/// `[community.community_beds]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommunityBeds {
    pub(super) stay: RawDistribution,
    pub(super) discharge: BTreeMap<String, f64>,
    /// Days a patient waits for a bed before going without (lost; default:
    /// waits for ever).
    pub(super) max_wait_days: Option<f64>,
}

/// `[community]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommunity {
    pub(super) rapid_response: RawTeam,
    pub(super) reablement: RawTeam,
    pub(super) case_management: RawTeam,
    pub(super) community_beds: RawCommunityBeds,
    /// Long-term home care; needed when any ICC has hours or anyone is
    /// sent to it.
    pub(super) home_care: Option<RawHomeCare>,
    /// Community day units; needed when any ICC has day-unit places.
    pub(super) day_unit: Option<RawCommunityDayUnit>,
}

/// `[community.home_care]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHomeCare {
    /// Hours of care a week one package takes.
    pub(super) hours_per_package_week: f64,
    /// How long a package lasts, days.
    pub(super) package: RawDistribution,
    /// Where packages end: `home` (no longer needed), `care_home`, `death`.
    pub(super) discharge: BTreeMap<String, f64>,
    /// Share of packages in use when the run starts (default 0).
    pub(super) occupancy_at_start: Option<f64>,
    /// Days a person waits for a package before going without (lost;
    /// default: waits for ever).
    pub(super) max_wait_days: Option<f64>,
}

/// `[care_homes]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCareHomes {
    pub(super) residential_stay: RawDistribution,
    pub(super) nursing_stay: RawDistribution,
    pub(super) nursing_share: f64,
    pub(super) occupancy_at_start: f64,
    pub(super) ed_attendances_per_resident_year: f64,
    pub(super) ed_admission: f64,
    pub(super) in_hospital_death: f64,
}

/// Where patients leave a community bed for (shares).
pub(super) struct BedDischarge {
    pub(super) home: f64,
    pub(super) care_home: f64,
    pub(super) death: f64,
    /// Home with a long-term home-care package (waiting in the bed for one).
    pub(super) home_care: f64,
    /// Home with reablement (waiting in the bed for a place).
    pub(super) reablement: f64,
}

impl BedDischarge {
    /// The keys of `[community.community_beds.discharge]`, in this order.
    pub(super) const KEYS: [&str; 5] = ["home", "care_home", "death", "home_care", "reablement"];
}

/// Where home-care packages end (shares).
pub(super) struct PackageEnd {
    /// No longer needed (recovered, or care from family).
    pub(super) home: f64,
    /// A permanent care-home place (waiting at home, in the package, for one).
    pub(super) care_home: f64,
    pub(super) death: f64,
}

impl PackageEnd {
    /// The keys of `[community.home_care.discharge]`, in this order.
    pub(super) const KEYS: [&str; 3] = ["home", "care_home", "death"];
}

/// `[community.home_care]`, checked.
pub(super) struct HomeCare {
    pub(super) hours_per_package_week: f64,
    pub(super) package: Distribution,
    pub(super) discharge: PackageEnd,
    pub(super) occupancy_at_start: f64,
    pub(super) max_wait_days: Option<f64>,
}

/// Packages an ICC's hours buy: whole packages, floor(hours / hours per
/// package); none without `[community.home_care]`.
pub(super) fn home_care_packages(icc: &Icc, home_care: Option<&HomeCare>) -> u32 {
    match home_care {
        Some(h) if h.hours_per_package_week > 0.0 => {
            (icc.home_care_hours_per_week / h.hours_per_package_week).floor() as u32
        }
        _ => 0,
    }
}

/// An Integrated Care Community, checked.
pub(super) struct Icc {
    pub(super) name: String,
    pub(super) description: String,
    /// The main site (the largest share; the first in file order on a
    /// tie): where a full rapid-response team sends its crises.
    pub(super) site: usize,
    /// Each site of the catchment with its share of the residents'
    /// crises and electives, in file order of `[sites]`; one site with
    /// share 1 for `site = "..."`.
    pub(super) catchment: Vec<(usize, f64)>,
    pub(super) population: Vec<f64>,
    /// How its residents' demand differs from the population's.
    pub(super) demand: IccDemand,
    pub(super) rapid_response_wte: f64,
    pub(super) reablement_wte: f64,
    pub(super) case_management_wte: f64,
    pub(super) community_beds: u32,
    pub(super) residential_places: u32,
    pub(super) nursing_places: u32,
    pub(super) home_care_hours_per_week: f64,
    /// Its community day unit (no places when it has none).
    pub(super) day_unit: IccDayUnit,
    /// GPs in post, WTE (primary care; 0 when not modelled).
    pub(super) gp_wte: f64,
    /// Other clinical staff of general practice, WTE.
    pub(super) other_clinical_wte: f64,
}

/// A community team of `[community]`, checked.
pub(super) struct Team {
    pub(super) caseload_per_wte: f64,
    pub(super) episode: Distribution,
    pub(super) managed_at_home: f64,
    pub(super) max_wait_days: Option<f64>,
    /// Share of those finishing who need a long-term home-care package
    /// (reablement only; 0 elsewhere).
    pub(super) to_home_care: f64,
    /// Case management only: × the crisis rate of each person on the
    /// caseload, acting on the people on it (risk registers); None: not
    /// given (tiers' crises as without case management).
    pub(super) crisis_multiplier: Option<f64>,
}

/// `[community]`, checked.
pub(super) struct Community {
    pub(super) rapid: Team,
    pub(super) reablement: Team,
    pub(super) case_management: Team,
    pub(super) bed_stay: Distribution,
    pub(super) bed_discharge: BedDischarge,
    /// Days waiting for a community bed before going without.
    pub(super) bed_max_wait_days: Option<f64>,
    pub(super) home_care: Option<HomeCare>,
    pub(super) day_unit: Option<CommunityDayUnit>,
}

/// `[care_homes]`, checked.
pub(super) struct CareHomes {
    pub(super) residential_stay: Distribution,
    pub(super) nursing_stay: Distribution,
    pub(super) nursing_share: f64,
    pub(super) occupancy_at_start: f64,
    pub(super) attendances_per_resident_year: f64,
    pub(super) ed_admission: f64,
    pub(super) in_hospital_death: f64,
}

/// The ICCs, every one checked (those with a problem left out); an ICC
/// names its site.
pub(super) fn validate_iccs(
    check: &mut Checker,
    document: &toml::Table,
    age_bands: &AgeBands,
) -> Vec<Icc> {
    let site_names: Vec<String> = match document.get("sites") {
        Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    };

    let mut iccs = Vec::new();
    for (icc_name, raw) in named_sections::<RawIcc>(
        check,
        document,
        "iccs",
        "ICC",
        "[iccs.copeland] with site, population and staff",
    ) {
        let Some(raw) = raw else { continue };
        let path = format!("iccs.{icc_name}");
        let catchment = validate_catchment(check, &path, &raw, &site_names);
        let population = check.per_band(
            &format!("{path}.population"),
            &raw.population,
            age_bands,
            0.0,
            1e8,
            "people",
        );
        let demand = validate_icc_demand(
            check,
            &path,
            age_bands,
            raw.crisis_multiplier,
            raw.elective_multiplier,
            raw.growth_per_year.as_ref(),
        );
        let wte = |check: &mut Checker, key: &str, v: f64| {
            check.number_in(
                &format!("{path}.{key}"),
                v,
                0.0,
                1e5,
                "whole-time equivalent staff",
            )
        };
        let rr = wte(check, "rapid_response_wte", raw.rapid_response_wte);
        let re = wte(check, "reablement_wte", raw.reablement_wte);
        let cm = wte(check, "case_management_wte", raw.case_management_wte);
        let beds = check.places(&format!("{path}.community_beds"), raw.community_beds);
        let residential = check.places(
            &format!("{path}.residential_places"),
            raw.residential_places,
        );
        let nursing = check.places(&format!("{path}.nursing_places"), raw.nursing_places);
        let home_care_hours = check.number_in(
            &format!("{path}.home_care_hours_per_week"),
            raw.home_care_hours_per_week.unwrap_or(0.0),
            0.0,
            1e7,
            "hours of home care commissioned a week",
        );
        let day_unit = validate_icc_day_unit(
            check,
            &path,
            raw.day_unit_places,
            raw.day_unit_slots_per_day,
            raw.day_unit_opening.as_ref(),
        );
        let gp_wte = wte(check, "gp_wte", raw.gp_wte.unwrap_or(0.0));
        let other_clinical_wte = wte(
            check,
            "other_clinical_wte",
            raw.other_clinical_wte.unwrap_or(0.0),
        );
        if let (
            Some(catchment),
            Some(population),
            Some(rr),
            Some(re),
            Some(cm),
            Some(beds),
            Some(residential),
            Some(nursing),
            Some(home_care_hours),
            Some(day_unit),
            Some(gp_wte),
            Some(other_clinical_wte),
            Some(demand),
        ) = (
            catchment,
            population,
            rr,
            re,
            cm,
            beds,
            residential,
            nursing,
            home_care_hours,
            day_unit,
            gp_wte,
            other_clinical_wte,
            demand,
        ) {
            iccs.push(Icc {
                name: icc_name,
                description: raw.description.unwrap_or_default(),
                site: main_site(&catchment),
                catchment,
                population,
                demand,
                rapid_response_wte: rr,
                reablement_wte: re,
                case_management_wte: cm,
                community_beds: beds,
                residential_places: residential,
                nursing_places: nursing,
                home_care_hours_per_week: home_care_hours,
                day_unit,
                gp_wte,
                other_clinical_wte,
            });
        }
    }
    iccs
}

/// The site named `name` at `path`, or an issue naming the sites.
pub(super) fn site_index(
    check: &mut Checker,
    path: &str,
    name: &str,
    site_names: &[String],
) -> Option<usize> {
    let found = site_names.iter().position(|s| s == name);
    if found.is_none() {
        check.issue(
            path,
            Some(format!("{name:?}")),
            format!(
                "is not a site{}; the sites are {}",
                did_you_mean(name, site_names.iter().map(String::as_str)),
                quoted_list(&site_names.iter().map(String::as_str).collect::<Vec<_>>())
            ),
        );
    }
    found
}

/// `[iccs.X]`'s `site` or `sites`: each site of the catchment with its
/// share, in file order of `[sites]`. Shares within 0.01 of adding up to 1
/// are scaled to 1 with a warning (as route probabilities are: published
/// shares round); further off is an issue.
fn validate_catchment(
    check: &mut Checker,
    path: &str,
    raw: &RawIcc,
    site_names: &[String],
) -> Option<Vec<(usize, f64)>> {
    let shares = match (&raw.site, &raw.sites) {
        (Some(site), None) => {
            return site_index(check, &format!("{path}.site"), site, site_names)
                .map(|s| vec![(s, 1.0)]);
        }
        (None, Some(shares)) => shares,
        (Some(_), Some(_)) => {
            check.issue(path, None, "gives both `site` and `sites`; give `site = \"...\"` for one hospital, or `sites = { a = 0.8, b = 0.2 }` for several, not both");
            return None;
        }
        (None, None) => {
            check.issue(path, None, "needs `site = \"...\"` (its residents' hospital) or `sites = { a = 0.8, b = 0.2 }` (several, with each one's share of their hospital care)");
            return None;
        }
    };
    let key = format!("{path}.sites");
    if shares.is_empty() {
        check.issue(
            &key,
            None,
            "names no site; give at least one site with its share",
        );
        return None;
    }
    let mut catchment = Vec::new();
    let mut ok = true;
    for (name, share) in shares {
        let site = site_index(check, &format!("{key}.{name}"), name, site_names);
        let share = check.probability(&format!("{key}.{name}"), *share);
        match (site, share) {
            (Some(site), Some(share)) => catchment.push((site, share)),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    catchment.sort_by_key(|&(site, _)| site);
    let total: f64 = catchment.iter().map(|(_, share)| share).sum();
    let off_by = (total - 1.0).abs();
    let sum = shown_sum(total);
    if off_by > ROUNDING_TOLERANCE + 1e-9 {
        check.issue(
            &key,
            Some(format!("{sum}")),
            format!("the shares must add up to 1 (they add up to {sum}); adjust them"),
        );
        return None;
    }
    if off_by > 1e-6 {
        for (_, share) in &mut catchment {
            *share /= total;
        }
        check.warn(
            &key,
            format!("shares add up to {sum}, not 1: they were scaled to add up to 1 (each divided by {sum}), as for a published table that rounds; make them add up to 1 to silence this warning"),
        );
    }
    // A site of share 0 takes nobody: left out, so its routes are not built.
    catchment.retain(|&(_, share)| share > 0.0);
    if catchment.is_empty() {
        check.issue(
            &key,
            None,
            "gives every site a share of 0; give at least one a share above 0",
        );
        return None;
    }
    Some(catchment)
}

/// The site of the largest share (the first in file order on a tie).
fn main_site(catchment: &[(usize, f64)]) -> usize {
    let mut best = catchment[0];
    for &(site, share) in &catchment[1..] {
        if share > best.1 {
            best = (site, share);
        }
    }
    best.0
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
        let bed_max_wait = max_wait(
            check,
            "community.community_beds.max_wait_days",
            raw.community_beds.max_wait_days,
        );
        let home_care = match &raw.home_care {
            None => Some(None),
            Some(h) => validate_home_care(check, h).map(Some),
        };
        let day_unit = match &raw.day_unit {
            None => Some(None),
            Some(d) => validate_community_day_unit(check, d).map(Some),
        };
        Some(Community {
            rapid: rr?,
            reablement: re?,
            case_management: cm?,
            bed_stay: bed_stay?,
            bed_discharge: bed_discharge.map(
                |[home, care_home, death, home_care, reablement]| BedDischarge {
                    home,
                    care_home,
                    death,
                    home_care,
                    reablement,
                },
            )?,
            bed_max_wait_days: bed_max_wait?,
            home_care: home_care?,
            day_unit: day_unit?,
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
    let to_home_care = match (&raw.discharge, path == "community.reablement") {
        (None, _) => Some(0.0),
        (Some(shares), true) => check
            .shares(&format!("{path}.discharge"), shares, ["home", "home_care"])
            .map(|[_, home_care]| home_care),
        (Some(_), false) => {
            check.issue(
                format!("{path}.discharge"),
                None,
                "applies to community.reablement only (where people finishing reablement go: home or home_care); remove it here",
            );
            None
        }
    };
    let crisis_multiplier = match (raw.crisis_multiplier, path == "community.case_management") {
        (None, _) => Some(None),
        (Some(v), true) => check
            .number_in(
                &format!("{path}.crisis_multiplier"),
                v,
                0.0,
                10.0,
                "× the crisis rate of a person on the caseload",
            )
            .map(Some),
        (Some(_), false) => {
            check.issue(
                format!("{path}.crisis_multiplier"),
                None,
                "applies to community.case_management only (× the crisis rate of the people on its caseload); remove it here",
            );
            None
        }
    };
    Some(Team {
        caseload_per_wte: caseload?,
        episode: episode?,
        managed_at_home: at_home?,
        max_wait_days: max_wait?,
        to_home_care: to_home_care?,
        crisis_multiplier: crisis_multiplier?,
    })
}

/// `[community.home_care]`, checked.
fn validate_home_care(check: &mut Checker, raw: &RawHomeCare) -> Option<HomeCare> {
    let p = "community.home_care";
    let hours = check.number_in(
        &format!("{p}.hours_per_package_week"),
        raw.hours_per_package_week,
        0.1,
        168.0,
        "hours of care a week one package takes (e.g. 10)",
    );
    let package = check.distribution(&format!("{p}.package"), &raw.package);
    let discharge = check.shares(&format!("{p}.discharge"), &raw.discharge, PackageEnd::KEYS);
    let occupancy = check.probability(
        &format!("{p}.occupancy_at_start"),
        raw.occupancy_at_start.unwrap_or(0.0),
    );
    let max_wait_days = max_wait(check, &format!("{p}.max_wait_days"), raw.max_wait_days);
    Some(HomeCare {
        hours_per_package_week: hours?,
        package: package?,
        discharge: discharge.map(|[home, care_home, death]| PackageEnd {
            home,
            care_home,
            death,
        })?,
        occupancy_at_start: occupancy?,
        max_wait_days: max_wait_days?,
    })
}

/// An optional longest wait, days: `Some(None)` without one.
fn max_wait(check: &mut Checker, path: &str, value: Option<f64>) -> Option<Option<f64>> {
    match value {
        None => Some(None),
        Some(v) => check
            .number_in(path, v, MIN_MAX_WAIT_DAYS, MAX_DAYS, "days")
            .map(Some),
    }
}

/// An ICC's places that patients are sent to but that hold none: they
/// would wait (in hospital) for ever. A new kind of ICC service adds its
/// check here.
pub(super) fn check_icc_places(
    check: &mut Checker,
    icc: &Icc,
    community: &Community,
    care_homes: &CareHomes,
    sent: &SentTo,
) {
    let Community {
        reablement,
        case_management,
        ..
    } = community;
    let path = format!("iccs.{}", icc.name);
    if sent.reablement && (icc.reablement_wte * reablement.caseload_per_wte).floor() < 1.0 {
        check.issue(format!("{path}.reablement_wte"), Some(format!("{}", icc.reablement_wte)), format!("gives a reablement caseload of 0 (× caseload_per_wte {}), but patients are discharged to reablement and would wait in hospital for ever; add staff or set the reablement shares to 0", reablement.caseload_per_wte));
    }
    if sent.community_beds && icc.community_beds == 0 {
        check.issue(format!("{path}.community_beds"), Some("0".into()), "patients are discharged to community beds (discharge.community_bed above 0) and would wait in hospital for ever; add beds or set those shares to 0");
    }
    if sent.care_homes {
        let nursing = care_homes.nursing_share;
        if icc.residential_places == 0 && nursing < 1.0 {
            check.issue(format!("{path}.residential_places"), Some("0".into()), "patients are placed in residential care (care_homes.nursing_share below 1) and would wait for ever; add places or change the shares");
        }
        if icc.nursing_places == 0 && nursing > 0.0 {
            check.issue(format!("{path}.nursing_places"), Some("0".into()), "patients are placed in nursing homes (care_homes.nursing_share above 0) and would wait for ever; add places or change the shares");
        }
    }
    let packages = home_care_packages(icc, community.home_care.as_ref());
    if sent.home_care && community.home_care.is_some() && packages == 0 {
        check.issue(format!("{path}.home_care_hours_per_week"), Some(format!("{}", icc.home_care_hours_per_week)), "buys no home-care package (hours / community.home_care.hours_per_package_week below 1), but patients are sent to home care and would wait for ever; add hours or set the home_care shares and home_care_referrals_per_1000 to 0");
    }
    if icc.home_care_hours_per_week > 0.0 && community.home_care.is_none() {
        check.issue(format!("{path}.home_care_hours_per_week"), Some(format!("{}", icc.home_care_hours_per_week)), "needs [community.home_care] (hours_per_package_week, package, discharge) to say what a package is; add it or remove the hours");
    }
    if sent.case_management
        && (icc.case_management_wte * case_management.caseload_per_wte).floor() < 1.0
    {
        check.issue(format!("{path}.case_management_wte"), Some(format!("{}", icc.case_management_wte)), "gives a case-management caseload of 0, but risk tiers are referred to it; add staff or set case_management_referrals_per_1000 to 0");
    }
}
