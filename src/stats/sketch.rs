//! A streaming quantile sketch for non-negative values (lengths of stay,
//! waits) whose memory does not grow with the number of values.
//!
//! Log-linear buckets: each power of two is split into 128 equal buckets, so
//! a reported quantile is within 0.4% (half a bucket) of a value of the
//! sample at that rank. Zero is its own bucket, because zero-day stays and
//! zero waits are common and must not be smeared. Values below 2^-30 days
//! (a millisecond is 2^-26) count as zero.

const SUB_BUCKETS: usize = 128;
const MIN_EXPONENT: i32 = -30;

/// Counts of values in log-linear buckets, plus exact count, sum, min, max.
#[derive(Clone, Debug, Default)]
pub struct QuantileSketch {
    zeros: u64,
    /// `buckets[e]` covers [2^(e+MIN_EXPONENT), 2^(e+MIN_EXPONENT+1)), allocated on first use.
    buckets: Vec<Option<Box<[u64; SUB_BUCKETS]>>>,
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl QuantileSketch {
    pub fn new() -> QuantileSketch {
        QuantileSketch {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            ..Default::default()
        }
    }

    /// Adds a value; negative and non-finite values are ignored.
    #[inline]
    pub fn add(&mut self, value: f64) {
        // Also false for NaN and negative values (including -0.0's sign is
        // harmless: its exponent bits make it a zero below).
        if !(0.0..f64::INFINITY).contains(&value) {
            return;
        }
        self.count += 1;
        self.sum += value;
        // Plain comparisons: the value is known not to be NaN.
        if value < self.min {
            self.min = value;
        }
        if value > self.max {
            self.max = value;
        }
        // The bucket comes straight from the bits of the f64: the unbiased
        // exponent picks the power of two, the top 7 bits of the mantissa
        // the 128th within it (the same as floor((v / 2^e − 1) × 128)).
        // Zero (exponent −1023) and tiny values fall below MIN_EXPONENT.
        let bits = value.to_bits();
        let exponent = ((bits >> 52) & 0x7ff) as i32 - 1023;
        if exponent < MIN_EXPONENT {
            self.zeros += 1;
            return;
        }
        let major = (exponent - MIN_EXPONENT) as usize;
        let sub = ((bits >> (52 - 7)) & (SUB_BUCKETS as u64 - 1)) as usize;
        match self.buckets.get_mut(major) {
            Some(Some(bucket)) => bucket[sub] += 1,
            _ => self.add_to_new_bucket(major, sub),
        }
    }

    /// The first value in a power of two: allocate its buckets.
    #[cold]
    fn add_to_new_bucket(&mut self, major: usize, sub: usize) {
        if self.buckets.len() <= major {
            self.buckets.resize(major + 1, None);
        }
        self.buckets[major].get_or_insert_with(|| Box::new([0; SUB_BUCKETS]))[sub] += 1;
    }

    /// Number of values added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            f64::NAN
        } else {
            self.sum / self.count as f64
        }
    }

    /// Exact sum.
    pub fn sum(&self) -> f64 {
        self.sum
    }

    /// Exact maximum (NaN when empty).
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }

    /// The q-quantile (0 ≤ q ≤ 1) by the nearest-rank rule, to half a bucket;
    /// NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 || !(0.0..=1.0).contains(&q) {
            return f64::NAN;
        }
        let rank = ((q * self.count as f64).ceil() as u64).max(1);
        let mut seen = self.zeros;
        if seen >= rank {
            return 0.0;
        }
        for (major, bucket) in self.buckets.iter().enumerate() {
            let Some(bucket) = bucket else { continue };
            let lower = 2f64.powi(major as i32 + MIN_EXPONENT);
            let width = lower / SUB_BUCKETS as f64;
            for (sub, &n) in bucket.iter().enumerate() {
                seen += n;
                if seen >= rank {
                    let midpoint = lower + width * (sub as f64 + 0.5);
                    return midpoint.clamp(self.min, self.max);
                }
            }
        }
        self.max
    }

    /// Adds every value of another sketch.
    pub fn merge(&mut self, other: &QuantileSketch) {
        self.zeros += other.zeros;
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        if self.buckets.len() < other.buckets.len() {
            self.buckets.resize(other.buckets.len(), None);
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            if let Some(theirs) = theirs {
                let mine = mine.get_or_insert_with(|| Box::new([0; SUB_BUCKETS]));
                for (a, b) in mine.iter_mut().zip(theirs.iter()) {
                    *a += b;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let rank = ((q * sorted.len() as f64).ceil() as usize).max(1);
        sorted[rank - 1]
    }

    #[test]
    fn quantiles_within_half_a_bucket() {
        let values: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 10_007) as f64 / 37.0)
            .collect();
        let mut sketch = QuantileSketch::new();
        values.iter().for_each(|v| sketch.add(*v));
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        for q in [0.01, 0.1, 0.5, 0.9, 0.99, 1.0] {
            let exact = exact_quantile(&sorted, q);
            let approx = sketch.quantile(q);
            assert!(
                (approx - exact).abs() <= exact * 0.004 + 1e-12,
                "q {q}: {approx} vs {exact}"
            );
        }
        assert_eq!(sketch.count(), 10_000);
        assert!((sketch.mean() - values.iter().sum::<f64>() / 1e4).abs() < 1e-9);
    }

    #[test]
    fn zeros_are_exact_and_bad_values_ignored() {
        let mut sketch = QuantileSketch::new();
        for v in [0.0, 0.0, 0.0, 5.0, f64::NAN, -1.0] {
            sketch.add(v);
        }
        assert_eq!(sketch.count(), 4);
        assert_eq!(sketch.quantile(0.5), 0.0);
        assert_eq!(sketch.quantile(0.75), 0.0);
        assert!((sketch.quantile(1.0) - 5.0).abs() < 0.02);
        assert!(QuantileSketch::new().quantile(0.5).is_nan());
    }

    #[test]
    fn merge_equals_adding_everything() {
        let (mut a, mut b, mut all) = (
            QuantileSketch::new(),
            QuantileSketch::new(),
            QuantileSketch::new(),
        );
        for i in 0..1000 {
            let v = i as f64 * 0.37;
            if i % 3 == 0 {
                a.add(v)
            } else {
                b.add(v)
            }
            all.add(v);
        }
        a.merge(&b);
        for q in [0.1, 0.5, 0.9] {
            assert_eq!(a.quantile(q), all.quantile(q));
        }
        assert_eq!(a.count(), all.count());
    }
}
