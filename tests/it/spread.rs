//! The headline interval is the spread of outcomes, not the precision of a
//! mean: with an effect drawn from an evidence range once per replication,
//! the middle 90% of the paired differences keeps its width as replications
//! grow, while the 95% CI of the mean difference narrows as 1/√n. Also:
//! `comparison.csv` and `thresholds.csv` carry the columns agreed for them,
//! from the command line.

use std::path::Path;

use crate::common::{csv_rows, iccsim, succeed};
use iccsim::experiment::compare::paired;
use iccsim::experiment::record::{Record, Schema};
use iccsim::experiment::run_records;
use iccsim::scenario::{Scenario, load_scenario};

/// One unlimited clinic with a fixed one-day stay and 10 walk-ins a day
/// (Poisson), for 100 days: about 1,000 arrivals.
const CLINIC: &str = r#"
schema_version = 1
name = "clinic"
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

[patient_types.walk_in]
arrive_at = "clinic"
rate_per_day = 10.0
"#;

/// The same clinic with a change whose effect is uncertain: demand falls
/// by between 0 and 30% (uniform), drawn once per replication.
fn with_uncertain_effect() -> String {
    format!(
        "{}\n[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = {{ dist = \"uniform\", min = 7.0, max = 10.0, source = \"test: an effect of 0 to -30%\" }}\n",
        CLINIC.replace("name = \"clinic\"", "name = \"clinic-changed\"")
    )
}

fn records(scenario: &Scenario, n: u64) -> (Schema, Vec<Record>) {
    let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
    let todo: Vec<u64> = (0..n).collect();
    let records = run_records(scenario, 2026, &todo, None, &keep).unwrap();
    (Schema::of(&scenario.network), records)
}

#[test]
fn the_spread_of_the_difference_does_not_shrink_with_replications_but_the_ci_of_the_mean_does() {
    let base = load_scenario(CLINIC, "test", "clinic").unwrap();
    let alt = load_scenario(&with_uncertain_effect(), "test", "clinic").unwrap();
    let (base_schema, base_records) = records(&base, 80);
    let (alt_schema, alt_records) = records(&alt, 80);
    // Replication r depends on (seed, r) alone, so the first 10 of 80 are
    // the run of 10.
    let arrivals = |n: usize| {
        paired(
            &base_schema,
            &base_records[..n],
            &alt_schema,
            &alt_records[..n],
        )
        .into_iter()
        .find(|d| d.key.labels == ["clinic", "all"] && d.key.metric == "arrivals")
        .unwrap()
    };
    let (few, many) = (arrivals(10), arrivals(80));
    assert_eq!((few.diff.n, many.diff.n), (10, 80));
    let spread = |d: &iccsim::experiment::compare::Difference| d.diff.p95 - d.diff.p05;
    let ci = |d: &iccsim::experiment::compare::Difference| d.diff.ci_high - d.diff.ci_low;

    // The difference is 100 days × (drawn rate − 10) plus Poisson noise
    // (sd at most √2000 ≈ 45 arrivals): the effect alone is uniform on
    // (−300, 0), whose middle 90% is 270 arrivals wide. With 80
    // replications the type-7 interval is close to that; with 10 it runs
    // from about the 1st to the 10th order statistic, whose spacing is
    // about Beta(8, 3) of the range (mean 0.73, sd 0.13): below half the
    // 80-replication width only about 2 times in 100 for a uniform, less
    // with the noise added. So a ratio above 0.5 is what a correct interval
    // gives for any seed but a rare one, and an interval of the mean
    // (ratio about 1/√8 ≈ 0.35 and falling) fails it.
    assert!(
        (200.0..400.0).contains(&spread(&many)),
        "the middle 90% of 80 paired differences is {:.0} arrivals wide, where the effect alone spans 270",
        spread(&many)
    );
    let spread_ratio = spread(&few) / spread(&many);
    assert!(
        spread_ratio > 0.5,
        "the 90% interval of the differences shrank from {:.0} (n = 10) to {:.0} (n = 80)",
        spread(&few),
        spread(&many)
    );
    // It does not shrink towards zero: at 80 replications it still spans
    // most of the range of effects, and the change makes no difference in
    // a real share of replications.
    assert!(
        many.diff.p95 > -60.0 && many.diff.p05 < -240.0,
        "{:?}",
        many.diff
    );

    // The CI of the mean narrows: half-width t·s/√n, so the ratio is
    // (t₀.₉₇₅,₇₉ / t₀.₉₇₅,₉) × (s₈₀ / s₁₀) / √8 = 0.880 × 0.354 × (s₈₀ / s₁₀)
    // = 0.311 × (s₈₀ / s₁₀). The sd of 10 values of a near-uniform
    // difference has a relative sd of about 0.16 (var(s²)/σ⁴ ≈ 2/9 − 1.2/10
    // for the uniform's kurtosis), so s₈₀ / s₁₀ lies within 0.6 to 1.6
    // (±2.5 of those sds) but for a rare seed: the ratio within 0.19 to
    // 0.50.
    let ci_ratio = ci(&many) / ci(&few);
    let expected = 0.311 * many.diff.sd / few.diff.sd;
    assert!(
        (ci_ratio - expected).abs() < 0.005,
        "{ci_ratio} vs {expected}"
    );
    assert!(
        (0.19..0.50).contains(&ci_ratio),
        "the 95% CI of the mean went from {:.1} to {:.1} wide: ratio {ci_ratio:.3}, about 1/√8 expected",
        ci(&few),
        ci(&many)
    );
    // And the spread of outcomes is much wider than the precision of the
    // mean at 80 replications: the headline cannot be the CI.
    assert!(spread(&many) > 3.0 * ci(&many));
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn comparison_csv_and_json_carry_the_distribution_of_the_difference() {
    let dir = tempfile::tempdir().unwrap();
    let base = write(dir.path(), "clinic.toml", CLINIC);
    let alt = write(dir.path(), "changed.toml", &with_uncertain_effect());
    let out = dir.path().join("cmp");
    let output = succeed(
        iccsim()
            .args(["compare", &base, &alt, "-n", "20", "--out"])
            .arg(&out),
    );
    let header = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let header = header.lines().next().unwrap();
    assert!(
        header.ends_with(",relative_difference,variance_ratio,difference_p05,difference_p25,difference_median,difference_p75,difference_p95,better,probability_better,probability_worse,relative_p05,relative_median,relative_p95"),
        "{header}"
    );
    let rows = csv_rows(&out.join("comparison.csv"));
    let row = |metric: &str| {
        rows.iter()
            .find(|r| {
                r["service"] == "clinic" && r["patient_type"] == "all" && r["metric"] == metric
            })
            .unwrap()
    };
    // Arrivals have no direction: no probability.
    let arrivals = row("arrivals");
    assert_eq!(arrivals["better"], "");
    assert_eq!(arrivals["probability_better"], "");
    let number =
        |r: &std::collections::HashMap<String, String>, c: &str| -> f64 { r[c].parse().unwrap() };
    assert!(number(arrivals, "difference_p05") <= number(arrivals, "difference_median"));
    assert!(number(arrivals, "difference_median") <= number(arrivals, "difference_p95"));
    assert!(number(arrivals, "relative_median") < 0.0);
    // Lost has a direction (lower); an unlimited clinic loses nobody, so
    // no replication is better or worse.
    let lost = row("lost");
    assert_eq!(lost["better"], "lower");
    assert_eq!(
        (
            number(lost, "probability_better"),
            number(lost, "probability_worse")
        ),
        (0.0, 0.0)
    );
    // comparison.json: every row, under the same names.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    let json_rows = json["rows"].as_array().unwrap();
    assert_eq!(json_rows.len(), rows.len());
    let first = &json_rows[0];
    for column in [
        "difference_median",
        "better",
        "probability_better",
        "relative_p95",
    ] {
        assert!(first.get(column).is_some(), "{column} missing: {first}");
    }
    // The table shows the distribution, and says what pairing and
    // precision mean.
    let table = String::from_utf8_lossy(&output.stdout);
    for words in [
        "middle 90%",
        "P(better)",
        "precision (95% CI of mean)",
        "pairing ×:",
    ] {
        assert!(table.contains(words), "no `{words}` in\n{table}");
    }
}

#[test]
fn every_whole_system_folder_has_its_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml"),
    )
    .unwrap()
    .replace("horizon_days = 730", "horizon_days = 400");
    let path = write(dir.path(), "minimal.toml", &text);
    let run = dir.path().join("run");
    succeed(
        iccsim()
            .args(["run", &path, "-n", "3", "--quiet", "--out"])
            .arg(&run),
    );
    let rows = csv_rows(&run.join("thresholds.csv"));
    let header = std::fs::read_to_string(run.join("thresholds.csv")).unwrap();
    assert!(header.starts_with(
        "scenario,year,year_start,icc,metric,unit,threshold,direction,probability,replications\n"
    ));
    // Occupancy above 85%, 92% and 95%, for years 1 and 2 and all years.
    let occupancy: Vec<_> = rows
        .iter()
        .filter(|r| r["metric"] == "acute_occupancy")
        .collect();
    assert_eq!(occupancy.len(), 9, "{rows:?}");
    for r in &occupancy {
        assert_eq!(
            (r["icc"].as_str(), r["direction"].as_str()),
            ("all", "above")
        );
        assert_eq!(r["replications"], "3");
        let p: f64 = r["probability"].parse().unwrap();
        assert!(
            [0.0, 1.0 / 3.0, 2.0 / 3.0, 1.0]
                .iter()
                .any(|q| (p - q).abs() < 1e-12)
        );
    }
    // A batch writes the same file, and so does each scenario of a compare.
    let batch = dir.path().join("batch");
    succeed(
        iccsim()
            .args(["batch", &path, "-n", "3", "--quiet", "--out"])
            .arg(&batch),
    );
    assert_eq!(
        std::fs::read(run.join("thresholds.csv")).unwrap(),
        std::fs::read(batch.join("thresholds.csv")).unwrap()
    );
    let cmp = dir.path().join("cmp");
    succeed(
        iccsim()
            .args(["compare", &path, &path, "-n", "2", "--quiet", "--out"])
            .arg(&cmp),
    );
    for folder in ["scenarios/minimal-system", "scenarios/minimal-system-2"] {
        assert!(cmp.join(folder).join("thresholds.csv").exists(), "{folder}");
    }
}
