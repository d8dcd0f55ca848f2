//! The nested design (`--outer N --inner M`): replication r = i·M + j draws
//! its uncertain values from the streams of (seed, i) and its patients
//! from those of (seed, j), exactly; the two-way split recovers known
//! variance components; `batch` writes variance_split.csv, shards merge
//! into the same file, and designs are never mixed.

use std::path::Path;

use iccsim::experiment::nested::{Design, Nested};
use iccsim::experiment::record::{PARAMETER, Record, Schema};
use iccsim::experiment::{run_one, run_records_in};
use iccsim::stats::two_way::TwoWay;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};

use crate::common::{csv_rows, fails_with, iccsim, succeed};

const UNCERTAIN: &str = "scenarios/examples/single-ward-uncertain.toml";

/// The example scenario, read with its parent, changed as by --set.
fn example(settings: &[String]) -> iccsim::scenario::Scenario {
    let resolved = iccsim::scenario::inherit::read_resolved(Path::new(UNCERTAIN)).unwrap();
    iccsim::scenario::load_resolved(&resolved, UNCERTAIN, "single-ward-uncertain", settings)
        .unwrap()
        .0
}

fn nested_records(scenario: &iccsim::scenario::Scenario, outer: u64, inner: u64) -> Vec<Record> {
    let design = Design::Nested(Nested::new(outer, inner).unwrap());
    let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
    let todo: Vec<u64> = (0..outer * inner).collect();
    run_records_in(scenario, 2025, design, &todo, None, &keep).unwrap()
}

/// Replication i·M + j of the nested design is, value for value, an
/// ordinary replication j of the scenario with the values an ordinary run
/// draws in replication i.
#[test]
fn replication_i_m_plus_j_is_draw_i_run_with_chance_j() {
    let scenario = example(&[]);
    let (outer, inner) = (3, 4);
    let records = nested_records(&scenario, outer, inner);
    assert_eq!(
        records.iter().map(|r| r.replication).collect::<Vec<_>>(),
        (0..12).collect::<Vec<_>>()
    );
    for i in 0..outer {
        let network = scenario.network_with(&scenario.draws(2025, i)).unwrap();
        for j in 0..inner {
            let plain = run_one(&network, 2025, j, false).unwrap().record;
            let nested = &records[(i * inner + j) as usize];
            assert_eq!(plain.replication, j);
            assert!(
                crate::common::same_bits(&plain.values, &nested.values),
                "replication {} is not draw {i} with chance {j}",
                nested.replication
            );
        }
    }
}

/// With the arrival rate held fixed, every outer draw sees the same
/// arrivals in the same inner replication (common random numbers), and
/// different ones in different inner replications.
#[test]
fn the_same_chance_stream_brings_the_same_arrivals_under_every_draw() {
    let fixed =
        r#"uncertainty."patient_types.emergency.rate_per_day"={ dist = "fixed", value = 4.5 }"#;
    let scenario = example(&[fixed.to_string()]);
    let schema = Schema::of(&scenario.network);
    let arrivals = schema
        .metrics
        .iter()
        .position(|k| {
            k.service == "medical_ward" && k.patient_type == "all" && k.metric == "arrivals"
        })
        .unwrap();
    let beds = schema
        .metrics
        .iter()
        .position(|k| k.service == PARAMETER && k.metric == "services.medical_ward.capacity")
        .unwrap();
    let (outer, inner) = (4, 3);
    let records = nested_records(&scenario, outer, inner);
    let at = |i: u64, j: u64| &records[(i * inner + j) as usize];
    for j in 0..inner {
        for i in 1..outer {
            assert_eq!(at(i, j).values[arrivals], at(0, j).values[arrivals]);
        }
    }
    assert_ne!(at(0, 0).values[arrivals], at(0, 1).values[arrivals]);
    // The drawn beds depend on the outer draw only.
    for i in 0..outer {
        for j in 1..inner {
            assert_eq!(at(i, j).values[beds], at(i, 0).values[beds]);
        }
    }
    // The arrivals are chance only: the split gives them no evidence.
    let split = Nested::new(outer, inner)
        .unwrap()
        .split(&records, |r| r.values[arrivals])
        .unwrap();
    assert_eq!(split.row_variance, 0.0);
    assert!(split.residual_variance < 1e-9 * split.column_variance);
}

/// y_ij = a_i + b_j + e_ij with σ²_a = 4, σ²_b = 1, σ²_e = 0.25 (normal):
/// each estimate is within 4 of its standard errors, which for normal
/// effects are (method of moments, the mean squares' chi-square laws)
/// SE(σ̂²_a) ≈ √(2(Mσ²_a + σ²_e)²/(N−1) + 2σ⁴_e/((N−1)(M−1))) / M, and
/// likewise for σ̂²_b with N and M exchanged, SE(σ̂²_e) = σ²_e √(2/((N−1)(M−1))).
#[test]
fn the_split_recovers_known_variance_components() {
    let (va, vb, ve) = (4.0_f64, 1.0_f64, 0.25_f64);
    let (n, m) = (80usize, 60usize);
    let mut rng = rand_pcg::Pcg64::seed_from_u64(20);
    let draw = |v: f64, rng: &mut rand_pcg::Pcg64| Normal::new(0.0, v.sqrt()).unwrap().sample(rng);
    let a: Vec<f64> = (0..n).map(|_| draw(va, &mut rng)).collect();
    let b: Vec<f64> = (0..m).map(|_| draw(vb, &mut rng)).collect();
    let table: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..m)
                .map(|j| 10.0 + a[i] + b[j] + draw(ve, &mut rng))
                .collect()
        })
        .collect();
    let split = TwoWay::of(&table).unwrap();
    let (nf, mf) = (n as f64, m as f64);
    let residual_var = 2.0 * ve * ve / ((nf - 1.0) * (mf - 1.0));
    let se_a = (2.0 * (mf * va + ve).powi(2) / (nf - 1.0) + residual_var).sqrt() / mf;
    let se_b = (2.0 * (nf * vb + ve).powi(2) / (mf - 1.0) + residual_var).sqrt() / nf;
    let se_e = residual_var.sqrt();
    assert!(
        (split.row_variance - va).abs() < 4.0 * se_a,
        "{split:?} ± {se_a}"
    );
    assert!(
        (split.column_variance - vb).abs() < 4.0 * se_b,
        "{split:?} ± {se_b}"
    );
    assert!(
        (split.residual_variance - ve).abs() < 4.0 * se_e,
        "{split:?} ± {se_e}"
    );
    // The shares add up to 1.
    let (e, c, i) = split.shares();
    assert!((e + c + i - 1.0).abs() < 1e-12);
}

fn run_batch(out: &Path, extra: &[&str]) {
    succeed(
        iccsim()
            .args([
                "batch", UNCERTAIN, "--outer", "3", "--inner", "4", "-q", "-o",
            ])
            .arg(out)
            .args(extra),
    );
}

#[test]
fn batch_writes_the_split_and_shards_merge_into_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    run_batch(&whole, &[]);
    let rows = csv_rows(&whole.join("variance_split.csv"));
    let row = |service: &str, metric: &str| {
        rows.iter()
            .find(|r| r["service"] == service && r["metric"] == metric)
            .unwrap_or_else(|| panic!("no row {service}.{metric}"))
            .clone()
    };
    // A drawn value is evidence only: its share is 1 (up to rounding).
    let beds = row(PARAMETER, "services.medical_ward.capacity");
    assert_eq!((beds["outer"].as_str(), beds["inner"].as_str()), ("3", "4"));
    assert!((beds["evidence_share"].parse::<f64>().unwrap() - 1.0).abs() < 1e-9);
    let occupancy = row("medical_ward", "occupancy_mean");
    assert_eq!(occupancy["quantity"], "value");
    for share in ["evidence_share", "chance_share", "interaction_share"] {
        let s: f64 = occupancy[share].parse().unwrap();
        assert!((0.0..=1.0).contains(&s), "{share} {s}");
    }
    let records = std::fs::read_to_string(whole.join("records.csv")).unwrap();
    assert!(
        records
            .lines()
            .next()
            .unwrap()
            .contains("\"design\":\"nested outer=3 inner=4\"")
    );

    // Two shards, merged: the same split, byte for byte.
    for shard in ["1/2", "2/2"] {
        let out = dir.path().join(format!("shard-{}", &shard[..1]));
        run_batch(&out, &["--shard", shard]);
        assert!(
            !out.join("variance_split.csv").exists(),
            "a shard is not split"
        );
    }
    let merged = dir.path().join("merged");
    succeed(
        iccsim()
            .args(["merge", "-q", "-o"])
            .arg(&merged)
            .arg(dir.path().join("shard-1"))
            .arg(dir.path().join("shard-2")),
    );
    assert_eq!(
        std::fs::read(merged.join("variance_split.csv")).unwrap(),
        std::fs::read(whole.join("variance_split.csv")).unwrap()
    );

    // A plain shard of 12 replications does not merge with a nested one.
    let plain = dir.path().join("plain");
    succeed(
        iccsim()
            .args(["batch", UNCERTAIN, "-n", "12", "--shard", "2/2", "-q", "-o"])
            .arg(&plain),
    );
    let output = iccsim()
        .args(["merge", "-q", "-o"])
        .arg(dir.path().join("merged-2"))
        .arg(dir.path().join("shard-1"))
        .arg(&plain)
        .output()
        .unwrap();
    fails_with(&output, 3, "design (--outer/--inner)");
}

#[test]
fn designs_that_cannot_be_split_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let run = |args: &[&str]| {
        iccsim()
            .arg("batch")
            .args(args)
            .arg("-o")
            .arg(&out)
            .output()
            .unwrap()
    };
    fails_with(
        &run(&[UNCERTAIN, "--outer", "3", "--inner", "4", "-n", "10"]),
        2,
        "leave out -n",
    );
    fails_with(
        &run(&[
            "scenarios/examples/single-ward.toml",
            "--outer",
            "3",
            "--inner",
            "4",
        ]),
        2,
        "has no uncertain values",
    );
    fails_with(
        &run(&[
            UNCERTAIN,
            "--outer",
            "3",
            "--inner",
            "4",
            "--target-half-width",
            "0.1",
        ]),
        2,
        "--target-half-width",
    );
    // clap: --outer without --inner, and fewer than 2.
    assert_eq!(run(&[UNCERTAIN, "--outer", "3"]).status.code(), Some(2));
    assert_eq!(
        run(&[UNCERTAIN, "--outer", "1", "--inner", "4"])
            .status
            .code(),
        Some(2)
    );
}

/// compare with a nested design splits each scenario's values and the
/// paired differences.
#[test]
fn compare_splits_values_and_differences() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let output = succeed(
        iccsim()
            .args(["compare", "scenarios/examples/single-ward.toml", UNCERTAIN])
            .args(["--outer", "2", "--inner", "3", "-o"])
            .arg(&out),
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("Variance split"));
    let rows = csv_rows(&out.join("variance_split.csv"));
    let difference = rows
        .iter()
        .find(|r| r["quantity"] == "difference" && r["metric"] == "occupancy_mean")
        .expect("a difference row");
    assert_eq!(difference["baseline"], "single-ward");
    assert_eq!(difference["scenario"], "single-ward-uncertain");
    // The baseline has nothing uncertain: its values are chance only.
    let base = rows
        .iter()
        .find(|r| r["scenario"] == "single-ward" && r["metric"] == "occupancy_mean")
        .unwrap();
    let share: f64 = base["evidence_share"].parse().unwrap();
    assert!(
        share < 1e-9,
        "evidence share {share} of a scenario with nothing uncertain"
    );
}
