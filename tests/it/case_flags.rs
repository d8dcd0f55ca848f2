//! `--at-quantile` on the terminal and against the other options: a run
//! of a named case says so in its tables (and that its spread is chance
//! alone); a case with a nested design, or for scenarios with nothing
//! uncertain, is refused; `--by-lever` without levers is refused before
//! anything runs.

use std::fs;
use std::path::Path;

use crate::common::{fails_with, iccsim, succeed};

/// One unlimited clinic; `uncertain` adds an uncertain arrival rate.
fn clinic(dir: &Path, name: &str, uncertain: bool) -> String {
    let mut text = format!(
        r#"schema_version = 1
name = "{name}"
sinks = ["home"]

[run]
start_date = 2025-04-07
warmup_days = 0
horizon_days = 20
replications = 4
seed = 5

[services.clinic]
capacity = "unlimited"
stay = {{ dist = "fixed", value = 1.0 }}
routes = [{{ to = "home", probability = 1.0 }}]

[patient_types.walk_in]
arrive_at = "clinic"
rate_per_day = 15.0
"#
    );
    if uncertain {
        text.push_str("[uncertainty]\n\"patient_types.walk_in.rate_per_day\" = { dist = \"uniform\", min = 10.0, max = 20.0, better = \"lower\" }\n");
    }
    let path = dir.join(format!("{name}.toml"));
    fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// run, batch and compare of the pessimistic case name it in the heading,
/// and their footnote says the spread is chance alone, not the values
/// given as ranges; a drawn run keeps the old footnote.
#[test]
fn a_case_is_named_in_the_tables_and_its_spread_is_chance_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = clinic(dir.path(), "cases", true);
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    // A comparison's results have a folder of their own (a folder holding
    // a batch's is refused to it).
    let compared = dir.path().join("compared");
    let case_args = ["--at-quantile", "pessimistic", "--force"];
    for (command, folder) in [
        (vec!["run", path.as_str(), "-n", "3"], out),
        (vec!["batch", path.as_str(), "-n", "3"], out),
        (
            vec!["compare", path.as_str(), path.as_str(), "-n", "3"],
            compared.to_str().unwrap(),
        ),
    ] {
        let output = succeed(iccsim().args(&command).args(case_args).args(["-o", folder]));
        let text = stdout(&output);
        assert!(
            text.contains("uncertain values at their pessimistic case (--at-quantile pessimistic)"),
            "{command:?}: {text}"
        );
        assert!(
            text.contains("with the uncertain values fixed at their pessimistic case: the spread is chance alone"),
            "{command:?}: {text}"
        );
        assert!(
            !text.contains("values given as ranges"),
            "{command:?}: {text}"
        );
    }
    let drawn = succeed(iccsim().args(["run", &path, "-n", "3", "-o", out, "--force"]));
    let text = stdout(&drawn);
    assert!(text.contains("values given as ranges"), "{text}");
    assert!(!text.contains("--at-quantile"), "{text}");
    let quantile = succeed(iccsim().args([
        "run",
        &path,
        "-n",
        "3",
        "--at-quantile",
        "0.25",
        "-o",
        out,
        "--force",
    ]));
    assert!(
        stdout(&quantile).contains("fixed at their 0.25 quantile"),
        "{}",
        stdout(&quantile)
    );
}

/// A case with --outer/--inner is a usage error naming both and the fix;
/// a case for a scenario without uncertain values changes nothing and is
/// refused, for compare only when no scenario has any.
#[test]
fn meaningless_case_combinations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let uncertain = clinic(dir.path(), "uncertain", true);
    let certain = clinic(dir.path(), "certain", false);
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let case = ["--at-quantile", "pessimistic", "-o", out, "--force"];
    let nested = ["--outer", "2", "--inner", "2"];
    for command in [
        vec!["batch", uncertain.as_str()],
        vec!["compare", uncertain.as_str(), uncertain.as_str()],
    ] {
        let output = iccsim()
            .args(&command)
            .args(nested)
            .args(case)
            .output()
            .unwrap();
        fails_with(
            &output,
            2,
            "--at-quantile pessimistic with --outer 2 --inner 2: a named case fixes every uncertain value",
        );
        fails_with(&output, 2, "leave out --at-quantile");
    }
    for command in [
        vec!["run", certain.as_str(), "-n", "2"],
        vec!["batch", certain.as_str(), "-n", "2"],
        vec!["compare", certain.as_str(), certain.as_str(), "-n", "2"],
    ] {
        let output = iccsim().args(&command).args(case).output().unwrap();
        fails_with(&output, 2, "--at-quantile pessimistic: `certain`");
        fails_with(&output, 2, "no uncertain values");
        fails_with(&output, 2, "the case would change nothing");
        assert!(
            !String::from_utf8_lossy(&output.stderr).contains("Running"),
            "refused after running"
        );
    }
    // One scenario of the comparison has uncertain values: the case means
    // something for it.
    succeed(
        iccsim()
            .args(["compare", &certain, &uncertain, "-n", "2", "-q"])
            .args(case),
    );
}

/// `--by-lever` with a scenario without levers is refused before either
/// scenario runs.
#[test]
fn by_lever_without_levers_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let certain = clinic(dir.path(), "certain", false);
    let out = dir.path().join("out");
    let output = iccsim()
        .args(["compare", &certain, &certain, "--by-lever", "-n", "2", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    fails_with(&output, 2, "has no levers ([levers.NAME])");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("Running"), "{stderr}");
    assert!(
        !out.exists(),
        "a refused comparison wrote {}",
        out.display()
    );
}

/// Resuming a batch of another nested design is refused naming the
/// designs, the real difference.
#[test]
fn a_resume_of_another_design_names_the_designs() {
    let dir = tempfile::tempdir().unwrap();
    let uncertain = clinic(dir.path(), "uncertain", true);
    let whole = dir.path().join("whole");
    succeed(
        iccsim()
            .args([
                "batch", &uncertain, "--outer", "2", "--inner", "2", "-q", "-o",
            ])
            .arg(&whole),
    );
    let records = fs::read_to_string(whole.join("records.csv")).unwrap();
    let lines: Vec<&str> = records.lines().collect();
    let cut = dir.path().join("cut");
    fs::create_dir(&cut).unwrap();
    crate::common::write_checkpoint(&cut, format!("{}\n{}\n", lines[0], lines[1]));
    let output = iccsim()
        .args(["batch", &uncertain, "-n", "4", "--resume", "-q", "-o"])
        .arg(&cut)
        .output()
        .unwrap();
    fails_with(
        &output,
        2,
        "its design is --outer 2 --inner 2, this batch's no nested design",
    );
}

/// `run` shows a fraction as a percentage, and its unit column says `%`.
#[test]
fn run_shows_the_unit_a_number_is_shown_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = clinic(dir.path(), "plain", false);
    let out = dir.path().join("out");
    let output = succeed(iccsim().args(["run", &path, "-n", "2", "-o"]).arg(&out));
    let text = stdout(&output);
    let row = text
        .lines()
        .find(|l| l.contains("found_full_share") || l.contains("loss_share"))
        .unwrap_or_else(|| panic!("no share row in {text}"));
    assert!(row.contains('%'), "{row}");
    assert!(!text.contains("fraction"), "{text}");
}

/// The terminal's variance split: the residual is "interaction and
/// noise", and with fewer than 10 outer draws the split is called rough.
#[test]
fn a_variance_split_of_few_draws_is_called_rough() {
    let dir = tempfile::tempdir().unwrap();
    let uncertain = clinic(dir.path(), "uncertain", true);
    let output = succeed(
        iccsim()
            .args(["batch", &uncertain, "--outer", "3", "--inner", "2", "-o"])
            .arg(dir.path().join("out")),
    );
    let text = stdout(&output);
    assert!(text.contains("interaction and noise"), "{text}");
    assert!(text.contains("The split is rough: 3 outer draws"), "{text}");
}
