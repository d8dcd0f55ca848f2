//! Keys of a scenario: a TOML dotted key split into its parts and written
//! back, an issue's path split into keys, and whether two keys overlap.
//! Shared by `--set` (`overrides`), `extends` (`inherit`) and
//! `[uncertainty]`; depends on nothing else in `scenario`.

/// Splits a TOML dotted key into its parts (`a."85+".b` → a, 85+, b).
pub fn key_parts(key: &str) -> Result<Vec<String>, String> {
    let table: toml::Table = toml::from_str(&format!("{key} = 0")).map_err(|e| {
        format!(
            "`{key}` is not a TOML key (quote parts with dots or signs, e.g. age_bands.\"85+\".crisis_per_1000): {}",
            e.to_string().lines().next().unwrap_or_default()
        )
    })?;
    let mut parts = Vec::new();
    let mut here = &table;
    loop {
        // A key gives exactly one entry at each level; anything else was
        // more than a key (e.g. `a = 1\nb`).
        let mut entries = here.iter();
        let (Some((name, value)), None) = (entries.next(), entries.next()) else {
            return Err(format!("`{key}` is not one TOML key"));
        };
        parts.push(name.clone());
        match value {
            toml::Value::Table(inner) => here = inner,
            _ => return Ok(parts),
        }
    }
}

/// A key's parts written back as a TOML dotted key, quoting only the parts
/// that need it: `age_bands."85+".crisis_per_1000`.
pub fn canonical_key(path: &[String]) -> String {
    path.iter()
        .map(|part| {
            let bare = !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if bare {
                part.clone()
            } else {
                toml::Value::String(part.clone()).to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether a setting of `a` changes `b` or the other way round: the same
/// key, or one inside the other (setting a table replaces its values).
pub fn keys_overlap(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// An issue's path split into its keys: dots separate them, quoted parts
/// (`"85+"`, `'a.b'`) are one key, and `[1]` is kept as a part of its own.
pub fn issue_parts(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' => parts.push(std::mem::take(&mut current)),
            '[' => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current));
                }
                let mut index = String::from("[");
                for c in chars.by_ref() {
                    index.push(c);
                    if c == ']' {
                        break;
                    }
                }
                parts.push(index);
                if chars.peek() == Some(&'.') {
                    chars.next();
                }
            }
            '"' => {
                let mut quoted = String::from('"');
                while let Some(c) = chars.next() {
                    quoted.push(c);
                    match c {
                        '\\' => quoted.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
                // The TOML reader unescapes it, as it did the file's key.
                match toml::from_str::<toml::Table>(&format!("k = {quoted}")) {
                    Ok(t) => current.push_str(t["k"].as_str().unwrap_or_default()),
                    Err(_) => current.push_str(&quoted),
                }
            }
            '\'' => current.extend(chars.by_ref().take_while(|c| *c != '\'')),
            c => current.push(c),
        }
    }
    if !current.is_empty() || path.ends_with('.') {
        parts.push(current);
    }
    parts
}
