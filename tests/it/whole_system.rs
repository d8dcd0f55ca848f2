//! The whole-system model against known answers: Poisson counts of a
//! population's crises, growth compounding, pathway shares, arrivals per
//! care-home resident, routes of probability 0, conservation, costs, clear
//! errors for bad system files, and the north Cumbria baseline inside its
//! calibration bands.
//!
//! Tolerances: a simulated mean over n replications is compared with its
//! exact value within 4 standard errors, the standard error being the
//! Poisson one, sqrt(λ / n), for counts (the chance of a false failure per
//! check is about 6e-5).

use std::path::Path;

use iccsim::experiment::{Plan, ReplicationOutput, run};
use iccsim::model::Network;
use iccsim::model::system::{DEFAULT_AGE_BANDS, DemandKind};
use iccsim::report::breakdown::BreakdownSet;
use iccsim::report::calibration;
use iccsim::scenario::{default_network, load_str};

use crate::common::{mean, values};

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    std::fs::read_to_string(path).unwrap()
}

/// The fixture with some lines replaced (each `from` must occur).
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = fixture();
    for (from, to) in edits {
        assert!(text.contains(from), "the fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    text
}

fn network(text: &str) -> Network {
    load_str(text, "test", "test").unwrap_or_else(|e| panic!("{e}"))
}

fn simulate(network: &Network, replications: u64) -> Vec<ReplicationOutput> {
    let plan = Plan {
        seed: 20261123,
        replications: 0..replications,
        threads: None,
        keep_episodes: false,
    };
    run(network, &plan).unwrap()
}

/// |mean − λ| within 4 Poisson standard errors of a mean of n counts.
fn assert_poisson_mean(what: &str, simulated: &[f64], lambda: f64) {
    let se = (lambda / simulated.len() as f64).sqrt();
    let m = mean(simulated);
    assert!(
        (m - lambda).abs() <= 4.0 * se,
        "{what}: simulated mean {m} vs exact {lambda} (4 se = {})",
        4.0 * se
    );
}

const POPULATION: [f64; 5] = [10000.0, 30000.0, 6000.0, 3000.0, 1000.0];
const CRISES_PER_1000: [f64; 5] = [200.0, 300.0, 400.0, 500.0, 700.0];
/// Window year 1 from 2025-04-01 has 365 days; rates are per 365.25.
const YEAR_1: f64 = 365.0 / 365.25;

#[test]
fn a_cohort_with_a_constant_rate_gives_poisson_counts() {
    let net = network(&fixture());
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 16);
    let set = BreakdownSet::new(&net, layout, &outputs);
    for (b, band) in DEFAULT_AGE_BANDS.iter().enumerate() {
        let mut lambda = POPULATION[b] * CRISES_PER_1000[b] / 1000.0 * YEAR_1;
        if *band == "85+" {
            // Care-home residents are counted at 85+: 200 places full, 2
            // crises per resident-year, nearly nobody leaving (stays of
            // 70,000 days: P(leave within a year) ≈ 0.5%).
            lambda += 200.0 * 2.0 * YEAR_1 * (1.0 - 0.0026);
        }
        let crises = values(&set, "1", band, "crises");
        assert_poisson_mean(&format!("crises {band}"), &crises, lambda);
        // Across replications the counts vary as a Poisson count does:
        // variance / mean is 1 (chi-square with 15 df: 99.9% inside 0.25 to 2.6).
        let m = mean(&crises);
        let variance = crises.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 15.0;
        assert!(
            (0.25..2.6).contains(&(variance / lambda)),
            "{band}: dispersion {}",
            variance / lambda
        );
    }
}

#[test]
fn emergency_admissions_follow_the_pathway_shares() {
    let net = network(&fixture());
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 8);
    let set = BreakdownSet::new(&net, layout, &outputs);
    // Crisis → direct admission, or ED → admitted (the day unit here
    // admits nobody): P(admitted) = direct + (1 − direct) × ed_admission.
    let direct = [0.0, 0.1, 0.1, 0.1, 0.1];
    let ed = [0.1, 0.2, 0.4, 0.45, 0.5];
    for b in 0..5 {
        let crises = POPULATION[b] * CRISES_PER_1000[b] / 1000.0 * YEAR_1;
        let mut lambda = crises * (direct[b] + (1.0 - direct[b]) * ed[b]);
        if b == 4 {
            lambda += 200.0 * 2.0 * YEAR_1 * 0.5;
        }
        let admissions = values(&set, "1", DEFAULT_AGE_BANDS[b], "emergency_admissions");
        assert_poisson_mean(
            &format!("admissions {}", DEFAULT_AGE_BANDS[b]),
            &admissions,
            lambda,
        );
    }
}

#[test]
fn growth_compounds_each_year() {
    let text = edited(&[
        ("\"85+\" = 0.0 }", "\"85+\" = 0.10 }"),
        ("horizon_days = 730", "horizon_days = 1096"),
    ]);
    let net = network(&text);
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 8);
    let set = BreakdownSet::new(&net, layout, &outputs);
    for year in 1..=3 {
        let factor = 1.1f64.powi(year - 1);
        let days = if year == 3 { 366.0 } else { 365.0 }; // 2028 is a leap year
        // Population grows exactly as specified.
        let population = values(&set, &year.to_string(), "85+", "population");
        assert!(
            (population[0] - 1000.0 * factor).abs() < 1e-6,
            "{population:?}"
        );
        // Crises of people at home grow with it (care-home crises do not).
        let at_home: Vec<f64> = outputs
            .iter()
            .map(|o| {
                layout
                    .cohorts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.age_band == 4 && c.kind == DemandKind::Crisis)
                    .map(|(t, _)| o.result.ledger.entries(t, year as usize - 1) as f64)
                    .sum()
            })
            .collect();
        let lambda = 1000.0 * 0.7 * factor * days / 365.25;
        assert_poisson_mean(
            &format!("85+ crises at home, year {year}"),
            &at_home,
            lambda,
        );
    }
}

#[test]
fn arrivals_per_resident_follow_care_home_occupancy() {
    // Half-full homes: half the crises of full ones.
    for (occupancy, residents) in [("1.0", 200.0), ("0.5", 100.0)] {
        let text = edited(&[(
            "occupancy_at_start = 1.0",
            &format!("occupancy_at_start = {occupancy}"),
        )]);
        let net = network(&text);
        let layout = net.layout.as_ref().unwrap();
        let outputs = simulate(&net, 8);
        let crises: Vec<f64> = outputs
            .iter()
            .map(|o| {
                layout
                    .cohorts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.kind == DemandKind::CareHomeCrisis)
                    .map(|(t, _)| (0..2).map(|y| o.result.ledger.entries(t, y)).sum::<u64>() as f64)
                    .sum()
            })
            .collect();
        // 2 crises per resident-year over 730 days; residents leave at
        // most 1% of the time over two years.
        let lambda = residents * 2.0 * 730.0 / 365.25 * (1.0 - 0.0052);
        assert_poisson_mean(&format!("care-home crises at {occupancy}"), &crises, lambda);
    }
}

#[test]
fn a_route_of_probability_zero_is_never_taken() {
    let net = network(&fixture());
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 4);
    let set = BreakdownSet::new(&net, layout, &outputs);
    for metric in [
        "rapid_response_episodes",
        "reablement_episodes",
        "community_bed_admissions",
        "care_home_admissions_from_hospital",
        "care_home_admissions_from_community",
        "readmissions",
        "case_management_episodes",
        "deaths_in_hospital",
    ] {
        let v = values(&set, "all", "all", metric);
        assert!(v.iter().all(|x| *x == 0.0), "{metric}: {v:?}");
    }
    // The same routes with a share above 0 are taken.
    let text = edited(&[
        (
            "rapid_response_eligible = 0.0\ndirect_admission = 0.1\ned_to_day_unit = 0.05\ned_admission = 0.5",
            "rapid_response_eligible = 0.2\ndirect_admission = 0.1\ned_to_day_unit = 0.05\ned_admission = 0.5",
        ),
        (
            "in_hospital_death = 0.0\ndischarge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[pathways]",
            "in_hospital_death = 0.1\ndischarge = { home = 0.4, reablement = 0.2, community_bed = 0.2, care_home = 0.2 }\nreadmission_30d = 0.1\n\n[pathways]",
        ),
    ]);
    let net = network(&text);
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 2);
    let set = BreakdownSet::new(&net, layout, &outputs);
    for metric in [
        "rapid_response_episodes",
        "reablement_episodes",
        "community_bed_admissions",
        "care_home_admissions_from_hospital",
        "readmissions",
        "deaths_in_hospital",
    ] {
        let v = values(&set, "all", "85+", metric);
        assert!(v.iter().all(|x| *x > 0.0), "{metric}: {v:?}");
    }
}

/// Every pathway on: rapid response, every discharge route, deaths,
/// readmissions, tiers with case management, care-home placements.
fn busy_system() -> String {
    let busy_band = "rapid_response_eligible = 0.1\ndirect_admission = 0.1\ned_to_day_unit = 0.05\ned_admission = 0.4\nother_provider = 0.1\nzero_day_share = 0.3\novernight_stay = { dist = \"exponential\", mean = 6.0 }\nelective_stay = { dist = \"exponential\", mean = 4.0 }\nin_hospital_death = 0.05\ndischarge = { home = 0.6, reablement = 0.2, community_bed = 0.1, care_home = 0.1 }\nreadmission_30d = 0.1\ncare_home_placements_per_1000 = 10.0";
    let mut text = edited(&[
        ("residential_places = 100", "residential_places = 60"),
        ("community_beds = 100", "community_beds = 12"),
        ("occupancy_at_start = 1.0", "occupancy_at_start = 0.9"),
        (
            "discharge_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
            "discharge_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.4]",
        ),
        (
            "arranging = {}",
            "arranging = { home = { dist = \"exponential\", mean = 0.5 }, care_home = { dist = \"exponential\", mean = 5.0 } }",
        ),
        (
            "residential_stay = { dist = \"fixed\", value = 70000.0 }",
            "residential_stay = { dist = \"lognormal\", mean = 300.0, sd = 400.0 }",
        ),
    ]);
    text.push_str("\n[population.risk_tiers.top]\nshare = 0.05\ncrisis_multiplier = 4.0\nbands = [\"75-84\", \"85+\"]\ncase_management_referrals_per_1000 = 300\n");
    let start = text.find("[age_bands.\"85+\"]").unwrap();
    let end = text.find("[pathways]").unwrap();
    text.replace_range(start..end, &format!("[age_bands.\"85+\"]\ncrisis_per_1000 = 700.0\nelective_per_1000 = 30.0\n{busy_band}\n\n"));
    text
}

#[test]
fn people_are_conserved_and_the_ledger_adds_up() {
    let text = busy_system();
    let net = network(&text);
    let outputs = simulate(&net, 3);
    for o in &outputs {
        let s = &o.result.system;
        assert_eq!(
            s.entered_total,
            s.left_total + s.lost_total + s.in_system_at_end
        );
        let ledger = &o.result.ledger;
        for (si, service) in net.services.iter().enumerate() {
            let (mut admissions, mut place_days, mut delayed) = (0u64, 0.0, 0.0);
            for t in 0..net.patient_types.len() {
                for y in 0..ledger.years {
                    if let Some(cell) = ledger.cell(t, si, y) {
                        admissions += cell.admissions;
                        place_days += cell.place_days;
                        delayed += cell.delayed_days;
                    }
                }
            }
            let result = &o.result.services[si];
            let levels = result.levels.as_ref().unwrap();
            assert_eq!(admissions, result.counters.admissions, "{}", service.name);
            let area = levels.occupancy_mean * o.result.horizon_days;
            assert!(
                (place_days - area).abs() <= 1e-6 * area.max(1.0),
                "{}: {place_days} vs {area}",
                service.name
            );
            assert!(
                (delayed - levels.delayed_days()).abs() <= 1e-6 * delayed.max(1.0),
                "{}: {delayed} vs {}",
                service.name,
                levels.delayed_days()
            );
        }
    }
    // Everything in the busy system happened.
    let layout = net.layout.as_ref().unwrap();
    let set = BreakdownSet::new(&net, layout, &outputs);
    for metric in [
        "rapid_response_episodes",
        "case_management_episodes",
        "care_home_admissions_from_community",
        "care_home_admissions_from_hospital",
        "acute_delayed_bed_days",
        "care_home_resident_deaths",
    ] {
        assert!(
            values(&set, "all", "all", metric).iter().all(|x| *x > 0.0),
            "{metric}"
        );
    }
}

#[test]
fn costs_are_unit_costs_times_activity() {
    let text = busy_system();
    let net = network(&text);
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 2);
    let set = BreakdownSet::new(&net, layout, &outputs);
    let v = |metric: &str| values(&set, "all", "all", metric);
    // Primary care: people × appointments × £45, year by year (365, 365 days).
    let appointments = [3.0, 4.0, 6.0, 8.0, 10.0];
    let gp: f64 = (0..5)
        .map(|b| POPULATION[b] * appointments[b] * 45.0 * 730.0 / 365.25)
        .sum();
    assert!((v("cost_primary_care")[0] - gp).abs() < 1e-6 * gp);
    // Social care: care-home place-days × weekly fee / 7.
    for (r, o) in outputs.iter().enumerate() {
        let mut expected = 0.0;
        for (si, service) in net.services.iter().enumerate() {
            let weekly = if service.name.starts_with("residential_") {
                1200.0
            } else if service.name.starts_with("nursing_") {
                1567.0
            } else {
                continue;
            };
            expected += o.result.services[si]
                .levels
                .as_ref()
                .unwrap()
                .occupancy_mean
                * o.result.horizon_days
                * weekly
                / 7.0;
        }
        let cost = v("cost_social_care")[r];
        assert!(
            (cost - expected).abs() < 1e-6 * expected,
            "{cost} vs {expected}"
        );
    }
    let total = v("cost_total");
    let parts: Vec<f64> = (0..2)
        .map(|r| {
            [
                "cost_acute",
                "cost_community",
                "cost_primary_care",
                "cost_social_care",
            ]
            .iter()
            .map(|m| v(m)[r])
            .sum()
        })
        .collect();
    assert!((total[0] - parts[0]).abs() < 1e-6 * total[0]);
}

#[test]
fn bad_system_files_get_located_messages() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[(
                "discharge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[age_bands.\"65-74\"]",
                "discharge = { home = 0.9, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[age_bands.\"65-74\"]",
            )],
            "age_bands.\"18-64\".discharge = 0.9: the shares must add up to 1",
        ),
        (
            &[("site = \"general\"", "site = \"genral\"")],
            "iccs.only.site = \"genral\": is not a site (did you mean `general`?)",
        ),
        (
            &[("\"85+\" = 1000 }", "\"85 +\" = 1000 }")],
            "iccs.only.population.85 +: is not an age band (did you mean `85+`?)",
        ),
        (
            &[(
                "[age_bands.\"0-17\"]\ncrisis_per_1000 = 200.0\nelective_per_1000 = 0.0\nrapid_response_eligible = 0.0\ndirect_admission = 0.0\ned_to_day_unit = 0.0",
                "[age_bands.\"0-17\"]\ncrisis_per_1000 = 200.0\nelective_per_1000 = 0.0\nrapid_response_eligible = 0.0\ndirect_admission = 0.0\ned_to_day_unit = 0.1",
            )],
            "age_bands.\"0-17\".ed_to_day_unit = 0.1: must be 0 for children",
        ),
        (
            &[("ed_admission = 0.2", "ed_admission = 1.2")],
            "age_bands.\"18-64\".ed_admission = 1.2: must be a number from 0 to 1 (probability)",
        ),
        (
            &[
                ("community_beds = 100", "community_beds = 0"),
                (
                    "discharge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[pathways]",
                    "discharge = { home = 0.9, reablement = 0.0, community_bed = 0.1, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[pathways]",
                ),
            ],
            "iccs.only.community_beds = 0: patients are discharged to community beds",
        ),
        (
            &[(
                "[costs]\nprice_year = \"2023/24\"\n",
                "[costs]\nprice_year = \"2023/24\"\nbed_day = 3\n",
            )],
            "costs.bed_day: unknown key `bed_day`; valid keys here: `price_year`",
        ),
        (
            &[("[care_homes]", "[care_home]")],
            "care_home: unknown key (did you mean `care_homes`?)",
        ),
    ];
    for (edits, expected) in cases {
        let text = edited(edits);
        let error = match load_str(&text, "test", "test") {
            Ok(_) => panic!("accepted: {edits:?}"),
            Err(e) => e.to_string(),
        };
        assert!(
            error.contains(expected),
            "expected: {expected}\ngot:\n{error}"
        );
    }
    // A whole-system file cannot also write the network by hand.
    let text = format!("{}\n[services.extra]\ncapacity = 1\n", fixture());
    let error = load_str(&text, "test", "test").unwrap_err().to_string();
    assert!(
        error.contains("services: a whole-system scenario"),
        "{error}"
    );
}

#[test]
fn the_baseline_reproduces_its_calibration_targets() {
    // The targets are of the first year; a one-year run simulates it in a
    // fifth of the time (statistically the same first year: the arrival
    // thinning bound depends on the horizon, so not arrival for arrival).
    let mut net = default_network().unwrap();
    net.run.horizon_days = 366.0;
    let layout = net.layout.clone().unwrap();
    assert!(layout.targets.len() >= 14);
    let outputs = simulate(&net, 4);
    let set = BreakdownSet::new(&net, &layout, &outputs);
    let rows = calibration::evaluate(&layout, &set, net.run.horizon_days);
    let missed: Vec<String> = rows
        .iter()
        .filter(|r| !r.within())
        .map(|r| {
            format!(
                "{}: {} not in {}..{}",
                r.target.name, r.simulated.mean, r.target.low, r.target.high
            )
        })
        .collect();
    assert!(missed.is_empty(), "{}", missed.join("\n"));
}

#[test]
fn every_output_is_documented() {
    use iccsim::model::metrics::{BREAKDOWN_METRICS, SITE_METRICS};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/whole-system.md");
    let docs = std::fs::read_to_string(path).unwrap();
    for metric in BREAKDOWN_METRICS.iter().chain(SITE_METRICS) {
        assert!(
            docs.contains(&format!("`{}`", metric.name)),
            "{} is not in docs/whole-system.md",
            metric.name
        );
    }
}

#[test]
fn a_risk_tier_carries_its_own_rate_and_stay() {
    // Half of the 85+ band in a tier with 1.5× the band's crisis rate and
    // twice its overnight stay; the other half then gets (1 − 0.5 × 1.5) /
    // 0.5 = 0.5× so that the band's mean rate is kept.
    let mut text = fixture();
    text.push_str("\n[population.risk_tiers.frail]\nshare = 0.5\ncrisis_multiplier = 1.5\nbands = [\"85+\"]\nlos_multiplier = 2.0\n");
    let net = network(&text);
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 8);
    let acute = net.service_id("acute_general").unwrap().index();
    let (mut frail, mut rest) = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0));
    for o in &outputs {
        for (t, cohort) in layout.cohorts.iter().enumerate() {
            if cohort.age_band != 4 || cohort.kind != DemandKind::Crisis {
                continue;
            }
            let sums = if cohort.tier == "frail" {
                &mut frail
            } else {
                &mut rest
            };
            for y in 0..2 {
                sums.0 += o.result.ledger.entries(t, y) as f64;
                let cell = o.result.ledger.cell(t, acute, y).unwrap();
                sums.1 += cell.los_sum;
                sums.2 += cell.departures as f64;
            }
        }
    }
    // Crises: 500 people × 0.7 × 1.5 and × 0.5 a year, over 730 days, 8 replications.
    let years = 730.0 / 365.25;
    for (what, count, lambda) in [
        ("frail", frail.0, 500.0 * 0.7 * 1.5 * years * 8.0),
        ("rest", rest.0, 500.0 * 0.7 * 0.5 * years * 8.0),
    ] {
        assert!(
            (count - lambda).abs() <= 4.0 * lambda.sqrt(),
            "{what}: {count} vs {lambda}"
        );
    }
    // Stays: 20% same-day (0.5 days), else exponential, mean 10 (rest) or 20 (frail).
    for (what, sums, mean) in [
        ("frail", frail, 0.1 + 0.8 * 20.0),
        ("rest", rest, 0.1 + 0.8 * 10.0),
    ] {
        let simulated = sums.1 / sums.2;
        // sd of the mixture is below 1.3 × its mean; 4 standard errors.
        let se = 1.3 * mean / sums.2.sqrt();
        assert!(
            (simulated - mean).abs() <= 4.0 * se,
            "{what}: LOS {simulated} vs {mean}"
        );
    }
}

#[test]
fn children_and_care_homes_are_checked_against_their_services() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[(
                "[age_bands.\"0-17\"]\ncrisis_per_1000 = 200.0\nelective_per_1000 = 0.0\nrapid_response_eligible = 0.0",
                "[age_bands.\"0-17\"]\ncrisis_per_1000 = 200.0\nelective_per_1000 = 5.0\nrapid_response_eligible = 0.1",
            )],
            "age_bands.\"0-17\".rapid_response_eligible = 0.1: must be 0 for children: rapid response is an adult community service",
        ),
        (
            &[(
                "[age_bands.\"0-17\"]\ncrisis_per_1000 = 200.0\nelective_per_1000 = 0.0",
                "[age_bands.\"0-17\"]\ncrisis_per_1000 = 200.0\nelective_per_1000 = 5.0",
            )],
            "age_bands.\"0-17\".elective_per_1000 = 5: must be 0 for children",
        ),
        (
            &[(
                "discharge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[age_bands.\"18-64\"]",
                "discharge = { home = 0.8, reablement = 0.0, community_bed = 0.0, care_home = 0.2 }\nreadmission_30d = 0.0\n\n[age_bands.\"18-64\"]",
            )],
            "age_bands.\"0-17\".discharge.care_home = 0.2: must be 0 for children",
        ),
        (
            &[(
                "ed_admission = 0.5\nin_hospital_death = 0.0",
                "ed_admission = 0.98\nin_hospital_death = 0.0",
            )],
            "care_homes.ed_admission = 0.98: with age_bands.\"85+\".ed_to_day_unit (0.05) it is more than every attendance",
        ),
    ];
    for (edits, expected) in cases {
        let error = load_str(&edited(edits), "test", "test")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(expected),
            "expected: {expected}\ngot:\n{error}"
        );
    }
    // Targets: a year the window does not have, a band listed twice.
    let text = format!(
        "{}\n[[calibration.targets]]\nname = \"x\"\nmetric = \"crises\"\nage_bands = [\"85+\", \"85+\"]\nyear = 3\nobserved = 1\nlow = 0\nhigh = 2\nsource = \"test\"\n",
        fixture()
    );
    let error = load_str(&text, "test", "test").unwrap_err().to_string();
    assert!(
        error.contains("calibration.targets[0].age_bands[1] = \"85+\": is listed twice"),
        "{error}"
    );
    assert!(
        error
            .contains("calibration.targets[0].year = 3: must be a year of the window, from 1 to 2"),
        "{error}"
    );
    // Whole-system sections in a network written by hand are refused.
    let network = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/examples/single-ward.toml"),
    )
    .unwrap();
    let error = load_str(
        &format!("{network}\n[costs]\nprice_year = \"2023/24\"\n"),
        "test",
        "test",
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("costs: belongs to whole-system scenarios"),
        "{error}"
    );
}

#[test]
fn residents_who_die_in_hospital_are_counted_once() {
    // Half of the admitted residents die in hospital; their care-home stays
    // (70,000 days) end in death later, which is when `deaths` counts them.
    let net = network(&edited(&[(
        "ed_admission = 0.5\nin_hospital_death = 0.0",
        "ed_admission = 0.5\nin_hospital_death = 0.5",
    )]));
    let layout = net.layout.as_ref().unwrap();
    let outputs = simulate(&net, 2);
    let set = BreakdownSet::new(&net, layout, &outputs);
    let in_hospital = values(&set, "all", "all", "deaths_in_hospital");
    let deaths = values(&set, "all", "all", "deaths");
    let residents = values(&set, "all", "all", "care_home_resident_deaths");
    for r in 0..2 {
        // ≈ 200 residents × 2 attendances × 0.5 admitted × 0.5 dying × 2 years.
        assert!(in_hospital[r] > 150.0, "{in_hospital:?}");
        assert_eq!(
            deaths[r], residents[r],
            "only care-home stays end in death here"
        );
    }
}
