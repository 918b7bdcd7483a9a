//! Upgrades: a catalog written by an older kirana, whose index lacks fields this version
//! searches, still serves after a restart, rebuilt from the products it stores.

use tantivy::schema::{Schema, STORED, STRING};
use tantivy::{doc, Index, TantivyDocument};

use crate::common::TestApp;

#[tokio::test]
async fn a_catalog_from_an_older_version_is_rebuilt_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let catalog_dir = dir.path().join("catalogs").join("shop");
    let gen_dir = catalog_dir.join("gen-000003");
    std::fs::create_dir_all(&gen_dir).unwrap();
    let mut schema = Schema::builder();
    let id = schema.add_text_field("id", STRING | STORED);
    let stored = schema.add_text_field("stored", STORED);
    let index = Index::create_in_dir(&gen_dir, schema.build()).unwrap();
    let mut writer = index.writer::<TantivyDocument>(15_000_000).unwrap();
    for (pid, title) in [
        ("atta-5", "Aashirvaad Atta 5 kg"),
        ("ghee-1", "Amul Pure Ghee 1 l"),
    ] {
        let json = format!(r#"{{"id":"{pid}","title":"{title}"}}"#);
        writer
            .add_document(doc!(id => pid, stored => json))
            .unwrap();
    }
    writer.commit().unwrap();
    drop(writer);
    std::fs::write(catalog_dir.join("CURRENT"), "3\n").unwrap();

    let path = dir.path().to_path_buf();
    let app = TestApp::with_config(|c| c.data_dir = path);
    assert_eq!(app.search_ids("shop", "q=ghee").await, ["ghee-1"]);
    let info = app.get("/v1/catalogs/shop").await;
    assert_eq!(info.body["documents"], 2);
    assert_eq!(info.body["generation"], 4, "rebuilt as the next generation");
}
