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

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::atomic::{FileBody, WriteError, sync_folder};

/// The lock every writing command holds on its folder.
pub const LOCK_FILE: &str = ".iccsim.lock";
/// The list of files the tool wrote in a folder.
pub const MANIFEST_FILE: &str = ".iccsim-manifest.json";
/// Every control or temporary name of the tool starts with this.
const CONTROL_PREFIX: &str = ".iccsim-";
/// A staging folder: `.iccsim-staging-<pid>`.
const STAGING_PREFIX: &str = ".iccsim-staging-";
/// In a staging folder, written last: the set is complete and may be
/// moved into place. It lists the earlier files the commit removes.
const COMMIT_MARKER: &str = ".iccsim-commit";
/// Version of the manifest's format.
const MANIFEST_FORMAT: u32 = 1;

/// A file the tool wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Entry {
    /// Relative to the folder, `/`-separated.
    path: String,
    /// Which output it belongs to: `results`, or a report page's name.
    group: String,
    /// Size and CRC-32 as written; absent for a working file that grows
    /// while the command runs (a batch's checkpoint).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    crc32: Option<u32>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Manifest {
    format: u32,
    files: Vec<Entry>,
}

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

fn io_fail(path: &Path) -> impl Fn(std::io::Error) -> WriteError + '_ {
    move |source| WriteError {
        path: path.to_path_buf(),
        source,
    }
}

fn refusal(path: &Path, message: String) -> WriteError {
    WriteError {
        path: path.to_path_buf(),
        source: std::io::Error::other(message),
    }
}

/// A relative, `/`-separated name that stays inside the folder.
fn checked_name(name: &str) -> Option<&str> {
    let path = Path::new(name);
    let inside = !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    inside.then_some(name)
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

/// CRC-32 and size of a file's bytes.
fn checksum_file(path: &Path) -> std::io::Result<(u64, u32)> {
    let mut file = fs::File::open(path)?;
    let mut writer = ChecksumWriter::new(std::io::sink());
    std::io::copy(&mut file, &mut writer)?;
    Ok((writer.bytes, writer.hasher.finalize()))
}

/// Passes bytes on and counts and checksums them as they go.
struct ChecksumWriter<W> {
    inner: W,
    hasher: crc32fast::Hasher,
    bytes: u64,
}

impl<W> ChecksumWriter<W> {
    fn new(inner: W) -> Self {
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

/// What a command of ours may have left in a folder if it was killed, by
/// the exact names it gives them: a staging folder, the probe of a
/// writable folder, a PDF being printed, the manifest being replaced.
/// Every command that makes them holds the folder's lock, so while we hold
/// it, any of them is a dead command's (whatever its process id says: a
/// container or another machine has other ids).
fn is_debris(name: &str, kind: &fs::FileType) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if kind.is_dir() {
        return name.strip_prefix(STAGING_PREFIX).is_some_and(digits);
    }
    if !kind.is_file() {
        return false;
    }
    name.strip_prefix(&format!("{CONTROL_PREFIX}write-test-"))
        .is_some_and(digits)
        || name
            .strip_prefix(&format!("{CONTROL_PREFIX}report-"))
            .and_then(|n| n.strip_suffix(".pdf"))
            .is_some_and(digits)
        || [MANIFEST_FILE, "report.html", "report.pdf"]
            .iter()
            .any(|file| {
                // The manifest being replaced; a report page or PDF as an
                // earlier iccsim wrote them, each through such a file.
                name.strip_prefix(&format!(".{file}."))
                    .and_then(|n| n.strip_suffix(".tmp"))
                    .is_some_and(digits)
            })
}

fn read_manifest(folder: &Path) -> Result<Manifest, WriteError> {
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

fn manifest_bytes(manifest: &Manifest) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

impl Entry {
    /// Whether the file on disk is the one the tool wrote: present, with
    /// its recorded size and checksum (a working file: present).
    fn holds(&self, folder: &Path) -> bool {
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
            _ => WORKING_FILES.contains(&self.path.as_str()),
        }
    }
}

/// Whether every folder on the way from `folder` to `name` is a real
/// folder (or missing), not a symbolic link that would lead outside.
fn inside_without_links(folder: &Path, name: &str) -> bool {
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

/// Whether a killed command's staged set may be moved into place: every
/// file it would replace or remove must still be the tool's by the
/// folder's manifest now, and every name inside the folder without a link
/// on the way. A set that fails this (changed by hand since, forged, or
/// copied in from elsewhere) is removed instead, and the folder's files
/// are left as they are, for the checks to judge.
fn safe_to_apply(folder: &Path, staging: &Path, manifest: &Manifest) -> bool {
    let Ok(staged) = read_manifest(staging) else {
        return false;
    };
    let Some(removals) = fs::read(staging.join(COMMIT_MARKER))
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
    else {
        return false;
    };
    let owned = |name: &str| {
        let path = folder.join(name);
        fs::symlink_metadata(&path).is_err()
            || manifest
                .files
                .iter()
                .any(|e| e.path == name && e.holds(folder))
    };
    let moving = staged
        .files
        .iter()
        .filter(|e| staging.join(&e.path).exists())
        .map(|e| e.path.as_str());
    moving
        .chain(removals.iter().map(String::as_str))
        .all(|name| {
            checked_name(name).is_some() && inside_without_links(folder, name) && owned(name)
        })
}

/// Moves a complete staged set into place: the files, then the removals of
/// the earlier set's files, then the manifest. Done by the committing
/// command, or by the next command into the folder if that one was killed
/// part-way; every step may be repeated.
fn apply_staged(folder: &Path, staging: &Path) -> Result<(), WriteError> {
    let marker = staging.join(COMMIT_MARKER);
    let removals: Vec<String> = fs::read(&marker)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let staged_manifest = staging.join(MANIFEST_FILE);
    let manifest = read_manifest(staging)?;
    let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
    for entry in &manifest.files {
        let from = staging.join(&entry.path);
        if !from.exists() {
            continue; // moved already, or an entry kept from before
        }
        let to = folder.join(&entry.path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).map_err(io_fail(parent))?;
            touched.insert(parent.to_path_buf());
        }
        fs::rename(&from, &to).map_err(io_fail(&to))?;
    }
    for name in removals.iter().filter_map(|n| checked_name(n)) {
        let path = folder.join(name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io_fail(&path)(e)),
            _ => {}
        }
        // Folders the tool made for its files go when they are empty
        // (remove_dir never removes a folder that holds anything).
        let mut parent = path.parent();
        while let Some(dir) = parent.filter(|d| *d != folder && d.starts_with(folder)) {
            touched.insert(dir.to_path_buf());
            if fs::remove_dir(dir).is_err() {
                break;
            }
            parent = dir.parent();
        }
    }
    for dir in &touched {
        if dir.exists() {
            sync_folder(dir).map_err(io_fail(dir))?;
        }
    }
    fs::rename(&staged_manifest, folder.join(MANIFEST_FILE)).map_err(io_fail(folder))?;
    sync_folder(folder).map_err(io_fail(folder))?;
    let _ = fs::remove_dir_all(staging);
    Ok(())
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
        if !WORKING_FILES.contains(&name) {
            return Err(refusal(&path, "not a working file of iccsim's".into()));
        }
        self.refuse_input(&path)?;
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

/// Before a folder is read as results (`iccsim report`): refuses one whose
/// files are not those the tool wrote together, e.g. a file of another run
/// copied in, or a set a killed command had not finished moving into place.
/// A folder without a manifest (written by hand, or by an older iccsim) is
/// read as it is.
pub fn check_consistent(folder: &Path) -> Result<(), String> {
    if let Ok(entries) = fs::read_dir(folder) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with(STAGING_PREFIX) && entry.path().join(COMMIT_MARKER).exists() {
                return Err(format!(
                    "{} holds a set of results that an interrupted command had not finished moving into place; any iccsim command that writes into that folder finishes it (e.g. iccsim report {} again, which takes its lock)",
                    folder.display(),
                    folder.display()
                ));
            }
        }
    }
    let manifest = read_manifest(folder).map_err(|e| e.to_string())?;
    let changed: Vec<&str> = manifest
        .files
        .iter()
        .filter(|e| e.size.is_some())
        .filter(|e| folder.join(&e.path).exists() && !e.holds(folder))
        .map(|e| e.path.as_str())
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} mixes two runs' files, or was changed by hand: {} {} not the file{} iccsim wrote with the rest of these results; re-run the command that made the folder",
        folder.display(),
        changed
            .iter()
            .map(|n| crate::report::tables::terminal_safe(n).into_owned())
            .collect::<Vec<_>>()
            .join(", "),
        if changed.len() == 1 { "is" } else { "are" },
        if changed.len() == 1 { "" } else { "s" }
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(may_write: &[&str]) -> Request {
        Request {
            whole_folder: true,
            may_write: may_write.iter().map(|s| s.to_string()).collect(),
            ..Request::default()
        }
    }

    fn names(folder: &Path) -> Vec<String> {
        let mut found: Vec<String> = fs::read_dir(folder)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        found.sort();
        found
    }

    #[test]
    fn a_new_set_replaces_only_the_tools_own_earlier_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut folder = OutputFolder::open(&out, &whole(&["a.csv", "b.csv"])).unwrap();
        folder
            .commit(
                &[("a.csv", b"1".to_vec()), ("b.csv", b"x".to_vec())],
                RESULTS,
                Replace::Results,
            )
            .unwrap();
        folder
            .commit(&[("a.csv", b"2".to_vec())], RESULTS, Replace::Results)
            .unwrap();
        drop(folder);
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"2");
        assert!(
            !out.join("b.csv").exists(),
            "the earlier set's other file goes"
        );
        assert_eq!(names(&out), [MANIFEST_FILE, LOCK_FILE, "a.csv"]);
    }

    #[test]
    fn a_folder_with_files_of_the_users_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        fs::write(out.join("budget.csv"), b"mine").unwrap();
        fs::write(out.join("notes.txt"), b"mine").unwrap();
        let err = OutputFolder::open(out, &whole(&["budget.csv", "a.csv"])).unwrap_err();
        assert!(err.to_string().contains("budget.csv"), "{err}");
        assert!(err.to_string().contains("never overwrites"), "{err}");
        // With --force, still never over the user's budget.csv.
        let forced = Request {
            force: true,
            ..whole(&["budget.csv", "a.csv"])
        };
        assert!(OutputFolder::open(out, &forced).is_err());
        // Beside notes.txt, with --force, it writes.
        let forced = Request {
            force: true,
            ..whole(&["a.csv"])
        };
        let mut folder = OutputFolder::open(out, &forced).unwrap();
        folder
            .commit(&[("a.csv", b"1".to_vec())], RESULTS, Replace::Results)
            .unwrap();
        assert_eq!(fs::read(out.join("budget.csv")).unwrap(), b"mine");
        assert_eq!(fs::read(out.join("notes.txt")).unwrap(), b"mine");
    }

    #[test]
    fn a_file_changed_since_it_was_written_is_no_longer_the_tools() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut folder = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap();
        folder
            .commit(&[("a.csv", b"1".to_vec())], RESULTS, Replace::Results)
            .unwrap();
        drop(folder);
        fs::write(out.join("a.csv"), b"edited by hand").unwrap();
        let err = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap_err();
        assert!(err.to_string().contains("a.csv"), "{err}");
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"edited by hand");
    }

    #[test]
    fn a_second_command_cannot_write_a_locked_folder() {
        let dir = tempfile::tempdir().unwrap();
        let _first = OutputFolder::open(dir.path(), &whole(&[])).unwrap();
        let err = OutputFolder::open(dir.path(), &whole(&[])).unwrap_err();
        assert!(err.to_string().contains("another iccsim command"), "{err}");
    }

    #[test]
    fn an_input_is_never_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = dir.path().join("scenario.toml");
        fs::write(&scenario, b"# mine").unwrap();
        let request = Request {
            force: true,
            inputs: vec![scenario.clone()],
            ..whole(&["scenario.toml"])
        };
        assert!(OutputFolder::open(dir.path(), &request).is_err());
        assert_eq!(fs::read(&scenario).unwrap(), b"# mine");
    }

    #[test]
    fn a_killed_commit_is_finished_or_cleared_by_the_next_command() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let mut folder = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap();
        folder
            .commit(&[("a.csv", b"old".to_vec())], RESULTS, Replace::Results)
            .unwrap();
        drop(folder);
        // A dead process's complete staging (marker written): rolled forward.
        let dead = 4_000_000_000u32; // above any pid Linux hands out
        let staging = out.join(format!("{STAGING_PREFIX}{dead}"));
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join("a.csv"), b"new").unwrap();
        let (size, crc) = checksum_file(&staging.join("a.csv")).unwrap();
        let manifest = Manifest {
            format: MANIFEST_FORMAT,
            files: vec![Entry {
                path: "a.csv".into(),
                group: "results".into(),
                size: Some(size),
                crc32: Some(crc),
            }],
        };
        fs::write(staging.join(MANIFEST_FILE), manifest_bytes(&manifest)).unwrap();
        fs::write(staging.join(COMMIT_MARKER), b"[]").unwrap();
        // And an incomplete one, and a temporary file: removed.
        fs::create_dir_all(out.join(format!("{STAGING_PREFIX}{}", dead - 1))).unwrap();
        fs::write(out.join(format!(".report.html.{dead}.tmp")), b"half").unwrap();
        assert!(
            check_consistent(&out).is_err(),
            "a half-moved set is not read"
        );
        let folder = OutputFolder::open(&out, &whole(&["a.csv"])).unwrap();
        drop(folder);
        assert_eq!(fs::read(out.join("a.csv")).unwrap(), b"new");
        assert_eq!(names(&out), [MANIFEST_FILE, LOCK_FILE, "a.csv"]);
        assert!(check_consistent(&out).is_ok());
    }

    #[test]
    fn a_report_page_among_the_users_files_touches_only_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let pics = dir.path();
        fs::create_dir_all(pics.join("holiday-charts")).unwrap();
        fs::write(pics.join("holiday-charts/beach.png"), b"photo").unwrap();
        fs::write(pics.join("cat.jpg"), b"photo").unwrap();
        let request = Request {
            may_write: vec!["holiday.html".into(), "holiday-charts/".into()],
            ..Request::default()
        };
        let err = OutputFolder::open(pics, &request).unwrap_err();
        assert!(err.to_string().contains("beach.png"), "{err}");
        let forced = Request {
            force: true,
            ..request
        };
        let mut folder = OutputFolder::open(pics, &forced).unwrap();
        for _ in 0..2 {
            folder
                .commit(
                    &[
                        ("holiday.html", b"page".to_vec()),
                        ("holiday-charts/a.svg", b"svg".to_vec()),
                    ],
                    "report:holiday",
                    Replace::Group,
                )
                .unwrap();
        }
        assert_eq!(
            fs::read(pics.join("holiday-charts/beach.png")).unwrap(),
            b"photo"
        );
        assert_eq!(fs::read(pics.join("cat.jpg")).unwrap(), b"photo");
        assert_eq!(fs::read(pics.join("holiday.html")).unwrap(), b"page");
    }

    #[test]
    fn a_mixed_folder_is_not_read_as_one_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        let mut folder = OutputFolder::open(out, &whole(&["run.json", "results.json"])).unwrap();
        folder
            .commit(
                &[
                    ("run.json", b"seed 1".to_vec()),
                    ("results.json", b"of seed 1".to_vec()),
                ],
                "results",
                Replace::Results,
            )
            .unwrap();
        drop(folder);
        assert!(check_consistent(out).is_ok());
        fs::write(out.join("results.json"), b"of seed 2").unwrap();
        let err = check_consistent(out).unwrap_err();
        assert!(err.contains("results.json"), "{err}");
    }
}
