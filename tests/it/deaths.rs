//! Deaths and where they happen (issue 23): deaths by place add up to
//! `deaths` exactly, in every group of every replication of the baseline;
//! the population's deaths at home arrive at their rate (a Poisson count)
//! and are shared among risk tiers by `mortality_multiplier`; a crisis a
//! `crisis_rate` lever prevents keeps its risk of death, so halving the
//! crises leaves the deaths as they were (they fell by half before); and
//! the deaths of avoided crises move nothing but deaths; a file without
//! the new keys compiles as before.
//!
//! Tolerances: a simulated mean over n replications is compared with its
//! exact value within 4 standard errors (Poisson, sqrt(λ / n)), and a
//! paired difference with its own standard error (the chance of a false
//! failure per check is about 6e-5).

use iccsim::experiment::ReplicationOutput;
use iccsim::model::Network;
use iccsim::report::breakdown::BreakdownSet;

use crate::common::{assert_same_records, mean, network, outputs, records, values};

/// The minimal whole-system fixture with some lines replaced (each `from`
/// must occur).
fn fixture(edits: &[(&str, &str)]) -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    let mut text = std::fs::read_to_string(path).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "the fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    text
}

fn breakdown(net: &Network, outputs: &[ReplicationOutput]) -> BreakdownSet {
    BreakdownSet::new(net, net.layout.as_ref().unwrap(), outputs)
}

pub(crate) const PLACES: [&str; 4] = [
    "deaths_in_hospital",
    "deaths_in_community_bed",
    "deaths_in_care_home",
    "deaths_at_home",
];

/// Deaths by place add up to `deaths` exactly (whole numbers) in every
/// group of every replication; the number of groups.
pub(crate) fn assert_places_add_up(set: &BreakdownSet) -> usize {
    let mut groups = 0;
    for (i, key) in set.keys.iter().enumerate() {
        if key.metric != "deaths" {
            continue;
        }
        groups += 1;
        let place = |metric: &str| {
            let j = set
                .keys
                .iter()
                .position(|k| {
                    k.metric == metric
                        && k.year == key.year
                        && k.icc == key.icc
                        && k.age_band == key.age_band
                })
                .unwrap();
            set.values[j].clone()
        };
        let places: Vec<Vec<f64>> = PLACES.iter().map(|m| place(m)).collect();
        for r in 0..set.values[i].len() {
            let sum: f64 = places.iter().map(|p| p[r]).sum();
            assert_eq!(
                sum, set.values[i][r],
                "year {}, ICC {}, band {}, replication {r}: {:?}",
                key.year, key.icc, key.age_band, places
            );
        }
    }
    groups
}

#[test]
fn deaths_by_place_add_up_to_deaths_in_every_group_of_the_baseline() {
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &["run.horizon_days=365".into(), "run.warmup_days=60".into()],
    )
    .unwrap();
    let net = network(&text);
    let set = breakdown(&net, &outputs(&net, 2, 20261207, false));
    let groups = assert_places_add_up(&set);
    // Years (all, 1) × ICCs (all + 8) × bands (all + 5).
    assert_eq!(groups, 2 * 9 * 6);
    // Every place has deaths in the whole system.
    for metric in PLACES {
        let v = values(&set, "all", "all", metric);
        assert!(v.iter().all(|x| *x > 0.0), "{metric}: {v:?}");
    }
}

#[test]
fn the_population_dies_at_home_at_its_rate_by_tier() {
    // Only the 85+ band dies, at home, 120 a year per 1,000; no care-home
    // places, so no other deaths at all.
    let text = fixture(&[
        (
            "crisis_per_1000 = 700.0",
            "crisis_per_1000 = 700.0\ndeaths_at_home_per_1000 = 120.0",
        ),
        ("residential_places = 100", "residential_places = 0"),
        ("nursing_places = 100", "nursing_places = 0"),
    ]);
    let net = network(&text);
    let n = 16;
    let set = breakdown(&net, &outputs(&net, n, 20261207, false));
    let deaths = values(&set, "all", "all", "deaths");
    let at_home = values(&set, "all", "85+", "deaths_at_home");
    assert_eq!(deaths, at_home, "no death but the population's at home");
    // 1,000 people × 120 per 1,000 a year × 730 days.
    let lambda = 1000.0 * 120.0 / 1000.0 * 730.0 / 365.25;
    let m = mean(&deaths);
    let se = (lambda / n as f64).sqrt();
    assert!(
        (m - lambda).abs() <= 4.0 * se,
        "{m} vs {lambda} (4 se = {})",
        4.0 * se
    );
    for band in ["0-17", "18-64", "65-74", "75-84"] {
        assert!(
            values(&set, "all", band, "deaths")
                .iter()
                .all(|x| *x == 0.0)
        );
    }

    // A tier of 10% dying at 3 times the band's rate carries 30% of the
    // deaths; the rest (90%) dies at (1 − 0.3) / 0.9 of the band's rate.
    let tiered = network(&fixture(&[
        (
            "crisis_per_1000 = 700.0",
            "crisis_per_1000 = 700.0\ndeaths_at_home_per_1000 = 120.0",
        ),
        (
            "elective_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
            "elective_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n[population.risk_tiers.frail]\nshare = 0.1\ncrisis_multiplier = 2.0\nmortality_multiplier = 3.0\nbands = [\"85+\"]",
        ),
    ]));
    let rate = |name: &str| {
        tiered
            .patient_types
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no type {name}"))
            .rate_per_day
    };
    let band_rate = 1000.0 * 120.0 / 1000.0 / 365.25;
    let frail = rate("death_at_home/only/85+/frail");
    let rest = rate("death_at_home/only/85+/rest");
    assert!((frail - 0.3 * band_rate).abs() < 1e-12, "{frail}");
    assert!((rest - 0.7 * band_rate).abs() < 1e-12, "{rest}");
    // Bands without the key have no such type.
    assert!(
        tiered
            .patient_types
            .iter()
            .filter(|t| t.name.starts_with("death_at_home/"))
            .count()
            == 2
    );
}

/// The fixture with deaths in hospital (adults 10%, no others), rapid
/// response, and optionally a lever halving every crisis from the start
/// and the avoided-crisis multiplier.
fn with_deaths(lever: bool, multiplier: f64) -> Network {
    let mut text = fixture(&[]).replace("in_hospital_death = 0.0", "in_hospital_death = 0.1");
    // Children and care-home residents do not die here.
    text = text.replacen("in_hospital_death = 0.1", "in_hospital_death = 0.0", 1);
    let text = text
        .replace("rapid_response_eligible = 0.0\ndirect_admission = 0.1", "rapid_response_eligible = 0.2\ndirect_admission = 0.1")
        .replace(
            "readmission_delay = { dist = \"uniform\", min = 1.0, max = 30.0 }",
            &format!("readmission_delay = {{ dist = \"uniform\", min = 1.0, max = 30.0 }}\navoided_crisis_death_multiplier = {multiplier}"),
        );
    let text = text.replacen(
        "ed_admission = 0.5\nin_hospital_death = 0.1",
        "ed_admission = 0.5\nin_hospital_death = 0.0",
        1,
    );
    let text = if lever {
        format!(
            "{text}\n[levers.half]\neffect = \"crisis_rate\"\nmultiplier = 0.5\nstart = 2025-04-01\n"
        )
    } else {
        text
    };
    network(&text)
}

#[test]
fn a_crisis_rate_lever_no_longer_prevents_deaths() {
    let n = 12;
    let seed = 20261207;
    let deaths = |lever: bool, multiplier: f64| {
        let net = with_deaths(lever, multiplier);
        let set = breakdown(&net, &outputs(&net, n, seed, false));
        (
            values(&set, "all", "all", "deaths"),
            values(&set, "all", "all", "emergency_admissions"),
        )
    };
    let (without, admissions) = deaths(false, 1.0);
    let (with, halved) = deaths(true, 1.0);
    assert!(
        mean(&halved) < 0.55 * mean(&admissions),
        "the lever halves admissions"
    );
    // Paired by replication (the kept crises are the same people).
    let differences: Vec<f64> = with.iter().zip(&without).map(|(a, b)| a - b).collect();
    let m = mean(&differences);
    let sd = (differences.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
    let se = sd / (n as f64).sqrt();
    assert!(
        m.abs() <= 4.0 * se,
        "deaths with the lever {} vs without {} (difference {m}, 4 se = {})",
        mean(&with),
        mean(&without),
        4.0 * se
    );
    assert!(
        se < 0.05 * mean(&without),
        "precise enough to see a fall of half"
    );
    // Before issue 23 (no risk kept: multiplier 0) they fell by about half.
    let (before_without, _) = deaths(false, 0.0);
    let (before_with, _) = deaths(true, 0.0);
    let ratio = mean(&before_with) / mean(&before_without);
    assert!(
        (0.45..0.56).contains(&ratio),
        "deaths fell to {ratio} of themselves"
    );
}

#[test]
fn deaths_of_avoided_crises_move_nothing_but_deaths() {
    let n = 4;
    let seed = 7;
    let kept = with_deaths(true, 1.0);
    let none = with_deaths(true, 0.0);
    // Multiplier 0: the network as before (no risk kept, nothing drawn).
    assert!(
        none.patient_types
            .iter()
            .all(|t| t.death_if_prevented == 0.0)
    );
    assert!(
        none.pathways
            .iter()
            .flatten()
            .all(|p| p.dies_at_home.is_none())
    );
    assert!(
        kept.patient_types
            .iter()
            .any(|t| t.death_if_prevented > 0.0)
    );
    assert!(
        kept.pathways
            .iter()
            .flatten()
            .any(|p| p.dies_at_home.is_some())
    );
    let a = breakdown(&kept, &outputs(&kept, n, seed, false));
    let b = breakdown(&none, &outputs(&none, n, seed, false));
    assert_eq!(a.keys.len(), b.keys.len());
    let mut more = 0.0;
    for (i, key) in a.keys.iter().enumerate() {
        if key.metric.starts_with("deaths") {
            if key.metric == "deaths"
                && key.year == "all"
                && key.icc == "all"
                && key.age_band == "all"
            {
                more = mean(&a.values[i]) - mean(&b.values[i]);
            }
            continue;
        }
        let same = a.values[i]
            .iter()
            .zip(&b.values[i])
            .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()));
        assert!(same, "{key:?}: {:?} vs {:?}", a.values[i], b.values[i]);
    }
    assert!(
        more > 0.0,
        "crises managed at home or prevented die too: {more}"
    );
}

#[test]
fn bad_death_keys_are_located_and_explained() {
    let text = fixture(&[
        (
            "crisis_per_1000 = 700.0",
            "crisis_per_1000 = 700.0\ndeaths_at_home_per_1000 = -1",
        ),
        (
            "readmission_delay = { dist = \"uniform\", min = 1.0, max = 30.0 }",
            "readmission_delay = { dist = \"uniform\", min = 1.0, max = 30.0 }\navoided_crisis_death_multiplier = 3",
        ),
        (
            "elective_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
            "elective_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n[population.risk_tiers.frail]\nshare = 0.5\ncrisis_multiplier = 1.0\nmortality_multiplier = 3.0\nbands = [\"85+\"]",
        ),
    ]);
    let error = iccsim::scenario::load_str(&text, "test", "test")
        .unwrap_err()
        .to_string();
    for expected in [
        "age_bands.\"85+\".deaths_at_home_per_1000 = -1: must be a number from 0 to 400",
        "pathways.avoided_crisis_death_multiplier = 3: must be a number from 0 to 2",
        "the tiers of band \"85+\" hold 50% of its people and 150% of its deaths at home",
    ] {
        assert!(
            error.contains(expected),
            "expected: {expected}\ngot:\n{error}"
        );
    }
}

#[test]
fn a_file_without_the_new_keys_compiles_as_before() {
    // Nobody in the fixture dies in hospital: no type of deaths at home,
    // nobody sent home at risk, no crisis whose prevention is drawn.
    let plain = network(&fixture(&[]));
    assert!(
        plain
            .patient_types
            .iter()
            .all(|t| { !t.name.starts_with("death_at_home/") && t.death_if_prevented == 0.0 })
    );
    assert!(
        plain
            .pathways
            .iter()
            .flatten()
            .all(|p| p.dies_at_home.is_none())
    );
    // The keys written at their defaults: the same run, bit for bit.
    let explicit = network(&fixture(&[
        (
            "crisis_per_1000 = 700.0",
            "crisis_per_1000 = 700.0\ndeaths_at_home_per_1000 = 0.0",
        ),
        (
            "readmission_delay = { dist = \"uniform\", min = 1.0, max = 30.0 }",
            "readmission_delay = { dist = \"uniform\", min = 1.0, max = 30.0 }\navoided_crisis_death_multiplier = 1.0",
        ),
    ]));
    assert_eq!(plain.patient_types.len(), explicit.patient_types.len());
    assert_same_records(&records(&plain, 2), &records(&explicit, 2));
}
