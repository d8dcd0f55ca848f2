//! Reading the CSV tables of a system's data folder: each table's columns
//! checked against the ones its format names, every cell read as text or
//! a number, and every problem located (file, line, column, value) with
//! its fix. Nothing here knows what the tables mean.

use std::fmt;
use std::path::Path;

use crate::scenario::error::did_you_mean;

/// Tables are small: a folder of them is read whole, but a file larger
/// than this is not a table of this format.
const MAX_TABLE_BYTES: u64 = 8 * 1024 * 1024;

/// One problem in the data folder: where it is and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The file, relative to the data folder (`sites.csv`).
    pub file: String,
    /// The line of the file (1 is the header), if the problem has one.
    pub line: Option<u64>,
    /// The column, if the problem is in one.
    pub column: Option<String>,
    /// The value found, if any.
    pub value: Option<String>,
    /// What is wrong and how to fix it.
    pub problem: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column `{column}`")?;
        }
        if let Some(value) = &self.value {
            write!(f, ": {value:?}")?;
        }
        write!(f, ": {}", self.problem)
    }
}

impl Problem {
    pub fn in_file(file: &str, problem: impl Into<String>) -> Problem {
        Problem {
            file: file.to_string(),
            line: None,
            column: None,
            value: None,
            problem: problem.into(),
        }
    }
}

/// One row of a table, with the line it starts on.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    fields: Vec<String>,
}

/// A table read from a CSV file with a header.
#[derive(Debug, Clone)]
pub struct Table {
    pub file: String,
    headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// Reads `file` in `folder`: `None` if it does not exist (the caller
    /// says whether it must), the problems if it cannot be read or lacks a
    /// `required` column or has a column neither required nor `optional`.
    pub fn read(
        folder: &Path,
        file: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Option<Table>, Vec<Problem>> {
        let path = folder.join(file);
        if !path.exists() {
            return Ok(None);
        }
        let text = crate::scenario::read_capped(&path, MAX_TABLE_BYTES, || {
            format!(
                "it is larger than {MAX_TABLE_BYTES} bytes, too large for a table of this format"
            )
        })
        .map_err(|e| {
            vec![Problem::in_file(
                file,
                format!("cannot be read ({e}); check the file"),
            )]
        })?;
        Self::from_text(file, &text, required, optional).map(Some)
    }

    /// Reads a table from its text (`file` names it in problems).
    pub fn from_text(
        file: &str,
        text: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Result<Table, Vec<Problem>> {
        // A spreadsheet's byte-order mark would stick to the first header.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_string).collect(),
            Err(e) => {
                return Err(vec![Problem::in_file(
                    file,
                    format!(
                        "its header cannot be read ({e}); the first line must name the columns, e.g. {}",
                        required.join(",")
                    ),
                )]);
            }
        };
        let mut problems = Vec::new();
        for column in required {
            if !headers.iter().any(|h| h == column) {
                problems.push(Problem {
                    file: file.to_string(),
                    line: Some(1),
                    column: Some(column.to_string()),
                    value: None,
                    problem: format!(
                        "the column is missing; the header must name {} (found: {})",
                        required.join(", "),
                        headers.join(", ")
                    ),
                });
            }
        }
        let known: Vec<&str> = required.iter().chain(optional).copied().collect();
        for header in &headers {
            if !known.contains(&header.as_str()) {
                problems.push(Problem {
                    file: file.to_string(),
                    line: Some(1),
                    column: Some(header.clone()),
                    value: None,
                    problem: format!(
                        "is not a column of this table{}; its columns are {}",
                        did_you_mean(header, known.iter().copied()),
                        known.join(", ")
                    ),
                });
            }
        }
        let breaks: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            match record {
                Ok(record) => {
                    let line = record
                        .position()
                        .map_or(0, |p| line_at(text, &breaks, p.byte()));
                    let fields: Vec<String> = record.iter().map(str::to_string).collect();
                    if fields.iter().all(String::is_empty) {
                        continue;
                    }
                    rows.push(Row { line, fields });
                }
                Err(e) => {
                    let line = e.position().map(|p| line_at(text, &breaks, p.byte()));
                    problems.push(Problem {
                        file: file.to_string(),
                        line,
                        column: None,
                        value: None,
                        problem: format!(
                            "cannot be read as CSV ({e}); every row must have the header's {} columns, with commas inside a value quoted (\"a, b\")",
                            headers.len()
                        ),
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(Table {
                file: file.to_string(),
                headers,
                rows,
            })
        } else {
            Err(problems)
        }
    }

    /// Whether the table has the column.
    pub fn has(&self, column: &str) -> bool {
        self.headers.iter().any(|h| h == column)
    }

    /// The row's text in `column` ("" if the table has no such column).
    pub fn text<'a>(&self, row: &'a Row, column: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == column)
            .and_then(|i| row.fields.get(i))
            .map_or("", String::as_str)
    }

    /// A problem located at the row's cell.
    pub fn problem(&self, row: &Row, column: &str, problem: impl Into<String>) -> Problem {
        let value = self.text(row, column);
        Problem {
            file: self.file.clone(),
            line: Some(row.line),
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            problem: problem.into(),
        }
    }

    /// The row's `column` names none of `choices` (a key or measure this
    /// table knows): the problem, with did-you-mean and the choices.
    pub fn not_one_of(&self, row: &Row, column: &str, choices: &[&str]) -> Problem {
        let value = self.text(row, column);
        self.problem(
            row,
            column,
            format!(
                "is not a {column} of {}{}; use one of {}",
                self.file,
                did_you_mean(value, choices.iter().copied()),
                choices.join(", ")
            ),
        )
    }

    /// The row's cell as text that must not be empty.
    pub fn required_text(
        &self,
        row: &Row,
        column: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<String> {
        let text = self.text(row, column);
        if text.is_empty() {
            problems.push(self.problem(row, column, format!("is empty; give the row's {column}")));
            None
        } else {
            Some(text.to_string())
        }
    }

    /// The row's cell as a finite number: `None` (and a problem) if it is
    /// not one, `Some(None)` if it is empty.
    pub fn number(
        &self,
        row: &Row,
        column: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<Option<f64>> {
        let text = self.text(row, column);
        if text.is_empty() {
            return Some(None);
        }
        // Thousands separators are common in published tables.
        let cleaned: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
        match cleaned.parse::<f64>() {
            Ok(x) if x.is_finite() => Some(Some(x)),
            _ => {
                problems.push(self.problem(
                    row,
                    column,
                    "is not a number; write a plain number such as 405 or 0.875 (a decimal point, no units or % sign)",
                ));
                None
            }
        }
    }

    /// The row's cell as a number that must be given and be at least 0.
    pub fn non_negative(
        &self,
        row: &Row,
        column: &str,
        problems: &mut Vec<Problem>,
    ) -> Option<f64> {
        match self.number(row, column, problems)? {
            None => {
                problems.push(self.problem(
                    row,
                    column,
                    format!("is empty; give the row's {column} (a number)"),
                ));
                None
            }
            Some(x) if x < 0.0 => {
                problems.push(self.problem(
                    row,
                    column,
                    "is negative; give a number of at least 0",
                ));
                None
            }
            Some(x) => Some(x),
        }
    }

    /// The row's source (tags P/D/X/A/U), or a note that it has none.
    pub fn source(&self, row: &Row) -> String {
        let source = self.text(row, "source");
        if source.is_empty() {
            format!("{} line {}: no source given", self.file, row.line)
        } else {
            source.to_string()
        }
    }
}

/// The line (1 first) of the record that starts at `byte`. The reader's
/// own line count is one short after a Windows line break ("\r\n" counts
/// as a break at the "\r", and the record then starts at the "\n"), so
/// the line is counted here from the text.
fn line_at(text: &str, breaks: &[usize], byte: u64) -> u64 {
    let mut start = byte as usize;
    let bytes = text.as_bytes();
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    breaks.partition_point(|&b| b < start) as u64 + 1
}

/// A name found in one table that another does not know: the problem,
/// with the known names and a did-you-mean.
pub fn unknown_name(
    table: &Table,
    row: &Row,
    column: &str,
    what: &str,
    defined_in: &str,
    known: &[String],
) -> Problem {
    let value = table.text(row, column);
    let article = if what.starts_with(['a', 'e', 'i', 'o', 'u', 'I']) {
        "an"
    } else {
        "a"
    };
    let listed = if known.len() <= 12 {
        known.join(", ")
    } else {
        format!("{}, ... ({} in all)", known[..12].join(", "), known.len())
    };
    table.problem(
        row,
        column,
        format!(
            "is not {article} {what} of {defined_in}{}; the {what}s are {listed}: correct the name, or add it to {defined_in}",
            did_you_mean(value, known.iter().map(String::as_str))
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_column_is_named_with_the_ones_required() {
        let e = Table::from_text(
            "areas.csv",
            "area,source\na,P\n",
            &["area", "icc"],
            &["source"],
        )
        .unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].column.as_deref(), Some("icc"));
        assert!(e[0].to_string().contains("must name area, icc"), "{}", e[0]);
    }

    #[test]
    fn lines_are_counted_whatever_the_line_breaks() {
        for text in [
            "a,b\n1,2\n3,x\n",
            "a,b\r\n1,2\r\n3,x\r\n",
            "a,b\r\n1,2\n3,x\n",
            "a,b\n\n1,2\n3,x",
        ] {
            let t = Table::from_text("x.csv", text, &["a", "b"], &[]).unwrap();
            let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
            let blank = text.contains("\n\n");
            assert_eq!(lines, if blank { [3, 4] } else { [2, 3] }, "{text:?}");
        }
    }

    #[test]
    fn numbers_are_read_with_their_line_and_bad_ones_located() {
        let t = Table::from_text("x.csv", "a,b\n1,2.5\n3,many\n", &["a", "b"], &[]).unwrap();
        let mut problems = Vec::new();
        assert_eq!(t.number(&t.rows[0], "b", &mut problems), Some(Some(2.5)));
        assert_eq!(t.number(&t.rows[1], "b", &mut problems), None);
        assert_eq!(problems[0].line, Some(3));
        assert_eq!(
            problems[0].to_string(),
            "x.csv line 3, column `b`: \"many\": is not a number; write a plain number such as 405 or 0.875 (a decimal point, no units or % sign)"
        );
    }
}
