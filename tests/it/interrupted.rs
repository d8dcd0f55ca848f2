//! What an interrupted batch says (issue 24): SIGTERM (as Ctrl-C sends
//! SIGINT) ends it with the exact number of replications its checkpoint
//! holds, where, and how to finish; the exit status is not 0.

use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Replications whose lines are whole in a checkpoint (the header and
/// comment lines start with `#`).
fn finished(partial: &Path) -> usize {
    std::fs::read_to_string(partial)
        .map(|text| {
            text.split_inclusive('\n')
                .filter(|l| l.ends_with('\n') && !l.starts_with('#'))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_terminated_batch_says_how_many_replications_it_kept_and_how_to_finish() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cut");
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/single-ward.toml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_iccsim"))
        .args(["batch"])
        .arg(&scenario)
        .args(["-n", "400", "-j", "1", "-q", "-o"])
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let partial = out.join("records.partial");
    let start = Instant::now();
    while finished(&partial) < 2 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        finished(&partial) >= 2,
        "the batch kept no replication in 60 s"
    );
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{stderr}");
    let kept = finished(&partial);
    assert!(kept < 400, "the batch finished before it was stopped");
    let expected = format!(
        "{kept} of 400 replications kept in {}; rerun the same command with --resume to finish",
        out.display()
    );
    assert!(stderr.contains(&expected), "{stderr}\nexpected: {expected}");
}

/// A batch of 200 or more replications started plain says what it will
/// take and that --compress cuts it; with --compress, --outputs or fewer
/// replications it says nothing (issue 24).
#[test]
fn a_large_plain_batch_names_its_size_and_compress() {
    let dir = tempfile::tempdir().unwrap();
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/single-ward.toml");
    let run = |n: &str, extra: &[&str]| {
        let output = crate::common::iccsim()
            .arg("batch")
            .arg(&scenario)
            // One day of simulated time: the note is said before the work.
            .args(["--set", "run.horizon_days=1", "--set", "run.warmup_days=0"])
            .args(["-n", n, "-o"])
            .arg(dir.path().join(format!("b{n}{}", extra.len())))
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stderr).unwrap()
    };
    let said = run("200", &[]);
    // 77 values a replication × 169 bytes × 200 = 2.6 MB.
    assert!(
        said.contains("note: 200 replications write about 3 MB of plain files; --compress cuts that about 7-fold"),
        "{said}"
    );
    assert!(!run("199", &[]).contains("--compress cuts"));
    assert!(!run("200", &["--compress"]).contains("--compress cuts"));
    assert!(!run("200", &["--outputs", "summary"]).contains("--compress cuts"));
}

/// run.json records the working directory and the scenario text's
/// checksum; a merged folder's names each shard and the command line that
/// wrote it (issue 24).
#[test]
fn run_json_names_the_working_directory_the_text_checksum_and_the_shards() {
    let dir = tempfile::tempdir().unwrap();
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/single-ward.toml");
    let text = std::fs::read(&scenario).unwrap();
    let shards: Vec<std::path::PathBuf> =
        (1..=2).map(|i| dir.path().join(format!("s{i}"))).collect();
    for (i, shard) in shards.iter().enumerate() {
        crate::common::succeed(
            crate::common::iccsim()
                .current_dir(dir.path())
                .arg("batch")
                .arg(&scenario)
                .args(["-n", "4", "-q", "--shard", &format!("{}/2", i + 1), "-o"])
                .arg(shard),
        );
    }
    let merged = dir.path().join("merged");
    crate::common::succeed(
        crate::common::iccsim()
            .arg("merge")
            .args(&shards)
            .arg("-q")
            .arg("-o")
            .arg(&merged),
    );
    let json = |folder: &Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(folder.join("run.json")).unwrap()).unwrap()
    };
    let shard = json(&shards[0]);
    assert_eq!(
        shard["provenance"]["cwd"],
        std::fs::canonicalize(dir.path())
            .unwrap()
            .display()
            .to_string()
    );
    assert_eq!(
        shard["provenance"]["scenarios"][0]["text_crc32"],
        format!("{:08x}", crc32fast::hash(&text))
    );
    let merged = json(&merged)["provenance"].clone();
    assert_eq!(merged["command"], "merge");
    assert_eq!(merged["shards"].as_array().unwrap().len(), 2);
    assert_eq!(
        merged["shards"][1]["folder"],
        shards[1].display().to_string()
    );
    let line: Vec<String> =
        serde_json::from_value(merged["shards"][1]["command_line"].clone()).unwrap();
    assert!(line.windows(2).any(|w| w == ["--shard", "2/2"]), "{line:?}");
    assert_eq!(
        merged["scenarios"][0]["text_crc32"],
        format!("{:08x}", crc32fast::hash(&text))
    );
}
