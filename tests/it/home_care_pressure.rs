//! Issue 21's scenario keys on the small whole system of
//! `tests/fixtures/system/minimal.toml`: home care per ICC (its capacity
//! from hours, who is sent there, its census and price), the keys of a full
//! hospital (escalation beds, outlying to the other site, transfers out,
//! cancelled electives), the whole-system wait classes, a clear error for
//! each bad value, and files without the keys compiling as before.
//!
//! Tolerance of the one simulated check: home care's package-days of year
//! 2 from referrals alone (no queue), against λ·m·365.25 of an M/G/∞
//! system, within 4 standard errors of the mean over replications, the
//! error taken from the replications' own spread.

use std::path::Path;

use iccsim::experiment::{Plan, run};
use iccsim::model::system::{Role, Sector};
use iccsim::model::{Capacity, CensusStart, Destination, FullPolicy, Network, Overflow, ServiceId};
use iccsim::scenario::load_str;

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    std::fs::read_to_string(path).unwrap()
}

/// The fixture with some text replaced (each `from` must occur).
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

fn refusal(text: &str) -> String {
    match load_str(text, "test", "test") {
        Ok(_) => panic!("the scenario was accepted"),
        Err(e) => e.to_string(),
    }
}

fn service(network: &Network, name: &str) -> usize {
    network
        .services
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn type_id(network: &Network, name: &str) -> usize {
    network
        .patient_types
        .iter()
        .position(|t| t.name == name)
        .unwrap_or_else(|| panic!("no patient type {name}"))
}

/// The routes of a type's pathway at a service: (share, destination).
fn routes(network: &Network, t: usize, s: usize) -> Vec<(f64, Destination)> {
    network.pathways[t * network.services.len() + s]
        .as_ref()
        .unwrap_or_else(|| panic!("no pathway of type {t} at service {s}"))
        .routes
        .choices()
        .collect()
}

fn id(s: usize) -> Destination {
    Destination::Service(ServiceId(s as u32))
}

const HOME_CARE: &str = "[community.home_care]
hours_per_package_week = 10.0
package = { dist = \"exponential\", mean = 100.0 }
discharge = { home = 0.5, care_home = 0.1, death = 0.4 }
occupancy_at_start = 0.5

[care_homes]";

/// The fixture with home care: 2,005 hours (200 packages of 10 hours).
fn with_home_care(extra: &[(&str, &str)]) -> String {
    let mut edits = vec![
        (
            "nursing_places = 100\n",
            "nursing_places = 100\nhome_care_hours_per_week = 2005\n",
        ),
        ("[care_homes]", HOME_CARE),
    ];
    edits.extend_from_slice(extra);
    edited(&edits)
}

#[test]
fn home_care_is_one_service_per_icc_with_whole_packages_from_hours() {
    let network = network(&with_home_care(&[(
        "gp_appointment = 45.0",
        "gp_appointment = 45.0\nhome_care_hour = 28.0",
    )]));
    let s = service(&network, "home_care_only");
    let layout = network.layout.as_ref().unwrap();
    assert_eq!(layout.services[s].role, Role::HomeCare);
    assert_eq!(layout.services[s].icc, Some(0));
    // floor(2005 / 10) = 200 packages.
    assert_eq!(network.services[s].capacity, Capacity::Limited(200));
    assert_eq!(network.services[s].capacity_unit, "packages");
    // A package-day: £28 an hour × 10 hours a week / 7, social care.
    let costs = layout.services[s].costs;
    assert_eq!(costs.sector, Sector::SocialCare);
    assert!((costs.per_place_day - 28.0 * 10.0 / 7.0).abs() < 1e-9);
    assert_eq!(costs.per_place_day_paid, 0.0);
    // Half the packages are in use at the start, part-way through.
    let census = &network.services[s].census;
    assert_eq!(census.len(), 1);
    assert!(matches!(
        census[0].start,
        CensusStart::Equilibrium { patients: 100 }
    ));
    // Packages end at home, in death or in a care home (waiting for a place).
    let t = census[0].patient_type.index();
    let ends = routes(&network, t, s);
    let residential = service(&network, "residential_only");
    let nursing = service(&network, "nursing_only");
    let share = |d: Destination| ends.iter().find(|(_, x)| *x == d).map(|(p, _)| *p);
    // care_homes.nursing_share is 0.5: 0.1 shared between the two.
    assert!(
        (share(id(residential)).unwrap() - 0.05).abs() < 1e-12,
        "{ends:?}"
    );
    assert!(
        (share(id(nursing)).unwrap() - 0.05).abs() < 1e-12,
        "{ends:?}"
    );
    assert_eq!(ends.len(), 4, "{ends:?}");
}

#[test]
fn the_discharge_shares_send_patients_to_home_care_from_hospital_reablement_and_community_beds() {
    let network = network(&with_home_care(&[
        (
            "discharge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[age_bands.\"85+\"]",
            "discharge = { home = 0.7, reablement = 0.1, community_bed = 0.1, care_home = 0.0, home_care = 0.1 }\nreadmission_30d = 0.0\n\n[age_bands.\"85+\"]",
        ),
        (
            "episode = { dist = \"exponential\", mean = 30.0 }",
            "episode = { dist = \"exponential\", mean = 30.0 }\ndischarge = { home = 0.75, home_care = 0.25 }",
        ),
        (
            "discharge = { home = 1.0, care_home = 0.0, death = 0.0 }",
            "discharge = { home = 0.5, care_home = 0.0, death = 0.0, home_care = 0.3, reablement = 0.2 }",
        ),
    ]));
    let home_care = id(service(&network, "home_care_only"));
    let reablement = id(service(&network, "reablement_only"));
    let acute = service(&network, "acute_general");
    let crisis = type_id(&network, "crisis/only/75-84/rest");
    // The 75-84 band's acute stay: 10% go to home care.
    let hospital = routes(&network, crisis, acute);
    let to_home_care: f64 = hospital
        .iter()
        .filter(|(_, d)| *d == home_care)
        .map(|(p, _)| p)
        .sum();
    assert!((to_home_care - 0.1).abs() < 1e-12, "{hospital:?}");
    // Reablement: a quarter then wait for a package.
    let re = routes(&network, crisis, service(&network, "reablement_only"));
    assert_eq!(re.len(), 2);
    assert_eq!(re[1].1, home_care);
    assert!((re[1].0 - 0.25).abs() < 1e-12);
    // Community beds: home, home care and reablement.
    let beds = routes(&network, crisis, service(&network, "community_beds_only"));
    let destinations: Vec<Destination> = beds.iter().map(|(_, d)| *d).collect();
    assert!(destinations.contains(&home_care));
    assert!(destinations.contains(&reablement));
    assert_eq!(beds.len(), 3, "{beds:?}");
}

#[test]
fn referrals_from_home_fill_home_care_as_little_s_law_says() {
    // 1,000 people aged 85+ × 100 per 1,000 a year, packages of mean 100
    // days, 200 packages (never full: the mean is 27), no census, and
    // none ending in the fixture's full care homes (they would hold the
    // package while they wait).
    let text = with_home_care(&[
        ("occupancy_at_start = 0.5\n", "occupancy_at_start = 0.0\n"),
        (
            "discharge = { home = 0.5, care_home = 0.1, death = 0.4 }",
            "discharge = { home = 0.6, care_home = 0.0, death = 0.4 }",
        ),
        (
            "readmission_30d = 0.0\n\n[pathways]",
            "readmission_30d = 0.0\nhome_care_referrals_per_1000 = 100.0\n\n[pathways]",
        ),
    ]);
    let network = network(&text);
    let s = service(&network, "home_care_only");
    let t = type_id(&network, "home_care_referral/only/85+");
    assert!((network.patient_types[t].rate_per_day - 100.0 / 365.25).abs() < 1e-12);
    let replications = 16;
    let outputs = run(
        &network,
        &Plan {
            seed: 20261207,
            replications: 0..replications,
            threads: None,
            keep_episodes: false,
        },
    )
    .unwrap();
    let year = 1;
    let per_rep: Vec<f64> = outputs
        .iter()
        .map(|o| {
            let ledger = &o.result.ledger;
            (0..network.patient_types.len())
                .filter_map(|t| ledger.cell(t, s, year))
                .map(|c| c.place_days)
                .sum::<f64>()
        })
        .collect();
    let n = per_rep.len() as f64;
    let mean = per_rep.iter().sum::<f64>() / n;
    let sd = (per_rep.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    // E[N(t)] = λ m (1 - e^{-t/m}), averaged over the second year.
    let (lambda, m) = (100.0 / 365.25, 100.0);
    let (a, b) = (365.0_f64, 730.0_f64);
    let expected = lambda * m * ((b - a) - m * ((-a / m).exp() - (-b / m).exp()));
    assert!(
        (mean - expected).abs() < 4.0 * sd / n.sqrt(),
        "package-days {mean} (sd {sd}), expected {expected}"
    );
}

#[test]
fn pressure_keys_set_escalation_outlying_transfers_out_and_cancellation() {
    let network = network(&edited(&[
        (
            "day_unit_places = 50\n",
            "day_unit_places = 50\nescalation_beds = 30\nescalation_open_at = 0.97\nescalation_close_at = 0.9\n\n[sites.second]\nadult_beds = 200\npaediatric_beds = 10\nday_unit_places = 5\n",
        ),
        (
            "elective_discharge = { home = 1.0, reablement = 0.0 }",
            "elective_discharge = { home = 1.0, reablement = 0.0 }\noutlie_after_hours = 12.0\noutlie_every_hours = 6.0\ntransfer_out_after_hours = 48.0\nelective_cancel_at = 0.98\nelective_rebook_after = { dist = \"fixed\", value = 21.0 }",
        ),
        (
            "gp_appointment = 45.0",
            "gp_appointment = 45.0\nescalation_bed_day = 400.0\nescalation_staffing_premium = 0.5",
        ),
    ]));
    let general = service(&network, "acute_general");
    let second = service(&network, "acute_second");
    let layout = network.layout.as_ref().unwrap();
    let escalation = network.services[general].escalation.expect("escalation");
    assert_eq!(escalation.places, 30);
    assert_eq!((escalation.open_at, escalation.close_at), (0.97, 0.9));
    assert!(network.services[second].escalation.is_none());
    // £400 × 1.5 for the adult beds only.
    assert!((layout.services[general].costs.per_escalation_place_day - 600.0).abs() < 1e-9);
    let paediatric = service(&network, "paediatrics_general");
    assert_eq!(
        layout.services[paediatric].costs.per_escalation_place_day,
        0.0
    );
    // Each site's adult beds outlie to the other's.
    let out = network.services[general].outlying.expect("outlying");
    assert_eq!(out.to.index(), second);
    assert!((out.after_days - 0.5).abs() < 1e-12 && (out.every_days - 0.25).abs() < 1e-12);
    assert_eq!(
        network.services[second].outlying.unwrap().to.index(),
        general
    );
    // ... and the adults' crises have a pathway there to outlie into.
    let crisis = type_id(&network, "crisis/only/75-84/rest");
    assert!(network.pathways[crisis * network.services.len() + second].is_some());
    let children = type_id(&network, "crisis/only/0-17/rest");
    assert!(network.pathways[children * network.services.len() + second].is_none());
    // Two days waiting: to other providers.
    let other = service(&network, "other_providers");
    match network.services[general].when_full {
        FullPolicy::Wait {
            max_wait_days: Some(d),
            then: Overflow::Divert(to),
        } => {
            assert!((d - 2.0).abs() < 1e-12);
            assert_eq!(to.index(), other);
        }
        ref p => panic!("{p:?}"),
    }
    // Elective types are cancelled at 98%, the others never.
    let elective = type_id(&network, "elective/only/65-74");
    let c = network.patient_types[elective]
        .cancellation
        .as_ref()
        .unwrap();
    assert_eq!(c.occupancy_at, 0.98);
    assert!(network.patient_types[crisis].cancellation.is_none());
}

#[test]
fn wait_classes_name_what_a_blocked_patient_waits_for() {
    let network = network(&fixture());
    assert_eq!(
        network.wait_classes,
        [
            "hospital_bed",
            "home_care",
            "reablement",
            "community_bed",
            "care_home",
            "community_team"
        ]
    );
    for (name, class) in [
        ("ed_general", 0),
        ("acute_general", 0),
        ("day_unit_general", 0),
        ("paediatrics_general", 0),
        ("other_providers", 0),
        ("home_care_only", 1),
        ("reablement_only", 2),
        ("community_beds_only", 3),
        ("residential_only", 4),
        ("nursing_only", 4),
        ("rapid_response_only", 5),
        ("case_management_only", 5),
    ] {
        assert_eq!(
            network.services[service(&network, name)].wait_class,
            class,
            "{name}"
        );
    }
}

#[test]
fn files_without_the_new_keys_compile_as_before() {
    let network = network(&fixture());
    let s = service(&network, "home_care_only");
    // An empty home care service, last of the ICC's, that nobody reaches.
    assert_eq!(s, network.services.len() - 1);
    assert_eq!(network.services[s].capacity, Capacity::Limited(0));
    assert!(network.services[s].census.is_empty());
    let n = network.services.len();
    for t in 0..network.patient_types.len() {
        assert!(network.pathways[t * n + s].is_none());
        for s2 in 0..n {
            if let Some(p) = &network.pathways[t * n + s2] {
                assert!(
                    p.routes.choices().all(|(_, d)| d != id(s)),
                    "type {t} is sent to home care"
                );
            }
        }
        assert!(network.patient_types[t].cancellation.is_none());
    }
    for service in &network.services {
        assert!(service.escalation.is_none() && service.outlying.is_none());
        assert!(
            !matches!(
                service.when_full,
                FullPolicy::Wait {
                    max_wait_days: Some(_),
                    then: Overflow::Divert(_)
                }
            ),
            "{}",
            service.name
        );
    }
}

#[test]
fn bad_values_of_the_new_keys_name_the_key_and_the_fix() {
    let cases: Vec<(String, &str)> = vec![
        (
            edited(&[(
                "nursing_places = 100\n",
                "nursing_places = 100\nhome_care_hours_per_week = -5\n",
            )]),
            "iccs.only.home_care_hours_per_week = -5: must be a number from 0",
        ),
        (
            edited(&[(
                "nursing_places = 100\n",
                "nursing_places = 100\nhome_care_hours_per_week = 100\n",
            )]),
            "iccs.only.home_care_hours_per_week = 100: needs [community.home_care]",
        ),
        (
            with_home_care(&[(
                "hours_per_package_week = 10.0",
                "hours_per_package_week = 0.0",
            )]),
            "community.home_care.hours_per_package_week = 0: must be a number from 0.1 to 168",
        ),
        (
            with_home_care(&[(
                "discharge = { home = 0.5, care_home = 0.1, death = 0.4 }",
                "discharge = { home = 0.5, care_home = 0.1, death = 0.3 }",
            )]),
            "community.home_care.discharge = 0.9: the shares must add up to 1 (they add up to 0.9)",
        ),
        (
            with_home_care(&[("occupancy_at_start = 0.5", "occupancy_at_start = 1.5")]),
            "community.home_care.occupancy_at_start = 1.5: must be a number from 0 to 1",
        ),
        (
            edited(&[(
                "episode = { dist = \"exponential\", mean = 30.0 }",
                "episode = { dist = \"exponential\", mean = 30.0 }\ndischarge = { home = 0.75, home_care = 0.25 }",
            )]),
            "community.home_care: is missing, but patients are sent to home care",
        ),
        (
            with_home_care(&[
                (
                    "home_care_hours_per_week = 2005",
                    "home_care_hours_per_week = 5",
                ),
                (
                    "episode = { dist = \"exponential\", mean = 30.0 }",
                    "episode = { dist = \"exponential\", mean = 30.0 }\ndischarge = { home = 0.75, home_care = 0.25 }",
                ),
            ]),
            "iccs.only.home_care_hours_per_week = 5: buys no home-care package",
        ),
        (
            edited(&[(
                "episode = { dist = \"exponential\", mean = 90.0 }",
                "episode = { dist = \"exponential\", mean = 90.0 }\ndischarge = { home = 1.0 }",
            )]),
            "community.case_management.discharge: applies to community.reablement only",
        ),
        (
            edited(&[(
                "readmission_30d = 0.0\n\n[age_bands.\"18-64\"]",
                "readmission_30d = 0.0\nhome_care_referrals_per_1000 = 1.0\n\n[age_bands.\"18-64\"]",
            )]),
            "age_bands.\"0-17\".home_care_referrals_per_1000 = 1: must be 0 for children",
        ),
        (
            edited(&[(
                "day_unit_places = 50\n",
                "day_unit_places = 50\nescalation_beds = 10\nescalation_open_at = 0.9\nescalation_close_at = 0.95\n",
            )]),
            "sites.general.escalation_close_at = 0.95: must be below escalation_open_at (0.9)",
        ),
        (
            edited(&[(
                "day_unit_places = 50\n",
                "day_unit_places = 50\nescalation_beds = 10\nescalation_open_at = 1.2\n",
            )]),
            "sites.general.escalation_open_at = 1.2: must be a number from",
        ),
        (
            edited(&[(
                "day_unit_places = 50\n",
                "day_unit_places = 50\nescalation_open_at = 0.9\n",
            )]),
            "sites.general.escalation_open_at = 0.9: has no effect without escalation_beds",
        ),
        (
            edited(&[(
                "day_unit_places = 50\n",
                "day_unit_places = 50\nescalation_beds = 2.5\n",
            )]),
            "sites.general.escalation_beds = 2.5: must be a whole number",
        ),
        (
            edited(&[("arranging = {}", "arranging = {}\noutlie_after_hours = 0.0")]),
            "pathways.outlie_after_hours = 0: must be a number from",
        ),
        (
            edited(&[("arranging = {}", "arranging = {}\noutlie_every_hours = 4.0")]),
            "pathways.outlie_every_hours = 4: needs outlie_after_hours",
        ),
        (
            edited(&[(
                "arranging = {}",
                "arranging = {}\ntransfer_out_after_hours = -1.0",
            )]),
            "pathways.transfer_out_after_hours = -1: must be a number from",
        ),
        (
            edited(&[(
                "arranging = {}",
                "arranging = {}\nelective_cancel_at = 0.95",
            )]),
            "pathways.elective_rebook_after: is needed with elective_cancel_at (0.95)",
        ),
        (
            edited(&[(
                "arranging = {}",
                "arranging = {}\nelective_cancel_at = 1.5\nelective_rebook_after = { dist = \"fixed\", value = 21.0 }",
            )]),
            "pathways.elective_cancel_at = 1.5: must be a number from",
        ),
        (
            edited(&[(
                "gp_appointment = 45.0",
                "gp_appointment = 45.0\nescalation_staffing_premium = -0.5",
            )]),
            "costs.escalation_staffing_premium = -0.5: must be a number from 0 to 10",
        ),
        (
            edited(&[(
                "gp_appointment = 45.0",
                "gp_appointment = 45.0\nhome_care_hour = -1.0",
            )]),
            "costs.home_care_hour = -1: must be a number from 0",
        ),
        (
            edited(&[(
                "discharge = { home = 1.0, care_home = 0.0, death = 0.0 }",
                "discharge = { home = 1.0, care_home = 0.0, death = 0.0 }\nmax_wait_days = 0.0",
            )]),
            "community.community_beds.max_wait_days = 0: must be a number from 0.0001",
        ),
        (
            with_home_care(&[(
                "occupancy_at_start = 0.5",
                "occupancy_at_start = 0.5\nmax_wait_days = -1.0",
            )]),
            "community.home_care.max_wait_days = -1: must be a number from 0.0001",
        ),
    ];
    for (text, expected) in cases {
        let message = refusal(&text);
        assert!(
            message.contains(expected),
            "expected `{expected}` in:\n{message}"
        );
    }
}

#[test]
fn a_capacity_lever_adds_home_care_packages() {
    let text = with_home_care(&[])
        + "\n[levers.more_home_care]\neffect = \"capacity\"\nservice = \"home_care\"\nchange = 20\nstart = 2025-10-01\n";
    let network = network(&text);
    let s = service(&network, "home_care_only");
    assert_eq!(network.services[s].capacity, Capacity::Limited(200));
    let changes = &network.services[s].capacity_changes;
    assert!(!changes.is_empty());
    assert_eq!(changes.last().unwrap().capacity, Capacity::Limited(220));
}

#[test]
fn a_longest_wait_for_a_community_bed_or_a_package_then_goes_without() {
    let plain = network(&fixture());
    let network = network(&with_home_care(&[
        (
            "discharge = { home = 1.0, care_home = 0.0, death = 0.0 }",
            "discharge = { home = 1.0, care_home = 0.0, death = 0.0 }\nmax_wait_days = 28.0",
        ),
        (
            "occupancy_at_start = 0.5",
            "occupancy_at_start = 0.5\nmax_wait_days = 42.0",
        ),
    ]));
    for (name, days) in [("community_beds_only", 28.0), ("home_care_only", 42.0)] {
        match network.services[service(&network, name)].when_full {
            FullPolicy::Wait {
                max_wait_days: Some(d),
                then: Overflow::Lose,
            } => assert_eq!(d, days, "{name}"),
            ref p => panic!("{name}: {p:?}"),
        }
    }
    // Without the key: waits for ever.
    assert!(matches!(
        plain.services[service(&plain, "community_beds_only")].when_full,
        FullPolicy::Wait {
            max_wait_days: None,
            ..
        }
    ));
}
