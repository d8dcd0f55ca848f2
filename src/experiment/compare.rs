//! Paired comparison of scenarios run with common random numbers.
//!
//! Replication r of every scenario uses the random streams of (seed, r), so
//! the same patients arrive with the same needs wherever the scenarios
//! agree; the difference ALT − BASE is taken replication by replication,
//! and its spread is that of the effect, not of the patients. The variance
//! ratio says what pairing saved: (s²_base + s²_alt) / s²_diff is how many
//! times more replications independent runs would have needed for the same
//! confidence interval.
//!
//! Two kinds of interval come out, for two questions. The spread of the
//! paired differences (their percentiles, and the share of replications in
//! which the change helps or harms) is the uncertainty a decision needs:
//! where effect sizes are drawn from evidence ranges once per replication,
//! it carries both chance and the evidence, and does not narrow as
//! replications are added. The confidence interval of the mean difference
//! is the simulation's precision: it narrows as 1/√n whatever the evidence
//! says.

use std::collections::HashMap;

use super::record::{Record, Schema};
use crate::model::metrics::{self, Better};
use crate::stats::{Summary, share_where};

/// What a compared value is: a metric key or a breakdown key, as labels.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CompareKey {
    /// `metrics` or `breakdown`.
    pub table: &'static str,
    /// Service and patient type (metrics), or year, ICC and band (breakdown).
    pub labels: Vec<String>,
    pub metric: String,
    pub unit: String,
}

/// One value compared across the paired replications.
#[derive(Clone, Debug)]
pub struct Difference {
    pub key: CompareKey,
    pub base: Summary,
    pub alt: Summary,
    /// Of ALT − BASE, replication by replication.
    pub diff: Summary,
    /// (s²_base + s²_alt) / s²_diff: the variance of an unpaired difference
    /// over that of the paired one; infinite when pairing leaves no
    /// variance, NaN when there is none to begin with.
    pub variance_ratio: f64,
    /// Per-replication differences, in replication order, of the
    /// replications where both values are defined.
    pub values: Vec<f64>,
    /// Which way the metric improves (the registry's `better`).
    pub better: Better,
    /// Share of the paired replications whose difference is strictly in
    /// the better direction; NaN without a direction.
    pub probability_better: f64,
    /// Share strictly in the worse direction; NaN without a direction.
    pub probability_worse: f64,
    /// Of (ALT − BASE) / BASE, replication by replication, over the paired
    /// replications whose BASE is not 0 (all NaN when none is).
    pub relative: Summary,
}

fn keys(schema: &Schema) -> Vec<CompareKey> {
    let metrics = schema.metrics.iter().map(|k| CompareKey {
        table: "metrics",
        labels: vec![k.service.clone(), k.patient_type.clone()],
        metric: k.metric.clone(),
        unit: k.unit.clone(),
    });
    let breakdown = schema.breakdown.iter().map(|k| CompareKey {
        table: "breakdown",
        labels: vec![k.year.clone(), k.icc.clone(), k.age_band.clone()],
        metric: k.metric.to_string(),
        unit: k.unit.clone(),
    });
    metrics.chain(breakdown).collect()
}

/// Every value the two schemas share, in the baseline's order: its key,
/// its position in the baseline's records and in the alternative's.
pub fn shared_positions(
    base_schema: &Schema,
    alt_schema: &Schema,
) -> Vec<(CompareKey, usize, usize)> {
    let alt_keys = keys(alt_schema);
    let alt_index: HashMap<&CompareKey, usize> =
        alt_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    keys(base_schema)
        .into_iter()
        .enumerate()
        .filter_map(|(i, key)| {
            let j = *alt_index.get(&key)?;
            Some((key, i, j))
        })
        .collect()
}

/// Paired differences of every value the two schemas share, in the
/// baseline's order. Both record lists must hold the same replications in
/// the same order.
pub fn paired(
    base_schema: &Schema,
    base: &[Record],
    alt_schema: &Schema,
    alt: &[Record],
) -> Vec<Difference> {
    debug_assert!(
        base.iter()
            .map(|r| r.replication)
            .eq(alt.iter().map(|r| r.replication))
    );
    shared_positions(base_schema, alt_schema)
        .into_iter()
        .map(|(key, i, j)| {
            // Only replications where both values are defined are paired,
            // so the three summaries describe the same replications.
            let (b, a): (Vec<f64>, Vec<f64>) = base
                .iter()
                .zip(alt)
                .map(|(rb, ra)| (rb.values[i], ra.values[j]))
                .filter(|(b, a)| b.is_finite() && a.is_finite())
                .unzip();
            let d: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a - b).collect();
            let relative: Vec<f64> = d
                .iter()
                .zip(&b)
                .filter(|(_, b)| **b != 0.0)
                .map(|(d, b)| d / b)
                .collect();
            let better = metrics::better(&key.metric);
            let [probability_better, probability_worse] = match better {
                Better::None => [f64::NAN; 2],
                _ => [1, -1]
                    .map(|wanted| share_where(&d, |d| better.sign_of_improvement(d) == wanted)),
            };
            let (base, alt, diff) = (Summary::of(&b), Summary::of(&a), Summary::of(&d));
            let paired_variance = diff.sd * diff.sd;
            let unpaired_variance = base.sd * base.sd + alt.sd * alt.sd;
            let variance_ratio = if paired_variance > 0.0 {
                unpaired_variance / paired_variance
            } else if unpaired_variance > 0.0 {
                // Pairing removed all the noise (e.g. a change that moves
                // every replication by the same amount).
                f64::INFINITY
            } else {
                f64::NAN
            };
            Difference {
                key,
                base,
                alt,
                diff,
                variance_ratio,
                values: d,
                better,
                probability_better,
                probability_worse,
                relative: Summary::of(&relative),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::record::MetricKey;

    fn schema() -> Schema {
        Schema {
            metrics: vec![MetricKey {
                service: "ward".into(),
                patient_type: "all".into(),
                metric: "wait_mean".into(),
                unit: "days".into(),
            }],
            breakdown: Vec::new(),
            service_years: Vec::new(),
            registers: Vec::new(),
        }
    }

    fn records(values: &[f64]) -> Vec<Record> {
        values
            .iter()
            .enumerate()
            .map(|(r, v)| Record {
                replication: r as u64,
                values: vec![*v],
            })
            .collect()
    }

    #[test]
    fn only_replications_defined_in_both_are_paired() {
        let base = records(&[1.0, f64::NAN, 3.0, 5.0]);
        let alt = records(&[2.0, 7.0, f64::NAN, 6.0]);
        let d = &paired(&schema(), &base, &schema(), &alt)[0];
        // Replications 0 and 3 only, in all three summaries.
        assert_eq!((d.base.n, d.alt.n, d.diff.n), (2, 2, 2));
        assert_eq!(d.base.mean, 3.0);
        assert_eq!(d.alt.mean, 4.0);
        assert_eq!(d.values, vec![1.0, 1.0]);
        // Pairing removed all the variance: the ratio is infinite, not NaN.
        assert_eq!(d.variance_ratio, f64::INFINITY);
        // No variance anywhere: undefined.
        let flat = paired(
            &schema(),
            &records(&[1.0, 1.0]),
            &schema(),
            &records(&[2.0, 2.0]),
        );
        assert!(flat[0].variance_ratio.is_nan());
    }

    #[test]
    fn the_distribution_of_the_difference_and_the_probability_of_benefit() {
        // wait_mean: lower is better. Differences ALT − BASE by hand:
        // -1, -2, 0, 1, -4 (sorted -4, -2, -1, 0, 1).
        let base = records(&[10.0, 10.0, 5.0, 4.0, 8.0]);
        let alt = records(&[9.0, 8.0, 5.0, 5.0, 4.0]);
        let d = &paired(&schema(), &base, &schema(), &alt)[0];
        assert_eq!(d.better, Better::Lower);
        // Type 7 with n = 5: h = 4p. p05: -4 + 0.2 × 2 = -3.6; p25: -2;
        // median: -1; p75: 0; p95: 0 + 0.8 × 1 = 0.8.
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(d.diff.p05, -3.6), "{}", d.diff.p05);
        assert_eq!((d.diff.p25, d.diff.median, d.diff.p75), (-2.0, -1.0, 0.0));
        assert!(close(d.diff.p95, 0.8));
        // Three of five lower (better), one higher (worse), one tied.
        assert!(close(d.probability_better, 0.6));
        assert!(close(d.probability_worse, 0.2));
        // Relative: -0.1, -0.2, 0, 0.25, -0.5; median -0.1.
        assert!(close(d.relative.median, -0.1));
        assert!(close(d.relative.p05, -0.5 + 0.2 * 0.3));
        assert!(close(d.relative.p95, 0.0 + 0.8 * 0.25));
    }

    #[test]
    fn no_direction_no_probability_and_no_relative_difference_from_zero() {
        let mut counts = schema();
        counts.metrics[0].metric = "arrivals".into();
        let d = &paired(
            &counts,
            &records(&[0.0, 2.0]),
            &counts,
            &records(&[1.0, 3.0]),
        )[0];
        assert_eq!(d.better, Better::None);
        assert!(d.probability_better.is_nan() && d.probability_worse.is_nan());
        // Only the replication whose baseline is not 0: (3 − 2) / 2.
        assert_eq!((d.relative.n, d.relative.median), (1, 0.5));
        let zero = &paired(&counts, &records(&[0.0]), &counts, &records(&[1.0]))[0];
        assert!(zero.relative.median.is_nan());
    }
}
