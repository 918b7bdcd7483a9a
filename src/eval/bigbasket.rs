//! The public BigBasket product list (`../shared/data/bigbasket/products.csv`) as kirana
//! products, converted the way the data's README says: `id` = `bb-<index>`, `title` =
//! product, `product_type` = `category > sub_category > type`, `price` = sale price in INR,
//! `popularity` = rating. Used to measure search quality and indexing on a real catalog.

use std::path::Path;

use crate::catalog::{Price, Product};
use crate::error::{Error, Result};

/// Where the data lives, relative to the project root.
pub const DEFAULT_PATH: &str = "../shared/data/bigbasket/products.csv";

/// Reads the CSV; rows without a product name are skipped (the list has a few).
pub fn read(path: &Path) -> Result<Vec<Product>> {
    let mut reader = csv::Reader::from_path(path)
        .map_err(|err| Error::internal(format!("{}: {err}", path.display())))?;
    let headers = reader
        .headers()
        .map_err(|err| Error::internal(format!("{}: {err}", path.display())))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::internal(format!("{}: no column {name:?}", path.display())))
    };
    let [index, title, category, sub_category, brand, sale_price, kind, rating] = [
        "index",
        "product",
        "category",
        "sub_category",
        "brand",
        "sale_price",
        "type",
        "rating",
    ]
    .map(column);
    let (index, title, category, sub_category, brand, sale_price, kind, rating) = (
        index?,
        title?,
        category?,
        sub_category?,
        brand?,
        sale_price?,
        kind?,
        rating?,
    );
    let mut products = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| Error::internal(format!("{}: {err}", path.display())))?;
        let field = |at: usize| record.get(at).map(str::trim).filter(|v| !v.is_empty());
        let (Some(index), Some(title)) = (field(index), field(title)) else {
            continue;
        };
        let path: Vec<&str> = [category, sub_category, kind]
            .into_iter()
            .filter_map(field)
            .collect();
        products.push(Product {
            id: format!("bb-{index}"),
            title: title.to_string(),
            brand: field(brand).map(String::from),
            product_type: (!path.is_empty()).then(|| path.join(" > ")),
            price: field(sale_price)
                .and_then(|p| p.parse::<f64>().ok())
                .map(Price::inr),
            popularity: field(rating).and_then(|r| r.parse::<f64>().ok()),
            ..Product::default()
        });
    }
    Ok(products)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_become_products_as_the_data_readme_says() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bb.csv");
        std::fs::write(
            &path,
            "index,product,category,sub_category,brand,sale_price,market_price,type,rating\n\
             7,Atta/Godihittu - Whole Wheat,Foodgrains,Atta & Flours,Aashirvaad ,235,250,Atta Whole Wheat,4.2\n\
             8,,Foodgrains,Dals,X,1,1,Toor,\n",
        )
        .unwrap();
        let products = read(&path).unwrap();
        assert_eq!(products.len(), 1, "the row without a name is skipped");
        let atta = &products[0];
        assert_eq!(atta.id, "bb-7");
        assert_eq!(atta.brand.as_deref(), Some("Aashirvaad"));
        assert_eq!(
            atta.product_type.as_deref(),
            Some("Foodgrains > Atta & Flours > Atta Whole Wheat")
        );
        assert_eq!(atta.price, Some(Price::inr(235.0)));
        assert_eq!(atta.popularity, Some(4.2));
    }
}
