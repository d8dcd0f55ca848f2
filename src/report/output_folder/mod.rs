//! Output folders the tool can prove are its own.
//!
//! Every command that writes results opens its folder through
//! [`OutputFolder::open`], which:
//! - takes an exclusive lock (`.iccsim.lock`) for the whole command, so two
//!   commands can never write one folder at once and mix their files;
//! - finishes what a killed command left: a staged set whose commit marker
//!   is on disk is moved into place (it was complete) if everything it
//!   replaces is still the tool's, and dropped otherwise;
//! - reads the folder's manifest (`.iccsim-manifest.json`): every file the
//!   tool wrote there, with its size and CRC-32, written with the set;
//! - refuses a folder holding files the manifest does not prove are the
//!   tool's (a file it never wrote, or one changed since), unless `--force`,
//!   and refuses always to write over such a file or over an input;
//! - then removes what killed commands left, by the exact names it gives
//!   them (staging folders, its probe, temporary files).
//!
//! [`OutputFolder::commit`] then writes a whole set: every file is staged
//! and flushed beside the results, a commit marker is written last, and only
//! then are the files renamed into place and the files of the earlier set
//! removed. A kill at any point leaves the earlier set (no marker) or lets
//! the next command finish the new one (marker): never a mix, and nothing
//! removed that the manifest does not list.
//!
//! This file holds the lock, the checks and the commit; `manifest` the
//! list of the tool's files and whether a file is still the one it lists;
//! `recovery` what a killed command left, and [`check_consistent`].
//! Depends on `report::atomic` only.

mod manifest;
mod recovery;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::atomic::{FileBody, WriteError, sync_folder};
use manifest::{
    COMMIT_MARKER, CONTROL_PREFIX, ChecksumWriter, Entry, MANIFEST_FORMAT, Manifest,
    STAGING_PREFIX, checked_name, inside_without_links, io_fail, manifest_bytes, read_manifest,
    refusal,
};
use recovery::{apply_staged, is_debris, safe_to_apply};

pub use manifest::{MANIFEST_FILE, WORKING_FILES, is_working_file};
pub use recovery::check_consistent;

/// The lock every writing command holds on its folder.
pub const LOCK_FILE: &str = ".iccsim.lock";

/// The group of a run's, batch's, merge's or comparison's results.
pub const RESULTS: &str = "results";
/// Report pages are in groups of this prefix and the page's name.
pub const REPORT_GROUP_PREFIX: &str = "report:";

/// What a commit replaces of the folder's earlier output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// The earlier results and every report page drawn from them (they
    /// would show other numbers); a sweep's or tornado's files stay.
    Results,
    /// The earlier files of the same group (a redrawn report page, a
    /// sweep, a tornado table).
    Group,
    /// Nothing: the files are added to (or replace their names in) the set.
    Nothing,
}

/// How a command means to use its folder.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Write even if the folder holds files that are not the tool's:
    /// beside them, never over them.
    pub force: bool,
    /// The whole folder is the command's (results), rather than a few
    /// names in a folder of the user's (a report page among photos).
    pub whole_folder: bool,
    /// Names (relative paths; a trailing `/` means a folder of them) the
    /// command may write: any of them held by a file that is not the
    /// tool's is refused before the work, `force` or not.
    pub may_write: Vec<String>,
    /// The files the command reads (its scenario, the parents it extends,
    /// shard records): never written over or removed.
    pub inputs: Vec<PathBuf>,
}

/// An output folder, locked for as long as this value lives.
#[derive(Debug)]
pub struct OutputFolder {
    path: PathBuf,
    manifest: Manifest,
    inputs: Vec<PathBuf>,
    /// Held for the lock; released when dropped.
    _lock: fs::File,
}

/// The file's identity (device and inode on Unix), to tell whether two
/// paths are one file whatever the links and spellings.
#[cfg(unix)]
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(path: &Path) -> Option<PathBuf> {
    fs::canonicalize(path).ok()
}

/// Whether two paths name one file (through links and other spellings).
pub fn same_file(a: &Path, b: &Path) -> bool {
    identity(a).is_some_and(|id| identity(b) == Some(id))
}

impl OutputFolder {
    /// Opens `path` for a command's output (creating it if missing), as
    /// the module's header says.
    pub fn open(path: &Path, request: &Request) -> Result<OutputFolder, WriteError> {
        if path.exists() && !path.is_dir() {
            return Err(refusal(
                path,
                "it is a file, not a folder; give --out a folder".into(),
            ));
        }
        fs::create_dir_all(path).map_err(io_fail(path))?;
        let lock_path = path.join(LOCK_FILE);
        let lock_was_there = lock_path.exists();
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_fail(path))?;
        lock.try_lock().map_err(|e| match e {
            fs::TryLockError::WouldBlock => refusal(
                path,
                "another iccsim command is writing into this folder; wait for it to finish, or choose another --out".into(),
            ),
            fs::TryLockError::Error(source) => io_fail(path)(source),
        })?;
        // A probe: the folder must accept a new file before any work.
        let probe = path.join(format!("{CONTROL_PREFIX}write-test-{}", std::process::id()));
        fs::write(&probe, b"")
            .and_then(|()| fs::remove_file(&probe))
            .map_err(io_fail(path))?;

        let mut folder = OutputFolder {
            path: path.to_path_buf(),
            manifest: Manifest::default(),
            inputs: request
                .inputs
                .iter()
                .filter_map(|p| identity(p).map(|_| p.clone()))
                .collect(),
            _lock: lock,
        };
        folder.finish_staged()?;
        folder.manifest = read_manifest(path)?;
        if let Err(refused) = folder.check(request) {
            // A refused folder keeps nothing of ours (the lock is still held,
            // so no other command is using the file being removed).
            if !lock_was_there {
                let _ = fs::remove_file(&lock_path);
            }
            return Err(refused);
        }
        folder.clear_debris()?;
        Ok(folder)
    }

    /// The folder's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The debris of killed commands at the top of the folder.
    fn debris(&self) -> Vec<PathBuf> {
        let Ok(entries) = fs::read_dir(&self.path) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter(|e| {
                e.file_type()
                    .is_ok_and(|kind| is_debris(&e.file_name().to_string_lossy(), &kind))
            })
            .map(|e| e.path())
            .collect()
    }

    /// Finishes a killed command's complete commit (its marker written),
    /// if everything it would replace or remove is still the tool's; a set
    /// that is not is dropped, touching nothing else.
    fn finish_staged(&self) -> Result<(), WriteError> {
        let manifest = read_manifest(&self.path)?;
        for staging in self.debris() {
            if !staging.is_dir() || !staging.join(COMMIT_MARKER).is_file() {
                continue;
            }
            if safe_to_apply(&self.path, &staging, &manifest) {
                apply_staged(&self.path, &staging)?;
            } else {
                fs::remove_dir_all(&staging).map_err(io_fail(&staging))?;
            }
        }
        Ok(())
    }

    /// Removes what killed commands left (once the folder is known to be
    /// one the command may write).
    fn clear_debris(&self) -> Result<(), WriteError> {
        for path in self.debris() {
            let removed = if path.is_dir() {
                fs::remove_dir_all(&path)
            } else {
                fs::remove_file(&path)
            };
            removed.map_err(io_fail(&path))?;
        }
        Ok(())
    }

    /// Whether the file at `name` is the tool's own, as the manifest proves.
    fn owns(&self, name: &str) -> bool {
        self.manifest
            .files
            .iter()
            .any(|e| e.path == name && e.holds(&self.path))
    }

    /// Files under the folder (relative names) that the manifest does not
    /// prove are the tool's: for a whole folder, all of them; otherwise
    /// those among `may_write`.
    fn foreign(&self, request: &Request) -> Vec<String> {
        let mut found = Vec::new();
        if request.whole_folder {
            self.walk(Path::new(""), &mut found);
        } else {
            for name in &request.may_write {
                match name.strip_suffix('/') {
                    // A file (or link) where the command needs a folder.
                    Some(dir)
                        if fs::symlink_metadata(self.path.join(dir)).is_ok_and(|m| !m.is_dir()) =>
                    {
                        found.push(dir.to_string())
                    }
                    Some(dir) => self.walk(Path::new(dir), &mut found),
                    None => {
                        if fs::symlink_metadata(self.path.join(name)).is_ok() && !self.owns(name) {
                            found.push(name.clone());
                        }
                    }
                }
            }
        }
        found
    }

    fn walk(&self, relative: &Path, found: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(self.path.join(relative)) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().to_string();
            let rel = relative.join(&name);
            let rel_text = rel.to_string_lossy().replace('\\', "/");
            let top = relative.as_os_str().is_empty();
            if top
                && (name == LOCK_FILE
                    || name == MANIFEST_FILE
                    || entry.file_type().is_ok_and(|kind| is_debris(&name, &kind)))
            {
                continue;
            }
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                self.walk(&rel, found);
            } else if !self.owns(&rel_text) {
                found.push(rel_text);
            }
        }
    }

    /// Refuses, before any work, what the command must not do here.
    fn check(&self, request: &Request) -> Result<(), WriteError> {
        let foreign = self.foreign(request);
        let shown = |names: &[String]| {
            let mut text = names
                .iter()
                .take(6)
                .map(|n| crate::report::tables::terminal_safe(n).into_owned())
                .collect::<Vec<_>>()
                .join(", ");
            if names.len() > 6 {
                text.push_str(&format!(" and {} more", names.len() - 6));
            }
            text
        };
        // A file of the user's where an output goes: never, force or not.
        let collisions: Vec<String> = foreign
            .iter()
            .filter(|name| {
                request.may_write.iter().any(|w| match w.strip_suffix('/') {
                    Some(dir) => {
                        *name == dir || (name.starts_with(&format!("{dir}/")) && !request.force)
                    }
                    None => *name == w,
                })
            })
            .cloned()
            .collect();
        if !collisions.is_empty() {
            return Err(refusal(
                &self.path,
                format!(
                    "it holds {} where this command writes its output, and iccsim did not write {} (or {} changed since); iccsim never overwrites or removes files it did not write. Move {} away, or choose another --out",
                    shown(&collisions),
                    if collisions.len() == 1 { "it" } else { "them" },
                    if collisions.len() == 1 {
                        "it was"
                    } else {
                        "they were"
                    },
                    if collisions.len() == 1 { "it" } else { "them" },
                ),
            ));
        }
        if !foreign.is_empty() && !request.force {
            return Err(refusal(
                &self.path,
                format!(
                    "it holds files that iccsim did not write (or that were changed since): {}. iccsim never removes or overwrites files it did not write, and will not mix its results with them. Choose a new or empty folder with --out, or move those files away; --force writes here anyway, beside them, replacing only iccsim's own earlier output",
                    shown(&foreign)
                ),
            ));
        }
        for name in &request.may_write {
            let name = name.trim_end_matches('/');
            self.refuse_input(&self.path.join(name))?;
        }
        Ok(())
    }

    /// Refuses to write over, or remove, a file the command reads.
    fn refuse_input(&self, target: &Path) -> Result<(), WriteError> {
        let Some(id) = identity(target) else {
            return Ok(());
        };
        let hit = |input: &PathBuf| {
            identity(input) == Some(id)
                || (target.is_dir() && identity(input).is_some() && {
                    // An input inside a folder the command would replace.
                    fs::canonicalize(input)
                        .ok()
                        .zip(fs::canonicalize(target).ok())
                        .is_some_and(|(i, t)| i.starts_with(t))
                })
        };
        if let Some(input) = self.inputs.iter().find(|i| hit(i)) {
            return Err(refusal(
                target,
                format!(
                    "this is {}, which this command reads; iccsim never writes over its own input. Choose another --out",
                    crate::report::tables::terminal_safe(&input.display().to_string())
                ),
            ));
        }
        Ok(())
    }

    /// Claims a working file that grows as the command runs (a batch's
    /// checkpoint): recorded in the manifest before it is created, so that
    /// a later command knows it is the tool's. Returns its path.
    pub fn claim_working_file(&mut self, name: &str, group: &str) -> Result<PathBuf, WriteError> {
        let path = self.path.join(name);
        if !is_working_file(name) || checked_name(name).is_none() {
            return Err(refusal(&path, "not a working file of iccsim's".into()));
        }
        self.refuse_input(&path)?;
        // One in a sub-folder (a comparison's scenario) needs that folder,
        // a real one inside this folder.
        if let Some(parent) = path.parent().filter(|_| name.contains('/')) {
            if !inside_without_links(&self.path, name) {
                return Err(refusal(
                    &path,
                    "a file or a link is where iccsim needs a folder of its own; move it away"
                        .into(),
                ));
            }
            fs::create_dir_all(parent).map_err(io_fail(parent))?;
        }
        if !self.manifest.files.iter().any(|e| e.path == name) {
            self.manifest.files.push(Entry {
                path: name.to_string(),
                group: group.to_string(),
                size: None,
                crc32: None,
            });
            super::atomic::write_atomically(
                &self.path.join(MANIFEST_FILE),
                &manifest_bytes(&self.manifest),
            )?;
        }
        Ok(path)
    }

    /// Whether the folder holds a working file of the tool's of this name.
    pub fn has_working_file(&self, name: &str) -> bool {
        self.manifest
            .files
            .iter()
            .any(|e| e.path == name && e.size.is_none())
            && self.path.join(name).is_file()
    }

    /// Writes `files` (relative names) as one set in `group`, replacing
    /// what `replace` says of the earlier output; see the module header.
    pub fn commit<B: FileBody>(
        &mut self,
        files: &[(&str, B)],
        group: &str,
        replace: Replace,
    ) -> Result<(), WriteError> {
        for (name, _) in files {
            if checked_name(name).is_none() {
                return Err(refusal(
                    &self.path.join(name),
                    "not a name inside the output folder".into(),
                ));
            }
        }
        let new_names: BTreeSet<&str> = files.iter().map(|(n, _)| *n).collect();
        // Re-read: the user may have changed files while the command ran.
        self.manifest = read_manifest(&self.path)?;
        let replaced = |e: &Entry| match replace {
            Replace::Results => e.group == RESULTS || e.group.starts_with(REPORT_GROUP_PREFIX),
            Replace::Group => e.group == group,
            Replace::Nothing => false,
        };
        // Earlier files this set replaces are removed only if they are
        // still the tool's; one changed by hand since (kept with --force),
        // or listed through a link, is left alone and dropped from the list.
        let removals: Vec<String> = self
            .manifest
            .files
            .iter()
            .filter(|e| replaced(e) && !new_names.contains(e.path.as_str()) && e.holds(&self.path))
            .map(|e| e.path.clone())
            .collect();
        // Everything to be overwritten or removed must still be the tool's.
        for name in new_names
            .iter()
            .copied()
            .chain(removals.iter().map(String::as_str))
        {
            let path = self.path.join(name);
            self.refuse_input(&path)?;
            if !inside_without_links(&self.path, name) {
                return Err(refusal(
                    &path,
                    "a file or a link is where iccsim needs a folder of its own; move it away"
                        .into(),
                ));
            }
            if fs::symlink_metadata(&path).is_err() {
                continue;
            }
            if path.is_dir() {
                return Err(refusal(
                    &path,
                    "a folder has this name; move it away".into(),
                ));
            }
            if !self.owns(name) {
                return Err(refusal(
                    &path,
                    "iccsim did not write this file (or it was changed since the command started), so it will not overwrite or remove it; move it away and run again, or choose another --out".into(),
                ));
            }
        }

        let staging = self
            .path
            .join(format!("{STAGING_PREFIX}{}", std::process::id()));
        let mut entries: Vec<Entry> = self
            .manifest
            .files
            .iter()
            .filter(|e| !new_names.contains(e.path.as_str()) && !replaced(e))
            .cloned()
            .collect();
        let staged = (|| -> Result<(), WriteError> {
            let _ = fs::remove_dir_all(&staging);
            fs::create_dir_all(&staging).map_err(io_fail(&staging))?;
            for (name, body) in files {
                let path = staging.join(name);
                let target = self.path.join(name);
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(io_fail(&target))?;
                }
                // Checksummed under the buffer, so that the CRC sees large
                // pieces rather than each small write of a CSV writer.
                let write = || -> std::io::Result<(u64, u32)> {
                    let file = fs::File::create(&path)?;
                    let mut out =
                        std::io::BufWriter::with_capacity(1 << 16, ChecksumWriter::new(file));
                    body.write_to(&mut out)?;
                    let checked = out.into_inner().map_err(|e| e.into_error())?;
                    checked.inner.sync_all()?;
                    Ok((checked.bytes, checked.hasher.finalize()))
                };
                let (size, crc) = write().map_err(io_fail(&target))?;
                entries.push(Entry {
                    path: name.to_string(),
                    group: group.to_string(),
                    size: Some(size),
                    crc32: Some(crc),
                });
            }
            entries.sort_by(|a, b| a.path.cmp(&b.path));
            let manifest = Manifest {
                format: MANIFEST_FORMAT,
                files: entries.clone(),
            };
            let write_synced = |path: &Path, bytes: &[u8]| -> Result<(), WriteError> {
                let mut file = fs::File::create(path).map_err(io_fail(path))?;
                file.write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(io_fail(path))
            };
            write_synced(&staging.join(MANIFEST_FILE), &manifest_bytes(&manifest))?;
            sync_folder(&staging).map_err(io_fail(&staging))?;
            // The marker makes the staged set complete.
            let removal_list = serde_json::to_vec(&removals).unwrap_or_default();
            write_synced(&staging.join(COMMIT_MARKER), &removal_list)?;
            sync_folder(&staging).map_err(io_fail(&staging))
        })();
        if let Err(e) = staged {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
        apply_staged(&self.path, &staging)?;
        self.manifest = Manifest {
            format: MANIFEST_FORMAT,
            files: entries,
        };
        Ok(())
    }
}

#[cfg(test)]
mod tests;
