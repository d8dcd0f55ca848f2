//! The services of a whole system, built from one table of service kinds:
//! each row says a kind's role, name, unit, description, capacity, what
//! happens when it is full and its unit costs; one loop builds every
//! site's services kind by kind, then the services outside the trust,
//! then every ICC's services. A new kind of service is a new row (and a
//! new [`Role`]).
//!
//! The build order is part of the output (service ids, and so the order of
//! every per-service file), so the rows are in the order services were
//! always built: all EDs, all adult bed bases, all day units, all children's
//! wards, other providers, then ICC by ICC its services in `icc_kinds`
//! order.

use std::collections::HashMap;
use std::ops::Index;

use super::sites::front_door;
use crate::model::system::{Role, Sector, ServiceInfo, UnitCosts};
use crate::model::{Capacity, FullPolicy, Outlying, Overflow, Service, ServiceId};
use crate::scenario::system::costs::paid_places;
use crate::scenario::system::spec::{Costs, Parts, Team, home_care_packages};

/// Services of the compiled network, by what they are: for each role, one
/// service per site or ICC in order (`ids[Role::AcuteBeds][site]`), so a
/// new kind of service needs no field here.
pub(super) struct Ids {
    by_role: HashMap<Role, Vec<ServiceId>>,
    /// The one service of `Role::OtherProvider`.
    pub(super) other_providers: ServiceId,
    /// Each site's urgent treatment centre, if it has one (built after
    /// every ICC's services, so files without one keep their ids).
    pub(super) utc: Vec<Option<ServiceId>>,
}

impl Index<Role> for Ids {
    type Output = [ServiceId];

    /// The services of one role, one per site or ICC in order.
    fn index(&self, role: Role) -> &[ServiceId] {
        self.by_role.get(&role).map_or(&[], Vec::as_slice)
    }
}

/// One kind of service that every site, or every ICC, has.
struct ServiceKind {
    role: Role,
    /// Each service is named `{prefix}_{site or ICC}`.
    prefix: &'static str,
    /// What its capacity counts.
    unit: &'static str,
    /// Its description, from the site's or ICC's name and description.
    describe: fn(&str, &str) -> String,
    /// Its places, for site or ICC `i`.
    capacity: fn(&Parts, usize) -> Capacity,
    /// What happens when it is full, for site or ICC `i` (services built
    /// before it are in `Ids`).
    when_full: fn(&Parts, &Ids, usize) -> FullPolicy,
    /// Its unit costs.
    costs: fn(&Costs) -> UnitCosts,
    /// Anything else it takes from the specification (discharge days,
    /// opening hours), for site or ICC `i`.
    finish: fn(&mut Service, &Parts, usize),
}

/// Waits without a limit (a FIFO waiting list).
const WAIT: FullPolicy = FullPolicy::Wait {
    max_wait_days: None,
    then: Overflow::Lose,
};

/// Adult and children's beds of the trust: what a stay costs.
fn acute_costs(costs: &Costs) -> UnitCosts {
    UnitCosts {
        sector: Sector::Acute,
        per_admission: costs.emergency_long_stay,
        per_short_stay: Some(costs.emergency_short_stay),
        per_elective_admission: Some(costs.elective_admission),
        per_place_day: costs.acute_bed_day,
        per_delayed_day: costs.excess_bed_day,
        per_place_day_paid: 0.0,
        per_place_day_closed: costs.excess_bed_day,
        per_escalation_place_day: 0.0,
    }
}

fn wait(_: &Parts, _: &Ids, _: usize) -> FullPolicy {
    WAIT
}

fn nothing_more(_: &mut Service, _: &Parts, _: usize) {}

/// Hospital beds: patients leave on the discharge days of `[pathways]`.
fn discharge_days(service: &mut Service, parts: &Parts, _: usize) {
    service.discharge_weekday_factors = parts.pathways.discharge_weekday_factors;
}

/// Places of a team: whole people's caseloads, floor(WTE × caseload per WTE).
fn caseload(wte: f64, per: f64) -> Capacity {
    Capacity::Limited((wte * per).floor() as u32)
}

/// A team with a wait limit loses those not seen within it.
fn team_wait(team: &Team) -> FullPolicy {
    match team.max_wait_days {
        Some(limit) => FullPolicy::Wait {
            max_wait_days: Some(limit),
            then: Overflow::Lose,
        },
        None => WAIT,
    }
}

/// Waits, and goes without after `max_wait_days` if given (lost: care
/// found some other way).
fn lose_after(max_wait_days: Option<f64>) -> FullPolicy {
    match max_wait_days {
        Some(limit) => FullPolicy::Wait {
            max_wait_days: Some(limit),
            then: Overflow::Lose,
        },
        None => WAIT,
    }
}

/// The services every site has, in build order.
fn site_kinds() -> [ServiceKind; 4] {
    [
        ServiceKind {
            role: Role::EmergencyDepartment,
            prefix: "ed",
            unit: "attendances in progress",
            describe: |_, description| format!("Emergency department, {description}"),
            capacity: |_, _| Capacity::Unlimited,
            when_full: wait,
            costs: |costs| UnitCosts {
                per_admission: costs.ed_attendance,
                ..UnitCosts::none(Sector::Acute)
            },
            finish: nothing_more,
        },
        ServiceKind {
            role: Role::AcuteBeds,
            prefix: "acute",
            unit: "beds",
            describe: |_, description| format!("Adult general and acute beds, {description}"),
            capacity: |parts, i| Capacity::Limited(parts.sites[i].adult_beds),
            // Transfers out (to other providers, built after the sites)
            // are set in `build_services`.
            when_full: wait,
            costs: |costs| UnitCosts {
                per_escalation_place_day: costs.escalation_place_day,
                ..acute_costs(costs)
            },
            finish: |service, parts, i| {
                discharge_days(service, parts, i);
                service.escalation = parts.sites[i].escalation;
            },
        },
        ServiceKind {
            role: Role::DayUnit,
            prefix: "day_unit",
            unit: "places",
            describe: |_, description| format!("Same-day emergency care (day unit), {description}"),
            capacity: |parts, i| Capacity::Limited(parts.sites[i].day_unit_places),
            // Full, closed or out of slots: admitted instead.
            when_full: |_, ids, i| FullPolicy::Overflow(Overflow::Divert(ids[Role::AcuteBeds][i])),
            costs: |costs| UnitCosts {
                per_admission: costs.day_unit_attendance,
                ..UnitCosts::none(Sector::Acute)
            },
            finish: |service, parts, i| {
                service.opening = parts.sites[i].day_unit_opening;
                service.max_admissions_per_day =
                    parts.sites[i].day_unit_slots_per_day.map(|n| [n; 7]);
            },
        },
        ServiceKind {
            role: Role::PaediatricBeds,
            prefix: "paediatrics",
            unit: "beds",
            describe: |_, description| format!("Children's beds, {description}"),
            capacity: |parts, i| Capacity::Limited(parts.sites[i].paediatric_beds),
            when_full: wait,
            costs: acute_costs,
            finish: discharge_days,
        },
    ]
}

/// The services every ICC has, in build order.
fn icc_kinds() -> [ServiceKind; 9] {
    [
        ServiceKind {
            role: Role::RapidResponse,
            prefix: "rapid_response",
            unit: "caseload",
            describe: |name, description| {
                format!("Rapid response at home, {name} ICC {description}")
                    .trim_end()
                    .to_string()
            },
            capacity: |parts, i| {
                caseload(
                    parts.iccs[i].rapid_response_wte,
                    parts.community.rapid.caseload_per_wte,
                )
            },
            when_full: rapid_response_full,
            costs: |costs| UnitCosts {
                per_place_day: costs.rapid_response_contact * costs.rapid_response_contacts_per_day,
                ..UnitCosts::none(Sector::Community)
            },
            finish: nothing_more,
        },
        ServiceKind {
            role: Role::Reablement,
            prefix: "reablement",
            unit: "caseload",
            describe: |name, _| {
                format!(
                    "Reablement and home-based community team (discharge pathway 1), {name} ICC"
                )
            },
            capacity: |parts, i| {
                caseload(
                    parts.iccs[i].reablement_wte,
                    parts.community.reablement.caseload_per_wte,
                )
            },
            when_full: |parts, _, _| team_wait(&parts.community.reablement),
            costs: |costs| UnitCosts {
                per_admission: costs.reablement_episode,
                ..UnitCosts::none(Sector::Community)
            },
            finish: nothing_more,
        },
        ServiceKind {
            role: Role::CaseManagement,
            prefix: "case_management",
            unit: "caseload",
            describe: |name, _| {
                format!("Proactive case management of people at high risk, {name} ICC")
            },
            capacity: |parts, i| {
                caseload(
                    parts.iccs[i].case_management_wte,
                    parts.community.case_management.caseload_per_wte,
                )
            },
            when_full: |parts, _, _| team_wait(&parts.community.case_management),
            costs: |costs| UnitCosts {
                per_place_day: costs.case_management_contact
                    * costs.case_management_contacts_per_week
                    / 7.0,
                ..UnitCosts::none(Sector::Community)
            },
            finish: nothing_more,
        },
        ServiceKind {
            role: Role::CommunityBeds,
            prefix: "community_beds",
            unit: "beds",
            describe: |name, _| {
                format!("Community hospital beds (discharge pathway 2), {name} ICC")
            },
            capacity: |parts, i| Capacity::Limited(parts.iccs[i].community_beds),
            when_full: |parts, _, _| lose_after(parts.community.bed_max_wait_days),
            costs: |costs| UnitCosts {
                per_place_day: costs.community_bed_day,
                ..UnitCosts::none(Sector::Community)
            },
            finish: nothing_more,
        },
        ServiceKind {
            role: Role::ResidentialCare,
            prefix: "residential",
            unit: "places",
            describe: |name, _| format!("Residential care homes, {name} ICC"),
            capacity: |parts, i| Capacity::Limited(parts.iccs[i].residential_places),
            when_full: wait,
            costs: |costs| UnitCosts {
                per_place_day: costs.residential_week / 7.0,
                ..UnitCosts::none(Sector::SocialCare)
            },
            finish: nothing_more,
        },
        ServiceKind {
            role: Role::NursingCare,
            prefix: "nursing",
            unit: "places",
            describe: |name, _| format!("Nursing homes, {name} ICC"),
            capacity: |parts, i| Capacity::Limited(parts.iccs[i].nursing_places),
            when_full: wait,
            costs: |costs| UnitCosts {
                per_place_day: costs.nursing_week / 7.0,
                ..UnitCosts::none(Sector::SocialCare)
            },
            finish: nothing_more,
        },
        // Last: a kind added in issue 21, so the ids of the kinds before
        // it in the first ICC are unchanged.
        ServiceKind {
            role: Role::HomeCare,
            prefix: "home_care",
            unit: "packages",
            describe: |name, _| {
                format!("Long-term home care (domiciliary care packages), {name} ICC")
            },
            capacity: |parts, i| {
                Capacity::Limited(home_care_packages(
                    &parts.iccs[i],
                    parts.community.home_care.as_ref(),
                ))
            },
            when_full: |parts, _, _| {
                lose_after(
                    parts
                        .community
                        .home_care
                        .as_ref()
                        .and_then(|h| h.max_wait_days),
                )
            },
            // Priced by the hours of a package in `paid_places`.
            costs: |_| UnitCosts::none(Sector::SocialCare),
            finish: nothing_more,
        },
        // Built only in files with `[primary_care]` (issue 22), so the
        // services of older files are unchanged (`is_built`).
        ServiceKind {
            role: Role::PrimaryCare,
            prefix: "primary_care",
            unit: "same-day appointments in progress",
            describe: |name, _| {
                format!("General practice: same-day appointments for urgent needs, {name} ICC")
            },
            // Concurrency is not the constraint: the day's appointments are
            // (`max_admissions_per_day`).
            capacity: |_, _| Capacity::Unlimited,
            // Closed or none left today: on by today's entry route
            // (the pathway's `onward`).
            when_full: |_, _, _| FullPolicy::Overflow(Overflow::Onward),
            // Paid as staff, a day (`paid_places`), not by the appointment.
            costs: |_| UnitCosts::none(Sector::PrimaryCare),
            finish: |service, parts, i| {
                // An ICC whose practices never have an appointment gets an
                // inert service (always open, no limit, nobody sent): no
                // events of its own, so its run is exactly today's.
                if let Some(primary_care) = &parts.primary_care
                    && primary_care.has_slots(&parts.iccs[i])
                {
                    let icc = &parts.iccs[i];
                    service.opening = Some(primary_care.opening);
                    service.max_admissions_per_day =
                        Some(primary_care.daily_limit(icc.gp_wte, icc.other_clinical_wte));
                }
            },
        },
        // Built only in files with `[community.day_unit]` (issue 22), so
        // the services of older files are unchanged (`is_built`).
        ServiceKind {
            role: Role::CommunityDayUnit,
            prefix: "community_day_unit",
            unit: "places",
            describe: |name, _| {
                format!(
                    "Community day unit (same-day assessment and treatment, step-up), {name} ICC"
                )
            },
            capacity: |parts, i| Capacity::Limited(parts.iccs[i].day_unit.places),
            // Closed, full or out of slots: on to the site's ED.
            when_full: |_, _, _| FullPolicy::Overflow(Overflow::Onward),
            // Places priced a year in `paid_places`; attendances besides.
            costs: |costs| UnitCosts {
                per_admission: costs.community_day_unit_attendance,
                ..UnitCosts::none(Sector::Community)
            },
            finish: |service, parts, i| {
                let unit = parts.iccs[i].day_unit;
                service.opening = unit.opening;
                service.max_admissions_per_day = unit.slots_per_day.map(|n| [n; 7]);
            },
        },
    ]
}

/// A full rapid-response team: its crises go to the front door (ED, or
/// urgent treatment centre) of the ICC's main site, at once or after the
/// wait limit. Set again once the urgent treatment centres are built.
fn rapid_response_full(parts: &Parts, ids: &Ids, i: usize) -> FullPolicy {
    let ed = front_door(parts, ids, parts.iccs[i].site);
    match parts.community.rapid.max_wait_days {
        // Not seen within the limit: goes to ED.
        Some(limit) => FullPolicy::Wait {
            max_wait_days: Some(limit),
            then: Overflow::Divert(ed),
        },
        None => FullPolicy::Overflow(Overflow::Divert(ed)),
    }
}

/// Whether the file has services of a kind: the kinds issue 22 added only
/// when their section is there, so that older files compile to the same
/// services (ids and outputs).
fn is_built(role: Role, parts: &Parts) -> bool {
    match role {
        Role::PrimaryCare => parts.primary_care.is_some(),
        Role::CommunityDayUnit => parts.community.day_unit.is_some(),
        _ => true,
    }
}

/// A service with no opening hours, admission limit, capacity changes or
/// census, leaving on any day.
fn service(
    name: String,
    description: String,
    unit: &str,
    capacity: Capacity,
    when_full: FullPolicy,
) -> Service {
    Service {
        name,
        description,
        capacity_unit: unit.to_string(),
        capacity,
        capacity_changes: Vec::new(),
        when_full,
        opening: None,
        max_admissions_per_day: None,
        schedule_changes: Vec::new(),
        discharge_weekday_factors: [1.0; 7],
        census: Vec::new(),
        escalation: None,
        outlying: None,
        wait_class: 0,
    }
}

/// Services as they are built, with their roles and costs.
struct Built {
    services: Vec<Service>,
    infos: Vec<ServiceInfo>,
}

impl Built {
    fn add(&mut self, service: Service, info: ServiceInfo) -> ServiceId {
        self.services.push(service);
        self.infos.push(info);
        ServiceId((self.services.len() - 1) as u32)
    }

    /// The service of `kind` for site `i` (`at_site`) or ICC `i`.
    fn add_kind(
        &mut self,
        kind: &ServiceKind,
        parts: &Parts,
        ids: &mut Ids,
        i: usize,
        at_site: bool,
    ) {
        let (owner, description) = if at_site {
            (&parts.sites[i].name, &parts.sites[i].description)
        } else {
            (&parts.iccs[i].name, &parts.iccs[i].description)
        };
        let mut service = service(
            format!("{}_{owner}", kind.prefix),
            (kind.describe)(owner, description),
            kind.unit,
            (kind.capacity)(parts, i),
            (kind.when_full)(parts, ids, i),
        );
        (kind.finish)(&mut service, parts, i);
        let info = ServiceInfo {
            role: kind.role,
            site: at_site.then_some(i),
            icc: (!at_site).then_some(i),
            costs: paid_places(kind.role, (kind.costs)(&parts.costs), parts),
        };
        let id = self.add(service, info);
        ids.by_role.entry(kind.role).or_default().push(id);
    }
}

/// Every service of the system in build order, with its role and costs,
/// and the ids by kind.
pub(super) fn build_services(parts: &Parts) -> (Vec<Service>, Vec<ServiceInfo>, Ids) {
    let mut built = Built {
        services: Vec::new(),
        infos: Vec::new(),
    };
    let mut ids = Ids {
        by_role: HashMap::new(),
        other_providers: ServiceId(0),
        utc: vec![None; parts.sites.len()],
    };
    for kind in &site_kinds() {
        for i in 0..parts.sites.len() {
            built.add_kind(kind, parts, &mut ids, i, true);
        }
    }
    ids.other_providers = built.add(
        service(
            "other_providers".into(),
            "Admissions of residents to hospitals outside the modelled trust (tertiary centres, neighbouring trusts)".into(),
            "beds",
            Capacity::Unlimited,
            WAIT,
        ),
        ServiceInfo {
            role: Role::OtherProvider,
            site: None,
            icc: None,
            costs: UnitCosts {
                per_delayed_day: 0.0,
                per_place_day_closed: 0.0,
                ..acute_costs(&parts.costs)
            },
        },
    );
    for i in 0..parts.iccs.len() {
        for kind in icc_kinds().iter().filter(|k| is_built(k.role, parts)) {
            built.add_kind(kind, parts, &mut ids, i, false);
        }
    }
    build_urgent_treatment_centres(&mut built, parts, &mut ids);
    full_hospital(&mut built.services, parts, &ids);
    (built.services, built.infos, ids)
}

/// The urgent treatment centres of sites without an ED, after every other
/// service (so that files without one keep every id); then the rapid
/// response teams that overflow to one.
fn build_urgent_treatment_centres(built: &mut Built, parts: &Parts, ids: &mut Ids) {
    for (i, site) in parts.sites.iter().enumerate() {
        if site.urgent_treatment_centre.is_none() {
            continue;
        }
        let id = built.add(
            service(
                format!("utc_{}", site.name),
                format!("Urgent treatment centre, {}", site.description)
                    .trim_end_matches([',', ' '])
                    .to_string(),
                "attendances in progress",
                Capacity::Unlimited,
                WAIT,
            ),
            ServiceInfo {
                role: Role::UrgentTreatmentCentre,
                site: Some(i),
                icc: None,
                costs: UnitCosts {
                    per_admission: parts.costs.utc_attendance,
                    ..UnitCosts::none(Sector::Acute)
                },
            },
        );
        ids.utc[i] = Some(id);
    }
    if ids.utc.iter().any(Option::is_some) {
        for (i, &team) in ids[Role::RapidResponse].iter().enumerate() {
            built.services[team.index()].when_full = rapid_response_full(parts, ids, i);
        }
    }
}

/// What a site's adult beds do for patients who wait long for one: outlie
/// to the next site's beds (in file order among the sites with an ED, the
/// last to the first: a site without an ED takes no emergencies) and,
/// after the longest wait, go to other providers (`[pathways]`'s pressure
/// keys).
fn full_hospital(services: &mut [Service], parts: &Parts, ids: &Ids) {
    let pressure = &parts.pathways.pressure;
    let beds = &ids[Role::AcuteBeds];
    for (i, &id) in beds.iter().enumerate() {
        let service = &mut services[id.index()];
        if let (Some((after_days, every_days)), Some(j)) = (pressure.outlie, outlie_site(parts, i))
        {
            service.outlying = Some(Outlying {
                to: beds[j],
                after_days,
                every_days,
            });
        }
        if let Some(days) = pressure.transfer_out_after_days {
            service.when_full = FullPolicy::Wait {
                max_wait_days: Some(days),
                then: Overflow::Divert(ids.other_providers),
            };
        }
    }
}

/// The site whose beds site `i`'s patients outlie to, if they do: the next
/// site with an ED in file order (the last to the first), none when `i`
/// has no ED or is the only one with an ED.
pub(super) fn outlie_site(parts: &Parts, i: usize) -> Option<usize> {
    let n = parts.sites.len();
    if parts.pathways.pressure.outlie.is_none() || !parts.sites[i].has_ed() {
        return None;
    }
    (1..n)
        .map(|k| (i + k) % n)
        .find(|&j| parts.sites[j].has_ed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::system::Owner;

    /// The kinds table and `Role::owner` say the same thing, so the levers
    /// (which read `owner`) treat every built service as built.
    #[test]
    fn site_rows_are_site_roles_and_icc_rows_icc_roles() {
        let roles = |kinds: &[ServiceKind]| kinds.iter().map(|k| k.role).collect::<Vec<_>>();
        assert_eq!(
            roles(&site_kinds()),
            [
                Role::EmergencyDepartment,
                Role::AcuteBeds,
                Role::DayUnit,
                Role::PaediatricBeds
            ]
        );
        for (kinds, owner) in [
            (Vec::from(site_kinds()), Owner::Site),
            (Vec::from(icc_kinds()), Owner::Icc),
        ] {
            for kind in kinds {
                assert_eq!(
                    kind.role.owner(),
                    owner,
                    "the row of {:?} is in the {owner:?} kinds, but Role::owner says otherwise",
                    kind.role
                );
            }
        }
        assert_eq!(Role::OtherProvider.owner(), Owner::System);
        assert_eq!(icc_kinds().len(), 9);
    }
}
