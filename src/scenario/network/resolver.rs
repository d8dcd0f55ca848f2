//! Names to ids: services and sinks of a hand-written network, and the
//! routes between them (probabilities that add up to 1, no route to
//! itself, each destination once).

use std::collections::HashMap;

use crate::model::{Destination, RouteTable, ServiceId, SinkId};
use crate::scenario::check::{Checker, ROUNDING_TOLERANCE, quoted_list, show};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::RawRoute;

/// Resolves service and sink names.
pub(super) struct Resolver<'a> {
    pub(super) services: &'a HashMap<&'a str, u32>,
    pub(super) sinks: &'a HashMap<&'a str, u32>,
    pub(super) service_names: &'a [String],
    pub(super) sink_names: &'a [String],
}

impl Resolver<'_> {
    pub(super) fn service(&self, check: &mut Checker, path: &str, name: &str) -> Option<ServiceId> {
        match self.services.get(name) {
            Some(&i) => Some(ServiceId(i)),
            None => {
                check.issue(
                    path,
                    Some(format!("{name:?}")),
                    format!(
                        "no service has this name{}; services are {}",
                        did_you_mean(name, self.service_names.iter().map(String::as_str)),
                        self.list_services()
                    ),
                );
                None
            }
        }
    }

    fn list_services(&self) -> String {
        let names: Vec<&str> = self.service_names.iter().map(String::as_str).collect();
        quoted_list(&names)
    }

    fn destination(&self, check: &mut Checker, path: &str, name: &str) -> Option<Destination> {
        if let Some(&i) = self.services.get(name) {
            return Some(Destination::Service(ServiceId(i)));
        }
        if let Some(&i) = self.sinks.get(name) {
            return Some(Destination::Sink(SinkId(i)));
        }
        let all = self
            .service_names
            .iter()
            .chain(self.sink_names)
            .map(String::as_str);
        let sinks: Vec<&str> = self.sink_names.iter().map(String::as_str).collect();
        check.issue(
            path,
            Some(format!("{name:?}")),
            format!(
                "is neither a service nor a sink{}; services are {}, sinks are {} (add new sinks to `sinks = [...]`)",
                did_you_mean(name, all),
                self.list_services(),
                quoted_list(&sinks)
            ),
        );
        None
    }

    /// Routes out of service `from`. Probabilities that add up to 1
    /// within [`ROUNDING_TOLERANCE`] (a published table that rounds) are
    /// scaled to add up to 1, with a warning; within 1e-6, as written.
    pub(super) fn routes(
        &self,
        check: &mut Checker,
        path: &str,
        from: &str,
        raw: &[RawRoute],
    ) -> Option<Routes> {
        if raw.is_empty() {
            check.issue(
                path,
                Some("[]".into()),
                "needs at least one route, e.g. [{ to = \"home\", probability = 1.0 }]",
            );
            return None;
        }
        let mut choices = Vec::new();
        let mut ok = true;
        let mut total = 0.0;
        for (i, route) in raw.iter().enumerate() {
            let route_path = format!("{path}[{i}]");
            let destination = self.destination(check, &format!("{route_path}.to"), &route.to);
            if route.to == from {
                check.issue(
                    format!("{route_path}.to"),
                    Some(format!("{:?}", route.to)),
                    "a service cannot route to itself: the patient would need a second place while holding the first; lengthen the stay instead, or route to another service",
                );
                ok = false;
            }
            let probability = check.number_in(
                &format!("{route_path}.probability"),
                route.probability,
                0.0,
                1.0,
                "probability",
            );
            if raw[..i].iter().any(|r| r.to == route.to) {
                check.issue(format!("{route_path}.to"), Some(format!("{:?}", route.to)), "appears twice in these routes; give each destination once with the sum of its probabilities");
                ok = false;
            }
            match (destination, probability) {
                (Some(d), Some(p)) => {
                    total += p;
                    choices.push((p, d));
                }
                _ => ok = false,
            }
        }
        let off_by = (total - 1.0).abs();
        if ok && off_by > 1e-6 && off_by <= ROUNDING_TOLERANCE + 1e-9 {
            let sum = show((total * 1e9).round() / 1e9);
            for (p, _) in &mut choices {
                *p /= total;
            }
            check.warn(
                path,
                format!("probabilities add up to {sum}, not 1: they were scaled to add up to 1 (each divided by {sum}), as for a published table that rounds; make them add up to 1 to silence this warning"),
            );
        } else if ok && off_by > 1e-6 {
            let sum = show((total * 1e9).round() / 1e9);
            let gap = show(((1.0 - total).abs() * 1e9).round() / 1e9);
            // Too much can only be taken off; too little may be a route left out.
            let fix = if total > 1.0 {
                format!("lower them by {gap} in all")
            } else {
                format!("adjust them, or add a route for the remaining {gap}")
            };
            check.issue(
                path,
                None,
                format!("probabilities add up to {sum}, they must add up to 1 ({fix})"),
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        // The table leaves out routes of probability 0: so do the names
        // that go with its routes.
        let names = raw
            .iter()
            .zip(&choices)
            .filter(|(_, (p, _))| *p > 0.0)
            .map(|(route, _)| route.to.clone())
            .collect();
        Some(Routes {
            table: RouteTable::new(&choices),
            to: raw.iter().map(|route| route.to.clone()).collect(),
            names,
            path: path.to_string(),
        })
    }
}

/// Routes as read: the table, with the destinations as written (those of
/// probability 0 included) and where they were written.
#[derive(Clone, Debug)]
pub(super) struct Routes {
    pub(super) table: RouteTable,
    /// Every destination, in the order written.
    pub(super) to: Vec<String>,
    /// The destination of each route of `table`, in its order.
    pub(super) names: Vec<String>,
    /// The key they were written at, e.g. `services.ward.routes`.
    pub(super) path: String,
}
