//! `--at-quantile` checked against the other options and the scenario:
//! a named case fixes every uncertain value, so it means nothing for a
//! scenario without any, and leaves nothing for a nested design to split.

use super::exit::{Exit, Failure};
use iccsim::experiment::nested::Design;

/// Refuses `--at-quantile` with `--outer/--inner`: with the uncertain
/// values fixed, every outer draw is the same and there is no evidence to
/// split from chance.
pub(super) fn refuse_case_with_nested(
    at_quantile: Option<&str>,
    design: Design,
) -> Result<(), Failure> {
    match (at_quantile, design.nested()) {
        (Some(at), Some(n)) => Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--at-quantile {at} with --outer {} --inner {}: a named case fixes every uncertain value, so every outer draw would be the same and there is no evidence to split from chance; leave out --at-quantile to split the variance, or leave out --outer and --inner to run the case",
                n.outer, n.inner
            ),
        }),
        _ => Ok(()),
    }
}

/// Refuses `--at-quantile` when no scenario run has an uncertain value:
/// the case would change nothing. `names` are the scenarios with their
/// numbers of uncertain values.
pub(super) fn refuse_case_without_uncertainty(
    at_quantile: Option<&str>,
    scenarios: &[(&str, usize)],
) -> Result<(), Failure> {
    let Some(at) = at_quantile else {
        return Ok(());
    };
    if scenarios.iter().any(|(_, n)| *n > 0) {
        return Ok(());
    }
    let names: Vec<String> = scenarios.iter().map(|(s, _)| format!("`{s}`")).collect();
    let (them, have) = if names.len() == 1 {
        (names[0].clone(), "has")
    } else {
        (names.join(", "), "have")
    };
    Err(Failure {
        code: Exit::Usage,
        message: format!(
            "--at-quantile {at}: {them} {have} no uncertain values ([uncertainty], or a lever's number written as a distribution), so the case would change nothing; leave out --at-quantile, or give the scenario an [uncertainty] section"
        ),
    })
}
