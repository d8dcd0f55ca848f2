//! Known-answer tests: the simulator against queueing theory (Erlang B and
//! C, Little's law), the identities of the reference-network spec, and
//! deterministic pathways. Every tolerance is a confidence interval from the
//! replications themselves (Monte Carlo error), or an exact equality where
//! the model is deterministic.

use crate::common::{network, outputs, results, shipped, single_service};
use iccsim::stats::{Summary, erlang_b, erlang_c, mmc_mean_wait};

/// Erlang B, M/M/c/c at critical load: the 99% CI of the simulated loss
/// probability contains B(240, 240) = 0.04978, and the mean occupancy
/// contains A(1 − B) = 228.05 (reference-network.md, section 6).
#[test]
fn pure_critical_loss_matches_erlang_b() {
    let net = shipped("reference-network-pure-critical.toml");
    let set = results(&net, 30, 2026);
    let b = erlang_b(240, 240.0);
    assert!((b - 4.977713e-2).abs() < 1e-7);
    let loss = Summary::with_level(&set.values("acute", "all", "loss_share"), 0.99);
    assert!(loss.contains(b), "loss {loss:?} vs Erlang B {b}");
    // The CI should be narrow enough to mean something. The loss of one
    // replication has sd ≈ 0.01, so 30 replications give a 99% half-width
    // ≈ 2.76 × 0.01 / √30 ≈ 0.005, a tenth of B: require under 15%.
    assert!(loss.half_width() < 0.15 * b, "{loss:?}");
    let occupancy = Summary::with_level(&set.values("acute", "all", "occupancy_mean"), 0.99);
    assert!(occupancy.contains(240.0 * (1.0 - b)), "{occupancy:?}");
}

/// Erlang B is insensitive to the stay distribution (M/G/c/c): the same
/// loss with lognormal stays of the same mean.
#[test]
fn loss_is_insensitive_to_the_stay_distribution() {
    let text = single_service(
        r#"capacity = 20
when_full = "lose"
stay = { dist = "lognormal", mean = 2.0, sd = 3.0 }"#,
        10.0,
        30.0,
        2000.0,
    );
    let set = results(&network(&text), 20, 5);
    let b = erlang_b(20, 20.0);
    let loss = Summary::with_level(&set.values("unit", "all", "loss_share"), 0.99);
    assert!(loss.contains(b), "loss {loss:?} vs Erlang B {b}");
}

/// Erlang C: M/M/10 at 80% load. P(wait) and the mean wait in queue match
/// the analytic values within the 99% CI; Little's law holds for the queue
/// and for the servers in every replication.
#[test]
fn mmc_queue_matches_erlang_c_and_littles_law() {
    let text = single_service(
        r#"capacity = 10
when_full = "wait"
stay = { dist = "exponential", mean = 1.0 }"#,
        8.0,
        50.0,
        2000.0,
    );
    let set = results(&network(&text), 20, 77);
    let p_wait = erlang_c(10, 8.0);
    let wq = mmc_mean_wait(10, 8.0, 1.0);
    let found_full = Summary::with_level(&set.values("unit", "all", "found_full_share"), 0.99);
    assert!(
        found_full.contains(p_wait),
        "P(wait) {found_full:?} vs {p_wait}"
    );
    let wait = Summary::with_level(&set.values("unit", "all", "wait_mean"), 0.99);
    assert!(wait.contains(wq), "Wq {wait:?} vs {wq}");

    // Little's law, L = λW, per replication. Only the patients in the
    // system at the window's edges break it: their share of 16,000
    // admissions bounds the relative error well below 2%.
    let lambda = set.values("unit", "all", "admissions_per_day");
    let queue = set.values("unit", "all", "waiting_mean");
    let waits = set.values("unit", "all", "wait_mean");
    let occupancy = set.values("unit", "all", "occupancy_mean");
    let los = set.values("unit", "all", "los_mean");
    for r in 0..lambda.len() {
        let lq = lambda[r] * waits[r];
        assert!(
            (queue[r] - lq).abs() < 0.02 * queue[r].max(0.1),
            "rep {r}: Lq {} vs λWq {lq}",
            queue[r]
        );
        let l = lambda[r] * los[r];
        assert!(
            (occupancy[r] - l).abs() < 0.02 * occupancy[r],
            "rep {r}: L {} vs λW {l}",
            occupancy[r]
        );
    }
}

/// The identities of reference-network.md section 5 on the `stress` preset,
/// each as a per-replication residual whose 99% CI must contain 0.
#[test]
fn reference_network_identities_hold_on_stress() {
    let net = shipped("reference-network-stress.toml");
    let set = results(&net, 40, 1);
    let v = |service: &str, metric: &str| set.values(service, "all", metric);
    let occupancy = v("acute", "occupancy_mean");
    let admissions = v("acute", "admissions_per_day");
    let dd = v("acute", "delayed_days_per_admission");
    let throughput = v("acute", "departures_per_day");
    let referrals = v("acute", "onward_requests");
    let admitted = v("acute", "admissions");
    let loss = v("acute", "loss_share");
    let utilisation = v("community", "utilisation");
    let completions = v("community", "departures_per_day");
    let residual = |f: &dyn Fn(usize) -> f64| {
        Summary::with_level(&(0..occupancy.len()).map(f).collect::<Vec<_>>(), 0.99)
    };

    let r = residual(&|i| occupancy[i] - admissions[i] * (6.0 + dd[i]));
    assert!(
        r.contains(0.0),
        "occupancy = admissions × (LOS + dd): {r:?}"
    );
    let r = residual(&|i| utilisation[i] * 64.0 - completions[i] * 5.0);
    assert!(
        r.contains(0.0),
        "community busy = completions × episode: {r:?}"
    );
    let r = residual(&|i| throughput[i] - admissions[i]);
    assert!(r.contains(0.0), "throughput = admissions: {r:?}");
    let r = residual(&|i| referrals[i] / admitted[i] - 0.3);
    assert!(r.contains(0.0), "referrals / admissions = p_comm: {r:?}");
    let r = residual(&|i| completions[i] - 0.3 * admissions[i]);
    assert!(r.contains(0.0), "completions = p_comm × admissions: {r:?}");
    let r = residual(&|i| admissions[i] - 40.0 * (1.0 - loss[i]));
    assert!(r.contains(0.0), "admissions = λ(1 − loss): {r:?}");
    // Blocking visibly matters on stress.
    assert!(Summary::of(&v("acute", "blocked_mean")).mean > 1.0);
}

/// With unlimited capacity and fixed stays of 2 and 3 days, every patient
/// spends exactly 5 days in the system.
#[test]
fn deterministic_pathway_time_is_the_sum_of_its_stages() {
    let text = r#"
schema_version = 1
sinks = ["home"]
[run]
warmup_days = 10
horizon_days = 100
[services.ward]
capacity = "unlimited"
stay = { dist = "fixed", value = 2.0 }
routes = [{ to = "rehab", probability = 1.0 }]
[services.rehab]
capacity = "unlimited"
stay = { dist = "fixed", value = 3.0 }
routes = [{ to = "home", probability = 1.0 }]
[patient_types.stroke]
arrive_at = "ward"
rate_per_day = 5.0
"#;
    let net = network(text);
    let out = outputs(&net, 2, 3, true);
    let mut per_patient = std::collections::HashMap::<(u64, u64), f64>::new();
    for e in out.iter().flat_map(|o| &o.episodes) {
        let los = e.left_at - e.started_at.unwrap();
        let expected = if e.service == "ward" { 2.0 } else { 3.0 };
        assert!((los - expected).abs() < 1e-9, "{e:?}");
        assert_eq!(e.delayed_days, 0.0);
        *per_patient.entry((e.replication, e.patient)).or_default() += los;
    }
    let complete: Vec<f64> = out
        .iter()
        .flat_map(|o| &o.episodes)
        .filter(|e| e.service == "rehab" && e.started_at.unwrap() >= 2.0)
        .map(|e| per_patient[&(e.replication, e.patient)])
        .collect();
    assert!(complete.len() > 800);
    assert!(complete.iter().all(|t| (t - 5.0).abs() < 1e-9));
    for o in &out {
        let s = &o.result.system;
        assert!((s.time_in_system.mean() - 5.0).abs() < 1e-9);
        assert!((s.time_in_system.max() - 5.0).abs() < 1e-9);
    }
}

/// People are conserved over the whole run, in every shipped scenario.
#[test]
fn people_are_conserved() {
    for name in [
        "reference-network.toml",
        "reference-network-stress.toml",
        "reference-network-pure-critical.toml",
    ] {
        let net = shipped(name);
        for o in outputs(&net, 3, 9, false) {
            let s = &o.result.system;
            assert_eq!(
                s.entered_total,
                s.left_total + s.lost_total + s.in_system_at_end,
                "{name}"
            );
            assert!(s.entered_total > 15_000);
        }
    }
}

/// Admissions respect capacity; when capacity is cut nobody is evicted, so
/// occupancy stays above the new capacity only while the ward drains (one
/// stay, here 3 days), then never exceeds it.
#[test]
fn admissions_respect_capacity_and_a_cut_drains_without_eviction() {
    let text = single_service(
        r#"capacity = 10
when_full = "wait"
stay = { dist = "fixed", value = 3.0 }
capacity_changes = [{ day = 100, capacity = 5 }, { date = 2025-12-01, capacity = 8 }]"#,
        6.0,
        10.0,
        365.0,
    );
    let net = network(&text);
    for o in outputs(&net, 3, 4, false) {
        let daily = &o.result.daily[0];
        let levels = o.result.services[0].levels.as_ref().unwrap();
        assert!(levels.occupancy_peak <= 10);
        assert_eq!(
            levels.occupancy_peak, 10,
            "demand exceeds capacity, so it fills"
        );
        // From day 103 (cut + one stay) to 2025-12-01 (day 238): at most 5.
        assert!(
            daily.occupancy_peak[103..238].iter().all(|&p| p <= 5),
            "{:?}",
            &daily.occupancy_peak[100..110]
        );
        assert!(daily.occupancy_peak[241..].iter().all(|&p| p <= 8));
        assert!(daily.occupancy_peak[241..].contains(&8));
        let capacity_mean = levels.capacity_mean;
        let expected = (100.0 * 10.0 + 138.0 * 5.0 + 127.0 * 8.0) / 365.0;
        assert!(
            (capacity_mean - expected).abs() < 1e-9,
            "{capacity_mean} vs {expected}"
        );
    }
}

/// Arrivals follow weekday factors: Mondays at twice the rate of other days.
#[test]
fn weekday_factors_shape_arrivals() {
    let mut text = single_service(
        r#"capacity = "unlimited"
stay = { dist = "fixed", value = 0.5 }"#,
        20.0,
        0.0,
        700.0,
    );
    text.push_str("weekday_factors = [2.0, 1, 1, 1, 1, 1, 1]\n");
    let net = network(&text);
    for o in outputs(&net, 2, 8, false) {
        let arrivals = &o.result.daily[0].arrivals;
        // The window starts on a Monday: day d is weekday d % 7.
        let monday: f64 = arrivals
            .iter()
            .step_by(7)
            .map(|&a| f64::from(a))
            .sum::<f64>()
            / 100.0;
        let tuesday: f64 = arrivals
            .iter()
            .skip(1)
            .step_by(7)
            .map(|&a| f64::from(a))
            .sum::<f64>()
            / 100.0;
        // Poisson means 40 and 20 over 100 days: se of each mean ≈ 0.63 and 0.45.
        assert!((monday - 40.0).abs() < 4.0 * 0.63, "Monday mean {monday}");
        assert!(
            (tuesday - 20.0).abs() < 4.0 * 0.45,
            "Tuesday mean {tuesday}"
        );
    }
}

/// No discharges on weekends when the weekend factors are 0; the held
/// patients leave on Monday and their wait counts as delayed days.
#[test]
fn weekend_discharge_factors_hold_patients() {
    let text = single_service(
        r#"capacity = "unlimited"
stay = { dist = "exponential", mean = 2.0 }
discharge_weekday_factors = [1, 1, 1, 1, 1, 0, 0]"#,
        10.0,
        14.0,
        364.0,
    );
    let net = network(&text);
    let set = results(&net, 2, 6);
    for o in outputs(&net, 2, 6, false) {
        let departures = &o.result.daily[0].departures;
        for (day, &n) in departures.iter().enumerate() {
            if day % 7 >= 5 {
                assert_eq!(n, 0, "departure on weekend day {day}");
            }
        }
        assert!(
            departures
                .iter()
                .step_by(7)
                .map(|&n| u64::from(n))
                .sum::<u64>()
                > 52 * 25,
            "Mondays take the weekend's discharges"
        );
    }
    // Ready on Saturday: held 2 days; on Sunday: 1 day. Mean held time per
    // departure ≈ (2 + 1)/7 days when readiness is spread over the week.
    let held = Summary::of(&set.values("unit", "all", "delayed_days_per_departure"));
    assert!((held.mean - 3.0 / 7.0).abs() < 0.05, "{held:?}");
}

/// A day unit open Monday to Friday, 08:00 to 18:00, admits only then;
/// with a daily limit of 12, never more than 12 a day.
#[test]
fn opening_hours_and_daily_slots_limit_admissions() {
    let text = single_service(
        r#"capacity = 4
when_full = "wait"
max_admissions_per_day = 12
opening = { days = ["mon", "tue", "wed", "thu", "fri"], open_hour = 8, close_hour = 18 }
stay = { dist = "fixed", value = 0.1 }"#,
        15.0,
        7.0,
        70.0,
    );
    let net = network(&text);
    for o in outputs(&net, 2, 10, true) {
        let admissions = &o.result.daily[0].admissions;
        assert!(admissions.iter().all(|&n| n <= 12));
        assert!(
            admissions.iter().filter(|&&n| n == 12).count() > 40,
            "weekdays fill their slots"
        );
        for e in &o.episodes {
            let start = e.started_at.unwrap();
            if start < 0.0 {
                continue;
            }
            let day = start.floor();
            let hour = (start - day) * 24.0;
            assert!((day as i64) % 7 < 5, "admitted on a weekend: {e:?}");
            assert!(
                (8.0 - 1e-9..18.0).contains(&hour),
                "admitted at hour {hour}: {e:?}"
            );
        }
    }
}

/// A maximum wait: nobody waits longer; those who would are diverted to the
/// alternative service.
#[test]
fn maximum_wait_then_divert() {
    let text = r#"
schema_version = 1
sinks = ["home"]
[run]
warmup_days = 10
horizon_days = 200
[services.clinic]
capacity = 2
when_full = "wait"
max_wait_days = 0.5
after_max_wait = "divert"
divert_to = "elsewhere"
stay = { dist = "exponential", mean = 1.0 }
routes = [{ to = "home", probability = 1.0 }]
[services.elsewhere]
capacity = "unlimited"
stay = { dist = "fixed", value = 1.0 }
routes = [{ to = "home", probability = 1.0 }]
[patient_types.walk_in]
arrive_at = "clinic"
rate_per_day = 3.0
"#;
    let net = network(text);
    let set = results(&net, 3, 12);
    for o in outputs(&net, 3, 12, true) {
        let clinic = &o.result.services[0];
        assert!(
            clinic.wait.max() <= 0.5 + 1e-9,
            "max wait {}",
            clinic.wait.max()
        );
        assert!(clinic.counters.timed_out > 50);
        assert_eq!(
            o.result.services[1].counters.arrivals, clinic.counters.timed_out,
            "every timed-out patient goes elsewhere"
        );
    }
    assert_eq!(Summary::of(&set.values("system", "all", "lost")).mean, 0.0);
}

/// A change to one part of a scenario does not move another part's random
/// numbers: with a different community team, the same patients arrive at
/// acute, with the same first stays.
#[test]
fn changing_one_service_keeps_the_arrivals_of_the_others() {
    let base = shipped("reference-network-stress.toml");
    let mut bigger = base.clone();
    bigger.services[1].capacity = iccsim::model::Capacity::Limited(200);
    // Acute episodes that start in the first 5 days of the run, while
    // nothing is full yet: (patient, ready time).
    let early = |net: &iccsim::model::Network, replication: u64| {
        let mut seen = Vec::new();
        let mut observe = |e: &iccsim::model::EpisodeRecord<'_>| {
            if e.service == "acute" && e.started_at.is_some_and(|t| t < -55.0) {
                seen.push((e.patient, e.ready_at));
            }
        };
        let result = iccsim::model::simulate(net, 5, replication, &mut observe).unwrap();
        // Records arrive in order of departure, which blocking can change.
        seen.sort_by_key(|(patient, _)| *patient);
        (result.system.entered_total, seen)
    };
    for replication in 0..3 {
        let (entered_a, early_a) = early(&base, replication);
        let (entered_b, early_b) = early(&bigger, replication);
        assert_eq!(entered_a, entered_b, "same arrivals");
        assert!(early_a.len() > 100);
        assert_eq!(early_a, early_b, "same patients, same stays");
    }
    let a = outputs(&base, 3, 5, false);
    let b = outputs(&bigger, 3, 5, false);
    // And with more community capacity there is less blocking.
    let blocked = |o: &[iccsim::experiment::ReplicationOutput]| {
        o.iter()
            .map(|o| o.result.services[0].levels.as_ref().unwrap().blocked_mean)
            .sum::<f64>()
    };
    assert!(blocked(&b) < blocked(&a));
}

/// Opening 00:00 to 24:00 every day is always open (regression: the
/// midnight close and open once made it closed every other day).
#[test]
fn opening_all_day_every_day_is_always_open() {
    let text = single_service(
        r#"capacity = 1000
when_full = "lose"
opening = { open_hour = 0, close_hour = 24 }
stay = { dist = "fixed", value = 0.1 }"#,
        3.0,
        0.0,
        60.0,
    );
    let set = results(&network(&text), 2, 3);
    assert_eq!(Summary::of(&set.values("unit", "all", "lost")).mean, 0.0);
    // Mon–Fri 00:00–24:00 is open every weekday and closed at weekends.
    let text = single_service(
        r#"capacity = 1000
when_full = "lose"
opening = { days = ["mon", "tue", "wed", "thu", "fri"], open_hour = 0, close_hour = 24 }
stay = { dist = "fixed", value = 0.1 }"#,
        20.0,
        0.0,
        56.0,
    );
    for o in outputs(&network(&text), 1, 3, false) {
        let daily = &o.result.daily[0];
        for day in 0..56 {
            let weekend = day % 7 >= 5;
            assert_eq!(
                daily.lost[day] == daily.arrivals[day],
                weekend,
                "day {day}: {} of {} lost",
                daily.lost[day],
                daily.arrivals[day]
            );
        }
    }
}

/// A fractional warm-up with a daily admissions limit finishes (regression:
/// midnights recomputed from floats once rescheduled the same instant
/// forever), and the daily series add up to the window totals.
#[test]
fn fractional_warm_up_with_daily_limits_runs_and_adds_up() {
    for warmup in [0.1, 7.7, 30.2] {
        let text = single_service(
            r#"capacity = 30
when_full = "wait"
max_admissions_per_day = 3
stay = { dist = "exponential", mean = 8.0 }"#,
            2.5,
            warmup,
            200.0,
        );
        for o in outputs(&network(&text), 1, 4, false) {
            let levels = o.result.services[0].levels.as_ref().unwrap();
            let daily_area: f64 = o.result.daily[0].occupancy_area.iter().sum();
            assert!(
                (daily_area / 200.0 - levels.occupancy_mean).abs() < 1e-9,
                "warm-up {warmup}"
            );
            assert!(o.result.daily[0].admissions.iter().all(|&n| n <= 3));
        }
    }
}

/// A route of probability 0 is never taken.
#[test]
fn a_route_of_probability_zero_is_never_taken() {
    let text = r#"
schema_version = 1
sinks = ["home", "never"]
[services.ward]
capacity = "unlimited"
stay = { dist = "exponential", mean = 1.0 }
routes = [{ to = "home", probability = 1.0 }, { to = "never", probability = 0.0 }]
[patient_types.p]
arrive_at = "ward"
rate_per_day = 50
"#;
    for o in outputs(&network(text), 3, 1, false) {
        let never = o
            .result
            .flows
            .nodes
            .iter()
            .position(|n| n == "never")
            .unwrap();
        assert!((0..o.result.flows.nodes.len()).all(|from| o.result.flows.get(from, never) == 0));
        assert!(o.result.system.left > 15_000);
    }
}

/// Yearly growth compounds at each anniversary of the start date: 10 a day
/// growing by g a year gives 10 × (1 + g)^k a day in year k, and
/// 10 / (1 + g) in the warm-up year before the start. Poisson counts, each
/// within 4 sd.
#[test]
fn yearly_growth_compounds_at_each_anniversary() {
    // Positive and negative growth: thinning must use the highest rate of
    // the run, at its end or its start.
    for growth in [0.1f64, -0.2] {
        let mut text = single_service(
            r#"capacity = "unlimited"
stay = { dist = "fixed", value = 0.5 }"#,
            10.0,
            100.0,
            1095.0,
        );
        text.push_str(&format!("growth_per_year = {growth}\n"));
        // single_service starts on 2025-04-07: anniversaries at days 365 and 730.
        for o in outputs(&network(&text), 4, 2, false) {
            let arrivals = &o.result.daily[0].arrivals;
            for (k, days) in [(0, 0..365), (1, 365..730), (2, 730..1095)] {
                let n: f64 = arrivals[days].iter().map(|&a| f64::from(a)).sum();
                let expected = 10.0 * (1.0 + growth).powi(k) * 365.0;
                assert!(
                    (n - expected).abs() < 4.0 * expected.sqrt(),
                    "growth {growth}, year {k}: {n} vs {expected}"
                );
            }
            let warm_up = (o.result.system.entered_total - o.result.system.entered) as f64;
            let expected = 10.0 / (1.0 + growth) * 100.0;
            assert!(
                (warm_up - expected).abs() < 4.0 * expected.sqrt(),
                "growth {growth}, warm-up: {warm_up} vs {expected}"
            );
        }
    }
}
