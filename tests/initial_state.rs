//! Starting from today's census (`initial` in a service): patients part-way
//! through their stays, with days already spent, or fit to leave and
//! waiting (a delayed-discharge backlog). Known answers.

mod common;

use iccsim::model::simulate;

fn scenario(initial: &str, stay: &str, extra: &str, horizon: f64) -> String {
    format!(
        r#"
schema_version = 1
name = "census"
sinks = ["home"]
[run]
warmup_days = 0
horizon_days = {horizon}
start_date = 2025-04-07
[services.ward]
capacity = 100
stay = {stay}
routes = [{{ to = "home", probability = 1.0 }}]
initial = {initial}
{extra}
[patient_types.patients]
arrive_at = "ward"
rate_per_day = 1e-9
"#
    )
}

/// 80 patients part-way through exponential stays (mean 10 days) and no
/// arrivals: the mean occupancy over 30 days is 80 × 10 × (1 − e^−3) / 30
/// = 25.34 (the time left of an exponential stay is exponential). Per
/// replication sd = sqrt(80 × Var(min(R, 30))) / 30 = 2.49; 20
/// replications, 4 standard errors.
#[test]
fn a_census_empties_as_its_stays_end() {
    let text = scenario(
        r#"[{ patient_type = "patients", patients = 80 }]"#,
        r#"{ dist = "exponential", mean = 10.0 }"#,
        "",
        30.0,
    );
    let network = common::network(&text);
    let set = common::results(&network, 20, 7);
    let occupancy = set.summary("ward", "all", "occupancy_mean").unwrap();
    let exact = 80.0 * 10.0 * (1.0 - (-3.0f64).exp()) / 30.0;
    assert!(
        (occupancy.mean - exact).abs() < 4.0 * 2.49 / 20f64.sqrt(),
        "{occupancy:?} vs {exact}"
    );
    // Nobody was admitted: the census is not admissions.
    assert_eq!(set.summary("ward", "all", "admissions").unwrap().mean, 0.0);
}

/// Fixed stays of 10 days, patients in for 3 and 7 days: they leave at
/// days 7 and 3, each after a stay of exactly 10 days.
#[test]
fn days_already_spent_are_kept() {
    let text = scenario(
        r#"[{ patient_type = "patients", days_in = [3.0, 7.0] }]"#,
        r#"{ dist = "fixed", value = 10.0 }"#,
        "",
        20.0,
    );
    let network = common::network(&text);
    let result = simulate(&network, 1, 0, &mut ()).unwrap();
    let ward = &result.services[0];
    assert_eq!(ward.counters.departures, 2);
    assert_eq!(ward.length_of_stay.mean(), 10.0);
    // Occupancy: 2 patients for 3 days, then 1 for 4 more: 10 bed-days in 20.
    assert!((ward.levels.as_ref().unwrap().occupancy_mean - 0.5).abs() < 1e-12);
    let s = &result.system;
    assert_eq!(
        s.entered_total,
        s.left_total + s.lost_total + s.in_system_at_end
    );
}

/// Five patients fit to leave for a unit of 2 places with fixed 4-day
/// stays: 2 go at once, 2 after 4 days, 1 after 8: 16 bed-days blocked.
#[test]
fn a_backlog_of_patients_fit_to_leave_waits_for_places() {
    let text = r#"
schema_version = 1
name = "backlog"
sinks = ["home"]
[run]
warmup_days = 0
horizon_days = 20
start_date = 2025-04-07
[services.ward]
capacity = 10
stay = { dist = "fixed", value = 5.0 }
routes = [{ to = "unit", probability = 1.0 }]
initial = [{ patient_type = "patients", patients = 5, fit_to_leave = true }]
[services.unit]
capacity = 2
when_full = "wait"
stay = { dist = "fixed", value = 4.0 }
routes = [{ to = "home", probability = 1.0 }]
[patient_types.patients]
arrive_at = "ward"
rate_per_day = 1e-9
"#;
    let network = common::network(text);
    let result = simulate(&network, 1, 0, &mut ()).unwrap();
    let ward = result.services[0].levels.as_ref().unwrap();
    assert!(
        (ward.blocked_days - 16.0).abs() < 1e-9,
        "{}",
        ward.blocked_days
    );
    assert_eq!(result.services[1].counters.admissions, 5);
}

#[test]
fn a_census_that_cannot_be_is_refused_with_its_path() {
    for (initial, message) in [
        (
            r#"[{ patient_type = "patient", patients = 3 }]"#,
            "services.ward.initial[0].patient_type = \"patient\": is not a patient type (did you mean `patients`?)",
        ),
        (
            r#"[{ patient_type = "patients", patients = 101 }]"#,
            "services.ward.initial = 101 patients: more patients than the service's 100 places at the start",
        ),
        (
            r#"[{ patient_type = "patients" }]"#,
            "services.ward.initial[0]: needs either `patients`",
        ),
        (
            r#"[{ patient_type = "patients", days_in = [1.0, -2.0] }]"#,
            "services.ward.initial[0].days_in[1] = -2: must be a number from 0 to 73000",
        ),
    ] {
        let text = scenario(initial, r#"{ dist = "fixed", value = 1.0 }"#, "", 10.0);
        let error = iccsim::scenario::load_str(&text, "t", "t")
            .unwrap_err()
            .to_string();
        assert!(error.contains(message), "expected {message}\n got {error}");
    }
}
