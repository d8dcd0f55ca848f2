//! The discrete-event kernel: simulated time, the event queue, named random
//! streams, the calendar and the probability distributions.
//!
//! It knows nothing of hospitals. Everything here could be its own crate:
//! nothing in `engine` depends on any other module of iccsim.

pub mod calendar;
pub mod distribution;
pub mod queue;
pub mod random;
pub mod time;

pub use calendar::{CalendarDate, Weekday};
pub use distribution::{Distribution, DistributionError};
pub use queue::{EventQueue, Priority, ScheduleError};
pub use random::{RandomStreams, Stream, StreamKey};
pub use time::{SimTime, TimeError};
