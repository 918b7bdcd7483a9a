//! Writing products: full replace (`PUT`), upsert (`POST`) and delete (`DELETE`) as tasks, and
//! reading one stored product. Feed bodies are streamed to a spool file (never held whole in
//! memory), synced, and only then queued and acknowledged.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::StreamExt;
use serde::Deserialize;
use tokio::io::AsyncWriteExt;

use super::blocking;
use crate::api::params::{query_pairs, unknown_parameter};
use crate::api::{ApiError, ApiJson, AppState, WAIT_TIMEOUT};
use crate::catalog::{FeedFormat, Product};
use crate::engine::tasks::{OnError, Task, TaskKind, TaskStatus};
use crate::engine::validate_catalog_name;

/// Most ids one delete request may name.
const MAX_DELETE_IDS: usize = 100_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/catalogs/{catalog}/products",
            axum::routing::put(replace).post(upsert).delete(delete),
        )
        .route("/v1/catalogs/{catalog}/products/{id}", get(show))
}

struct WriteParams {
    wait: bool,
    on_error: OnError,
}

fn write_params(raw: Option<&str>, feed: bool) -> Result<WriteParams, ApiError> {
    let mut params = WriteParams {
        wait: false,
        on_error: OnError::Abort,
    };
    for (name, value) in query_pairs(raw) {
        match (name.as_str(), value.as_str()) {
            ("wait", "true" | "1") => params.wait = true,
            ("wait", "false" | "0") => params.wait = false,
            ("on_error", "skip") if feed => params.on_error = OnError::Skip,
            ("on_error", "abort") if feed => params.on_error = OnError::Abort,
            ("wait", other) => {
                return Err(ApiError::bad_request(
                    "invalid_parameter",
                    format!("wait must be true or false, got {other:?}"),
                ))
            }
            ("on_error", other) if feed => {
                return Err(ApiError::bad_request(
                    "invalid_parameter",
                    format!("on_error must be abort or skip, got {other:?}"),
                ))
            }
            (other, _) => {
                return Err(unknown_parameter(
                    other,
                    if feed { "wait, on_error" } else { "wait" },
                ))
            }
        }
    }
    Ok(params)
}

async fn replace(
    state: State<AppState>,
    catalog: Path<String>,
    raw: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    write_feed(state, catalog, raw, headers, body, TaskKind::Replace).await
}

async fn upsert(
    state: State<AppState>,
    catalog: Path<String>,
    raw: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    write_feed(state, catalog, raw, headers, body, TaskKind::Upsert).await
}

async fn write_feed(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
    kind: TaskKind,
) -> Result<Response, ApiError> {
    validate_catalog_name(&catalog)?;
    let params = write_params(raw.as_deref(), true)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = FeedFormat::from_content_type(content_type).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_content_type",
            format!(
                "Content-Type {content_type:?} is not a feed format; use one of {}",
                FeedFormat::ACCEPTED
            ),
        )
    })?;
    // Refused before a byte is written when the queue or the disk has no room for it.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    state.engine.check_feed_room(&catalog, announced)?;
    let spool = spool_body(&state, &catalog, body).await?;
    let engine = state.engine.clone();
    let (name, path) = (catalog.clone(), spool.clone());
    let task =
        match blocking(move || engine.enqueue_feed(&name, kind, format, path, params.on_error))
            .await
        {
            Ok(task) => task,
            Err(err) => {
                let _ = tokio::fs::remove_file(&spool).await;
                return Err(err);
            }
        };
    task_reply(&state, task, params.wait).await
}

/// Streams the body into a spool file, enforcing the size limit, and syncs it.
async fn spool_body(state: &AppState, catalog: &str, body: Body) -> Result<PathBuf, ApiError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let limit = state.engine.config().max_body_bytes;
    let dir = state.engine.spool_dir();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let path = dir.join(format!(
        "{catalog}-{nanos}-{}.feed",
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let result = async {
        let file = tokio::fs::File::create(&path).await.map_err(crate::error::Error::from)?;
        let mut out = tokio::io::BufWriter::with_capacity(1 << 16, file);
        let mut stream = body.into_data_stream();
        let mut written: u64 = 0;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|err| ApiError::bad_request("body_unreadable", format!("could not read the request body: {err}")))?;
            written += chunk.len() as u64;
            if written > limit {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the body is larger than the limit of {limit} bytes; split the feed and send the rest with POST (upsert)"),
                ));
            }
            out.write_all(&chunk).await.map_err(crate::error::Error::from)?;
        }
        out.flush().await.map_err(crate::error::Error::from)?;
        out.get_ref().sync_all().await.map_err(crate::error::Error::from)?;
        // The file's name must survive a power loss too.
        tokio::fs::File::open(&dir)
            .await
            .map_err(crate::error::Error::from)?
            .sync_all()
            .await
            .map_err(crate::error::Error::from)?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(path),
        Err(err) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(err)
        }
    }
}

/// 202 with the task, or with `wait`, the finished task: 200 when it succeeded, 422 when the
/// feed was rejected, 500 when it failed inside kirana.
async fn task_reply(state: &AppState, task: Task, wait: bool) -> Result<Response, ApiError> {
    if !wait {
        return Ok((StatusCode::ACCEPTED, Json(task)).into_response());
    }
    let engine = state.engine.clone();
    let id = task.task_id;
    let finished = blocking(move || Ok(engine.wait_task(id, WAIT_TIMEOUT)))
        .await?
        .unwrap_or(task);
    let status = match finished.status {
        TaskStatus::Succeeded => StatusCode::OK,
        TaskStatus::Failed
            if finished
                .error
                .as_ref()
                .is_some_and(|e| e.code == "internal") =>
        {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        TaskStatus::Failed => StatusCode::UNPROCESSABLE_ENTITY,
        TaskStatus::Enqueued | TaskStatus::Processing => StatusCode::ACCEPTED,
    };
    Ok((status, Json(finished)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteBody {
    ids: Vec<String>,
}

async fn delete(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
    RawQuery(raw): RawQuery,
    ApiJson(body): ApiJson<DeleteBody>,
) -> Result<Response, ApiError> {
    validate_catalog_name(&catalog)?;
    let params = write_params(raw.as_deref(), false)?;
    if body.ids.is_empty() || body.ids.len() > MAX_DELETE_IDS {
        return Err(ApiError::bad_request(
            "invalid_ids",
            format!(
                "ids must list between 1 and {MAX_DELETE_IDS} product ids, got {}",
                body.ids.len()
            ),
        ));
    }
    let engine = state.engine.clone();
    let task = blocking(move || engine.enqueue_delete(&catalog, body.ids)).await?;
    task_reply(&state, task, params.wait).await
}

async fn show(
    State(state): State<AppState>,
    Path((catalog, id)): Path<(String, String)>,
) -> Result<Json<Product>, ApiError> {
    Ok(Json(state.engine.product(&catalog, &id)?))
}
