//! Named cases (`--at-quantile`, `uncertainty_case`), correlation groups
//! (`[uncertainty_groups]`) and the files that state them (run.json's
//! "case" and "correlation", uncertainty.csv): known quantiles, a rank
//! correlation within its sampling error, ungrouped draws unchanged, and
//! the refusals that name the key and the fix.

use std::fs;

use crate::common::{csv_rows, fails_with, iccsim, succeed};

/// One unlimited clinic whose arrival rate and an unused service's stay
/// are uncertain.
const BASE: &str = r#"
schema_version = 1
name = "cases"
sinks = ["home"]

[run]
start_date = 2025-04-07
warmup_days = 0
horizon_days = 20
replications = 4
seed = 5

[services.clinic]
capacity = "unlimited"
stay = { dist = "fixed", value = 1.0 }
routes = [{ to = "home", probability = 1.0 }]

[services.unused]
capacity = "unlimited"
stay = { dist = "fixed", value = 1.0 }
routes = [{ to = "home", probability = 1.0 }]

[patient_types.walk_in]
arrive_at = "clinic"
rate_per_day = 15.0

[patient_types.other]
arrive_at = "unused"
rate_per_day = 1.0
"#;

/// The scenario with `extra` after it; a line of the form `uncertainty_case
/// = ...` at its start goes before the tables (a top-level key).
fn scenario(extra: &str) -> iccsim::scenario::Scenario {
    let (top, rest) = match extra.split_once('\n') {
        Some((first, rest)) if first.starts_with("uncertainty_case") => (first, rest),
        _ => ("", extra),
    };
    iccsim::scenario::load_scenario(&format!("{top}\n{BASE}{rest}"), "test", "cases").unwrap()
}

/// Uniform(10, 20) and triangular(0.5, 1, 2): the pessimistic case is the
/// 0.9 quantile where lower is better and the 0.1 where higher is, in
/// every replication; a quantile case is that quantile of each.
#[test]
fn a_case_fixes_every_value_at_its_closed_form_quantile() {
    let section = |case: &str| {
        format!(
            "{case}\n[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = {{ dist = \"uniform\", min = 10.0, max = 20.0, better = \"lower\" }}\n\"patient_types.other.rate_per_day\" = {{ dist = \"triangular\", min = 0.5, mode = 1.0, max = 2.0, better = \"higher\" }}\n"
        )
    };
    let pessimistic = scenario(&section("uncertainty_case = \"pessimistic\""));
    // Triangular: F(x) = (x − 0.5)² / (1.5 × 0.5) below the mode, so the
    // 0.1 quantile is 0.5 + √(0.1 × 0.75).
    let expected = [19.0, 0.5 + (0.1f64 * 0.75).sqrt()];
    for r in 0..5 {
        let values = pessimistic.draws(5, r);
        for (v, e) in values.iter().zip(expected) {
            assert!((v - e).abs() < 1e-12, "{values:?} vs {expected:?}");
        }
    }
    let optimistic = scenario(&section("uncertainty_case = \"optimistic\""));
    let values = optimistic.draws(5, 0);
    assert!((values[0] - 11.0).abs() < 1e-12);
    // 0.9 quantile of the triangular: 2 − √(0.1 × 1.5 × 1.0).
    assert!((values[1] - (2.0 - (0.1f64 * 1.5).sqrt())).abs() < 1e-12);
    let at = scenario(&section("uncertainty_case = 0.25"));
    assert!((at.draws(5, 3)[0] - 12.5).abs() < 1e-12);
    assert_eq!(iccsim::scenario::case_name(&at.network), "0.25");
    let drawn = scenario(&section(""));
    assert_eq!(iccsim::scenario::case_name(&drawn.network), "drawn");
    assert_ne!(drawn.draws(5, 0), drawn.draws(5, 1));
}

#[test]
fn a_side_without_a_direction_is_refused_naming_the_key_and_the_fix() {
    let text = format!(
        "uncertainty_case = \"pessimistic\"\n{BASE}[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = {{ dist = \"uniform\", min = 10.0, max = 20.0 }}\n"
    );
    let err = iccsim::scenario::load_scenario(&text, "test", "cases")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("patient_types.walk_in.rate_per_day") && err.contains("better = "),
        "{err}"
    );
    // A quantile needs no direction.
    let text = text.replace("\"pessimistic\"", "0.9");
    assert!(iccsim::scenario::load_scenario(&text, "test", "cases").is_ok());
}

/// Spearman's rank correlation of the draws.
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let ranks = |x: &[f64]| {
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by(|&i, &j| x[i].total_cmp(&x[j]));
        let mut r = vec![0.0; x.len()];
        for (rank, i) in order.into_iter().enumerate() {
            r[i] = rank as f64;
        }
        r
    };
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let cov: f64 = ra
        .iter()
        .zip(&rb)
        .map(|(x, y)| (x - mean) * (y - mean))
        .sum();
    let var: f64 = ra.iter().map(|x| (x - mean).powi(2)).sum();
    cov / var
}

/// Two grouped values at rank correlation 0.6: the sample rank
/// correlation over 4,000 replications is within 4 standard errors of it
/// (Fisher z, var 1.06 / (n − 3) for Spearman's; about ±0.05 here), a
/// value outside the group draws exactly as with no group at all, and the
/// grouped values keep their distributions (uniform: mean 15 within 5 se).
#[test]
fn grouped_values_have_the_rank_correlation_set_and_the_others_are_unchanged() {
    let grouped = scenario(
        "[uncertainty_groups]\nprogramme = { rank_correlation = 0.6, source = \"test\" }\n[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = { dist = \"uniform\", min = 10.0, max = 20.0, group = \"programme\" }\n\"patient_types.other.rate_per_day\" = { dist = \"triangular\", min = 0.5, mode = 1.0, max = 2.0, group = \"programme\" }\n\"services.clinic.stay.value\" = { dist = \"uniform\", min = 0.5, max = 1.5 }\n",
    );
    let alone = scenario(
        "[uncertainty]\n\"services.clinic.stay.value\" = { dist = \"uniform\", min = 0.5, max = 1.5 }\n",
    );
    let n = 4000;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in 0..n {
        let values = grouped.draws(9, r);
        a.push(values[0]);
        b.push(values[1]);
        assert_eq!(values[2], alone.draws(9, r)[0]);
    }
    let rho = spearman(&a, &b);
    let z = |r: f64| 0.5 * ((1.0 + r) / (1.0 - r)).ln();
    let se = (1.06 / (n as f64 - 3.0)).sqrt();
    assert!((z(rho) - z(0.6)).abs() < 4.0 * se, "rank correlation {rho}");
    let mean = a.iter().sum::<f64>() / n as f64;
    assert!(
        (mean - 15.0).abs() < 5.0 * (100.0f64 / 12.0 / n as f64).sqrt(),
        "{mean}"
    );
    let sentence = grouped.correlation();
    assert!(
        sentence.contains("group `programme` (rank correlation 0.6"),
        "{sentence}"
    );
    assert_eq!(alone.correlation(), "independent");
}

#[test]
fn an_unknown_group_is_refused_with_the_fix() {
    let text = format!(
        "{BASE}[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = {{ dist = \"uniform\", min = 10.0, max = 20.0, group = \"programme\" }}\n"
    );
    let err = iccsim::scenario::load_scenario(&text, "test", "cases")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("patient_types.walk_in.rate_per_day") && err.contains("[uncertainty_groups]"),
        "{err}"
    );
}

/// `run --at-quantile pessimistic` writes the case to run.json and
/// uncertainty.csv beside the results; a bad quantile is a usage error.
#[test]
fn run_writes_the_case_and_uncertainty_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.toml");
    fs::write(
        &path,
        format!(
            "{BASE}[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = {{ dist = \"uniform\", min = 10.0, max = 20.0, better = \"lower\", no_effect = 0.2, no_effect_value = 20.0, source = \"s\" }}\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    succeed(iccsim().args([
        "run",
        path.to_str().unwrap(),
        "-n",
        "2",
        "-q",
        "--at-quantile",
        "pessimistic",
        "-o",
        out.to_str().unwrap(),
    ]));
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["case"], "pessimistic");
    assert_eq!(run["correlation"], "independent");
    let rows = csv_rows(&out.join("uncertainty.csv"));
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["key"], "patient_types.walk_in.rate_per_day");
    assert_eq!(row["better"], "lower");
    assert_eq!(row["no_effect_value"], "20");
    // P(X ≥ 20): the weight alone (the uniform reaches 20 only at its end).
    assert_eq!(row["probability_no_effect_or_worse"], "0.2");
    // The mixture's median: 0.5 / 0.8 of the way along the uniform.
    assert_eq!(row["median"], format!("{}", 10.0 + 10.0 * (0.5 / 0.8)));
    assert_eq!(row["source"], "s");
    let output = iccsim()
        .args(["run", path.to_str().unwrap(), "--at-quantile", "1.5"])
        .output()
        .unwrap();
    fails_with(&output, 2, "strictly between 0 and 1");
}
