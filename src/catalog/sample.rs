//! TEMPORARY placeholder until the real generator lands.
use crate::catalog::{Availability, Price, Product};
/// Demo.
pub fn demo_catalog() -> Vec<Product> {
    generate(50_000, 7)
}
/// Generate.
pub fn generate(count: usize, _seed: u64) -> Vec<Product> {
    let brands = [
        "Amul",
        "Aashirvaad",
        "Tata",
        "Fortune",
        "Britannia",
        "Haldiram's",
    ];
    let kinds = [
        ("Butter", "Dairy > Butter", "500 g"),
        ("Shudh Chakki Atta", "Staples > Atta", "5 kg"),
        ("Salt", "Staples > Salt", "1 kg"),
        ("Sunflower Oil", "Oils > Sunflower", "1 l"),
        ("Marie Biscuits", "Snacks > Biscuits", "250 g"),
        ("Aloo Bhujia", "Snacks > Namkeen", "200 g"),
        ("Toor Dal", "Staples > Dal", "1 kg"),
        ("Dahi", "Dairy > Curd", "400 g"),
    ];
    (0..count)
        .map(|i| {
            let b = brands[i % brands.len()];
            let (k, c, s) = kinds[(i / brands.len()) % kinds.len()];
            Product {
                id: format!("demo-{i:06}"),
                title: format!("{b} {k} {s} v{}", i / 48),
                brand: Some(b.into()),
                product_type: Some(c.into()),
                size: Some(s.into()),
                price: Some(Price::inr(50.0 + (i % 400) as f64)),
                availability: if i % 13 == 0 {
                    Availability::OutOfStock
                } else {
                    Availability::InStock
                },
                popularity: Some(1000.0 / (1 + i % 997) as f64),
                ..Product::default()
            }
        })
        .collect()
}
