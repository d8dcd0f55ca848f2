//! `--event-log` of `run` and `batch`: `event_log.csv`, one row per event
//! of the chosen replications, streamed to the output folder as they are
//! simulated (each chosen replication is run again, one after another,
//! with the same streams as in the results: the same patients, so the log
//! is the run's, whatever the threads). Written as a set of its own in
//! the results group, after the results.

use std::cell::Cell;
use std::io::{self, Write};

use clap::Args;

use super::exit::{Exit, Failure};
use iccsim::experiment::nested::Design;
use iccsim::model::{NetworkSource, simulate};
use iccsim::report::event_log::EventLogWriter;
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::{OutputFolder, Streamed};

/// The file's name.
pub(super) const EVENT_LOG_FILE: &str = "event_log.csv";
/// The event log under `batch --compress`.
pub(super) const EVENT_LOG_FILE_GZ: &str = "event_log.csv.gz";

/// The event log's flags.
#[derive(Args, Debug, Clone, Default)]
pub struct EventLogArgs {
    /// Also write event_log.csv: one row per event (enter, arrival, start,
    /// end, depart, lost, timed_out ..., exit) of each patient, for process
    /// mining (bupaR, pm4py) and animation (vidigi). `run` logs every
    /// replication, `batch` its first, unless --event-log-replications.
    #[arg(long)]
    pub event_log: bool,
    /// The replications to log, comma-separated (e.g. 0,1; numbered from
    /// 0 as in replications.csv). Implies --event-log. A replication of the
    /// baseline scenario is 6 million rows, 1.5 GB of log.
    #[arg(long, value_delimiter = ',', value_name = "R,R")]
    pub event_log_replications: Vec<u64>,
}

impl EventLogArgs {
    /// The replications to log, in order, of those the command runs
    /// (`ran`, in order; `default` when none are named); none without the
    /// flags. A replication the command does not run is refused.
    pub(super) fn chosen(&self, ran: &[u64], default: &[u64]) -> Result<Vec<u64>, Failure> {
        if !self.event_log && self.event_log_replications.is_empty() {
            return Ok(Vec::new());
        }
        if self.event_log_replications.is_empty() {
            return Ok(default.to_vec());
        }
        let mut chosen = self.event_log_replications.clone();
        chosen.sort_unstable();
        chosen.dedup();
        if let Some(r) = chosen.iter().find(|r| ran.binary_search(r).is_err()) {
            let (first, last) = (ran.first().copied(), ran.last().copied());
            return Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "--event-log-replications {r}: this command does not run replication {r}; it runs {}; name replications among those",
                    match (first, last) {
                        (Some(a), Some(b)) if ran.len() as u64 == b - a + 1 =>
                            format!("{a} to {b}"),
                        _ => format!("{} replications", ran.len()),
                    }
                ),
            });
        }
        Ok(chosen)
    }
}

/// Writes `event_log.csv` of `replications` (with the streams `design`
/// gives each) to `folder`, gzipped as `event_log.csv.gz` if `compress`
/// (batch's `--compress`: the log is the largest file iccsim writes);
/// returns its rows and the file's name.
pub(super) fn write_event_log(
    folder: &mut OutputFolder,
    source: &dyn NetworkSource,
    seed: u64,
    design: Design,
    replications: &[u64],
    compress: bool,
) -> Result<(u64, &'static str), Failure> {
    let base = source.base();
    let rows = Cell::new(0);
    let body = Streamed(|out: &mut dyn Write| -> io::Result<()> {
        let mut log = EventLogWriter::new(out, base.run.start_date, base.run.warmup_days)?;
        for &r in replications {
            let streams = design.streams(r);
            let network = source
                .for_replication(seed, streams.parameters)
                .map_err(|e| io::Error::other(format!("replication {r}: {e}")))?;
            log.label_replication(r);
            simulate(network.as_ref(), seed, streams.chance, &mut log)
                .map_err(|e| io::Error::other(format!("replication {r}: {e}")))?;
        }
        rows.set(log.finish()?);
        Ok(())
    });
    let (name, body): (&'static str, Box<dyn iccsim::report::FileBody + '_>) = if compress {
        (
            EVENT_LOG_FILE_GZ,
            Box::new(iccsim::report::outputs::Gzipped(body)),
        )
    } else {
        (EVENT_LOG_FILE, Box::new(body))
    };
    folder
        .commit(&[(name, body)], RESULTS, Replace::Nothing)
        .map_err(|e| Failure {
            code: Exit::Output,
            message: format!("the event log was not written: {e}"),
        })?;
    Ok((rows.get(), name))
}
