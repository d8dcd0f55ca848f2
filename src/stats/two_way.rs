//! The crossed two-way analysis of variance without replication, as a
//! random-effects model: what splits a nested experiment's variance into
//! "evidence" (between draws of the uncertain values) and "chance"
//! (between the patients' random streams).
//!
//! The values y_ij sit in a table of N rows (i: outer draws of the
//! uncertain values) by M columns (j: inner streams of chance, the same
//! streams in every row), modelled as
//!
//! ```text
//! y_ij = μ + a_i + b_j + e_ij,  a_i ~ (0, σ²_a), b_j ~ (0, σ²_b), e_ij ~ (0, σ²_e)
//! ```
//!
//! With ȳ the grand mean, ȳ_i. the row means and ȳ_.j the column means:
//!
//! ```text
//! MS_rows     = M Σ_i (ȳ_i. − ȳ)² / (N − 1)                          E = σ²_e + M σ²_a
//! MS_columns  = N Σ_j (ȳ_.j − ȳ)² / (M − 1)                          E = σ²_e + N σ²_b
//! MS_residual = Σ_ij (y_ij − ȳ_i. − ȳ_.j + ȳ)² / ((N − 1)(M − 1))    E = σ²_e
//! ```
//!
//! so σ²_a = (MS_rows − MS_residual) / M, σ²_b = (MS_columns −
//! MS_residual) / N and σ²_e = MS_residual (the method of moments; a
//! negative estimate is set to 0, the usual truncation). With one value
//! per cell the residual holds the interaction of evidence and chance
//! (a draw that matters more under some patients than others) together
//! with anything else: the two cannot be told apart.

use serde::Serialize;

/// The split of a table's variance (see the module's header).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TwoWay {
    /// Rows (outer draws) and columns (inner streams).
    pub rows: usize,
    pub columns: usize,
    pub mean: f64,
    /// The sample variance of all N·M values (N·M − 1 in the denominator).
    pub total_variance: f64,
    pub mean_square_rows: f64,
    pub mean_square_columns: f64,
    pub mean_square_residual: f64,
    /// σ²_a: between rows (evidence), truncated at 0.
    pub row_variance: f64,
    /// σ²_b: between columns (chance), truncated at 0.
    pub column_variance: f64,
    /// σ²_e: the interaction and residual.
    pub residual_variance: f64,
}

impl TwoWay {
    /// The split of `table` (rows of equal length). None when it has fewer
    /// than 2 rows or 2 columns, rows of unequal length, or a value that
    /// is not finite (a metric undefined in some replication).
    pub fn of(table: &[Vec<f64>]) -> Option<TwoWay> {
        let n = table.len();
        let m = table.first()?.len();
        if n < 2 || m < 2 || table.iter().any(|row| row.len() != m) {
            return None;
        }
        if table.iter().flatten().any(|v| !v.is_finite()) {
            return None;
        }
        let (nf, mf) = (n as f64, m as f64);
        let mean = table.iter().flatten().sum::<f64>() / (nf * mf);
        let row_means: Vec<f64> = table.iter().map(|r| r.iter().sum::<f64>() / mf).collect();
        let column_means: Vec<f64> = (0..m)
            .map(|j| table.iter().map(|r| r[j]).sum::<f64>() / nf)
            .collect();
        let ss_rows = mf * row_means.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
        let ss_columns = nf * column_means.iter().map(|x| (x - mean).powi(2)).sum::<f64>();
        let mut ss_residual = 0.0;
        let mut ss_total = 0.0;
        for (i, row) in table.iter().enumerate() {
            for (j, y) in row.iter().enumerate() {
                ss_residual += (y - row_means[i] - column_means[j] + mean).powi(2);
                ss_total += (y - mean).powi(2);
            }
        }
        let mean_square_rows = ss_rows / (nf - 1.0);
        let mean_square_columns = ss_columns / (mf - 1.0);
        let mean_square_residual = ss_residual / ((nf - 1.0) * (mf - 1.0));
        Some(TwoWay {
            rows: n,
            columns: m,
            mean,
            total_variance: ss_total / (nf * mf - 1.0),
            mean_square_rows,
            mean_square_columns,
            mean_square_residual,
            row_variance: ((mean_square_rows - mean_square_residual) / mf).max(0.0),
            column_variance: ((mean_square_columns - mean_square_residual) / nf).max(0.0),
            residual_variance: mean_square_residual,
        })
    }

    /// The sum of the three components: the variance of one replication's
    /// value under the model (close to `total_variance`, which counts each
    /// row's and column's effect as shared among its cells).
    pub fn component_sum(&self) -> f64 {
        self.row_variance + self.column_variance + self.residual_variance
    }

    /// Each component's share of their sum (NaN when all are 0).
    pub fn shares(&self) -> (f64, f64, f64) {
        let sum = self.component_sum();
        if sum > 0.0 {
            (
                self.row_variance / sum,
                self.column_variance / sum,
                self.residual_variance / sum,
            )
        } else {
            (f64::NAN, f64::NAN, f64::NAN)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pure_row_effect_is_all_evidence_and_a_pure_column_effect_all_chance() {
        let rows = vec![vec![1.0, 1.0, 1.0], vec![3.0, 3.0, 3.0]];
        let split = TwoWay::of(&rows).unwrap();
        assert_eq!(split.mean, 2.0);
        assert_eq!(split.column_variance, 0.0);
        assert_eq!(split.residual_variance, 0.0);
        // MS_rows = 3 · (1 + 1) / 1 = 6; σ²_a = 6 / 3 = 2 = the variance of {1, 3}.
        assert_eq!(split.mean_square_rows, 6.0);
        assert_eq!(split.row_variance, 2.0);
        assert_eq!(split.shares(), (1.0, 0.0, 0.0));

        let columns = vec![vec![0.0, 2.0], vec![0.0, 2.0], vec![0.0, 2.0]];
        let split = TwoWay::of(&columns).unwrap();
        assert_eq!((split.row_variance, split.residual_variance), (0.0, 0.0));
        assert_eq!(split.column_variance, 2.0);
    }

    #[test]
    fn an_additive_table_has_no_residual_and_a_pure_interaction_only_residual() {
        // y = r_i + c_j exactly: the residual is 0 (up to rounding).
        let table: Vec<Vec<f64>> = (0..4)
            .map(|i| (0..5).map(|j| i as f64 * 10.0 + j as f64).collect())
            .collect();
        let split = TwoWay::of(&table).unwrap();
        assert!(split.residual_variance < 1e-20);
        // Row means 2, 12, 22, 32: variance 166.67; columns 0..4: 2.5.
        assert!((split.row_variance - 500.0 / 3.0).abs() < 1e-9);
        assert!((split.column_variance - 2.5).abs() < 1e-9);
        // A checkerboard: row and column means all equal.
        let table = vec![vec![1.0, -1.0], vec![-1.0, 1.0]];
        let split = TwoWay::of(&table).unwrap();
        assert_eq!((split.row_variance, split.column_variance), (0.0, 0.0));
        assert_eq!(split.residual_variance, 4.0);
    }

    #[test]
    fn tables_that_cannot_be_split_give_none() {
        assert!(TwoWay::of(&[]).is_none());
        assert!(TwoWay::of(&[vec![1.0, 2.0]]).is_none());
        assert!(TwoWay::of(&[vec![1.0], vec![2.0]]).is_none());
        assert!(TwoWay::of(&[vec![1.0, 2.0], vec![3.0]]).is_none());
        assert!(TwoWay::of(&[vec![1.0, f64::NAN], vec![3.0, 4.0]]).is_none());
    }
}
