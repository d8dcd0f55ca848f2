//! `iccsim run`: simulate a scenario, keep every replication's results,
//! and write the tidy files (with `--episodes`, every visit).

use std::path::PathBuf;
use std::time::Instant;

use super::args::RunArgs;
use super::exit::{Exit, Failure};
use super::memory::{results_fit_in_memory, threads_within_memory};
use super::shared::{
    OUTPUT_FILES, load, open_output, print_stdout, refuse_interrupted_batch, scenario_inputs,
    uncertainty_file, with_case,
};
use iccsim::experiment::record::Schema;
use iccsim::experiment::{self, Plan, thresholds};
use iccsim::report::breakdown::{self, BreakdownSet};
use iccsim::report::budget;
use iccsim::report::output_folder::{RESULTS, Replace};
use iccsim::report::pressure::{self, ServiceYearSet};
use iccsim::report::tidy::Period;
use iccsim::report::{self, ResultSet, RunInfo, tidy};

pub(super) fn run(args: RunArgs) -> Result<(), Failure> {
    let settings = with_case(&args.set, args.at_quantile.as_deref())?;
    let (scenario, origin, text) = load(args.scenario.as_deref(), &settings)?;
    let network = &scenario.network;
    super::case_checks::refuse_case_without_uncertainty(
        args.at_quantile.as_deref(),
        &[(&network.name, scenario.uncertain.len())],
    )?;
    let seed = args.common.seed.unwrap_or(network.run.seed);
    let replications = u64::from(args.replications.unwrap_or(network.run.replications));
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&network.name));
    results_fit_in_memory(network, replications, args.episodes, "run")?;
    let ran: Vec<u64> = (0..replications).collect();
    let logged = args.event_log.chosen(&ran, &ran)?;
    // Check the output folder before the work, not after.
    let mut folder = open_output(
        &out,
        args.common.force,
        OUTPUT_FILES,
        scenario_inputs(args.scenario.as_deref()),
    )?;
    refuse_interrupted_batch(&folder)?;
    super::shared::refuse_other_results(&folder, "batch")?;
    let plan = Plan {
        seed,
        replications: 0..replications,
        threads: threads_within_memory(
            network,
            args.common.threads,
            args.episodes,
            args.common.quiet,
        )?,
        keep_episodes: args.episodes,
    };

    if !args.common.quiet {
        say!(
            "Running {} ({}): {} replication{}, seed {}, {} days after {} days of warm-up …",
            network.name,
            origin,
            replications,
            if replications == 1 { "" } else { "s" },
            seed,
            network.run.horizon_days,
            network.run.warmup_days
        );
    }
    let started = Instant::now();
    let outputs = experiment::run(&scenario, &plan).map_err(|e| Failure {
        code: Exit::Simulation,
        message: e.to_string(),
    })?;
    let elapsed = started.elapsed().as_secs_f64();

    let info = RunInfo {
        iccsim_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: origin,
        seed,
        replications,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
        full_effect_from: iccsim::model::full_effect::FullEffect::of(network).from_text(),
        first_full_year: iccsim::model::full_effect::FullEffect::of(network).first_full_year,
        case: iccsim::scenario::case_name(network),
        correlation: iccsim::scenario::correlation_sentence(network),
    };
    let set = ResultSet::new(network, info, &outputs);
    let periods: Vec<Period> = match &args.periods {
        Some(names) => names.iter().filter_map(|n| Period::from_name(n)).collect(),
        None => Period::defaults_for(network.run.horizon_days),
    };
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("summary.csv", tidy::summary_csv(&set)),
        ("replications.csv", tidy::replications_csv(&set)),
        (
            "timeseries.csv",
            tidy::timeseries_csv(network, &set.info, &outputs, &periods),
        ),
        ("flows.csv", tidy::flows_csv(&set.info, &outputs)),
        (
            report::stock_flow::FLOWS_FILE,
            report::stock_flow::stock_flow_csv(network, &outputs),
        ),
        (
            report::stock_flow::STOCKS_FILE,
            report::stock_flow::stocks_csv(network, &outputs),
        ),
        (
            "occupancy.csv",
            tidy::occupancy_csv(network, &set.info, &outputs),
        ),
        ("results.json", tidy::results_json(&set)),
        (
            "run.json",
            iccsim::report::provenance::run_json(
                Some(&tidy::run_json(&set.info)),
                &super::provenance::provenance(
                    "run",
                    Some(seed),
                    vec![super::provenance::scenario(
                        &network.name,
                        &set.info.scenario_origin,
                        "scenario.toml",
                        &text,
                    )],
                    None,
                    iccsim::report::provenance::Stopping::fixed(replications),
                ),
            ),
        ),
        ("scenario.toml", text.into_bytes()),
    ];
    files.extend(uncertainty_file(&scenario));
    if args.episodes {
        files.push(("episodes.csv", tidy::episodes_csv(&set.info, &outputs)));
    }
    let schema = Schema::of(network);
    let records: Vec<_> = outputs.iter().map(|o| o.record.clone()).collect();
    let service_years = ServiceYearSet::from_records(&schema, &records);
    files.push((
        "delays.csv",
        pressure::delays_csv(network, &set.info, &service_years),
    ));
    files.push((
        "pressure.csv",
        pressure::pressure_csv(network, &set.info, &service_years),
    ));
    let breakdown = network
        .layout
        .as_ref()
        .map(|layout| BreakdownSet::new(network, layout, &outputs));
    if let Some(breakdown) = &breakdown {
        files.push((
            "breakdown.csv",
            breakdown::breakdown_csv(&set.info, breakdown),
        ));
        files.push((
            "breakdown_margins.csv",
            breakdown::breakdown_margins_csv(&set.info, breakdown),
        ));
        files.push((
            "breakdown_summary.csv",
            breakdown::breakdown_summary_csv(&set.info, breakdown),
        ));
        let crossings = thresholds::crossings(&schema, &records);
        files.push((
            "thresholds.csv",
            tidy::thresholds_csv(&set.info, &crossings),
        ));
    }
    if let Some(layout) = network.layout.as_ref().filter(|l| !l.budget.is_empty()) {
        files.push(("budget.csv", budget::budget_csv(&network.name, layout)));
    }
    if report::workforce::has_workforce(network) {
        files.push(("workforce.csv", report::workforce::workforce_csv(network)));
    }
    if report::registers::has_registers(network) {
        files.push((
            "registers.csv",
            report::registers::registers_csv(network, &schema, &records),
        ));
    }
    // Replaces the earlier results and any report drawn from them.
    folder.commit(&files, RESULTS, Replace::Results)?;
    let log_rows = if logged.is_empty() {
        None
    } else {
        let design = iccsim::experiment::nested::Design::Plain;
        let (rows, _) = super::event_log::write_event_log(
            &mut folder,
            &scenario,
            seed,
            design,
            &logged,
            false,
        )?;
        Some(rows)
    };

    if !args.common.quiet {
        let mut table = match &breakdown {
            Some(breakdown) => report::tables::headline_table(&set.info, breakdown),
            None => report::tables::summary_table(network, &set),
        };
        if let Some(layout) = network.layout.as_ref() {
            table.push_str(&budget::budget_table(layout));
        }
        print_stdout(&format!("{table}\n"))?;
        let patients: u64 = outputs.iter().map(|o| o.result.system.entered_total).sum();
        say!(
            "Simulated {patients} patients in {elapsed:.2} s. Wrote {} files to {}/",
            files.len() + usize::from(log_rows.is_some()),
            out.display()
        );
        if let Some(rows) = log_rows {
            say!(
                "{}: {rows} events of {} replication{}",
                super::event_log::EVENT_LOG_FILE,
                logged.len(),
                if logged.len() == 1 { "" } else { "s" }
            );
        }
    }
    Ok(())
}
