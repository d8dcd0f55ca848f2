//! The lever effects this build knows ([`Effect`]), what each reads, and
//! the names a lever is written with (services, demand, what money buys).
//!
//! Every place that depends on the effect matches [`Effect`] exhaustively,
//! so a new effect is a new variant and the compiler lists what it needs.

use serde::Deserialize;
use serde::de::IntoDeserializer;

use crate::model::system::{DemandKind, Role};

/// What a lever does (`effect = "..."`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// × the arrival rate of crises.
    CrisisRate,
    /// Places (or staff) of a kind of service, changed or multiplied.
    Capacity,
    /// × the stay at a kind of service.
    LengthOfStay,
    /// × the time to arrange a discharge.
    DischargeDelay,
    /// × the share of discharges to a care home, the rest going elsewhere.
    CareHomeDischarge,
    /// × the share of crises offered rapid response, and/or the share of
    /// its episodes that end at home.
    RapidResponse,
    /// × the share of ED attendances sent to the day unit.
    DayUnitDiversion,
    /// Money moved from acute care into community places.
    Reinvestment,
    /// Opening days and hours of a kind of service from a date.
    OpeningHours,
    /// Reviews of risk tiers by general practice: their staff time off the
    /// same-day appointments, × the tiers' crisis rates.
    ProactiveCare,
}

impl Effect {
    /// Every effect, in the order messages list them.
    pub const ALL: [Effect; 10] = [
        Effect::CrisisRate,
        Effect::Capacity,
        Effect::LengthOfStay,
        Effect::DischargeDelay,
        Effect::CareHomeDischarge,
        Effect::RapidResponse,
        Effect::DayUnitDiversion,
        Effect::Reinvestment,
        Effect::OpeningHours,
        Effect::ProactiveCare,
    ];

    /// The effect a lever names, if this build knows it.
    pub fn from_name(name: &str) -> Option<Effect> {
        let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            name.into_deserializer();
        Effect::deserialize(name).ok()
    }

    /// The name a scenario writes.
    pub fn name(self) -> &'static str {
        match self {
            Effect::CrisisRate => "crisis_rate",
            Effect::Capacity => "capacity",
            Effect::LengthOfStay => "length_of_stay",
            Effect::DischargeDelay => "discharge_delay",
            Effect::CareHomeDischarge => "care_home_discharge",
            Effect::RapidResponse => "rapid_response",
            Effect::DayUnitDiversion => "day_unit_diversion",
            Effect::Reinvestment => "reinvestment",
            Effect::OpeningHours => "opening_hours",
            Effect::ProactiveCare => "proactive_care",
        }
    }

    /// Whether the lever acts on cohorts of people (`demand`, `age_bands`,
    /// `tiers`) rather than on services.
    pub fn acts_on_cohorts(self) -> bool {
        match self {
            Effect::CrisisRate
            | Effect::LengthOfStay
            | Effect::DischargeDelay
            | Effect::CareHomeDischarge
            | Effect::RapidResponse
            | Effect::DayUnitDiversion
            | Effect::ProactiveCare => true,
            Effect::Capacity | Effect::Reinvestment | Effect::OpeningHours => false,
        }
    }

    /// The optional keys a lever of this effect reads (besides `effect`,
    /// `start`, `ramp_months`, `iccs`, `age_bands`, `tiers`, `description`, `source`);
    /// the others are refused, so a typo in the effect is not silently a
    /// lever doing something else.
    pub fn reads(self) -> &'static [&'static str] {
        match self {
            Effect::CrisisRate => &["multiplier", "demand"],
            Effect::Capacity => &["multiplier", "sites", "change", "wte", "service"],
            Effect::LengthOfStay => &["multiplier", "sites", "service", "demand"],
            Effect::DischargeDelay => &["multiplier", "sites", "service", "demand", "destinations"],
            Effect::CareHomeDischarge => &["multiplier", "sites", "service", "demand", "to"],
            Effect::RapidResponse => &["multiplier", "demand", "managed_at_home"],
            Effect::DayUnitDiversion => &["multiplier", "sites", "demand"],
            Effect::Reinvestment => &["amount_per_year", "fund", "close_adult_beds"],
            Effect::OpeningHours => &["service", "sites", "opening"],
            Effect::ProactiveCare => &[
                "multiplier",
                "demand",
                "reviews_per_person_year",
                "appointments_per_review",
            ],
        }
    }

    /// The effects that read `key`, in the order of [`Effect::ALL`].
    pub fn reading(key: &str) -> Vec<Effect> {
        Effect::ALL
            .into_iter()
            .filter(|effect| effect.reads().contains(&key))
            .collect()
    }
}

/// The effects that change the pathways or entry routes of the cohorts a
/// lever reaches (the others change rates, places or money).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum PathwayEffect {
    LengthOfStay,
    DischargeDelay,
    CareHomeDischarge,
    RapidResponse,
    DayUnitDiversion,
}

/// What a reinvestment's money can buy (`fund.KIND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fund {
    RapidResponse,
    Reablement,
    CaseManagement,
    CommunityBeds,
    Residential,
    Nursing,
    /// Places of the ICCs' community day units.
    CommunityDayUnit,
    /// GP whole-time equivalents of general practice.
    Gp,
    /// Other clinical WTE of general practice.
    OtherClinical,
}

impl Fund {
    /// Everything money can buy, in the order messages list them.
    pub(super) const ALL: [Fund; 9] = [
        Fund::RapidResponse,
        Fund::Reablement,
        Fund::CaseManagement,
        Fund::CommunityBeds,
        Fund::Residential,
        Fund::Nursing,
        Fund::CommunityDayUnit,
        Fund::Gp,
        Fund::OtherClinical,
    ];

    /// The name a scenario writes (and the budget statement's item).
    pub(super) fn name(self) -> &'static str {
        match self {
            Fund::RapidResponse => "rapid_response",
            Fund::Reablement => "reablement",
            Fund::CaseManagement => "case_management",
            Fund::CommunityBeds => "community_beds",
            Fund::Residential => "residential",
            Fund::Nursing => "nursing",
            Fund::CommunityDayUnit => "community_day_unit",
            Fund::Gp => "gp",
            Fund::OtherClinical => "other_clinical",
        }
    }

    /// The names, in the order of [`Fund::ALL`].
    pub(super) fn names() -> [&'static str; 9] {
        Fund::ALL.map(Fund::name)
    }

    /// What a scenario names, if money can buy it.
    pub(super) fn from_name(name: &str) -> Option<Fund> {
        Fund::ALL.into_iter().find(|fund| fund.name() == name)
    }

    /// The team whose staff the money buys, for staff.
    pub(super) fn team(self) -> Option<CommunityTeam> {
        match self {
            Fund::RapidResponse => Some(CommunityTeam::RapidResponse),
            Fund::Reablement => Some(CommunityTeam::Reablement),
            Fund::CaseManagement => Some(CommunityTeam::CaseManagement),
            Fund::CommunityBeds
            | Fund::Residential
            | Fund::Nursing
            | Fund::CommunityDayUnit
            | Fund::Gp
            | Fund::OtherClinical => None,
        }
    }

    /// The kind of service whose places the money buys.
    pub(super) fn role(self) -> Role {
        match self {
            Fund::RapidResponse => Role::RapidResponse,
            Fund::Reablement => Role::Reablement,
            Fund::CaseManagement => Role::CaseManagement,
            Fund::CommunityBeds => Role::CommunityBeds,
            Fund::Residential => Role::ResidentialCare,
            Fund::Nursing => Role::NursingCare,
            Fund::CommunityDayUnit => Role::CommunityDayUnit,
            Fund::Gp | Fund::OtherClinical => Role::PrimaryCare,
        }
    }
}

/// The community teams whose capacity is staff (whole-time equivalents ×
/// caseload per WTE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CommunityTeam {
    RapidResponse,
    Reablement,
    CaseManagement,
}

impl CommunityTeam {
    /// Every team, in the order of [`Fund::ALL`].
    const ALL: [CommunityTeam; 3] = [
        CommunityTeam::RapidResponse,
        CommunityTeam::Reablement,
        CommunityTeam::CaseManagement,
    ];

    /// The kind of service the team is.
    fn role(self) -> Role {
        match self {
            CommunityTeam::RapidResponse => Role::RapidResponse,
            CommunityTeam::Reablement => Role::Reablement,
            CommunityTeam::CaseManagement => Role::CaseManagement,
        }
    }

    /// The team a kind of service is, if it is one (any other kind's
    /// capacity is beds or places).
    pub(super) fn of_role(role: Role) -> Option<CommunityTeam> {
        CommunityTeam::ALL
            .into_iter()
            .find(|team| team.role() == role)
    }
}

/// One value per community team.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct PerTeam<T> {
    pub(super) rapid_response: T,
    pub(super) reablement: T,
    pub(super) case_management: T,
}

impl<T> std::ops::Index<CommunityTeam> for PerTeam<T> {
    type Output = T;

    fn index(&self, team: CommunityTeam) -> &T {
        match team {
            CommunityTeam::RapidResponse => &self.rapid_response,
            CommunityTeam::Reablement => &self.reablement,
            CommunityTeam::CaseManagement => &self.case_management,
        }
    }
}

/// Items as `"a", "b", "c"`, for messages.
pub(super) fn quoted(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items
        .into_iter()
        .map(|x| format!("\"{}\"", x.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

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
    // Packages (`change` in packages; hours = packages × hours a package).
    ("home_care", Role::HomeCare),
    // GP WTE (`wte`): same-day appointments follow the staff.
    ("primary_care", Role::PrimaryCare),
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
    "home_care",
];

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
    ("home_care_referral", DemandKind::HomeCareReferral),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(effects: Vec<Effect>) -> Vec<&'static str> {
        effects.into_iter().map(Effect::name).collect()
    }

    #[test]
    fn every_effect_is_read_back_from_its_name_and_no_other() {
        for effect in Effect::ALL {
            assert_eq!(Effect::from_name(effect.name()), Some(effect));
        }
        assert_eq!(Effect::from_name("rapid-response"), None);
        assert_eq!(Effect::from_name("Capacity"), None);
        assert_eq!(Effect::from_name(""), None);
        assert_eq!(
            Effect::ALL.map(Effect::name),
            [
                "crisis_rate",
                "capacity",
                "length_of_stay",
                "discharge_delay",
                "care_home_discharge",
                "rapid_response",
                "day_unit_diversion",
                "reinvestment",
                "opening_hours",
                "proactive_care",
            ]
        );
    }

    #[test]
    fn each_key_belongs_to_the_effects_that_always_read_it() {
        // The lists the messages give, as they were when they were strings.
        assert_eq!(
            names(Effect::reading("multiplier")),
            [
                "crisis_rate",
                "capacity",
                "length_of_stay",
                "discharge_delay",
                "care_home_discharge",
                "rapid_response",
                "day_unit_diversion",
                "proactive_care",
            ]
        );
        assert_eq!(
            names(Effect::reading("sites")),
            [
                "capacity",
                "length_of_stay",
                "discharge_delay",
                "care_home_discharge",
                "day_unit_diversion",
                "opening_hours",
            ]
        );
        assert_eq!(
            names(Effect::reading("service")),
            [
                "capacity",
                "length_of_stay",
                "discharge_delay",
                "care_home_discharge",
                "opening_hours",
            ]
        );
        assert_eq!(names(Effect::reading("opening")), ["opening_hours"]);
        assert_eq!(names(Effect::reading("change")), ["capacity"]);
        assert_eq!(names(Effect::reading("wte")), ["capacity"]);
        assert_eq!(names(Effect::reading("destinations")), ["discharge_delay"]);
        assert_eq!(names(Effect::reading("to")), ["care_home_discharge"]);
        assert_eq!(
            names(Effect::reading("managed_at_home")),
            ["rapid_response"]
        );
        for key in ["amount_per_year", "fund", "close_adult_beds"] {
            assert_eq!(names(Effect::reading(key)), ["reinvestment"]);
        }
        // `demand` goes with the cohorts a lever acts on.
        for effect in Effect::ALL {
            assert_eq!(
                effect.reads().contains(&"demand"),
                effect.acts_on_cohorts(),
                "{effect:?}"
            );
        }
    }

    #[test]
    fn money_buys_staff_for_teams_and_places_for_the_rest() {
        assert_eq!(
            Fund::names(),
            [
                "rapid_response",
                "reablement",
                "case_management",
                "community_beds",
                "residential",
                "nursing",
                "community_day_unit",
                "gp",
                "other_clinical",
            ]
        );
        for fund in Fund::ALL {
            assert_eq!(Fund::from_name(fund.name()), Some(fund));
            assert_eq!(fund.team(), CommunityTeam::of_role(fund.role()));
        }
        let per_team = PerTeam {
            rapid_response: 1.0,
            reablement: 2.0,
            case_management: 3.0,
        };
        assert_eq!(per_team[CommunityTeam::Reablement], 2.0);
        assert_eq!(per_team[CommunityTeam::CaseManagement], 3.0);
    }
}
