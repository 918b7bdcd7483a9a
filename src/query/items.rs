//! Where a message may name several items: the pieces between list separators. Hard
//! separators (new lines, commas, semicolons, "+", the danda) always part items; soft ones
//! ("and", "aur", "और", "&") part them only when the catalog says the two sides are products
//! on their own and the whole is not one product's name ("fruit and nut chocolate"), which the
//! search module decides. Text only: nothing here knows a catalog.

/// How a piece is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joint {
    /// The first piece.
    Start,
    /// A separator that always parts items.
    Hard,
    /// A word that parts items only when both sides are products on their own.
    Soft,
}

/// One piece of a message, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub joint: Joint,
}

/// Words that join two items or two halves of one name.
const SOFT_WORDS: [&str; 5] = ["and", "aur", "or", "और", "&"];

/// The pieces of `message` between list separators, empty pieces dropped. A message without
/// separators is one piece.
pub fn pieces(message: &str) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut joint = Joint::Start;
    for (n, part) in hard_parts(message).into_iter().enumerate() {
        if n > 0 {
            joint = Joint::Hard;
        }
        let mut current: Vec<&str> = Vec::new();
        for word in part.split_whitespace() {
            let bare = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
            let is_soft = SOFT_WORDS.iter().any(|s| bare.eq_ignore_ascii_case(s)) && bare == word;
            if is_soft && !current.is_empty() {
                push(&mut out, &current, joint);
                current.clear();
                joint = Joint::Soft;
            } else if !is_soft {
                current.push(word);
            }
        }
        push(&mut out, &current, joint);
    }
    if out.first().is_some_and(|p| p.joint != Joint::Start) {
        out[0].joint = Joint::Start;
    }
    out
}

fn push(out: &mut Vec<Piece>, words: &[&str], joint: Joint) {
    if words.is_empty() {
        return;
    }
    let joint = if out.is_empty() { Joint::Start } else { joint };
    out.push(Piece {
        text: words.join(" "),
        joint,
    });
}

/// `message` cut at hard separators. A comma or full stop between two digits belongs to a
/// number ("1,000", "1.5 kg"); "+" between two letters or digits is part of a name ("2+1").
fn hard_parts(message: &str) -> Vec<String> {
    let chars: Vec<char> = message.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let after = chars.get(i + 1).copied();
        let between = |test: fn(&char) -> bool| {
            before.is_some_and(|b| test(&b)) && after.is_some_and(|a| test(&a))
        };
        let separates = match c {
            '\n' | '\r' | ';' | '।' | '|' | '•' => true,
            ',' => !between(char::is_ascii_digit),
            '+' => !between(|c| c.is_alphanumeric()),
            _ => false,
        };
        if separates {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts.retain(|p| p.chars().any(char::is_alphanumeric));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(message: &str) -> Vec<(String, Joint)> {
        pieces(message)
            .into_iter()
            .map(|p| (p.text, p.joint))
            .collect()
    }

    #[test]
    fn commas_new_lines_and_plus_always_part_items() {
        assert_eq!(
            texts("doodh, bread, anda"),
            [
                ("doodh".to_string(), Joint::Start),
                ("bread".to_string(), Joint::Hard),
                ("anda".to_string(), Joint::Hard)
            ]
        );
        assert_eq!(pieces("atta 5kg\nmaggi\n\n+ surf").len(), 3);
        assert_eq!(texts("आटा, चीनी, नमक").len(), 3);
    }

    #[test]
    fn and_aur_and_the_ampersand_are_soft() {
        assert_eq!(
            texts("1 kg atta, 2 packet maggi aur dettol soap"),
            [
                ("1 kg atta".to_string(), Joint::Start),
                ("2 packet maggi".to_string(), Joint::Hard),
                ("dettol soap".to_string(), Joint::Soft)
            ]
        );
        assert_eq!(
            texts("fruit and nut chocolate"),
            [
                ("fruit".to_string(), Joint::Start),
                ("nut chocolate".to_string(), Joint::Soft)
            ]
        );
        assert_eq!(texts("ghee और दही")[1], ("दही".to_string(), Joint::Soft));
        assert_eq!(texts("head & shoulders").len(), 2);
    }

    #[test]
    fn numbers_and_names_keep_their_commas_and_plus() {
        assert_eq!(texts("atta under 1,000").len(), 1);
        assert_eq!(texts("buy 2+1 soap").len(), 1);
        assert_eq!(texts("and").len(), 0);
        assert_eq!(
            texts("sandwich bread").len(),
            1,
            "words only, not inside words"
        );
    }

    #[test]
    fn a_message_without_separators_is_one_piece() {
        assert_eq!(
            texts("amul butter 500 g"),
            [("amul butter 500 g".to_string(), Joint::Start)]
        );
        assert!(texts("  ,, \n ").is_empty());
    }
}
