//! Task status, one task or a catalog's tasks.

use axum::extract::{Path, RawQuery, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::api::params::{paging, Paging};
use crate::api::{ApiError, AppState};
use crate::engine::tasks::{Task, TaskStatus};

/// Tasks per page unless asked.
const DEFAULT_PAGE: usize = 20;
/// Most tasks one page may hold.
const MAX_PAGE: usize = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tasks/{task_id}", get(show))
        .route("/v1/catalogs/{catalog}/tasks", get(list))
}

async fn show(
    State(state): State<AppState>,
    Path(task_id): Path<String>,
) -> Result<Json<Task>, ApiError> {
    let id: u64 = task_id.parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_task_id",
            format!("task id must be a number, got {task_id:?}"),
        )
    })?;
    Ok(Json(state.engine.task(id)?))
}

fn parse_status(value: &str) -> Result<TaskStatus, ApiError> {
    match value {
        "enqueued" => Ok(TaskStatus::Enqueued),
        "processing" => Ok(TaskStatus::Processing),
        "succeeded" => Ok(TaskStatus::Succeeded),
        "failed" => Ok(TaskStatus::Failed),
        other => Err(ApiError::bad_request(
            "invalid_parameter",
            format!("status must be enqueued, processing, succeeded or failed; got {other:?}"),
        )),
    }
}

/// `GET /v1/catalogs/{catalog}/tasks?status=&limit=&offset=`: newest first.
async fn list(
    State(state): State<AppState>,
    Path(catalog): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Paging {
        limit,
        offset,
        extra,
    } = paging(raw.as_deref(), DEFAULT_PAGE, MAX_PAGE, &["status"])?;
    let status = match extra.iter().find(|(name, _)| name == "status") {
        Some((_, value)) => Some(parse_status(value)?),
        None => None,
    };
    let (tasks, total) = state.engine.tasks(&catalog, status, limit, offset)?;
    Ok(Json(json!({
        "catalog": catalog,
        "tasks": tasks,
        "total": total,
        "limit": limit,
        "offset": offset,
    })))
}
