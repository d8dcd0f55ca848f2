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
        // by tests/it/uncertainty.rs and .ci/run).
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
    // A name that had to be changed carries the original's CRC-32, so
    // that `東京.toml` and `大阪.toml` (both `--`) never share a name or an
    // output folder (issue 18).
    let changed =
        |made: &str, stem: &str| format!("{made}-{:08x}", crc32fast::hash(stem.as_bytes()));
    for (file, expected) in [
        ("my ward.v2.toml", changed("my-ward-v2", "my ward.v2")),
        ("lost.toml", "lost-scenario".to_string()),
        ("東京.toml", changed("scenario", "東京")),
        ("大阪.toml", changed("scenario", "大阪")),
        ("..toml", changed("scenario", ".")),
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
        // 0.6 + 0.2 + 0.1 + 0.2 in floating point is 1.1000000000000003:
        // the message shows the sum a person would add up.
        (
            "primary_care.referred_on.ed=0.6",
            "primary_care.referred_on = 1.1: the shares must add up to 1 (they add up to 1.1)",
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

/// Only regular files are read, and never past 16 MiB, whatever size the
/// file system reports: a named pipe called `x.toml` (opening it would wait
/// for a writer for ever), a pipe (`validate <(...)`, here standard input),
/// `/dev/zero` and `/proc/self/pagemap` (both report 0 bytes and never end).
/// Each is refused at once with exit code 3.
#[test]
fn pipes_devices_and_endless_files_are_refused_without_waiting() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let binary = env!("CARGO_BIN_EXE_iccsim");
    let refused = |mut command: Command, feed: Option<Vec<u8>>| -> String {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // The writer may find the pipe closed once iccsim has refused it.
        let writer = std::thread::spawn(move || {
            if let Some(bytes) = feed {
                let _ = stdin.write_all(&bytes);
            }
        });
        let started = std::time::Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if started.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("still reading after 60 s: {command:?}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let output = child.wait_with_output().unwrap();
        writer.join().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert_eq!(output.status.code(), Some(3), "{command:?}: {stderr}");
        stderr
    };
    let validate = |path: &Path| {
        let mut command = Command::new(binary);
        command.arg("validate").arg(path);
        command
    };
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("x.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let stderr = refused(validate(&fifo), None);
    assert!(
        stderr.contains("x.toml: it is a pipe (a FIFO, or <(...) in a shell), not a regular file: scenarios are read only from files; save the scenario to a .toml file and give its path"),
        "{stderr}"
    );
    // 20 MiB of comments through a pipe: refused as a pipe, unread.
    let stderr = refused(
        validate(Path::new("/dev/stdin")),
        Some(vec![b'#'; 20 << 20]),
    );
    assert!(stderr.contains("/dev/stdin: it is a pipe"), "{stderr}");
    let stderr = refused(validate(Path::new("/dev/zero")), None);
    assert!(
        stderr.contains("/dev/zero: it is a device, not a regular file"),
        "{stderr}"
    );
    let stderr = refused(validate(Path::new("/proc/self/pagemap")), None);
    assert!(
        stderr
            .contains("it is larger than 16777216 bytes (16 MiB), the most a scenario file may be"),
        "{stderr}"
    );
}

/// A key or table header nested more than 80 deep is refused by the TOML
/// reader without a location; the message gives the line, in the file
/// itself and in a parent outside the folder (which is never quoted).
#[test]
fn keys_nested_too_deep_are_located() {
    let deep = (0..81)
        .map(|i| format!("k{i}"))
        .collect::<Vec<_>>()
        .join(".");
    for text in [
        format!("schema_version = 1\n# a comment\n{deep} = 1\nname = \"x\"\n"),
        format!("schema_version = 1\n\n[{deep}]\nx = 1\n"),
        format!("schema_version = 1\n\n[[{deep}]]\n"),
    ] {
        let message = iccsim::scenario::load_scenario(&text, "deep", "deep")
            .err()
            .unwrap()
            .to_string();
        assert!(
            message.contains("TOML parse error at line 3: recursion limit: a key or [table] header on this line has more than 80 dotted parts"),
            "{message}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    let deep_file = format!("schema_version = 1\n\n\n\n{deep} = 1\n");
    std::fs::write(scenarios.join("deep.toml"), &deep_file).unwrap();
    let message = load_file(&scenarios.join("deep.toml"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("at line 5"), "{message}");
    std::fs::write(dir.path().join("outside.toml"), &deep_file).unwrap();
    std::fs::write(
        scenarios.join("child.toml"),
        "extends = \"../outside.toml\"\n",
    )
    .unwrap();
    let message = load_file(&scenarios.join("child.toml"))
        .unwrap_err()
        .to_string();
    assert!(message.contains("is not valid TOML (line 5)"), "{message}");
}
