//! The contribution of each lever to a difference (`compare --by-lever`).
//!
//! A scenario ALT with levers L₁ … L_k is run, with the same seed and
//! replications as the baseline BASE (common random numbers), as it is
//! (`all`), with every lever switched off (`none`), with each lever alone
//! and with all but each lever. Replication by replication:
//!
//! ```text
//! not levers    = none − BASE         (what ALT changes besides its levers)
//! alone(l)      = only l − none       (the lever on its own)
//! removed(l)    = all − all but l     (what is lost when it is taken out)
//! all levers    = all − none
//! interaction   = all levers − Σ alone(l)
//! total         = all − BASE = not levers + Σ alone(l) + interaction
//! ```
//!
//! so the parts of the waterfall add up to the total exactly, in every
//! replication. A lever that works only with another (beds bought by money
//! another lever releases) shows a small effect alone and a large one
//! removed; the interaction says how far the levers are from adding up.
//! Each part is summarised across replications (mean, p05, p95).

use super::record::{Record, Schema};
use crate::stats::Summary;

/// The outcomes split by lever (whole-system outcomes, all ICCs and ages).
pub const METRICS: &[&str] = &[
    "emergency_admissions",
    "acute_bed_days",
    "acute_occupancy",
    "acute_delayed_bed_days",
    "cost_total",
];

/// One variant's records, with the schema they follow.
#[derive(Clone, Copy)]
pub struct Variant<'a> {
    pub schema: &'a Schema,
    pub records: &'a [Record],
}

/// The runs of one lever.
#[derive(Clone, Copy)]
pub struct LeverRuns<'a> {
    pub lever: &'a str,
    pub alone: Variant<'a>,
    pub without: Variant<'a>,
}

/// Every run the split needs.
pub struct Runs<'a> {
    pub base: Variant<'a>,
    pub all: Variant<'a>,
    pub none: Variant<'a>,
    pub levers: Vec<LeverRuns<'a>>,
}

/// What a row of the split is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// ALT with every lever off, against BASE.
    NotLevers,
    Lever(String),
    /// All levers together, against none.
    AllLevers,
    Interaction,
    /// ALT against BASE.
    Total,
}

impl Part {
    /// As written in `contributions.csv`'s `part` column.
    pub fn name(&self) -> &'static str {
        match self {
            Part::NotLevers => "not_levers",
            Part::Lever(_) => "lever",
            Part::AllLevers => "all_levers",
            Part::Interaction => "interaction",
            Part::Total => "total",
        }
    }

    pub fn lever(&self) -> &str {
        match self {
            Part::Lever(name) => name,
            _ => "",
        }
    }
}

/// One part of one outcome's difference, over one period.
#[derive(Clone, Debug)]
pub struct Contribution {
    pub part: Part,
    pub metric: &'static str,
    pub unit: String,
    /// `all`, or the year's number.
    pub year: String,
    pub year_start: String,
    /// The part (for a lever, alone), replication by replication.
    pub alone: Summary,
    /// For a lever, what is lost when it is removed; for `all_levers` the
    /// same as alone; for `interaction`, all levers − Σ removed; else empty.
    pub removed: Option<Summary>,
}

/// The position of a whole-system outcome in a schema's records.
fn position(schema: &Schema, metric: &str, year: &str) -> Option<usize> {
    schema
        .breakdown
        .iter()
        .position(|k| k.metric == metric && k.year == year && k.icc == "all" && k.age_band == "all")
        .map(|k| schema.metrics.len() + k)
}

/// A variant's values of one outcome, in replication order.
fn column(v: Variant, metric: &str, year: &str) -> Option<Vec<f64>> {
    let k = position(v.schema, metric, year)?;
    Some(v.records.iter().map(|r| r.values[k]).collect())
}

/// a − b, element by element.
fn minus(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a - b).collect()
}

/// The periods split: all years, and the last year of the window.
pub fn periods(schema: &Schema) -> Vec<(String, String)> {
    let mut years: Vec<(u64, String)> = schema
        .breakdown
        .iter()
        .filter_map(|k| Some((k.year.parse::<u64>().ok()?, k.year_start.clone())))
        .collect();
    years.sort();
    let mut out = vec![("all".to_string(), String::new())];
    if let Some((last, start)) = years.pop() {
        out.push((last.to_string(), start));
    }
    out
}

/// Summary of the finite values only (a rate undefined in a replication).
fn summary(values: &[f64]) -> Summary {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    Summary::of(&finite)
}

/// The split of every outcome of [`METRICS`] that all variants record,
/// over all years and the last year. Every variant must hold the same
/// replications, in order.
pub fn contributions(runs: &Runs) -> Vec<Contribution> {
    let mut out = Vec::new();
    let variants = || {
        [runs.base, runs.all, runs.none]
            .into_iter()
            .chain(runs.levers.iter().flat_map(|l| [l.alone, l.without]))
    };
    debug_assert!(variants().all(|v| {
        v.records
            .iter()
            .map(|r| r.replication)
            .eq(runs.base.records.iter().map(|r| r.replication))
    }));
    for (year, year_start) in periods(runs.all.schema) {
        for &metric in METRICS {
            let Some(unit) = runs
                .all
                .schema
                .breakdown
                .iter()
                .find(|k| k.metric == metric)
                .map(|k| k.unit.clone())
            else {
                continue;
            };
            let columns: Option<Vec<Vec<f64>>> =
                variants().map(|v| column(v, metric, &year)).collect();
            let Some(columns) = columns else { continue };
            let (base, all, none) = (&columns[0], &columns[1], &columns[2]);
            let all_levers = minus(all, none);
            let mut sum_alone = vec![0.0; base.len()];
            let mut sum_removed = vec![0.0; base.len()];
            let row = |part, alone: &[f64], removed: Option<&[f64]>| Contribution {
                part,
                metric,
                unit: unit.clone(),
                year: year.clone(),
                year_start: year_start.clone(),
                alone: summary(alone),
                removed: removed.map(summary),
            };
            out.push(row(Part::NotLevers, &minus(none, base), None));
            for (l, lever) in runs.levers.iter().enumerate() {
                let alone = minus(&columns[3 + 2 * l], none);
                let removed = minus(all, &columns[4 + 2 * l]);
                for (s, a) in sum_alone.iter_mut().zip(&alone) {
                    *s += a;
                }
                for (s, r) in sum_removed.iter_mut().zip(&removed) {
                    *s += r;
                }
                out.push(row(
                    Part::Lever(lever.lever.to_string()),
                    &alone,
                    Some(&removed),
                ));
            }
            out.push(row(Part::AllLevers, &all_levers, Some(&all_levers)));
            out.push(row(
                Part::Interaction,
                &minus(&all_levers, &sum_alone),
                Some(&minus(&all_levers, &sum_removed)),
            ));
            out.push(row(Part::Total, &minus(all, base), None));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::record::BreakdownKey;

    fn schema() -> Schema {
        let key = |year: &str, start: &str| BreakdownKey {
            year: year.into(),
            year_start: start.into(),
            icc: "all".into(),
            age_band: "all".into(),
            metric: "emergency_admissions",
            unit: "admissions".into(),
        };
        Schema {
            metrics: Vec::new(),
            breakdown: vec![
                key("all", ""),
                key("1", "2025-04-01"),
                key("2", "2026-04-01"),
            ],
            service_years: Vec::new(),
            registers: Vec::new(),
        }
    }

    fn records(rows: &[[f64; 3]]) -> Vec<Record> {
        rows.iter()
            .enumerate()
            .map(|(r, v)| Record {
                replication: r as u64,
                values: v.to_vec(),
            })
            .collect()
    }

    /// Two levers of −10 and −20 that together give −40 (−10 of
    /// interaction), on a scenario that adds +5 besides its levers.
    #[test]
    fn the_parts_add_up_to_the_total_and_name_the_interaction() {
        let s = schema();
        let base = records(&[[100.0, 50.0, 50.0], [110.0, 55.0, 55.0]]);
        let shift = |d: f64| -> Vec<Record> {
            base.iter()
                .map(|r| Record {
                    replication: r.replication,
                    values: r.values.iter().map(|v| v + d).collect(),
                })
                .collect()
        };
        let (none, all) = (shift(5.0), shift(-35.0));
        let (only_a, only_b) = (shift(-5.0), shift(-15.0));
        let (without_a, without_b) = (only_b.clone(), only_a.clone());
        let v = |records| Variant {
            schema: &s,
            records,
        };
        let runs = Runs {
            base: v(&base),
            all: v(&all),
            none: v(&none),
            levers: vec![
                LeverRuns {
                    lever: "a",
                    alone: v(&only_a),
                    without: v(&without_a),
                },
                LeverRuns {
                    lever: "b",
                    alone: v(&only_b),
                    without: v(&without_b),
                },
            ],
        };
        let rows = contributions(&runs);
        // Two periods (all years, year 2) × 6 parts.
        assert_eq!(rows.len(), 12);
        let of = |year: &str, part: Part| {
            rows.iter()
                .find(|r| r.year == year && r.part == part)
                .unwrap()
                .clone()
        };
        assert_eq!(of("all", Part::NotLevers).alone.mean, 5.0);
        let a = of("2", Part::Lever("a".into()));
        assert_eq!(
            (a.alone.mean, a.alone.p05, a.alone.p95),
            (-10.0, -10.0, -10.0)
        );
        // Removing a leaves b alone: −40 − (−20).
        assert_eq!(a.removed.unwrap().mean, -20.0);
        assert_eq!(a.year_start, "2026-04-01");
        assert_eq!(of("all", Part::Lever("b".into())).alone.mean, -20.0);
        assert_eq!(of("all", Part::AllLevers).alone.mean, -40.0);
        let interaction = of("all", Part::Interaction);
        assert_eq!(interaction.alone.mean, -10.0);
        // Removed: −20 (a) and −30 (b) sum to −50, 10 more than all levers.
        assert_eq!(interaction.removed.unwrap().mean, 10.0);
        assert_eq!(of("all", Part::Total).alone.mean, -35.0);
        assert!(!rows.iter().any(|r| r.year == "1"));
    }
}
