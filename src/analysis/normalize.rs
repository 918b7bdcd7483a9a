//! Character normalization, the first link of the pipeline: NFKC, case folding, Latin
//! diacritics folded, Indic and other native digits to ASCII, ZWJ/ZWNJ and other invisible
//! format characters removed, nukta signs folded away (ज़ = ज + ़ → ज).

use unicode_normalization::UnicodeNormalization;

/// Normalizes text for matching. Idempotent: `normalize(normalize(s)) == normalize(s)`.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    // NFKD first so precomposed Latin letters and nukta letters (क़ U+0958) come apart;
    // the marks we fold are dropped, then NFC recomposes what remains.
    let folded: String = text
        .nfkd()
        .filter(|&c| !is_folded_away(c))
        .map(native_digit_to_ascii)
        .flat_map(char::to_lowercase)
        .collect();
    folded.nfc().collect()
}

/// Marks and format characters that carry no meaning for matching.
fn is_folded_away(c: char) -> bool {
    matches!(
        c,
        // Latin combining diacritics: é → e, ñ → n.
        '\u{0300}'..='\u{036F}'
        // Nukta in Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Telugu, Kannada.
        | '\u{093C}' | '\u{09BC}' | '\u{0A3C}' | '\u{0ABC}' | '\u{0B3C}' | '\u{0C3C}' | '\u{0CBC}'
        // ZWSP, ZWNJ, ZWJ, LRM, RLM, word joiner, BOM, soft hyphen.
        | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
        // Variation selectors (emoji presentation and friends).
        | '\u{FE00}'..='\u{FE0F}'
    )
}

/// Maps a decimal digit of an Indic or Arabic script to its ASCII digit.
fn native_digit_to_ascii(c: char) -> char {
    // Each of these blocks places its digits 0..9 at consecutive code points.
    const ZEROS: [u32; 11] = [
        0x0660, // Arabic-Indic
        0x06F0, // Extended Arabic-Indic (Urdu)
        0x0966, // Devanagari
        0x09E6, // Bengali
        0x0A66, // Gurmukhi
        0x0AE6, // Gujarati
        0x0B66, // Oriya
        0x0BE6, // Tamil
        0x0C66, // Telugu
        0x0CE6, // Kannada
        0x0D66, // Malayalam
    ];
    let code = c as u32;
    if code < 0x0660 {
        return c;
    }
    ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .and_then(|&zero| char::from_digit(code - zero, 10))
        .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_latin_diacritics_fold() {
        assert_eq!(normalize("CAFÉ Crème"), "cafe creme");
        assert_eq!(normalize("Amul BUTTER"), "amul butter");
    }

    #[test]
    fn nukta_forms_meet_plain_letters() {
        // Precomposed ज़ (U+095B), decomposed ज + ़, and plain ज all normalize alike.
        assert_eq!(normalize("\u{095B}"), "ज");
        assert_eq!(normalize("ज\u{093C}्यादा"), normalize("ज्यादा"));
        assert_eq!(normalize("प्याज़"), "प्याज");
    }

    #[test]
    fn invisible_joiners_are_dropped_but_virama_stays() {
        assert_eq!(normalize("क्\u{200D}ष"), "क्ष");
        assert_eq!(normalize("क्\u{200C}या"), "क्या");
        assert!(normalize("क्या").contains('\u{094D}'));
    }

    #[test]
    fn native_digits_become_ascii() {
        assert_eq!(normalize("५ किलो"), "5 किलो");
        assert_eq!(normalize("৫০০ গ্রাম"), "500 গ্রাম");
        assert_eq!(normalize("௧௨"), "12");
    }

    #[test]
    fn fullwidth_forms_fold_by_nfkc() {
        assert_eq!(normalize("ＡＴＴＡ５"), "atta5");
    }
}
