//! Checks that need every route resolved: diversions that loop, services
//! from which patients could never leave (or leave only by routes too
//! unlikely to count), and transfers diverted back to where they come
//! from (a deadlock).

use std::collections::BTreeSet;

use crate::model::{Destination, FullPolicy, Pathway, PatientType, RouteTable, Service};
use crate::scenario::check::{Checker, show};

/// Where a service sends the patients it cannot take: at once when full
/// (`after_wait` None), or after a maximum wait of that many days.
#[derive(Clone, Debug)]
pub(super) struct Diversion {
    pub(super) to: u32,
    /// The `divert_to` key, for messages.
    pub(super) path: String,
    pub(super) after_wait: Option<f64>,
}

/// A way out of a loop of routes taken less often than this, per move, is
/// no way out: each patient in the loop would make more than a million
/// moves, on average, before leaving (the baseline averages under three
/// per patient), and with short stays the run would never end. It is also
/// the tolerance within which route probabilities must add up to 1, so a
/// smaller way out cannot be told from rounding.
const NEGLIGIBLE_WAY_OUT: f64 = 1e-6;

/// Which routes of a table count as a way on when checking for loops with
/// only a negligible way out: all but the least likely ones whose
/// probabilities together are below [`NEGLIGIBLE_WAY_OUT`] (routes of equal
/// probability are kept or dropped together). From any service, the
/// dropped routes are then taken less than once in a million moves.
fn likely_routes(table: &RouteTable) -> Vec<bool> {
    let mut probabilities: Vec<f64> = table.choices().map(|(p, _)| p).collect();
    probabilities.sort_by(f64::total_cmp);
    let (mut total, mut cutoff) = (0.0, 0.0);
    let mut i = 0;
    while i < probabilities.len() {
        let p = probabilities[i];
        let same = probabilities[i..].iter().take_while(|q| **q == p).count();
        if total + p * same as f64 >= NEGLIGIBLE_WAY_OUT {
            break;
        }
        total += p * same as f64;
        cutoff = p;
        i += same;
    }
    table.choices().map(|(p, _)| p > cutoff).collect()
}

/// Two pathway checks that need every route resolved:
/// - from every service a type reaches, some chain of routes leads to a
///   sink (otherwise those patients can never leave and the services
///   gridlock), and not only through routes too unlikely to count
///   ([`NEGLIGIBLE_WAY_OUT`]: a route of probability 1e-300 out of a loop
///   whose stays were a millionth of a day made 280 million events in 30
///   simulated days);
/// - a transfer from S to T is never diverted (by T being full) back to S,
///   the service the patient is leaving: they would wait for a second place
///   while holding the first, a deadlock.
///
/// Both searches for a way out go back from the sinks along the routes
/// once, so they take time in proportion to the routes.
pub(super) fn check_exits_and_diversions(
    check: &mut Checker,
    patient_types: &[PatientType],
    pathways: &[Option<Pathway>],
    service_names: &[String],
    sink_names: &[String],
    services: &[Service],
    divert_edges: &[Option<Diversion>],
) {
    let n = service_names.len();
    let mut reported = BTreeSet::new();
    // A service that loses or diverts patients (when full or after a
    // maximum wait) may let them out of a loop of routes, however unlikely
    // its routes out are: it is not judged by its routes alone.
    let sheds: Vec<bool> = services
        .iter()
        .map(|s| {
            !matches!(
                s.when_full,
                FullPolicy::Wait {
                    max_wait_days: None,
                    ..
                }
            )
        })
        .collect();
    for (t, patient_type) in patient_types.iter().enumerate() {
        let routes = |s: usize| pathways[t * n + s].as_ref().map(|p| &p.routes);
        let likely: Vec<Vec<bool>> = (0..n)
            .map(|s| routes(s).map(likely_routes).unwrap_or_default())
            .collect();
        // Services from which a sink can be reached by any route (`exits`),
        // and by likely routes or a service that sheds patients (`out`).
        let mut into: Vec<Vec<(u32, bool)>> = vec![Vec::new(); n];
        let mut exits = vec![false; n];
        let mut out = vec![false; n];
        let (mut to_visit, mut likely_to_visit) = (Vec::new(), Vec::new());
        for s in 0..n {
            let Some(table) = routes(s) else { continue };
            for ((_, destination), &kept) in table.choices().zip(&likely[s]) {
                match destination {
                    Destination::Sink(_) => {
                        exits[s] = true;
                        out[s] |= kept;
                    }
                    Destination::Service(next) => into[next.index()].push((s as u32, kept)),
                }
            }
            out[s] |= sheds[s];
            if exits[s] {
                to_visit.push(s);
            }
            if out[s] {
                likely_to_visit.push(s);
            }
        }
        while let Some(s) = to_visit.pop() {
            for &(from, _) in &into[s] {
                if !exits[from as usize] {
                    exits[from as usize] = true;
                    to_visit.push(from as usize);
                }
            }
        }
        while let Some(s) = likely_to_visit.pop() {
            for &(from, kept) in &into[s] {
                if kept && !out[from as usize] {
                    out[from as usize] = true;
                    likely_to_visit.push(from as usize);
                }
            }
        }
        // For each service that can leave only unlikely, one unlikely way
        // out it leads to, to name in the message: found back from the
        // services that have one, along the routes between such services.
        let mut way_out: Vec<Option<(usize, String)>> = vec![None; n];
        let mut from_way_out = Vec::new();
        for s in 0..n {
            let Some(table) = routes(s) else { continue };
            if out[s] || !exits[s] {
                continue;
            }
            let unlikely = table.choices().zip(&likely[s]).find(|((_, d), kept)| {
                !**kept
                    && match d {
                        Destination::Sink(_) => true,
                        Destination::Service(next) => out[next.index()],
                    }
            });
            if let Some(((_, d), _)) = unlikely {
                let name = match d {
                    Destination::Service(next) => service_names[next.index()].clone(),
                    Destination::Sink(k) => sink_names[k.index()].clone(),
                };
                way_out[s] = Some((s, name));
                from_way_out.push(s);
            }
        }
        while let Some(s) = from_way_out.pop() {
            for &(from, _) in &into[s] {
                let from = from as usize;
                if way_out[from].is_none() && exits[from] && !out[from] {
                    way_out[from] = way_out[s].clone();
                    from_way_out.push(from);
                }
            }
        }
        for s in 0..n {
            let Some(table) = routes(s) else { continue };
            if !exits[s] {
                check.issue(
                    format!("patient_types.{}", patient_type.name),
                    None,
                    format!("patients of this type in service `{}` can never leave: no chain of routes from it reaches a sink; route some of them to a sink", service_names[s]),
                );
            } else if !out[s] {
                // (The route's probability is not shown: added to the
                // others it may round to nothing, as 1e-300 after 1.0 does.)
                let named = way_out[s].as_ref().map_or(String::new(), |(at, to)| {
                    format!(" (here `{}` → `{to}`)", service_names[*at])
                });
                check.issue(
                    format!("patient_types.{}", patient_type.name),
                    None,
                    format!("patients of this type in service `{}` leave only by routes taken less than once in a million moves{named}: on average each would move more than a million times before leaving; route more of them to a sink", service_names[s]),
                );
            }
            for (_, destination) in table.choices() {
                let Destination::Service(target) = destination else {
                    continue;
                };
                // Services the transfer can be diverted to from `target`.
                let mut current = target.index();
                let mut seen = vec![current];
                while let Some(diversion) = &divert_edges[current] {
                    let next = diversion.to as usize;
                    if next == s && reported.insert((s, target.index())) {
                        check.issue(
                            format!("services.{}.divert_to", service_names[current]),
                            Some(format!("{:?}", service_names[s])),
                            format!("patients routed from `{}` to `{}` would be diverted back to `{}`, the service they are leaving, and wait there for a second place (a deadlock); divert to another service, or let them wait or be lost", service_names[s], service_names[target.index()], service_names[s]),
                        );
                    }
                    if seen.contains(&next) {
                        break;
                    }
                    seen.push(next);
                    current = next;
                }
            }
        }
    }
}

/// Diversions must not loop: through immediate ones a patient would
/// bounce forever at one instant, and through a maximum wait round and
/// round for as long as the services stay full (a wait of 0.0001 days
/// made 227 million events in 30 simulated days).
/// Each service diverts to at most one other, so one walk per service,
/// never revisiting a service, finds every loop in linear time (a walk
/// that restarted at every service was cubic in a long chain). Each
/// loop is reported once, at its first service in file order.
pub(super) fn check_diversion_loops(
    check: &mut Checker,
    divert_edges: &[Option<Diversion>],
    service_names: &[String],
) {
    let mut state = vec![0u8; divert_edges.len()]; // 0 new, 1 on this walk, 2 done
    let mut loop_starts = Vec::new();
    for first in 0..divert_edges.len() {
        let mut walk = Vec::new();
        let mut current = first;
        while state[current] == 0 {
            state[current] = 1;
            walk.push(current);
            match &divert_edges[current] {
                Some(diversion) => current = diversion.to as usize,
                None => break,
            }
        }
        if state[current] == 1 && divert_edges[current].is_some() {
            let at = walk.iter().position(|&i| i == current).unwrap_or(0);
            loop_starts.push(walk[at..].iter().copied().min().unwrap_or(current));
        }
        for i in walk {
            state[i] = 2;
        }
    }
    loop_starts.sort_unstable();
    for start in loop_starts {
        let mut cycle = vec![service_names[start].as_str()];
        let mut waits = Vec::new();
        let mut current = start;
        while let Some(diversion) = &divert_edges[current] {
            if let Some(days) = diversion.after_wait {
                waits.push(format!(
                    "`{}` after its max_wait_days = {}",
                    service_names[current],
                    show(days)
                ));
            }
            current = diversion.to as usize;
            cycle.push(service_names[current].as_str());
            if current == start {
                break;
            }
        }
        let path = divert_edges[start]
            .as_ref()
            .map(|d| d.path.clone())
            .unwrap_or_default();
        let message = if waits.is_empty() {
            format!(
                "diversions when full form a loop ({}); let one of these services wait or lose patients instead",
                cycle.join(" → ")
            )
        } else {
            format!(
                "diversions form a loop ({}; {}): patients would go round it for as long as these services are full; let one of them wait without a limit, or lose patients instead (when_full or after_max_wait = \"lose\")",
                cycle.join(" → "),
                waits.join(", ")
            )
        };
        check.issue(path, None, message);
    }
}
