//! The formats of the files in `index-data/sample/` (see its README) and their conversion
//! into [`Kind`]s: sizes parsed and checked, multipacks added, variants given their Hindi
//! names, category-wide brands given a line in every kind they make.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::pack::Pack;
use super::vocabulary::{Kind, Line};

/// `brands.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BrandsFile {
    /// Name → [Hindi name, fame].
    pub brands: BTreeMap<String, (String, f64)>,
    pub local: LocalNames,
}

/// The parts regional brand names are made of, each [English, Hindi].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LocalNames {
    pub first: Vec<(String, String)>,
    pub second: Vec<(String, String)>,
    pub family: Vec<(String, String)>,
    /// Suffix of family names in categories that have none of their own.
    pub fallback_suffix: (String, String),
}

/// `text.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TextFile {
    pub branded: Vec<String>,
    pub unbranded: Vec<String>,
    /// Variant → Hindi.
    pub variants: BTreeMap<String, String>,
}

/// One top-level category: `dairy.toml`, `staples.toml`, ...
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CategoryFile {
    top: String,
    google: String,
    hindi: f64,
    about: Vec<String>,
    /// Words regional brands of this category add to their names: [English, Hindi].
    #[serde(default)]
    pub local_suffixes: Vec<(String, String)>,
    /// Brands that sell (nearly) every kind of the category, or of some of its sections.
    #[serde(default)]
    broad: Vec<BroadEntry>,
    #[serde(default)]
    kind: Vec<KindEntry>,
    #[serde(default)]
    produce: Vec<ProduceEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BroadEntry {
    brand: String,
    /// Category path prefixes (under `top`) the brand sells; empty: all.
    #[serde(default)]
    under: Vec<String>,
    /// Prefixes it does not sell, though `under` covers them.
    #[serde(default)]
    except: Vec<String>,
    #[serde(default = "default_price_factor")]
    price: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindEntry {
    #[serde(rename = "type")]
    path: String,
    name: String,
    hi: String,
    #[serde(default)]
    aliases: Vec<String>,
    sizes: Vec<String>,
    best: Option<String>,
    price: [f64; 2],
    #[serde(default = "default_weight")]
    weight: f64,
    #[serde(default)]
    local: usize,
    /// Names regional and category-wide brands use, [English, Hindi]; default: `name`, `hi`.
    #[serde(default)]
    local_names: Vec<(String, String)>,
    /// Multipacks of the smaller sizes: `[2, 4]` adds "(Pack of 2)" and "(Pack of 4)".
    #[serde(default)]
    packs: Vec<u32>,
    generic: Option<String>,
    generic_hi: Option<String>,
    #[serde(default)]
    about: Vec<String>,
    #[serde(default)]
    lines: Vec<LineEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineEntry {
    brand: String,
    line: String,
    hi: Option<String>,
    #[serde(default)]
    variants: Vec<String>,
    sizes: Option<Vec<String>>,
    #[serde(default = "default_price_factor")]
    price: f64,
}

/// Loose fresh produce: one block per way of selling (by weight, by piece, by bunch), one
/// item per fruit or vegetable: [English, Hinglish, Hindi, ₹ per base unit, weight].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProduceEntry {
    #[serde(rename = "type")]
    path: String,
    brand: String,
    sizes: Vec<String>,
    #[serde(default)]
    about: Vec<String>,
    items: Vec<(String, String, String, f64, f64)>,
}

fn default_weight() -> f64 {
    3.0
}

fn default_price_factor() -> f64 {
    1.0
}

fn parse_sizes(sizes: &[String]) -> Result<Vec<Pack>, String> {
    let packs: Vec<Pack> = sizes
        .iter()
        .map(|s| Pack::parse(s))
        .collect::<Result<_, _>>()?;
    match packs.first() {
        None => Err("a size list is empty".into()),
        Some(first) if packs.iter().any(|p| p.dimension() != first.dimension()) => Err(format!(
            "sizes {sizes:?} mix units of different kinds (weight, volume, count)"
        )),
        Some(_) => Ok(packs),
    }
}

/// `sizes` and multipacks of `packs` each of their single sizes but the largest.
fn with_multipacks(mut sizes: Vec<Pack>, packs: &[u32]) -> Vec<Pack> {
    let smaller = sizes.len().saturating_sub(1).max(1);
    let bases: Vec<Pack> = sizes.iter().take(smaller).cloned().collect();
    for base in bases
        .iter()
        .filter(|b| b.is_single() && !b.is_single_piece())
    {
        for &n in packs {
            let multi = base.times(n);
            if !sizes.iter().any(|s| s.text == multi.text) {
                sizes.push(multi);
            }
        }
    }
    sizes
}

impl CategoryFile {
    /// Appends the file's kinds, fresh produce first.
    pub fn into_kinds(
        self,
        category: usize,
        variants_hi: &BTreeMap<String, String>,
        kinds: &mut Vec<Kind>,
    ) -> Result<(), String> {
        for entry in &self.produce {
            self.produce_kinds(category, entry, kinds)?;
        }
        for entry in &self.kind {
            let kind = self
                .kind(category, entry, variants_hi)
                .map_err(|e| format!("{}: {e}", entry.path))?;
            kinds.push(kind);
        }
        Ok(())
    }

    fn about(&self, own: &[String]) -> Vec<String> {
        own.iter().chain(&self.about).cloned().collect()
    }

    fn produce_kinds(
        &self,
        category: usize,
        entry: &ProduceEntry,
        kinds: &mut Vec<Kind>,
    ) -> Result<(), String> {
        let sizes = parse_sizes(&entry.sizes)?;
        for (english, hinglish, hindi, price, weight) in &entry.items {
            let text = if hinglish.is_empty() {
                english.clone()
            } else {
                format!("{english} ({hinglish})")
            };
            kinds.push(Kind {
                category,
                path: format!("{} > {}", self.top, entry.path),
                google: self.google.clone(),
                hindi_share: self.hindi,
                name: english.clone(),
                hi: hindi.clone(),
                aliases: Some(hinglish.to_lowercase())
                    .filter(|h| !h.is_empty())
                    .into_iter()
                    .collect(),
                sizes: sizes.clone(),
                best: sizes.len() / 2,
                price: [price * 0.9, price * 1.1],
                weight: *weight,
                local: 0,
                local_names: vec![(english.clone(), hindi.clone())],
                generic: None,
                about: self.about(&entry.about),
                lines: vec![Line {
                    brand: entry.brand.clone(),
                    text,
                    hi: Some(hindi.clone()),
                    variants: Vec::new(),
                    sizes: sizes.clone(),
                    price: 1.0,
                }],
            });
        }
        Ok(())
    }

    fn kind(
        &self,
        category: usize,
        entry: &KindEntry,
        variants_hi: &BTreeMap<String, String>,
    ) -> Result<Kind, String> {
        let sizes = parse_sizes(&entry.sizes)?;
        let best = match &entry.best {
            Some(best) => sizes
                .iter()
                .position(|s| &s.text == best)
                .ok_or_else(|| format!("best size {best:?} is not in sizes"))?,
            None => sizes.len() / 2,
        };
        let local_names = if entry.local_names.is_empty() {
            vec![(entry.name.clone(), entry.hi.clone())]
        } else {
            entry.local_names.clone()
        };
        let mut lines = Vec::new();
        for line in &entry.lines {
            if line.line.contains("{v}") && line.variants.is_empty() {
                return Err(format!("line {:?} has {{v}} but no variants", line.line));
            }
            let own = match &line.sizes {
                Some(own) => parse_sizes(own)?,
                None => sizes.clone(),
            };
            // A line without its own Hindi takes the kind's only when nothing it would lose
            // tells it apart: no variants, and no other line of its brand in the kind.
            let only_line = entry.lines.iter().filter(|l| l.brand == line.brand).count() == 1;
            let hi = match &line.hi {
                Some(hi) => Some(hi.clone()),
                None if only_line && line.variants.is_empty() => Some(entry.hi.clone()),
                None => None,
            };
            lines.push(Line {
                brand: line.brand.clone(),
                text: line.line.clone(),
                hi,
                variants: line
                    .variants
                    .iter()
                    .map(|v| (v.clone(), variants_hi.get(v).cloned()))
                    .collect(),
                sizes: with_multipacks(own, &entry.packs),
                price: line.price,
            });
        }
        for broad in &self.broad {
            let covers = |prefixes: &[String]| prefixes.iter().any(|p| entry.path.starts_with(p));
            let sells = (broad.under.is_empty() || covers(&broad.under)) && !covers(&broad.except);
            if !sells || lines.iter().any(|l| l.brand == broad.brand) {
                continue;
            }
            let (text, hi, variants) = match local_names.as_slice() {
                [(name, hi)] => (name.clone(), Some(hi.clone()), Vec::new()),
                names => (
                    "{v}".to_string(),
                    Some("{v}".to_string()),
                    names
                        .iter()
                        .map(|(name, hi)| (name.clone(), Some(hi.clone())))
                        .collect(),
                ),
            };
            lines.push(Line {
                brand: broad.brand.clone(),
                text,
                hi,
                variants,
                sizes: with_multipacks(sizes.clone(), &entry.packs),
                price: broad.price,
            });
        }
        Ok(Kind {
            category,
            path: format!("{} > {}", self.top, entry.path),
            google: self.google.clone(),
            hindi_share: self.hindi,
            name: entry.name.clone(),
            hi: entry.hi.clone(),
            aliases: entry.aliases.clone(),
            best,
            price: entry.price,
            weight: entry.weight,
            local: entry.local,
            local_names,
            generic: entry.generic.as_ref().map(|title| {
                let hi = entry.generic_hi.clone().unwrap_or_else(|| entry.hi.clone());
                (title.clone(), hi)
            }),
            about: self.about(&entry.about),
            lines,
            sizes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::vocabulary::Vocabulary;

    #[test]
    fn the_committed_vocabulary_reads_and_every_brand_is_known() {
        let vocabulary = Vocabulary::get();
        assert!(vocabulary.kinds.len() >= 150);
        for kind in &vocabulary.kinds {
            assert!(
                !kind.lines.is_empty() || kind.generic.is_some() || kind.local > 0,
                "{} has no maker",
                kind.path
            );
            assert!(
                kind.price[0] > 0.0 && kind.price[0] <= kind.price[1],
                "{}",
                kind.path
            );
            for line in &kind.lines {
                let brand = vocabulary.brands.get(&line.brand);
                assert!(
                    brand.is_some(),
                    "{}: brand {:?} is not in brands.toml",
                    kind.path,
                    line.brand
                );
            }
        }
        assert!(vocabulary.local_brands.iter().all(|b| b.len() >= 300));
    }
}
