//! Paired comparison of scenarios run with common random numbers.
//!
//! Replication r of every scenario uses the random streams of (seed, r), so
//! the same patients arrive with the same needs wherever the scenarios
//! agree; the difference ALT − BASE is taken replication by replication,
//! and its spread is that of the effect, not of the patients. The variance
//! ratio says what pairing saved: (s²_base + s²_alt) / s²_diff is how many
//! times more replications independent runs would have needed for the same
//! confidence interval.

use std::collections::HashMap;

use super::record::{Record, Schema};
use crate::stats::Summary;

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
    let alt_keys = keys(alt_schema);
    let alt_index: HashMap<&CompareKey, usize> =
        alt_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
    keys(base_schema)
        .into_iter()
        .enumerate()
        .filter_map(|(i, key)| {
            let j = *alt_index.get(&key)?;
            // Only replications where both values are defined are paired,
            // so the three summaries describe the same replications.
            let (b, a): (Vec<f64>, Vec<f64>) = base
                .iter()
                .zip(alt)
                .map(|(rb, ra)| (rb.values[i], ra.values[j]))
                .filter(|(b, a)| b.is_finite() && a.is_finite())
                .unzip();
            let d: Vec<f64> = a.iter().zip(&b).map(|(a, b)| a - b).collect();
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
            Some(Difference {
                key,
                base,
                alt,
                diff,
                variance_ratio,
                values: d,
            })
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
}
