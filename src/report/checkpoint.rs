//! Record files: a batch's replications as they finish, and the final
//! `records.csv` that shards are merged from.
//!
//! Format: a first line `# iccsim records {json header}` (commas inside
//! its strings written `\u002c`, see [`header_line`]), then one line per
//! replication, `replication,value,value,...`, each value in Rust's
//! shortest round-trip form (`NaN` when undefined), so a value read back is
//! the same f64 bit for bit. A checkpoint is appended to and flushed to
//! disk line by line; a last line cut short by a crash is ignored on
//! resume, and cut off before appending.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::experiment::record::Record;

const MAGIC: &str = "# iccsim records ";

/// What a record file holds records of.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsHeader {
    pub iccsim_version: String,
    pub scenario: String,
    /// Where the scenario came from, as given on the command line.
    pub origin: String,
    /// `record::fingerprint` of the network and seed.
    pub fingerprint: String,
    pub seed: u64,
    /// Replications of the whole batch (0 .. replications).
    pub replications: u64,
    /// Numbers in each record.
    pub values: usize,
    /// The precision rule that decides how many replications, if any.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub stopping: String,
    /// `i/n` for shard i of n; empty for a whole batch (or a merge).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub shard: String,
}

impl RecordsHeader {
    /// Whether `other` holds records of the same batch: everything but
    /// where the scenario was read from (a path typed relative on one
    /// machine and absolute on another names the same file; the
    /// fingerprint holds its contents) and which shard.
    pub fn same_batch(&self, other: &RecordsHeader) -> bool {
        let strip = |h: &RecordsHeader| RecordsHeader {
            origin: String::new(),
            shard: String::new(),
            ..h.clone()
        };
        strip(self) == strip(other)
    }

    /// Whether a checkpoint with header `other` can be resumed as this
    /// run: the same batch and the same shard.
    pub fn same_run(&self, other: &RecordsHeader) -> bool {
        self.same_batch(other) && self.shard == other.shard
    }
}

/// A record file that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error("cannot use {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not an iccsim record file: {problem}")]
    Format { path: PathBuf, problem: String },
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> RecordsError + '_ {
    move |source| RecordsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The header line: the header as JSON, with commas inside its strings
/// escaped so that a spreadsheet cannot split a formula out of it.
pub fn header_line(header: &RecordsHeader) -> String {
    // Serialising plain strings and numbers cannot fail.
    format!(
        "{MAGIC}{}\n",
        commas_escaped(&serde_json::to_string(header).unwrap_or_default())
    )
}

/// JSON with every comma inside its strings written `\u002c`, which JSON
/// reads back as the same comma. A spreadsheet opening `records.csv`
/// splits the header line at commas; a comma in the scenario's path
/// (`plans,=HYPERLINK(...)/my.toml`) would otherwise start a cell of its
/// own, read as a formula. Each cell then starts with `#` or with a
/// quoted key.
fn commas_escaped(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if escaped {
            escaped = false;
        } else {
            match c {
                '"' => in_string = !in_string,
                '\\' if in_string => escaped = true,
                ',' if in_string => {
                    out.push_str("\\u002c");
                    continue;
                }
                _ => {}
            }
        }
        out.push(c);
    }
    out
}

/// One record as a line.
pub fn record_line(record: &Record) -> String {
    let mut line = record.replication.to_string();
    for v in &record.values {
        line.push(',');
        line.push_str(&format!("{v}"));
    }
    line.push('\n');
    line
}

/// A whole record file: the header, then the records in replication order.
pub fn records_file(header: &RecordsHeader, records: &[Record]) -> Vec<u8> {
    let mut bytes = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_records_file(&mut bytes, header, records);
    bytes
}

/// A whole record file, streamed.
pub fn write_records_file(
    out: &mut dyn std::io::Write,
    header: &RecordsHeader,
    records: &[Record],
) -> std::io::Result<()> {
    out.write_all(header_line(header).as_bytes())?;
    for record in records {
        out.write_all(record_line(record).as_bytes())?;
    }
    Ok(())
}

fn parse_record(line: &str, values: usize) -> Option<Record> {
    let mut parts = line.split(',');
    let replication = parts.next()?.parse().ok()?;
    let numbers: Vec<f64> = parts.map(|p| p.parse().ok()).collect::<Option<_>>()?;
    (numbers.len() == values).then_some(Record {
        replication,
        values: numbers,
    })
}

/// What a record file holds.
pub struct RecordsRead {
    pub header: RecordsHeader,
    pub records: Vec<Record>,
    /// Bytes up to the end of the last complete record line.
    pub complete_bytes: u64,
    /// A last line cut short (by a crash) was left out.
    pub cut_short: bool,
}

/// Reads a record file (a checkpoint or a finished `records.csv`). A
/// replication outside the batch or given twice makes the file damaged.
pub fn read_records(path: &Path) -> Result<RecordsRead, RecordsError> {
    let file = File::open(path).map_err(io_error(path))?;
    let mut reader = BufReader::new(file);
    let format = |problem: &str| RecordsError::Format {
        path: path.to_path_buf(),
        problem: problem.to_string(),
    };
    let mut first = String::new();
    reader.read_line(&mut first).map_err(io_error(path))?;
    let json = first
        .strip_prefix(MAGIC)
        .filter(|_| first.ends_with('\n'))
        .ok_or_else(|| format("the first line is not an iccsim records header"))?;
    let header: RecordsHeader =
        serde_json::from_str(json.trim_end()).map_err(|e| format(&e.to_string()))?;
    let mut complete_bytes = first.len() as u64;
    let mut records = Vec::new();
    let mut cut_short = false;
    let mut seen = std::collections::HashSet::new();
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(io_error(path))?;
        if n == 0 {
            break;
        }
        match (
            line.ends_with('\n'),
            parse_record(line.trim_end(), header.values),
        ) {
            (true, Some(record)) => {
                if record.replication >= header.replications {
                    return Err(format(&format!(
                        "replication {} is outside the batch's {} replications",
                        record.replication, header.replications
                    )));
                }
                if !seen.insert(record.replication) {
                    return Err(format(&format!(
                        "replication {} is there twice",
                        record.replication
                    )));
                }
                records.push(record);
                complete_bytes += n as u64;
            }
            // A last line cut short by a crash: everything after it is ignored.
            (false, _) => {
                cut_short = true;
                break;
            }
            (true, None) => return Err(format("a record line is damaged")),
        }
    }
    Ok(RecordsRead {
        header,
        records,
        complete_bytes,
        cut_short,
    })
}

/// Appends records to a checkpoint, each flushed to disk before the next.
///
/// The file is locked for as long as the writer lives, so two batches
/// cannot append to one checkpoint. If an append fails part-way (a full
/// disk), the file is cut back to its last complete record and the writer
/// refuses further appends: a later record glued to half a line would
/// damage the checkpoint, where a clean end keeps it resumable.
pub struct CheckpointWriter {
    path: PathBuf,
    file: File,
    /// Bytes up to the end of the last record known to be on disk.
    complete_bytes: u64,
    failed: bool,
}

/// Why a checkpoint could not be opened for writing.
fn lock(path: &Path, file: &File) -> Result<(), RecordsError> {
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => RecordsError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(
                "another iccsim batch is writing to it; wait for it to finish, or choose another --out",
            ),
        },
        std::fs::TryLockError::Error(source) => RecordsError::Io {
            path: path.to_path_buf(),
            source,
        },
    })
}

impl CheckpointWriter {
    /// A new checkpoint with its header.
    pub fn create(path: &Path, header: &RecordsHeader) -> Result<CheckpointWriter, RecordsError> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(io_error(path))?;
        lock(path, &file)?;
        let line = header_line(header);
        file.write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
            .map_err(io_error(path))?;
        // The checkpoint's name must survive a crash along with its contents.
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::report::atomic::sync_folder(folder).map_err(io_error(path))?;
        }
        Ok(CheckpointWriter {
            path: path.to_path_buf(),
            file,
            complete_bytes: line.len() as u64,
            failed: false,
        })
    }

    /// An existing checkpoint, cut back to its last complete record.
    pub fn reopen(path: &Path, complete_bytes: u64) -> Result<CheckpointWriter, RecordsError> {
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io_error(path))?;
        lock(path, &file)?;
        file.set_len(complete_bytes)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(|_| ()))
            .map_err(io_error(path))?;
        Ok(CheckpointWriter {
            path: path.to_path_buf(),
            file,
            complete_bytes,
            failed: false,
        })
    }

    /// Appends one record and waits until it is on disk.
    pub fn append(&mut self, record: &Record) -> Result<(), RecordsError> {
        if self.failed {
            return Err(RecordsError::Io {
                path: self.path.clone(),
                source: std::io::Error::other("an earlier record could not be written"),
            });
        }
        let line = record_line(record);
        match self
            .file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_data())
        {
            Ok(()) => {
                self.complete_bytes += line.len() as u64;
                Ok(())
            }
            Err(source) => {
                self.failed = true;
                // Best effort: resume cuts a partial last line off anyway.
                let _ = self.file.set_len(self.complete_bytes);
                let _ = self.file.seek(SeekFrom::Start(self.complete_bytes));
                Err(RecordsError::Io {
                    path: self.path.clone(),
                    source,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> RecordsHeader {
        RecordsHeader {
            iccsim_version: "test".into(),
            scenario: "s".into(),
            origin: "s.toml".into(),
            fingerprint: "0123".into(),
            seed: 7,
            replications: 3,
            values: 3,
            stopping: String::new(),
            shard: String::new(),
        }
    }

    #[test]
    fn values_come_back_bit_for_bit_and_a_cut_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records");
        let records = vec![
            Record {
                replication: 0,
                values: vec![0.1 + 0.2, f64::NAN, 1e-300],
            },
            Record {
                replication: 2,
                values: vec![-0.0, 123_456_789.123_456_78, f64::INFINITY],
            },
        ];
        let mut writer = CheckpointWriter::create(&path, &header()).unwrap();
        for r in &records {
            writer.append(r).unwrap();
        }
        // A crash in the middle of the next line.
        drop(writer);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"1,0.5,0.2").unwrap();
        let read = read_records(&path).unwrap();
        assert_eq!(read.header, header());
        assert!(read.cut_short);
        assert_eq!(read.records.len(), 2);
        for (a, b) in read.records.iter().zip(&records) {
            assert_eq!(a.replication, b.replication);
            // NaN's payload may differ; compare NaN-ness, then bits.
            for (x, y) in a.values.iter().zip(&b.values) {
                assert!(
                    x.is_nan() && y.is_nan() || x.to_bits() == y.to_bits(),
                    "{x} {y}"
                );
            }
        }
        // Reopening cuts the partial line off before appending.
        let mut writer = CheckpointWriter::reopen(&path, read.complete_bytes).unwrap();
        writer
            .append(&Record {
                replication: 1,
                values: vec![1.0, 2.0, 3.0],
            })
            .unwrap();
        let again = read_records(&path).unwrap();
        assert!(!again.cut_short);
        assert_eq!(again.records.len(), 3);
        assert_eq!(again.records[2].values, vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn a_checkpoint_has_one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.partial");
        let writer = CheckpointWriter::create(&path, &header()).unwrap();
        let complete = read_records(&path).unwrap().complete_bytes;
        let err = CheckpointWriter::reopen(&path, complete)
            .err()
            .expect("a second writer is refused");
        assert!(
            err.to_string()
                .contains("another iccsim batch is writing to it"),
            "{err}"
        );
        // And a new checkpoint never replaces an existing one.
        assert!(CheckpointWriter::create(&path, &header()).is_err());
        drop(writer);
        assert!(CheckpointWriter::reopen(&path, complete).is_ok());
    }

    #[test]
    fn commas_in_the_header_text_come_back_and_split_no_cell() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records");
        let header = RecordsHeader {
            origin: "a,=HYPERLINK(\"x\",\"y\"),\\,b.toml".into(),
            stopping: "-2+3, @SUM(1)".into(),
            ..header()
        };
        let line = header_line(&header);
        for cell in line.split(',').skip(1) {
            assert!(cell.starts_with('"'), "{cell:?} in {line}");
        }
        drop(CheckpointWriter::create(&path, &header).unwrap());
        assert_eq!(read_records(&path).unwrap().header, header);
    }

    #[test]
    fn a_file_that_is_not_records_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, "scenario,replication\n").unwrap();
        assert!(matches!(
            read_records(&path),
            Err(RecordsError::Format { .. })
        ));
    }
}
