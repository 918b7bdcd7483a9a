//! Other Indic scripts onto Devanagari letters. Unicode lays out Bengali, Gurmukhi, Gujarati,
//! Oriya, Tamil, Telugu, Kannada and Malayalam in 128-code-point blocks parallel to
//! Devanagari (from ISCII): क U+0915, ক U+0995, ਕ U+0A15, ક U+0A95, କ U+0B15, க U+0B95,
//! క U+0C15, ಕ U+0C95, ക U+0D15 all sit at offset 0x15. So one subtraction maps a letter of
//! any of them to its Devanagari twin; only the few letters a script adds of its own (Gurmukhi
//! tippi and addak, Bengali khanda ta, Malayalam chillus, ...) need a rule.

/// A letter as the Devanagari block offset (0..0x80) of its twin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mapped {
    /// The letter at this offset of the Devanagari block.
    Letter(u8),
    /// A consonant at this offset with no inherent vowel (Bengali ৎ, Malayalam chillus).
    Dead(u8),
    /// A sign that adds nothing to the sound (Gurmukhi addak, length marks).
    Silent,
}

/// Devanagari offsets of the consonants some scripts write as a dead form.
const TA: u8 = 0x24;
const NNA: u8 = 0x23;
const NA: u8 = 0x28;
const MA: u8 = 0x2E;
const YA: u8 = 0x2F;
const RA: u8 = 0x30;
const LA: u8 = 0x32;
const LLA: u8 = 0x33;
const VA: u8 = 0x35;
const KA: u8 = 0x15;
const ANUSVARA: u8 = 0x02;
const A: u8 = 0x05;

/// Maps an Indic letter to its Devanagari twin; `None` for anything outside the nine scripts.
pub(super) fn to_devanagari(c: char) -> Option<Mapped> {
    let code = c as u32;
    if !(0x0900..=0x0D7F).contains(&code) {
        return None;
    }
    let special = match code {
        // Gurmukhi: tippi is a nasal, addak doubles the next consonant, iri and ura carry
        // vowel signs, yakash is a subscript ya.
        0x0A70 => Mapped::Letter(ANUSVARA),
        0x0A71 => Mapped::Silent,
        0x0A72 | 0x0A73 => Mapped::Letter(A),
        0x0A75 => Mapped::Letter(YA),
        // Bengali khanda ta; Assamese ra and wa.
        0x09CE => Mapped::Dead(TA),
        0x09F0 => Mapped::Letter(RA),
        0x09F1 => Mapped::Letter(VA),
        // Oriya wa.
        0x0B71 => Mapped::Letter(VA),
        // Kannada llla.
        0x0CDE => Mapped::Letter(LLA),
        // Malayalam dot reph and chillus.
        0x0D4E | 0x0D7C => Mapped::Dead(RA),
        0x0D54 => Mapped::Dead(MA),
        0x0D55 => Mapped::Dead(YA),
        0x0D56 | 0x0D7E => Mapped::Dead(LLA),
        0x0D7A => Mapped::Dead(NNA),
        0x0D7B => Mapped::Dead(NA),
        0x0D7D => Mapped::Dead(LA),
        0x0D7F => Mapped::Dead(KA),
        // Length marks of the southern scripts and Bengali/Oriya au marks.
        0x09D7 | 0x0B56 | 0x0B57 | 0x0BD7 | 0x0C55 | 0x0C56 | 0x0CD5 | 0x0CD6 | 0x0D57 => {
            Mapped::Silent
        }
        _ => Mapped::Letter((code & 0x7F) as u8),
    };
    Some(special)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_lands_on_the_devanagari_twin() {
        // ka in Devanagari, Bengali, Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada,
        // Malayalam.
        for ka in ['क', 'ক', 'ਕ', 'ક', 'କ', 'க', 'క', 'ಕ', 'ക'] {
            assert_eq!(to_devanagari(ka), Some(Mapped::Letter(KA)), "{ka}");
        }
        assert_eq!(to_devanagari('ূ'), Some(Mapped::Letter(0x42)));
        assert_eq!(to_devanagari('ழ'), Some(Mapped::Letter(LLA + 1)));
    }

    #[test]
    fn script_specific_letters_have_rules() {
        assert_eq!(to_devanagari('ੰ'), Some(Mapped::Letter(ANUSVARA)));
        assert_eq!(to_devanagari('ੱ'), Some(Mapped::Silent));
        assert_eq!(to_devanagari('ৎ'), Some(Mapped::Dead(TA)));
        assert_eq!(to_devanagari('ൽ'), Some(Mapped::Dead(LA)));
        assert_eq!(to_devanagari('ൻ'), Some(Mapped::Dead(NA)));
        assert_eq!(to_devanagari('ৱ'), Some(Mapped::Letter(VA)));
    }

    #[test]
    fn other_scripts_are_not_read() {
        for c in ['a', '5', 'ж', 'ا', '牛', '\u{0D80}'] {
            assert_eq!(to_devanagari(c), None, "{c}");
        }
    }
}
