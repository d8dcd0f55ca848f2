//! The sections of a whole-system scenario as written: serde types that
//! refuse unknown keys. Their meaning is checked in the section validators
//! (`population`, `bands`, `targets`), and their shape is what `iccsim
//! schema` publishes. The sections that say which services exist and what
//! they cost, `[sites]` and `[pathways]` (`acute`), `[iccs]`,
//! `[community]` and `[care_homes]` (`community`) and `[costs]` (`costs`),
//! keep their serde types beside their validators, so that a new kind of
//! service changes one section file; they are re-exported here so that the
//! schema reads every section from one place.

use std::collections::BTreeMap;

use serde::Deserialize;

pub(crate) use super::acute::{RawPathways, RawSite};
pub(crate) use super::avoidable::RawAvoidableBand;
pub(crate) use super::community::{RawCareHomes, RawCommunity, RawIcc};
pub(crate) use super::costs::RawCosts;
pub(crate) use super::primary_care::RawPrimaryCare;
pub(crate) use super::workforce::RawStaffGroup;
use crate::scenario::raw::RawDistribution;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPopulation {
    /// The age bands, youngest first: "A-B" or, last, "A+", contiguous
    /// from 0 (default "0-17", "18-64", "65-74", "75-84", "85+").
    // Read from the document by `validate_age_band_names` before this
    // section is (every per-band table here needs the bands): kept for
    // the schema and to accept the key.
    #[allow(dead_code)]
    pub(super) age_bands: Option<Vec<String>>,
    #[schemars(with = "crate::scenario::schema::PerBand")]
    pub(super) growth_per_year: toml::Table,
    pub(super) monthly_factors: Option<Vec<f64>>,
    pub(super) weekday_factors: Option<Vec<f64>>,
    /// Crises by hour of the day, 24 multipliers, 00:00-01:00 first
    /// (default all 1; they should average 1).
    pub(super) hourly_factors: Option<Vec<f64>>,
    pub(super) elective_weekday_factors: Option<Vec<f64>>,
    #[schemars(with = "crate::scenario::schema::PerBand")]
    pub(super) gp_appointments_per_person: toml::Table,
    #[schemars(with = "Option<BTreeMap<String, RawTier>>")]
    pub(super) risk_tiers: Option<toml::Table>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTier {
    pub(super) share: f64,
    pub(super) crisis_multiplier: f64,
    pub(super) bands: Vec<String>,
    pub(super) case_management_referrals_per_1000: Option<f64>,
    pub(super) los_multiplier: Option<f64>,
    /// × the band's rate of deaths at home (default 1).
    pub(super) mortality_multiplier: Option<f64>,
    /// Probability a member leaves the tier in a month (moving tiers).
    pub(super) monthly_exit: Option<f64>,
    /// Probability a person of `rest` admitted in an emergency joins it.
    pub(super) step_up_after_admission: Option<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBand {
    pub(super) crisis_per_1000: f64,
    pub(super) elective_per_1000: f64,
    pub(super) rapid_response_eligible: f64,
    pub(super) direct_admission: f64,
    pub(super) ed_to_day_unit: f64,
    pub(super) ed_admission: f64,
    pub(super) other_provider: f64,
    pub(super) zero_day_share: f64,
    pub(super) overnight_stay: RawDistribution,
    pub(super) elective_stay: Option<RawDistribution>,
    pub(super) in_hospital_death: f64,
    pub(super) discharge: BTreeMap<String, f64>,
    pub(super) readmission_30d: f64,
    pub(super) care_home_placements_per_1000: Option<f64>,
    /// People at home who start a long-term home-care package, per 1,000
    /// a year (default 0).
    pub(super) home_care_referrals_per_1000: Option<f64>,
    /// Probability a crisis first seeks a same-day appointment in primary
    /// care (default 0; needs `[primary_care]` when above 0).
    pub(super) seek_same_day: Option<f64>,
    /// Deaths at home a year per 1,000 residents not preceded by a
    /// modelled crisis (default 0).
    pub(super) deaths_at_home_per_1000: Option<f64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalibration {
    pub(super) targets: Vec<RawTarget>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTarget {
    pub(super) name: String,
    pub(super) metric: String,
    pub(super) age_bands: Option<Vec<String>>,
    pub(super) per_year: Option<bool>,
    pub(super) year: Option<i64>,
    pub(super) observed: f64,
    pub(super) low: f64,
    pub(super) high: f64,
    pub(super) source: String,
}

/// `[initial.SERVICE]` of a whole-system scenario: today's census of a
/// built service, `patients` part-way through their stays and
/// `fit_to_leave` waiting to leave.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSystemInitial {
    pub(super) patients: Option<f64>,
    pub(super) fit_to_leave: Option<f64>,
}

/// `[levers.NAME]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLever {
    pub(super) description: Option<String>,
    pub(super) source: Option<String>,
    pub(super) effect: String,
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) multiplier: Option<f64>,
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) change: Option<f64>,
    /// Staff added to each team (whole-time equivalents), instead of
    /// `change` in caseload places.
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) wte: Option<f64>,
    pub(super) service: Option<String>,
    pub(super) sites: Option<Vec<String>>,
    #[schemars(with = "crate::scenario::schema::Date")]
    pub(super) start: toml::Value,
    pub(super) ramp_months: Option<f64>,
    pub(super) demand: Option<Vec<String>>,
    pub(super) age_bands: Option<Vec<String>>,
    pub(super) tiers: Option<Vec<String>>,
    /// Crisis classes reached (`not_admitted`, `avoidable`, `necessary`;
    /// needs `[avoidable]`; default all).
    pub(super) classes: Option<Vec<String>>,
    #[schemars(with = "Option<BTreeMap<String, crate::scenario::schema::Date>>")]
    pub(super) iccs: Option<toml::Table>,
    pub(super) destinations: Option<Vec<String>>,
    pub(super) to: Option<String>,
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) managed_at_home: Option<f64>,
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) amount_per_year: Option<f64>,
    pub(super) fund: Option<BTreeMap<String, f64>>,
    pub(super) close_adult_beds: Option<BTreeMap<String, f64>>,
    /// £ a year the lever itself costs to run at full effect (at the
    /// scenario's price year), shared among the ICCs it reaches by
    /// residents and coming in with its ramp and rollout.
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) cost_per_year: Option<f64>,
    /// Where `cost_per_year` comes from.
    pub(super) cost_source: Option<String>,
    /// `opening_hours` levers: the hours from `start`, or "always".
    pub(super) opening: Option<super::levers::RawLeverOpening>,
    /// `proactive_care`: reviews a year of each person in the tiers.
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) reviews_per_person_year: Option<f64>,
    /// `proactive_care`: appointments (GP or other clinical) a review takes.
    #[schemars(with = "Option<crate::scenario::schema::Number>")]
    pub(super) appointments_per_review: Option<f64>,
}
