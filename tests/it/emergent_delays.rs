//! The consequence check of issue 21: in the recalibrated baseline, delays
//! come from queues downstream, so adding home care and community beds
//! must shorten them materially, and removing them must lengthen them.
//! Measured over the first year with common random numbers (the same seed
//! and the same patients in each variant), replication by replication.

use iccsim::model::system::Role;
use iccsim::model::{Network, ReplicationResult};

/// The baseline with every ICC's home-care hours and community beds
/// multiplied by `factor` (rounded), over one year.
fn baseline_with_downstream(factor: f64) -> Network {
    let mut document: toml::Table = iccsim::scenario::DEFAULT_SCENARIO_TOML.parse().unwrap();
    let iccs = document["iccs"].as_table_mut().unwrap();
    for (_, icc) in iccs.iter_mut() {
        let icc = icc.as_table_mut().unwrap();
        for key in ["home_care_hours_per_week", "community_beds"] {
            let value = icc[key]
                .as_integer()
                .map_or_else(|| icc[key].as_float().unwrap(), |n| n as f64);
            icc.insert(
                key.into(),
                toml::Value::Integer((value * factor).round() as i64),
            );
        }
    }
    document["run"]
        .as_table_mut()
        .unwrap()
        .insert("horizon_days".into(), toml::Value::Integer(365));
    let text = toml::to_string(&document).unwrap();
    iccsim::scenario::load_str(&text, "baseline", "baseline").unwrap()
}

/// Adult acute bed-days held by patients fit to leave in year 1, and the
/// places downstream (home-care packages and community beds).
fn delayed_acute_days(network: &Network, result: &ReplicationResult) -> f64 {
    let layout = network.layout.as_ref().unwrap();
    let mut days = 0.0;
    for (s, info) in layout.services.iter().enumerate() {
        if info.role != Role::AcuteBeds {
            continue;
        }
        for t in 0..network.patient_types.len() {
            if let Some(cell) = result.ledger.cell(t, s, 0) {
                days += cell.delayed_days;
            }
        }
    }
    days
}

fn downstream_places(network: &Network) -> f64 {
    let layout = network.layout.as_ref().unwrap();
    layout
        .services
        .iter()
        .zip(&network.services)
        .filter(|(info, _)| matches!(info.role, Role::HomeCare | Role::CommunityBeds))
        .map(|(_, service)| f64::from(service.capacity.places()))
        .sum()
}

#[test]
fn downstream_capacity_moves_delayed_acute_bed_days() {
    let variants = [0.75, 1.0, 1.25].map(baseline_with_downstream);
    let replications = 3;
    let delayed: Vec<Vec<f64>> = variants
        .iter()
        .map(|network| {
            (0..replications as u64)
                .map(|r| {
                    let result = iccsim::model::simulate(network, 2026, r, &mut ()).unwrap();
                    delayed_acute_days(network, &result)
                })
                .collect()
        })
        .collect();
    let mean = |v: usize| delayed[v].iter().sum::<f64>() / replications as f64;
    let (less, base, more) = (mean(0), mean(1), mean(2));
    let places = variants.each_ref().map(downstream_places);
    eprintln!(
        "delayed acute bed-days in year 1: {less:.0} with {} downstream places, {base:.0} with {}, {more:.0} with {}; elasticity {:.1} bed-days a year per place added, {:.1} per place removed",
        places[0],
        places[1],
        places[2],
        (base - more) / (places[2] - places[1]),
        (less - base) / (places[1] - places[0]),
    );
    // Every replication moves the same way (paired: same patients).
    for r in 0..replications {
        assert!(
            delayed[2][r] < delayed[1][r] && delayed[1][r] < delayed[0][r],
            "replication {r}: {:?}",
            delayed.iter().map(|d| d[r]).collect::<Vec<_>>()
        );
    }
    // Materially: a quarter more places downstream takes at least a
    // fifth off the delayed bed-days, a quarter fewer adds at least a
    // fifth (the replications' spread is a few per cent).
    assert!(
        more < 0.8 * base,
        "more places: {more:.0} against {base:.0}"
    );
    assert!(
        less > 1.2 * base,
        "fewer places: {less:.0} against {base:.0}"
    );
}
