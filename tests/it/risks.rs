//! Known answers for the risks a board must see: waits for a bed (mean,
//! 90th centile, waits over 12 hours) against Erlang C, beds needed at a
//! target occupancy against Little's law, utilisation of a funded service
//! against its load, and the date of full effect of a library scenario's
//! levers. Every tolerance is a confidence interval from the replications
//! themselves (Monte Carlo error).
//!
//! The breakdown metrics exist for whole systems only: a one-ward network
//! written by hand is given a whole-system layout (one ICC, one site, one
//! emergency cohort) so that the same counting is checked against theory.

use crate::common::{network, outputs, shipped, single_service};
use iccsim::model::Network;
use iccsim::model::full_effect::FullEffect;
use iccsim::model::metrics::{M, SITE_METRICS};
use iccsim::model::system::{
    AdmissionIfEd, Cohort, DemandKind, Role, Sector, ServiceInfo, SystemLayout, UnitCosts,
};
use iccsim::stats::{Summary, erlang_c, mmc_mean_wait};

/// M/M/c acute ward: c beds, stays exponential with mean 1/μ, arrivals
/// Poisson λ a day. With c = 20, μ = 0.2, λ = 3.2 the ward is 80% busy.
const BEDS: u32 = 20;
const MU: f64 = 0.2;
const LAMBDA: f64 = 3.2;

/// A one-ward network with a layout saying the ward is `role`, and its one
/// patient type an emergency cohort of ICC 0.
fn ward_as(role: Role, ward: &str) -> Network {
    let mut net = network(&single_service(ward, LAMBDA, 200.0, 2000.0));
    let (site, icc) = match role {
        Role::AcuteBeds => (Some(0), None),
        _ => (None, Some(0)),
    };
    net.layout = Some(SystemLayout {
        iccs: vec!["only".into()],
        sites: vec!["site".into()],
        cohorts: vec![Cohort {
            icc: 0,
            age_band: 4,
            tier: "rest".into(),
            kind: DemandKind::Crisis,
            if_ed: AdmissionIfEd::default(),
            class: None,
        }],
        services: vec![ServiceInfo {
            role,
            site,
            icc,
            costs: UnitCosts::none(Sector::Acute),
        }],
        home_sink: 0,
        death_sink: 0,
        age_bands: Default::default(),
        population: vec![vec![1000.0; 5]],
        growth_per_year: vec![vec![0.0; 5]],
        gp_appointments_per_person: vec![0.0; 5],
        gp_appointment_cost: 0.0,
        price_year: "2023/24".into(),
        targets: Vec::new(),
        budget: Vec::new(),
        full_effect_from: None,
        lever_costs: Vec::new(),
        staff_costs: Vec::new(),
        workforce: Vec::new(),
    });
    net
}

fn mmc_ward() -> String {
    format!(
        r#"capacity = {BEDS}
when_full = "wait"
stay = {{ dist = "exponential", mean = {} }}"#,
        1.0 / MU
    )
}

/// One replication's breakdown values and site values.
type Run = (Vec<f64>, Vec<f64>);

/// The whole-window ("all" years, ICCs and bands) breakdown and site
/// values of each replication.
fn all_groups(net: &Network, replications: u64, seed: u64) -> Vec<Run> {
    let layout = net.layout.as_ref().unwrap();
    outputs(net, replications, seed, false)
        .iter()
        .map(|o| {
            let b = layout.breakdown(net, &o.result);
            assert_eq!(
                (b.groups[0].year, b.groups[0].icc, b.groups[0].age_band),
                (None, None, None)
            );
            assert_eq!(b.site_values[0].0, None);
            (b.values[0].clone(), b.site_values[0].1.clone())
        })
        .collect()
}

fn site_index(name: &str) -> usize {
    SITE_METRICS.iter().position(|m| m.name == name).unwrap()
}

/// Erlang C for the ward: the wait W of an admission has P(W > t) =
/// C(c, a)·e^{−(cμ−λ)t}, mean C/(cμ−λ), and 90th centile ln(10·C)/(cμ−λ).
/// The simulated share of waits over 12 hours (per site and as the
/// breakdown counts it), the mean wait and the 90th centile each have a
/// 99% CI across 20 replications containing the analytic value; the mean
/// wait plus length of stay contains Wq + 1/μ; and beds needed at 92%
/// contains L/0.92 with L = a + λ·Wq (Little's law for the ward and its
/// queue).
#[test]
fn waits_for_a_bed_match_erlang_c() {
    let net = ward_as(Role::AcuteBeds, &mmc_ward());
    let a = LAMBDA / MU;
    let theta = f64::from(BEDS) * MU - LAMBDA;
    let c = erlang_c(BEDS, a);
    let over_12h = c * (-theta * 0.5).exp();
    let wq = mmc_mean_wait(BEDS, LAMBDA, MU);
    assert!((wq - c / theta).abs() < 1e-12);
    let p90 = (10.0 * c).ln() / theta;
    assert!(
        c > 0.1 && over_12h > 0.1,
        "a ward that often waits: C = {c}"
    );

    let runs = all_groups(&net, 20, 12);
    let column = |f: &dyn Fn(&Run) -> f64| -> Summary {
        Summary::with_level(&runs.iter().map(f).collect::<Vec<_>>(), 0.99)
    };
    let share = column(&|(v, _)| {
        v[M::bed_waits_over_12h as usize] / v[M::emergency_admissions_local as usize]
    });
    assert!(
        share.contains(over_12h),
        "P(W > 0.5) {share:?} vs {over_12h}"
    );
    // One replication's share has sd ≈ 0.02 (long busy periods), so the
    // 99% half-width over 20 is ≈ 0.013: require it under a fifth of the
    // value, so the check means something.
    assert!(share.half_width() < 0.2 * over_12h, "{share:?}");
    let mean = column(&|(v, _)| v[M::bed_wait_mean as usize]);
    assert!(mean.contains(wq), "Wq {mean:?} vs {wq}");
    let centile = column(&|(v, _)| v[M::bed_wait_p90 as usize]);
    assert!(centile.contains(p90), "W p90 {centile:?} vs {p90}");
    let stay_with_wait = column(&|(v, _)| v[M::emergency_stay_with_wait_mean as usize]);
    assert!(
        stay_with_wait.contains(wq + 1.0 / MU),
        "W + S {stay_with_wait:?} vs {}",
        wq + 1.0 / MU
    );
    let needed = column(&|(_, s)| s[site_index("beds_needed_92pct")]);
    let in_system = a + LAMBDA * wq;
    assert!(
        needed.contains(in_system / 0.92),
        "beds needed {needed:?} vs {}",
        in_system / 0.92
    );
    for (_, s) in &runs {
        let ratio = s[site_index("beds_needed_85pct")] / s[site_index("beds_needed_92pct")];
        assert!((ratio - 0.92 / 0.85).abs() < 1e-12);
    }

    // The per-site count is the same count: every patient type of the
    // ward is an emergency cohort.
    let set = crate::common::results(&net, 3, 12);
    let site_counts = set.values("unit", "all", "waits_over_12h");
    for (r, (v, _)) in runs.iter().take(3).enumerate() {
        assert_eq!(site_counts[r], v[M::bed_waits_over_12h as usize]);
    }
}

/// Beds needed on a deterministic pathway: every stay lasts exactly 2 days
/// in an unlimited ward (M/D/∞), so the number in beds is Poisson with mean
/// λ·2 at every instant, nobody waits, and beds needed at 92% is λ·2/0.92.
#[test]
fn beds_needed_on_a_deterministic_pathway() {
    let ward = r#"capacity = "unlimited"
stay = { dist = "fixed", value = 2.0 }"#;
    let net = ward_as(Role::AcuteBeds, ward);
    let runs = all_groups(&net, 10, 3);
    let needed: Vec<f64> = runs
        .iter()
        .map(|(_, s)| s[site_index("beds_needed_92pct")])
        .collect();
    let expected = LAMBDA * 2.0 / 0.92;
    let summary = Summary::with_level(&needed, 0.99);
    assert!(summary.contains(expected), "{summary:?} vs {expected}");
    for (v, _) in &runs {
        assert_eq!(v[M::bed_wait_mean as usize], 0.0);
        assert_eq!(v[M::bed_waits_over_12h as usize], 0.0);
        assert_eq!(v[M::bed_wait_p90 as usize], 0.0);
        // Wait plus stay is the stay: exactly 2 days each.
        assert!((v[M::emergency_stay_with_wait_mean as usize] - 2.0).abs() < 1e-9);
    }
}

/// A funded community service of c places at load λ/μ is busy a share
/// ρ = λ/(cμ) of its place-days: the 99% CI of the simulated utilisation
/// contains 0.8, by ICC; by age band it is left empty (capacity is not
/// split by band).
#[test]
fn utilisation_of_a_funded_service_is_its_load() {
    let net = ward_as(Role::CommunityBeds, &mmc_ward());
    let rho = LAMBDA / (f64::from(BEDS) * MU);
    let layout = net.layout.as_ref().unwrap();
    let mut by_icc = Vec::new();
    for o in outputs(&net, 10, 5, false) {
        let b = layout.breakdown(&net, &o.result);
        for (group, values) in b.groups.iter().zip(&b.values) {
            let u = values[M::community_beds_utilisation as usize];
            if group.age_band.is_some() {
                assert!(u.is_nan(), "{group:?}: {u}");
            } else {
                assert!(u > 0.5 && u < 1.0, "{group:?}: {u}");
            }
            if *group
                == (iccsim::model::breakdown::Group {
                    year: None,
                    icc: Some(0),
                    age_band: None,
                })
            {
                by_icc.push(u);
            }
            // Services the layout does not have: no utilisation.
            assert!(values[M::rapid_response_utilisation as usize].is_nan());
        }
    }
    let summary = Summary::with_level(&by_icc, 0.99);
    assert!(summary.contains(rho), "{summary:?} vs {rho}");
}

/// Full effect from a library scenario's levers, computed by hand:
/// discharge-to-assess's three levers start on 2026-04-01 with ramps of
/// 6, 12 and 6 months, so full effect is 2027-04-01, the start of the
/// window's third year; enhanced-health-in-care-homes ramps over 18
/// months from 2026-04-01, to 2027-10-01, so the first whole year after it
/// is the fourth (2028-04-01 to 2029-03-31). Without levers: none.
#[test]
fn full_effect_of_library_scenarios() {
    let d2a = FullEffect::of(&shipped("library/discharge-to-assess.toml"));
    assert_eq!(d2a.from_text().as_deref(), Some("2027-04-01"));
    assert_eq!(d2a.first_full_year, Some(3));
    let care_homes = FullEffect::of(&shipped("library/enhanced-health-in-care-homes.toml"));
    assert_eq!(care_homes.from_text().as_deref(), Some("2027-10-01"));
    assert_eq!(care_homes.first_full_year, Some(4));
    let baseline = FullEffect::of(&shipped("north-cumbria-baseline.toml"));
    assert_eq!((baseline.from, baseline.first_full_year), (None, None));
}
