//! What "no effect" means for an uncertain value: its weight
//! (`no_effect = 0.4`: with that probability the value is exactly its
//! no-effect value), its direction (`better = "lower"|"higher"`, or
//! inferred from a lever's effect) and the probability it gives to "no
//! effect or worse".
//!
//! A distribution with a no-effect weight is a mixture: a point mass at
//! the no-effect value and the written distribution for the rest. One
//! without draws exactly as [`ValueDistribution`] does, from the same
//! stream, so adding the feature moved no existing number.

use std::fmt;

use super::distribution::{ValueDistribution, short};

/// Which way an uncertain value is better for the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

impl Better {
    /// As written in `better = "..."` and in uncertainty.csv.
    pub fn name(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        }
    }

    /// Reads `better = "lower"|"higher"`.
    pub fn from_value(value: &toml::Value) -> Result<Better, String> {
        match value.as_str() {
            Some("lower") => Ok(Better::Lower),
            Some("higher") => Ok(Better::Higher),
            _ => Err(format!(
                "`better` = {value} must be \"lower\" or \"higher\" (which way the value is better for the system)"
            )),
        }
    }

    /// The direction of a lever's number from its effect: lower is better
    /// for rates of crises (also those of proactive care), stays, delays
    /// and care-home discharges; higher
    /// for rapid response, day-unit diversion and capacity. `None` where
    /// the effect does not say (a reinvestment's money, a multiplier of
    /// referrals, which more of is the aim, not the outcome).
    pub fn of_lever(lever: &toml::Table, key: &str) -> Option<Better> {
        let effect = lever.get("effect")?.as_str()?;
        let refers = lever
            .get("demand")
            .and_then(toml::Value::as_array)
            .is_some_and(|kinds| {
                kinds
                    .iter()
                    .any(|k| k.as_str().is_some_and(|k| k.contains("referral")))
            });
        match (effect, key) {
            ("crisis_rate", "multiplier") if !refers => Some(Better::Lower),
            ("proactive_care", "multiplier") => Some(Better::Lower),
            ("length_of_stay" | "discharge_delay" | "care_home_discharge", "multiplier") => {
                Some(Better::Lower)
            }
            ("rapid_response", "multiplier" | "managed_at_home") => Some(Better::Higher),
            ("day_unit_diversion", "multiplier") => Some(Better::Higher),
            ("capacity", "multiplier" | "change" | "wte") => Some(Better::Higher),
            _ => None,
        }
    }
}

/// The no-effect value a lever's number has without being told: 1 for a
/// multiplier, 0 for a change of places.
pub fn lever_no_effect_value(key: &str) -> Option<f64> {
    match key {
        "multiplier" => Some(1.0),
        "change" => Some(0.0),
        _ => None,
    }
}

/// An uncertain value's distribution, with its no-effect weight if any.
#[derive(Clone, PartialEq)]
pub struct UncertainDistribution {
    pub shape: ValueDistribution,
    /// The value at which it has no effect, where known.
    pub no_effect_value: Option<f64>,
    /// Probability of exactly `no_effect_value` (0: the shape alone).
    pub no_effect: f64,
}

impl fmt::Debug for UncertainDistribution {
    /// The shape's own form when there is no weight (it is part of a
    /// network's identity, and records made before must still match).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.no_effect > 0.0, self.no_effect_value) {
            (true, Some(v)) => write!(
                f,
                "{:?} with no effect ({v}) at probability {}",
                self.shape, self.no_effect
            ),
            _ => write!(f, "{:?}", self.shape),
        }
    }
}

impl UncertainDistribution {
    /// Reads an entry: its distribution, `no_effect` and `no_effect_value`
    /// (`default_no_effect_value` where the key implies one). Errors name
    /// the parameter and the fix; the caller names the key.
    pub fn from_table(
        table: &toml::Table,
        key: &str,
        default_no_effect_value: Option<f64>,
    ) -> Result<UncertainDistribution, String> {
        let shape = ValueDistribution::from_table(table)?;
        let number = |name: &str| -> Result<Option<f64>, String> {
            match table.get(name) {
                None => Ok(None),
                Some(toml::Value::Float(v)) if v.is_finite() => Ok(Some(*v)),
                Some(toml::Value::Integer(v)) => Ok(Some(*v as f64)),
                Some(other) => Err(format!("`{name}` = {other} must be a finite number")),
            }
        };
        let no_effect_value = number("no_effect_value")?.or(default_no_effect_value);
        let no_effect = number("no_effect")?.unwrap_or(0.0);
        if !(0.0..1.0).contains(&no_effect) {
            return Err(format!(
                "`no_effect` = {} must be a probability from 0 up to (not including) 1; for a value certain to have no effect, write the number itself",
                short(no_effect)
            ));
        }
        if no_effect > 0.0 && no_effect_value.is_none() {
            return Err(format!(
                "`no_effect` = {} needs the value at which `{key}` has no effect: add `no_effect_value = ...` to the entry (only a lever's `multiplier` (1) and `change` (0) have one without being told)",
                short(no_effect)
            ));
        }
        Ok(UncertainDistribution {
            shape,
            no_effect_value,
            no_effect,
        })
    }

    /// The weight and its value, when the distribution is a mixture.
    fn mass(&self) -> Option<(f64, f64)> {
        match self.no_effect_value {
            Some(v) if self.no_effect > 0.0 => Some((self.no_effect, v)),
            _ => None,
        }
    }

    /// As written: `dist = "triangular" (min 0.9, mode 0.97, max 1), no
    /// effect (1) with probability 0.4`.
    pub fn describe(&self) -> String {
        match self.mass() {
            Some((p, v)) => format!(
                "{}, no effect ({}) with probability {}",
                self.shape.describe(),
                short(v),
                short(p)
            ),
            None => self.shape.describe(),
        }
    }

    /// The point value a distribution written in place of a number stands
    /// for: the shape's central value, or with a weight the average of it
    /// and the no-effect value, weighted by their probabilities.
    pub fn central(&self) -> f64 {
        match self.mass() {
            Some((p, v)) => p * v + (1.0 - p) * self.shape.central(),
            None => self.shape.central(),
        }
    }

    /// The range every draw lies in (the no-effect value included).
    pub fn bounds(&self) -> (f64, f64) {
        let (low, high) = self.shape.bounds();
        match self.mass() {
            Some((_, v)) => (low.min(v), high.max(v)),
            None => (low, high),
        }
    }

    /// One draw: with a weight, a uniform from `rng` decides whether it is
    /// the no-effect value, then the shape draws from the same stream;
    /// without, exactly the shape's draw.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if let Some((p, v)) = self.mass()
            && rand::RngExt::random::<f64>(rng) < p
        {
            return v;
        }
        self.shape.sample(rng)
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        let shape = self.shape.cdf(x);
        match self.mass() {
            Some((p, v)) => (1.0 - p) * shape + if x >= v { p } else { 0.0 },
            None => shape,
        }
    }

    /// The q-quantile (the least x with P(X ≤ x) ≥ q): of the shape where
    /// the mixture's distribution function runs through it, the no-effect
    /// value across its step.
    pub fn quantile(&self, q: f64) -> f64 {
        let q = q.clamp(0.0, 1.0);
        let Some((p, v)) = self.mass() else {
            return self.shape.quantile(q);
        };
        let below = (1.0 - p) * self.shape.cdf(v);
        if q <= below {
            self.shape.quantile(q / (1.0 - p))
        } else if q <= below + p {
            v
        } else {
            self.shape.quantile((q - p) / (1.0 - p))
        }
    }

    /// The probability of the value at its no-effect value or on the
    /// worse side of it; `None` without a direction or a no-effect value.
    pub fn probability_no_effect_or_worse(&self, better: Option<Better>) -> Option<f64> {
        let v = self.no_effect_value?;
        let p = match better? {
            Better::Higher => self.cdf(v),
            // P(X ≥ v) = 1 − P(X < v): the mass at v counts as no effect.
            Better::Lower => {
                let below_shape = match self.shape {
                    ValueDistribution::Fixed { value } => f64::from(u8::from(value < v)),
                    _ => self.shape.cdf(v),
                };
                self.no_effect + (1.0 - self.no_effect) * (1.0 - below_shape)
            }
        };
        Some(p.clamp(0.0, 1.0))
    }

    /// The quantile on the worse side (`worse = true`) or the better side
    /// of the middle: `level` = 0.9 gives the 0.9 quantile when lower is
    /// better and the 0.1 quantile when higher is.
    pub fn quantile_towards(&self, better: Better, level: f64, worse: bool) -> f64 {
        let upper = matches!(
            (better, worse),
            (Better::Lower, true) | (Better::Higher, false)
        );
        self.quantile(if upper { level } else { 1.0 - level })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::random::RandomStreams;

    fn entry(text: &str, default: Option<f64>) -> Result<UncertainDistribution, String> {
        UncertainDistribution::from_table(&toml::from_str(text).unwrap(), "k", default)
    }

    /// Fewer crises are better whichever lever makes them fewer: a
    /// `proactive_care` lever's multiplier is read like a `crisis_rate`
    /// lever's (its P(no effect or worse) is then computed, not blank).
    #[test]
    fn crisis_multipliers_are_better_lower_for_proactive_care_too() {
        let lever = |effect: &str| -> toml::Table {
            toml::from_str(&format!("effect = \"{effect}\"")).unwrap()
        };
        for effect in ["crisis_rate", "proactive_care"] {
            assert_eq!(
                Better::of_lever(&lever(effect), "multiplier"),
                Some(Better::Lower),
                "{effect}"
            );
        }
        assert_eq!(
            Better::of_lever(&lever("reinvestment"), "amount_per_year"),
            None
        );
    }

    /// A triangular(0.9, 0.97, 1.0) with weight 0.4 at 1.0: the quantiles
    /// in closed form on each side of the step, the step itself, and the
    /// probability of no effect or worse (0.4: the shape never exceeds 1).
    #[test]
    fn the_mixture_has_its_closed_form_quantiles_and_weight() {
        let d = entry(
            "dist = \"triangular\"\nmin = 0.9\nmode = 0.97\nmax = 1.0\nno_effect = 0.4",
            Some(1.0),
        )
        .unwrap();
        // Below the step: q = 0.6 F(x), F(x) = (x − 0.9)² / (0.1 × 0.07).
        let q = d.quantile(0.3);
        assert!(
            ((q - 0.9).powi(2) / (0.1 * 0.07) - 0.5).abs() < 1e-12,
            "{q}"
        );
        // The shape reaches 1.0 only at its maximum: the step spans 0.6..1.
        assert_eq!(d.quantile(0.6 + 1e-9), 1.0);
        assert_eq!(d.quantile(0.9), 1.0);
        assert!((d.cdf(0.97) - 0.6 * 0.7).abs() < 1e-12);
        assert!(
            (d.probability_no_effect_or_worse(Some(Better::Lower))
                .unwrap()
                - 0.4)
                .abs()
                < 1e-12
        );
        assert!((d.central() - (0.4 + 0.6 * 0.97)).abs() < 1e-12);
        assert_eq!(d.bounds(), (0.9, 1.0));
        // Draws: the share at exactly 1.0 is the weight, within 5 se.
        let mut rng = RandomStreams::new(7, 0).stream("mixture");
        let n = 100_000;
        let at_one = (0..n).filter(|_| d.sample(&mut rng) == 1.0).count() as f64 / n as f64;
        assert!(
            (at_one - 0.4).abs() < 5.0 * (0.4f64 * 0.6 / n as f64).sqrt(),
            "{at_one}"
        );
    }

    /// Uniform(0.8, 1.1) with weight 0.25 at 1.0: the step is inside the
    /// shape's range, and "no effect or worse" counts the shape above 1.
    #[test]
    fn a_step_inside_the_range_splits_the_quantiles() {
        let d = entry(
            "dist = \"uniform\"\nmin = 0.8\nmax = 1.1\nno_effect = 0.25",
            Some(1.0),
        )
        .unwrap();
        // F just below 1.0: 0.75 × 2/3 = 0.5; the step runs to 0.75.
        assert!((d.quantile(0.25) - (0.8 + 0.3 * (0.25 / 0.75))).abs() < 1e-12);
        assert_eq!(d.quantile(0.6), 1.0);
        assert!((d.quantile(0.9) - (0.8 + 0.3 * (0.65 / 0.75))).abs() < 1e-12);
        let lower = d
            .probability_no_effect_or_worse(Some(Better::Lower))
            .unwrap();
        assert!((lower - (0.25 + 0.75 / 3.0)).abs() < 1e-12, "{lower}");
        let higher = d
            .probability_no_effect_or_worse(Some(Better::Higher))
            .unwrap();
        assert!((higher - 0.75).abs() < 1e-12, "{higher}");
        assert_eq!(d.probability_no_effect_or_worse(None), None);
        // Pessimistic when lower is better: the 0.9 quantile.
        assert_eq!(
            d.quantile_towards(Better::Lower, 0.9, true),
            d.quantile(0.9)
        );
        assert_eq!(
            d.quantile_towards(Better::Higher, 0.9, true),
            d.quantile(0.1)
        );
    }

    /// Without a weight, the draws are the shape's, number for number.
    #[test]
    fn without_a_weight_the_draws_are_the_shapes() {
        let text = "dist = \"triangular\"\nmin = 0.77\nmode = 0.85\nmax = 1.0";
        let d = entry(text, Some(1.0)).unwrap();
        let shape = ValueDistribution::from_table(&toml::from_str(text).unwrap()).unwrap();
        let mut a = RandomStreams::new(3, 1).stream("x");
        let mut b = RandomStreams::new(3, 1).stream("x");
        for _ in 0..1000 {
            assert_eq!(d.sample(&mut a), shape.sample(&mut b));
        }
        assert_eq!(format!("{d:?}"), format!("{shape:?}"));
        // Triangular with max 1: no chance of no effect at all.
        assert_eq!(
            d.probability_no_effect_or_worse(Some(Better::Lower)),
            Some(0.0)
        );
    }

    #[test]
    fn a_weight_without_a_no_effect_value_names_the_key_and_the_fix() {
        let err = entry(
            "dist = \"uniform\"\nmin = 0.5\nmax = 0.7\nno_effect = 0.3",
            None,
        )
        .unwrap_err();
        assert!(
            err.contains("`k`") && err.contains("no_effect_value = ..."),
            "{err}"
        );
        let err = entry(
            "dist = \"uniform\"\nmin = 0.5\nmax = 0.7\nno_effect = 1.5",
            Some(1.0),
        )
        .unwrap_err();
        assert!(err.contains("`no_effect` = 1.5"), "{err}");
    }
}
