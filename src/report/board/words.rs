//! Numbers and findings in plain words: the outcomes a board reads, their
//! names, how each is rounded, and the sentence that states a difference
//! with its 95% CI. Also HTML escaping, for every string that came from a
//! scenario file.

use super::input::ComparisonRow;
use crate::model::metrics::{self, View};

/// How an outcome's numbers read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// People, admissions, bed-days: whole numbers with thousands separators.
    Count,
    /// A mean length of stay.
    Days,
    /// A fraction shown as a percentage; differences in percentage points.
    Share,
    /// Pounds.
    Money,
}

/// A whole-system outcome of the headline table.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// The metric in the results (`breakdown_summary.csv`, `comparison.csv`).
    pub metric: &'static str,
    /// Its name in the report, capitalised.
    pub label: &'static str,
    /// "are" or "is".
    pub verb: &'static str,
    pub kind: Kind,
}

/// The board's words for each whole-system headline outcome: its name in
/// the report, capitalised, and its verb. Which outcomes are headlines, and
/// in which order, is the registry's (`model::metrics`, view `Board`).
const WORDING: &[(&str, &str, &str)] = &[
    ("emergency_admissions", "Emergency admissions", "are"),
    ("acute_bed_days", "Acute bed-days", "are"),
    (
        "emergency_los_mean",
        "Mean length of stay after an emergency admission (days)",
        "is",
    ),
    ("acute_occupancy", "Acute bed occupancy", "is"),
    (
        "acute_days_above_92pct",
        "Days with acute occupancy above 92%",
        "are",
    ),
    (
        "acute_delayed_bed_days",
        "Bed-days of patients fit to leave (delayed discharges)",
        "are",
    ),
    (
        "acute_delayed_downstream_share",
        "Share of delayed bed-days waiting for home care, reablement, a community bed or a care home",
        "is",
    ),
    (
        "elective_cancellations",
        "Planned operations cancelled because the beds were full",
        "are",
    ),
    (
        "care_home_admissions_from_hospital",
        "Care-home admissions from hospital",
        "are",
    ),
    (
        "care_home_admissions_from_community",
        "Care-home admissions from the community",
        "are",
    ),
    ("cost_acute", "Cost of acute hospital care", "is"),
    ("cost_community", "Cost of community care", "is"),
    ("cost_primary_care", "Cost of primary care", "is"),
    ("cost_social_care", "Cost of social care", "is"),
    ("cost_total", "Total cost", "is"),
    // The risks of issue 20 (helper "risks", I3): worded here so that
    // they show as soon as the registry makes them board headlines.
    (
        "bed_wait_mean",
        "Mean wait for a bed after the decision to admit (days)",
        "is",
    ),
    ("bed_wait_p90", "Wait for a bed, 90th centile (days)", "is"),
    (
        "bed_waits_over_12h",
        "Patients waiting over 12 hours for a bed",
        "are",
    ),
    (
        "emergency_stay_with_wait_mean",
        "Mean stay including the wait for a bed (days)",
        "is",
    ),
    (
        "beds_needed_92pct",
        "Beds needed to hold 92% occupancy",
        "are",
    ),
    (
        "beds_needed_85pct",
        "Beds needed to hold 85% occupancy",
        "are",
    ),
    (
        "rapid_response_utilisation",
        "Rapid response: share of capacity busy",
        "is",
    ),
    (
        "reablement_utilisation",
        "Reablement: share of capacity busy",
        "is",
    ),
    (
        "case_management_utilisation",
        "Case management: share of capacity busy",
        "is",
    ),
    (
        "community_beds_utilisation",
        "Community beds: share occupied",
        "is",
    ),
    // The front door (issue 22): what primary care and the community day
    // units change, so that a board sees the mechanism it judges.
    ("ed_attendances", "A&E attendances", "are"),
    (
        "primary_care_same_day",
        "Crises seen the same day in general practice",
        "are",
    ),
    (
        "community_day_unit_attendances",
        "Community day-unit attendances",
        "are",
    ),
];

impl From<metrics::Kind> for Kind {
    /// How a sort of number reads in the report.
    fn from(kind: metrics::Kind) -> Kind {
        match kind {
            metrics::Kind::Count | metrics::Kind::Rate | metrics::Kind::Level => Kind::Count,
            metrics::Kind::Money => Kind::Money,
            metrics::Kind::Duration => Kind::Days,
            metrics::Kind::Fraction => Kind::Share,
        }
    }
}

/// The headline outcomes, in the order of the table: the registry's
/// whole-system outcomes of the board's view, with their words.
pub fn headlines() -> Vec<Outcome> {
    metrics::headlines(View::Board)
        .into_iter()
        .filter(|m| m.is_whole_system())
        .filter_map(|m| {
            let &(metric, label, verb) = WORDING.iter().find(|(name, ..)| *name == m.name)?;
            Some(Outcome {
                metric,
                label,
                verb,
                kind: m.kind.into(),
            })
        })
        .collect()
}

/// What the board says of an outcome the scenario does not model.
pub const NOT_MODELLED: &str = "not modelled (a cost per head, the same in both)";

/// Whether general practice is modelled as capacity (`[primary_care]`:
/// the run has `primary_care_*` services); without it its cost is a cost
/// per head that no lever changes.
pub fn primary_care_modelled(results: &super::input::ScenarioResults) -> bool {
    results
        .summary
        .iter()
        .any(|r| r.service.starts_with("primary_care_"))
}

/// The cost outcomes, by sector (the costs chart).
pub const SECTORS: &[(&str, &str)] = &[
    ("cost_acute", "Acute"),
    ("cost_community", "Community"),
    ("cost_primary_care", "Primary care"),
    ("cost_social_care", "Social care"),
];

/// A headline outcome by its metric's name.
pub fn headline(metric: &str) -> Option<Outcome> {
    headlines().into_iter().find(|o| o.metric == metric)
}

/// Any worded whole-system outcome, headline or not (the year-by-year
/// table shows some that are not in the headline table); its kind from
/// the registry.
pub fn outcome_of(metric: &str) -> Option<Outcome> {
    let m = metrics::whole_system_metric(metric)?;
    let &(metric, label, verb) = WORDING.iter().find(|(name, ..)| *name == m.name)?;
    Some(Outcome {
        metric,
        label,
        verb,
        kind: m.kind.into(),
    })
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A minus sign, not a hyphen, before negative numbers.
fn signed(text: String, negative: bool) -> String {
    if negative {
        format!("\u{2212}{text}")
    } else {
        text
    }
}

/// Thousands separators on a whole number.
pub fn grouped(value: f64) -> String {
    let rounded = value.abs().round();
    signed(
        crate::report::tables::thousands(rounded as u64),
        value < 0.0 && rounded > 0.0,
    )
}

/// A value as the report prints it.
pub fn value(kind: Kind, v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match kind {
        Kind::Count if v.abs() < 100.0 && v.fract() != 0.0 => {
            signed(format!("{:.1}", v.abs()), v < 0.0 && v.abs() >= 0.05)
        }
        Kind::Count => grouped(v),
        Kind::Days => signed(format!("{:.2}", v.abs()), v < 0.0 && v.abs() >= 0.005),
        Kind::Share => signed(
            format!("{:.1}%", 100.0 * v.abs()),
            v < 0.0 && v.abs() >= 0.0005,
        ),
        Kind::Money => money(v),
    }
}

/// A non-negative number with `decimals` decimals and thousands
/// separators in its whole part.
pub fn grouped_decimal(a: f64, decimals: usize) -> String {
    let text = format!("{a:.decimals$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = grouped(whole.parse::<f64>().unwrap_or(0.0));
    if fraction.is_empty() {
        whole
    } else {
        format!("{whole}.{fraction}")
    }
}

/// Pounds: millions with one decimal from £10m (two from £1m), whole
/// pounds below.
pub fn money(v: f64) -> String {
    let a = v.abs();
    let text = if a >= 10e6 {
        format!("£{}m", grouped_decimal(a / 1e6, 1))
    } else if a >= 1e6 {
        format!("£{:.2}m", a / 1e6)
    } else {
        format!("£{}", grouped(a))
    };
    let zero = text == "£0";
    signed(text, v < 0.0 && !zero)
}

/// A difference: with a sign, and in percentage points for shares.
pub fn difference(kind: Kind, d: f64) -> String {
    if !d.is_finite() {
        return "–".into();
    }
    let body = match kind {
        Kind::Share => format!("{:.1} points", 100.0 * d.abs()),
        _ => value(kind, d.abs()),
    };
    // Rounded to nothing: no sign.
    let zero = !body.chars().any(|c| c.is_ascii_digit() && c != '0');
    if zero {
        body
    } else if d < 0.0 {
        format!("\u{2212}{body}")
    } else {
        format!("+{body}")
    }
}

/// A relative change as a percentage of the baseline, one decimal (two
/// below 0.1%).
pub fn percent(r: f64) -> String {
    let p = 100.0 * r.abs();
    if p >= 0.1 || p == 0.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.2}%")
    }
}

fn direction(x: f64) -> &'static str {
    if x < 0.0 { "lower" } else { "higher" }
}

/// The relative change and its 95% CI (difference CI over the baseline
/// mean), as numbers.
pub fn relative(row: &ComparisonRow) -> Option<(f64, f64, f64)> {
    let base = row.baseline_mean.filter(|b| *b != 0.0 && b.is_finite())?;
    let d = row.difference_mean.filter(|d| d.is_finite())?;
    let lo = row.difference_ci95_low.map_or(f64::NAN, |l| l / base);
    let hi = row.difference_ci95_high.map_or(f64::NAN, |h| h / base);
    Some((d / base, lo, hi))
}

/// Glue for an interval that must not break across lines: no-break
/// spaces, and a word joiner after each minus sign (browsers may break
/// after a sign before a pound sign: "+£1.34m to +" / "£3.30m").
pub fn unbroken(text: &str) -> String {
    text.replace(' ', "\u{a0}")
        .replace('\u{2212}', "\u{2212}\u{2060}")
        .replace('+', "+\u{2060}")
}

/// "(−4.5 to −0.8)" kept on one line.
pub fn interval(lo: &str, hi: &str) -> String {
    unbroken(&format!("({lo} to {hi})"))
}

/// A signed relative change: "−3.1%", "+0.4%", "0.00%".
pub fn signed_percent(x: f64) -> String {
    let text = percent(x);
    if !text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        text
    } else if x < 0.0 {
        format!("\u{2212}{text}")
    } else {
        format!("+{text}")
    }
}

/// The relative change's median and middle 90% of replications, from
/// the file's relative percentiles or, failing them, the differences'
/// percentiles over the baseline mean.
pub fn relative_spread(row: &ComparisonRow) -> Option<(f64, f64, f64)> {
    if let Some(r) = row.relative_spread() {
        return Some(r);
    }
    let base = row.baseline_mean.filter(|b| *b != 0.0 && b.is_finite())?;
    let (lo, mid, hi) = row.spread()?;
    Some((lo / base, mid / base, hi / base))
}

/// The difference as a board reads it: the median of the paired
/// differences with the middle 90% of replications, "−2.7 points
/// (−4.5 to −0.8)"; without the spread in the file, the mean with its
/// 95% CI (as before issue 20).
pub fn spread_cell(kind: Kind, row: &ComparisonRow) -> String {
    match row.spread() {
        Some((lo, mid, hi)) => format!(
            "{} {}",
            unbroken(&difference(kind, mid)),
            interval(&difference(kind, lo), &difference(kind, hi))
        ),
        None => difference_cell(kind, row),
    }
}

/// The relative change's median and middle 90%: "−3.9% (−6.5% to −1.2%)".
pub fn relative_spread_cell(row: &ComparisonRow) -> String {
    match relative_spread(row) {
        Some((lo, mid, hi)) => format!(
            "{} {}",
            signed_percent(mid),
            interval(&signed_percent(lo), &signed_percent(hi))
        ),
        None => relative_cell(row),
    }
}

/// How many of the paired replications improved, "87 of 100"; None when
/// the outcome has no better direction or the file has no probability.
pub fn replications_better(row: &ComparisonRow) -> Option<String> {
    let p = row.probability_better?;
    if row.better.is_empty() || !p.is_finite() {
        return None;
    }
    Some(format!("{} of {}", (p * row.n as f64).round(), row.n))
}

/// The outcome's word when it improves: "fell" or "rose".
fn improving_word(row: &ComparisonRow) -> Option<&'static str> {
    match row.better.as_str() {
        "lower" => Some("fell"),
        "higher" => Some("rose"),
        _ => None,
    }
}

/// The simulation-precision cell: the mean difference and its 95% CI.
pub fn precision_cell(kind: Kind, row: &ComparisonRow) -> String {
    let d = row.difference_mean.unwrap_or(f64::NAN);
    match (row.difference_ci95_low, row.difference_ci95_high) {
        (Some(lo), Some(hi)) => format!(
            "{} {}",
            unbroken(&difference(kind, d)),
            interval(&difference(kind, lo), &difference(kind, hi))
        ),
        _ => unbroken(&difference(kind, d)),
    }
}

/// The finding as a board should read it: the median change, the middle
/// 90% of replications and how often the change helped, e.g.
/// "Emergency admissions: median 3.9% lower than the baseline (middle 90%
/// of replications: 6.5% lower to 1.2% lower); they fell in 87 of 100
/// replications." Falls back to [`sentence`] (the mean and its 95% CI)
/// for files without the spread.
pub fn spread_sentence(outcome: &Outcome, row: &ComparisonRow) -> String {
    let label = outcome.label;
    let Some((lo, mid, hi)) = row.spread() else {
        return sentence(outcome, row);
    };
    if !(lo.is_finite() && mid.is_finite() && hi.is_finite()) {
        return format!("{label}: no difference can be given (undefined in these replications).");
    }
    if lo == 0.0 && hi == 0.0 {
        return format!("{label}: the same in every replication.");
    }
    let how = |x: f64| -> String {
        if outcome.kind == Kind::Share {
            let p = format!("{:.1} points", 100.0 * x.abs());
            if x == 0.0 {
                "no change".into()
            } else {
                format!("{p} {}", direction(x))
            }
        } else {
            let r = row
                .baseline_mean
                .filter(|b| *b != 0.0 && b.is_finite())
                .map(|b| x / b);
            match r {
                Some(0.0) => "no change".into(),
                Some(r) => format!("{} {}", percent(r), direction(r)),
                None => difference(outcome.kind, x),
            }
        }
    };
    let (rlo, rmid, rhi) = match (outcome.kind, row.relative_spread()) {
        (Kind::Share, _) | (_, None) => (lo, mid, hi),
        (_, Some(r)) => {
            // The file's relative percentiles, as differences, so `how`
            // words them the same way.
            let b = row.baseline_mean.unwrap_or(1.0);
            (r.0 * b, r.1 * b, r.2 * b)
        }
    };
    let mut text = format!(
        "{label}: median {} than the baseline (middle 90% of replications: {} to {})",
        how(rmid),
        how(rlo),
        how(rhi)
    )
    .replace(
        "median no change than the baseline",
        "median unchanged from the baseline",
    );
    if let (Some(count), Some(word)) = (replications_better(row), improving_word(row)) {
        let subject = if outcome.verb == "are" { "they" } else { "it" };
        text.push_str(&format!("; {subject} {word} in {count} replications"));
    }
    text.push('.');
    text
}

/// The relative column: "−3.1% (−3.8% to −2.4%)".
pub fn relative_cell(row: &ComparisonRow) -> String {
    match relative(row) {
        None => "–".into(),
        Some((r, lo, hi)) => {
            let one = |x: f64| {
                let text = percent(x);
                if !text.chars().any(|c| c.is_ascii_digit() && c != '0') {
                    text
                } else if x < 0.0 {
                    format!("\u{2212}{text}")
                } else {
                    format!("+{text}")
                }
            };
            if lo.is_finite() && hi.is_finite() {
                format!("{} ({} to {})", one(r), one(lo), one(hi))
            } else {
                one(r)
            }
        }
    }
}

/// The difference column: "−5,628 (−6,929 to −4,327)".
pub fn difference_cell(kind: Kind, row: &ComparisonRow) -> String {
    let d = row.difference_mean.unwrap_or(f64::NAN);
    match (row.difference_ci95_low, row.difference_ci95_high) {
        (Some(lo), Some(hi)) => format!(
            "{} ({} to {})",
            difference(kind, d),
            difference(kind, lo),
            difference(kind, hi)
        ),
        _ => difference(kind, d),
    }
}

/// The finding in one sentence, e.g. "Emergency admissions are projected
/// 3.1% lower (95% CI 2.4% to 3.8%)."
pub fn sentence(outcome: &Outcome, row: &ComparisonRow) -> String {
    let (label, verb) = (outcome.label, outcome.verb);
    let d = row.difference_mean.unwrap_or(f64::NAN);
    if !d.is_finite() {
        return format!("{label}: no difference can be given (undefined in these replications).");
    }
    let (lo, hi) = (
        row.difference_ci95_low.unwrap_or(f64::NAN),
        row.difference_ci95_high.unwrap_or(f64::NAN),
    );
    if d == 0.0 && (lo == 0.0 || lo.is_nan()) && (hi == 0.0 || hi.is_nan()) {
        return format!("{label} {verb} unchanged.");
    }
    let has_ci = lo.is_finite() && hi.is_finite();
    let crosses = has_ci && lo < 0.0 && hi > 0.0;
    if outcome.kind == Kind::Share {
        let points = |x: f64| format!("{:.1}", 100.0 * x.abs());
        let (b, s) = (
            value(Kind::Share, row.baseline_mean.unwrap_or(f64::NAN)),
            value(Kind::Share, row.scenario_mean.unwrap_or(f64::NAN)),
        );
        let ci = if !has_ci {
            " (no interval: too few replications)".to_string()
        } else if crosses {
            format!(
                " (95% CI {} points lower to {} points higher)",
                points(lo),
                points(hi)
            )
        } else {
            let (a, z) = if d < 0.0 { (hi, lo) } else { (lo, hi) };
            format!(" (95% CI {} to {} points)", points(a), points(z))
        };
        return if crosses {
            format!(
                "{label} shows no clear change: {s} against {b}, {} points {}{ci}.",
                points(d),
                direction(d)
            )
        } else {
            format!(
                "{label} {verb} projected at {s} against {b}: {} percentage points {}{ci}.",
                points(d),
                direction(d)
            )
        };
    }
    let Some((r, rlo, rhi)) = relative(row) else {
        return format!(
            "{label}: {} against the baseline.",
            difference(outcome.kind, d)
        );
    };
    let ci = if !has_ci {
        " (no interval: too few replications)".to_string()
    } else if crosses {
        format!(
            " (95% CI {} lower to {} higher)",
            percent(rlo),
            percent(rhi)
        )
    } else {
        let (a, z) = if r < 0.0 { (rhi, rlo) } else { (rlo, rhi) };
        format!(" (95% CI {} to {})", percent(a), percent(z))
    };
    if crosses {
        let verb = if verb == "are" { "show" } else { "shows" };
        format!(
            "{label} {verb} no clear change: {} {}{ci}.",
            percent(r),
            direction(r)
        )
    } else {
        format!(
            "{label} {verb} projected {} {}{ci}.",
            percent(r),
            direction(r)
        )
    }
}

/// A name from the results in words: the kinds of service of the flow
/// picture, sinks, and snake_case names (ICCs, scenario names).
pub fn plain_name(name: &str) -> String {
    let known = match name {
        "arrival" => "Arrivals",
        "ed" => "Emergency departments",
        "day_unit" => "Day units (SDEC)",
        "acute_beds" => "Acute beds",
        "paediatric_beds" => "Children's beds",
        "other_provider" => "Other hospitals",
        "rapid_response" => "Rapid response",
        "reablement" => "Reablement",
        "case_management" => "Case management",
        "community_beds" => "Community beds",
        "residential_care" => "Residential homes",
        "nursing_care" => "Nursing homes",
        "home" => "Home",
        "death" => "Died",
        "lost" => "Turned away",
        "community_services" => "Community services",
        "care_homes" => "Care homes",
        "other_hospital_beds" => "Other hospital beds",
        "died_or_turned_away" => "Died or turned away",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_string();
    }
    // Names of places and services: each word capitalised.
    name.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A year's label from its start date: "2025/26" for a year from April,
/// "2025" for a calendar year.
pub fn year_label(start: &str) -> String {
    let year: Option<i32> = start.get(0..4).and_then(|y| y.parse().ok());
    match (year, start.get(5..7)) {
        (Some(y), Some("01")) => y.to_string(),
        (Some(y), Some(_)) => format!("{y}/{:02}", (y + 1) % 100),
        _ => start.to_string(),
    }
}

/// "five years", "one year", "13 years".
pub fn years_in_words(n: usize) -> String {
    const WORDS: [&str; 11] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let number = WORDS.get(n).map_or(n.to_string(), |w| w.to_string());
    format!("{number} year{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(base: f64, d: f64, lo: f64, hi: f64) -> ComparisonRow {
        ComparisonRow {
            scenario: "s".into(),
            table: "breakdown".into(),
            service: String::new(),
            patient_type: String::new(),
            year: "all".into(),
            icc: "all".into(),
            age_band: "all".into(),
            metric: "emergency_admissions".into(),
            unit: "admissions".into(),
            n: 10,
            baseline_mean: Some(base),
            scenario_mean: Some(base + d),
            difference_mean: Some(d),
            difference_ci95_low: Some(lo),
            difference_ci95_high: Some(hi),
            relative_difference: Some(d / base),
            ..Default::default()
        }
    }

    #[test]
    fn sentences_state_the_direction_and_interval() {
        let admissions = &headline("emergency_admissions").unwrap();
        assert_eq!(
            sentence(admissions, &row(1000.0, -31.0, -38.0, -24.0)),
            "Emergency admissions are projected 3.1% lower (95% CI 2.4% to 3.8%)."
        );
        assert_eq!(
            sentence(admissions, &row(1000.0, 31.0, 24.0, 38.0)),
            "Emergency admissions are projected 3.1% higher (95% CI 2.4% to 3.8%)."
        );
        assert_eq!(
            sentence(admissions, &row(1000.0, 1.0, -3.0, 5.0)),
            "Emergency admissions show no clear change: 0.1% higher (95% CI 0.3% lower to 0.5% higher)."
        );
        assert_eq!(
            sentence(admissions, &row(1000.0, 0.0, 0.0, 0.0)),
            "Emergency admissions are unchanged."
        );
        let occupancy = &headline("acute_occupancy").unwrap();
        assert_eq!(
            sentence(occupancy, &row(0.92, -0.025, -0.03, -0.02)),
            "Acute bed occupancy is projected at 89.5% against 92.0%: 2.5 percentage points lower (95% CI 2.0 to 3.0 points)."
        );
    }

    #[test]
    fn the_spread_is_the_headline_and_the_mean_is_precision() {
        let mut r = row(1000.0, -39.0, -45.0, -33.0);
        r.difference_p05 = Some(-65.0);
        r.difference_median = Some(-39.0);
        r.difference_p95 = Some(-12.0);
        r.better = "lower".into();
        r.probability_better = Some(0.87);
        r.n = 100;
        let admissions = &headline("emergency_admissions").unwrap();
        assert_eq!(
            spread_sentence(admissions, &r),
            "Emergency admissions: median 3.9% lower than the baseline (middle 90% of replications: 6.5% lower to 1.2% lower); they fell in 87 of 100 replications."
        );
        let plain = |t: String| t.replace('\u{a0}', " ").replace('\u{2060}', "");
        assert_eq!(
            plain(spread_cell(Kind::Count, &r)),
            "\u{2212}39 (\u{2212}65 to \u{2212}12)"
        );
        assert_eq!(
            plain(relative_spread_cell(&r)),
            "\u{2212}3.9% (\u{2212}6.5% to \u{2212}1.2%)"
        );
        assert_eq!(
            plain(precision_cell(Kind::Count, &r)),
            "\u{2212}39 (\u{2212}45 to \u{2212}33)"
        );
        assert_eq!(replications_better(&r).as_deref(), Some("87 of 100"));
        // A money interval cannot break inside its brackets (a line may
        // break only between the median and the interval), nor after a
        // sign: a word joiner follows each.
        let money = spread_cell(Kind::Money, &{
            let mut m = r.clone();
            m.difference_p05 = Some(1.34e6);
            m.difference_median = Some(2.32e6);
            m.difference_p95 = Some(3.3e6);
            m
        });
        let (_, interval) = money.split_once(" (").unwrap();
        assert!(!interval.contains(' '), "{money:?}");
        assert!(money.contains("+\u{2060}£3.30m"), "{money:?}");
        // Without the spread (older files): the mean and its CI, as before.
        let old = row(1000.0, -31.0, -38.0, -24.0);
        assert_eq!(
            spread_sentence(admissions, &old),
            "Emergency admissions are projected 3.1% lower (95% CI 2.4% to 3.8%)."
        );
        assert_eq!(replications_better(&old), None);
    }

    #[test]
    fn numbers_are_rounded_for_reading() {
        assert_eq!(grouped(1234567.4), "1,234,567");
        assert_eq!(grouped(-999.6), "\u{2212}1,000");
        assert_eq!(grouped(0.2), "0");
        assert_eq!(money(412_345_678.0), "£412.3m");
        assert_eq!(money(1_005_912_345.0), "£1,005.9m");
        assert_eq!(money(3_780_337.5), "£3.78m");
        assert_eq!(money(-12_500.0), "\u{2212}£12,500");
        assert_eq!(value(Kind::Share, 0.9234), "92.3%");
        assert_eq!(value(Kind::Days, 7.6349), "7.63");
        assert_eq!(difference(Kind::Count, -5628.2), "\u{2212}5,628");
        assert_eq!(difference(Kind::Share, 0.031), "+3.1 points");
        assert_eq!(difference(Kind::Count, 0.0), "0");
        assert_eq!(percent(0.0004), "0.04%");
        assert_eq!(year_label("2025-04-01"), "2025/26");
        assert_eq!(year_label("2029-01-01"), "2029");
        assert_eq!(plain_name("maryport_cockermouth"), "Maryport Cockermouth");
        assert_eq!(years_in_words(5), "five years");
    }

    #[test]
    fn relative_cells_sign_what_is_not_zero() {
        assert_eq!(
            relative_cell(&row(1000.0, 2.0, -5.0, 0.8)),
            "+0.2% (\u{2212}0.5% to +0.08%)"
        );
        assert_eq!(
            relative_cell(&row(1e9, -1.0, -2.0, -0.5)),
            "0.00% (0.00% to 0.00%)"
        );
        let mut undefined = row(1000.0, 1.0, 0.0, 2.0);
        undefined.difference_mean = Some(f64::NAN);
        assert_eq!(relative_cell(&undefined), "–");
        assert!(
            sentence(&headline("acute_bed_days").unwrap(), &undefined).contains("no difference")
        );
    }

    #[test]
    fn the_board_reads_its_headlines_each_with_its_words_and_kind() {
        // Activity, then the waits and beds a board must see beside
        // occupancy, then money, then whether what was bought is used.
        let expected = [
            (
                "emergency_admissions",
                "Emergency admissions",
                "are",
                Kind::Count,
            ),
            ("acute_bed_days", "Acute bed-days", "are", Kind::Count),
            (
                "emergency_los_mean",
                "Mean length of stay after an emergency admission (days)",
                "is",
                Kind::Days,
            ),
            (
                "emergency_stay_with_wait_mean",
                "Mean stay including the wait for a bed (days)",
                "is",
                Kind::Days,
            ),
            ("acute_occupancy", "Acute bed occupancy", "is", Kind::Share),
            (
                "acute_days_above_92pct",
                "Days with acute occupancy above 92%",
                "are",
                Kind::Count,
            ),
            (
                "bed_wait_mean",
                "Mean wait for a bed after the decision to admit (days)",
                "is",
                Kind::Days,
            ),
            (
                "bed_wait_p90",
                "Wait for a bed, 90th centile (days)",
                "is",
                Kind::Days,
            ),
            (
                "bed_waits_over_12h",
                "Patients waiting over 12 hours for a bed",
                "are",
                Kind::Count,
            ),
            (
                "beds_needed_92pct",
                "Beds needed to hold 92% occupancy",
                "are",
                Kind::Count,
            ),
            (
                "beds_needed_85pct",
                "Beds needed to hold 85% occupancy",
                "are",
                Kind::Count,
            ),
            (
                "elective_cancellations",
                "Planned operations cancelled because the beds were full",
                "are",
                Kind::Count,
            ),
            (
                "acute_delayed_bed_days",
                "Bed-days of patients fit to leave (delayed discharges)",
                "are",
                Kind::Count,
            ),
            (
                "acute_delayed_downstream_share",
                "Share of delayed bed-days waiting for home care, reablement, a community bed or a care home",
                "is",
                Kind::Share,
            ),
            (
                "care_home_admissions_from_hospital",
                "Care-home admissions from hospital",
                "are",
                Kind::Count,
            ),
            (
                "care_home_admissions_from_community",
                "Care-home admissions from the community",
                "are",
                Kind::Count,
            ),
            (
                "cost_acute",
                "Cost of acute hospital care",
                "is",
                Kind::Money,
            ),
            (
                "cost_community",
                "Cost of community care",
                "is",
                Kind::Money,
            ),
            (
                "cost_primary_care",
                "Cost of primary care",
                "is",
                Kind::Money,
            ),
            ("cost_social_care", "Cost of social care", "is", Kind::Money),
            ("cost_total", "Total cost", "is", Kind::Money),
            (
                "rapid_response_utilisation",
                "Rapid response: share of capacity busy",
                "is",
                Kind::Share,
            ),
            (
                "reablement_utilisation",
                "Reablement: share of capacity busy",
                "is",
                Kind::Share,
            ),
            (
                "case_management_utilisation",
                "Case management: share of capacity busy",
                "is",
                Kind::Share,
            ),
            (
                "community_beds_utilisation",
                "Community beds: share occupied",
                "is",
                Kind::Share,
            ),
            ("ed_attendances", "A&E attendances", "are", Kind::Count),
            (
                "primary_care_same_day",
                "Crises seen the same day in general practice",
                "are",
                Kind::Count,
            ),
            (
                "community_day_unit_attendances",
                "Community day-unit attendances",
                "are",
                Kind::Count,
            ),
        ];
        let found: Vec<_> = headlines()
            .iter()
            .map(|o| (o.metric, o.label, o.verb, o.kind))
            .collect();
        assert_eq!(found, expected);
        assert!(headline("crises").is_none());
    }

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape("<script>alert('x' & \"y\")</script>"),
            "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"
        );
    }
}
