//! The stock-and-flow series (`model::period_flows`, `report::stock_flow`):
//! on the baseline, for every place and every month and year of a few
//! replications, `stock_end = stock_start + inflow − outflow` exactly (the
//! services' stocks are taken from their occupancy, apart from the moves);
//! the months' moves add up to the window's flow matrix; the files carry
//! the same balance; and `run` writes them.

use iccsim::model::flow_groups::FlowGroups;
use iccsim::model::network::Network;
use iccsim::model::register::window_months;
use iccsim::model::{ReplicationResult, simulate};
use iccsim::report::stock_flow::{FLOW_COLUMNS, STOCK_COLUMNS, StockFlowRows, balance};

use crate::common::iccsim;

/// The baseline over two years after 90 days of warm-up (starting mid-year
/// would cut a month at the year's start; the baseline starts on the 1st).
fn baseline() -> Network {
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &["run.horizon_days=730".into(), "run.warmup_days=90".into()],
    )
    .unwrap();
    iccsim::scenario::load_str(&text, "baseline", "baseline").unwrap()
}

fn replications(network: &Network, n: u64) -> Vec<ReplicationResult> {
    (0..n)
        .map(|r| simulate(network, 20261207, r, &mut ()).unwrap())
        .collect()
}

#[test]
fn every_place_balances_exactly_in_every_month_and_year_of_the_baseline() {
    let network = baseline();
    let months = window_months(&network.run);
    assert_eq!(months.len(), 24);
    for result in replications(&network, 3) {
        let flows = &result.period_flows;
        assert_eq!(flows.months, 24);
        let mut checked = 0;
        for kind in 0..flows.kinds.len() {
            // Every month, then each year, then the whole window.
            let mut spans: Vec<_> = (0..24).map(|m| m..m + 1).collect();
            spans.extend([0..12, 12..24, 0..24]);
            for span in spans {
                let b = balance(flows, kind, span.clone());
                if let (Some(start), Some(end)) = (b.start, b.end) {
                    assert_eq!(
                        start + b.inflow,
                        end + b.outflow,
                        "{} over months {span:?} of replication {}: {b:?}",
                        flows.kinds[kind],
                        result.replication
                    );
                    checked += 1;
                } else {
                    assert_eq!(flows.kinds[kind], "arrival");
                    assert_eq!(b.inflow, 0, "nothing flows into the population");
                }
            }
        }
        assert_eq!(checked, (flows.kinds.len() - 1) * 27);
        // A whole system's places hold people at the end of the warm-up.
        let acute = flows.kinds.iter().position(|k| k == "acute_beds").unwrap();
        assert!(flows.stock(0, acute) > 200, "{}", flows.stock(0, acute));
        // The stocks at the window's end are the services' occupancy then:
        // everyone in the system (who holds a place or waits for one)
        // holds at least the places counted.
        let held: u64 = (0..flows.kinds.len())
            .filter(|&k| flows.holds_people[k])
            .map(|k| flows.stock(24, k))
            .sum();
        assert!(held <= result.system.in_system_at_end);
        assert!(held > 0);
    }
}

#[test]
fn the_months_moves_add_up_to_the_windows_flows_by_kind() {
    let network = baseline();
    let groups = FlowGroups::of(&network);
    for result in replications(&network, 2) {
        let flows = &result.period_flows;
        assert_eq!(flows.kinds, groups.names);
        let by_pair = groups.counts(&result.flows);
        let mut total = 0.0;
        for (p, &(from, to)) in groups.pairs.iter().enumerate() {
            let months: u64 = (0..flows.months).map(|m| flows.moves(m, from, to)).sum();
            assert_eq!(months as f64, by_pair[p], "{}", groups.pair_name(p));
            total += by_pair[p];
        }
        let all: u64 = (0..flows.months)
            .flat_map(|m| (0..flows.kinds.len()).map(move |f| (m, f)))
            .flat_map(|(m, f)| (0..flows.kinds.len()).map(move |t| (m, f, t)))
            .map(|(m, f, t)| flows.moves(m, f, t))
            .sum();
        assert_eq!(all as f64, total, "a move on no possible pair");
        assert!(total > 100_000.0, "{total}");
    }
}

#[test]
fn the_stocks_file_balances_and_the_flows_file_adds_up_to_it() {
    let network = baseline();
    let results = replications(&network, 1);
    let rows = StockFlowRows::new(&network);
    let mut flows = csv::Writer::from_writer(Vec::new());
    flows.write_record(FLOW_COLUMNS).unwrap();
    rows.write_flows(&mut flows, &results[0]).unwrap();
    let mut stocks = csv::Writer::from_writer(Vec::new());
    stocks.write_record(STOCK_COLUMNS).unwrap();
    rows.write_stocks(&mut stocks, &results[0]).unwrap();
    let read = |bytes: Vec<u8>| -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(bytes.as_slice())
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let flows = read(flows.into_inner().unwrap());
    let stocks = read(stocks.into_inner().unwrap());
    let kinds = results[0].period_flows.kinds.len();
    // 24 months and 2 years, a row per place each.
    assert_eq!(stocks.len(), 26 * kinds);
    let number = |s: &str| -> i64 { s.parse().unwrap() };
    for row in &stocks {
        let (period, index, place) = (&row[2], &row[3], &row[6]);
        let (start, inflow, outflow, end) = (&row[8], number(&row[9]), number(&row[10]), &row[11]);
        if place != "arrival" {
            assert_eq!(number(start) + inflow - outflow, number(end), "{row:?}");
        }
        // The flows file's moves into and out of the place in the period.
        let moved = |column: usize| -> i64 {
            flows
                .iter()
                .filter(|f| &f[2] == period && &f[3] == index && &f[column] == place)
                .map(|f| number(&f[8]))
                .sum()
        };
        assert_eq!(moved(7), inflow, "{row:?}");
        assert_eq!(moved(6), outflow, "{row:?}");
        // A place that holds people has its mean over the period between
        // nothing and everyone it ever held in it.
        if &row[7] == "true" {
            let mean: f64 = row[12].parse().unwrap();
            let most = number(start) + inflow;
            assert!(mean >= 0.0 && mean <= most as f64, "{row:?}");
        }
    }
    let years: Vec<_> = stocks.iter().filter(|r| &r[2] == "year").collect();
    assert_eq!(years.len(), 2 * kinds);
    assert_eq!(&years[0][4], "2025-04-01");
    assert_eq!(&years[kinds][4], "2026-04-01");
}

#[test]
fn run_writes_the_stock_and_flow_files() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("baseline.toml");
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &["run.horizon_days=120".into(), "run.warmup_days=30".into()],
    )
    .unwrap();
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    let output = iccsim()
        .args(["run", "-q", "-n", "2", "--out"])
        .arg(&out)
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let flows = std::fs::read_to_string(out.join("stock_flow.csv")).unwrap();
    assert!(
        flows.starts_with(&(FLOW_COLUMNS.join(",") + "\n")),
        "{flows}"
    );
    assert!(flows.contains(",month,0,"));
    assert!(flows.contains(",arrival,ed,"));
    let stocks = std::fs::read_to_string(out.join("stocks_by_period.csv")).unwrap();
    assert!(
        stocks.starts_with(&(STOCK_COLUMNS.join(",") + "\n")),
        "{stocks}"
    );
    assert!(stocks.contains(",acute_beds,true,"));
}

fn shipped_baseline() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/north-cumbria-baseline.toml")
        .display()
        .to_string()
}

#[test]
fn batch_writes_the_same_series_as_run_when_asked_and_not_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let (run, batch, plain) = (
        dir.path().join("run"),
        dir.path().join("batch"),
        dir.path().join("plain"),
    );
    let common = [
        "-n",
        "2",
        "--seed",
        "7",
        "--set",
        "run.horizon_days=100",
        "--set",
        "run.warmup_days=30",
        "-q",
    ];
    crate::common::succeed(
        iccsim()
            .args(["run", &shipped_baseline(), "--out"])
            .arg(&run)
            .args(common),
    );
    crate::common::succeed(
        iccsim()
            .args([
                "batch",
                &shipped_baseline(),
                "--outputs",
                "summary,stock_flow",
                "--out",
            ])
            .arg(&batch)
            .args(common),
    );
    for file in ["stock_flow.csv", "stocks_by_period.csv"] {
        let (a, b) = (
            std::fs::read(run.join(file)).unwrap(),
            std::fs::read(batch.join(file)).unwrap(),
        );
        assert!(a.len() > 1000, "{file}: {} bytes", a.len());
        assert!(a == b, "{file} differs between run and batch");
    }
    crate::common::succeed(
        iccsim()
            .args(["batch", &shipped_baseline(), "--out"])
            .arg(&plain)
            .args(common),
    );
    assert!(plain.join("flows_by_kind.csv").is_file());
    assert!(!plain.join("stock_flow.csv").exists());
}

#[test]
fn the_report_draws_the_stock_and_flow_diagram_with_the_files_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sf");
    crate::common::succeed(
        iccsim()
            .args(["run", &shipped_baseline(), "-n", "2", "-q", "--out"])
            .arg(&out)
            .args([
                "--set",
                "run.horizon_days=730",
                "--set",
                "run.warmup_days=90",
            ]),
    );
    crate::common::succeed(iccsim().arg("report").arg(&out));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("data-chart=\"north-cumbria-baseline-stock-flow\""));
    assert!(html.contains("Stocks and flows"));
    let svg =
        std::fs::read_to_string(out.join("report-charts/north-cumbria-baseline-stock-flow.svg"))
            .unwrap();
    assert!(
        out.join("report-charts/north-cumbria-baseline-stock-flow.png")
            .is_file()
    );
    // The largest yearly move, mean over replications and years, is on
    // its arrow: patients from the population to A&E.
    let flows = crate::common::csv_rows(&out.join("stock_flow.csv"));
    let total: f64 = flows
        .iter()
        .filter(|r| r["period"] == "year" && r["from"] == "arrival" && r["to"] == "ed")
        .map(|r| r["patients"].parse::<f64>().unwrap())
        .sum();
    let per_year = total / 2.0 / 2.0;
    let label = iccsim::report::board::words::grouped(per_year);
    assert!(
        svg.contains(&format!("\n{label}\n</text>")),
        "{label} is not on an arrow"
    );
    for place in [
        "Population (entries)",
        "A&amp;E",
        "Acute beds",
        "Death",
        "Home care",
    ] {
        assert!(svg.contains(place), "{place}");
    }
}
