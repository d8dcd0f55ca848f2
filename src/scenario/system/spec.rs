//! The validated specification of a whole system ([`Parts`]): what the
//! section validators return and what `compile` and the levers read.
//! Every value here is in range and every share adds up to 1.

pub(super) use super::acute::{Pathways, Site};
pub(super) use super::avoidable::{Avoidable, AvoidableBand};
pub(super) use super::community::{CareHomes, Community, Icc, Team, home_care_packages};
pub(super) use super::costs::Costs;
pub(super) use super::discharge::{DischargeTo, PerDestination};
pub(super) use super::primary_care::PrimaryCare;
use crate::engine::Distribution;
use crate::model::RunSettings;
use crate::model::system::{AgeBands, CalibrationTarget};

/// Days in a year, for rates per year.
pub(super) const DAYS_PER_YEAR: f64 = 365.25;

/// One age band's parameters, checked.
pub(super) struct Band {
    pub(super) crisis_per_1000: f64,
    pub(super) elective_per_1000: f64,
    pub(super) rapid_response_eligible: f64,
    pub(super) direct_admission: f64,
    pub(super) ed_to_day_unit: f64,
    pub(super) ed_admission: f64,
    pub(super) other_provider: f64,
    pub(super) zero_day_share: f64,
    pub(super) overnight_stay: Distribution,
    pub(super) elective_stay: Option<Distribution>,
    pub(super) in_hospital_death: f64,
    /// Shares of survivors by destination.
    pub(super) discharge: PerDestination<f64>,
    pub(super) readmission_30d: f64,
    pub(super) care_home_placements_per_1000: f64,
    pub(super) home_care_referrals_per_1000: f64,
    /// Probability a crisis first seeks a same-day appointment.
    pub(super) seek_same_day: f64,
    /// Deaths at home a year per 1,000 not preceded by a modelled crisis.
    pub(super) deaths_at_home_per_1000: f64,
}

/// A risk tier of `[population.risk_tiers]`, checked.
pub(super) struct Tier {
    pub(super) name: String,
    pub(super) share: f64,
    pub(super) crisis_multiplier: f64,
    /// Whether it applies to each age band.
    pub(super) bands: Vec<bool>,
    pub(super) referrals_per_1000: f64,
    pub(super) los_multiplier: f64,
    /// × the band's deaths at home (the rest keeps the band's mean).
    pub(super) mortality_multiplier: f64,
    /// Probability a member leaves the tier in a month (None: the tier
    /// is a fixed share, as in files before moving tiers).
    pub(super) monthly_exit: Option<f64>,
    /// Probability a person of `rest` admitted in an emergency joins the
    /// tier at once.
    pub(super) step_up_after_admission: f64,
}

/// A whole system, every section checked: the input of `compile`.
pub(super) struct Parts {
    pub(super) run: RunSettings,
    /// The age bands every per-band table is indexed by.
    pub(super) age_bands: AgeBands,
    /// Yearly growth of each band (an ICC's `growth_per_year` overrides
    /// it there: [`Parts::growth_of`]).
    pub(super) growth: Vec<f64>,
    pub(super) gp_per_person: Vec<f64>,
    pub(super) monthly: [f64; 12],
    pub(super) weekday: [f64; 7],
    /// Crises by hour of the day (00:00-01:00 first).
    pub(super) hourly: [f64; 24],
    pub(super) elective_weekday: [f64; 7],
    pub(super) tiers: Vec<Tier>,
    pub(super) sites: Vec<Site>,
    pub(super) iccs: Vec<Icc>,
    pub(super) bands: Vec<Band>,
    pub(super) pathways: Pathways,
    pub(super) community: Community,
    pub(super) care_homes: CareHomes,
    pub(super) costs: Costs,
    /// `[primary_care]`; None: primary care not modelled (no service).
    pub(super) primary_care: Option<PrimaryCare>,
    /// `[avoidable]`; None: crises are not split into classes.
    pub(super) avoidable: Option<Avoidable>,
    pub(super) targets: Vec<CalibrationTarget>,
}

impl Parts {
    /// The yearly growth of band `b` in ICC `i`: the ICC's own where it
    /// gives one for the band, else the population's.
    pub(super) fn growth_of(&self, i: usize, b: usize) -> f64 {
        self.iccs[i].demand.growth[b].unwrap_or(self.growth[b])
    }
}
