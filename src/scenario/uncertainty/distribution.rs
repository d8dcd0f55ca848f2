//! The distributions an uncertain value is drawn from
//! ([`ValueDistribution`]): reading `{ dist = ..., ... }`, drawing within
//! bounds, quantiles and the distribution function.

use rand_distr::{Beta, Distribution as _, Gamma, Normal, Triangular};

use crate::engine::random::RandomStreams;

/// Kinds of value distribution, as written in `dist`.
pub const KINDS: &[&str] = &[
    "fixed",
    "uniform",
    "triangular",
    "normal",
    "lognormal",
    "gamma",
    "beta",
];

/// Keys an entry of `[uncertainty]` may have besides its distribution's
/// parameters (read by the section, not by the distribution).
pub const ENTRY_KEYS: &[&str] = &[
    "dist",
    "source",
    "no_effect",
    "no_effect_value",
    "better",
    "group",
];

/// The distribution of an uncertain value.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueDistribution {
    Fixed {
        value: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    /// Of the variable's mean and sd.
    LogNormal {
        mean: f64,
        sd: f64,
    },
    Gamma {
        mean: f64,
        sd: f64,
    },
    /// On [0, 1], of its mean and sd (for shares and probabilities).
    Beta {
        mean: f64,
        sd: f64,
    },
}

/// Draws used to find a quantile where there is no closed form.
const QUANTILE_DRAWS: usize = 200_001;

/// Most probability an unbounded distribution's draws may have beyond
/// each of its [`ValueDistribution::bounds`].
const TAIL: f64 = 1e-9;

/// Multiples of the mean beyond which a gamma of shape `k` has at most
/// `tail` probability on each side, from the Chernoff bound
/// P(X ≤ a·mean) ≤ (a·e^(1−a))^k for a < 1, and P(X ≥ a·mean) likewise for
/// a > 1: a true bound (not an approximation), and close to the quantile
/// (within 15% for k = 100). Found by bisection.
fn gamma_bounds(k: f64, tail: f64) -> (f64, f64) {
    // Within bound: k (1 − a + ln a) ≤ ln(tail).
    let within = |a: f64| k * (1.0 - a + a.ln()) <= tail.ln();
    let bisect = |mut inside: f64, mut outside: f64| {
        for _ in 0..200 {
            let middle = 0.5 * (inside + outside);
            if middle == inside || middle == outside {
                break;
            }
            if within(middle) {
                inside = middle;
            } else {
                outside = middle;
            }
        }
        inside
    };
    // Below: from 1 down to where the bound holds (0 if it never does in
    // floating point: a tiny shape puts mass right at 0).
    let mut low = 0.5;
    while !within(low) && low > f64::MIN_POSITIVE {
        low *= low;
    }
    let low = if within(low) { bisect(low, 1.0) } else { 0.0 };
    let mut high = 2.0;
    while !within(high) && high.is_finite() {
        high *= 2.0;
    }
    let high = if within(high) {
        bisect(high, 1.0)
    } else {
        f64::INFINITY
    };
    (low, high)
}

impl ValueDistribution {
    /// Reads `{ dist = ..., ... }`; the error names the parameter at fault.
    pub fn from_table(table: &toml::Table) -> Result<ValueDistribution, String> {
        let d = Self::read(table)?;
        // The samplers must exist for these parameters: extreme ones
        // overflow (e.g. sd/mean above 1e150) and would otherwise fall back
        // to the mean without a word.
        let ok = match d {
            ValueDistribution::LogNormal { mean, sd } => {
                let (mu, sigma) = Self::log_parameters(mean, sd);
                mu.is_finite() && sigma.is_finite() && Normal::new(mu, sigma).is_ok()
            }
            ValueDistribution::Gamma { mean, sd } => {
                let (shape, scale) = ((mean / sd).powi(2), sd * sd / mean);
                shape.is_finite()
                    && scale.is_finite()
                    && shape > 0.0
                    && scale > 0.0
                    && Gamma::new(shape, scale).is_ok()
            }
            ValueDistribution::Beta { mean, sd } => {
                let (a, b) = Self::beta_parameters(mean, sd);
                a.is_finite() && b.is_finite() && Beta::new(a, b).is_ok()
            }
            ValueDistribution::Normal { mean, sd } => Normal::new(mean, sd).is_ok(),
            ValueDistribution::Triangular { min, mode, max } => {
                Triangular::new(min, max, mode).is_ok()
            }
            ValueDistribution::Fixed { .. } | ValueDistribution::Uniform { .. } => true,
        };
        if ok {
            Ok(d)
        } else {
            Err(format!(
                "{d:?}: these parameters are too extreme to draw from; give a mean and sd of ordinary size"
            ))
        }
    }

    /// The distribution as written: `dist = "normal" (mean 0, sd 100)`.
    pub fn describe(&self) -> String {
        let (kind, parameters): (&str, Vec<(&str, f64)>) = match *self {
            ValueDistribution::Fixed { value } => ("fixed", vec![("value", value)]),
            ValueDistribution::Uniform { min, max } => {
                ("uniform", vec![("min", min), ("max", max)])
            }
            ValueDistribution::Triangular { min, mode, max } => (
                "triangular",
                vec![("min", min), ("mode", mode), ("max", max)],
            ),
            ValueDistribution::Normal { mean, sd } => ("normal", vec![("mean", mean), ("sd", sd)]),
            ValueDistribution::LogNormal { mean, sd } => {
                ("lognormal", vec![("mean", mean), ("sd", sd)])
            }
            ValueDistribution::Gamma { mean, sd } => ("gamma", vec![("mean", mean), ("sd", sd)]),
            ValueDistribution::Beta { mean, sd } => ("beta", vec![("mean", mean), ("sd", sd)]),
        };
        let parameters: Vec<String> = parameters
            .iter()
            .map(|(name, v)| format!("{name} {}", short(*v)))
            .collect();
        format!("dist = \"{kind}\" ({})", parameters.join(", "))
    }

    /// The value a distribution written in place of a number stands for
    /// when nothing is drawn (its point value): the mode of a triangular,
    /// the middle of a uniform, the mean otherwise.
    pub fn central(&self) -> f64 {
        match *self {
            ValueDistribution::Fixed { value } => value,
            ValueDistribution::Uniform { min, max } => 0.5 * (min + max),
            ValueDistribution::Triangular { mode, .. } => mode,
            ValueDistribution::Normal { mean, .. }
            | ValueDistribution::LogNormal { mean, .. }
            | ValueDistribution::Gamma { mean, .. }
            | ValueDistribution::Beta { mean, .. } => mean,
        }
    }

    fn read(table: &toml::Table) -> Result<ValueDistribution, String> {
        let number = |name: &str| -> Result<f64, String> {
            match table.get(name) {
                Some(toml::Value::Float(v)) if v.is_finite() => Ok(*v),
                Some(toml::Value::Integer(v)) => Ok(*v as f64),
                Some(other) => Err(format!("`{name}` = {other} must be a finite number")),
                None => Err(format!("needs `{name}`")),
            }
        };
        let kind = match table.get("dist") {
            Some(toml::Value::String(kind)) => kind.as_str(),
            _ => {
                return Err(format!(
                    "needs `dist`, one of {}",
                    KINDS
                        .iter()
                        .map(|k| format!("\"{k}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        };
        if !KINDS.contains(&kind) {
            return Err(format!(
                "dist = \"{kind}\" is not a value distribution{}; use one of {}",
                crate::scenario::error::did_you_mean(kind, KINDS.iter().copied()),
                KINDS
                    .iter()
                    .map(|k| format!("\"{k}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let allowed: &[&str] = match kind {
            "fixed" => &["value"],
            "uniform" => &["min", "max"],
            "triangular" => &["min", "mode", "max"],
            _ => &["mean", "sd"],
        };
        for key in table.keys() {
            if !ENTRY_KEYS.contains(&key.as_str()) && !allowed.contains(&key.as_str()) {
                return Err(format!(
                    "unknown key `{key}` for dist = \"{kind}\"; it takes {}",
                    allowed
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let positive_sd = |mean: f64, sd: f64| -> Result<(f64, f64), String> {
            if sd > 0.0 {
                Ok((mean, sd))
            } else {
                Err(format!(
                    "sd = {sd} must be above 0 (use dist = \"fixed\" for a certain value)"
                ))
            }
        };
        match kind {
            "fixed" => Ok(ValueDistribution::Fixed {
                value: number("value")?,
            }),
            "uniform" => {
                let (min, max) = (number("min")?, number("max")?);
                if min >= max {
                    return Err(format!("min = {min} must be below max = {max}"));
                }
                Ok(ValueDistribution::Uniform { min, max })
            }
            "triangular" => {
                let (min, mode, max) = (number("min")?, number("mode")?, number("max")?);
                if !(min <= mode && mode <= max && min < max) {
                    return Err(format!(
                        "needs min ≤ mode ≤ max with min < max (got {min}, {mode}, {max})"
                    ));
                }
                Ok(ValueDistribution::Triangular { min, mode, max })
            }
            "normal" => {
                let (mean, sd) = positive_sd(number("mean")?, number("sd")?)?;
                Ok(ValueDistribution::Normal { mean, sd })
            }
            "lognormal" | "gamma" => {
                let (mean, sd) = positive_sd(number("mean")?, number("sd")?)?;
                if mean <= 0.0 {
                    return Err(format!(
                        "mean = {mean} must be above 0 for dist = \"{kind}\""
                    ));
                }
                Ok(if kind == "gamma" {
                    ValueDistribution::Gamma { mean, sd }
                } else {
                    ValueDistribution::LogNormal { mean, sd }
                })
            }
            "beta" => {
                let (mean, sd) = positive_sd(number("mean")?, number("sd")?)?;
                if !(0.0 < mean && mean < 1.0) || sd * sd >= mean * (1.0 - mean) {
                    return Err(format!(
                        "needs 0 < mean < 1 and sd² < mean × (1 − mean) (got mean {mean}, sd {sd}; at most sd {:.4})",
                        (mean * (1.0 - mean)).max(0.0).sqrt()
                    ));
                }
                Ok(ValueDistribution::Beta { mean, sd })
            }
            // Every kind is matched above (checked against KINDS).
            _ => unreachable!("dist kinds are checked against KINDS"),
        }
    }

    /// Lognormal (mu, sigma) of the log from the variable's mean and sd.
    fn log_parameters(mean: f64, sd: f64) -> (f64, f64) {
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        (mean.ln() - sigma2 / 2.0, sigma2.sqrt())
    }

    /// Beta (alpha, beta) from the mean and sd.
    fn beta_parameters(mean: f64, sd: f64) -> (f64, f64) {
        let common = mean * (1.0 - mean) / (sd * sd) - 1.0;
        (mean * common, (1.0 - mean) * common)
    }

    /// The range every draw lies in: a bounded distribution's support;
    /// for an unbounded one, bounds with at most one chance in a billion
    /// (`TAIL`) beyond each (a normal's mean ± 6.0 sd). Draws beyond are
    /// moved to the bound, so what `validate` checks at both ends is all a
    /// replication can draw.
    pub fn bounds(&self) -> (f64, f64) {
        let z = -crate::stats::summary::normal_quantile(TAIL);
        match *self {
            ValueDistribution::Fixed { value } => (value, value),
            ValueDistribution::Uniform { min, max }
            | ValueDistribution::Triangular { min, max, .. } => (min, max),
            ValueDistribution::Normal { mean, sd } => (mean - z * sd, mean + z * sd),
            ValueDistribution::LogNormal { mean, sd } => {
                let (mu, sigma) = Self::log_parameters(mean, sd);
                ((mu - z * sigma).exp(), (mu + z * sigma).exp())
            }
            ValueDistribution::Gamma { mean, sd } => {
                let (low, high) = gamma_bounds((mean / sd).powi(2), TAIL);
                (low * mean, high * mean)
            }
            ValueDistribution::Beta { mean, sd } => {
                // Beta(a, b) is G₁ / (G₁ + G₂) for gammas of shapes a and b
                // and scale 1: it is below the low bound only if G₁ is below
                // its own or G₂ above its own (half the tail each).
                let (a, b) = Self::beta_parameters(mean, sd);
                let ((a_low, a_high), (b_low, b_high)) =
                    (gamma_bounds(a, TAIL / 2.0), gamma_bounds(b, TAIL / 2.0));
                let (a_low, a_high, b_low, b_high) = (a * a_low, a * a_high, b * b_low, b * b_high);
                let share = |x: f64, y: f64| if x + y > 0.0 { x / (x + y) } else { 0.0 };
                let high = if a_high.is_finite() {
                    share(a_high, b_low)
                } else {
                    1.0
                };
                let low = if b_high.is_finite() {
                    share(a_low, b_high)
                } else {
                    0.0
                };
                (low, high)
            }
        }
    }

    /// One draw, within [`Self::bounds`].
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let (low, high) = self.bounds();
        let draw = self.sample_unbounded(rng);
        if low <= high {
            draw.clamp(low, high)
        } else {
            draw
        }
    }

    /// One draw from the whole distribution.
    fn sample_unbounded<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // The constructors were checked to succeed when the distribution
        // was read; the fallbacks only keep this function total.
        match *self {
            ValueDistribution::Fixed { value } => value,
            ValueDistribution::Uniform { min, max } => {
                min + (max - min) * rand::RngExt::random::<f64>(rng)
            }
            ValueDistribution::Triangular { min, mode, max } => Triangular::new(min, max, mode)
                .map(|d| d.sample(rng))
                .unwrap_or(mode),
            ValueDistribution::Normal { mean, sd } => {
                Normal::new(mean, sd).map(|d| d.sample(rng)).unwrap_or(mean)
            }
            ValueDistribution::LogNormal { mean, sd } => {
                let (mu, sigma) = Self::log_parameters(mean, sd);
                Normal::new(mu, sigma)
                    .map(|d| d.sample(rng).exp())
                    .unwrap_or(mean)
            }
            ValueDistribution::Gamma { mean, sd } => {
                Gamma::new((mean / sd).powi(2), sd * sd / mean)
                    .map(|d| d.sample(rng))
                    .unwrap_or(mean)
            }
            ValueDistribution::Beta { mean, sd } => {
                let (a, b) = Self::beta_parameters(mean, sd);
                Beta::new(a, b).map(|d| d.sample(rng)).unwrap_or(mean)
            }
        }
    }

    /// 200,001 draws from a fixed stream, sorted: the gamma's and the
    /// beta's quantiles and distribution function.
    fn sorted_draws(&self) -> Vec<f64> {
        let mut rng = RandomStreams::new(0, 0).stream("uncertainty-quantiles");
        let mut draws: Vec<f64> = (0..QUANTILE_DRAWS)
            .map(|_| self.sample_unbounded(&mut rng))
            .collect();
        draws.sort_by(f64::total_cmp);
        draws
    }

    /// P(X ≤ x) of the draws (the far tails moved to the bounds): exact
    /// for fixed, uniform, triangular, normal and lognormal (the normal's
    /// function to about 1e-7); for gamma and beta, the share of the
    /// 200,001 draws [`Self::quantile`] uses.
    pub fn cdf(&self, x: f64) -> f64 {
        let (low, high) = self.bounds();
        if x >= high {
            return 1.0;
        }
        if x < low {
            return 0.0;
        }
        let p = match *self {
            ValueDistribution::Fixed { value } => f64::from(u8::from(x >= value)),
            ValueDistribution::Uniform { min, max } => (x - min) / (max - min),
            ValueDistribution::Triangular { min, mode, max } => {
                if x <= min {
                    0.0
                } else if x < mode {
                    (x - min).powi(2) / ((max - min) * (mode - min))
                } else if x < max {
                    1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
                } else {
                    1.0
                }
            }
            ValueDistribution::Normal { mean, sd } => normal_cdf((x - mean) / sd),
            ValueDistribution::LogNormal { mean, sd } => {
                let (mu, sigma) = Self::log_parameters(mean, sd);
                if x <= 0.0 {
                    0.0
                } else {
                    normal_cdf((x.ln() - mu) / sigma)
                }
            }
            ValueDistribution::Gamma { .. } | ValueDistribution::Beta { .. } => {
                let draws = self.sorted_draws();
                draws.partition_point(|d| *d <= x) as f64 / QUANTILE_DRAWS as f64
            }
        };
        p.clamp(0.0, 1.0)
    }

    /// The p-quantile: exact for fixed, uniform, triangular, normal and
    /// lognormal; for gamma and beta, the quantile of 200,001 draws from a
    /// fixed stream (relative error well under 1% in the body).
    pub fn quantile(&self, p: f64) -> f64 {
        let p = p.clamp(0.0, 1.0);
        let (low, high) = self.bounds();
        let q = match *self {
            ValueDistribution::Fixed { value } => value,
            ValueDistribution::Uniform { min, max } => min + p * (max - min),
            ValueDistribution::Triangular { min, mode, max } => {
                let at_mode = (mode - min) / (max - min);
                if p < at_mode {
                    min + (p * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - p) * (max - min) * (max - mode)).sqrt()
                }
            }
            ValueDistribution::Normal { mean, sd } => {
                mean + sd * crate::stats::summary::normal_quantile(p)
            }
            ValueDistribution::LogNormal { mean, sd } => {
                let (mu, sigma) = Self::log_parameters(mean, sd);
                (mu + sigma * crate::stats::summary::normal_quantile(p)).exp()
            }
            ValueDistribution::Gamma { .. } | ValueDistribution::Beta { .. } => {
                let draws = self.sorted_draws();
                draws[((QUANTILE_DRAWS - 1) as f64 * p).round() as usize]
            }
        };
        // Draws are kept within the bounds, so quantiles are too.
        if low <= high { q.clamp(low, high) } else { q }
    }
}

/// The standard normal distribution function, Φ(z), from the
/// complementary error function (Numerical Recipes' Chebyshev fit,
/// relative error under 1.2e-7).
pub(crate) fn normal_cdf(z: f64) -> f64 {
    let x = -z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let tail = t
        * (-x * x - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    let erfc = if x >= 0.0 { tail } else { 2.0 - tail };
    0.5 * erfc
}

/// A number for a message: six significant digits at most.
pub(crate) fn short(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    if !(1e-6..1e9).contains(&value.abs()) {
        return format!("{value:.5e}");
    }
    let digits = (5 - value.abs().log10().floor() as i32).clamp(0, 17) as usize;
    let text = format!("{value:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distribution(text: &str) -> Result<ValueDistribution, String> {
        ValueDistribution::from_table(&toml::from_str(text).unwrap())
    }

    /// Sample mean and variance match the exact moments within 5 standard
    /// errors (the variance's se from the fourth moment, bounded here by
    /// a generous factor).
    #[test]
    fn draws_have_the_exact_moments() {
        let cases = [
            ("dist = \"uniform\"\nmin = 2\nmax = 6", 4.0, 16.0 / 12.0),
            (
                "dist = \"triangular\"\nmin = 0.0\nmode = 0.02\nmax = 0.05",
                0.07 / 3.0,
                (0.0025 + 0.0004 - 0.001) / 18.0,
            ),
            ("dist = \"normal\"\nmean = 10\nsd = 2", 10.0, 4.0),
            ("dist = \"lognormal\"\nmean = 5\nsd = 3", 5.0, 9.0),
            ("dist = \"gamma\"\nmean = 5\nsd = 3", 5.0, 9.0),
            ("dist = \"beta\"\nmean = 0.3\nsd = 0.1", 0.3, 0.01),
        ];
        let n = 200_000;
        for (text, mean, variance) in cases {
            let d = distribution(text).unwrap();
            let mut rng = RandomStreams::new(1, 0).stream(text);
            let draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
            let m = draws.iter().sum::<f64>() / n as f64;
            let v = draws.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
            let se_mean = (variance / n as f64).sqrt();
            assert!(
                (m - mean).abs() < 5.0 * se_mean,
                "{text}: mean {m} vs {mean}"
            );
            // se of s² ≈ σ² √(2/n) for light tails; allow 4× for the skewed ones.
            let se_var = variance * (2.0 / n as f64).sqrt() * 4.0;
            assert!(
                (v - variance).abs() < 5.0 * se_var,
                "{text}: variance {v} vs {variance}"
            );
        }
    }

    #[test]
    fn quantiles_match_the_cdf() {
        // Triangular(0, 0.02, 0.05): F(x) = x² / (0.05 × 0.02) up to the mode.
        let t = distribution("dist = \"triangular\"\nmin = 0.0\nmode = 0.02\nmax = 0.05").unwrap();
        let q = t.quantile(0.2);
        assert!((q * q / (0.05 * 0.02) - 0.2).abs() < 1e-12);
        let q = t.quantile(0.9);
        // 1 − F(x) = (0.05 − x)² / (0.05 × 0.03) above the mode.
        assert!(((0.05 - q).powi(2) / (0.05 * 0.03) - 0.1).abs() < 1e-12);
        let normal = distribution("dist = \"normal\"\nmean = 10\nsd = 2").unwrap();
        assert!((normal.quantile(0.975) - (10.0 + 2.0 * 1.959_963_984_540_054)).abs() < 1e-6);
        // Gamma(shape 1) is exponential: its median is mean × ln 2.
        let gamma = distribution("dist = \"gamma\"\nmean = 4\nsd = 4").unwrap();
        assert!((gamma.quantile(0.5) / (4.0 * 2f64.ln()) - 1.0).abs() < 0.01);
        // Beta(1, 1) (mean 1/2, sd √(1/12)) is uniform.
        let beta = distribution(&format!(
            "dist = \"beta\"\nmean = 0.5\nsd = {}",
            (1.0f64 / 12.0).sqrt() * 0.999_999
        ))
        .unwrap();
        assert!((beta.quantile(0.05) - 0.05).abs() < 0.005);
    }

    /// Draws stay within the bounds, which leave at most one chance in a
    /// billion in each tail: exact for the normal (±5.998 sd); for the
    /// gamma a true bound near the quantile (the exponential's upper
    /// 1e-9 quantile is ln(1e9) = 20.7 means).
    #[test]
    fn draws_stay_within_bounds_that_cut_only_the_far_tails() {
        let normal = distribution("dist = \"normal\"\nmean = 10\nsd = 2").unwrap();
        let (low, high) = normal.bounds();
        assert!(
            (low - (10.0 - 2.0 * 5.997_807)).abs() < 1e-4
                && (high - (10.0 + 2.0 * 5.997_807)).abs() < 1e-4
        );
        let exponential = distribution("dist = \"gamma\"\nmean = 4\nsd = 4").unwrap();
        let (low, high) = exponential.bounds();
        assert!(low > 0.0 && low < 4.0 * 1e-9, "{low}");
        assert!(high > 4.0 * 20.72 && high < 4.0 * 26.0, "{high}");
        let narrow = distribution("dist = \"gamma\"\nmean = 20\nsd = 2").unwrap();
        let (low, high) = narrow.bounds();
        // Its 1e-9 quantiles are about 10.0 and 34.4 (Wilson–Hilferty).
        assert!(
            (9.5..10.05).contains(&low) && (34.4..36.0).contains(&high),
            "{low} {high}"
        );
        let beta = distribution("dist = \"beta\"\nmean = 0.3\nsd = 0.1").unwrap();
        let (low, high) = beta.bounds();
        assert!(
            0.0 < low && low < 0.05 && 0.7 < high && high < 1.0,
            "{low} {high}"
        );
        let tiny_shape = distribution("dist = \"gamma\"\nmean = 1\nsd = 1000").unwrap();
        let (low, high) = tiny_shape.bounds();
        assert!(low >= 0.0 && high.is_finite() && high > 1e6, "{low} {high}");
        // A far draw is moved to the bound.
        let wide = distribution("dist = \"normal\"\nmean = 0\nsd = 1").unwrap();
        let (low, high) = wide.bounds();
        let mut rng = RandomStreams::new(3, 0).stream("bounds");
        for _ in 0..100_000 {
            let d = wide.sample(&mut rng);
            assert!((low..=high).contains(&d));
        }
        assert_eq!(wide.quantile(0.0), low);
        assert_eq!(wide.quantile(1.0), high);
    }

    #[test]
    fn bad_distributions_name_the_parameter_and_the_fix() {
        for (text, message) in [
            (
                "dist = \"triangle\"\nmin = 0\nmode = 1\nmax = 2",
                "did you mean `triangular`?",
            ),
            (
                "dist = \"triangular\"\nmin = 0\nmode = 3\nmax = 2",
                "min ≤ mode ≤ max",
            ),
            (
                "dist = \"normal\"\nmean = 1\nsd = 0",
                "sd = 0 must be above 0",
            ),
            (
                "dist = \"beta\"\nmean = 0.5\nsd = 0.6",
                "sd² < mean × (1 − mean)",
            ),
            (
                "dist = \"uniform\"\nmin = 1\nmax = 2\nmode = 1",
                "unknown key `mode`",
            ),
            ("min = 1", "needs `dist`"),
        ] {
            let err = distribution(text).unwrap_err();
            assert!(err.contains(message), "{text}: {err}");
        }
    }
}
