//! Scenario inheritance: `extends = "north-cumbria-baseline.toml"` at the
//! top of a file makes it state only what it changes.
//!
//! Resolution reads the chain of parents (paths relative to the file that
//! names them), refusing cycles, missing files, anything but regular files,
//! chains deeper than [`MAX_DEPTH`] and chains of more than
//! [`super::MAX_FILE_BYTES`] in all (so that neither one parent nor many
//! can fill memory), and merges each child over its parent:
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
//! print, another file quietly. Its values reach validation merged into
//! one document, so [`Origins`] records which keys it gave: an error about
//! such a key says where the value came from instead of quoting it.
//!
//! The result is plain scenario text with no `extends`, written into every
//! batch's `scenario.toml`, so results never depend on the parent files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::{Issue, ScenarioError};
use super::keys::{canonical_key, issue_parts};

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
    /// The keys whose values those parents gave.
    pub origins: Origins,
    /// Values a file gives plainly that a parent draws in its
    /// `[uncertainty]`: refused with the scenario's other problems.
    pub drawn_over: Vec<Issue>,
}

impl Resolved {
    /// Text that extends nothing (the built-in default): all its own.
    pub fn own(text: String) -> Resolved {
        Resolved {
            text,
            chain: Vec::new(),
            outside: Vec::new(),
            origins: Origins::default(),
            drawn_over: Vec::new(),
        }
    }
}

/// Which values of a merged scenario came from a parent outside the
/// scenario's folder, by key path, so that an error about one names the
/// file instead of quoting the value (validation sees only the merged
/// document). A path marked here covers everything under it; the longest
/// marked prefix of an error's path decides, so a key the user set again
/// (`--set`, or a draw of their own uncertain value) is theirs.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    /// Key path → the outside file (an index into `files`), or `None` for
    /// the user's own value.
    by_path: HashMap<Vec<String>, Option<usize>>,
    /// The same, keyed by the parts joined with dots and unquoted, as
    /// serde's error paths write them (a name with a dot in it cannot be
    /// told apart there, so both forms are looked up).
    by_dotted: HashMap<String, Option<usize>>,
    files: Vec<PathBuf>,
}

impl Origins {
    /// Whether no value came from outside.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    fn file_index(&mut self, file: &Path) -> usize {
        match self.files.iter().position(|f| f == file) {
            Some(i) => i,
            None => {
                self.files.push(file.to_path_buf());
                self.files.len() - 1
            }
        }
    }

    fn mark(&mut self, path: Vec<String>, file: Option<usize>) {
        self.by_dotted.insert(path.join("."), file);
        self.by_path.insert(path, file);
    }

    /// Marks the value at `path` as the user's own (a setting replaced it).
    pub fn mark_own(&mut self, path: Vec<String>) {
        if !self.is_empty() {
            self.mark(path, None);
        }
    }

    /// Marks the value at `path` as coming from the outside file `file`.
    pub(crate) fn mark_outside(&mut self, path: Vec<String>, file: &Path) {
        let index = self.file_index(file);
        self.mark(path, Some(index));
    }

    /// The outside file the value at `path` (key parts) came from.
    pub fn outside_file(&self, path: &[String]) -> Option<&Path> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.by_path.get(&path[..n]))
            .copied()
            .flatten()
            .map(|i| self.files[i].as_path())
    }

    /// The outside file the value an issue is about came from, and the key
    /// to set to replace it, judged from the issue's path
    /// (`services.ward.routes[1].to`, `age_bands."85+".share`).
    fn issue_origin(&self, issue_path: &str) -> Option<(&Path, String)> {
        let parts = issue_parts(issue_path);
        let by_parts = (1..=parts.len()).rev().find_map(|n| {
            self.by_path
                .get(&parts[..n])
                .map(|file| (*file, canonical_key(&parts[..n])))
        });
        let by_dotted = || {
            let ends = issue_path
                .char_indices()
                .filter(|(_, c)| matches!(c, '.' | '['))
                .map(|(i, _)| i)
                .chain(std::iter::once(issue_path.len()));
            let mut ends: Vec<usize> = ends.collect();
            ends.reverse();
            ends.into_iter().find_map(|end| {
                self.by_dotted
                    .get(&issue_path[..end])
                    .map(|file| (*file, issue_path[..end].to_string()))
            })
        };
        let (file, key) = by_parts.or_else(by_dotted)?;
        Some((self.files[file?].as_path(), key))
    }

    /// The issues, each about a value from outside the folder said without
    /// that value: its key, the file it came from and the fix. The
    /// problem text goes too, since it may quote the value (a misspelt
    /// word, a serde message).
    pub fn redact(&self, issues: Vec<Issue>) -> Vec<Issue> {
        if self.is_empty() {
            return issues;
        }
        let mut out: Vec<Issue> = Vec::with_capacity(issues.len());
        for issue in issues {
            let issue = match self.issue_origin(&issue.path) {
                None => issue,
                Some((file, key)) => Issue {
                    path: issue.path,
                    value: None,
                    problem: format!(
                        "the value here comes from {}, outside this scenario's folder, and is not valid in this scenario (values from outside the folder are never quoted); give `{key}` a value in this scenario, or check that file with `iccsim validate`",
                        comment_text(&file.display().to_string())
                    ),
                },
            };
            if !out.contains(&issue) {
                out.push(issue);
            }
        }
        out
    }

    /// Records where each value of `merged` came from: the first of
    /// `documents` (the scenario first, then its parents) that has it;
    /// `outside_files[i]` is document i's file when it is outside the
    /// folder. A distribution is one value, outside if any of it is; a
    /// table is outside when all its values are. Returns (all outside,
    /// some outside file, values) for the caller's table.
    /// Within a distribution (`in_value`), only the whole is marked.
    fn trace(
        &mut self,
        merged: &toml::Table,
        documents: &[Option<&toml::Table>],
        outside_files: &[Option<&Path>],
        path: &mut Vec<String>,
        in_value: bool,
    ) -> (bool, Option<usize>, usize) {
        let (mut all, mut any, mut count) = (true, None, 0);
        for (key, value) in merged {
            path.push(key.clone());
            let first = documents
                .iter()
                .position(|d| d.is_some_and(|t| t.contains_key(key)));
            let (inner_all, inner_any, inner_count) = match value {
                toml::Value::Table(inner) => {
                    let below: Vec<Option<&toml::Table>> = documents
                        .iter()
                        .map(|d| d.and_then(|t| t.get(key)).and_then(toml::Value::as_table))
                        .collect();
                    let distribution = in_value || inner.contains_key("dist");
                    let (all, any, count) =
                        self.trace(inner, &below, outside_files, path, distribution);
                    let whole = if distribution {
                        any.is_some()
                    } else {
                        all && count > 0
                    };
                    if whole && !in_value {
                        self.mark(path.clone(), any);
                    }
                    (all, any, count)
                }
                _ => match first.and_then(|i| outside_files[i]) {
                    Some(file) => {
                        let index = self.file_index(file);
                        if !in_value {
                            self.mark(path.clone(), Some(index));
                        }
                        (true, Some(index), 1)
                    }
                    None => (false, None, 1),
                },
            };
            all &= inner_all;
            any = any.or(inner_any);
            count += inner_count;
            path.pop();
        }
        (all, any, count)
    }
}

fn syntax(origin: &Path, text: &str, e: toml::de::Error) -> ScenarioError {
    ScenarioError::Syntax {
        origin: origin.display().to_string(),
        message: super::syntax_message(text, &e),
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

/// The keys of `document`'s `[uncertainty]`, canonical.
fn uncertain_keys(document: &toml::Table) -> Vec<String> {
    match document.get("uncertainty") {
        Some(toml::Value::Table(table)) => table
            .keys()
            .map(|key| canonical_key(&issue_parts(key)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A value `child` gives plainly that its parents draw in their
/// `[uncertainty]` (and the child does not draw itself): each replication
/// would draw over it, so the file's value would change nothing, silently.
fn drawn_over(parent: &toml::Table, child: &toml::Table) -> Vec<Issue> {
    let drawn = uncertain_keys(parent);
    if drawn.is_empty() {
        return Vec::new();
    }
    let own = uncertain_keys(child);
    let mut leaves = Vec::new();
    collect_leaves(child, &mut Vec::new(), &mut leaves);
    leaves
        .into_iter()
        .filter(|(key, _)| drawn.contains(key) && !own.contains(key))
        .map(|(key, value)| Issue {
            problem: format!(
                "is uncertain in the file this one extends ([uncertainty]): each replication draws it, so this value would change nothing; to hold it at a value, write uncertainty.{} = {{ dist = \"fixed\", value = {value} }} in this file instead",
                toml::Value::String(key.clone())
            ),
            value: Some(value),
            path: key,
        })
        .collect()
}

/// Every value of `table` but its `[uncertainty]`, with its canonical key
/// (a distribution is one value).
fn collect_leaves(table: &toml::Table, at: &mut Vec<String>, out: &mut Vec<(String, String)>) {
    for (key, value) in table {
        if at.is_empty() && key == "uncertainty" {
            continue;
        }
        at.push(key.clone());
        match value {
            toml::Value::Table(inner) if !inner.contains_key("dist") => {
                collect_leaves(inner, at, out);
            }
            value => out.push((canonical_key(at), value.to_string())),
        }
        at.pop();
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
    resolve_on(text, path, None)
}

/// Resolves `text` read from `path`, with the root of its `extends` chain
/// (the file that extends nothing, usually a whole system such as
/// north-cumbria-baseline.toml) replaced by the scenario at `on` when one
/// is given: so a library scenario that states only its changes runs on
/// another system unchanged (`iccsim run --on`). A scenario that is itself
/// a root is replaced whole. Values the changes name that the other system
/// lacks (an ICC, a band) are refused by validation as for any scenario.
pub fn resolve_on(text: &str, path: &Path, on: Option<&Path>) -> Result<Resolved, ScenarioError> {
    let document: toml::Table = toml::from_str(text).map_err(|e| syntax(path, text, e))?;
    if !document.contains_key("extends") {
        return match on {
            Some(system) => read_resolved(system),
            None => Ok(Resolved {
                chain: vec![path.to_path_buf()],
                ..Resolved::own(text.to_string())
            }),
        };
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
    // The whole chain shares one budget: 17 files of 16 MiB each parsed
    // together took over 5 GB.
    let mut bytes_read = text.len() as u64;
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
        if !parent_path.exists() {
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
        // A pipe, a device or a folder is refused here, unopened; a file
        // that never ends (`/proc/self/pagemap`) at the budget.
        let budget = super::MAX_FILE_BYTES.saturating_sub(bytes_read);
        let parent_text = super::read_capped(&parent_path, budget, || {
            format!(
                "with the files before it in the `extends` chain of {}, it is more than {} bytes (16 MiB), the most a scenario and all its parents may be together",
                path.display(),
                super::MAX_FILE_BYTES
            )
        })?;
        bytes_read += parent_text.len() as u64;
        let beyond = !identity(&parent_path).starts_with(&home);
        let parent_document: toml::Table = if beyond {
            guarded_parse(&parent_text, &parent_path)?
        } else {
            toml::from_str(&parent_text).map_err(|e| syntax(&parent_path, &parent_text, e))?
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
    // `--on`: the chain's root gives way to the other system, itself
    // resolved (it may extend a file of its own). It was named on the
    // command line, so it is the user's, never an outside parent.
    let mut replaced_root = None;
    if let Some(system) = on {
        let root = chain.pop().unwrap_or_default();
        documents.pop();
        outside.retain(|o| o != &root);
        let system_resolved = read_resolved(system)?;
        let system_document: toml::Table = toml::from_str(&system_resolved.text)
            .map_err(|e| syntax(system, &system_resolved.text, e))?;
        documents.push(system_document);
        chain.push(system.to_path_buf());
        replaced_root = Some(root);
    }
    // Merge from the root down; each child keeps its own identity keys.
    let mut merged = documents.last().cloned().unwrap_or_default();
    let mut drawn = Vec::new();
    for child in documents.iter().rev().skip(1) {
        for key in OWN_KEYS {
            merged.remove(*key);
        }
        let mut child = child.clone();
        child.remove("extends");
        drawn.extend(drawn_over(&merged, &child));
        merge(&mut merged, child);
    }
    merged.remove("extends");
    let mut origins = Origins::default();
    if !outside.is_empty() {
        let outside_files: Vec<Option<&Path>> = chain
            .iter()
            .map(|c| outside.contains(c).then_some(c.as_path()))
            .collect();
        let documents: Vec<Option<&toml::Table>> = documents.iter().map(Some).collect();
        origins.trace(&merged, &documents, &outside_files, &mut Vec::new(), false);
    }
    let opening = opening_comment(text);
    let on_note = replaced_root.map_or(String::new(), |root| {
        format!(
            "# --on: {} in place of {}\n",
            comment_text(&chain.last().unwrap_or(&root).display().to_string()),
            comment_text(&root.display().to_string())
        )
    });
    let header = format!(
        "# {} resolved: {}\n{on_note}# (written by iccsim; of the originals' comments only this file's opening one is kept)\n{opening}",
        comment_text(&path.display().to_string()),
        comment_text(
            &chain
                .iter()
                .map(|c| c.display().to_string())
                .collect::<Vec<_>>()
                .join(" extends ")
        )
    );
    let body = toml::to_string(&merged).map_err(|e| read_error(path, e.to_string()))?;
    Ok(Resolved {
        text: format!("{header}{body}"),
        chain,
        outside,
        origins,
        drawn_over: drawn,
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
        let line = match e.span() {
            Some(span) => text
                .get(..span.start)
                .map_or(1, |before| before.matches('\n').count() + 1),
            None => super::unlocated_error_line(text),
        };
        not_a_scenario(path, &format!("is not valid TOML (line {line})"))
    })
}

/// Reads a scenario file with its parents merged in.
pub fn read_resolved(path: &Path) -> Result<Resolved, ScenarioError> {
    read_resolved_on(path, None)
}

/// Reads a scenario file with its parents merged in, the chain's root
/// replaced by `on` when given (see [`resolve_on`]).
pub fn read_resolved_on(path: &Path, on: Option<&Path>) -> Result<Resolved, ScenarioError> {
    let text = super::read_file(path)?;
    resolve_on(&text, path, on)
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

    #[test]
    fn issue_paths_split_into_keys_however_they_are_quoted() {
        let parts = |p: &str| issue_parts(p);
        assert_eq!(
            parts("services.ward.routes[1].to"),
            ["services", "ward", "routes", "[1]", "to"]
        );
        assert_eq!(
            parts("age_bands.\"85+\".share"),
            ["age_bands", "85+", "share"]
        );
        assert_eq!(parts("uncertainty.\"a.b\\\"c\""), ["uncertainty", "a.b\"c"]);
        assert_eq!(parts("x.'a.b'.c"), ["x", "a.b", "c"]);
        assert_eq!(parts("extends"), ["extends"]);
    }

    /// Each merged value is traced to the file that gave it: a table is
    /// outside only if all of it is, a distribution if any of it is, and
    /// the longest marked key of an issue's path decides.
    #[test]
    fn values_are_traced_to_the_file_they_came_from() {
        let child: toml::Table =
            toml::from_str("[s.a]\ncapacity = 1\n[s.b.stay]\nmean = 3.0\n").unwrap();
        let parent: toml::Table = toml::from_str(
            "[s.a]\nwhen_full = \"x y\"\n[s.b]\nstay = { dist = \"gamma\", mean = 2.0, sd = 1.0 }\n[t]\nu = 1\nv = [1, 2]\n",
        )
        .unwrap();
        let mut merged = parent.clone();
        merge(&mut merged, child.clone());
        let mut origins = Origins::default();
        let outside = Path::new("../out.toml");
        origins.trace(
            &merged,
            &[Some(&child), Some(&parent)],
            &[None, Some(outside)],
            &mut Vec::new(),
            false,
        );
        let from = |origins: &Origins, path: &str| {
            origins
                .issue_origin(path)
                .map(|(f, key)| (f.to_path_buf(), key))
        };
        assert_eq!(from(&origins, "s.a.capacity"), None);
        assert_eq!(
            from(&origins, "s.a.when_full"),
            Some((outside.into(), "s.a.when_full".into()))
        );
        // The child changed the mean: the distribution is still partly the parent's.
        assert_eq!(
            from(&origins, "s.b.stay.mean"),
            Some((outside.into(), "s.b.stay".into()))
        );
        assert_eq!(from(&origins, "t"), Some((outside.into(), "t".into())));
        assert_eq!(
            from(&origins, "t.v[1]"),
            Some((outside.into(), "t.v".into()))
        );
        assert_eq!(from(&origins, "s.a"), None);
        origins.mark_own(vec!["t".into(), "v".into()]);
        assert_eq!(from(&origins, "t.v[1]"), None);
        let issues = origins.redact(vec![Issue {
            path: "s.a.when_full".into(),
            value: Some("\"x y\"".into()),
            problem: "\"x y\" is not a policy".into(),
        }]);
        assert!(
            issues[0].value.is_none() && !issues[0].problem.contains("x y"),
            "{issues:?}"
        );
    }
}
