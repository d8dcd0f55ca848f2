//! The lever effects this build knows, and the names a lever is written
//! with (services, demand, destinations).

use crate::model::system::{DemandKind, Role};

/// Lever effects this build knows.
pub const LEVER_EFFECTS: &[&str] = &[
    "crisis_rate",
    "capacity",
    "length_of_stay",
    "discharge_delay",
    "care_home_discharge",
    "rapid_response",
    "day_unit_diversion",
    "reinvestment",
];

/// Effects that act on cohorts of people (`demand`, `age_bands`, `tiers`).
pub(super) const COHORT_EFFECTS: &[&str] = &[
    "crisis_rate",
    "length_of_stay",
    "discharge_delay",
    "care_home_discharge",
    "rapid_response",
    "day_unit_diversion",
];

/// Effects sized by a `multiplier`.
pub(super) const MULTIPLIER_EFFECTS: &[&str] = &[
    "crisis_rate",
    "capacity",
    "length_of_stay",
    "discharge_delay",
    "care_home_discharge",
    "rapid_response",
    "day_unit_diversion",
];

/// Services a capacity lever can change, as written.
pub const LEVER_SERVICES: &[(&str, Role)] = &[
    ("adult_beds", Role::AcuteBeds),
    ("paediatric_beds", Role::PaediatricBeds),
    ("day_unit", Role::DayUnit),
    ("rapid_response", Role::RapidResponse),
    ("reablement", Role::Reablement),
    ("case_management", Role::CaseManagement),
    ("community_beds", Role::CommunityBeds),
    ("residential", Role::ResidentialCare),
    ("nursing", Role::NursingCare),
];

/// Services whose stays a `length_of_stay` lever can change.
pub(super) const STAY_SERVICES: &[&str] = &[
    "adult_beds",
    "paediatric_beds",
    "day_unit",
    "rapid_response",
    "reablement",
    "case_management",
    "community_beds",
];

/// Services a reinvestment can fund, as written.
pub(super) const FUNDABLE: &[&str] = &[
    "rapid_response",
    "reablement",
    "case_management",
    "community_beds",
    "residential",
    "nursing",
];

/// Discharge destinations, as written, in the order of `LeverContext::arranging`.
pub(super) const DISCHARGE_DESTINATIONS: &[&str] =
    &["home", "reablement", "community_bed", "care_home"];

/// Kinds of demand a lever can target, as written.
pub const LEVER_DEMAND: &[(&str, DemandKind)] = &[
    ("crisis", DemandKind::Crisis),
    ("care_home_crisis", DemandKind::CareHomeCrisis),
    ("elective", DemandKind::Elective),
    (
        "case_management_referral",
        DemandKind::CaseManagementReferral,
    ),
    ("care_home_placement", DemandKind::CareHomePlacement),
];
