//! The serving file of one commit: the catalog's word dictionary and the document table,
//! computed when the commit is made and read back when the catalog opens, so that opening a
//! catalog reads files instead of walking its index.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::facts::DocTable;
use super::write_atomically;
use crate::error::{Error, Result};

/// What a commit's searches need beyond the index itself.
#[derive(Debug, Serialize, Deserialize)]
pub struct ServingData {
    /// tantivy opstamp of the commit.
    pub opstamp: u64,
    /// `max_doc` of each segment of the commit, in the searcher's order.
    pub segments: Vec<u32>,
    /// Ids and ranking inputs of every document.
    pub docs: DocTable,
    /// The word dictionary's fst.
    pub words: Vec<u8>,
    /// Tokens indexed in each field, by field id (`None` for fields not searched as text):
    /// what BM25's average field length needs, without opening every field's dictionary.
    pub field_tokens: Vec<Option<u64>>,
}

impl ServingData {
    /// Whether the data describes the commit `opstamp` with these segments.
    pub fn describes(&self, opstamp: u64, segments: &[u32]) -> bool {
        self.opstamp == opstamp && self.segments == segments && self.docs.fits(segments)
    }
}

/// Writes the serving file of `data`'s commit in `dir`; returns its file name.
pub fn write(dir: &Path, data: &ServingData) -> Result<String> {
    let name = format!("serving-{}.bin", data.opstamp);
    let bytes =
        postcard::to_stdvec(data).map_err(|err| Error::internal(format!("serving data: {err}")))?;
    write_atomically(&dir.join(&name), &bytes)?;
    Ok(name)
}

/// Reads a serving file; `None` (logged) when it is missing, unreadable or of another commit.
pub fn read(path: &Path, opstamp: u64) -> Option<ServingData> {
    let decoded = std::fs::read(path)
        .map_err(|err| err.to_string())
        .and_then(|bytes| postcard::from_bytes::<ServingData>(&bytes).map_err(|e| e.to_string()));
    match decoded {
        Ok(data) if data.opstamp == opstamp => Some(data),
        Ok(data) => {
            tracing::warn!(path = %path.display(), found = data.opstamp, opstamp, "serving file of another commit");
            None
        }
        Err(err) => {
            tracing::warn!(path = %path.display(), %err, "serving file unreadable");
            None
        }
    }
}
