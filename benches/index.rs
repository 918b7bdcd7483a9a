//! Building the 50,000-product demo catalog from scratch (documents, tantivy, word fst).
//! Budget (DESIGN): full reindex of 50,000 products ≤ 5 s.

mod common;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

fn index(c: &mut Criterion) {
    let started = Instant::now();
    let (_dir, engine) = common::demo_engine();
    let docs = engine.catalog_info("demo").unwrap().documents;
    assert_eq!(docs, 50_000);
    println!(
        "first build of the demo catalog: {docs} products in {:.2?}",
        started.elapsed()
    );
    engine.shutdown();

    let mut group = c.benchmark_group("index");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40));
    group.bench_function("build demo catalog (50,000 products)", |b| {
        b.iter(|| {
            let (_dir, engine) = common::demo_engine();
            engine.shutdown();
        })
    });
    group.finish();
}

criterion_group!(benches, index);
criterion_main!(benches);
