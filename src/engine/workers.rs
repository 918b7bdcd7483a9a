//! The index workers: threads that take batches from the queue and run them. A batch that
//! fails or panics fails its own tasks with an internal error and leaves the worker, the queue
//! and every other catalog running; the live catalog is left as it was.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::Instant;

use super::queue::Batch;
use super::tasks::{Task, TaskError, TaskKind, TaskStatus};
use super::{ingest, Engine};
use crate::error::Result;

/// Starts `index_workers` workers.
pub fn start(engine: &Arc<Engine>) {
    let mut handles = engine.workers.lock().unwrap_or_else(|e| e.into_inner());
    for n in 0..engine.config.index_workers {
        let worker = Arc::clone(engine);
        match std::thread::Builder::new()
            .name(format!("kirana-index-{n}"))
            .spawn(move || work(&worker))
        {
            Ok(handle) => handles.push(handle),
            Err(err) => tracing::error!(%err, "could not start an index worker"),
        }
    }
}

fn work(engine: &Engine) {
    while let Some(mut batch) = engine.queue.next_batch() {
        let started = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(engine, &mut batch)));
        let failure = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(err)) => Some(err.to_string()),
            Err(panic) => Some(panic_message(&*panic)),
        };
        if let Some(detail) = failure {
            tracing::error!(catalog = %batch.catalog, tasks = batch.tasks.len(), %detail, "write tasks failed");
            metrics::counter!("kirana_task_failures_total").increment(batch.tasks.len() as u64);
            let dir = engine.config.catalogs_dir().join(&batch.catalog);
            super::registry::remove_half_built(&dir, None);
            for task in batch.tasks.iter_mut().filter(|t| !t.status.is_finished()) {
                task.fail(
                    "internal",
                    "the task failed inside kirana; the live catalog is unchanged. See the server log.",
                );
            }
        }
        if !engine.registry.exists(&batch.catalog) {
            engine.registry.forget_empty(&batch.catalog);
        }
        for task in &batch.tasks {
            tracing::info!(
                task_id = task.task_id,
                catalog = %task.catalog,
                kind = ?task.kind,
                status = ?task.status,
                received = task.received,
                indexed = task.indexed,
                rejected = task.rejected,
                ms = started.elapsed().as_millis() as u64,
                "task finished"
            );
        }
        engine.queue.finish(batch);
    }
}

/// Runs a batch; on success every task has its final status.
fn run(engine: &Engine, batch: &mut Batch) -> Result<()> {
    #[cfg(test)]
    tests::panic_if_asked(&batch.catalog);
    let replace = batch
        .tasks
        .first()
        .is_some_and(|t| t.kind == TaskKind::Replace);
    let catalog = match engine.registry.open_for_write(&batch.catalog, replace) {
        Ok(catalog) => catalog,
        Err(err)
            if err.is_user_error() || matches!(err, crate::error::Error::Unavailable { .. }) =>
        {
            for task in &mut batch.tasks {
                task.fail(code_of(&err), err.to_string());
            }
            return Ok(());
        }
        Err(err) => return Err(err),
    };
    let outcomes: Vec<Option<TaskError>> = if replace {
        let task = &mut batch.tasks[0];
        vec![ingest::replace(engine, &catalog, task)?]
    } else {
        ingest::apply_changes(engine, &catalog, &mut batch.tasks)?
    };
    engine.registry.written(&catalog);
    let now = crate::index::now_rfc3339();
    for (task, outcome) in batch.tasks.iter_mut().zip(outcomes) {
        finish(task, outcome, &now);
    }
    Ok(())
}

fn finish(task: &mut Task, outcome: Option<TaskError>, now: &str) {
    task.finished_at = Some(now.to_string());
    match outcome {
        None => task.status = TaskStatus::Succeeded,
        Some(error) => {
            task.status = TaskStatus::Failed;
            task.error = Some(error);
        }
    }
}

fn code_of(err: &crate::error::Error) -> &'static str {
    match err {
        crate::error::Error::Invalid { code, .. }
        | crate::error::Error::NotFound { code, .. }
        | crate::error::Error::Unavailable { code, .. }
        | crate::error::Error::TooManyRequests { code, .. } => code,
        _ => "internal",
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into());
    format!("panicked: {text}")
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;
    use crate::catalog::FeedFormat;
    use crate::config::Config;
    use crate::engine::tasks::OnError;
    use crate::search::SearchRequest;

    /// Catalogs whose batches panic inside the worker: a fault only unit tests can inject.
    static PANIC_IN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    pub(super) fn panic_if_asked(catalog: &str) {
        let asked = PANIC_IN
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|c| c == catalog);
        assert!(!asked, "injected fault while indexing {catalog}");
    }

    fn upsert(engine: &Engine, catalog: &str, id: &str, title: &str) -> Task {
        let spool = engine.spool_dir().join(format!("{catalog}-{id}.ndjson"));
        let line = format!("{{\"id\":\"{id}\",\"title\":\"{title}\"}}\n");
        std::fs::write(&spool, line).unwrap();
        let task = engine
            .enqueue_feed(
                catalog,
                TaskKind::Upsert,
                FeedFormat::Ndjson,
                spool,
                OnError::Abort,
            )
            .unwrap();
        engine
            .wait_task(task.task_id, Duration::from_secs(30))
            .expect("the task finishes")
    }

    fn ids(engine: &Engine, catalog: &str, q: &str) -> Vec<String> {
        let request = SearchRequest {
            q: q.into(),
            ..Default::default()
        };
        let results = engine.search(catalog, &request).unwrap();
        results.hits.into_iter().map(|h| h.id).collect()
    }

    #[test]
    fn a_panic_while_indexing_fails_only_its_task() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(Config {
            data_dir: dir.path().to_path_buf(),
            demo: false,
            index_workers: 1,
            ..Config::default()
        })
        .unwrap();
        let before = upsert(&engine, "wk-boom", "a1", "Amul Butter 500 g");
        assert_eq!(before.status, TaskStatus::Succeeded);

        PANIC_IN.lock().unwrap().push("wk-boom".into());
        let failed = upsert(&engine, "wk-boom", "b1", "Britannia Bread");
        let other = upsert(&engine, "wk-calm", "c1", "Colgate Toothpaste");
        PANIC_IN.lock().unwrap().clear();

        assert_eq!(failed.status, TaskStatus::Failed);
        let error = failed.error.expect("a failed task says why");
        assert_eq!(error.code, "internal");
        assert!(!error.message.contains("injected"), "{}", error.message);
        // The same single worker went on to the other merchant's task.
        assert_eq!(other.status, TaskStatus::Succeeded);
        assert_eq!(ids(&engine, "wk-calm", "toothpaste"), ["c1"]);
        // The catalog whose task panicked serves what it had, and takes writes again.
        assert_eq!(ids(&engine, "wk-boom", "butter"), ["a1"]);
        assert!(ids(&engine, "wk-boom", "bread").is_empty());
        let again = upsert(&engine, "wk-boom", "b1", "Britannia Bread");
        assert_eq!(again.status, TaskStatus::Succeeded);
        assert_eq!(ids(&engine, "wk-boom", "bread"), ["b1"]);
        engine.shutdown();
    }
}
