//! Community day units (issue 22): built only where the file has them,
//! reached from rapid response (episodes not managed at home), closed
//! outside their hours (on to ED), and checked keys.
//!
//! Tolerances: a count's mean over n replications within 4 Poisson
//! standard errors, sqrt(λ / n); a share within 4 binomial standard
//! errors of the referrals counted.

use super::front_door::{edited, fixture, network, simulate, values};

/// Adults 18-64 go to rapid response with probability 0.2 (1-day
/// episodes, 25% not managed at home), and `from_rapid_response` of those
/// go to the community day unit.
fn with_day_unit(icc_keys: &str, from_rapid_response: f64) -> String {
    edited(
        fixture(),
        &[
            (
                "rapid_response_eligible = 0.0\ndirect_admission = 0.1",
                "rapid_response_eligible = 0.2\ndirect_admission = 0.1",
            ),
            (
                "nursing_places = 100\n",
                &format!("nursing_places = 100\n{icc_keys}\n"),
            ),
            (
                "[community.reablement]",
                &format!(
                    "[community.day_unit]\nstay = {{ dist = \"fixed\", value = 0.25 }}\nadmission = 0.2\ncommunity_bed = 0.05\nfrom_rapid_response = {from_rapid_response}\n\n[community.reablement]"
                ),
            ),
        ],
    )
}

/// Referrals to the unit in 730 days: 30,000 people × 300 crises per
/// 1,000 a year (per 365.25 days) × 0.2 to rapid response × 0.25 not at
/// home × `from_rapid_response`.
fn referrals(from_rapid_response: f64) -> f64 {
    30000.0 * 0.3 / 365.25 * 730.0 * 0.2 * 0.25 * from_rapid_response
}

#[test]
fn a_file_without_day_units_has_no_such_service() {
    let net = network(&fixture());
    assert!(
        net.services
            .iter()
            .all(|s| !s.name.starts_with("community_day_unit"))
    );
    let with = network(&with_day_unit("day_unit_places = 20", 0.6));
    let names: Vec<&str> = with.services.iter().map(|s| s.name.as_str()).collect();
    // Appended after the ICC's other kinds: the ids before it are unchanged.
    assert_eq!(names.last(), Some(&"community_day_unit_only"));
    assert_eq!(
        &names[..names.len() - 1],
        net.services
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
    );
}

#[test]
fn rapid_response_sends_its_share_to_an_open_day_unit() {
    let net = network(&with_day_unit("day_unit_places = 20", 0.6));
    let outputs = simulate(&net, 8);
    let attended = values(&net, &outputs, "all", "community_day_unit_attendances");
    let closed = values(&net, &outputs, "all", "community_day_unit_closed");
    let lambda = referrals(0.6);
    let mean = attended.iter().sum::<f64>() / attended.len() as f64;
    let se = (lambda / attended.len() as f64).sqrt();
    assert!(
        (mean - lambda).abs() <= 4.0 * se,
        "attendances {mean} vs {lambda} (4 se = {})",
        4.0 * se
    );
    // Always open, 20 places for about 0.2 people a day: never closed.
    assert!(closed.iter().all(|c| *c == 0.0), "{closed:?}");
}

#[test]
fn a_day_unit_closed_at_night_sends_people_on_to_ed() {
    let net = network(&with_day_unit(
        "day_unit_places = 20\nday_unit_opening = { open_hour = 8, close_hour = 22 }",
        1.0,
    ));
    let outputs = simulate(&net, 8);
    let attended: f64 = values(&net, &outputs, "all", "community_day_unit_attendances")
        .iter()
        .sum();
    let closed: f64 = values(&net, &outputs, "all", "community_day_unit_closed")
        .iter()
        .sum();
    // Crises spread evenly over the day; the 1-day episode keeps the hour.
    let expected = 10.0 / 24.0;
    let n = attended + closed;
    let share = closed / n;
    let se = (expected * (1.0 - expected) / n).sqrt();
    assert!(n > 0.8 * 8.0 * referrals(1.0), "{n} referrals");
    assert!(
        (share - expected).abs() <= 4.0 * se,
        "closed share {share} vs {expected} (4 se = {})",
        4.0 * se
    );
}

#[test]
fn day_unit_keys_are_checked() {
    let error = |text: &str| {
        iccsim::scenario::load_str(text, "test", "test")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    // Places without the section.
    let text = edited(
        fixture(),
        &[(
            "nursing_places = 100\n",
            "nursing_places = 100\nday_unit_places = 4\n",
        )],
    );
    let e = error(&text);
    assert!(
        e.contains("iccs.only.day_unit_places") && e.contains("[community.day_unit]"),
        "{e}"
    );
    // Admission and step-up sending more than everyone.
    let text = with_day_unit("day_unit_places = 4", 0.5)
        .replace("community_bed = 0.05", "community_bed = 0.9");
    let e = error(&text);
    assert!(e.contains("community.day_unit.community_bed"), "{e}");
    assert!(e.contains("at most 1"), "{e}");
    // A share out of range.
    let e = error(&with_day_unit("day_unit_places = 4", 1.5));
    assert!(e.contains("community.day_unit.from_rapid_response"), "{e}");
}

#[test]
fn money_buys_community_day_unit_places_at_their_price() {
    let lever = "\n[levers.reinvest]\neffect = \"reinvestment\"\namount_per_year = 250_000\nfund = { community_day_unit = 1.0 }\nstart = 2026-04-01\n";
    let text = with_day_unit("day_unit_places = 0", 0.6).replace(
        "gp_appointment = 45.0",
        "gp_appointment = 45.0\ncommunity_day_unit_place_year = 100_000\ncommunity_day_unit_attendance = 100",
    ) + lever;
    let net = network(&text);
    let layout = net.layout.clone().unwrap();
    let line = |item: &str| {
        layout
            .budget
            .iter()
            .find(|l| l.item == item)
            .unwrap_or_else(|| panic!("no budget line {item}: {:?}", layout.budget))
    };
    assert_eq!(line("community_day_unit").units, 2.0);
    assert_eq!(line("community_day_unit").pence, 20_000_000);
    assert_eq!(line("community_day_unit_unallocated").pence, 5_000_000);
    let unit = net
        .services
        .iter()
        .find(|s| s.name == "community_day_unit_only")
        .unwrap();
    assert_eq!(unit.capacity, iccsim::model::Capacity::Limited(0));
    assert_eq!(unit.capacity_changes.len(), 1);
    assert_eq!(unit.capacity_changes[0].from_day, 365.0);
    assert_eq!(
        unit.capacity_changes[0].capacity,
        iccsim::model::Capacity::Limited(2)
    );
    // Year 2 (days 365-730): the two places paid every day, attendances
    // priced besides; year 1 none open, so everyone went on to ED.
    let outputs = simulate(&net, 2);
    let bought = values(&net, &outputs, "2", "cost_bought");
    for b in &bought {
        assert!((b - 2.0 * 100_000.0 / 365.25 * 365.0).abs() < 1e-6, "{b}");
    }
    let closed_1 = values(&net, &outputs, "1", "community_day_unit_closed");
    let attended_1 = values(&net, &outputs, "1", "community_day_unit_attendances");
    assert!(attended_1.iter().all(|a| *a == 0.0) && closed_1.iter().all(|c| *c > 0.0));
    assert!(
        values(&net, &outputs, "2", "community_day_unit_attendances")
            .iter()
            .all(|a| *a > 0.0)
    );
    // Without [community.day_unit] there is nothing to buy; without a
    // unit in the ICC, no one to use what is bought.
    let error = |text: String| {
        iccsim::scenario::load_str(&text, "test", "test")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let e = error(fixture() + lever);
    assert!(
        e.contains("levers.reinvest.fund.community_day_unit") && e.contains("[community.day_unit]"),
        "{e}"
    );
    let e = error(
        with_day_unit("", 0.6).replace(
            "gp_appointment = 45.0",
            "gp_appointment = 45.0\ncommunity_day_unit_place_year = 100_000",
        ) + lever,
    );
    assert!(
        e.contains("levers.reinvest.fund.community_day_unit") && e.contains("\"only\""),
        "{e}"
    );
}

/// `[community.day_unit]` without the ICC's day-unit keys: the ICC has no
/// unit, and its rapid-response team sends people to ED as before.
#[test]
fn an_icc_without_a_unit_sends_no_one_there() {
    let net = network(&with_day_unit("", 0.6));
    let unit = net
        .services
        .iter()
        .position(|s| s.name == "community_day_unit_only")
        .unwrap();
    let rapid = net
        .services
        .iter()
        .position(|s| s.name == "rapid_response_only")
        .unwrap();
    for t in 0..net.patient_types.len() {
        let Some(pathway) = net.pathway(
            iccsim::model::PatientTypeId(t as u32),
            iccsim::model::ServiceId(rapid as u32),
        ) else {
            continue;
        };
        assert!(pathway.routes.entries().iter().all(|(_, to, _)| {
            *to != iccsim::model::Destination::Service(iccsim::model::ServiceId(unit as u32))
        }));
    }
    let outputs = simulate(&net, 2);
    for metric in [
        "community_day_unit_attendances",
        "community_day_unit_closed",
    ] {
        assert!(
            values(&net, &outputs, "all", metric)
                .iter()
                .all(|v| *v == 0.0),
            "{metric}"
        );
    }
}
