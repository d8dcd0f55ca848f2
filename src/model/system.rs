//! The whole-system layer: who each patient type is (ICC, age band, risk
//! tier, kind of demand), what each service is (its role, site or ICC and
//! unit costs), and the outputs planners read split by ICC, age band and
//! year: crises, rapid-response episodes and admissions avoided, ED and
//! day-unit attendances, admissions, readmissions, length of stay, bed days,
//! delayed days, community episodes, care-home admissions, deaths and costs
//! by sector.
//!
//! The scenario's `[population]`, `[iccs]` ... sections compile into a
//! plain `Network` plus this layout, which the network carries; the engine
//! knows nothing of it. This file is a description only and must not
//! depend on `network.rs` (the network depends on it): the outputs are
//! computed after a replication, from its ledger and daily series, by
//! `breakdown.rs`, so they cost nothing while it runs.

/// The age bands of a scenario that names none (`[population] age_bands`
/// absent), youngest first.
pub const DEFAULT_AGE_BANDS: [&str; 5] = ["0-17", "18-64", "65-74", "75-84", "85+"];

/// The first age of adulthood: a band whose oldest age is below it holds
/// children (children's beds, no adult community services).
pub const ADULT_AGE: u32 = 18;

/// The age bands of a scenario, youngest first: "A-B" (ages A to B, both
/// included) or, last, "A+" (A and over); contiguous from 0. What the model
/// treats differently by age comes from the bounds, never from a band's
/// position or name: children are the bands whose oldest age is below
/// [`ADULT_AGE`]; care-home residents and people already receiving home
/// care at the start are counted in the oldest band.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgeBands {
    names: Vec<String>,
    /// The youngest age of each band (the first is 0).
    lower: Vec<u32>,
}

impl Default for AgeBands {
    fn default() -> AgeBands {
        let names: Vec<String> = DEFAULT_AGE_BANDS.iter().map(|b| b.to_string()).collect();
        AgeBands::parse(&names).expect("the default age bands are valid")
    }
}

impl AgeBands {
    /// The bands named, or the problem with them: (index of the name at
    /// fault, None for the list as a whole; what is wrong and the rule).
    pub fn parse(names: &[String]) -> Result<AgeBands, (Option<usize>, String)> {
        const RULE: &str = "bands are \"A-B\" (ages A to B) or, last, \"A+\", contiguous from 0, e.g. [\"0-15\", \"16-64\", \"65-79\", \"80+\"]";
        if names.len() < 2 {
            return Err((None, format!("needs at least 2 bands; {RULE}")));
        }
        let mut lower = Vec::with_capacity(names.len());
        let mut next = 0u32;
        for (i, name) in names.iter().enumerate() {
            let last = i + 1 == names.len();
            let number = |s: &str| -> Option<u32> {
                (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            };
            let (from, to) = if let Some(from) = name.strip_suffix('+') {
                match number(from) {
                    Some(from) if last => (from, None),
                    Some(_) => {
                        return Err((
                            Some(i),
                            format!(
                                "is open-ended but not the last band; only the oldest band is \"A+\"; {RULE}"
                            ),
                        ));
                    }
                    None => return Err((Some(i), format!("is not a band; {RULE}"))),
                }
            } else {
                match name.split_once('-').map(|(a, b)| (number(a), number(b))) {
                    Some((Some(a), Some(b))) => (a, Some(b)),
                    _ => return Err((Some(i), format!("is not a band; {RULE}"))),
                }
            };
            if from != next {
                let what = if from > next { "a gap" } else { "an overlap" };
                let expected = if i == 0 {
                    "the first band starts at 0".to_string()
                } else {
                    format!("after \"{}\" the next band starts at {next}", names[i - 1])
                };
                return Err((Some(i), format!("leaves {what}: {expected}; {RULE}")));
            }
            match to {
                Some(to) if to < from => {
                    return Err((Some(i), format!("ends before it starts; {RULE}")));
                }
                Some(_) if last => {
                    return Err((
                        Some(i),
                        format!(
                            "is the oldest band, which must be open-ended (\"{from}+\"); {RULE}"
                        ),
                    ));
                }
                Some(to) => match to.checked_add(1) {
                    Some(after) => next = after,
                    None => return Err((Some(i), format!("is not a band; {RULE}"))),
                },
                None => {}
            }
            lower.push(from);
        }
        Ok(AgeBands {
            names: names.to_vec(),
            lower,
        })
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The bands' names, youngest first.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn name(&self, band: usize) -> &str {
        &self.names[band]
    }

    /// The position of the band of this name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|b| b == name)
    }

    /// The oldest (last, open-ended) band.
    pub fn oldest(&self) -> usize {
        self.names.len() - 1
    }

    /// Whether everyone in the band is a child (its oldest age is below
    /// [`ADULT_AGE`]).
    pub fn is_children(&self, band: usize) -> bool {
        self.lower
            .get(band + 1)
            .is_some_and(|next| *next <= ADULT_AGE)
    }

    /// The names quoted and listed, for messages.
    pub fn listed(&self) -> String {
        self.names
            .iter()
            .map(|b| format!("\"{b}\""))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a patient type's arrivals are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemandKind {
    /// Urgent need of people living at home.
    Crisis,
    /// Planned (ordinary elective) admission.
    Elective,
    /// Urgent need of care-home residents (arrivals per resident).
    CareHomeCrisis,
    /// A permanent care-home placement arranged from the community.
    CareHomePlacement,
    /// A referral to proactive case management.
    CaseManagementReferral,
    /// Residents already in a care home when the run starts.
    CareHomeCensus,
    /// A long-term home-care package started from home (not after a stay).
    HomeCareReferral,
    /// People already receiving a home-care package when the run starts.
    HomeCareCensus,
    /// Deaths at home of the population not preceded by a modelled crisis
    /// (arrivals go straight to the death sink).
    DeathAtHome,
}

impl DemandKind {
    /// Unplanned demand: its admissions are emergency admissions.
    pub fn is_emergency(self) -> bool {
        matches!(self, DemandKind::Crisis | DemandKind::CareHomeCrisis)
    }
}

/// Who a patient type is.
#[derive(Clone, Debug)]
pub struct Cohort {
    /// Index into [`SystemLayout::iccs`].
    pub icc: usize,
    /// Index into the layout's `age_bands`.
    pub age_band: usize,
    /// Risk tier name (`rest` when the band is not stratified).
    pub tier: String,
    pub kind: DemandKind,
    /// What would have happened in ED: turns a rapid-response episode
    /// ending at home into an expected admission avoided.
    pub if_ed: AdmissionIfEd,
    /// The class of a crisis at home when the file has `[avoidable]`
    /// (None for every other type, and for crises without the section).
    pub class: Option<CrisisClass>,
}

/// What a crisis at home would need, drawn at arrival (a patient type of
/// its own): whether an alternative to admission can keep it at home.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CrisisClass {
    /// Would go home from ED.
    NotAdmitted,
    /// An ambulatory-care-sensitive or short-stay admission that an
    /// alternative (rapid response, general practice, a day unit) can avoid.
    Avoidable,
    /// Needs admission whatever happens.
    Necessary,
}

impl CrisisClass {
    pub const ALL: [CrisisClass; 3] = [
        CrisisClass::NotAdmitted,
        CrisisClass::Avoidable,
        CrisisClass::Necessary,
    ];
    /// The label in type names and lever keys.
    pub fn label(self) -> &'static str {
        match self {
            CrisisClass::NotAdmitted => "not_admitted",
            CrisisClass::Avoidable => "avoidable",
            CrisisClass::Necessary => "necessary",
        }
    }
    pub fn from_label(label: &str) -> Option<CrisisClass> {
        CrisisClass::ALL.into_iter().find(|c| c.label() == label)
    }
}

/// The chance that a person sent to ED is admitted, from the pathway
/// shares and the day unit's diversions in the replication.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AdmissionIfEd {
    pub ed_admission: f64,
    pub ed_to_day_unit: f64,
    pub day_unit_admission: f64,
    /// The day unit ED refers to (index into the network's services).
    pub day_unit: Option<usize>,
}

impl AdmissionIfEd {
    /// P(admitted | ED), given the share of day-unit referrals diverted
    /// (closed, full or out of slots: admitted instead).
    pub fn probability(&self, day_unit_diverted: f64) -> f64 {
        self.ed_admission
            + self.ed_to_day_unit
                * (day_unit_diverted + (1.0 - day_unit_diverted) * self.day_unit_admission)
    }
}

/// What a service is in the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    EmergencyDepartment,
    DayUnit,
    /// Adult general and acute beds of the modelled trust.
    AcuteBeds,
    PaediatricBeds,
    /// Admissions of residents to hospitals outside the modelled trust.
    OtherProvider,
    RapidResponse,
    Reablement,
    CaseManagement,
    CommunityBeds,
    ResidentialCare,
    NursingCare,
    /// Long-term domiciliary care packages (social care) of an ICC.
    HomeCare,
    /// A day unit at a community hospital or ICC hub: same-day
    /// assessment and treatment for people sent by their GP or ICC team.
    CommunityDayUnit,
    /// General practice of an ICC: same-day appointments for urgent needs
    /// (places unlimited, a daily limit of appointments by weekday).
    PrimaryCare,
    /// An urgent treatment centre at a site without an ED: its
    /// catchment's crises attend it first; those it does not send home go
    /// on to another site's ED.
    UrgentTreatmentCentre,
}

impl Role {
    /// The name of the kind of service, as in outputs (`acute_beds`).
    pub fn name(self) -> &'static str {
        match self {
            Role::EmergencyDepartment => "ed",
            Role::DayUnit => "day_unit",
            Role::AcuteBeds => "acute_beds",
            Role::PaediatricBeds => "paediatric_beds",
            Role::OtherProvider => "other_provider",
            Role::RapidResponse => "rapid_response",
            Role::Reablement => "reablement",
            Role::CaseManagement => "case_management",
            Role::CommunityBeds => "community_beds",
            Role::ResidentialCare => "residential_care",
            Role::NursingCare => "nursing_care",
            Role::HomeCare => "home_care",
            Role::CommunityDayUnit => "community_day_unit",
            Role::PrimaryCare => "primary_care",
            Role::UrgentTreatmentCentre => "urgent_treatment_centre",
        }
    }

    /// Where its services are: one per site, one per ICC, or one for the
    /// whole system.
    pub fn owner(self) -> Owner {
        match self {
            Role::EmergencyDepartment
            | Role::DayUnit
            | Role::AcuteBeds
            | Role::PaediatricBeds
            | Role::UrgentTreatmentCentre => Owner::Site,
            Role::OtherProvider => Owner::System,
            Role::RapidResponse
            | Role::Reablement
            | Role::CaseManagement
            | Role::CommunityBeds
            | Role::ResidentialCare
            | Role::NursingCare
            | Role::HomeCare
            | Role::PrimaryCare
            | Role::CommunityDayUnit => Owner::Icc,
        }
    }

    /// What its admissions and place-days add to in the breakdown by ICC,
    /// age band and year.
    pub fn counts_as(self) -> CountedAs {
        match self {
            Role::EmergencyDepartment => CountedAs::EdAttendances,
            Role::DayUnit => CountedAs::DayUnitAttendances,
            Role::RapidResponse => CountedAs::RapidResponseEpisodes,
            Role::AcuteBeds | Role::PaediatricBeds | Role::OtherProvider => {
                CountedAs::HospitalAdmissions
            }
            Role::Reablement => CountedAs::ReablementEpisodes,
            Role::CaseManagement => CountedAs::CaseManagementEpisodes,
            Role::CommunityBeds => CountedAs::CommunityBedAdmissions,
            Role::ResidentialCare | Role::NursingCare => CountedAs::CareHomeStays,
            // Its metrics (packages started, package-days, utilisation)
            // are read by role; its costs count as social care.
            Role::HomeCare => CountedAs::Nothing,
            // Its attendances and closures are read by role.
            Role::CommunityDayUnit => CountedAs::Nothing,
            // Its metrics (same-day appointments, none left, managed) are
            // read by role; its staff are paid by the day (`money.rs`).
            Role::PrimaryCare => CountedAs::Nothing,
            // Its attendances are read by role (flows and costs by service).
            Role::UrgentTreatmentCentre => CountedAs::Nothing,
        }
    }

    pub fn is_hospital_bed(self) -> bool {
        matches!(
            self,
            Role::AcuteBeds | Role::PaediatricBeds | Role::OtherProvider
        )
    }
    pub fn is_care_home(self) -> bool {
        matches!(self, Role::ResidentialCare | Role::NursingCare)
    }
}

/// Where the services of a [`Role`] are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// One per acute site.
    Site,
    /// One per Integrated Care Community.
    Icc,
    /// One for the whole system.
    System,
}

/// The outputs a [`Role`]'s services add to (see `breakdown.rs`); a new
/// kind of service joins one of these, or `Nothing` until it has metrics
/// of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountedAs {
    EdAttendances,
    DayUnitAttendances,
    /// Episodes, those ending at home, and the admissions they avoided.
    RapidResponseEpisodes,
    /// Emergency and elective admissions and deaths in hospital (and, for
    /// the trust's adult beds, bed days, delays and length of stay).
    HospitalAdmissions,
    ReablementEpisodes,
    CaseManagementEpisodes,
    CommunityBedAdmissions,
    /// Care-home days, residents' deaths and admissions by route.
    CareHomeStays,
    /// Nothing of the breakdown (its costs still count, by sector).
    Nothing,
}

/// Who pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sector {
    Acute,
    Community,
    PrimaryCare,
    SocialCare,
}

impl Sector {
    pub const ALL: [Sector; 4] = [
        Sector::Acute,
        Sector::Community,
        Sector::PrimaryCare,
        Sector::SocialCare,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Sector::Acute => "acute",
            Sector::Community => "community",
            Sector::PrimaryCare => "primary_care",
            Sector::SocialCare => "social_care",
        }
    }
}

/// Unit costs of one service, £ at the layout's price year.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitCosts {
    pub sector: Sector,
    /// Per admission (attendance, episode, case). When `per_short_stay` is
    /// given, admissions are priced when they end, by their length.
    pub per_admission: f64,
    /// Per stay of at most [`super::results::SHORT_STAY_DAYS`].
    pub per_short_stay: Option<f64>,
    /// Per admission of an elective patient, instead of `per_admission`.
    pub per_elective_admission: Option<f64>,
    /// Per place-day held (bed day, caseload day, care-home day).
    pub per_place_day: f64,
    /// Per place-day held by a patient ready to leave, on top.
    pub per_delayed_day: f64,
    /// Per place paid for a day, used or not (community teams and beds,
    /// which are paid for as staff and beds, not by the contact): when
    /// above 0 the service's cost is its places × this, and the prices
    /// above go to `cost_community_activity` only. Places added or
    /// removed by levers are `cost_bought` or `cash_released` at it.
    pub per_place_day_paid: f64,
    /// Per place closed for a day by a lever (adult acute beds: the
    /// standard bed-day), as `cash_released`.
    pub per_place_day_closed: f64,
    /// Per escalation place open for a day (staffed, used or not), the
    /// staffing premium included: the day's escalation cost.
    pub per_escalation_place_day: f64,
}

impl UnitCosts {
    pub fn none(sector: Sector) -> UnitCosts {
        UnitCosts {
            sector,
            per_admission: 0.0,
            per_short_stay: None,
            per_elective_admission: None,
            per_place_day: 0.0,
            per_delayed_day: 0.0,
            per_place_day_paid: 0.0,
            per_place_day_closed: 0.0,
            per_escalation_place_day: 0.0,
        }
    }
}

/// What a service is, where, and what it costs.
#[derive(Clone, Debug)]
pub struct ServiceInfo {
    pub role: Role,
    /// The acute site it belongs to, if any (index into `sites`).
    pub site: Option<usize>,
    /// The ICC it belongs to, if any.
    pub icc: Option<usize>,
    pub costs: UnitCosts,
}

/// The whole-system description beside a network.
#[derive(Clone, Debug)]
pub struct SystemLayout {
    pub iccs: Vec<String>,
    pub sites: Vec<String>,
    /// Per patient type.
    pub cohorts: Vec<Cohort>,
    /// Per service.
    pub services: Vec<ServiceInfo>,
    pub home_sink: usize,
    pub death_sink: usize,
    /// The age bands every per-band value and output is indexed by.
    pub age_bands: AgeBands,
    /// Residents per ICC and age band at the start date.
    pub population: Vec<Vec<f64>>,
    /// Yearly growth per ICC and band, compounding at each anniversary.
    pub growth_per_year: Vec<Vec<f64>>,
    /// GP-practice appointments per person per year, by band.
    pub gp_appointments_per_person: Vec<f64>,
    pub gp_appointment_cost: f64,
    /// Price base of every cost, e.g. "2023/24".
    pub price_year: String,
    /// Observed figures the scenario should reproduce.
    pub targets: Vec<CalibrationTarget>,
    /// The reinvestment levers' budget statement, at full effect.
    pub budget: Vec<BudgetLine>,
    /// The date the last lever reaches full effect (None without levers).
    pub full_effect_from: Option<crate::engine::CalendarDate>,
    /// What levers name as a running cost of their own (enhanced health in
    /// care homes, risk stratification ...), as it comes in.
    pub lever_costs: Vec<LeverCost>,
    /// Staff paid by the day whatever they do (general practice with
    /// `[primary_care]`), per ICC; empty when none is modelled.
    pub staff_costs: Vec<StaffCost>,
    /// Staff of each group and ICC month by month, with `[workforce]`:
    /// posts funded, in post, vacant and agency cover (empty without it).
    pub workforce: Vec<StaffTrack>,
}

/// The staff of one kind of service (a team, the community beds, general
/// practice's GPs or other clinical staff) in one ICC, month by month,
/// from `[workforce]`: capacity follows the staff working (in post and
/// agency), and they are paid as in post and agency at a premium.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffTrack {
    pub icc: usize,
    /// The staff group (`gp`, `other_clinical`, `community_teams`,
    /// `community_beds`).
    pub group: String,
    pub sector: Sector,
    /// £ a year of one WTE in post, at the layout's price year.
    pub wte_year: f64,
    /// Agency cost / substantive cost − 1.
    pub agency_premium: f64,
    /// Whether the premium is paid here, on top of the service's places
    /// (community teams and beds, priced by their places); general
    /// practice's premium is in its `StaffCost` already.
    pub premium_on_top: bool,
    /// The staff before the first monthly step (the warm-up).
    pub before: StaffLevel,
    /// (window day, the staff from then on), in day order.
    pub months: Vec<(f64, StaffLevel)>,
}

/// Staff of a group at one time, WTE.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct StaffLevel {
    /// Posts funded: the establishment (in post + vacant).
    pub funded: f64,
    pub in_post: f64,
    pub vacant: f64,
    /// Vacant WTE covered by agency or locum staff.
    pub agency: f64,
}

impl StaffTrack {
    /// The staff's WTE-days over [from, to) (each field × days), exactly,
    /// the monthly steps applied.
    pub fn wte_days(&self, from: f64, to: f64) -> StaffLevel {
        let mut edges = vec![from];
        edges.extend(
            self.months
                .iter()
                .map(|m| m.0)
                .filter(|d| *d > from && *d < to),
        );
        edges.push(to);
        let mut sum = StaffLevel::default();
        for pair in edges.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b <= a {
                continue;
            }
            let level = self
                .months
                .iter()
                .rev()
                .find(|m| m.0 <= a)
                .map_or(self.before, |m| m.1);
            let days = b - a;
            sum.funded += level.funded * days;
            sum.in_post += level.in_post * days;
            sum.vacant += level.vacant * days;
            sum.agency += level.agency * days;
        }
        sum
    }

    /// £ over [from, to) of the staff in post and of the agency cover (at
    /// the premium): (in post, agency).
    pub fn cost_between(&self, from: f64, to: f64) -> (f64, f64) {
        let days = self.wte_days(from, to);
        let per_day = self.wte_year / 365.25;
        (
            days.in_post * per_day,
            days.agency * per_day * (1.0 + self.agency_premium),
        )
    }
}

/// The staff of one ICC's service paid by the day, used or not (general
/// practice's GPs and other clinical staff): £ a year at the layout's
/// price year, the staff in post from the start and what levers add or
/// take away from dated steps on.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffCost {
    pub icc: usize,
    pub sector: Sector,
    /// £ a year of the staff in post at the start.
    pub base_per_year: f64,
    /// (window day, £ a year from then on), sorted by day: the staff in
    /// post as levers fund more (or fewer).
    pub changes: Vec<(f64, f64)>,
}

/// A lever's own running cost in one ICC (or the whole system): £ a year
/// at full effect, at the layout's price year, times the share of the
/// full effect in force each day (`cost_bought`).
#[derive(Clone, Debug, PartialEq)]
pub struct LeverCost {
    pub lever: String,
    /// None: the whole system (shared among ICCs by residents).
    pub icc: Option<usize>,
    pub per_year: f64,
    /// From window day `.0`, the share `.1` of `per_year` is paid.
    pub steps: Vec<(f64, f64)>,
    pub source: String,
}

/// A line of a reinvestment's budget statement: money a year at the
/// scenario's price year, in whole pence so that the lines balance exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct BudgetLine {
    pub lever: String,
    /// The ICC the money goes to; None for the amount moved and the beds closed.
    pub icc: Option<usize>,
    /// `moved_from_acute`, a kind of service bought, `<kind>_unallocated`
    /// (left over from buying whole beds or places), or
    /// `adult_beds_closed_<site>`.
    pub item: String,
    /// WTE, beds or places bought or closed (0 for money alone).
    pub units: f64,
    pub unit: String,
    /// £ a year of one unit, in pence.
    pub pence_per_unit: i64,
    /// £ a year, in pence.
    pub pence: i64,
}

/// An observed figure and the band a simulated mean must fall in.
#[derive(Clone, Debug)]
pub struct CalibrationTarget {
    /// What it is, in words.
    pub name: String,
    /// A breakdown or site metric name.
    pub metric: String,
    /// Bands summed over (counts), or one band; empty means all ages.
    pub age_bands: Vec<usize>,
    /// A count over the window divided by its length in years.
    pub per_year: bool,
    /// The window year compared (1 = the first); None for the whole window.
    pub year: Option<usize>,
    pub observed: f64,
    pub low: f64,
    pub high: f64,
    pub source: String,
    /// Fitted by `calibrate --fit` (true) or held out, only reported.
    pub fit: bool,
}

impl SystemLayout {
    /// Residents of an ICC's band in window year `year` (growth compounds
    /// at each anniversary, as arrivals do).
    pub fn population_in_year(&self, icc: usize, band: usize, year: usize) -> f64 {
        self.population[icc][band] * (1.0 + self.growth_per_year[icc][band]).powi(year as i32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bands(names: &[&str]) -> Result<AgeBands, (Option<usize>, String)> {
        AgeBands::parse(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn children_and_the_oldest_band_come_from_the_bounds() {
        let default = AgeBands::default();
        assert_eq!(default.names(), DEFAULT_AGE_BANDS);
        assert!(default.is_children(0) && !default.is_children(1));
        assert_eq!(default.oldest(), 4);
        let four = bands(&["0-15", "16-64", "65-79", "80+"]).unwrap();
        assert_eq!(
            (0..4).map(|b| four.is_children(b)).collect::<Vec<_>>(),
            [true, false, false, false]
        );
        assert_eq!(four.position("80+"), Some(3));
        // Two bands of children; a first band reaching 18 holds none.
        let split = bands(&["0-4", "5-17", "18+"]).unwrap();
        assert!(split.is_children(0) && split.is_children(1) && !split.is_children(2));
        let no_children = bands(&["0-19", "20+"]).unwrap();
        assert!(!no_children.is_children(0));
        // The oldest band is never children, even when it starts young.
        assert!(!bands(&["0-9", "10+"]).unwrap().is_children(1));
    }

    #[test]
    fn bands_must_be_contiguous_from_0_and_end_open() {
        let problem = |names: &[&str]| bands(names).unwrap_err();
        assert_eq!(problem(&["0+"]).0, None);
        assert!(problem(&["0+"]).1.starts_with("needs at least 2 bands"));
        assert_eq!(problem(&["0-17", "19+"]).0, Some(1));
        assert!(
            problem(&["0-17", "19+"])
                .1
                .starts_with("leaves a gap: after \"0-17\" the next band starts at 18")
        );
        assert!(problem(&["0-17", "17+"]).1.starts_with("leaves an overlap"));
        assert!(
            problem(&["1-17", "18+"])
                .1
                .starts_with("leaves a gap: the first band starts at 0")
        );
        assert!(
            problem(&["0-17", "18-99"])
                .1
                .starts_with("is the oldest band, which must be open-ended (\"18+\")")
        );
        assert!(
            problem(&["0+", "18+"])
                .1
                .starts_with("is open-ended but not the last band")
        );
        assert!(problem(&["0-17", "18 +"]).1.starts_with("is not a band"));
        assert!(problem(&["0-17", "-1+"]).1.starts_with("is not a band"));
        assert!(problem(&["5-3", "4+"]).1.starts_with("leaves a gap"));
        assert!(
            problem(&["0-3", "4-2", "3+"])
                .1
                .starts_with("ends before it starts")
        );
        assert!(
            problem(&["0-99999999999", "5+"])
                .1
                .starts_with("is not a band")
        );
        assert!(
            problem(&["0-4294967295", "5+"])
                .1
                .starts_with("is not a band")
        );
    }
}
