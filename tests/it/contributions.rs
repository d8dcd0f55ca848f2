//! `compare BASE ALT --by-lever`: the parts of contributions.csv add up to
//! the total difference; ALT with every lever switched off is the
//! baseline it extends, replication by replication (common random
//! numbers); a scenario without levers, or with too many, is refused.

use std::collections::HashMap;
use std::path::Path;

use crate::common::{csv_rows, fails_with, iccsim, succeed};

const BASELINE: &str = "scenarios/north-cumbria-baseline.toml";
const ALT: &str = "scenarios/library/discharge-to-assess.toml";

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
}

#[test]
fn the_parts_add_up_and_no_levers_is_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("by-lever");
    let output = succeed(
        iccsim()
            .args(["compare", BASELINE, ALT, "--by-lever", "-n", "2"])
            .args([
                "--set-all",
                "run.horizon_days=730",
                "--set-all",
                "run.warmup_days=30",
            ])
            .arg("-o")
            .arg(&out),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("Contribution by lever"), "{stdout}");
    let rows = csv_rows(&out.join("contributions.csv"));
    let levers: Vec<&str> = rows
        .iter()
        .filter(|r| {
            r["part"] == "lever" && r["metric"] == "emergency_admissions" && r["year"] == "all"
        })
        .map(|r| r["lever"].as_str())
        .collect();
    assert_eq!(levers, vec!["hub", "assess_at_home", "reablement"]);
    // Every metric over all years and over the last year (year 2).
    for metric in [
        "emergency_admissions",
        "acute_bed_days",
        "acute_occupancy",
        "acute_delayed_bed_days",
        "cost_total",
    ] {
        for year in ["all", "2"] {
            let of = |part: &str| -> Vec<&HashMap<String, String>> {
                rows.iter()
                    .filter(|r| r["metric"] == metric && r["year"] == year && r["part"] == part)
                    .collect()
            };
            let one = |part: &str| {
                let found = of(part);
                assert_eq!(found.len(), 1, "{metric} {year} {part}");
                found[0]
            };
            // ALT with its levers off is the baseline it extends: the same
            // numbers in every replication, so the part is exactly 0.
            let not_levers = one("not_levers");
            for column in ["alone_mean", "alone_p05", "alone_p95"] {
                assert_eq!(number(not_levers, column), 0.0, "{metric} {year} {column}");
            }
            // not levers + Σ alone + interaction = total (means are linear).
            let total = number(one("total"), "alone_mean");
            let sum: f64 = number(not_levers, "alone_mean")
                + of("lever")
                    .iter()
                    .map(|r| number(r, "alone_mean"))
                    .sum::<f64>()
                + number(one("interaction"), "alone_mean");
            assert!(
                (sum - total).abs() <= 1e-9 * total.abs().max(1.0),
                "{metric} {year}: parts {sum} vs total {total}"
            );
            // Removed: all levers − Σ removed is the other interaction.
            let all_levers = number(one("all_levers"), "alone_mean");
            let removed: f64 = of("lever").iter().map(|r| number(r, "removed_mean")).sum();
            let other = number(one("interaction"), "removed_mean");
            assert!((all_levers - removed - other).abs() <= 1e-9 * all_levers.abs().max(1.0));
            assert_eq!(one("total")["replications"], "2");
            assert_eq!(one("total")["removed_mean"], "");
        }
    }
    // The last year starts in April 2026.
    let last = rows.iter().find(|r| r["year"] == "2").unwrap();
    assert!(
        last["year_start"].starts_with("2026-"),
        "{}",
        last["year_start"]
    );
}

#[test]
fn scenarios_without_levers_or_with_too_many_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let compare = |scenarios: &[&str]| {
        iccsim()
            .arg("compare")
            .args(scenarios)
            .args([
                "--by-lever",
                "-n",
                "2",
                "--set-all",
                "run.horizon_days=60",
                "-o",
            ])
            .arg(&out)
            .output()
            .unwrap()
    };
    fails_with(&compare(&[BASELINE, BASELINE]), 2, "has no levers");
    fails_with(
        &compare(&[BASELINE, ALT, ALT]),
        2,
        "one scenario with levers at a time",
    );

    let baseline = Path::new(BASELINE).canonicalize().unwrap();
    let mut many = format!(
        "extends = {:?}\nname = \"many\"\n",
        baseline.display().to_string()
    );
    for k in 0..13 {
        many.push_str(&format!(
            "[levers.l{k}]\neffect = \"capacity\"\nservice = \"reablement\"\nmultiplier = 1.0\nstart = 2026-04-01\n"
        ));
    }
    let path = dir.path().join("many.toml");
    std::fs::write(&path, many).unwrap();
    fails_with(
        &compare(&[BASELINE, path.to_str().unwrap()]),
        2,
        "13 levers, more than 12",
    );
}
