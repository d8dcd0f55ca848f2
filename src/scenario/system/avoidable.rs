//! `[avoidable."BAND"]`: the avoidable part of each band's emergency
//! admissions (ambulatory-care-sensitive and short-stay admissions that an
//! alternative to admission can avoid) and their hospital stay. Optional:
//! without it crises are not split into classes and a file runs as before.
//! With it every band needs a table; the split itself, and the stay of the
//! necessary class that keeps the band's own values, are derived when the
//! network is compiled (`compile/avoidable.rs`).

use serde::Deserialize;

use crate::engine::Distribution;
use crate::model::system::{AgeBands, CrisisClass};
use crate::scenario::check::{Checker, quoted_list};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::RawDistribution;

/// `[avoidable."BAND"]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAvoidableBand {
    /// Share of the band's emergency admissions (had everyone gone to ED)
    /// that are avoidable, 0 to below 1.
    pub(super) share_of_admissions: f64,
    /// Share of avoidable admissions that end the same day.
    pub(super) zero_day_share: f64,
    /// Clinical stay of the other avoidable admissions, days.
    pub(super) overnight_stay: RawDistribution,
    /// Deaths in hospital of avoidable admissions.
    pub(super) in_hospital_death: f64,
    /// Share of the avoidable admissions discharged alive who go home
    /// with no new service (pathway 0). Default: the band's
    /// `discharge.home`.
    #[serde(default)]
    pub(super) discharged_home: Option<f64>,
}

/// One band's avoidable admissions, checked.
#[derive(Clone, Debug)]
pub(super) struct AvoidableBand {
    pub(super) share_of_admissions: f64,
    pub(super) zero_day_share: f64,
    pub(super) overnight_stay: Distribution,
    pub(super) in_hospital_death: f64,
    /// None: the band's own discharge shares.
    pub(super) discharged_home: Option<f64>,
}

/// `[avoidable]`, checked: one entry per age band, youngest first.
#[derive(Clone, Debug)]
pub(super) struct Avoidable {
    pub(super) bands: Vec<AvoidableBand>,
}

/// The TOML path of a band's key, as issues name it.
pub(super) fn key_path(band: &str, key: &str) -> String {
    format!("avoidable.\"{band}\".{key}")
}

/// `[avoidable]` if the file has it (`Some(None)` without it; None when it
/// is invalid: the issues are in `check`).
pub(super) fn validate_avoidable(
    check: &mut Checker,
    document: &toml::Table,
    age_bands: &AgeBands,
) -> Option<Option<Avoidable>> {
    let Some(value) = document.get("avoidable") else {
        return Some(None);
    };
    let toml::Value::Table(table) = value else {
        check.issue(
            "avoidable",
            Some(value.type_str().to_string()),
            format!(
                "must be a table of age bands, e.g. [avoidable.\"{}\"]",
                age_bands.name(age_bands.oldest())
            ),
        );
        return None;
    };
    let mut bands: Vec<Option<AvoidableBand>> = (0..age_bands.len()).map(|_| None).collect();
    let mut valid = true;
    for (key, value) in table {
        let path = format!("avoidable.\"{key}\"");
        let Some(b) = age_bands.position(key) else {
            check.issue(
                &path,
                None,
                format!(
                    "is not an age band{}; the bands are {}",
                    did_you_mean(key, age_bands.names().iter().map(String::as_str)),
                    quoted_list(age_bands.names())
                ),
            );
            valid = false;
            continue;
        };
        let Some(raw) = check.section::<RawAvoidableBand>(&path, value.clone()) else {
            valid = false;
            continue;
        };
        bands[b] = validate_band(check, key, &raw);
        valid &= bands[b].is_some();
    }
    for band in age_bands.names() {
        if !table.contains_key(band) {
            check.issue(
                "avoidable",
                None,
                format!("needs every age band; add [avoidable.\"{band}\"]"),
            );
            valid = false;
        }
    }
    if !valid {
        return None;
    }
    let bands: Vec<AvoidableBand> = bands.into_iter().collect::<Option<_>>()?;
    Some(Some(Avoidable { bands }))
}

fn validate_band(check: &mut Checker, b: &str, raw: &RawAvoidableBand) -> Option<AvoidableBand> {
    let share = check.number_in(
        &key_path(b, "share_of_admissions"),
        raw.share_of_admissions,
        0.0,
        0.99,
        "share of the band's emergency admissions that are avoidable (below 1: some admissions are always necessary)",
    );
    let zero_day = check.probability(&key_path(b, "zero_day_share"), raw.zero_day_share);
    let death = check.probability(&key_path(b, "in_hospital_death"), raw.in_hospital_death);
    let overnight = check.distribution(&key_path(b, "overnight_stay"), &raw.overnight_stay);
    let discharged_home = match raw.discharged_home {
        Some(p) => Some(check.probability(&key_path(b, "discharged_home"), p)?),
        None => None,
    };
    Some(AvoidableBand {
        share_of_admissions: share?,
        zero_day_share: zero_day?,
        overnight_stay: overnight?,
        in_hospital_death: death?,
        discharged_home,
    })
}

/// The share of a crisis class's rapid-response episodes ending at home
/// when a lever sets the share for all crises to `lever_share`: the class's
/// share now (`class_share`) scaled as the file's (`file_share`) is, so
/// that the overall share at the baseline's mix is the lever's and the
/// necessary class stays at 0. Err(the share needed) when a class would
/// need more than all of its episodes.
pub(super) fn class_home_share(
    class: Option<CrisisClass>,
    lever_share: f64,
    class_share: f64,
    file_share: f64,
) -> Result<f64, f64> {
    let share = match class {
        None => return Ok(lever_share),
        Some(CrisisClass::Necessary) => 0.0,
        Some(_) if file_share > 0.0 => lever_share * class_share / file_share,
        Some(_) => lever_share,
    };
    if share > 1.0 + 1e-9 {
        Err(share)
    } else {
        Ok(share.min(1.0))
    }
}
