//! The levers' plan written into the network: each service's places on
//! each day a lever steps, and later versions of pathways and entry routes.

use super::plan::{Operation, Plan, Scheduled, Target, destination_kind, fraction_on};
use crate::model::system::SystemLayout;
use crate::model::{Capacity, CapacityChange, Destination, EntryChange, Network, PathwayChange};
use crate::scenario::check::Checker;

/// Each service's places on each day a lever steps: the base (with
/// `[workforce]`, the places its staff give that month), plus the changes,
/// times the multipliers, each at its share of full effect.
pub(super) fn write_capacity(plan: &Plan, network: &mut Network) {
    let services: std::collections::BTreeSet<usize> = plan
        .capacity
        .keys()
        .chain(plan.base_places.keys())
        .copied()
        .collect();
    for s in services {
        let levers = plan.capacity.get(&s).map_or(&[][..], Vec::as_slice);
        let staffed = plan.base_places.get(&s).map_or(&[][..], Vec::as_slice);
        let service = &mut network.services[s];
        let Capacity::Limited(start) = service.capacity else {
            continue;
        };
        let mut days: Vec<f64> = levers
            .iter()
            .flat_map(|l| l.steps.iter().map(|step| step.day))
            .chain(staffed.iter().map(|(day, _)| *day))
            .collect();
        days.sort_by(f64::total_cmp);
        days.dedup();
        let mut current = start;
        for day in days {
            let base = staffed
                .iter()
                .rev()
                .find(|(from, _)| *from <= day)
                .map_or(start, |(_, places)| *places);
            let added: f64 = levers
                .iter()
                .map(|l| l.change * fraction_on(&l.steps, day))
                .sum();
            let times: f64 = levers
                .iter()
                .map(|l| 1.0 + (l.multiplier - 1.0) * fraction_on(&l.steps, day))
                .product();
            let places = ((f64::from(base) + added) * times)
                .round()
                .clamp(0.0, f64::from(u32::MAX)) as u32;
            // A step that changes nothing is left out: a lever with no
            // effect leaves the run exactly as it was.
            if places != current {
                service.capacity_changes.push(CapacityChange {
                    from_day: day,
                    capacity: Capacity::Limited(places),
                });
                current = places;
            }
        }
    }
    for (t, change) in &plan.rates {
        network.patient_types[*t].rate_changes.push(change.clone());
    }
}

/// Later versions of pathways and entry routes, one per day a lever on
/// them steps, built from the base by each lever at its share of full
/// effect, in file order.
pub(super) fn write_operations(
    check: &mut Checker,
    plan: &Plan,
    layout: &SystemLayout,
    network: &mut Network,
) {
    let n_services = network.services.len();
    for (target, scheduled) in &plan.operations {
        let mut days: Vec<f64> = scheduled
            .iter()
            .flat_map(|l| l.steps.iter().map(|step| step.day))
            .collect();
        days.sort_by(f64::total_cmp);
        days.dedup();
        for day in days {
            let fractions: Vec<f64> = scheduled
                .iter()
                .map(|l| fraction_on(&l.steps, day))
                .collect();
            let effective = |l: &Scheduled, fraction: f64, current: f64| match &l.operation {
                Operation::Stay(f) | Operation::Delay(_, f) => 1.0 + (f - 1.0) * fraction,
                Operation::Share { factor, .. } => 1.0 + (factor - 1.0) * fraction,
                Operation::HomeShare { target, .. } => current + (target - current) * fraction,
            };
            let failed = |check: &mut Checker, lever: &str, problem: String| {
                check.issue(format!("levers.{lever}"), None, problem);
            };
            match *target {
                Target::Entry(t) => {
                    let patient_type = &network.patient_types[t];
                    let Some(mut entry) = patient_type.entry.clone() else {
                        continue;
                    };
                    for (l, &fraction) in scheduled.iter().zip(&fractions) {
                        if let Operation::Share { from, to, .. } = &l.operation {
                            let factor = effective(l, fraction, 0.0);
                            match entry.with_share_moved(|d| from.contains(&d), factor, to) {
                                Ok(routes) => entry = routes,
                                Err(missing) => {
                                    failed(
                                        check,
                                        &l.lever,
                                        format!(
                                            "needs {:.1}% more of the crises of {} than go to ED to offer rapid response; lower the multiplier",
                                            missing * 100.0,
                                            patient_type.name
                                        ),
                                    );
                                    return;
                                }
                            }
                        }
                    }
                    network.patient_types[t].entry_changes.push(EntryChange {
                        from_day: day,
                        entry,
                    });
                    // Crises that seek a same-day appointment first keep
                    // that share; those finding none go on by today's entry
                    // route, which the same levers change in the same way.
                    if let Some(s) = onward_at(layout, network, t) {
                        let pathway = network.pathways[t * n_services + s]
                            .as_ref()
                            .expect("onward_at finds a pathway");
                        let mut onward = pathway.onward.clone().expect("onward_at finds onward");
                        for (l, &fraction) in scheduled.iter().zip(&fractions) {
                            if let Operation::Share { from, to, .. } = &l.operation {
                                let factor = effective(l, fraction, 0.0);
                                match onward.with_share_moved(|d| from.contains(&d), factor, to) {
                                    Ok(routes) => onward = routes,
                                    Err(missing) => {
                                        failed(
                                            check,
                                            &l.lever,
                                            format!(
                                                "needs {:.1}% more of the crises of {} finding no same-day appointment than go to ED to offer rapid response; lower the multiplier",
                                                missing * 100.0,
                                                network.patient_types[t].name
                                            ),
                                        );
                                        return;
                                    }
                                }
                            }
                        }
                        let change = PathwayChange {
                            from_day: day,
                            stay: pathway.stay.clone(),
                            routes: pathway.routes.clone(),
                            onward: Some(onward),
                        };
                        if let Some(pathway) = network.pathways[t * n_services + s].as_mut() {
                            pathway.changes.push(change);
                        }
                    }
                }
                Target::Pathway(t, s) => {
                    let Some(pathway) = network.pathways[t * n_services + s].as_ref() else {
                        continue;
                    };
                    let mut stay = pathway.stay.clone();
                    let mut routes = pathway.routes.clone();
                    // Delays last, so they reach routes the other levers open.
                    let mut order: Vec<(&Scheduled, f64)> =
                        scheduled.iter().zip(fractions.iter().copied()).collect();
                    order.sort_by_key(|(l, _)| matches!(l.operation, Operation::Delay(..)));
                    for (l, fraction) in order {
                        match &l.operation {
                            Operation::Stay(_) => match stay.scaled(effective(l, fraction, 0.0)) {
                                Ok(x) => stay = x,
                                Err(e) => {
                                    failed(
                                        check,
                                        &l.lever,
                                        format!("gives a stay that cannot be drawn: {e}"),
                                    );
                                    return;
                                }
                            },
                            Operation::Delay(kinds, _) => {
                                let picked = |d: Destination| {
                                    destination_kind(layout, d).is_some_and(|k| kinds.contains(&k))
                                };
                                match routes.with_delays_scaled(picked, effective(l, fraction, 0.0))
                                {
                                    Ok(x) => routes = x,
                                    Err(e) => {
                                        failed(
                                            check,
                                            &l.lever,
                                            format!("gives a delay that cannot be drawn: {e}"),
                                        );
                                        return;
                                    }
                                }
                            }
                            Operation::Share { from, to, .. } => {
                                let factor = effective(l, fraction, 0.0);
                                match routes.with_share_moved(|d| from.contains(&d), factor, to) {
                                    Ok(x) => routes = x,
                                    Err(missing) => {
                                        failed(
                                            check,
                                            &l.lever,
                                            format!(
                                                "needs {:.1}% more of the patients of {} leaving {} than there are to take from; lower the multiplier",
                                                missing * 100.0,
                                                network.patient_types[t].name,
                                                network.services[s].name
                                            ),
                                        );
                                        return;
                                    }
                                }
                            }
                            Operation::HomeShare { home, fallback, .. } => {
                                let current: f64 = routes
                                    .choices()
                                    .filter(|(_, d)| d == home)
                                    .map(|(p, _)| p)
                                    .sum();
                                let share = effective(l, fraction, current);
                                routes = routes.with_share_set(*home, share, *fallback);
                            }
                        }
                    }
                    if let Some(pathway) = network.pathways[t * n_services + s].as_mut() {
                        pathway.changes.push(PathwayChange {
                            from_day: day,
                            stay,
                            routes,
                            onward: None,
                        });
                    }
                }
            }
        }
    }
}

/// The service where type `t` has onward routes (primary care, for crises
/// that seek a same-day appointment first), if any.
fn onward_at(layout: &SystemLayout, network: &Network, t: usize) -> Option<usize> {
    let n_services = network.services.len();
    (0..n_services).find(|&s| {
        layout.services[s].role == crate::model::system::Role::PrimaryCare
            && network.pathways[t * n_services + s]
                .as_ref()
                .is_some_and(|p| p.onward.is_some())
    })
}
