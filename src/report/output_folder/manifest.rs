//! The manifest of an output folder (`.iccsim-manifest.json`): every file
//! the tool wrote there, with its size and CRC-32, and whether a file on
//! disk is still the one it lists. Also the folder's control names and the
//! small helpers the rest of `output_folder` shares (checked names, I/O
//! errors that name their path).
//!
//! Depends on `serde`, `crc32fast` and `report::atomic` (the error type) only.

use std::fs;
use std::io::Write;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

use super::super::atomic::WriteError;

/// The list of files the tool wrote in a folder.
pub const MANIFEST_FILE: &str = ".iccsim-manifest.json";
/// Every control or temporary name of the tool starts with this.
pub(super) const CONTROL_PREFIX: &str = ".iccsim-";
/// A staging folder: `.iccsim-staging-<pid>`.
pub(super) const STAGING_PREFIX: &str = ".iccsim-staging-";
/// In a staging folder, written last: the set is complete and may be
/// moved into place. It lists the earlier files the commit removes.
pub(super) const COMMIT_MARKER: &str = ".iccsim-commit";
/// Version of the manifest's format.
pub(super) const MANIFEST_FORMAT: u32 = 1;

/// A file the tool wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Entry {
    /// Relative to the folder, `/`-separated.
    pub(super) path: String,
    /// Which output it belongs to: `results`, or a report page's name.
    pub(super) group: String,
    /// Size and CRC-32 as written; absent for a working file that grows
    /// while the command runs (a batch's checkpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) crc32: Option<u32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) format: u32,
    pub(super) files: Vec<Entry>,
}

pub(super) fn io_fail(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn refusal(path: &Path, message: String) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        source: std::io::Error::other(message),
    }
}

/// A relative, `/`-separated name that stays inside the folder.
pub(super) fn checked_name(name: &str) -> Option<&str> {
    let path = Path::new(name);
    let inside = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    inside.then_some(name)
}

/// CRC-32 and size of a file's bytes.
pub(super) fn checksum_file(path: &Path) -> std::io::Result<(u64, u32)> {
    let mut file = fs::File::open(path)?;
    let mut writer = ChecksumWriter::new(std::io::sink());
    std::io::copy(&mut file, &mut writer)?;
    Ok((writer.bytes, writer.hasher.finalize()))
}

/// Passes bytes on and counts and checksums them as they go.
pub(super) struct ChecksumWriter<W> {
    pub(super) inner: W,
    pub(super) hasher: crc32fast::Hasher,
    pub(super) bytes: u64,
}

impl<W> ChecksumWriter<W> {
    pub(super) fn new(inner: W) -> Self {
        ChecksumWriter {
            inner,
            hasher: crc32fast::Hasher::new(),
            bytes: 0,
        }
    }
}

impl<W: Write> Write for ChecksumWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Working files that grow while their command runs, recorded in the
/// manifest without a size or checksum: only these names may be.
pub const WORKING_FILES: &[&str] = &["records.partial"];

/// Whether `path` (relative) names a working file: one of
/// [`WORKING_FILES`], in the folder or in a sub-folder of it (a
/// comparison's or sweep's checkpoint of each scenario or point).
pub fn is_working_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    WORKING_FILES.contains(&name)
}

pub(super) fn read_manifest(folder: &Path) -> Result<Manifest, WriteError> {
    let path = folder.join(MANIFEST_FILE);
    match fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest {
            format: MANIFEST_FORMAT,
            files: Vec::new(),
        }),
        Err(e) => Err(io_fail(&path)(e)),
        Ok(bytes) => {
            let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
                refusal(
                    &path,
                    format!("iccsim's list of the files it wrote here is damaged ({e}); it cannot tell its own files from yours: choose another --out"),
                )
            })?;
            if manifest.format != MANIFEST_FORMAT
                || manifest
                    .files
                    .iter()
                    .any(|e| checked_name(&e.path).is_none())
            {
                return Err(refusal(
                    &path,
                    "iccsim's list of the files it wrote here is of another version or damaged; choose another --out".into(),
                ));
            }
            Ok(manifest)
        }
    }
}

pub(super) fn manifest_bytes(manifest: &Manifest) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

impl Entry {
    /// Whether the file on disk is the one the tool wrote: present, with
    /// its recorded size and checksum (a working file: present).
    pub(super) fn holds(&self, folder: &Path) -> bool {
        let path = folder.join(&self.path);
        if !inside_without_links(folder, &self.path) {
            return false;
        }
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return false;
        };
        if !meta.is_file() {
            return false;
        }
        match (self.size, self.crc32) {
            (Some(size), Some(crc)) => {
                meta.len() == size && checksum_file(&path).is_ok_and(|(_, c)| c == crc)
            }
            // Only a working file of the tool's is recorded without its
            // checksum; any other such entry proves nothing.
            _ => is_working_file(&self.path),
        }
    }
}

/// Whether every folder on the way from `folder` to `name` is a real
/// folder (or missing), not a symbolic link that would lead outside.
pub(super) fn inside_without_links(folder: &Path, name: &str) -> bool {
    let mut path = folder.to_path_buf();
    let parts: Vec<&str> = name.split('/').collect();
    for part in &parts[..parts.len().saturating_sub(1)] {
        path.push(part);
        match fs::symlink_metadata(&path) {
            Ok(meta) if !meta.is_dir() => return false,
            Ok(_) => {}
            Err(_) => return true,
        }
    }
    true
}
