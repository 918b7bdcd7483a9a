//! Bearer-key auth, on when an admin key is configured. Each route needs a scope on the
//! catalog it names: searching and reading need `search`, writing and reading tasks need
//! `write`; listing catalogs, creating keys and metrics need the admin key.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};
use crate::engine::keys::{Principal, Scope};

/// What a route requires.
enum Need {
    Nothing,
    Admin,
    Scope(Scope, Option<String>),
}

fn need(state: &AppState, method: &Method, route: &str, path: &str) -> Need {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let catalog =
        (segments.len() >= 3 && segments[1] == "catalogs").then(|| segments[2].to_string());
    match (method, route) {
        (_, "/healthz" | "/readyz") => Need::Nothing,
        (_, "/metrics" | "/v1/keys" | "/v1/catalogs") => Need::Admin,
        (_, "/v1/tasks/{task_id}") => {
            let task_catalog = segments
                .get(2)
                .and_then(|id| id.parse().ok())
                .and_then(|id| state.engine.task(id).ok())
                .map(|t| t.catalog);
            Need::Scope(Scope::Write, task_catalog)
        }
        (&Method::GET, _) => Need::Scope(Scope::Search, catalog),
        (&Method::POST, r) if r.ends_with("/search") => Need::Scope(Scope::Search, catalog),
        _ => Need::Scope(Scope::Write, catalog),
    }
}

/// Rejects requests without the key their route needs.
pub async fn require_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.engine.keys.enabled() {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let need = need(&state, request.method(), &route, request.uri().path());
    if matches!(need, Need::Nothing) {
        return next.run(request).await;
    }
    let secret = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(secret) = secret else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing_key",
            "send an API key as Authorization: Bearer <key>",
        )
        .into_response();
    };
    let Some(principal) = state.engine.keys.authenticate(secret) else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_key",
            "the API key is not valid",
        )
        .into_response();
    };
    let allowed = match (&principal, &need) {
        (Principal::Admin, _) | (_, Need::Nothing) => true,
        (Principal::Key(_), Need::Admin) => false,
        (Principal::Key(key), Need::Scope(scope, catalog)) => {
            key.allows(*scope, catalog.as_deref())
        }
    };
    if allowed {
        next.run(request).await
    } else {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "this API key may not do that on this catalog",
        )
        .into_response()
    }
}
