//! Chat query understanding: a shopper's message becomes a [`ParsedQuery`]: the product words
//! to search, a pack quantity ("5kg"), price bounds ("under 300", "300 se kam"), with chat
//! fillers ("hi", "bhaiya", "mujhe ... chahiye") dropped.

mod phrases;

use serde::Serialize;

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
}

impl ParsedQuery {
    /// Understands one message.
    pub fn parse(message: &str) -> ParsedQuery {
        let phrases = ChatPhrases::builtin();
        // "< 300" and "> 500" carry their meaning in symbols, which segmentation drops.
        let text = message.replace('<', " under ").replace('>', " above ");
        let mut tokens = analysis::tokens(&text);
        let ends_inside_word = message.chars().last().is_some_and(char::is_alphanumeric);
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
        let (terms, fillers) = phrases.drop_fillers(tokens);
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
    }
}
