//! Shopping lists: which pieces of a message are items of their own. Hard separators always
//! part items (see [`crate::query::items`]); "and", "aur", "&" part them unless a title
//! writes the two sides as one name ("Fruit & Nut") and a good share of the products found
//! by the rarer side carry both; a message of plain product words ("milk bread eggs") is cut
//! where each run of words is a name the catalog gives a product, when no product or only a
//! combo pack carries them all.

use super::execute;
use super::plan::{self, Filters};
use crate::analysis::{self, synonyms::Synonyms};
use crate::index::{Snapshot, MAX_NAME_WORDS};
use crate::query::items::{self, Joint};
use crate::query::ParsedQuery;

/// The whole of "X and Y", written as one name in some title, is that name when at least
/// this share of the products found by the rarer side carry both sides: "fruit and nut
/// chocolate" (most nut chocolates are fruit and nut), not "diapers and baby wipes" (a few
/// combo packs among all baby wipes).
const WHOLE_NAME_SHARE: f64 = 0.1;
/// A message of juxtaposed names is looked at as a list only when at most this many products
/// carry all its words (combo packs); more, and it is searched as one thing.
pub const MAX_COMBOS: u64 = 20;
/// A message whose longest names make only two items is cut at its shortest names instead
/// only when at most this many products carry all its words.
const MAX_SHORTEST_CUT_COMBOS: u64 = 2;
/// Most items a message is cut into; the rest stays with the last item.
pub const MAX_ITEMS: usize = 10;

/// The items of `message`, in order; one item when it is not a list. The flag says whether
/// an "and" was read as part of one product's name ("salt and pepper chips"): such a message
/// is no list of juxtaposed names either.
pub fn items(snapshot: &Snapshot, synonyms: &Synonyms, message: &str) -> (Vec<String>, bool) {
    let pieces = items::pieces(message);
    if pieces.len() < 2 {
        return (vec![message.to_string()], false);
    }
    let mut named_whole = false;
    let mut out: Vec<String> = Vec::new();
    for piece in &pieces {
        let merge = match out.last() {
            None => false,
            // A piece without a product word ("bhej do") belongs to the item before it.
            Some(_) if !has_product_words(&piece.text) => true,
            Some(previous) if !has_product_words(previous) => true,
            Some(previous) => {
                let one = piece.joint == Joint::Soft
                    && is_one_name(snapshot, synonyms, previous, &piece.text);
                named_whole |= one;
                one
            }
        };
        let full = out.len() >= MAX_ITEMS;
        match out.last_mut() {
            Some(previous) if merge || full => {
                let joint = if piece.joint == Joint::Soft {
                    " and "
                } else {
                    ", "
                };
                previous.push_str(joint);
                previous.push_str(&piece.text);
            }
            _ => out.push(piece.text.clone()),
        }
    }
    if out.len() < 2 {
        // One item after all: searched as typed.
        return (vec![message.to_string()], named_whole);
    }
    (out, named_whole)
}

/// Whether a piece names anything to search for, beyond fillers and a quantity.
fn has_product_words(text: &str) -> bool {
    !ParsedQuery::parse(text).is_browse()
}

/// Whether `left and right` is one product's name rather than two items.
fn is_one_name(snapshot: &Snapshot, synonyms: &Synonyms, left: &str, right: &str) -> bool {
    let (left_words, right_words) = (
        ParsedQuery::parse(left).terms,
        ParsedQuery::parse(right).terms,
    );
    let (Some(last), Some(first)) = (left_words.last(), right_words.first()) else {
        return false;
    };
    if !snapshot.has_term(snapshot.fields.pairs, &format!("{last} {first}")) {
        return false;
    }
    let whole = strict_matches(snapshot, synonyms, &format!("{left} {right}"));
    if whole == 0 {
        return false;
    }
    let rarer =
        strict_matches(snapshot, synonyms, left).min(strict_matches(snapshot, synonyms, right));
    rarer == 0 || whole as f64 >= WHOLE_NAME_SHARE * rarer as f64
}

/// Products carrying every product word of `text` (typos, synonyms and sounds allowed).
fn strict_matches(snapshot: &Snapshot, synonyms: &Synonyms, text: &str) -> u64 {
    let parsed = ParsedQuery::parse(text);
    if parsed.is_browse() {
        return 0;
    }
    let brand = plan::spot_brand(snapshot, &parsed.terms);
    let Some(matching) = plan::text_query(snapshot, &parsed, synonyms, false, brand.as_deref())
    else {
        return 0;
    };
    let mut found = 0;
    let counted = execute::run(snapshot, &matching, &Filters::default(), |_, _, _| {
        found += 1
    });
    if counted.is_err() {
        return 0;
    }
    found
}

/// `text` cut into the product names it lists one after another ("milk bread eggs", "1 kg
/// atta 2 kg chawal"), each with the quantity written next to it; `None` unless it cuts into
/// two names or more with nothing left over, none of them a brand, and the products carrying
/// every word (`whole` of them, at most [`MAX_COMBOS`]) are combo packs at most: none for two
/// names, unless the text is already an item of a list (`in_list`). `terms` are the text's
/// product words as the query parser left them.
pub fn juxtaposed(
    snapshot: &Snapshot,
    synonyms: &Synonyms,
    text: &str,
    terms: &[String],
    whole: u64,
    in_list: bool,
) -> Option<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let tokens: Vec<Vec<String>> = words.iter().map(|w| analysis::tokens(w)).collect();
    // Two names alone are a list only when no product carries both ("vinegar chips" is
    // one); two within a list ("chawal dal aur namak"), or three or more, are items whatever
    // combo packs carry them all.
    let accepted =
        |items: &Vec<String>| items.len() > 2 || (items.len() == 2 && (in_list || whole == 0));
    let longest = cut(snapshot, synonyms, &words, &tokens, terms, Cut::Longest)?;
    if whole > MAX_COMBOS {
        // Only an item of a list gets here: its names are items when the products carrying
        // them all are a small share of each name's own.
        let fewest = longest
            .iter()
            .map(|item| strict_matches(snapshot, synonyms, item))
            .min()
            .unwrap_or(0);
        return (whole as f64 <= WHOLE_NAME_SHARE * fewest as f64).then_some(longest);
    }
    if accepted(&longest) {
        return Some(longest);
    }
    // "milk bread eggs": "Milk Bread" is a name too, but milk, bread and eggs are three
    // things a shop sells, and only a combo pack carries all three words. "red label tea"
    // stays whole: the several products carrying its words are Red Label tea.
    if whole > MAX_SHORTEST_CUT_COMBOS {
        return None;
    }
    let shortest = cut(snapshot, synonyms, &words, &tokens, terms, Cut::Shortest)?;
    (shortest.len() > 2).then_some(shortest)
}

/// Which names a run of words is cut into when a longer and a shorter one both fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    Longest,
    Shortest,
}

/// The words cut into names, each with the quantity written next to it; `None` when a word
/// belongs to no name or a name is a brand.
fn cut(
    snapshot: &Snapshot,
    synonyms: &Synonyms,
    words: &[&str],
    tokens: &[Vec<String>],
    terms: &[String],
    how: Cut,
) -> Option<Vec<String>> {
    let mut items: Vec<Vec<&str>> = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    // Quantities lead their item ("2 kg chawal") unless the message started with a name
    // ("atta 5kg maggi"), where they follow it.
    let trailing = tokens.first().is_some_and(|t| !is_quantity_word(t));
    let mut at = 0;
    while at < words.len() {
        if is_quantity_word(&tokens[at]) {
            match items.last_mut() {
                Some(last) if trailing => last.push(words[at]),
                _ => pending.push(words[at]),
            }
            at += 1;
            continue;
        }
        // Chat around the items ("good morning", "bhej do") is no item.
        if !tokens[at].iter().any(|t| terms.contains(t)) {
            at += 1;
            continue;
        }
        let lengths = 1..=MAX_NAME_WORDS.min(words.len() - at);
        let is_name_of = |len: &usize| is_name(snapshot, synonyms, &tokens[at..at + len].concat());
        let len = match how {
            Cut::Longest => lengths.rev().find(is_name_of),
            Cut::Shortest => lengths.into_iter().find(is_name_of),
        }?;
        if is_brand(snapshot, &tokens[at..at + len].concat()) {
            return None;
        }
        let mut item = std::mem::take(&mut pending);
        item.extend(&words[at..at + len]);
        items.push(item);
        at += len;
    }
    if let Some(last) = items.last_mut() {
        last.append(&mut pending);
    }
    (items.len() >= 2).then(|| items.into_iter().map(|w| w.join(" ")).collect())
}

/// Whether the words are a brand of the catalog: a brand is no item of its own.
fn is_brand(snapshot: &Snapshot, tokens: &[String]) -> bool {
    snapshot.has_term(snapshot.fields.brand_exact, &tokens.join(" "))
}

/// Whether the words are a name some product of the catalog goes by, or a synonym of one.
/// A name is one the titles give whole, a title's head word, or a synonym's words that the
/// catalog has and that end in a head word.
fn is_name(snapshot: &Snapshot, synonyms: &Synonyms, tokens: &[String]) -> bool {
    let known = |words: &[String]| snapshot.has_term(snapshot.fields.name_exact, &words.join(" "));
    if tokens.is_empty() {
        return false;
    }
    // A word some title ends its name with ("bread"), or words the catalog has ending in one
    // ("green chilli" where titles say "Chilli - Green Long").
    let headed = |words: &[String]| {
        words.len() <= 2
            && words.last().is_some_and(|last| is_head(snapshot, last))
            && words.iter().all(|word| snapshot.words.get(word).is_some())
    };
    // As typed, two words ending in a head may be two items ("chawal dal"); a synonym's
    // words are one name.
    if known(tokens) || (tokens.len() == 1 && headed(tokens)) {
        return true;
    }
    synonyms
        .lookup(tokens, 0, false)
        .filter(|m| m.len == tokens.len())
        .is_some_and(|m| m.alternatives.iter().any(|alt| known(alt) || headed(alt)))
}

/// Whether a word is what some product is: a head word of its title ("bread" in "Sandwich
/// Bread - White").
fn is_head(snapshot: &Snapshot, word: &str) -> bool {
    snapshot.has_term(snapshot.fields.head, word)
}

/// A number or a unit: part of an item's quantity.
fn is_quantity_word(tokens: &[String]) -> bool {
    !tokens.is_empty()
        && tokens
            .iter()
            .all(|t| analysis::quantity::is_size_word(t) || crate::query::is_count_word(t))
}
