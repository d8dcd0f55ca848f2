//! The whole-system outputs of one replication: every breakdown metric
//! per (year, ICC, age band) group (activity, costs, waits for a bed and
//! their distribution, utilisation of the funded community services), and
//! the site metrics (acute and care-home occupancy, beds needed at a
//! target occupancy), computed after the run from its ledger and daily
//! series, so they cost nothing while it runs.
//!
//! Delayed bed-days are split by reason ([`reasons`]); each service's
//! delays and pressure by year, for `delays.csv` and `pressure.csv`, are
//! in [`service_years`].
//!
//! Reads a [`Network`] and its [`SystemLayout`]; the layout itself
//! (`system.rs`) knows nothing of networks, so the arrows run one way:
//! `breakdown` → `network` → `system`.

mod deaths;
pub mod reasons;
pub mod service_years;

use super::metrics::{BREAKDOWN_METRICS, M};
use super::network::{Capacity, Network, Service};
use super::results::ReplicationResult;
use super::system::{CountedAs, CrisisClass, DemandKind, Role, Sector, SystemLayout};
use crate::stats::QuantileSketch;
use deaths::place_of_death;
use reasons::{Reason, by_reason, reason_of_index};

/// The funded community services whose utilisation is reported, each with
/// its metric, by the role's name (`Role::name`).
const UTILISED: [(&str, M); 5] = [
    ("rapid_response", M::rapid_response_utilisation),
    ("reablement", M::reablement_utilisation),
    ("case_management", M::case_management_utilisation),
    ("community_beds", M::community_beds_utilisation),
    (HOME_CARE, M::home_care_utilisation),
];

/// The name of the home-care role (domiciliary care packages).
const HOME_CARE: &str = "home_care";

/// The breakdown metrics of delayed adult acute bed-days by reason, in
/// [`Reason::ALL`]'s order.
const ACUTE_DELAYED_BY_REASON: [M; 7] = [
    M::acute_delayed_arranging,
    M::acute_delayed_discharge_day,
    M::acute_delayed_home_care,
    M::acute_delayed_reablement,
    M::acute_delayed_community_bed,
    M::acute_delayed_care_home,
    M::acute_delayed_other,
];

/// The same for community hospital beds (waiting for another community
/// bed is "other").
const COMMUNITY_DELAYED_BY_REASON: [M; 7] = [
    M::community_bed_delayed_arranging,
    M::community_bed_delayed_discharge_day,
    M::community_bed_delayed_home_care,
    M::community_bed_delayed_reablement,
    M::community_bed_delayed_other,
    M::community_bed_delayed_care_home,
    M::community_bed_delayed_other,
];

/// Mean occupancy targets of the beds-needed metrics.
const BEDS_NEEDED_TARGETS: [f64; 2] = [0.92, 0.85];

/// A group of the breakdown: None means "all".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Group {
    pub year: Option<usize>,
    pub icc: Option<usize>,
    pub age_band: Option<usize>,
}

/// The breakdown of one replication: `values[group][metric]`, groups in
/// order (year: all, 1, 2 ...; then ICC: all, each; then band: all, each).
pub struct Breakdown {
    pub groups: Vec<Group>,
    /// Per group, one value per [`BREAKDOWN_METRICS`] entry.
    pub values: Vec<Vec<f64>>,
    /// Per year option (all, then each year), one value per
    /// [`SITE_METRICS`](super::metrics::SITE_METRICS).
    pub site_values: Vec<(Option<usize>, Vec<f64>)>,
}

/// Sums kept per (year, ICC, band) before ratios are taken.
#[derive(Clone, Copy)]
struct Sums {
    m: [f64; BREAKDOWN_METRICS.len()],
    emergency_los_sum: f64,
    emergency_departures: f64,
    /// Waits for a bed of emergency admissions to the adult acute beds,
    /// and of those that left (beside their lengths of stay).
    bed_wait_sum: f64,
    departed_bed_wait_sum: f64,
    /// Place-days busy and available of each [`UTILISED`] service (summed
    /// per year and ICC; not split by band).
    busy: [f64; UTILISED.len()],
    available: [f64; UTILISED.len()],
    /// Days of the period (for rates per year).
    days: f64,
    /// Referrals to the acute sites' day units, and those that found one
    /// closed, full or out of slots (diverted to the beds).
    day_unit_referrals: f64,
    day_unit_closed: f64,
}

// By hand: `Default` is derived for arrays of at most 32.
impl Default for Sums {
    fn default() -> Sums {
        Sums {
            m: [0.0; BREAKDOWN_METRICS.len()],
            emergency_los_sum: 0.0,
            emergency_departures: 0.0,
            bed_wait_sum: 0.0,
            departed_bed_wait_sum: 0.0,
            busy: [0.0; UTILISED.len()],
            available: [0.0; UTILISED.len()],
            days: 0.0,
            day_unit_referrals: 0.0,
            day_unit_closed: 0.0,
        }
    }
}

impl SystemLayout {
    /// The split outputs of one replication.
    pub fn breakdown(&self, network: &Network, result: &ReplicationResult) -> Breakdown {
        let ledger = &result.ledger;
        let years = ledger.years;
        let horizon = result.horizon_days;
        let n_icc = self.iccs.len();
        let year_days: Vec<f64> = (0..years)
            .map(|y| {
                let end = ledger.year_starts.get(y + 1).copied().unwrap_or(horizon);
                end - ledger.year_starts[y]
            })
            .collect();
        // Fine cells (year, icc, band), summed into every coarser group after.
        let n_band = self.age_bands.len();
        let mut fine = vec![Sums::default(); years * n_icc * n_band];
        let at = |y: usize, i: usize, b: usize| (y * n_icc + i) * n_band + b;
        for y in 0..years {
            for i in 0..n_icc {
                for b in 0..n_band {
                    let cell = &mut fine[at(y, i, b)];
                    let population = self.population_in_year(i, b, y);
                    let fraction = year_days[y] / 365.25;
                    cell.days = year_days[y];
                    // Population is averaged over years below: weight by days.
                    cell.m[M::population as usize] = population * year_days[y];
                    let gp = population
                        * self.gp_appointments_per_person[b]
                        * fraction
                        * self.gp_appointment_cost;
                    cell.m[M::cost_primary_care as usize] = gp;
                }
            }
        }
        let services = network.services.len();
        let reasons = reason_of_index(&network.wait_classes);
        for (t, cohort) in self.cohorts.iter().enumerate() {
            for y in 0..years {
                let sums = &mut fine[at(y, cohort.icc, cohort.age_band)];
                let entries = ledger.entries(t, y) as f64;
                if cohort.kind.is_emergency() {
                    sums.m[M::crises as usize] += entries;
                }
                // Deaths that took no service: at home.
                let died_at_home = (ledger.direct_exits(t, self.death_sink, y)
                    + ledger.prevented_deaths(t, y)
                    + ledger.diverted_deaths(t, y)) as f64;
                sums.m[M::deaths as usize] += died_at_home;
                sums.m[M::deaths_at_home as usize] += died_at_home;
                for s in 0..services {
                    let Some(cell) = ledger.cell(t, s, y) else {
                        continue;
                    };
                    let info = &self.services[s];
                    let admissions = cell.admissions as f64;
                    let died = ledger.sink_exits(t, s, self.death_sink, y) as f64;
                    // Managed at home by rapid response or general practice,
                    // those who died there all the same included (a crisis
                    // managed at home keeps its risk of death: `deaths_at_home`).
                    let home = ledger.sink_exits(t, s, self.home_sink, y) as f64
                        + if matches!(info.role, Role::RapidResponse | Role::PrimaryCare) {
                            died
                        } else {
                            0.0
                        };
                    sums.m[M::readmissions as usize] += cell.readmissions as f64;
                    // A care-home resident's crisis is a patient of its own;
                    // the resident's death is counted once, when the
                    // care-home stay (whose length ends in death) ends.
                    if cohort.kind != DemandKind::CareHomeCrisis {
                        sums.m[M::deaths as usize] += died;
                        if let Some(place) = place_of_death(info.role) {
                            sums.m[place as usize] += died;
                        }
                    } else if info.role.is_hospital_bed() {
                        // The resident died in hospital: counted there, and
                        // so not in the care home when the stay ends.
                        sums.m[M::deaths_in_care_home as usize] -= died;
                    }
                    sums.m[M::elective_cancellations as usize] += cell.cancelled as f64;
                    // By the role's name: home care counts as whatever
                    // else its role says too.
                    if info.role.name() == HOME_CARE {
                        sums.m[M::home_care_starts as usize] += admissions;
                        sums.m[M::home_care_package_days as usize] += cell.place_days;
                    }
                    if info.role == Role::CommunityDayUnit {
                        sums.m[M::community_day_unit_attendances as usize] += admissions;
                        sums.m[M::community_day_unit_closed as usize] += cell.diverted as f64;
                    }
                    if info.role == Role::PrimaryCare {
                        // Seen; sent on (none left, or closed); seen and home.
                        sums.m[M::primary_care_same_day as usize] += admissions;
                        sums.m[M::primary_care_none_left as usize] += cell.diverted as f64;
                        sums.m[M::primary_care_closed as usize] += cell.found_closed as f64;
                        sums.m[M::primary_care_managed as usize] += home;
                    }
                    match info.role.counts_as() {
                        CountedAs::EdAttendances => {
                            sums.m[M::ed_attendances as usize] += admissions;
                        }
                        CountedAs::DayUnitAttendances => {
                            sums.m[M::day_unit_attendances as usize] += admissions;
                            sums.day_unit_referrals += cell.arrivals as f64;
                            sums.day_unit_closed += cell.diverted as f64;
                        }
                        CountedAs::RapidResponseEpisodes => {
                            sums.m[M::rapid_response_episodes as usize] += admissions;
                            sums.m[M::rapid_response_at_home as usize] += home;
                            let diverted = cohort.if_ed.day_unit.map_or(0.0, |u| {
                                let c = &result.services[u].counters;
                                if c.arrivals > 0 {
                                    c.diverted as f64 / c.arrivals as f64
                                } else {
                                    0.0
                                }
                            });
                            sums.m[M::admissions_avoided as usize] +=
                                home * cohort.if_ed.probability(diverted);
                        }
                        CountedAs::HospitalAdmissions => {
                            sums.m[M::deaths_in_hospital as usize] += died;
                            let avoidable = cohort.class == Some(CrisisClass::Avoidable);
                            if avoidable {
                                sums.m[M::avoidable_admissions as usize] += admissions;
                            }
                            if cohort.kind.is_emergency() {
                                sums.m[M::emergency_admissions as usize] += admissions;
                            } else if cohort.kind == DemandKind::Elective {
                                sums.m[M::elective_admissions as usize] += admissions;
                            }
                            if info.role == Role::AcuteBeds {
                                sums.m[M::acute_bed_days as usize] += cell.place_days;
                                if avoidable {
                                    sums.m[M::avoidable_bed_days as usize] += cell.place_days;
                                }
                                sums.m[M::acute_delayed_bed_days as usize] += cell.delayed_days;
                                let split = by_reason(&cell.delayed_by_reason, &reasons);
                                for (metric, days) in ACUTE_DELAYED_BY_REASON.iter().zip(split) {
                                    sums.m[*metric as usize] += days;
                                }
                                if cohort.kind.is_emergency() {
                                    sums.m[M::emergency_admissions_local as usize] += admissions;
                                    sums.emergency_los_sum += cell.los_sum;
                                    sums.emergency_departures += cell.departures as f64;
                                    sums.bed_wait_sum += cell.wait_sum;
                                    sums.departed_bed_wait_sum += cell.departed_wait_sum;
                                    sums.m[M::bed_waits_over_12h as usize] +=
                                        cell.waits_over_12h as f64;
                                    sums.m[M::bed_waits_over_4h as usize] +=
                                        cell.waits_over_4h as f64;
                                    sums.m[M::outliers as usize] += cell.outliers_in as f64;
                                    sums.m[M::transfers_out as usize] += cell.diverted as f64;
                                }
                                if cohort.kind == DemandKind::Elective {
                                    // Cancelled twice: treated elsewhere.
                                    sums.m[M::transfers_out as usize] += cell.diverted as f64;
                                }
                            }
                        }
                        CountedAs::ReablementEpisodes => {
                            sums.m[M::reablement_episodes as usize] += admissions
                        }
                        CountedAs::CaseManagementEpisodes => {
                            sums.m[M::case_management_episodes as usize] += admissions
                        }
                        CountedAs::CommunityBedAdmissions => {
                            sums.m[M::community_bed_admissions as usize] += admissions;
                            sums.m[M::community_bed_days as usize] += cell.place_days;
                            sums.m[M::community_bed_delayed_bed_days as usize] += cell.delayed_days;
                            let split = by_reason(&cell.delayed_by_reason, &reasons);
                            for (metric, days) in COMMUNITY_DELAYED_BY_REASON.iter().zip(split) {
                                sums.m[*metric as usize] += days;
                            }
                        }
                        CountedAs::CareHomeStays => {
                            sums.m[M::care_home_bed_days as usize] += cell.place_days;
                            sums.m[M::care_home_resident_deaths as usize] += died;
                            match cohort.kind {
                                // Placements from home, and at the end of a
                                // home-care package of someone referred from
                                // home (or in a package at the start).
                                DemandKind::CareHomePlacement
                                | DemandKind::HomeCareReferral
                                | DemandKind::HomeCareCensus => {
                                    sums.m[M::care_home_admissions_from_community as usize] +=
                                        admissions
                                }
                                DemandKind::CareHomeCensus => {}
                                _ => {
                                    sums.m[M::care_home_admissions_from_hospital as usize] +=
                                        admissions
                                }
                            }
                        }
                        CountedAs::Nothing => {}
                    }
                    let costs = &info.costs;
                    let priced_admissions = match costs.per_short_stay {
                        Some(short) => {
                            let short_stays = cell.short_departures as f64;
                            let long_stays = (cell.departures - cell.short_departures) as f64;
                            if cohort.kind == DemandKind::Elective {
                                cell.departures as f64
                                    * costs.per_elective_admission.unwrap_or(costs.per_admission)
                            } else {
                                short_stays * short + long_stays * costs.per_admission
                            }
                        }
                        None => {
                            let price = if cohort.kind == DemandKind::Elective {
                                costs.per_elective_admission.unwrap_or(costs.per_admission)
                            } else {
                                costs.per_admission
                            };
                            admissions * price
                        }
                    };
                    let cost = priced_admissions
                        + cell.place_days * costs.per_place_day
                        + cell.delayed_days * costs.per_delayed_day;
                    // Teams and beds paid for as staff and beds: their
                    // activity is for information (`money.rs` prices them).
                    let metric = match costs.sector {
                        // A community day unit's places are paid for and
                        // its attendances priced besides (consumables).
                        _ if info.role == Role::CommunityDayUnit => M::cost_community,
                        _ if costs.per_place_day_paid > 0.0 => M::cost_community_activity,
                        Sector::Acute => M::cost_acute,
                        Sector::Community => M::cost_community,
                        Sector::PrimaryCare => M::cost_primary_care,
                        Sector::SocialCare => M::cost_social_care,
                    };
                    sums.m[metric as usize] += cost;
                }
            }
        }

        self.add_utilisation(
            network,
            result,
            &year_days,
            &mut |y, i, u, busy, available| {
                // Capacity is not split by age band: kept in band 0's cell.
                let cell = &mut fine[at(y, i, 0)];
                cell.busy[u] += busy;
                cell.available[u] += available;
            },
        );
        // The distribution of waits for a bed, per fine cell.
        let mut fine_waits = vec![QuantileSketch::new(); years * n_icc * n_band];
        for (t, cohort) in self.cohorts.iter().enumerate() {
            if !cohort.kind.is_emergency() {
                continue;
            }
            for y in 0..years {
                let waits = ledger.bed_waits(t, y);
                if waits.count() > 0 {
                    fine_waits[at(y, cohort.icc, cohort.age_band)].merge(waits);
                }
            }
        }
        for (cell, money) in fine.iter_mut().zip(self.paid_money(network, result)) {
            cell.m[M::cost_community as usize] += money.community_paid;
            cell.m[M::cost_bought as usize] += money.bought;
            cell.m[M::cash_released as usize] += money.released;
            cell.m[M::cost_acute as usize] += money.escalation;
            cell.m[M::cost_primary_care as usize] += money.primary_care_paid;
            cell.m[M::cost_agency as usize] += money.agency;
        }

        // Every group: year (all or one) × ICC (all or one) × band (all or one).
        let mut groups = Vec::new();
        let mut values = Vec::new();
        let options = |n: usize| std::iter::once(None).chain((0..n).map(Some));
        for year in options(years) {
            for icc in options(n_icc) {
                for band in options(n_band) {
                    let mut total = Sums::default();
                    let mut waits = QuantileSketch::new();
                    for y in (0..years).filter(|y| year.is_none_or(|v| v == *y)) {
                        total.days += year_days[y];
                        for i in (0..n_icc).filter(|i| icc.is_none_or(|v| v == *i)) {
                            for b in (0..n_band).filter(|b| band.is_none_or(|v| v == *b)) {
                                let f = &fine[at(y, i, b)];
                                for (sum, v) in total.m.iter_mut().zip(f.m) {
                                    *sum += v;
                                }
                                total.emergency_los_sum += f.emergency_los_sum;
                                total.emergency_departures += f.emergency_departures;
                                total.bed_wait_sum += f.bed_wait_sum;
                                total.day_unit_referrals += f.day_unit_referrals;
                                total.day_unit_closed += f.day_unit_closed;
                                total.departed_bed_wait_sum += f.departed_bed_wait_sum;
                                for u in 0..UTILISED.len() {
                                    total.busy[u] += f.busy[u];
                                    total.available[u] += f.available[u];
                                }
                                waits.merge(&fine_waits[at(y, i, b)]);
                            }
                        }
                    }
                    groups.push(Group {
                        year,
                        icc,
                        age_band: band,
                    });
                    let mut v = finish_group(&total);
                    v[M::bed_wait_p90 as usize] = waits.quantile(0.9);
                    if band.is_some() {
                        for (_, metric) in UTILISED {
                            v[metric as usize] = f64::NAN;
                        }
                    }
                    values.push(v);
                }
            }
        }
        let site_values = options(years)
            .map(|year| (year, self.site_metrics(network, result, year)))
            .collect();
        Breakdown {
            groups,
            values,
            site_values,
        }
    }

    /// Calls `add(year, icc, k, busy, available)` with the place-days busy
    /// and available in each year of each ICC's [`UTILISED`] service `k`,
    /// from the daily series and the capacity in force each day.
    fn add_utilisation(
        &self,
        network: &Network,
        result: &ReplicationResult,
        year_days: &[f64],
        add: &mut dyn FnMut(usize, usize, usize, f64, f64),
    ) {
        let ledger = &result.ledger;
        for (s, info) in self.services.iter().enumerate() {
            let (Some(u), Some(icc)) = (
                UTILISED.iter().position(|(r, _)| *r == info.role.name()),
                info.icc,
            ) else {
                continue;
            };
            let daily = &result.daily[s].occupancy_area;
            for (y, length) in year_days.iter().enumerate() {
                let first = ledger.year_starts[y] as usize;
                let last = (first + *length as usize).min(daily.len());
                let mut busy = 0.0;
                let mut available = 0.0;
                for (d, area) in daily.iter().enumerate().take(last).skip(first) {
                    busy += area;
                    let day_length = (result.horizon_days - d as f64).min(1.0);
                    available += capacity_on_day(&network.services[s], d as f64) * day_length;
                }
                add(y, icc, u, busy, available);
            }
        }
    }

    /// Occupancy of the adult acute beds and care homes over a year (or
    /// the whole window), from the daily series.
    fn site_metrics(
        &self,
        network: &Network,
        result: &ReplicationResult,
        year: Option<usize>,
    ) -> Vec<f64> {
        let ledger = &result.ledger;
        let window_days = result.daily.first().map_or(0, |d| d.occupancy_area.len());
        let (first, last) = match year {
            None => (0, window_days),
            Some(y) => {
                let start = ledger.year_starts[y] as usize;
                let end = ledger
                    .year_starts
                    .get(y + 1)
                    .map_or(window_days, |e| *e as usize);
                (start, end.min(window_days))
            }
        };
        let of_roles = |keep: &dyn Fn(Role) -> bool| -> (Vec<f64>, Vec<f64>) {
            let mut occupied = vec![0.0; last - first];
            let mut available = vec![0.0; last - first];
            for (s, info) in self.services.iter().enumerate() {
                if !keep(info.role) {
                    continue;
                }
                let daily = &result.daily[s];
                for d in first..last {
                    occupied[d - first] += daily.occupancy_area[d];
                    let length = (result.horizon_days - d as f64).min(1.0);
                    available[d - first] +=
                        capacity_on_day(&network.services[s], d as f64) * length;
                }
            }
            (occupied, available)
        };
        let (acute, acute_beds) = of_roles(&|r| r == Role::AcuteBeds);
        // Patients waiting for an adult acute bed (in ED or elsewhere).
        let waiting_for_a_bed: f64 = self
            .services
            .iter()
            .enumerate()
            .filter(|(_, info)| info.role == Role::AcuteBeds)
            .map(|(s, _)| {
                result.daily[s].waiting_area[first..last]
                    .iter()
                    .sum::<f64>()
            })
            .sum();
        let beds_needed = |target: f64| {
            let days = (last - first) as f64;
            if days > 0.0 {
                (acute.iter().sum::<f64>() + waiting_for_a_bed) / days / target
            } else {
                f64::NAN
            }
        };
        let (homes, home_places) = of_roles(&|r| r.is_care_home());
        let (community, community_beds) = of_roles(&|r| r == Role::CommunityBeds);
        let ratio = |a: &[f64], b: &[f64]| {
            let total: f64 = b.iter().sum();
            if total > 0.0 {
                a.iter().sum::<f64>() / total
            } else {
                f64::NAN
            }
        };
        let days_above = |threshold: f64| {
            acute
                .iter()
                .zip(&acute_beds)
                .filter(|(o, c)| **c > 0.0 && **o / **c > threshold)
                .count() as f64
        };
        let pressure = self.site_pressure(network, result, year);
        vec![
            ratio(&acute, &acute_beds),
            days_above(0.92),
            days_above(0.95),
            ratio(&homes, &home_places),
            beds_needed(BEDS_NEEDED_TARGETS[0]),
            beds_needed(BEDS_NEEDED_TARGETS[1]),
            ratio(&community, &community_beds),
            pressure.escalation_open_days,
            pressure.escalation_bed_days,
            pressure.cost_escalation,
            pressure.waiting_peak,
            pressure.rebooking_peak,
            pressure.rebooking_at_end,
        ]
    }
}

/// Ratios and rates of a group from its sums.
fn finish_group(total: &Sums) -> Vec<f64> {
    let mut v = total.m.to_vec();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    v[M::population as usize] = ratio(total.m[M::population as usize], total.days);
    let person_years = v[M::population as usize] * total.days / 365.25;
    v[M::crises_per_1000 as usize] = 1000.0 * ratio(total.m[M::crises as usize], person_years);
    v[M::emergency_admissions_per_1000 as usize] =
        1000.0 * ratio(total.m[M::emergency_admissions as usize], person_years);
    v[M::emergency_los_mean as usize] = ratio(total.emergency_los_sum, total.emergency_departures);
    v[M::acute_delayed_share as usize] = ratio(
        total.m[M::acute_delayed_bed_days as usize],
        total.m[M::acute_bed_days as usize],
    );
    let downstream: f64 = Reason::ALL
        .iter()
        .zip(ACUTE_DELAYED_BY_REASON)
        .filter(|(reason, _)| reason.is_downstream())
        .map(|(_, metric)| total.m[metric as usize])
        .sum();
    v[M::acute_delayed_downstream_share as usize] =
        ratio(downstream, total.m[M::acute_delayed_bed_days as usize]);
    v[M::community_bed_delayed_share as usize] = ratio(
        total.m[M::community_bed_delayed_bed_days as usize],
        total.m[M::community_bed_days as usize],
    );
    v[M::bed_wait_mean as usize] = ratio(
        total.bed_wait_sum,
        total.m[M::emergency_admissions_local as usize],
    );
    v[M::emergency_stay_with_wait_mean as usize] = ratio(
        total.emergency_los_sum + total.departed_bed_wait_sum,
        total.emergency_departures,
    );
    v[M::day_unit_closed_share as usize] = ratio(total.day_unit_closed, total.day_unit_referrals);
    for (u, (_, metric)) in UTILISED.iter().enumerate() {
        v[*metric as usize] = ratio(total.busy[u], total.available[u]);
    }
    v[M::cost_total as usize] = v[M::cost_acute as usize]
        + v[M::cost_community as usize]
        + v[M::cost_primary_care as usize]
        + v[M::cost_social_care as usize];
    v
}

/// Places of a service on window day `day` (its capacity changes applied).
fn capacity_on_day(service: &Service, day: f64) -> f64 {
    let mut capacity = service.capacity;
    for change in &service.capacity_changes {
        if change.from_day <= day {
            capacity = change.capacity;
        }
    }
    match capacity {
        Capacity::Limited(n) => f64::from(n),
        Capacity::Unlimited => f64::NAN,
    }
}
