//! People a lever kept out of a care home keep the care home's risk of
//! death (`Pathway::diverted_from_care_home`).
//!
//! A care-home stay ends in death, and the stay stands for the resident's
//! life in the home (docs/whole-system.md §9a, §13). When a version of a
//! pathway (a `care_home_discharge` lever) sends fewer patients to care
//! homes, the people it sends elsewhere instead are the same frail people:
//! nothing in the evidence says that being assessed at home rather than in
//! a care home keeps them alive. So, at the route draw, a patient whose
//! route gained share over the base is one the version diverted with the
//! chance the compiled `CareHomeDiversion` gives; the care home they
//! would have gone to is drawn by the share each lost; they die with that
//! home's chance that a stay ends in death (× the multiplier) after a stay
//! drawn from it, counted from the route draw. The death is counted at
//! home (in the ledger's `diverted_deaths`, the type's cohort), in the
//! year it falls in, if in the window, once the patient has left the
//! system alive (or is still in it at the end of the run): a patient who
//! dies in a service on the way (a community bed, a home-care package, a
//! care home after all) dies once, there. A death falling before the
//! patient leaves a service at home (reablement, home care) is counted
//! when it falls: the timing the care home would have given (the service
//! is not cut short; a readmission is a new patient and keeps no mark).
//! Why this and not a "care home at home" service: the diverted go on
//! through the services the lever sends them to (reablement, home care),
//! whose places and costs are the lever's point; only their death is
//! carried.
//!
//! Every draw comes from the type's stream `diverted-deaths/<type>`, made
//! only for types with a diverting pathway: every other draw of the run is
//! as without it, and a run without such levers is unchanged bit for bit.

use std::collections::HashMap;

use rand::RngExt;

use super::episode::EpisodeObserver;
use super::ids::PatientSlot;
use super::state::{Simulation, in_window};
use crate::engine::{RandomStreams, Stream};
use crate::model::network::{Destination, Network, ServiceId, SinkId};

/// The diverted of one replication: the draws and who carries a death.
pub(super) struct DivertedRun {
    /// Per type: the stream `diverted-deaths/<type>` (None: no pathway of
    /// the type diverts anyone).
    streams: Vec<Option<Stream>>,
    /// Patients carrying a care home's death, by patient number.
    due: HashMap<u64, Due>,
}

/// A care home's death a patient carries.
struct Due {
    /// When it falls (simulated time).
    at: f64,
    /// The death sink: leaving for it, the patient died in a service.
    death: SinkId,
    patient_type: usize,
}

impl DivertedRun {
    /// The streams of the types with a pathway that diverts.
    pub(super) fn new(network: &Network, streams: &RandomStreams) -> DivertedRun {
        let services = network.services.len();
        DivertedRun {
            streams: network
                .patient_types
                .iter()
                .enumerate()
                .map(|(t, patient_type)| {
                    network.pathways[t * services..(t + 1) * services]
                        .iter()
                        .flatten()
                        .any(|p| p.diverted_from_care_home.is_some())
                        .then(|| streams.stream(&format!("diverted-deaths/{}", patient_type.name)))
                })
                .collect(),
            due: HashMap::new(),
        }
    }
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// Patient `pid`, ready in service `s` at `now`, drew route `index`
    /// leading to `next`: if the version in force diverted them from a
    /// care home, they may carry its death from now on.
    pub(super) fn mark_if_diverted(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
        index: usize,
        next: Destination,
    ) {
        let patient = &self.patients[pid.index()];
        let patient_type = patient.patient_type;
        let number = patient.number;
        let Some(stream) = self.diverted.streams[patient_type.index()].as_mut() else {
            return;
        };
        let network = self.network;
        let day = now - self.window.start;
        let Some(pathway) = network.pathway(patient_type, s) else {
            return;
        };
        let (Some(diverted), Some(diversion)) = (
            pathway.diverted_from_care_home.as_ref(),
            pathway.diversion_on(day),
        ) else {
            return;
        };
        let chance = diversion.chance.get(index).copied().unwrap_or(0.0);
        // Sent to their death instead (`dies_at_home`): nothing to carry;
        // already carrying one (diverted twice): one life, one death.
        if chance <= 0.0
            || next == Destination::Sink(diverted.death)
            || self.diverted.due.contains_key(&number)
        {
            return;
        }
        if stream.random::<f64>() >= chance {
            return;
        }
        let u: f64 = stream.random();
        let mut cumulative = 0.0;
        let Some(&(_, home)) = diversion
            .homes
            .iter()
            .find(|(share, _)| {
                cumulative += share;
                u < cumulative
            })
            .or(diversion.homes.last())
        else {
            return;
        };
        let Some(care_home) = network.pathway(patient_type, home) else {
            return;
        };
        let dies: f64 = care_home
            .routes_on(day)
            .choices()
            .filter(|(_, d)| *d == Destination::Sink(diverted.death))
            .map(|(p, _)| p)
            .sum();
        if stream.random::<f64>() >= dies * diverted.multiplier {
            return;
        }
        let stay = care_home.stay_on(day).sample(stream);
        let due = Due {
            at: now + stay,
            death: diverted.death,
            patient_type: patient_type.index(),
        };
        self.diverted.due.insert(number, due);
    }

    /// Patient `pid` leaves the system for `sink` (None: lost, alive).
    /// Alive, a death they carry is counted at home when it falls.
    pub(super) fn diverted_leaves(&mut self, pid: PatientSlot, sink: Option<SinkId>) {
        if self.diverted.due.is_empty() {
            return;
        }
        let number = self.patients[pid.index()].number;
        let Some(due) = self.diverted.due.remove(&number) else {
            return;
        };
        if sink != Some(due.death) {
            self.count_diverted_death(&due);
        }
    }

    /// At the end of the run: the people still in a service who carry a
    /// death that fell in the window died then, at home.
    pub(super) fn diverted_at_the_end(&mut self) {
        let due: Vec<Due> = self.diverted.due.drain().map(|(_, due)| due).collect();
        for due in &due {
            self.count_diverted_death(due);
        }
    }

    /// A carried death, at home, in its year if in the window.
    fn count_diverted_death(&mut self, due: &Due) {
        if in_window(&self.window, due.at) && due.at < self.window.end {
            let year = self.year_of(due.at);
            let ledger = &mut self.ledger;
            ledger.diverted_deaths[due.patient_type * ledger.years + year] += 1;
        }
    }
}
