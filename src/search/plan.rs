//! From a parsed message to a tantivy query. The message's words are grouped into slots (a
//! word, or a multi-word synonym term); each word is expanded once through the word dictionary
//! and each candidate is searched in the fields where it occurs, weighted by field and by match
//! quality (exact > synonym > phonetic > prefix > typo). A slot's clause is the best of its
//! candidates, its phonetic key and its synonyms; every slot must match, unless the search is
//! relaxed, where more matched slots rank higher.

use tantivy::schema::Field;
use tantivy::Term;

use super::execute::{bm25_idf, Matching, Node};
use super::SearchRequest;
use crate::analysis::phonetic::phonetic_key;
use crate::analysis::phonetic_filter::Script;
use crate::analysis::synonyms::{SynonymMatch, SynonymVia, Synonyms};
use crate::index::{brand_key, exact_key, weighted_text_fields, Candidate, MatchKind, Snapshot};
use crate::query::ParsedQuery;

/// Score a matched word adds in a relaxed search, so coverage outranks everything else.
pub const COVERAGE_SCORE: f32 = 100.0;
/// Weight of the description field, which has no place in the word dictionary.
const DESCRIPTION_WEIGHT: f32 = 0.5;
/// A word found in more than one in this many descriptions is not searched there.
const MAX_DESCRIPTION_SHARE: u64 = 10;
/// Weight of the phonetic field (keys of titles and brand).
const PHONETIC_WEIGHT: f32 = 3.0;
/// Match quality of a synonym from the lexicon or the catalog, relative to an exact word.
const SYNONYM_QUALITY: f32 = 0.9;
/// Match quality of a word whose phonetic key equals the product word's.
const PHONETIC_QUALITY: f32 = 0.6;
/// Match quality of a synonym reached through the word's phonetic key.
const PHONETIC_SYNONYM_QUALITY: f32 = 0.55;
/// Match quality of a word the query word is a prefix of, while the shopper types it.
const PREFIX_QUALITY: f32 = 0.4;
/// Share of a word's matches in other fields added to its best one: a word in the title and
/// the category ("milk" in a product of type Milk) outranks the word in the title alone ("Milk
/// Chocolate").
const FIELD_TIE_BREAKER: f32 = 0.5;
/// Share of a slot's same-script synonym matches added to its best match.
const SYNONYM_TIE_BREAKER: f32 = 0.3;
/// Score a product gets, per word or term of the message, when the message names it: the
/// message's words without the brand are one of the names its title gives it ("sugar" for
/// "Sugar/Sakkare", "butter" for "Amul Butter 500 g"). About one relevance bucket: among
/// matches of the same words, the product called just that comes first ("Onion" before
/// "Cocktail Onion").
const NAME_BONUS: f32 = 2.0;
/// Share of the name bonus a product gets when its title starts with the name before a
/// qualifier ("Ginger - Organically Grown" for "ginger").
const LEAD_NAME_SHARE: f32 = 0.5;
/// Share of a brand's products of one kind that makes the kind what the brand is known for.
const SIGNATURE_SHARE: f64 = 0.3;
/// Most synonyms searched for one slot.
const MAX_SYNONYMS: usize = 8;

/// Filters from the request and the message, merged; the default is no filter at all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    pub in_stock: bool,
    pub brands: Vec<String>,
    pub categories: Vec<String>,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
}

impl Filters {
    /// Whether no filter applies.
    pub fn is_empty(&self) -> bool {
        !self.in_stock
            && self.brands.is_empty()
            && self.categories.is_empty()
            && self.price_min.is_none()
            && self.price_max.is_none()
    }

    /// The stricter of the request's and the message's bounds apply.
    pub fn new(request: &SearchRequest, parsed: &ParsedQuery) -> Filters {
        let stricter = |a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64| match (a, b) {
            (Some(x), Some(y)) => Some(pick(x, y)),
            (x, y) => x.or(y),
        };
        Filters {
            in_stock: request.in_stock,
            brands: request.brands.iter().map(|b| brand_key(b)).collect(),
            categories: request.categories.iter().map(|c| category_key(c)).collect(),
            price_min: stricter(request.price_min, parsed.price_min, f64::max),
            price_max: stricter(request.price_max, parsed.price_max, f64::min),
        }
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

/// A run of query terms searched as one unit: a word, or the words of a synonym term
/// ("wheat flour"), with the synonyms the run brings.
struct Slot<'a> {
    terms: &'a [String],
    /// Whether the run's last word is still being typed.
    as_prefix: bool,
    synonyms: Option<SynonymMatch<'a>>,
}

/// Cuts the message's terms into slots, longest synonym term first.
fn slots<'a>(parsed: &'a ParsedQuery, synonyms: &'a Synonyms) -> Vec<Slot<'a>> {
    let terms = &parsed.terms;
    let mut out = Vec::with_capacity(terms.len());
    let mut at = 0;
    while at < terms.len() {
        let matched = synonyms.lookup(terms, at, parsed.last_is_prefix);
        let len = matched.as_ref().map_or(1, |m| m.len);
        let is_last = at + len == terms.len();
        // A one-letter word being typed expands only after other words ("mustard o"); alone
        // it would stand for most of the catalog. "दू" is two characters, one grapheme.
        let long_enough = at > 0 || terms[at].chars().count() >= 2;
        out.push(Slot {
            terms: &terms[at..at + len],
            as_prefix: parsed.last_is_prefix && is_last && long_enough,
            synonyms: matched,
        });
        at += len;
    }
    out
}

/// The catalog brand named in the message, if any: the longest run of terms (up to three)
/// that is a brand of this catalog ("mother dairy", "amul").
pub fn spot_brand(snapshot: &Snapshot, terms: &[String]) -> Option<String> {
    brand_runs(terms)
        .map(|run| run.join(" "))
        .find(|key| snapshot.has_term(snapshot.fields.brand_exact, key))
}

/// The runs of terms a brand may be written as, longest first (up to three words), each
/// length from the left.
fn brand_runs(terms: &[String]) -> impl Iterator<Item = &[String]> {
    (1..=terms.len().min(3))
        .rev()
        .flat_map(move |len| terms.windows(len))
}

/// [`spot_brand`], or for a message of one word that is no word of the catalog, the brand
/// it is on its way to or misspells ("colg", "colgat" → colgate; "maggie" → maggi): the
/// most carried brand among the word's candidates.
pub fn spot_brand_loosely(snapshot: &Snapshot, parsed: &ParsedQuery) -> Option<String> {
    if let Some(brand) = spot_brand(snapshot, &parsed.terms) {
        return Some(brand);
    }
    if let Some(brand) = spot_brand_by_sound(snapshot, &parsed.terms) {
        return Some(brand);
    }
    let [term] = parsed.terms.as_slice() else {
        return None;
    };
    if snapshot.words.get(term).is_some() || term.chars().count() < MIN_LOOSE_BRAND_CHARS {
        return None;
    }
    snapshot
        .words
        .expand(term, parsed.last_is_prefix)
        .into_iter()
        .filter(|candidate| snapshot.has_term(snapshot.fields.brand_exact, &candidate.word))
        .max_by(|a, b| {
            a.doc_freq
                .cmp(&b.doc_freq)
                .then_with(|| b.word.cmp(&a.word))
        })
        .map(|candidate| candidate.word)
}

/// The catalog brand that a run of Indic-script words (up to three) that neither the catalog
/// nor the lexicon knows sounds like: "मैगी" is Maggi, "अमूल" Amul in a shop that writes
/// English. When several brands sound alike, the one on the most products.
fn spot_brand_by_sound(snapshot: &Snapshot, terms: &[String]) -> Option<String> {
    // Words the catalog or the lexicon knows are what they say ("दूध" is milk, whatever
    // brand sounds like it).
    let unknown = |run: &&[String]| {
        run.iter()
            .all(|t| Script::of(t) == Script::Indic && snapshot.words.get(t).is_none())
            && Synonyms::builtin()
                .lookup(run, 0, false)
                .is_none_or(|m| m.via != SynonymVia::Term)
    };
    brand_runs(terms).filter(unknown).find_map(|run| {
        let sound = crate::index::brand_sound(run)?;
        let prefix = format!("{sound}{}", crate::index::BRAND_KIND_SEPARATOR);
        let found = snapshot.terms_with_prefix(snapshot.fields.brand_sound, &prefix);
        let (term, _) = found.into_iter().max_by_key(|&(_, n)| n)?;
        Some(term[prefix.len()..].to_string())
    })
}

/// Fewest characters of a word that may stand for a brand it does not spell.
const MIN_LOOSE_BRAND_CHARS: usize = 4;

/// The whole query: one clause per slot. `None` when nothing can match: in a strict search, a
/// slot that no product carries; in a relaxed one, no slot at all.
pub fn text_query(
    snapshot: &Snapshot,
    parsed: &ParsedQuery,
    synonyms: &Synonyms,
    relaxed: bool,
    brand: Option<&str>,
) -> Option<Matching> {
    if parsed.is_browse() {
        return Some(Matching::Everything);
    }
    let slots = slots(parsed, synonyms);
    if relaxed {
        let slots: Vec<Node> = slots
            .iter()
            .filter_map(|slot| slot_clause(snapshot, slot))
            .collect();
        (!slots.is_empty()).then_some(Matching::Any {
            slots,
            per_match: COVERAGE_SCORE,
        })
    } else {
        let bonus = name_clause(snapshot, &slots, brand);
        let slots = slots
            .iter()
            .map(|slot| slot_clause(snapshot, slot))
            .collect::<Option<Vec<Node>>>()?;
        Some(Matching::Every { slots, bonus })
    }
}

/// Products the message asks for by name: the words of its slots other than the brand's,
/// whole, and each synonym of the slot when one is left. A message naming the brand alone
/// ("maggi", "surf excel") asks for the brand's products, and first for what the brand is
/// known for (Maggi's noodles before its sauces).
fn name_clause(snapshot: &Snapshot, slots: &[Slot], brand: Option<&str>) -> Option<Node> {
    let field = snapshot.fields.name_exact;
    let brand_words: Vec<&str> = brand.map_or(Vec::new(), |b| b.split(' ').collect());
    // A lone word that is on its way to the brand or misspells it is the brand too
    // ([`spot_brand_loosely`]).
    let lone_brand = brand.is_some() && slots.len() == 1;
    let named: Vec<&Slot> = slots
        .iter()
        .filter(|slot| !lone_brand && !slot.terms.iter().all(|t| brand_words.contains(&t.as_str())))
        .collect();
    if named.is_empty() {
        return brand.and_then(|brand| brand_clause(snapshot, brand, slots.len()));
    }
    let words: Vec<&str> = named
        .iter()
        .flat_map(|slot| slot.terms.iter().map(String::as_str))
        .collect();
    if words.len() > crate::index::MAX_NAME_WORDS {
        return None;
    }
    let mut names = vec![words.join(" ")];
    // A synonym met through its sound is too loose to name a product: "shamp" sounds like
    // "saunf".
    if let [slot] = named.as_slice() {
        if let Some(matched) = slot.synonyms.as_ref().filter(|m| m.via == SynonymVia::Term) {
            names.extend(matched.alternatives.iter().map(|words| words.join(" ")));
        }
    }
    let score = NAME_BONUS * named.len() as f32;
    let clauses = names
        .into_iter()
        .filter(|name| !name.is_empty())
        .flat_map(|name| {
            [
                Node::Has {
                    field,
                    value: name.clone(),
                    score,
                },
                Node::Has {
                    field: snapshot.fields.lead_name,
                    value: name,
                    score: LEAD_NAME_SHARE * score,
                },
            ]
        })
        .collect();
    Node::best(clauses, 0.0)
}

/// A brand's own products, and among them those of its signature kind, when a message names
/// the brand alone: above products that carry the brand's word in their title ("Tooti
/// Frooti" cake for "frooti").
fn brand_clause(snapshot: &Snapshot, brand: &str, words: usize) -> Option<Node> {
    let score = NAME_BONUS * words as f32;
    let mut clauses = vec![Node::Has {
        field: snapshot.fields.brand_exact,
        value: brand.to_string(),
        score,
    }];
    if let Some(kind) = signature_kind(snapshot, brand) {
        // Twice the brand's: above the brand's other products even where their titles
        // repeat the brand's word ("Maggi Tomato Ketchup").
        clauses.push(Node::Has {
            field: snapshot.fields.brand_kind,
            value: kind,
            score: 2.0 * score,
        });
    }
    // Both count: the brand's signature products carry both terms.
    Node::best(clauses, 1.0)
}

/// The kind most of a brand's products are, as its [`crate::index::Fields::brand_kind`]
/// term, when it is at least [`SIGNATURE_SHARE`] of them: Maggi is noodles, Surf Excel
/// detergent; Amul, selling milk, cheese, chocolate and ice cream alike, has none.
fn signature_kind(snapshot: &Snapshot, brand: &str) -> Option<String> {
    let prefix = format!("{brand}{}", crate::index::BRAND_KIND_SEPARATOR);
    let kinds = snapshot.terms_with_prefix(snapshot.fields.brand_kind, &prefix);
    let total: u64 = kinds.iter().map(|(_, n)| n).sum();
    let (kind, count) = kinds.into_iter().max_by_key(|&(_, n)| n)?;
    (total >= 2 && count as f64 >= SIGNATURE_SHARE * total as f64).then_some(kind)
}

/// One slot: its own words (exact, prefix, typo), their phonetic key, and its synonyms, the
/// best of them counting.
fn slot_clause(snapshot: &Snapshot, slot: &Slot) -> Option<Node> {
    // The slot's words and its synonyms in the same script: a title carrying both the word
    // and its synonym ("Jeera/Cumin Seeds") outranks one that carries the word in passing.
    let mut same_script: Vec<Node> = Vec::new();
    // Its phonetic key and its synonyms in other scripts, which a translated title matches
    // as well as the title does: they count only when they are the best match.
    let mut elsewhere: Vec<Node> = Vec::new();
    if let [term] = slot.terms {
        // A word the lexicon knows is no typo: its synonyms stand in for typo candidates.
        let typos = slot
            .synonyms
            .as_ref()
            .is_none_or(|m| m.via != SynonymVia::Term);
        same_script.extend(word_clause(snapshot, term, slot.as_prefix, typos));
        // A Latin word still being typed that starts a catalog word has no sound yet: "colg"
        // is on its way to Colgate, not Kellogg's, whose key it shares. An Indic one may only
        // meet Latin titles by its key.
        let typing_a_catalog_word =
            slot.as_prefix && Script::of(term) == Script::Latin && snapshot.words.completes(term);
        if !typing_a_catalog_word {
            elsewhere.extend(phonetic_clause(snapshot, term));
        }
        // An Indic word being typed meets Latin titles only by sound, so it completes by
        // sound too: "बासम" is on its way to basmati (key bsm → bsmti).
        if slot.as_prefix && Script::of(term) == Script::Indic {
            elsewhere.extend(phonetic_prefix_clause(snapshot, term));
        }
    } else {
        // Only the last word of a term can be still being typed ("mustard o").
        let last = slot.terms.len() - 1;
        let all: Option<Vec<Node>> = slot
            .terms
            .iter()
            .enumerate()
            .map(|(i, term)| word_clause(snapshot, term, slot.as_prefix && i == last, false))
            .collect();
        same_script.extend(all.and_then(Node::all));
    }
    if let Some(matched) = &slot.synonyms {
        let quality = match matched.via {
            SynonymVia::Term => SYNONYM_QUALITY,
            SynonymVia::Phonetic => PHONETIC_SYNONYM_QUALITY,
        };
        let latin = is_latin(slot.terms);
        for alternative in useful_synonyms(&matched.alternatives, slot.terms) {
            if let Some(clause) = exact_clause(snapshot, alternative, quality) {
                if is_latin(alternative) == latin {
                    same_script.push(clause);
                } else {
                    elsewhere.push(clause);
                }
            }
        }
    }
    elsewhere.extend(Node::best(same_script, SYNONYM_TIE_BREAKER));
    Node::best(elsewhere, 0.0)
}

/// The synonyms worth searching, fewest words first, at most [`MAX_SYNONYMS`]: not those that
/// contain all the slot's own words ("gehun atta" for "atta" finds nothing "atta" does not).
fn useful_synonyms<'a>(alternatives: &[&'a [String]], own: &[String]) -> Vec<&'a [String]> {
    let mut useful: Vec<&[String]> = alternatives
        .iter()
        .copied()
        .filter(|alternative| !own.iter().all(|word| alternative.contains(word)))
        .collect();
    useful.sort_by_key(|alternative| alternative.len());
    useful.truncate(MAX_SYNONYMS);
    useful
}

/// Whether words are written in Latin letters (as opposed to an Indic script).
fn is_latin(words: &[String]) -> bool {
    words.iter().all(|w| Script::of(w) == Script::Latin)
}

/// A synonym: every one of its words, as written, in the fields that hold it; `None` when the
/// catalog lacks one of them.
fn exact_clause(snapshot: &Snapshot, words: &[String], quality: f32) -> Option<Node> {
    let docs = snapshot.searcher.num_docs().max(1);
    let fields = weighted_text_fields(&snapshot.fields);
    // A synonym of several words scores like one word: its parts share the weight.
    let share = quality / words.len() as f32;
    let mut parts: Vec<Node> = Vec::with_capacity(words.len());
    for word in words {
        let (doc_freq, mask) = snapshot.words.get(word)?;
        let weight = share / idf(doc_freq, docs);
        let mut by_field = FieldMatches::default();
        for (bit, (field, field_weight)) in fields.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                by_field.push(
                    bit,
                    Node::term(*field, word, field_weight * weight, doc_freq),
                );
            }
        }
        parts.push(by_field.into_query()?);
    }
    Node::all(parts)
}

/// The word's cross-script phonetic key in the phonetic field, when any product has it.
fn phonetic_clause(snapshot: &Snapshot, term: &str) -> Option<Node> {
    let key = phonetic_key(term)?;
    let fields = &snapshot.fields;
    // A Latin word asks the keys of Indic words (its cross-script matches); the keys of Latin
    // words only when the catalog lacks the word as written (dudh for doodh). An Indic word
    // asks both.
    let latin_too = Script::of(term) == Script::Indic || snapshot.words.get(term).is_none();
    let docs = snapshot.searcher.num_docs().max(1);
    let clauses: Vec<Node> = [(fields.phonetic, true), (fields.phonetic_latin, latin_too)]
        .into_iter()
        .filter(|&(_, wanted)| wanted)
        .filter_map(|(field, _)| {
            let doc_freq = snapshot
                .searcher
                .doc_freq(&Term::from_field_text(field, &key))
                .ok()
                .filter(|&n| n > 0)?;
            Some(Node::term(
                field,
                &key,
                PHONETIC_WEIGHT * PHONETIC_QUALITY / idf(doc_freq, docs),
                doc_freq,
            ))
        })
        .collect();
    Node::best(clauses, 0.0)
}

/// Keys of at least this many letters complete to longer keys; shorter ones would reach
/// most of the catalog.
const MIN_PHONETIC_PREFIX: usize = 3;

/// At most this many longer keys, the most common first, stand in for a key being typed.
const MAX_PHONETIC_COMPLETIONS: usize = 8;

/// The keys that a word being typed is a prefix of, in either phonetic field, matched at
/// prefix quality.
fn phonetic_prefix_clause(snapshot: &Snapshot, term: &str) -> Option<Node> {
    let key = phonetic_key(term).filter(|key| key.len() >= MIN_PHONETIC_PREFIX)?;
    let fields = &snapshot.fields;
    let docs = snapshot.searcher.num_docs().max(1);
    let mut completions: Vec<(Field, String, u64)> = [fields.phonetic, fields.phonetic_latin]
        .into_iter()
        .flat_map(|field| {
            snapshot
                .terms_with_prefix(field, &key)
                .into_iter()
                .filter(|(longer, _)| longer.len() > key.len())
                .map(move |(longer, doc_freq)| (field, longer, doc_freq))
        })
        .collect();
    completions.sort_by_key(|c| std::cmp::Reverse(c.2));
    completions.truncate(MAX_PHONETIC_COMPLETIONS);
    let clauses = completions
        .into_iter()
        .map(|(field, longer, doc_freq)| {
            let weight = PHONETIC_WEIGHT * PHONETIC_QUALITY * PREFIX_QUALITY;
            Node::term(field, &longer, weight / idf(doc_freq, docs), doc_freq)
        })
        .collect();
    Node::best(clauses, 0.0)
}

/// How much a candidate's match counts relative to an exact one. The tiers lie far enough
/// apart that match quality outweighs field weight (DESIGN: quality before field): a typo in
/// the title (0.25 × 3) ranks below a prefix in the brand (0.4 × 2).
fn quality(candidate: &Candidate) -> f32 {
    match (candidate.kind, candidate.distance) {
        (MatchKind::Exact, _) => 1.0,
        (MatchKind::Prefix, _) => PREFIX_QUALITY,
        (MatchKind::Typo, 1) => 0.25,
        (MatchKind::Typo, _) => 0.18,
    }
}

/// BM25's idf, used to divide it back out: match quality, not word rarity, should order the
/// candidates of one word.
fn idf(doc_freq: u64, docs: u64) -> f32 {
    bm25_idf(doc_freq, docs).max(0.1)
}

/// One query word: the best-scoring of its candidates over the fields they occur in.
fn word_clause(snapshot: &Snapshot, term: &str, as_prefix: bool, typos: bool) -> Option<Node> {
    let docs = snapshot.searcher.num_docs().max(1);
    let fields = weighted_text_fields(&snapshot.fields);
    let candidates = snapshot.words.expand_with(term, as_prefix, typos);
    let mut by_field = FieldMatches::default();
    for candidate in &candidates {
        let weight = quality(candidate) / idf(candidate.doc_freq, docs);
        for (bit, (field, field_weight)) in fields.iter().enumerate() {
            if candidate.fields & (1 << bit) != 0 {
                by_field.push(
                    bit,
                    Node::term(
                        *field,
                        &candidate.word,
                        field_weight * weight,
                        candidate.doc_freq,
                    ),
                );
            }
        }
    }
    // Descriptions are not in the dictionary: they match the word as typed, when no title,
    // brand, keyword or category carries it and it is no everyday word of descriptions.
    if !candidates.iter().any(|c| c.kind == MatchKind::Exact) {
        let description = Term::from_field_text(snapshot.fields.description, term);
        let doc_freq = snapshot.searcher.doc_freq(&description).unwrap_or(0);
        if doc_freq > 0 && doc_freq * MAX_DESCRIPTION_SHARE < docs {
            by_field.description = Some(Node::term(
                snapshot.fields.description,
                term,
                DESCRIPTION_WEIGHT / idf(doc_freq, docs),
                doc_freq,
            ));
        }
    }
    by_field.into_query()
}

/// A word's matches grouped by field, to be combined so that the title and its translations
/// count once (the best of them: a product with a Hindi title is no better a match), while a
/// match in the brand, keywords or category adds a share of its own.
#[derive(Default)]
struct FieldMatches {
    /// Indexed like [`weighted_text_fields`]; 0 and 1 are the title and its translations.
    fields: [Vec<Node>; 6],
    description: Option<Node>,
}

impl FieldMatches {
    fn push(&mut self, bit: usize, query: Node) {
        self.fields[bit].push(query);
    }

    fn into_query(self) -> Option<Node> {
        let [title, title_alt, brand, keywords, category, head] = self.fields;
        let name: Vec<Node> = title.into_iter().chain(title_alt).collect();
        let mut groups: Vec<Node> = [name, brand, keywords, category, head]
            .into_iter()
            .filter_map(|group| Node::best(group, 0.0))
            .collect();
        groups.extend(self.description);
        Node::best(groups, FIELD_TIE_BREAKER)
    }
}
