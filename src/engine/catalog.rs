//! One open catalog: its live generation, its suggestions (read from the generation's file on
//! first use) and its own synonyms. The registry opens catalogs on demand and keeps them in a
//! cache bounded by what [`Catalog::heap_bytes`] says they hold.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use serde::Serialize;

use super::synonyms;
use crate::analysis::synonyms::Synonyms;
use crate::error::{Error, Result};
use crate::index::CatalogGeneration;
use crate::suggest::Suggester;

/// How long suggestions wait after a change before rebuilding, so bursts rebuild once.
const SUGGEST_DEBOUNCE: Duration = Duration::from_millis(200);
/// What an open catalog holds beyond its parts (the structs, locks and cache entry).
const CATALOG_OVERHEAD_BYTES: usize = 4 * 1024;

/// Checks a catalog name against `[a-z0-9_-]{1,64}`.
pub fn validate_catalog_name(name: &str) -> Result<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "invalid_catalog_name",
            format!("catalog name {name:?} must be 1 to 64 characters of a-z, 0-9, _ and -"),
        ))
    }
}

/// Stats shown by `GET /v1/catalogs/{catalog}` and listed by `GET /v1/catalogs`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CatalogInfo {
    pub catalog: String,
    pub documents: u64,
    pub generation: u64,
    pub updated_at: String,
    pub size_bytes: u64,
    /// `ready`, or `unavailable` when its files cannot be read.
    pub state: &'static str,
    /// Why it is unavailable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One open catalog.
pub struct Catalog {
    /// Catalog name.
    pub name: String,
    /// `data_dir/catalogs/<name>`.
    pub dir: PathBuf,
    live: RwLock<Option<Arc<CatalogGeneration>>>,
    /// Loaded on the first suggestion request.
    suggester: RwLock<Option<Arc<Suggester>>>,
    /// Serializes loading and rebuilding suggestions.
    suggest_lock: Mutex<()>,
    /// The catalog's own synonym groups and, built from them, the set searches use.
    synonyms: RwLock<(Vec<Vec<String>>, Arc<Synonyms>)>,
    /// Serializes synonym changes, so the file is written without holding `synonyms`:
    /// searches meanwhile never wait on a disk write.
    synonyms_changing: Mutex<()>,
    suggest_dirty: AtomicBool,
    suggest_rebuilding: AtomicBool,
}

impl Catalog {
    /// A catalog with no generation yet, for its first write.
    pub fn create(name: &str, dir: PathBuf) -> Catalog {
        Catalog::with_live(name, dir, None)
    }

    /// Opens the catalog's live generation. A generation written under an older schema is
    /// rebuilt from the products it stores; any other failure stands. `Ok(None)` when the
    /// catalog has no published generation.
    pub fn open(name: &str, dir: PathBuf) -> Result<Option<Catalog>> {
        let generation = match CatalogGeneration::open_current(&dir) {
            Ok(generation) => generation,
            Err(err) => upgrade_outdated(name, &dir, err)?,
        };
        Ok(generation.map(|g| Catalog::with_live(name, dir, Some(Arc::new(g)))))
    }

    fn with_live(name: &str, dir: PathBuf, live: Option<Arc<CatalogGeneration>>) -> Catalog {
        let groups = match synonyms::read(&dir) {
            Ok(groups) => groups,
            Err(err) => {
                tracing::error!(catalog = %name, %err, "could not read the catalog's synonyms; using the built-in ones");
                Vec::new()
            }
        };
        let set = synonyms::set_of(&groups);
        Catalog {
            name: name.to_string(),
            dir,
            live: RwLock::new(live),
            suggester: RwLock::new(None),
            suggest_lock: Mutex::new(()),
            synonyms_changing: Mutex::new(()),
            synonyms: RwLock::new((groups, set)),
            suggest_dirty: AtomicBool::new(false),
            suggest_rebuilding: AtomicBool::new(false),
        }
    }

    /// The live generation, if the catalog has one.
    pub fn live(&self) -> Option<Arc<CatalogGeneration>> {
        self.live.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Makes `generation` live; its suggestions are read from its files when next asked for.
    /// Returns the generation it replaced.
    pub fn swap(&self, generation: Arc<CatalogGeneration>) -> Option<Arc<CatalogGeneration>> {
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        *self.suggester.write().unwrap_or_else(|e| e.into_inner()) = None;
        live.replace(generation)
    }

    /// The synonyms searches use: the built-in lexicon plus the catalog's own groups.
    pub fn synonyms(&self) -> Arc<Synonyms> {
        Arc::clone(&self.synonyms.read().unwrap_or_else(|e| e.into_inner()).1)
    }

    /// The catalog's own synonym groups, as the merchant sent them.
    pub fn synonym_groups(&self) -> Vec<Vec<String>> {
        self.synonyms
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone()
    }

    /// Replaces the catalog's own synonym groups: written to disk first, then applied to
    /// searches at once, without a reindex.
    pub fn set_synonym_groups(&self, groups: Vec<Vec<String>>) -> Result<()> {
        let _changing = self
            .synonyms_changing
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        synonyms::write(&self.dir, &groups)?;
        let set = synonyms::set_of(&groups);
        *self.synonyms.write().unwrap_or_else(|e| e.into_inner()) = (groups, set);
        Ok(())
    }

    /// The suggestion index of the live generation, read from its file on first use (built
    /// and written when the generation has none). The flag says whether it was loaded now,
    /// so the caller can weigh the catalog again.
    pub fn suggester(&self) -> Result<(Arc<Suggester>, bool)> {
        if let Some(suggester) = self.loaded_suggester() {
            return Ok((suggester, false));
        }
        let _loading = self.suggest_lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(suggester) = self.loaded_suggester() {
            return Ok((suggester, false));
        }
        let generation = self
            .live()
            .ok_or_else(|| Error::not_found("catalog_not_found", "catalog has no products yet"))?;
        let manifest = generation.manifest();
        let stored = manifest.suggest.as_ref().and_then(|file| {
            crate::suggest::store::read(&generation.dir().join(file))
                .map_err(|err| tracing::warn!(catalog = %self.name, %err, "suggestion file unreadable; rebuilding"))
                .ok()
        });
        let suggester = match stored {
            Some(suggester) => {
                if manifest.suggest_opstamp != Some(manifest.opstamp) {
                    // Written before the last change; a rebuild catches up.
                    self.mark_suggestions_stale();
                }
                Arc::new(suggester)
            }
            None => write_suggester(&generation)?,
        };
        *self.suggester.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&suggester));
        Ok((suggester, true))
    }

    fn loaded_suggester(&self) -> Option<Arc<Suggester>> {
        self.suggester
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn mark_suggestions_stale(&self) {
        self.suggest_dirty.store(true, Ordering::SeqCst);
    }

    /// Rebuilds suggestions from the live generation soon, once for a burst of changes, and
    /// writes them beside it.
    pub fn suggestions_changed(self: &Arc<Self>) {
        self.mark_suggestions_stale();
        if self.suggest_rebuilding.swap(true, Ordering::SeqCst) {
            return;
        }
        let catalog = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("kirana-suggest".into())
            .spawn(move || catalog.rebuild_suggestions());
        if let Err(err) = spawned {
            self.suggest_rebuilding.store(false, Ordering::SeqCst);
            tracing::error!(%err, "could not start the suggestion rebuild");
        }
    }

    fn rebuild_suggestions(self: Arc<Self>) {
        loop {
            std::thread::sleep(SUGGEST_DEBOUNCE);
            self.suggest_dirty.store(false, Ordering::SeqCst);
            if let Some(generation) = self.live() {
                let _building = self.suggest_lock.lock().unwrap_or_else(|e| e.into_inner());
                match write_suggester(&generation) {
                    Ok(suggester) => {
                        let mut loaded = self.suggester.write().unwrap_or_else(|e| e.into_inner());
                        // Only a catalog that serves suggestions keeps them in memory.
                        if loaded.is_some() {
                            *loaded = Some(suggester);
                        }
                    }
                    Err(err) => {
                        tracing::error!(catalog = %self.name, %err, "suggestion rebuild failed")
                    }
                }
            }
            self.suggest_rebuilding.store(false, Ordering::SeqCst);
            // A change that arrived during the rebuild needs one more round, unless another
            // thread has already started it.
            if !self.suggest_dirty.load(Ordering::SeqCst)
                || self.suggest_rebuilding.swap(true, Ordering::SeqCst)
            {
                return;
            }
        }
    }

    /// Current stats, if the catalog has a live generation.
    pub fn info(&self) -> Option<CatalogInfo> {
        let generation = self.live()?;
        Some(info_of(&generation.manifest()))
    }

    /// Bytes the open catalog holds in memory: index files, word dictionary, document table,
    /// suggestions when loaded, its own synonyms.
    pub fn heap_bytes(&self) -> usize {
        let generation = self.live().map_or(0, |g| g.heap_bytes());
        let suggester = self.loaded_suggester().map_or(0, |s| s.heap_bytes());
        let synonyms =
            synonyms::heap_bytes(&self.synonyms.read().unwrap_or_else(|e| e.into_inner()).0);
        CATALOG_OVERHEAD_BYTES + generation + suggester + synonyms
    }
}

/// The stats of a ready catalog, from its live generation's manifest.
pub fn info_of(manifest: &crate::index::Manifest) -> CatalogInfo {
    CatalogInfo {
        catalog: manifest.catalog.clone(),
        documents: manifest.documents,
        generation: manifest.generation,
        updated_at: manifest.updated_at.clone(),
        size_bytes: manifest.size_bytes,
        state: "ready",
        reason: None,
    }
}

/// Builds the suggestion index of a generation from its stored products and writes it beside
/// the generation.
pub fn write_suggester(generation: &CatalogGeneration) -> Result<Arc<Suggester>> {
    let opstamp = generation.snapshot().opstamp;
    let products = generation.products()?;
    let suggester = crate::suggest::build(&products)?;
    let file = crate::suggest::store::write(generation.dir(), opstamp, &suggester)?;
    generation.update_manifest(|manifest| {
        manifest.suggest = Some(file);
        manifest.suggest_opstamp = Some(opstamp);
    })?;
    Ok(Arc::new(suggester))
}

/// A live generation that does not open under this version's schema is rebuilt from the
/// products it stores; any other failure stands.
fn upgrade_outdated(
    name: &str,
    catalog_dir: &Path,
    err: Error,
) -> Result<Option<CatalogGeneration>> {
    let Some(number) = CatalogGeneration::current_number(catalog_dir)? else {
        return Err(err);
    };
    tracing::warn!(catalog = %name, %err, "live generation does not open; rebuilding it from its stored products");
    let generation = crate::index::upgrade::rebuild(catalog_dir, number).map_err(|rebuild| {
        Error::internal(format!(
            "{err}; rebuilding from stored products failed too: {rebuild}"
        ))
    })?;
    write_suggester(&generation)?;
    tracing::info!(catalog = %name, generation = generation.number, "catalog rebuilt for this version");
    Ok(Some(generation))
}

#[cfg(test)]
mod tests {
    use super::validate_catalog_name;

    #[test]
    fn catalog_names_are_checked() {
        for good in ["demo", "shop-42", "a_b", &"x".repeat(64)] {
            assert!(validate_catalog_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Demo", "a b", "../etc", "ü", &"x".repeat(65)] {
            assert!(validate_catalog_name(bad).is_err(), "{bad}");
        }
    }
}
