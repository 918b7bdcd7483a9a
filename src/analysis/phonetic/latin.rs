//! Hinglish folding: every Latin spelling of a Hindi word onto one key. Shoppers spell by
//! ear, so the key keeps what spellers agree on (the consonant frame, word-initial and final
//! vowels) and drops what they don't: vowel length, aspiration, the dental/retroflex split,
//! doubled letters, the inherent vowel, final a and e, and in words of three consonants or
//! more every vowel between consonants.
//! Native words are first spelt in Latin letters (see [`super::devanagari`]) and then folded
//! by the same rules, so both scripts meet.
//!
//! | spellings that meet | rule |
//! |---|---|
//! | aata, atta, ata; doodh, dudh; cheeni, chini | long vowels (aa ee oo) fold, doubles once |
//! | makkhan, makhan; ghee, ghi; dhal, dal | h after a consonant goes (kh gh chh th dh bh sh) |
//! | chawal, chaval; zeera, jeera; falooda, phaluda | w = v, z = j, f = ph = p, q = k, x = ks |
//! | kamala, kamla; rehna, rahna | a, e between consonants go (all vowels from 3 consonants) |
//! | mitra, mitr; kela, kele; yah, ya; logon, logo | final a, e after a consonant, h, n of -on go |
//! | pyaaz, piyaz, piaz; jaye, jae | i before a vowel is y; y between a vowel and e/i goes |
//! | hai, he; aur, or; chai, chay; naidu, naaydu | ai ei ae ay → e, au ou aw → o |
//! | kripa, krupa, krpa | i/u after consonant + r before a consonant go (ऋ) |
//! | nation, neshan; rice, ris; kutch, kuch | -tion = shan, c before e/i = s, cc ck tch |
//! | pvc, peeveesee | 2–5 consonant-only letters are an initialism, read as letter names |
//!
//! No crate does this: transliteration crates map scripts letter for letter, while this is
//! a many-to-one folding of spellings, tuned on Dakshina's attested Hindi romanizations.

/// Units kept per token; longer tokens are cut (no grocery word comes near).
const MAX_UNITS: usize = 48;

/// Words with at least this many consonants (y, h, v not counted) drop every vowel between
/// two consonants, not just a and e: long words vary the most (English ones above all) and
/// stay mostly distinct on their consonants. 4 keeps keys more precise (Dakshina train: 1.50
/// native words per key instead of 1.68) for 1.4 points less meeting.
const LONG_WORD_CONSONANTS: usize = 3;

/// The ch sound inside the folder; written "ch" in keys.
const CH: u8 = b'c';

fn is_vowel(unit: u8) -> bool {
    matches!(unit, b'a' | b'e' | b'i' | b'o' | b'u')
}

fn is_consonant(unit: u8) -> bool {
    unit.is_ascii_lowercase() && !is_vowel(unit)
}

/// A fixed buffer of units: vowels a e i o u, glides y w, consonant classes, ASCII digits.
struct Units {
    items: [u8; MAX_UNITS],
    len: usize,
}

impl Units {
    /// Appends `unit` unless it repeats the last one (makkhan → makhan).
    fn push(&mut self, unit: u8) {
        if self.len < MAX_UNITS && (self.len == 0 || self.items[self.len - 1] != unit) {
            self.items[self.len] = unit;
            self.len += 1;
        }
    }

    /// Keeps what `rule(previous kept, unit, next)` returns, dropping `None`s and repeats.
    fn retain(&mut self, mut rule: impl FnMut(u8, u8, u8) -> Option<u8>) {
        let n = self.len;
        let mut out = 0;
        for i in 0..n {
            let prev = if out > 0 { self.items[out - 1] } else { 0 };
            let next = if i + 1 < n { self.items[i + 1] } else { 0 };
            match rule(prev, self.items[i], next) {
                Some(unit) if unit != prev => {
                    self.items[out] = unit;
                    out += 1;
                }
                _ => {}
            }
        }
        self.len = out;
    }

    fn last(&self, back: usize) -> u8 {
        if back < self.len {
            self.items[self.len - 1 - back]
        } else {
            0
        }
    }
}

/// Spells a consonant-only token of 2 to 5 letters as its letter names, as Hindi writes
/// initialisms (pvc → पीवीसी, mdh → एमडीएच).
fn letter_name(letter: u8) -> &'static [u8] {
    match letter {
        b'b' => b"bee",
        b'c' => b"see",
        b'd' => b"dee",
        b'f' => b"ef",
        b'g' => b"jee",
        b'h' => b"ech",
        b'j' => b"je",
        b'k' => b"ke",
        b'l' => b"el",
        b'm' => b"em",
        b'n' => b"en",
        b'p' => b"pee",
        b'q' => b"kyoo",
        b'r' => b"aar",
        b's' => b"es",
        b't' => b"tee",
        b'v' => b"vee",
        b'w' => b"dablyoo",
        b'x' => b"eks",
        b'z' => b"zed",
        _ => b"",
    }
}

fn is_initialism(input: &[u8]) -> bool {
    (2..=5).contains(&input.len())
        && input.iter().all(|&b| {
            b.is_ascii_lowercase() && !matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
        })
}

/// Reads Latin letters into units: digraphs, English spellings, consonant classes.
fn lex(input: &[u8], units: &mut Units) {
    let at = |i: usize| input.get(i).copied().unwrap_or(0);
    let mut i = 0;
    while i < input.len() {
        let letter = input[i];
        i += 1;
        let next = at(i);
        let unit = match letter {
            b'e' if next == b'e' => {
                i += 1;
                b'i'
            }
            b'o' if next == b'o' => {
                i += 1;
                b'u'
            }
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w' => letter,
            // acche, pickle, kutch: the first of cc, ck, tch is silent.
            b'c' if matches!(next, b'c' | b'k') && !matches!(at(i + 1), b'e' | b'i') => continue,
            b't' if next == b'c' && at(i + 1) == b'h' => continue,
            b't' if next == b'i' && at(i + 1) == b'o' && at(i + 2) == b'n' => {
                // -tion is said shan.
                i += 2;
                units.push(b's');
                b'a'
            }
            b'c' if next == b'h' => CH,
            b'c' if next == b'e' && at(i + 1) == 0 => {
                i += 1;
                b's'
            }
            b'c' if matches!(next, b'e' | b'i' | b'y') => b's',
            b'c' | b'q' => b'k',
            b'r' if next == b'h' => {
                // garh, padhna: ढ़ spelt rh.
                i += 1;
                b'd'
            }
            b'z' => b'j',
            b'f' => b'p',
            b'x' => {
                units.push(b'k');
                b's'
            }
            b'b'
            | b'd'
            | b'g'
            | b'h'
            | b'j'
            | b'k'
            | b'l'
            | b'm'
            | b'n'
            | b'p'
            | b'r'
            | b's'
            | b't'
            | b'v'
            | b'0'..=b'9' => letter,
            _ => continue,
        };
        if is_consonant(unit) && !matches!(unit, b'h' | b'y' | b'w') {
            // Aspiration and sh fold away: kh gh chh jh th dh ph bh sh.
            while at(i) == b'h' {
                i += 1;
            }
        }
        units.push(unit);
    }
}

/// Folds lexed units until they no longer change, so a key folds to itself.
fn fold(units: &mut Units) {
    for _ in 0..4 {
        let (before, len) = (units.items, units.len);
        fold_once(units);
        if units.items[..units.len] == before[..len] {
            break;
        }
    }
}

/// Folds lexed units in place, pass by pass.
fn fold_once(units: &mut Units) {
    // Glides after vowels: aw, ay not before a vowel are vowels (chowk, naidu, chay = chai);
    // y between a vowel and e or i is a hiatus filler (jaye = jae); w is otherwise v.
    units.retain(|prev, unit, next| match unit {
        b'w' if is_vowel(prev) && !is_vowel(next) => Some(b'u'),
        b'w' => Some(b'v'),
        b'y' if is_vowel(prev) && !is_vowel(next) => Some(b'i'),
        b'y' if is_vowel(prev) && matches!(next, b'e' | b'i') => None,
        b'y' if prev == 0 && next == b'u' => None,
        _ => Some(unit),
    });
    // Vowel pairs: ai, ei, ae → e; ea → i (English appeal, year); au, ou → o.
    let mut out = 0;
    for i in 0..units.len {
        let unit = units.items[i];
        let prev = if out > 0 { units.items[out - 1] } else { 0 };
        match (prev, unit) {
            (b'a' | b'e', b'i') | (b'a', b'e') => units.items[out - 1] = b'e',
            (b'e', b'a') => units.items[out - 1] = b'i',
            (b'a' | b'o', b'u') => units.items[out - 1] = b'o',
            _ if unit == prev => {}
            _ => {
                units.items[out] = unit;
                out += 1;
            }
        }
    }
    units.len = out;
    // i before a vowel is y: piyaz = piaz = pyaz.
    units.retain(|prev, unit, next| match unit {
        b'i' if next == b'y' => None,
        b'i' if is_consonant(prev) && is_vowel(next) => Some(b'y'),
        _ => Some(unit),
    });
    fold_word_ends(units);
    fold_vocalic_r(units);
    // Vowels between consonants: the inherent a always (chawal = chaawal = chawl), e always
    // (rehna = rahna), and in long words the rest too.
    let consonants = units.items[..units.len]
        .iter()
        .filter(|&&u| is_consonant(u) && !matches!(u, b'y' | b'h' | b'v'))
        .count();
    let long = consonants >= LONG_WORD_CONSONANTS;
    units.retain(|prev, unit, next| {
        let droppable = matches!(unit, b'a' | b'e') || long && is_vowel(unit);
        (!(droppable && is_consonant(prev) && is_consonant(next))).then_some(unit)
    });
    // Last touches: h after a consonant, t before ch (kutch), i/y once more, m before a
    // labial is the nasal n.
    units.retain(|prev, unit, next| match unit {
        b'h' if is_consonant(prev) => None,
        b't' if next == CH => None,
        b'i' if next == b'y' => None,
        b'i' if is_consonant(prev) && is_vowel(next) => Some(b'y'),
        b'y' if is_consonant(prev) && !is_vowel(next) => Some(b'i'),
        b'm' if matches!(next, b'p' | b'b') => Some(b'n'),
        _ => Some(unit),
    });
}

/// Word-initial and word-final rules.
fn fold_word_ends(units: &mut Units) {
    if units.len >= 2 && units.last(0) == b'h' && is_vowel(units.last(1)) {
        // A final h after a vowel is silent: yah = ya, subah = suba.
        units.len -= 1;
    }
    if units.len >= 3 && units.last(0) == b'e' && units.last(1) == b'y' {
        // -ye after a consonant is y: aashaye = aashay, kartavye = kartavya.
        units.len -= 1;
    }
    if units.len >= 3 && units.last(0) == b'a' && is_consonant(units.last(1)) {
        // The final inherent a comes and goes: mitra = mitr, kala = kal; after a vowel, y
        // is then a vowel too: samaya = samay = samai.
        units.len -= 1;
        if units.last(0) == b'y' && is_vowel(units.last(1)) {
            units.items[units.len - 1] = b'i';
        }
    }
    if units.len >= 3 && units.last(0) == b'e' && is_consonant(units.last(1)) {
        // A final e after a consonant goes with it: the oblique and plural -e meets the -a
        // and bare forms (ande = anda, kele = kela), and English silent e (paste, pickle).
        units.len -= 1;
    }
    if units.len >= 3 && units.last(0) == b'n' && units.last(1) == b'o' {
        // The plural -on is often written without its nasal: logon = logo.
        units.len -= 1;
    }
    if units.len > 0 && matches!(units.items[0], b'e' | b'i') {
        // English initial a is एं (anchor = एंकर), and initial i and e are written either
        // way (ekatthi = इकट्ठी, elaakon = इलाकों): they meet as a.
        units.items[0] = b'a';
    }
    if units.len > 1 && units.items[0] == b'u' && units.items[1] == b'n' {
        // English un- is अन: unseen = अनसीन.
        units.items[0] = b'a';
    }
}

/// Vocalic r (ऋ) is written ri, ru or r after a consonant: kripa = krupa = krpa.
fn fold_vocalic_r(units: &mut Units) {
    let n = units.len;
    let mut out = 0;
    for i in 0..n {
        let unit = units.items[i];
        let after_cr =
            out >= 2 && units.items[out - 1] == b'r' && is_consonant(units.items[out - 2]);
        if matches!(unit, b'i' | b'u') && after_cr && i + 1 < n && is_consonant(units.items[i + 1])
        {
            continue;
        }
        units.items[out] = unit;
        out += 1;
    }
    units.len = out;
}

/// The key of a Latin word (ASCII letters and digits; other bytes are skipped).
pub(super) fn key(input: &[u8]) -> String {
    let mut units = Units {
        items: [0; MAX_UNITS],
        len: 0,
    };
    if is_initialism(input) {
        for &letter in input {
            lex(letter_name(letter), &mut units);
        }
    } else {
        lex(input, &mut units);
    }
    fold(&mut units);
    let mut key = String::with_capacity(units.len + 2);
    for &unit in &units.items[..units.len] {
        if unit == CH {
            key.push_str("ch");
        } else {
            key.push(char::from(unit));
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::key;

    fn meet(spellings: &[&str]) {
        let first = key(spellings[0].as_bytes());
        for spelling in spellings {
            assert_eq!(
                key(spelling.as_bytes()),
                first,
                "{spelling} vs {}",
                spellings[0]
            );
        }
    }

    #[test]
    fn vowel_length_and_the_inherent_a_fold() {
        meet(&["aata", "atta", "ata", "aataa"]);
        meet(&["chawal", "chaawal", "chaval"]);
        meet(&["dahi", "dahee"]);
        meet(&["doodh", "dudh"]);
        meet(&["rehna", "rahna"]);
        meet(&["mitra", "mitr"]);
    }

    #[test]
    fn aspiration_doubling_and_consonant_pairs_fold() {
        meet(&["makhan", "makkhan", "maakhan"]);
        meet(&["ghee", "ghi", "gee"]);
        meet(&["sakkar", "shakkar"]);
        meet(&["chhole", "chole"]);
        meet(&["vada", "wada"]);
        meet(&["zeera", "jeera", "jira"]);
        meet(&["falooda", "phaluda"]);
        meet(&["acche", "achchhe", "achhe"]);
        meet(&["kutch", "kuch"]);
    }

    #[test]
    fn glides_and_vowel_pairs_fold() {
        meet(&["pyaaz", "pyaj", "pyaz", "piyaz", "piaz"]);
        meet(&["chai", "chay", "chaay"]);
        meet(&["hai", "he", "hei"]);
        meet(&["aur", "our", "or"]);
        meet(&["jaye", "jaaye", "jae"]);
        meet(&["naidu", "naaydu"]);
        meet(&["kripa", "krupa", "krpa"]);
    }

    #[test]
    fn word_ends_fold() {
        meet(&["yah", "ya"]);
        meet(&["logon", "logo"]);
        meet(&["aashaye", "aashay", "ashaya"]);
        meet(&["ankar", "enkar"]);
    }

    #[test]
    fn english_spellings_meet_their_hindi_sound() {
        meet(&["nation", "neshan"]);
        meet(&["rice", "ris"]);
        meet(&["appeal", "apil"]);
    }

    #[test]
    fn initialisms_are_spelt_as_letter_names() {
        assert_eq!(key(b"pvc"), key(b"peeveesee"));
        assert_eq!(key(b"mdh"), key(b"emdeeech"));
        assert_ne!(key(b"pvc"), key(b"pavak"));
    }

    #[test]
    fn keys_keep_words_apart() {
        for (a, b) in [
            ("dal", "dahi"),
            ("chawal", "chini"),
            ("ghee", "gur"),
            ("atta", "aloo"),
            ("makhan", "maida"),
            ("haldi", "hing"),
            ("jeera", "chai"),
        ] {
            assert_ne!(key(a.as_bytes()), key(b.as_bytes()), "{a} vs {b}");
        }
    }
}
