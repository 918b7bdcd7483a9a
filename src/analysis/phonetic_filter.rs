//! A tantivy token filter that replaces each token of one script family by its cross-script
//! phonetic key ([`super::phonetic::phonetic_key`]) and drops the other tokens and those that
//! have no key. Keys of Latin words and of Indic words go to separate fields, so a Latin query
//! word asks only the Indic keys (the Latin words it matches as written), which keeps the
//! cross-script clause small.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::phonetic::phonetic_key;

/// Which words a [`PhoneticKeyFilter`] keeps.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Script {
    /// Words in Latin letters.
    Latin,
    /// Words in any other script (Devanagari and the other Indic scripts).
    Indic,
}

impl Script {
    /// The script family of an analyzed word.
    pub fn of(word: &str) -> Script {
        if word.is_ascii() {
            Script::Latin
        } else {
            Script::Indic
        }
    }
}

/// Maps the tokens of one script family to phonetic keys.
#[derive(Clone, Copy)]
pub struct PhoneticKeyFilter(pub Script);

impl TokenFilter for PhoneticKeyFilter {
    type Tokenizer<T: Tokenizer> = PhoneticKeyTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PhoneticKeyTokenizer<T> {
        PhoneticKeyTokenizer {
            inner: tokenizer,
            script: self.0,
        }
    }
}

/// The wrapped tokenizer.
#[derive(Clone)]
pub struct PhoneticKeyTokenizer<T> {
    inner: T,
    script: Script,
}

impl<T: Tokenizer> Tokenizer for PhoneticKeyTokenizer<T> {
    type TokenStream<'a> = PhoneticKeyStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PhoneticKeyStream {
            tail: self.inner.token_stream(text),
            script: self.script,
        }
    }
}

/// Tokens with their text replaced by the key.
pub struct PhoneticKeyStream<T> {
    tail: T,
    script: Script,
}

impl<T: TokenStream> TokenStream for PhoneticKeyStream<T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            let text = &self.tail.token().text;
            if Script::of(text) != self.script {
                continue;
            }
            if let Some(key) = phonetic_key(text) {
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
    use crate::analysis::text_chain;

    #[test]
    fn tokens_become_keys_and_keyless_tokens_vanish() {
        let keys = |script| {
            let mut analyzer = TextAnalyzer::builder(text_chain())
                .filter(PhoneticKeyFilter(script))
                .build();
            let mut stream = analyzer.token_stream("Doodh 500 दूध");
            let mut keys = Vec::new();
            while let Some(token) = stream.next() {
                keys.push(token.text.clone());
            }
            keys
        };
        assert_eq!(keys(Script::Latin), [phonetic_key("doodh").unwrap()]);
        assert_eq!(keys(Script::Indic), [phonetic_key("दूध").unwrap()]);
    }
}
