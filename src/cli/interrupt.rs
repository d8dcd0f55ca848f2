//! What an interrupted batch, comparison, sweep or tornado says (Ctrl-C,
//! SIGTERM): how many of its replications are kept in its checkpoints and
//! how to finish it. The command says what it runs
//! ([`expect`]); each replication kept in a checkpoint is counted
//! ([`kept`]) after it is flushed to disk, so the number said is what
//! `--resume` will find.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Replications on disk in the checkpoints of the command running.
static KEPT: AtomicU64 = AtomicU64::new(0);
/// The replications the command runs in all (every scenario or point).
static TOTAL: AtomicU64 = AtomicU64::new(0);
/// Its output folder; `None` before a command that checkpoints starts.
static FOLDER: Mutex<Option<PathBuf>> = Mutex::new(None);
/// Held while a replication is appended to a checkpoint and counted, and
/// by the handler until the process ends: the number said is exactly the
/// replications on disk, none appended after it was read.
static WRITING: Mutex<()> = Mutex::new(());

/// Exit status of a process ended by Ctrl-C or SIGTERM (128 + SIGINT, as
/// a shell reports a process Ctrl-C killed).
const INTERRUPTED: i32 = 130;

/// Installs the handler once, at the start of the process: a command that
/// keeps no checkpoint ends as before, with no message.
pub(super) fn install() {
    // A second handler cannot be set; the first stays.
    let _ = ctrlc::set_handler(|| {
        let _writing = hold();
        let folder = FOLDER.lock().map(|f| f.clone()).unwrap_or(None);
        if let Some(folder) = folder {
            eprintln!(
                "\n{}",
                message(
                    KEPT.load(Ordering::SeqCst),
                    TOTAL.load(Ordering::SeqCst),
                    &folder
                )
            );
        }
        std::process::exit(INTERRUPTED);
    });
}

/// The words said when interrupted.
fn message(kept: u64, total: u64, folder: &Path) -> String {
    format!(
        "interrupted: {kept} of {total} replications kept in {}; rerun the same command with --resume to finish",
        folder.display()
    )
}

/// The command about to run `total` replications in all into `folder`
/// (more may be added by a precision target: `total` then grows with
/// [`expect_more`]).
pub(super) fn expect(folder: &Path, total: u64) {
    if let Ok(mut f) = FOLDER.lock() {
        *f = Some(folder.to_path_buf());
    }
    KEPT.store(0, Ordering::SeqCst);
    TOTAL.store(total, Ordering::SeqCst);
}

/// A round that goes on to `total` replications in all.
pub(super) fn expect_more(total: u64) {
    TOTAL.fetch_max(total, Ordering::SeqCst);
}

/// Holds appends to checkpoints (see `WRITING`).
pub(super) fn hold() -> std::sync::MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(|e| e.into_inner())
}

/// `n` replications found in a checkpoint (resumed) or kept by one.
pub(super) fn kept(n: u64) {
    KEPT.fetch_add(n, Ordering::SeqCst);
}

/// The replications of `replications` that shard `(i, n)` runs.
pub(super) fn in_shard(replications: u64, shard: Option<(u64, u64)>) -> u64 {
    match shard {
        None => replications,
        Some((i, n)) => (0..replications).filter(|r| r % n == i - 1).count() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_and_a_shards_replications() {
        assert_eq!(
            message(3, 12, Path::new("results/x")),
            "interrupted: 3 of 12 replications kept in results/x; rerun the same command with --resume to finish"
        );
        assert_eq!(in_shard(10, Some((2, 4))), 3); // 1, 5, 9
        assert_eq!(in_shard(10, None), 10);
    }
}
