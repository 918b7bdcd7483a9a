//! A tantivy token filter that replaces each token by its cross-script phonetic key
//! ([`super::phonetic::phonetic_key`]) and drops tokens that have none, so the phonetic field
//! holds keys on which दूध, doodh and dudh meet.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::phonetic::phonetic_key;

/// Maps tokens to phonetic keys.
#[derive(Clone, Copy, Default)]
pub struct PhoneticKeyFilter;

impl TokenFilter for PhoneticKeyFilter {
    type Tokenizer<T: Tokenizer> = PhoneticKeyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PhoneticKeyTokenizer<T> {
        PhoneticKeyTokenizer { inner: tokenizer }
    }
}

/// The wrapped tokenizer.
#[derive(Clone)]
pub struct PhoneticKeyTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PhoneticKeyTokenizer<T> {
    type TokenStream<'a> = PhoneticKeyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PhoneticKeyStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// Tokens with their text replaced by the key.
pub struct PhoneticKeyStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for PhoneticKeyStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if let Some(key) = phonetic_key(&self.tail.token().text) {
                self.tail.token_mut().text = key;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::TextAnalyzer;

    use super::*;
    use crate::analysis::KiranaTokenizer;

    #[test]
    fn tokens_become_keys_and_keyless_tokens_vanish() {
        let mut analyzer = TextAnalyzer::builder(KiranaTokenizer::default())
            .filter(PhoneticKeyFilter)
            .build();
        let mut stream = analyzer.token_stream("Doodh 500");
        let mut keys = Vec::new();
        while let Some(token) = stream.next() {
            keys.push(token.text.clone());
        }
        assert_eq!(keys, [phonetic_key("doodh").unwrap()]);
    }
}
