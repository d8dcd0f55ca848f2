//! Warm-up (initial-transient) estimators on one output series: the
//! MSER-k truncation point (White 1997; Franklin and White 2008) and
//! Welch's moving average (Welch 1983; Law, *Simulation Modeling and
//! Analysis*, §9.5.1). Pure functions of a series: which series is
//! analysed, and how it is averaged over replications, is the caller's.

/// The batch size of MSER-5, the variant Franklin and White recommend.
pub const MSER_BATCH: usize = 5;

/// Where MSER-k truncates a series.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Truncation {
    /// Whole batches removed from the start.
    pub batches: usize,
    /// Observations removed from the start (`batches × k`): the first
    /// observation to keep.
    pub observations: usize,
    /// The minimised statistic: the squared marginal standard error of the
    /// mean of what is kept.
    pub statistic: f64,
    /// The batches the search looked at (truncations 0 to half the run).
    pub searched: usize,
    /// The minimum is at the end of the search: the series may still be
    /// in its transient at half the run (run longer to tell).
    pub at_search_limit: bool,
}

/// MSER-k: the series in batches of `k` (a last, partial batch is left
/// out), then the truncation d (in batches, 0 ≤ d ≤ half the batches) that
/// minimises the squared marginal standard error of the batch means kept,
/// Σ_{j>d} (Z_j − Z̄_d)² / (b − d)². Ties go to the earliest d. None for a
/// series of fewer than two batches, or one holding a value that is not
/// finite (NaN or infinite).
pub fn mser(series: &[f64], k: usize) -> Option<Truncation> {
    if k == 0 || series.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let batches: Vec<f64> = series
        .chunks_exact(k)
        .map(|c| c.iter().sum::<f64>() / k as f64)
        .collect();
    let b = batches.len();
    if b < 2 {
        return None;
    }
    // Sums of what is kept, from the end, so each d costs O(1).
    let mut sum = vec![0.0; b + 1];
    let mut sum_sq = vec![0.0; b + 1];
    for j in (0..b).rev() {
        sum[j] = sum[j + 1] + batches[j];
        sum_sq[j] = sum_sq[j + 1] + batches[j] * batches[j];
    }
    let last = b / 2;
    let mut best: Option<(usize, f64)> = None;
    for d in 0..=last {
        let n = (b - d) as f64;
        let mean = sum[d] / n;
        // Σ (Z − Z̄)² = Σ Z² − n Z̄², floored at 0 against rounding.
        let squares = (sum_sq[d] - n * mean * mean).max(0.0);
        let statistic = squares / (n * n);
        if best.is_none_or(|(_, s)| statistic < s) {
            best = Some((d, statistic));
        }
    }
    let (d, statistic) = best?;
    Some(Truncation {
        batches: d,
        observations: d * k,
        statistic,
        searched: last + 1,
        at_search_limit: last > 0 && d == last,
    })
}

/// Welch's moving average of window `w` (the half-width: 2w + 1
/// observations): at observation i (0-based), the mean of observations
/// i − w … i + w, or near the start, where fewer than w precede it, of the
/// 2i + 1 centred on it. None for the last w observations, whose window
/// would run past the end. `w = 0` is the series itself.
pub fn welch_moving_average(series: &[f64], w: usize) -> Vec<Option<f64>> {
    let m = series.len();
    let mut prefix = vec![0.0; m + 1];
    for (i, v) in series.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v;
    }
    (0..m)
        .map(|i| {
            if i + w >= m {
                return None;
            }
            let half = i.min(w);
            let (first, end) = (i - half, i + half + 1);
            Some((prefix[end] - prefix[first]) / (end - first) as f64)
        })
        .collect()
}

/// A reading of Welch's plot as a rule: the first observation at which the
/// moving average reaches the mean of the second half of the series
/// (crosses it, or comes within `tolerance` of it). A series that starts
/// at its long-run level gives 0; one still moving towards it at the end
/// of the average gives None. It reads the curve as an analyst would, so
/// it is a cross-check of [`mser`], not a rule of its own.
pub fn welch_crossing(
    moving_average: &[Option<f64>],
    series: &[f64],
    tolerance: f64,
) -> Option<usize> {
    let half = &series[series.len() / 2..];
    if half.is_empty() {
        return None;
    }
    let level = half.iter().sum::<f64>() / half.len() as f64;
    let first = moving_average.iter().flatten().next()?;
    let above = *first > level;
    moving_average.iter().position(|v| match v {
        Some(v) => (v - level).abs() <= tolerance || (*v > level) != above,
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stand-in for noise: a fixed pseudo-random sequence
    /// (an LCG), uniform on [−0.5, 0.5), so the tests need no random crate.
    fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
            })
            .collect()
    }

    #[test]
    fn welch_moving_average_is_exact_on_a_small_series() {
        let series = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0];
        // w = 1: i = 0 is itself; then means of three; the last is None.
        assert_eq!(
            welch_moving_average(&series, 1),
            vec![
                Some(1.0),
                Some(7.0 / 3.0),
                Some(14.0 / 3.0),
                Some(28.0 / 3.0),
                Some(56.0 / 3.0),
                None
            ]
        );
        // w = 2: i = 1 averages 0..=2 (2i + 1 = 3); i = 2, 3 average five.
        assert_eq!(
            welch_moving_average(&series, 2),
            vec![
                Some(1.0),
                Some(7.0 / 3.0),
                Some(31.0 / 5.0),
                Some(62.0 / 5.0),
                None,
                None
            ]
        );
        assert_eq!(
            welch_moving_average(&series, 0),
            series.iter().map(|v| Some(*v)).collect::<Vec<_>>()
        );
        assert_eq!(welch_moving_average(&series, 6), vec![None; 6]);
    }

    #[test]
    fn mser_is_exact_on_a_small_series() {
        // Batches of 2: means 10, 4, 2, 2, 2, 2 (and a partial batch left
        // out). d = 0 keeps a spread; d = 1 keeps (4, 2, 2, 2, 2): squares
        // 3.2, statistic 3.2 / 25 = 0.128; d = 2 keeps four 2s: 0. The
        // search stops at d = 3 (half of 6), where it is also 0: the first
        // minimum wins.
        let series = [
            10.0, 10.0, 5.0, 3.0, 2.0, 2.0, 1.0, 3.0, 2.0, 2.0, 2.0, 2.0, 99.0,
        ];
        let t = mser(&series, 2).unwrap();
        assert_eq!(
            t,
            Truncation {
                batches: 2,
                observations: 4,
                statistic: 0.0,
                searched: 4,
                at_search_limit: false
            }
        );
        assert!(mser(&[1.0, 2.0, 3.0], 2).is_none());
        assert!(mser(&[1.0, f64::NAN, 3.0, 4.0], 2).is_none());
        assert!(mser(&[1.0; 10], 0).is_none());
    }

    /// y = 10 e^(−t/50) + noise of sd 0.29: the transient is below the
    /// noise's standard error of a batch (0.13) after about 50 ln(10/0.13)
    /// ≈ 220 days and below a tenth of the noise sd after 50 ln(10/0.029)
    /// ≈ 290. MSER-5 truncates in that range, far from 0 and from the
    /// search limit (1,000).
    #[test]
    fn mser5_truncates_an_exponential_transient_where_it_has_decayed() {
        let n = 2000;
        for seed in 1..=5 {
            let series: Vec<f64> = noise(n, seed)
                .iter()
                .enumerate()
                .map(|(t, e)| 100.0 + 10.0 * (-(t as f64) / 50.0).exp() + e)
                .collect();
            let t = mser(&series, MSER_BATCH).unwrap();
            assert!((120..=320).contains(&t.observations), "seed {seed}: {t:?}");
            assert!(!t.at_search_limit);
        }
    }

    /// A stationary series has nothing to cut: MSER-5 keeps nearly all of
    /// it (its noise can move the minimum a little way in, never far).
    #[test]
    fn mser5_keeps_a_stationary_series() {
        for seed in 1..=5 {
            let series: Vec<f64> = noise(2000, seed).iter().map(|e| 50.0 + e).collect();
            let t = mser(&series, MSER_BATCH).unwrap();
            assert!(t.observations <= 100, "seed {seed}: {t:?}");
        }
    }

    /// A series that rises all the way has no steady part in its first
    /// half: the minimum is at the search limit, and says so.
    #[test]
    fn mser5_says_when_the_transient_outlasts_half_the_run() {
        let series: Vec<f64> = (0..1000).map(|t| t as f64).collect();
        let t = mser(&series, MSER_BATCH).unwrap();
        assert!(t.at_search_limit, "{t:?}");
        assert_eq!(t.observations, 500);
    }

    #[test]
    fn welch_crossing_reads_the_curve() {
        // Rises to 10 by day 20, then flat: the average reaches 10 when its
        // window holds only the flat part.
        let series: Vec<f64> = (0..200).map(|t| (t as f64 / 2.0).min(10.0)).collect();
        let ma = welch_moving_average(&series, 5);
        assert_eq!(welch_crossing(&ma, &series, 1e-9), Some(25));
        // Flat from the start: 0.
        let flat = vec![3.0; 100];
        assert_eq!(
            welch_crossing(&welch_moving_average(&flat, 5), &flat, 1e-9),
            Some(0)
        );
    }
}
