//! Catalog stats and deletion.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use super::blocking;
use crate::api::{ApiError, AppState};
use crate::engine::CatalogInfo;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/catalogs", get(list))
        .route("/v1/catalogs/{catalog}", get(show).delete(remove))
}

async fn list(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({ "catalogs": state.engine.catalogs() }))
}

async fn show(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
) -> Result<Json<CatalogInfo>, ApiError> {
    Ok(Json(state.engine.catalog_info(&catalog)?))
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
