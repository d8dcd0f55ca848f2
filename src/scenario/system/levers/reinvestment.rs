//! `reinvestment` levers: money moved from acute care, turned into places
//! at unit costs, with the beds it closes; the budget statement balances to
//! the penny.

use super::effect::{Fund, quoted};
use super::lever::Lever;
use super::plan::{CapacityLever, Plan, StaffLever};
use crate::engine::CalendarDate;
use crate::model::system::{BudgetLine, Role};
use crate::scenario::error::did_you_mean;

impl Lever<'_> {
    /// Money moved from acute care, turned into places at unit costs, with
    /// the beds it closes; the budget statement balances to the penny.
    pub(super) fn reinvestment(
        &mut self,
        plan: &mut Plan,
        ramp: Option<f64>,
        start: Option<CalendarDate>,
        from: Vec<Option<CalendarDate>>,
    ) {
        let raw = self.raw;
        let amount = match raw.amount_per_year {
            Some(a) => self
                .check
                .number_in(&self.at("amount_per_year"), a, 0.0, 1e10, "£ a year"),
            None => {
                self.check.issue(
                    self.at("amount_per_year"),
                    None,
                    "is missing; a reinvestment lever moves an amount of money a year (£, at the scenario's price year) from acute care, e.g. amount_per_year = 2_000_000",
                );
                None
            }
        };
        let mut shares: Vec<(Fund, f64)> = Vec::new();
        match &raw.fund {
            None => self.check.issue(
                self.at("fund"),
                None,
                format!(
                    "is missing; say what the money buys as shares adding up to 1, e.g. fund = {{ case_management = 0.5, rapid_response = 0.5 }}; the kinds are {}",
                    quoted(Fund::names())
                ),
            ),
            Some(fund) => {
                for (kind, share) in fund {
                    let at = self.at(&format!("fund.{kind}"));
                    let Some(bought) = Fund::from_name(kind) else {
                        self.check.issue(
                            at,
                            None,
                            format!(
                                "is not something money can buy here{}; use {}",
                                did_you_mean(kind, Fund::names()),
                                quoted(Fund::names())
                            ),
                        );
                        continue;
                    };
                    if let Some(share) = self.check.number_in(&at, *share, 0.0, 1.0, "share of the amount") {
                        shares.push((bought, share));
                    }
                }
                let total: f64 = shares.iter().map(|(_, s)| s).sum();
                if shares.len() == fund.len() && (total - 1.0).abs() > 1e-6 {
                    let shown = crate::scenario::check::shown_sum(total);
                    self.check.issue(
                        self.at("fund"),
                        Some(format!("{shown}")),
                        format!("the shares must add up to 1 (they add up to {shown}); adjust them"),
                    );
                }
            }
        }
        if shares
            .iter()
            .any(|(fund, s)| fund.team().is_some() && *s > 0.0)
            && self.context.cost_per_year.staff_wte.is_none()
        {
            self.check.issue(
                "costs.community_staff_wte_year",
                None,
                "is missing; a reinvestment that funds community teams needs the cost of one whole-time equivalent of community staff a year (£, salary with on-costs and overheads), e.g. community_staff_wte_year = 58_000",
            );
        }
        // Money buys at a price: a free unit would buy without limit.
        let primary_care_price = |fund: Fund| {
            let context = self.context.primary_care.as_ref();
            match fund {
                Fund::Gp => context.and_then(|c| c.gp_wte_year),
                _ => context.and_then(|c| c.other_clinical_wte_year),
            }
        };
        let buys_primary_care = shares
            .iter()
            .any(|(fund, s)| matches!(fund, Fund::Gp | Fund::OtherClinical) && *s > 0.0);
        if buys_primary_care && self.context.primary_care.is_none() {
            self.check.issue(
                self.at("fund"),
                None,
                "buys general practice staff (gp, other_clinical), which needs [primary_care], the ICCs' gp_wte or other_clinical_wte and [costs] gp_wte_year and other_clinical_wte_year; add them, or fund something else",
            );
        }
        let costs = &self.context.cost_per_year;
        for &(fund, share) in &shares {
            let (key, price) = match fund {
                Fund::Gp => ("gp_wte_year", primary_care_price(fund)),
                Fund::OtherClinical => ("other_clinical_wte_year", primary_care_price(fund)),
                Fund::RapidResponse | Fund::Reablement | Fund::CaseManagement => {
                    ("community_staff_wte_year", costs.staff_wte)
                }
                Fund::CommunityBeds => ("community_bed_day", Some(costs.community_bed)),
                Fund::Residential => ("residential_week", Some(costs.residential_place)),
                Fund::Nursing => ("nursing_week", Some(costs.nursing_place)),
                Fund::CommunityDayUnit => (
                    "community_day_unit_place_year",
                    Some(costs.community_day_unit_place),
                ),
            };
            if share > 0.0 && price.is_some_and(|p| p <= 0.0) {
                self.check.issue(
                    format!("costs.{key}"),
                    Some("0".into()),
                    format!(
                        "must be above 0 for levers.{}.fund.{} to buy anything at a price; give the unit cost",
                        self.name,
                        fund.name()
                    ),
                );
            }
        }
        // Places of a kind the scenario does not build would buy nothing,
        // and places in an ICC where no one is sent to a day unit would
        // stand empty: the ICC needs the unit (its day-unit keys) first.
        if shares
            .iter()
            .any(|(fund, s)| *fund == Fund::CommunityDayUnit && *s > 0.0)
        {
            let built = self
                .layout
                .services
                .iter()
                .any(|x| x.role == Role::CommunityDayUnit);
            let without: Vec<&str> = (0..self.context.iccs.len())
                .filter(|&i| from[i].is_some() && !self.context.has_community_day_unit[i])
                .map(|i| self.context.iccs[i].as_str())
                .collect();
            if !built {
                self.check.issue(
                    self.at("fund.community_day_unit"),
                    None,
                    "buys places of community day units, which this scenario does not have: add [community.day_unit] (its stay and routes) and give the ICCs a unit (day_unit_places, 0 for one the money opens)",
                );
            } else if !without.is_empty() {
                self.check.issue(
                    self.at("fund.community_day_unit"),
                    None,
                    format!(
                        "buys places in ICCs with no community day unit ({}), where no one would be sent; give each a unit in [iccs.NAME] (day_unit_places = 0 and its day_unit_opening, for one the money opens) or leave it out of the lever's iccs",
                        quoted(&without)
                    ),
                );
            }
        }
        let mut closures: Vec<(usize, u32)> = Vec::new();
        if let Some(close) = &raw.close_adult_beds {
            for (site, beds) in close {
                let at = self.at(&format!("close_adult_beds.{site}"));
                let Some(k) = self.context.sites.iter().position(|s| s == site) else {
                    self.check.issue(
                        at,
                        None,
                        format!(
                            "is not a site of this scenario{}; its sites are {}",
                            did_you_mean(site, self.context.sites.iter().map(String::as_str)),
                            quoted(&self.context.sites)
                        ),
                    );
                    continue;
                };
                if let Some(n) = self
                    .check
                    .whole_in(&at, *beds, 0.0, 1e6, "adult beds closed")
                {
                    closures.push((k, n as u32));
                }
            }
        }
        let (Some(amount), Some(ramp)) = (amount, ramp) else {
            return;
        };
        if !self.check.issues.is_empty() {
            return;
        }
        if buys_primary_care && self.reached_with_capacity(&from).is_none() {
            return;
        }
        let reached: Vec<usize> = (0..self.context.iccs.len())
            .filter(|&i| from[i].is_some())
            .collect();
        if reached.is_empty() {
            self.check
                .issue(&self.path, None, "reaches no ICC: check iccs");
            return;
        }
        let costs = &self.context.cost_per_year;
        let pence = |pounds: f64| (pounds * 100.0).round() as i64;
        let amount_pence = pence(amount);
        let lever = self.name.clone();
        plan.budget.push(BudgetLine {
            lever: lever.clone(),
            icc: None,
            item: "moved_from_acute".into(),
            units: 0.0,
            unit: "£".into(),
            pence_per_unit: 0,
            pence: amount_pence,
        });
        // The amount by kind, then by ICC in proportion to residents, in
        // whole pence (largest remainders), so the parts add up exactly.
        let kind_pence = apportion_pence(
            amount_pence,
            &shares.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
        );
        let residents: Vec<f64> = reached
            .iter()
            .map(|&i| self.context.population[i].iter().sum())
            .collect();
        for (&(fund, _), &pence_for_kind) in shares.iter().zip(&kind_pence) {
            let by_icc = apportion_pence(pence_for_kind, &residents);
            for (&i, &money) in reached.iter().zip(&by_icc) {
                let date = from[i].expect("reached ICCs have a date");
                let role = fund.role();
                let (unit_pounds, unit) = match fund {
                    Fund::RapidResponse | Fund::Reablement | Fund::CaseManagement => {
                        (costs.staff_wte.unwrap_or(0.0), "WTE")
                    }
                    Fund::Gp | Fund::OtherClinical => {
                        (primary_care_price(fund).unwrap_or(0.0), "WTE")
                    }
                    Fund::CommunityBeds => (costs.community_bed, "beds"),
                    Fund::Residential => (costs.residential_place, "places"),
                    Fund::Nursing => (costs.nursing_place, "places"),
                    Fund::CommunityDayUnit => (costs.community_day_unit_place, "places"),
                };
                let unit_pence = pence(unit_pounds).max(1);
                // Staff are bought in fractions of a WTE; beds and places
                // whole, the rest left unallocated.
                let (units, spent, places) = if matches!(fund, Fund::Gp | Fund::OtherClinical) {
                    // General practice staff: fractions of a WTE, whose
                    // appointments follow in `write_primary_care`.
                    let wte = money as f64 / unit_pence as f64;
                    plan.primary_care_staff
                        .entry(i)
                        .or_default()
                        .push(StaffLever {
                            steps: self.steps(date, ramp),
                            gp: if fund == Fund::Gp { wte } else { 0.0 },
                            other: if fund == Fund::OtherClinical {
                                wte
                            } else {
                                0.0
                            },
                        });
                    (wte, money, 0.0)
                } else if let Some(team) = fund.team() {
                    let wte = money as f64 / unit_pence as f64;
                    let base = self.context.team_wte[i][team];
                    let per = self.context.caseload_per_wte[team];
                    let places = ((base + wte) * per).floor() - (base * per).floor();
                    (wte, money, places)
                } else {
                    let whole = money / unit_pence;
                    (whole as f64, whole * unit_pence, whole as f64)
                };
                plan.budget.push(BudgetLine {
                    lever: lever.clone(),
                    icc: Some(i),
                    item: fund.name().into(),
                    units,
                    unit: unit.into(),
                    pence_per_unit: unit_pence,
                    pence: spent,
                });
                // Staff and staffed beds bought: with `[workforce]`, posts
                // to recruit rather than places on the day.
                let funded = match fund {
                    Fund::RapidResponse | Fund::Reablement | Fund::CaseManagement => Some(units),
                    Fund::CommunityBeds => Some(units),
                    _ => None,
                };
                if money > spent {
                    plan.budget.push(BudgetLine {
                        lever: lever.clone(),
                        icc: Some(i),
                        item: format!("{}_unallocated", fund.name()),
                        units: 0.0,
                        unit: "£".into(),
                        pence_per_unit: 0,
                        pence: money - spent,
                    });
                }
                if let Some(s) = self
                    .layout
                    .services
                    .iter()
                    .position(|x| x.role == role && x.icc == Some(i))
                    && (places > 0.0 || funded.is_some_and(|f| f > 0.0))
                {
                    plan.capacity.entry(s).or_default().push(CapacityLever {
                        steps: self.steps(date, ramp),
                        change: places,
                        multiplier: 1.0,
                        funded,
                    });
                }
            }
        }
        for (site, beds) in closures {
            let Some(date) = start else { continue };
            plan.budget.push(BudgetLine {
                lever: lever.clone(),
                icc: None,
                item: format!("adult_beds_closed_{}", self.context.sites[site]),
                units: f64::from(beds),
                unit: "beds".into(),
                pence_per_unit: pence(costs.acute_bed),
                pence: i64::from(beds) * pence(costs.acute_bed),
            });
            if beds == 0 {
                continue;
            }
            if let Some(s) = self
                .layout
                .services
                .iter()
                .position(|x| x.role == Role::AcuteBeds && x.site == Some(site))
            {
                plan.capacity.entry(s).or_default().push(CapacityLever {
                    steps: self.steps(date, ramp),
                    change: -f64::from(beds),
                    multiplier: 1.0,
                    funded: None,
                });
            }
        }
    }
}

/// Splits `total` pence in proportion to `weights`, by largest remainders,
/// so the parts add up to `total` exactly.
pub(super) fn apportion_pence(total: i64, weights: &[f64]) -> Vec<i64> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return vec![0; weights.len()];
    }
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if left <= 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}
