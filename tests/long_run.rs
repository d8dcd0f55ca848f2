//! A 50-year run of the whole-system baseline, with its population growth
//! (the 85+ grow 2.8% a year): memory stays bounded and the yearly figures
//! stay on their trend, with no drift, overflow or non-finite value.
//!
//! Its own test binary, so that the process's peak memory (VmHWM) is this
//! run's alone. The run is one replication on one thread; its cost per
//! event is measured in benches/, not here. A second long run, of patients
//! retrying their discharge every day, measures its memory in a child
//! process (this binary again, running only that test).

#[path = "it/common/mod.rs"]
mod common;

fn peak_resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
fn fifty_years_with_growth_stay_bounded_and_on_trend() {
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &["run.horizon_days=18262".to_string()],
    )
    .unwrap();
    let network = iccsim::scenario::load_str(&text, "baseline", "baseline").unwrap();
    let estimate = network.memory_estimate();
    let result = iccsim::model::simulate(&network, 2026, 0, &mut ()).unwrap();

    // Memory: measured at 280 MB before issue 21, with 1.3 million people
    // in the system at the end (now bounded, below), and the fixed structures (chiefly 50 years of
    // per-day series for 57 services) estimated at about 100 MB; a leak,
    // or a per-event structure that grew with the horizon, would pass 512.
    let peak = peak_resident_bytes();
    assert!(
        peak < 512 << 20,
        "peak {} MB (fixed structures {} MB)",
        peak >> 20,
        estimate.total() >> 20
    );

    // People are conserved. The baseline's beds and downstream places are
    // fixed while the old grow 2.8% a year, so demand outgrows them; the
    // hospital copes as hospitals do (escalation beds, outlying, transfers
    // to other providers after 48 hours, electives cancelled and, if
    // cancelled again, treated elsewhere) and the queues stay bounded:
    // before issue 21, 1.3 million people were queuing in the EDs by the
    // end. Measured: the largest queue for a bed in any year 211 people,
    // the rebooking list 524 at the end.
    let s = &result.system;
    assert_eq!(
        s.entered_total,
        s.left_total + s.lost_total + s.in_system_at_end
    );
    let layout = network.layout.as_ref().unwrap();
    let acute: Vec<usize> = (0..network.services.len())
        .filter(|&i| layout.services[i].role == iccsim::model::system::Role::AcuteBeds)
        .collect();
    let years = result.ledger.years;
    let largest_queue = (0..years)
        .flat_map(|y| acute.iter().map(move |&i| (i, y)))
        .map(|(i, y)| result.ledger.service_year(i, y).waiting_peak)
        .max()
        .unwrap();
    assert!(
        (20..1_000).contains(&largest_queue),
        "largest queue for a bed {largest_queue}"
    );
    let rebooking: u32 = acute
        .iter()
        .map(|&i| result.ledger.service_year(i, years - 1).rebooking_at_end)
        .sum();
    assert!(rebooking < 5_000, "rebooking list at the end {rebooking}");
    assert!(s.in_system_at_end < 200_000, "{}", s.in_system_at_end);

    // Arrivals by year follow the population's growth: no year is empty,
    // and from one year to the next they change by less than the growth of
    // the fastest-growing band plus six standard deviations of the Poisson
    // count (about 140,000 a year: ±1.6%).
    assert_eq!(years, 50, "the 50th year is a few hours short");
    let arrivals: Vec<u64> = (0..years - 1)
        .map(|y| {
            (0..network.patient_types.len())
                .map(|t| result.ledger.entries(t, y))
                .sum()
        })
        .collect();
    for pair in arrivals.windows(2) {
        let change = pair[1] as f64 / pair[0] as f64 - 1.0;
        assert!(
            change.abs() < 0.028 + 0.016,
            "arrivals by year: {arrivals:?}"
        );
    }
    assert!(arrivals[48] > arrivals[0], "{arrivals:?}");
    for (outcome, daily) in result.services.iter().zip(&result.daily) {
        let levels = outcome.levels.as_ref().unwrap();
        assert!(levels.occupancy_mean.is_finite());
        assert!(
            daily
                .occupancy_area
                .iter()
                .all(|a| a.is_finite() && *a >= 0.0)
        );
        assert!(outcome.length_of_stay.count() == 0 || outcome.length_of_stay.mean().is_finite());
    }
}

/// Set in the child process that runs only
/// `retried_discharges_in_a_process_of_their_own`.
const CHILD: &str = "ICCSIM_LONG_RUN_CHILD";

#[test]
fn daily_discharge_retries_keep_memory_to_the_people_and_their_events() {
    // This binary again, running only the test below, so that its peak
    // memory is that run's alone (the 50-year run above shares this
    // process).
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "retried_discharges_in_a_process_of_their_own",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}\n{stderr}");
}

#[test]
fn retried_discharges_in_a_process_of_their_own() {
    if std::env::var_os(CHILD).is_none() {
        return; // run by the test above, in a process of its own
    }
    // Ready to leave after half a day, but discharged only on Mondays with
    // probability one in a million: everyone retries every day, and after
    // 150 days 150,000 people wait, each with one retry pending: the run
    // peaks at 74 MB (their records and events, the room the event wheel
    // keeps, the program). Before the wheel gave back the room of its
    // emptied slots, each of its 1,024 slots kept the largest bucket it
    // had held, and this run peaked at 374 MB (4 GB at 20,000 arrivals a
    // day).
    let network =
        iccsim::scenario::load_str(&common::discharge_retries(1000.0), "retries", "retries")
            .unwrap();
    let result = iccsim::model::simulate(&network, 1, 0, &mut ()).unwrap();
    let s = &result.system;
    assert!(s.in_system_at_end > 145_000, "{}", s.in_system_at_end);
    assert_eq!(
        s.entered_total,
        s.left_total + s.lost_total + s.in_system_at_end
    );
    let peak = peak_resident_bytes();
    println!("peak {} MB", peak >> 20);
    assert!(peak < 128 << 20, "peak {} MB", peak >> 20);
}

/// Issue 25: `calibrate --fit` reproduces today's north Cumbria
/// calibration from perturbed values. Three tuned values are moved 15%
/// (the 75-84 and 85+ crisis rates up, the 65-74 ED admission share down),
/// freed within bounds around today's values, and fitted to the
/// admission targets (per 1,000 by band, and a year's adult admissions);
/// every other target (ED attendances, occupancy, lengths of stay,
/// delays, deaths) is held out, and must be inside its band after the
/// fit, with the fitted values near today's.
///
/// Slow (each evaluation simulates 4 replications of the three-year
/// warm-up and year 1): ignored in `cargo test`, run in release by
/// `.ci/run` (`cargo test --release --test long_run -- --ignored fit_`).
/// Measured on 2 cores: see docs/calibration.md, "Fitting".
#[test]
#[ignore = "slow: run in release by .ci/run"]
fn fit_reproduces_the_north_cumbria_calibration_from_perturbed_values() {
    const TODAY: [(&str, &str, f64); 3] = [
        ("75-84", "crisis_per_1000", 583.0),
        ("85+", "crisis_per_1000", 660.0),
        ("65-74", "ed_admission", 0.35),
    ];
    const PERTURBATION: [f64; 3] = [1.15, 1.15, 0.85];
    const BOUNDS: [(f64, f64); 3] = [(480.0, 700.0), (540.0, 800.0), (0.25, 0.45)];
    const FITTED_METRICS: [&str; 2] = ["emergency_admissions_per_1000", "emergency_admissions"];

    let mut document: toml::Table =
        toml::from_str(iccsim::scenario::DEFAULT_SCENARIO_TOML).unwrap();
    // Year 1 is what the targets compare (as whole_system.rs's check of
    // the calibration).
    document["run"]["horizon_days"] = toml::Value::Integer(366);
    let mut free = Vec::new();
    for (((band, key, today), factor), (min, max)) in TODAY.iter().zip(PERTURBATION).zip(BOUNDS) {
        let band_table = document["age_bands"][band].as_table_mut().unwrap();
        assert_eq!(band_table[*key].as_float(), Some(*today), "{band} {key}");
        let start: f64 = format!("{:.4}", today * factor).parse().unwrap();
        band_table.insert(key.to_string(), toml::Value::Float(start));
        free.push(format!(
            "{{ key = 'age_bands.\"{band}\".{key}', min = {min:?}, max = {max:?} }}"
        ));
    }
    let calibration = document["calibration"].as_table_mut().unwrap();
    let mut held_out = 0;
    for target in calibration["targets"].as_array_mut().unwrap() {
        let target = target.as_table_mut().unwrap();
        if !FITTED_METRICS.contains(&target["metric"].as_str().unwrap()) {
            target.insert("fit".into(), toml::Value::Boolean(false));
            held_out += 1;
        }
    }
    assert!(held_out >= 10);
    let fit: toml::Table = toml::from_str(&format!(
        "free = [{}]\nmax_evaluations = 40",
        free.join(", ")
    ))
    .unwrap();
    calibration.insert("fit".into(), toml::Value::Table(fit));

    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("perturbed.toml");
    std::fs::write(&scenario, toml::to_string(&document).unwrap()).unwrap();
    let started = std::time::Instant::now();
    let output = assert_cmd::Command::cargo_bin("iccsim")
        .unwrap()
        .args(["calibrate", "--fit", "-n", "4", "--seed", "2026", "--out"])
        .arg(dir.path().join("fit"))
        .arg(&scenario)
        .output()
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}\n{seconds:.0} s");
    assert!(output.status.success(), "{stdout}\n{stderr}");

    // Every fitted target inside its band after the fit; every held-out
    // one inside it or within the Monte Carlo error of its mean: with 4
    // replications a held-out target near an edge can fall just outside
    // by chance alone (acute occupancy is 0.879 at today's values with 10
    // replications, 0.009 above its band's lower edge; the first CI run
    // of this test saw 0.865, 95% CI 0.845 to 0.884, after a fit whose
    // values were within 1% of today's).
    let mut reader = csv::Reader::from_path(dir.path().join("fit/fit_targets.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(
        rows.iter().filter(|r| &r[6] == "held_out").count(),
        held_out
    );
    let number = |row: &csv::StringRecord, i: usize| row[i].parse::<f64>().unwrap();
    for row in &rows {
        let inside = &row[15] == "true";
        let consistent = &row[6] == "held_out"
            && number(row, 12) <= number(row, 9)
            && number(row, 13) >= number(row, 8);
        assert!(
            inside || consistent,
            "{} ({}, {}) outside after the fit\n{stdout}",
            &row[1],
            &row[3],
            &row[6]
        );
    }
    // The perturbation put some fitted target outside at the start.
    assert!(rows.iter().any(|r| &r[14] == "false"), "{stdout}");

    // The fitted values near today's: within a third of the perturbation
    // (5%). The fit does not return to the hand-tuned values exactly: it
    // brings the admission targets to their observed values, where the
    // hand tuning stopped anywhere inside their bands.
    let fitted: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.path().join("fit/fitted.toml")).unwrap())
            .unwrap();
    for (band, key, today) in TODAY {
        let value = fitted["age_bands"][band][key].as_float().unwrap();
        assert!(
            (value / today - 1.0).abs() < 0.05,
            "{band} {key}: fitted {value}, today {today}\n{stdout}"
        );
    }
}
