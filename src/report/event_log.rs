//! `event_log.csv`: one row per event of every patient (entering,
//! asking for a place, starting, ending, departing, lost, timed out,
//! diverted, outlied, cancelled, leaving), written as the simulation runs
//! by an [`EpisodeObserver`] that wants events, so that a replication's
//! log is never held in memory.
//!
//! One file serves three tools: the process-mining columns (`case_id`,
//! `activity`, `activity_instance_id`, `lifecycle`, `timestamp`,
//! `resource_id`) load into bupaR and pm4py by naming them; the vidigi
//! columns (`patient`, `event_type`, `event`, `time`, `resource_id`,
//! `pathway`) are vidigi's own event log, with its event types (see
//! [`vidigi_event`]). `docs/experiments.md` ("Event log") has the loading
//! code for each.
//!
//! Depends on the model's events only; the rows' text is made here.

use std::io::{self, Write};

use crate::engine::CalendarDate;
use crate::model::{EpisodeObserver, EpisodeRecord, Lifecycle, PatientEvent};
use crate::report::csv_safe::neutralise;

/// The columns of `event_log.csv`, in order.
pub const EVENT_LOG_COLUMNS: [&str; 16] = [
    "event_id",
    "replication",
    "case_id",
    "patient",
    "patient_type",
    "activity",
    "activity_instance_id",
    "lifecycle",
    "timestamp",
    "time_days",
    "resource_id",
    "in_warmup",
    "event_type",
    "event",
    "time",
    "pathway",
];

/// vidigi's event type and event of a lifecycle at `activity`: entering
/// and leaving the system are its `arrival_departure` events (`arrival`,
/// `depart`); asking for a place starts a queue (`<activity>_wait_begins`);
/// a place is a resource (`resource_use` `<activity>_begins`, and
/// `resource_use_end` `<activity>_ends` when it is given up); ready to
/// leave while still holding the place is a queue (`<activity>_ready`),
/// as are the moments of being lost, timed out, diverted, outlied or
/// cancelled (`<activity>_<lifecycle>`).
pub fn vidigi_event(lifecycle: Lifecycle, activity: &str) -> (&'static str, String) {
    match lifecycle {
        Lifecycle::Enter => ("arrival_departure", "arrival".into()),
        Lifecycle::Exit => ("arrival_departure", "depart".into()),
        Lifecycle::Arrival => ("queue", format!("{activity}_wait_begins")),
        Lifecycle::Start => ("resource_use", format!("{activity}_begins")),
        Lifecycle::End => ("queue", format!("{activity}_ready")),
        Lifecycle::Depart => ("resource_use_end", format!("{activity}_ends")),
        other => ("queue", format!("{activity}_{}", other.name())),
    }
}

/// The date-time `days` after midnight starting `start`, to the second:
/// `2025-04-01T06:30:00` (before `start` during the warm-up).
pub fn timestamp(start: CalendarDate, days: f64) -> String {
    let seconds = (days * 86_400.0).round() as i64;
    let (day, second) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    format!(
        "{}T{:02}:{:02}:{:02}",
        start.add_days(day),
        second / 3600,
        second / 60 % 60,
        second % 60
    )
}

/// Writes the events of one replication after another to `event_log.csv`.
/// The header is written when it is made; rows as the events come. The
/// first write error is kept (an observer cannot return one) and stops
/// further writing: [`EventLogWriter::finish`] returns it.
pub struct EventLogWriter<W: Write> {
    out: csv::Writer<W>,
    start_date: CalendarDate,
    warmup_days: f64,
    rows: u64,
    /// The replication the rows are labelled with (None: the simulation's).
    label: Option<u64>,
    error: Option<io::Error>,
}

impl<W: Write> EventLogWriter<W> {
    /// A log of runs that start `warmup_days` before `start_date` (the
    /// scenario's `run.start_date`, where its results window starts).
    pub fn new(out: W, start_date: CalendarDate, warmup_days: f64) -> io::Result<Self> {
        let mut out = csv::WriterBuilder::new()
            .buffer_capacity(1 << 16)
            .from_writer(out);
        out.write_record(EVENT_LOG_COLUMNS)?;
        Ok(EventLogWriter {
            out,
            start_date,
            warmup_days,
            rows: 0,
            label: None,
            error: None,
        })
    }

    /// Labels the next rows with replication `r` (in a nested design a
    /// replication runs the patients of another stream number).
    pub fn label_replication(&mut self, r: u64) {
        self.label = Some(r);
    }

    /// The rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes the file; the first error met, if any.
    pub fn finish(mut self) -> io::Result<u64> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.out.flush()?;
        Ok(self.rows)
    }

    fn write(&mut self, e: &PatientEvent<'_>) -> io::Result<()> {
        let days = e.time - self.warmup_days;
        let replication = self.label.unwrap_or(e.replication);
        let (event_type, event) = vidigi_event(e.lifecycle, e.activity);
        let resource = e.resource.map(|r| r.to_string()).unwrap_or_default();
        self.out.write_record([
            (self.rows + 1).to_string().as_str(),
            &replication.to_string(),
            &format!("{replication}-{}", e.person),
            &e.patient.to_string(),
            &neutralise(e.patient_type),
            &neutralise(e.activity),
            &format!("{replication}-{}", e.visit),
            e.lifecycle.name(),
            &timestamp(self.start_date, days),
            &days.to_string(),
            &resource,
            if days < 0.0 { "true" } else { "false" },
            event_type,
            &neutralise(&event),
            &e.time.to_string(),
            &neutralise(e.patient_type),
        ])?;
        Ok(())
    }
}

impl<W: Write> EpisodeObserver for EventLogWriter<W> {
    const EVENTS: bool = true;

    fn episode(&mut self, _: &EpisodeRecord<'_>) {}

    fn event(&mut self, event: &PatientEvent<'_>) {
        if self.error.is_some() {
            return;
        }
        match self.write(event) {
            Ok(()) => self.rows += 1,
            Err(error) => self.error = Some(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_count_from_the_start_date_midnight() {
        let start = CalendarDate::new(2025, 4, 1).unwrap();
        assert_eq!(timestamp(start, 0.0), "2025-04-01T00:00:00");
        assert_eq!(timestamp(start, 0.25), "2025-04-01T06:00:00");
        assert_eq!(
            timestamp(start, 1.5 + 1.0 / 86_400.0),
            "2025-04-02T12:00:01"
        );
        assert_eq!(timestamp(start, -0.25), "2025-03-31T18:00:00");
        // A time that rounds up to midnight is the next day's.
        assert_eq!(timestamp(start, 0.999_999_9), "2025-04-02T00:00:00");
    }

    #[test]
    fn vidigi_events_pair_arrival_and_depart() {
        assert_eq!(
            vidigi_event(Lifecycle::Enter, "outside"),
            ("arrival_departure", "arrival".to_string())
        );
        assert_eq!(
            vidigi_event(Lifecycle::Start, "acute"),
            ("resource_use", "acute_begins".to_string())
        );
        assert_eq!(
            vidigi_event(Lifecycle::Depart, "acute"),
            ("resource_use_end", "acute_ends".to_string())
        );
        assert_eq!(
            vidigi_event(Lifecycle::TimedOut, "ed"),
            ("queue", "ed_timed_out".to_string())
        );
    }
}
