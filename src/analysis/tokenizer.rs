//! The tokenizer at the head of every analyzer: normalizes the whole text ([`normalize`]), then
//! cuts it into words ([`segment::words`]). Normalizing comes first because it can move word
//! boundaries: NFKC turns the fullwidth "ＡＴＴＡ５" into "atta5", which then splits into "atta"
//! and "5". tantivy's `SimpleTokenizer` splits "क्या" at the virama; this one never does.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::{normalize, segment};

/// Tokenizer yielding the words of the normalized text.
#[derive(Clone, Default)]
pub struct KiranaTokenizer {
    normalized: String,
    token: Token,
}

/// Stream over the words of one text.
pub struct KiranaTokenStream<'a> {
    words: std::vec::IntoIter<&'a str>,
    token: &'a mut Token,
}

impl Tokenizer for KiranaTokenizer {
    type TokenStream<'a> = KiranaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KiranaTokenStream<'a> {
        self.normalized = normalize(text);
        self.token.reset();
        KiranaTokenStream {
            words: segment::words(&self.normalized)
                .collect::<Vec<_>>()
                .into_iter(),
            token: &mut self.token,
        }
    }
}

impl TokenStream for KiranaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(word) = self.words.next() else {
            return false;
        };
        // Offsets into the normalized text are not offsets into the original, so tokens
        // carry none; positions count words.
        self.token.position = self.token.position.wrapping_add(1);
        self.token.text.clear();
        self.token.text.push_str(word);
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(usize, String)> {
        let mut tokenizer = KiranaTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.position, token.text.clone()));
        }
        out
    }

    #[test]
    fn words_of_the_normalized_text_in_order() {
        assert_eq!(
            words("ＡＴＴＡ５ क्या Biscuits"),
            [
                (0, "atta".to_string()),
                (1, "5".to_string()),
                (2, "क्या".to_string()),
                (3, "biscuits".to_string()),
            ]
        );
    }

    #[test]
    fn a_reused_tokenizer_starts_each_text_afresh() {
        let mut tokenizer = KiranaTokenizer::default();
        let mut stream = tokenizer.token_stream("amul butter");
        while stream.advance() {}
        let mut stream = tokenizer.token_stream("dahi");
        assert!(stream.advance());
        assert_eq!(stream.token().position, 0);
        assert_eq!(stream.token().text, "dahi");
        assert!(!stream.advance());
    }
}
