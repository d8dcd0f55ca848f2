//! `[sites.X]` (acute hospitals: beds and a day unit) and `[iccs.Y]`
//! (Integrated Care Communities: residents, staff, community beds and
//! care-home places), each read in file order.

use super::raw::{RawIcc, RawSite};
use super::sections::named_sections;
use super::spec::{Icc, Site};
use crate::scenario::check::{Checker, MAX_CAPACITY, quoted_list, validate_opening};
use crate::scenario::error::did_you_mean;

/// The sites, every one checked (those with a problem left out).
pub(super) fn validate_sites(check: &mut Checker, document: &toml::Table) -> Vec<Site> {
    let mut sites = Vec::new();
    for (site_name, raw) in named_sections::<RawSite>(
        check,
        document,
        "sites",
        "site",
        "[sites.general_hospital] with adult_beds, paediatric_beds and day_unit_places",
    ) {
        let Some(raw) = raw else { continue };
        let path = format!("sites.{site_name}");
        let adult_beds = check.places(&format!("{path}.adult_beds"), raw.adult_beds);
        let paediatric_beds = check.places(&format!("{path}.paediatric_beds"), raw.paediatric_beds);
        let day_unit_places = check.places(&format!("{path}.day_unit_places"), raw.day_unit_places);
        let slots = match raw.day_unit_slots_per_day {
            None => Some(None),
            Some(v) => check
                .whole_in(
                    &format!("{path}.day_unit_slots_per_day"),
                    v,
                    0.0,
                    MAX_CAPACITY,
                    "attendances per day",
                )
                .map(|v| Some(v as u32)),
        };
        let opening = match &raw.day_unit_opening {
            None => Some(None),
            Some(o) => validate_opening(check, &format!("{path}.day_unit_opening"), o).map(Some),
        };
        if let (
            Some(adult_beds),
            Some(paediatric_beds),
            Some(day_unit_places),
            Some(day_unit_slots_per_day),
            Some(day_unit_opening),
        ) = (adult_beds, paediatric_beds, day_unit_places, slots, opening)
        {
            sites.push(Site {
                name: site_name,
                description: raw.description.unwrap_or_default(),
                adult_beds,
                paediatric_beds,
                day_unit_places,
                day_unit_slots_per_day,
                day_unit_opening,
            });
        }
    }
    sites
}

/// The ICCs, every one checked (those with a problem left out); an ICC
/// names its site.
pub(super) fn validate_iccs(check: &mut Checker, document: &toml::Table) -> Vec<Icc> {
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
        let site = match site_names.iter().position(|s| *s == raw.site) {
            Some(i) => Some(i),
            None => {
                check.issue(
                    format!("{path}.site"),
                    Some(format!("{:?}", raw.site)),
                    format!(
                        "is not a site{}; the sites are {}",
                        did_you_mean(&raw.site, site_names.iter().map(String::as_str)),
                        quoted_list(&site_names.iter().map(String::as_str).collect::<Vec<_>>())
                    ),
                );
                None
            }
        };
        let population = check.per_band(
            &format!("{path}.population"),
            &raw.population,
            0.0,
            1e8,
            "people",
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
        if let (
            Some(site),
            Some(population),
            Some(rr),
            Some(re),
            Some(cm),
            Some(beds),
            Some(residential),
            Some(nursing),
        ) = (site, population, rr, re, cm, beds, residential, nursing)
        {
            iccs.push(Icc {
                name: icc_name,
                description: raw.description.unwrap_or_default(),
                site,
                population,
                rapid_response_wte: rr,
                reablement_wte: re,
                case_management_wte: cm,
                community_beds: beds,
                residential_places: residential,
                nursing_places: nursing,
            });
        }
    }
    iccs
}
