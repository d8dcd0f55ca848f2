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
        onward: None,
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

/// The delayed days of one ward split by reason: a patient arranging
/// for 2 days then blocked 2 days waiting for the one home-care package
/// (wait class 1), and in another ward a patient arranging for 2.5 days
/// who is then ready on a Saturday and held to Monday (discharge days).
#[test]
fn delayed_days_are_split_by_reason() {
    use crate::model::network::{ARRANGING_REASON, DISCHARGE_DAY_REASON, FIRST_WAIT_REASON};
    let mut ward = service("ward", Capacity::Unlimited, WAIT, &[0.0]);
    ward.discharge_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0];
    let mut home_care = service("home_care", Capacity::Limited(1), WAIT, &[0.0]);
    home_care.wait_class = 1;
    let mut ward2 = service("ward2", Capacity::Unlimited, WAIT, &[0.0]);
    ward2.discharge_weekday_factors = ward.discharge_weekday_factors;
    let arranging =
        |days: f64, to: Destination| RouteTable::with_delays(&[(1.0, to, Some(fixed(days)))]);
    let mut network = network(
        vec![ward, home_care, ward2],
        &["home"],
        vec![
            Some(Pathway::new(
                fixed(1.0),
                arranging(2.0, Destination::Service(ServiceId(1))),
            )),
            Some(Pathway::new(fixed(5.0), to_sink(0))),
            Some(Pathway::new(
                fixed(3.0),
                arranging(2.5, Destination::Sink(SinkId(0))),
            )),
        ],
    );
    network.wait_classes = vec!["next_service".into(), "home_care".into()];
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in ward (census)",
            "0.00 #1 in home_care (census)",
            "0.00 #2 in ward2 (census)",
            "1.00 #0 ready in ward",
            "1.00 #0 held in ward (arranging)",
            "3.00 #2 ready in ward2",
            "3.00 #2 held in ward2 (arranging)",
            "3.00 #0 asks for home_care",
            "3.00 #0 waits for home_care (blocked in ward)",
            "5.00 #1 ready in home_care",
            "5.00 #1 leaves home_care for home",
            "5.00 #0 leaves ward for home_care",
            "5.00 #0 admitted to home_care",
            "5.50 #2 held in ward2 (no discharge today)",
            "6.50 #2 held in ward2 (no discharge today)",
            "7.50 #2 leaves ward2 for home",
            "10.00 #0 ready in home_care",
            "10.00 #0 leaves home_care for home",
        ],
    );
    let cell = |s: usize| *result.ledger.cell(0, s, 0).unwrap();
    let ward = cell(0);
    assert_eq!(ward.delayed_days, 4.0);
    assert_eq!(ward.delayed_by_reason[ARRANGING_REASON], 2.0);
    assert_eq!(ward.delayed_by_reason[FIRST_WAIT_REASON + 1], 2.0);
    assert_eq!(ward.delayed_by_reason.iter().sum::<f64>(), 4.0);
    let ward2 = cell(2);
    assert_eq!(ward2.delayed_by_reason[ARRANGING_REASON], 2.5);
    assert_eq!(ward2.delayed_by_reason[DISCHARGE_DAY_REASON], 2.0);
    assert_eq!(ward2.delayed_days, 4.5);
    let levels = result.services[2].levels.as_ref().unwrap();
    assert_eq!(levels.arranging_days, 2.5);
    assert_eq!(levels.discharge_day_days, 2.0);
    assert_eq!(levels.discharge_held_days, 4.5);
}

/// Two beds full from the start, with one escalation place opened at
/// 100% occupancy and closed at 50%: the patient ready in ED at day 1 is
/// admitted at once to the escalation place; it stays open until the
/// occupancy falls to one bed at day 4.
#[test]
fn escalation_places_open_when_full_and_close_when_occupancy_falls() {
    use crate::model::network::Escalation;
    let mut ward = service("ward", Capacity::Limited(2), WAIT, &[0.0, 0.0]);
    ward.escalation = Some(Escalation {
        places: 1,
        open_at: 1.0,
        close_at: 0.5,
    });
    let network = network(
        vec![service("ed", Capacity::Unlimited, WAIT, &[0.0]), ward],
        &["home"],
        vec![
            Some(Pathway::new(fixed(1.0), to_service(1))),
            Some(Pathway::new(fixed(4.0), to_sink(0))),
        ],
    );
    let (result, trace) = run_traced(&network);
    assert!(
        trace.contains(&"1.00 #0 admitted to ward".to_string()),
        "{trace:?}"
    );
    let ward = &result.services[1];
    assert_eq!(ward.counters.found_full, 0);
    let levels = ward.levels.as_ref().unwrap();
    assert_eq!(levels.occupancy_peak, 3);
    // Open from 0 (the census fills both beds) to 4 (the second of the
    // census patients leaves: one bed occupied, 50%).
    assert_eq!(levels.escalation_open_days, 4.0);
    // Three patients in two beds from day 1 to day 4.
    assert_eq!(levels.escalation_place_days, 3.0);
    let year = result.ledger.service_year(1, 0);
    assert_eq!(year.escalation_open_days, 4.0);
    assert_eq!(year.escalation_place_days, 3.0);
}

/// A patient waiting in ED for a full ward tries the other site every
/// quarter day from a quarter day on, and outlies there when its bed
/// frees at day 1 (the census patient there leaves after 10 days, 9 of
/// them before the start); another patient, with both wards full, is transferred
/// to another provider after its longest wait of 3 days.
#[test]
fn waiting_patients_outlie_to_a_free_bed_or_are_transferred_out() {
    use crate::model::network::Outlying;
    let ward_a_policy = FullPolicy::Wait {
        max_wait_days: Some(3.0),
        then: Overflow::Divert(ServiceId(3)),
    };
    let mut ward_a = service("ward_a", Capacity::Limited(1), ward_a_policy, &[0.0]);
    ward_a.outlying = Some(Outlying {
        to: ServiceId(2),
        after_days: 0.25,
        every_days: 0.25,
    });
    let network = network(
        vec![
            service("ed", Capacity::Unlimited, WAIT, &[0.0, 0.0]),
            ward_a,
            service("ward_b", Capacity::Limited(1), WAIT, &[9.0]),
            service("other", Capacity::Unlimited, WAIT, &[]),
        ],
        &["home"],
        vec![
            Some(Pathway::new(fixed(0.5), to_service(1))),
            Some(Pathway::new(fixed(10.0), to_sink(0))),
            Some(Pathway::new(fixed(10.0), to_sink(0))),
            Some(Pathway::new(fixed(1.0), to_sink(0))),
        ],
    );
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in ed (census)",
            "0.00 #1 in ed (census)",
            "0.00 #2 in ward_a (census)",
            "0.00 #3 in ward_b (census)",
            "0.50 #0 ready in ed",
            "0.50 #0 asks for ward_a",
            "0.50 #0 waits for ward_a (blocked in ed)",
            "0.50 #1 ready in ed",
            "0.50 #1 asks for ward_a",
            "0.50 #1 waits for ward_a (blocked in ed)",
            "1.00 #3 ready in ward_b",
            "1.00 #3 leaves ward_b for home",
            "1.00 #0 outlies from ward_a",
            "1.00 #0 leaves ed for ward_b",
            "1.00 #0 admitted to ward_b",
            "3.50 #1 gives up waiting for ward_a",
            "3.50 #1 diverted from ward_a",
            "3.50 #1 asks for other",
            "3.50 #1 leaves ed for other",
            "3.50 #1 admitted to other",
            "4.50 #1 ready in other",
            "4.50 #1 leaves other for home",
            "10.00 #2 ready in ward_a",
            "10.00 #2 leaves ward_a for home",
            "11.00 #0 ready in ward_b",
            "11.00 #0 leaves ward_b for home",
        ],
    );
    assert_eq!(result.services[2].counters.outliers_in, 1);
    assert_eq!(result.ledger.cell(0, 2, 0).unwrap().outliers_in, 1);
    assert_eq!(result.services[1].counters.diverted, 1);
    // The outlier waited half a day for its bed: over 4 hours, not over
    // 12. A transfer's wait starts again at the service it is sent to
    // (none there): its 3 days show as a transfer, not as a wait.
    assert_eq!(result.services[2].counters.waits_over_4h, 1);
    assert_eq!(result.services[2].counters.waits_over_12h, 0);
    assert_eq!(result.services[3].counters.waits_over_4h, 0);
    let ed = result.ledger.cell(0, 0, 0).unwrap();
    assert_eq!(ed.delayed_days, 3.5);
    assert_eq!(
        ed.delayed_by_reason[crate::model::network::FIRST_WAIT_REASON],
        3.5
    );
    assert_eq!(result.ledger.service_year(1, 0).waiting_peak, 2);
    assert_eq!(result.ledger.service_year(0, 0).blocked_peak, 2);
}

/// A planned patient (a return, holding no place) who asks for a full
/// ward is cancelled, waits at home for the rebooked date 2 days later,
/// and is admitted then; the rebooking list held one patient for 2 days.
#[test]
fn a_planned_admission_is_cancelled_when_the_ward_is_full_and_rebooked() {
    use crate::model::network::Cancellation;
    let mut clinic = Pathway::new(fixed(1.0), to_sink(0));
    clinic.readmission = Some(Readmission {
        probability: 1.0,
        delay: fixed(0.5),
        service: ServiceId(1),
        not_after: Vec::new(),
    });
    let mut network = network(
        vec![
            service("clinic", Capacity::Unlimited, WAIT, &[0.0]),
            service("ward", Capacity::Limited(1), WAIT, &[0.0]),
        ],
        &["home"],
        vec![Some(clinic), Some(Pathway::new(fixed(3.0), to_sink(0)))],
    );
    network.patient_types[0].cancellation = Some(Cancellation {
        occupancy_at: 0.9,
        rebook_after: fixed(2.0),
        elsewhere: None,
    });
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
            "1.50 #2 cancelled by ward",
            "3.00 #1 ready in ward",
            "3.00 #1 leaves ward for home",
            "3.50 #2 asks for ward",
            "3.50 #2 admitted to ward",
            "6.50 #2 ready in ward",
            "6.50 #2 leaves ward for home",
        ],
    );
    let ward = &result.services[1];
    assert_eq!(ward.counters.cancelled, 1);
    assert_eq!(ward.counters.admissions, 1);
    assert_eq!(ward.counters.found_full, 0);
    let year = result.ledger.service_year(1, 0);
    assert_eq!(year.rebooking_days, 2.0);
    assert_eq!(year.rebooking_peak, 1);
    assert_eq!(year.rebooking_at_end, 0);
    assert_eq!(result.ledger.cell(0, 1, 0).unwrap().cancelled, 1);
}

/// A planned patient whose rebooked date finds the ward still full is
/// treated elsewhere (another provider) instead of being rebooked again.
#[test]
fn a_planned_admission_cancelled_twice_is_treated_elsewhere() {
    use crate::model::network::Cancellation;
    let mut clinic = Pathway::new(fixed(1.0), to_sink(0));
    clinic.readmission = Some(Readmission {
        probability: 1.0,
        delay: fixed(0.5),
        service: ServiceId(1),
        not_after: Vec::new(),
    });
    let mut network = network(
        vec![
            service("clinic", Capacity::Unlimited, WAIT, &[0.0]),
            service("ward", Capacity::Limited(1), WAIT, &[0.0]),
            service("other", Capacity::Unlimited, WAIT, &[]),
        ],
        &["home"],
        vec![
            Some(clinic),
            Some(Pathway::new(fixed(10.0), to_sink(0))),
            Some(Pathway::new(fixed(1.0), to_sink(0))),
        ],
    );
    network.patient_types[0].cancellation = Some(Cancellation {
        occupancy_at: 1.0,
        rebook_after: fixed(2.0),
        elsewhere: Some(ServiceId(2)),
    });
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
            "1.50 #2 cancelled by ward",
            "3.50 #2 asks for ward",
            "3.50 #2 cancelled by ward",
            "3.50 #2 diverted from ward",
            "3.50 #2 asks for other",
            "3.50 #2 admitted to other",
            "4.50 #2 ready in other",
            "4.50 #2 leaves other for home",
            "10.00 #1 ready in ward",
            "10.00 #1 leaves ward for home",
        ],
    );
    let ward = &result.services[1];
    assert_eq!(ward.counters.cancelled, 1);
    assert_eq!(ward.counters.diverted, 1);
    let year = result.ledger.service_year(1, 0);
    assert_eq!(year.rebooking_days, 2.0);
    assert_eq!(year.rebooking_at_end, 0);
}

/// Arrivals follow the hour-of-day profile: twice the mean rate from 09:00
/// to 18:00 and 0.4 of it otherwise (a mean of 1) puts 75% of a day's
/// arrivals in those nine hours, and leaves the day's total unchanged.
#[test]
fn arrivals_follow_the_hour_of_day_profile() {
    use crate::model::simulation::episode::{EpisodeObserver, EpisodeRecord};
    struct Requests(Vec<f64>);
    impl EpisodeObserver for Requests {
        fn episode(&mut self, record: &EpisodeRecord<'_>) {
            self.0.push(record.requested_at);
        }
    }
    let mut network = network(
        vec![service("clinic", Capacity::Unlimited, WAIT, &[])],
        &["home"],
        vec![Some(Pathway::new(fixed(0.01), to_sink(0)))],
    );
    let mut hourly = [0.4; 24];
    hourly[9..18].fill(2.0);
    assert!((hourly.iter().sum::<f64>() - 24.0).abs() < 1e-12);
    network.patient_types[0].rate_per_day = 240.0;
    network.patient_types[0].hourly_factors = hourly;
    network.run.max_people_in_system = 10_000;
    network.run.max_pending_events = 20_000;
    let mut requests = Requests(Vec::new());
    crate::model::simulate(&network, 11, 0, &mut requests).unwrap();
    // Times are days since the window start, which is a midnight.
    let n = requests.0.len() as f64;
    let daytime = requests
        .0
        .iter()
        .filter(|t| (9.0..18.0).contains(&(t.rem_euclid(1.0) * 24.0)))
        .count() as f64;
    // 20 days × 240 = 4,800 expected: within 4 Poisson sd (277); the
    // daytime share within 4 binomial sd of 0.75 (0.025).
    assert!((n - 4800.0).abs() < 4.0 * 4800f64.sqrt(), "{n} arrivals");
    let share = daytime / n;
    let sd = (0.75 * 0.25 / n).sqrt();
    assert!((share - 0.75).abs() < 4.0 * sd, "daytime share {share}");
}

/// A service that sends on those it cannot take (`Overflow::Onward`):
/// the second patient ready for the one-place clinic goes on by its
/// pathway's onward routes, to the annex, at once.
#[test]
fn a_patient_the_service_cannot_take_goes_on_by_its_onward_routes() {
    let network = network(
        vec![
            service("ed", Capacity::Unlimited, WAIT, &[0.0, 0.0]),
            service(
                "clinic",
                Capacity::Limited(1),
                FullPolicy::Overflow(Overflow::Onward),
                &[],
            ),
            service("annex", Capacity::Unlimited, WAIT, &[]),
        ],
        &["home"],
        vec![
            Some(Pathway::new(fixed(1.0), to_service(1))),
            Some(Pathway::new(fixed(0.5), to_sink(0)).with_onward(to_service(2))),
            Some(Pathway::new(fixed(0.25), to_sink(0))),
        ],
    );
    let (result, trace) = run_traced(&network);
    assert_trace(
        &trace,
        &[
            "0.00 #0 in ed (census)",
            "0.00 #1 in ed (census)",
            "1.00 #0 ready in ed",
            "1.00 #0 asks for clinic",
            "1.00 #0 leaves ed for clinic",
            "1.00 #0 admitted to clinic",
            "1.00 #1 ready in ed",
            "1.00 #1 asks for clinic",
            "1.00 #1 sent on from clinic",
            "1.00 #1 asks for annex",
            "1.00 #1 leaves ed for annex",
            "1.00 #1 admitted to annex",
            "1.25 #1 ready in annex",
            "1.25 #1 leaves annex for home",
            "1.50 #0 ready in clinic",
            "1.50 #0 leaves clinic for home",
        ],
    );
    let clinic = &result.services[1].counters;
    assert_eq!((clinic.arrivals, clinic.admissions), (2, 1));
    assert_eq!((clinic.found_full, clinic.diverted, clinic.lost), (1, 1, 0));
    assert_eq!(result.services[2].counters.admissions, 1);
}

/// Without onward routes for the type, a patient sent on is an error that
/// names the type and the service, not a panic.
#[test]
fn a_patient_sent_on_without_onward_routes_is_an_error() {
    let network = network(
        vec![
            service("ed", Capacity::Unlimited, WAIT, &[0.0, 0.0]),
            service(
                "clinic",
                Capacity::Limited(1),
                FullPolicy::Overflow(Overflow::Onward),
                &[],
            ),
        ],
        &["home"],
        vec![
            Some(Pathway::new(fixed(1.0), to_service(1))),
            Some(Pathway::new(fixed(0.5), to_sink(0))),
        ],
    );
    let error = crate::model::simulate(&network, 7, 0, &mut ()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "patients of type `patient` were turned away by service `clinic`, which sends them on, but has no onward service for them"
    );
}

/// Daily limits by weekday and a dated change of hours and limits. The
/// window starts on Monday 1 January 2024. Until day 7 the clinic takes one
/// patient a weekday and none at weekends, at any hour; from day 7 (Monday
/// 8th) it is open 09:00-17:00 on weekdays and takes two a day. Patients
/// are ready for it on Friday noon (two: one taken, one sent on), Saturday
/// noon (sent on: no starts at weekends), Monday 06:00 (sent on: closed
/// under the new hours) and Monday noon (two, both taken).
#[test]
fn daily_limits_follow_the_weekday_and_change_with_the_schedule() {
    use crate::model::network::{OpeningHours, ScheduleChange};
    let mut clinic = service(
        "clinic",
        Capacity::Unlimited,
        FullPolicy::Overflow(Overflow::Onward),
        &[],
    );
    clinic.max_admissions_per_day = Some([1, 1, 1, 1, 1, 0, 0]);
    clinic.schedule_changes = vec![ScheduleChange {
        from_day: 7.0,
        opening: Some(OpeningHours {
            days: [true, true, true, true, true, false, false],
            open_hour: 9.0,
            close_hour: 17.0,
        }),
        max_admissions_per_day: Some([2; 7]),
    }];
    // ED stays of 8 days: ready at 8 − days in.
    let ready = [4.5, 4.5, 5.5, 7.25, 7.5, 7.5];
    let days_in: Vec<f64> = ready.iter().map(|r| 8.0 - r).collect();
    let network = network(
        vec![
            service("ed", Capacity::Unlimited, WAIT, &days_in),
            clinic,
            service("annex", Capacity::Unlimited, WAIT, &[]),
        ],
        &["home"],
        vec![
            Some(Pathway::new(fixed(8.0), to_service(1))),
            Some(Pathway::new(fixed(0.1), to_sink(0)).with_onward(to_service(2))),
            Some(Pathway::new(fixed(0.1), to_sink(0))),
        ],
    );
    let (result, trace) = run_traced(&network);
    let admitted: Vec<&str> = trace
        .iter()
        .filter(|line| line.contains("admitted to clinic") || line.contains("sent on from"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        admitted,
        [
            "4.50 #0 admitted to clinic",
            "4.50 #1 sent on from clinic",
            "5.50 #2 sent on from clinic",
            "7.25 #3 sent on from clinic",
            "7.50 #4 admitted to clinic",
            "7.50 #5 admitted to clinic",
        ]
    );
    let clinic = &result.services[1].counters;
    assert_eq!((clinic.admissions, clinic.diverted), (3, 3));
    assert_eq!(result.services[2].counters.admissions, 3);
}
