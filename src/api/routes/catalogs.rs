//! Catalog stats, listing and deletion. Listing reads the registry only: no catalog is opened.

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::blocking;
use crate::api::params::{paging, Paging};
use crate::api::{ApiError, AppState};
use crate::engine::CatalogInfo;

/// Catalogs per page unless asked.
const DEFAULT_PAGE: usize = 100;
/// Most catalogs one page may hold.
const MAX_PAGE: usize = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/catalogs", get(list))
        .route("/v1/catalogs/{catalog}", get(show).delete(remove))
}

async fn list(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Paging { limit, offset, .. } = paging(raw.as_deref(), DEFAULT_PAGE, MAX_PAGE, &[])?;
    let (catalogs, total) = state.engine.catalogs(limit, offset);
    Ok(Json(
        json!({ "catalogs": catalogs, "total": total, "limit": limit, "offset": offset }),
    ))
}

async fn show(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
) -> Result<Json<CatalogInfo>, ApiError> {
    let engine = state.engine.clone();
    Ok(Json(blocking(move || engine.catalog_info(&catalog)).await?))
}

async fn remove(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let engine = state.engine.clone();
    let name = catalog.clone();
    blocking(move || engine.delete_catalog(&name)).await?;
    Ok(Json(json!({ "catalog": catalog, "deleted": true })))
}
