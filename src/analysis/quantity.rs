//! Pack quantities: "5 kg", "500gm", "1.5 ltr", "2 x 500 g", "1 dozen", "५ किलो" become a value
//! in a base unit (grams, millilitres or pieces). Works on analyzed tokens, so the product's
//! `size` and the shopper's message are read by the same rules.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::lexicon::{BaseUnit, Lexicon};

/// The base unit a quantity is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[repr(u64)]
pub enum Unit {
    /// Mass, in grams.
    #[serde(rename = "g")]
    Grams = 1,
    /// Volume, in millilitres.
    #[serde(rename = "ml")]
    Millilitres = 2,
    /// Count, in pieces.
    #[serde(rename = "pcs")]
    Pieces = 3,
}

impl Unit {
    /// The unit stored under `code` in the index, if any.
    pub fn from_code(code: u64) -> Option<Unit> {
        match code {
            1 => Some(Unit::Grams),
            2 => Some(Unit::Millilitres),
            3 => Some(Unit::Pieces),
            _ => None,
        }
    }
}

/// An amount in a base unit.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Quantity {
    /// Amount in `unit`.
    pub value: f64,
    /// Base unit.
    pub unit: Unit,
}

impl Quantity {
    /// The first quantity in `tokens`.
    pub fn find(tokens: &[String]) -> Option<Quantity> {
        Quantity::find_span(tokens).map(|(_, q)| q)
    }

    /// The first quantity in `tokens` and the tokens it spans.
    pub fn find_span(tokens: &[String]) -> Option<(Range<usize>, Quantity)> {
        (0..tokens.len()).find_map(|at| quantity_at(tokens, at))
    }

    /// Whether two quantities are the same pack size (within 1%).
    pub fn same_size(&self, other: &Quantity) -> bool {
        self.unit == other.unit
            && (self.value - other.value).abs() <= 0.01 * self.value.max(other.value)
    }
}

fn quantity_at(tokens: &[String], at: usize) -> Option<(Range<usize>, Quantity)> {
    let number = parse_number(&tokens[at])?;
    let (unit, factor) = unit_alias(tokens.get(at + 1)?)?;
    let mut span = at..at + 2;
    let mut value = number * factor;
    // "2 x 500 g": a multiplier before the number.
    if at >= 2 && tokens[at - 1] == "x" {
        if let Some(count) =
            parse_number(&tokens[at - 2]).filter(|c| c.fract() == 0.0 && *c <= 100.0)
        {
            value *= count;
            span.start = at - 2;
        }
    }
    (value > 0.0 && value.is_finite()).then_some((span, Quantity { value, unit }))
}

/// A number as shoppers write it before a unit or a count: digits or a Hindi number word.
pub fn parse_number(token: &str) -> Option<f64> {
    if !token.starts_with(|c: char| c.is_ascii_digit()) {
        return number_word(token);
    }
    token.replace(',', "").parse().ok()
}

/// Hindi number words as shoppers write them before a unit ("do kilo chawal", "dedh litre
/// doodh", "आधा किलो"), in Hinglish and Devanagari as they read after analysis. Only read
/// before a unit word, so "bhej do" stays a phrase.
fn number_word(token: &str) -> Option<f64> {
    Some(match token {
        "aadha" | "adha" | "aadhaa" | "आधा" => 0.5,
        "ek" | "एक" => 1.0,
        "dedh" | "derh" | "डेढ" => 1.5,
        "do" | "दो" => 2.0,
        "dhai" | "dhaai" | "ढाई" => 2.5,
        "teen" | "tin" | "तीन" => 3.0,
        "char" | "chaar" | "चार" => 4.0,
        "paanch" | "panch" | "पांच" | "पाँच" => 5.0,
        "chhe" | "chhah" | "छह" | "छः" => 6.0,
        "saat" | "सात" => 7.0,
        "aath" | "आठ" => 8.0,
        "nau" | "नौ" => 9.0,
        "das" | "दस" => 10.0,
        "barah" | "baarah" | "बारह" => 12.0,
        "bees" | "बीस" => 20.0,
        _ => return None,
    })
}

/// Whether an analyzed word belongs to a pack size: a number, the "x" of a multipack, or a
/// unit. Suggestions drop such words; head words skip them.
pub fn is_size_word(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_digit()) || token == "x" || unit_alias(token).is_some()
}

/// Whether an analyzed word of a title belongs to its pack size, counting the words of a
/// multipack note as well: "100 g (Pack of 3)".
pub fn is_pack_word(token: &str) -> bool {
    is_size_word(token) || is_multipack_word(token)
}

/// The words of a multipack note: the "pack of" in "(Pack of 3)".
pub fn is_multipack_word(token: &str) -> bool {
    matches!(token, "pack" | "of")
}

/// Unit words and their base unit and factor, as they appear after analysis (lowercase,
/// plural-folded, nukta-free).
pub fn unit_alias(token: &str) -> Option<(Unit, f64)> {
    static TABLE: OnceLock<HashMap<String, (Unit, f64)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for alias in Lexicon::builtin().units() {
            let unit = match alias.base {
                BaseUnit::Grams => Unit::Grams,
                BaseUnit::Millilitres => Unit::Millilitres,
                BaseUnit::Pieces => Unit::Pieces,
            };
            // Analyze the alias like any text, so "kgs" and "किलो" meet the query's tokens.
            if let [token] = super::tokens(&alias.alias).as_slice() {
                table.entry(token.clone()).or_insert((unit, alias.factor));
            }
        }
        table
    });
    table.get(token).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tokens;

    fn parse(text: &str) -> Option<(f64, Unit)> {
        Quantity::find(&tokens(text)).map(|q| (q.value, q.unit))
    }

    #[test]
    fn shoppers_ways_of_writing_five_kilos_agree() {
        for text in [
            "aata 5kg",
            "aata 5 kg",
            "5 kilo atta",
            "५ किलो आटा",
            "5000 gm",
            "5 kgs",
        ] {
            assert_eq!(parse(text), Some((5000.0, Unit::Grams)), "{text}");
        }
    }

    #[test]
    fn volumes_counts_and_multipacks() {
        assert_eq!(parse("1.5 ltr oil"), Some((1500.0, Unit::Millilitres)));
        assert_eq!(parse("200ml"), Some((200.0, Unit::Millilitres)));
        assert_eq!(parse("1 dozen eggs"), Some((12.0, Unit::Pieces)));
        assert_eq!(parse("12 pcs"), Some((12.0, Unit::Pieces)));
        assert_eq!(parse("2 x 500 g"), Some((1000.0, Unit::Grams)));
    }

    #[test]
    fn hindi_number_words_before_a_unit_count() {
        assert_eq!(parse("do kilo chawal"), Some((2000.0, Unit::Grams)));
        assert_eq!(parse("dedh litre doodh"), Some((1500.0, Unit::Millilitres)));
        assert_eq!(parse("आधा किलो प्याज"), Some((500.0, Unit::Grams)));
        assert_eq!(
            parse("atta bhej do"),
            None,
            "a number word needs a unit after it"
        );
    }

    #[test]
    fn numbers_without_units_are_not_quantities() {
        assert_eq!(parse("shampoo under 100"), None);
        assert_eq!(parse("kg"), None);
        assert_eq!(parse("0 kg"), None);
    }
}
