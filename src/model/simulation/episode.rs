//! What a replication tells its caller as it runs: one record per visit
//! of a patient to a service, sent to an [`EpisodeObserver`] when it ends.
//! The observer is generic, so `()` (no records) costs nothing. An
//! observer that sets [`EpisodeObserver::EVENTS`] also receives every
//! [`PatientEvent`] as it happens (the event log); for the others the
//! hooks that make them are compiled away.

/// One visit of a patient to a service, reported when it ends. Times are in
/// days since the start of the observation window (negative in warm-up).
#[derive(Clone, Debug, PartialEq)]
pub struct EpisodeRecord<'a> {
    pub replication: u64,
    /// The patient's number in this replication (order of arrival).
    pub patient: u64,
    pub patient_type: &'a str,
    pub service: &'a str,
    /// When the patient asked for a place.
    pub requested_at: f64,
    /// When the stay started; None if never admitted (lost).
    pub started_at: Option<f64>,
    /// When the patient was ready to leave; None if never admitted.
    pub ready_at: Option<f64>,
    /// When the patient left the place (or the waiting list).
    pub left_at: f64,
    /// Days blocked, arranging the discharge, or held for a discharge day.
    pub delayed_days: f64,
    /// A service, a sink, or `lost`.
    pub destination: &'a str,
}

/// What happened to a patient at an instant, in the event log's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// The person enters the system (the activity says how: `outside`,
    /// `readmission` or `census`).
    Enter,
    /// Asks a service for a place (waiting, if any, starts).
    Arrival,
    /// Takes a place (the resource is its number).
    Start,
    /// The stay ends: ready to leave (the place may still be held while
    /// the discharge is arranged or the next place is awaited).
    End,
    /// Gives up the place.
    Depart,
    /// Turned away by a service that loses those it cannot take.
    Lost,
    /// Gave up waiting for a service at its maximum wait.
    TimedOut,
    /// Sent on by a full service to another (diverted or onward).
    Diverted,
    /// Stopped waiting for the service and took a place in its outlying one.
    Outlied,
    /// A planned admission cancelled on the day, to be rebooked.
    Cancelled,
    /// The person leaves the system (the activity is the sink, or `lost`).
    Exit,
}

impl Lifecycle {
    /// Its name in the event log.
    pub fn name(self) -> &'static str {
        match self {
            Lifecycle::Enter => "enter",
            Lifecycle::Arrival => "arrival",
            Lifecycle::Start => "start",
            Lifecycle::End => "end",
            Lifecycle::Depart => "depart",
            Lifecycle::Lost => "lost",
            Lifecycle::TimedOut => "timed_out",
            Lifecycle::Diverted => "diverted",
            Lifecycle::Outlied => "outlied",
            Lifecycle::Cancelled => "cancelled",
            Lifecycle::Exit => "exit",
        }
    }
}

/// One event of the event log, sent as it happens (in the order of the
/// simulation, so each person's events come in time order).
#[derive(Clone, Debug, PartialEq)]
pub struct PatientEvent<'a> {
    pub replication: u64,
    /// The person: kept across transfers, readmissions and rebookings.
    /// A person enters the system from outside, from the census, or (a
    /// crisis drawn from a population: a risk tier's members or a
    /// service's occupants) as a new person, since the model does not
    /// say which member it is.
    pub person: u64,
    /// The patient record: one continuous stay in the system, from
    /// `Enter` to `Exit` (a readmission is a new one of the same person).
    pub patient: u64,
    /// The activity instance: one visit to a service (arrival to depart,
    /// or to lost, timed out ...), or one entry or exit.
    pub visit: u64,
    pub patient_type: &'a str,
    /// The service; for `Enter` how the person came, for `Exit` the sink.
    pub activity: &'a str,
    pub lifecycle: Lifecycle,
    /// Days since the simulation started (the warm-up's start).
    pub time: f64,
    /// The place's number within the service (from 1; numbers above the
    /// capacity are escalation places), for `Start`, `End` and `Depart`.
    pub resource: Option<u32>,
}

/// Receives episode records as they end (and, with `EVENTS`, every event).
pub trait EpisodeObserver {
    /// Whether this observer wants [`PatientEvent`]s. A constant, so that
    /// a run without the event log compiles its hooks away.
    const EVENTS: bool = false;

    fn episode(&mut self, record: &EpisodeRecord<'_>);

    /// One event, when [`EpisodeObserver::EVENTS`] is set.
    #[inline]
    fn event(&mut self, _event: &PatientEvent<'_>) {}
}

/// No records wanted.
impl EpisodeObserver for () {
    #[inline]
    fn episode(&mut self, _: &EpisodeRecord<'_>) {}
}

impl<F: FnMut(&EpisodeRecord<'_>)> EpisodeObserver for F {
    fn episode(&mut self, record: &EpisodeRecord<'_>) {
        self(record)
    }
}
