//! Light English plural folding for Latin words ("biscuits" → "biscuit", "tomatoes" →
//! "tomato"). A full stemmer would mangle Hinglish ("bhujia", "masala") and make typo and
//! prefix candidates unreadable, so only plural endings are folded.

/// The singular of an ASCII word, or the word itself. Idempotent.
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

#[cfg(test)]
mod tests {
    use super::fold_plural;

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
}
