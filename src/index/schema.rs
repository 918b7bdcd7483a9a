//! The tantivy schema of a catalog generation and how a [`Product`] becomes a document.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
};
use tantivy::TantivyDocument;

use crate::analysis::{self, Quantity, PHONETIC_ANALYZER, PHONETIC_LATIN_ANALYZER, TEXT_ANALYZER};
use crate::catalog::Product;

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Merchant id: raw term for lookups and deletes, fast column for hits.
    pub id: Field,
    /// Title as the merchant wrote it.
    pub title: Field,
    /// Translated titles (`title_hi`, ...), kept apart so they do not lengthen the title.
    pub title_alt: Field,
    /// Head words of the titles: what the product is ("bhujia" in "Aloo Bhujia").
    pub head: Field,
    /// Phonetic keys of the Indic-script words of the titles and brand: दूध meets doodh here.
    pub phonetic: Field,
    /// Phonetic keys of the Latin words of the titles and brand: doodh meets दूध and dudh here.
    pub phonetic_latin: Field,
    pub brand: Field,
    /// Category path levels and Google category.
    pub category: Field,
    pub keywords: Field,
    pub description: Field,
    /// Normalized brand, exact filter.
    pub brand_exact: Field,
    /// The names the titles give the product ("butter" for "Amul Butter 500 g"), whole.
    pub name_exact: Field,
    /// Normalized category levels and path prefixes, exact filter.
    pub category_exact: Field,
    /// Adjacent words of the titles and the brand ("fruit nut" in "Fruit & Nut"), joining
    /// words skipped: whether "X and Y" is written as one name.
    pub pairs: Field,
    /// The brand's sound with the brand, `"mgi > maggi"`: a brand written in another script
    /// ("मैगी") is spotted by its phonetic key.
    pub brand_sound: Field,
    /// What the titles start with before a qualifier ("ginger" for "Ginger - Organically
    /// Grown"), whole, where that is not a name already.
    pub lead_name: Field,
    /// The brand with the product's kind, `"maggi > instant noodles"`: what a brand is known
    /// for, when a message names the brand alone.
    pub brand_kind: Field,
    /// Effective price in the major unit.
    pub price: Field,
    /// 1 when a shopper can order it now.
    pub orderable: Field,
    /// 1 when it sells below its regular price.
    pub on_sale: Field,
    pub popularity: Field,
    /// Pack size in base units (grams, millilitres, pieces) and which base.
    pub size_value: Field,
    pub size_unit: Field,
    /// The product's kind (its whole category path) as a [`kind_code`]: what ranking groups
    /// the matches by.
    pub kind: Field,
    /// The product's name whatever its pack ([`super::head::product_name`]) as a digest:
    /// packs of one product count once when ranking weighs kinds.
    pub name_code: Field,
    /// The product as JSON.
    pub stored: Field,
}

/// Fields in the word dictionary, with their weight; a word's field mask bit `i` refers to
/// the `i`-th of these. Descriptions are searched too but only for words as typed.
pub fn weighted_text_fields(fields: &Fields) -> [(Field, f32); 6] {
    [
        (fields.title, 3.0),
        (fields.title_alt, 2.8),
        (fields.brand, 2.0),
        (fields.keywords, 1.6),
        (fields.category, 1.5),
        (fields.head, 1.5),
    ]
}

/// Builds the schema; `Fields` are looked up again from an opened index by [`Fields::of`].
pub fn build_schema() -> Schema {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    // Whole-value fields: looked up by exact term, never scored, so no field norms.
    let exact = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    builder.add_text_field("id", exact.clone() | FAST | STORED);
    for name in [
        "title",
        "title_alt",
        "head",
        "brand",
        "category",
        "keywords",
        "description",
    ] {
        builder.add_text_field(name, text.clone());
    }
    for (name, analyzer) in [
        ("phonetic", PHONETIC_ANALYZER),
        ("phonetic_latin", PHONETIC_LATIN_ANALYZER),
    ] {
        builder.add_text_field(
            name,
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(analyzer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        );
    }
    builder.add_text_field("brand_exact", exact.clone());
    builder.add_text_field("name_exact", exact.clone());
    builder.add_text_field("category_exact", exact.clone());
    builder.add_text_field("pairs", exact.clone());
    builder.add_text_field("brand_kind", exact.clone());
    builder.add_text_field("lead_name", exact.clone());
    builder.add_text_field("brand_sound", exact);
    // Price and availability filter through the document table, never through the index.
    builder.add_f64_field("price", FAST);
    builder.add_u64_field("orderable", FAST);
    builder.add_u64_field("on_sale", FAST);
    builder.add_f64_field("popularity", FAST);
    builder.add_f64_field("size_value", FAST);
    builder.add_u64_field("size_unit", FAST);
    builder.add_u64_field("kind", FAST);
    builder.add_u64_field("name_code", FAST);
    builder.add_text_field("stored", STORED);
    builder.build()
}

impl Fields {
    /// Field handles of a schema built by [`build_schema`].
    pub fn of(schema: &Schema) -> tantivy::Result<Fields> {
        let get = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: get("id")?,
            title: get("title")?,
            title_alt: get("title_alt")?,
            head: get("head")?,
            phonetic: get("phonetic")?,
            phonetic_latin: get("phonetic_latin")?,
            brand: get("brand")?,
            category: get("category")?,
            keywords: get("keywords")?,
            description: get("description")?,
            brand_exact: get("brand_exact")?,
            name_exact: get("name_exact")?,
            category_exact: get("category_exact")?,
            pairs: get("pairs")?,
            brand_kind: get("brand_kind")?,
            lead_name: get("lead_name")?,
            brand_sound: get("brand_sound")?,
            price: get("price")?,
            orderable: get("orderable")?,
            on_sale: get("on_sale")?,
            popularity: get("popularity")?,
            size_value: get("size_value")?,
            size_unit: get("size_unit")?,
            kind: get("kind")?,
            name_code: get("name_code")?,
            stored: get("stored")?,
        })
    }

    /// The tantivy document for a product.
    pub fn document(&self, product: &Product) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.id, &product.id);
        doc.add_text(self.title, &product.title);
        doc.add_text(self.head, super::head::title_head(&product.title));
        // What the product is called: by its titles, and by its kind, the last category
        // level ("Homogenized Milk" of type "Milk" is a milk).
        let brand = product.brand.as_deref();
        let kind = product.category_levels().last().cloned();
        let titles = std::iter::once(&product.title).chain(product.titles.values());
        let names = titles
            .flat_map(|title| {
                let mut names = super::head::title_names(title, brand);
                names.extend(super::head::inverted_name(title, brand));
                names
            })
            .chain(
                kind.iter()
                    .flat_map(|kind| super::head::title_names(kind, None)),
            );
        for name in names.filter(|name| name.split(' ').count() <= super::head::MAX_NAME_WORDS) {
            doc.add_text(self.name_exact, name);
        }
        let titles = std::iter::once(&product.title).chain(product.titles.values());
        for lead in titles.flat_map(|title| super::head::lead_names(title, brand)) {
            doc.add_text(self.lead_name, lead);
        }
        doc.add_text(self.phonetic, &product.title);
        doc.add_text(self.phonetic_latin, &product.title);
        let named = std::iter::once(&product.title)
            .chain(product.titles.values())
            .chain(product.brand.as_ref());
        for title in named {
            for pair in word_pairs(title) {
                doc.add_text(self.pairs, pair);
            }
        }
        // A title written in compounds is searchable by their parts too ("కందిపప్పు" as
        // "కంది పప్పు"), as queries are cut.
        let cut = std::iter::once(&product.title)
            .chain(product.titles.values())
            .filter_map(|title| decompounded(title));
        for title in cut {
            doc.add_text(self.title_alt, &title);
            doc.add_text(self.phonetic, &title);
            doc.add_text(self.phonetic_latin, &title);
        }
        for title in product.titles.values() {
            doc.add_text(self.title_alt, title);
            doc.add_text(self.head, super::head::title_head(title));
            doc.add_text(self.phonetic, title);
            doc.add_text(self.phonetic_latin, title);
        }
        if let Some(brand) = &product.brand {
            doc.add_text(self.brand, brand);
            doc.add_text(self.phonetic, brand);
            doc.add_text(self.phonetic_latin, brand);
            doc.add_text(self.brand_exact, brand_key(brand));
            if let Some(kind) = &kind {
                doc.add_text(self.brand_kind, brand_kind_key(&brand_key(brand), kind));
            }
            if let Some(sound) = brand_sound(&analysis::tokens(brand)) {
                doc.add_text(
                    self.brand_sound,
                    format!("{sound}{BRAND_KIND_SEPARATOR}{}", brand_key(brand)),
                );
            }
        }
        for value in category_paths(product) {
            doc.add_text(self.category_exact, value);
        }
        for level in product.category_levels() {
            doc.add_text(self.category, level);
        }
        if let Some(google) = &product.google_product_category {
            doc.add_text(self.category, google);
        }
        for keyword in &product.keywords {
            doc.add_text(self.keywords, keyword);
        }
        if let Some(description) = &product.description {
            doc.add_text(self.description, description);
        }
        if let Some(price) = product.effective_price() {
            doc.add_f64(self.price, price.amount);
        }
        doc.add_u64(self.orderable, product.availability.is_orderable() as u64);
        doc.add_u64(self.on_sale, product.is_on_sale() as u64);
        if let Some(popularity) = product.popularity {
            doc.add_f64(self.popularity, popularity);
        }
        if let Some(quantity) = product_quantity(product) {
            doc.add_f64(self.size_value, quantity.value);
            doc.add_u64(self.size_unit, quantity.unit as u64);
        }
        if let Some(code) = kind_code(product) {
            doc.add_u64(self.kind, code);
        }
        let name = super::head::product_name(&product.title, product.brand.as_deref());
        doc.add_u64(self.name_code, digest_code([name.as_str()]));
        let json = serde_json::to_string(product).expect("a product always serializes");
        doc.add_text(self.stored, json);
        doc
    }
}

pub use crate::analysis::JOINING_WORDS;

/// The title's words with its compounds cut in two, when it has any.
fn decompounded(title: &str) -> Option<String> {
    let words = analysis::tokens(title);
    let cut = crate::analysis::lexicon::Lexicon::builtin().split_compounds(words.clone());
    (cut.len() > words.len()).then(|| cut.join(" "))
}

/// The phonetic keys of a brand's (or a message's) words, joined by spaces; `None` when a
/// word has none.
pub fn brand_sound(words: &[String]) -> Option<String> {
    let keys: Option<Vec<String>> = words
        .iter()
        .map(|word| crate::analysis::phonetic::phonetic_key(word))
        .collect();
    keys.filter(|keys| !keys.is_empty())
        .map(|keys| keys.join(" "))
}

/// The [`Fields::brand_kind`] term of a brand key and a kind as the feed writes it.
pub fn brand_kind_key(brand_key: &str, kind: &str) -> String {
    format!("{brand_key}{BRAND_KIND_SEPARATOR}{}", exact_key(kind))
}

/// Between the brand and the kind in a [`Fields::brand_kind`] term.
pub const BRAND_KIND_SEPARATOR: &str = " > ";

/// Each two adjacent words of `title`, joined by a space, joining words left out.
pub fn word_pairs(title: &str) -> Vec<String> {
    let words: Vec<String> = analysis::tokens(title)
        .into_iter()
        .filter(|w| !JOINING_WORDS.contains(&w.as_str()))
        .collect();
    let mut pairs: Vec<String> = words.windows(2).map(|w| w.join(" ")).collect();
    pairs.sort();
    pairs.dedup();
    pairs
}

/// The pack size of a product: its `size`, else a quantity in its title.
pub fn product_quantity(product: &Product) -> Option<Quantity> {
    let from = |text: &str| Quantity::find(&analysis::tokens(text));
    product
        .size
        .as_deref()
        .and_then(from)
        .or_else(|| from(&product.title))
}

/// The key exact filters compare: normalized, words joined by single spaces.
pub fn exact_key(text: &str) -> String {
    analysis::normalize(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The key brand filters and brand spotting compare: the brand's analyzed words joined by
/// single spaces, so "Haldiram's" and a shopper's "haldiram" meet.
pub fn brand_key(text: &str) -> String {
    analysis::tokens(text).join(" ")
}

/// A stable code of the product's whole category path, normalized (the same kind however a
/// feed spaces or cases it); `None` without a category. A digest rather than an ordinal, so
/// that a product written by a later upsert gets the same code as its kind's others.
pub fn kind_code(product: &Product) -> Option<u64> {
    let levels: Vec<String> = product
        .category_levels()
        .into_iter()
        .map(exact_key)
        .collect();
    (!levels.is_empty()).then(|| digest_code(levels.iter().map(String::as_str)))
}

/// The first eight bytes of the SHA-256 of `parts`, each ended by a unit separator: a code
/// that stays the same across builds and releases (std's hasher promises neither).
fn digest_code<'a>(parts: impl IntoIterator<Item = &'a str>) -> u64 {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part.as_bytes());
        digest.update(b"\x1f");
    }
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest.finalize()[..8]);
    u64::from_le_bytes(bytes)
}

/// Every category level and every path prefix, as exact keys: `"dairy"`, `"dairy > milk"`.
fn category_paths(product: &Product) -> Vec<String> {
    let levels: Vec<String> = product
        .category_levels()
        .iter()
        .map(|l| exact_key(l))
        .collect();
    let mut out = levels.clone();
    for end in 2..=levels.len() {
        out.push(levels[..end].join(" > "));
    }
    if let Some(google) = &product.google_product_category {
        out.push(exact_key(google));
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_its_whole_category_path_however_written() {
        let with = |path: &str| Product {
            product_type: Some(path.into()),
            ..Product::default()
        };
        let toned = kind_code(&with("Dairy > Milk & Cream > Toned Milk"));
        assert!(toned.is_some());
        assert_eq!(toned, kind_code(&with("dairy >  Milk & Cream>Toned Milk")));
        assert_ne!(toned, kind_code(&with("Dairy > Milk & Cream")));
        assert_ne!(toned, kind_code(&with("Dairy > Toned Milk > Milk & Cream")));
        assert_eq!(kind_code(&Product::default()), None);
    }

    #[test]
    fn category_filter_keys_cover_levels_and_prefixes() {
        let product = Product {
            product_type: Some("Dairy > Milk & Cream > Toned Milk".into()),
            ..Product::default()
        };
        let paths = category_paths(&product);
        for expected in [
            "dairy",
            "milk & cream",
            "dairy > milk & cream",
            "dairy > milk & cream > toned milk",
        ] {
            assert!(
                paths.contains(&expected.to_string()),
                "{expected} missing from {paths:?}"
            );
        }
    }
}
