//! Stock-and-flow counts of one replication by month of the window: the
//! patients moved between each pair of kinds of place
//! ([`FlowGroups`]: `arrival`, the
//! services' roles, the sinks, `lost`) in each month
//! ([`window_months`]), and the people in
//! the services of each kind at each month's start and at the window's
//! end, taken from the services' occupancy (not from the moves), so that
//! `stock_end = stock_start + inflows − outflows` is a check, not an
//! identity by construction.
//!
//! The simulation keeps a `PeriodCounter`: one add per move counted in
//! the window, and a look at the occupancy whenever a place is taken or
//! given up; its months are found by walking forward (time only grows).

use super::flow_groups::FlowGroups;
use super::network::Network;
use super::register::window_months;

/// Moves and stocks by kind of place and month, for one replication.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodFlows {
    /// The kinds of place (`FlowGroups::names`): `arrival`, the service
    /// kinds, the sinks, `lost`.
    pub kinds: Vec<String>,
    /// Whether each kind is a kind of service (a place that holds people).
    pub holds_people: Vec<bool>,
    /// Months of the window.
    pub months: usize,
    /// `[(month * kinds + from) * kinds + to]`.
    moves: Vec<u64>,
    /// People in the services of each kind at each month's start, then at
    /// the window's end: `[boundary * kinds + kind]` (0 for kinds that do
    /// not hold people).
    stocks: Vec<u64>,
}

impl PeriodFlows {
    /// Patients moved from kind `from` to kind `to` in month `month`.
    pub fn moves(&self, month: usize, from: usize, to: usize) -> u64 {
        let k = self.kinds.len();
        self.moves[(month * k + from) * k + to]
    }

    /// People in the services of `kind` at the start of month `boundary`
    /// (`boundary == months`: at the window's end).
    pub fn stock(&self, boundary: usize, kind: usize) -> u64 {
        self.stocks[boundary * self.kinds.len() + kind]
    }
}

/// The counting state the simulation keeps.
#[derive(Clone, Debug)]
pub(crate) struct PeriodCounter {
    pub(crate) flows: PeriodFlows,
    /// The kind of each flow-matrix node.
    kind_of_node: Vec<u16>,
    /// The kind of each service.
    kind_of_service: Vec<u16>,
    /// Simulated times of the month boundaries: each month's start, then
    /// the window's end.
    bounds: Vec<f64>,
    /// The month moves are being counted in.
    month: usize,
    /// Boundaries whose stocks have been taken.
    taken: usize,
}

impl PeriodCounter {
    pub(crate) fn new(network: &Network) -> PeriodCounter {
        let groups = FlowGroups::of(network);
        let services = network.services.len();
        let nodes = 1 + services + network.sinks.len() + 1;
        let kind_of_node: Vec<u16> = (0..nodes).map(|n| groups.group_of_node(n) as u16).collect();
        let kind_of_service = kind_of_node[1..=services].to_vec();
        let kinds = groups.names.len();
        let mut holds_people = vec![false; kinds];
        for &k in &kind_of_service {
            holds_people[usize::from(k)] = true;
        }
        let start = network.run.warmup_days;
        let mut bounds: Vec<f64> = window_months(&network.run)
            .iter()
            .map(|m| start + m.first_day as f64)
            .collect();
        let months = bounds.len();
        bounds.push(network.run.end_time());
        PeriodCounter {
            flows: PeriodFlows {
                kinds: groups.names,
                holds_people,
                months,
                moves: vec![0; months * kinds * kinds],
                stocks: vec![0; (months + 1) * kinds],
            },
            kind_of_node,
            kind_of_service,
            bounds,
            month: 0,
            taken: 0,
        }
    }

    /// Counts a move between flow-matrix nodes at `now` (in the window).
    #[inline]
    pub(crate) fn count(&mut self, now: f64, from: usize, to: usize) {
        let months = self.flows.months;
        if months == 0 {
            return;
        }
        while self.month + 1 < months && now >= self.bounds[self.month + 1] {
            self.month += 1;
        }
        let k = self.flows.kinds.len();
        let from = usize::from(self.kind_of_node[from]);
        let to = usize::from(self.kind_of_node[to]);
        self.flows.moves[(self.month * k + from) * k + to] += 1;
    }

    /// Whether a boundary at or before `now` still needs its stocks: then
    /// [`PeriodCounter::take_stocks`] must be called before a place is
    /// taken or given up at `now`.
    #[inline]
    pub(crate) fn due(&self, now: f64) -> bool {
        self.taken < self.bounds.len() && now >= self.bounds[self.taken]
    }

    /// Takes the stocks of every boundary at or before `now` from the
    /// services' occupancy (`occupied[service]`), as it is before the
    /// events at `now` change it.
    pub(crate) fn take_stocks(&mut self, now: f64, occupied: impl Fn(usize) -> u32) {
        let k = self.flows.kinds.len();
        while self.due(now) {
            let row = &mut self.flows.stocks[self.taken * k..(self.taken + 1) * k];
            for (s, &kind) in self.kind_of_service.iter().enumerate() {
                row[usize::from(kind)] += u64::from(occupied(s));
            }
            self.taken += 1;
        }
    }
}
