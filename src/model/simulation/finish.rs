//! The end of a replication: stays still open count up to the end, the
//! levels are closed, and the state becomes its results.

use super::episode::EpisodeObserver;
use super::state::Simulation;
use crate::model::network::{ARRANGING_REASON, DISCHARGE_DAY_REASON, FIRST_WAIT_REASON, ServiceId};
use crate::model::results::{LevelSummary, ReplicationResult, ServiceResult};

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    pub(super) fn finish(mut self) -> ReplicationResult {
        let end = self.window.end;
        // The stocks at the boundaries no event reached (the window's end).
        self.stocks_before_change(f64::INFINITY);
        let n_types = self.network.patient_types.len();
        // Deaths carried from a care home by people still in a service.
        self.diverted_at_the_end();
        // Stays, blocks and holds still open at the end count up to it.
        let mut free = vec![false; self.patients.len()];
        for &slot in &self.free_slots {
            free[slot.index()] = true;
        }
        let open: Vec<_> = self
            .patients
            .iter()
            .zip(&free)
            .filter(|(_, free)| !**free)
            .filter_map(|(p, _)| {
                let s = p.holding.get()?;
                Some((
                    p.patient_type,
                    s,
                    p.started_at,
                    (p.blocked_since, p.waiting_for.get()),
                    (p.held_since, usize::from(p.held_reason)),
                ))
            })
            .collect();
        for (t, s, started, (blocked, waiting_for), (held, held_reason)) in open {
            self.add_days(t, s, started, end, None);
            if !blocked.is_nan() {
                let reason = waiting_for.map_or(FIRST_WAIT_REASON, |w| self.waiting_reason(w));
                self.add_days(t, s, blocked, end, Some(reason));
            }
            if !held.is_nan() {
                self.add_days(t, s, held, end, Some(held_reason));
            }
        }
        let years = self.ledger.years;
        for s in 0..self.services.len() {
            if self.services[s].tracks_pressure {
                self.integrate_pressure(ServiceId(s as u32), end);
                self.ledger.service_years[s * years + years - 1].rebooking_at_end =
                    self.services[s].rebooking;
            }
        }
        // Each service's escalation over the window: (days open, place-days).
        let escalation: Vec<(f64, f64)> = self
            .ledger
            .service_years
            .chunks(years)
            .map(|cells| {
                cells.iter().fold((0.0, 0.0), |(open, used), c| {
                    (
                        open + c.escalation_open_days,
                        used + c.escalation_place_days,
                    )
                })
            })
            .collect();
        let thresholds = self.network.run.occupancy_thresholds.len();
        let mut services = Vec::with_capacity(self.services.len());
        let mut by_type = Vec::with_capacity(self.services.len());
        let mut daily = Vec::with_capacity(self.services.len());
        for (si, mut state) in self.services.drain(..).enumerate() {
            for tracker in [
                &mut state.occupancy,
                &mut state.capacity_level,
                &mut state.blocked,
                &mut state.held,
                &mut state.waiting_level,
            ] {
                tracker.set(end, tracker.level());
                tracker.finish();
            }
            let mut shares = state.occupancy.shares_above();
            shares.resize(
                thresholds,
                if state.ever_unlimited { f64::NAN } else { 0.0 },
            );
            state.total.levels = Some(LevelSummary {
                occupancy_mean: state.occupancy.mean(),
                occupancy_peak: state.occupancy.peak(),
                capacity_mean: if state.ever_unlimited {
                    f64::NAN
                } else {
                    state.capacity_level.mean()
                },
                share_time_above: if state.ever_unlimited {
                    vec![f64::NAN; thresholds]
                } else {
                    shares
                },
                blocked_mean: state.blocked.mean(),
                blocked_days: state.blocked.area(),
                discharge_held_mean: state.held.mean(),
                discharge_held_days: state.held.area(),
                waiting_mean: state.waiting_level.mean(),
                waiting_peak: state.waiting_level.peak(),
                blocked_peak: state.blocked.peak(),
                arranging_days: state.delayed_by_reason[ARRANGING_REASON],
                discharge_day_days: state.delayed_by_reason[DISCHARGE_DAY_REASON],
                escalation_open_days: escalation[si].0,
                escalation_place_days: escalation[si].1,
                occupancy_distribution: state.occupancy.distribution(),
            });
            let (occupancy_area, occupancy_peak) = state.occupancy.daily();
            let delayed_area = state
                .blocked
                .daily()
                .0
                .iter()
                .zip(state.held.daily().0)
                .map(|(a, b)| a + b)
                .collect();
            state.daily.occupancy_area = occupancy_area.to_vec();
            state.daily.occupancy_peak = occupancy_peak.to_vec();
            state.daily.delayed_area = delayed_area;
            state.daily.waiting_area = state.waiting_level.daily().0.to_vec();
            if n_types == 1 {
                state.by_type = vec![ServiceResult {
                    levels: None,
                    ..state.total.clone()
                }];
            }
            services.push(state.total);
            by_type.push(state.by_type);
            daily.push(state.daily);
        }
        self.in_system.set(end, self.in_system.level());
        self.in_system.finish();
        self.system.in_system_mean = self.in_system.mean();
        self.system.in_system_at_end = u64::from(self.in_system.level());
        let registers = self.finish_registers(end);
        ReplicationResult {
            replication: self.replication,
            seed: self.streams.seed(),
            horizon_days: self.network.run.horizon_days,
            services,
            by_type,
            daily,
            flows: self.flows,
            system: self.system,
            ledger: self.ledger,
            events_processed: self.queue.events_processed(),
            parameters: self.network.parameters.iter().map(|p| p.value).collect(),
            registers,
            period_flows: self.period_flows.flows,
        }
    }
}
