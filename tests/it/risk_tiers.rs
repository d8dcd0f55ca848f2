//! Moving risk tiers (risk registers) against known answers: the stated
//! shares stay the stationary ones; crises arrive per member of a tier at
//! the tier's rate; a cohort selected as high-risk regresses to the mean
//! by what the transition matrix implies; case management acts on the
//! people on the caseload; files without the new keys compile as before.
//!
//! Tolerances: counts are compared with their expectation given the
//! members' path (member-days × rate per member-day) within 4 Poisson
//! standard errors; a cohort's admissions, which also carry the spread of
//! its members' paths between tiers, within 4 standard errors of a
//! variance 1.5 × the Poisson one (the extra part is below 10% here: each
//! member's yearly admissions vary by about ±0.3 around a mean near 1).

use iccsim::model::{MemberRate, Network, RegisterSummary, RiskRegister};

use crate::common::{network, outputs};

fn fixture() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    std::fs::read_to_string(path).unwrap()
}

/// The minimal system with two tiers of the older bands, the given keys
/// added to each tier (`{top}` and `{high}`) and to case management.
fn with_tiers(top: &str, high: &str, case_management: &str, horizon: u32) -> Network {
    let text = fixture()
        .replace("horizon_days = 730", &format!("horizon_days = {horizon}"))
        .replace(
            "[iccs.only]",
            &format!(
                "[population.risk_tiers.very_high]\nshare = 0.02\ncrisis_multiplier = 6.0\nbands = [\"65-74\", \"75-84\", \"85+\"]\n{top}\n\n[population.risk_tiers.high]\nshare = 0.03\ncrisis_multiplier = 3.0\nbands = [\"65-74\", \"75-84\", \"85+\"]\n{high}\n\n[iccs.only]"
            ),
        )
        .replace(
            "episode = { dist = \"exponential\", mean = 90.0 }",
            &format!("episode = {{ dist = \"exponential\", mean = 90.0 }}\n{case_management}"),
        );
    network(&text)
}

fn moving(horizon: u32) -> Network {
    with_tiers("monthly_exit = 0.11", "monthly_exit = 0.10", "", horizon)
}

fn summaries(network: &Network, replications: u64, seed: u64) -> Vec<Vec<RegisterSummary>> {
    outputs(network, replications, seed, false)
        .into_iter()
        .map(|o| o.result.registers)
        .collect()
}

/// The crisis rate per member-day of a register tier (no growth or
/// seasonality in the fixture: the type's rate as it is).
fn crisis_rate(network: &Network, register: usize, tier: usize) -> f64 {
    let types: Vec<f64> = network
        .patient_types
        .iter()
        .filter(|t| {
            t.per_member_of.is_some_and(|m| {
                m.register == register && m.tier == tier && m.counting == MemberRate::Crisis
            })
        })
        .map(|t| t.rate_per_day)
        .collect();
    assert_eq!(types.len(), 1, "one crisis type per tier");
    types[0]
}

/// Σ over replications of a per-tier value.
fn total(runs: &[Vec<RegisterSummary>], r: usize, f: impl Fn(&RegisterSummary) -> f64) -> f64 {
    runs.iter().map(|run| f(&run[r])).sum()
}

fn assert_within(what: &str, simulated: f64, expected: f64, variance: f64) {
    let tolerance = 4.0 * variance.sqrt();
    assert!(
        (simulated - expected).abs() <= tolerance,
        "{what}: simulated {simulated} vs expected {expected} (± {tolerance})"
    );
}

#[test]
fn registers_start_at_the_stationary_shares_and_stay_there() {
    let network = moving(730);
    // One register per older band, tiers ranked by crisis rate.
    assert_eq!(network.risk_registers.len(), 3);
    let register: &RiskRegister = &network.risk_registers[0];
    assert_eq!(register.name, "only/65-74");
    assert_eq!(register.tiers, ["very_high", "high", "rest"]);
    assert_eq!(register.people, [120, 180, 5700]);
    let replications = 40;
    let runs = summaries(&network, replications, 11);
    for (r, register) in network.risk_registers.iter().enumerate() {
        let total_people = register.total_people() as f64;
        for (tier, people) in register.people.iter().enumerate() {
            let share = *people as f64 / total_people;
            // Members at the last month: binomial(people, share) at
            // stationarity, independent between replications.
            let last: f64 = runs
                .iter()
                .map(|run| *run[r].members_by_month.last().unwrap().get(tier).unwrap() as f64)
                .sum();
            let n = replications as f64;
            assert_within(
                &format!("{} {} members", register.name, register.tiers[tier]),
                last / n,
                *people as f64,
                total_people * share * (1.0 - share) / n,
            );
        }
        // Everyone stays somewhere.
        for run in &runs {
            for month in &run[r].members_by_month {
                assert_eq!(month.iter().sum::<u64>(), register.total_people());
            }
        }
    }
}

#[test]
fn crises_arrive_per_member_at_the_tier_rate() {
    let network = moving(365);
    let runs = summaries(&network, 20, 12);
    for (r, register) in network.risk_registers.iter().enumerate() {
        for tier in 0..register.tiers.len() {
            let expected =
                crisis_rate(&network, r, tier) * total(&runs, r, |s| s.member_days[tier]);
            let simulated = total(&runs, r, |s| s.crises[tier] as f64);
            assert_within(
                &format!("{} {} crises", register.name, register.tiers[tier]),
                simulated,
                expected,
                expected,
            );
        }
    }
}

/// The distribution over tiers of a cohort starting in tier 0 after m
/// months: e0 × P^m.
fn cohort_after(monthly: &[Vec<f64>], months: usize) -> Vec<f64> {
    let n = monthly.len();
    let mut dist = vec![0.0; n];
    dist[0] = 1.0;
    for _ in 0..months {
        let mut next = vec![0.0; n];
        for from in 0..n {
            for to in 0..n {
                next[to] += dist[from] * monthly[from][to];
            }
        }
        dist = next;
    }
    dist
}

#[test]
fn a_cohort_selected_as_high_risk_regresses_to_the_mean_as_the_matrix_implies() {
    // The window starts on 1 April 2025: the cohort (the top tier then) is
    // followed for a year of months of these lengths, moving at each 1st.
    let days_in_month = [
        30.0, 31.0, 30.0, 31.0, 31.0, 30.0, 31.0, 30.0, 31.0, 31.0, 28.0, 31.0,
    ];
    let network = moving(365);
    let replications = 60;
    let runs = summaries(&network, replications, 13);
    let mut expected = 0.0;
    let mut simulated = 0.0;
    let mut selection_year = 0.0;
    for (r, register) in network.risk_registers.iter().enumerate() {
        let n = register.tiers.len();
        // Each tier's emergency admissions per member-day, over all its
        // members and replications.
        let rate: Vec<f64> = (0..n)
            .map(|k| {
                total(&runs, r, |s| s.admissions[k] as f64) / total(&runs, r, |s| s.member_days[k])
            })
            .collect();
        let marked = total(&runs, r, |s| s.cohort_marked[0] as f64);
        assert_eq!(marked, (register.people[0] * replications) as f64);
        let mut member_days = vec![0.0; n];
        for (m, days) in days_in_month.iter().enumerate() {
            for (k, p) in cohort_after(&register.monthly, m).iter().enumerate() {
                member_days[k] += marked * p * days;
            }
        }
        let band_expected: f64 = (0..n).map(|k| member_days[k] * rate[k]).sum();
        let band_simulated = total(&runs, r, |s| s.cohort_admissions[0] as f64);
        assert_within(
            &format!("{} cohort admissions", register.name),
            band_simulated,
            band_expected,
            1.5 * band_expected,
        );
        expected += band_expected;
        simulated += band_simulated;
        selection_year += marked * 365.0 * rate[0];
    }
    println!(
        "cohort admissions over {replications} replications: simulated {simulated}, expected {expected:.1}, selection-year rate {selection_year:.1}"
    );
    assert_within("cohort admissions", simulated, expected, 1.5 * expected);
    // Well below what the cohort would have had had it stayed in the top
    // tier all year (about three quarters: a quarter of it is still there
    // a year on).
    assert!(
        simulated < 0.85 * selection_year,
        "cohort {simulated} vs selection-year rate {selection_year}"
    );
    assert!(
        simulated > 0.5 * selection_year,
        "cohort {simulated} vs selection-year rate {selection_year}"
    );
}

#[test]
fn tiers_without_the_new_keys_are_fixed_shares_as_before() {
    let network = with_tiers("", "", "", 365);
    assert!(network.risk_registers.is_empty());
    assert!(
        network
            .patient_types
            .iter()
            .all(|t| t.per_member_of.is_none())
    );
    // The tier's crisis type keeps its rate for the whole tier.
    let top = network
        .patient_types
        .iter()
        .find(|t| t.name == "crisis/only/65-74/very_high")
        .unwrap();
    assert!((top.rate_per_day - 6000.0 * 0.02 * 0.4 * 6.0 / 365.25).abs() < 1e-12);
}

#[test]
fn step_ups_after_admission_keep_the_shares() {
    let network = with_tiers(
        "monthly_exit = 0.11\nstep_up_after_admission = 0.01",
        "monthly_exit = 0.10\nstep_up_after_admission = 0.01",
        "",
        730,
    );
    let replications = 20;
    let runs = summaries(&network, replications, 14);
    for (r, register) in network.risk_registers.iter().enumerate() {
        let step_ups = total(&runs, r, |s| s.step_ups.iter().sum::<u64>() as f64);
        assert!(step_ups > 0.0, "{}: no step-ups", register.name);
        let total_people = register.total_people() as f64;
        for (tier, people) in register.people.iter().enumerate() {
            let share = *people as f64 / total_people;
            let last: f64 = runs
                .iter()
                .map(|run| run[r].members_by_month.last().unwrap()[tier] as f64)
                .sum();
            let n = replications as f64;
            assert_within(
                &format!(
                    "{} {} members with step-ups",
                    register.name, register.tiers[tier]
                ),
                last / n,
                *people as f64,
                total_people * share * (1.0 - share) / n,
            );
        }
    }
}

#[test]
fn case_management_acts_on_the_people_on_the_caseload() {
    // Everyone of the top tier is referred about once a year; on the
    // caseload their crises are halved.
    let network = with_tiers(
        "monthly_exit = 0.11\ncase_management_referrals_per_1000 = 1000",
        "monthly_exit = 0.10",
        "crisis_multiplier = 0.5",
        365,
    );
    assert!(
        network
            .risk_registers
            .iter()
            .all(|r| r.caseload_crisis_multiplier == 0.5)
    );
    let runs = summaries(&network, 20, 15);
    for (r, register) in network.risk_registers.iter().enumerate() {
        let rate = crisis_rate(&network, r, 0);
        let caseload_days = total(&runs, r, |s| s.caseload_days.iter().sum());
        let top_caseload = total(&runs, r, |s| s.caseload_days[0]);
        // Referrals come from the top tier only, but people on the
        // caseload move between tiers like everyone else.
        assert!(top_caseload > 0.5 * caseload_days, "{}", register.name);
        assert!(caseload_days > 0.0);
        for tier in 0..register.tiers.len() {
            let rate = crisis_rate(&network, r, tier);
            let on = total(&runs, r, |s| s.caseload_days[tier]);
            let off = total(&runs, r, |s| s.member_days[tier]) - on;
            let expected_on = rate * 0.5 * on;
            assert_within(
                &format!(
                    "{} {} crises on the caseload",
                    register.name, register.tiers[tier]
                ),
                total(&runs, r, |s| s.caseload_crises[tier] as f64),
                expected_on,
                expected_on.max(1.0),
            );
            let expected = rate * (off + 0.5 * on);
            assert_within(
                &format!("{} {} crises", register.name, register.tiers[tier]),
                total(&runs, r, |s| s.crises[tier] as f64),
                expected,
                expected,
            );
        }
        // The top tier's crises fall by what the caseload takes off:
        // caseload-days × rate × (1 − 0.5).
        let averted = rate * 0.5 * top_caseload;
        let full = rate * total(&runs, r, |s| s.member_days[0]);
        let crises = total(&runs, r, |s| s.crises[0] as f64);
        assert_within(
            &format!("{} top tier crises averted", register.name),
            full - crises,
            averted,
            full,
        );
    }
}

/// The message of a fixture edit that must be refused.
fn refused(top: &str, high: &str, case_management: &str, rapid_response: &str) -> String {
    let text = fixture()
        .replace(
            "[iccs.only]",
            &format!(
                "[population.risk_tiers.very_high]\nshare = 0.02\ncrisis_multiplier = 6.0\nbands = [\"65-74\", \"75-84\", \"85+\"]\n{top}\n\n[population.risk_tiers.high]\nshare = 0.03\ncrisis_multiplier = 3.0\nbands = [\"65-74\", \"75-84\", \"85+\"]\n{high}\n\n[iccs.only]"
            ),
        )
        .replace(
            "episode = { dist = \"exponential\", mean = 90.0 }",
            &format!("episode = {{ dist = \"exponential\", mean = 90.0 }}\n{case_management}"),
        )
        .replace(
            "managed_at_home = 0.75",
            &format!("managed_at_home = 0.75\n{rapid_response}"),
        );
    match iccsim::scenario::load_str(&text, "test", "test") {
        Ok(_) => panic!("accepted: {top} / {high} / {case_management} / {rapid_response}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_tier_keys_are_refused_naming_the_key_and_the_fix() {
    // `high` would lose 0.03 × 0.05 a month but receive 0.02 × 0.11.
    let message = refused("monthly_exit = 0.11", "monthly_exit = 0.05", "", "");
    assert!(
        message.contains("population.risk_tiers.high.monthly_exit")
            && message.contains("cannot keep the tier at its share")
            && message.contains("raise it to at least 0.0733"),
        "{message}"
    );
    let message = refused("monthly_exit = 1.5", "", "", "");
    assert!(
        message.contains("population.risk_tiers.very_high.monthly_exit"),
        "{message}"
    );
    let message = refused("step_up_after_admission = 0.1", "", "", "");
    assert!(
        message.contains("population.risk_tiers.very_high.step_up_after_admission")
            && message.contains("monthly_exit above 0"),
        "{message}"
    );
    let message = refused("", "", "crisis_multiplier = -1", "");
    assert!(
        message.contains("community.case_management.crisis_multiplier"),
        "{message}"
    );
    let message = refused("", "", "", "crisis_multiplier = 0.5");
    assert!(
        message.contains("community.rapid_response.crisis_multiplier")
            && message.contains("applies to community.case_management only"),
        "{message}"
    );
}
