//! TEMPORARY placeholder until the real phonetic key lands.
/// Key.
pub fn phonetic_key(token: &str) -> Option<String> {
    (token.chars().count() > 1 && token.is_ascii() && !token.bytes().all(|b| b.is_ascii_digit()))
        .then(|| {
            token
                .replace("aa", "a")
                .replace("oo", "u")
                .replace("ee", "i")
        })
}
/// Romanize.
pub fn romanize(_token: &str) -> Option<String> {
    None
}
