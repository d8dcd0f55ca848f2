//! Summaries of replication results: mean, sample sd (divided by n − 1),
//! standard error and a Student-t confidence interval.

/// The mean of a sample with its uncertainty.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Number of finite values summarised (NaN values are left out).
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator); NaN if n < 2.
    pub sd: f64,
    /// Standard error of the mean; NaN if n < 2.
    pub se: f64,
    /// Lower end of the 95% Student-t confidence interval of the mean.
    #[serde(rename = "ci95_low")]
    pub ci_low: f64,
    /// Upper end of the 95% Student-t confidence interval of the mean.
    #[serde(rename = "ci95_high")]
    pub ci_high: f64,
    pub min: f64,
    pub max: f64,
    /// Percentiles of the values across replications (linear
    /// interpolation between order statistics, as R's default type 7):
    /// the spread of outcomes, not of the mean.
    pub p05: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p95: f64,
}

use super::distribution::quantile_of_sorted as quantile_sorted;

impl Summary {
    /// Summary of the finite values of `values` with a 95% interval.
    pub fn of(values: &[f64]) -> Summary {
        Summary::with_level(values, 0.95)
    }

    /// Summary with a two-sided confidence level in (0, 1).
    pub fn with_level(values: &[f64], level: f64) -> Summary {
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        let n = finite.len();
        if n == 0 {
            let nan = f64::NAN;
            return Summary {
                n,
                mean: nan,
                sd: nan,
                se: nan,
                ci_low: nan,
                ci_high: nan,
                min: nan,
                max: nan,
                p05: nan,
                p25: nan,
                median: nan,
                p75: nan,
                p95: nan,
            };
        }
        let mean = finite.iter().sum::<f64>() / n as f64;
        let min = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let max = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut sorted = finite.clone();
        sorted.sort_by(f64::total_cmp);
        let [p05, p25, median, p75, p95] =
            [0.05, 0.25, 0.5, 0.75, 0.95].map(|p| quantile_sorted(&sorted, p));
        if n < 2 {
            let nan = f64::NAN;
            return Summary {
                n,
                mean,
                sd: nan,
                se: nan,
                ci_low: nan,
                ci_high: nan,
                min,
                max,
                p05,
                p25,
                median,
                p75,
                p95,
            };
        }
        let sum_sq: f64 = finite.iter().map(|v| (v - mean).powi(2)).sum();
        let sd = (sum_sq / (n - 1) as f64).sqrt();
        let se = sd / (n as f64).sqrt();
        let half_width = student_t_quantile(0.5 + level / 2.0, (n - 1) as f64) * se;
        Summary {
            n,
            mean,
            sd,
            se,
            ci_low: mean - half_width,
            ci_high: mean + half_width,
            min,
            max,
            p05,
            p25,
            median,
            p75,
            p95,
        }
    }

    /// Half the width of the confidence interval.
    pub fn half_width(&self) -> f64 {
        (self.ci_high - self.ci_low) / 2.0
    }

    /// True if `value` lies in the confidence interval.
    pub fn contains(&self, value: f64) -> bool {
        self.ci_low <= value && value <= self.ci_high
    }
}

/// Quantile of the standard normal distribution (P. J. Acklam's rational
/// approximation: relative error below 1.2e-9, ample for interval widths).
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969683028665376e1,
        2.209460984245205e2,
        -2.759285104469687e2,
        1.383_577_518_672_69e2,
        -3.066479806614716e1,
        2.506628277459239,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e1,
        1.615858368580409e2,
        -1.556989798598866e2,
        6.680131188771972e1,
        -1.328068155288572e1,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-3,
        -3.223964580411365e-1,
        -2.400758277161838,
        -2.549732539343734,
        4.374664141464968,
        2.938163982698783,
    ];
    const D: [f64; 4] = [
        7.784695709041462e-3,
        3.224671290700398e-1,
        2.445134137142996,
        3.754408661907416,
    ];
    let low = 0.02425;

    if p < low {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - low {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Quantile of Student's t distribution with `df` degrees of freedom
/// (G. W. Hill, 1970, Algorithm 396; exact closed forms for df = 1 and 2).
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    let valid = p > 0.0 && p < 1.0 && df > 0.0; // false for NaN too
    if !valid {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    let upper = p > 0.5;
    // Hill's algorithm works with the two-tailed probability.
    let two_tail = 2.0 * if upper { 1.0 - p } else { p };
    let t = if (df - 1.0).abs() < 1e-12 {
        (std::f64::consts::FRAC_PI_2 * (1.0 - two_tail)).tan()
    } else if (df - 2.0).abs() < 1e-12 {
        (2.0 / (two_tail * (2.0 - two_tail)) - 2.0).sqrt()
    } else {
        hill_two_tailed(two_tail, df)
    };
    if upper { t } else { -t }
}

fn hill_two_tailed(p: f64, n: f64) -> f64 {
    let a = 1.0 / (n - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * std::f64::consts::PI / 2.0).sqrt() * n;
    let mut x = d * p;
    let mut y = x.powf(2.0 / n);
    if y > 0.05 + a {
        x = normal_quantile(p * 0.5);
        y = x * x;
        if n < 5.0 {
            c += 0.3 * (n - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = a * y * y;
        y = if y > 0.002 {
            y.exp() - 1.0
        } else {
            0.5 * y * y + y
        };
    } else {
        y = ((1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0)
            + 0.5 / (n + 4.0))
            * y
            - 1.0)
            * (n + 1.0)
            / (n + 2.0)
            + 1.0 / y;
    }
    (n * y).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_tables() {
        // Two-sided 95% critical values (t_{0.975, df}) from standard tables.
        for (df, expected) in [
            (1.0, 12.7062),
            (2.0, 4.3027),
            (3.0, 3.1824),
            (4.0, 2.7764),
            (5.0, 2.5706),
            (9.0, 2.2622),
            (19.0, 2.0930),
            (29.0, 2.0452),
            (99.0, 1.9842),
            (1000.0, 1.9623),
        ] {
            let t = student_t_quantile(0.975, df);
            assert!((t - expected).abs() < 2e-4, "df {df}: {t} vs {expected}");
        }
        // 99.5% (two-sided 99%)
        for (df, expected) in [(4.0, 4.6041), (10.0, 3.1693), (39.0, 2.7079)] {
            let t = student_t_quantile(0.995, df);
            assert!((t - expected).abs() < 2e-4, "df {df}: {t} vs {expected}");
        }
        assert!((student_t_quantile(0.025, 9.0) + 2.2622).abs() < 2e-4);
    }

    #[test]
    fn normal_quantiles() {
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-8);
        assert!((normal_quantile(0.5)).abs() < 1e-12);
        assert!((normal_quantile(1e-6) + 4.753_424_308_822_899).abs() < 1e-7 * 4.76);
    }

    #[test]
    fn percentiles_interpolate_like_r_type_7() {
        // R: quantile(1:10, c(0.05, 0.5, 0.95)) = 1.45, 5.5, 9.55
        let values: Vec<f64> = (1..=10).map(f64::from).collect();
        let s = Summary::of(&values);
        assert!((s.p05 - 1.45).abs() < 1e-12);
        assert!((s.median - 5.5).abs() < 1e-12);
        // Type 7 on 1..=10: h = 9p, so p25 = 1 + 2.25 and p75 = 1 + 6.75.
        assert!((s.p25 - 3.25).abs() < 1e-12);
        assert!((s.p75 - 7.75).abs() < 1e-12);
        assert!((s.p95 - 9.55).abs() < 1e-12);
        assert_eq!(Summary::of(&[4.0]).median, 4.0);
    }

    #[test]
    fn summary_uses_n_minus_one_and_t() {
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.n, 4);
        assert_eq!(s.mean, 2.5);
        assert!((s.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let hw = 3.182_446 * s.sd / 2.0;
        assert!((s.half_width() - hw).abs() < 1e-4, "{}", s.half_width());
        assert!(s.contains(2.5));
        assert_eq!((s.min, s.max), (1.0, 4.0));
    }

    #[test]
    fn summary_of_few_values_says_nan_not_zero() {
        let one = Summary::of(&[5.0]);
        assert_eq!(one.mean, 5.0);
        assert!(one.sd.is_nan() && one.ci_low.is_nan());
        assert!(Summary::of(&[]).mean.is_nan());
        assert_eq!(Summary::of(&[f64::NAN, 1.0, 3.0]).n, 2);
    }
}
