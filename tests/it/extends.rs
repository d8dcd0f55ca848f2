//! `extends`: a scenario that states only what it changes. Merge rules,
//! identity keys, cycles and missing parents, `iccsim show`, and results
//! that do not depend on the parent files once a batch has run.

use std::fs;
use std::path::Path;

use iccsim::scenario::load_file;

use crate::common::{iccsim, succeed};

fn reference() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/reference-network.toml")
        .display()
        .to_string()
}

#[test]
fn a_child_changes_only_what_it_says_and_has_its_own_name() {
    let dir = tempfile::tempdir().unwrap();
    let child = dir.path().join("more-beds.toml");
    fs::write(
        &child,
        format!(
            "extends = {:?}\n\n[services.acute]\ncapacity = 320\n",
            reference()
        ),
    )
    .unwrap();
    let (parent, child) = (
        load_file(Path::new(&reference())).unwrap(),
        load_file(&child).unwrap(),
    );
    // Its own name (from its file), not the parent's; no inherited title.
    assert_eq!(child.name, "more-beds");
    assert_ne!(child.title, parent.title);
    // Only the capacity differs.
    let acute = parent.service_id("acute").unwrap().index();
    assert_eq!(
        format!("{:?}", child.services[acute].capacity),
        "Limited(320)"
    );
    let mut same = child.clone();
    same.services[acute].capacity = parent.services[acute].capacity;
    same.name.clone_from(&parent.name);
    same.title.clone_from(&parent.title);
    same.description.clone_from(&parent.description);
    assert_eq!(format!("{same:?}"), format!("{parent:?}"));
}

#[test]
fn a_chain_merges_from_the_root_and_distributions_replace_whole() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: String| fs::write(dir.path().join(name), text).unwrap();
    write(
        "middle.toml",
        format!(
            "extends = {:?}\nname = \"middle\"\n[services.acute]\nstay = {{ dist = \"exponential\", mean = 5.0 }}\n",
            reference()
        ),
    );
    write(
        "leaf.toml",
        "extends = \"middle.toml\"\n[services.acute]\ncapacity = 280\n".into(),
    );
    let leaf = load_file(&dir.path().join("leaf.toml")).unwrap();
    let acute = leaf.service_id("acute").unwrap().index();
    assert_eq!(
        format!("{:?}", leaf.services[acute].capacity),
        "Limited(280)"
    );
    assert_eq!(leaf.name, "leaf");
    let output = iccsim()
        .arg("show")
        .arg(dir.path().join("leaf.toml"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let shown = String::from_utf8(output.stdout).unwrap();
    assert!(
        shown.contains("leaf.toml extends ") && shown.contains("middle.toml extends "),
        "{shown}"
    );
    // The exponential replaced the parent's stay whole: no stale keys.
    let resolved: toml::Table = toml::from_str(&shown).unwrap();
    let stay = resolved["services"]["acute"]["stay"].as_table().unwrap();
    assert_eq!(stay.len(), 2, "{stay:?}");
    assert!(!resolved.contains_key("extends"));
    // What `show` prints is a scenario in its own right.
    let again = dir.path().join("shown.toml");
    fs::write(&again, &shown).unwrap();
    let shown_network = load_file(&again).unwrap();
    assert_eq!(
        format!("{:?}", shown_network.services),
        format!("{:?}", leaf.services)
    );
}

#[test]
fn cycles_and_missing_parents_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.toml"), "extends = \"b.toml\"\n").unwrap();
    fs::write(dir.path().join("b.toml"), "extends = \"a.toml\"\n").unwrap();
    fs::write(
        dir.path().join("orphan.toml"),
        "extends = \"nowhere.toml\"\n",
    )
    .unwrap();
    fs::write(dir.path().join("number.toml"), "extends = 3\n").unwrap();
    for (file, message) in [
        ("a.toml", "goes round in a circle"),
        ("orphan.toml", "there is no file"),
        (
            "number.toml",
            "must be the path of the scenario this one changes",
        ),
    ] {
        let output = iccsim()
            .arg("validate")
            .arg(dir.path().join(file))
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3), "{file}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{file}: {stderr}");
    }
}

#[test]
fn batch_results_do_not_depend_on_the_parent_file_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("parent.toml");
    fs::copy(reference(), &parent).unwrap();
    let child = dir.path().join("child.toml");
    fs::write(
        &child,
        "extends = \"parent.toml\"\n[services.acute]\ncapacity = 290\n",
    )
    .unwrap();
    let shard = |i: u32| {
        let out = dir.path().join(format!("s{i}"));
        succeed(
            iccsim()
                .arg("batch")
                .arg(&child)
                .args(["-n", "4", "--quiet", "--shard", &format!("{i}/2"), "--out"])
                .arg(&out),
        );
        out
    };
    let (s1, s2) = (shard(1), shard(2));
    // scenario.toml is the resolved text: the parent can go.
    let written = fs::read_to_string(s1.join("scenario.toml")).unwrap();
    assert!(!written.contains("extends =") && written.contains("capacity = 290"));
    fs::remove_file(&parent).unwrap();
    succeed(
        iccsim()
            .arg("merge")
            .arg(&s1)
            .arg(&s2)
            .arg("--quiet")
            .arg("--out")
            .arg(dir.path().join("merged")),
    );
}

/// `extends` cannot be used to read, or print, a file that is not a
/// scenario: only `.toml` files are read, a parent outside the scenario's
/// folder must be a scenario (symbolic links followed), and its text never
/// appears in a message. A real scenario outside is read, and said.
#[test]
fn parents_outside_the_folder_must_be_scenarios_and_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    fs::create_dir(&scenarios).unwrap();
    let secret = "token = \"s3cret-value\"\n[registry]\nkey = \"s3cret-key\"\n";
    fs::write(dir.path().join("credentials.toml"), secret).unwrap();
    fs::write(
        dir.path().join("broken.toml"),
        "schema_version = 1\nthis line = \"s3cret-broken\" is not toml\n",
    )
    .unwrap();
    fs::write(dir.path().join("passwd"), "root:x:0:0:s3cret:/root\n").unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("credentials.toml"),
        scenarios.join("linked.toml"),
    )
    .unwrap();
    let cases = [
        (
            "passwd",
            "../passwd",
            "must name a scenario file ending in .toml",
        ),
        (
            "credentials",
            "../credentials.toml",
            "has no `schema_version` (or `extends`) at its top",
        ),
        ("link", "linked.toml", "has no `schema_version`"),
        ("broken", "../broken.toml", "is not valid TOML (line 2)"),
    ];
    for (name, parent, message) in cases {
        let child = scenarios.join(format!("{name}-child.toml"));
        fs::write(&child, format!("extends = \"{parent}\"\n")).unwrap();
        let output = iccsim()
            .arg("run")
            .arg(&child)
            .arg("-n")
            .arg("1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{name}: {stderr}");
        assert!(stderr.contains(message), "{name}: {stderr}");
        assert!(
            !stderr.contains("s3cret"),
            "{name} leaked its parent: {stderr}"
        );
    }

    // Through a parent inside the folder; a non-scenario inside it; and an
    // outside scenario whose own `extends` is not a path: still refused,
    // still not quoted.
    fs::write(
        scenarios.join("chain.toml"),
        "schema_version = 1\nextends = \"../credentials.toml\"\n",
    )
    .unwrap();
    fs::write(scenarios.join("tokens.toml"), secret).unwrap();
    fs::write(
        dir.path().join("odd.toml"),
        "extends = { token = \"s3cret-inline\" }\n",
    )
    .unwrap();
    for (parent, message) in [
        (
            "chain.toml",
            "has no `schema_version` (or `extends`) at its top",
        ),
        (
            "tokens.toml",
            "has no `schema_version` (or `extends`) at its top",
        ),
        ("../odd.toml", "extends: must be the path of the scenario"),
    ] {
        let child = scenarios.join("via-child.toml");
        fs::write(&child, format!("extends = \"{parent}\"\n")).unwrap();
        let output = iccsim().arg("validate").arg(&child).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{parent}: {stderr}");
        assert!(stderr.contains(message), "{parent}: {stderr}");
        assert!(!stderr.contains("s3cret"), "{parent} leaked: {stderr}");
    }

    // A scenario outside the folder is read, and the user is told.
    fs::write(
        scenarios.join("outside-child.toml"),
        format!("extends = \"{}\"\n[run]\nhorizon_days = 30\n", reference()),
    )
    .unwrap();
    let resolved =
        iccsim::scenario::inherit::read_resolved(&scenarios.join("outside-child.toml")).unwrap();
    assert_eq!(resolved.outside.len(), 1);
    let output = succeed(
        iccsim()
            .arg("validate")
            .arg(scenarios.join("outside-child.toml")),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("inherits from")
            && stderr.contains("reference-network.toml, outside its own folder"),
        "{stderr}"
    );
    // `show` names it too; a command that runs the scenario names it only
    // when it also lies beyond the current directory: run from the project
    // (the reference network is in it), no note; run from the scenario's
    // folder, from which the parent is beyond, the note.
    let shown = succeed(
        iccsim()
            .arg("show")
            .arg(scenarios.join("outside-child.toml")),
    );
    assert!(
        String::from_utf8_lossy(&shown.stderr).contains("outside its own folder"),
        "show: {}",
        String::from_utf8_lossy(&shown.stderr)
    );
    let run_from = |working_folder: &Path, out: &str| {
        let output = succeed(
            iccsim()
                .current_dir(working_folder)
                .args(["run", "-n", "1", "--quiet", "--out"])
                .arg(dir.path().join(out))
                .arg(scenarios.join("outside-child.toml")),
        );
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let from_project = run_from(Path::new(env!("CARGO_MANIFEST_DIR")), "from-project");
    assert!(
        !from_project.contains("outside its own folder"),
        "{from_project}"
    );
    let from_elsewhere = run_from(&scenarios, "from-elsewhere");
    assert!(
        from_elsewhere.contains("reference-network.toml, outside its own folder"),
        "{from_elsewhere}"
    );
    // A parent in the scenario's own folder is read without a note.
    fs::write(
        scenarios.join("inside.toml"),
        format!("extends = \"{}\"\n", reference()),
    )
    .unwrap();
    fs::write(
        scenarios.join("inside-child.toml"),
        "extends = \"inside.toml\"\n",
    )
    .unwrap();
    let resolved =
        iccsim::scenario::inherit::read_resolved(&scenarios.join("inside-child.toml")).unwrap();
    assert_eq!(resolved.chain.len(), 3);
    assert_eq!(
        resolved.outside.len(),
        1,
        "only the reference network is outside"
    );
}

/// Runs `iccsim ARGS`, which must refuse the scenario (exit 3) within a
/// minute, and gives its standard error.
fn refused(args: &[&std::ffi::OsStr]) -> String {
    let output = iccsim()
        .args(args)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(3), "{args:?}: {stderr}");
    stderr
}

fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// `extends` reads regular files only, and no more in all than one
/// scenario file may be (16 MiB): a parent linked to `/proc/self/pagemap`
/// (which reports 0 bytes and would give gigabytes) stops at the limit, a
/// named pipe is refused without waiting for a writer, a device is
/// refused, and so is a chain of parents that are each small enough but
/// together too large (17 of 16 MB had taken over 5 GB and aborted).
#[test]
fn extends_reads_regular_files_only_and_at_most_16_mib_in_all() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    std::os::unix::fs::symlink("/proc/self/pagemap", at("pagemap.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", at("zero.toml")).unwrap();
    mkfifo(&at("pipe.toml"));
    for (parent, message) in [
        (
            "pagemap.toml",
            "pagemap.toml: with the files before it in the `extends` chain of",
        ),
        ("zero.toml", "zero.toml: it is a device, not a regular file"),
        (
            "pipe.toml",
            "pipe.toml: it is a pipe (a FIFO, or <(...) in a shell), not a regular file",
        ),
    ] {
        let child = at(&format!("child-of-{parent}"));
        fs::write(&child, format!("extends = \"{parent}\"\n")).unwrap();
        let stderr = refused(&["validate".as_ref(), child.as_os_str()]);
        assert!(stderr.contains(message), "{parent}: {stderr}");
    }

    // Sixteen parents of 1.1 MB each: each is far below 16 MiB, their sum
    // is not. The message names the file at which the budget ran out.
    let padding = format!("# {}\n", "x".repeat(1_100_000));
    for i in 0..16 {
        let extends = if i < 15 {
            format!("extends = \"p{}.toml\"\n", i + 1)
        } else {
            format!("extends = {:?}\n", reference())
        };
        fs::write(
            at(&format!("p{i}.toml")),
            format!("schema_version = 1\n{extends}{padding}"),
        )
        .unwrap();
    }
    fs::write(at("long-chain.toml"), "extends = \"p0.toml\"\n").unwrap();
    let stderr = refused(&["validate".as_ref(), at("long-chain.toml").as_os_str()]);
    assert!(
        stderr.contains("p15.toml: with the files before it in the `extends` chain of")
            && stderr.contains(
                "it is more than 16777216 bytes (16 MiB), the most a scenario and all its parents may be together"
            ),
        "{stderr}"
    );
    // Fifteen of them fit.
    fs::write(
        at("p14.toml"),
        format!("schema_version = 1\nextends = {:?}\n{padding}", reference()),
    )
    .unwrap();
    succeed(iccsim().arg("validate").arg(at("long-chain.toml")));
}

/// A value from a parent outside the scenario's folder is never quoted,
/// however it is wrong (a word for a number, a misspelt word, a bad
/// distribution, an uncertain range): the message names its key and the
/// file it came from. The scenario's own values, and those set with
/// `--set`, are quoted as ever.
#[test]
fn values_from_a_parent_outside_the_folder_are_never_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    fs::create_dir(&scenarios).unwrap();
    let parent = fs::read_to_string(reference())
        .unwrap()
        .replace("capacity = 300 ", "capacity = \"SECRET-CAPACITY-VALUE\" ")
        .replace("when_full = \"lose\"", "when_full = \"SECRET-WORD\"")
        .replace(
            "stay = { dist = \"exponential\", mean = 5.0 }",
            "stay = { dist = \"SECRET-DIST\", mean = 5.0 }",
        )
        + "\n[uncertainty]\n\"services.community.capacity\" = { dist = \"normal\", mean = 7.25, sd = 424242 }\n";
    assert!(parent.contains("SECRET-CAPACITY-VALUE") && parent.contains("SECRET-DIST"));
    fs::write(dir.path().join("outside.toml"), &parent).unwrap();
    let child = scenarios.join("child.toml");
    fs::write(
        &child,
        "extends = \"../outside.toml\"\n[services.community]\ncapacity = -5\n",
    )
    .unwrap();
    let secrets = ["SECRET", "424242", "2545", "7.25"];
    for command in ["validate", "run"] {
        let stderr = refused(&[command.as_ref(), child.as_os_str()]);
        for secret in secrets {
            assert!(
                !stderr.contains(secret),
                "{command} quoted {secret}: {stderr}"
            );
        }
        for (at, key) in [
            ("services.acute.capacity", "services.acute.capacity"),
            ("services.acute.when_full", "services.acute.when_full"),
            ("services.community.stay.dist", "services.community.stay"),
        ] {
            assert!(
                stderr.contains(&format!(
                    "{at}: the value here comes from {}, outside this scenario's folder",
                    dir.path().join("scenarios/../outside.toml").display()
                )) && stderr.contains(&format!("give `{key}` a value in this scenario")),
                "{command}, {key}: {stderr}"
            );
        }
        // The scenario's own mistake is quoted as before.
        assert!(
            stderr.contains("services.community.capacity = -5"),
            "{command}: {stderr}"
        );
    }
    // Set again on the command line, a value is the user's: quoted.
    let output = iccsim()
        .arg("run")
        .arg(&child)
        .args(["--set", "services.acute.capacity=\"MY-OWN-WORD\""])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("MY-OWN-WORD") && !stderr.contains("SECRET"),
        "{stderr}"
    );

    // Fixed in the child, only the uncertain range from outside is left:
    // refused (normal(7.25, 424242) draws negative capacities), unquoted.
    fs::write(
        &child,
        "extends = \"../outside.toml\"\n[services.acute]\ncapacity = 300\nwhen_full = \"lose\"\n[services.community]\nstay = { dist = \"exponential\", mean = 5.0 }\n",
    )
    .unwrap();
    let stderr = refused(&["validate".as_ref(), child.as_os_str()]);
    assert!(
        stderr.contains("uncertainty.\"services.community.capacity\": the value here comes from"),
        "{stderr}"
    );
    for secret in secrets {
        assert!(!stderr.contains(secret), "quoted {secret}: {stderr}");
    }
    // In the scenario's folder, the same parent is the user's own: quoted.
    fs::write(scenarios.join("inside.toml"), &parent).unwrap();
    fs::write(&child, "extends = \"inside.toml\"\n").unwrap();
    let stderr = refused(&["validate".as_ref(), child.as_os_str()]);
    assert!(
        stderr.contains("services.acute.capacity") && stderr.contains("SECRET-CAPACITY-VALUE"),
        "{stderr}"
    );
}

/// A plain value in a child that a parent draws in its `[uncertainty]`
/// would be drawn over in every replication, changing nothing: refused,
/// naming the key and the fix; the child's own `[uncertainty]` entry for
/// it (with its point value) is the way.
#[test]
fn a_value_a_parent_draws_is_refused_unless_the_child_draws_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let baseline =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/north-cumbria-baseline.toml");
    fs::copy(&baseline, dir.path().join("baseline.toml")).unwrap();
    let plain = dir.path().join("plain.toml");
    fs::write(
        &plain,
        "extends = \"baseline.toml\"\n[community.case_management]\ncrisis_multiplier = 0.5\n",
    )
    .unwrap();
    let stderr = refused(&["validate".as_ref(), plain.as_os_str()]);
    assert!(
        stderr.contains("community.case_management.crisis_multiplier = 0.5: is uncertain in the file this one extends"),
        "{stderr}"
    );
    assert!(
        stderr.contains("uncertainty.\"community.case_management.crisis_multiplier\" = { dist = \"fixed\", value = 0.5 }"),
        "{stderr}"
    );
    let drawn = dir.path().join("drawn.toml");
    fs::write(
        &drawn,
        "extends = \"baseline.toml\"\n[community.case_management]\ncrisis_multiplier = 0.5\n[uncertainty]\n\"community.case_management.crisis_multiplier\" = { dist = \"fixed\", value = 0.5 }\n",
    )
    .unwrap();
    assert!(load_file(&drawn).is_ok());
}
