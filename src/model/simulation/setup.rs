//! Building a replication before its first event: the day table, the
//! services' state, the ledger, the arrival bounds, the census and the
//! first events.

use std::collections::VecDeque;

use rand::RngExt;

use super::episode::EpisodeObserver;
use super::error::SimulationError;
use super::event::{CAPACITY_EVENT, DEPARTURE_EVENT, Event};
use super::ids::{MaybeService, PatientSlot};
use super::state::{DayTable, NO_ROUTE, ServiceState, Simulation, in_window};
use crate::engine::{EventQueue, RandomStreams, SimTime, StreamKey};
use crate::model::network::{
    ARRANGING_REASON, Capacity, CensusStart, DELAY_REASONS, Destination, Network, PatientTypeId,
    RouteTable, Service, ServiceId,
};
use crate::model::results::{
    DailyService, FlowMatrix, Ledger, ServiceResult, ServiceYear, SystemResult, YearCell,
};
use crate::model::system::Role;
use crate::model::trackers::{LevelTracker, Window};
use crate::stats::QuantileSketch;

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    pub(super) fn new(
        network: &'a Network,
        seed: u64,
        replication: u64,
        observer: &'a mut O,
    ) -> Result<Self, SimulationError> {
        let run = &network.run;
        let window = Window {
            start: run.warmup_days,
            end: run.end_time(),
        };
        let window_days = run.window_days();
        let streams = RandomStreams::new(seed, replication);

        let first_day = (-window.start).floor() as i64;
        let last_day = (window.end - window.start).floor() as i64;
        let mut weekday = Vec::new();
        let mut month = Vec::new();
        let mut year = Vec::new();
        for day in first_day..=last_day {
            let date = run.start_date.add_days(day);
            weekday.push(date.weekday().index() as u8);
            month.push(date.month() - 1);
            year.push(date.years_since(run.start_date));
        }
        let (first_year, last_year) = (
            year.first().copied().unwrap_or(0),
            year.last().copied().unwrap_or(0),
        );
        let days = DayTable {
            first_day,
            weekday,
            month,
            year,
        };

        let ledger = new_ledger(network, &days, window_days);
        let thresholds = &run.occupancy_thresholds;
        let n_types = network.patient_types.len();
        let mut services: Vec<ServiceState> = network
            .services
            .iter()
            .map(|service| {
                let capacity = service.capacity.places();
                let mut occupancy = LevelTracker::new(window, window_days, true);
                occupancy.set_thresholds(0.0, threshold_levels(thresholds, service.capacity));
                let mut capacity_level = LevelTracker::new(window, 0, false);
                capacity_level.set(0.0, capacity);
                ServiceState {
                    capacity,
                    ever_unlimited: unlimited_in_window(service, &window),
                    open: true,
                    occupied: 0,
                    starts_today: 0,
                    limit_today: u32::MAX,
                    daily_limited: service.max_admissions_per_day.is_some()
                        || service
                            .schedule_changes
                            .iter()
                            .any(|c| c.max_admissions_per_day.is_some()),
                    opening: service.opening,
                    limits: service.max_admissions_per_day,
                    schedule_generation: 0,
                    waiting: VecDeque::new(),
                    waiting_live: 0,
                    occupancy,
                    capacity_level,
                    blocked: LevelTracker::new(window, window_days, false),
                    held: LevelTracker::new(window, window_days, false),
                    waiting_level: LevelTracker::new(window, window_days, false),
                    total: ServiceResult::new(),
                    by_type: if network.results_by_type() {
                        (0..n_types).map(|_| ServiceResult::new()).collect()
                    } else {
                        Vec::new()
                    },
                    daily: DailyService {
                        arrivals: vec![0; window_days],
                        admissions: vec![0; window_days],
                        lost: vec![0; window_days],
                        departures: vec![0; window_days],
                        ..Default::default()
                    },
                    escalation_open: 0,
                    rebooking: 0,
                    tracks_pressure: service.escalation.is_some(),
                    pressure_mark: 0.0,
                    delayed_by_reason: [0.0; DELAY_REASONS],
                }
            })
            .collect();
        // Rebooking lists are kept where planned patients may be cancelled.
        let n_services = network.services.len();
        for (t, patient_type) in network.patient_types.iter().enumerate() {
            if patient_type.cancellation.is_some() {
                for (s, state) in services.iter_mut().enumerate() {
                    if network.pathways[t * n_services + s].is_some() {
                        state.tracks_pressure = true;
                    }
                }
            }
        }

        let mut nodes = vec!["arrival".to_string()];
        nodes.extend(network.services.iter().map(|s| s.name.clone()));
        nodes.extend(network.sinks.iter().cloned());
        nodes.push("lost".to_string());
        let lost_node = nodes.len() - 1;

        let max_rates = network
            .patient_types
            .iter()
            .map(|t| {
                let m = t.monthly_factors.iter().copied().fold(0.0, f64::max);
                let w = t.weekday_factors.iter().copied().fold(0.0, f64::max);
                let h = t.hourly_factors.iter().copied().fold(0.0, f64::max);
                // The largest yearly factor is at one end of the run.
                let g = (1.0 + t.growth_per_year)
                    .powi(first_year)
                    .max((1.0 + t.growth_per_year).powi(last_year));
                let occupants = t
                    .per_occupant_of
                    .map_or(1.0, |s| largest_capacity(&network.services[s.index()]));
                // Levers that only lower a rate leave the bound, and so the
                // candidate arrivals, as they were: their arrivals are a
                // subset of the unchanged scenario's (common random numbers).
                t.rate_per_day * m * w * h * g * occupants * t.max_rate_factor()
            })
            .collect();
        let per_occupant = network
            .patient_types
            .iter()
            .map(|t| {
                t.per_occupant_of
                    .map(|s| (s, largest_capacity(&network.services[s.index()])))
            })
            .collect();
        let constant_rate: Vec<bool> = network
            .patient_types
            .iter()
            .map(|t| {
                t.growth_per_year == 0.0
                    && t.monthly_factors
                        .iter()
                        .chain(&t.weekday_factors)
                        .chain(&t.hourly_factors)
                        .all(|f| *f == 1.0)
            })
            .collect();

        let mut simulation = Simulation {
            network,
            observer,
            replication,
            streams,
            queue: EventQueue::new(),
            window,
            window_days: window_days.max(1),
            days,
            arrival_streams: network
                .patient_types
                .iter()
                .map(|t| streams.stream(&format!("arrivals/{}", t.name)))
                .collect(),
            patient_keys: network
                .patient_types
                .iter()
                .map(|t| StreamKey::new(&format!("patient/{}", t.name)))
                .collect(),
            arrivals_made: vec![0; n_types],
            readmission_keys: network
                .patient_types
                .iter()
                .map(|t| StreamKey::new(&format!("readmission/{}", t.name)))
                .collect(),
            readmissions_made: vec![0; n_types],
            max_rates,
            lever_thinning: network
                .patient_types
                .iter()
                .zip(&constant_rate)
                .map(|(t, constant)| {
                    (*constant && !t.rate_changes.is_empty())
                        .then(|| streams.stream(&format!("lever-thinning/{}", t.name)))
                })
                .collect(),
            prevented_deaths: network
                .patient_types
                .iter()
                .map(|t| {
                    (t.death_if_prevented > 0.0 && !t.rate_changes.is_empty())
                        .then(|| streams.stream(&format!("prevented-deaths/{}", t.name)))
                })
                .collect(),
            home_deaths: (0..n_types)
                .map(|t| {
                    let services = network.services.len();
                    network.pathways[t * services..(t + 1) * services]
                        .iter()
                        .flatten()
                        .any(|p| p.dies_at_home.is_some())
                        .then(|| {
                            let name = &network.patient_types[t].name;
                            streams.stream(&format!("home-deaths/{name}"))
                        })
                })
                .collect(),
            diverted: super::diverted::DivertedRun::new(network, &streams),
            constant_rate,
            per_occupant,
            registers: None,
            year_bounds: ledger
                .year_starts
                .iter()
                .skip(1)
                .map(|d| window.start + d)
                .collect(),
            ledger,
            patients: Vec::new(),
            free_slots: Vec::new(),
            services,
            release_work: Vec::new(),
            next_ticket: 1,
            next_patient_number: 0,
            flows: FlowMatrix::new(nodes),
            period_flows: crate::model::period_flows::PeriodCounter::new(network),
            in_system: LevelTracker::new(window, 0, false),
            system: SystemResult {
                entered: 0,
                left: 0,
                lost: 0,
                entered_total: 0,
                left_total: 0,
                lost_total: 0,
                in_system_at_end: 0,
                in_system_mean: 0.0,
                time_in_system: QuantileSketch::new(),
            },
            lost_node,
            per_type_results: network.results_by_type(),
            day_ends: f64::NEG_INFINITY,
            day_event_limit: 0,
            events_allowed: network.run.max_events_per_day,
            runaway: None,
            event_log: Default::default(),
            #[cfg(test)]
            trace: Vec::new(),
        };
        simulation.start_registers()?;
        simulation.schedule_initial_events()?;
        Ok(simulation)
    }

    pub(super) fn schedule_initial_events(&mut self) -> Result<(), SimulationError> {
        for t in 0..self.network.patient_types.len() {
            self.schedule_next_arrival(PatientTypeId(t as u32), 0.0)?;
        }
        self.place_census()?;
        for (index, service) in self.network.services.iter().enumerate() {
            let s = ServiceId(index as u32);
            for (c, change) in service.capacity_changes.iter().enumerate() {
                let event = Event::CapacityChange {
                    service: s,
                    change: c as u32,
                };
                self.schedule_dated(s, change.from_day, event)?;
            }
            if service.opening.is_some() {
                self.apply_opening(s, 0.0)?;
            }
            if self.services[s.index()].daily_limited {
                self.services[s.index()].limit_today = self.limit_on(s, self.day_of(0.0));
                let first_midnight = self.day_of(0.0) + 1;
                self.schedule_new_day(s, first_midnight)?;
            }
            for (c, change) in service.schedule_changes.iter().enumerate() {
                let event = Event::ScheduleChange {
                    service: s,
                    change: c as u32,
                };
                self.schedule_dated(s, change.from_day, event)?;
            }
        }
        Ok(())
    }

    /// Schedules a change of service s dated `from_day` days after the
    /// window starts (at time 0 if that is before the run starts; not at
    /// all if after it ends).
    fn schedule_dated(
        &mut self,
        s: ServiceId,
        from_day: f64,
        event: Event,
    ) -> Result<(), SimulationError> {
        let at = (self.window.start + from_day).max(0.0);
        if at < self.window.end {
            self.queue.schedule(
                SimTime::new(at).map_err(|e| self.time_error(s, e))?,
                CAPACITY_EVENT,
                event,
            )?;
        }
        Ok(())
    }

    /// Puts each service's census in place at time 0. Census patients are
    /// not admissions; they count as entered (so conservation holds) and
    /// leave like anyone else.
    pub(super) fn place_census(&mut self) -> Result<(), SimulationError> {
        let network = self.network;
        for (index, service) in network.services.iter().enumerate() {
            let s = ServiceId(index as u32);
            for (g, census) in service.census.iter().enumerate() {
                let t = census.patient_type;
                let Some(pathway) = network.pathway(t, s) else {
                    return Err(self.no_pathway(t, s));
                };
                // Census patients follow the versions in force at time 0.
                let day0 = -self.window.start;
                let stay = pathway.stay_on(day0);
                let routes = pathway.routes_on(day0);
                // The first group keeps the plain name (scenarios written
                // before groups existed draw the same numbers).
                let purpose = if g == 0 {
                    format!("census/{}", service.name)
                } else {
                    format!("census/{}/{g}", service.name)
                };
                let key = StreamKey::new(&purpose);
                for k in 0..census.start.patients() {
                    let mut rng = self.streams.substream(key, u64::from(k));
                    let mut drawn_route = NO_ROUTE;
                    let (age, residual) = match &census.start {
                        CensusStart::Equilibrium { .. } => {
                            match pathway.census_route_age_and_residual(&mut rng) {
                                Some((route, age, residual)) => {
                                    drawn_route = route as u16;
                                    (age, residual)
                                }
                                None => stay.sample_age_and_residual(&mut rng),
                            }
                        }
                        CensusStart::DaysIn(days) => {
                            let age = days[k as usize];
                            (age, stay.sample_residual_given(age, &mut rng))
                        }
                        CensusStart::FitToLeave { .. } => (0.0, 0.0),
                    };
                    let pid = self.new_patient(0.0, t, rng)?;
                    self.log_enter(0.0, pid, "census");
                    self.log_arrival(0.0, pid, s);
                    self.log_start(0.0, pid, s);
                    let patient = &mut self.patients[pid.index()];
                    patient.holding = MaybeService::some(s);
                    patient.drawn_route = drawn_route;
                    patient.started_at = -age;
                    patient.entered_at = -age;
                    patient.requested_at = -age;
                    patient.place_requested_at = -age;
                    let state = &mut self.services[s.index()];
                    state.occupied += 1;
                    state.occupancy.set(0.0, state.occupied);
                    self.review_escalation(s, 0.0);
                    #[cfg(test)]
                    self.trace(0.0, pid, "in", s, " (census)");
                    if matches!(census.start, CensusStart::FitToLeave { .. }) {
                        self.start_waiting(pid, s, routes)?;
                        continue;
                    }
                    let at = SimTime::new(residual).map_err(|e| self.time_error(s, e))?;
                    self.queue
                        .schedule(at, DEPARTURE_EVENT, Event::StayEnd(pid))?;
                }
            }
        }
        Ok(())
    }

    /// A census patient fit to leave and still here is waiting for
    /// something: their route is drawn among those that make patients wait
    /// (an arranging delay, or a place in another service). As for anyone
    /// found waiting at a random moment, a route is found in proportion to
    /// its probability × the mean wait it brings (its arranging delay; one
    /// day where it has none but leads to a service, the time blocked being
    /// unknown), and its delay is part-way through (the equilibrium
    /// residual). They try to leave once every census is in place.
    pub(super) fn start_waiting(
        &mut self,
        pid: PatientSlot,
        s: ServiceId,
        routes: &RouteTable,
    ) -> Result<(), SimulationError> {
        self.log_end(0.0, pid, s);
        let patient = &mut self.patients[pid.index()];
        patient.ready_at = 0.0;
        let waiting: Vec<(usize, f64)> = routes
            .choices()
            .enumerate()
            .filter_map(|(i, (p, d))| {
                let wait = match routes.delay(i) {
                    Some(delay) => delay.mean(),
                    None if matches!(d, Destination::Service(_)) => 1.0,
                    None => 0.0,
                };
                (p * wait > 0.0).then_some((i, p * wait))
            })
            .collect();
        let total: f64 = waiting.iter().map(|(_, p)| p).sum();
        let u: f64 = patient.rng.random();
        let index = if total > 0.0 {
            let mut left = u * total;
            waiting
                .iter()
                .find(|(_, p)| {
                    left -= p;
                    left < 0.0
                })
                .map_or(waiting[waiting.len() - 1].0, |(i, _)| *i)
        } else {
            routes.choose_index(u)
        };
        let next = routes.destination(index);
        patient.next = next;
        let arranging = routes
            .delay(index)
            .map_or(0.0, |d| d.sample_residual(&mut patient.rng));
        if matches!(next, Destination::Service(_)) && in_window(&self.window, 0.0) {
            let patient_type = self.patients[pid.index()].patient_type;
            self.count(s, patient_type, |c| c.onward_requests += 1);
        }
        if arranging > 0.0 {
            self.patients[pid.index()].held_since = 0.0;
            self.patients[pid.index()].held_reason = ARRANGING_REASON as u8;
            self.services[s.index()].held.increment(0.0);
        }
        let at = SimTime::new(arranging).map_err(|e| self.time_error(s, e))?;
        self.queue
            .schedule(at, DEPARTURE_EVENT, Event::DischargeRetry(pid))?;
        Ok(())
    }
}

/// Whether the service is unlimited at any time in the window (its
/// capacity metrics are then undefined); unlimited only during the warm-up
/// does not count.
fn unlimited_in_window(service: &Service, window: &Window) -> bool {
    let mut at_start = service.capacity;
    let mut later = false;
    for change in &service.capacity_changes {
        let at = window.start + change.from_day;
        if at <= window.start {
            at_start = change.capacity;
        } else if at < window.end {
            later |= change.capacity == Capacity::Unlimited;
        }
    }
    at_start == Capacity::Unlimited || later
}

/// Occupancy levels above which a service is over each threshold fraction.
pub(super) fn threshold_levels(thresholds: &[f64], capacity: Capacity) -> Vec<u32> {
    match capacity {
        Capacity::Limited(c) => thresholds
            .iter()
            // The epsilon keeps 0.7 × 90 = 62.99999999999999 at 63.
            .map(|f| (f * f64::from(c) + 1e-9).floor() as u32)
            .collect(),
        Capacity::Unlimited => Vec::new(),
    }
}

/// The largest number of places a service ever has (the bound for arrivals
/// per occupant; validation ensures it is limited).
fn largest_capacity(service: &Service) -> f64 {
    std::iter::once(service.capacity)
        .chain(service.capacity_changes.iter().map(|c| c.capacity))
        .map(|c| match c {
            Capacity::Limited(n) => f64::from(n),
            Capacity::Unlimited => f64::from(u32::MAX),
        })
        .fold(0.0, f64::max)
}

/// An empty ledger with a slot for each (type, service) pair that has a
/// pathway, and the window's years (anniversaries of the start date).
fn new_ledger(network: &Network, days: &DayTable, window_days: usize) -> Ledger {
    let services = network.services.len();
    let types = network.patient_types.len();
    let mut slot_of = vec![u32::MAX; types * services];
    let mut slots = 0u32;
    for (i, pathway) in network.pathways.iter().enumerate() {
        if pathway.is_some() {
            slot_of[i] = slots;
            slots += 1;
        }
    }
    let mut year_starts = vec![0.0];
    for day in 0..window_days as i64 {
        let year = days.year[days.slot(day)];
        if year as usize >= year_starts.len() {
            year_starts.push(day as f64);
        }
    }
    let years = year_starts.len();
    // Waits for a bed: emergency types in the adult acute beds.
    let mut bed_wait_slots = vec![false; slots as usize];
    if let Some(layout) = &network.layout {
        for (i, &slot) in slot_of.iter().enumerate() {
            let (t, s) = (i / services, i % services);
            if slot != u32::MAX
                && layout.services[s].role == Role::AcuteBeds
                && layout.cohorts[t].kind.is_emergency()
            {
                bed_wait_slots[slot as usize] = true;
            }
        }
    }
    Ledger {
        years,
        year_starts,
        slot_of,
        services,
        sinks: network.sinks.len(),
        cells: vec![YearCell::default(); slots as usize * years],
        sink_exits: vec![0; slots as usize * network.sinks.len() * years],
        entries: vec![0; types * years],
        bed_wait_slots,
        bed_waits: vec![QuantileSketch::new(); types * years],
        service_years: vec![ServiceYear::default(); services * years],
        direct_exits: vec![0; types * network.sinks.len() * years],
        prevented_deaths: vec![0; types * years],
        diverted_deaths: vec![0; types * years],
    }
}
