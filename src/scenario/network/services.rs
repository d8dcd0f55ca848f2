//! `[services.X]` of a hand-written network: each read on its own (a type
//! error in one does not hide the problems of the others), then its
//! capacity, what happens when it is full, opening hours, discharge days
//! and capacity changes checked.

use super::resolver::Resolver;
use crate::model::{CapacityChange, FullPolicy, Overflow, RunSettings, Service, ServiceId};
use crate::scenario::check::{
    Checker, MAX_CAPACITY, MAX_DAYS, MIN_MAX_WAIT_DAYS, show, validate_opening,
};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::{RawCapacityChange, RawService};

/// The parts of a service that need every name resolved first.
pub(super) struct PendingService {
    pub(super) path: String,
    pub(super) raw: RawService,
}

/// Reads `[services.X]` tables in file order, each with serde on its own.
pub(super) fn read_services(
    check: &mut Checker,
    document: &toml::Table,
    sinks: &[String],
) -> Vec<(String, PendingService)> {
    let mut pending = Vec::new();
    match document.get("services") {
        None => check.issue(
            "services",
            None,
            "at least one service is needed, e.g. [services.acute] with capacity, stay and routes",
        ),
        Some(toml::Value::Table(table)) => {
            if table.is_empty() {
                check.issue("services", None, "at least one service is needed");
            }
            for (service_name, value) in table {
                let path = format!("services.{service_name}");
                check.name(&path, service_name, "service");
                if sinks.contains(service_name) {
                    check.issue(
                        &path,
                        None,
                        format!("`{service_name}` is both a service and a sink; rename one"),
                    );
                }
                if check.double_brackets(&path, value) {
                    continue;
                }
                if let Some(raw) = check.section::<RawService>(&path, value.clone()) {
                    pending.push((service_name.clone(), PendingService { path, raw }));
                }
            }
        }
        Some(other) => check.issue(
            "services",
            Some(other.type_str().to_string()),
            "must be a table of services, e.g. [services.acute]",
        ),
    }
    pending
}

fn overflow_choice(
    check: &mut Checker,
    path: &str,
    key: &str,
    word: &str,
    divert_to: Option<ServiceId>,
    divert_path: &str,
) -> Option<Overflow> {
    match word {
        "lose" => Some(Overflow::Lose),
        "divert" => match divert_to {
            Some(to) => Some(Overflow::Divert(to)),
            None => {
                check.issue(
                    divert_path,
                    None,
                    format!("{key} = \"divert\" needs `divert_to = \"<service>\"` in [{path}]"),
                );
                None
            }
        },
        _ => None,
    }
}

/// One service, its names resolved; `None` if it has any problem.
pub(super) fn validate_service(
    check: &mut Checker,
    path: &str,
    name: &str,
    raw: &RawService,
    resolver: &Resolver<'_>,
    run: Option<&RunSettings>,
) -> Option<Service> {
    let before = check.issues.len();
    let capacity = match &raw.capacity {
        Some(c) => check.capacity(&format!("{path}.capacity"), c),
        None => {
            check.issue(path, None, "needs `capacity`: a whole number of places (beds, slots, caseload) or \"unlimited\"");
            None
        }
    };
    let divert_path = format!("{path}.divert_to");
    let divert_to = raw
        .divert_to
        .as_deref()
        .and_then(|d| resolver.service(check, &divert_path, d));
    if divert_to
        .map(|d| resolver.service_names[d.index()] == name)
        .unwrap_or(false)
    {
        check.issue(
            &divert_path,
            Some(format!("{name:?}")),
            "a service cannot divert to itself; name another service",
        );
    }
    let when_full_word = raw.when_full.as_deref().unwrap_or("wait");
    let when_full = match when_full_word {
        "wait" => {
            let max_wait_days = match raw.max_wait_days {
                Some(w) if !(w.is_finite() && (MIN_MAX_WAIT_DAYS..=MAX_DAYS).contains(&w)) => {
                    check.issue(format!("{path}.max_wait_days"), Some(show(w)), format!("must be from {MIN_MAX_WAIT_DAYS} to {MAX_DAYS} days; leave it out for no limit"));
                    None
                }
                other => other,
            };
            let then = match (raw.after_max_wait.as_deref(), max_wait_days) {
                (None, _) => Some(Overflow::Lose),
                (Some(word @ ("lose" | "divert")), Some(_)) => {
                    overflow_choice(check, path, "after_max_wait", word, divert_to, &divert_path)
                }
                // max_wait_days written but invalid: already reported.
                (Some("lose" | "divert"), None) if raw.max_wait_days.is_some() => None,
                (Some("lose" | "divert"), None) => {
                    check.issue(
                        format!("{path}.after_max_wait"),
                        None,
                        "only applies with `max_wait_days`; add it or remove `after_max_wait`",
                    );
                    None
                }
                (Some(other), _) => {
                    check.issue(
                        format!("{path}.after_max_wait"),
                        Some(format!("{other:?}")),
                        "must be \"lose\" or \"divert\" (with `divert_to`)",
                    );
                    None
                }
            };
            if raw.divert_to.is_some() && raw.after_max_wait.as_deref() != Some("divert") {
                check.issue(&divert_path, None, "is only used with when_full = \"divert\" or after_max_wait = \"divert\"; remove it or set one of those");
            }
            then.map(|then| FullPolicy::Wait {
                max_wait_days,
                then,
            })
        }
        "lose" | "divert" => {
            for (key, present) in [
                ("max_wait_days", raw.max_wait_days.is_some()),
                ("after_max_wait", raw.after_max_wait.is_some()),
            ] {
                if present {
                    check.issue(format!("{path}.{key}"), None, "only applies with when_full = \"wait\"; remove it or set when_full = \"wait\"".to_string());
                }
            }
            if when_full_word == "lose" && raw.divert_to.is_some() {
                check.issue(&divert_path, None, "is only used with when_full = \"divert\"; remove it or set when_full = \"divert\"");
            }
            overflow_choice(
                check,
                path,
                "when_full",
                when_full_word,
                divert_to,
                &divert_path,
            )
            .map(FullPolicy::Overflow)
        }
        other => {
            check.issue(
                format!("{path}.when_full"),
                Some(format!("{other:?}")),
                format!("must be \"wait\" (FIFO waiting list; transfers keep their place), \"lose\" (leave the system) or \"divert\" (go to `divert_to`){}", did_you_mean(other, ["wait", "lose", "divert"])),
            );
            None
        }
    };

    let opening = raw
        .opening
        .as_ref()
        .and_then(|o| validate_opening(check, &format!("{path}.opening"), o));
    let max_admissions_per_day = raw
        .max_admissions_per_day
        .and_then(|n| {
            check.whole_in(
                &format!("{path}.max_admissions_per_day"),
                n,
                0.0,
                MAX_CAPACITY,
                "admissions per day",
            )
        })
        .map(|n| [n as u32; 7]);
    let discharge_weekday_factors = match &raw.discharge_weekday_factors {
        None => Some([1.0; 7]),
        Some(values) => {
            let factors_path = format!("{path}.discharge_weekday_factors");
            if values.len() != 7 {
                check.issue(
                    &factors_path,
                    Some(format!("{} values", values.len())),
                    "needs 7 probabilities, Monday first, e.g. [1, 1, 1, 1, 1, 0.6, 0.5]",
                );
                None
            } else {
                let mut factors = [0.0; 7];
                let mut ok = true;
                for (i, v) in values.iter().enumerate() {
                    match check.number_in(
                        &format!("{factors_path}[{i}]"),
                        *v,
                        0.0,
                        1.0,
                        "probability of leaving that day",
                    ) {
                        Some(v) => factors[i] = v,
                        None => ok = false,
                    }
                }
                if ok && factors.iter().all(|f| *f == 0.0) {
                    check.issue(&factors_path, None, "is 0 on every day, so nobody could ever leave; give at least one day a probability above 0");
                    ok = false;
                }
                ok.then_some(factors)
            }
        }
    };
    let mut capacity_changes = Vec::new();
    for (i, change) in raw.capacity_changes.iter().flatten().enumerate() {
        if let Some(c) =
            validate_capacity_change(check, &format!("{path}.capacity_changes[{i}]"), change, run)
        {
            capacity_changes.push(c);
        }
    }
    capacity_changes.sort_by(|a, b| a.from_day.total_cmp(&b.from_day));

    let unit = raw
        .capacity_unit
        .clone()
        .unwrap_or_else(|| "places".to_string());
    if check.issues.len() > before {
        return None;
    }
    Some(Service {
        name: name.to_string(),
        description: raw.description.clone().unwrap_or_default(),
        capacity_unit: unit,
        capacity: capacity?,
        capacity_changes,
        when_full: when_full?,
        opening,
        max_admissions_per_day,
        schedule_changes: Vec::new(),
        discharge_weekday_factors: discharge_weekday_factors?,
        census: Vec::new(),
        escalation: None,
        outlying: None,
        wait_class: 0,
    })
}

/// One `capacity_changes` entry: a capacity from a day or a date.
fn validate_capacity_change(
    check: &mut Checker,
    path: &str,
    raw: &RawCapacityChange,
    run: Option<&RunSettings>,
) -> Option<CapacityChange> {
    let capacity = check.capacity(&format!("{path}.capacity"), &raw.capacity);
    let from_day = match (&raw.day, &raw.date) {
        (Some(day), None) => check.number_in(
            &format!("{path}.day"),
            *day,
            -MAX_DAYS,
            MAX_DAYS,
            "days from the start of the observation window",
        ),
        (None, Some(date)) => {
            let date = check.date(&format!("{path}.date"), date)?;
            let start = run?.start_date;
            Some((date.day_number() - start.day_number()) as f64)
        }
        _ => {
            check.issue(path, None, "give exactly one of `day` (days from run.start_date) or `date` (YYYY-MM-DD) for when the capacity changes");
            None
        }
    };
    Some(CapacityChange {
        from_day: from_day?,
        capacity: capacity?,
    })
}
