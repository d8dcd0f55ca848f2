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
        "{} replication{} · seed {} · warm-up {} days · {} days from {}\n\n",
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.seed,
        info.warmup_days,
        info.horizon_days,
        info.start_date
    ));
    // One replication has no interval: say "value", not "mean (95% CI)".
    let heading = if info.replications == 1 {
        "value"
    } else {
        "mean (95% CI)"
    };
    let mut rows: Vec<[String; 4]> = vec![[
        "service".into(),
        "metric".into(),
        "unit".into(),
        heading.into(),
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
                rows.push([
                    service.name.clone(),
                    metric.to_string(),
                    unit,
                    format_summary(summary),
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
            rows.push([
                "system".into(),
                metric.to_string(),
                unit,
                format_summary(summary),
            ]);
        }
    }
    let widths: Vec<usize> = (0..4)
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
        out.push_str(&format!(
            "{:<w0$}  {:<w1$}  {:<w2$}  {}\n",
            service,
            row[1],
            row[2],
            row[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        ));
        if i == 0 {
            out.push_str(&format!(
                "{}\n",
                "-".repeat(widths.iter().sum::<usize>() + 6)
            ));
        }
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
        "{} replication{} · seed {} · warm-up {} days · {} days from {} · all ICCs and ages\n\n",
        info.replications,
        if info.replications == 1 { "" } else { "s" },
        info.seed,
        info.warmup_days,
        info.horizon_days,
        info.start_date
    ));
    let whole = if info.replications == 1 {
        "all years".to_string()
    } else {
        "all years: mean (95% CI)".to_string()
    };
    let mut rows: Vec<[String; 5]> = vec![[
        "outcome".into(),
        "unit".into(),
        "year 1".into(),
        format!("year {last}"),
        whole,
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
        let mean_of = |year: &str| {
            set.summary(year, "all", "all", metric)
                .map_or("–".to_string(), |s| round_for_reading(s.mean))
        };
        rows.push([
            metric.to_string(),
            unit.to_string(),
            mean_of("1"),
            mean_of(&last),
            format_summary(all),
        ]);
    }
    out.push_str(&columns(&rows, &[false, false, true, true, false]));
    out.push_str(&format!(
        "\nBy year, ICC and age band: breakdown_summary.csv. Costs in £ at {} prices.\n",
        set.price_year
    ));
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
}
