//! The engine behind the synchronous API the server calls: the registry of catalogs (opened on
//! demand, kept in a bounded cache), the write queue with its index workers, and API keys.
//! Searches read an immutable snapshot of a catalog's live generation; every write task is on
//! disk before it is acknowledged.

mod catalog;
mod ingest;
pub mod keys;
mod queue;
mod registry;
mod synonyms;
pub mod tasks;
mod workers;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use catalog::{validate_catalog_name, Catalog, CatalogInfo};
pub use registry::CacheStats;
pub use synonyms::{MAX_SYNONYM_CHARS, MAX_SYNONYM_GROUPS, MAX_SYNONYM_TERMS};
use tasks::{OnError, Task, TaskKind, TaskSource, TaskStatus};

use crate::catalog::{FeedFormat, Product};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::search::{SearchRequest, SearchResults};

/// Name of the embedded default catalog.
pub const DEMO_CATALOG: &str = "demo";
/// Most suggestions one request may ask for.
pub const MAX_SUGGEST_LIMIT: usize = 20;
/// Seconds a client should wait before retrying on a full disk.
const DISK_FULL_RETRY_SECS: u64 = 60;

/// The engine: catalogs, tasks and the workers that run them.
pub struct Engine {
    config: Config,
    registry: registry::Registry,
    queue: queue::Queue,
    ready: AtomicBool,
    workers: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// API keys.
    pub keys: keys::KeyStore,
}

/// Threads that read the many small files of a start-up (manifests, task files): enough
/// reads in flight to hide a cold disk's latency; they wait on the disk, not on the CPU.
const SCAN_THREADS: usize = 32;

/// `read` applied to every item on a pool sized for waiting on the disk, results in order.
pub(crate) fn read_in_parallel<T: Send, R: Send>(
    items: Vec<T>,
    read: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(SCAN_THREADS)
        .thread_name(|n| format!("kirana-scan-{n}"))
        .build();
    match pool {
        Ok(pool) => pool.install(|| items.into_par_iter().map(&read).collect()),
        Err(err) => {
            tracing::warn!(%err, "no scan threads; reading in turn");
            items.into_iter().map(read).collect()
        }
    }
}

impl Engine {
    /// Opens the data directory: recovers the task queue, registers every catalog from its
    /// manifest (no index is opened), starts the index workers and queues the demo catalog's
    /// first build when asked. Ready at once, unless the demo catalog is being built for the
    /// first time: then [`is_ready`](Self::is_ready) turns true when it is.
    pub fn start(config: Config) -> Result<Arc<Engine>> {
        config.validate()?;
        let started = Instant::now();
        std::fs::create_dir_all(config.catalogs_dir())?;
        std::fs::create_dir_all(spool_dir(&config))?;
        let (store, unfinished) =
            tasks::TaskStore::open(&config.data_dir.join("tasks"), config.task_history)?;
        let queue = queue::Queue::recover(
            store,
            unfinished,
            queue::Limits {
                workers: config.index_workers,
                max_pending_per_catalog: config.max_pending_tasks,
                max_pending_total: config.max_pending_total,
                max_spool_bytes: config.max_spool_mb.saturating_mul(1 << 20),
                max_attempts: config.max_task_attempts,
            },
        );
        let (registry, outdated) =
            registry::Registry::scan(config.catalogs_dir(), config.catalog_cache_mb)?;
        let keys = keys::KeyStore::open(
            config.data_dir.join("keys.json"),
            config.admin_key.as_deref(),
        )?;
        let engine = Arc::new(Engine {
            registry,
            queue,
            ready: AtomicBool::new(false),
            workers: Mutex::new(Vec::new()),
            keys,
            config,
        });
        workers::start(&engine);
        let demo = engine.queue_demo();
        match demo {
            Some(task_id) => {
                let waiter = Arc::clone(&engine);
                std::thread::Builder::new()
                    .name("kirana-demo".into())
                    .spawn(move || {
                        waiter.queue.wait_task(task_id, Duration::from_secs(3600));
                        waiter.set_ready();
                    })?;
            }
            None => engine.set_ready(),
        }
        let sweeper = Arc::clone(&engine);
        // File times come from a coarse clock: a generation this process starts building a
        // moment from now may carry a time a little before it. Leftovers of a crash in the
        // last seconds go when their catalog next opens.
        let now = std::time::SystemTime::now() - Duration::from_secs(2);
        std::thread::Builder::new()
            .name("kirana-sweep".into())
            .spawn(move || sweeper.registry.sweep_half_built(now))?;
        if !outdated.is_empty() {
            let upgrader = Arc::clone(&engine);
            std::thread::Builder::new()
                .name("kirana-upgrade".into())
                .spawn(move || upgrader.upgrade(outdated))?;
        }
        tracing::info!(ms = started.elapsed().as_millis() as u64, "engine started");
        Ok(engine)
    }

    /// Starts and waits until ready: for tools and tests that need a ready engine at once.
    pub fn open(config: Config) -> Result<Arc<Engine>> {
        let engine = Engine::start(config)?;
        engine.wait_ready(Duration::from_secs(600));
        Ok(engine)
    }

    /// Queues the demo catalog's first build when it is asked for, absent and not queued.
    fn queue_demo(&self) -> Option<u64> {
        if !self.config.demo
            || self.registry.exists(DEMO_CATALOG)
            || self.queue.has_work(DEMO_CATALOG)
        {
            return None;
        }
        match self.queue.enqueue(
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

    /// Opens, once, catalogs written by an older kirana, so their upgrade does not fall on a
    /// shopper's search.
    fn upgrade(&self, names: Vec<String>) {
        for name in names {
            if let Err(err) = self.registry.open(&name) {
                tracing::error!(catalog = %name, %err, "catalog written by an older kirana could not be opened");
            }
        }
    }

    fn set_ready(&self) {
        self.ready.store(true, Ordering::SeqCst);
        tracing::info!("ready");
    }

    /// Whether the task queue is recovered and the catalogs registered (and the demo catalog
    /// built, on its first start).
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    /// Blocks until ready or `timeout`.
    pub fn wait_ready(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while !self.is_ready() {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
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

    /// Whether a feed of about `bytes` may be spooled for `catalog` now: the catalog's queue
    /// has room, the spool limit holds, and the disk keeps `min_free_disk_mb` free after it.
    pub fn check_feed_room(&self, catalog: &str, bytes: u64) -> Result<()> {
        validate_catalog_name(catalog)?;
        self.queue.check_room(catalog, bytes)?;
        let free = fs4::available_space(&self.config.data_dir)?;
        let reserve = self.config.min_free_disk_mb.saturating_mul(1 << 20);
        if free < reserve.saturating_add(bytes) {
            tracing::error!(
                free_mb = free >> 20,
                reserve_mb = reserve >> 20,
                "disk full: refusing a feed"
            );
            return Err(Error::unavailable(
                "disk_full",
                "the server's disk is too full to accept this feed; nothing was written. Retry later",
                DISK_FULL_RETRY_SECS,
            ));
        }
        Ok(())
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
        let source = TaskSource::Feed {
            path: spool,
            format: format.into(),
            spooled: true,
        };
        self.queue.enqueue(catalog, kind, on_error, source)
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
        let source = TaskSource::Feed {
            path,
            format: format.into(),
            spooled: false,
        };
        self.queue
            .enqueue(catalog, TaskKind::Replace, on_error, source)
    }

    /// Queues a delete of products by id.
    pub fn enqueue_delete(&self, catalog: &str, ids: Vec<String>) -> Result<Task> {
        self.catalog_info(catalog)?;
        self.queue.enqueue(
            catalog,
            TaskKind::Delete,
            OnError::Abort,
            TaskSource::Ids { ids },
        )
    }

    /// A task by id.
    pub fn task(&self, id: u64) -> Result<Task> {
        self.queue
            .task(id)
            .ok_or_else(|| Error::not_found("task_not_found", format!("no task {id}")))
    }

    /// A page of a catalog's tasks, newest first, optionally of one status, and how many
    /// match.
    pub fn tasks(
        &self,
        catalog: &str,
        status: Option<TaskStatus>,
        limit: usize,
        offset: usize,
    ) -> Result<(Vec<Task>, usize)> {
        validate_catalog_name(catalog)?;
        Ok(self.queue.list(catalog, status, limit, offset))
    }

    /// Waits until task `id` has finished or `timeout` passes; returns it as it is then.
    pub fn wait_task(&self, id: u64, timeout: Duration) -> Option<Task> {
        self.queue.wait_task(id, timeout)
    }

    /// Write tasks waiting to run.
    pub fn queue_depth(&self) -> usize {
        self.queue.depth()
    }

    /// Catalogs known and open.
    pub fn cache_stats(&self) -> CacheStats {
        self.registry.cache_stats()
    }

    /// A catalog that exists and has a live generation, opened if it is not.
    pub fn catalog(&self, name: &str) -> Result<Arc<Catalog>> {
        self.registry.open(name)
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
        synonyms::validate(&groups)?;
        catalog.set_synonym_groups(groups)?;
        self.registry.reweigh(&catalog);
        Ok(())
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
        let catalog = self.catalog(catalog)?;
        let (suggester, loaded) = catalog.suggester()?;
        if loaded {
            self.registry.reweigh(&catalog);
        }
        Ok(suggester.suggest_with(query, limit, &catalog.synonyms()))
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

    /// Stats of one catalog, without opening it.
    pub fn catalog_info(&self, name: &str) -> Result<CatalogInfo> {
        self.registry.info(name)
    }

    /// A page of catalogs by name, and how many there are; no index is opened.
    pub fn catalogs(&self, limit: usize, offset: usize) -> (Vec<CatalogInfo>, usize) {
        self.registry.list(limit, offset)
    }

    /// Deletes a catalog: its waiting tasks fail, a running one finishes first, then its files
    /// go.
    pub fn delete_catalog(&self, name: &str) -> Result<()> {
        self.catalog_info(name)?;
        self.queue.cancel_and_hold(
            name,
            "catalog_deleted",
            &format!("catalog {name:?} was deleted before this task ran"),
        );
        let removed = self.registry.remove(name);
        self.queue.release(name);
        removed
    }

    /// Stops taking tasks and waits for the running ones to finish.
    pub fn shutdown(&self) {
        self.queue.shut_down();
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
