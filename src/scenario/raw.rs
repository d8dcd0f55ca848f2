//! The scenario file as written: serde types that mirror the TOML, with
//! unknown keys rejected. Nothing is checked here beyond types; see
//! `validate` for the meaning of each value.
//!
//! Every field is optional where a default exists, so that validation (not
//! serde) reports missing values with a full explanation.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// `capacity = 12`, `capacity = "unlimited"`.
#[derive(Clone, Debug, PartialEq)]
pub enum RawCapacity {
    Number(f64),
    Unlimited,
    /// Any other word; validation says what is allowed.
    Word(String),
}

impl<'de> Deserialize<'de> for RawCapacity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CapacityVisitor;
        impl Visitor<'_> for CapacityVisitor {
            type Value = RawCapacity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number of places or \"unlimited\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Number(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Number(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawCapacity, E> {
                Ok(RawCapacity::Number(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawCapacity, E> {
                Ok(if v.trim().eq_ignore_ascii_case("unlimited") {
                    RawCapacity::Unlimited
                } else {
                    RawCapacity::Word(v.to_string())
                })
            }
        }
        deserializer.deserialize_any(CapacityVisitor)
    }
}

#[derive(Debug, Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    #[schemars(with = "Option<super::schema::Date>")]
    pub start_date: Option<toml::Value>,
    pub warmup_days: Option<f64>,
    pub horizon_days: Option<f64>,
    pub replications: Option<i64>,
    pub seed: Option<i64>,
    pub occupancy_thresholds: Option<Vec<f64>>,
}

/// A distribution: `{ dist = "lognormal", mean = 6.0, sd = 4.0 }`.
#[derive(Debug, Deserialize, Clone, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDistribution {
    pub dist: Option<String>,
    pub value: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub values: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub components: Option<Vec<RawDistribution>>,
    /// Only inside `components` of a mixture.
    pub weight: Option<f64>,
}

#[derive(Debug, Deserialize, Clone, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRoute {
    pub to: String,
    pub probability: f64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCapacityChange {
    pub day: Option<f64>,
    #[schemars(with = "Option<super::schema::Date>")]
    pub date: Option<toml::Value>,
    pub capacity: RawCapacity,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOpening {
    pub days: Option<Vec<String>>,
    pub open_hour: f64,
    pub close_hour: f64,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    pub description: Option<String>,
    pub capacity: Option<RawCapacity>,
    pub capacity_unit: Option<String>,
    pub when_full: Option<String>,
    pub divert_to: Option<String>,
    pub max_wait_days: Option<f64>,
    pub after_max_wait: Option<String>,
    pub stay: Option<RawDistribution>,
    /// Stays by destination name (instead of `stay`): the destination is
    /// drawn on admission and the stay from its distribution.
    #[schemars(with = "Option<std::collections::BTreeMap<String, RawDistribution>>")]
    pub stay_by_destination: Option<toml::Table>,
    pub routes: Option<Vec<RawRoute>>,
    pub capacity_changes: Option<Vec<RawCapacityChange>>,
    pub opening: Option<RawOpening>,
    pub max_admissions_per_day: Option<f64>,
    pub discharge_weekday_factors: Option<Vec<f64>>,
    /// Patients in place when the run starts.
    pub initial: Option<Vec<RawInitial>>,
}

/// A group of patients in a service when the run starts:
/// `{ patient_type = "t", patients = 40 }` (part-way through their stays),
/// `{ patient_type = "t", days_in = [0.5, 3, 12] }` (days already spent),
/// `{ patient_type = "t", patients = 5, fit_to_leave = true }` (a backlog).
#[derive(Debug, Deserialize, Clone, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInitial {
    pub patient_type: String,
    pub patients: Option<f64>,
    pub days_in: Option<Vec<f64>>,
    pub fit_to_leave: Option<bool>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPatientType {
    pub description: Option<String>,
    pub arrive_at: Option<String>,
    pub rate_per_day: Option<f64>,
    pub monthly_factors: Option<Vec<f64>>,
    pub weekday_factors: Option<Vec<f64>>,
    pub growth_per_year: Option<f64>,
    /// Stays by service name, replacing the service's default for this type.
    #[schemars(with = "Option<std::collections::BTreeMap<String, RawDistribution>>")]
    pub stay: Option<toml::Table>,
    /// Stays by destination, by service name (a table of destination
    /// names to stays), replacing the service's default for this type.
    #[schemars(
        with = "Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, RawDistribution>>>"
    )]
    pub stay_by_destination: Option<toml::Table>,
    /// Routes by service name, replacing the service's default for this type.
    #[schemars(with = "Option<std::collections::BTreeMap<String, Vec<RawRoute>>>")]
    pub routes: Option<toml::Table>,
}

/// Keys allowed at the top of a scenario file.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "schema_version",
    "name",
    "title",
    "description",
    "run",
    "sinks",
    "services",
    "patient_types",
    // Read by `uncertainty`, before the rest is validated.
    "uncertainty",
    // Followed by `inherit` when a file is read.
    "extends",
];
