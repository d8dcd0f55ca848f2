//! Plain words for a planner about a whole-system run: when the hospital
//! is over capacity and how it copes (escalation beds, cancelled
//! operations, transfers, the largest queue for a bed), and why delayed
//! acute bed-days were delayed. Printed after `run` and `batch` and in the
//! board report's summary.
//!
//! Each figure is the mean across replications of a whole-system outcome
//! (all ICCs and ages), so that shares add up. The rule for "over
//! capacity": the first year whose escalation beds are open on more than
//! [`OVER_CAPACITY_DAYS`] days (summed over sites), or, without
//! escalation beds, whose mean adult acute occupancy is above 95% on more
//! than that many days. The yearly figures after it are the mean over
//! that year and the years after.
//!
//! Depends on the breakdown's reasons (`model::breakdown::reasons`) only;
//! values come through a lookup, so the terminal (records) and the board
//! (files read back) share the words.

use crate::model::breakdown::reasons::Reason;

/// Days in a year above which the hospital counts as over capacity.
pub const OVER_CAPACITY_DAYS: f64 = 30.0;

/// A mean across replications of a whole-system outcome (all ICCs and
/// ages) by year label ("all", "1", "2" ...) and metric name.
pub type Mean<'a> = dyn Fn(&str, &str) -> Option<f64> + 'a;

/// A whole number with thousands separators.
fn whole(v: f64) -> String {
    super::tables::thousands(v.max(0.0).round() as u64)
}

/// A share as a whole percentage.
fn percent(share: f64) -> String {
    format!("{:.0}%", 100.0 * share)
}

/// A year's label from its start date: "2029/30" for a year from April,
/// "2029" for a calendar year.
pub fn year_label(start: &str) -> String {
    let year: Option<i32> = start.get(0..4).and_then(|y| y.parse().ok());
    match (year, start.get(5..7)) {
        (Some(y), Some("01")) => y.to_string(),
        (Some(y), Some(_)) => format!("{y}/{:02}", (y + 1) % 100),
        _ => start.to_string(),
    }
}

/// "Over capacity from 2029/30: escalation beds open 300 days a year
/// (summed over sites), 1,200 planned operations cancelled on the day (350
/// people waiting for a new date at the end), 40 people sent to other
/// hospitals; the largest queue for a bed was 35 people." Yearly figures are the mean over the
/// years from the first over capacity (over every year when none is); the
/// largest queue is the whole window's. `years` are (label "1", start
/// date) in order. None without the outcomes (results of an older
/// version).
pub fn pressure_sentence(mean: &Mean, years: &[(String, String)]) -> Option<String> {
    let escalation = |y: &str| mean(y, "escalation_open_days");
    let crowded = |y: &str| mean(y, "acute_days_above_95pct");
    let largest_queue = mean("all", "ed_waiting_for_bed_peak")?;
    mean("all", "elective_cancellations")?;
    let has_escalation = mean("all", "escalation_open_days")? > 0.0;
    let over = |y: &str| {
        let days = if has_escalation {
            escalation(y)
        } else {
            crowded(y)
        };
        days.is_some_and(|d| d > OVER_CAPACITY_DAYS)
    };
    let first = years.iter().position(|(label, _)| over(label));
    let from = first.unwrap_or(0);
    let span = &years[from..];
    let per_year = |metric: &str| {
        let values: Vec<f64> = span
            .iter()
            .filter_map(|(label, _)| mean(label, metric))
            .collect();
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let open = per_year("escalation_open_days").unwrap_or(0.0);
    let cancelled = per_year("elective_cancellations").unwrap_or(0.0);
    let transferred = per_year("transfers_out").unwrap_or(0.0);
    // Patients still waiting for a new date at the end of the last year.
    let backlog = years
        .last()
        .and_then(|(label, _)| mean(label, "elective_rebooking_at_end"))
        .unwrap_or(0.0);
    let people = |n: f64| {
        let n = whole(n);
        let noun = if n == "1" { "person" } else { "people" };
        format!("{n} {noun}")
    };
    let escalation_words = if has_escalation {
        format!(
            "escalation beds open {} days a year (summed over sites)",
            whole(open)
        )
    } else {
        "no escalation beds".to_string()
    };
    let copes = format!(
        "{escalation_words}, {} planned operations cancelled on the day ({} waiting for a new date at the end), {} sent to other hospitals; the largest queue for a bed was {}",
        whole(cancelled),
        people(backlog),
        people(transferred),
        people(largest_queue),
    );
    let rule = if has_escalation {
        format!("escalation beds open on more than {OVER_CAPACITY_DAYS} days")
    } else {
        format!("adult beds above 95% full on more than {OVER_CAPACITY_DAYS} days")
    };
    let opening = match first {
        Some(y) if has_escalation => format!("Over capacity from {}:", year_label(&years[y].1)),
        Some(y) => format!(
            "Over capacity from {} ({rule} a year):",
            year_label(&years[y].1)
        ),
        None => format!("Never over capacity ({rule} in no year):"),
    };
    Some(format!("{opening} {copes}."))
}

/// "Of delayed acute bed-days, 72% were waiting for a place downstream:
/// home care 30%, care home 22%, community bed 12%, reablement 8%;
/// arranging the discharge 18%, weekends 10%." Over the whole window.
/// None without delayed bed-days or their split.
pub fn delay_sentence(mean: &Mean) -> Option<String> {
    let total = mean("all", "acute_delayed_bed_days")?;
    if total.is_nan() || total <= 0.0 {
        return None;
    }
    let mut shares: Vec<(Reason, f64)> = Vec::new();
    for reason in Reason::ALL {
        let days = mean("all", &format!("acute_delayed_bed_days_{}", reason.name()))?;
        shares.push((reason, days / total));
    }
    let downstream: f64 = shares
        .iter()
        .filter(|(r, _)| r.is_downstream())
        .map(|(_, s)| s)
        .sum();
    let listed = |keep: &dyn Fn(Reason) -> bool| {
        let mut parts: Vec<&(Reason, f64)> = shares.iter().filter(|(r, _)| keep(*r)).collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1));
        parts
            .iter()
            .map(|(r, s)| {
                let words = match r {
                    Reason::DischargeDay => "weekends",
                    other => other.words(),
                };
                format!("{words} {}", percent(*s))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let other = shares
        .iter()
        .find(|(r, _)| *r == Reason::Other)
        .map_or(0.0, |(_, s)| *s);
    let rest = listed(&|r| !r.is_downstream() && (r != Reason::Other || percent(other) != "0%"));
    Some(format!(
        "Of delayed acute bed-days, {} were waiting for a place downstream: {}; {}.",
        percent(downstream),
        listed(&|r| r.is_downstream()),
        rest
    ))
}

/// Both sentences, each on its own line (empty when neither applies).
pub fn planner_paragraph(mean: &Mean, years: &[(String, String)]) -> String {
    [pressure_sentence(mean, years), delay_sentence(mean)]
        .into_iter()
        .flatten()
        .map(|s| format!("{s}\n"))
        .collect()
}

/// The whole years of a run (label "1", start date): a part year at the
/// end would count as a whole one in the means "a year". All of them when
/// none is whole, or the start date cannot be read.
pub fn whole_years(
    years: &[(String, String)],
    start_date: &str,
    horizon_days: f64,
) -> Vec<(String, String)> {
    let Ok(start) = crate::engine::CalendarDate::parse(start_date) else {
        return years.to_vec();
    };
    let whole: Vec<(String, String)> = years
        .iter()
        .filter(|(label, _)| {
            label.parse::<i64>().is_ok_and(|k| {
                let end = start.add_months(12 * k).day_number() - start.day_number();
                end as f64 <= horizon_days + 0.5
            })
        })
        .cloned()
        .collect();
    if whole.is_empty() {
        years.to_vec()
    } else {
        whole
    }
}

/// The paragraph for a breakdown's summaries (means across replications)
/// of a run that started on `start_date` and lasted `horizon_days`.
pub fn of_breakdown(
    set: &super::breakdown::BreakdownSet,
    start_date: &str,
    horizon_days: f64,
) -> String {
    let mut years: Vec<(String, String)> = Vec::new();
    for key in &set.keys {
        if key.year != "all" && !years.iter().any(|(label, _)| *label == key.year) {
            years.push((key.year.clone(), key.year_start.clone()));
        }
    }
    years.sort_by_key(|(label, _)| label.parse::<usize>().unwrap_or(usize::MAX));
    let years = whole_years(&years, start_date, horizon_days);
    let mean = |year: &str, metric: &str| set.summary(year, "all", "all", metric).map(|s| s.mean);
    planner_paragraph(&mean, &years)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(values: &[(&str, &str, f64)]) -> HashMap<(String, String), f64> {
        values
            .iter()
            .map(|(y, m, v)| ((y.to_string(), m.to_string()), *v))
            .collect()
    }

    fn years(n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|y| ((y + 1).to_string(), format!("{}-04-01", 2025 + y)))
            .collect()
    }

    #[test]
    fn the_first_year_over_capacity_and_the_yearly_means_after_it() {
        let table = lookup(&[
            ("all", "escalation_open_days", 1000.0),
            ("all", "elective_cancellations", 3000.0),
            ("all", "ed_waiting_for_bed_peak", 35.2),
            ("1", "escalation_open_days", 10.0),
            ("2", "escalation_open_days", 30.0),
            ("3", "escalation_open_days", 290.0),
            ("4", "escalation_open_days", 310.0),
            ("3", "elective_cancellations", 1100.0),
            ("4", "elective_cancellations", 1300.0),
            ("3", "transfers_out", 39.0),
            ("4", "transfers_out", 41.0),
            ("4", "elective_rebooking_at_end", 350.0),
        ]);
        let mean = |y: &str, m: &str| {
            table
                .get(&(y.to_string(), m.to_string()))
                .copied()
                .or(Some(0.0))
        };
        assert_eq!(
            pressure_sentence(&mean, &years(4)).unwrap(),
            "Over capacity from 2027/28: escalation beds open 300 days a year (summed over sites), 1,200 planned operations cancelled on the day (350 people waiting for a new date at the end), 40 people sent to other hospitals; the largest queue for a bed was 35 people."
        );
    }

    #[test]
    fn never_over_capacity_says_so_and_its_rule() {
        let table = lookup(&[
            ("all", "escalation_open_days", 20.0),
            ("all", "elective_cancellations", 0.0),
            ("all", "ed_waiting_for_bed_peak", 1.0),
            ("1", "escalation_open_days", 12.0),
            ("2", "escalation_open_days", 8.0),
        ]);
        let mean = |y: &str, m: &str| {
            table
                .get(&(y.to_string(), m.to_string()))
                .copied()
                .or(Some(0.0))
        };
        assert_eq!(
            pressure_sentence(&mean, &years(2)).unwrap(),
            "Never over capacity (escalation beds open on more than 30 days in no year): escalation beds open 10 days a year (summed over sites), 0 planned operations cancelled on the day (0 people waiting for a new date at the end), 0 people sent to other hospitals; the largest queue for a bed was 1 person."
        );
        // Results without the outcomes: no sentence.
        let none = |_: &str, _: &str| None;
        assert_eq!(pressure_sentence(&none, &years(2)), None);
        assert_eq!(delay_sentence(&none), None);
    }

    #[test]
    fn without_escalation_beds_the_rule_is_a_full_hospital() {
        let table = lookup(&[
            ("all", "ed_waiting_for_bed_peak", 116.0),
            ("1", "acute_days_above_95pct", 12.0),
            ("2", "acute_days_above_95pct", 200.0),
            ("2", "transfers_out", 1.0),
        ]);
        let mean = |y: &str, m: &str| {
            table
                .get(&(y.to_string(), m.to_string()))
                .copied()
                .or(Some(0.0))
        };
        assert_eq!(
            pressure_sentence(&mean, &years(2)).unwrap(),
            "Over capacity from 2026/27 (adult beds above 95% full on more than 30 days a year): no escalation beds, 0 planned operations cancelled on the day (0 people waiting for a new date at the end), 1 person sent to other hospitals; the largest queue for a bed was 116 people."
        );
    }

    #[test]
    fn delayed_days_by_reason_in_shares_that_add_up() {
        let table = lookup(&[
            ("all", "acute_delayed_bed_days", 1000.0),
            ("all", "acute_delayed_bed_days_home_care", 300.0),
            ("all", "acute_delayed_bed_days_care_home", 220.0),
            ("all", "acute_delayed_bed_days_community_bed", 120.0),
            ("all", "acute_delayed_bed_days_reablement", 80.0),
            ("all", "acute_delayed_bed_days_arranging", 180.0),
            ("all", "acute_delayed_bed_days_discharge_day", 100.0),
            ("all", "acute_delayed_bed_days_other", 0.0),
        ]);
        let mean = |y: &str, m: &str| table.get(&(y.to_string(), m.to_string())).copied();
        assert_eq!(
            delay_sentence(&mean).unwrap(),
            "Of delayed acute bed-days, 72% were waiting for a place downstream: home care 30%, care home 22%, community bed 12%, reablement 8%; arranging the discharge 18%, weekends 10%."
        );
    }
}
