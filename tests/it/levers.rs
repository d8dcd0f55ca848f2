//! Levers (`[levers.NAME]` in a whole-system scenario): a lever with no
//! effect changes nothing; a rate lever thins the same arrivals (every
//! lowered count is at most the unchanged one, replication by
//! replication); a ramp reaches full effect at its date; a rollout changes
//! only the ICCs it names, from their dates.

use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;

use crate::common::{assert_same_records, records};

/// The baseline without `[avoidable]`: these tests check each lever's
/// arithmetic on one type per crisis cohort (with the classes, a lever
/// acts class by class: `tests/it/avoidable.rs`).
fn baseline_without_classes() -> String {
    crate::avoidable::without_avoidable(iccsim::scenario::DEFAULT_SCENARIO_TOML)
}

/// The built-in baseline over `years` years after a 60-day warm-up, with
/// extra text.
fn baseline(years: u32, extra: &str) -> Network {
    baseline_set(years, &[], extra)
}

/// As [`baseline`], with values changed as by --set.
fn baseline_set(years: u32, sets: &[&str], extra: &str) -> Network {
    let mut changes = vec![
        format!("run.horizon_days={}", 365 * years),
        "run.warmup_days=60".into(),
    ];
    changes.extend(sets.iter().map(|s| s.to_string()));
    let text = iccsim::scenario::overrides::apply_to_text(
        &baseline_without_classes(),
        "baseline",
        &changes,
    )
    .unwrap();
    iccsim::scenario::load_str(&format!("{text}\n{extra}"), "test", "baseline")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// As [`baseline`], with the baseline's `[workforce]` taken out: staff
/// levers fund are bought on the day, not recruited month by month.
fn baseline_without_workforce(years: u32, extra: &str) -> Network {
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &[
            format!("run.horizon_days={}", 365 * years),
            "run.warmup_days=60".into(),
        ],
    )
    .unwrap();
    let mut document: toml::Table = text.parse().unwrap();
    document.remove("workforce");
    let text = toml::to_string(&document).unwrap();
    iccsim::scenario::load_str(&format!("{text}\n{extra}"), "test", "baseline")
        .unwrap_or_else(|e| panic!("{e}"))
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
    assert_same_records(&records(&plain, 3), &records(&idle, 3));
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
        &baseline_without_classes()
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
/// 405 → 400, 395, 390, 385 at the start of each of the next 4 months
/// (full effect 4 months after the start, as for a rate); West Cumberland
/// untouched. 50%
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
    assert_eq!(days, [30.0, 61.0, 91.0, 122.0]);
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
        &baseline_without_classes()
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

// ------------------------------------------------ pathway and money levers

use iccsim::model::{Destination, Pathway, PatientTypeId, ServiceId};

fn type_index(network: &Network, name: &str) -> usize {
    network
        .patient_types
        .iter()
        .position(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
}

fn service_index(network: &Network, name: &str) -> usize {
    network
        .services
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn pathway<'a>(network: &'a Network, patient_type: &str, service: &str) -> &'a Pathway {
    network
        .pathway(
            PatientTypeId(type_index(network, patient_type) as u32),
            ServiceId(service_index(network, service) as u32),
        )
        .unwrap()
}

/// The share of routes going to services whose name starts with `prefix`
/// (or to a sink named `prefix`).
fn share(network: &Network, routes: &iccsim::model::RouteTable, prefix: &str) -> f64 {
    routes
        .choices()
        .filter(|(_, d)| match d {
            Destination::Service(s) => network.services[s.index()].name.starts_with(prefix),
            Destination::Sink(k) => network.sinks[k.index()] == prefix,
        })
        .map(|(p, _)| p)
        .sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

const IDLE_PATHWAY_LEVERS: &str = "
[levers.los]
effect = \"length_of_stay\"
multiplier = 1.0
start = 2025-04-01
ramp_months = 6
[levers.delay]
effect = \"discharge_delay\"
multiplier = 1.0
start = 2025-04-01
[levers.homes]
effect = \"care_home_discharge\"
multiplier = 1.0
to = \"reablement\"
start = 2025-04-01
[levers.rr]
effect = \"rapid_response\"
multiplier = 1.0
start = 2025-04-01
[levers.sdec]
effect = \"day_unit_diversion\"
multiplier = 1.0
start = 2025-04-01
ramp_months = 3
[levers.money]
effect = \"reinvestment\"
amount_per_year = 0
fund = { case_management = 1.0 }
start = 2025-04-01
";

#[test]
fn pathway_and_money_levers_with_no_effect_change_nothing() {
    let plain = baseline(1, "");
    let idle = baseline(1, IDLE_PATHWAY_LEVERS);
    assert!(idle.pathways.iter().flatten().all(|p| p.changes.is_empty()));
    assert!(
        idle.patient_types
            .iter()
            .all(|t| t.entry_changes.is_empty())
    );
    assert!(idle.services.iter().all(|s| s.capacity_changes.is_empty()));
    assert_same_records(&records(&plain, 2), &records(&idle, 2));
}

/// A 4-month ramp from 1 June in Copeland only, for people aged 85+: four
/// monthly versions of the stay from 1 July, the k-th × (1 − 0.2 k/4), full
/// effect on 1 October; nobody else's stays change.
#[test]
fn a_length_of_stay_lever_steps_over_its_ramp_for_the_cohorts_it_reaches() {
    let network = baseline(
        1,
        "[levers.los]\neffect = \"length_of_stay\"\nmultiplier = 0.8\nstart = 2025-06-01\nramp_months = 4\nage_bands = [\"85+\"]\niccs = { copeland = 2025-06-01 }\n",
    );
    let p = pathway(
        &network,
        "crisis/copeland/85+/rest",
        "acute_west_cumberland",
    );
    let days: Vec<f64> = p.changes.iter().map(|c| c.from_day).collect();
    assert_eq!(days, [91.0, 122.0, 153.0, 183.0]);
    for (k, change) in p.changes.iter().enumerate() {
        let factor = 1.0 - 0.2 * (k + 1) as f64 / 4.0;
        assert!(
            (change.stay.mean() - factor * p.stay.mean()).abs() < 1e-9 * p.stay.mean(),
            "step {k}"
        );
        // The routes are the base routes.
        assert!(close(
            share(&network, &change.routes, "home"),
            share(&network, &p.routes, "home")
        ));
    }
    assert_eq!(p.stay_on(90.9).mean(), p.stay.mean());
    assert_eq!(p.stay_on(200.0).mean(), p.changes[3].stay.mean());
    for (t, s) in [
        ("crisis/eden/85+/rest", "acute_cumberland_infirmary"),
        ("crisis/copeland/75-84/rest", "acute_west_cumberland"),
        ("crisis/copeland/85+/rest", "ed_west_cumberland"),
    ] {
        assert!(pathway(&network, t, s).changes.is_empty(), "{t} at {s}");
    }
}

/// Halving every reablement stay from before the warm-up: the simulated
/// mean stay in reablement halves. Each patient's stay is exactly half
/// (same draw, scaled), but the departures counted in the year differ
/// (stays cut at the window's edges): ±6% covers that and the sampling
/// error of a mean of ~1,500 stays (cv ≈ 0.8, se ≈ 2%). Everyone leaves
/// reablement for home here: a wait in the place for home care (the
/// baseline's quarter) is part of the stay and is not halved.
#[test]
fn a_length_of_stay_lever_shortens_simulated_stays() {
    let all_home = [
        "community.reablement.discharge.home=1.0",
        "community.reablement.discharge.home_care=0.0",
    ];
    let plain = baseline_set(1, &all_home, "");
    let half = baseline_set(
        1,
        &all_home,
        "[levers.los]\neffect = \"length_of_stay\"\nservice = \"reablement\"\nmultiplier = 0.5\nstart = 2025-01-01\n",
    );
    let schema = Schema::of(&plain);
    let k = schema
        .metrics
        .iter()
        .position(|m| {
            m.service == "reablement_carlisle_urban_north"
                && m.patient_type == "all"
                && m.metric == "los_mean"
        })
        .unwrap();
    let mean = |n: &Network| records(n, 2).iter().map(|r| r.values[k]).sum::<f64>() / 2.0;
    let ratio = mean(&half) / mean(&plain);
    eprintln!("reablement stay ratio {ratio}");
    assert!((ratio - 0.5).abs() < 0.03, "ratio {ratio}");
}

#[test]
fn discharge_and_care_home_levers_change_routes_exactly() {
    let network = baseline(
        1,
        "[levers.hub]\neffect = \"discharge_delay\"\nmultiplier = 0.5\ndestinations = [\"care_home\"]\nstart = 2025-04-01\n[levers.d2a]\neffect = \"care_home_discharge\"\nmultiplier = 0.6\nto = \"reablement\"\nstart = 2025-04-01\n",
    );
    let p = pathway(
        &network,
        "crisis/eden/85+/rest",
        "acute_cumberland_infirmary",
    );
    assert_eq!(p.changes.len(), 1);
    let (before, after) = (&p.routes, &p.changes[0].routes);
    let homes = |r| share(&network, r, "residential") + share(&network, r, "nursing");
    assert!(homes(before) > 0.0);
    assert!(close(homes(after), 0.6 * homes(before)));
    assert!(close(
        share(&network, after, "reablement_eden"),
        share(&network, before, "reablement_eden") + 0.4 * homes(before)
    ));
    assert!(close(
        share(&network, after, "home"),
        share(&network, before, "home")
    ));
    for (i, (_, d)) in after.choices().enumerate() {
        let name = match d {
            Destination::Service(s) => network.services[s.index()].name.clone(),
            Destination::Sink(k) => network.sinks[k.index()].clone(),
        };
        let j = before.choices().position(|(_, e)| e == d).unwrap();
        let (Some(new), Some(old)) = (after.delay(i), before.delay(j)) else {
            continue;
        };
        let factor = if name.starts_with("residential") || name.starts_with("nursing") {
            0.5
        } else {
            1.0
        };
        assert!((new.mean() - factor * old.mean()).abs() < 1e-9, "{name}");
    }
}

#[test]
fn rapid_response_and_day_unit_levers_move_shares_from_and_to_ed() {
    let network = baseline(
        1,
        "[levers.rr]\neffect = \"rapid_response\"\nmultiplier = 1.5\nmanaged_at_home = 0.85\nstart = 2025-04-01\n[levers.sdec]\neffect = \"day_unit_diversion\"\nmultiplier = 2.0\nstart = 2025-04-01\n",
    );
    let t = &network.patient_types[type_index(&network, "crisis/copeland/85+/rest")];
    let before = t.entry.as_ref().unwrap();
    let after = &t.entry_changes[0].entry;
    // The baseline's 85+ crises first seek a same-day GP appointment with
    // probability 0.20 (issue 22): the rest of the entry route is scaled by
    // 0.8, and those who find none go on by the same shares unscaled.
    let seek = share(&network, before, "primary_care_copeland");
    assert!(close(seek, 0.20));
    assert!(close(share(&network, after, "primary_care_copeland"), seek));
    let rr = share(&network, before, "rapid_response_copeland");
    assert!(close(rr, 0.20 * (1.0 - seek)));
    assert!(close(
        share(&network, after, "rapid_response_copeland"),
        0.30 * (1.0 - seek)
    ));
    assert!(close(
        share(&network, after, "ed_west_cumberland"),
        share(&network, before, "ed_west_cumberland") - 0.10 * (1.0 - seek)
    ));
    let practice = pathway(
        &network,
        "crisis/copeland/85+/rest",
        "primary_care_copeland",
    );
    let onward = |r| share(&network, r, "rapid_response_copeland");
    assert!(close(onward(practice.onward.as_ref().unwrap()), 0.20));
    assert!(close(
        onward(practice.changes[0].onward.as_ref().unwrap()),
        0.30
    ));
    let at_home = pathway(
        &network,
        "crisis/copeland/85+/rest",
        "rapid_response_copeland",
    );
    assert!(close(share(&network, &at_home.routes, "home"), 0.75));
    assert!(close(
        share(&network, &at_home.changes[0].routes, "home"),
        0.85
    ));

    let ed = pathway(&network, "crisis/copeland/85+/rest", "ed_west_cumberland");
    let (b, a) = (&ed.routes, &ed.changes[0].routes);
    let admitted = |r| share(&network, r, "acute_") + share(&network, r, "other_providers");
    assert!(close(
        share(&network, a, "day_unit_"),
        2.0 * share(&network, b, "day_unit_")
    ));
    assert!(close(
        admitted(a),
        admitted(b) - share(&network, b, "day_unit_")
    ));
    assert!(close(
        share(&network, a, "home"),
        share(&network, b, "home")
    ));
}

/// Twice the share sent to the day unit from before the run: twice the
/// referrals, of which the same share finds it open, so about twice the
/// attendances (2 replications of ~2,000: ±10% is several se).
#[test]
fn a_day_unit_diversion_lever_doubles_simulated_attendances() {
    let plain = baseline(1, "");
    let more = baseline(
        1,
        "[levers.sdec]\neffect = \"day_unit_diversion\"\nmultiplier = 2.0\nstart = 2025-01-01\n",
    );
    let k = position(&plain, "all", "all", "day_unit_attendances");
    let total = |n: &Network| records(n, 2).iter().map(|r| r.values[k]).sum::<f64>();
    let ratio = total(&more) / total(&plain);
    eprintln!("day-unit attendance ratio {ratio}");
    assert!((ratio - 2.0).abs() < 0.2, "ratio {ratio}");
}

#[test]
fn a_reinvestment_balances_to_the_penny_and_buys_the_places_it_says() {
    // Money buying places on the day: without [workforce], whose
    // recruitment is tests/it/workforce.rs's.
    let network = baseline_without_workforce(
        1,
        "[levers.money]\neffect = \"reinvestment\"\namount_per_year = 1234567.89\nfund = { case_management = 0.3, rapid_response = 0.3, community_beds = 0.4 }\nclose_adult_beds = { cumberland_infirmary = 6 }\nstart = 2025-07-01\niccs = { copeland = 2025-07-01, eden = 2026-01-01 }\n",
    );
    let layout = network.layout.as_ref().unwrap();
    let budget = &layout.budget;
    let moved: i64 = budget
        .iter()
        .filter(|l| l.item == "moved_from_acute")
        .map(|l| l.pence)
        .sum();
    assert_eq!(moved, 123_456_789);
    let spent: i64 = budget
        .iter()
        .filter(|l| l.icc.is_some())
        .map(|l| l.pence)
        .sum();
    assert_eq!(spent, moved, "{budget:#?}");
    // Only the ICCs in the rollout get money; whole beds at whole cost.
    let copeland = layout.iccs.iter().position(|i| i == "copeland").unwrap();
    let eden = layout.iccs.iter().position(|i| i == "eden").unwrap();
    assert!(
        budget
            .iter()
            .all(|l| l.icc.is_none() || l.icc == Some(copeland) || l.icc == Some(eden))
    );
    for line in budget.iter().filter(|l| l.item == "community_beds") {
        assert_eq!(line.units.fract(), 0.0);
        assert_eq!(line.units as i64 * line.pence_per_unit, line.pence);
    }
    // Copeland's community beds grow by the beds bought, from 1 July.
    let bought = budget
        .iter()
        .find(|l| l.item == "community_beds" && l.icc == Some(copeland))
        .unwrap()
        .units;
    assert!(bought >= 1.0);
    let beds = &network.services[service_index(&network, "community_beds_copeland")];
    assert_eq!(beds.capacity_changes.len(), 1);
    assert_eq!(beds.capacity_changes[0].from_day, 91.0);
    assert_eq!(
        beds.capacity_changes[0].capacity.places(),
        beds.capacity.places() + bought as u32
    );
    // Eden's from 1 January; West Cumberland's ICCs other than Copeland none.
    let eden_beds = &network.services[service_index(&network, "community_beds_eden")];
    assert_eq!(eden_beds.capacity_changes[0].from_day, 275.0);
    assert!(
        network.services[service_index(&network, "community_beds_workington")]
            .capacity_changes
            .is_empty()
    );
    // The closed beds, and the money a year they release at £345 a day of
    // 2020/21, £389.1876 at the scenario's 2023/24 prices (NHSCII).
    let acute = &network.services[service_index(&network, "acute_cumberland_infirmary")];
    assert_eq!(
        acute.capacity_changes[0].capacity.places(),
        acute.capacity.places() - 6
    );
    let closed = budget
        .iter()
        .find(|l| l.item == "adult_beds_closed_cumberland_infirmary")
        .unwrap();
    assert_eq!(closed.pence, 6 * 14_215_077);
}

#[test]
fn bad_pathway_and_money_levers_are_located_and_explained() {
    let text = format!(
        "{}\n[levers.a]\neffect = \"rapid_response\"\nmultiplier = 9\nstart = 2025-04-01\n[levers.b]\neffect = \"reinvestment\"\namount_per_year = 1000\nfund = {{ case_managment = 1.0 }}\nstart = 2025-04-01\n[levers.c]\neffect = \"length_of_stay\"\nmultiplier = 0.9\nto = \"home\"\nstart = 2025-04-01\n[levers.d]\neffect = \"care_home_discharge\"\nmultiplier = 0.5\nto = \"hospice\"\nstart = 2025-04-01\n",
        &baseline_without_classes()
    );
    let err = iccsim::scenario::load_str(&text, "test", "baseline")
        .unwrap_err()
        .to_string();
    for message in [
        "levers.b.fund.case_managment: is not something money can buy here (did you mean `case_management`?)",
        "levers.c.to: is not read by a `length_of_stay` lever",
        "levers.d.to = \"hospice\": is not where the discharges",
    ] {
        assert!(err.contains(message), "{message}\n{err}");
    }
    // The feasibility of a multiplier is checked once the others are fine.
    let text = format!(
        "{}\n[levers.a]\neffect = \"rapid_response\"\nmultiplier = 9\nstart = 2025-04-01\n",
        &baseline_without_classes()
    );
    let err = iccsim::scenario::load_str(&text, "test", "baseline")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("levers.a: needs") && err.contains("lower the multiplier"),
        "{err}"
    );
}

/// Staff become caseload places as the scenario builds them: Copeland's
/// case management, 1.1 WTE × 40 = 44 places, with 0.5 WTE more is
/// floor(1.6 × 40) = 64; its rapid response, 3.0 × 3 = 9, with 1.5 more is
/// floor(4.5 × 3) = 13. Other ICCs are not in the rollout. Without
/// `[workforce]`: with it, the staff are recruited first
/// (`tests/it/workforce.rs`).
#[test]
fn a_capacity_lever_in_staff_becomes_caseload_places() {
    let network = baseline_without_workforce(
        1,
        "[levers.cm]\neffect = \"capacity\"\nservice = \"case_management\"\nwte = 0.5\nstart = 2025-04-01\niccs = { copeland = 2025-05-01 }\n[levers.rr]\neffect = \"capacity\"\nservice = \"rapid_response\"\nwte = 1.5\nstart = 2025-04-01\niccs = { copeland = 2025-04-01 }\n",
    );
    let places = |name: &str| {
        let service = &network.services[service_index(&network, name)];
        (
            service.capacity.places(),
            service
                .capacity_changes
                .iter()
                .map(|c| (c.from_day, c.capacity.places()))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(places("case_management_copeland"), (44, vec![(30.0, 64)]));
    assert_eq!(places("rapid_response_copeland"), (9, vec![(0.0, 13)]));
    assert!(places("case_management_eden").1.is_empty());
    let text = format!(
        "{}\n[levers.beds]\neffect = \"capacity\"\nservice = \"adult_beds\"\nwte = 3\nstart = 2025-04-01\n",
        &baseline_without_classes()
    );
    let err = iccsim::scenario::load_str(&text, "test", "baseline")
        .unwrap_err()
        .to_string();
    assert!(err.contains("levers.beds.wte: is for staff teams"), "{err}");
}

/// The baseline with constant rates (no growth, no seasonal, weekday or
/// hour-of-day shape), where arrivals need no thinning without levers.
fn flat_baseline(extra: &str) -> Network {
    baseline_set(
        1,
        &[
            "population.growth_per_year={ \"0-17\" = 0.0, \"18-64\" = 0.0, \"65-74\" = 0.0, \"75-84\" = 0.0, \"85+\" = 0.0 }",
            "population.monthly_factors=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
            "population.weekday_factors=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
            "population.elective_weekday_factors=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
            "population.hourly_factors=[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]",
        ],
        extra,
    )
}

/// Where rates are constant, a lever still thins the same candidate
/// arrivals (from a stream of its own): halving gives at most the
/// unchanged crises in every replication, and about half (binomial given
/// the unchanged count: sd/mean below 0.3%, so ±2% is over 6 sd); a
/// multiplier of 1 changes nothing.
#[test]
fn rate_levers_keep_common_random_numbers_where_rates_are_constant() {
    let plain = flat_baseline("");
    let k = position(&plain, "all", "all", "crises");
    let half = flat_baseline(
        "[levers.half]\neffect = \"crisis_rate\"\nmultiplier = 0.5\nstart = 2025-04-01\n",
    );
    let idle = flat_baseline(
        "[levers.idle]\neffect = \"crisis_rate\"\nmultiplier = 1.0\nstart = 2025-04-01\n",
    );
    let (a, b, c) = (records(&plain, 2), records(&half, 2), records(&idle, 2));
    for (x, y) in a.iter().zip(&b) {
        assert!(y.values[k] <= x.values[k]);
        let ratio = y.values[k] / x.values[k];
        assert!((ratio - 0.5).abs() < 0.01, "ratio {ratio}");
    }
    assert_same_records(&a, &c);
}

/// `managed_at_home` sets the share, so two levers on one cohort end at
/// the later one's share (not compounded), and a baseline where every
/// episode ends at home gets an ED route.
#[test]
fn managed_at_home_sets_the_share_even_from_all_at_home() {
    let network = baseline(
        1,
        "[levers.a]\neffect = \"rapid_response\"\nmanaged_at_home = 0.85\nstart = 2025-04-01\n[levers.b]\neffect = \"rapid_response\"\nmanaged_at_home = 0.9\nstart = 2025-04-01\n",
    );
    let p = pathway(
        &network,
        "crisis/copeland/85+/rest",
        "rapid_response_copeland",
    );
    assert!(close(share(&network, &p.changes[0].routes, "home"), 0.9));
    let all_home = baseline_set(
        1,
        &["community.rapid_response.managed_at_home=1.0"],
        "[levers.a]\neffect = \"rapid_response\"\nmanaged_at_home = 0.6\nstart = 2025-04-01\n",
    );
    let p = pathway(
        &all_home,
        "crisis/copeland/85+/rest",
        "rapid_response_copeland",
    );
    assert!(close(share(&all_home, &p.routes, "home"), 1.0));
    let after = &p.changes[0].routes;
    assert!(close(share(&all_home, after, "home"), 0.6));
    assert!(close(share(&all_home, after, "ed_west_cumberland"), 0.4));
}

/// A discharge hub acts on the routes as they are when each version is
/// built, so a route another lever opens is sped up too, in either order.
#[test]
fn a_discharge_lever_acts_on_routes_another_lever_opens() {
    let hub = "[levers.hub]\neffect = \"discharge_delay\"\nservice = \"community_beds\"\ndestinations = [\"reablement\"]\nmultiplier = 0.5\nstart = 2025-04-01\n";
    let d2a = "[levers.d2a]\neffect = \"care_home_discharge\"\nservice = \"community_beds\"\nto = \"reablement\"\nmultiplier = 0.5\nstart = 2025-04-01\n";
    for text in [format!("{hub}{d2a}"), format!("{d2a}{hub}")] {
        let network = baseline(1, &text);
        let p = pathway(&network, "crisis/eden/85+/rest", "community_beds_eden");
        let routes = &p.changes[0].routes;
        let i = routes
            .choices()
            .position(|(_, d)| match d {
                Destination::Service(s) => network.services[s.index()].name == "reablement_eden",
                _ => false,
            })
            .expect("a route to reablement");
        assert!(routes.choices().nth(i).unwrap().0 > 0.0);
        // [pathways.arranging] reablement: mean 1 day, halved.
        assert!((routes.delay(i).unwrap().mean() - 0.5).abs() < 1e-9);
    }
}

#[test]
fn levers_that_would_do_something_else_than_written_are_refused() {
    let cases = [
        (
            "[levers.a]\neffect = \"capacity\"\nservice = \"community_beds\"\nsites = [\"west_cumberland\"]\nchange = 2\nstart = 2025-04-01\n",
            "levers.a.sites: is for the services of a site",
        ),
        (
            "[levers.a]\neffect = \"crisis_rate\"\nmultiplier = 0.9\nsites = [\"west_cumberland\"]\nstart = 2025-04-01\n",
            "levers.a.sites: is not read by a `crisis_rate` lever",
        ),
        (
            "[levers.a]\neffect = \"care_home_discharge\"\nservice = \"community_beds\"\nto = \"community_bed\"\nmultiplier = 0.5\nstart = 2025-04-01\n",
            "levers.a.to = \"community_bed\": would send patients leaving a community bed back to one",
        ),
        (
            "[levers.a]\neffect = \"reinvestment\"\namount_per_year = 100000\nfund = { residential = 1.0 }\nstart = 2025-04-01\n",
            "costs.residential_week = 0: must be above 0 for levers.a.fund.residential",
        ),
    ];
    let free_homes = iccsim::scenario::overrides::apply_to_text(
        &baseline_without_classes(),
        "baseline",
        &["costs.residential_week=0.0".to_string()],
    )
    .unwrap();
    for (extra, message) in cases {
        let text = format!("{free_homes}\n{extra}");
        let err = match iccsim::scenario::load_str(&text, "test", "baseline") {
            Ok(_) => panic!("accepted: {extra}"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(message), "{message}\n{err}");
    }
}
