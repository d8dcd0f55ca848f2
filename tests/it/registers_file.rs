//! `registers.csv`: the risk registers by replication, month, register
//! and tier. Exact identities only (no Monte Carlo tolerance): a tier's
//! members over a month add up to the register's people, the followed
//! cohort's admissions are part of the tier's, a tier's crises in a year
//! are the entries its crisis types report in the ledger, the months add
//! up to the summary's totals, and the cohort is the top tier when it is
//! marked. `run` and `batch` write the same bytes; a scenario without
//! registers writes no file.

use std::collections::HashMap;
use std::path::Path;

use iccsim::experiment::record::Schema;
use iccsim::model::register::window_months;
use iccsim::model::{MemberRate, Network};
use iccsim::report::registers::{REGISTERS_COLUMNS, registers_csv};

use crate::common::{csv_rows, iccsim, network, outputs, succeed};

fn scenario_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// The header as docs/whole-system.md (§3, *Outputs*) gives it.
const DOCUMENTED_HEADER: &str = "scenario,replication,year,month,month_start,days,icc,age_band,tier,members,member_days,caseload,caseload_days,crises,caseload_crises,admissions,step_ups,cohort_marked,cohort_members,cohort_member_days,cohort_admissions";

/// The baseline over `horizon` days (its year of warm-up kept).
fn baseline(horizon: u32) -> Network {
    let text = std::fs::read_to_string(scenario_path("north-cumbria-baseline.toml")).unwrap();
    assert!(text.contains("horizon_days = 1826"));
    network(&text.replace("horizon_days = 1826", &format!("horizon_days = {horizon}")))
}

/// A row of the file, by column.
type Row = HashMap<String, String>;

fn number(row: &Row, column: &str) -> f64 {
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{column} = {:?} in {row:?}", row[column]))
}

/// The rows of `registers.csv` text.
fn rows_of(text: &str) -> Vec<Row> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registers.csv");
    std::fs::write(&path, text).unwrap();
    csv_rows(&path)
}

/// Checks every identity of the file against the replications' results.
fn check_identities(network: &Network, replications: u64, seed: u64) {
    let outputs = outputs(network, replications, seed, false);
    let schema = Schema::of(network);
    let records: Vec<_> = outputs.iter().map(|o| o.record.clone()).collect();
    let text = String::from_utf8(registers_csv(network, &schema, &records)).unwrap();
    assert_eq!(text.lines().next().unwrap(), DOCUMENTED_HEADER);
    assert_eq!(REGISTERS_COLUMNS.join(","), DOCUMENTED_HEADER);
    let rows = rows_of(&text);
    let months = window_months(&network.run);
    let tiers: usize = network.risk_registers.iter().map(|r| r.tiers.len()).sum();
    assert_eq!(rows.len(), replications as usize * months.len() * tiers);
    // (replication, register name, month) → its tiers' rows, top first.
    let mut by_month: HashMap<(u64, String, usize), Vec<&Row>> = HashMap::new();
    for row in &rows {
        let key = (
            number(row, "replication") as u64,
            format!("{}/{}", row["icc"], row["age_band"]),
            number(row, "month") as usize - 1,
        );
        by_month.entry(key).or_default().push(row);
    }
    let days_total: f64 = months.iter().map(|m| m.days).sum();
    assert_eq!(days_total, network.run.horizon_days);
    for output in &outputs {
        let replication = output.result.replication;
        let ledger = &output.result.ledger;
        for (r, register) in network.risk_registers.iter().enumerate() {
            let summary = &output.result.registers[r];
            let people = register.total_people() as f64;
            let top = &register.tiers[0];
            let mut crises_by_year = vec![vec![0u64; register.tiers.len()]; ledger.years];
            let mut cohort_by_year = vec![0u64; ledger.years];
            let mut totals = vec![[0u64; 4]; register.tiers.len()];
            for (m, month) in months.iter().enumerate() {
                let tier_rows = &by_month[&(replication, register.name.clone(), m)];
                assert_eq!(tier_rows.len(), register.tiers.len());
                let members: f64 = tier_rows.iter().map(|row| number(row, "members")).sum();
                let member_days: f64 = tier_rows.iter().map(|row| number(row, "member_days")).sum();
                // Means to 4 decimals, member-days to 3: the rounding of a
                // few cells, nothing more.
                assert!(
                    (members - people).abs() < 1e-3,
                    "{} month {}: members {members} of {people}",
                    register.name,
                    m + 1
                );
                assert!((member_days - people * month.days).abs() < 1e-2);
                for (tier, row) in tier_rows.iter().enumerate() {
                    assert_eq!(row["tier"], register.tiers[tier]);
                    assert_eq!(row["month_start"], month.start.to_string());
                    assert_eq!(number(row, "year") as usize, month.year + 1);
                    let count = |c: &str| number(row, c) as u64;
                    // The followed cohort's admissions are some of the tier's;
                    // the caseload's crises some of its crises.
                    assert!(count("cohort_admissions") <= count("admissions"), "{row:?}");
                    assert!(count("caseload_crises") <= count("crises"), "{row:?}");
                    assert!(number(row, "caseload") <= number(row, "members") + 1e-3);
                    assert!(number(row, "cohort_members") <= number(row, "members") + 1e-3);
                    assert_eq!(
                        number(row, "cohort_marked") as u64,
                        summary.cohort_marked[month.year]
                    );
                    crises_by_year[month.year][tier] += count("crises");
                    cohort_by_year[month.year] += count("cohort_admissions");
                    for (k, c) in ["crises", "caseload_crises", "admissions", "step_ups"]
                        .iter()
                        .enumerate()
                    {
                        totals[tier][k] += count(c);
                    }
                }
                // A year's cohort is the top tier when it is marked: in
                // its first month (starting at the year's start, on the
                // 1st) no one has moved yet.
                if m == 0 || month.year != months[m - 1].year {
                    for (tier, row) in tier_rows.iter().enumerate() {
                        let expected = if tier == 0 {
                            summary.cohort_marked[month.year] as f64
                        } else {
                            0.0
                        };
                        assert_eq!(
                            number(row, "cohort_member_days"),
                            expected * month.days,
                            "{} {top} {row:?}",
                            register.name
                        );
                    }
                }
            }
            // A tier's crises in a year are the window entries of its
            // crisis types (every class of crisis of the tier).
            for (year, by_tier) in crises_by_year.iter().enumerate() {
                for (tier, crises) in by_tier.iter().enumerate() {
                    let entries: u64 = network
                        .patient_types
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| {
                            t.per_member_of.is_some_and(|m| {
                                m.register == r
                                    && m.tier == tier
                                    && m.counting == MemberRate::Crisis
                            })
                        })
                        .map(|(t, _)| ledger.entries(t, year))
                        .sum();
                    assert_eq!(
                        *crises,
                        entries,
                        "{} {} year {}",
                        register.name,
                        register.tiers[tier],
                        year + 1
                    );
                }
            }
            // The months add up to the summary's totals.
            assert_eq!(cohort_by_year, summary.cohort_admissions);
            for (tier, t) in totals.iter().enumerate() {
                assert_eq!(
                    *t,
                    [
                        summary.crises[tier],
                        summary.caseload_crises[tier],
                        summary.admissions[tier],
                        summary.step_ups[tier]
                    ],
                    "{} {}",
                    register.name,
                    register.tiers[tier]
                );
            }
        }
    }
}

#[test]
fn registers_csv_adds_up_on_the_baseline() {
    // 400 days: a whole year, a second year's cohort and a last month cut
    // short by the horizon (May 2026, 5 days).
    let network = baseline(400);
    assert_eq!(network.risk_registers.len(), 24, "8 ICCs × 3 bands");
    let months = window_months(&network.run);
    assert_eq!(months.len(), 14);
    assert_eq!(months.last().unwrap().days, 5.0);
    check_identities(&network, 2, 7);
}

#[test]
fn a_window_starting_mid_month_is_cut_at_each_year_start() {
    let fixture = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml"),
    )
    .unwrap();
    let text = fixture
        .replace("start_date = 2025-04-01", "start_date = 2025-04-15")
        .replace("horizon_days = 730", "horizon_days = 400")
        .replace(
            "[iccs.only]",
            "[population.risk_tiers.very_high]\nshare = 0.02\ncrisis_multiplier = 6.0\nbands = [\"75-84\", \"85+\"]\nmonthly_exit = 0.11\nstep_up_after_admission = 0.05\n\n[iccs.only]",
        );
    let network = network(&text);
    assert_eq!(network.risk_registers.len(), 2);
    let months = window_months(&network.run);
    // 15-30 April, then whole months to 1-14 April 2026 (year 1), 15-30
    // April 2026 (year 2) and 1-19 May.
    let starts: Vec<String> = months.iter().map(|m| m.start.to_string()).collect();
    assert_eq!(starts[0], "2025-04-15");
    assert_eq!(starts[12], "2026-04-01");
    assert_eq!(starts[13], "2026-04-15");
    assert_eq!(starts[14], "2026-05-01");
    assert_eq!(months.len(), 15);
    assert_eq!(
        (
            months[0].days,
            months[12].days,
            months[13].days,
            months[14].days
        ),
        (16.0, 14.0, 16.0, 19.0)
    );
    assert_eq!((months[12].year, months[13].year), (0, 1));
    check_identities(&network, 2, 3);
}

#[test]
fn run_and_batch_write_the_same_registers_csv_and_others_write_none() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let batch = dir.path().join("batch");
    for (command, out) in [("run", &run), ("batch", &batch)] {
        succeed(
            iccsim()
                .args([
                    command,
                    "-n",
                    "2",
                    "--quiet",
                    "--set",
                    "run.horizon_days=61",
                ])
                .arg("--out")
                .arg(out),
        );
    }
    let written = std::fs::read(run.join("registers.csv")).unwrap();
    assert_eq!(written, std::fs::read(batch.join("registers.csv")).unwrap());
    let rows = csv_rows(&run.join("registers.csv"));
    // 2 replications × 2 months (April and May) × 24 registers × 3 tiers.
    assert_eq!(rows.len(), 2 * 2 * 24 * 3);
    assert!(
        String::from_utf8(written)
            .unwrap()
            .starts_with(DOCUMENTED_HEADER)
    );
    assert_eq!(rows[0]["scenario"], "north-cumbria-baseline");
    // Without registers (no moving tiers, no caseload acting on people):
    // no file, whole system or not.
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    for (scenario, out) in [
        (minimal, dir.path().join("minimal")),
        (
            scenario_path("reference-network.toml"),
            dir.path().join("reference"),
        ),
    ] {
        let text = std::fs::read_to_string(&scenario).unwrap();
        assert!(network(&text).risk_registers.is_empty());
        for command in ["run", "batch"] {
            let folder = out.join(command);
            succeed(
                iccsim()
                    .args([
                        command,
                        "-n",
                        "1",
                        "--quiet",
                        "--set",
                        "run.horizon_days=30",
                    ])
                    .arg(&scenario)
                    .arg("--out")
                    .arg(&folder),
            );
            assert!(folder.join("summary.csv").exists());
            assert!(
                !folder.join("registers.csv").exists(),
                "{}",
                folder.display()
            );
        }
    }
}
