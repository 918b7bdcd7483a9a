//! Word segmentation: Unicode word boundaries (UAX #29), which keep combining marks with
//! their base letter, so a Devanagari word is never split at a virama or a matra. Words are
//! then split where letters meet digits ("500gm" → "500", "gm") and lose a possessive
//! apostrophe ("haldiram's" → "haldiram").

use unicode_normalization::char::is_combining_mark;
use unicode_segmentation::UnicodeSegmentation;

/// The words of already normalized text, in order. Each word is its own analysis: segmenting
/// a word again gives that word, so analysing the tokens of a text again changes nothing.
pub fn words(normalized: &str) -> impl Iterator<Item = &str> {
    let mut out = Vec::new();
    push_words(normalized, &mut out);
    out.into_iter()
}

fn push_words<'a>(text: &'a str, out: &mut Vec<&'a str>) {
    for word in text.unicode_words() {
        for piece in split_letters_from_digits(word) {
            let Some(stripped) = strip_apostrophe(piece) else {
                continue;
            };
            if stripped.len() == word.len() {
                out.push(stripped);
            } else {
                // Cutting or trimming can leave a string the word rules read differently
                // ("g:\u{9d7}" once a trailing letter is gone): segment what is left again.
                // It is shorter than `word`, so this ends.
                push_words(stripped, out);
            }
        }
    }
}

/// Number of user-perceived characters (extended grapheme clusters) in a word.
pub fn grapheme_len(word: &str) -> usize {
    word.graphemes(true).count()
}

/// Cuts `word` where a run of digits meets a run of non-digits. A decimal point between two
/// digits stays inside the number ("1.5").
fn split_letters_from_digits(word: &str) -> impl Iterator<Item = &str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut prev_digit: Option<bool> = None;
    let mut chars = word.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        // A combining mark belongs to whatever it follows.
        let is_digit = (is_combining_mark(c) && prev_digit == Some(true))
            || c.is_ascii_digit()
            || ((c == '.' || c == ',')
                && prev_digit == Some(true)
                && chars.peek().is_some_and(|&(_, n)| n.is_ascii_digit()));
        if prev_digit.is_some_and(|p| p != is_digit) {
            pieces.push(&word[start..at]);
            start = at;
        }
        prev_digit = Some(is_digit);
    }
    pieces.push(&word[start..]);
    pieces
        .into_iter()
        .filter(|p| p.chars().any(char::is_alphanumeric))
}

/// `word` without a possessive "'s" and without punctuation at either end, repeated until
/// nothing more comes off, so analysing the result again gives the same word.
fn strip_apostrophe(word: &str) -> Option<&str> {
    let mut word = word;
    loop {
        let trimmed = word
            // Punctuation at either end is no part of the word: a quote, a full stop, or a
            // separator the word rules kept between two digits of another script ("𖫀;0" is
            // one word to UAX #29, and "𖫀;" after its ASCII digits are cut off).
            .trim_matches(|c: char| !c.is_alphanumeric() && !is_combining_mark(c))
            // A mark left without its base letter (after a stripped apostrophe) is no word.
            .trim_start_matches(|c: char| !c.is_alphanumeric() || is_combining_mark(c));
        let trimmed = trimmed
            .strip_suffix("'s")
            .or_else(|| trimmed.strip_suffix("’s"))
            .unwrap_or(trimmed);
        if trimmed.len() == word.len() {
            return (!trimmed.is_empty()).then_some(trimmed);
        }
        word = trimmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(text: &str) -> Vec<&str> {
        words(text).collect()
    }

    #[test]
    fn devanagari_words_stay_whole() {
        assert_eq!(collect("क्या ज्यादा दूध है"), ["क्या", "ज्यादा", "दूध", "है"]);
        assert_eq!(collect("आशीर्वाद आटा"), ["आशीर्वाद", "आटा"]);
    }

    #[test]
    fn other_indic_scripts_stay_whole() {
        assert_eq!(collect("பால் দুধ ਦੁੱਧ"), ["பால்", "দুধ", "ਦੁੱਧ"]);
    }

    #[test]
    fn quantities_split_from_units() {
        assert_eq!(collect("atta 5kg"), ["atta", "5", "kg"]);
        assert_eq!(collect("1.5ltr oil"), ["1.5", "ltr", "oil"]);
        assert_eq!(collect("500 gm"), ["500", "gm"]);
    }

    #[test]
    fn punctuation_and_slashes_separate_words() {
        assert_eq!(
            collect("atta/godihittu, 5 kg!"),
            ["atta", "godihittu", "5", "kg"]
        );
        assert_eq!(collect("haldiram's bhujia"), ["haldiram", "bhujia"]);
        assert!(collect("!!! ??? 🙏").is_empty());
    }

    #[test]
    fn separators_between_digits_of_other_scripts_stay_out_of_words() {
        // Tangsa digit zero, a semicolon, an ASCII zero: one word to UAX #29.
        assert_eq!(collect("𖫀;0"), ["𖫀", "0"]);
        assert_eq!(collect("𖫀; 0"), ["𖫀", "0"]);
    }

    #[test]
    fn graphemes_not_code_points() {
        assert_eq!(grapheme_len("दूध"), 2);
        assert_eq!(grapheme_len("milk"), 4);
        // Unicode 15.1 keeps a virama conjunct in one cluster.
        assert_eq!(grapheme_len("क्या"), 1);
    }
}
