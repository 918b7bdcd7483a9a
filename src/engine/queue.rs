//! The write queue: one queue of tasks per catalog, and catalogs served in turn by a bounded
//! pool of index workers. A worker takes the next catalog in turn and runs its next task, or
//! several consecutive upserts and deletes together (they are applied in one commit and each
//! still reported on its own). Heavy work (full replaces, big feeds) may hold all workers but
//! one, so a merchant's small upsert never waits behind other merchants' large replaces.
//!
//! Every task is written to disk before it is acknowledged; the queue's lock is never held
//! while a task file is written.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::tasks::{self, OnError, Task, TaskKind, TaskSource, TaskStatus, TaskStore, Unfinished};
use crate::error::{Error, Result};

/// Most tasks applied in one commit.
const MAX_BATCH_TASKS: usize = 1_000;
/// Most spooled feed bytes applied in one commit.
const MAX_BATCH_BYTES: u64 = 64 * 1024 * 1024;
/// A feed larger than this is heavy work (about 5,000 products).
const HEAVY_FEED_BYTES: u64 = 1024 * 1024;
/// Ids beyond which a delete is heavy work.
const HEAVY_DELETE_IDS: usize = 20_000;
/// Seconds a client should wait before retrying when a queue is full.
const RETRY_AFTER_SECS: u64 = 5;

/// The queue's limits, from the config.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Index workers.
    pub workers: usize,
    /// Tasks one catalog may have waiting.
    pub max_pending_per_catalog: usize,
    /// Tasks all catalogs together may have waiting.
    pub max_pending_total: usize,
    /// Bytes of spooled feeds waiting.
    pub max_spool_bytes: u64,
    /// Starts of one task before it is given up.
    pub max_attempts: u32,
}

/// Tasks a worker runs together: one catalog's, in order.
pub struct Batch {
    /// The catalog they write.
    pub catalog: String,
    /// The tasks, marked processing.
    pub tasks: Vec<Task>,
    heavy: bool,
}

struct State {
    store: TaskStore,
    /// Waiting task ids of each catalog, oldest first.
    pending: HashMap<String, VecDeque<u64>>,
    /// Catalogs with waiting tasks and none running, in turn order.
    turns: VecDeque<String>,
    /// Catalogs with a batch running, and whether it is heavy.
    running: HashMap<String, bool>,
    heavy_running: usize,
    /// Catalogs whose tasks must not start (being deleted).
    held: HashSet<String>,
    /// Waiting tasks of all catalogs.
    waiting: usize,
    /// Spooled bytes of each waiting or running task.
    spool: HashMap<u64, u64>,
    spool_total: u64,
    shutting_down: bool,
}

/// The queue; see the module docs.
pub struct Queue {
    state: Mutex<State>,
    changed: Condvar,
    dir: PathBuf,
    limits: Limits,
}

/// Whether a task is heavy work: a big feed, a big delete, or the demo catalog's build.
fn is_heavy(task: &Task, spooled: u64) -> bool {
    match &task.source {
        Some(TaskSource::Ids { ids }) => ids.len() > HEAVY_DELETE_IDS,
        Some(TaskSource::Sample) => true,
        Some(TaskSource::Feed { path, .. }) if spooled == 0 => {
            // The index command's own file.
            std::fs::metadata(path).map_or(true, |m| m.len() > HEAVY_FEED_BYTES)
        }
        _ => spooled > HEAVY_FEED_BYTES,
    }
}

impl Queue {
    /// A queue over the stored tasks: unfinished ones wait again in id order, except those
    /// already started `max_attempts` times, which fail.
    pub fn recover(store: TaskStore, unfinished: Vec<Unfinished>, limits: Limits) -> Queue {
        let dir = store.dir().to_path_buf();
        let mut state = State {
            store,
            pending: HashMap::new(),
            turns: VecDeque::new(),
            running: HashMap::new(),
            heavy_running: 0,
            held: HashSet::new(),
            waiting: 0,
            spool: HashMap::new(),
            spool_total: 0,
            shutting_down: false,
        };
        for Unfinished { task_id, attempts } in unfinished {
            let Some(task) = state.store.get(task_id).cloned() else {
                continue;
            };
            if attempts >= limits.max_attempts {
                let mut task = task;
                task.fail(
                    "task_attempts_exhausted",
                    format!("the task was interrupted {attempts} times (a crash or restart while it ran) and was given up; send it again"),
                );
                tracing::error!(task_id, catalog = %task.catalog, attempts, "task given up after repeated interruptions");
                if let Err(err) = tasks::persist(&dir, &task, attempts, true) {
                    tracing::error!(task_id, %err, "could not store the failed task");
                }
                task.remove_spool();
                state.store.finish(task);
                continue;
            }
            let spooled = task.spooled_bytes();
            state.queue(&task.catalog, task_id, spooled);
        }
        if state.waiting > 0 {
            tracing::info!(tasks = state.waiting, "unfinished tasks queued again");
        }
        Queue {
            state: Mutex::new(state),
            changed: Condvar::new(),
            dir,
            limits,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a task may be queued now for `catalog` with `spooled` more bytes.
    fn admit(&self, state: &State, catalog: &str, spooled: u64) -> Result<()> {
        if state.shutting_down {
            return Err(Error::unavailable(
                "shutting_down",
                "kirana is shutting down; retry shortly",
                RETRY_AFTER_SECS,
            ));
        }
        let mine = state.pending.get(catalog).map_or(0, VecDeque::len);
        if mine >= self.limits.max_pending_per_catalog {
            return Err(Error::TooManyRequests {
                code: "too_many_pending_tasks",
                message: format!(
                    "catalog {catalog:?} already has {mine} write tasks waiting (the limit is {}); wait for some to finish, or send changes in bigger batches",
                    self.limits.max_pending_per_catalog
                ),
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        if state.waiting >= self.limits.max_pending_total {
            return Err(Error::Overloaded {
                message: format!(
                    "{} write tasks are already waiting on this node; retry in a few seconds",
                    state.waiting
                ),
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        if state.spool_total + spooled > self.limits.max_spool_bytes {
            return Err(Error::Overloaded {
                message: format!(
                    "{} MiB of feeds are already waiting to be indexed; retry in a few seconds",
                    state.spool_total >> 20
                ),
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        Ok(())
    }

    /// Whether a feed of `bytes` could be queued now for `catalog` (checked before spooling
    /// it; [`enqueue`](Self::enqueue) checks again).
    pub fn check_room(&self, catalog: &str, bytes: u64) -> Result<()> {
        let state = self.lock();
        self.admit(&state, catalog, bytes)
    }

    /// Stores a task durably, then queues it.
    pub fn enqueue(
        &self,
        catalog: &str,
        kind: TaskKind,
        on_error: OnError,
        source: TaskSource,
    ) -> Result<Task> {
        let probe = tasks::new_task(0, catalog, kind, on_error, source);
        let spooled = probe.spooled_bytes();
        let task_id = {
            let mut state = self.lock();
            self.admit(&state, catalog, spooled)?;
            // Counted now, so concurrent requests cannot overshoot the spool limit.
            state.spool_total += spooled;
            state.store.reserve_id()
        };
        let task = Task { task_id, ..probe };
        if let Err(err) = tasks::persist(&self.dir, &task, 0, true) {
            self.lock().spool_total -= spooled;
            return Err(err);
        }
        let mut state = self.lock();
        state.spool_total -= spooled;
        state.store.insert(task.clone());
        state.queue(catalog, task_id, spooled);
        drop(state);
        self.changed.notify_all();
        Ok(task)
    }

    /// The next batch to run, waiting for one; `None` once shutting down.
    pub fn next_batch(&self) -> Option<Batch> {
        let mut state = self.lock();
        loop {
            if state.shutting_down {
                return None;
            }
            let max_heavy = self.limits.workers.saturating_sub(1).max(1);
            if let Some(batch) = state.take_batch(max_heavy) {
                drop(state);
                for task in &batch.tasks {
                    let attempts = self.lock().store.attempts(task.task_id);
                    if let Err(err) = tasks::persist(&self.dir, task, attempts, false) {
                        tracing::error!(task_id = task.task_id, %err, "could not store task state");
                    }
                }
                self.changed.notify_all();
                return Some(batch);
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Shows a running task's counters to readers.
    pub fn progress(&self, task: &Task) {
        let mut state = self.lock();
        if let Some(stored) = state.store.get_mut(task.task_id) {
            stored.received = task.received;
            stored.rejected = task.rejected;
            stored.indexed = task.indexed;
        }
    }

    /// Records a finished batch and gives its catalog its next turn.
    pub fn finish(&self, batch: Batch) {
        for task in &batch.tasks {
            let attempts = self.lock().store.attempts(task.task_id);
            if let Err(err) = tasks::persist(&self.dir, task, attempts, false) {
                tracing::error!(task_id = task.task_id, %err, "could not store task state");
            }
            task.remove_spool();
        }
        let mut state = self.lock();
        for task in batch.tasks {
            if let Some(bytes) = state.spool.remove(&task.task_id) {
                state.spool_total -= bytes;
            }
            state.store.finish(task);
        }
        state.running.remove(&batch.catalog);
        if batch.heavy {
            state.heavy_running -= 1;
        }
        if state
            .pending
            .get(&batch.catalog)
            .is_some_and(|p| !p.is_empty())
        {
            state.turns.push_back(batch.catalog);
        } else {
            state.pending.remove(&batch.catalog);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// A task by id.
    pub fn task(&self, id: u64) -> Option<Task> {
        self.lock().store.get(id).cloned()
    }

    /// A page of a catalog's tasks, newest first, and how many match.
    pub fn list(
        &self,
        catalog: &str,
        status: Option<TaskStatus>,
        limit: usize,
        offset: usize,
    ) -> (Vec<Task>, usize) {
        self.lock().store.list(catalog, status, limit, offset)
    }

    /// Waits until task `id` has finished or `timeout` passes; returns it as it is then.
    pub fn wait_task(&self, id: u64, timeout: Duration) -> Option<Task> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            let task = state.store.get(id)?.clone();
            let left = deadline.saturating_duration_since(Instant::now());
            if task.status.is_finished() || left.is_zero() {
                return Some(task);
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Whether `catalog` has tasks waiting or running.
    pub fn has_work(&self, catalog: &str) -> bool {
        let state = self.lock();
        state.pending.contains_key(catalog) || state.running.contains_key(catalog)
    }

    /// Tasks waiting, all catalogs together.
    pub fn depth(&self) -> usize {
        self.lock().waiting
    }

    /// Fails every waiting task of `catalog` and holds its later ones back until
    /// [`release`](Self::release); returns once its running batch (if any) has finished.
    pub fn cancel_and_hold(&self, catalog: &str, code: &str, message: &str) {
        let mut state = self.lock();
        state.held.insert(catalog.to_string());
        let cancelled: Vec<u64> = state
            .pending
            .remove(catalog)
            .map(Vec::from)
            .unwrap_or_default();
        state.turns.retain(|c| c != catalog);
        state.waiting -= cancelled.len();
        let mut failed = Vec::new();
        for id in cancelled {
            if let Some(bytes) = state.spool.remove(&id) {
                state.spool_total -= bytes;
            }
            if let Some(mut task) = state.store.get(id).cloned() {
                task.fail(code, message);
                failed.push(task);
            }
        }
        drop(state);
        for task in &failed {
            if let Err(err) = tasks::persist(&self.dir, task, 0, false) {
                tracing::error!(task_id = task.task_id, %err, "could not store the cancelled task");
            }
            task.remove_spool();
        }
        let mut state = self.lock();
        for task in failed {
            state.store.finish(task);
        }
        while state.running.contains_key(catalog) {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Lets a held catalog's tasks run again.
    pub fn release(&self, catalog: &str) {
        let mut state = self.lock();
        state.held.remove(catalog);
        if state.pending.contains_key(catalog) && !state.turns.iter().any(|c| c == catalog) {
            state.turns.push_back(catalog.to_string());
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Stops handing out batches; running ones finish.
    pub fn shut_down(&self) {
        self.lock().shutting_down = true;
        self.changed.notify_all();
    }
}

impl State {
    /// Puts a stored task at the end of its catalog's queue.
    fn queue(&mut self, catalog: &str, task_id: u64, spooled: u64) {
        let pending = self.pending.entry(catalog.to_string()).or_default();
        let first = pending.is_empty();
        pending.push_back(task_id);
        self.waiting += 1;
        if spooled > 0 {
            self.spool.insert(task_id, spooled);
            self.spool_total += spooled;
        }
        if first && !self.running.contains_key(catalog) && !self.turns.iter().any(|c| c == catalog)
        {
            self.turns.push_back(catalog.to_string());
        }
    }

    /// The first catalog in turn whose next work may start, and that work.
    fn take_batch(&mut self, max_heavy: usize) -> Option<Batch> {
        let at = self.turns.iter().position(|catalog| {
            !self.held.contains(catalog)
                && self
                    .pending
                    .get(catalog)
                    .and_then(|p| p.front())
                    .is_some_and(|id| {
                        let heavy = self.heavy(*id);
                        !heavy || self.heavy_running < max_heavy
                    })
        })?;
        let catalog = self.turns.remove(at)?;
        let pending = self.pending.get_mut(&catalog)?;
        let first = pending.pop_front()?;
        let mut ids = vec![first];
        let heavy = {
            let task = self.store.get(first)?;
            is_heavy(task, self.spool.get(&first).copied().unwrap_or(0))
        };
        if !heavy
            && self
                .store
                .get(first)
                .is_some_and(|t| t.kind != TaskKind::Replace)
        {
            let mut bytes = self.spool.get(&first).copied().unwrap_or(0);
            while let Some(&next) = pending.front() {
                let Some(task) = self.store.get(next) else {
                    break;
                };
                let spooled = self.spool.get(&next).copied().unwrap_or(0);
                if task.kind == TaskKind::Replace
                    || is_heavy(task, spooled)
                    || ids.len() >= MAX_BATCH_TASKS
                    || bytes + spooled > MAX_BATCH_BYTES
                {
                    break;
                }
                bytes += spooled;
                ids.push(next);
                pending.pop_front();
            }
        }
        self.waiting -= ids.len();
        self.running.insert(catalog.clone(), heavy);
        if heavy {
            self.heavy_running += 1;
        }
        let now = crate::index::now_rfc3339();
        let mut tasks = Vec::with_capacity(ids.len());
        for id in ids {
            self.store.start_attempt(id);
            if let Some(task) = self.store.get_mut(id) {
                task.status = TaskStatus::Processing;
                task.started_at = Some(now.clone());
                tasks.push(task.clone());
            }
        }
        Some(Batch {
            catalog,
            tasks,
            heavy,
        })
    }

    fn heavy(&self, id: u64) -> bool {
        self.store
            .get(id)
            .is_some_and(|task| is_heavy(task, self.spool.get(&id).copied().unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(workers: usize) -> (tempfile::TempDir, Queue) {
        let dir = tempfile::tempdir().unwrap();
        let (store, unfinished) = TaskStore::open(dir.path(), 100).unwrap();
        let limits = Limits {
            workers,
            max_pending_per_catalog: 3,
            max_pending_total: 100,
            max_spool_bytes: 1 << 30,
            max_attempts: 3,
        };
        (dir, Queue::recover(store, unfinished, limits))
    }

    fn ids(ids: &[&str]) -> TaskSource {
        TaskSource::Ids {
            ids: ids.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn put(queue: &Queue, catalog: &str, kind: TaskKind) -> u64 {
        let source = match kind {
            TaskKind::Replace => TaskSource::Sample,
            _ => ids(&["x"]),
        };
        queue
            .enqueue(catalog, kind, OnError::Abort, source)
            .unwrap()
            .task_id
    }

    fn batch_ids(batch: &Batch) -> Vec<u64> {
        batch.tasks.iter().map(|t| t.task_id).collect()
    }

    #[test]
    fn catalogs_take_turns_and_consecutive_changes_run_together() {
        let (_dir, queue) = queue(2);
        let a1 = put(&queue, "a", TaskKind::Delete);
        let a2 = put(&queue, "a", TaskKind::Upsert);
        let b1 = put(&queue, "b", TaskKind::Delete);
        let a3 = put(&queue, "a", TaskKind::Replace);
        let first = queue.next_batch().unwrap();
        assert_eq!(
            (first.catalog.as_str(), batch_ids(&first)),
            ("a", vec![a1, a2])
        );
        let second = queue.next_batch().unwrap();
        assert_eq!(batch_ids(&second), [b1], "b does not wait behind a");
        queue.finish(first);
        let third = queue.next_batch().unwrap();
        assert_eq!(batch_ids(&third), [a3], "a replace runs alone");
    }

    #[test]
    fn heavy_work_leaves_a_worker_for_small_changes() {
        let (_dir, queue) = queue(2);
        put(&queue, "big1", TaskKind::Replace);
        put(&queue, "big2", TaskKind::Replace);
        let small = put(&queue, "small", TaskKind::Upsert);
        let first = queue.next_batch().unwrap();
        assert_eq!(first.catalog, "big1");
        let second = queue.next_batch().unwrap();
        assert_eq!(
            batch_ids(&second),
            [small],
            "the second replace waits; the upsert does not"
        );
    }

    #[test]
    fn a_catalog_may_not_queue_without_bound() {
        let (_dir, queue) = queue(1);
        for _ in 0..3 {
            put(&queue, "a", TaskKind::Delete);
        }
        let err = queue
            .enqueue("a", TaskKind::Delete, OnError::Abort, ids(&["y"]))
            .unwrap_err();
        assert!(matches!(
            err,
            Error::TooManyRequests {
                code: "too_many_pending_tasks",
                ..
            }
        ));
        put(&queue, "b", TaskKind::Delete);
    }

    #[test]
    fn an_interrupted_task_runs_again_until_its_attempts_are_spent() {
        let (dir, mut queue) = queue(1);
        let id = put(&queue, "a", TaskKind::Delete);
        let limits = queue.limits;
        for attempt in 1..=3 {
            let batch = queue.next_batch().unwrap();
            assert_eq!(batch_ids(&batch), [id], "attempt {attempt}");
            // The process dies here: the task is never finished.
            let (store, unfinished) = TaskStore::open(dir.path(), 100).unwrap();
            queue = Queue::recover(store, unfinished, limits);
        }
        let task = queue.task(id).unwrap();
        assert_eq!(task.status, TaskStatus::Failed);
        assert_eq!(task.error.unwrap().code, "task_attempts_exhausted");
    }

    #[test]
    fn cancelling_fails_waiting_tasks_and_holds_new_ones() {
        let (_dir, queue) = queue(1);
        let waiting = put(&queue, "a", TaskKind::Delete);
        queue.cancel_and_hold("a", "catalog_deleted", "deleted");
        assert_eq!(queue.task(waiting).unwrap().status, TaskStatus::Failed);
        let later = put(&queue, "a", TaskKind::Delete);
        let other = put(&queue, "b", TaskKind::Delete);
        assert_eq!(batch_ids(&queue.next_batch().unwrap()), [other]);
        queue.release("a");
        assert_eq!(batch_ids(&queue.next_batch().unwrap()), [later]);
    }
}
