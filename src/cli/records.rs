//! The files of a batch's records (`batch`, `merge`) and the summaries of
//! one scenario's records (`compare`'s scenario folders): from records
//! alone, streamed where they grow with the replications.

use std::io::Write;

use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;
use iccsim::report::breakdown::{self, BreakdownSet};
use iccsim::report::budget;
use iccsim::report::checkpoint::{self, RecordsHeader};
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::outputs::OutputChoice;
use iccsim::report::pressure::{self, ServiceYearSet};
use iccsim::report::provenance::{self, Provenance};
use iccsim::report::{self, FileBody, OutputFolder, ResultSet, RunInfo, Streamed, tidy};

/// The run information of a batch's records.
fn batch_info(network: &Network, header: &RecordsHeader, records: &[Record]) -> RunInfo {
    RunInfo {
        iccsim_version: header.iccsim_version.clone(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: header.origin.clone(),
        seed: header.seed,
        replications: records.len() as u64,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
        full_effect_from: iccsim::model::full_effect::FullEffect::of(network).from_text(),
        first_full_year: iccsim::model::full_effect::FullEffect::of(network).first_full_year,
        case: iccsim::scenario::case_name(network),
        correlation: iccsim::scenario::correlation_sentence(network),
    }
}

/// What a batch's files say about how it was run, and which of them to
/// write: the scenario text run, its provenance (`run.json`) and the
/// outputs chosen (`--outputs`, `--compress`).
pub(super) struct BatchRun<'a> {
    pub text: &'a str,
    pub provenance: &'a Provenance,
    pub choice: &'a OutputChoice,
}

/// Writes the files of a finished batch (or merge) into `out`, from its
/// records alone, of the outputs `run.choice` names (`--outputs`,
/// `--compress`): the summaries, and every replication's values. Those
/// grow with the replications (a gigabyte of text for 1,000 replications
/// of the baseline), so they are streamed into their files, not built in
/// memory first. Returns the number of files written.
pub(super) fn write_chosen_batch_files(
    out: &mut OutputFolder,
    network: &Network,
    header: &RecordsHeader,
    schema: &Schema,
    records: &[Record],
    run: &BatchRun,
) -> Result<usize, report::WriteError> {
    let BatchRun {
        text,
        provenance,
        choice,
    } = *run;
    let info = batch_info(network, header, records);
    let set = ResultSet::from_records(schema, info.clone(), records);
    let breakdown = network
        .layout
        .as_ref()
        .map(|layout| BreakdownSet::from_records(schema, layout, records));
    let service_years = ServiceYearSet::from_records(schema, records);
    let mut files: Vec<(&str, Box<dyn FileBody + '_>)> =
        summary_files(network, info, text, schema, records, provenance)
            .into_iter()
            .map(|(name, bytes)| (name, Box::new(bytes) as Box<dyn FileBody>))
            .collect();
    files.push((
        "replications.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            tidy::write_replications_csv(w, &set)
        })),
    ));
    files.push((
        "results.json",
        Box::new(Streamed(|w: &mut dyn Write| {
            tidy::write_results_json(w, &set)
        })),
    ));
    files.push((
        "records.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            checkpoint::write_records_file(w, header, records)
        })),
    ));
    if let Some(breakdown) = &breakdown {
        files.push((
            "breakdown.csv",
            Box::new(Streamed(|w: &mut dyn Write| {
                breakdown::write_breakdown_csv(w, &set.info, breakdown)
            })),
        ));
        files.push((
            "breakdown_margins.csv",
            Box::new(Streamed(|w: &mut dyn Write| {
                breakdown::write_breakdown_margins_csv(w, &set.info, breakdown)
            })),
        ));
    }
    files.push((
        "flows_by_kind.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            report::record_flows::write_flows_csv(w, &set)
        })),
    ));
    files.push((
        "delays.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            pressure::write_delays_csv(w, network, &set.info, &service_years)
        })),
    ));
    files.push((
        "pressure.csv",
        Box::new(Streamed(|w: &mut dyn Write| {
            pressure::write_pressure_csv(w, network, &set.info, &service_years)
        })),
    ));
    if report::registers::has_registers(network) {
        files.push((
            "registers.csv",
            Box::new(Streamed(|w: &mut dyn Write| {
                report::registers::write_registers_csv(w, network, schema, records)
            })),
        ));
    }
    // A nested design's split of each headline's variance.
    if let Some(bytes) = super::nested::variance_split_file(header, network, schema, records) {
        files.push(("variance_split.csv", Box::new(bytes)));
    }
    let files = choice.apply(files);
    let files: Vec<(&str, &dyn FileBody)> = files
        .iter()
        .map(|(name, body)| (name.as_str(), body.as_ref()))
        .collect();
    out.commit(&files, RESULTS, Replace::Results)?;
    Ok(files.len())
}

/// The files whose size does not grow with the replications: what was run
/// (`run.json` with its provenance, `scenario.toml`), the summaries across replications and the
/// budget statement. A comparison writes these for each scenario; with
/// them, `iccsim report` draws its tables and charts.
pub(super) fn summary_files(
    network: &Network,
    info: RunInfo,
    text: &str,
    schema: &Schema,
    records: &[Record],
    provenance: &Provenance,
) -> Vec<(&'static str, Vec<u8>)> {
    let set = ResultSet::from_records(schema, info, records);
    let run_json = tidy::run_json(&set.info);
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        (
            "run.json",
            provenance::run_json(Some(&run_json), provenance),
        ),
        ("summary.csv", tidy::summary_csv(&set)),
        ("scenario.toml", text.as_bytes().to_vec()),
    ];
    files.extend(super::shared::uncertainty_file_of_text(
        text,
        &set.info.scenario_origin,
        &network.name,
    ));
    if let Some(layout) = &network.layout {
        let breakdown = BreakdownSet::from_records(schema, layout, records);
        files.push((
            "breakdown_summary.csv",
            breakdown::breakdown_summary_csv(&set.info, &breakdown),
        ));
        if !layout.budget.is_empty() {
            files.push(("budget.csv", budget::budget_csv(&network.name, layout)));
        }
        if iccsim::report::workforce::has_workforce(network) {
            files.push((
                "workforce.csv",
                iccsim::report::workforce::workforce_csv(network),
            ));
        }
        let crossings = iccsim::experiment::thresholds::crossings(schema, records);
        files.push((
            "thresholds.csv",
            tidy::thresholds_csv(&set.info, &crossings),
        ));
    }
    files
}

pub(super) fn batch_table(
    network: &Network,
    header: &RecordsHeader,
    schema: &Schema,
    records: &[Record],
) -> String {
    let set = ResultSet::from_records(schema, batch_info(network, header, records), records);
    match &network.layout {
        Some(layout) => {
            report::tables::headline_table(
                &set.info,
                &BreakdownSet::from_records(schema, layout, records),
            ) + &budget::budget_table(layout)
        }
        None => report::tables::summary_table(network, &set),
    }
}
