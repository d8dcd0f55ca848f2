//! Whole-system outputs by year, ICC and age band: `breakdown.csv` (one
//! row per replication × year × ICC × age band × metric, at the finest
//! level each metric has: its *detail* rows), `breakdown_margins.csv` (the
//! same replications' *margins*: rows where a dimension is summed over,
//! "all") and `breakdown_summary.csv` (each across replications with its
//! 95% CI, detail and margins, told apart by its `level` column), plus the
//! adult acute and care-home occupancy by year.
//!
//! Detail and margins are kept apart so that a naive sum cannot count an
//! outcome twice: summing a count's detail rows of a replication gives its
//! margin exactly, and `year` in `breakdown.csv` is always a number.

use crate::experiment::ReplicationOutput;
use crate::experiment::record::{BreakdownKey as Key, Record, Schema};
use crate::model::Network;
use crate::model::system::SystemLayout;
use crate::stats::Summary;

use super::csv_safe::neutralise;
use super::tidy::{RunInfo, SUMMARY_COLUMNS, cell, summary_cells};

/// Every replication's breakdown values, key by key.
pub struct BreakdownSet {
    pub keys: Vec<Key>,
    /// `values[key][replication]`.
    pub values: Vec<Vec<f64>>,
    pub replications: Vec<u64>,
    pub summaries: Vec<Summary>,
    /// Price base of the costs, e.g. "2023/24".
    pub price_year: String,
}

/// Whether each key is a detail row (the finest level its metric has, in a
/// numbered year) rather than a margin (a dimension summed over, "all").
/// A metric kept only by ICC and band (`acute_occupancy` is per year, for
/// the whole system) has its per-year rows as its detail.
pub fn detail_keys(keys: &[Key]) -> Vec<bool> {
    let summed = |k: &Key| usize::from(k.icc == "all") + usize::from(k.age_band == "all");
    let mut finest: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for key in keys.iter().filter(|k| k.year != "all") {
        let level = finest.entry(key.metric).or_insert(usize::MAX);
        *level = (*level).min(summed(key));
    }
    keys.iter()
        .map(|k| k.year != "all" && finest.get(k.metric) == Some(&summed(k)))
        .collect()
}

/// The `level` of a key: `detail` or `margin` (see [`detail_keys`]).
fn level_name(detail: bool) -> &'static str {
    if detail { "detail" } else { "margin" }
}

impl BreakdownSet {
    /// Breakdowns of every replication.
    pub fn new(
        network: &Network,
        layout: &SystemLayout,
        outputs: &[ReplicationOutput],
    ) -> BreakdownSet {
        let schema = Schema::of(network);
        // Each output's record was reduced from the network it ran on.
        let records: Vec<Record> = outputs.iter().map(|o| o.record.clone()).collect();
        BreakdownSet::from_records(&schema, layout, &records)
    }

    /// The breakdown part of records (in replication order).
    pub fn from_records(
        schema: &Schema,
        layout: &SystemLayout,
        records: &[Record],
    ) -> BreakdownSet {
        let offset = schema.metrics.len();
        let values: Vec<Vec<f64>> = (0..schema.breakdown.len())
            .map(|k| records.iter().map(|r| r.values[offset + k]).collect())
            .collect();
        let summaries = values.iter().map(|v| Summary::of(v)).collect();
        BreakdownSet {
            keys: schema.breakdown.clone(),
            values,
            replications: records.iter().map(|r| r.replication).collect(),
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

/// `breakdown.csv`: one row per replication × year × ICC × band × metric,
/// the detail rows only ([`detail_keys`]).
pub fn breakdown_csv(info: &RunInfo, set: &BreakdownSet) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_breakdown_csv(&mut bytes, info, set);
    bytes
}

/// `breakdown_margins.csv`: the margin rows ("all" where summed over).
pub fn breakdown_margins_csv(info: &RunInfo, set: &BreakdownSet) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_breakdown_margins_csv(&mut bytes, info, set);
    bytes
}

/// `breakdown.csv`, streamed (about two megabytes per replication of the
/// five-year baseline).
pub fn write_breakdown_csv(
    out: &mut dyn std::io::Write,
    info: &RunInfo,
    set: &BreakdownSet,
) -> std::io::Result<()> {
    write_rows(out, info, set, true)
}

/// `breakdown_margins.csv`, streamed.
pub fn write_breakdown_margins_csv(
    out: &mut dyn std::io::Write,
    info: &RunInfo,
    set: &BreakdownSet,
) -> std::io::Result<()> {
    write_rows(out, info, set, false)
}

/// The detail rows (`detail`) or the margin rows of every replication.
fn write_rows(
    out: &mut dyn std::io::Write,
    info: &RunInfo,
    set: &BreakdownSet,
    detail: bool,
) -> std::io::Result<()> {
    let chosen: Vec<usize> = detail_keys(&set.keys)
        .into_iter()
        .enumerate()
        .filter(|&(_, is_detail)| is_detail == detail)
        .map(|(k, _)| k)
        .collect();
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(
        [
            ["scenario", "replication"].as_slice(),
            &KEY_COLUMNS,
            &["value"],
        ]
        .concat(),
    )?;
    let scenario = neutralise(&info.scenario_name);
    for (r, replication) in set.replications.iter().enumerate() {
        let replication = replication.to_string();
        for &k in &chosen {
            let (key, values) = (&set.keys[k], &set.values[k]);
            let [year, year_start, icc, age_band, metric, unit] = &key_cells(key);
            writer.write_record([
                &*scenario,
                &replication,
                year,
                year_start,
                icc,
                age_band,
                metric,
                unit,
                &cell(values[r]),
            ])?;
        }
    }
    writer.flush()
}

/// The columns of a breakdown key, in the order of [`key_cells`].
const KEY_COLUMNS: [&str; 6] = ["year", "year_start", "icc", "age_band", "metric", "unit"];

/// The text cells of a breakdown key, safe for a spreadsheet.
fn key_cells(key: &Key) -> [std::borrow::Cow<'_, str>; 6] {
    [
        neutralise(&key.year),
        neutralise(&key.year_start),
        neutralise(&key.icc),
        neutralise(&key.age_band),
        neutralise(key.metric),
        neutralise(&key.unit),
    ]
}

/// `breakdown_summary.csv`: each (year, ICC, band, metric) across
/// replications: mean, sd, standard error, 95% CI (Student t), min, max;
/// last, its `level` (`detail` or `margin`, [`detail_keys`]).
pub fn breakdown_summary_csv(info: &RunInfo, set: &BreakdownSet) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(
        [
            ["scenario"].as_slice(),
            &KEY_COLUMNS,
            &SUMMARY_COLUMNS,
            &["level"],
        ]
        .concat(),
    );
    let scenario = neutralise(&info.scenario_name);
    let detail = detail_keys(&set.keys);
    for ((key, s), detail) in set.keys.iter().zip(&set.summaries).zip(detail) {
        // Field by field: the breakdown has tens of thousands of rows, and
        // a row built as owned strings first cost 1% of a whole batch.
        let _ = writer.write_field(&*scenario);
        for cell in key_cells(key) {
            let _ = writer.write_field(&*cell);
        }
        for cell in summary_cells(s) {
            let _ = writer.write_field(cell);
        }
        let _ = writer.write_field(level_name(detail));
        let _ = writer.write_record(None::<&[u8]>);
    }
    writer.into_inner().unwrap_or_default()
}
