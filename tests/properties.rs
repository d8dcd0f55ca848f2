//! Properties of random valid networks (proptest): people are conserved,
//! capacity is never exceeded, no level goes negative, results are finite
//! where defined and identical when run twice; and no text whatever makes
//! the scenario loader panic.

use proptest::prelude::*;

mod common;

/// A random scenario of 1 to 4 services in a chain with random capacities,
/// policies, stays and a share going home at each step.
fn scenario_text() -> impl Strategy<Value = String> {
    let service = (
        1u32..12,
        0u8..3,
        0.05f64..3.0,
        0u8..3,
        0.0f64..1.0,
        proptest::bool::ANY,
    );
    (proptest::collection::vec(service, 1..5), 0.5f64..12.0, 0.0f64..20.0).prop_map(|(services, rate, warmup)| {
        let n = services.len();
        let mut text = format!("schema_version = 1\nsinks = [\"home\"]\n[run]\nwarmup_days = {warmup}\nhorizon_days = 60\n");
        for (i, (capacity, policy, mean, dist, p_next, weekend)) in services.into_iter().enumerate() {
            let when_full = match policy {
                0 => "when_full = \"wait\"".to_string(),
                1 => "when_full = \"lose\"".to_string(),
                _ => "when_full = \"wait\"\nmax_wait_days = 0.5".to_string(),
            };
            let stay = match dist {
                0 => format!("{{ dist = \"exponential\", mean = {mean} }}"),
                1 => format!("{{ dist = \"lognormal\", mean = {mean}, sd = {} }}", mean * 1.5),
                _ => format!("{{ dist = \"mixture\", components = [{{ weight = 0.3, dist = \"fixed\", value = 0 }}, {{ weight = 0.7, dist = \"gamma\", mean = {mean}, sd = {mean} }}] }}"),
            };
            let routes = if i + 1 < n {
                format!("[{{ to = \"s{}\", probability = {p_next} }}, {{ to = \"home\", probability = {} }}]", i + 1, 1.0 - p_next)
            } else {
                "[{ to = \"home\", probability = 1.0 }]".to_string()
            };
            let weekend = if weekend { "discharge_weekday_factors = [1, 1, 1, 1, 1, 0.5, 0.3]\n" } else { "" };
            text.push_str(&format!("[services.s{i}]\ncapacity = {capacity}\n{when_full}\nstay = {stay}\nroutes = {routes}\n{weekend}"));
        }
        text.push_str(&format!("[patient_types.p]\narrive_at = \"s0\"\nrate_per_day = {rate}\n"));
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_networks_keep_their_invariants(text in scenario_text(), seed in 0u64..1000) {
        let network = common::network(&text);
        let first = iccsim::model::simulate(&network, seed, 0, &mut ()).unwrap();
        let s = &first.system;
        prop_assert_eq!(s.entered_total, s.left_total + s.lost_total + s.in_system_at_end);
        for (service, result) in network.services.iter().zip(&first.services) {
            let levels = result.levels.as_ref().unwrap();
            prop_assert!(levels.occupancy_peak <= service.capacity.places());
            prop_assert!(levels.occupancy_mean >= 0.0 && levels.occupancy_mean <= f64::from(levels.occupancy_peak) + 1e-9);
            prop_assert!(levels.blocked_mean >= 0.0 && levels.waiting_mean >= 0.0);
            let shares: f64 = levels.occupancy_distribution.iter().sum();
            prop_assert!((shares - 1.0).abs() < 1e-9, "occupancy shares sum to {}", shares);
            let c = &result.counters;
            prop_assert!(c.admissions <= c.arrivals + 1_000_000);
            prop_assert!(c.lost + c.diverted <= c.arrivals + c.timed_out);
            if c.departures > 0 {
                prop_assert!(result.length_of_stay.mean().is_finite() && result.length_of_stay.mean() >= 0.0);
            }
        }
        let again = iccsim::model::simulate(&network, seed, 0, &mut ()).unwrap();
        prop_assert_eq!(format!("{:?}", first.system.time_in_system.mean()), format!("{:?}", again.system.time_in_system.mean()));
        prop_assert_eq!(first.flows, again.flows);
    }

    #[test]
    fn no_text_makes_the_loader_panic(text in "\\PC{0,400}") {
        let _ = iccsim::scenario::load_str(&text, "fuzz", "fuzz");
    }

    #[test]
    fn mangled_valid_scenarios_fail_cleanly(cut in 0usize..2000, insert in "[ =\\[\\]{}\"a-z0-9.,-]{0,12}") {
        let base = iccsim::scenario::DEFAULT_SCENARIO_TOML;
        let at = base.char_indices().map(|(i, _)| i).nth(cut % base.chars().count()).unwrap_or(0);
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        match iccsim::scenario::load_str(&text, "mangled", "mangled") {
            Ok(_) => {}
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}
