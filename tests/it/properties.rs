//! Properties of random valid networks and of random changes to the whole
//! system (proptest): people are conserved, capacity is never exceeded, no
//! level goes negative, results are finite where defined and identical
//! when run twice; and no text whatever makes the scenario loader panic.

use proptest::prelude::*;

use crate::common;

/// Options of one random service.
#[derive(Clone, Debug)]
struct ServiceSpec {
    capacity: u32,
    policy: u8,
    mean: f64,
    dist: u8,
    p_next: f64,
    weekend: bool,
    opening: u8,
    daily_limit: Option<u32>,
    cut_to: Option<u32>,
}

fn service_spec() -> impl Strategy<Value = ServiceSpec> {
    (
        (1u32..12, 0u8..4, 0.05f64..3.0, 0u8..3, 0.0f64..1.0),
        (
            proptest::bool::ANY,
            0u8..4,
            proptest::option::weighted(0.3, 1u32..10),
            proptest::option::weighted(0.3, 0u32..12),
        ),
    )
        .prop_map(
            |((capacity, policy, mean, dist, p_next), (weekend, opening, daily_limit, cut_to))| {
                ServiceSpec {
                    capacity,
                    policy,
                    mean,
                    dist,
                    p_next,
                    weekend,
                    opening,
                    daily_limit,
                    cut_to,
                }
            },
        )
}

/// A random chain of 1 to 4 services with random capacities, policies
/// (wait, lose, wait with a maximum, divert forward), stays, weekend
/// discharge rules, opening hours, daily limits and capacity changes, fed
/// by arrivals with random yearly growth and, half the time, weekday factors.
fn scenario_text() -> impl Strategy<Value = (String, Vec<ServiceSpec>)> {
    (proptest::collection::vec(service_spec(), 1..5), 0.5f64..12.0, 0.0f64..20.0, -0.5f64..1.0, proptest::bool::ANY).prop_map(|(services, rate, warmup, growth, weekly)| {
        let n = services.len();
        let mut text = format!("schema_version = 1\nsinks = [\"home\"]\n[run]\nwarmup_days = {warmup}\nhorizon_days = 60\n");
        for (i, spec) in services.iter().enumerate() {
            let mean = spec.mean;
            let when_full = match spec.policy {
                0 => "when_full = \"wait\"".to_string(),
                1 => "when_full = \"lose\"".to_string(),
                2 => "when_full = \"wait\"\nmax_wait_days = 0.5".to_string(),
                _ if i + 1 < n => format!("when_full = \"divert\"\ndivert_to = \"s{}\"", i + 1),
                _ => "when_full = \"lose\"".to_string(),
            };
            let stay = match spec.dist {
                0 => format!("{{ dist = \"exponential\", mean = {mean} }}"),
                1 => format!("{{ dist = \"lognormal\", mean = {mean}, sd = {} }}", mean * 1.5),
                _ => format!("{{ dist = \"mixture\", components = [{{ weight = 0.3, dist = \"fixed\", value = 0 }}, {{ weight = 0.7, dist = \"gamma\", mean = {mean}, sd = {mean} }}] }}"),
            };
            let routes = if i + 1 < n {
                format!("[{{ to = \"s{}\", probability = {} }}, {{ to = \"home\", probability = {} }}]", i + 1, spec.p_next, 1.0 - spec.p_next)
            } else {
                "[{ to = \"home\", probability = 1.0 }]".to_string()
            };
            let mut extra = String::new();
            if spec.weekend {
                extra.push_str("discharge_weekday_factors = [1, 1, 1, 1, 1, 0.5, 0.3]\n");
            }
            match spec.opening {
                1 => extra.push_str("opening = { days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"], open_hour = 8, close_hour = 18 }\n"),
                2 => extra.push_str("opening = { open_hour = 0, close_hour = 24 }\n"),
                _ => {}
            }
            if let Some(limit) = spec.daily_limit {
                extra.push_str(&format!("max_admissions_per_day = {limit}\n"));
            }
            if let Some(cut) = spec.cut_to {
                extra.push_str(&format!("capacity_changes = [{{ day = 20, capacity = {cut} }}]\n"));
            }
            text.push_str(&format!("[services.s{i}]\ncapacity = {}\n{when_full}\nstay = {stay}\nroutes = {routes}\n{extra}", spec.capacity));
        }
        // Growth and weekday factors send arrivals through thinning.
        let weekly = if weekly { "weekday_factors = [1.5, 1, 1, 1, 1, 0.4, 0.2]\n" } else { "" };
        text.push_str(&format!("[patient_types.p]\narrive_at = \"s0\"\nrate_per_day = {rate}\ngrowth_per_year = {growth}\n{weekly}"));
        (text, services)
    })
}

proptest! {
    // A fixed seed keeps CI deterministic; explore further with e.g.
    // `PROPTEST_CASES=5000 cargo test --release --test it properties::`.
    #![proptest_config(ProptestConfig {
        cases: 128,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_123),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_networks_keep_their_invariants((text, specs) in scenario_text(), seed in 0u64..1000) {
        let network = common::network(&text);
        let first = iccsim::model::simulate(&network, seed, 0, &mut ()).unwrap();
        let s = &first.system;
        prop_assert_eq!(s.entered_total, s.left_total + s.lost_total + s.in_system_at_end);
        for (i, (service, result)) in network.services.iter().zip(&first.services).enumerate() {
            let spec = &specs[i];
            let levels = result.levels.as_ref().unwrap();
            let most = service.capacity.places().max(spec.cut_to.unwrap_or(0));
            // A level that went below zero would wrap to u32::MAX here.
            prop_assert!(levels.occupancy_peak <= most, "peak {} > {}", levels.occupancy_peak, most);
            prop_assert!(levels.occupancy_mean >= 0.0 && levels.occupancy_mean <= f64::from(levels.occupancy_peak) + 1e-9);
            prop_assert!(levels.blocked_mean >= 0.0 && levels.blocked_mean <= levels.occupancy_mean + 1e-9);
            prop_assert!(levels.waiting_mean >= 0.0);
            let shares: f64 = levels.occupancy_distribution.iter().sum();
            prop_assert!((shares - 1.0).abs() < 1e-9, "occupancy shares sum to {}", shares);
            // The daily series add up to the window totals.
            let daily = &first.daily[i];
            let daily_mean = daily.occupancy_area.iter().sum::<f64>() / 60.0;
            prop_assert!((daily_mean - levels.occupancy_mean).abs() <= 1e-9 * (1.0 + levels.occupancy_mean), "daily {} vs {}", daily_mean, levels.occupancy_mean);
            let c = &result.counters;
            prop_assert_eq!(daily.admissions.iter().map(|&n| u64::from(n)).sum::<u64>(), c.admissions);
            prop_assert_eq!(daily.arrivals.iter().map(|&n| u64::from(n)).sum::<u64>(), c.arrivals);
            if let Some(limit) = spec.daily_limit {
                prop_assert!(daily.admissions.iter().all(|&n| n <= limit));
            }
            prop_assert!(c.lost + c.diverted <= c.arrivals + c.timed_out);
            if c.departures > 0 {
                prop_assert!(result.length_of_stay.mean().is_finite() && result.length_of_stay.mean() >= 0.0);
            }
        }
        // Runs are a pure function of (scenario, seed, replication).
        let again = iccsim::model::simulate(&network, seed, 0, &mut ()).unwrap();
        prop_assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn no_text_makes_the_loader_panic(text in "\\PC{0,400}") {
        let _ = iccsim::scenario::load_str(&text, "fuzz", "fuzz");
    }

    #[test]
    fn mangled_valid_scenarios_fail_cleanly(which in 0usize..2, cut in 0usize..40000, insert in "[ =\\[\\]{}\"a-z0-9.,-]{0,12}") {
        let base = [
            iccsim::scenario::DEFAULT_SCENARIO_TOML,
            iccsim::scenario::REFERENCE_NETWORK_TOML,
        ][which];
        let at = base.char_indices().map(|(i, _)| i).nth(cut % base.chars().count()).unwrap_or(0);
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        match iccsim::scenario::load_str(&text, "mangled", "mangled") {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

/// Random changes to the whole-system baseline, as a strategist would make
/// them with `--set`: horizon, warm-up, beds at each site (a quarter to
/// double), community beds, an ICC's oldest population, staff and growth,
/// all within what validation accepts.
fn system_settings() -> impl Strategy<Value = Vec<String>> {
    (
        (30u32..=90, 0u32..=30),
        (100u32..=810, 60u32..=540),
        (5u32..=60, 0u32..=20_000),
        (0.5f64..=20.0, -0.1f64..=0.2),
    )
        .prop_map(
            |((horizon, warmup), (carlisle, west), (community, oldest), (wte, growth))| {
                vec![
                    format!("run.horizon_days={horizon}"),
                    format!("run.warmup_days={warmup}"),
                    format!("sites.cumberland_infirmary.adult_beds={carlisle}"),
                    format!("sites.west_cumberland.adult_beds={west}"),
                    format!("iccs.copeland.community_beds={community}"),
                    format!("iccs.copeland.population.\"85+\"={oldest}"),
                    format!("iccs.copeland.rapid_response_wte={wte}"),
                    format!("population.growth_per_year.\"85+\"={growth}"),
                ]
            },
        )
}

proptest! {
    // Each case validates and runs the 224-type whole system for 30 to 90
    // days (about 50 ms in the test profile); more by hand with
    // PROPTEST_CASES=1000.
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20_261_203),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_whole_systems_keep_their_invariants(settings in system_settings(), seed in 0u64..1000) {
        let text = iccsim::scenario::overrides::apply_to_text(
            iccsim::scenario::DEFAULT_SCENARIO_TOML, "baseline", &settings).unwrap();
        let network = iccsim::scenario::load_str(&text, "baseline", "baseline")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let result = iccsim::model::simulate(&network, seed, 0, &mut ()).unwrap();
        let s = &result.system;
        prop_assert_eq!(s.entered_total, s.left_total + s.lost_total + s.in_system_at_end);
        for (service, outcome) in network.services.iter().zip(&result.services) {
            let levels = outcome.levels.as_ref().unwrap();
            // Escalation places open above the capacity in force.
            let most = std::iter::once(service.capacity)
                .chain(service.capacity_changes.iter().map(|c| c.capacity))
                .map(|c| c.places())
                .max()
                .unwrap_or(0)
                + service.escalation.map_or(0, |e| e.places);
            prop_assert!(levels.occupancy_peak <= most, "{}: peak {} > {}", service.name, levels.occupancy_peak, most);
            prop_assert!(levels.occupancy_mean.is_finite() && levels.occupancy_mean >= 0.0);
            prop_assert!(levels.blocked_mean >= 0.0 && levels.waiting_mean >= 0.0);
            let c = &outcome.counters;
            prop_assert!(c.lost + c.diverted <= c.arrivals + c.timed_out);
            for sketch in [&outcome.length_of_stay, &outcome.wait, &outcome.delayed_days] {
                prop_assert!(sketch.count() == 0 || (sketch.mean().is_finite() && sketch.mean() >= 0.0));
            }
        }
    }
}
