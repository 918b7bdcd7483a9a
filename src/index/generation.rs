//! One generation of a catalog: an opened tantivy index plus the snapshot searches read.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use tantivy::directory::MmapDirectory;
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, Searcher};

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
    /// Popularity assumed for products that carry none: the catalog's median.
    pub neutral_popularity: f64,
    /// Every document's product id, by segment and doc id.
    ids: Vec<Vec<Box<str>>>,
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
        self.ids
            .get(address.segment_ord as usize)
            .and_then(|ids| ids.get(address.doc_id as usize))
            .map_or("", |id| id)
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
    let neutral_popularity = median_popularity(&searcher);
    let ids = id_table(&searcher)?;
    Ok(Snapshot {
        searcher,
        words,
        fields,
        updated_at,
        neutral_popularity,
        ids,
        best_sellers: OnceLock::new(),
    })
}

/// Every document's product id, by segment and doc id. Looking an id up in the id column's
/// dictionary costs a block decompression per hit; this table, built once per snapshot
/// (about 30 bytes a product), makes it an index.
fn id_table(searcher: &Searcher) -> Result<Vec<Vec<Box<str>>>> {
    let mut table = Vec::with_capacity(searcher.segment_readers().len());
    for segment in searcher.segment_readers() {
        let mut ids: Vec<Box<str>> = vec![Box::default(); segment.max_doc() as usize];
        if let Some(column) = segment.fast_fields().str("id")? {
            let mut terms: Vec<Box<str>> = Vec::with_capacity(column.num_terms());
            let mut stream = column.dictionary().stream()?;
            while stream.advance() {
                terms.push(String::from_utf8_lossy(stream.key()).into());
            }
            for (doc, slot) in ids.iter_mut().enumerate() {
                if let Some(term) = column
                    .term_ords(doc as u32)
                    .next()
                    .and_then(|ord| terms.get(ord as usize))
                {
                    *slot = term.clone();
                }
            }
        }
        table.push(ids);
    }
    Ok(table)
}

/// The median popularity of the products that have one: what a product without a figure (a
/// new item, loose produce) is ranked as, rather than as the least popular of all.
fn median_popularity(searcher: &Searcher) -> f64 {
    let mut values: Vec<f64> = Vec::new();
    for segment in searcher.segment_readers() {
        let Ok(column) = segment.fast_fields().f64("popularity") else {
            continue;
        };
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_none_or(|bits| bits.is_alive(doc)) {
                values.extend(column.first(doc));
            }
        }
    }
    if values.is_empty() {
        return 0.0;
    }
    let middle = values.len() / 2;
    *values
        .select_nth_unstable_by(middle, |a, b| a.total_cmp(b))
        .1
}
