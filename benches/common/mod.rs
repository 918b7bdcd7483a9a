//! Shared by the benches: the 50,000-product demo catalog in a temporary directory, and the
//! query mix from `loadtest/queries.txt`.

#![allow(dead_code)]

use std::sync::Arc;

use kirana::config::Config;
use kirana::engine::Engine;

/// The query mix shared with the load tests.
pub fn queries() -> Vec<String> {
    include_str!("../../loadtest/queries.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// An engine serving the demo catalog, built once into a temporary directory.
pub fn demo_engine() -> (tempfile::TempDir, Arc<Engine>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        demo: true,
        ..Config::default()
    };
    let engine = Engine::open(config).expect("demo catalog builds");
    // Measure a settled engine: catalogs loaded and suggestions built, no loader thread
    // sharing the cores with the timed loop.
    assert!(
        engine.wait_ready(std::time::Duration::from_secs(300)),
        "the demo catalog did not load"
    );
    (dir, engine)
}

/// p50 and p99 of `samples` (microseconds), as a line for the bench output.
pub fn percentiles(name: &str, mut samples: Vec<f64>) -> String {
    samples.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    format!(
        "{name}: n={} p50={:.1}µs p90={:.1}µs p99={:.1}µs max={:.1}µs",
        samples.len(),
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0)
    )
}
