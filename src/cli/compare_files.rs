//! The files of a comparison, from each scenario's records alone: what
//! `compare` writes when its replications are done, and what `merge`
//! writes from the shards of one (`compare --shard i/n`), byte for byte
//! the same. Also the shard's own files and how `merge` reads them back.

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::exit::Failure;
use super::records::summary_files;
use iccsim::experiment::bed_days_saved::bed_days_saved_per_admission_avoided;
use iccsim::experiment::compare::Difference;
use iccsim::experiment::nested::Design;
use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;
use iccsim::report::checkpoint::{self, RecordsHeader};
use iccsim::report::outputs::{Gzipped, OutputChoice};
use iccsim::report::provenance::Provenance;
use iccsim::report::variance_split::SplitRow;
use iccsim::report::{self, FileBody, RunInfo, Streamed, tidy};

/// The folder, in a comparison's output, of each scenario's files.
pub(super) const COMPARE_SCENARIOS: &str = "scenarios";

/// What a shard of a comparison writes beside its scenarios' records, for
/// `merge` to put the comparison together again.
pub(super) const SHARD_FILE: &str = "comparison_shard.json";

/// Every file `compare` (or a merge of its shards) writes (with
/// `--report`, the page and its charts too), beside each scenario's folder
/// in `scenarios/`.
pub(super) const COMPARE_FILES: &[&str] = &[
    "comparison.csv",
    "comparison.json",
    "paired_differences.csv",
    "paired_differences_margins.csv",
    "finance.csv",
    "finance_summary.csv",
    "contributions.csv",
    "variance_split.csv",
    "run.json",
    SHARD_FILE,
    "scenarios/",
    "report.html",
    "report.pdf",
    "report-charts/",
];

/// Files to commit: relative names and their bodies (some streamed).
pub(super) type Files<'a> = Vec<(String, Box<dyn FileBody + 'a>)>;

/// The folder of a scenario's files.
pub(super) fn folder_for(name: &str) -> String {
    format!("{COMPARE_SCENARIOS}/{name}")
}

/// One scenario of a comparison, with its records (replications 0..n, in
/// order, the same in every scenario).
pub(super) struct Compared<'a> {
    pub(super) network: &'a Network,
    pub(super) origin: String,
    pub(super) text: String,
    pub(super) header: RecordsHeader,
    pub(super) schema: Schema,
    pub(super) records: Vec<Record>,
}

/// What `merge` needs of a comparison's shard to put it together again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct ShardManifest {
    pub(super) baseline: String,
    pub(super) scenarios: Vec<String>,
    pub(super) seed: u64,
    pub(super) replications: u64,
    pub(super) set: Vec<String>,
    pub(super) set_all: Vec<String>,
    /// `i/n`.
    pub(super) shard: String,
    /// `--paired-age-bands`: the merged `paired_differences.csv` has the
    /// rows of each age band.
    #[serde(default)]
    pub(super) paired_age_bands: bool,
    /// `--outputs`: the merged comparison writes the same outputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) outputs: Option<String>,
    /// `--compress`: the shard's records are gzipped, and the merged
    /// comparison is written compressed (shards may differ in this).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) compress: bool,
}

impl ShardManifest {
    /// What makes `other` a shard of another comparison: the settings that
    /// differ, in words (empty for a shard of this one).
    pub(super) fn differences(&self, other: &ShardManifest) -> Vec<&'static str> {
        [
            (self.baseline != other.baseline, "the baseline"),
            (self.scenarios != other.scenarios, "the scenarios"),
            (self.seed != other.seed, "the seed"),
            (
                self.replications != other.replications,
                "the number of replications",
            ),
            (self.set != other.set, "--set"),
            (self.set_all != other.set_all, "--set-all"),
            (
                self.paired_age_bands != other.paired_age_bands,
                "--paired-age-bands",
            ),
            (self.outputs != other.outputs, "--outputs"),
        ]
        .into_iter()
        .filter_map(|(differs, what)| differs.then_some(what))
        .collect()
    }

    /// Whether `other` is a shard of the same comparison.
    pub(super) fn same_comparison(&self, other: &ShardManifest) -> bool {
        ShardManifest {
            shard: String::new(),
            compress: false,
            ..self.clone()
        } == ShardManifest {
            shard: String::new(),
            compress: false,
            ..other.clone()
        }
    }
}

fn run_info(c: &Compared) -> RunInfo {
    let network = c.network;
    let full_effect = iccsim::model::full_effect::FullEffect::of(network);
    RunInfo {
        iccsim_version: c.header.iccsim_version.clone(),
        scenario_name: network.name.clone(),
        scenario_title: network.title.clone(),
        scenario_origin: c.origin.clone(),
        seed: c.header.seed,
        replications: c.records.len() as u64,
        start_date: network.run.start_date.to_string(),
        warmup_days: network.run.warmup_days,
        horizon_days: network.run.horizon_days,
        full_effect_from: full_effect.from_text(),
        first_full_year: full_effect.first_full_year,
        case: iccsim::scenario::case_name(network),
        correlation: iccsim::scenario::correlation_sentence(network),
    }
}

/// A scenario's own files in its folder: its summaries, every
/// replication's values (`replications.csv`, and all of them in
/// `records.csv`, which `merge` and `--resume` read back), of the outputs
/// `choice` names (`--outputs`), the growing ones gzipped with
/// `--compress` as `batch` writes them.
fn scenario_files<'a>(
    c: &'a Compared,
    provenance: &Provenance,
    choice: &OutputChoice,
    files: &mut Files<'a>,
) {
    let folder = folder_for(&c.network.name);
    let info = run_info(c);
    let mut own: Vec<(&str, Box<dyn FileBody + 'a>)> = summary_files(
        c.network,
        info.clone(),
        &c.text,
        &c.schema,
        &c.records,
        provenance,
    )
    .into_iter()
    .map(|(name, bytes)| (name, Box::new(bytes) as Box<dyn FileBody>))
    .collect();
    own.push((
        "replications.csv",
        Box::new(Streamed(move |w: &mut dyn Write| {
            let set = report::ResultSet::from_records(&c.schema, info.clone(), &c.records);
            tidy::write_replications_csv(w, &set)
        })),
    ));
    own.push(("records.csv", records_body(c)));
    for (name, body) in choice.apply(own) {
        files.push((format!("{folder}/{name}"), body));
    }
}

/// A scenario's `records.csv` (every value of every replication).
fn records_body<'a>(c: &'a Compared) -> Box<dyn FileBody + 'a> {
    Box::new(Streamed(|w: &mut dyn Write| {
        checkpoint::write_records_file(w, &c.header, &c.records)
    }))
}

/// What a comparison found, for the terminal.
pub(super) struct Found {
    pub(super) comparisons: Vec<(String, Vec<Difference>)>,
    pub(super) splits: Vec<SplitRow>,
}

/// Every file of a comparison of `alternatives` with `base` (and what
/// they found), from their records alone. `by_lever` is the contributions
/// file of `--by-lever`, if any; `all_age_bands` keeps each age band's
/// rows in `paired_differences.csv`. `choice` picks and compresses each
/// scenario's files (`--outputs`, `--compress`); with `--compress` the
/// paired differences, which grow with the replications, are gzipped too.
#[allow(clippy::too_many_arguments)]
pub(super) fn comparison_files<'a>(
    base: &'a Compared<'a>,
    alternatives: &'a [Compared<'a>],
    manifest_options: (&[String], &[String]),
    design: Design,
    by_lever: Option<Vec<u8>>,
    provenance: &Provenance,
    all_age_bands: bool,
    choice: &OutputChoice,
) -> (Files<'a>, Found) {
    let mut files: Files<'a> = Vec::new();
    let base_name = &base.network.name;
    scenario_files(base, provenance, choice, &mut files);
    let nested = design.nested();
    let mut splits = nested.map_or_else(Vec::new, |n| {
        report::variance_split::split_rows(n, base_name, &base.schema, &base.records, None)
    });
    let mut comparisons = Vec::new();
    let mut finances = Vec::new();
    let (set, set_all) = manifest_options;
    let mut manifest = report::compare::ComparisonManifest {
        iccsim_version: base.header.iccsim_version.clone(),
        seed: base.header.seed,
        replications: base.records.len() as u64,
        set: set.to_vec(),
        set_all: set_all.to_vec(),
        baseline: report::compare::ManifestScenario {
            name: base_name.clone(),
            folder: folder_for(base_name),
        },
        scenarios: Vec::new(),
        rows: Vec::new(),
    };
    for alt in alternatives {
        let name = &alt.network.name;
        scenario_files(alt, provenance, choice, &mut files);
        let mut diffs = iccsim::experiment::compare::paired(
            &base.schema,
            &base.records,
            &alt.schema,
            &alt.records,
        );
        diffs.extend(bed_days_saved_per_admission_avoided(&diffs));
        if let Some(finance) =
            report::finance::finance(&base.schema, &base.records, &alt.schema, &alt.records)
        {
            finances.push((name.clone(), finance));
        }
        if let Some(n) = nested {
            splits.extend(report::variance_split::split_rows(
                n,
                name,
                &alt.schema,
                &alt.records,
                Some((base_name, &base.schema, &base.records)),
            ));
        }
        manifest.scenarios.push(report::compare::ManifestScenario {
            name: name.clone(),
            folder: folder_for(name),
        });
        comparisons.push((name.clone(), diffs));
    }
    files.push((
        "comparison.csv".into(),
        Box::new(report::compare::comparison_csv(base_name, &comparisons)),
    ));
    for (name, level) in [
        ("paired_differences.csv", report::paired::Level::Detail),
        (
            "paired_differences_margins.csv",
            report::paired::Level::Margins,
        ),
    ] {
        let body = Streamed(move |w: &mut dyn Write| {
            let scenario = |c: &'a Compared| report::paired::Scenario {
                name: &c.network.name,
                schema: &c.schema,
                records: &c.records,
            };
            let alts: Vec<report::paired::Scenario> = alternatives.iter().map(scenario).collect();
            report::paired::write_paired_differences_csv(
                w,
                &scenario(base),
                &alts,
                all_age_bands,
                level,
            )
        });
        files.push(if choice.compress {
            (format!("{name}.gz"), Box::new(Gzipped(body)))
        } else {
            (name.into(), Box::new(body))
        });
    }
    if let Some(layout) = base
        .network
        .layout
        .as_ref()
        .filter(|_| !finances.is_empty())
    {
        let price_year = &layout.price_year;
        files.push((
            "finance.csv".into(),
            Box::new(report::finance::finance_csv(
                base_name, price_year, &finances,
            )),
        ));
        files.push((
            "finance_summary.csv".into(),
            Box::new(report::finance::finance_summary_csv(
                base_name, price_year, &finances,
            )),
        ));
    }
    manifest.rows = report::compare::comparison_rows(base_name, &comparisons);
    files.push((
        "comparison.json".into(),
        Box::new(report::compare::manifest_json(&manifest)),
    ));
    if nested.is_some() {
        files.push((
            "variance_split.csv".into(),
            Box::new(report::variance_split::variance_split_csv(&splits)),
        ));
    }
    if let Some(bytes) = by_lever {
        files.push(("contributions.csv".into(), Box::new(bytes)));
    }
    files.push((
        "run.json".into(),
        Box::new(report::provenance::run_json(None, provenance)),
    ));
    (
        files,
        Found {
            comparisons,
            splits,
        },
    )
}

/// The files of one shard of a comparison: each scenario's records (and
/// the text they were made with) and the shard's manifest; the records
/// gzipped with `--compress` (`merge` then writes the comparison
/// compressed).
pub(super) fn shard_files<'a>(
    scenarios: &'a [Compared<'a>],
    manifest: &ShardManifest,
    provenance: &Provenance,
    choice: &OutputChoice,
) -> Files<'a> {
    let mut files: Files<'a> = Vec::new();
    for c in scenarios {
        let folder = folder_for(&c.network.name);
        files.push((
            format!("{folder}/scenario.toml"),
            Box::new(c.text.as_bytes().to_vec()),
        ));
        for (name, body) in choice.apply(vec![("records.csv", records_body(c))]) {
            files.push((format!("{folder}/{name}"), body));
        }
    }
    let mut json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    json.push(b'\n');
    files.push((SHARD_FILE.into(), Box::new(json)));
    files.push((
        "run.json".into(),
        Box::new(report::provenance::run_json(None, provenance)),
    ));
    files
}

/// Reads a shard's manifest, if the folder holds one.
pub(super) fn read_shard_manifest(
    folder: &std::path::Path,
) -> Result<Option<ShardManifest>, Failure> {
    super::shard_merge::read_manifest(folder, SHARD_FILE, "comparison", "compare")
}
