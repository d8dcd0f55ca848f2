//! Risk registers during a replication: the members of each tier, split
//! into four cells (on or off a case-management caseload, in or out of the
//! followed cohort), moved each calendar month by multinomial draws from
//! the register's stream; step-ups after an emergency admission; people
//! joining and leaving caseloads; and the arrivals per member of a tier.
//!
//! Arrivals per member are thinned like arrivals per occupant
//! (`arrivals.rs`): candidates at the rate per member × a bound on the
//! members' weight, kept with probability weight / bound at the arrival.
//! The bound is set from the members at each month (× 1.02, + 8) and
//! raised whenever the weight passes it (a step-up, someone leaving a
//! caseload with a multiplier above 1); each change redraws the type's
//! next candidate from that instant (exponential gaps have no memory),
//! and the candidate drawn before is ignored when it comes (`pending`).
//!
//! Month transitions are events at each midnight starting a calendar
//! month (none at time 0: the start is already stationary); the cohort is
//! marked at the start of each window year, after that instant's
//! transitions. Counts are kept for the window and by month of it
//! (`model::register::window_months`), for `registers.csv`.

use rand::RngExt;
use rand_distr::{Binomial, Distribution as _};

use super::episode::EpisodeObserver;
use super::error::SimulationError;
use super::event::{CAPACITY_EVENT, Event};
use super::ids::PatientSlot;
use super::state::{Simulation, in_window};
use crate::engine::{SimTime, Stream};
use crate::model::network::{MemberOf, MemberRate, PatientTypeId, ServiceId};
use crate::model::register::{RegisterSummary, RiskRegister, TierMonth, window_months};

/// Patient flags (`Patient::register_flags`): a crisis of a register's
/// member, ...
pub(super) const FROM_REGISTER: u8 = 1;
/// ... of the followed cohort, ...
pub(super) const MARKED: u8 = 2;
/// ... on a caseload (a referral: put on it when admitted), ...
pub(super) const ON_CASELOAD: u8 = 4;
/// ... whose emergency admission has been counted.
pub(super) const ADMISSION_COUNTED: u8 = 8;

/// The cells of a tier: off the caseload, off and marked, on, on and marked.
const CELLS: usize = 4;
const ON: usize = 2;
const MARK: usize = 1;

/// An arrival of a type per member of a tier, at its second stage.
pub(super) enum MemberDraw {
    /// Not a type per member.
    NotMember,
    /// A candidate the members' weight does not keep.
    Thinned,
    /// A crisis of a person on a caseload that the caseload's
    /// `crisis_multiplier` (below 1) prevented: it keeps its risk of death.
    PreventedByCaseload,
    /// A person of the tier, with the flags of the cell drawn.
    Person(u8),
}

/// A type whose arrivals come from a tier's members.
pub(super) struct TypeMembers {
    of: MemberOf,
    /// The bound on the members' weight the candidates are drawn at.
    bound: f64,
    /// The type's largest rate per member (the arrival bound without the
    /// members).
    base_max_rate: f64,
    /// When the type's current candidate arrives (an arrival event at
    /// another time was drawn under an older bound: ignored).
    pending: f64,
}

struct RegisterState {
    /// `cells[tier][cell]`, see [`CELLS`].
    cells: Vec<[u64; CELLS]>,
    /// Step-ups into each tier not yet set against the monthly inflow.
    step_debt: Vec<u64>,
    rng: Stream,
    /// Time up to which member-days are counted.
    counted_to: f64,
    summary: RegisterSummary,
}

/// An instant when registers change: a month's transitions, the marking
/// of a cohort (window year), or both.
struct Instant {
    at: f64,
    month: bool,
    mark_year: Option<usize>,
}

/// The registers of a replication.
pub(super) struct RegisterRun {
    registers: Vec<RegisterState>,
    /// Per patient type: its tier, bound and pending candidate.
    members: Vec<Option<TypeMembers>>,
    /// The types drawing on each register's tiers: `types_of[r][tier]`.
    types_of: Vec<Vec<Vec<usize>>>,
    /// Per service: whether admission there counts as an emergency
    /// admission (per register, they are the same services).
    is_admission: Vec<bool>,
    instants: Vec<Instant>,
    /// Times the window's months start, after the first
    /// (`RegisterSummary::by_month`).
    month_bounds: Vec<f64>,
}

impl RegisterRun {
    /// The bound of a type per member, if it is one.
    #[inline]
    pub(super) fn bound(&self, t: usize) -> Option<f64> {
        self.members[t].as_ref().map(|m| m.bound)
    }

    /// Notes when a type's next candidate comes (infinity: none).
    #[inline]
    pub(super) fn set_pending(&mut self, t: usize, at: f64) {
        if let Some(m) = &mut self.members[t] {
            m.pending = at;
        }
    }

    /// Whether an arrival event of type t at `now` was drawn under an
    /// older bound (and so is not an arrival).
    #[inline]
    pub(super) fn stale(&self, t: usize, now: f64) -> bool {
        self.members[t].as_ref().is_some_and(|m| m.pending != now)
    }

    pub(super) fn summaries(self) -> Vec<RegisterSummary> {
        self.registers.into_iter().map(|r| r.summary).collect()
    }

    /// The month of the window time t is in (as `year_of`: a month's first
    /// instant is in it).
    fn month_of(&self, t: f64) -> usize {
        self.month_bounds.iter().take_while(|b| **b <= t).count()
    }

    /// The weight of a type's members: the crises of those on a caseload
    /// scaled by the multiplier; referrals only from those off it.
    fn weight(&self, t: usize, registers: &[RiskRegister]) -> f64 {
        let Some(m) = &self.members[t] else {
            return 0.0;
        };
        let cells = &self.registers[m.of.register].cells[m.of.tier];
        let off = (cells[0] + cells[MARK]) as f64;
        let on = (cells[ON] + cells[ON + MARK]) as f64;
        match m.of.counting {
            MemberRate::Crisis => off + on * registers[m.of.register].caseload_crisis_multiplier,
            MemberRate::Referral => off,
            MemberRate::Everyone => off + on,
        }
    }
}

/// A bound a little above a weight: candidates beyond the members cost an
/// event each, and a weight passing the bound only renews it.
fn bound_above(weight: f64) -> f64 {
    (weight * 1.02).ceil() + 8.0
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// Builds the registers at their starting counts (stationary shares),
    /// sets the bounds of the types per member and schedules the first
    /// register instant. Nothing at all without registers.
    pub(super) fn start_registers(&mut self) -> Result<(), SimulationError> {
        let network = self.network;
        if network.risk_registers.is_empty() {
            return Ok(());
        }
        let years = self.ledger.years;
        let months = window_months(&network.run);
        let month_bounds: Vec<f64> = months
            .iter()
            .skip(1)
            .map(|m| self.window.midnight(m.first_day))
            .collect();
        let registers: Vec<RegisterState> = network
            .risk_registers
            .iter()
            .enumerate()
            .map(|(r, register)| {
                let n = register.tiers.len();
                RegisterState {
                    cells: register.people.iter().map(|p| [*p, 0, 0, 0]).collect(),
                    step_debt: vec![0; n],
                    rng: self.streams.stream(&format!("register/{r}")),
                    counted_to: self.window.start,
                    summary: RegisterSummary {
                        member_days: vec![0.0; n],
                        caseload_days: vec![0.0; n],
                        crises: vec![0; n],
                        caseload_crises: vec![0; n],
                        admissions: vec![0; n],
                        step_ups: vec![0; n],
                        cohort_marked: vec![0; years],
                        cohort_admissions: vec![0; years],
                        by_month: vec![vec![TierMonth::default(); n]; months.len()],
                        ..Default::default()
                    },
                }
            })
            .collect();
        let mut types_of: Vec<Vec<Vec<usize>>> = network
            .risk_registers
            .iter()
            .map(|r| vec![Vec::new(); r.tiers.len()])
            .collect();
        let members = network
            .patient_types
            .iter()
            .enumerate()
            .map(|(t, patient_type)| {
                let of = patient_type.per_member_of?;
                types_of[of.register][of.tier].push(t);
                Some(TypeMembers {
                    of,
                    bound: 0.0,
                    base_max_rate: self.max_rates[t],
                    pending: f64::INFINITY,
                })
            })
            .collect();
        let mut is_admission = vec![false; network.services.len()];
        for register in &network.risk_registers {
            for s in &register.admission_services {
                is_admission[s.index()] = true;
            }
        }
        // Month starts (midnights where the month changes) and window
        // year starts, merged in time order.
        let mut instants: Vec<Instant> = Vec::new();
        for day in self.days.first_day + 1..=self.days.first_day + self.days.month.len() as i64 {
            let at = self.window.midnight(day);
            if at > 0.0
                && at < self.window.end
                && self.days.month[self.days.slot(day)] != self.days.month[self.days.slot(day - 1)]
            {
                instants.push(Instant {
                    at,
                    month: true,
                    mark_year: None,
                });
            }
        }
        for (y, start) in self.ledger.year_starts.iter().enumerate() {
            let at = self.window.start + start;
            if at >= self.window.end {
                continue;
            }
            match instants.iter_mut().find(|i| i.at == at) {
                Some(instant) => instant.mark_year = Some(y),
                None => instants.push(Instant {
                    at,
                    month: false,
                    mark_year: Some(y),
                }),
            }
        }
        instants.sort_by(|a, b| a.at.total_cmp(&b.at));
        self.registers = Some(Box::new(RegisterRun {
            registers,
            members,
            types_of,
            is_admission,
            instants,
            month_bounds,
        }));
        for t in 0..network.patient_types.len() {
            self.set_bound(t);
        }
        self.schedule_register_step(0)
    }

    /// Sets type t's bound from its members now (nothing for other types).
    fn set_bound(&mut self, t: usize) {
        let registers = &self.network.risk_registers;
        let Some(run) = self.registers.as_deref_mut() else {
            return;
        };
        let weight = run.weight(t, registers);
        if let Some(m) = &mut run.members[t] {
            m.bound = bound_above(weight);
            self.max_rates[t] = m.base_max_rate * m.bound;
        }
    }

    /// After the members of (register, tier) changed at `now`: each type
    /// drawing on them gets a new bound when `tighten` (a month), or when
    /// their weight passed the old one, and its next candidate redrawn.
    fn review_bounds(
        &mut self,
        register: usize,
        tier: usize,
        now: f64,
        tighten: bool,
    ) -> Result<(), SimulationError> {
        let Some(run) = self.registers.as_deref() else {
            return Ok(());
        };
        let types = run.types_of[register][tier].clone();
        for t in types {
            let run = self.registers.as_deref().expect("registers");
            let weight = run.weight(t, &self.network.risk_registers);
            let bound = run.bound(t).unwrap_or(0.0);
            if weight <= bound && !tighten {
                continue;
            }
            let new_bound = bound_above(weight);
            if new_bound == bound {
                continue;
            }
            self.set_bound(t);
            self.schedule_next_arrival(PatientTypeId(t as u32), now)?;
        }
        Ok(())
    }

    fn schedule_register_step(&mut self, index: usize) -> Result<(), SimulationError> {
        let Some(run) = self.registers.as_deref() else {
            return Ok(());
        };
        let Some(instant) = run.instants.get(index) else {
            return Ok(());
        };
        let at = SimTime::new(instant.at).map_err(|e| SimulationError::Time {
            service: "risk registers".to_string(),
            source: e,
        })?;
        self.queue
            .schedule(at, CAPACITY_EVENT, Event::RegisterStep(index as u32))?;
        Ok(())
    }

    /// A register instant: every register's monthly transitions, then the
    /// cohort marked, then the next instant scheduled.
    pub(super) fn on_register_step(
        &mut self,
        now: f64,
        index: usize,
    ) -> Result<(), SimulationError> {
        let (month, mark_year) = match self.registers.as_deref().map(|r| &r.instants[index]) {
            Some(i) => (i.month, i.mark_year),
            None => return Ok(()),
        };
        let n_registers = self.network.risk_registers.len();
        for r in 0..n_registers {
            self.count_member_days(r, now);
            if month {
                self.transition(r, now);
            }
            if let Some(year) = mark_year {
                self.mark_cohort(r, year);
            }
            if month {
                for tier in 0..self.network.risk_registers[r].tiers.len() {
                    self.review_bounds(r, tier, now, true)?;
                }
            }
        }
        self.schedule_register_step(index + 1)
    }

    /// Adds the member-days of register r from its mark to `now` (the
    /// part in the window).
    fn count_member_days(&mut self, r: usize, now: f64) {
        let start = self.window.start;
        let Some(run) = self.registers.as_deref_mut() else {
            return;
        };
        let from = run.registers[r].counted_to.max(start);
        if now <= from {
            return;
        }
        let days = now - from;
        let first_month = run.month_of(from);
        let bounds = &run.month_bounds;
        let state = &mut run.registers[r];
        for (tier, cells) in state.cells.iter().enumerate() {
            let members: u64 = cells.iter().sum();
            state.summary.member_days[tier] += members as f64 * days;
            state.summary.caseload_days[tier] += (cells[ON] + cells[ON + MARK]) as f64 * days;
        }
        // The span by month: it lies within one unless nothing counted at
        // a month's start (every month instant counts first).
        let (mut at, mut month) = (from, first_month);
        loop {
            let end = bounds.get(month).map_or(now, |b| b.min(now));
            if let Some(by_tier) = state.summary.by_month.get_mut(month) {
                for (cells, cell) in state.cells.iter().zip(by_tier.iter_mut()) {
                    let members: u64 = cells.iter().sum();
                    cell.member_days += members as f64 * (end - at);
                    cell.caseload_days += (cells[ON] + cells[ON + MARK]) as f64 * (end - at);
                    cell.cohort_member_days += (cells[MARK] + cells[ON + MARK]) as f64 * (end - at);
                }
            }
            if end >= now {
                break;
            }
            (at, month) = (end, month + 1);
        }
        state.counted_to = now;
    }

    /// One month's moves of register r: each cell of each tier moves by a
    /// multinomial draw on the tier's row; the inflow from `rest` into a
    /// tier is less the step-ups made into it since.
    fn transition(&mut self, r: usize, now: f64) {
        let register = &self.network.risk_registers[r];
        let in_window = in_window(&self.window, now);
        let Some(run) = self.registers.as_deref_mut() else {
            return;
        };
        let state = &mut run.registers[r];
        let n = register.tiers.len();
        let rest = n - 1;
        let mut next = vec![[0u64; CELLS]; n];
        for from in 0..n {
            let row = &register.monthly[from];
            let counts = state.cells[from];
            for (cell, &count) in counts.iter().enumerate() {
                let mut left = count;
                let mut p_left = 1.0;
                let mut moves = vec![0u64; n];
                for to in 0..n {
                    if to == from || left == 0 {
                        continue;
                    }
                    let p = row[to];
                    if p <= 0.0 {
                        continue;
                    }
                    let k = binomial(&mut state.rng, left, (p / p_left).min(1.0));
                    moves[to] = k;
                    left -= k;
                    p_left -= p;
                }
                if from == rest {
                    for (to, moved) in moves.iter_mut().enumerate() {
                        let settled = (*moved).min(state.step_debt[to]);
                        state.step_debt[to] -= settled;
                        *moved -= settled;
                        left += settled;
                    }
                }
                next[from][cell] += left;
                for (to, moved) in moves.iter().enumerate() {
                    next[to][cell] += moved;
                }
            }
        }
        state.cells = next;
        if in_window {
            state.summary.month_days.push(now - self.window.start);
            state
                .summary
                .members_by_month
                .push(state.cells.iter().map(|c| c.iter().sum()).collect());
        }
    }

    /// Marks the members of the top tier as the cohort of window year
    /// `year` (the previous cohort unmarked).
    fn mark_cohort(&mut self, r: usize, year: usize) {
        let Some(run) = self.registers.as_deref_mut() else {
            return;
        };
        let state = &mut run.registers[r];
        for cells in &mut state.cells {
            for base in [0, ON] {
                cells[base] += cells[base + MARK];
                cells[base + MARK] = 0;
            }
        }
        let top = &mut state.cells[0];
        for base in [0, ON] {
            top[base + MARK] = top[base];
            top[base] = 0;
        }
        state.summary.cohort_marked[year] = top.iter().sum();
    }

    /// The second stage of an arrival of type t per member: kept with
    /// probability weight / bound (from the type's own stream), the person
    /// drawn among the tier's cells by their weight.
    pub(super) fn member_arrival(&mut self, t: usize, now: f64) -> MemberDraw {
        let (of, bound) = match self.registers.as_deref() {
            Some(run) => match &run.members[t] {
                Some(m) => (m.of, m.bound),
                None => return MemberDraw::NotMember,
            },
            None => return MemberDraw::NotMember,
        };
        let multiplier = self.network.risk_registers[of.register].caseload_crisis_multiplier;
        let u: f64 = self.arrival_streams[t].random();
        let mut position = u * bound;
        let run = self.registers.as_deref_mut().expect("registers");
        let month = run.month_of(now);
        let state = &mut run.registers[of.register];
        let cells = state.cells[of.tier];
        let weights = match of.counting {
            MemberRate::Crisis => [
                cells[0] as f64,
                cells[MARK] as f64,
                cells[ON] as f64 * multiplier,
                cells[ON + MARK] as f64 * multiplier,
            ],
            MemberRate::Referral => [cells[0] as f64, cells[MARK] as f64, 0.0, 0.0],
            MemberRate::Everyone => [
                cells[0] as f64,
                cells[MARK] as f64,
                cells[ON] as f64,
                cells[ON + MARK] as f64,
            ],
        };
        for (cell, w) in weights.iter().enumerate() {
            if position < *w {
                let mut flags = FROM_REGISTER;
                if cell & MARK != 0 {
                    flags |= MARKED;
                }
                if of.counting == MemberRate::Crisis && in_window(&self.window, now) {
                    let on = cell & ON != 0;
                    state.summary.crises[of.tier] += 1;
                    if on {
                        state.summary.caseload_crises[of.tier] += 1;
                    }
                    if let Some(by_tier) = state.summary.by_month.get_mut(month) {
                        by_tier[of.tier].crises += 1;
                        by_tier[of.tier].caseload_crises += u64::from(on);
                    }
                }
                return MemberDraw::Person(flags);
            }
            position -= w;
        }
        // Past the weights: within the caseload's lower rate, a crisis the
        // caseload prevented; beyond it, no member at all.
        let on = (cells[ON] + cells[ON + MARK]) as f64 * (1.0 - multiplier).max(0.0);
        if of.counting == MemberRate::Crisis && position < on {
            return MemberDraw::PreventedByCaseload;
        }
        MemberDraw::Thinned
    }

    /// The share of type t's first-stage bound its members' weight keeps
    /// now (None: not a type per member): what a candidate prevented
    /// before it arrived would have been kept with.
    pub(super) fn member_share(&self, t: usize) -> Option<f64> {
        let run = self.registers.as_deref()?;
        let m = run.members[t].as_ref()?;
        let multiplier = self.network.risk_registers[m.of.register].caseload_crisis_multiplier;
        let cells = run.registers[m.of.register].cells[m.of.tier];
        let off = (cells[0] + cells[MARK]) as f64;
        let on = (cells[ON] + cells[ON + MARK]) as f64;
        let weight = match m.of.counting {
            MemberRate::Crisis => off + on * multiplier,
            MemberRate::Referral => off,
            MemberRate::Everyone => off + on,
        };
        Some((weight / m.bound).min(1.0))
    }

    /// A patient starts a stay in service s: a crisis of a member admitted
    /// in an emergency is counted (and from `rest`, may step up); a
    /// referral admitted to case management puts a member on the caseload.
    pub(super) fn register_on_admit(
        &mut self,
        now: f64,
        pid: PatientSlot,
        s: ServiceId,
    ) -> Result<(), SimulationError> {
        let Some(run) = self.registers.as_deref() else {
            return Ok(());
        };
        let patient = &self.patients[pid.index()];
        let flags = patient.register_flags;
        let Some(of) = run.members[patient.patient_type.index()]
            .as_ref()
            .map(|m| m.of)
        else {
            return Ok(());
        };
        if flags & FROM_REGISTER == 0 {
            return Ok(());
        }
        match of.counting {
            MemberRate::Crisis => {
                if !run.is_admission[s.index()] || flags & ADMISSION_COUNTED != 0 {
                    return Ok(());
                }
                self.patients[pid.index()].register_flags |= ADMISSION_COUNTED;
                if in_window(&self.window, now) {
                    let year = self.year_of(now);
                    let run = self.registers.as_deref_mut().expect("registers");
                    let month = run.month_of(now);
                    let marked = flags & MARKED != 0;
                    let summary = &mut run.registers[of.register].summary;
                    summary.admissions[of.tier] += 1;
                    if marked {
                        summary.cohort_admissions[year] += 1;
                    }
                    if let Some(by_tier) = summary.by_month.get_mut(month) {
                        by_tier[of.tier].admissions += 1;
                        by_tier[of.tier].cohort_admissions += u64::from(marked);
                    }
                }
                self.step_up(now, pid, of)
            }
            // Deaths at home take no service.
            MemberRate::Everyone => Ok(()),
            MemberRate::Referral => {
                if flags & ON_CASELOAD != 0 {
                    return Ok(());
                }
                self.patients[pid.index()].register_flags |= ON_CASELOAD;
                let from = flags & MARKED != 0;
                self.count_member_days(of.register, now);
                let run = self.registers.as_deref_mut().expect("registers");
                let cells = &mut run.registers[of.register].cells[of.tier];
                // The referred person's cell, or (if the month has emptied
                // it) the other cell off the caseload.
                let cell = match (from, cells[MARK] > 0, cells[0] > 0) {
                    (true, true, _) | (false, true, false) => MARK,
                    (_, _, true) => 0,
                    _ => return Ok(()),
                };
                cells[cell] -= 1;
                cells[cell + ON] += 1;
                self.review_bounds(of.register, of.tier, now, false)
            }
        }
    }

    /// A person of `rest` admitted in an emergency joins a tier with the
    /// register's step-up probabilities (drawn from the patient's stream,
    /// and only where a step-up is possible, so that registers without
    /// them draw nothing).
    fn step_up(&mut self, now: f64, pid: PatientSlot, of: MemberOf) -> Result<(), SimulationError> {
        let register = &self.network.risk_registers[of.register];
        if of.tier != register.rest() || register.step_up_after_admission.iter().all(|p| *p <= 0.0)
        {
            return Ok(());
        }
        let u: f64 = self.patients[pid.index()].rng.random();
        let mut cumulative = 0.0;
        let Some(to) = register.step_up_after_admission.iter().position(|p| {
            cumulative += p;
            u < cumulative
        }) else {
            return Ok(());
        };
        let flags = self.patients[pid.index()].register_flags;
        self.count_member_days(of.register, now);
        let counted = in_window(&self.window, now);
        let run = self.registers.as_deref_mut().expect("registers");
        let month = run.month_of(now);
        let state = &mut run.registers[of.register];
        let own = if flags & MARKED != 0 { MARK } else { 0 };
        let rest = &mut state.cells[of.tier];
        let cell = if rest[own] > 0 {
            own
        } else {
            match (0..CELLS).max_by_key(|c| rest[*c]) {
                Some(c) if rest[c] > 0 => c,
                _ => return Ok(()),
            }
        };
        rest[cell] -= 1;
        state.cells[to][cell] += 1;
        state.step_debt[to] += 1;
        if counted {
            state.summary.step_ups[to] += 1;
            if let Some(by_tier) = state.summary.by_month.get_mut(month) {
                by_tier[to].step_ups += 1;
            }
        }
        self.review_bounds(of.register, to, now, false)
    }

    /// A patient leaves a place: a referral whose episode ends takes one
    /// member off the caseload, from a tier drawn by the caseload's
    /// members (they moved between tiers meanwhile).
    pub(super) fn register_on_leave(
        &mut self,
        now: f64,
        pid: PatientSlot,
    ) -> Result<(), SimulationError> {
        let Some(run) = self.registers.as_deref() else {
            return Ok(());
        };
        let patient = &self.patients[pid.index()];
        if patient.register_flags & ON_CASELOAD == 0 {
            return Ok(());
        }
        let Some(of) = run.members[patient.patient_type.index()]
            .as_ref()
            .map(|m| m.of)
        else {
            return Ok(());
        };
        self.patients[pid.index()].register_flags &= !ON_CASELOAD;
        self.count_member_days(of.register, now);
        let run = self.registers.as_deref_mut().expect("registers");
        let state = &mut run.registers[of.register];
        let on: u64 = state.cells.iter().map(|c| c[ON] + c[ON + MARK]).sum();
        if on == 0 {
            return Ok(());
        }
        let mut pick = (state.rng.random::<f64>() * on as f64) as u64;
        for tier in 0..state.cells.len() {
            for cell in [ON, ON + MARK] {
                let count = state.cells[tier][cell];
                if pick < count {
                    state.cells[tier][cell] -= 1;
                    state.cells[tier][cell - ON] += 1;
                    return self.review_bounds(of.register, tier, now, false);
                }
                pick -= count;
            }
        }
        Ok(())
    }
}

/// A binomial draw (n trials, probability p).
fn binomial(rng: &mut Stream, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    Binomial::new(n, p).map_or(0, |b| b.sample(rng))
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// The first-stage bound of type t's arrivals: its members' bound for
    /// a type per member, 1 otherwise.
    #[inline]
    pub(super) fn member_bound(&self, t: usize) -> f64 {
        self.registers
            .as_deref()
            .and_then(|r| r.bound(t))
            .unwrap_or(1.0)
    }
}

impl<'a, O: EpisodeObserver> Simulation<'a, O> {
    /// The registers' summaries, their member-days counted to `end`.
    pub(super) fn finish_registers(&mut self, end: f64) -> Vec<RegisterSummary> {
        for r in 0..self.network.risk_registers.len() {
            self.count_member_days(r, end);
        }
        self.registers
            .take()
            .map_or_else(Vec::new, |run| run.summaries())
    }
}
