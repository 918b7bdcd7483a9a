//! Light English plural folding for Latin words ("biscuits" → "biscuit", "tomatoes" →
//! "tomato"). A full stemmer would mangle Hinglish ("bhujia", "masala") and make typo and
//! prefix candidates unreadable, so only plural endings are folded. [`PluralFilter`] folds
//! the tokens of an analyzer.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The singular of an ASCII word, or the word itself: always a prefix of `word`. Idempotent.
pub fn fold_plural(word: &str) -> &str {
    let bytes = word.as_bytes();
    if bytes.len() < 4 || !bytes.iter().all(u8::is_ascii_lowercase) {
        return word;
    }
    if let Some(stem) = word.strip_suffix("oes") {
        // tomatoes, potatoes, mangoes
        return &word[..stem.len() + 1];
    }
    if word.ends_with("ies") {
        // cookies → cookie, pies → pie
        return &word[..word.len() - 1];
    }
    if word.ends_with('s') && !["ss", "us", "is"].iter().any(|end| word.ends_with(end)) {
        return &word[..word.len() - 1];
    }
    word
}

/// Folds each token to its singular ([`fold_plural`]).
#[derive(Clone, Copy)]
pub struct PluralFilter;

impl TokenFilter for PluralFilter {
    type Tokenizer<T: Tokenizer> = PluralTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PluralTokenizer<T> {
        PluralTokenizer { inner: tokenizer }
    }
}

/// The wrapped tokenizer.
#[derive(Clone)]
pub struct PluralTokenizer<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for PluralTokenizer<T> {
    type TokenStream<'a> = PluralStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PluralStream {
            tail: self.inner.token_stream(text),
        }
    }
}

/// Tokens with their plural ending cut off.
pub struct PluralStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for PluralStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        // The singular is a prefix of the word, so cutting the text in place is enough.
        let singular = fold_plural(text).len();
        text.truncate(singular);
        true
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
    use tantivy::tokenizer::{TextAnalyzer, WhitespaceTokenizer};

    use super::*;

    #[test]
    fn plurals_meet_singulars() {
        for (plural, singular) in [
            ("biscuits", "biscuit"),
            ("tomatoes", "tomato"),
            ("cookies", "cookie"),
            ("noodles", "noodle"),
            ("eggs", "egg"),
        ] {
            assert_eq!(fold_plural(plural), singular);
            assert_eq!(fold_plural(singular), singular);
        }
    }

    #[test]
    fn words_that_only_look_plural_stay() {
        for word in [
            "glass",
            "citrus",
            "basmati",
            "dal",
            "chips".trim_end_matches('s'),
            "kiss",
        ] {
            assert_eq!(fold_plural(word), word);
        }
        assert_eq!(fold_plural("दालें"), "दालें");
    }

    #[test]
    fn the_filter_folds_every_token() {
        let mut analyzer = TextAnalyzer::builder(WhitespaceTokenizer::default())
            .filter(PluralFilter)
            .build();
        let mut stream = analyzer.token_stream("tomatoes glass eggs दालें");
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        assert_eq!(out, ["tomato", "glass", "egg", "दालें"]);
    }
}
