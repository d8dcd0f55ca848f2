//! `paired_differences.csv`: every replication's paired difference of
//! every value a comparison's scenarios share, so that a notebook pairs
//! nothing itself. One row per alternative × replication × value (in the
//! baseline's order of values): the baseline's value, the alternative's
//! and their difference (alternative − baseline), an empty cell where
//! either is undefined. Streamed: it grows with the replications. By
//! default a breakdown value of one age band is left out (they are 3 in 4
//! of the rows: 3.8 MB a replication of the baseline with them, 1.0 MB
//! without); `all_age_bands` keeps them.
//!
//! Detail rows apart from margins, as in `breakdown.csv`: a value summed
//! (or averaged) over a year, ICC, age band, service or patient type
//! (`all`) is a margin, in `paired_differences_margins.csv`; each value at
//! the finest level the file holds for it is in `paired_differences.csv`,
//! so that a naive sum of its differences is the total (the trial of
//! issue 24 summed four times the total when they were mixed).

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

/// Which rows a file holds: each value at the finest level written for it
/// (`paired_differences.csv`), or its margins
/// (`paired_differences_margins.csv`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Detail,
    Margins,
}

/// How many of a value's labels name one thing rather than `all`.
fn named_labels(key: &crate::experiment::compare::CompareKey) -> usize {
    key.labels.iter().filter(|l| l.as_str() != "all").count()
}

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
    level: Level,
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
        // The finest level written of each value: its most named labels.
        let mut finest: std::collections::HashMap<(&str, &str), usize> =
            std::collections::HashMap::new();
        for (key, _, _) in &positions {
            let named = finest.entry((key.table, key.metric.as_str())).or_default();
            *named = (*named).max(named_labels(key));
        }
        let positions: Vec<_> = positions
            .iter()
            .filter(|(key, _, _)| {
                let detail = named_labels(key) == finest[&(key.table, key.metric.as_str())];
                detail == (level == Level::Detail)
            })
            .cloned()
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
            Level::Detail,
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "baseline,scenario,replication,table,service,patient_type,year,icc,age_band,metric,unit,baseline_value,scenario_value,difference\n\
             base,alt,0,metrics,ward,all,,,,wait_mean,days,1,3,2\n\
             base,alt,1,metrics,ward,all,,,,wait_mean,days,2.5,,\n"
        );
    }

    /// Detail rows apart from margins: the detail file's differences sum
    /// to the margin's (year and ICC summed over), its years are numbers,
    /// and every row is in exactly one of the two files.
    #[test]
    fn a_naive_sum_of_the_detail_rows_is_the_total() {
        use crate::experiment::record::BreakdownKey;
        let mut breakdown = Vec::new();
        for year in ["1", "2", "all"] {
            for icc in ["a", "b", "all"] {
                breakdown.push(BreakdownKey {
                    year: year.into(),
                    year_start: String::new(),
                    icc: icc.into(),
                    age_band: "all".into(),
                    metric: "emergency_admissions",
                    unit: "admissions".into(),
                });
            }
        }
        // A system-wide value, by year only: its detail is the year's.
        for year in ["1", "2", "all"] {
            breakdown.push(BreakdownKey {
                year: year.into(),
                year_start: String::new(),
                icc: "all".into(),
                age_band: "all".into(),
                metric: "acute_occupancy",
                unit: "fraction".into(),
            });
        }
        let schema = Schema {
            metrics: Vec::new(),
            breakdown,
            service_years: Vec::new(),
            registers: Vec::new(),
        };
        // Year y, ICC i: (y + 1) * (i + 1) * scale; margins are the sums.
        let values = |scale: f64| -> Vec<f64> {
            let cell = |y: usize, i: usize| ((y + 1) * (i + 1)) as f64 * scale;
            let mut v = Vec::new();
            for y in 0..3 {
                for i in 0..3 {
                    let ys: Vec<usize> = if y == 2 { vec![0, 1] } else { vec![y] };
                    let is: Vec<usize> = if i == 2 { vec![0, 1] } else { vec![i] };
                    v.push(
                        ys.iter()
                            .flat_map(|&y| is.iter().map(move |&i| cell(y, i)))
                            .sum(),
                    );
                }
            }
            v.extend([0.9 * scale, 0.95 * scale, 0.925 * scale]);
            v
        };
        let records = |scale: f64| {
            vec![Record {
                replication: 0,
                values: values(scale),
            }]
        };
        let (base, alt) = (records(10.0), records(11.0));
        let file = |level: Level| -> Vec<Vec<String>> {
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
                level,
            )
            .unwrap();
            let mut reader = csv::Reader::from_reader(bytes.as_slice());
            reader
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect()
        };
        let (detail, margins) = (file(Level::Detail), file(Level::Margins));
        assert_eq!(detail.len() + margins.len(), 12);
        let admissions = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
            rows.iter()
                .filter(|r| r[9] == "emergency_admissions")
                .cloned()
                .collect()
        };
        assert_eq!(admissions(&detail).len(), 4);
        assert!(detail.iter().all(|r| r[6].parse::<u32>().is_ok()));
        let sum: f64 = admissions(&detail)
            .iter()
            .map(|r| r[13].parse::<f64>().unwrap())
            .sum();
        let total = margins
            .iter()
            .find(|r| r[9] == "emergency_admissions" && r[6] == "all" && r[7] == "all")
            .unwrap()[13]
            .parse::<f64>()
            .unwrap();
        assert_eq!(sum, total);
        // acute_occupancy: one row a year in the detail, the window's mean
        // in the margins.
        let occupancy: Vec<&Vec<String>> = detail
            .iter()
            .filter(|r| r[9] == "acute_occupancy")
            .collect();
        assert_eq!(occupancy.len(), 2);
    }
}
