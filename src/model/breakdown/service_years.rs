//! Each service's delays and pressure by year (and over the whole
//! window): the values `delays.csv` and `pressure.csv` are written from,
//! kept in every replication's record, and the site totals of the
//! breakdown (escalation, the largest queue for a bed, rebookings).
//!
//! - delayed place-days by the ledger's reason index, named `arranging`,
//!   `discharge_day`, then each of the network's wait classes (so a
//!   hand-written network's blocked days are `next_service`);
//! - pressure: escalation open days and bed-days and their cost, the
//!   longest waiting list and most patients blocked at once, outliers
//!   admitted, transfers out, planned admissions cancelled and the
//!   rebookings waiting.
//!
//! Works for any network; roles and costs come from its layout when it has
//! one (without one, no cost, and every diversion is a transfer out).

use super::reasons::index_names;
use crate::model::network::Network;
use crate::model::results::{ReplicationResult, ServiceYear};
use crate::model::system::{Role, SystemLayout};

/// The pressure columns of `pressure.csv`, in order, with their units.
pub const PRESSURE_COLUMNS: [(&str, &str); 10] = [
    ("escalation_open_days", "days"),
    ("escalation_bed_days", "bed-days"),
    ("cost_escalation", "GBP"),
    ("waiting_peak", "people"),
    ("blocked_peak", "people"),
    ("outliers", "admissions"),
    ("transfers_out", "patients"),
    ("elective_cancellations", "operations"),
    ("rebooking_peak", "people"),
    ("rebooking_at_end", "people"),
];

/// The prefix of a delay reason's metric in a record
/// (`delayed_bed_days_home_care`).
pub const DELAYED_PREFIX: &str = "delayed_bed_days_";

/// The metrics kept per service and year option, in record order: the
/// delayed place-days of each reason (`delayed_bed_days_<reason>`), then
/// [`PRESSURE_COLUMNS`]. With their units.
pub fn service_year_metrics(network: &Network) -> Vec<(String, &'static str)> {
    index_names(&network.wait_classes)
        .into_iter()
        .map(|(_, name)| (format!("{DELAYED_PREFIX}{name}"), "place-days"))
        .chain(
            PRESSURE_COLUMNS
                .iter()
                .map(|(name, unit)| (name.to_string(), *unit)),
        )
        .collect()
}

/// The year options of the values: the whole window (None), then each year.
pub fn year_options(years: usize) -> impl Iterator<Item = Option<usize>> {
    std::iter::once(None).chain((0..years).map(Some))
}

/// Every service's values, service by service, each year option (the
/// window, then each year) in turn, [`service_year_metrics`] in each.
pub fn service_year_values(network: &Network, result: &ReplicationResult) -> Vec<f64> {
    let ledger = &result.ledger;
    let indices: Vec<usize> = index_names(&network.wait_classes)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    let mut values = Vec::new();
    for s in 0..network.services.len() {
        for year in year_options(ledger.years) {
            let years: Vec<usize> = match year {
                None => (0..ledger.years).collect(),
                Some(y) => vec![y],
            };
            let mut delayed = vec![0.0; indices.len()];
            let (mut outliers, mut transfers, mut cancelled) = (0.0, 0.0, 0.0);
            for t in 0..network.patient_types.len() {
                for &y in &years {
                    let Some(cell) = ledger.cell(t, s, y) else {
                        continue;
                    };
                    for (slot, &i) in delayed.iter_mut().zip(&indices) {
                        *slot += cell.delayed_by_reason[i];
                    }
                    outliers += cell.outliers_in as f64;
                    cancelled += cell.cancelled as f64;
                    if is_transfer_out(network.layout.as_ref(), t, s) {
                        transfers += cell.diverted as f64;
                    }
                }
            }
            let pressure = pressure_of(network, result, s, &years);
            values.extend(delayed);
            values.extend([
                pressure.escalation_open_days,
                pressure.escalation_bed_days,
                pressure.cost_escalation,
                pressure.waiting_peak,
                pressure.blocked_peak,
                outliers,
                transfers,
                cancelled,
                pressure.rebooking_peak,
                pressure.rebooking_at_end,
            ]);
        }
    }
    values
}

/// Whether a diversion of this patient type from service `s` counts as a
/// transfer out: from the adult acute beds of a whole system, an
/// emergency patient after the longest wait or a planned patient whose
/// rebooked date was cancelled too (not a day-unit or team overflow); any
/// patient of a hand-written network.
fn is_transfer_out(layout: Option<&SystemLayout>, patient_type: usize, s: usize) -> bool {
    layout.is_none_or(|l| {
        l.services.get(s).is_some_and(|i| i.role == Role::AcuteBeds)
            && l.cohorts.get(patient_type).is_some_and(|c| {
                c.kind.is_emergency() || c.kind == crate::model::system::DemandKind::Elective
            })
    })
}

/// A service's (or a site's) pressure over some years.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Pressure {
    pub escalation_open_days: f64,
    pub escalation_bed_days: f64,
    pub cost_escalation: f64,
    pub waiting_peak: f64,
    pub blocked_peak: f64,
    pub rebooking_peak: f64,
    pub rebooking_at_end: f64,
}

/// The cost of one escalation place open for a day at a service (0
/// without a layout or an escalation).
pub fn escalation_place_day_cost(network: &Network, service: usize) -> f64 {
    let places = network.services[service]
        .escalation
        .map_or(0.0, |e| f64::from(e.places));
    let per_place_day = network
        .layout
        .as_ref()
        .map_or(0.0, |l| l.services[service].costs.per_escalation_place_day);
    places * per_place_day
}

/// A service's pressure over `years` (indices of the window's years):
/// days, bed-days and cost add up; peaks are the largest of the years;
/// rebookings at the end are the last year's.
pub fn pressure_of(
    network: &Network,
    result: &ReplicationResult,
    service: usize,
    years: &[usize],
) -> Pressure {
    let cost_per_day = escalation_place_day_cost(network, service);
    let mut p = Pressure::default();
    for &y in years {
        let sy: &ServiceYear = result.ledger.service_year(service, y);
        p.escalation_open_days += sy.escalation_open_days;
        p.escalation_bed_days += sy.escalation_place_days;
        p.cost_escalation += sy.escalation_open_days * cost_per_day;
        p.waiting_peak = p.waiting_peak.max(f64::from(sy.waiting_peak));
        p.blocked_peak = p.blocked_peak.max(f64::from(sy.blocked_peak));
        p.rebooking_peak = p.rebooking_peak.max(f64::from(sy.rebooking_peak));
        p.rebooking_at_end = f64::from(sy.rebooking_at_end);
    }
    p
}

impl SystemLayout {
    /// The sites' pressure over a year (or the window): escalation and its
    /// cost summed over the services that have escalation places, the
    /// largest queue for an adult acute bed at any one site, and the
    /// planned patients waiting for a rebooked date (each service's peak,
    /// summed; and at the end).
    pub(super) fn site_pressure(
        &self,
        network: &Network,
        result: &ReplicationResult,
        year: Option<usize>,
    ) -> Pressure {
        let years: Vec<usize> = match year {
            None => (0..result.ledger.years).collect(),
            Some(y) => vec![y],
        };
        let mut site = Pressure::default();
        for (s, info) in self.services.iter().enumerate() {
            let p = pressure_of(network, result, s, &years);
            site.escalation_open_days += p.escalation_open_days;
            site.escalation_bed_days += p.escalation_bed_days;
            site.cost_escalation += p.cost_escalation;
            site.rebooking_peak += p.rebooking_peak;
            site.rebooking_at_end += p.rebooking_at_end;
            if info.role == Role::AcuteBeds {
                site.waiting_peak = site.waiting_peak.max(p.waiting_peak);
            }
        }
        site
    }
}
