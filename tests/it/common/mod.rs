//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

use iccsim::experiment::{self, Plan, ReplicationOutput};
use iccsim::model::Network;
use iccsim::report::{ResultSet, RunInfo};

/// A network from scenario text; panics with the validation message.
pub fn network(text: &str) -> Network {
    iccsim::scenario::load_str(text, "test scenario", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// A shipped scenario by file name.
pub fn shipped(name: &str) -> Network {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    iccsim::scenario::load_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

pub fn outputs(
    network: &Network,
    replications: u64,
    seed: u64,
    keep_episodes: bool,
) -> Vec<ReplicationOutput> {
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: None,
        keep_episodes,
    };
    experiment::run(network, &plan).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs replications and flattens them through the metric registry.
pub fn results(network: &Network, replications: u64, seed: u64) -> ResultSet {
    let outputs = outputs(network, replications, seed, false);
    ResultSet::new(network, info(network, seed, replications), &outputs)
}

pub fn info(network: &Network, seed: u64, replications: u64) -> RunInfo {
    RunInfo {
        iccsim_version: "test".into(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: "test".into(),
        seed,
        replications,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
        full_effect_from: iccsim::model::full_effect::FullEffect::of(network).from_text(),
        first_full_year: iccsim::model::full_effect::FullEffect::of(network).first_full_year,
        case: iccsim::scenario::case_name(network),
        correlation: iccsim::scenario::correlation_sentence(network),
    }
}

/// A one-service scenario: `service` is the body of [services.unit].
pub fn single_service(service: &str, rate_per_day: f64, warmup: f64, horizon: f64) -> String {
    format!(
        r#"
schema_version = 1
name = "single"
sinks = ["home"]
[run]
warmup_days = {warmup}
horizon_days = {horizon}
start_date = 2025-04-07   # a Monday
[services.unit]
{service}
routes = [{{ to = "home", probability = 1.0 }}]
[patient_types.patients]
arrive_at = "unit"
rate_per_day = {rate_per_day}
"#
    )
}

/// The iccsim binary, ready for arguments.
pub fn iccsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("iccsim").unwrap()
}

/// Runs a command that must succeed, showing its stderr if it does not.
pub fn succeed(command: &mut assert_cmd::Command) -> std::process::Output {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The rows of a CSV file as maps from header to cell, parsed strictly
/// (every row as wide as the header).
pub fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert_eq!(r.len(), header.len());
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// The same numbers bit for bit (NaN equal to NaN).
pub fn same_bits(x: &[f64], y: &[f64]) -> bool {
    x.len() == y.len()
        && x.iter()
            .zip(y)
            .all(|(p, q)| p.to_bits() == q.to_bits() || p.is_nan() && q.is_nan())
}

/// Two runs' records are the same, replication by replication, bit for bit.
pub fn assert_same_records(
    a: &[iccsim::experiment::record::Record],
    b: &[iccsim::experiment::record::Record],
) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!(
            same_bits(&x.values, &y.values),
            "replication {} differs",
            x.replication
        );
    }
}

/// Every file of folder `a` equals the same file in `b`, and they hold the
/// same files.
pub fn assert_same_folders(a: &Path, b: &Path) {
    let names = |p: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(a), names(b));
    for name in names(a) {
        if name == "run.json" || name == ".iccsim-manifest.json" {
            // run.json's provenance names each run's own command line
            // (its -j, --out, --resume), and the manifest holds run.json's
            // checksum: everything else in run.json must be the same.
            let without_provenance = |p: &Path| {
                let mut v: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(p.join("run.json")).unwrap()).unwrap();
                v.as_object_mut().map(|o| o.remove("provenance"));
                v
            };
            assert_eq!(without_provenance(a), without_provenance(b));
            continue;
        }
        assert!(
            std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

/// Leaves `text` in `folder` as a killed batch leaves its checkpoint: the
/// file recorded in the folder's manifest as the tool's working file (so
/// that `--resume` may read and replace it), then written.
pub fn write_checkpoint(folder: &Path, text: impl AsRef<[u8]>) {
    use iccsim::report::output_folder::{OutputFolder, RESULTS, Request};
    let mut claimed = OutputFolder::open(folder, &Request::default()).unwrap();
    let path = claimed
        .claim_working_file("records.partial", RESULTS)
        .unwrap();
    drop(claimed);
    std::fs::write(path, text).unwrap();
}

/// Asserts that a command failed with `code` and said `text` on stderr
/// (showing stderr if not).
pub fn fails_with(output: &std::process::Output, code: i32, text: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(text), "expected {text:?} in: {stderr}");
}

/// One unlimited ward whose patients may leave only on Mondays, with
/// probability one in a million: they retry their discharge daily, and the
/// people held (and their pending events) grow by `arrivals_per_day` a day
/// for 150 days (issue 18, item 11).
pub fn discharge_retries(arrivals_per_day: f64) -> String {
    format!(
        r#"schema_version = 1
sinks = ["home"]
[run]
horizon_days = 150
[services.ward]
capacity = "unlimited"
stay = {{ dist = "fixed", value = 0.5 }}
routes = [{{ to = "home", probability = 1.0 }}]
discharge_weekday_factors = [0.000001, 0, 0, 0, 0, 0, 0]
[patient_types.flood]
arrive_at = "ward"
rate_per_day = {arrivals_per_day}
"#
    )
}

/// The records of replications 0..n with seed 4 (run on rayon's pool).
pub fn records(network: &Network, n: u64) -> Vec<iccsim::experiment::record::Record> {
    let keep = |_: &iccsim::experiment::record::Record| -> Result<(), std::io::Error> { Ok(()) };
    let todo: Vec<u64> = (0..n).collect();
    experiment::run_records(network, 4, &todo, None, &keep).unwrap()
}

/// Per-replication values of a breakdown metric for every ICC ("all"), a
/// year and a band ("all" = summed over).
pub fn values(
    set: &iccsim::report::breakdown::BreakdownSet,
    year: &str,
    band: &str,
    metric: &str,
) -> Vec<f64> {
    let i = set
        .keys
        .iter()
        .position(|k| k.year == year && k.icc == "all" && k.age_band == band && k.metric == metric)
        .unwrap_or_else(|| panic!("no {metric} for year {year}, band {band}"));
    set.values[i].clone()
}

/// The mean of a non-empty slice.
pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}
