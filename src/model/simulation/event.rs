//! The events of a replication and the order of events at one instant.

use crate::engine::Priority;

pub(super) const NEW_DAY_EVENT: Priority = Priority(0);
pub(super) const CAPACITY_EVENT: Priority = Priority(1);
pub(super) const DEPARTURE_EVENT: Priority = Priority(2);
pub(super) const ARRIVAL_EVENT: Priority = Priority(3);
pub(super) const TIMEOUT_EVENT: Priority = Priority(4);

#[derive(Clone, Copy, Debug)]
pub(super) enum Event {
    Arrival(u32),
    StayEnd(u32),
    DischargeRetry(u32),
    WaitTimeout {
        patient: u32,
        ticket: u64,
    },
    CapacityChange {
        service: u32,
        change: u32,
    },
    OpeningToggle {
        service: u32,
        open: bool,
    },
    /// Midnight starting window day `day` (an integer, so rounding of
    /// `start + day` can never schedule the same midnight twice).
    NewDay {
        service: u32,
        day: i64,
    },
    /// A patient of this type returns to this service (a readmission).
    Readmission {
        patient_type: u32,
        service: u32,
    },
}
