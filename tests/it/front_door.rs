//! The front door by hour (issue 22): `[population] hourly_factors` and
//! what opening hours then mean.
//!
//! - Hourly factors of all 1 reproduce the records of a file without the
//!   key, bit for bit (and so today's day-unit closure share).
//! - The acute day unit's closure share against its exact value, with the
//!   fixture's fixed ED stay: the share of arrivals whose referral time
//!   falls outside the opening hours. Tolerance: 4 binomial standard
//!   errors of a share of n referrals, sqrt(p (1 − p) / n) (referrals are
//!   independent Poisson arrivals thinned by hour, so binomial).

use std::path::Path;

use iccsim::experiment::{Plan, ReplicationOutput, run};
use iccsim::model::Network;
use iccsim::report::breakdown::BreakdownSet;
use iccsim::scenario::load_str;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(path).unwrap()
}

pub(crate) fn fixture() -> String {
    read("tests/fixtures/system/minimal.toml")
}

/// The text with some lines replaced (each `from` must occur).
pub(crate) fn edited(mut text: String, edits: &[(&str, &str)]) -> String {
    for (from, to) in edits {
        assert!(text.contains(from), "the text has no `{from}`");
        text = text.replacen(from, to, 1);
    }
    text
}

pub(crate) fn network(text: &str) -> Network {
    load_str(text, "test", "test").unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn simulate(network: &Network, replications: u64) -> Vec<ReplicationOutput> {
    let plan = Plan {
        seed: 20261207,
        replications: 0..replications,
        threads: None,
        keep_episodes: false,
    };
    run(network, &plan).unwrap()
}

/// Per-replication values of a breakdown metric for all ICCs and ages.
pub(crate) fn values(
    network: &Network,
    outputs: &[ReplicationOutput],
    year: &str,
    metric: &str,
) -> Vec<f64> {
    let layout = network.layout.clone().unwrap();
    let set = BreakdownSet::new(network, &layout, outputs);
    let i = set
        .keys
        .iter()
        .position(|k| k.year == year && k.icc == "all" && k.age_band == "all" && k.metric == metric)
        .unwrap_or_else(|| panic!("no {metric} for year {year}"));
    set.values[i].clone()
}

fn sum(v: &[f64]) -> f64 {
    v.iter().sum()
}

/// The baseline without its `hourly_factors` (the key and its array,
/// which may continue over several lines).
fn baseline_without_hours() -> String {
    let mut kept = Vec::new();
    let mut in_array = false;
    let text = read("scenarios/north-cumbria-baseline.toml");
    for line in text.lines() {
        if line.trim_start().starts_with("hourly_factors") {
            in_array = true;
        }
        if !in_array {
            kept.push(line);
        }
        if in_array && line.contains(']') {
            in_array = false;
        }
    }
    kept.join("\n")
}

#[test]
fn hourly_factors_of_one_reproduce_the_records_exactly() {
    let without = baseline_without_hours();
    let ones = edited(
        without.clone(),
        &[(
            "\n[population]\n",
            &format!(
                "\n[population]\nhourly_factors = [{}]\n",
                ["1.0"; 24].join(", ")
            ),
        )],
    );
    let mut runs = Vec::new();
    for text in [&without, &ones] {
        let mut net = network(text);
        net.run.horizon_days = 366.0;
        // `day_unit_closed_share` counts referrals a unit turned away
        // closed *or full*; a year of warm-up keeps the hospital behind the
        // units below its settled level, so that the closed hours dominate
        // (after the baseline's three years the full unit adds about 6
        // points: 0.476).
        net.run.warmup_days = 365.0;
        let outputs = simulate(&net, 2);
        let closed = values(&net, &outputs, "all", "day_unit_closed_share");
        runs.push((outputs, closed));
    }
    let bits = |outputs: &[ReplicationOutput]| -> Vec<Vec<u64>> {
        outputs
            .iter()
            .map(|o| o.record.values.iter().map(|v| v.to_bits()).collect())
            .collect()
    };
    assert_eq!(bits(&runs[0].0), bits(&runs[1].0));
    // Today's share: with arrivals spread over the day, about the share of
    // the day the units are closed (08:00-22:00 open: 10/24).
    assert_eq!(runs[0].1, runs[1].1);
    for share in &runs[0].1 {
        assert!((share - 10.0 / 24.0).abs() < 0.05, "closure share {share}");
    }
}

/// The fixture's day unit open 08:00-22:00 every day, with arrivals by
/// hour. Every referral comes 0.15 days (3.6 hours) after the crisis (the
/// fixed ED stay; rapid response adds a whole day), so it finds the unit
/// closed when the crisis arose in [18.4, 24) or [0, 4.4).
fn day_unit_by_hour(hourly: &[f64; 24]) -> Network {
    let factors: Vec<String> = hourly.iter().map(|f| format!("{f:?}")).collect();
    network(&edited(
        fixture(),
        &[
            (
                "day_unit_places = 50\n",
                "day_unit_places = 50\nday_unit_opening = { open_hour = 8, close_hour = 22 }\n",
            ),
            (
                "[population]\n",
                &format!("[population]\nhourly_factors = [{}]\n", factors.join(", ")),
            ),
        ],
    ))
}

/// The exact share of referrals finding the unit closed: the factors'
/// weight of crisis times in [18.4, 28.4) modulo 24, over 24 hours' worth.
fn closed_share(hourly: &[f64; 24]) -> f64 {
    let weight_between = |from: f64, to: f64| -> f64 {
        (0..24)
            .map(|h| {
                let (a, b) = (f64::from(h).max(from), f64::from(h + 1).min(to));
                (b - a).max(0.0) * hourly[h as usize]
            })
            .sum()
    };
    let closed = weight_between(18.4, 24.0) + weight_between(0.0, 4.4);
    closed / hourly.iter().sum::<f64>()
}

#[test]
fn the_day_unit_closure_share_follows_arrivals_by_hour() {
    let even = [1.0; 24];
    let mut daytime = [0.4; 24];
    daytime[9..18].fill(2.0);
    assert!((closed_share(&even) - 10.0 / 24.0).abs() < 1e-12);
    assert!((closed_share(&daytime) - 1.0 / 6.0).abs() < 1e-12);
    for hourly in [even, daytime] {
        let net = day_unit_by_hour(&hourly);
        let outputs = simulate(&net, 8);
        let shares = values(&net, &outputs, "all", "day_unit_closed_share");
        let attended = values(&net, &outputs, "all", "day_unit_attendances");
        let expected = closed_share(&hourly);
        // Referrals: attendances and those that found it closed.
        let referrals: f64 = attended
            .iter()
            .zip(&shares)
            .map(|(a, s)| a / (1.0 - s))
            .sum();
        let pooled: f64 = attended
            .iter()
            .zip(&shares)
            .map(|(a, s)| a / (1.0 - s) * s)
            .sum::<f64>()
            / referrals;
        let se = (expected * (1.0 - expected) / referrals).sqrt();
        assert!(referrals > 5000.0, "{referrals} referrals");
        assert!(
            (pooled - expected).abs() <= 4.0 * se,
            "closure share {pooled} vs exact {expected} (4 se = {})",
            4.0 * se
        );
        assert!(sum(&attended) > 0.0);
    }
}

/// The fixture's day unit open 08:00-22:00, with arrivals spread over the
/// day, and `lever` appended.
fn day_unit_with_lever(lever: &str) -> Network {
    network(&format!(
        "{}\n{lever}\n",
        edited(
            fixture(),
            &[(
                "day_unit_places = 50\n",
                "day_unit_places = 50\nday_unit_opening = { open_hour = 8, close_hour = 22 }\n",
            )],
        )
    ))
}

#[test]
fn an_opening_lever_changes_the_closure_share_from_its_date_only() {
    let without = day_unit_with_lever("");
    let always = day_unit_with_lever(
        "[levers.open_all_hours]\neffect = \"opening_hours\"\nservice = \"day_unit\"\nopening = \"always\"\nstart = 2026-04-01\n",
    );
    assert_eq!(always.services[2].schedule_changes.len(), 1);
    let before = simulate(&without, 8);
    let after = simulate(&always, 8);
    // Year 1 (before the lever's date): the same run, value for value.
    for metric in [
        "day_unit_closed_share",
        "day_unit_attendances",
        "emergency_admissions",
    ] {
        assert_eq!(
            values(&without, &before, "1", metric),
            values(&always, &after, "1", metric),
            "{metric}"
        );
    }
    let year_1 = values(&always, &after, "1", "day_unit_closed_share");
    let mean = year_1.iter().sum::<f64>() / year_1.len() as f64;
    assert!(
        (mean - 10.0 / 24.0).abs() < 0.03,
        "year 1 closure share {mean}"
    );
    // From its date, open every hour with places to spare: never closed.
    assert!(
        values(&always, &after, "2", "day_unit_closed_share")
            .iter()
            .all(|s| *s == 0.0)
    );
}

#[test]
fn an_opening_lever_equal_to_the_hours_in_force_changes_nothing() {
    let without = day_unit_with_lever("");
    let same = day_unit_with_lever(
        "[levers.same_hours]\neffect = \"opening_hours\"\nservice = \"day_unit\"\nsites = [\"general\"]\nopening = { open_hour = 8, close_hour = 22 }\nstart = 2026-04-01\n",
    );
    assert!(same.services.iter().all(|s| s.schedule_changes.is_empty()));
    let bits = |outputs: &[ReplicationOutput]| -> Vec<Vec<u64>> {
        outputs
            .iter()
            .map(|o| o.record.values.iter().map(|v| v.to_bits()).collect())
            .collect()
    };
    assert_eq!(bits(&simulate(&without, 2)), bits(&simulate(&same, 2)));
}

#[test]
fn opening_levers_are_checked() {
    let error = |lever: &str| {
        let text = format!("{}\n{lever}\n", fixture());
        load_str(&text, "test", "test")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = error(
        "[levers.x]\neffect = \"opening_hours\"\nservice = \"ed\"\nopening = \"always\"\nstart = 2026-04-01\n",
    );
    assert!(
        e.contains("levers.x.service") && e.contains("\"day_unit\""),
        "{e}"
    );
    let e = error(
        "[levers.x]\neffect = \"opening_hours\"\nservice = \"day_unit\"\nopening = \"never\"\nstart = 2026-04-01\n",
    );
    assert!(
        e.contains("levers.x.opening") && e.contains("always"),
        "{e}"
    );
    let e = error(
        "[levers.x]\neffect = \"opening_hours\"\nservice = \"day_unit\"\nopening = { open_hour = 20, close_hour = 8 }\nstart = 2026-04-01\n",
    );
    assert!(e.contains("levers.x.opening.close_hour"), "{e}");
    // A file without community day units has none to open.
    let e = error(
        "[levers.x]\neffect = \"opening_hours\"\nservice = \"community_day_unit\"\nopening = \"always\"\nstart = 2026-04-01\n",
    );
    assert!(
        e.contains("levers.x.service") && e.contains("[community.day_unit]"),
        "{e}"
    );
    let e = error(
        "[levers.x]\neffect = \"opening_hours\"\nservice = \"day_unit\"\nopening = \"always\"\nstart = 2026-04-01\nramp_months = 3\n",
    );
    assert!(e.contains("levers.x.ramp_months"), "{e}");
}

#[test]
fn hourly_factors_are_checked() {
    let error = |factors: &str| {
        let text = edited(
            fixture(),
            &[(
                "[population]\n",
                &format!("[population]\nhourly_factors = {factors}\n"),
            )],
        );
        load_str(&text, "test", "test")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = error("[1.0, 1.0]");
    assert!(
        e.contains("population.hourly_factors = 2 values") && e.contains("exactly 24 multipliers"),
        "{e}"
    );
    let e = error(&format!("[{}]", ["0.0"; 24].join(", ")));
    assert!(
        e.contains("population.hourly_factors") && e.contains("no crises at any hour"),
        "{e}"
    );
    let mut negative = ["1.0"; 24];
    negative[5] = "-1.0";
    let e = error(&format!("[{}]", negative.join(", ")));
    assert!(e.contains("population.hourly_factors[5]"), "{e}");
}
