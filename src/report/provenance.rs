//! Provenance: what every output folder's `run.json` says about how its
//! results were made, in one shape whatever the command (`batch`,
//! `compare`, `sweep`, `tornado`, ...): the iccsim version and source hash,
//! the seed, the full command line, the scenario text actually run (after
//! `extends` and `--set`, as a copy in the folder), the design file, and
//! the stopping rule with whether it was met. It is the `provenance`
//! object of `run.json`, beside what the command wrote there before (a
//! batch's run information), so that earlier readers are unaffected.

use serde::{Deserialize, Serialize};

/// How a command's results were made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The command (`batch`, `compare`, `sweep`, ...).
    pub command: String,
    pub iccsim_version: String,
    /// The hash of the source the binary was built from (`build.rs`).
    pub source_hash: String,
    /// The full command line, one argument an element.
    pub command_line: Vec<String>,
    /// The working directory it ran in (relative paths on the command
    /// line are relative to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// A merge's shards: each folder and the command line that wrote it
    /// (from its own `run.json`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<ShardRun>,
    /// The seed of every replication's random streams (None for a command
    /// that draws nothing, e.g. a merge of folders that name theirs).
    pub seed: Option<u64>,
    /// Each scenario run: its name, where it came from and the copy in
    /// this folder of the text actually run.
    pub scenarios: Vec<ScenarioRun>,
    /// The design file of a sweep (`--design`) and its copy in this folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design_file: Option<DesignFile>,
    pub stopping: Stopping,
}

/// A scenario as run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRun {
    pub name: String,
    /// A path as given, or `built-in default`.
    pub origin: String,
    /// The text actually run (after `extends` and `--set`), relative to
    /// the folder.
    pub text: String,
    /// CRC-32 (zlib's) of that text, 8 hex digits: the same file is the
    /// same text, whatever path it was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_crc32: Option<String>,
}

/// A shard a merge put together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardRun {
    /// The shard's folder, as given to `merge`.
    pub folder: String,
    /// The command line that wrote it (empty if its `run.json` has none).
    pub command_line: Vec<String>,
}

/// A sweep's design file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesignFile {
    /// As given on the command line.
    pub origin: String,
    /// Its copy, relative to the folder.
    pub copy: String,
}

/// How many replications were run, and why that many.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stopping {
    /// `fixed` (a number given or the scenario's) or `target` (a precision
    /// target on the named outcomes).
    pub rule: String,
    /// The replications run (of each scenario or point).
    pub replications: u64,
    /// The target, with `rule = "target"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Whether the target was met (always true for a fixed number).
    pub met: bool,
}

/// A precision target and what was reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The largest accepted 95% CI half-width: a fraction of the mean
    /// (`relative`) or in the outcome's unit (`absolute`).
    pub half_width: f64,
    /// `relative` or `absolute`.
    pub scale: String,
    pub max_replications: u64,
    /// Each targeted outcome and the half-width it reached, on the
    /// target's scale.
    pub outcomes: Vec<Reached>,
}

/// One targeted outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reached {
    pub outcome: String,
    pub half_width: f64,
    pub met: bool,
}

impl Stopping {
    /// A fixed number of replications.
    pub fn fixed(replications: u64) -> Stopping {
        Stopping {
            rule: "fixed".into(),
            replications,
            target: None,
            met: true,
        }
    }
}

/// `run.json` of a folder: `earlier` (the command's own run information,
/// a JSON object, if any) with `provenance` added as its `provenance`
/// object.
pub fn run_json(earlier: Option<&[u8]>, provenance: &Provenance) -> Vec<u8> {
    let mut object = earlier
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(bytes).ok())
        .and_then(|v| match v {
            serde_json::Value::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default();
    object.insert(
        "provenance".into(),
        serde_json::to_value(provenance).unwrap_or(serde_json::Value::Null),
    );
    // Serialising a JSON value cannot fail.
    let mut bytes = serde_json::to_vec_pretty(&object).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance_joins_what_run_json_held() {
        let p = Provenance {
            command: "batch".into(),
            iccsim_version: "0.1.0".into(),
            source_hash: "abc".into(),
            command_line: vec!["iccsim".into(), "batch".into()],
            cwd: Some("/work".into()),
            shards: Vec::new(),
            seed: Some(7),
            scenarios: vec![ScenarioRun {
                name: "s".into(),
                origin: "s.toml".into(),
                text: "scenario.toml".into(),
                text_crc32: Some("0000abcd".into()),
            }],
            design_file: None,
            stopping: Stopping::fixed(4),
        };
        let bytes = run_json(Some(br#"{"seed": 7, "scenario_name": "s"}"#), &p);
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["scenario_name"], "s");
        assert_eq!(v["provenance"]["stopping"]["met"], true);
        assert_eq!(v["provenance"]["stopping"]["rule"], "fixed");
        let back: Provenance = serde_json::from_value(v["provenance"].clone()).unwrap();
        assert_eq!(back, p);
        // Alone, it is an object with provenance only.
        let alone: serde_json::Value = serde_json::from_slice(&run_json(None, &p)).unwrap();
        assert_eq!(alone.as_object().map(|o| o.len()), Some(1));
    }
}
