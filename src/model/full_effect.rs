//! When a whole-system scenario's levers reach full effect, as `run.json`
//! states it: the date the last lever reaches full effect, and the first
//! whole year of the window that starts on or after it (the year whose
//! outcomes show the change at full strength, not averaged with the years
//! before it).
//!
//! Reads the network's [`SystemLayout`](super::system::SystemLayout),
//! whose `full_effect_from` the levers set.

use super::network::Network;
use crate::engine::CalendarDate;

/// The full effect of a scenario's levers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FullEffect {
    /// The date the last lever reaches full effect (None without levers,
    /// and for a network written by hand).
    pub from: Option<CalendarDate>,
    /// The 1-based index of the first whole year of the window (years
    /// run from anniversaries of the start date) that starts on or after
    /// `from`; None when no whole year of the window does.
    pub first_full_year: Option<usize>,
}

impl FullEffect {
    pub fn of(network: &Network) -> FullEffect {
        let from = network.layout.as_ref().and_then(|l| l.full_effect_from);
        let run = &network.run;
        let start = run.start_date;
        let day = |date: CalendarDate| (date.day_number() - start.day_number()) as f64;
        let first_full_year = from.and_then(|from| {
            (0..run.window_years())
                .find(|&k| {
                    let year_start = start.add_months(12 * k as i64);
                    let year_end = start.add_months(12 * (k as i64 + 1));
                    year_start >= from && day(year_end) <= run.horizon_days
                })
                .map(|k| k + 1)
        });
        FullEffect {
            from,
            first_full_year,
        }
    }

    /// The date as run.json writes it (ISO), if any.
    pub fn from_text(&self) -> Option<String> {
        self.from.map(|d| d.to_string())
    }
}
