//! The loop every `merge` of shards shares (of batches, comparisons,
//! sweeps and tornados): each shard folder's records of each part (a
//! batch's own folder, a comparison's scenario, a sweep's point, a
//! tornado's variant) read, checked to be of the same run as the first
//! folder's, and put together, a replication found twice refused; then
//! the replications missing named. What a part is, and what is written
//! from it, is each command's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::exit::{Exit, Failure};
use super::shared::records_failure;
use iccsim::experiment::record::Record;
use iccsim::report::checkpoint::{self, RecordsHeader};
use iccsim::scenario;

/// Reads the shard manifest `file` of a `command --shard i/n` folder
/// (`kind` names it in the message: "comparison", "sweep", "tornado"), if
/// the folder holds one.
pub(super) fn read_manifest<T: serde::de::DeserializeOwned>(
    folder: &Path,
    file: &str,
    kind: &str,
    command: &str,
) -> Result<Option<T>, Failure> {
    let path = folder.join(file);
    if !path.exists() {
        return Ok(None);
    }
    let text = scenario::read_file(&path)?;
    serde_json::from_str(&text).map(Some).map_err(|e| Failure {
        code: Exit::Scenario,
        message: format!(
            "{}: not a {kind} shard's manifest ({e}); merge the folders `{command} --shard i/n` wrote",
            path.display()
        ),
    })
}

/// One part's records from every shard, with its header and scenario text
/// (from the first folder); the records in replication order, the
/// header's shard cleared (the merged records are the whole run's).
pub(super) struct Gathered {
    pub(super) header: RecordsHeader,
    pub(super) text: String,
    pub(super) records: Vec<Record>,
}

/// How a merge reads its shards.
pub(super) struct ShardParts<'a> {
    /// Each part's folder inside a shard's folder (`""` for a batch).
    pub(super) parts: Vec<String>,
    /// Whether each part's folder holds the `scenario.toml` its records
    /// were made with (a tornado's variants are rebuilt from one instead).
    pub(super) texts: bool,
    /// Checks a shard folder before its records are read (its manifest).
    pub(super) check_folder: &'a dyn Fn(&Path) -> Result<(), Failure>,
    /// The refusal when a part's records are of another run than the first
    /// folder's: (folder, part index, first header, this header).
    pub(super) other_run: &'a dyn Fn(&Path, usize, &RecordsHeader, &RecordsHeader) -> Failure,
    /// The refusal when a part has no records (an interrupted shard).
    pub(super) no_records: &'a dyn Fn(&Path, &Path) -> Failure,
}

/// Every part's records gathered from `folders`, and which replications
/// each part has (for [`missing`]).
pub(super) fn gather(
    folders: &[PathBuf],
    how: &ShardParts,
) -> Result<(Vec<Gathered>, Vec<u64>), Failure> {
    let n = how.parts.len();
    let mut gathered: Vec<Option<Gathered>> = (0..n).map(|_| None).collect();
    let mut origin_of: Vec<HashMap<u64, &PathBuf>> = (0..n).map(|_| HashMap::new()).collect();
    for folder in folders {
        (how.check_folder)(folder)?;
        for (k, part) in how.parts.iter().enumerate() {
            let dir = folder.join(part);
            let path = checkpoint::records_file(&dir);
            if !path.exists() {
                return Err((how.no_records)(folder, &path));
            }
            let read = checkpoint::read_records(&path).map_err(records_failure)?;
            let g = match &mut gathered[k] {
                Some(g) if !g.header.same_batch(&read.header) => {
                    return Err((how.other_run)(folder, k, &g.header, &read.header));
                }
                Some(g) => g,
                slot @ None => slot.insert(Gathered {
                    text: if how.texts {
                        scenario::read_file(&dir.join("scenario.toml"))?
                    } else {
                        String::new()
                    },
                    header: read.header.clone(),
                    records: Vec::new(),
                }),
            };
            for record in read.records {
                if let Some(earlier) = origin_of[k].insert(record.replication, folder) {
                    return Err(super::shared::replication_twice(
                        record.replication,
                        earlier,
                        folder,
                    ));
                }
                g.records.push(record);
            }
        }
    }
    let Some(gathered) = gathered.into_iter().collect::<Option<Vec<Gathered>>>() else {
        return Err(Failure {
            code: Exit::Usage,
            message: "give at least one folder".into(),
        });
    };
    let mut gathered = gathered;
    for g in &mut gathered {
        g.header.shard = String::new();
        g.records.sort_by_key(|r| r.replication);
    }
    // Every part of one shard holds the same replications: the first's say.
    let mut had: Vec<u64> = origin_of[0].keys().copied().collect();
    had.sort_unstable();
    Ok((gathered, had))
}

/// Refuses a merge that lacks some of the replications 0..expected (`had`
/// sorted), naming how many and the first few.
pub(super) fn missing(had: &[u64], expected: u64) -> Result<(), Failure> {
    let missing: Vec<u64> = (0..expected)
        .filter(|r| had.binary_search(r).is_err())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure {
        code: Exit::Scenario,
        message: format!(
            "{} of {} replications are missing (first: {:?}); add the folders of the other shards",
            missing.len(),
            expected,
            &missing[..missing.len().min(5)]
        ),
    })
}

/// Whether every shard wrote its records gzipped (`--compress`): the merge
/// is then written compressed too.
pub(super) fn all_compressed(folders: &[PathBuf], parts: &[String]) -> bool {
    folders.iter().all(|f| {
        parts.iter().all(|p| {
            let dir = f.join(p);
            !dir.join("records.csv").exists() && dir.join("records.csv.gz").exists()
        })
    })
}
