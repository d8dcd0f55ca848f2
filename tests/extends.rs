//! `extends`: a scenario that states only what it changes. Merge rules,
//! identity keys, cycles and missing parents, `iccsim show`, and results
//! that do not depend on the parent files once a batch has run.

use std::fs;
use std::path::Path;

use iccsim::scenario::load_file;

mod common;
use common::{iccsim, succeed};

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
