//! The nodes of the flow picture and the moves between them that a network
//! allows: the flow matrix (`arrival`, every service, every sink, `lost`)
//! with services grouped by what they are. A whole-system scenario's dozens
//! of services become their roles (`ed`, `acute_beds`, `reablement` ...),
//! summed over sites and ICCs; a network written by hand keeps one node per
//! service.
//!
//! The pairs depend only on the network (entries, routes in every version,
//! readmissions, overflow), never on a run, so every replication reduces to
//! the same keys, in the same order.

use super::network::{Destination, FullPolicy, Network, Overflow, ServiceId};
use super::results::FlowMatrix;

/// The flow matrix's first node: patients coming from outside.
pub const ARRIVAL: &str = "arrival";
/// Its last node: patients who left unserved.
pub const LOST: &str = "lost";

/// Groups of flow-matrix nodes and the pairs of groups patients can move
/// between.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowGroups {
    /// Group names: `arrival`, the service groups, the sinks, `lost`.
    pub names: Vec<String>,
    /// The group of each flow-matrix node.
    group_of_node: Vec<usize>,
    /// (from, to) group pairs, in order.
    pub pairs: Vec<(usize, usize)>,
}

impl FlowGroups {
    pub fn of(network: &Network) -> FlowGroups {
        let services = network.services.len();
        let mut names = vec![ARRIVAL.to_string()];
        let mut group_of_service = Vec::with_capacity(services);
        for (s, service) in network.services.iter().enumerate() {
            let name = match &network.layout {
                Some(layout) => layout.services[s].role.name().to_string(),
                None => service.name.clone(),
            };
            let group = match names.iter().position(|n| *n == name) {
                Some(g) => g,
                None => {
                    names.push(name);
                    names.len() - 1
                }
            };
            group_of_service.push(group);
        }
        let first_sink = names.len();
        names.extend(network.sinks.iter().cloned());
        names.push(LOST.to_string());
        let lost = names.len() - 1;

        let mut group_of_node = vec![0];
        group_of_node.extend(&group_of_service);
        group_of_node.extend((0..network.sinks.len()).map(|k| first_sink + k));
        group_of_node.push(lost);

        // Where asking for a service can end: the service, or where its
        // overflow (and theirs) sends the patient.
        let reach = |service: ServiceId| -> Vec<usize> {
            let mut seen = vec![service.index()];
            let mut i = 0;
            while i < seen.len() {
                let overflow = match network.services[seen[i]].when_full {
                    FullPolicy::Wait { then, .. } => then,
                    FullPolicy::Overflow(o) => o,
                };
                if let Overflow::Divert(to) = overflow
                    && !seen.contains(&to.index())
                {
                    seen.push(to.index());
                }
                i += 1;
            }
            seen.into_iter().map(|s| group_of_service[s]).collect()
        };
        let to_group = |d: Destination| -> Vec<usize> {
            match d {
                Destination::Service(s) => reach(s),
                Destination::Sink(k) => vec![first_sink + k.index()],
            }
        };

        let groups = names.len();
        let mut possible = vec![false; groups * groups];
        let mut allow = |from: usize, to: usize| possible[from * groups + to] = true;
        // From outside: to any service (entries, readmissions, today's
        // census), or lost.
        for s in 0..services {
            for g in reach(ServiceId(s as u32)) {
                allow(0, g);
            }
        }
        allow(0, lost);
        // Entry routes straight to a sink (deaths at home).
        for patient_type in &network.patient_types {
            let tables = patient_type
                .entry
                .iter()
                .chain(patient_type.entry_changes.iter().map(|c| &c.entry));
            for table in tables {
                for (_, destination) in table.choices() {
                    if let Destination::Sink(k) = destination {
                        allow(0, first_sink + k.index());
                    }
                }
            }
        }
        for (s, &from) in group_of_service.iter().enumerate() {
            allow(from, lost);
            for t in 0..network.patient_types.len() {
                let Some(pathway) =
                    network.pathway(super::PatientTypeId(t as u32), ServiceId(s as u32))
                else {
                    continue;
                };
                // Sent home, some die there instead.
                if let Some(dies) = pathway.dies_at_home {
                    allow(from, first_sink + dies.death.index());
                }
                let tables = std::iter::once(&pathway.routes)
                    .chain(pathway.changes.iter().map(|c| &c.routes));
                for table in tables {
                    for (_, destination) in table.choices() {
                        for to in to_group(destination) {
                            allow(from, to);
                        }
                    }
                }
            }
        }
        let pairs = (0..groups * groups)
            .filter(|&i| possible[i])
            .map(|i| (i / groups, i % groups))
            .collect();
        FlowGroups {
            names,
            group_of_node,
            pairs,
        }
    }

    /// The patients moved along each pair, in the order of `pairs`.
    pub fn counts(&self, flows: &FlowMatrix) -> Vec<f64> {
        let groups = self.names.len();
        let mut grouped = vec![0u64; groups * groups];
        let nodes = flows.nodes.len();
        debug_assert_eq!(nodes, self.group_of_node.len());
        for from in 0..nodes {
            for to in 0..nodes {
                let n = flows.get(from, to);
                if n > 0 {
                    grouped[self.group_of_node[from] * groups + self.group_of_node[to]] += n;
                }
            }
        }
        self.pairs
            .iter()
            .map(|&(from, to)| grouped[from * groups + to] as f64)
            .collect()
    }

    /// Patients counted in the matrix but on no pair: 0 unless the pairs
    /// miss a move the simulation makes (a defect; tested).
    pub fn uncounted(&self, flows: &FlowMatrix) -> u64 {
        let total: u64 = (0..flows.nodes.len())
            .flat_map(|f| (0..flows.nodes.len()).map(move |t| (f, t)))
            .map(|(f, t)| flows.get(f, t))
            .sum();
        total - self.counts(flows).iter().sum::<f64>() as u64
    }

    /// The group of flow-matrix node `node`.
    pub fn group_of_node(&self, node: usize) -> usize {
        self.group_of_node[node]
    }

    /// The metric name of a pair: `from->to`.
    pub fn pair_name(&self, pair: usize) -> String {
        let (from, to) = self.pairs[pair];
        format!("{}->{}", self.names[from], self.names[to])
    }
}
