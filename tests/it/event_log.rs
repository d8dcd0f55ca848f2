//! The event log (`event_log.csv`, `--event-log`): exact rows of two- and
//! three-patient networks with fixed stays (censuses and fixed
//! readmission delays: nothing is left to chance), the person kept across
//! a readmission, visits still open at the end, warm-up rows flagged;
//! then, through the command, each case's events in order, the same bytes
//! on one thread and two, and the other files unchanged by the log.

use std::collections::HashMap;

use iccsim::engine::{CalendarDate, Distribution};
use iccsim::model::network::{
    Capacity, Census, CensusStart, Destination, FullPolicy, Network, Overflow, Pathway,
    PatientType, PatientTypeId, Readmission, RouteTable, RunSettings, Service, ServiceId, SinkId,
};
use iccsim::model::simulate;
use iccsim::report::event_log::{EVENT_LOG_COLUMNS, EventLogWriter};

use crate::common::iccsim;

fn fixed(days: f64) -> Distribution {
    Distribution::fixed(days).unwrap()
}

fn to_service(index: u32) -> RouteTable {
    RouteTable::to(Destination::Service(ServiceId(index)))
}

fn to_sink(index: u32) -> RouteTable {
    RouteTable::to(Destination::Sink(SinkId(index)))
}

const WAIT: FullPolicy = FullPolicy::Wait {
    max_wait_days: None,
    then: Overflow::Lose,
};

/// A service of the one patient type, with patients already `days_in`
/// their stays at the start.
fn service(name: &str, capacity: Capacity, when_full: FullPolicy, days_in: &[f64]) -> Service {
    Service {
        name: name.to_string(),
        description: String::new(),
        capacity_unit: "beds".to_string(),
        capacity,
        capacity_changes: Vec::new(),
        when_full,
        opening: None,
        max_admissions_per_day: None,
        schedule_changes: Vec::new(),
        discharge_weekday_factors: [1.0; 7],
        census: if days_in.is_empty() {
            Vec::new()
        } else {
            vec![Census {
                patient_type: PatientTypeId(0),
                start: CensusStart::DaysIn(days_in.to_vec()),
            }]
        },
        escalation: None,
        outlying: None,
        wait_class: 0,
    }
}

/// One patient type with no arrivals from outside, a 20-day window from
/// Monday 1 January 2024 after `warmup_days`.
fn network(services: Vec<Service>, sinks: &[&str], pathways: Vec<Option<Pathway>>) -> Network {
    Network {
        name: "log".to_string(),
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
        sinks: sinks.iter().map(|s| s.to_string()).collect(),
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

/// The log of replication 0 as CSV rows (a map of column to value each).
fn log_rows(network: &Network) -> Vec<HashMap<String, String>> {
    let mut bytes = Vec::new();
    let mut log =
        EventLogWriter::new(&mut bytes, network.run.start_date, network.run.warmup_days).unwrap();
    simulate(network, 7, 0, &mut log).unwrap();
    log.finish().unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, EVENT_LOG_COLUMNS);
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Each row as `time_days lifecycle activity case patient place`.
fn brief(rows: &[HashMap<String, String>]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            format!(
                "{} {} {} {} #{} {}",
                r["time_days"],
                r["lifecycle"],
                r["activity"],
                r["case_id"],
                r["patient"],
                r["resource_id"]
            )
            .trim_end()
            .to_string()
        })
        .collect()
}

fn assert_rows(rows: &[String], expected: &[&str]) {
    assert_eq!(rows, expected, "\nthe rows were:\n{}", rows.join("\n"));
}

/// Two patients in ED (one census each, half a day apart) go to a
/// one-bed ward: the second takes bed 1 at 0.5 and gives up ED place 2;
/// the first, ready at 1, waits holding ED place 1 (its `end` row comes
/// before its `depart` from ED at 2.5, when it takes the ward's bed, which
/// is 1 again). Every row, with its time, place and visit, is known.
#[test]
fn a_blocked_patient_has_known_rows_places_and_visits() {
    let network = network(
        vec![
            service("ed", Capacity::Unlimited, WAIT, &[0.0, 0.5]),
            service("ward", Capacity::Limited(1), WAIT, &[]),
        ],
        &["home"],
        vec![
            Some(Pathway::new(fixed(1.0), to_service(1))),
            Some(Pathway::new(fixed(2.0), to_sink(0))),
        ],
    );
    let rows = log_rows(&network);
    assert_rows(
        &brief(&rows),
        &[
            "0 enter census 0-0 #0",
            "0 arrival ed 0-0 #0",
            "0 start ed 0-0 #0 1",
            "0 enter census 0-1 #1",
            "0 arrival ed 0-1 #1",
            "0 start ed 0-1 #1 2",
            "0.5 end ed 0-1 #1 2",
            "0.5 arrival ward 0-1 #1",
            "0.5 depart ed 0-1 #1 2",
            "0.5 start ward 0-1 #1 1",
            "1 end ed 0-0 #0 1",
            "1 arrival ward 0-0 #0",
            "2.5 end ward 0-1 #1 1",
            "2.5 depart ward 0-1 #1 1",
            "2.5 exit home 0-1 #1",
            "2.5 depart ed 0-0 #0 1",
            "2.5 start ward 0-0 #0 1",
            "4.5 end ward 0-0 #0 1",
            "4.5 depart ward 0-0 #0 1",
            "4.5 exit home 0-0 #0",
        ],
    );
    // Ids, timestamps and vidigi's columns of a few rows.
    let ids: Vec<&str> = rows.iter().map(|r| r["event_id"].as_str()).collect();
    assert_eq!(ids.first(), Some(&"1"));
    assert_eq!(ids.last(), Some(&"20"));
    let row = |i: usize| &rows[i];
    // Patient #0's ED visit: arrival, start, end and depart share an id.
    let ed_visit = &row(1)["activity_instance_id"];
    for i in [2, 10, 15] {
        assert_eq!(&row(i)["activity_instance_id"], ed_visit);
    }
    // Its ward visit is another, opened when it asked for the ward.
    assert_eq!(
        row(11)["activity_instance_id"],
        row(16)["activity_instance_id"]
    );
    assert_ne!(&row(11)["activity_instance_id"], ed_visit);
    assert_eq!(row(6)["timestamp"], "2024-01-01T12:00:00");
    assert_eq!(row(17)["timestamp"], "2024-01-05T12:00:00");
    assert_eq!(row(0)["event_type"], "arrival_departure");
    assert_eq!(row(0)["event"], "arrival");
    assert_eq!(row(9)["event_type"], "resource_use");
    assert_eq!(row(9)["event"], "ward_begins");
    assert_eq!(row(8)["event_type"], "resource_use_end");
    assert_eq!(row(8)["event"], "ed_ends");
    assert_eq!(row(11)["event"], "ward_wait_begins");
    assert_eq!(row(19)["event"], "depart");
    assert!(rows.iter().all(|r| r["pathway"] == "patient"));
    assert!(rows.iter().all(|r| r["in_warmup"] == "false"));
}

/// A patient who leaves a clinic returns half a day later to a full ward:
/// the readmission is a new patient record (#2) of the same person (case
/// 0-0), entering as a `readmission`.
#[test]
fn a_readmission_keeps_the_persons_case_id() {
    let mut clinic = Pathway::new(fixed(1.0), to_sink(0));
    clinic.readmission = Some(Readmission {
        probability: 1.0,
        delay: fixed(0.5),
        service: ServiceId(1),
        not_after: Vec::new(),
    });
    let network = network(
        vec![
            service("clinic", Capacity::Unlimited, WAIT, &[0.0]),
            service("ward", Capacity::Limited(1), WAIT, &[0.0]),
        ],
        &["home"],
        vec![Some(clinic), Some(Pathway::new(fixed(3.0), to_sink(0)))],
    );
    assert_rows(
        &brief(&log_rows(&network)),
        &[
            "0 enter census 0-0 #0",
            "0 arrival clinic 0-0 #0",
            "0 start clinic 0-0 #0 1",
            "0 enter census 0-1 #1",
            "0 arrival ward 0-1 #1",
            "0 start ward 0-1 #1 1",
            "1 end clinic 0-0 #0 1",
            "1 depart clinic 0-0 #0 1",
            "1 exit home 0-0 #0",
            "1.5 enter readmission 0-0 #2",
            "1.5 arrival ward 0-0 #2",
            "3 end ward 0-1 #1 1",
            "3 depart ward 0-1 #1 1",
            "3 exit home 0-1 #1",
            "3 start ward 0-0 #2 1",
            "6 end ward 0-0 #2 1",
            "6 depart ward 0-0 #2 1",
            "6 exit home 0-0 #2",
        ],
    );
}

/// Two patients ready in ED at once find the one-bed ward taken, wait a
/// quarter of a day at most, and are diverted to the one-bed annex: the
/// first takes it, the second is lost there (leaving its ED place). The
/// ward's patient is still in at the end of the window: its visit is
/// written open (arrival and start, no end).
#[test]
fn timed_out_diverted_lost_and_open_visits_are_written() {
    let ward_full = FullPolicy::Wait {
        max_wait_days: Some(0.25),
        then: Overflow::Divert(ServiceId(2)),
    };
    let network = network(
        vec![
            service("ed", Capacity::Unlimited, WAIT, &[0.0, 0.0]),
            service("ward", Capacity::Limited(1), ward_full, &[0.0]),
            service(
                "annex",
                Capacity::Limited(1),
                FullPolicy::Overflow(Overflow::Lose),
                &[],
            ),
        ],
        &["home"],
        vec![
            Some(Pathway::new(fixed(1.0), to_service(1))),
            Some(Pathway::new(fixed(30.0), to_sink(0))),
            Some(Pathway::new(fixed(1.0), to_sink(0))),
        ],
    );
    assert_rows(
        &brief(&log_rows(&network)),
        &[
            "0 enter census 0-0 #0",
            "0 arrival ed 0-0 #0",
            "0 start ed 0-0 #0 1",
            "0 enter census 0-1 #1",
            "0 arrival ed 0-1 #1",
            "0 start ed 0-1 #1 2",
            "0 enter census 0-2 #2",
            "0 arrival ward 0-2 #2",
            "0 start ward 0-2 #2 1",
            "1 end ed 0-0 #0 1",
            "1 arrival ward 0-0 #0",
            "1 end ed 0-1 #1 2",
            "1 arrival ward 0-1 #1",
            "1.25 timed_out ward 0-0 #0",
            "1.25 diverted ward 0-0 #0",
            "1.25 arrival annex 0-0 #0",
            "1.25 depart ed 0-0 #0 1",
            "1.25 start annex 0-0 #0 1",
            "1.25 timed_out ward 0-1 #1",
            "1.25 diverted ward 0-1 #1",
            "1.25 arrival annex 0-1 #1",
            "1.25 lost annex 0-1 #1",
            "1.25 depart ed 0-1 #1 2",
            "1.25 exit lost 0-1 #1",
            "2.25 end annex 0-0 #0 1",
            "2.25 depart annex 0-0 #0 1",
            "2.25 exit home 0-0 #0",
        ],
    );
}

/// With a day of warm-up, what happens in it is written and flagged, at
/// negative days and timestamps before the start date.
#[test]
fn warm_up_rows_are_written_and_flagged() {
    let mut network = network(
        vec![service("ward", Capacity::Limited(1), WAIT, &[0.0])],
        &["home"],
        vec![Some(Pathway::new(fixed(2.0), to_sink(0)))],
    );
    network.run.warmup_days = 1.0;
    let rows = log_rows(&network);
    assert_rows(
        &brief(&rows),
        &[
            "-1 enter census 0-0 #0",
            "-1 arrival ward 0-0 #0",
            "-1 start ward 0-0 #0 1",
            "1 end ward 0-0 #0 1",
            "1 depart ward 0-0 #0 1",
            "1 exit home 0-0 #0",
        ],
    );
    let flags: Vec<&str> = rows.iter().map(|r| r["in_warmup"].as_str()).collect();
    assert_eq!(flags, ["true", "true", "true", "false", "false", "false"]);
    assert_eq!(rows[0]["timestamp"], "2023-12-31T00:00:00");
    // vidigi's time counts from the warm-up's start.
    assert_eq!(rows[0]["time"], "0");
    assert_eq!(rows[5]["time"], "2");
}

const SCENARIO: &str = "scenarios/examples/single-ward.toml";

fn scenario() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)
}

/// The event log of `run` on the example ward: the same bytes on one
/// thread and two; each case's events in time order with increasing ids;
/// and every other file the same as without the log.
#[test]
fn the_command_writes_the_same_log_on_any_threads_and_leaves_other_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        iccsim()
            .arg("run")
            .arg(scenario())
            .args(["-n", "3", "-q", "-o"])
            .arg(&out)
            .args(extra)
            .assert()
            .success();
        out
    };
    let one = run("one", &["--event-log", "-j", "1"]);
    let two = run("two", &["--event-log", "-j", "2"]);
    let none = run("none", &[]);
    let log = std::fs::read(one.join("event_log.csv")).unwrap();
    assert_eq!(log, std::fs::read(two.join("event_log.csv")).unwrap());
    assert!(!none.join("event_log.csv").exists());

    // Every other result is byte for byte the same as without the log.
    let mut compared = 0;
    for entry in std::fs::read_dir(&none).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_string_lossy();
        // (run.json may record the command line, which differs.)
        if name.starts_with('.') || name == "run.json" {
            continue;
        }
        assert_eq!(
            std::fs::read(none.join(&*name)).unwrap(),
            std::fs::read(one.join(&*name)).unwrap(),
            "{name} differs with the event log"
        );
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} files compared");

    // Each case's events: ids increase, times never go back; every
    // replication is there; every `start` has a place.
    let mut reader = csv::Reader::from_reader(log.as_slice());
    let mut last: HashMap<String, (u64, f64)> = HashMap::new();
    let mut replications = std::collections::BTreeSet::new();
    let mut rows = 0;
    for record in reader.records() {
        let r = record.unwrap();
        let (id, case, lifecycle) = (r[0].parse::<u64>().unwrap(), &r[2], &r[7]);
        let days: f64 = r[9].parse().unwrap();
        if let Some(&(last_id, last_days)) = last.get(case) {
            assert!(
                id > last_id && days >= last_days,
                "case {case} goes back at {id}"
            );
        }
        last.insert(case.to_string(), (id, days));
        replications.insert(r[1].to_string());
        if lifecycle == "start" {
            assert!(!r[10].is_empty(), "a start without a place at {id}");
        }
        rows += 1;
    }
    assert_eq!(
        replications.into_iter().collect::<Vec<_>>(),
        ["0", "1", "2"]
    );
    assert!(rows > 10_000, "{rows} rows");
}

/// `batch` logs its first replication by default, those named with
/// --event-log-replications, and refuses one it does not run.
#[test]
fn batch_logs_the_replications_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b");
    iccsim()
        .arg("batch")
        .arg(scenario())
        .args(["-n", "3", "-q", "--event-log-replications", "2,1", "-o"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("event_log.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut seen: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[1].to_string())
        .collect();
    seen.dedup();
    assert_eq!(seen, ["1", "2"]);
    // Under --compress, the same log gzipped (issue 24's trial: the
    // largest file iccsim writes was left plain).
    let compressed = dir.path().join("gz");
    iccsim()
        .arg("batch")
        .arg(scenario())
        .args([
            "-n",
            "3",
            "-q",
            "--compress",
            "--event-log-replications",
            "2,1",
            "-o",
        ])
        .arg(&compressed)
        .assert()
        .success();
    assert!(!compressed.join("event_log.csv").exists());
    let mut unzipped = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(compressed.join("event_log.csv.gz")).unwrap(),
        ),
        &mut unzipped,
    )
    .unwrap();
    assert_eq!(unzipped, text);

    let refused = iccsim()
        .arg("batch")
        .arg(scenario())
        .args([
            "-n",
            "3",
            "-q",
            "--force",
            "--event-log-replications",
            "5",
            "-o",
        ])
        .arg(dir.path().join("c"))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).to_string();
    assert!(
        stderr.contains("--event-log-replications 5") && stderr.contains("0 to 2"),
        "{stderr}"
    );
}
