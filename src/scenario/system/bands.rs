//! `[age_bands."B"]`: each band's rates per 1,000 and pathway shares; every
//! band of the scenario (`[population] age_bands`) must be given, and
//! children (bands whose oldest age is under 18) use only the services
//! children use.

use super::raw::RawBand;
use super::spec::{Band, DischargeTo, PerDestination};
use crate::model::system::AgeBands;
use crate::scenario::check::{Checker, SUM_TOLERANCE, quoted_list};
use crate::scenario::error::did_you_mean;

/// Each age band, by position in the scenario's bands (`None` if missing
/// or invalid).
pub(super) fn validate_age_bands(
    check: &mut Checker,
    document: &toml::Table,
    age_bands: &AgeBands,
) -> Vec<Option<Band>> {
    let mut bands: Vec<Option<Band>> = (0..age_bands.len()).map(|_| None).collect();
    let example = age_bands.name(age_bands.len() / 2);
    match document.get("age_bands") {
        None => check.issue("age_bands", None, format!("is missing; give each age band's rates and pathway shares, e.g. [age_bands.\"{example}\"]; the bands are {}", quoted_list(age_bands.names()))),
        Some(toml::Value::Table(table)) => {
            for (key, value) in table {
                let path = format!("age_bands.\"{key}\"");
                let Some(b) = age_bands.position(key) else {
                    check.issue(&path, None, format!("is not an age band{}; the bands are {}", did_you_mean(key, age_bands.names().iter().map(String::as_str)), quoted_list(age_bands.names())));
                    continue;
                };
                let Some(raw) = check.section::<RawBand>(&path, value.clone()) else { continue };
                if age_bands.is_children(b) {
                    check_children(check, &path, &raw);
                }
                bands[b] = validate_band(check, &path, &raw);
            }
            for band in age_bands.names() {
                if !table.contains_key(band) {
                    check.issue("age_bands", None, format!("needs every age band; add [age_bands.\"{band}\"]"));
                }
            }
        }
        Some(other) => check.issue("age_bands", Some(other.type_str().to_string()), format!("must be a table of age bands, e.g. [age_bands.\"{example}\"]")),
    }
    bands
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
        (
            "home_care_referrals_per_1000",
            raw.home_care_referrals_per_1000.unwrap_or(0.0),
            "home care packages here are adult social care",
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
                "must be 0 for children: reablement, community beds, care homes and home care are adult services; discharge children home",
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
    let home_care_referrals = rate(
        check,
        "home_care_referrals_per_1000",
        raw.home_care_referrals_per_1000.unwrap_or(0.0),
    );
    let deaths_at_home = check.number_in(
        &format!("{path}.deaths_at_home_per_1000"),
        raw.deaths_at_home_per_1000.unwrap_or(0.0),
        0.0,
        // Above any band's all-cause mortality (85+ in England: ~160 a
        // year per 1,000), so a misplaced decimal is refused.
        400.0,
        "deaths a year per 1,000 residents",
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
    let seek_same_day = p(check, "seek_same_day", raw.seek_same_day.unwrap_or(0.0));
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
    let discharge = check
        .shares(
            &format!("{path}.discharge"),
            &raw.discharge,
            DischargeTo::names(),
        )
        .map(PerDestination::from_array);
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
        home_care_referrals_per_1000: home_care_referrals?,
        seek_same_day: seek_same_day?,
        deaths_at_home_per_1000: deaths_at_home?,
    })
}
