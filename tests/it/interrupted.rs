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
