//! Age bands of the scenario's choosing (`[population] age_bands`) and the
//! per-ICC demand keys (`[iccs.X] crisis_multiplier`, `elective_multiplier`,
//! `growth_per_year`), against known answers.
//!
//! Tolerances: a simulated mean over n replications is compared with its
//! exact value within 4 Poisson standard errors, sqrt(λ / n) (the chance
//! of a false failure per check is about 6e-5).

use std::path::Path;

use iccsim::model::Network;
use iccsim::model::system::DemandKind;
use iccsim::report::breakdown::BreakdownSet;
use iccsim::scenario::load_str;

use crate::common::{mean, network, outputs, values};

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/system")
        .join(name);
    std::fs::read_to_string(path).unwrap()
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

/// Window year 1 from 2025-04-01 has 365 days; rates are per 365.25.
const YEAR_1: f64 = 365.0 / 365.25;

#[test]
fn four_bands_of_the_scenarios_choosing_give_population_times_rate() {
    let net = network(&fixture("four-bands.toml"));
    let layout = net.layout.as_ref().unwrap();
    assert_eq!(layout.age_bands.names(), ["0-17", "18-64", "65-79", "80+"]);
    let runs = outputs(&net, 16, 20261207, false);
    let set = BreakdownSet::new(&net, layout, &runs);
    let people = [10000.0, 30000.0, 7800.0, 2200.0];
    let per_1000 = [200.0, 300.0, 423.0, 591.0];
    for (b, band) in ["0-17", "18-64", "65-79", "80+"].iter().enumerate() {
        let mut lambda = people[b] * per_1000[b] / 1000.0 * YEAR_1;
        if *band == "80+" {
            // Care-home residents are counted in the oldest band: 200
            // places full, 2 crises per resident-year, nearly nobody
            // leaving (stays of 70,000 days: P(leave within a year) ≈ 0.5%).
            lambda += 200.0 * 2.0 * YEAR_1 * (1.0 - 0.0026);
        }
        assert_poisson_mean(
            &format!("crises {band}"),
            &values(&set, "1", band, "crises"),
            lambda,
        );
        let population = values(&set, "1", band, "population");
        assert!(
            (population[0] - people[b]).abs() < 1e-9,
            "{band}: {population:?}"
        );
    }
    // No output names a band the scenario does not have.
    assert!(
        set.keys
            .iter()
            .all(|k| ["all", "0-17", "18-64", "65-79", "80+"].contains(&k.age_band.as_str()))
    );
}

#[test]
fn bands_with_a_gap_an_overlap_or_a_bad_name_are_refused() {
    let text = fixture("four-bands.toml");
    let line = "age_bands = [\"0-17\", \"18-64\", \"65-79\", \"80+\"]";
    assert!(text.contains(line));
    let cases = [
        (
            "[\"0-17\", \"19-64\", \"65-79\", \"80+\"]",
            "population.age_bands[1] = \"19-64\": leaves a gap: after \"0-17\" the next band starts at 18; bands are \"A-B\" (ages A to B) or, last, \"A+\", contiguous from 0",
        ),
        (
            "[\"0-17\", \"17-64\", \"65-79\", \"80+\"]",
            "population.age_bands[1] = \"17-64\": leaves an overlap: after \"0-17\" the next band starts at 18",
        ),
        (
            "[\"5-17\", \"18-64\", \"65-79\", \"80+\"]",
            "population.age_bands[0] = \"5-17\": leaves a gap: the first band starts at 0",
        ),
        (
            "[\"0-17\", \"18-64\", \"65-79\", \"80-99\"]",
            "population.age_bands[3] = \"80-99\": is the oldest band, which must be open-ended (\"80+\")",
        ),
        (
            "[\"0-17\", \"18+\", \"65-79\", \"80+\"]",
            "population.age_bands[1] = \"18+\": is open-ended but not the last band",
        ),
        (
            "[\"0-17\", \"18 to 64\", \"65-79\", \"80+\"]",
            "population.age_bands[1] = \"18 to 64\": is not a band",
        ),
        (
            "[\"0+\"]",
            "population.age_bands = [\"0+\"]: needs at least 2 bands",
        ),
    ];
    for (bands, expected) in cases {
        let edited = text.replacen(line, &format!("age_bands = {bands}"), 1);
        let error = match load_str(&edited, "test", "test") {
            Ok(_) => panic!("accepted: {bands}"),
            Err(e) => e.to_string(),
        };
        assert!(
            error.contains(expected),
            "expected: {expected}\ngot:\n{error}"
        );
    }
    // A table naming a band of the default, not of the scenario's.
    let edited = text.replacen("\"80+\" = 2200 }", "\"85+\" = 2200 }", 1);
    let error = load_str(&edited, "test", "test").unwrap_err().to_string();
    let expected = "iccs.only.population.85+: is not an age band (did you mean `80+`?); the bands are `0-17`, `18-64`, `65-79`, `80+`";
    assert!(
        error.contains(expected),
        "expected: {expected}\ngot:\n{error}"
    );
    // A band with no table of its own.
    let edited = text.replacen("[age_bands.\"80+\"]", "[age_bands.\"85+\"]", 1);
    let error = load_str(&edited, "test", "test").unwrap_err().to_string();
    for expected in [
        "age_bands.\"85+\": is not an age band (did you mean `80+`?)",
        "age_bands: needs every age band; add [age_bands.\"80+\"]",
    ] {
        assert!(
            error.contains(expected),
            "expected: {expected}\ngot:\n{error}"
        );
    }
}

/// minimal.toml with a second ICC, `twin`, the same as `only` but for the
/// keys added to it.
fn with_twin(keys: &str, edits: &[(&str, &str)]) -> Network {
    let mut text = fixture("minimal.toml");
    for (from, to) in edits {
        assert!(text.contains(from), "the fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    let start = text.find("[iccs.only]").unwrap();
    let end = text.find("[sites.general]").unwrap();
    let twin = text[start..end].replace("[iccs.only]", &format!("[iccs.twin]\n{keys}"));
    text.insert_str(end, &twin);
    network(&text)
}

/// Entries of one kind of demand of an ICC (and band, if given) in a
/// window year, per replication.
fn entries(
    net: &Network,
    runs: &[iccsim::experiment::ReplicationOutput],
    icc: &str,
    band: Option<&str>,
    kind: DemandKind,
    year: usize,
) -> Vec<f64> {
    let layout = net.layout.as_ref().unwrap();
    let i = layout.iccs.iter().position(|n| n == icc).unwrap();
    let b = band.map(|b| layout.age_bands.position(b).unwrap());
    runs.iter()
        .map(|o| {
            layout
                .cohorts
                .iter()
                .enumerate()
                .filter(|(_, c)| c.icc == i && c.kind == kind && b.is_none_or(|b| c.age_band == b))
                .map(|(t, _)| o.result.ledger.entries(t, year) as f64)
                .sum()
        })
        .collect()
}

#[test]
fn an_icc_with_crisis_multiplier_2_sees_twice_the_crises() {
    let net = with_twin("crisis_multiplier = 2.0\nelective_multiplier = 0.5", &[]);
    let runs = outputs(&net, 8, 20261207, false);
    // Crises at home a year: Σ people × rate = 2,000 + 9,000 + 2,400 +
    // 1,500 + 700; electives 600 + 240 + 120 + 30.
    let crises = 15_600.0 * YEAR_1;
    let electives = 990.0 * YEAR_1;
    let only = entries(&net, &runs, "only", None, DemandKind::Crisis, 0);
    let twin = entries(&net, &runs, "twin", None, DemandKind::Crisis, 0);
    assert_poisson_mean("crises of only", &only, crises);
    assert_poisson_mean("crises of twin", &twin, 2.0 * crises);
    // The ratio of the means: its se is 2 √(1/(8 λ) + 1/(16 λ)) ≈ 0.0069.
    let ratio = mean(&twin) / mean(&only);
    assert!((ratio - 2.0).abs() < 4.0 * 0.0069, "ratio {ratio}");
    // Crises only: care-home residents' (per resident) are not changed.
    let homes = |icc| entries(&net, &runs, icc, None, DemandKind::CareHomeCrisis, 0);
    assert_poisson_mean(
        "care-home crises of twin",
        &homes("twin"),
        mean(&homes("only")),
    );
    let elective = |icc| entries(&net, &runs, icc, None, DemandKind::Elective, 0);
    assert_poisson_mean("electives of only", &elective("only"), electives);
    assert_poisson_mean("electives of twin", &elective("twin"), 0.5 * electives);
}

#[test]
fn an_icc_growth_override_moves_that_iccs_population_and_arrivals() {
    let net = with_twin(
        "growth_per_year = { \"85+\" = 0.10 }",
        &[("horizon_days = 730", "horizon_days = 1096")],
    );
    let layout = net.layout.as_ref().unwrap();
    let runs = outputs(&net, 8, 20261207, false);
    let set = BreakdownSet::new(&net, layout, &runs);
    let of = |icc: &str, year: &str, band: &str, metric: &str| {
        let i = set
            .keys
            .iter()
            .position(|k| {
                k.year == year && k.icc == icc && k.age_band == band && k.metric == metric
            })
            .unwrap();
        set.values[i].clone()
    };
    for year in 1..=3 {
        let factor = 1.1f64.powi(year - 1);
        let label = year.to_string();
        // The twin's 85+ grow at 10% a year; the other bands, and every
        // band of `only`, keep the population's 0.
        assert!((of("twin", &label, "85+", "population")[0] - 1000.0 * factor).abs() < 1e-6);
        assert!((of("only", &label, "85+", "population")[0] - 1000.0).abs() < 1e-6);
        assert!((of("twin", &label, "75-84", "population")[0] - 3000.0).abs() < 1e-6);
        let days = if year == 3 { 366.0 } else { 365.0 }; // 2028 is a leap year
        let y = year as usize - 1;
        let at_home = |icc| entries(&net, &runs, icc, Some("85+"), DemandKind::Crisis, y);
        let lambda = 1000.0 * 0.7 * days / 365.25;
        assert_poisson_mean(
            &format!("twin 85+, year {year}"),
            &at_home("twin"),
            lambda * factor,
        );
        assert_poisson_mean(&format!("only 85+, year {year}"), &at_home("only"), lambda);
    }
}

/// The schema takes a file with bands of its own and the ICC keys, and
/// refuses a per-band key that is not spelt as a band.
#[test]
fn the_schema_takes_any_bands_and_the_icc_keys() {
    let text =
        String::from_utf8(crate::common::succeed(crate::common::iccsim().arg("schema")).stdout)
            .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let mut file = fixture("four-bands.toml");
    file = file.replacen(
        "[iccs.only]\n",
        "[iccs.only]\ncrisis_multiplier = 1.15\nelective_multiplier = 0.9\ngrowth_per_year = { \"80+\" = 0.02 }\n",
        1,
    );
    let document: toml::Table = file.parse().unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&serde_json::to_value(&document).unwrap())
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let bad: toml::Table = file
        .replacen("\"80+\" = 2200", "\"80 and over\" = 2200", 1)
        .parse()
        .unwrap();
    assert!(!validator.is_valid(&serde_json::to_value(&bad).unwrap()));
}
