//! `--outer N --inner M` of `batch` and `compare`: the nested design for
//! parameter uncertainty ([`iccsim::experiment::nested`]), checked against
//! the other options, and `variance_split.csv` for the folders it makes.

use clap::Args;

use super::exit::{Exit, Failure};
use iccsim::experiment::nested::{Design, Nested};
use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;
use iccsim::report::checkpoint::RecordsHeader;
use iccsim::report::variance_split;

/// The flags of the nested design.
#[derive(Args, Debug, Clone, Default)]
pub struct NestedArgs {
    /// Nested design for parameter uncertainty: N draws of the uncertain
    /// values (with --inner M), each run with the same M streams of
    /// patients; N·M replications, and variance_split.csv splits each
    /// headline's variance into evidence and chance.
    #[arg(long, value_name = "N", requires = "inner", value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub outer: Option<u64>,
    /// Replications (streams of chance) per outer draw, with --outer N.
    #[arg(long, value_name = "M", requires = "outer", value_parser = clap::value_parser!(u64).range(2..=1_000_000))]
    pub inner: Option<u64>,
}

impl NestedArgs {
    /// The design asked for. `replications` is -n if given: it must be
    /// left out, or equal N·M.
    pub fn design(&self, replications: Option<u32>) -> Result<Design, Failure> {
        let (Some(outer), Some(inner)) = (self.outer, self.inner) else {
            return Ok(Design::Plain);
        };
        let nested = Nested::new(outer, inner).map_err(|message| Failure {
            code: Exit::Usage,
            message,
        })?;
        if let Some(n) = replications
            && u64::from(n) != nested.replications()
        {
            return Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "-n {n} with --outer {outer} --inner {inner}: a nested design runs N·M = {} replications; leave out -n",
                    nested.replications()
                ),
            });
        }
        Ok(Design::Nested(nested))
    }
}

/// Refuses a nested design for a scenario with nothing uncertain: every
/// outer draw would be the same, and all of the variance chance.
pub fn refuse_without_uncertainty(
    design: Design,
    uncertain: usize,
    name: &str,
) -> Result<(), Failure> {
    if design.nested().is_some() && uncertain == 0 {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "--outer/--inner: `{name}` has no uncertain values ([uncertainty], or a lever's number written as a distribution), so every outer draw would be the same; leave out --outer and --inner, or give the scenario an [uncertainty] section"
            ),
        });
    }
    Ok(())
}

/// `variance_split.csv` of a batch's (or merge's) complete records, when
/// its header says they are of a nested design.
pub fn variance_split_file(
    header: &RecordsHeader,
    network: &Network,
    schema: &Schema,
    records: &[Record],
) -> Option<Vec<u8>> {
    let nested = Design::from_label(&header.design).ok()?.nested()?;
    // A shard's records are part of the table: split once merged.
    if records.len() as u64 != nested.replications() {
        return None;
    }
    let rows = variance_split::split_rows(nested, &network.name, schema, records, None);
    Some(variance_split::variance_split_csv(&rows))
}

/// The terminal's table of a nested batch's split (None for an ordinary
/// batch, or a shard).
pub fn split_table(
    design: Design,
    network: &Network,
    schema: &Schema,
    records: &[Record],
) -> Option<String> {
    let nested = design.nested()?;
    if records.len() as u64 != nested.replications() {
        return None;
    }
    let rows = variance_split::split_rows(nested, &network.name, schema, records, None);
    Some(format!(
        "\nVariance split (--outer {} --inner {}; variance_split.csv):\n{}\n",
        nested.outer,
        nested.inner,
        variance_split::split_table(&rows)
    ))
}

/// A records header's design in words, for refusals that compare two
/// batches: "--outer N --inner M", or "no nested design".
pub fn design_words(label: &str) -> String {
    match Design::from_label(label).ok().and_then(|d| d.nested()) {
        Some(n) => format!("--outer {} --inner {}", n.outer, n.inner),
        None => "no nested design".into(),
    }
}
