//! Levers (`[levers.NAME]` in a whole-system scenario): a lever with no
//! effect changes nothing; a rate lever thins the same arrivals (every
//! lowered count is at most the unchanged one, replication by
//! replication); a ramp reaches full effect at its date; a rollout changes
//! only the ICCs it names, from their dates.

use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;

/// The built-in baseline over `years` years after a 60-day warm-up, with
/// extra text.
fn baseline(years: u32, extra: &str) -> Network {
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &[
            format!("run.horizon_days={}", 365 * years),
            "run.warmup_days=60".into(),
        ],
    )
    .unwrap();
    iccsim::scenario::load_str(&format!("{text}\n{extra}"), "test", "baseline")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn records(network: &Network, n: u64) -> Vec<Record> {
    let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
    let todo: Vec<u64> = (0..n).collect();
    iccsim::experiment::run_records(network, 4, &todo, None, &keep).unwrap()
}

/// Position of a breakdown value (year "all" or "1", "2" ...).
fn position(network: &Network, year: &str, icc: &str, metric: &str) -> usize {
    position_in_band(network, year, icc, "all", metric)
}

fn position_in_band(network: &Network, year: &str, icc: &str, band: &str, metric: &str) -> usize {
    let schema = Schema::of(network);
    schema.metrics.len()
        + schema
            .breakdown
            .iter()
            .position(|k| {
                k.year == year && k.icc == icc && k.age_band == band && k.metric == metric
            })
            .unwrap()
}

#[test]
fn a_lever_with_no_effect_changes_nothing() {
    let plain = baseline(1, "");
    let idle = baseline(
        1,
        "[levers.nothing]\neffect = \"crisis_rate\"\nmultiplier = 1.0\nstart = 2025-04-01\nramp_months = 6\n[levers.no_beds]\neffect = \"capacity\"\nservice = \"adult_beds\"\nchange = 0\nstart = 2025-04-01\nramp_months = 3\n",
    );
    let (a, b) = (records(&plain, 3), records(&idle, 3));
    for (x, y) in a.iter().zip(&b) {
        assert!(
            x.values
                .iter()
                .zip(&y.values)
                .all(|(p, q)| p.to_bits() == q.to_bits() || p.is_nan() && q.is_nan()),
            "replication {} differs",
            x.replication
        );
    }
}

/// Halving every crisis rate from the start: each replication's crises are
/// at most the unchanged run's (the same candidate arrivals, thinned
/// further) and about half. Per replication the count is binomial given
/// the unchanged count: sd/mean below 0.3%, so ±2% is over 6 sd.
#[test]
fn a_rate_lever_thins_the_same_arrivals() {
    let plain = baseline(1, "");
    let half = baseline(
        1,
        "[levers.half]\neffect = \"crisis_rate\"\nmultiplier = 0.5\nstart = 2025-04-01\n",
    );
    let k = position(&plain, "all", "all", "crises");
    let (a, b) = (records(&plain, 3), records(&half, 3));
    for (x, y) in a.iter().zip(&b) {
        let (before, after) = (x.values[k], y.values[k]);
        assert!(after <= before, "{after} > {before}");
        assert!((after / before - 0.5).abs() < 0.02, "{after} of {before}");
    }
}

/// A lever starting at the window's start and ramping over 12 months to
/// × 0.5: year 1 sees the average of a linear ramp, about × 0.75 (the
/// months weigh a little differently with seasonality: ±2%), year 2 the
/// full × 0.5.
#[test]
fn a_ramp_reaches_full_effect_at_its_date() {
    let plain = baseline(2, "");
    let ramp = baseline(
        2,
        "[levers.ramp]\neffect = \"crisis_rate\"\nmultiplier = 0.5\nstart = 2025-04-01\nramp_months = 12\n",
    );
    let (a, b) = (records(&plain, 2), records(&ramp, 2));
    for (year, expected) in [("1", 0.75), ("2", 0.5)] {
        let k = position(&plain, year, "all", "crises");
        let ratio: f64 =
            b.iter().map(|r| r.values[k]).sum::<f64>() / a.iter().map(|r| r.values[k]).sum::<f64>();
        assert!((ratio - expected).abs() < 0.02, "year {year}: {ratio}");
    }
}

/// Rolled out to Copeland from the start and to Eden a year later. The
/// crises of people at home in every other ICC are exactly unchanged (their
/// arrivals come from their own streams), and Eden's in year 1; care-home
/// residents' crises (counted at 85+) follow occupancy, which the shared
/// hospitals couple across ICCs, so the check is on ages 18-64 and 65-74.
#[test]
fn a_rollout_changes_only_the_iccs_it_names_from_their_dates() {
    let plain = baseline(2, "");
    let rolled = baseline(
        2,
        "[levers.rollout]\neffect = \"crisis_rate\"\nmultiplier = 0.6\nstart = 2025-04-01\niccs = { copeland = 2025-04-01, eden = 2026-04-01 }\n",
    );
    let (a, b) = (records(&plain, 2), records(&rolled, 2));
    let crises = |records: &[Record], year: &str, icc: &str, band: &str| -> f64 {
        let k = position_in_band(&plain, year, icc, band, "crises");
        records.iter().map(|r| r.values[k]).sum()
    };
    for band in ["18-64", "65-74"] {
        for year in ["1", "2"] {
            for icc in ["workington", "carlisle_rural", "keswick_solway"] {
                assert_eq!(
                    crises(&a, year, icc, band),
                    crises(&b, year, icc, band),
                    "{icc} {band} year {year}"
                );
            }
        }
        assert_eq!(crises(&a, "1", "eden", band), crises(&b, "1", "eden", band));
        assert!(crises(&b, "2", "eden", band) < 0.7 * crises(&a, "2", "eden", band));
        assert!(crises(&b, "1", "copeland", band) < 0.7 * crises(&a, "1", "copeland", band));
    }
}

#[test]
fn bad_levers_are_located_and_explained() {
    let text = format!(
        "{}\n[levers.a]\neffect = \"crisis_rte\"\nmultiplier = 0.5\nstart = 2025-04-01\n[levers.b]\neffect = \"crisis_rate\"\nmultiplier = -1\nstart = \"soon\"\ndemand = [\"crises\"]\nage_bands = [\"90+\"]\ntiers = [\"highest\"]\niccs = {{ copland = 2025-04-01 }}\n",
        iccsim::scenario::DEFAULT_SCENARIO_TOML
    );
    let err = iccsim::scenario::load_str(&text, "test", "baseline")
        .unwrap_err()
        .to_string();
    for message in [
        "levers.a.effect = \"crisis_rte\": is not a lever effect (did you mean `crisis_rate`?)",
        "levers.b.multiplier = -1: must be a number from 0 to 10",
        "levers.b.start = \"soon\"",
        "levers.b.demand[0] = \"crises\": is not a kind of demand (did you mean `crisis`?)",
        "levers.b.age_bands[0] = \"90+\": is not an age band",
        "levers.b.tiers[0] = \"highest\": is not a risk tier of this scenario",
        "levers.b.iccs.copland: is not an ICC of this scenario (did you mean `copeland`?)",
    ] {
        assert!(err.contains(message), "{message}\n{err}");
    }
}

fn capacities(network: &Network, service: &str) -> Vec<(f64, String)> {
    let s = network.service_id(service).unwrap().index();
    network.services[s]
        .capacity_changes
        .iter()
        .map(|c| (c.from_day, format!("{:?}", c.capacity)))
        .collect()
}

/// 20 beds closed at Cumberland Infirmary over 4 months from the start:
/// 405 → 400, 395, 390, 385 at each month; West Cumberland untouched. 50%
/// more community beds in Eden only, a year in. A year with the beds
/// closed from day 0 has a mean capacity of exactly 385.
#[test]
fn capacity_levers_step_over_their_ramp_where_they_roll_out() {
    let network = baseline(
        2,
        "[levers.close]\neffect = \"capacity\"\nservice = \"adult_beds\"\nsites = [\"cumberland_infirmary\"]\nchange = -20\nstart = 2025-04-01\nramp_months = 4\n\n[levers.community]\neffect = \"capacity\"\nservice = \"community_beds\"\nmultiplier = 1.5\nstart = 2026-04-01\niccs = { eden = 2026-04-01 }\n",
    );
    let steps: Vec<String> = capacities(&network, "acute_cumberland_infirmary")
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    assert_eq!(
        steps,
        [
            "Limited(400)",
            "Limited(395)",
            "Limited(390)",
            "Limited(385)"
        ]
    );
    let days: Vec<f64> = capacities(&network, "acute_cumberland_infirmary")
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(days, [0.0, 30.0, 61.0, 91.0]);
    assert!(capacities(&network, "acute_west_cumberland").is_empty());
    assert!(capacities(&network, "community_beds_copeland").is_empty());
    let eden = capacities(&network, "community_beds_eden");
    assert_eq!(eden.len(), 1);
    assert_eq!(eden[0].0, 365.0);

    let closed = baseline(
        1,
        "[levers.close]\neffect = \"capacity\"\nservice = \"adult_beds\"\nsites = [\"cumberland_infirmary\"]\nchange = -20\nstart = 2025-04-01\n",
    );
    let k = Schema::of(&closed)
        .metrics
        .iter()
        .position(|m| {
            m.service == "acute_cumberland_infirmary"
                && m.patient_type == "all"
                && m.metric == "capacity_mean"
        })
        .unwrap();
    for r in records(&closed, 1) {
        assert_eq!(r.values[k], 385.0);
    }
}

#[test]
fn bad_capacity_levers_are_located_and_explained() {
    let text = format!(
        "{}\n[levers.a]\neffect = \"capacity\"\nservice = \"adult_bed\"\nchange = 3\nstart = 2025-04-01\n[levers.b]\neffect = \"capacity\"\nservice = \"adult_beds\"\nchange = 3\nmultiplier = 2\nstart = 2025-04-01\n[levers.c]\neffect = \"capacity\"\nservice = \"adult_beds\"\nsites = [\"cumberland\"]\nchange = 3\nstart = 2025-04-01\n",
        iccsim::scenario::DEFAULT_SCENARIO_TOML
    );
    let err = iccsim::scenario::load_str(&text, "test", "baseline")
        .unwrap_err()
        .to_string();
    for message in [
        "levers.a.service = \"adult_bed\": is not a kind of service (did you mean `adult_beds`?)",
        "levers.b: a capacity lever needs exactly one of `change`",
        "levers.c.sites[0] = \"cumberland\": is not a site of this scenario",
    ] {
        assert!(err.contains(message), "{message}\n{err}");
    }
}
