//! Who the levers keep out of care homes: for every later version of a
//! pathway that sends less to care homes than the base routes do, the
//! chance that a patient drawing each of its routes is one it diverted, and
//! the care homes they would have gone to (`Pathway::diverted_from_care_home`).
//! The simulation makes them die at home with the care home's risk
//! (`model/simulation/diverted.rs`; docs/whole-system.md §9a).
//!
//! Read from the routes as written, not from the levers: the share a
//! version's care homes lost is the share it diverted, and the routes that
//! gained share took it (in proportion to their gains). Only the
//! `care_home_discharge` lever moves share away from care homes, and on the
//! pathways it reaches (adult and community beds) no other lever moves
//! shares, so the routes that gained are exactly where it sent them; a
//! lever sending more to care homes diverts nobody. Levers written after
//! this pass would not be seen: it runs once every version is written.

use crate::model::network::{CareHomeDiversion, Destination, DivertedFromCareHome, RouteTable};
use crate::model::system::SystemLayout;
use crate::model::{Network, ServiceId, SinkId};

/// Shares of a version below this are rounding, not a diversion.
const NOTHING: f64 = 1e-12;

/// Marks the pathways whose versions divert patients from care homes, who
/// keep `multiplier` × the care home's chance of death (0: nobody is
/// marked, and the run is as before the mechanism).
pub(super) fn mark_care_home_diversions(
    layout: &SystemLayout,
    multiplier: f64,
    network: &mut Network,
) {
    if multiplier == 0.0 {
        return;
    }
    let death = SinkId(layout.death_sink as u32);
    let is_care_home = |d: Destination| matches!(d, Destination::Service(s) if layout.services[s.index()].role.is_care_home());
    for pathway in network.pathways.iter_mut().flatten() {
        if pathway.changes.is_empty() {
            continue;
        }
        let versions: Vec<Option<CareHomeDiversion>> = pathway
            .changes
            .iter()
            .map(|change| diversion(&pathway.routes, &change.routes, is_care_home))
            .collect();
        if versions.iter().any(Option::is_some) {
            pathway.diverted_from_care_home = Some(DivertedFromCareHome {
                death,
                multiplier,
                versions,
            });
        }
    }
}

/// Who `version` diverts from the care homes `base` sends patients to:
/// None when its care homes lost nothing (or no route gained).
fn diversion(
    base: &RouteTable,
    version: &RouteTable,
    is_care_home: impl Fn(Destination) -> bool,
) -> Option<CareHomeDiversion> {
    let share = |table: &RouteTable, d: Destination| -> f64 {
        table
            .choices()
            .filter(|(_, x)| *x == d)
            .map(|(p, _)| p)
            .sum()
    };
    let mut unique: Vec<Destination> = Vec::new();
    for (_, d) in base.choices().chain(version.choices()) {
        if !unique.contains(&d) {
            unique.push(d);
        }
    }
    // What each care home lost, and what each other destination gained.
    let mut homes: Vec<(f64, ServiceId)> = Vec::new();
    let mut gains: Vec<(Destination, f64)> = Vec::new();
    for d in unique {
        let change = share(version, d) - share(base, d);
        // A care home gaining share (another lever) is no one's gain here.
        if !is_care_home(d) {
            if change > NOTHING {
                gains.push((d, change));
            }
        } else if let Destination::Service(s) = d
            && change < -NOTHING
        {
            homes.push((-change, s));
        }
    }
    let lost: f64 = homes.iter().map(|(p, _)| p).sum();
    let gained: f64 = gains.iter().map(|(_, p)| p).sum();
    let diverted = lost.min(gained);
    if diverted <= NOTHING {
        return None;
    }
    // A route's chance: its share of the diverted over its share.
    let chance = version
        .choices()
        .map(|(p, d)| {
            let gain = gains.iter().find(|(g, _)| *g == d).map_or(0.0, |(_, g)| *g);
            if p > 0.0 {
                (gain * diverted / gained / share(version, d)).min(1.0)
            } else {
                0.0
            }
        })
        .collect();
    for (p, _) in &mut homes {
        *p /= lost;
    }
    Some(CareHomeDiversion { chance, homes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: Destination = Destination::Sink(SinkId(0));
    const REABLEMENT: Destination = Destination::Service(ServiceId(1));
    const RESIDENTIAL: Destination = Destination::Service(ServiceId(2));
    const NURSING: Destination = Destination::Service(ServiceId(3));

    fn care_home(d: Destination) -> bool {
        d == RESIDENTIAL || d == NURSING
    }

    fn base() -> RouteTable {
        RouteTable::new(&[
            (0.6, HOME),
            (0.2, REABLEMENT),
            (0.08, RESIDENTIAL),
            (0.12, NURSING),
        ])
    }

    #[test]
    fn the_share_the_care_homes_lose_is_the_share_diverted() {
        // × 0.5 to reablement: 0.1 moves, from the homes in proportion.
        let version = base()
            .with_share_moved(care_home, 0.5, &[(REABLEMENT, None)])
            .unwrap();
        let d = diversion(&base(), &version, care_home).unwrap();
        // Routes: home, reablement (0.3 now, 0.1 of it diverted), homes.
        assert_eq!(d.chance.len(), 4);
        assert_eq!(d.chance[0], 0.0);
        assert!((d.chance[1] - 0.1 / 0.3).abs() < 1e-12, "{:?}", d.chance);
        assert_eq!(&d.chance[2..], &[0.0, 0.0]);
        let shares: Vec<f64> = d.homes.iter().map(|(p, _)| *p).collect();
        assert!((shares[0] - 0.4).abs() < 1e-12 && (shares[1] - 0.6).abs() < 1e-12);
        assert_eq!(d.homes[0].1, ServiceId(2));
    }

    #[test]
    fn all_moved_home_are_shared_by_the_home_route() {
        let version = base()
            .with_share_moved(care_home, 0.0, &[(HOME, None)])
            .unwrap();
        let d = diversion(&base(), &version, care_home).unwrap();
        // Home is 0.8 now, 0.2 of it diverted; the care homes are gone.
        assert_eq!(d.chance.len(), 2);
        assert!((d.chance[0] - 0.25).abs() < 1e-12, "{:?}", d.chance);
        assert_eq!(d.chance[1], 0.0);
    }

    #[test]
    fn more_to_care_homes_or_no_change_diverts_nobody() {
        let more = base()
            .with_share_moved(care_home, 1.5, &[(HOME, None)])
            .unwrap();
        assert!(diversion(&base(), &more, care_home).is_none());
        let delays = base().with_delays_scaled(|_| true, 0.5).unwrap();
        assert!(diversion(&base(), &delays, care_home).is_none());
        assert!(diversion(&base(), &base(), care_home).is_none());
    }
}
