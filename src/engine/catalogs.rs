//! The catalogs the engine serves, each with its live generation.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::Serialize;

use crate::analysis::synonyms::Synonyms;
use crate::error::{Error, Result};
use crate::index::CatalogGeneration;
use crate::suggest::Suggester;

/// How long suggestions wait after a change before rebuilding, so bursts rebuild once.
const SUGGEST_DEBOUNCE: Duration = Duration::from_millis(200);

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

/// One catalog: its directory and live generation.
pub struct Catalog {
    /// Catalog name.
    pub name: String,
    /// `data_dir/catalogs/<name>`.
    pub dir: PathBuf,
    live: RwLock<Option<Arc<CatalogGeneration>>>,
    suggester: RwLock<Option<Arc<Suggester>>>,
    /// The catalog's own synonym groups and, built from them, the set searches use.
    synonyms: RwLock<(Vec<Vec<String>>, Arc<Synonyms>)>,
    suggest_dirty: AtomicBool,
    suggest_rebuilding: AtomicBool,
}

/// Stats shown by `GET /v1/catalogs/{catalog}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CatalogInfo {
    pub catalog: String,
    pub documents: u64,
    pub generation: u64,
    pub updated_at: String,
    pub size_bytes: u64,
}

impl Catalog {
    /// The live generation, if the catalog has one.
    pub fn live(&self) -> Option<Arc<CatalogGeneration>> {
        self.live.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn new(
        name: &str,
        dir: PathBuf,
        live: Option<Arc<CatalogGeneration>>,
        suggester: Option<Arc<Suggester>>,
    ) -> Catalog {
        let groups = match read_synonyms(&dir) {
            Ok(groups) => groups,
            Err(err) => {
                tracing::error!(catalog = %name, %err, "could not read the catalog's synonyms; using the built-in ones");
                Vec::new()
            }
        };
        let synonyms = synonym_set(&groups);
        Catalog {
            name: name.to_string(),
            dir,
            live: RwLock::new(live),
            suggester: RwLock::new(suggester),
            synonyms: RwLock::new((groups, synonyms)),
            suggest_dirty: AtomicBool::new(false),
            suggest_rebuilding: AtomicBool::new(false),
        }
    }

    /// Makes `generation` live together with its suggestions; returns the generation it
    /// replaced.
    pub fn swap(
        &self,
        generation: Arc<CatalogGeneration>,
        suggester: Arc<Suggester>,
    ) -> Option<Arc<CatalogGeneration>> {
        let mut live = self.live.write().unwrap_or_else(|e| e.into_inner());
        *self.suggester.write().unwrap_or_else(|e| e.into_inner()) = Some(suggester);
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
        let mut slot = self.synonyms.write().unwrap_or_else(|e| e.into_inner());
        let json = serde_json::to_vec_pretty(&groups)?;
        crate::index::write_atomically(&self.dir.join(SYNONYMS_FILE), &json)?;
        let synonyms = synonym_set(&groups);
        *slot = (groups, synonyms);
        Ok(())
    }

    /// The suggestion index of the live generation.
    pub fn suggester(&self) -> Option<Arc<Suggester>> {
        self.suggester
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Rebuilds suggestions from the live generation soon, once for a burst of changes.
    pub fn suggestions_changed(self: &Arc<Self>) {
        self.suggest_dirty.store(true, Ordering::SeqCst);
        if self.suggest_rebuilding.swap(true, Ordering::SeqCst) {
            return;
        }
        let catalog = Arc::clone(self);
        let spawned = std::thread::Builder::new().name("kirana-suggest".into()).spawn(move || loop {
            std::thread::sleep(SUGGEST_DEBOUNCE);
            catalog.suggest_dirty.store(false, Ordering::SeqCst);
            if let Some(generation) = catalog.live() {
                match build_suggester(&generation) {
                    Ok(suggester) => *catalog.suggester.write().unwrap_or_else(|e| e.into_inner()) = Some(suggester),
                    Err(err) => tracing::error!(catalog = %catalog.name, %err, "suggestion rebuild failed"),
                }
            }
            catalog.suggest_rebuilding.store(false, Ordering::SeqCst);
            // A change that arrived during the rebuild needs one more round, unless another
            // thread has already started it.
            if !catalog.suggest_dirty.load(Ordering::SeqCst) || catalog.suggest_rebuilding.swap(true, Ordering::SeqCst) {
                return;
            }
        });
        if let Err(err) = spawned {
            self.suggest_rebuilding.store(false, Ordering::SeqCst);
            tracing::error!(%err, "could not start the suggestion rebuild");
        }
    }

    /// Current stats, if the catalog has a live generation.
    pub fn info(&self) -> Option<CatalogInfo> {
        let generation = self.live()?;
        let snapshot = generation.snapshot();
        Some(CatalogInfo {
            catalog: self.name.clone(),
            documents: snapshot.documents(),
            generation: generation.number,
            updated_at: snapshot.updated_at.clone(),
            size_bytes: generation.size_bytes(),
        })
    }
}

/// The catalog's own synonym groups, next to its generations.
const SYNONYMS_FILE: &str = "synonyms.json";

fn read_synonyms(dir: &std::path::Path) -> Result<Vec<Vec<String>>> {
    match std::fs::read(dir.join(SYNONYMS_FILE)) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(err.into()),
    }
}

fn synonym_set(groups: &[Vec<String>]) -> Arc<Synonyms> {
    if groups.is_empty() {
        Synonyms::builtin()
    } else {
        Arc::new(Synonyms::with_extra(groups))
    }
}

/// Builds the suggestion index of a generation from its stored products.
pub fn build_suggester(generation: &CatalogGeneration) -> crate::error::Result<Arc<Suggester>> {
    let products = generation.products()?;
    Ok(Arc::new(crate::suggest::build(&products)?))
}

/// A live generation that does not open under this version's schema is rebuilt from the
/// products it stores; any other failure stands.
fn upgrade_outdated(
    name: &str,
    catalog_dir: &std::path::Path,
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
    tracing::info!(catalog = %name, generation = generation.number, "catalog rebuilt for this version");
    Ok(Some(generation))
}

/// Name → catalog.
pub struct Catalogs {
    dir: PathBuf,
    map: RwLock<BTreeMap<String, Arc<Catalog>>>,
}

impl Catalogs {
    /// No catalogs yet; `dir` is `data_dir/catalogs`.
    pub fn new(dir: PathBuf) -> Catalogs {
        Catalogs {
            dir,
            map: RwLock::new(BTreeMap::new()),
        }
    }

    /// Opens every catalog on disk. A catalog that fails to open is logged and skipped.
    pub fn load_all(&self) -> Result<()> {
        for entry in std::fs::read_dir(&self.dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if validate_catalog_name(&name).is_err() || !entry.path().is_dir() {
                continue;
            }
            match CatalogGeneration::open_current(&entry.path())
                .or_else(|err| upgrade_outdated(&name, &entry.path(), err))
            {
                Ok(Some(generation)) => {
                    tracing::info!(catalog = %name, generation = generation.number, docs = generation.snapshot().documents(), "catalog loaded");
                    let suggester = match build_suggester(&generation) {
                        Ok(suggester) => Some(suggester),
                        Err(err) => {
                            tracing::error!(catalog = %name, %err, "could not build suggestions");
                            None
                        }
                    };
                    let catalog =
                        Catalog::new(&name, entry.path(), Some(Arc::new(generation)), suggester);
                    self.write().insert(name, Arc::new(catalog));
                }
                Ok(None) => {
                    tracing::info!(catalog = %name, "catalog has no finished generation yet")
                }
                Err(err) => tracing::error!(catalog = %name, %err, "could not open catalog"),
            }
        }
        Ok(())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Catalog>>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Catalog>>> {
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    /// A catalog by name.
    pub fn get(&self, name: &str) -> Option<Arc<Catalog>> {
        self.read().get(name).cloned()
    }

    /// All catalogs, by name.
    pub fn all(&self) -> Vec<Arc<Catalog>> {
        self.read().values().cloned().collect()
    }

    /// A catalog by name, created (empty, no generation) when missing.
    pub fn get_or_create(&self, name: &str) -> Result<Arc<Catalog>> {
        validate_catalog_name(name)?;
        if let Some(catalog) = self.get(name) {
            return Ok(catalog);
        }
        let dir = self.dir.join(name);
        std::fs::create_dir_all(&dir)?;
        let mut map = self.write();
        let catalog = map
            .entry(name.to_string())
            .or_insert_with(|| Arc::new(Catalog::new(name, dir, None, None)));
        Ok(Arc::clone(catalog))
    }

    /// Forgets a catalog and deletes its files.
    pub fn remove(&self, name: &str) -> Result<()> {
        let removed = self.write().remove(name);
        if let Some(catalog) = removed {
            std::fs::remove_dir_all(&catalog.dir)?;
        }
        Ok(())
    }
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
