//! One-way sensitivity (tornado): each uncertain value set to a low and a
//! high quantile of its distribution, the others at their point values,
//! and the chosen outcome's change from the point scenario, paired
//! replication by replication (common random numbers). Renders
//! `tornado.csv` and the terminal table, widest swing first.

use crate::stats::Summary;

use super::csv_safe::neutralise;
use super::tables::{columns, round_for_reading};
use super::tidy::cell;

/// One uncertain value's effect on the outcome.
#[derive(Clone, Debug)]
pub struct TornadoBar {
    pub parameter: String,
    pub source: String,
    pub point: f64,
    pub low_value: f64,
    pub high_value: f64,
    /// The outcome at the point values, over the same replications.
    pub base: Summary,
    /// The outcome with the value at its low quantile.
    pub low: Summary,
    pub high: Summary,
    /// Paired differences from the point scenario.
    pub low_diff: Summary,
    pub high_diff: Summary,
}

impl TornadoBar {
    /// From the outcome's values per replication (all in one order). Only
    /// replications where the outcome is defined in all three scenarios
    /// are used (a mean wait is undefined when nobody waited), so every
    /// mean and difference describes the same replications.
    pub fn new(
        parameter: &str,
        source: &str,
        (point, low_value, high_value): (f64, f64, f64),
        base: &[f64],
        low: &[f64],
        high: &[f64],
    ) -> TornadoBar {
        let triples: Vec<(f64, f64, f64)> = base
            .iter()
            .zip(low)
            .zip(high)
            .map(|((b, l), h)| (*b, *l, *h))
            .filter(|(b, l, h)| b.is_finite() && l.is_finite() && h.is_finite())
            .collect();
        let column =
            |f: fn(&(f64, f64, f64)) -> f64| -> Vec<f64> { triples.iter().map(f).collect() };
        TornadoBar {
            parameter: parameter.to_string(),
            source: source.to_string(),
            point,
            low_value,
            high_value,
            base: Summary::of(&column(|t| t.0)),
            low: Summary::of(&column(|t| t.1)),
            high: Summary::of(&column(|t| t.2)),
            low_diff: Summary::of(&column(|t| t.1 - t.0)),
            high_diff: Summary::of(&column(|t| t.2 - t.0)),
        }
    }

    /// Outcome at the high value minus at the low value (signed).
    pub fn swing(&self) -> f64 {
        self.high.mean - self.low.mean
    }
}

/// Bars ranked by the size of their swing, widest first (NaN last).
pub fn ranked(mut bars: Vec<TornadoBar>) -> Vec<TornadoBar> {
    bars.sort_by(|a, b| {
        let key = |x: &TornadoBar| {
            let s = x.swing().abs();
            if s.is_nan() { -1.0 } else { s }
        };
        key(b).total_cmp(&key(a))
    });
    bars
}

/// What a tornado was run on.
pub struct TornadoInfo<'a> {
    pub scenario: &'a str,
    pub metric: &'a str,
    pub unit: &'a str,
    pub quantiles: (f64, f64),
    pub seed: u64,
    pub replications: usize,
    /// The outcome with every value at its point.
    pub base: Summary,
}

/// `tornado.csv`: one row per uncertain value, ranked.
pub fn tornado_csv(info: &TornadoInfo, bars: &[TornadoBar]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "metric",
        "unit",
        "rank",
        "parameter",
        "source",
        "point_value",
        "low_quantile",
        "low_value",
        "high_quantile",
        "high_value",
        "n",
        "point_mean",
        "low_mean",
        "high_mean",
        "low_diff",
        "low_diff_ci95_low",
        "low_diff_ci95_high",
        "high_diff",
        "high_diff_ci95_low",
        "high_diff_ci95_high",
        "swing",
    ]);
    for (rank, bar) in bars.iter().enumerate() {
        let _ = writer.write_record([
            neutralise(info.scenario).into_owned(),
            neutralise(info.metric).into_owned(),
            neutralise(info.unit).into_owned(),
            (rank + 1).to_string(),
            neutralise(&bar.parameter).into_owned(),
            neutralise(&bar.source).into_owned(),
            cell(bar.point),
            cell(info.quantiles.0),
            cell(bar.low_value),
            cell(info.quantiles.1),
            cell(bar.high_value),
            bar.low_diff.n.to_string(),
            cell(bar.base.mean),
            cell(bar.low.mean),
            cell(bar.high.mean),
            cell(bar.low_diff.mean),
            cell(bar.low_diff.ci_low),
            cell(bar.low_diff.ci_high),
            cell(bar.high_diff.mean),
            cell(bar.high_diff.ci_low),
            cell(bar.high_diff.ci_high),
            cell(bar.swing()),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// The terminal table, with a text bar per value scaled to the widest.
pub fn tornado_table(info: &TornadoInfo, bars: &[TornadoBar]) -> String {
    let widest = bars
        .iter()
        .map(|b| b.swing().abs())
        .filter(|s| s.is_finite())
        .fold(0.0, f64::max);
    let width = 24.0;
    let mut rows = vec![vec![
        "value".to_string(),
        "low → high".into(),
        format!("{} at low", info.metric),
        "at high".into(),
        "swing".into(),
        String::new(),
    ]];
    for bar in bars {
        let length = if widest > 0.0 && bar.swing().is_finite() {
            ((bar.swing().abs() / widest) * width).round() as usize
        } else {
            0
        };
        rows.push(vec![
            bar.parameter.clone(),
            format!(
                "{} → {}",
                round_for_reading(bar.low_value),
                round_for_reading(bar.high_value)
            ),
            round_for_reading(bar.low.mean),
            round_for_reading(bar.high.mean),
            round_for_reading(bar.swing()),
            "#".repeat(length.max(usize::from(bar.swing() != 0.0))),
        ]);
    }
    format!(
        "One-way sensitivity of {} ({}) in {}: each value at its {} and {} quantiles, the others at their point values\n{} replications per scenario, seed {}, common random numbers. At the point values: {}\n\n{}",
        info.metric,
        info.unit,
        info.scenario,
        info.quantiles.0,
        info.quantiles.1,
        info.replications,
        info.seed,
        round_for_reading(info.base.mean),
        columns(&rows, &[false, false, true, true, true, false])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_rank_by_swing_and_differences_are_paired() {
        let base = [10.0, 20.0, 30.0];
        let small = TornadoBar::new(
            "a",
            "",
            (1.0, 0.0, 2.0),
            &base,
            &[9.0, 19.0, 29.0],
            &[11.0, 21.0, 31.0],
        );
        let large = TornadoBar::new(
            "b",
            "",
            (1.0, 0.0, 2.0),
            &base,
            &[15.0, 25.0, 35.0],
            &[5.0, 15.0, 25.0],
        );
        // The patients differ a lot between replications, the effect not at all.
        assert_eq!(small.low_diff.mean, -1.0);
        assert_eq!(small.low_diff.sd, 0.0);
        assert_eq!(large.swing(), -10.0);
        let ranked = ranked(vec![small, large]);
        assert_eq!(ranked[0].parameter, "b");
        let info = TornadoInfo {
            scenario: "s",
            metric: "m",
            unit: "u",
            quantiles: (0.05, 0.95),
            seed: 1,
            replications: 3,
            base: Summary::of(&base),
        };
        let csv = String::from_utf8(tornado_csv(&info, &ranked)).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("s,m,u,1,b,"), "{}", lines[1]);
        let table = tornado_table(&info, &ranked);
        assert!(table.contains(&"#".repeat(24)), "{table}");
    }
}
