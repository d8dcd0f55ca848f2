//! Trace tests, in the manner of SimPy's: networks of two or three patients
//! with fixed stays, whose every step (time, patient, what, where) is
//! asserted exactly, with the figures that follow from them. The patients
//! come from censuses (whose remaining stays are fixed when the stay is) and
//! from readmissions with fixed delays, so nothing is left to chance.
//!
//! The trace is written only in test builds (`Simulation::trace`).

use super::state::Simulation;
use crate::engine::{CalendarDate, Distribution};
use crate::model::network::{
    Capacity, Census, CensusStart, Destination, FullPolicy, Network, Overflow, Pathway,
    PathwayChange, PatientType, PatientTypeId, Readmission, RouteTable, RunSettings, Service,
    ServiceId, SinkId,
};
use crate::model::results::ReplicationResult;

fn fixed(days: f64) -> Distribution {
    Distribution::fixed(days).unwrap()
}

fn to_service(index: u32) -> RouteTable {
    RouteTable::to(Destination::Service(ServiceId(index)))
}

fn to_sink(index: u32) -> RouteTable {
    RouteTable::to(Destination::Sink(SinkId(index)))
}

/// A service of patient type 0, with patients already `days_in` their stays.
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

const WAIT: FullPolicy = FullPolicy::Wait {
    max_wait_days: None,
    then: Overflow::Lose,
};

/// One patient type, with no arrivals from outside (rate 0), following
/// `pathways` (one per service, in order) over a 20-day window that starts
/// on Monday 1 January 2024.
fn network(services: Vec<Service>, sinks: &[&str], pathways: Vec<Option<Pathway>>) -> Network {
    assert_eq!(services.len(), pathways.len());
    Network {
        name: "trace".to_string(),
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
        patient_types: vec![PatientType {
            name: "patient".to_string(),
            description: String::new(),
            arrive_at: ServiceId(0),
            entry: None,
            rate_per_day: 0.0,
            per_occupant_of: None,
            monthly_factors: [1.0; 12],
            weekday_factors: [1.0; 7],
            growth_per_year: 0.0,
            rate_changes: Vec::new(),
            entry_changes: Vec::new(),
            cancellation: None,
        }],
        pathways,
        layout: None,
        wait_classes: Network::default_wait_classes(),
        parameters: Vec::new(),
    }
}

/// Runs replication 0 and returns its results and its trace.
fn run_traced(network: &Network) -> (ReplicationResult, Vec<String>) {
    let mut observer = ();
    let mut simulation = Simulation::new(network, 7, 0, &mut observer).unwrap();
    simulation.run().unwrap();
    let trace = std::mem::take(&mut simulation.trace);
    (simulation.finish(), trace)
}

fn assert_trace(trace: &[String], expected: &[&str]) {
    assert_eq!(trace, expected, "\nthe trace was:\n{}", trace.join("\n"));
}

/// Two patients in ED ready for the one-bed ward half a day apart: the
/// second ready is admitted first; the other waits in its ED place
/// (blocking after service) until the ward's bed frees, and takes it at
/// that instant.
#[test]
fn a_patient_waits_blocked_in_ed_for_a_one_bed_ward() {
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
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in ed (census)",
            "0.00 #1 in ed (census)",
            "0.50 #1 ready in ed",
            "0.50 #1 asks for ward",
            "0.50 #1 leaves ed for ward",
            "0.50 #1 admitted to ward",
            "1.00 #0 ready in ed",
            "1.00 #0 asks for ward",
            "1.00 #0 waits for ward (blocked in ed)",
            "2.50 #1 ready in ward",
            "2.50 #1 leaves ward for home",
            "2.50 #0 leaves ed for ward",
            "2.50 #0 admitted to ward",
            "4.50 #0 ready in ward",
            "4.50 #0 leaves ward for home",
        ],
    );
    let ward = &result.services[1];
    assert_eq!(ward.counters.arrivals, 2);
    assert_eq!(ward.counters.found_full, 1);
    assert_eq!(ward.counters.admissions, 2);
    assert_eq!(ward.counters.admitted_without_wait, 1);
    let ed = &result.services[0];
    assert_eq!(ed.counters.departures, 2);
    assert_eq!(ed.counters.delayed_departures, 1);
    // #0 was blocked from 1.0 to 2.5.
    assert_eq!(ed.levels.as_ref().unwrap().blocked_days, 1.5);
    assert_eq!(result.system.left, 2);
    assert_eq!(result.system.in_system_at_end, 0);
}

/// A patient who leaves a clinic returns half a day later (a readmission:
/// a new patient, #2) to a ward whose one bed is taken; holding no place,
/// the return waits on the list, and is admitted when the bed frees.
#[test]
fn a_return_queues_for_a_full_ward_holding_no_place() {
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
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in clinic (census)",
            "0.00 #1 in ward (census)",
            "1.00 #0 ready in clinic",
            "1.00 #0 leaves clinic for home",
            "1.50 #2 returns to ward",
            "1.50 #2 asks for ward",
            "1.50 #2 waits for ward",
            "3.00 #1 ready in ward",
            "3.00 #1 leaves ward for home",
            "3.00 #2 admitted to ward",
            "6.00 #2 ready in ward",
            "6.00 #2 leaves ward for home",
        ],
    );
    let ward = &result.services[1];
    assert_eq!(ward.counters.readmissions, 1);
    assert_eq!(ward.counters.arrivals, 1);
    assert_eq!(ward.counters.admissions, 1);
    assert_eq!(ward.wait.mean(), 1.5);
    // The return came from outside: no place was blocked meanwhile.
    assert_eq!(ward.levels.as_ref().unwrap().blocked_days, 0.0);
    assert_eq!(result.system.entered, 1);
    assert_eq!(result.system.left, 3);
}

/// Two patients ready in ED at the same instant find the one-bed ward
/// taken and wait at most a quarter of a day, then are diverted to the
/// one-bed annex: the first takes it, the second finds it full and is lost
/// (leaving its ED place). The ward's patient dies.
#[test]
fn after_the_longest_wait_one_patient_is_diverted_and_the_next_lost() {
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
        &["home", "died"],
        vec![
            Some(Pathway::new(fixed(1.0), to_service(1))),
            Some(Pathway::new(fixed(2.0), to_sink(1))),
            Some(Pathway::new(fixed(1.0), to_sink(0))),
        ],
    );
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in ed (census)",
            "0.00 #1 in ed (census)",
            "0.00 #2 in ward (census)",
            "1.00 #0 ready in ed",
            "1.00 #0 asks for ward",
            "1.00 #0 waits for ward (blocked in ed)",
            "1.00 #1 ready in ed",
            "1.00 #1 asks for ward",
            "1.00 #1 waits for ward (blocked in ed)",
            "1.25 #0 gives up waiting for ward",
            "1.25 #0 diverted from ward",
            "1.25 #0 asks for annex",
            "1.25 #0 leaves ed for annex",
            "1.25 #0 admitted to annex",
            "1.25 #1 gives up waiting for ward",
            "1.25 #1 diverted from ward",
            "1.25 #1 asks for annex",
            "1.25 #1 turned away by annex",
            "1.25 #1 leaves ed for lost",
            "2.00 #2 ready in ward",
            "2.00 #2 leaves ward for died",
            "2.25 #0 ready in annex",
            "2.25 #0 leaves annex for home",
        ],
    );
    let ward = &result.services[1];
    assert_eq!(ward.counters.timed_out, 2);
    assert_eq!(ward.counters.diverted, 2);
    let annex = &result.services[2];
    assert_eq!(annex.counters.arrivals, 2);
    assert_eq!(annex.counters.lost, 1);
    assert_eq!(result.system.lost, 1);
    assert_eq!(result.system.left, 2);
    let flows = &result.flows;
    let node = |name: &str| flows.nodes.iter().position(|n| n == name).unwrap();
    assert_eq!(flows.get(node("ward"), node("died")), 1);
    assert_eq!(flows.get(node("ed"), node("lost")), 1);
    assert_eq!(flows.get(node("ed"), node("annex")), 1);
}

/// A patient ready on Saturday noon in a ward that discharges on
/// weekdays only is held, tries again each day, and leaves on Monday;
/// another, whose discharge takes half a day to arrange, is held for it.
#[test]
fn discharges_wait_for_a_weekday_and_for_their_arrangements() {
    let mut ward = service("ward", Capacity::Limited(2), WAIT, &[0.0, 4.0]);
    ward.discharge_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    // Ready before day 2 (patient #1, 4 days in, at 1.5 on a Tuesday):
    // the discharge takes half a day to arrange. From day 2 (patient #0,
    // at 5.5 on a Saturday): no arranging.
    let arranged =
        RouteTable::with_delays(&[(1.0, Destination::Sink(SinkId(0)), Some(fixed(0.5)))]);
    let mut pathway = Pathway::new(fixed(5.5), arranged);
    pathway.changes.push(PathwayChange {
        from_day: 2.0,
        stay: fixed(5.5),
        routes: to_sink(0),
    });
    let network = network(vec![ward], &["home"], vec![Some(pathway)]);
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in ward (census)",
            "0.00 #1 in ward (census)",
            "1.50 #1 ready in ward",
            "1.50 #1 held in ward (arranging)",
            "2.00 #1 leaves ward for home",
            "5.50 #0 ready in ward",
            "5.50 #0 held in ward (no discharge today)",
            "6.50 #0 held in ward (no discharge today)",
            "7.50 #0 leaves ward for home",
        ],
    );
    let ward = &result.services[0];
    assert_eq!(ward.counters.delayed_departures, 2);
    assert_eq!(ward.delayed_days.mean(), (0.5 + 2.0) / 2.0);
    assert_eq!(ward.levels.as_ref().unwrap().discharge_held_days, 2.5);
}
