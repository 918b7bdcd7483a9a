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

/// On-disk form: the view plus what the view hides (the source, the attempts so far).
#[derive(Serialize, Deserialize)]
struct StoredTask {
    #[serde(flatten)]
    task: Task,
    source: Option<TaskSource>,
    #[serde(default)]
    attempts: u32,
}

impl Task {
    /// Records a row error, keeping at most [`MAX_TASK_ERRORS`].
    pub fn reject(&mut self, errors: Vec<RowError>) {
        self.rejected += 1;
        let room = MAX_TASK_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(errors.into_iter().take(room));
    }

    /// Ends the task as failed with `code` and `message`.
    pub fn fail(&mut self, code: &str, message: impl Into<String>) {
        self.status = TaskStatus::Failed;
        self.error = Some(TaskError {
            code: code.into(),
            message: message.into(),
        });
        self.finished_at = Some(crate::index::now_rfc3339());
    }

    /// Bytes of the spooled feed the task reads (0 for other sources).
    pub fn spooled_bytes(&self) -> u64 {
        match &self.source {
            Some(TaskSource::Feed {
                path,
                spooled: true,
                ..
            }) => std::fs::metadata(path).map_or(0, |m| m.len()),
            _ => 0,
        }
    }

    /// Removes the task's spooled feed, if it has one.
    pub fn remove_spool(&self) {
        if let Some(TaskSource::Feed {
            path,
            spooled: true,
            ..
        }) = &self.source
        {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A new task, not yet stored.
pub fn new_task(
    task_id: u64,
    catalog: &str,
    kind: TaskKind,
    on_error: OnError,
    source: TaskSource,
) -> Task {
    Task {
        task_id,
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
    }
}

/// Where a task is stored.
fn task_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:012}.json"))
}

/// Writes a task file. `durable` syncs it to disk before returning (an acknowledged task must
/// survive a power loss); state changes after that need not, since re-running a task is safe.
pub fn persist(dir: &Path, task: &Task, attempts: u32, durable: bool) -> Result<()> {
    let stored = StoredTask {
        task: task.clone(),
        source: task.source.clone(),
        attempts,
    };
    let bytes = serde_json::to_vec(&stored)?;
    let path = task_path(dir, task.task_id);
    if durable {
        write_atomically(&path, &bytes)?;
    } else {
        let tmp = path.with_extension("tmp-write");
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)?;
    }
    Ok(())
}

/// A task recovered at start that has not finished.
pub struct Unfinished {
    pub task_id: u64,
    /// Times a worker has started it before.
    pub attempts: u32,
}

/// Tasks in memory, mirrored to disk one file each.
pub struct TaskStore {
    dir: PathBuf,
    tasks: BTreeMap<u64, Task>,
    /// Times each unfinished task was started.
    attempts: BTreeMap<u64, u32>,
    /// Finished tasks, oldest first, for pruning beyond the history.
    finished: VecDeque<u64>,
    next_id: u64,
    history: usize,
}

impl TaskStore {
    /// Loads every stored task; returns the store and the unfinished tasks in id order.
    pub fn open(dir: &Path, history: usize) -> Result<(TaskStore, Vec<Unfinished>)> {
        std::fs::create_dir_all(dir)?;
        let mut tasks = BTreeMap::new();
        let mut attempts = BTreeMap::new();
        let mut highest = 0;
        let paths: Vec<PathBuf> = std::fs::read_dir(dir)?
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .collect();
        // Up to `history` small files: read in parallel (see the registry's scan).
        let read = super::read_in_parallel(paths, |path| {
            let stored = std::fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice::<StoredTask>(&b).map_err(|e| e.to_string()));
            (path, stored)
        });
        for (path, stored) in read {
            // An unreadable file still holds its id: no later task may take it.
            if let Some(id) = path
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse::<u64>().ok())
            {
                highest = highest.max(id);
            }
            match stored {
                Ok(stored) => {
                    let mut task = stored.task;
                    task.source = stored.source;
                    if !task.status.is_finished() {
                        attempts.insert(task.task_id, stored.attempts);
                    }
                    tasks.insert(task.task_id, task);
                }
                Err(err) => {
                    tracing::warn!(path = %path.display(), %err, "skipping unreadable task file")
                }
            }
        }
        let mut finished: Vec<(String, u64)> = Vec::new();
        let mut unfinished = Vec::new();
        for task in tasks.values_mut() {
            if task.status.is_finished() {
                finished.push((task.finished_at.clone().unwrap_or_default(), task.task_id));
            } else {
                task.status = TaskStatus::Enqueued;
                unfinished.push(Unfinished {
                    task_id: task.task_id,
                    attempts: attempts.get(&task.task_id).copied().unwrap_or(0),
                });
            }
        }
        finished.sort();
        let next_id = highest.max(tasks.keys().next_back().copied().unwrap_or(0)) + 1;
        let store = TaskStore {
            dir: dir.to_path_buf(),
            tasks,
            attempts,
            finished: finished.into_iter().map(|(_, id)| id).collect(),
            next_id,
            history,
        };
        Ok((store, unfinished))
    }

    /// The directory task files live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Takes the next task id.
    pub fn reserve_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Adds a task already written to disk.
    pub fn insert(&mut self, task: Task) {
        self.tasks.insert(task.task_id, task);
    }

    /// A task by id.
    pub fn get(&self, id: u64) -> Option<&Task> {
        self.tasks.get(&id)
    }

    /// Mutable task by id (in memory only).
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Task> {
        self.tasks.get_mut(&id)
    }

    /// Counts one more start of task `id`; returns the attempts so far, this one included.
    pub fn start_attempt(&mut self, id: u64) -> u32 {
        let attempts = self.attempts.entry(id).or_insert(0);
        *attempts += 1;
        *attempts
    }

    /// Starts of task `id` so far.
    pub fn attempts(&self, id: u64) -> u32 {
        self.attempts.get(&id).copied().unwrap_or(0)
    }

    /// Replaces a finished task in memory; prunes the oldest finished tasks (and their files)
    /// beyond the history. The caller has written it to disk.
    pub fn finish(&mut self, task: Task) {
        let id = task.task_id;
        self.attempts.remove(&id);
        self.tasks.insert(id, task);
        self.finished.push_back(id);
        while self.finished.len() > self.history {
            if let Some(old) = self.finished.pop_front() {
                self.tasks.remove(&old);
                let _ = std::fs::remove_file(task_path(&self.dir, old));
            }
        }
    }

    /// A catalog's tasks, newest first, optionally of one status: a page of them and how many
    /// there are in all.
    pub fn list(
        &self,
        catalog: &str,
        status: Option<TaskStatus>,
        limit: usize,
        offset: usize,
    ) -> (Vec<Task>, usize) {
        let matching = self
            .tasks
            .values()
            .rev()
            .filter(|t| t.catalog == catalog && status.is_none_or(|s| t.status == s));
        let mut total = 0;
        let mut page = Vec::new();
        for task in matching {
            if total >= offset && page.len() < limit {
                page.push(task.clone());
            }
            total += 1;
        }
        (page, total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> TaskSource {
        TaskSource::Ids {
            ids: vec!["a".into()],
        }
    }

    #[test]
    fn tasks_survive_a_restart_and_ids_are_never_reused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, unfinished) = TaskStore::open(dir.path(), 10).unwrap();
        assert!(unfinished.is_empty());
        for _ in 0..3 {
            let id = store.reserve_id();
            let task = new_task(id, "shop", TaskKind::Delete, OnError::Abort, source());
            persist(dir.path(), &task, 0, true).unwrap();
            store.insert(task);
        }
        let mut done = store.get(1).unwrap().clone();
        done.status = TaskStatus::Succeeded;
        persist(dir.path(), &done, 1, false).unwrap();
        store.finish(done);
        persist(dir.path(), store.get(2).unwrap(), 2, false).unwrap();
        // Task 3's file is cut short by a crash.
        std::fs::write(task_path(dir.path(), 3), b"{\"task_id\":3,").unwrap();

        let (mut store, unfinished) = TaskStore::open(dir.path(), 10).unwrap();
        let ids: Vec<(u64, u32)> = unfinished.iter().map(|u| (u.task_id, u.attempts)).collect();
        assert_eq!(
            ids,
            [(2, 2)],
            "the unfinished task comes back with its attempts"
        );
        assert_eq!(store.get(1).unwrap().status, TaskStatus::Succeeded);
        assert_eq!(store.reserve_id(), 4, "the damaged file's id is not reused");
    }

    #[test]
    fn history_is_bounded_and_listing_pages_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _) = TaskStore::open(dir.path(), 3).unwrap();
        for n in 0..5 {
            let id = store.reserve_id();
            let catalog = if n % 2 == 0 { "a" } else { "b" };
            let mut task = new_task(id, catalog, TaskKind::Delete, OnError::Abort, source());
            task.status = TaskStatus::Succeeded;
            persist(dir.path(), &task, 0, false).unwrap();
            store.finish(task);
        }
        assert!(store.get(1).is_none() && store.get(2).is_none(), "pruned");
        assert!(!task_path(dir.path(), 1).exists());
        let (page, total) = store.list("a", None, 10, 0);
        assert_eq!(total, 2);
        assert_eq!(page.iter().map(|t| t.task_id).collect::<Vec<_>>(), [5, 3]);
        let (page, total) = store.list("a", Some(TaskStatus::Succeeded), 1, 1);
        assert_eq!((page[0].task_id, total), (3, 2));
    }
}
