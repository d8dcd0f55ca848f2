//! Sequential stopping: add replications until the chosen outcomes' 95%
//! confidence intervals are narrow enough: relative to their means, to the
//! means of other positions (a paired difference relative to its
//! baseline's mean), or in the outcomes' own units ([`Scale`]).
//!
//! The rule is deterministic (it depends only on the records of
//! replications 0..n), so a batch stopped this way is reproducible and
//! resumable like any other. After n replications, an outcome whose
//! relative half-width is h needs about n (h / target)² (the half-width
//! shrinks as 1 / √n); the next round asks for 10% more than the largest
//! such need, at least 2 more, and never more than the cap.

use super::record::Record;
use crate::stats::Summary;
use crate::stats::summary::student_t_quantile;

/// What a half-width is measured against.
#[derive(Clone, Debug, PartialEq)]
pub enum Scale {
    /// A fraction of the outcome's own |mean|.
    Relative,
    /// A fraction of the |mean| of another position, one for each key in
    /// order (e.g. a paired difference against its baseline's mean).
    RelativeTo(Vec<usize>),
    /// The outcome's own unit.
    Absolute,
}

/// The stopping rule.
#[derive(Clone, Debug)]
pub struct Precision {
    /// Positions in the records of the outcomes that must be precise.
    pub keys: Vec<usize>,
    /// Largest accepted half-width on `scale` (e.g. 0.01 relative, or 25
    /// admissions absolute). Named for the common, relative, case.
    pub relative_half_width: f64,
    pub max_replications: u64,
    pub scale: Scale,
}

/// How precise one outcome is after some replications.
#[derive(Clone, Debug)]
pub struct Attained {
    pub key: usize,
    pub summary: Summary,
    /// Half-width on the rule's scale (relative: / |mean|, infinite when
    /// the mean is 0 and the interval is not); 0 when the values do not
    /// vary at all.
    pub relative_half_width: f64,
}

impl Precision {
    /// The precision of each outcome over `records` (replications 0..n).
    pub fn attained(&self, records: &[Record]) -> Vec<Attained> {
        self.keys
            .iter()
            .enumerate()
            .map(|(k, &key)| {
                let mean_of = |position: usize| {
                    let values: Vec<f64> = records.iter().map(|r| r.values[position]).collect();
                    Summary::of(&values)
                };
                let summary = mean_of(key);
                let hw = summary.half_width();
                let denominator = match &self.scale {
                    Scale::Relative => summary.mean.abs(),
                    Scale::RelativeTo(positions) => mean_of(positions[k]).mean.abs(),
                    Scale::Absolute => 1.0,
                };
                let relative = if hw == 0.0 || (summary.sd == 0.0 && summary.n > 1) {
                    0.0
                } else if denominator == 0.0 || !hw.is_finite() || !denominator.is_finite() {
                    f64::INFINITY
                } else {
                    hw / denominator
                };
                Attained {
                    key,
                    summary,
                    relative_half_width: relative,
                }
            })
            .collect()
    }

    /// The number of replications to have next, or None to stop (every
    /// outcome precise enough, or the cap reached).
    pub fn next_size(&self, records: &[Record]) -> Option<u64> {
        let n = records.len() as u64;
        if n >= self.max_replications {
            return None;
        }
        let worst = self
            .attained(records)
            .iter()
            .map(|a| a.relative_half_width)
            .fold(0.0, f64::max);
        if worst <= self.relative_half_width {
            return None;
        }
        // The half-width goes as t(n − 1) / √n: correct the small-sample
        // t quantile towards its large-sample value (1.96), and grow at
        // most fourfold a round, since early estimates of the spread are
        // rough.
        let t_now = student_t_quantile(0.975, (n.max(2) - 1) as f64);
        let needed = if worst.is_finite() {
            (n.max(2) as f64
                * (worst / self.relative_half_width).powi(2)
                * (1.96 / t_now).powi(2)
                * 1.1)
                .ceil()
        } else {
            f64::INFINITY
        };
        let next = needed.min((4 * n.max(2)) as f64) as u64;
        Some(next.max(n + 2).min(self.max_replications))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// Textbook: 1, 2, 3, 4, 5 have mean 3 and sd 1.5811; with t(0.975, 4)
    /// = 2.7764 the 95% half-width is 2.7764 × 1.5811 / √5 = 1.9632, a
    /// relative half-width of 0.6544.
    #[test]
    fn relative_half_width_of_a_textbook_sample() {
        let rule = Precision {
            keys: vec![0],
            relative_half_width: 0.1,
            max_replications: 1000,
            scale: Scale::Relative,
        };
        let attained = rule.attained(&records(&[1.0, 2.0, 3.0, 4.0, 5.0]));
        assert!((attained[0].summary.half_width() - 1.9632).abs() < 1e-3);
        assert!((attained[0].relative_half_width - 0.6544).abs() < 1e-3);
        // It needs about 5 × (0.6544 / 0.1)² × (1.96 / 2.7764)² × 1.1 = 118
        // replications; a round grows at most fourfold: 20.
        assert_eq!(
            rule.next_size(&records(&[1.0, 2.0, 3.0, 4.0, 5.0])),
            Some(20)
        );
        let many: Vec<f64> = (0..40).map(|i| 1.0 + (i % 5) as f64).collect();
        // 40 values 1..5: sd 1.4322, t(39) = 2.0227, relative half-width
        // 0.1527; 40 × (0.1527 / 0.1)² × (1.96 / 2.0227)² × 1.1 = 96.3.
        assert_eq!(rule.next_size(&records(&many)), Some(97));
    }

    #[test]
    fn it_stops_when_precise_or_at_the_cap() {
        let precise = Precision {
            keys: vec![0],
            relative_half_width: 0.5,
            max_replications: 1000,
            scale: Scale::Relative,
        };
        let steady = records(&[10.0, 10.1, 9.9, 10.0]);
        assert_eq!(precise.next_size(&steady), None);
        let capped = Precision {
            relative_half_width: 1e-9,
            max_replications: 4,
            ..precise.clone()
        };
        assert_eq!(capped.next_size(&steady), None);
        // A constant outcome is exact; a mean of 0 with spread never is.
        assert_eq!(
            precise.attained(&records(&[3.0, 3.0]))[0].relative_half_width,
            0.0
        );
        assert!(
            precise.attained(&records(&[-1.0, 1.0]))[0]
                .relative_half_width
                .is_infinite()
        );
        // An outcome that can never be precise grows fourfold a round.
        assert_eq!(precise.next_size(&records(&[-1.0, 1.0])), Some(8));
    }

    /// The same textbook sample: absolute, the half-width is 1.9632 in the
    /// outcome's unit; against a position of mean 10 (values 10 each), a
    /// tenth of it.
    #[test]
    fn absolute_and_relative_to_another_position() {
        let sample: Vec<Record> = [1.0, 2.0, 3.0, 4.0, 5.0]
            .iter()
            .enumerate()
            .map(|(r, v)| Record {
                replication: r as u64,
                values: vec![*v, 10.0],
            })
            .collect();
        let absolute = Precision {
            keys: vec![0],
            relative_half_width: 2.0,
            max_replications: 1000,
            scale: Scale::Absolute,
        };
        let hw = absolute.attained(&sample)[0].relative_half_width;
        assert!((hw - 1.9632).abs() < 1e-3, "{hw}");
        assert_eq!(absolute.next_size(&sample), None);
        let against = Precision {
            scale: Scale::RelativeTo(vec![1]),
            relative_half_width: 0.1,
            ..absolute
        };
        let hw = against.attained(&sample)[0].relative_half_width;
        assert!((hw - 0.19632).abs() < 1e-4, "{hw}");
        assert!(against.next_size(&sample).is_some());
    }
}
