//! The warm-up diagnostic (`iccsim warmup`): MSER-5 and Welch's moving
//! average on a simulated known transient (an infinite-server ward filling
//! from empty, whose mean occupancy is known at every time), and the
//! command as a user meets it: its files, their columns, its verdict, its
//! provenance, `--from-empty`, and its refusal to write over files it did
//! not write.

use std::fs;

use crate::common::{self, csv_rows, fails_with, iccsim, succeed};
use iccsim::experiment::warmup;

/// An unlimited ward: 20 arrivals a day, exponential stays of mean 10
/// days, no warm-up. From empty its mean occupancy at time t is
/// 200 (1 − e^(−t/10)) (M/M/∞); in equilibrium the count is Poisson(200).
fn ward(census: &str, warmup_days: f64, horizon: f64) -> String {
    let service = format!(
        r#"capacity = "unlimited"
stay = {{ dist = "exponential", mean = 10.0 }}
{census}"#
    );
    common::single_service(&service, 20.0, warmup_days, horizon)
}

/// Filling from empty, the transient 200 e^(−t/10) is 27 at day 20 and 10
/// at day 30, against a standard error of a day's mean over 20
/// replications of about √200 / √20 ≈ 3.2: MSER-5 must cut at least the
/// first 25 days. Past the transient (below 1 after 53 days) the series is
/// stationary and MSER's minimum may fall anywhere its noise puts it (the
/// statistic's shape there does not depend on the number of
/// replications), so the bound above is that the minimum is not at the
/// search limit (200 days). What the cut is for: the mean of what is kept
/// is the steady state, 200, within 5 standard errors (a mean of at least
/// 200 days × 20 replications, correlation time 20 days: se ≈ 1), where
/// the whole run's mean is below it by the transient's area, 200 × 10 /
/// 400 = 5.
#[test]
fn mser5_truncates_a_ward_filling_from_empty_where_the_transient_has_decayed() {
    let network = common::network(&ward("", 0.0, 400.0));
    let outputs = common::outputs(&network, 20, 11, false);
    let series = warmup::headline_series(&network, &outputs);
    assert_eq!(series.len(), 1);
    assert_eq!(series[0].name, "unit.occupancy");
    assert_eq!(series[0].mean.len(), 400);
    // The series itself is the known curve: day 20 (mean over the day,
    // 200 (1 − e^(−2.05)) = 174.3) within 4 standard errors (3.2).
    let day20 = series[0].mean[20];
    assert!((day20 - 174.3).abs() < 4.0 * 3.2, "day 20: {day20}");
    let analyses = warmup::analyse(series, &[7, 30, 90]);
    let a = &analyses[0];
    let t = a.mser5.unwrap();
    assert!(!t.at_search_limit, "{t:?}");
    assert!(t.observations >= 25, "{t:?}");
    let mean_of = |days: &[f64]| days.iter().sum::<f64>() / days.len() as f64;
    let kept = mean_of(&a.series.mean[t.observations..]);
    assert!((kept - 200.0).abs() < 5.0, "kept {kept}, {t:?}");
    let whole = mean_of(&a.series.mean);
    assert!(whole < kept - 2.5, "whole run {whole}, kept {kept}");
    // A warm-up beyond the search covers it; one of 5 days does not.
    assert_eq!(a.long_enough(200.0), Some(true));
    assert_eq!(a.long_enough(5.0), Some(false));
    // Welch's curve (w = 90) reaches the level after the transient's first
    // weeks, not on day 0.
    assert!(a.welch_day.is_some_and(|d| d >= 10), "{:?}", a.welch_day);
    // The moving averages are of the series: w = 7 at day 100 is the mean
    // of days 93 ..= 107.
    let by_hand = a.series.mean[93..=107].iter().sum::<f64>() / 15.0;
    assert!((a.moving_averages[0][100].unwrap() - by_hand).abs() < 1e-9);
    // w = 90 is defined while its window ends by day 399.
    assert!(a.moving_averages[2][309].is_some() && a.moving_averages[2][310].is_none());
}

/// Started from its equilibrium census (200 patients part-way through
/// exponential stays, whose time left is exponential: the distribution at
/// every time is that of the steady state, but for the count being fixed
/// rather than Poisson), the ward has no transient in its mean: MSER-5
/// keeps nearly all of it. Its noise can move the minimum in by a few
/// correlation times (10 days each), not to where the empty ward's is.
#[test]
fn mser5_keeps_a_ward_started_in_its_steady_state() {
    let census = r#"initial = [{ patient_type = "patients", patients = 200 }]"#;
    let network = common::network(&ward(census, 0.0, 400.0));
    let outputs = common::outputs(&network, 20, 11, false);
    let analyses = warmup::analyse(warmup::headline_series(&network, &outputs), &[30]);
    let t = analyses[0].mser5.unwrap();
    assert!(t.observations <= 40, "{t:?}");
    assert!((analyses[0].series.mean[0] - 200.0).abs() < 15.0);
}

/// The command on a tiny network: the five files, their columns, one row
/// per output and day, the verdict, and run.json's provenance.
#[test]
fn the_command_writes_its_files_and_its_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("ward.toml");
    fs::write(&scenario, ward("", 30.0, 170.0)).unwrap();
    let out = dir.path().join("warmup");
    let output = succeed(
        iccsim()
            .arg("warmup")
            .arg(&scenario)
            .args(["-n", "4", "--seed", "3", "--windows", "7,30"])
            .arg("--out")
            .arg(&out),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("warmup_days = 30 is") && stdout.contains("longest MSER-5 truncation"),
        "{stdout}"
    );
    for file in [
        "warmup.csv",
        "warmup_summary.csv",
        "warmup.svg",
        "run.json",
        "scenario.toml",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let rows = csv_rows(&out.join("warmup.csv"));
    assert_eq!(rows.len(), 200, "one row per day of 30 + 170");
    assert_eq!(
        csv::Reader::from_path(out.join("warmup.csv"))
            .unwrap()
            .headers()
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [
            "output",
            "day",
            "mean",
            "moving_average_7",
            "moving_average_30"
        ]
    );
    assert_eq!(rows[0]["output"], "unit.occupancy");
    assert_eq!(rows[199]["day"], "199");
    assert_eq!(rows[199]["moving_average_7"], "", "past the end of the run");
    let summary = csv_rows(&out.join("warmup_summary.csv"));
    assert_eq!(summary.len(), 1);
    let row = &summary[0];
    assert_eq!(row["scenario_warmup_days"], "30");
    assert_eq!(row["run_days"], "200");
    assert_eq!(row["replications"], "4");
    let day: usize = row["mser5_day"].parse().unwrap();
    assert_eq!(day % 5, 0);
    assert_eq!(
        row["long_enough"],
        if day <= 30 { "yes" } else { "no" },
        "{row:?}"
    );
    let run: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["command"], "warmup");
    assert_eq!(run["seed"], 3);
    assert_eq!(run["run_days"], 200.0);
    assert_eq!(run["scenario_warmup_days"], 30.0);
    assert_eq!(run["from_empty"], false);
    assert!(run["command_line"][1] == "warmup");
    // The scenario as run: no warm-up, 200 days.
    let text = run["scenario_text"].as_str().unwrap();
    assert!(
        text.contains("warmup_days = 0") && text.contains("horizon_days = 200"),
        "{text}"
    );
    assert!(
        fs::read_to_string(out.join("warmup.svg"))
            .unwrap()
            .starts_with("<svg")
    );
    // The same seed gives the same files.
    let again = dir.path().join("again");
    succeed(
        iccsim()
            .arg("warmup")
            .arg(&scenario)
            .args([
                "-n",
                "4",
                "--seed",
                "3",
                "--windows",
                "7,30",
                "-q",
                "-j",
                "1",
            ])
            .arg("--out")
            .arg(&again),
    );
    assert_eq!(
        fs::read(out.join("warmup.csv")).unwrap(),
        fs::read(again.join("warmup.csv")).unwrap()
    );
}

/// --from-empty removes the census: day 0 starts near 0 rather than 200.
#[test]
fn from_empty_removes_the_starting_census() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("ward.toml");
    let census = r#"initial = [{ patient_type = "patients", patients = 200 }]"#;
    fs::write(&scenario, ward(census, 10.0, 40.0)).unwrap();
    let day0 = |empty: bool, name: &str| -> f64 {
        let out = dir.path().join(name);
        let mut command = iccsim();
        command.arg("warmup").arg(&scenario).args(["-n", "2", "-q"]);
        if empty {
            command.arg("--from-empty");
        }
        succeed(command.arg("--out").arg(&out));
        csv_rows(&out.join("warmup.csv"))[0]["mean"]
            .parse()
            .unwrap()
    };
    // From the census: 200 at the start, about 190 over day 0. From empty:
    // 20 arrivals spread over the day, about 10.
    assert!(day0(false, "census") > 150.0);
    assert!(day0(true, "empty") < 30.0);
}

/// A file the user put in the folder under one of its names is never
/// written over.
#[test]
fn refuses_to_overwrite_a_file_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("ward.toml");
    fs::write(&scenario, ward("", 10.0, 40.0)).unwrap();
    let out = dir.path().join("mine");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("warmup.csv"), "my notes\n").unwrap();
    let output = iccsim()
        .arg("warmup")
        .arg(&scenario)
        .args(["-n", "1", "-q"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert_eq!(
        fs::read_to_string(out.join("warmup.csv")).unwrap(),
        "my notes\n"
    );
    fails_with(&output, output.status.code().unwrap(), "warmup.csv");
}

#[test]
fn help_has_an_example() {
    let output = succeed(iccsim().args(["warmup", "--help"]));
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Examples:") && text.contains("iccsim warmup") && text.contains("MSER-5"),
        "{text}"
    );
}

/// The verdict says what to do: a warm-up too short for the ward filling
/// from empty (transient ~50 days) names the days to set, and a run too
/// short for MSER-5 to settle anything cannot judge the warm-up (the trial
/// of issue 24 read "long enough" for a run shorter than the warm-up).
#[test]
fn the_verdict_names_the_warm_up_to_set_or_that_it_cannot_judge() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("ward.toml");
    fs::write(&scenario, ward("", 1.0, 400.0)).unwrap();
    let run = |extra: &[&str], out: &str| {
        let output = succeed(
            iccsim()
                .arg("warmup")
                .arg(&scenario)
                .args(["-n", "20", "--seed", "3", "--from-empty"])
                .args(extra)
                .arg("--out")
                .arg(dir.path().join(out)),
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let short = run(&[], "a");
    assert!(
        short.contains("warmup_days = 1 is NOT long enough")
            && short.contains("set run.warmup_days to at least"),
        "{short}"
    );
    let tiny = run(&["--days", "12"], "b");
    assert!(
        tiny.contains("cannot be judged") && !tiny.contains("long enough"),
        "{tiny}"
    );
}
