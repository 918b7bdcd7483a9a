//! WhatsApp Cloud API message bodies built from ranked hits: an interactive list (rows of
//! products, grouped in sections by category) and a multi-product message. Every text is cut
//! to WhatsApp's limits at grapheme boundaries, so a Devanagari cluster is never split.

use serde_json::{json, Value};
use unicode_segmentation::UnicodeSegmentation;

use crate::catalog::Product;

const MAX_ROWS: usize = 10;
const MAX_SECTIONS: usize = 10;
const MAX_PRODUCT_ITEMS: usize = 30;
const ROW_TITLE: usize = 24;
const ROW_DESCRIPTION: usize = 72;
const SECTION_TITLE: usize = 24;
const BUTTON: usize = 20;
const HEADER: usize = 60;
const BODY: usize = 1024;
const FOOTER: usize = 60;

/// `text` cut to at most `max` characters without splitting a grapheme cluster; an ellipsis
/// marks a cut.
pub fn truncate(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for grapheme in text.graphemes(true) {
        let n = grapheme.chars().count();
        if used + n > max.saturating_sub(1) {
            break;
        }
        out.push_str(grapheme);
        used += n;
    }
    let mut out = out.trim_end().to_string();
    out.push('…');
    out
}

/// The section a product goes in: the last level of its category path.
fn section_of(product: &Product) -> String {
    product
        .category_levels()
        .last()
        .map_or_else(|| "Products".to_string(), |s| s.to_string())
}

/// Products grouped by section, in rank order of each section's best product.
fn sections(products: &[Product], max_items: usize) -> Vec<(String, Vec<&Product>)> {
    let mut sections: Vec<(String, Vec<&Product>)> = Vec::new();
    for product in products.iter().take(max_items) {
        let title = truncate(&section_of(product), SECTION_TITLE);
        if let Some((_, items)) = sections.iter_mut().find(|(t, _)| *t == title) {
            items.push(product);
        } else if sections.len() < MAX_SECTIONS {
            sections.push((title, vec![product]));
        }
    }
    sections
}

fn row_description(product: &Product) -> String {
    let mut parts = Vec::new();
    if let Some(price) = product.effective_price() {
        let symbol = if price.currency == "INR" {
            "₹".to_string()
        } else {
            format!("{} ", price.currency)
        };
        let amount = if price.amount.fract() == 0.0 {
            format!("{:.0}", price.amount)
        } else {
            format!("{:.2}", price.amount)
        };
        parts.push(format!("{symbol}{amount}"));
    }
    if let Some(size) = &product.size {
        parts.push(size.clone());
    }
    if !product.availability.is_orderable() {
        parts.push("out of stock".to_string());
    }
    parts.push(product.title.clone());
    truncate(&parts.join(" · "), ROW_DESCRIPTION)
}

fn header_text(query: &str) -> String {
    if query.trim().is_empty() {
        "Best sellers".to_string()
    } else {
        truncate(&format!("Results for “{}”", query.trim()), HEADER)
    }
}

fn row(product: &Product) -> Value {
    json!({"id": product.id, "title": truncate(&product.title, ROW_TITLE), "description": row_description(product)})
}

/// An interactive list message for the top products, or `None` when there are none.
pub fn list_message(query: &str, total_hits: u64, products: &[Product]) -> Option<Value> {
    if products.is_empty() {
        return None;
    }
    let sections: Vec<Value> = sections(products, MAX_ROWS)
        .into_iter()
        .map(|(title, items)| {
            let rows: Vec<Value> = items.iter().map(|p| row(p)).collect();
            json!({"title": title, "rows": rows})
        })
        .collect();
    let shown = products.len().min(MAX_ROWS);
    Some(list_body(query, total_hits, shown, sections))
}

/// An interactive list message for a shopping list: one section per item, titled with the
/// item, the ten rows shared among the items in turn (best of each first), no product twice.
pub fn list_message_for_items(
    query: &str,
    total_hits: u64,
    items: &[(String, Vec<Product>)],
) -> Option<Value> {
    let mut rows: Vec<Vec<&Product>> = vec![Vec::new(); items.len().min(MAX_SECTIONS)];
    let mut seen = std::collections::HashSet::new();
    let mut shown = 0;
    let deepest = items.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
    'fill: for rank in 0..deepest {
        for (at, (_, products)) in items.iter().enumerate().take(MAX_SECTIONS) {
            if shown == MAX_ROWS {
                break 'fill;
            }
            if let Some(product) = products.get(rank).filter(|p| seen.insert(p.id.as_str())) {
                rows[at].push(product);
                shown += 1;
            }
        }
    }
    let sections: Vec<Value> = items
        .iter()
        .zip(rows)
        .filter(|(_, rows)| !rows.is_empty())
        .map(|((text, _), rows)| {
            let rows: Vec<Value> = rows.into_iter().map(row).collect();
            json!({"title": truncate(text, SECTION_TITLE), "rows": rows})
        })
        .collect();
    if sections.is_empty() {
        return None;
    }
    Some(list_body(query, total_hits, shown, sections))
}

fn list_body(query: &str, total_hits: u64, shown: usize, sections: Vec<Value>) -> Value {
    json!({
        "type": "list",
        "header": {"type": "text", "text": header_text(query)},
        "body": {"text": truncate(&format!("{total_hits} products found. Showing the top {shown}; pick one to see details."), BODY)},
        "footer": {"text": truncate("Prices include taxes", FOOTER)},
        "action": {"button": truncate("View products", BUTTON), "sections": sections},
    })
}

/// A multi-product message for catalog `catalog_id`, or `None` when there are no products.
pub fn product_list_message(query: &str, catalog_id: &str, products: &[Product]) -> Option<Value> {
    if products.is_empty() {
        return None;
    }
    let sections: Vec<Value> = sections(products, MAX_PRODUCT_ITEMS)
        .into_iter()
        .map(|(title, items)| {
            let items: Vec<Value> = items
                .iter()
                .map(|p| json!({"product_retailer_id": p.id}))
                .collect();
            json!({"title": title, "product_items": items})
        })
        .collect();
    Some(json!({
        "type": "product_list",
        "header": {"type": "text", "text": header_text(query)},
        "body": {"text": "Tap a product to see it and add it to your cart."},
        "action": {"catalog_id": catalog_id, "sections": sections},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(truncate("Amul Butter", 24), "Amul Butter");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let cut = truncate("Aashirvaad Shudh Chakki Atta 5 kg", 24);
        assert!(cut.chars().count() <= 24);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn devanagari_clusters_survive_the_cut() {
        let cut = truncate("आशीर्वाद शुद्ध चक्की आटा पाँच किलो", 10);
        assert!(cut.chars().count() <= 10);
        let kept = cut.trim_end_matches('…');
        assert!("आशीर्वाद शुद्ध चक्की आटा पाँच किलो".starts_with(kept));
        assert!(!kept.ends_with('\u{094D}'), "cut after a virama: {kept}");
    }

    proptest! {
        #[test]
        fn truncation_never_splits_a_grapheme(text in "\\PC{0,60}", max in 1usize..30) {
            let cut = truncate(&text, max);
            prop_assert!(cut.chars().count() <= max);
            let kept = cut.strip_suffix('…').unwrap_or(&cut);
            let original: Vec<&str> = text.trim().graphemes(true).collect();
            let kept_graphemes: Vec<&str> = kept.graphemes(true).collect();
            // Every kept grapheme is a whole grapheme of the original, in order.
            prop_assert!(kept_graphemes.len() <= original.len());
            for (a, b) in kept_graphemes.iter().zip(&original) {
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn list_respects_whatsapp_limits() {
        let products: Vec<Product> = (0..15)
            .map(|i| Product {
                id: format!("p{i}"),
                title: format!("Very long product title number {i} with many words"),
                product_type: Some(format!("Cat > Section {}", i % 12)),
                ..Product::default()
            })
            .collect();
        let message = list_message("atta", 15, &products).unwrap();
        let sections = message["action"]["sections"].as_array().unwrap();
        let rows: usize = sections
            .iter()
            .map(|s| s["rows"].as_array().unwrap().len())
            .sum();
        assert_eq!(rows, 10);
        assert!(sections.len() <= 10);
        for row in sections.iter().flat_map(|s| s["rows"].as_array().unwrap()) {
            assert!(row["title"].as_str().unwrap().chars().count() <= 24);
            assert!(row["description"].as_str().unwrap().chars().count() <= 72);
        }
    }
}
