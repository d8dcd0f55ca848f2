//! No injection through reports (issue 9): text from a scenario file, its
//! file name and folder, or the command line cannot run as a spreadsheet
//! formula when a CSV file is opened in Excel, nor as markup in the board
//! report and its SVG charts; and what iccsim reads back from its own
//! files comes back exactly as written.
//!
//! Each test writes scenarios whose every free text is hostile, runs the
//! commands that write files (small: 1 to 4 replications of 30 days), then
//! reads every CSV file produced with the csv crate, as a spreadsheet
//! would split it.

use std::path::{Path, PathBuf};

use crate::common::{iccsim, succeed};
use iccsim::report::csv_safe::{neutralise, restore};

const TITLE: &str = r#"=HYPERLINK("http://x","y") <script>alert(1)</script>"#;

/// The scenario name made from a file name that had to be changed: the
/// characters a name cannot hold become `-`, and the original's CRC-32 is
/// added so that two such files never share a name or an output folder.
fn name_of(stem: &str) -> String {
    let made: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("{made}-{:08x}", crc32fast::hash(stem.as_bytes()))
}

/// The title as it must appear in HTML and SVG.
const TITLE_ESCAPED: &str =
    "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;) &lt;script&gt;alert(1)&lt;/script&gt;";
const COMMAND: &str = "+cmd|' /C calc'!A0";
const QUOTED: &str = r#"@SUM(1), "quoted, with comma""#;

/// A folder whose name has a comma before a formula: every path below it
/// (a scenario's origin, in `run.json` and `records.csv`) carries one.
fn hostile_folder(dir: &Path) -> PathBuf {
    let folder = dir.join("plans,=HYPERLINK(1)");
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

/// TOML for a string (basic string, escaped).
fn toml_text(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// One ward written by hand, every name starting with `-` (`-A1` is a
/// cell reference to a spreadsheet): a service, a sink and a patient type;
/// its name comes from its file name, `=HYPERLINK(1)+2.toml`.
fn small_scenario(folder: &Path) -> PathBuf {
    let path = folder.join("=HYPERLINK(1)+2.toml");
    std::fs::write(
        &path,
        format!(
            r#"schema_version = 1
title = {title}
description = {quoted}
sinks = ["-home"]
[run]
warmup_days = 5
horizon_days = 30
start_date = 2025-04-07
replications = 2
[services.-cmd]
capacity = 10
stay = {{ dist = "exponential", mean = 3.0 }}
routes = [{{ to = "-home", probability = 1.0 }}]
[patient_types.-A1]
arrive_at = "-cmd"
rate_per_day = 2.5
[uncertainty]
"services.-cmd.capacity" = {{ dist = "uniform", min = 8.5, max = 12.5, source = {command} }}
"patient_types.-A1.rate_per_day" = {{ dist = "uniform", min = 2.0, max = 3.0, source = {quoted} }}
"#,
            title = toml_text(TITLE),
            quoted = toml_text(QUOTED),
            command = toml_text(COMMAND),
        ),
    )
    .unwrap();
    path
}

/// The north Cumbria baseline with a reinvestment lever named `-cmd`, an
/// uncertain lever named `-A1` and a calibration target, each with hostile
/// descriptions and sources; named by its file, `@SUM(1)+2.toml`.
fn whole_system_scenario(folder: &Path) -> PathBuf {
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/north-cumbria-baseline.toml")
        .display()
        .to_string()
        .replace('\\', "/");
    let path = folder.join("@SUM(1)+2.toml");
    std::fs::write(
        &path,
        format!(
            r#"extends = {baseline}
title = {title}
description = {quoted}

[levers.-cmd]
description = "@SUM(1) <script>alert(1)</script>"
source = {command}
effect = "reinvestment"
amount_per_year = 1_000_000
fund = {{ rapid_response = 0.5, reablement = 0.5 }}
close_adult_beds = {{ cumberland_infirmary = 5 }}
start = 2025-04-01
ramp_months = 1

[levers.-A1]
description = "-2+3"
source = {quoted}
effect = "crisis_rate"
age_bands = ["85+"]
multiplier = {{ dist = "triangular", min = 0.8, mode = 0.9, max = 1.0 }}
start = 2025-04-01
ramp_months = 1

[[calibration.targets]]
name = {hyperlink}
metric = "emergency_admissions"
year = 1
observed = 1000
low = 900
high = 1100
source = "-2+3 <script>alert(1)</script>"
"#,
            baseline = toml_text(&baseline),
            title = toml_text(TITLE),
            quoted = toml_text(QUOTED),
            command = toml_text(COMMAND),
            hyperlink = toml_text(r#"=HYPERLINK("http://x","y")"#),
        ),
    )
    .unwrap();
    path
}

/// Every file under `folder` (recursively) whose name ends with `suffix`.
fn files(folder: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path, suffix));
        } else if path.to_string_lossy().ends_with(suffix) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Every row of a CSV file, its first line included, split as a
/// spreadsheet splits it.
fn cells(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// The cells of one column (by its header) of a CSV file.
fn column(path: &Path, name: &str) -> Vec<String> {
    let rows = cells(path);
    let k = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("{}: no column {name}", path.display()));
    rows[1..].iter().map(|r| r[k].clone()).collect()
}

fn is_number(cell: &str) -> bool {
    cell.parse::<f64>().is_ok_and(f64::is_finite)
}

/// No cell of any CSV file under `folder` would be read as a formula: none
/// starts with = + - @ tab or carriage return unless it is a number.
/// Returns how many files and cells were checked, and the numbers that
/// start with a minus (left as numbers).
fn assert_no_formula_cells(folder: &Path) -> (usize, usize, usize) {
    let (mut checked_files, mut checked_cells, mut negatives) = (0, 0, 0);
    for path in files(folder, ".csv") {
        checked_files += 1;
        for (line, row) in cells(&path).iter().enumerate() {
            for cell in row {
                checked_cells += 1;
                let formula = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
                assert!(
                    !formula || is_number(cell),
                    "{} line {}: the cell {cell:?} would run as a formula",
                    path.display(),
                    line + 1
                );
                negatives += usize::from(formula);
            }
        }
    }
    (checked_files, checked_cells, negatives)
}

/// The page and every SVG chart: no markup from the scenarios, and the
/// title there, escaped.
fn assert_escaped_report(folder: &Path) -> String {
    let html = std::fs::read_to_string(folder.join("report.html")).unwrap();
    for raw in ["<script", "<img"] {
        assert!(!html.contains(raw), "{raw} reached the page unescaped");
    }
    assert!(html.contains(TITLE_ESCAPED), "the title is not on the page");
    let svgs = files(&folder.join("report-charts"), ".svg");
    assert!(!svgs.is_empty());
    let mut titled = 0;
    for path in &svgs {
        let svg = std::fs::read_to_string(path).unwrap();
        assert!(!svg.contains("<script"), "{}", path.display());
        assert!(!svg.contains(TITLE), "{}", path.display());
        titled += usize::from(svg.contains(TITLE_ESCAPED));
        // Inline on the page too.
        let body = &svg[svg.find("<svg").unwrap()..];
        assert!(
            html.contains(body.trim_end()),
            "{} is not inline",
            path.display()
        );
    }
    // The flow picture is titled with the scenario's title.
    assert!(titled >= 1, "no chart carries the title, escaped");
    html
}

#[test]
fn neutralise_quotes_formulas_and_leaves_numbers_alone() {
    // Each of OWASP's first characters.
    assert_eq!(neutralise("=1+2"), "'=1+2");
    assert_eq!(neutralise(COMMAND), "'+cmd|' /C calc'!A0");
    assert_eq!(neutralise("-2+3"), "'-2+3");
    assert_eq!(neutralise("@SUM(1)"), "'@SUM(1)");
    assert_eq!(neutralise("\t=1"), "'\t=1");
    assert_eq!(neutralise("\r=1"), "'\r=1");
    assert_eq!(neutralise("-A1"), "'-A1");
    // Numbers, even signed, stay numbers; so do empty and plain cells.
    for unchanged in [
        "-0.5",
        "+3",
        "-1e-9",
        "-12.05",
        "0",
        "",
        "all",
        "a=b",
        "2025-04-01",
    ] {
        assert_eq!(neutralise(unchanged), unchanged);
    }
    // Not finite is not a number a spreadsheet knows.
    assert_eq!(neutralise("-inf"), "'-inf");
    // A cell already quoted before a formula gets one more, so that the
    // quote taken off on reading gives back exactly the text.
    assert_eq!(neutralise("'=1"), "''=1");
    for text in [
        "=1", "'=1", "''-A1", "'plain", "-0.5", "", "'", TITLE, COMMAND,
    ] {
        assert_eq!(restore(&neutralise(text)), text);
    }
    // Cells written before the quote was added read as they are.
    assert_eq!(restore("-0.5"), "-0.5");
    assert_eq!(restore("'plain"), "'plain");
}

#[test]
fn a_hand_written_network_with_hostile_names_gives_safe_csv_and_an_escaped_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = small_scenario(&hostile_folder(dir.path()));
    let scenario = scenario.to_str().unwrap();
    let out = |name: &str| dir.path().join("out").join(name);
    let path = |p: PathBuf| p.display().to_string();
    succeed(
        iccsim()
            .args(["run", scenario, "-n", "2", "--episodes", "--quiet", "--out"])
            .arg(out("run")),
    );
    for shard in ["1/2", "2/2"] {
        succeed(
            iccsim()
                .args([
                    "batch", scenario, "-n", "4", "--quiet", "--shard", shard, "--out",
                ])
                .arg(out(&format!("shard{}", &shard[..1]))),
        );
    }
    succeed(iccsim().args([
        "merge",
        &path(out("shard1")),
        &path(out("shard2")),
        "--quiet",
        "--out",
        &path(out("merged")),
    ]));
    succeed(
        iccsim()
            .args(["tornado", scenario, "-n", "2", "--quiet", "--out"])
            .arg(out("tornado")),
    );
    succeed(iccsim().args([
        "sweep",
        scenario,
        "--sweep",
        "title=-2+3,@SUM(1),<script>alert(1)</script>",
        "-n",
        "1",
        "--quiet",
        "--out",
        &path(out("sweep")),
    ]));
    succeed(iccsim().args([
        "report",
        &path(out("run")),
        "--tornado",
        &path(out("tornado")),
    ]));

    let (checked, cells_checked, negatives) = assert_no_formula_cells(&dir.path().join("out"));
    // summary, replications, timeseries, flows, occupancy, episodes;
    // records, summary, replications of each shard and the merge; tornado;
    // sweep and sweep_replications; uncertainty.csv of the run, of each
    // shard and of the merge; delays and pressure of the run, each shard
    // and the merge; flows_by_kind of each shard and the merge;
    // stock_flow and stocks_by_period of the run.
    assert_eq!(checked, 35, "CSV files");
    assert!(cells_checked > 10_000);
    // Times before the window (warm-up) stay negative numbers.
    assert!(negatives > 0, "no negative number left as a number");

    // The names are written quoted, the numbers as they are.
    let summary = out("run").join("summary.csv");
    assert!(
        column(&summary, "scenario")
            .iter()
            .all(|c| *c == format!("'{}", name_of("=HYPERLINK(1)+2")))
    );
    assert!(column(&summary, "service").contains(&"'-cmd".to_string()));
    let episodes = out("run").join("episodes.csv");
    assert!(
        column(&episodes, "patient_type")
            .iter()
            .all(|c| c == "'-A1")
    );
    assert!(
        column(&episodes, "destination")
            .iter()
            .all(|c| c == "'-home")
    );
    assert!(
        column(&episodes, "requested_at")
            .iter()
            .any(|c| c.starts_with('-') && is_number(c))
    );
    let mut sources = column(&out("tornado").join("tornado.csv"), "source");
    sources.sort();
    assert_eq!(
        sources,
        ["'+cmd|' /C calc'!A0", "'@SUM(1), \"quoted, with comma\""]
    );
    let mut titles = column(&out("sweep").join("sweep.csv"), "title");
    titles.dedup();
    assert_eq!(titles, ["'-2+3", "'@SUM(1)", "<script>alert(1)</script>"]);

    // The records' header keeps the path with its comma: a spreadsheet
    // splits no formula out of it, and merge read it back whole.
    let records = out("merged").join("records.csv");
    let first = &cells(&records)[0];
    assert!(first[0].starts_with("# iccsim records"), "{first:?}");
    let read = iccsim::report::checkpoint::read_records(&records).unwrap();
    assert_eq!(read.records.len(), 4);
    assert!(
        read.header.origin.contains("plans,=HYPERLINK(1)"),
        "{}",
        read.header.origin
    );
    assert_eq!(read.header.scenario, name_of("=HYPERLINK(1)+2"));

    // The report reads the names back without their quotes, and escapes them.
    let html = assert_escaped_report(&out("run"));
    assert!(
        html.contains("<td class=\"text\">Cmd: Admissions</td>"),
        "the service `-cmd` was not read back"
    );
    assert!(html.contains("<td class=\"text\">+cmd|&#39; /C calc&#39;!A0</td>"));
    assert!(html.contains("<td class=\"text\">@SUM(1), &quot;quoted, with comma&quot;</td>"));
    assert!(
        !html.contains("&#39;+cmd") && !html.contains("&#39;@SUM"),
        "a quote added for spreadsheets reached the page"
    );
    let tornado_svg = files(&out("run").join("report-charts"), "-tornado.svg");
    let svg = std::fs::read_to_string(&tornado_svg[0]).unwrap();
    assert!(
        svg.contains("services.-cmd.capacity"),
        "the tornado's labels"
    );
}

#[test]
fn a_whole_system_comparison_with_hostile_levers_gives_safe_csv_and_an_escaped_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = whole_system_scenario(&hostile_folder(dir.path()));
    let scenario = scenario.to_str().unwrap();
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/north-cumbria-baseline.toml")
        .display()
        .to_string();
    let out = |name: &str| dir.path().join("out").join(name).display().to_string();
    succeed(iccsim().args([
        "compare",
        &baseline,
        scenario,
        "-n",
        "2",
        "--set-all",
        "run.horizon_days=30",
        "--set-all",
        "description=@SUM(1) <script>alert(1)</script>",
        "--set",
        "levers.-cmd.ramp_months=2",
        "--quiet",
        "--report",
        "--out",
        &out("compare"),
    ]));
    succeed(iccsim().args([
        "batch",
        scenario,
        "-n",
        "2",
        "--set",
        "run.horizon_days=30",
        "--quiet",
        "--report",
        "--out",
        &out("batch"),
    ]));
    succeed(iccsim().args([
        "calibrate",
        scenario,
        "-n",
        "1",
        "--set",
        "run.horizon_days=30",
        "--out",
        &out("calibrate"),
    ]));

    let (checked, _, negatives) = assert_no_formula_cells(&dir.path().join("out"));
    // comparison, finance and finance_summary; summary, breakdown_summary,
    // budget and thresholds of each compared scenario; the batch's nine
    // (delays and pressure added); calibration; uncertainty.csv of the
    // compared scenario and of the batch; workforce.csv of each compared
    // scenario and of the batch (issue 23: the baseline's [workforce]);
    // uncertainty.csv of the baseline (issue 23: its [uncertainty] draws
    // case management's effect per person); the batch's registers.csv
    // (issue 23: moving risk tiers); the batch's breakdown_margins.csv and
    // flows_by_kind.csv (issue 24: detail and margins apart, flows in
    // columns); paired_differences.csv and its margins, and each compared scenario's
    // replications.csv and records.csv (issue 24).
    assert_eq!(checked, 35, "CSV files");
    // Paired differences below zero stay numbers.
    assert!(negatives > 0, "no negative number left as a number");

    let compare = Path::new(&out("compare")).to_path_buf();
    let name = &format!("'{}-changed", name_of("@SUM(1)+2"));
    assert!(
        column(&compare.join("comparison.csv"), "scenario")
            .iter()
            .all(|c| c == name)
    );
    let differences = column(&compare.join("comparison.csv"), "difference_mean");
    assert!(
        differences
            .iter()
            .any(|c| c.starts_with('-') && is_number(c))
    );
    let budget = Path::new(&out("batch")).join("budget.csv");
    assert!(column(&budget, "lever").iter().all(|c| c == "'-cmd"));
    assert!(
        column(&budget, "scenario")
            .iter()
            .all(|c| *c == format!("'{}", name_of("@SUM(1)+2")))
    );
    let calibration = Path::new(&out("calibrate")).join("calibration.csv");
    assert_eq!(
        column(&calibration, "target"),
        [r#"'=HYPERLINK("http://x","y")"#]
    );
    assert_eq!(
        column(&calibration, "source"),
        ["'-2+3 <script>alert(1)</script>"]
    );

    // The comparison's report: names read back whole (the scenario's rows
    // of comparison.csv are found, its lever is `-cmd`), all escaped.
    let html = assert_escaped_report(&compare);
    assert!(html.contains(&format!("<h1>{TITLE_ESCAPED} against the baseline</h1>")));
    assert!(
        html.contains("<tr data-metric=\"emergency_admissions\">"),
        "no differences read back"
    );
    assert!(
        html.contains("<td class=\"text\">-cmd</td>"),
        "the lever `-cmd` was not read back"
    );
    assert!(
        !html.contains("&#39;-cmd"),
        "a quote added for spreadsheets reached the page"
    );
    assert!(html.contains("--set-all description=@SUM(1) &lt;script&gt;alert(1)&lt;/script&gt;"));
    // The methods describe each lever in words: the reinvestment's
    // description is its "what it does" cell, escaped.
    assert!(html.contains(">@SUM(1) &lt;script&gt;alert(1)&lt;/script&gt;<"));
    assert!(html.contains("<td class=\"text\">+cmd|&#39; /C calc&#39;!A0</td>"));
    // And the batch's.
    let html = assert_escaped_report(Path::new(&out("batch")));
    assert!(
        html.contains("<td class=\"text\">-cmd</td>"),
        "the lever `-cmd` was not read back"
    );
}
