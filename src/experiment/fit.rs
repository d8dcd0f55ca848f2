//! Calibration by optimisation: the search behind `iccsim calibrate
//! --fit`. It owns the optimiser and its stopping rule, and knows nothing
//! of scenarios or targets: the caller evaluates a point (free values in
//! their own units) and says how far it is from the observations
//! ([`objective_term`] for each fitted target, added up) and whether every
//! fitted target is inside its band.
//!
//! The optimiser is argmin's Nelder-Mead, derivative-free (a simulated
//! output has no gradient, and with common random numbers it is a step
//! function of the rates). It works on the free values scaled to [0, 1] by
//! their bounds, so that one step means as much for a rate per 1,000 as
//! for a probability; a point outside is reflected back in at the bound
//! (the simplex keeps its shape, and no evaluation is wasted outside the
//! bounds). Values written as whole numbers are rounded. Points already
//! evaluated (the same values after reflection and rounding) are not
//! simulated again.
//!
//! Stopping: when every fitted target is inside its band and the best
//! objective has improved by less than `IMPROVEMENT_ABSOLUTE +
//! IMPROVEMENT_RELATIVE × best` over the last 2 × (free values + 1)
//! evaluations (two simplex-fulls: Nelder-Mead's usual patience); at the
//! most evaluations allowed; or when the simplex has shrunk onto points
//! already evaluated (nothing left to learn).

use std::cell::RefCell;

use argmin::core::{CostFunction, Error, IterState, Problem, Solver, State as _};
use argmin::solver::neldermead::NelderMead;

/// Size of the first simplex's steps from the start, in scaled units (a
/// quarter of each value's range).
const FIRST_STEP: f64 = 0.25;
/// "Stops improving": less than this, plus [`IMPROVEMENT_RELATIVE`] of the
/// best objective, over the last two simplex-fulls of evaluations. An
/// objective of 0.01 is one target a tenth of its half-band from the
/// observed value: of the order of the Monte Carlo error of a target's
/// mean over a few replications, so gains below it are mostly chance. (On
/// the north Cumbria baseline, 0.001 + 1% took the search from 28
/// evaluations to the most allowed, 45, for 0.02 of objective.)
const IMPROVEMENT_ABSOLUTE: f64 = 0.01;
const IMPROVEMENT_RELATIVE: f64 = 0.05;

/// A free value's range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    /// Fitted in whole numbers.
    pub whole: bool,
}

impl Range {
    /// The value at scaled position `x`, reflected into [0, 1] first,
    /// and rounded to a ten-thousandth of the range (to the power of ten
    /// below it): a fitted 583.25, not 583.2471928374, which a scenario
    /// file can hold exactly, so that it reproduces the fit.
    fn value(&self, x: f64) -> f64 {
        let y = x.rem_euclid(2.0);
        let y = if y > 1.0 { 2.0 - y } else { y };
        let v = self.min + y * (self.max - self.min);
        if self.whole {
            return v.round().clamp(self.min.ceil(), self.max.floor());
        }
        let decimals = (-((self.max - self.min) * 1e-4).log10().floor()).clamp(0.0, 15.0) as usize;
        let rounded: f64 = format!("{v:.decimals$}").parse().unwrap_or(v);
        rounded.clamp(self.min, self.max)
    }

    fn scaled(&self, value: f64) -> f64 {
        (value - self.min) / (self.max - self.min)
    }
}

/// What the caller found at a point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluated {
    /// The objective: smaller is better, 0 at the observations.
    pub objective: f64,
    /// Every fitted target is inside its band.
    pub fitted_inside: bool,
}

/// One evaluation of the search, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    /// The free values, in their own units.
    pub values: Vec<f64>,
    /// None where the values made an invalid scenario (the caller said
    /// why); such a point counts as infinitely bad.
    pub evaluated: Option<Evaluated>,
}

impl Trial {
    fn objective(&self) -> f64 {
        self.evaluated.map_or(f64::INFINITY, |e| e.objective)
    }
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every fitted target inside its band, and the objective stopped
    /// improving.
    Converged,
    /// The most evaluations allowed were run.
    MaxEvaluations,
    /// The simplex shrank onto points already evaluated.
    Stalled,
}

impl Stop {
    /// In words, for the table and run.json.
    pub fn words(self) -> &'static str {
        match self {
            Stop::Converged => {
                "every fitted target inside its band and the objective no longer improving"
            }
            Stop::MaxEvaluations => "the most evaluations allowed were run",
            Stop::Stalled => "the simplex shrank onto points already evaluated",
        }
    }

    /// A name for files.
    pub fn name(self) -> &'static str {
        match self {
            Stop::Converged => "converged",
            Stop::MaxEvaluations => "max_evaluations",
            Stop::Stalled => "stalled",
        }
    }
}

/// The search, done.
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// Every evaluation, the start first.
    pub trials: Vec<Trial>,
    /// The index of the best trial (the smallest objective; the earliest
    /// of equals).
    pub best: usize,
    pub stop: Stop,
}

/// One fitted target's share of the objective: its distance from the
/// observed value in half-bands, squared, the half-band taken on the side
/// the simulated value lies (`high − observed` above, `observed − low`
/// below). A term is below 1 exactly when the value is inside the band,
/// for a band that is not symmetric as well; for a symmetric band it is
/// ((simulated − observed) / half the band's width)². A side of no width
/// uses half the whole band.
pub fn objective_term(simulated: f64, observed: f64, low: f64, high: f64) -> f64 {
    let side = if simulated >= observed {
        high - observed
    } else {
        observed - low
    };
    let scale = if side > 0.0 { side } else { (high - low) / 2.0 };
    ((simulated - observed) / scale).powi(2)
}

/// What the optimiser calls: each point through the caller's evaluation,
/// within the budget, remembered.
struct Objective<'a, E, F> {
    ranges: &'a [Range],
    /// The start, scaled and as given: evaluated as given (not rounded),
    /// so that the first trial is the scenario itself.
    start: (Vec<f64>, Vec<f64>),
    max_evaluations: usize,
    state: RefCell<Progress<E, F>>,
}

struct Progress<E, F> {
    evaluate: F,
    trials: Vec<Trial>,
    /// The evaluation failed (a simulation error): the search stops.
    failure: Option<E>,
    /// A point was asked for beyond the budget.
    exhausted: bool,
}

impl<E, F> CostFunction for Objective<'_, E, F>
where
    F: FnMut(&[f64]) -> Result<Option<Evaluated>, E>,
{
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, x: &Self::Param) -> Result<f64, Error> {
        let values: Vec<f64> = if *x == self.start.0 {
            self.start.1.clone()
        } else {
            self.ranges
                .iter()
                .zip(x)
                .map(|(range, &x)| range.value(x))
                .collect()
        };
        let mut state = self.state.borrow_mut();
        if let Some(seen) = state.trials.iter().find(|t| t.values == values) {
            return Ok(seen.objective());
        }
        // Never an error for argmin: its Nelder-Mead unwraps the first
        // simplex's costs. A failure or the spent budget is remembered and
        // stops the search after this step.
        if state.failure.is_some() || state.trials.len() >= self.max_evaluations {
            state.exhausted = true;
            return Ok(f64::INFINITY);
        }
        match (state.evaluate)(&values) {
            Ok(evaluated) => {
                let trial = Trial { values, evaluated };
                let objective = trial.objective();
                state.trials.push(trial);
                Ok(objective)
            }
            Err(e) => {
                state.failure = Some(e);
                Ok(f64::INFINITY)
            }
        }
    }
}

/// Minimises the caller's objective over the free values, from `start`
/// (inside `ranges`), in at most `max_evaluations` evaluations (at least
/// the free values + 2). `evaluate` gives `Ok(None)` for values that make
/// an invalid scenario, and `Err` to stop the search with that error.
pub fn search<E, F>(
    ranges: &[Range],
    start: &[f64],
    max_evaluations: u32,
    evaluate: F,
) -> Result<Search, E>
where
    F: FnMut(&[f64]) -> Result<Option<Evaluated>, E>,
{
    let n = ranges.len();
    let max_evaluations = (max_evaluations as usize).max(n + 2);
    // The first simplex: the start and one step along each value, inward
    // from a bound.
    let start_scaled: Vec<f64> = ranges
        .iter()
        .zip(start)
        .map(|(r, &v)| r.scaled(v))
        .collect();
    let mut simplex = vec![start_scaled.clone()];
    for i in 0..n {
        let mut vertex = start_scaled.clone();
        vertex[i] += if vertex[i] + FIRST_STEP <= 1.0 {
            FIRST_STEP
        } else {
            -FIRST_STEP
        };
        simplex.push(vertex);
    }
    let mut problem = Problem::new(Objective {
        ranges,
        start: (start_scaled.clone(), start.to_vec()),
        max_evaluations,
        state: RefCell::new(Progress {
            evaluate,
            trials: Vec::new(),
            failure: None,
            exhausted: false,
        }),
    });
    let mut solver: NelderMead<Vec<f64>, f64> = NelderMead::new(simplex);
    // The optimiser's own errors cannot happen here (its costs never fail,
    // its settings are its defaults): a step that errs ends the search.
    let mut state = IterState::new();
    let mut stop = None;
    if let Ok((next, _)) = solver.init(&mut problem, state.clone()) {
        state = next;
    } else {
        stop = Some(Stop::Stalled);
    }
    let window = 2 * (n + 1);
    let mut steps_without_news = 0;
    let mut seen = 0;
    // A bound on steps whatever happens (each step evaluates a point or is
    // counted as without news).
    for _ in 0..(100 * max_evaluations) {
        if stop.is_some() {
            break;
        }
        {
            let objective = problem.problem.as_ref().map(|p| p.state.borrow());
            let Some(objective) = objective else { break };
            if objective.failure.is_some() {
                break;
            }
            let trials = &objective.trials;
            if objective.exhausted || trials.len() >= max_evaluations {
                stop = Some(Stop::MaxEvaluations);
                break;
            }
            if trials.len() == seen {
                steps_without_news += 1;
                if steps_without_news >= window {
                    stop = Some(Stop::Stalled);
                    break;
                }
            } else {
                steps_without_news = 0;
                seen = trials.len();
            }
            if converged(trials, window) {
                stop = Some(Stop::Converged);
                break;
            }
        }
        match solver.next_iter(&mut problem, state.clone()) {
            Ok((next, _)) => state = next,
            Err(_) => stop = Some(Stop::Stalled),
        }
    }
    let objective = problem
        .take_problem()
        .map(|p| p.state.into_inner())
        .expect("the problem is kept until here");
    if let Some(failure) = objective.failure {
        return Err(failure);
    }
    let trials = objective.trials;
    let best = best_trial(&trials);
    Ok(Search {
        trials,
        best,
        stop: stop.unwrap_or(Stop::Stalled),
    })
}

/// The first trial of the smallest objective.
fn best_trial(trials: &[Trial]) -> usize {
    let mut best = 0;
    for (i, t) in trials.iter().enumerate() {
        if t.objective() < trials[best].objective() {
            best = i;
        }
    }
    best
}

/// The best trial has every fitted target inside, and the best objective
/// fell by less than the tolerance over the last `window` evaluations.
fn converged(trials: &[Trial], window: usize) -> bool {
    if trials.len() < window + 1 {
        return false;
    }
    let best_of = |t: &[Trial]| t.iter().map(Trial::objective).fold(f64::INFINITY, f64::min);
    let best_now = &trials[best_trial(trials)];
    let inside = best_now.evaluated.is_some_and(|e| e.fitted_inside);
    let now = best_now.objective();
    let before = best_of(&trials[..trials.len() - window]);
    inside && before - now < IMPROVEMENT_ABSOLUTE + IMPROVEMENT_RELATIVE * now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_objective_is_one_at_either_edge_of_the_band() {
        // Asymmetric band 0.13 .. 0.21 .. 0.25.
        assert!((objective_term(0.25, 0.21, 0.13, 0.25) - 1.0).abs() < 1e-12);
        assert!((objective_term(0.13, 0.21, 0.13, 0.25) - 1.0).abs() < 1e-12);
        assert_eq!(objective_term(0.21, 0.21, 0.13, 0.25), 0.0);
        // Symmetric: ((sim − obs) / half-width)².
        assert!((objective_term(110.0, 100.0, 90.0, 110.0) - 1.0).abs() < 1e-12);
        assert!((objective_term(95.0, 100.0, 90.0, 110.0) - 0.25).abs() < 1e-12);
        // A side of no width uses half the band.
        assert!((objective_term(1.05, 1.0, 0.8, 1.0) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn reflection_keeps_values_inside_their_bounds() {
        let r = Range {
            min: 10.0,
            max: 20.0,
            whole: false,
        };
        assert_eq!(r.value(0.5), 15.0);
        assert_eq!(r.value(1.2), 18.0);
        assert_eq!(r.value(-0.3), 13.0);
        assert_eq!(r.value(7.3), 17.0);
        // Rounded to a ten-thousandth of the range, below: 0.001 here.
        assert_eq!(r.value(0.123456789), 11.235);
        let p = Range {
            min: 0.25,
            max: 0.5,
            whole: false,
        };
        assert_eq!(p.value(0.3333333), 0.33333);
        let whole = Range {
            min: 0.5,
            max: 9.5,
            whole: true,
        };
        assert_eq!(whole.value(0.0), 1.0);
        assert_eq!(whole.value(1.0), 9.0);
        assert_eq!(whole.value(0.5), 5.0);
    }

    /// A smooth bowl with its minimum at (3, 0.2): found within a small
    /// fraction of the ranges, and the search stops on convergence.
    #[test]
    fn nelder_mead_finds_a_known_minimum() {
        let ranges = [
            Range {
                min: 0.0,
                max: 10.0,
                whole: false,
            },
            Range {
                min: 0.0,
                max: 1.0,
                whole: false,
            },
        ];
        let found = search(&ranges, &[8.0, 0.9], 200, |v: &[f64]| {
            let objective = ((v[0] - 3.0) / 0.5).powi(2) + ((v[1] - 0.2) / 0.05).powi(2);
            Ok::<_, ()>(Some(Evaluated {
                objective,
                fitted_inside: ((v[0] - 3.0) / 0.5).abs() < 1.0
                    && ((v[1] - 0.2) / 0.05).abs() < 1.0,
            }))
        })
        .unwrap();
        let best = &found.trials[found.best];
        assert_eq!(found.stop, Stop::Converged, "{} trials", found.trials.len());
        assert!((best.values[0] - 3.0).abs() < 0.05, "{:?}", best.values);
        assert!((best.values[1] - 0.2).abs() < 0.005, "{:?}", best.values);
        assert!(found.trials.len() < 200);
        assert_eq!(found.trials[0].values, vec![8.0, 0.9]);
    }

    /// The minimum outside the bounds: the search ends at the bound, and
    /// never evaluates outside; the budget is kept exactly.
    #[test]
    fn a_minimum_beyond_a_bound_is_met_at_the_bound_within_the_budget() {
        let ranges = [Range {
            min: 0.0,
            max: 1.0,
            whole: false,
        }];
        let found = search(&ranges, &[0.5], 12, |v: &[f64]| {
            assert!((0.0..=1.0).contains(&v[0]));
            Ok::<_, ()>(Some(Evaluated {
                objective: (v[0] - 2.0).powi(2),
                fitted_inside: false,
            }))
        })
        .unwrap();
        assert!(found.trials.len() <= 12);
        assert_ne!(found.stop, Stop::Converged);
        assert!(
            found.trials[found.best].values[0] > 0.95,
            "{:?}",
            found.trials[found.best]
        );
    }

    #[test]
    fn an_evaluation_error_ends_the_search_with_it() {
        let ranges = [Range {
            min: 0.0,
            max: 1.0,
            whole: false,
        }];
        let mut calls = 0;
        let result = search(&ranges, &[0.5], 50, |_v: &[f64]| {
            calls += 1;
            if calls == 4 {
                Err("simulation failed")
            } else {
                Ok(Some(Evaluated {
                    objective: calls as f64,
                    fitted_inside: false,
                }))
            }
        });
        assert_eq!(result.unwrap_err(), "simulation failed");
    }
}
