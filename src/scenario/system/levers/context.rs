//! What the levers read of the validated specification (`Parts`): the
//! names of sites and ICCs their keys are checked against, residents,
//! arranging delays, staff and caseloads per team, and what a unit of
//! capacity costs a year. From the compiled network they read only what
//! they change (services, cohorts, pathways and entry routes).

use super::effect::PerTeam;
use crate::engine::Distribution;
use crate::scenario::system::spec::{DAYS_PER_YEAR, Parts, PerDestination, PrimaryCare};

/// What the levers need from the scenario beyond the compiled network.
pub(in crate::scenario::system) struct LeverContext {
    /// The sites' names, in the order of the scenario (a lever's `sites`
    /// and `close_adult_beds` name them).
    pub(super) sites: Vec<String>,
    /// The ICCs' names, in order (a lever's `iccs` name them).
    pub(super) iccs: Vec<String>,
    /// Residents of each ICC by age band (a reinvestment shares its money
    /// among ICCs by residents).
    pub(super) population: Vec<Vec<f64>>,
    /// Arranging delay of a discharge to home, reablement, a community bed
    /// and a care home (for a route a lever opens).
    pub(super) arranging: PerDestination<Option<Distribution>>,
    /// Staff WTE of rapid response, reablement and case management, per ICC.
    pub(super) team_wte: Vec<PerTeam<f64>>,
    /// Caseload per WTE of the same three teams.
    pub(super) caseload_per_wte: PerTeam<f64>,
    /// £ a year of one unit of capacity bought with money.
    pub(super) cost_per_year: UnitCostsPerYear,
    /// Whether each ICC has a community day unit (people are sent to it),
    /// so that money may buy its places.
    pub(super) has_community_day_unit: Vec<bool>,
    /// General practice, when `[primary_care]` models it.
    pub(super) primary_care: Option<PrimaryCareContext>,
    /// People in each risk tier, per ICC (tier name, residents of the
    /// tier's bands × its share), for `proactive_care`.
    pub(super) tier_people: Vec<Vec<(String, f64)>>,
    /// `[workforce]`: staff groups recruited rather than bought at once
    /// (None: every group bought at once; set by `with_workforce`).
    pub(super) workforce: Option<crate::scenario::system::workforce::Workforce>,
    /// `[community.rapid_response] managed_at_home` as written: a crisis
    /// class's own share is this scaled (`[avoidable]`), and so is a
    /// `rapid_response` lever's.
    pub(super) rapid_response_managed_at_home: f64,
    /// `[pathways] diverted_from_care_home_death_multiplier`: × the care
    /// home's chance of death that the people a lever keeps out of one keep.
    pub(super) diverted_from_care_home_death_multiplier: f64,
}

/// What the primary-care levers read: the section, each ICC's staff in
/// post and what a WTE costs a year.
pub(super) struct PrimaryCareContext {
    pub(super) section: PrimaryCare,
    /// (GP, other clinical) WTE in post, per ICC.
    pub(super) wte: Vec<(f64, f64)>,
    /// £ a year of a GP WTE and of another clinical WTE; None when not given.
    pub(super) gp_wte_year: Option<f64>,
    pub(super) other_clinical_wte_year: Option<f64>,
}

/// The yearly cost of one unit of each kind of capacity, £.
pub(super) struct UnitCostsPerYear {
    /// One WTE of community staff; None when the scenario gives no cost.
    pub(super) staff_wte: Option<f64>,
    pub(super) community_bed: f64,
    pub(super) residential_place: f64,
    pub(super) nursing_place: f64,
    /// A community day-unit place.
    pub(super) community_day_unit_place: f64,
    /// A closed adult acute bed: a year of excess bed days.
    pub(super) acute_bed: f64,
}

impl LeverContext {
    /// What the levers need to know of the validated specification.
    pub(in crate::scenario::system) fn new(parts: &Parts) -> LeverContext {
        let costs = &parts.costs;
        LeverContext {
            sites: parts.sites.iter().map(|s| s.name.clone()).collect(),
            iccs: parts.iccs.iter().map(|i| i.name.clone()).collect(),
            population: parts.iccs.iter().map(|i| i.population.clone()).collect(),
            arranging: parts.pathways.arranging.clone(),
            team_wte: parts
                .iccs
                .iter()
                .map(|i| PerTeam {
                    rapid_response: i.rapid_response_wte,
                    reablement: i.reablement_wte,
                    case_management: i.case_management_wte,
                })
                .collect(),
            caseload_per_wte: PerTeam {
                rapid_response: parts.community.rapid.caseload_per_wte,
                reablement: parts.community.reablement.caseload_per_wte,
                case_management: parts.community.case_management.caseload_per_wte,
            },
            has_community_day_unit: parts
                .iccs
                .iter()
                .map(|i| parts.community.day_unit.is_some() && i.day_unit.exists)
                .collect(),
            cost_per_year: UnitCostsPerYear {
                staff_wte: costs.community_staff_wte_year,
                community_bed: costs.community_bed_day * DAYS_PER_YEAR,
                residential_place: costs.residential_week * DAYS_PER_YEAR / 7.0,
                nursing_place: costs.nursing_week * DAYS_PER_YEAR / 7.0,
                community_day_unit_place: costs.community_day_unit_place_year,
                acute_bed: costs.excess_bed_day * DAYS_PER_YEAR,
            },
            primary_care: parts
                .primary_care
                .as_ref()
                .map(|section| PrimaryCareContext {
                    section: section.clone(),
                    wte: parts
                        .iccs
                        .iter()
                        .map(|i| (i.gp_wte, i.other_clinical_wte))
                        .collect(),
                    gp_wte_year: costs.gp_wte_year,
                    other_clinical_wte_year: costs.other_clinical_wte_year,
                }),
            tier_people: parts
                .iccs
                .iter()
                .map(|icc| {
                    parts
                        .tiers
                        .iter()
                        .map(|tier| {
                            let people: f64 = (0..parts.age_bands.len())
                                .filter(|&b| tier.bands[b])
                                .map(|b| icc.population[b] * tier.share)
                                .sum();
                            (tier.name.clone(), people)
                        })
                        .collect()
                })
                .collect(),
            workforce: None,
            rapid_response_managed_at_home: parts.community.rapid.managed_at_home,
            diverted_from_care_home_death_multiplier: parts
                .pathways
                .diverted_from_care_home_death_multiplier,
        }
    }
}
