//! The lexicon's chat phrases (fillers, price phrases, currency words), analyzed once into
//! token sequences so they match the analyzed message.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use crate::analysis::lexicon::{Bound, Intent, Lexicon, PhrasePosition};
use crate::analysis::tokens;

/// Which side of the price a bound limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceBound {
    Max,
    Min,
}

struct PricePhrase {
    tokens: Vec<String>,
    bound: PriceBound,
    before_number: bool,
}

/// Fillers, intent and price phrases as token sequences, longest first.
pub struct ChatPhrases {
    fillers: Vec<Vec<String>>,
    intents: Vec<(Vec<String>, Intent)>,
    prices: Vec<PricePhrase>,
    currency: HashSet<String>,
}

impl ChatPhrases {
    /// The built-in lexicon's phrases.
    pub fn builtin() -> &'static ChatPhrases {
        static PHRASES: OnceLock<ChatPhrases> = OnceLock::new();
        PHRASES.get_or_init(|| ChatPhrases::from_lexicon(Lexicon::builtin()))
    }

    fn from_lexicon(lexicon: &Lexicon) -> ChatPhrases {
        let mut fillers: Vec<Vec<String>> = lexicon
            .fillers()
            .map(tokens)
            .filter(|t| !t.is_empty())
            .collect();
        fillers.sort_by_key(|t| std::cmp::Reverse(t.len()));
        let mut prices: Vec<PricePhrase> = lexicon
            .price_phrases()
            .iter()
            .map(|p| PricePhrase {
                tokens: tokens(&p.phrase),
                bound: if p.bound == Bound::Max {
                    PriceBound::Max
                } else {
                    PriceBound::Min
                },
                before_number: p.position == PhrasePosition::Before,
            })
            .filter(|p| !p.tokens.is_empty())
            .collect();
        prices.sort_by_key(|p| std::cmp::Reverse(p.tokens.len()));
        let currency = lexicon.currency_words().flat_map(tokens).collect();
        let mut intents: Vec<(Vec<String>, Intent)> = lexicon
            .intent_phrases()
            .iter()
            .map(|p| (tokens(&p.phrase), p.intent))
            .filter(|(t, _)| !t.is_empty())
            .collect();
        intents.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        ChatPhrases {
            fillers,
            intents,
            prices,
            currency,
        }
    }

    /// The first price bound in `tokens`: the span to remove (phrase, currency words and the
    /// number), the bound and the amount.
    pub fn find_price(&self, tokens: &[String]) -> Option<(Range<usize>, PriceBound, f64)> {
        for (at, token) in tokens.iter().enumerate() {
            let Some(amount) = parse_amount(token) else {
                continue;
            };
            // Currency words may sit on either side of the number: "rs 300", "300 rupees".
            let mut start = at;
            while start > 0 && self.currency.contains(&tokens[start - 1]) {
                start -= 1;
            }
            let mut end = at + 1;
            while end < tokens.len() && self.currency.contains(&tokens[end]) {
                end += 1;
            }
            for phrase in &self.prices {
                let n = phrase.tokens.len();
                if phrase.before_number
                    && start >= n
                    && tokens[start - n..start] == phrase.tokens[..]
                {
                    return Some((start - n..end, phrase.bound, amount));
                }
                if !phrase.before_number && tokens.get(end..end + n) == Some(&phrase.tokens[..]) {
                    return Some((start..end + n, phrase.bound, amount));
                }
            }
        }
        None
    }

    /// Removes the intent phrases from `tokens`, longest first; returns the intents and the
    /// words removed, in message order.
    pub fn take_intents(&self, tokens: &mut Vec<String>) -> (Vec<Intent>, Vec<String>) {
        let mut found = Vec::new();
        let mut words = Vec::new();
        let mut at = 0;
        'outer: while at < tokens.len() {
            for (phrase, intent) in &self.intents {
                if tokens[at..].starts_with(phrase) {
                    found.push(*intent);
                    words.extend(tokens.drain(at..at + phrase.len()));
                    continue 'outer;
                }
            }
            at += 1;
        }
        (found, words)
    }

    /// Splits `tokens` into product words and filler words.
    pub fn drop_fillers(&self, tokens: Vec<String>) -> (Vec<String>, Vec<String>) {
        let mut kept = Vec::with_capacity(tokens.len());
        let mut dropped = Vec::new();
        let mut at = 0;
        'outer: while at < tokens.len() {
            for filler in &self.fillers {
                if tokens[at..].starts_with(filler) {
                    dropped.extend_from_slice(filler);
                    at += filler.len();
                    continue 'outer;
                }
            }
            kept.push(tokens[at].clone());
            at += 1;
        }
        (kept, dropped)
    }
}

fn parse_amount(token: &str) -> Option<f64> {
    if !token.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    token
        .replace(',', "")
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
}
