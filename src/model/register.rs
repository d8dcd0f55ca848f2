//! Risk registers: the people of one (ICC, age band) in each risk tier, as
//! an aggregate Markov population. Each month a tier's people move between
//! tiers by a transition matrix; a person of `rest` admitted in an
//! emergency may step up into a tier at once; case management takes
//! people of a tier onto a caseload, where their crises are scaled. The
//! crises (and case-management referrals) of a tier arrive per member of
//! it ([`PatientType::per_member_of`](super::PatientType::per_member_of)),
//! so that a cohort selected as high-risk regresses to the mean at the
//! rate the matrix implies (Roland et al., BMJ 2005;330:289).
//!
//! This module owns the description (built by the scenario compiler), the
//! per-replication summary and the months it is split into
//! ([`window_months`]); the simulation of the counts is in
//! `simulation/register.rs`.

use super::network::{RunSettings, ServiceId};
use crate::engine::CalendarDate;

/// Whose arrivals a type's rate is per member of: a tier of a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemberOf {
    /// Index in [`Network::risk_registers`](super::Network::risk_registers).
    pub register: usize,
    /// Index in the register's `tiers` (top first, `rest` last).
    pub tier: usize,
    /// Which members count, and how.
    pub counting: MemberRate,
}

/// Which members of a tier a type's arrivals come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberRate {
    /// Crises: every member, those on a caseload weighted by the
    /// register's `caseload_crisis_multiplier`.
    Crisis,
    /// Referrals to case management: the members not on a caseload. A
    /// referral admitted to its service puts one member of the tier on
    /// the caseload until the episode ends.
    Referral,
    /// Every member alike, on a caseload or not (deaths at home: being on
    /// a caseload is not evidence of living longer).
    Everyone,
}

/// The people of one (ICC, age band) with risk tiers, and how they move.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskRegister {
    /// `ICC/BAND`, for outputs.
    pub name: String,
    /// Tier names, top (highest crisis rate) first, `rest` last.
    pub tiers: Vec<String>,
    /// People in each tier at the start (the stationary shares × the
    /// band's reference population): the counts move, the total does not
    /// (growth is in the rate per member).
    pub people: Vec<u64>,
    /// Probability that a member of tier `from` is in tier `to` a month
    /// later: `monthly[from][to]`, each row adding up to 1.
    pub monthly: Vec<Vec<f64>>,
    /// Probability that a person of `rest` admitted in an emergency joins
    /// each tier at that moment (`rest`'s own entry 0). Step-ups take the
    /// place of the month's inflow from `rest` into the tier drawn at the
    /// next month (the balance fixes how many join; the admission says
    /// who and when), so the shares stay stationary.
    pub step_up_after_admission: Vec<f64>,
    /// × the crisis rate of a member while on a case-management caseload.
    pub caseload_crisis_multiplier: f64,
    /// Services where a crisis's admission counts as an emergency
    /// admission (the acute beds, other providers).
    pub admission_services: Vec<ServiceId>,
}

impl RiskRegister {
    /// Index of `rest`, the last tier.
    pub fn rest(&self) -> usize {
        self.tiers.len() - 1
    }

    /// Everyone in the register.
    pub fn total_people(&self) -> u64 {
        self.people.iter().sum()
    }

    /// Whether people ever move (a register with an identity matrix and
    /// no step-ups only carries case management).
    pub fn moves(&self) -> bool {
        self.monthly.iter().enumerate().any(|(i, row)| row[i] < 1.0)
            || self.step_up_after_admission.iter().any(|p| *p > 0.0)
    }
}

/// What one replication saw of a register, in the observation window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RegisterSummary {
    /// Window days at which a month's transitions were made.
    pub month_days: Vec<f64>,
    /// Members of each tier just after each month's transitions
    /// (`members_by_month[month][tier]`).
    pub members_by_month: Vec<Vec<u64>>,
    /// Member-days of each tier in the window.
    pub member_days: Vec<f64>,
    /// Member-days on a case-management caseload, by tier.
    pub caseload_days: Vec<f64>,
    /// Crises arriving from each tier's members in the window.
    pub crises: Vec<u64>,
    /// Crises of members on a caseload, by tier.
    pub caseload_crises: Vec<u64>,
    /// Emergency admissions of the crises of each tier's members (once per
    /// crisis; readmissions are new arrivals of no tier and not counted).
    pub admissions: Vec<u64>,
    /// Step-ups after an admission into each tier.
    pub step_ups: Vec<u64>,
    /// The followed cohort: members of the top tier marked at the start
    /// of each window year.
    pub cohort_marked: Vec<u64>,
    /// Emergency admissions of the marked cohort, by window year.
    pub cohort_admissions: Vec<u64>,
    /// The same counts by month of the window ([`window_months`]) and
    /// tier: `by_month[month][tier]`. Summed over the months they are the
    /// totals above (member-days up to rounding).
    pub by_month: Vec<Vec<TierMonth>>,
}

/// What one tier of a register saw in one month of the window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TierMonth {
    /// Member-days of the tier.
    pub member_days: f64,
    /// Member-days on a case-management caseload.
    pub caseload_days: f64,
    /// Member-days of the followed cohort's members in the tier.
    pub cohort_member_days: f64,
    /// Crises of the tier's members.
    pub crises: u64,
    /// Crises of the tier's members on a caseload.
    pub caseload_crises: u64,
    /// Emergency admissions of the tier's crises (once per crisis).
    pub admissions: u64,
    /// Step-ups after an admission into the tier.
    pub step_ups: u64,
    /// Emergency admissions of crises of the followed cohort's members
    /// while in the tier.
    pub cohort_admissions: u64,
}

/// A month of the observation window: a calendar month, cut where a
/// window year starts (a run starting on the 15th has a year start in
/// mid-month), so that each lies in one window year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowMonth {
    /// The window day it starts (0 for the first).
    pub first_day: i64,
    /// Its days in the window (the last may be cut by the horizon).
    pub days: f64,
    /// Its window year, from 0 (whole years since `run.start_date`).
    pub year: usize,
    /// The date it starts.
    pub start: CalendarDate,
}

/// The months of a run's window, in order: the periods the registers'
/// counts are kept by (and `registers.csv`'s rows).
pub fn window_months(run: &RunSettings) -> Vec<WindowMonth> {
    let mut months: Vec<WindowMonth> = Vec::new();
    for day in 0..run.window_days() as i64 {
        let date = run.start_date.add_days(day);
        let year = date.years_since(run.start_date).max(0) as usize;
        let new = months
            .last()
            .is_none_or(|m| m.start.month() != date.month() || m.year != year);
        if new {
            months.push(WindowMonth {
                first_day: day,
                days: 0.0,
                year,
                start: date,
            });
        }
    }
    let ends: Vec<f64> = months
        .iter()
        .skip(1)
        .map(|m| m.first_day as f64)
        .chain(std::iter::once(run.horizon_days))
        .collect();
    for (month, end) in months.iter_mut().zip(ends) {
        month.days = end - month.first_day as f64;
    }
    months
}
