//! Deaths at home: an arrival whose entry route leads straight to a sink
//! (the population's deaths at home, not preceded by a modelled crisis);
//! an arrival that a lever's lower rate prevented but that dies all the
//! same (`PatientType::death_if_prevented`); and a patient sent home from
//! a service who dies there (`Pathway::dies_at_home`). The first two take
//! no service and are counted in the ledger by type and year
//! (`direct_exits`, `prevented_deaths`), where the whole-system breakdown
//! reads them; the third leaves the service for the death sink.

use rand::RngExt;

use super::episode::EpisodeObserver;
use super::ids::PatientSlot;
use super::state::{Simulation, in_window};
use crate::engine::Stream;
use crate::model::network::{Destination, Network, PatientTypeId, ServiceId, SinkId};

/// Where a patient of `patient_type` leaving service `s` for `next` goes:
/// `next`, or the death sink instead when `next` is the home sink and the
/// pathway's `dies_at_home` draws it (from the type's own stream).
pub(super) fn dies_at_home_instead(
    network: &Network,
    streams: &mut [Option<Stream>],
    patient_type: PatientTypeId,
    s: ServiceId,
    next: Destination,
) -> Destination {
    let Some(dies) = network
        .pathway(patient_type, s)
        .and_then(|p| p.dies_at_home)
    else {
        return next;
    };
    let Some(stream) = streams[patient_type.index()].as_mut() else {
        return next;
    };
    if next != Destination::Sink(dies.home) {
        return next;
    }
    if stream.random::<f64>() < dies.probability {
        Destination::Sink(dies.death)
    } else {
        next
    }
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// The patient's entry route led to `sink`: they leave at once, from
    /// outside to the sink (a flow, and a stay of 0 days in the system).
    pub(super) fn exit_at_entry(&mut self, now: f64, pid: PatientSlot, sink: SinkId) {
        let t = self.patients[pid.index()].patient_type.index();
        self.system.left_total += 1;
        if in_window(&self.window, now) {
            let node = 1 + self.network.services.len() + sink.index();
            self.flows.add(0, node);
            self.period_flows.count(now, 0, node);
            self.system.left += 1;
            self.system.time_in_system.add(0.0);
            let year = self.year_of(now);
            let ledger = &mut self.ledger;
            ledger.direct_exits[(t * ledger.sinks + sink.index()) * ledger.years + year] += 1;
        }
        let network = self.network;
        self.log_exit(now, pid, &network.sinks[sink.index()]);
        self.exit_system(now, pid);
    }

    /// A candidate arrival at time `t` of type `type_index` that the rate
    /// without levers would have kept and the levers' lower rate did not:
    /// with probability `death_if_prevented` the person dies all the same
    /// (at home; no patient is made). Drawn from the type's stream
    /// `prevented-deaths/<type>`, so every other draw of the run is as
    /// without it; counted in the year of `t` when `t` is in the window.
    pub(super) fn prevented_arrival(&mut self, type_index: usize, t: f64) {
        if self.prevented_deaths[type_index].is_none() {
            return;
        }
        // Arrivals per occupant: kept as a share of the places occupied
        // now (the arrival itself is thinned at its instant; this one
        // never happens, so the share at its scheduling stands in); per
        // member of a risk tier, as the members' weight of the bound now.
        let share = match self.per_occupant[type_index] {
            Some((s, bound)) => Some(f64::from(self.services[s.index()].occupied) / bound),
            None => self.member_share(type_index),
        };
        if let (Some(share), Some(stream)) = (share, self.prevented_deaths[type_index].as_mut()) {
            let u: f64 = stream.random();
            if u >= share {
                return;
            }
        }
        self.prevented_death(type_index, t);
    }

    /// A crisis of type `type_index` at `t` that did not happen (a lever's
    /// lower rate, or a caseload's `crisis_multiplier`) dies all the same
    /// with probability `death_if_prevented`, at home, from the type's
    /// stream `prevented-deaths/<type>`.
    pub(super) fn prevented_death(&mut self, type_index: usize, t: f64) {
        let probability = self.network.patient_types[type_index].death_if_prevented;
        let Some(stream) = self.prevented_deaths[type_index].as_mut() else {
            return;
        };
        let u: f64 = stream.random();
        if u < probability && in_window(&self.window, t) {
            let year = self.year_of(t);
            self.ledger.prevented_deaths[type_index * self.ledger.years + year] += 1;
        }
    }
}
