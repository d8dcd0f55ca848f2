//! `[costs]`: unit costs in £ at the scenario's price year, from the serde
//! type that reads the section to the checked prices `compile` reads (a new
//! price is a field of both and a line of `validate_costs`).

use serde::Deserialize;

use super::sections::section;
use crate::scenario::check::Checker;

/// `[costs]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCosts {
    pub(super) price_year: String,
    pub(super) ed_attendance: f64,
    pub(super) day_unit_attendance: f64,
    pub(super) emergency_short_stay: f64,
    pub(super) emergency_long_stay: f64,
    pub(super) elective_admission: f64,
    pub(super) excess_bed_day: f64,
    pub(super) acute_bed_day: Option<f64>,
    pub(super) rapid_response_contact: f64,
    pub(super) rapid_response_contacts_per_day: f64,
    pub(super) reablement_episode: f64,
    pub(super) case_management_contact: f64,
    pub(super) case_management_contacts_per_week: f64,
    pub(super) community_bed_day: f64,
    pub(super) residential_week: f64,
    pub(super) nursing_week: f64,
    pub(super) gp_appointment: f64,
    pub(super) community_staff_wte_year: Option<f64>,
}

/// `[costs]`, checked (£ at the price year).
pub(super) struct Costs {
    pub(super) price_year: String,
    pub(super) ed_attendance: f64,
    pub(super) day_unit_attendance: f64,
    pub(super) emergency_short_stay: f64,
    pub(super) emergency_long_stay: f64,
    pub(super) elective_admission: f64,
    pub(super) excess_bed_day: f64,
    pub(super) acute_bed_day: f64,
    pub(super) rapid_response_contact: f64,
    pub(super) rapid_response_contacts_per_day: f64,
    pub(super) reablement_episode: f64,
    pub(super) case_management_contact: f64,
    pub(super) case_management_contacts_per_week: f64,
    pub(super) community_bed_day: f64,
    pub(super) residential_week: f64,
    pub(super) nursing_week: f64,
    pub(super) gp_appointment: f64,
    pub(super) community_staff_wte_year: Option<f64>,
}

/// `[costs]`, checked.
pub(super) fn validate_costs_section(check: &mut Checker, document: &toml::Table) -> Option<Costs> {
    let costs: Option<RawCosts> = section(
        check,
        document,
        "costs",
        "[costs] with price_year and unit costs in £",
    );
    costs.and_then(|raw| validate_costs(check, &raw))
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
