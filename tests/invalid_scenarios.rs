//! Invalid scenario fixtures (tests/fixtures/invalid/*.toml), each rejected
//! with the messages listed in its `# expect:` lines, never a panic. The
//! messages are part of the user interface: they name the TOML path, the
//! value at fault and the fix.

use std::path::Path;

use iccsim::scenario::{ScenarioError, load_file};

#[test]
fn every_fixture_is_rejected_with_its_expected_messages() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
    {
        let text = std::fs::read_to_string(path).unwrap();
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{} has no `# expect:` line",
            path.display()
        );
        let error = match load_file(path) {
            Ok(_) => panic!("{} was accepted", path.display()),
            Err(e) => e.to_string(),
        };
        for line in expected {
            assert!(
                error.contains(line),
                "{}:\nexpected to contain: {line}\nmessage was:\n{error}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 14, "only {checked} fixtures");
}

#[test]
fn all_problems_are_reported_at_once() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/many-problems.toml");
    match load_file(&path) {
        Err(ScenarioError::Invalid { issues, .. }) => {
            assert_eq!(issues.len(), 5, "{issues:#?}");
            let paths: Vec<&str> = issues.iter().map(|i| i.path.as_str()).collect();
            assert!(
                paths.contains(&"services.acute.capacity")
                    && paths.contains(&"services.rehab.when_full")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_inputs_say_why() {
    let missing = load_file(Path::new("no/such/scenario.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.contains("cannot read scenario no/such/scenario.toml"),
        "{missing}"
    );
    let folder = load_file(Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_err()
        .to_string();
    assert!(folder.contains("it is a folder"), "{folder}");
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    assert!(
        load_file(&binary)
            .unwrap_err()
            .to_string()
            .contains("not UTF-8")
    );
}

/// Every shipped scenario is valid (and so is the embedded default).
#[test]
fn shipped_scenarios_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = vec![];
    for entry in walk(&root) {
        // scenarios/sweeps/ holds sweep files, not scenarios (each is run
        // by tests/uncertainty.rs and .ci/run).
        if entry.starts_with(root.join("sweeps")) {
            continue;
        }
        if entry.extension().is_some_and(|e| e == "toml") {
            files.push(entry);
        }
    }
    assert!(files.len() >= 4);
    for file in files {
        if let Err(e) = load_file(&file) {
            panic!("{e}");
        }
    }
    iccsim::scenario::default_network().unwrap();
}

fn walk(folder: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

/// A scenario without `name` is named after its file, made valid: the user
/// did not write the name, so it is not reported.
#[test]
fn names_from_awkward_file_names_are_made_valid() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference-network.toml"),
    )
    .unwrap()
    .replace("name = \"reference-network\"\n", "");
    for (file, expected) in [
        ("my ward.v2.toml", "my-ward-v2"),
        ("lost.toml", "lost-scenario"),
    ] {
        let path = dir.path().join(file);
        std::fs::write(&path, &text).unwrap();
        let network = load_file(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(network.name, expected);
    }
}
