//! Community day units (issue 22): a day unit at a community hospital or
//! ICC hub, for people sent by their GP or an ICC team (step-up), with its
//! own places, daily slots and hours, distinct from same-day emergency
//! care at the acute sites. This file owns `[iccs.Y] day_unit_places`,
//! `day_unit_slots_per_day` and `day_unit_opening` (checked here, read
//! beside the ICC's other keys in `community.rs`) and `[community.day_unit]`
//! (its stay and where people go from it), from the serde type to the
//! checked values `compile` reads.
//!
//! A file with neither has no community day units at all (no service is
//! built), so old files compile to the same network as before.

use serde::Deserialize;

use super::acute::validate_day_unit_schedule;
use super::spec::Parts;
use crate::engine::Distribution;
use crate::model::OpeningHours;
use crate::scenario::check::{Checker, show};
use crate::scenario::raw::{RawDistribution, RawOpening};

/// `[community.day_unit]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCommunityDayUnit {
    /// How long an attendance lasts, days (a distribution).
    pub(super) stay: RawDistribution,
    /// Probability an attender is admitted to the ICC's acute site's adult
    /// beds (as a direct admission: other providers by the band's
    /// `other_provider`).
    pub(super) admission: f64,
    /// Probability an attender is stepped up to the ICC's community beds.
    pub(super) community_bed: f64,
    /// Share of rapid-response episodes not managed at home that go to the
    /// community day unit instead of ED (default 0).
    pub(super) from_rapid_response: Option<f64>,
}

/// `[community.day_unit]`, checked.
pub(super) struct CommunityDayUnit {
    pub(super) stay: Distribution,
    pub(super) admission: f64,
    pub(super) community_bed: f64,
    pub(super) from_rapid_response: f64,
}

/// An ICC's community day unit, checked: no places, no daily limit and
/// always open when its keys are absent.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct IccDayUnit {
    /// Whether the ICC has a community day unit: any of its day-unit keys
    /// is given (`day_unit_places = 0` for one whose places a lever buys).
    /// People are sent to it only there; elsewhere to ED as before.
    pub(super) exists: bool,
    pub(super) places: u32,
    pub(super) slots_per_day: Option<u32>,
    pub(super) opening: Option<OpeningHours>,
}

/// `[iccs.Y] day_unit_places`, `day_unit_slots_per_day`, `day_unit_opening`.
pub(super) fn validate_icc_day_unit(
    check: &mut Checker,
    path: &str,
    places: Option<f64>,
    slots_per_day: Option<f64>,
    opening: Option<&RawOpening>,
) -> Option<IccDayUnit> {
    let exists = places.is_some() || slots_per_day.is_some() || opening.is_some();
    let places = match places {
        None => Some(0),
        Some(v) => check.places(&format!("{path}.day_unit_places"), v),
    };
    let (slots, opening) = validate_day_unit_schedule(check, path, slots_per_day, opening);
    Some(IccDayUnit {
        exists,
        places: places?,
        slots_per_day: slots?,
        opening: opening?,
    })
}

/// `[community.day_unit]`, checked: admission and step-up to a community
/// bed leave a share for home.
pub(super) fn validate_community_day_unit(
    check: &mut Checker,
    raw: &RawCommunityDayUnit,
) -> Option<CommunityDayUnit> {
    let p = "community.day_unit";
    let stay = check.distribution(&format!("{p}.stay"), &raw.stay);
    let admission = check.probability(&format!("{p}.admission"), raw.admission);
    let community_bed = check.probability(&format!("{p}.community_bed"), raw.community_bed);
    let from_rr = check.probability(
        &format!("{p}.from_rapid_response"),
        raw.from_rapid_response.unwrap_or(0.0),
    );
    let (admission, community_bed) = (admission?, community_bed?);
    if admission + community_bed > 1.0 + 1e-9 {
        check.issue(
            format!("{p}.community_bed"),
            Some(show(community_bed)),
            format!(
                "with admission ({}) sends more than everyone on; admission + community_bed must be at most 1 (the rest go home)",
                show(admission)
            ),
        );
        return None;
    }
    Some(CommunityDayUnit {
        stay: stay?,
        admission,
        community_bed,
        from_rapid_response: from_rr?,
    })
}

/// An ICC with day-unit places, slots or hours needs `[community.day_unit]`
/// to say what happens there.
pub(super) fn check_community_day_units(check: &mut Checker, parts: &Parts) {
    if parts.community.day_unit.is_some() {
        return;
    }
    for icc in &parts.iccs {
        if icc.day_unit.exists {
            check.issue(
                format!("iccs.{}.day_unit_places", icc.name),
                Some(icc.day_unit.places.to_string()),
                "a community day unit needs [community.day_unit] with its stay, admission and community_bed (and from_rapid_response); add the section or remove the ICC's day_unit keys",
            );
        }
    }
}
