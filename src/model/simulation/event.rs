//! The events of a replication, and the order of events at one instant:
//! by priority (lowest first), then first scheduled, first run.

use super::ids::PatientSlot;
use crate::engine::Priority;
use crate::model::network::{PatientTypeId, ServiceId};

/// Midnights run first, so a day's admission count is reset before
/// anything at that instant is admitted.
pub(super) const NEW_DAY_EVENT: Priority = Priority(0);
/// Capacity changes and openings: an arrival at the instant a bed opens
/// sees it.
pub(super) const CAPACITY_EVENT: Priority = Priority(1);
/// Ends of stay and discharge retries: a place freed at an instant can be
/// taken at that instant.
pub(super) const DEPARTURE_EVENT: Priority = Priority(2);
/// Arrivals from outside and returns.
pub(super) const ARRIVAL_EVENT: Priority = Priority(3);
/// Ends of maximum waits run last, so a patient whose limit ends as a
/// place frees gets it.
pub(super) const TIMEOUT_EVENT: Priority = Priority(4);

/// Something that happens at an instant. Kept to 16 bytes (the queue
/// files an event with its time and order).
#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    /// The next arrival from outside of a patient type.
    Arrival(PatientTypeId),
    /// The patient's stay ends: ready to leave.
    StayEnd(PatientSlot),
    /// The patient, held, tries to leave again.
    DischargeRetry(PatientSlot),
    /// The patient's maximum wait ends, unless admitted before (the ticket
    /// then no longer matches).
    WaitTimeout { patient: PatientSlot, ticket: u64 },
    /// A waiting patient tries to outlie (to the waiting list's service's
    /// outlying service), unless no longer waiting (the ticket then no
    /// longer matches).
    OutlieTry { patient: PatientSlot, ticket: u64 },
    /// A cancelled planned patient's rebooked date at the service.
    Rebooked {
        patient: PatientSlot,
        service: ServiceId,
    },
    /// Capacity change number `change` of the service takes effect.
    CapacityChange { service: ServiceId, change: u32 },
    /// The service opens or closes, unless its hours have changed since
    /// this was scheduled (the generation then no longer matches).
    OpeningToggle {
        service: ServiceId,
        open: bool,
        generation: u32,
    },
    /// Schedule change number `change` of the service takes effect
    /// (opening hours, daily limits).
    ScheduleChange { service: ServiceId, change: u32 },
    /// Midnight starting window day `day` (an integer, so rounding of
    /// `start + day` can never schedule the same midnight twice).
    NewDay { service: ServiceId, day: i64 },
    /// A patient of this type returns to this service (a readmission);
    /// `returning` is where the event log keeps its person (0 without it).
    Readmission {
        patient_type: PatientTypeId,
        service: ServiceId,
        returning: u32,
    },
    /// Register instant number k: risk tiers' monthly moves, the cohort
    /// marked (`register.rs`).
    RegisterStep(u32),
}

const _: () = assert!(std::mem::size_of::<Event>() == 16);
