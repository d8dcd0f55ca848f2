//! The JSON Schema of the scenario format (`iccsim schema`), so that
//! editors (VS Code with Even Better TOML, or any taplo-based tool)
//! complete and check keys as people type.
//!
//! It is derived from the serde types that read the file (`raw`, the
//! whole-system and lever sections), so it cannot drift from what the
//! program accepts: a key the schema lists is a key the reader takes, and
//! unknown keys are refused in both. It checks shapes and names only;
//! meanings (ranges, shares adding up to 1, names that must exist) are
//! `iccsim validate`'s.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;

use super::raw::{RawCapacity, RawPatientType, RawRun, RawService};
use super::system::raw::{
    RawAvoidableBand, RawBand, RawCalibration, RawCareHomes, RawCommunity, RawCosts, RawIcc,
    RawLever, RawPathways, RawPopulation, RawPrimaryCare, RawSite, RawStaffGroup, RawSystemInitial,
};
use super::uncertainty::KINDS;

/// A date, written `2025-04-01` (a TOML date, or a quoted one).
pub struct Date;

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // TOML dates reach a JSON validator in different forms depending on
        // the editor, so the type is left open.
        json_schema!({
            "description": "a date, e.g. 2025-04-01",
            "examples": ["2025-04-01"]
        })
    }
}

/// A number, or a distribution of it (parameter uncertainty).
pub struct Number;

impl JsonSchema for Number {
    fn schema_name() -> Cow<'static, str> {
        "NumberOrDistribution".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let distribution = generator.subschema_for::<UncertainValue>();
        json_schema!({
            "description": "a number, or a distribution drawn once per replication, e.g. { dist = \"triangular\", min = 0.77, mode = 0.85, max = 1.0 }",
            "anyOf": [{ "type": "number" }, distribution]
        })
    }
}

/// One number per age band: the bands are the scenario's own
/// (`[population] age_bands`), so any band name ("A-B" or "A+") is a key;
/// which bands are needed is checked on loading.
pub struct PerBand;

/// The spelling of an age band's name.
pub const AGE_BAND_PATTERN: &str = "^[0-9]+(-[0-9]+|\\+)$";

impl JsonSchema for PerBand {
    fn schema_name() -> Cow<'static, str> {
        "PerAgeBand".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "one number per age band of [population] age_bands (default \"0-17\", \"18-64\", \"65-74\", \"75-84\", \"85+\")",
            "type": "object",
            "propertyNames": { "pattern": AGE_BAND_PATTERN },
            "additionalProperties": { "type": "number" }
        })
    }
}

impl JsonSchema for RawCapacity {
    fn schema_name() -> Cow<'static, str> {
        "Capacity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "a whole number of places, or \"unlimited\"",
            "anyOf": [{ "type": "number", "minimum": 0 }, { "const": "unlimited" }]
        })
    }
}

/// An entry of `[uncertainty]`, or a lever's number written as a
/// distribution.
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UncertainValue {
    #[schemars(with = "UncertainKind")]
    dist: String,
    value: Option<f64>,
    min: Option<f64>,
    mode: Option<f64>,
    max: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    /// Where the range comes from.
    source: Option<String>,
    /// Probability of exactly the no-effect value (a mixture).
    no_effect: Option<f64>,
    /// The value at which it has no effect (1 for a lever's multiplier).
    no_effect_value: Option<f64>,
    /// "lower" or "higher": which way is better for the system.
    better: Option<String>,
    /// A group of [uncertainty_groups] whose values move together.
    group: Option<String>,
}

/// A group of uncertain values that move together.
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct UncertaintyGroup {
    /// Spearman's rank correlation between any two of its values, 0 to 1.
    rank_correlation: f64,
    source: Option<String>,
}

struct UncertainKind;

impl JsonSchema for UncertainKind {
    fn schema_name() -> Cow<'static, str> {
        "UncertainKind".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "enum": KINDS })
    }
}

/// A whole scenario file: a network written by hand (`services`,
/// `patient_types`, `sinks`) or a whole system (`population`, `iccs` ...).
#[allow(dead_code)]
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "iccsim scenario")]
struct ScenarioFile {
    /// The scenario format version; 1.
    schema_version: Option<i64>,
    /// A short identifier, used for the default output folder.
    name: Option<String>,
    title: Option<String>,
    description: Option<String>,
    /// A scenario this one changes: everything not stated here comes from it.
    extends: Option<String>,
    run: Option<RawRun>,
    /// Where patients leave to, e.g. ["home", "death"].
    sinks: Option<Vec<String>>,
    services: Option<BTreeMap<String, RawService>>,
    patient_types: Option<BTreeMap<String, RawPatientType>>,
    /// Values drawn once per replication: "key as for --set" = { dist = ... }.
    uncertainty: Option<BTreeMap<String, UncertainValue>>,
    /// Every uncertain value at a quantile: "pessimistic", "central",
    /// "optimistic", "drawn" (the default) or a number in (0, 1).
    #[schemars(with = "Option<serde_json::Value>")]
    uncertainty_case: Option<()>,
    /// Groups of uncertain values that move together: NAME = { rank_correlation = 0.5 }.
    uncertainty_groups: Option<BTreeMap<String, UncertaintyGroup>>,
    population: Option<RawPopulation>,
    iccs: Option<BTreeMap<String, RawIcc>>,
    sites: Option<BTreeMap<String, RawSite>>,
    #[schemars(with = "Option<BTreeMap<String, RawBand>>")]
    age_bands: Option<BTreeMap<String, ()>>,
    pathways: Option<RawPathways>,
    community: Option<RawCommunity>,
    care_homes: Option<RawCareHomes>,
    costs: Option<RawCosts>,
    /// General practice as capacity: same-day appointments for crises.
    primary_care: Option<RawPrimaryCare>,
    /// The avoidable part of each band's emergency admissions and its stay.
    avoidable: Option<BTreeMap<String, RawAvoidableBand>>,
    calibration: Option<RawCalibration>,
    /// Today's census of a built service.
    initial: Option<BTreeMap<String, RawSystemInitial>>,
    /// Interventions from a date, ramping up, rolling out by ICC.
    levers: Option<BTreeMap<String, RawLever>>,
    /// Staff groups recruited month by month: vacancies, lead times,
    /// attrition and agency cover (`gp`, `other_clinical`,
    /// `community_teams`, `community_beds`).
    workforce: Option<BTreeMap<String, RawStaffGroup>>,
}

/// The JSON Schema (draft 2020-12) of scenario files, pretty-printed.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(ScenarioFile);
    let mut value = schema.to_value();
    // A file that `extends` another states only what it changes, so no key
    // is required here; `validate` says what the merged scenario lacks.
    drop_required(&mut value);
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn drop_required(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.remove("required");
            map.values_mut().for_each(drop_required);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_required),
        _ => {}
    }
}
