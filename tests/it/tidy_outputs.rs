//! Tidy files that cannot be misread (issue 24, item 4): `breakdown.csv`
//! holds detail rows only, whose naive sum is the margin in
//! `breakdown_margins.csv`, with `year` a number; `batch --outputs` writes
//! exactly the files chosen and refuses an unknown name; `--compress`
//! writes the same bytes gzipped; `results.json` is the documented shape
//! (flat records under `summary` and `replications`).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::Path;

use crate::common::{csv_rows, fails_with, iccsim, succeed};

/// A two-year window of the baseline (a whole year and 35 days), so that
/// the detail rows span years: small enough for a test.
const SHORT: [&str; 2] = ["--set", "run.horizon_days=400"];

fn batch(out: &Path, extra: &[&str]) {
    succeed(
        iccsim()
            .args(["batch", "-n", "2", "--seed", "7", "--quiet"])
            .args(SHORT)
            .args(extra)
            .arg("--out")
            .arg(out),
    );
}

/// The files of a folder the user sees (not the tool's hidden ones).
fn files(folder: &Path) -> BTreeSet<String> {
    fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(path).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

#[test]
fn detail_rows_sum_to_their_margin_and_years_are_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("batch");
    batch(&out, &[]);
    let detail = csv_rows(&out.join("breakdown.csv"));
    let margins = csv_rows(&out.join("breakdown_margins.csv"));
    let summary = csv_rows(&out.join("breakdown_summary.csv"));
    // Every key is in one file or the other, once per replication.
    assert_eq!(detail.len() + margins.len(), 2 * summary.len());
    let summary_detail = summary.iter().filter(|r| r["level"] == "detail").count();
    assert_eq!(detail.len(), 2 * summary_detail);
    assert!(
        summary
            .iter()
            .all(|r| ["detail", "margin"].contains(&&*r["level"]))
    );

    let years: BTreeSet<u32> = detail.iter().map(|r| r["year"].parse().unwrap()).collect();
    assert_eq!(years, BTreeSet::from([1, 2]));
    for row in &margins {
        assert!(
            [&row["year"], &row["icc"], &row["age_band"]].contains(&&"all".to_string()),
            "a margin row sums over something: {row:?}"
        );
    }
    // A system-wide level (kept by year only) has its years as detail.
    assert!(
        detail
            .iter()
            .any(|r| r["metric"] == "acute_occupancy" && r["icc"] == "all")
    );

    // A naive sum of a count's detail rows is its margin, exactly.
    for metric in ["emergency_admissions", "crises", "deaths", "ed_attendances"] {
        let mut by_hand: BTreeMap<&str, f64> = BTreeMap::new();
        for row in detail.iter().filter(|r| r["metric"] == metric) {
            assert!(row["icc"] != "all" && row["age_band"] != "all", "{row:?}");
            *by_hand.entry(&row["replication"]).or_default() +=
                row["value"].parse::<f64>().unwrap();
        }
        let margin: BTreeMap<&str, f64> = margins
            .iter()
            .filter(|r| {
                r["metric"] == metric
                    && r["year"] == "all"
                    && r["icc"] == "all"
                    && r["age_band"] == "all"
            })
            .map(|r| (&*r["replication"], r["value"].parse().unwrap()))
            .collect();
        assert_eq!(margin.len(), 2, "{metric}");
        assert!(margin.values().all(|&v| v > 0.0), "{metric}: {margin:?}");
        assert_eq!(by_hand, margin, "{metric}");
    }

    // The flows of a batch, in from and to columns, are the flow metrics.
    let flows = csv_rows(&out.join("flows_by_kind.csv"));
    let replications = csv_rows(&out.join("replications.csv"));
    let arrival_ed: Vec<&String> = flows
        .iter()
        .filter(|r| r["from"] == "arrival" && r["to"] == "ed")
        .map(|r| &r["patients"])
        .collect();
    let as_metric: Vec<&String> = replications
        .iter()
        .filter(|r| r["service"] == "flow" && r["metric"] == "arrival->ed")
        .map(|r| &r["value"])
        .collect();
    assert_eq!(arrival_ed.len(), 2);
    assert_eq!(arrival_ed, as_metric);
}

#[test]
fn outputs_writes_exactly_the_files_chosen_and_compress_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let every = dir.path().join("every");
    let chosen = dir.path().join("chosen");
    batch(&every, &[]);
    batch(&chosen, &["--outputs", "summary,breakdown", "--compress"]);
    let always = ["run.json", "scenario.toml", "records.csv"];
    let summaries = ["summary.csv", "breakdown_summary.csv", "thresholds.csv"];
    let all = files(&every);
    for name in always.iter().chain(&summaries).chain(&[
        "breakdown.csv",
        "breakdown_margins.csv",
        "replications.csv",
        "results.json",
        "flows_by_kind.csv",
        "registers.csv",
    ]) {
        assert!(all.contains(*name), "{name} in {all:?}");
    }
    let expected: BTreeSet<String> = all
        .iter()
        .filter(|name| {
            ![
                "replications.csv",
                "results.json",
                "flows_by_kind.csv",
                "delays.csv",
                "pressure.csv",
                "registers.csv",
            ]
            .contains(&name.as_str())
        })
        .map(|name| match name.as_str() {
            "breakdown.csv" | "breakdown_margins.csv" | "records.csv" => format!("{name}.gz"),
            _ => name.clone(),
        })
        .collect();
    assert_eq!(files(&chosen), expected);
    // Compressed, the same bytes; the summaries untouched.
    for name in ["breakdown.csv", "breakdown_margins.csv"] {
        assert_eq!(
            gunzip(&chosen.join(format!("{name}.gz"))),
            fs::read(every.join(name)).unwrap(),
            "{name}"
        );
    }
    for name in ["summary.csv", "breakdown_summary.csv"] {
        assert_eq!(
            fs::read(chosen.join(name)).unwrap(),
            fs::read(every.join(name)).unwrap(),
            "{name}"
        );
    }
    // The compressed records are read back as they are: by merge (the
    // same records, bit for bit) and by --resume on the finished batch.
    assert_eq!(
        gunzip(&chosen.join("records.csv.gz")),
        fs::read(every.join("records.csv")).unwrap()
    );
    let merged = dir.path().join("merged");
    succeed(
        iccsim()
            .arg("merge")
            .arg(&chosen)
            .arg("--quiet")
            .arg("--out")
            .arg(&merged),
    );
    // Merged as the shards were written: compressed (issue 24's trial:
    // merged shards came out plain, 4.4 GB for 1,000 replications).
    assert!(!merged.join("records.csv").exists());
    assert_eq!(
        gunzip(&merged.join("records.csv.gz")),
        fs::read(every.join("records.csv")).unwrap()
    );
    assert_eq!(
        gunzip(&merged.join("breakdown.csv.gz")),
        fs::read(every.join("breakdown.csv")).unwrap()
    );
    batch(
        &chosen,
        &["--outputs", "summary,breakdown", "--compress", "--resume"],
    );
    assert_eq!(
        gunzip(&chosen.join("records.csv.gz")),
        fs::read(every.join("records.csv")).unwrap()
    );
    // Resumed without --compress, the finished batch stays compressed
    // (issue 24's trial: it was rewritten plain).
    batch(&chosen, &["--outputs", "summary,breakdown", "--resume"]);
    assert!(!chosen.join("records.csv").exists());
    assert!(!chosen.join("breakdown.csv").exists());
    assert_eq!(
        gunzip(&chosen.join("records.csv.gz")),
        fs::read(every.join("records.csv")).unwrap()
    );
    // The board is drawn from what was chosen.
    succeed(iccsim().arg("report").arg(&chosen));
    assert!(chosen.join("report.html").exists());
}

#[test]
fn an_unknown_output_is_refused_with_the_valid_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("refused");
    let output = iccsim()
        .args([
            "batch",
            "-n",
            "1",
            "--quiet",
            "--outputs",
            "summary,timeseries",
        ])
        .args(SHORT)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    fails_with(
        &output,
        2,
        "no output called `timeseries`; choose among summary,replications,results,breakdown,flows,delays,pressure,registers",
    );
    assert!(!out.join("records.csv").exists());
    // The board needs the summaries.
    let output = iccsim()
        .args([
            "batch",
            "-n",
            "1",
            "--quiet",
            "--report",
            "--outputs",
            "breakdown",
        ])
        .args(SHORT)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    fails_with(&output, 2, "add `summary` to --outputs");
    // A folder without them is refused by `report`, saying which output it needs.
    batch(&out, &["--outputs", "breakdown"]);
    assert!(out.join("breakdown.csv").exists() && !out.join("summary.csv").exists());
    let output = iccsim().arg("report").arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("summary.csv") && stderr.contains("`summary` in --outputs"),
        "{stderr}"
    );
}

#[test]
fn results_json_is_run_information_and_two_lists_of_flat_records() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("results");
    succeed(
        iccsim()
            .args([
                "batch",
                "-n",
                "2",
                "--quiet",
                "--outputs",
                "results,replications",
            ])
            .args(SHORT)
            .arg("--out")
            .arg(&out),
    );
    let document: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("results.json")).unwrap()).unwrap();
    let keys: BTreeSet<&str> = document
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, BTreeSet::from(["run", "summary", "replications"]));
    assert!(
        document["run"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| !v.is_object() && !v.is_array())
    );
    for list in ["summary", "replications"] {
        let records = document[list].as_array().unwrap();
        assert!(!records.is_empty());
        for record in records {
            assert!(
                record
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|v| !v.is_object() && !v.is_array()),
                "{list}: {record}"
            );
        }
    }
    // `replications` is replications.csv as records (less the scenario).
    let rows = csv_rows(&out.join("replications.csv"));
    let records = document["replications"].as_array().unwrap();
    assert_eq!(records.len(), rows.len());
    assert_eq!(records[0]["metric"], rows[0]["metric"].as_str());
    assert_eq!(
        records[0]["value"].as_f64().unwrap().to_string(),
        rows[0]["value"]
    );
}
