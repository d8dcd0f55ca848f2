//! The whole-system outcomes: every output split by year, ICC and age
//! band ([`BREAKDOWN_METRICS`], computed by `SystemLayout::breakdown`,
//! which indexes them by [`M`]), and the outcomes of the trust's adult acute
//! beds and the care homes as a whole ([`SITE_METRICS`]).
//!
//! Depends on the registry's types only.

use super::Kind::{Count, Duration, Fraction, Level, Money, Rate};
use super::Metric;
use super::MetricScope::{Breakdown, Site};
use super::View::{AtAGlance, Board, Compare, Fans, Sweep, Terminal};

/// One output of the whole-system layer (the registry's description).
pub type BreakdownMetric = Metric;

/// Whether a metric can be summed over age bands (a count, not a ratio).
pub fn is_count_metric(name: &str) -> bool {
    BREAKDOWN_METRICS
        .iter()
        .any(|m| m.name == name && m.kind.adds_up())
}

macro_rules! metrics {
    ($($id:ident: $name:literal, $unit:literal, $kind:ident, [$(($view:ident, $position:literal)),*], $description:literal;)*) => {
        /// Index of each breakdown metric in [`BREAKDOWN_METRICS`].
        #[allow(non_camel_case_types)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(usize)]
        pub enum M { $($id),* }
        /// Every output split by ICC, age band and year, in output order.
        pub const BREAKDOWN_METRICS: &[Metric] = &[
            $(Metric::new($name, $unit, Breakdown, $kind, $description).shown(&[$(($view, $position)),*])),*
        ];
    };
}

metrics! {
    population: "population", "people", Level, [], "residents (mean over the years in the period)";
    crises: "crises", "people", Count, [(Terminal, 1), (Compare, 1)], "urgent needs arising (at home and in care homes)";
    crises_per_1000: "crises_per_1000", "per 1,000/year", Rate, [], "crises per 1,000 residents per year";
    rapid_response_episodes: "rapid_response_episodes", "episodes", Count, [(Terminal, 2)], "rapid-response episodes started";
    rapid_response_at_home: "rapid_response_managed_at_home", "people", Count, [], "rapid-response episodes that ended at home";
    admissions_avoided: "admissions_avoided", "admissions", Count, [(Terminal, 3)], "expected emergency admissions avoided by rapid response: episodes ending at home × the person's probability of admission had they gone to ED (with the day unit's simulated diversions)";
    ed_attendances: "ed_attendances", "attendances", Count, [(Board, 26), (Terminal, 4), (Compare, 2)], "emergency department attendances";
    day_unit_attendances: "day_unit_attendances", "attendances", Count, [(Terminal, 5)], "day-unit (SDEC) attendances";
    emergency_admissions: "emergency_admissions", "admissions", Count, [(Board, 1), (AtAGlance, 1), (Fans, 1), (Terminal, 6), (Compare, 3), (Sweep, 1)], "emergency admissions of residents, all providers (residence-based, as the observed figures)";
    emergency_admissions_per_1000: "emergency_admissions_per_1000", "per 1,000/year", Rate, [], "emergency admissions per 1,000 residents per year";
    emergency_admissions_local: "emergency_admissions_local", "admissions", Count, [], "emergency admissions to the modelled trust's beds";
    elective_admissions: "elective_admissions", "admissions", Count, [(Terminal, 7)], "ordinary elective admissions";
    readmissions: "readmissions", "admissions", Count, [(Terminal, 8)], "returns after a hospital stay (readmissions)";
    emergency_los_mean: "emergency_los_mean", "days", Duration, [(Board, 3), (Terminal, 9), (Compare, 4)], "mean length of stay of emergency admissions in the modelled trust's adult beds (delays included)";
    acute_bed_days: "acute_bed_days", "bed-days", Count, [(Board, 2), (AtAGlance, 2), (Fans, 2), (Compare, 5)], "adult acute bed-days held (all admissions)";
    acute_delayed_bed_days: "acute_delayed_bed_days", "bed-days", Count, [(Board, 13), (AtAGlance, 4), (Fans, 3), (Terminal, 13), (Compare, 6), (Sweep, 3)], "adult acute bed-days held by patients ready to leave (no criteria to reside)";
    acute_delayed_share: "acute_delayed_share", "fraction", Fraction, [(Terminal, 12)], "share of adult acute bed-days held by patients ready to leave";
    reablement_episodes: "reablement_episodes", "episodes", Count, [(Terminal, 14)], "reablement / community team episodes started (discharge pathway 1)";
    case_management_episodes: "case_management_episodes", "episodes", Count, [], "case-management episodes started";
    community_bed_admissions: "community_bed_admissions", "admissions", Count, [(Terminal, 15)], "community hospital admissions (discharge pathway 2)";
    community_bed_days: "community_bed_days", "bed-days", Count, [], "community hospital bed-days held";
    care_home_admissions_from_hospital: "care_home_admissions_from_hospital", "admissions", Count, [(Board, 15), (AtAGlance, 5), (Terminal, 16), (Compare, 7)], "permanent care-home admissions straight from a hospital or community bed (pathway 3)";
    care_home_admissions_from_community: "care_home_admissions_from_community", "admissions", Count, [(Board, 16), (Terminal, 17)], "permanent care-home admissions arranged from home";
    care_home_bed_days: "care_home_bed_days", "place-days", Count, [], "care-home place-days held (residential and nursing)";
    deaths: "deaths", "people", Count, [(Terminal, 19)], "people who died, each once, wherever they died (in hospital, a community bed, a care home or at home: deaths_in_hospital, deaths_in_community_bed, deaths_in_care_home and deaths_at_home add up to it)";
    deaths_in_hospital: "deaths_in_hospital", "people", Count, [], "deaths in a hospital bed, care-home residents included";
    care_home_resident_deaths: "care_home_resident_deaths", "people", Count, [], "care-home stays ending in death (the resident may die in hospital: see deaths_in_hospital)";
    cost_acute: "cost_acute", "GBP", Money, [(Board, 17), (Terminal, 20)], "acute hospital cost: ED, day unit, admissions by length, excess (delayed) bed-days";
    cost_community: "cost_community", "GBP", Money, [(Board, 18), (Terminal, 21)], "community health cost: the staff of rapid response, reablement and case management and the community hospital beds paid for (places × cost a day, used or not), and the running costs levers name";
    cost_primary_care: "cost_primary_care", "GBP", Money, [(Board, 19), (Terminal, 22)], "general practice: with [primary_care], its GPs and other clinical staff paid by the day (WTE × a year's cost, used or not, with what levers fund); without it, appointments per head × a unit cost (the same in every scenario: not modelled)";
    cost_social_care: "cost_social_care", "GBP", Money, [(Board, 20), (Terminal, 23)], "care-home places";
    cost_total: "cost_total", "GBP", Money, [(Board, 21), (AtAGlance, 6), (Terminal, 24), (Compare, 8), (Sweep, 4)], "all sectors: acute, primary and social care priced by activity, community teams and beds at the cost of the staff and beds paid for, and the running costs levers name (docs/whole-system.md, Money)";
    bed_wait_mean: "bed_wait_mean", "days", Duration, [(Board, 7), (AtAGlance, 7), (Terminal, 25), (Compare, 11)], "mean wait for an adult acute bed of emergency admissions to the modelled trust: from the decision to admit (the request for the bed) to getting it, zero waits included";
    bed_wait_p90: "bed_wait_p90", "days", Duration, [(Board, 8), (Terminal, 26), (Compare, 12)], "90th percentile of the wait for an adult acute bed of emergency admissions (from a log-linear sketch: within 0.4% of a wait at that rank)";
    bed_waits_over_12h: "bed_waits_over_12h", "admissions", Count, [(Board, 9), (AtAGlance, 8), (Terminal, 27), (Compare, 13)], "emergency admissions to the modelled trust's adult beds that waited more than 12 hours (0.5 days) from the decision to admit";
    emergency_stay_with_wait_mean: "emergency_stay_with_wait_mean", "days", Duration, [(Board, 4)], "mean wait for the bed plus length of stay of emergency admissions leaving the modelled trust's adult beds (the length of stay starts at admission and leaves the wait out)";
    rapid_response_utilisation: "rapid_response_utilisation", "fraction", Fraction, [(Board, 22), (Terminal, 29), (Compare, 15)], "rapid-response places busy / places available (place-days), by year and ICC; empty by age band";
    reablement_utilisation: "reablement_utilisation", "fraction", Fraction, [(Board, 23), (Terminal, 30)], "reablement places busy / places available (place-days), by year and ICC; empty by age band";
    case_management_utilisation: "case_management_utilisation", "fraction", Fraction, [(Board, 24), (Terminal, 31)], "case-management caseload places busy / places available (place-days), by year and ICC; empty by age band";
    community_beds_utilisation: "community_beds_utilisation", "fraction", Fraction, [(Board, 25), (Terminal, 32)], "community hospital beds occupied / beds available (bed-days), by year and ICC; empty by age band";
    cost_community_activity: "cost_community_activity", "GBP", Money, [], "community teams' and beds' activity at unit cost (contacts, episodes, bed-days used), for information: not part of cost_total, which pays for their staff and beds";
    cost_bought: "cost_bought", "GBP", Money, [], "what levers buy, as it comes in: community staff and beds added to the baseline's (at the cost of a WTE or bed-day) and the running costs levers name (part of cost_community)";
    cash_released: "cash_released", "GBP", Money, [], "cash no longer paid, as it happens: adult acute beds closed (a standard bed-day for each day closed) and community staff and beds removed (contracts ended); a positive number";
    acute_delayed_arranging: "acute_delayed_bed_days_arranging", "bed-days", Count, [], "adult acute bed-days held while the discharge is arranged (the routes' fixed delay: assessment, transport), part of acute_delayed_bed_days";
    acute_delayed_discharge_day: "acute_delayed_bed_days_discharge_day", "bed-days", Count, [], "adult acute bed-days held by patients ready to leave but waiting for a day on which discharges happen (weekends), part of acute_delayed_bed_days";
    acute_delayed_home_care: "acute_delayed_bed_days_home_care", "bed-days", Count, [], "adult acute bed-days held by patients ready to leave, waiting for a home-care package to start (no capacity), part of acute_delayed_bed_days";
    acute_delayed_reablement: "acute_delayed_bed_days_reablement", "bed-days", Count, [], "adult acute bed-days held by patients ready to leave, waiting for a reablement place (no capacity), part of acute_delayed_bed_days";
    acute_delayed_community_bed: "acute_delayed_bed_days_community_bed", "bed-days", Count, [], "adult acute bed-days held by patients ready to leave, waiting for a community hospital bed (none free), part of acute_delayed_bed_days";
    acute_delayed_care_home: "acute_delayed_bed_days_care_home", "bed-days", Count, [], "adult acute bed-days held by patients ready to leave, waiting for a residential or nursing home place (none free), part of acute_delayed_bed_days";
    acute_delayed_other: "acute_delayed_bed_days_other", "bed-days", Count, [], "adult acute bed-days held by patients ready to leave, waiting for a place of any other kind (another hospital bed, a community team; in a network written by hand, the next service); the seven reasons add up to acute_delayed_bed_days";
    acute_delayed_downstream_share: "acute_delayed_downstream_share", "fraction", Fraction, [(Board, 14), (Terminal, 33), (Compare, 16)], "share of delayed adult acute bed-days spent waiting for a place downstream: home care, reablement, a community bed or a care home (the four reasons / acute_delayed_bed_days)";
    community_bed_delayed_bed_days: "community_bed_delayed_bed_days", "bed-days", Count, [], "community hospital bed-days held by patients ready to leave (arranging, a discharge day, or waiting for a place elsewhere)";
    community_bed_delayed_share: "community_bed_delayed_share", "fraction", Fraction, [], "share of community hospital bed-days held by patients ready to leave";
    community_bed_delayed_arranging: "community_bed_delayed_bed_days_arranging", "bed-days", Count, [], "community hospital bed-days held while the discharge is arranged, part of community_bed_delayed_bed_days";
    community_bed_delayed_discharge_day: "community_bed_delayed_bed_days_discharge_day", "bed-days", Count, [], "community hospital bed-days held waiting for a discharge day (weekends), part of community_bed_delayed_bed_days";
    community_bed_delayed_home_care: "community_bed_delayed_bed_days_home_care", "bed-days", Count, [], "community hospital bed-days held waiting for a home-care package to start, part of community_bed_delayed_bed_days";
    community_bed_delayed_reablement: "community_bed_delayed_bed_days_reablement", "bed-days", Count, [], "community hospital bed-days held waiting for a reablement place, part of community_bed_delayed_bed_days";
    community_bed_delayed_care_home: "community_bed_delayed_bed_days_care_home", "bed-days", Count, [], "community hospital bed-days held waiting for a residential or nursing home place, part of community_bed_delayed_bed_days";
    community_bed_delayed_other: "community_bed_delayed_bed_days_other", "bed-days", Count, [], "community hospital bed-days held waiting for a place of any other kind (another community bed, a hospital bed, a community team); the six reasons add up to community_bed_delayed_bed_days";
    home_care_starts: "home_care_starts", "packages", Count, [], "home-care (domiciliary care) packages started, from hospital, a community bed, reablement or home";
    home_care_package_days: "home_care_package_days", "package-days", Count, [], "home-care package-days delivered (people receiving a package × days)";
    home_care_utilisation: "home_care_utilisation", "fraction", Fraction, [(Terminal, 38)], "home-care packages running / packages the commissioned hours pay for (package-days), by year and ICC; empty by age band. Its cost is part of cost_social_care";
    bed_waits_over_4h: "bed_waits_over_4h", "admissions", Count, [(Terminal, 34), (Compare, 17)], "emergency admissions to the modelled trust's adult beds that waited more than 4 hours from the decision to admit (boarded in ED)";
    outliers: "outliers", "admissions", Count, [], "emergency admissions to the other site's adult beds after waiting for a bed at their own site (outlying)";
    transfers_out: "transfers_out", "patients", Count, [(Terminal, 37)], "patients sent to other providers from the modelled trust's adult beds: emergency patients after the longest wait for a bed allowed there, and planned patients whose rebooked date was cancelled too";
    elective_cancellations: "elective_cancellations", "operations", Count, [(Board, 12), (Terminal, 36), (Compare, 18)], "planned admissions cancelled on the day because the beds were too full (each patient once: a rebooked date cancelled again leaves the patient on the rebooking list, elective_rebooking_at_end)";
    day_unit_closed_share: "day_unit_closed_share", "fraction", Fraction, [(Terminal, 39)], "share of referrals to the acute sites' day units (same-day emergency care) that found it closed, full or out of the day's slots, and were admitted instead";
    community_day_unit_attendances: "community_day_unit_attendances", "attendances", Count, [(Board, 28)], "attendances at the ICCs' community day units (step-up from rapid response or primary care)";
    community_day_unit_closed: "community_day_unit_closed", "patients", Count, [], "people sent to a community day unit who found it closed, full or out of the day's slots (or the ICC without places) and went on to ED";
    primary_care_same_day: "primary_care_same_day", "appointments", Count, [(Board, 27), (Terminal, 41)], "crises given a same-day appointment in general practice ([primary_care]; 0 when primary care is not modelled)";
    primary_care_none_left: "primary_care_none_left", "people", Count, [(Terminal, 40)], "crises that sought a same-day appointment and found none left that day or the practice closed, and went on by the usual route (rapid response, a direct admission or ED)";
    primary_care_managed: "primary_care_managed", "people", Count, [], "crises given a same-day appointment and managed in primary care (home), part of primary_care_same_day";
    primary_care_closed: "primary_care_closed", "people", Count, [], "crises that sought a same-day appointment when the practices were closed (outside their opening hours or days), part of primary_care_none_left: the rest found every appointment of the day taken";
    deaths_at_home: "deaths_at_home", "people", Count, [], "deaths at home (or anywhere but a hospital, community bed or care home): the population's deaths not preceded by a modelled crisis, crises managed at home that die all the same (rapid response, general practice, a day unit sending home) and crises a lever prevented that die all the same, and people a care_home_discharge lever kept out of a care home who die with its risk; with deaths_in_hospital, deaths_in_community_bed and deaths_in_care_home they add up to deaths";
    deaths_in_community_bed: "deaths_in_community_bed", "people", Count, [], "deaths in a community hospital bed";
    deaths_in_care_home: "deaths_in_care_home", "people", Count, [], "deaths in a care home: care-home stays ending in death less the residents who died in hospital (counted there: the stay stands for the resident's life in the home, wherever it ends)";
    cost_agency: "cost_agency", "GBP", Money, [], "agency and locum staff covering vacant posts, at the agency premium ([workforce]; 0 without it): part of cost_community (teams, community beds) and cost_primary_care (general practice), not added again";
    avoidable_admissions: "avoidable_admissions", "admissions", Count, [], "emergency admissions of crises of the avoidable class (ambulatory-care-sensitive and short-stay admissions an alternative can avoid; with [avoidable], else 0), part of emergency_admissions";
    avoidable_bed_days: "avoidable_bed_days", "bed-days", Count, [], "adult acute bed-days held by admissions of the avoidable class (with [avoidable], else 0), part of acute_bed_days";
}

/// Outputs of the trust's adult acute beds as a whole (not split by ICC
/// or age): occupancy against capacity.
pub const SITE_METRICS: &[Metric] = &[
    Metric::new(
        "acute_occupancy",
        "fraction",
        Site,
        Fraction,
        "adult acute beds occupied / available, time-average",
    )
    .shown(&[
        (Board, 5),
        (AtAGlance, 3),
        (Terminal, 10),
        (Compare, 9),
        (Sweep, 2),
    ]),
    Metric::new(
        "acute_days_above_92pct",
        "days",
        Site,
        Count,
        "days whose mean adult acute occupancy was above 92%",
    )
    .shown(&[(Board, 6), (Terminal, 11), (Compare, 10)]),
    Metric::new(
        "acute_days_above_95pct",
        "days",
        Site,
        Count,
        "days whose mean adult acute occupancy was above 95%",
    ),
    Metric::new(
        "care_home_occupancy",
        "fraction",
        Site,
        Fraction,
        "care-home places occupied / available, time-average",
    )
    .shown(&[(Terminal, 18)]),
    Metric::new(
        "beds_needed_92pct",
        "beds",
        Site,
        Level,
        "adult acute beds that would hold the year's mean occupancy at 92%: (bed-days occupied + bed-days of patients waiting for a bed) / days / 0.92",
    )
    .shown(&[(Board, 10), (AtAGlance, 9), (Terminal, 28), (Compare, 14)]),
    Metric::new(
        "beds_needed_85pct",
        "beds",
        Site,
        Level,
        "adult acute beds that would hold the year's mean occupancy at 85%: (bed-days occupied + bed-days of patients waiting for a bed) / days / 0.85",
    )
    .shown(&[(Board, 11)]),
    Metric::new(
        "community_bed_occupancy",
        "fraction",
        Site,
        Fraction,
        "community hospital beds occupied / available, time-average, all ICCs",
    ),
    Metric::new(
        "escalation_open_days",
        "days",
        Site,
        Count,
        "days with escalation beds open, summed over the acute sites (a site open all year counts 365)",
    )
    .shown(&[(Terminal, 35)]),
    Metric::new(
        "escalation_bed_days",
        "bed-days",
        Site,
        Count,
        "bed-days occupied in escalation beds (above the beds in force), all sites",
    ),
    Metric::new(
        "cost_escalation",
        "GBP",
        Site,
        Money,
        "escalation beds open (place-days open, used or not) × the cost of an escalation bed-day, staffing premium included; part of cost_acute",
    ),
    Metric::new(
        "ed_waiting_for_bed_peak",
        "people",
        Site,
        Level,
        "most people waiting for an adult acute bed at once at any one site (the largest queue for a bed)",
    ),
    Metric::new(
        "elective_rebooking_peak",
        "people",
        Site,
        Level,
        "planned patients waiting for a rebooked date after a cancellation: each site's most at once in the period, summed over sites",
    ),
    Metric::new(
        "elective_rebooking_at_end",
        "people",
        Site,
        Level,
        "planned patients waiting for a rebooked date at the end of the period, all sites",
    ),
];
