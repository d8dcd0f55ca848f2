//! Whether an interrupted comparison in the output folder may be resumed
//! as this one: the same scenarios (by name), and for each the same
//! scenario text, seed, number of replications, shard, design and iccsim
//! build (its checkpoint's header). Refused with the reason otherwise.

use std::path::Path;

use super::compare_files::{COMPARE_SCENARIOS, folder_for};
use super::exit::{Exit, Failure};
use super::shared::{CHECKPOINT, records_failure};
use iccsim::report::OutputFolder;
use iccsim::report::checkpoint::{self, RecordsHeader};

/// The scenarios (by folder name) of the interrupted comparison in `out`.
fn interrupted(folder: &OutputFolder, out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join(COMPARE_SCENARIOS))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|name| {
                    folder.has_working_file(&format!("{}/{CHECKPOINT}", folder_for(name)))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Refuses to start over an interrupted comparison without `--resume`, or
/// to resume one that is not this comparison.
pub(super) fn refuse_other_comparison(
    folder: &OutputFolder,
    out: &Path,
    headers: &[RecordsHeader],
    resume: bool,
) -> Result<(), Failure> {
    let found = interrupted(folder, out);
    if found.is_empty() {
        return Ok(());
    }
    if !resume {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "{} holds an interrupted comparison (of {}); add --resume to finish it, or remove its scenarios/*/{CHECKPOINT} files (their finished replications are lost) or choose another --out",
                out.display(),
                found.join(", ")
            ),
        });
    }
    let mut wanted: Vec<String> = headers.iter().map(|h| h.scenario.clone()).collect();
    wanted.sort();
    if found != wanted {
        return Err(Failure {
            code: Exit::Usage,
            message: format!(
                "{} holds an interrupted comparison of other scenarios ({}; this one compares {}); resume with the same baseline and scenarios, or choose another --out",
                out.display(),
                found.join(", "),
                wanted.join(", ")
            ),
        });
    }
    for header in headers {
        let path = out.join(format!("{}/{CHECKPOINT}", folder_for(&header.scenario)));
        let read = checkpoint::read_records(&path).map_err(records_failure)?;
        if !header.same_run(&read.header) {
            let old = &read.header;
            let differs: Vec<&str> = [
                (
                    old.fingerprint != header.fingerprint,
                    "the scenario or the iccsim build",
                ),
                (old.seed != header.seed, "the seed"),
                (
                    old.replications != header.replications,
                    "the number of replications",
                ),
                (old.shard != header.shard, "the shard"),
                (old.design != header.design, "the design (--outer/--inner)"),
                (old.stopping != header.stopping, "the precision target"),
                (
                    old.iccsim_version != header.iccsim_version,
                    "the iccsim version",
                ),
            ]
            .into_iter()
            .filter_map(|(d, what)| d.then_some(what))
            .collect();
            return Err(Failure {
                code: Exit::Usage,
                message: format!(
                    "{} was written by another comparison: for `{}`, {} differ{} (it has seed {}, {} replications{}); resume with the same scenarios and options, or choose another --out",
                    path.display(),
                    header.scenario,
                    differs.join(", "),
                    if differs.len() == 1 { "s" } else { "" },
                    old.seed,
                    old.replications,
                    if old.shard.is_empty() {
                        String::new()
                    } else {
                        format!(", shard {}", old.shard)
                    }
                ),
            });
        }
    }
    Ok(())
}
