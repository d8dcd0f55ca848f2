//! `--on SYSTEM`: a scenario's `extends` chain runs on another whole
//! system, its root replaced, so a library scenario that states only its
//! changes runs unchanged on any system.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{fails_with, iccsim, succeed};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The baseline with Eden renamed Penrith and its beds changed: another
/// system, as far as a scenario's changes can tell.
fn other_system(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(repo("scenarios/north-cumbria-baseline.toml"))
        .unwrap()
        .replace("[iccs.eden]", "[iccs.penrith]")
        .replace("adult_beds = 405", "adult_beds = 333");
    let path = dir.join("other-system.toml");
    fs::write(&path, text).unwrap();
    path
}

fn show(args: &[&str]) -> String {
    String::from_utf8(succeed(iccsim().arg("show").args(args)).stdout).unwrap()
}

#[test]
fn a_library_scenario_runs_on_another_system_with_its_changes_kept() {
    let dir = tempfile::tempdir().unwrap();
    let other = other_system(dir.path());
    let library = repo("scenarios/library/rapid-response-expansion.toml");
    let on = show(&["--on", other.to_str().unwrap(), library.to_str().unwrap()]);
    // The other system's structure and values ...
    assert!(on.contains("[iccs.penrith]"), "{on}");
    assert!(!on.contains("[iccs.eden]"));
    assert!(on.contains("adult_beds = 333"));
    // ... with the library scenario's changes and its own name.
    assert!(on.contains("[levers.more_staff]"));
    assert!(on.contains("name = \"rapid-response-expansion\""));
    assert!(on.contains("--on:"), "the header says what replaced what");
    // Without --on it is north Cumbria's.
    let off = show(&[library.to_str().unwrap()]);
    assert!(off.contains("[iccs.eden]") && off.contains("adult_beds = 405"));
    // It validates on the other system.
    succeed(iccsim().args([
        "validate",
        "--on",
        other.to_str().unwrap(),
        library.to_str().unwrap(),
    ]));
}

#[test]
fn a_root_scenario_or_none_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let other = other_system(dir.path());
    let baseline = repo("scenarios/north-cumbria-baseline.toml");
    for args in [
        vec!["--on", other.to_str().unwrap(), baseline.to_str().unwrap()],
        vec!["--on", other.to_str().unwrap()],
    ] {
        let text = show(&args);
        assert!(text.contains("[iccs.penrith]") && !text.contains("[iccs.eden]"));
    }
}

#[test]
fn changes_that_name_what_the_other_system_lacks_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let other = other_system(dir.path());
    let child = dir.path().join("eden-only.toml");
    fs::write(
        &child,
        format!(
            "extends = {:?}\n\n[iccs.eden]\ncommunity_beds = 30\n",
            repo("scenarios/north-cumbria-baseline.toml")
        ),
    )
    .unwrap();
    succeed(iccsim().args(["validate", child.to_str().unwrap()]));
    let output = iccsim()
        .args([
            "validate",
            "--on",
            other.to_str().unwrap(),
            child.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stderr).to_string()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("eden"), "{text}");
}

#[test]
fn on_is_refused_where_no_scenario_is_read() {
    let output = iccsim()
        .args(["schema", "--on", "x.toml"])
        .output()
        .unwrap();
    fails_with(&output, 2, "--on runs scenarios on another system");
}
