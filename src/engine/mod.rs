//! The set of catalogs and the write-task queue, behind a synchronous API the server calls.
//! Searches read an immutable snapshot of a catalog's live generation; writes run one task per
//! catalog at a time on worker threads, and every task is on disk before it is acknowledged.

mod catalogs;
mod ingest;
pub mod keys;
pub mod tasks;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub use catalogs::{validate_catalog_name, Catalog, CatalogInfo};
use tasks::{OnError, Task, TaskError, TaskKind, TaskSource, TaskStatus, TaskStore};

use crate::catalog::{FeedFormat, Product};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::search::{SearchRequest, SearchResults};

/// Most synonym groups a catalog may define.
pub const MAX_SYNONYM_GROUPS: usize = 10_000;
/// Most terms in one synonym group.
pub const MAX_SYNONYM_TERMS: usize = 50;
/// Longest synonym term, in characters.
pub const MAX_SYNONYM_CHARS: usize = 100;

/// Checks a catalog's synonym groups; the message names the first bad group.
fn validate_synonyms(groups: &[Vec<String>]) -> Result<()> {
    let invalid = |message: String| Err(Error::invalid("invalid_synonyms", message));
    if groups.len() > MAX_SYNONYM_GROUPS {
        return invalid(format!(
            "at most {MAX_SYNONYM_GROUPS} synonym groups, got {}",
            groups.len()
        ));
    }
    for (at, group) in groups.iter().enumerate() {
        if !(2..=MAX_SYNONYM_TERMS).contains(&group.len()) {
            return invalid(format!(
                "synonym group {at} must have 2 to {MAX_SYNONYM_TERMS} terms, got {}",
                group.len()
            ));
        }
        for term in group {
            let chars = term.chars().count();
            if chars > MAX_SYNONYM_CHARS || crate::analysis::tokens(term).is_empty() {
                return invalid(format!(
                    "synonym group {at}: term {term:?} must have 1 to {MAX_SYNONYM_CHARS} characters with at least one letter or digit"
                ));
            }
        }
    }
    Ok(())
}

/// Name of the embedded default catalog.
pub const DEMO_CATALOG: &str = "demo";
/// Most suggestions one request may ask for.
pub const MAX_SUGGEST_LIMIT: usize = 20;
/// Seconds a client should wait before retrying when the queue is full.
const RETRY_AFTER_SECS: u64 = 5;

struct Queue {
    store: TaskStore,
    /// Catalogs with a task running now.
    busy: Vec<String>,
    shutting_down: bool,
}

/// The engine: catalogs, tasks and the workers that run them.
pub struct Engine {
    config: Config,
    catalogs: catalogs::Catalogs,
    queue: Mutex<Queue>,
    /// Signalled when a task is queued, progresses or finishes.
    changed: Condvar,
    ready: AtomicBool,
    workers: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// API keys.
    pub keys: keys::KeyStore,
}

impl Engine {
    /// Opens the data directory, loads every catalog, requeues unfinished tasks, queues the demo
    /// catalog's first build when asked, and starts the workers. Loading happens on a
    /// background thread; [`is_ready`](Self::is_ready) turns true when it is done.
    pub fn start(config: Config) -> Result<Arc<Engine>> {
        config.validate()?;
        std::fs::create_dir_all(config.catalogs_dir())?;
        std::fs::create_dir_all(spool_dir(&config))?;
        let store = TaskStore::open(&config.data_dir.join("tasks"), config.task_history)?;
        let keys = keys::KeyStore::open(
            config.data_dir.join("keys.json"),
            config.admin_key.as_deref(),
        )?;
        let engine = Arc::new(Engine {
            catalogs: catalogs::Catalogs::new(config.catalogs_dir()),
            queue: Mutex::new(Queue {
                store,
                busy: Vec::new(),
                shutting_down: false,
            }),
            changed: Condvar::new(),
            ready: AtomicBool::new(false),
            workers: Mutex::new(Vec::new()),
            keys,
            config,
        });
        let loader = Arc::clone(&engine);
        std::thread::Builder::new()
            .name("kirana-load".into())
            .spawn(move || loader.load())?;
        Ok(engine)
    }

    /// Opens everything synchronously: for tools and tests that need a ready engine at once.
    pub fn open(config: Config) -> Result<Arc<Engine>> {
        let engine = Engine::start(config)?;
        engine.wait_ready(Duration::from_secs(600));
        Ok(engine)
    }

    fn load(self: Arc<Self>) {
        let started = Instant::now();
        if let Err(err) = self.catalogs.load_all() {
            tracing::error!(%err, "loading catalogs failed");
        }
        tracing::info!(
            catalogs = self.catalogs.all().len(),
            ms = started.elapsed().as_millis() as u64,
            "catalogs loaded"
        );
        let demo_task = if self.config.demo && self.catalogs.get(DEMO_CATALOG).is_none() {
            let mut queue = self.lock_queue();
            if queue.store.has_queued(DEMO_CATALOG) {
                None
            } else {
                match queue.store.enqueue(
                    DEMO_CATALOG,
                    TaskKind::Replace,
                    OnError::Abort,
                    TaskSource::Sample,
                ) {
                    Ok(task) => {
                        tracing::info!(
                            task_id = task.task_id,
                            "building the demo catalog from the embedded sample"
                        );
                        Some(task.task_id)
                    }
                    Err(err) => {
                        tracing::error!(%err, "could not queue the demo catalog build");
                        None
                    }
                }
            }
        } else {
            None
        };
        let mut workers = self.workers.lock().unwrap_or_else(|e| e.into_inner());
        for n in 0..self.config.task_workers {
            let worker = Arc::clone(&self);
            match std::thread::Builder::new()
                .name(format!("kirana-task-{n}"))
                .spawn(move || worker.work())
            {
                Ok(handle) => workers.push(handle),
                Err(err) => tracing::error!(%err, "could not start a task worker"),
            }
        }
        drop(workers);
        if let Some(id) = demo_task {
            self.wait_task(id, Duration::from_secs(3600));
        }
        self.ready.store(true, Ordering::SeqCst);
        self.changed.notify_all();
        tracing::info!("ready");
    }

    /// Whether every catalog on disk is loaded (and the demo catalog built, when asked).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Blocks until ready or `timeout`.
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut queue = self.lock_queue();
        while !self.is_ready() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            queue = self
                .changed
                .wait_timeout(queue, left.min(Duration::from_millis(50)))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// The configuration the engine runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where request bodies are spooled before their task is queued.
    pub fn spool_dir(&self) -> PathBuf {
        spool_dir(&self.config)
    }

    fn lock_queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a full replace or an upsert from a spooled feed. The spool file becomes the
    /// task's; it is removed when the task finishes.
    pub fn enqueue_feed(
        &self,
        catalog: &str,
        kind: TaskKind,
        format: FeedFormat,
        spool: PathBuf,
        on_error: OnError,
    ) -> Result<Task> {
        validate_catalog_name(catalog)?;
        self.enqueue(
            catalog,
            kind,
            on_error,
            TaskSource::Feed {
                path: spool,
                format: format.into(),
                spooled: true,
            },
        )
    }

    /// Queues a full replace from a file the caller keeps (the `index` command).
    pub fn enqueue_file(
        &self,
        catalog: &str,
        format: FeedFormat,
        path: PathBuf,
        on_error: OnError,
    ) -> Result<Task> {
        validate_catalog_name(catalog)?;
        self.enqueue(
            catalog,
            TaskKind::Replace,
            on_error,
            TaskSource::Feed {
                path,
                format: format.into(),
                spooled: false,
            },
        )
    }

    /// Queues a delete of products by id.
    pub fn enqueue_delete(&self, catalog: &str, ids: Vec<String>) -> Result<Task> {
        self.catalog(catalog)?;
        self.enqueue(
            catalog,
            TaskKind::Delete,
            OnError::Abort,
            TaskSource::Ids { ids },
        )
    }

    fn enqueue(
        &self,
        catalog: &str,
        kind: TaskKind,
        on_error: OnError,
        source: TaskSource,
    ) -> Result<Task> {
        let mut queue = self.lock_queue();
        if queue.shutting_down {
            return Err(Error::Unavailable {
                message: "kirana is shutting down; retry shortly".into(),
            });
        }
        if queue.store.queue_len() >= self.config.task_queue_capacity {
            return Err(Error::Overloaded {
                message: format!(
                    "{} write tasks are already queued; retry in a few seconds",
                    queue.store.queue_len()
                ),
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        let task = queue.store.enqueue(catalog, kind, on_error, source)?;
        drop(queue);
        self.changed.notify_all();
        Ok(task)
    }

    /// A task by id.
    pub fn task(&self, id: u64) -> Result<Task> {
        self.lock_queue()
            .store
            .get(id)
            .cloned()
            .ok_or_else(|| Error::not_found("task_not_found", format!("no task {id}")))
    }

    /// Waits until task `id` has finished or `timeout` passes; returns it as it is then.
    pub fn wait_task(&self, id: u64, timeout: Duration) -> Option<Task> {
        let deadline = Instant::now() + timeout;
        let mut queue = self.lock_queue();
        loop {
            let task = queue.store.get(id)?.clone();
            let left = deadline.saturating_duration_since(Instant::now());
            if task.status.is_finished() || left.is_zero() {
                return Some(task);
            }
            queue = self
                .changed
                .wait_timeout(queue, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Write tasks waiting to run.
    pub fn queue_depth(&self) -> usize {
        self.lock_queue().store.queue_len()
    }

    /// Shows a running task's counters to readers.
    fn publish_progress(&self, task: &Task) {
        let mut queue = self.lock_queue();
        if let Some(stored) = queue.store.get_mut(task.task_id) {
            stored.received = task.received;
            stored.rejected = task.rejected;
            stored.indexed = task.indexed;
        }
    }

    fn work(self: Arc<Self>) {
        loop {
            let mut task = {
                let mut queue = self.lock_queue();
                loop {
                    if queue.shutting_down {
                        return;
                    }
                    let busy = queue.busy.clone();
                    if let Some(task) = queue.store.take_next(&busy) {
                        queue.busy.push(task.catalog.clone());
                        break task;
                    }
                    queue = self.changed.wait(queue).unwrap_or_else(|e| e.into_inner());
                }
            };
            task.status = TaskStatus::Processing;
            task.started_at = Some(crate::index::now_rfc3339());
            self.store_task(&task);
            let started = Instant::now();
            let outcome = self.run(&mut task);
            task.finished_at = Some(crate::index::now_rfc3339());
            match outcome {
                Ok(None) => task.status = TaskStatus::Succeeded,
                Ok(Some(error)) => {
                    task.status = TaskStatus::Failed;
                    task.error = Some(error);
                }
                Err(err) => {
                    tracing::error!(task_id = task.task_id, catalog = %task.catalog, %err, "task failed");
                    task.status = TaskStatus::Failed;
                    task.error = Some(TaskError {
                        code: "internal".into(),
                        message: "the task failed inside kirana; the live catalog is unchanged. See the server log.".into(),
                    });
                }
            }
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
            if let Some(TaskSource::Feed {
                path,
                spooled: true,
                ..
            }) = &task.source
            {
                let _ = std::fs::remove_file(path);
            }
            self.store_task(&task);
            let mut queue = self.lock_queue();
            queue.busy.retain(|c| c != &task.catalog);
            drop(queue);
            self.changed.notify_all();
        }
    }

    fn store_task(&self, task: &Task) {
        if let Err(err) = self.lock_queue().store.update(task.clone()) {
            tracing::error!(task_id = task.task_id, %err, "could not persist task state");
        }
        self.changed.notify_all();
    }

    fn run(&self, task: &mut Task) -> Result<Option<TaskError>> {
        let catalog = self.catalogs.get_or_create(&task.catalog)?;
        match task.kind {
            TaskKind::Replace => ingest::replace(self, &catalog, task),
            TaskKind::Upsert => ingest::upsert(self, &catalog, task),
            TaskKind::Delete => ingest::delete(&catalog, task),
        }
    }

    /// A catalog that exists and has a live generation.
    pub fn catalog(&self, name: &str) -> Result<Arc<Catalog>> {
        validate_catalog_name(name)?;
        self.catalogs
            .get(name)
            .filter(|c| c.live().is_some())
            .ok_or_else(|| Error::not_found("catalog_not_found", format!("no catalog named {name:?}; create it with PUT /v1/catalogs/{name}/products")))
    }

    /// Searches a catalog.
    pub fn search(&self, catalog: &str, request: &SearchRequest) -> Result<SearchResults> {
        request.validate()?;
        let catalog = self.catalog(catalog)?;
        let generation = catalog
            .live()
            .ok_or_else(|| Error::not_found("catalog_not_found", "catalog has no products yet"))?;
        crate::search::search(&generation.snapshot(), &catalog.synonyms(), request)
    }

    /// A catalog's own synonym groups.
    pub fn synonyms(&self, catalog: &str) -> Result<Vec<Vec<String>>> {
        Ok(self.catalog(catalog)?.synonym_groups())
    }

    /// Replaces a catalog's own synonym groups; searches use them at once, no reindex.
    pub fn set_synonyms(&self, catalog: &str, groups: Vec<Vec<String>>) -> Result<()> {
        let catalog = self.catalog(catalog)?;
        validate_synonyms(&groups)?;
        catalog.set_synonym_groups(groups)
    }

    /// Completions of what a shopper is typing.
    pub fn suggest(
        &self,
        catalog: &str,
        query: &str,
        limit: usize,
    ) -> Result<crate::suggest::Suggestions> {
        if !(1..=MAX_SUGGEST_LIMIT).contains(&limit) {
            return Err(Error::invalid(
                "invalid_limit",
                format!("limit must be between 1 and {MAX_SUGGEST_LIMIT}, got {limit}"),
            ));
        }
        let suggester = self
            .catalog(catalog)?
            .suggester()
            .ok_or_else(|| Error::Unavailable {
                message: format!("suggestions for {catalog:?} are being built; retry shortly"),
            })?;
        Ok(suggester.suggest(query, limit))
    }

    /// The stored product `id` of a catalog.
    pub fn product(&self, catalog: &str, id: &str) -> Result<Product> {
        let generation = self
            .catalog(catalog)?
            .live()
            .ok_or_else(|| Error::not_found("catalog_not_found", "catalog has no products yet"))?;
        generation.product(id)?.ok_or_else(|| {
            Error::not_found(
                "product_not_found",
                format!("catalog {catalog:?} has no product with id {id:?}"),
            )
        })
    }

    /// Stats of one catalog.
    pub fn catalog_info(&self, name: &str) -> Result<CatalogInfo> {
        self.catalog(name)?.info().ok_or_else(|| {
            Error::not_found("catalog_not_found", format!("no catalog named {name:?}"))
        })
    }

    /// Stats of every catalog, by name.
    pub fn catalogs(&self) -> Vec<CatalogInfo> {
        self.catalogs
            .all()
            .iter()
            .filter_map(|c| c.info())
            .collect()
    }

    /// Deletes a catalog and everything queued for it.
    pub fn delete_catalog(&self, name: &str) -> Result<()> {
        self.catalog(name)?;
        let mut queue = self.lock_queue();
        queue.store.cancel_queued(
            name,
            TaskError {
                code: "catalog_deleted".into(),
                message: format!("catalog {name:?} was deleted before this task ran"),
            },
        )?;
        // Wait for a running task of this catalog to end, so it cannot recreate files.
        while queue.busy.iter().any(|c| c == name) {
            queue = self.changed.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
        self.catalogs.remove(name)?;
        Ok(())
    }

    /// Stops taking tasks and waits for the running ones to finish.
    pub fn shutdown(&self) {
        self.lock_queue().shutting_down = true;
        self.changed.notify_all();
        let workers: Vec<_> = self
            .workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect();
        for worker in workers {
            let _ = worker.join();
        }
    }
}

fn spool_dir(config: &Config) -> PathBuf {
    config.data_dir.join("tasks").join("spool")
}
