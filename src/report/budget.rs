//! The budget statement of reinvestment levers: `budget.csv` and the
//! lines printed after a run. Money is held in whole pence, so the money
//! moved from acute care and what it buys (plus what is left over from
//! buying whole beds and places) balance exactly.

use crate::model::system::{BudgetLine, SystemLayout};

use super::csv_safe::neutralise;

/// Pence as pounds with two decimals ("-12.05").
pub fn pounds(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let p = pence.unsigned_abs();
    format!("{sign}{}.{:02}", p / 100, p % 100)
}

/// Pence as whole pounds with thousands separators ("£1,234,568").
fn pounds_rounded(pence: i64) -> String {
    let whole = (pence as f64 / 100.0).round() as i64;
    format!(
        "{}£{}",
        if whole < 0 { "-" } else { "" },
        super::tables::thousands(whole.unsigned_abs())
    )
}

fn icc_name(layout: &SystemLayout, line: &BudgetLine) -> String {
    line.icc
        .map_or("all".to_string(), |i| layout.iccs[i].clone())
}

/// `budget.csv`: one row per line of the statement, £ a year at full
/// effect, at the scenario's price year.
pub fn budget_csv(scenario: &str, layout: &SystemLayout) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record([
        "scenario",
        "lever",
        "icc",
        "item",
        "units",
        "unit",
        "gbp_per_unit_per_year",
        "gbp_per_year",
        "price_year",
    ]);
    let scenario = neutralise(scenario);
    for line in &layout.budget {
        let _ = writer.write_record([
            &*scenario,
            &neutralise(&line.lever),
            &neutralise(&icc_name(layout, line)),
            &neutralise(&line.item),
            &format!("{}", line.units),
            &neutralise(&line.unit),
            &pounds(line.pence_per_unit),
            &pounds(line.pence),
            &neutralise(&layout.price_year),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

/// A few lines per reinvestment lever, in words, for the terminal.
pub fn budget_table(layout: &SystemLayout) -> String {
    let mut out = String::new();
    let mut levers: Vec<&str> = layout.budget.iter().map(|l| l.lever.as_str()).collect();
    levers.dedup();
    for lever in levers {
        let lines: Vec<&BudgetLine> = layout.budget.iter().filter(|l| l.lever == lever).collect();
        let moved: i64 = lines
            .iter()
            .filter(|l| l.item == "moved_from_acute")
            .map(|l| l.pence)
            .sum();
        out.push_str(&format!(
            "Reinvestment `{lever}`: {} a year moved from acute care ({} prices), at full effect:\n",
            pounds_rounded(moved),
            layout.price_year
        ));
        let mut kinds: Vec<(&str, &str, f64, i64)> = Vec::new();
        for line in lines.iter().filter(|l| l.icc.is_some()) {
            match kinds.iter_mut().find(|k| k.0 == line.item) {
                Some(k) => {
                    k.2 += line.units;
                    k.3 += line.pence;
                }
                None => kinds.push((&line.item, &line.unit, line.units, line.pence)),
            }
        }
        for (item, unit, units, pence) in kinds {
            if unit == "£" {
                out.push_str(&format!("  {item:<40} {:>14}\n", pounds_rounded(pence)));
            } else {
                out.push_str(&format!(
                    "  {item:<40} {:>14}  ({units:.1} {unit})\n",
                    pounds_rounded(pence)
                ));
            }
        }
        for line in lines
            .iter()
            .filter(|l| l.item.starts_with("adult_beds_closed_"))
        {
            out.push_str(&format!(
                "  {:<40} {:>4} beds, releasing about {} a year at the excess bed-day cost\n",
                line.item,
                line.units,
                pounds_rounded(line.pence)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pence_print_as_pounds_exactly() {
        assert_eq!(pounds(123_456_789), "1234567.89");
        assert_eq!(pounds(-1205), "-12.05");
        assert_eq!(pounds(7), "0.07");
        assert_eq!(pounds_rounded(123_456_789), "£1,234,568");
        assert_eq!(pounds_rounded(99_900), "£999");
    }
}
