//! A comparison's derived outcome `bed_days_saved_per_admission_avoided`:
//! how many adult acute bed-days each emergency admission avoided took
//! with it, −Δ `acute_bed_days` / −Δ `emergency_admissions`, replication
//! pair by replication pair, then summarised like any paired difference.
//!
//! A replication whose admissions did not fall has no ratio (it is left
//! out, so `n` counts the pairs where they fell); unless they fell in more
//! than half of the pairs, the row is blank: the ratio of the few pairs
//! where chance made them fall says nothing of a scenario that does not
//! avoid admissions (a pessimistic case showed 112 bed-days "saved" per
//! admission from 6 pairs of 20 while its admissions rose). Rows are added for the whole system (all ICCs) by year and age
//! band: per ICC a pair's change in admissions is a handful and the ratio
//! mostly noise. Evidence for reading it: avoided admissions are mostly
//! short stays (docs/whole-system.md, §7a), so a value near the band's
//! mean stay says the scenario avoids admissions with their average stay.

use super::compare::{CompareKey, Difference};
use crate::model::metrics::Better;
use crate::stats::Summary;

/// The derived metric's name, as in `comparison.csv`.
pub const BED_DAYS_SAVED_PER_ADMISSION_AVOIDED: &str = "bed_days_saved_per_admission_avoided";

/// One row per (year, band) of the whole system that has both
/// `acute_bed_days` and `emergency_admissions`, in the order of the
/// admissions' rows.
pub fn bed_days_saved_per_admission_avoided(diffs: &[Difference]) -> Vec<Difference> {
    let whole_system = |d: &&Difference| d.key.table == "breakdown" && d.key.labels[1] == "all";
    diffs
        .iter()
        .filter(whole_system)
        .filter(|d| d.key.metric == "emergency_admissions")
        .filter_map(|admissions| {
            let bed_days = diffs.iter().filter(whole_system).find(|d| {
                d.key.metric == "acute_bed_days" && d.key.labels == admissions.key.labels
            })?;
            let mut ratios: Vec<f64> = admissions
                .values
                .iter()
                .zip(&bed_days.values)
                .filter(|(a, _)| **a < 0.0)
                .map(|(a, b)| (-b) / (-a))
                .collect();
            if 2 * ratios.len() <= admissions.values.len() {
                ratios.clear();
            }
            let none = Summary::of(&[]);
            Some(Difference {
                key: CompareKey {
                    table: "breakdown",
                    labels: admissions.key.labels.clone(),
                    metric: BED_DAYS_SAVED_PER_ADMISSION_AVOIDED.to_string(),
                    unit: "bed-days per admission".to_string(),
                },
                base: none,
                alt: none,
                diff: Summary::of(&ratios),
                variance_ratio: f64::NAN,
                values: ratios,
                better: Better::None,
                probability_better: f64::NAN,
                probability_worse: f64::NAN,
                relative: none,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn difference(metric: &str, labels: [&str; 3], values: &[f64]) -> Difference {
        let none = Summary::of(&[]);
        Difference {
            key: CompareKey {
                table: "breakdown",
                labels: labels.iter().map(|l| l.to_string()).collect(),
                metric: metric.into(),
                unit: String::new(),
            },
            base: none,
            alt: none,
            diff: Summary::of(values),
            variance_ratio: f64::NAN,
            values: values.to_vec(),
            better: Better::Lower,
            probability_better: f64::NAN,
            probability_worse: f64::NAN,
            relative: none,
        }
    }

    #[test]
    fn each_pair_where_admissions_fell_gives_its_ratio() {
        let all = ["all", "all", "all"];
        let diffs = vec![
            difference("emergency_admissions", all, &[-10.0, -20.0, 5.0]),
            difference("acute_bed_days", all, &[-30.0, -20.0, 50.0]),
            // Per ICC: no row.
            difference("emergency_admissions", ["all", "eden", "all"], &[-1.0]),
            difference("acute_bed_days", ["all", "eden", "all"], &[-9.0]),
        ];
        let rows = bed_days_saved_per_admission_avoided(&diffs);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(row.key.metric, BED_DAYS_SAVED_PER_ADMISSION_AVOIDED);
        assert_eq!(row.key.labels, vec!["all", "all", "all"]);
        // Replications 0 and 1 only: 3 and 1 bed-days per admission.
        assert_eq!(row.values, vec![3.0, 1.0]);
        assert_eq!((row.diff.n, row.diff.mean), (2, 2.0));
        assert!(row.base.mean.is_nan() && row.alt.mean.is_nan());
    }

    #[test]
    fn no_fall_in_admissions_leaves_the_row_blank() {
        let all = ["1", "all", "85+"];
        let diffs = vec![
            difference("emergency_admissions", all, &[1.0, 0.0]),
            difference("acute_bed_days", all, &[-3.0, 2.0]),
        ];
        let rows = bed_days_saved_per_admission_avoided(&diffs);
        assert_eq!(rows[0].diff.n, 0);
        assert!(rows[0].diff.mean.is_nan());
    }

    #[test]
    fn a_fall_in_half_the_pairs_or_fewer_leaves_the_row_blank() {
        let all = ["all", "all", "all"];
        let diffs = vec![
            difference("emergency_admissions", all, &[-10.0, 3.0, -2.0, 4.0]),
            difference("acute_bed_days", all, &[-30.0, 5.0, -40.0, 1.0]),
        ];
        let rows = bed_days_saved_per_admission_avoided(&diffs);
        assert_eq!(rows[0].diff.n, 0);
        assert!(rows[0].values.is_empty());
    }
}
