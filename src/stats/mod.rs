//! Pure estimators: summaries with Student-t confidence intervals (the
//! precision of a mean), percentiles and shares (the spread of outcomes),
//! streaming quantiles, and the analytic queueing formulas the simulator is checked
//! against.
//!
//! Depends on nothing else in iccsim; every function is a function of its
//! arguments.

pub mod distribution;
pub mod mser;
pub mod queueing;
pub mod sketch;
pub mod summary;
pub mod two_way;

pub use distribution::{quantile, share_where};
pub use queueing::{erlang_b, erlang_c, mmc_mean_wait};
pub use sketch::QuantileSketch;
pub use summary::{Summary, student_t_quantile};
