//! Text cells of CSV files made safe to open in a spreadsheet (CSV, or
//! formula, injection).
//!
//! Reports go to boards and analysts who open the CSV files in Excel or
//! LibreOffice, which read a cell that begins with `=`, `+`, `-` or `@`
//! (some also after a leading tab or carriage return) as a formula: a
//! scenario title such as `=HYPERLINK("http://x","y")` or a source such as
//! `+cmd|' /C calc'!A0` would run when the file is opened. Following OWASP, every text cell that
//! can hold words from a user (scenario names, titles, service, ICC and
//! lever names, sources, descriptions, swept keys and values) goes through
//! [`neutralise`], which puts a single quote before such a cell so that the
//! spreadsheet shows it as text. Numbers are never changed: `-0.5` stays a
//! number for pandas, R and the spreadsheet alike.
//!
//! The files iccsim reads back (the board report reads `summary.csv`,
//! `comparison.csv`, `tornado.csv` ...) undo the quote with [`restore`], so
//! every name comes back exactly as written: a cell that already began with
//! quotes before a formula character gets one more, which makes the two
//! functions exact inverses.

use std::borrow::Cow;

/// The first characters that make a spreadsheet read a cell as a formula
/// (OWASP's list).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a cell, once any leading quotes are set aside, would be read
/// as a formula: it begins with a formula character and is not a plain
/// finite number (`-0.5`, `+3`, `-1e-9` are numbers to every reader).
fn reads_as_formula(rest: &str) -> bool {
    rest.starts_with(FORMULA_STARTS) && !rest.parse::<f64>().is_ok_and(f64::is_finite)
}

/// A text cell made safe for a spreadsheet: a single quote before a cell
/// that would otherwise be read as a formula (`=1+2` is written `'=1+2`),
/// and before one that is already quotes and then such a cell (so that
/// [`restore`] gives back exactly the text). Everything else, numbers
/// included, is returned unchanged.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if reads_as_formula(cell.trim_start_matches('\'')) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The text of a cell written by [`neutralise`]: its added quote taken
/// off. Cells without one (numbers, and files written before the quote
/// was added) are returned unchanged.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if reads_as_formula(rest.trim_start_matches('\'')) => rest,
        _ => cell,
    }
}

/// Reads a text cell written by [`neutralise`], for
/// `#[serde(deserialize_with = "...")]` on the rows iccsim reads back.
pub fn deserialize_text<'de, D>(deserializer: D) -> Result<String, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let cell = <String as serde::Deserialize>::deserialize(deserializer)?;
    Ok(restore(&cell).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_quoted_and_numbers_left_alone() {
        for formula in [
            "=1+2",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(1)",
            "\t=1",
            "\r=1",
            "-",
            "-inf",
            "-NaN",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"));
        }
        for plain in [
            "", "north", "0.5", "-0.5", "+3", "-1e-9", "inf", "a=b", " =1",
        ] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn restore_undoes_neutralise_exactly() {
        for text in [
            "", "'", "''", "=x", "'=x", "''=x", "'plain", "-0.5", "'-0.5", "@", "'@a", "a'=b",
        ] {
            let written = neutralise(text);
            assert!(!reads_as_formula(&written), "{written:?}");
            assert_eq!(restore(&written), text, "{text:?} written {written:?}");
        }
    }
}
