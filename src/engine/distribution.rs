//! Probability distributions of durations (days) and other non-negative
//! quantities, checked when they are built, never when first sampled.
//!
//! Each distribution is parameterised the way scenario authors think: a
//! lognormal by the mean and standard deviation of the variable itself (not
//! of its logarithm), a gamma by its mean and sd, an empirical distribution
//! by observed values. Samplers transform a standard variate (exponential,
//! normal, uniform) so that two scenarios that change only a mean draw
//! coupled values from the same stream (common random numbers).

use rand::Rng;
use rand::RngExt;
use rand_distr::{Distribution as _, Exp1, Gamma, StandardNormal};

/// A validated distribution over non-negative reals.
#[derive(Clone, Debug)]
pub enum Distribution {
    /// Always `value`.
    Fixed { value: f64 },
    /// Exponential with the given mean.
    Exponential { mean: f64 },
    /// Lognormal with the given mean and sd of the variable.
    LogNormal {
        mean: f64,
        sd: f64,
        mu: f64,
        sigma: f64,
    },
    /// Gamma with the given mean and sd (shape = (mean/sd)², scale = sd²/mean).
    Gamma {
        mean: f64,
        sd: f64,
        sampler: Gamma<f64>,
    },
    /// Uniform on [min, max].
    Uniform { min: f64, max: f64 },
    /// Resampling of observed values, optionally weighted.
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
    /// With probability `weight[i]`, a draw from component i.
    Mixture {
        cumulative: Vec<f64>,
        components: Vec<Distribution>,
    },
}

/// A distribution that cannot be built, with the parameter at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{parameter} = {value}: {problem}")]
pub struct DistributionError {
    /// The parameter's name as written in a scenario (`mean`, `sd`, `values[2]` ...).
    pub parameter: String,
    /// The offending value as text.
    pub value: String,
    /// What is wrong and how to fix it.
    pub problem: String,
}

fn error(parameter: &str, value: impl ToString, problem: &str) -> DistributionError {
    DistributionError {
        parameter: parameter.to_string(),
        value: value.to_string(),
        problem: problem.to_string(),
    }
}

fn non_negative(parameter: &str, value: f64) -> Result<f64, DistributionError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(error(parameter, value, "must be a finite number ≥ 0"))
    }
}

/// Largest sd / mean accepted for lognormal and gamma. Beyond it the shape
/// is degenerate (nearly every draw is 0 and a rare one overflows).
pub const MAX_COEFFICIENT_OF_VARIATION: f64 = 100.0;

fn spread(mean: f64, sd: f64) -> Result<(), DistributionError> {
    if sd / mean > MAX_COEFFICIENT_OF_VARIATION {
        return Err(error(
            "sd",
            sd,
            &format!(
                "is more than {MAX_COEFFICIENT_OF_VARIATION} times the mean ({mean}); such a distribution is degenerate: give a smaller sd or a mixture"
            ),
        ));
    }
    Ok(())
}

fn positive(parameter: &str, value: f64) -> Result<f64, DistributionError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(error(parameter, value, "must be a finite number > 0"))
    }
}

/// Cumulative sums of weights that must be ≥ 0 and add up to 1 (within 1e-6).
/// `what` names them in the message ("weights", "the components' weights").
fn cumulative_weights(
    parameter: &str,
    what: &str,
    weights: &[f64],
) -> Result<Vec<f64>, DistributionError> {
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for (i, &w) in weights.iter().enumerate() {
        non_negative(&format!("{parameter}[{i}]"), w)?;
        total += w;
        cumulative.push(total);
    }
    if (total - 1.0).abs() > 1e-6 {
        // Rounded so that 0.3 + 0.6 reads 0.9, not 0.8999999999999999.
        let shown = (total * 1e9).round() / 1e9;
        return Err(error(
            parameter,
            format!("{weights:?}"),
            &format!("{what} must add up to 1 (they add up to {shown})"),
        ));
    }
    // Exactly 1 at the end, so a uniform draw always finds a component.
    if let Some(last) = cumulative.last_mut() {
        *last = 1.0;
    }
    Ok(cumulative)
}

/// Index of the first cumulative weight above `u` (u in [0, 1)).
#[inline]
fn pick(cumulative: &[f64], u: f64) -> usize {
    cumulative
        .iter()
        .position(|&c| u < c)
        .unwrap_or(cumulative.len() - 1)
}

impl Distribution {
    pub fn fixed(value: f64) -> Result<Distribution, DistributionError> {
        Ok(Distribution::Fixed {
            value: non_negative("value", value)?,
        })
    }

    pub fn exponential(mean: f64) -> Result<Distribution, DistributionError> {
        Ok(Distribution::Exponential {
            mean: positive("mean", mean)?,
        })
    }

    /// Lognormal from the mean and standard deviation of the variable.
    pub fn lognormal(mean: f64, sd: f64) -> Result<Distribution, DistributionError> {
        positive("mean", mean)?;
        positive("sd", sd)?;
        spread(mean, sd)?;
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        let mu = mean.ln() - sigma2 / 2.0;
        Ok(Distribution::LogNormal {
            mean,
            sd,
            mu,
            sigma: sigma2.sqrt(),
        })
    }

    /// Gamma from its mean and standard deviation.
    pub fn gamma(mean: f64, sd: f64) -> Result<Distribution, DistributionError> {
        positive("mean", mean)?;
        positive("sd", sd)?;
        spread(mean, sd)?;
        let shape = (mean / sd).powi(2);
        let scale = sd * sd / mean;
        let sampler = Gamma::new(shape, scale).map_err(|e| {
            error(
                "sd",
                sd,
                &format!("gives an impossible gamma distribution ({e})"),
            )
        })?;
        Ok(Distribution::Gamma { mean, sd, sampler })
    }

    pub fn uniform(min: f64, max: f64) -> Result<Distribution, DistributionError> {
        non_negative("min", min)?;
        non_negative("max", max)?;
        if max < min {
            return Err(error("max", max, &format!("must be ≥ min ({min})")));
        }
        Ok(Distribution::Uniform { min, max })
    }

    /// Resampling of `values`, equally likely unless `weights` are given.
    pub fn empirical(
        values: Vec<f64>,
        weights: Option<Vec<f64>>,
    ) -> Result<Distribution, DistributionError> {
        if values.is_empty() {
            return Err(error("values", "[]", "needs at least one observed value"));
        }
        for (i, &v) in values.iter().enumerate() {
            non_negative(&format!("values[{i}]"), v)?;
        }
        let weights = match weights {
            Some(w) if w.len() != values.len() => {
                return Err(error(
                    "weights",
                    format!("{} weights", w.len()),
                    &format!("needs one weight per value ({} values)", values.len()),
                ));
            }
            Some(w) => w,
            None => vec![1.0 / values.len() as f64; values.len()],
        };
        let cumulative = cumulative_weights("weights", "weights", &weights)?;
        Ok(Distribution::Empirical { values, cumulative })
    }

    /// A mixture: component i with probability `weights[i]`.
    pub fn mixture(weighted: Vec<(f64, Distribution)>) -> Result<Distribution, DistributionError> {
        if weighted.is_empty() {
            return Err(error("components", "[]", "needs at least one component"));
        }
        let (weights, components): (Vec<f64>, Vec<Distribution>) = weighted.into_iter().unzip();
        let cumulative = cumulative_weights("components", "the components' weights", &weights)?;
        Ok(Distribution::Mixture {
            cumulative,
            components,
        })
    }

    /// The distribution of `factor` × X (a length-of-stay multiplier):
    /// every family scales its parameters, so the shape is kept.
    pub fn scaled(&self, factor: f64) -> Result<Distribution, DistributionError> {
        non_negative("multiplier", factor)?;
        if factor == 0.0 {
            return Distribution::fixed(0.0);
        }
        match self {
            Distribution::Fixed { value } => Distribution::fixed(value * factor),
            Distribution::Exponential { mean } => Distribution::exponential(mean * factor),
            Distribution::LogNormal { mean, sd, .. } => {
                Distribution::lognormal(mean * factor, sd * factor)
            }
            Distribution::Gamma { mean, sd, .. } => Distribution::gamma(mean * factor, sd * factor),
            Distribution::Uniform { min, max } => Distribution::uniform(min * factor, max * factor),
            Distribution::Empirical { values, cumulative } => Distribution::empirical(
                values.iter().map(|v| v * factor).collect(),
                Some(weights_of(cumulative).collect()),
            ),
            Distribution::Mixture {
                cumulative,
                components,
            } => Distribution::mixture(
                weights_of(cumulative)
                    .zip(components)
                    .map(|(w, c)| c.scaled(factor).map(|c| (w, c)))
                    .collect::<Result<_, _>>()?,
            ),
        }
    }

    /// One draw.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Fixed { value } => *value,
            Distribution::Exponential { mean } => {
                let standard: f64 = Exp1.sample(rng);
                standard * mean
            }
            Distribution::LogNormal { mu, sigma, .. } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            Distribution::Gamma { sampler, .. } => sampler.sample(rng),
            Distribution::Uniform { min, max } => min + (max - min) * rng.random::<f64>(),
            Distribution::Empirical { values, cumulative } => {
                values[pick(cumulative, rng.random::<f64>())]
            }
            Distribution::Mixture {
                cumulative,
                components,
            } => components[pick(cumulative, rng.random::<f64>())].sample(rng),
        }
    }

    /// A draw of the time still to run of a stay in progress, for a place
    /// taken at random from a service in equilibrium: the forward
    /// recurrence time, whose mean is E\[X²\] / (2 E\[X\]). Drawn as U × L
    /// with L from the length-biased distribution (density ∝ x f(x)), in
    /// closed form for each family. Used to start a service already full
    /// (a census) without a warm-up as long as its stays.
    pub fn sample_residual<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sample_age_and_residual(rng).1
    }

    /// The time already spent and the time still to run of a stay in
    /// progress in equilibrium: (1 − U) × L and U × L, L length-biased.
    pub fn sample_age_and_residual<R: Rng + ?Sized>(&self, rng: &mut R) -> (f64, f64) {
        let length = self.sample_length_biased(rng);
        let u: f64 = rng.random();
        (length * (1.0 - u), length * u)
    }

    /// A draw of the time still to run of a stay that has already lasted
    /// `elapsed`: X − elapsed given X > elapsed. Exact for every family:
    /// in closed form for the exponential (memoryless), fixed, uniform and
    /// empirical; for the lognormal and gamma by rejection from a tail
    /// proposal, which stays efficient however far in the tail `elapsed`
    /// is. A stay that cannot last `elapsed` (beyond a bounded
    /// distribution's maximum) has nothing left: 0. For a mixture the
    /// component is picked by its weight among those that can last that
    /// long (not re-weighted by how likely each is to), then drawn exactly.
    pub fn sample_residual_given<R: Rng + ?Sized>(&self, elapsed: f64, rng: &mut R) -> f64 {
        let elapsed = elapsed.max(0.0);
        match self {
            Distribution::Exponential { .. } => self.sample(rng),
            Distribution::Fixed { value } => (value - elapsed).max(0.0),
            Distribution::Uniform { min, max } => {
                if elapsed >= *max {
                    0.0
                } else {
                    let from = min.max(elapsed);
                    from + (max - from) * rng.random::<f64>() - elapsed
                }
            }
            Distribution::Empirical { values, cumulative } => {
                let longer: Vec<f64> = weights_of(cumulative)
                    .zip(values)
                    .map(|(w, v)| if *v > elapsed { w } else { 0.0 })
                    .collect();
                match biased_pick(&longer, rng.random::<f64>()) {
                    Some(i) => values[i] - elapsed,
                    None => 0.0,
                }
            }
            Distribution::LogNormal { mu, sigma, .. } => {
                if elapsed <= 0.0 {
                    return self.sample(rng);
                }
                let a = (elapsed.ln() - mu) / sigma;
                let z = standard_normal_above(a, rng);
                ((mu + sigma * z).exp() - elapsed).max(0.0)
            }
            Distribution::Gamma { mean, sd, .. } => {
                let shape = (mean / sd).powi(2);
                let scale = sd * sd / mean;
                gamma_above(shape, scale, elapsed, rng) - elapsed
            }
            Distribution::Mixture {
                cumulative,
                components,
            } => {
                let possible: Vec<f64> = weights_of(cumulative)
                    .zip(components)
                    .map(|(w, c)| if c.can_exceed(elapsed) { w } else { 0.0 })
                    .collect();
                match biased_pick(&possible, rng.random::<f64>()) {
                    Some(i) => components[i].sample_residual_given(elapsed, rng),
                    None => 0.0,
                }
            }
        }
    }

    /// Whether a draw can be longer than `t`.
    fn can_exceed(&self, t: f64) -> bool {
        match self {
            Distribution::Fixed { value } => *value > t,
            Distribution::Uniform { max, .. } => *max > t,
            Distribution::Empirical { values, .. } => values.iter().any(|v| *v > t),
            Distribution::Mixture { components, .. } => components.iter().any(|c| c.can_exceed(t)),
            Distribution::Exponential { .. }
            | Distribution::LogNormal { .. }
            | Distribution::Gamma { .. } => true,
        }
    }

    fn sample_length_biased<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Distribution::Fixed { value } => *value,
            // Length-biased exponential is gamma(2, mean): a sum of two.
            Distribution::Exponential { mean } => {
                let a: f64 = Exp1.sample(rng);
                let b: f64 = Exp1.sample(rng);
                (a + b) * mean
            }
            // Length-biased lognormal(mu, sigma) is lognormal(mu + sigma², sigma).
            Distribution::LogNormal { mu, sigma, .. } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * sigma + sigma * z).exp()
            }
            // Length-biased gamma(k, theta) is gamma(k + 1, theta).
            Distribution::Gamma { mean, sd, .. } => {
                let shape = (mean / sd).powi(2);
                let scale = sd * sd / mean;
                match Gamma::new(shape + 1.0, scale) {
                    Ok(g) => g.sample(rng),
                    Err(_) => *mean,
                }
            }
            // Density ∝ x on [min, max]: inverse of the CDF (x² − min²)/(max² − min²).
            Distribution::Uniform { min, max } => {
                let u: f64 = rng.random();
                (min * min + u * (max * max - min * min)).sqrt()
            }
            Distribution::Empirical { values, cumulative } => {
                let biased: Vec<f64> = weights_of(cumulative)
                    .zip(values)
                    .map(|(w, v)| w * v)
                    .collect();
                match biased_pick(&biased, rng.random::<f64>()) {
                    Some(i) => values[i],
                    None => 0.0,
                }
            }
            Distribution::Mixture {
                cumulative,
                components,
            } => {
                let biased: Vec<f64> = weights_of(cumulative)
                    .zip(components)
                    .map(|(w, c)| w * c.mean())
                    .collect();
                match biased_pick(&biased, rng.random::<f64>()) {
                    Some(i) => components[i].sample_length_biased(rng),
                    None => 0.0,
                }
            }
        }
    }

    /// The exact mean.
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Fixed { value } => *value,
            Distribution::Exponential { mean } => *mean,
            Distribution::LogNormal { mean, .. } | Distribution::Gamma { mean, .. } => *mean,
            Distribution::Uniform { min, max } => (min + max) / 2.0,
            Distribution::Empirical { values, cumulative } => {
                weights_of(cumulative).zip(values).map(|(w, v)| w * v).sum()
            }
            Distribution::Mixture {
                cumulative,
                components,
            } => weights_of(cumulative)
                .zip(components)
                .map(|(w, c)| w * c.mean())
                .sum(),
        }
    }

    /// The exact variance.
    pub fn variance(&self) -> f64 {
        match self {
            Distribution::Fixed { .. } => 0.0,
            Distribution::Exponential { mean } => mean * mean,
            Distribution::LogNormal { sd, .. } | Distribution::Gamma { sd, .. } => sd * sd,
            Distribution::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Distribution::Empirical { .. } | Distribution::Mixture { .. } => {
                // E[X²] - E[X]², with E[X²] of each part.
                let second = self.second_moment();
                second - self.mean().powi(2)
            }
        }
    }

    fn second_moment(&self) -> f64 {
        match self {
            Distribution::Empirical { values, cumulative } => weights_of(cumulative)
                .zip(values)
                .map(|(w, v)| w * v * v)
                .sum(),
            Distribution::Mixture {
                cumulative,
                components,
            } => weights_of(cumulative)
                .zip(components)
                .map(|(w, c)| w * c.second_moment())
                .sum(),
            other => other.variance() + other.mean().powi(2),
        }
    }
}

/// Index drawn with probability proportional to `weights` (u in [0, 1));
/// None when they are all zero.
/// A standard normal draw given it is above `a`: plain rejection below 0.5
/// (acceptance above 30%), else Robert's (1995) exponential proposal,
/// whose acceptance rises towards 1 the further out `a` is.
fn standard_normal_above<R: Rng + ?Sized>(a: f64, rng: &mut R) -> f64 {
    if a < 0.5 {
        loop {
            let z: f64 = StandardNormal.sample(rng);
            if z > a {
                return z;
            }
        }
    }
    let rate = (a + (a * a + 4.0).sqrt()) / 2.0;
    loop {
        let e: f64 = Exp1.sample(rng);
        let z = a + e / rate;
        let u: f64 = rng.random();
        if u <= (-(z - rate).powi(2) / 2.0).exp() {
            return z;
        }
    }
}

/// A gamma(shape, scale) draw given it is above `t`. Below the mode (and
/// for t = 0) plain rejection accepts often; beyond it the proposal is
/// t + an exponential whose rate is the log-density's slope at t, and
/// the acceptance ratio (y/t)^(k−1) e^{−(y−t)(k−1)/t} is at most 1
/// because ln(y/t) ≤ (y − t)/t. For shape < 1 the density falls
/// everywhere: propose t + Exp(scale), accept with (y/t)^(k−1).
fn gamma_above<R: Rng + ?Sized>(shape: f64, scale: f64, t: f64, rng: &mut R) -> f64 {
    let mode = (shape - 1.0).max(0.0) * scale;
    if t <= 0.0 || (shape >= 1.0 && t <= mode + scale) {
        if let Ok(gamma) = Gamma::new(shape, scale) {
            // P(X > mode + scale) is above 10% for shape ≥ 1.
            loop {
                let x: f64 = gamma.sample(rng);
                if x > t {
                    return x;
                }
            }
        }
        return t;
    }
    let rate = if shape >= 1.0 {
        1.0 / scale - (shape - 1.0) / t
    } else {
        1.0 / scale
    };
    loop {
        let e: f64 = Exp1.sample(rng);
        let y = t + e / rate;
        let ratio = if shape >= 1.0 {
            (shape - 1.0) * ((y / t).ln() - (y - t) / t)
        } else {
            (shape - 1.0) * (y / t).ln()
        };
        let u: f64 = rng.random();
        if u.ln() <= ratio {
            return y;
        }
    }
}

fn biased_pick(weights: &[f64], u: f64) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let target = u * total;
    let mut running = 0.0;
    for (i, w) in weights.iter().enumerate() {
        running += w;
        if target < running {
            return Some(i);
        }
    }
    weights.iter().rposition(|w| *w > 0.0)
}

/// Individual weights back from their cumulative sums.
fn weights_of(cumulative: &[f64]) -> impl Iterator<Item = f64> + '_ {
    cumulative.iter().scan(0.0, |previous, &c| {
        let w = c - *previous;
        *previous = c;
        Some(w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::RandomStreams;

    /// Sample mean and variance of n draws checked against the exact values.
    /// Tolerance: 5 standard errors. The se of the mean is sd/sqrt(n); the se
    /// of the sample variance is sqrt((m4 - sigma^4)/n), bounded here by
    /// `variance_se_factor * variance / sqrt(n)` from the distribution's
    /// kurtosis (given per case).
    fn check_moments(d: &Distribution, variance_se_factor: f64) {
        let n = 400_000;
        let mut rng = RandomStreams::new(11, 0).stream("moments");
        let draws: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        assert!(draws.iter().all(|x| x.is_finite() && *x >= 0.0));
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let se_mean = d.variance().sqrt() / (n as f64).sqrt();
        assert!(
            (mean - d.mean()).abs() <= 5.0 * se_mean + 1e-12,
            "{d:?}: mean {mean} vs {}",
            d.mean()
        );
        let se_var = variance_se_factor * d.variance() / (n as f64).sqrt();
        assert!(
            (var - d.variance()).abs() <= 5.0 * se_var + 1e-12,
            "{d:?}: variance {var} vs {}",
            d.variance()
        );
    }

    #[test]
    fn moments_match_the_exact_values() {
        // sqrt(kurtosis - 1) bounds the relative se of the variance:
        // exponential kurtosis 9 -> sqrt(8) ≈ 2.83; uniform 1.8 -> 0.9.
        check_moments(&Distribution::exponential(6.0).unwrap(), 2.9);
        check_moments(&Distribution::uniform(1.0, 4.0).unwrap(), 0.9);
        // Gamma(shape 4): kurtosis 3 + 6/4 = 4.5 -> 1.9.
        check_moments(&Distribution::gamma(8.0, 4.0).unwrap(), 1.9);
        // Lognormal with cv 0.5: kurtosis ≈ 8.2 -> 2.7.
        check_moments(&Distribution::lognormal(6.0, 3.0).unwrap(), 2.7);
        check_moments(
            &Distribution::empirical(vec![1.0, 2.0, 7.0], Some(vec![0.5, 0.3, 0.2])).unwrap(),
            3.0,
        );
        let zero_day_mixture = Distribution::mixture(vec![
            (0.3, Distribution::fixed(0.0).unwrap()),
            (0.7, Distribution::lognormal(8.0, 6.0).unwrap()),
        ])
        .unwrap();
        assert!((zero_day_mixture.mean() - 5.6).abs() < 1e-12);
        check_moments(&zero_day_mixture, 4.0);
        check_moments(&Distribution::fixed(3.0).unwrap(), 0.0);
    }

    /// The residual of a stay in progress has mean E[X²] / (2 E[X]); checked
    /// for every family within 5 standard errors (the residual's sd is
    /// estimated from the draws).
    #[test]
    fn residual_stays_have_the_equilibrium_mean() {
        let cases = [
            Distribution::fixed(3.0).unwrap(),
            Distribution::exponential(6.0).unwrap(),
            Distribution::lognormal(6.0, 9.0).unwrap(),
            Distribution::gamma(8.0, 4.0).unwrap(),
            Distribution::uniform(1.0, 4.0).unwrap(),
            Distribution::empirical(vec![0.0, 2.0, 7.0], Some(vec![0.5, 0.3, 0.2])).unwrap(),
            Distribution::mixture(vec![
                (0.3, Distribution::fixed(0.0).unwrap()),
                (0.7, Distribution::lognormal(8.0, 6.0).unwrap()),
            ])
            .unwrap(),
        ];
        let n = 200_000;
        for d in &cases {
            let mut rng = RandomStreams::new(5, 0).stream("residual");
            let draws: Vec<f64> = (0..n).map(|_| d.sample_residual(&mut rng)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let sd =
                (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
            let exact = d.second_moment() / (2.0 * d.mean());
            assert!(
                (mean - exact).abs() <= 5.0 * sd / (n as f64).sqrt() + 1e-9,
                "{d:?}: residual mean {mean} vs {exact}"
            );
        }
    }

    /// E[X − e | X > e] for a lognormal, against numerical integration of
    /// the survival function: ∫_e^∞ S(x) dx / S(e).
    #[test]
    fn conditional_residuals_have_the_right_mean() {
        let d = Distribution::lognormal(6.0, 9.0).unwrap();
        let e = 10.0;
        let mut rng = RandomStreams::new(3, 0).stream("conditional");
        let tail: Vec<f64> = (0..400_000).map(|_| d.sample(&mut rng)).collect();
        let above: Vec<f64> = tail.iter().filter(|x| **x > e).map(|x| x - e).collect();
        let exact = above.iter().sum::<f64>() / above.len() as f64;
        let n = 100_000;
        let draws: Vec<f64> = (0..n)
            .map(|_| d.sample_residual_given(e, &mut rng))
            .collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        let se = sd * (1.0 / n as f64 + 1.0 / above.len() as f64).sqrt();
        assert!((mean - exact).abs() < 5.0 * se, "{mean} vs {exact}");
        // Exact cases.
        assert_eq!(
            Distribution::fixed(10.0)
                .unwrap()
                .sample_residual_given(3.0, &mut rng),
            7.0
        );
        let u = Distribution::uniform(2.0, 4.0)
            .unwrap()
            .sample_residual_given(3.0, &mut rng);
        assert!((0.0..=1.0).contains(&u));
        assert_eq!(
            Distribution::uniform(2.0, 4.0)
                .unwrap()
                .sample_residual_given(5.0, &mut rng),
            0.0
        );
    }

    /// E[X − t | X > t] by Simpson's rule on an unnormalised density,
    /// from t to t + width (the rest is negligible).
    fn conditional_mean_numerically(density: impl Fn(f64) -> f64, t: f64, width: f64) -> f64 {
        let steps = 200_000;
        let h = width / steps as f64;
        let (mut mass, mut moment) = (0.0, 0.0);
        for i in 0..=steps {
            let x = t + i as f64 * h;
            let w = if i == 0 || i == steps {
                1.0
            } else if i % 2 == 1 {
                4.0
            } else {
                2.0
            };
            let f = density(x);
            mass += w * f;
            moment += w * f * (x - t);
        }
        moment / mass
    }

    #[test]
    fn conditional_residuals_are_exact_far_into_the_tail() {
        let mut rng = RandomStreams::new(4, 0).stream("tail");
        let n = 100_000;
        let mean_of = |d: &Distribution, t: f64, rng: &mut crate::engine::random::Stream| {
            let draws: Vec<f64> = (0..n).map(|_| d.sample_residual_given(t, rng)).collect();
            let mean = draws.iter().sum::<f64>() / n as f64;
            let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
            (mean, sd / (n as f64).sqrt())
        };
        // Lognormal: at the median, and where only ~1 stay in 10^6 lasts.
        let d = Distribution::lognormal(6.0, 9.0).unwrap();
        let Distribution::LogNormal { mu, sigma, .. } = d else {
            unreachable!()
        };
        let density = |x: f64| (-(x.ln() - mu).powi(2) / (2.0 * sigma * sigma)).exp() / x;
        for t in [3.0, 400.0] {
            let exact = conditional_mean_numerically(density, t, 200.0 * t);
            let (mean, se) = mean_of(&d, t, &mut rng);
            assert!(
                (mean - exact).abs() < 5.0 * se,
                "lognormal t={t}: {mean} vs {exact}"
            );
        }
        // Gamma with shape > 1 (below and far beyond the mode) and < 1.
        for (m, sd, t) in [(6.0, 3.0, 2.0), (6.0, 3.0, 40.0), (5.0, 8.0, 30.0)] {
            let d = Distribution::gamma(m, sd).unwrap();
            let (shape, scale) = ((m / sd).powi(2), sd * sd / m);
            let density = |x: f64| x.powf(shape - 1.0) * (-x / scale).exp();
            let exact = conditional_mean_numerically(density, t, 80.0 * scale);
            let (mean, se) = mean_of(&d, t, &mut rng);
            assert!(
                (mean - exact).abs() < 5.0 * se,
                "gamma {m},{sd} t={t}: {mean} vs {exact}"
            );
        }
        // Empirical: only longer values, by weight; beyond the longest, 0.
        let e = Distribution::empirical(vec![1.0, 5.0, 9.0], Some(vec![0.2, 0.2, 0.6])).unwrap();
        let (mean, _) = mean_of(&e, 4.0, &mut rng);
        // Values 5 and 9 with weights 0.2 : 0.6 give residuals 1 and 5: mean 4.
        assert!((mean - 4.0).abs() < 0.05, "{mean}");
        assert_eq!(e.sample_residual_given(9.5, &mut rng), 0.0);
        // A mixture whose bounded part cannot last that long.
        let mix = Distribution::mixture(vec![
            (0.9, Distribution::fixed(2.0).unwrap()),
            (0.1, Distribution::exponential(3.0).unwrap()),
        ])
        .unwrap();
        let (mean, se) = mean_of(&mix, 50.0, &mut rng);
        assert!((mean - 3.0).abs() < 5.0 * se, "{mean}");
    }

    #[test]
    fn scaling_multiplies_mean_and_sd() {
        let cases = [
            Distribution::fixed(3.0).unwrap(),
            Distribution::exponential(6.0).unwrap(),
            Distribution::lognormal(6.0, 9.0).unwrap(),
            Distribution::gamma(8.0, 4.0).unwrap(),
            Distribution::uniform(1.0, 4.0).unwrap(),
            Distribution::empirical(vec![0.0, 2.0, 7.0], Some(vec![0.5, 0.3, 0.2])).unwrap(),
            Distribution::mixture(vec![
                (0.3, Distribution::fixed(0.5).unwrap()),
                (0.7, Distribution::lognormal(8.0, 6.0).unwrap()),
            ])
            .unwrap(),
        ];
        for d in &cases {
            let s = d.scaled(1.5).unwrap();
            assert!(
                (s.mean() - 1.5 * d.mean()).abs() < 1e-9 * d.mean().max(1.0),
                "{d:?}"
            );
            assert!(
                (s.variance() - 2.25 * d.variance()).abs() < 1e-9 * d.variance().max(1.0),
                "{d:?}"
            );
        }
        assert_eq!(cases[1].scaled(0.0).unwrap().mean(), 0.0);
        assert!(cases[1].scaled(-1.0).is_err());
    }

    #[test]
    fn lognormal_is_parameterised_by_the_variable() {
        if let Distribution::LogNormal { mu, sigma, .. } =
            Distribution::lognormal(6.0, 3.0).unwrap()
        {
            // mean = exp(mu + sigma²/2)
            assert!(((mu + sigma * sigma / 2.0).exp() - 6.0).abs() < 1e-12);
        } else {
            unreachable!()
        }
    }

    #[test]
    fn invalid_parameters_name_the_parameter_and_the_fix() {
        let e = Distribution::exponential(-1.0).unwrap_err();
        assert_eq!(e.to_string(), "mean = -1: must be a finite number > 0");
        let e = Distribution::lognormal(5.0, f64::NAN).unwrap_err();
        assert_eq!(e.parameter, "sd");
        let e = Distribution::empirical(vec![1.0, 2.0], Some(vec![0.5, 0.6])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "weights = [0.5, 0.6]: weights must add up to 1 (they add up to 1.1)"
        );
        let e = Distribution::empirical(vec![1.0, -2.0], None).unwrap_err();
        assert_eq!(e.parameter, "values[1]");
        let e = Distribution::lognormal(1.0, 1e200).unwrap_err();
        assert!(
            e.to_string().contains("more than 100 times the mean"),
            "{e}"
        );
        assert!(Distribution::gamma(1.0, 1e3).is_err());
        let e = Distribution::uniform(3.0, 1.0).unwrap_err();
        assert!(e.to_string().contains("must be ≥ min (3)"));
        assert!(Distribution::mixture(vec![]).is_err());
        assert!(Distribution::fixed(f64::INFINITY).is_err());
    }
}
