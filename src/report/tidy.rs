//! Tidy (long-format) outputs: one row per replication × service × patient
//! type × metric, summaries across replications, daily/weekly/monthly/yearly
//! series, flows, occupancy distributions and episodes, as CSV and JSON.
//!
//! Numbers are written with Rust's shortest round-trip formatting, so the
//! same results always give the same bytes; a value that is undefined (a
//! mean of nothing) is an empty CSV cell and `null` in JSON.

use std::io::Write;

use serde::Serialize;

use crate::experiment::record::{MetricKey, Record, Schema};
use crate::experiment::thresholds::Crossing;
use crate::experiment::{Episode, ReplicationOutput};
use crate::model::Network;
use crate::stats::Summary;

use super::csv_safe::neutralise;

/// What was run, written beside the results (`run.json`).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct RunInfo {
    pub iccsim_version: String,
    pub scenario_name: String,
    pub scenario_title: String,
    /// Where the scenario came from (a path, or "built-in default").
    pub scenario_origin: String,
    pub seed: u64,
    pub replications: u64,
    pub start_date: String,
    pub warmup_days: f64,
    pub horizon_days: f64,
    /// The date the last lever reaches full effect (ISO), or null
    /// (`model::full_effect`).
    #[serde(default)]
    pub full_effect_from: Option<String>,
    /// The 1-based index of the first whole year of the window on or
    /// after `full_effect_from`, or null.
    #[serde(default)]
    pub first_full_year: Option<usize>,
    /// How the uncertain values were set: `drawn` (each replication draws
    /// them), a named case (`pessimistic`, `central`, `optimistic`) or a
    /// quantile (`0.9`), or `none` without uncertain values.
    #[serde(default)]
    pub case: String,
    /// A sentence saying how the uncertain values are correlated
    /// (`independent` by default).
    #[serde(default)]
    pub correlation: String,
}

/// One metric value of one replication.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricRow {
    pub replication: u64,
    /// A service name, or `system`.
    pub service: String,
    /// A patient type, or `all`.
    pub patient_type: String,
    pub metric: String,
    pub unit: String,
    pub value: f64,
}

/// A metric summarised across replications.
#[derive(Clone, Debug, Serialize)]
pub struct SummaryRow {
    pub service: String,
    pub patient_type: String,
    pub metric: String,
    pub unit: String,
    #[serde(flatten)]
    pub summary: Summary,
}

/// The metrics of a set of replications, ready to render: one value per
/// key and replication.
pub struct ResultSet {
    pub info: RunInfo,
    pub keys: Vec<MetricKey>,
    /// Replication numbers, in order.
    pub replications: Vec<u64>,
    /// `values[key][replication]`.
    pub values: Vec<Vec<f64>>,
    pub summaries: Vec<SummaryRow>,
}

impl ResultSet {
    /// Flattens replication results through the metric registry.
    pub fn new(network: &Network, info: RunInfo, outputs: &[ReplicationOutput]) -> ResultSet {
        let schema = Schema::of(network);
        // Each output's record was reduced from the network it ran on.
        let records: Vec<Record> = outputs.iter().map(|o| o.record.clone()).collect();
        ResultSet::from_records(&schema, info, &records)
    }

    /// The metric part of records (in replication order).
    pub fn from_records(schema: &Schema, info: RunInfo, records: &[Record]) -> ResultSet {
        let values: Vec<Vec<f64>> = (0..schema.metrics.len())
            .map(|k| records.iter().map(|r| r.values[k]).collect())
            .collect();
        let summaries = schema
            .metrics
            .iter()
            .zip(&values)
            .map(|(key, v)| SummaryRow {
                service: key.service.clone(),
                patient_type: key.patient_type.clone(),
                metric: key.metric.clone(),
                unit: key.unit.clone(),
                summary: Summary::of(v),
            })
            .collect();
        ResultSet {
            info,
            keys: schema.metrics.clone(),
            replications: records.iter().map(|r| r.replication).collect(),
            values,
            summaries,
        }
    }

    /// The summary of one metric, if present.
    pub fn summary(&self, service: &str, patient_type: &str, metric: &str) -> Option<&Summary> {
        self.position(service, patient_type, metric)
            .map(|k| &self.summaries[k].summary)
    }

    /// Per-replication values of one metric, in replication order.
    pub fn values(&self, service: &str, patient_type: &str, metric: &str) -> Vec<f64> {
        self.position(service, patient_type, metric)
            .map(|k| self.values[k].clone())
            .unwrap_or_default()
    }

    fn position(&self, service: &str, patient_type: &str, metric: &str) -> Option<usize> {
        self.keys.iter().position(|k| {
            k.service == service && k.patient_type == patient_type && k.metric == metric
        })
    }

    /// Every value as a row, replication by replication.
    pub fn rows(&self) -> impl Iterator<Item = MetricRow> + '_ {
        self.replications
            .iter()
            .enumerate()
            .flat_map(move |(r, &replication)| {
                self.keys
                    .iter()
                    .zip(&self.values)
                    .map(move |(key, v)| MetricRow {
                        replication,
                        service: key.service.clone(),
                        patient_type: key.patient_type.clone(),
                        metric: key.metric.clone(),
                        unit: key.unit.clone(),
                        value: v[r],
                    })
            })
    }
}

/// The columns of a summary across replications, in this order, in every
/// summary CSV (`summary.csv`, `breakdown_summary.csv`, `sweep.csv`); the
/// board report reads them back by these names.
pub const SUMMARY_COLUMNS: [&str; 13] = [
    "n",
    "mean",
    "sd",
    "se",
    "ci95_low",
    "ci95_high",
    "min",
    "max",
    "p05",
    "p25",
    "median",
    "p75",
    "p95",
];

/// A summary's cells, in the order of [`SUMMARY_COLUMNS`].
pub fn summary_cells(s: &Summary) -> [String; 13] {
    [
        s.n.to_string(),
        cell(s.mean),
        cell(s.sd),
        cell(s.se),
        cell(s.ci_low),
        cell(s.ci_high),
        cell(s.min),
        cell(s.max),
        cell(s.p05),
        cell(s.p25),
        cell(s.median),
        cell(s.p75),
        cell(s.p95),
    ]
}

/// A number for CSV: shortest round-trip form, empty when undefined.
pub fn cell(value: f64) -> String {
    if value.is_finite() {
        format!("{value}")
    } else {
        String::new()
    }
}

fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = writer.write_record(header);
    for row in rows {
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// `replications.csv`: one row per replication × service × type × metric.
pub fn replications_csv(set: &ResultSet) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_replications_csv(&mut bytes, set);
    bytes
}

/// `replications.csv`, streamed (it grows with the replications).
pub fn write_replications_csv(out: &mut dyn Write, set: &ResultSet) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "scenario",
        "replication",
        "service",
        "patient_type",
        "metric",
        "unit",
        "value",
    ])?;
    let scenario = neutralise(&set.info.scenario_name);
    for (r, replication) in set.replications.iter().enumerate() {
        let replication = replication.to_string();
        for (key, values) in set.keys.iter().zip(&set.values) {
            writer.write_record([
                &*scenario,
                &replication,
                &neutralise(&key.service),
                &neutralise(&key.patient_type),
                &neutralise(&key.metric),
                &neutralise(&key.unit),
                &cell(values[r]),
            ])?;
        }
    }
    writer.flush()
}

/// `summary.csv`: each metric across replications with its 95% CI.
pub fn summary_csv(set: &ResultSet) -> Vec<u8> {
    let scenario = neutralise(&set.info.scenario_name);
    csv_bytes(
        &[
            ["scenario", "service", "patient_type", "metric", "unit"].as_slice(),
            &SUMMARY_COLUMNS,
        ]
        .concat(),
        set.summaries.iter().map(|s| {
            let mut row = Vec::with_capacity(5 + SUMMARY_COLUMNS.len());
            row.extend([
                scenario.to_string(),
                neutralise(&s.service).into_owned(),
                neutralise(&s.patient_type).into_owned(),
                neutralise(&s.metric).into_owned(),
                neutralise(&s.unit).into_owned(),
            ]);
            row.extend(summary_cells(&s.summary));
            row
        }),
    )
}

/// `results.json`: run information, summaries and per-replication values.
/// `run.json`: what was run, alone (`results.json` holds it too, with
/// every replication's values).
/// The columns of `thresholds.csv`.
pub const THRESHOLD_COLUMNS: [&str; 10] = [
    "scenario",
    "year",
    "year_start",
    "icc",
    "metric",
    "unit",
    "threshold",
    "direction",
    "probability",
    "replications",
];

/// `thresholds.csv`: for each year (and `all`) and threshold, the share of
/// replications whose system-wide value is beyond it.
pub fn thresholds_csv(info: &RunInfo, crossings: &[Crossing]) -> Vec<u8> {
    let scenario = neutralise(&info.scenario_name);
    csv_bytes(
        &THRESHOLD_COLUMNS,
        crossings.iter().map(|c| {
            vec![
                scenario.to_string(),
                neutralise(&c.year).into_owned(),
                neutralise(&c.year_start).into_owned(),
                neutralise(&c.icc).into_owned(),
                neutralise(c.threshold.metric).into_owned(),
                neutralise(&c.unit).into_owned(),
                cell(c.threshold.value),
                c.threshold.direction.to_string(),
                cell(c.probability),
                c.replications.to_string(),
            ]
        }),
    )
}

pub fn run_json(info: &RunInfo) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(info).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

pub fn results_json(set: &ResultSet) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_results_json(&mut bytes, set);
    bytes
}

/// `results.json`, streamed: the per-replication rows are serialised one
/// at a time as they are written, never collected.
///
/// Its shape is `{"run": {…}, "summary": [records], "replications":
/// [records]}`, each record flat (the columns of `summary.csv` and
/// `replications.csv` less `scenario`): `pandas.read_json` cannot take the
/// whole, `pandas.DataFrame(json.load(f)["replications"])` takes each list.
pub fn write_results_json(out: &mut dyn Write, set: &ResultSet) -> std::io::Result<()> {
    struct Rows<'a>(&'a ResultSet);
    impl Serialize for Rows<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.rows())
        }
    }
    #[derive(Serialize)]
    struct Document<'a> {
        run: &'a RunInfo,
        summary: &'a [SummaryRow],
        replications: Rows<'a>,
    }
    // serde_json writes NaN as null.
    serde_json::to_writer_pretty(
        &mut *out,
        &Document {
            run: &set.info,
            summary: &set.summaries,
            replications: Rows(set),
        },
    )?;
    out.write_all(b"\n")
}

/// Periods of the time series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
}

impl Period {
    pub const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::Year];

    /// Every period for runs up to a year; months and years beyond (daily
    /// rows of every service for years would run to gigabytes).
    pub fn defaults_for(horizon_days: f64) -> Vec<Period> {
        if horizon_days <= 366.0 {
            Period::ALL.to_vec()
        } else {
            vec![Period::Month, Period::Year]
        }
    }

    pub fn from_name(name: &str) -> Option<Period> {
        Period::ALL.into_iter().find(|p| p.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
        }
    }
}

/// Start (window day) of each period, and its start date, up to `days`.
fn period_starts(network: &Network, period: Period, days: usize) -> Vec<(usize, String)> {
    let start = network.run.start_date;
    let mut starts = Vec::new();
    let mut index: i64 = 0;
    loop {
        let date = match period {
            Period::Day => start.add_days(index),
            Period::Week => start.add_days(7 * index),
            Period::Month => start.add_months(index),
            Period::Year => start.add_months(12 * index),
        };
        let day = (date.day_number() - start.day_number()) as usize;
        if day >= days {
            break;
        }
        starts.push((day, date.to_string()));
        index += 1;
    }
    starts
}

/// `timeseries.csv`: per replication, service and period (day, week,
/// month, year from `run.start_date`): counts summed, levels averaged over
/// the days of the period (a partial last day counts for its length).
pub fn timeseries_csv(
    network: &Network,
    info: &RunInfo,
    outputs: &[ReplicationOutput],
    periods: &[Period],
) -> Vec<u8> {
    let days = network.run.window_days();
    let horizon = network.run.horizon_days;
    let day_length = |d: usize| (horizon - d as f64).min(1.0);
    let scenario = neutralise(&info.scenario_name);
    // Rows go straight to the writer: this file is the largest output, and
    // building it as strings first multiplied its memory.
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "replication",
        "service",
        "period",
        "period_index",
        "period_start",
        "days",
        "metric",
        "value",
    ]);
    for &period in periods {
        let starts = period_starts(network, period, days);
        for output in outputs {
            for (s, service) in network.services.iter().enumerate() {
                let daily = &output.result.daily[s];
                let service_name = neutralise(&service.name);
                for (i, (first, date)) in starts.iter().enumerate() {
                    let last = starts.get(i + 1).map(|(d, _)| *d).unwrap_or(days);
                    let span = *first..last;
                    let length: f64 = span.clone().map(day_length).sum();
                    let sum_u = |v: &[u32]| span.clone().map(|d| f64::from(v[d])).sum::<f64>();
                    let mean_area = |v: &[f64]| span.clone().map(|d| v[d]).sum::<f64>() / length;
                    let peak = span
                        .clone()
                        .map(|d| daily.occupancy_peak[d])
                        .max()
                        .unwrap_or(0);
                    let values = [
                        ("arrivals", sum_u(&daily.arrivals)),
                        ("admissions", sum_u(&daily.admissions)),
                        ("lost", sum_u(&daily.lost)),
                        ("departures", sum_u(&daily.departures)),
                        ("occupancy_mean", mean_area(&daily.occupancy_area)),
                        ("occupancy_peak", f64::from(peak)),
                        ("delayed_mean", mean_area(&daily.delayed_area)),
                        ("waiting_mean", mean_area(&daily.waiting_area)),
                    ];
                    for (metric, value) in values {
                        let _ = writer.write_record([
                            &*scenario,
                            &output.result.replication.to_string(),
                            &service_name,
                            period.name(),
                            &i.to_string(),
                            &neutralise(date),
                            &cell(length),
                            metric,
                            &cell(value),
                        ]);
                    }
                }
            }
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// `flows.csv`: patients moved between each pair of nodes (arrival,
/// services, sinks, lost) in the window, per replication.
pub fn flows_csv(info: &RunInfo, outputs: &[ReplicationOutput]) -> Vec<u8> {
    let scenario = neutralise(&info.scenario_name);
    csv_bytes(
        &["scenario", "replication", "from", "to", "patients"],
        outputs.iter().flat_map(|o| {
            let scenario = &scenario;
            o.result.flows.non_zero().map(move |(from, to, n)| {
                vec![
                    scenario.to_string(),
                    o.result.replication.to_string(),
                    neutralise(from).into_owned(),
                    neutralise(to).into_owned(),
                    n.to_string(),
                ]
            })
        }),
    )
}

/// `occupancy.csv`: share of window time at each occupancy level, per
/// replication and service (levels never held are left out).
pub fn occupancy_csv(network: &Network, info: &RunInfo, outputs: &[ReplicationOutput]) -> Vec<u8> {
    let scenario = neutralise(&info.scenario_name);
    let mut rows = Vec::new();
    for output in outputs {
        for (s, service) in network.services.iter().enumerate() {
            let Some(levels) = &output.result.services[s].levels else {
                continue;
            };
            for (occupied, share) in levels.occupancy_distribution.iter().enumerate() {
                if *share > 0.0 {
                    rows.push(vec![
                        scenario.to_string(),
                        output.result.replication.to_string(),
                        neutralise(&service.name).into_owned(),
                        occupied.to_string(),
                        cell(*share),
                    ]);
                }
            }
        }
    }
    csv_bytes(
        &[
            "scenario",
            "replication",
            "service",
            "occupied",
            "share_of_time",
        ],
        rows.into_iter(),
    )
}

/// `episodes.csv`: one row per visit that ended in the window. Times are
/// days since the start of the window.
pub fn episodes_csv(info: &RunInfo, outputs: &[ReplicationOutput]) -> Vec<u8> {
    let optional = |v: Option<f64>| v.map(cell).unwrap_or_default();
    let scenario = neutralise(&info.scenario_name);
    csv_bytes(
        &[
            "scenario",
            "replication",
            "patient",
            "patient_type",
            "service",
            "requested_at",
            "started_at",
            "ready_at",
            "left_at",
            "wait_days",
            "los_days",
            "delayed_days",
            "destination",
        ],
        outputs
            .iter()
            .flat_map(|o| o.episodes.iter())
            .map(|e: &Episode| {
                vec![
                    scenario.to_string(),
                    e.replication.to_string(),
                    e.patient.to_string(),
                    neutralise(&e.patient_type).into_owned(),
                    neutralise(&e.service).into_owned(),
                    cell(e.requested_at),
                    optional(e.started_at),
                    optional(e.ready_at),
                    cell(e.left_at),
                    optional(e.started_at.map(|s| s - e.requested_at)),
                    optional(e.started_at.map(|s| e.left_at - s)),
                    cell(e.delayed_days),
                    neutralise(&e.destination).into_owned(),
                ]
            }),
    )
}
