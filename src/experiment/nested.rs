//! The nested design for parameter uncertainty (`--outer N --inner M`):
//! which random streams each replication uses, and the split of a value's
//! variance into "evidence" and "chance".
//!
//! In an ordinary run replication r draws its uncertain values from the
//! streams of (seed, r) and its patients from the streams of (seed, r). In
//! a nested design of N outer draws and M inner replications, replication
//! r = i·M + j (i < N, j < M) draws its uncertain values from the streams
//! of (seed, i) and its patients from those of (seed, j). So the same
//! patients (chance stream j) meet every outer draw i, and every scenario
//! run with the same design (common random numbers); the uncertain values
//! of draw i are those an ordinary run draws in replication i. The records
//! keep r, so resuming, shards and merging work as for any batch: the
//! design travels in the records' header ([`Design::label`]), and a batch
//! of one design never resumes or merges with another.
//!
//! The values of one quantity then fill a table of N rows by M columns,
//! split by [`TwoWay`]: the row effect is the evidence (the uncertain
//! values), the column effect chance (the patients), the residual their
//! interaction.

use super::record::Record;
use crate::stats::two_way::TwoWay;

/// The streams one replication uses: its uncertain values are drawn from
/// the streams of (seed, `parameters`), its patients from those of (seed,
/// `chance`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Streams {
    pub parameters: u64,
    pub chance: u64,
}

/// How replications map to random streams.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Design {
    /// Replication r uses the streams of (seed, r) for everything.
    #[default]
    Plain,
    /// N draws of the uncertain values by M streams of chance.
    Nested(Nested),
}

/// N outer draws of the uncertain values, M inner replications each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nested {
    pub outer: u64,
    pub inner: u64,
}

/// The prefix of a nested design's label in a records header.
const LABEL: &str = "nested";

impl Nested {
    /// Refuses a design that cannot be split (fewer than 2 of either).
    pub fn new(outer: u64, inner: u64) -> Result<Nested, String> {
        if outer < 2 || inner < 2 {
            return Err(format!(
                "--outer {outer} --inner {inner}: the split into evidence and chance needs at least 2 outer draws and 2 inner replications (e.g. --outer 20 --inner 10)"
            ));
        }
        outer
            .checked_mul(inner)
            .filter(|&n| n <= u64::from(u32::MAX))
            .map(|_| Nested { outer, inner })
            .ok_or_else(|| format!("--outer {outer} --inner {inner}: too many replications"))
    }

    /// N · M.
    pub fn replications(&self) -> u64 {
        self.outer * self.inner
    }

    /// (i, j) of replication r = i·M + j.
    pub fn cell(&self, replication: u64) -> (u64, u64) {
        (replication / self.inner, replication % self.inner)
    }

    /// The table of one value's records: row i, column j holds the value
    /// of replication i·M + j. None unless every replication of the design
    /// is in `records` (in any order) with a finite value.
    pub fn table(
        &self,
        records: &[Record],
        value: impl Fn(&Record) -> f64,
    ) -> Option<Vec<Vec<f64>>> {
        let mut table = vec![vec![f64::NAN; self.inner as usize]; self.outer as usize];
        let mut filled = 0;
        for record in records {
            if record.replication >= self.replications() {
                continue;
            }
            let (i, j) = self.cell(record.replication);
            let cell = &mut table[i as usize][j as usize];
            if cell.is_nan() {
                filled += 1;
            }
            *cell = value(record);
        }
        let all_finite = table.iter().flatten().all(|v| v.is_finite());
        (filled == self.replications() && all_finite).then_some(table)
    }

    /// The split of one value of the records (see [`Nested::table`]).
    pub fn split(&self, records: &[Record], value: impl Fn(&Record) -> f64) -> Option<TwoWay> {
        TwoWay::of(&self.table(records, value)?)
    }
}

impl Design {
    /// The streams of replication `replication`.
    pub fn streams(&self, replication: u64) -> Streams {
        match self {
            Design::Plain => Streams {
                parameters: replication,
                chance: replication,
            },
            Design::Nested(nested) => {
                let (i, j) = nested.cell(replication);
                Streams {
                    parameters: i,
                    chance: j,
                }
            }
        }
    }

    /// The nested design, if it is one.
    pub fn nested(&self) -> Option<Nested> {
        match self {
            Design::Plain => None,
            Design::Nested(nested) => Some(*nested),
        }
    }

    /// As written in a records header: empty for a plain design,
    /// `nested outer=N inner=M` for a nested one.
    pub fn label(&self) -> String {
        match self {
            Design::Plain => String::new(),
            Design::Nested(n) => format!("{LABEL} outer={} inner={}", n.outer, n.inner),
        }
    }

    /// Reads [`Design::label`].
    pub fn from_label(label: &str) -> Result<Design, String> {
        if label.is_empty() {
            return Ok(Design::Plain);
        }
        let bad = || format!("design `{label}` is not `{LABEL} outer=N inner=M`");
        let mut words = label.split(' ');
        if words.next() != Some(LABEL) {
            return Err(bad());
        }
        let mut number = |name: &str| {
            words
                .next()
                .and_then(|w| w.strip_prefix(name))
                .and_then(|w| w.strip_prefix('='))
                .and_then(|w| w.parse::<u64>().ok())
                .ok_or_else(bad)
        };
        let (outer, inner) = (number("outer")?, number("inner")?);
        if words.next().is_some() {
            return Err(bad());
        }
        Nested::new(outer, inner).map(Design::Nested)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_design_uses_the_replications_own_streams() {
        for r in [0, 1, 17] {
            assert_eq!(
                Design::Plain.streams(r),
                Streams {
                    parameters: r,
                    chance: r
                }
            );
        }
        assert_eq!(Design::Plain.label(), "");
        assert_eq!(Design::from_label(""), Ok(Design::Plain));
    }

    #[test]
    fn replication_i_m_plus_j_draws_values_from_i_and_patients_from_j() {
        let design = Design::Nested(Nested::new(3, 4).unwrap());
        assert_eq!(
            design.streams(0),
            Streams {
                parameters: 0,
                chance: 0
            }
        );
        assert_eq!(
            design.streams(6),
            Streams {
                parameters: 1,
                chance: 2
            }
        );
        assert_eq!(
            design.streams(11),
            Streams {
                parameters: 2,
                chance: 3
            }
        );
        assert_eq!(design.label(), "nested outer=3 inner=4");
        assert_eq!(Design::from_label(&design.label()), Ok(design));
    }

    #[test]
    fn bad_designs_and_labels_are_refused() {
        assert!(Nested::new(1, 10).unwrap_err().contains("at least 2 outer"));
        assert!(Nested::new(10, 1).is_err());
        assert!(Nested::new(u64::MAX, 3).is_err());
        for label in [
            "nested",
            "nested outer=3",
            "nested inner=3 outer=3",
            "grid 3x3",
            "nested outer=3 inner=4 x",
        ] {
            assert!(Design::from_label(label).is_err(), "{label}");
        }
    }

    #[test]
    fn the_table_needs_every_replication() {
        let nested = Nested::new(2, 2).unwrap();
        let record = |replication, v| Record {
            replication,
            values: vec![v],
        };
        let records = vec![record(3, 4.0), record(0, 1.0), record(2, 3.0)];
        assert!(nested.table(&records, |r| r.values[0]).is_none());
        let mut records = records;
        records.push(record(1, 2.0));
        assert_eq!(
            nested.table(&records, |r| r.values[0]),
            Some(vec![vec![1.0, 2.0], vec![3.0, 4.0]])
        );
    }
}
