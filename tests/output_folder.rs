//! Output folders (issue 18): iccsim never removes or overwrites a file it
//! did not write, never writes over its input, never mixes two commands'
//! files, replaces a set only when the new one is complete, cleans what a
//! killed command left, keeps memory within the machine, and prints no
//! control character that came from a file.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn iccsim() -> Command {
    Command::cargo_bin("iccsim").unwrap()
}

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
        assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("budget.csv"),
            "{}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("never overwrites or removes files it did not write")
                || stderr(&output).contains("never removes or overwrites files it did not write"),
            "{}",
            stderr(&output)
        );
    }
    let after: Vec<_> = files_under(&mine)
        .into_iter()
        .filter(|(n, _)| !n.starts_with(".iccsim"))
        .collect();
    assert_eq!(before, after, "every file of the user's is as it was");
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
    assert_eq!(refused.status.code(), Some(4));
    assert!(
        stderr(&refused).contains("notes.txt"),
        "{}",
        stderr(&refused)
    );
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
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    assert!(
        stderr(&refused).contains("beach.png"),
        "{}",
        stderr(&refused)
    );
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
        assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("scenario.toml"),
            "{}",
            stderr(&output)
        );
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
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("never writes over its own input"),
        "{}",
        stderr(&output)
    );
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
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("results.json"),
        "{}",
        stderr(&output)
    );
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
    let before = files_under(Path::new(&out));
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
    let after: Vec<_> = files_under(Path::new(&out))
        .into_iter()
        .filter(|(n, _)| !n.starts_with(".iccsim-staging"))
        .collect();
    assert_eq!(before, after, "the earlier comparison is untouched");
    // The next command into the folder clears the staging of the killed one.
    let again = run(&["compare", &base, &stress, "-n", "2", "-q", "--out", &out]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(before, files_under(Path::new(&out)));
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
    let whole = files_under(&out);
    // As a kill -9 in the final write leaves them (a pid no process has).
    let dead = 4_000_000_000u32;
    fs::create_dir_all(out.join(format!(".iccsim-staging-{dead}"))).unwrap();
    fs::write(
        out.join(format!(".iccsim-staging-{dead}/breakdown.csv")),
        vec![b'x'; 1 << 20],
    )
    .unwrap();
    fs::write(out.join(format!(".report.html.{dead}.tmp")), b"half a page").unwrap();
    let mut resume = args.to_vec();
    resume.push("--resume");
    let output = run(&resume);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        files_under(&out),
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
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("ICCSIM_MEMORY_LIMIT"),
        "{}",
        stderr(&bad)
    );
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
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(fs::read(&readme).unwrap(), b"# my notes");
    let schema = dir.path().join("schema.json").display().to_string();
    for _ in 0..2 {
        let written = run(&["schema", "--out", &schema]);
        assert!(written.status.success(), "{}", stderr(&written));
    }
}
