//! `compare` as a first-class experiment (issue 24, items 2 and 3): the
//! per-replication paired differences, resuming an interrupted comparison
//! and merging a sharded one (byte for byte the uninterrupted, unsharded
//! comparison), precision targets on the differences, and `run.json`'s
//! provenance in every kind of output folder.

use std::path::{Path, PathBuf};

use crate::common;

const WARD: &str = "scenarios/examples/single-ward.toml";
const BEDS: &str = "services.medical_ward.capacity=32";

fn shipped(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(name)
        .display()
        .to_string()
}

/// `compare WARD WARD --set capacity=32 -n 6` into `out`, with `extra`.
fn compare(out: &Path, extra: &[&str]) -> std::process::Output {
    let ward = shipped(WARD);
    let mut command = common::iccsim();
    command
        .args([
            "compare", &ward, &ward, "--set", BEDS, "-n", "6", "-q", "-o",
        ])
        .arg(out)
        .args(extra);
    command.output().unwrap()
}

/// Every file under `folder` (relative names), sorted.
fn files(folder: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(folder, folder, &mut out);
    out.sort();
    out
}

/// The two folders hold the same files, byte for byte, except run.json
/// (whose provenance names the command line) and the folder's manifest
/// (which holds run.json's checksum).
fn assert_same_results(a: &Path, b: &Path) {
    let results = |p: &Path| -> Vec<String> {
        files(p)
            .into_iter()
            .filter(|f| !f.ends_with("run.json") && !f.starts_with(".iccsim"))
            .collect()
    };
    assert_eq!(results(a), results(b));
    for name in results(a) {
        assert!(
            std::fs::read(a.join(&name)).unwrap() == std::fs::read(b.join(&name)).unwrap(),
            "{name} differs"
        );
    }
}

fn run_json(folder: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(folder.join("run.json")).unwrap()).unwrap()
}

#[test]
fn paired_differences_are_the_alternative_minus_the_baseline_in_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    common::succeed(&mut {
        let mut c = common::iccsim();
        let ward = shipped(WARD);
        c.args([
            "compare", &ward, &ward, "--set", BEDS, "-n", "4", "-q", "-o",
        ])
        .arg(&out);
        c
    });
    let detail = common::csv_rows(&out.join("paired_differences.csv"));
    let margins = common::csv_rows(&out.join("paired_differences_margins.csv"));
    let values = common::csv_rows(&out.join("scenarios/single-ward/replications.csv"));
    // Every metric of every replication, once per alternative, in one of
    // the two files: a service's value by patient type in the detail, the
    // sum over types (`all`) in the margins when there are types.
    assert_eq!(detail.len() + margins.len(), values.len());
    assert!(margins.iter().all(|r| r["patient_type"] == "all"));
    let rows: Vec<_> = detail.into_iter().chain(margins).collect();
    let mut moved = 0;
    for row in &rows {
        assert_eq!(row["baseline"], "single-ward");
        assert_eq!(row["scenario"], "single-ward-changed");
        let (b, a, d) = (
            &row["baseline_value"],
            &row["scenario_value"],
            &row["difference"],
        );
        if b.is_empty() || a.is_empty() {
            assert!(d.is_empty(), "{row:?}");
            continue;
        }
        let (b, a, d): (f64, f64, f64) =
            (b.parse().unwrap(), a.parse().unwrap(), d.parse().unwrap());
        assert_eq!(d, a - b, "{row:?}");
        moved += usize::from(d != 0.0);
    }
    // Two more beds change something.
    assert!(moved > 0);
    // The baseline's values are those of its own replications.csv.
    let capacity =
        |rows: &[std::collections::HashMap<String, String>], column: &str| -> Vec<String> {
            rows.iter()
                .filter(|r| r["metric"] == "capacity_mean" && r["patient_type"] == "all")
                .map(|r| r[column].clone())
                .collect()
        };
    assert_eq!(
        capacity(&rows, "baseline_value"),
        capacity(&values, "value")
    );
    assert!(capacity(&rows, "scenario_value").iter().all(|v| v == "32"));
}

#[test]
fn a_sharded_comparison_merges_into_the_unsharded_one() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    assert!(compare(&whole, &[]).status.success());
    let shards: Vec<PathBuf> = (1..=3).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        let output = compare(shard, &["--shard", &format!("{}/3", i + 1)]);
        assert!(output.status.success(), "{output:?}");
        assert!(shard.join("comparison_shard.json").is_file());
        assert!(!shard.join("comparison.csv").exists());
    }
    let merged = dir.path().join("merged");
    // Two shards of three are not a comparison.
    let short = common::iccsim()
        .arg("merge")
        .args(&shards[..2])
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    common::fails_with(&short, 3, "2 of 6 replications are missing");
    common::succeed(
        common::iccsim()
            .arg("merge")
            .args(&shards)
            .arg("-o")
            .arg(&merged)
            .arg("-q"),
    );
    assert_same_results(&whole, &merged);
    assert_eq!(run_json(&merged)["provenance"]["command"], "merge");
}

/// Leaves the first `kept` replications of each scenario of `from` in
/// `to` as a killed comparison leaves them.
fn interrupt(from: &Path, to: &Path, kept: usize) {
    use iccsim::report::output_folder::{OutputFolder, RESULTS, Request};
    std::fs::create_dir_all(to).unwrap();
    for name in ["single-ward", "single-ward-changed"] {
        let records =
            std::fs::read_to_string(from.join(format!("scenarios/{name}/records.csv"))).unwrap();
        let lines: Vec<&str> = records.lines().take(1 + kept).collect();
        // The folder's lock is an flock: a child another test thread is
        // forking at this moment may hold a copy of the descriptor until
        // it execs, so a second open can briefly see it held; retry.
        let mut folder = (0..100)
            .find_map(|_| {
                OutputFolder::open(to, &Request::default())
                    .inspect_err(|_| std::thread::sleep(std::time::Duration::from_millis(20)))
                    .ok()
            })
            .expect("the folder's lock is free within 2 s");
        let path = folder
            .claim_working_file(&format!("scenarios/{name}/records.partial"), RESULTS)
            .unwrap();
        drop(folder);
        std::fs::write(path, format!("{}\n", lines.join("\n"))).unwrap();
    }
}

#[test]
fn a_resumed_comparison_is_the_uninterrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    assert!(compare(&whole, &[]).status.success());
    let cut = dir.path().join("cut");
    interrupt(&whole, &cut, 3);
    // Not without --resume: its replications would be lost.
    common::fails_with(&compare(&cut, &[]), 2, "holds an interrupted comparison");
    // Not another seed.
    common::fails_with(
        &compare(&cut, &["--resume", "-s", "9"]),
        2,
        "the scenario or the iccsim build, the seed differ",
    );
    let output = compare(&cut, &["--resume"]);
    assert!(output.status.success(), "{output:?}");
    assert_same_results(&whole, &cut);
    assert!(!cut.join("scenarios/single-ward/records.partial").exists());
}

#[test]
fn a_comparison_of_other_scenarios_does_not_resume_an_interrupted_one() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    assert!(compare(&whole, &[]).status.success());
    let cut = dir.path().join("cut");
    interrupt(&whole, &cut, 2);
    let ward = shipped(WARD);
    let three = common::iccsim()
        .args([
            "compare", &ward, &ward, &ward, "--set", BEDS, "-n", "6", "-q", "--resume", "-o",
        ])
        .arg(&cut)
        .output()
        .unwrap();
    common::fails_with(
        &three,
        2,
        "holds an interrupted comparison of other scenarios (single-ward, single-ward-changed; this one compares single-ward, single-ward-changed, single-ward-changed-2)",
    );
}

#[test]
fn an_unreachable_target_exits_6_with_the_files_and_met_false() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    let output = compare(
        &out,
        &[
            "--target-half-width",
            "0.000001",
            "--target-metric",
            "medical_ward.occupancy_mean",
            "--max-replications",
            "8",
        ],
    );
    common::fails_with(
        &output,
        6,
        "precision target not met after 8 replications (at most 8: the larger of --max-replications and -n): single-ward-changed: medical_ward.occupancy_mean difference: 95% CI half-width",
    );
    assert!(out.join("comparison.csv").is_file());
    let stopping = &run_json(&out)["provenance"]["stopping"];
    assert_eq!(stopping["met"], false);
    assert_eq!(stopping["rule"], "target");
    assert_eq!(stopping["replications"], 8);
    assert_eq!(stopping["target"]["outcomes"][0]["met"], false);
    // batch too, with -q: it says why on stderr.
    let batch_out = dir.path().join("b");
    let output = common::iccsim()
        .args([
            "batch",
            &shipped(WARD),
            "-n",
            "3",
            "-q",
            "--max-replications",
            "6",
        ])
        .args([
            "--target-half-width",
            "1e-9",
            "--target-metric",
            "medical_ward.occupancy_mean",
            "-o",
        ])
        .arg(&batch_out)
        .output()
        .unwrap();
    common::fails_with(&output, 6, "medical_ward.occupancy_mean: 95% CI half-width");
    assert_eq!(run_json(&batch_out)["provenance"]["stopping"]["met"], false);
    assert!(batch_out.join("summary.csv").is_file());
}

#[test]
fn a_reachable_target_on_the_difference_stops_early_and_says_met() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("c");
    // Two more beds of 30 change mean capacity by exactly 2 in every
    // replication: the difference has no spread, met at once (absolute).
    let output = compare(
        &out,
        &[
            "--target-half-width",
            "0.5",
            "--absolute",
            "--target-metric",
            "medical_ward.capacity_mean",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let stopping = &run_json(&out)["provenance"]["stopping"];
    assert_eq!(stopping["met"], true);
    assert_eq!(stopping["replications"], 6);
    assert_eq!(stopping["target"]["scale"], "absolute");
    // Relative to the baseline's mean, occupancy's difference needs more
    // than 6 replications at 0.2% (8, on this build), fewer than the cap.
    let out = dir.path().join("r");
    let output = compare(
        &out,
        &[
            "--target-half-width",
            "0.002",
            "--target-metric",
            "medical_ward.occupancy_mean",
            "--max-replications",
            "400",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let stopping = &run_json(&out)["provenance"]["stopping"];
    assert_eq!(stopping["met"], true);
    let n = stopping["replications"].as_u64().unwrap();
    assert!(n > 6 && n < 400, "{n}");
    assert!(
        stopping["target"]["outcomes"][0]["half_width"]
            .as_f64()
            .unwrap()
            <= 0.002
    );
    // Each scenario has the same n replications, paired.
    let rows = common::csv_rows(&out.join("scenarios/single-ward-changed/replications.csv"));
    let last = rows
        .iter()
        .map(|r| r["replication"].parse::<u64>().unwrap())
        .max();
    assert_eq!(last, Some(n - 1));
}

#[test]
fn a_relative_target_is_a_fraction() {
    let dir = tempfile::tempdir().unwrap();
    let output = compare(&dir.path().join("c"), &["--target-half-width", "25"]);
    common::fails_with(
        &output,
        2,
        "for a half-width in the outcome's unit add --absolute",
    );
}

/// Every kind of output folder says what was run, the same way.
#[test]
fn run_json_holds_the_provenance_in_every_folder() {
    let dir = tempfile::tempdir().unwrap();
    let ward = shipped(WARD);
    let uncertain = shipped("scenarios/examples/single-ward-uncertain.toml");
    let design = shipped("scenarios/sweeps/adult-beds-and-85-plus-demand.toml");
    let kinds: Vec<(&str, Vec<String>)> = vec![
        (
            "batch",
            vec!["batch".into(), ward.clone(), "-n".into(), "2".into()],
        ),
        (
            "compare",
            vec![
                "compare".into(),
                ward.clone(),
                ward.clone(),
                "-n".into(),
                "2".into(),
            ],
        ),
        (
            "sweep",
            vec![
                "sweep".into(),
                ward.clone(),
                "--sweep".into(),
                "services.medical_ward.capacity=30,31".into(),
                "-n".into(),
                "2".into(),
            ],
        ),
        (
            "tornado",
            vec!["tornado".into(), uncertain, "-n".into(), "2".into()],
        ),
        (
            "run",
            vec!["run".into(), ward.clone(), "-n".into(), "2".into()],
        ),
        (
            "warmup",
            vec![
                "warmup".into(),
                ward.clone(),
                "-n".into(),
                "2".into(),
                "--days".into(),
                "200".into(),
            ],
        ),
    ];
    let _ = design;
    for (kind, words) in kinds {
        let out = dir.path().join(kind);
        common::succeed(common::iccsim().args(&words).arg("-q").arg("-o").arg(&out));
        let p = &run_json(&out)["provenance"];
        assert_eq!(p["command"], kind);
        assert!(!p["source_hash"].as_str().unwrap().is_empty());
        assert_eq!(p["iccsim_version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(p["seed"], 2025, "{kind}");
        assert_eq!(p["command_line"][1], kind);
        assert_eq!(p["stopping"]["rule"], "fixed");
        assert_eq!(p["stopping"]["met"], true);
        assert_eq!(p["stopping"]["replications"], 2);
        // The scenario text actually run is in the folder.
        for s in p["scenarios"].as_array().unwrap() {
            let text = std::fs::read_to_string(out.join(s["text"].as_str().unwrap())).unwrap();
            assert!(text.contains("[services.medical_ward]"), "{kind}");
        }
    }
}

/// `sweep WARD --sweep capacity=30,31 -n 4` into `out`, with `extra`.
fn sweep(out: &Path, extra: &[&str]) -> std::process::Output {
    common::iccsim()
        .args([
            "sweep",
            &shipped(WARD),
            "--sweep",
            "services.medical_ward.capacity=30,31",
        ])
        .args(["-n", "4", "-q", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn assert_same_sweeps(a: &Path, b: &Path) {
    for name in ["sweep.csv", "sweep_replications.csv"] {
        assert!(
            std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(),
            "{name} differs"
        );
    }
}

#[test]
fn a_sharded_sweep_merges_and_an_interrupted_one_resumes_into_the_whole_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    assert!(sweep(&whole, &[]).status.success());
    let shards: Vec<PathBuf> = (1..=2).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        let output = sweep(shard, &["--shard", &format!("{}/2", i + 1)]);
        assert!(output.status.success(), "{output:?}");
        assert!(shard.join("points/0002/records.csv").is_file());
    }
    let merged = dir.path().join("merged");
    common::succeed(
        common::iccsim()
            .arg("merge")
            .args(&shards)
            .arg("-o")
            .arg(&merged)
            .arg("-q"),
    );
    assert_same_sweeps(&whole, &merged);

    // The first point's first two replications, as a killed sweep leaves
    // them: a batch of the same point writes the same records.
    let batch = dir.path().join("batch");
    common::succeed(
        common::iccsim()
            .args([
                "batch",
                &shipped(WARD),
                "--set",
                "services.medical_ward.capacity=30",
            ])
            .args(["-n", "4", "-q", "-o"])
            .arg(&batch),
    );
    let records = std::fs::read_to_string(batch.join("records.csv")).unwrap();
    let kept: Vec<&str> = records.lines().take(3).collect();
    let cut = dir.path().join("cut");
    std::fs::create_dir_all(&cut).unwrap();
    {
        use iccsim::report::output_folder::{OutputFolder, Request};
        let mut folder = OutputFolder::open(&cut, &Request::default()).unwrap();
        let path = folder
            .claim_working_file("points/0001/records.partial", "sweep")
            .unwrap();
        drop(folder);
        std::fs::write(path, format!("{}\n", kept.join("\n"))).unwrap();
    }
    common::fails_with(&sweep(&cut, &[]), 2, "holds an interrupted sweep");
    let output = sweep(&cut, &["--resume"]);
    assert!(output.status.success(), "{output:?}");
    assert_same_sweeps(&whole, &cut);
    assert!(!cut.join("points/0001/records.partial").exists());
}

/// A tornado's scenarios are checkpointed as they run, and the
/// checkpoints go when it is done; `--resume` on a finished folder writes
/// the same table.
#[test]
fn a_tornado_checkpoints_its_scenarios_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let tornado = |extra: &[&str]| {
        common::succeed(
            common::iccsim()
                .args([
                    "tornado",
                    &shipped("scenarios/examples/single-ward-uncertain.toml"),
                ])
                .args([
                    "--metric",
                    "medical_ward.occupancy_mean",
                    "-n",
                    "3",
                    "-q",
                    "-o",
                ])
                .arg(&out)
                .args(extra),
        );
        std::fs::read(out.join("tornado.csv")).unwrap()
    };
    let first = tornado(&[]);
    assert!(
        !out.join("variants")
            .join("001")
            .join("records.partial")
            .exists()
    );
    assert_eq!(tornado(&["--resume"]), first);
    assert_eq!(run_json(&out)["provenance"]["command"], "tornado");
}

/// A results folder is another command's to replace: a batch (or a merge
/// of batch shards, or `run`) into a finished comparison's folder, or a
/// comparison into a batch's, is refused with the command that made it,
/// and the comparison's files are kept (the trial of issue 24 lost a
/// comparison to a mistyped --out).
#[test]
fn a_command_does_not_replace_another_commands_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    assert!(compare(&out, &[]).status.success());
    let before = files(&out);
    let ward = shipped(WARD);
    for args in [
        vec!["batch", ward.as_str(), "-n", "2", "-q", "-o"],
        vec!["run", ward.as_str(), "-n", "1", "-q", "-o"],
        vec!["batch", ward.as_str(), "-n", "2", "-q", "--resume", "-o"],
    ] {
        let output = common::iccsim().args(&args).arg(&out).output().unwrap();
        common::fails_with(&output, 2, "holds the results of `iccsim compare`");
        assert_eq!(files(&out), before, "{args:?}");
    }
    let batch = dir.path().join("batch");
    common::succeed(
        common::iccsim()
            .args(["batch", &ward, "-n", "2", "-q", "-o"])
            .arg(&batch),
    );
    // `run` and `batch` write one kind of results (and share a folder).
    common::succeed(
        common::iccsim()
            .args(["run", &ward, "-n", "1", "-q", "-o"])
            .arg(&batch),
    );
    let output = compare(&batch, &[]);
    common::fails_with(&output, 2, "holds the results of `iccsim batch`");
}

/// A shard that would hold no replication, and a target outcome without a
/// target, are refused naming the flag (the trial of issue 24: both ran
/// and exited 0).
#[test]
fn empty_shards_and_targets_without_a_width_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ward = shipped(WARD);
    let output = common::iccsim()
        .args(["batch", &ward, "-n", "4", "--shard", "5/5", "-q", "-o"])
        .arg(dir.path().join("a"))
        .output()
        .unwrap();
    common::fails_with(
        &output,
        2,
        "--shard 5/5: with 4 replications, shard 5 would run none",
    );
    let output = compare(&dir.path().join("b"), &["--shard", "7/8"]);
    common::fails_with(&output, 2, "--shard 7/8: with 6 replications");
    let output = common::iccsim()
        .args([
            "batch",
            &ward,
            "-n",
            "4",
            "--target-metric",
            "medical_ward.occupancy_mean",
            "-q",
            "-o",
        ])
        .arg(dir.path().join("c"))
        .output()
        .unwrap();
    common::fails_with(&output, 2, "--target-half-width");
    let output = common::iccsim()
        .args([
            "batch",
            &ward,
            "-n",
            "4",
            "--target-half-width",
            "-0.1",
            "-q",
            "-o",
        ])
        .arg(dir.path().join("d"))
        .output()
        .unwrap();
    common::fails_with(&output, 2, "`-0.1` is not a positive number");
}

/// An alternative that changes nothing inside the window (here: the same
/// 30 beds written again) is named in a warning, since its differences are
/// all 0 and its P(better) means nothing; a real change is not.
#[test]
fn an_alternative_that_changes_nothing_in_the_window_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ward = shipped(WARD);
    let output = common::iccsim()
        .args([
            "compare",
            &ward,
            &ward,
            "--set",
            "services.medical_ward.capacity=30",
        ])
        .args(["-n", "3", "-q", "-o"])
        .arg(dir.path().join("same"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: single-ward-changed gave the same value as single-ward"),
        "{stderr}"
    );
    let output = compare(&dir.path().join("changed"), &[]);
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stderr).contains("gave the same value"));
}

/// Shards of two comparisons are refused naming the setting that differs
/// (issue 24's trial: only --paired-age-bands differed, and the message
/// blamed the baseline, scenarios, seed, replications or --set).
#[test]
fn a_merge_of_two_comparisons_names_what_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    assert!(compare(&a, &["--shard", "1/2"]).status.success());
    assert!(
        compare(&b, &["--shard", "2/2", "--paired-age-bands"])
            .status
            .success()
    );
    let output = common::iccsim()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .arg("-q")
        .arg("--out")
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("(--paired-age-bands differs)"), "{stderr}");
}

/// `compare --compress` gzips what grows with the replications, as `batch
/// --compress` does; resumed or sharded and merged it is the same
/// comparison, byte for byte; `--outputs` keeps only the chosen outputs
/// of each scenario's folder (issue 24).
#[test]
fn a_compressed_comparison_resumes_and_merges_into_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    assert!(compare(&plain, &[]).status.success());
    let whole = dir.path().join("whole");
    common::succeed(&mut {
        let mut c = common::iccsim();
        c.args(["compare", &shipped(WARD), &shipped(WARD), "--set", BEDS])
            .args(["-n", "6", "-q", "--compress", "-o"])
            .arg(&whole);
        c
    });
    for name in [
        "scenarios/single-ward/records.csv.gz",
        "scenarios/single-ward-changed/replications.csv.gz",
        "paired_differences.csv.gz",
        "paired_differences_margins.csv.gz",
        "scenarios/single-ward/summary.csv",
        "comparison.csv",
    ] {
        assert!(whole.join(name).is_file(), "{name}");
    }
    assert!(!whole.join("scenarios/single-ward/records.csv").exists());
    assert!(!whole.join("paired_differences.csv").exists());
    // The bytes inside are those of the plain comparison.
    let gunzip = |path: PathBuf| {
        use std::io::Read;
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
            .read_to_end(&mut text)
            .unwrap();
        text
    };
    assert_eq!(
        gunzip(whole.join("paired_differences.csv.gz")),
        std::fs::read(plain.join("paired_differences.csv")).unwrap()
    );
    // Interrupted after 3 replications, resumed with --compress.
    let cut = dir.path().join("cut");
    interrupt(&plain, &cut, 3);
    let output = compare(&cut, &["--resume", "--compress"]);
    assert!(output.status.success(), "{output:?}");
    assert_same_results(&whole, &cut);
    // --resume on the finished compressed comparison keeps it.
    assert!(compare(&cut, &["--resume", "--compress"]).status.success());
    assert_same_results(&whole, &cut);
    // Sharded with --compress, merged without it: compressed as written.
    let shards: Vec<PathBuf> = (1..=2).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        let output = compare(shard, &["--compress", "--shard", &format!("{}/2", i + 1)]);
        assert!(output.status.success(), "{output:?}");
        assert!(shard.join("scenarios/single-ward/records.csv.gz").is_file());
    }
    let merged = dir.path().join("merged");
    common::succeed(
        common::iccsim()
            .arg("merge")
            .args(&shards)
            .arg("-o")
            .arg(&merged)
            .arg("-q"),
    );
    assert_same_results(&whole, &merged);
    // --outputs summary: each scenario's summaries, no replications.csv.
    let chosen = dir.path().join("chosen");
    assert!(compare(&chosen, &["--outputs", "summary"]).status.success());
    assert!(chosen.join("scenarios/single-ward/summary.csv").is_file());
    assert!(chosen.join("scenarios/single-ward/records.csv").is_file());
    assert!(
        !chosen
            .join("scenarios/single-ward/replications.csv")
            .exists()
    );
    assert!(chosen.join("comparison.csv").is_file());
    common::fails_with(
        &compare(&dir.path().join("bad"), &["--outputs", "summary,breakdown"]),
        2,
        "a comparison's scenario folders hold no `breakdown` output; choose among summary,replications",
    );
    common::fails_with(
        &compare(&dir.path().join("bad2"), &["--outputs", "sumary"]),
        2,
        "no output called `sumary`",
    );
}

/// `tornado --shard i/n` on each machine, then `merge`: the tornado one
/// machine writes, byte for byte (`run.json` apart), with a `--set`
/// change carried by the shards' scenario text (issue 24).
#[test]
fn a_sharded_tornado_merges_into_the_unsharded_one() {
    let dir = tempfile::tempdir().unwrap();
    let tornado = |out: &Path, extra: &[&str]| {
        common::succeed(
            common::iccsim()
                .args([
                    "tornado",
                    &shipped("scenarios/examples/single-ward-uncertain.toml"),
                ])
                .args(["--metric", "medical_ward.occupancy_mean", "-n", "5"])
                .args(["--set", "run.horizon_days=200", "-q", "-o"])
                .arg(out)
                .args(extra),
        )
    };
    let whole = dir.path().join("whole");
    tornado(&whole, &[]);
    let shards: Vec<PathBuf> = (1..=2).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        tornado(shard, &["--shard", &format!("{}/2", i + 1)]);
        assert!(shard.join("tornado_shard.json").is_file());
        assert!(shard.join("variants/001/records.csv").is_file());
        assert!(!shard.join("tornado.csv").exists());
    }
    let merged = dir.path().join("merged");
    let short = common::iccsim()
        .arg("merge")
        .arg(&shards[0])
        .arg("-o")
        .arg(&merged)
        .output()
        .unwrap();
    common::fails_with(&short, 3, "2 of 5 replications are missing");
    common::succeed(
        common::iccsim()
            .arg("merge")
            .args(&shards)
            .arg("-o")
            .arg(&merged)
            .arg("-q"),
    );
    assert_eq!(
        std::fs::read(merged.join("tornado.csv")).unwrap(),
        std::fs::read(whole.join("tornado.csv")).unwrap()
    );
    assert_eq!(
        std::fs::read(merged.join("scenario.toml")).unwrap(),
        std::fs::read(whole.join("scenario.toml")).unwrap()
    );
    assert_eq!(run_json(&merged)["provenance"]["command"], "merge");
    // A tornado's folder is of its own kind: a batch is not written into
    // it, nor tornado shards merged into a batch's folder (the trial of
    // issue 24 found both mixing two runs' files, exit 0).
    let batch = dir.path().join("batch");
    let batch_into = |out: &Path| {
        common::iccsim()
            .args(["batch", &shipped("scenarios/examples/single-ward.toml")])
            .args(["-n", "2", "-q", "-o"])
            .arg(out)
            .output()
            .unwrap()
    };
    assert!(batch_into(&batch).status.success());
    for folder in [&whole, &merged] {
        common::fails_with(
            &batch_into(folder),
            2,
            "holds the results of `iccsim tornado`",
        );
    }
    let into_batch = common::iccsim()
        .arg("merge")
        .args(&shards)
        .arg("-o")
        .arg(&batch)
        .output()
        .unwrap();
    common::fails_with(&into_batch, 2, "holds the results of `iccsim batch`");
    assert_eq!(run_json(&batch)["provenance"]["command"], "batch");
}
