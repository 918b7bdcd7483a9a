//! Completions while a shopper types. Built per catalog generation from the catalog itself
//! ([`build`]); looked up by prefix of the last word with typo tolerance, earlier words
//! matching, in the text space and in the phonetic space where Hinglish and Devanagari meet.
//! Work per lookup is bounded: short prefixes read precomputed lists, longer ones visit at most
//! [`MAX_SCAN`] keys per automaton.

mod build;
pub mod store;
mod then;

use std::collections::HashMap;
use std::time::Instant;

use fst::automaton::{Automaton, Str};
use fst::{IntoStreamer, Map, Streamer};
use levenshtein_automata::LevenshteinAutomatonBuilder;
use serde::{Deserialize, Serialize};

use build::space_key;
pub use build::{build, title_stem};
use then::Then;

use crate::analysis::synonyms::Synonyms;
use crate::analysis::{self, phonetic};
use crate::index::typo_budget;

/// Key space of analyzed words.
const TEXT_SPACE: u8 = b't';
/// Key space of phonetic keys.
const PHONETIC_SPACE: u8 = b'p';
/// Entries kept per key.
const MAX_PER_KEY: usize = 8;
/// Prefixes up to this many characters are answered from precomputed lists.
const SHORT_PREFIX_CHARS: usize = 3;
/// Most keys one automaton may visit in a lookup.
const MAX_SCAN: usize = 500;
/// Longest suggestion query considered, in characters (longer input is cut).
pub const MAX_SUGGEST_CHARS: usize = 200;

/// What a completion leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuggestionKind {
    Product,
    Brand,
    Category,
    Query,
}

/// One completion in the index.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    text: String,
    kind: SuggestionKind,
    score: f32,
    product_ids: Vec<String>,
}

/// One completion in a reply.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// Display form, in its own script.
    pub text: String,
    pub kind: SuggestionKind,
    pub score: f32,
    /// Up to three products, for product completions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub product_ids: Vec<String>,
}

/// A suggest reply.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestions {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
    pub took_us: u64,
}

/// The suggestion index of one catalog generation.
pub struct Suggester {
    map: Map<Vec<u8>>,
    groups: Vec<Vec<u32>>,
    entries: Vec<Entry>,
    /// Best entries for every key prefix of up to [`SHORT_PREFIX_CHARS`] characters.
    short: HashMap<Vec<u8>, Vec<u32>>,
    /// Best entries overall, for an empty query.
    top: Vec<u32>,
    /// Each entry's analyzed words and their phonetic keys, to match earlier words that are
    /// not next to each other in the completion ("amul ghee" → "Amul Pure Ghee").
    words: Vec<Box<[Box<str>]>>,
}

fn prefix_dfa_builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: std::sync::OnceLock<LevenshteinAutomatonBuilder> = std::sync::OnceLock::new();
    static TWO: std::sync::OnceLock<LevenshteinAutomatonBuilder> = std::sync::OnceLock::new();
    if distance <= 1 {
        ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
    } else {
        TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
    }
}

/// How good a match is: exact prefix > phonetic prefix > typo.
const EXACT: f32 = 1.0;
const PHONETIC: f32 = 0.7;
const TYPO: f32 = 0.4;
/// How much a completion counts when the shopper's earlier words occur in it but not in a
/// row before the last one.
const LOOSE: f32 = 0.8;
/// How much a completion counts when it completes a synonym of the word being typed
/// ("chaw" → chawal → "Rice").
const SYNONYM: f32 = 0.9;
/// Most keys visited for one synonym of the word being typed.
const MAX_SYNONYM_SCAN: usize = 16;
/// Most synonyms of the word being typed whose completions are looked up.
const MAX_SYNONYM_TERMS: usize = 6;
/// A word being typed reaches synonyms from this many characters on.
const MIN_SYNONYM_PREFIX: usize = 3;
/// Most lexicon words a prefix is taken to be on its way to.
const MAX_SYNONYM_WORDS: usize = 3;

impl Suggester {
    /// Distinct completions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no completions.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keys in the fst.
    pub fn keys(&self) -> usize {
        self.map.len()
    }

    /// Size of the fst in bytes.
    pub fn size_bytes(&self) -> usize {
        self.map.as_fst().size()
    }

    /// The entries of a key's group (none for a value outside the table).
    fn group(&self, group: u64) -> &[u32] {
        self.groups.get(group as usize).map_or(&[], Vec::as_slice)
    }

    /// Bytes the suggester holds in memory, counted from its parts.
    pub fn heap_bytes(&self) -> usize {
        const VEC: usize = std::mem::size_of::<Vec<u32>>();
        let lists = |list: &Vec<u32>| VEC + list.capacity() * 4;
        let groups: usize = self.groups.iter().map(lists).sum();
        let short: usize = self
            .short
            .iter()
            .map(|(k, l)| VEC + k.capacity() + lists(l))
            .sum();
        let entries: usize = self
            .entries
            .iter()
            .map(|e| {
                std::mem::size_of::<Entry>()
                    + e.text.capacity()
                    + e.product_ids
                        .iter()
                        .map(|id| VEC + id.capacity())
                        .sum::<usize>()
            })
            .sum();
        let words: usize = self
            .words
            .iter()
            .map(|w| 16 + w.iter().map(|s| 16 + s.len()).sum::<usize>())
            .sum();
        self.size_bytes() + groups + short + entries + words + self.top.capacity() * 4
    }

    /// Up to `limit` completions of `query`, best first, deterministic, with the built-in
    /// lexicon's synonyms.
    pub fn suggest(&self, query: &str, limit: usize) -> Suggestions {
        self.suggest_with(query, limit, &Synonyms::builtin())
    }

    /// Up to `limit` completions of `query`, best first, deterministic. A word being typed
    /// that starts a synonym of the catalog's words also completes to what the synonym
    /// stands for ("chaw" → "Rice" in a shop that writes no Hinglish).
    pub fn suggest_with(&self, query: &str, limit: usize, synonyms: &Synonyms) -> Suggestions {
        let started = Instant::now();
        let cut: String = query.chars().take(MAX_SUGGEST_CHARS).collect();
        let mut tokens = analysis::tokens(&cut);
        let mut typing_a_word = cut.chars().last().is_some_and(|c| !c.is_whitespace());
        // Completions carry no pack sizes: "amul butter 500g" completes like "amul butter".
        let before = tokens.len();
        tokens.retain(|t| !analysis::quantity::is_size_word(t));
        if tokens.len() < before && !tokens.is_empty() {
            typing_a_word = false;
        }
        let mut found: HashMap<u32, f32> = HashMap::new();
        if tokens.is_empty() {
            for &at in &self.top {
                found.insert(at, EXACT);
            }
        } else {
            self.collect_all(&tokens, typing_a_word, 1.0, limit, &mut found);
            if found.len() < limit && tokens.len() > 1 {
                let (earlier, last) = tokens.split_at(tokens.len() - 1);
                let mut loose = HashMap::new();
                self.collect_all(last, typing_a_word, LOOSE, limit, &mut loose);
                let earlier: Vec<(&str, Option<String>)> = earlier
                    .iter()
                    .map(|w| (w.as_str(), phonetic::phonetic_key(w)))
                    .collect();
                for (at, quality) in loose {
                    if self.has_words(at, &earlier) {
                        self.add(&[at], quality, &mut found);
                    }
                }
            }
            if found.is_empty() && tokens.len() > 1 && typing_a_word {
                self.collect_by_earlier(&tokens, &mut found);
            }
            if typing_a_word {
                self.collect_synonyms(&tokens, synonyms, &mut found);
            }
        }
        let mut ranked: Vec<(u32, f32)> = found.into_iter().collect();
        ranked.sort_by(|a, b| {
            let score = |(at, quality): &(u32, f32)| quality * self.entries[*at as usize].score;
            tier(b.1)
                .cmp(&tier(a.1))
                .then_with(|| score(b).total_cmp(&score(a)))
                .then_with(|| {
                    self.entries[a.0 as usize]
                        .text
                        .cmp(&self.entries[b.0 as usize].text)
                })
        });
        let mut seen_texts = std::collections::HashSet::new();
        let suggestions = ranked
            .into_iter()
            .filter(|(at, _)| seen_texts.insert(self.entries[*at as usize].text.to_lowercase()))
            .take(limit)
            .map(|(at, quality)| {
                let entry = &self.entries[at as usize];
                Suggestion {
                    text: entry.text.clone(),
                    kind: entry.kind,
                    score: quality * entry.score,
                    product_ids: entry.product_ids.clone(),
                }
            })
            .collect();
        Suggestions {
            query: query.to_string(),
            suggestions,
            took_us: started.elapsed().as_micros() as u64,
        }
    }

    /// Entries that complete `tokens` in the text and phonetic spaces, and, when those are
    /// fewer than `limit`, with a typo in the last word; qualities scaled by `factor`.
    fn collect_all(
        &self,
        tokens: &[String],
        typing_a_word: bool,
        factor: f32,
        limit: usize,
        found: &mut HashMap<u32, f32>,
    ) {
        self.collect(TEXT_SPACE, tokens, typing_a_word, EXACT * factor, found);
        let keys: Vec<String> = tokens
            .iter()
            .map(|t| phonetic::phonetic_key(t).unwrap_or_else(|| t.clone()))
            .collect();
        self.collect(
            PHONETIC_SPACE,
            &keys,
            typing_a_word,
            PHONETIC * factor,
            found,
        );
        // Typo completions rank below exact ones; with enough exact ones they would not show,
        // and scanning for them is the costliest part of a lookup.
        if found.len() >= limit {
            return;
        }
        if let Some(last) = tokens.last().filter(|_| typing_a_word) {
            self.collect_typos(&tokens[..tokens.len() - 1], last, TYPO * factor, found);
        }
    }

    /// Completions of the earlier words ("haldiram" → "Haldirams ...") holding a word the
    /// last one starts ("bh" → "Bhujia"): the last word's own completions are too many to
    /// reach the brand's ("bh" leads to every bhujia and bhindi).
    fn collect_by_earlier(&self, tokens: &[String], found: &mut HashMap<u32, f32>) {
        let (earlier, last) = tokens.split_at(tokens.len() - 1);
        let last = last[0].as_str();
        let mut completions = HashMap::new();
        self.collect(TEXT_SPACE, earlier, false, LOOSE, &mut completions);
        for (at, quality) in completions {
            let holds = self.words[at as usize]
                .iter()
                .any(|word| word.starts_with(last) && !earlier.iter().any(|e| **e == **word));
            if holds {
                self.add(&[at], quality, found);
            }
        }
    }

    /// Completions of the synonyms the last word is on its way to, after the earlier words.
    fn collect_synonyms(
        &self,
        tokens: &[String],
        synonyms: &Synonyms,
        found: &mut HashMap<u32, f32>,
    ) {
        let Some((last, earlier)) = tokens.split_last() else {
            return;
        };
        if last.chars().count() < MIN_SYNONYM_PREFIX {
            return;
        }
        let alternatives = synonyms.completing(last, MAX_SYNONYM_WORDS);
        for alternative in alternatives.into_iter().take(MAX_SYNONYM_TERMS) {
            let mut words = earlier.to_vec();
            words.extend(alternative.iter().cloned());
            // The synonym itself ("Rice") and what starts with it ("Rice Bran Oil"), a few:
            // its best completions are not what the shopper is typing.
            let mut key = space_key(TEXT_SPACE, &words);
            if let Some(group) = self.map.get(&key) {
                self.add(self.group(group), SYNONYM, found);
            }
            key.push(b' ');
            let Ok(text) = std::str::from_utf8(&key) else {
                continue;
            };
            self.scan_at_most(
                Str::new(text).starts_with(),
                SYNONYM,
                found,
                |_| true,
                MAX_SYNONYM_SCAN,
            );
        }
    }

    /// Whether every one of `words` (with its phonetic key) occurs in entry `at`.
    fn has_words(&self, at: u32, words: &[(&str, Option<String>)]) -> bool {
        let have = &self.words[at as usize];
        words.iter().all(|(word, key)| {
            have.iter()
                .any(|h| &**h == *word || key.as_deref() == Some(&**h))
        })
    }

    fn add(&self, members: &[u32], quality: f32, found: &mut HashMap<u32, f32>) {
        for &at in members {
            let best = found.entry(at).or_insert(quality);
            *best = best.max(quality);
        }
    }

    /// Entries whose key starts with the words (the last one a prefix while it is typed).
    fn collect(
        &self,
        space: u8,
        words: &[String],
        typing_a_word: bool,
        quality: f32,
        found: &mut HashMap<u32, f32>,
    ) {
        let mut prefix = space_key(space, words);
        if !typing_a_word {
            prefix.push(b' ');
        }
        if let Some(members) = (prefix.len() - 1 <= SHORT_PREFIX_CHARS * 4
            && char_count(&prefix[1..]) <= SHORT_PREFIX_CHARS)
            .then(|| self.short.get(&prefix))
            .flatten()
        {
            self.add(members, quality, found);
            return;
        }
        let Ok(text) = std::str::from_utf8(&prefix) else {
            return;
        };
        self.scan(Str::new(text).starts_with(), quality, found, |_| true);
        // A finished word also completes to itself as the last word of a key.
        if !typing_a_word {
            prefix.pop();
            if let Some(group) = self.map.get(&prefix) {
                self.add(self.group(group), quality, found);
            }
        }
    }

    /// Entries whose key has the earlier words exactly and a last word within the typo budget
    /// of `last` (its first letter kept).
    fn collect_typos(
        &self,
        earlier: &[String],
        last: &str,
        quality: f32,
        found: &mut HashMap<u32, f32>,
    ) {
        let budget = typo_budget(last);
        if budget == 0 {
            return;
        }
        let mut prefix = space_key(TEXT_SPACE, earlier);
        if !earlier.is_empty() {
            prefix.push(b' ');
        }
        let first = last
            .chars()
            .next()
            .map(|c| c.to_string())
            .unwrap_or_default();
        let prefix_len = prefix.len();
        let dfa = prefix_dfa_builder(budget).build_prefix_dfa(last);
        let automaton = Then::new(&prefix, dfa);
        self.scan(automaton, quality, found, |key| {
            key[prefix_len..].starts_with(first.as_bytes())
        });
    }

    fn scan<A: Automaton>(
        &self,
        automaton: A,
        quality: f32,
        found: &mut HashMap<u32, f32>,
        keep: impl Fn(&[u8]) -> bool,
    ) {
        self.scan_at_most(automaton, quality, found, keep, MAX_SCAN);
    }

    /// [`scan`](Self::scan), visiting at most `limit` keys.
    fn scan_at_most<A: Automaton>(
        &self,
        automaton: A,
        quality: f32,
        found: &mut HashMap<u32, f32>,
        keep: impl Fn(&[u8]) -> bool,
        limit: usize,
    ) {
        let mut stream = self.map.search(automaton).into_stream();
        let mut visited = 0;
        while let Some((key, group)) = stream.next() {
            if keep(key) {
                self.add(self.group(group), quality, found);
            }
            visited += 1;
            if visited >= limit {
                break;
            }
        }
    }
}

/// How a completion was reached, coarsely: the words as typed or a synonym of them, then
/// their sound, then a typo. A completion of what was typed comes before a sound-alike,
/// however many products the sound-alike has ("besa": Besan before Biscuits).
fn tier(quality: f32) -> u8 {
    if quality >= LOOSE * EXACT - f32::EPSILON {
        2
    } else if quality >= LOOSE * PHONETIC - f32::EPSILON {
        1
    } else {
        0
    }
}

fn char_count(bytes: &[u8]) -> usize {
    std::str::from_utf8(bytes).map_or(usize::MAX, |s| s.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Availability, Product};

    fn product(id: &str, title: &str, brand: &str, popularity: f64) -> Product {
        Product {
            id: id.into(),
            title: title.into(),
            brand: Some(brand.into()),
            popularity: Some(popularity),
            product_type: Some("Dairy > Butter".into()),
            ..Product::default()
        }
    }

    fn catalog() -> Vec<Product> {
        let mut milk = product("milk", "Amul Taaza Doodh 1 l", "Amul", 900.0);
        milk.titles.insert("hi".into(), "अमूल ताज़ा दूध 1 लीटर".into());
        let mut makhan = product("makhan", "Amul Makhan 100 g", "Amul", 50.0);
        makhan
            .titles
            .insert("hi".into(), "अमूल मक्खन 100 ग्राम".into());
        let mut gone = product("gone", "Amul Buttermilk 200 ml", "Amul", 10.0);
        gone.availability = Availability::OutOfStock;
        vec![
            product("b500", "Amul Butter 500 g", "Amul", 990.0),
            product("b100", "Amul Butter 100 g", "Amul", 700.0),
            product("md", "Mother Dairy Butter 500 g", "Mother Dairy", 300.0),
            product("cheese", "Amul Cheese Slices 200 g", "Amul", 350.0),
            milk,
            makhan,
            gone,
        ]
    }

    fn texts(suggester: &Suggester, query: &str) -> Vec<String> {
        suggester
            .suggest(query, 8)
            .suggestions
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn earlier_words_match_and_the_last_completes() {
        let suggester = build(&catalog()).unwrap();
        let found = suggester.suggest("amul bu", 8).suggestions;
        assert_eq!(found[0].text, "Amul Butter");
        assert_eq!(found[0].product_ids, ["b500", "b100"]);
        assert!(
            found
                .iter()
                .all(|s| s.text.to_lowercase().starts_with("amul bu")),
            "{found:?}"
        );
    }

    /// A shop that writes English only and keeps its brands apart from its titles.
    fn english_shop() -> Vec<Product> {
        let item = |id: &str, title: &str, brand: &str, kind: &str| Product {
            product_type: Some(kind.into()),
            ..product(id, title, brand, 10.0)
        };
        vec![
            item(
                "bhujia",
                "Bhujia Sev 200 g",
                "Haldirams",
                "Snacks > Namkeen",
            ),
            item(
                "moong",
                "Moong Dal Namkeen",
                "Haldirams",
                "Snacks > Namkeen",
            ),
            item(
                "rice",
                "Basmati Rice/Basmati Akki - Mogra 1 kg",
                "India Gate",
                "Rice",
            ),
            item("rice2", "Sona Masoori Rice 5 kg", "Fortune", "Rice"),
            item("biscuit", "Bourbon Biscuits", "Britannia", "Biscuits"),
        ]
    }

    #[test]
    fn brand_and_the_start_of_a_name_complete_where_titles_omit_the_brand() {
        let suggester = build(&english_shop()).unwrap();
        assert!(
            texts(&suggester, "haldiram bh").contains(&"Haldirams Bhujia Sev".to_string()),
            "{:?}",
            texts(&suggester, "haldiram bh")
        );
        assert_eq!(
            texts(&suggester, "india gate bas"),
            ["India Gate Basmati Rice"]
        );
    }

    #[test]
    fn a_hinglish_word_being_typed_completes_to_what_it_means() {
        let suggester = build(&english_shop()).unwrap();
        // No title says chawal: the lexicon knows it is rice.
        let found = texts(&suggester, "chaw");
        assert!(
            found.first().is_some_and(|text| text.contains("Rice")),
            "{found:?}"
        );
        assert!(
            !found.iter().any(|text| text.contains("Biscuit")),
            "{found:?}"
        );
    }

    #[test]
    fn a_word_suffix_completes_to_the_whole_title() {
        let suggester = build(&catalog()).unwrap();
        let found = texts(&suggester, "butter");
        assert!(
            found.contains(&"Amul Butter".to_string())
                && found.contains(&"Mother Dairy Butter".to_string()),
            "{found:?}"
        );
    }

    #[test]
    fn a_typo_in_the_last_word_still_completes() {
        let suggester = build(&catalog()).unwrap();
        assert!(
            texts(&suggester, "amlu")[0].starts_with("Amul"),
            "{:?}",
            texts(&suggester, "amlu")
        );
        assert!(texts(&suggester, "amul buttr").contains(&"Amul Butter".to_string()));
    }

    #[test]
    fn devanagari_prefixes_complete_in_their_own_script() {
        let suggester = build(&catalog()).unwrap();
        assert!(
            texts(&suggester, "अमूल मक्ख").contains(&"अमूल मक्खन".to_string()),
            "{:?}",
            texts(&suggester, "अमूल मक्ख")
        );
    }

    #[test]
    fn empty_query_gives_popular_completions_and_ties_are_deterministic() {
        let suggester = build(&catalog()).unwrap();
        let first = texts(&suggester, "");
        assert!(first[..2].contains(&"Amul".to_string()), "{first:?}");
        for _ in 0..3 {
            assert_eq!(texts(&suggester, ""), first);
            assert_eq!(texts(&suggester, "a"), texts(&suggester, "a"));
        }
    }

    #[test]
    fn hostile_input_is_answered() {
        let suggester = build(&catalog()).unwrap();
        for q in [
            "",
            "   ",
            "🙏🙏",
            &"x".repeat(300),
            "\u{094D}",
            "a b c d e f g",
        ] {
            let _ = suggester.suggest(q, 8);
        }
        assert!(texts(&suggester, "zzzz").is_empty());
    }

    #[test]
    fn earlier_words_need_not_be_next_to_each_other() {
        let suggester = build(&catalog()).unwrap();
        let found = texts(&suggester, "amul slic");
        assert_eq!(
            found.first().map(String::as_str),
            Some("Amul Cheese Slices"),
            "{found:?}"
        );
        let found = texts(&suggester, "amul butter 500g");
        assert_eq!(
            found.first().map(String::as_str),
            Some("Amul Butter"),
            "{found:?}"
        );
    }

    #[test]
    fn doodh_and_its_devanagari_meet() {
        let suggester = build(&catalog()).unwrap();
        for typed in ["doodh", "dudh", "दूध"] {
            let found = suggester.suggest(typed, 8).suggestions;
            assert!(
                found
                    .iter()
                    .any(|s| s.product_ids.contains(&"milk".to_string())),
                "{typed}: {found:?}"
            );
        }
    }

    #[test]
    fn a_short_typo_does_not_explode_into_noise() {
        let suggester = build(&catalog()).unwrap();
        // Three letters get no typo budget: only real prefixes come back.
        let found = texts(&suggester, "mlk");
        assert!(found.is_empty(), "{found:?}");
    }
}
