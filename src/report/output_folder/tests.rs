//! The output folder's own tests: sets replaced, foreign files refused,
//! locks, inputs, killed commits finished or cleared.

use super::manifest::checksum_file;
use super::*;

fn whole(may_write: &[&str]) -> Request {
    Request {
        whole_folder: true,
        may_write: may_write.iter().map(|s| s.to_string()).collect(),
        ..Request::default()
    }
}

fn names(folder: &Path) -> Vec<String> {
    let mut found: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    found.sort();
    found
}

#[test]
fn a_new_set_replaces_only_the_tools_own_earlier_set() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut folder = OutputFolder::open(&out, &whole(&["a.csv", "b.csv"])).unwrap();
    folder
        .commit(
            &[("a.csv", b"1".to_vec()), ("b.csv", b"x".to_vec())],
            RESULTS,
            Replace::Results,
        )
        .unwrap();
    folder
        .commit(&[("a.csv", b"2".to_vec())], RESULTS, Replace::Results)
        .unwrap();
    drop(folder);
    assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"2");
    assert!(
        !out.join("b.csv").exists(),
        "the earlier set's other file goes"
    );
    assert_eq!(names(&out), [MANIFEST_FILE, LOCK_FILE, "a.csv"]);
}

#[test]
fn a_folder_with_files_of_the_users_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    fs::write(out.join("budget.csv"), b"mine").unwrap();
    fs::write(out.join("notes.txt"), b"mine").unwrap();
    let err = OutputFolder::open(out, &whole(&["budget.csv", "a.csv"])).unwrap_err();
    assert!(err.to_string().contains("budget.csv"), "{err}");
    assert!(err.to_string().contains("never overwrites"), "{err}");
    // With --force, still never over the user's budget.csv.
    let forced = Request {
        force: true,
        ..whole(&["budget.csv", "a.csv"])
    };
    assert!(OutputFolder::open(out, &forced).is_err());
    // Beside notes.txt, with --force, it writes.
    let forced = Request {
        force: true,
        ..whole(&["a.csv"])
    };
    let mut folder = OutputFolder::open(out, &forced).unwrap();
    folder
        .commit(&[("a.csv", b"1".to_vec())], RESULTS, Replace::Results)
        .unwrap();
    assert_eq!(fs::read(out.join("budget.csv")).unwrap(), b"mine");
    assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
}

#[test]
fn a_file_changed_since_it_was_written_is_no_longer_the_tools() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut folder = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap();
    folder
        .commit(&[("a.csv", b"1".to_vec())], RESULTS, Replace::Results)
        .unwrap();
    drop(folder);
    fs::write(out.join("a.csv"), b"edited by hand").unwrap();
    let err = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap_err();
    assert!(err.to_string().contains("a.csv"), "{err}");
    assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"edited by hand");
}

#[test]
fn a_second_command_cannot_write_a_locked_folder() {
    let dir = tempfile::tempdir().unwrap();
    let _first = OutputFolder::open(dir.path(), &whole(&[])).unwrap();
    let err = OutputFolder::open(dir.path(), &whole(&[])).unwrap_err();
    assert!(err.to_string().contains("another iccsim command"), "{err}");
}

#[test]
fn an_input_is_never_an_output() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("scenario.toml");
    fs::write(&scenario, b"# mine").unwrap();
    let request = Request {
        force: true,
        inputs: vec![scenario.clone()],
        ..whole(&["scenario.toml"])
    };
    assert!(OutputFolder::open(dir.path(), &request).is_err());
    assert_eq!(fs::read(&scenario).unwrap(), b"# mine");
}

#[test]
fn a_killed_commit_is_finished_or_cleared_by_the_next_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut folder = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap();
    folder
        .commit(&[("a.csv", b"old".to_vec())], RESULTS, Replace::Results)
        .unwrap();
    drop(folder);
    // A dead process's complete staging (marker written): rolled forward.
    let dead = 4_000_000_000u32; // above any pid Linux hands out
    let staging = out.join(format!("{STAGING_PREFIX}{dead}"));
    fs::create_dir_all(&staging).unwrap();
    fs::write(staging.join("a.csv"), b"new").unwrap();
    let (size, crc) = checksum_file(&staging.join("a.csv")).unwrap();
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        files: vec![Entry {
            path: "a.csv".into(),
            group: "results".into(),
            size: Some(size),
            crc32: Some(crc),
        }],
    };
    fs::write(staging.join(MANIFEST_FILE), manifest_bytes(&manifest)).unwrap();
    fs::write(staging.join(COMMIT_MARKER), b"[]").unwrap();
    // And an incomplete one, and a temporary file: removed.
    fs::create_dir_all(out.join(format!("{STAGING_PREFIX}{}", dead - 1))).unwrap();
    fs::write(out.join(format!(".report.html.{dead}.tmp")), b"half").unwrap();
    assert!(
        check_consistent(&out).is_err(),
        "a half-moved set is not read"
    );
    let folder = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap();
    drop(folder);
    assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"new");
    assert_eq!(names(&out), [MANIFEST_FILE, LOCK_FILE, "a.csv"]);
    assert!(check_consistent(&out).is_ok());
}

#[test]
fn a_report_page_among_the_users_files_touches_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let pics = dir.path();
    fs::create_dir_all(pics.join("holiday-charts")).unwrap();
    fs::write(pics.join("holiday-charts/beach.png"), b"photo").unwrap();
    fs::write(pics.join("cat.jpg"), b"photo").unwrap();
    let request = Request {
        may_write: vec!["holiday.html".into(), "holiday-charts/".into()],
        ..Request::default()
    };
    let err = OutputFolder::open(pics, &request).unwrap_err();
    assert!(err.to_string().contains("beach.png"), "{err}");
    let forced = Request {
        force: true,
        ..request
    };
    let mut folder = OutputFolder::open(pics, &forced).unwrap();
    for _ in 0..2 {
        folder
            .commit(
                &[
                    ("holiday.html", b"page".to_vec()),
                    ("holiday-charts/a.svg", b"svg".to_vec()),
                ],
                "report:holiday",
                Replace::Group,
            )
            .unwrap();
    }
    assert_eq!(
        fs::read(pics.join("holiday-charts/beach.png")).unwrap(),
        b"photo"
    );
    assert_eq!(fs::read(pics.join("cat.jpg")).unwrap(), b"photo");
    assert_eq!(fs::read(pics.join("holiday.html")).unwrap(), b"page");
}

#[test]
fn a_mixed_folder_is_not_read_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let mut folder = OutputFolder::open(out, &whole(&["run.json", "results.json"])).unwrap();
    folder
        .commit(
            &[
                ("run.json", b"seed 1".to_vec()),
                ("results.json", b"of seed 1".to_vec()),
            ],
            "results",
            Replace::Results,
        )
        .unwrap();
    drop(folder);
    assert!(check_consistent(out).is_ok());
    fs::write(out.join("results.json"), b"of seed 2").unwrap();
    let err = check_consistent(out).unwrap_err();
    assert!(err.contains("results.json"), "{err}");
}
