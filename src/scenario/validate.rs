//! Validation: from the TOML document to a [`Network`], or to the list of
//! every problem found.
//!
//! The document is read section by section (each service and each patient
//! type on its own), so a type error in one service does not hide the
//! problems of the others. Then values are checked against their meaning,
//! names are resolved, and the pathway of every patient type is followed to
//! make sure each service it can reach says what that type does there.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::de::DeserializeOwned;

use super::error::{Issue, did_you_mean};
use super::raw::{
    RawCapacity, RawCapacityChange, RawDistribution, RawInitial, RawOpening, RawPatientType,
    RawRoute, RawRun, RawService, TOP_LEVEL_KEYS,
};
use super::system::{SYSTEM_KEYS, validate_system};
use crate::engine::{CalendarDate, Distribution, Weekday};
use crate::model::{
    Capacity, CapacityChange, Census, CensusStart, Destination, FullPolicy, MAX_EVENTS_PER_DAY,
    MAX_PEOPLE_IN_SYSTEM, MAX_REPLICATION_BYTES, Network, OpeningHours, Overflow, Pathway,
    PatientType, PatientTypeId, RouteTable, RunSettings, Service, ServiceId, SinkId,
};

/// The only scenario format version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Largest capacity accepted for one service (places).
pub const MAX_CAPACITY: f64 = 10_000_000.0;
/// Longest warm-up or horizon accepted (days): 200 years.
pub const MAX_DAYS: f64 = 73_000.0;
/// Highest arrival rate accepted for one patient type (per day).
pub const MAX_RATE_PER_DAY: f64 = 1_000_000.0;
/// Most replications a scenario may ask for by default.
pub const MAX_REPLICATIONS: i64 = 1_000_000;

/// Names that output files use for labels of their own (flow nodes, the
/// system, parameters).
const RESERVED_NAMES: &[&str] = &["arrival", "lost", "all", "system", "flow", "parameter"];

const DISTRIBUTION_KINDS: &[&str] = &[
    "fixed",
    "exponential",
    "lognormal",
    "gamma",
    "uniform",
    "empirical",
    "mixture",
];

/// Whether `name` may name a scenario, service, sink, type or lever:
/// letters, digits, `_` and `-` only, 1 to 64 of them.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Collects issues as validation goes.
#[derive(Default)]
pub(super) struct Checker {
    pub(super) issues: Vec<Issue>,
}

fn show(value: f64) -> String {
    if value.is_nan() {
        "nan".to_string()
    } else if value.is_infinite() {
        if value > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    } else if value != 0.0 && !(1e-6..1e9).contains(&value.abs()) {
        format!("{value:e}") // 1e300, not three hundred digits
    } else {
        format!("{value}")
    }
}

/// Shortest wait limit accepted (days; about 9 seconds): shorter limits
/// cannot be told apart from none and can stop simulated time.
pub const MIN_MAX_WAIT_DAYS: f64 = 1e-4;

impl Checker {
    pub(super) fn issue(
        &mut self,
        path: impl Into<String>,
        value: Option<String>,
        problem: impl Into<String>,
    ) {
        self.issues.push(Issue {
            path: path.into(),
            value,
            problem: problem.into(),
        });
    }

    /// Reads a section with serde, reporting type errors and unknown keys.
    pub(super) fn section<T: DeserializeOwned>(
        &mut self,
        path: &str,
        value: toml::Value,
    ) -> Option<T> {
        match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(v) => Some(v),
            Err(error) => {
                let inner = error.path().to_string();
                let full = if inner.is_empty() || inner == "." {
                    path.to_string()
                } else {
                    format!("{path}.{inner}")
                };
                let message = error.into_inner().to_string();
                let mut problem = friendly_serde_message(message.trim());
                // A top-level key written after a [table] header belongs to
                // that table in TOML: the commonest slip in hand-edited files.
                if let Some(key) = message
                    .strip_prefix("unknown field `")
                    .and_then(|r| r.split('`').next())
                    && TOP_LEVEL_KEYS.contains(&key)
                {
                    problem = format!(
                        "`{key}` is a top-level key, but TOML puts every key written after a [table] header into that table: move `{key} = ...` above the first [table] header"
                    );
                }
                self.issue(full, None, problem);
                None
            }
        }
    }

    /// `[[services.x]]` makes a list of tables where one table is meant:
    /// say so plainly rather than report a type error inside it.
    pub(super) fn double_brackets(&mut self, path: &str, value: &toml::Value) -> bool {
        if matches!(value, toml::Value::Array(_)) {
            self.issue(path, None, format!("is written as [[{path}]] (a list of tables); write [{path}] with single brackets"));
            return true;
        }
        false
    }

    /// A finite number in [min, max].
    pub(super) fn number_in(
        &mut self,
        path: &str,
        value: f64,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<f64> {
        if value.is_finite() && value >= min && value <= max {
            Some(value)
        } else {
            let unit = if unit.is_empty() {
                String::new()
            } else {
                format!(" ({unit})")
            };
            self.issue(
                path,
                Some(show(value)),
                format!("must be a number from {} to {}{unit}", show(min), show(max)),
            );
            None
        }
    }

    /// A whole number in [min, max].
    pub(super) fn whole_in(
        &mut self,
        path: &str,
        value: f64,
        min: f64,
        max: f64,
        unit: &str,
    ) -> Option<u64> {
        if value.is_finite() && value.fract() == 0.0 && value >= min && value <= max {
            Some(value as u64)
        } else {
            self.issue(
                path,
                Some(show(value)),
                format!(
                    "must be a whole number from {} to {} ({unit})",
                    show(min),
                    show(max)
                ),
            );
            None
        }
    }

    pub(super) fn capacity(&mut self, path: &str, raw: &RawCapacity) -> Option<Capacity> {
        match raw {
            RawCapacity::Unlimited => Some(Capacity::Unlimited),
            RawCapacity::Number(n) => {
                if n.is_finite() && n.fract() == 0.0 && *n >= 0.0 && *n <= MAX_CAPACITY {
                    Some(Capacity::Limited(*n as u32))
                } else {
                    self.issue(
                        path,
                        Some(show(*n)),
                        format!("must be a whole number ≥ 0 of places (at most {MAX_CAPACITY}), or \"unlimited\""),
                    );
                    None
                }
            }
            RawCapacity::Word(w) => {
                self.issue(
                    path,
                    Some(format!("{w:?}")),
                    "must be a whole number ≥ 0 of places, or \"unlimited\"",
                );
                None
            }
        }
    }

    pub(super) fn date(&mut self, path: &str, value: &toml::Value) -> Option<CalendarDate> {
        let text = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) if d.date.is_some() && d.time.is_none() => d.to_string(),
            other => {
                self.issue(
                    path,
                    Some(other.to_string()),
                    "must be a date written YYYY-MM-DD, e.g. 2025-04-01",
                );
                return None;
            }
        };
        match CalendarDate::parse(&text) {
            Ok(date) => Some(date),
            Err(e) => {
                self.issue(path, Some(format!("{text:?}")), e.to_string());
                None
            }
        }
    }

    pub(super) fn name(&mut self, path: &str, name: &str, what: &str) -> bool {
        let valid = is_valid_name(name);
        if !valid {
            self.issue(path, Some(format!("{name:?}")), format!("{what} names use letters, digits, `_` and `-` only (at most 64), e.g. \"acute_ward\""));
        } else if RESERVED_NAMES.contains(&name) {
            self.issue(
                path,
                Some(format!("{name:?}")),
                format!("`{name}` is reserved for outputs; choose another {what} name"),
            );
            return false;
        }
        valid
    }

    pub(super) fn factors(
        &mut self,
        path: &str,
        values: &[f64],
        expected: usize,
        what: &str,
    ) -> Option<Vec<f64>> {
        if values.len() != expected {
            self.issue(
                path,
                Some(format!("{} values", values.len())),
                format!("needs exactly {expected} multipliers, one per {what}"),
            );
            return None;
        }
        let mut ok = true;
        for (i, v) in values.iter().enumerate() {
            ok &= self
                .number_in(&format!("{path}[{i}]"), *v, 0.0, 1000.0, "multiplier")
                .is_some();
        }
        ok.then(|| values.to_vec())
    }

    /// A distribution of days (or another non-negative quantity).
    pub(super) fn distribution(
        &mut self,
        path: &str,
        raw: &RawDistribution,
    ) -> Option<Distribution> {
        let Some(kind) = raw.dist.as_deref() else {
            self.issue(
                path,
                None,
                format!(
                    "needs `dist`, one of {}, e.g. {{ dist = \"exponential\", mean = 5.0 }}",
                    quoted_list(DISTRIBUTION_KINDS)
                ),
            );
            return None;
        };
        let (needed, optional): (&[&str], &[&str]) = match kind {
            "fixed" => (&["value"], &[]),
            "exponential" => (&["mean"], &[]),
            "lognormal" | "gamma" => (&["mean", "sd"], &[]),
            "uniform" => (&["min", "max"], &[]),
            "empirical" => (&["values"], &["weights"]),
            "mixture" => (&["components"], &[]),
            other => {
                self.issue(
                    format!("{path}.dist"),
                    Some(format!("{other:?}")),
                    format!(
                        "unknown distribution{}; use one of {}",
                        did_you_mean(other, DISTRIBUTION_KINDS.iter().copied()),
                        quoted_list(DISTRIBUTION_KINDS)
                    ),
                );
                return None;
            }
        };
        let present: Vec<(&str, bool)> = vec![
            ("value", raw.value.is_some()),
            ("mean", raw.mean.is_some()),
            ("sd", raw.sd.is_some()),
            ("min", raw.min.is_some()),
            ("max", raw.max.is_some()),
            ("values", raw.values.is_some()),
            ("weights", raw.weights.is_some()),
            ("components", raw.components.is_some()),
        ];
        let mut ok = true;
        for (key, is_present) in &present {
            let allowed = needed.contains(key) || optional.contains(key);
            if *is_present && !allowed {
                self.issue(
                    format!("{path}.{key}"),
                    None,
                    format!(
                        "is not used by dist = \"{kind}\", which takes {}",
                        quoted_list(needed)
                    ),
                );
                ok = false;
            }
            if !*is_present && needed.contains(key) {
                self.issue(
                    path,
                    None,
                    format!(
                        "dist = \"{kind}\" needs `{key}` (it takes {})",
                        quoted_list(needed)
                    ),
                );
                ok = false;
            }
        }
        if raw.weight.is_some() && !path.contains(".components[") {
            self.issue(
                format!("{path}.weight"),
                None,
                "`weight` belongs only inside the `components` of a mixture",
            );
            ok = false;
        }
        if !ok {
            return None;
        }
        let built = match kind {
            "fixed" => Distribution::fixed(raw.value.unwrap_or_default()),
            "exponential" => Distribution::exponential(raw.mean.unwrap_or_default()),
            "lognormal" => {
                Distribution::lognormal(raw.mean.unwrap_or_default(), raw.sd.unwrap_or_default())
            }
            "gamma" => {
                Distribution::gamma(raw.mean.unwrap_or_default(), raw.sd.unwrap_or_default())
            }
            "uniform" => {
                Distribution::uniform(raw.min.unwrap_or_default(), raw.max.unwrap_or_default())
            }
            "empirical" => {
                Distribution::empirical(raw.values.clone().unwrap_or_default(), raw.weights.clone())
            }
            _ => {
                let components = raw.components.as_deref().unwrap_or_default();
                let mut weighted = Vec::new();
                for (i, component) in components.iter().enumerate() {
                    let component_path = format!("{path}.components[{i}]");
                    let Some(weight) = component.weight else {
                        self.issue(
                            &component_path,
                            None,
                            "each mixture component needs a `weight` (the weights add up to 1)",
                        );
                        ok = false;
                        continue;
                    };
                    if component.dist.as_deref() == Some("mixture") {
                        self.issue(&component_path, None, "a mixture component cannot itself be a mixture; list all components in one mixture");
                        ok = false;
                        continue;
                    }
                    match self.distribution(&component_path, component) {
                        Some(d) => weighted.push((weight, d)),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Distribution::mixture(weighted)
            }
        };
        match built {
            Ok(d) => {
                if !(d.mean().is_finite() && d.mean() <= MAX_DAYS) {
                    self.issue(
                        path,
                        None,
                        format!(
                            "has a mean of {} days; it must be at most {MAX_DAYS}",
                            show(d.mean())
                        ),
                    );
                    return None;
                }
                Some(d)
            }
            Err(e) => {
                let parameter_path = format!("{path}.{}", e.parameter);
                // Values as TOML spells them (Rust prints NaN, TOML nan), and
                // numbers readable (1e200, not two hundred digits).
                let value = e.value.parse::<f64>().map(show).unwrap_or(e.value);
                self.issue(parameter_path, Some(value), e.problem);
                None
            }
        }
    }
}

pub(super) fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde's messages in the words of scenario authors.
fn friendly_serde_message(message: &str) -> String {
    // toml appends a line "in `key`" that repeats the path we already give.
    let message = message
        .lines()
        .filter(|l| !l.trim_start().starts_with("in `"))
        .collect::<Vec<_>>()
        .join(" ");
    let message = message.trim();
    let mut text = message
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number")
        .replace("invalid type: ", "wrong type: ")
        .replace("expected a sequence", "expected a list [ ... ]")
        // serde names the Rust type ("expected struct RawService"): users
        // need only to know a table is expected.
        .replace("expected a map", "expected a table { ... }");
    while let Some(start) = text.find("expected struct Raw") {
        let end = text[start + "expected struct ".len()..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(text.len(), |i| start + "expected struct ".len() + i);
        text.replace_range(start..end, "expected a table { ... }");
    }
    // serde lists valid keys after "unknown field"; add the closest one.
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let (Some(end), Some(list_start)) = (rest.find('`'), message.find("expected one of "))
    {
        let unknown = &rest[..end];
        let list = &message[list_start + "expected one of ".len()..];
        let candidates: Vec<&str> = list.split(", ").map(|s| s.trim_matches('`')).collect();
        text = format!(
            "unknown key `{unknown}`{}; valid keys here: {}",
            did_you_mean(unknown, candidates.iter().copied()),
            list
        );
    }
    if let Some(field) = message.strip_prefix("missing field `") {
        let field = field.trim_end_matches('`');
        text = format!("needs `{field}`");
    }
    text
}

/// The parts of a service that need every name resolved first.
struct PendingService {
    path: String,
    raw: RawService,
}

/// Builds a network from a parsed TOML document, or returns every problem.
pub fn validate_document(document: toml::Table, default_name: &str) -> Result<Network, Vec<Issue>> {
    let network = validate_shape(document, default_name)?;
    check_memory(&network)?;
    Ok(network)
}

/// Refuses a network whose fixed structures would not fit in memory
/// ([`MAX_REPLICATION_BYTES`]), naming the part that is too large.
fn check_memory(network: &Network) -> Result<(), Vec<Issue>> {
    let estimate = network.memory_estimate();
    if estimate.total() <= MAX_REPLICATION_BYTES {
        return Ok(());
    }
    let gib = |bytes: u64| bytes as f64 / f64::from(1u32 << 30);
    let (path, value, fix) = if estimate.daily_series >= estimate.total() / 2 {
        (
            "run.horizon_days",
            Some(format!("{}", network.run.horizon_days)),
            format!(
                "with {} services, per-day series of {:.1} GiB",
                network.services.len(),
                gib(estimate.daily_series)
            ) + "; shorten the horizon or split the network",
        )
    } else {
        (
            "patient_types",
            None,
            format!(
                "{} patient types × {} services over {} years: {:.1} GiB of tables by type, service and year",
                network.patient_types.len(),
                network.services.len(),
                network.run.window_years(),
                gib(estimate.by_year + estimate.flows_and_pairs)
            ) + "; use fewer patient types or services, or shorten the horizon",
        )
    };
    Err(vec![Issue {
        path: path.to_string(),
        value,
        problem: format!(
            "would need about {:.1} GiB per replication before any patient arrives ({fix}); the limit is {:.0} GiB",
            gib(estimate.total()),
            gib(MAX_REPLICATION_BYTES)
        ),
    }])
}

/// Most (patient type, service) pairs a network may have: every pair has a
/// pathway slot (about 250 bytes), so 10,000 types × 10,000 services would take gigabytes
/// before any check could say so.
pub const MAX_TYPE_SERVICE_PAIRS: usize = 1_000_000;

fn validate_shape(document: toml::Table, default_name: &str) -> Result<Network, Vec<Issue>> {
    let mut check = Checker::default();

    let whole_system = document.contains_key("population") || document.contains_key("iccs");
    for key in document.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) && !SYSTEM_KEYS.contains(&key.as_str()) {
            check.issue(
                key.clone(),
                None,
                format!(
                    "unknown key{}; valid keys at the top of a scenario: {}; and for a whole-system scenario: {}",
                    did_you_mean(key, TOP_LEVEL_KEYS.iter().chain(SYSTEM_KEYS).copied()),
                    quoted_list(TOP_LEVEL_KEYS),
                    quoted_list(SYSTEM_KEYS)
                ),
            );
        }
    }

    if document.contains_key("extends") {
        check.issue(
            "extends",
            None,
            "a scenario that extends another must be read from its file (the parent's path is relative to it); give the file's path",
        );
    }
    match document.get("schema_version") {
        None => check.issue("schema_version", None, format!("is missing; add `schema_version = {SCHEMA_VERSION}` at the top of the file")),
        Some(toml::Value::Integer(SCHEMA_VERSION)) => {}
        Some(other @ toml::Value::Integer(_)) => check.issue(
            "schema_version",
            Some(other.to_string()),
            format!("this iccsim reads schema_version = {SCHEMA_VERSION}; convert the file or use a matching iccsim"),
        ),
        Some(other) => check.issue(
            "schema_version",
            Some(other.to_string()),
            format!("must be the whole number {SCHEMA_VERSION}, without quotes or a decimal point: `schema_version = {SCHEMA_VERSION}`"),
        ),
    }

    let text = |check: &mut Checker, key: &str| -> Option<String> {
        match document.get(key) {
            None => None,
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                check.issue(key, Some(other.to_string()), "must be text in quotes");
                None
            }
        }
    };
    // A name taken from the file name is made valid, not reported: the
    // user did not write it.
    let name = match text(&mut check, "name") {
        Some(name) => {
            check.name("name", &name, "scenario");
            name
        }
        None => name_from_file(default_name),
    };
    let title = text(&mut check, "title").unwrap_or_else(|| name.clone());
    let description = text(&mut check, "description").unwrap_or_default();

    let run = validate_run(&mut check, document.get("run").cloned());
    if !whole_system {
        for key in SYSTEM_KEYS.iter().filter(|k| document.contains_key(**k)) {
            check.issue(
                *key,
                None,
                "belongs to whole-system scenarios, which have [population] and [iccs] (docs/whole-system.md); remove it from a network written service by service",
            );
        }
    }

    if whole_system {
        let network = validate_system(&mut check, &document, name, title, description, run);
        return match network {
            Some(network) if check.issues.is_empty() => Ok(network),
            _ => Err(check.issues),
        };
    }

    // Sinks.
    let sinks: Vec<String> = match document.get("sinks") {
        None => vec!["exit".to_string()],
        Some(value) => check
            .section::<Vec<String>>("sinks", value.clone())
            .unwrap_or_default(),
    };
    if matches!(document.get("sinks"), Some(toml::Value::Array(a)) if a.is_empty()) {
        check.issue("sinks", Some("[]".into()), "needs at least one sink, e.g. sinks = [\"home\", \"death\"]: patients must be able to leave");
    }
    for (i, sink) in sinks.iter().enumerate() {
        check.name(&format!("sinks[{i}]"), sink, "sink");
        if sinks[..i].contains(sink) {
            check.issue(
                format!("sinks[{i}]"),
                Some(format!("{sink:?}")),
                "is listed twice; list each sink once",
            );
        }
    }

    // Services, each read on its own.
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

    // Names known from here on. Services that failed to parse still count
    // as names so that references to them do not raise a second error.
    let service_names: Vec<String> = match document.get("services") {
        Some(toml::Value::Table(t)) => t.keys().cloned().collect(),
        _ => Vec::new(),
    };
    let service_index: HashMap<&str, u32> = service_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let sink_index: HashMap<&str, u32> = sinks
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let resolver = Resolver {
        services: &service_index,
        sinks: &sink_index,
        service_names: &service_names,
        sink_names: &sinks,
    };

    let mut services: Vec<Option<Service>> = vec![None; service_names.len()];
    let mut default_pathways: Vec<(Option<Distribution>, Option<RouteTable>)> =
        vec![(None, None); service_names.len()];
    // Where each service sends the patients it cannot take: at once when
    // full, or after a maximum wait (the wait, in days).
    let mut divert_edges: Vec<Option<Diversion>> = vec![None; service_names.len()];
    for (service_name, pending_service) in &pending {
        let index = service_index[service_name.as_str()] as usize;
        let path = &pending_service.path;
        let raw = &pending_service.raw;
        if let Some(service) =
            validate_service(&mut check, path, service_name, raw, &resolver, run.as_ref())
        {
            divert_edges[index] = match service.when_full {
                FullPolicy::Overflow(Overflow::Divert(to)) => Some(Diversion {
                    to: to.0,
                    path: format!("{path}.divert_to"),
                    after_wait: None,
                }),
                FullPolicy::Wait {
                    then: Overflow::Divert(to),
                    max_wait_days,
                } => Some(Diversion {
                    to: to.0,
                    path: format!("{path}.divert_to"),
                    after_wait: max_wait_days,
                }),
                _ => None,
            };
            services[index] = Some(service);
        }
        let stay = raw
            .stay
            .as_ref()
            .and_then(|d| check.distribution(&format!("{path}.stay"), d));
        let routes = raw
            .routes
            .as_ref()
            .and_then(|r| resolver.routes(&mut check, &format!("{path}.routes"), service_name, r));
        default_pathways[index] = (stay, routes);
    }

    // Diversions must not loop: through immediate ones a patient would
    // bounce forever at one instant, and through a maximum wait round and
    // round for as long as the services stay full (a wait of 0.0001 days
    // made 227 million events in 30 simulated days).
    // Each service diverts to at most one other, so one walk per service,
    // never revisiting a service, finds every loop in linear time (a walk
    // that restarted at every service was cubic in a long chain). Each
    // loop is reported once, at its first service in file order.
    let mut state = vec![0u8; divert_edges.len()]; // 0 new, 1 on this walk, 2 done
    let mut loop_starts = Vec::new();
    for first in 0..divert_edges.len() {
        let mut walk = Vec::new();
        let mut current = first;
        while state[current] == 0 {
            state[current] = 1;
            walk.push(current);
            match &divert_edges[current] {
                Some(diversion) => current = diversion.to as usize,
                None => break,
            }
        }
        if state[current] == 1 && divert_edges[current].is_some() {
            let at = walk.iter().position(|&i| i == current).unwrap_or(0);
            loop_starts.push(walk[at..].iter().copied().min().unwrap_or(current));
        }
        for i in walk {
            state[i] = 2;
        }
    }
    loop_starts.sort_unstable();
    for start in loop_starts {
        let mut cycle = vec![service_names[start].as_str()];
        let mut waits = Vec::new();
        let mut current = start;
        while let Some(diversion) = &divert_edges[current] {
            if let Some(days) = diversion.after_wait {
                waits.push(format!(
                    "`{}` after its max_wait_days = {}",
                    service_names[current],
                    show(days)
                ));
            }
            current = diversion.to as usize;
            cycle.push(service_names[current].as_str());
            if current == start {
                break;
            }
        }
        let path = divert_edges[start]
            .as_ref()
            .map(|d| d.path.clone())
            .unwrap_or_default();
        let message = if waits.is_empty() {
            format!(
                "diversions when full form a loop ({}); let one of these services wait or lose patients instead",
                cycle.join(" → ")
            )
        } else {
            format!(
                "diversions form a loop ({}; {}): patients would go round it for as long as these services are full; let one of them wait without a limit, or lose patients instead (when_full or after_max_wait = \"lose\")",
                cycle.join(" → "),
                waits.join(", ")
            )
        };
        check.issue(path, None, message);
    }

    // Patient types.
    let mut patient_types = Vec::new();
    let mut type_overrides = Vec::new();
    match document.get("patient_types") {
        None => check.issue("patient_types", None, "at least one patient type is needed, e.g. [patient_types.emergency] with arrive_at and rate_per_day"),
        Some(toml::Value::Table(table)) => {
            if table.is_empty() {
                check.issue("patient_types", None, "at least one patient type is needed");
            }
            for (type_name, value) in table {
                let path = format!("patient_types.{type_name}");
                check.name(&path, type_name, "patient type");
                if check.double_brackets(&path, value) {
                    continue;
                }
                let Some(raw) = check.section::<RawPatientType>(&path, value.clone()) else { continue };
                if let Some((patient_type, overrides)) = validate_patient_type(&mut check, &path, type_name, &raw, &resolver) {
                    patient_types.push(patient_type);
                    type_overrides.push((path, overrides));
                }
            }
        }
        Some(other) => check.issue("patient_types", Some(other.type_str().to_string()), "must be a table of patient types, e.g. [patient_types.emergency]"),
    }

    let all_services_valid =
        services.iter().all(Option::is_some) && pending.len() == service_names.len();
    if !check.issues.is_empty() || !all_services_valid {
        return Err(check.issues);
    }
    let services: Vec<Service> = services.into_iter().flatten().collect();

    // Pathways: follow each type from its arrival service through routes
    // and diversions; each service reached needs a stay and routes.
    let n_services = services.len();
    if patient_types.len().saturating_mul(n_services) > MAX_TYPE_SERVICE_PAIRS {
        check.issue(
            "patient_types",
            None,
            format!(
                "{} patient types × {} services is more than {MAX_TYPE_SERVICE_PAIRS} (type, service) pairs, each with its own pathway: more than a replication can hold; use fewer types or services",
                patient_types.len(),
                n_services
            ),
        );
        return Err(check.issues);
    }
    let mut pathways: Vec<Option<Pathway>> = vec![None; patient_types.len() * n_services];
    for (t, (patient_type, (type_path, overrides))) in
        patient_types.iter().zip(&type_overrides).enumerate()
    {
        let mut reached = BTreeSet::new();
        let mut frontier = vec![(patient_type.arrive_at.0, format!("{type_path}.arrive_at"))];
        while let Some((s, via)) = frontier.pop() {
            if !reached.insert(s) {
                continue;
            }
            let si = s as usize;
            let service_name = &service_names[si];
            let stay = overrides
                .stays
                .get(&s)
                .cloned()
                .or_else(|| default_pathways[si].0.clone());
            let routes = overrides
                .routes
                .get(&s)
                .cloned()
                .or_else(|| default_pathways[si].1.clone());
            if stay.is_none() {
                check.issue(
                    type_path.clone(),
                    None,
                    format!("patients of this type reach service `{service_name}` (via {via}) but no stay is given for them there; add `stay` to [services.{service_name}] or `stay.{service_name}` to [{type_path}]"),
                );
            }
            if routes.is_none() {
                check.issue(
                    type_path.clone(),
                    None,
                    format!("patients of this type reach service `{service_name}` (via {via}) but no routes say where they go next; add `routes` to [services.{service_name}] or `routes.{service_name}` to [{type_path}]"),
                );
            }
            if let Some(routes) = &routes {
                for (_, destination) in routes.choices() {
                    if let Destination::Service(next) = destination {
                        frontier.push((next.0, format!("routes of services.{service_name}")));
                    }
                }
            }
            if let Some(diversion) = &divert_edges[si] {
                frontier.push((diversion.to, format!("services.{service_name}.divert_to")));
            }
            if let (Some(stay), Some(routes)) = (stay, routes) {
                pathways[t * n_services + si] = Some(Pathway::new(stay, routes));
            }
        }
        let overridden: BTreeSet<u32> = overrides
            .stays
            .keys()
            .chain(overrides.routes.keys())
            .copied()
            .collect();
        for s in &overridden {
            if !reached.contains(s) {
                // Harmless but probably a mistake: say so.
                check.issue(
                    type_path.clone(),
                    None,
                    format!("gives a stay or routes for service `{}`, which this type never reaches from `{}`; remove it or add a route to it", service_names[*s as usize], service_names[patient_type.arrive_at.index()]),
                );
            }
        }
    }
    if check.issues.is_empty() {
        check_exits_and_diversions(
            &mut check,
            &patient_types,
            &pathways,
            &service_names,
            &sinks,
            &services,
            &divert_edges,
        );
    }
    let mut services = services;
    for (service_name, pending_service) in &pending {
        let si = service_index[service_name.as_str()] as usize;
        if let Some(groups) = &pending_service.raw.initial {
            services[si].census = validate_initial(
                &mut check,
                &format!("{}.initial", pending_service.path),
                groups,
                &patient_types,
                |t| pathways[t * n_services + si].is_some(),
                services[si].capacity,
            );
        }
    }
    if !check.issues.is_empty() {
        return Err(check.issues);
    }
    let Some(run) = run else {
        return Err(check.issues);
    };
    Ok(Network {
        name,
        title,
        description,
        run,
        services,
        sinks,
        patient_types,
        pathways,
        layout: None,
        parameters: Vec::new(),
    })
}

/// Where a service sends the patients it cannot take: at once when full
/// (`after_wait` None), or after a maximum wait of that many days.
#[derive(Clone, Debug)]
struct Diversion {
    to: u32,
    /// The `divert_to` key, for messages.
    path: String,
    after_wait: Option<f64>,
}

/// A way out of a loop of routes taken less often than this, per move, is
/// no way out: each patient in the loop would make more than a million
/// moves, on average, before leaving (the baseline averages under three
/// per patient), and with short stays the run would never end. It is also
/// the tolerance within which route probabilities must add up to 1, so a
/// smaller way out cannot be told from rounding.
const NEGLIGIBLE_WAY_OUT: f64 = 1e-6;

/// Which routes of a table count as a way on when checking for loops with
/// only a negligible way out: all but the least likely ones whose
/// probabilities together are below [`NEGLIGIBLE_WAY_OUT`] (routes of equal
/// probability are kept or dropped together). From any service, the
/// dropped routes are then taken less than once in a million moves.
fn likely_routes(table: &RouteTable) -> Vec<bool> {
    let mut probabilities: Vec<f64> = table.choices().map(|(p, _)| p).collect();
    probabilities.sort_by(f64::total_cmp);
    let (mut total, mut cutoff) = (0.0, 0.0);
    let mut i = 0;
    while i < probabilities.len() {
        let p = probabilities[i];
        let same = probabilities[i..].iter().take_while(|q| **q == p).count();
        if total + p * same as f64 >= NEGLIGIBLE_WAY_OUT {
            break;
        }
        total += p * same as f64;
        cutoff = p;
        i += same;
    }
    table.choices().map(|(p, _)| p > cutoff).collect()
}

/// Two pathway checks that need every route resolved:
/// - from every service a type reaches, some chain of routes leads to a
///   sink (otherwise those patients can never leave and the services
///   gridlock), and not only through routes too unlikely to count
///   ([`NEGLIGIBLE_WAY_OUT`]: a route of probability 1e-300 out of a loop
///   whose stays were a millionth of a day made 280 million events in 30
///   simulated days);
/// - a transfer from S to T is never diverted (by T being full) back to S,
///   the service the patient is leaving: they would wait for a second place
///   while holding the first, a deadlock.
///
/// Both searches for a way out go back from the sinks along the routes
/// once, so they take time in proportion to the routes.
fn check_exits_and_diversions(
    check: &mut Checker,
    patient_types: &[PatientType],
    pathways: &[Option<Pathway>],
    service_names: &[String],
    sink_names: &[String],
    services: &[Service],
    divert_edges: &[Option<Diversion>],
) {
    let n = service_names.len();
    let mut reported = BTreeSet::new();
    // A service that loses or diverts patients (when full or after a
    // maximum wait) may let them out of a loop of routes, however unlikely
    // its routes out are: it is not judged by its routes alone.
    let sheds: Vec<bool> = services
        .iter()
        .map(|s| {
            !matches!(
                s.when_full,
                FullPolicy::Wait {
                    max_wait_days: None,
                    ..
                }
            )
        })
        .collect();
    for (t, patient_type) in patient_types.iter().enumerate() {
        let routes = |s: usize| pathways[t * n + s].as_ref().map(|p| &p.routes);
        let likely: Vec<Vec<bool>> = (0..n)
            .map(|s| routes(s).map(likely_routes).unwrap_or_default())
            .collect();
        // Services from which a sink can be reached by any route (`exits`),
        // and by likely routes or a service that sheds patients (`out`).
        let mut into: Vec<Vec<(u32, bool)>> = vec![Vec::new(); n];
        let mut exits = vec![false; n];
        let mut out = vec![false; n];
        let (mut to_visit, mut likely_to_visit) = (Vec::new(), Vec::new());
        for s in 0..n {
            let Some(table) = routes(s) else { continue };
            for ((_, destination), &kept) in table.choices().zip(&likely[s]) {
                match destination {
                    Destination::Sink(_) => {
                        exits[s] = true;
                        out[s] |= kept;
                    }
                    Destination::Service(next) => into[next.index()].push((s as u32, kept)),
                }
            }
            out[s] |= sheds[s];
            if exits[s] {
                to_visit.push(s);
            }
            if out[s] {
                likely_to_visit.push(s);
            }
        }
        while let Some(s) = to_visit.pop() {
            for &(from, _) in &into[s] {
                if !exits[from as usize] {
                    exits[from as usize] = true;
                    to_visit.push(from as usize);
                }
            }
        }
        while let Some(s) = likely_to_visit.pop() {
            for &(from, kept) in &into[s] {
                if kept && !out[from as usize] {
                    out[from as usize] = true;
                    likely_to_visit.push(from as usize);
                }
            }
        }
        // For each service that can leave only unlikely, one unlikely way
        // out it leads to, to name in the message: found back from the
        // services that have one, along the routes between such services.
        let mut way_out: Vec<Option<(usize, String)>> = vec![None; n];
        let mut from_way_out = Vec::new();
        for s in 0..n {
            let Some(table) = routes(s) else { continue };
            if out[s] || !exits[s] {
                continue;
            }
            let unlikely = table.choices().zip(&likely[s]).find(|((_, d), kept)| {
                !**kept
                    && match d {
                        Destination::Sink(_) => true,
                        Destination::Service(next) => out[next.index()],
                    }
            });
            if let Some(((_, d), _)) = unlikely {
                let name = match d {
                    Destination::Service(next) => service_names[next.index()].clone(),
                    Destination::Sink(k) => sink_names[k.index()].clone(),
                };
                way_out[s] = Some((s, name));
                from_way_out.push(s);
            }
        }
        while let Some(s) = from_way_out.pop() {
            for &(from, _) in &into[s] {
                let from = from as usize;
                if way_out[from].is_none() && exits[from] && !out[from] {
                    way_out[from] = way_out[s].clone();
                    from_way_out.push(from);
                }
            }
        }
        for s in 0..n {
            let Some(table) = routes(s) else { continue };
            if !exits[s] {
                check.issue(
                    format!("patient_types.{}", patient_type.name),
                    None,
                    format!("patients of this type in service `{}` can never leave: no chain of routes from it reaches a sink; route some of them to a sink", service_names[s]),
                );
            } else if !out[s] {
                // (The route's probability is not shown: added to the
                // others it may round to nothing, as 1e-300 after 1.0 does.)
                let named = way_out[s].as_ref().map_or(String::new(), |(at, to)| {
                    format!(" (here `{}` → `{to}`)", service_names[*at])
                });
                check.issue(
                    format!("patient_types.{}", patient_type.name),
                    None,
                    format!("patients of this type in service `{}` leave only by routes taken less than once in a million moves{named}: on average each would move more than a million times before leaving; route more of them to a sink", service_names[s]),
                );
            }
            for (_, destination) in table.choices() {
                let Destination::Service(target) = destination else {
                    continue;
                };
                // Services the transfer can be diverted to from `target`.
                let mut current = target.index();
                let mut seen = vec![current];
                while let Some(diversion) = &divert_edges[current] {
                    let next = diversion.to as usize;
                    if next == s && reported.insert((s, target.index())) {
                        check.issue(
                            format!("services.{}.divert_to", service_names[current]),
                            Some(format!("{:?}", service_names[s])),
                            format!("patients routed from `{}` to `{}` would be diverted back to `{}`, the service they are leaving, and wait there for a second place (a deadlock); divert to another service, or let them wait or be lost", service_names[s], service_names[target.index()], service_names[s]),
                        );
                    }
                    if seen.contains(&next) {
                        break;
                    }
                    seen.push(next);
                    current = next;
                }
            }
        }
    }
}

/// A valid scenario name made from a file name: other characters become
/// `-` and the original's CRC-32 is added (so that the name stays unique),
/// and a reserved name gets a suffix.
fn name_from_file(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    // The name is the scenario's default output folder: a file name that
    // had to be changed (`東京` and `大阪` would both be `--`) gets a mark
    // of the original, so two files never share results/<name>/.
    if name != stem || name.len() > 64 {
        if !name.chars().any(|c| c.is_ascii_alphanumeric()) {
            name = "scenario".into();
        }
        name.truncate(55);
        name = format!("{name}-{:08x}", crc32fast::hash(stem.as_bytes()));
    }
    if RESERVED_NAMES.contains(&name.as_str()) {
        name.push_str("-scenario");
    }
    name
}

/// Resolves service and sink names.
struct Resolver<'a> {
    services: &'a HashMap<&'a str, u32>,
    sinks: &'a HashMap<&'a str, u32>,
    service_names: &'a [String],
    sink_names: &'a [String],
}

impl Resolver<'_> {
    fn service(&self, check: &mut Checker, path: &str, name: &str) -> Option<ServiceId> {
        match self.services.get(name) {
            Some(&i) => Some(ServiceId(i)),
            None => {
                check.issue(
                    path,
                    Some(format!("{name:?}")),
                    format!(
                        "no service has this name{}; services are {}",
                        did_you_mean(name, self.service_names.iter().map(String::as_str)),
                        self.list_services()
                    ),
                );
                None
            }
        }
    }

    fn list_services(&self) -> String {
        let names: Vec<&str> = self.service_names.iter().map(String::as_str).collect();
        quoted_list(&names)
    }

    fn destination(&self, check: &mut Checker, path: &str, name: &str) -> Option<Destination> {
        if let Some(&i) = self.services.get(name) {
            return Some(Destination::Service(ServiceId(i)));
        }
        if let Some(&i) = self.sinks.get(name) {
            return Some(Destination::Sink(SinkId(i)));
        }
        let all = self
            .service_names
            .iter()
            .chain(self.sink_names)
            .map(String::as_str);
        let sinks: Vec<&str> = self.sink_names.iter().map(String::as_str).collect();
        check.issue(
            path,
            Some(format!("{name:?}")),
            format!(
                "is neither a service nor a sink{}; services are {}, sinks are {} (add new sinks to `sinks = [...]`)",
                did_you_mean(name, all),
                self.list_services(),
                quoted_list(&sinks)
            ),
        );
        None
    }

    /// Routes out of service `from`.
    fn routes(
        &self,
        check: &mut Checker,
        path: &str,
        from: &str,
        raw: &[RawRoute],
    ) -> Option<RouteTable> {
        if raw.is_empty() {
            check.issue(
                path,
                Some("[]".into()),
                "needs at least one route, e.g. [{ to = \"home\", probability = 1.0 }]",
            );
            return None;
        }
        let mut choices = Vec::new();
        let mut ok = true;
        let mut total = 0.0;
        for (i, route) in raw.iter().enumerate() {
            let route_path = format!("{path}[{i}]");
            let destination = self.destination(check, &format!("{route_path}.to"), &route.to);
            if route.to == from {
                check.issue(
                    format!("{route_path}.to"),
                    Some(format!("{:?}", route.to)),
                    "a service cannot route to itself: the patient would need a second place while holding the first; lengthen the stay instead, or route to another service",
                );
                ok = false;
            }
            let probability = check.number_in(
                &format!("{route_path}.probability"),
                route.probability,
                0.0,
                1.0,
                "probability",
            );
            if raw[..i].iter().any(|r| r.to == route.to) {
                check.issue(format!("{route_path}.to"), Some(format!("{:?}", route.to)), "appears twice in these routes; give each destination once with the sum of its probabilities");
                ok = false;
            }
            match (destination, probability) {
                (Some(d), Some(p)) => {
                    total += p;
                    choices.push((p, d));
                }
                _ => ok = false,
            }
        }
        if ok && (total - 1.0).abs() > 1e-6 {
            let sum = show((total * 1e9).round() / 1e9);
            let gap = show(((1.0 - total).abs() * 1e9).round() / 1e9);
            // Too much can only be taken off; too little may be a route left out.
            let fix = if total > 1.0 {
                format!("lower them by {gap} in all")
            } else {
                format!("adjust them, or add a route for the remaining {gap}")
            };
            check.issue(
                path,
                None,
                format!("probabilities add up to {sum}, they must add up to 1 ({fix})"),
            );
            ok = false;
        }
        ok.then(|| RouteTable::new(&choices))
    }
}

fn validate_run(check: &mut Checker, value: Option<toml::Value>) -> Option<RunSettings> {
    let raw: RawRun = match value {
        None => RawRun::default(),
        Some(value) => check.section("run", value)?,
    };
    let start_date = match &raw.start_date {
        Some(value) => check.date("run.start_date", value),
        None => CalendarDate::new(2025, 4, 1),
    };
    let warmup_days = check.number_in(
        "run.warmup_days",
        raw.warmup_days.unwrap_or(0.0),
        0.0,
        MAX_DAYS,
        "days",
    );
    let horizon = raw.horizon_days.unwrap_or(365.0);
    let horizon_days = if horizon > 0.0 && horizon <= MAX_DAYS {
        Some(horizon)
    } else {
        check.issue(
            "run.horizon_days",
            Some(show(horizon)),
            format!("must be more than 0 days and at most {MAX_DAYS}"),
        );
        None
    };
    let replications = check.whole_in(
        "run.replications",
        raw.replications.unwrap_or(10) as f64,
        1.0,
        MAX_REPLICATIONS as f64,
        "replications",
    );
    let seed = match raw.seed {
        Some(seed) if seed < 0 => {
            check.issue(
                "run.seed",
                Some(seed.to_string()),
                "must be a whole number ≥ 0",
            );
            None
        }
        Some(seed) => Some(seed as u64),
        None => Some(1),
    };
    let thresholds = raw
        .occupancy_thresholds
        .unwrap_or_else(|| vec![0.85, 0.92, 0.95]);
    let mut thresholds_ok = true;
    for (i, t) in thresholds.iter().enumerate() {
        if !(t.is_finite() && *t > 0.0 && *t <= 1.0) {
            check.issue(
                format!("run.occupancy_thresholds[{i}]"),
                Some(show(*t)),
                "must be a fraction of capacity above 0 and at most 1, e.g. 0.92",
            );
            thresholds_ok = false;
        }
    }
    // Each threshold names a metric (to 0.001%): two the same would merge.
    let names: Vec<i64> = thresholds
        .iter()
        .map(|t| (t * 100_000.0).round() as i64)
        .collect();
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            check.issue(
                format!("run.occupancy_thresholds[{i}]"),
                Some(show(thresholds[i])),
                "is listed twice; list each threshold once",
            );
            thresholds_ok = false;
        }
    }
    if thresholds.len() > 10 {
        check.issue(
            "run.occupancy_thresholds",
            Some(format!("{} values", thresholds.len())),
            "give at most 10 thresholds",
        );
        thresholds_ok = false;
    }
    Some(RunSettings {
        start_date: start_date?,
        warmup_days: warmup_days?,
        horizon_days: horizon_days?,
        replications: replications? as u32,
        seed: seed?,
        occupancy_thresholds: if thresholds_ok {
            thresholds
        } else {
            return None;
        },
        max_people_in_system: MAX_PEOPLE_IN_SYSTEM,
        max_pending_events: 2 * MAX_PEOPLE_IN_SYSTEM,
        max_events_per_day: MAX_EVENTS_PER_DAY,
    })
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

fn validate_service(
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
        .map(|n| n as u32);
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
        discharge_weekday_factors: discharge_weekday_factors?,
        census: Vec::new(),
    })
}

/// Today's census of a service: each group's patient type must use the
/// service, and together they must fit its capacity.
fn validate_initial(
    check: &mut Checker,
    path: &str,
    groups: &[RawInitial],
    patient_types: &[PatientType],
    uses_service: impl Fn(usize) -> bool,
    capacity: Capacity,
) -> Vec<Census> {
    let mut census = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(t) = patient_types
            .iter()
            .position(|p| p.name == group.patient_type)
        else {
            check.issue(
                format!("{at}.patient_type"),
                Some(format!("{:?}", group.patient_type)),
                format!(
                    "is not a patient type{}",
                    did_you_mean(
                        &group.patient_type,
                        patient_types.iter().map(|p| p.name.as_str())
                    )
                ),
            );
            continue;
        };
        if !uses_service(t) {
            check.issue(
                format!("{at}.patient_type"),
                Some(format!("{:?}", group.patient_type)),
                "patients of this type never reach this service, so it has no stay or routes for them; choose a type that uses it",
            );
            continue;
        }
        let fit = group.fit_to_leave.unwrap_or(false);
        let start = match (&group.patients, &group.days_in) {
            (Some(n), None) => check
                .whole_in(&format!("{at}.patients"), *n, 0.0, MAX_CAPACITY, "patients")
                .map(|n| {
                    if fit {
                        CensusStart::FitToLeave { patients: n as u32 }
                    } else {
                        CensusStart::Equilibrium { patients: n as u32 }
                    }
                }),
            (None, Some(days)) if !fit => {
                let mut ok = days.len() as f64 <= MAX_CAPACITY;
                for (j, d) in days.iter().enumerate() {
                    ok &= check
                        .number_in(
                            &format!("{at}.days_in[{j}]"),
                            *d,
                            0.0,
                            MAX_DAYS,
                            "days already spent",
                        )
                        .is_some();
                }
                ok.then(|| CensusStart::DaysIn(days.clone()))
            }
            (None, Some(_)) => {
                check.issue(
                    format!("{at}.fit_to_leave"),
                    None,
                    "goes with `patients`, not `days_in`: patients fit to leave are ready now",
                );
                None
            }
            _ => {
                check.issue(
                    at.clone(),
                    None,
                    "needs either `patients` (part-way through their stays, or with fit_to_leave = true ready to leave) or `days_in` (days already spent, one value per patient)",
                );
                None
            }
        };
        if let Some(start) = start {
            census.push(Census {
                patient_type: PatientTypeId(t as u32),
                start,
            });
        }
    }
    let total: u64 = census.iter().map(|c| u64::from(c.start.patients())).sum();
    if let Capacity::Limited(places) = capacity
        && total > u64::from(places)
    {
        check.issue(
            path,
            Some(format!("{total} patients")),
            format!("more patients than the service's {places} places at the start; lower them or raise capacity"),
        );
    }
    census
}

pub(super) fn validate_opening(
    check: &mut Checker,
    path: &str,
    raw: &RawOpening,
) -> Option<OpeningHours> {
    let mut days = [false; 7];
    match &raw.days {
        None => days = [true; 7],
        Some(names) => {
            for (i, name) in names.iter().enumerate() {
                match Weekday::from_name(name) {
                    Some(w) => days[w.index()] = true,
                    None => check.issue(
                        format!("{path}.days[{i}]"),
                        Some(format!("{name:?}")),
                        format!("is not a weekday; use {}", quoted_list(&Weekday::NAMES)),
                    ),
                }
            }
            if names.is_empty() {
                check.issue(
                    format!("{path}.days"),
                    Some("[]".into()),
                    "needs at least one day; to close a service, set its capacity to 0",
                );
            }
        }
    }
    let open = check.number_in(
        &format!("{path}.open_hour"),
        raw.open_hour,
        0.0,
        24.0,
        "hour of the day",
    );
    let close = check.number_in(
        &format!("{path}.close_hour"),
        raw.close_hour,
        0.0,
        24.0,
        "hour of the day",
    );
    let (open, close) = (open?, close?);
    if close <= open {
        check.issue(
            format!("{path}.close_hour"),
            Some(show(close)),
            format!(
                "must be later than open_hour ({}); a unit open overnight is not supported yet",
                show(open)
            ),
        );
        return None;
    }
    Some(OpeningHours {
        days,
        open_hour: open,
        close_hour: close,
    })
}

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

/// A type's stay and route overrides by service.
struct TypeOverrides {
    stays: BTreeMap<u32, Distribution>,
    routes: BTreeMap<u32, RouteTable>,
}

fn validate_patient_type(
    check: &mut Checker,
    path: &str,
    name: &str,
    raw: &RawPatientType,
    resolver: &Resolver<'_>,
) -> Option<(PatientType, TypeOverrides)> {
    let before = check.issues.len();
    let arrive_at = match &raw.arrive_at {
        Some(service) => resolver.service(check, &format!("{path}.arrive_at"), service),
        None => {
            check.issue(
                path,
                None,
                "needs `arrive_at = \"<service>\"`: the service these patients ask for first",
            );
            None
        }
    };
    let rate_per_day = match raw.rate_per_day {
        Some(rate) => check.number_in(
            &format!("{path}.rate_per_day"),
            rate,
            0.0,
            MAX_RATE_PER_DAY,
            "mean arrivals per day",
        ),
        None => {
            check.issue(
                path,
                None,
                "needs `rate_per_day`: the mean number of arrivals per day (Poisson)",
            );
            None
        }
    };
    let monthly = match &raw.monthly_factors {
        None => Some(vec![1.0; 12]),
        Some(v) => check.factors(
            &format!("{path}.monthly_factors"),
            v,
            12,
            "month, January first",
        ),
    };
    let weekday = match &raw.weekday_factors {
        None => Some(vec![1.0; 7]),
        Some(v) => check.factors(
            &format!("{path}.weekday_factors"),
            v,
            7,
            "weekday, Monday first",
        ),
    };
    let growth_per_year = check.number_in(
        &format!("{path}.growth_per_year"),
        raw.growth_per_year.unwrap_or(0.0),
        -0.5,
        1.0,
        "fraction per year, e.g. 0.02 for +2%",
    );
    let mut overrides = TypeOverrides {
        stays: BTreeMap::new(),
        routes: BTreeMap::new(),
    };
    for (service_name, value) in raw.stay.iter().flatten() {
        let entry_path = format!("{path}.stay.{service_name}");
        let Some(service) = resolver.service(check, &entry_path, service_name) else {
            continue;
        };
        let Some(raw_stay) = check.section::<RawDistribution>(&entry_path, value.clone()) else {
            continue;
        };
        if let Some(d) = check.distribution(&entry_path, &raw_stay) {
            overrides.stays.insert(service.0, d);
        }
    }
    for (service_name, value) in raw.routes.iter().flatten() {
        let entry_path = format!("{path}.routes.{service_name}");
        let Some(service) = resolver.service(check, &entry_path, service_name) else {
            continue;
        };
        let Some(raw_routes) = check.section::<Vec<RawRoute>>(&entry_path, value.clone()) else {
            continue;
        };
        if let Some(r) = resolver.routes(check, &entry_path, service_name, &raw_routes) {
            overrides.routes.insert(service.0, r);
        }
    }
    if check.issues.len() > before {
        return None;
    }
    let monthly = monthly?;
    let weekday = weekday?;
    let mut monthly_factors = [0.0; 12];
    monthly_factors.copy_from_slice(&monthly);
    let mut weekday_factors = [0.0; 7];
    weekday_factors.copy_from_slice(&weekday);
    Some((
        PatientType {
            name: name.to_string(),
            description: raw.description.clone().unwrap_or_default(),
            arrive_at: arrive_at?,
            entry: None,
            rate_per_day: rate_per_day?,
            per_occupant_of: None,
            monthly_factors,
            weekday_factors,
            growth_per_year: growth_per_year?,
            rate_changes: Vec::new(),
            entry_changes: Vec::new(),
        },
        overrides,
    ))
}
