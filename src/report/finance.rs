//! The finance table of a comparison (`finance.csv`, `finance_summary.csv`):
//! a scenario's change in cost against the baseline, by financial year and
//! replication, split into what a finance director signs separately.
//!
//! Every line is a change in cost, scenario − baseline, in £ at the
//! scenario's price year (negative: money saved), from the paired
//! replications' yearly breakdown (`cost_total`, `cost_bought`,
//! `cash_released`, all ICCs and ages):
//!
//! - `bought`: the change in `cost_bought` (staff, beds and running costs
//!   levers add, as they come in);
//! - `cash_releasing`: minus the change in `cash_released` (beds closed,
//!   staff and beds removed, as it happens);
//! - `notional`: the rest of the change in `cost_total`, the change in
//!   activity cost that is not cash (capacity kept, or used by others);
//! - `total_change`: the change in `cost_total`, so that
//!   `cash_releasing + notional + bought = total_change` to the penny in
//!   every year and replication (each line is rounded to the penny and
//!   `notional` is the remainder);
//! - `double_running`: the part of `bought` not matched by cash released
//!   in the same year (paying for new services before the beds close);
//! - `net_position`: the cash position, `cash_releasing + bought`, and
//!   `cumulative_net_position` its running total.
//!
//! Each is given as mean, p05, median and p95 across replications
//! (type-7 percentiles, as summary.csv); the summary gives the payback
//! year and the cost per emergency admission avoided.

use crate::experiment::record::{Record, Schema};

use super::csv_safe::neutralise;

/// The lines of the table, in output order.
pub const FINANCE_LINES: [&str; 7] = [
    "cash_releasing",
    "notional",
    "bought",
    "double_running",
    "net_position",
    "cumulative_net_position",
    "total_change",
];

/// One financial year of one replication, every line in pence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FinanceYear {
    pub cash_releasing: i64,
    pub notional: i64,
    pub bought: i64,
    pub double_running: i64,
    pub net_position: i64,
    pub cumulative_net_position: i64,
    pub total_change: i64,
}

impl FinanceYear {
    /// The lines of one year from the paired changes (scenario − baseline,
    /// £) of `cost_total`, `cost_bought` and `cash_released`, and the
    /// cumulative net position before it.
    pub fn from_changes(total: f64, bought: f64, released: f64, cumulative_before: i64) -> Self {
        let pence = |pounds: f64| (pounds * 100.0).round() as i64;
        let total_change = pence(total);
        let bought = pence(bought);
        let cash_releasing = -pence(released);
        let notional = total_change - bought - cash_releasing;
        let net_position = cash_releasing + bought;
        FinanceYear {
            cash_releasing,
            notional,
            bought,
            double_running: (bought + cash_releasing).clamp(0, bought.max(0)),
            net_position,
            cumulative_net_position: cumulative_before + net_position,
            total_change,
        }
    }

    fn line(&self, name: &str) -> i64 {
        match name {
            "cash_releasing" => self.cash_releasing,
            "notional" => self.notional,
            "bought" => self.bought,
            "double_running" => self.double_running,
            "net_position" => self.net_position,
            "cumulative_net_position" => self.cumulative_net_position,
            _ => self.total_change,
        }
    }
}

/// A scenario's finance against the baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Finance {
    /// Per financial year: its number from 1, its start date.
    pub years: Vec<(usize, String)>,
    /// `by_replication[r][y]`, paired replications in order.
    pub by_replication: Vec<Vec<FinanceYear>>,
    /// Emergency admissions avoided over the whole window (baseline −
    /// scenario), per paired replication.
    pub admissions_avoided: Vec<f64>,
}

/// The value of `metric` for all ICCs and ages in `year` ("all" or a number).
fn lookup(schema: &Schema, record: &Record, year: &str, metric: &str) -> Option<f64> {
    let values = record.breakdown(schema);
    schema
        .breakdown
        .iter()
        .position(|k| k.metric == metric && k.year == year && k.icc == "all" && k.age_band == "all")
        .map(|i| values[i])
}

/// The finance of a scenario against the baseline, from their records
/// paired by replication; None when the records have no money by year
/// (not a whole-system scenario).
pub fn finance(
    base_schema: &Schema,
    base_records: &[Record],
    schema: &Schema,
    records: &[Record],
) -> Option<Finance> {
    let years: Vec<(usize, String)> = schema
        .breakdown
        .iter()
        .filter(|k| k.metric == "cost_bought" && k.icc == "all" && k.age_band == "all")
        .filter_map(|k| Some((k.year.parse::<usize>().ok()?, k.year_start.clone())))
        .collect();
    if years.is_empty() {
        return None;
    }
    let mut by_replication = Vec::new();
    let mut admissions_avoided = Vec::new();
    for record in records {
        let Some(base) = base_records
            .iter()
            .find(|b| b.replication == record.replication)
        else {
            continue;
        };
        let change = |year: &str, metric: &str| -> Option<f64> {
            Some(lookup(schema, record, year, metric)? - lookup(base_schema, base, year, metric)?)
        };
        let mut cumulative = 0;
        let mut lines = Vec::new();
        for (year, _) in &years {
            let y = year.to_string();
            let line = FinanceYear::from_changes(
                change(&y, "cost_total")?,
                change(&y, "cost_bought")?,
                change(&y, "cash_released")?,
                cumulative,
            );
            cumulative = line.cumulative_net_position;
            lines.push(line);
        }
        by_replication.push(lines);
        admissions_avoided.push(-change("all", "emergency_admissions").unwrap_or(f64::NAN));
    }
    Some(Finance {
        years,
        by_replication,
        admissions_avoided,
    })
}

/// Type-7 percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - h.floor()) * (sorted[hi] - sorted[lo])
}

/// Mean, p05, median and p95.
fn spread(values: &[f64]) -> [f64; 4] {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let mean = if sorted.is_empty() {
        f64::NAN
    } else {
        sorted.iter().sum::<f64>() / sorted.len() as f64
    };
    [
        mean,
        percentile(&sorted, 0.05),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.95),
    ]
}

fn money(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        String::new()
    }
}

/// `finance.csv`: one row per scenario × financial year × line.
pub fn finance_csv(baseline: &str, price_year: &str, tables: &[(String, Finance)]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "baseline",
        "scenario",
        "year",
        "year_start",
        "line",
        "unit",
        "replications",
        "mean",
        "p05",
        "median",
        "p95",
    ]);
    let unit = format!("GBP {price_year} prices");
    for (scenario, finance) in tables {
        for (y, (year, start)) in finance.years.iter().enumerate() {
            for line in FINANCE_LINES {
                let values: Vec<f64> = finance
                    .by_replication
                    .iter()
                    .map(|r| r[y].line(line) as f64 / 100.0)
                    .collect();
                let [mean, p05, median, p95] = spread(&values);
                let _ = writer.write_record([
                    neutralise(baseline).as_ref(),
                    neutralise(scenario).as_ref(),
                    &year.to_string(),
                    start,
                    line,
                    &unit,
                    &values.len().to_string(),
                    &money(mean),
                    &money(p05),
                    &money(median),
                    &money(p95),
                ]);
            }
        }
    }
    writer.into_inner().unwrap_or_default()
}

/// The payback year of a cumulative cash position: the first year from
/// which it stays at or below 0 to the end, if any (1-based).
pub fn payback_year(cumulative: &[f64]) -> Option<usize> {
    let last_positive = cumulative.iter().rposition(|v| *v > 0.0);
    match last_positive {
        None => (!cumulative.is_empty()).then_some(1),
        Some(k) if k + 1 < cumulative.len() => Some(k + 2),
        Some(_) => None,
    }
}

/// `finance_summary.csv`: per scenario, the payback year of the mean
/// cumulative cash position and the share of replications paid back
/// within the window; the cost of what is bought and the net cash per
/// emergency admission avoided (ratios of means over the window).
pub fn finance_summary_csv(
    baseline: &str,
    price_year: &str,
    tables: &[(String, Finance)],
) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "baseline",
        "scenario",
        "unit",
        "replications",
        "payback_year",
        "payback_year_start",
        "probability_paid_back",
        "bought_total_mean",
        "net_position_total_mean",
        "admissions_avoided_mean",
        "cost_per_admission_avoided",
        "net_cost_per_admission_avoided",
    ]);
    for (scenario, finance) in tables {
        let n = finance.by_replication.len();
        let years = finance.years.len();
        let mean_of = |f: &dyn Fn(&[FinanceYear]) -> f64| -> f64 {
            if n == 0 {
                return f64::NAN;
            }
            finance.by_replication.iter().map(|r| f(r)).sum::<f64>() / n as f64
        };
        let mean_cumulative: Vec<f64> = (0..years)
            .map(|y| mean_of(&|r| r[y].cumulative_net_position as f64 / 100.0))
            .collect();
        let payback = payback_year(&mean_cumulative);
        let paid_back = finance
            .by_replication
            .iter()
            .filter(|r| {
                let c: Vec<f64> = r.iter().map(|l| l.cumulative_net_position as f64).collect();
                payback_year(&c).is_some()
            })
            .count();
        let bought = mean_of(&|r| r.iter().map(|l| l.bought as f64 / 100.0).sum());
        let net = mean_cumulative.last().copied().unwrap_or(f64::NAN);
        let avoided = spread(&finance.admissions_avoided)[0];
        let per_avoided = |v: f64| {
            if avoided > 0.0 {
                money(v / avoided)
            } else {
                String::new()
            }
        };
        let _ = writer.write_record([
            neutralise(baseline).as_ref(),
            neutralise(scenario).as_ref(),
            &format!("GBP {price_year} prices"),
            &n.to_string(),
            &payback.map_or(String::new(), |y| y.to_string()),
            &payback.map_or(String::new(), |y| finance.years[y - 1].1.clone()),
            &if n > 0 {
                format!("{}", paid_back as f64 / n as f64)
            } else {
                String::new()
            },
            &money(bought),
            &money(net),
            &format!("{avoided:.1}"),
            &per_avoided(bought),
            &per_avoided(net),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines of a year balance to the penny, whatever the pounds.
    #[test]
    fn a_year_balances_to_the_penny() {
        for (total, bought, released) in [
            (-1_234_567.891, 456_789.123, 1_000_000.005),
            (0.004, 0.006, 0.0),
            (-3.0e8, 1.5e7, 4.2e6),
        ] {
            let y = FinanceYear::from_changes(total, bought, released, 0);
            assert_eq!(y.cash_releasing + y.notional + y.bought, y.total_change);
            assert_eq!(y.net_position, y.cash_releasing + y.bought);
        }
    }

    /// £1m bought and £0.4m released: £0.6m paid before the cash comes.
    #[test]
    fn double_running_is_what_is_bought_beyond_the_cash_released() {
        let y = FinanceYear::from_changes(-2e6, 1e6, 4e5, 0);
        assert_eq!(y.double_running, 60_000_000);
        let y = FinanceYear::from_changes(-2e6, 1e6, 3e6, 0);
        assert_eq!(y.double_running, 0);
    }

    #[test]
    fn payback_is_the_first_year_the_cash_stays_repaid() {
        assert_eq!(payback_year(&[5.0, 1.0, -2.0, -4.0]), Some(3));
        assert_eq!(payback_year(&[5.0, -1.0, 2.0, -4.0]), Some(4));
        assert_eq!(payback_year(&[5.0, 1.0]), None);
        assert_eq!(payback_year(&[-1.0, -2.0]), Some(1));
    }

    #[test]
    fn percentiles_are_type_7() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spread(&v), [3.0, 1.2, 3.0, 4.8]);
    }
}
