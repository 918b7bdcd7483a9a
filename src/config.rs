//! The one `Config`: defaults in code, then a TOML file, then `KIRANA_*` environment
//! variables, then CLI flags (applied by `main`). Validated once at start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// Service configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Root of on-disk state; catalogs live in `data_dir/catalogs/`.
    pub data_dir: PathBuf,
    /// Build and serve the `demo` catalog from the embedded sample.
    pub demo: bool,
    /// Enables auth when set: `Authorization: Bearer <key>`.
    pub admin_key: Option<String>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: u64,
    /// Write tasks that may wait, all catalogs together, before new ones get 503.
    #[serde(alias = "task_queue_capacity")]
    pub max_pending_total: usize,
    /// Write tasks one catalog may have waiting before new ones get 429.
    pub max_pending_tasks: usize,
    /// Index workers: threads that run write tasks, catalogs in turn (all but one may run
    /// full replaces at once).
    #[serde(alias = "task_workers")]
    pub index_workers: usize,
    /// Starts of a task (interrupted by crashes or restarts) before it is given up.
    pub max_task_attempts: u32,
    /// Memory the open catalogs may hold, in MiB; least recently used ones close beyond it.
    pub catalog_cache_mb: u64,
    /// Bytes of spooled feeds that may wait to be indexed, in MiB.
    pub max_spool_mb: u64,
    /// Free disk space below which feeds are refused with 503 `disk_full`, in MiB.
    pub min_free_disk_mb: u64,
    /// tantivy indexing threads for a full replace.
    pub index_threads: usize,
    /// tantivy writer memory budget for a full replace, in MiB.
    pub index_memory_mib: usize,
    /// Searches running at once before new ones get 503.
    pub max_concurrent_searches: usize,
    /// Finished tasks kept for `GET /v1/tasks/{id}`.
    pub task_history: usize,
}

impl Default for Config {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("index-data"),
            demo: true,
            admin_key: None,
            max_body_bytes: 256 * 1024 * 1024,
            max_pending_total: 100_000,
            max_pending_tasks: 5_000,
            index_workers: 2,
            max_task_attempts: 3,
            catalog_cache_mb: 1024,
            max_spool_mb: 4096,
            min_free_disk_mb: 100,
            index_threads: cores.clamp(1, 4),
            index_memory_mib: 200,
            max_concurrent_searches: 1024,
            task_history: 10_000,
        }
    }
}

impl Config {
    /// Defaults, overlaid by the TOML file (when given) and the `KIRANA_*` environment.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|err| {
                    Error::invalid(
                        "config_unreadable",
                        format!("cannot read {}: {err}", path.display()),
                    )
                })?;
                toml::from_str(&text).map_err(|err| {
                    Error::invalid("config_invalid", format!("{}: {err}", path.display()))
                })?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// Applies `KIRANA_*` variables read through `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("KIRANA_LISTEN") {
            self.listen = parse_env("KIRANA_LISTEN", &v)?;
        }
        if let Some(v) = var("KIRANA_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = var("KIRANA_DEMO") {
            self.demo = parse_env("KIRANA_DEMO", &v)?;
        }
        if let Some(v) = var("KIRANA_ADMIN_KEY") {
            self.admin_key = Some(v).filter(|k| !k.is_empty());
        }
        if let Some(v) = var("KIRANA_MAX_BODY_BYTES") {
            self.max_body_bytes = parse_env("KIRANA_MAX_BODY_BYTES", &v)?;
        }
        if let Some(v) = var("KIRANA_MAX_PENDING_TOTAL") {
            self.max_pending_total = parse_env("KIRANA_MAX_PENDING_TOTAL", &v)?;
        }
        if let Some(v) = var("KIRANA_MAX_PENDING_TASKS") {
            self.max_pending_tasks = parse_env("KIRANA_MAX_PENDING_TASKS", &v)?;
        }
        if let Some(v) = var("KIRANA_INDEX_WORKERS") {
            self.index_workers = parse_env("KIRANA_INDEX_WORKERS", &v)?;
        }
        if let Some(v) = var("KIRANA_MAX_TASK_ATTEMPTS") {
            self.max_task_attempts = parse_env("KIRANA_MAX_TASK_ATTEMPTS", &v)?;
        }
        if let Some(v) = var("KIRANA_CATALOG_CACHE_MB") {
            self.catalog_cache_mb = parse_env("KIRANA_CATALOG_CACHE_MB", &v)?;
        }
        if let Some(v) = var("KIRANA_MAX_SPOOL_MB") {
            self.max_spool_mb = parse_env("KIRANA_MAX_SPOOL_MB", &v)?;
        }
        if let Some(v) = var("KIRANA_MIN_FREE_DISK_MB") {
            self.min_free_disk_mb = parse_env("KIRANA_MIN_FREE_DISK_MB", &v)?;
        }
        if let Some(v) = var("KIRANA_INDEX_THREADS") {
            self.index_threads = parse_env("KIRANA_INDEX_THREADS", &v)?;
        }
        Ok(())
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<()> {
        let positive = [
            ("max_body_bytes", self.max_body_bytes as usize),
            ("max_pending_total", self.max_pending_total),
            ("max_pending_tasks", self.max_pending_tasks),
            ("index_workers", self.index_workers),
            ("max_task_attempts", self.max_task_attempts as usize),
            ("catalog_cache_mb", self.catalog_cache_mb as usize),
            ("max_spool_mb", self.max_spool_mb as usize),
            ("index_threads", self.index_threads),
            ("max_concurrent_searches", self.max_concurrent_searches),
        ];
        for (name, value) in positive {
            if value == 0 {
                return Err(Error::invalid(
                    "config_invalid",
                    format!("{name} must be at least 1"),
                ));
            }
        }
        if self.index_memory_mib < 16 {
            return Err(Error::invalid(
                "config_invalid",
                format!(
                    "index_memory_mib must be at least 16, got {}",
                    self.index_memory_mib
                ),
            ));
        }
        if self.admin_key.is_none() && !self.listen.ip().is_loopback() {
            return Err(Error::invalid(
                "config_invalid",
                format!(
                    "refusing to listen on {} without auth: set KIRANA_ADMIN_KEY or listen on 127.0.0.1",
                    self.listen
                ),
            ));
        }
        Ok(())
    }

    /// Where catalogs live.
    pub fn catalogs_dir(&self) -> PathBuf {
        self.data_dir.join("catalogs")
    }
}

fn parse_env<T: std::str::FromStr>(name: &str, value: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    value
        .trim()
        .parse()
        .map_err(|err| Error::invalid("config_invalid", format!("{name}={value:?}: {err}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_defaults() {
        let mut config = Config::default();
        config
            .apply_env(|name| match name {
                "KIRANA_LISTEN" => Some("127.0.0.1:9999".into()),
                "KIRANA_DATA_DIR" => Some("/tmp/k".into()),
                _ => None,
            })
            .unwrap();
        assert_eq!(config.listen.port(), 9999);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/k"));
        config
            .apply_env(|name| (name == "KIRANA_CATALOG_CACHE_MB").then(|| "256".into()))
            .unwrap();
        assert_eq!(config.catalog_cache_mb, 256);
    }

    #[test]
    fn older_setting_names_still_read() {
        let config: Config = toml::from_str("task_workers = 3\ntask_queue_capacity = 7").unwrap();
        assert_eq!((config.index_workers, config.max_pending_total), (3, 7));
    }

    #[test]
    fn bad_env_value_names_the_variable() {
        let mut config = Config::default();
        let err = config.apply_env(|n| (n == "KIRANA_LISTEN").then(|| "nowhere".into()));
        assert!(err.unwrap_err().to_string().contains("KIRANA_LISTEN"));
    }

    #[test]
    fn open_server_refuses_public_address() {
        let config = Config {
            listen: "0.0.0.0:8080".parse().unwrap(),
            ..Config::default()
        };
        assert!(config.validate().is_err());
        let keyed = Config {
            admin_key: Some("k".into()),
            ..config
        };
        assert!(keyed.validate().is_ok());
    }

    #[test]
    fn unknown_toml_field_is_rejected() {
        let err = toml::from_str::<Config>("listn = \"127.0.0.1:1\"").unwrap_err();
        assert!(err.to_string().contains("listn"));
    }
}
