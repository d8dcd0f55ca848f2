//! The simulation's own ids: where a patient's record is, and a service or
//! none packed as small as a bare index. (Services and patient types are
//! named by the network's [`ServiceId`] and `PatientTypeId`.)

use crate::model::network::ServiceId;

/// Where a patient's record is in the simulation's patient records. A slot is
/// reused once its patient leaves the system, so it names a patient only
/// while that patient is in it (the patient's number names it for good).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct PatientSlot(pub(super) u32);

impl PatientSlot {
    #[inline]
    pub(super) fn index(self) -> usize {
        self.0 as usize
    }
}

/// A service, or none, in four bytes: `Option<ServiceId>` would take eight
/// (a `u32` has no spare value for the compiler to use), and the patient
/// record holds two of them within its two cache lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct MaybeService(u32);

impl MaybeService {
    /// No service. `u32::MAX` is never a service's index: a network has
    /// far fewer services than that (scenario validation bounds them).
    pub(super) const NONE: MaybeService = MaybeService(u32::MAX);

    #[inline]
    pub(super) fn some(service: ServiceId) -> MaybeService {
        MaybeService(service.0)
    }

    #[inline]
    pub(super) fn get(self) -> Option<ServiceId> {
        (self != MaybeService::NONE).then_some(ServiceId(self.0))
    }

    /// The service, where the state says there is one (a stay ends in a
    /// place; a patient whose ticket is live is on a list). Checked in
    /// debug builds only, as this is on the hot path: in a release build a
    /// NONE here would still panic, on the first index out of bounds.
    #[inline]
    pub(super) fn known(self) -> ServiceId {
        debug_assert!(self != MaybeService::NONE, "no service where one must be");
        ServiceId(self.0)
    }
}
