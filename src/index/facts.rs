//! What ranking reads of every document, decoded once per snapshot into plain arrays: the
//! product id and its place in id order, availability, popularity, price and pack size.
//! Reading them from tantivy's columns per hit costs an optional-index lookup for every
//! sparse column (popularity, price, size); a search touches thousands of hits, a snapshot is
//! built once per change.

use serde::{Deserialize, Serialize};
use tantivy::columnar::Column;
use tantivy::{DocAddress, Searcher, SegmentReader};

use crate::analysis::{Quantity, Unit};
use crate::error::Result;

/// One document's ranking inputs, 24 bytes: ten thousand small catalogs hold millions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DocFacts {
    /// Position of the product id among all ids of the snapshot, in byte order: ties between
    /// equally good hits break by it.
    pub id_rank: u32,
    /// Popularity, or the catalog's median for products without one.
    pub popularity: f32,
    /// Effective price; NaN when the product has none.
    price: f64,
    /// Pack size in base units (exact in `f32` for any pack a shop sells), with its unit.
    size_value: f32,
    size_unit: Option<Unit>,
    /// Whether a shopper can order it now.
    pub orderable: bool,
    /// Whether it sells below its regular price now.
    pub on_sale: bool,
}

impl DocFacts {
    /// Facts of one document.
    pub fn new(
        id_rank: u32,
        orderable: bool,
        popularity: f32,
        price: Option<f64>,
        size: Option<Quantity>,
        on_sale: bool,
    ) -> DocFacts {
        DocFacts {
            id_rank,
            popularity,
            price: price.unwrap_or(f64::NAN),
            size_value: size.map_or(0.0, |q| q.value as f32),
            size_unit: size.map(|q| q.unit),
            orderable,
            on_sale,
        }
    }

    /// Effective price, when the product has one.
    pub fn price(&self) -> Option<f64> {
        (!self.price.is_nan()).then_some(self.price)
    }

    /// Pack size in base units, when the title or feed gave one.
    pub fn size(&self) -> Option<Quantity> {
        self.size_unit.map(|unit| Quantity {
            value: f64::from(self.size_value),
            unit,
        })
    }
}

/// The product ids of one segment, by doc id, in one string: a few bytes a product instead of
/// an allocation each.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
struct IdColumn {
    text: String,
    /// End of each doc's id in `text`.
    ends: Vec<u32>,
}

impl IdColumn {
    fn from_ids(ids: &[Box<str>]) -> IdColumn {
        let mut column = IdColumn {
            text: String::with_capacity(ids.iter().map(|id| id.len()).sum()),
            ends: Vec::with_capacity(ids.len()),
        };
        for id in ids {
            column.text.push_str(id);
            column.ends.push(column.text.len() as u32);
        }
        column
    }

    fn get(&self, doc: usize) -> Option<&str> {
        let end = *self.ends.get(doc)? as usize;
        let start = match doc {
            0 => 0,
            _ => self.ends[doc - 1] as usize,
        };
        self.text.get(start..end)
    }

    fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * 4
    }
}

/// Ids and facts of every document of a snapshot, by segment and doc id. Written with each
/// commit and read back when a catalog opens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocTable {
    ids: Vec<IdColumn>,
    facts: Vec<Vec<DocFacts>>,
    /// Each document's kind as a small ordinal (kinds numbered in the table, [`NO_KIND`] for
    /// none): two bytes a product, apart from [`DocFacts`] so it costs no padding there.
    kinds: Vec<Vec<u16>>,
    /// The low 16 bits of each document's product name code: packs of one product share it,
    /// and two names of one kind among a search's matches rarely collide.
    names: Vec<Vec<u16>>,
    /// Popularity assumed for products that carry none: the catalog's median.
    pub neutral_popularity: f64,
}

impl DocTable {
    /// Decodes the table from the searcher's segments.
    pub fn build(searcher: &Searcher) -> Result<DocTable> {
        let ids = id_table(searcher)?;
        let neutral_popularity = median_popularity(searcher);
        let ranks = id_ranks(&ids);
        let facts = searcher
            .segment_readers()
            .iter()
            .zip(ranks)
            .map(|(segment, ranks)| segment_facts(segment, ranks, neutral_popularity))
            .collect();
        Ok(DocTable {
            ids: ids.iter().map(|ids| IdColumn::from_ids(ids)).collect(),
            facts,
            kinds: kind_table(searcher),
            names: name_table(searcher),
            neutral_popularity,
        })
    }

    /// The product id of a document ("" for an address outside the snapshot).
    pub fn id(&self, address: DocAddress) -> &str {
        self.ids
            .get(address.segment_ord as usize)
            .and_then(|ids| ids.get(address.doc_id as usize))
            .unwrap_or("")
    }

    /// The kind ordinal of a document ([`NO_KIND`] for none): equal for products of one
    /// category path.
    pub fn kind(&self, address: DocAddress) -> u16 {
        self.kinds
            .get(address.segment_ord as usize)
            .and_then(|kinds| kinds.get(address.doc_id as usize))
            .copied()
            .unwrap_or(NO_KIND)
    }

    /// A code of the document's product name, the same for every pack of one product.
    pub fn name(&self, address: DocAddress) -> u16 {
        self.names
            .get(address.segment_ord as usize)
            .and_then(|names| names.get(address.doc_id as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Whether the table has one segment of `max_doc` documents for each of `segments`.
    pub fn fits(&self, segments: &[u32]) -> bool {
        self.ids.len() == segments.len()
            && self.facts.len() == segments.len()
            && self.kinds.len() == segments.len()
            && self.names.len() == segments.len()
            && segments.iter().enumerate().all(|(at, &max_doc)| {
                let max_doc = max_doc as usize;
                self.ids[at].ends.len() == max_doc
                    && self.facts[at].len() == max_doc
                    && self.kinds[at].len() == max_doc
                    && self.names[at].len() == max_doc
            })
    }

    /// Bytes the table holds.
    pub fn heap_bytes(&self) -> usize {
        let ids: usize = self.ids.iter().map(IdColumn::heap_bytes).sum();
        let facts: usize = self
            .facts
            .iter()
            .map(|f| f.capacity() * std::mem::size_of::<DocFacts>())
            .sum();
        let kinds: usize = self
            .kinds
            .iter()
            .chain(&self.names)
            .map(|k| k.capacity() * 2)
            .sum();
        ids + facts + kinds
    }

    /// The facts of every document of segment `segment_ord`, by doc id.
    pub fn segment(&self, segment_ord: usize) -> &[DocFacts] {
        self.facts.get(segment_ord).map_or(&[], Vec::as_slice)
    }
}

/// The kind ordinal of a product without a category, or of a catalog's kinds beyond the
/// 65,535th.
pub const NO_KIND: u16 = u16::MAX;

/// Every document's kind ordinal, by segment and doc id: the `kind` column's codes numbered
/// in order of first appearance.
fn kind_table(searcher: &Searcher) -> Vec<Vec<u16>> {
    let mut ordinals: std::collections::HashMap<u64, u16> = Default::default();
    u64_table(searcher, "kind", |code| {
        let Some(code) = code else {
            return NO_KIND;
        };
        let next = ordinals.len();
        *ordinals
            .entry(code)
            .or_insert_with(|| u16::try_from(next).unwrap_or(NO_KIND))
    })
}

/// Every document's name code, cut to 16 bits, by segment and doc id.
fn name_table(searcher: &Searcher) -> Vec<Vec<u16>> {
    u64_table(searcher, "name_code", |code| code.unwrap_or(0) as u16)
}

/// A u64 column's value of every document (`None` where it has none), mapped, by segment and
/// doc id.
fn u64_table<T>(
    searcher: &Searcher,
    name: &str,
    mut map: impl FnMut(Option<u64>) -> T,
) -> Vec<Vec<T>> {
    searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let column = segment.fast_fields().u64(name).ok();
            (0..segment.max_doc())
                .map(|doc| map(column.as_ref().and_then(|c| c.first(doc))))
                .collect()
        })
        .collect()
}

/// Every document's product id, by segment and doc id. Looking an id up in the id column's
/// dictionary costs a block decompression per hit; this table (about 30 bytes a product)
/// makes it an index.
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

/// Each document's place in the byte order of all ids, by segment and doc id.
fn id_ranks(ids: &[Vec<Box<str>>]) -> Vec<Vec<u32>> {
    let mut order: Vec<(&str, usize, usize)> = ids
        .iter()
        .enumerate()
        .flat_map(|(segment, ids)| {
            ids.iter()
                .enumerate()
                .map(move |(doc, id)| (&**id, segment, doc))
        })
        .collect();
    order.sort_unstable();
    let mut ranks: Vec<Vec<u32>> = ids.iter().map(|ids| vec![0; ids.len()]).collect();
    for (rank, (_, segment, doc)) in order.into_iter().enumerate() {
        ranks[segment][doc] = rank as u32;
    }
    ranks
}

fn segment_facts(segment: &SegmentReader, ranks: Vec<u32>, neutral: f64) -> Vec<DocFacts> {
    let fast = segment.fast_fields();
    let f64_column = |name: &str| fast.f64(name).ok();
    let orderable = fast.u64("orderable").ok();
    let on_sale = fast.u64("on_sale").ok();
    let size_unit = fast.u64("size_unit").ok();
    let (popularity, price, size_value) = (
        f64_column("popularity"),
        f64_column("price"),
        f64_column("size_value"),
    );
    let first = |column: &Option<Column<f64>>, doc: u32| column.as_ref().and_then(|c| c.first(doc));
    ranks
        .into_iter()
        .enumerate()
        .map(|(doc, id_rank)| {
            let doc = doc as u32;
            let unit = size_unit
                .as_ref()
                .and_then(|c| c.first(doc))
                .and_then(Unit::from_code);
            DocFacts::new(
                id_rank,
                orderable.as_ref().and_then(|c| c.first(doc)) == Some(1),
                first(&popularity, doc).unwrap_or(neutral) as f32,
                first(&price, doc),
                match (first(&size_value, doc), unit) {
                    (Some(value), Some(unit)) => Some(Quantity { value, unit }),
                    _ => None,
                },
                on_sale.as_ref().and_then(|c| c.first(doc)) == Some(1),
            )
        })
        .collect()
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
