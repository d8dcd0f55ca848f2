//! `--outputs LIST --compress` of `batch` and `compare`: the outputs
//! chosen, checked before any replication runs (the filtering itself is
//! `report::outputs`).

use super::exit::{Exit, Failure};
use iccsim::report::outputs::{Output, OutputChoice};

/// The outputs a command writes: every one unless `outputs` (its
/// `--outputs`) names some, the growing ones gzipped with `compress`; an
/// unknown name, or `--report` without the summaries it is drawn from,
/// is refused.
pub(super) fn choice(
    outputs: Option<&str>,
    compress: bool,
    report: bool,
) -> Result<OutputChoice, Failure> {
    let choice = match outputs {
        None => OutputChoice {
            compress,
            ..OutputChoice::default()
        },
        Some(list) => OutputChoice::parse(list, compress).map_err(|message| Failure {
            code: Exit::Usage,
            message,
        })?,
    };
    if report && !choice.has(Output::Summary) {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--report draws the board from the summaries (summary.csv, breakdown_summary.csv): add `summary` to --outputs {}",
                outputs.unwrap_or_default()
            ),
        });
    }
    Ok(choice)
}
