//! What a replication tells its caller as it runs: one record per visit
//! of a patient to a service, sent to an [`EpisodeObserver`] when it ends.
//! The observer is generic, so `()` (no records) costs nothing.

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

/// Receives episode records as they end.
pub trait EpisodeObserver {
    fn episode(&mut self, record: &EpisodeRecord<'_>);
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
