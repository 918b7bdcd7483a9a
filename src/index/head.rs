//! The head words of a product title: the words that say what the product *is*. In "Haldiram's
//! Aloo Bhujia 200 g" it is a bhujia, though it says aloo; in "Tomato - Hybrid" a tomato; in
//! "Kirana Fresh Potato (Aloo) 1 kg" a potato, alias aloo; in "Toor Dal / Arhar Dal" a dal.
//! Indexed in their own field, they let "aloo" rank potatoes above potato snacks.
//!
//! Written by hand: the rule is specific to how Indian catalog titles are written (English
//! noun phrases with the head last, "X - qualifier" and "X / Y" forms, a Hindi alias in
//! parentheses), and no crate parses product titles.

use crate::analysis::{self, quantity::is_pack_word};

/// Most words a parenthetical may have to count as the head's alias.
const MAX_ALIAS_WORDS: usize = 2;

/// The head words of `title`, analyzed, joined by spaces (empty when none).
pub fn title_head(title: &str) -> String {
    let (outside, alias) = split_parenthetical(before_qualifier(title));
    let mut heads: Vec<String> = outside
        .split('/')
        .filter_map(|alternative| last_word(&analysis::tokens(alternative)))
        .collect();
    if let Some(alias) = alias {
        let words = analysis::tokens(alias);
        if !words.is_empty() && words.len() <= MAX_ALIAS_WORDS && !heads.is_empty() {
            heads.extend(words);
        }
    }
    heads.dedup();
    heads.join(" ")
}

/// The name a title gives the product as the title writes it: the first "/" alternative of
/// its part before a qualifier, outside parentheses, pack size left off ("Basmati Rice" for
/// "Basmati Rice/Basmati Akki - Mogra 1 kg"). Empty when nothing is left.
pub fn title_name_written(title: &str) -> String {
    let (outside, _) = split_parenthetical(before_qualifier(title));
    let first = outside.split('/').next().unwrap_or("");
    first
        .split_whitespace()
        .filter(|word| !analysis::tokens(word).iter().all(|t| is_pack_word(t)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The names of a title's part before its qualifier, when it has one and they are no
/// [`title_names`]: "ginger" for "Ginger - Organically Grown", "paneer" for "Paneer - Chilli".
/// Less than a name ("Paneer - Chilli" is no paneer to a shopper asking for paneer), more than
/// a word in passing ("Thai Ginger", "Cocktail Onion").
pub fn lead_names(title: &str, brand: Option<&str>) -> Vec<String> {
    let brand_words = brand.map(analysis::tokens).unwrap_or_default();
    let (outside, _) = split_parenthetical(title);
    let main = before_qualifier(&outside);
    if main.trim() == outside.trim() {
        return Vec::new();
    }
    let whole = title_names(title, brand);
    let mut names: Vec<String> = main
        .split('/')
        .map(|text| name_of(&analysis::tokens(text), &brand_words))
        .filter(|name| !name.is_empty() && !whole.contains(name))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Most words of each part of a "Kind - Variant" title that are read back as "Variant Kind".
const MAX_INVERTED_WORDS: usize = 2;

/// The name a "Kind - Variant" title gives when read the way shoppers say it: "green chilli"
/// for "Chilli - Green, Organically Grown", "sesame oil" for "Oil - Sesame", "brown bread"
/// for "Bread - Brown". Only for a kind and a first variant of at most two words each;
/// `None` for titles of other forms.
pub fn inverted_name(title: &str, brand: Option<&str>) -> Option<String> {
    let brand_words = brand.map(analysis::tokens).unwrap_or_default();
    let (outside, _) = split_parenthetical(title);
    let (kind, variant) = outside.split_once(" - ")?;
    let kind = name_of(&analysis::tokens(kind.split('/').next()?), &brand_words);
    let variant = variant.split(QUALIFIER_MARKS).next()?.split('/').next()?;
    let variant = name_of(&analysis::tokens(variant), &[]);
    let short = |name: &str| (1..=MAX_INVERTED_WORDS).contains(&name.split(' ').count());
    (!kind.is_empty() && !variant.is_empty() && short(&kind) && short(&variant))
        .then(|| format!("{variant} {kind}"))
}

/// What a product is called whatever its pack: its title's words without the brand in front
/// and pack sizes ("Amul Butter 500 g" → "butter"). The same for every pack of one product.
pub fn product_name(title: &str, brand: Option<&str>) -> String {
    let brand = brand.map(analysis::tokens).unwrap_or_default();
    name_of(&analysis::tokens(title), &brand)
}

/// Names of more words than this are not kept: a message that long matches a product on its
/// words, and whole long names would make most of a small catalog's name dictionary.
pub const MAX_NAME_WORDS: usize = 4;

/// The names a title gives the product, each analyzed and its words joined by spaces: the
/// title without its brand, pack size and parentheses ("Amul Butter 500 g" → "butter"), each
/// "/" alternative of its part before a qualifier ("Sugar/Sakkare - Castor" → "sugar",
/// "sakkare") and a short alias in parentheses ("Onion (Pyaz)" → "pyaz"). A shopper who
/// types one of them is asking for this product by name. The part before a qualifier is no
/// name of its own: "Paneer - Chilli" and "Milk - Soya" are not what "paneer" and "milk" ask
/// for.
pub fn title_names(title: &str, brand: Option<&str>) -> Vec<String> {
    let brand = brand.map(analysis::tokens).unwrap_or_default();
    let (outside, alias) = split_parenthetical(title);
    let main = before_qualifier(&outside);
    let mut texts: Vec<&str> = vec![&outside];
    if main.contains('/') {
        texts.extend(main.split('/'));
    }
    let mut names: Vec<String> = texts
        .into_iter()
        .map(|text| name_of(&analysis::tokens(text), &brand))
        .collect();
    if let Some(alias) = alias {
        let words = analysis::tokens(alias);
        if words.len() <= MAX_ALIAS_WORDS {
            names.push(name_of(&words, &[]));
        }
    }
    names.retain(|name| !name.is_empty());
    names.sort();
    names.dedup();
    names
}

/// Marks after which a title qualifies what it named, besides " - ".
const QUALIFIER_MARKS: [char; 4] = [',', '|', '–', '—'];

/// The part of a title before its qualifiers: in "Tomato - Hybrid, Organically Grown" what
/// comes after a dash or comma qualifies.
fn before_qualifier(title: &str) -> &str {
    let first = title.split(QUALIFIER_MARKS).next().unwrap_or(title);
    first.split(" - ").next().unwrap_or(first)
}

/// Words without a leading brand and pack-size words, joined by spaces.
fn name_of(words: &[String], brand: &[String]) -> String {
    let words = match words.strip_prefix(brand) {
        Some(rest) if !brand.is_empty() => rest,
        _ => words,
    };
    words
        .iter()
        .filter(|w| !is_pack_word(w))
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text outside parentheses, and the first parenthetical's content.
fn split_parenthetical(text: &str) -> (String, Option<&str>) {
    let mut outside = String::with_capacity(text.len());
    let mut alias = None;
    let mut rest = text;
    while let Some(open) = rest.find('(') {
        outside.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(')') {
            Some(close) => {
                alias.get_or_insert(&after[..close]);
                rest = &after[close + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    outside.push_str(rest);
    (outside, alias)
}

/// The last word that is no part of a pack size ("Atta 5 kg" → "atta").
fn last_word(words: &[String]) -> Option<String> {
    words.iter().rev().find(|w| !is_pack_word(w)).cloned()
}

#[cfg(test)]
mod tests {
    use super::{inverted_name, lead_names, product_name, title_head, title_names};

    #[test]
    fn the_part_before_a_qualifier_leads_the_title_but_names_nothing() {
        assert_eq!(lead_names("Ginger - Organically Grown", None), ["ginger"]);
        assert_eq!(
            lead_names("Paneer - Chilli 200 g", Some("Amul")),
            ["paneer"]
        );
        assert!(lead_names("Thai Ginger", None).is_empty(), "no qualifier");
        assert!(
            lead_names("Sugar/Sakkare - Castor", None).is_empty(),
            "alternatives before a qualifier are names already"
        );
    }

    #[test]
    fn a_kind_dash_variant_title_reads_back_the_way_shoppers_say_it() {
        assert_eq!(
            inverted_name("Chilli - Green, Organically Grown", Some("Fresho")).as_deref(),
            Some("green chilli")
        );
        assert_eq!(
            inverted_name("Oil - Sesame 1 L", None).as_deref(),
            Some("sesame oil")
        );
        assert_eq!(
            inverted_name("Toor/Arhar Dal - Desi", None).as_deref(),
            Some("desi toor")
        );
        // Long variants and titles of other forms give none.
        assert_eq!(inverted_name("Cardamom - Black Tea Bags", None), None);
        assert_eq!(inverted_name("Amul Butter 500 g", Some("Amul")), None);
        assert_eq!(inverted_name("Bread - 400 g", None), None);
    }

    #[test]
    fn packs_of_one_product_share_its_name() {
        assert_eq!(
            product_name("Amul Butter 500 g", Some("Amul")),
            product_name("Amul Butter 100 g", Some("Amul"))
        );
        assert_ne!(
            product_name("Carrot - Sliced", None),
            product_name("Carrot - Ooty", None)
        );
    }

    #[test]
    fn the_head_is_what_the_product_is() {
        assert_eq!(title_head("Haldiram's Aloo Bhujia 200 g"), "bhujia");
        assert_eq!(title_head("Tomato - Hybrid, Organically Grown"), "tomato");
        assert_eq!(title_head("Kirana Fresh Potato (Aloo) 1 kg"), "potato aloo");
        assert_eq!(title_head("Tata Sampann Toor Dal / Arhar Dal 1 kg"), "dal");
        assert_eq!(title_head("Atta/Godihittu"), "atta godihittu");
        assert_eq!(title_head("Mamaearth Onion Shampoo"), "shampoo");
        assert_eq!(title_head("किराना फ्रेश आलू 1 किलो"), "आलू");
        assert_eq!(
            title_head("Pepsodent Germicheck Toothpaste 100 g (Pack of 3)"),
            "toothpaste"
        );
    }

    #[test]
    fn odd_titles_give_an_empty_or_partial_head() {
        assert_eq!(title_head(""), "");
        assert_eq!(title_head("500 g"), "");
        assert_eq!(title_head("(unclosed"), "");
        assert_eq!(title_head("Salt ("), "salt");
    }

    #[test]
    fn a_title_names_the_product_without_brand_size_or_qualifier() {
        assert_eq!(title_names("Amul Butter 500 g", Some("Amul")), ["butter"]);
        assert_eq!(title_names("Sugar", None), ["sugar"]);
        assert_eq!(title_names("Tomato - Hybrid", None), ["tomato hybrid"]);
        assert_eq!(
            title_names("Sugar/Sakkare - Castor", None),
            ["sakkare", "sugar", "sugar sakkare castor"]
        );
        assert_eq!(
            title_names("Kirana Fresh Onion (Pyaz) 500 g", Some("Kirana Fresh")),
            ["onion", "pyaz"]
        );
        assert_eq!(title_names("आशीर्वाद आटा 5 किलो", None), ["आशीर्वाद आटा"]);
        assert!(title_names("500 g", None).is_empty());
    }
}
