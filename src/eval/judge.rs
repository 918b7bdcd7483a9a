//! Graded judgments written as rules over product fields, so a judged set stays valid when a
//! catalog is regenerated: `{"grade":3,"type":"Wheat Atta","size":"5 kg"}` grades every
//! product whose last category level is "Wheat Atta" and whose pack is 5 kg. A product's
//! grade for a query is the highest grade among the rules it satisfies, 0 when none.

use serde::Deserialize;

use crate::analysis::{self, Quantity};
use crate::catalog::Product;
use crate::index::{exact_key, product_quantity};

/// One graded rule; every field given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// 1 = related, 2 = a good answer, 3 = exactly what was asked.
    pub grade: u8,
    /// The last level of the category path.
    #[serde(rename = "type")]
    pub product_type: Option<String>,
    /// The first level of the category path.
    pub category: Option<String>,
    /// The second level of the category path.
    pub sub_category: Option<String>,
    pub brand: Option<String>,
    /// Words that must all occur in the title or one of its translations.
    pub title: Option<String>,
    /// Pack size, compared in base units ("5 kg" = "5000 g").
    pub size: Option<String>,
    /// Highest effective price.
    pub price_max: Option<f64>,
    /// Explicit product ids.
    pub ids: Option<Vec<String>>,
}

/// A rule with its texts analyzed once, ready to test many products.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    grade: u8,
    product_type: Option<String>,
    category: Option<String>,
    sub_category: Option<String>,
    brand: Option<String>,
    title_words: Option<Vec<String>>,
    size: Option<Quantity>,
    price_max: Option<f64>,
    ids: Option<Vec<String>>,
}

impl Rule {
    /// Analyzes the rule's texts; an unreadable `size` is an error naming it.
    pub fn compile(&self) -> Result<CompiledRule, String> {
        let size = match &self.size {
            Some(text) => Some(
                Quantity::find(&analysis::tokens(text))
                    .ok_or_else(|| format!("size {text:?} is not a pack size like \"5 kg\""))?,
            ),
            None => None,
        };
        if !(1..=3).contains(&self.grade) {
            return Err(format!("grade must be 1, 2 or 3, got {}", self.grade));
        }
        Ok(CompiledRule {
            grade: self.grade,
            product_type: self.product_type.as_deref().map(exact_key),
            category: self.category.as_deref().map(exact_key),
            sub_category: self.sub_category.as_deref().map(exact_key),
            brand: self.brand.as_deref().map(exact_key),
            title_words: self.title.as_deref().map(analysis::tokens),
            size,
            price_max: self.price_max,
            ids: self.ids.clone(),
        })
    }
}

/// What rules look at in a product, computed once per product.
#[derive(Debug, Clone)]
pub struct ProductFacts {
    /// Product id.
    pub id: String,
    levels: Vec<String>,
    brand: Option<String>,
    /// Analyzed words of the title and of each translated title.
    titles: Vec<Vec<String>>,
    size: Option<Quantity>,
    price: Option<f64>,
}

impl ProductFacts {
    /// Analyzes the fields rules compare.
    pub fn of(product: &Product) -> ProductFacts {
        ProductFacts {
            id: product.id.clone(),
            levels: product
                .category_levels()
                .iter()
                .map(|l| exact_key(l))
                .collect(),
            brand: product.brand.as_deref().map(exact_key),
            titles: std::iter::once(&product.title)
                .chain(product.titles.values())
                .map(|t| analysis::tokens(t))
                .collect(),
            size: product_quantity(product),
            price: product.effective_price().map(|p| p.amount),
        }
    }
}

impl CompiledRule {
    /// The rule's grade when the product satisfies it.
    pub fn grade(&self, product: &ProductFacts) -> Option<u8> {
        self.matches(product).then_some(self.grade)
    }

    fn matches(&self, p: &ProductFacts) -> bool {
        let level_is = |want: &Option<String>, got: Option<&String>| {
            want.as_ref().is_none_or(|w| got == Some(w))
        };
        level_is(&self.product_type, p.levels.last())
            && level_is(&self.category, p.levels.first())
            && level_is(&self.sub_category, p.levels.get(1))
            && level_is(&self.brand, p.brand.as_ref())
            && self.title_words.as_ref().is_none_or(|words| {
                p.titles
                    .iter()
                    .any(|have| words.iter().all(|w| have.contains(w)))
            })
            && self
                .size
                .as_ref()
                .is_none_or(|want| p.size.is_some_and(|have| have.same_size(want)))
            && self
                .price_max
                .is_none_or(|max| p.price.is_some_and(|price| price <= max))
            && self.ids.as_ref().is_none_or(|ids| ids.contains(&p.id))
    }
}

/// The grade of a product under `rules`: the best rule it satisfies.
pub fn grade_of(rules: &[CompiledRule], product: &ProductFacts) -> u8 {
    rules
        .iter()
        .filter_map(|rule| rule.grade(product))
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Price;

    fn atta(size: &str, price: f64) -> Product {
        Product {
            id: format!("atta-{size}"),
            title: format!("Aashirvaad Shudh Chakki Atta {size}"),
            brand: Some("Aashirvaad".into()),
            product_type: Some("Staples > Atta & Flours > Wheat Atta".into()),
            size: Some(size.into()),
            price: Some(Price::inr(price)),
            ..Product::default()
        }
    }

    fn facts(product: &Product) -> ProductFacts {
        ProductFacts::of(product)
    }

    fn rule(json: &str) -> CompiledRule {
        serde_json::from_str::<Rule>(json)
            .unwrap()
            .compile()
            .unwrap()
    }

    #[test]
    fn the_best_satisfied_rule_grades_the_product() {
        let rules = [
            rule(r#"{"grade":3,"type":"wheat atta","size":"5000 g"}"#),
            rule(r#"{"grade":2,"type":"Wheat Atta"}"#),
        ];
        assert_eq!(grade_of(&rules, &facts(&atta("5 kg", 250.0))), 3);
        assert_eq!(grade_of(&rules, &facts(&atta("10 kg", 480.0))), 2);
        assert_eq!(grade_of(&rules, &facts(&Product::default())), 0);
    }

    #[test]
    fn every_given_field_must_hold() {
        let product = facts(&atta("5 kg", 250.0));
        assert!(
            rule(r#"{"grade":1,"brand":"aashirvaad","title":"chakki attas"}"#)
                .grade(&product)
                .is_some()
        );
        assert!(rule(r#"{"grade":1,"title":"multigrain atta"}"#)
            .grade(&product)
            .is_none());
        assert!(rule(r#"{"grade":1,"category":"Staples","price_max":200}"#)
            .grade(&product)
            .is_none());
        assert!(rule(r#"{"grade":1,"sub_category":"atta & flours"}"#)
            .grade(&product)
            .is_some());
    }

    #[test]
    fn bad_rules_are_refused_with_a_reason() {
        let unreadable: Rule = serde_json::from_str(r#"{"grade":2,"size":"large"}"#).unwrap();
        assert!(unreadable.compile().unwrap_err().contains("large"));
        let zero: Rule = serde_json::from_str(r#"{"grade":0}"#).unwrap();
        assert!(zero.compile().is_err());
        assert!(serde_json::from_str::<Rule>(r#"{"grade":1,"colour":"red"}"#).is_err());
    }
}
