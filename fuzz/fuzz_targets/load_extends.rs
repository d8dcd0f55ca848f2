//! Fuzz target: `extends` chains read from disk must load to a network or
//! to an error with a located message, never a panic, a hang or unbounded
//! memory, and never quote a value of a parent outside the scenario's
//! folder. Run with `scripts/fuzz [SECONDS] load_extends`.
//!
//! The input is up to four files separated by lines `---`: the scenario
//! `s/s.toml`, then `s/p1.toml` and `s/p2.toml` in its folder and
//! `out.toml` outside it. Beside them, made once: `s/fifo.toml` (a named
//! pipe: opening it would wait for a writer for ever), `s/zero.toml` and
//! `s/pagemap.toml` (links to `/dev/zero` and `/proc/self/pagemap`,
//! which report 0 bytes and never end), `s/dir.toml` (a folder) and
//! `s/loop.toml` (a link to itself). Any file may `extends` any of them
//! (fuzz/toml.dict has their names). The scenario is loaded as
//! `iccsim validate` loads it (`scenario::load_file`) and, with a `--set`,
//! as `run` does (`scenario::load_resolved`).
//!
//! A string value of the outside file with a space and a `~` in it (so not
//! a name, which messages may list, nor words of a message), which the
//! files inside do not have, must not appear in any message.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use iccsim::scenario::{self, ScenarioError};
use libfuzzer_sys::fuzz_target;

/// The fuzzing folder: `s/` is the scenario's, the rest is outside it.
fn folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("iccsim-fuzz-extends-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let s = root.join("s");
        std::fs::create_dir_all(s.join("dir.toml")).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(s.join("fifo.toml"))
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo");
        std::os::unix::fs::symlink("/dev/zero", s.join("zero.toml")).unwrap();
        std::os::unix::fs::symlink("/proc/self/pagemap", s.join("pagemap.toml")).unwrap();
        std::os::unix::fs::symlink(s.join("loop.toml"), s.join("loop.toml")).unwrap();
        root
    })
}

fn check_error(error: &ScenarioError, secrets: &[String]) {
    let message = error.to_string();
    assert!(!message.trim().is_empty(), "empty error message: {error:?}");
    match error {
        ScenarioError::Invalid { issues, .. } => {
            assert!(
                !issues.is_empty(),
                "an Invalid error with no issues: {message}"
            );
            for issue in issues {
                assert!(
                    !issue.problem.trim().is_empty() && !issue.path.trim().is_empty(),
                    "an issue without its key or its problem: {issue:?}"
                );
            }
        }
        ScenarioError::Syntax { message, .. } => {
            assert!(
                message.contains("line"),
                "a syntax error without its line: {message}"
            );
        }
        ScenarioError::Read { reason, .. } => {
            assert!(!reason.trim().is_empty(), "a read error without its reason");
        }
    }
    for secret in secrets {
        assert!(
            !message.contains(secret.as_str()),
            "a value from outside the folder, {secret:?}, is quoted:\n{message}"
        );
    }
}

/// String values of the outside file with a space and a `~` that no file
/// inside the folder has.
fn secrets(outside: &str, inside: &[&str]) -> Vec<String> {
    fn strings(value: &toml::Value, out: &mut Vec<String>) {
        match value {
            toml::Value::String(s) => out.push(s.clone()),
            toml::Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
            toml::Value::Table(table) => table.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }
    let Ok(table) = toml::from_str::<toml::Table>(outside) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    strings(&toml::Value::Table(table), &mut found);
    found.retain(|s| {
        s.len() >= 6
            && s.trim().contains(' ')
            && s.contains('~')
            && !inside.iter().any(|text| text.contains(s.as_str()))
    });
    found
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pieces: Vec<&str> = text.splitn(4, "\n---\n").collect();
    let root = folder();
    let names = ["s/s.toml", "s/p1.toml", "s/p2.toml", "out.toml"];
    for (i, name) in names.iter().enumerate() {
        let path = root.join(name);
        match pieces.get(i) {
            Some(piece) => std::fs::write(&path, piece).unwrap(),
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let secrets = pieces
        .get(3)
        .map(|outside| secrets(outside, &pieces[..3]))
        .unwrap_or_default();
    let scenario = root.join("s/s.toml");
    if let Err(error) = scenario::load_file(&scenario) {
        check_error(&error, &secrets);
    }
    match scenario::inherit::read_resolved(&scenario) {
        Err(error) => check_error(&error, &secrets),
        Ok(resolved) => {
            let settings = ["run.horizon_days=30".to_string()];
            match scenario::load_resolved(&resolved, "fuzz", "fuzz", &settings) {
                Err(error) => check_error(&error, &secrets),
                Ok((loaded, _)) => {
                    if !loaded.uncertain.is_empty()
                        && let Err(error) = loaded.network_with(&loaded.draws(1, 0))
                    {
                        check_error(&error, &secrets);
                    }
                }
            }
        }
    }
});
