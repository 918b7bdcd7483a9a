//! Ranking. Per DESIGN: matched words, then text relevance (match quality and field weight,
//! bucketed so near-equal matches count as equal), then availability, size match and
//! popularity; ties break by id. Orderable products come before the rest among products that
//! match the same number of words.

use std::cmp::Ordering;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tantivy::{DocAddress, DocId, Score, SegmentReader};

use super::plan::COVERAGE_SCORE;
use crate::analysis::{Quantity, Unit};
use crate::index::Snapshot;

/// Relevance buckets grow geometrically by this ratio: text scores within about this factor
/// of each other are treated as equal, so popularity orders them. A ratio rather than a
/// width keeps typo matches (scores near 1) as finely ordered as exact ones (near 4).
const RELEVANCE_BUCKET_RATIO: f32 = 1.2;

/// Result order asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Popularity,
}

impl Sort {
    /// Parses the `sort` parameter.
    pub fn parse(text: &str) -> Option<Sort> {
        Some(match text {
            "relevance" => Sort::Relevance,
            "price_asc" => Sort::PriceAsc,
            "price_desc" => Sort::PriceDesc,
            "popularity" => Sort::Popularity,
            _ => return None,
        })
    }
}

/// Sort key of a hit: compared field by field, greater is better.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct RankKey {
    coverage: u32,
    orderable: u8,
    primary: f32,
    size_match: u8,
    secondary: f32,
    /// `u64::MAX - id_sort_key`, so smaller ids rank first.
    id_rev: u64,
    /// The text score shown to clients.
    pub score: f32,
}

/// Orders two keys best first.
pub fn compare(a: &RankKey, b: &RankKey) -> Ordering {
    b.partial_cmp(a).unwrap_or(Ordering::Equal)
}

/// Computes [`RankKey`]s inside the collector from fast fields.
#[derive(Clone)]
pub struct Ranker {
    sort: Sort,
    quantity: Option<Quantity>,
    has_text: bool,
    /// Popularity of products that carry none.
    neutral_popularity: f64,
}

struct SegmentColumns {
    orderable: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    popularity: Option<tantivy::columnar::Column<f64>>,
    id_sort: Arc<dyn tantivy::columnar::ColumnValues<u64>>,
    price: Option<tantivy::columnar::Column<f64>>,
    size_value: Option<tantivy::columnar::Column<f64>>,
    size_unit: Option<tantivy::columnar::Column<u64>>,
}

impl SegmentColumns {
    fn open(segment: &SegmentReader) -> SegmentColumns {
        let fast = segment.fast_fields();
        let max_doc = segment.max_doc();
        let u64_col = |name: &str| {
            fast.u64(name)
                .map(|c| c.first_or_default_col(0))
                .unwrap_or_else(|_| {
                    tantivy::columnar::Column::build_empty_column(max_doc).first_or_default_col(0)
                })
        };
        SegmentColumns {
            orderable: u64_col("orderable"),
            id_sort: u64_col("id_sort"),
            popularity: fast.f64("popularity").ok(),
            price: fast.f64("price").ok(),
            size_value: fast.f64("size_value").ok(),
            size_unit: fast.u64("size_unit").ok(),
        }
    }
}

impl Ranker {
    /// A ranker for one search.
    pub fn new(
        sort: Sort,
        quantity: Option<Quantity>,
        has_text: bool,
        neutral_popularity: f64,
    ) -> Ranker {
        Ranker {
            sort,
            quantity,
            has_text,
            neutral_popularity,
        }
    }

    /// The per-segment key function tantivy's `tweak_score` wants.
    pub fn into_sort_key_fn(
        self,
    ) -> impl Fn(&SegmentReader) -> Box<dyn Fn(DocId, Score) -> RankKey> + Send + Sync + 'static
    {
        move |segment: &SegmentReader| {
            let columns = SegmentColumns::open(segment);
            let ranker = self.clone();
            Box::new(move |doc: DocId, score: Score| ranker.key(&columns, doc, score))
        }
    }

    fn key(&self, columns: &SegmentColumns, doc: DocId, score: Score) -> RankKey {
        let coverage = (score / COVERAGE_SCORE) as u32;
        let text = score - coverage as f32 * COVERAGE_SCORE;
        let bucketed = (text.max(1e-3).ln() / RELEVANCE_BUCKET_RATIO.ln()).floor();
        let popularity = columns
            .popularity
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(self.neutral_popularity) as f32;
        let price = || columns.price.as_ref().and_then(|c| c.first(doc));
        let size_match = self.quantity.is_some_and(|wanted| {
            let value = columns.size_value.as_ref().and_then(|c| c.first(doc));
            let unit = columns.size_unit.as_ref().and_then(|c| c.first(doc)).and_then(Unit::from_code);
            matches!((value, unit), (Some(value), Some(unit)) if wanted.same_size(&Quantity { value, unit }))
        });
        let (primary, secondary) = match self.sort {
            Sort::Relevance if self.has_text => (bucketed, popularity),
            Sort::Relevance | Sort::Popularity => (popularity, text),
            Sort::PriceAsc => (price().map_or(f32::MIN, |p| -(p as f32)), text),
            Sort::PriceDesc => (price().map_or(f32::MIN, |p| p as f32), text),
        };
        RankKey {
            coverage,
            orderable: columns.orderable.get_val(doc) as u8,
            primary,
            size_match: size_match as u8,
            secondary,
            id_rev: u64::MAX - columns.id_sort.get_val(doc),
            score: if self.has_text { score } else { popularity },
        }
    }
}

/// Looks up the id of each collected hit.
pub fn with_ids(snapshot: &Snapshot, top: Vec<(RankKey, DocAddress)>) -> Vec<(RankKey, String)> {
    top.into_iter()
        .map(|(key, address)| (key, snapshot.id(address).to_string()))
        .collect()
}
