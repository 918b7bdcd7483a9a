//! Write tasks: what was asked, how far it got, how it ended. Every change of a task is written
//! to `data_dir/tasks/<id>.json` before it is acknowledged, so a task accepted with 202 is run
//! even if the process dies before finishing it.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::catalog::{FeedFormat, RowError};
use crate::error::Result;
use crate::index::write_atomically;

/// Most row errors kept on one task; `rejected` still counts them all.
pub const MAX_TASK_ERRORS: usize = 1_000;

/// What a task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Full replace from a feed.
    Replace,
    /// Upsert a batch by id.
    Upsert,
    /// Delete products by id.
    Delete,
}

/// Where a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Enqueued,
    Processing,
    Succeeded,
    Failed,
}

impl TaskStatus {
    /// Whether the task has ended.
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Succeeded | TaskStatus::Failed)
    }
}

/// What to do with bad rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// One bad row fails the whole feed; the live catalog is untouched.
    #[default]
    Abort,
    /// Index the good rows, list the bad ones.
    Skip,
}

/// The input a task reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TaskSource {
    /// A feed file: a request body spooled to disk (removed when the task ends) or, from the
    /// command line, the user's own file (kept).
    Feed {
        path: PathBuf,
        format: FeedFormatName,
        #[serde(default = "spooled_default")]
        spooled: bool,
    },
    /// The embedded demo catalog.
    Sample,
    /// Ids to delete.
    Ids { ids: Vec<String> },
}

fn spooled_default() -> bool {
    true
}

/// Serializable name of a [`FeedFormat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedFormatName {
    Ndjson,
    Json,
    Csv,
    Tsv,
}

impl From<FeedFormat> for FeedFormatName {
    fn from(format: FeedFormat) -> Self {
        match format {
            FeedFormat::Ndjson => FeedFormatName::Ndjson,
            FeedFormat::JsonArray => FeedFormatName::Json,
            FeedFormat::Csv => FeedFormatName::Csv,
            FeedFormat::Tsv => FeedFormatName::Tsv,
        }
    }
}

impl From<FeedFormatName> for FeedFormat {
    fn from(name: FeedFormatName) -> Self {
        match name {
            FeedFormatName::Ndjson => FeedFormat::Ndjson,
            FeedFormatName::Json => FeedFormat::JsonArray,
            FeedFormatName::Csv => FeedFormat::Csv,
            FeedFormatName::Tsv => FeedFormat::Tsv,
        }
    }
}

/// A task-level failure (as opposed to row errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskError {
    pub code: String,
    pub message: String,
}

/// One write task, as stored and as shown by `GET /v1/tasks/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub task_id: u64,
    pub catalog: String,
    pub kind: TaskKind,
    pub status: TaskStatus,
    /// Rows read so far.
    pub received: u64,
    /// Products written (distinct ids), or deleted for a delete task.
    pub indexed: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rows whose id repeated an earlier row of the same feed (the last one wins).
    pub duplicates: u64,
    /// Row errors, at most [`MAX_TASK_ERRORS`].
    pub errors: Vec<RowError>,
    /// Ignored columns and how many rows carried each.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub unknown_fields: BTreeMap<String, u64>,
    /// Why the task failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<TaskError>,
    pub on_error: OnError,
    pub enqueued_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The input, kept on disk but never shown.
    #[serde(skip)]
    pub source: Option<TaskSource>,
}

/// On-disk form: the view plus the source, which the view hides.
#[derive(Serialize, Deserialize)]
struct StoredTask {
    #[serde(flatten)]
    task: Task,
    source: Option<TaskSource>,
}

impl Task {
    /// Records a row error, keeping at most [`MAX_TASK_ERRORS`].
    pub fn reject(&mut self, errors: Vec<RowError>) {
        self.rejected += 1;
        let room = MAX_TASK_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(errors.into_iter().take(room));
    }
}

/// Tasks in memory, mirrored to disk.
pub struct TaskStore {
    dir: PathBuf,
    tasks: BTreeMap<u64, Task>,
    queue: VecDeque<u64>,
    next_id: u64,
    history: usize,
}

impl TaskStore {
    /// Loads every stored task; unfinished ones are queued again, in id order.
    pub fn open(dir: &Path, history: usize) -> Result<TaskStore> {
        std::fs::create_dir_all(dir)?;
        let mut tasks = BTreeMap::new();
        for entry in std::fs::read_dir(dir)?.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "json") {
                match std::fs::read(&path)
                    .map_err(|e| e.to_string())
                    .and_then(|b| {
                        serde_json::from_slice::<StoredTask>(&b).map_err(|e| e.to_string())
                    }) {
                    Ok(stored) => {
                        let mut task = stored.task;
                        task.source = stored.source;
                        tasks.insert(task.task_id, task);
                    }
                    Err(err) => {
                        tracing::warn!(path = %path.display(), %err, "skipping unreadable task file")
                    }
                }
            }
        }
        let mut queue = VecDeque::new();
        for task in tasks.values_mut() {
            if !task.status.is_finished() {
                task.status = TaskStatus::Enqueued;
                queue.push_back(task.task_id);
            }
        }
        let next_id = tasks.keys().next_back().map_or(1, |id| id + 1);
        Ok(TaskStore {
            dir: dir.to_path_buf(),
            tasks,
            queue,
            next_id,
            history,
        })
    }

    /// Queued task count.
    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    /// Creates, persists and queues a task.
    pub fn enqueue(
        &mut self,
        catalog: &str,
        kind: TaskKind,
        on_error: OnError,
        source: TaskSource,
    ) -> Result<Task> {
        let task = Task {
            task_id: self.next_id,
            catalog: catalog.to_string(),
            kind,
            status: TaskStatus::Enqueued,
            received: 0,
            indexed: 0,
            rejected: 0,
            duplicates: 0,
            errors: Vec::new(),
            unknown_fields: BTreeMap::new(),
            error: None,
            on_error,
            enqueued_at: crate::index::now_rfc3339(),
            started_at: None,
            finished_at: None,
            source: Some(source),
        };
        self.persist(&task)?;
        self.next_id += 1;
        self.queue.push_back(task.task_id);
        self.tasks.insert(task.task_id, task.clone());
        Ok(task)
    }

    /// A task by id.
    pub fn get(&self, id: u64) -> Option<&Task> {
        self.tasks.get(&id)
    }

    /// Mutable task by id (in memory only; call [`persist_id`](Self::persist_id) after).
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Task> {
        self.tasks.get_mut(&id)
    }

    /// Takes the first queued task whose catalog is not in `busy`.
    pub fn take_next(&mut self, busy: &[String]) -> Option<Task> {
        let at = self
            .queue
            .iter()
            .position(|id| !busy.contains(&self.tasks[id].catalog))?;
        let id = self.queue.remove(at)?;
        Some(self.tasks[&id].clone())
    }

    /// Whether a task for `catalog` is queued.
    pub fn has_queued(&self, catalog: &str) -> bool {
        self.queue
            .iter()
            .any(|id| self.tasks[id].catalog == catalog)
    }

    /// Removes queued tasks of `catalog`, failing them with `error`.
    pub fn cancel_queued(&mut self, catalog: &str, error: TaskError) -> Result<()> {
        let cancelled: Vec<u64> = self
            .queue
            .iter()
            .copied()
            .filter(|id| self.tasks[id].catalog == catalog)
            .collect();
        self.queue.retain(|id| !cancelled.contains(id));
        for id in cancelled {
            if let Some(task) = self.tasks.get_mut(&id) {
                task.status = TaskStatus::Failed;
                task.error = Some(error.clone());
                task.finished_at = Some(crate::index::now_rfc3339());
            }
            self.persist_id(id)?;
        }
        Ok(())
    }

    /// Writes a task to disk.
    pub fn persist_id(&mut self, id: u64) -> Result<()> {
        if let Some(task) = self.tasks.get(&id) {
            self.persist(task)?;
        }
        Ok(())
    }

    fn persist(&self, task: &Task) -> Result<()> {
        let stored = StoredTask {
            task: task.clone(),
            source: task.source.clone(),
        };
        write_atomically(
            &self.dir.join(format!("{:012}.json", task.task_id)),
            &serde_json::to_vec(&stored)?,
        )?;
        Ok(())
    }

    /// Replaces a task and persists it; prunes the oldest finished tasks beyond the history.
    pub fn update(&mut self, task: Task) -> Result<()> {
        self.persist(&task)?;
        self.tasks.insert(task.task_id, task);
        let finished: Vec<u64> = self
            .tasks
            .values()
            .filter(|t| t.status.is_finished())
            .map(|t| t.task_id)
            .collect();
        if finished.len() > self.history {
            for id in &finished[..finished.len() - self.history] {
                self.tasks.remove(id);
                let _ = std::fs::remove_file(self.dir.join(format!("{id:012}.json")));
            }
        }
        Ok(())
    }
}
