//! What a killed command left in an output folder: its debris, known by
//! the exact names the tool gives them, and a staged set whose commit
//! marker is on disk, moved into place if everything it replaces is still
//! the tool's. Also the check, before a folder is read as results, that its
//! files are those the tool wrote together.
//!
//! Depends on the manifest (`super::manifest`) and `report::atomic`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::super::atomic::{WriteError, sync_folder};
use super::manifest::{
    COMMIT_MARKER, CONTROL_PREFIX, MANIFEST_FILE, Manifest, STAGING_PREFIX, checked_name,
    inside_without_links, io_fail, read_manifest,
};

/// What a command of ours may have left in a folder if it was killed, by
/// the exact names it gives them: a staging folder, the probe of a
/// writable folder, a PDF being printed, the manifest being replaced.
/// Every command that makes them holds the folder's lock, so while we hold
/// it, any of them is a dead command's (whatever its process id says: a
/// container or another machine has other ids).
pub(super) fn is_debris(name: &str, kind: &fs::FileType) -> bool {
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

/// Whether a killed command's staged set may be moved into place: every
/// file it would replace or remove must still be the tool's by the
/// folder's manifest now, and every name inside the folder without a link
/// on the way. A set that fails this (changed by hand since, forged, or
/// copied in from elsewhere) is removed instead, and the folder's files
/// are left as they are, for the checks to judge.
pub(super) fn safe_to_apply(folder: &Path, staging: &Path, manifest: &Manifest) -> bool {
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
pub(super) fn apply_staged(folder: &Path, staging: &Path) -> Result<(), WriteError> {
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
