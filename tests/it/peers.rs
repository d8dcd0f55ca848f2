//! Agreement with independent simulators: iccsim's `stress` preset against
//! the SimPy and Ciw peers of reference-network.md (their recorded outputs
//! are in tests/data/peers). For every output of the spec's section 5, the
//! difference of replication means must lie within 3.5 standard errors of
//! the difference (sqrt(se_a² + se_b²)), and at most a fifth of the
//! comparisons beyond 1.96. This is a coarse check: with 40 replications it
//! passes deviations up to about 0.9 blocked beds (a third of the effect on
//! `stress`), and the outputs are correlated (arrivals, losses, admissions
//! and throughput move together). The sharp checks of the blocking rule are
//! the Erlang and identity tests in known_answers.rs. The table is printed with --nocapture.

use crate::common;

use iccsim::stats::Summary;

/// (peer metric, iccsim service, iccsim metric)
const MAPPING: &[(&str, &str, &str)] = &[
    ("loss_prob", "acute", "loss_share"),
    ("acute_occ_mean", "acute", "occupancy_mean"),
    ("acute_occ_frac", "acute", "utilisation"),
    ("blocked_beds_mean", "acute", "blocked_mean"),
    (
        "dd_days_per_admission",
        "acute",
        "delayed_days_per_admission",
    ),
    (
        "dd_days_per_referral",
        "acute",
        "delayed_days_per_onward_request",
    ),
    ("comm_util", "community", "utilisation"),
    ("admissions_per_day", "acute", "admissions_per_day"),
    ("throughput_per_day", "acute", "departures_per_day"),
    (
        "comm_completions_per_day",
        "community",
        "departures_per_day",
    ),
    ("arrivals", "acute", "arrivals"),
    ("lost", "acute", "lost"),
];

fn peer(file: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/peers")
        .join(file);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn stress_agrees_with_simpy_and_ciw() {
    let net = common::shipped("reference-network-stress.toml");
    let set = common::results(&net, 40, 1);
    let peers = [
        ("SimPy", peer("simpy-stress-40reps-seed1.json")),
        ("Ciw", peer("ciw-stress-40reps-seed1.json")),
    ];
    println!(
        "{:<26} {:>22} {:>22} {:>22}",
        "output", "iccsim", "SimPy", "Ciw"
    );
    let mut beyond_95 = 0;
    let mut failures = Vec::new();
    for (peer_metric, service, metric) in MAPPING {
        let ours = Summary::of(&set.values(service, "all", metric));
        let mut line = format!(
            "{peer_metric:<26} {:>22}",
            format!("{:.5} ± {:.5}", ours.mean, ours.half_width())
        );
        for (name, json) in &peers {
            let m = &json["metrics"][peer_metric];
            let (mean, se, ci) = (
                m["mean"].as_f64().unwrap(),
                m["se"].as_f64().unwrap(),
                m["ci95"].as_f64().unwrap(),
            );
            let z = (ours.mean - mean) / (ours.se.powi(2) + se.powi(2)).sqrt();
            line.push_str(&format!(" {:>22}", format!("{mean:.5} ± {ci:.5}")));
            if z.abs() > 1.96 {
                beyond_95 += 1;
            }
            if z.abs() > 3.5 {
                failures.push(format!("{peer_metric} vs {name}: z = {z:.2}"));
            }
        }
        println!("{line}");
    }
    println!(
        "comparisons beyond 1.96 se: {beyond_95} of {}",
        MAPPING.len() * 2
    );
    assert!(failures.is_empty(), "{failures:?}");
    // More than a fifth beyond 95% would be far from chance.
    assert!(
        beyond_95 <= MAPPING.len() * 2 / 5,
        "{beyond_95} comparisons beyond 1.96 se"
    );
}
