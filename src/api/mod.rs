//! The HTTP skin over the engine: axum routes, extractors that answer in kirana's error body,
//! auth, request logging and metrics. Handlers extract, validate, call the engine, shape the
//! reply; nothing here knows how search works.

mod auth;
pub mod error;
mod metrics;
mod params;
mod routes;
mod whatsapp;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::sync::Semaphore;

use crate::engine::Engine;
pub use error::{ApiError, ApiJson};

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The engine.
    pub engine: Arc<Engine>,
    /// Bounds searches in flight; past it, 503.
    pub search_slots: Arc<Semaphore>,
    /// Prometheus registry.
    pub metrics: metrics::Metrics,
}

impl AppState {
    /// State around an engine.
    pub fn new(engine: Arc<Engine>) -> AppState {
        let slots = engine.config().max_concurrent_searches;
        AppState {
            engine,
            search_slots: Arc::new(Semaphore::new(slots)),
            metrics: metrics::Metrics::global(),
        }
    }
}

/// How long `?wait=true` waits for a task before answering with it as it is.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(600);

/// The whole API.
pub fn router(state: AppState) -> Router {
    routes::router(&state)
        .fallback(|| async { ApiError::no_route() })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::observe,
        ))
        .with_state(state)
}
