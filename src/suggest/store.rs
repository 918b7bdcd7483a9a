//! A suggestion index on disk: written beside the generation it was built from, read back when
//! a catalog is first asked for suggestions, so that opening never rebuilds it.

use std::collections::HashMap;
use std::path::Path;

use fst::Map;
use serde::{Deserialize, Serialize};

use super::{Entry, Suggester};
use crate::error::{Error, Result};
use crate::index::write_atomically;

/// What is written: the suggester's parts, borrowed.
#[derive(Serialize)]
struct Written<'a> {
    map: &'a [u8],
    groups: &'a [Vec<u32>],
    entries: &'a [Entry],
    short: Vec<(&'a [u8], &'a [u32])>,
    top: &'a [u32],
    words: &'a [Box<[Box<str>]>],
}

/// What is read back.
#[derive(Deserialize)]
struct Read {
    map: Vec<u8>,
    groups: Vec<Vec<u32>>,
    entries: Vec<Entry>,
    short: Vec<(Vec<u8>, Vec<u32>)>,
    top: Vec<u32>,
    words: Vec<Box<[Box<str>]>>,
}

fn corrupt(path: &Path, err: impl std::fmt::Display) -> Error {
    Error::internal(format!("{}: {err}", path.display()))
}

/// Writes `suggester`, built from commit `opstamp`, into the generation directory `dir`;
/// returns the file name.
pub fn write(dir: &Path, opstamp: u64, suggester: &Suggester) -> Result<String> {
    let name = format!("suggest-{opstamp}.bin");
    let mut short: Vec<(&[u8], &[u32])> = suggester
        .short
        .iter()
        .map(|(key, list)| (key.as_slice(), list.as_slice()))
        .collect();
    short.sort_unstable();
    let written = Written {
        map: suggester.map.as_fst().as_bytes(),
        groups: &suggester.groups,
        entries: &suggester.entries,
        short,
        top: &suggester.top,
        words: &suggester.words,
    };
    let bytes = postcard::to_stdvec(&written).map_err(|err| corrupt(&dir.join(&name), err))?;
    write_atomically(&dir.join(&name), &bytes)?;
    Ok(name)
}

/// Reads a suggestion index written by [`write`].
pub fn read(path: &Path) -> Result<Suggester> {
    let bytes = std::fs::read(path).map_err(|err| corrupt(path, err))?;
    let read: Read = postcard::from_bytes(&bytes).map_err(|err| corrupt(path, err))?;
    let entries = read.entries.len() as u32;
    let in_range = |list: &[u32]| list.iter().all(|&at| at < entries);
    let consistent = read.groups.iter().all(|g| in_range(g))
        && read.short.iter().all(|(_, l)| in_range(l))
        && in_range(&read.top)
        && read.words.len() == read.entries.len();
    if !consistent {
        return Err(corrupt(path, "entry numbers out of range"));
    }
    let map = Map::new(read.map).map_err(|err| corrupt(path, err))?;
    Ok(Suggester {
        map,
        groups: read.groups,
        entries: read.entries,
        short: read.short.into_iter().collect::<HashMap<_, _>>(),
        top: read.top,
        words: read.words,
    })
}
