//! In-process search latency on the 50,000-product demo catalog over the query mix.
//! Budget (DESIGN): p50 ≤ 100 µs, p99 ≤ 1 ms. Prints percentiles over the whole mix, then lets
//! criterion time the mix and a few single queries.

mod common;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use kirana::search::SearchRequest;

fn search(c: &mut Criterion) {
    let (_dir, engine) = common::demo_engine();
    let queries = common::queries();
    let requests: Vec<SearchRequest> = queries
        .iter()
        .map(|q| SearchRequest::new(q.clone()))
        .collect();
    // Check the answers once, outside the timed loops: the mix must find products.
    let empty: Vec<&String> = queries
        .iter()
        .zip(&requests)
        .filter(|(_, r)| engine.search("demo", r).unwrap().hits.is_empty())
        .map(|(q, _)| q)
        .collect();
    println!(
        "queries without hits: {}/{} {:?}",
        empty.len(),
        queries.len(),
        empty
    );
    assert!(
        empty.len() * 10 < queries.len(),
        "too many queries find nothing: {empty:?}"
    );

    let mut samples = Vec::new();
    for _ in 0..20 {
        for request in &requests {
            let started = Instant::now();
            let results = engine.search("demo", request).unwrap();
            samples.push(started.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(results);
        }
    }
    println!(
        "{}",
        common::percentiles("search over the query mix", samples)
    );

    let mut group = c.benchmark_group("search");
    group.bench_function("query mix (per query)", |b| {
        let mut next = 0;
        b.iter(|| {
            next = (next + 1) % requests.len();
            engine.search("demo", &requests[next]).unwrap()
        })
    });
    for q in [
        "amul butter",
        "aata 5kg",
        "amul buttr",
        "दूध",
        "hi",
        "shampoo under 100",
    ] {
        let request = SearchRequest::new(q);
        group.bench_function(q, |b| b.iter(|| engine.search("demo", &request).unwrap()));
    }
    group.finish();
    engine.shutdown();
}

criterion_group!(benches, search);
criterion_main!(benches);
