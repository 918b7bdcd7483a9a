//! Ranking. Per DESIGN: matched words, then text relevance (match quality and field weight,
//! bucketed so near-equal matches count as equal), then availability, size match and
//! popularity; ties break by id. Orderable products come before the rest among products that
//! match the same number of words.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::plan::COVERAGE_SCORE;
use crate::analysis::Quantity;
use crate::index::DocFacts;
use crate::query::Preference;

/// Relevance buckets count down from the best match's text score by this ratio: scores
/// within it of the best are treated as equal, so popularity orders them, and so on down. A
/// ratio rather than a width keeps typo matches (scores near 1) as finely ordered as exact
/// ones (near 4); counting from the best match rather than from fixed boundaries keeps two
/// near-equal products ("Amul Butter 500 g" and "100 g") from falling either side of a
/// boundary. 1.1 measured best on the BigBasket set, 1.15 and 1.2 a little better on the demo
/// set (within 0.005 nDCG).
const RELEVANCE_BUCKET_RATIO: f32 = 1.1;
/// When a message asks for an order or a preference in words ("sabse sasta shampoo", "bada
/// pack surf"), it applies among the matches whose text score is within this ratio of the
/// best: the shampoos, not a conditioner that mentions shampoo in passing.
const RELEVANT_WITHIN: f32 = 1.6;

/// Among equally relevant matches, those of the kinds most of the relevant matches are come
/// first: "jeera" means the spice, though jeera rice carries the word as fully; "moong dal"
/// the pulse before a namkeen of that name. A kind counts when it has at least this share of
/// the most common kind's relevant matches.
const KIND_SHARE: f32 = 0.5;
/// Most relevant matches whose kinds are counted; beyond, an even sample of them.
const MAX_KIND_SAMPLE: usize = 512;

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

impl From<crate::query::Order> for Sort {
    fn from(order: crate::query::Order) -> Sort {
        match order {
            crate::query::Order::PriceAsc => Sort::PriceAsc,
            crate::query::Order::PriceDesc => Sort::PriceDesc,
            crate::query::Order::Popularity => Sort::Popularity,
        }
    }
}

/// Sort key of a hit, greater is better: its parts, most significant first, packed into
/// integers so that comparing two keys is two integer comparisons (a search compares
/// thousands of keys to find its page). The parts, in order:
/// - how many of the message's words it matched (16 bits);
/// - orderable now (1 bit);
/// - among the relevant, when the message asked for an order or a preference (1 bit);
/// - how well it meets the message's preference (an `f32`);
/// - the primary order: the relevance bucket, or the asked sort's value (an `f32`);
/// - the asked pack size (1 bit);
/// - of a kind most relevant matches are (1 bit);
/// - the secondary order: popularity, or the text score (an `f32`);
/// - then smaller product ids first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankKey {
    order: u128,
    /// `u32::MAX - id_rank`, so smaller ids rank first; no two products share it.
    id_rev: u32,
    /// The text score shown to clients.
    pub score: f32,
}

/// Orders two keys best first.
pub fn compare(a: &RankKey, b: &RankKey) -> Ordering {
    (b.order, b.id_rev).cmp(&(a.order, a.id_rev))
}

/// An `f32`'s bits, mapped so that unsigned order is numeric order (NaN at the ends).
fn ordered(value: f32) -> u128 {
    let bits = value.to_bits();
    u128::from(if bits >> 31 == 1 {
        !bits
    } else {
        bits | 1 << 31
    })
}

/// Computes a hit's [`RankKey`] from its text score and the snapshot's facts about it.
#[derive(Debug, Clone)]
pub struct Ranker {
    sort: Sort,
    quantity: Option<Quantity>,
    has_text: bool,
    /// The sort came from the message's words: it applies among the relevant.
    among_relevant: bool,
    prefer: Option<Preference>,
    /// The best text score among the matches: relevance buckets count down from it.
    best_text: f32,
    /// The kinds most relevant matches are ([`Ranker::with_kinds`]).
    favoured: Vec<u16>,
}

impl Ranker {
    /// A ranker for one search.
    pub fn new(sort: Sort, quantity: Option<Quantity>, has_text: bool) -> Ranker {
        Ranker {
            sort,
            quantity,
            has_text,
            among_relevant: false,
            prefer: None,
            best_text: 1.0,
            favoured: Vec::new(),
        }
    }

    /// A ranker whose sort and preference the message asked for in words: they order the
    /// relevant matches, ahead of the rest.
    pub fn asked(mut self, sort_in_words: bool, prefer: Option<Preference>) -> Ranker {
        self.among_relevant = sort_in_words;
        self.prefer = prefer;
        self
    }

    /// Anchors the relevance buckets at the best of the matches' scores, so the matches
    /// within [`RELEVANCE_BUCKET_RATIO`] of the best share the first bucket wherever the
    /// scores lie.
    pub fn anchored(mut self, scores: impl Iterator<Item = f32>) -> Ranker {
        self.best_text = scores.map(text_score).fold(1e-3, f32::max);
        self
    }

    /// Counts the kinds of the relevant matches (those within [`RELEVANT_WITHIN`] of the
    /// best, anchored first), given as (kind, product name, score): each kind by the
    /// different products it has among them, so that one snack sold by twenty brands
    /// ("Banana Chips") does not outvote the fruit. The kinds with at least [`KIND_SHARE`] of
    /// the most common one's count are favoured among equals.
    pub fn with_kinds(mut self, matches: impl Iterator<Item = (u16, u16, f32)>) -> Ranker {
        if !self.has_text {
            return self;
        }
        let mut products: Vec<u32> = matches
            .filter(|&(kind, _, score)| {
                kind != crate::index::NO_KIND && self.below_best(score) <= RELEVANT_WITHIN
            })
            .map(|(kind, name, _)| (u32::from(kind) << 16) | u32::from(name))
            .collect();
        // Many matches are counted from an even sample across them: the shares stay, the
        // sort below stays small.
        if products.len() > MAX_KIND_SAMPLE {
            let step = products.len().div_ceil(MAX_KIND_SAMPLE);
            products = products.into_iter().step_by(step).collect();
        }
        products.sort_unstable();
        products.dedup();
        let mut counts: Vec<(u16, u32)> = Vec::new();
        for product in products {
            let kind = (product >> 16) as u16;
            match counts.last_mut() {
                Some((last, count)) if *last == kind => *count += 1,
                _ => counts.push((kind, 1)),
            }
        }
        let most = counts.iter().map(|&(_, count)| count).max().unwrap_or(0);
        self.favoured = counts
            .into_iter()
            .filter(|&(_, count)| count as f32 >= most as f32 * KIND_SHARE)
            .map(|(kind, _)| kind)
            .collect();
        self
    }

    /// How many times the best text score a match's is below it (1 for the best).
    fn below_best(&self, score: f32) -> f32 {
        self.best_text / text_score(score).max(1e-3)
    }

    /// The hit's sort key.
    pub fn key(&self, facts: &DocFacts, kind: u16, score: f32) -> RankKey {
        let coverage = (score / COVERAGE_SCORE) as u32;
        let text = text_score(score);
        let below_best = self.below_best(score);
        let steps = below_best.ln() / RELEVANCE_BUCKET_RATIO.ln();
        // Steps from the best are not negative when anchored at the best: truncating is
        // flooring then, without a libm call.
        let bucketed = -if steps >= 0.0 {
            (steps as u32) as f32
        } else {
            steps.floor()
        };
        let popularity = facts.popularity;
        let size_match = match (self.quantity, facts.size()) {
            (Some(wanted), Some(size)) => wanted.same_size(&size),
            _ => false,
        };
        let price = || facts.price().map(|p| p as f32);
        let gated = self.has_text && (self.among_relevant || self.prefer.is_some());
        let tier = (gated && below_best <= RELEVANT_WITHIN) as u8;
        let preference = match self.prefer {
            None => 0.0,
            Some(Preference::BigPack) => facts.size().map_or(0.0, |s| s.value as f32),
            Some(Preference::SmallPack) => facts.size().map_or(f32::MIN, |s| -(s.value as f32)),
            Some(Preference::OnSale) => f32::from(u8::from(facts.on_sale)),
        };
        let (primary, secondary) = match self.sort {
            Sort::Relevance if self.has_text => (bucketed, popularity),
            Sort::Relevance | Sort::Popularity => (popularity, text),
            Sort::PriceAsc => (price().map_or(f32::MIN, |p| -p), text),
            Sort::PriceDesc => (price().unwrap_or(f32::MIN), text),
        };
        let order = u128::from(coverage.min(u32::from(u16::MAX))) << 112
            | u128::from(facts.orderable) << 111
            | u128::from(tier) << 110
            | ordered(preference) << 78
            | ordered(primary) << 46
            | u128::from(size_match) << 45
            | u128::from(self.favoured.contains(&kind)) << 44
            | ordered(secondary) << 12;
        RankKey {
            order,
            id_rev: u32::MAX - facts.id_rank,
            score: if self.has_text { score } else { popularity },
        }
    }
}

/// A score without the coverage a relaxed search adds.
fn text_score(score: f32) -> f32 {
    // Scores are never negative, so truncating is flooring (and no libm call).
    score - ((score / COVERAGE_SCORE) as u32) as f32 * COVERAGE_SCORE
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
        DocFacts::new(id_rank, true, popularity, Some(100.0), None, false)
    }

    #[test]
    fn more_matched_words_beat_a_better_text_score() {
        let ranker = Ranker::new(Sort::Relevance, None, true);
        let two_words = ranker.key(&facts(1, 1.0), 0, 2.0 * COVERAGE_SCORE + 0.5);
        let one_word = ranker.key(&facts(2, 1.0), 0, COVERAGE_SCORE + 9.0);
        assert_eq!(compare(&two_words, &one_word), Ordering::Less);
    }

    #[test]
    fn near_equal_matches_rank_by_popularity_then_id() {
        let ranker = Ranker::new(Sort::Relevance, None, true);
        let popular = ranker.key(&facts(9, 50.0), 0, 4.0);
        let rare = ranker.key(&facts(1, 5.0), 0, 4.01);
        assert_eq!(compare(&popular, &rare), Ordering::Less);
        let first = ranker.key(&facts(1, 5.0), 0, 4.0);
        let second = ranker.key(&facts(2, 5.0), 0, 4.0);
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
        let five_kg = DocFacts::new(2, true, 1.0, Some(100.0), Some(wanted), false);
        let one_kg = DocFacts::new(
            1,
            true,
            1.0,
            Some(100.0),
            Some(Quantity {
                value: 1000.0,
                unit: Unit::Grams,
            }),
            false,
        );
        let ranked = best(
            vec![
                (ranker.key(&one_kg, 0, 4.0), "1kg"),
                (ranker.key(&five_kg, 0, 4.0), "5kg"),
            ],
            1,
        );
        assert_eq!(ranked[0].1, "5kg");
    }

    /// A ranker over equally scored matches given as (kind, product name).
    fn ranker_over(matches: &[(u16, u16)]) -> Ranker {
        Ranker::new(Sort::Relevance, None, true)
            .anchored([4.0].into_iter())
            .with_kinds(matches.iter().map(|&(kind, name)| (kind, name, 4.0)))
    }

    #[test]
    fn among_equals_the_kind_most_products_are_comes_first() {
        // "jeera": three whole spices and one jeera rice match as well; the rice, more
        // popular, would otherwise come first.
        let (spice, rice) = (1u16, 2u16);
        let ranker = ranker_over(&[(spice, 10), (spice, 11), (spice, 12), (rice, 20)]);
        let jeera_rice = ranker.key(&facts(1, 90.0), rice, 4.0);
        let whole_jeera = ranker.key(&facts(2, 10.0), spice, 4.0);
        assert_eq!(compare(&whole_jeera, &jeera_rice), Ordering::Less);
        // A better text match still wins whatever its kind.
        let named_rice = ranker.key(&facts(3, 1.0), rice, 8.0);
        assert_eq!(compare(&named_rice, &whole_jeera), Ordering::Less);
    }

    #[test]
    fn packs_of_one_product_count_once_for_its_kind() {
        // Twenty packs of one banana chips do not outvote three kinds of banana.
        let (fruit, chips) = (1u16, 2u16);
        let mut matches = vec![(fruit, 1u16), (fruit, 2), (fruit, 4)];
        matches.extend(std::iter::repeat_n((chips, 3u16), 20));
        let ranker = ranker_over(&matches);
        let chips_pack = ranker.key(&facts(1, 90.0), chips, 4.0);
        let banana = ranker.key(&facts(2, 10.0), fruit, 4.0);
        assert_eq!(compare(&banana, &chips_pack), Ordering::Less);
        // Against two kinds of banana, one product is half as many: both kinds are
        // favoured, and popularity orders them.
        let ranker = ranker_over(&matches[1..]);
        let chips_pack = ranker.key(&facts(1, 90.0), chips, 4.0);
        let banana = ranker.key(&facts(2, 10.0), fruit, 4.0);
        assert_eq!(compare(&chips_pack, &banana), Ordering::Less);
    }
}
