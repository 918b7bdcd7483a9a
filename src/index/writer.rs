//! Writing catalogs: [`GenerationBuilder`] builds a whole new generation beside the live one
//! (full replace); [`CatalogGeneration::apply_changes`] upserts and deletes in the live one.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::{now_rfc3339, CatalogGeneration, Fields};
use crate::catalog::Product;
use crate::error::{Error, Result};

/// tantivy's smallest writer arena per thread; plenty for a batch of upserts.
const CHANGE_WRITER_MEMORY: usize = 15_000_000;

/// Builds a new generation in a `.tmp` directory; nothing is visible until [`finish`].
///
/// [`finish`]: GenerationBuilder::finish
pub struct GenerationBuilder {
    number: u64,
    tmp_dir: PathBuf,
    final_dir: PathBuf,
    writer: IndexWriter<TantivyDocument>,
    fields: Fields,
    seen: HashSet<String>,
    duplicates: u64,
}

impl GenerationBuilder {
    /// Starts generation `number` of the catalog in `catalog_dir`.
    pub fn create(
        catalog_dir: &Path,
        number: u64,
        threads: usize,
        memory_bytes: usize,
    ) -> Result<Self> {
        let name = CatalogGeneration::dir_name(number);
        let tmp_dir = catalog_dir.join(format!("{name}.tmp"));
        if tmp_dir.exists() {
            std::fs::remove_dir_all(&tmp_dir)?;
        }
        std::fs::create_dir_all(&tmp_dir)?;
        let index = CatalogGeneration::create_index(&tmp_dir)?;
        let fields = Fields::of(&index.schema())?;
        let writer = index
            .writer_with_num_threads(threads, memory_bytes.max(threads * CHANGE_WRITER_MEMORY))?;
        Ok(GenerationBuilder {
            number,
            tmp_dir,
            final_dir: catalog_dir.join(name),
            writer,
            fields,
            seen: HashSet::new(),
            duplicates: 0,
        })
    }

    /// Field handles, for building documents in parallel before [`add`](Self::add).
    pub fn fields(&self) -> Fields {
        self.fields
    }

    /// Adds a product's document. A second product with the same id replaces the first.
    pub fn add(&mut self, id: &str, document: TantivyDocument) -> Result<()> {
        if !self.seen.insert(id.to_string()) {
            self.writer
                .delete_term(Term::from_field_text(self.fields.id, id));
            self.duplicates += 1;
        }
        self.writer.add_document(document)?;
        Ok(())
    }

    /// Ids seen more than once so far (the last one wins).
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Distinct products added so far.
    pub fn products(&self) -> u64 {
        self.seen.len() as u64
    }

    /// Commits, merges into few segments and moves the generation to its final directory.
    /// The caller publishes it with [`CatalogGeneration::publish`].
    pub fn finish(mut self) -> Result<CatalogGeneration> {
        let mut commit = self.writer.prepare_commit()?;
        commit.set_payload(&now_rfc3339());
        commit.commit()?;
        let index = self.writer.index().clone();
        let segments = index.searchable_segment_ids()?;
        if segments.len() > 1 {
            // One segment searches fastest; a 50,000-product merge takes well under a second.
            self.writer.merge(&segments).wait()?;
        }
        self.writer.garbage_collect_files().wait()?;
        self.writer.wait_merging_threads()?;
        drop(index);
        if self.final_dir.exists() {
            std::fs::remove_dir_all(&self.final_dir)?;
        }
        std::fs::rename(&self.tmp_dir, &self.final_dir)?;
        if let Some(parent) = self.final_dir.parent() {
            std::fs::File::open(parent)?.sync_all()?;
        }
        CatalogGeneration::open(&self.final_dir, self.number)
    }

    /// Drops the half-built generation and its files.
    pub fn abandon(self) {
        let tmp_dir = self.tmp_dir.clone();
        drop(self.writer);
        if let Err(err) = std::fs::remove_dir_all(&tmp_dir) {
            tracing::warn!(dir = %tmp_dir.display(), %err, "could not remove abandoned generation");
        }
    }
}

/// What an incremental change did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ChangeStats {
    /// Products written (new or replaced).
    pub upserted: u64,
    /// Ids deleted that existed.
    pub deleted: u64,
    /// Ids in the request that did not exist.
    pub missing: u64,
}

/// One change of a batch applied to a live generation.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Products to add or replace, by id.
    Upsert(Vec<Product>),
    /// Ids to delete.
    Delete(Vec<String>),
}

impl CatalogGeneration {
    /// Applies `changes` in order in one commit, durably, and refreshes what searches see.
    /// Returns what each change did.
    pub fn apply_changes(&self, changes: &[Change]) -> Result<Vec<ChangeStats>> {
        let fields = self.fields();
        let snapshot = self.snapshot();
        let mut writer: IndexWriter<TantivyDocument> = self
            .writable_index()?
            .writer_with_num_threads(1, CHANGE_WRITER_MEMORY)?;
        // Whether an id exists after the changes so far, where they touched it.
        let mut present: HashMap<&str, bool> = HashMap::new();
        let exists = |id: &str, present: &HashMap<&str, bool>| -> Result<bool> {
            match present.get(id) {
                Some(&known) => Ok(known),
                None => Ok(snapshot
                    .searcher
                    .doc_freq(&Term::from_field_text(fields.id, id))?
                    > 0),
            }
        };
        let mut all = Vec::with_capacity(changes.len());
        for change in changes {
            let mut stats = ChangeStats::default();
            match change {
                Change::Delete(ids) => {
                    for id in ids {
                        if exists(id, &present)? {
                            stats.deleted += 1;
                        } else {
                            stats.missing += 1;
                        }
                        writer.delete_term(Term::from_field_text(fields.id, id));
                        present.insert(id, false);
                    }
                }
                Change::Upsert(products) => {
                    for product in products {
                        writer.delete_term(Term::from_field_text(fields.id, &product.id));
                        writer.add_document(fields.document(product))?;
                        present.insert(&product.id, true);
                        stats.upserted += 1;
                    }
                }
            }
            all.push(stats);
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&now_rfc3339());
        commit.commit()?;
        writer.wait_merging_threads()?;
        self.refresh()?;
        Ok(all)
    }

    /// The stored product with `id`, if present.
    pub fn product(&self, id: &str) -> Result<Option<Product>> {
        use tantivy::schema::document::Value;
        let snapshot = self.snapshot();
        let fields = self.fields();
        let term = Term::from_field_text(fields.id, id);
        let query = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
        let hits = snapshot.searcher.search(
            &query,
            &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
        )?;
        let Some((_, address)) = hits.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = snapshot.searcher.doc(*address)?;
        let json = doc
            .get_first(fields.stored)
            .and_then(|v| v.as_str())
            .ok_or_else(|| Error::internal(format!("product {id} has no stored document")))?;
        Ok(Some(serde_json::from_str(json)?))
    }
}

impl CatalogGeneration {
    /// Every live product of the generation, read from the stored documents.
    pub fn products(&self) -> Result<Vec<Product>> {
        stored_products_in(&self.snapshot().searcher, self.fields().stored)
    }
}

/// Every live product a searcher sees, read from the stored JSON in `stored`.
pub(super) fn stored_products_in(
    searcher: &tantivy::Searcher,
    stored: tantivy::schema::Field,
) -> Result<Vec<Product>> {
    use tantivy::schema::document::Value;
    let mut out = Vec::with_capacity(searcher.num_docs() as usize);
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(64)?;
        let alive = segment.alive_bitset();
        for doc in 0..segment.max_doc() {
            if alive.is_some_and(|bits| !bits.is_alive(doc)) {
                continue;
            }
            let document: TantivyDocument = store.get(doc)?;
            if let Some(json) = document.get_first(stored).and_then(|v| v.as_str()) {
                out.push(serde_json::from_str(json)?);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Product;

    fn product(id: &str, title: &str) -> Product {
        serde_json::from_value(serde_json::json!({"id": id, "title": title})).unwrap()
    }

    /// A snapshot taken before many commits (whose merges delete the segment files it reads
    /// from disk) still finds and reads every product it had.
    #[test]
    fn a_snapshot_outlives_the_files_later_commits_delete() {
        let dir = tempfile::tempdir().unwrap();
        let mut builder = GenerationBuilder::create(dir.path(), 1, 1, 20 << 20).unwrap();
        let fields = builder.fields();
        for n in 0..20 {
            let p = product(&format!("p{n}"), &format!("Basmati Rice pack {n}"));
            builder.add(&p.id, fields.document(&p)).unwrap();
        }
        let generation = builder.finish().unwrap();
        let before = generation.snapshot();
        for n in 0..40 {
            let p = product(&format!("q{n}"), &format!("Toor Dal pack {n}"));
            generation
                .apply_changes(&[
                    Change::Upsert(vec![p]),
                    Change::Delete(vec![format!("p{}", n % 20)]),
                ])
                .unwrap();
        }
        let files = std::fs::read_dir(generation.dir()).unwrap().count();
        assert!(
            files < 60,
            "merges ran and removed old segments: {files} files"
        );
        let term = Term::from_field_text(fields.id, "p7");
        assert_eq!(
            before.searcher.doc_freq(&term).unwrap(),
            1,
            "the old snapshot still counts p7"
        );
        let top = before
            .searcher
            .search(
                &tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic),
                &tantivy::collector::TopDocs::with_limit(1).order_by_score(),
            )
            .unwrap();
        let doc: TantivyDocument = before.searcher.doc(top[0].1).unwrap();
        assert!(
            doc.get_first(fields.stored).is_some(),
            "and reads its stored product"
        );
        assert_eq!(
            generation.snapshot().documents(),
            40,
            "the live one has moved on"
        );
    }
}
