//! Renderers of a parameter sweep: `sweep.csv` (each grid point × outcome
//! across replications) and `sweep_replications.csv` (each replication's
//! value of the whole-system and per-service outcomes, for plotting an
//! outcome against the swept values).

use crate::experiment::record::{Record, Schema};
use crate::stats::Summary;

use super::csv_safe::neutralise;
use super::tidy::{SUMMARY_COLUMNS, cell, summary_cells};

/// One grid point: the swept values (in the order of the swept keys), and
/// its replications' records.
pub struct SweepPoint {
    pub values: Vec<String>,
    /// Shared between points with the same outputs.
    pub schema: std::sync::Arc<Schema>,
    pub records: Vec<Record>,
}

/// Labels of record position k: (table, service, type, year, icc, band,
/// metric, unit).
fn labels(schema: &Schema, k: usize) -> [String; 8] {
    match schema.metrics.get(k) {
        Some(m) => [
            "metrics".into(),
            m.service.clone(),
            m.patient_type.clone(),
            String::new(),
            String::new(),
            String::new(),
            m.metric.clone(),
            m.unit.clone(),
        ],
        None => {
            let b = &schema.breakdown[k - schema.metrics.len()];
            [
                "breakdown".into(),
                String::new(),
                String::new(),
                b.year.clone(),
                b.icc.clone(),
                b.age_band.clone(),
                b.metric.to_string(),
                b.unit.clone(),
            ]
        }
    }
}

/// Whether position k is a whole-system outcome (all years, ICCs, ages)
/// or a metric of a whole service: what `sweep_replications.csv` keeps.
fn is_headline(schema: &Schema, k: usize) -> bool {
    match schema.metrics.get(k) {
        Some(m) => m.patient_type == "all",
        None => {
            let b = &schema.breakdown[k - schema.metrics.len()];
            b.year == "all" && b.icc == "all" && b.age_band == "all"
        }
    }
}

const LABEL_HEADER: [&str; 8] = [
    "table",
    "service",
    "patient_type",
    "year",
    "icc",
    "age_band",
    "metric",
    "unit",
];

/// `sweep.csv`.
pub fn sweep_csv(scenario: &str, keys: &[String], points: &[SweepPoint]) -> Vec<u8> {
    let scenario = neutralise(scenario);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["scenario".into(), "point".into()];
    header.extend(keys.iter().map(|k| neutralise(k).into_owned()));
    header.extend(LABEL_HEADER.iter().map(|s| s.to_string()));
    header.extend(SUMMARY_COLUMNS.iter().map(|s| s.to_string()));
    let _ = writer.write_record(&header);
    for (p, point) in points.iter().enumerate() {
        // Metrics and the breakdown (each service's delays and pressure
        // by year are in a run's or batch's own files).
        for k in 0..point.schema.metrics.len() + point.schema.breakdown.len() {
            let values: Vec<f64> = point.records.iter().map(|r| r.values[k]).collect();
            let s = Summary::of(&values);
            let mut row: Vec<String> = vec![scenario.to_string(), (p + 1).to_string()];
            row.extend(point.values.iter().map(|v| neutralise(v).into_owned()));
            row.extend(
                labels(&point.schema, k)
                    .iter()
                    .map(|l| neutralise(l).into_owned()),
            );
            row.extend(summary_cells(&s));
            let _ = writer.write_record(&row);
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// `sweep_replications.csv`: per point and replication, the value of every
/// whole-system outcome and whole-service metric.
pub fn sweep_replications_csv(scenario: &str, keys: &[String], points: &[SweepPoint]) -> Vec<u8> {
    let scenario = neutralise(scenario);
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["scenario".into(), "point".into()];
    header.extend(keys.iter().map(|k| neutralise(k).into_owned()));
    header.push("replication".into());
    header.extend(LABEL_HEADER.iter().map(|s| s.to_string()));
    header.push("value".into());
    let _ = writer.write_record(&header);
    for (p, point) in points.iter().enumerate() {
        let kept: Vec<usize> = (0..point.schema.metrics.len() + point.schema.breakdown.len())
            .filter(|&k| is_headline(&point.schema, k))
            .collect();
        for record in &point.records {
            for &k in &kept {
                let mut row: Vec<String> = vec![scenario.to_string(), (p + 1).to_string()];
                row.extend(point.values.iter().map(|v| neutralise(v).into_owned()));
                row.push(record.replication.to_string());
                row.extend(
                    labels(&point.schema, k)
                        .iter()
                        .map(|l| neutralise(l).into_owned()),
                );
                row.push(cell(record.values[k]));
                let _ = writer.write_record(&row);
            }
        }
    }
    writer.into_inner().unwrap_or_default()
}
