//! Primary care as capacity (issue 22) on the small whole system of
//! `tests/fixtures/system/minimal.toml`: GP capacity 0 reproduces the file
//! without the keys exactly (every metric they share, every episode);
//! more same-day appointments never raise ED attendances (a property test
//! over random capacities, with common random numbers); staff cost is WTE ×
//! unit cost exactly; and a known answer: with a daily limit L, the
//! same-day appointments of each day are min(L, that day's seekers).
//!
//! Every check here is exact (no Monte Carlo tolerance): each compares a
//! replication with itself under another capacity, or with its own
//! arrivals.

use std::collections::HashMap;
use std::path::Path;

use iccsim::experiment::record::{Schema, reduce};
use iccsim::model::{EpisodeRecord, Network, simulate};
use iccsim::scenario::load_str;
use proptest::prelude::*;

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    std::fs::read_to_string(path).unwrap()
}

fn network(text: &str) -> Network {
    load_str(text, "test", "test").unwrap_or_else(|e| panic!("{e}"))
}

fn refusal(text: &str) -> String {
    match load_str(text, "test", "test") {
        Ok(_) => panic!("the scenario was accepted"),
        Err(e) => e.to_string(),
    }
}

/// The fixture with primary care switched on: `gp_wte` GPs (one same-day
/// appointment each a day), a share `seek` of every band's crises seeking
/// one first, managed there with probability `managed`, open `opening`.
fn with_primary_care(gp_wte: f64, seek: f64, managed: f64, opening: &str) -> String {
    let mut text = fixture();
    text = text.replacen(
        "case_management_wte = 5.0\n",
        &format!("case_management_wte = 5.0\ngp_wte = {gp_wte}\nother_clinical_wte = 0.0\n"),
        1,
    );
    text = text.replace(
        "readmission_30d = 0.0\n",
        &format!("readmission_30d = 0.0\nseek_same_day = {seek}\n"),
    );
    text.push_str("gp_wte_year = 150000.0\nother_clinical_wte_year = 100000.0\n");
    text.push_str(&format!(
        r#"
[primary_care]
same_day_per_wte_day = {{ gp = 1.0, other = 0.0 }}
weekday_factors = [1, 1, 1, 1, 1, 1, 1]
{opening}
appointment = {{ dist = "fixed", value = 0.02 }}
managed = {managed}
referred_on = {{ ed = 0.5, rapid_response = 0.0, day_unit = 0.25, admission = 0.25 }}
"#
    ));
    text
}

/// Open every day, all day.
const ALWAYS: &str = "opening = { days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"], open_hour = 0.0, close_hour = 24.0 }";

/// Each metric of one replication by its key (service, type, metric), each
/// breakdown value by (year, ICC, band, metric), each service-year value.
fn values(network: &Network, replication: u64) -> HashMap<String, f64> {
    let result = simulate(network, 11, replication, &mut ()).unwrap();
    let schema = Schema::of(network);
    let record = reduce(network, &result);
    let mut out = HashMap::new();
    for (key, v) in schema.metrics.iter().zip(record.metrics(&schema)) {
        out.insert(
            format!("{}|{}|{}", key.service, key.patient_type, key.metric),
            *v,
        );
    }
    for (key, v) in schema.breakdown.iter().zip(record.breakdown(&schema)) {
        out.insert(
            format!("{}|{}|{}|{}", key.year, key.icc, key.age_band, key.metric),
            *v,
        );
    }
    for (key, v) in schema
        .service_years
        .iter()
        .zip(record.service_years(&schema))
    {
        let service = &network.services[key.service].name;
        out.insert(format!("{service}|{}|{}", key.year, key.metric), *v);
    }
    out
}

/// The whole-system value of a breakdown metric (all years, ICCs, bands).
fn total(values: &HashMap<String, f64>, metric: &str) -> f64 {
    values[&format!("all|all|all|{metric}")]
}

/// Every episode of one replication, as text (bit-exact times).
fn episodes(network: &Network, replication: u64) -> Vec<String> {
    let mut out = Vec::new();
    let mut keep = |e: &EpisodeRecord<'_>| {
        out.push(format!(
            "{} {} {} {} {:?} {:?} {:?} {:?} {:?} {}",
            e.patient,
            e.patient_type,
            e.service,
            e.requested_at.to_bits(),
            e.started_at.map(f64::to_bits),
            e.ready_at.map(f64::to_bits),
            e.left_at.to_bits(),
            e.delayed_days.to_bits(),
            e.destination,
            e.replication
        ));
    };
    simulate(network, 11, replication, &mut keep).unwrap();
    out
}

/// (a) The issue's first test: with the keys present and GP capacity 0,
/// no crisis is routed to primary care, so the run is today's: the same
/// episodes, and every metric the two files share equal bit for bit, but
/// the cost of primary care, which is paid as staff (0 WTE: £0) instead of
/// by the appointment per head, and so the total.
#[test]
fn gp_capacity_zero_reproduces_todays_pathway_exactly() {
    let today = network(&fixture());
    let zero = network(&with_primary_care(0.0, 0.4, 0.6, ALWAYS));
    assert!(
        zero.services.iter().any(|s| s.name == "primary_care_only"),
        "the section builds the service"
    );
    assert!(
        !today
            .services
            .iter()
            .any(|s| s.name.starts_with("primary_care"))
    );
    for replication in 0..2 {
        let a = episodes(&today, replication);
        let b = episodes(&zero, replication);
        assert!(a.len() > 10_000, "a real run: {} episodes", a.len());
        assert_eq!(a, b, "replication {replication}: the episodes differ");
        let a = values(&today, replication);
        let b = values(&zero, replication);
        let mut shared = 0;
        for (key, x) in &a {
            let Some(y) = b.get(key) else { continue };
            if key.ends_with("cost_primary_care") || key.ends_with("cost_total") {
                continue;
            }
            shared += 1;
            assert!(
                x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(),
                "{key}: {x} without the keys, {y} with GP capacity 0"
            );
        }
        assert!(shared > 1000, "{shared} shared values compared");
        assert_eq!(total(&b, "primary_care_same_day"), 0.0);
        assert_eq!(total(&b, "primary_care_none_left"), 0.0);
        assert_eq!(total(&b, "cost_primary_care"), 0.0);
        assert!(total(&a, "cost_primary_care") > 0.0, "per head without");
    }
}

/// A file with primary care but capacity routes the seekers there: the
/// same-day appointments, those managed and those finding none add up.
#[test]
fn seekers_are_seen_managed_or_sent_on() {
    let net = network(&with_primary_care(10.0, 0.4, 0.6, ALWAYS));
    let v = values(&net, 0);
    let seen = total(&v, "primary_care_same_day");
    let none = total(&v, "primary_care_none_left");
    let managed = total(&v, "primary_care_managed");
    assert!(
        seen > 1000.0 && none > 1000.0,
        "seen {seen}, none left {none}"
    );
    assert!(
        managed <= seen && managed > 0.5 * seen,
        "{managed} of {seen}"
    );
    // 10 a day for 730 days: no more than the limit.
    assert!(seen <= 10.0 * 730.0, "{seen}");
}

/// (d) Known answer: open all day every day with a daily limit L, the
/// same-day appointments of each day are min(L, seekers that day), summed
/// over the days, exactly (seekers counted from the replication's own
/// episodes at primary care; each is seen, or sent on at once).
#[test]
fn a_daily_limit_gives_min_of_limit_and_seekers_each_day() {
    for limit in [5_u32, 20, 60] {
        let net = network(&with_primary_care(f64::from(limit), 0.4, 0.6, ALWAYS));
        let mut seekers: HashMap<i64, u32> = HashMap::new();
        let mut seen = 0_u32;
        let mut keep = |e: &EpisodeRecord<'_>| {
            if e.service == "primary_care_only" && e.requested_at >= 0.0 {
                *seekers.entry(e.requested_at.floor() as i64).or_default() += 1;
                if e.started_at.is_some() {
                    seen += 1;
                }
            }
        };
        let result = simulate(&net, 11, 0, &mut keep).unwrap();
        let expected: u32 = seekers.values().map(|&n| n.min(limit)).sum();
        assert_eq!(seen, expected, "limit {limit}");
        let schema = Schema::of(&net);
        let record = reduce(&net, &result);
        let same_day = schema
            .breakdown
            .iter()
            .zip(record.breakdown(&schema))
            .find(|(k, _)| {
                k.year == "all"
                    && k.icc == "all"
                    && k.age_band == "all"
                    && k.metric == "primary_care_same_day"
            })
            .map(|(_, v)| *v)
            .unwrap();
        assert_eq!(same_day, f64::from(expected), "limit {limit}");
    }
}

/// (c) Costs equal staff × unit cost: 12 GP WTE at £150,000 and 3 other at
/// £100,000 a year, over 730 days, whatever the activity.
#[test]
fn primary_care_costs_are_staff_times_unit_cost() {
    let text = with_primary_care(12.0, 0.4, 0.6, ALWAYS).replacen(
        "other_clinical_wte = 0.0",
        "other_clinical_wte = 3.0",
        1,
    );
    let net = network(&text);
    let v = values(&net, 0);
    let expected = (12.0 * 150_000.0 + 3.0 * 100_000.0) * 730.0 / 365.25;
    let cost = total(&v, "cost_primary_care");
    assert!(
        (cost - expected).abs() <= 1e-9 * expected,
        "{cost} against {expected}"
    );
    // Each year is its own share.
    let year1 = v["1|all|all|cost_primary_care"];
    assert!(
        (year1 - expected * 365.0 / 730.0).abs() <= 1e-6 * expected,
        "{year1}"
    );
}

/// Staff, seeking and the section refuse each other's absence clearly.
#[test]
fn missing_pieces_are_named_with_the_fix() {
    let text = fixture().replacen(
        "case_management_wte = 5.0\n",
        "case_management_wte = 5.0\ngp_wte = 10\n",
        1,
    );
    let message = refusal(&text);
    assert!(message.contains("iccs.only.gp_wte"), "{message}");
    assert!(message.contains("needs [primary_care]"), "{message}");
    let text = with_primary_care(10.0, 0.4, 0.6, ALWAYS).replace("gp_wte_year = 150000.0\n", "");
    let message = refusal(&text);
    assert!(message.contains("costs.gp_wte_year"), "{message}");
    let text = with_primary_care(10.0, 1.4, 0.6, ALWAYS);
    let message = refusal(&text);
    assert!(message.contains("seek_same_day"), "{message}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// (b) More same-day appointments never raise ED attendances, compared
    /// replication by replication with the same seed (common random
    /// numbers), for random daily limits k ≥ 1 and k + Δ.
    ///
    /// Why this scenario, and what holds path-wise. Arrivals come from
    /// each type's own stream, so both runs see the same seekers at the
    /// same times; a daily limit is first come, first served, so the
    /// seekers given an appointment under k are a subset of those under
    /// k + Δ, exactly (`primary_care_same_day` rises, `none_left` falls).
    /// ED attendances follow path-wise only if a seeker given an
    /// appointment can never lead to an ED arrival that the same seeker
    /// sent on would not have: with `managed` = 1 (everyone seen goes
    /// home) and no rapid response, this holds, and ED attendances =
    /// (seekers sent on and others drawing ED) + care-home residents'
    /// crises (a full home whose residents never leave: the same in both).
    /// With `managed` < 1 it holds only in expectation: a seeker seen and
    /// referred to ED (`referred_on.ed`) is an ED attendance that the same
    /// seeker sent on might not have been (onward draws direct admission),
    /// and a loss system such as rapid response can turn away a later
    /// patient when an earlier one is removed; so the path-wise property is
    /// tested where it is exact, and `seekers_are_seen_managed_or_sent_on`
    /// and the example scenario show the mean effect. k = 0 is left out:
    /// with no slot at all no crisis is routed to primary care (test (a)),
    /// so its entry draws map to other routes and the paths are not paired.
    #[test]
    fn more_same_day_appointments_never_raise_ed_attendances(k in 1_u32..200, delta in 1_u32..100) {
        let horizon = |text: String| text.replacen("horizon_days = 730", "horizon_days = 120", 1);
        let low = network(&horizon(with_primary_care(f64::from(k), 0.5, 1.0, ALWAYS)));
        let high = network(&horizon(with_primary_care(f64::from(k + delta), 0.5, 1.0, ALWAYS)));
        for replication in 0..2 {
            let a = values(&low, replication);
            let b = values(&high, replication);
            prop_assert!(total(&b, "ed_attendances") <= total(&a, "ed_attendances"),
                "k {} → {}: ED {} → {}", k, k + delta, total(&a, "ed_attendances"), total(&b, "ed_attendances"));
            prop_assert!(total(&b, "primary_care_same_day") >= total(&a, "primary_care_same_day"));
            prop_assert!(total(&b, "primary_care_none_left") <= total(&a, "primary_care_none_left"));
            // Every seeker is seen or sent on, in both.
            prop_assert_eq!(
                total(&a, "primary_care_same_day") + total(&a, "primary_care_none_left"),
                total(&b, "primary_care_same_day") + total(&b, "primary_care_none_left")
            );
        }
    }
}

/// The fixture with primary care and a high-risk tier, plus `levers`.
fn with_levers(levers: &str) -> String {
    let text = with_primary_care(10.0, 0.4, 0.6, ALWAYS).replacen(
        "elective_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n",
        "elective_weekday_factors = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]\n\n[population.risk_tiers.high]\nshare = 0.1\ncrisis_multiplier = 2.0\nbands = [\"65-74\", \"75-84\", \"85+\"]\n",
        1,
    );
    format!("{text}\n{levers}")
}

fn service_id(net: &Network, name: &str) -> usize {
    net.services.iter().position(|s| s.name == name).unwrap()
}

/// Money into general practice: £1.5m a year, half to GPs (£150,000 a
/// WTE: 5 WTE) and half to other clinical staff (£100,000: 7.5 WTE). The
/// budget statement says so to the penny, the daily limit rises by the 5
/// GPs' appointments (one each; other staff give none here) from the
/// lever's start, and what is bought is the money, day by day.
#[test]
fn money_buys_general_practice_staff_and_their_appointments() {
    let net = network(&with_levers(
        r#"[levers.gp]
effect = "reinvestment"
start = 2025-04-01
amount_per_year = 1_500_000
fund = { gp = 0.5, other_clinical = 0.5 }
"#,
    ));
    let layout = net.layout.as_ref().unwrap();
    let line = |item: &str| layout.budget.iter().find(|l| l.item == item).unwrap();
    assert_eq!(line("gp").units, 5.0);
    assert_eq!(line("gp").pence, 75_000_000);
    assert_eq!(line("other_clinical").units, 7.5);
    let pc = &net.services[service_id(&net, "primary_care_only")];
    assert_eq!(pc.max_admissions_per_day, Some([10; 7]));
    assert_eq!(pc.schedule_changes.len(), 1);
    assert_eq!(pc.schedule_changes[0].from_day, 0.0);
    assert_eq!(pc.schedule_changes[0].max_admissions_per_day, Some([15; 7]));
    let v = values(&net, 0);
    let bought = total(&v, "cost_bought");
    let expected = 1_500_000.0 * 730.0 / 365.25;
    assert!(
        (bought - expected).abs() < 1e-6 * expected,
        "{bought} against {expected}"
    );
    let staff = (10.0 * 150_000.0 + 0.0) * 730.0 / 365.25 + expected;
    let cost = total(&v, "cost_primary_care");
    assert!(
        (cost - staff).abs() < 1e-6 * staff,
        "{cost} against {staff}"
    );
}

/// A capacity lever adds GP WTE, ramping in monthly steps.
#[test]
fn a_capacity_lever_adds_gps_over_its_ramp() {
    let net = network(&with_levers(
        r#"[levers.more_gps]
effect = "capacity"
service = "primary_care"
start = 2025-04-01
ramp_months = 2
wte = 4.0
"#,
    ));
    let pc = &net.services[service_id(&net, "primary_care_only")];
    let limits: Vec<u32> = pc
        .schedule_changes
        .iter()
        .map(|c| c.max_admissions_per_day.unwrap()[0])
        .collect();
    assert_eq!(limits, [12, 14]);
    let refused = refusal(&with_levers(
        r#"[levers.more_gps]
effect = "capacity"
service = "primary_care"
start = 2025-04-01
change = 4.0
"#,
    ));
    assert!(refused.contains("give `wte`"), "{refused}");
    // The fixture's ICC has 10 GPs: taking 12 is refused, not clamped.
    let refused = refusal(&with_levers(
        r#"[levers.fewer_gps]
effect = "capacity"
service = "primary_care"
start = 2025-04-01
wte = -12.0
"#,
    ));
    assert!(
        refused.contains("levers.fewer_gps.wte = -12: takes more GPs from only ICC than it has (iccs.only.gp_wte = 10)"),
        "{refused}"
    );
}

/// Proactive reviews of the high tier take their share of the staff's
/// time off the same-day appointments and multiply the tier's crisis rate;
/// refused without primary care.
#[test]
fn proactive_care_uses_staff_time_and_changes_the_tiers_rates() {
    // High tier: 10% of 10,000 aged 65+ = 1,000 people × 2 reviews × 2
    // appointments = 4,000 a year, of 10 WTE × 20 a day × 365.25 days
    // (open every day) = 73,050: 5.5% of the time, so 10 → floor(9.45) = 9.
    let net = network(&with_levers(
        r#"[levers.reviews]
effect = "proactive_care"
start = 2025-04-01
tiers = ["high"]
reviews_per_person_year = 2
appointments_per_review = 2
multiplier = 0.97
"#,
    ));
    let pc = &net.services[service_id(&net, "primary_care_only")];
    assert_eq!(pc.schedule_changes.len(), 1);
    assert_eq!(pc.schedule_changes[0].max_admissions_per_day, Some([9; 7]));
    let changed: Vec<&str> = net
        .patient_types
        .iter()
        .filter(|t| !t.rate_changes.is_empty())
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(
        changed,
        [
            "crisis/only/65-74/high",
            "crisis/only/75-84/high",
            "crisis/only/85+/high"
        ]
    );
    let without = fixture()
        + r#"
[levers.reviews]
effect = "proactive_care"
start = 2025-04-01
tiers = ["rest"]
reviews_per_person_year = 2
appointments_per_review = 2
multiplier = 0.97
"#;
    let refused = refusal(&without);
    assert!(refused.contains("needs [primary_care]"), "{refused}");
    // 1,000 people × 50 reviews × 2 appointments = 100,000 a year, more
    // than the 73,050 the staff give: refused, not silently capped.
    let refused = refusal(&with_levers(
        r#"[levers.reviews]
effect = "proactive_care"
start = 2025-04-01
tiers = ["high"]
reviews_per_person_year = 50
appointments_per_review = 2
multiplier = 0.97
"#,
    ));
    assert!(
        refused.contains("the reviews in only ICC take 100000 appointments a year, more than its staff in post give (73050"),
        "{refused}"
    );
}

/// A rapid-response lever moves crises from ED to rapid response in the
/// entry route and, in the same way, in the onward route of those finding
/// no same-day appointment; the share seeking one stays.
#[test]
fn the_rapid_response_lever_changes_the_onward_route_too() {
    let text = with_levers(
        r#"[levers.rr]
effect = "rapid_response"
start = 2025-04-01
multiplier = 1.5
"#,
    )
    .replace(
        "rapid_response_eligible = 0.0\ndirect_admission = 0.1",
        "rapid_response_eligible = 0.2\ndirect_admission = 0.1",
    );
    let net = network(&text);
    let t = net
        .patient_types
        .iter()
        .position(|t| t.name == "crisis/only/18-64/rest")
        .unwrap();
    let pc = service_id(&net, "primary_care_only");
    let rr = service_id(&net, "rapid_response_only");
    let share_of = |routes: &iccsim::model::RouteTable, s: usize| -> f64 {
        routes
            .choices()
            .filter(|(_, d)| {
                *d == iccsim::model::Destination::Service(iccsim::model::ServiceId(s as u32))
            })
            .map(|(p, _)| p)
            .sum()
    };
    let entry = &net.patient_types[t].entry_changes[0].entry;
    assert!((share_of(entry, pc) - 0.4).abs() < 1e-12);
    assert!((share_of(entry, rr) - 0.6 * 0.3).abs() < 1e-12);
    let pathway = net
        .pathway(
            iccsim::model::PatientTypeId(t as u32),
            iccsim::model::ServiceId(pc as u32),
        )
        .unwrap();
    let onward = pathway.changes[0].onward.as_ref().unwrap();
    assert!((share_of(onward, rr) - 0.3).abs() < 1e-12);
    assert!((share_of(pathway.onward.as_ref().unwrap(), rr) - 0.2).abs() < 1e-12);
}
