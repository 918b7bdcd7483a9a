//! A generation's manifest: what the registry shows of a catalog without opening it, and which
//! files of the generation describe its live commit. Everything a generation needs to serve is
//! written beside the index when it changes, and only read when the catalog opens:
//!
//! ```text
//! gen-000007/manifest.json         this file, replaced atomically after the files it names
//! gen-000007/serving-<opstamp>.bin the word dictionary and the documents' facts of a commit
//! gen-000007/suggest-<opstamp>.bin the suggestion index (written by `suggest`)
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::write_atomically;
use crate::error::{Error, Result};

/// Version of the schema and of the serving files; a generation written under another one is
/// rebuilt from its stored products.
pub const SCHEMA_VERSION: u32 = 6;

const MANIFEST_FILE: &str = "manifest.json";

/// The manifest of one generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Catalog name.
    pub catalog: String,
    /// Generation number.
    pub generation: u64,
    /// Live products.
    pub documents: u64,
    /// When the catalog last changed (RFC 3339).
    pub updated_at: String,
    /// Bytes the generation takes on disk.
    pub size_bytes: u64,
    /// [`SCHEMA_VERSION`] of the writer.
    pub schema_version: u32,
    /// tantivy opstamp of the commit the serving file describes.
    pub opstamp: u64,
    /// File name of the serving data of that commit.
    pub serving: String,
    /// File name of the suggestion index, when one was written.
    #[serde(default)]
    pub suggest: Option<String>,
    /// The commit the suggestion index was built from.
    #[serde(default)]
    pub suggest_opstamp: Option<u64>,
}

impl Manifest {
    /// The manifest of the generation in `dir`, `None` when it has none (written by an older
    /// kirana).
    pub fn read(dir: &Path) -> Result<Option<Manifest>> {
        let path = dir.join(MANIFEST_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|err| Error::internal(format!("{}: {err}", path.display()))),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(Error::internal(format!("{}: {err}", path.display()))),
        }
    }

    /// Writes the manifest atomically, then removes serving and suggestion files it no longer
    /// names.
    pub fn write(&self, dir: &Path) -> Result<()> {
        write_atomically(&dir.join(MANIFEST_FILE), &serde_json::to_vec_pretty(self)?)?;
        for entry in std::fs::read_dir(dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let ours = name.starts_with("serving-") || name.starts_with("suggest-");
            if ours && name != self.serving && Some(&name) != self.suggest.as_ref() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(())
    }
}

/// Bytes the files in `dir` take on disk.
pub fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_round_trips_and_clears_files_it_no_longer_names() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["serving-1.bin", "serving-2.bin", "suggest-1.bin", "a.idx"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        let manifest = Manifest {
            catalog: "shop".into(),
            generation: 3,
            documents: 12,
            updated_at: "2026-12-02T00:00:00Z".into(),
            size_bytes: 4096,
            schema_version: SCHEMA_VERSION,
            opstamp: 2,
            serving: "serving-2.bin".into(),
            suggest: Some("suggest-1.bin".into()),
            suggest_opstamp: Some(1),
        };
        manifest.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), Some(manifest));
        assert!(!dir.path().join("serving-1.bin").exists());
        assert!(dir.path().join("serving-2.bin").exists());
        assert!(dir.path().join("suggest-1.bin").exists());
        assert!(
            dir.path().join("a.idx").exists(),
            "index files are not ours"
        );
        assert_eq!(
            Manifest::read(tempfile::tempdir().unwrap().path()).unwrap(),
            None
        );
    }
}
