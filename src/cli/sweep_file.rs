//! Sweep files (`iccsim sweep --design FILE`): a Latin hypercube over
//! ranges of scenario values, written in TOML; and when two swept keys
//! collide ([`overlap`]), for the ranges here and `--sweep` alike.
//!
//! ```toml
//! method = "latin-hypercube"
//! points = 20            # how many scenarios
//! seed = 1               # the design's own seed (default: the run's)
//!
//! [[ranges]]
//! key = "sites.cumberland_infirmary.adult_beds"
//! min = 380              # whole numbers in min and max: whole-number values
//! max = 440
//!
//! [[ranges]]
//! key = 'age_bands."85+".crisis_per_1000'
//! min = 500.0
//! max = 650.0
//! ```

use serde::Deserialize;

use iccsim::experiment::design::Range;

/// A validated sweep file.
#[derive(Debug)]
pub struct SweepFile {
    pub points: usize,
    pub seed: Option<u64>,
    pub ranges: Vec<Range>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSweepFile {
    method: String,
    points: i64,
    seed: Option<u64>,
    #[serde(default)]
    ranges: Vec<RawRange>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    key: String,
    min: toml::Value,
    max: toml::Value,
}

/// How two swept keys collide: the later setting of a point would change
/// what the earlier set, and the earlier's column would label values that
/// did not run.
#[derive(Debug, PartialEq, Eq)]
pub enum Overlap {
    /// The same value, however each is spelt (`a.b`, `"a".b`, `a . b`).
    Same,
    /// One lies inside the other (`a` and `a.b`).
    Inside,
}

/// Whether, and how, two swept keys collide. A key that does not parse is
/// compared as text (its point is refused when it loads).
pub fn overlap(a: &str, b: &str) -> Option<Overlap> {
    use iccsim::scenario::keys::key_parts;
    match (key_parts(a), key_parts(b)) {
        (Ok(a), Ok(b)) if a == b => Some(Overlap::Same),
        (Ok(a), Ok(b)) if a.iter().zip(&b).all(|(x, y)| x == y) => Some(Overlap::Inside),
        (Ok(_), Ok(_)) => None,
        _ => (a.trim() == b.trim()).then_some(Overlap::Same),
    }
}

/// What to say of two colliding keys, `earlier` given first.
pub fn overlap_problem(kind: &Overlap, earlier: &str, later: &str) -> String {
    match kind {
        Overlap::Same if earlier == later => format!("`{later}` is given twice"),
        Overlap::Same => format!("`{later}` is `{earlier}` again, spelt otherwise"),
        Overlap::Inside => format!("`{later}` and `{earlier}` overlap: one sets part of the other"),
    }
}

/// Most points in a design (each is a full set of replications).
pub const MAX_POINTS: i64 = 10_000;

/// Reads a sweep file's text; every problem is reported at once, each
/// naming its key, the bad value and the fix.
pub fn read(text: &str, origin: &str) -> Result<SweepFile, String> {
    let raw: RawSweepFile = toml::from_str(text).map_err(|e| {
        format!(
            "sweep file {origin} is not valid: {}",
            e.to_string().trim_end()
        )
    })?;
    let mut problems = Vec::new();
    if raw.method != "latin-hypercube" {
        problems.push(format!(
            "method = \"{}\": the only method is \"latin-hypercube\" (for a grid, use --sweep KEY=V1,V2,...)",
            raw.method
        ));
    }
    if !(1..=MAX_POINTS).contains(&raw.points) {
        problems.push(format!(
            "points = {}: must be from 1 to {MAX_POINTS}",
            raw.points
        ));
    }
    if raw.ranges.is_empty() {
        problems.push("has no [[ranges]]: give at least one, with key, min and max".into());
    }
    let mut ranges = Vec::new();
    for (i, range) in raw.ranges.iter().enumerate() {
        let at = format!("ranges[{i}] ({})", range.key);
        let number = |value: &toml::Value| match value {
            toml::Value::Integer(v) => Some((*v as f64, true)),
            toml::Value::Float(v) if v.is_finite() => Some((*v, false)),
            _ => None,
        };
        match (number(&range.min), number(&range.max)) {
            (Some((min, whole_min)), Some((max, whole_max))) => {
                if min >= max {
                    problems.push(format!("{at}: min = {min} must be below max = {max}"));
                } else if let Some((earlier, kind)) = ranges
                    .iter()
                    .find_map(|r: &Range| Some((r, overlap(&r.key, &range.key)?)))
                {
                    problems.push(format!(
                        "{at}: {}; give one range for that value",
                        overlap_problem(&kind, &earlier.key, &range.key)
                    ));
                } else {
                    ranges.push(Range {
                        key: range.key.clone(),
                        min,
                        max,
                        whole_number: whole_min && whole_max,
                    });
                }
            }
            _ => problems.push(format!(
                "{at}: min = {} and max = {} must be numbers (write both as whole numbers, e.g. 380, for whole-number values)",
                range.min, range.max
            )),
        }
    }
    if problems.is_empty() {
        Ok(SweepFile {
            points: raw.points as usize,
            seed: raw.seed,
            ranges,
        })
    } else {
        Err(format!(
            "sweep file {origin} has {} problem{}:\n{}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sweep --help`'s example names a sweep file of the repository, and
    /// it is valid, with keys of the built-in default scenario.
    #[test]
    fn the_help_names_a_design_file_that_exists() {
        use clap::CommandFactory;
        let cli = super::super::args::Cli::command();
        let sweep = cli
            .find_subcommand("sweep")
            .and_then(|c| c.get_after_help())
            .map(|h| h.to_string())
            .unwrap_or_default();
        let path = sweep
            .split_whitespace()
            .skip_while(|w| *w != "--design")
            .nth(1)
            .expect("sweep --help has a --design example");
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        let text = std::fs::read_to_string(&full)
            .unwrap_or_else(|e| panic!("{path} (named by sweep --help): {e}"));
        let file = read(&text, path).unwrap();
        assert!(file.points > 1);
        for range in &file.ranges {
            let value = if range.whole_number {
                format!("{}", range.min as i64)
            } else {
                format!("{:?}", range.min)
            };
            let setting = format!("{}={value}", range.key);
            if let Err(e) = super::super::shared::load(None, std::slice::from_ref(&setting)) {
                panic!("{setting}: {}", e.message);
            }
        }
    }

    #[test]
    fn reads_ranges_and_whole_numbers() {
        let file = read(
            "method = \"latin-hypercube\"\npoints = 5\n[[ranges]]\nkey = \"a.b\"\nmin = 1\nmax = 9\n[[ranges]]\nkey = 'c.\"85+\".d'\nmin = 0.5\nmax = 0.7\n",
            "f",
        )
        .unwrap();
        assert_eq!(file.points, 5);
        assert!(file.ranges[0].whole_number);
        assert!(!file.ranges[1].whole_number);
    }

    #[test]
    fn every_problem_at_once() {
        let err = read(
            "method = \"grid\"\npoints = 0\n[[ranges]]\nkey = \"a\"\nmin = 3\nmax = 2\n",
            "f",
        )
        .unwrap_err();
        assert!(err.contains("3 problems"), "{err}");
        assert!(err.contains("only method is \"latin-hypercube\""));
        assert!(err.contains("points = 0"));
        assert!(err.contains("min = 3 must be below max = 2"));
        let err = read(
            "method = \"latin-hypercube\"\npoints = 3\n[[ranges]]\nkey = 'a.\"85+\".b'\nmin = 1\nmax = 2\n[[ranges]]\nkey = \"a . '85+' . b\"\nmin = 1\nmax = 2\n[[ranges]]\nkey = \"a\"\nmin = 1\nmax = 2\n",
            "f",
        )
        .unwrap_err();
        assert!(err.contains("2 problems"), "{err}");
        assert!(
            err.contains(
                "ranges[1] (a . '85+' . b): `a . '85+' . b` is `a.\"85+\".b` again, spelt otherwise; give one range"
            ),
            "{err}"
        );
        assert!(
            err.contains(
                "ranges[2] (a): `a` and `a.\"85+\".b` overlap: one sets part of the other"
            ),
            "{err}"
        );
        let err = read("method = \"latin-hypercube\"\npoints = 3\nrange = 1\n", "f").unwrap_err();
        assert!(err.contains("unknown field `range`"), "{err}");
    }
}
