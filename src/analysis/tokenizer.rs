//! The pipeline as a tantivy tokenizer, so indexed text goes through exactly the same chain as
//! queries. tantivy's `SimpleTokenizer` splits "क्या" at the virama; this one never does.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name under which the text analyzer is registered with every index.
pub const TEXT_ANALYZER: &str = "kirana_text";
/// Name of the analyzer that indexes the phonetic keys of Indic-script words.
pub const PHONETIC_ANALYZER: &str = "kirana_phonetic";
/// Name of the analyzer that indexes the phonetic keys of Latin words.
pub const PHONETIC_LATIN_ANALYZER: &str = "kirana_phonetic_latin";

/// Tokenizer running [`super::for_each_token`].
#[derive(Clone, Default)]
pub struct KiranaTokenizer {
    tokens: Vec<Token>,
}

/// Stream over the tokens computed for one text.
pub struct KiranaTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for KiranaTokenizer {
    type TokenStream<'a> = KiranaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> KiranaTokenStream<'a> {
        self.tokens.clear();
        let tokens = &mut self.tokens;
        super::for_each_token(text, |word| {
            let position = tokens.len();
            tokens.push(Token {
                offset_from: 0,
                offset_to: 0,
                position,
                text: word.to_string(),
                position_length: 1,
            });
        });
        KiranaTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

impl TokenStream for KiranaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// Registers kirana's analyzers with an index's tokenizer manager.
pub fn register_analyzers(index: &tantivy::Index) {
    index.tokenizers().register(
        TEXT_ANALYZER,
        TextAnalyzer::builder(KiranaTokenizer::default()).build(),
    );
    use super::phonetic_filter::{PhoneticKeyFilter, Script};
    for (name, script) in [
        (PHONETIC_ANALYZER, Script::Indic),
        (PHONETIC_LATIN_ANALYZER, Script::Latin),
    ] {
        index.tokenizers().register(
            name,
            TextAnalyzer::builder(KiranaTokenizer::default())
                .filter(PhoneticKeyFilter(script))
                .build(),
        );
    }
}
