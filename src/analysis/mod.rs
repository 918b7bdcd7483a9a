//! The one text pipeline for documents, queries and suggestion keys, so they cannot drift
//! apart. It is built as tantivy builds its analyzers, a tokenizer and a chain of token
//! filters, one step per file: [`KiranaTokenizer`] normalizes the whole text
//! ([`normalize`](mod@normalize)) and cuts it into words ([`segment`]), [`PluralFilter`] folds
//! English plurals ([`plural`]), and the phonetic analyzers end with [`phonetic_filter`].
//! [`register_analyzers`] registers the chains with tantivy; [`for_each_token`] runs the same
//! text chain without tantivy's boxing.

pub mod lexicon;
pub mod normalize;
pub mod phonetic;
pub mod phonetic_filter;
pub mod plural;
pub mod quantity;
pub mod segment;
pub mod synonyms;
mod tokenizer;

use tantivy::tokenizer::{TextAnalyzer, TokenFilter, TokenStream, Tokenizer};

use phonetic_filter::{PhoneticKeyFilter, Script};
use plural::{PluralFilter, PluralTokenizer};

pub use normalize::normalize;
pub use quantity::{Quantity, Unit};
pub use segment::grapheme_len;
pub use tokenizer::KiranaTokenizer;

/// Name under which the text analyzer is registered with every index.
pub const TEXT_ANALYZER: &str = "kirana_text";
/// Name of the analyzer that indexes the phonetic keys of Indic-script words.
pub const PHONETIC_ANALYZER: &str = "kirana_phonetic";
/// Name of the analyzer that indexes the phonetic keys of Latin words.
pub const PHONETIC_LATIN_ANALYZER: &str = "kirana_phonetic_latin";

/// Registers kirana's analyzers with an index's tokenizer manager.
pub fn register_analyzers(index: &tantivy::Index) {
    let analyzers = index.tokenizers();
    analyzers.register(TEXT_ANALYZER, TextAnalyzer::builder(text_chain()).build());
    for (name, script) in [
        (PHONETIC_ANALYZER, Script::Indic),
        (PHONETIC_LATIN_ANALYZER, Script::Latin),
    ] {
        analyzers.register(
            name,
            TextAnalyzer::builder(text_chain())
                .filter(PhoneticKeyFilter(script))
                .build(),
        );
    }
}

/// The chain behind [`TEXT_ANALYZER`], before tantivy boxes it: the words of the normalized
/// text, plurals folded. Every analyzer starts with it.
fn text_chain() -> PluralTokenizer<KiranaTokenizer> {
    PluralFilter.transform(KiranaTokenizer::default())
}

/// Words that join two halves of a name ("Salt and Pepper", "Salt n Pepper"), as analyzed.
pub const JOINING_WORDS: [&str; 4] = ["and", "aur", "और", "n"];

/// Calls `sink` with each search token of `text`, in order.
pub fn for_each_token(text: &str, mut sink: impl FnMut(&str)) {
    // A query is analyzed many times over (parsing, lists, suggestions): each thread keeps
    // one chain and its buffers. A sink that analyzes text itself gets a chain of its own.
    thread_local! {
        static CHAIN: std::cell::RefCell<PluralTokenizer<KiranaTokenizer>> =
            std::cell::RefCell::new(text_chain());
    }
    let mut run = |chain: &mut PluralTokenizer<KiranaTokenizer>| {
        let mut stream = chain.token_stream(text);
        while stream.advance() {
            sink(&stream.token().text);
        }
    };
    CHAIN.with(|cell| match cell.try_borrow_mut() {
        Ok(mut chain) => run(&mut chain),
        Err(_) => run(&mut text_chain()),
    });
}

/// The search tokens of `text`, in order.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |token| out.push(token.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_title_becomes_the_words_a_shopper_types() {
        assert_eq!(
            tokens("Aashirvaad Shudh Chakki ATTA, 5kg"),
            ["aashirvaad", "shudh", "chakki", "atta", "5", "kg"]
        );
        assert_eq!(tokens("ताज़ा टमाटर"), ["ताजा", "टमाटर"]);
    }

    proptest! {
        #[test]
        fn the_registered_analyzer_gives_the_search_tokens(text in "\\PC{0,40}") {
            let index = tantivy::Index::create_in_ram(tantivy::schema::Schema::builder().build());
            register_analyzers(&index);
            let mut analyzer = index.tokenizers().get(TEXT_ANALYZER).unwrap();
            let mut stream = analyzer.token_stream(&text);
            let mut indexed = Vec::new();
            while let Some(token) = stream.next() {
                indexed.push(token.text.clone());
            }
            prop_assert_eq!(indexed, tokens(&text));
        }

        #[test]
        fn analysis_is_idempotent(text in "\\PC{0,40}") {
            let once = tokens(&text);
            let twice = tokens(&once.join(" "));
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn devanagari_clusters_are_never_split(word in "[क-ह]([्][क-ह])?[ािीुूेैोौ]?[क-ह]") {
            let out = tokens(&word);
            prop_assert_eq!(out.len(), 1);
            prop_assert_eq!(&out[0], &normalize(&word));
        }
    }
}
