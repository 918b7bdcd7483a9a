//! Request logging and Prometheus metrics: one log line and one observation per request.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use super::AppState;

/// Handle to the process-wide Prometheus recorder.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
}

impl Metrics {
    /// The process-wide recorder, installed on first use.
    pub fn global() -> Metrics {
        static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
        let handle = HANDLE.get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".into()),
                    &[
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1.0, 5.0,
                    ],
                )
                .expect("bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            handle
        });
        Metrics {
            handle: handle.clone(),
        }
    }

    /// Prometheus text, with gauges refreshed from the engine.
    pub fn render(&self, state: &AppState) -> String {
        metrics::gauge!("kirana_task_queue_depth").set(state.engine.queue_depth() as f64);
        let cache = state.engine.cache_stats();
        metrics::gauge!("kirana_catalogs").set(cache.catalogs as f64);
        metrics::gauge!("kirana_open_catalogs").set(cache.open as f64);
        metrics::gauge!("kirana_catalog_cache_bytes").set((cache.weight_kib * 1024) as f64);
        self.handle.render()
    }
}

/// Logs and counts one request.
pub async fn observe(State(_state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    tracing::info!(method = %method, route = %route, status, latency_us = elapsed.as_micros() as u64, "request");
    let labels = [("route", route), ("method", method.to_string())];
    metrics::counter!(
        "kirana_http_requests_total",
        &[
            ("route", labels[0].1.clone()),
            ("method", labels[1].1.clone()),
            ("status", status.to_string())
        ]
    )
    .increment(1);
    metrics::histogram!("kirana_http_request_duration_seconds", &labels)
        .record(elapsed.as_secs_f64());
    response
}
