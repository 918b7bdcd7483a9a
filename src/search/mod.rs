//! A [`SearchRequest`] against a catalog snapshot becomes ranked hits: the message is parsed,
//! each word is expanded once through the catalog's word dictionary (exact, prefix, typo),
//! every field searches those candidates, filters apply, and [`rank`] orders the matches.

mod execute;
mod merge;
mod plan;
mod rank;

use std::time::Instant;

use serde::Serialize;
use tantivy::DocAddress;

use crate::analysis::synonyms::Synonyms;
use crate::error::{Error, Result};
use crate::index::Snapshot;
use crate::query::ParsedQuery;
pub use rank::Sort;

/// Longest accepted message, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Largest page.
pub const MAX_LIMIT: usize = 100;
/// Deepest page start.
pub const MAX_OFFSET: usize = 10_000;

/// One search, as the API hands it to the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The shopper's message.
    pub q: String,
    pub limit: usize,
    pub offset: usize,
    /// Keep only products a shopper can order now.
    pub in_stock: bool,
    /// Exact brand filters (any of).
    pub brands: Vec<String>,
    /// Exact category filters (any of), a level or a `>` path.
    pub categories: Vec<String>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    pub sort: Sort,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            limit: 10,
            offset: 0,
            in_stock: false,
            brands: Vec::new(),
            categories: Vec::new(),
            price_min: None,
            price_max: None,
            sort: Sort::Relevance,
        }
    }
}

impl SearchRequest {
    /// A request for `q` with defaults.
    pub fn new(q: impl Into<String>) -> Self {
        SearchRequest {
            q: q.into(),
            ..SearchRequest::default()
        }
    }

    /// Checks bounds; messages say what to send instead.
    pub fn validate(&self) -> Result<()> {
        let chars = self.q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(Error::invalid(
                "query_too_long",
                format!("q must be at most {MAX_QUERY_CHARS} characters, got {chars}"),
            ));
        }
        if !(1..=MAX_LIMIT).contains(&self.limit) {
            return Err(Error::invalid(
                "invalid_limit",
                format!(
                    "limit must be between 1 and {MAX_LIMIT}, got {}",
                    self.limit
                ),
            ));
        }
        if self.offset > MAX_OFFSET {
            return Err(Error::invalid(
                "invalid_offset",
                format!("offset must be at most {MAX_OFFSET}, got {}", self.offset),
            ));
        }
        for (name, value) in [("price_min", self.price_min), ("price_max", self.price_max)] {
            if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
                return Err(Error::invalid(
                    "invalid_price",
                    format!("{name} must be a non-negative number"),
                ));
            }
        }
        if let (Some(min), Some(max)) = (self.price_min, self.price_max) {
            if min > max {
                return Err(Error::invalid(
                    "invalid_price",
                    format!("price_min ({min}) must not exceed price_max ({max})"),
                ));
            }
        }
        Ok(())
    }
}

/// What was understood of the message, echoed to the client.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Understood {
    /// Product words searched.
    pub terms: Vec<String>,
    /// Pack quantity asked for.
    pub quantity: Option<crate::analysis::Quantity>,
    /// A brand of this catalog named in the message.
    pub brand: Option<String>,
    pub price_max: Option<f64>,
    pub price_min: Option<f64>,
    /// Chat words that were ignored.
    pub ignored: Vec<String>,
    /// True when not every word could be matched and the results match fewer words.
    pub relaxed: bool,
}

/// One ranked product.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
}

/// A page of ranked hits.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchResults {
    pub query: String,
    pub understood: Understood,
    pub total_hits: u64,
    pub hits: Vec<Hit>,
    pub next_offset: Option<usize>,
    pub took_us: u64,
}

/// Runs a validated request against one snapshot, with the catalog's synonyms.
pub fn search(
    snapshot: &Snapshot,
    synonyms: &Synonyms,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let started = Instant::now();
    let parsed = ParsedQuery::parse(&request.q);
    let filters = plan::Filters::new(request, &parsed);
    let want = request.offset + request.limit;
    let brand = plan::spot_brand(snapshot, &parsed.terms);
    let mut relaxed = false;
    let cached = if is_plain_browse(&parsed, &filters, request) {
        best_sellers(snapshot, want)?
    } else {
        None
    };
    let (mut total, mut top) = match cached {
        Some(found) => found,
        None => match plan::text_query(snapshot, &parsed, synonyms, false, brand.as_deref()) {
            Some(matching) => run(snapshot, &matching, &filters, &parsed, request, want)?,
            None => (0, Vec::new()),
        },
    };
    if total == 0 && parsed.terms.len() > 1 {
        relaxed = true;
        if let Some(matching) = plan::text_query(snapshot, &parsed, synonyms, true, None) {
            (total, top) = run(snapshot, &matching, &filters, &parsed, request, want)?;
        }
    }
    let hits = top
        .into_iter()
        .skip(request.offset)
        .map(|(score, id)| Hit { id, score })
        .collect::<Vec<_>>();
    let next_offset = (total as usize > want).then_some(want);
    Ok(SearchResults {
        query: request.q.clone(),
        understood: Understood {
            terms: parsed.terms.clone(),
            quantity: parsed.quantity,
            brand,
            price_max: filters.price_max,
            price_min: filters.price_min,
            ignored: parsed.fillers.clone(),
            relaxed,
        },
        total_hits: total,
        hits,
        next_offset,
        took_us: started.elapsed().as_micros() as u64,
    })
}

/// The total number of matches and the top ones as (score, id), best first.
type Ranked = (u64, Vec<(f32, String)>);

/// Best sellers cached per snapshot: what a greeting gets.
const BEST_SELLERS: usize = 500;

/// Whether the request is a greeting with nothing to filter or sort by: every product,
/// best sellers first, the same for every such request until the catalog changes.
fn is_plain_browse(parsed: &ParsedQuery, filters: &plan::Filters, request: &SearchRequest) -> bool {
    parsed.is_browse()
        && parsed.quantity.is_none()
        && filters.is_empty()
        && matches!(request.sort, Sort::Relevance | Sort::Popularity)
}

/// The first `want` best sellers from the snapshot's cache, computed by the first request
/// that needs them; `None` when the page lies beyond the cache.
fn best_sellers(snapshot: &Snapshot, want: usize) -> Result<Option<Ranked>> {
    let total = snapshot.documents();
    if want > BEST_SELLERS && total as usize > BEST_SELLERS {
        return Ok(None);
    }
    let cached = match snapshot.best_sellers.get() {
        Some(cached) => cached,
        None => {
            let ranker = rank::Ranker::new(Sort::Popularity, None, false);
            let ranked = ranked(
                snapshot,
                &execute::Matching::Everything,
                &plan::Filters::default(),
                ranker,
            )?;
            let top = rank::best(ranked, BEST_SELLERS)
                .into_iter()
                .map(|(key, doc)| (key.score, doc))
                .collect();
            snapshot.best_sellers.get_or_init(|| top)
        }
    };
    let top = cached
        .iter()
        .take(want)
        .map(|(score, doc)| (*score, snapshot.id(*doc).to_string()))
        .collect();
    Ok(Some((total, top)))
}

/// Every match with its sort key, relevance counted from the best match down.
fn ranked(
    snapshot: &Snapshot,
    matching: &execute::Matching,
    filters: &plan::Filters,
    ranker: rank::Ranker,
) -> Result<Vec<(rank::RankKey, DocAddress)>> {
    let mut matches = Vec::new();
    execute::run(snapshot, matching, filters, |address, facts, score| {
        matches.push((address, facts, score));
    })?;
    let ranker = ranker.anchored(matches.iter().map(|&(_, _, score)| score));
    Ok(matches
        .into_iter()
        .map(|(address, facts, score)| (ranker.key(facts, score), address))
        .collect())
}

/// The total number of matches and the top `want` hits with their ids, best first.
fn run(
    snapshot: &Snapshot,
    matching: &execute::Matching,
    filters: &plan::Filters,
    parsed: &ParsedQuery,
    request: &SearchRequest,
    want: usize,
) -> Result<Ranked> {
    let ranker = rank::Ranker::new(request.sort, parsed.quantity, !parsed.is_browse());
    let hits = ranked(snapshot, matching, filters, ranker)?;
    let total = hits.len() as u64;
    let top = rank::best(hits, want)
        .into_iter()
        .map(|(key, doc)| (key.score, snapshot.id(doc).to_string()))
        .collect();
    Ok((total, top))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{sample, Product};
    use crate::index::{CatalogGeneration, GenerationBuilder};
    use proptest::prelude::*;

    /// Every 20th product of the demo catalog (2,500, every kind and script the demo has).
    fn demo_sample() -> (tempfile::TempDir, CatalogGeneration, Vec<Product>) {
        let products: Vec<Product> = sample::demo_catalog().into_iter().step_by(20).collect();
        let dir = tempfile::tempdir().unwrap();
        let mut builder = GenerationBuilder::create(dir.path(), 1, 1, 50 << 20).unwrap();
        let fields = builder.fields();
        for product in &products {
            builder.add(&product.id, fields.document(product)).unwrap();
        }
        (dir, builder.finish().unwrap(), products)
    }

    #[test]
    fn every_product_is_found_by_its_own_title_in_each_script_it_carries() {
        let (_dir, generation, products) = demo_sample();
        let snapshot = generation.snapshot();
        let synonyms = Synonyms::builtin();
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
        runner
            .run(&(0..products.len()), |at| {
                let product = &products[at];
                for title in std::iter::once(&product.title).chain(product.titles.values()) {
                    let request = SearchRequest {
                        q: title.clone(),
                        limit: MAX_LIMIT,
                        ..SearchRequest::default()
                    };
                    let found = search(&snapshot, &synonyms, &request).unwrap();
                    prop_assert!(
                        found.hits.iter().any(|hit| hit.id == product.id),
                        "{} not found by {title:?}: {:?}",
                        product.id,
                        found.hits.iter().take(5).collect::<Vec<_>>()
                    );
                }
                Ok(())
            })
            .unwrap();
    }
}
