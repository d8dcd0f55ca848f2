//! Paired comparison with common random numbers: a scenario identical to the
//! baseline differs by exactly zero everywhere; one more bed changes only
//! what it should; pairing shrinks the variance of the difference.

use crate::common;

use iccsim::experiment::compare::{Difference, paired};
use iccsim::experiment::record::{Record, Schema};
use iccsim::experiment::run_records;
use iccsim::model::Network;

fn records(network: &Network, n: u64) -> (Schema, Vec<Record>) {
    let keep = |_: &Record| -> Result<(), std::io::Error> { Ok(()) };
    let todo: Vec<u64> = (0..n).collect();
    let records = run_records(network, 2026, &todo, None, &keep).unwrap();
    (Schema::of(network), records)
}

fn find<'a>(diffs: &'a [Difference], labels: &[&str], metric: &str) -> &'a Difference {
    diffs
        .iter()
        .find(|d| {
            d.key.metric == metric
                && d.key
                    .labels
                    .iter()
                    .map(String::as_str)
                    .eq(labels.iter().copied())
        })
        .unwrap_or_else(|| panic!("no {labels:?} {metric}"))
}

#[test]
fn a_scenario_identical_to_the_baseline_differs_by_exactly_zero() {
    for name in [
        "reference-network-stress.toml",
        "examples/stroke-pathway.toml",
    ] {
        let network = common::shipped(name);
        let (schema, base) = records(&network, 4);
        let (_, again) = records(&network, 4);
        let diffs = paired(&schema, &base, &schema, &again);
        // Every metric and breakdown outcome (each service's delays and
        // pressure by year are not compared).
        assert_eq!(diffs.len(), schema.metrics.len() + schema.breakdown.len());
        for d in &diffs {
            for v in &d.values {
                assert!(
                    *v == 0.0 || v.is_nan(),
                    "{name}: {:?} {} differs by {v}",
                    d.key.labels,
                    d.key.metric
                );
            }
        }
    }
}

#[test]
fn one_more_bed_changes_only_what_it_should() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/reference-network-stress.toml"),
    )
    .unwrap();
    let base = common::network(&text);
    let acute = base.service_id("acute").unwrap().index();
    let iccsim::model::Capacity::Limited(beds) = base.services[acute].capacity else {
        panic!("acute is limited")
    };
    let mut alt = base.clone();
    alt.services[acute].capacity = iccsim::model::Capacity::Limited(beds + 1);
    let (schema, b) = records(&base, 12);
    let (alt_schema, a) = records(&alt, 12);
    let diffs = paired(&schema, &b, &alt_schema, &a);
    // The same patients arrive: arrivals are unchanged replication by replication.
    for labels in [["acute", "all"], ["system", "all"]] {
        let metric = if labels[0] == "system" {
            "entered"
        } else {
            "arrivals"
        };
        let d = find(&diffs, &labels, metric);
        assert!(
            d.values.iter().all(|v| *v == 0.0),
            "{labels:?} {metric}: {:?}",
            d.values
        );
    }
    // Exactly one more bed, and fewer patients lost on average.
    let capacity = find(&diffs, &["acute", "all"], "capacity_mean");
    assert!(capacity.values.iter().all(|v| (*v - 1.0).abs() < 1e-9));
    let lost = find(&diffs, &["acute", "all"], "lost");
    assert!(lost.diff.mean < 0.0, "{:?}", lost.diff);
    // Pairing: the difference of admissions varies far less than two
    // independent runs would (their variances add up).
    let admissions = find(&diffs, &["acute", "all"], "admissions");
    assert!(
        admissions.variance_ratio > 10.0,
        "{}",
        admissions.variance_ratio
    );
}

#[test]
fn whole_system_crises_are_paired_when_community_beds_change() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml"),
    )
    .unwrap();
    let busy = text.replace(
        "discharge = { home = 1.0, reablement = 0.0, community_bed = 0.0, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[pathways]",
        "discharge = { home = 0.8, reablement = 0.0, community_bed = 0.2, care_home = 0.0 }\nreadmission_30d = 0.0\n\n[pathways]",
    );
    let base = common::network(&busy.replace("community_beds = 100", "community_beds = 5"));
    let alt = common::network(&busy.replace("community_beds = 100", "community_beds = 50"));
    let (schema, b) = records(&base, 4);
    let (alt_schema, a) = records(&alt, 4);
    let diffs = paired(&schema, &b, &alt_schema, &a);
    for metric in ["crises", "ed_attendances"] {
        let d = find(&diffs, &["all", "all", "all"], metric);
        assert!(
            d.values.iter().all(|v| *v == 0.0),
            "{metric}: {:?}",
            d.values
        );
    }
    // More community beds (50 instead of 5): fewer bed-days held by
    // patients waiting for one, in every replication.
    let delayed = find(&diffs, &["all", "all", "85+"], "acute_delayed_bed_days");
    assert!(
        delayed.values.iter().all(|v| *v < 0.0),
        "{:?}",
        delayed.values
    );
}
