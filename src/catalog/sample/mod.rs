//! The embedded demo catalog: a realistic Indian grocery and FMCG assortment (national brands,
//! store brands, loose staples, fresh produce, regional brands) generated deterministically
//! from the vocabulary committed in `index-data/sample/`.

mod entries;
mod pack;
mod plan;
mod render;
mod vocabulary;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::catalog::Product;

/// Products in the demo catalog.
pub const DEMO_PRODUCTS: usize = 50_000;
/// Seed of the demo catalog.
pub const DEMO_SEED: u64 = 7;

/// The demo catalog the engine builds as `demo`: 50,000 products.
pub fn demo_catalog() -> Vec<Product> {
    generate(DEMO_PRODUCTS, DEMO_SEED)
}

/// `count` products with ids `demo-000001` onwards; the same seed gives the same products.
pub fn generate(count: usize, seed: u64) -> Vec<Product> {
    let vocabulary = vocabulary::Vocabulary::get();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let plan = plan::plan(vocabulary, count, &mut rng);
    render::render(vocabulary, &plan, &mut rng)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};
    use std::sync::OnceLock;

    use serde_json::Value;

    use super::pack::Pack;
    use super::*;
    use crate::catalog::{product_from_row, Availability, FeedRow};

    fn demo() -> &'static [Product] {
        static DEMO: OnceLock<Vec<Product>> = OnceLock::new();
        DEMO.get_or_init(demo_catalog)
    }

    fn share(products: &[Product], test: impl Fn(&Product) -> bool) -> f64 {
        products.iter().filter(|p| test(p)).count() as f64 / products.len() as f64
    }

    fn is_devanagari(text: &str) -> bool {
        text.chars().any(|c| ('\u{0900}'..='\u{097F}').contains(&c))
    }

    fn price(product: &Product) -> f64 {
        product
            .price
            .as_ref()
            .expect("every product has a price")
            .amount
    }

    #[test]
    fn the_same_seed_gives_the_same_catalog() {
        let first = generate(3_000, 11);
        assert_eq!(first, generate(3_000, 11));
        assert_ne!(first, generate(3_000, 12));
        assert_eq!(demo().len(), DEMO_PRODUCTS);
    }

    #[test]
    fn ids_run_from_demo_000001_and_are_unique() {
        let ids: HashSet<&str> = demo().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids.len(), DEMO_PRODUCTS);
        assert_eq!(demo()[0].id, "demo-000001");
        assert_eq!(demo()[DEMO_PRODUCTS - 1].id, "demo-050000");
        let small = generate(2_000, 7);
        assert_eq!(small.len(), 2_000);
        assert_eq!(small[1_999].id, "demo-002000");
    }

    #[test]
    fn about_one_in_twelve_is_out_of_stock() {
        let out = share(demo(), |p| p.availability == Availability::OutOfStock);
        assert!((0.06..=0.10).contains(&out), "out of stock share {out}");
        for rare in [Availability::Preorder, Availability::Discontinued] {
            let count = demo().iter().filter(|p| p.availability == rare).count();
            assert!((1..1_000).contains(&count), "{rare:?}: {count}");
        }
    }

    #[test]
    fn many_products_carry_devanagari_mostly_as_title_hi() {
        let any = share(demo(), |p| {
            is_devanagari(&p.title) || p.titles.values().any(|t| is_devanagari(t))
        });
        let main = share(demo(), |p| is_devanagari(&p.title));
        let hindi = share(demo(), |p| p.titles.contains_key("hi"));
        assert!(any >= 0.10, "Devanagari share {any}");
        assert!(main > 0.01 && main < hindi, "main {main}, title_hi {hindi}");
        for product in demo() {
            if let Some(hi) = product.titles.get("hi") {
                assert!(is_devanagari(hi), "{}: title_hi {hi:?}", product.id);
            }
            if is_devanagari(&product.title) {
                assert!(
                    product.titles.contains_key("en"),
                    "{} has no English title",
                    product.id
                );
            }
        }
    }

    /// The product as a feed row: a product serializes under its feed names.
    fn feed_row(product: &Product, line: u64) -> FeedRow {
        let Value::Object(fields) = serde_json::to_value(product).unwrap() else {
            panic!("a product serializes to an object");
        };
        FeedRow { line, fields }
    }

    #[test]
    fn every_product_passes_feed_validation_unchanged() {
        for (line, product) in demo().iter().enumerate() {
            let valid = product_from_row(&feed_row(product, line as u64 + 1))
                .unwrap_or_else(|errors| panic!("{}: {errors:?}", product.id));
            assert_eq!(&valid.product, product);
            assert!(
                valid.unknown_fields.is_empty(),
                "{:?}",
                valid.unknown_fields
            );
        }
    }

    #[test]
    fn titles_read_like_a_real_catalog() {
        let mut pairs = HashSet::new();
        let mut duplicates = 0;
        for p in demo() {
            let title = &p.title;
            assert_eq!(title.trim(), title, "{}", p.id);
            assert!(!title.contains("  ") && !title.contains('{'), "{title:?}");
            assert!(
                !title.split_whitespace().any(|w| {
                    w.len() > 1
                        && w.starts_with(['v', 'V'])
                        && w[1..].bytes().all(|b| b.is_ascii_digit())
                }),
                "artificial suffix in {title:?}"
            );
            if !pairs.insert((title.as_str(), p.size.as_deref())) {
                duplicates += 1;
            }
            assert!(p.brand.is_some() || p.product_type.is_some());
            let levels = p.category_levels();
            assert!((2..=4).contains(&levels.len()), "{:?}", p.product_type);
        }
        assert!(
            duplicates < DEMO_PRODUCTS / 500,
            "{duplicates} repeated (title, size)"
        );
        let types: HashSet<_> = demo().iter().map(|p| &p.product_type).collect();
        let tops: HashSet<_> = demo().iter().map(|p| p.category_levels()[0]).collect();
        let brands: HashSet<_> = demo().iter().filter_map(|p| p.brand.as_ref()).collect();
        assert!(
            types.len() >= 150 && tops.len() >= 12,
            "{} types",
            types.len()
        );
        assert!(brands.len() >= 300, "{} brands", brands.len());
    }

    /// The first product (by popularity) whose title has every word and that `also` accepts.
    fn find<'a>(words: &[&str], also: impl Fn(&Product) -> bool) -> Option<&'a Product> {
        demo()
            .iter()
            .filter(|p| {
                let title = p.title.to_lowercase();
                words.iter().all(|w| title.contains(w)) && also(p)
            })
            .max_by(|a, b| a.popularity.partial_cmp(&b.popularity).unwrap())
    }

    type Check = Box<dyn Fn(&Product) -> bool>;

    #[test]
    fn the_staples_every_demo_searches_for_exist() {
        let sized = |size: &'static str| move |p: &Product| p.size.as_deref() == Some(size);
        let in_type = |path: &'static str| {
            move |p: &Product| p.product_type.as_deref().is_some_and(|t| t.contains(path))
        };
        let cases: Vec<(&[&str], Check)> = vec![
            (&["aashirvaad", "atta"], Box::new(sized("5 kg"))),
            (&["atta"], Box::new(sized("10 kg"))),
            (&["toor dal"], Box::new(sized("1 kg"))),
            (&["arhar dal"], Box::new(|_| true)),
            (&["amul", "butter"], Box::new(sized("500 g"))),
            (&["amul", "milk"], Box::new(in_type("Dairy & Eggs > Milk"))),
            (&["mother dairy", "milk"], Box::new(sized("1 l"))),
            (&["onion (pyaz)"], Box::new(sized("1 kg"))),
            (&["tomato (tamatar)"], Box::new(|_| true)),
            (&["potato (aloo)"], Box::new(|_| true)),
            (&["basmati rice"], Box::new(sized("5 kg"))),
            (&["sugar"], Box::new(sized("1 kg"))),
            (&["tata salt"], Box::new(sized("1 kg"))),
            (&["paneer"], Box::new(sized("200 g"))),
            (&["ghee"], Box::new(sized("1 l"))),
            (&["mustard oil"], Box::new(sized("1 l"))),
            (&["maggi", "noodles"], Box::new(|_| true)),
            (&["parle g"], Box::new(|_| true)),
            (&["haldiram", "aloo bhujia"], Box::new(|_| true)),
            (&["surf excel"], Box::new(sized("1 kg"))),
            (&["red label"], Box::new(|_| true)),
            (&["dabur red paste"], Box::new(|_| true)),
            (
                &["shampoo"],
                Box::new(|p| price(p) < 100.0 && p.availability.is_orderable()),
            ),
        ];
        for (words, also) in cases {
            assert!(find(words, also).is_some(), "no product with {words:?}");
        }
        let hindi_milk = demo().iter().any(|p| {
            p.titles.get("hi").is_some_and(|t| t.contains("दूध")) || p.title.contains("दूध")
        });
        assert!(hindi_milk, "no milk titled in Hindi");
    }

    #[test]
    fn a_bigger_pack_of_a_product_costs_more() {
        let mut groups: BTreeMap<&str, Vec<(f64, f64, &str)>> = BTreeMap::new();
        for p in demo() {
            if let (Some(group), Some(size)) = (&p.item_group_id, &p.size) {
                let quantity = Pack::parse(size).unwrap().quantity();
                groups
                    .entry(group)
                    .or_default()
                    .push((quantity, price(p), &p.id));
            }
            if let Some(sale) = &p.sale_price {
                assert!(sale.amount < price(p) && sale.amount > 0.0, "{}", p.id);
            }
        }
        assert!(groups.len() > 1_000);
        for (group, mut sizes) in groups {
            sizes.sort_by(|a, b| a.0.total_cmp(&b.0));
            for pair in sizes.windows(2) {
                let ((q1, p1, id1), (q2, p2, id2)) = (pair[0], pair[1]);
                assert!(
                    q1 == q2 || p1 < p2,
                    "{group}: {id1} ({q1}, ₹{p1}) vs {id2} ({q2}, ₹{p2})"
                );
            }
        }
    }

    #[test]
    fn popularity_is_a_long_tail_led_by_famous_brands_and_staples() {
        let mut popularity: Vec<f64> = demo().iter().map(|p| p.popularity.unwrap()).collect();
        popularity.sort_by(|a, b| b.total_cmp(a));
        let total: f64 = popularity.iter().sum();
        let top_one_percent: f64 = popularity[..DEMO_PRODUCTS / 100].iter().sum();
        assert!(
            top_one_percent / total > 0.4,
            "top 1% hold {}",
            top_one_percent / total
        );
        let best: Vec<&Product> = {
            let mut all: Vec<&Product> = demo().iter().collect();
            all.sort_by(|a, b| b.popularity.partial_cmp(&a.popularity).unwrap());
            all.into_iter().take(100).collect()
        };
        let vocabulary = vocabulary::Vocabulary::get();
        let famous = best
            .iter()
            .filter(|p| {
                p.brand
                    .as_ref()
                    .and_then(|b| vocabulary.brands.get(b))
                    .is_some_and(|b| b.fame >= 7.0)
            })
            .count();
        assert!(
            famous >= 70,
            "{famous} of the 100 best sellers are famous brands"
        );
    }
}
