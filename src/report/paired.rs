//! `paired_differences.csv`: every replication's paired difference of
//! every value a comparison's scenarios share, so that a notebook pairs
//! nothing itself. One row per alternative × replication × value (in the
//! baseline's order of values): the baseline's value, the alternative's
//! and their difference (alternative − baseline), an empty cell where
//! either is undefined. Streamed: it grows with the replications. By
//! default a breakdown value of one age band is left out (they are 3 in 4
//! of the rows: 3.8 MB a replication of the baseline with them, 1.0 MB
//! without); `all_age_bands` keeps them.

use std::io::Write;

use crate::experiment::compare::shared_positions;
use crate::experiment::record::{Record, Schema};

use super::csv_safe::neutralise;
use super::tidy::cell;

/// The columns of `paired_differences.csv`, in order.
pub const PAIRED_COLUMNS: [&str; 14] = [
    "baseline",
    "scenario",
    "replication",
    "table",
    "service",
    "patient_type",
    "year",
    "icc",
    "age_band",
    "metric",
    "unit",
    "baseline_value",
    "scenario_value",
    "difference",
];

/// One scenario's records, by name.
pub struct Scenario<'a> {
    pub name: &'a str,
    pub schema: &'a Schema,
    pub records: &'a [Record],
}

/// Writes `paired_differences.csv` of `alternatives` against `base`. The
/// record lists hold the same replications in the same order.
pub fn write_paired_differences_csv(
    out: &mut dyn Write,
    base: &Scenario,
    alternatives: &[Scenario],
    all_age_bands: bool,
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(PAIRED_COLUMNS)?;
    let baseline = neutralise(base.name);
    for alt in alternatives {
        let scenario = neutralise(alt.name);
        let positions: Vec<_> = shared_positions(base.schema, alt.schema)
            .into_iter()
            .filter(|(key, _, _)| {
                all_age_bands || key.table != "breakdown" || key.labels[2] == "all"
            })
            .collect();
        // Labels are the same in every replication: neutralised once.
        let labels: Vec<[String; 8]> = positions
            .iter()
            .map(|(key, _, _)| {
                let l = |i: usize| neutralise(&key.labels[i]).into_owned();
                let (service, patient_type, year, icc, age_band) = match key.table {
                    "metrics" => (l(0), l(1), String::new(), String::new(), String::new()),
                    _ => (String::new(), String::new(), l(0), l(1), l(2)),
                };
                [
                    key.table.to_string(),
                    service,
                    patient_type,
                    year,
                    icc,
                    age_band,
                    neutralise(&key.metric).into_owned(),
                    neutralise(&key.unit).into_owned(),
                ]
            })
            .collect();
        for (b, a) in base.records.iter().zip(alt.records) {
            let replication = b.replication.to_string();
            for ((_, i, j), labels) in positions.iter().zip(&labels) {
                let (bv, av) = (b.values[*i], a.values[*j]);
                let difference = if bv.is_finite() && av.is_finite() {
                    av - bv
                } else {
                    f64::NAN
                };
                let mut row: Vec<&str> = vec![&baseline, &scenario, &replication];
                row.extend(labels.iter().map(String::as_str));
                let values = [cell(bv), cell(av), cell(difference)];
                row.extend(values.iter().map(String::as_str));
                writer.write_record(&row)?;
            }
        }
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::record::MetricKey;

    #[test]
    fn one_row_per_replication_and_value_with_the_difference() {
        let schema = Schema {
            metrics: vec![MetricKey {
                service: "ward".into(),
                patient_type: "all".into(),
                metric: "wait_mean".into(),
                unit: "days".into(),
            }],
            breakdown: Vec::new(),
            service_years: Vec::new(),
            registers: Vec::new(),
        };
        let records = |values: &[f64]| -> Vec<Record> {
            values
                .iter()
                .enumerate()
                .map(|(r, v)| Record {
                    replication: r as u64,
                    values: vec![*v],
                })
                .collect()
        };
        let (base, alt) = (records(&[1.0, 2.5]), records(&[3.0, f64::NAN]));
        let mut bytes = Vec::new();
        write_paired_differences_csv(
            &mut bytes,
            &Scenario {
                name: "base",
                schema: &schema,
                records: &base,
            },
            &[Scenario {
                name: "alt",
                schema: &schema,
                records: &alt,
            }],
            false,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "baseline,scenario,replication,table,service,patient_type,year,icc,age_band,metric,unit,baseline_value,scenario_value,difference\n\
             base,alt,0,metrics,ward,all,,,,wait_mean,days,1,3,2\n\
             base,alt,1,metrics,ward,all,,,,wait_mean,days,2.5,,\n"
        );
    }
}
