//! Generations written by an older kirana, whose schema lacks fields this version searches,
//! are rebuilt at start from the products they store, so a merchant's catalog keeps serving
//! across upgrades without a re-upload.

use std::path::Path;

use tantivy::directory::MmapDirectory;
use tantivy::Index;

use super::{CatalogGeneration, GenerationBuilder};
use crate::catalog::Product;
use crate::error::{Error, Result};

/// Writer arena for a rebuild at start; one thread, so loading stays gentle.
const REBUILD_MEMORY: usize = 50_000_000;

/// The live products of the generation in `dir`, read from their stored JSON alone, whatever
/// the rest of its schema.
pub fn stored_products(dir: &Path) -> Result<Vec<Product>> {
    let directory = MmapDirectory::open(dir)
        .map_err(|err| Error::internal(format!("{}: {err}", dir.display())))?;
    let index = Index::open(directory)?;
    let stored = index.schema().get_field("stored")?;
    let searcher = index.reader()?.searcher();
    super::writer::stored_products_in(&searcher, stored)
}

/// Rebuilds the catalog's live generation `number` under this version's schema as the next
/// generation, publishes it and returns it opened.
pub fn rebuild(catalog_dir: &Path, number: u64) -> Result<CatalogGeneration> {
    let old = catalog_dir.join(CatalogGeneration::dir_name(number));
    let products = stored_products(&old)?;
    let next = CatalogGeneration::next_number(catalog_dir);
    let mut builder = GenerationBuilder::create(catalog_dir, next, 1, REBUILD_MEMORY)?;
    let fields = builder.fields();
    for product in &products {
        if let Err(err) = builder.add(&product.id, fields.document(product)) {
            builder.abandon();
            return Err(err);
        }
    }
    let generation = builder.finish()?;
    CatalogGeneration::publish(catalog_dir, next)?;
    if let Err(err) = std::fs::remove_dir_all(&old) {
        tracing::warn!(dir = %old.display(), %err, "could not remove the outdated generation");
    }
    Ok(generation)
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{Schema, STORED, STRING};
    use tantivy::{doc, TantivyDocument};

    use super::*;

    #[test]
    fn a_generation_with_an_older_schema_is_rebuilt_from_its_stored_products() {
        let dir = tempfile::tempdir().unwrap();
        let catalog_dir = dir.path();
        // An "old" generation: only an id and the stored JSON.
        let gen_dir = catalog_dir.join(CatalogGeneration::dir_name(1));
        std::fs::create_dir_all(&gen_dir).unwrap();
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING | STORED);
        let stored = schema.add_text_field("stored", STORED);
        let index = Index::create_in_dir(&gen_dir, schema.build()).unwrap();
        let mut writer = index.writer::<TantivyDocument>(15_000_000).unwrap();
        let product = Product {
            id: "atta-5".into(),
            title: "Aashirvaad Atta 5 kg".into(),
            ..Product::default()
        };
        writer
            .add_document(doc!(id => "atta-5", stored => serde_json::to_string(&product).unwrap()))
            .unwrap();
        writer.commit().unwrap();
        drop(writer);
        CatalogGeneration::publish(catalog_dir, 1).unwrap();
        assert!(
            CatalogGeneration::open_current(catalog_dir).is_err(),
            "old schema"
        );

        let rebuilt = rebuild(catalog_dir, 1).unwrap();
        assert_eq!(rebuilt.number, 2);
        assert_eq!(rebuilt.products().unwrap(), [product]);
        let reopened = CatalogGeneration::open_current(catalog_dir)
            .unwrap()
            .unwrap();
        assert_eq!(reopened.number, 2);
        assert!(!gen_dir.exists(), "the outdated generation is gone");
    }
}
