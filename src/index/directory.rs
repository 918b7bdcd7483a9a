//! How searches read a generation's index files. A large generation (the demo, a big
//! merchant: few of them, searched hard) has the files of its live commit read into memory
//! when it opens, except the document store, which only product lookups and rebuilds read. A
//! small one (most merchants: thousands of them, a few hundred products each) keeps in memory
//! only its field norms; term dictionaries are read when a search first uses the field, and
//! posting lists and columns are read from the page cache per lookup, so an open small catalog
//! holds what its searches use and not every field it was indexed with.
//!
//! Why not tantivy's `MmapDirectory`: a segment is six or seven files and Linux allows a
//! process about 65,000 mappings, so ten thousand open catalogs cannot each map their files;
//! and a small catalog's files are a few pages each, so mapping saves nothing while hiding what
//! a catalog really holds from the cache that bounds memory. Segment files are immutable, so a
//! reopen after an upsert reuses the bytes of every segment it already read.
//!
//! The directory is read-only: writers open the generation with `MmapDirectory` on disk.

use std::collections::HashMap;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, OwnedBytes, WatchCallback, WatchHandle, WritePtr,
};
use tantivy::HasLen;

use crate::error::{Error, Result};

/// tantivy's file of the live commit.
pub const META_FILE: &str = "meta.json";
/// tantivy's list of the files it manages.
const MANAGED_FILE: &str = ".managed.json";
/// A generation whose dictionaries, postings and columns come to this many bytes or more is
/// held in memory whole.
const RESIDENT_FROM: u64 = 1 << 20;
/// Files read on demand in a small generation (the document store always is).
const ON_DEMAND: [&str; 4] = [".term", ".idx", ".pos", ".fast"];

/// The files of one commit of a generation, held in memory (the store read on demand).
#[derive(Clone)]
pub struct LoadedDirectory {
    dir: PathBuf,
    files: Arc<HashMap<PathBuf, Arc<dyn FileHandle>>>,
    /// The files of `files` read from disk on demand.
    on_disk: Arc<HashMap<PathBuf, Arc<DiskFile>>>,
    /// The commit's `meta.json` (mostly the schema), which tantivy reads only while opening
    /// the index: dropped by [`release_meta`](Self::release_meta) once the reader exists.
    meta: Arc<RwLock<Option<OwnedBytes>>>,
    /// Shared by every load of this generation directory: removes it once the last of them
    /// is gone, after [`retire`](Self::retire).
    retirement: Arc<Retirement>,
    /// Bytes held in memory, counting a small generation's term dictionaries, which are
    /// read when a search first needs them.
    loaded_bytes: usize,
}

impl std::fmt::Debug for LoadedDirectory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedDirectory")
            .field("dir", &self.dir)
            .field("files", &self.files.len())
            .field("loaded_bytes", &self.loaded_bytes)
            .finish()
    }
}

impl LoadedDirectory {
    /// Reads the files of the commit in `dir`'s `meta.json`. Files that `previous` (an earlier
    /// load of the same directory) already holds are shared, not read again.
    pub fn load(dir: &Path, previous: Option<&LoadedDirectory>) -> Result<LoadedDirectory> {
        let meta = read_file(&dir.join(META_FILE))?;
        let segments = segment_prefixes(&meta)
            .map_err(|err| Error::internal(format!("{}: {err}", dir.join(META_FILE).display())))?;
        let mut files: HashMap<PathBuf, Arc<dyn FileHandle>> = HashMap::new();
        let mut on_disk: HashMap<PathBuf, Arc<DiskFile>> = HashMap::new();
        let mut loaded_bytes = 0;
        match read_file(&dir.join(MANAGED_FILE)) {
            Ok(managed) => {
                loaded_bytes += managed.len();
                files.insert(
                    PathBuf::from(MANAGED_FILE),
                    Arc::new(OwnedBytes::new(managed)),
                );
            }
            Err(_) => tracing::debug!(dir = %dir.display(), "no managed file list"),
        }
        let mut commit = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some((prefix, deletes)) =
                segments.iter().find(|(p, _)| name.starts_with(p.as_str()))
            else {
                continue;
            };
            // Only the deletes of the live commit: `<segment>.<opstamp>.del`.
            if name.ends_with(".del")
                && deletes.map(|d| format!("{prefix}{d}.del")) != Some(name.clone())
            {
                continue;
            }
            commit.push((name, entry.path(), entry.metadata()?.len()));
        }
        let searchable: u64 = commit
            .iter()
            .filter(|(name, ..)| ON_DEMAND.iter().any(|ext| name.ends_with(ext)))
            .map(|(.., len)| len)
            .sum();
        let on_demand = |name: &str| {
            name.ends_with(".store")
                || (searchable < RESIDENT_FROM && ON_DEMAND.iter().any(|ext| name.ends_with(ext)))
        };
        for (name, path, len) in commit {
            let weighed = if name.ends_with(".term") || !on_demand(&name) {
                len as usize
            } else {
                0
            };
            loaded_bytes += weighed;
            let relative = PathBuf::from(&name);
            if let Some(known) = previous.and_then(|p| p.files.get(&relative)) {
                if let Some(disk) = previous.and_then(|p| p.on_disk.get(&relative)) {
                    on_disk.insert(relative.clone(), Arc::clone(disk));
                }
                files.insert(relative, Arc::clone(known));
                continue;
            }
            let handle: Arc<dyn FileHandle> = if on_demand(&name) {
                let disk = Arc::new(DiskFile {
                    len: len as usize,
                    path,
                    held: OnceLock::new(),
                });
                on_disk.insert(relative.clone(), Arc::clone(&disk));
                disk
            } else {
                Arc::new(OwnedBytes::new(read_file(&path)?))
            };
            files.insert(relative, handle);
        }
        Ok(LoadedDirectory {
            dir: dir.to_path_buf(),
            files: Arc::new(files),
            on_disk: Arc::new(on_disk),
            meta: Arc::new(RwLock::new(Some(OwnedBytes::new(meta)))),
            retirement: previous.map_or_else(
                || {
                    Arc::new(Retirement {
                        dir: dir.to_path_buf(),
                        retired: AtomicBool::new(false),
                    })
                },
                |p| Arc::clone(&p.retirement),
            ),
            loaded_bytes,
        })
    }

    /// Bytes of index files held in memory.
    pub fn loaded_bytes(&self) -> usize {
        self.loaded_bytes
    }

    /// Marks the generation replaced: its directory is removed when the last search reading
    /// it is done, not before (files read on demand must stay until then).
    pub fn retire(&self) {
        self.retirement.retired.store(true, Ordering::Release);
    }

    /// Reads file `name` into memory if it is read from disk on demand: a writer is about to
    /// delete it, and snapshots still reading it must go on reading the same bytes.
    pub fn hold(&self, name: &Path) -> std::io::Result<()> {
        match self.on_disk.get(name) {
            Some(file) => file.hold(),
            None => Ok(()),
        }
    }

    /// Drops the in-memory `meta.json` once the index and its reader are open. The commit it
    /// describes stays what this directory serves; tantivy does not read it again (readers
    /// reload manually, and reloads load a new directory).
    pub fn release_meta(&self) {
        *self.meta.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|err| Error::internal(format!("{}: {err}", path.display())))
}

/// File name prefixes (segment ids without dashes) of the segments in `meta.json`, with the
/// opstamp of each segment's live deletes.
fn segment_prefixes(meta: &[u8]) -> std::result::Result<Vec<(String, Option<u64>)>, String> {
    let value: serde_json::Value = serde_json::from_slice(meta).map_err(|e| e.to_string())?;
    let segments = value
        .get("segments")
        .and_then(|s| s.as_array())
        .ok_or("no segment list")?;
    segments
        .iter()
        .map(|segment| {
            let deletes = segment
                .get("deletes")
                .and_then(|d| d.get("opstamp"))
                .and_then(|o| o.as_u64());
            segment
                .get("segment_id")
                .and_then(|id| id.as_str())
                .map(|id| (format!("{}.", id.replace('-', "")), deletes))
                .ok_or_else(|| "a segment without an id".to_string())
        })
        .collect()
}

/// Removes a replaced generation's directory once nothing reads it.
#[derive(Debug)]
struct Retirement {
    dir: PathBuf,
    retired: AtomicBool,
}

impl Drop for Retirement {
    fn drop(&mut self) {
        if !self.retired.load(Ordering::Acquire) {
            return;
        }
        // The last reader may be a search on an async worker: remove on a thread of its own.
        let dir = std::mem::take(&mut self.dir);
        let removal = std::thread::Builder::new()
            .name("kirana-retire".into())
            .spawn(move || {
                if let Err(err) = std::fs::remove_dir_all(&dir) {
                    tracing::warn!(dir = %dir.display(), %err, "could not remove replaced generation");
                }
            });
        if let Err(err) = removal {
            tracing::warn!(%err, "could not start removing a replaced generation");
        }
    }
}

/// A file read from disk when asked, a range at a time; no descriptor is kept open (ten
/// thousand open catalogs would need more than a process may have). Read whole into memory
/// before a writer deletes it ([`LoadedDirectory::hold`]).
#[derive(Debug)]
struct DiskFile {
    path: PathBuf,
    len: usize,
    held: OnceLock<OwnedBytes>,
}

impl DiskFile {
    fn hold(&self) -> std::io::Result<()> {
        if self.held.get().is_none() {
            let bytes = std::fs::read(&self.path)?;
            let _ = self.held.set(OwnedBytes::new(bytes));
        }
        Ok(())
    }
}

impl HasLen for DiskFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for DiskFile {
    fn read_bytes(&self, range: Range<usize>) -> std::io::Result<OwnedBytes> {
        if let Some(held) = self.held.get() {
            return Ok(held.slice(range));
        }
        let file = std::fs::File::open(&self.path)?;
        let mut bytes = vec![0; range.len()];
        file.read_exact_at(&mut bytes, range.start as u64)?;
        Ok(OwnedBytes::new(bytes))
    }
}

fn read_only(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!("{} is opened for reading only", path.display()),
    )
}

impl Directory for LoadedDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<Arc<dyn FileHandle>, OpenReadError> {
        if path == Path::new(META_FILE) {
            let held = self.meta.read().unwrap_or_else(|e| e.into_inner()).clone();
            return match held {
                Some(bytes) => Ok(Arc::new(bytes)),
                None => Err(OpenReadError::FileDoesNotExist(path.to_path_buf())),
            };
        }
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| OpenReadError::FileDoesNotExist(path.to_path_buf()))
    }

    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        Err(DeleteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        Ok(path == Path::new(META_FILE) || self.files.contains_key(path))
    }

    fn open_write(&self, path: &Path) -> std::result::Result<WritePtr, OpenWriteError> {
        Err(OpenWriteError::IoError {
            io_error: Arc::new(read_only(path)),
            filepath: path.to_path_buf(),
        })
    }

    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        let handle = self.get_file_handle(path)?;
        handle
            .read_bytes(0..handle.len())
            .map(|bytes| bytes.as_slice().to_vec())
            .map_err(|err| OpenReadError::IoError {
                io_error: Arc::new(err),
                filepath: path.to_path_buf(),
            })
    }

    fn atomic_write(&self, path: &Path, _data: &[u8]) -> std::io::Result<()> {
        Err(read_only(path))
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        Ok(())
    }

    /// Nothing here can change the files, so readers need no lock.
    fn acquire_lock(&self, _lock: &Lock) -> std::result::Result<DirectoryLock, LockError> {
        Ok(DirectoryLock::from(Box::new(())))
    }

    fn watch(&self, _callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        Ok(WatchHandle::empty())
    }
}

/// The directory writers use: tantivy's own on disk, except that a file the writer deletes
/// (the segments a merge replaced, superseded deletes) is first read into memory for the
/// snapshots still reading it on demand, so a search or a suggestion rebuild on the snapshot
/// before the write never finds its files gone.
#[derive(Debug, Clone)]
pub struct WriterDirectory {
    inner: tantivy::directory::MmapDirectory,
    live: LoadedDirectory,
}

impl WriterDirectory {
    /// Writes through `inner`; `live` is the directory the live snapshot reads.
    pub fn new(inner: tantivy::directory::MmapDirectory, live: LoadedDirectory) -> WriterDirectory {
        WriterDirectory { inner, live }
    }
}

impl Directory for WriterDirectory {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> std::result::Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> std::result::Result<(), DeleteError> {
        if let Err(err) = self.live.hold(path) {
            tracing::warn!(path = %path.display(), %err, "could not keep a deleted index file for open searches");
        }
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> std::result::Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> std::result::Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> std::result::Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> std::io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> std::result::Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_files_come_from_meta_json() {
        let meta = br#"{"segments":[{"segment_id":"57cedfdf-903a-4736-a59a-b2b4539e00ab","max_doc":3,"deletes":null}],"opstamp":4}"#;
        assert_eq!(
            segment_prefixes(meta).unwrap(),
            [("57cedfdf903a4736a59ab2b4539e00ab.".to_string(), None)]
        );
        assert!(segment_prefixes(b"{}").is_err());
    }
}
