//! The catalog's word dictionary: an fst of every analyzed word in titles, brands, categories
//! and keywords, mapped to how many products carry it. It supplies typo and prefix candidates
//! for a query word once, and every field then searches the same candidates. Each word's value
//! packs its document frequency with a bit mask of the fields it occurs in, so a search only
//! asks the fields that can match.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use fst::automaton::{Automaton, Str};
use fst::{IntoStreamer, Map, Streamer};
use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder};
use tantivy::schema::Field;
use tantivy::Searcher;

use crate::analysis::grapheme_len;
use crate::error::{Error, Result};

/// Most prefix candidates kept for one word.
const MAX_PREFIX_CANDIDATES: usize = 12;
/// Most dictionary keys visited for a prefix, so a one-letter prefix costs no more than a long one.
const MAX_PREFIX_SCAN: usize = 2_000;
/// A completion carried by this many times more products than the word as typed makes the
/// typed word count as a prefix, not a finished word.
const DOMINANT_COMPLETION: u64 = 4;
/// A word in fewer products than this still brings its typo candidates.
const RARE_WORD_DOCS: u64 = 3;
/// Most typo candidates kept for one word.
const MAX_TYPO_CANDIDATES: usize = 6;

/// How a candidate word relates to the query word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MatchKind {
    /// The word itself.
    Exact,
    /// The query word is a prefix of it.
    Prefix,
    /// Within the typo budget.
    Typo,
}

/// A dictionary word a query word may stand for.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub word: String,
    pub kind: MatchKind,
    /// Edits from the query word (0 for exact and prefix).
    pub distance: u8,
    /// Products carrying the word (summed over fields).
    pub doc_freq: u64,
    /// Bit `i` set when the word occurs in the `i`-th field the dictionary was built from.
    pub fields: u8,
}

const MASK_BITS: u32 = 8;

fn pack(doc_freq: u64, fields: u8) -> u64 {
    (doc_freq << MASK_BITS) | u64::from(fields)
}

fn unpack(value: u64) -> (u64, u8) {
    (value >> MASK_BITS, (value & 0xFF) as u8)
}

/// The typo budget for a word: 1 edit from 4 graphemes, 2 from 8.
pub fn typo_budget(word: &str) -> u8 {
    match grapheme_len(word) {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

fn automaton_builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static ONE: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    static TWO: OnceLock<LevenshteinAutomatonBuilder> = OnceLock::new();
    if distance <= 1 {
        ONE.get_or_init(|| LevenshteinAutomatonBuilder::new(1, true))
    } else {
        TWO.get_or_init(|| LevenshteinAutomatonBuilder::new(2, true))
    }
}

/// Word → document frequency, as an fst.
pub struct WordDictionary {
    map: Map<Vec<u8>>,
    /// Unique among the dictionaries of this process: what the typo memo is keyed by.
    id: u64,
}

/// Typo candidates kept per thread: one message asks the same word's typos more than once
/// (spotting a brand, then searching the word; counting a list's items, then searching
/// them), and a Levenshtein automaton of two edits costs more to build than the rest of a
/// lookup.
const TYPO_MEMO: usize = 8;

thread_local! {
    /// The last [`TYPO_MEMO`] typo lookups: (dictionary id, word, candidates).
    static TYPOS: std::cell::RefCell<std::collections::VecDeque<(u64, String, Vec<Candidate>)>> =
        Default::default();
}

/// A new dictionary's id.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl WordDictionary {
    /// Builds the dictionary from the term dictionaries of `fields` (at most 8) in every
    /// segment; field `i` sets bit `i` of a word's field mask.
    pub fn from_searcher(searcher: &Searcher, fields: &[Field]) -> Result<WordDictionary> {
        let mut words: BTreeMap<Vec<u8>, (u64, u8)> = BTreeMap::new();
        for segment in searcher.segment_readers() {
            for (bit, &field) in fields.iter().enumerate().take(MASK_BITS as usize) {
                let inverted = segment.inverted_index(field)?;
                let mut terms = inverted.terms().stream()?;
                while let Some((term, info)) = terms.next() {
                    if std::str::from_utf8(term).is_ok() {
                        let entry = words.entry(term.to_vec()).or_default();
                        entry.0 += u64::from(info.doc_freq);
                        entry.1 |= 1 << bit;
                    }
                }
            }
        }
        WordDictionary::from_sorted(words)
    }

    /// Builds the dictionary from words in byte order with their counts and field masks.
    pub fn from_sorted(words: BTreeMap<Vec<u8>, (u64, u8)>) -> Result<WordDictionary> {
        let packed = words
            .into_iter()
            .map(|(word, (freq, fields))| (word, pack(freq, fields)));
        let map =
            Map::from_iter(packed).map_err(|err| Error::internal(format!("word fst: {err}")))?;
        Ok(WordDictionary { map, id: next_id() })
    }

    /// The dictionary stored as `bytes` by [`as_bytes`](Self::as_bytes).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<WordDictionary> {
        let map = Map::new(bytes).map_err(|err| Error::internal(format!("word fst: {err}")))?;
        Ok(WordDictionary { map, id: next_id() })
    }

    /// The fst's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.map.as_fst().as_bytes()
    }

    /// Number of distinct words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the dictionary has no words.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Size of the fst in bytes.
    pub fn size_bytes(&self) -> usize {
        self.map.as_fst().size()
    }

    /// Products carrying `word` and its field mask, if it is in the catalog.
    pub fn get(&self, word: &str) -> Option<(u64, u8)> {
        self.map.get(word).map(unpack)
    }

    /// Candidates for one query word: itself when present, words it is a prefix of when
    /// `as_prefix`, and when it is absent or rare, words within its typo budget (an edit to
    /// the first letter costs double). Ordered best first.
    pub fn expand(&self, word: &str, as_prefix: bool) -> Vec<Candidate> {
        self.expand_with(word, as_prefix, true)
    }

    /// [`expand`](Self::expand), with typo candidates only when `typos` is true (a word the
    /// lexicon knows brings its synonyms instead).
    pub fn expand_with(&self, word: &str, as_prefix: bool, typos: bool) -> Vec<Candidate> {
        let mut out = Vec::new();
        let exact = self.get(word);
        let completions = if as_prefix && !word.is_empty() {
            self.prefix_candidates(word)
        } else {
            Vec::new()
        };
        if let Some((doc_freq, fields)) = exact {
            // A word still being typed that the catalog mostly continues ("vermi" twice,
            // "vermicelli" 26 times) counts no more than its completions do.
            let mostly_continued = completions
                .iter()
                .any(|c| c.doc_freq >= DOMINANT_COMPLETION * doc_freq);
            out.push(Candidate {
                word: word.to_string(),
                kind: if mostly_continued {
                    MatchKind::Prefix
                } else {
                    MatchKind::Exact
                },
                distance: 0,
                doc_freq,
                fields,
            });
        }
        // A word being typed that the catalog completes is no typo: "colg" is on its way to
        // Colgate, not a misspelt "cola".
        let completed = !completions.is_empty();
        out.extend(completions);
        // A word a handful of products carry may itself be a misspelling in the catalog
        // ("cinamon" once, "cinnamon" everywhere): its typo neighbours are searched too.
        if typos && !completed && exact.is_none_or(|(doc_freq, _)| doc_freq < RARE_WORD_DOCS) {
            for typo in self.typo_candidates(word) {
                if !out.iter().any(|o| o.word == typo.word) {
                    out.push(typo);
                }
            }
        }
        out
    }

    /// Whether some longer word of the catalog starts with `prefix`.
    pub fn completes(&self, prefix: &str) -> bool {
        let mut stream = self
            .map
            .search(Str::new(prefix).starts_with())
            .into_stream();
        while let Some((key, _)) = stream.next() {
            if key.len() > prefix.len() {
                return true;
            }
        }
        false
    }

    fn prefix_candidates(&self, prefix: &str) -> Vec<Candidate> {
        let automaton = Str::new(prefix).starts_with();
        let mut stream = self.map.search(automaton).into_stream();
        let mut found = Vec::new();
        let mut scanned = 0;
        while let Some((key, value)) = stream.next() {
            scanned += 1;
            if key.len() > prefix.len() {
                if let Ok(word) = std::str::from_utf8(key) {
                    let (doc_freq, fields) = unpack(value);
                    found.push(Candidate {
                        word: word.to_string(),
                        kind: MatchKind::Prefix,
                        distance: 0,
                        doc_freq,
                        fields,
                    });
                }
            }
            if scanned >= MAX_PREFIX_SCAN {
                break;
            }
        }
        found.sort_by(|a, b| {
            b.doc_freq
                .cmp(&a.doc_freq)
                .then_with(|| a.word.cmp(&b.word))
        });
        found.truncate(MAX_PREFIX_CANDIDATES);
        found
    }

    /// [`find_typos`](Self::find_typos), remembered per thread for the last few words.
    fn typo_candidates(&self, word: &str) -> Vec<Candidate> {
        let known = TYPOS.with(|memo| {
            memo.borrow()
                .iter()
                .find(|(id, seen, _)| *id == self.id && seen == word)
                .map(|(_, _, found)| found.clone())
        });
        if let Some(found) = known {
            return found;
        }
        let found = self.find_typos(word);
        TYPOS.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.len() == TYPO_MEMO {
                memo.pop_front();
            }
            memo.push_back((self.id, word.to_string(), found.clone()));
        });
        found
    }

    /// Words within `word`'s typo budget, closest and most common first.
    fn find_typos(&self, word: &str) -> Vec<Candidate> {
        let budget = typo_budget(word);
        let Some(first) = word.chars().next() else {
            return Vec::new();
        };
        if budget == 0 {
            return Vec::new();
        }
        let dfa = automaton_builder(budget).build_dfa(word);
        let mut found = Vec::new();
        let mut keep = |key: &[u8], value: u64, distance: u8| {
            if let Ok(candidate) = std::str::from_utf8(key) {
                let (doc_freq, fields) = unpack(value);
                found.push(Candidate {
                    word: candidate.to_string(),
                    kind: MatchKind::Typo,
                    distance,
                    doc_freq,
                    fields,
                });
            }
        };
        // Words that start as the typed word does, within the budget: only that first
        // letter's part of the dictionary is walked, a twentieth of it or less.
        let mut low = [0u8; 4];
        let low = first.encode_utf8(&mut low).as_bytes();
        let mut high = low.to_vec();
        *high.last_mut().expect("a char has a byte") += 1;
        let mut stream = self.map.search(&dfa).ge(low).lt(&high).into_stream();
        while let Some((key, value)) = stream.next() {
            match final_distance(&dfa, key) {
                Some(distance) if distance > 0 => keep(key, value, distance),
                _ => {}
            }
        }
        // A first-letter edit costs two: with a budget of two, the rest must be exact.
        if budget >= 2 {
            let rest = &word[first.len_utf8()..];
            let mut stream = self
                .map
                .search(OtherFirstThen { first, rest })
                .into_stream();
            while let Some((key, value)) = stream.next() {
                keep(key, value, 1);
            }
        }
        found.sort_by(|a, b| {
            a.distance
                .cmp(&b.distance)
                .then(b.doc_freq.cmp(&a.doc_freq))
                .then_with(|| a.word.cmp(&b.word))
        });
        found.truncate(MAX_TYPO_CANDIDATES);
        found
    }
}

/// Words of one character other than `first`, then exactly `rest`: the typed word with its
/// first letter replaced. A hand-written automaton because neither fst nor
/// levenshtein_automata has one for an edit at a fixed place.
struct OtherFirstThen<'a> {
    first: char,
    rest: &'a str,
}

/// Where [`OtherFirstThen`] is in a key.
#[derive(Clone, Copy)]
enum FirstThen {
    /// The first character's bytes read so far.
    First {
        read: [u8; 4],
        len: u8,
    },
    /// Bytes of `rest` matched.
    Rest(usize),
    Dead,
}

impl Automaton for OtherFirstThen<'_> {
    type State = FirstThen;

    fn start(&self) -> FirstThen {
        FirstThen::First {
            read: [0; 4],
            len: 0,
        }
    }

    fn is_match(&self, state: &FirstThen) -> bool {
        matches!(*state, FirstThen::Rest(at) if at == self.rest.len())
    }

    fn can_match(&self, state: &FirstThen) -> bool {
        !matches!(state, FirstThen::Dead)
    }

    fn accept(&self, state: &FirstThen, byte: u8) -> FirstThen {
        match *state {
            FirstThen::First { mut read, len } => {
                read[len as usize] = byte;
                let len = len as usize + 1;
                let Ok(text) = std::str::from_utf8(&read[..len]) else {
                    // Not a whole character yet (or never one: four bytes at most).
                    return if len < 4 {
                        FirstThen::First {
                            read,
                            len: len as u8,
                        }
                    } else {
                        FirstThen::Dead
                    };
                };
                if text.starts_with(self.first) {
                    FirstThen::Dead
                } else {
                    FirstThen::Rest(0)
                }
            }
            FirstThen::Rest(at) if self.rest.as_bytes().get(at) == Some(&byte) => {
                FirstThen::Rest(at + 1)
            }
            FirstThen::Rest(_) | FirstThen::Dead => FirstThen::Dead,
        }
    }
}

fn final_distance(dfa: &levenshtein_automata::DFA, key: &[u8]) -> Option<u8> {
    let mut state = dfa.start();
    for &b in key {
        state = dfa.accept(&state, b);
    }
    match dfa.distance(state) {
        Distance::Exact(d) => Some(d),
        Distance::AtLeast(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dictionary(words: &[(&str, u64)]) -> WordDictionary {
        let map = words
            .iter()
            .map(|(w, n)| (w.as_bytes().to_vec(), (*n, 1)))
            .collect();
        WordDictionary::from_sorted(map).unwrap()
    }

    fn words(candidates: &[Candidate]) -> Vec<&str> {
        candidates.iter().map(|c| c.word.as_str()).collect()
    }

    /// Edits between two words, a swap of neighbours counting one (as the automata count).
    fn edits(a: &str, b: &str) -> usize {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    proptest::proptest! {
        #[test]
        fn a_typo_never_exceeds_the_budget(
            word in "(a|b|क|्){1,10}",
            catalog in proptest::collection::btree_set("(a|b|क|्){3,11}", 50..300),
        ) {
            let entries: Vec<(&str, u64)> = catalog.iter().map(|w| (w.as_str(), 1)).collect();
            let dict = dictionary(&entries);
            let budget = typo_budget(&word) as usize;
            let graphemes = grapheme_len(&word);
            proptest::prop_assert_eq!(budget, match graphemes { 0..=3 => 0, 4..=7 => 1, _ => 2 });
            for candidate in dict.expand(&word, false) {
                if candidate.kind != MatchKind::Typo {
                    continue;
                }
                let distance = edits(&word, &candidate.word);
                proptest::prop_assert!(distance >= 1 && distance <= budget, "{word} -> {}", candidate.word);
                let mut theirs = candidate.word.chars();
                let mut ours = word.chars();
                if theirs.next() != ours.next() {
                    // A first-letter edit costs two: the rest must be as typed.
                    proptest::prop_assert!(budget >= 2 && theirs.as_str() == ours.as_str());
                }
            }
        }
    }

    #[test]
    fn typo_budget_follows_grapheme_counts() {
        assert_eq!(typo_budget("dal"), 0);
        assert_eq!(typo_budget("buttr"), 1);
        assert_eq!(typo_budget("detergent"), 2);
        assert_eq!(typo_budget("मक्खन"), 0, "three graphemes get no typo budget");
    }

    #[test]
    fn a_word_being_typed_that_the_catalog_completes_is_no_typo() {
        let dict = dictionary(&[("cola", 30), ("cold", 50), ("colgate", 100)]);
        assert_eq!(words(&dict.expand("colg", true)), ["colgate"]);
        let finished = dict.expand("colg", false);
        let mut typos = words(&finished);
        typos.sort();
        assert_eq!(
            typos,
            ["cola", "cold"],
            "a finished word may still be a typo"
        );
    }

    #[test]
    fn a_typed_word_the_catalog_mostly_continues_counts_as_a_prefix() {
        let dict = dictionary(&[
            ("vermi", 2),
            ("vermicelli", 26),
            ("atta", 900),
            ("attar", 3),
        ]);
        let vermi = dict.expand("vermi", true);
        assert_eq!(words(&vermi), ["vermi", "vermicelli"]);
        assert_eq!(vermi[0].kind, MatchKind::Prefix);
        assert_eq!(dict.expand("vermi", false)[0].kind, MatchKind::Exact);
        assert_eq!(dict.expand("atta", true)[0].kind, MatchKind::Exact);
    }

    #[test]
    fn a_typo_finds_the_catalog_word() {
        let dict = dictionary(&[("batter", 2), ("butter", 40), ("buttermilk", 5)]);
        let found = dict.expand("buttr", false);
        assert_eq!(words(&found), ["butter"]);
        assert_eq!(found[0].kind, MatchKind::Typo);
    }

    #[test]
    fn first_letter_edit_costs_double() {
        let dict = dictionary(&[("mutter", 3), ("butter", 3)]);
        // "mutter" differs from "butter" only in the first letter: one edit, but it costs two.
        assert!(words(&dict.expand("butter", false)).contains(&"butter"));
        assert_eq!(words(&dict.expand("buttar", false)), ["butter"]);
        let long = dictionary(&[("detergent", 1), ("retergent", 1)]);
        assert_eq!(
            words(&long.expand("xetergent", false)),
            ["detergent", "retergent"]
        );
    }

    #[test]
    fn prefix_expands_the_last_word_only_when_asked() {
        let dict = dictionary(&[("bread", 9), ("brown", 4), ("butter", 40)]);
        assert!(dict.expand("br", false).is_empty());
        assert_eq!(words(&dict.expand("br", true)), ["bread", "brown"]);
    }

    #[test]
    fn exact_words_do_not_drag_in_typos() {
        let dict = dictionary(&[("rice", 9), ("mice", 1), ("rise", 1)]);
        assert_eq!(words(&dict.expand("rice", false)), ["rice"]);
    }

    #[test]
    fn a_rare_exact_word_may_be_the_catalogs_own_misspelling() {
        let dict = dictionary(&[("cinamon", 1), ("cinnamon", 40)]);
        assert_eq!(
            words(&dict.expand("cinamon", false)),
            ["cinamon", "cinnamon"]
        );
    }
}
