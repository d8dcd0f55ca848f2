//! `[workforce.GROUP]`: staff who must be recruited before money becomes
//! capacity. For each staff group (`gp`, `other_clinical`,
//! `community_teams`, `community_beds`) and ICC: an establishment (the
//! posts funded), staff in post, vacancies that open when people leave or
//! posts are funded, open to recruitment after a lead time and filled a
//! share a month, and agency cover of a share of the vacancies at a
//! premium. This file owns the section, from the serde type to the checked
//! rates per ICC (a fill rate derived from the equilibrium when the file
//! gives none), and the month-by-month trajectory of one group in one ICC
//! (deterministic expected values; [`trajectory`]). The levers turn the
//! trajectories into capacity and money (`levers/workforce.rs`).
//!
//! A file without `[workforce]`, or without a group, buys that group's
//! staff at once, as before.

use std::collections::{BTreeMap, VecDeque};

use serde::Deserialize;

use crate::scenario::check::Checker;
use crate::scenario::error::did_you_mean;

/// A staff group of `[workforce]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(in crate::scenario::system) enum StaffGroup {
    /// GPs of general practice (`[iccs.X] gp_wte`).
    Gp,
    /// Other clinical staff of general practice (`other_clinical_wte`).
    OtherClinical,
    /// Rapid response, reablement and case management staff.
    CommunityTeams,
    /// Nursing staff of the community hospital beds.
    CommunityBeds,
}

impl StaffGroup {
    pub(in crate::scenario::system) const ALL: [StaffGroup; 4] = [
        StaffGroup::Gp,
        StaffGroup::OtherClinical,
        StaffGroup::CommunityTeams,
        StaffGroup::CommunityBeds,
    ];

    /// The group's name, as in `[workforce.NAME]` and `workforce.csv`.
    pub(in crate::scenario::system) fn name(self) -> &'static str {
        match self {
            StaffGroup::Gp => "gp",
            StaffGroup::OtherClinical => "other_clinical",
            StaffGroup::CommunityTeams => "community_teams",
            StaffGroup::CommunityBeds => "community_beds",
        }
    }
}

/// `[workforce.GROUP]` as written.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStaffGroup {
    /// Fraction of the establishment vacant at the start (0 to 0.95).
    pub(super) vacancy_rate: f64,
    /// The same for some ICCs: { ICC = fraction }.
    pub(super) vacancy_rate_by_icc: Option<BTreeMap<String, f64>>,
    /// Leavers a year / staff in post.
    pub(super) attrition_per_year: f64,
    /// Months from a post being funded or vacated to the earliest start
    /// (whole months; the model steps monthly).
    pub(super) recruitment_lead_time_months: f64,
    /// Share of the vacancies past their lead time filled each month
    /// (default: the rate that keeps `vacancy_rate` steady).
    pub(super) fill_per_month: Option<f64>,
    /// Share of the vacant WTE covered by agency or locum staff.
    pub(super) agency_share: f64,
    /// Agency cost / substantive cost − 1 (0.5: +50%).
    pub(super) agency_premium: f64,
    /// Nursing WTE a staffed community bed needs (`community_beds` only).
    pub(super) wte_per_bed: Option<f64>,
}

/// The rates of one group in one ICC, checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(in crate::scenario::system) struct GroupRates {
    pub(in crate::scenario::system) vacancy_rate: f64,
    pub(in crate::scenario::system) attrition_per_year: f64,
    pub(in crate::scenario::system) lead_months: u32,
    pub(in crate::scenario::system) fill_per_month: f64,
    pub(in crate::scenario::system) agency_share: f64,
    pub(in crate::scenario::system) agency_premium: f64,
}

/// One group of `[workforce]`, checked: its rates per ICC.
#[derive(Clone, Debug)]
pub(in crate::scenario::system) struct WorkforceGroup {
    pub(in crate::scenario::system) by_icc: Vec<GroupRates>,
    /// Nursing WTE per staffed bed (`community_beds`; 0 for the others).
    pub(in crate::scenario::system) wte_per_bed: f64,
}

/// `[workforce]`, checked: the groups it models.
#[derive(Clone, Debug, Default)]
pub(in crate::scenario::system) struct Workforce {
    pub(in crate::scenario::system) groups: BTreeMap<StaffGroup, WorkforceGroup>,
}

impl Workforce {
    pub(in crate::scenario::system) fn group(&self, group: StaffGroup) -> Option<&WorkforceGroup> {
        self.groups.get(&group)
    }
}

/// The share of the establishment vacant at equilibrium, for attrition
/// `a` a year, lead time `L` months and fill `f` a month: vacant / in
/// post = a/12 × (L + (1 − f)/f) (each month's leavers wait `L` months,
/// then a share `f` of the open vacancies is filled each month).
pub(in crate::scenario::system) fn equilibrium_vacancy(
    attrition_per_year: f64,
    lead_months: u32,
    fill_per_month: f64,
) -> f64 {
    if fill_per_month <= 0.0 {
        return if attrition_per_year > 0.0 { 1.0 } else { 0.0 };
    }
    let ratio = attrition_per_year / 12.0
        * (f64::from(lead_months) + (1.0 - fill_per_month) / fill_per_month);
    ratio / (1.0 + ratio)
}

/// The fill rate a month that keeps `vacancy` steady, or why there is none.
fn fill_for_equilibrium(
    vacancy: f64,
    attrition_per_year: f64,
    lead_months: u32,
) -> Result<f64, String> {
    if attrition_per_year <= 0.0 {
        return Err(if vacancy > 0.0 {
            "cannot be derived: with no leavers (attrition_per_year = 0) any fill rate empties the vacancies; give fill_per_month".into()
        } else {
            "cannot be derived with no leavers and no vacancies; give fill_per_month".into()
        });
    }
    // vacant / in post = a/12 × (L + (1 − f)/f), solved for f.
    let months_waiting = 12.0 * vacancy / (1.0 - vacancy) / attrition_per_year;
    let after_lead = months_waiting - f64::from(lead_months);
    if after_lead < 0.0 {
        let least = equilibrium_vacancy(attrition_per_year, lead_months, 1.0);
        return Err(format!(
            "cannot be derived: with attrition {attrition_per_year} a year and a lead time of {lead_months} months, vacancies are at least {:.1}% even when every open vacancy is filled at once, above the vacancy rate {:.1}%; raise vacancy_rate, shorten recruitment_lead_time_months or give fill_per_month (the group then moves towards its own equilibrium)",
            least * 100.0,
            vacancy * 100.0
        ));
    }
    Ok(1.0 / (1.0 + after_lead))
}

/// Reads `[workforce]` (None without it), checking each group's keys and
/// the ICCs named in `vacancy_rate_by_icc`.
pub(super) fn validate_workforce(
    check: &mut Checker,
    document: &toml::Table,
    iccs: &[String],
) -> Option<Workforce> {
    let value = document.get("workforce")?;
    let Some(table) = value.as_table() else {
        check.issue(
            "workforce",
            Some(value.type_str().to_string()),
            "must be tables of staff groups, e.g. [workforce.gp] with vacancy_rate, attrition_per_year, recruitment_lead_time_months, agency_share and agency_premium",
        );
        return None;
    };
    let names: Vec<&str> = StaffGroup::ALL.iter().map(|g| g.name()).collect();
    let mut workforce = Workforce::default();
    for (name, value) in table {
        let path = format!("workforce.{name}");
        let Some(group) = StaffGroup::ALL.into_iter().find(|g| g.name() == name) else {
            check.issue(
                &path,
                None,
                format!(
                    "is not a staff group{}; the groups are {}",
                    did_you_mean(name, names.iter().copied()),
                    crate::scenario::check::quoted_list(&names)
                ),
            );
            continue;
        };
        let Some(raw) = check.section::<RawStaffGroup>(&path, value.clone()) else {
            continue;
        };
        if let Some(checked) = validate_group(check, &path, group, &raw, iccs) {
            workforce.groups.insert(group, checked);
        }
    }
    Some(workforce)
}

fn validate_group(
    check: &mut Checker,
    path: &str,
    group: StaffGroup,
    raw: &RawStaffGroup,
    iccs: &[String],
) -> Option<WorkforceGroup> {
    let at = |key: &str| format!("{path}.{key}");
    let vacancy_range = |check: &mut Checker, key: String, value: f64| {
        check.number_in(
            &key,
            value,
            0.0,
            0.95,
            "fraction of the establishment vacant, below 1: in post = establishment × (1 − vacancy)",
        )
    };
    let vacancy = vacancy_range(check, at("vacancy_rate"), raw.vacancy_rate);
    let attrition = check.number_in(
        &at("attrition_per_year"),
        raw.attrition_per_year,
        0.0,
        2.0,
        "leavers a year / staff in post",
    );
    let lead = check.whole_in(
        &at("recruitment_lead_time_months"),
        raw.recruitment_lead_time_months,
        0.0,
        60.0,
        "months from a post funded or vacated to the earliest start",
    );
    let fill = match raw.fill_per_month {
        Some(f) => check
            .number_in(
                &at("fill_per_month"),
                f,
                0.0,
                1.0,
                "share of the open vacancies filled a month",
            )
            .map(Some),
        None => Some(None),
    };
    let agency_share = check.number_in(
        &at("agency_share"),
        raw.agency_share,
        0.0,
        1.0,
        "share of the vacant WTE covered by agency or locum staff",
    );
    let agency_premium = check.number_in(
        &at("agency_premium"),
        raw.agency_premium,
        0.0,
        10.0,
        "agency cost / substantive cost − 1, e.g. 0.5 for +50%",
    );
    let wte_per_bed = match (group, raw.wte_per_bed) {
        (StaffGroup::CommunityBeds, Some(w)) => check.number_in(
            &at("wte_per_bed"),
            w,
            0.01,
            20.0,
            "nursing WTE a staffed community bed needs",
        ),
        (StaffGroup::CommunityBeds, None) => {
            check.issue(
                at("wte_per_bed"),
                None,
                "is missing; community beds open only when their nurses are in post: give the nursing WTE a staffed bed needs, e.g. wte_per_bed = 1.6",
            );
            None
        }
        (_, Some(w)) => {
            check.issue(
                at("wte_per_bed"),
                Some(crate::scenario::check::show(w)),
                "is for [workforce.community_beds] only; remove it",
            );
            None
        }
        (_, None) => Some(0.0),
    };
    let mut vacancies = vec![vacancy; iccs.len()];
    for (icc, value) in raw.vacancy_rate_by_icc.iter().flatten() {
        let key = at(&format!("vacancy_rate_by_icc.{icc}"));
        match iccs.iter().position(|i| i == icc) {
            Some(i) => vacancies[i] = vacancy_range(check, key, *value),
            None => check.issue(
                key,
                None,
                format!(
                    "is not an ICC of this scenario{}; its ICCs are {}",
                    did_you_mean(icc, iccs.iter().map(String::as_str)),
                    crate::scenario::check::quoted_list(
                        &iccs.iter().map(String::as_str).collect::<Vec<_>>()
                    )
                ),
            ),
        }
    }
    let (Some(attrition), Some(lead), Some(fill), Some(agency_share), Some(agency_premium)) =
        (attrition, lead, fill, agency_share, agency_premium)
    else {
        return None;
    };
    let lead = lead as u32;
    let mut by_icc = Vec::with_capacity(iccs.len());
    for (i, vacancy) in vacancies.into_iter().enumerate() {
        let vacancy = vacancy?;
        let fill_per_month = match fill {
            Some(f) => f,
            None => match fill_for_equilibrium(vacancy, attrition, lead) {
                Ok(f) => f,
                Err(problem) => {
                    check.issue(
                        at("fill_per_month"),
                        None,
                        format!("{problem} (ICC {})", iccs[i]),
                    );
                    continue;
                }
            },
        };
        by_icc.push(GroupRates {
            vacancy_rate: vacancy,
            attrition_per_year: attrition,
            lead_months: lead,
            fill_per_month,
            agency_share,
            agency_premium,
        });
    }
    let wte_per_bed = wte_per_bed?;
    (by_icc.len() == iccs.len()).then_some(WorkforceGroup {
        by_icc,
        wte_per_bed,
    })
}

/// The staff of one group in one ICC during a month (WTE).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(in crate::scenario::system) struct StaffMonth {
    /// Posts funded: the establishment (in post + vacant).
    pub(in crate::scenario::system) funded: f64,
    pub(in crate::scenario::system) in_post: f64,
    pub(in crate::scenario::system) vacant: f64,
    /// Vacant WTE covered by agency or locum staff.
    pub(in crate::scenario::system) agency: f64,
}

impl StaffMonth {
    /// Staff working: in post and agency cover.
    pub(in crate::scenario::system) fn working(&self) -> f64 {
        self.in_post + self.agency
    }
}

/// The month-by-month staff of one group in one ICC, deterministic
/// expected values. `working` is the staff working at the start (the
/// scenario's WTE: what the baseline was calibrated with), in post and
/// agency cover of the vacancies together, so a file gains no capacity by
/// adding `[workforce]`: in post = working / (1 + agency share × vacancy /
/// (1 − vacancy)). The establishment is `in_post / (1 − vacancy)`, its
/// vacancies laid out as at equilibrium (each of the last `L` months'
/// leavers waiting out the lead time, the rest open to recruitment), so
/// that a group whose rates keep its vacancy steady stays exactly there.
/// `funded[k]` is the WTE of posts funded (negative: cut) at the k-th
/// monthly boundary of the window.
///
/// At each boundary k, in order: leavers (attrition / 12 × in post) open
/// vacancies; the posts funded at k open too (a cut takes vacancies first,
/// the newest first, then staff in post); vacancies opened at k − L or
/// before are open to recruitment, and `fill_per_month` of them are
/// filled, starting at k. Returns the state before the first boundary
/// (the warm-up) and during each month after it.
pub(in crate::scenario::system) fn trajectory(
    rates: &GroupRates,
    working: f64,
    funded: &[f64],
) -> (StaffMonth, Vec<StaffMonth>) {
    let lead = rates.lead_months as usize;
    let leaving = rates.attrition_per_year / 12.0;
    let vacant_per_in_post = rates.vacancy_rate / (1.0 - rates.vacancy_rate);
    let mut in_post = working.max(0.0) / (1.0 + rates.agency_share * vacant_per_in_post);
    let vacant = in_post * vacant_per_in_post;
    // Vacancies not yet open to recruitment (opened at boundary .0, WTE
    // .1), oldest first; and those open to it.
    let mut waiting: VecDeque<(i64, f64)> = VecDeque::new();
    let mut open = vacant;
    if lead > 0 {
        let per_month = (leaving * in_post).min(vacant / lead as f64);
        for j in (1..=lead as i64).rev() {
            waiting.push_back((-j, per_month));
        }
        open = vacant - per_month * lead as f64;
    }
    let month = |in_post: f64, waiting: &VecDeque<(i64, f64)>, open: f64| {
        let vacant = open + waiting.iter().map(|c| c.1).sum::<f64>();
        StaffMonth {
            funded: in_post + vacant,
            in_post,
            vacant,
            agency: rates.agency_share * vacant,
        }
    };
    let before = month(in_post, &waiting, open);
    let mut months = Vec::with_capacity(funded.len());
    for (k, &posts) in funded.iter().enumerate() {
        let k = k as i64;
        let leavers = leaving * in_post;
        in_post -= leavers;
        waiting.push_back((k, leavers + posts.max(0.0)));
        let mut cut = (-posts).max(0.0);
        for cohort in waiting.iter_mut().rev() {
            let taken = cohort.1.min(cut);
            cohort.1 -= taken;
            cut -= taken;
        }
        let taken = open.min(cut);
        open -= taken;
        cut -= taken;
        in_post = (in_post - cut).max(0.0);
        while waiting.front().is_some_and(|c| c.0 <= k - lead as i64) {
            open += waiting.pop_front().map_or(0.0, |c| c.1);
        }
        let hires = rates.fill_per_month * open;
        open -= hires;
        in_post += hires;
        months.push(month(in_post, &waiting, open));
    }
    (before, months)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rates(vacancy: f64, attrition: f64, lead: u32, fill: f64) -> GroupRates {
        GroupRates {
            vacancy_rate: vacancy,
            attrition_per_year: attrition,
            lead_months: lead,
            fill_per_month: fill,
            agency_share: 0.25,
            agency_premium: 0.5,
        }
    }

    /// A group started at the vacancy its rates keep steady stays there,
    /// month after month, whatever the lead time.
    #[test]
    fn a_group_at_its_equilibrium_stays_there() {
        for lead in [0, 1, 4, 9] {
            let (attrition, fill) = (0.12, 0.1);
            let vacancy = equilibrium_vacancy(attrition, lead, fill);
            let r = rates(vacancy, attrition, lead, fill);
            let (before, months) = trajectory(&r, 80.0, &[0.0; 120]);
            // The 80 WTE given are those working: in post and agency cover.
            assert!((before.in_post + before.agency - 80.0).abs() < 1e-12);
            assert!((before.vacant / before.funded - vacancy).abs() < 1e-12);
            for m in &months {
                assert!(
                    (m.in_post - before.in_post).abs() < 1e-9,
                    "lead {lead}: {m:?}"
                );
                assert!(
                    (m.vacant - before.vacant).abs() < 1e-9,
                    "lead {lead}: {m:?}"
                );
                assert!((m.agency - 0.25 * before.vacant).abs() < 1e-9);
            }
        }
    }

    /// The fill rate derived from a vacancy gives that vacancy back.
    #[test]
    fn the_derived_fill_rate_keeps_the_vacancy() {
        let fill = fill_for_equilibrium(0.2, 0.1, 6).unwrap();
        // 12 × 0.25 / 0.1 = 30 months waiting: 6 of lead, 24 = (1 − f)/f.
        assert!((fill - 1.0 / 25.0).abs() < 1e-12, "{fill}");
        assert!((equilibrium_vacancy(0.1, 6, fill) - 0.2).abs() < 1e-12);
        assert!(fill_for_equilibrium(0.01, 0.1, 6).is_err());
        assert!(fill_for_equilibrium(0.1, 0.0, 6).is_err());
    }

    /// 10 WTE funded at boundary 2 of a group with no leavers: none start
    /// before the lead time, then a share `f` of what is left each month.
    #[test]
    fn funded_posts_fill_as_the_closed_form_says() {
        let (lead, fill) = (3u32, 0.3);
        let r = rates(0.0, 0.0, lead, fill);
        let mut funded = vec![0.0; 24];
        funded[2] = 10.0;
        let (_, months) = trajectory(&r, 5.0, &funded);
        for (k, m) in months.iter().enumerate() {
            let expected = if k >= 2 + lead as usize {
                10.0 * (1.0 - (1.0 - fill).powi((k - 2 - lead as usize + 1) as i32))
            } else {
                0.0
            };
            assert!(
                (m.in_post - 5.0 - expected).abs() < 1e-9,
                "month {k}: {m:?}"
            );
            let funded_now = if k >= 2 { 15.0 } else { 5.0 };
            assert!((m.funded - funded_now).abs() < 1e-9, "month {k}: {m:?}");
        }
    }

    /// No lead time and every vacancy filled at once: money buys staff on
    /// the day, as without `[workforce]`.
    #[test]
    fn no_lead_and_full_fill_is_instant() {
        let r = rates(0.0, 0.0, 0, 1.0);
        let (_, months) = trajectory(&r, 5.0, &[0.0, 4.0, 0.0]);
        assert_eq!(months[0].in_post, 5.0);
        assert_eq!(months[1].in_post, 9.0);
        assert_eq!(months[2].vacant, 0.0);
    }

    /// A cut takes vacancies first, then staff in post.
    #[test]
    fn a_cut_takes_vacancies_first() {
        // Without agency cover the 8 WTE working are all in post.
        let r = GroupRates {
            agency_share: 0.0,
            ..rates(0.2, 0.0, 0, 0.0)
        };
        let (before, months) = trajectory(&r, 8.0, &[-1.0, -3.0]);
        assert!((before.vacant - 2.0).abs() < 1e-12);
        assert!((months[0].vacant - 1.0).abs() < 1e-12);
        assert!((months[0].in_post - 8.0).abs() < 1e-12);
        assert!((months[1].vacant).abs() < 1e-12);
        assert!((months[1].in_post - 6.0).abs() < 1e-12);
    }
}
