//! The simulation's side of the stock-and-flow counts
//! ([`crate::model::period_flows`]): the stocks at each month boundary,
//! taken from the services' occupancy before the first change at or
//! after it.

use super::episode::EpisodeObserver;
use super::state::Simulation;

impl<O: EpisodeObserver> Simulation<'_, O> {
    /// Takes the stocks of the month boundaries at or before `now`, if
    /// any is due; called before a place is taken or given up at `now`.
    #[inline]
    pub(super) fn stocks_before_change(&mut self, now: f64) {
        if self.period_flows.due(now) {
            let services = &self.services;
            self.period_flows.take_stocks(now, |s| services[s].occupied);
        }
    }
}
