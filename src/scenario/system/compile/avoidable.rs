//! The classes of a crisis at home (`[avoidable]`): one crisis cohort of an
//! ICC, band and tier becomes three patient types, `not_admitted`,
//! `avoidable` and `necessary`, drawn at arrival in the shares 1 − p,
//! p × s and p × (1 − s) (p: the share admitted had no alternative been
//! in the way, direct admissions and ED's; s: `share_of_admissions`), each
//! with routes and stays of its own. A class is what ED would do with the
//! crisis, so with no alternative in the way (no service ever full) the
//! band's flows are exactly the file's, and ED treats each class the same
//! whatever is upstream:
//!
//! - direct admissions come from the avoidable and necessary classes in
//!   proportion (the not-admitted go to ED instead);
//! - an alternative to admission (general practice's `managed`, rapid
//!   response's `managed_at_home`, a community day unit's home outcome)
//!   keeps at home only not-admitted and avoidable crises, at the file's
//!   share scaled by 1 / (1 − the necessary share of the people it sees);
//!   a necessary crisis goes on by the other routes, in their proportions,
//!   and a not-admitted one goes to ED where a route leads to a bed;
//! - in ED, set once at the mix that reaches it with no alternative in the
//!   way: the day unit takes not-admitted and avoidable attendances in
//!   proportion (necessary ones only if there are too few of the others),
//!   and sends home only those two classes, at the same scaled share; of
//!   the rest, home goes first to the not-admitted, then to the avoidable,
//!   and the others are admitted;
//! - a hospital stay of a not-admitted or avoidable patient is the band's
//!   avoidable stay; the necessary class's zero-day share, overnight mean
//!   (the band's shape and coefficient of variation) and in-hospital deaths
//!   are what keeps the band's values, weighted by first admissions.
//!
//! An infeasible file (a share above 1, a negative stay) is an issue naming
//! the key. Without `[avoidable]` the cohort is one type, as before.

use super::services::Ids;
use super::sites::front_door;
use crate::engine::Distribution;
use crate::model::system::{AdmissionIfEd, Cohort, CrisisClass, Role};
use crate::model::{Destination, Pathway, PatientType, RouteTable, ServiceId, SinkId};
use crate::scenario::error::Issue;
use crate::scenario::system::avoidable::key_path;
use crate::scenario::system::spec::{AvoidableBand, Band, Parts};

/// Everyone who leaves alive goes home (sink 0).
const HOME: Destination = Destination::Sink(SinkId(0));
/// Deaths (sink 1).
const DEATH: Destination = Destination::Sink(SinkId(1));
/// Slack for shares computed in floating point.
const TOLERANCE: f64 = 1e-9;

/// A patient type with its cohort and pathways, as `build_demand` keeps them.
pub(super) struct CrisisType {
    pub(super) patient_type: PatientType,
    pub(super) cohort: Cohort,
    pub(super) pathways: Vec<(ServiceId, Pathway)>,
}

/// The classes' shares of a band's crises at arrival, in
/// [`CrisisClass::ALL`] order.
/// `direct`: the share of the cohort admitted straight to a bed, who
/// never reach ED; p is then direct + (1 − direct) × P(admitted | ED), so
/// that the crises that reach ED with no alternative in the way are not
/// admitted in ED's own proportion (a not-admitted crisis is one ED sends
/// home, never one it admits).
pub(super) fn class_shares(
    if_ed: &AdmissionIfEd,
    direct: f64,
    share_of_admissions: f64,
) -> [f64; 3] {
    let p = direct + (1.0 - direct) * if_ed.probability(0.0);
    [
        1.0 - p,
        p * share_of_admissions,
        p * (1.0 - share_of_admissions),
    ]
}

/// The crisis cohort `base` of band `b` as the types it becomes: itself
/// without `[avoidable]`, else one type per class (`NAME/CLASS`).
pub(super) fn crisis_types(
    parts: &Parts,
    ids: &Ids,
    b: usize,
    los_multiplier: f64,
    base: CrisisType,
) -> Result<Vec<CrisisType>, Issue> {
    let Some(avoidable) = &parts.avoidable else {
        return Ok(vec![base]);
    };
    let mut split = Split {
        ids,
        band: &parts.bands[b],
        avoidable: &avoidable.bands[b],
        band_name: parts.age_bands.name(b),
        shares: [0.0; 3],
        direct: 0.0,
        zero_day_stay: &parts.pathways.zero_day_stay,
        los_multiplier,
        primary_care_open: primary_care_open_share(parts),
        fronts: fronts(parts, ids, base.cohort.icc),
        eds: &ids[Role::EmergencyDepartment],
        site_names: parts.sites.iter().map(|s| s.name.clone()).collect(),
    };
    let direct = base
        .patient_type
        .entry
        .as_ref()
        .map_or(0.0, |entry| share(entry, |d| split.is_admission(d)));
    split.direct = direct;
    split.shares = class_shares(
        &base.cohort.if_ed,
        direct,
        avoidable.bands[b].share_of_admissions,
    );
    split.apply(base)
}

/// What one cohort's split needs.
struct Split<'a> {
    ids: &'a Ids,
    band: &'a Band,
    avoidable: &'a AvoidableBand,
    /// The band's name, as issues give its keys.
    band_name: &'a str,
    shares: [f64; 3],
    /// The share of the cohort's entry that goes straight to a bed.
    direct: f64,
    zero_day_stay: &'a Distribution,
    los_multiplier: f64,
    /// The share of crises seeking a same-day appointment who arrive when
    /// general practice is open (the rest go on by their entry route).
    primary_care_open: f64,
    /// The front doors of the ICC's catchment (EDs or urgent treatment
    /// centres), each once: where the not-admitted go instead of a bed.
    fronts: Vec<ServiceId>,
    /// Each site's ED (by site index), the ED a bed of that site sends a
    /// not-admitted crisis to.
    eds: &'a [ServiceId],
    /// Site names, for the urgent treatment centres' keys.
    site_names: Vec<String>,
}

/// One class's entry routes and pathways while they are derived.
#[derive(Clone)]
struct ClassRoutes {
    entry: Vec<(f64, Destination)>,
    pathways: Vec<(ServiceId, Pathway)>,
}

const NA: usize = 0;
const AV: usize = 1;
const NE: usize = 2;

impl Split<'_> {
    /// The kind of a service this cohort can reach, among those the split
    /// changes.
    fn role_of(&self, s: ServiceId) -> Option<Role> {
        if s == self.ids.other_providers {
            return Some(Role::OtherProvider);
        }
        if self.ids.utc.contains(&Some(s)) {
            return Some(Role::UrgentTreatmentCentre);
        }
        [
            Role::PrimaryCare,
            Role::RapidResponse,
            Role::CommunityDayUnit,
            Role::EmergencyDepartment,
            Role::DayUnit,
            Role::AcuteBeds,
            Role::PaediatricBeds,
        ]
        .into_iter()
        .find(|&role| self.ids[role].contains(&s))
    }

    fn is_role(&self, d: Destination, pick: impl Fn(Role) -> bool) -> bool {
        match d {
            Destination::Service(s) => self.role_of(s).is_some_and(pick),
            Destination::Sink(_) => false,
        }
    }

    fn is_admission(&self, d: Destination) -> bool {
        self.is_role(d, Role::is_hospital_bed)
    }

    fn apply(&self, base: CrisisType) -> Result<Vec<CrisisType>, Issue> {
        let CrisisType {
            patient_type,
            cohort,
            pathways,
        } = base;
        let Some(entry) = &patient_type.entry else {
            return Ok(vec![CrisisType {
                patient_type,
                cohort,
                pathways,
            }]);
        };
        let ed = patient_type.arrive_at;
        let entry: Vec<(f64, Destination)> = entry.choices().collect();
        let mut classes: Vec<ClassRoutes> = Vec::with_capacity(3);
        for c in 0..3 {
            let entry_c = self.class_entry(&entry, ed, c)?;
            // Someone who finds no same-day appointment goes on by the
            // class's own entry route.
            let pathways_c = pathways
                .iter()
                .map(|(s, pathway)| {
                    let mut pathway = pathway.clone();
                    if let Some(onward) = &pathway.onward
                        && self.role_of(*s) == Some(Role::PrimaryCare)
                    {
                        let onward: Vec<(f64, Destination)> = onward.choices().collect();
                        pathway.onward = Some(RouteTable::new(&self.class_entry(&onward, ed, c)?));
                    }
                    Ok((*s, pathway))
                })
                .collect::<Result<Vec<_>, Issue>>()?;
            classes.push(ClassRoutes {
                entry: entry_c,
                pathways: pathways_c,
            });
        }
        // Alternatives to admission, upstream first: each one's entrants
        // depend only on what comes before it.
        for (role, key) in [
            (Role::PrimaryCare, "primary_care.managed"),
            (
                Role::RapidResponse,
                "community.rapid_response.managed_at_home",
            ),
            (Role::CommunityDayUnit, "community.day_unit.admission"),
        ] {
            for s in self.services_of(&pathways, role) {
                self.keep_home_unless_necessary(&mut classes, s, key)?;
            }
        }
        // An urgent treatment centre, in front of its site's `ed_at`'s ED,
        // is one more alternative: it keeps only the not-admitted and
        // avoidable at home.
        for s in self.services_of(&pathways, Role::UrgentTreatmentCentre) {
            let site = self.ids.utc.iter().position(|&u| u == Some(s));
            let name = site.map_or("?", |j| self.site_names[j].as_str());
            let key = format!("sites.{name}.urgent_treatment_centre.managed");
            self.keep_home_unless_necessary(&mut classes, s, &key)?;
        }
        // A not-admitted crisis that an alternative passes on goes to ED,
        // which sends it home, never straight to a bed.
        for role in [
            Role::PrimaryCare,
            Role::RapidResponse,
            Role::CommunityDayUnit,
        ] {
            for s in self.services_of(&pathways, role) {
                if let Some(pathway) = pathway_mut(&mut classes[NA].pathways, s) {
                    pathway.routes = self.admissions_to_ed(&pathway.routes, ed);
                    if let Some(onward) = &pathway.onward {
                        pathway.onward = Some(self.admissions_to_ed(onward, ed));
                    }
                }
            }
        }
        let mut if_ed = [cohort.if_ed; 3];
        for s in self.services_of(&pathways, Role::EmergencyDepartment) {
            if_ed = self.ed_and_day_unit(&mut classes, s, cohort.if_ed)?;
        }
        self.stays(&mut classes)?;

        Ok(classes
            .into_iter()
            .zip(CrisisClass::ALL)
            .enumerate()
            .map(|(c, (routes, class))| CrisisType {
                patient_type: PatientType {
                    name: format!("{}/{}", patient_type.name, class.label()),
                    description: format!("{}, class {}", patient_type.description, class.label()),
                    entry: Some(RouteTable::new(&routes.entry)),
                    rate_per_day: patient_type.rate_per_day * self.shares[c],
                    ..patient_type.clone()
                },
                cohort: Cohort {
                    if_ed: if_ed[c],
                    class: Some(class),
                    ..cohort.clone()
                },
                pathways: routes.pathways,
            })
            .collect())
    }

    /// `routes` with every route straight to a hospital bed sent to ED
    /// instead.
    fn admissions_to_ed(&self, routes: &RouteTable, ed: ServiceId) -> RouteTable {
        let to_bed: f64 = share(routes, |d| self.is_admission(d));
        if to_bed <= 0.0 {
            return routes.clone();
        }
        // Each site's beds send theirs to that site's ED; other providers'
        // share goes to those EDs in proportion (to `ed` with one site).
        let mut moved: Vec<(ServiceId, f64)> = Vec::new();
        for (p, d) in routes.choices() {
            if let Destination::Service(s) = d
                && let Some(e) = self.ed_of_beds(s)
            {
                match moved.iter_mut().find(|(x, _)| *x == e) {
                    Some((_, m)) => *m += p,
                    None => moved.push((e, p)),
                }
            }
        }
        if moved.len() <= 1 {
            moved = vec![(moved.first().map_or(ed, |m| m.0), to_bed)];
        } else {
            let trust: f64 = moved.iter().map(|m| m.1).sum();
            for m in &mut moved {
                m.1 *= to_bed / trust;
            }
        }
        let mut out: Vec<(f64, Destination, Option<Distribution>)> = routes
            .entries()
            .into_iter()
            .filter(|&(_, d, _)| !self.is_admission(d))
            .collect();
        for (e, mass) in moved {
            let e = Destination::Service(e);
            match out.iter_mut().find(|(_, d, _)| *d == e) {
                Some((p, _, _)) => *p += mass,
                None => out.push((mass, e, None)),
            }
        }
        RouteTable::with_delays(&out)
    }

    /// The ED of the site whose adult or children's beds `s` are.
    fn ed_of_beds(&self, s: ServiceId) -> Option<ServiceId> {
        [Role::AcuteBeds, Role::PaediatricBeds]
            .into_iter()
            .find_map(|role| self.ids[role].iter().position(|&b| b == s))
            .and_then(|site| self.eds.get(site).copied())
    }

    /// The services of a role among a cohort's pathways.
    fn services_of(&self, pathways: &[(ServiceId, Pathway)], role: Role) -> Vec<ServiceId> {
        pathways
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| self.role_of(*s) == Some(role))
            .collect()
    }

    /// A class's entry (or onward) routes: direct admissions come from the
    /// avoidable and necessary classes in proportion to their shares, so
    /// that the band's direct admissions are unchanged; the not-admitted go
    /// to ED instead.
    fn class_entry(
        &self,
        entry: &[(f64, Destination)],
        ed: ServiceId,
        c: usize,
    ) -> Result<Vec<(f64, Destination)>, Issue> {
        let admitted = self.shares[AV] + self.shares[NE];
        let direct: f64 = entry
            .iter()
            .filter(|(_, d)| self.is_admission(*d))
            .map(|(p, _)| p)
            .sum();
        if direct == 0.0 || admitted <= 0.0 {
            return Ok(entry.to_vec());
        }
        let factor = if c == NA { 0.0 } else { 1.0 / admitted };
        let to_ed = direct * (1.0 - factor);
        // The front doors (one ED, or the catchment's sites' EDs and urgent
        // treatment centres) take the moved share in proportion to theirs,
        // which are the catchment's shares.
        let is_front = |d: Destination| matches!(d, Destination::Service(s) if s == ed || self.fronts.contains(&s));
        let ed_share: f64 = entry
            .iter()
            .filter(|(_, d)| is_front(*d))
            .map(|(p, _)| p)
            .sum();
        if ed_share + to_ed < -TOLERANCE {
            return Err(Issue {
                path: format!("age_bands.\"{}\".direct_admission", self.band_name),
                value: Some(format!("{}", self.band.direct_admission)),
                problem: format!(
                    "is more than the admitted crises can give with [avoidable]: direct admissions come from the {:.4} of crises who would be admitted, which with rapid_response_eligible leaves {:.4} for ED; lower direct_admission or rapid_response_eligible",
                    admitted,
                    ed_share + to_ed
                ),
            });
        }
        Ok(entry
            .iter()
            .map(|&(p, d)| {
                if self.is_admission(d) {
                    (p * factor, d)
                } else if is_front(d) {
                    ((p + to_ed * ratio(p, ed_share)).max(0.0), d)
                } else {
                    (p, d)
                }
            })
            .collect())
    }

    /// Expected visits to service `s` per arrival of each class (no service
    /// full, no readmissions), times the class's share: the class mix of
    /// the people `s` sees.
    fn inflow(&self, classes: &[ClassRoutes], s: ServiceId) -> [f64; 3] {
        let mut mix = [0.0; 3];
        for (c, routes) in classes.iter().enumerate() {
            mix[c] = self.shares[c] * self.visits(routes, s);
        }
        mix
    }

    /// The scaling rule of an alternative to admission at service `s`: the
    /// not-admitted and avoidable go home at the file's share ÷ (1 − the
    /// necessary share of its entrants), the necessary never.
    fn keep_home_unless_necessary(
        &self,
        classes: &mut [ClassRoutes],
        s: ServiceId,
        key: &str,
    ) -> Result<(), Issue> {
        let Some(home) =
            pathway_of(&classes[0].pathways, s).map(|p| share(&p.routes, |d| d == HOME))
        else {
            return Ok(());
        };
        if home <= 0.0 {
            return Ok(());
        }
        // The key's own value: a community day unit's home share is what
        // its admissions and steps up to a community bed leave.
        let value = if key == "community.day_unit.admission" {
            let others = 1.0 - home;
            format!("{others:.4} with community_bed (home {home:.4})")
        } else {
            format!("{home}")
        };
        let mix = self.inflow(classes, s);
        let total: f64 = mix.iter().sum();
        let necessary = if total > 0.0 {
            mix[NE] / total
        } else {
            self.shares[NE] / self.shares.iter().sum::<f64>()
        };
        let scaled = if necessary < 1.0 {
            home / (1.0 - necessary)
        } else {
            f64::INFINITY
        };
        // Nobody is sent there at the baseline's mix: nothing to keep. A
        // community day unit sees crises untriaged, after general practice
        // and rapid response kept those they could, and one home share
        // serves every band: where a band's non-necessary crises are fewer
        // than the file's share, all of them go home (clipped, per band)
        // rather than the file being refused for its oldest band.
        let clipped = key == "community.day_unit.admission";
        if scaled > 1.0 + TOLERANCE && total > 0.0 && !clipped {
            return Err(Issue {
                path: key.to_string(),
                value: Some(value),
                problem: format!(
                    "keeps {home:.4} of the crises it sees at home, but with [avoidable] only the not-admitted and avoidable can stay home, and for age band \"{}\" they are only {:.4} of them; lower it, or raise avoidable.\"{}\".share_of_admissions",
                    self.band_name,
                    1.0 - necessary,
                    self.band_name
                ),
            });
        }
        let scaled = scaled.min(1.0);
        for (c, routes) in classes.iter_mut().enumerate() {
            let target = if c == NE { 0.0 } else { scaled };
            if let Some(pathway) = pathway_mut(&mut routes.pathways, s) {
                pathway.routes = with_group_share(&pathway.routes, |d| d == HOME, target);
            }
        }
        Ok(())
    }

    /// ED and its day unit: the day unit takes the not-admitted and the
    /// avoidable in proportion and sends only them home; of ED's own
    /// outcomes, home goes to the not-admitted first, then to the
    /// avoidable; the rest are admitted. Returns each class's chance of
    /// admission had it gone to ED.
    fn ed_and_day_unit(
        &self,
        classes: &mut [ClassRoutes],
        ed: ServiceId,
        base: AdmissionIfEd,
    ) -> Result<[AdmissionIfEd; 3], Issue> {
        let mut if_ed = [base; 3];
        let Some(ed_pathway) = pathway_of(&classes[0].pathways, ed) else {
            return Ok(if_ed);
        };
        let routes = ed_pathway.routes.clone();
        let is_unit = |d: Destination| self.is_role(d, |r| r == Role::DayUnit);
        let to_unit = share(&routes, is_unit);
        let home = share(&routes, |d| d == HOME);
        // ED treats a class the same whatever is upstream: its outcomes by
        // class are set at the mix of the crises that reach it when no
        // alternative is in the way (every not-admitted crisis; the
        // avoidable and necessary less those admitted directly), where
        // the not-admitted are exactly the share ED sends home. Set at
        // the mix that general practice, rapid response or a community day
        // unit leave instead, a file that filters ED's attendances would
        // change what ED does with a not-admitted crisis (and admit some).
        let reach = if self.direct > 0.0 {
            let admitted = self.shares[AV] + self.shares[NE];
            (1.0 - self.direct / admitted).max(0.0)
        } else {
            1.0
        };
        let x = [
            self.shares[NA],
            self.shares[AV] * reach,
            self.shares[NE] * reach,
        ];
        let total: f64 = x.iter().sum();
        if total <= 0.0 {
            return Ok(if_ed);
        }
        // Masses (per arrival of the cohort) sent to the day unit.
        let unit_mass = to_unit * total;
        let light = x[NA] + x[AV];
        let mut unit = [0.0; 3];
        if light >= unit_mass {
            if light > 0.0 {
                unit[NA] = unit_mass * x[NA] / light;
                unit[AV] = unit_mass * x[AV] / light;
            }
        } else {
            unit = [x[NA], x[AV], unit_mass - light];
        }
        // Home from ED: the not-admitted first, then the avoidable.
        let mut home_left = home * total;
        let mut sent_home = [0.0; 3];
        for c in [NA, AV, NE] {
            let take = home_left.min(x[c] - unit[c]).max(0.0);
            sent_home[c] = take;
            home_left -= take;
        }
        // The day unit's home share, for the not-admitted and avoidable.
        let unit_service = routes.choices().map(|(_, d)| d).find(|d| is_unit(*d));
        let unit_home = match unit_service {
            Some(Destination::Service(u)) => {
                pathway_of(&classes[0].pathways, u).map(|p| share(&p.routes, |d| d == HOME))
            }
            _ => None,
        };
        let unit_home_scaled = match unit_home {
            Some(h) if unit[NA] + unit[AV] > 0.0 => {
                let scaled = h * unit_mass / (unit[NA] + unit[AV]);
                if scaled > 1.0 + TOLERANCE {
                    return Err(Issue {
                        path: format!("age_bands.\"{}\".ed_to_day_unit", self.band_name),
                        value: Some(format!("{}", self.band.ed_to_day_unit)),
                        problem: format!(
                            "sends more ED attendances to the day unit than there are not-admitted and avoidable ones to send home from it with [avoidable] (they are {:.4} of ED's attendances); lower it, or raise avoidable.\"{}\".share_of_admissions",
                            (unit[NA] + unit[AV]) / total,
                            self.band_name
                        ),
                    });
                }
                Some(scaled.min(1.0))
            }
            _ => None,
        };
        for (c, class) in classes.iter_mut().enumerate() {
            if x[c] <= 0.0 {
                continue;
            }
            let unit_share = unit[c] / x[c];
            let home_share = sent_home[c] / x[c];
            // ED admitted someone before (else there is no one left over
            // to admit now: home took every attendance not sent to the unit).
            let admitted_share = (1.0 - unit_share - home_share).max(0.0);
            let admitted_before = 1.0 - to_unit - home;
            let entries: Vec<(f64, Destination)> = routes
                .choices()
                .map(|(p, d)| {
                    if is_unit(d) {
                        (unit_share * ratio(p, to_unit), d)
                    } else if d == HOME {
                        (home_share, d)
                    } else {
                        (admitted_share * ratio(p, admitted_before), d)
                    }
                })
                .collect();
            if let Some(pathway) = pathway_mut(&mut class.pathways, ed) {
                pathway.routes = RouteTable::new(&entries);
            }
            let mut unit_admission = base.day_unit_admission;
            if let (Some(Destination::Service(u)), Some(scaled)) = (unit_service, unit_home_scaled)
                && let Some(pathway) = pathway_mut(&mut class.pathways, u)
            {
                let target = if c == NE { 0.0 } else { scaled };
                pathway.routes = with_group_share(&pathway.routes, |d| d == HOME, target);
                unit_admission = 1.0 - target;
            }
            if_ed[c] = AdmissionIfEd {
                ed_admission: admitted_share,
                ed_to_day_unit: unit_share,
                day_unit_admission: unit_admission,
                day_unit: base.day_unit,
            };
        }
        Ok(if_ed)
    }

    /// The hospital stays: the avoidable stay for the not-admitted and the
    /// avoidable, and for the necessary what keeps the band's zero-day
    /// share, mean stay and deaths, weighted by first admissions.
    fn stays(&self, classes: &mut [ClassRoutes]) -> Result<(), Issue> {
        let hospital: Vec<ServiceId> = classes[0]
            .pathways
            .iter()
            .map(|(s, _)| *s)
            .filter(|s| self.role_of(*s).is_some_and(Role::is_hospital_bed))
            .collect();
        let mut admissions = [0.0; 3];
        for &s in &hospital {
            let mix = self.inflow(classes, s);
            for c in 0..3 {
                admissions[c] += mix[c];
            }
        }
        let total: f64 = admissions.iter().sum();
        if total <= 0.0 {
            return Ok(());
        }
        let short = (admissions[NA] + admissions[AV]) / total;
        let band = self.band;
        let av = self.avoidable;
        let long = 1.0 - short;
        let derive = |whole: f64, part: f64| {
            if long > 0.0 {
                (whole - short * part) / long
            } else {
                whole
            }
        };
        // The necessary class's share that keeps the band's: a probability,
        // or the file is refused naming the avoidable key.
        let necessary_share = |key: &str, whole: f64, part: f64| {
            let derived = derive(whole, part);
            if (-TOLERANCE..=1.0 + TOLERANCE).contains(&derived) {
                Ok(derived.clamp(0.0, 1.0))
            } else {
                Err(self.infeasible(key, part, short, derived, whole))
            }
        };
        let zero_day = necessary_share("zero_day_share", band.zero_day_share, av.zero_day_share)?;
        let death = necessary_share(
            "in_hospital_death",
            band.in_hospital_death,
            av.in_hospital_death,
        )?;
        // Overnight days per admission: the band's, less the short stays'.
        let band_mean = band.overnight_stay.mean();
        let av_mean = av.overnight_stay.mean();
        let overnight_days =
            (1.0 - band.zero_day_share) * band_mean - short * (1.0 - av.zero_day_share) * av_mean;
        let overnight_share = long * (1.0 - zero_day);
        let necessary_mean = if overnight_share > 0.0 {
            overnight_days / overnight_share
        } else {
            0.0
        };
        if overnight_days < -TOLERANCE * band_mean.max(1.0)
            || (overnight_share > 0.0 && necessary_mean <= 0.0)
        {
            return Err(Issue {
                path: key_path(self.band_name, "overnight_stay"),
                value: Some(format!("mean {av_mean}")),
                problem: format!(
                    "makes the avoidable admissions ({:.1}% of the band's) hold more overnight days than the band's whole overnight_stay (mean {band_mean}) allows; shorten it, or lower share_of_admissions",
                    100.0 * short
                ),
            });
        }
        let scale = if band_mean > 0.0 {
            necessary_mean / band_mean
        } else {
            1.0
        };
        let stay = |zero: f64, overnight: &Distribution, factor: f64| -> Distribution {
            let overnight = overnight
                .scaled(factor * self.los_multiplier)
                .unwrap_or_else(|_| overnight.clone());
            Distribution::mixture(vec![
                (zero, self.zero_day_stay.clone()),
                (1.0 - zero, overnight.clone()),
            ])
            .unwrap_or(overnight)
        };
        let short_stay = stay(av.zero_day_share, &av.overnight_stay, 1.0);
        let long_stay = stay(zero_day, &band.overnight_stay, scale);
        for (c, class) in classes.iter_mut().enumerate() {
            let (stay, dies) = if c == NE {
                (&long_stay, death)
            } else {
                (&short_stay, av.in_hospital_death)
            };
            for &s in &hospital {
                if let Some(pathway) = pathway_mut(&mut class.pathways, s) {
                    pathway.stay = stay.clone();
                    pathway.routes = with_group_share(&pathway.routes, |d| d == DEATH, dies);
                }
            }
        }
        self.discharges(classes, &hospital, short, death)
    }

    /// Discharge destinations: with `discharged_home`, the not-admitted
    /// and avoidable go home with no new service at that share of those
    /// discharged alive, and the necessary class's home share is what
    /// keeps the band's, weighted by first admissions (its other
    /// destinations in the band's proportions). So an avoided short stay
    /// avoids the reablement, community bed or care-home place it would
    /// have needed, not the band's average share of them.
    fn discharges(
        &self,
        classes: &mut [ClassRoutes],
        hospital: &[ServiceId],
        short: f64,
        necessary_death: f64,
    ) -> Result<(), Issue> {
        let Some(home) = self.avoidable.discharged_home else {
            return Ok(());
        };
        let long = 1.0 - short;
        let av_death = self.avoidable.in_hospital_death;
        // Whether any bed of the band sends anyone anywhere but home.
        let mut balanced = false;
        for &s in hospital {
            // The band's share of all outcomes that is home, from the
            // unsplit routes (the necessary class's before it is changed
            // carry the band's proportions of the living).
            let Some(band_routes) = pathway_of(&classes[NE].pathways, s).map(|p| p.routes.clone())
            else {
                continue;
            };
            let alive = 1.0 - share(&band_routes, |d| d == DEATH);
            let band_home_of_alive = if alive > 0.0 {
                share(&band_routes, |d| d == HOME) / alive
            } else {
                continue;
            };
            // Nowhere else to go (children's beds): nothing to choose.
            if band_home_of_alive >= 1.0 - TOLERANCE {
                continue;
            }
            balanced = true;
            let band_death = self.band.in_hospital_death;
            let band_home = (1.0 - band_death) * band_home_of_alive;
            let short_home = (1.0 - av_death) * home;
            let necessary_home = if long > 0.0 {
                (band_home - short * short_home) / long
            } else {
                band_home
            };
            if !(-TOLERANCE..=1.0 - necessary_death + TOLERANCE).contains(&necessary_home) {
                return Err(Issue {
                    path: key_path(self.band_name, "discharged_home"),
                    value: Some(format!("{home}")),
                    problem: format!(
                        "cannot be the avoidable (and not-admitted) admissions' share discharged home: they are {:.1}% of the band's admissions, so the necessary ones would need {:.4} of theirs to go home to keep the band's discharge.home {band_home_of_alive:.4} (age_bands.\"{}\"); choose a value nearer the band's, or lower share_of_admissions",
                        100.0 * short,
                        necessary_home / (1.0 - necessary_death).max(TOLERANCE),
                        self.band_name
                    ),
                });
            }
            for (c, class) in classes.iter_mut().enumerate() {
                let (home_share, dies) = if c == NE {
                    (
                        necessary_home.clamp(0.0, 1.0 - necessary_death),
                        necessary_death,
                    )
                } else {
                    (short_home, av_death)
                };
                if let Some(pathway) = pathway_mut(&mut class.pathways, s) {
                    pathway.routes = with_home_and_death(&pathway.routes, home_share, dies);
                }
            }
        }
        // Children all go home: a share below 1 could not be kept.
        if !balanced && !hospital.is_empty() && home < 1.0 - TOLERANCE {
            return Err(Issue {
                path: key_path(self.band_name, "discharged_home"),
                value: Some(format!("{home}")),
                problem: format!(
                    "cannot send fewer home than the band does: age_bands.\"{}\".discharge sends everyone home, so every class goes home; remove it, or give the band other destinations",
                    self.band_name
                ),
            });
        }
        Ok(())
    }

    fn infeasible(&self, key: &str, value: f64, short: f64, necessary: f64, band: f64) -> Issue {
        Issue {
            path: key_path(self.band_name, key),
            value: Some(format!("{value}")),
            problem: format!(
                "cannot be the avoidable (and not-admitted) admissions' value: they are {:.1}% of the band's admissions, so the necessary ones would need {necessary:.4} to keep the band's {band} (age_bands.\"{}\"); choose a value nearer the band's, or lower share_of_admissions",
                100.0 * short,
                self.band_name
            ),
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

/// The share of routes going to the destinations `pick` chooses.
fn share(routes: &RouteTable, pick: impl Fn(Destination) -> bool) -> f64 {
    routes
        .choices()
        .filter(|(_, d)| pick(*d))
        .map(|(p, _)| p)
        .sum()
}

/// The same routes (delays kept) with the destinations `pick` chooses
/// taking `target` in their own proportions and the others the rest in
/// theirs. Unchanged when the group has no share to scale, or the others
/// none to take the rest.
fn with_group_share(
    routes: &RouteTable,
    pick: impl Fn(Destination) -> bool,
    target: f64,
) -> RouteTable {
    let group = share(routes, &pick);
    let others = 1.0 - group;
    if (group <= 0.0 && target > 0.0) || (others <= 0.0 && target < 1.0) {
        return routes.clone();
    }
    let entries: Vec<_> = routes
        .entries()
        .into_iter()
        .map(|(p, d, delay)| {
            let p = if pick(d) {
                p * ratio(target, group)
            } else {
                p * ratio(1.0 - target, others)
            };
            (p, d, delay)
        })
        .collect();
    RouteTable::with_delays(&entries)
}

/// `routes` with home and death at these shares of all outcomes and the
/// other destinations (services) sharing the rest in their proportions.
fn with_home_and_death(routes: &RouteTable, home: f64, death: f64) -> RouteTable {
    let services: f64 = share(routes, |d| d != HOME && d != DEATH);
    let rest = (1.0 - home - death).max(0.0);
    let entries: Vec<_> = routes
        .entries()
        .into_iter()
        .map(|(p, d, delay)| {
            let p = if d == HOME {
                home
            } else if d == DEATH {
                death
            } else {
                p * ratio(rest, services)
            };
            (p, d, delay)
        })
        .collect();
    let mut entries = entries;
    for (target, sink) in [(home, HOME), (death, DEATH)] {
        if target > 0.0 && !entries.iter().any(|(_, d, _)| *d == sink) {
            entries.push((target, sink, None));
        }
    }
    RouteTable::with_delays(&entries)
}

fn pathway_of(pathways: &[(ServiceId, Pathway)], s: ServiceId) -> Option<&Pathway> {
    pathways.iter().find(|(x, _)| *x == s).map(|(_, p)| p)
}

fn pathway_mut(pathways: &mut [(ServiceId, Pathway)], s: ServiceId) -> Option<&mut Pathway> {
    pathways.iter_mut().find(|(x, _)| *x == s).map(|(_, p)| p)
}

/// The front doors of ICC `icc`'s catchment, each once, in file order.
fn fronts(parts: &Parts, ids: &Ids, icc: usize) -> Vec<ServiceId> {
    let mut fronts: Vec<ServiceId> = Vec::new();
    for &(s, _) in &parts.iccs[icc].catchment {
        let f = front_door(parts, ids, s);
        if !fronts.contains(&f) {
            fronts.push(f);
        }
    }
    fronts
}

/// The share of crises that arrive when general practice is open on a
/// day it gives appointments, by the crises' weekday and hour-of-day
/// profiles (arrivals spread evenly within an hour); 1 without it.
fn primary_care_open_share(parts: &Parts) -> f64 {
    let Some(primary_care) = &parts.primary_care else {
        return 1.0;
    };
    let opening = &primary_care.opening;
    let (mut open, mut all) = (0.0, 0.0);
    for d in 0..7 {
        for h in 0..24 {
            let weight = parts.weekday[d] * parts.hourly[h];
            all += weight;
            if opening.days[d] && primary_care.weekday_factors[d] > 0.0 {
                let from = opening.open_hour.max(h as f64);
                let to = opening.close_hour.min(h as f64 + 1.0);
                open += weight * (to - from).max(0.0);
            }
        }
    }
    if all > 0.0 { open / all } else { 1.0 }
}

impl Split<'_> {
    /// Expected visits to `target` per arrival of a class with these
    /// routes, no service ever full and no readmissions (crises' pathways
    /// have no cycles: the sum settles within as many rounds as the
    /// longest path). General practice sees the share of its seekers who
    /// come when it is open; the others go on by its onward routes.
    fn visits(&self, routes: &ClassRoutes, target: ServiceId) -> f64 {
        let mut current: Vec<(ServiceId, f64)> = routes
            .entry
            .iter()
            .filter_map(|&(p, d)| match d {
                Destination::Service(s) => Some((s, p)),
                Destination::Sink(_) => None,
            })
            .collect();
        let mut total = 0.0;
        for _ in 0..64 {
            if current.is_empty() {
                break;
            }
            let mut next: Vec<(ServiceId, f64)> = Vec::new();
            let mut send = |to: ServiceId, mass: f64| match next.iter_mut().find(|(x, _)| *x == to)
            {
                Some((_, m)) => *m += mass,
                None => next.push((to, mass)),
            };
            for (s, mass) in current {
                if s == target {
                    total += mass;
                }
                let Some(pathway) = pathway_of(&routes.pathways, s) else {
                    continue;
                };
                let mut seen = mass;
                if let Some(onward) = &pathway.onward
                    && self.role_of(s) == Some(Role::PrimaryCare)
                {
                    seen = mass * self.primary_care_open;
                    for (p, d) in onward.choices() {
                        if let Destination::Service(to) = d {
                            send(to, (mass - seen) * p);
                        }
                    }
                }
                for (p, d) in pathway.routes.choices() {
                    if let Destination::Service(to) = d {
                        send(to, seen * p);
                    }
                }
            }
            current = next;
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_shares_split_admissions_had_everyone_gone_to_ed() {
        let if_ed = AdmissionIfEd {
            ed_admission: 0.35,
            ed_to_day_unit: 0.03,
            day_unit_admission: 0.15,
            day_unit: None,
        };
        let [na, av, ne] = class_shares(&if_ed, 0.0, 0.4);
        let p = 0.35 + 0.03 * 0.15;
        assert!((na - (1.0 - p)).abs() < 1e-15);
        assert!((av - p * 0.4).abs() < 1e-15);
        assert!((ne - p * 0.6).abs() < 1e-15);
        assert!((na + av + ne - 1.0).abs() < 1e-15);
        // A tenth admitted directly: the not-admitted are the other nine
        // tenths' share ED sends home.
        let [na, av, ne] = class_shares(&if_ed, 0.1, 0.4);
        assert!((na - 0.9 * (1.0 - p)).abs() < 1e-15);
        assert!((av + ne - (0.1 + 0.9 * p)).abs() < 1e-15);
        assert!((av / (av + ne) - 0.4).abs() < 1e-15);
    }

    #[test]
    fn a_group_share_is_set_and_the_rest_keep_their_proportions() {
        let a = Destination::Sink(SinkId(5));
        let b = Destination::Sink(SinkId(6));
        let routes = RouteTable::new(&[(0.5, HOME), (0.3, a), (0.2, b)]);
        let moved = with_group_share(&routes, |d| d == HOME, 0.8);
        let got: Vec<(f64, Destination)> = moved.choices().collect();
        assert!((got[0].0 - 0.8).abs() < 1e-12);
        assert!((got[1].0 - 0.12).abs() < 1e-12);
        assert!((got[2].0 - 0.08).abs() < 1e-12);
        // To 0: the home route goes, the others take everything.
        let none = with_group_share(&routes, |d| d == HOME, 0.0);
        assert_eq!(none.choices().count(), 2);
        assert!((share(&none, |d| d == a) - 0.6).abs() < 1e-12);
    }
}
