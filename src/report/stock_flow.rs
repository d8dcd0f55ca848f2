//! The stock-and-flow series: `stock_flow.csv` (patients moved between each
//! pair of kinds of place in each month and year of the window) and
//! `stocks_by_period.csv` (per kind of place and period: the people at its
//! start and end, the inflows and outflows, the mean over it), drawn from
//! each replication's [`PeriodFlows`].
//!
//! Places are the flow groups of `flows_by_kind.csv`: `arrival` (people
//! coming from the population), the services' kinds (`ed`, `acute_beds`,
//! `reablement` …), the sinks (`home`, `death` …) and `lost`. Per place
//! and period, `stock_end = stock_start + inflow − outflow` exactly: for
//! services the stocks are their occupancy (counted apart from the
//! moves), for sinks and `lost` the people who reached them since the
//! window's start; `arrival` (the population the model draws from, whose
//! size it does not follow) has outflows only and no stock.

use std::io::{self, Write};

use crate::engine::CalendarDate;
use crate::experiment::ReplicationOutput;
use crate::model::flow_groups::FlowGroups;
use crate::model::period_flows::PeriodFlows;
use crate::model::register::{WindowMonth, window_months};
use crate::model::{Network, ReplicationResult};

use super::csv_safe::neutralise;
use super::tidy::cell;

/// The moves file.
pub const FLOWS_FILE: &str = "stock_flow.csv";
/// The stocks file.
pub const STOCKS_FILE: &str = "stocks_by_period.csv";

/// `stock_flow.csv`'s columns.
pub const FLOW_COLUMNS: [&str; 9] = [
    "scenario",
    "replication",
    "period",
    "period_index",
    "period_start",
    "days",
    "from",
    "to",
    "patients",
];

/// `stocks_by_period.csv`'s columns.
pub const STOCK_COLUMNS: [&str; 13] = [
    "scenario",
    "replication",
    "period",
    "period_index",
    "period_start",
    "days",
    "place",
    "holds_people",
    "stock_start",
    "inflow",
    "outflow",
    "stock_end",
    "mean_stock",
];

/// A month or a year of the window: the months it spans.
struct Span {
    period: &'static str,
    index: usize,
    start: CalendarDate,
    days: f64,
    months: std::ops::Range<usize>,
}

/// Writes the two files' rows of one replication after another.
pub struct StockFlowRows {
    scenario: String,
    months: Vec<WindowMonth>,
    spans: Vec<Span>,
    /// The kind of each service (its flow group).
    kind_of_service: Vec<usize>,
    horizon_days: f64,
}

impl StockFlowRows {
    pub fn new(network: &Network) -> StockFlowRows {
        let months = window_months(&network.run);
        let mut spans: Vec<Span> = months
            .iter()
            .enumerate()
            .map(|(i, m)| Span {
                period: "month",
                index: i,
                start: m.start,
                days: m.days,
                months: i..i + 1,
            })
            .collect();
        let mut first = 0;
        while first < months.len() {
            let year = months[first].year;
            let end = (first..months.len())
                .find(|&i| months[i].year != year)
                .unwrap_or(months.len());
            spans.push(Span {
                period: "year",
                index: year,
                start: months[first].start,
                days: months[first..end].iter().map(|m| m.days).sum(),
                months: first..end,
            });
            first = end;
        }
        let groups = FlowGroups::of(network);
        StockFlowRows {
            scenario: neutralise(&network.name).into_owned(),
            months,
            spans,
            kind_of_service: (0..network.services.len())
                .map(|s| groups.group_of_node(1 + s))
                .collect(),
            horizon_days: network.run.horizon_days,
        }
    }

    /// The moves of one replication: a row per period and pair that moved anyone.
    pub fn write_flows<W: Write>(
        &self,
        out: &mut csv::Writer<W>,
        result: &ReplicationResult,
    ) -> io::Result<()> {
        let flows = &result.period_flows;
        let kinds = flows.kinds.len();
        let replication = result.replication.to_string();
        for span in &self.spans {
            let (index, start, days) = self.span_cells(span);
            for from in 0..kinds {
                for to in 0..kinds {
                    let patients: u64 = span.months.clone().map(|m| flows.moves(m, from, to)).sum();
                    if patients > 0 {
                        out.write_record([
                            self.scenario.as_str(),
                            &replication,
                            span.period,
                            &index,
                            &start,
                            &days,
                            &neutralise(&flows.kinds[from]),
                            &neutralise(&flows.kinds[to]),
                            &patients.to_string(),
                        ])?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The stocks of one replication: a row per period and place.
    pub fn write_stocks<W: Write>(
        &self,
        out: &mut csv::Writer<W>,
        result: &ReplicationResult,
    ) -> io::Result<()> {
        let flows = &result.period_flows;
        let replication = result.replication.to_string();
        for span in &self.spans {
            let (index, start, days) = self.span_cells(span);
            for kind in 0..flows.kinds.len() {
                let balance = balance(flows, kind, span.months.clone());
                let mean = if flows.holds_people[kind] {
                    cell(self.mean_stock(result, kind, span))
                } else {
                    String::new()
                };
                let stock = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
                out.write_record([
                    self.scenario.as_str(),
                    &replication,
                    span.period,
                    &index,
                    &start,
                    &days,
                    &neutralise(&flows.kinds[kind]),
                    if flows.holds_people[kind] {
                        "true"
                    } else {
                        "false"
                    },
                    &stock(balance.start),
                    &balance.inflow.to_string(),
                    &balance.outflow.to_string(),
                    &stock(balance.end),
                    &mean,
                ])?;
            }
        }
        Ok(())
    }

    fn span_cells(&self, span: &Span) -> (String, String, String) {
        (
            span.index.to_string(),
            span.start.to_string(),
            cell(span.days),
        )
    }

    /// Mean people in the services of `kind` over a span, from the daily
    /// occupancy (place-days by window day).
    fn mean_stock(&self, result: &ReplicationResult, kind: usize, span: &Span) -> f64 {
        let first = self.months[span.months.start].first_day.max(0) as usize;
        let end = (first as f64 + span.days).min(self.horizon_days).ceil() as usize;
        let area: f64 = self
            .kind_of_service
            .iter()
            .enumerate()
            .filter(|(_, k)| **k == kind)
            .filter_map(|(s, _)| result.daily.get(s))
            .map(|d| {
                d.occupancy_area
                    .get(first..end.min(d.occupancy_area.len()))
                    .map_or(0.0, |a| a.iter().sum::<f64>())
            })
            .sum();
        area / span.days
    }
}

/// A place's stocks and flows over some months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Balance {
    /// People at the start (services: occupancy; sinks and `lost`: people
    /// who reached them since the window's start; `arrival`: none).
    pub start: Option<u64>,
    pub inflow: u64,
    pub outflow: u64,
    pub end: Option<u64>,
}

/// The balance of kind `kind` over `months` (consecutive).
pub fn balance(flows: &PeriodFlows, kind: usize, months: std::ops::Range<usize>) -> Balance {
    let kinds = flows.kinds.len();
    let inflow_in = |m: usize| (0..kinds).map(|f| flows.moves(m, f, kind)).sum::<u64>();
    let outflow_in = |m: usize| (0..kinds).map(|t| flows.moves(m, kind, t)).sum::<u64>();
    let inflow: u64 = months.clone().map(inflow_in).sum();
    let outflow: u64 = months.clone().map(outflow_in).sum();
    let (start, end) = if flows.holds_people[kind] {
        (
            Some(flows.stock(months.start, kind)),
            Some(flows.stock(months.end, kind)),
        )
    } else if kind == 0 {
        // `arrival`: the population, whose size the model does not follow.
        (None, None)
    } else {
        let before: u64 = (0..months.start).map(inflow_in).sum();
        (Some(before), Some(before + inflow))
    };
    Balance {
        start,
        inflow,
        outflow,
        end,
    }
}

/// `stock_flow.csv` of a run's replications.
pub fn stock_flow_csv(network: &Network, outputs: &[ReplicationOutput]) -> Vec<u8> {
    let rows = StockFlowRows::new(network);
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    out.write_record(FLOW_COLUMNS).expect("in memory");
    for o in outputs {
        rows.write_flows(&mut out, &o.result).expect("in memory");
    }
    out.into_inner().expect("in memory")
}

/// `stocks_by_period.csv` of a run's replications.
pub fn stocks_csv(network: &Network, outputs: &[ReplicationOutput]) -> Vec<u8> {
    let rows = StockFlowRows::new(network);
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(STOCK_COLUMNS).expect("in memory");
    for o in outputs {
        rows.write_stocks(&mut out, &o.result).expect("in memory");
    }
    out.into_inner().expect("in memory")
}
