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

/// Mistakes a strategist makes with `--set` on the whole-system baseline:
/// each is refused with its key, the value and what is allowed.
#[test]
fn mistakes_in_the_whole_system_are_named_with_their_key() {
    let cases: &[(&str, &str)] = &[
        (
            r#"sites.cumberland_infirmary.adult_beds="many""#,
            r#"sites.cumberland_infirmary.adult_beds: wrong type: string "many", expected a number"#,
        ),
        (
            "sites.cumberland_infirmary.adult_beds=-5",
            "sites.cumberland_infirmary.adult_beds = -5: must be a whole number from 0 to 10000000 (places)",
        ),
        (
            "sites.cumberland_infirmary.adult_beds=nan",
            "sites.cumberland_infirmary.adult_beds = nan: must be a whole number",
        ),
        (
            "iccs.copeland.bedz=3",
            "iccs.copeland.bedz: unknown key `bedz`; valid keys here:",
        ),
        (
            r#"population.growth_per_year."85+"=inf"#,
            r#"population.growth_per_year."85+" = inf: must be a number from -0.5 to 1 (fraction per year)"#,
        ),
        ("run.seed=-1", "run.seed = -1: must be a whole number ≥ 0"),
        (
            r#"run.start_date="2025-02-30""#,
            "no such day in the calendar",
        ),
        (
            r#"iccs.copeland.population."85+"=-1"#,
            r#"iccs.copeland.population."85+" = -1: must be a number from 0 to 100000000 (people)"#,
        ),
        (
            "run.replications=0",
            "run.replications = 0: must be a whole number from 1 to 1000000",
        ),
        (
            r#"age_bands."0-17".discharge.home=0.5"#,
            "the shares must add up to 1 (they add up to 0.5)",
        ),
        (
            r#"age_bands."0-17".ed_admission=1.5"#,
            "must be a number from 0 to 1 (probability)",
        ),
        (
            "run.horizon_days=0",
            "run.horizon_days = 0: must be more than 0 days and at most 73000",
        ),
        (
            "run.warmup_days=-3",
            "run.warmup_days = -3: must be a number from 0 to 73000 (days)",
        ),
        (
            r#"iccs.copeland.site="nowhere""#,
            "is not a site; the sites are `cumberland_infirmary`, `west_cumberland`",
        ),
        (
            r#"age_bands."0-17".overnight_stay.dist="weibull""#,
            "unknown distribution; use one of",
        ),
        (
            r#"age_bands."0-17".overnight_stay.sd=-1"#,
            "overnight_stay.sd = -1: must be a finite number > 0",
        ),
        (
            "population.risk_tiers.high.share=2",
            "must be a number from 0 to 0.5 (fraction of the band)",
        ),
        ("iccs={}", "iccs: needs at least one ICC"),
    ];
    for (setting, expected) in cases {
        let text = iccsim::scenario::overrides::apply_to_text(
            iccsim::scenario::DEFAULT_SCENARIO_TOML,
            "baseline",
            &[setting.to_string()],
        )
        .unwrap();
        match iccsim::scenario::load_str(&text, "baseline", "baseline") {
            Ok(_) => panic!("--set {setting} was accepted"),
            Err(e) => assert!(
                e.to_string().contains(expected),
                "--set {setting}:\nexpected: {expected}\nmessage: {e}"
            ),
        }
    }
}

/// Diversion loops are found in one pass (a service diverts to at most one
/// other): each loop once, at its first service, and a chain leading into
/// a loop is not a loop of its own.
#[test]
fn each_diversion_loop_is_reported_once_at_its_first_service() {
    let service = |name: &str, to: &str| {
        format!(
            "[services.{name}]\ncapacity = 1\nwhen_full = \"divert\"\ndivert_to = \"{to}\"\nstay = {{ dist = \"exponential\", mean = 1.0 }}\nroutes = [{{ to = \"exit\", probability = 1.0 }}]\n"
        )
    };
    let text = format!(
        "schema_version = 1\n{}{}{}{}{}[patient_types.t]\narrive_at = \"c\"\nrate_per_day = 1.0\n",
        service("c", "a"),
        service("a", "b"),
        service("b", "a"),
        service("d", "e"),
        service("e", "d"),
    );
    let message = match iccsim::scenario::load_str(&text, "loops", "loops") {
        Ok(_) => panic!("loops were accepted"),
        Err(e) => e.to_string(),
    };
    let loops: Vec<&str> = message
        .lines()
        .filter(|l| l.contains("form a loop"))
        .collect();
    assert_eq!(loops.len(), 2, "{message}");
    assert!(
        loops[0].contains("services.a.divert_to: diversions when full form a loop (a → b → a)"),
        "{message}"
    );
    assert!(
        loops[1].contains("services.d.divert_to: diversions when full form a loop (d → e → d)"),
        "{message}"
    );
}
