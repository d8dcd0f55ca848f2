//! A replication reduced to the numbers a batch keeps: every metric of
//! every service (and patient type), of the system, the patients moved
//! between kinds of service (the flow picture) and, for a whole-system
//! scenario, every outcome by year, ICC and age band, and the risk
//! registers' counts by month and tier (`registers.rs`).
//!
//! The keys depend only on the network, so a replication becomes one row of
//! numbers ([`Record`]) in a fixed order: it can be appended to a
//! checkpoint, merged with other shards and summarised without keeping the
//! replication's full results, and the outputs rendered from records are
//! the same bytes however the replications were run.

use serde::Serialize;

use super::registers::{RegisterKey, register_keys, register_values};
use crate::model::breakdown::service_years;
use crate::model::flow_groups::FlowGroups;
use crate::model::metrics::{BREAKDOWN_METRICS, SITE_METRICS};
use crate::model::{
    MetricScope, Network, PatientTypeId, ReplicationResult, ServiceId, metric_catalog,
    system_metrics,
};

/// The `service` label of the sampled values of uncertain parameters.
pub const PARAMETER: &str = "parameter";
/// The `service` label of the patients moved between kinds of service in
/// the window (metric `from->to`, see [`FlowGroups`]).
pub const FLOW: &str = "flow";

/// A metric of a service (all types, or one), of the system, or the value
/// of an uncertain parameter (service `parameter`, metric its key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetricKey {
    /// A service name, `system` or `parameter`.
    pub service: String,
    /// A patient type, or `all`.
    pub patient_type: String,
    pub metric: String,
    pub unit: String,
}

/// An outcome of a whole-system scenario for a year, ICC and band.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BreakdownKey {
    /// "all", or the year's number from 1.
    pub year: String,
    /// "", or the date the year starts.
    pub year_start: String,
    pub icc: String,
    pub age_band: String,
    pub metric: &'static str,
    pub unit: String,
}

/// Each service's delays by reason and pressure in a year (or the
/// window): `delays.csv` and `pressure.csv` (`model::breakdown::service_years`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceYearKey {
    pub service: usize,
    /// "all", or the year's number from 1.
    pub year: String,
    /// "", or the date the year starts.
    pub year_start: String,
    /// `delayed_bed_days_<reason>` or a pressure column.
    pub metric: String,
    pub unit: String,
}

/// The keys of a network's records: metrics first, then the breakdown,
/// then each service's delays and pressure by year, then the risk
/// registers' counts.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub metrics: Vec<MetricKey>,
    pub breakdown: Vec<BreakdownKey>,
    pub service_years: Vec<ServiceYearKey>,
    pub registers: Vec<RegisterKey>,
}

/// One replication's values, in the schema's order.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub replication: u64,
    pub values: Vec<f64>,
}

impl Record {
    /// The metric values (the schema's `metrics` part).
    pub fn metrics<'a>(&'a self, schema: &Schema) -> &'a [f64] {
        &self.values[..schema.metrics.len()]
    }

    /// The breakdown values.
    pub fn breakdown<'a>(&'a self, schema: &Schema) -> &'a [f64] {
        &self.values[schema.metrics.len()..schema.metrics.len() + schema.breakdown.len()]
    }

    /// Each service's delays and pressure by year.
    pub fn service_years<'a>(&'a self, schema: &Schema) -> &'a [f64] {
        let start = schema.metrics.len() + schema.breakdown.len();
        &self.values[start..start + schema.service_years.len()]
    }

    /// The risk registers' counts.
    pub fn registers<'a>(&'a self, schema: &Schema) -> &'a [f64] {
        &self.values[schema.len() - schema.registers.len()..]
    }
}

impl Schema {
    /// The keys of every record of this network.
    pub fn of(network: &Network) -> Schema {
        let catalog = metric_catalog(&network.run.occupancy_thresholds);
        let mut metrics = Vec::new();
        let key = |service: &str, patient_type: &str, metric: &str, unit: &str| MetricKey {
            service: service.to_string(),
            patient_type: patient_type.to_string(),
            metric: metric.to_string(),
            unit: unit.to_string(),
        };
        for (s, service) in network.services.iter().enumerate() {
            for metric in &catalog {
                metrics.push(key(&service.name, "all", &metric.name, metric.unit));
            }
            if network.results_by_type() {
                for (t, patient_type) in network.patient_types.iter().enumerate() {
                    if network
                        .pathway(PatientTypeId(t as u32), ServiceId(s as u32))
                        .is_none()
                    {
                        continue;
                    }
                    for metric in catalog
                        .iter()
                        .filter(|m| m.scope == MetricScope::ServiceAndType)
                    {
                        metrics.push(key(
                            &service.name,
                            &patient_type.name,
                            &metric.name,
                            metric.unit,
                        ));
                    }
                }
            }
        }
        for metric in system_metrics() {
            metrics.push(key("system", "all", metric.name, metric.unit));
        }
        let flows = FlowGroups::of(network);
        for pair in 0..flows.pairs.len() {
            metrics.push(key(FLOW, "all", &flows.pair_name(pair), "patients"));
        }
        // The uncertain scenario values this replication was run with.
        for parameter in &network.parameters {
            metrics.push(key(PARAMETER, "all", &parameter.key, "value"));
        }
        Schema {
            metrics,
            breakdown: breakdown_keys(network),
            service_years: service_year_keys(network),
            registers: register_keys(network),
        }
    }

    /// Number of values in each record.
    pub fn len(&self) -> usize {
        self.metrics.len() + self.breakdown.len() + self.service_years.len() + self.registers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record of one replication (see [`reduce`]).
    pub fn reduce(&self, network: &Network, result: &ReplicationResult) -> Record {
        let record = reduce(network, result);
        debug_assert_eq!(record.values.len(), self.len());
        record
    }
}

/// The record of one replication, from the network it was run on: for a
/// replication with drawn uncertain values, its own network, whose
/// capacities, costs and population the whole-system outcomes (occupancy,
/// costs, rates per 1,000) are computed from.
pub fn reduce(network: &Network, result: &ReplicationResult) -> Record {
    let catalog = metric_catalog(&network.run.occupancy_thresholds);
    let mut values = Vec::new();
    let horizon = result.horizon_days;
    for (s, _) in network.services.iter().enumerate() {
        for metric in &catalog {
            values.push(metric.value(&result.services[s], horizon));
        }
        if network.results_by_type() {
            for t in 0..network.patient_types.len() {
                if network
                    .pathway(PatientTypeId(t as u32), ServiceId(s as u32))
                    .is_none()
                {
                    continue;
                }
                for metric in catalog
                    .iter()
                    .filter(|m| m.scope == MetricScope::ServiceAndType)
                {
                    values.push(metric.value(&result.by_type[s][t], horizon));
                }
            }
        }
    }
    for metric in system_metrics() {
        values.push(metric.value(result));
    }
    values.extend(FlowGroups::of(network).counts(&result.flows));
    values.extend_from_slice(&result.parameters);
    if let Some(layout) = &network.layout {
        let breakdown = layout.breakdown(network, result);
        for (_, site_values) in &breakdown.site_values {
            values.extend_from_slice(site_values);
        }
        for group_values in &breakdown.values {
            values.extend_from_slice(group_values);
        }
    }
    values.extend(service_years::service_year_values(network, result));
    values.extend(register_values(network, result));
    Record {
        replication: result.replication,
        values,
    }
}

/// The keys of each service's delays and pressure, in the order
/// `service_years::service_year_values` produces them.
fn service_year_keys(network: &Network) -> Vec<ServiceYearKey> {
    let metrics = service_years::service_year_metrics(network);
    let start = network.run.start_date;
    let mut keys = Vec::new();
    for service in 0..network.services.len() {
        for year in service_years::year_options(network.run.window_years()) {
            let (label, year_start) = match year {
                None => ("all".to_string(), String::new()),
                Some(y) => (
                    (y + 1).to_string(),
                    start.add_months(12 * y as i64).to_string(),
                ),
            };
            for (metric, unit) in &metrics {
                keys.push(ServiceYearKey {
                    service,
                    year: label.clone(),
                    year_start: year_start.clone(),
                    metric: metric.clone(),
                    unit: unit.to_string(),
                });
            }
        }
    }
    keys
}

/// The breakdown keys in the order `SystemLayout::breakdown` produces
/// values: site metrics per year option, then year × ICC × band × metric.
fn breakdown_keys(network: &Network) -> Vec<BreakdownKey> {
    let Some(layout) = &network.layout else {
        return Vec::new();
    };
    let start = network.run.start_date;
    let years = network.run.window_years();
    let year_label = |year: Option<usize>| match year {
        None => ("all".to_string(), String::new()),
        Some(y) => (
            (y + 1).to_string(),
            start.add_months(12 * y as i64).to_string(),
        ),
    };
    // Money carries its price base.
    let unit_of = |unit: &str| {
        if unit == "GBP" {
            format!("GBP {} prices", layout.price_year)
        } else {
            unit.to_string()
        }
    };
    let options = |n: usize| std::iter::once(None).chain((0..n).map(Some));
    let mut keys = Vec::new();
    for year in options(years) {
        let (label, year_start) = year_label(year);
        for metric in SITE_METRICS {
            keys.push(BreakdownKey {
                year: label.clone(),
                year_start: year_start.clone(),
                icc: "all".into(),
                age_band: "all".into(),
                metric: metric.name,
                unit: metric.unit.to_string(),
            });
        }
    }
    for year in options(years) {
        let (label, year_start) = year_label(year);
        for icc in options(layout.iccs.len()) {
            for band in options(layout.age_bands.len()) {
                for metric in BREAKDOWN_METRICS {
                    keys.push(BreakdownKey {
                        year: label.clone(),
                        year_start: year_start.clone(),
                        icc: icc.map_or("all".to_string(), |i| layout.iccs[i].clone()),
                        age_band: band.map_or("all", |b| layout.age_bands.name(b)).to_string(),
                        metric: metric.name,
                        unit: unit_of(metric.unit),
                    });
                }
            }
        }
    }
    keys
}

/// A fingerprint of everything that makes records comparable: the
/// validated network (every parameter), the seed and the program's source
/// (hashed by the build script, so a rebuilt binary with changed code is
/// told apart even at the same version). Records with different
/// fingerprints must not be mixed (resume, merge).
pub fn fingerprint(network: &Network, seed: u64) -> String {
    // FNV-1a over the network's full debug form: stable for a given build,
    // and any changed parameter changes it.
    let text = format!(
        "{}|{}|{seed}|{network:?}",
        env!("CARGO_PKG_VERSION"),
        env!("ICCSIM_SOURCE_HASH")
    );
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}
