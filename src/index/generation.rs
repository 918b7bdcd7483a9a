//! One generation of a catalog: an opened tantivy index plus the snapshot searches read.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use tantivy::directory::MmapDirectory;
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, FieldType};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

use super::facts::DocTable;
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
    /// BM25 of each indexed text field, by field id, for a word in no document: a term's
    /// weight is this one scaled by its idf.
    bm25: Vec<Option<Bm25Weight>>,
    /// The unfiltered best sellers with their scores, computed by the first browse that
    /// needs them (the search module decides what is in it).
    pub best_sellers: OnceLock<Vec<(f32, DocAddress)>>,
}

impl Snapshot {
    /// Live documents.
    pub fn documents(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// The product id of a document.
    pub fn id(&self, address: DocAddress) -> &str {
        self.docs.id(address)
    }

    /// BM25 of a text field for a word in no document (`None` for other fields).
    pub fn bm25(&self, field: Field) -> Option<&Bm25Weight> {
        self.bm25.get(field.field_id() as usize)?.as_ref()
    }
}

/// A complete, opened generation of a catalog.
pub struct CatalogGeneration {
    /// Generation number, increasing with every full replace.
    pub number: u64,
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    snapshot: RwLock<Arc<Snapshot>>,
}

impl CatalogGeneration {
    /// Directory name of generation `number`.
    pub fn dir_name(number: u64) -> String {
        format!("gen-{number:06}")
    }

    /// Opens a finished generation directory.
    pub fn open(dir: &Path, number: u64) -> Result<CatalogGeneration> {
        let directory = MmapDirectory::open(dir)
            .map_err(|err| Error::internal(format!("{}: {err}", dir.display())))?;
        let index = Index::open(directory)?;
        register_analyzers(&index);
        let fields = Fields::of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let snapshot = Arc::new(build_snapshot(&index, &reader, fields)?);
        Ok(CatalogGeneration {
            number,
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            snapshot: RwLock::new(snapshot),
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

    pub(super) fn index(&self) -> &Index {
        &self.index
    }

    /// Picks up the latest commit: reloads the reader and rebuilds the word dictionary.
    pub fn refresh(&self) -> Result<()> {
        self.reader.reload()?;
        let snapshot = Arc::new(build_snapshot(&self.index, &self.reader, self.fields)?);
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = snapshot;
        Ok(())
    }

    /// Bytes the generation takes on disk.
    pub fn size_bytes(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The generation's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Makes generation `number` the live one of the catalog in `catalog_dir`.
    pub fn publish(catalog_dir: &Path, number: u64) -> Result<()> {
        write_atomically(&catalog_dir.join(CURRENT), format!("{number}\n").as_bytes())?;
        Ok(())
    }

    /// Opens the live generation of a catalog and removes everything else in its directory
    /// (half-built generations from a crash, replaced generations). `None` when the catalog has
    /// no published generation.
    pub fn open_current(catalog_dir: &Path) -> Result<Option<CatalogGeneration>> {
        let Some(number) = Self::current_number(catalog_dir)? else {
            return Ok(None);
        };
        let live = Self::dir_name(number);
        for entry in std::fs::read_dir(catalog_dir)?.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with("gen-") && name != live {
                tracing::info!(dir = %entry.path().display(), "removing stale generation");
                std::fs::remove_dir_all(entry.path())?;
            }
        }
        Self::open(&catalog_dir.join(live), number).map(Some)
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

fn build_snapshot(index: &Index, reader: &IndexReader, fields: Fields) -> Result<Snapshot> {
    let searcher = reader.searcher();
    let word_fields = super::weighted_text_fields(&fields).map(|(field, _)| field);
    let words = WordDictionary::from_searcher(&searcher, &word_fields)?;
    let updated_at = index.load_metas()?.payload.unwrap_or_default();
    let docs = DocTable::build(&searcher)?;
    let bm25 = text_field_bm25(&searcher)?;
    Ok(Snapshot {
        searcher,
        words,
        fields,
        updated_at,
        docs,
        bm25,
        best_sellers: OnceLock::new(),
    })
}

/// BM25 of every indexed text field, by field id, for a word in no document.
fn text_field_bm25(searcher: &Searcher) -> Result<Vec<Option<Bm25Weight>>> {
    let documents = searcher.total_num_docs()?.max(1);
    let mut out = Vec::new();
    for (field, entry) in searcher.schema().fields() {
        let weight = match entry.field_type() {
            FieldType::Str(options) if options.get_indexing_options().is_some() => {
                let tokens = searcher.total_num_tokens(field)?;
                let average = tokens as f32 / documents as f32;
                Some(Bm25Weight::for_one_term_without_explain(
                    0, documents, average,
                ))
            }
            _ => None,
        };
        out.push(weight);
    }
    Ok(out)
}
