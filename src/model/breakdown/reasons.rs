//! Why a delayed place-day was delayed, in the words of the outputs: the
//! ledger's `delayed_by_reason` (arranging, a discharge day, then one
//! index per wait class of the network) mapped to the reasons the
//! breakdown metrics report (`acute_delayed_bed_days_home_care` ...) and
//! named for `delays.csv`.
//!
//! Wait classes are read by name from `Network::wait_classes`, so any
//! network's classes map: the downstream ones by their agreed names
//! (`home_care`, `reablement`, `community_bed`, `care_home`), anything
//! else (`hospital_bed`, `community_team`, a hand-written network's
//! `next_service`) to [`Reason::Other`].
//!
//! Depends on `model::network` only.

use crate::model::network::{
    ARRANGING_REASON, DELAY_REASONS, DISCHARGE_DAY_REASON, FIRST_WAIT_REASON,
};

/// A reason delayed place-days are reported under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The discharge being arranged (the routes' fixed delay).
    Arranging,
    /// Held for a day on which discharges happen (weekends).
    DischargeDay,
    HomeCare,
    Reablement,
    CommunityBed,
    CareHome,
    /// Waiting for a place of any other kind.
    Other,
}

impl Reason {
    /// Every reason, in output order.
    pub const ALL: [Reason; 7] = [
        Reason::Arranging,
        Reason::DischargeDay,
        Reason::HomeCare,
        Reason::Reablement,
        Reason::CommunityBed,
        Reason::CareHome,
        Reason::Other,
    ];

    /// Its suffix in metric names (`acute_delayed_bed_days_<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Reason::Arranging => "arranging",
            Reason::DischargeDay => "discharge_day",
            Reason::HomeCare => "home_care",
            Reason::Reablement => "reablement",
            Reason::CommunityBed => "community_bed",
            Reason::CareHome => "care_home",
            Reason::Other => "other",
        }
    }

    /// In a planner's words ("waiting for home care").
    pub fn words(self) -> &'static str {
        match self {
            Reason::Arranging => "arranging the discharge",
            Reason::DischargeDay => "weekends (no discharges that day)",
            Reason::HomeCare => "home care",
            Reason::Reablement => "reablement",
            Reason::CommunityBed => "community bed",
            Reason::CareHome => "care home",
            Reason::Other => "other places",
        }
    }

    /// Whether it is waiting for a place downstream of the hospital: the
    /// share the calibration target counts.
    pub fn is_downstream(self) -> bool {
        matches!(
            self,
            Reason::HomeCare | Reason::Reablement | Reason::CommunityBed | Reason::CareHome
        )
    }

    /// The reason a wait class of this name is reported under.
    pub fn of_wait_class(name: &str) -> Reason {
        match name {
            "home_care" => Reason::HomeCare,
            "reablement" => Reason::Reablement,
            "community_bed" => Reason::CommunityBed,
            "care_home" => Reason::CareHome,
            _ => Reason::Other,
        }
    }
}

/// For each index of `delayed_by_reason`, the reason it is reported under
/// (indices beyond the network's wait classes: [`Reason::Other`], never
/// filled).
pub fn reason_of_index(wait_classes: &[String]) -> [Reason; DELAY_REASONS] {
    let mut reasons = [Reason::Other; DELAY_REASONS];
    reasons[ARRANGING_REASON] = Reason::Arranging;
    reasons[DISCHARGE_DAY_REASON] = Reason::DischargeDay;
    for (k, class) in wait_classes.iter().enumerate() {
        if let Some(slot) = reasons.get_mut(FIRST_WAIT_REASON + k) {
            *slot = Reason::of_wait_class(class);
        }
    }
    reasons
}

/// The name of each index of `delayed_by_reason` in `delays.csv`:
/// `arranging`, `discharge_day`, then the network's wait classes by name
/// (indices beyond them are left out).
pub fn index_names(wait_classes: &[String]) -> Vec<(usize, String)> {
    let mut names = vec![
        (ARRANGING_REASON, "arranging".to_string()),
        (DISCHARGE_DAY_REASON, "discharge_day".to_string()),
    ];
    names.extend(
        wait_classes
            .iter()
            .take(DELAY_REASONS - FIRST_WAIT_REASON)
            .enumerate()
            .map(|(k, class)| (FIRST_WAIT_REASON + k, class.clone())),
    );
    names
}

/// Delayed place-days by reported reason (in [`Reason::ALL`]'s order).
pub fn by_reason(
    delayed_by_reason: &[f64; DELAY_REASONS],
    reasons: &[Reason; DELAY_REASONS],
) -> [f64; 7] {
    let mut out = [0.0; 7];
    for (days, reason) in delayed_by_reason.iter().zip(reasons) {
        let at = Reason::ALL.iter().position(|r| r == reason).unwrap_or(6);
        out[at] += days;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole_system_classes() -> Vec<String> {
        [
            "hospital_bed",
            "home_care",
            "reablement",
            "community_bed",
            "care_home",
            "community_team",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn whole_system_wait_classes_map_to_their_reasons() {
        let reasons = reason_of_index(&whole_system_classes());
        assert_eq!(
            reasons,
            [
                Reason::Arranging,
                Reason::DischargeDay,
                Reason::Other, // hospital_bed
                Reason::HomeCare,
                Reason::Reablement,
                Reason::CommunityBed,
                Reason::CareHome,
                Reason::Other, // community_team
            ]
        );
        let days = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];
        assert_eq!(
            by_reason(&days, &reasons),
            [1.0, 2.0, 8.0, 16.0, 32.0, 64.0, 4.0 + 128.0]
        );
        let downstream: Vec<&str> = Reason::ALL
            .iter()
            .filter(|r| r.is_downstream())
            .map(|r| r.name())
            .collect();
        assert_eq!(
            downstream,
            ["home_care", "reablement", "community_bed", "care_home"]
        );
    }

    #[test]
    fn a_hand_written_network_waits_for_the_next_service() {
        let reasons = reason_of_index(&crate::model::Network::default_wait_classes());
        let days = [1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(
            by_reason(&days, &reasons),
            [1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 3.0]
        );
        assert_eq!(
            index_names(&crate::model::Network::default_wait_classes()),
            [
                (0, "arranging".to_string()),
                (1, "discharge_day".to_string()),
                (2, "next_service".to_string()),
            ]
        );
    }
}
