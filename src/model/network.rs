//! The validated description of a care network, as the simulation uses it.
//!
//! Built by `scenario` from a TOML file (or by hand in tests and benches);
//! every value here has already been checked, so the simulation never needs
//! to. Names are kept for output; the simulation works on dense ids.

pub use super::register::{MemberOf, MemberRate, RiskRegister};
use crate::engine::{CalendarDate, Distribution};

/// Index of a service in [`Network::services`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub u32);

/// Index of a patient type in [`Network::patient_types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatientTypeId(pub u32);

/// Index of a sink (home, death, out of area ...) in [`Network::sinks`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SinkId(pub u32);

impl ServiceId {
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl PatientTypeId {
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
impl SinkId {
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a patient goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    Service(ServiceId),
    Sink(SinkId),
}

/// How many patients a service can hold at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    Limited(u32),
    /// No limit: measures the demand for places.
    Unlimited,
}

impl Capacity {
    /// The limit as a number (u32::MAX when unlimited).
    #[inline]
    pub fn places(self) -> u32 {
        match self {
            Capacity::Limited(n) => n,
            Capacity::Unlimited => u32::MAX,
        }
    }
}

/// A change of capacity from a given time on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapacityChange {
    /// Days since the start of the observation window (negative: during warm-up).
    pub from_day: f64,
    pub capacity: Capacity,
}

/// What happens to a patient who cannot leave the waiting list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    /// Leaves the modelled system (diverted out of area, lost).
    Lose,
    /// Tries another service instead.
    Divert(ServiceId),
    /// Goes on by the `onward` routes of its own pathway at this service
    /// (a crisis that finds no same-day GP appointment goes on as it
    /// would have without one). Each patient type that can reach the
    /// service needs them: a run that sends on a patient without them
    /// stops with `SimulationError::NoOnward`.
    Onward,
}

/// What happens to an arrival (from outside or a transfer) that finds the
/// service full.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FullPolicy {
    /// Join the FIFO waiting list. A transfer waits in its current place
    /// (blocking after service). After `max_wait_days`, if given, overflow.
    Wait {
        max_wait_days: Option<f64>,
        then: Overflow,
    },
    /// Overflow at once.
    Overflow(Overflow),
}

/// Extra places a service opens under pressure (escalation beds): opened
/// when the places occupied reach `open_at` of the capacity in force, and
/// kept open until they fall to `close_at` of it or below. Patients already
/// in an escalation place when it closes stay until they leave.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Escalation {
    /// Places opened on top of the capacity in force.
    pub places: u32,
    /// Share of the capacity in force (0.95: 95%) occupied that opens them.
    pub open_at: f64,
    /// Share occupied at or below which they close (below `open_at`).
    pub close_at: f64,
}

/// Outlying: a patient waiting for a place here is admitted instead to
/// another service (the other acute site) if it has a free place, tried
/// first after `after_days` of waiting and again every `every_days`, while
/// still waiting. Only patients whose type has a pathway there outlie.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outlying {
    pub to: ServiceId,
    pub after_days: f64,
    pub every_days: f64,
}

/// Most kinds of place a patient may be waiting for when blocked
/// ([`Network::wait_classes`]).
pub const MAX_WAIT_CLASSES: usize = 6;

/// The reasons a delayed place-day is counted under, in the ledger's
/// `delayed_by_reason`: arranging the discharge, held for a discharge
/// day (weekends), then waiting for a place in a service of wait class
/// k (at index `FIRST_WAIT_REASON + k`).
pub const DELAY_REASONS: usize = 2 + MAX_WAIT_CLASSES;
/// Index of "arranging the discharge" in `delayed_by_reason`.
pub const ARRANGING_REASON: usize = 0;
/// Index of "held for a discharge day" in `delayed_by_reason`.
pub const DISCHARGE_DAY_REASON: usize = 1;
/// Index of wait class 0 in `delayed_by_reason`.
pub const FIRST_WAIT_REASON: usize = 2;

/// Opening days and hours; outside them no one is admitted (people already
/// admitted stay until their stay ends).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OpeningHours {
    /// Open on this weekday (Monday first).
    pub days: [bool; 7],
    /// Hour of the day it opens, 0 ≤ open_hour < close_hour ≤ 24.
    pub open_hour: f64,
    pub close_hour: f64,
}

impl OpeningHours {
    /// Open at `hour` of a day with weekday index `weekday`.
    pub fn is_open(&self, weekday: usize, hour: f64) -> bool {
        self.days[weekday] && hour >= self.open_hour && hour < self.close_hour
    }
}

/// The opening hours and daily limit of a service from `from_day` (days
/// since the start of the observation window, negative in the warm-up, as
/// for capacity changes) until the next change: both replace the ones in
/// force (`None`: always open, no limit).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScheduleChange {
    pub from_day: f64,
    pub opening: Option<OpeningHours>,
    pub max_admissions_per_day: Option<[u32; 7]>,
}

/// One service: a ward, a unit, a team, a home.
#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    pub description: String,
    /// What a place is (beds, slots, caseload, places), for output labels.
    pub capacity_unit: String,
    pub capacity: Capacity,
    /// Later capacities, sorted by time.
    pub capacity_changes: Vec<CapacityChange>,
    pub when_full: FullPolicy,
    pub opening: Option<OpeningHours>,
    /// Most admissions that may start on one calendar day, by weekday
    /// (Monday first): day units' slots, same-day appointments.
    pub max_admissions_per_day: Option<[u32; 7]>,
    /// Later opening hours and daily limits (levers: opening hours, funded
    /// appointments), sorted by time.
    pub schedule_changes: Vec<ScheduleChange>,
    /// Probability, by weekday (Monday first), that a patient ready to leave
    /// on that day leaves; otherwise they try again a day later. All 1 by
    /// default.
    pub discharge_weekday_factors: [f64; 7],
    /// Patients in place at the start of the run.
    pub census: Vec<Census>,
    /// Extra places opened under pressure, if any.
    pub escalation: Option<Escalation>,
    /// Where its waiting patients may outlie, if anywhere.
    pub outlying: Option<Outlying>,
    /// What a patient blocked while waiting for a place here is counted as
    /// waiting for: an index into [`Network::wait_classes`].
    pub wait_class: u8,
}

/// Destinations with their probabilities, and for each an optional delay
/// between being ready to leave and leaving (arranging the discharge:
/// assessment, a package of care, transport), spent holding the place.
#[derive(Clone, Debug)]
pub struct RouteTable {
    cumulative: Vec<f64>,
    destinations: Vec<Destination>,
    delays: Vec<Option<Distribution>>,
}

impl RouteTable {
    /// From (probability, destination) pairs already checked to be ≥ 0 and
    /// to add up to 1 within 1e-6; the last cumulative value is set to 1.
    pub fn new(choices: &[(f64, Destination)]) -> RouteTable {
        let with_delays: Vec<_> = choices.iter().map(|&(p, d)| (p, d, None)).collect();
        RouteTable::with_delays(&with_delays)
    }

    /// As [`RouteTable::new`], each destination with an optional delay.
    pub fn with_delays(choices: &[(f64, Destination, Option<Distribution>)]) -> RouteTable {
        let mut total = 0.0;
        let mut cumulative = Vec::with_capacity(choices.len());
        let mut destinations = Vec::with_capacity(choices.len());
        let mut delays = Vec::with_capacity(choices.len());
        // Routes of probability 0 are left out, so that forcing the last
        // cumulative value to 1 can never make one of them drawable.
        for (p, d, delay) in choices.iter().filter(|(p, _, _)| *p > 0.0) {
            total += p;
            cumulative.push(total);
            destinations.push(*d);
            delays.push(delay.clone());
        }
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        RouteTable {
            cumulative,
            destinations,
            delays,
        }
    }

    /// A single destination.
    pub fn to(destination: Destination) -> RouteTable {
        RouteTable::new(&[(1.0, destination)])
    }

    /// The destination for a uniform draw u in [0, 1).
    #[inline]
    pub fn choose(&self, u: f64) -> Destination {
        self.destinations[self.choose_index(u)]
    }

    /// The index of the route for a uniform draw u in [0, 1).
    #[inline]
    pub fn choose_index(&self, u: f64) -> usize {
        self.cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.destinations.len() - 1)
    }

    #[inline]
    pub fn destination(&self, index: usize) -> Destination {
        self.destinations[index]
    }

    /// The delay before leaving by route `index`, if it has one.
    #[inline]
    pub fn delay(&self, index: usize) -> Option<&Distribution> {
        self.delays[index].as_ref()
    }

    /// (probability, destination, delay) of every route.
    pub fn entries(&self) -> Vec<(f64, Destination, Option<Distribution>)> {
        self.choices()
            .zip(&self.delays)
            .map(|((p, d), delay)| (p, d, delay.clone()))
            .collect()
    }

    /// The same routes with the delays of the destinations `applies`
    /// picks multiplied by `factor` (a faster discharge assessment).
    pub fn with_delays_scaled(
        &self,
        applies: impl Fn(Destination) -> bool,
        factor: f64,
    ) -> Result<RouteTable, crate::engine::DistributionError> {
        let entries = self
            .entries()
            .into_iter()
            .map(|(p, d, delay)| match delay {
                Some(delay) if applies(d) => delay.scaled(factor).map(|x| (p, d, Some(x))),
                other => Ok((p, d, other)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RouteTable::with_delays(&entries))
    }

    /// The same routes with the share going to the destinations `from`
    /// picks multiplied by `factor`; the share given up goes to the
    /// destinations `to` in proportion to their own shares (to the first of
    /// them, with its delay, when none is drawable), and a share gained is
    /// taken from them the same way. Err(missing share) when `to` has less
    /// than a `factor` above 1 would take.
    pub fn with_share_moved(
        &self,
        from: impl Fn(Destination) -> bool,
        factor: f64,
        to: &[(Destination, Option<Distribution>)],
    ) -> Result<RouteTable, f64> {
        let mut entries = self.entries();
        let in_to = |d: Destination| to.iter().any(|(t, _)| *t == d);
        let from_share: f64 = entries
            .iter()
            .filter(|(_, d, _)| from(*d) && !in_to(*d))
            .map(|(p, _, _)| p)
            .sum();
        let moved = (1.0 - factor) * from_share;
        let to_share: f64 = entries
            .iter()
            .filter(|(_, d, _)| in_to(*d))
            .map(|(p, _, _)| p)
            .sum();
        if moved < 0.0 && to_share < -moved * (1.0 - 1e-12) {
            return Err(-moved - to_share);
        }
        for (p, d, _) in &mut entries {
            if in_to(*d) {
                *p = (*p + moved * *p / to_share).max(0.0);
            } else if from(*d) {
                *p *= factor;
            }
        }
        if to_share == 0.0 && moved > 0.0 {
            let (d, delay) = to[0].clone();
            entries.push((moved, d, delay));
        }
        Ok(RouteTable::with_delays(&entries))
    }

    /// The same routes with the share going to `destination` set to
    /// `share` and the others scaled to make up the rest; when nothing else
    /// is drawable, the rest goes to `fallback`.
    pub fn with_share_set(
        &self,
        destination: Destination,
        share: f64,
        fallback: Destination,
    ) -> RouteTable {
        let mut entries = self.entries();
        let current: f64 = entries
            .iter()
            .filter(|(_, d, _)| *d == destination)
            .map(|(p, _, _)| p)
            .sum();
        let others = 1.0 - current;
        for (p, d, _) in &mut entries {
            if *d == destination {
                *p *= if current > 0.0 { share / current } else { 0.0 };
            } else if others > 0.0 {
                *p *= (1.0 - share) / others;
            }
        }
        if current == 0.0 {
            entries.push((share, destination, None));
        }
        if others <= 0.0 {
            entries.push((1.0 - share, fallback, None));
        }
        RouteTable::with_delays(&entries)
    }

    /// (probability, destination) pairs.
    pub fn choices(&self) -> impl Iterator<Item = (f64, Destination)> + '_ {
        let mut previous = 0.0;
        self.cumulative
            .iter()
            .zip(&self.destinations)
            .map(move |(&c, &d)| {
                let p = c - previous;
                previous = c;
                (p, d)
            })
    }
}

/// A return after leaving a service: with `probability`, the same kind of
/// patient arrives again at `service` after `delay` days (a readmission).
#[derive(Clone, Debug)]
pub struct Readmission {
    pub probability: f64,
    pub delay: Distribution,
    pub service: ServiceId,
    /// Leaving to these destinations never leads to a return (death).
    pub not_after: Vec<Destination>,
}

/// What a patient of one type does in one service.
#[derive(Clone, Debug)]
pub struct Pathway {
    /// Time in the service until ready to leave, days.
    pub stay: Distribution,
    /// Where they go when ready.
    pub routes: RouteTable,
    /// Where they go instead when the service cannot take them and its
    /// policy is [`Overflow::Onward`].
    pub onward: Option<RouteTable>,
    /// A possible return after leaving.
    pub readmission: Option<Readmission>,
    /// Later versions of the stay and routes (levers: shorter stays,
    /// faster discharges, other destinations), in order of `from_day`.
    pub changes: Vec<PathwayChange>,
    /// Of the patients whose route leads home, a share who die there
    /// instead (None: nobody).
    pub dies_at_home: Option<DiesAtHome>,
    /// Who the later versions send elsewhere than to the care home the
    /// base routes would have sent them to, and the care home's risk of
    /// death they keep (None: no version diverts anyone).
    pub diverted_from_care_home: Option<DivertedFromCareHome>,
    /// Stays by destination (`stay_by_destination`), one per route of
    /// `routes` in its order: the route is then drawn on admission and
    /// the stay from its distribution; `stay` is their mixture (the stay
    /// of a patient whose destination is not known). None: the stay is
    /// `stay` and the route is drawn when the patient is ready to leave.
    /// Such a pathway has no later versions (`changes` is empty). A census
    /// given by days already spent draws from `stay` and its route when
    /// ready (scenarios refuse it: the route would depend on the days).
    pub stay_by_route: Option<Vec<Distribution>>,
}

/// Of the patients a later version of a pathway routes elsewhere, those
/// whom it diverted from a care home (a `care_home_discharge` lever) keep
/// the care home's risk of death: they die at home, with the chance
/// (× `multiplier`) and after the stay they would have had in it, unless
/// they die in a service first (`simulation/diverted.rs`). Drawn from the
/// type's own stream `diverted-deaths/<type>`.
#[derive(Clone, Debug, PartialEq)]
pub struct DivertedFromCareHome {
    /// The sink a diverted patient dying in a service leaves for: no
    /// second death is counted for them.
    pub death: SinkId,
    /// × the care home's chance that a stay ends in death, 0 to 1.
    pub multiplier: f64,
    /// One per version (as [`Pathway::changes`]): None when that version
    /// diverts nobody.
    pub versions: Vec<Option<CareHomeDiversion>>,
}

/// Who one version of a pathway diverts from care homes.
#[derive(Clone, Debug, PartialEq)]
pub struct CareHomeDiversion {
    /// By route index of the version: the chance that a patient drawing
    /// the route is one it diverted from a care home (the share the route
    /// gained over the base, of its share).
    pub chance: Vec<f64>,
    /// The care homes they would have gone to, each with its share of the
    /// diverted (the share of the routes it lost), adding up to 1.
    pub homes: Vec<(f64, ServiceId)>,
}

/// Of the patients leaving a service whose route (in whichever version is
/// in force) leads to the sink `home`, a share `probability` goes to the
/// sink `death` instead: a crisis managed at home keeps its risk of death.
/// Drawn from the type's own stream `home-deaths/<type>`, so the patient's
/// other draws are as without it; a lever that sends more people home
/// sends more of these deaths with them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DiesAtHome {
    pub home: SinkId,
    pub death: SinkId,
    pub probability: f64,
}

/// The stay and routes of a pathway from `from_day` (days since the start
/// of the observation window, as for capacity changes) until the next
/// change. A stay follows the version in force when it starts; a route,
/// the version in force when the patient is ready to leave.
#[derive(Clone, Debug)]
pub struct PathwayChange {
    pub from_day: f64,
    pub stay: Distribution,
    pub routes: RouteTable,
    /// The onward routes from then on (`None`: the base pathway's).
    pub onward: Option<RouteTable>,
}

impl Pathway {
    pub fn new(stay: Distribution, routes: RouteTable) -> Pathway {
        Pathway {
            stay,
            routes,
            onward: None,
            readmission: None,
            changes: Vec::new(),
            dies_at_home: None,
            diverted_from_care_home: None,
            stay_by_route: None,
        }
    }

    /// A pathway whose stay depends on the destination: `stays[i]` is the
    /// stay of a patient bound for route i of `routes` (as
    /// [`RouteTable::choices`] lists them). Its `stay` is their mixture,
    /// weighted by the routes' probabilities. At most 65,534 routes: the
    /// route drawn is kept in two bytes of the patient's record (scenario
    /// validation refuses more).
    pub fn with_stay_by_route(
        routes: RouteTable,
        stays: Vec<Distribution>,
    ) -> Result<Pathway, crate::engine::DistributionError> {
        debug_assert_eq!(routes.choices().count(), stays.len());
        debug_assert!(stays.len() < usize::from(u16::MAX));
        let weighted = routes
            .choices()
            .map(|(p, _)| p)
            .zip(stays.clone())
            .collect();
        let stay = Distribution::mixture(weighted)?;
        Ok(Pathway {
            stay_by_route: Some(stays),
            ..Pathway::new(stay, routes)
        })
    }

    /// The same pathway, with onward routes for a patient the service
    /// turns away.
    pub fn with_onward(self, onward: RouteTable) -> Pathway {
        Pathway {
            onward: Some(onward),
            ..self
        }
    }

    /// For a census patient found at random in a service in equilibrium,
    /// where the stay depends on the destination: the route they are
    /// bound for, the time spent and the time left. A route is found in
    /// proportion to its probability × its mean stay (the share of places
    /// its patients hold), then the stay's age and residual are drawn as
    /// for any census patient. None without stays by destination.
    pub fn census_route_age_and_residual<R: rand::Rng + ?Sized>(
        &self,
        rng: &mut R,
    ) -> Option<(usize, f64, f64)> {
        let stays = self.stay_by_route.as_ref()?;
        let held: Vec<f64> = self
            .routes
            .choices()
            .zip(stays)
            .map(|((p, _), stay)| p * stay.mean())
            .collect();
        let total: f64 = held.iter().sum();
        let u: f64 = rand::RngExt::random(rng);
        // All stays of zero length: no place is held, any route will do.
        let route = if total > 0.0 {
            let mut left = u * total;
            held.iter()
                .position(|h| {
                    left -= h;
                    left < 0.0
                })
                .unwrap_or_else(|| held.iter().rposition(|h| *h > 0.0).unwrap_or(0))
        } else {
            self.routes.choose_index(u)
        };
        let (age, residual) = stays[route].sample_age_and_residual(rng);
        Some((route, age, residual))
    }

    /// The version in force on `day`, if a change has started by then.
    #[inline]
    fn change_on(&self, day: f64) -> Option<&PathwayChange> {
        self.changes.iter().rev().find(|c| day >= c.from_day)
    }

    /// Who the version in force on `day` diverts from care homes, if any.
    pub fn diversion_on(&self, day: f64) -> Option<&CareHomeDiversion> {
        let diverted = self.diverted_from_care_home.as_ref()?;
        let version = self.changes.iter().rposition(|c| day >= c.from_day)?;
        diverted.versions.get(version)?.as_ref()
    }

    /// The stay of a patient admitted on `day`.
    #[inline]
    pub fn stay_on(&self, day: f64) -> &Distribution {
        self.change_on(day).map_or(&self.stay, |c| &c.stay)
    }

    /// The routes of a patient ready to leave on `day`.
    #[inline]
    pub fn routes_on(&self, day: f64) -> &RouteTable {
        self.change_on(day).map_or(&self.routes, |c| &c.routes)
    }

    /// The onward routes of a patient turned away on `day`.
    pub fn onward_on(&self, day: f64) -> Option<&RouteTable> {
        self.change_on(day)
            .and_then(|c| c.onward.as_ref())
            .or(self.onward.as_ref())
    }
}

/// Patients already in a service when the run starts (today's census), so
/// a run can start from now instead of from empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Census {
    pub patient_type: PatientTypeId,
    pub start: CensusStart,
}

/// How far through their stays the census patients are.
#[derive(Clone, Debug, PartialEq)]
pub enum CensusStart {
    /// Part-way through, time spent and time left drawn from the
    /// equilibrium of the stay distribution (long-stay services then need
    /// no long warm-up).
    Equilibrium { patients: u32 },
    /// One patient per value: days already spent; the time left is drawn
    /// from the stay distribution given it has lasted that long.
    DaysIn(Vec<f64>),
    /// Ready to leave now (a delayed-discharge backlog): their routes are
    /// drawn at the start, and they wait for the next service if it is full.
    FitToLeave { patients: u32 },
}

impl CensusStart {
    pub fn patients(&self) -> u32 {
        match self {
            CensusStart::Equilibrium { patients } | CensusStart::FitToLeave { patients } => {
                *patients
            }
            CensusStart::DaysIn(days) => days.len() as u32,
        }
    }
}

/// A kind of patient with its own arrival stream.
#[derive(Clone, Debug)]
pub struct PatientType {
    pub name: String,
    pub description: String,
    /// The service the patient asks for on arrival.
    pub arrive_at: ServiceId,
    /// When given, the first service is drawn from these routes (from the
    /// patient's own stream) instead of `arrive_at`.
    pub entry: Option<RouteTable>,
    /// Mean Poisson arrivals per day before seasonal factors; per occupant
    /// of `per_occupant_of` when that is given.
    pub rate_per_day: f64,
    /// Arrivals come from the people in this service (care-home residents'
    /// crises): the rate is `rate_per_day` × its current occupancy.
    pub per_occupant_of: Option<ServiceId>,
    /// Arrivals come from the members of a risk tier (crises, referrals):
    /// the rate is `rate_per_day` × the members now (see
    /// [`RiskRegister`]).
    pub per_member_of: Option<MemberOf>,
    /// Multipliers of the rate by calendar month (January first).
    pub monthly_factors: [f64; 12],
    /// Multipliers of the rate by weekday (Monday first).
    pub weekday_factors: [f64; 7],
    /// Multipliers of the rate by hour of the day (00:00-01:00 first),
    /// averaging 1 over the day so that a day's arrivals are unchanged;
    /// all 1 spreads them evenly over the 24 hours.
    pub hourly_factors: [f64; 24],
    /// Growth of the rate per year, compounding at each anniversary of
    /// `run.start_date` (0.02: +2% a year; the year before the start date,
    /// during warm-up, has the rate divided by 1.02).
    pub growth_per_year: f64,
    /// Multipliers of the rate over time (levers), multiplied together.
    pub rate_changes: Vec<RateChange>,
    /// Later versions of `entry` (levers: more crises offered rapid
    /// response), each in force from its day until the next.
    pub entry_changes: Vec<EntryChange>,
    /// Planned admissions: cancelled on the day when the service asked is
    /// too full, and rebooked (None: never cancelled).
    pub cancellation: Option<Cancellation>,
    /// The probability that an arrival a lever's lower rate prevents (one
    /// the rate without `rate_changes` would have made) dies all the
    /// same, at home: counted in the ledger's `prevented_deaths`, from the
    /// stream `prevented-deaths/<type>`. 0: nothing is drawn or counted.
    pub death_if_prevented: f64,
}

/// When a planned admission is cancelled, and when it is rebooked for.
#[derive(Clone, Debug)]
pub struct Cancellation {
    /// Cancelled when the places occupied in the service asked are at or
    /// above this share of its places open (capacity in force plus open
    /// escalation places), or it cannot admit.
    pub occupancy_at: f64,
    /// Days from the cancellation to the rebooked date. A patient whose
    /// rebooked date is cancelled again is counted once as cancelled and
    /// stays on the rebooking list.
    pub rebook_after: Distribution,
    /// Where a patient whose rebooked date is cancelled too is treated
    /// instead (another provider: the independent sector, another trust),
    /// counted as `diverted`; None: rebooked again and again.
    pub elsewhere: Option<ServiceId>,
}

/// The entry routes of a patient type from `from_day` (days since the
/// start of the observation window).
#[derive(Clone, Debug)]
pub struct EntryChange {
    pub from_day: f64,
    pub entry: RouteTable,
}

/// A change of a rate over time: × 1 before `from_day`, moving linearly
/// to × `factor` at `full_day`, and × `factor` after (days since the start
/// of the observation window, as for capacity changes).
#[derive(Clone, Debug, PartialEq)]
pub struct RateChange {
    pub from_day: f64,
    pub full_day: f64,
    pub factor: f64,
}

impl RateChange {
    /// The multiplier on `day`.
    #[inline]
    pub fn factor_on(&self, day: f64) -> f64 {
        if day <= self.from_day {
            1.0
        } else if day >= self.full_day {
            self.factor
        } else {
            let done = (day - self.from_day) / (self.full_day - self.from_day);
            1.0 + (self.factor - 1.0) * done
        }
    }
}

impl PatientType {
    /// A type arriving at `arrive_at` at `rate_per_day`, the same in every
    /// month, weekday and hour, with no growth, entry routes, later
    /// changes or cancellations (set those fields after).
    pub fn new(
        name: String,
        description: String,
        arrive_at: ServiceId,
        rate_per_day: f64,
    ) -> PatientType {
        PatientType {
            name,
            description,
            arrive_at,
            entry: None,
            rate_per_day,
            per_occupant_of: None,
            per_member_of: None,
            monthly_factors: [1.0; 12],
            weekday_factors: [1.0; 7],
            hourly_factors: [1.0; 24],
            growth_per_year: 0.0,
            rate_changes: Vec::new(),
            entry_changes: Vec::new(),
            cancellation: None,
            death_if_prevented: 0.0,
        }
    }

    /// The entry routes for an arrival on `day`, if the type has any.
    #[inline]
    pub fn entry_on(&self, day: f64) -> Option<&RouteTable> {
        match self.entry_changes.iter().rev().find(|c| day >= c.from_day) {
            Some(change) => Some(&change.entry),
            None => self.entry.as_ref(),
        }
    }

    /// The product of the rate changes on `day`.
    #[inline]
    pub fn rate_factor(&self, day: f64) -> f64 {
        self.rate_changes.iter().map(|c| c.factor_on(day)).product()
    }

    /// A bound on [`PatientType::rate_factor`] over all time.
    pub fn max_rate_factor(&self) -> f64 {
        self.rate_changes
            .iter()
            .map(|c| c.factor.max(1.0))
            .product()
    }
}

/// Run control.
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Calendar date of day 0 of the observation window.
    pub start_date: CalendarDate,
    /// Days simulated before the window and left out of every statistic.
    pub warmup_days: f64,
    /// Length of the observation window, days.
    pub horizon_days: f64,
    /// Default number of replications.
    pub replications: u32,
    /// Default master seed.
    pub seed: u64,
    /// Occupancy fractions for "share of time above" metrics (e.g. 0.92).
    pub occupancy_thresholds: Vec<f64>,
    /// People allowed in the system at once before a replication stops
    /// with an error: [`MAX_PEOPLE_IN_SYSTEM`] from a scenario file (not a
    /// scenario key; tests lower it).
    pub max_people_in_system: usize,
    /// Events allowed to wait at once (chiefly returns scheduled for
    /// later, which are not people yet): twice the people limit from a
    /// scenario file.
    pub max_pending_events: usize,
    /// Events allowed in one simulated day before a replication stops as
    /// runaway: [`MAX_EVENTS_PER_DAY`] from a scenario file (tests lower it).
    pub max_events_per_day: u64,
}

impl RunSettings {
    /// Simulated time at which the run ends.
    pub fn end_time(&self) -> f64 {
        self.warmup_days + self.horizon_days
    }

    /// Number of (possibly partial) days in the window.
    pub fn window_days(&self) -> usize {
        self.horizon_days.ceil() as usize
    }

    /// Number of (possibly partial) years in the window, counted from each
    /// anniversary of the start date (as the ledger splits them).
    pub fn window_years(&self) -> usize {
        (0..)
            .take_while(|k| {
                let start = self.start_date.add_months(12 * k);
                ((start.day_number() - self.start_date.day_number()) as f64) < self.horizon_days
            })
            .count()
            .max(1)
    }
}

/// Most memory one replication may take for the structures fixed by the
/// scenario's shape and horizon ([`Network::memory_estimate`]): 2 GiB.
pub const MAX_REPLICATION_BYTES: u64 = 2 << 30;

/// Most people in the system at once in one replication: 10 million, about
/// 1.6 GB of patient records and pending events. A scenario that reaches it
/// has arrivals far beyond its places' turnover (or absurd rates), and the
/// replication stops with an error rather than exhaust the machine.
pub const MAX_PEOPLE_IN_SYSTEM: usize = 10_000_000;

/// Most events in one simulated day (midnight to midnight) of one
/// replication: 2 million. The whole-system baseline (323,000 residents)
/// peaks at about 1,200 events a day, in its fifth year as in its fiftieth
/// with its growth; a system of all England's 57 million people would make
/// about 210,000. The limit is ten times that, so no real scenario comes
/// near it, while a patient caught in a loop of stays of a millionth of a
/// day makes a million events a day on their own: such a run stops within
/// a simulated day or two, after about a second, instead of running for
/// hours. (Each event costs about 200 ns, so a run below the limit still
/// advances at least a simulated day per half second or so.)
pub const MAX_EVENTS_PER_DAY: u64 = 2_000_000;

/// Bytes per service per window day: four daily counters (4 bytes each)
/// and four time-weighted levels (an 8-byte area and a 4-byte peak) while
/// running, then the four series the results keep (28 bytes).
const DAILY_BYTES_PER_SERVICE_DAY: u64 = 16 + 4 * 12 + 28;

/// The parts of [`Network::memory_estimate`], in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// Per-day series of every service (grows with services × days).
    pub daily_series: u64,
    /// The ledger by (type, service, year).
    pub by_year: u64,
    /// The flow matrix and the per-(type, service) tables.
    pub flows_and_pairs: u64,
}

impl MemoryEstimate {
    pub fn total(&self) -> u64 {
        self.daily_series + self.by_year + self.flows_and_pairs
    }
}

/// A validated network.
#[derive(Clone, Debug)]
pub struct Network {
    /// Short identifier used in file names.
    pub name: String,
    pub title: String,
    pub description: String,
    pub run: RunSettings,
    pub services: Vec<Service>,
    pub sinks: Vec<String>,
    pub patient_types: Vec<PatientType>,
    /// Indexed by `type * services.len() + service`; None where a type never goes.
    pub pathways: Vec<Option<Pathway>>,
    /// For a whole-system scenario: who each type is and what each service
    /// is, for outputs by ICC, age band and year, and costs.
    pub layout: Option<super::system::SystemLayout>,
    /// The scenario values given as distributions (parameter uncertainty)
    /// and the value each has in this network: the file's point value, or
    /// a replication's draw. Written with every replication's results.
    pub parameters: Vec<ParameterValue>,
    /// Names of what blocked patients wait for (`home_care`,
    /// `community_bed` ...), at most [`MAX_WAIT_CLASSES`]; each service's
    /// `wait_class` indexes it. [`Network::default_wait_classes`] gives one
    /// class, `next_service`, for networks written by hand.
    pub wait_classes: Vec<String>,
    /// Risk registers of a whole system with moving tiers (empty
    /// otherwise): the members behind `PatientType::per_member_of`.
    pub risk_registers: Vec<RiskRegister>,
}

/// An uncertain scenario value and the value a network was built with.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterValue {
    /// The value's key in the scenario, as for `--set` (`sites.x.adult_beds`).
    pub key: String,
    pub value: f64,
    /// The distribution it is drawn from, described: part of the network's
    /// identity, so records drawn from another distribution do not mix.
    pub distribution: String,
}

/// Where each replication's network comes from: one network for all (the
/// usual case), or one per replication with its own draws of the
/// uncertain values (probabilistic sensitivity analysis). Every network
/// of a source has the same services, types and outputs as `base`.
pub trait NetworkSource: Sync {
    /// The network with every uncertain value at its point value: what
    /// outputs are labelled from.
    fn base(&self) -> &Network;

    /// The network of replication `replication` under master seed `seed`.
    fn for_replication(
        &self,
        seed: u64,
        replication: u64,
    ) -> Result<std::borrow::Cow<'_, Network>, String>;
}

impl NetworkSource for Network {
    fn base(&self) -> &Network {
        self
    }

    fn for_replication(&self, _: u64, _: u64) -> Result<std::borrow::Cow<'_, Network>, String> {
        Ok(std::borrow::Cow::Borrowed(self))
    }
}

impl Network {
    /// One wait class, `next_service`: a blocked patient waits for a place
    /// in the next service, whatever it is.
    pub fn default_wait_classes() -> Vec<String> {
        vec!["next_service".to_string()]
    }

    /// What one replication of this network allocates before its first
    /// event, whatever the arrivals: the structures whose size is fixed by
    /// the scenario's shape and horizon. Scenario validation refuses
    /// networks whose estimate passes [`MAX_REPLICATION_BYTES`], so that an
    /// absurd horizon or a thousand services fail with a message instead of
    /// exhausting memory mid-run. (What grows with the people in the system
    /// is bounded at run time: [`MAX_PEOPLE_IN_SYSTEM`].)
    pub fn memory_estimate(&self) -> MemoryEstimate {
        use super::results::{ServiceResult, YearCell};
        let days = self.run.window_days() as u64;
        let years = self.run.window_years() as u64;
        let services = self.services.len() as u64;
        let sinks = self.sinks.len() as u64;
        let pairs = self.patient_types.len() as u64 * services;
        let visited = self.pathways.iter().filter(|p| p.is_some()).count() as u64;
        let nodes = services + sinks + 2;
        let by_type = if self.results_by_type() {
            pairs * std::mem::size_of::<ServiceResult>() as u64
        } else {
            0
        };
        MemoryEstimate {
            daily_series: services * days * DAILY_BYTES_PER_SERVICE_DAY,
            by_year: visited * years * (std::mem::size_of::<YearCell>() as u64 + 8 * sinks),
            flows_and_pairs: nodes * nodes * 8
                + pairs * (std::mem::size_of::<Option<Pathway>>() as u64 + 4)
                + by_type,
        }
    }

    /// Whether results are kept per patient type within each service.
    /// Only where there are several types, and not for a whole-system
    /// scenario: its hundreds of cohort types are reported by ICC and age
    /// band instead (from the ledger), and keeping a result per (service,
    /// type) would cost a cache miss per stay for figures nobody reads.
    pub fn results_by_type(&self) -> bool {
        self.patient_types.len() > 1 && self.layout.is_none()
    }

    /// The mean number of places each patient type would hold in each
    /// service if no service were ever full (the offered load, in places),
    /// indexed `[type][service]`: arrivals per day × expected visits per
    /// arrival × mean days per visit.
    ///
    /// - Arrivals per day: the base rate × the mean monthly and weekday
    ///   factors, without growth; for arrivals per occupant (care-home
    ///   residents' crises), × the service's census at the start.
    /// - Visits: the traffic equations v = e + v·P of the type's routes
    ///   (entry routes for e, readmissions included), solved by iteration.
    /// - Days per visit: the mean stay plus the mean arranging delay of the
    ///   route taken. Time blocked by a full next service is not included.
    ///
    /// Used to share a census given per service among the types that use
    /// it, in proportion to the place-days they would take.
    pub fn offered_load(&self) -> Vec<Vec<f64>> {
        self.traffic()
            .into_iter()
            .map(|(rate, visits, days)| {
                visits
                    .iter()
                    .zip(&days)
                    .map(|(v, d)| rate * v * d)
                    .collect()
            })
            .collect()
    }

    /// The mean number of visits to services that start each day, over all
    /// patient types, if no service were ever full (arrivals per day ×
    /// expected visits per arrival, as [`Network::offered_load`] counts
    /// them). `run --episodes` keeps one record per visit.
    pub fn visits_per_day(&self) -> f64 {
        self.traffic()
            .iter()
            .map(|(rate, visits, _)| rate * visits.iter().sum::<f64>())
            .sum()
    }

    /// Per patient type: arrivals per day, expected visits per arrival to
    /// each service, and mean days per visit there.
    fn traffic(&self) -> Vec<(f64, Vec<f64>, Vec<f64>)> {
        let n = self.services.len();
        let census: Vec<f64> = self
            .services
            .iter()
            .map(|s| s.census.iter().map(|c| f64::from(c.start.patients())).sum())
            .collect();
        self.patient_types
            .iter()
            .enumerate()
            .map(|(t, patient_type)| {
                let mean = |f: &[f64]| f.iter().sum::<f64>() / f.len() as f64;
                let mut rate = patient_type.rate_per_day
                    * mean(&patient_type.monthly_factors)
                    * mean(&patient_type.weekday_factors);
                if let Some(of) = patient_type.per_occupant_of {
                    rate *= census[of.index()];
                }
                if let Some(of) = patient_type.per_member_of {
                    rate *= self.risk_registers[of.register].people[of.tier] as f64;
                }
                let id = PatientTypeId(t as u32);
                // External visits per arrival.
                let mut entry = vec![0.0; n];
                match &patient_type.entry {
                    Some(routes) => {
                        for (p, d) in routes.choices() {
                            if let Destination::Service(s) = d {
                                entry[s.index()] += p;
                            }
                        }
                    }
                    None => entry[patient_type.arrive_at.index()] = 1.0,
                }
                // Transfer probabilities s → s' (readmissions included).
                let mut transfers: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
                let mut days = vec![0.0; n];
                for (s, out) in transfers.iter_mut().enumerate() {
                    let Some(pathway) = self.pathway(id, ServiceId(s as u32)) else {
                        continue;
                    };
                    days[s] = pathway.stay.mean();
                    let mut returning = 0.0;
                    for (i, (p, d)) in pathway.routes.choices().enumerate() {
                        if let Some(delay) = pathway.routes.delay(i) {
                            days[s] += p * delay.mean();
                        }
                        if let Destination::Service(next) = d {
                            out.push((next.index(), p));
                        }
                        if let Some(r) = &pathway.readmission
                            && !r.not_after.contains(&d)
                        {
                            returning += p * r.probability;
                        }
                    }
                    if let Some(r) = &pathway.readmission {
                        out.push((r.service.index(), returning));
                    }
                }
                let visits = expected_visits(&entry, &transfers);
                (rate, visits, days)
            })
            .collect()
    }

    /// What patients of `patient_type` do in `service`, if they ever go there.
    #[inline]
    pub fn pathway(&self, patient_type: PatientTypeId, service: ServiceId) -> Option<&Pathway> {
        self.pathways[patient_type.index() * self.services.len() + service.index()].as_ref()
    }

    pub fn service_id(&self, name: &str) -> Option<ServiceId> {
        self.services
            .iter()
            .position(|s| s.name == name)
            .map(|i| ServiceId(i as u32))
    }

    pub fn patient_type_id(&self, name: &str) -> Option<PatientTypeId> {
        self.patient_types
            .iter()
            .position(|t| t.name == name)
            .map(|i| PatientTypeId(i as u32))
    }

    /// The name of a destination.
    pub fn destination_name(&self, destination: Destination) -> &str {
        match destination {
            Destination::Service(s) => &self.services[s.index()].name,
            Destination::Sink(k) => &self.sinks[k.index()],
        }
    }
}

/// Expected visits to each service per arrival: the traffic equations
/// v = entry + v · P, solved by iteration from `entry` (external visits
/// per arrival) and `transfers[s]` (the services s sends to, with their
/// probabilities), to a change below 1e-12 or 10,000 rounds.
pub fn expected_visits(entry: &[f64], transfers: &[Vec<(usize, f64)>]) -> Vec<f64> {
    let mut visits = entry.to_vec();
    for _ in 0..10_000 {
        let mut next = entry.to_vec();
        for (s, out) in transfers.iter().enumerate() {
            for &(to, p) in out {
                next[to] += visits[s] * p;
            }
        }
        let change = next
            .iter()
            .zip(&visits)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        visits = next;
        if change < 1e-12 {
            break;
        }
    }
    visits
}
