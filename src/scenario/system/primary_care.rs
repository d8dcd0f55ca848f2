//! `[primary_care]`: general practice as capacity. Each ICC's GPs and other
//! clinical staff (`[iccs.X] gp_wte`, `other_clinical_wte`) supply a number
//! of same-day appointments for urgent needs a day, by weekday; a share of
//! each age band's crises (`[age_bands.X] seek_same_day`) first seeks one.
//! A crisis given an appointment is managed there (`managed`) or referred
//! on (`referred_on`); one that finds none left, or the practice closed,
//! goes on by today's entry route. This file owns the section from the
//! serde type that reads it to the checked value `compile` reads, and the
//! checks that tie it to `[iccs]` and `[age_bands]`.
//!
//! A file without the section, with no WTE and no `seek_same_day`,
//! compiles exactly as before: no primary-care service is built.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::sections::array;
use super::spec::{Band, Costs, Icc};
use crate::engine::Distribution;
use crate::model::OpeningHours;
use crate::model::system::AgeBands;
use crate::scenario::check::{Checker, validate_opening};
use crate::scenario::raw::{RawDistribution, RawOpening};

/// `[primary_care]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPrimaryCare {
    /// Same-day appointments for urgent needs one WTE supplies per working
    /// day: `{ gp = 12, other = 8 }`.
    pub(super) same_day_per_wte_day: RawPerStaff,
    /// Supply by weekday, Monday first (default Mon-Fri 1, Sat-Sun 0).
    pub(super) weekday_factors: Option<Vec<f64>>,
    /// When practices take urgent patients (default Mon-Fri 08:00-18:30).
    pub(super) opening: Option<RawOpening>,
    /// How long a same-day appointment takes, days (from arrival to
    /// leaving the practice).
    pub(super) appointment: RawDistribution,
    /// Probability a crisis seen is managed in primary care (goes home).
    pub(super) managed: f64,
    /// Where the rest are referred: shares of `ed`, `rapid_response`,
    /// `day_unit` and `admission`, adding up to 1.
    pub(super) referred_on: BTreeMap<String, f64>,
    /// Appointments of every kind one clinical WTE gives a working day
    /// (default 20): turns the reviews of a `proactive_care` lever into
    /// a share of the staff's time.
    pub(super) appointments_per_wte_day: Option<f64>,
}

/// One number per staff group of primary care.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPerStaff {
    pub(super) gp: f64,
    pub(super) other: f64,
}

/// Where a crisis seen in primary care and not managed there goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct ReferredOn {
    /// The ICC site's emergency department.
    pub(super) ed: f64,
    /// The ICC's rapid response (ED for children).
    pub(super) rapid_response: f64,
    /// The ICC's community day unit (the site's ED where there is none).
    pub(super) day_unit: f64,
    /// A direct admission: the site's beds or other providers, split as
    /// the band's direct admissions are.
    pub(super) admission: f64,
}

impl ReferredOn {
    /// The keys of `[primary_care.referred_on]`, in this order.
    pub(super) const KEYS: [&str; 4] = ["ed", "rapid_response", "day_unit", "admission"];
}

/// `[primary_care]`, checked.
#[derive(Clone, Debug)]
pub(super) struct PrimaryCare {
    /// Same-day appointments a GP WTE supplies a working day.
    pub(super) per_gp_wte_day: f64,
    /// The same for a WTE of other clinical staff.
    pub(super) per_other_wte_day: f64,
    /// Supply by weekday, Monday first.
    pub(super) weekday_factors: [f64; 7],
    pub(super) opening: OpeningHours,
    pub(super) appointment: Distribution,
    pub(super) managed: f64,
    pub(super) referred_on: ReferredOn,
    pub(super) appointments_per_wte_day: f64,
}

/// Default supply by weekday: Monday to Friday.
pub(super) const DEFAULT_WEEKDAY_FACTORS: [f64; 7] = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];

/// Default opening: Monday to Friday, 08:00 to 18:30 (the GP contract's
/// core hours).
pub(super) const DEFAULT_OPENING: OpeningHours = OpeningHours {
    days: [true, true, true, true, true, false, false],
    open_hour: 8.0,
    close_hour: 18.5,
};

/// Appointments of every kind a clinical WTE gives a working day, by
/// default: a GP about 26, a nurse or other clinician about 14
/// (docs/evidence-primary-care.md §2), about 20 for the mix in post.
const DEFAULT_APPOINTMENTS_PER_WTE_DAY: f64 = 20.0;

/// Most same-day appointments one WTE could supply a day (a GP session
/// is about 15 appointments; a full day of nothing but urgent ones ~40).
const MAX_PER_WTE_DAY: f64 = 60.0;

impl PrimaryCare {
    /// The daily limit of same-day appointments of an ICC, by weekday
    /// (Monday first): floor(Σ WTE × appointments a WTE a day × the
    /// weekday's factor).
    pub(super) fn daily_limit(&self, gp_wte: f64, other_wte: f64) -> [u32; 7] {
        let per_day = gp_wte * self.per_gp_wte_day + other_wte * self.per_other_wte_day;
        self.weekday_factors
            .map(|factor| (per_day * factor).floor().clamp(0.0, f64::from(u32::MAX)) as u32)
    }

    /// The daily limit when staff also give `review_appointments` a year
    /// to proactive reviews: the same-day supply less the share of the
    /// staff's time those take (reviews need no more than all of it).
    /// Every kind of appointment the staff give in a year (working days
    /// × WTE × `appointments_per_wte_day`): what reviews take a share of.
    pub(super) fn appointments_a_year(&self, gp_wte: f64, other_wte: f64) -> f64 {
        let working_days = self.weekday_factors.iter().sum::<f64>() / 7.0 * 365.25;
        working_days * (gp_wte + other_wte) * self.appointments_per_wte_day
    }

    pub(super) fn daily_limit_after_reviews(
        &self,
        gp_wte: f64,
        other_wte: f64,
        review_appointments: f64,
    ) -> [u32; 7] {
        let capacity = self.appointments_a_year(gp_wte, other_wte);
        let used = if capacity > 0.0 {
            (review_appointments / capacity).min(1.0)
        } else {
            1.0
        };
        let per_day =
            (gp_wte * self.per_gp_wte_day + other_wte * self.per_other_wte_day) * (1.0 - used);
        self.weekday_factors
            .map(|factor| (per_day * factor).floor().clamp(0.0, f64::from(u32::MAX)) as u32)
    }

    /// Whether an ICC's staff ever supply an appointment.
    pub(super) fn has_slots(&self, icc: &Icc) -> bool {
        self.daily_limit(icc.gp_wte, icc.other_clinical_wte)
            .iter()
            .any(|&n| n > 0)
    }
}

/// `[primary_care]`, checked: `Some(None)` when the file has no such
/// section (primary care not modelled), `None` on an issue.
pub(super) fn validate_primary_care(
    check: &mut Checker,
    document: &toml::Table,
) -> Option<Option<PrimaryCare>> {
    let Some(value) = document.get("primary_care") else {
        return Some(None);
    };
    let raw: RawPrimaryCare = check.section("primary_care", value.clone())?;
    let p = "primary_care";
    let per_wte = |check: &mut Checker, key: &str, v: f64| {
        check.number_in(
            &format!("{p}.same_day_per_wte_day.{key}"),
            v,
            0.0,
            MAX_PER_WTE_DAY,
            "same-day appointments one whole-time equivalent supplies a working day",
        )
    };
    let gp = per_wte(check, "gp", raw.same_day_per_wte_day.gp);
    let other = per_wte(check, "other", raw.same_day_per_wte_day.other);
    let weekday = match &raw.weekday_factors {
        None => Some(DEFAULT_WEEKDAY_FACTORS),
        Some(values) => check
            .factors(
                &format!("{p}.weekday_factors"),
                values,
                7,
                "weekday (Monday first)",
            )
            .map(|v| array::<7>(&v)),
    };
    let opening = match &raw.opening {
        None => Some(DEFAULT_OPENING),
        Some(o) => validate_opening(check, &format!("{p}.opening"), o),
    };
    let appointment = check.distribution(&format!("{p}.appointment"), &raw.appointment);
    let managed = check.probability(&format!("{p}.managed"), raw.managed);
    let referred_on = check
        .shares(
            &format!("{p}.referred_on"),
            &raw.referred_on,
            ReferredOn::KEYS,
        )
        .map(|[ed, rapid_response, day_unit, admission]| ReferredOn {
            ed,
            rapid_response,
            day_unit,
            admission,
        });
    let appointments_per_wte_day = check.number_in(
        &format!("{p}.appointments_per_wte_day"),
        raw.appointments_per_wte_day
            .unwrap_or(DEFAULT_APPOINTMENTS_PER_WTE_DAY),
        1.0,
        100.0,
        "appointments of every kind one clinical WTE gives a working day",
    );
    Some(Some(PrimaryCare {
        appointments_per_wte_day: appointments_per_wte_day?,
        per_gp_wte_day: gp?,
        per_other_wte_day: other?,
        weekday_factors: weekday?,
        opening: opening?,
        appointment: appointment?,
        managed: managed?,
        referred_on: referred_on?,
    }))
}

/// Primary-care staff and same-day seeking need `[primary_care]` to say
/// what an appointment is; and staff with no appointment to give are
/// named, so a file does not silently model nothing.
pub(super) fn check_primary_care(
    check: &mut Checker,
    primary_care: Option<&PrimaryCare>,
    iccs: &[Icc],
    age_bands: &AgeBands,
    bands: &[Band],
    costs: &Costs,
) {
    if primary_care.is_some() {
        // Paid as staff: each staff group needs its price.
        for (key, price, example) in [
            ("gp_wte_year", costs.gp_wte_year, "gp_wte_year = 160_000"),
            (
                "other_clinical_wte_year",
                costs.other_clinical_wte_year,
                "other_clinical_wte_year = 60_000",
            ),
        ] {
            if price.is_none() {
                check.issue(
                    format!("costs.{key}"),
                    None,
                    format!("is missing; with [primary_care] general practice is paid as staff (WTE × a year's cost, with on-costs and overheads) instead of by the appointment; add it with its source in [costs.sources], e.g. {example}"),
                );
            }
        }
        return;
    }
    for icc in iccs {
        for (key, wte) in [
            ("gp_wte", icc.gp_wte),
            ("other_clinical_wte", icc.other_clinical_wte),
        ] {
            if wte > 0.0 {
                check.issue(
                    format!("iccs.{}.{key}", icc.name),
                    Some(format!("{wte}")),
                    "needs [primary_care] (same_day_per_wte_day, appointment, managed, referred_on) to say what the staff supply; add it, or remove the WTE to leave primary care unmodelled",
                );
            }
        }
    }
    for (b, band) in bands.iter().enumerate() {
        if band.seek_same_day > 0.0 {
            check.issue(
                format!("age_bands.\"{}\".seek_same_day", age_bands.name(b)),
                Some(format!("{}", band.seek_same_day)),
                "needs [primary_care] (and gp_wte or other_clinical_wte in [iccs]) for crises to seek a same-day appointment; add them, or set seek_same_day to 0",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Checker, Option<Option<PrimaryCare>>) {
        let document: toml::Table = text.parse().expect("valid TOML");
        let mut check = Checker::default();
        let result = validate_primary_care(&mut check, &document);
        (check, result)
    }

    const GOOD: &str = r#"
        [primary_care]
        same_day_per_wte_day = { gp = 10, other = 6 }
        appointment = { dist = "fixed", value = 0.02 }
        managed = 0.7
        referred_on = { ed = 0.5, rapid_response = 0.2, day_unit = 0.1, admission = 0.2 }
    "#;

    #[test]
    fn a_file_without_the_section_models_no_primary_care() {
        let (check, result) = parse("[run]\nseed = 1\n");
        assert!(check.issues.is_empty());
        assert!(matches!(result, Some(None)));
    }

    #[test]
    fn the_defaults_are_weekdays_eight_to_half_past_six() {
        let (check, result) = parse(GOOD);
        assert!(check.issues.is_empty(), "{:?}", check.issues);
        let pc = result.flatten().expect("checked");
        assert_eq!(pc.weekday_factors, DEFAULT_WEEKDAY_FACTORS);
        assert_eq!(pc.opening, DEFAULT_OPENING);
        assert_eq!(pc.referred_on.admission, 0.2);
        // 3.5 GP × 10 + 2 other × 6 = 47 a weekday, none at the weekend.
        assert_eq!(pc.daily_limit(3.5, 2.0), [47, 47, 47, 47, 47, 0, 0]);
        // Floors: 0.25 × 10 = 2.5 → 2.
        assert_eq!(pc.daily_limit(0.25, 0.0)[0], 2);
        assert_eq!(pc.daily_limit(0.0, 0.0), [0; 7]);
    }

    /// 10 GP WTE at 10 same-day a day, 20 appointments a WTE a day over
    /// 5/7 × 365.25 working days: 52,178.6 appointments a year; reviews of
    /// a quarter of that leave 75 same-day appointments a weekday.
    #[test]
    fn reviews_take_their_share_of_the_staffs_time() {
        let (_, result) = parse(GOOD);
        let pc = result.flatten().expect("checked");
        let year = 5.0 / 7.0 * 365.25 * 10.0 * 20.0;
        assert_eq!(pc.daily_limit_after_reviews(10.0, 0.0, 0.0)[0], 100);
        assert_eq!(pc.daily_limit_after_reviews(10.0, 0.0, year / 4.0)[0], 75);
        assert_eq!(pc.daily_limit_after_reviews(10.0, 0.0, 2.0 * year), [0; 7]);
    }

    #[test]
    fn bad_values_are_named_with_their_key_and_fix() {
        let text = GOOD
            .replace("gp = 10", "gp = -1")
            .replace("managed = 0.7", "managed = 1.7")
            .replace("admission = 0.2", "admission = 0.3")
            + "weekday_factors = [1, 1, 1]\n";
        let (check, result) = parse(&text);
        assert!(result.is_none());
        let paths: Vec<&str> = check.issues.iter().map(|i| i.path.as_str()).collect();
        assert!(
            paths.contains(&"primary_care.same_day_per_wte_day.gp"),
            "{paths:?}"
        );
        assert!(paths.contains(&"primary_care.managed"), "{paths:?}");
        assert!(paths.contains(&"primary_care.referred_on"), "{paths:?}");
        assert!(paths.contains(&"primary_care.weekday_factors"), "{paths:?}");
        let sum = check
            .issues
            .iter()
            .find(|i| i.path == "primary_care.referred_on")
            .expect("the shares' issue");
        assert!(sum.problem.contains("add up to 1"), "{}", sum.problem);
    }

    #[test]
    fn an_unknown_destination_is_refused_with_the_valid_ones() {
        let text = GOOD.replace("day_unit = 0.1", "day_units = 0.1");
        let (check, _) = parse(&text);
        let issue = check
            .issues
            .iter()
            .find(|i| i.path == "primary_care.referred_on.day_units")
            .expect("the unknown key's issue");
        assert!(issue.problem.contains("`day_unit`"), "{}", issue.problem);
    }
}
