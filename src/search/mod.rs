//! A [`SearchRequest`] against a catalog snapshot becomes ranked hits: the message is parsed,
//! each word is expanded once through the catalog's word dictionary (exact, prefix, typo),
//! every field searches those candidates, filters apply, and [`rank`] orders the matches.

mod execute;
mod lists;
mod merge;
mod plan;
mod rank;

use std::time::Instant;

use serde::Serialize;
use tantivy::DocAddress;

use crate::analysis::synonyms::Synonyms;
use crate::error::{Error, Result};
use crate::index::Snapshot;
use crate::query::{ParsedQuery, Preference};
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
    /// An order the message asked for in words ("sabse sasta": `price_asc`).
    pub sort: Option<Sort>,
    /// What the message asked to see first among the relevant (`big_pack`, `small_pack`,
    /// `on_sale`).
    pub prefer: Vec<Preference>,
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
    /// The items of a shopping list, in message order; absent for a one-item message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ItemResults>>,
    pub took_us: u64,
}

/// One item of a shopping list and what it found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ItemResults {
    /// The item as the message wrote it.
    pub text: String,
    pub understood: Understood,
    pub total_hits: u64,
    pub hits: Vec<Hit>,
}

/// Runs a validated request against one snapshot, with the catalog's synonyms. A message
/// that lists several items is searched item by item ([`SearchResults::items`]).
pub fn search(
    snapshot: &Snapshot,
    synonyms: &Synonyms,
    request: &SearchRequest,
) -> Result<SearchResults> {
    let started = Instant::now();
    let (items, named_whole) = lists::items(snapshot, synonyms, &request.q);
    let split = if named_whole {
        Split::Never
    } else {
        Split::Alone
    };
    let mut results = if items.len() >= 2 {
        search_list(snapshot, synonyms, request, items)?
    } else {
        match search_one(snapshot, synonyms, request, split)? {
            One::Found(results) => *results,
            One::List(items) => search_list(snapshot, synonyms, request, items)?,
        }
    };
    results.took_us = started.elapsed().as_micros() as u64;
    Ok(results)
}

/// What searching a message as one item gave.
enum One {
    Found(Box<SearchResults>),
    /// No product carries all its words, and it reads as product names one after another.
    List(Vec<String>),
}

/// Whether a message that names products one after another may be cut into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Never,
    /// The whole message.
    Alone,
    /// An item of a list already.
    InList,
}

/// Searches `request.q` as one item; unless `split` is [`Split::Never`], a message that no
/// product, or only combo packs, match whole may turn out to be a list of names ("milk bread
/// eggs").
fn search_one(
    snapshot: &Snapshot,
    synonyms: &Synonyms,
    request: &SearchRequest,
    split: Split,
) -> Result<One> {
    let parsed = ParsedQuery::parse(&request.q);
    // An order asked for in words applies unless the request sets one.
    let in_words = request.sort == Sort::Relevance && parsed.order.is_some();
    let sort = match parsed.order {
        Some(order) if in_words => Sort::from(order),
        _ => request.sort,
    };
    let ranker = rank::Ranker::new(sort, parsed.quantity, !parsed.is_browse())
        .asked(in_words, parsed.prefer.first().copied());
    let filters = plan::Filters::new(request, &parsed);
    let want = request.offset + request.limit;
    let brand = plan::spot_brand_loosely(snapshot, &parsed);
    let mut relaxed = false;
    let cached = if is_plain_browse(&parsed, &filters, sort) && parsed.prefer.is_empty() {
        best_sellers(snapshot, want)?
    } else {
        None
    };
    let (mut total, mut top) = match cached {
        Some(found) => found,
        None => match plan::text_query(snapshot, &parsed, synonyms, false, brand.as_deref()) {
            Some(matching) => run(snapshot, &matching, &filters, ranker.clone(), want)?,
            None => (0, Vec::new()),
        },
    };
    // Within a list, names carried together by more products may still be items of their
    // own ("chawal dal aur namak": a few dal-chawal mixes among all the rice and dal).
    if split != Split::Never
        && parsed.terms.len() > 1
        && (total <= lists::MAX_COMBOS || split == Split::InList)
    {
        let in_list = split == Split::InList;
        if let Some(items) = lists::juxtaposed(
            snapshot,
            synonyms,
            &request.q,
            &parsed.terms,
            total,
            in_list,
        ) {
            return Ok(One::List(items));
        }
    }
    if total == 0 && parsed.terms.len() > 1 {
        relaxed = true;
        if let Some(matching) = plan::text_query(snapshot, &parsed, synonyms, true, None) {
            (total, top) = run(snapshot, &matching, &filters, ranker, want)?;
        }
    }
    let hits = top
        .into_iter()
        .skip(request.offset)
        .map(|(score, id)| Hit { id, score })
        .collect::<Vec<_>>();
    let next_offset = (total as usize > want).then_some(want);
    Ok(One::Found(Box::new(SearchResults {
        query: request.q.clone(),
        understood: Understood {
            terms: parsed.terms.clone(),
            quantity: parsed.quantity,
            brand,
            price_max: filters.price_max,
            price_min: filters.price_min,
            ignored: parsed.fillers.clone(),
            relaxed,
            sort: in_words.then_some(sort),
            prefer: parsed.prefer.clone(),
        },
        total_hits: total,
        hits,
        next_offset,
        items: None,
        took_us: 0,
    })))
}

/// Searches each item on its own and interleaves their best hits, so a client that shows
/// only `hits` still shows every item.
fn search_list(
    snapshot: &Snapshot,
    synonyms: &Synonyms,
    request: &SearchRequest,
    items: Vec<String>,
) -> Result<SearchResults> {
    let want = request.offset + request.limit;
    let item_request = |text: &str| SearchRequest {
        q: text.to_string(),
        offset: 0,
        limit: want,
        ..request.clone()
    };
    let mut found = Vec::with_capacity(items.len());
    for text in items {
        // An item may itself be names one after another ("chawal dal, namak"): once more.
        match search_one(snapshot, synonyms, &item_request(&text), Split::InList)? {
            One::Found(results) => found.push(*results),
            One::List(parts) => {
                for part in parts {
                    if let One::Found(results) =
                        search_one(snapshot, synonyms, &item_request(&part), Split::Never)?
                    {
                        found.push(*results);
                    }
                }
            }
        }
    }
    found.truncate(lists::MAX_ITEMS);
    let total: u64 = found.iter().map(|r| r.total_hits).sum();
    let mut seen = std::collections::HashSet::new();
    let mut interleaved = Vec::new();
    for rank in 0..want {
        for item in &found {
            if let Some(hit) = item.hits.get(rank) {
                if seen.insert(hit.id.as_str()) {
                    interleaved.push(hit.clone());
                }
            }
        }
    }
    let next_offset = (interleaved.len() > want).then_some(want);
    let hits = interleaved
        .into_iter()
        .take(want)
        .skip(request.offset)
        .collect();
    let understood = Understood {
        terms: found
            .iter()
            .flat_map(|r| r.understood.terms.clone())
            .collect(),
        quantity: None,
        brand: None,
        price_max: request.price_max,
        price_min: request.price_min,
        ignored: found
            .iter()
            .flat_map(|r| r.understood.ignored.clone())
            .collect(),
        relaxed: found.iter().any(|r| r.understood.relaxed),
        sort: None,
        prefer: Vec::new(),
    };
    let items = found
        .into_iter()
        .map(|r| ItemResults {
            text: r.query,
            understood: r.understood,
            total_hits: r.total_hits,
            hits: r.hits.into_iter().take(request.limit).collect(),
        })
        .collect();
    Ok(SearchResults {
        query: request.q.clone(),
        understood,
        total_hits: total,
        hits,
        next_offset,
        items: Some(items),
        took_us: 0,
    })
}

/// The total number of matches and the top ones as (score, id), best first.
type Ranked = (u64, Vec<(f32, String)>);

/// Best sellers cached per snapshot: what a greeting gets.
const BEST_SELLERS: usize = 500;

/// Whether the request is a greeting with nothing to filter or sort by: every product,
/// best sellers first, the same for every such request until the catalog changes.
fn is_plain_browse(parsed: &ParsedQuery, filters: &plan::Filters, sort: Sort) -> bool {
    parsed.is_browse()
        && parsed.quantity.is_none()
        && filters.is_empty()
        && matches!(sort, Sort::Relevance | Sort::Popularity)
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
    let docs = &snapshot.docs;
    let mut matches = Vec::new();
    execute::run(snapshot, matching, filters, |address, facts, score| {
        matches.push((address, facts, score, docs.kind(address)));
    })?;
    let ranker = ranker
        .anchored(matches.iter().map(|&(_, _, score, _)| score))
        .with_kinds(
            matches
                .iter()
                .map(|&(address, _, score, kind)| (kind, docs.name(address), score)),
        );
    Ok(matches
        .into_iter()
        .map(|(address, facts, score, kind)| (ranker.key(facts, kind, score), address))
        .collect())
}

/// The total number of matches and the top `want` hits with their ids, best first.
fn run(
    snapshot: &Snapshot,
    matching: &execute::Matching,
    filters: &plan::Filters,
    ranker: rank::Ranker,
    want: usize,
) -> Result<Ranked> {
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
