//! Parameter uncertainty, one-way sensitivity and Latin hypercube sweeps:
//! draws per replication from named streams, written with the results;
//! known answers for a value whose effect is linear; zero effect for a
//! value nothing uses (common random numbers); every output parses.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use iccsim::model::NetworkSource;

use crate::common;
use crate::common::{csv_rows as rows, iccsim, succeed};

/// One unlimited clinic with a fixed one-day stay (its arrivals are a
/// Poisson count with the drawn rate), and a service nobody uses.
const PSA: &str = r#"
schema_version = 1
name = "psa"
sinks = ["home"]

[run]
start_date = 2025-04-07
warmup_days = 0
horizon_days = 100
replications = 10
seed = 11

[services.clinic]
capacity = "unlimited"
stay = { dist = "fixed", value = 1.0 }
routes = [{ to = "home", probability = 1.0 }]

[services.unused]
capacity = 5
stay = { dist = "fixed", value = 1.0 }
routes = [{ to = "home", probability = 1.0 }]

[patient_types.walk_in]
arrive_at = "clinic"
rate_per_day = 15.0

[uncertainty]
"patient_types.walk_in.rate_per_day" = { dist = "uniform", min = 10.0, max = 20.0, source = "test" }
"services.unused.capacity" = { dist = "triangular", min = 3, mode = 5, max = 8 }
"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn draws_come_from_their_own_streams_and_change_the_network() {
    let scenario = iccsim::scenario::load_scenario(PSA, "test", "psa").unwrap();
    assert_eq!(scenario.uncertain.len(), 2);
    // The base network has the point values.
    assert_eq!(scenario.network.patient_types[0].name, "walk_in");
    let values: Vec<f64> = scenario
        .network
        .parameters
        .iter()
        .map(|p| p.value)
        .collect();
    assert_eq!(values, vec![15.0, 5.0]);
    // Replication networks carry their draws; whole numbers are rounded.
    let draws = scenario.draws(11, 3);
    assert!((10.0..20.0).contains(&draws[0]));
    assert_eq!(draws[1], draws[1].round());
    assert!((3.0..=8.0).contains(&draws[1]));
    let network = scenario.for_replication(11, 3).unwrap();
    assert_eq!(network.parameters[0].value, draws[0]);
    let unused = network.service_id("unused").unwrap();
    assert_eq!(
        format!("{:?}", network.services[unused.index()].capacity),
        format!("{:?}", iccsim::model::Capacity::Limited(draws[1] as u32))
    );
    // A value's draws do not depend on the other uncertain values.
    let alone = PSA.replace(
        "\"services.unused.capacity\" = { dist = \"triangular\", min = 3, mode = 5, max = 8 }\n",
        "",
    );
    let alone = iccsim::scenario::load_scenario(&alone, "test", "psa").unwrap();
    assert_eq!(alone.uncertain.len(), 1);
    for r in 0..20 {
        assert_eq!(alone.draws(11, r)[0], scenario.draws(11, r)[0]);
    }
}

#[test]
fn a_psa_batch_writes_every_draw_and_carries_the_parameter_spread() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "psa.toml", PSA);
    let n = 400;
    let run = |out: &str, threads: &str| {
        succeed(
            iccsim()
                .args([
                    "batch",
                    &path,
                    "-n",
                    &n.to_string(),
                    "-j",
                    threads,
                    "--quiet",
                    "--out",
                ])
                .arg(dir.path().join(out)),
        );
    };
    run("one", "1");
    run("two", "2");
    for file in ["replications.csv", "summary.csv", "records.csv"] {
        assert_eq!(
            fs::read(dir.path().join("one").join(file)).unwrap(),
            fs::read(dir.path().join("two").join(file)).unwrap(),
            "{file} depends on the thread count"
        );
    }
    let rows = rows(&dir.path().join("one/replications.csv"));
    let value = |service: &str, metric: &str| -> Vec<f64> {
        rows.iter()
            .filter(|r| r["service"] == service && r["metric"] == metric)
            .map(|r| r["value"].parse().unwrap())
            .collect()
    };
    let rates = value("parameter", "patient_types.walk_in.rate_per_day");
    let capacities = value("parameter", "services.unused.capacity");
    let arrivals = value("clinic", "arrivals");
    assert_eq!(rates.len(), n);
    assert_eq!(capacities.len(), n);
    // Every draw is written, and it is the one the replication used.
    let scenario = iccsim::scenario::load_scenario(PSA, "test", "psa").unwrap();
    for r in 0..n {
        let draws = scenario.draws(11, r as u64);
        assert_eq!(rates[r], draws[0]);
        assert_eq!(capacities[r], draws[1]);
    }
    // Known answer: the clinic's daily arrivals are Poisson(rate) with the
    // rate uniform on [10, 20]: mean 15, variance 100/12 + 15/100 per day.
    let per_day: Vec<f64> = arrivals.iter().map(|a| a / 100.0).collect();
    let mean = per_day.iter().sum::<f64>() / n as f64;
    let variance = per_day.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let exact_variance = 100.0 / 12.0 + 15.0 / 100.0;
    let se = (exact_variance / n as f64).sqrt();
    assert!((mean - 15.0).abs() < 4.0 * se, "mean {mean}");
    // s² of a near-uniform variable: se ≈ σ² √(0.8/n) (kurtosis 1.8).
    let se_variance = exact_variance * (0.8 / n as f64).sqrt();
    assert!(
        (variance - exact_variance).abs() < 4.0 * se_variance,
        "variance {variance} vs {exact_variance}"
    );
    // And the arrivals follow the drawn rate replication by replication.
    for (a, r) in per_day.iter().zip(&rates) {
        assert!(
            (a - r).abs() < 5.0 * (r / 100.0).sqrt(),
            "{a} per day at rate {r}"
        );
    }
    // The summary has the parameter rows too.
    let summary = fs::read_to_string(dir.path().join("one/summary.csv")).unwrap();
    assert!(summary.contains("psa,parameter,all,services.unused.capacity,value,400,"));
}

#[test]
fn the_tornado_ranks_by_swing_and_an_unused_value_moves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "psa.toml", PSA);
    let out = dir.path().join("tornado");
    succeed(
        iccsim()
            .args([
                "tornado",
                &path,
                "--metric",
                "clinic.arrivals",
                "-n",
                "30",
                "--quiet",
                "--out",
            ])
            .arg(&out),
    );
    let rows = rows(&out.join("tornado.csv"));
    assert_eq!(rows.len(), 2);
    let rate = &rows[0];
    assert_eq!(rate["rank"], "1");
    assert_eq!(rate["parameter"], "patient_types.walk_in.rate_per_day");
    assert_eq!(rate["source"], "test");
    // Uniform(10, 20): the 5% and 95% quantiles are 10.5 and 19.5 exactly.
    assert_eq!(rate["low_value"].parse::<f64>().unwrap(), 10.5);
    assert_eq!(rate["high_value"].parse::<f64>().unwrap(), 19.5);
    // 100 days × 9 more arrivals a day; the paired swing's se is about
    // √(100 × (10.5 + 19.5) / 30) ≈ 10 (Poisson counts, not common here).
    let swing: f64 = rate["swing"].parse().unwrap();
    assert!((swing - 900.0).abs() < 4.0 * 10.0, "swing {swing}");
    // Nothing uses the other service: exactly no change (common random numbers).
    let unused = &rows[1];
    assert_eq!(unused["parameter"], "services.unused.capacity");
    assert_eq!(unused["low_value"], "4");
    assert_eq!(unused["high_value"], "7");
    for column in ["low_diff", "high_diff", "swing"] {
        assert_eq!(unused[column].parse::<f64>().unwrap(), 0.0, "{column}");
    }

    // Without an [uncertainty] section: a clear error.
    let plain = write(
        dir.path(),
        "plain.toml",
        PSA.split("[uncertainty]").next().unwrap(),
    );
    let output = iccsim()
        .args(["tornado", &plain, "--out"])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no uncertain values"));
}

#[test]
fn bad_uncertain_values_are_located_and_explained() {
    let dir = tempfile::tempdir().unwrap();
    let bad = PSA.replace(
        "[uncertainty]\n",
        "[uncertainty]\n\"patient_types.walk_in.rate_per_dy\" = { dist = \"normal\", mean = 1, sd = 1 }\n\"run.seed\" = { dist = \"fixed\", value = 3 }\n\"services.clinic.stay\" = { dist = \"fixed\", value = 3 }\n\"sinks.home\" = { dist = \"triangle\", min = 1, mode = 2, max = 3 }\n",
    );
    let path = write(dir.path(), "bad.toml", &bad);
    let output = iccsim().args(["validate", &path]).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for message in [
        "uncertainty.\"patient_types.walk_in.rate_per_dy\": `patient_types.walk_in.rate_per_dy` is not a number in this scenario (did you mean `rate_per_day`?)",
        "uncertainty.\"run.seed\": `run.seed` cannot be uncertain",
        "uncertainty.\"services.clinic.stay\": `services.clinic.stay` is not a number",
        "uncertainty.\"sinks.home\"",
    ] {
        assert!(stderr.contains(message), "{message}\n{stderr}");
    }
    // Draws that make an invalid scenario together, though each value's
    // range is valid with the others at their lowest or highest (opening
    // from 7 to 9, closing from 8 to 10): the replication and the draws
    // are named.
    let crossing = PSA.replace(
        "[services.unused]\n",
        "[services.unused]\nopening = { open_hour = 8.0, close_hour = 9.5 }\n",
    ) + "\"services.unused.opening.open_hour\" = { dist = \"uniform\", min = 7.0, max = 9.0 }\n\"services.unused.opening.close_hour\" = { dist = \"uniform\", min = 8.0, max = 10.0 }\n";
    let path = write(dir.path(), "crossing.toml", &crossing);
    succeed(iccsim().args(["validate", &path]));
    let output = iccsim()
        .args(["batch", &path, "-n", "40", "--quiet", "--out"])
        .arg(dir.path().join("crossing"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("its draws of the uncertain values do not make a valid scenario")
            && stderr.contains("services.unused.opening.close_hour = "),
        "{stderr}"
    );
}

/// `validate` checks what `batch` will draw: each uncertain value at the
/// lowest and the highest it can be drawn (an unbounded distribution's
/// draws are kept within one chance in a billion of each tail), so a
/// range that can only fail at run time is refused before anything runs,
/// naming the key, the distribution, the bad draw and the fix.
#[test]
fn validate_refuses_ranges_that_could_only_fail_at_run_time() {
    let dir = tempfile::tempdir().unwrap();
    let capacity =
        "\"services.unused.capacity\" = { dist = \"triangular\", min = 3, mode = 5, max = 8 }";
    let rate = "\"patient_types.walk_in.rate_per_day\" = { dist = \"uniform\", min = 10.0, max = 20.0, source = \"test\" }";
    for (old, entry, messages) in [
        (
            capacity,
            "\"services.unused.capacity\" = { dist = \"normal\", mean = 0, sd = 100 }",
            vec![
                "uncertainty.\"services.unused.capacity\": dist = \"normal\" (mean 0, sd 100) draws from -600 to 600, and with its lowest draw the scenario is invalid: services.unused.capacity = -600: must be",
                "narrow it to the values that key takes",
            ],
        ),
        (
            rate,
            "\"patient_types.walk_in.rate_per_day\" = { dist = \"normal\", mean = 15, sd = 5 }",
            vec![
                "draws from -14.9",
                "with its lowest draw the scenario is invalid: patient_types.walk_in.rate_per_day = -14.9",
            ],
        ),
        (
            capacity,
            "\"schema_version\" = { dist = \"uniform\", min = 1, max = 2 }",
            vec![
                "uncertainty.\"schema_version\": `schema_version` cannot be uncertain: it is the version of the file's format",
            ],
        ),
    ] {
        let text = PSA.replace(old, entry);
        let path = write(dir.path(), "bad.toml", &text);
        let output = iccsim().args(["validate", &path]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{entry}: {stderr}");
        for message in messages {
            assert!(stderr.contains(message), "{entry}: {message}\n{stderr}");
        }
    }
    // A normal whose tails stay far inside the range is accepted, and its
    // draws stay within ±6 sd.
    let text = PSA.replace(
        "{ dist = \"uniform\", min = 10.0, max = 20.0, source = \"test\" }",
        "{ dist = \"normal\", mean = 15.0, sd = 2.0 }",
    );
    let scenario = iccsim::scenario::load_scenario(&text, "test", "psa").unwrap();
    let (low, high) = scenario.uncertain[0].distribution.bounds();
    assert!(
        (low - (15.0 - 2.0 * 5.998)).abs() < 0.01 && (high - (15.0 + 2.0 * 5.998)).abs() < 0.01
    );
}

#[test]
fn a_latin_hypercube_sweep_covers_every_stratum_and_writes_every_point() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(
        dir.path(),
        "plain.toml",
        PSA.split("[uncertainty]").next().unwrap(),
    );
    let design = write(
        dir.path(),
        "design.toml",
        "method = \"latin-hypercube\"\npoints = 8\nseed = 5\n\n[[ranges]]\nkey = \"patient_types.walk_in.rate_per_day\"\nmin = 8.0\nmax = 16.0\n\n[[ranges]]\nkey = \"services.unused.capacity\"\nmin = 1\nmax = 9\n",
    );
    let out = dir.path().join("lhs");
    succeed(
        iccsim()
            .args([
                "sweep", &plain, "--design", &design, "-n", "3", "--quiet", "--out",
            ])
            .arg(&out),
    );
    let rows = rows(&out.join("sweep.csv"));
    let arrivals: Vec<&HashMap<String, String>> = rows
        .iter()
        .filter(|r| r["service"] == "clinic" && r["metric"] == "arrivals")
        .collect();
    assert_eq!(arrivals.len(), 8, "one row per point");
    // One point in each eighth of each range.
    let mut rate_strata: Vec<usize> = arrivals
        .iter()
        .map(|r| {
            (r["patient_types.walk_in.rate_per_day"]
                .parse::<f64>()
                .unwrap()
                - 8.0) as usize
        })
        .collect();
    rate_strata.sort_unstable();
    assert_eq!(rate_strata, (0..8).collect::<Vec<_>>());
    let mut beds: Vec<i64> = arrivals
        .iter()
        .map(|r| r["services.unused.capacity"].parse().unwrap())
        .collect();
    beds.sort_unstable();
    beds.dedup();
    assert!(
        beds.len() >= 7,
        "whole numbers, spread over the range: {beds:?}"
    );
    // Each point's arrivals follow its rate (100 days, 3 replications).
    for r in &arrivals {
        let rate: f64 = r["patient_types.walk_in.rate_per_day"].parse().unwrap();
        let mean: f64 = r["mean"].parse().unwrap();
        assert!(
            (mean / 100.0 - rate).abs() < 5.0 * (rate / 300.0).sqrt(),
            "{mean} at {rate}"
        );
    }
    let replications = self::rows(&out.join("sweep_replications.csv"));
    assert!(!replications.is_empty());

    // --sweep and --design together, or a bad file, are clear errors.
    let output = iccsim()
        .args(["sweep", &plain, "--design", &design, "--sweep", "a.b=1,2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let bad = write(dir.path(), "bad.toml", "method = \"grid\"\npoints = 0\n");
    let output = iccsim()
        .args(["sweep", &plain, "--design", &bad])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("only method is \"latin-hypercube\"") && stderr.contains("points = 0"),
        "{stderr}"
    );
}

#[test]
fn every_shipped_sweep_file_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/sweeps");
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    for entry in fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        count += 1;
        // A month of the built-in baseline at every point keeps it quick.
        let out = dir.path().join(path.file_stem().unwrap());
        let output = iccsim()
            .args(["sweep", "--design"])
            .arg(&path)
            .args([
                "--set",
                "run.horizon_days=30",
                "--set",
                "run.warmup_days=0",
                "-n",
                "1",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!rows(&out.join("sweep.csv")).is_empty());
    }
    assert!(count >= 1);
}

/// The built-in baseline, shortened, with extra text appended.
/// The baseline without its own `[uncertainty]` (case management's effect
/// per person), so that a test's uncertain values are the only ones.
fn baseline_without_uncertainty() -> String {
    let text = iccsim::scenario::DEFAULT_SCENARIO_TOML;
    let Some(start) = text.find("\n[uncertainty]\n") else {
        return text.to_string();
    };
    let rest = &text[start + 1..];
    let end = rest[1..]
        .find("\n[")
        .map_or(text.len(), |i| start + 1 + 1 + i + 1);
    format!("{}{}", &text[..start + 1], &text[end..])
}

fn short_baseline(extra: &str) -> String {
    let text = iccsim::scenario::overrides::apply_to_text(
        &baseline_without_uncertainty(),
        "baseline",
        &["run.horizon_days=60".into(), "run.warmup_days=20".into()],
    )
    .unwrap();
    format!("{text}\n{extra}")
}

#[test]
fn a_fixed_uncertain_value_gives_what_setting_it_gives_in_every_output() {
    use iccsim::experiment::record::{PARAMETER, Schema};
    // Beds and a unit cost enter the whole-system outputs (occupancy,
    // days above 92%, costs) through the network, not only the simulation.
    let uncertain = iccsim::scenario::load_scenario(
        &short_baseline(
            "[uncertainty]\n\"sites.cumberland_infirmary.adult_beds\" = { dist = \"fixed\", value = 300 }\n\"costs.gp_appointment\" = { dist = \"fixed\", value = 90.0 }\n",
        ),
        "test",
        "baseline",
    )
    .unwrap();
    let set = iccsim::scenario::overrides::apply_to_text(
        &short_baseline(""),
        "test",
        &[
            "sites.cumberland_infirmary.adult_beds=300".into(),
            "costs.gp_appointment=90.0".into(),
        ],
    )
    .unwrap();
    let set = iccsim::scenario::load_str(&set, "test", "baseline").unwrap();
    let keep = |_: &iccsim::experiment::record::Record| -> Result<(), std::io::Error> { Ok(()) };
    let run = |source: &dyn NetworkSource| {
        iccsim::experiment::run_records(source, 5, &[0, 1], None, &keep).unwrap()
    };
    let (a, b) = (run(&uncertain), run(&set));
    let (schema_a, schema_b) = (Schema::of(&uncertain.network), Schema::of(&set));
    for (ra, rb) in a.iter().zip(&b) {
        let metrics_a: Vec<f64> = schema_a
            .metrics
            .iter()
            .zip(ra.metrics(&schema_a))
            .filter(|(k, _)| k.service != PARAMETER)
            .map(|(_, v)| *v)
            .collect();
        let same = common::same_bits;
        assert!(same(&metrics_a, rb.metrics(&schema_b)), "metrics differ");
        assert!(
            same(ra.breakdown(&schema_a), rb.breakdown(&schema_b)),
            "breakdown differs"
        );
    }
}

#[test]
fn uncertain_values_cannot_be_mixed_up_or_silently_overridden() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "psa.toml", PSA);
    let out = dir.path().join("b");
    let batch = |scenario: &str, extra: &[&str]| {
        iccsim()
            .args(["batch", scenario, "-n", "3", "--quiet", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(batch(&path, &[]).status.success());
    // The same file with another distribution is another batch.
    let other = write(
        dir.path(),
        "other.toml",
        &PSA.replace("min = 10.0, max = 20.0", "min = 1.0, max = 2.0"),
    );
    let output = batch(&other, &["--resume"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // --set (or --sweep) of an uncertain value would be overwritten by the
    // draws: refused, with the way to hold it fixed.
    for key in [
        "patient_types.walk_in.rate_per_day=12",
        "'patient_types'.\"walk_in\".rate_per_day=12",
        "patient_types.walk_in={ arrive_at = \"clinic\", rate_per_day = 12.0 }",
    ] {
        let output = batch(&path, &["--set", key]);
        assert_eq!(output.status.code(), Some(2), "{key}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is uncertain in") && stderr.contains("dist = \"fixed\""),
            "{stderr}"
        );
    }
    let output = iccsim()
        .args([
            "sweep",
            &path,
            "--sweep",
            "patient_types.walk_in.rate_per_day=12,14",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // Holding it fixed through the section works.
    let fixed = dir.path().join("fixed");
    succeed(iccsim()
        .args(["batch", &path, "-n", "2", "--quiet", "--out"])
        .arg(&fixed)
        .args([
            "--set",
            "uncertainty.\"patient_types.walk_in.rate_per_day\"={ dist = \"fixed\", value = 12.0 }",
        ])
        );
    let rates: Vec<String> = rows(&fixed.join("replications.csv"))
        .into_iter()
        .filter(|r| r["metric"] == "patient_types.walk_in.rate_per_day")
        .map(|r| r["value"].clone())
        .collect();
    assert_eq!(rates, vec!["12", "12"]);
}

#[test]
fn rounding_follows_what_the_field_takes_not_how_the_point_is_written() {
    // A rate written as 4 is still a rate: draws are not rounded. A
    // capacity written as 30.0 still takes whole numbers: draws are rounded.
    let text = PSA
        .replace("rate_per_day = 15.0", "rate_per_day = 15")
        .replace("capacity = 5\n", "capacity = 5.0\n");
    let scenario = iccsim::scenario::load_scenario(&text, "test", "psa").unwrap();
    assert!(!scenario.uncertain[0].whole_number);
    assert!(scenario.uncertain[1].whole_number);
    let draws: Vec<f64> = (0..50).map(|r| scenario.draws(11, r)[0]).collect();
    assert!(draws.iter().any(|d| d.fract() != 0.0));
    for r in 0..5 {
        assert!(scenario.for_replication(11, r).is_ok());
    }
}

/// A lever's number written as a distribution in place is the same
/// uncertain value as one given in `[uncertainty]`: the same key, point
/// value (the mode of a triangular), draws and records, bit for bit.
#[test]
fn a_lever_distribution_in_place_is_an_uncertain_value() {
    let inline = short_baseline(
        "[levers.homes]\neffect = \"crisis_rate\"\ndemand = [\"care_home_crisis\"]\nmultiplier = { dist = \"triangular\", min = 0.77, mode = 0.85, max = 1.0, source = \"test\" }\nstart = 2025-04-01\n",
    );
    let section = short_baseline(
        "[levers.homes]\neffect = \"crisis_rate\"\ndemand = [\"care_home_crisis\"]\nmultiplier = 0.85\nstart = 2025-04-01\n[uncertainty]\n\"levers.homes.multiplier\" = { dist = \"triangular\", min = 0.77, mode = 0.85, max = 1.0, source = \"test\" }\n",
    );
    let a = iccsim::scenario::load_scenario(&inline, "inline", "baseline").unwrap();
    let b = iccsim::scenario::load_scenario(&section, "section", "baseline").unwrap();
    assert_eq!(a.points(), vec![0.85]);
    assert_eq!(a.base().parameters[0].key, "levers.homes.multiplier");
    assert_eq!(a.draws(7, 3), b.draws(7, 3));
    assert_ne!(a.draws(7, 3), a.draws(7, 4));
    let keep = |_: &iccsim::experiment::record::Record| -> Result<(), std::io::Error> { Ok(()) };
    let todo = [0, 1];
    let x = iccsim::experiment::run_records(&a, 7, &todo, None, &keep).unwrap();
    let y = iccsim::experiment::run_records(&b, 7, &todo, None, &keep).unwrap();
    common::assert_same_records(&x, &y);
    // A bad distribution in place is located at the lever's key.
    let bad = short_baseline(
        "[levers.homes]\neffect = \"crisis_rate\"\nmultiplier = { dist = \"triangular\", min = 0.9, mode = 0.85, max = 1.0 }\nstart = 2025-04-01\n",
    );
    let err = iccsim::scenario::load_scenario(&bad, "bad", "baseline")
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("levers.homes.multiplier"), "{err}");
}
