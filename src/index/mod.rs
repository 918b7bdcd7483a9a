//! Catalog indexes on disk: the tantivy schema, numbered generations with an atomic switch of
//! the live one, the writers for full replaces and incremental changes, and the catalog's word
//! dictionary (an fst) that feeds typo and prefix expansion.
//!
//! Layout of one catalog directory:
//! ```text
//! catalogs/<name>/CURRENT          number of the live generation, replaced atomically
//! catalogs/<name>/gen-000007/      a complete tantivy index, its manifest and serving files
//! catalogs/<name>/gen-000008.tmp/  a generation being built; discarded if found at start
//! ```
//!
//! A generation is self-contained: everything searches and the registry need is in its
//! directory (see [`manifest`]), so it can be copied elsewhere as it is.

mod directory;
mod facts;
mod generation;
mod head;
pub mod manifest;
mod schema;
mod serving;
pub mod upgrade;
mod words;
mod writer;

pub use facts::{DocFacts, DocTable, NO_KIND};
pub use generation::{CatalogGeneration, Snapshot};
pub use head::{lead_names, title_head, title_name_written, MAX_NAME_WORDS};
pub use manifest::{Manifest, SCHEMA_VERSION};
pub use schema::{
    brand_key, brand_kind_key, brand_sound, build_schema, exact_key, product_quantity,
    weighted_text_fields, Fields, BRAND_KIND_SEPARATOR,
};
pub use words::{typo_budget, Candidate, MatchKind, WordDictionary};
pub use writer::{Change, ChangeStats, GenerationBuilder};

use std::path::Path;

/// Current time as RFC 3339, as stored in generations and shown to clients.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// Writes `contents` to `path` atomically: a temporary file, fsync, rename, fsync of the dir.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = path.with_extension("tmp-write");
    {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}
