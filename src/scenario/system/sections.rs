//! Reading a whole-system section with serde: a required table, or a
//! table of named tables (`[sites.X]`, `[iccs.Y]`) in file order.

use crate::scenario::check::Checker;

/// Reads a required section with serde.
pub(super) fn section<T: serde::de::DeserializeOwned>(
    check: &mut Checker,
    document: &toml::Table,
    key: &str,
    example: &str,
) -> Option<T> {
    match document.get(key) {
        None => {
            check.issue(
                key,
                None,
                format!("is missing; a whole-system scenario needs it, e.g. {example}"),
            );
            None
        }
        Some(value) => check.section(key, value.clone()),
    }
}

/// Reads `[key.name]` tables in file order.
pub(super) fn named_sections<T: serde::de::DeserializeOwned>(
    check: &mut Checker,
    document: &toml::Table,
    key: &str,
    what: &str,
    example: &str,
) -> Vec<(String, Option<T>)> {
    match document.get(key) {
        None => {
            check.issue(
                key,
                None,
                format!("is missing; add at least one {what}, e.g. {example}"),
            );
            Vec::new()
        }
        Some(toml::Value::Table(table)) => {
            if table.is_empty() {
                check.issue(
                    key,
                    None,
                    format!("needs at least one {what}, e.g. {example}"),
                );
            }
            table
                .iter()
                .map(|(name, value)| {
                    let path = format!("{key}.{name}");
                    check.name(&path, name, what);
                    let parsed = if check.double_brackets(&path, value) {
                        None
                    } else {
                        check.section::<T>(&path, value.clone())
                    };
                    (name.clone(), parsed)
                })
                .collect()
        }
        Some(other) => {
            check.issue(
                key,
                Some(other.type_str().to_string()),
                format!("must be a table of {what}s, e.g. {example}"),
            );
            Vec::new()
        }
    }
}

/// The first `N` values (their count was checked).
pub(super) fn array<const N: usize>(values: &[f64]) -> [f64; N] {
    let mut out = [0.0; N];
    out.copy_from_slice(&values[..N]);
    out
}
