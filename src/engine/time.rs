//! Simulated time: a finite, totally ordered number of days.
//!
//! Time is kept in days as `f64` because every rate and duration in a
//! scenario is given per day. The newtype guarantees the value is finite, so
//! the event order is total (no NaN can enter the queue).

use std::cmp::Ordering;
use std::fmt;

/// A point in simulated time, in days since the start of the run.
///
/// Always finite: the only constructors check it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct SimTime(f64);

/// A time that cannot be represented.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum TimeError {
    #[error("time {0} is not a finite number of days")]
    NotFinite(f64),
}

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0.0);

    /// A time of `days` since the start of the run; fails for NaN or infinity.
    pub fn new(days: f64) -> Result<SimTime, TimeError> {
        if days.is_finite() {
            // + 0.0 turns -0.0 into +0.0: the same instant must compare equal.
            Ok(SimTime(days + 0.0))
        } else {
            Err(TimeError::NotFinite(days))
        }
    }

    /// Days since the start of the run.
    #[inline]
    pub fn days(self) -> f64 {
        self.0
    }

    /// This time plus a duration in days; fails if the result is not finite.
    #[inline]
    pub fn after(self, days: f64) -> Result<SimTime, TimeError> {
        SimTime::new(self.0 + days)
    }
}

impl Eq for SimTime {}

impl PartialOrd for SimTime {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SimTime {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // Both values are finite and never -0.0 (see `new`), so total_cmp
        // agrees with the numeric order.
        self.0.total_cmp(&other.0)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "day {:.4}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_finite_times() {
        assert!(
            SimTime::new(f64::NAN)
                .unwrap_err()
                .to_string()
                .contains("not a finite")
        );
        assert!(SimTime::new(f64::INFINITY).is_err());
        assert!(SimTime::ZERO.after(f64::NEG_INFINITY).is_err());
        assert_eq!(SimTime::new(2.5).unwrap().days(), 2.5);
    }

    #[test]
    fn orders_numerically() {
        let a = SimTime::new(1.0).unwrap();
        let b = SimTime::new(1.5).unwrap();
        assert!(a < b);
        assert_eq!(a.max(b), b);
    }
}
