//! Atomic file writes: write a temporary file in the same folder, flush it
//! to disk, then rename it over the target. A reader never sees a partial
//! file, and an interrupted run leaves the previous file (or none).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file that could not be written, with the path and the reason.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// Writes `bytes` to `path` atomically, creating the parent folder.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(fail)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    let temporary = folder.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        sync_folder(folder)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(fail)
}

/// Checks, before any work, that `folder` can hold results: it is created
/// if missing, must not be a file, and must accept a new file.
pub fn prepare_folder(folder: &Path) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: folder.to_path_buf(),
        source,
    };
    if folder.exists() && !folder.is_dir() {
        return Err(fail(std::io::Error::other(
            "it is a file, not a folder; give --out a folder",
        )));
    }
    fs::create_dir_all(folder).map_err(fail)?;
    let probe = folder.join(format!(".iccsim-write-test-{}", std::process::id()));
    fs::write(&probe, b"").map_err(fail)?;
    fs::remove_file(&probe).map_err(fail)
}

/// What goes into one file of a set: bytes already made, or a writer
/// that streams them straight into the staged file. Files that grow with
/// the replications (a 1,000-replication batch writes a gigabyte of
/// `breakdown.csv`) are streamed, so that their text is never held in
/// memory whole.
pub trait FileBody {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()>;
}

impl FileBody for Vec<u8> {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(self)
    }
}

impl<T: FileBody + ?Sized> FileBody for Box<T> {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        (**self).write_to(out)
    }
}

/// A file body written by a closure.
pub struct Streamed<F>(pub F);

impl<F: Fn(&mut dyn Write) -> std::io::Result<()>> FileBody for Streamed<F> {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        (self.0)(out)
    }
}

/// Writes a set of files into `folder` so that the folder never mixes two
/// runs: every file is first written and flushed in a staging folder beside
/// them; only when all are complete are they renamed into place, and files
/// named in `previous_names` that this set does not contain (left by an
/// earlier run) are removed. If writing fails, the folder is unchanged; only
/// a rename failing midway (same folder, so practically only if permissions
/// change during the run) could leave a mix, and it names the file.
pub fn write_file_set<B: FileBody>(
    folder: &Path,
    files: &[(&str, B)],
    previous_names: &[&str],
) -> Result<(), WriteError> {
    prepare_folder(folder)?;
    let staging = folder.join(format!(".iccsim-staging-{}", std::process::id()));
    let staged = (|| {
        fs::create_dir_all(&staging).map_err(|source| WriteError {
            path: staging.clone(),
            source,
        })?;
        for (name, body) in files {
            let path = staging.join(name);
            let write = || -> std::io::Result<()> {
                let mut out = std::io::BufWriter::with_capacity(1 << 16, fs::File::create(&path)?);
                body.write_to(&mut out)?;
                out.into_inner().map_err(|e| e.into_error())?.sync_all()
            };
            write().map_err(|source| WriteError {
                path: folder.join(name),
                source,
            })?;
        }
        Ok(())
    })();
    if let Err(e) = staged {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Every target must be replaceable before anything is moved, so that a
    // folder sitting where a result file goes fails the set, not half of it.
    if let Some((name, _)) = files.iter().find(|(name, _)| folder.join(name).is_dir()) {
        let _ = fs::remove_dir_all(&staging);
        return Err(WriteError {
            path: folder.join(name),
            source: std::io::Error::other("a folder has this name; move it away"),
        });
    }
    for name in previous_names {
        if !files.iter().any(|(n, _)| n == name) {
            let _ = fs::remove_file(folder.join(name));
        }
    }
    for (name, _) in files {
        fs::rename(staging.join(name), folder.join(name)).map_err(|source| WriteError {
            path: folder.join(name),
            source,
        })?;
    }
    let _ = fs::remove_dir_all(&staging);
    // The renames themselves reach the disk only with the folder.
    sync_folder(folder).map_err(|source| WriteError {
        path: folder.to_path_buf(),
        source,
    })
}

/// Flushes a folder's entries (new names, renames, removals) to disk, so
/// that a crash cannot undo a rename that later steps rely on.
pub fn sync_folder(folder: &Path) -> std::io::Result<()> {
    fs::File::open(folder)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.csv");
        write_atomically(&path, b"first").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("sub")).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
    }

    #[test]
    fn a_file_set_replaces_the_previous_set_whole() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("out");
        write_file_set(
            &folder,
            &[("a.csv", b"1".to_vec()), ("extra.csv", b"x".to_vec())],
            &["a.csv", "extra.csv"],
        )
        .unwrap();
        write_file_set(
            &folder,
            &[("a.csv", b"2".to_vec())],
            &["a.csv", "extra.csv"],
        )
        .unwrap();
        assert_eq!(fs::read(folder.join("a.csv")).unwrap(), b"2");
        assert!(
            !folder.join("extra.csv").exists(),
            "a stale file of the earlier run is removed"
        );
        assert_eq!(
            fs::read_dir(&folder).unwrap().count(),
            1,
            "no staging folder left"
        );
        // A set that cannot be written leaves the folder as it was.
        fs::create_dir(folder.join("b.csv")).unwrap();
        let err = write_file_set(
            &folder,
            &[("a.csv", b"3".to_vec()), ("b.csv", b"y".to_vec())],
            &["a.csv", "b.csv"],
        )
        .unwrap_err();
        assert!(err.to_string().contains("b.csv"), "{err}");
        assert_eq!(
            fs::read(folder.join("a.csv")).unwrap(),
            b"2",
            "earlier results unchanged"
        );
    }

    #[test]
    fn a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, b"x").unwrap();
        let err = prepare_folder(&file).unwrap_err().to_string();
        assert!(err.contains("it is a file, not a folder"), "{err}");
    }

    #[test]
    fn reports_the_path_when_it_cannot_write() {
        let err =
            write_atomically(Path::new("/proc/iccsim-cannot-exist/out.csv"), b"x").unwrap_err();
        assert!(
            err.to_string().contains("/proc/iccsim-cannot-exist"),
            "{err}"
        );
    }
}
