//! Record files: a batch's replications as they finish, and the final
//! `records.csv` that shards are merged from.
//!
//! Format: a first line `# iccsim records {json header} CRC` (commas
//! inside its strings written `\u002c`, see [`header_line`]), then one line
//! per replication, `replication,value,value,...,CRC`, each value in Rust's
//! shortest round-trip form (`NaN` when undefined), so a value read back is
//! the same f64 bit for bit. Each CRC is a CRC-32 in eight hex digits: the
//! header's of its JSON, a record's of the header's JSON followed by the
//! line before the CRC, so a line is valid only under the header it was
//! written with. A value or a header changed by hand, or a line moved in
//! from another file, is refused with its line number, not summarised.
//!
//! Only what the writer writes is read back: each number in exactly the
//! form the writer gives it, and no infinity (records hold finite numbers,
//! or NaN for a value that is undefined; a writer asked for an infinity
//! refuses). A checkpoint is appended to and flushed to disk line by line;
//! a last line cut short by a crash (it has no newline) is ignored on
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
    /// How replications map to random streams: empty for an ordinary
    /// batch, `nested outer=N inner=M` for a nested design
    /// (`experiment::nested::Design::label`); batches of different designs
    /// never resume or merge into one another.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub design: String,
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
    /// A complete line that is not as iccsim wrote it.
    #[error("{path}, line {line}: {problem}. {fix}")]
    Damaged {
        path: PathBuf,
        /// From 1; the header is line 1.
        line: u64,
        problem: String,
        fix: String,
    },
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> RecordsError + '_ {
    move |source| RecordsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Eight hex digits, as checksums are written.
fn hex(crc: u32) -> String {
    format!("{crc:08x}")
}

/// The checksum of a record line's text (without its own checksum),
/// continuing from the header's: the CRC-32 of the header's JSON followed
/// by the line.
fn line_checksum(header_crc: u32, text: &str) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(header_crc);
    hasher.update(text.as_bytes());
    hasher.finalize()
}

/// The header's JSON as written (commas escaped) and its checksum.
fn header_json(header: &RecordsHeader) -> (String, u32) {
    // Serialising plain strings and numbers cannot fail.
    let json = commas_escaped(&serde_json::to_string(header).unwrap_or_default());
    let crc = crc32fast::hash(json.as_bytes());
    (json, crc)
}

/// The header line: the header as JSON, with commas inside its strings
/// escaped so that a spreadsheet cannot split a formula out of it, then
/// its checksum after a space (so the last cell still starts with a
/// quoted key).
pub fn header_line(header: &RecordsHeader) -> String {
    let (json, crc) = header_json(header);
    format!("{MAGIC}{json} {}\n", hex(crc))
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

/// One record as a line, checksummed under the header whose checksum is
/// `header_crc`. An infinite value is refused: no metric has one, so it
/// would be a fault, and the reader refuses it (a hand-typed `inf` must
/// not pass for a result).
fn record_line(header_crc: u32, record: &Record) -> std::io::Result<String> {
    let mut line = record.replication.to_string();
    for (k, v) in record.values.iter().enumerate() {
        if v.is_infinite() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "replication {}: value {} of the record is {v}; records hold finite numbers, or NaN where a value is undefined (this is a fault in iccsim: please report it with the scenario)",
                    record.replication,
                    k + 1
                ),
            ));
        }
        line.push(',');
        line.push_str(&format!("{v}"));
    }
    let crc = line_checksum(header_crc, &line);
    line.push(',');
    line.push_str(&hex(crc));
    line.push('\n');
    Ok(line)
}

/// A whole record file, streamed: the header, then the records in the
/// order given (replication order, for files that must be the same bytes
/// however the batch ran).
pub fn write_records_file(
    out: &mut dyn std::io::Write,
    header: &RecordsHeader,
    records: &[Record],
) -> std::io::Result<()> {
    let (_, header_crc) = header_json(header);
    out.write_all(header_line(header).as_bytes())?;
    for record in records {
        out.write_all(record_line(header_crc, record)?.as_bytes())?;
    }
    Ok(())
}

/// The text of a number exactly as [`record_line`] writes it, or `None`:
/// `f64`'s parser also takes `inf`, `nan`, `+1`, `1e5` and `1.50`, which
/// the writer never writes, so anything it would not have written is
/// refused rather than trusted.
fn written_number(text: &str) -> Option<f64> {
    let v: f64 = text.parse().ok()?;
    (!v.is_infinite() && format!("{v}") == text).then_some(v)
}

/// Parses a complete record line (without its newline); the problem, as a
/// sentence, if it is not one iccsim wrote under this header.
fn parse_record(line: &str, header_crc: u32, values: usize) -> Result<Record, String> {
    let Some((text, crc)) = line.rsplit_once(',') else {
        return Err("it is not a record (no checksum at its end)".into());
    };
    if crc != hex(line_checksum(header_crc, text)) {
        return Err(format!(
            "it fails its checksum ({crc:?} is not that of the line): it was changed after iccsim wrote it, or comes from another record file"
        ));
    }
    // The checksum matched, so what follows can only fail for a line
    // written by another iccsim build, or forged with its checksum.
    let mut parts = text.split(',');
    let first = parts.next().unwrap_or_default();
    let replication: u64 = first
        .parse()
        .ok()
        .filter(|r: &u64| r.to_string() == first)
        .ok_or_else(|| format!("the replication number {first:?} is not a whole number"))?;
    let mut numbers = Vec::with_capacity(values);
    for (k, part) in parts.enumerate() {
        numbers.push(written_number(part).ok_or_else(|| {
            format!(
                "value {} ({part:?}) is not a number as iccsim writes one (a finite number, or NaN)",
                k + 1
            )
        })?);
    }
    if numbers.len() != values {
        return Err(format!(
            "it has {} values where the header says {values}",
            numbers.len()
        ));
    }
    Ok(Record {
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

/// Reads a header line (with its newline): the header and its checksum,
/// or the problem.
fn parse_header(first: &str) -> Result<(RecordsHeader, u32), String> {
    let not_records = || "the first line is not an iccsim records header".to_string();
    let body = first
        .strip_prefix(MAGIC)
        .and_then(|rest| rest.strip_suffix('\n'))
        .ok_or_else(not_records)?;
    let (json, crc) = match body.rsplit_once(' ') {
        Some((json, crc)) if crc.len() == 8 && crc.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (json, crc)
        }
        _ => {
            return Err(
                "the header has no checksum at its end: it was written by an iccsim from before record checksums, or changed by hand"
                    .into(),
            );
        }
    };
    let expected = crc32fast::hash(json.as_bytes());
    if crc != hex(expected) {
        return Err(format!(
            "the header fails its checksum ({crc:?} is not that of the header): it was changed after iccsim wrote it"
        ));
    }
    let header = serde_json::from_str(json).map_err(|e| e.to_string())?;
    Ok((header, expected))
}

/// Reads a record file (a checkpoint or a finished `records.csv`). The
/// header and every complete line must pass their checksums; a
/// replication outside the batch or given twice makes the file damaged.
pub fn read_records(path: &Path) -> Result<RecordsRead, RecordsError> {
    // A pipe would block the open, a device never end: record files are
    // regular files (checked again on the opened file).
    let regular = |meta: std::io::Result<std::fs::Metadata>| {
        match meta {
        Ok(meta) if !meta.is_file() => Err(RecordsError::Format {
            path: path.to_path_buf(),
            problem: "it is not a regular file (a pipe, a device or a folder); give the records.csv iccsim wrote".into(),
        }),
        Ok(_) => Ok(()),
        Err(e) => Err(io_error(path)(e)),
    }
    };
    regular(std::fs::metadata(path))?;
    let file = File::open(path).map_err(io_error(path))?;
    regular(file.metadata())?;
    let mut reader = BufReader::new(file);
    // `batch --compress` writes records.csv.gz: read as it is.
    if reader
        .fill_buf()
        .map_err(io_error(path))?
        .starts_with(&GZIP_MAGIC)
    {
        return read_from(
            BufReader::new(flate2::bufread::GzDecoder::new(reader)),
            path,
        );
    }
    read_from(reader, path)
}

/// The first bytes of a gzip file.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The records file of a batch's folder: `records.csv`, or the
/// `records.csv.gz` of `batch --compress` when only that is there.
pub fn records_file(folder: &Path) -> std::path::PathBuf {
    let plain = folder.join("records.csv");
    let compressed = folder.join("records.csv.gz");
    if !plain.exists() && compressed.exists() {
        compressed
    } else {
        plain
    }
}

/// Longest header line read.
const MAX_HEADER_BYTES: u64 = 1 << 20;
/// Longest a number (with its comma) may be written in a record line,
/// with room to spare: numbers are written in full decimal (`f64::MAX` has
/// 309 digits, `-1e-300` 303 characters before its 17 significant digits).
const MAX_NUMBER_BYTES: u64 = 400;

/// [`read_records`] of what `reader` gives, read from `path`.
fn read_from(mut reader: impl BufRead, path: &Path) -> Result<RecordsRead, RecordsError> {
    let damaged = |line: u64, problem: String| RecordsError::Damaged {
        path: path.to_path_buf(),
        line,
        problem,
        fix: if line == 1 {
            "None of its records can be trusted: remove the file and run the batch (or shard) again"
                .into()
        } else {
            // A checkpoint is a working file: without the line, --resume
            // runs that replication again. A finished file is output, made
            // again rather than edited.
            "Its replication must run again: in a checkpoint (records.partial), delete that line and finish the batch with its own scenario and options and --resume; a finished records.csv cannot be mended: run its batch (or shard) again into a new --out folder".into()
        },
    };
    let mut bytes = Vec::new();
    // No line is read without bound: a header is a few hundred bytes, a
    // record at most MAX_NUMBER_BYTES per value.
    std::io::Read::take(&mut reader, MAX_HEADER_BYTES)
        .read_until(b'\n', &mut bytes)
        .map_err(io_error(path))?;
    let first = String::from_utf8_lossy(&bytes).into_owned();
    let (header, header_crc) = match parse_header(&first) {
        Ok(parsed) => parsed,
        // Not a record file at all, or one that was.
        Err(problem) if first.starts_with(MAGIC) && first.ends_with('\n') => {
            return Err(damaged(1, problem));
        }
        Err(problem) => {
            return Err(RecordsError::Format {
                path: path.to_path_buf(),
                problem,
            });
        }
    };
    let mut complete_bytes = first.len() as u64;
    let mut records = Vec::new();
    let mut cut_short = false;
    let mut seen = std::collections::HashSet::new();
    let mut number = 1;
    let longest = (header.values as u64 + 4) * MAX_NUMBER_BYTES;
    loop {
        bytes.clear();
        let n = std::io::Read::take(&mut reader, longest + 1)
            .read_until(b'\n', &mut bytes)
            .map_err(io_error(path))?;
        if n == 0 {
            break;
        }
        number += 1;
        if n as u64 > longest {
            return Err(damaged(
                number,
                format!(
                    "it is longer than any record of {} values can be",
                    header.values
                ),
            ));
        }
        // A last line cut short by a crash: everything after it is ignored
        // (there is nothing after it: only the last line lacks a newline).
        let Some(complete) = bytes.strip_suffix(b"\n") else {
            cut_short = true;
            break;
        };
        let complete =
            std::str::from_utf8(complete).map_err(|_| damaged(number, "it is not text".into()))?;
        let record =
            parse_record(complete, header_crc, header.values).map_err(|p| damaged(number, p))?;
        if record.replication >= header.replications {
            return Err(damaged(
                number,
                format!(
                    "replication {} is outside the batch's {} replications",
                    record.replication, header.replications
                ),
            ));
        }
        if !seen.insert(record.replication) {
            return Err(damaged(
                number,
                format!("replication {} is there twice", record.replication),
            ));
        }
        records.push(record);
        complete_bytes += n as u64;
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
    /// The header's checksum, which every line's continues.
    header_crc: u32,
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
        if let Err(source) = file
            .write_all(line.as_bytes())
            .and_then(|()| file.sync_data())
        {
            // A checkpoint without its whole header holds nothing and
            // could not be resumed: it is ours (create_new), so it goes.
            drop(file);
            let _ = std::fs::remove_file(path);
            return Err(io_error(path)(source));
        }
        // The checkpoint's name must survive a crash along with its contents.
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            crate::report::atomic::sync_folder(folder).map_err(io_error(path))?;
        }
        Ok(CheckpointWriter {
            path: path.to_path_buf(),
            file,
            header_crc: header_json(header).1,
            complete_bytes: line.len() as u64,
            failed: false,
        })
    }

    /// An existing checkpoint (read with [`read_records`] first), cut
    /// back to its last complete record.
    pub fn reopen(path: &Path, complete_bytes: u64) -> Result<CheckpointWriter, RecordsError> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(io_error(path))?;
        lock(path, &file)?;
        // New lines continue the checksum of the header that is there.
        let mut first = String::new();
        BufReader::new(&file)
            .read_line(&mut first)
            .map_err(io_error(path))?;
        let (_, header_crc) = parse_header(&first).map_err(|problem| RecordsError::Format {
            path: path.to_path_buf(),
            problem,
        })?;
        file.set_len(complete_bytes)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(|_| ()))
            .map_err(io_error(path))?;
        Ok(CheckpointWriter {
            path: path.to_path_buf(),
            file,
            header_crc,
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
        // A record that cannot be written leaves the file as it was.
        let line = record_line(self.header_crc, record).map_err(io_error(&self.path))?;
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
            design: String::new(),
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
                values: vec![-0.0, 123_456_789.123_456_78, f64::MAX],
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

    fn sample() -> Vec<Record> {
        vec![
            Record {
                replication: 0,
                values: vec![14_713.0, f64::NAN, 0.038_673_282_131_448_376],
            },
            Record {
                replication: 1,
                values: vec![-2.5, 1e-7, 569.0],
            },
            Record {
                replication: 2,
                values: vec![0.0, 7.0, 1e21],
            },
        ]
    }

    fn file_text(header: &RecordsHeader, records: &[Record]) -> String {
        let mut bytes = Vec::new();
        write_records_file(&mut bytes, header, records).unwrap();
        String::from_utf8(bytes).unwrap()
    }

    fn read_text(text: &str) -> Result<RecordsRead, RecordsError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("records.csv");
        std::fs::write(&path, text).unwrap();
        read_records(&path)
    }

    #[test]
    fn a_changed_value_or_header_is_refused_with_its_line() {
        let text = file_text(&header(), &sample());
        assert_eq!(read_text(&text).unwrap().records.len(), 3);
        let lines: Vec<&str> = text.lines().collect();
        let with_line = |n: usize, line: &str| {
            let mut changed: Vec<&str> = lines.clone();
            changed[n - 1] = line;
            format!("{}\n", changed.join("\n"))
        };
        // As a hand or a script would change them: +100000, NaN, inf,
        // another spelling of the same number, a changed seed.
        let cases = [
            (2, lines[1].replacen("14713", "114713", 1)),
            (3, lines[2].replacen("569", "NaN", 1)),
            (3, lines[2].replacen("569", "inf", 1)),
            (4, lines[3].replacen(",7,", ",7.0,", 1)),
            (1, lines[0].replacen("\"seed\":7", "\"seed\":8", 1)),
        ];
        for (n, line) in cases {
            let err = read_text(&with_line(n, &line))
                .err()
                .unwrap_or_else(|| panic!("accepted {line}"));
            let message = err.to_string();
            assert!(
                matches!(err, RecordsError::Damaged { line, .. } if line == n as u64),
                "{message}"
            );
            assert!(
                message.contains(&format!("records.csv, line {n}: "))
                    && message.contains("fails its checksum"),
                "{message}"
            );
            // And what to do about it.
            let fix = if n == 1 {
                "run the batch (or shard) again"
            } else {
                "--resume"
            };
            assert!(message.contains(fix), "{message}");
        }
    }

    #[test]
    fn no_change_of_one_byte_passes_for_other_records() {
        // Every byte of a file replaced by others, removed, or doubled:
        // the file is refused, or reads back the same records (or fewer,
        // when the change cut the last newline: that line runs again).
        let text = file_text(&header(), &sample()).into_bytes();
        let expected = read_text(std::str::from_utf8(&text).unwrap()).unwrap();
        let same = |a: &Record, b: &Record| {
            a.replication == b.replication
                && a.values
                    .iter()
                    .zip(&b.values)
                    .all(|(x, y)| x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan())
        };
        let path = Path::new("records.partial");
        let (mut tried, mut refused) = (0, 0);
        for at in 0..text.len() {
            let mut changes: Vec<Vec<u8>> = b"0159.-,eNa\n "
                .iter()
                .filter(|&&b| b != text[at])
                .map(|&b| {
                    let mut t = text.clone();
                    t[at] = b;
                    t
                })
                .collect();
            let mut removed = text.clone();
            removed.remove(at);
            let mut doubled = text.clone();
            doubled.insert(at, text[at]);
            changes.extend([removed, doubled]);
            for changed in changes {
                tried += 1;
                match read_from(&changed[..], path) {
                    Err(_) => refused += 1,
                    Ok(read) => {
                        assert_eq!(read.header, expected.header);
                        assert!(
                            read.records.len() <= expected.records.len()
                                && read
                                    .records
                                    .iter()
                                    .zip(&expected.records)
                                    .all(|(a, b)| same(a, b)),
                            "{}",
                            String::from_utf8_lossy(&changed)
                        );
                        assert!(
                            read.cut_short || read.records.len() == expected.records.len(),
                            "{}",
                            String::from_utf8_lossy(&changed)
                        );
                    }
                }
            }
        }
        assert!(refused > tried * 9 / 10, "{refused} of {tried} refused");
    }

    #[test]
    fn a_line_from_another_file_fails_under_this_header() {
        let text = file_text(&header(), &sample());
        let other = file_text(
            &RecordsHeader {
                seed: 8,
                ..header()
            },
            &sample(),
        );
        let mixed = format!(
            "{}\n{}\n",
            text.lines().next().unwrap(),
            other.lines().nth(1).unwrap()
        );
        let err = read_text(&mixed).err().expect("refused").to_string();
        assert!(
            err.contains("line 2: ") && err.contains("another record file"),
            "{err}"
        );
    }

    #[test]
    fn only_numbers_as_written_pass_even_with_a_matching_checksum() {
        // Lines forged with a correct checksum still hold only what the
        // writer writes: no infinity, no other spelling, no stray field,
        // no replication outside the batch.
        let (_, crc) = header_json(&header());
        let forged = |body: &str| format!("{body},{}", hex(line_checksum(crc, body)));
        let head = header_line(&header());
        for (body, problem) in [
            ("0,1,inf,2", "value 2 (\"inf\")"),
            ("0,1,-inf,2", "value 2"),
            ("0,1,nan,2", "value 2"),
            ("0,1e5,1,2", "value 1"),
            ("0,+1,1,2", "value 1"),
            ("00,1,1,2", "replication number"),
            ("0,1,2", "2 values where the header says 3"),
            ("3,1,2,3", "replication 3 is outside the batch's 3"),
        ] {
            let err = read_text(&format!("{head}{}\n", forged(body)))
                .err()
                .unwrap_or_else(|| panic!("accepted {body}"))
                .to_string();
            assert!(err.contains("line 2: ") && err.contains(problem), "{err}");
        }
        // The writer refuses an infinity rather than write what cannot
        // be read back.
        let mut out = Vec::new();
        let err = write_records_file(
            &mut out,
            &header(),
            &[Record {
                replication: 0,
                values: vec![1.0, f64::NEG_INFINITY, 2.0],
            }],
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("value 2 of the record is -inf"),
            "{err}"
        );
    }

    #[test]
    fn the_bytes_of_a_record_file_are_fixed() {
        // records.csv must be the same bytes however a batch ran (CI
        // compares them), and its checksums are plain CRC-32 (zlib's
        // crc32 of the header's JSON, and of that JSON followed by the
        // line), so a script can check a file too.
        assert_eq!(
            file_text(&header(), &sample()[..1]),
            "# iccsim records {\"iccsim_version\":\"test\",\"scenario\":\"s\",\"origin\":\"s.toml\",\"fingerprint\":\"0123\",\"seed\":7,\"replications\":3,\"values\":3} d0a4da37\n\
             0,14713,NaN,0.038673282131448376,71af519f\n"
        );
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
    fn a_file_from_before_checksums_is_refused_as_such() {
        let old = "# iccsim records {\"iccsim_version\":\"0.1.0\",\"stopping\":\"relative half-width 0.05\"}\n0,1,2\n";
        let err = read_text(old).err().expect("refused").to_string();
        assert!(
            err.contains("line 1: the header has no checksum at its end")
                && err.contains("run the batch (or shard) again"),
            "{err}"
        );
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
