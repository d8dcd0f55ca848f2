//! Plain-text tables for the terminal, and [`terminal_safe`], through which
//! everything printed to a terminal passes.

use super::tidy::ResultSet;
use crate::model::Network;
use crate::model::metrics::{self, View};
use crate::stats::Summary;

/// Text made safe to print on a terminal: control characters (escape
/// sequences that could clear the screen, fake a message, retitle the
/// window or set the clipboard) and the invisible bidirectional overrides
/// are shown as `\u{..}` escapes; line breaks and tabs stay. Names, titles
/// and values read from files reach the terminal in messages and tables, so
/// the command line passes all it prints through this.
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            safe.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            safe.push(c);
        }
    }
    std::borrow::Cow::Owned(safe)
}

/// Key metrics per service and for the system, mean with 95% CI.
pub fn summary_table(network: &Network, set: &ResultSet) -> String {
    const KEY_METRICS: &[&str] = &[
        "arrivals",
        "admissions",
        "lost",
        "loss_share",
        "los_mean",
        "los_p90",
        "wait_mean",
        "occupancy_mean",
        "occupancy_peak",
        "utilisation",
        "found_full_share",
        "delayed_bed_days",
        "delayed_days_per_admission",
    ];
    let info = &set.info;
    let mut out = String::new();
    out.push_str(&format!("{}\n", info.scenario_title));
    out.push_str(&format!(
        "{} replication{} · seed {} · warm-up {} days · {} days from {}{}\n\n",
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.seed,
        info.warmup_days,
        info.horizon_days,
        info.start_date,
        case_heading(&info.case)
    ));
    // One replication has no interval: say "value", not "median (middle
    // 90%)"; the CI of the mean is the simulation's precision, beside it.
    let several = info.replications > 1;
    let (heading, precision) = if several {
        ("median (middle 90%)", "precision (95% CI of mean)")
    } else {
        ("value", "")
    };
    let cell = |unit: &str, summary: &Summary| {
        if several {
            format_spread(unit, summary, false)
        } else {
            format_value(unit, summary.mean)
        }
    };
    let precision_cell = |unit: &str, summary: &Summary| {
        if several {
            format_precision(unit, summary, false)
        } else {
            String::new()
        }
    };
    let mut rows: Vec<[String; 5]> = vec![[
        "service".into(),
        "metric".into(),
        "unit".into(),
        heading.into(),
        precision.into(),
    ]];
    for service in &network.services {
        for metric in KEY_METRICS {
            if let Some(summary) = set.summary(&service.name, "all", metric) {
                let unit = set
                    .summaries
                    .iter()
                    .find(|s| s.metric == *metric)
                    .map(|s| s.unit.clone())
                    .unwrap_or_default();
                let (shown, precise) = (cell(&unit, summary), precision_cell(&unit, summary));
                rows.push([
                    service.name.clone(),
                    metric.to_string(),
                    shown_unit(&unit).to_string(),
                    shown,
                    precise,
                ]);
            }
        }
    }
    for metric in ["entered", "lost", "in_system_mean", "time_in_system_mean"] {
        if let Some(summary) = set.summary("system", "all", metric) {
            let unit = set
                .summaries
                .iter()
                .find(|s| s.service == "system" && s.metric == metric)
                .map(|s| s.unit.clone())
                .unwrap_or_default();
            let (shown, precise) = (cell(&unit, summary), precision_cell(&unit, summary));
            rows.push([
                "system".into(),
                metric.to_string(),
                shown_unit(&unit).to_string(),
                shown,
                precise,
            ]);
        }
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut previous_service = String::new();
    for (i, row) in rows.iter().enumerate() {
        let service = if i > 0 && row[0] == previous_service {
            String::new()
        } else {
            row[0].clone()
        };
        if i > 1 && !service.is_empty() {
            out.push('\n');
        }
        previous_service = row[0].clone();
        let line = format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            service,
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3]
        );
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&format!(
                "{}\n",
                "-".repeat(widths.iter().sum::<usize>() + 8)
            ));
        }
    }
    if several {
        out.push('\n');
        out.push_str(&spread_and_precision(&set.info.case));
    }
    out
}

/// The whole-system headline: key outcomes for all ICCs and ages, in the
/// first and last year and over the whole window (mean and 95% CI).
pub fn headline_table(info: &super::RunInfo, set: &super::breakdown::BreakdownSet) -> String {
    let years = set
        .keys
        .iter()
        .filter_map(|k| k.year.parse::<usize>().ok())
        .max()
        .unwrap_or(1);
    let last = years.to_string();
    let mut out = format!("{}\n", info.scenario_title);
    out.push_str(&format!(
        "{} replication{} · seed {} · warm-up {} days · {} days from {} · all ICCs and ages{}\n\n",
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.seed,
        info.warmup_days,
        info.horizon_days,
        info.start_date,
        case_heading(&info.case)
    ));
    // Each year's cell and the whole window's are the median across
    // replications with the middle 90%: the spread of outcomes. The CI of
    // the mean is the simulation's precision, kept beside it.
    let several = info.replications > 1;
    let (spread, precision) = if several {
        (
            "all years: median (middle 90%)",
            "precision (95% CI of mean)",
        )
    } else {
        ("all years", "")
    };
    let mut rows: Vec<Vec<String>> = vec![vec![
        "outcome".into(),
        "unit".into(),
        "year 1".into(),
        format!("year {last}"),
        "all years is".into(),
        spread.into(),
        precision.into(),
    ]];
    for metric in &metrics::whole_system_headlines(View::Terminal) {
        let Some(all) = set.summary("all", "all", "all", metric) else {
            continue;
        };
        let unit = set
            .keys
            .iter()
            .find(|k| k.metric == *metric)
            .map_or("", |k| k.unit.as_str());
        let median_of = |year: &str| {
            set.summary(year, "all", "all", metric)
                .map_or("–".to_string(), |s| format_value(unit, s.median))
        };
        // A count over the whole window is its total; a rate, share,
        // duration or level is its mean over the window.
        let adds_up = metrics::whole_system_metric(metric).is_some_and(|m| m.kind.adds_up());
        rows.push(vec![
            metric.to_string(),
            shown_unit(unit).to_string(),
            median_of("1"),
            median_of(&last),
            if adds_up { "total" } else { "mean" }.into(),
            format_spread(unit, all, false),
            if several {
                format_precision(unit, all, false)
            } else {
                String::new()
            },
        ]);
    }
    out.push_str(&columns(
        &rows,
        &[false, false, true, true, false, false, false],
    ));
    out.push_str(&format!(
        "\nyear 1, year {last}: median across replications. all years is: the total over the window for a count, the mean for a rate, share or duration.\n"
    ));
    if several {
        out.push_str(&spread_and_precision(&info.case));
    }
    out.push_str(&format!(
        "By year, ICC and age band: breakdown_summary.csv; the chance of crossing thresholds: thresholds.csv. Costs in £ at {} prices.\n",
        set.price_year
    ));
    // In plain words (means across replications): when the hospital is
    // over capacity and how it copes, and why discharges were delayed.
    let words = super::plain_words::of_breakdown(set, &info.start_date, info.horizon_days);
    if !words.is_empty() {
        out.push('\n');
        out.push_str(&words);
        out.push_str(
            "Means across replications; each service by year: delays.csv, pressure.csv.\n",
        );
    }
    out
}

/// Rows as aligned columns, two spaces apart, with a rule under the first
/// (the heading); `right[c]` right-aligns column c (numbers). The last
/// column is not padded.
pub fn columns<R: AsRef<[String]>>(rows: &[R], right: &[bool]) -> String {
    let n = rows.first().map_or(0, |r| r.as_ref().len());
    let widths: Vec<usize> = (0..n)
        .map(|c| {
            rows.iter()
                .map(|r| r.as_ref()[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .as_ref()
            .iter()
            .enumerate()
            .map(|(c, text)| {
                let pad = " ".repeat(widths[c].saturating_sub(text.chars().count()));
                if c + 1 == n {
                    text.clone()
                } else if right.get(c).copied().unwrap_or(false) {
                    format!("{pad}{text}")
                } else {
                    format!("{text}{pad}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            let total = widths.iter().sum::<usize>() + 2 * n.saturating_sub(1);
            out.push_str(&format!("{}\n", "-".repeat(total)));
        }
    }
    out
}

/// A number rounded for reading: 3 significant figures, or more for large values.
/// A whole number's digits with thousands separators ("1,234,568").
pub fn thousands(whole: u64) -> String {
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

pub fn round_for_reading(value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let magnitude = value.abs();
    if magnitude >= 1000.0 {
        format!("{:.0}", value)
    } else if magnitude >= 100.0 {
        format!("{:.1}", value)
    } else if magnitude >= 1.0 {
        format!("{:.2}", value)
    } else if magnitude == 0.0 {
        "0".into()
    } else {
        let digits = (-magnitude.log10().floor()) as usize + 2;
        format!("{:.*}", digits.min(10), value)
    }
}

/// "12.3 (11.9 to 12.7)", or just the mean with one replication.
pub fn format_summary(summary: &Summary) -> String {
    if summary.ci_low.is_finite() {
        format!(
            "{} ({} to {})",
            round_for_reading(summary.mean),
            round_for_reading(summary.ci_low),
            round_for_reading(summary.ci_high)
        )
    } else {
        round_for_reading(summary.mean)
    }
}

/// A value as a reader expects its unit: a fraction as a percentage
/// ("87.3%"), pounds with thousands separators or in millions
/// ("£12,345", "-£46.0m"; a unit such as "GBP 2023/24 prices" too), anything else rounded for reading.
pub fn format_value(unit: &str, value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    match unit {
        "fraction" => format!("{:.1}%", 100.0 * value),
        money if money.starts_with("GBP") => pounds(value),
        _ => grouped(value),
    }
}

/// Rounded for reading, with thousands separators from 1,000 ("3,720").
fn grouped(value: f64) -> String {
    if value.abs() >= 1000.0 {
        let sign = if value < 0.0 { "-" } else { "" };
        format!("{sign}{}", thousands(value.abs().round() as u64))
    } else {
        round_for_reading(value)
    }
}

/// A difference as a reader expects its unit: a fraction in percentage
/// points ("−2.7 pts", as the report says), pounds as for
/// [`format_value`] with a sign, anything else rounded with a sign.
pub fn format_difference(unit: &str, value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    let signed = |text: String| {
        if value > 0.0 {
            format!("+{text}")
        } else {
            text
        }
    };
    match unit {
        "fraction" => {
            // A change that rounds to nothing has no sign ("-0.0 pts" read
            // as a fall).
            let points = (1000.0 * value).round() / 10.0;
            if points == 0.0 {
                "0.0 pts".into()
            } else {
                format!("{points:+.1} pts")
            }
        }
        money if money.starts_with("GBP") => signed(pounds(value)),
        _ => signed(grouped(value)),
    }
}

/// Pounds: "£12,345" below a million, "£1,023.5m" above (never
/// "1023527278"); "-" before the pound sign.
pub fn pounds(value: f64) -> String {
    let sign = if value < 0.0 { "-" } else { "" };
    let magnitude = value.abs();
    if magnitude >= 1e6 {
        let tenths = (magnitude / 1e5).round() as u64;
        format!("{sign}£{}.{}m", thousands(tenths / 10), tenths % 10)
    } else {
        format!("{sign}£{}", thousands(magnitude.round() as u64))
    }
}

/// "median (p05 to p95)": the middle 90% of outcomes across replications.
pub fn format_spread(unit: &str, summary: &Summary, difference: bool) -> String {
    let show = |v: f64| {
        if difference {
            format_difference(unit, v)
        } else {
            format_value(unit, v)
        }
    };
    if summary.n > 1 {
        format!(
            "{} ({} to {})",
            show(summary.median),
            show(summary.p05),
            show(summary.p95)
        )
    } else {
        show(summary.median)
    }
}

/// "mean (low to high)": the 95% CI of the mean, the simulation's
/// precision, in the unit's format.
pub fn format_precision(unit: &str, summary: &Summary, difference: bool) -> String {
    let show = |v: f64| {
        if difference {
            format_difference(unit, v)
        } else {
            format_value(unit, v)
        }
    };
    if summary.ci_low.is_finite() {
        format!(
            "{} ({} to {})",
            show(summary.mean),
            show(summary.ci_low),
            show(summary.ci_high)
        )
    } else {
        show(summary.mean)
    }
}

/// What the spread and precision columns of a table mean, in two lines,
/// when the uncertain values are drawn afresh for every replication.
pub const SPREAD_AND_PRECISION: &str = "middle 90%: the 5th to 95th percentile across replications, which carry both chance and the values given as ranges: the spread of outcomes, for decisions.\nprecision (95% CI of mean): how well the simulation knows the mean; it narrows with more replications whatever the evidence says.\n";

/// The unit a table's cell is shown in: a fraction is shown as a
/// percentage ([`format_value`]), so its column says `%`, not `fraction`.
pub fn shown_unit(unit: &str) -> &str {
    if unit == "fraction" { "%" } else { unit }
}

/// The unit a difference is shown in ([`format_difference`]): points for
/// a fraction, `£` for money, the unit itself otherwise.
pub fn shown_difference_unit(unit: &str) -> &str {
    match unit {
        "fraction" => "points",
        money if money.starts_with("GBP") => "£",
        other => other,
    }
}

/// A standard deviation as a reader expects its unit: a fraction in
/// points ("2.7 pts"), money in £/£m, anything else rounded for reading
/// with thousands separators.
pub fn format_sd(unit: &str, value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    match unit {
        "fraction" => format!("{:.1} pts", 100.0 * value),
        money if money.starts_with("GBP") => pounds(value),
        _ => whole_from_100(value),
    }
}

/// A part of a difference (`compare --by-lever`) as [`format_difference`]
/// shows it, but a count or duration of 100 or more without decimals
/// ("-466", not "-466.0"): the parts are means over replications.
pub fn format_part(unit: &str, value: f64) -> String {
    match unit {
        "fraction" => format_difference(unit, value),
        money if money.starts_with("GBP") => format_difference(unit, value),
        _ if !value.is_finite() => "–".into(),
        _ if value > 0.0 => format!("+{}", whole_from_100(value)),
        _ => whole_from_100(value),
    }
}

/// Rounded for reading, whole from 100 ("466", "3,720").
fn whole_from_100(value: f64) -> String {
    if value.abs() >= 100.0 && value.abs() < 1000.0 {
        format!("{value:.0}")
    } else {
        grouped(value)
    }
}

/// The case run.json names (`case`) as a phrase, when the uncertain
/// values were fixed at it: "their pessimistic case", "their 0.9
/// quantile". None when they were drawn (or there are none).
pub fn fixed_case_phrase(case: &str) -> Option<String> {
    match case {
        "" | "drawn" | "none" => None,
        "pessimistic" | "central" | "optimistic" => Some(format!("their {case} case")),
        quantile => Some(format!("their {quantile} quantile")),
    }
}

/// What the spread and precision columns mean for a run of this case
/// (run.json's `case`): with the uncertain values fixed, the spread is
/// chance alone, and the footnote says so.
pub fn spread_and_precision(case: &str) -> String {
    match fixed_case_phrase(case) {
        None => SPREAD_AND_PRECISION.to_string(),
        Some(phrase) => format!(
            "middle 90%: the 5th to 95th percentile across replications, with the uncertain values fixed at {phrase}: the spread is chance alone, not the uncertainty of the evidence.\nprecision (95% CI of mean): how well the simulation knows the mean; it narrows with more replications whatever the evidence says.\n"
        ),
    }
}

/// The heading's note of a fixed case ("" when the values were drawn).
pub fn case_heading(case: &str) -> String {
    fixed_case_phrase(case).map_or(String::new(), |phrase| {
        format!(" · uncertain values at {phrase} (--at-quantile {case})")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_for_reading() {
        assert_eq!(round_for_reading(12345.6), "12346");
        assert_eq!(round_for_reading(239.77), "239.8");
        assert_eq!(round_for_reading(6.0432), "6.04");
        assert_eq!(round_for_reading(0.049004), "0.0490");
        assert_eq!(round_for_reading(0.000131), "0.000131");
        assert_eq!(round_for_reading(f64::NAN), "–");
    }

    #[test]
    fn units_read_as_a_board_reads_them() {
        assert_eq!(format_value("GBP", 1_023_527_278.0), "£1,023.5m");
        assert_eq!(format_value("GBP", 12_345.4), "£12,345");
        assert_eq!(format_value("GBP 2023/24 prices", 53_716_995.0), "£53.7m");
        assert_eq!(format_difference("GBP", -46_040_000.0), "-£46.0m");
        assert_eq!(format_difference("GBP", 950.0), "+£950");
        assert_eq!(format_part("GBP 2024/25 prices", -1_448_879.0), "-£1.4m");
        assert_eq!(format_part("admissions", -466.0), "-466");
        assert_eq!(format_part("admissions", 5301.4), "+5,301");
        assert_eq!(format_part("fraction", -0.0082), "-0.8 pts");
        assert_eq!(format_difference("fraction", -0.0004), "0.0 pts");
        assert_eq!(format_difference("fraction", -0.0082), "-0.8 pts");
        assert_eq!(format_difference("fraction", 0.0082), "+0.8 pts");
        assert_eq!(format_sd("fraction", 0.027), "2.7 pts");
        assert_eq!(format_sd("days", 123.4), "123");
        assert_eq!(shown_difference_unit("fraction"), "points");
        assert_eq!(shown_unit("fraction"), "%");
        assert_eq!(spread_and_precision("drawn"), SPREAD_AND_PRECISION);
        assert!(spread_and_precision("pessimistic").contains("chance alone"));
        assert_eq!(case_heading("none"), "");
        assert_eq!(format_value("fraction", 0.8734), "87.3%");
        assert_eq!(format_difference("fraction", -0.027), "-2.7 pts");
        assert_eq!(format_difference("admissions", 12.5), "+12.50");
        assert_eq!(format_value("bed-days", 1_234_567.4), "1,234,567");
        assert_eq!(format_difference("bed-days", -12_345.0), "-12,345");
        let s = Summary::of(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        // Type 7: p05 = 1 + 0.2, p95 = 4 + 0.8.
        assert_eq!(format_spread("days", &s, false), "3.00 (1.20 to 4.80)");
    }
}
