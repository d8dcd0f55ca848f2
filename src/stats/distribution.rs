//! The spread of outcomes across replications, for decisions: percentiles
//! of a sample (type 7, as R's and numpy's default) and the share of a
//! sample on one side of a value. Unlike a confidence interval of the mean,
//! neither narrows as replications are added: they estimate a property of
//! the distribution, not of its mean.

/// The p-quantile (p in [0, 1]) of the finite values, by linear
/// interpolation between order statistics (Hyndman & Fan type 7: the
/// value at rank 1 + (n − 1)p); NaN for an empty sample.
pub fn quantile(values: &[f64], p: f64) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    quantile_of_sorted(&sorted, p)
}

/// [`quantile`] of values already sorted and finite.
pub fn quantile_of_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// The share of the finite values for which `holds` is true; NaN for an
/// empty sample (no evidence either way, not a probability of 0).
pub fn share_where(values: &[f64], holds: impl Fn(f64) -> bool) -> f64 {
    let finite = values.iter().filter(|v| v.is_finite());
    let (mut n, mut yes) = (0usize, 0usize);
    for &v in finite {
        n += 1;
        if holds(v) {
            yes += 1;
        }
    }
    if n == 0 {
        f64::NAN
    } else {
        yes as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_type_7() {
        // Hand-computed: n = 5, h = 4p. p = 0.05: h = 0.2, between 1 and 2
        // (sorted 1, 2, 4, 8, 16): 1 + 0.2 × 1 = 1.2. p = 0.25: h = 1,
        // exactly 2. p = 0.5: 4. p = 0.75: h = 3, 8. p = 0.95: h = 3.8,
        // 8 + 0.8 × 8 = 14.4. (R: quantile(c(16, 1, 8, 2, 4), c(.05, .25,
        // .5, .75, .95)) gives the same.)
        let sample = [16.0, 1.0, 8.0, 2.0, 4.0];
        let expected = [
            (0.05, 1.2),
            (0.25, 2.0),
            (0.5, 4.0),
            (0.75, 8.0),
            (0.95, 14.4),
        ];
        for (p, q) in expected {
            assert!((quantile(&sample, p) - q).abs() < 1e-12, "p {p}");
        }
        // Four values: h = 3p. p = 0.5: h = 1.5, halfway between -1 and 3.
        assert_eq!(quantile(&[-5.0, -1.0, 3.0, 10.0], 0.5), 1.0);
        // p = 0.05: h = 0.15: -5 + 0.15 × 4 = -4.4.
        assert!((quantile(&[-5.0, -1.0, 3.0, 10.0], 0.05) + 4.4).abs() < 1e-12);
        // Non-finite values are left out; one value is every quantile.
        assert_eq!(quantile(&[f64::NAN, 7.0], 0.95), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn shares_count_strictly_and_leave_out_undefined_values() {
        let differences = [-2.0, -0.5, 0.0, 1.0, f64::NAN];
        // Two of the four defined values are below 0, one above, one tied.
        assert_eq!(share_where(&differences, |d| d < 0.0), 0.5);
        assert_eq!(share_where(&differences, |d| d > 0.0), 0.25);
        assert!(share_where(&[f64::NAN], |d| d > 0.0).is_nan());
    }
}
