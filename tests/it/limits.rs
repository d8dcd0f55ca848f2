//! Absurd sizes are refused before they take the machine's memory: every
//! case here would allocate gigabytes (and abort the test process) if the
//! limit it tests were missing. Each refusal names the key and the fix.
//! Runaway replications (far more events in a simulated day than any care
//! system makes) stop with an error that says where the events were,
//! instead of running for hours.

use crate::common;

use iccsim::model::{
    MAX_EVENTS_PER_DAY, MAX_PEOPLE_IN_SYSTEM, MAX_REPLICATION_BYTES, SimulationError,
};
use iccsim::scenario::{DEFAULT_SCENARIO_TOML, load_str};

fn refusal(text: &str) -> String {
    match load_str(text, "absurd", "absurd") {
        Ok(_) => panic!("an absurd scenario was accepted"),
        Err(e) => e.to_string(),
    }
}

/// `services` services in a chain of one-service pathways, `types` types.
fn wide_network(services: usize, types: usize, horizon_days: u32) -> String {
    let mut text = format!("schema_version = 1\n[run]\nhorizon_days = {horizon_days}\n");
    for s in 0..services {
        text += &format!(
            "[services.s{s}]\ncapacity = 1\nstay = {{ dist = \"exponential\", mean = 1.0 }}\nroutes = [{{ to = \"exit\", probability = 1.0 }}]\n"
        );
    }
    for t in 0..types {
        text += &format!(
            "[patient_types.t{t}]\narrive_at = \"s{}\"\nrate_per_day = 0.01\n",
            t % services
        );
    }
    text
}

#[test]
fn thousands_of_types_times_thousands_of_services_are_refused() {
    // 1,500 × 1,500 pairs: about 560 MB of pathway slots if allocated.
    let message = refusal(&wide_network(1_500, 1_500, 30));
    assert!(
        message.contains("patient_types: 1500 patient types × 1500 services is more than 1000000"),
        "{message}"
    );
    assert!(message.contains("use fewer types or services"), "{message}");
}

/// The baseline with its first ICC copied `extra` times.
fn many_iccs(extra: usize) -> String {
    let start = DEFAULT_SCENARIO_TOML.find("[iccs.copeland]").unwrap();
    let end = start + DEFAULT_SCENARIO_TOML[start..].find("\n\n").unwrap();
    let block = &DEFAULT_SCENARIO_TOML[start..end];
    let mut text = DEFAULT_SCENARIO_TOML.to_string();
    for i in 0..extra {
        text += "\n";
        text += &block.replace("[iccs.copeland]", &format!("[iccs.extra{i}]"));
        text += "\n";
    }
    text
}

#[test]
fn a_thousand_iccs_or_tiers_are_refused_before_the_system_is_built() {
    // 1,008 ICCs would be 28,224 cohort types × 6,057 services (a 42 GB
    // pathway table; before the limit, the types alone took 141 MB).
    let message = refusal(&many_iccs(1_000));
    assert!(
        message.contains("iccs = 1008 ICCs: at most 100 ICCs in one scenario"),
        "{message}"
    );
    // Risk tiers of share 0 pass the shares check but multiply the types.
    let mut text = DEFAULT_SCENARIO_TOML.to_string();
    let tiers = (0..1_000)
        .map(|i| format!("t{i} = {{ share = 0.0, crisis_multiplier = 0.0, bands = [\"85+\"], case_management_referrals_per_1000 = 1.0 }}\n"))
        .collect::<String>();
    text = text.replacen(
        "[population.risk_tiers.very_high]",
        &format!("[population.risk_tiers]\n{tiers}\n[population.risk_tiers.very_high]"),
        1,
    );
    let message = refusal(&text);
    assert!(
        message.contains("population.risk_tiers = 1002 risk tiers: at most 8 risk tiers"),
        "{message}"
    );
}

#[test]
fn eighty_iccs_pass_the_count_but_not_the_pairs() {
    // 80 ICCs: 4,960 cohort types (32 an ICC since home care: referrals in
    // three bands and a census; 40 since deaths at home, one type per band
    // and tier where deaths_at_home_per_1000 is above 0; 62 since crises
    // come in three classes with [avoidable], 11 crisis cohorts × 2 more) ×
    // 649 services (8 kinds an ICC since the baseline has primary care),
    // over a million pairs.
    let message = refusal(&many_iccs(72));
    assert!(
        message.contains("iccs: 80 ICCs make 4960 patient types × 649 services, more than 1000000"),
        "{message}"
    );
}

#[test]
fn per_day_series_beyond_the_memory_limit_are_refused_at_the_horizon() {
    // 20,000 services × 73,000 days × 92 bytes: about 125 GiB, and the
    // flow matrix between 20,002 nodes 3 GiB.
    let message = refusal(&wide_network(20_000, 1, 73_000));
    assert!(
        message.contains("run.horizon_days = 73000: would need about 128.1 GiB per replication"),
        "{message}"
    );
    assert!(message.contains("shorten the horizon"), "{message}");
    assert!(message.contains("per-day series of 125.1 GiB"), "{message}");
    assert!(message.contains("the limit is 2 GiB"), "{message}");
}

#[test]
fn a_population_of_a_trillion_and_a_million_year_horizon_are_refused() {
    let text = DEFAULT_SCENARIO_TOML
        .replacen("\"85+\" = 2040", "\"85+\" = 1000000000000", 1)
        .replacen("horizon_days = 1826", "horizon_days = 365000000", 1);
    let message = refusal(&text);
    assert!(
        message.contains(
            "iccs.copeland.population.\"85+\" = 1e12: must be a number from 0 to 100000000 (people)"
        ),
        "{message}"
    );
    assert!(
        message
            .contains("run.horizon_days = 365000000: must be more than 0 days and at most 73000"),
        "{message}"
    );
}

#[test]
fn the_estimate_counts_every_service_day_and_the_baseline_is_far_below_the_limit() {
    let network = common::network(&wide_network(10, 1, 1_000));
    let estimate = network.memory_estimate();
    assert_eq!(estimate.daily_series, 10 * 1_000 * 92);
    let baseline = common::shipped("north-cumbria-baseline.toml").memory_estimate();
    // Five years of the baseline: tens of megabytes, against 2 GiB.
    assert!(
        baseline.total() < MAX_REPLICATION_BYTES / 20,
        "{baseline:?}"
    );
    assert!(baseline.total() > 1 << 20, "{baseline:?}");
}

#[test]
fn a_replication_that_fills_past_the_people_limit_stops_with_a_clear_error() {
    // 2,000 arrivals a day staying a year in unlimited places: the system
    // passes 5,000 people on the third day.
    let mut network = common::network(
        r#"
schema_version = 1
[run]
horizon_days = 365
[services.ward]
capacity = "unlimited"
stay = { dist = "fixed", value = 365.0 }
routes = [{ to = "exit", probability = 1.0 }]
[patient_types.flood]
arrive_at = "ward"
rate_per_day = 2000
"#,
    );
    assert_eq!(network.run.max_people_in_system, MAX_PEOPLE_IN_SYSTEM);
    network.run.max_people_in_system = 5_000;
    let error = iccsim::model::simulate(&network, 1, 0, &mut ()).unwrap_err();
    match &error {
        SimulationError::TooManyPeople { day, limit } => {
            assert_eq!(*limit, 5_000);
            assert!((2.0..3.0).contains(day), "day {day}");
        }
        other => panic!("unexpected error {other}"),
    }
    let message = error.to_string();
    assert!(
        message.starts_with("more than 5000 people are in the system at once (by day 2."),
        "{message}"
    );
    assert!(message.contains("shorten run.horizon_days"), "{message}");
}

#[test]
fn returns_pending_past_the_limit_stop_the_replication_with_a_clear_error() {
    // Everyone discharged from an emergency admission returns, 900 days
    // later: the returns pile up as pending events, past a lowered limit
    // of 8,000 long before the first comes back, while the people in the
    // system stay near 4,000 (about as many events as people are pending
    // otherwise: each one's next step).
    let mut settings = vec![
        "run.horizon_days=1000".to_string(),
        "run.warmup_days=0".to_string(),
        r#"pathways.readmission_delay={dist="fixed",value=900.0}"#.to_string(),
    ];
    for band in ["0-17", "18-64", "65-74", "75-84", "85+"] {
        settings.push(format!(r#"age_bands."{band}".readmission_30d=1.0"#));
    }
    let text =
        iccsim::scenario::overrides::apply_to_text(DEFAULT_SCENARIO_TOML, "baseline", &settings)
            .unwrap();
    let mut network = common::network(&text);
    assert_eq!(network.run.max_pending_events, 2 * MAX_PEOPLE_IN_SYSTEM);
    network.run.max_pending_events = 8_000;
    let error = match iccsim::model::simulate(&network, 1, 0, &mut ()) {
        Ok(result) => panic!("finished: {} events", result.events_processed),
        Err(e) => e,
    };
    match &error {
        SimulationError::TooManyPending { day, limit } => {
            assert_eq!(*limit, 8_000);
            // Well into the run, not at its start (day 19 since deaths
            // at home and moving tiers added their events).
            assert!((10.0..900.0).contains(day), "day {day}");
        }
        other => panic!("unexpected error {other}"),
    }
    assert!(
        error
            .to_string()
            .contains("Check the readmission probabilities and delays")
    );
}

const RUNAWAY_LOOP: &str = "tests/fixtures/runaway/short-stays-in-a-loop.toml";

#[test]
fn a_loop_of_moments_stops_within_a_simulated_day_and_says_where() {
    // Without the limit this replication makes 120 million events over
    // its 30 days (23 s in a release build, minutes in a test build).
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(RUNAWAY_LOOP);
    let network = iccsim::scenario::load_file(&path).unwrap();
    assert_eq!(network.run.max_events_per_day, MAX_EVENTS_PER_DAY);
    let error = match iccsim::model::simulate(&network, 1, 0, &mut ()) {
        Ok(result) => panic!("finished: {} events", result.events_processed),
        Err(e) => e,
    };
    match &error {
        SimulationError::RunAway { day, limit, .. } => {
            assert_eq!(*limit, MAX_EVENTS_PER_DAY);
            // 4 million events a day: past 2 million within the first day.
            assert!((0.0..1.0).contains(day), "day {day}");
        }
        other => panic!("unexpected error {other}"),
    }
    let message = error.to_string();
    assert!(
        message.starts_with("the simulation ran away on day 0.")
            && message.contains(": more than 2000000 events in one simulated day"),
        "{message}"
    );
    // Where the events were: half each at `a` and `b`, ends of stays.
    assert!(
        message.contains("50% at `a` (ends of stays), 50% at `b` (ends of stays)"),
        "{message}"
    );
    assert!(
        message.contains("lengthen the stays there, or route more of these patients to a sink"),
        "{message}"
    );
}

#[test]
fn a_runaway_exits_with_code_1_and_its_message() {
    let output = common::iccsim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", RUNAWAY_LOOP, "-n", "1", "--out"])
        .arg(tempfile::tempdir().unwrap().path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the simulation ran away on day 0."),
        "{stderr}"
    );
    assert!(stderr.contains("at `a` (ends of stays)"), "{stderr}");
}

#[test]
fn discharges_retried_every_day_for_ever_stop_as_a_runaway_naming_the_factors() {
    // Patients ready to leave after half a day, but discharged only on
    // Mondays with probability one in a million: they retry daily, and
    // the retries grow by 2,000 a day. Past a lowered limit of 20,000
    // events a day (about day 8) the run stops and says why.
    let mut network = common::network(&common::discharge_retries(2000.0));
    network.run.max_events_per_day = 20_000;
    let error = match iccsim::model::simulate(&network, 1, 0, &mut ()) {
        Ok(result) => panic!("finished: {} events", result.events_processed),
        Err(e) => e,
    };
    match &error {
        SimulationError::RunAway { day, limit, .. } => {
            assert_eq!(*limit, 20_000);
            assert!((6.0..10.0).contains(day), "day {day}");
        }
        other => panic!("unexpected error {other}"),
    }
    let message = error.to_string();
    assert!(
        message.contains("at `ward` (discharge retries)"),
        "{message}"
    );
    assert!(
        message.contains("raise the discharge_weekday_factors of these services"),
        "{message}"
    );
}

#[test]
fn arrivals_beyond_the_events_a_day_blame_the_arrival_rate() {
    // 2,000 arrivals a day staying a day: 4,000 events a day from day 1,
    // past a lowered limit of 3,000. Each patient makes two events, so
    // the cause is the arrivals, not a loop.
    let mut network = common::network(&common::single_service(
        "capacity = \"unlimited\"\nstay = { dist = \"fixed\", value = 1.0 }",
        2000.0,
        0.0,
        60.0,
    ));
    network.run.max_events_per_day = 3_000;
    let error = match iccsim::model::simulate(&network, 1, 0, &mut ()) {
        Ok(result) => panic!("finished: {} events", result.events_processed),
        Err(e) => e,
    };
    let SimulationError::RunAway { day, .. } = &error else {
        panic!("unexpected error {error}");
    };
    assert!((1.0..3.0).contains(day), "day {day}");
    let message = error.to_string();
    assert!(message.contains("100% at `unit`"), "{message}");
    assert!(
        message.contains("Arrivals are far more than any care system sees"),
        "{message}"
    );
}
