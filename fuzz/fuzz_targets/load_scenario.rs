//! Fuzz target: any bytes as a scenario file must load to a network or to
//! an error with a located message, never a panic. Run with `scripts/fuzz [SECONDS] load_scenario`.
//!
//! The bytes are taken as UTF-8 (invalid sequences replaced, as a reader
//! that refused them would never get this far) and given to
//! `scenario::load_scenario`, of which `load_str` is the `.network`: TOML
//! parsing, validation into a `Network`, and the `[uncertainty]` section.
//! Nothing is read from disk (a file with `extends` is refused with a
//! message). When the scenario is valid, one replication's draws of its
//! uncertain values are taken and the network rebuilt from them, as a run
//! does before simulating.
#![no_main]

use iccsim::scenario::{self, ScenarioError};
use libfuzzer_sys::fuzz_target;

fn check_error(error: &ScenarioError) {
    let message = error.to_string();
    assert!(!message.trim().is_empty(), "empty error message: {error:?}");
    if let ScenarioError::Invalid { issues, .. } = error {
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
    if let ScenarioError::Syntax { message, .. } = error {
        assert!(message.contains("line"), "a syntax error without its line: {message}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match scenario::load_scenario(&text, "fuzz", "fuzz") {
        Err(error) => check_error(&error),
        Ok(loaded) => {
            if !loaded.uncertain.is_empty()
                && let Err(error) = loaded.network_with(&loaded.draws(1, 0))
            {
                check_error(&error);
            }
        }
    }
});
