//! Output folders (issue 18): iccsim never removes or overwrites a file it
//! did not write, never writes over its input, never mixes two commands'
//! files, replaces a set only when the new one is complete, cleans what a
//! killed command left, keeps memory within the machine, and prints no
//! control character that came from a file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{fails_with, iccsim};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

fn single_ward() -> String {
    shipped("scenarios/examples/single-ward.toml")
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    iccsim().args(args).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn files_under(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    fn walk(root: &Path, dir: &Path, found: &mut Vec<(String, Vec<u8>)>) {
        for entry in fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                found.push((name, fs::read(&path).unwrap()));
            }
        }
    }
    walk(folder, folder, &mut found);
    found.sort();
    found
}

/// `files_under` with what names each run's own command line left out:
/// `run.json`'s `provenance.command_line` (issue 24), and the manifest's
/// size and checksum of each `run.json`.
fn results_under(folder: &Path) -> Vec<(String, Vec<u8>)> {
    files_under(folder)
        .into_iter()
        .map(|(name, bytes)| {
            let is_run_json = name == "run.json" || name.ends_with("/run.json");
            if !is_run_json && name != ".iccsim-manifest.json" {
                return (name, bytes);
            }
            let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            if is_run_json {
                v["provenance"]
                    .as_object_mut()
                    .map(|p| p.remove("command_line"));
            } else if let Some(files) = v["files"].as_array_mut() {
                for entry in files.iter_mut().filter(|e| {
                    e["path"]
                        .as_str()
                        .is_some_and(|p| p == "run.json" || p.ends_with("/run.json"))
                }) {
                    entry
                        .as_object_mut()
                        .map(|e| (e.remove("size"), e.remove("crc32")));
                }
            }
            (name, serde_json::to_vec(&v).unwrap())
        })
        .collect()
}

/// Item 1: files of the user's named like outputs, in the --out folder and
/// in a report's charts folder, are neither removed nor overwritten.
#[test]
fn a_batch_refuses_a_folder_of_the_users_files_and_removes_none() {
    let dir = tempfile::tempdir().unwrap();
    let mine = dir.path().join("mine");
    fs::create_dir_all(mine.join("report-charts")).unwrap();
    for name in ["budget.csv", "episodes.csv", "breakdown.csv", "report.html"] {
        fs::write(mine.join(name), format!("my own {name}")).unwrap();
    }
    fs::write(mine.join("report-charts/logo.png"), b"my logo").unwrap();
    let before = files_under(&mine);
    let out = mine.display().to_string();
    let ward = single_ward();
    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec!["batch", &ward, "-n", "2", "-q", "--out", &out];
        args.extend(extra);
        let output = run(&args);
        fails_with(&output, 4, "budget.csv");
        assert!(
            stderr(&output).contains("never overwrites or removes files it did not write")
                || stderr(&output).contains("never removes or overwrites files it did not write"),
            "{}",
            stderr(&output)
        );
    }
    assert_eq!(
        before,
        files_under(&mine),
        "every file of the user's is as it was, and nothing of iccsim's is left"
    );
}

/// Item 1: with --force, iccsim writes beside files of the user's that do
/// not share an output's name, and replaces only its own earlier output.
#[test]
fn force_writes_beside_the_users_files_and_replaces_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("notes.txt"), b"mine").unwrap();
    let out_text = out.display().to_string();
    let refused = run(&["run", &single_ward(), "-n", "2", "-q", "--out", &out_text]);
    fails_with(&refused, 4, "notes.txt");
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    assert!(!out.join("summary.csv").exists());
    for _ in 0..2 {
        let forced = run(&[
            "run",
            &single_ward(),
            "-n",
            "2",
            "-q",
            "--out",
            &out_text,
            "--force",
        ]);
        assert!(forced.status.success(), "{}", stderr(&forced));
    }
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert!(out.join("summary.csv").exists());
    // Its own earlier output is replaced without --force.
    let empty = dir.path().join("empty");
    let empty_text = empty.display().to_string();
    for _ in 0..2 {
        let again = run(&["run", &single_ward(), "-n", "2", "-q", "--out", &empty_text]);
        assert!(again.status.success(), "{}", stderr(&again));
    }
}

/// Item 1: `report --out pics/holiday.html` never removes
/// pics/holiday-charts/beach.png.
#[test]
fn a_report_keeps_the_users_pictures_in_its_charts_folder() {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results");
    let output = run(&[
        "run",
        &single_ward(),
        "-n",
        "2",
        "-q",
        "--out",
        &results.display().to_string(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pics = dir.path().join("pics");
    fs::create_dir_all(pics.join("holiday-charts")).unwrap();
    fs::write(pics.join("holiday-charts/beach.png"), b"sand").unwrap();
    fs::write(pics.join("cat.jpg"), b"cat").unwrap();
    let page = pics.join("holiday.html").display().to_string();
    let results_text = results.display().to_string();
    let refused = run(&["report", &results_text, "--out", &page]);
    fails_with(&refused, 4, "beach.png");
    for _ in 0..2 {
        let forced = run(&["report", &results_text, "--out", &page, "--force"]);
        assert!(forced.status.success(), "{}", stderr(&forced));
    }
    assert_eq!(
        fs::read(pics.join("holiday-charts/beach.png")).unwrap(),
        b"sand"
    );
    assert_eq!(fs::read(pics.join("cat.jpg")).unwrap(), b"cat");
    assert!(pics.join("holiday.html").exists());
    assert!(
        fs::read_dir(pics.join("holiday-charts"))
            .unwrap()
            .flatten()
            .any(|e| e.path().extension().is_some_and(|x| x == "svg"))
    );
}

/// Item 2: a scenario named scenario.toml, run with --out into its own
/// folder, is never replaced; nor is a saved scenario.toml re-run into the
/// results it came from.
#[test]
fn the_scenario_being_run_is_never_an_output() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(single_ward()).unwrap() + "\n# my comment\n";
    fs::write(dir.path().join("scenario.toml"), &text).unwrap();
    for extra in [&[][..], &["--force"][..]] {
        let output = iccsim()
            .current_dir(dir.path())
            .args(["run", "scenario.toml", "-n", "2", "-q", "--out", "."])
            .args(["--set", "run.seed=9"])
            .args(extra)
            .output()
            .unwrap();
        fails_with(&output, 4, "scenario.toml");
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("scenario.toml")).unwrap(),
        text
    );

    // The results' own scenario.toml, run again into its folder.
    let results = dir.path().join("results");
    let results_text = results.display().to_string();
    assert!(
        run(&[
            "run",
            &single_ward(),
            "-n",
            "2",
            "-q",
            "--out",
            &results_text
        ])
        .status
        .success()
    );
    let saved = results.join("scenario.toml");
    let saved_before = fs::read(&saved).unwrap();
    let output = run(&[
        "run",
        &saved.display().to_string(),
        "-n",
        "2",
        "-q",
        "--out",
        &results_text,
        "--set",
        "run.seed=5",
    ]);
    fails_with(&output, 4, "never writes over its own input");
    assert_eq!(fs::read(&saved).unwrap(), saved_before);
}

/// Item 3: two `run`s started together into one folder never leave one's
/// run.json beside the other's results.json: the second is refused while
/// the first holds the folder, or runs after it.
#[test]
fn two_runs_into_one_folder_never_mix() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out").display().to_string();
    let mut refused = 0;
    for pair in 0..6 {
        let seeds = [format!("{}", 100 + 2 * pair), format!("{}", 101 + 2 * pair)];
        let children: Vec<_> = seeds
            .iter()
            .map(|seed| {
                std::process::Command::new(env!("CARGO_BIN_EXE_iccsim"))
                    .args([
                        "run",
                        &single_ward(),
                        "-n",
                        "3",
                        "-q",
                        "--seed",
                        seed,
                        "--out",
                        &out,
                    ])
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            if !output.status.success() {
                assert!(
                    stderr(&output).contains("another iccsim command is writing into this folder"),
                    "{}",
                    stderr(&output)
                );
                refused += 1;
            }
        }
        let run_json: serde_json::Value =
            serde_json::from_slice(&fs::read(Path::new(&out).join("run.json")).unwrap()).unwrap();
        let results: serde_json::Value =
            serde_json::from_slice(&fs::read(Path::new(&out).join("results.json")).unwrap())
                .unwrap();
        assert_eq!(run_json["seed"], results["run"]["seed"], "one run's files");
        // And the report agrees: the folder is one run's.
        let report = run(&["report", &out]);
        assert!(report.status.success(), "{}", stderr(&report));
    }
    eprintln!("{refused} of 12 runs found the folder held by the other");
}

/// Item 3: a folder whose files are not those iccsim wrote together (a
/// results.json copied in from another run) is not drawn as one run.
#[test]
fn a_report_refuses_a_folder_that_mixes_two_runs() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a").display().to_string();
    let b = dir.path().join("b").display().to_string();
    assert!(
        run(&[
            "run",
            &single_ward(),
            "-n",
            "2",
            "-q",
            "--seed",
            "1",
            "--out",
            &a
        ])
        .status
        .success()
    );
    assert!(
        run(&[
            "run",
            &single_ward(),
            "-n",
            "2",
            "-q",
            "--seed",
            "2",
            "--out",
            &b
        ])
        .status
        .success()
    );
    fs::copy(
        Path::new(&b).join("results.json"),
        Path::new(&a).join("results.json"),
    )
    .unwrap();
    let output = run(&["report", &a]);
    fails_with(&output, 3, "results.json");
}

/// Item 4: a comparison killed part-way leaves the earlier comparison
/// whole, byte for byte.
#[test]
fn a_comparison_killed_part_way_leaves_the_earlier_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp").display().to_string();
    let stress = shipped("scenarios/reference-network-stress.toml")
        .display()
        .to_string();
    let base = shipped("scenarios/reference-network.toml")
        .display()
        .to_string();
    let first = run(&["compare", &base, &stress, "-n", "2", "-q", "--out", &out]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = results_under(Path::new(&out));
    // A long comparison, killed while it simulates.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_iccsim"))
        .args([
            "compare", &base, &stress, "-n", "400", "-j", "1", "-q", "--out", &out,
        ])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "still running when killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // Every result file is untouched; beside them, each scenario's
    // checkpoint keeps the killed comparison's finished replications
    // (issue 24: `compare --resume`), listed in the manifest.
    let results = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(n, _)| !n.ends_with("records.partial") && !n.starts_with(".iccsim-"))
            .collect()
    };
    let after = results(results_under(Path::new(&out)));
    assert_eq!(
        results(before.clone()),
        after,
        "the earlier comparison is untouched"
    );
    for scenario in ["reference-network", "reference-network-stress"] {
        let partial = Path::new(&out).join(format!("scenarios/{scenario}/records.partial"));
        assert!(partial.is_file(), "{}", partial.display());
    }
    // The next command into the folder is told of them; once they are
    // removed, it clears the staging of the killed one.
    let refused = run(&["compare", &base, &stress, "-n", "2", "-q", "--out", &out]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("holds an interrupted comparison"));
    for scenario in ["reference-network", "reference-network-stress"] {
        fs::remove_file(Path::new(&out).join(format!("scenarios/{scenario}/records.partial")))
            .unwrap();
    }
    let again = run(&["compare", &base, &stress, "-n", "2", "-q", "--out", &out]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(before, results_under(Path::new(&out)));
}

/// Item 5: staging folders and temporary files of a killed process are
/// cleared by the next command into the folder, `--resume` included.
#[test]
fn debris_of_a_killed_command_is_cleared_by_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let out_text = out.display().to_string();
    let ward = single_ward();
    let args = ["batch", &ward, "-n", "2", "-q", "--out", &out_text];
    assert!(run(&args).status.success());
    let whole = results_under(&out);
    // As a kill -9 in the final write leaves them (a pid no process has).
    let dead = 4_000_000_000u32;
    fs::create_dir_all(out.join(format!(".iccsim-staging-{dead}"))).unwrap();
    fs::write(
        out.join(format!(".iccsim-staging-{dead}/breakdown.csv")),
        vec![b'x'; 1 << 20],
    )
    .unwrap();
    fs::write(out.join(format!(".report.html.{dead}.tmp")), b"half a page").unwrap();
    fs::write(out.join(format!("..iccsim-manifest.json.{dead}.tmp")), b"{").unwrap();
    fs::write(out.join(format!(".iccsim-report-{dead}.pdf")), b"%PDF-").unwrap();
    let mut resume = args.to_vec();
    resume.push("--resume");
    let output = run(&resume);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        results_under(&out),
        whole,
        "no debris left, results unchanged"
    );
}

/// Item 7: files whose names lose their letters when made a scenario name
/// still get default folders of their own.
#[test]
fn file_names_that_lose_their_letters_get_folders_of_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(single_ward())
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("name ="))
        .collect::<Vec<_>>()
        .join("\n");
    let files = ["東京.toml", "大阪.toml", "..toml", " .toml"];
    for file in files {
        fs::write(dir.path().join(file), &text).unwrap();
        let output = iccsim()
            .current_dir(dir.path())
            .args(["run", file, "-n", "2", "-q"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{file}: {}", stderr(&output));
    }
    let folders: Vec<String> = fs::read_dir(dir.path().join("results"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(folders.len(), files.len(), "{folders:?}");
}

/// Item 8: `run --episodes` counts the episodes it keeps in its memory
/// bound, and says how many replications fit.
#[test]
fn run_with_episodes_is_refused_before_it_exhausts_memory() {
    let output = run(&[
        "run",
        "-n",
        "200",
        "--episodes",
        "-q",
        "--out",
        "/nonexistent/never",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("--episodes"), "{message}");
    assert!(message.contains("at most"), "{message}");
    assert!(!Path::new("/nonexistent/never").exists());
}

/// Item 12: replications in flight are bounded by the memory the process
/// may use: fewer threads, with a note, and the same numbers.
#[test]
fn threads_are_fewer_when_memory_is_short_and_numbers_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let stress = shipped("scenarios/reference-network-stress.toml")
        .display()
        .to_string();
    let a = dir.path().join("a").display().to_string();
    let b = dir.path().join("b").display().to_string();
    let roomy = run(&["batch", &stress, "-n", "4", "-j", "4", "--out", &a]);
    assert!(roomy.status.success(), "{}", stderr(&roomy));
    assert!(!stderr(&roomy).contains("at a time"), "{}", stderr(&roomy));
    let short = iccsim()
        .env("ICCSIM_MEMORY_LIMIT", "1K")
        .args(["batch", &stress, "-n", "4", "-j", "4", "--out", &b])
        .output()
        .unwrap();
    assert!(short.status.success(), "{}", stderr(&short));
    assert!(
        stderr(&short).contains("running 1 at a time instead of 4"),
        "{}",
        stderr(&short)
    );
    assert_eq!(
        fs::read(Path::new(&a).join("records.csv")).unwrap(),
        fs::read(Path::new(&b).join("records.csv")).unwrap()
    );
    let bad = iccsim()
        .env("ICCSIM_MEMORY_LIMIT", "lots")
        .args(["batch", &stress, "-n", "1", "-q", "--out", &b])
        .output()
        .unwrap();
    fails_with(&bad, 2, "ICCSIM_MEMORY_LIMIT");
}

/// Item 14: nothing read from a file reaches the terminal as a control
/// character: a title that would clear the screen and set the clipboard,
/// an `extends` that would print a fake "ok".
#[test]
fn escape_sequences_from_files_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(single_ward()).unwrap();
    let evil_title = "\\u001b[2J\\u001b[H\\u001b]52;c;ZXZpbA==\\u0007ok: all good\\u001b[8m";
    let titled: String = text
        .lines()
        .map(|l| {
            if l.starts_with("title =") {
                format!("title = \"{evil_title}\"\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_ne!(titled, text, "the fixture has a [run] table");
    let path = dir.path().join("titled.toml");
    fs::write(&path, titled).unwrap();
    let extends = dir.path().join("extends.toml");
    fs::write(&extends, format!("extends = \"{evil_title}.toml\"\n")).unwrap();
    let out = dir.path().join("out").display().to_string();
    let outputs = [
        run(&["run", &path.display().to_string(), "-n", "2", "--out", &out]),
        run(&["validate", &extends.display().to_string()]),
        run(&["validate", &path.display().to_string()]),
    ];
    for output in &outputs {
        for stream in [&output.stdout, &output.stderr] {
            assert!(
                !stream.iter().any(|b| *b == 0x1b || *b == 0x07),
                "a control character reached the terminal: {}",
                String::from_utf8_lossy(stream)
            );
        }
    }
    assert!(
        stderr(&outputs[1]).contains("\\u{1b}[2J"),
        "{}",
        stderr(&outputs[1])
    );
}

/// `schema --out` replaces only a schema iccsim wrote, never a file of
/// the user's.
#[test]
fn the_schema_never_overwrites_a_file_of_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let readme = dir.path().join("README.md");
    fs::write(&readme, b"# my notes").unwrap();
    let out = run(&["schema", "--out", &readme.display().to_string()]);
    fails_with(&out, 4, "--force");
    assert_eq!(fs::read(&readme).unwrap(), b"# my notes");
    let schema = dir.path().join("schema.json").display().to_string();
    for _ in 0..2 {
        let written = run(&["schema", "--out", &schema]);
        assert!(written.status.success(), "{}", stderr(&written));
    }
    // A schema the team edited (same title) is theirs now.
    let edited = fs::read_to_string(&schema).unwrap().replacen(
        "{",
        "{\"description\": \"OUR TEAM EDITED THIS\",",
        1,
    );
    fs::write(&schema, &edited).unwrap();
    let out = run(&["schema", "--out", &schema]);
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&schema).unwrap(), edited);
}

/// Found by a hostile trial: what a killed command left, or a manifest
/// that claims files, never lets iccsim overwrite or remove a file that is
/// not its own: a staged set is finished only if everything it replaces is
/// still the tool's; only names iccsim makes count as its debris; only its
/// checkpoint may be listed without a checksum, and never through a link.
#[test]
fn leftovers_and_claims_never_cost_the_user_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let ward = single_ward();
    let out = dir.path().join("out");
    let out_text = out.display().to_string();
    assert!(
        run(&["run", &ward, "-n", "2", "-q", "--out", &out_text])
            .status
            .success()
    );
    // A forged "killed commit" that would remove notes.txt and replace
    // summary.csv, after the user edited summary.csv.
    fs::write(out.join("notes.txt"), b"mine").unwrap();
    let staging = out.join(".iccsim-staging-1");
    fs::create_dir_all(&staging).unwrap();
    fs::write(staging.join("summary.csv"), b"forged").unwrap();
    fs::write(
        staging.join(".iccsim-manifest.json"),
        r#"{"format":1,"files":[{"path":"summary.csv","group":"results","size":6,"crc32":1}]}"#,
    )
    .unwrap();
    fs::write(staging.join(".iccsim-commit"), br#"["notes.txt"]"#).unwrap();
    fs::write(out.join("summary.csv"), b"edited by hand").unwrap();
    // A folder of the user's that merely looks like iccsim's.
    fs::create_dir_all(out.join(".iccsim-backup-2024")).unwrap();
    fs::write(out.join(".iccsim-backup-2024/data.txt"), b"keep").unwrap();
    let refused = run(&["run", &ward, "-n", "2", "-q", "--out", &out_text]);
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
    assert_eq!(
        fs::read(out.join("summary.csv")).unwrap(),
        b"edited by hand"
    );
    assert_eq!(
        fs::read(out.join(".iccsim-backup-2024/data.txt")).unwrap(),
        b"keep"
    );
    assert!(!staging.exists(), "the forged set was dropped, not applied");

    // A manifest entry without a checksum proves nothing (but for the
    // checkpoint), and none leads through a link out of the folder.
    let claimed = dir.path().join("claimed");
    fs::create_dir_all(&claimed).unwrap();
    fs::write(claimed.join("thesis.docx"), b"years of work").unwrap();
    fs::write(
        claimed.join(".iccsim-manifest.json"),
        r#"{"format":1,"files":[{"path":"thesis.docx","group":"results"}]}"#,
    )
    .unwrap();
    let claimed_text = claimed.display().to_string();
    let output = run(&["run", &ward, "-n", "1", "-q", "--out", &claimed_text]);
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert_eq!(
        fs::read(claimed.join("thesis.docx")).unwrap(),
        b"years of work"
    );
    let victim = dir.path().join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::write(victim.join("v.txt"), b"outside").unwrap();
    let linked = dir.path().join("linked");
    fs::create_dir_all(&linked).unwrap();
    std::os::unix::fs::symlink(&victim, linked.join("link")).unwrap();
    let crc = format!("{}", crc32fast::hash(b"outside"));
    fs::write(
        linked.join(".iccsim-manifest.json"),
        format!(
            r#"{{"format":1,"files":[{{"path":"link/v.txt","group":"results","size":7,"crc32":{crc}}}]}}"#
        ),
    )
    .unwrap();
    let linked_text = linked.display().to_string();
    let output = run(&[
        "run",
        &ward,
        "-n",
        "1",
        "-q",
        "--force",
        "--out",
        &linked_text,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(fs::read(victim.join("v.txt")).unwrap(), b"outside");
}

/// Found by a hostile trial: a command that would replace a folder's
/// results refuses a folder holding an interrupted batch, as `batch`
/// without --resume does; a file where a folder of the tool's goes is
/// refused before the work, and leaves nothing that blocks later commands.
#[test]
fn an_interrupted_batch_and_a_file_in_the_way_are_refused_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let ward = single_ward();
    let out = dir.path().join("out");
    let text = fs::read_to_string(shipped("scenarios/examples/single-ward.toml")).unwrap();
    let _ = text;
    let out_text = out.display().to_string();
    assert!(
        run(&["batch", &ward, "-n", "2", "-q", "--out", &out_text])
            .status
            .success()
    );
    let records = fs::read_to_string(out.join("records.csv")).unwrap();
    let first_two: String = records.lines().take(2).map(|l| format!("{l}\n")).collect();
    let folder = dir.path().join("cut");
    fs::create_dir_all(&folder).unwrap();
    let mut claimed = iccsim::report::output_folder::OutputFolder::open(
        &folder,
        &iccsim::report::output_folder::Request::default(),
    )
    .unwrap();
    let partial = claimed
        .claim_working_file("records.partial", "results")
        .unwrap();
    drop(claimed);
    fs::write(&partial, &first_two).unwrap();
    let folder_text = folder.display().to_string();
    for command in ["run", "compare"] {
        let mut args = vec![command, &ward];
        if command == "compare" {
            args.push(&ward);
        }
        args.extend(["-n", "2", "-q", "--out", &folder_text]);
        let output = run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{command}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("interrupted batch"),
            "{}",
            stderr(&output)
        );
        assert_eq!(fs::read_to_string(&partial).unwrap(), first_two);
    }

    let charts = dir.path().join("charts");
    let charts_text = charts.display().to_string();
    assert!(
        run(&["run", &ward, "-n", "2", "-q", "--out", &charts_text])
            .status
            .success()
    );
    fs::write(charts.join("report-charts"), b"notes").unwrap();
    for _ in 0..2 {
        let output = run(&["report", &charts_text, "--force"]);
        fails_with(&output, 4, "report-charts");
    }
    fs::remove_file(charts.join("report-charts")).unwrap();
    let output = run(&["report", &charts_text]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// Found by a hostile trial: `merge` reads a shard's records.csv only if
/// it is a regular file, and no line past what a record can be.
#[test]
fn merge_refuses_records_that_are_not_files_or_never_end() {
    let dir = tempfile::tempdir().unwrap();
    let stress = shipped("scenarios/reference-network-stress.toml")
        .display()
        .to_string();
    let s1 = dir.path().join("s1").display().to_string();
    let s2 = dir.path().join("s2");
    assert!(
        run(&[
            "batch", &stress, "-n", "2", "--shard", "1/2", "-q", "--out", &s1
        ])
        .status
        .success()
    );
    fs::create_dir_all(&s2).unwrap();
    fs::copy(
        Path::new(&s1).join("scenario.toml"),
        s2.join("scenario.toml"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/dev/zero", s2.join("records.csv")).unwrap();
    let merged = dir.path().join("m").display().to_string();
    let output = run(&["merge", &s1, &s2.display().to_string(), "--out", &merged]);
    fails_with(&output, 3, "not a regular file");
    // A line that never ends.
    fs::remove_file(s2.join("records.csv")).unwrap();
    let header = fs::read_to_string(Path::new(&s1).join("records.csv"))
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .to_string();
    let mut endless = format!("{header}\n").into_bytes();
    endless.extend(std::iter::repeat_n(b'7', 64 << 20));
    endless.push(b'\n');
    fs::write(s2.join("records.csv"), endless).unwrap();
    let output = run(&["merge", &s1, &s2.display().to_string(), "--out", &merged]);
    fails_with(&output, 3, "longer than any record");
}

/// Found by a hostile trial: `calibrate --update` never writes over the
/// scenario it calibrates; `show` into a file is the text itself, and
/// clap's own messages are escaped like the rest.
#[test]
fn calibrate_show_and_usage_errors_keep_their_promises() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.toml");
    fs::copy(shipped("scenarios/north-cumbria-baseline.toml"), &base).unwrap();
    let before = fs::read(&base).unwrap();
    let base_text = base.display().to_string();
    let output = run(&["calibrate", &base_text, "-n", "1", "--update", &base_text]);
    fails_with(&output, 2, "never writes over its own input");
    assert_eq!(fs::read(&base).unwrap(), before);

    let ward = fs::read_to_string(single_ward()).unwrap();
    let titled: String = ward
        .lines()
        .map(|l| {
            if l.starts_with("title =") {
                "title = \"Ward \u{202e} x\"\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let path = dir.path().join("titled.toml");
    fs::write(&path, titled).unwrap();
    let shown = run(&["show", &path.display().to_string()]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(String::from_utf8_lossy(&shown.stdout).contains("Ward \u{202e} x"));

    let usage = run(&["run", "--bogus\u{1b}]0;PWN\u{7}"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(
        !usage.stderr.iter().any(|b| *b == 0x1b || *b == 0x07),
        "{}",
        stderr(&usage)
    );
}
