//! Whole-system scenarios: a population in Integrated Care Communities,
//! acute sites, community services, care homes and unit costs, compiled
//! into a plain [`Network`] with a [`SystemLayout`](crate::model::system::SystemLayout)
//! beside it.
//!
//! The file says what planners know (people per ICC and age band, rates
//! per 1,000, staff WTE, beds, shares of each pathway); `compile` turns
//! it into services (one of each kind per site: `site_kinds` in
//! `compile/services.rs`; one of each per ICC: `icc_kinds`) and patient types (one per ICC × age band × risk tier ×
//! kind of demand), so that every patient carries their ICC, band and tier
//! and is routed to their own ICC's services and their site's hospital.
//!
//! The stages, each in its own file: `raw` (the sections as written) →
//! one validator per section (`population`, `bands`, `targets`; `acute`,
//! `community` and `costs` own their sections' serde types too) → `spec`
//! (`Parts`, the validated specification) → `consistency` (checks across
//! sections) → `compile` (the network) → `levers` (later versions of it,
//! from dates) → `initial` (today's census). Depends on `check`; never on
//! `network` or `document`.

mod acute;
mod avoidable;
mod bands;
mod community;
mod community_day_unit;
mod compile;
mod consistency;
mod costs;
mod discharge;
mod initial;
pub mod levers;
mod population;
mod pressure;
mod primary_care;
pub(crate) mod raw;
mod sections;
mod spec;
mod targets;
mod workforce;

use crate::model::{Network, RunSettings};
use crate::scenario::check::Checker;
use acute::{validate_pathways, validate_sites};
use avoidable::validate_avoidable;
use bands::validate_age_bands;
use community::{validate_care_homes, validate_community, validate_iccs};
use compile::compile;
use consistency::{check_capacities, check_care_home_admission, check_counts};
use costs::validate_costs_section;
use initial::{apply_initial, start_long_stay_services};
use levers::{LeverContext, apply_levers};
use population::{validate_age_band_names, validate_population};
use primary_care::{check_primary_care, validate_primary_care};
use spec::{Band, Parts};
use targets::validate_calibration;

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
    "primary_care",
    "avoidable",
    "calibration",
    "initial",
    "levers",
    "workforce",
];

/// Validates a whole-system scenario, section by section in file-format
/// order, and compiles it into a network with its levers and census.
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
    // Every per-band table names the scenario's bands: without valid
    // bands nothing else can be read.
    let age_bands = validate_age_band_names(check, document)?;
    let population = validate_population(check, document, &age_bands);
    let sites = validate_sites(check, document);
    let iccs = validate_iccs(check, document, &age_bands);
    let bands = validate_age_bands(check, document, &age_bands);
    let pathways = validate_pathways(check, document);
    let community = validate_community(check, document);
    let care_homes = validate_care_homes(check, document);
    check_care_home_admission(check, &age_bands, &bands, care_homes.as_ref());
    let costs = validate_costs_section(check, document);
    let primary_care = validate_primary_care(check, document);
    let avoidable = validate_avoidable(check, document, &age_bands);
    let targets = validate_calibration(check, document, run.as_ref(), &age_bands);

    if !check.issues.is_empty() {
        return None;
    }
    let bands: Vec<Band> = bands.into_iter().collect::<Option<Vec<_>>>()?;
    let parts = Parts {
        run: run?,
        age_bands,
        growth: population.growth?,
        gp_per_person: population.gp_per_person?,
        monthly: population.monthly?,
        weekday: population.weekday?,
        hourly: population.hourly?,
        elective_weekday: population.elective_weekday?,
        tiers: population.tiers,
        sites,
        iccs,
        bands,
        pathways: pathways?,
        community: community?,
        care_homes: care_homes?,
        costs: costs?,
        primary_care: primary_care?,
        avoidable: avoidable?,
        targets: targets?,
    };
    check_primary_care(
        check,
        parts.primary_care.as_ref(),
        &parts.iccs,
        &parts.age_bands,
        &parts.bands,
        &parts.costs,
    );
    check_capacities(check, &parts);
    community_day_unit::check_community_day_units(check, &parts);
    check_counts(check, &parts);
    if !check.issues.is_empty() {
        return None;
    }
    let start_date = parts.run.start_date;
    let icc_names: Vec<String> = parts.iccs.iter().map(|i| i.name.clone()).collect();
    let workforce = workforce::validate_workforce(check, document, &icc_names);
    if !check.issues.is_empty() {
        return None;
    }
    let has_workforce = workforce.is_some();
    let context = LeverContext::new(&parts).with_workforce(workforce);
    let mut network = match compile(name, title, description, parts) {
        Ok(network) => network,
        Err(issue) => {
            check.issues.push(issue);
            return None;
        }
    };
    // Staff recruited month by month change capacity even with no lever.
    let no_levers = toml::Value::Table(toml::Table::new());
    match document.get("levers") {
        Some(levers) => apply_levers(check, levers, start_date, &context, &mut network),
        None if has_workforce => {
            apply_levers(check, &no_levers, start_date, &context, &mut network)
        }
        None => {}
    }
    if let Some(initial) = document.get("initial") {
        apply_initial(check, initial, &mut network);
    }
    let named: Vec<&str> = document
        .get("initial")
        .and_then(toml::Value::as_table)
        .map(|table| table.keys().map(String::as_str).collect())
        .unwrap_or_default();
    start_long_stay_services(&mut network, &named);
    Some(network)
}
