//! `batch --outputs LIST --compress`: the outputs chosen, checked before
//! any replication runs (the filtering itself is `report::outputs`).

use super::args::BatchArgs;
use super::exit::{Exit, Failure};
use iccsim::report::outputs::{Output, OutputChoice};

/// The outputs a batch writes: every one unless `--outputs` names some;
/// an unknown name, or `--report` without the summaries it is drawn from,
/// is refused.
pub(super) fn choice(args: &BatchArgs) -> Result<OutputChoice, Failure> {
    let choice = match &args.outputs {
        None => OutputChoice {
            compress: args.compress,
            ..OutputChoice::default()
        },
        Some(list) => OutputChoice::parse(list, args.compress).map_err(|message| Failure {
            code: Exit::Usage,
            message,
        })?,
    };
    if args.report && !choice.has(Output::Summary) {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--report draws the board from the summaries (summary.csv, breakdown_summary.csv): add `summary` to --outputs {}",
                args.outputs.as_deref().unwrap_or_default()
            ),
        });
    }
    Ok(choice)
}
