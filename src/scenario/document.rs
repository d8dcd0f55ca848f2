//! The first stage of validation: which kind of scenario a document is,
//! and what every scenario has (`schema_version`, `name`, `title`,
//! `description`, `[run]`); then the document goes to `network` (a network
//! written service by service) or to `system` (a whole system: a population
//! in ICCs, compiled into a network). Last, a network that would not fit in
//! memory is refused.
//!
//! Depends on `check`, `run`, `network` and `system`; nothing in `scenario`
//! but `source` (and the compatibility `validate`) depends on it.

use super::check::{Checker, RESERVED_NAMES, quoted_list};
use super::error::{Issue, did_you_mean};
use super::raw::TOP_LEVEL_KEYS;
use super::run::validate_run;
use super::system::{SYSTEM_KEYS, validate_system};
use crate::model::{MAX_REPLICATION_BYTES, Network};

/// The only scenario format version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Builds a network from a parsed TOML document, or returns every problem.
pub fn validate_document(document: toml::Table, default_name: &str) -> Result<Network, Vec<Issue>> {
    validate_document_with_warnings(document, default_name).map(|(network, _)| network)
}

/// As [`validate_document`], with the warnings about what was accepted
/// but changed (route probabilities scaled to add up to 1).
pub fn validate_document_with_warnings(
    document: toml::Table,
    default_name: &str,
) -> Result<(Network, Vec<Issue>), Vec<Issue>> {
    let (network, warnings) = validate_shape(document, default_name)?;
    check_memory(&network)?;
    Ok((network, warnings))
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

/// Reads what every scenario has, then hands the document to the stage
/// for its kind.
fn validate_shape(
    document: toml::Table,
    default_name: &str,
) -> Result<(Network, Vec<Issue>), Vec<Issue>> {
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
            Some(network) if check.issues.is_empty() => Ok((network, check.warnings)),
            _ => Err(check.issues),
        };
    }
    super::network::validate_network(check, &document, name, title, description, run)
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
