//! Synonym groups: the built-in grocery lexicon (atta = wheat flour = आटा) plus a catalog's own
//! groups. Every term is analyzed by the same pipeline as queries, so a group is a list of token
//! sequences. A query is matched against them at search time, longest term first; a word that
//! is no term itself may still reach a group through its phonetic key ("dudh" reaches the
//! group of "doodh" and "दूध"), which counts as a weaker match.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use super::lexicon::Lexicon;
use super::phonetic::phonetic_key;
use super::tokens;

/// Longest term, in tokens, that is matched.
const MAX_TERM_TOKENS: usize = 4;
/// Shortest word (in characters) that may reach a group through its phonetic key alone;
/// shorter keys collide too often.
const MIN_PHONETIC_CHARS: usize = 4;

/// How a query span reached its synonym group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynonymVia {
    /// The span is one of the group's terms.
    Term,
    /// The word's phonetic key equals a one-word term's key.
    Phonetic,
}

/// The synonyms of a span of query tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct SynonymMatch<'a> {
    /// Tokens of the query the matched term spans.
    pub len: usize,
    /// The other terms of the matched groups, as token sequences.
    pub alternatives: Vec<&'a [String]>,
    pub via: SynonymVia,
}

/// Synonym groups indexed for lookup by their terms' first token and phonetic key.
#[derive(Debug, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
    /// First token of a term → (group, term) pairs.
    by_first: HashMap<String, Vec<(u32, u32)>>,
    /// Phonetic key of a one-token term → groups.
    by_key: HashMap<String, Vec<u32>>,
    /// One-token terms in order → groups, for words still being typed.
    words: BTreeMap<String, Vec<u32>>,
}

impl Synonyms {
    /// The built-in lexicon's groups.
    pub fn builtin() -> Arc<Synonyms> {
        static BUILTIN: OnceLock<Arc<Synonyms>> = OnceLock::new();
        Arc::clone(BUILTIN.get_or_init(|| Arc::new(Synonyms::with_extra(&[]))))
    }

    /// The built-in groups plus `extra` groups (a catalog's own), each a list of terms.
    pub fn with_extra(extra: &[Vec<String>]) -> Synonyms {
        let lexicon = Lexicon::builtin();
        let mut synonyms = Synonyms::default();
        for concept in 0..lexicon.concepts().len() {
            synonyms.add_group(lexicon.concept_terms(concept).to_vec());
        }
        // Queries lose their one-word chat fillers ("gehun ka atta" is searched as
        // "gehun atta"), so the catalog's terms lose them too.
        let fillers: HashSet<String> = lexicon
            .fillers()
            .map(tokens)
            .filter(|t| t.len() == 1)
            .flatten()
            .collect();
        for terms in extra {
            let group = terms
                .iter()
                .map(|term| {
                    let mut words = tokens(term);
                    words.retain(|w| !fillers.contains(w));
                    words
                })
                .collect();
            synonyms.add_group(group);
        }
        synonyms
    }

    /// Adds a group of analyzed terms.
    fn add_group(&mut self, mut group: Vec<Vec<String>>) {
        group.retain(|t| !t.is_empty() && t.len() <= MAX_TERM_TOKENS);
        group.sort();
        group.dedup();
        if group.len() < 2 {
            return;
        }
        let id = self.groups.len() as u32;
        for (at, term) in group.iter().enumerate() {
            self.by_first
                .entry(term[0].clone())
                .or_default()
                .push((id, at as u32));
            if let [word] = term.as_slice() {
                let ids = self.words.entry(word.clone()).or_default();
                if ids.last() != Some(&id) {
                    ids.push(id);
                }
                if let Some(key) = phonetic_key(word) {
                    let ids = self.by_key.entry(key).or_default();
                    if ids.last() != Some(&id) {
                        ids.push(id);
                    }
                }
            }
        }
        self.groups.push(group);
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    /// Whether there are no groups.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The synonyms of the longest term starting at `tokens[at]`, else of the word's phonetic
    /// key. Alternatives are deduplicated and never include the matched span itself. When
    /// `typing`, the last token may be the start of a term's last word: "sarson ka t" is on
    /// its way to "sarson ka tel".
    pub fn lookup(&self, tokens: &[String], at: usize, typing: bool) -> Option<SynonymMatch<'_>> {
        let first = tokens.get(at)?;
        let mut best: Option<(usize, Vec<u32>)> = None;
        for &(group, term) in self.by_first.get(first).into_iter().flatten() {
            let term = &self.groups[group as usize][term as usize];
            let len = term.len();
            let whole = tokens.get(at..at + len) == Some(term.as_slice());
            let started = typing && len > 1 && at + len == tokens.len() && {
                let (last, before) = term.split_last().expect("terms have words");
                tokens[at..at + len - 1] == *before && last.starts_with(&tokens[at + len - 1])
            };
            if !whole && !started {
                continue;
            }
            match &mut best {
                Some((best_len, groups)) if *best_len == len => groups.push(group),
                Some((best_len, _)) if *best_len > len => {}
                _ => best = Some((len, vec![group])),
            }
        }
        if let Some((len, mut groups)) = best {
            groups.sort_unstable();
            groups.dedup();
            let span = &tokens[at..at + len];
            return Some(self.matched(len, &groups, span, SynonymVia::Term));
        }
        if first.chars().count() < MIN_PHONETIC_CHARS {
            return None;
        }
        let groups = self.by_key.get(&phonetic_key(first)?)?;
        Some(self.matched(1, groups, &tokens[at..at + 1], SynonymVia::Phonetic))
    }

    /// The other terms of the groups of the first `max_words` one-word terms that start with
    /// `prefix` ("chaw" → chawal → rice, चावल), the word being typed: what it may stand for.
    pub fn completing(&self, prefix: &str, max_words: usize) -> Vec<&[String]> {
        let mut out: Vec<&[String]> = Vec::new();
        let started = self
            .words
            .range::<str, _>((
                std::ops::Bound::Included(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(word, _)| word.starts_with(prefix))
            .take(max_words);
        for (word, groups) in started {
            for &group in groups {
                for term in &self.groups[group as usize] {
                    let own = matches!(term.as_slice(), [only] if only == word);
                    if !own && !out.contains(&term.as_slice()) {
                        out.push(term);
                    }
                }
            }
        }
        out
    }

    fn matched(
        &self,
        len: usize,
        groups: &[u32],
        span: &[String],
        via: SynonymVia,
    ) -> SynonymMatch<'_> {
        let mut alternatives: Vec<&[String]> = Vec::new();
        for &group in groups {
            for term in &self.groups[group as usize] {
                if term.as_slice() != span && !alternatives.contains(&term.as_slice()) {
                    alternatives.push(term);
                }
            }
        }
        SynonymMatch {
            len,
            alternatives,
            via,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_word_being_typed_reaches_the_groups_of_the_words_it_starts() {
        let synonyms = Synonyms::builtin();
        let reached: Vec<String> = synonyms
            .completing("chaw", 3)
            .into_iter()
            .map(|term| term.join(" "))
            .collect();
        assert!(reached.contains(&"rice".to_string()), "{reached:?}");
        assert!(reached.contains(&"चावल".to_string()), "{reached:?}");
        assert!(synonyms.completing("zzqx", 3).is_empty());
    }

    use super::*;

    fn catalog_groups() -> Synonyms {
        let mut synonyms = Synonyms::default();
        for terms in [
            &["atta", "aata", "wheat flour", "आटा"][..],
            &["doodh", "milk", "दूध"],
            &["curd", "dahi"],
            &["dahi", "yogurt"],
        ] {
            synonyms.add_group(terms.iter().map(|t| tokens(t)).collect());
        }
        synonyms
    }

    fn alternatives(synonyms: &Synonyms, text: &str) -> Option<(usize, Vec<String>)> {
        let query = tokens(text);
        synonyms
            .lookup(&query, 0, false)
            .map(|m| (m.len, m.alternatives.iter().map(|a| a.join(" ")).collect()))
    }

    #[test]
    fn a_word_finds_every_other_term_of_its_group() {
        let synonyms = catalog_groups();
        let (len, alts) = alternatives(&synonyms, "aata 5kg").unwrap();
        assert_eq!(len, 1);
        for want in ["atta", "wheat flour", "आटा"] {
            assert!(alts.contains(&want.to_string()), "{want} in {alts:?}");
        }
        assert!(!alts.contains(&"aata".to_string()), "never the word itself");
    }

    #[test]
    fn the_longest_term_wins() {
        let synonyms = catalog_groups();
        let (len, alts) = alternatives(&synonyms, "wheat flour 10 kg").unwrap();
        assert_eq!(len, 2);
        assert!(alts.contains(&"atta".to_string()));
        assert_eq!(alternatives(&synonyms, "wheat"), None);
    }

    #[test]
    fn a_term_in_two_groups_brings_both() {
        let synonyms = catalog_groups();
        let (_, alts) = alternatives(&synonyms, "dahi").unwrap();
        assert!(alts.contains(&"curd".to_string()) && alts.contains(&"yogurt".to_string()));
    }

    #[test]
    fn the_builtin_lexicon_and_catalog_groups_meet_in_one_set() {
        let synonyms = Synonyms::with_extra(&[vec!["godihittu".into(), "gehun ka atta".into()]]);
        let (_, alts) = alternatives(&synonyms, "godihittu").unwrap();
        assert!(alts.contains(&"gehun atta".to_string()), "{alts:?}");
        let (_, alts) = alternatives(&synonyms, "dahi").unwrap();
        assert!(alts.contains(&"curd".to_string()), "{alts:?}");
    }

    #[test]
    fn the_builtin_lexicon_takes_the_longest_term() {
        let synonyms = Synonyms::builtin();
        let query = tokens("sarson tel 1 litre aur aloo");
        let mustard_oil = synonyms.lookup(&query, 0, false).unwrap();
        assert_eq!(mustard_oil.len, 2);
        assert!(mustard_oil
            .alternatives
            .contains(&&tokens("mustard oil")[..]));
        let potato = synonyms.lookup(&query, 5, false).unwrap();
        assert_eq!(potato.len, 1);
        assert!(potato.alternatives.contains(&&tokens("potato")[..]));
        let mirch = synonyms.lookup(&tokens("hari mirch"), 1, false).unwrap();
        assert_eq!(mirch.len, 1);
    }

    #[test]
    fn a_term_being_typed_finds_its_synonyms() {
        let synonyms = Synonyms::builtin();
        let query = tokens("sarson t");
        let typing = synonyms.lookup(&query, 0, true).unwrap();
        assert_eq!(typing.len, 2);
        assert!(typing.alternatives.contains(&&tokens("mustard oil")[..]));
        let finished = synonyms.lookup(&query, 0, false).unwrap();
        assert_eq!(finished.len, 1, "a finished \"t\" is no start of tel");
        assert!(synonyms.lookup(&tokens("mustard o"), 0, true).unwrap().len == 2);
    }

    #[test]
    fn groups_of_one_distinct_term_are_ignored() {
        let mut synonyms = Synonyms::default();
        synonyms.add_group(vec![tokens("Milk"), tokens("milk")]);
        assert!(synonyms.is_empty());
    }
}
