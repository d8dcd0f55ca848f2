//! The finance words a director could misread, written so they cannot be:
//! what the net cash position counts (only the levers' money: cash
//! released by beds closed less the staff and places bought and the
//! levers' running costs), when it is positive only because money was
//! left unallocated (`budget.csv`'s `*_unallocated` items), and the
//! change in total cost (`cost_total`, activity included) beside it; and
//! the beds a scenario closes against the acute bed-days it avoids.
//!
//! The sentence builders are pure functions of numbers, so the tests pin
//! them without a results folder.

use super::input::{BudgetRow, ComparisonRow};
use super::words::{self, Kind};

/// The change in total cost (`cost_total`, activity included) across the
/// paired replications.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct TotalCost {
    pub(super) mean: f64,
    pub(super) median: f64,
    pub(super) p05: f64,
    pub(super) p95: f64,
    /// Replications whose total cost is below the baseline's.
    pub(super) better: usize,
    pub(super) n: usize,
}

impl TotalCost {
    pub(super) fn from_row(row: &ComparisonRow) -> Option<TotalCost> {
        let (p05, median, p95) = row.spread()?;
        Some(TotalCost {
            mean: row.difference_mean?,
            median,
            p05,
            p95,
            better: (row.probability_better? * row.n as f64).round() as usize,
            n: row.n,
        })
    }

    /// Worse (higher) than the baseline in most replications.
    fn worse_mostly(&self) -> bool {
        2 * self.better < self.n
    }

    /// "the total change in cost, activity included, is +£4.33m over the
    /// five years … (median; middle 90% … to …), lower than the
    /// baseline's in only 3 of the 20 replications"
    fn words(&self, period: &str) -> String {
        format!(
            "the total change in cost, activity included, is {} {period} (median; middle 90% {} to {}), lower than the baseline's in {}{} of the {} replications",
            words::difference(Kind::Money, self.median),
            words::difference(Kind::Money, self.p05),
            words::difference(Kind::Money, self.p95),
            if self.worse_mostly() { "only " } else { "" },
            self.better,
            self.n
        )
    }
}

/// The money a year left unallocated (`*_unallocated` budget items).
pub(super) fn unallocated_per_year(budget: &[BudgetRow]) -> f64 {
    budget
        .iter()
        .filter(|r| r.item.ends_with("_unallocated"))
        .map(|r| r.gbp_per_year)
        .sum()
}

/// The adult beds the reinvestment levers close (`adult_beds_closed_*`).
pub(super) fn beds_closed(budget: &[BudgetRow]) -> f64 {
    budget
        .iter()
        .filter(|r| r.item.starts_with("adult_beds_closed_"))
        .map(|r| r.units)
        .sum()
}

/// What the net cash position counts, said before any payback.
pub(super) fn cash_position_meaning() -> String {
    "The net cash position counts only the levers' money: the cash released by the beds closed (and contracts ended), less the staff and places bought and the levers' running costs. It leaves out what the services' activity costs; the last column, the total change in cost, includes it.".to_string()
}

/// The payback sentence, with the unallocated money and the total cost
/// in the same sentence.
///
/// `paid_from`: the first year of payback on the mean ("2027/28" or
/// "year 3"), `None` when not paid back; `paid`: replications that pay
/// back of all; `full_year_net`: the net cash position of the last year
/// (negative: released more than spent); `unallocated`: £ a year left
/// unallocated.
pub(super) fn payback_sentence(
    paid_from: Option<&str>,
    paid: Option<(usize, usize)>,
    full_year_net: Option<f64>,
    unallocated: f64,
    total: Option<&TotalCost>,
    period: &str,
) -> String {
    let mut text = match paid_from {
        Some(year) => format!(
            "On the mean, the cumulative net cash position is paid back from {year} on (more cash released than spent)"
        ),
        None => format!("On the mean, the cumulative net cash position is not paid back {period}"),
    };
    if let Some((k, n)) = paid {
        text.push_str(&match k {
            0 => format!("; none of the {n} replications pays back within the window"),
            k if k == n => format!("; all {n} replications pay back within the window"),
            k => format!("; {k} of the {n} replications pay back within the window"),
        });
    }
    let unallocated_money = format!("£{}", words::grouped_decimal(unallocated, 2));
    if unallocated > 0.0 && paid_from.is_some() {
        // The money released but not spent is a surplus by construction:
        // when the year's surplus is no more than it (£1,000 for rounding),
        // the position is positive only because of it.
        let only = full_year_net.is_some_and(|net| -net <= unallocated + 1000.0);
        text.push_str(&if only {
            format!(
                ", but only because {unallocated_money} a year of the cash released is left unallocated (not spent on anything)"
            )
        } else {
            format!(
                ", {unallocated_money} a year of it cash released but left unallocated (not spent on anything)"
            )
        });
    }
    if let Some(total) = total {
        let rises = total.median > 0.0 && total.worse_mostly();
        text.push_str(&format!(
            "; {} {}",
            if rises && paid_from.is_some() {
                "yet"
            } else {
                "and"
            },
            total.words(period)
        ));
        if rises && paid_from.is_some() {
            text.push_str(": on the total cost, the scheme is not paid back, it costs more");
        }
    }
    text.push('.');
    text
}

/// The cost per emergency admission avoided: what is bought, net of the
/// cash released (the levers' money only), and the change in total cost.
pub(super) fn per_admission_sentence(
    bought_total: f64,
    avoided: f64,
    cost: f64,
    net: Option<f64>,
    unallocated: f64,
    total: Option<&TotalCost>,
    period: &str,
) -> String {
    let mut text = format!(
        "What is bought ({} {period}) costs {} per emergency admission avoided ({} avoided)",
        words::money(bought_total),
        words::money(cost),
        words::grouped(avoided),
    );
    if let Some(net) = net {
        text.push_str(&format!(
            "; net of the cash released by the beds closed, {} per admission avoided (the levers' money only{})",
            words::difference(Kind::Money, net),
            if net < 0.0 && unallocated > 0.0 {
                ", below zero because money released is left unallocated"
            } else {
                ""
            }
        ));
    }
    if let Some(total) = total {
        text.push_str(&format!(
            "; the change in total cost, activity included, is {} per admission avoided (the mean change in total cost ÷ admissions avoided)",
            words::difference(Kind::Money, total.mean / avoided)
        ));
    }
    text.push('.');
    text
}

/// "It closes 28 adult beds; in 2029/30, …, the acute bed-days it avoids
/// are worth about 25 beds (…), so acute occupancy rises by 0.6 points."
///
/// `bed_days`: the (median, p05, p95) difference in acute bed-days over
/// one whole year; `occupancy`: the median difference in acute occupancy
/// (a fraction) that year.
pub(super) fn beds_sentence(
    closed: f64,
    year_words: &str,
    bed_days: (f64, f64, f64),
    occupancy: Option<f64>,
) -> String {
    let (median, p05, p95) = bed_days;
    let beds = |d: f64| -d / 365.25;
    // Fewer bed-days (below zero) are beds freed: the middle 90% of beds
    // freed runs from the smallest saving (p95) to the largest (p05).
    let (lo, hi) = (beds(p95), beds(p05));
    let freed = if median <= 0.0 {
        format!(
            "{year_words}, the acute bed-days it avoids are worth about {} beds ({} bed-days ÷ 365.25 days, the median; middle 90% {} to {} beds)",
            words::grouped(beds(median)),
            words::grouped(-median),
            words::grouped(lo),
            words::grouped(hi)
        )
    } else {
        format!(
            "{year_words}, it avoids no acute bed-days: they rise by {} (the median), about {} beds' worth (÷ 365.25 days)",
            words::grouped(median),
            words::grouped(median / 365.25)
        )
    };
    let mut text = format!("It closes {} adult beds; {freed}", words::grouped(closed));
    if let Some(o) = occupancy {
        let moved = words::difference(Kind::Share, o.abs());
        let moved = moved.trim_start_matches('+');
        text.push_str(&match o {
            o if o > 0.0005 => format!(", so acute occupancy rises by {moved} (median)"),
            o if o < -0.0005 => format!(", so acute occupancy falls by {moved} (median)"),
            _ => ", so acute occupancy hardly moves".to_string(),
        });
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// reinvest-in-primary-care's figures (20 replications): budget-neutral,
    /// £52,904.63 a year unallocated, cash position positive, total cost up.
    fn total_rise() -> TotalCost {
        TotalCost {
            mean: 5_193_788.82,
            median: 4_331_501.22,
            p05: -777_856.05,
            p95: 10_810_063.71,
            better: 3,
            n: 20,
        }
    }

    const PERIOD: &str = "over the five years 2025/26 to 2029/30";

    #[test]
    fn payback_with_unallocated_money_and_a_cost_rise_says_both() {
        let text = payback_sentence(
            Some("2027/28"),
            Some((20, 20)),
            Some(-52_600.0),
            52_904.63,
            Some(&total_rise()),
            PERIOD,
        );
        assert_eq!(
            text,
            "On the mean, the cumulative net cash position is paid back from 2027/28 on (more cash released than spent); all 20 replications pay back within the window, but only because £52,904.63 a year of the cash released is left unallocated (not spent on anything); yet the total change in cost, activity included, is +£4.33m over the five years 2025/26 to 2029/30 (median; middle 90% −£777,856 to +£10.8m), lower than the baseline's in only 3 of the 20 replications: on the total cost, the scheme is not paid back, it costs more."
        );
    }

    #[test]
    fn payback_with_a_real_saving_names_the_unallocated_money_without_only() {
        let saving = TotalCost {
            median: -2e6,
            better: 18,
            ..total_rise()
        };
        let text = payback_sentence(
            Some("2027/28"),
            Some((18, 20)),
            Some(-500_000.0),
            10_000.0,
            Some(&saving),
            PERIOD,
        );
        assert!(text.contains(", £10,000.00 a year of it cash released but left unallocated"));
        assert!(!text.contains("only because"));
        assert!(text.contains("; and the total change in cost, activity included, is −£2.00m"));
        assert!(text.contains("lower than the baseline's in 18 of the 20"));
        assert!(!text.contains("not paid back"));
    }

    #[test]
    fn not_paid_back_still_gives_the_total() {
        let text = payback_sentence(
            None,
            Some((0, 20)),
            Some(1e5),
            0.0,
            Some(&total_rise()),
            PERIOD,
        );
        assert!(text.starts_with(
            "On the mean, the cumulative net cash position is not paid back over the five years"
        ));
        assert!(text.contains("none of the 20 replications pays back"));
        assert!(text.contains("; and the total change in cost, activity included, is +£4.33m"));
        assert!(!text.contains("unallocated"));
    }

    #[test]
    fn cost_per_admission_names_the_levers_money_and_the_total() {
        let text = per_admission_sentence(
            12_048_416.56,
            559.5,
            21_532.33,
            Some(-247.71),
            52_904.63,
            Some(&total_rise()),
            PERIOD,
        );
        assert_eq!(
            text,
            "What is bought (£12.0m over the five years 2025/26 to 2029/30) costs £21,532 per emergency admission avoided (560 avoided); net of the cash released by the beds closed, −£248 per admission avoided (the levers' money only, below zero because money released is left unallocated); the change in total cost, activity included, is +£9,283 per admission avoided (the mean change in total cost ÷ admissions avoided)."
        );
    }

    #[test]
    fn beds_closed_against_bed_days_avoided() {
        let text = beds_sentence(
            28.0,
            "in 2029/30, the first whole year with every change at full effect",
            (-9_117.27, -10_223.52, -7_920.20),
            Some(0.00633),
        );
        assert_eq!(
            text,
            "It closes 28 adult beds; in 2029/30, the first whole year with every change at full effect, the acute bed-days it avoids are worth about 25 beds (9,117 bed-days ÷ 365.25 days, the median; middle 90% 22 to 28 beds), so acute occupancy rises by 0.6 points (median)."
        );
        let more = beds_sentence(10.0, "in 2029/30", (400.0, 100.0, 700.0), Some(-0.01));
        assert_eq!(
            more,
            "It closes 10 adult beds; in 2029/30, it avoids no acute bed-days: they rise by 400 (the median), about 1 beds' worth (÷ 365.25 days), so acute occupancy falls by 1.0 points (median)."
        );
    }

    #[test]
    fn unallocated_and_closed_beds_add_up_from_the_budget_rows() {
        let row = |item: &str, units: f64, gbp: f64| BudgetRow {
            lever: "day_unit_money".into(),
            icc: "all".into(),
            item: item.into(),
            units,
            unit: String::new(),
            gbp_per_year: gbp,
            price_year: "2023/24".into(),
        };
        let budget = vec![
            row("community_day_unit", 2.0, 400_000.0),
            row("community_day_unit_unallocated", 0.0, 38_995.03),
            row("community_day_unit_unallocated", 0.0, 13_909.60),
            row("adult_beds_closed_cumberland_infirmary", 3.0, 426_452.31),
            row("adult_beds_closed_west_cumberland", 3.0, 426_452.31),
        ];
        assert!((unallocated_per_year(&budget) - 52_904.63).abs() < 1e-6);
        assert_eq!(beds_closed(&budget), 6.0);
    }
}
