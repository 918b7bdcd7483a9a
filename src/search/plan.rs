//! From a parsed message to a tantivy query. Each query word is expanded once through the
//! word dictionary; each candidate is searched in the fields where it occurs, weighted by field
//! and by match quality (exact > prefix > typo). A word's clause is the best of its candidates;
//! every word must match, unless the search is relaxed, where more matched words rank higher.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::SearchRequest;
use crate::index::{exact_key, weighted_text_fields, Candidate, MatchKind, Snapshot};
use crate::query::ParsedQuery;

/// Score a matched word adds in a relaxed search, so coverage outranks everything else.
pub const COVERAGE_SCORE: f32 = 100.0;
/// Weight of the description field, which has no place in the word dictionary.
const DESCRIPTION_WEIGHT: f32 = 0.5;

/// Filters from the request and the message, merged.
#[derive(Debug, Clone, PartialEq)]
pub struct Filters {
    pub in_stock: bool,
    pub brands: Vec<String>,
    pub categories: Vec<String>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
}

impl Filters {
    /// The stricter of the request's and the message's bounds apply.
    pub fn new(request: &SearchRequest, parsed: &ParsedQuery) -> Filters {
        let stricter = |a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64| match (a, b) {
            (Some(x), Some(y)) => Some(pick(x, y)),
            (x, y) => x.or(y),
        };
        Filters {
            in_stock: request.in_stock,
            brands: request.brands.iter().map(|b| exact_key(b)).collect(),
            categories: request.categories.iter().map(|c| category_key(c)).collect(),
            price_min: stricter(request.price_min, parsed.price_min, f64::max),
            price_max: stricter(request.price_max, parsed.price_max, f64::min),
        }
    }

    fn clauses(&self, snapshot: &Snapshot) -> Vec<(Occur, Box<dyn Query>)> {
        let fields = snapshot.fields;
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if self.in_stock {
            out.push(term_query(Term::from_field_u64(fields.orderable, 1)));
        }
        if !self.brands.is_empty() {
            out.push(any_of(fields.brand_exact, &self.brands));
        }
        if !self.categories.is_empty() {
            out.push(any_of(fields.category_exact, &self.categories));
        }
        if self.price_min.is_some() || self.price_max.is_some() {
            let bound = |value: Option<f64>| match value {
                Some(v) => Bound::Included(Term::from_field_f64(fields.price, v)),
                None => Bound::Unbounded,
            };
            out.push(Box::new(RangeQuery::new(
                bound(self.price_min),
                bound(self.price_max),
            )));
        }
        out.into_iter()
            .map(|q| {
                (
                    Occur::Must,
                    Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>,
                )
            })
            .collect()
    }
}

/// A category filter's key: levels normalized, joined by `" > "`.
fn category_key(category: &str) -> String {
    category
        .split('>')
        .map(exact_key)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" > ")
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn any_of(field: Field, values: &[String]) -> Box<dyn Query> {
    let clauses = values
        .iter()
        .map(|v| (Occur::Should, term_query(Term::from_field_text(field, v))))
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The whole query: word clauses and filters.
pub fn text_query(
    snapshot: &Snapshot,
    parsed: &ParsedQuery,
    relaxed: bool,
    filters: &Filters,
) -> Box<dyn Query> {
    let mut clauses = filters.clauses(snapshot);
    if parsed.is_browse() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
        return Box::new(BooleanQuery::new(clauses));
    }
    let last = parsed.terms.len() - 1;
    let words: Vec<Box<dyn Query>> = parsed
        .terms
        .iter()
        .enumerate()
        .map(|(i, term)| word_clause(snapshot, term, parsed.last_is_prefix && i == last))
        .collect();
    if relaxed {
        let any_word = words
            .into_iter()
            .map(|word| {
                let counted = Box::new(ConstScoreQuery::new(word.box_clone(), COVERAGE_SCORE));
                let both: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                    (Occur::Should, counted),
                    (Occur::Should, word),
                ]));
                (Occur::Should, both)
            })
            .collect();
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(any_word))));
    } else {
        clauses.extend(words.into_iter().map(|w| (Occur::Must, w)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// How much a candidate's match counts relative to an exact one.
fn quality(candidate: &Candidate) -> f32 {
    match (candidate.kind, candidate.distance) {
        (MatchKind::Exact, _) => 1.0,
        (MatchKind::Prefix, _) => 0.55,
        (MatchKind::Typo, 1) => 0.4,
        (MatchKind::Typo, _) => 0.3,
    }
}

/// BM25's idf, used to divide it back out: match quality, not word rarity, should order the
/// candidates of one word.
fn idf(doc_freq: u64, docs: u64) -> f32 {
    let (n, df) = (docs as f32, doc_freq as f32);
    (1.0 + (n - df + 0.5) / (df + 0.5)).ln().max(0.1)
}

/// One query word: the best-scoring of its candidates over the fields they occur in.
fn word_clause(snapshot: &Snapshot, term: &str, as_prefix: bool) -> Box<dyn Query> {
    let docs = snapshot.searcher.num_docs().max(1);
    let fields = weighted_text_fields(&snapshot.fields);
    let candidates = snapshot.words.expand(term, as_prefix);
    let mut disjuncts: Vec<Box<dyn Query>> = Vec::new();
    for candidate in &candidates {
        let weight = quality(candidate) / idf(candidate.doc_freq, docs);
        for (bit, (field, field_weight)) in fields.iter().enumerate() {
            if candidate.fields & (1 << bit) != 0 {
                disjuncts.push(scored_term(*field, &candidate.word, field_weight * weight));
            }
        }
    }
    // Descriptions are not in the dictionary: they match the word as typed.
    let exact_freq = candidates
        .iter()
        .find(|c| c.kind == MatchKind::Exact)
        .map_or(1, |c| c.doc_freq);
    disjuncts.push(scored_term(
        snapshot.fields.description,
        term,
        DESCRIPTION_WEIGHT / idf(exact_freq, docs),
    ));
    if disjuncts.is_empty() {
        return Box::new(EmptyQuery);
    }
    Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, 0.1))
}

fn scored_term(field: Field, word: &str, boost: f32) -> Box<dyn Query> {
    let query = TermQuery::new(
        Term::from_field_text(field, word),
        IndexRecordOption::WithFreqs,
    );
    Box::new(BoostQuery::new(Box::new(query), boost))
}
