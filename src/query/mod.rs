//! Chat query understanding: a shopper's message becomes a [`ParsedQuery`]: the product words
//! to search, a pack quantity ("5kg"), price bounds ("under 300", "300 se kam"), with chat
//! fillers ("hi", "bhaiya", "mujhe ... chahiye") dropped.

pub mod items;
mod phrases;

use serde::Serialize;

use crate::analysis::lexicon::{Intent, Lexicon};
use crate::analysis::{self, Quantity};
use phrases::{ChatPhrases, PriceBound};

/// What kirana understood of a message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ParsedQuery {
    /// Product words to match, analyzed, in order.
    pub terms: Vec<String>,
    /// Whether the last term may be an unfinished word (the message did not end after it).
    #[serde(skip)]
    pub last_is_prefix: bool,
    /// Pack quantity asked for.
    pub quantity: Option<Quantity>,
    /// Highest price asked for, in the major unit.
    pub price_max: Option<f64>,
    /// Lowest price asked for, in the major unit.
    pub price_min: Option<f64>,
    /// Words dropped as chat fillers.
    pub fillers: Vec<String>,
    /// An order the message asks for ("sabse sasta": cheapest first).
    pub order: Option<Order>,
    /// What to show first among the relevant ("bada pack", "offer wala").
    pub prefer: Vec<Preference>,
}

/// An order a message asks for in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    PriceAsc,
    PriceDesc,
    Popularity,
}

/// Products a message asks to see first among the relevant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Preference {
    BigPack,
    SmallPack,
    OnSale,
}

impl ParsedQuery {
    /// Understands one message.
    pub fn parse(message: &str) -> ParsedQuery {
        let phrases = ChatPhrases::builtin();
        // "< 300" and "> 500" carry their meaning in symbols, which segmentation drops.
        let text = message.replace('<', " under ").replace('>', " above ");
        // Compounds are cut as the index cuts them: "துவரம்பருப்பு" finds "துவரம் பருப்பு".
        let mut tokens = Lexicon::builtin().split_compounds(analysis::tokens(&text));
        // A word written as a plural ("lays", "eggs") was typed to its end: "lays" is on its
        // way to no "layer".
        let ends_inside_word =
            message.chars().last().is_some_and(char::is_alphanumeric) && !ends_in_plural(message);
        let last_token = tokens.last().cloned();
        let mut parsed = ParsedQuery::default();

        while let Some((span, bound, amount)) = phrases.find_price(&tokens) {
            match bound {
                PriceBound::Max => {
                    parsed.price_max = Some(parsed.price_max.map_or(amount, |m: f64| m.min(amount)))
                }
                PriceBound::Min => {
                    parsed.price_min = Some(parsed.price_min.map_or(amount, |m: f64| m.max(amount)))
                }
            }
            tokens.drain(span);
        }
        if let Some((span, quantity)) = Quantity::find_span(&tokens) {
            parsed.quantity = Some(quantity);
            tokens.drain(span);
        }
        let (intents, intent_words) = phrases.take_intents(&mut tokens);
        for intent in intents {
            match intent {
                Intent::Cheapest => parsed.order = parsed.order.or(Some(Order::PriceAsc)),
                Intent::Dearest => parsed.order = parsed.order.or(Some(Order::PriceDesc)),
                Intent::Popular => parsed.order = parsed.order.or(Some(Order::Popularity)),
                Intent::BigPack => parsed.prefer.push(Preference::BigPack),
                Intent::SmallPack => parsed.prefer.push(Preference::SmallPack),
                Intent::OnSale => parsed.prefer.push(Preference::OnSale),
            }
        }
        parsed.prefer.dedup();
        let counted = drop_pack_counts(&mut tokens);
        let (mut terms, mut fillers) = phrases.drop_fillers(tokens);
        fillers.extend(counted);
        fillers.extend(drop_item_counts(&mut terms));
        fillers.extend(drop_joining_words(&mut terms));
        fillers.extend(intent_words);
        parsed.last_is_prefix = ends_inside_word && terms.last() == last_token.as_ref();
        parsed.terms = terms;
        parsed.fillers = fillers;
        parsed
    }

    /// Whether nothing is left to match: a greeting or an empty message.
    pub fn is_browse(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Whether the message's last word is a plural the analysis folds ("lays" → "lay").
fn ends_in_plural(message: &str) -> bool {
    let normalized = analysis::normalize(message);
    analysis::segment::words(&normalized)
        .last()
        .is_some_and(|word| analysis::plural::fold_plural(word) != word)
}

/// Words that count packs rather than name a product: "2 packet maggi".
pub fn is_count_word(token: &str) -> bool {
    matches!(
        token,
        "packet"
            | "pack"
            | "pkt"
            | "box"
            | "bottle"
            | "jar"
            | "pouch"
            | "sachet"
            | "piece"
            | "pc"
            | "bag"
    )
}

/// Removes "2 packet", "do box" and the like (a number of packs, not a pack size); returns
/// the words removed.
fn drop_pack_counts(tokens: &mut Vec<String>) -> Vec<String> {
    let mut removed = Vec::new();
    let mut at = 0;
    while at + 1 < tokens.len() {
        if analysis::quantity::parse_number(&tokens[at]).is_some() && is_count_word(&tokens[at + 1])
        {
            removed.extend(tokens.drain(at..at + 2));
        } else {
            at += 1;
        }
    }
    removed
}

/// Removes "and", "aur", "n" between two product words: a message kept whole is one name
/// ("salt and pepper chips"), which titles write with "&", "n" or "and" alike.
fn drop_joining_words(terms: &mut Vec<String>) -> Vec<String> {
    let mut removed = Vec::new();
    let mut at = 1;
    while at + 1 < terms.len() {
        if analysis::JOINING_WORDS.contains(&terms[at].as_str()) {
            removed.push(terms.remove(at));
        } else {
            at += 1;
        }
    }
    removed
}

/// Most items a bare number before or after a product word counts ("maggi 2", "6 ande");
/// larger numbers are more likely part of a name or a size.
const MAX_ITEM_COUNT: f64 = 24.0;

/// Removes a bare count of items at either end of the product words ("maggi 2", "6 ande",
/// "ek frooti"), keeping numbers inside a name ("maggi 2 minute") and a message that is only
/// a number; returns the words removed.
fn drop_item_counts(terms: &mut Vec<String>) -> Vec<String> {
    let is_count = |term: &String| {
        let digits = term.chars().all(|c| c.is_ascii_digit());
        // Only the number words that are no English word of a product ("tin", "bees").
        let word = matches!(
            term.as_str(),
            "ek" | "do"
                | "teen"
                | "chaar"
                | "paanch"
                | "एक"
                | "दो"
                | "तीन"
                | "चार"
                | "पांच"
                | "पाँच"
        );
        (digits || word)
            && analysis::quantity::parse_number(term)
                .is_some_and(|n| (1.0..=MAX_ITEM_COUNT).contains(&n))
    };
    let mut removed = Vec::new();
    if terms.len() >= 2 && is_count(&terms[0]) && !is_count(&terms[1]) {
        removed.push(terms.remove(0));
    }
    let last = terms.len().wrapping_sub(1);
    if terms.len() >= 2 && is_count(&terms[last]) && !is_count(&terms[last - 1]) {
        removed.push(terms.remove(last));
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Unit;

    #[test]
    fn quantity_and_words_come_apart() {
        let parsed = ParsedQuery::parse("aata 5kg");
        assert_eq!(parsed.terms, ["aata"]);
        assert_eq!(
            parsed.quantity,
            Some(Quantity {
                value: 5000.0,
                unit: Unit::Grams
            })
        );
        assert!(!parsed.last_is_prefix, "a quantity ended the message");
    }

    #[test]
    fn price_bounds_in_english_and_hinglish() {
        assert_eq!(
            ParsedQuery::parse("shampoo under 100").price_max,
            Some(100.0)
        );
        assert_eq!(ParsedQuery::parse("atta 300 se kam").price_max, Some(300.0));
        assert_eq!(ParsedQuery::parse("ghee < 500").price_max, Some(500.0));
        assert_eq!(ParsedQuery::parse("ghee above 500").price_min, Some(500.0));
        assert_eq!(ParsedQuery::parse("shampoo under 100").terms, ["shampoo"]);
    }

    #[test]
    fn words_that_say_how_to_choose_are_intents_not_terms() {
        let parsed = ParsedQuery::parse("mujhe kuch sasta shampoo dikhao");
        assert_eq!(parsed.terms, ["shampoo"]);
        assert_eq!(parsed.order, Some(Order::PriceAsc));
        let parsed = ParsedQuery::parse("sabse sasta tel");
        assert_eq!(
            (parsed.terms, parsed.order),
            (vec!["tel".to_string()], Some(Order::PriceAsc))
        );
        let parsed = ParsedQuery::parse("bada pack surf");
        assert_eq!(
            (parsed.terms, parsed.prefer),
            (vec!["surf".to_string()], vec![Preference::BigPack])
        );
        assert_eq!(
            ParsedQuery::parse("offer wala shampoo").prefer,
            [Preference::OnSale]
        );
        assert_eq!(
            ParsedQuery::parse("sabse accha ghee").order,
            Some(Order::Popularity)
        );
        assert_eq!(
            ParsedQuery::parse("सबसे सस्ता आटा").order,
            Some(Order::PriceAsc)
        );
        assert_eq!(ParsedQuery::parse("amul butter").order, None);
    }

    #[test]
    fn pack_counts_are_not_product_words() {
        let parsed = ParsedQuery::parse("2 packet maggi");
        assert_eq!(parsed.terms, ["maggi"]);
        assert_eq!(parsed.quantity, None, "two packs is no pack size");
        assert_eq!(ParsedQuery::parse("do box tea").terms, ["tea"]);
        assert_eq!(ParsedQuery::parse("packet soup").terms, ["packet", "soup"]);
    }

    #[test]
    fn a_joining_word_between_product_words_need_not_match() {
        assert_eq!(
            ParsedQuery::parse("salt and pepper chips").terms,
            ["salt", "pepper", "chip"]
        );
        assert_eq!(
            ParsedQuery::parse("shampoo aur conditioner").terms,
            ["shampoo", "conditioner"]
        );
        assert_eq!(
            ParsedQuery::parse("and").terms,
            ["and"],
            "alone it is what was asked"
        );
    }

    #[test]
    fn a_bare_count_of_items_is_not_a_product_word() {
        assert_eq!(ParsedQuery::parse("maggi 2").terms, ["maggi"]);
        assert_eq!(ParsedQuery::parse("6 ande").terms, ["ande"]);
        assert_eq!(ParsedQuery::parse("ek frooti bhej do").terms, ["frooti"]);
        assert_eq!(
            ParsedQuery::parse("dark chocolate 1").terms,
            ["dark", "chocolate"]
        );
        assert!(
            ParsedQuery::parse("maggi 2 minute noodles")
                .terms
                .contains(&"2".to_string()),
            "a number inside a name stays"
        );
        assert_eq!(
            ParsedQuery::parse("7").terms,
            ["7"],
            "a number alone is searched"
        );
        assert_eq!(ParsedQuery::parse("tin foil").terms, ["tin", "foil"]);
    }

    #[test]
    fn greetings_leave_nothing_to_search() {
        assert!(ParsedQuery::parse("Hi").is_browse());
        assert!(ParsedQuery::parse("").is_browse());
        assert!(ParsedQuery::parse("!!! 🙏").is_browse());
    }

    #[test]
    fn last_word_is_a_prefix_only_while_typing() {
        assert!(ParsedQuery::parse("amul bu").last_is_prefix);
        assert!(!ParsedQuery::parse("amul bu ").last_is_prefix);
        assert!(!ParsedQuery::parse("amul butter please").last_is_prefix);
        assert!(
            !ParsedQuery::parse("do lays").last_is_prefix,
            "a plural was typed to its end"
        );
    }
}
