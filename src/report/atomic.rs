//! Atomic file writes: write a temporary file in the same folder, flush it
//! to disk, then rename it over the target. A reader never sees a partial
//! file, and an interrupted run leaves the previous file (or none). Also
//! the bodies of files that [`super::output_folder`] writes as a set.

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

impl<T: FileBody + ?Sized> FileBody for &T {
    fn write_to(&self, out: &mut dyn Write) -> std::io::Result<()> {
        (**self).write_to(out)
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
    fn reports_the_path_when_it_cannot_write() {
        let err =
            write_atomically(Path::new("/proc/iccsim-cannot-exist/out.csv"), b"x").unwrap_err();
        assert!(
            err.to_string().contains("/proc/iccsim-cannot-exist"),
            "{err}"
        );
    }
}
