//! Creating API keys (admin only).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::blocking;
use crate::api::{ApiError, ApiJson, AppState};
use crate::engine::keys::Scope;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/keys", post(create))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKey {
    scopes: Vec<Scope>,
    catalogs: Vec<String>,
}

async fn create(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewKey>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if !state.engine.keys.enabled() {
        return Err(ApiError::bad_request(
            "auth_disabled",
            "keys need auth: start kirana with KIRANA_ADMIN_KEY set",
        ));
    }
    let engine = state.engine.clone();
    let (record, secret) = blocking(move || engine.keys.create(body.scopes, body.catalogs)).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            json!({"key": secret, "key_id": record.key_id, "scopes": record.scopes, "catalogs": record.catalogs, "created_at": record.created_at}),
        ),
    ))
}
