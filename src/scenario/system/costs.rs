//! `[costs]`: unit costs in £ at the scenario's price year, from the serde
//! type that reads the section to the checked prices `compile` reads (a new
//! price is a field of both and a line of `validate_costs`).
//!
//! Price bases: `price_year` is the scenario's; a unit cost of another year
//! says so in `price_years` (and its source in `sources`), and is converted
//! to the scenario's year with the `deflator` index kept in the section
//! (whose source `deflator_source` names), so every £ the model adds is of
//! one year.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sections::section;
use super::spec::{DAYS_PER_YEAR, Parts};
use crate::model::system::{Role, Sector, StaffCost, UnitCosts};
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
    /// An hour of home care (domiciliary care), default 0.
    pub(super) home_care_hour: Option<f64>,
    /// An escalation bed open for a day, before the staffing premium
    /// (default 0).
    pub(super) escalation_bed_day: Option<f64>,
    /// Extra staffing cost of an escalation bed, as a fraction of
    /// `escalation_bed_day` (0.5 = +50%; default 0).
    pub(super) escalation_staffing_premium: Option<f64>,
    /// A community day-unit attendance (consumables, tests, transport when
    /// its places are paid for; default 0).
    pub(super) community_day_unit_attendance: Option<f64>,
    /// A community day-unit place for a year (its staff and running
    /// costs; default 0).
    pub(super) community_day_unit_place_year: Option<f64>,
    /// A GP whole-time equivalent a year (salary or drawings, on-costs and
    /// practice overheads; needed with `[primary_care]`).
    pub(super) gp_wte_year: Option<f64>,
    /// A WTE of other clinical staff of general practice a year (nurses,
    /// pharmacists, paramedics ...; needed with `[primary_care]`).
    pub(super) other_clinical_wte_year: Option<f64>,
    /// An attendance at an urgent treatment centre (default 0).
    pub(super) utc_attendance: Option<f64>,
    /// The price year of unit costs not at `price_year`, by key.
    pub(super) price_years: Option<BTreeMap<String, String>>,
    /// Where each unit cost comes from, by key.
    pub(super) sources: Option<BTreeMap<String, String>>,
    /// A price index by financial year ("2020/21" = 100.0 ...).
    pub(super) deflator: Option<BTreeMap<String, f64>>,
    /// Where the index comes from.
    pub(super) deflator_source: Option<String>,
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
    pub(super) home_care_hour: f64,
    /// An escalation bed open a day, the staffing premium included.
    pub(super) escalation_place_day: f64,
    pub(super) community_day_unit_attendance: f64,
    pub(super) community_day_unit_place_year: f64,
    /// A GP WTE a year (None when not given).
    pub(super) gp_wte_year: Option<f64>,
    /// A WTE of other clinical staff of general practice a year.
    pub(super) other_clinical_wte_year: Option<f64>,
    /// An attendance at an urgent treatment centre.
    pub(super) utc_attendance: f64,
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

/// The unit costs priced in £ (each may have a price year of its own).
const PRICED_KEYS: [&str; 22] = [
    "ed_attendance",
    "day_unit_attendance",
    "emergency_short_stay",
    "emergency_long_stay",
    "elective_admission",
    "excess_bed_day",
    "acute_bed_day",
    "rapid_response_contact",
    "reablement_episode",
    "case_management_contact",
    "community_bed_day",
    "residential_week",
    "nursing_week",
    "gp_appointment",
    "community_staff_wte_year",
    "home_care_hour",
    "escalation_bed_day",
    "community_day_unit_attendance",
    "community_day_unit_place_year",
    "gp_wte_year",
    "other_clinical_wte_year",
    "utc_attendance",
];

/// What a £ of each unit cost's price year is worth at the scenario's,
/// from the deflator; an issue (and 1.0) for a year the index lacks.
fn price_factors(check: &mut Checker, raw: &RawCosts) -> (BTreeMap<String, f64>, bool) {
    let mut ok = true;
    let empty = BTreeMap::new();
    let deflator = raw.deflator.as_ref().unwrap_or(&empty);
    for (year, index) in deflator {
        let at = format!("costs.deflator.\"{year}\"");
        if !is_financial_year(year) {
            check.issue(
                &at,
                None,
                "is not a financial year; name years as \"2020/21\"",
            );
            ok = false;
        }
        ok &= check
            .number_in(&at, *index, 1e-9, 1e9, "index points (any base year)")
            .is_some();
    }
    if raw.deflator.is_some()
        && raw
            .deflator_source
            .as_ref()
            .is_none_or(|s| s.trim().is_empty())
    {
        check.issue(
            "costs.deflator_source",
            None,
            "is missing; say where the deflator comes from, e.g. deflator_source = \"NHS Cost Inflation Index, pay and prices (PSSRU Unit Costs 2025)\"",
        );
        ok = false;
    }
    let empty_years = BTreeMap::new();
    let years = raw.price_years.as_ref().unwrap_or(&empty_years);
    for key in raw
        .sources
        .iter()
        .flat_map(|s| s.keys())
        .chain(years.keys())
    {
        if !PRICED_KEYS.contains(&key.as_str()) {
            let table = if years.contains_key(key) {
                "price_years"
            } else {
                "sources"
            };
            check.issue(
                format!("costs.{table}.{key}"),
                None,
                format!(
                    "is not a unit cost of [costs]{}; the unit costs are {}",
                    crate::scenario::error::did_you_mean(key, PRICED_KEYS),
                    PRICED_KEYS.join(", ")
                ),
            );
            ok = false;
        }
    }
    let mut factors = BTreeMap::new();
    for (key, year) in years {
        if !is_financial_year(year) {
            check.issue(
                format!("costs.price_years.{key}"),
                Some(format!("\"{year}\"")),
                "is not a financial year; write it as \"2020/21\"",
            );
            ok = false;
            continue;
        }
        if *year == raw.price_year {
            continue;
        }
        let index = |y: &str| deflator.get(y).copied();
        match (index(year), index(&raw.price_year)) {
            (Some(from), Some(to)) if from > 0.0 => {
                factors.insert(key.clone(), to / from);
            }
            (from, _) => {
                let missing = if from.is_none() {
                    year.as_str()
                } else {
                    raw.price_year.as_str()
                };
                check.issue(
                    format!("costs.price_years.{key}"),
                    Some(format!("\"{year}\"")),
                    format!(
                        "cannot be converted to the scenario's price year {}: costs.deflator has no index for \"{missing}\"; add it, e.g. deflator = {{ \"{missing}\" = 100.0, ... }} with its source in deflator_source",
                        raw.price_year
                    ),
                );
                ok = false;
            }
        }
    }
    (factors, ok)
}

/// "2020/21": a financial year whose second part follows the first.
fn is_financial_year(year: &str) -> bool {
    let Some((first, second)) = year.split_once('/') else {
        return false;
    };
    let (Ok(a), Ok(b)) = (first.parse::<u32>(), second.parse::<u32>()) else {
        return false;
    };
    first.len() == 4 && second.len() == 2 && (a + 1) % 100 == b
}

fn validate_costs(check: &mut Checker, raw: &RawCosts) -> Option<Costs> {
    let (factors, mut ok) = price_factors(check, raw);
    let mut money = |key: &str, v: f64| -> f64 {
        ok &= check
            .number_in(&format!("costs.{key}"), v, 0.0, 1e7, "£")
            .is_some();
        v * factors.get(key).copied().unwrap_or(1.0)
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
        home_care_hour: money("home_care_hour", raw.home_care_hour.unwrap_or(0.0)),
        escalation_place_day: money("escalation_bed_day", raw.escalation_bed_day.unwrap_or(0.0)),
        community_day_unit_attendance: money(
            "community_day_unit_attendance",
            raw.community_day_unit_attendance.unwrap_or(0.0),
        ),
        community_day_unit_place_year: money(
            "community_day_unit_place_year",
            raw.community_day_unit_place_year.unwrap_or(0.0),
        ),
        gp_wte_year: raw.gp_wte_year.map(|v| money("gp_wte_year", v)),
        other_clinical_wte_year: raw
            .other_clinical_wte_year
            .map(|v| money("other_clinical_wte_year", v)),
        utc_attendance: money("utc_attendance", raw.utc_attendance.unwrap_or(0.0)),
    };
    let premium = raw.escalation_staffing_premium.unwrap_or(0.0);
    ok &= check
        .number_in(
            "costs.escalation_staffing_premium",
            premium,
            0.0,
            10.0,
            "a fraction of escalation_bed_day added for agency and overtime staff (0.5 = +50%)",
        )
        .is_some();
    let costs = Costs {
        escalation_place_day: costs.escalation_place_day * (1.0 + premium),
        ..costs
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
    if !is_financial_year(&raw.price_year) {
        check.issue(
            "costs.price_year",
            Some(format!("\"{}\"", raw.price_year)),
            "must say the price base of the costs as a financial year, e.g. price_year = \"2023/24\"",
        );
        ok = false;
    }
    ok.then_some(costs)
}

/// A service's unit costs with what a place of it costs a day whether used
/// or not, for the services paid for as staff and beds (community teams at
/// the cost of a WTE over its caseload, community beds at the bed-day) and
/// what a closed adult acute bed releases (already set by the acute costs);
/// and home care's package-day, priced from the hours of a package
/// (`[community.home_care]`), which `[costs]` alone does not know.
pub(in crate::scenario::system) fn paid_places(
    role: Role,
    costs: UnitCosts,
    parts: &Parts,
) -> UnitCosts {
    let staff = parts.costs.community_staff_wte_year.unwrap_or(0.0);
    let per_wte_day = |caseload_per_wte: f64| {
        if caseload_per_wte > 0.0 {
            staff / caseload_per_wte / DAYS_PER_YEAR
        } else {
            0.0
        }
    };
    let paid = match role {
        Role::RapidResponse => per_wte_day(parts.community.rapid.caseload_per_wte),
        Role::Reablement => per_wte_day(parts.community.reablement.caseload_per_wte),
        Role::CaseManagement => per_wte_day(parts.community.case_management.caseload_per_wte),
        Role::CommunityBeds => parts.costs.community_bed_day,
        // Places paid for a year, used or not; attendances priced besides.
        Role::CommunityDayUnit => parts.costs.community_day_unit_place_year / DAYS_PER_YEAR,
        // Paid by the hour delivered: a package-day is its hours a week / 7.
        Role::HomeCare => {
            let hours = parts
                .community
                .home_care
                .as_ref()
                .map_or(0.0, |h| h.hours_per_package_week);
            return UnitCosts {
                per_place_day: parts.costs.home_care_hour * hours / 7.0,
                ..costs
            };
        }
        _ => return costs,
    };
    if paid <= 0.0 {
        return costs;
    }
    UnitCosts {
        per_place_day_paid: paid,
        ..costs
    }
}

/// What each ICC's general practice staff cost a year, paid whatever they
/// do: GP WTE × `gp_wte_year` + other clinical WTE ×
/// `other_clinical_wte_year`; none without `[primary_care]`.
pub(in crate::scenario::system) fn primary_care_staff(parts: &Parts) -> Vec<StaffCost> {
    if parts.primary_care.is_none() {
        return Vec::new();
    }
    let gp = parts.costs.gp_wte_year.unwrap_or(0.0);
    let other = parts.costs.other_clinical_wte_year.unwrap_or(0.0);
    parts
        .iccs
        .iter()
        .enumerate()
        .map(|(i, icc)| StaffCost {
            icc: i,
            sector: Sector::PrimaryCare,
            base_per_year: icc.gp_wte * gp + icc.other_clinical_wte * other,
            changes: Vec::new(),
        })
        .collect()
}
