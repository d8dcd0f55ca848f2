//! What the acute trust has: `[sites.X]` (each hospital's beds and day
//! unit, read in file order) and `[pathways]` (hospital stays, discharge
//! days and arranging delays). This file owns both sections from the serde
//! types that read them (`Raw*`, refusing unknown keys; their shape is
//! what `iccsim schema` publishes) to the checked values `compile` reads,
//! so a new kind of service at every site is a field here, a row of
//! `compile/services.rs` and a [`Role`](crate::model::system::Role).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::community::site_index;
use super::discharge::{DischargeTo, PerDestination, SentTo};
use super::pressure::{Pressure, validate_escalation, validate_pressure};
use super::sections::{array, named_sections, section};
use crate::engine::Distribution;
use crate::model::{Escalation, OpeningHours};
use crate::scenario::check::{Checker, MAX_CAPACITY, quoted_list, validate_opening};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::{RawDistribution, RawOpening};

/// `[sites.X]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSite {
    pub(super) description: Option<String>,
    pub(super) adult_beds: f64,
    pub(super) paediatric_beds: f64,
    pub(super) day_unit_places: f64,
    pub(super) day_unit_slots_per_day: Option<f64>,
    pub(super) day_unit_opening: Option<RawOpening>,
    /// Escalation beds opened on top of `adult_beds` when the site is
    /// nearly full (default 0: none).
    pub(super) escalation_beds: Option<f64>,
    /// Share of adult beds occupied that opens them (default 1.0).
    pub(super) escalation_open_at: Option<f64>,
    /// Share occupied at or below which they close (default 0.95).
    pub(super) escalation_close_at: Option<f64>,
    /// Whether the site has an emergency department (default true).
    pub(super) emergency_department: Option<bool>,
    /// The site whose ED takes this site's emergencies (needed, and only
    /// allowed, with `emergency_department = false`).
    pub(super) ed_at: Option<String>,
    /// An urgent treatment centre that the site's catchment attends first
    /// (only at a site without an ED).
    pub(super) urgent_treatment_centre: Option<RawUrgentTreatmentCentre>,
    /// × each age band's `other_provider` share for emergencies admitted
    /// here (default 1).
    pub(super) out_of_system_multiplier: Option<f64>,
}

/// `[sites.X.urgent_treatment_centre]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUrgentTreatmentCentre {
    /// Share of attendances treated and sent home; the rest go on to the
    /// ED of `ed_at`.
    pub(super) managed: f64,
    /// How long an attendance takes (a distribution, days).
    pub(super) stay: RawDistribution,
}

/// `[pathways]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPathways {
    pub(super) ed_stay: RawDistribution,
    pub(super) day_unit_stay: RawDistribution,
    pub(super) day_unit_admission: f64,
    pub(super) zero_day_stay: RawDistribution,
    pub(super) discharge_weekday_factors: Vec<f64>,
    pub(super) arranging: BTreeMap<String, RawDistribution>,
    pub(super) readmission_delay: RawDistribution,
    pub(super) elective_discharge: BTreeMap<String, f64>,
    /// Hours an emergency patient waits for an adult bed before being
    /// admitted to the other site's, if it has one free (default: never).
    pub(super) outlie_after_hours: Option<f64>,
    /// Hours between further tries (default: outlie_after_hours).
    pub(super) outlie_every_hours: Option<f64>,
    /// Hours waiting for an adult bed before transfer to another provider
    /// (default: never).
    pub(super) transfer_out_after_hours: Option<f64>,
    /// Share of adult beds occupied at which an elective admission is
    /// cancelled on the day (default: never).
    pub(super) elective_cancel_at: Option<f64>,
    /// Days from a cancellation to the rebooked date (a distribution).
    pub(super) elective_rebook_after: Option<RawDistribution>,
    /// × the risk of death a crisis avoided keeps (default 1: no
    /// mortality difference).
    pub(super) avoided_crisis_death_multiplier: Option<f64>,
    /// × the care home's chance of death a person a lever kept out of one
    /// keeps (default 1: no mortality difference).
    pub(super) diverted_from_care_home_death_multiplier: Option<f64>,
}

/// Where elective patients go when they leave hospital (shares).
pub(super) struct ElectiveDischarge {
    pub(super) home: f64,
    pub(super) reablement: f64,
    pub(super) home_care: f64,
}

impl ElectiveDischarge {
    /// The keys of `[pathways.elective_discharge]`, in this order.
    pub(super) const KEYS: [&str; 3] = ["home", "reablement", "home_care"];
}

/// An acute site, checked.
pub(super) struct Site {
    pub(super) name: String,
    pub(super) description: String,
    pub(super) adult_beds: u32,
    pub(super) paediatric_beds: u32,
    pub(super) day_unit_places: u32,
    pub(super) day_unit_slots_per_day: Option<u32>,
    pub(super) day_unit_opening: Option<OpeningHours>,
    pub(super) escalation: Option<Escalation>,
    /// None: the site has its own ED; Some(j): its emergencies go to
    /// site j's ED (which has one).
    pub(super) ed_at: Option<usize>,
    /// Its urgent treatment centre (only at a site without an ED).
    pub(super) urgent_treatment_centre: Option<UrgentTreatmentCentre>,
    /// × each band's `other_provider` share for emergencies admitted here.
    pub(super) out_of_system_multiplier: f64,
}

/// An urgent treatment centre, checked.
pub(super) struct UrgentTreatmentCentre {
    /// Share of attendances sent home.
    pub(super) managed: f64,
    pub(super) stay: Distribution,
}

impl Site {
    /// Whether the site has an emergency department of its own.
    pub(super) fn has_ed(&self) -> bool {
        self.ed_at.is_none()
    }
}

/// `{path}.day_unit_slots_per_day` and `{path}.day_unit_opening` of a day
/// unit (a site's or an ICC's), checked: each `Some` when valid, holding
/// `None` when not given (no limit, always open).
pub(super) fn validate_day_unit_schedule(
    check: &mut Checker,
    path: &str,
    slots_per_day: Option<f64>,
    opening: Option<&RawOpening>,
) -> (Option<Option<u32>>, Option<Option<OpeningHours>>) {
    let slots = match slots_per_day {
        None => Some(None),
        Some(v) => check
            .whole_in(
                &format!("{path}.day_unit_slots_per_day"),
                v,
                0.0,
                MAX_CAPACITY,
                "attendances per day",
            )
            .map(|v| Some(v as u32)),
    };
    let opening = match opening {
        None => Some(None),
        Some(o) => validate_opening(check, &format!("{path}.day_unit_opening"), o).map(Some),
    };
    (slots, opening)
}

/// `[pathways]`, checked.
pub(super) struct Pathways {
    pub(super) ed_stay: Distribution,
    pub(super) day_unit_stay: Distribution,
    pub(super) day_unit_admission: f64,
    pub(super) zero_day_stay: Distribution,
    pub(super) discharge_weekday_factors: [f64; 7],
    /// The time to arrange a discharge, by destination (none: at once).
    pub(super) arranging: PerDestination<Option<Distribution>>,
    pub(super) readmission_delay: Distribution,
    pub(super) elective_discharge: ElectiveDischarge,
    /// What a full hospital does: outlying, transfers out, cancellations.
    pub(super) pressure: Pressure,
    /// × the risk of death of a crisis managed at home or prevented, as
    /// if it had gone to ED (`compile/deaths.rs`; 1: no difference).
    pub(super) avoided_crisis_death_multiplier: f64,
    /// × the chance of death in the care home that a person a
    /// `care_home_discharge` lever sends elsewhere keeps, dying at home
    /// (`levers/diverted.rs`; 1: no difference).
    pub(super) diverted_from_care_home_death_multiplier: f64,
}

/// The sites, every one checked (those with a problem left out).
pub(super) fn validate_sites(check: &mut Checker, document: &toml::Table) -> Vec<Site> {
    let site_names: Vec<String> = match document.get("sites") {
        Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    };
    // Which sites have an ED, as written (for `ed_at`).
    let has_ed = |name: &str| -> bool {
        document
            .get("sites")
            .and_then(|sites| sites.get(name))
            .and_then(|site| site.get("emergency_department"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(true)
    };
    let mut sites = Vec::new();
    for (site_name, raw) in named_sections::<RawSite>(
        check,
        document,
        "sites",
        "site",
        "[sites.general_hospital] with adult_beds, paediatric_beds and day_unit_places",
    ) {
        let Some(raw) = raw else { continue };
        let path = format!("sites.{site_name}");
        let adult_beds = check.places(&format!("{path}.adult_beds"), raw.adult_beds);
        let paediatric_beds = check.places(&format!("{path}.paediatric_beds"), raw.paediatric_beds);
        let day_unit_places = check.places(&format!("{path}.day_unit_places"), raw.day_unit_places);
        let (slots, opening) = validate_day_unit_schedule(
            check,
            &path,
            raw.day_unit_slots_per_day,
            raw.day_unit_opening.as_ref(),
        );
        let escalation = validate_escalation(
            check,
            &path,
            raw.escalation_beds,
            raw.escalation_open_at,
            raw.escalation_close_at,
        );
        let front_door = validate_front_door(check, &path, &raw, &site_names, has_ed);
        let out_of_system_multiplier = check.number_in(
            &format!("{path}.out_of_system_multiplier"),
            raw.out_of_system_multiplier.unwrap_or(1.0),
            0.0,
            100.0,
            "× each age band's other_provider share",
        );
        if let (
            Some(adult_beds),
            Some(paediatric_beds),
            Some(day_unit_places),
            Some(day_unit_slots_per_day),
            Some(day_unit_opening),
            Some(escalation),
            Some((ed_at, urgent_treatment_centre)),
            Some(out_of_system_multiplier),
        ) = (
            adult_beds,
            paediatric_beds,
            day_unit_places,
            slots,
            opening,
            escalation,
            front_door,
            out_of_system_multiplier,
        ) {
            sites.push(Site {
                name: site_name,
                description: raw.description.unwrap_or_default(),
                adult_beds,
                paediatric_beds,
                day_unit_places,
                day_unit_slots_per_day,
                day_unit_opening,
                escalation,
                ed_at,
                urgent_treatment_centre,
                out_of_system_multiplier,
            });
        }
    }
    sites
}

/// Where a site's emergencies go: its own ED (`ed_at` None), or, with
/// `emergency_department = false`, the ED of `ed_at` (a site that has one),
/// through its urgent treatment centre if it has one.
#[allow(clippy::type_complexity)]
fn validate_front_door(
    check: &mut Checker,
    path: &str,
    raw: &RawSite,
    site_names: &[String],
    has_ed: impl Fn(&str) -> bool,
) -> Option<(Option<usize>, Option<UrgentTreatmentCentre>)> {
    let utc = match &raw.urgent_treatment_centre {
        None => Some(None),
        Some(u) => {
            let p = format!("{path}.urgent_treatment_centre");
            let managed = check.probability(&format!("{p}.managed"), u.managed);
            let stay = check.distribution(&format!("{p}.stay"), &u.stay);
            match (managed, stay) {
                (Some(managed), Some(stay)) => Some(Some(UrgentTreatmentCentre { managed, stay })),
                _ => None,
            }
        }
    };
    if raw.emergency_department.unwrap_or(true) {
        let mut ok = true;
        if let Some(ed_at) = &raw.ed_at {
            check.issue(format!("{path}.ed_at"), Some(format!("{ed_at:?}")), "is only for a site without an emergency department; add `emergency_department = false`, or remove `ed_at`");
            ok = false;
        }
        if raw.urgent_treatment_centre.is_some() {
            check.issue(format!("{path}.urgent_treatment_centre"), None, "is only modelled at a site without an emergency department (its catchment attends it instead of an ED); add `emergency_department = false` with `ed_at`, or remove it");
            ok = false;
        }
        return ok.then_some((None, None));
    }
    let Some(name) = &raw.ed_at else {
        check.issue(
            format!("{path}.emergency_department"),
            Some("false".into()),
            "a site without an emergency department needs `ed_at = \"SITE\"`: the site whose ED takes its catchment's emergencies",
        );
        return None;
    };
    let ed_at = site_index(check, &format!("{path}.ed_at"), name, site_names)?;
    if !has_ed(name) {
        check.issue(
            format!("{path}.ed_at"),
            Some(format!("{name:?}")),
            format!("names a site without an emergency department (sites.{name}.emergency_department = false); name a site that has one"),
        );
        return None;
    }
    Some((Some(ed_at), utc?))
}

/// `[pathways]`, checked.
pub(super) fn validate_pathways(check: &mut Checker, document: &toml::Table) -> Option<Pathways> {
    let pathways: Option<RawPathways> = section(
        check,
        document,
        "pathways",
        "[pathways] with ed_stay, day_unit_stay ...",
    );
    pathways.and_then(|raw| {
        let p = "pathways";
        let ed_stay = check.distribution(&format!("{p}.ed_stay"), &raw.ed_stay);
        let day_unit_stay = check.distribution(&format!("{p}.day_unit_stay"), &raw.day_unit_stay);
        let day_unit_admission =
            check.probability(&format!("{p}.day_unit_admission"), raw.day_unit_admission);
        let zero_day_stay = check.distribution(&format!("{p}.zero_day_stay"), &raw.zero_day_stay);
        let factors = check.factors(
            &format!("{p}.discharge_weekday_factors"),
            &raw.discharge_weekday_factors,
            7,
            "weekday",
        );
        if factors.as_ref().is_some_and(|f| f.iter().any(|x| *x > 1.0)) {
            check.issue(
                format!("{p}.discharge_weekday_factors"),
                None,
                "are probabilities of leaving on that day: each must be at most 1",
            );
        }
        if factors
            .as_ref()
            .is_some_and(|f| f.iter().all(|x| *x == 0.0))
        {
            check.issue(
                format!("{p}.discharge_weekday_factors"),
                None,
                "is 0 on every day, so nobody could ever leave hospital",
            );
        }
        let mut arranging: PerDestination<Option<Distribution>> = PerDestination::default();
        let mut arranging_ok = true;
        for (key, raw) in &raw.arranging {
            match DischargeTo::from_name(key) {
                Some(to) => {
                    arranging[to] = check.distribution(&format!("{p}.arranging.{key}"), raw);
                    arranging_ok &= arranging[to].is_some();
                }
                None => {
                    check.issue(
                        format!("{p}.arranging.{key}"),
                        None,
                        format!(
                            "is not a discharge destination{}; use {}",
                            did_you_mean(key, DischargeTo::names()),
                            quoted_list(&DischargeTo::names())
                        ),
                    );
                    arranging_ok = false;
                }
            }
        }
        let readmission_delay =
            check.distribution(&format!("{p}.readmission_delay"), &raw.readmission_delay);
        let elective_discharge = check.shares(
            &format!("{p}.elective_discharge"),
            &raw.elective_discharge,
            ElectiveDischarge::KEYS,
        );
        let pressure = validate_pressure(
            check,
            raw.outlie_after_hours,
            raw.outlie_every_hours,
            raw.transfer_out_after_hours,
            raw.elective_cancel_at,
            raw.elective_rebook_after.as_ref(),
        );
        let avoided_crisis_death_multiplier = check.number_in(
            &format!("{p}.avoided_crisis_death_multiplier"),
            raw.avoided_crisis_death_multiplier.unwrap_or(1.0),
            0.0,
            2.0,
            "× the risk of death a crisis managed at home or prevented keeps",
        );
        // A care home's stays all end in death: above 1 would mean nothing.
        let diverted_from_care_home_death_multiplier = check.number_in(
            &format!("{p}.diverted_from_care_home_death_multiplier"),
            raw.diverted_from_care_home_death_multiplier.unwrap_or(1.0),
            0.0,
            1.0,
            "× the care home's chance of death a person kept out of one keeps",
        );
        Some(Pathways {
            ed_stay: ed_stay?,
            day_unit_stay: day_unit_stay?,
            day_unit_admission: day_unit_admission?,
            zero_day_stay: zero_day_stay?,
            discharge_weekday_factors: array(&factors?),
            arranging: if arranging_ok { arranging } else { return None },
            readmission_delay: readmission_delay?,
            elective_discharge: elective_discharge.map(|[home, reablement, home_care]| {
                ElectiveDischarge {
                    home,
                    reablement,
                    home_care,
                }
            })?,
            pressure: pressure?,
            avoided_crisis_death_multiplier: avoided_crisis_death_multiplier?,
            diverted_from_care_home_death_multiplier: diverted_from_care_home_death_multiplier?,
        })
    })
}

/// A site's places that patients are sent to but that hold none: they
/// would wait for ever. A new kind of site service adds its check here.
pub(super) fn check_site_places(check: &mut Checker, site: &Site, sent: &SentTo) {
    let path = format!("sites.{}", site.name);
    // A site without an ED admits no emergencies: it may be a UTC alone.
    if !site.has_ed() {
        return;
    }
    if site.adult_beds == 0 {
        check.issue(
            format!("{path}.adult_beds"),
            Some("0".into()),
            "a site needs adult beds: its ED's admissions would wait for ever",
        );
    }
    if let (0, Some(band)) = (site.paediatric_beds, &sent.children_admitted) {
        check.issue(format!("{path}.paediatric_beds"), Some("0".into()), format!("children are admitted (age_bands.\"{band}\" ed_admission or direct_admission above 0) and would wait for ever; add children's beds"));
    }
}
