//! `batch --outputs stock_flow`: `stock_flow.csv` and
//! `stocks_by_period.csv` of every replication of the batch. A batch keeps
//! only each replication's record, so the replications are run again, one
//! after another, with the streams the batch gave them (the same patients:
//! the same numbers as `run`), and the moves are streamed to disk; the
//! stocks (a few kilobytes a replication) are kept until the moves are
//! written. Asked for by name only: it costs about a single-thread batch
//! again.

use std::cell::RefCell;
use std::io::{self, Write};

use super::exit::{Exit, Failure};
use iccsim::experiment::nested::Design;
use iccsim::model::{NetworkSource, simulate};
use iccsim::report::atomic::FileBody;
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::outputs::OutputChoice;
use iccsim::report::stock_flow::{
    FLOW_COLUMNS, FLOWS_FILE, STOCK_COLUMNS, STOCKS_FILE, StockFlowRows,
};
use iccsim::report::{OutputFolder, Streamed};

/// Writes the two files of `replications` (with the streams `design`
/// gives each) to `folder`, named and compressed as `choice` says.
pub(super) fn write_stock_flow(
    folder: &mut OutputFolder,
    source: &dyn NetworkSource,
    seed: u64,
    design: Design,
    replications: &[u64],
    choice: &OutputChoice,
) -> Result<(), Failure> {
    let base = source.base();
    let rows = StockFlowRows::new(base);
    let stocks = RefCell::new(csv::Writer::from_writer(Vec::new()));
    let flows = Streamed(|out: &mut dyn Write| -> io::Result<()> {
        let mut flows = csv::Writer::from_writer(out);
        flows.write_record(FLOW_COLUMNS)?;
        let mut stocks = stocks.borrow_mut();
        stocks.write_record(STOCK_COLUMNS)?;
        for &r in replications {
            let streams = design.streams(r);
            let network = source
                .for_replication(seed, streams.parameters)
                .map_err(|e| io::Error::other(format!("replication {r}: {e}")))?;
            let result = simulate(network.as_ref(), seed, streams.chance, &mut ())
                .map_err(|e| io::Error::other(format!("replication {r}: {e}")))?;
            rows.write_flows(&mut flows, &result)?;
            rows.write_stocks(&mut stocks, &result)?;
        }
        flows.flush()
    });
    let failed = |e: &dyn std::fmt::Display| Failure {
        code: Exit::Output,
        message: format!("the stock-and-flow series were not written: {e}"),
    };
    // The moves first (running the replications), then the stocks they left.
    {
        let files = choice.apply(vec![(FLOWS_FILE, Box::new(flows) as Box<dyn FileBody>)]);
        let files: Vec<(&str, &dyn FileBody)> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_ref()))
            .collect();
        folder
            .commit(&files, RESULTS, Replace::Nothing)
            .map_err(|e| failed(&e))?;
    }
    let stocks = stocks
        .into_inner()
        .into_inner()
        .map_err(|e| failed(&e.into_error()))?;
    let files = choice.apply(vec![(STOCKS_FILE, Box::new(stocks) as Box<dyn FileBody>)]);
    let files: Vec<(&str, &dyn FileBody)> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_ref()))
        .collect();
    folder
        .commit(&files, RESULTS, Replace::Nothing)
        .map_err(|e| failed(&e))?;
    Ok(())
}
