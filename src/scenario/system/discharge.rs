//! Where patients leaving hospital go, as a scenario names the
//! destinations ([`DischargeTo`]), and one value per destination: shared by
//! `[age_bands]`, `[pathways]`, the consistency checks and the levers.

use std::ops::{Index, IndexMut};

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
    /// A long-term home-care package (domiciliary care).
    HomeCare,
}

impl DischargeTo {
    /// Every destination, in the order messages list them.
    pub(super) const ALL: [DischargeTo; 5] = [
        DischargeTo::Home,
        DischargeTo::Reablement,
        DischargeTo::CommunityBed,
        DischargeTo::CareHome,
        DischargeTo::HomeCare,
    ];

    /// The name a scenario writes.
    pub(super) fn name(self) -> &'static str {
        match self {
            DischargeTo::Home => "home",
            DischargeTo::Reablement => "reablement",
            DischargeTo::CommunityBed => "community_bed",
            DischargeTo::CareHome => "care_home",
            DischargeTo::HomeCare => "home_care",
        }
    }

    /// The destination a scenario names, if it is one.
    pub(super) fn from_name(name: &str) -> Option<DischargeTo> {
        DischargeTo::ALL.into_iter().find(|to| to.name() == name)
    }

    /// The names of every destination, in order.
    pub(super) fn names() -> [&'static str; 5] {
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
    pub(super) home_care: T,
}

impl<T> PerDestination<T> {
    /// The values in the order of [`DischargeTo::ALL`].
    pub(super) fn from_array(
        [home, reablement, community_bed, care_home, home_care]: [T; 5],
    ) -> Self {
        PerDestination {
            home,
            reablement,
            community_bed,
            care_home,
            home_care,
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
            DischargeTo::HomeCare => &self.home_care,
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
            DischargeTo::HomeCare => &mut self.home_care,
        }
    }
}

/// Which kinds of service a whole system sends patients to, from every
/// section: a service of that kind with no places would hold them for
/// ever (`consistency::check_capacities`).
pub(super) struct SentTo {
    pub(super) reablement: bool,
    pub(super) community_beds: bool,
    pub(super) care_homes: bool,
    pub(super) case_management: bool,
    pub(super) home_care: bool,
    /// A band of children admitted (who need children's beds), if any.
    pub(super) children_admitted: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_are_named_as_scenarios_write_them_in_order() {
        assert_eq!(
            DischargeTo::names(),
            [
                "home",
                "reablement",
                "community_bed",
                "care_home",
                "home_care"
            ]
        );
        for to in DischargeTo::ALL {
            assert_eq!(DischargeTo::from_name(to.name()), Some(to));
        }
        assert_eq!(DischargeTo::from_name("community_beds"), None);
        let mut shares = PerDestination::from_array([0.5, 0.2, 0.2, 0.1, 0.0]);
        assert_eq!(shares[DischargeTo::Home], 0.5);
        assert_eq!(shares.community_bed, 0.2);
        shares[DischargeTo::CareHome] = 0.0;
        assert_eq!(shares.care_home, 0.0);
    }
}
