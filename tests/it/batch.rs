//! `iccsim batch` and `iccsim merge`: the same bytes whatever the number of
//! threads, interruptions or shards; nothing finished is lost; mistakes get
//! clear errors and exit codes.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

use crate::common;
use crate::common::assert_same_folders;

fn iccsim() -> Command {
    Command::cargo_bin("iccsim").unwrap()
}

fn stress() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/reference-network-stress.toml")
        .display()
        .to_string()
}

fn batch(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "batch".to_string(),
        stress(),
        "-n".into(),
        "6".into(),
        "--quiet".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    iccsim().args(&args).output().unwrap()
}

#[test]
fn a_batch_is_the_same_on_one_thread_or_two_and_matches_run() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    assert!(batch(&one, &["-j", "1"]).status.success());
    assert!(batch(&two, &["-j", "2"]).status.success());
    assert_same_folders(&one, &two);
    for file in [
        "summary.csv",
        "replications.csv",
        "results.json",
        "records.csv",
        "scenario.toml",
    ] {
        assert!(one.join(file).exists(), "{file}");
    }
    assert!(!one.join("records.partial").exists());
    // The same numbers as `run` (which also keeps daily series and flows).
    let run = dir.path().join("run");
    let output = iccsim()
        .args(["run", &stress(), "-n", "6", "--quiet", "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(output.status.success());
    for file in ["summary.csv", "replications.csv"] {
        assert_eq!(
            fs::read(one.join(file)).unwrap(),
            fs::read(run.join(file)).unwrap(),
            "{file}"
        );
    }
}

#[test]
fn an_interrupted_batch_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    assert!(batch(&whole, &[]).status.success());
    let records = fs::read_to_string(whole.join("records.csv")).unwrap();
    let lines: Vec<&str> = records.lines().collect();

    // As a crash leaves it: the header, replications 0, 1 and 3 finished
    // (out of order, as parallel workers finish), and half a line.
    let cut = dir.path().join("cut");
    fs::create_dir(&cut).unwrap();
    let partial = format!(
        "{}\n{}\n{}\n{}\n{}",
        lines[0],
        lines[1],
        lines[2],
        lines[4],
        &lines[3][..lines[3].len() / 2]
    );
    common::write_checkpoint(&cut, partial);

    // Without --resume: refused, and the checkpoint is untouched.
    let output = batch(&cut, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("add --resume to finish it"));
    assert!(cut.join("records.partial").exists());

    // A different seed cannot resume it.
    let output = batch(&cut, &["--resume", "--seed", "99"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("was written by another batch"));

    let output = batch(&cut, &["--resume"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_same_folders(&whole, &cut);
}

#[test]
fn shards_merge_to_the_same_bytes_as_one_batch() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    assert!(batch(&whole, &[]).status.success());
    let shards: Vec<_> = (1..=3)
        .map(|i| dir.path().join(format!("shard{i}")))
        .collect();
    for (i, shard) in shards.iter().enumerate() {
        assert!(
            batch(shard, &["--shard", &format!("{}/3", i + 1)])
                .status
                .success()
        );
        // Replications 0..6 with r mod 3 = i: two each.
        let records = fs::read_to_string(shard.join("records.csv")).unwrap();
        assert_eq!(records.lines().count(), 3, "{}", shard.display());
    }
    let merged = dir.path().join("merged");
    let output = iccsim()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_same_folders(&whole, &merged);

    // A missing shard, and a shard given twice, are clear errors.
    let output = iccsim()
        .arg("merge")
        .args(&shards[..2])
        .arg("--out")
        .arg(dir.path().join("incomplete"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("2 of 6 replications are missing"));
    let output = iccsim()
        .arg("merge")
        .args([&shards[0], &shards[0]])
        .arg("--out")
        .arg(dir.path().join("twice"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("give each shard once"));
    // A bad shard specification is a usage error.
    let output = batch(&dir.path().join("bad"), &["--shard", "4/3"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("i must be from 1 to n"));
}

#[test]
fn set_changes_a_value_and_travels_with_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let set = ["--set", "services.acute.capacity=250"];
    let whole = dir.path().join("whole");
    assert!(batch(&whole, &set).status.success());
    let summary = fs::read_to_string(whole.join("summary.csv")).unwrap();
    assert!(
        summary.contains("reference-network-stress,acute,all,capacity_mean,places,6,250,"),
        "{summary}"
    );
    // scenario.toml is the changed scenario, so shards merge to the same bytes.
    let scenario = fs::read_to_string(whole.join("scenario.toml")).unwrap();
    assert!(
        scenario.contains("--set services.acute.capacity=250")
            && scenario.contains("capacity = 250")
    );
    let shards: Vec<_> = (1..=2).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        let shard_arg = format!("{}/2", i + 1);
        assert!(
            batch(shard, &[set[0], set[1], "--shard", &shard_arg])
                .status
                .success()
        );
    }
    let merged = dir.path().join("merged");
    let output = iccsim()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_same_folders(&whole, &merged);
    // A misspelt section or a bad value is reported like a bad file.
    for (setting, message) in [
        (
            "services.acute_ward.capacity=3",
            "--set = services.acute_ward.capacity=3: `services.acute_ward` is not in the scenario; --set changes what the file has",
        ),
        (
            "services.acute.capacity=-3",
            "services.acute.capacity = -3: must be a whole number ≥ 0",
        ),
    ] {
        let output = batch(&dir.path().join("bad"), &["--set", setting]);
        assert_eq!(output.status.code(), Some(3));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{stderr}");
    }
}

#[test]
fn a_precision_target_decides_how_many_and_resumes_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let target = [
        "--target-half-width",
        "0.05",
        "--target-metric",
        "acute.occupancy_mean",
        "--target-metric",
        "system.lost",
    ];
    let whole = dir.path().join("whole");
    let output = batch(&whole, &target);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every target outcome's 95% CI is within ±5% of its mean (losses vary
    // most: sd about 21% of the mean, so about 70 replications).
    let summary = fs::read_to_string(whole.join("summary.csv")).unwrap();
    let mut n = 0;
    for (service, metric) in [("acute", "occupancy_mean"), ("system", "lost")] {
        let row = summary
            .lines()
            .find(|l| l.contains(&format!(",{service},all,{metric},")))
            .unwrap();
        let cells: Vec<f64> = row.split(',').skip(5).map(|c| c.parse().unwrap()).collect();
        let (count, mean, low, high) = (cells[0], cells[1], cells[4], cells[5]);
        assert!((high - low) / 2.0 <= 0.05 * mean.abs(), "{row}");
        n = count as usize;
    }
    assert!(n > 6 && n < 1000, "took {n} replications");
    // One thread: the same rounds, the same bytes.
    let one = dir.path().join("one");
    assert!(
        batch(&one, &[&target[..], &["-j", "1"]].concat())
            .status
            .success()
    );
    assert_same_folders(&whole, &one);
    // Interrupted in the second round: resumes to the same bytes.
    let records = fs::read_to_string(whole.join("records.csv")).unwrap();
    let lines: Vec<&str> = records.lines().collect();
    let cut = dir.path().join("cut");
    fs::create_dir(&cut).unwrap();
    common::write_checkpoint(&cut, format!("{}\n", lines[..10].join("\n")));
    let output = batch(&cut, &[&target[..], &["--resume"]].concat());
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_same_folders(&whole, &cut);
    // A target cannot be sharded, and the outcome must exist.
    let output = batch(
        &dir.path().join("s"),
        &[&target[..], &["--shard", "1/2"]].concat(),
    );
    assert_eq!(output.status.code(), Some(2));
    let output = batch(
        &dir.path().join("m"),
        &[
            "--target-half-width",
            "0.01",
            "--target-metric",
            "acute.nothing",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("--target-metric acute.nothing: no such outcome")
    );
}

#[test]
fn a_sweep_runs_every_point_with_the_same_patients() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let output = iccsim()
        .args([
            "sweep",
            &stress(),
            "--sweep",
            "services.acute.capacity=240,250,260",
            "--sweep",
            "services.community.capacity=60,80",
            "-n",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // sweep.csv parses, and has every point with its values.
    let mut reader = csv::Reader::from_path(out.join("sweep.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(&header[2], "services.acute.capacity");
    assert_eq!(&header[3], "services.community.capacity");
    let mut points = std::collections::BTreeSet::new();
    let mut capacities_checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        points.insert((row[1].to_string(), row[2].to_string(), row[3].to_string()));
        if &row[10] == "capacity_mean" && &row[5] == "acute" {
            // The swept value is the capacity simulated at that point.
            assert_eq!(&row[13], &row[2], "{row:?}");
            capacities_checked += 1;
        }
    }
    assert_eq!(points.len(), 6);
    assert_eq!(capacities_checked, 6);
    // Common random numbers: the same patients arrive at every point.
    let mut reader = csv::Reader::from_path(out.join("sweep_replications.csv")).unwrap();
    let mut entered: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for row in reader.records() {
        let row = row.unwrap();
        if &row[5] == "metrics" && &row[6] == "system" && &row[11] == "entered" {
            entered
                .entry(row[4].to_string())
                .or_default()
                .insert(row[13].to_string());
        }
    }
    assert_eq!(entered.len(), 3);
    assert!(entered.values().all(|v| v.len() == 1), "{entered:?}");
}

#[test]
fn checkpoints_and_shards_cannot_be_mixed_up() {
    let dir = tempfile::tempdir().unwrap();
    let shard = dir.path().join("shard1");
    assert!(batch(&shard, &["--shard", "1/2"]).status.success());
    let records = fs::read_to_string(shard.join("records.csv")).unwrap();
    assert!(
        records
            .lines()
            .next()
            .unwrap()
            .contains("\"shard\":\"1/2\"")
    );

    // Shard 1's checkpoint is not resumed as shard 2, nor as the whole batch.
    let cut = dir.path().join("cut");
    fs::create_dir(&cut).unwrap();
    common::write_checkpoint(&cut, &records);
    for other in [&["--shard", "2/2", "--resume"][..], &["--resume"][..]] {
        let output = batch(&cut, other);
        assert_eq!(output.status.code(), Some(2), "{other:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("was written by another batch"), "{stderr}");
    }
    // As shard 1 it finishes, running nothing, to the same bytes.
    assert!(
        batch(&cut, &["--shard", "1/2", "--resume"])
            .status
            .success()
    );
    assert_same_folders(&shard, &cut);
    // --resume on a finished batch keeps it as it is: nothing runs.
    let output = iccsim()
        .args([
            "batch",
            &stress(),
            "-n",
            "6",
            "--shard",
            "1/2",
            "--resume",
            "--out",
        ])
        .arg(&cut)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(3 already done)") && stderr.contains("Ran 0 replications"),
        "{stderr}"
    );
    assert_same_folders(&shard, &cut);
    // ... but a finished batch of another run is not taken for this one.
    let output = batch(&cut, &["--shard", "1/2", "--resume", "--seed", "99"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("holds a finished batch of another run")
    );

    // A checkpoint with a replication twice, or with its number changed
    // (to one outside the batch: its checksum fails first), is damaged.
    let lines: Vec<&str> = records.lines().collect();
    for (name, damaged, problem) in [
        (
            "twice",
            format!("{}\n{}\n{}\n", lines[0], lines[1], lines[1]),
            "line 3: replication 0 is there twice",
        ),
        (
            "outside",
            format!(
                "{}\n99{}\n",
                lines[0],
                &lines[1][lines[1].find(',').unwrap()..]
            ),
            "line 2: it fails its checksum",
        ),
    ] {
        let folder = dir.path().join(name);
        fs::create_dir(&folder).unwrap();
        common::write_checkpoint(&folder, damaged);
        let output = batch(&folder, &["--shard", "1/2", "--resume"]);
        assert_eq!(output.status.code(), Some(3), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(problem), "{stderr}");
    }

    // A batch that stopped on a precision target merges on its own.
    let precise = dir.path().join("precise");
    let target = [
        "--target-half-width",
        "0.2",
        "--target-metric",
        "acute.occupancy_mean",
    ];
    assert!(batch(&precise, &target).status.success());
    let merged = dir.path().join("merged");
    let output = iccsim()
        .arg("merge")
        .arg(&precise)
        .arg("--out")
        .arg(&merged)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_same_folders(&precise, &merged);
}
