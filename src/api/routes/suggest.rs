//! Completions while typing.

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::api::params::{query_pairs, unknown_parameter};
use crate::api::{ApiError, AppState};
use crate::suggest::Suggestions;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/catalogs/{catalog}/suggest", get(suggest))
}

async fn suggest(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Suggestions>, ApiError> {
    let (mut q, mut limit) = (String::new(), 8usize);
    for (name, value) in query_pairs(raw.as_deref()) {
        match name.as_str() {
            "q" => q = value,
            "limit" => {
                limit = value.trim().parse().map_err(|_| {
                    ApiError::bad_request(
                        "invalid_parameter",
                        format!("limit must be a number, got {value:?}"),
                    )
                })?
            }
            other => return Err(unknown_parameter(other, "q, limit")),
        }
    }
    Ok(Json(state.engine.suggest(&catalog, &q, limit)?))
}
