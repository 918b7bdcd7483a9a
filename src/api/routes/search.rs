//! Search: `GET` with a query string or `POST` with the same fields as JSON. The search runs
//! inline: it is measured to stay far below the time a tokio worker may be blocked.

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

use crate::api::params::{query_pairs, search_from_query, Format, SearchBody, SearchParams};
use crate::api::{whatsapp, ApiError, ApiJson, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/v1/catalogs/{catalog}/search",
        get(search_get).post(search_post),
    )
}

async fn search_get(
    state: State<AppState>,
    Path(catalog): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let params = search_from_query(&query_pairs(raw.as_deref()))?;
    run(state, catalog, params)
}

async fn search_post(
    state: State<AppState>,
    Path(catalog): Path<String>,
    RawQuery(raw): RawQuery,
    ApiJson(body): ApiJson<SearchBody>,
) -> Result<Json<Value>, ApiError> {
    if let Some((name, _)) = query_pairs(raw.as_deref()).first() {
        return Err(crate::api::params::unknown_parameter(
            name,
            "no query-string parameters with POST; send them in the JSON body",
        ));
    }
    run(state, catalog, body.into_params()?)
}

fn run(
    State(state): State<AppState>,
    catalog: String,
    params: SearchParams,
) -> Result<Json<Value>, ApiError> {
    let _slot = state
        .search_slots
        .try_acquire()
        .map_err(|_| ApiError::overloaded("too many searches in flight; retry shortly", 1))?;
    let results = state.engine.search(&catalog, &params.request)?;
    let mut reply = serde_json::to_value(&results).map_err(crate::error::Error::from)?;
    if params.format == Format::Ids {
        return Ok(Json(reply));
    }
    // The stored products behind some hits, read only for the reply format that shows them.
    let products_of = |hits: &[crate::search::Hit]| {
        hits.iter()
            .map(|hit| state.engine.product(&catalog, &hit.id))
            .collect::<Result<Vec<_>, crate::error::Error>>()
    };
    let interactive = match (params.format, &results.items) {
        (Format::WhatsappList, Some(items)) => {
            let items = items
                .iter()
                .map(|item| Ok((item.text.clone(), products_of(&item.hits)?)))
                .collect::<Result<Vec<_>, crate::error::Error>>()?;
            whatsapp::list_message_for_items(&results.query, results.total_hits, &items)
        }
        (Format::WhatsappList, None) => whatsapp::list_message(
            &results.query,
            results.total_hits,
            &products_of(&results.hits)?,
        ),
        (Format::WhatsappProductList, _) => {
            let catalog_id = params.catalog_id.as_deref().ok_or_else(|| {
                ApiError::bad_request("missing_catalog_id", "format=whatsapp_product_list needs catalog_id, the id of your catalog in WhatsApp Commerce Manager")
            })?;
            whatsapp::product_list_message(&results.query, catalog_id, &products_of(&results.hits)?)
        }
        (Format::Ids, _) => None,
    };
    reply["interactive"] = interactive.unwrap_or(Value::Null);
    Ok(Json(reply))
}
