//! `[population]`: the age bands, growth, GP appointments, seasonality and
//! risk tiers; and the keys by which one ICC's demand differs from the
//! population's (`[iccs.X] crisis_multiplier`, `elective_multiplier`,
//! `growth_per_year`), read with the ICC by `community`.

use super::compile::tiers::band_chain;
use super::raw::{RawPopulation, RawTier};
use super::sections::{array, section};
use super::spec::Tier;
use crate::model::system::AgeBands;
use crate::scenario::check::{Checker, quoted_list};
use crate::scenario::error::did_you_mean;

/// `[population]`, checked: each value `None` when it has a problem.
pub(super) struct Population {
    pub(super) growth: Option<Vec<f64>>,
    pub(super) gp_per_person: Option<Vec<f64>>,
    pub(super) monthly: Option<[f64; 12]>,
    pub(super) weekday: Option<[f64; 7]>,
    /// Crises by hour of the day, 00:00-01:00 first.
    pub(super) hourly: Option<[f64; 24]>,
    pub(super) elective_weekday: Option<[f64; 7]>,
    pub(super) tiers: Vec<Tier>,
}

/// `[population] age_bands`: the scenario's bands (the five of
/// [`DEFAULT_AGE_BANDS`](crate::model::system::DEFAULT_AGE_BANDS) when not
/// given), or None when they are not valid bands. Read before every other
/// section, whose per-band tables they name.
pub(super) fn validate_age_band_names(
    check: &mut Checker,
    document: &toml::Table,
) -> Option<AgeBands> {
    let path = "population.age_bands";
    let Some(value) = document.get("population").and_then(|p| p.get("age_bands")) else {
        return Some(AgeBands::default());
    };
    let names: Option<Vec<String>> = value.as_array().and_then(|list| {
        list.iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let Some(names) = names else {
        check.issue(
            path,
            Some(value.to_string()),
            "must be a list of band names, youngest first, e.g. [\"0-15\", \"16-64\", \"65-79\", \"80+\"]",
        );
        return None;
    };
    match AgeBands::parse(&names) {
        Ok(bands) => Some(bands),
        Err((at, problem)) => {
            match at {
                Some(i) => check.issue(
                    format!("{path}[{i}]"),
                    Some(format!("{:?}", names[i])),
                    problem,
                ),
                None => check.issue(path, Some(value.to_string()), problem),
            }
            None
        }
    }
}

/// Reads `[population]` and its risk tiers; the tiers of a band must leave
/// people and crises for everyone else.
pub(super) fn validate_population(
    check: &mut Checker,
    document: &toml::Table,
    age_bands: &AgeBands,
) -> Population {
    let population: Option<RawPopulation> = section(
        check,
        document,
        "population",
        "[population] with growth_per_year and gp_appointments_per_person",
    );
    let mut growth = None;
    let mut gp_per_person = None;
    let mut monthly = Some([1.0; 12]);
    let mut weekday = Some([1.0; 7]);
    let mut hourly = Some([1.0; 24]);
    let mut elective_weekday = Some([1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0]);
    let mut tiers = Vec::new();
    if let Some(p) = &population {
        growth = check.per_band(
            "population.growth_per_year",
            &p.growth_per_year,
            age_bands,
            -0.5,
            1.0,
            "fraction per year",
        );
        gp_per_person = check.per_band(
            "population.gp_appointments_per_person",
            &p.gp_appointments_per_person,
            age_bands,
            0.0,
            365.0,
            "appointments per person per year",
        );
        if let Some(f) = &p.monthly_factors {
            monthly = check
                .factors("population.monthly_factors", f, 12, "month")
                .map(|v| array(&v));
        }
        if let Some(f) = &p.weekday_factors {
            weekday = check
                .factors("population.weekday_factors", f, 7, "weekday")
                .map(|v| array(&v));
        }
        if let Some(f) = &p.hourly_factors {
            hourly = validate_hourly(check, f);
        }
        if let Some(f) = &p.elective_weekday_factors {
            elective_weekday = check
                .factors("population.elective_weekday_factors", f, 7, "weekday")
                .map(|v| array(&v));
        }
        if let Some(table) = &p.risk_tiers {
            for (tier_name, value) in table {
                let path = format!("population.risk_tiers.{tier_name}");
                check.name(&path, tier_name, "risk tier");
                if tier_name == "rest" {
                    check.issue(
                        &path,
                        None,
                        "`rest` names the people outside every tier; choose another name",
                    );
                }
                let Some(raw) = check.section::<RawTier>(&path, value.clone()) else {
                    continue;
                };
                let share = check.number_in(
                    &format!("{path}.share"),
                    raw.share,
                    0.0,
                    0.5,
                    "fraction of the band",
                );
                let multiplier = check.number_in(
                    &format!("{path}.crisis_multiplier"),
                    raw.crisis_multiplier,
                    0.0,
                    100.0,
                    "× the band's crisis rate",
                );
                let referrals = check.number_in(
                    &format!("{path}.case_management_referrals_per_1000"),
                    raw.case_management_referrals_per_1000.unwrap_or(0.0),
                    0.0,
                    1000.0,
                    "per 1,000 per year",
                );
                let mut bands = vec![false; age_bands.len()];
                if raw.bands.is_empty() {
                    check.issue(
                        format!("{path}.bands"),
                        Some("[]".into()),
                        format!(
                            "needs the age bands the tier applies to, e.g. bands = [{}]",
                            age_bands.names()[age_bands.len().saturating_sub(2)..]
                                .iter()
                                .map(|b| format!("{b:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                for (i, band) in raw.bands.iter().enumerate() {
                    match age_bands.position(band) {
                        // Children: bands whose oldest age is under 18.
                        Some(b) if age_bands.is_children(b) => check.issue(
                            format!("{path}.bands"),
                            None,
                            format!("risk tiers are for adults: children's services are not modelled beyond ED and children's beds; remove {band:?}"),
                        ),
                        Some(b) => bands[b] = true,
                        None => check.issue(
                            format!("{path}.bands[{i}]"),
                            Some(format!("{band:?}")),
                            format!(
                                "is not an age band{}; the bands are {}",
                                did_you_mean(band, age_bands.names().iter().map(String::as_str)),
                                quoted_list(age_bands.names())
                            ),
                        ),
                    }
                }
                let los = check.number_in(
                    &format!("{path}.los_multiplier"),
                    raw.los_multiplier.unwrap_or(1.0),
                    0.1,
                    10.0,
                    "× the band's overnight stay",
                );
                let mortality = check.number_in(
                    &format!("{path}.mortality_multiplier"),
                    raw.mortality_multiplier.unwrap_or(1.0),
                    0.0,
                    100.0,
                    "× the band's deaths at home",
                );
                let monthly_exit = match raw.monthly_exit {
                    None => Some(None),
                    Some(v) => check
                        .probability(&format!("{path}.monthly_exit"), v)
                        .map(Some),
                };
                let step_up = check.probability(
                    &format!("{path}.step_up_after_admission"),
                    raw.step_up_after_admission.unwrap_or(0.0),
                );
                if step_up.is_some_and(|p| p > 0.0)
                    && monthly_exit.is_some_and(|e| e.unwrap_or(0.0) <= 0.0)
                {
                    check.issue(
                        format!("{path}.step_up_after_admission"),
                        raw.step_up_after_admission.map(|v| v.to_string()),
                        "needs people to leave the tier too: give the tier a monthly_exit above 0 (step-ups take the place of the monthly inflow, which a tier nobody leaves does not have)",
                    );
                }
                if let (
                    Some(share),
                    Some(crisis_multiplier),
                    Some(referrals_per_1000),
                    Some(los_multiplier),
                    Some(mortality_multiplier),
                    Some(monthly_exit),
                    Some(step_up_after_admission),
                ) = (
                    share,
                    multiplier,
                    referrals,
                    los,
                    mortality,
                    monthly_exit,
                    step_up,
                ) {
                    tiers.push(Tier {
                        name: tier_name.clone(),
                        share,
                        crisis_multiplier,
                        bands,
                        referrals_per_1000,
                        los_multiplier,
                        mortality_multiplier,
                        monthly_exit,
                        step_up_after_admission,
                    });
                }
            }
        }
    }
    // Within a band, the tiers' shares and rates must leave a positive
    // rate for everyone else (the band's mean rate is kept).
    for (b, band) in age_bands.names().iter().enumerate() {
        let in_band: Vec<&Tier> = tiers.iter().filter(|t| t.bands[b]).collect();
        let share: f64 = in_band.iter().map(|t| t.share).sum();
        let carried: f64 = in_band.iter().map(|t| t.share * t.crisis_multiplier).sum();
        if share >= 1.0 || carried >= 1.0 {
            check.issue("population.risk_tiers", None, format!("the tiers of band \"{band}\" hold {:.0}% of its people and {:.0}% of its crises, leaving nothing for the rest; lower a share or a crisis_multiplier", share * 100.0, carried * 100.0));
            continue;
        }
        // Moving tiers: the shares must be the stationary ones, and the
        // step-ups of a band a probability.
        if let Some(Err((tier, problem))) = band_chain(&tiers, b) {
            let value = tiers
                .iter()
                .find(|t| t.name == tier)
                .and_then(|t| t.monthly_exit)
                .map(|e| e.to_string());
            check.issue(
                format!("population.risk_tiers.{tier}.monthly_exit"),
                value,
                format!("in band \"{band}\": {problem}"),
            );
        }
        let step_ups: f64 = in_band.iter().map(|t| t.step_up_after_admission).sum();
        if step_ups > 1.0 {
            check.issue(
                "population.risk_tiers",
                None,
                format!("the step_up_after_admission of the tiers of band \"{band}\" add up to {step_ups}, more than 1; lower them"),
            );
        }
        let dying: f64 = in_band
            .iter()
            .map(|t| t.share * t.mortality_multiplier)
            .sum();
        if share < 1.0 && dying > 1.0 {
            check.issue("population.risk_tiers", None, format!("the tiers of band \"{band}\" hold {:.0}% of its people and {:.0}% of its deaths at home, more than all of them; lower a share or a mortality_multiplier", share * 100.0, dying * 100.0));
        }
    }
    Population {
        growth,
        gp_per_person,
        monthly,
        weekday,
        hourly,
        elective_weekday,
        tiers,
    }
}

/// What an ICC's residents' demand differs by from the population's
/// (`[iccs.X] crisis_multiplier`, `elective_multiplier`, `growth_per_year`):
/// deprivation, rurality, a new town.
pub(super) struct IccDemand {
    /// × every band's crisis rate (people at home; care-home residents'
    /// attendances per resident are not changed).
    pub(super) crisis_multiplier: f64,
    /// × every band's elective admission rate.
    pub(super) elective_multiplier: f64,
    /// Yearly growth of each band where the ICC gives its own (None: the
    /// population's).
    pub(super) growth: Vec<Option<f64>>,
}

/// An ICC's demand keys, checked (None when one has a problem).
pub(super) fn validate_icc_demand(
    check: &mut Checker,
    path: &str,
    age_bands: &AgeBands,
    crisis_multiplier: Option<f64>,
    elective_multiplier: Option<f64>,
    growth: Option<&toml::Table>,
) -> Option<IccDemand> {
    let crisis = check.number_in(
        &format!("{path}.crisis_multiplier"),
        crisis_multiplier.unwrap_or(1.0),
        0.0,
        100.0,
        "× the crisis rate of every band",
    );
    let elective = check.number_in(
        &format!("{path}.elective_multiplier"),
        elective_multiplier.unwrap_or(1.0),
        0.0,
        100.0,
        "× the elective admission rate of every band",
    );
    let growth = match growth {
        None => Some(vec![None; age_bands.len()]),
        // The population's bounds: a fraction per year.
        Some(table) => check.some_bands(
            &format!("{path}.growth_per_year"),
            table,
            age_bands,
            -0.5,
            1.0,
            "fraction per year",
        ),
    };
    Some(IccDemand {
        crisis_multiplier: crisis?,
        elective_multiplier: elective?,
        growth: growth?,
    })
}

/// `[population] hourly_factors`: 24 multipliers of the crisis rate, one
/// per hour from 00:00-01:00. They thin arrivals within the day, so they
/// should average 1 (the day's total is then the band's rate); all zero
/// would leave no crises at all.
fn validate_hourly(check: &mut Checker, values: &[f64]) -> Option<[f64; 24]> {
    let path = "population.hourly_factors";
    let factors = check.factors(path, values, 24, "hour of the day, 00:00-01:00 first")?;
    if factors.iter().all(|f| *f == 0.0) {
        check.issue(
            path,
            Some("all 0".into()),
            "would leave no crises at any hour; give each hour a multiplier averaging 1 (all 1: arrivals spread evenly over the day)",
        );
        return None;
    }
    Some(array(&factors))
}
