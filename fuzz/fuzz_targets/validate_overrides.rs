//! Fuzz target: `--set KEY=VALUE` settings on the built-in default scenario
//! (north Cumbria's baseline) must give a network or an error with a
//! located message, never a panic. Run with
//! `scripts/fuzz [SECONDS] validate_overrides`.
//!
//! Each line of the input is one setting (at most 8), applied as the
//! command line does (`overrides::apply_to_text`, then `load_scenario`).
//! The baseline is valid, so each setting reaches deep into validation with
//! one value changed.
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
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let settings: Vec<String> = text.lines().take(8).map(str::to_string).collect();
    let changed = match scenario::overrides::apply_to_text(
        scenario::DEFAULT_SCENARIO_TOML,
        "built-in default",
        &settings,
    ) {
        Ok(changed) => changed,
        Err(error) => return check_error(&error),
    };
    match scenario::load_scenario(&changed, "built-in default", "fuzz") {
        // The text is iccsim's own (the document written back as TOML with
        // a comment naming the settings, control characters escaped): it
        // must parse.
        Err(error @ ScenarioError::Syntax { .. }) => {
            panic!("the changed scenario iccsim wrote is not valid TOML: {error}\n---\n{changed}")
        }
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
