//! One generation of a catalog: an opened tantivy index plus the snapshot searches read.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use tantivy::directory::MmapDirectory;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, FieldType};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

use super::directory::{LoadedDirectory, WriterDirectory};
use super::facts::DocTable;
use super::manifest::{dir_size, Manifest, SCHEMA_VERSION};
use super::serving::{self, ServingData};
use super::{schema, write_atomically, Fields, WordDictionary};
use crate::analysis::register_analyzers;
use crate::error::{Error, Result};

const CURRENT: &str = "CURRENT";

/// What one search reads: a searcher and the word dictionary of the same commit.
pub struct Snapshot {
    /// tantivy searcher over the committed segments.
    pub searcher: Searcher,
    /// The catalog's word dictionary for that commit.
    pub words: WordDictionary,
    /// Field handles.
    pub fields: Fields,
    /// When the catalog last changed (RFC 3339).
    pub updated_at: String,
    /// Ids and ranking inputs of every document.
    pub docs: DocTable,
    /// tantivy opstamp of the commit.
    pub opstamp: u64,
    /// Tokens indexed in each text field, by field id.
    field_tokens: Vec<Option<u64>>,
    /// BM25 of each text field, by field id, for a word in no document (a term's weight is
    /// this one scaled by its idf): made when a search first needs the field, since each is
    /// a kilobyte and a small catalog's searches touch only some of its fields.
    bm25: Box<[OnceLock<Option<Box<Bm25Weight>>>]>,
    /// The unfiltered best sellers with their scores, computed by the first browse that
    /// needs them (the search module decides what is in it).
    pub best_sellers: OnceLock<Vec<(f32, DocAddress)>>,
}

impl Snapshot {
    /// Live documents.
    pub fn documents(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Whether some live or deleted document carries `text` as a whole term of `field` (the
    /// exact fields: brands, names, heads, word pairs).
    pub fn has_term(&self, field: Field, text: &str) -> bool {
        let term = tantivy::Term::from_field_text(field, text);
        self.searcher.doc_freq(&term).is_ok_and(|n| n > 0)
    }

    /// The whole terms of `field` that start with `prefix`, with how many live or deleted
    /// documents carry each, over every segment.
    pub fn terms_with_prefix(&self, field: Field, prefix: &str) -> Vec<(String, u64)> {
        let mut found: std::collections::BTreeMap<String, u64> = Default::default();
        for segment in self.searcher.segment_readers() {
            let Ok(index) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = index.terms().range().ge(prefix.as_bytes()).into_stream() else {
                continue;
            };
            while stream.advance() {
                if !stream.key().starts_with(prefix.as_bytes()) {
                    break;
                }
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    *found.entry(term.to_string()).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        found.into_iter().collect()
    }

    /// The product id of a document.
    pub fn id(&self, address: DocAddress) -> &str {
        self.docs.id(address)
    }

    /// BM25 of a text field for a word in no document (`None` for other fields).
    pub fn bm25(&self, field: Field) -> Option<&Bm25Weight> {
        let id = field.field_id() as usize;
        self.bm25
            .get(id)?
            .get_or_init(|| {
                let tokens = (*self.field_tokens.get(id)?)?;
                // As tantivy counts them, deleted documents included, like the token counts
                // and the idf the executor scales this weight by.
                let documents = self.searcher.total_num_docs().ok()?.max(1);
                let average = tokens as f32 / documents as f32;
                Some(Box::new(Bm25Weight::for_one_term_without_explain(
                    0, documents, average,
                )))
            })
            .as_deref()
    }
}

/// A complete, opened generation of a catalog.
pub struct CatalogGeneration {
    /// Generation number, increasing with every full replace.
    pub number: u64,
    dir: PathBuf,
    fields: Fields,
    snapshot: RwLock<Arc<Snapshot>>,
    /// The files of the live commit, kept so a reopen after a change shares unchanged ones.
    directory: Mutex<LoadedDirectory>,
    manifest: Mutex<Manifest>,
}

/// What one snapshot's index and tables hold in memory.
fn snapshot_bytes(directory: &LoadedDirectory, snapshot: &Snapshot) -> usize {
    /// tantivy's index, schema and readers of one segment, and the BM25 tables searches
    /// make: measured as the resident memory of 600 opens of a 300-product catalog searched
    /// with six messages, beyond what the other terms count (a small catalog's term
    /// dictionaries are counted whole, though only the fields its searches use are read).
    const SEGMENT_READER_BYTES: usize = 16 * 1024;
    directory.loaded_bytes()
        + snapshot.words.size_bytes()
        + snapshot.docs.heap_bytes()
        + snapshot.searcher.segment_readers().len() * SEGMENT_READER_BYTES
}

impl CatalogGeneration {
    /// Directory name of generation `number`.
    pub fn dir_name(number: u64) -> String {
        format!("gen-{number:06}")
    }

    /// Opens a finished generation directory: reads its manifest and the files of its live
    /// commit; the word dictionary and document table come from the serving file the manifest
    /// names. A generation without a manifest (an older kirana) or whose serving file does not
    /// describe its live commit (a crash between the two writes) gets them computed and
    /// written once. A generation of another schema version is refused.
    pub fn open(dir: &Path, number: u64) -> Result<CatalogGeneration> {
        let manifest = Manifest::read(dir)?;
        if let Some(manifest) = &manifest {
            if manifest.schema_version != SCHEMA_VERSION {
                return Err(Error::internal(format!(
                    "{}: written under schema version {}, this kirana reads {SCHEMA_VERSION}",
                    dir.display(),
                    manifest.schema_version
                )));
            }
        }
        let directory = LoadedDirectory::load(dir, None)?;
        let index = open_index(&directory)?;
        let fields = Fields::of(&index.schema())?;
        let stored = manifest
            .as_ref()
            .and_then(|m| serving::read(&dir.join(&m.serving), m.opstamp));
        let (snapshot, written) = build_snapshot(&index, fields, stored)?;
        directory.release_meta();
        let mut manifest = manifest.unwrap_or_else(|| Manifest {
            catalog: catalog_name(dir),
            generation: number,
            documents: 0,
            updated_at: String::new(),
            size_bytes: 0,
            schema_version: SCHEMA_VERSION,
            opstamp: 0,
            serving: String::new(),
            suggest: None,
            suggest_opstamp: None,
        });
        if let Some(data) = written {
            tracing::info!(dir = %dir.display(), opstamp = snapshot.opstamp, "writing the serving file of the live commit");
            manifest.serving = serving::write(dir, &data)?;
            manifest.opstamp = snapshot.opstamp;
            manifest.documents = snapshot.documents();
            manifest.updated_at = snapshot.updated_at.clone();
            manifest.size_bytes = dir_size(dir);
            manifest.write(dir)?;
        }
        Ok(CatalogGeneration {
            number,
            dir: dir.to_path_buf(),
            fields,
            snapshot: RwLock::new(Arc::new(snapshot)),
            directory: Mutex::new(directory),
            manifest: Mutex::new(manifest),
        })
    }

    /// Creates an empty index in `dir` (which must exist and be empty).
    pub(super) fn create_index(dir: &Path) -> Result<Index> {
        let directory = MmapDirectory::open(dir)
            .map_err(|err| Error::internal(format!("{}: {err}", dir.display())))?;
        let index = Index::create(
            directory,
            schema::build_schema(),
            tantivy::IndexSettings::default(),
        )?;
        register_analyzers(&index);
        Ok(index)
    }

    /// Opens the generation's index on disk for writing.
    pub(super) fn writable_index(&self) -> Result<Index> {
        let on_disk = MmapDirectory::open(&self.dir)
            .map_err(|err| Error::internal(format!("{}: {err}", self.dir.display())))?;
        let live = self
            .directory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let index = Index::open(WriterDirectory::new(on_disk, live))?;
        register_analyzers(&index);
        Ok(index)
    }

    /// The snapshot searches should read now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Field handles.
    pub fn fields(&self) -> Fields {
        self.fields
    }

    /// Picks up the latest commit on disk: reads its new files, builds the word dictionary
    /// and document table, writes them and the manifest, then lets searches see it.
    pub fn refresh(&self) -> Result<()> {
        let mut directory = self.directory.lock().unwrap_or_else(|e| e.into_inner());
        let loaded = LoadedDirectory::load(&self.dir, Some(&directory))?;
        let index = open_index(&loaded)?;
        let (snapshot, written) = build_snapshot(&index, self.fields, None)?;
        loaded.release_meta();
        let data =
            written.ok_or_else(|| Error::internal("a refreshed snapshot has no serving data"))?;
        let serving = serving::write(&self.dir, &data)?;
        self.update_manifest(|manifest| {
            manifest.serving = serving;
            manifest.opstamp = snapshot.opstamp;
            manifest.documents = snapshot.documents();
            manifest.updated_at = snapshot.updated_at.clone();
        })?;
        *directory = loaded;
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snapshot);
        Ok(())
    }

    /// The manifest as last written.
    pub fn manifest(&self) -> Manifest {
        self.manifest
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Changes the manifest, measures the generation's size and writes it.
    pub fn update_manifest(&self, change: impl FnOnce(&mut Manifest)) -> Result<()> {
        let mut manifest = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = manifest.clone();
        change(&mut next);
        next.size_bytes = dir_size(&self.dir);
        next.write(&self.dir)?;
        *manifest = next;
        Ok(())
    }

    /// Bytes the generation holds in memory for searches (index files, word dictionary,
    /// document table).
    pub fn heap_bytes(&self) -> usize {
        let directory = self.directory.lock().unwrap_or_else(|e| e.into_inner());
        snapshot_bytes(&directory, &self.snapshot())
    }

    /// Bytes the generation takes on disk, as last measured.
    pub fn size_bytes(&self) -> u64 {
        self.manifest().size_bytes
    }

    /// The generation's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Marks this generation replaced: its directory goes once no search reads it.
    pub fn retire(&self) {
        self.directory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retire();
    }

    /// Makes generation `number` the live one of the catalog in `catalog_dir`.
    pub fn publish(catalog_dir: &Path, number: u64) -> Result<()> {
        write_atomically(&catalog_dir.join(CURRENT), format!("{number}\n").as_bytes())?;
        Ok(())
    }

    /// Opens the live generation of a catalog, then removes everything else in its directory
    /// (half-built generations from a crash, replaced generations). `None` when the catalog has
    /// no published generation. Nothing is removed when the live generation does not open.
    pub fn open_current(catalog_dir: &Path) -> Result<Option<CatalogGeneration>> {
        let Some(number) = Self::current_number(catalog_dir)? else {
            return Ok(None);
        };
        let live = Self::dir_name(number);
        let generation = Self::open(&catalog_dir.join(&live), number)?;
        remove_other_generations(catalog_dir, &live);
        Ok(Some(generation))
    }

    /// The number of the catalog's live generation, if it has one.
    pub fn current_number(catalog_dir: &Path) -> Result<Option<u64>> {
        match std::fs::read_to_string(catalog_dir.join(CURRENT)) {
            Ok(text) => text.trim().parse::<u64>().map(Some).map_err(|_| {
                Error::internal(format!("{}: CURRENT holds {text:?}", catalog_dir.display()))
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// The manifest of the catalog's live generation, read without opening it.
    pub fn current_manifest(catalog_dir: &Path) -> Result<Option<Manifest>> {
        let Some(number) = Self::current_number(catalog_dir)? else {
            return Ok(None);
        };
        Manifest::read(&catalog_dir.join(Self::dir_name(number)))
    }

    /// Number the next generation of a catalog should take.
    pub fn next_number(catalog_dir: &Path) -> u64 {
        std::fs::read_dir(catalog_dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().into_owned();
                        name.strip_prefix("gen-")?
                            .split('.')
                            .next()?
                            .parse::<u64>()
                            .ok()
                    })
                    .max()
                    .unwrap_or(0)
            })
            .unwrap_or(0)
            + 1
    }
}

/// Removes every generation directory of a catalog but `live`.
fn remove_other_generations(catalog_dir: &Path, live: &str) {
    for entry in std::fs::read_dir(catalog_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("gen-") && name != live {
            tracing::info!(dir = %entry.path().display(), "removing stale generation");
            if let Err(err) = std::fs::remove_dir_all(entry.path()) {
                tracing::warn!(dir = %entry.path().display(), %err, "could not remove stale generation");
            }
        }
    }
}

/// The catalog a generation directory belongs to: the name of its parent directory.
fn catalog_name(dir: &Path) -> String {
    dir.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn open_index(directory: &LoadedDirectory) -> Result<Index> {
    let index = Index::open(directory.clone())?;
    register_analyzers(&index);
    Ok(index)
}

/// Documents whose decompressed store blocks a searcher keeps: product lookups are rare.
const STORE_CACHE_BLOCKS: usize = 1;

/// The snapshot of the index's live commit. Its word dictionary and document table come from
/// `stored` when that describes the same commit; otherwise they are computed and returned as
/// serving data to write.
fn build_snapshot(
    index: &Index,
    fields: Fields,
    stored: Option<ServingData>,
) -> Result<(Snapshot, Option<ServingData>)> {
    let reader: IndexReader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .doc_store_cache_num_blocks(STORE_CACHE_BLOCKS)
        .try_into()?;
    let searcher = reader.searcher();
    let metas = index.load_metas()?;
    let updated_at = metas.payload.clone().unwrap_or_default();
    let segments: Vec<u32> = searcher
        .segment_readers()
        .iter()
        .map(|s| s.max_doc())
        .collect();
    let (words, docs, field_tokens, written) =
        match stored.filter(|s| s.describes(metas.opstamp, &segments)) {
            Some(data) => (
                WordDictionary::from_bytes(data.words)?,
                data.docs,
                data.field_tokens,
                None,
            ),
            None => {
                let word_fields = super::weighted_text_fields(&fields).map(|(field, _)| field);
                let words = WordDictionary::from_searcher(&searcher, &word_fields)?;
                let docs = DocTable::build(&searcher)?;
                let field_tokens = text_field_tokens(&searcher)?;
                let data = ServingData {
                    opstamp: metas.opstamp,
                    segments,
                    docs: docs.clone(),
                    words: words.as_bytes().to_vec(),
                    field_tokens: field_tokens.clone(),
                };
                (words, docs, field_tokens, Some(data))
            }
        };
    let bm25 = field_tokens.iter().map(|_| OnceLock::new()).collect();
    let snapshot = Snapshot {
        searcher,
        words,
        fields,
        updated_at,
        docs,
        field_tokens,
        bm25,
        opstamp: metas.opstamp,
        best_sellers: OnceLock::new(),
    };
    Ok((snapshot, written))
}

/// Tokens indexed in every text field, by field id (`None` for other fields).
fn text_field_tokens(searcher: &Searcher) -> Result<Vec<Option<u64>>> {
    let mut out = Vec::new();
    for (field, entry) in searcher.schema().fields() {
        let tokens = match entry.field_type() {
            FieldType::Str(options) if options.get_indexing_options().is_some() => {
                Some(searcher.total_num_tokens(field)?)
            }
            _ => None,
        };
        out.push(tokens);
    }
    Ok(out)
}
