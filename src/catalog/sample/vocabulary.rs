//! The generator's input: the TOML files of `index-data/sample/`, embedded in the binary and
//! read once into a [`Vocabulary`]: kinds of product with their brand lines, brands with
//! their Hindi names and fame, regional brand names, description templates.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::entries::{BrandsFile, CategoryFile, LocalNames, TextFile};
use super::pack::Pack;

/// One file per top-level category, in catalog order.
const CATEGORY_FILES: [(&str, &str); 18] = [
    (
        "fruits_vegetables.toml",
        include_str!("../../../index-data/sample/fruits_vegetables.toml"),
    ),
    (
        "dairy.toml",
        include_str!("../../../index-data/sample/dairy.toml"),
    ),
    (
        "staples.toml",
        include_str!("../../../index-data/sample/staples.toml"),
    ),
    (
        "oils_ghee.toml",
        include_str!("../../../index-data/sample/oils_ghee.toml"),
    ),
    (
        "spices.toml",
        include_str!("../../../index-data/sample/spices.toml"),
    ),
    (
        "sugar_salt.toml",
        include_str!("../../../index-data/sample/sugar_salt.toml"),
    ),
    (
        "snacks.toml",
        include_str!("../../../index-data/sample/snacks.toml"),
    ),
    (
        "breakfast.toml",
        include_str!("../../../index-data/sample/breakfast.toml"),
    ),
    (
        "sauces.toml",
        include_str!("../../../index-data/sample/sauces.toml"),
    ),
    (
        "beverages.toml",
        include_str!("../../../index-data/sample/beverages.toml"),
    ),
    (
        "bakery.toml",
        include_str!("../../../index-data/sample/bakery.toml"),
    ),
    (
        "household.toml",
        include_str!("../../../index-data/sample/household.toml"),
    ),
    (
        "personal_care.toml",
        include_str!("../../../index-data/sample/personal_care.toml"),
    ),
    (
        "baby_care.toml",
        include_str!("../../../index-data/sample/baby_care.toml"),
    ),
    (
        "health.toml",
        include_str!("../../../index-data/sample/health.toml"),
    ),
    (
        "home_kitchen.toml",
        include_str!("../../../index-data/sample/home_kitchen.toml"),
    ),
    (
        "stationery.toml",
        include_str!("../../../index-data/sample/stationery.toml"),
    ),
    (
        "pet_care.toml",
        include_str!("../../../index-data/sample/pet_care.toml"),
    ),
];
const BRANDS_FILE: &str = include_str!("../../../index-data/sample/brands.toml");
const TEXT_FILE: &str = include_str!("../../../index-data/sample/text.toml");

/// Everything the generator draws from.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    /// Kinds of product in catalog order.
    pub kinds: Vec<Kind>,
    /// Regional brands of each top-level category, by `Kind::category`.
    pub local_brands: Vec<Vec<Brand>>,
    /// Brand name → Hindi name and fame.
    pub brands: BTreeMap<String, Brand>,
    /// Description templates for branded products.
    pub branded_templates: Vec<String>,
    /// Description templates for unbranded products.
    pub unbranded_templates: Vec<String>,
}

/// A brand as the generator knows it.
#[derive(Debug, Clone)]
pub(crate) struct Brand {
    pub name: String,
    /// Hindi name in Devanagari, when known.
    pub hi: Option<String>,
    /// 1 (unknown) ..= 10 (household name): drives popularity.
    pub fame: f64,
}

/// One kind of product, e.g. toor dal or anti-dandruff shampoo, and who makes it.
#[derive(Debug)]
pub(crate) struct Kind {
    /// Index of its top-level category (its file).
    pub category: usize,
    /// Full category path, `>`-separated.
    pub path: String,
    pub google: String,
    /// Share of its product lines that carry a Hindi title.
    pub hindi_share: f64,
    /// Generic English name, used for local brands: "Toor Dal".
    pub name: String,
    /// Generic Hindi name: "तूर दाल".
    pub hi: String,
    /// Hinglish and English words shoppers use for it.
    pub aliases: Vec<String>,
    /// Usual pack sizes.
    pub sizes: Vec<Pack>,
    /// Index in `sizes` of the best-selling size.
    pub best: usize,
    /// Price range in INR per base unit (kg, l, piece, bunch, metre).
    pub price: [f64; 2],
    /// How much shoppers buy it, 1 ..= 10.
    pub weight: f64,
    /// How many regional brands sell it.
    pub local: usize,
    /// What regional brands call their products of this kind: English and Hindi.
    pub local_names: Vec<(String, String)>,
    /// The store's unbranded loose line: English and Hindi title.
    pub generic: Option<(String, String)>,
    /// Sentences for descriptions.
    pub about: Vec<String>,
    pub lines: Vec<Line>,
}

/// One brand's product line of a kind, with its variants and sizes.
#[derive(Debug)]
pub(crate) struct Line {
    pub brand: String,
    /// Title text after the brand; `{v}` marks where the variant goes, else it leads.
    pub text: String,
    /// Hindi title text after the brand, `{v}` as above.
    pub hi: Option<String>,
    /// Variants with their Hindi names, when known.
    pub variants: Vec<(String, Option<String>)>,
    pub sizes: Vec<Pack>,
    /// Price relative to the kind's range: 1.3 for a premium line.
    pub price: f64,
}

impl Vocabulary {
    /// The embedded vocabulary, read on first use.
    pub fn get() -> &'static Vocabulary {
        static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(|| {
            Vocabulary::read().unwrap_or_else(|err| panic!("index-data/sample: {err}"))
        })
    }

    fn read() -> Result<Vocabulary, String> {
        let brands_file: BrandsFile =
            toml::from_str(BRANDS_FILE).map_err(|e| format!("brands.toml: {e}"))?;
        let text: TextFile = toml::from_str(TEXT_FILE).map_err(|e| format!("text.toml: {e}"))?;
        let mut kinds = Vec::new();
        let mut local_brands = Vec::new();
        for (category, (name, source)) in CATEGORY_FILES.into_iter().enumerate() {
            let file: CategoryFile = toml::from_str(source).map_err(|e| format!("{name}: {e}"))?;
            local_brands.push(local_brands_of(&brands_file.local, &file.local_suffixes));
            file.into_kinds(category, &text.variants, &mut kinds)
                .map_err(|e| format!("{name}: {e}"))?;
        }
        let brands = brands_file
            .brands
            .into_iter()
            .map(|(name, (hi, fame))| {
                let hi = Some(hi).filter(|h| !h.is_empty());
                (name.clone(), Brand { name, hi, fame })
            })
            .collect();
        Ok(Vocabulary {
            kinds,
            local_brands,
            brands,
            branded_templates: text.branded,
            unbranded_templates: text.unbranded,
        })
    }
}

/// Regional brand names of one category: every first × second part ("Shree Ganesh"), some
/// with one of the category's suffixes ("Shree Ganesh Masale"), and every family name with
/// a suffix ("Agarwal Masale").
fn local_brands_of(parts: &LocalNames, suffixes: &[(String, String)]) -> Vec<Brand> {
    let regional = |name: String, hi: String| Brand {
        name,
        hi: Some(hi),
        fame: 1.0,
    };
    let mut brands = Vec::new();
    for (s, (second, second_hi)) in parts.second.iter().enumerate() {
        for (f, (first, first_hi)) in parts.first.iter().enumerate() {
            let pick = (f * 7 + s * 3) % (suffixes.len() + 2);
            brands.push(match suffixes.get(pick) {
                Some((suffix, suffix_hi)) => regional(
                    format!("{first} {second} {suffix}"),
                    format!("{first_hi} {second_hi} {suffix_hi}"),
                ),
                None => regional(
                    format!("{first} {second}"),
                    format!("{first_hi} {second_hi}"),
                ),
            });
        }
    }
    let fallback = std::slice::from_ref(&parts.fallback_suffix);
    let family_suffixes = if suffixes.is_empty() {
        fallback
    } else {
        suffixes
    };
    for (family, family_hi) in &parts.family {
        for (suffix, suffix_hi) in family_suffixes {
            brands.push(regional(
                format!("{family} {suffix}"),
                format!("{family_hi} {suffix_hi}"),
            ));
        }
    }
    brands
}
