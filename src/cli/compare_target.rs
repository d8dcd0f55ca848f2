//! `compare --target-half-width`: a precision target on the paired
//! differences. After each round (every scenario run to the same
//! replications, so they stay paired), the difference alternative −
//! baseline of each targeted outcome is taken replication by replication,
//! and the rounds go on until its 95% CI half-width is at most the target:
//! a fraction of the baseline's mean, or (`--absolute`) in the outcome's
//! unit. The rule is `batch`'s ([`Precision`]), over records of the
//! differences: deterministic, so a resumed comparison takes the same
//! rounds.

use super::args::CompareArgs;
use super::exit::{Exit, Failure};
use iccsim::experiment::precision::{Precision, Scale};
use iccsim::experiment::record::{Record, Schema};
use iccsim::report;
use iccsim::scenario::Scenario;

/// The target of a comparison on its differences.
pub(super) struct DifferenceTarget {
    pub(super) rule: Precision,
    /// `<alternative>: <outcome> difference`, in the rule's key order.
    pub(super) names: Vec<String>,
    /// For each key: which alternative (1.. in the comparison's order),
    /// the position in the baseline's records and in the alternative's.
    positions: Vec<(usize, usize, usize)>,
}

/// The target of `args`, if any, with the positions of its outcomes in
/// every scenario (`schemas[0]` is the baseline's).
pub(super) fn difference_target(
    args: &CompareArgs,
    scenarios: &[(&Scenario, &str, &str)],
    schemas: &[Schema],
    replications: u64,
) -> Result<Option<DifferenceTarget>, Failure> {
    let Some(half_width) = args.target.target_half_width else {
        return Ok(None);
    };
    if args.nested.outer.is_some() || args.nested.inner.is_some() {
        return Err(Failure {
            code: Exit::Usage,
            message: "--target-half-width adds replications as it goes; a nested design (--outer, --inner) has a fixed N·M: give one or the other".into(),
        });
    }
    let base = &scenarios[0].0.network;
    let in_base = super::targets::target_positions(base, &schemas[0], &args.target.target_metric)?;
    let mut names = Vec::new();
    let mut positions = Vec::new();
    for (k, ((alt, _, _), schema)) in scenarios.iter().zip(schemas).enumerate().skip(1) {
        let wanted: Vec<String> = in_base.iter().map(|(n, _)| n.clone()).collect();
        let in_alt = super::targets::target_positions(&alt.network, schema, &wanted)?;
        for ((name, b), (_, a)) in in_base.iter().zip(in_alt) {
            names.push(format!("{}: {name} difference", alt.network.name));
            positions.push((k, *b, a));
        }
    }
    let m = positions.len();
    let scale = args.target.scale(Scale::RelativeTo((m..2 * m).collect()))?;
    Ok(Some(DifferenceTarget {
        rule: Precision {
            keys: (0..m).collect(),
            relative_half_width: half_width,
            max_replications: u64::from(args.target.max_replications).max(replications),
            scale,
        },
        names,
        positions,
    }))
}

impl DifferenceTarget {
    /// Records of the differences over replications 0..size: each holds
    /// every targeted difference, then the baseline's value of each (what
    /// a relative target divides by).
    pub(super) fn differences(&self, records: &[&[Record]], size: u64) -> Vec<Record> {
        (0..size as usize)
            .filter(|&r| records.iter().all(|s| s.len() > r))
            .map(|r| {
                let base = &records[0][r];
                let diffs = self
                    .positions
                    .iter()
                    .map(|&(k, b, a)| records[k][r].values[a] - base.values[b]);
                let bases = self.positions.iter().map(|&(_, b, _)| base.values[b]);
                Record {
                    replication: base.replication,
                    values: diffs.chain(bases).collect(),
                }
            })
            .collect()
    }

    /// The stopping rule as a checkpoint's header names it (a resumed
    /// comparison must have the same).
    pub(super) fn describe(&self, from: u64) -> String {
        let scale = if self.rule.scale == Scale::Absolute {
            "absolute"
        } else {
            "relative to the baseline"
        };
        format!(
            "paired differences, {scale} half-width {} of {}, from {from}",
            self.rule.relative_half_width,
            self.names.join(", ")
        )
    }

    /// The precision each difference reached, for the terminal.
    pub(super) fn table(&self, differences: &[Record]) -> String {
        let absolute = self.rule.scale == Scale::Absolute;
        let mut rows = vec![vec![
            "difference".to_string(),
            "mean".into(),
            "95% CI half-width".into(),
            if absolute {
                "absolute"
            } else {
                "of baseline mean"
            }
            .into(),
            "target".into(),
        ]];
        for (a, name) in self.rule.attained(differences).iter().zip(&self.names) {
            rows.push(vec![
                name.clone(),
                report::tables::round_for_reading(a.summary.mean),
                report::tables::round_for_reading(a.summary.half_width()),
                if absolute {
                    report::tables::round_for_reading(a.relative_half_width)
                } else {
                    format!("{:.2}%", 100.0 * a.relative_half_width)
                },
                if a.relative_half_width <= self.rule.relative_half_width {
                    "met".into()
                } else {
                    "NOT met".into()
                },
            ]);
        }
        format!(
            "\n{}\nAfter {} paired replications (at most {}).\n",
            report::tables::columns(&rows, &[false, true, true, true, false]),
            differences.len(),
            self.rule.max_replications
        )
    }
}
