//! Whole-system scenarios: a population in Integrated Care Communities,
//! acute sites, community services, care homes and unit costs, compiled
//! into a plain [`Network`] with a [`SystemLayout`] beside it.
//!
//! The file says what planners know (people per ICC and age band, rates
//! per 1,000, staff WTE, beds, shares of each pathway); this module turns
//! it into services (one ED, day unit and bed base per site; one rapid
//! response, reablement and case-management team, community beds and care
//! homes per ICC) and patient types (one per ICC × age band × risk tier ×
//! kind of demand), so that every patient carries their ICC, band and tier
//! and is routed to their own ICC's services and their site's hospital.
//! Every value is checked with its TOML path, as in `validate`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::error::Issue;
use super::levers::{LeverContext, UnitCostsPerYear, apply_levers};
use super::raw::{RawDistribution, RawOpening};
use super::validate::{Checker, MAX_TYPE_SERVICE_PAIRS, quoted_list, validate_opening};
use crate::engine::Distribution;
use crate::model::system::{
    AGE_BANDS, AdmissionIfEd, BREAKDOWN_METRICS, CalibrationTarget, Cohort, DemandKind, Role,
    SITE_METRICS, Sector, ServiceInfo, SystemLayout, UnitCosts, is_count_metric,
};
use crate::model::{
    Capacity, Census, CensusStart, Destination, FullPolicy, Network, OpeningHours, Overflow,
    Pathway, PatientType, PatientTypeId, Readmission, RouteTable, RunSettings, Service, ServiceId,
    SinkId,
};

/// Top-level keys of a whole-system scenario (besides the common ones).
pub const SYSTEM_KEYS: &[&str] = &[
    "population",
    "iccs",
    "sites",
    "age_bands",
    "pathways",
    "community",
    "care_homes",
    "costs",
    "calibration",
    "initial",
    "levers",
];

// ---------------------------------------------------------------- raw types

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPopulation {
    #[schemars(with = "super::schema::PerBand")]
    growth_per_year: toml::Table,
    monthly_factors: Option<Vec<f64>>,
    weekday_factors: Option<Vec<f64>>,
    elective_weekday_factors: Option<Vec<f64>>,
    #[schemars(with = "super::schema::PerBand")]
    gp_appointments_per_person: toml::Table,
    #[schemars(with = "Option<BTreeMap<String, RawTier>>")]
    risk_tiers: Option<toml::Table>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTier {
    share: f64,
    crisis_multiplier: f64,
    bands: Vec<String>,
    case_management_referrals_per_1000: Option<f64>,
    los_multiplier: Option<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIcc {
    description: Option<String>,
    site: String,
    #[schemars(with = "super::schema::PerBand")]
    population: toml::Table,
    rapid_response_wte: f64,
    reablement_wte: f64,
    case_management_wte: f64,
    community_beds: f64,
    residential_places: f64,
    nursing_places: f64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    description: Option<String>,
    adult_beds: f64,
    paediatric_beds: f64,
    day_unit_places: f64,
    day_unit_slots_per_day: Option<f64>,
    day_unit_opening: Option<RawOpening>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    crisis_per_1000: f64,
    elective_per_1000: f64,
    rapid_response_eligible: f64,
    direct_admission: f64,
    ed_to_day_unit: f64,
    ed_admission: f64,
    other_provider: f64,
    zero_day_share: f64,
    overnight_stay: RawDistribution,
    elective_stay: Option<RawDistribution>,
    in_hospital_death: f64,
    discharge: BTreeMap<String, f64>,
    readmission_30d: f64,
    care_home_placements_per_1000: Option<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPathways {
    ed_stay: RawDistribution,
    day_unit_stay: RawDistribution,
    day_unit_admission: f64,
    zero_day_stay: RawDistribution,
    discharge_weekday_factors: Vec<f64>,
    arranging: BTreeMap<String, RawDistribution>,
    readmission_delay: RawDistribution,
    elective_discharge: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    caseload_per_wte: f64,
    episode: RawDistribution,
    managed_at_home: Option<f64>,
    max_wait_days: Option<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommunityBeds {
    stay: RawDistribution,
    discharge: BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCommunity {
    rapid_response: RawTeam,
    reablement: RawTeam,
    case_management: RawTeam,
    community_beds: RawCommunityBeds,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCareHomes {
    residential_stay: RawDistribution,
    nursing_stay: RawDistribution,
    nursing_share: f64,
    occupancy_at_start: f64,
    ed_attendances_per_resident_year: f64,
    ed_admission: f64,
    in_hospital_death: f64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCosts {
    price_year: String,
    ed_attendance: f64,
    day_unit_attendance: f64,
    emergency_short_stay: f64,
    emergency_long_stay: f64,
    elective_admission: f64,
    excess_bed_day: f64,
    acute_bed_day: Option<f64>,
    rapid_response_contact: f64,
    rapid_response_contacts_per_day: f64,
    reablement_episode: f64,
    case_management_contact: f64,
    case_management_contacts_per_week: f64,
    community_bed_day: f64,
    residential_week: f64,
    nursing_week: f64,
    gp_appointment: f64,
    community_staff_wte_year: Option<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCalibration {
    targets: Vec<RawTarget>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    name: String,
    metric: String,
    age_bands: Option<Vec<String>>,
    per_year: Option<bool>,
    year: Option<i64>,
    observed: f64,
    low: f64,
    high: f64,
    source: String,
}

// ------------------------------------------------------- validated values

/// One age band's parameters, checked.
struct Band {
    crisis_per_1000: f64,
    elective_per_1000: f64,
    rapid_response_eligible: f64,
    direct_admission: f64,
    ed_to_day_unit: f64,
    ed_admission: f64,
    other_provider: f64,
    zero_day_share: f64,
    overnight_stay: Distribution,
    elective_stay: Option<Distribution>,
    in_hospital_death: f64,
    /// home, reablement, community_bed, care_home (of survivors).
    discharge: [f64; 4],
    readmission_30d: f64,
    care_home_placements_per_1000: f64,
}

struct Tier {
    name: String,
    share: f64,
    crisis_multiplier: f64,
    bands: [bool; 5],
    referrals_per_1000: f64,
    los_multiplier: f64,
}

struct Icc {
    name: String,
    description: String,
    site: usize,
    population: [f64; 5],
    rapid_response_wte: f64,
    reablement_wte: f64,
    case_management_wte: f64,
    community_beds: u32,
    residential_places: u32,
    nursing_places: u32,
}

struct Site {
    name: String,
    description: String,
    adult_beds: u32,
    paediatric_beds: u32,
    day_unit_places: u32,
    day_unit_slots_per_day: Option<u32>,
    day_unit_opening: Option<OpeningHours>,
}

struct Team {
    caseload_per_wte: f64,
    episode: Distribution,
    managed_at_home: f64,
    max_wait_days: Option<f64>,
}

const DISCHARGE_KEYS: [&str; 4] = ["home", "reablement", "community_bed", "care_home"];
const COMMUNITY_BED_KEYS: [&str; 3] = ["home", "care_home", "death"];
const ELECTIVE_DISCHARGE_KEYS: [&str; 2] = ["home", "reablement"];
const DAYS_PER_YEAR: f64 = 365.25;

/// Probabilities may be off 1 by rounding in a hand-written file.
const SUM_TOLERANCE: f64 = 1e-6;

impl Checker {
    fn probability(&mut self, path: &str, value: f64) -> Option<f64> {
        self.number_in(path, value, 0.0, 1.0, "probability")
    }

    /// A table with one number per age band, every band present.
    fn per_band(
        &mut self,
        path: &str,
        table: &toml::Table,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<[f64; 5]> {
        let mut values = [f64::NAN; 5];
        let mut ok = true;
        for (key, value) in table {
            let Some(b) = AGE_BANDS.iter().position(|band| band == key) else {
                self.issue(
                    format!("{path}.{key}"),
                    None,
                    format!(
                        "is not an age band{}; the bands are {}",
                        super::error::did_you_mean(key, AGE_BANDS.iter().copied()),
                        quoted_list(&AGE_BANDS)
                    ),
                );
                ok = false;
                continue;
            };
            let number = match value {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                other => {
                    self.issue(
                        format!("{path}.\"{key}\""),
                        Some(other.to_string()),
                        format!("must be a number ({unit})"),
                    );
                    ok = false;
                    continue;
                }
            };
            match self.number_in(&format!("{path}.\"{key}\""), number, min, max, unit) {
                Some(v) => values[b] = v,
                None => ok = false,
            }
        }
        for (b, band) in AGE_BANDS.iter().enumerate() {
            if values[b].is_nan() && ok {
                self.issue(
                    path,
                    None,
                    format!("needs a value for every age band; \"{band}\" is missing"),
                );
                ok = false;
            }
        }
        ok.then_some(values)
    }

    /// Shares of named destinations that must add up to 1.
    fn shares<const N: usize>(
        &mut self,
        path: &str,
        table: &BTreeMap<String, f64>,
        keys: [&str; N],
    ) -> Option<[f64; N]> {
        let mut values = [0.0; N];
        let mut ok = true;
        for (key, value) in table {
            match keys.iter().position(|k| k == key) {
                Some(i) => match self.probability(&format!("{path}.{key}"), *value) {
                    Some(v) => values[i] = v,
                    None => ok = false,
                },
                None => {
                    self.issue(
                        format!("{path}.{key}"),
                        None,
                        format!(
                            "is not a destination here{}; use {}",
                            super::error::did_you_mean(key, keys.iter().copied()),
                            quoted_list(&keys)
                        ),
                    );
                    ok = false;
                }
            }
        }
        let total: f64 = values.iter().sum();
        if ok && (total - 1.0).abs() > SUM_TOLERANCE {
            self.issue(
                path,
                Some(format!("{total}")),
                format!("the shares must add up to 1 (they add up to {total}); adjust them"),
            );
            ok = false;
        }
        ok.then_some(values)
    }

    fn places(&mut self, path: &str, value: f64) -> Option<u32> {
        self.whole_in(path, value, 0.0, super::validate::MAX_CAPACITY, "places")
            .map(|v| v as u32)
    }
}

/// Reads a required section with serde.
fn section<T: serde::de::DeserializeOwned>(
    check: &mut Checker,
    document: &toml::Table,
    key: &str,
    example: &str,
) -> Option<T> {
    match document.get(key) {
        None => {
            check.issue(
                key,
                None,
                format!("is missing; a whole-system scenario needs it, e.g. {example}"),
            );
            None
        }
        Some(value) => check.section(key, value.clone()),
    }
}

/// Reads `[key.name]` tables in file order.
fn named_sections<T: serde::de::DeserializeOwned>(
    check: &mut Checker,
    document: &toml::Table,
    key: &str,
    what: &str,
    example: &str,
) -> Vec<(String, Option<T>)> {
    match document.get(key) {
        None => {
            check.issue(
                key,
                None,
                format!("is missing; add at least one {what}, e.g. {example}"),
            );
            Vec::new()
        }
        Some(toml::Value::Table(table)) => {
            if table.is_empty() {
                check.issue(
                    key,
                    None,
                    format!("needs at least one {what}, e.g. {example}"),
                );
            }
            table
                .iter()
                .map(|(name, value)| {
                    let path = format!("{key}.{name}");
                    check.name(&path, name, what);
                    let parsed = if check.double_brackets(&path, value) {
                        None
                    } else {
                        check.section::<T>(&path, value.clone())
                    };
                    (name.clone(), parsed)
                })
                .collect()
        }
        Some(other) => {
            check.issue(
                key,
                Some(other.type_str().to_string()),
                format!("must be a table of {what}s, e.g. {example}"),
            );
            Vec::new()
        }
    }
}

/// Validates a whole-system scenario and compiles it into a network.
pub(super) fn validate_system(
    check: &mut Checker,
    document: &toml::Table,
    name: String,
    title: String,
    description: String,
    run: Option<RunSettings>,
) -> Option<Network> {
    for key in ["services", "patient_types", "sinks"] {
        if document.contains_key(key) {
            check.issue(key, None, "a whole-system scenario (with [population] and [iccs]) builds its own services, patient types and sinks; remove this section, or remove [population]/[iccs] to write the network by hand");
        }
    }

    // Population.
    let population: Option<RawPopulation> = section(
        check,
        document,
        "population",
        "[population] with growth_per_year and gp_appointments_per_person",
    );
    let mut growth = None;
    let mut gp_per_person = None;
    let mut monthly = Some([1.0; 12]);
    let mut weekday = Some([1.0; 7]);
    let mut elective_weekday = Some([1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0]);
    let mut tiers = Vec::new();
    if let Some(p) = &population {
        growth = check.per_band(
            "population.growth_per_year",
            &p.growth_per_year,
            -0.5,
            1.0,
            "fraction per year",
        );
        gp_per_person = check.per_band(
            "population.gp_appointments_per_person",
            &p.gp_appointments_per_person,
            0.0,
            365.0,
            "appointments per person per year",
        );
        if let Some(f) = &p.monthly_factors {
            monthly = check
                .factors("population.monthly_factors", f, 12, "month")
                .map(|v| array(&v));
        }
        if let Some(f) = &p.weekday_factors {
            weekday = check
                .factors("population.weekday_factors", f, 7, "weekday")
                .map(|v| array(&v));
        }
        if let Some(f) = &p.elective_weekday_factors {
            elective_weekday = check
                .factors("population.elective_weekday_factors", f, 7, "weekday")
                .map(|v| array(&v));
        }
        if let Some(table) = &p.risk_tiers {
            for (tier_name, value) in table {
                let path = format!("population.risk_tiers.{tier_name}");
                check.name(&path, tier_name, "risk tier");
                if tier_name == "rest" {
                    check.issue(
                        &path,
                        None,
                        "`rest` names the people outside every tier; choose another name",
                    );
                }
                let Some(raw) = check.section::<RawTier>(&path, value.clone()) else {
                    continue;
                };
                let share = check.number_in(
                    &format!("{path}.share"),
                    raw.share,
                    0.0,
                    0.5,
                    "fraction of the band",
                );
                let multiplier = check.number_in(
                    &format!("{path}.crisis_multiplier"),
                    raw.crisis_multiplier,
                    0.0,
                    100.0,
                    "× the band's crisis rate",
                );
                let referrals = check.number_in(
                    &format!("{path}.case_management_referrals_per_1000"),
                    raw.case_management_referrals_per_1000.unwrap_or(0.0),
                    0.0,
                    1000.0,
                    "per 1,000 per year",
                );
                let mut bands = [false; 5];
                if raw.bands.is_empty() {
                    check.issue(
                        format!("{path}.bands"),
                        Some("[]".into()),
                        "needs the age bands the tier applies to, e.g. bands = [\"75-84\", \"85+\"]",
                    );
                }
                if raw.bands.iter().any(|b| b == AGE_BANDS[0]) {
                    check.issue(
                        format!("{path}.bands"),
                        None,
                        "risk tiers are for adults: children's services are not modelled beyond ED and children's beds; remove \"0-17\"",
                    );
                }
                for (i, band) in raw.bands.iter().enumerate() {
                    match AGE_BANDS.iter().position(|b| b == band) {
                        Some(b) => bands[b] = true,
                        None => check.issue(
                            format!("{path}.bands[{i}]"),
                            Some(format!("{band:?}")),
                            format!(
                                "is not an age band; the bands are {}",
                                quoted_list(&AGE_BANDS)
                            ),
                        ),
                    }
                }
                let los = check.number_in(
                    &format!("{path}.los_multiplier"),
                    raw.los_multiplier.unwrap_or(1.0),
                    0.1,
                    10.0,
                    "× the band's overnight stay",
                );
                if let (
                    Some(share),
                    Some(crisis_multiplier),
                    Some(referrals_per_1000),
                    Some(los_multiplier),
                ) = (share, multiplier, referrals, los)
                {
                    tiers.push(Tier {
                        name: tier_name.clone(),
                        share,
                        crisis_multiplier,
                        bands,
                        referrals_per_1000,
                        los_multiplier,
                    });
                }
            }
        }
    }
    // Within a band, the tiers' shares and rates must leave a positive
    // rate for everyone else (the band's mean rate is kept).
    for (b, band) in AGE_BANDS.iter().enumerate() {
        let in_band: Vec<&Tier> = tiers.iter().filter(|t| t.bands[b]).collect();
        let share: f64 = in_band.iter().map(|t| t.share).sum();
        let carried: f64 = in_band.iter().map(|t| t.share * t.crisis_multiplier).sum();
        if share >= 1.0 || carried >= 1.0 {
            check.issue("population.risk_tiers", None, format!("the tiers of band \"{band}\" hold {:.0}% of its people and {:.0}% of its crises, leaving nothing for the rest; lower a share or a crisis_multiplier", share * 100.0, carried * 100.0));
        }
    }

    // Sites.
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
                    super::validate::MAX_CAPACITY,
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
    let site_names: Vec<String> = match document.get("sites") {
        Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    };

    // ICCs.
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
                        super::error::did_you_mean(
                            &raw.site,
                            site_names.iter().map(String::as_str)
                        ),
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

    // Age bands.
    let mut bands: Vec<Option<Band>> = (0..5).map(|_| None).collect();
    match document.get("age_bands") {
        None => check.issue("age_bands", None, format!("is missing; give each age band's rates and pathway shares, e.g. [age_bands.\"65-74\"]; the bands are {}", quoted_list(&AGE_BANDS))),
        Some(toml::Value::Table(table)) => {
            for (key, value) in table {
                let path = format!("age_bands.\"{key}\"");
                let Some(b) = AGE_BANDS.iter().position(|band| band == key) else {
                    check.issue(&path, None, format!("is not an age band{}; the bands are {}", super::error::did_you_mean(key, AGE_BANDS.iter().copied()), quoted_list(&AGE_BANDS)));
                    continue;
                };
                let Some(raw) = check.section::<RawBand>(&path, value.clone()) else { continue };
                if b == 0 {
                    check_children(check, &path, &raw);
                }
                bands[b] = validate_band(check, &path, &raw);
            }
            for band in AGE_BANDS {
                if !table.contains_key(band) {
                    check.issue("age_bands", None, format!("needs every age band; add [age_bands.\"{band}\"]"));
                }
            }
        }
        Some(other) => check.issue("age_bands", Some(other.type_str().to_string()), "must be a table of age bands, e.g. [age_bands.\"65-74\"]"),
    }

    // Pathways, community, care homes, costs.
    let pathways: Option<RawPathways> = section(
        check,
        document,
        "pathways",
        "[pathways] with ed_stay, day_unit_stay ...",
    );
    let pathways = pathways.and_then(|raw| {
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
        let mut arranging: [Option<Distribution>; 4] = [None, None, None, None];
        let mut arranging_ok = true;
        for (key, raw) in &raw.arranging {
            match DISCHARGE_KEYS.iter().position(|k| k == key) {
                Some(i) => {
                    arranging[i] = check.distribution(&format!("{p}.arranging.{key}"), raw);
                    arranging_ok &= arranging[i].is_some();
                }
                None => {
                    check.issue(
                        format!("{p}.arranging.{key}"),
                        None,
                        format!(
                            "is not a discharge destination{}; use {}",
                            super::error::did_you_mean(key, DISCHARGE_KEYS.iter().copied()),
                            quoted_list(&DISCHARGE_KEYS)
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
            ELECTIVE_DISCHARGE_KEYS,
        );
        Some(Pathways {
            ed_stay: ed_stay?,
            day_unit_stay: day_unit_stay?,
            day_unit_admission: day_unit_admission?,
            zero_day_stay: zero_day_stay?,
            discharge_weekday_factors: array(&factors?),
            arranging: if arranging_ok { arranging } else { return None },
            readmission_delay: readmission_delay?,
            elective_discharge: elective_discharge?,
        })
    });

    let community: Option<RawCommunity> = section(
        check,
        document,
        "community",
        "[community.rapid_response] with caseload_per_wte and episode",
    );
    let community = community.and_then(|raw| {
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
            COMMUNITY_BED_KEYS,
        );
        Some(Community {
            rapid: rr?,
            reablement: re?,
            case_management: cm?,
            bed_stay: bed_stay?,
            bed_discharge: bed_discharge?,
        })
    });

    let care_homes: Option<RawCareHomes> = section(
        check,
        document,
        "care_homes",
        "[care_homes] with residential_stay and nursing_stay",
    );
    let care_homes = care_homes.and_then(|raw| {
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
    });

    if let (Some(oldest), Some(homes)) = (&bands[AGE_BANDS.len() - 1], &care_homes)
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
    let costs: Option<RawCosts> = section(
        check,
        document,
        "costs",
        "[costs] with price_year and unit costs in £",
    );
    let costs = costs.and_then(|raw| validate_costs(check, &raw));
    let targets = match document.get("calibration") {
        None => Some(Vec::new()),
        Some(value) => check
            .section::<RawCalibration>("calibration", value.clone())
            .and_then(|raw| validate_targets(check, &raw, run.as_ref())),
    };

    if !check.issues.is_empty() {
        return None;
    }
    let bands: Vec<Band> = bands.into_iter().collect::<Option<Vec<_>>>()?;
    let parts = Parts {
        run: run?,
        growth: growth?,
        gp_per_person: gp_per_person?,
        monthly: monthly?,
        weekday: weekday?,
        elective_weekday: elective_weekday?,
        tiers,
        sites,
        iccs,
        bands,
        pathways: pathways?,
        community: community?,
        care_homes: care_homes?,
        costs: costs?,
        targets: targets?,
    };
    check_capacities(check, &parts);
    check_counts(check, &parts);
    if !check.issues.is_empty() {
        return None;
    }
    let start_date = parts.run.start_date;
    let context = lever_context(&parts);
    let mut network = match compile(name, title, description, parts) {
        Ok(network) => network,
        Err(issue) => {
            check.issues.push(issue);
            return None;
        }
    };
    if let Some(levers) = document.get("levers") {
        apply_levers(check, levers, start_date, &context, &mut network);
    }
    if let Some(initial) = document.get("initial") {
        apply_initial(check, initial, &mut network);
    }
    Some(network)
}

/// Most ICCs, sites and risk tiers one scenario may have. Every ICC ×
/// band × tier is a set of patient types, each with a pathway through
/// most services, and the network is built before the (type, service)
/// limit can be checked: these bounds keep that building small. The pair
/// limit ([`MAX_TYPE_SERVICE_PAIRS`]) is reached at 77 ICCs of the
/// baseline's shape, so they refuse only what could never run.
const MAX_ICCS: usize = 100;
const MAX_SITES: usize = 50;
const MAX_RISK_TIERS: usize = 8;

fn check_counts(check: &mut Checker, parts: &Parts) {
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

/// What the levers need to know beyond the compiled network.
fn lever_context(parts: &Parts) -> LeverContext {
    let costs = &parts.costs;
    LeverContext {
        arranging: parts.pathways.arranging.clone(),
        team_wte: parts
            .iccs
            .iter()
            .map(|i| {
                [
                    i.rapid_response_wte,
                    i.reablement_wte,
                    i.case_management_wte,
                ]
            })
            .collect(),
        caseload_per_wte: [
            parts.community.rapid.caseload_per_wte,
            parts.community.reablement.caseload_per_wte,
            parts.community.case_management.caseload_per_wte,
        ],
        cost_per_year: UnitCostsPerYear {
            staff_wte: costs.community_staff_wte_year,
            community_bed: costs.community_bed_day * DAYS_PER_YEAR,
            residential_place: costs.residential_week * DAYS_PER_YEAR / 7.0,
            nursing_place: costs.nursing_week * DAYS_PER_YEAR / 7.0,
            acute_bed: costs.excess_bed_day * DAYS_PER_YEAR,
        },
    }
}

/// `[initial.SERVICE]` of a whole-system scenario: today's census of a
/// built service, `patients` part-way through their stays and
/// `fit_to_leave` waiting to leave.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSystemInitial {
    patients: Option<f64>,
    fit_to_leave: Option<f64>,
}

/// Shares `total` among weights by largest remainder (ties to the first):
/// whole numbers adding up to `total`, each within 1 of its exact share.
fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| f64::from(total) * w / sum).collect();
    let mut shares: Vec<u32> = exact.iter().map(|e| e.floor() as u32).collect();
    let given: u32 = shares.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given) as usize) {
        shares[i] += 1;
    }
    shares
}

/// Puts each `[initial.SERVICE]` census into its service, shared among the
/// patient types that use the service in proportion to the place-days
/// they would take ([`Network::offered_load`]): the mix of ICCs, ages and
/// pathways a ward holds in steady state.
fn apply_initial(check: &mut Checker, initial: &toml::Value, network: &mut Network) {
    let Some(table) = initial.as_table() else {
        check.issue(
            "initial",
            Some(initial.type_str().to_string()),
            "must be tables of services, e.g. [initial.acute_cumberland_infirmary] with patients = 370",
        );
        return;
    };
    let load = network.offered_load();
    for (service_name, value) in table {
        let path = format!("initial.{service_name}");
        let Some(s) = network.service_id(service_name) else {
            check.issue(
                &path,
                None,
                format!(
                    "no such service in this scenario{}; the built services are named in summary.csv (e.g. acute_<site>, community_beds_<icc>, reablement_<icc>)",
                    super::error::did_you_mean(service_name, network.services.iter().map(|s| s.name.as_str()))
                ),
            );
            continue;
        };
        let Some(raw) = check.section::<RawSystemInitial>(&path, value.clone()) else {
            continue;
        };
        if !network.services[s.index()].census.is_empty() {
            check.issue(
                &path,
                None,
                "a care home's residents at the start are set by care_homes.occupancy_at_start; remove this section",
            );
            continue;
        }
        let count = |check: &mut Checker, key: &str, value: Option<f64>| {
            value.map_or(Some(0), |v| {
                check
                    .whole_in(
                        &format!("{path}.{key}"),
                        v,
                        0.0,
                        super::validate::MAX_CAPACITY,
                        "patients",
                    )
                    .map(|v| v as u32)
            })
        };
        let (Some(patients), Some(fit)) = (
            count(check, "patients", raw.patients),
            count(check, "fit_to_leave", raw.fit_to_leave),
        ) else {
            continue;
        };
        if let Capacity::Limited(capacity) = network.services[s.index()].capacity
            && patients + fit > capacity
        {
            check.issue(
                &path,
                Some(format!("{} patients", patients + fit)),
                format!(
                    "more than the service's {capacity} places; give at most {capacity} in all"
                ),
            );
            continue;
        }
        let weights: Vec<f64> = load.iter().map(|per_type| per_type[s.index()]).collect();
        if weights.iter().sum::<f64>() <= 0.0 {
            check.issue(
                &path,
                None,
                "no patients ever use this service in this scenario, so a census cannot be shared among them",
            );
            continue;
        }
        let mut census = Vec::new();
        for (count, start) in [(patients, false), (fit, true)] {
            for (t, share) in apportion(count, &weights).into_iter().enumerate() {
                if share > 0 {
                    census.push(Census {
                        patient_type: PatientTypeId(t as u32),
                        start: if start {
                            CensusStart::FitToLeave { patients: share }
                        } else {
                            CensusStart::Equilibrium { patients: share }
                        },
                    });
                }
            }
        }
        network.services[s.index()].census = census;
    }
}

fn array<const N: usize>(values: &[f64]) -> [f64; N] {
    let mut out = [0.0; N];
    out.copy_from_slice(&values[..N]);
    out
}

/// A service with no places that patients are sent to and wait for would
/// hold them (and the beds they leave) for ever: say so before running.
fn check_capacities(check: &mut Checker, parts: &Parts) {
    let Community {
        reablement,
        case_management,
        bed_discharge,
        ..
    } = &parts.community;
    let any_band = |k: usize| parts.bands.iter().any(|b| b.discharge[k] > 0.0);
    let to_reablement = any_band(1) || parts.pathways.elective_discharge[1] > 0.0;
    let to_community_beds = any_band(2);
    let to_care_homes = any_band(3)
        || bed_discharge[1] > 0.0
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

/// Children use ED, direct admission and children's beds only: the day
/// unit, rapid response, community services and care homes are the
/// adults' (and planned care for children is not modelled).
fn check_children(check: &mut Checker, path: &str, raw: &RawBand) {
    let adult_only = [
        (
            "ed_to_day_unit",
            raw.ed_to_day_unit,
            "the day unit is the adults' (when full it admits to adult beds); count children's same-day care in ed_admission or home",
        ),
        (
            "rapid_response_eligible",
            raw.rapid_response_eligible,
            "rapid response is an adult community service",
        ),
        (
            "elective_per_1000",
            raw.elective_per_1000,
            "children's planned care is not modelled",
        ),
        (
            "care_home_placements_per_1000",
            raw.care_home_placements_per_1000.unwrap_or(0.0),
            "care homes are for adults",
        ),
    ];
    for (key, value, why) in adult_only {
        if value > 0.0 {
            check.issue(
                format!("{path}.{key}"),
                Some(format!("{value}")),
                format!("must be 0 for children: {why}"),
            );
        }
    }
    for (key, value) in &raw.discharge {
        if key != "home" && *value > 0.0 {
            check.issue(
                format!("{path}.discharge.{key}"),
                Some(format!("{value}")),
                "must be 0 for children: reablement, community beds and care homes are adult services; discharge children home",
            );
        }
    }
}

fn validate_band(check: &mut Checker, path: &str, raw: &RawBand) -> Option<Band> {
    let rate = |check: &mut Checker, key: &str, v: f64| {
        check.number_in(
            &format!("{path}.{key}"),
            v,
            0.0,
            100_000.0,
            "per 1,000 per year",
        )
    };
    let crisis = rate(check, "crisis_per_1000", raw.crisis_per_1000);
    let elective = rate(check, "elective_per_1000", raw.elective_per_1000);
    let placements = rate(
        check,
        "care_home_placements_per_1000",
        raw.care_home_placements_per_1000.unwrap_or(0.0),
    );
    let p = |check: &mut Checker, key: &str, v: f64| check.probability(&format!("{path}.{key}"), v);
    let rr = p(
        check,
        "rapid_response_eligible",
        raw.rapid_response_eligible,
    );
    let direct = p(check, "direct_admission", raw.direct_admission);
    let to_day_unit = p(check, "ed_to_day_unit", raw.ed_to_day_unit);
    let ed_admission = p(check, "ed_admission", raw.ed_admission);
    let other = p(check, "other_provider", raw.other_provider);
    let zero_day = p(check, "zero_day_share", raw.zero_day_share);
    let death = p(check, "in_hospital_death", raw.in_hospital_death);
    let readmission = p(check, "readmission_30d", raw.readmission_30d);
    if let (Some(rr), Some(direct)) = (rr, direct)
        && rr + direct > 1.0 + SUM_TOLERANCE
    {
        check.issue(format!("{path}.direct_admission"), Some(format!("{direct}")), format!("rapid_response_eligible + direct_admission is {}: more than everyone; lower one of them", rr + direct));
    }
    if let (Some(a), Some(b)) = (to_day_unit, ed_admission)
        && a + b > 1.0 + SUM_TOLERANCE
    {
        check.issue(format!("{path}.ed_admission"), Some(format!("{b}")), format!("ed_to_day_unit + ed_admission is {}: more than every ED attendance; lower one of them", a + b));
    }
    let overnight = check.distribution(&format!("{path}.overnight_stay"), &raw.overnight_stay);
    let elective_stay = match &raw.elective_stay {
        None => Some(None),
        Some(d) => check
            .distribution(&format!("{path}.elective_stay"), d)
            .map(Some),
    };
    if elective.is_some_and(|e| e > 0.0) && raw.elective_stay.is_none() {
        check.issue(format!("{path}.elective_stay"), None, "is needed when elective_per_1000 is above 0, e.g. elective_stay = { dist = \"lognormal\", mean = 4.6, sd = 5.0 }");
    }
    let discharge = check.shares(&format!("{path}.discharge"), &raw.discharge, DISCHARGE_KEYS);
    Some(Band {
        crisis_per_1000: crisis?,
        elective_per_1000: elective?,
        rapid_response_eligible: rr?,
        direct_admission: direct?,
        ed_to_day_unit: to_day_unit?,
        ed_admission: ed_admission?,
        other_provider: other?,
        zero_day_share: zero_day?,
        overnight_stay: overnight?,
        elective_stay: elective_stay?,
        in_hospital_death: death?,
        discharge: discharge?,
        readmission_30d: readmission?,
        care_home_placements_per_1000: placements?,
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
                super::validate::MIN_MAX_WAIT_DAYS,
                super::validate::MAX_DAYS,
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

fn validate_targets(
    check: &mut Checker,
    raw: &RawCalibration,
    run: Option<&RunSettings>,
) -> Option<Vec<CalibrationTarget>> {
    // Years of the window: anniversaries of the start date before its end.
    let window_years = run.map(|run| {
        (0..)
            .take_while(|k| {
                let start = run.start_date.add_months(12 * k);
                ((start.day_number() - run.start_date.day_number()) as f64) < run.horizon_days
            })
            .count()
    });
    let known: Vec<&str> = BREAKDOWN_METRICS
        .iter()
        .chain(SITE_METRICS)
        .map(|m| m.name)
        .collect();
    let mut targets = Vec::new();
    let mut ok = true;
    for (i, t) in raw.targets.iter().enumerate() {
        let path = format!("calibration.targets[{i}]");
        if !known.contains(&t.metric.as_str()) {
            check.issue(
                format!("{path}.metric"),
                Some(format!("{:?}", t.metric)),
                format!(
                    "is not an output{}; see docs/whole-system.md, section 12, for the list",
                    super::error::did_you_mean(&t.metric, known.iter().copied())
                ),
            );
            ok = false;
            continue;
        }
        let mut bands = Vec::new();
        for (j, band) in t.age_bands.iter().flatten().enumerate() {
            match AGE_BANDS.iter().position(|b| b == band) {
                Some(b) if bands.contains(&b) => {
                    check.issue(
                        format!("{path}.age_bands[{j}]"),
                        Some(format!("{band:?}")),
                        "is listed twice; list each band once",
                    );
                    ok = false;
                }
                Some(b) => bands.push(b),
                None => {
                    check.issue(
                        format!("{path}.age_bands[{j}]"),
                        Some(format!("{band:?}")),
                        format!(
                            "is not an age band; the bands are {}",
                            quoted_list(&AGE_BANDS)
                        ),
                    );
                    ok = false;
                }
            }
        }
        let site = SITE_METRICS.iter().any(|m| m.name == t.metric);
        if site && !bands.is_empty() {
            check.issue(
                format!("{path}.age_bands"),
                None,
                format!(
                    "`{}` is a measure of the whole hospital, not split by age; remove age_bands",
                    t.metric
                ),
            );
            ok = false;
        }
        if bands.len() > 1 && !is_count_metric(&t.metric) {
            check.issue(format!("{path}.age_bands"), None, format!("`{}` is a ratio and cannot be added up over several bands; give one band, or none for all ages", t.metric));
            ok = false;
        }
        let per_year = t.per_year.unwrap_or(false);
        if per_year && !is_count_metric(&t.metric) {
            check.issue(
                format!("{path}.per_year"),
                None,
                format!("`{}` is not a count; remove per_year", t.metric),
            );
            ok = false;
        }
        let last_year = window_years.unwrap_or(200) as i64;
        let year = match t.year {
            None => None,
            Some(y) if (1..=last_year).contains(&y) => Some(y as usize),
            Some(y) => {
                check.issue(
                    format!("{path}.year"),
                    Some(y.to_string()),
                    format!("must be a year of the window, from 1 to {last_year} (run.horizon_days), or left out for the whole window"),
                );
                ok = false;
                None
            }
        };
        for (key, v) in [("observed", t.observed), ("low", t.low), ("high", t.high)] {
            ok &= check
                .number_in(&format!("{path}.{key}"), v, -1e15, 1e15, "")
                .is_some();
        }
        if !(t.low <= t.observed && t.observed <= t.high) {
            check.issue(
                format!("{path}.low"),
                Some(format!("{}", t.low)),
                format!(
                    "low ≤ observed ≤ high is needed (observed {}, high {})",
                    t.observed, t.high
                ),
            );
            ok = false;
        }
        targets.push(CalibrationTarget {
            name: t.name.clone(),
            metric: t.metric.clone(),
            age_bands: bands,
            per_year,
            year,
            observed: t.observed,
            low: t.low,
            high: t.high,
            source: t.source.clone(),
        });
    }
    ok.then_some(targets)
}

fn validate_costs(check: &mut Checker, raw: &RawCosts) -> Option<Costs> {
    let mut ok = true;
    let mut money = |key: &str, v: f64| -> f64 {
        ok &= check
            .number_in(&format!("costs.{key}"), v, 0.0, 1e7, "£")
            .is_some();
        v
    };
    let costs = Costs {
        price_year: raw.price_year.clone(),
        ed_attendance: money("ed_attendance", raw.ed_attendance),
        day_unit_attendance: money("day_unit_attendance", raw.day_unit_attendance),
        emergency_short_stay: money("emergency_short_stay", raw.emergency_short_stay),
        emergency_long_stay: money("emergency_long_stay", raw.emergency_long_stay),
        elective_admission: money("elective_admission", raw.elective_admission),
        excess_bed_day: money("excess_bed_day", raw.excess_bed_day),
        acute_bed_day: money("acute_bed_day", raw.acute_bed_day.unwrap_or(0.0)),
        rapid_response_contact: money("rapid_response_contact", raw.rapid_response_contact),
        rapid_response_contacts_per_day: raw.rapid_response_contacts_per_day,
        reablement_episode: money("reablement_episode", raw.reablement_episode),
        case_management_contact: money("case_management_contact", raw.case_management_contact),
        case_management_contacts_per_week: raw.case_management_contacts_per_week,
        community_bed_day: money("community_bed_day", raw.community_bed_day),
        residential_week: money("residential_week", raw.residential_week),
        nursing_week: money("nursing_week", raw.nursing_week),
        gp_appointment: money("gp_appointment", raw.gp_appointment),
        community_staff_wte_year: raw
            .community_staff_wte_year
            .map(|v| money("community_staff_wte_year", v)),
    };
    ok &= check
        .number_in(
            "costs.rapid_response_contacts_per_day",
            raw.rapid_response_contacts_per_day,
            0.0,
            100.0,
            "contacts per day of an episode",
        )
        .is_some();
    ok &= check
        .number_in(
            "costs.case_management_contacts_per_week",
            raw.case_management_contacts_per_week,
            0.0,
            100.0,
            "contacts per week of an episode",
        )
        .is_some();
    if raw.price_year.trim().is_empty() {
        check.issue(
            "costs.price_year",
            Some("\"\"".into()),
            "must say the price base of the costs, e.g. price_year = \"2023/24\"",
        );
        ok = false;
    }
    ok.then_some(costs)
}

struct Pathways {
    ed_stay: Distribution,
    day_unit_stay: Distribution,
    day_unit_admission: f64,
    zero_day_stay: Distribution,
    discharge_weekday_factors: [f64; 7],
    arranging: [Option<Distribution>; 4],
    readmission_delay: Distribution,
    elective_discharge: [f64; 2],
}

struct Community {
    rapid: Team,
    reablement: Team,
    case_management: Team,
    bed_stay: Distribution,
    /// home, care_home, death.
    bed_discharge: [f64; 3],
}

struct CareHomes {
    residential_stay: Distribution,
    nursing_stay: Distribution,
    nursing_share: f64,
    occupancy_at_start: f64,
    attendances_per_resident_year: f64,
    ed_admission: f64,
    in_hospital_death: f64,
}

struct Costs {
    price_year: String,
    ed_attendance: f64,
    day_unit_attendance: f64,
    emergency_short_stay: f64,
    emergency_long_stay: f64,
    elective_admission: f64,
    excess_bed_day: f64,
    acute_bed_day: f64,
    rapid_response_contact: f64,
    rapid_response_contacts_per_day: f64,
    reablement_episode: f64,
    case_management_contact: f64,
    case_management_contacts_per_week: f64,
    community_bed_day: f64,
    residential_week: f64,
    nursing_week: f64,
    gp_appointment: f64,
    community_staff_wte_year: Option<f64>,
}

struct Parts {
    run: RunSettings,
    growth: [f64; 5],
    gp_per_person: [f64; 5],
    monthly: [f64; 12],
    weekday: [f64; 7],
    elective_weekday: [f64; 7],
    tiers: Vec<Tier>,
    sites: Vec<Site>,
    iccs: Vec<Icc>,
    bands: Vec<Band>,
    pathways: Pathways,
    community: Community,
    care_homes: CareHomes,
    costs: Costs,
    targets: Vec<CalibrationTarget>,
}

// ------------------------------------------------------------- compiling

/// Services of the compiled network, by what they are.
struct Ids {
    ed: Vec<ServiceId>,
    day_unit: Vec<ServiceId>,
    acute: Vec<ServiceId>,
    paediatrics: Vec<ServiceId>,
    other_providers: ServiceId,
    rapid_response: Vec<ServiceId>,
    reablement: Vec<ServiceId>,
    case_management: Vec<ServiceId>,
    community_beds: Vec<ServiceId>,
    residential: Vec<ServiceId>,
    nursing: Vec<ServiceId>,
}

const HOME: Destination = Destination::Sink(SinkId(0));
const DEATH: Destination = Destination::Sink(SinkId(1));

fn service(
    name: String,
    description: String,
    unit: &str,
    capacity: Capacity,
    when_full: FullPolicy,
) -> Service {
    Service {
        name,
        description,
        capacity_unit: unit.to_string(),
        capacity,
        capacity_changes: Vec::new(),
        when_full,
        opening: None,
        max_admissions_per_day: None,
        discharge_weekday_factors: [1.0; 7],
        census: Vec::new(),
    }
}

const WAIT: FullPolicy = FullPolicy::Wait {
    max_wait_days: None,
    then: Overflow::Lose,
};

/// The band's name as used in type names ("85+" stays readable).
fn band_label(b: usize) -> &'static str {
    AGE_BANDS[b]
}

fn compile(
    name: String,
    title: String,
    description: String,
    parts: Parts,
) -> Result<Network, Issue> {
    let Parts {
        run,
        growth,
        gp_per_person,
        monthly,
        weekday,
        elective_weekday,
        tiers,
        sites,
        iccs,
        bands,
        pathways,
        community,
        care_homes,
        costs,
        targets,
    } = parts;
    let Community {
        rapid,
        reablement,
        case_management,
        bed_stay,
        bed_discharge,
    } = community;

    // Services, with their role and costs.
    let mut services = Vec::new();
    let mut infos = Vec::new();
    let mut add = |s: Service, info: ServiceInfo| -> ServiceId {
        services.push(s);
        infos.push(info);
        ServiceId((services.len() - 1) as u32)
    };
    let acute_costs = UnitCosts {
        sector: Sector::Acute,
        per_admission: costs.emergency_long_stay,
        per_short_stay: Some(costs.emergency_short_stay),
        per_elective_admission: Some(costs.elective_admission),
        per_place_day: costs.acute_bed_day,
        per_delayed_day: costs.excess_bed_day,
    };
    let mut ids = Ids {
        ed: vec![],
        day_unit: vec![],
        acute: vec![],
        paediatrics: vec![],
        other_providers: ServiceId(0),
        rapid_response: vec![],
        reablement: vec![],
        case_management: vec![],
        community_beds: vec![],
        residential: vec![],
        nursing: vec![],
    };
    for (i, site) in sites.iter().enumerate() {
        let at = |role, costs| ServiceInfo {
            role,
            site: Some(i),
            icc: None,
            costs,
        };
        ids.ed.push(add(
            service(
                format!("ed_{}", site.name),
                format!("Emergency department, {}", site.description),
                "attendances in progress",
                Capacity::Unlimited,
                WAIT,
            ),
            at(
                Role::EmergencyDepartment,
                UnitCosts {
                    per_admission: costs.ed_attendance,
                    ..UnitCosts::none(Sector::Acute)
                },
            ),
        ));
    }
    for (i, site) in sites.iter().enumerate() {
        let mut acute = service(
            format!("acute_{}", site.name),
            format!("Adult general and acute beds, {}", site.description),
            "beds",
            Capacity::Limited(site.adult_beds),
            WAIT,
        );
        acute.discharge_weekday_factors = pathways.discharge_weekday_factors;
        ids.acute.push(add(
            acute,
            ServiceInfo {
                role: Role::AcuteBeds,
                site: Some(i),
                icc: None,
                costs: acute_costs,
            },
        ));
    }
    for (i, site) in sites.iter().enumerate() {
        let mut unit = service(
            format!("day_unit_{}", site.name),
            format!("Same-day emergency care (day unit), {}", site.description),
            "places",
            Capacity::Limited(site.day_unit_places),
            // Full, closed or out of slots: admitted instead.
            FullPolicy::Overflow(Overflow::Divert(ids.acute[i])),
        );
        unit.opening = site.day_unit_opening;
        unit.max_admissions_per_day = site.day_unit_slots_per_day;
        ids.day_unit.push(add(
            unit,
            ServiceInfo {
                role: Role::DayUnit,
                site: Some(i),
                icc: None,
                costs: UnitCosts {
                    per_admission: costs.day_unit_attendance,
                    ..UnitCosts::none(Sector::Acute)
                },
            },
        ));
    }
    for (i, site) in sites.iter().enumerate() {
        let mut ward = service(
            format!("paediatrics_{}", site.name),
            format!("Children's beds, {}", site.description),
            "beds",
            Capacity::Limited(site.paediatric_beds),
            WAIT,
        );
        ward.discharge_weekday_factors = pathways.discharge_weekday_factors;
        ids.paediatrics.push(add(
            ward,
            ServiceInfo {
                role: Role::PaediatricBeds,
                site: Some(i),
                icc: None,
                costs: acute_costs,
            },
        ));
    }
    ids.other_providers = add(
        service("other_providers".into(), "Admissions of residents to hospitals outside the modelled trust (tertiary centres, neighbouring trusts)".into(), "beds", Capacity::Unlimited, WAIT),
        ServiceInfo { role: Role::OtherProvider, site: None, icc: None, costs: UnitCosts { per_delayed_day: 0.0, ..acute_costs } },
    );
    for (i, icc) in iccs.iter().enumerate() {
        let team = |role: Role, costs: UnitCosts| ServiceInfo {
            role,
            site: None,
            icc: Some(i),
            costs,
        };
        let caseload = |wte: f64, per: f64| Capacity::Limited((wte * per).floor() as u32);
        let ed = ids.ed[icc.site];
        let rr_full = match rapid.max_wait_days {
            // Not seen within the limit: goes to ED.
            Some(limit) => FullPolicy::Wait {
                max_wait_days: Some(limit),
                then: Overflow::Divert(ed),
            },
            None => FullPolicy::Overflow(Overflow::Divert(ed)),
        };
        ids.rapid_response.push(add(
            service(
                format!("rapid_response_{}", icc.name),
                format!(
                    "Rapid response at home, {} ICC {}",
                    icc.name, icc.description
                )
                .trim_end()
                .to_string(),
                "caseload",
                caseload(icc.rapid_response_wte, rapid.caseload_per_wte),
                rr_full,
            ),
            team(
                Role::RapidResponse,
                UnitCosts {
                    per_place_day: costs.rapid_response_contact
                        * costs.rapid_response_contacts_per_day,
                    ..UnitCosts::none(Sector::Community)
                },
            ),
        ));
        let reablement_full = match reablement.max_wait_days {
            Some(limit) => FullPolicy::Wait {
                max_wait_days: Some(limit),
                then: Overflow::Lose,
            },
            None => WAIT,
        };
        ids.reablement.push(add(
            service(
                format!("reablement_{}", icc.name),
                format!(
                    "Reablement and home-based community team (discharge pathway 1), {} ICC",
                    icc.name
                ),
                "caseload",
                caseload(icc.reablement_wte, reablement.caseload_per_wte),
                reablement_full,
            ),
            team(
                Role::Reablement,
                UnitCosts {
                    per_admission: costs.reablement_episode,
                    ..UnitCosts::none(Sector::Community)
                },
            ),
        ));
        let case_management_full = match case_management.max_wait_days {
            Some(limit) => FullPolicy::Wait {
                max_wait_days: Some(limit),
                then: Overflow::Lose,
            },
            None => WAIT,
        };
        ids.case_management.push(add(
            service(
                format!("case_management_{}", icc.name),
                format!(
                    "Proactive case management of people at high risk, {} ICC",
                    icc.name
                ),
                "caseload",
                caseload(icc.case_management_wte, case_management.caseload_per_wte),
                case_management_full,
            ),
            team(
                Role::CaseManagement,
                UnitCosts {
                    per_place_day: costs.case_management_contact
                        * costs.case_management_contacts_per_week
                        / 7.0,
                    ..UnitCosts::none(Sector::Community)
                },
            ),
        ));
        ids.community_beds.push(add(
            service(
                format!("community_beds_{}", icc.name),
                format!(
                    "Community hospital beds (discharge pathway 2), {} ICC",
                    icc.name
                ),
                "beds",
                Capacity::Limited(icc.community_beds),
                WAIT,
            ),
            team(
                Role::CommunityBeds,
                UnitCosts {
                    per_place_day: costs.community_bed_day,
                    ..UnitCosts::none(Sector::Community)
                },
            ),
        ));
        ids.residential.push(add(
            service(
                format!("residential_{}", icc.name),
                format!("Residential care homes, {} ICC", icc.name),
                "places",
                Capacity::Limited(icc.residential_places),
                WAIT,
            ),
            team(
                Role::ResidentialCare,
                UnitCosts {
                    per_place_day: costs.residential_week / 7.0,
                    ..UnitCosts::none(Sector::SocialCare)
                },
            ),
        ));
        ids.nursing.push(add(
            service(
                format!("nursing_{}", icc.name),
                format!("Nursing homes, {} ICC", icc.name),
                "places",
                Capacity::Limited(icc.nursing_places),
                WAIT,
            ),
            team(
                Role::NursingCare,
                UnitCosts {
                    per_place_day: costs.nursing_week / 7.0,
                    ..UnitCosts::none(Sector::SocialCare)
                },
            ),
        ));
    }

    // Patient types and their pathways.
    let n_services = services.len();
    let mut types: Vec<PatientType> = Vec::new();
    let mut cohorts: Vec<Cohort> = Vec::new();
    let mut pathways_table: Vec<Vec<(ServiceId, Pathway)>> = Vec::new();
    let arranging = |k: usize| pathways.arranging[k].clone();
    let care_home_routes = |p: f64, icc: usize| -> Vec<(f64, Destination, Option<Distribution>)> {
        vec![
            (
                p * (1.0 - care_homes.nursing_share),
                Destination::Service(ids.residential[icc]),
                arranging(3),
            ),
            (
                p * care_homes.nursing_share,
                Destination::Service(ids.nursing[icc]),
                arranging(3),
            ),
        ]
    };
    // What every type does once in community services and care homes.
    let community_pathways = |icc: usize| -> Vec<(ServiceId, Pathway)> {
        let mut bed_routes = vec![
            (bed_discharge[0], HOME, None),
            (bed_discharge[2], DEATH, None),
        ];
        bed_routes.extend(care_home_routes(bed_discharge[1], icc));
        vec![
            (
                ids.reablement[icc],
                Pathway::new(reablement.episode.clone(), RouteTable::to(HOME)),
            ),
            (
                ids.community_beds[icc],
                Pathway::new(bed_stay.clone(), RouteTable::with_delays(&bed_routes)),
            ),
            (
                ids.residential[icc],
                Pathway::new(care_homes.residential_stay.clone(), RouteTable::to(DEATH)),
            ),
            (
                ids.nursing[icc],
                Pathway::new(care_homes.nursing_stay.clone(), RouteTable::to(DEATH)),
            ),
        ]
    };
    // Hospital stays: a share leaves the same day, the rest stay overnight.
    // A risk tier's `los_multiplier` scales the overnight part.
    let zero_day = |band: &Band, los_multiplier: f64| -> Distribution {
        let zero = band.zero_day_share;
        let overnight = band
            .overnight_stay
            .scaled(los_multiplier)
            .unwrap_or_else(|_| band.overnight_stay.clone());
        Distribution::mixture(vec![
            (zero, pathways.zero_day_stay.clone()),
            (1.0 - zero, overnight.clone()),
        ])
        .unwrap_or(overnight)
    };
    let person_rate = |people: f64, per_1000: f64| people * per_1000 / 1000.0 / DAYS_PER_YEAR;

    for (i, icc) in iccs.iter().enumerate() {
        let site = icc.site;
        for (b, band) in bands.iter().enumerate() {
            let children = b == 0;
            let beds = if children {
                ids.paediatrics[site]
            } else {
                ids.acute[site]
            };
            let survive = 1.0 - band.in_hospital_death;
            let mut discharge = vec![
                (survive * band.discharge[0], HOME, arranging(0)),
                (
                    survive * band.discharge[1],
                    Destination::Service(ids.reablement[i]),
                    arranging(1),
                ),
                (
                    survive * band.discharge[2],
                    Destination::Service(ids.community_beds[i]),
                    arranging(2),
                ),
                (band.in_hospital_death, DEATH, None),
            ];
            discharge.extend(care_home_routes(survive * band.discharge[3], i));
            // The trust's beds and other providers, for a stay multiplier.
            let hospital_for = |los_multiplier: f64| -> (Pathway, Pathway) {
                let stay = zero_day(band, los_multiplier);
                let mut hospital = Pathway::new(stay.clone(), RouteTable::with_delays(&discharge));
                hospital.readmission = (band.readmission_30d > 0.0).then(|| Readmission {
                    probability: band.readmission_30d,
                    delay: pathways.readmission_delay.clone(),
                    // A readmission is an admission: straight back to the beds.
                    service: beds,
                    not_after: vec![DEATH],
                });
                let other = Pathway::new(
                    stay,
                    RouteTable::new(&[(survive, HOME), (band.in_hospital_death, DEATH)]),
                );
                (hospital, other)
            };
            let admitted = |p: f64| -> Vec<(f64, Destination)> {
                vec![
                    (p * (1.0 - band.other_provider), Destination::Service(beds)),
                    (
                        p * band.other_provider,
                        Destination::Service(ids.other_providers),
                    ),
                ]
            };
            let mut ed_routes = vec![
                (
                    band.ed_to_day_unit,
                    Destination::Service(ids.day_unit[site]),
                ),
                (1.0 - band.ed_to_day_unit - band.ed_admission, HOME),
            ];
            ed_routes.extend(admitted(band.ed_admission));
            let mut day_unit_routes = vec![(1.0 - pathways.day_unit_admission, HOME)];
            day_unit_routes.extend(admitted(pathways.day_unit_admission));
            let admission_if_ed = AdmissionIfEd {
                ed_admission: band.ed_admission,
                ed_to_day_unit: band.ed_to_day_unit,
                day_unit_admission: pathways.day_unit_admission,
                day_unit: Some(ids.day_unit[site].index()),
            };
            let emergency_pathways =
                |with_rr: bool, los_multiplier: f64| -> Vec<(ServiceId, Pathway)> {
                    let (hospital, other) = hospital_for(los_multiplier);
                    let mut list = vec![
                        (
                            ids.ed[site],
                            Pathway::new(pathways.ed_stay.clone(), RouteTable::new(&ed_routes)),
                        ),
                        (
                            ids.day_unit[site],
                            Pathway::new(
                                pathways.day_unit_stay.clone(),
                                RouteTable::new(&day_unit_routes),
                            ),
                        ),
                        (beds, hospital),
                        (ids.other_providers, other),
                    ];
                    if with_rr {
                        list.push((
                            ids.rapid_response[i],
                            Pathway::new(
                                rapid.episode.clone(),
                                RouteTable::new(&[
                                    (rapid.managed_at_home, HOME),
                                    (
                                        1.0 - rapid.managed_at_home,
                                        Destination::Service(ids.ed[site]),
                                    ),
                                ]),
                            ),
                        ));
                    }
                    list.extend(community_pathways(i));
                    list
                };

            // Crises, by risk tier within the band.
            let in_band: Vec<&Tier> = tiers.iter().filter(|t| t.bands[b]).collect();
            let tier_share: f64 = in_band.iter().map(|t| t.share).sum();
            let carried: f64 = in_band.iter().map(|t| t.share * t.crisis_multiplier).sum();
            let rest_multiplier = if tier_share < 1.0 {
                (1.0 - carried) / (1.0 - tier_share)
            } else {
                0.0
            };
            let mut strata: Vec<(&str, f64, f64, f64, f64)> = in_band
                .iter()
                .map(|t| {
                    (
                        t.name.as_str(),
                        t.share,
                        t.crisis_multiplier,
                        t.referrals_per_1000,
                        t.los_multiplier,
                    )
                })
                .collect();
            strata.push(("rest", 1.0 - tier_share, rest_multiplier, 0.0, 1.0));
            for (tier, share, multiplier, referrals, los_multiplier) in strata {
                let people = icc.population[b] * share;
                let entry = RouteTable::new(&[
                    (
                        band.rapid_response_eligible,
                        Destination::Service(ids.rapid_response[i]),
                    ),
                    (
                        band.direct_admission * (1.0 - band.other_provider),
                        Destination::Service(beds),
                    ),
                    (
                        band.direct_admission * band.other_provider,
                        Destination::Service(ids.other_providers),
                    ),
                    (
                        1.0 - band.rapid_response_eligible - band.direct_admission,
                        Destination::Service(ids.ed[site]),
                    ),
                ]);
                types.push(PatientType {
                    name: format!("crisis/{}/{}/{}", icc.name, band_label(b), tier),
                    description: format!(
                        "Urgent needs of {} ICC residents aged {}, risk tier {}",
                        icc.name,
                        band_label(b),
                        tier
                    ),
                    arrive_at: ids.ed[site],
                    entry: Some(entry),
                    rate_per_day: person_rate(people, band.crisis_per_1000 * multiplier),
                    per_occupant_of: None,
                    monthly_factors: monthly,
                    weekday_factors: weekday,
                    growth_per_year: growth[b],
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: tier.to_string(),
                    kind: DemandKind::Crisis,
                    if_ed: admission_if_ed,
                });
                pathways_table.push(emergency_pathways(true, los_multiplier));
                if referrals > 0.0 {
                    types.push(PatientType {
                        name: format!("case_management/{}/{}/{}", icc.name, band_label(b), tier),
                        description: format!("Referrals to case management of {} ICC residents aged {}, risk tier {}", icc.name, band_label(b), tier),
                        arrive_at: ids.case_management[i],
                        entry: None,
                        rate_per_day: person_rate(people, referrals),
                        per_occupant_of: None,
                        monthly_factors: [1.0; 12],
                        weekday_factors: elective_weekday,
                        growth_per_year: growth[b],
                        rate_changes: Vec::new(),
                        entry_changes: Vec::new(),
                    });
                    cohorts.push(Cohort {
                        icc: i,
                        age_band: b,
                        tier: tier.to_string(),
                        kind: DemandKind::CaseManagementReferral,
                        if_ed: admission_if_ed,
                    });
                    pathways_table.push(vec![(
                        ids.case_management[i],
                        Pathway::new(case_management.episode.clone(), RouteTable::to(HOME)),
                    )]);
                }
            }

            // Ordinary elective admissions.
            if band.elective_per_1000 > 0.0
                && let Some(elective_stay) = &band.elective_stay
            {
                types.push(PatientType {
                    name: format!("elective/{}/{}", icc.name, band_label(b)),
                    description: format!(
                        "Ordinary elective admissions of {} ICC residents aged {}",
                        icc.name,
                        band_label(b)
                    ),
                    arrive_at: beds,
                    entry: Some(RouteTable::new(&admitted(1.0))),
                    rate_per_day: person_rate(icc.population[b], band.elective_per_1000),
                    per_occupant_of: None,
                    monthly_factors: [1.0; 12],
                    weekday_factors: elective_weekday,
                    growth_per_year: growth[b],
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: "rest".into(),
                    kind: DemandKind::Elective,
                    if_ed: AdmissionIfEd::default(),
                });
                let elective_routes = RouteTable::with_delays(&[
                    (pathways.elective_discharge[0], HOME, arranging(0)),
                    (
                        pathways.elective_discharge[1],
                        Destination::Service(ids.reablement[i]),
                        arranging(1),
                    ),
                ]);
                let mut list = vec![
                    (beds, Pathway::new(elective_stay.clone(), elective_routes)),
                    (
                        ids.other_providers,
                        Pathway::new(elective_stay.clone(), RouteTable::to(HOME)),
                    ),
                ];
                list.extend(community_pathways(i));
                pathways_table.push(list);
            }

            // Care-home placements arranged from home.
            if band.care_home_placements_per_1000 > 0.0 {
                types.push(PatientType {
                    name: format!("care_home_placement/{}/{}", icc.name, band_label(b)),
                    description: format!(
                        "Permanent care-home placements from home, {} ICC residents aged {}",
                        icc.name,
                        band_label(b)
                    ),
                    arrive_at: ids.residential[i],
                    entry: Some(RouteTable::new(&[
                        (
                            1.0 - care_homes.nursing_share,
                            Destination::Service(ids.residential[i]),
                        ),
                        (
                            care_homes.nursing_share,
                            Destination::Service(ids.nursing[i]),
                        ),
                    ])),
                    rate_per_day: person_rate(
                        icc.population[b],
                        band.care_home_placements_per_1000,
                    ),
                    per_occupant_of: None,
                    monthly_factors: [1.0; 12],
                    weekday_factors: elective_weekday,
                    growth_per_year: growth[b],
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: b,
                    tier: "rest".into(),
                    kind: DemandKind::CareHomePlacement,
                    if_ed: AdmissionIfEd::default(),
                });
                pathways_table.push(community_pathways(i));
            }
        }

        // Care-home residents: their crises (per resident) and the census.
        let oldest = AGE_BANDS.len() - 1;
        let band = &bands[oldest];
        for (home, places) in [
            (ids.residential[i], icc.residential_places),
            (ids.nursing[i], icc.nursing_places),
        ] {
            let kind = if home == ids.residential[i] {
                "residential"
            } else {
                "nursing"
            };
            let survive = 1.0 - care_homes.in_hospital_death;
            let beds = ids.acute[site];
            // No readmissions here: the residents' crisis rate already
            // counts every attendance, returns included.
            let hospital = Pathway::new(
                zero_day(band, 1.0),
                RouteTable::new(&[(survive, HOME), (care_homes.in_hospital_death, DEATH)]),
            );
            let ed_routes = [
                (
                    band.ed_to_day_unit,
                    Destination::Service(ids.day_unit[site]),
                ),
                (1.0 - band.ed_to_day_unit - care_homes.ed_admission, HOME),
                (
                    care_homes.ed_admission * (1.0 - band.other_provider),
                    Destination::Service(beds),
                ),
                (
                    care_homes.ed_admission * band.other_provider,
                    Destination::Service(ids.other_providers),
                ),
            ];
            let day_unit_routes = [
                (1.0 - pathways.day_unit_admission, HOME),
                (
                    pathways.day_unit_admission * (1.0 - band.other_provider),
                    Destination::Service(beds),
                ),
                (
                    pathways.day_unit_admission * band.other_provider,
                    Destination::Service(ids.other_providers),
                ),
            ];
            types.push(PatientType {
                name: format!("care_home_crisis/{}/{kind}", icc.name),
                description: format!(
                    "Urgent needs of {kind} care-home residents, {} ICC (per resident)",
                    icc.name
                ),
                arrive_at: ids.ed[site],
                entry: None,
                rate_per_day: care_homes.attendances_per_resident_year / DAYS_PER_YEAR,
                per_occupant_of: Some(home),
                monthly_factors: monthly,
                weekday_factors: weekday,
                growth_per_year: 0.0,
                rate_changes: Vec::new(),
                entry_changes: Vec::new(),
            });
            cohorts.push(Cohort {
                icc: i,
                age_band: oldest,
                tier: kind.into(),
                kind: DemandKind::CareHomeCrisis,
                if_ed: AdmissionIfEd {
                    ed_admission: care_homes.ed_admission,
                    ed_to_day_unit: band.ed_to_day_unit,
                    day_unit_admission: pathways.day_unit_admission,
                    day_unit: Some(ids.day_unit[site].index()),
                },
            });
            pathways_table.push(vec![
                (
                    ids.ed[site],
                    Pathway::new(pathways.ed_stay.clone(), RouteTable::new(&ed_routes)),
                ),
                (
                    ids.day_unit[site],
                    Pathway::new(
                        pathways.day_unit_stay.clone(),
                        RouteTable::new(&day_unit_routes),
                    ),
                ),
                (beds, hospital.clone()),
                (
                    ids.other_providers,
                    Pathway::new(
                        zero_day(band, 1.0),
                        RouteTable::new(&[(survive, HOME), (care_homes.in_hospital_death, DEATH)]),
                    ),
                ),
            ]);

            let census = (care_homes.occupancy_at_start * f64::from(places)).round() as u32;
            if census > 0 {
                let t = PatientTypeId(types.len() as u32);
                types.push(PatientType {
                    name: format!("care_home_census/{}/{kind}", icc.name),
                    description: format!(
                        "{kind} care-home residents at the start, {} ICC",
                        icc.name
                    ),
                    arrive_at: home,
                    entry: None,
                    rate_per_day: 0.0,
                    per_occupant_of: None,
                    monthly_factors: [1.0; 12],
                    weekday_factors: [1.0; 7],
                    growth_per_year: 0.0,
                    rate_changes: Vec::new(),
                    entry_changes: Vec::new(),
                });
                cohorts.push(Cohort {
                    icc: i,
                    age_band: oldest,
                    tier: kind.into(),
                    kind: DemandKind::CareHomeCensus,
                    if_ed: AdmissionIfEd::default(),
                });
                pathways_table.push(community_pathways(i));
                services[home.index()].census = vec![Census {
                    patient_type: t,
                    start: CensusStart::Equilibrium { patients: census },
                }];
            }
        }
    }

    if types.len().saturating_mul(n_services) > MAX_TYPE_SERVICE_PAIRS {
        return Err(Issue {
            path: "iccs".to_string(),
            value: None,
            problem: format!(
                "{} ICCs make {} patient types × {} services, more than {MAX_TYPE_SERVICE_PAIRS} (type, service) pairs: more than a replication can hold; model fewer ICCs, sites or risk tiers in one scenario",
                iccs.len(),
                types.len(),
                n_services
            ),
        });
    }
    let mut pathways_flat: Vec<Option<Pathway>> = vec![None; types.len() * n_services];
    for (t, list) in pathways_table.into_iter().enumerate() {
        for (s, pathway) in list {
            pathways_flat[t * n_services + s.index()] = Some(pathway);
        }
    }

    let layout = SystemLayout {
        iccs: iccs.iter().map(|i| i.name.clone()).collect(),
        sites: sites.iter().map(|s| s.name.clone()).collect(),
        cohorts,
        services: infos,
        home_sink: 0,
        death_sink: 1,
        population: iccs.iter().map(|i| i.population).collect(),
        growth_per_year: growth,
        gp_appointments_per_person: gp_per_person,
        gp_appointment_cost: costs.gp_appointment,
        price_year: costs.price_year,
        targets,
        budget: Vec::new(),
    };
    Ok(Network {
        name,
        title,
        description,
        run,
        services,
        sinks: vec!["home".into(), "death".into()],
        patient_types: types,
        pathways: pathways_flat,
        layout: Some(layout),
        parameters: Vec::new(),
    })
}
