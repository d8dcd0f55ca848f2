//! The validated specification of a whole system ([`Parts`]): what the
//! section validators return and what `compile` and the levers read.
//! Every value here is in range and every share adds up to 1.

use std::ops::{Index, IndexMut};

pub(super) use super::acute::{Pathways, Site};
pub(super) use super::community::{CareHomes, Community, Icc, Team};
pub(super) use super::costs::Costs;
use crate::engine::Distribution;
use crate::model::RunSettings;
use crate::model::system::CalibrationTarget;

/// Days in a year, for rates per year.
pub(super) const DAYS_PER_YEAR: f64 = 365.25;

/// Where patients leaving hospital are discharged to, as a scenario names
/// them (`discharge`, `arranging`, and a lever's `destinations` and `to`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DischargeTo {
    Home,
    /// Reablement at home (discharge pathway 1).
    Reablement,
    /// A community hospital bed (discharge pathway 2).
    CommunityBed,
    /// A residential or nursing home.
    CareHome,
}

impl DischargeTo {
    /// Every destination, in the order messages list them.
    pub(super) const ALL: [DischargeTo; 4] = [
        DischargeTo::Home,
        DischargeTo::Reablement,
        DischargeTo::CommunityBed,
        DischargeTo::CareHome,
    ];

    /// The name a scenario writes.
    pub(super) fn name(self) -> &'static str {
        match self {
            DischargeTo::Home => "home",
            DischargeTo::Reablement => "reablement",
            DischargeTo::CommunityBed => "community_bed",
            DischargeTo::CareHome => "care_home",
        }
    }

    /// The destination a scenario names, if it is one.
    pub(super) fn from_name(name: &str) -> Option<DischargeTo> {
        DischargeTo::ALL.into_iter().find(|to| to.name() == name)
    }

    /// The names of every destination, in order.
    pub(super) fn names() -> [&'static str; 4] {
        DischargeTo::ALL.map(DischargeTo::name)
    }
}

/// One value per discharge destination.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct PerDestination<T> {
    pub(super) home: T,
    pub(super) reablement: T,
    pub(super) community_bed: T,
    pub(super) care_home: T,
}

impl<T> PerDestination<T> {
    /// The values in the order of [`DischargeTo::ALL`].
    pub(super) fn from_array([home, reablement, community_bed, care_home]: [T; 4]) -> Self {
        PerDestination {
            home,
            reablement,
            community_bed,
            care_home,
        }
    }
}

impl<T> Index<DischargeTo> for PerDestination<T> {
    type Output = T;

    fn index(&self, to: DischargeTo) -> &T {
        match to {
            DischargeTo::Home => &self.home,
            DischargeTo::Reablement => &self.reablement,
            DischargeTo::CommunityBed => &self.community_bed,
            DischargeTo::CareHome => &self.care_home,
        }
    }
}

impl<T> IndexMut<DischargeTo> for PerDestination<T> {
    fn index_mut(&mut self, to: DischargeTo) -> &mut T {
        match to {
            DischargeTo::Home => &mut self.home,
            DischargeTo::Reablement => &mut self.reablement,
            DischargeTo::CommunityBed => &mut self.community_bed,
            DischargeTo::CareHome => &mut self.care_home,
        }
    }
}

/// Where elective patients go when they leave hospital (shares).
pub(super) struct ElectiveDischarge {
    pub(super) home: f64,
    pub(super) reablement: f64,
}

impl ElectiveDischarge {
    /// The keys of `[pathways.elective_discharge]`, in this order.
    pub(super) const KEYS: [&str; 2] = ["home", "reablement"];
}

/// Where patients leave a community bed for (shares).
pub(super) struct BedDischarge {
    pub(super) home: f64,
    pub(super) care_home: f64,
    pub(super) death: f64,
}

impl BedDischarge {
    /// The keys of `[community.community_beds.discharge]`, in this order.
    pub(super) const KEYS: [&str; 3] = ["home", "care_home", "death"];
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_named_as_scenarios_write_them_in_order() {
        assert_eq!(
            DischargeTo::names(),
            ["home", "reablement", "community_bed", "care_home"]
        );
        for to in DischargeTo::ALL {
            assert_eq!(DischargeTo::from_name(to.name()), Some(to));
        }
        assert_eq!(DischargeTo::from_name("community_beds"), None);
        let mut shares = PerDestination::from_array([0.5, 0.2, 0.2, 0.1]);
        assert_eq!(shares[DischargeTo::Home], 0.5);
        assert_eq!(shares.community_bed, 0.2);
        shares[DischargeTo::CareHome] = 0.0;
        assert_eq!(shares.care_home, 0.0);
    }
}
