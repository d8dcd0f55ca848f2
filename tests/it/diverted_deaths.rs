//! People a `care_home_discharge` lever keeps out of a care home carry its
//! risk of death home (issue 23): in a fixture where the only deaths are
//! care-home stays ending, a lever sending every care-home discharge home
//! (or to reablement) leaves the deaths as they were, now at home; with
//! `diverted_from_care_home_death_multiplier = 0` the diverted never die
//! (the old behaviour) and nothing is marked; deaths by place add up to
//! `deaths` in every group; a file without levers, or with the key at its
//! default, runs as before bit for bit.
//!
//! Tolerance: the deaths with and without the lever, paired by
//! replication (the same crises, admitted and discharged at the same
//! times), differ by chance only in who is diverted (a draw of their own)
//! and when they die; the mean difference is checked against 4 of its
//! standard errors (sample sd / √n; a false failure per check about 6e-5),
//! and the standard error against 5% of the deaths, so that a mechanism
//! losing the diverted's deaths (they fell to nothing before) cannot pass.

use iccsim::experiment::ReplicationOutput;
use iccsim::model::Network;
use iccsim::report::breakdown::BreakdownSet;

use crate::common::mean;
use crate::common::{assert_same_records, network, outputs, records, values};
use crate::deaths::assert_places_add_up;

/// The minimal whole-system fixture where the 85+ leave hospital for a
/// care home 30% of the time (ample places, none at the start), stay 180
/// days on average and die there; nobody else dies. `lever` appends a
/// `care_home_discharge` lever to `to` at ×0 (everyone) from the start;
/// `multiplier` is `diverted_from_care_home_death_multiplier` (None: left
/// out).
fn fixture(lever: Option<&str>, multiplier: Option<f64>) -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    let mut text = std::fs::read_to_string(path).unwrap();
    let mut edit = |from: &str, to: &str| {
        assert!(text.contains(from), "the fixture has no `{from}`");
        text = text.replacen(from, to, 1);
    };
    // The 85+ band is the last with this discharge line.
    let discharge = "discharge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[pathways]";
    edit(
        discharge,
        "discharge = { home = 0.7, reablement = 0.0, community_bed = 0.0, care_home = 0.3 }\nreadmission_30d = 0.0\n\n[pathways]",
    );
    edit("residential_places = 100", "residential_places = 3000");
    edit("nursing_places = 100", "nursing_places = 3000");
    edit(
        "residential_stay = { dist = \"fixed\", value = 70000.0 }",
        "residential_stay = { dist = \"exponential\", mean = 180.0 }",
    );
    edit(
        "nursing_stay = { dist = \"fixed\", value = 70000.0 }",
        "nursing_stay = { dist = \"exponential\", mean = 180.0 }",
    );
    edit("occupancy_at_start = 1.0", "occupancy_at_start = 0.0");
    if let Some(m) = multiplier {
        edit(
            "readmission_delay = { dist = \"uniform\", min = 1.0, max = 30.0 }",
            &format!(
                "readmission_delay = {{ dist = \"uniform\", min = 1.0, max = 30.0 }}\ndiverted_from_care_home_death_multiplier = {m}"
            ),
        );
    }
    if let Some(to) = lever {
        text.push_str(&format!(
            "\n[levers.assess_at_home]\neffect = \"care_home_discharge\"\nto = \"{to}\"\nmultiplier = 0.0\nstart = 2025-04-01\n"
        ));
    }
    text
}

fn breakdown(net: &Network, outputs: &[ReplicationOutput]) -> BreakdownSet {
    BreakdownSet::new(net, net.layout.as_ref().unwrap(), outputs)
}

const N: u64 = 20;
const SEED: u64 = 20261207;

#[test]
fn the_diverted_die_at_home_as_they_would_have_in_the_care_home() {
    let without = network(&fixture(None, None));
    let base = breakdown(&without, &outputs(&without, N, SEED, false));
    let deaths = values(&base, "all", "all", "deaths");
    assert_eq!(
        deaths,
        values(&base, "all", "all", "deaths_in_care_home"),
        "nobody dies but in care homes"
    );
    for to in ["home", "reablement"] {
        let with = network(&fixture(Some(to), None));
        assert!(
            with.pathways
                .iter()
                .flatten()
                .any(|p| p.diverted_from_care_home.is_some()),
            "to {to}: the lever diverts"
        );
        let set = breakdown(&with, &outputs(&with, N, SEED, false));
        assert_places_add_up(&set);
        assert!(
            values(&set, "all", "all", "deaths_in_care_home")
                .iter()
                .all(|x| *x == 0.0),
            "to {to}: nobody goes to a care home"
        );
        let diverted = values(&set, "all", "all", "deaths");
        assert_eq!(
            diverted,
            values(&set, "all", "all", "deaths_at_home"),
            "to {to}"
        );
        let differences: Vec<f64> = diverted.iter().zip(&deaths).map(|(a, b)| a - b).collect();
        let m = mean(&differences);
        let sd = (differences.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (N - 1) as f64).sqrt();
        let se = sd / (N as f64).sqrt();
        assert!(
            m.abs() <= 4.0 * se,
            "to {to}: deaths with the lever {} vs without {} (difference {m}, 4 se = {})",
            mean(&diverted),
            mean(&deaths),
            4.0 * se
        );
        assert!(
            se < 0.05 * mean(&deaths),
            "to {to}: precise enough to see the deaths lost ({se} vs {})",
            mean(&deaths)
        );
    }
}

#[test]
fn with_the_multiplier_at_zero_the_diverted_never_die() {
    let with = network(&fixture(Some("home"), Some(0.0)));
    assert!(
        with.pathways
            .iter()
            .flatten()
            .all(|p| p.diverted_from_care_home.is_none()),
        "nobody is marked"
    );
    let set = breakdown(&with, &outputs(&with, 4, SEED, false));
    assert_places_add_up(&set);
    assert!(
        values(&set, "all", "all", "deaths")
            .iter()
            .all(|x| *x == 0.0)
    );
    // Halfway: about half of them.
    let half = network(&fixture(Some("home"), Some(0.5)));
    let full = network(&fixture(Some("home"), None));
    let n = 8;
    let h = mean(&values(
        &breakdown(&half, &outputs(&half, n, SEED, false)),
        "all",
        "all",
        "deaths",
    ));
    let f = mean(&values(
        &breakdown(&full, &outputs(&full, n, SEED, false)),
        "all",
        "all",
        "deaths",
    ));
    // A binomial thinning of ~170 deaths a replication: sd of the mean of
    // the half ≈ √(170 × 0.25 + 170 / 4) / √8 ≈ 3, of the ratio ≈ 0.04.
    assert!((0.38..0.62).contains(&(h / f)), "{h} vs {f}");
}

#[test]
fn without_a_diverting_lever_the_run_is_as_before() {
    let plain = network(&fixture(None, None));
    assert!(
        plain
            .pathways
            .iter()
            .flatten()
            .all(|p| p.diverted_from_care_home.is_none())
    );
    // The key at its default: the same run, bit for bit.
    let explicit = network(&fixture(None, Some(1.0)));
    assert_same_records(&records(&plain, 2), &records(&explicit, 2));
    // A lever sending more to care homes diverts nobody.
    let more = fixture(None, None)
        + "\n[levers.more]\neffect = \"care_home_discharge\"\nmultiplier = 1.5\nstart = 2025-04-01\n";
    assert!(
        network(&more)
            .pathways
            .iter()
            .flatten()
            .all(|p| p.diverted_from_care_home.is_none())
    );
}

#[test]
fn a_bad_multiplier_is_located_and_explained() {
    let error = iccsim::scenario::load_str(&fixture(None, Some(1.5)), "test", "test")
        .unwrap_err()
        .to_string();
    let expected =
        "pathways.diverted_from_care_home_death_multiplier = 1.5: must be a number from 0 to 1";
    assert!(
        error.contains(expected),
        "expected: {expected}\ngot:\n{error}"
    );
}
