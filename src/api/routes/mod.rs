//! One file per resource, each returning its `Router<AppState>`.

mod catalogs;
mod health;
mod keys;
mod products;
mod search;
mod suggest;
mod synonyms;
mod tasks;

use axum::Router;

use super::{auth, ApiError, AppState};

/// Every route, behind the key check.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(catalogs::router())
        .merge(products::router())
        .merge(tasks::router())
        .merge(search::router())
        .merge(suggest::router())
        .merge(synonyms::router())
        .merge(keys::router())
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that HTTP method; see the API section of the README",
            )
        })
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_key,
        ))
}

/// Runs blocking engine work off the async workers.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> crate::error::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(err) => {
            Err(crate::error::Error::internal(format!("blocking task panicked: {err}")).into())
        }
    }
}
