//! `iccsim new --system NAME --from-data DIR` (scenario::from_data): north
//! Cumbria's own tables give back its baseline (values, and results byte
//! for byte); another system's tables generate, validate and run; every
//! kind of bad table is refused with its file, line, column, value and
//! fix; a value the data leave out is north Cumbria's, marked ASSUMED with
//! its source.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use iccsim::scenario::from_data::{self, DataError, Generated, Provenance};

fn iccsim() -> Command {
    Command::cargo_bin("iccsim").unwrap()
}

fn data_folder(system: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/systems")
        .join(system)
}

fn generate(folder: &Path) -> Result<Generated, DataError> {
    from_data::generate(
        folder,
        "test-system",
        &Provenance {
            command: "test",
            date: "2026-01-01",
        },
    )
}

/// A copy of a shipped data folder to spoil, in a temporary folder.
fn copy_of(system: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(data_folder(system)).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(&path, f(text)).unwrap();
}

fn parsed(text: &str) -> toml::Table {
    toml::from_str(text).unwrap()
}

fn baseline() -> toml::Table {
    parsed(iccsim::scenario::DEFAULT_SCENARIO_TOML)
}

fn target_key(t: &toml::Value) -> (String, String) {
    (
        t["metric"].as_str().unwrap().to_string(),
        t.get("age_bands")
            .map(|b| b.to_string())
            .unwrap_or_default(),
    )
}

#[test]
fn north_cumbrias_tables_give_back_its_baseline() {
    let generated = generate(&data_folder("north-cumbria")).unwrap();
    iccsim::scenario::load_str(&generated.text, "generated", "test-system")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut mine = parsed(&generated.text);
    let mut theirs = baseline();
    // Every section but the names and the targets is the baseline's,
    // value for value: ICC populations, sites and beds, community
    // capacities, the bands' parameters (their scaling ratios are 1).
    let mine_targets = mine["calibration"]["targets"].as_array().unwrap().clone();
    let their_targets = theirs["calibration"]["targets"].as_array().unwrap().clone();
    for doc in [&mut mine, &mut theirs] {
        for key in ["name", "title", "description", "calibration"] {
            doc.remove(key);
        }
    }
    for section in [
        "iccs",
        "sites",
        "age_bands",
        "population",
        "avoidable",
        "workforce",
        "costs",
        "run",
    ] {
        assert_eq!(
            mine[section], theirs[section],
            "[{section}] differs from the baseline's"
        );
    }
    assert_eq!(mine, theirs);
    // The targets: the same set; each equal, except the two adult counts
    // a year, which the baseline took from an older population (its
    // 31,600 admissions and 88,790 attendances; the rates × today's
    // populations give 31,082 and 88,929).
    assert_eq!(mine_targets.len(), their_targets.len());
    for t in &their_targets {
        let m = mine_targets
            .iter()
            .find(|m| target_key(m) == target_key(t))
            .unwrap_or_else(|| panic!("no target {:?}", target_key(t)));
        let number = |v: &toml::Value, k: &str| {
            v[k].as_float()
                .or(v[k].as_integer().map(|i| i as f64))
                .unwrap()
        };
        for key in ["observed", "low", "high"] {
            let (a, b) = (number(m, key), number(t, key));
            let metric = t["metric"].as_str().unwrap();
            if matches!(metric, "emergency_admissions" | "ed_attendances") {
                assert!((a / b - 1.0).abs() < 0.02, "{metric} {key}: {a} vs {b}");
            } else {
                assert_eq!(a, b, "{metric} {:?} {key}", t.get("age_bands"));
            }
        }
    }
    assert_eq!(
        generated.counts.derived, 12,
        "crisis, ED admission and stay for four bands"
    );
    assert_eq!(generated.free.len(), 12);
}

#[test]
fn north_cumbrias_tables_run_byte_identical_to_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nc.toml");
    iccsim()
        .args(["new", "--system", "north-cumbria-baseline", "--from-data"])
        .arg(data_folder("north-cumbria"))
        .arg("--out")
        .arg(&file)
        .assert()
        .success();
    let baseline =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/north-cumbria-baseline.toml");
    for (scenario, out) in [(&file, "generated"), (&baseline, "baseline")] {
        iccsim()
            .arg("run")
            .arg(scenario)
            .args(["-n", "2", "--quiet", "--out"])
            .arg(dir.path().join(out))
            .assert()
            .success();
    }
    let mut compared = 0;
    for entry in fs::read_dir(dir.path().join("baseline")).unwrap() {
        let name = entry.unwrap().file_name();
        let name = name.to_str().unwrap();
        // Only the provenance differs: the scenario file, its title and path.
        if !name.ends_with(".csv") {
            continue;
        }
        let a = fs::read(dir.path().join("generated").join(name)).unwrap();
        let b = fs::read(dir.path().join("baseline").join(name)).unwrap();
        assert!(a == b, "{name} differs");
        compared += 1;
    }
    assert!(compared > 10, "only {compared} CSV files compared");
}

/// Morecambe Bay's tables reduced to what today's format holds: the five
/// default bands, one site per ICC (its largest share), every site with
/// an ED, no out-of-system table, the same rates in every area (those of
/// `rates_of`).
fn morecambe_bay_today(rates_of: &str) -> tempfile::TempDir {
    let dir = copy_of("morecambe-bay");
    let bands = |t: String| t.replace(",0-16,", ",0-17,").replace(",17-64,", ",18-64,");
    for file in ["population.csv", "growth.csv"] {
        edit(dir.path(), file, bands);
    }
    edit(dir.path(), "rates.csv", |t| {
        let t = bands(t);
        let mut lines = t.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for line in lines.filter(|l| l.starts_with(&format!("{rates_of},")) || l.starts_with("*,"))
        {
            out.push_str(&format!("*{}\n", &line[line.find(',').unwrap()..]));
        }
        out
    });
    edit(dir.path(), "catchment.csv", |t| {
        let mut out = String::from("icc,site,share,source\n");
        let mut seen = Vec::new();
        for line in t.lines().skip(1) {
            let icc = line.split(',').next().unwrap().to_string();
            if !seen.contains(&icc) {
                let site = line.split(',').nth(1).unwrap();
                out.push_str(&format!("{icc},{site},1.0,A (test)\n"));
                seen.push(icc);
            }
        }
        out
    });
    edit(dir.path(), "sites.csv", |t| {
        t.replace(",no,royal_lancaster,60,0,0,0,0.75,", ",yes,,60,,0,0,,")
    });
    fs::remove_file(dir.path().join("out_of_system.csv")).unwrap();
    // An ICC with no community beds is refused while the bands discharge
    // to them: those ICCs take north Cumbria's beds per head instead.
    edit(dir.path(), "community.csv", |t| {
        t.lines()
            .filter(|l| !l.contains(",community_beds,0,"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    dir
}

#[test]
fn morecambe_bays_rates_scale_north_cumbrias_tuned_parameters() {
    let dir = morecambe_bay_today("barrow");
    let generated = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let doc = parsed(&generated.text);
    // Populations: the sums of the areas (one area per ICC here).
    assert_eq!(
        doc["iccs"]["barrow"]["population"]["18-64"].as_integer(),
        Some(32247)
    );
    assert_eq!(
        doc["iccs"]["kendal"]["site"].as_str(),
        Some("westmorland_general")
    );
    // The tuned parameters scaled by the ratios of the observed rates:
    // crises by A&E attendances (212 here, 309 in north Cumbria), ED
    // admission by the conversion ((69.2/212) / (72.2/309)), stays by the
    // mean stay (3.7 / 3.6).
    let band = &doc["age_bands"]["18-64"];
    let close = |v: &toml::Value, x: f64, tol: f64| {
        let got = v.as_float().unwrap();
        assert!((got - x).abs() <= tol, "{got} vs {x}");
    };
    close(&band["crisis_per_1000"], 342.0 * 212.0 / 309.0, 0.05);
    close(
        &band["ed_admission"],
        0.165 * (69.2 / 212.0) / (72.2 / 309.0),
        0.0001,
    );
    close(&band["overnight_stay"]["mean"], 5.0 * 3.7 / 3.6, 0.001);
    close(&band["overnight_stay"]["sd"], 7.5 * 3.7 / 3.6, 0.001);
    close(&band["elective_per_1000"], 14.7, 0.0);
    // Capacities not in the data: north Cumbria's per head, marked.
    let line = generated
        .text
        .lines()
        .find(|l| l.starts_with("gp_wte"))
        .unwrap();
    assert!(
        line.contains("ASSUMED (scaled from north Cumbria per head)"),
        "{line}"
    );
    assert_eq!(
        doc["iccs"]["lancaster"]["community_beds"].as_integer(),
        Some(16)
    );
    // Targets from the rates: admissions per 1,000 by band, ±10%.
    let targets = doc["calibration"]["targets"].as_array().unwrap();
    let t = targets
        .iter()
        .find(|t| {
            t["metric"].as_str() == Some("emergency_admissions_per_1000")
                && t["age_bands"][0].as_str() == Some("85+")
        })
        .unwrap();
    assert_eq!(
        (
            t["observed"].as_float(),
            t["low"].as_float(),
            t["high"].as_float()
        ),
        (Some(435.4), Some(391.86), Some(478.94))
    );
}

#[test]
fn morecambe_bay_in_todays_format_generates_validates_and_runs() {
    // Millom's rates are Cumberland's, north Cumbria's own: at Barrow's,
    // the conversion ratio raises 18-64's ED admission to 0.23, past what
    // rapid response's managed_at_home (0.75) allows with the avoidable
    // share of 0.40, and validation refuses the file (a limit reported,
    // not yet handled by the generator).
    let dir = morecambe_bay_today("millom");
    let generated = generate(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("mb.toml");
    fs::write(&file, &generated.text).unwrap();
    iccsim().arg("validate").arg(&file).assert().success();
    iccsim()
        .arg("run")
        .arg(&file)
        .args([
            "-n",
            "1",
            "--quiet",
            "--set",
            "run.warmup_days=60",
            "--set",
            "run.horizon_days=90",
            "--out",
        ])
        .arg(dir.path().join("run"))
        .assert()
        .success();
    let summary = fs::read_to_string(dir.path().join("run/summary.csv")).unwrap();
    assert!(summary.lines().count() > 10, "{summary}");
}

/// The one problem of a spoiled folder, as text.
fn problem(dir: &Path) -> String {
    let e = generate(dir).expect_err("the spoiled data were accepted");
    assert_eq!(e.problems.len(), 1, "{e}");
    e.problems[0].to_string()
}

#[test]
fn a_missing_required_table_is_named_with_its_columns() {
    let dir = copy_of("north-cumbria");
    fs::remove_file(dir.path().join("sites.csv")).unwrap();
    let p = problem(dir.path());
    assert!(p.starts_with("sites.csv: is missing"), "{p}");
    assert!(p.contains("columns site, adult_beds"), "{p}");
}

#[test]
fn a_missing_column_is_named_on_the_header_line() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "areas.csv", |t| {
        t.replace("area,icc,source", "area,icx,source")
    });
    let e = generate(dir.path()).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("areas.csv line 1, column `icc`: the column is missing"),
        "{text}"
    );
    assert!(
        text.contains(
            "areas.csv line 1, column `icx`: is not a column of this table (did you mean `icc`?)"
        ),
        "{text}"
    );
}

#[test]
fn an_unknown_icc_is_located_with_a_did_you_mean() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "catchment.csv", |t| {
        t.replace("\neden,", "\nedenn,")
    });
    let e = generate(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("catchment.csv line 9, column `icc`: \"edenn\": is not an ICC of areas.csv (did you mean `eden`?)"),
        "{e}"
    );
    // And eden, now without a catchment, is named too.
    assert!(e.contains("has no row for ICC eden"), "{e}");
}

#[test]
fn an_unknown_band_and_area_are_located() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "rates.csv", |t| {
        t.replacen(
            "\n18-64,emergency_admissions",
            "\n18-46,emergency_admissions",
            1,
        )
    });
    let p = problem(dir.path());
    assert!(
        p.starts_with(
            "rates.csv line 2, column `age_band`: \"18-46\": is not an age band of population.csv"
        ),
        "{p}"
    );
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "population.csv", |t| {
        t.replacen("\ncopeland,0-17", "\ncopland,0-17", 1)
    });
    let e = generate(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("area copeland has no people in age band 0-17; give a row for each band"),
        "{e}"
    );
    assert!(e.contains("population.csv line 2, column `area`: \"copland\": is not an area of areas.csv (did you mean `copeland`?)"), "{e}");
}

#[test]
fn shares_that_do_not_sum_to_one_are_refused() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "catchment.csv", |t| {
        t.replace(
            "copeland,west_cumberland,1.0",
            "copeland,west_cumberland,0.8",
        )
    });
    let p = problem(dir.path());
    assert!(p.starts_with("catchment.csv line 2, column `share`: \"0.8\": ICC copeland's shares (west_cumberland 0.8) add up to 0.8, not 1"), "{p}");
    assert!(p.contains("correct them so that they sum to 1"), "{p}");
}

#[test]
fn a_non_number_is_located_with_its_fix() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "sites.csv", |t| {
        t.replace(",405,", ",405 beds,")
    });
    let p = problem(dir.path());
    assert_eq!(
        p,
        "sites.csv line 2, column `adult_beds`: \"405 beds\": is not a number; write a plain number such as 405 or 0.875 (a decimal point, no units or % sign)"
    );
}

#[test]
fn bad_data_through_the_command_is_an_invalid_input_error_and_writes_nothing() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "community.csv", |t| {
        t.replace("copeland,gp_wte,21.2", "copeland,gp_wte,lots")
    });
    let out = dir.path().join("out.toml");
    let assert = iccsim()
        .args(["new", "--system", "x", "--from-data"])
        .arg(dir.path())
        .arg("--out")
        .arg(&out)
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("community.csv line 7, column `value`: \"lots\": is not a number"),
        "{stderr}"
    );
    assert!(!out.exists());
}

#[test]
fn an_existing_file_is_replaced_only_if_the_generator_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("system.toml");
    fs::write(&out, "# mine\n").unwrap();
    let new = |force: bool| {
        let mut c = iccsim();
        c.args(["new", "--system", "nc", "--from-data"])
            .arg(data_folder("north-cumbria"))
            .arg("--out")
            .arg(&out);
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    let stderr = |a: assert_cmd::assert::Assert| {
        String::from_utf8_lossy(&a.code(2).get_output().stderr).to_string()
    };
    assert!(stderr(new(true)).contains("never replaced"));
    assert_eq!(fs::read_to_string(&out).unwrap(), "# mine\n");
    fs::remove_file(&out).unwrap();
    new(false).success();
    assert!(stderr(new(false)).contains("add --force"));
    new(true).success();
    assert!(
        fs::read_to_string(&out)
            .unwrap()
            .starts_with(from_data::GENERATED_MARK)
    );
}

#[test]
fn values_the_data_leave_out_are_north_cumbrias_marked_assumed_with_their_source() {
    let dir = copy_of("north-cumbria");
    edit(dir.path(), "community.csv", |t| {
        t.lines()
            .filter(|l| !l.contains(",gp_wte,"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    fs::remove_file(dir.path().join("growth.csv")).unwrap();
    let generated = generate(dir.path()).unwrap();
    let text = &generated.text;
    let line = |start: &str| {
        text.lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no line {start}"))
            .to_string()
    };
    // Growth: north Cumbria's, with its note above it.
    assert!(
        line("growth_per_year").contains("# ASSUMED (north Cumbria)"),
        "{}",
        line("growth_per_year")
    );
    assert!(text.contains("# A: not in the calibration data. Trend of ONS-style projections"));
    // A run setting with its source comment kept after the mark.
    assert!(
        line("warmup_days").contains("# ASSUMED (north Cumbria): A: iccsim warmup (MSER-5"),
        "{}",
        line("warmup_days")
    );
    // GP WTE: scaled per head (weighted by GP appointments), with north
    // Cumbria's own source; the scaling of north Cumbria's own people
    // gives back about its own figure (130.4 WTE in all).
    let gp = line("gp_wte");
    assert!(gp.contains("# ASSUMED (scaled from north Cumbria per head): 130.4 in north Cumbria per person weighted by gp_appointments_per_person; north Cumbria: D: GPs in post"), "{gp}");
    let doc = parsed(text);
    let total: f64 = doc["iccs"]
        .as_table()
        .unwrap()
        .values()
        .map(|i| i["gp_wte"].as_float().unwrap())
        .sum();
    assert!((total - 130.4).abs() < 0.5, "{total}");
    // The counts in the header are the marks in the file: on values'
    // comments and in the targets' sources.
    let marks = |m: &str| {
        text.matches(&format!("# {m}")).count() + text.matches(&format!("source = \"{m}")).count()
    };
    let c = generated.counts;
    assert!(text.contains(&format!(
        "# Values: {} from the data, {} derived, {} assumed.",
        c.data, c.derived, c.assumed
    )));
    assert_eq!(
        (marks("DATA"), marks("DERIVED"), marks("ASSUMED")),
        (c.data, c.derived, c.assumed)
    );
}
