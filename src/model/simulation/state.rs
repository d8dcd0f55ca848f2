//! The state of one replication: the patients in the system, the services'
//! places and waiting lists, and what is being counted.

use std::collections::VecDeque;

use super::episode::EpisodeObserver;
use super::error::SimulationError;
use super::event::Event;
use super::ids::{MaybeService, PatientSlot};
use super::runaway::RunawaySample;
use crate::engine::{EventQueue, RandomStreams, Stream, StreamKey, TimeError};
use crate::model::network::{
    DELAY_REASONS, Destination, FIRST_WAIT_REASON, Network, PatientTypeId, ServiceId,
};
use crate::model::results::{
    Counters, DailyService, FOUR_HOURS_DAYS, FlowMatrix, LONG_WAIT_DAYS, Ledger, ServiceResult,
    ServiceYear, SystemResult, YearCell,
};
use crate::model::trackers::{LevelTracker, Window};

/// A patient in the system.
pub(super) struct Patient {
    pub(super) rng: Stream,
    pub(super) number: u64,
    pub(super) patient_type: PatientTypeId,
    /// Service where the patient holds a place.
    pub(super) holding: MaybeService,
    /// Service whose waiting list the patient is on.
    pub(super) waiting_for: MaybeService,
    /// Why the patient is held while `held_since` is set: arranging the
    /// discharge or waiting for a discharge day (an index of the ledger's
    /// `delayed_by_reason`; it fits in the padding after `waiting_for`).
    pub(super) held_reason: u8,
    /// Risk registers: where a crisis or referral came from and what has
    /// been counted of it (`register::FROM_REGISTER` ...; 0 otherwise).
    pub(super) register_flags: u8,
    /// The route drawn on admission where the stay depends on the
    /// destination (an index of the pathway's routes), until the stay
    /// ends; [`NO_ROUTE`] otherwise. In the padding after the flags.
    pub(super) drawn_route: u16,
    /// Non-zero while on a waiting list; matches the list entry.
    pub(super) ticket: u64,
    pub(super) next: Destination,
    pub(super) entered_at: f64,
    /// When the patient last asked for a place (a transfer request overwrites it).
    pub(super) requested_at: f64,
    /// When the patient asked for the place they now hold.
    pub(super) place_requested_at: f64,
    pub(super) started_at: f64,
    pub(super) ready_at: f64,
    /// Since when blocked in `holding`; NaN if not blocked.
    pub(super) blocked_since: f64,
    /// Since when held (arranging the discharge, or for a discharge day); NaN if not held.
    pub(super) held_since: f64,
    /// Delayed days accumulated in the current place.
    pub(super) delayed_days: f64,
}

/// No route drawn yet: the route is drawn when the stay ends.
pub(super) const NO_ROUTE: u16 = u16::MAX;

/// docs/performance.md counts a patient in the system as 128 bytes (two
/// cache lines); a field added to [`Patient`] should keep it so, or say why.
const _: () = assert!(std::mem::size_of::<Patient>() == 128);

/// A service during the run: its places, waiting list and what is counted.
pub(super) struct ServiceState {
    pub(super) capacity: u32,
    pub(super) ever_unlimited: bool,
    pub(super) open: bool,
    pub(super) occupied: u32,
    pub(super) starts_today: u32,
    /// Most starts today (u32::MAX: no limit), set each midnight from the
    /// limits in force and the weekday.
    pub(super) limit_today: u32,
    /// Whether the service has a daily limit at any time (its starts are
    /// counted and reset each midnight).
    pub(super) daily_limited: bool,
    /// The opening hours and daily limits in force (the service's, then
    /// its schedule changes').
    pub(super) opening: Option<crate::model::network::OpeningHours>,
    pub(super) limits: Option<[u32; 7]>,
    /// Bumped at each schedule change, so that the opening toggles
    /// scheduled under the old hours are ignored.
    pub(super) schedule_generation: u32,
    pub(super) waiting: VecDeque<(PatientSlot, u64)>,
    pub(super) waiting_live: u32,
    pub(super) occupancy: LevelTracker,
    pub(super) capacity_level: LevelTracker,
    pub(super) blocked: LevelTracker,
    pub(super) held: LevelTracker,
    pub(super) waiting_level: LevelTracker,
    pub(super) total: ServiceResult,
    pub(super) by_type: Vec<ServiceResult>,
    pub(super) daily: DailyService,
    /// Escalation places open now (0, or the service's `escalation.places`).
    pub(super) escalation_open: u32,
    /// Planned patients cancelled here waiting for their rebooked date.
    pub(super) rebooking: u32,
    /// Whether escalation or rebookings are integrated for this service
    /// (it has escalation places, or planned patients ask for it).
    pub(super) tracks_pressure: bool,
    /// Time up to which escalation and rebookings have been integrated.
    pub(super) pressure_mark: f64,
    /// Delayed place-days in the window by reason (the ledger's reasons).
    pub(super) delayed_by_reason: [f64; DELAY_REASONS],
}

impl ServiceState {
    /// The results a patient's event updates: the service's total, and its
    /// type's own where results are kept by type (with one type, the
    /// type's figures are the totals, copied at the end).
    #[inline]
    pub(super) fn results(
        &mut self,
        per_type_results: bool,
        patient_type: PatientTypeId,
    ) -> impl Iterator<Item = &mut ServiceResult> {
        let by_type = per_type_results.then(|| &mut self.by_type[patient_type.index()]);
        std::iter::once(&mut self.total).chain(by_type)
    }
}

/// Weekday and month of every day the run touches.
pub(super) struct DayTable {
    pub(super) first_day: i64,
    pub(super) weekday: Vec<u8>,
    pub(super) month: Vec<u8>,
    /// Whole years since run.start_date (negative during warm-up).
    pub(super) year: Vec<i32>,
}

impl DayTable {
    #[inline]
    pub(super) fn slot(&self, day: i64) -> usize {
        (day - self.first_day).clamp(0, self.weekday.len() as i64 - 1) as usize
    }
}

/// One replication in progress: the network it runs, its event queue and
/// random streams, and the state the events change.
pub(super) struct Simulation<'a, O: EpisodeObserver> {
    pub(super) network: &'a Network,
    pub(super) observer: &'a mut O,
    pub(super) replication: u64,
    pub(super) streams: RandomStreams,
    pub(super) queue: EventQueue<Event>,
    pub(super) window: Window,
    pub(super) window_days: usize,
    pub(super) days: DayTable,
    pub(super) arrival_streams: Vec<Stream>,
    pub(super) patient_keys: Vec<StreamKey>,
    pub(super) arrivals_made: Vec<u64>,
    pub(super) readmission_keys: Vec<StreamKey>,
    pub(super) readmissions_made: Vec<u64>,
    pub(super) max_rates: Vec<f64>,
    /// Whether a type's rate is constant before levers (no growth or
    /// seasonal factors).
    pub(super) constant_rate: Vec<bool>,
    /// For constant-rate types with rate levers: the stream that thins
    /// their candidate arrivals, apart from the arrival stream, so the
    /// candidates are the same as without the levers (common random
    /// numbers) and a lever that only lowers the rate removes arrivals.
    pub(super) lever_thinning: Vec<Option<Stream>>,
    /// For types with `death_if_prevented` and rate levers: the stream
    /// that draws whether an arrival a lever prevented dies all the same
    /// (`deaths.rs`), apart from every other stream.
    pub(super) prevented_deaths: Vec<Option<Stream>>,
    /// For types with a pathway whose patients sent home may die there
    /// (`Pathway::dies_at_home`): the stream that draws it (`deaths.rs`).
    pub(super) home_deaths: Vec<Option<Stream>>,
    /// People a lever kept out of a care home, who keep its risk of death
    /// (`diverted.rs`).
    pub(super) diverted: super::diverted::DivertedRun,
    /// For types whose arrivals come from a service's occupants: the
    /// service and its largest capacity (the thinning bound).
    pub(super) per_occupant: Vec<Option<(ServiceId, f64)>>,
    /// Risk registers and the types per member of their tiers (None
    /// without registers).
    pub(super) registers: Option<Box<super::register::RegisterRun>>,
    pub(super) ledger: Ledger,
    /// Simulated times at which window years 1, 2 ... start (year 0 at the
    /// window start), the same floats `add_days` splits at.
    pub(super) year_bounds: Vec<f64>,
    pub(super) patients: Vec<Patient>,
    pub(super) free_slots: Vec<PatientSlot>,
    pub(super) services: Vec<ServiceState>,
    /// Services where a place may have freed, whose waiting lists are
    /// served after the event.
    pub(super) release_work: Vec<ServiceId>,
    pub(super) next_ticket: u64,
    pub(super) next_patient_number: u64,
    pub(super) flows: FlowMatrix,
    /// The same moves by kind of place and month, and the stocks.
    pub(super) period_flows: crate::model::period_flows::PeriodCounter,
    pub(super) in_system: LevelTracker,
    pub(super) system: SystemResult,
    pub(super) lost_node: usize,
    pub(super) per_type_results: bool,
    /// When the simulated day of the events being counted ends.
    pub(super) day_ends: f64,
    /// The queue's count of events processed beyond which this day has
    /// had more than it allows.
    pub(super) day_event_limit: u64,
    /// Events a day allows: the run's limit, then zero while a runaway's
    /// events are sampled (so that each one passes through
    /// [`Simulation::note_runaway`], off the hot path).
    pub(super) events_allowed: u64,
    /// The events sampled since the run passed its limit.
    pub(super) runaway: Option<Box<RunawaySample>>,
    /// People, visits and place numbers for the event log (empty unless
    /// the observer wants events: `event_log.rs`).
    pub(super) event_log: super::event_log::EventLogState,
    /// What happened to each patient, one line a step, for the trace
    /// tests. Compiled only in tests, like every call that writes it, so
    /// a run pays nothing for it.
    #[cfg(test)]
    pub(super) trace: Vec<String>,
}

/// A hint to bring `value` into the cache (nothing on other targets).
#[inline(always)]
pub(super) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is only a hint: it never faults, whatever the
    // address, and changes no program state.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Whether a time is past the warm-up (counted in the results).
#[inline]
pub(super) fn in_window(window: &Window, now: f64) -> bool {
    now >= window.start
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// Notes a step of a patient at service `s` for the trace tests:
    /// `<time> #<patient number> <what> <service><then>`.
    #[cfg(test)]
    pub(super) fn trace(
        &mut self,
        now: f64,
        pid: PatientSlot,
        what: &str,
        s: ServiceId,
        then: &str,
    ) {
        let number = self.patients[pid.index()].number;
        let service = &self.network.services[s.index()].name;
        self.trace
            .push(format!("{now:.2} #{number} {what} {service}{then}"));
    }

    pub(super) fn no_pathway(
        &self,
        patient_type: PatientTypeId,
        service: ServiceId,
    ) -> SimulationError {
        SimulationError::NoPathway {
            patient_type: self.network.patient_types[patient_type.index()]
                .name
                .clone(),
            service: self.network.services[service.index()].name.clone(),
        }
    }

    pub(super) fn time_error(&self, service: ServiceId, source: TimeError) -> SimulationError {
        SimulationError::Time {
            service: self.network.services[service.index()].name.clone(),
            source,
        }
    }

    /// The ledger year of a time in the window: a few comparisons, as
    /// most runs have a handful of years.
    #[inline]
    pub(super) fn year_of(&self, t: f64) -> usize {
        self.year_bounds.iter().take_while(|b| **b <= t).count()
    }

    /// The ledger cell of a (type, service) pair in the year of `now`.
    #[inline]
    pub(super) fn cell(
        &mut self,
        patient_type: PatientTypeId,
        s: ServiceId,
        now: f64,
    ) -> Option<&mut YearCell> {
        let slot = self.ledger.slot_of[patient_type.index() * self.ledger.services + s.index()];
        if slot == u32::MAX {
            return None;
        }
        let index = slot as usize * self.ledger.years + self.year_of(now);
        Some(&mut self.ledger.cells[index])
    }

    /// Counts an admission in the window in its (type, service, year)
    /// cell, with its wait; a wait for a bed also goes into that year's
    /// distribution of the type's waits for a bed.
    pub(super) fn count_admission(
        &mut self,
        patient_type: PatientTypeId,
        s: ServiceId,
        now: f64,
        wait: f64,
    ) {
        let slot = self.ledger.slot_of[patient_type.index() * self.ledger.services + s.index()];
        if slot == u32::MAX {
            return;
        }
        let year = self.year_of(now);
        let years = self.ledger.years;
        let cell = &mut self.ledger.cells[slot as usize * years + year];
        cell.admissions += 1;
        cell.wait_sum += wait;
        cell.waits_over_12h += u64::from(wait > LONG_WAIT_DAYS);
        cell.waits_over_4h += u64::from(wait > FOUR_HOURS_DAYS);
        if self.ledger.bed_wait_slots[slot as usize] {
            self.ledger.bed_waits[patient_type.index() * years + year].add(wait);
        }
    }

    /// The delay reason of time blocked waiting for a place in service `s`.
    #[inline]
    pub(super) fn waiting_reason(&self, s: ServiceId) -> usize {
        FIRST_WAIT_REASON + usize::from(self.network.services[s.index()].wait_class)
    }

    /// Adds the part of [from, to) inside the window to the place-days of
    /// a (type, service) pair, or with `delayed = Some(reason)` to its
    /// delayed days under that reason, split across years.
    pub(super) fn add_days(
        &mut self,
        patient_type: PatientTypeId,
        s: ServiceId,
        from: f64,
        to: f64,
        delayed: Option<usize>,
    ) {
        let slot = self.ledger.slot_of[patient_type.index() * self.ledger.services + s.index()];
        let from = from.max(self.window.start);
        let to = to.min(self.window.end);
        if slot == u32::MAX || to <= from {
            return;
        }
        let years = self.ledger.years;
        let mut year = self.year_of(from);
        let mut a = from;
        loop {
            let boundary = self.year_bounds.get(year).copied().unwrap_or(f64::INFINITY);
            let b = to.min(boundary);
            let cell = &mut self.ledger.cells[slot as usize * years + year];
            match delayed {
                Some(reason) => {
                    cell.delayed_days += b - a;
                    cell.delayed_by_reason[reason] += b - a;
                    self.services[s.index()].delayed_by_reason[reason] += b - a;
                }
                None => cell.place_days += b - a,
            }
            if to <= boundary {
                break;
            }
            a = boundary;
            year += 1;
        }
    }

    /// Window day of time t (negative during warm-up).
    #[inline]
    pub(super) fn day_of(&self, t: f64) -> i64 {
        self.window.day_of(t)
    }

    #[inline]
    pub(super) fn weekday_of(&self, t: f64) -> usize {
        usize::from(self.days.weekday[self.days.slot(self.day_of(t))])
    }

    /// Daily bucket of a time in the window. Clamped: `now - start` can
    /// round up to the window length for a time just before its end.
    #[inline]
    pub(super) fn window_day(&self, now: f64) -> usize {
        (self.window.day_of(now).max(0) as usize).min(self.window_days - 1)
    }

    /// Counts for service s and the patient's type.
    #[inline]
    pub(super) fn count(
        &mut self,
        s: ServiceId,
        patient_type: PatientTypeId,
        bump: impl Fn(&mut Counters),
    ) {
        for result in self.services[s.index()].results(self.per_type_results, patient_type) {
            bump(&mut result.counters);
        }
    }

    /// Integrates service `s`'s escalation places and rebooking list from
    /// its mark to `now` into the years of the window, and moves the mark.
    /// Called before anything that changes them (occupancy, capacity,
    /// escalation, rebookings) for services that track pressure.
    pub(super) fn integrate_pressure(&mut self, s: ServiceId, now: f64) {
        let state = &mut self.services[s.index()];
        let from = state.pressure_mark.max(self.window.start);
        let to = now.min(self.window.end);
        state.pressure_mark = now;
        if to <= from {
            return;
        }
        let open = f64::from(u32::from(state.escalation_open > 0));
        let above = f64::from(state.occupied.saturating_sub(state.capacity));
        let rebooking = state.rebooking;
        let years = self.ledger.years;
        let mut year = self.year_of(from);
        let mut a = from;
        loop {
            let boundary = self.year_bounds.get(year).copied().unwrap_or(f64::INFINITY);
            let b = to.min(boundary);
            let cell = &mut self.ledger.service_years[s.index() * years + year];
            cell.escalation_open_days += open * (b - a);
            cell.escalation_place_days += above * (b - a);
            cell.rebooking_days += f64::from(rebooking) * (b - a);
            cell.rebooking_peak = cell.rebooking_peak.max(rebooking);
            if to < boundary {
                break;
            }
            // The year ended with this many patients waiting for a date.
            cell.rebooking_at_end = rebooking;
            a = boundary;
            year += 1;
            if year >= years {
                break;
            }
        }
    }

    /// The pressure cell of service `s` in the year of `now`, if `now` is
    /// in the window.
    #[inline]
    pub(super) fn service_year(&mut self, s: ServiceId, now: f64) -> Option<&mut ServiceYear> {
        if !in_window(&self.window, now) || now >= self.window.end {
            return None;
        }
        let year = self.year_of(now);
        let years = self.ledger.years;
        Some(&mut self.ledger.service_years[s.index() * years + year])
    }

    /// Opens or closes service `s`'s escalation places after a change of
    /// its occupancy or capacity; a place opened may take a waiting patient.
    pub(super) fn review_escalation(&mut self, s: ServiceId, now: f64) {
        let Some(escalation) = self.network.services[s.index()].escalation else {
            return;
        };
        let state = &self.services[s.index()];
        let occupied = f64::from(state.occupied);
        let capacity = f64::from(state.capacity);
        let open = if state.escalation_open == 0 {
            occupied >= escalation.open_at * capacity && escalation.places > 0
        } else {
            occupied > escalation.close_at * capacity
        };
        let places = if open { escalation.places } else { 0 };
        if places != state.escalation_open {
            self.integrate_pressure(s, now);
            self.services[s.index()].escalation_open = places;
            if places > 0 {
                self.release_work.push(s);
            }
        }
    }

    #[inline]
    pub(super) fn can_admit(&self, s: ServiceId) -> bool {
        let state = &self.services[s.index()];
        state.open
            && state.occupied < state.capacity + state.escalation_open
            && state.starts_today < state.limit_today
    }
}
