//! Whole-system outputs by year, ICC and age band: `breakdown.csv` (one
//! row per replication × year × ICC × age band × metric, "all" where a
//! dimension is summed over) and `breakdown_summary.csv` (each across
//! replications with its 95% CI), plus the adult acute and care-home
//! occupancy by year.

use serde::Serialize;

use crate::experiment::ReplicationOutput;
use crate::model::Network;
use crate::model::system::{AGE_BANDS, BREAKDOWN_METRICS, SITE_METRICS, SystemLayout};
use crate::stats::Summary;

use super::tidy::{RunInfo, cell};

/// The labels of one output row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Key {
    /// "all", or the year's number from 1.
    pub year: String,
    /// "", or the date the year starts.
    pub year_start: String,
    pub icc: String,
    pub age_band: String,
    pub metric: &'static str,
    pub unit: String,
}

/// Every replication's values, key by key.
pub struct BreakdownSet {
    pub keys: Vec<Key>,
    /// `values[key][replication]`.
    pub values: Vec<Vec<f64>>,
    pub replications: Vec<u64>,
    pub summaries: Vec<Summary>,
    /// Price base of the costs, e.g. "2023/24".
    pub price_year: String,
}

impl BreakdownSet {
    /// Breakdowns of every replication (same keys, same order in each).
    pub fn new(
        network: &Network,
        layout: &SystemLayout,
        outputs: &[ReplicationOutput],
    ) -> BreakdownSet {
        let mut keys = Vec::new();
        let mut values: Vec<Vec<f64>> = Vec::new();
        // Money carries its price base.
        let unit_of = |unit: &str| {
            if unit == "GBP" {
                format!("GBP {} prices", layout.price_year)
            } else {
                unit.to_string()
            }
        };
        let start = network.run.start_date;
        let year_label = |year: Option<usize>| match year {
            None => ("all".to_string(), String::new()),
            Some(y) => (
                (y + 1).to_string(),
                start.add_months(12 * y as i64).to_string(),
            ),
        };
        for (r, output) in outputs.iter().enumerate() {
            let breakdown = layout.breakdown(network, &output.result);
            let mut k = 0;
            let mut push =
                |key: Key, value: f64, keys: &mut Vec<Key>, values: &mut Vec<Vec<f64>>| {
                    if r == 0 {
                        keys.push(key);
                        values.push(Vec::with_capacity(outputs.len()));
                    }
                    values[k].push(value);
                    k += 1;
                };
            for (year, site_values) in &breakdown.site_values {
                let (label, year_start) = year_label(*year);
                for (metric, value) in SITE_METRICS.iter().zip(site_values) {
                    let key = Key {
                        year: label.clone(),
                        year_start: year_start.clone(),
                        icc: "all".into(),
                        age_band: "all".into(),
                        metric: metric.name,
                        unit: metric.unit.to_string(),
                    };
                    push(key, *value, &mut keys, &mut values);
                }
            }
            for (group, group_values) in breakdown.groups.iter().zip(&breakdown.values) {
                let (label, year_start) = year_label(group.year);
                let icc = group
                    .icc
                    .map_or("all".to_string(), |i| layout.iccs[i].clone());
                let band = group.age_band.map_or("all", |b| AGE_BANDS[b]);
                for (metric, value) in BREAKDOWN_METRICS.iter().zip(group_values) {
                    let key = Key {
                        year: label.clone(),
                        year_start: year_start.clone(),
                        icc: icc.clone(),
                        age_band: band.to_string(),
                        metric: metric.name,
                        unit: unit_of(metric.unit),
                    };
                    push(key, *value, &mut keys, &mut values);
                }
            }
        }
        let summaries = values.iter().map(|v| Summary::of(v)).collect();
        BreakdownSet {
            keys,
            values,
            replications: outputs.iter().map(|o| o.result.replication).collect(),
            summaries,
            price_year: layout.price_year.clone(),
        }
    }

    /// The summary of a metric for a group ("all" for every dimension summed over).
    pub fn summary(&self, year: &str, icc: &str, age_band: &str, metric: &str) -> Option<&Summary> {
        self.keys
            .iter()
            .position(|k| {
                k.year == year && k.icc == icc && k.age_band == age_band && k.metric == metric
            })
            .map(|i| &self.summaries[i])
    }
}

/// `breakdown.csv`: one row per replication × year × ICC × band × metric.
pub fn breakdown_csv(info: &RunInfo, set: &BreakdownSet) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "replication",
        "year",
        "year_start",
        "icc",
        "age_band",
        "metric",
        "unit",
        "value",
    ]);
    for (r, replication) in set.replications.iter().enumerate() {
        let replication = replication.to_string();
        for (key, values) in set.keys.iter().zip(&set.values) {
            let _ = writer.write_record([
                info.scenario_name.as_str(),
                &replication,
                &key.year,
                &key.year_start,
                &key.icc,
                &key.age_band,
                key.metric,
                &key.unit,
                &cell(values[r]),
            ]);
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// `breakdown_summary.csv`: each (year, ICC, band, metric) across
/// replications: mean, sd, standard error, 95% CI (Student t), min, max.
pub fn breakdown_summary_csv(info: &RunInfo, set: &BreakdownSet) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "year",
        "year_start",
        "icc",
        "age_band",
        "metric",
        "unit",
        "n",
        "mean",
        "sd",
        "se",
        "ci95_low",
        "ci95_high",
        "min",
        "max",
    ]);
    for (key, s) in set.keys.iter().zip(&set.summaries) {
        let _ = writer.write_record([
            info.scenario_name.as_str(),
            &key.year,
            &key.year_start,
            &key.icc,
            &key.age_band,
            key.metric,
            &key.unit,
            &s.n.to_string(),
            &cell(s.mean),
            &cell(s.sd),
            &cell(s.se),
            &cell(s.ci_low),
            &cell(s.ci_high),
            &cell(s.min),
            &cell(s.max),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}
