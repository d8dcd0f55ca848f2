//! `flows_by_kind.csv` of a batch, from its records: patients moved between each
//! pair of kinds of service (`model::flow_groups`: arrival, ED, acute beds,
//! home, death, lost …) per replication, with `from` and `to` in columns of their
//! own (the records, `replications.csv` and `summary.csv` keep each pair
//! as one metric named `FROM->TO` under the service `flow`). The columns
//! are those of `run`'s `flows.csv` ([`super::tidy::flows_csv`]), whose
//! pairs are the network's nodes rather than their kinds (hence the other
//! name).

use std::io::Write;

use crate::experiment::record::FLOW;

use super::csv_safe::neutralise;
use super::tidy::{ResultSet, cell};

/// `flows_by_kind.csv`, streamed: a row per replication and pair that moved anyone.
pub fn write_flows_csv(out: &mut dyn Write, set: &ResultSet) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["scenario", "replication", "from", "to", "patients"])?;
    let pairs: Vec<(usize, &str, &str)> = set
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.service == FLOW && k.patient_type == "all")
        .filter_map(|(i, k)| k.metric.split_once("->").map(|(from, to)| (i, from, to)))
        .collect();
    let scenario = neutralise(&set.info.scenario_name);
    for (r, replication) in set.replications.iter().enumerate() {
        let replication = replication.to_string();
        for &(k, from, to) in &pairs {
            let patients = set.values[k][r];
            if patients != 0.0 {
                writer.write_record([
                    &*scenario,
                    &replication,
                    &neutralise(from),
                    &neutralise(to),
                    &cell(patients),
                ])?;
            }
        }
    }
    writer.flush()
}
