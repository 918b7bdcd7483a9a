//! In-process suggestion latency on the 50,000-product demo catalog over a typing trace: every
//! prefix of the 500 queries in `benches/typing_queries.txt`, as a shopper types them.
//! Budget (DESIGN): p50 ≤ 30 µs, p99 ≤ 300 µs. Also prints the suggestion index's build time
//! and size.

mod common;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use kirana::catalog::sample;

/// Every prefix of every query, cut at character boundaries, in typing order.
fn typing_trace() -> Vec<String> {
    include_str!("typing_queries.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .flat_map(|line| {
            line.char_indices()
                .map(|(at, c)| line[..at + c.len_utf8()].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn suggest(c: &mut Criterion) {
    let products = sample::demo_catalog();
    let started = Instant::now();
    let suggester = kirana::suggest::build(&products).expect("suggestions build");
    println!(
        "suggestion index for {} products: built in {:.2?}, {} keys, fst {} KiB",
        products.len(),
        started.elapsed(),
        suggester.keys(),
        suggester.size_bytes() / 1024
    );

    let (_dir, engine) = common::demo_engine();
    let trace = typing_trace();
    // Check the answers once, outside the timed loops: full words must complete to something.
    let finished: Vec<&str> = include_str!("typing_queries.txt")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    let silent: Vec<&&str> = finished
        .iter()
        .filter(|q| engine.suggest("demo", q, 8).unwrap().suggestions.is_empty())
        .collect();
    println!(
        "typed queries without a suggestion: {}/{}",
        silent.len(),
        finished.len()
    );
    assert!(
        silent.len() * 5 < finished.len(),
        "too many typed queries get no suggestion: {silent:?}"
    );

    let mut samples = Vec::with_capacity(trace.len() * 5);
    for _ in 0..5 {
        for prefix in &trace {
            let started = Instant::now();
            let out = engine.suggest("demo", prefix, 8).unwrap();
            samples.push(started.elapsed().as_secs_f64() * 1e6);
            std::hint::black_box(out);
        }
    }
    println!(
        "{}",
        common::percentiles("suggest over the typing trace", samples)
    );

    let mut group = c.benchmark_group("suggest");
    group.bench_function("typing trace (per prefix)", |b| {
        let mut next = 0;
        b.iter(|| {
            next = (next + 1) % trace.len();
            engine.suggest("demo", &trace[next], 8).unwrap()
        })
    });
    for q in ["a", "amul bu", "doo", "दू", "amlu", "मक्ख"] {
        group.bench_function(q, |b| b.iter(|| engine.suggest("demo", q, 8).unwrap()));
    }
    group.finish();
    engine.shutdown();
}

criterion_group!(benches, suggest);
criterion_main!(benches);
