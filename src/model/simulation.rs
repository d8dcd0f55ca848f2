//! One replication of a network: the event handlers and the state they
//! change.
//!
//! # Events and their order
//! Events at the same instant run in this order (then first scheduled, first
//! run): midnights (`Priority(0)`), so a day's admission count is reset
//! before anything at that instant is admitted; capacity changes and
//! openings (`Priority(1)`), so an arrival at the instant a bed opens sees
//! it; ends of stay and discharge retries (`Priority(2)`), so a place freed
//! at an instant can be taken at that instant; arrivals (`Priority(3)`);
//! ends of maximum waits (`Priority(4)`), so a patient whose limit ends as a
//! place frees gets it.
//!
//! # Rules
//! - A request for a place (arrival from outside, transfer, diversion) is
//!   admitted if the service is open, below capacity, within its daily
//!   admissions and has nobody waiting; otherwise its `when_full` policy
//!   applies: wait (FIFO), or overflow (lose, divert).
//! - A transfer that waits keeps its current place (blocking after
//!   service); the place is released when the next service admits it.
//! - When a place frees, the waiting list is served in FIFO order.
//! - A patient ready to leave on a weekday whose discharge factor is below
//!   1 leaves with that probability, else tries again a day later.
//!
//! # Limits
//! A replication stops with an error, rather than exhaust the memory or
//! run for hours, when more people are in the system at once than the run
//! allows, more events are pending, or a simulated day has more events
//! than [`MAX_EVENTS_PER_DAY`](super::network::MAX_EVENTS_PER_DAY) (a
//! runaway: patients circling through moments-long stays or waits). The
//! checks are compares of counters; only after a runaway is found are the
//! next events tallied by service and kind, to say where it is.
//!
//! # Random numbers
//! Arrivals of each type come from the stream `arrivals/<type>`; each
//! patient has a stream of its own, `patient/<type>` sub-stream k for the
//! k-th arrival of that type, from which its stays and routes are drawn in
//! the order it needs them. Two scenarios run with the same seed therefore
//! see the same patients, each making the same choices where the
//! scenarios agree.

use std::collections::VecDeque;

use rand::RngExt;
use rand_distr::{Distribution as _, Exp1};

use super::network::{
    Capacity, CensusStart, Destination, FullPolicy, Network, Overflow, PatientTypeId, ServiceId,
};
use super::results::{
    Counters, DailyService, FlowMatrix, Ledger, LevelSummary, ReplicationResult, SHORT_STAY_DAYS,
    ServiceResult, SystemResult, YearCell,
};
use super::trackers::{LevelTracker, Window};
use crate::engine::{
    EventQueue, Priority, RandomStreams, ScheduleError, SimTime, Stream, StreamKey, TimeError,
};
use crate::stats::QuantileSketch;

/// Events handled after a replication passes its events per day, to say
/// where they are: enough for the shares to be plain, few enough to cost
/// nothing next to the events that passed the limit.
const RUNAWAY_SAMPLE: u64 = 100_000;

/// The index of arrivals (and returns) in [`RUNAWAY_KINDS`].
const RUNAWAY_ARRIVALS: usize = 3;

/// The kinds of event a runaway is told by: what they are, and the likely
/// cause and fix when most events are of that kind.
const RUNAWAY_KINDS: [(&str, &str); 5] = [
    (
        "ends of stays",
        "Patients are going round a loop of routes through these services with stays so short that a simulated day takes millions of moves; lengthen the stays there, or route more of these patients to a sink",
    ),
    (
        "ends of maximum waits",
        "Patients leave a waiting list after a moment and ask elsewhere, round and round; lengthen max_wait_days there, or let patients be lost after their wait (after_max_wait = \"lose\")",
    ),
    (
        "discharge retries",
        "Patients ready to leave are held day after day and almost never leave: raise the discharge_weekday_factors of these services",
    ),
    (
        "arrivals",
        "Arrivals are far more than any care system sees; check rate_per_day, the populations and the readmission probabilities",
    ),
    (
        "capacity changes, openings and midnights",
        "Check the capacity changes and opening hours of these services",
    ),
];

const NEW_DAY_EVENT: Priority = Priority(0);
const CAPACITY_EVENT: Priority = Priority(1);
const DEPARTURE_EVENT: Priority = Priority(2);
const ARRIVAL_EVENT: Priority = Priority(3);
const TIMEOUT_EVENT: Priority = Priority(4);

/// "No service" in patient fields.
const NONE: u32 = u32::MAX;

/// One visit of a patient to a service, reported when it ends. Times are in
/// days since the start of the observation window (negative in warm-up).
#[derive(Clone, Debug, PartialEq)]
pub struct EpisodeRecord<'a> {
    pub replication: u64,
    /// The patient's number in this replication (order of arrival).
    pub patient: u64,
    pub patient_type: &'a str,
    pub service: &'a str,
    /// When the patient asked for a place.
    pub requested_at: f64,
    /// When the stay started; None if never admitted (lost).
    pub started_at: Option<f64>,
    /// When the patient was ready to leave; None if never admitted.
    pub ready_at: Option<f64>,
    /// When the patient left the place (or the waiting list).
    pub left_at: f64,
    /// Days blocked, arranging the discharge, or held for a discharge day.
    pub delayed_days: f64,
    /// A service, a sink, or `lost`.
    pub destination: &'a str,
}

/// Receives episode records as they end.
pub trait EpisodeObserver {
    fn episode(&mut self, record: &EpisodeRecord<'_>);
}

/// No records wanted.
impl EpisodeObserver for () {
    #[inline]
    fn episode(&mut self, _: &EpisodeRecord<'_>) {}
}

impl<F: FnMut(&EpisodeRecord<'_>)> EpisodeObserver for F {
    fn episode(&mut self, record: &EpisodeRecord<'_>) {
        self(record)
    }
}

/// A run that could not go on. These indicate draws that cannot be
/// represented (e.g. an infinite stay from an extreme distribution) or a
/// defect; they are reported, never panicked on.
#[derive(Debug, Clone, thiserror::Error)]
pub enum SimulationError {
    #[error("a stay drawn for service `{service}` is not a finite number of days: {source}")]
    Time { service: String, source: TimeError },
    #[error("internal error: {0}")]
    Schedule(#[from] ScheduleError),
    #[error(
        "the simulation ran away on day {day:.1} of the window: more than {limit} events in one simulated day, where the whole-system baseline has about 1,200. {detail}"
    )]
    RunAway {
        day: f64,
        limit: u64,
        /// Where the events were and what to change.
        detail: String,
    },
    #[error(
        "more than {limit} people are in the system at once (by day {day:.1} of the window), more than one replication can hold in memory: arrivals far outpace the places' turnover. Check the arrival rates, populations and stays, or shorten run.horizon_days"
    )]
    TooManyPeople { day: f64, limit: usize },
    #[error(
        "more than {limit} events are pending (by day {day:.1} of the window), chiefly returns scheduled for later, more than one replication can hold in memory. Check the readmission probabilities and delays, or shorten run.horizon_days"
    )]
    TooManyPending { day: f64, limit: usize },
    #[error(
        "patients of type `{patient_type}` reached service `{service}`, which has no stay or routes for them"
    )]
    NoPathway {
        patient_type: String,
        service: String,
    },
}

#[derive(Clone, Copy, Debug)]
enum Event {
    Arrival(u32),
    StayEnd(u32),
    DischargeRetry(u32),
    WaitTimeout {
        patient: u32,
        ticket: u64,
    },
    CapacityChange {
        service: u32,
        change: u32,
    },
    OpeningToggle {
        service: u32,
        open: bool,
    },
    /// Midnight starting window day `day` (an integer, so rounding of
    /// `start + day` can never schedule the same midnight twice).
    NewDay {
        service: u32,
        day: i64,
    },
    /// A patient of this type returns to this service (a readmission).
    Readmission {
        patient_type: u32,
        service: u32,
    },
}

struct Patient {
    rng: Stream,
    number: u64,
    patient_type: u32,
    /// Service where the patient holds a place, or NONE.
    holding: u32,
    /// Service whose waiting list the patient is on, or NONE.
    waiting_for: u32,
    /// Non-zero while on a waiting list; matches the list entry.
    ticket: u64,
    next: Destination,
    entered_at: f64,
    /// When the patient last asked for a place (a transfer request overwrites it).
    requested_at: f64,
    /// When the patient asked for the place they now hold.
    place_requested_at: f64,
    started_at: f64,
    ready_at: f64,
    /// Since when blocked in `holding`; NaN if not blocked.
    blocked_since: f64,
    /// Since when held (arranging the discharge, or for a discharge day); NaN if not held.
    held_since: f64,
    /// Delayed days accumulated in the current place.
    delayed_days: f64,
}

struct ServiceState {
    capacity: u32,
    ever_unlimited: bool,
    open: bool,
    occupied: u32,
    starts_today: u32,
    waiting: VecDeque<(u32, u64)>,
    waiting_live: u32,
    occupancy: LevelTracker,
    capacity_level: LevelTracker,
    blocked: LevelTracker,
    held: LevelTracker,
    waiting_level: LevelTracker,
    total: ServiceResult,
    by_type: Vec<ServiceResult>,
    daily: DailyService,
}

impl ServiceState {
    /// The results a patient's event updates: the service's total, and its
    /// type's own where results are kept by type (with one type, the
    /// type's figures are the totals, copied at the end).
    #[inline]
    fn results(
        &mut self,
        per_type_results: bool,
        patient_type: u32,
    ) -> impl Iterator<Item = &mut ServiceResult> {
        let by_type = per_type_results.then(|| &mut self.by_type[patient_type as usize]);
        std::iter::once(&mut self.total).chain(by_type)
    }
}

/// Weekday and month of every day the run touches.
struct DayTable {
    first_day: i64,
    weekday: Vec<u8>,
    month: Vec<u8>,
    /// Whole years since run.start_date (negative during warm-up).
    year: Vec<i32>,
}

impl DayTable {
    #[inline]
    fn slot(&self, day: i64) -> usize {
        (day - self.first_day).clamp(0, self.weekday.len() as i64 - 1) as usize
    }
}

struct Simulation<'a, O: EpisodeObserver> {
    network: &'a Network,
    observer: &'a mut O,
    replication: u64,
    streams: RandomStreams,
    queue: EventQueue<Event>,
    window: Window,
    window_days: usize,
    days: DayTable,
    arrival_streams: Vec<Stream>,
    patient_keys: Vec<StreamKey>,
    arrivals_made: Vec<u64>,
    readmission_keys: Vec<StreamKey>,
    readmissions_made: Vec<u64>,
    max_rates: Vec<f64>,
    /// Whether a type's rate is constant before levers (no growth or
    /// seasonal factors).
    constant_rate: Vec<bool>,
    /// For constant-rate types with rate levers: the stream that thins
    /// their candidate arrivals, apart from the arrival stream, so the
    /// candidates are the same as without the levers (common random
    /// numbers) and a lever that only lowers the rate removes arrivals.
    lever_thinning: Vec<Option<Stream>>,
    /// For types whose arrivals come from a service's occupants: the
    /// service and its largest capacity (the thinning bound).
    per_occupant: Vec<Option<(usize, f64)>>,
    ledger: Ledger,
    /// Simulated times at which window years 1, 2 ... start (year 0 at the
    /// window start), the same floats `add_days` splits at.
    year_bounds: Vec<f64>,
    patients: Vec<Patient>,
    free_slots: Vec<u32>,
    services: Vec<ServiceState>,
    release_work: Vec<u32>,
    next_ticket: u64,
    next_patient_number: u64,
    flows: FlowMatrix,
    in_system: LevelTracker,
    system: SystemResult,
    lost_node: usize,
    per_type_results: bool,
    /// When the simulated day of the events being counted ends.
    day_ends: f64,
    /// The queue's count of events processed beyond which this day has
    /// had more than it allows.
    day_event_limit: u64,
    /// Events a day allows: the run's limit, then zero while a runaway's
    /// events are sampled (so that each one passes through
    /// [`Simulation::note_runaway`], off the hot path).
    events_allowed: u64,
    /// The events sampled since the run passed its limit.
    runaway: Option<Box<RunawaySample>>,
}

/// Where the events of a runaway replication are: counts by service and
/// kind (the index in [`RUNAWAY_KINDS`]).
struct RunawaySample {
    day: f64,
    by_service: Vec<[u64; RUNAWAY_KINDS.len()]>,
    sampled: u64,
    first: f64,
    last: f64,
}

/// Simulates replication `replication` of `network` under master seed
/// `seed`, sending each finished episode to `observer`.
pub fn simulate<O: EpisodeObserver>(
    network: &Network,
    seed: u64,
    replication: u64,
    observer: &mut O,
) -> Result<ReplicationResult, SimulationError> {
    let mut simulation = Simulation::new(network, seed, replication, observer)?;
    simulation.run()?;
    Ok(simulation.finish())
}

/// A hint to bring `value` into the cache (nothing on other targets).
#[inline(always)]
fn prefetch<T>(value: &T) {
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

#[inline]
fn in_window(window: &Window, now: f64) -> bool {
    now >= window.start
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    fn new(
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
        let services = network
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
                }
            })
            .collect();

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
                t.rate_per_day * m * w * g * occupants * t.max_rate_factor()
            })
            .collect();
        let per_occupant = network
            .patient_types
            .iter()
            .map(|t| {
                t.per_occupant_of
                    .map(|s| (s.index(), largest_capacity(&network.services[s.index()])))
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
            constant_rate,
            per_occupant,
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
        };
        simulation.schedule_initial_events()?;
        Ok(simulation)
    }

    fn schedule_initial_events(&mut self) -> Result<(), SimulationError> {
        for i in 0..self.network.patient_types.len() {
            self.schedule_next_arrival(i, 0.0)?;
        }
        self.place_census()?;
        for (s, service) in self.network.services.iter().enumerate() {
            for (c, change) in service.capacity_changes.iter().enumerate() {
                let at = (self.window.start + change.from_day).max(0.0);
                if at < self.window.end {
                    let event = Event::CapacityChange {
                        service: s as u32,
                        change: c as u32,
                    };
                    self.queue.schedule(
                        SimTime::new(at).map_err(|e| self.time_error(s, e))?,
                        CAPACITY_EVENT,
                        event,
                    )?;
                }
            }
            if let Some(hours) = service.opening {
                let day = self.day_of(0.0);
                let hour = (0.0 - self.window.midnight(day)) * 24.0;
                let weekday = usize::from(self.days.weekday[self.days.slot(day)]);
                let open = hours.is_open(weekday, hour);
                self.services[s].open = open;
                self.schedule_next_toggle(s, 0.0, open)?;
            }
            if service.max_admissions_per_day.is_some() {
                let first_midnight = self.day_of(0.0) + 1;
                self.schedule_new_day(s, first_midnight)?;
            }
        }
        Ok(())
    }

    /// Puts each service's census in place at time 0. Census patients are
    /// not admissions; they count as entered (so conservation holds) and
    /// leave like anyone else.
    fn place_census(&mut self) -> Result<(), SimulationError> {
        let network = self.network;
        for (s, service) in network.services.iter().enumerate() {
            for (g, census) in service.census.iter().enumerate() {
                let t = census.patient_type;
                let Some(pathway) = network.pathway(t, ServiceId(s as u32)) else {
                    return Err(self.no_pathway(t.0, s));
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
                    let (age, residual) = match &census.start {
                        CensusStart::Equilibrium { .. } => stay.sample_age_and_residual(&mut rng),
                        CensusStart::DaysIn(days) => {
                            let age = days[k as usize];
                            (age, stay.sample_residual_given(age, &mut rng))
                        }
                        CensusStart::FitToLeave { .. } => (0.0, 0.0),
                    };
                    let pid = self.new_patient(0.0, t.0, rng)?;
                    let patient = &mut self.patients[pid as usize];
                    patient.holding = s as u32;
                    patient.started_at = -age;
                    patient.entered_at = -age;
                    patient.requested_at = -age;
                    patient.place_requested_at = -age;
                    let state = &mut self.services[s];
                    state.occupied += 1;
                    state.occupancy.set(0.0, state.occupied);
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

    fn no_pathway(&self, patient_type: u32, service: usize) -> SimulationError {
        SimulationError::NoPathway {
            patient_type: self.network.patient_types[patient_type as usize]
                .name
                .clone(),
            service: self.network.services[service].name.clone(),
        }
    }

    /// The ledger year of a time in the window: a few comparisons, as
    /// most runs have a handful of years.
    #[inline]
    fn year_of(&self, t: f64) -> usize {
        self.year_bounds.iter().take_while(|b| **b <= t).count()
    }

    /// The ledger cell of a (type, service) pair in the year of `now`.
    #[inline]
    fn cell(&mut self, patient_type: u32, s: usize, now: f64) -> Option<&mut YearCell> {
        let slot = self.ledger.slot_of[patient_type as usize * self.ledger.services + s];
        if slot == u32::MAX {
            return None;
        }
        let index = slot as usize * self.ledger.years + self.year_of(now);
        Some(&mut self.ledger.cells[index])
    }

    /// Adds the part of [from, to) inside the window to the place-days (or
    /// delayed days) of a (type, service) pair, split across years.
    fn add_days(&mut self, patient_type: u32, s: usize, from: f64, to: f64, delayed: bool) {
        let slot = self.ledger.slot_of[patient_type as usize * self.ledger.services + s];
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
            if delayed {
                cell.delayed_days += b - a;
            } else {
                cell.place_days += b - a;
            }
            if to <= boundary {
                break;
            }
            a = boundary;
            year += 1;
        }
    }

    fn time_error(&self, service: usize, source: TimeError) -> SimulationError {
        SimulationError::Time {
            service: self.network.services[service].name.clone(),
            source,
        }
    }

    /// Window day of time t (negative during warm-up).
    #[inline]
    fn day_of(&self, t: f64) -> i64 {
        self.window.day_of(t)
    }

    #[inline]
    fn weekday_of(&self, t: f64) -> usize {
        usize::from(self.days.weekday[self.days.slot(self.day_of(t))])
    }

    /// Daily bucket of a time in the window. Clamped: `now - start` can
    /// round up to the window length for a time just before its end.
    #[inline]
    fn window_day(&self, now: f64) -> usize {
        (self.window.day_of(now).max(0) as usize).min(self.window_days - 1)
    }

    fn schedule_next_toggle(
        &mut self,
        s: usize,
        now: f64,
        open: bool,
    ) -> Result<(), SimulationError> {
        let Some(hours) = self.network.services[s].opening else {
            return Ok(());
        };
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
                            service: s as u32,
                            open: state,
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

    /// Schedules the midnight that starts window day `day`.
    fn schedule_new_day(&mut self, s: usize, day: i64) -> Result<(), SimulationError> {
        let at = self.window.midnight(day);
        if at < self.window.end {
            let time = SimTime::new(at).map_err(|e| self.time_error(s, e))?;
            self.queue.schedule(
                time,
                NEW_DAY_EVENT,
                Event::NewDay {
                    service: s as u32,
                    day,
                },
            )?;
        }
        Ok(())
    }

    /// Poisson arrivals with a rate varying by month and weekday, by
    /// thinning a process at the highest rate.
    fn schedule_next_arrival(
        &mut self,
        type_index: usize,
        from: f64,
    ) -> Result<(), SimulationError> {
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
            let slot = self.days.slot(self.window.day_of(t));
            // Arrivals per occupant are thinned here against the bound on
            // occupants, and by the actual occupants at the arrival.
            let occupants = self.per_occupant[type_index].map_or(1.0, |(_, bound)| bound);
            let rate = occupants
                * patient_type.rate_per_day
                * patient_type.monthly_factors[usize::from(self.days.month[slot])]
                * patient_type.weekday_factors[usize::from(self.days.weekday[slot])]
                * (1.0 + patient_type.growth_per_year).powi(self.days.year[slot])
                * if patient_type.rate_changes.is_empty() {
                    1.0
                } else {
                    patient_type.rate_factor(t - self.window.start)
                };
            let u: f64 = match &mut self.lever_thinning[type_index] {
                Some(stream) => stream.random(),
                None => self.arrival_streams[type_index].random(),
            };
            if u * max_rate < rate {
                break;
            }
        }
        let at = SimTime::new(t).map_err(|e| self.time_error(patient_type.arrive_at.index(), e))?;
        self.queue
            .schedule(at, ARRIVAL_EVENT, Event::Arrival(type_index as u32))?;
        Ok(())
    }

    fn run(&mut self) -> Result<(), SimulationError> {
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
                && let Some(patient) = self.patients.get(*p as usize)
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
                    Some(sample) => self.runaway_error(sample),
                    None => error,
                });
            }
        }
        match &self.runaway {
            Some(sample) => Err(self.runaway_error(sample)),
            None => Ok(()),
        }
    }

    /// Handles one event, then serves the waiting lists it may have freed.
    #[inline(always)]
    fn handle(&mut self, now: f64, event: Event) -> Result<(), SimulationError> {
        match event {
            Event::Arrival(t) => self.on_arrival(now, t)?,
            Event::StayEnd(p) => self.on_stay_end(now, p)?,
            Event::DischargeRetry(p) => self.try_leave(now, p)?,
            Event::WaitTimeout { patient, ticket } => self.on_timeout(now, patient, ticket)?,
            Event::CapacityChange { service, change } => {
                let s = service as usize;
                let capacity = self.network.services[s].capacity_changes[change as usize].capacity;
                let state = &mut self.services[s];
                state.capacity = capacity.places();
                state.capacity_level.set(now, capacity.places());
                state.occupancy.set_thresholds(
                    now,
                    threshold_levels(&self.network.run.occupancy_thresholds, capacity),
                );
                self.release_work.push(service);
            }
            Event::OpeningToggle { service, open } => {
                self.services[service as usize].open = open;
                self.schedule_next_toggle(service as usize, now, open)?;
                if open {
                    self.release_work.push(service);
                }
            }
            Event::Readmission {
                patient_type,
                service,
            } => self.on_readmission(now, patient_type, service)?,
            Event::NewDay { service, day } => {
                self.services[service as usize].starts_today = 0;
                self.schedule_new_day(service as usize, day + 1)?;
                self.release_work.push(service);
            }
        }
        self.process_releases(now)
    }

    /// The service an event is at, and what kind of event it is (its index
    /// in [`RUNAWAY_KINDS`]), for the runaway error.
    fn whereabouts(&self, event: Event) -> (Option<usize>, usize) {
        let patient = |p: u32| self.patients.get(p as usize);
        let held = |p: u32| patient(p).map(|p| p.holding).filter(|&s| s != NONE);
        match event {
            Event::StayEnd(p) => (held(p).map(|s| s as usize), 0),
            Event::WaitTimeout { patient: p, ticket } => (
                patient(p)
                    .filter(|p| p.ticket == ticket && p.waiting_for != NONE)
                    .map(|p| p.waiting_for as usize),
                1,
            ),
            Event::DischargeRetry(p) => (held(p).map(|s| s as usize), 2),
            Event::Arrival(t) => (
                Some(self.network.patient_types[t as usize].arrive_at.index()),
                RUNAWAY_ARRIVALS,
            ),
            Event::Readmission { service, .. } => (Some(service as usize), RUNAWAY_ARRIVALS),
            Event::CapacityChange { service, .. }
            | Event::OpeningToggle { service, .. }
            | Event::NewDay { service, .. } => (Some(service as usize), 4),
        }
    }

    /// Counts an event of a replication past its events per day: the first
    /// starts a sample of the next [`RUNAWAY_SAMPLE`] (nothing is counted
    /// by service while a run goes well, so as not to slow it), and the
    /// last ends the run with the error that says where they were. The
    /// events are handled as usual meanwhile.
    #[cold]
    #[inline(never)]
    fn note_runaway(&mut self, now: f64, event: Event) -> Result<(), SimulationError> {
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
            Some(sample) if sample.sampled >= RUNAWAY_SAMPLE => Err(self.runaway_error(sample)),
            _ => Ok(()),
        }
    }

    /// The error for a runaway replication, from its sample of events:
    /// the services they were at, what kind they were, and so the likely
    /// cause and its fix.
    #[cold]
    fn runaway_error(&self, sample: &RunawaySample) -> SimulationError {
        let by_service = &sample.by_service;
        let sampled = sample.sampled;
        let mut kinds = [0u64; RUNAWAY_KINDS.len()];
        for counts in by_service {
            for (total, n) in kinds.iter_mut().zip(counts) {
                *total += n;
            }
        }
        let mut busiest: Vec<(usize, u64)> = by_service
            .iter()
            .map(|kinds| kinds.iter().sum::<u64>())
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .collect();
        busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut detail = String::new();
        if sampled > 0 {
            let share = |n: u64| 100.0 * n as f64 / sampled as f64;
            let places: Vec<String> = busiest
                .iter()
                .take(4)
                .map(|&(s, n)| {
                    let k = (0..kinds.len())
                        .max_by_key(|&k| (by_service[s][k], std::cmp::Reverse(k)))
                        .unwrap_or(0);
                    format!(
                        "{:.0}% at `{}` ({})",
                        share(n),
                        self.network.services[s].name,
                        RUNAWAY_KINDS[k].0
                    )
                })
                .collect();
            let others = sampled - busiest.iter().take(4).map(|b| b.1).sum::<u64>();
            let others = if others > 0 {
                format!(", {:.0}% elsewhere", share(others))
            } else {
                String::new()
            };
            let span = sample.last - sample.first;
            let when = if span == 0.0 {
                " all at one instant (time has stopped)".to_string()
            } else if span >= 0.001 {
                format!(" in {span:.3} days")
            } else {
                format!(" in {span:.1e} days")
            };
            detail = format!(
                "Of the next {sampled} events{when}, {}{others}. ",
                places.join(", ")
            );
        }
        // The likely cause: arrivals when the patients make few events
        // each (the baseline's make 2.5), else the kind most events were.
        let kind = if kinds[RUNAWAY_ARRIVALS] > 0 && kinds[RUNAWAY_ARRIVALS] * 10 >= sampled {
            Some(RUNAWAY_ARRIVALS)
        } else {
            (0..kinds.len())
                .filter(|&k| kinds[k] > 0)
                .max_by_key(|&k| (kinds[k], std::cmp::Reverse(k)))
        };
        detail += kind.map_or(
            "Patients are moving far faster than time advances, or arrive far too often; look for loops of routes or diversions with short stays or waits, and check the arrival rates",
            |k| RUNAWAY_KINDS[k].1,
        );
        SimulationError::RunAway {
            day: sample.day,
            limit: self.network.run.max_events_per_day,
            detail,
        }
    }

    fn on_arrival(&mut self, now: f64, type_index: u32) -> Result<(), SimulationError> {
        let t = type_index as usize;
        self.schedule_next_arrival(t, now)?;
        // Arrivals from a service's occupants: the second stage of the
        // thinning, at the arrival instant, keeps a share occupied / bound.
        if let Some((s, bound)) = self.per_occupant[t] {
            let u: f64 = self.arrival_streams[t].random();
            if u * bound >= f64::from(self.services[s].occupied) {
                return Ok(());
            }
        }
        let k = self.arrivals_made[t];
        self.arrivals_made[t] += 1;
        let rng = self.patient_stream(t, k);
        let pid = self.new_patient(now, type_index, rng)?;
        if in_window(&self.window, now) {
            self.system.entered += 1;
            let year = self.year_of(now);
            self.ledger.entries[t * self.ledger.years + year] += 1;
        }
        let patient_type = &self.network.patient_types[t];
        let entry = match patient_type.entry_on(now - self.window.start) {
            Some(routes) => {
                let u: f64 = self.patients[pid as usize].rng.random();
                match routes.choose(u) {
                    Destination::Service(s) => s,
                    Destination::Sink(_) => patient_type.arrive_at,
                }
            }
            None => patient_type.arrive_at,
        };
        self.request_entry(now, pid, entry.0)
    }

    /// A patient returns after an earlier stay: a new arrival, from a
    /// stream of its own (the k-th return of this type).
    fn on_readmission(
        &mut self,
        now: f64,
        patient_type: u32,
        service: u32,
    ) -> Result<(), SimulationError> {
        let t = patient_type as usize;
        let k = self.readmissions_made[t];
        self.readmissions_made[t] += 1;
        let rng = self.streams.substream(self.readmission_keys[t], k);
        let pid = self.new_patient(now, patient_type, rng)?;
        if in_window(&self.window, now) {
            self.system.entered += 1;
            self.count(service as usize, patient_type, |c| c.readmissions += 1);
            if let Some(cell) = self.cell(patient_type, service as usize, now) {
                cell.readmissions += 1;
            }
        }
        self.request_entry(now, pid, service)
    }

    /// A new patient in the system (not yet asking for a place). Refused
    /// past the run's `max_people_in_system`, before the records outgrow
    /// memory.
    fn new_patient(
        &mut self,
        now: f64,
        type_index: u32,
        rng: Stream,
    ) -> Result<u32, SimulationError> {
        let patient = Patient {
            rng,
            number: self.next_patient_number,
            patient_type: type_index,
            holding: NONE,
            waiting_for: NONE,
            ticket: 0,
            next: Destination::Sink(super::network::SinkId(0)),
            entered_at: now,
            requested_at: now,
            place_requested_at: now,
            started_at: f64::NAN,
            ready_at: f64::NAN,
            blocked_since: f64::NAN,
            held_since: f64::NAN,
            delayed_days: 0.0,
        };
        self.next_patient_number += 1;
        let pid = match self.free_slots.pop() {
            Some(slot) => {
                self.patients[slot as usize] = patient;
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
                (self.patients.len() - 1) as u32
            }
        };
        self.system.entered_total += 1;
        self.in_system.increment(now);
        Ok(pid)
    }

    /// The k-th patient of a type always draws from the same stream.
    fn patient_stream(&self, type_index: usize, k: u64) -> Stream {
        self.streams.substream(self.patient_keys[type_index], k)
    }

    /// Counts for service s and the patient's type.
    #[inline]
    fn count(&mut self, s: usize, patient_type: u32, bump: impl Fn(&mut Counters)) {
        for result in self.services[s].results(self.per_type_results, patient_type) {
            bump(&mut result.counters);
        }
    }

    #[inline]
    fn can_admit(&self, s: usize) -> bool {
        let state = &self.services[s];
        state.open
            && state.occupied < state.capacity
            && self.network.services[s]
                .max_admissions_per_day
                .is_none_or(|limit| state.starts_today < limit)
    }

    /// A patient asks service s for a place.
    fn request_entry(&mut self, now: f64, pid: u32, s: u32) -> Result<(), SimulationError> {
        let si = s as usize;
        let patient_type = self.patients[pid as usize].patient_type;
        self.patients[pid as usize].requested_at = now;
        let counted = in_window(&self.window, now);
        if counted {
            self.count(si, patient_type, |c| c.arrivals += 1);
            let day = self.window_day(now);
            self.services[si].daily.arrivals[day] += 1;
            if let Some(cell) = self.cell(patient_type, si, now) {
                cell.arrivals += 1;
            }
        }
        if self.services[si].waiting_live == 0 && self.can_admit(si) {
            return self.admit(now, pid, s);
        }
        if counted {
            self.count(si, patient_type, |c| c.found_full += 1);
        }
        match self.network.services[si].when_full {
            FullPolicy::Wait { max_wait_days, .. } => {
                let ticket = self.next_ticket;
                self.next_ticket += 1;
                let patient = &mut self.patients[pid as usize];
                patient.ticket = ticket;
                patient.waiting_for = s;
                let holding = patient.holding;
                if holding != NONE {
                    patient.blocked_since = now;
                    self.services[holding as usize].blocked.increment(now);
                }
                let state = &mut self.services[si];
                state.waiting.push_back((pid, ticket));
                state.waiting_live += 1;
                state.waiting_level.set(now, state.waiting_live);
                if let Some(limit) = max_wait_days {
                    let at = SimTime::new(now + limit).map_err(|e| self.time_error(si, e))?;
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
    fn overflow(
        &mut self,
        now: f64,
        pid: u32,
        s: u32,
        overflow: Overflow,
    ) -> Result<(), SimulationError> {
        let patient_type = self.patients[pid as usize].patient_type;
        let counted = in_window(&self.window, now);
        match overflow {
            Overflow::Lose => {
                if counted {
                    self.count(s as usize, patient_type, |c| c.lost += 1);
                    let day = self.window_day(now);
                    self.services[s as usize].daily.lost[day] += 1;
                    if let Some(cell) = self.cell(patient_type, s as usize, now) {
                        cell.lost += 1;
                    }
                }
                self.lose(now, pid, s)
            }
            Overflow::Divert(to) => {
                if counted {
                    self.count(s as usize, patient_type, |c| c.diverted += 1);
                    if let Some(cell) = self.cell(patient_type, s as usize, now) {
                        cell.diverted += 1;
                    }
                }
                self.request_entry(now, pid, to.0)
            }
        }
    }

    /// The patient leaves the system unserved after asking service s.
    fn lose(&mut self, now: f64, pid: u32, s: u32) -> Result<(), SimulationError> {
        let counted = in_window(&self.window, now);
        let holding = self.patients[pid as usize].holding;
        if holding != NONE {
            self.leave_place(now, pid, holding, self.lost_node);
        } else {
            if counted {
                self.flows.add(0, self.lost_node);
            }
            let p = &self.patients[pid as usize];
            let record = EpisodeRecord {
                replication: self.replication,
                patient: p.number,
                patient_type: &self.network.patient_types[p.patient_type as usize].name,
                service: &self.network.services[s as usize].name,
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
                .add(now - self.patients[pid as usize].entered_at);
        }
        self.exit_system(now, pid);
        Ok(())
    }

    fn exit_system(&mut self, now: f64, pid: u32) {
        self.in_system.decrement(now);
        self.free_slots.push(pid);
    }

    /// Starts a stay in service s, releasing the place the patient held.
    fn admit(&mut self, now: f64, pid: u32, s: u32) -> Result<(), SimulationError> {
        let si = s as usize;
        let counted = in_window(&self.window, now);
        let previous = self.patients[pid as usize].holding;
        if previous != NONE {
            self.leave_place(now, pid, previous, 1 + si);
        } else if counted {
            self.flows.add(0, 1 + si);
        }
        let state = &mut self.services[si];
        state.occupied += 1;
        // Counted only where a daily limit resets it each midnight.
        if self.network.services[si].max_admissions_per_day.is_some() {
            state.starts_today += 1;
        }
        state.occupancy.set(now, state.occupied);

        let patient = &mut self.patients[pid as usize];
        let patient_type = patient.patient_type;
        let wait = now - patient.requested_at;
        patient.holding = s;
        patient.place_requested_at = patient.requested_at;
        patient.started_at = now;
        patient.delayed_days = 0.0;
        patient.blocked_since = f64::NAN;
        patient.held_since = f64::NAN;
        let Some(pathway) = self
            .network
            .pathway(super::network::PatientTypeId(patient_type), ServiceId(s))
        else {
            return Err(SimulationError::NoPathway {
                patient_type: self.network.patient_types[patient_type as usize]
                    .name
                    .clone(),
                service: self.network.services[si].name.clone(),
            });
        };
        let stay = pathway
            .stay_on(now - self.window.start)
            .sample(&mut patient.rng);
        if counted {
            let day = self.window_day(now);
            let state = &mut self.services[si];
            for result in state.results(self.per_type_results, patient_type) {
                result.counters.admissions += 1;
                result.counters.admitted_without_wait += u64::from(wait == 0.0);
                result.wait.add(wait);
            }
            state.daily.admissions[day] += 1;
            if let Some(cell) = self.cell(patient_type, si, now) {
                cell.admissions += 1;
            }
        }
        let at = SimTime::new(now + stay).map_err(|e| self.time_error(si, e))?;
        self.queue
            .schedule(at, DEPARTURE_EVENT, Event::StayEnd(pid))?;
        Ok(())
    }

    /// The patient gives up the place in service s and moves to flow node `to`.
    fn leave_place(&mut self, now: f64, pid: u32, s: u32, to: usize) {
        let si = s as usize;
        let counted = in_window(&self.window, now);
        let patient = &mut self.patients[pid as usize];
        let patient_type = patient.patient_type;
        let blocked_since = patient.blocked_since;
        if !blocked_since.is_nan() {
            patient.delayed_days += now - blocked_since;
            patient.blocked_since = f64::NAN;
            self.services[si].blocked.decrement(now);
        }
        let patient = &mut self.patients[pid as usize];
        patient.holding = NONE;
        let started_at = patient.started_at;
        let length_of_stay = now - started_at;
        let delayed = patient.delayed_days;
        if !blocked_since.is_nan() {
            self.add_days(patient_type, si, blocked_since, now, true);
        }
        self.add_days(patient_type, si, started_at, now, false);
        self.schedule_readmission(now, pid, si, to);
        let day = self.window_day(now);
        let state = &mut self.services[si];
        state.occupied -= 1;
        state.occupancy.set(now, state.occupied);
        if counted {
            for result in state.results(self.per_type_results, patient_type) {
                result.counters.departures += 1;
                result.counters.delayed_departures += u64::from(delayed > 0.0);
                result.length_of_stay.add(length_of_stay);
                result.delayed_days.add(delayed);
            }
            state.daily.departures[day] += 1;
            self.flows.add(1 + si, to);
            if let Some(cell) = self.cell(patient_type, si, now) {
                cell.departures += 1;
                cell.short_departures += u64::from(length_of_stay <= SHORT_STAY_DAYS);
                cell.los_sum += length_of_stay;
            }
        }
        let p = &self.patients[pid as usize];
        let record = EpisodeRecord {
            replication: self.replication,
            patient: p.number,
            patient_type: &self.network.patient_types[patient_type as usize].name,
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
    }

    /// A census patient fit to leave and still here is waiting for
    /// something: their route is drawn among those that make patients wait
    /// (an arranging delay, or a place in another service). As for anyone
    /// found waiting at a random moment, a route is found in proportion to
    /// its probability × the mean wait it brings (its arranging delay; one
    /// day where it has none but leads to a service, the time blocked being
    /// unknown), and its delay is part-way through (the equilibrium
    /// residual). They try to leave once every census is in place.
    fn start_waiting(
        &mut self,
        pid: u32,
        s: usize,
        routes: &super::network::RouteTable,
    ) -> Result<(), SimulationError> {
        let patient = &mut self.patients[pid as usize];
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
            let patient_type = self.patients[pid as usize].patient_type;
            self.count(s, patient_type, |c| c.onward_requests += 1);
        }
        if arranging > 0.0 {
            self.patients[pid as usize].held_since = 0.0;
            self.services[s].held.increment(0.0);
        }
        let at = SimTime::new(arranging).map_err(|e| self.time_error(s, e))?;
        self.queue
            .schedule(at, DEPARTURE_EVENT, Event::DischargeRetry(pid))?;
        Ok(())
    }

    fn on_stay_end(&mut self, now: f64, pid: u32) -> Result<(), SimulationError> {
        let patient = &mut self.patients[pid as usize];
        let s = patient.holding;
        let patient_type = patient.patient_type;
        patient.ready_at = now;
        let u: f64 = patient.rng.random();
        let day = now - self.window.start;
        let routes = &self
            .network
            .pathway(super::network::PatientTypeId(patient_type), ServiceId(s))
            .map(|p| p.routes_on(day));
        let Some(routes) = routes else {
            return Err(SimulationError::NoPathway {
                patient_type: self.network.patient_types[patient_type as usize]
                    .name
                    .clone(),
                service: self.network.services[s as usize].name.clone(),
            });
        };
        let index = routes.choose_index(u);
        let next = routes.destination(index);
        patient.next = next;
        let arranging = routes
            .delay(index)
            .map_or(0.0, |d| d.sample(&mut patient.rng));
        if matches!(next, Destination::Service(_)) && in_window(&self.window, now) {
            self.count(s as usize, patient_type, |c| c.onward_requests += 1);
        }
        if arranging > 0.0 {
            // Ready to leave but the discharge is being arranged: the
            // place is held (a delayed day) until it is, then the usual
            // discharge-day rule applies.
            let patient = &mut self.patients[pid as usize];
            patient.held_since = now;
            self.services[s as usize].held.increment(now);
            let at = SimTime::new(now + arranging).map_err(|e| self.time_error(s as usize, e))?;
            self.queue
                .schedule(at, DEPARTURE_EVENT, Event::DischargeRetry(pid))?;
            return Ok(());
        }
        self.try_leave(now, pid)
    }

    /// After leaving service s for flow node `to`, a return may follow.
    fn schedule_readmission(&mut self, now: f64, pid: u32, s: usize, to: usize) {
        let patient = &mut self.patients[pid as usize];
        let Some(readmission) = self
            .network
            .pathway(PatientTypeId(patient.patient_type), ServiceId(s as u32))
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
        let event = Event::Readmission {
            patient_type: patient.patient_type,
            service: readmission.service.0,
        };
        // A delay that is not a finite time (impossible for validated
        // distributions) or ends after the run is simply not scheduled.
        if let Ok(at) = SimTime::new(now + delay)
            && at.days() < self.window.end
        {
            let _ = self.queue.schedule(at, ARRIVAL_EVENT, event);
        }
    }

    /// A ready patient leaves today, or is held for another day by the
    /// service's weekday discharge factor.
    fn try_leave(&mut self, now: f64, pid: u32) -> Result<(), SimulationError> {
        let weekday = self.weekday_of(now);
        let patient = &mut self.patients[pid as usize];
        let s = patient.holding as usize;
        let factor = self.network.services[s].discharge_weekday_factors[weekday];
        if factor < 1.0 && patient.rng.random::<f64>() >= factor {
            if patient.held_since.is_nan() {
                patient.held_since = now;
                self.services[s].held.increment(now);
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
            self.services[s].held.decrement(now);
            self.add_days(patient_type, s, held_since, now, true);
        }
        let patient = &mut self.patients[pid as usize];
        match patient.next {
            Destination::Sink(sink) => {
                let entered_at = patient.entered_at;
                let patient_type = patient.patient_type as usize;
                let node = 1 + self.network.services.len() + sink.index();
                self.leave_place(now, pid, s as u32, node);
                self.system.left_total += 1;
                if in_window(&self.window, now) {
                    self.system.left += 1;
                    self.system.time_in_system.add(now - entered_at);
                    let year = self.year_of(now);
                    let ledger = &mut self.ledger;
                    let slot = ledger.slot_of[patient_type * ledger.services + s];
                    if slot != u32::MAX {
                        ledger.sink_exits[(slot as usize * ledger.sinks + sink.index())
                            * ledger.years
                            + year] += 1;
                    }
                }
                self.exit_system(now, pid);
                Ok(())
            }
            Destination::Service(next) => self.request_entry(now, pid, next.0),
        }
    }

    fn on_timeout(&mut self, now: f64, pid: u32, ticket: u64) -> Result<(), SimulationError> {
        let patient = &mut self.patients[pid as usize];
        if patient.ticket != ticket {
            return Ok(()); // admitted before the limit: nothing to do
        }
        let s = patient.waiting_for;
        patient.ticket = 0;
        patient.waiting_for = NONE;
        let holding = patient.holding;
        let patient_type = patient.patient_type;
        if holding != NONE && !patient.blocked_since.is_nan() {
            let blocked_since = patient.blocked_since;
            patient.delayed_days += now - blocked_since;
            patient.blocked_since = f64::NAN;
            self.services[holding as usize].blocked.decrement(now);
            self.add_days(patient_type, holding as usize, blocked_since, now, true);
        }
        let state = &mut self.services[s as usize];
        state.waiting_live -= 1;
        state.waiting_level.set(now, state.waiting_live);
        // The list entry stays behind with a stale ticket; drop them when
        // they pile up so memory stays proportional to live waiters.
        if state.waiting.len() > 2 * state.waiting_live as usize + 64 {
            let patients = &self.patients;
            state
                .waiting
                .retain(|&(p, t)| patients[p as usize].ticket == t);
        }
        if in_window(&self.window, now) {
            self.count(s as usize, patient_type, |c| c.timed_out += 1);
        }
        let then = match self.network.services[s as usize].when_full {
            FullPolicy::Wait { then, .. } => then,
            FullPolicy::Overflow(o) => o,
        };
        self.overflow(now, pid, s, then)
    }

    /// Serves waiting lists of services where places may have freed.
    fn process_releases(&mut self, now: f64) -> Result<(), SimulationError> {
        while let Some(s) = self.release_work.pop() {
            let si = s as usize;
            while self.services[si].waiting_live > 0 && self.can_admit(si) {
                let Some((pid, ticket)) = self.services[si].waiting.pop_front() else {
                    break;
                };
                let patient = &mut self.patients[pid as usize];
                if patient.ticket != ticket {
                    continue; // left the list after its maximum wait
                }
                patient.ticket = 0;
                patient.waiting_for = NONE;
                let state = &mut self.services[si];
                state.waiting_live -= 1;
                state.waiting_level.set(now, state.waiting_live);
                self.admit(now, pid, s)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> ReplicationResult {
        let end = self.window.end;
        let n_types = self.network.patient_types.len();
        // Stays, blocks and holds still open at the end count up to it.
        let mut free = vec![false; self.patients.len()];
        for &slot in &self.free_slots {
            free[slot as usize] = true;
        }
        let open: Vec<_> = self
            .patients
            .iter()
            .zip(&free)
            .filter(|(p, free)| !**free && p.holding != NONE)
            .map(|(p, _)| {
                let (t, s) = (p.patient_type, p.holding as usize);
                (t, s, p.started_at, p.blocked_since, p.held_since)
            })
            .collect();
        for (t, s, started, blocked, held) in open {
            self.add_days(t, s, started, end, false);
            for since in [blocked, held] {
                if !since.is_nan() {
                    self.add_days(t, s, since, end, true);
                }
            }
        }
        let thresholds = self.network.run.occupancy_thresholds.len();
        let mut services = Vec::with_capacity(self.services.len());
        let mut by_type = Vec::with_capacity(self.services.len());
        let mut daily = Vec::with_capacity(self.services.len());
        for mut state in self.services.drain(..) {
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
        }
    }
}

/// Whether the service is unlimited at any time in the window (its
/// capacity metrics are then undefined); unlimited only during the warm-up
/// does not count.
fn unlimited_in_window(service: &super::network::Service, window: &Window) -> bool {
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
fn threshold_levels(thresholds: &[f64], capacity: Capacity) -> Vec<u32> {
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
fn largest_capacity(service: &super::network::Service) -> f64 {
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
    Ledger {
        years,
        year_starts,
        slot_of,
        services,
        sinks: network.sinks.len(),
        cells: vec![YearCell::default(); slots as usize * years],
        sink_exits: vec![0; slots as usize * network.sinks.len() * years],
        entries: vec![0; types * years],
    }
}

#[cfg(test)]
mod tests {
    /// docs/performance.md counts a patient in the system as 128 bytes
    /// (two cache lines); a field added here should keep it so, or say why.
    #[test]
    fn a_patient_record_is_two_cache_lines() {
        assert_eq!(std::mem::size_of::<super::Patient>(), 128);
    }
}
