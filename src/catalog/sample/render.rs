//! Turns a [`Plan`] into products: titles in English and Hindi, MRPs that grow with the pack,
//! offers, stock, descriptions, keywords, links and a Zipf-like popularity.

use std::collections::{BTreeMap, HashSet};

use rand::seq::IndexedRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::pack::{devanagari_digits, mrp, Pack};
use super::plan::{Group, Maker, Plan, Sku};
use super::vocabulary::{Brand, Kind, Vocabulary};
use crate::catalog::{Availability, Price, Product};

/// Share of products whose title leaves the size out (it stays in `size`).
const TITLE_WITHOUT_SIZE: f64 = 0.06;
/// Share of products on offer.
const ON_SALE: f64 = 0.22;
/// Share of products with a description.
const DESCRIBED: f64 = 0.9;
/// Share of product lines with keywords, links.
const WITH_KEYWORDS: f64 = 0.4;
const WITH_LINKS: f64 = 0.7;
/// Share of regional lines whose main title is in Devanagari, and of those written with
/// Devanagari digits.
const DEVANAGARI_TITLE: f64 = 0.15;
const DEVANAGARI_DIGITS: f64 = 0.3;
/// Per-unit discount of bigger packs: price ∝ quantity^(1 - BULK_DISCOUNT).
const BULK_DISCOUNT: f64 = 0.06;

/// What the products of one group share.
struct GroupTraits {
    /// Price of each size, growing with the quantity.
    prices: Vec<f64>,
    unit_price: f64,
    smallest: f64,
    hindi: bool,
    devanagari_title: bool,
    devanagari_digits: bool,
    keywords: bool,
    links: bool,
    /// Set when two or more of its products are in the catalog.
    item_group_id: Option<String>,
}

/// The products of `plan`, ids `demo-000001` onwards in plan order.
pub(crate) fn render(vocabulary: &Vocabulary, plan: &Plan, rng: &mut ChaCha8Rng) -> Vec<Product> {
    let traits = group_traits(vocabulary, plan, rng);
    let mut latent = Vec::with_capacity(plan.skus.len());
    let mut products: Vec<Product> = plan
        .skus
        .iter()
        .enumerate()
        .map(|(i, sku)| {
            let group = &plan.groups[sku.group];
            latent.push(demand(vocabulary, group, sku, rng));
            product(
                vocabulary,
                group,
                &traits[sku.group],
                sku,
                format!("demo-{:06}", i + 1),
                rng,
            )
        })
        .collect();
    let mut ranked: Vec<usize> = (0..products.len()).collect();
    ranked.sort_by(|&a, &b| latent[b].total_cmp(&latent[a]).then(a.cmp(&b)));
    for (rank, i) in ranked.into_iter().enumerate() {
        let units = 100_000.0 / ((rank + 1) as f64).powf(0.95);
        products[i].popularity = Some((units * 100.0).round() / 100.0);
    }
    products
}

fn group_traits(vocabulary: &Vocabulary, plan: &Plan, rng: &mut ChaCha8Rng) -> Vec<GroupTraits> {
    let mut members = vec![0usize; plan.groups.len()];
    for sku in &plan.skus {
        members[sku.group] += 1;
    }
    let mut slugs = HashSet::new();
    plan.groups
        .iter()
        .zip(members)
        .map(|(group, members)| {
            let kind = &vocabulary.kinds[group.kind];
            let factor = match group.maker {
                Maker::Line(l) => kind.lines[l].price,
                Maker::Generic => 0.92,
                Maker::Local(_) => rng.random_range(0.85..0.97),
            };
            let unit_price = rng.random_range(kind.price[0]..=kind.price[1]) * factor;
            let smallest = group
                .sizes
                .iter()
                .map(Pack::quantity)
                .fold(f64::INFINITY, f64::min);
            let regional = matches!(group.maker, Maker::Local(_) | Maker::Generic);
            let hindi = rng.random_bool(kind.hindi_share.clamp(0.0, 1.0));
            let devanagari_title = regional && rng.random_bool(DEVANAGARI_TITLE);
            GroupTraits {
                prices: size_prices(&group.sizes, unit_price, smallest),
                unit_price,
                smallest,
                hindi,
                devanagari_title,
                devanagari_digits: devanagari_title && rng.random_bool(DEVANAGARI_DIGITS),
                keywords: rng.random_bool(WITH_KEYWORDS),
                links: rng.random_bool(WITH_LINKS),
                item_group_id: (members > 1).then(|| group_slug(vocabulary, group, &mut slugs)),
            }
        })
        .collect()
}

/// Price of `quantity` at `unit_price` for the smallest pack, cheaper per unit when bigger.
fn pack_price(quantity: f64, unit_price: f64, smallest: f64) -> f64 {
    unit_price * quantity * (quantity / smallest).powf(-BULK_DISCOUNT)
}

/// MRP of each size; a bigger pack always costs more than a smaller one.
fn size_prices(sizes: &[Pack], unit_price: f64, smallest: f64) -> Vec<f64> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[a].quantity().total_cmp(&sizes[b].quantity()));
    let mut prices = vec![0.0; sizes.len()];
    let mut previous: Option<(f64, f64)> = None;
    for i in order {
        let quantity = sizes[i].quantity();
        let mut price = mrp(pack_price(quantity, unit_price, smallest));
        if let Some((q, p)) = previous {
            if quantity > q && price <= p {
                price = p + 1.0;
            }
        }
        prices[i] = price;
        previous = Some((quantity, price));
    }
    prices
}

fn group_slug(vocabulary: &Vocabulary, group: &Group, taken: &mut HashSet<String>) -> String {
    let kind = &vocabulary.kinds[group.kind];
    let name = match group.maker {
        Maker::Line(l) => {
            let line = &kind.lines[l];
            format!("{} {}", line.brand, line.text.replace("{v}", ""))
        }
        Maker::Generic => format!("loose {}", kind.name),
        Maker::Local(b) => format!(
            "{} {}",
            vocabulary.local_brands[kind.category][b].name, kind.name
        ),
    };
    let mut slug = String::from("grp");
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        slug.push('-');
        slug.push_str(&word.to_ascii_lowercase());
    }
    slug.truncate(90);
    let mut unique = slug.clone();
    let mut n = 2;
    while !taken.insert(unique.clone()) {
        unique = format!("{slug}-{n}");
        n += 1;
    }
    unique
}

/// How well a product sells before ranking: staples and famous brands in their usual size,
/// the flagship variant first, with noise.
fn demand(vocabulary: &Vocabulary, group: &Group, sku: &Sku, rng: &mut ChaCha8Rng) -> f64 {
    let kind = &vocabulary.kinds[group.kind];
    let fame = match group.maker {
        Maker::Line(l) => vocabulary
            .brands
            .get(&kind.lines[l].brand)
            .map_or(1.0, |b| b.fame),
        Maker::Generic => 3.0,
        Maker::Local(_) => 1.0,
    };
    let best = group
        .sizes
        .iter()
        .position(|s| s.text == kind.sizes[kind.best].text)
        .unwrap_or(group.sizes.len() / 2);
    let size = 1.0 / (1.0 + 0.6 * sku.size.abs_diff(best) as f64) / f64::from(sku.multiple);
    let position = sku
        .variant
        .and_then(|v| group.variants.iter().position(|&g| g == v))
        .unwrap_or(0);
    let variant = 0.75f64.powi(position.min(20) as i32);
    let normal: f64 = (0..4).map(|_| rng.random::<f64>()).sum::<f64>() - 2.0;
    kind.weight.powf(1.5) * fame.powf(1.5) * size * variant * (0.9 * normal).exp()
}

/// A line's title text with its variant placed: at `{v}`, else in front.
fn with_variant(text: &str, variant: Option<&str>) -> String {
    match variant {
        Some(v) if text.contains("{v}") => text.replace("{v}", v),
        Some(v) => format!("{v} {text}"),
        None => text.to_string(),
    }
}

/// English name, Hindi name (when known) and brand of a product, without the size.
fn names<'a>(
    vocabulary: &'a Vocabulary,
    kind: &'a Kind,
    group: &Group,
    sku: &Sku,
) -> (String, Option<String>, Option<&'a Brand>) {
    match group.maker {
        Maker::Line(l) => {
            let line = &kind.lines[l];
            let variant = sku.variant.map(|v| &line.variants[v]);
            let hindi = match (variant, &line.hi) {
                (Some((_, Some(v))), Some(hi)) => Some(with_variant(hi, Some(v))),
                (None, Some(hi)) => Some(hi.clone()),
                _ => None,
            };
            let brand = vocabulary.brands.get(&line.brand);
            let english = with_variant(&line.text, variant.map(|(v, _)| v.as_str()));
            (english, hindi, brand)
        }
        Maker::Generic => {
            let (title, hi) = kind.generic.as_ref().expect("generic groups have a line");
            (title.clone(), Some(hi.clone()), None)
        }
        Maker::Local(b) => {
            let brand = &vocabulary.local_brands[kind.category][b];
            let (name, hi) = match sku.variant {
                Some(v) => kind.local_names[v].clone(),
                None => (kind.name.clone(), kind.hi.clone()),
            };
            (name, Some(hi), Some(brand))
        }
    }
}

fn product(
    vocabulary: &Vocabulary,
    group: &Group,
    traits: &GroupTraits,
    sku: &Sku,
    id: String,
    rng: &mut ChaCha8Rng,
) -> Product {
    let kind = &vocabulary.kinds[group.kind];
    let (name, name_hi, brand) = names(vocabulary, kind, group, sku);
    let multipack;
    let (pack, price) = match sku.multiple {
        1 => (&group.sizes[sku.size], traits.prices[sku.size]),
        n => {
            multipack = group.sizes[sku.size].times(n);
            let quantity = multipack.quantity();
            let price = mrp(pack_price(quantity, traits.unit_price, traits.smallest));
            (&multipack, price)
        }
    };
    let branded = match brand {
        Some(brand) => format!("{} {name}", brand.name),
        None => name.clone(),
    };
    let hindi = match (brand, name_hi) {
        (Some(brand), Some(hi)) => brand.hi.as_ref().map(|b| format!("{b} {hi}")),
        (None, hi) => hi,
        (Some(_), None) => None,
    };
    let (title, titles) = titles(&branded, hindi, pack, traits, rng);
    let description = rng.random_bool(DESCRIBED).then(|| {
        let templates = match brand {
            Some(_) => &vocabulary.branded_templates,
            None => &vocabulary.unbranded_templates,
        };
        let template = templates.choose(rng).map_or("{about}", String::as_str);
        let about = kind.about.choose(rng).map_or("", String::as_str);
        template
            .replace("{title}", &branded)
            .replace("{brand}", brand.map_or("Kirana", |b| b.name.as_str()))
            .replace("{name}", &name)
            .replace("{size}", &pack.text)
            .replace("{about}", about)
            .trim()
            .to_string()
    });
    let sale_price = (price >= 10.0 && rng.random_bool(ON_SALE)).then(|| {
        let sale = (price * rng.random_range(0.78..0.96)).round();
        Price::inr(sale.min(price - 1.0))
    });
    let (link, image_link) = match traits.links {
        true => (
            Some(format!("https://shop.kirana.example/p/{id}")),
            Some(format!("https://img.kirana.example/p/{id}.jpg")),
        ),
        false => (None, None),
    };
    Product {
        title,
        description,
        brand: brand.map(|b| b.name.clone()),
        price: Some(Price::inr(price)),
        sale_price,
        availability: availability(rng),
        link,
        image_link,
        product_type: Some(kind.path.clone()),
        google_product_category: Some(kind.google.clone()),
        size: Some(pack.text.clone()),
        item_group_id: traits.item_group_id.clone(),
        keywords: match traits.keywords {
            true => kind.aliases.clone(),
            false => Vec::new(),
        },
        titles,
        id,
        ..Product::default()
    }
}

/// The main title and the translated ones. Most titles are English with the size (a few leave
/// it out); some lines add a `title_hi`; some regional lines are titled in Devanagari, with
/// the English title as `title_en`.
fn titles(
    branded: &str,
    hindi: Option<String>,
    pack: &Pack,
    traits: &GroupTraits,
    rng: &mut ChaCha8Rng,
) -> (String, BTreeMap<String, String>) {
    let single = pack.is_single_piece();
    let full = match single {
        true => branded.to_string(),
        false => format!("{branded} {}", pack.title),
    };
    let hindi = hindi.map(|hi| match single {
        true => hi,
        false => format!("{hi} {}", pack.hindi),
    });
    let mut titles = BTreeMap::new();
    let english = match rng.random_bool(TITLE_WITHOUT_SIZE) {
        true => branded.to_string(),
        false => full.clone(),
    };
    let title = match hindi {
        Some(hi) if traits.devanagari_title => {
            titles.insert("en".to_string(), full);
            match traits.devanagari_digits {
                true => devanagari_digits(&hi),
                false => hi,
            }
        }
        Some(hi) => {
            if traits.hindi {
                titles.insert("hi".to_string(), hi);
            }
            english
        }
        None => english,
    };
    (title, titles)
}

/// About 8% out of stock, a few preorder, discontinued or available for order.
fn availability(rng: &mut ChaCha8Rng) -> Availability {
    match rng.random::<f64>() {
        r if r < 0.080 => Availability::OutOfStock,
        r if r < 0.084 => Availability::Preorder,
        r if r < 0.088 => Availability::Discontinued,
        r if r < 0.094 => Availability::AvailableForOrder,
        _ => Availability::InStock,
    }
}
