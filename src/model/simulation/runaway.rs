//! A replication that runs away: more events in a simulated day than the
//! run allows. What is counted once it does, and the error that says where.

/// Events handled after a replication passes its events per day, to say
/// where they are: enough for the shares to be plain, few enough to cost
/// nothing next to the events that passed the limit.
pub(super) const RUNAWAY_SAMPLE: u64 = 100_000;

/// The index of arrivals (and returns) in [`RUNAWAY_KINDS`].
pub(super) const RUNAWAY_ARRIVALS: usize = 3;

/// The kinds of event a runaway is told by: what they are, and the likely
/// cause and fix when most events are of that kind.
pub(super) const RUNAWAY_KINDS: [(&str, &str); 5] = [
    (
        "ends of stays",
        "Patients are going round a loop of routes through these services with stays so short that a simulated day takes millions of moves; lengthen the stays there, or route more of these patients to a sink",
    ),
    (
        "ends of maximum waits",
        "Patients leave a waiting list after a moment and ask elsewhere, round and round; lengthen max_wait_days there, or let patients be lost after their wait (after_max_wait = \"lose\")",
    ),
    (
        "discharge retries",
        "Patients ready to leave are held day after day and almost never leave: raise the discharge_weekday_factors of these services",
    ),
    (
        "arrivals",
        "Arrivals are far more than any care system sees; check rate_per_day, the populations and the readmission probabilities",
    ),
    (
        "capacity changes, openings and midnights",
        "Check the capacity changes and opening hours of these services",
    ),
];

/// Where the events of a runaway replication are: counts by service and
/// kind (the index in [`RUNAWAY_KINDS`]).
pub(super) struct RunawaySample {
    pub(super) day: f64,
    pub(super) by_service: Vec<[u64; RUNAWAY_KINDS.len()]>,
    pub(super) sampled: u64,
    pub(super) first: f64,
    pub(super) last: f64,
}
