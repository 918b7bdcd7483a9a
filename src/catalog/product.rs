//! The product record as merchants send it (Meta catalog feed field names) and as kirana
//! stores and returns it.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A price in a currency's major unit, written in feeds as `"245.00 INR"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    /// Amount in the major unit (rupees for INR).
    pub amount: f64,
    /// ISO 4217 code, upper case.
    pub currency: String,
}

impl Price {
    /// A price in Indian rupees.
    pub fn inr(amount: f64) -> Self {
        Price {
            amount,
            currency: "INR".to_string(),
        }
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2} {}", self.amount, self.currency)
    }
}

impl Serialize for Price {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        parse_price(&text, None).map_err(serde::de::Error::custom)
    }
}

/// Parses `"245.00 INR"`, `"INR 245"`, `"₹245"` or a bare number (with `default_currency`,
/// else INR). Returns a message fit for a feed error on failure.
pub fn parse_price(text: &str, default_currency: Option<&str>) -> Result<Price, String> {
    let trimmed = text.trim();
    let mut amount = None;
    let mut currency = None;
    for part in trimmed.split_whitespace() {
        let part = part.trim_start_matches('₹');
        if part.is_empty() {
            continue;
        }
        let numeric = part.replace(',', "");
        if let Ok(value) = numeric.parse::<f64>() {
            if amount.is_some() {
                return Err(format!("price {trimmed:?} has two amounts"));
            }
            amount = Some(value);
        } else if part.len() == 3 && part.chars().all(|c| c.is_ascii_alphabetic()) {
            currency = Some(part.to_ascii_uppercase());
        } else {
            return Err(format!("price {trimmed:?} is not like \"245.00 INR\""));
        }
    }
    let amount = amount
        .ok_or_else(|| format!("price {trimmed:?} has no amount; write it like \"245.00 INR\""))?;
    if !amount.is_finite() || amount < 0.0 {
        return Err(format!("price {trimmed:?} must be a non-negative number"));
    }
    let currency = currency
        .or_else(|| default_currency.map(|c| c.to_ascii_uppercase()))
        .unwrap_or_else(|| "INR".to_string());
    Ok(Price { amount, currency })
}

/// Meta's availability values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Availability {
    /// Can be bought now.
    #[default]
    #[serde(rename = "in stock")]
    InStock,
    /// Listed but not purchasable now.
    #[serde(rename = "out of stock")]
    OutOfStock,
    /// Can be ordered ahead of stock.
    #[serde(rename = "preorder")]
    Preorder,
    /// Can be ordered, ships later.
    #[serde(rename = "available for order")]
    AvailableForOrder,
    /// No longer sold.
    #[serde(rename = "discontinued")]
    Discontinued,
}

impl Availability {
    /// Parses Meta's spellings, tolerating case, `_` for spaces and the old `in_stock` forms.
    pub fn parse(text: &str) -> Option<Self> {
        let folded = text.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        Some(match folded.as_str() {
            "in stock" | "instock" | "available" => Availability::InStock,
            "out of stock" | "outofstock" | "sold out" => Availability::OutOfStock,
            "preorder" | "pre order" => Availability::Preorder,
            "available for order" => Availability::AvailableForOrder,
            "discontinued" => Availability::Discontinued,
            _ => return None,
        })
    }

    /// Whether a shopper can order it now (ranks above the rest).
    pub fn is_orderable(self) -> bool {
        matches!(
            self,
            Availability::InStock | Availability::AvailableForOrder | Availability::Preorder
        )
    }
}

/// One catalog product. Field names follow the Meta catalog feed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Product {
    /// Merchant's id, unique in the catalog, ≤ 100 chars.
    pub id: String,
    /// Display title, ≤ 200 chars.
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sale_price: Option<Price>,
    #[serde(default)]
    pub availability: Availability,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_link: Option<String>,
    /// Category path, `>`-separated: `"Staples > Atta & Flours > Whole Wheat Atta"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub google_product_category: Option<String>,
    /// Pack size as written: `"5 kg"`, `"500 g"`, `"1 l"`, `"12 pcs"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_group_id: Option<String>,
    /// `custom_label_0` .. `custom_label_4`, by number.
    #[serde(
        default,
        flatten,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "flat_keys::custom_labels"
    )]
    pub custom_labels: BTreeMap<String, String>,
    /// Higher sells more; used as a bounded tie-breaker and for best sellers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub popularity: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Translated titles by language code: `title_hi` arrives as `titles["hi"]` and is
    /// written back as `title_hi`, so a product read from the API can be sent again unchanged.
    #[serde(
        default,
        flatten,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "flat_keys::titles"
    )]
    pub titles: BTreeMap<String, String>,
}

/// The product's open-ended keys (`custom_label_N`, `title_<lang>`), which serde hands every
/// flattened field whole: each keeps its own.
mod flat_keys {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    pub fn custom_labels<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<String, String>, D::Error> {
        let rest = BTreeMap::<String, Value>::deserialize(deserializer)?;
        Ok(rest
            .into_iter()
            .filter(|(key, _)| key.starts_with("custom_label_"))
            .filter_map(|(key, value)| Some((key, value.as_str()?.to_string())))
            .collect())
    }

    pub mod titles {
        use super::*;

        pub fn serialize<S: Serializer>(
            titles: &BTreeMap<String, String>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.collect_map(
                titles
                    .iter()
                    .map(|(lang, title)| (format!("title_{lang}"), title)),
            )
        }

        /// Reads `title_<lang>` keys, and the `titles` map products were stored with before.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<BTreeMap<String, String>, D::Error> {
            let rest = BTreeMap::<String, Value>::deserialize(deserializer)?;
            let mut titles = BTreeMap::new();
            for (key, value) in rest {
                match (key.strip_prefix("title_"), value) {
                    (Some(lang), Value::String(title)) => {
                        titles.insert(lang.to_string(), title);
                    }
                    (None, Value::Object(stored)) if key == "titles" => {
                        for (lang, title) in stored {
                            if let Value::String(title) = title {
                                titles.insert(lang, title);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(titles)
        }
    }
}

impl Product {
    /// The price a shopper pays now: the sale price when set, else the price.
    pub fn effective_price(&self) -> Option<&Price> {
        self.sale_price.as_ref().or(self.price.as_ref())
    }

    /// Whether it sells below its regular price now: a sale price under the price.
    pub fn is_on_sale(&self) -> bool {
        match (&self.sale_price, &self.price) {
            (Some(sale), Some(price)) => sale.amount < price.amount,
            _ => false,
        }
    }

    /// Category path levels, trimmed, without empty ones.
    pub fn category_levels(&self) -> Vec<&str> {
        self.product_type
            .as_deref()
            .map(|path| {
                path.split('>')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn price_forms_a_merchant_writes_all_parse() {
        assert_eq!(parse_price("245.00 INR", None).unwrap(), Price::inr(245.0));
        assert_eq!(parse_price("INR 1,245", None).unwrap(), Price::inr(1245.0));
        assert_eq!(parse_price("₹99", None).unwrap(), Price::inr(99.0));
        assert_eq!(parse_price("12.5", Some("usd")).unwrap().currency, "USD");
        assert!(parse_price("cheap", None).is_err());
        assert!(parse_price("-3 INR", None).is_err());
    }

    #[test]
    fn price_prints_as_meta_expects() {
        assert_eq!(Price::inr(245.0).to_string(), "245.00 INR");
    }

    #[test]
    fn availability_accepts_meta_spellings() {
        assert_eq!(Availability::parse("In Stock"), Some(Availability::InStock));
        assert_eq!(
            Availability::parse("out_of_stock"),
            Some(Availability::OutOfStock)
        );
        assert_eq!(Availability::parse("maybe"), None);
        assert!(!Availability::OutOfStock.is_orderable());
    }

    #[test]
    fn translations_and_labels_travel_under_their_feed_names() {
        let mut product = Product {
            id: "atta-5".into(),
            title: "Aashirvaad Atta 5 kg".into(),
            ..Product::default()
        };
        product.titles.insert("hi".into(), "आशीर्वाद आटा".into());
        product
            .custom_labels
            .insert("custom_label_0".into(), "staples".into());
        let json: serde_json::Value = serde_json::to_value(&product).unwrap();
        assert_eq!(json["title_hi"], "आशीर्वाद आटा");
        assert_eq!(json["custom_label_0"], "staples");
        assert!(json.get("titles").is_none());
        let back: Product = serde_json::from_value(json).unwrap();
        assert_eq!(back, product);
    }

    #[test]
    fn products_stored_with_a_titles_map_still_read() {
        let stored = r#"{"id":"a","title":"Atta","availability":"in stock","titles":{"hi":"आटा"}}"#;
        let product: Product = serde_json::from_str(stored).unwrap();
        assert_eq!(product.titles["hi"], "आटा");
        assert!(product.custom_labels.is_empty());
    }
}
