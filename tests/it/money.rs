//! Money by financial year: cash released by beds a lever closes and the
//! running cost a lever names, by hand; prices converted to the scenario's
//! price year with the deflator in `[costs]`; the finance table of a
//! comparison balances to the penny (cash + notional + bought = the change
//! in total cost) in every year of every paired replication.

use iccsim::experiment::record::{Record, Schema};
use iccsim::model::Network;
use iccsim::report::finance::finance;

use crate::common::records;

/// The built-in baseline over two financial years (2025/26, 2026/27)
/// after a 60-day warm-up, with extra text.
fn baseline(extra: &str) -> Network {
    let changes = vec![
        "run.horizon_days=730".to_string(),
        "run.warmup_days=60".into(),
    ];
    let text = iccsim::scenario::overrides::apply_to_text(
        iccsim::scenario::DEFAULT_SCENARIO_TOML,
        "baseline",
        &changes,
    )
    .unwrap();
    iccsim::scenario::load_str(&format!("{text}\n{extra}"), "test", "baseline")
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A yearly value for all ICCs and ages of replication 0.
fn yearly(network: &Network, record: &Record, year: &str, metric: &str) -> f64 {
    let schema = Schema::of(network);
    let i = schema
        .breakdown
        .iter()
        .position(|k| k.year == year && k.icc == "all" && k.age_band == "all" && k.metric == metric)
        .unwrap_or_else(|| panic!("no {metric} for year {year}"));
    record.breakdown(&schema)[i]
}

/// The standard bed-day, £345 at 2020/21 prices, at 2023/24 prices with
/// the baseline's NHSCII index (112.808 / 100).
const BED_DAY_2023_24: f64 = 345.0 * 1.12808;

/// Ten adult beds closed at Cumberland Infirmary from 1 October 2025 (day
/// 183 of the window): 182 days closed in 2025/26 and 365 in 2026/27, each
/// a standard bed-day released; nothing is bought.
#[test]
fn ten_beds_closed_release_a_bed_day_for_each_day_closed() {
    let network = baseline(
        "[levers.close]\neffect = \"capacity\"\nservice = \"adult_beds\"\nsites = [\"cumberland_infirmary\"]\nchange = -10\nstart = 2025-10-01\n",
    );
    let record = &records(&network, 1)[0];
    let year1 = 10.0 * 182.0 * BED_DAY_2023_24;
    let year2 = 10.0 * 365.0 * BED_DAY_2023_24;
    let released = |y: &str| yearly(&network, record, y, "cash_released");
    assert!(
        (released("1") - year1).abs() < 1e-6,
        "{} vs {year1}",
        released("1")
    );
    assert!(
        (released("2") - year2).abs() < 1e-6,
        "{} vs {year2}",
        released("2")
    );
    assert!((released("all") - year1 - year2).abs() < 1e-6);
    assert_eq!(yearly(&network, record, "all", "cost_bought"), 0.0);
}

/// A lever's running cost of £365,250 a year from 1 October 2025, all at
/// once: £182,000 in 2025/26 (182 days), £365,000 in 2026/27; it is part
/// of cost_community and cost_total, and the baseline has none.
#[test]
fn a_lever_running_cost_comes_in_from_its_date() {
    let lever = "[levers.homes]\neffect = \"crisis_rate\"\ndemand = [\"care_home_crisis\"]\nmultiplier = 1.0\nstart = 2025-10-01\ncost_per_year = 365_250\ncost_source = \"a test\"\n";
    let network = baseline(lever);
    let base = baseline("");
    let record = &records(&network, 1)[0];
    let base_record = &records(&base, 1)[0];
    let bought = |y: &str| yearly(&network, record, y, "cost_bought");
    assert!((bought("1") - 182_000.0).abs() < 1e-6, "{}", bought("1"));
    assert!((bought("2") - 365_000.0).abs() < 1e-6, "{}", bought("2"));
    assert_eq!(yearly(&base, base_record, "all", "cost_bought"), 0.0);
    // The lever changes nothing else: the whole change in cost is the cost.
    let change = yearly(&network, record, "all", "cost_total")
        - yearly(&base, base_record, "all", "cost_total");
    assert!((change - 547_000.0).abs() < 1e-3, "{change}");
}

/// A lever that names a running cost must say where it comes from.
#[test]
fn a_running_cost_without_a_source_is_refused() {
    let text = iccsim::scenario::DEFAULT_SCENARIO_TOML.to_string()
        + "\n[levers.homes]\neffect = \"crisis_rate\"\ndemand = [\"care_home_crisis\"]\nmultiplier = 0.9\nstart = 2026-04-01\ncost_per_year = 1000\n";
    let Err(error) = iccsim::scenario::load_str(&text, "test", "baseline") else {
        panic!("refused");
    };
    let error = error.to_string();
    assert!(error.contains("levers.homes.cost_source"), "{error}");
}

/// A unit cost of a price year the deflator lacks is an error naming the
/// key, the year and the fix.
#[test]
fn a_price_year_without_a_deflator_is_refused() {
    let text = iccsim::scenario::DEFAULT_SCENARIO_TOML.replace(
        "price_years = { excess_bed_day = \"2020/21\" }",
        "price_years = { excess_bed_day = \"2016/17\" }",
    );
    let Err(error) = iccsim::scenario::load_str(&text, "test", "baseline") else {
        panic!("refused");
    };
    let error = error.to_string();
    assert!(
        error.contains("costs.price_years.excess_bed_day"),
        "{error}"
    );
    assert!(error.contains("no index for \"2016/17\""), "{error}");
}

/// Reinvestment (beds closed, staff bought as they are recruited) and a
/// named running cost, three paired replications over two years: every
/// year of every replication balances to the penny, and its total is the
/// change in cost_total.
#[test]
fn the_finance_table_balances_to_the_penny_in_every_year_and_replication() {
    let base = baseline("");
    let scenario = baseline(
        "[levers.money]\neffect = \"reinvestment\"\namount_per_year = 2_000_000\nfund = { rapid_response = 0.5, community_beds = 0.5 }\nclose_adult_beds = { west_cumberland = 12 }\nstart = 2025-07-01\nramp_months = 6\n\
         [levers.homes]\neffect = \"crisis_rate\"\ndemand = [\"care_home_crisis\"]\nmultiplier = 0.9\nstart = 2025-10-01\nramp_months = 3\ncost_per_year = 500_000\ncost_source = \"a test\"\n",
    );
    let (base_records, records_) = (records(&base, 3), records(&scenario, 3));
    let table = finance(
        &Schema::of(&base),
        &base_records,
        &Schema::of(&scenario),
        &records_,
    )
    .expect("a whole-system comparison has a finance table");
    assert_eq!(table.years.len(), 2);
    assert_eq!(table.by_replication.len(), 3);
    for (r, years) in table.by_replication.iter().enumerate() {
        let mut cumulative = 0;
        for (y, line) in years.iter().enumerate() {
            assert_eq!(
                line.cash_releasing + line.notional + line.bought,
                line.total_change,
                "replication {r} year {y}"
            );
            let year = (y + 1).to_string();
            let change = yearly(&scenario, &records_[r], &year, "cost_total")
                - yearly(&base, &base_records[r], &year, "cost_total");
            assert_eq!(line.total_change, (change * 100.0).round() as i64);
            assert!(line.bought > 0 && line.cash_releasing < 0, "{line:?}");
            assert!((0..=line.bought).contains(&line.double_running));
            cumulative += line.net_position;
            assert_eq!(line.cumulative_net_position, cumulative);
        }
    }
}
