//! Delayed bed-days by reason and the pressure on a service, through the
//! files a run writes (`delays.csv`, `pressure.csv`) and the whole-system
//! breakdown: hand-written networks of a few patients with fixed stays
//! (from censuses, so nothing is left to chance), whose every delayed day
//! is known, and the baseline, whose reasons must add up to the delayed
//! bed-days and whose escalation cost must be exactly what `cost_acute`
//! gains from it.

use std::collections::HashMap;

use iccsim::engine::{CalendarDate, Distribution};
use iccsim::experiment::record::Schema;
use iccsim::model::network::{
    Cancellation, Capacity, Census, CensusStart, Destination, Escalation, FullPolicy, Network,
    Overflow, Pathway, PatientType, PatientTypeId, Readmission, RouteTable, RunSettings, Service,
    ServiceId, SinkId,
};
use iccsim::model::system::Role;
use iccsim::report::pressure::{ServiceYearSet, delays_csv, pressure_csv};

use crate::common::{info, records};

fn fixed(days: f64) -> Distribution {
    Distribution::fixed(days).unwrap()
}

const WAIT: FullPolicy = FullPolicy::Wait {
    max_wait_days: None,
    then: Overflow::Lose,
};

/// A service of patient type 0, with patients already `days_in` their stays.
fn service(name: &str, capacity: Capacity, days_in: &[f64]) -> Service {
    Service {
        name: name.to_string(),
        description: String::new(),
        capacity_unit: "beds".to_string(),
        capacity,
        capacity_changes: Vec::new(),
        when_full: WAIT,
        opening: None,
        max_admissions_per_day: None,
        schedule_changes: Vec::new(),
        discharge_weekday_factors: [1.0; 7],
        census: vec![Census {
            patient_type: PatientTypeId(0),
            start: CensusStart::DaysIn(days_in.to_vec()),
        }],
        escalation: None,
        outlying: None,
        wait_class: 0,
    }
}

/// One patient type with no arrivals from outside, over 20 days from
/// Monday 1 January 2024 without warm-up.
fn network(services: Vec<Service>, pathways: Vec<Option<Pathway>>) -> Network {
    Network {
        name: "delays".to_string(),
        title: String::new(),
        description: String::new(),
        run: RunSettings {
            start_date: CalendarDate::new(2024, 1, 1).unwrap(),
            warmup_days: 0.0,
            horizon_days: 20.0,
            replications: 1,
            seed: 1,
            occupancy_thresholds: Vec::new(),
            max_people_in_system: 100,
            max_pending_events: 200,
            max_events_per_day: 1_000,
        },
        services,
        sinks: vec!["home".to_string()],
        patient_types: vec![PatientType::new(
            "patient".to_string(),
            String::new(),
            ServiceId(0),
            0.0,
        )],
        pathways,
        layout: None,
        wait_classes: Network::default_wait_classes(),
        risk_registers: Vec::new(),
        parameters: Vec::new(),
    }
}

fn home() -> RouteTable {
    RouteTable::to(Destination::Sink(SinkId(0)))
}

/// A CSV row: column to cell.
type Row = HashMap<String, String>;

/// Rows of a CSV as maps from column to cell.
fn rows(bytes: &[u8]) -> Vec<Row> {
    let mut reader = csv::Reader::from_reader(bytes);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// `delays.csv` and `pressure.csv` of one replication of a network.
fn files(network: &Network) -> (Vec<Row>, Vec<Row>) {
    let schema = Schema::of(network);
    let records = records(network, 1);
    let set = ServiceYearSet::from_records(&schema, &records);
    let info = info(network, 1, 1);
    (
        rows(&delays_csv(network, &info, &set)),
        rows(&pressure_csv(network, &info, &set)),
    )
}

/// A ward patient ready at day 1 has its discharge arranged for 2 days,
/// then waits from day 3 to day 5 for the one home-care place (its census
/// patient leaves at day 5): 2 days arranging, 2 waiting for home care. A
/// ward2 patient ready at day 3 (a Thursday) is arranged for 2.5 days, to
/// Saturday noon, and held for the weekend to Monday noon: 2.5 days
/// arranging, 2 for a discharge day. Nothing else is delayed.
#[test]
fn delays_csv_gives_each_delayed_day_its_reason_exactly() {
    let arranging =
        |days: f64, to: Destination| RouteTable::with_delays(&[(1.0, to, Some(fixed(days)))]);
    let mut home_care = service("home_care", Capacity::Limited(1), &[0.0]);
    home_care.wait_class = 1;
    let mut ward2 = service("ward2", Capacity::Unlimited, &[0.0]);
    ward2.discharge_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    let mut network = network(
        vec![
            service("ward", Capacity::Unlimited, &[0.0]),
            home_care,
            ward2,
        ],
        vec![
            Some(Pathway::new(
                fixed(1.0),
                arranging(2.0, Destination::Service(ServiceId(1))),
            )),
            Some(Pathway::new(fixed(5.0), home())),
            Some(Pathway::new(
                fixed(3.0),
                arranging(2.5, Destination::Sink(SinkId(0))),
            )),
        ],
    );
    network.wait_classes = vec!["next_service".into(), "home_care".into()];
    let (delays, _) = files(&network);
    let found: Vec<(String, String, String, f64)> = delays
        .iter()
        .map(|r| {
            (
                r["service"].clone(),
                r["year"].clone(),
                r["reason"].clone(),
                r["bed_days"].parse().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, f64)> = [
        ("ward", "all", "arranging", 2.0),
        ("ward", "1", "arranging", 2.0),
        ("ward", "all", "home_care", 2.0),
        ("ward", "1", "home_care", 2.0),
        ("ward2", "all", "arranging", 2.5),
        ("ward2", "1", "arranging", 2.5),
        ("ward2", "all", "discharge_day", 2.0),
        ("ward2", "1", "discharge_day", 2.0),
    ]
    .iter()
    .map(|(s, y, r, d)| (s.to_string(), y.to_string(), r.to_string(), *d))
    .collect();
    let mut found_sorted = found.clone();
    let mut expected_sorted = expected.clone();
    let order = |a: &(String, String, String, f64), b: &(String, String, String, f64)| {
        (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2))
    };
    found_sorted.sort_by(order);
    expected_sorted.sort_by(order);
    assert_eq!(found_sorted, expected_sorted, "{found:?}");
    assert!(delays.iter().all(|r| r["scenario"] == "delays"
        && r["replication"] == "0"
        && r["year_start"] == if r["year"] == "1" { "2024-01-01" } else { "" }));
}

/// Two beds full from the start with one escalation place (opened at 100%,
/// closed at 50%): the ED patient ready at day 1 takes it; it stays open
/// until day 4, three patients in two beds from day 1 to day 4. A planned
/// return to a full one-bed ward is cancelled once and waits 2 days for
/// its rebooked date.
#[test]
fn pressure_csv_counts_escalation_and_cancellations_exactly() {
    let mut ward = service("ward", Capacity::Limited(2), &[0.0, 0.0]);
    ward.escalation = Some(Escalation {
        places: 1,
        open_at: 1.0,
        close_at: 0.5,
    });
    let escalating = network(
        vec![service("ed", Capacity::Unlimited, &[0.0]), ward],
        vec![
            Some(Pathway::new(
                fixed(1.0),
                RouteTable::to(Destination::Service(ServiceId(1))),
            )),
            Some(Pathway::new(fixed(4.0), home())),
        ],
    );
    let (_, pressure) = files(&escalating);
    let ward_all = pressure
        .iter()
        .find(|r| r["service"] == "ward" && r["year"] == "all")
        .expect("the escalating ward is in pressure.csv");
    assert_eq!(ward_all["escalation_open_days"], "4");
    assert_eq!(ward_all["escalation_bed_days"], "3");
    // Without a whole-system layout there is no price for it.
    assert_eq!(ward_all["cost_escalation"], "0");
    assert_eq!(ward_all["elective_cancellations"], "0");

    let mut clinic = Pathway::new(fixed(1.0), home());
    clinic.readmission = Some(Readmission {
        probability: 1.0,
        delay: fixed(0.5),
        service: ServiceId(1),
        not_after: Vec::new(),
    });
    let mut cancelling = network(
        vec![
            service("clinic", Capacity::Unlimited, &[0.0]),
            service("ward", Capacity::Limited(1), &[0.0]),
        ],
        vec![Some(clinic), Some(Pathway::new(fixed(3.0), home()))],
    );
    cancelling.patient_types[0].cancellation = Some(Cancellation {
        occupancy_at: 0.9,
        rebook_after: fixed(2.0),
        elsewhere: None,
    });
    let (delays, pressure) = files(&cancelling);
    let ward: Vec<&HashMap<String, String>> =
        pressure.iter().filter(|r| r["service"] == "ward").collect();
    assert_eq!(ward.len(), 2, "{pressure:?}");
    for row in ward {
        assert_eq!(row["elective_cancellations"], "1");
        assert_eq!(row["rebooking_peak"], "1");
        assert_eq!(row["rebooking_at_end"], "0");
        assert_eq!(row["escalation_open_days"], "0");
    }
    // The clinic has no pressure at all: not listed; nobody was delayed.
    assert!(pressure.iter().all(|r| r["service"] != "clinic"));
    assert!(delays.is_empty(), "{delays:?}");
}

/// The baseline over its first year with ten escalation beds at each
/// site (opened at 95%, closed at 90%): the reasons add up to the delayed
/// bed-days, and pricing the escalation beds changes `cost_acute` and
/// `cost_total` by exactly `cost_escalation`, which is each site's open
/// days × places × the price (nothing else moves: a price does not change
/// the flow).
#[test]
fn the_baseline_splits_its_delays_and_prices_its_escalation_beds() {
    let changes = vec![
        "run.horizon_days=365".to_string(),
        "run.warmup_days=60".into(),
    ];
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &changes,
    )
    .unwrap();
    let mut unpriced = iccsim::scenario::load_str(&text, "test", "baseline").unwrap();
    let layout = unpriced.layout.clone().unwrap();
    let acute: Vec<usize> = (0..unpriced.services.len())
        .filter(|&s| layout.services[s].role == Role::AcuteBeds)
        .collect();
    assert_eq!(acute.len(), 2);
    for &s in &acute {
        unpriced.services[s].escalation = Some(Escalation {
            places: 10,
            open_at: 0.95,
            close_at: 0.9,
        });
        // The baseline prices its own escalation beds: unpriced here.
        unpriced.layout.as_mut().unwrap().services[s]
            .costs
            .per_escalation_place_day = 0.0;
    }
    let mut priced = unpriced.clone();
    const PRICE: f64 = 600.0;
    for &s in &acute {
        priced.layout.as_mut().unwrap().services[s]
            .costs
            .per_escalation_place_day = PRICE;
    }
    let schema = Schema::of(&priced);
    let (base, with_price) = (&records(&unpriced, 1)[0], &records(&priced, 1)[0]);
    let value = |record: &iccsim::experiment::record::Record, metric: &str| {
        let i = schema
            .breakdown
            .iter()
            .position(|k| {
                k.year == "all" && k.icc == "all" && k.age_band == "all" && k.metric == metric
            })
            .unwrap_or_else(|| panic!("no {metric}"));
        record.breakdown(&schema)[i]
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);

    // Reasons add up, for acute and community beds.
    let total = value(with_price, "acute_delayed_bed_days");
    assert!(total > 0.0);
    let reasons = [
        "arranging",
        "discharge_day",
        "home_care",
        "reablement",
        "community_bed",
        "care_home",
        "other",
    ];
    let of = |prefix: &str, reason: &str| value(with_price, &format!("{prefix}_{reason}"));
    let sum: f64 = reasons
        .iter()
        .map(|r| of("acute_delayed_bed_days", r))
        .sum();
    assert!(close(sum, total), "{sum} vs {total}");
    let downstream: f64 = ["home_care", "reablement", "community_bed", "care_home"]
        .iter()
        .map(|r| of("acute_delayed_bed_days", r))
        .sum();
    assert!(close(
        value(with_price, "acute_delayed_downstream_share"),
        downstream / total
    ));
    let community = value(with_price, "community_bed_delayed_bed_days");
    let community_sum: f64 = reasons
        .iter()
        .filter(|r| **r != "community_bed")
        .map(|r| of("community_bed_delayed_bed_days", r))
        .sum();
    assert!(
        close(community_sum, community),
        "{community_sum} vs {community}"
    );

    // Escalation: open days from each site's pressure, priced.
    let open_days: f64 = schema
        .service_years
        .iter()
        .zip(with_price.service_years(&schema))
        .filter(|(k, _)| acute.contains(&k.service) && k.year == "all")
        .filter(|(k, _)| k.metric == "escalation_open_days")
        .map(|(_, v)| *v)
        .sum();
    assert!(open_days > 0.0, "the baseline never opened escalation beds");
    let cost = value(with_price, "cost_escalation");
    assert!(
        close(cost, open_days * 10.0 * PRICE),
        "{cost} vs {open_days}"
    );
    assert!(close(value(with_price, "escalation_open_days"), open_days));
    assert_eq!(value(base, "cost_escalation"), 0.0);
    for metric in ["cost_acute", "cost_total"] {
        let gained = value(with_price, metric) - value(base, metric);
        assert!(
            (gained - cost).abs() < 1e-6 * cost,
            "{metric}: {gained} vs {cost}"
        );
    }
    assert_eq!(
        value(with_price, "acute_delayed_bed_days"),
        value(base, "acute_delayed_bed_days")
    );
}

/// A whole-system batch prints the planner's sentences under its table,
/// writes both files (delays by reason adding up, per service, to the
/// delayed bed-days of `summary.csv`), and its report has the section
/// "When the hospital is full" with the chart of reasons.
#[test]
fn a_batch_says_it_in_plain_words_and_draws_the_reasons() {
    use crate::common::{iccsim, succeed};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    let output = succeed(
        iccsim()
            .args([
                "batch",
                "scenarios/north-cumbria-baseline.toml",
                "-n",
                "2",
                "--set",
                "run.horizon_days=730",
                "--report",
                "--out",
            ])
            .arg(&out),
    );
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("Of delayed acute bed-days, "), "{printed}");
    assert!(
        printed.contains("Over capacity from ") || printed.contains("Never over capacity ("),
        "{printed}"
    );
    let delays = rows(&std::fs::read(out.join("delays.csv")).unwrap());
    let summary = rows(&std::fs::read(out.join("summary.csv")).unwrap());
    let acute = "acute_cumberland_infirmary";
    let by_reason: f64 = delays
        .iter()
        .filter(|r| r["service"] == acute && r["year"] == "all" && r["replication"] == "0")
        .map(|r| r["bed_days"].parse::<f64>().unwrap())
        .sum();
    let replications = rows(&std::fs::read(out.join("replications.csv")).unwrap());
    let total: f64 = replications
        .iter()
        .find(|r| {
            r["replication"] == "0"
                && r["service"] == acute
                && r["patient_type"] == "all"
                && r["metric"] == "delayed_bed_days"
        })
        .expect("the acute site's delayed bed-days")["value"]
        .parse()
        .unwrap();
    assert!(total > 0.0);
    assert!(
        (by_reason - total).abs() < 1e-6 * total,
        "{by_reason} vs {total}"
    );
    assert!(summary.iter().any(|r| r["service"] == acute));
    let pressure = rows(&std::fs::read(out.join("pressure.csv")).unwrap());
    assert!(
        pressure
            .iter()
            .any(|r| r["service"] == acute && r["role"] == "acute_beds" && r["year"] == "2")
    );
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("When the hospital is full"));
    assert!(
        out.join("report-charts/north-cumbria-baseline-delay-reasons.svg")
            .exists()
    );
}
