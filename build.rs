//! Build script: a hash of the simulator's source, so that record files
//! (checkpoints, shards) made by one build are never resumed or merged by a
//! build whose code differs, even at the same version number.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.push(PathBuf::from("Cargo.lock"));
    // Sorted, so that the hash does not depend on the directory order.
    files.sort();
    // FNV-1a over each file's path and bytes.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        for byte in file.to_string_lossy().bytes().chain(bytes) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=ICCSIM_SOURCE_HASH={hash:016x}");
}
