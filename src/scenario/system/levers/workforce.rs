//! Staff who must be recruited (`[workforce]`): the posts levers fund
//! become vacancies, filled month by month (`workforce::trajectory`), and
//! the capacity of community teams, community beds and general practice
//! follows the staff working (in post and agency cover) instead of the
//! money on the day.
//!
//! This stage runs after the levers are read and before they are written:
//! it takes out of the plan what levers fund as staff (a team's WTE, a
//! staffed bed, a GP) for the groups `[workforce]` models, and writes
//! instead each service's places month by month (`Plan::base_places`, to
//! which the other capacity levers' changes still apply) and general
//! practice's working WTE and premium (`Plan::practice_staff`). Each
//! group's staff are kept in the layout (`SystemLayout::workforce`) for
//! money and `workforce.csv`. A group `[workforce]` leaves out is bought
//! at once, as before.

use super::LeverContext;
use super::effect::CommunityTeam;
use super::plan::{CapacityLever, Plan, Step};
use crate::engine::CalendarDate;
use crate::model::system::{Role, Sector, StaffLevel, StaffTrack};
use crate::model::{Capacity, Network};
use crate::scenario::check::Checker;
use crate::scenario::system::workforce::{
    GroupRates, StaffGroup, StaffMonth, Workforce, trajectory,
};

/// A few WTE-billionths, so that staff that should make a whole place do
/// despite rounding in the monthly sums.
const ROUNDING: f64 = 1e-9;

/// General practice staff working in one ICC, month by month, for the
/// groups `[workforce]` models: (working WTE, £ a year of the agency
/// premium on top of working × the WTE cost).
pub(super) struct PracticeStaff {
    pub(super) gp: Option<Series>,
    pub(super) other: Option<Series>,
}

/// One group's working WTE and agency premium (£ a year), before the first
/// step and from each monthly boundary on.
pub(super) struct Series {
    before: (f64, f64),
    months: Vec<(f64, (f64, f64))>,
}

impl Series {
    fn at(&self, day: f64) -> (f64, f64) {
        self.months
            .iter()
            .rev()
            .find(|m| m.0 <= day)
            .map_or(self.before, |m| m.1)
    }
}

impl PracticeStaff {
    /// (GP WTE, other WTE, £ a year of agency premium) in force on `day`;
    /// a group not modelled keeps `in_post`.
    pub(super) fn at(&self, day: f64, in_post: (f64, f64)) -> (f64, f64, f64) {
        let gp = self.gp.as_ref().map_or((in_post.0, 0.0), |s| s.at(day));
        let other = self.other.as_ref().map_or((in_post.1, 0.0), |s| s.at(day));
        (gp.0, other.0, gp.1 + other.1)
    }

    /// The same before the first step (the warm-up and the start).
    pub(super) fn before(&self, in_post: (f64, f64)) -> (f64, f64, f64) {
        self.at(f64::NEG_INFINITY, in_post)
    }

    /// The days the staff change.
    pub(super) fn days(&self) -> impl Iterator<Item = f64> + '_ {
        self.gp
            .iter()
            .chain(&self.other)
            .flat_map(|s| s.months.iter().map(|m| m.0))
    }
}

/// The monthly boundaries of the window (window days) and which boundary
/// a lever's step falls on: the first on or after it.
struct Months {
    days: Vec<f64>,
}

impl Months {
    fn new(start_date: CalendarDate, horizon_days: f64) -> Months {
        let mut days = Vec::new();
        for k in 0.. {
            let day = (start_date.add_months(k).day_number() - start_date.day_number()) as f64;
            if day >= horizon_days {
                break;
            }
            days.push(day);
        }
        Months { days }
    }

    /// WTE funded at each boundary by levers funding `per_unit` × their
    /// units, each step its further share of the full effect.
    fn funded<'a>(&self, levers: impl Iterator<Item = (&'a [Step], f64)>) -> Vec<f64> {
        let mut funded = vec![0.0; self.days.len()];
        for (steps, full) in levers {
            let mut before = 0.0;
            for step in steps {
                let k = self.days.partition_point(|d| *d < step.day);
                if k < funded.len() {
                    funded[k] += full * (step.fraction - before);
                }
                before = step.fraction;
            }
        }
        funded
    }
}

/// Takes the staff levers fund for the groups `[workforce]` models out of
/// the plan, and puts in their place the services' places and general
/// practice's staff month by month; keeps each group's staff in the
/// layout.
pub(super) fn plan_workforce(
    check: &mut Checker,
    plan: &mut Plan,
    context: &LeverContext,
    network: &mut Network,
) {
    let Some(workforce) = &context.workforce else {
        return;
    };
    let Some(layout) = network.layout.clone() else {
        return;
    };
    let months = Months::new(network.run.start_date, network.run.horizon_days);
    let staff_price = context.cost_per_year.staff_wte;
    let needs_price = [StaffGroup::CommunityTeams, StaffGroup::CommunityBeds]
        .into_iter()
        .filter(|g| workforce.group(*g).is_some())
        .map(StaffGroup::name)
        .collect::<Vec<_>>();
    if !needs_price.is_empty() && staff_price.is_none() {
        check.issue(
            "costs.community_staff_wte_year",
            None,
            format!(
                "is missing; [workforce.{}] pays its staff in post and agency cover at the cost of a WTE of community staff a year, e.g. community_staff_wte_year = 58_000",
                needs_price[0]
            ),
        );
        return;
    }
    let mut tracks = Vec::new();
    for (s, info) in layout.services.iter().enumerate() {
        let Some(i) = info.icc else { continue };
        let (group, per_place) = match (info.role, CommunityTeam::of_role(info.role)) {
            (_, Some(team)) => (StaffGroup::CommunityTeams, Some(team)),
            (Role::CommunityBeds, None) => (StaffGroup::CommunityBeds, None),
            _ => continue,
        };
        let Some(modelled) = workforce.group(group) else {
            continue;
        };
        let Capacity::Limited(places) = network.services[s].capacity else {
            continue;
        };
        let rates = &modelled.by_icc[i];
        // WTE per unit funded, and the WTE in post at the start: a team's
        // WTE as the scenario gives it; a bed's nurses (its beds are
        // staffed beds).
        let (per_unit, in_post) = match per_place {
            Some(team) => (1.0, context.team_wte[i][team]),
            None => (
                modelled.wte_per_bed,
                f64::from(places) * modelled.wte_per_bed,
            ),
        };
        let levers = plan.capacity.remove(&s).unwrap_or_default();
        let (funding, kept): (Vec<CapacityLever>, Vec<CapacityLever>) =
            levers.into_iter().partition(|l| l.funded.is_some());
        if !kept.is_empty() {
            plan.capacity.insert(s, kept);
        }
        let funded = months.funded(
            funding
                .iter()
                .map(|l| (l.steps.as_slice(), l.funded.unwrap_or(0.0) * per_unit)),
        );
        let (before, staff) = trajectory(rates, in_post, &funded);
        let places_of = |m: &StaffMonth| -> u32 {
            let n = match per_place {
                Some(team) => (m.working() * context.caseload_per_wte[team] + ROUNDING).floor(),
                None => ((m.working() / modelled.wte_per_bed + ROUNDING).floor())
                    .min((m.funded / modelled.wte_per_bed + ROUNDING).floor()),
            };
            n.clamp(0.0, f64::from(u32::MAX)) as u32
        };
        network.services[s].capacity = Capacity::Limited(places_of(&before));
        plan.base_places.insert(
            s,
            months
                .days
                .iter()
                .zip(&staff)
                .map(|(day, m)| (*day, places_of(m)))
                .collect(),
        );
        tracks.push(track(
            i,
            group,
            Sector::Community,
            staff_price.unwrap_or(0.0),
            rates,
            true,
            &months,
            before,
            &staff,
        ));
    }
    if let Some(practice) = &context.primary_care {
        let prices = (
            practice.gp_wte_year.unwrap_or(0.0),
            practice.other_clinical_wte_year.unwrap_or(0.0),
        );
        for (s, info) in layout.services.iter().enumerate() {
            let Some(i) = info.icc.filter(|_| info.role == Role::PrimaryCare) else {
                continue;
            };
            // An ICC with no appointment has an inert service: nobody is
            // sent there, and it stays exactly as it is.
            if network.services[s].max_admissions_per_day.is_none() {
                continue;
            }
            let mut staff = PracticeStaff {
                gp: None,
                other: None,
            };
            let levers = plan.primary_care_staff.entry(i).or_default();
            for group in [StaffGroup::Gp, StaffGroup::OtherClinical] {
                let Some(modelled) = workforce.group(group) else {
                    continue;
                };
                let rates = &modelled.by_icc[i];
                let is_gp = group == StaffGroup::Gp;
                let funded = months.funded(
                    levers
                        .iter()
                        .map(|l| (l.steps.as_slice(), if is_gp { l.gp } else { l.other })),
                );
                // What levers fund is recruited here, not bought on the day.
                for lever in levers.iter_mut() {
                    if is_gp {
                        lever.gp = 0.0;
                    } else {
                        lever.other = 0.0;
                    }
                }
                let (in_post, price) = if is_gp {
                    (practice.wte[i].0, prices.0)
                } else {
                    (practice.wte[i].1, prices.1)
                };
                let (before, months_staff) = trajectory(rates, in_post, &funded);
                // Within a billionth of a WTE (a millionth of a £) of the
                // start is the start: a group at its equilibrium, steady but
                // for rounding in the monthly sums, writes no change of
                // staff or cost.
                let premium = |m: &StaffMonth| m.agency * rates.agency_premium * price;
                let start = (before.working(), premium(&before));
                let level = |m: &StaffMonth| {
                    let (working, paid) = (m.working(), premium(m));
                    (
                        if (working - start.0).abs() < ROUNDING {
                            start.0
                        } else {
                            working
                        },
                        if (paid - start.1).abs() < 1e-6 {
                            start.1
                        } else {
                            paid
                        },
                    )
                };
                let series = Series {
                    before: start,
                    months: months
                        .days
                        .iter()
                        .zip(&months_staff)
                        .map(|(day, m)| (*day, level(m)))
                        .collect(),
                };
                if is_gp {
                    staff.gp = Some(series);
                } else {
                    staff.other = Some(series);
                }
                tracks.push(track(
                    i,
                    group,
                    Sector::PrimaryCare,
                    price,
                    rates,
                    false,
                    &months,
                    before,
                    &months_staff,
                ));
            }
            if staff.gp.is_none() && staff.other.is_none() {
                continue;
            }
            // The day's appointments and the staff paid from the start:
            // those working (agency cover included), not only those in post.
            let (gp, other, premium) = staff.before(practice.wte[i]);
            network.services[s].max_admissions_per_day =
                Some(practice.section.daily_limit(gp, other));
            if let Some(layout) = network.layout.as_mut()
                && let Some(cost) = layout.staff_costs.iter_mut().find(|c| c.icc == i)
            {
                cost.base_per_year = gp * prices.0 + other * prices.1 + premium;
            }
            plan.practice_staff.insert(i, staff);
        }
    }
    tracks.sort_by_key(|t| (t.icc, group_order(&t.group)));
    if let Some(layout) = network.layout.as_mut() {
        layout.workforce = tracks;
    }
}

fn group_order(name: &str) -> usize {
    StaffGroup::ALL
        .iter()
        .position(|g| g.name() == name)
        .unwrap_or(usize::MAX)
}

#[allow(clippy::too_many_arguments)]
fn track(
    icc: usize,
    group: StaffGroup,
    sector: Sector,
    wte_year: f64,
    rates: &GroupRates,
    premium_on_top: bool,
    months: &Months,
    before: StaffMonth,
    staff: &[StaffMonth],
) -> StaffTrack {
    let level = |m: &StaffMonth| StaffLevel {
        funded: m.funded,
        in_post: m.in_post,
        vacant: m.vacant,
        agency: m.agency,
    };
    StaffTrack {
        icc,
        group: group.name().to_string(),
        sector,
        wte_year,
        agency_premium: rates.agency_premium,
        premium_on_top,
        before: level(&before),
        months: months
            .days
            .iter()
            .zip(staff)
            .map(|(day, m)| (*day, level(m)))
            .collect(),
    }
}

impl LeverContext {
    /// The levers' context with `[workforce]` (None: staff bought at once).
    pub(in crate::scenario::system) fn with_workforce(
        mut self,
        workforce: Option<Workforce>,
    ) -> LeverContext {
        self.workforce = workforce;
        self
    }
}
