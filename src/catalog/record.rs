//! Validation: a [`FeedRow`] becomes a [`Product`] or a list of [`RowError`]s naming the line,
//! the id when known, a stable code and how to fix it.

use serde::Serialize;
use serde_json::Value;

use super::{parse_price, Availability, FeedRow, Product};

/// Longest accepted `id`, in characters.
pub const MAX_ID_CHARS: usize = 100;
/// Longest accepted `title`, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
const MAX_TEXT_CHARS: usize = 10_000;

/// Why one row of a feed was rejected.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RowError {
    /// 1-based line the row starts on.
    pub line: u64,
    /// The row's id, when it had a readable one.
    pub id: Option<String>,
    /// Stable snake_case code.
    pub code: String,
    /// What was wrong and how to fix it.
    pub message: String,
}

impl RowError {
    /// A row error.
    pub fn new(line: u64, id: Option<String>, code: &str, message: impl Into<String>) -> Self {
        RowError {
            line,
            id,
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// A validated product and the feed columns it carried that kirana does not know.
#[derive(Debug, Clone)]
pub struct ValidProduct {
    /// The product.
    pub product: Product,
    /// Names of ignored columns.
    pub unknown_fields: Vec<String>,
}

/// Validates one row. All problems of the row are reported together.
pub fn product_from_row(row: &FeedRow) -> Result<ValidProduct, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut product = Product::default();
    let mut unknown_fields = Vec::new();
    let id = row
        .fields
        .get("id")
        .and_then(scalar_text)
        .map(|s| s.trim().to_string());
    let mut fail = |code: &str, message: String| {
        errors.push(RowError::new(
            row.line,
            id.clone().filter(|s| !s.is_empty()),
            code,
            message,
        ));
    };
    let currency = row.fields.get("currency").and_then(scalar_text);
    for (name, value) in &row.fields {
        let key = name.trim().to_ascii_lowercase();
        if value.is_null() {
            continue;
        }
        match key.as_str() {
            "id" | "currency" => {}
            "title" => match scalar_text(value) {
                Some(text) => product.title = text.trim().to_string(),
                None => fail("invalid_field", format!("title must be a string, got {value}")),
            },
            "price" | "sale_price" => match price_text(value) {
                Some(text) => match parse_price(&text, currency.as_deref()) {
                    Ok(price) if key == "price" => product.price = Some(price),
                    Ok(price) => product.sale_price = Some(price),
                    Err(message) => fail("invalid_price", format!("{key}: {message}")),
                },
                None => fail("invalid_price", format!("{key} must be a string like \"245.00 INR\" or a number")),
            },
            "availability" => match scalar_text(value).as_deref().and_then(Availability::parse) {
                Some(availability) => product.availability = availability,
                None => fail(
                    "invalid_availability",
                    format!("availability {value} is not one of: in stock, out of stock, preorder, available for order, discontinued"),
                ),
            },
            "popularity" => match number(value) {
                Some(p) if p.is_finite() && p >= 0.0 => product.popularity = Some(p),
                _ => fail("invalid_popularity", format!("popularity must be a non-negative number, got {value}")),
            },
            "keywords" => match keywords(value) {
                Some(words) => product.keywords = words,
                None => fail("invalid_keywords", "keywords must be an array of strings or a |-separated string".into()),
            },
            _ => match (text_slot(&mut product, &key), scalar_text(value)) {
                (Some(slot), Some(text)) => {
                    if text.chars().count() > MAX_TEXT_CHARS {
                        fail("field_too_long", format!("{key} is longer than {MAX_TEXT_CHARS} characters"));
                    } else if !text.trim().is_empty() {
                        *slot = Some(text.trim().to_string());
                    }
                }
                (Some(_), None) => fail("invalid_field", format!("{key} must be a string, got {value}")),
                (None, _) => {
                    if let Some(lang) = key.strip_prefix("title_").filter(|l| is_language_code(l)) {
                        match scalar_text(value) {
                            Some(text) if !text.trim().is_empty() => {
                                product.titles.insert(lang.to_string(), text.trim().to_string());
                            }
                            Some(_) => {}
                            None => fail("invalid_field", format!("{key} must be a string")),
                        }
                    } else if let Some(n) = key.strip_prefix("custom_label_").filter(|n| matches!(*n, "0" | "1" | "2" | "3" | "4")) {
                        if let Some(text) = scalar_text(value).filter(|t| !t.trim().is_empty()) {
                            product.custom_labels.insert(format!("custom_label_{n}"), text.trim().to_string());
                        }
                    } else {
                        unknown_fields.push(name.clone());
                    }
                }
            },
        }
    }
    match id {
        None => fail("missing_id", "every product needs an \"id\"".into()),
        Some(ref id) if id.is_empty() => fail("missing_id", "\"id\" is empty".into()),
        Some(ref id) if id.chars().count() > MAX_ID_CHARS => fail(
            "id_too_long",
            format!("id is longer than {MAX_ID_CHARS} characters"),
        ),
        Some(ref id) if id.chars().any(char::is_control) => fail(
            "invalid_id",
            "id must not contain control characters".into(),
        ),
        Some(ref id) => product.id = id.clone(),
    }
    let title_chars = product.title.chars().count();
    if title_chars == 0 {
        fail(
            "missing_title",
            "every product needs a non-empty \"title\"".into(),
        );
    } else if title_chars > MAX_TITLE_CHARS {
        fail(
            "title_too_long",
            format!("title is longer than {MAX_TITLE_CHARS} characters"),
        );
    }
    if errors.is_empty() {
        Ok(ValidProduct {
            product,
            unknown_fields,
        })
    } else {
        Err(errors)
    }
}

/// The optional text field a column fills, if it is one.
fn text_slot<'a>(product: &'a mut Product, key: &str) -> Option<&'a mut Option<String>> {
    Some(match key {
        "description" => &mut product.description,
        "brand" => &mut product.brand,
        "condition" => &mut product.condition,
        "link" => &mut product.link,
        "image_link" => &mut product.image_link,
        "product_type" => &mut product.product_type,
        "google_product_category" => &mut product.google_product_category,
        "size" => &mut product.size,
        "item_group_id" => &mut product.item_group_id,
        _ => return None,
    })
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn price_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn keywords(value: &Value) -> Option<Vec<String>> {
    let words: Vec<String> = match value {
        Value::String(s) => s.split('|').map(|w| w.trim().to_string()).collect(),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(|s| s.trim().to_string()))
            .collect::<Option<_>>()?,
        _ => return None,
    };
    Some(words.into_iter().filter(|w| !w.is_empty()).collect())
}

fn is_language_code(code: &str) -> bool {
    let (lang, region) = code.split_once(['-', '_']).unwrap_or((code, ""));
    (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(value: Value) -> FeedRow {
        FeedRow {
            line: 7,
            fields: value.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn a_meta_row_becomes_a_product() {
        let valid = product_from_row(&row(json!({
            "id": 42, "title": " Aashirvaad Atta 5 kg ", "price": "245.00 INR", "sale_price": 230,
            "availability": "out of stock", "product_type": "Staples > Atta", "title_hi": "आटा",
            "keywords": "aata|gehu", "popularity": "12.5", "custom_label_0": "summer", "color": "red"
        })))
        .unwrap();
        let p = valid.product;
        assert_eq!(
            (p.id.as_str(), p.title.as_str()),
            ("42", "Aashirvaad Atta 5 kg")
        );
        assert_eq!(p.effective_price().unwrap().amount, 230.0);
        assert_eq!(p.availability, Availability::OutOfStock);
        assert_eq!(p.titles["hi"], "आटा");
        assert_eq!(p.keywords, ["aata", "gehu"]);
        assert_eq!(p.custom_labels["custom_label_0"], "summer");
        assert_eq!(valid.unknown_fields, ["color"]);
    }

    #[test]
    fn every_problem_of_a_row_is_listed_with_line_and_id() {
        let errors = product_from_row(&row(
            json!({"id": "x1", "price": "cheap", "availability": "soon"}),
        ))
        .unwrap_err();
        let mut codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        codes.sort();
        assert_eq!(
            codes,
            ["invalid_availability", "invalid_price", "missing_title"]
        );
        assert!(errors
            .iter()
            .all(|e| e.line == 7 && e.id.as_deref() == Some("x1")));
    }

    #[test]
    fn id_and_title_limits_hold() {
        assert_eq!(
            product_from_row(&row(json!({"title": "t"}))).unwrap_err()[0].code,
            "missing_id"
        );
        let long_id = "x".repeat(MAX_ID_CHARS + 1);
        assert_eq!(
            product_from_row(&row(json!({"id": long_id, "title": "t"}))).unwrap_err()[0].code,
            "id_too_long"
        );
        let long_title = "आ".repeat(MAX_TITLE_CHARS + 1);
        assert_eq!(
            product_from_row(&row(json!({"id": "a", "title": long_title}))).unwrap_err()[0].code,
            "title_too_long"
        );
        let ok_title = "आ".repeat(MAX_TITLE_CHARS);
        assert!(product_from_row(&row(json!({"id": "a", "title": ok_title}))).is_ok());
    }
}
