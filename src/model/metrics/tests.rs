//! Known answers for the registry: every headline list as it was written
//! by hand before the registry, name by name and in order, so that an
//! output that depends on one cannot change unnoticed.

use super::*;

#[test]
fn the_board_shows_its_twenty_eight_outcomes_in_order() {
    assert_eq!(
        whole_system_headlines(View::Board),
        [
            "emergency_admissions",
            "acute_bed_days",
            "emergency_los_mean",
            "emergency_stay_with_wait_mean",
            "acute_occupancy",
            "acute_days_above_92pct",
            "bed_wait_mean",
            "bed_wait_p90",
            "bed_waits_over_12h",
            "beds_needed_92pct",
            "beds_needed_85pct",
            "elective_cancellations",
            "acute_delayed_bed_days",
            "acute_delayed_downstream_share",
            "care_home_admissions_from_hospital",
            "care_home_admissions_from_community",
            "cost_acute",
            "cost_community",
            "cost_primary_care",
            "cost_social_care",
            "cost_total",
            "rapid_response_utilisation",
            "reablement_utilisation",
            "case_management_utilisation",
            "community_beds_utilisation",
            "ed_attendances",
            "primary_care_same_day",
            "community_day_unit_attendances",
        ]
    );
    assert_eq!(
        service_headlines(View::Board),
        [
            "admissions",
            "lost",
            "los_mean",
            "utilisation",
            "delayed_bed_days"
        ]
    );
}

#[test]
fn the_board_glance_and_fans_keep_their_own_orders() {
    assert_eq!(
        whole_system_headlines(View::AtAGlance),
        [
            "emergency_admissions",
            "acute_bed_days",
            "acute_occupancy",
            "acute_delayed_bed_days",
            "care_home_admissions_from_hospital",
            "cost_total",
            "bed_wait_mean",
            "bed_waits_over_12h",
            "beds_needed_92pct",
        ]
    );
    assert_eq!(
        whole_system_headlines(View::Fans),
        [
            "emergency_admissions",
            "acute_bed_days",
            "acute_delayed_bed_days"
        ]
    );
}

#[test]
fn the_terminal_table_lists_forty_one_outcomes_in_order() {
    assert_eq!(
        whole_system_headlines(View::Terminal),
        [
            "crises",
            "rapid_response_episodes",
            "admissions_avoided",
            "ed_attendances",
            "day_unit_attendances",
            "emergency_admissions",
            "elective_admissions",
            "readmissions",
            "emergency_los_mean",
            "acute_occupancy",
            "acute_days_above_92pct",
            "acute_delayed_share",
            "acute_delayed_bed_days",
            "reablement_episodes",
            "community_bed_admissions",
            "care_home_admissions_from_hospital",
            "care_home_admissions_from_community",
            "care_home_occupancy",
            "deaths",
            "cost_acute",
            "cost_community",
            "cost_primary_care",
            "cost_social_care",
            "cost_total",
            "bed_wait_mean",
            "bed_wait_p90",
            "bed_waits_over_12h",
            "beds_needed_92pct",
            "rapid_response_utilisation",
            "reablement_utilisation",
            "case_management_utilisation",
            "community_beds_utilisation",
            "acute_delayed_downstream_share",
            "bed_waits_over_4h",
            "escalation_open_days",
            "elective_cancellations",
            "transfers_out",
            "home_care_utilisation",
            "day_unit_closed_share",
            "primary_care_none_left",
            "primary_care_same_day",
        ]
    );
    assert!(service_headlines(View::Terminal).is_empty());
}

#[test]
fn compare_and_sweep_show_what_the_terminal_showed() {
    assert_eq!(
        whole_system_headlines(View::Compare),
        [
            "crises",
            "ed_attendances",
            "emergency_admissions",
            "emergency_los_mean",
            "acute_bed_days",
            "acute_delayed_bed_days",
            "care_home_admissions_from_hospital",
            "cost_total",
            "acute_occupancy",
            "acute_days_above_92pct",
            "bed_wait_mean",
            "bed_wait_p90",
            "bed_waits_over_12h",
            "beds_needed_92pct",
            "rapid_response_utilisation",
            "acute_delayed_downstream_share",
            "bed_waits_over_4h",
            "elective_cancellations",
        ]
    );
    assert_eq!(
        service_headlines(View::Compare),
        [
            "arrivals",
            "admissions",
            "lost",
            "los_mean",
            "occupancy_mean",
            "delayed_bed_days"
        ]
    );
    assert_eq!(
        whole_system_headlines(View::Sweep),
        [
            "emergency_admissions",
            "acute_occupancy",
            "acute_delayed_bed_days",
            "cost_total"
        ]
    );
    assert_eq!(service_headlines(View::Sweep), ["occupancy_mean", "lost"]);
}

#[test]
fn positions_are_unique_within_a_view_and_a_family() {
    for view in [
        View::Board,
        View::AtAGlance,
        View::Fans,
        View::Terminal,
        View::Compare,
        View::Sweep,
    ] {
        for service in [false, true] {
            let mut positions: Vec<u8> = registry()
                .filter(|m| m.is_service() == service)
                .filter_map(|m| m.position(view))
                .collect();
            let shown = positions.len();
            positions.sort_unstable();
            positions.dedup();
            assert_eq!(positions.len(), shown, "{view:?}");
            assert_eq!(positions.first().copied().unwrap_or(1), 1, "{view:?}");
            assert_eq!(positions.last().copied().unwrap_or(0) as usize, shown);
        }
    }
}

#[test]
fn a_count_adds_up_over_bands_and_a_ratio_does_not() {
    // The rule before the registry: by unit, and population apart.
    for metric in BREAKDOWN_METRICS {
        let by_unit = !matches!(metric.unit, "fraction" | "days" | "per 1,000/year")
            && metric.name != "population";
        assert_eq!(is_count_metric(metric.name), by_unit, "{}", metric.name);
    }
    assert!(is_count_metric("emergency_admissions"));
    assert!(is_count_metric("cost_total"));
    assert!(!is_count_metric("population"));
    assert!(!is_count_metric("acute_occupancy"));
    assert!(!is_count_metric("no_such_metric"));
}

#[test]
fn every_metric_is_described_once_in_its_scope() {
    let mut names: Vec<(String, &str)> = registry()
        .map(|m| (format!("{:?}", m.scope), m.name))
        .collect();
    let all = names.len();
    // 30 service metrics (waits_over_12h added), the threshold family, 11
    // system, 6 site (beds needed at 92% and 85% added), 43 breakdown (waits
    // for a bed, utilisation and money added); issue 21: 7 site (community
    // bed occupancy, escalation, the largest queue, rebookings) and 23
    // breakdown (delays by reason, home care, 4-hour waits, outliers,
    // transfers out, cancellations); issue 22: 7 breakdown (the day unit's
    // closure share, community day units' attendances and closures;
    // primary care's same-day appointments, none left, closed, managed);
    // issue 23: 6 breakdown (deaths at home, in a community bed, in a care
    // home; cost_agency, staff recruited; avoidable admissions and their
    // bed-days).
    assert_eq!(all, 30 + 1 + 11 + (6 + 7) + (43 + 23 + 7 + 6));
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all);
    assert!(registry().all(|m| !m.description.is_empty() && !m.unit.is_empty()));
    let catalog = metric_catalog(&[0.85, 0.925]);
    assert_eq!(catalog.len(), 32);
    assert_eq!(catalog[30].name, "share_time_above_85pct");
    assert_eq!(catalog[31].name, "share_time_above_92.5pct");
    assert_eq!(
        catalog[31].description,
        "share of time with occupancy above 92.5% of capacity"
    );
    assert_eq!(catalog[31].scope, MetricScope::Service);
    assert_eq!(system_metrics()[10].name, "events_processed");
}
