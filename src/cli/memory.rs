//! How much memory a command may use: the process's budget (free memory,
//! the control group's limit, or `ICCSIM_MEMORY_LIMIT`), whether `run`'s
//! kept results fit in it, and how many replications may be in flight.

use super::exit::{Exit, Failure};
use iccsim::model::Network;

/// Most memory `run` and `calibrate` may use for the replications' results
/// they keep (each replication's per-day series, ledger and flows, as
/// [`Network::memory_estimate`] counts them).
const MAX_KEPT_RESULTS_BYTES: u64 = 8 << 30;

/// Memory one kept episode takes until `run` has written its files: the
/// record with its three names on the heap, and its row of
/// `episodes.csv`, which is built in memory. Measured on the baseline:
/// 369 MB more per replication with --episodes, for 801,000 episodes
/// (460 bytes each).
const EPISODE_BYTES: u64 = 512;

/// `run` and `calibrate` keep every replication's results until the end
/// (for their daily files), and `run --episodes` every visit of every
/// replication; the per-replication bound of validation does not bound
/// that. `batch` streams, so it is where large counts belong.
pub(super) fn results_fit_in_memory(
    network: &Network,
    replications: u64,
    episodes: bool,
    command: &str,
) -> Result<(), Failure> {
    let per_replication = network.memory_estimate().total();
    // Visits are estimated as if no service were ever full, over the
    // window (episodes ending in the warm-up are not kept); growth over
    // the years is covered by the margin in EPISODE_BYTES.
    let episode_bytes = if episodes {
        let visits = network.visits_per_day() * network.run.horizon_days;
        (visits.max(0.0).min(u64::MAX as f64 / 1024.0) as u64).saturating_mul(EPISODE_BYTES)
    } else {
        0
    };
    let kept = per_replication
        .saturating_add(episode_bytes)
        .saturating_mul(replications);
    // Kept results stay in memory to the end, whatever the threads.
    let limit = MAX_KEPT_RESULTS_BYTES.min(process_memory_budget()?);
    if kept <= limit {
        return Ok(());
    }
    let kept_one = per_replication.saturating_add(episode_bytes);
    let fewer = (limit / kept_one.max(1)).max(1);
    Err(Failure {
        code: Exit::Usage,
        message: format!(
            "{command} keeps every replication's results{} in memory: {replications} replication{} of {} would need about {} (the limit is {}: 8 GiB, or less where less memory is free or ICCSIM_MEMORY_LIMIT says so); {}",
            if episodes {
                " and episodes (--episodes: one row per visit)"
            } else {
                ""
            },
            if replications == 1 { "" } else { "s" },
            network.name,
            size_text(kept),
            size_text(limit),
            if episodes && kept_one > limit {
                "even one replication's episodes do not fit: shorten run.horizon_days, or leave out --episodes and use `iccsim batch`".to_string()
            } else if episodes {
                format!(
                    "give at most {fewer} replications with --episodes (episodes of a few replications are enough to follow patients), or leave out --episodes and use `iccsim batch` for many replications"
                )
            } else {
                format!(
                    "use `iccsim batch`, which writes each replication as it finishes, or at most {fewer} replications"
                )
            }
        ),
    })
}

/// Memory the whole process may use for replications in flight: 80% of
/// what the machine has free (Linux: MemAvailable) or of the control
/// group's limit (a Slurm job's `--mem`), whichever is less; 8 GiB where
/// neither can be read. `ICCSIM_MEMORY_LIMIT` (bytes, or with K, M or G)
/// sets it instead, e.g. for a shared machine.
fn process_memory_budget() -> Result<u64, Failure> {
    if let Ok(text) = std::env::var("ICCSIM_MEMORY_LIMIT") {
        return parse_bytes(&text).ok_or_else(|| Failure {
            code: Exit::Usage,
            message: format!(
                "ICCSIM_MEMORY_LIMIT={text:?}: give a number of bytes, or of K, M or G, e.g. ICCSIM_MEMORY_LIMIT=6G"
            ),
        });
    }
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map(|kib| kib * 1024)
        });
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = match (available, cgroup) {
        (Some(a), Some(c)) => a.min(c),
        (a, c) => a.or(c).unwrap_or(10 << 30),
    };
    Ok(limit / 10 * 8)
}

/// Bytes for reading: `1.5 GiB`, `230 MiB`, `12 KiB`.
fn size_text(bytes: u64) -> String {
    let bytes = bytes as f64;
    if bytes >= f64::from(1u32 << 30) {
        format!("{:.1} GiB", bytes / f64::from(1u32 << 30))
    } else if bytes >= f64::from(1u32 << 20) {
        format!("{:.0} MiB", bytes / f64::from(1u32 << 20))
    } else {
        format!("{:.0} KiB", (bytes / 1024.0).ceil())
    }
}

/// `6G`, `512M`, `1048576` as bytes.
fn parse_bytes(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.char_indices().last()? {
        (i, 'K' | 'k') => (&text[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&text[..i], 1 << 20),
        (i, 'G' | 'g') => (&text[..i], 1 << 30),
        _ => (text, 1),
    };
    digits
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)?
        .checked_mul(scale)
}

/// The worker threads to run with: those asked for (one per core by
/// default), but no more than the replications in flight can take memory
/// for, since each holds its own results (a 1 GiB replication on 8
/// threads needs 8 GiB). Fewer threads change no number, only the time;
/// the note says so.
pub(super) fn threads_within_memory(
    network: &Network,
    requested: Option<u16>,
    episodes: bool,
    quiet: bool,
) -> Result<Option<usize>, Failure> {
    let wanted = requested.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let episode_bytes = if episodes {
        (network.visits_per_day() * network.run.horizon_days).max(0.0) as u64 * EPISODE_BYTES
    } else {
        0
    };
    let per_replication = network
        .memory_estimate()
        .total()
        .saturating_add(episode_bytes)
        .max(1);
    let budget = process_memory_budget()?;
    let fits = usize::try_from(budget / per_replication)
        .unwrap_or(usize::MAX)
        .max(1);
    if fits >= wanted {
        return Ok(requested.map(usize::from));
    }
    if !quiet {
        say!(
            "note: each replication of {} holds about {}; running {fits} at a time instead of {wanted}, to stay within the {} of memory available (the results are the same for any number of threads)",
            network.name,
            size_text(per_replication),
            size_text(budget)
        );
    }
    Ok(Some(fits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_read_with_their_unit() {
        assert_eq!(parse_bytes("6G"), Some(6 << 30));
        assert_eq!(parse_bytes(" 512m "), Some(512 << 20));
        assert_eq!(parse_bytes("12 K"), Some(12 << 10));
        assert_eq!(parse_bytes("1048576"), Some(1 << 20));
        assert_eq!(parse_bytes("0"), None);
        assert_eq!(parse_bytes("six"), None);
        assert_eq!(parse_bytes("G"), None);
        assert_eq!(parse_bytes("99999999999G"), None);
    }

    #[test]
    fn sizes_are_written_in_the_largest_fitting_unit() {
        assert_eq!(size_text(3 << 29), "1.5 GiB");
        assert_eq!(size_text(230 << 20), "230 MiB");
        assert_eq!(size_text(12 << 10), "12 KiB");
        assert_eq!(size_text(1), "1 KiB");
    }
}
