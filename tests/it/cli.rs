//! The `iccsim` command as a user meets it: help, exit codes, messages
//! without stack traces, output files, and reproducibility.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn iccsim() -> Command {
    Command::cargo_bin("iccsim").unwrap()
}

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const FILES: &[&str] = &[
    "summary.csv",
    "replications.csv",
    "timeseries.csv",
    "flows.csv",
    "occupancy.csv",
    "results.json",
];

#[test]
fn help_on_every_command_has_examples() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["validate", "--help"],
        vec!["calibrate", "--help"],
        vec!["batch", "--help"],
        vec!["merge", "--help"],
        vec!["compare", "--help"],
        vec!["sweep", "--help"],
        vec!["report", "--help"],
    ] {
        let output = iccsim().args(&args).output().unwrap();
        assert!(output.status.success());
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("Examples:") && text.contains("iccsim "),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn run_without_a_scenario_uses_the_built_in_default() {
    let dir = tempfile::tempdir().unwrap();
    let output = iccsim()
        .current_dir(dir.path())
        .args(["run", "-n", "2"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("North Cumbria baseline")
            && table.contains("emergency_admissions")
            && table.contains("cost_total")
            && table.contains("all years: median (middle 90%)")
            && table.contains("precision (95% CI of mean)")
            // A count over the years is a total; money in £, not pence-long digits.
            && table.contains("total")
            && table.contains("£"),
        "{table}"
    );
    // No money (or anything) printed as a long run of digits.
    let longest_digits = table
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    assert!(longest_digits < 7, "{table}");
    let folder = dir.path().join("results/north-cumbria-baseline");
    for file in FILES
        .iter()
        .chain(&["breakdown.csv", "breakdown_summary.csv", "thresholds.csv"])
    {
        assert!(
            fs::metadata(folder.join(file)).unwrap().len() > 100,
            "{file}"
        );
    }
    let summary = fs::read_to_string(folder.join("breakdown_summary.csv")).unwrap();
    assert!(summary.starts_with(
        "scenario,year,year_start,icc,age_band,metric,unit,n,mean,sd,se,ci95_low,ci95_high,min,max,p05,p25,median,p75,p95,level\n"
    ));
    for row in [
        "north-cumbria-baseline,all,,all,all,emergency_admissions,admissions,2,",
        "north-cumbria-baseline,1,2025-04-01,copeland,85+,emergency_admissions,admissions,2,",
        "north-cumbria-baseline,5,2029-04-01,eden,all,cost_total,GBP 2023/24 prices,2,",
        "north-cumbria-baseline,all,,all,all,acute_occupancy,fraction,2,",
    ] {
        assert!(summary.contains(row), "{row}");
    }
    // The cohort types are reported by ICC and band, not one by one.
    let replications = fs::read_to_string(folder.join("replications.csv")).unwrap();
    assert!(!replications.contains("crisis/"));
}

#[test]
fn the_reference_network_still_reports_each_service() {
    let dir = tempfile::tempdir().unwrap();
    let output = iccsim()
        .current_dir(dir.path())
        .args(["run", &scenario("reference-network.toml"), "-n", "3"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("Reference network") && table.contains("occupancy_mean"),
        "{table}"
    );
    let folder = dir.path().join("results/reference-network");
    for file in FILES {
        assert!(
            fs::metadata(folder.join(file)).unwrap().len() > 100,
            "{file}"
        );
    }
    assert!(!folder.join("breakdown.csv").exists());
    let summary = fs::read_to_string(folder.join("summary.csv")).unwrap();
    assert!(summary.starts_with(
        "scenario,service,patient_type,metric,unit,n,mean,sd,se,ci95_low,ci95_high,min,max,p05,p25,median,p75,p95\n"
    ));
    assert!(summary.contains("reference-network,acute,all,occupancy_mean,places,3,"));
    let timeseries = fs::read_to_string(folder.join("timeseries.csv")).unwrap();
    assert!(timeseries.contains(",day,") && timeseries.contains(",year,"));
}

#[test]
fn same_seed_gives_byte_identical_files_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let stress = scenario("reference-network-stress.toml");
    for (folder, threads) in [("a", "1"), ("b", "2"), ("c", "1")] {
        let out = dir.path().join(folder);
        let output = iccsim()
            .args([
                "run",
                &stress,
                "-n",
                "4",
                "--seed",
                "7",
                "--episodes",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
        assert!(output.stdout.is_empty(), "--quiet prints nothing");
    }
    for file in FILES.iter().chain(&["episodes.csv"]) {
        let a = fs::read(dir.path().join("a").join(file)).unwrap();
        assert_eq!(
            a,
            fs::read(dir.path().join("b").join(file)).unwrap(),
            "{file}: 1 vs 2 threads"
        );
        assert_eq!(
            a,
            fs::read(dir.path().join("c").join(file)).unwrap(),
            "{file}: run twice"
        );
    }
    // A different seed gives different numbers.
    let other = dir.path().join("d");
    iccsim()
        .args(["run", &stress, "-n", "4", "--seed", "8", "-q", "--out"])
        .arg(&other)
        .assert()
        .success();
    assert_ne!(
        fs::read(dir.path().join("a/replications.csv")).unwrap(),
        fs::read(other.join("replications.csv")).unwrap()
    );
}

#[test]
fn validate_reports_ok_and_problems_with_exit_code_3() {
    let output = iccsim()
        .args([
            "validate",
            &scenario("reference-network.toml"),
            &scenario("reference-network-stress.toml"),
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout)
            .matches("ok: ")
            .count(),
        2
    );

    let bad =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/negative-capacity.toml");
    let output = iccsim().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let message = stderr_of(&output);
    assert!(message.starts_with("error: scenario"), "{message}");
    assert!(
        message.contains("services.acute.capacity = -3: must be a whole number ≥ 0"),
        "{message}"
    );
    assert!(
        !message.contains("panicked") && !message.contains("backtrace"),
        "{message}"
    );
}

#[test]
fn bad_inputs_get_clear_errors_and_exit_codes() {
    // Missing scenario file: exit 3.
    let output = iccsim()
        .args(["run", "no-such-file.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).contains("cannot read scenario no-such-file.toml"));
    // Bad usage: clap's exit 2, naming the flag.
    let output = iccsim()
        .args(["run", "--replications", "0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_of(&output).contains("--replications"));
    // An output folder that cannot be created: exit 4, naming the path.
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    fs::write(&blocker, "not a folder").unwrap();
    let output = iccsim()
        .args(["run", "-n", "1", "-q", "--out"])
        .arg(blocker.join("out"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(4), "{}", stderr_of(&output));
    assert!(
        stderr_of(&output).contains("cannot write"),
        "{}",
        stderr_of(&output)
    );
}

#[test]
fn episodes_file_has_one_row_per_visit() {
    let dir = tempfile::tempdir().unwrap();
    iccsim()
        .args([
            "run",
            &scenario("reference-network-stress.toml"),
            "-n",
            "1",
            "-q",
            "--episodes",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let episodes = fs::read_to_string(dir.path().join("episodes.csv")).unwrap();
    let mut lines = episodes.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,replication,patient,patient_type,service,requested_at,started_at,ready_at,left_at,wait_days,los_days,delayed_days,destination"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() > 15_000);
    assert!(
        rows.iter().any(|r| r[12] == "lost" && r[6].is_empty()),
        "lost arrivals have no start"
    );
    assert!(
        rows.iter()
            .any(|r| r[4] == "acute" && r[12] == "community" && r[11] != "0"),
        "some blocked transfers"
    );
    // Blocked transfers waited for their community slot: the wait is the
    // time from the request to admission, not zero.
    let waited = rows
        .iter()
        .filter(|r| r[4] == "community" && r[9].parse::<f64>().unwrap_or(0.0) > 0.0)
        .count();
    assert!(waited > 100, "{waited} community episodes with a wait");
    for r in &rows {
        if let (Ok(requested), Ok(started), Ok(wait)) = (
            r[5].parse::<f64>(),
            r[6].parse::<f64>(),
            r[9].parse::<f64>(),
        ) {
            assert!(
                (started - requested - wait).abs() < 1e-6 && wait >= 0.0,
                "{r:?}"
            );
        }
    }
}

#[test]
fn compare_writes_paired_differences() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let stress = scenario("reference-network-stress.toml");
    let output = iccsim()
        .args(["compare", &stress, &stress, "-n", "3", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("paired: common random numbers"), "{table}");
    let csv = fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(csv.starts_with("baseline,scenario,table,service,patient_type,year,icc,age_band,metric,unit,n,baseline_mean,scenario_mean,difference_mean,"));
    // The same scenario: every difference is 0 (or undefined).
    for line in csv.lines().skip(1) {
        let diff = line.split(',').nth(13).unwrap();
        assert!(diff == "0" || diff.is_empty(), "{line}");
    }
    // A missing scenario is an invalid-input error naming the file.
    let output = iccsim()
        .args(["compare", &stress, "no-such.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr_of(&output).contains("no-such.toml"));
}

/// Every CSV file in a folder parses with the same number of fields in
/// every row as in its header (renderers write rows field by field, so a
/// header out of step with the rows would otherwise go unnoticed).
fn assert_csv_files_are_rectangular(folder: &Path) {
    let mut checked = 0;
    for entry in fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") && !path.ends_with("records.csv") {
            let mut reader = csv::Reader::from_path(&path).unwrap();
            let width = reader.headers().unwrap().len();
            for row in reader.records() {
                let row = row.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                assert_eq!(row.len(), width, "{}", path.display());
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no csv in {}", folder.display());
}

#[test]
fn every_csv_output_is_rectangular() {
    let dir = tempfile::tempdir().unwrap();
    let stress = scenario("reference-network-stress.toml");
    for (args, name) in [
        (vec!["run", "-n", "2", "--episodes"], "baseline-run"),
        (vec!["run", &stress, "-n", "2", "--episodes"], "stress-run"),
        (vec!["batch", &stress, "-n", "3"], "batch"),
        (vec!["compare", &stress, &stress, "-n", "2"], "compare"),
        (
            vec![
                "sweep",
                &stress,
                "--sweep",
                "services.acute.capacity=240,250",
                "-n",
                "2",
            ],
            "sweep",
        ),
    ] {
        let out = dir.path().join(name);
        let output = iccsim()
            .args(&args)
            .args(["--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(output.status.success(), "{name}: {}", stderr_of(&output));
        assert_csv_files_are_rectangular(&out);
    }
}

#[test]
fn calibrate_writes_observed_against_simulated_for_notebooks() {
    let dir = tempfile::tempdir().unwrap();
    let output = iccsim()
        .args([
            "calibrate",
            "-n",
            "2",
            "--set",
            "run.horizon_days=365",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr_of(&output));
    let text = fs::read_to_string(dir.path().join("calibration.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "scenario,target,metric,age_bands,year,per_year,observed,accepted_low,accepted_high,n,simulated_mean,simulated_ci95_low,simulated_ci95_high,within,source"
    );
    // One row per target of the baseline's [calibration] section (19), each
    // with its observed figure, two replications and a simulated mean.
    let rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 19);
    for row in &rows {
        assert!(row[6].parse::<f64>().unwrap() > 0.0, "{row:?}");
        assert_eq!(row[9], "2");
        assert!(row[10].parse::<f64>().is_ok(), "{row:?}");
        assert!(row[13] == "true" || row[13] == "false");
        assert!(!row[14].is_empty(), "every target has a source");
    }
}

#[test]
fn new_works_from_a_bare_file_name_and_into_a_new_folder() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans");
    fs::create_dir(&plans).unwrap();
    fs::copy(
        scenario("reference-network-stress.toml"),
        plans.join("base.toml"),
    )
    .unwrap();
    let new = |args: &[&str]| {
        iccsim()
            .current_dir(&plans)
            .arg("new")
            .args(args)
            .output()
            .unwrap()
    };
    let validates = |path: &Path| {
        let output = iccsim().arg("validate").arg(path).output().unwrap();
        assert!(output.status.success(), "{}", stderr_of(&output));
    };
    // A bare file name: the current folder.
    let output = new(&["here", "--from", "base.toml"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let written = fs::read_to_string(plans.join("here.toml")).unwrap();
    assert!(written.contains("extends = \"base.toml\""), "{written}");
    validates(&plans.join("here.toml"));
    // Into folders that do not exist yet: made, and the parent found.
    let output = new(&["deeper", "--from", "base.toml", "--out", "sub/dir/x.toml"]);
    assert!(output.status.success(), "{}", stderr_of(&output));
    let written = fs::read_to_string(plans.join("sub/dir/x.toml")).unwrap();
    assert!(
        written.contains("extends = \"../../base.toml\""),
        "{written}"
    );
    validates(&plans.join("sub/dir/x.toml"));
    // Through a symbolic link to a folder elsewhere: `..` is where the
    // link leads, so the parent is found from there.
    #[cfg(unix)]
    {
        let elsewhere = dir.path().join("elsewhere/deep");
        fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, plans.join("link")).unwrap();
        let output = new(&["linked", "--from", "base.toml", "--out", "link/x.toml"]);
        assert!(output.status.success(), "{}", stderr_of(&output));
        let written = fs::read_to_string(elsewhere.join("x.toml")).unwrap();
        assert!(
            written.contains("extends = \"../../plans/base.toml\""),
            "{written}"
        );
        validates(&elsewhere.join("x.toml"));
    }
    // A folder that cannot be made is named, with the fix.
    fs::write(plans.join("file"), "").unwrap();
    let output = new(&["x", "--from", "base.toml", "--out", "file/sub/x.toml"]);
    assert_eq!(output.status.code(), Some(4));
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains("cannot create the folder file/sub for file/sub/x.toml")
            && stderr.contains("choose another --out"),
        "{stderr}"
    );
}

#[test]
fn a_key_swept_twice_is_refused() {
    // Only the last value of a key given twice would run, under two
    // columns labelled with it; a key inside another likewise.
    let dir = tempfile::tempdir().unwrap();
    let stress = scenario("reference-network-stress.toml");
    for (first, second, problem) in [
        (
            "services.acute.capacity=240",
            "services.acute.capacity=250",
            "`services.acute.capacity` is given twice",
        ),
        (
            "services.acute.capacity=240",
            "\"services\".acute . capacity=250",
            "`\"services\".acute . capacity` is `services.acute.capacity` again, spelt otherwise",
        ),
        (
            "services.acute={ capacity = 240 }",
            "services.acute.capacity=250",
            "`services.acute.capacity` and `services.acute` overlap",
        ),
    ] {
        let out = dir.path().join("sweep");
        let output = iccsim()
            .args(["sweep", &stress, "--sweep", first, "--sweep", second])
            .args(["-n", "1", "--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{first} {second}");
        let stderr = stderr_of(&output);
        let (earlier, _) = first.split_once('=').unwrap();
        assert!(
            stderr.contains(&format!("--sweep: {problem}"))
                && stderr.contains(&format!("--sweep {earlier}=V1,V2,...")),
            "{stderr}"
        );
        assert!(!out.exists(), "nothing is run or written");
    }
}
