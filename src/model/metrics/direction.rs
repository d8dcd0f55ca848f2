//! Which way each metric improves ([`Better`]): the registry's `better`
//! field, looked up by name when a [`Metric`](super::Metric) is made, so a
//! metric added to any list gets its direction from this one table.
//!
//! A direction is given only where it is clear whichever change is
//! compared: less waiting, fewer admissions and delayed days, lower costs
//! and lower occupancy are better; more people managed at home and more
//! admitted without a wait are better. Activity that is neither good nor
//! bad in itself (population, arrivals, episodes of a service that a
//! scenario may mean to grow, utilisation, deaths) has none, and a
//! comparison gives it no probability of being better.
//!
//! Depends on nothing.

/// The direction in which a metric improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Smaller values are better (waits, admissions, costs, occupancy).
    Lower,
    /// Larger values are better (people managed at home).
    Higher,
    /// Neither: a count of activity, or a value whose meaning depends on
    /// the question.
    None,
}

impl Better {
    /// `lower`, `higher`, or empty: its cell in `comparison.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
            Better::None => "",
        }
    }

    /// +1 when the change is an improvement, −1 when it is a worsening, 0
    /// when neither (no change, or no direction).
    pub fn sign_of_improvement(self, difference: f64) -> i8 {
        let sign = if difference > 0.0 {
            1
        } else if difference < 0.0 {
            -1
        } else {
            0
        };
        match self {
            Better::Lower => -sign,
            Better::Higher => sign,
            Better::None => 0,
        }
    }
}

use Better::{Higher, Lower};

/// Every metric with a direction, by name. Names not listed (and the
/// ones listed for metrics another list adds later) have none.
const DIRECTIONS: &[(&str, Better)] = &[
    // Service metrics (hand-written networks).
    ("lost", Lower),
    ("loss_share", Lower),
    ("diverted", Lower),
    ("timed_out", Lower),
    ("found_full_share", Lower),
    ("los_mean", Lower),
    ("los_median", Lower),
    ("los_p90", Lower),
    ("wait_mean", Lower),
    ("wait_p90", Lower),
    ("admitted_without_wait_share", Higher),
    ("delayed_departures", Lower),
    ("delayed_days_per_departure", Lower),
    ("occupancy_mean", Lower),
    ("occupancy_peak", Lower),
    ("blocked_mean", Lower),
    ("discharge_held_mean", Lower),
    ("delayed_bed_days", Lower),
    ("delayed_days_per_admission", Lower),
    ("delayed_days_per_onward_request", Lower),
    ("waiting_mean", Lower),
    // The occupancy-threshold family, by its template name.
    ("share_time_above_{percent}pct", Lower),
    // Whole-system totals of any network.
    ("lost_total", Lower),
    ("time_in_system_mean", Lower),
    ("time_in_system_p90", Lower),
    // Whole-system outcomes by year, ICC and age band.
    ("crises", Lower),
    ("crises_per_1000", Lower),
    ("rapid_response_managed_at_home", Higher),
    ("admissions_avoided", Higher),
    ("ed_attendances", Lower),
    ("emergency_admissions", Lower),
    ("emergency_admissions_per_1000", Lower),
    ("emergency_admissions_local", Lower),
    ("readmissions", Lower),
    ("emergency_los_mean", Lower),
    ("acute_bed_days", Lower),
    ("acute_delayed_bed_days", Lower),
    ("acute_delayed_share", Lower),
    ("care_home_admissions_from_hospital", Lower),
    ("care_home_admissions_from_community", Lower),
    ("care_home_bed_days", Lower),
    ("cost_acute", Lower),
    ("cost_community", Lower),
    ("cost_primary_care", Lower),
    ("cost_social_care", Lower),
    ("cost_total", Lower),
    ("cost_community_activity", Lower),
    // The acute and care-home sites.
    ("acute_occupancy", Lower),
    ("acute_days_above_92pct", Lower),
    ("acute_days_above_95pct", Lower),
    ("care_home_occupancy", Lower),
    // Outcomes other lists of issue 20 add (waits for a bed, beds needed,
    // money): their direction is known before they are.
    ("bed_wait_mean", Lower),
    ("bed_wait_p90", Lower),
    ("bed_waits_over_12h", Lower),
    ("emergency_stay_with_wait_mean", Lower),
    ("beds_needed_85pct", Lower),
    ("beds_needed_92pct", Lower),
    ("cost_bought", Lower),
    ("cash_released", Higher),
    // Delays by reason and pressure on the hospital (issue 21).
    ("acute_delayed_bed_days_arranging", Lower),
    ("acute_delayed_bed_days_discharge_day", Lower),
    ("acute_delayed_bed_days_home_care", Lower),
    ("acute_delayed_bed_days_reablement", Lower),
    ("acute_delayed_bed_days_community_bed", Lower),
    ("acute_delayed_bed_days_care_home", Lower),
    ("acute_delayed_bed_days_other", Lower),
    ("community_bed_delayed_bed_days", Lower),
    ("community_bed_delayed_share", Lower),
    ("community_bed_delayed_bed_days_arranging", Lower),
    ("community_bed_delayed_bed_days_discharge_day", Lower),
    ("community_bed_delayed_bed_days_home_care", Lower),
    ("community_bed_delayed_bed_days_reablement", Lower),
    ("community_bed_delayed_bed_days_care_home", Lower),
    ("community_bed_delayed_bed_days_other", Lower),
    ("bed_waits_over_4h", Lower),
    ("outliers", Lower),
    ("transfers_out", Lower),
    ("elective_cancellations", Lower),
    ("escalation_open_days", Lower),
    ("escalation_bed_days", Lower),
    ("cost_escalation", Lower),
    ("ed_waiting_for_bed_peak", Lower),
    ("elective_rebooking_peak", Lower),
    ("elective_rebooking_at_end", Lower),
    // The front door by hour and community day units (issue 22).
    ("day_unit_closed_share", Lower),
    ("community_day_unit_closed", Lower),
    // General practice (issue 22): crises who find no appointment, or the
    // practices closed, go on to hospital services.
    ("primary_care_none_left", Lower),
    ("primary_care_closed", Lower),
    // Staff recruited (issue 23): agency and locum cover at a premium.
    ("cost_agency", Lower),
    // Avoidable admissions (issue 23).
    ("avoidable_admissions", Lower),
    ("avoidable_bed_days", Lower),
];

/// Whether two names are the same (`==` on `str` is not `const`).
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The direction in which the metric of this name improves.
pub const fn better_of(name: &str) -> Better {
    let mut i = 0;
    while i < DIRECTIONS.len() {
        if same(DIRECTIONS[i].0, name) {
            return DIRECTIONS[i].1;
        }
        i += 1;
    }
    Better::None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_are_found_by_name() {
        assert_eq!(better_of("emergency_admissions"), Lower);
        assert_eq!(better_of("rapid_response_managed_at_home"), Higher);
        assert_eq!(better_of("population"), Better::None);
        assert_eq!(better_of("emergency_admission"), Better::None);
        assert_eq!(Lower.sign_of_improvement(-2.0), 1);
        assert_eq!(Lower.sign_of_improvement(3.0), -1);
        assert_eq!(Higher.sign_of_improvement(3.0), 1);
        assert_eq!(Higher.sign_of_improvement(0.0), 0);
        assert_eq!(Better::None.sign_of_improvement(5.0), 0);
    }

    #[test]
    fn every_listed_name_is_unique() {
        for (i, (a, _)) in DIRECTIONS.iter().enumerate() {
            assert!(
                DIRECTIONS[i + 1..].iter().all(|(b, _)| a != b),
                "{a} listed twice"
            );
        }
    }
}

#[cfg(test)]
mod registry_tests {
    use super::super::{better, registry};
    use super::*;

    #[test]
    fn the_registry_carries_each_direction() {
        let of = |name: &str| {
            registry()
                .find(|m| m.name == name)
                .unwrap_or_else(|| panic!("{name} is not in the registry"))
                .better
        };
        for name in [
            "emergency_admissions",
            "acute_bed_days",
            "acute_delayed_bed_days",
            "wait_mean",
            "acute_occupancy",
            "acute_days_above_92pct",
            "cost_total",
            "care_home_admissions_from_hospital",
        ] {
            assert_eq!(of(name), Lower, "{name}");
        }
        for name in [
            "rapid_response_managed_at_home",
            "admitted_without_wait_share",
        ] {
            assert_eq!(of(name), Higher, "{name}");
        }
        for name in ["population", "arrivals", "entered", "utilisation", "deaths"] {
            assert_eq!(of(name), Better::None, "{name}");
        }
        // Every cost is lower-is-better.
        assert!(
            registry()
                .filter(|m| m.name.starts_with("cost_"))
                .all(|m| m.better == Lower)
        );
        // The occupancy-threshold family by any of its names.
        assert_eq!(better("share_time_above_85pct"), Lower);
    }
}
