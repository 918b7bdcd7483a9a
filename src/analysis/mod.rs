//! The one text pipeline for documents, queries and suggestion keys, so they cannot drift
//! apart: normalize ([`normalize`]), segment into words ([`segment`]), fold English plurals
//! ([`plural`]). The same chain is registered with tantivy as the `kirana_text` analyzer.

pub mod lexicon;
pub mod normalize;
pub mod phonetic;
pub mod phonetic_filter;
pub mod plural;
pub mod quantity;
pub mod segment;
pub mod synonyms;
mod tokenizer;

pub use normalize::normalize;
pub use quantity::{Quantity, Unit};
pub use segment::grapheme_len;
pub use tokenizer::{
    register_analyzers, KiranaTokenizer, PHONETIC_ANALYZER, PHONETIC_LATIN_ANALYZER, TEXT_ANALYZER,
};

/// Calls `sink` with each search token of `text`, in order.
pub fn for_each_token(text: &str, mut sink: impl FnMut(&str)) {
    let normalized = normalize(text);
    for word in segment::words(&normalized) {
        sink(plural::fold_plural(word));
    }
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
