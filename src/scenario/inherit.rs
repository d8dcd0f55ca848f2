//! Scenario inheritance: `extends = "north-cumbria-baseline.toml"` at the
//! top of a file makes it state only what it changes.
//!
//! Resolution reads the chain of parents (paths relative to the file that
//! names them), refusing cycles, missing files and chains deeper than
//! [`MAX_DEPTH`], and merges each child over its parent:
//!
//! - a table merges key by key, recursively (`[sites.cumberland_infirmary]`
//!   with `adult_beds = 380` changes only the beds);
//! - a table with a `dist` key is one value (a distribution) and replaces
//!   the parent's whole, so its kind can change without stale keys;
//! - any other value, arrays included, replaces the parent's whole;
//! - `name`, `title` and `description` are never inherited: a child is
//!   another scenario, named by its own file unless it says otherwise.
//!
//! `extends` reads only `.toml` files that declare themselves scenarios
//! (`schema_version` or `extends` at the top). A parent outside the
//! scenario's own folder (after following symbolic links) is never quoted
//! in an error, and is listed in [`Resolved::outside`] for the caller to
//! name: a scenario file from elsewhere cannot use `extends` to read, or
//! print, another file quietly.
//!
//! The result is plain scenario text with no `extends`, written into every
//! batch's `scenario.toml`, so results never depend on the parent files.

use std::path::{Path, PathBuf};

use super::error::ScenarioError;

/// Longest chain of parents followed.
pub const MAX_DEPTH: usize = 16;

/// Keys a child never takes from its parent.
const OWN_KEYS: &[&str] = &["name", "title", "description"];

/// A scenario's text with its parents merged in, and the files it came
/// from (the scenario first, then its parent, grandparent ...).
#[derive(Clone, Debug)]
pub struct Resolved {
    pub text: String,
    pub chain: Vec<PathBuf>,
    /// Parents outside the scenario's own folder (symbolic links
    /// followed), which the caller should name to the user.
    pub outside: Vec<PathBuf>,
}

fn syntax(origin: &Path, e: toml::de::Error) -> ScenarioError {
    ScenarioError::Syntax {
        origin: origin.display().to_string(),
        message: e.to_string(),
    }
}

fn read_error(origin: &Path, reason: String) -> ScenarioError {
    ScenarioError::Read {
        origin: origin.display().to_string(),
        reason,
    }
}

/// Merges `child` over `parent` (see the module's rules).
pub fn merge(parent: &mut toml::Table, child: toml::Table) {
    for (key, value) in child {
        match (parent.get_mut(&key), value) {
            (Some(toml::Value::Table(into)), toml::Value::Table(from))
                if !from.contains_key("dist") =>
            {
                merge(into, from);
            }
            (_, value) => {
                parent.insert(key, value);
            }
        }
    }
}

/// `text` made safe for one TOML comment line: control characters
/// (newlines among them) are escaped, so a setting or a file name cannot
/// end the comment and write TOML of its own, nor make the text unreadable.
pub fn comment_text(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The comment lines a scenario opens with (a library scenario's
/// QUESTION). Rewritten text (merged, or changed by `--set`) keeps them, so
/// they go with the scenario into results and reports; other comments
/// cannot follow the values they annotate.
pub(crate) fn opening_comment(text: &str) -> String {
    text.lines()
        .take_while(|line| line.trim_start().starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Resolves `text` read from `path` (a file on disk). A scenario without
/// `extends` comes back unchanged, comments and all.
pub fn resolve(text: &str, path: &Path) -> Result<Resolved, ScenarioError> {
    let document: toml::Table = toml::from_str(text).map_err(|e| syntax(path, e))?;
    if !document.contains_key("extends") {
        return Ok(Resolved {
            text: text.to_string(),
            chain: vec![path.to_path_buf()],
            outside: Vec::new(),
        });
    }
    let mut chain = vec![path.to_path_buf()];
    let mut documents = vec![document];
    // The scenario's own folder: parents beyond it are read only if they
    // are scenarios, and are listed so that the caller can say so.
    // The folder is canonicalised, not the file: the file may not exist
    // yet (`iccsim new` checks its text first) or be a link elsewhere, and
    // its parents are found from the folder it is named in.
    let folder_of = |p: &Path| match p.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let home = std::fs::canonicalize(folder_of(path)).unwrap_or_else(|_| folder_of(path));
    let mut outside: Vec<PathBuf> = Vec::new();
    loop {
        let (current, document) = (chain.last().unwrap(), documents.last().unwrap());
        // Values read from a file outside the folder are never echoed.
        let beyond_here = outside.last() == Some(current);
        let shown = |value: String| (!beyond_here).then_some(value);
        let parent = match document.get("extends") {
            None => break,
            Some(toml::Value::String(parent)) => parent.clone(),
            Some(other) => {
                return Err(ScenarioError::Invalid {
                    origin: current.display().to_string(),
                    issues: vec![super::Issue {
                        path: "extends".into(),
                        value: shown(other.to_string()),
                        problem: "must be the path of the scenario this one changes, e.g. extends = \"north-cumbria-baseline.toml\" (relative to this file's folder)".into(),
                    }],
                });
            }
        };
        if !parent.to_ascii_lowercase().ends_with(".toml") {
            return Err(ScenarioError::Invalid {
                origin: current.display().to_string(),
                issues: vec![super::Issue {
                    path: "extends".into(),
                    value: shown(format!("{parent:?}")),
                    problem: "must name a scenario file ending in .toml; other files are not read"
                        .into(),
                }],
            });
        }
        let folder = current.parent().unwrap_or(Path::new("."));
        let parent_path = folder.join(&parent);
        let identity = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        if chain.iter().any(|c| identity(c) == identity(&parent_path)) {
            let mut names: Vec<String> = chain.iter().map(|c| c.display().to_string()).collect();
            names.push(parent_path.display().to_string());
            return Err(read_error(
                path,
                format!(
                    "its `extends` chain goes round in a circle: {}; a scenario cannot extend itself or one that extends it",
                    names.join(" → ")
                ),
            ));
        }
        if chain.len() > MAX_DEPTH {
            return Err(read_error(
                path,
                format!("its `extends` chain is more than {MAX_DEPTH} files deep"),
            ));
        }
        if !parent_path.is_file() {
            let reason = if beyond_here {
                "its `extends` names a file that does not exist".to_string()
            } else {
                format!(
                    "extends = \"{parent}\", but there is no file {} (the path is relative to this file's folder)",
                    parent_path.display()
                )
            };
            return Err(read_error(current, reason));
        }
        let parent_text = super::read_file(&parent_path)?;
        let beyond = !identity(&parent_path).starts_with(&home);
        let parent_document: toml::Table = if beyond {
            guarded_parse(&parent_text, &parent_path)?
        } else {
            toml::from_str(&parent_text).map_err(|e| syntax(&parent_path, e))?
        };
        if !is_scenario(&parent_document) {
            return Err(not_a_scenario(
                &parent_path,
                "has no `schema_version` (or `extends`) at its top",
            ));
        }
        if beyond {
            outside.push(parent_path.clone());
        }
        chain.push(parent_path);
        documents.push(parent_document);
    }
    // Merge from the root down; each child keeps its own identity keys.
    let mut documents = documents.into_iter().rev();
    let mut resolved = documents.next().unwrap_or_default();
    for mut child in documents {
        for key in OWN_KEYS {
            resolved.remove(*key);
        }
        child.remove("extends");
        merge(&mut resolved, child);
    }
    resolved.remove("extends");
    let opening = opening_comment(text);
    let header = format!(
        "# {} resolved: {}\n# (written by iccsim; of the originals' comments only this file's opening one is kept)\n{opening}",
        comment_text(&path.display().to_string()),
        comment_text(
            &chain
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(" extends ")
        )
    );
    let body = toml::to_string(&resolved).map_err(|e| read_error(path, e.to_string()))?;
    Ok(Resolved {
        text: format!("{header}{body}"),
        chain,
        outside,
    })
}

/// Whether a parsed file declares itself an iccsim scenario: only such
/// files are read as parents, so `extends` cannot pull another program's
/// TOML (credentials, say) into a scenario and its messages.
fn is_scenario(document: &toml::Table) -> bool {
    document.contains_key("schema_version") || document.contains_key("extends")
}

fn not_a_scenario(path: &Path, why: &str) -> ScenarioError {
    read_error(
        path,
        format!(
            "is named by `extends` but {why}; only iccsim scenarios are read as parents, and one outside the scenario's folder is never quoted"
        ),
    )
}

/// Parses a parent that lies outside the scenario's folder without ever
/// echoing its text: a syntax error gives only the line. So `extends`
/// cannot be used to print another file's contents.
fn guarded_parse(text: &str, path: &Path) -> Result<toml::Table, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .and_then(|span| text.get(..span.start))
            .map_or(1, |before| before.matches('\n').count() + 1);
        not_a_scenario(path, &format!("is not valid TOML (line {line})"))
    })
}

/// Reads a scenario file with its parents merged in.
pub fn read_resolved(path: &Path) -> Result<Resolved, ScenarioError> {
    let text = super::read_file(path)?;
    resolve(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_merge_distributions_and_arrays_replace() {
        let mut parent: toml::Table = toml::from_str(
            "name = \"p\"\n[s]\ncapacity = 10\nstay = { dist = \"lognormal\", mean = 4.0, sd = 2.0 }\nroutes = [1, 2]\n",
        )
        .unwrap();
        let child: toml::Table = toml::from_str(
            "[s]\ncapacity = 12\nstay = { dist = \"exponential\", mean = 3.0 }\nroutes = [3]\n",
        )
        .unwrap();
        merge(&mut parent, child);
        assert_eq!(parent["s"]["capacity"].as_integer(), Some(12));
        let stay = parent["s"]["stay"].as_table().unwrap();
        assert_eq!(stay.len(), 2, "no stale sd: {stay:?}");
        assert_eq!(parent["s"]["routes"].as_array().unwrap().len(), 1);
        assert_eq!(parent["name"].as_str(), Some("p"));
    }
}
