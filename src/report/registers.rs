//! `registers.csv`: the risk registers (moving risk tiers,
//! docs/whole-system.md §3) of every replication, one row per
//! replication × month of the window × register (ICC × age band) × tier:
//! the tier's members and caseload (means over the month and member-days),
//! its crises, emergency admissions and step-ups, and the followed cohort
//! (the top tier's members marked at the start of each window year) in
//! the tier. Rendered from records (`experiment::registers`), so that
//! `run`, `batch` and `merge` write the same bytes.

use std::io::Write;

use crate::experiment::record::{Record, Schema};
use crate::experiment::registers::{COHORT_MARKED, MONTH_VALUES};
use crate::model::Network;
use crate::model::register::window_months;

use super::csv_safe::neutralise;
use super::tidy::cell;

/// The header of `registers.csv`.
pub const REGISTERS_COLUMNS: [&str; 21] = [
    "scenario",
    "replication",
    "year",
    "month",
    "month_start",
    "days",
    "icc",
    "age_band",
    "tier",
    "members",
    "member_days",
    "caseload",
    "caseload_days",
    "crises",
    "caseload_crises",
    "admissions",
    "step_ups",
    "cohort_marked",
    "cohort_members",
    "cohort_member_days",
    "cohort_admissions",
];

/// Whether the network has risk registers (a whole system whose tiers
/// move, or whose case management acts on the people on its caseload).
pub fn has_registers(network: &Network) -> bool {
    !network.risk_registers.is_empty()
}

/// A mean over the month's days, to 4 decimals (blank when undefined).
fn mean(total: f64, days: f64) -> String {
    let value = total / days;
    if value.is_finite() {
        format!("{value:.4}")
    } else {
        String::new()
    }
}

/// Member-days to 3 decimals (people join and leave caseloads, and step
/// up, at any time of day); blank when undefined.
fn days(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.3}")
    } else {
        String::new()
    }
}

/// Where a row's values are in the record's register part.
struct Row {
    register: usize,
    month: usize,
    year: usize,
    tier: usize,
    /// Index of its first value ([`MONTH_VALUES`] follow in order).
    first: usize,
}

/// Writes `registers.csv` from the records (in the order given), streamed:
/// it grows with the replications.
pub fn write_registers_csv(
    out: &mut dyn Write,
    network: &Network,
    schema: &Schema,
    records: &[Record],
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(REGISTERS_COLUMNS)?;
    let months = window_months(&network.run);
    let keys = &schema.registers;
    let rows: Vec<Row> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, key)| {
            let first = key.value == MONTH_VALUES[0];
            debug_assert!(
                !first
                    || MONTH_VALUES
                        .iter()
                        .enumerate()
                        .all(|(j, v)| keys.get(i + j).is_some_and(|k| k.value == *v))
            );
            Some(Row {
                register: key.register,
                month: key.month.filter(|_| first)?,
                year: key.year,
                tier: key.tier?,
                first: i,
            })
        })
        .collect();
    // Where each (register, year)'s cohort size is: found in one pass (a
    // search per row was quadratic in the registers × months).
    let marked: std::collections::HashMap<(usize, usize), usize> = keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.value == COHORT_MARKED)
        .map(|(i, k)| ((k.register, k.year), i))
        .collect();
    let marked_at: Vec<Option<usize>> = rows
        .iter()
        .map(|r| marked.get(&(r.register, r.year)).copied())
        .collect();
    let names: Vec<(String, String)> = network
        .risk_registers
        .iter()
        .map(|r| {
            let (icc, band) = r.name.split_once('/').unwrap_or((r.name.as_str(), ""));
            (neutralise(icc).into_owned(), neutralise(band).into_owned())
        })
        .collect();
    let scenario = neutralise(&network.name).into_owned();
    for record in records {
        let values = record.registers(schema);
        for (row, marked_at) in rows.iter().zip(&marked_at) {
            let Some(month) = months.get(row.month) else {
                continue;
            };
            let register = &network.risk_registers[row.register];
            let v = |j: usize| values[row.first + j];
            let (member_days, caseload_days, cohort_member_days) = (v(0), v(1), v(2));
            let (icc, band) = &names[row.register];
            writer.write_record([
                scenario.clone(),
                record.replication.to_string(),
                (row.year + 1).to_string(),
                (row.month + 1).to_string(),
                month.start.to_string(),
                cell(month.days),
                icc.clone(),
                band.clone(),
                neutralise(&register.tiers[row.tier]).into_owned(),
                mean(member_days, month.days),
                days(member_days),
                mean(caseload_days, month.days),
                days(caseload_days),
                cell(v(3)),
                cell(v(4)),
                cell(v(5)),
                cell(v(6)),
                cell(marked_at.map_or(f64::NAN, |i| values[i])),
                mean(cohort_member_days, month.days),
                days(cohort_member_days),
                cell(v(7)),
            ])?;
        }
    }
    writer.flush()
}

/// `registers.csv` in memory (`run`, whose records are in memory anyway).
pub fn registers_csv(network: &Network, schema: &Schema, records: &[Record]) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_registers_csv(&mut bytes, network, schema, records);
    bytes
}
