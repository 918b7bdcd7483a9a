//! A catalog's own synonym groups: checked, stored beside its generations, and turned into the
//! set searches use together with the built-in lexicon.

use std::path::Path;
use std::sync::Arc;

use crate::analysis::synonyms::Synonyms;
use crate::error::{Error, Result};

/// Most synonym groups a catalog may define.
pub const MAX_SYNONYM_GROUPS: usize = 10_000;
/// Most terms in one synonym group.
pub const MAX_SYNONYM_TERMS: usize = 50;
/// Longest synonym term, in characters.
pub const MAX_SYNONYM_CHARS: usize = 100;

/// The catalog's own synonym groups, next to its generations.
const SYNONYMS_FILE: &str = "synonyms.json";

/// Checks a catalog's synonym groups; the message names the first bad group.
pub fn validate(groups: &[Vec<String>]) -> Result<()> {
    let invalid = |message: String| Err(Error::invalid("invalid_synonyms", message));
    if groups.len() > MAX_SYNONYM_GROUPS {
        return invalid(format!(
            "at most {MAX_SYNONYM_GROUPS} synonym groups, got {}",
            groups.len()
        ));
    }
    for (at, group) in groups.iter().enumerate() {
        if !(2..=MAX_SYNONYM_TERMS).contains(&group.len()) {
            return invalid(format!(
                "synonym group {at} must have 2 to {MAX_SYNONYM_TERMS} terms, got {}",
                group.len()
            ));
        }
        for term in group {
            let chars = term.chars().count();
            if chars > MAX_SYNONYM_CHARS || crate::analysis::tokens(term).is_empty() {
                return invalid(format!(
                    "synonym group {at}: term {term:?} must have 1 to {MAX_SYNONYM_CHARS} characters with at least one letter or digit"
                ));
            }
        }
    }
    Ok(())
}

/// The groups stored in a catalog directory (none when there is no file).
pub fn read(dir: &Path) -> Result<Vec<Vec<String>>> {
    match std::fs::read(dir.join(SYNONYMS_FILE)) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes)?),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(err) => Err(err.into()),
    }
}

/// Stores the groups in a catalog directory, atomically.
pub fn write(dir: &Path, groups: &[Vec<String>]) -> Result<()> {
    let json = serde_json::to_vec_pretty(groups)?;
    crate::index::write_atomically(&dir.join(SYNONYMS_FILE), &json)?;
    Ok(())
}

/// The set searches use: the built-in lexicon, plus the catalog's groups when it has some.
pub fn set_of(groups: &[Vec<String>]) -> Arc<Synonyms> {
    if groups.is_empty() {
        Synonyms::builtin()
    } else {
        Arc::new(Synonyms::with_extra(groups))
    }
}

/// Bytes a catalog's own groups add in memory (an estimate from their text).
pub fn heap_bytes(groups: &[Vec<String>]) -> usize {
    // The built-in lexicon is shared; a catalog with its own groups holds a merged copy.
    const MERGED_LEXICON_BYTES: usize = 256 * 1024;
    if groups.is_empty() {
        return 0;
    }
    let text: usize = groups.iter().flatten().map(|t| 48 + t.len() * 4).sum();
    MERGED_LEXICON_BYTES + text
}
