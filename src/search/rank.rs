//! Ranking. Per DESIGN: matched words, then text relevance (match quality and field weight,
//! bucketed so near-equal matches count as equal), then availability, size match and
//! popularity; ties break by id. Orderable products come before the rest among products that
//! match the same number of words.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::plan::COVERAGE_SCORE;
use crate::analysis::Quantity;
use crate::index::DocFacts;

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
    /// `u32::MAX - id_rank`, so smaller ids rank first; no two products share it.
    id_rev: u32,
    /// The text score shown to clients.
    pub score: f32,
}

/// Orders two keys best first.
pub fn compare(a: &RankKey, b: &RankKey) -> Ordering {
    b.partial_cmp(a).unwrap_or(Ordering::Equal)
}

/// Computes a hit's [`RankKey`] from its text score and the snapshot's facts about it.
#[derive(Debug, Clone)]
pub struct Ranker {
    sort: Sort,
    quantity: Option<Quantity>,
    has_text: bool,
}

impl Ranker {
    /// A ranker for one search.
    pub fn new(sort: Sort, quantity: Option<Quantity>, has_text: bool) -> Ranker {
        Ranker {
            sort,
            quantity,
            has_text,
        }
    }

    /// The hit's sort key.
    pub fn key(&self, facts: &DocFacts, score: f32) -> RankKey {
        let coverage = (score / COVERAGE_SCORE) as u32;
        let text = score - coverage as f32 * COVERAGE_SCORE;
        let bucketed = (text.max(1e-3).ln() / RELEVANCE_BUCKET_RATIO.ln()).floor();
        let popularity = facts.popularity;
        let size_match = match (self.quantity, facts.size) {
            (Some(wanted), Some(size)) => wanted.same_size(&size),
            _ => false,
        };
        let price = || facts.price.map(|p| p as f32);
        let (primary, secondary) = match self.sort {
            Sort::Relevance if self.has_text => (bucketed, popularity),
            Sort::Relevance | Sort::Popularity => (popularity, text),
            Sort::PriceAsc => (price().map_or(f32::MIN, |p| -p), text),
            Sort::PriceDesc => (price().unwrap_or(f32::MIN), text),
        };
        RankKey {
            coverage,
            orderable: facts.orderable as u8,
            primary,
            size_match: size_match as u8,
            secondary,
            id_rev: u32::MAX - facts.id_rank,
            score: if self.has_text { score } else { popularity },
        }
    }
}

/// The best `want` of `hits`, best first.
pub fn best<T>(mut hits: Vec<(RankKey, T)>, want: usize) -> Vec<(RankKey, T)> {
    if want < hits.len() {
        hits.select_nth_unstable_by(want, |(a, _), (b, _)| compare(a, b));
        hits.truncate(want);
    }
    hits.sort_unstable_by(|(a, _), (b, _)| compare(a, b));
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Unit;

    fn facts(id_rank: u32, popularity: f32) -> DocFacts {
        DocFacts {
            id_rank,
            orderable: true,
            popularity,
            price: Some(100.0),
            size: None,
        }
    }

    #[test]
    fn more_matched_words_beat_a_better_text_score() {
        let ranker = Ranker::new(Sort::Relevance, None, true);
        let two_words = ranker.key(&facts(1, 1.0), 2.0 * COVERAGE_SCORE + 0.5);
        let one_word = ranker.key(&facts(2, 1.0), COVERAGE_SCORE + 9.0);
        assert_eq!(compare(&two_words, &one_word), Ordering::Less);
    }

    #[test]
    fn near_equal_matches_rank_by_popularity_then_id() {
        let ranker = Ranker::new(Sort::Relevance, None, true);
        let popular = ranker.key(&facts(9, 50.0), 4.0);
        let rare = ranker.key(&facts(1, 5.0), 4.01);
        assert_eq!(compare(&popular, &rare), Ordering::Less);
        let first = ranker.key(&facts(1, 5.0), 4.0);
        let second = ranker.key(&facts(2, 5.0), 4.0);
        let ranked = best(vec![(second, "b"), (first, "a")], 2);
        assert_eq!(
            ranked.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }

    #[test]
    fn the_asked_size_ranks_first_among_equals() {
        let wanted = Quantity {
            value: 5000.0,
            unit: Unit::Grams,
        };
        let ranker = Ranker::new(Sort::Relevance, Some(wanted), true);
        let five_kg = DocFacts {
            size: Some(wanted),
            ..facts(2, 1.0)
        };
        let one_kg = DocFacts {
            size: Some(Quantity {
                value: 1000.0,
                unit: Unit::Grams,
            }),
            ..facts(1, 1.0)
        };
        let ranked = best(
            vec![
                (ranker.key(&one_kg, 4.0), "1kg"),
                (ranker.key(&five_kg, 4.0), "5kg"),
            ],
            1,
        );
        assert_eq!(ranked[0].1, "5kg");
    }
}
