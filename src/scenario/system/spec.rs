//! The validated specification of a whole system ([`Parts`]): what the
//! section validators return and what `compile` and the levers read.
//! Every value here is in range and every share adds up to 1.

use crate::engine::Distribution;
use crate::model::system::CalibrationTarget;
use crate::model::{OpeningHours, RunSettings};

pub(super) const DISCHARGE_KEYS: [&str; 4] = ["home", "reablement", "community_bed", "care_home"];
pub(super) const COMMUNITY_BED_KEYS: [&str; 3] = ["home", "care_home", "death"];
pub(super) const ELECTIVE_DISCHARGE_KEYS: [&str; 2] = ["home", "reablement"];
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
    /// home, reablement, community_bed, care_home (of survivors).
    pub(super) discharge: [f64; 4],
    pub(super) readmission_30d: f64,
    pub(super) care_home_placements_per_1000: f64,
}

/// A risk tier of `[population.risk_tiers]`, checked.
pub(super) struct Tier {
    pub(super) name: String,
    pub(super) share: f64,
    pub(super) crisis_multiplier: f64,
    pub(super) bands: [bool; 5],
    pub(super) referrals_per_1000: f64,
    pub(super) los_multiplier: f64,
}

/// An Integrated Care Community, checked.
pub(super) struct Icc {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) site: usize,
    pub(super) population: [f64; 5],
    pub(super) rapid_response_wte: f64,
    pub(super) reablement_wte: f64,
    pub(super) case_management_wte: f64,
    pub(super) community_beds: u32,
    pub(super) residential_places: u32,
    pub(super) nursing_places: u32,
}

/// An acute site, checked.
pub(super) struct Site {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) adult_beds: u32,
    pub(super) paediatric_beds: u32,
    pub(super) day_unit_places: u32,
    pub(super) day_unit_slots_per_day: Option<u32>,
    pub(super) day_unit_opening: Option<OpeningHours>,
}

/// A community team of `[community]`, checked.
pub(super) struct Team {
    pub(super) caseload_per_wte: f64,
    pub(super) episode: Distribution,
    pub(super) managed_at_home: f64,
    pub(super) max_wait_days: Option<f64>,
}

/// `[pathways]`, checked.
pub(super) struct Pathways {
    pub(super) ed_stay: Distribution,
    pub(super) day_unit_stay: Distribution,
    pub(super) day_unit_admission: f64,
    pub(super) zero_day_stay: Distribution,
    pub(super) discharge_weekday_factors: [f64; 7],
    pub(super) arranging: [Option<Distribution>; 4],
    pub(super) readmission_delay: Distribution,
    pub(super) elective_discharge: [f64; 2],
}

/// `[community]`, checked.
pub(super) struct Community {
    pub(super) rapid: Team,
    pub(super) reablement: Team,
    pub(super) case_management: Team,
    pub(super) bed_stay: Distribution,
    /// home, care_home, death.
    pub(super) bed_discharge: [f64; 3],
}

/// `[care_homes]`, checked.
pub(super) struct CareHomes {
    pub(super) residential_stay: Distribution,
    pub(super) nursing_stay: Distribution,
    pub(super) nursing_share: f64,
    pub(super) occupancy_at_start: f64,
    pub(super) attendances_per_resident_year: f64,
    pub(super) ed_admission: f64,
    pub(super) in_hospital_death: f64,
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

/// A whole system, every section checked: the input of `compile`.
pub(super) struct Parts {
    pub(super) run: RunSettings,
    pub(super) growth: [f64; 5],
    pub(super) gp_per_person: [f64; 5],
    pub(super) monthly: [f64; 12],
    pub(super) weekday: [f64; 7],
    pub(super) elective_weekday: [f64; 7],
    pub(super) tiers: Vec<Tier>,
    pub(super) sites: Vec<Site>,
    pub(super) iccs: Vec<Icc>,
    pub(super) bands: Vec<Band>,
    pub(super) pathways: Pathways,
    pub(super) community: Community,
    pub(super) care_homes: CareHomes,
    pub(super) costs: Costs,
    pub(super) targets: Vec<CalibrationTarget>,
}
