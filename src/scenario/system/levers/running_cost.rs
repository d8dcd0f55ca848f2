//! `cost_per_year`: what a lever itself costs to run (enhanced health in
//! care homes, risk stratification, a discharge hub ...), whatever its
//! effect: £ a year at full effect, shared among the ICCs it reaches by
//! residents, coming in with the lever's ramp and rollout (`cost_bought`).

use super::lever::Lever;
use super::plan::Plan;
use crate::engine::CalendarDate;
use crate::model::system::LeverCost;

impl Lever<'_> {
    /// The lever's own running cost, if it names one, with its source.
    pub(super) fn running_cost(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        from: &[Option<CalendarDate>],
    ) {
        let raw = self.raw;
        let Some(per_year) = raw.cost_per_year else {
            if raw.cost_source.is_some() {
                self.check.issue(
                    self.at("cost_source"),
                    None,
                    "is given without cost_per_year; give the lever's running cost a year (£, at the scenario's price year), e.g. cost_per_year = 250_000",
                );
            }
            return;
        };
        let Some(per_year) =
            self.check
                .number_in(&self.at("cost_per_year"), per_year, 0.0, 1e10, "£ a year")
        else {
            return;
        };
        if raw.cost_source.as_ref().is_none_or(|s| s.trim().is_empty()) {
            self.check.issue(
                self.at("cost_source"),
                None,
                "is missing; say where cost_per_year comes from (a unit cost and the staff or sessions it pays for), e.g. cost_source = \"S-UC24 T9.2.1: 2 WTE Band 6 per ICC\"",
            );
            return;
        }
        let Some(ramp) = ramp else { return };
        let reached: Vec<usize> = (0..self.context.iccs.len())
            .filter(|&i| from[i].is_some())
            .collect();
        let residents: Vec<f64> = reached
            .iter()
            .map(|&i| self.context.population[i].iter().sum())
            .collect();
        let total: f64 = residents.iter().sum();
        if total <= 0.0 {
            return;
        }
        for (&i, people) in reached.iter().zip(&residents) {
            let date = from[i].expect("reached ICCs have a date");
            plan.lever_costs.push(LeverCost {
                lever: self.name.clone(),
                icc: Some(i),
                per_year: per_year * people / total,
                steps: self
                    .steps(date, ramp)
                    .into_iter()
                    .map(|s| (s.day, s.fraction))
                    .collect(),
                source: raw.cost_source.clone().unwrap_or_default(),
            });
        }
    }
}
