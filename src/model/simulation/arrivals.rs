//! Patients entering the system: arrivals from outside (Poisson, thinned
//! by month, weekday, growth and levers), returns (readmissions), and
//! the record of each new patient.

use rand::RngExt;
use rand_distr::{Distribution as _, Exp1};

use super::episode::EpisodeObserver;
use super::error::SimulationError;
use super::event::{ARRIVAL_EVENT, Event};
use super::ids::{MaybeService, PatientSlot};
use super::register::MemberDraw;
use super::state::{NO_ROUTE, Patient, Simulation, in_window};
use crate::engine::{SimTime, Stream};
use crate::model::network::{ARRANGING_REASON, Destination, PatientTypeId, ServiceId, SinkId};

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// Poisson arrivals with a rate varying by month, weekday and hour, by
    /// thinning a process at the highest rate.
    pub(super) fn schedule_next_arrival(
        &mut self,
        patient_type_id: PatientTypeId,
        from: f64,
    ) -> Result<(), SimulationError> {
        let type_index = patient_type_id.index();
        if let Some(run) = self.registers.as_deref_mut() {
            run.set_pending(type_index, f64::INFINITY);
        }
        let max_rate = self.max_rates[type_index];
        if max_rate <= 0.0 {
            return Ok(());
        }
        let patient_type = &self.network.patient_types[type_index];
        let mut t = from;
        loop {
            let rng = &mut self.arrival_streams[type_index];
            let gap: f64 = Exp1.sample(rng);
            t += gap / max_rate;
            if t >= self.window.end {
                return Ok(());
            }
            if self.constant_rate[type_index] && patient_type.rate_changes.is_empty() {
                break;
            }
            let day = self.window.day_of(t);
            let slot = self.days.slot(day);
            // The hour of the day (the window's days start at midnight).
            let hour = (((t - self.window.midnight(day)) * 24.0) as usize).min(23);
            // Arrivals per occupant are thinned here against the bound on
            // occupants, and by the actual occupants at the arrival.
            let occupants = match self.per_occupant[type_index] {
                Some((_, bound)) => bound,
                None => self.member_bound(type_index),
            };
            // The rate without levers, then with them.
            let base = occupants
                * patient_type.rate_per_day
                * patient_type.monthly_factors[usize::from(self.days.month[slot])]
                * patient_type.weekday_factors[usize::from(self.days.weekday[slot])]
                * patient_type.hourly_factors[hour]
                * (1.0 + patient_type.growth_per_year).powi(self.days.year[slot]);
            let rate = if patient_type.rate_changes.is_empty() {
                base
            } else {
                base * patient_type.rate_factor(t - self.window.start)
            };
            let u: f64 = match &mut self.lever_thinning[type_index] {
                Some(stream) => stream.random(),
                None => self.arrival_streams[type_index].random(),
            };
            if u * max_rate < rate {
                break;
            }
            if u * max_rate < base {
                self.prevented_arrival(type_index, t);
            }
        }
        let at = SimTime::new(t).map_err(|e| self.time_error(patient_type.arrive_at, e))?;
        if let Some(run) = self.registers.as_deref_mut() {
            run.set_pending(type_index, at.days());
        }
        self.queue
            .schedule(at, ARRIVAL_EVENT, Event::Arrival(patient_type_id))?;
        Ok(())
    }

    pub(super) fn on_arrival(
        &mut self,
        now: f64,
        type_id: PatientTypeId,
    ) -> Result<(), SimulationError> {
        let t = type_id.index();
        // A candidate drawn under a risk tier's older bound: not an arrival.
        if self.registers.as_deref().is_some_and(|r| r.stale(t, now)) {
            return Ok(());
        }
        self.schedule_next_arrival(type_id, now)?;
        // Arrivals from a service's occupants: the second stage of the
        // thinning, at the arrival instant, keeps a share occupied / bound.
        if let Some((s, bound)) = self.per_occupant[t] {
            let u: f64 = self.arrival_streams[t].random();
            if u * bound >= f64::from(self.services[s.index()].occupied) {
                return Ok(());
            }
        }
        // Arrivals per member of a risk tier: the same second stage.
        let register_flags = match self.member_arrival(t, now) {
            MemberDraw::NotMember => 0,
            MemberDraw::Thinned => return Ok(()),
            MemberDraw::PreventedByCaseload => {
                self.prevented_death(t, now);
                return Ok(());
            }
            MemberDraw::Person(flags) => flags,
        };
        let k = self.arrivals_made[t];
        self.arrivals_made[t] += 1;
        let rng = self.patient_stream(type_id, k);
        let pid = self.new_patient(now, type_id, rng)?;
        self.patients[pid.index()].register_flags = register_flags;
        self.log_enter(now, pid, "outside");
        if in_window(&self.window, now) {
            self.system.entered += 1;
            let year = self.year_of(now);
            self.ledger.entries[t * self.ledger.years + year] += 1;
        }
        let patient_type = &self.network.patient_types[t];
        let entry = match patient_type.entry_on(now - self.window.start) {
            Some(routes) => {
                let u: f64 = self.patients[pid.index()].rng.random();
                match routes.choose(u) {
                    Destination::Service(s) => s,
                    // Straight to a sink: a death at home (`deaths.rs`).
                    Destination::Sink(sink) => {
                        self.exit_at_entry(now, pid, sink);
                        return Ok(());
                    }
                }
            }
            None => patient_type.arrive_at,
        };
        #[cfg(test)]
        self.trace(now, pid, "arrives for", entry, "");
        self.request_entry(now, pid, entry)
    }

    /// A patient returns after an earlier stay: a new arrival, from a
    /// stream of its own (the k-th return of this type).
    pub(super) fn on_readmission(
        &mut self,
        now: f64,
        patient_type: PatientTypeId,
        service: ServiceId,
        returning: u32,
    ) -> Result<(), SimulationError> {
        let t = patient_type.index();
        self.log_returning(returning);
        let k = self.readmissions_made[t];
        self.readmissions_made[t] += 1;
        let rng = self.streams.substream(self.readmission_keys[t], k);
        let pid = self.new_patient(now, patient_type, rng)?;
        self.log_enter(now, pid, "readmission");
        if in_window(&self.window, now) {
            self.system.entered += 1;
            self.count(service, patient_type, |c| c.readmissions += 1);
            if let Some(cell) = self.cell(patient_type, service, now) {
                cell.readmissions += 1;
            }
        }
        #[cfg(test)]
        self.trace(now, pid, "returns to", service, "");
        self.request_entry(now, pid, service)
    }

    /// A new patient in the system (not yet asking for a place). Refused
    /// past the run's `max_people_in_system`, before the records outgrow
    /// memory.
    pub(super) fn new_patient(
        &mut self,
        now: f64,
        patient_type: PatientTypeId,
        rng: Stream,
    ) -> Result<PatientSlot, SimulationError> {
        let patient = Patient {
            rng,
            number: self.next_patient_number,
            patient_type,
            holding: MaybeService::NONE,
            waiting_for: MaybeService::NONE,
            ticket: 0,
            next: Destination::Sink(SinkId(0)),
            entered_at: now,
            requested_at: now,
            place_requested_at: now,
            started_at: f64::NAN,
            ready_at: f64::NAN,
            blocked_since: f64::NAN,
            held_since: f64::NAN,
            held_reason: ARRANGING_REASON as u8,
            register_flags: 0,
            drawn_route: NO_ROUTE,
            delayed_days: 0.0,
        };
        self.next_patient_number += 1;
        let pid = match self.free_slots.pop() {
            Some(slot) => {
                self.patients[slot.index()] = patient;
                slot
            }
            None if self.patients.len() >= self.network.run.max_people_in_system => {
                return Err(SimulationError::TooManyPeople {
                    day: now - self.window.start,
                    limit: self.network.run.max_people_in_system,
                });
            }
            None => {
                self.patients.push(patient);
                PatientSlot((self.patients.len() - 1) as u32)
            }
        };
        self.system.entered_total += 1;
        self.in_system.increment(now);
        self.log_new_patient(pid);
        Ok(pid)
    }

    /// The k-th patient of a type always draws from the same stream.
    pub(super) fn patient_stream(&self, patient_type: PatientTypeId, k: u64) -> Stream {
        self.streams
            .substream(self.patient_keys[patient_type.index()], k)
    }

    /// After leaving service s for flow node `to`, a return may follow.
    pub(super) fn schedule_readmission(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
        to: usize,
    ) {
        let patient = &mut self.patients[pid.index()];
        let Some(readmission) = self
            .network
            .pathway(patient.patient_type, s)
            .and_then(|p| p.readmission.as_ref())
        else {
            return;
        };
        let services = self.network.services.len();
        let excluded = readmission.not_after.iter().any(|d| {
            to == match *d {
                Destination::Service(x) => 1 + x.index(),
                Destination::Sink(k) => 1 + services + k.index(),
            }
        });
        if excluded || patient.rng.random::<f64>() >= readmission.probability {
            return;
        }
        let delay = readmission.delay.sample(&mut patient.rng);
        let patient_type = patient.patient_type;
        let service = readmission.service;
        // A delay that is not a finite time (impossible for validated
        // distributions) or ends after the run is simply not scheduled.
        if let Ok(at) = SimTime::new(now + delay)
            && at.days() < self.window.end
        {
            let event = Event::Readmission {
                patient_type,
                service,
                returning: self.log_keep_returning(pid),
            };
            let _ = self.queue.schedule(at, ARRIVAL_EVENT, event);
        }
    }
}
