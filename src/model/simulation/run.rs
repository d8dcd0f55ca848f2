//! The event loop: pops events in order, handles each, checks the run's
//! limits, and schedules the services' own events (openings, midnights).

use super::episode::EpisodeObserver;
use super::error::SimulationError;
use super::event::{CAPACITY_EVENT, Event, NEW_DAY_EVENT};
use super::ids::PatientSlot;
use super::runaway::{RUNAWAY_ARRIVALS, RUNAWAY_KINDS, RUNAWAY_SAMPLE, RunawaySample};
use super::setup::threshold_levels;
use super::state::{Simulation, prefetch};
use crate::engine::SimTime;
use crate::model::network::ServiceId;

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    pub(super) fn run(&mut self) -> Result<(), SimulationError> {
        // Events strictly before the end are processed; later ones (stays
        // that end after the horizon) are left pending.
        while self
            .queue
            .peek_time()
            .is_some_and(|t| t.days() < self.window.end)
        {
            let Some((time, event)) = self.queue.pop() else {
                break;
            };
            let now = time.days();
            // The patient of the next event is usually far from the cache
            // (stays end in random order); ask for it now, so that the
            // memory fetch overlaps this event's work.
            if let Some(Event::StayEnd(p) | Event::DischargeRetry(p)) = self.queue.peek_filed()
                && let Some(patient) = self.patients.get(p.index())
            {
                prefetch(patient);
            }
            // Returns scheduled for later are pending events, not people:
            // the people limit does not see them, so the queue has its own
            // (checked every 4,096 events: between checks the queue grows
            // by about one per event, plus the stays of people admitted
            // from waiting lists, whom the people limit bounds).
            if self.queue.events_processed().is_multiple_of(4096)
                && self.queue.len() > self.network.run.max_pending_events
            {
                return Err(SimulationError::TooManyPending {
                    day: now - self.window.start,
                    limit: self.network.run.max_pending_events,
                });
            }
            // Events per simulated day, bounded by two compares of values
            // at hand: more means patients circle faster than time
            // advances (or arrivals beyond reason), and the run would take
            // hours. This event is the day's first when the day changes.
            if now >= self.day_ends {
                self.day_ends = now.floor() + 1.0;
                self.day_event_limit = self.queue.events_processed() - 1 + self.events_allowed;
            }
            if self.queue.events_processed() > self.day_event_limit {
                self.note_runaway(now, event)?;
            }
            if let Err(error) = self.handle(now, event) {
                // (An error while a runaway is sampled is the runaway's.)
                return Err(match &self.runaway {
                    Some(sample) => sample.error(self.network),
                    None => error,
                });
            }
        }
        match &self.runaway {
            Some(sample) => Err(sample.error(self.network)),
            None => Ok(()),
        }
    }

    /// Handles one event, then serves the waiting lists it may have freed.
    #[inline(always)]
    pub(super) fn handle(&mut self, now: f64, event: Event) -> Result<(), SimulationError> {
        match event {
            Event::Arrival(t) => self.on_arrival(now, t)?,
            Event::StayEnd(p) => self.on_stay_end(now, p)?,
            Event::DischargeRetry(p) => self.try_leave(now, p)?,
            Event::WaitTimeout { patient, ticket } => self.on_timeout(now, patient, ticket)?,
            Event::OutlieTry { patient, ticket } => self.on_outlie_try(now, patient, ticket)?,
            Event::Rebooked { patient, service } => self.on_rebooked(now, patient, service)?,
            Event::CapacityChange { service, change } => {
                let capacity = self.network.services[service.index()].capacity_changes
                    [change as usize]
                    .capacity;
                if self.services[service.index()].tracks_pressure {
                    self.integrate_pressure(service, now);
                }
                let state = &mut self.services[service.index()];
                state.capacity = capacity.places();
                state.capacity_level.set(now, capacity.places());
                state.occupancy.set_thresholds(
                    now,
                    threshold_levels(&self.network.run.occupancy_thresholds, capacity),
                );
                self.review_escalation(service, now);
                self.release_work.push(service);
            }
            Event::OpeningToggle {
                service,
                open,
                generation,
            } => {
                if generation == self.services[service.index()].schedule_generation {
                    self.services[service.index()].open = open;
                    self.schedule_next_toggle(service, now, open)?;
                    if open {
                        self.release_work.push(service);
                    }
                }
            }
            Event::ScheduleChange { service, change } => {
                let change =
                    self.network.services[service.index()].schedule_changes[change as usize];
                let state = &mut self.services[service.index()];
                state.schedule_generation += 1;
                state.opening = change.opening;
                state.limits = change.max_admissions_per_day;
                // Starts already made today count against the new limit.
                let today = self.day_of(now);
                self.services[service.index()].limit_today = self.limit_on(service, today);
                self.apply_opening(service, now)?;
                self.release_work.push(service);
            }
            Event::Readmission {
                patient_type,
                service,
                returning,
            } => self.on_readmission(now, patient_type, service, returning)?,
            Event::RegisterStep(index) => self.on_register_step(now, index as usize)?,
            Event::NewDay { service, day } => {
                self.services[service.index()].starts_today = 0;
                self.services[service.index()].limit_today = self.limit_on(service, day);
                self.schedule_new_day(service, day + 1)?;
                self.release_work.push(service);
            }
        }
        self.process_releases(now)
    }

    /// The service an event is at, and what kind of event it is (its index
    /// in [`RUNAWAY_KINDS`]), for the runaway error.
    pub(super) fn whereabouts(&self, event: Event) -> (Option<usize>, usize) {
        let patient = |p: PatientSlot| self.patients.get(p.index());
        let held = |p: PatientSlot| patient(p).and_then(|p| p.holding.get());
        match event {
            Event::StayEnd(p) => (held(p).map(|s| s.index()), 0),
            Event::WaitTimeout { patient: p, ticket } | Event::OutlieTry { patient: p, ticket } => {
                (
                    patient(p)
                        .filter(|p| p.ticket == ticket)
                        .and_then(|p| p.waiting_for.get())
                        .map(|s| s.index()),
                    1,
                )
            }
            Event::DischargeRetry(p) => (held(p).map(|s| s.index()), 2),
            Event::Arrival(t) => (
                Some(self.network.patient_types[t.index()].arrive_at.index()),
                RUNAWAY_ARRIVALS,
            ),
            Event::Readmission { service, .. } | Event::Rebooked { service, .. } => {
                (Some(service.index()), RUNAWAY_ARRIVALS)
            }
            Event::RegisterStep(_) => (None, 4),
            Event::CapacityChange { service, .. }
            | Event::OpeningToggle { service, .. }
            | Event::ScheduleChange { service, .. }
            | Event::NewDay { service, .. } => (Some(service.index()), 4),
        }
    }

    /// Counts an event of a replication past its events per day: the first
    /// starts a sample of the next [`RUNAWAY_SAMPLE`] (nothing is counted
    /// by service while a run goes well, so as not to slow it), and the
    /// last ends the run with the error that says where they were. The
    /// events are handled as usual meanwhile.
    #[cold]
    #[inline(never)]
    pub(super) fn note_runaway(&mut self, now: f64, event: Event) -> Result<(), SimulationError> {
        let (service, kind) = self.whereabouts(event);
        let day = now - self.window.start;
        let services = self.network.services.len();
        self.events_allowed = 0;
        self.day_event_limit = 0;
        let sample = self.runaway.get_or_insert_with(|| {
            Box::new(RunawaySample {
                day,
                by_service: vec![[0; RUNAWAY_KINDS.len()]; services],
                sampled: 0,
                first: now,
                last: now,
            })
        });
        if let Some(s) = service {
            sample.by_service[s][kind] += 1;
            sample.sampled += 1;
        }
        sample.last = now;
        match &self.runaway {
            Some(sample) if sample.sampled >= RUNAWAY_SAMPLE => Err(sample.error(self.network)),
            _ => Ok(()),
        }
    }

    pub(super) fn schedule_next_toggle(
        &mut self,
        s: ServiceId,
        now: f64,
        open: bool,
    ) -> Result<(), SimulationError> {
        let Some(hours) = self.services[s.index()].opening else {
            return Ok(());
        };
        let generation = self.services[s.index()].schedule_generation;
        let first = self.day_of(now);
        for day in first..first + 9 {
            let weekday = usize::from(self.days.weekday[self.days.slot(day)]);
            if !hours.days[weekday] {
                continue;
            }
            let start = self.window.midnight(day);
            // Closing at 24:00 when the next day opens at 00:00 is no change.
            let next_weekday = usize::from(self.days.weekday[self.days.slot(day + 1)]);
            let closes =
                !(hours.close_hour == 24.0 && hours.open_hour == 0.0 && hours.days[next_weekday]);
            for (boundary, state) in [
                (start + hours.open_hour / 24.0, true),
                (start + hours.close_hour / 24.0, false),
            ] {
                if !state && !closes {
                    continue;
                }
                if boundary > now && state != open {
                    if boundary < self.window.end {
                        let event = Event::OpeningToggle {
                            service: s,
                            open: state,
                            generation,
                        };
                        self.queue.schedule(
                            SimTime::new(boundary).map_err(|e| self.time_error(s, e))?,
                            CAPACITY_EVENT,
                            event,
                        )?;
                    }
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Opens or closes service s at `now` by the hours in force (open when
    /// it has none), and schedules its next toggle.
    pub(super) fn apply_opening(&mut self, s: ServiceId, now: f64) -> Result<(), SimulationError> {
        let open = match self.services[s.index()].opening {
            Some(hours) => {
                let day = self.day_of(now);
                let hour = (now - self.window.midnight(day)) * 24.0;
                let weekday = usize::from(self.days.weekday[self.days.slot(day)]);
                hours.is_open(weekday, hour)
            }
            None => true,
        };
        self.services[s.index()].open = open;
        self.schedule_next_toggle(s, now, open)
    }

    /// The most starts service s may make on window day `day`, by the
    /// limits in force (u32::MAX: none).
    pub(super) fn limit_on(&self, s: ServiceId, day: i64) -> u32 {
        match self.services[s.index()].limits {
            Some(limits) => limits[usize::from(self.days.weekday[self.days.slot(day)])],
            None => u32::MAX,
        }
    }

    /// Schedules the midnight that starts window day `day`.
    pub(super) fn schedule_new_day(
        &mut self,
        s: ServiceId,
        day: i64,
    ) -> Result<(), SimulationError> {
        let at = self.window.midnight(day);
        if at < self.window.end {
            let time = SimTime::new(at).map_err(|e| self.time_error(s, e))?;
            self.queue
                .schedule(time, NEW_DAY_EVENT, Event::NewDay { service: s, day })?;
        }
        Ok(())
    }
}
