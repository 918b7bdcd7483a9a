//! Strict parameter parsing: every parameter is checked, and an unknown one is a 400 that names
//! it (a typo like `limt=5` must not be silently ignored).

use serde::Deserialize;

use super::ApiError;
use crate::search::{SearchRequest, Sort};

/// Response shape asked for with `format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Ids,
    WhatsappList,
    WhatsappProductList,
}

/// A search request plus what only the API cares about.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub request: SearchRequest,
    pub format: Format,
    /// `catalog_id` for a WhatsApp multi-product message.
    pub catalog_id: Option<String>,
}

/// Pairs of a query string, decoded (broken percent-encoding is kept literally).
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn parse_number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ApiError> {
    value.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_parameter",
            format!("{name} must be a number, got {value:?}"),
        )
    })
}

/// `limit` and `offset` of a listing, plus the other parameters it allows (`extra`, by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    pub limit: usize,
    pub offset: usize,
    /// The allowed extra parameters that were given.
    pub extra: Vec<(String, String)>,
}

/// Reads `limit` (1..=`max`, default `default`) and `offset`; any parameter not in `extra`
/// is refused.
pub fn paging(
    raw: Option<&str>,
    default: usize,
    max: usize,
    extra: &[&str],
) -> Result<Paging, ApiError> {
    let mut paging = Paging {
        limit: default,
        offset: 0,
        extra: Vec::new(),
    };
    for (name, value) in query_pairs(raw) {
        match name.as_str() {
            "limit" => paging.limit = parse_number("limit", &value)?,
            "offset" => paging.offset = parse_number("offset", &value)?,
            other if extra.contains(&other) => paging.extra.push((name, value)),
            other => {
                let mut allowed = vec!["limit", "offset"];
                allowed.extend_from_slice(extra);
                return Err(unknown_parameter(other, &allowed.join(", ")));
            }
        }
    }
    if !(1..=max).contains(&paging.limit) {
        return Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {max}, got {}", paging.limit),
        ));
    }
    Ok(paging)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    match value.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        other => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("{name} must be true or false, got {other:?}"),
        )),
    }
}

fn parse_sort(value: &str) -> Result<Sort, ApiError> {
    Sort::parse(value.trim()).ok_or_else(|| {
        ApiError::bad_request(
            "invalid_parameter",
            format!(
                "sort must be one of relevance, price_asc, price_desc, popularity; got {value:?}"
            ),
        )
    })
}

fn parse_format(value: &str) -> Result<Format, ApiError> {
    match value.trim() {
        "ids" => Ok(Format::Ids),
        "whatsapp_list" => Ok(Format::WhatsappList),
        "whatsapp_product_list" => Ok(Format::WhatsappProductList),
        other => Err(ApiError::bad_request(
            "invalid_parameter",
            format!(
                "format must be one of ids, whatsapp_list, whatsapp_product_list; got {other:?}"
            ),
        )),
    }
}

/// Search parameters from a query string.
pub fn search_from_query(pairs: &[(String, String)]) -> Result<SearchParams, ApiError> {
    let mut params = SearchParams::default();
    let request = &mut params.request;
    for (name, value) in pairs {
        match name.as_str() {
            "q" => request.q = value.clone(),
            "limit" => request.limit = parse_number("limit", value)?,
            "offset" => request.offset = parse_number("offset", value)?,
            "in_stock" => request.in_stock = parse_bool("in_stock", value)?,
            "brand" => request.brands.push(value.clone()),
            "category" => request.categories.push(value.clone()),
            "price_min" => request.price_min = Some(parse_number("price_min", value)?),
            "price_max" => request.price_max = Some(parse_number("price_max", value)?),
            "sort" => request.sort = parse_sort(value)?,
            "format" => params.format = parse_format(value)?,
            "catalog_id" => params.catalog_id = Some(value.clone()),
            other => return Err(unknown_parameter(other, "q, limit, offset, in_stock, brand, category, price_min, price_max, sort, format, catalog_id")),
        }
    }
    Ok(params)
}

/// 400 naming an unknown parameter.
pub fn unknown_parameter(name: &str, known: &str) -> ApiError {
    ApiError::bad_request(
        "unknown_parameter",
        format!("unknown parameter {name:?}; this endpoint takes {known}"),
    )
}

/// One value or a list, for `brand` and `category` in a JSON body.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(value) => vec![value],
            OneOrMany::Many(values) => values,
        }
    }
}

/// `POST .../search` body: the same fields as the query string.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchBody {
    #[serde(default)]
    q: String,
    limit: Option<usize>,
    offset: Option<usize>,
    #[serde(default)]
    in_stock: bool,
    brand: Option<OneOrMany>,
    category: Option<OneOrMany>,
    price_min: Option<f64>,
    price_max: Option<f64>,
    sort: Option<String>,
    format: Option<String>,
    catalog_id: Option<String>,
}

impl SearchBody {
    /// Converts to parameters, validating the enumerations.
    pub fn into_params(self) -> Result<SearchParams, ApiError> {
        let defaults = SearchRequest::default();
        Ok(SearchParams {
            request: SearchRequest {
                q: self.q,
                limit: self.limit.unwrap_or(defaults.limit),
                offset: self.offset.unwrap_or(defaults.offset),
                in_stock: self.in_stock,
                brands: self.brand.map(OneOrMany::into_vec).unwrap_or_default(),
                categories: self.category.map(OneOrMany::into_vec).unwrap_or_default(),
                price_min: self.price_min,
                price_max: self.price_max,
                sort: self
                    .sort
                    .as_deref()
                    .map(parse_sort)
                    .transpose()?
                    .unwrap_or_default(),
            },
            format: self
                .format
                .as_deref()
                .map(parse_format)
                .transpose()?
                .unwrap_or_default(),
            catalog_id: self.catalog_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<SearchParams, ApiError> {
        search_from_query(&query_pairs(Some(query)))
    }

    #[test]
    fn repeated_filters_and_encoded_text() {
        let params = parse("q=amul%20butter&brand=Amul&brand=Mother+Dairy&limit=5").unwrap();
        assert_eq!(params.request.q, "amul butter");
        assert_eq!(params.request.brands, ["Amul", "Mother Dairy"]);
        assert_eq!(params.request.limit, 5);
    }

    #[test]
    fn unknown_and_malformed_parameters_are_named() {
        let err = parse("q=x&limt=5").unwrap_err();
        assert_eq!(err.code, "unknown_parameter");
        assert!(err.message.contains("limt"));
        assert!(parse("limit=ten").unwrap_err().message.contains("limit"));
        assert!(parse("sort=cheapest")
            .unwrap_err()
            .message
            .contains("price_asc"));
    }

    #[test]
    fn broken_percent_encoding_is_kept_literally() {
        assert_eq!(parse("q=100%%20off%zz").unwrap().request.q, "100% off%zz");
    }
}
