//! Building a catalog's suggestion index from its products: completion entries (product title
//! stems, brands, categories, keywords, Devanagari titles and their romanized forms), their
//! keys (every word suffix of each entry, in a text space and a phonetic space), and the best
//! entries of every short prefix, so that a one-letter prefix costs no more than a long one.

use std::collections::{BTreeMap, HashMap};

use fst::Map;

use super::{
    Entry, Suggester, SuggestionKind, MAX_PER_KEY, PHONETIC_SPACE, SHORT_PREFIX_CHARS, TEXT_SPACE,
};
use crate::analysis::quantity::{is_multipack_word, is_pack_word, is_size_word};
use crate::analysis::{self, phonetic};
use crate::catalog::Product;
use crate::error::{Error, Result};

/// Most words of an entry that start a key (suffixes starting later are not indexed).
const MAX_SUFFIX_STARTS: usize = 4;
/// Product ids kept on a product completion.
const MAX_PRODUCT_IDS: usize = 3;

/// Gathers entries by (kind, normalized text).
#[derive(Default)]
struct EntryTable {
    index: HashMap<(SuggestionKind, String), usize>,
    entries: Vec<Entry>,
    /// Per entry: (weight, id) of the products it leads to.
    products: Vec<Vec<(f32, String)>>,
}

impl EntryTable {
    fn add(&mut self, kind: SuggestionKind, text: &str, product: &Product) {
        let text = text.trim();
        let normalized = analysis::tokens(text).join(" ");
        if normalized.is_empty() {
            return;
        }
        let weight = product_weight(product) * kind_weight(kind);
        let at = *self.index.entry((kind, normalized)).or_insert_with(|| {
            self.entries.push(Entry {
                text: text.to_string(),
                kind,
                score: 0.0,
                product_ids: Vec::new(),
            });
            self.products.push(Vec::new());
            self.entries.len() - 1
        });
        self.entries[at].score += weight;
        if kind == SuggestionKind::Product {
            self.products[at].push((weight, product.id.clone()));
        }
    }

    fn finish(mut self) -> Vec<Entry> {
        for (entry, mut products) in self.entries.iter_mut().zip(self.products) {
            products.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            entry.product_ids = products
                .into_iter()
                .take(MAX_PRODUCT_IDS)
                .map(|(_, id)| id)
                .collect();
        }
        std::mem::take(&mut self.entries)
    }
}

/// Brands and categories gather many products; damp them so specific completions can win.
fn kind_weight(kind: SuggestionKind) -> f32 {
    match kind {
        SuggestionKind::Product => 1.0,
        SuggestionKind::Query => 0.8,
        SuggestionKind::Brand => 0.6,
        SuggestionKind::Category => 0.3,
    }
}

/// How much a product adds to a completion: in-stock products count fully, popular ones more.
fn product_weight(product: &Product) -> f32 {
    let popularity = product.popularity.unwrap_or(0.0).max(0.0) as f32;
    let base = 1.0 + (1.0 + popularity).ln();
    if product.availability.is_orderable() {
        base
    } else {
        0.1 * base
    }
}

/// A title without its trailing pack size: "Amul Butter 500 g" → "Amul Butter".
pub fn title_stem(title: &str) -> &str {
    let words: Vec<(usize, &str)> = title
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - title.as_ptr() as usize, w))
        .collect();
    let all = |word: &str, test: fn(&str) -> bool| {
        let tokens = analysis::tokens(word);
        !tokens.is_empty() && tokens.iter().all(|t| test(t))
    };
    let mut end = words.len();
    while end > 1 {
        // "Pack of" counts once a size has been dropped after it: "100 g (Pack of 3)" goes,
        // "Gel Ice Pack" keeps its pack.
        let word = words[end - 1].1;
        if !(all(word, is_size_word) || end < words.len() && all(word, is_pack_word)) {
            break;
        }
        end -= 1;
    }
    // A pack size starts with a number ("500 g", "4 x 125 g"); a unit word before it is part
    // of the name: "Parle G 250 g", "Parle G". A multipack note is no part of it.
    while end < words.len()
        && !words[end].1.chars().any(char::is_numeric)
        && !all(words[end].1, is_multipack_word)
    {
        end += 1;
    }
    match words.get(end.wrapping_sub(1)) {
        Some(&(start, last)) => title[..start + last.len()]
            .trim_end_matches(|c: char| c == '-' || c == ',' || c == '(' || c.is_whitespace()),
        None => title,
    }
}

/// What a shopper types for the product: its brand and what it is, the kind written as the
/// title writes it ("Amul Butter" for "Butter - Pasteurised" of brand Amul), and its brand
/// with the title's name when that is a few words ("Haldirams Bhujia Sev", "India Gate
/// Basmati Rice"). None when the title names no kind, or the kind is the brand's own word.
pub fn brand_and_kind(brand: &str, title: &str) -> Vec<String> {
    let head = crate::index::title_head(title);
    let Some(kind) = head.split(' ').next().filter(|k| !k.is_empty()) else {
        return Vec::new();
    };
    let brand_words = analysis::tokens(brand);
    if brand_words.is_empty() || brand_words.iter().any(|w| w == kind) {
        return Vec::new();
    }
    let written = title
        .split(|c: char| c.is_whitespace() || c == '/' || c == '-' || c == ',')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .find(|w| analysis::tokens(w) == [kind])
        .map(str::to_string)
        .unwrap_or_else(|| kind.to_string());
    let mut out = vec![format!("{} {written}", brand.trim())];
    let name = crate::index::title_name_written(title);
    let name_words = analysis::tokens(&name);
    if (2..=MAX_BRAND_NAME_WORDS).contains(&name_words.len())
        && !name_words.iter().any(|w| brand_words.contains(w))
    {
        out.push(format!("{} {name}", brand.trim()));
    }
    out
}

/// Most words of a title's name that a brand completion carries: longer names are the
/// product completion's to offer.
const MAX_BRAND_NAME_WORDS: usize = 3;

/// Builds the suggester for `products`.
pub fn build<'a>(products: impl IntoIterator<Item = &'a Product>) -> Result<Suggester> {
    let mut table = EntryTable::default();
    for product in products {
        table.add(SuggestionKind::Product, title_stem(&product.title), product);
        for title in product.titles.values() {
            table.add(SuggestionKind::Product, title_stem(title), product);
        }
        if let Some(brand) = &product.brand {
            table.add(SuggestionKind::Brand, brand, product);
            // Unless the title says just that: its product completion carries the ids.
            let stem = analysis::tokens(title_stem(&product.title));
            for query in brand_and_kind(brand, &product.title) {
                if analysis::tokens(&query) != stem {
                    table.add(SuggestionKind::Query, &query, product);
                }
            }
        }
        for level in product.category_levels() {
            table.add(SuggestionKind::Category, level, product);
        }
        for keyword in &product.keywords {
            table.add(SuggestionKind::Query, keyword, product);
        }
    }
    let entries = table.finish();
    let mut keys: BTreeMap<Vec<u8>, Vec<u32>> = BTreeMap::new();
    for (at, entry) in entries.iter().enumerate() {
        for key in entry_keys(&entry.text) {
            keys.entry(key).or_default().push(at as u32);
        }
    }
    let mut groups = Vec::with_capacity(keys.len());
    let mut short: HashMap<Vec<u8>, Vec<u32>> = HashMap::new();
    let by_score = |a: &u32, b: &u32| {
        entries[*b as usize]
            .score
            .total_cmp(&entries[*a as usize].score)
            .then(a.cmp(b))
    };
    let mut builder = fst::MapBuilder::memory();
    for (key, mut members) in keys {
        members.sort_by(by_score);
        members.dedup();
        members.truncate(MAX_PER_KEY);
        for len in short_prefix_lengths(&key) {
            let list = short.entry(key[..len].to_vec()).or_default();
            list.extend_from_slice(&members);
        }
        builder
            .insert(&key, groups.len() as u64)
            .map_err(|e| Error::internal(format!("suggest fst: {e}")))?;
        groups.push(members);
    }
    for list in short.values_mut() {
        list.sort_by(by_score);
        list.dedup();
        list.truncate(MAX_PER_KEY * 2);
    }
    let bytes = builder
        .into_inner()
        .map_err(|e| Error::internal(format!("suggest fst: {e}")))?;
    let map = Map::new(bytes).map_err(|e| Error::internal(format!("suggest fst: {e}")))?;
    let words = entries
        .iter()
        .map(|entry| {
            let tokens = analysis::tokens(&entry.text);
            let keys: Vec<String> = tokens
                .iter()
                .filter_map(|t| phonetic::phonetic_key(t))
                .collect();
            tokens
                .into_iter()
                .chain(keys)
                .map(String::into_boxed_str)
                .collect()
        })
        .collect();
    let mut top: Vec<u32> = (0..entries.len() as u32).collect();
    top.sort_by(by_score);
    top.truncate(64);
    Ok(Suggester {
        map,
        groups,
        entries,
        short,
        top,
        words,
    })
}

/// Byte lengths of the key's prefixes of 1..=SHORT_PREFIX_CHARS characters after the space byte.
fn short_prefix_lengths(key: &[u8]) -> Vec<usize> {
    let Ok(text) = std::str::from_utf8(&key[1..]) else {
        return Vec::new();
    };
    text.char_indices()
        .skip(1)
        .map(|(at, _)| at + 1)
        .chain(std::iter::once(key.len()))
        .take(SHORT_PREFIX_CHARS)
        .collect()
}

/// Every key of an entry: each word suffix (up to [`MAX_SUFFIX_STARTS`] starts) in the text
/// space, the romanized form of Indic words too, and the same suffixes in phonetic keys.
fn entry_keys(text: &str) -> Vec<Vec<u8>> {
    let tokens = analysis::tokens(text);
    let romanized: Vec<String> = tokens
        .iter()
        .map(|t| phonetic::romanize(t).unwrap_or_else(|| t.clone()))
        .collect();
    let phonetic_tokens: Vec<String> = tokens
        .iter()
        .map(|t| phonetic::phonetic_key(t).unwrap_or_else(|| t.clone()))
        .collect();
    let mut keys = Vec::new();
    for start in 0..tokens.len().min(MAX_SUFFIX_STARTS) {
        keys.push(space_key(TEXT_SPACE, &tokens[start..]));
        if romanized != tokens {
            keys.push(space_key(TEXT_SPACE, &romanized[start..]));
        }
        keys.push(space_key(PHONETIC_SPACE, &phonetic_tokens[start..]));
    }
    keys
}

/// A key: the space byte, then the words joined by single spaces.
pub fn space_key(space: u8, words: &[String]) -> Vec<u8> {
    let mut key = vec![space];
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            key.push(b' ');
        }
        key.extend_from_slice(word.as_bytes());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::{brand_and_kind, title_stem};

    #[test]
    fn brand_and_kind_is_what_shoppers_type() {
        assert_eq!(
            brand_and_kind("Amul", "Butter - Pasteurised"),
            ["Amul Butter"]
        );
        assert_eq!(
            brand_and_kind("Haldiram's", "Aloo Bhujia 200 g"),
            ["Haldiram's Bhujia", "Haldiram's Aloo Bhujia"]
        );
        assert_eq!(
            brand_and_kind("India Gate", "Basmati Rice/Basmati Akki - Mogra/Broken"),
            ["India Gate Rice", "India Gate Basmati Rice"]
        );
        assert_eq!(
            brand_and_kind("Maggi", "2-Minute Masala Noodles"),
            ["Maggi Noodles"],
            "four words are the product completion's"
        );
        assert_eq!(
            brand_and_kind("Vim", "Dishwash Liquid - Gel Lemon 500 ml"),
            ["Vim Liquid", "Vim Dishwash Liquid"]
        );
        assert!(brand_and_kind("Maggi", "Maggi").is_empty());
    }

    #[test]
    fn pack_sizes_come_off_titles() {
        assert_eq!(title_stem("Amul Butter 500 g"), "Amul Butter");
        assert_eq!(
            title_stem("Lifebuoy Total 10 Soap 4 x 125 g"),
            "Lifebuoy Total 10 Soap"
        );
        assert_eq!(title_stem("अमूल मक्खन 500 ग्राम"), "अमूल मक्खन");
        assert_eq!(title_stem("Tata Salt"), "Tata Salt");
        assert_eq!(title_stem("Parle G"), "Parle G");
        assert_eq!(title_stem("Parle G 250 g"), "Parle G");
        assert_eq!(title_stem("500 g"), "500 g");
        assert_eq!(title_stem("तूर दाल १ किलो"), "तूर दाल");
        assert_eq!(
            title_stem("Amul Dark 55% Chocolate 40 g (Pack of 3)"),
            "Amul Dark 55% Chocolate"
        );
        assert_eq!(title_stem("Parle G (Pack of 2)"), "Parle G");
        assert_eq!(title_stem("Gel Ice Pack"), "Gel Ice Pack");
    }
}
