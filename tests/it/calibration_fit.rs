//! `iccsim calibrate --fit` against a known answer: on the small
//! whole-system fixture (one ICC, constant rates), the 65-74 crisis rate
//! that makes that band's emergency admissions hit a target is exact, and
//! the fitted rate must land within the Monte Carlo tolerance of it; the
//! held-out ED attendances follow; fitted.toml reproduces the fit to the
//! last digit (common random numbers); bad `[calibration.fit]` sections
//! get clear messages; a target the bounds cannot reach exits with code 5
//! naming it. (Reproducing the north Cumbria calibration from perturbed
//! values is a long test: tests/long_run.rs, `fit_`.)

use std::path::Path;

use crate::common::iccsim;

/// The fixture over one year (the targets are of year 1).
fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    std::fs::read_to_string(path)
        .unwrap()
        .replace("horizon_days = 730", "horizon_days = 365")
}

/// 65-74: 6,000 people; P(admitted | crisis) = direct + (1 − direct) ×
/// ed_admission = 0.1 + 0.9 × 0.4 = 0.46; window year 1 has 365 days and
/// rates are per 365.25.
const PEOPLE: f64 = 6000.0;
const ADMITTED: f64 = 0.46;
const YEAR_1: f64 = 365.0 / 365.25;
const OBSERVED_ADMISSIONS: f64 = 1380.0;

/// The rate per 1,000 that gives the observed admissions exactly.
fn exact_rate() -> f64 {
    OBSERVED_ADMISSIONS / (PEOPLE / 1000.0 * ADMITTED * YEAR_1)
}

fn with_fit(free: &str) -> String {
    format!(
        "{}
[calibration.fit]
free = {free}

[[calibration.targets]]
name = \"Emergency admissions 65-74\"
metric = \"emergency_admissions\"
age_bands = [\"65-74\"]
year = 1
observed = {OBSERVED_ADMISSIONS}
low = 1242
high = 1518
source = \"exact: 6,000 × rate × 0.46\"

[[calibration.targets]]
name = \"ED attendances 65-74\"
metric = \"ed_attendances\"
age_bands = [\"65-74\"]
year = 1
observed = 2700
low = 2430
high = 2970
source = \"exact: 6,000 × rate × 0.9 at the fitted rate\"
fit = false
",
        fixture()
    )
}

const RATE_FREE: &str =
    "[{ key = 'age_bands.\"65-74\".crisis_per_1000', min = 200, max = 800 }]   # fitted below";

fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    csv::Reader::from_path(path)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn the_fitted_rate_is_the_exact_one_within_monte_carlo_error() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("minimal-fit.toml");
    let text = with_fit(RATE_FREE);
    std::fs::write(&scenario, &text).unwrap();
    let out = dir.path().join("fit");
    let n = 16.0;
    let output = iccsim()
        .args(["calibrate", "--fit", "-n", "16", "--seed", "11", "--out"])
        .arg(&out)
        .arg(&scenario)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The input is never written over.
    assert_eq!(std::fs::read_to_string(&scenario).unwrap(), text);

    // The fitted value, as fitted.toml holds it.
    let fitted_text = std::fs::read_to_string(out.join("fitted.toml")).unwrap();
    let fitted: toml::Table = toml::from_str(&fitted_text).unwrap();
    let rate = fitted["age_bands"]["65-74"]["crisis_per_1000"]
        .as_float()
        .unwrap();
    // The mean of 16 Poisson counts near λ = 1,380 has a standard error
    // of sqrt(λ / 16) ≈ 9.3 (0.67%); the fitted rate makes the simulated
    // mean (not λ) hit the target, so it is off the exact rate by that
    // error in relative terms: 4 standard errors, plus 1% for the
    // search's stopping tolerance (it stops when the objective improves
    // by less than 0.01 + 5%; an objective of 0.01 is a tenth of the
    // half-band, 13.8 admissions, 1%).
    let relative = 4.0 * (OBSERVED_ADMISSIONS / n).sqrt() / OBSERVED_ADMISSIONS + 0.01;
    let exact = exact_rate();
    assert!(
        (rate - exact).abs() <= relative * exact,
        "fitted {rate} vs exact {exact:.2} (tolerance {:.2})\n{stdout}",
        relative * exact
    );
    // The comment says where it came from; the rest of the file is kept.
    assert!(
        fitted_text.contains(&format!(
            "crisis_per_1000 = {rate} # fitted by iccsim calibrate --fit on "
        )) && fitted_text.contains(" from 400 (bounds 200-800)"),
        "{fitted_text}"
    );
    assert!(fitted_text.starts_with("# A small whole-system scenario"));
    assert!(
        fitted_text.contains("max = 800 }]   # fitted below\n"),
        "{fitted_text}"
    );

    // fit_targets.csv: the fitted target inside after, not before (the
    // start, 400, gives 1,104); the held-out target labelled and inside.
    let targets = csv_rows(&out.join("fit_targets.csv"));
    assert_eq!(targets.len(), 2);
    assert_eq!(&targets[0][6], "fitted");
    assert_eq!((&targets[0][14], &targets[0][15]), ("false", "true"));
    assert_eq!(&targets[1][6], "held_out");
    assert_eq!(&targets[1][15], "true");
    let after: f64 = targets[0][11].parse().unwrap();
    // The table labels the held-out target apart.
    let held = stdout.find("Held-out targets").unwrap();
    assert!(stdout[held..].contains("ED attendances 65-74"), "{stdout}");
    assert!(!stdout[..held].contains("ED attendances 65-74"), "{stdout}");

    // fit.csv: one row per evaluation, the start first, one kept.
    let evaluations = csv_rows(&out.join("fit.csv"));
    assert!(evaluations.len() >= 3 && evaluations.len() <= 40);
    assert_eq!(&evaluations[0][1], "400");
    assert_eq!(evaluations.iter().filter(|r| &r[5] == "true").count(), 1);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["fit"]["stopped"], "converged");
    assert_eq!(run["provenance"]["seed"], 11);

    // Common random numbers: fitted.toml, run with the same seed and
    // replications, gives the kept evaluation's value exactly.
    let check = dir.path().join("check");
    std::fs::write(dir.path().join("fitted.toml"), &fitted_text).unwrap();
    iccsim()
        .args(["calibrate", "-n", "16", "--seed", "11", "--out"])
        .arg(&check)
        .arg(dir.path().join("fitted.toml"))
        .assert()
        .success();
    let again = csv_rows(&check.join("calibration.csv"));
    assert_eq!(again[0][10].parse::<f64>().unwrap(), after);
}

#[test]
fn a_target_the_bounds_cannot_reach_exits_with_code_5_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("narrow.toml");
    // At most 300 per 1,000: 828 admissions, below the band's 1,242.
    std::fs::write(
        &scenario,
        with_fit("[{ key = 'age_bands.\"65-74\".crisis_per_1000', min = 200, max = 450 }]")
            .replace("crisis_per_1000 = 400.0", "crisis_per_1000 = 300.0")
            .replace("min = 200, max = 450", "min = 200, max = 300"),
    )
    .unwrap();
    let output = iccsim()
        .args([
            "calibrate",
            "--fit",
            "-n",
            "2",
            "--max-evaluations",
            "8",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 fitted target(s) still outside their band")
            && stderr.contains("\"Emergency admissions 65-74\" (emergency_admissions, 65-74)")
            && stderr.contains("Widen the bounds"),
        "{stderr}"
    );
    // The files are written all the same, the rate at its upper bound.
    let fitted = std::fs::read_to_string(dir.path().join("out/fitted.toml")).unwrap();
    assert!(
        fitted.contains("crisis_per_1000 = 300.0 # fitted"),
        "{fitted}"
    );
    assert!(csv_rows(&dir.path().join("out/fit.csv")).len() <= 8);
}

#[test]
fn bad_fit_sections_get_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[{ key = 'age_bands.\"65-74\".crisis_per_100', min = 200, max = 800 }]",
            "calibration.fit.free[0].key = \"age_bands.\\\"65-74\\\".crisis_per_100\": `age_bands.65-74.crisis_per_100` is not in the scenario (did you mean `crisis_per_1000`?)",
        ),
        (
            "[{ key = 'age_bands.\"65-74\".crisis_per_1000', min = 800, max = 200 }]",
            "calibration.fit.free[0].min = 800: must be below max (200)",
        ),
        (
            "[{ key = 'age_bands.\"65-74\".crisis_per_1000', min = 450, max = 800 }]",
            "starts at 400, outside its bounds 450 to 800: the fit starts from the scenario's value; widen the bounds, or change the value in the scenario",
        ),
        ("[]", "calibration.fit.free: lists no free values"),
        (
            "[{ key = 'age_bands.\"65-74\".overnight_stay', min = 1, max = 9 }]",
            "is a table in the scenario, not a number: only numbers can be fitted (for a distribution, free one of its numbers, e.g. `age_bands.65-74.overnight_stay.mean`)",
        ),
        (
            "[{ key = 'name', min = 1, max = 9 }]",
            "is text in the scenario, not a number",
        ),
        (
            "[{ key = 'run.warmup_days', min = 0, max = 9 }]",
            "`[run]` says how the scenario is run or checked, not what it models",
        ),
        (
            "[{ key = 'sites.general.adult_beds', min = 999.5, max = 1000 }]",
            "is a whole number in the scenario, so its bounds must be at least 1 apart",
        ),
    ];
    for (i, (free, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, with_fit(free)).unwrap();
        let output = iccsim().arg("validate").arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(3), "{free}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{free}:\n{stderr}");
    }
    // Every target held out.
    let path = dir.path().join("all-held-out.toml");
    std::fs::write(
        &path,
        with_fit(RATE_FREE).replace(
            "source = \"exact: 6,000 × rate × 0.46\"",
            "source = \"x\"\nfit = false",
        ),
    )
    .unwrap();
    let output = iccsim().arg("validate").arg(&path).output().unwrap();
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("every target is held out (fit = false)"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // --fit needs --out, and a [calibration.fit].
    let path = dir.path().join("ok.toml");
    std::fs::write(&path, with_fit(RATE_FREE)).unwrap();
    let output = iccsim()
        .args(["calibrate", "--fit"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("give the folder with --out DIR"));
    let output = iccsim()
        .args(["calibrate", "--fit", "--out"])
        .arg(dir.path().join("o"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("has no [calibration.fit]"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Too few evaluations for the simplex.
    let output = iccsim()
        .args(["calibrate", "--fit", "--max-evaluations", "2", "--out"])
        .arg(dir.path().join("o"))
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs at least 3"));
    // The JSON Schema knows the new keys.
    let schema = iccsim().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).unwrap();
    let defs = &schema["$defs"];
    assert!(
        defs["RawFit"]["properties"]["max_evaluations"].is_object(),
        "{defs}"
    );
    assert!(defs["RawFree"]["properties"]["key"].is_object());
    assert!(defs["RawTarget"]["properties"]["fit"].is_object());
}
