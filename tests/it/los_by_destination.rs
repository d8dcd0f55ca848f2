//! Stays by destination (`stay_by_destination`): the destination drawn on
//! admission and the stay from its distribution, checked against known
//! answers (the mixture's mean, each destination's own stay, Little's law,
//! a census in equilibrium) and against the same pathway split by hand
//! into one patient type per destination; route probabilities that round
//! are scaled with a warning; and the errors that name what is missing,
//! extra or in conflict.

use crate::common::{self, iccsim, outputs, succeed};
use iccsim::experiment::ReplicationOutput;

/// One unlimited unit: arrivals at `rate` per day go to `rehab` with
/// probability `p` after a stay `rehab_stay`, else `home` after `home_stay`.
fn by_destination(rate: f64, p: f64, rehab_stay: &str, home_stay: &str, horizon: f64) -> String {
    format!(
        r#"
schema_version = 1
name = "by-destination"
sinks = ["rehab", "home"]
[run]
warmup_days = 60
horizon_days = {horizon}
[services.unit]
capacity = "unlimited"
routes = [{{ to = "rehab", probability = {p} }}, {{ to = "home", probability = {q} }}]
stay_by_destination = {{ rehab = {rehab_stay}, home = {home_stay} }}
[patient_types.stroke]
arrive_at = "unit"
rate_per_day = {rate}
"#,
        q = 1.0 - p
    )
}

/// The same pathway written as before: one patient type per destination,
/// each with its share of the arrivals, its stay and a single route.
fn split_by_hand(rate: f64, p: f64, rehab_stay: &str, home_stay: &str, horizon: f64) -> String {
    format!(
        r#"
schema_version = 1
name = "split-by-hand"
sinks = ["rehab", "home"]
[run]
warmup_days = 60
horizon_days = {horizon}
[services.unit]
capacity = "unlimited"
[patient_types.stroke_rehab]
arrive_at = "unit"
rate_per_day = {rehab_rate}
stay.unit = {rehab_stay}
routes.unit = [{{ to = "rehab", probability = 1.0 }}]
[patient_types.stroke_home]
arrive_at = "unit"
rate_per_day = {home_rate}
stay.unit = {home_stay}
routes.unit = [{{ to = "home", probability = 1.0 }}]
"#,
        rehab_rate = rate * p,
        home_rate = rate * (1.0 - p)
    )
}

/// Mean and standard error over replications.
fn mean_and_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Departures from the unit (service 0) to sink `to`, by the flow matrix.
fn departures_to(o: &ReplicationOutput, to: &str) -> u64 {
    let flows = &o.result.flows;
    let to = flows.nodes.iter().position(|n| n == to).unwrap();
    flows.get(1, to)
}

const FIXED_REHAB: &str = r#"{ dist = "fixed", value = 10.0 }"#;
const FIXED_HOME: &str = r#"{ dist = "fixed", value = 2.0 }"#;

/// Deterministic stays a = 10 (rehab, p = 0.3) and b = 2 (home): every
/// patient going to rehab stays exactly 10 days and every one going home
/// exactly 2; the mean stay is p·a + (1 − p)·b = 4.4 within its Monte
/// Carlo error (a binomial share: (a − b)·√(p(1 − p)/N)); the share going
/// to rehab is p; and the mean occupancy is λ·4.4 = 22 by Little's law,
/// within 4 standard errors of the replications' mean.
#[test]
fn deterministic_stays_by_destination_give_known_means() {
    let (rate, p, a, b) = (5.0, 0.3, 10.0, 2.0);
    let network = common::network(&by_destination(rate, p, FIXED_REHAB, FIXED_HOME, 2000.0));
    let runs = outputs(&network, 8, 11, true);
    let mut departures = 0u64;
    let mut to_rehab = 0u64;
    let mut occupancy = Vec::new();
    for o in &runs {
        for e in &o.episodes {
            let stay = e.ready_at.unwrap() - e.started_at.unwrap();
            let expected = if e.destination == "rehab" { a } else { b };
            assert!((stay - expected).abs() < 1e-6, "{e:?}");
            // Nothing delays them: they leave when ready.
            assert_eq!(e.left_at, e.ready_at.unwrap());
        }
        let unit = &o.result.services[0];
        departures += unit.length_of_stay.count();
        to_rehab += departures_to(o, "rehab");
        assert_eq!(
            departures_to(o, "rehab") + departures_to(o, "home"),
            unit.counters.departures
        );
        occupancy.push(unit.levels.as_ref().unwrap().occupancy_mean);
    }
    let n = departures as f64;
    assert!(n > 70_000.0, "{n} departures");
    let share = to_rehab as f64 / n;
    let share_se = (p * (1.0 - p) / n).sqrt();
    assert!((share - p).abs() < 4.0 * share_se, "share to rehab {share}");
    let mean_stay: f64 = runs
        .iter()
        .map(|o| o.result.services[0].length_of_stay.sum())
        .sum::<f64>()
        / n;
    let expected = p * a + (1.0 - p) * b;
    let stay_se = (a - b) * share_se;
    assert!(
        (mean_stay - expected).abs() < 4.0 * stay_se,
        "mean stay {mean_stay}, expected {expected} ± {stay_se}"
    );
    // M/G/∞: the time-average of a Poisson(λ E[S]) count; its standard
    // error is taken from the replications themselves.
    let (occupancy, se) = mean_and_se(&occupancy);
    let little = rate * expected;
    assert!(se < 0.01 * little, "se {se}");
    assert!(
        (occupancy - little).abs() < 4.0 * se,
        "occupancy {occupancy}, Little's law {little} ± {se}"
    );
}

/// One type with stays by destination and two types split by hand (their
/// rates λp and λ(1 − p)) are the same process: with lognormal stays the
/// mean and 90th centile of the stay, the mean occupancy and the
/// departures to each destination agree within 4 standard errors of their
/// difference (the replications' spread; the runs are independent).
#[test]
fn stays_by_destination_match_the_pathway_split_by_hand() {
    let (rate, p) = (4.0, 0.35);
    let rehab = r#"{ dist = "lognormal", mean = 21.0, sd = 10.0 }"#;
    let home = r#"{ dist = "lognormal", mean = 6.0, sd = 4.0 }"#;
    let one = common::network(&by_destination(rate, p, rehab, home, 1500.0));
    let split = common::network(&split_by_hand(rate, p, rehab, home, 1500.0));
    let (ones, splits) = (outputs(&one, 10, 3, false), outputs(&split, 10, 3, false));
    type Measure = fn(&ReplicationOutput) -> f64;
    let measures: [(&str, Measure); 5] = [
        ("mean stay", |o| o.result.services[0].length_of_stay.mean()),
        ("stay p90", |o| {
            o.result.services[0].length_of_stay.quantile(0.9)
        }),
        ("occupancy", |o| {
            o.result.services[0].levels.as_ref().unwrap().occupancy_mean
        }),
        ("to rehab", |o| departures_to(o, "rehab") as f64),
        ("to home", |o| departures_to(o, "home") as f64),
    ];
    for (name, measure) in measures {
        let (x, se_x) = mean_and_se(&ones.iter().map(measure).collect::<Vec<_>>());
        let (y, se_y) = mean_and_se(&splits.iter().map(measure).collect::<Vec<_>>());
        let se = (se_x * se_x + se_y * se_y).sqrt();
        assert!(se < 0.02 * y.abs(), "{name}: se {se} of {y}");
        assert!(
            (x - y).abs() < 4.0 * se,
            "{name}: {x} by destination, {y} split by hand, se {se}"
        );
    }
    // And both agree with the analytic mean stay and occupancy.
    let expected = p * 21.0 + (1.0 - p) * 6.0;
    let (stay, se) = mean_and_se(
        &ones
            .iter()
            .map(|o| o.result.services[0].length_of_stay.mean())
            .collect::<Vec<_>>(),
    );
    assert!(
        (stay - expected).abs() < 4.0 * se,
        "{stay} vs {expected} ± {se}"
    );
}

/// A census of `patients = N` where the stay depends on the destination:
/// a patient found in a ward in equilibrium is bound for rehab with
/// probability p·a / (p·a + (1 − p)·b) (they hold the beds longer), and
/// has spent a uniform share of that stay. With a = 10, b = 2, p = 0.3:
/// 3 / 4.4 = 0.682 of them, each leaving within 10 days (home within 2).
#[test]
fn a_census_draws_destination_and_time_left_together() {
    let text = by_destination(0.0, 0.3, FIXED_REHAB, FIXED_HOME, 20.0)
        .replace("warmup_days = 60", "warmup_days = 0")
        .replace(
            "capacity = \"unlimited\"",
            "capacity = \"unlimited\"\ninitial = [{ patient_type = \"stroke\", patients = 4000 }]",
        );
    let network = common::network(&text);
    let runs = outputs(&network, 1, 5, true);
    let episodes = &runs[0].episodes;
    assert_eq!(episodes.len(), 4000);
    let mut to_rehab = 0;
    for e in episodes {
        let stay = e.left_at - e.started_at.unwrap();
        match e.destination.as_str() {
            "rehab" => {
                to_rehab += 1;
                assert!(
                    e.left_at <= 10.0 + 1e-9 && (stay - 10.0).abs() < 1e-9,
                    "{e:?}"
                );
            }
            _ => assert!(
                e.left_at <= 2.0 + 1e-9 && (stay - 2.0).abs() < 1e-9,
                "{e:?}"
            ),
        }
    }
    let share = f64::from(to_rehab) / 4000.0;
    let expected: f64 = 3.0 / 4.4;
    let se = (expected * (1.0 - expected) / 4000.0).sqrt();
    assert!((share - expected).abs() < 4.0 * se, "{share} vs {expected}");
}

/// A patient type may give its own stays by destination at a service
/// (`stay_by_destination.SERVICE`), against its own routes there.
#[test]
fn a_patient_type_gives_its_own_stays_by_destination() {
    let text = r#"
schema_version = 1
sinks = ["rehab", "home"]
[run]
warmup_days = 30
horizon_days = 400
[services.unit]
capacity = "unlimited"
stay = { dist = "fixed", value = 1.0 }
routes = [{ to = "home", probability = 1.0 }]
[patient_types.stroke]
arrive_at = "unit"
rate_per_day = 3
routes.unit = [{ to = "rehab", probability = 0.5 }, { to = "home", probability = 0.5 }]
stay_by_destination.unit = { rehab = { dist = "fixed", value = 8.0 }, home = { dist = "fixed", value = 3.0 } }
"#;
    let network = common::network(text);
    let runs = outputs(&network, 1, 2, true);
    assert!(runs[0].episodes.len() > 1000);
    for e in &runs[0].episodes {
        let stay = e.ready_at.unwrap() - e.started_at.unwrap();
        let expected = if e.destination == "rehab" { 8.0 } else { 3.0 };
        assert!((stay - expected).abs() < 1e-6, "{e:?}");
    }
}

fn problems(text: &str) -> String {
    iccsim::scenario::load_str(text, "test", "test")
        .err()
        .unwrap_or_else(|| panic!("accepted:\n{text}"))
        .to_string()
}

const UNIT: &str = r#"
schema_version = 1
sinks = ["rehab", "esd", "home"]
[services.unit]
capacity = 10
routes = [{ to = "rehab", probability = 0.45 }, { to = "esd", probability = 0.30 }, { to = "home", probability = 0.25 }]
[patient_types.stroke]
arrive_at = "unit"
rate_per_day = 1
"#;

/// Every destination of the routes needs a stay (the error names it and
/// the fix), a stay for a destination the routes do not have is refused
/// with the closest name, and `stay` with `stay_by_destination` is refused.
#[test]
fn missing_extra_and_conflicting_stays_are_named() {
    let missing = problems(&format!(
        "{UNIT}\n[services.unit.stay_by_destination]\nrehab = {{ dist = \"fixed\", value = 21 }}\nhome = {{ dist = \"fixed\", value = 6 }}\n"
    ));
    assert!(
        missing.contains("services.unit.stay_by_destination: has no stay for `esd`, a destination of services.unit.routes: every destination needs its own stay; add `esd = { dist = \"lognormal\", mean = ..., sd = ... }` to it"),
        "{missing}"
    );
    let extra = problems(&format!(
        "{UNIT}\n[services.unit.stay_by_destination]\nrehab = {{ dist = \"fixed\", value = 21 }}\nesd = {{ dist = \"fixed\", value = 9 }}\nhome = {{ dist = \"fixed\", value = 6 }}\nhomme = {{ dist = \"fixed\", value = 6 }}\n"
    ));
    assert!(
        extra.contains("services.unit.stay_by_destination.homme: is not a destination of services.unit.routes (did you mean `home`?); its destinations are `rehab`, `esd`, `home`: remove it, or add a route to it"),
        "{extra}"
    );
    let both = problems(&format!(
        "{UNIT}\n[services.unit.stay_by_destination]\nrehab = {{ dist = \"fixed\", value = 21 }}\nesd = {{ dist = \"fixed\", value = 9 }}\nhome = {{ dist = \"fixed\", value = 6 }}\n"
    ).replace("capacity = 10", "capacity = 10\nstay = { dist = \"fixed\", value = 5 }"));
    assert!(
        both.contains("services.unit.stay_by_destination: is given with `services.unit.stay`: give one stay for every destination (`stay`) or one for each (`stay_by_destination`), not both"),
        "{both}"
    );
    // A bad distribution inside is named by its destination.
    let bad = problems(&format!(
        "{UNIT}\n[services.unit.stay_by_destination]\nrehab = {{ dist = \"lognormal\", mean = 21 }}\nesd = {{ dist = \"fixed\", value = 9 }}\nhome = {{ dist = \"fixed\", value = 6 }}\n"
    ));
    assert!(
        bad.contains("services.unit.stay_by_destination.rehab: dist = \"lognormal\" needs `sd`"),
        "{bad}"
    );
    // A type's own routes checked against the service's stays by destination.
    let by_type = problems(&format!(
        "{UNIT}\nroutes.unit = [{{ to = \"home\", probability = 1.0 }}]\n[services.unit.stay_by_destination]\nrehab = {{ dist = \"fixed\", value = 21 }}\nesd = {{ dist = \"fixed\", value = 9 }}\nhome = {{ dist = \"fixed\", value = 6 }}\n"
    ));
    assert!(
        by_type.contains("services.unit.stay_by_destination.rehab: is not a destination of patient_types.stroke.routes.unit; its destinations are `home`"),
        "{by_type}"
    );
}

/// `days_in` cannot say which destination a patient who has stayed so
/// long is bound for: refused, with `patients` as the way out.
#[test]
fn a_census_with_days_in_is_refused_where_the_stay_depends_on_the_destination() {
    let text = by_destination(1.0, 0.3, FIXED_REHAB, FIXED_HOME, 20.0).replace(
        "capacity = \"unlimited\"",
        "capacity = \"unlimited\"\ninitial = [{ patient_type = \"stroke\", days_in = [1.0, 2.0] }]",
    );
    let message = problems(&text);
    assert!(
        message.contains("services.unit.initial[0].days_in: is not supported where the stay depends on the destination (`stay_by_destination`); give `patients = N` instead"),
        "{message}"
    );
}

const ROUNDED: &str = r#"
schema_version = 1
sinks = ["esd", "other"]
[services.rehab]
capacity = 10
stay = { dist = "fixed", value = 5 }
routes = [{ to = "esd", probability = 0.13 }, { to = "other", probability = 0.88 }]
[patient_types.stroke]
arrive_at = "rehab"
rate_per_day = 1
"#;

/// Probabilities adding up to 1.01 (a published table that rounds) are
/// scaled to add up to 1 with a warning naming the key, the sum and the
/// scaling; 1.02 and 0.98 remain errors; within 1e-6 nothing is said.
#[test]
fn route_probabilities_that_round_are_scaled_with_a_warning() {
    let scenario = iccsim::scenario::load_scenario(ROUNDED, "test", "test").unwrap();
    let warnings: Vec<String> = scenario.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "services.rehab.routes: probabilities add up to 1.01, not 1: they were scaled to add up to 1 (each divided by 1.01), as for a published table that rounds; make them add up to 1 to silence this warning"
        ]
    );
    let pathway = scenario.network.pathways[0].as_ref().unwrap();
    let shares: Vec<f64> = pathway.routes.choices().map(|(p, _)| p).collect();
    assert!((shares[0] - 0.13 / 1.01).abs() < 1e-12, "{shares:?}");
    assert!((shares[1] - 0.88 / 1.01).abs() < 1e-12, "{shares:?}");

    let over = problems(&ROUNDED.replace("0.88", "0.89"));
    assert!(
        over.contains("services.rehab.routes: probabilities add up to 1.02, they must add up to 1 (lower them by 0.02 in all)"),
        "{over}"
    );
    let under = problems(&ROUNDED.replace("0.88", "0.85"));
    assert!(
        under.contains("probabilities add up to 0.98, they must add up to 1"),
        "{under}"
    );
    let exact =
        iccsim::scenario::load_scenario(&ROUNDED.replace("0.88", "0.87"), "test", "test").unwrap();
    assert!(exact.warnings.is_empty());
    // 0.99 is scaled up the same way.
    let low =
        iccsim::scenario::load_scenario(&ROUNDED.replace("0.88", "0.86"), "test", "test").unwrap();
    assert!(
        low.warnings[0]
            .to_string()
            .contains("add up to 0.99, not 1")
    );
}

/// The commands say the warning on stderr, once, and run.
#[test]
fn the_warning_is_said_by_validate_and_run() {
    let folder = tempfile::tempdir().unwrap();
    let file = folder.path().join("rounded.toml");
    std::fs::write(&file, ROUNDED).unwrap();
    let validate = succeed(iccsim().arg("validate").arg(&file));
    let stderr = String::from_utf8(validate.stderr).unwrap();
    assert_eq!(stderr.matches("warning: ").count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "warning: {}: services.rehab.routes: probabilities add up to 1.01, not 1",
            file.display()
        )),
        "{stderr}"
    );
    let run = succeed(
        iccsim()
            .arg("run")
            .arg(&file)
            .args(["-n", "1", "-q", "--out"])
            .arg(folder.path().join("out")),
    );
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.contains("services.rehab.routes: probabilities add up to 1.01"),
        "{stderr}"
    );
}

/// The shipped example loads, says its two rounded tables, and its stroke
/// patients' acute stays differ by destination as written.
#[test]
fn the_shipped_example_runs() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/examples/stroke-los-by-destination.toml");
    let resolved = iccsim::scenario::inherit::read_resolved(&path).unwrap();
    let (scenario, _) =
        iccsim::scenario::load_resolved(&resolved, "example", "example", &[]).unwrap();
    assert_eq!(scenario.warnings.len(), 2, "{:?}", scenario.warnings);
    let network = scenario.network;
    let stroke = network.patient_type_id("stroke").unwrap();
    let asu = network.service_id("asu").unwrap();
    let pathway = network.pathway(stroke, asu).unwrap();
    let means: Vec<f64> = pathway
        .stay_by_route
        .as_ref()
        .unwrap()
        .iter()
        .map(iccsim::engine::Distribution::mean)
        .collect();
    assert_eq!(means, [7.4, 4.6, 7.0]);
    // The stay of a stroke patient whose destination is not known is the
    // mixture: 0.24 × 7.4 + 0.13 × 4.6 + 0.63 × 7.0.
    assert!((pathway.stay.mean() - 6.784).abs() < 1e-9);
}

/// `iccsim schema` knows the key, at a service and at a type's service:
/// it accepts the shipped example and refuses a misspelt key.
#[test]
fn the_schema_knows_stay_by_destination() {
    let text = String::from_utf8(succeed(iccsim().arg("schema")).stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/examples/stroke-los-by-destination.toml");
    let document: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&serde_json::to_value(&document).unwrap())
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let by_type: toml::Table = "[patient_types.p]\nstay_by_destination.unit = { home = { dist = \"fixed\", value = 1 } }\n"
        .parse()
        .unwrap();
    assert!(validator.is_valid(&serde_json::to_value(&by_type).unwrap()));
    let misspelt: toml::Table =
        "[services.unit]\nstay_by_destinaton = { home = { dist = \"fixed\", value = 1 } }\n"
            .parse()
            .unwrap();
    assert!(!validator.is_valid(&serde_json::to_value(&misspelt).unwrap()));
    let spelt: toml::Table = misspelt
        .to_string()
        .replace("destinaton", "destination")
        .parse()
        .unwrap();
    assert!(validator.is_valid(&serde_json::to_value(&spelt).unwrap()));
}

/// Blocking behaves as before: with a full rehabilitation ward downstream,
/// patients bound for it wait in their unit bed. The unit's blocked
/// patients, its delayed days per departure and the ward's occupancy agree
/// with the pathway split by hand within 4 standard errors of their
/// difference.
#[test]
fn blocking_for_a_full_next_service_matches_the_pathway_split_by_hand() {
    let ward = r#"
[services.ward]
capacity = 9
stay = { dist = "exponential", mean = 10.0 }
routes = [{ to = "home", probability = 1.0 }]
"#;
    let rehab = r#"{ dist = "lognormal", mean = 8.0, sd = 5.0 }"#;
    let home = r#"{ dist = "lognormal", mean = 4.0, sd = 3.0 }"#;
    // Rehab becomes a service: the route to it is a transfer.
    let to_ward = |text: String| {
        text.replace("sinks = [\"rehab\", \"home\"]", "sinks = [\"home\"]")
            .replace("to = \"rehab\"", "to = \"ward\"")
            .replace("rehab = {", "ward = {")
            .replace("[patient_types.", &format!("{ward}\n[patient_types."))
    };
    let one = to_ward(by_destination(2.0, 0.35, rehab, home, 2000.0));
    let split = to_ward(split_by_hand(2.0, 0.35, rehab, home, 2000.0)).replacen(
        &format!("{ward}\n"),
        "",
        1,
    );
    let (one, split) = (common::network(&one), common::network(&split));
    // Blocking near a full ward varies much between replications: 40 of each.
    let (ones, splits) = (outputs(&one, 40, 8, false), outputs(&split, 40, 8, false));
    type Measure = fn(&ReplicationOutput) -> f64;
    let measures: [(&str, Measure); 3] = [
        ("unit blocked", |o| {
            o.result.services[0].levels.as_ref().unwrap().blocked_mean
        }),
        ("unit delayed days", |o| {
            o.result.services[0].delayed_days.mean()
        }),
        ("ward occupancy", |o| {
            o.result.services[1].levels.as_ref().unwrap().occupancy_mean
        }),
    ];
    for (name, measure) in measures {
        let (x, se_x) = mean_and_se(&ones.iter().map(measure).collect::<Vec<_>>());
        let (y, se_y) = mean_and_se(&splits.iter().map(measure).collect::<Vec<_>>());
        let se = (se_x * se_x + se_y * se_y).sqrt();
        // The ward is busy enough to block (0.7 × 10 = 7 of 9 beds offered).
        assert!(y > 0.1, "{name}: {y}");
        assert!(se < 0.2 * y, "{name}: se {se} of {y}");
        assert!(
            (x - y).abs() < 4.0 * se,
            "{name}: {x} by destination, {y} split by hand, se {se}"
        );
    }
}
