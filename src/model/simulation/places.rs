//! Places: asking for one, waiting for one (blocking in the current one),
//! overflowing, being admitted, being ready to leave, leaving, and serving
//! the waiting lists when places free.

use rand::RngExt;

use super::deaths::dies_at_home_instead;
use super::episode::{EpisodeObserver, EpisodeRecord, Lifecycle};
use super::error::SimulationError;
use super::event::{ARRIVAL_EVENT, DEPARTURE_EVENT, Event, TIMEOUT_EVENT};
use super::ids::{MaybeService, PatientSlot};
use super::state::{NO_ROUTE, Simulation, in_window};
use crate::engine::SimTime;
use crate::model::network::{
    ARRANGING_REASON, DISCHARGE_DAY_REASON, Destination, FIRST_WAIT_REASON, FullPolicy, Overflow,
    PatientTypeId, ServiceId,
};
use crate::model::results::{FOUR_HOURS_DAYS, LONG_WAIT_DAYS, SHORT_STAY_DAYS};

/// `held_reason` of a planned patient cancelled at least once (a patient
/// waiting at home holds no place, so the field is free meanwhile).
const REBOOKED: u8 = u8::MAX;

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// A patient asks service s for a place.
    pub(super) fn request_entry(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
    ) -> Result<(), SimulationError> {
        let si = s.index();
        #[cfg(test)]
        self.trace(now, pid, "asks for", s, "");
        let patient_type = self.patients[pid.index()].patient_type;
        self.patients[pid.index()].requested_at = now;
        self.log_arrival(now, pid, s);
        let counted = in_window(&self.window, now);
        if counted {
            self.count(s, patient_type, |c| c.arrivals += 1);
            let day = self.window_day(now);
            self.services[si].daily.arrivals[day] += 1;
            if let Some(cell) = self.cell(patient_type, s, now) {
                cell.arrivals += 1;
            }
        }
        if self.network.patient_types[patient_type.index()]
            .cancellation
            .is_some()
            && self.patients[pid.index()].holding.get().is_none()
            && self.cancels(s, patient_type)
        {
            return self.cancel(now, pid, s);
        }
        if self.services[si].waiting_live == 0 && self.can_admit(s) {
            return self.admit(now, pid, s);
        }
        if counted {
            self.count(s, patient_type, |c| c.found_full += 1);
            if !self.services[si].open
                && let Some(cell) = self.cell(patient_type, s, now)
            {
                cell.found_closed += 1;
            }
        }
        match self.network.services[si].when_full {
            FullPolicy::Wait { max_wait_days, .. } => {
                let ticket = self.next_ticket;
                self.next_ticket += 1;
                let patient = &mut self.patients[pid.index()];
                patient.ticket = ticket;
                patient.waiting_for = MaybeService::some(s);
                if let Some(holding) = patient.holding.get() {
                    patient.blocked_since = now;
                    let blocked = &mut self.services[holding.index()].blocked;
                    blocked.increment(now);
                    let level = blocked.level();
                    if let Some(cell) = self.service_year(holding, now) {
                        cell.blocked_peak = cell.blocked_peak.max(level);
                    }
                }
                #[cfg(test)]
                {
                    let blocked = match self.patients[pid.index()].holding.get() {
                        Some(h) => {
                            format!(" (blocked in {})", self.network.services[h.index()].name)
                        }
                        None => String::new(),
                    };
                    self.trace(now, pid, "waits for", s, &blocked);
                }
                let state = &mut self.services[si];
                state.waiting.push_back((pid, ticket));
                state.waiting_live += 1;
                state.waiting_level.set(now, state.waiting_live);
                let level = state.waiting_live;
                if let Some(cell) = self.service_year(s, now) {
                    cell.waiting_peak = cell.waiting_peak.max(level);
                }
                if let Some(outlying) = self.network.services[si].outlying
                    && self.network.pathway(patient_type, outlying.to).is_some()
                {
                    let at = SimTime::new(now + outlying.after_days)
                        .map_err(|e| self.time_error(s, e))?;
                    self.queue.schedule(
                        at,
                        TIMEOUT_EVENT,
                        Event::OutlieTry {
                            patient: pid,
                            ticket,
                        },
                    )?;
                }
                if let Some(limit) = max_wait_days {
                    let at = SimTime::new(now + limit).map_err(|e| self.time_error(s, e))?;
                    self.queue.schedule(
                        at,
                        TIMEOUT_EVENT,
                        Event::WaitTimeout {
                            patient: pid,
                            ticket,
                        },
                    )?;
                }
                Ok(())
            }
            FullPolicy::Overflow(overflow) => self.overflow(now, pid, s, overflow),
        }
    }

    /// A patient that service s cannot take goes elsewhere.
    pub(super) fn overflow(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
        overflow: Overflow,
    ) -> Result<(), SimulationError> {
        let patient_type = self.patients[pid.index()].patient_type;
        let counted = in_window(&self.window, now);
        match overflow {
            Overflow::Lose => {
                #[cfg(test)]
                self.trace(now, pid, "turned away by", s, "");
                if counted {
                    self.count(s, patient_type, |c| c.lost += 1);
                    let day = self.window_day(now);
                    self.services[s.index()].daily.lost[day] += 1;
                    if let Some(cell) = self.cell(patient_type, s, now) {
                        cell.lost += 1;
                    }
                }
                self.lose(now, pid, s)
            }
            Overflow::Divert(to) => {
                #[cfg(test)]
                self.trace(now, pid, "diverted from", s, "");
                self.log_unserved(now, pid, s, Lifecycle::Diverted);
                if counted {
                    self.count(s, patient_type, |c| c.diverted += 1);
                    if let Some(cell) = self.cell(patient_type, s, now) {
                        cell.diverted += 1;
                    }
                }
                self.request_entry(now, pid, to)
            }
            Overflow::Onward => {
                #[cfg(test)]
                self.trace(now, pid, "sent on from", s, "");
                self.log_unserved(now, pid, s, Lifecycle::Diverted);
                if counted {
                    self.count(s, patient_type, |c| c.diverted += 1);
                    if let Some(cell) = self.cell(patient_type, s, now) {
                        cell.diverted += 1;
                    }
                }
                let network = self.network;
                let onward = network
                    .pathway(patient_type, s)
                    .and_then(|p| p.onward_on(now - self.window.start));
                let u: f64 = self.patients[pid.index()].rng.random();
                match onward.map(|routes| routes.choose(u)) {
                    Some(Destination::Service(to)) => self.request_entry(now, pid, to),
                    _ => Err(SimulationError::NoOnward {
                        patient_type: network.patient_types[patient_type.index()].name.clone(),
                        service: network.services[s.index()].name.clone(),
                    }),
                }
            }
        }
    }

    /// The patient leaves the system unserved after asking service s.
    pub(super) fn lose(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
    ) -> Result<(), SimulationError> {
        let counted = in_window(&self.window, now);
        self.log_unserved(now, pid, s, Lifecycle::Lost);
        if let Some(holding) = self.patients[pid.index()].holding.get() {
            self.leave_place(now, pid, holding, self.lost_node)?;
        } else {
            if counted {
                self.flows.add(0, self.lost_node);
                self.period_flows.count(now, 0, self.lost_node);
            }
            let p = &self.patients[pid.index()];
            let record = EpisodeRecord {
                replication: self.replication,
                patient: p.number,
                patient_type: &self.network.patient_types[p.patient_type.index()].name,
                service: &self.network.services[s.index()].name,
                requested_at: p.requested_at - self.window.start,
                started_at: None,
                ready_at: None,
                left_at: now - self.window.start,
                delayed_days: 0.0,
                destination: "lost",
            };
            self.observer.episode(&record);
        }
        self.system.lost_total += 1;
        if counted {
            self.system.lost += 1;
            self.system
                .time_in_system
                .add(now - self.patients[pid.index()].entered_at);
        }
        self.diverted_leaves(pid, None);
        self.log_exit(now, pid, "lost");
        self.exit_system(now, pid);
        Ok(())
    }

    pub(super) fn exit_system(&mut self, now: f64, pid: PatientSlot) {
        self.in_system.decrement(now);
        self.free_slots.push(pid);
    }

    /// Starts a stay in service s, releasing the place the patient held.
    pub(super) fn admit(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
    ) -> Result<(), SimulationError> {
        let si = s.index();
        let counted = in_window(&self.window, now);
        self.stocks_before_change(now);
        if let Some(previous) = self.patients[pid.index()].holding.get() {
            self.leave_place(now, pid, previous, 1 + si)?;
        } else if counted {
            self.flows.add(0, 1 + si);
            self.period_flows.count(now, 0, 1 + si);
        }
        self.log_start(now, pid, s);
        #[cfg(test)]
        self.trace(now, pid, "admitted to", s, "");
        if self.services[si].tracks_pressure {
            self.integrate_pressure(s, now);
        }
        let state = &mut self.services[si];
        state.occupied += 1;
        // Counted only where a daily limit resets it each midnight.
        if state.daily_limited {
            state.starts_today += 1;
        }
        state.occupancy.set(now, state.occupied);
        self.review_escalation(s, now);

        let patient = &mut self.patients[pid.index()];
        let patient_type = patient.patient_type;
        let wait = now - patient.requested_at;
        patient.holding = MaybeService::some(s);
        patient.place_requested_at = patient.requested_at;
        patient.started_at = now;
        patient.delayed_days = 0.0;
        patient.blocked_since = f64::NAN;
        patient.held_since = f64::NAN;
        let Some(pathway) = self.network.pathway(patient_type, s) else {
            return Err(SimulationError::NoPathway {
                patient_type: self.network.patient_types[patient_type.index()]
                    .name
                    .clone(),
                service: self.network.services[si].name.clone(),
            });
        };
        let stay = match &pathway.stay_by_route {
            None => pathway
                .stay_on(now - self.window.start)
                .sample(&mut patient.rng),
            // The destination first (the draw made when ready otherwise),
            // then the stay it brings.
            Some(stays) => {
                let route = pathway.routes.choose_index(patient.rng.random());
                patient.drawn_route = route as u16;
                stays[route].sample(&mut patient.rng)
            }
        };
        if counted {
            let day = self.window_day(now);
            let state = &mut self.services[si];
            let long_wait = u64::from(wait > LONG_WAIT_DAYS);
            let four_hours = u64::from(wait > FOUR_HOURS_DAYS);
            for result in state.results(self.per_type_results, patient_type) {
                result.counters.admissions += 1;
                result.counters.admitted_without_wait += u64::from(wait == 0.0);
                result.counters.waits_over_12h += long_wait;
                result.counters.waits_over_4h += four_hours;
                result.wait.add(wait);
            }
            state.daily.admissions[day] += 1;
            self.count_admission(patient_type, s, now, wait);
        }
        self.register_on_admit(now, pid, s)?;
        let at = SimTime::new(now + stay).map_err(|e| self.time_error(s, e))?;
        self.queue
            .schedule(at, DEPARTURE_EVENT, Event::StayEnd(pid))?;
        Ok(())
    }

    /// The patient gives up the place in service s and moves to flow node `to`.
    pub(super) fn leave_place(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
        to: usize,
    ) -> Result<(), SimulationError> {
        let si = s.index();
        #[cfg(test)]
        self.trace(
            now,
            pid,
            "leaves",
            s,
            &format!(" for {}", self.flows.nodes[to]),
        );
        let counted = in_window(&self.window, now);
        self.stocks_before_change(now);
        self.log_depart(now, pid, s);
        let patient = &mut self.patients[pid.index()];
        let patient_type = patient.patient_type;
        let blocked_since = patient.blocked_since;
        if !blocked_since.is_nan() {
            patient.delayed_days += now - blocked_since;
            patient.blocked_since = f64::NAN;
            self.services[si].blocked.decrement(now);
        }
        let patient = &mut self.patients[pid.index()];
        patient.holding = MaybeService::NONE;
        let started_at = patient.started_at;
        let waited = started_at - patient.place_requested_at;
        let length_of_stay = now - started_at;
        let delayed = patient.delayed_days;
        if !blocked_since.is_nan() {
            // Blocked patients leave for the service they waited for.
            let reason = match to.checked_sub(1) {
                Some(next) if next < self.network.services.len() => {
                    self.waiting_reason(ServiceId(next as u32))
                }
                _ => FIRST_WAIT_REASON,
            };
            self.add_days(patient_type, s, blocked_since, now, Some(reason));
        }
        self.add_days(patient_type, s, started_at, now, None);
        self.schedule_readmission(now, pid, s, to);
        self.register_on_leave(now, pid)?;
        let day = self.window_day(now);
        if self.services[si].tracks_pressure {
            self.integrate_pressure(s, now);
        }
        let state = &mut self.services[si];
        state.occupied -= 1;
        state.occupancy.set(now, state.occupied);
        self.review_escalation(s, now);
        let state = &mut self.services[si];
        if counted {
            for result in state.results(self.per_type_results, patient_type) {
                result.counters.departures += 1;
                result.counters.delayed_departures += u64::from(delayed > 0.0);
                result.length_of_stay.add(length_of_stay);
                result.delayed_days.add(delayed);
            }
            state.daily.departures[day] += 1;
            self.flows.add(1 + si, to);
            self.period_flows.count(now, 1 + si, to);
            if let Some(cell) = self.cell(patient_type, s, now) {
                cell.departures += 1;
                cell.short_departures += u64::from(length_of_stay <= SHORT_STAY_DAYS);
                cell.los_sum += length_of_stay;
                cell.departed_wait_sum += waited;
            }
        }
        let p = &self.patients[pid.index()];
        let record = EpisodeRecord {
            replication: self.replication,
            patient: p.number,
            patient_type: &self.network.patient_types[patient_type.index()].name,
            service: &self.network.services[si].name,
            requested_at: p.place_requested_at - self.window.start,
            started_at: Some(p.started_at - self.window.start),
            ready_at: Some(p.ready_at - self.window.start),
            left_at: now - self.window.start,
            delayed_days: delayed,
            destination: &self.flows.nodes[to],
        };
        self.observer.episode(&record);
        self.release_work.push(s);
        Ok(())
    }

    pub(super) fn on_stay_end(
        &mut self,
        now: f64,
        pid: PatientSlot,
    ) -> Result<(), SimulationError> {
        let patient = &mut self.patients[pid.index()];
        // A stay ends in a place.
        let s = patient.holding.known();
        // (The trace needs `self`: the patient is borrowed again after it.)
        #[cfg(test)]
        let patient = {
            self.trace(now, pid, "ready in", s, "");
            &mut self.patients[pid.index()]
        };
        let patient_type = patient.patient_type;
        patient.ready_at = now;
        self.log_end(now, pid, s);
        let patient = &mut self.patients[pid.index()];
        let day = now - self.window.start;
        let Some(pathway) = self.network.pathway(patient_type, s) else {
            return Err(SimulationError::NoPathway {
                patient_type: self.network.patient_types[patient_type.index()]
                    .name
                    .clone(),
                service: self.network.services[s.index()].name.clone(),
            });
        };
        let (routes, index) = if patient.drawn_route == NO_ROUTE {
            let u: f64 = patient.rng.random();
            let routes = pathway.routes_on(day);
            (routes, routes.choose_index(u))
        } else {
            // Drawn on admission, with the stay (stays by destination).
            let index = usize::from(std::mem::replace(&mut patient.drawn_route, NO_ROUTE));
            (&pathway.routes, index)
        };
        let next = dies_at_home_instead(
            self.network,
            &mut self.home_deaths,
            patient_type,
            s,
            routes.destination(index),
        );
        patient.next = next;
        let arranging = routes
            .delay(index)
            .map_or(0.0, |d| d.sample(&mut patient.rng));
        if matches!(next, Destination::Service(_)) && in_window(&self.window, now) {
            self.count(s, patient_type, |c| c.onward_requests += 1);
        }
        self.mark_if_diverted(now, pid, s, index, next);
        if arranging > 0.0 {
            // Ready to leave but the discharge is being arranged: the
            // place is held (a delayed day) until it is, then the usual
            // discharge-day rule applies.
            #[cfg(test)]
            self.trace(now, pid, "held in", s, " (arranging)");
            let patient = &mut self.patients[pid.index()];
            patient.held_since = now;
            patient.held_reason = ARRANGING_REASON as u8;
            self.services[s.index()].held.increment(now);
            let at = SimTime::new(now + arranging).map_err(|e| self.time_error(s, e))?;
            self.queue
                .schedule(at, DEPARTURE_EVENT, Event::DischargeRetry(pid))?;
            return Ok(());
        }
        self.try_leave(now, pid)
    }

    /// A ready patient leaves today, or is held for another day by the
    /// service's weekday discharge factor.
    pub(super) fn try_leave(&mut self, now: f64, pid: PatientSlot) -> Result<(), SimulationError> {
        let weekday = self.weekday_of(now);
        let patient = &mut self.patients[pid.index()];
        // A patient ready to leave holds a place.
        let s = patient.holding.known();
        if !patient.held_since.is_nan() && usize::from(patient.held_reason) == ARRANGING_REASON {
            // The discharge is arranged: what follows is another reason.
            let held_since = patient.held_since;
            patient.delayed_days += now - held_since;
            patient.held_since = f64::NAN;
            let patient_type = patient.patient_type;
            self.services[s.index()].held.decrement(now);
            self.add_days(patient_type, s, held_since, now, Some(ARRANGING_REASON));
        }
        let patient = &mut self.patients[pid.index()];
        let factor = self.network.services[s.index()].discharge_weekday_factors[weekday];
        if factor < 1.0 && patient.rng.random::<f64>() >= factor {
            // (The trace needs `self`: the patient is borrowed again after it.)
            #[cfg(test)]
            let patient = {
                self.trace(now, pid, "held in", s, " (no discharge today)");
                &mut self.patients[pid.index()]
            };
            if patient.held_since.is_nan() {
                patient.held_since = now;
                patient.held_reason = DISCHARGE_DAY_REASON as u8;
                self.services[s.index()].held.increment(now);
            }
            let at = SimTime::new(now + 1.0).map_err(|e| self.time_error(s, e))?;
            self.queue
                .schedule(at, DEPARTURE_EVENT, Event::DischargeRetry(pid))?;
            return Ok(());
        }
        if !patient.held_since.is_nan() {
            let held_since = patient.held_since;
            patient.delayed_days += now - held_since;
            patient.held_since = f64::NAN;
            let patient_type = patient.patient_type;
            let reason = usize::from(patient.held_reason);
            self.services[s.index()].held.decrement(now);
            self.add_days(patient_type, s, held_since, now, Some(reason));
        }
        let patient = &mut self.patients[pid.index()];
        match patient.next {
            Destination::Sink(sink) => {
                let entered_at = patient.entered_at;
                let patient_type = patient.patient_type;
                let node = 1 + self.network.services.len() + sink.index();
                self.leave_place(now, pid, s, node)?;
                self.system.left_total += 1;
                if in_window(&self.window, now) {
                    self.system.left += 1;
                    self.system.time_in_system.add(now - entered_at);
                    let year = self.year_of(now);
                    let ledger = &mut self.ledger;
                    let slot = ledger.slot_of[patient_type.index() * ledger.services + s.index()];
                    if slot != u32::MAX {
                        ledger.sink_exits[(slot as usize * ledger.sinks + sink.index())
                            * ledger.years
                            + year] += 1;
                    }
                }
                self.diverted_leaves(pid, Some(sink));
                let network = self.network;
                self.log_exit(now, pid, &network.sinks[sink.index()]);
                self.exit_system(now, pid);
                Ok(())
            }
            Destination::Service(next) => self.request_entry(now, pid, next),
        }
    }

    pub(super) fn on_timeout(
        &mut self,
        now: f64,
        pid: PatientSlot,
        ticket: u64,
    ) -> Result<(), SimulationError> {
        let patient = &mut self.patients[pid.index()];
        if patient.ticket != ticket {
            return Ok(()); // admitted before the limit: nothing to do
        }
        // A patient whose ticket is live is on a waiting list.
        let s = patient.waiting_for.known();
        // (The trace needs `self`: the patient is borrowed again after it.)
        #[cfg(test)]
        let patient = {
            self.trace(now, pid, "gives up waiting for", s, "");
            &mut self.patients[pid.index()]
        };
        patient.ticket = 0;
        patient.waiting_for = MaybeService::NONE;
        let patient_type = patient.patient_type;
        if let Some(holding) = patient.holding.get()
            && !patient.blocked_since.is_nan()
        {
            let blocked_since = patient.blocked_since;
            patient.delayed_days += now - blocked_since;
            patient.blocked_since = f64::NAN;
            self.services[holding.index()].blocked.decrement(now);
            let reason = self.waiting_reason(s);
            self.add_days(patient_type, holding, blocked_since, now, Some(reason));
        }
        self.drop_from_list(now, s);
        self.log_unserved(now, pid, s, Lifecycle::TimedOut);
        if in_window(&self.window, now) {
            self.count(s, patient_type, |c| c.timed_out += 1);
        }
        let then = match self.network.services[s.index()].when_full {
            FullPolicy::Wait { then, .. } => then,
            FullPolicy::Overflow(o) => o,
        };
        self.overflow(now, pid, s, then)
    }

    /// Takes one off service s's count of live waiters (the patient's
    /// ticket already cleared). The list entry stays behind with a stale
    /// ticket; they are dropped when they pile up, so memory stays
    /// proportional to live waiters.
    fn drop_from_list(&mut self, now: f64, s: ServiceId) {
        let state = &mut self.services[s.index()];
        state.waiting_live -= 1;
        state.waiting_level.set(now, state.waiting_live);
        if state.waiting.len() > 2 * state.waiting_live as usize + 64 {
            let patients = &self.patients;
            state
                .waiting
                .retain(|&(p, t)| patients[p.index()].ticket == t);
        }
    }

    /// A patient still waiting for service s after its outlying time is
    /// admitted to the outlying service if that has a free place and no
    /// queue of its own; otherwise tries again later.
    pub(super) fn on_outlie_try(
        &mut self,
        now: f64,
        pid: PatientSlot,
        ticket: u64,
    ) -> Result<(), SimulationError> {
        let patient = &self.patients[pid.index()];
        if patient.ticket != ticket {
            return Ok(()); // admitted, timed out or outlied already
        }
        let s = patient.waiting_for.known();
        let patient_type = patient.patient_type;
        // A patient's outlying tries are scheduled only for services with it.
        let Some(outlying) = self.network.services[s.index()].outlying else {
            return Ok(());
        };
        let to = outlying.to;
        if self.services[to.index()].waiting_live > 0 || !self.can_admit(to) {
            let at = SimTime::new(now + outlying.every_days).map_err(|e| self.time_error(s, e))?;
            self.queue.schedule(
                at,
                TIMEOUT_EVENT,
                Event::OutlieTry {
                    patient: pid,
                    ticket,
                },
            )?;
            return Ok(());
        }
        #[cfg(test)]
        self.trace(now, pid, "outlies from", s, "");
        let patient = &mut self.patients[pid.index()];
        patient.ticket = 0;
        patient.waiting_for = MaybeService::NONE;
        self.drop_from_list(now, s);
        self.log_unserved(now, pid, s, Lifecycle::Outlied);
        self.log_arrival(now, pid, to);
        if in_window(&self.window, now) {
            self.count(to, patient_type, |c| c.outliers_in += 1);
            if let Some(cell) = self.cell(patient_type, to, now) {
                cell.outliers_in += 1;
            }
        }
        self.admit(now, pid, to)
    }

    /// Whether a planned patient asking service s now is cancelled: the
    /// places occupied are at the type's cancellation share of the places
    /// open (the capacity in force and any escalation places open) or
    /// above, or there is no place (or a queue). With a share of 1 an
    /// operation is cancelled only when there is no bed on the day.
    fn cancels(&self, s: ServiceId, patient_type: PatientTypeId) -> bool {
        let Some(cancellation) = &self.network.patient_types[patient_type.index()].cancellation
        else {
            return false;
        };
        let state = &self.services[s.index()];
        let places = f64::from(state.capacity) + f64::from(state.escalation_open);
        f64::from(state.occupied) >= cancellation.occupancy_at * places
            || state.waiting_live > 0
            || !self.can_admit(s)
    }

    /// Cancels a planned patient's admission to service s on the day: they
    /// wait at home for a rebooked date, then ask again.
    fn cancel(&mut self, now: f64, pid: PatientSlot, s: ServiceId) -> Result<(), SimulationError> {
        #[cfg(test)]
        self.trace(now, pid, "cancelled by", s, "");
        self.log_unserved(now, pid, s, Lifecycle::Cancelled);
        let patient_type = self.patients[pid.index()].patient_type;
        // Each patient's operation counts once as cancelled on the day: a
        // rebooked date that finds the beds still full is counted by the
        // rebooking list (in sustained pressure a hospital stops booking
        // such dates rather than cancel them again and again).
        let first = self.patients[pid.index()].held_reason != REBOOKED;
        let elsewhere = self.network.patient_types[patient_type.index()]
            .cancellation
            .as_ref()
            .and_then(|c| c.elsewhere);
        if let (false, Some(to)) = (first, elsewhere)
            && self.network.pathway(patient_type, to).is_some()
        {
            // Cancelled twice: treated elsewhere, so the list stays bounded.
            return self.overflow(now, pid, s, Overflow::Divert(to));
        }
        self.patients[pid.index()].held_reason = REBOOKED;
        if first && in_window(&self.window, now) {
            self.count(s, patient_type, |c| c.cancelled += 1);
            if let Some(cell) = self.cell(patient_type, s, now) {
                cell.cancelled += 1;
            }
        }
        self.integrate_pressure(s, now);
        self.services[s.index()].rebooking += 1;
        let level = self.services[s.index()].rebooking;
        if let Some(cell) = self.service_year(s, now) {
            cell.rebooking_peak = cell.rebooking_peak.max(level);
        }
        let patient = &mut self.patients[pid.index()];
        let rebook_after = self.network.patient_types[patient_type.index()]
            .cancellation
            .as_ref()
            .map_or(1.0, |c| c.rebook_after.sample(&mut patient.rng));
        let at = SimTime::new(now + rebook_after).map_err(|e| self.time_error(s, e))?;
        self.queue.schedule(
            at,
            ARRIVAL_EVENT,
            Event::Rebooked {
                patient: pid,
                service: s,
            },
        )?;
        Ok(())
    }

    /// A cancelled planned patient's rebooked date: they ask again.
    pub(super) fn on_rebooked(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
    ) -> Result<(), SimulationError> {
        self.integrate_pressure(s, now);
        self.services[s.index()].rebooking -= 1;
        self.request_entry(now, pid, s)
    }

    /// Serves waiting lists of services where places may have freed.
    pub(super) fn process_releases(&mut self, now: f64) -> Result<(), SimulationError> {
        while let Some(s) = self.release_work.pop() {
            let si = s.index();
            while self.services[si].waiting_live > 0 && self.can_admit(s) {
                let Some((pid, ticket)) = self.services[si].waiting.pop_front() else {
                    break;
                };
                let patient = &mut self.patients[pid.index()];
                if patient.ticket != ticket {
                    continue; // left the list after its maximum wait
                }
                patient.ticket = 0;
                patient.waiting_for = MaybeService::NONE;
                let state = &mut self.services[si];
                state.waiting_live -= 1;
                state.waiting_level.set(now, state.waiting_live);
                self.admit(now, pid, s)?;
            }
        }
        Ok(())
    }
}
