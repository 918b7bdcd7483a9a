//! A catalog's own synonym groups, applied to searches at once without a reindex.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

use super::blocking;
use crate::api::{ApiError, ApiJson, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/catalogs/{catalog}/synonyms", get(show).put(replace))
}

/// `{"synonyms": [["atta", "chakki flour"], ...]}`: each group's terms mean the same.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsBody {
    synonyms: Vec<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct SynonymsReply {
    catalog: String,
    synonyms: Vec<Vec<String>>,
}

async fn show(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
) -> Result<ApiJson<SynonymsReply>, ApiError> {
    let synonyms = state.engine.synonyms(&catalog)?;
    Ok(ApiJson(SynonymsReply { catalog, synonyms }))
}

async fn replace(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
    ApiJson(body): ApiJson<SynonymsBody>,
) -> Result<ApiJson<SynonymsReply>, ApiError> {
    let engine = state.engine.clone();
    let name = catalog.clone();
    let groups = body.synonyms.clone();
    blocking(move || engine.set_synonyms(&name, groups)).await?;
    Ok(ApiJson(SynonymsReply {
        catalog,
        synonyms: body.synonyms,
    }))
}
