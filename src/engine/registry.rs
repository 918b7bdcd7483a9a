//! Which catalogs exist and which are open. At start the registry reads each catalog's
//! manifest, never its index, so start-up costs the same whatever the catalogs hold. A catalog
//! opens on its first search or write and stays in a cache bounded by the bytes its open form
//! holds, least recently used out first. At most one open form of a catalog exists at a time:
//! a catalog evicted while a search or a write still holds it is handed out again, not opened
//! a second time, so a write can never land in a copy the cache has already dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Instant, SystemTime};

use moka::policy::EvictionPolicy;
use moka::sync::Cache;

use super::catalog::{info_of, validate_catalog_name, Catalog, CatalogInfo};
use crate::error::{Error, Result};
use crate::index::{CatalogGeneration, SCHEMA_VERSION};

/// Seconds a client should wait before asking again for a catalog that cannot be read.
const UNAVAILABLE_RETRY_SECS: u64 = 30;

/// What the registry knows of a catalog without opening it.
#[derive(Debug, Clone)]
enum State {
    /// Created by a write that has not finished yet: no generation to search.
    Empty,
    /// Serving; stats from the live generation's manifest. `None` when the generation has
    /// no manifest of this version yet (written by an older kirana): known once opened.
    Ready(Option<CatalogInfo>),
    /// Its files cannot be read; only a full replace may bring it back.
    Unavailable(String),
}

/// A catalog the registry knows of.
struct Slot {
    dir: PathBuf,
    state: RwLock<State>,
    /// The open form, while anyone holds it. Opening happens under this lock, so concurrent
    /// first searches open a catalog once.
    open: Mutex<Weak<Catalog>>,
}

impl Slot {
    fn state(&self) -> State {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_state(&self, state: State) {
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = state;
    }
}

/// How the cache is doing, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    /// Catalogs the registry knows.
    pub catalogs: usize,
    /// Catalogs open in the cache.
    pub open: u64,
    /// KiB the open catalogs hold, by their own count.
    pub weight_kib: u64,
}

/// Catalog names → slots, and the cache of open catalogs.
pub struct Registry {
    dir: PathBuf,
    slots: RwLock<BTreeMap<String, Arc<Slot>>>,
    cache: Cache<String, Arc<Catalog>>,
}

impl Registry {
    /// Scans `dir` (`data_dir/catalogs`): every catalog directory's live manifest. Half-built
    /// generations are removed. Returns the registry and the catalogs whose generation was
    /// written by an older kirana (to open once, off the request path).
    pub fn scan(dir: PathBuf, cache_mb: u64) -> Result<(Registry, Vec<String>)> {
        std::fs::create_dir_all(&dir)?;
        let started = Instant::now();
        let mut slots = BTreeMap::new();
        let mut outdated = Vec::new();
        let entries: Vec<std::fs::DirEntry> = std::fs::read_dir(&dir)?.flatten().collect();
        // Thousands of small manifests: read in parallel, so a cold page cache costs the
        // latency of a few reads at a time, not of every read in turn.
        let scanned = super::read_in_parallel(entries, |entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if validate_catalog_name(&name).is_err() || !is_dir {
                return None;
            }
            let state = scan_catalog(&name, &entry.path());
            Some((name, entry.path(), state))
        });
        for (name, path, state) in scanned.into_iter().flatten() {
            if matches!(state, State::Ready(None)) {
                outdated.push(name.clone());
            }
            slots.insert(name, Arc::new(slot(path, state)));
        }
        tracing::info!(
            catalogs = slots.len(),
            ms = started.elapsed().as_millis() as u64,
            "catalogs registered"
        );
        let cache = Cache::builder()
            .max_capacity(cache_mb.saturating_mul(1024))
            .eviction_policy(EvictionPolicy::lru())
            .weigher(|_name: &String, catalog: &Arc<Catalog>| {
                u32::try_from(catalog.heap_bytes().div_ceil(1024)).unwrap_or(u32::MAX)
            })
            .build();
        Ok((
            Registry {
                dir,
                slots: RwLock::new(slots),
                cache,
            },
            outdated,
        ))
    }

    /// Removes the generations a crash left half-built in every catalog: run after start,
    /// so that start-up reads only manifests.
    pub fn sweep_half_built(&self, before: SystemTime) {
        let dirs: Vec<PathBuf> = self
            .slots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .map(|name| self.dir.join(name))
            .collect();
        for dir in dirs {
            remove_half_built(&dir, Some(before));
        }
    }

    fn slot(&self, name: &str) -> Option<Arc<Slot>> {
        self.slots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    /// The open form of a searchable catalog: from the cache, or opened now.
    pub fn open(&self, name: &str) -> Result<Arc<Catalog>> {
        validate_catalog_name(name)?;
        if let Some(catalog) = self.cache.get(name) {
            return Ok(catalog);
        }
        let slot = self.slot(name).ok_or_else(|| not_found(name))?;
        let mut open = slot.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(catalog) = open.upgrade().filter(|c| c.live().is_some()) {
            self.cache.insert(name.to_string(), Arc::clone(&catalog));
            return Ok(catalog);
        }
        match slot.state() {
            State::Empty => return Err(not_found(name)),
            State::Unavailable(reason) => return Err(unavailable(name, &reason)),
            State::Ready(_) => {}
        }
        let started = Instant::now();
        match Catalog::open(name, slot.dir.clone()) {
            Ok(Some(catalog)) => {
                let catalog = Arc::new(catalog);
                slot.set_state(State::Ready(catalog.info()));
                *open = Arc::downgrade(&catalog);
                self.cache.insert(name.to_string(), Arc::clone(&catalog));
                metrics::counter!("kirana_catalog_opens_total").increment(1);
                metrics::histogram!("kirana_catalog_open_seconds")
                    .record(started.elapsed().as_secs_f64());
                tracing::debug!(catalog = %name, us = started.elapsed().as_micros() as u64, "catalog opened");
                Ok(catalog)
            }
            Ok(None) => {
                slot.set_state(State::Empty);
                Err(not_found(name))
            }
            Err(err) => {
                tracing::error!(catalog = %name, %err, "catalog cannot be opened; it answers catalog_unavailable until a full replace");
                metrics::counter!("kirana_catalog_open_failures_total").increment(1);
                let reason = "its files on disk cannot be read".to_string();
                slot.set_state(State::Unavailable(reason.clone()));
                Err(unavailable(name, &reason))
            }
        }
    }

    /// The open form a write task works on: the catalog as it is, a new empty one when it
    /// does not exist yet, or, for a full replace (`replace`), a fresh one in place of a
    /// catalog whose files cannot be read.
    pub fn open_for_write(&self, name: &str, replace: bool) -> Result<Arc<Catalog>> {
        validate_catalog_name(name)?;
        let slot = {
            let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
            Arc::clone(
                slots
                    .entry(name.to_string())
                    .or_insert_with(|| Arc::new(slot(self.dir.join(name), State::Empty))),
            )
        };
        match slot.state() {
            State::Ready(_) => return self.open(name),
            State::Unavailable(reason) if !replace => return Err(unavailable(name, &reason)),
            State::Unavailable(_) | State::Empty => {}
        }
        let mut open = slot.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(catalog) = open.upgrade() {
            return Ok(catalog);
        }
        std::fs::create_dir_all(&slot.dir)?;
        let catalog = Arc::new(Catalog::create(name, slot.dir.clone()));
        *open = Arc::downgrade(&catalog);
        Ok(catalog)
    }

    /// Records that a write changed `catalog`: its stats, and its weight in the cache.
    pub fn written(&self, catalog: &Arc<Catalog>) {
        let Some(slot) = self.slot(&catalog.name) else {
            return;
        };
        if let Some(info) = catalog.info() {
            slot.set_state(State::Ready(Some(info)));
            self.cache.insert(catalog.name.clone(), Arc::clone(catalog));
        }
    }

    /// Weighs an open catalog again after it loaded more (its suggestions).
    pub fn reweigh(&self, catalog: &Arc<Catalog>) {
        if self.cache.contains_key(&catalog.name) {
            self.cache.insert(catalog.name.clone(), Arc::clone(catalog));
        }
    }

    /// Forgets a catalog that never got a generation (its first write failed) and removes its
    /// directory, unless it holds something else.
    pub fn forget_empty(&self, name: &str) {
        let mut slots = self.slots.write().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = slots.get(name) else {
            return;
        };
        if !matches!(slot.state(), State::Empty) {
            return;
        }
        let dir = slot.dir.clone();
        slots.remove(name);
        drop(slots);
        // Only an empty directory goes: synonyms set meanwhile stay.
        let _ = std::fs::remove_dir(&dir);
    }

    /// Stats of one catalog, without opening it (it is opened when its stats are not known
    /// yet, once after an upgrade).
    pub fn info(&self, name: &str) -> Result<CatalogInfo> {
        validate_catalog_name(name)?;
        let slot = self.slot(name).ok_or_else(|| not_found(name))?;
        match slot.state() {
            State::Empty => Err(not_found(name)),
            State::Ready(Some(info)) => Ok(info),
            State::Ready(None) => self
                .open(name)
                .and_then(|c| c.info().ok_or_else(|| not_found(name))),
            State::Unavailable(reason) => Ok(unavailable_info(name, reason)),
        }
    }

    /// A page of catalogs by name, and how many there are; no index is opened.
    pub fn list(&self, limit: usize, offset: usize) -> (Vec<CatalogInfo>, usize) {
        let slots = self.slots.read().unwrap_or_else(|e| e.into_inner());
        let mut total = 0;
        let mut page = Vec::new();
        for (name, slot) in slots.iter() {
            let info = match slot.state() {
                State::Empty => continue,
                State::Ready(Some(info)) => info,
                State::Ready(None) => CatalogInfo {
                    catalog: name.clone(),
                    documents: 0,
                    generation: 0,
                    updated_at: String::new(),
                    size_bytes: 0,
                    state: "ready",
                    reason: Some(
                        "written by an older kirana; stats shown once it is opened".into(),
                    ),
                },
                State::Unavailable(reason) => unavailable_info(name, reason),
            };
            if total >= offset && page.len() < limit {
                page.push(info);
            }
            total += 1;
        }
        (page, total)
    }

    /// Whether a catalog exists with a generation (ready or unavailable).
    pub fn exists(&self, name: &str) -> bool {
        self.slot(name)
            .is_some_and(|slot| !matches!(slot.state(), State::Empty))
    }

    /// Forgets a catalog and deletes its files. The caller has stopped its writes.
    pub fn remove(&self, name: &str) -> Result<()> {
        let removed = self
            .slots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        self.cache.invalidate(name);
        if let Some(slot) = removed {
            match std::fs::remove_dir_all(&slot.dir) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    /// Catalogs known, open, and the weight of the open ones.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.run_pending_tasks();
        CacheStats {
            catalogs: self.slots.read().unwrap_or_else(|e| e.into_inner()).len(),
            open: self.cache.entry_count(),
            weight_kib: self.cache.weighted_size(),
        }
    }
}

fn slot(dir: PathBuf, state: State) -> Slot {
    Slot {
        dir,
        state: RwLock::new(state),
        open: Mutex::new(Weak::new()),
    }
}

/// What a catalog directory holds, read from its pointer and manifest alone.
fn scan_catalog(name: &str, dir: &Path) -> State {
    match CatalogGeneration::current_manifest(dir) {
        Ok(Some(manifest)) if manifest.schema_version == SCHEMA_VERSION => {
            State::Ready(Some(info_of(&manifest)))
        }
        Ok(Some(_)) => State::Ready(None),
        Ok(None) => match CatalogGeneration::current_number(dir) {
            Ok(Some(_)) => State::Ready(None),
            _ => State::Empty,
        },
        Err(err) => {
            tracing::error!(catalog = %name, %err, "catalog pointer or manifest unreadable");
            State::Unavailable("its files on disk cannot be read".into())
        }
    }
}

/// Removes the half-built generations (`gen-*.tmp`) in a catalog directory: all of them (a
/// failed write's), or those last changed before `before` (a crash's; younger ones belong to
/// writes of this process).
pub(super) fn remove_half_built(dir: &Path, before: Option<SystemTime>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = before.is_none_or(|before| {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|modified| modified < before)
        });
        if name.starts_with("gen-") && name.ends_with(".tmp") && stale {
            tracing::info!(dir = %entry.path().display(), "removing half-built generation");
            if let Err(err) = std::fs::remove_dir_all(entry.path()) {
                tracing::warn!(dir = %entry.path().display(), %err, "could not remove half-built generation");
            }
        }
    }
}

fn not_found(name: &str) -> Error {
    Error::not_found(
        "catalog_not_found",
        format!("no catalog named {name:?}; create it with PUT /v1/catalogs/{name}/products"),
    )
}

fn unavailable(name: &str, reason: &str) -> Error {
    Error::unavailable(
        "catalog_unavailable",
        format!("catalog {name:?} cannot serve: {reason}. Other catalogs are unaffected; a full replace (PUT /v1/catalogs/{name}/products) rebuilds it"),
        UNAVAILABLE_RETRY_SECS,
    )
}

fn unavailable_info(name: &str, reason: String) -> CatalogInfo {
    CatalogInfo {
        catalog: name.to_string(),
        documents: 0,
        generation: 0,
        updated_at: String::new(),
        size_bytes: 0,
        state: "unavailable",
        reason: Some(reason),
    }
}
