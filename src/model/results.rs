//! What one replication produces: counters, sketches and time-weighted
//! levels per service (and per patient type in each service), daily series,
//! the flow matrix and system totals. Every figure refers to the observation
//! window unless its name says `_total`.

use crate::stats::QuantileSketch;

/// Event counts in the window for one service (or one type in a service).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Requests for a place: arrivals from outside, transfers and diversions in.
    pub arrivals: u64,
    /// Requests that found the service full (or closed, or out of daily slots).
    pub found_full: u64,
    /// Patients who started a stay.
    pub admissions: u64,
    /// Admissions that did not wait at all.
    pub admitted_without_wait: u64,
    /// Requests that ended with the patient leaving the system (lost).
    pub lost: u64,
    /// Requests sent on to another service because this one was full.
    pub diverted: u64,
    /// Waiting patients who gave up after the maximum wait.
    pub timed_out: u64,
    /// Patients who left a place.
    pub departures: u64,
    /// Stays that ended with a route to another service.
    pub onward_requests: u64,
    /// Departures that had been delayed (blocked, arranging, or held for a discharge day).
    pub delayed_departures: u64,
    /// Arrivals that were returns after an earlier stay (readmissions).
    pub readmissions: u64,
    /// Admissions that waited more than [`LONG_WAIT_DAYS`] for their place.
    pub waits_over_12h: u64,
    /// Admissions that waited more than [`FOUR_HOURS_DAYS`] for their place.
    pub waits_over_4h: u64,
    /// Admissions of patients who had been waiting for another service
    /// (outliers from the other site).
    pub outliers_in: u64,
    /// Planned admissions cancelled on the day, each patient once (a
    /// rebooked date cancelled again is not counted again: the patient is
    /// still on the rebooking list).
    pub cancelled: u64,
}

/// Time-weighted levels of one service over the window.
#[derive(Clone, Debug, Default)]
pub struct LevelSummary {
    /// Mean places held (including blocked patients).
    pub occupancy_mean: f64,
    pub occupancy_peak: u32,
    /// Mean capacity over the window (NaN when unlimited).
    pub capacity_mean: f64,
    /// Share of window time with occupancy above each threshold of capacity.
    pub share_time_above: Vec<f64>,
    /// Mean patients ready to leave but waiting for a place elsewhere.
    pub blocked_mean: f64,
    /// Bed-days (place-days) held by blocked patients.
    pub blocked_days: f64,
    /// Mean patients ready to leave but held: arranging the discharge, or for a discharge day.
    pub discharge_held_mean: f64,
    pub discharge_held_days: f64,
    /// Mean length of the waiting list (outside arrivals and blocked transfers).
    pub waiting_mean: f64,
    /// Longest waiting list in the window.
    pub waiting_peak: u32,
    /// Most patients blocked here at once (ready to leave, waiting for a
    /// place elsewhere: in an ED, people waiting for a bed).
    pub blocked_peak: u32,
    /// Place-days held while arranging the discharge.
    pub arranging_days: f64,
    /// Place-days held for a discharge day (weekends).
    pub discharge_day_days: f64,
    /// Days with its escalation places open (time open, in days).
    pub escalation_open_days: f64,
    /// Place-days occupied above the capacity in force (in escalation places).
    pub escalation_place_days: f64,
    /// Share of window time at each occupancy level.
    pub occupancy_distribution: Vec<f64>,
}

impl LevelSummary {
    /// Place-days held by delayed patients: blocked, or held for a
    /// discharge day (the "delayed bed-days" of the metrics).
    pub fn delayed_days(&self) -> f64 {
        self.blocked_days + self.discharge_held_days
    }
}

/// Results for one service, all types together or one type.
#[derive(Clone, Debug)]
pub struct ServiceResult {
    pub counters: Counters,
    /// Length of stay (start to leaving the place) of departures, days.
    pub length_of_stay: QuantileSketch,
    /// Wait from request to start of admissions, days.
    pub wait: QuantileSketch,
    /// Delayed days (blocked or held) of each departure, days.
    pub delayed_days: QuantileSketch,
    /// Time-weighted levels; only for a whole service.
    pub levels: Option<LevelSummary>,
}

impl ServiceResult {
    pub(crate) fn new() -> ServiceResult {
        ServiceResult {
            counters: Counters::default(),
            length_of_stay: QuantileSketch::new(),
            wait: QuantileSketch::new(),
            delayed_days: QuantileSketch::new(),
            levels: None,
        }
    }
}

/// Daily series of one service over the window (index = window day).
#[derive(Clone, Debug, Default)]
pub struct DailyService {
    pub arrivals: Vec<u32>,
    pub admissions: Vec<u32>,
    pub lost: Vec<u32>,
    pub departures: Vec<u32>,
    pub occupancy_area: Vec<f64>,
    pub occupancy_peak: Vec<u32>,
    /// Place-days held by blocked or held patients.
    pub delayed_area: Vec<f64>,
    pub waiting_area: Vec<f64>,
}

/// Patients moved between each pair of nodes in the window. Nodes are
/// `arrival`, every service, every sink, then `lost`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FlowMatrix {
    pub nodes: Vec<String>,
    counts: Vec<u64>,
}

impl FlowMatrix {
    pub(crate) fn new(nodes: Vec<String>) -> FlowMatrix {
        let n = nodes.len();
        FlowMatrix {
            nodes,
            counts: vec![0; n * n],
        }
    }

    #[inline]
    pub(crate) fn add(&mut self, from: usize, to: usize) {
        let n = self.nodes.len();
        self.counts[from * n + to] += 1;
    }

    /// Patients moved from node `from` to node `to`.
    pub fn get(&self, from: usize, to: usize) -> u64 {
        self.counts[from * self.nodes.len() + to]
    }

    /// Non-zero (from, to, count) triples in node order.
    pub fn non_zero(&self) -> impl Iterator<Item = (&str, &str, u64)> + '_ {
        let n = self.nodes.len();
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(move |(i, &c)| (self.nodes[i / n].as_str(), self.nodes[i % n].as_str(), c))
    }
}

/// Whole-system figures.
#[derive(Clone, Debug)]
pub struct SystemResult {
    /// Patients who arrived from outside in the window.
    pub entered: u64,
    /// Patients who left to a sink in the window.
    pub left: u64,
    /// Patients lost (left the system unserved) in the window.
    pub lost: u64,
    /// Over the whole run, warm-up included: conservation holds exactly,
    /// `entered_total = left_total + lost_total + in_system_at_end`.
    pub entered_total: u64,
    pub left_total: u64,
    pub lost_total: u64,
    pub in_system_at_end: u64,
    /// Mean number of patients in the system over the window.
    pub in_system_mean: f64,
    /// Time from arrival to leaving (sink or lost) of those who left in the window.
    pub time_in_system: QuantileSketch,
}

/// Stays of `SHORT_STAY_DAYS` or less are "short": the National Cost
/// Collection prices non-elective stays of 0–1 nights apart, and a stay of
/// at most 2 days in continuous time spans at most 1-2 midnights.
pub const SHORT_STAY_DAYS: f64 = 2.0;

/// A wait for a place longer than this (4 hours) counts against the
/// four-hour standard (in ED, from the decision to admit to a bed).
pub const FOUR_HOURS_DAYS: f64 = 4.0 / 24.0;

/// A wait for a place longer than this (12 hours) is a "long wait": the
/// 12-hour standard from the decision to admit to a bed.
pub const LONG_WAIT_DAYS: f64 = 0.5;

/// Activity of one patient type in one service in one year of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct YearCell {
    /// Requests for a place (from outside, transfers, diversions, returns).
    pub arrivals: u64,
    pub admissions: u64,
    pub departures: u64,
    /// Departures after a stay of at most [`SHORT_STAY_DAYS`].
    pub short_departures: u64,
    pub lost: u64,
    pub diverted: u64,
    /// Arrivals that were readmissions.
    pub readmissions: u64,
    /// Sum of the lengths of stay of departures, days.
    pub los_sum: f64,
    /// Place-days held in this year (split at the year's start and end).
    pub place_days: f64,
    /// Place-days held while ready to leave (blocked, arranging or held
    /// for a discharge day).
    pub delayed_days: f64,
    /// The same place-days by reason (they add up to `delayed_days`):
    /// [`crate::model::ARRANGING_REASON`], [`crate::model::DISCHARGE_DAY_REASON`],
    /// then waiting for a place of each wait class from
    /// [`crate::model::FIRST_WAIT_REASON`] (the network's `wait_classes`).
    pub delayed_by_reason: [f64; crate::model::network::DELAY_REASONS],
    /// Sum of the waits of admissions (request for the place to admission), days.
    pub wait_sum: f64,
    /// Admissions that waited more than [`LONG_WAIT_DAYS`].
    pub waits_over_12h: u64,
    /// Admissions that waited more than [`FOUR_HOURS_DAYS`].
    pub waits_over_4h: u64,
    /// Admissions of patients who had been waiting for another service
    /// (outliers from the other site).
    pub outliers_in: u64,
    /// Planned admissions cancelled on the day, each patient once.
    pub cancelled: u64,
    /// Requests that found the service closed (outside its opening hours),
    /// part of those it could not take.
    pub found_closed: u64,
    /// Sum of the waits for their place of departures (so that wait plus
    /// length of stay can be taken over the same patients), days.
    pub departed_wait_sum: f64,
}

/// Pressure on one service in one year of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ServiceYear {
    /// Days with its escalation places open.
    pub escalation_open_days: f64,
    /// Place-days occupied above the capacity in force (escalation places).
    pub escalation_place_days: f64,
    /// Longest waiting list in the year.
    pub waiting_peak: u32,
    /// Most patients blocked here at once in the year.
    pub blocked_peak: u32,
    /// Planned patients cancelled here and waiting for their rebooked
    /// date: person-days in the year, and the most at once.
    pub rebooking_days: f64,
    pub rebooking_peak: u32,
    /// Planned patients waiting for a rebooked date at the end of the year.
    pub rebooking_at_end: u32,
}

/// Activity by patient type, service and year of the window: what outputs
/// split by cohort (ICC, age band) and by year are built from. Only the
/// (type, service) pairs with a pathway have cells.
#[derive(Clone, Debug)]
pub struct Ledger {
    /// Years in the window (the last may be partial).
    pub years: usize,
    /// Start of each year, days since the window start (year 0 starts at 0).
    pub year_starts: Vec<f64>,
    /// `slot_of[type * services + service]`: the pair's slot, or u32::MAX.
    pub(crate) slot_of: Vec<u32>,
    pub(crate) services: usize,
    pub(crate) sinks: usize,
    pub(crate) cells: Vec<YearCell>,
    /// Patients leaving to each sink: `[(slot * sinks + sink) * years + year]`.
    pub(crate) sink_exits: Vec<u64>,
    /// Arrivals from outside (not returns): `[type * years + year]`.
    pub(crate) entries: Vec<u64>,
    /// Per slot: whether its waits are waits for a bed (an emergency
    /// patient type in the adult acute beds of a whole system), whose
    /// distribution is kept in `bed_waits`.
    pub(crate) bed_wait_slots: Vec<bool>,
    /// Waits for a bed of admissions, per `[type * years + year]` (empty
    /// sketches for types that never wait for a bed).
    pub(crate) bed_waits: Vec<QuantileSketch>,
    /// Pressure per service and year: `[service * years + year]`.
    pub(crate) service_years: Vec<ServiceYear>,
    /// Arrivals whose entry route led straight to a sink, without a
    /// service (a death at home): `[(type * sinks + sink) * years + year]`.
    pub(crate) direct_exits: Vec<u64>,
    /// Arrivals a lever's lower rate prevented that died all the same
    /// (`PatientType::death_if_prevented`): `[type * years + year]`.
    pub(crate) prevented_deaths: Vec<u64>,
    /// People a lever kept out of a care home who died at home of its
    /// risk (`Pathway::diverted_from_care_home`): `[type * years + year]`.
    pub(crate) diverted_deaths: Vec<u64>,
}

impl Ledger {
    /// The cell of (type, service, year), if the type ever uses the service.
    pub fn cell(&self, patient_type: usize, service: usize, year: usize) -> Option<&YearCell> {
        let slot = *self.slot_of.get(patient_type * self.services + service)?;
        (slot != u32::MAX).then(|| &self.cells[slot as usize * self.years + year])
    }

    /// Patients of a type who left a service for a sink in a year.
    pub fn sink_exits(&self, patient_type: usize, service: usize, sink: usize, year: usize) -> u64 {
        match self.slot_of.get(patient_type * self.services + service) {
            Some(&slot) if slot != u32::MAX => {
                self.sink_exits[(slot as usize * self.sinks + sink) * self.years + year]
            }
            _ => 0,
        }
    }

    /// Patients of a type who arrived from outside in a year.
    pub fn entries(&self, patient_type: usize, year: usize) -> u64 {
        self.entries[patient_type * self.years + year]
    }

    /// The waits for a bed of a type's admissions in a year (emergency
    /// admissions to the adult acute beds of a whole system; empty
    /// otherwise).
    pub fn bed_waits(&self, patient_type: usize, year: usize) -> &QuantileSketch {
        &self.bed_waits[patient_type * self.years + year]
    }

    /// Patients of a type whose entry route took them straight to a sink
    /// (no service) in a year.
    pub fn direct_exits(&self, patient_type: usize, sink: usize, year: usize) -> u64 {
        self.direct_exits[(patient_type * self.sinks + sink) * self.years + year]
    }

    /// Arrivals of a type that a lever's lower rate prevented and that
    /// died all the same, in a year (no patient: counted here only).
    pub fn prevented_deaths(&self, patient_type: usize, year: usize) -> u64 {
        self.prevented_deaths[patient_type * self.years + year]
    }

    /// People of a type a lever kept out of a care home who died at home
    /// of its risk, in a year (after leaving the system: counted here only).
    pub fn diverted_deaths(&self, patient_type: usize, year: usize) -> u64 {
        self.diverted_deaths[patient_type * self.years + year]
    }

    /// Pressure on a service in a year (escalation, longest queues, rebookings).
    pub fn service_year(&self, service: usize, year: usize) -> &ServiceYear {
        &self.service_years[service * self.years + year]
    }
}

/// Everything one replication produced.
#[derive(Clone, Debug)]
pub struct ReplicationResult {
    pub replication: u64,
    pub seed: u64,
    pub horizon_days: f64,
    /// Per service, all types together.
    pub services: Vec<ServiceResult>,
    /// Per service, then per patient type: kept where
    /// `Network::results_by_type` says so, the totals where there is one
    /// type, and empty for a whole-system scenario.
    pub by_type: Vec<Vec<ServiceResult>>,
    pub daily: Vec<DailyService>,
    pub flows: FlowMatrix,
    pub system: SystemResult,
    pub ledger: Ledger,
    /// Events the engine processed (warm-up included).
    pub events_processed: u64,
    /// The values of the network's uncertain parameters it was run with,
    /// in the network's order.
    pub parameters: Vec<f64>,
    /// What each of the network's risk registers saw (empty without).
    pub registers: Vec<crate::model::register::RegisterSummary>,
    /// Moves between kinds of place and people in them, by month.
    pub period_flows: crate::model::period_flows::PeriodFlows,
}
