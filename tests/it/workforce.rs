//! Staff who must be recruited (`[workforce]`, issue 23): a group started
//! at the vacancy its rates keep steady stays there and the capacity it
//! gives does not move; posts a lever funds are filled month by month as
//! the closed form says, and a team's places follow floor(working WTE ×
//! caseload); a file without `[workforce]` compiles as before (a neutral
//! workforce, filled at once, gives the same network); agency cover is
//! paid at its premium (`cost_agency`); bad keys are named.

use iccsim::model::system::StaffTrack;
use iccsim::model::{Capacity, Network};
use iccsim::report::workforce::workforce_csv;

use crate::common::records;

/// The baseline's text, with its `[workforce]` replaced by `workforce`
/// (TOML tables of the groups; empty: none) and `extra` added.
fn baseline_text(workforce: &str, extra: &str) -> String {
    let mut document: toml::Table = iccsim::scenario::DEFAULT_SCENARIO_TOML.parse().unwrap();
    document.remove("workforce");
    format!(
        "{}\n{workforce}\n{extra}",
        toml::to_string(&document).unwrap()
    )
}

fn load(text: &str) -> Network {
    iccsim::scenario::load_str(text, "test", "baseline").unwrap_or_else(|e| panic!("{e}"))
}

fn load_error(text: &str) -> String {
    match iccsim::scenario::load_str(text, "test", "baseline") {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// The service of a role name prefix in an ICC, e.g. `reablement_copeland`.
fn service(network: &Network, name: &str) -> usize {
    network
        .services
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn tracks<'a>(network: &'a Network, icc: &str, group: &str) -> Vec<&'a StaffTrack> {
    let layout = network.layout.as_ref().unwrap();
    let i = layout.iccs.iter().position(|n| n == icc).unwrap();
    layout
        .workforce
        .iter()
        .filter(|t| t.icc == i && t.group == group)
        .collect()
}

/// The shipped baseline starts every group at the vacancy its rates keep
/// steady (fill rates derived from the equilibrium): staff in post never
/// move from the `[iccs]` figures, the vacancy rate is the one given, and
/// no team, bed or practice gets a capacity change.
#[test]
fn the_baseline_stays_at_its_equilibrium() {
    let network =
        iccsim::scenario::load_str(iccsim::scenario::DEFAULT_SCENARIO_TOML, "test", "baseline")
            .unwrap();
    let layout = network.layout.as_ref().unwrap();
    assert!(!layout.workforce.is_empty());
    for track in &layout.workforce {
        for (day, level) in &track.months {
            assert!(
                (level.in_post - track.before.in_post).abs() < 1e-9,
                "{} {} day {day}: {level:?} vs {:?}",
                track.icc,
                track.group,
                track.before
            );
            assert!((level.vacant - track.before.vacant).abs() < 1e-9);
        }
    }
    let gp = tracks(&network, "copeland", "gp");
    assert_eq!(gp.len(), 1);
    // The 21.2 WTE of the file are those working: in post and agency cover.
    assert!((gp[0].before.in_post + gp[0].before.agency - 21.2).abs() < 1e-12);
    assert!(gp[0].before.agency > 0.0);
    assert!((gp[0].before.vacant / gp[0].before.funded - 0.32).abs() < 1e-12);
    for s in &network.services {
        assert!(
            s.capacity_changes.is_empty() && s.schedule_changes.is_empty(),
            "{} changes capacity with no lever",
            s.name
        );
    }
    for cost in &layout.staff_costs {
        assert!(cost.changes.is_empty(), "{cost:?}");
    }
    // The file's WTE are those working, agency cover included, so the
    // baseline's places are as calibrated: reablement in Copeland is 12
    // WTE working × 4.2 places a WTE.
    assert_eq!(
        network.services[service(&network, "reablement_copeland")].capacity,
        Capacity::Limited((12.0 * 4.2_f64).floor() as u32)
    );
}

const TEST_TEAMS: &str = "[workforce.community_teams]
vacancy_rate = 0.0
attrition_per_year = 0.0
recruitment_lead_time_months = 3
fill_per_month = 0.3
agency_share = 0.0
agency_premium = 0.5
";

/// 10 WTE of reablement funded in Copeland from the start of the window
/// (a `capacity` lever, no ramp), no leavers, a lead time of 3 months and
/// 30% of the open vacancies filled a month: in post after the k-th
/// monthly step is 12 + 10 (1 − 0.7^(k − 2)) from k = 3, and the places
/// are floor(in post × 4.2) from each step on.
#[test]
fn funded_posts_are_filled_as_the_closed_form_says() {
    let lever = "[levers.more_reablement]
effect = \"capacity\"
service = \"reablement\"
wte = 10
start = 2025-04-01
iccs = { copeland = 2025-04-01 }
";
    let network = load(&baseline_text(TEST_TEAMS, lever));
    let s = service(&network, "reablement_copeland");
    let reablement = tracks(&network, "copeland", "community_teams");
    // Rapid response, reablement, case management: reablement second.
    let track = reablement[1];
    assert!((track.before.in_post - 12.0).abs() < 1e-12);
    let service = &network.services[s];
    assert_eq!(service.capacity, Capacity::Limited(50));
    for (k, (day, level)) in track.months.iter().enumerate() {
        let filled = if k >= 3 {
            10.0 * (1.0 - 0.7_f64.powi(k as i32 - 2))
        } else {
            0.0
        };
        assert!(
            (level.in_post - 12.0 - filled).abs() < 1e-9,
            "month {k}: {level:?}, expected {}",
            12.0 + filled
        );
        assert!((level.funded - 22.0).abs() < 1e-9);
        let places = ((12.0 + filled) * 4.2 + 1e-9).floor() as u32;
        let in_force = service
            .capacity_changes
            .iter()
            .rev()
            .find(|c| c.from_day <= *day)
            .map_or(service.capacity, |c| c.capacity);
        assert_eq!(in_force, Capacity::Limited(places), "month {k} (day {day})");
    }
    // No one starts before the lead time: the first change is 3 months in.
    assert_eq!(service.capacity_changes[0].from_day, 91.0);
}

const NEUTRAL: &str = "[workforce.gp]
vacancy_rate = 0.0
attrition_per_year = 0.0
recruitment_lead_time_months = 0
fill_per_month = 1.0
agency_share = 0.0
agency_premium = 0.0
[workforce.other_clinical]
vacancy_rate = 0.0
attrition_per_year = 0.0
recruitment_lead_time_months = 0
fill_per_month = 1.0
agency_share = 0.0
agency_premium = 0.0
[workforce.community_teams]
vacancy_rate = 0.0
attrition_per_year = 0.0
recruitment_lead_time_months = 0
fill_per_month = 1.0
agency_share = 0.0
agency_premium = 0.0
[workforce.community_beds]
vacancy_rate = 0.0
attrition_per_year = 0.0
recruitment_lead_time_months = 0
fill_per_month = 1.0
agency_share = 0.0
agency_premium = 0.0
wte_per_bed = 1.5
";

const REINVEST: &str = "[levers.reinvest]
effect = \"reinvestment\"
amount_per_year = 3_000_000
fund = { rapid_response = 0.2, reablement = 0.2, case_management = 0.1, community_beds = 0.2, gp = 0.2, other_clinical = 0.1 }
start = 2026-04-01
";

/// Without `[workforce]` money buys staff on the day; a workforce with no
/// vacancies, no lead time and every vacancy filled at once does the same:
/// the two networks are the same but for the staff kept for the outputs.
#[test]
fn a_neutral_workforce_compiles_as_no_workforce() {
    let without = load(&baseline_text("", REINVEST));
    assert!(without.layout.as_ref().unwrap().workforce.is_empty());
    let mut neutral = load(&baseline_text(NEUTRAL, REINVEST));
    assert!(!neutral.layout.as_ref().unwrap().workforce.is_empty());
    neutral.layout.as_mut().unwrap().workforce.clear();
    assert_eq!(format!("{without:?}"), format!("{neutral:?}"));
    // And the reinvestment did change something (so the comparison bites).
    let s = service(&without, "reablement_copeland");
    assert!(!without.services[s].capacity_changes.is_empty());
}

/// Without `[workforce]` the teams' places are the `[iccs]` WTE ×
/// caseload, as before, with no change over time.
#[test]
fn without_workforce_places_are_the_staff_given() {
    let network = load(&baseline_text("", ""));
    let s = service(&network, "reablement_copeland");
    assert_eq!(
        network.services[s].capacity,
        Capacity::Limited((12.0_f64 * 4.2).floor() as u32)
    );
    assert!(network.services[s].capacity_changes.is_empty());
}

/// Agency cover is paid at its premium: `cost_agency` in a year is the
/// tracks' agency WTE-days × (1 + premium) × the WTE cost, exactly.
#[test]
fn agency_cover_is_paid_at_its_premium() {
    let mut document: toml::Table = iccsim::scenario::DEFAULT_SCENARIO_TOML.parse().unwrap();
    let run = document["run"].as_table_mut().unwrap();
    run.insert("horizon_days".into(), toml::Value::Integer(365));
    run.insert("warmup_days".into(), toml::Value::Integer(30));
    let network = load(&toml::to_string(&document).unwrap());
    let record = &records(&network, 1)[0];
    let schema = iccsim::experiment::record::Schema::of(&network);
    let at = |metric: &str| {
        let i = schema
            .breakdown
            .iter()
            .position(|k| {
                k.year == "1" && k.icc == "all" && k.age_band == "all" && k.metric == metric
            })
            .unwrap();
        record.breakdown(&schema)[i]
    };
    let layout = network.layout.as_ref().unwrap();
    let expected: f64 = layout
        .workforce
        .iter()
        .map(|t| {
            let days = t.wte_days(0.0, 365.0);
            days.agency * t.wte_year / 365.25 * (1.0 + t.agency_premium)
        })
        .sum();
    assert!(expected > 0.0);
    assert!(
        (at("cost_agency") - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        at("cost_agency")
    );
    // Part of the sectors' costs, not added to the total again.
    let sectors =
        at("cost_acute") + at("cost_community") + at("cost_primary_care") + at("cost_social_care");
    assert!((at("cost_total") - sectors).abs() < 1e-6 * sectors);
}

/// `workforce.csv`: a row per year × ICC × group with the means of the
/// year; at equilibrium, the `[iccs]` staff in post and the vacancy given.
#[test]
fn workforce_csv_has_a_row_per_year_icc_and_group() {
    let network = load(iccsim::scenario::DEFAULT_SCENARIO_TOML);
    let text = String::from_utf8(workforce_csv(&network)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "year,icc,group,wte_funded,wte_in_post,wte_vacant,wte_agency,vacancy_rate,cost_in_post_gbp,cost_agency_gbp"
    );
    // 5 years × 8 ICCs × 4 groups.
    assert_eq!(lines.len(), 1 + 5 * 8 * 4);
    let copeland_gp: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(&copeland_gp[..3], ["1", "copeland", "gp"]);
    // Working (in post + agency cover) is the file's 21.2 WTE.
    let working = |row: &[&str]| row[4].parse::<f64>().unwrap() + row[6].parse::<f64>().unwrap();
    assert!(
        (working(&copeland_gp) - 21.2).abs() < 0.002,
        "{copeland_gp:?}"
    );
    assert_eq!(copeland_gp[7], "0.3200");
    // Teams: rapid response + reablement + case management in post.
    let teams: Vec<&str> = lines[3].split(',').collect();
    assert_eq!(&teams[..3], ["1", "copeland", "community_teams"]);
    assert!((working(&teams) - 16.1).abs() < 0.002, "{teams:?}");
}

/// Bad keys are named, with their value and the fix.
#[test]
fn bad_workforce_keys_are_named() {
    let group = |key_values: &str| {
        format!(
            "[workforce.community_teams]\nattrition_per_year = 0.1\nrecruitment_lead_time_months = 3\nagency_share = 0.2\nagency_premium = 0.5\n{key_values}"
        )
    };
    let message = load_error(&baseline_text(&group("vacancy_rate = 1.0"), ""));
    assert!(
        message.contains("workforce.community_teams.vacancy_rate") && message.contains("below 1"),
        "{message}"
    );
    let message = load_error(&baseline_text(
        &group("vacancy_rate = 0.1\nfill_per_month = -0.2"),
        "",
    ));
    assert!(
        message.contains("workforce.community_teams.fill_per_month"),
        "{message}"
    );
    let message = load_error(&baseline_text(
        "[workforce.nurses]\nvacancy_rate = 0.1\nattrition_per_year = 0.1\nrecruitment_lead_time_months = 3\nagency_share = 0.2\nagency_premium = 0.5\n",
        "",
    ));
    assert!(
        message.contains("workforce.nurses") && message.contains("community_teams"),
        "{message}"
    );
    // A lead time too long for the vacancy: no fill rate keeps it.
    let message = load_error(&baseline_text(&group("vacancy_rate = 0.01"), ""));
    assert!(
        message.contains("workforce.community_teams.fill_per_month")
            && message.contains("cannot be derived"),
        "{message}"
    );
    let message = load_error(&baseline_text(
        &group("vacancy_rate = 0.1\nvacancy_rate_by_icc = { copland = 0.2 }"),
        "",
    ));
    assert!(
        message.contains("vacancy_rate_by_icc.copland") && message.contains("copeland"),
        "{message}"
    );
    let message = load_error(&baseline_text(
        "[workforce.community_beds]\nvacancy_rate = 0.1\nattrition_per_year = 0.1\nrecruitment_lead_time_months = 3\nagency_share = 0.2\nagency_premium = 0.5\n",
        "",
    ));
    assert!(
        message.contains("workforce.community_beds.wte_per_bed"),
        "{message}"
    );
}
