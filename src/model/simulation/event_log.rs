//! The event log's side of a replication: who each patient record is (the
//! person, kept across readmissions), which visit each event belongs to,
//! and which numbered place a patient holds, all kept beside the patients
//! rather than in them (the patient record stays at its 128 bytes).
//!
//! Every hook starts with `if !O::EVENTS { return }`: for an observer that
//! wants no events (`()`, the episode collectors) the condition is a
//! constant and the compiler removes the hook, so a run without the log
//! does no more work than before. With the log, each hook is a few
//! vector accesses and one call to the observer.
//!
//! Places are numbered from 1 within each service: a patient takes the
//! lowest free number (so a service with free places shows the same beds
//! in use, as an animation would draw them), numbers above the capacity
//! being escalation places.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::episode::{EpisodeObserver, Lifecycle, PatientEvent};
use super::ids::PatientSlot;
use super::state::Simulation;
use crate::model::network::ServiceId;

/// What the event log keeps during a replication.
#[derive(Default)]
pub(super) struct EventLogState {
    /// By patient slot: the person, the visit of the place held, the visit
    /// of the place asked for (the two differ while blocked), and the
    /// number of the place held (0: none).
    person: Vec<u64>,
    holding_visit: Vec<u64>,
    asking_visit: Vec<u64>,
    place: Vec<u32>,
    /// By service: numbers given back, lowest first, and the highest given.
    free_places: Vec<BinaryHeap<Reverse<u32>>>,
    places_given: Vec<u32>,
    /// The last visit number given (visits are numbered from 1).
    visits: u64,
    /// The people of readmissions not yet come back, by the index their
    /// `Readmission` event carries; and the indexes free for reuse.
    returning: Vec<u64>,
    returning_free: Vec<u32>,
    /// The person the next new patient record is (a readmission's).
    next_person: Option<u64>,
}

impl EventLogState {
    fn grow_to(&mut self, slot: usize) {
        if self.person.len() <= slot {
            let n = slot + 1;
            self.person.resize(n, 0);
            self.holding_visit.resize(n, 0);
            self.asking_visit.resize(n, 0);
            self.place.resize(n, 0);
        }
    }

    fn next_visit(&mut self) -> u64 {
        self.visits += 1;
        self.visits
    }
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// Sends one event of patient `pid` at `activity`.
    fn send_event(
        &mut self,
        now: f64,
        pid: PatientSlot,
        visit: u64,
        activity: &str,
        lifecycle: Lifecycle,
        resource: Option<u32>,
    ) {
        let p = &self.patients[pid.index()];
        let event = PatientEvent {
            replication: self.replication,
            person: self.event_log.person[pid.index()],
            patient: p.number,
            visit,
            patient_type: &self.network.patient_types[p.patient_type.index()].name,
            activity,
            lifecycle,
            time: now,
            resource,
        };
        self.observer.event(&event);
    }

    /// A new patient record in slot `pid`: the person is a readmission's
    /// if one is coming back, else a new person (its record's number).
    #[inline]
    pub(super) fn log_new_patient(&mut self, pid: PatientSlot) {
        if !O::EVENTS {
            return;
        }
        let number = self.patients[pid.index()].number;
        let log = &mut self.event_log;
        log.grow_to(pid.index());
        log.person[pid.index()] = log.next_person.take().unwrap_or(number);
        log.place[pid.index()] = 0;
    }

    /// The person enters the system (`how`: outside, readmission, census).
    #[inline]
    pub(super) fn log_enter(&mut self, now: f64, pid: PatientSlot, how: &str) {
        if !O::EVENTS {
            return;
        }
        let visit = self.event_log.next_visit();
        self.send_event(now, pid, visit, how, Lifecycle::Enter, None);
    }

    /// The person leaves the system for `to` (a sink, or `lost`).
    #[inline]
    pub(super) fn log_exit(&mut self, now: f64, pid: PatientSlot, to: &str) {
        if !O::EVENTS {
            return;
        }
        let visit = self.event_log.next_visit();
        self.send_event(now, pid, visit, to, Lifecycle::Exit, None);
    }

    /// The patient asks service `s` for a place: a new visit.
    #[inline]
    pub(super) fn log_arrival(&mut self, now: f64, pid: PatientSlot, s: ServiceId) {
        if !O::EVENTS {
            return;
        }
        let visit = self.event_log.next_visit();
        self.event_log.asking_visit[pid.index()] = visit;
        let network = self.network;
        let name = &network.services[s.index()].name;
        self.send_event(now, pid, visit, name, Lifecycle::Arrival, None);
    }

    /// The visit asking service `s` ends without a place: lost, timed
    /// out, diverted, outlied or cancelled.
    #[inline]
    pub(super) fn log_unserved(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
        lifecycle: Lifecycle,
    ) {
        if !O::EVENTS {
            return;
        }
        let visit = self.event_log.asking_visit[pid.index()];
        let network = self.network;
        let name = &network.services[s.index()].name;
        self.send_event(now, pid, visit, name, lifecycle, None);
    }

    /// The patient takes a place in service `s` (any place held before is
    /// already given up): the lowest free number.
    #[inline]
    pub(super) fn log_start(&mut self, now: f64, pid: PatientSlot, s: ServiceId) {
        if !O::EVENTS {
            return;
        }
        let log = &mut self.event_log;
        if log.free_places.len() < self.services.len() {
            log.free_places
                .resize_with(self.services.len(), BinaryHeap::new);
            log.places_given.resize(self.services.len(), 0);
        }
        let place = match log.free_places[s.index()].pop() {
            Some(Reverse(place)) => place,
            None => {
                log.places_given[s.index()] += 1;
                log.places_given[s.index()]
            }
        };
        log.place[pid.index()] = place;
        let visit = log.asking_visit[pid.index()];
        log.holding_visit[pid.index()] = visit;
        let network = self.network;
        let name = &network.services[s.index()].name;
        self.send_event(now, pid, visit, name, Lifecycle::Start, Some(place));
    }

    /// The stay in service `s` ends (ready to leave).
    #[inline]
    pub(super) fn log_end(&mut self, now: f64, pid: PatientSlot, s: ServiceId) {
        if !O::EVENTS {
            return;
        }
        let visit = self.event_log.holding_visit[pid.index()];
        let place = self.event_log.place[pid.index()];
        let network = self.network;
        let name = &network.services[s.index()].name;
        self.send_event(now, pid, visit, name, Lifecycle::End, Some(place));
    }

    /// The patient gives up their place in service `s`: its number is free.
    #[inline]
    pub(super) fn log_depart(&mut self, now: f64, pid: PatientSlot, s: ServiceId) {
        if !O::EVENTS {
            return;
        }
        let log = &mut self.event_log;
        let place = std::mem::take(&mut log.place[pid.index()]);
        if let Some(free) = log.free_places.get_mut(s.index()) {
            free.push(Reverse(place));
        }
        let visit = log.holding_visit[pid.index()];
        let network = self.network;
        let name = &network.services[s.index()].name;
        self.send_event(now, pid, visit, name, Lifecycle::Depart, Some(place));
    }

    /// The person of patient `pid`, kept for their readmission: the index
    /// its `Readmission` event carries (0 without the log).
    #[inline]
    pub(super) fn log_keep_returning(&mut self, pid: PatientSlot) -> u32 {
        if !O::EVENTS {
            return 0;
        }
        let log = &mut self.event_log;
        let person = log.person[pid.index()];
        match log.returning_free.pop() {
            Some(index) => {
                log.returning[index as usize] = person;
                index
            }
            None => {
                log.returning.push(person);
                (log.returning.len() - 1) as u32
            }
        }
    }

    /// A readmission comes back: the next patient record is its person.
    #[inline]
    pub(super) fn log_returning(&mut self, index: u32) {
        if !O::EVENTS {
            return;
        }
        let log = &mut self.event_log;
        log.next_person = log.returning.get(index as usize).copied();
        log.returning_free.push(index);
    }
}
