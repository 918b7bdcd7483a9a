//! Devanagari (and, through [`super::brahmic`], the other Indic scripts) to Hinglish: the
//! Latin spelling shoppers use. Letters become sounds, the inherent vowel is dropped where
//! Hindi drops it (schwa deletion), and the sounds are spelt the common way: आ → "aa",
//! ई → "ee", ऊ → "oo", श → "sh", छ → "chh", ज्ञ → "gy", anusvara → "n" (or "m" before
//! p, b, m). ड़ and ढ़ are spelt d and dh, like ड and ढ: the pipeline folds nukta away, and
//! Dakshina's spellers write pahad as often as pahar.

use super::brahmic::{to_devanagari, Mapped};

/// Sounds kept per token; longer tokens are cut (no grocery word comes near).
pub(super) const MAX_SOUNDS: usize = 48;

/// A vowel, independent or as a sign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Vowel {
    A,
    Aa,
    I,
    Ii,
    U,
    Uu,
    Ri,
    E,
    Ai,
    O,
    Au,
}

/// One sound of a native word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sound {
    /// A consonant, as its Devanagari offset.
    Consonant(u8),
    /// A written vowel.
    Vowel(Vowel),
    /// The inherent vowel of the consonant before it, not yet judged.
    Schwa,
    /// An inherent vowel Hindi does not pronounce.
    Deleted,
    /// Anusvara or chandrabindu.
    Nasal,
    /// Visarga.
    Visarga,
    /// An ASCII letter or digit inside a native token.
    Ascii(u8),
}

/// Devanagari offsets of the letters ज्ञ is made of and said as.
const GA: u8 = 0x17;
const JA: u8 = 0x1C;
const NYA: u8 = 0x1E;
const YA: u8 = 0x2F;

/// What a Devanagari code point is.
enum Letter {
    Vowel(Vowel),
    Sign(Vowel),
    Consonant,
    Virama,
    Nukta,
    Nasal,
    Visarga,
    Skip,
}

fn letter(offset: u8) -> Letter {
    use Vowel::*;
    match offset {
        0x01 | 0x02 => Letter::Nasal,
        0x03 => Letter::Visarga,
        0x04 | 0x05 => Letter::Vowel(A),
        0x06 => Letter::Vowel(Aa),
        0x07 => Letter::Vowel(I),
        0x08 => Letter::Vowel(Ii),
        0x09 => Letter::Vowel(U),
        0x0A => Letter::Vowel(Uu),
        0x0B | 0x0C | 0x60 | 0x61 => Letter::Vowel(Ri),
        0x0D..=0x0F => Letter::Vowel(E),
        0x10 => Letter::Vowel(Ai),
        0x11..=0x13 => Letter::Vowel(O),
        0x14 => Letter::Vowel(Au),
        0x15..=0x39 | 0x58..=0x5F => Letter::Consonant,
        0x3A | 0x3B => Letter::Sign(E),
        0x3C => Letter::Nukta,
        0x3E => Letter::Sign(Aa),
        0x3F => Letter::Sign(I),
        0x40 => Letter::Sign(Ii),
        0x41 | 0x56 => Letter::Sign(U),
        0x42 | 0x57 => Letter::Sign(Uu),
        0x43 | 0x44 | 0x62 | 0x63 => Letter::Sign(Ri),
        0x45..=0x47 | 0x4E | 0x55 => Letter::Sign(E),
        0x48 => Letter::Sign(Ai),
        0x49..=0x4B => Letter::Sign(O),
        0x4C | 0x4F => Letter::Sign(Au),
        0x4D => Letter::Virama,
        _ => Letter::Skip,
    }
}

/// The nukta form of a consonant (ज + ़ → ज़), or the consonant itself.
fn with_nukta(offset: u8) -> u8 {
    match offset {
        0x15 => 0x58,
        0x16 => 0x59,
        0x17 => 0x5A,
        0x1C => 0x5B,
        0x2B => 0x5E,
        0x2F => 0x5F,
        other => other,
    }
}

/// The sounds of a native word in a fixed buffer.
pub(super) struct Sounds {
    items: [Sound; MAX_SOUNDS],
    len: usize,
}

impl Sounds {
    fn push(&mut self, sound: Sound) {
        if self.len < MAX_SOUNDS {
            self.items[self.len] = sound;
            self.len += 1;
        }
    }

    fn last_mut(&mut self) -> Option<&mut Sound> {
        self.items[..self.len].last_mut()
    }

    /// The sounds, in order.
    pub(super) fn as_slice(&self) -> &[Sound] {
        &self.items[..self.len]
    }
}

/// Whether `token` has at least one letter of a script this module reads.
pub(super) fn is_indic(token: &str) -> bool {
    token.chars().any(|c| to_devanagari(c).is_some())
}

/// The sounds of an Indic-script token, schwa deletion applied.
pub(super) fn sounds(token: &str) -> Sounds {
    let mut out = Sounds {
        items: [Sound::Deleted; MAX_SOUNDS],
        len: 0,
    };
    for c in token.chars() {
        let mapped = match to_devanagari(c) {
            Some(mapped) => mapped,
            None => {
                if c.is_ascii_alphanumeric() {
                    out.push(Sound::Ascii(c.to_ascii_lowercase() as u8));
                }
                continue;
            }
        };
        let offset = match mapped {
            Mapped::Silent => continue,
            Mapped::Dead(offset) => {
                out.push(Sound::Consonant(offset));
                continue;
            }
            Mapped::Letter(offset) => offset,
        };
        match letter(offset) {
            Letter::Consonant
                if offset == NYA && out.last_mut() == Some(&mut Sound::Consonant(JA)) =>
            {
                // ज्ञ is said gy: gyaan, agyaat.
                out.items[out.len - 1] = Sound::Consonant(GA);
                out.push(Sound::Consonant(YA));
                out.push(Sound::Schwa);
            }
            Letter::Consonant => {
                out.push(Sound::Consonant(offset));
                out.push(Sound::Schwa);
            }
            Letter::Vowel(vowel) => out.push(Sound::Vowel(vowel)),
            Letter::Sign(vowel) => match out.last_mut() {
                // A sign replaces the inherent vowel, or the vowel of a Gurmukhi carrier.
                Some(last @ (Sound::Schwa | Sound::Vowel(Vowel::A))) => *last = Sound::Vowel(vowel),
                _ => out.push(Sound::Vowel(vowel)),
            },
            Letter::Virama => {
                if out.last_mut() == Some(&mut Sound::Schwa) {
                    out.len -= 1;
                }
            }
            Letter::Nukta => {
                if out.len >= 2 && out.items[out.len - 1] == Sound::Schwa {
                    if let Sound::Consonant(offset) = out.items[out.len - 2] {
                        out.items[out.len - 2] = Sound::Consonant(with_nukta(offset));
                    }
                }
            }
            Letter::Nasal => out.push(Sound::Nasal),
            Letter::Visarga => out.push(Sound::Visarga),
            Letter::Skip => {}
        }
    }
    delete_schwas(&mut out.items[..out.len]);
    if token
        .chars()
        .any(|c| ('\u{0B80}'..='\u{0BFF}').contains(&c))
    {
        voice_tamil(&mut out.items[..out.len]);
    }
    if token
        .chars()
        .any(|c| ('\u{0C00}'..='\u{0D7F}').contains(&c))
    {
        close_with_m(&mut out.items[..out.len]);
    }
    if token
        .chars()
        .any(|c| ('\u{0980}'..='\u{09FF}').contains(&c))
    {
        round_bengali(&mut out.items[..out.len]);
    }
    out
}

/// Bengali says the inherent vowel it keeps as o: হলুদ holud, সরষে sorshe, মসুর mosur.
fn round_bengali(sounds: &mut [Sound]) {
    for sound in sounds.iter_mut().filter(|s| **s == Sound::Schwa) {
        *sound = Sound::Vowel(Vowel::O);
    }
}

/// Tamil writes k/g, ch/j/s, t/d and p/b with one letter each, said by position: voiced after
/// a nasal (வெங்காயம் vengaayam, மஞ்சள் manjal, உளுந்து ulundhu), ச as s at the start and
/// between vowels (சர்க்கரை sarkkarai, அரிசி arisi), voiced between vowels, voiceless when
/// doubled or first. Spelt as shoppers type them, the words meet their Latin spellings.
fn voice_tamil(sounds: &mut [Sound]) {
    const NASALS: [u8; 6] = [0x19, 0x1E, 0x23, 0x28, 0x29, 0x2E];
    let voiced = |c: u8| match c {
        0x15 => Some(0x17),
        0x1A => Some(JA),
        0x1F => Some(0x21),
        0x24 => Some(0x26),
        0x2A => Some(0x2C),
        _ => None,
    };
    let written: Vec<Sound> = sounds
        .iter()
        .copied()
        .filter(|s| *s != Sound::Deleted)
        .collect();
    for (at, sound) in sounds
        .iter_mut()
        .filter(|s| **s != Sound::Deleted)
        .enumerate()
    {
        let (previous, next) = (at.checked_sub(1).map(|p| written[p]), written.get(at + 1));
        let Sound::Consonant(c) = *sound else {
            continue;
        };
        let Some(soft) = voiced(c) else {
            continue;
        };
        let doubled = previous == Some(Sound::Consonant(c)) || next == Some(&Sound::Consonant(c));
        let said = match previous {
            _ if doubled => c,
            None if c == 0x1A => 0x38,
            None => c,
            Some(Sound::Consonant(p)) if NASALS.contains(&p) => soft,
            Some(Sound::Consonant(_)) => c,
            Some(_) if c == 0x1A => 0x38,
            Some(_) => soft,
        };
        *sound = Sound::Consonant(said);
    }
}

/// In Telugu, Kannada and Malayalam a final anusvara is said m: బియ్యం biyyam.
fn close_with_m(sounds: &mut [Sound]) {
    if let Some(last) = sounds.iter_mut().rev().find(|s| **s != Sound::Deleted) {
        if *last == Sound::Nasal {
            *last = Sound::Consonant(0x2E);
        }
    }
}

fn is_vowel(sound: Sound) -> bool {
    matches!(sound, Sound::Vowel(_) | Sound::Schwa)
}

/// Hindi schwa deletion: the inherent vowel goes at the end of a word of two or more
/// syllables (चावल → chaaval) and between a vowel-consonant and a consonant-vowel
/// (समझना → samajhnaa), judged from the right so a deletion protects its neighbour.
fn delete_schwas(sounds: &mut [Sound]) {
    let n = sounds.len();
    let syllables = sounds.iter().filter(|&&s| is_vowel(s)).count();
    if let Some(last) = sounds.iter().rposition(|&s| s != Sound::Nasal) {
        // A final conjunct ending in r, y or v keeps its vowel in writing: mitra, vastra,
        // satya, tattva (but mirch, dharm).
        let conjunct = last >= 2
            && matches!(sounds[last - 1], Sound::Consonant(0x2F | 0x30 | 0x35))
            && matches!(sounds[last - 2], Sound::Consonant(_));
        if sounds[last] == Sound::Schwa && syllables > 1 && !conjunct {
            sounds[last] = Sound::Deleted;
        }
    }
    for i in (2..n.saturating_sub(2)).rev() {
        if sounds[i] == Sound::Schwa
            && matches!(sounds[i - 1], Sound::Consonant(_))
            && is_vowel(sounds[i - 2])
            && matches!(sounds[i + 1], Sound::Consonant(_))
            && is_vowel(sounds[i + 2])
        {
            sounds[i] = Sound::Deleted;
        }
    }
}

/// The common Hinglish spelling of a consonant.
fn consonant(offset: u8) -> &'static str {
    match offset {
        0x15 => "k",
        0x16 => "kh",
        0x17 => "g",
        0x18 => "gh",
        0x19 => "n",
        0x1A => "ch",
        0x1B => "chh",
        0x1C => "j",
        0x1D => "jh",
        0x1E => "n",
        0x1F => "t",
        0x20 => "th",
        0x21 => "d",
        0x22 => "dh",
        0x23 => "n",
        0x24 => "t",
        0x25 => "th",
        0x26 => "d",
        0x27 => "dh",
        0x28 | 0x29 => "n",
        0x2A => "p",
        0x2B => "ph",
        0x2C => "b",
        0x2D => "bh",
        0x2E => "m",
        0x2F | 0x5F => "y",
        0x30 | 0x31 => "r",
        0x32..=0x34 => "l",
        0x35 => "v",
        0x36 | 0x37 => "sh",
        0x38 => "s",
        0x39 => "h",
        0x58 => "q",
        0x59 => "kh",
        0x5A => "g",
        0x5B => "z",
        0x5C => "d",
        0x5D => "dh",
        0x5E => "f",
        _ => "",
    }
}

fn is_labial(offset: u8) -> bool {
    (0x2A..=0x2E).contains(&offset)
}

/// Writes the Hinglish spelling of `sounds` through `out`.
pub(super) fn spell(sounds: &[Sound], mut out: impl FnMut(&[u8])) {
    let syllables = sounds.iter().filter(|&&s| is_vowel(s)).count();
    for (i, &sound) in sounds.iter().enumerate() {
        let last = i + 1 == sounds.len();
        let text: &str = match sound {
            Sound::Consonant(offset) => consonant(offset),
            Sound::Schwa => "a",
            Sound::Deleted => "",
            Sound::Vowel(vowel) => match vowel {
                Vowel::A => "a",
                // A final long vowel is mostly spelt short: aata, haldi, aalu; but ghee.
                Vowel::Aa if last => "a",
                Vowel::Aa => "aa",
                Vowel::I => "i",
                Vowel::Ii if last && syllables > 1 => "i",
                Vowel::Ii => "ee",
                Vowel::U => "u",
                Vowel::Uu if last && syllables > 1 => "u",
                Vowel::Uu => "oo",
                Vowel::Ri => "ri",
                Vowel::E => "e",
                Vowel::Ai => "ai",
                Vowel::O => "o",
                Vowel::Au => "au",
            },
            Sound::Nasal => match sounds.get(i + 1) {
                Some(Sound::Consonant(next)) if is_labial(*next) => "m",
                _ => "n",
            },
            Sound::Visarga => "h",
            Sound::Ascii(byte) => {
                out(&[byte]);
                ""
            }
        };
        out(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelt(token: &str) -> String {
        let mut out = String::new();
        spell(sounds(token).as_slice(), |text| {
            out.push_str(std::str::from_utf8(text).unwrap())
        });
        out
    }

    #[test]
    fn the_inherent_vowel_goes_where_hindi_drops_it() {
        for (native, latin) in [
            ("चावल", "chaaval"),
            ("समझना", "samajhna"),
            ("अरहर", "arhar"),
            ("कमला", "kamla"),
            ("मक्खन", "makkhan"),
            ("दही", "dahi"),
            ("नमक", "namak"),
            ("न", "na"),
        ] {
            assert_eq!(spelt(native), latin, "{native}");
        }
    }

    #[test]
    fn letters_are_spelt_the_hinglish_way() {
        for (native, latin) in [
            ("दूध", "doodh"),
            ("आटा", "aata"),
            ("घी", "ghee"),
            ("चीनी", "cheeni"),
            ("हल्दी", "haldi"),
            ("आशीर्वाद", "aasheervaad"),
            ("ज्ञान", "gyaan"),
            ("कंबल", "kambal"),
            ("अंडे", "ande"),
            ("छोले", "chhole"),
            ("कृपा", "kripa"),
            ("मैदा", "maida"),
            ("लौकी", "lauki"),
        ] {
            assert_eq!(spelt(native), latin, "{native}");
        }
    }

    #[test]
    fn a_final_conjunct_keeps_its_vowel_only_after_r_y_v() {
        assert_eq!(spelt("मित्र"), "mitra");
        assert_eq!(spelt("सत्य"), "satya");
        assert_eq!(spelt("मिर्च"), "mirch");
        assert_eq!(spelt("दोस्त"), "dost");
    }

    #[test]
    fn nukta_forms_are_spelt_apart_except_the_flaps() {
        assert_eq!(spelt("प्याज़"), "pyaaz");
        assert_eq!(spelt("प्याज"), "pyaaj");
        assert_eq!(spelt("फ़्राई"), "fraai");
        // ड़ as the pipeline leaves it (ड) and as written (ड़) spell alike.
        assert_eq!(spelt("पकौड़ा"), spelt("पकौडा"));
        assert_eq!(spelt("\u{095C}"), spelt("ड"));
    }

    #[test]
    fn ascii_inside_a_native_token_passes_through() {
        assert_eq!(spelt("5किलो"), "5kilo");
    }
}
