//! Crisis classes (`[avoidable]`): the split keeps the baseline's flows
//! exactly (analytic, from the compiled networks with and without the
//! section); an alternative that keeps more crises at home avoids
//! admissions with the avoidable class's stay, not the band's (simulated,
//! within its Monte Carlo error); infeasible files are refused naming the
//! key and its value.

use std::path::Path;

use iccsim::experiment::ReplicationOutput;
use iccsim::model::system::{CrisisClass, DEFAULT_AGE_BANDS, DemandKind, Role};
use iccsim::model::{Destination, Network, PatientTypeId, ServiceId};
use iccsim::report::breakdown::BreakdownSet;
use iccsim::scenario::load_str;

use crate::common::network;
use crate::front_door::simulate;

fn baseline_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/north-cumbria-baseline.toml");
    std::fs::read_to_string(path).unwrap()
}

/// The text without its `[avoidable."BAND"]` tables.
pub(crate) fn without_avoidable(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.lines() {
        if line.starts_with('[') {
            skipping = line.starts_with("[avoidable");
        }
        if !skipping {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The share of type `t`'s arrivals that come when service `s` is open on
/// a day it has places to give (arrivals even within each hour).
fn open_share(network: &Network, t: usize, s: usize) -> f64 {
    let service = &network.services[s];
    let patient_type = &network.patient_types[t];
    let Some(opening) = &service.opening else {
        return 1.0;
    };
    let (mut open, mut all) = (0.0, 0.0);
    for d in 0..7 {
        for h in 0..24 {
            let weight = patient_type.weekday_factors[d] * patient_type.hourly_factors[h];
            all += weight;
            let gives = service
                .max_admissions_per_day
                .is_none_or(|limit| limit[d] > 0);
            if opening.days[d] && gives {
                let hours =
                    opening.close_hour.min(h as f64 + 1.0) - opening.open_hour.max(h as f64);
                open += weight * hours.max(0.0);
            }
        }
    }
    open / all
}

/// Expected visits to each service per arrival of type `t`, no service
/// ever full, no readmissions (crises' pathways have no cycles); general
/// practice sees those who come when it is open, the others go on by its
/// onward routes.
pub(crate) fn visits(network: &Network, t: usize) -> Vec<f64> {
    let n = network.services.len();
    let layout = network.layout.as_ref().unwrap();
    let patient_type = &network.patient_types[t];
    let mut current = vec![0.0; n];
    match &patient_type.entry {
        Some(entry) => {
            for (p, d) in entry.choices() {
                if let Destination::Service(s) = d {
                    current[s.index()] += p;
                }
            }
        }
        None => current[patient_type.arrive_at.index()] = 1.0,
    }
    let mut total = vec![0.0; n];
    for _ in 0..64 {
        let mut next = vec![0.0; n];
        for s in 0..n {
            if current[s] == 0.0 {
                continue;
            }
            total[s] += current[s];
            let Some(pathway) = network.pathway(PatientTypeId(t as u32), ServiceId(s as u32))
            else {
                continue;
            };
            let mut seen = current[s];
            if let Some(onward) = &pathway.onward
                && layout.services[s].role == Role::PrimaryCare
            {
                seen *= open_share(network, t, s);
                for (p, d) in onward.choices() {
                    if let Destination::Service(to) = d {
                        next[to.index()] += (current[s] - seen) * p;
                    }
                }
            }
            for (p, d) in pathway.routes.choices() {
                if let Destination::Service(to) = d {
                    next[to.index()] += seen * p;
                }
            }
        }
        current = next;
    }
    total
}

/// Per age band, the expected flows of crises at home per day: ED
/// attendances, admissions from ED, day-unit attendances, admissions from
/// the day unit, all emergency admissions (first ones), their mean
/// hospital stay, rapid-response episodes ending at home, deaths in
/// hospital, discharges home and discharges to a service (reablement, home
/// care, a community bed or a care home).
fn flows(network: &Network) -> [[f64; 10]; 5] {
    let layout = network.layout.as_ref().unwrap();
    let role = |s: usize| layout.services[s].role;
    let share_to = |t: usize, s: usize, pick: &dyn Fn(Destination) -> bool| -> f64 {
        network
            .pathway(PatientTypeId(t as u32), ServiceId(s as u32))
            .map_or(0.0, |p| {
                p.routes
                    .choices()
                    .filter(|(_, d)| pick(*d))
                    .map(|(p, _)| p)
                    .sum()
            })
    };
    let is_bed =
        |d: Destination| matches!(d, Destination::Service(s) if role(s.index()).is_hospital_bed());
    let home =
        |d: Destination| d == Destination::Sink(iccsim::model::SinkId(layout.home_sink as u32));
    let death =
        |d: Destination| d == Destination::Sink(iccsim::model::SinkId(layout.death_sink as u32));
    let service = |d: Destination| matches!(d, Destination::Service(_));
    let mut out = [[0.0; 10]; 5];
    let mut stay_days = [0.0; 5];
    for (t, cohort) in layout.cohorts.iter().enumerate() {
        if cohort.kind != DemandKind::Crisis {
            continue;
        }
        let rate = network.patient_types[t].rate_per_day;
        let v = visits(network, t);
        let band = &mut out[cohort.age_band];
        for (s, &visits) in v.iter().enumerate() {
            let mass = rate * visits;
            if mass == 0.0 {
                continue;
            }
            match role(s) {
                Role::EmergencyDepartment => {
                    band[0] += mass;
                    band[1] += mass * share_to(t, s, &is_bed);
                }
                Role::DayUnit => {
                    band[2] += mass;
                    band[3] += mass * share_to(t, s, &is_bed);
                }
                Role::RapidResponse => band[6] += mass * share_to(t, s, &home),
                r if r.is_hospital_bed() => {
                    band[4] += mass;
                    let stay = network
                        .pathway(PatientTypeId(t as u32), ServiceId(s as u32))
                        .unwrap()
                        .stay
                        .mean();
                    stay_days[cohort.age_band] += mass * stay;
                    band[7] += mass * share_to(t, s, &death);
                    band[8] += mass * share_to(t, s, &home);
                    band[9] += mass * share_to(t, s, &service);
                }
                _ => {}
            }
        }
    }
    for b in 0..5 {
        out[b][5] = stay_days[b] / out[b][4];
    }
    out
}

/// The text with no alternative to ED in the crises' way: nobody seeks a
/// same-day appointment or is offered rapid response.
pub(crate) fn without_alternatives(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("seek_same_day =") {
                "seek_same_day = 0.0".to_string()
            } else if line.starts_with("rapid_response_eligible =") {
                "rapid_response_eligible = 0.0".to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What ED does with each crisis type: its routes there, by type name.
fn ed_routes(network: &Network) -> Vec<(String, Vec<(f64, Destination)>)> {
    let ed = network.service_id("ed_cumberland_infirmary").unwrap();
    network
        .patient_types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.name.starts_with("crisis/"))
        .filter_map(|(t, patient_type)| {
            let pathway = network.pathway(PatientTypeId(t as u32), ed)?;
            Some((
                patient_type.name.clone(),
                pathway.routes.choices().collect(),
            ))
        })
        .collect()
}

#[test]
fn with_no_alternative_in_the_way_the_classes_keep_every_bands_flows_and_mean_stay_exactly() {
    let text = without_alternatives(&baseline_text());
    assert!(
        text.contains("[avoidable.\"85+\"]"),
        "the baseline has [avoidable]"
    );
    let split = network(&text);
    let whole = network(&without_avoidable(&text));
    let layout = split.layout.as_ref().unwrap();
    // Three classes per crisis cohort, named by class.
    let crises = |n: &Network| {
        n.layout
            .as_ref()
            .unwrap()
            .cohorts
            .iter()
            .filter(|c| c.kind == DemandKind::Crisis)
            .count()
    };
    assert_eq!(crises(&split), 3 * crises(&whole));
    for (t, cohort) in layout.cohorts.iter().enumerate() {
        let name = &split.patient_types[t].name;
        match cohort.class {
            Some(class) => assert!(
                name.starts_with("crisis/") && name.ends_with(&format!("/{}", class.label()))
            ),
            None => assert!(!name.starts_with("crisis/"), "{name} has no class"),
        }
    }
    let names = [
        "ED attendances",
        "admissions from ED",
        "day-unit attendances",
        "admissions from the day unit",
        "emergency admissions",
        "mean stay",
        "rapid response home",
        "deaths in hospital",
        "discharges home",
        "discharges to a service",
    ];
    let (a, b) = (flows(&split), flows(&whole));
    for band in 0..5 {
        for (k, name) in names.iter().enumerate() {
            let (x, y) = (a[band][k], b[band][k]);
            assert!(
                (x - y).abs() <= 1e-9 * y.abs().max(1.0),
                "{} {name}: {x} with classes, {y} without",
                DEFAULT_AGE_BANDS[band]
            );
        }
    }
    // The split does something: the avoidable class's stay is short.
    let beds = split.service_id("acute_cumberland_infirmary").unwrap();
    let acute = |class: CrisisClass, band: usize| {
        let t = layout
            .cohorts
            .iter()
            .position(|c| c.class == Some(class) && c.age_band == band && c.tier == "rest")
            .unwrap();
        split.pathway(PatientTypeId(t as u32), beds).unwrap()
    };
    let stay_of = |class: CrisisClass, band: usize| acute(class, band).stay.mean();
    // 85+: 0.35 × uniform(0.1, 0.9) + 0.65 × 4.0 days.
    let short = 0.35 * 0.5 + 0.65 * 4.0;
    assert!((stay_of(CrisisClass::Avoidable, 4) - short).abs() < 1e-12);
    assert!((stay_of(CrisisClass::NotAdmitted, 4) - short).abs() < 1e-12);
    assert!(stay_of(CrisisClass::Necessary, 4) > 0.2 * 0.5 + 0.8 * 10.4);
    // ... and mostly ends at home: `discharged_home` of those who leave
    // alive, the necessary class carrying the rest of the band's services.
    let home_of_alive = |class: CrisisClass, band: usize| {
        let routes = &acute(class, band).routes;
        let of = |sink: usize| {
            routes
                .choices()
                .filter(|(_, d)| *d == Destination::Sink(iccsim::model::SinkId(sink as u32)))
                .map(|(p, _)| p)
                .sum::<f64>()
        };
        of(layout.home_sink) / (1.0 - of(layout.death_sink))
    };
    assert!((home_of_alive(CrisisClass::Avoidable, 4) - 0.81).abs() < 1e-12);
    assert!((home_of_alive(CrisisClass::NotAdmitted, 3) - 0.88).abs() < 1e-12);
    assert!(home_of_alive(CrisisClass::Necessary, 4) < 0.62);
}

#[test]
fn ed_treats_each_class_the_same_whatever_is_upstream_and_never_admits_the_not_admitted_passed_on()
{
    let with = network(&baseline_text());
    let without = network(&without_alternatives(&baseline_text()));
    let (a, b) = (ed_routes(&with), ed_routes(&without));
    assert_eq!(a.len(), b.len());
    assert!(!a.is_empty());
    for ((name, x), (other, y)) in a.iter().zip(&b) {
        assert_eq!(name, other);
        assert_eq!(x.len(), y.len(), "{name}");
        for ((p, d), (q, e)) in x.iter().zip(y) {
            assert_eq!(d, e, "{name}");
            assert!(
                (p - q).abs() < 1e-12,
                "{name}: {p} with alternatives, {q} without"
            );
        }
    }
    // General practice, rapid response and community day units pass a
    // not-admitted crisis on to ED, never straight to a bed.
    let layout = with.layout.as_ref().unwrap();
    let mut checked = 0;
    for (t, cohort) in layout.cohorts.iter().enumerate() {
        if cohort.class != Some(CrisisClass::NotAdmitted) {
            continue;
        }
        for (s, service) in with.services.iter().enumerate() {
            let role = layout.services[s].role;
            if !matches!(
                role,
                Role::PrimaryCare | Role::RapidResponse | Role::CommunityDayUnit
            ) {
                continue;
            }
            let Some(pathway) = with.pathway(PatientTypeId(t as u32), ServiceId(s as u32)) else {
                continue;
            };
            let tables = std::iter::once(&pathway.routes).chain(pathway.onward.as_ref());
            for routes in tables {
                for (p, d) in routes.choices() {
                    if let Destination::Service(x) = d {
                        assert!(
                            p == 0.0 || !layout.services[x.index()].role.is_hospital_bed(),
                            "{} at {}: {p} straight to a bed",
                            with.patient_types[t].name,
                            service.name
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

/// The known-answer fixture with rapid response for the 85+ band and
/// `[avoidable]`.
fn fixture(extra: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/system/minimal.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let oldest = "crisis_per_1000 = 700.0\nelective_per_1000 = 30.0\nrapid_response_eligible = 0.0";
    assert!(text.contains(oldest));
    let text = text
        .replace(
            oldest,
            "crisis_per_1000 = 700.0\nelective_per_1000 = 30.0\nrapid_response_eligible = 0.5",
        )
        .replace(
            "\"75-84\" = 3000, \"85+\" = 1000",
            "\"75-84\" = 3000, \"85+\" = 4000",
        );
    let mut avoidable = String::new();
    // Each band's own zero-day share but the oldest's, which is lower.
    for (band, zero_day) in DEFAULT_AGE_BANDS.iter().zip([0.5, 0.3, 0.3, 0.25, 0.15]) {
        avoidable.push_str(&format!(
            "[avoidable.\"{band}\"]\nshare_of_admissions = 0.7\nzero_day_share = {zero_day}\novernight_stay = {{ dist = \"exponential\", mean = 1.5 }}\nin_hospital_death = 0.0\n\n"
        ));
    }
    format!("{text}\n{avoidable}{extra}")
}

fn per_replication(network: &Network, outputs: &[ReplicationOutput], metric: &str) -> Vec<f64> {
    let layout = network.layout.as_ref().unwrap();
    let set = BreakdownSet::new(network, layout, outputs);
    let i = set
        .keys
        .iter()
        .position(|k| {
            k.year == "all" && k.icc == "all" && k.age_band == "85+" && k.metric == metric
        })
        .unwrap_or_else(|| panic!("no {metric}"));
    set.values[i].clone()
}

#[test]
fn rapid_response_keeping_more_at_home_saves_the_avoidable_stay_per_admission_avoided() {
    let base = network(&fixture(""));
    let more = network(&fixture(
        "[levers.more_at_home]\neffect = \"rapid_response\"\nmanaged_at_home = 0.82\nstart = 2025-04-01\nage_bands = [\"85+\"]\n",
    ));
    let n = 20;
    let (a, b) = (simulate(&base, n), simulate(&more, n));
    let admissions = |net: &Network, out: &[ReplicationOutput]| {
        per_replication(net, out, "emergency_admissions")
    };
    let bed_days =
        |net: &Network, out: &[ReplicationOutput]| per_replication(net, out, "acute_bed_days");
    let avoided: Vec<f64> = admissions(&base, &a)
        .iter()
        .zip(admissions(&more, &b))
        .map(|(x, y)| x - y)
        .collect();
    let saved: Vec<f64> = bed_days(&base, &a)
        .iter()
        .zip(bed_days(&more, &b))
        .map(|(x, y)| x - y)
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // Every avoided admission is of the not-admitted or avoidable class,
    // both with the avoidable stay: 0.15 × 0.5 (the fixture's zero-day
    // stay) + 0.85 × 1.5 days. The band's own is 0.2 × 0.5 + 0.8 × 10.
    let short = 0.15 * 0.5 + 0.85 * 1.5;
    let band = 0.2 * 0.5 + 0.8 * 10.0;
    let ratio = mean(&saved) / mean(&avoided);
    // Standard error of a ratio of means (delta method) from the paired
    // replications' residuals.
    let residuals: Vec<f64> = saved
        .iter()
        .zip(&avoided)
        .map(|(s, a)| s - ratio * a)
        .collect();
    let m = mean(&residuals);
    let sd = (residuals.iter().map(|r| (r - m).powi(2)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
    let se = sd / (n as f64).sqrt() / mean(&avoided);
    assert!(
        mean(&avoided) > 20.0,
        "admissions avoided: {}",
        mean(&avoided)
    );
    assert!(
        (ratio - short).abs() <= 4.0 * se.max(0.02),
        "bed-days saved per admission avoided {ratio} vs the avoidable stay {short} (4 se = {})",
        4.0 * se
    );
    assert!(
        ratio < band / 2.0,
        "{ratio} is nearer the band's stay {band}"
    );
    // The avoidable admissions are what fell (not-admitted ones a little).
    let fell = mean(&per_replication(&base, &a, "avoidable_admissions"))
        - mean(&per_replication(&more, &b, "avoidable_admissions"));
    assert!(
        fell > 0.8 * mean(&avoided),
        "avoidable admissions fell by {fell} of {}",
        mean(&avoided)
    );
}

fn problems(text: &str) -> String {
    match load_str(text, "test", "test") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_infeasible_split_names_the_key_and_its_value() {
    // Avoidable stays longer than the band's whole overnight stay.
    let long = fixture("").replace(
        "[avoidable.\"85+\"]\nshare_of_admissions = 0.7\nzero_day_share = 0.15\novernight_stay = { dist = \"exponential\", mean = 1.5 }",
        "[avoidable.\"85+\"]\nshare_of_admissions = 0.7\nzero_day_share = 0.15\novernight_stay = { dist = \"exponential\", mean = 40.0 }",
    );
    let message = problems(&long);
    assert!(
        message.contains("avoidable.\"85+\".overnight_stay"),
        "{message}"
    );
    assert!(message.contains("mean 40"), "{message}");
    // A zero-day share the necessary admissions cannot make up.
    let zero = fixture("").replace(
        "[avoidable.\"85+\"]\nshare_of_admissions = 0.7\nzero_day_share = 0.15",
        "[avoidable.\"85+\"]\nshare_of_admissions = 0.7\nzero_day_share = 0.9",
    );
    let message = problems(&zero);
    assert!(
        message.contains("avoidable.\"85+\".zero_day_share = 0.9"),
        "{message}"
    );
    // Rapid response keeping more at home than there are crises it may keep.
    let few = fixture("").replace(
        "[avoidable.\"85+\"]\nshare_of_admissions = 0.7",
        "[avoidable.\"85+\"]\nshare_of_admissions = 0.01",
    );
    let message = problems(&few);
    assert!(
        message.contains("community.rapid_response.managed_at_home = 0.75"),
        "{message}"
    );
    assert!(
        message.contains("avoidable.\"85+\".share_of_admissions"),
        "{message}"
    );
    // Out of range, and a band missing.
    let range = fixture("").replace(
        "[avoidable.\"18-64\"]\nshare_of_admissions = 0.7",
        "[avoidable.\"18-64\"]\nshare_of_admissions = 1.0",
    );
    let message = problems(&range);
    assert!(
        message.contains("avoidable.\"18-64\".share_of_admissions = 1"),
        "{message}"
    );
    // Short stays all needing a service: the necessary ones would have to
    // go home more often than they leave alive.
    let placed = baseline_text().replace("discharged_home = 0.81", "discharged_home = 0.0");
    let message = problems(&placed);
    assert!(
        message.contains("avoidable.\"85+\".discharged_home = 0"),
        "{message}"
    );
    assert!(message.contains("discharge.home"), "{message}");
    let message =
        problems(&baseline_text().replace("discharged_home = 0.81", "discharged_home = 1.5"));
    assert!(
        message.contains("avoidable.\"85+\".discharged_home = 1.5"),
        "{message}"
    );
    // Children all go home: a share below 1 could not be kept.
    let children = baseline_text().replace(
        "in_hospital_death = 0.0002\n",
        "in_hospital_death = 0.0002\ndischarged_home = 0.5\n",
    );
    let message = problems(&children);
    assert!(
        message.contains("avoidable.\"0-17\".discharged_home = 0.5"),
        "{message}"
    );
    let missing = fixture("").replace("[avoidable.\"0-17\"]", "[avoidable.\"0-18\"]");
    let message = problems(&missing);
    assert!(message.contains("avoidable.\"0-18\""), "{message}");
    assert!(message.contains("add [avoidable.\"0-17\"]"), "{message}");
}

#[test]
fn a_crisis_rate_lever_reaches_the_classes_it_names_and_all_by_default() {
    let lever = |classes: &str| {
        network(&fixture(&format!(
            "[levers.prevent]\neffect = \"crisis_rate\"\nmultiplier = 0.5\nstart = 2025-04-01\n{classes}"
        )))
    };
    let changed = |n: &Network| -> Vec<Option<CrisisClass>> {
        let layout = n.layout.as_ref().unwrap();
        n.patient_types
            .iter()
            .zip(&layout.cohorts)
            .filter(|(t, c)| c.kind == DemandKind::Crisis && !t.rate_changes.is_empty())
            .map(|(_, c)| c.class)
            .collect()
    };
    let all = changed(&lever(""));
    assert_eq!(all.len(), 15, "five bands × three classes");
    let avoidable = changed(&lever("classes = [\"avoidable\"]\n"));
    assert_eq!(avoidable, vec![Some(CrisisClass::Avoidable); 5]);
    let message = problems(&fixture(
        "[levers.prevent]\neffect = \"crisis_rate\"\nmultiplier = 0.5\nstart = 2025-04-01\nclasses = [\"avoidble\"]\n",
    ));
    assert!(
        message.contains("levers.prevent.classes[0] = \"avoidble\""),
        "{message}"
    );
    assert!(message.contains("\"avoidable\""), "{message}");
}
