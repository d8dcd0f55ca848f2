//! Precision targets on the command line (`--target-half-width`,
//! `--absolute`, `--target-metric`, `--max-replications`): which outcomes
//! they name (a whole-system outcome of a year, an ICC or an age band, or
//! a service's), on which scale, and what is said when one is not met.

use clap::Args;

use super::exit::{Exit, Failure};
use iccsim::experiment::precision::{Attained, Precision, Scale};
use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;
use iccsim::report::provenance;

/// The flags of a precision target, shared by `batch` and `compare`.
#[derive(Args, Debug, Clone)]
pub struct TargetArgs {
    /// Keep adding replications until each target outcome's 95% CI
    /// half-width is at most this: a fraction of its mean (e.g. 0.01 for
    /// ±1%; for compare, of the baseline's mean) or, with --absolute, in
    /// the outcome's unit (e.g. 25 admissions); -n is where it starts.
    /// Not met by --max-replications: the files are written, and iccsim
    /// exits with code 6.
    #[arg(long, value_parser = parse_positive, allow_negative_numbers = true)]
    pub target_half_width: Option<f64>,
    /// --target-half-width is in the outcome's unit, not a fraction of a mean.
    #[arg(long, requires = "target_half_width")]
    pub absolute: bool,
    /// An outcome for --target-half-width (repeatable): a whole-system
    /// outcome (emergency_admissions), of one year, ICC or age band
    /// (emergency_admissions.year1, emergency_admissions.icc=workington,
    /// emergency_admissions.year2.age=85+), SERVICE.METRIC
    /// (acute.occupancy_mean) or system.METRIC. Default: the headline
    /// outcomes.
    #[arg(long, requires = "target_half_width")]
    pub target_metric: Vec<String>,
    /// The most replications --target-half-width may run.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(2..=10_000_000))]
    pub max_replications: u32,
}

fn parse_positive(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!(
            "`{text}` is not a positive number: e.g. 0.01 for ±1% of the mean, or 25 --absolute"
        )),
    }
}

impl TargetArgs {
    /// The scale, once the half-width is known to fit it: a relative one
    /// must be a fraction.
    pub(super) fn scale(&self, relative: Scale) -> Result<Scale, Failure> {
        match self.target_half_width {
            Some(w) if !self.absolute && w >= 1.0 => Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "--target-half-width {w}: a relative target is a fraction of the mean below 1 (e.g. 0.01 for ±1%); for a half-width in the outcome's unit add --absolute"
                ),
            }),
            _ if self.absolute => Ok(Scale::Absolute),
            _ => Ok(relative),
        }
    }
}

/// The default outcomes of a target: a whole-system scenario's headlines,
/// else every service's mean occupancy.
fn default_targets(network: &Network) -> Vec<String> {
    match &network.layout {
        Some(_) => [
            "emergency_admissions",
            "acute_occupancy",
            "acute_delayed_bed_days",
            "cost_total",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        None => network
            .services
            .iter()
            .map(|s| format!("{}.occupancy_mean", s.name))
            .collect(),
    }
}

/// A whole-system outcome with its qualifiers: METRIC, then `.yearN` (or
/// `.year=N`), `.icc=NAME`, `.age=BAND` in any order; None when a part is
/// not one of these.
fn breakdown_target(name: &str) -> Option<(&str, String, String, String)> {
    let mut parts = name.split('.');
    let metric = parts.next()?;
    let (mut year, mut icc, mut age) = ("all".to_string(), "all".to_string(), "all".to_string());
    // An ICC or age band may hold a dot: everything after `icc=` up to the
    // next qualifier is its name.
    let rest: Vec<&str> = parts.collect();
    let mut i = 0;
    while i < rest.len() {
        let part = rest[i];
        let mut value = |prefix: &str| -> Option<String> {
            let mut v = part.strip_prefix(prefix)?.to_string();
            while i + 1 < rest.len() && !is_qualifier(rest[i + 1]) {
                i += 1;
                v = format!("{v}.{}", rest[i]);
            }
            Some(v)
        };
        if let Some(n) = part
            .strip_prefix("year=")
            .or_else(|| part.strip_prefix("year"))
        {
            year = n.to_string();
        } else if let Some(v) = value("icc=") {
            icc = v;
        } else if let Some(v) = value("age=") {
            age = v;
        } else {
            return None;
        }
        i += 1;
    }
    Some((metric, year, icc, age))
}

fn is_qualifier(part: &str) -> bool {
    part.starts_with("year") || part.starts_with("icc=") || part.starts_with("age=")
}

/// Record positions of the outcomes named for `--target-metric` (or the
/// defaults), with each name.
pub(super) fn target_positions(
    network: &Network,
    schema: &Schema,
    names: &[String],
) -> Result<Vec<(String, usize)>, Failure> {
    let defaults = default_targets(network);
    let names = if names.is_empty() { &defaults } else { names };
    names
        .iter()
        .map(|name| {
            let in_metrics = name.split_once('.').and_then(|(service, metric)| {
                schema.metrics.iter().position(|k| {
                    k.service == service && k.patient_type == "all" && k.metric == metric
                })
            });
            let in_breakdown = || {
                let (metric, year, icc, age) = breakdown_target(name)?;
                schema.breakdown.iter().position(|k| {
                    k.metric == metric && k.year == year && k.icc == icc && k.age_band == age
                })
            };
            in_metrics
                .or_else(|| in_breakdown().map(|k| schema.metrics.len() + k))
                .map(|p| (name.clone(), p))
                .ok_or_else(|| Failure {
                    code: Exit::Usage,
                    message: format!(
                        "--target-metric {name}: no such outcome; give a whole-system outcome (e.g. emergency_admissions), one of a year, ICC or age band (emergency_admissions.year1, emergency_admissions.icc=NAME, NAME as in breakdown.csv (e.g. workington), emergency_admissions.age=85+, as in breakdown.csv's year, icc and age_band columns), SERVICE.METRIC (e.g. acute.occupancy_mean) or system.METRIC"
                    ),
                })
        })
        .collect()
}

/// What a precision rule reached over `records`, for `run.json`, and the
/// failure to end with when a target was not met.
pub(super) fn reached(
    rule: &Precision,
    names: &[String],
    records: &[Record],
) -> (provenance::Stopping, Option<Failure>) {
    let attained: Vec<Attained> = rule.attained(records);
    let outcomes: Vec<provenance::Reached> = attained
        .iter()
        .zip(names)
        .map(|(a, name)| provenance::Reached {
            outcome: name.clone(),
            half_width: a.relative_half_width,
            met: a.relative_half_width <= rule.relative_half_width,
        })
        .collect();
    let met = outcomes.iter().all(|o| o.met);
    let scale = if rule.scale == Scale::Absolute {
        "absolute"
    } else {
        "relative"
    };
    let failure = (!met).then(|| {
        let missed: Vec<String> = outcomes
            .iter()
            .filter(|o| !o.met)
            .map(|o| {
                if scale == "absolute" {
                    format!(
                        "{}: 95% CI half-width ±{} (target ±{})",
                        o.outcome,
                        iccsim::report::tables::round_for_reading(o.half_width),
                        rule.relative_half_width
                    )
                } else {
                    format!(
                        "{}: 95% CI half-width ±{:.3}% of the mean (target ±{}%)",
                        o.outcome,
                        100.0 * o.half_width,
                        100.0 * rule.relative_half_width
                    )
                }
            })
            .collect();
        Failure {
            code: Exit::TargetMissed,
            message: format!(
                "precision target not met after {} replications (at most {}: the larger of --max-replications and -n): {}. The files are written (run.json says \"met\": false); raise --max-replications or loosen --target-half-width",
                records.len(),
                rule.max_replications,
                missed.join("; ")
            ),
        }
    });
    let stopping = provenance::Stopping {
        rule: "target".into(),
        replications: records.len() as u64,
        target: Some(provenance::Target {
            half_width: rule.relative_half_width,
            scale: scale.into(),
            max_replications: rule.max_replications,
            outcomes,
        }),
        met,
    };
    (stopping, failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_names_a_year_an_icc_or_an_age_band() {
        let all = |s: &str| s.to_string();
        assert_eq!(
            breakdown_target("emergency_admissions"),
            Some(("emergency_admissions", all("all"), all("all"), all("all")))
        );
        assert_eq!(
            breakdown_target("emergency_admissions.year1"),
            Some(("emergency_admissions", all("1"), all("all"), all("all")))
        );
        assert_eq!(
            breakdown_target("acute_occupancy.icc=North Cumbria.year=2.age=85+"),
            Some((
                "acute_occupancy",
                all("2"),
                all("North Cumbria"),
                all("85+")
            ))
        );
        // A dot inside an ICC's name stays in it.
        assert_eq!(
            breakdown_target("x.icc=St. Bees"),
            Some(("x", all("all"), all("St. Bees"), all("all")))
        );
        assert_eq!(breakdown_target("acute.occupancy_mean"), None);
    }
}
