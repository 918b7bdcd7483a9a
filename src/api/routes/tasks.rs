//! Task status.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::api::{ApiError, AppState};
use crate::engine::tasks::Task;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/tasks/{task_id}", get(show))
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
