//! Each service's delays by reason and the pressure on it, by year:
//! `delays.csv` (tidy: one row per replication × service × year × reason,
//! the delayed place-days) and `pressure.csv` (one row per replication ×
//! service × year, a column per measure: escalation, the largest queue,
//! outliers, transfers out, cancellations, rebookings), from records
//! alone, streamed (they grow with the replications).
//!
//! Rows that are zero in every replication and every year are left out
//! (a service nobody waits to leave, a reason no one is delayed for); the
//! adult acute beds of a whole system are always in `pressure.csv`. The
//! year `all` is the whole window: days and counts add up over the years,
//! peaks are the largest year's, rebookings at the end are the last
//! year's.

use std::io::Write;

use crate::experiment::record::{Record, Schema, ServiceYearKey};
use crate::model::Network;
use crate::model::breakdown::service_years::{DELAYED_PREFIX, PRESSURE_COLUMNS};
use crate::model::system::Role;

use super::csv_safe::neutralise;
use super::tidy::{RunInfo, cell};

/// The delay and pressure values of a set of records, key by key.
pub struct ServiceYearSet<'a> {
    pub keys: &'a [ServiceYearKey],
    /// `values[key][replication]`.
    pub values: Vec<Vec<f64>>,
    pub replications: Vec<u64>,
}

impl<'a> ServiceYearSet<'a> {
    pub fn from_records(schema: &'a Schema, records: &[Record]) -> ServiceYearSet<'a> {
        let values = (0..schema.service_years.len())
            .map(|k| records.iter().map(|r| r.service_years(schema)[k]).collect())
            .collect();
        ServiceYearSet {
            keys: &schema.service_years,
            values,
            replications: records.iter().map(|r| r.replication).collect(),
        }
    }

    /// Whether a key's value is zero (or undefined) in every replication.
    fn all_zero(&self, k: usize) -> bool {
        self.values[k].iter().all(|v| *v == 0.0 || !v.is_finite())
    }
}

/// Who a service is: its name, role, site and ICC (empty without a
/// whole-system layout).
fn service_cells(network: &Network, service: usize) -> [String; 4] {
    let name = network.services[service].name.clone();
    let Some(layout) = &network.layout else {
        return [name, String::new(), String::new(), String::new()];
    };
    let info = &layout.services[service];
    [
        name,
        info.role.name().to_string(),
        info.site.map_or(String::new(), |s| layout.sites[s].clone()),
        info.icc.map_or(String::new(), |i| layout.iccs[i].clone()),
    ]
}

/// `delays.csv`, in memory.
pub fn delays_csv(network: &Network, info: &RunInfo, set: &ServiceYearSet) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_delays_csv(&mut bytes, network, info, set);
    bytes
}

/// `delays.csv`: scenario, replication, service, role, site, icc, year,
/// year_start, reason, bed_days (place-days held by patients ready to
/// leave, by why they were still there).
pub fn write_delays_csv(
    out: &mut dyn Write,
    network: &Network,
    info: &RunInfo,
    set: &ServiceYearSet,
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "scenario",
        "replication",
        "service",
        "role",
        "site",
        "icc",
        "year",
        "year_start",
        "reason",
        "bed_days",
    ])?;
    let scenario = neutralise(&info.scenario_name);
    // A (service, reason) is kept if any year of any replication has days.
    let kept: Vec<usize> = (0..set.keys.len())
        .filter(|&k| {
            let key = &set.keys[k];
            key.metric.starts_with(DELAYED_PREFIX)
                && set.keys.iter().enumerate().any(|(j, o)| {
                    o.service == key.service && o.metric == key.metric && !set.all_zero(j)
                })
        })
        .collect();
    let who: Vec<[String; 4]> = (0..network.services.len())
        .map(|s| service_cells(network, s))
        .collect();
    for (r, replication) in set.replications.iter().enumerate() {
        let replication = replication.to_string();
        for &k in &kept {
            let key = &set.keys[k];
            let [service, role, site, icc] = &who[key.service];
            writer.write_record([
                &*scenario,
                &replication,
                &neutralise(service),
                role,
                &neutralise(site),
                &neutralise(icc),
                &key.year,
                &key.year_start,
                &neutralise(&key.metric[DELAYED_PREFIX.len()..]),
                &cell(set.values[k][r]),
            ])?;
        }
    }
    writer.flush()
}

/// `pressure.csv`, in memory.
pub fn pressure_csv(network: &Network, info: &RunInfo, set: &ServiceYearSet) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_pressure_csv(&mut bytes, network, info, set);
    bytes
}

/// `pressure.csv`: scenario, replication, service, role, site, icc, year,
/// year_start, then one column per [`PRESSURE_COLUMNS`].
pub fn write_pressure_csv(
    out: &mut dyn Write,
    network: &Network,
    info: &RunInfo,
    set: &ServiceYearSet,
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec![
        "scenario",
        "replication",
        "service",
        "role",
        "site",
        "icc",
        "year",
        "year_start",
    ];
    header.extend(PRESSURE_COLUMNS.iter().map(|(name, _)| *name));
    writer.write_record(&header)?;
    // Rows: (service, year) → the key of each pressure column.
    let mut rows: Vec<(usize, Vec<usize>)> = Vec::new();
    for (k, key) in set.keys.iter().enumerate() {
        if key.metric != PRESSURE_COLUMNS[0].0 {
            continue;
        }
        let columns: Vec<usize> = (k..k + PRESSURE_COLUMNS.len()).collect();
        rows.push((key.service, columns));
    }
    let acute = |s: usize| {
        network
            .layout
            .as_ref()
            .is_some_and(|l| l.services[s].role == Role::AcuteBeds)
    };
    let kept_services: Vec<usize> = (0..network.services.len())
        .filter(|&s| {
            acute(s)
                || rows
                    .iter()
                    .filter(|(service, _)| *service == s)
                    .any(|(_, columns)| columns.iter().any(|&k| !set.all_zero(k)))
        })
        .collect();
    let scenario = neutralise(&info.scenario_name);
    let who: Vec<[String; 4]> = (0..network.services.len())
        .map(|s| service_cells(network, s))
        .collect();
    for (r, replication) in set.replications.iter().enumerate() {
        let replication = replication.to_string();
        for (service, columns) in rows.iter().filter(|(s, _)| kept_services.contains(s)) {
            let [name, role, site, icc] = &who[*service];
            let key = &set.keys[columns[0]];
            let mut record: Vec<String> = vec![
                scenario.to_string(),
                replication.clone(),
                neutralise(name).into_owned(),
                role.clone(),
                neutralise(site).into_owned(),
                neutralise(icc).into_owned(),
                key.year.clone(),
                key.year_start.clone(),
            ];
            record.extend(columns.iter().map(|&k| cell(set.values[k][r])));
            writer.write_record(&record)?;
        }
    }
    writer.flush()
}
