//! Who is sent to an ICC's community day unit and what they do there: the
//! destination for people referred on (rapid response, primary care),
//! and the pathway at the unit — a stay, then admitted to the ICC's acute
//! site's adult beds (as a direct admission), stepped up to its community
//! beds, or home. A unit closed, full or out of the day's slots sends
//! them on to the site's ED (`Overflow::Onward`).
//!
//! Children (the 0-17 band) are never sent there: the unit is for adults.

use super::services::Ids;
use super::sites::front_door;
use crate::model::system::Role;
use crate::model::{Destination, Pathway, RouteTable, ServiceId};
use crate::scenario::system::spec::Parts;

/// Everyone who leaves alive goes home (sink 0).
const HOME: Destination = Destination::Sink(crate::model::SinkId(0));

/// Where someone referred on to a day unit in ICC `icc` goes: the ICC's
/// community day unit where it has one (any of `[iccs.X]`'s day-unit keys
/// given, with `[community.day_unit]`), else its site's ED.
pub(in crate::scenario::system) fn community_day_unit_or_ed(
    ids: &Ids,
    parts: &Parts,
    icc: usize,
) -> Destination {
    match ids[Role::CommunityDayUnit].get(icc) {
        Some(&unit) if parts.community.day_unit.is_some() && parts.iccs[icc].day_unit.exists => {
            Destination::Service(unit)
        }
        _ => Destination::Service(front_door(parts, ids, parts.iccs[icc].site)),
    }
}

/// The share of rapid-response episodes not managed at home in ICC `icc`
/// that go to its community day unit instead of ED, for an age band (0
/// for children and in ICCs with no community day unit).
pub(super) fn from_rapid_response(parts: &Parts, icc: usize, children: bool) -> f64 {
    match &parts.community.day_unit {
        Some(unit) if !children && parts.iccs[icc].day_unit.exists => unit.from_rapid_response,
        _ => 0.0,
    }
}

/// The pathway of an adult crisis type at ICC `icc`'s community day unit,
/// if the file has them: `admitted(p)` splits an admission with
/// probability p between the site's beds and other providers as a direct
/// admission does.
pub(super) fn community_day_unit_pathway(
    ids: &Ids,
    parts: &Parts,
    icc: usize,
    admitted: &dyn Fn(f64) -> Vec<(f64, Destination)>,
) -> Option<(ServiceId, Pathway)> {
    let unit = parts.community.day_unit.as_ref()?;
    let &service = ids[Role::CommunityDayUnit].get(icc)?;
    let mut routes = vec![
        ((1.0 - unit.admission - unit.community_bed).max(0.0), HOME),
        (
            unit.community_bed,
            Destination::Service(ids[Role::CommunityBeds][icc]),
        ),
    ];
    routes.extend(admitted(unit.admission));
    let ed = front_door(parts, ids, parts.iccs[icc].site);
    Some((
        service,
        Pathway::new(unit.stay.clone(), RouteTable::new(&routes))
            .with_onward(RouteTable::to(Destination::Service(ed))),
    ))
}
