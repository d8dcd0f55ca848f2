//! The money of one replication that is not priced by the activity: the
//! community staff and beds paid for (places × cost a day, used or not),
//! what levers add to them (`cost_bought`) or take away, and the adult
//! acute beds they close (`cash_released`), day by day as the levers'
//! capacity changes come in; and the running costs levers name, as their
//! ramps and rollouts bring them in; and the escalation beds open (places
//! × days open × their price, acute); and general practice's staff paid
//! by the day (WTE × a year's cost, primary care), with what levers fund;
//! and, with `[workforce]`, agency cover of vacant posts at its premium
//! (`cost_agency`). Computed after the run from the
//! network's capacity schedule, per (year, ICC, age band) cell of the
//! breakdown, for `breakdown.rs` to add in.
//!
//! Who a cell's money is: a team's or bed's cost in a year is shared among
//! its ICC's age bands by the place-days each used (by residents when
//! none was used); money of the whole system (acute beds, a lever with no
//! ICC) among every ICC and band by residents; an escalation bed's by the
//! bed-days each cell used at its site that year.

use super::network::{Capacity, Network, Service};
use super::results::ReplicationResult;
use super::system::{LeverCost, StaffCost, SystemLayout};

/// Money of one (year, ICC, band) cell, £ at the layout's price year.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CellMoney {
    /// Community staff and beds paid for, and levers' running costs.
    pub community_paid: f64,
    /// The part of it levers added (staff, beds, running costs).
    pub bought: f64,
    /// Cash no longer paid: places levers removed or closed.
    pub released: f64,
    /// Escalation places open (used or not) at their cost a day: acute.
    pub escalation: f64,
    /// General practice staff paid (WTE × cost a year, by the day), with
    /// what levers fund: primary care. What levers add is in `bought` too.
    pub primary_care_paid: f64,
    /// Agency and locum cover of vacant posts at its premium
    /// (`[workforce]`), part of `community_paid` or `primary_care_paid`.
    pub agency: f64,
}

/// Place-days of a service over [from, to): all, above its starting
/// places and below them (its capacity changes applied, exactly).
pub fn place_days(service: &Service, from: f64, to: f64) -> (f64, f64, f64) {
    let Capacity::Limited(start) = service.capacity else {
        return (0.0, 0.0, 0.0);
    };
    let start = f64::from(start);
    let mut edges = vec![from];
    edges.extend(
        service
            .capacity_changes
            .iter()
            .map(|c| c.from_day)
            .filter(|d| *d > from && *d < to),
    );
    edges.push(to);
    let (mut all, mut above, mut below) = (0.0, 0.0, 0.0);
    for pair in edges.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b <= a {
            continue;
        }
        let mut places = service.capacity;
        for change in &service.capacity_changes {
            if change.from_day <= a {
                places = change.capacity;
            }
        }
        let places = match places {
            Capacity::Limited(n) => f64::from(n),
            Capacity::Unlimited => start,
        };
        all += places * (b - a);
        above += (places - start).max(0.0) * (b - a);
        below += (start - places).max(0.0) * (b - a);
    }
    (all, above, below)
}

/// [from, to) cut at the dated changes inside it, as (start, end) pieces
/// of positive length, in order (changes sorted by date).
fn segments(from: f64, to: f64, changes: impl Iterator<Item = f64>) -> Vec<(f64, f64)> {
    let mut edges = vec![from];
    edges.extend(changes.filter(|d| *d > from && *d < to));
    edges.push(to);
    edges
        .windows(2)
        .map(|pair| (pair[0], pair[1]))
        .filter(|(a, b)| b > a)
        .collect()
}

/// £ of staff paid by the day over [from, to): the £ a year in force on
/// each day / 365.25, all, above the staff in post at the start and below
/// them (exactly, the dated changes applied).
pub fn staff_cost_between(cost: &StaffCost, from: f64, to: f64) -> (f64, f64, f64) {
    let (mut all, mut above, mut below) = (0.0, 0.0, 0.0);
    for (a, b) in segments(from, to, cost.changes.iter().map(|c| c.0)) {
        let per_year = cost
            .changes
            .iter()
            .rev()
            .find(|c| c.0 <= a)
            .map_or(cost.base_per_year, |c| c.1);
        let days = (b - a) / 365.25;
        all += per_year * days;
        above += (per_year - cost.base_per_year).max(0.0) * days;
        below += (cost.base_per_year - per_year).max(0.0) * days;
    }
    (all, above, below)
}

/// £ of a lever's running cost over [from, to): its yearly cost times the
/// share in force each day.
pub fn lever_cost_between(cost: &LeverCost, from: f64, to: f64) -> f64 {
    let mut days = 0.0;
    for (a, b) in segments(from, to, cost.steps.iter().map(|s| s.0)) {
        let share = cost
            .steps
            .iter()
            .filter(|s| s.0 <= a)
            .map(|s| s.1)
            .fold(0.0, f64::max);
        days += share * (b - a);
    }
    cost.per_year * days / 365.25
}

impl SystemLayout {
    /// The money of each (year, ICC, band) cell, indexed
    /// `(year × ICCs + ICC) × bands + band`.
    pub fn paid_money(&self, network: &Network, result: &ReplicationResult) -> Vec<CellMoney> {
        let ledger = &result.ledger;
        let years = ledger.years;
        let n_icc = self.iccs.len();
        let n_band = self.age_bands.len();
        let at = |y: usize, i: usize, b: usize| (y * n_icc + i) * n_band + b;
        let mut cells = vec![CellMoney::default(); years * n_icc * n_band];
        let window = |y: usize| {
            let end = ledger
                .year_starts
                .get(y + 1)
                .copied()
                .unwrap_or(result.horizon_days);
            (ledger.year_starts[y], end)
        };
        // Shares of an amount among cells: by residents of one ICC (or all).
        let by_residents = |y: usize, icc: Option<usize>| -> Vec<(usize, f64)> {
            let iccs: Vec<usize> = icc.map_or_else(|| (0..n_icc).collect(), |i| vec![i]);
            let weights: Vec<(usize, f64)> = iccs
                .iter()
                .flat_map(|&i| (0..n_band).map(move |b| (i, b)))
                .map(|(i, b)| (at(y, i, b), self.population_in_year(i, b, y)))
                .collect();
            normalise(weights)
        };
        for (s, info) in self.services.iter().enumerate() {
            let costs = &info.costs;
            if costs.per_place_day_paid <= 0.0 && costs.per_place_day_closed <= 0.0 {
                continue;
            }
            let service = &network.services[s];
            for y in 0..years {
                let (from, to) = window(y);
                let (all, above, below) = place_days(service, from, to);
                let paid = all * costs.per_place_day_paid;
                let bought = above * costs.per_place_day_paid;
                let released = below * (costs.per_place_day_paid + costs.per_place_day_closed);
                if paid == 0.0 && bought == 0.0 && released == 0.0 {
                    continue;
                }
                let shares = match info.icc {
                    Some(i) => {
                        let used: Vec<(usize, f64)> = (0..n_band)
                            .map(|b| {
                                let days: f64 = self
                                    .cohorts
                                    .iter()
                                    .enumerate()
                                    .filter(|(_, c)| c.icc == i && c.age_band == b)
                                    .filter_map(|(t, _)| ledger.cell(t, s, y))
                                    .map(|c| c.place_days)
                                    .sum();
                                (at(y, i, b), days)
                            })
                            .collect();
                        if used.iter().any(|(_, d)| *d > 0.0) {
                            normalise(used)
                        } else {
                            by_residents(y, Some(i))
                        }
                    }
                    None => by_residents(y, None),
                };
                for (cell, share) in shares {
                    cells[cell].community_paid += paid * share;
                    cells[cell].bought += bought * share;
                    cells[cell].released += released * share;
                }
            }
        }
        // Escalation places, shared by the place-days each cell used at
        // the service that year (by residents when none was used).
        for s in 0..self.services.len() {
            let per_open_day =
                super::breakdown::service_years::escalation_place_day_cost(network, s);
            if per_open_day <= 0.0 {
                continue;
            }
            for y in 0..years {
                let amount = ledger.service_year(s, y).escalation_open_days * per_open_day;
                if amount == 0.0 {
                    continue;
                }
                let used: Vec<(usize, f64)> = self
                    .cohorts
                    .iter()
                    .enumerate()
                    .filter_map(|(t, c)| {
                        ledger
                            .cell(t, s, y)
                            .map(|cell| (at(y, c.icc, c.age_band), cell.place_days))
                    })
                    .collect();
                let shares = if used.iter().any(|(_, d)| *d > 0.0) {
                    normalise(used)
                } else {
                    by_residents(y, None)
                };
                for (cell, share) in shares {
                    cells[cell].escalation += amount * share;
                }
            }
        }
        // General practice staff, shared among the ICC's bands by
        // residents (the list, not the same-day appointments used).
        for cost in &self.staff_costs {
            for y in 0..years {
                let (from, to) = window(y);
                let (all, above, below) = staff_cost_between(cost, from, to);
                if all == 0.0 && below == 0.0 {
                    continue;
                }
                for (cell, share) in by_residents(y, Some(cost.icc)) {
                    cells[cell].primary_care_paid += all * share;
                    cells[cell].bought += above * share;
                    cells[cell].released += below * share;
                }
            }
        }
        // Staff recruited month by month (`[workforce]`): agency cover at
        // its premium, shared among the ICC's bands by residents. A team's
        // or community bed's places already pay the cover at the
        // substantive cost; the premium is added here. General practice's
        // is in its staff cost already.
        for track in &self.workforce {
            for y in 0..years {
                let (from, to) = window(y);
                let (_, agency) = track.cost_between(from, to);
                if agency == 0.0 {
                    continue;
                }
                let premium = agency * track.agency_premium / (1.0 + track.agency_premium);
                for (cell, share) in by_residents(y, Some(track.icc)) {
                    cells[cell].agency += agency * share;
                    if track.premium_on_top {
                        cells[cell].community_paid += premium * share;
                    }
                }
            }
        }
        for cost in &self.lever_costs {
            for y in 0..years {
                let (from, to) = window(y);
                let amount = lever_cost_between(cost, from, to);
                if amount == 0.0 {
                    continue;
                }
                for (cell, share) in by_residents(y, cost.icc) {
                    cells[cell].community_paid += amount * share;
                    cells[cell].bought += amount * share;
                }
            }
        }
        cells
    }
}

/// Weights as shares adding up to 1 (all 0 when they add up to nothing).
fn normalise(weights: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    let total: f64 = weights.iter().map(|w| w.1).sum();
    weights
        .into_iter()
        .map(|(cell, w)| (cell, if total > 0.0 { w / total } else { 0.0 }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network::{CapacityChange, FullPolicy, Overflow};

    fn beds(start: u32, changes: &[(f64, u32)]) -> Service {
        Service {
            name: "beds".into(),
            description: String::new(),
            capacity_unit: "beds".into(),
            capacity: Capacity::Limited(start),
            capacity_changes: changes
                .iter()
                .map(|&(from_day, n)| CapacityChange {
                    from_day,
                    capacity: Capacity::Limited(n),
                })
                .collect(),
            when_full: FullPolicy::Overflow(Overflow::Lose),
            opening: None,
            max_admissions_per_day: None,
            schedule_changes: Vec::new(),
            discharge_weekday_factors: [1.0; 7],
            census: Vec::new(),
            escalation: None,
            outlying: None,
            wait_class: 0,
        }
    }

    /// 100 beds, 10 closed from day 100 and 10 more from day 200: in
    /// [0, 365) 2,000 + 3,300 bed-days closed by hand.
    #[test]
    fn place_days_below_the_start_are_counted_exactly() {
        let service = beds(100, &[(100.0, 90), (200.0, 80)]);
        let (all, above, below) = place_days(&service, 0.0, 365.0);
        assert_eq!(below, 10.0 * 100.0 + 20.0 * 165.0);
        assert_eq!(above, 0.0);
        assert_eq!(all, 100.0 * 100.0 + 90.0 * 100.0 + 80.0 * 165.0);
        // A year that starts after the first closure.
        let (_, _, below) = place_days(&service, 150.0, 250.0);
        assert_eq!(below, 10.0 * 50.0 + 20.0 * 50.0);
    }

    /// Staff of £365,250 a year, £730,500 from day 100 (funded), £0 from
    /// day 200 (all gone): in [0, 300) £100k + £200k + 0, of which £100k
    /// above the start and £100k below it.
    #[test]
    fn staff_are_paid_by_the_day_exactly() {
        let cost = StaffCost {
            icc: 0,
            sector: crate::model::system::Sector::PrimaryCare,
            base_per_year: 365_250.0,
            changes: vec![(100.0, 730_500.0), (200.0, 0.0)],
        };
        let (all, above, below) = staff_cost_between(&cost, 0.0, 300.0);
        assert!((all - 300_000.0).abs() < 1e-6, "{all}");
        assert!((above - 100_000.0).abs() < 1e-6, "{above}");
        assert!((below - 100_000.0).abs() < 1e-6, "{below}");
        // A year that starts in the warm-up.
        let (all, ..) = staff_cost_between(&cost, -50.0, 50.0);
        assert!((all - 100_000.0).abs() < 1e-6, "{all}");
    }

    /// £365.25k a year, half from day 10, all from day 20: in [0, 30)
    /// 10 days at half and 10 at all, £15k.
    #[test]
    fn a_lever_cost_follows_its_ramp() {
        let cost = LeverCost {
            lever: "x".into(),
            icc: None,
            per_year: 365_250.0,
            steps: vec![(10.0, 0.5), (20.0, 1.0)],
            source: String::new(),
        };
        assert!((lever_cost_between(&cost, 0.0, 30.0) - 15_000.0).abs() < 1e-6);
        assert_eq!(lever_cost_between(&cost, 0.0, 10.0), 0.0);
    }
}
